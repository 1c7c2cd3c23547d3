/* text — fonts and a cache of rendered text as textures (SDL_ttf).
 *
 * Labels are drawn every frame but change rarely, so each (font, size,
 * colour, wrap width, string) is rendered once into a texture and kept.
 * The cache is a hash table with linear probing; when it fills past
 * TEXT_CACHE_MAX entries it is emptied and refills from what is on screen
 * (labels of one frame number in the hundreds).  Textures belong to one
 * renderer: free the cache before its renderer. */
#ifndef MN_GUI_TEXT_H
#define MN_GUI_TEXT_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>

typedef enum TextFace { FACE_SANS, FACE_BOLD, FACE_MONO, FACE_COUNT } TextFace;

#define TEXT_CACHE_MAX 2048

typedef struct TextEntry {
    uint64_t hash;
    char *s;
    int face, px, wrap;
    SDL_Color c;
    SDL_Texture *tex;
    int w, h;
} TextEntry;

typedef struct TextFont {
    int face, px;
    TTF_Font *font;
} TextFont;

/* What a frame drew where, for `minet layout` and the layout tests: each
 * piece of text (and each node's icon) with its rectangle, cut to the
 * renderer's clip; nothing drawn outside the clip is listed. */
typedef struct TextItem {
    char kind[16]; /* "node", "node-label", "packet-label", "caption", "panel-text", … */
    char id[96];
    SDL_Rect rect;
    int px; /* font size; 0 for an icon */
} TextItem;

typedef struct TextLog {
    TextItem *items;
    size_t n, cap;
} TextLog;

typedef struct Text {
    SDL_Renderer *r;
    /* When log is set, text_draw lists what it draws as log_kind (default
     * "panel-text") with log_id (default the text itself). */
    TextLog *log;
    const char *log_kind, *log_id;
    char *path[FACE_COUNT];
    TextFont *fonts; /* opened on first use, one per (face, size) */
    size_t n_fonts, fonts_cap;
    TextEntry *slots;
    size_t cap, used;
} Text;

/* font_dir holds DejaVuSans.ttf, DejaVuSans-Bold.ttf, DejaVuSansMono.ttf.
 * False (with a message in why) if they cannot be opened. */
bool text_init(Text *t, SDL_Renderer *r, const char *font_dir, char *why, size_t size);
void text_fini(Text *t);

/* The texture for s (NULL for an empty string); w and h its size.  wrap > 0
 * wraps lines at that many pixels.  Owned by the cache. */
SDL_Texture *text_get(Text *t, TextFace face, int px, SDL_Color c, int wrap, const char *s, int *w,
                      int *h);
/* Draws s with its top-left (align 0), centre (1) or right (2) at x, y;
 * returns its width. */
int text_draw(Text *t, TextFace face, int px, SDL_Color c, const char *s, int x, int y, int align);
/* Lists an item in t->log (if any), cut to the renderer's clip. */
void text_log(Text *t, const char *kind, const char *id, SDL_Rect r, int px);
void text_log_fini(TextLog *log);

/* Measures without drawing. */
void text_size(Text *t, TextFace face, int px, const char *s, int *w, int *h);
/* s, or where it is wider than room pixels, s cut after a word with "…"
 * (mid-word only when its first word does not fit), in out (size bytes);
 * "" if not even one character fits.  Returns out. */
const char *text_fit(Text *t, TextFace face, int px, const char *s, int room, char *out,
                     size_t size);

/* Breaking s into lines: after a space, or where s has fields set apart by
 * two spaces ("10.0.0.1  02:92:2a:38:80:00  to laptop") only there, so
 * that a field stays whole.  Pieces longer than TEXT_WRAP_MAX bytes are
 * not measured. */
#define TEXT_WRAP_MAX 248
/* The bytes of s's longest start, up to a break or its end, no wider than
 * room (0 if even the first field is wider); *first gets the first
 * field's bytes. */
size_t text_fit_words(Text *t, TextFace face, int px, const char *s, int room, size_t *first);
/* s cut into at most max lines no wider than room each: the last takes
 * the rest (to be ended with "…" where it is too long), as does a first
 * field wider than the room.  Returns the lines, each as its start and
 * length in s. */
int text_wrap(Text *t, TextFace face, int px, const char *s, int room, int max, size_t *start,
              size_t *len);

#endif
