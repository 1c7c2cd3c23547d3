#include "gui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static const char *const face_file[FACE_COUNT] = {
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono.ttf",
};

bool text_init(Text *t, SDL_Renderer *r, const char *font_dir, char *why, size_t size)
{
    memset(t, 0, sizeof *t);
    t->r = r;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(why, size, "cannot start SDL_ttf: %s", TTF_GetError());
        return false;
    }
    for (int i = 0; i < FACE_COUNT; i++) {
        t->path[i] = xasprintf("%s/%s", font_dir, face_file[i]);
        TTF_Font *f = TTF_OpenFont(t->path[i], 12);
        if (!f) {
            snprintf(why, size, "%s: cannot open the font: %s", t->path[i], TTF_GetError());
            text_fini(t);
            return false;
        }
        TTF_CloseFont(f);
    }
    t->cap = 2 * TEXT_CACHE_MAX;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    return true;
}

static void clear_slots(Text *t)
{
    for (size_t i = 0; i < t->cap; i++) {
        TextEntry *e = &t->slots[i];
        if (e->s) {
            SDL_DestroyTexture(e->tex);
            free(e->s);
        }
        memset(e, 0, sizeof *e);
    }
    t->used = 0;
}

void text_fini(Text *t)
{
    if (t->slots)
        clear_slots(t);
    free(t->slots);
    for (size_t i = 0; i < t->n_fonts; i++)
        TTF_CloseFont(t->fonts[i].font);
    free(t->fonts);
    for (int i = 0; i < FACE_COUNT; i++)
        free(t->path[i]);
    memset(t, 0, sizeof *t);
}

static TTF_Font *font_for(Text *t, TextFace face, int px)
{
    for (size_t i = 0; i < t->n_fonts; i++)
        if (t->fonts[i].face == (int)face && t->fonts[i].px == px)
            return t->fonts[i].font;
    TTF_Font *f = TTF_OpenFont(t->path[face], px);
    if (!f)
        return NULL;
    t->fonts = xgrow(t->fonts, &t->fonts_cap, t->n_fonts + 1, sizeof *t->fonts);
    t->fonts[t->n_fonts++] = (TextFont){(int)face, px, f};
    return f;
}

static uint64_t key_hash(TextFace face, int px, SDL_Color c, int wrap, const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    uint32_t head[4] = {(uint32_t)face, (uint32_t)px,
                        (uint32_t)c.r << 24 | (uint32_t)c.g << 16 | (uint32_t)c.b << 8 | c.a,
                        (uint32_t)wrap};
    const unsigned char *p = (const unsigned char *)head;
    for (size_t i = 0; i < sizeof head; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    for (p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static bool same(const TextEntry *e, uint64_t h, TextFace face, int px, SDL_Color c, int wrap,
                 const char *s)
{
    return e->hash == h && e->face == (int)face && e->px == px && e->wrap == wrap &&
           e->c.r == c.r && e->c.g == c.g && e->c.b == c.b && e->c.a == c.a && strcmp(e->s, s) == 0;
}

SDL_Texture *text_get(Text *t, TextFace face, int px, SDL_Color c, int wrap, const char *s, int *w,
                      int *h)
{
    *w = *h = 0;
    if (!s || !*s)
        return NULL;
    uint64_t hash = key_hash(face, px, c, wrap, s);
    size_t i = hash % t->cap;
    for (; t->slots[i].s; i = (i + 1) % t->cap) {
        TextEntry *e = &t->slots[i];
        if (same(e, hash, face, px, c, wrap, s)) {
            *w = e->w;
            *h = e->h;
            return e->tex;
        }
    }
    if (t->used >= TEXT_CACHE_MAX) {
        clear_slots(t);
        i = hash % t->cap;
    }
    TTF_Font *f = font_for(t, face, px);
    if (!f)
        return NULL;
    SDL_Surface *surf = wrap > 0 ? TTF_RenderUTF8_Blended_Wrapped(f, s, c, (Uint32)wrap)
                                 : TTF_RenderUTF8_Blended(f, s, c);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->r, surf);
    int sw = surf->w, sh = surf->h;
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    TextEntry *e = &t->slots[i];
    *e = (TextEntry){hash, xstrdup(s), (int)face, px, wrap, c, tex, sw, sh};
    t->used++;
    *w = sw;
    *h = sh;
    return tex;
}

int text_draw(Text *t, TextFace face, int px, SDL_Color c, const char *s, int x, int y, int align)
{
    int w, h;
    SDL_Texture *tex = text_get(t, face, px, c, 0, s, &w, &h);
    if (!tex)
        return 0;
    SDL_Rect dst = {align == 1 ? x - w / 2 : align == 2 ? x - w : x, y, w, h};
    SDL_RenderCopy(t->r, tex, NULL, &dst);
    if (t->log)
        text_log(t, t->log_kind ? t->log_kind : "panel-text", t->log_id ? t->log_id : s, dst, px);
    return w;
}

void text_log(Text *t, const char *kind, const char *id, SDL_Rect r, int px)
{
    if (!t->log)
        return;
    SDL_Rect clip, cut = r;
    SDL_RenderGetClipRect(t->r, &clip);
    if (SDL_RenderIsClipEnabled(t->r) && !SDL_IntersectRect(&r, &clip, &cut))
        return;
    if (cut.w <= 0 || cut.h <= 0)
        return;
    TextLog *l = t->log;
    l->items = xgrow(l->items, &l->cap, l->n + 1, sizeof *l->items);
    TextItem *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    snprintf(it->id, sizeof it->id, "%s", id ? id : "");
    it->rect = cut;
    it->px = px;
}

void text_log_fini(TextLog *log)
{
    free(log->items);
    memset(log, 0, sizeof *log);
}

void text_size(Text *t, TextFace face, int px, const char *s, int *w, int *h)
{
    TTF_Font *f = font_for(t, face, px);
    *w = *h = 0;
    if (f && s && *s)
        TTF_SizeUTF8(f, s, w, h);
}

const char *text_fit(Text *t, TextFace face, int px, const char *s, int room, char *out,
                     size_t size)
{
    int w, h;
    snprintf(out, size, "%s", s);
    text_size(t, face, px, out, &w, &h);
    if (w <= room)
        return out;
    size_t n = strlen(out), best = 0, best_word = 0;
    char *cut = xmalloc(n + sizeof "…");
    for (size_t k = 1; k <= n; k++) {
        if (k < n && utf8_cont(out[k]))
            continue;
        snprintf(cut, n + sizeof "…", "%.*s…", (int)k, out);
        text_size(t, face, px, cut, &w, &h);
        if (w > room)
            break;
        best = k;
        if (k < n && (out[k] == ' ' || out[k - 1] == ',' || out[k - 1] == ':' || out[k - 1] == '('))
            best_word = k;
    }
    size_t keep = best_word ? best_word : best;
    while (keep > 0 && out[keep - 1] == ' ')
        keep--;
    snprintf(cut, n + sizeof "…", keep ? "%.*s…" : "%.*s", (int)keep, out);
    snprintf(out, size, "%s", cut);
    free(cut);
    return out;
}

/* Where s may break before s[e]: at a space, or, in a value whose fields
 * are set apart by two spaces ("10.0.0.1  02:92:2a:38:80:00  to laptop"),
 * only there, so that a field stays whole. */
static bool breaks_at(const char *s, size_t e, bool fields)
{
    return s[e] == ' ' && (!fields || s[e + 1] == ' ');
}

size_t text_fit_words(Text *t, TextFace face, int px, const char *s, int room, size_t *first)
{
    char buf[TEXT_WRAP_MAX + 1];
    size_t n = strlen(s), best = 0;
    bool fields = strstr(s, "  ") != NULL;
    *first = 0;
    for (size_t e = 1; e <= n && e < sizeof buf; e++) {
        if (e < n && !breaks_at(s, e, fields))
            continue;
        if (!*first)
            *first = e;
        int w, h;
        memcpy(buf, s, e);
        buf[e] = '\0';
        text_size(t, face, px, buf, &w, &h);
        if (w > room)
            break;
        best = e;
    }
    if (!*first)
        *first = n;
    return best;
}

int text_wrap(Text *t, TextFace face, int px, const char *s, int room, int max, size_t *start,
              size_t *len)
{
    size_t n = strlen(s), at = 0;
    int k = 0;
    while (at < n && k < max) {
        while (s[at] == ' ')
            at++;
        size_t first, best = k < max - 1 ? text_fit_words(t, face, px, s + at, room, &first) : 0;
        if (best == 0) /* the last line, or a field too wide for any */
            best = k < max - 1 ? first : n - at;
        start[k] = at;
        len[k++] = best;
        at += best;
    }
    return k > 0 ? k : 1;
}
