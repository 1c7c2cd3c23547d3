#include "gui/pen.h"

#include <math.h>
#include <string.h>

void pen_init(Pen *pen, App *a)
{
    pen->a = a;
    pen->th = draw_theme(a->v.dark);
    draw_rects(&a->v, &pen->d);
    pen->px = (int)lround(15 * pen->d.ts);
    if (pen->px < DRAW_TEXT_MIN)
        pen->px = DRAW_TEXT_MIN;
    pen->lh = (int)lround(pen->px * 1.45);
}

const char *pen_clip(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n < size && n <= DRAW_MAX_BYTES)
        return s;
    n = utf8_prefix(s, n, size - 4 < DRAW_MAX_BYTES ? size - 4 : DRAW_MAX_BYTES);
    memcpy(buf, s, n);
    memcpy(buf + n, "…", sizeof "…");
    return buf;
}

int pen_put(Pen *pen, TextFace face, SDL_Color c, const char *s, int x, int y, int align)
{
    char buf[DRAW_MAX_BYTES + 8];
    if (!s || !*s)
        return 0;
    return text_draw(&pen->a->txt, face, pen->px, c, pen_clip(s, buf, sizeof buf), x, y, align);
}

int pen_put_fit(Pen *pen, TextFace face, SDL_Color c, const char *s, int x, int y, int room)
{
    char buf[DRAW_MAX_BYTES + 8], cut[DRAW_MAX_BYTES + 8];
    if (!s || !*s)
        return 0;
    s = pen_clip(s, buf, sizeof buf);
    return pen_put(pen, face, c, text_fit(&pen->a->txt, face, pen->px, s, room, cut, sizeof cut), x,
                   y, 0);
}

int pen_put_part(Pen *pen, TextFace face, SDL_Color c, const char *s, size_t start, size_t len,
                 int x, int y, int room)
{
    /* One byte past DRAW_MAX_BYTES, so that pen_clip ends a longer piece
     * with "…" as it would the whole text. */
    char line[DRAW_MAX_BYTES + 8];
    size_t n = len <= DRAW_MAX_BYTES ? len : DRAW_MAX_BYTES + 1;
    memcpy(line, s + start, n);
    line[n] = '\0';
    return pen_put_fit(pen, face, c, line, x, y, room);
}
