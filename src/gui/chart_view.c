#include "gui/chart_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>
#include <SDL_ttf.h>

#include "gui/draw.h"
#include "gui/gui.h"
#include "io/outfile.h"

/* DejaVu Sans's ascent (1901 of 2048 units): from a baseline to the top of
 * the line SDL_ttf renders. */
#define ASCENT 0.928

static SDL_Color ink_of(const ChartCmd *k, const DrawTheme *th)
{
    if (k->ink == CHART_FAINT)
        return th->faint;
    if (k->ink == CHART_PROTO)
        return draw_proto_color(k->proto);
    return th->ink;
}

/* A line with the command's dash pattern ("9 4": 9 on, 4 off), scaled. */
static void dashed(SDL_Renderer *r, const ChartCmd *k, const ChartPlace *pl, SDL_Color c)
{
    double s = pl->scale, w = fmax(1, k->w * s);
    double x1 = pl->ox + k->x1 * s, y1 = pl->oy + k->y1 * s;
    double x2 = pl->ox + k->x2 * s, y2 = pl->oy + k->y2 * s;
    double pat[8];
    int n = 0;
    for (const char *p = k->dash; *p && n < 8;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            break;
        pat[n++] = v * s;
        p = end;
    }
    if (n == 0) {
        if (fabs(y1 - y2) < 1e-9 || fabs(x1 - x2) < 1e-9) /* straight: the fast path */
            draw_fill_rect(
                r, fmin(x1, x2) - (y1 == y2 ? 0 : w / 2), fmin(y1, y2) - (y1 == y2 ? w / 2 : 0),
                fabs(x2 - x1) + (y1 == y2 ? 0 : w), fabs(y2 - y1) + (y1 == y2 ? w : 0), c);
        else
            draw_thick_line(r, x1, y1, x2, y2, w, c);
        return;
    }
    double len = hypot(x2 - x1, y2 - y1);
    if (len < 1e-9)
        return;
    double ux = (x2 - x1) / len, uy = (y2 - y1) / len, at = 0;
    for (int i = 0; at < len; i = (i + 1) % n) {
        double to = fmin(len, at + pat[i]);
        if (i % 2 == 0) {
            ChartCmd piece = *k;
            piece.dash = "";
            piece.x1 = (x1 + ux * at - pl->ox) / s, piece.y1 = (y1 + uy * at - pl->oy) / s;
            piece.x2 = (x1 + ux * to - pl->ox) / s, piece.y2 = (y1 + uy * to - pl->oy) / s;
            dashed(r, &piece, pl, c);
        }
        at = to + (pat[i] <= 0 ? 1 : 0);
    }
}

static void head(SDL_Renderer *r, const ChartCmd *k, const ChartPlace *pl, SDL_Color c,
                 SDL_Color bg)
{
    double s = pl->scale;
    double dx = k->x2 - k->x1, dy = k->y2 - k->y1, len = hypot(dx, dy);
    if (len <= 0)
        dx = 1, dy = 0, len = 1;
    double ux = dx / len, uy = dy / len, half = k->w * 0.5;
    double p[6] = {k->x2,
                   k->y2,
                   k->x2 - ux * k->w - uy * half,
                   k->y2 - uy * k->w + ux * half,
                   k->x2 - ux * k->w + uy * half,
                   k->y2 - uy * k->w - ux * half};
    for (int i = 0; i < 3; i++) {
        p[2 * i] = pl->ox + p[2 * i] * s;
        p[2 * i + 1] = pl->oy + p[2 * i + 1] * s;
    }
    draw_fill_poly(r, p, 3, c);
    if (k->filled)
        return;
    /* Open: the outline only, 1.5 units wide, as the SVG strokes it. */
    double cx = (p[0] + p[2] + p[4]) / 3, cy = (p[1] + p[3] + p[5]) / 3, in = 1.5 * s * 2.2;
    double q[6];
    for (int i = 0; i < 3; i++) {
        double vx = p[2 * i] - cx, vy = p[2 * i + 1] - cy, vl = hypot(vx, vy);
        double f = vl > in ? (vl - in) / vl : 0;
        q[2 * i] = cx + vx * f;
        q[2 * i + 1] = cy + vy * f;
    }
    draw_fill_poly(r, q, 3, bg);
}

static void text_cmd(SDL_Renderer *r, Text *txt, const ChartCmd *k, const ChartPlace *pl,
                     SDL_Color c)
{
    int px = (int)lround(k->px * pl->scale);
    if (px < 6)
        return;
    TextFace face = k->bold ? FACE_BOLD : FACE_SANS;
    double x = pl->ox + k->x1 * pl->scale, y = pl->oy + k->y1 * pl->scale;
    int top = (int)lround(y - ASCENT * px);
    if (!k->vertical) {
        text_draw(txt, face, px, c, k->text, (int)lround(x), top, k->anchor);
        return;
    }
    int w, h;
    SDL_Texture *tex = text_get(txt, face, px, c, 0, k->text, &w, &h);
    if (!tex)
        return;
    double cx = x - ASCENT * px + h / 2.0, cy = y;
    SDL_Rect dst = {(int)lround(cx - w / 2.0), (int)lround(cy - h / 2.0), w, h};
    SDL_RenderCopyEx(r, tex, NULL, &dst, -90, NULL, SDL_FLIP_NONE);
}

static void draw_cmd(SDL_Renderer *r, Text *txt, const ChartCmd *k, const ChartPlace *pl,
                     const DrawTheme *th)
{
    SDL_Color c = ink_of(k, th);
    double s = pl->scale;
    switch (k->kind) {
    case CHART_LINE:
        dashed(r, k, pl, c);
        break;
    case CHART_HEAD:
        head(r, k, pl, c, th->panel_bg);
        break;
    case CHART_CROSS: {
        double x = pl->ox + k->x1 * s, y = pl->oy + k->y1 * s, h = k->w * s;
        draw_thick_line(r, x - h, y - h, x + h, y + h, 3 * s, c);
        draw_thick_line(r, x - h, y + h, x + h, y - h, 3 * s, c);
        break;
    }
    case CHART_BOX: {
        double x = pl->ox + k->x1 * s, y = pl->oy + k->y1 * s;
        double w = (k->x2 - k->x1) * s, h = (k->y2 - k->y1) * s, b = fmax(1, k->w * s);
        draw_fill_rect(r, x, y, w, h, c);
        draw_fill_rect(r, x + b, y + b, w - 2 * b, h - 2 * b, th->panel_bg);
        break;
    }
    case CHART_TEXT:
        text_cmd(r, txt, k, pl, c);
        break;
    }
}

/* Does the command touch the clip?  A chart of hundreds of lifelines is
 * mostly off screen: only what shows costs a frame. */
static bool cmd_visible(const ChartCmd *k, const ChartPlace *pl)
{
    double x0 = fmin(k->x1, k->x2), x1 = fmax(k->x1, k->x2);
    double y0 = fmin(k->y1, k->y2), y1 = fmax(k->y1, k->y2), pad = k->w + 2;
    if (k->kind == CHART_HEAD)
        pad = k->w * 2;
    if (k->kind == CHART_CROSS || k->kind == CHART_HEAD)
        x0 = fmin(x0, k->x1 - k->w), x1 = fmax(x1, k->x1 + k->w);
    if (k->kind == CHART_TEXT) {
        double w = chart_text_width(k->text, k->px, k->bold);
        if (k->vertical) {
            x0 = k->x1 - k->px, x1 = k->x1 + k->px;
            y0 = k->y1 - w, y1 = k->y1 + w;
        } else {
            x0 = k->anchor == 0 ? k->x1 : k->anchor == 1 ? k->x1 - w / 2 : k->x1 - w;
            x1 = x0 + w;
            y0 = k->y1 - k->px, y1 = k->y1 + k->px / 3.0;
        }
    }
    double s = pl->scale;
    double l = pl->ox + (x0 - pad) * s, r = pl->ox + (x1 + pad) * s;
    double t = pl->oy + (y0 - pad) * s, b = pl->oy + (y1 + pad) * s;
    return r >= pl->clip.x && l <= pl->clip.x + pl->clip.w && b >= pl->clip.y &&
           t <= pl->clip.y + pl->clip.h;
}

static bool arrow_visible(const ChartArrow *a, const ChartPlace *pl)
{
    double top = pl->oy + a->top * pl->scale, bottom = top + a->h * pl->scale;
    return bottom > pl->clip.y && top < pl->clip.y + pl->clip.h;
}

void chartview_draw(SDL_Renderer *r, Text *txt, const Chart *c, const ChartPlace *pl, size_t *shown)
{
    const DrawTheme *th = draw_theme(pl->dark);
    SDL_Rect old;
    SDL_RenderGetClipRect(r, &old);
    bool had = SDL_RenderIsClipEnabled(r);
    SDL_RenderSetClipRect(r, &pl->clip);
    draw_fill_rect(r, pl->clip.x, pl->clip.y, pl->clip.w, pl->clip.h, th->panel_bg);
    bool pinned = pl->pin_names && pl->oy < pl->clip.y;
    if (pinned) {
        /* Scrolled: the arrows below the names' band, none under it. */
        int band = (int)ceil(c->head_h * pl->scale);
        SDL_Rect below = {pl->clip.x, pl->clip.y + band, pl->clip.w, pl->clip.h - band};
        if (below.h > 0)
            SDL_RenderSetClipRect(r, &below);
    }
    /* The current step: a band behind its arrows. */
    for (size_t i = 0; pl->step && i < c->n_arrows; i++) {
        const ChartArrow *a = &c->arrows[i];
        if (a->step != pl->step)
            continue;
        double y = pl->oy + (a->y - 30) * pl->scale;
        draw_fill_rect(r, pl->clip.x, y, pl->clip.w, 38 * pl->scale, th->select_bg);
    }
    for (size_t i = 0; i < c->n_cmds; i++)
        if (cmd_visible(&c->cmds[i], pl))
            draw_cmd(r, txt, &c->cmds[i], pl, th);
    if (shown) {
        *shown = 0;
        for (size_t i = 0; i < c->n_arrows; i++)
            *shown += arrow_visible(&c->arrows[i], pl);
    }
    if (pinned) {
        /* Scrolled: the names stay at the top, over the arrows. */
        SDL_RenderSetClipRect(r, &pl->clip);
        ChartPlace top = *pl;
        top.oy = pl->clip.y;
        double band = c->head_h * pl->scale;
        draw_fill_rect(r, pl->clip.x, pl->clip.y, pl->clip.w, band, th->panel_bg);
        draw_fill_rect(r, pl->clip.x, pl->clip.y + band - 1, pl->clip.w, 1, th->rule);
        for (size_t i = 0; i < c->n_cmds; i++) {
            const ChartCmd *k = &c->cmds[i];
            if (k->arrow < 0 && (k->kind == CHART_BOX || k->kind == CHART_TEXT) && !k->vertical &&
                k->y1 < c->head_h)
                draw_cmd(r, txt, k, &top, th);
        }
    }
    if (had)
        SDL_RenderSetClipRect(r, &old);
    else
        SDL_RenderSetClipRect(r, NULL);
}

int chartview_arrow_at(const Chart *c, const ChartPlace *pl, int x, int y)
{
    if (!rect_has(&pl->clip, x, y))
        return -1;
    if (pl->pin_names && pl->oy < pl->clip.y && y < pl->clip.y + c->head_h * pl->scale)
        return -1; /* the names pinned over the arrows */
    double cx = (x - pl->ox) / pl->scale, cy = (y - pl->oy) / pl->scale;
    for (size_t i = 0; i < c->n_arrows; i++) {
        const ChartArrow *a = &c->arrows[i];
        if (cx >= a->x && cx < a->x + a->w && cy >= a->top && cy < a->top + a->h)
            return (int)i;
    }
    return -1;
}

/* ---- minet chart -o FILE.png ------------------------------------------- */

int gui_chart_png(const Chart *c, const char *font_dir, const char *out, bool dark)
{
    int w = (int)ceil(c->width), h = (int)ceil(c->height);
    if (TTF_WasInit() == 0 && TTF_Init() != 0) {
        fprintf(stderr, "minet: cannot start the font renderer: %s\n", TTF_GetError());
        return 1;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "minet: cannot render a %d×%d picture: %s\n", w, h, SDL_GetError());
        SDL_FreeSurface(surf);
        TTF_Quit();
        return 1;
    }
    Text txt;
    char why[512];
    int status = 0;
    if (!text_init(&txt, r, font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        status = 1;
    } else {
        ChartPlace pl = {.scale = 1, .dark = dark, .clip = {0, 0, w, h}};
        chartview_draw(r, &txt, c, &pl, NULL);
        SDL_RenderFlush(r);
        OutFile of = {0};
        SDL_RWops *rw = NULL;
        if (!outfile_open(&of, out, why, sizeof why)) {
            fprintf(stderr, "minet: %s\n", why);
            status = 1;
        } else if (!(rw = SDL_RWFromFP(of.f, SDL_FALSE)) || IMG_SavePNG_RW(surf, rw, 0) != 0) {
            fprintf(stderr, "minet: %s: cannot write the picture: %s\n", out, IMG_GetError());
            if (rw)
                SDL_RWclose(rw);
            outfile_abort(&of);
            status = 1;
        } else {
            SDL_RWclose(rw);
            if (!outfile_commit(&of, why, sizeof why)) {
                fprintf(stderr, "minet: %s\n", why);
                status = 1;
            }
        }
        text_fini(&txt);
    }
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    TTF_Quit();
    return status;
}
