/* pen — what the classroom view's panels draw their text with: the
 * panels' font size and line height, and text cut to the room it has
 * (panels.c, plot.c). */
#ifndef MN_GUI_PEN_H
#define MN_GUI_PEN_H

#include "gui/app.h"

/* Longest piece of a line drawn: a texture wider than the screen is waste
 * (and a 10,000-character paste would make one too wide to create). */
#define DRAW_MAX_BYTES 240

typedef struct Pen {
    App *a;
    const DrawTheme *th;
    DrawRects d;
    int px, lh; /* the panels' font size and line height */
} Pen;

void pen_init(Pen *pen, App *a);
/* Copies at most DRAW_MAX_BYTES of s, cut on a character boundary. */
const char *pen_clip(const char *s, char *buf, size_t size);
/* s drawn at (x, y), aligned as text_draw aligns; returns the width. */
int pen_put(Pen *pen, TextFace face, SDL_Color c, const char *s, int x, int y, int align);
/* s drawn at (x, y) no wider than `room` pixels: cut after a word with
 * "…" where it is longer (mid-word only when its first word does not fit).
 * Returns the width drawn. */
int pen_put_fit(Pen *pen, TextFace face, SDL_Color c, const char *s, int x, int y, int room);
/* The same for len bytes of s from start (a line of a wrapped text). */
int pen_put_part(Pen *pen, TextFace face, SDL_Color c, const char *s, size_t start, size_t len,
                 int x, int y, int room);

#endif
