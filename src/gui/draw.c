#include "gui/draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "io/chart.h"

#define DRAW_PI 3.14159265358979323846

/* ---- colours ----------------------------------------------------------- */

/* Protocol and node colours come from Okabe and Ito's palette ("Color
 * Universal Design", 2008), which people with the common red-green and
 * blue-yellow deficiencies still tell apart; shapes (a hollow query, a
 * filled answer, an icon per role) carry the meaning a second time. */
static const DrawTheme light = {
    .bg = {250, 250, 247, 255},
    .ink = {20, 22, 26, 255},
    .faint = {84, 90, 98, 255},
    .link = {160, 168, 178, 255},
    .link_down = {200, 40, 30, 255},
    .header = {232, 235, 238, 255},
    .caption_bg = {24, 34, 48, 255},
    .caption_ink = {255, 255, 255, 255},
    .down = {170, 170, 170, 255},
    .panel_bg = {255, 255, 255, 255},
    .panel_head = {226, 230, 235, 255},
    .rule = {205, 210, 216, 255},
    .select_bg = {255, 226, 140, 255},
    .bytes_bg = {86, 180, 233, 255},
    .accent = {0, 94, 158, 255},
};
static const DrawTheme dark = {
    .bg = {24, 27, 33, 255},
    .ink = {240, 240, 240, 255},
    .faint = {168, 176, 184, 255},
    .link = {96, 106, 118, 255},
    .link_down = {255, 105, 90, 255},
    .header = {36, 41, 50, 255},
    .caption_bg = {8, 11, 16, 255},
    .caption_ink = {255, 255, 255, 255},
    .down = {96, 100, 106, 255},
    .panel_bg = {16, 18, 22, 255},
    .panel_head = {44, 50, 60, 255},
    .rule = {60, 66, 76, 255},
    .select_bg = {110, 84, 10, 255},
    .bytes_bg = {0, 96, 150, 255},
    .accent = {120, 190, 255, 255},
};

const DrawTheme *draw_theme(bool dark_theme)
{
    return dark_theme ? &dark : &light;
}

SDL_Color draw_kind_color(ModelKind k)
{
    static const SDL_Color c[MK_KIND_COUNT] = {
        {74, 96, 117, 255},   /* host: slate */
        {0, 158, 115, 255},   /* router: bluish green */
        {0, 114, 178, 255},   /* resolver: blue */
        {213, 94, 0, 255},    /* root: vermillion */
        {230, 159, 0, 255},   /* TLD: orange */
        {204, 121, 167, 255}, /* authoritative: reddish purple */
        {86, 180, 233, 255},  /* FTP server: sky blue */
        {240, 228, 66, 255},  /* mail server: yellow */
    };
    return (unsigned)k < MK_KIND_COUNT ? c[k] : c[0];
}

SDL_Color draw_proto_color(const char *proto)
{
    const uint8_t *c = chart_proto_rgb(proto);
    return (SDL_Color){c[0], c[1], c[2], 255};
}

static void set_color(SDL_Renderer *r, SDL_Color c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* ---- shapes ------------------------------------------------------------ */

static void fill_rect(SDL_Renderer *r, double x, double y, double w, double h, SDL_Color c)
{
    SDL_FRect f = {(float)x, (float)y, (float)w, (float)h};
    set_color(r, c);
    SDL_RenderFillRectF(r, &f);
}

/* Rows of pixels waiting to be filled, sent to SDL in batches. */
typedef struct Rows {
    SDL_Renderer *r;
    SDL_FRect row[256];
    int n;
} Rows;

static void rows_flush(Rows *rs)
{
    if (rs->n)
        SDL_RenderFillRectsF(rs->r, rs->row, rs->n);
    rs->n = 0;
}

/* Pixels lo..hi (edges rounded to the nearest pixel) of row y. */
static void rows_add(Rows *rs, double y, double lo, double hi)
{
    double l = floor(lo + 0.5), h = floor(hi + 0.5);
    if (h <= l)
        return;
    rs->row[rs->n++] = (SDL_FRect){(float)l, (float)y, (float)(h - l), 1.0f};
    if (rs->n == (int)MN_ARRAY_LEN(rs->row))
        rows_flush(rs);
}

/* A convex polygon, filled row by row with rectangles.  SDL's software
 * renderer fills rectangles on a fast path, while SDL_RenderGeometry goes
 * through a generic per-pixel triangle rasterizer that costs several times
 * more at these sizes (make bench measures it). */
void draw_fill_poly(SDL_Renderer *r, const double *xy, int n, SDL_Color c)
{
    if (n < 3)
        return;
    double ymin = xy[1], ymax = xy[1];
    for (int i = 1; i < n; i++) {
        ymin = fmin(ymin, xy[2 * i + 1]);
        ymax = fmax(ymax, xy[2 * i + 1]);
    }
    Rows rs = {.r = r};
    set_color(r, c);
    for (double y = floor(ymin); y < ymax; y += 1) {
        double yc = y + 0.5, lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < n; i++) {
            double x0 = xy[2 * i], y0 = xy[2 * i + 1];
            double x1 = xy[2 * ((i + 1) % n)], y1 = xy[2 * ((i + 1) % n) + 1];
            if ((yc < y0) == (yc < y1))
                continue; /* the edge does not cross this row */
            double x = x0 + (yc - y0) * (x1 - x0) / (y1 - y0);
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        if (hi > lo)
            rows_add(&rs, y, lo, hi);
    }
    rows_flush(&rs);
}

void draw_thick_line(SDL_Renderer *r, double x0, double y0, double x1, double y1, double w,
                     SDL_Color c)
{
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9)
        return;
    double nx = -dy / len * w / 2, ny = dx / len * w / 2;
    double q[8] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny};
    draw_fill_poly(r, q, 4, c);
}

static void fill_circle(SDL_Renderer *r, double cx, double cy, double rad, SDL_Color c)
{
    /* Row by row, straight from the circle's equation. */
    Rows rs = {.r = r};
    set_color(r, c);
    for (double y = floor(cy - rad); y < cy + rad; y += 1) {
        double dy = y + 0.5 - cy, half2 = rad * rad - dy * dy;
        if (half2 > 0)
            rows_add(&rs, y, cx - sqrt(half2), cx + sqrt(half2));
    }
    rows_flush(&rs);
}

/* A rectangle with cut corners: reads as rounded at icon sizes. */
static void fill_box(SDL_Renderer *r, double x, double y, double w, double h, double cut,
                     SDL_Color c)
{
    double xy[16] = {x + cut,     y,     x + w - cut, y,     x + w, y + cut,     x + w, y + h - cut,
                     x + w - cut, y + h, x + cut,     y + h, x,     y + h - cut, x,     y + cut};
    draw_fill_poly(r, xy, 8, c);
}

static SDL_Color mix(SDL_Color a, SDL_Color b, double f)
{
    return (SDL_Color){(Uint8)(a.r + (b.r - a.r) * f), (Uint8)(a.g + (b.g - a.g) * f),
                       (Uint8)(a.b + (b.b - a.b) * f), 255};
}

/* ---- geometry ---------------------------------------------------------- */

void draw_rects(const View *v, DrawRects *o)
{
    double ui = fmin(v->w / 1280.0, v->h / 720.0);
    if (ui <= 0)
        ui = 1;
    o->ui = ui;
    double scale = v->text_scale > 0 ? v->text_scale : 1;
    o->ts = ui * scale;
    /* Icons no smaller than at 1280×720: at 1024×768 they stand beside
     * 16 px text, which does not shrink either. */
    o->icon_r = 20 * fmax(1, ui);
    /* The header grows with the text, up to half as tall again. */
    int header = (int)fmax(30, 40 * ui * fmin(1.5, fmax(1, scale))), timeline = (int)(34 * ui),
        caption = (int)fmax(132 * ui, v->caption_h);
    o->header = (SDL_Rect){0, 0, v->w, header};
    o->caption = (SDL_Rect){0, v->h - caption, v->w, caption};
    o->timeline = (SDL_Rect){0, o->caption.y - timeline, v->w, timeline};
    int top = header, body = o->timeline.y - header;
    /* Panels take a quarter of the width each side (the right column a
     * third when it is alone), wider with larger text, and always leave
     * the network at least a third. */
    double share = v->inspector ? 0.25 : 0.34, most = v->inspector ? 0.3 : 0.4;
    int side = (int)fmin(v->w * most, v->w * share * fmax(1, scale));
    int right = (v->events || v->console) ? side : 0;
    double lshare = v->inspector_wide ? 0.34 : 0.25, lmost = v->inspector_wide ? 0.4 : 0.3;
    int left = v->inspector ? (int)fmin(v->w * lmost, v->w * lshare * fmax(1, scale)) : 0;
    o->inspector = (SDL_Rect){0, top, left, left ? body : 0};
    int events_h = v->events ? (v->console ? body * 11 / 20 : body) : 0;
    o->events = (SDL_Rect){v->w - right, top, right, events_h};
    o->console = (SDL_Rect){v->w - right, top + events_h, right, v->console ? body - events_h : 0};
    o->net = (SDL_Rect){left, top, v->w - left - right, body};
    o->chart = (SDL_Rect){0, 0, 0, 0};
    if (v->chart == 1) {
        /* Beside the map the chart takes the event list's and console's
         * column: its rows are the list's steps, numbered and clickable, so
         * the list gives way rather than squeeze the chart.  It is as wide
         * as its lifelines need at the panels' text size, at 16 px where
         * that would leave the map under a quarter of the width.  The
         * inspector narrows (to a fifth) for it, and where even that leaves
         * a lifeline out it waits, until the chart goes in the map's place
         * or away (S); a chart with more lifelines than any width shows
         * (hundreds of hosts) takes the old share instead, those around
         * the current step in it. */
        o->events = (SDL_Rect){v->w, top, 0, 0};
        o->console = (SDL_Rect){v->w, top, 0, 0};
        double need = v->chart_need > 0 ? v->chart_need + 2 : 0, big = fmax(1, o->ts);
        int map_min = v->w / 4, cw;
        if (need > 0 && need <= v->w - map_min) {
            /* The inspector asked for since S (an arrow, a packet or a
             * node clicked) keeps its fifth: the chart shows the lifelines
             * around the current step then, +N more. */
            int fifth = (int)(v->w * 0.2);
            if (left && v->w - left - map_min < need)
                left = v->w - map_min - need >= fifth ? (int)(v->w - map_min - need)
                       : v->inspector_claim           ? fifth
                                                      : 0;
            cw = (int)ceil(fmin(need * big, v->w - left - map_min));
        } else {
            cw = (int)((v->w - left) * 0.55);
        }
        o->inspector = (SDL_Rect){0, top, left, left ? body : 0};
        o->net = (SDL_Rect){left, top, v->w - left - cw, body};
        o->chart = (SDL_Rect){v->w - cw, top, cw, body};
        if (v->typing) { /* the prompt under the chart, as long as it is typed */
            int ch = body * 3 / 5;
            o->chart.h = ch;
            o->console = (SDL_Rect){v->w - cw, top + ch, cw, body - ch};
        }
    } else if (v->chart == 2) {
        /* In the map's place; where that leaves a lifeline out, the event
         * list's and console's column too (the console under the chart
         * while a command is typed), unless E or C asked for it since S. */
        o->chart = o->net;
        if (v->chart_need > 0 && v->chart_need + 2 > o->net.w && right && !v->right_claim) {
            o->chart.w += right;
            o->events = (SDL_Rect){v->w, top, 0, 0};
            o->console = (SDL_Rect){v->w, top, 0, 0};
            if (v->typing) {
                int ch = body * 3 / 5;
                o->chart.h = ch;
                o->console = (SDL_Rect){o->chart.x, top + ch, o->chart.w, body - ch};
            }
        }
    }
}

void draw_fill_rect(SDL_Renderer *r, double x, double y, double w, double h, SDL_Color c)
{
    fill_rect(r, x, y, w, h, c);
}

void draw_node_xy(const Model *m, const View *v, int i, double *x, double *y)
{
    DrawRects d;
    draw_rects(v, &d);
    double mx = 90 * d.ui, top = 30 * d.ui, bottom = 44 * d.ui; /* room for labels */
    double w = d.net.w - 2 * mx, h = d.net.h - top - bottom;
    double px = d.net.x + mx + m->x[i] * w, py = d.net.y + top + m->y[i] * h;
    double cx = d.net.x + d.net.w / 2.0, cy = d.net.y + d.net.h / 2.0;
    double zoom = v->zoom > 0 ? v->zoom : 1;
    *x = cx + (px - cx) * zoom + v->pan_x;
    *y = cy + (py - cy) * zoom + v->pan_y;
}

int draw_packet_at(const Model *m, const View *v, double t, int x, int y)
{
    DrawRects d;
    draw_rects(v, &d);
    double reach = 18 * d.ui, best = reach * reach;
    int found = -1;
    for (size_t i = 0; i < m->n_hops; i++) {
        const ModelHop *h = &m->hops[i];
        double px, py, f = model_hop_frac(h, t);
        if (f < 0 || (h->lost && f >= h->lost_at) || !draw_packet_xy(m, v, h, t, &px, &py))
            continue;
        double dd = (px - x) * (px - x) + (py - y) * (py - y);
        if (dd <= best) {
            best = dd;
            found = (int)i;
        }
    }
    return found;
}

/* The point a fraction f along a hop's link. */
static void hop_point(const Model *m, const View *v, const ModelHop *h, double f, double *x,
                      double *y)
{
    double x0, y0, x1, y1;
    draw_node_xy(m, v, h->from, &x0, &y0);
    draw_node_xy(m, v, h->to, &x1, &y1);
    *x = x0 + (x1 - x0) * f;
    *y = y0 + (y1 - y0) * f;
}

bool draw_packet_xy(const Model *m, const View *v, const ModelHop *h, double t, double *x,
                    double *y)
{
    double f = model_hop_frac(h, t);
    if (f < 0)
        return false;
    hop_point(m, v, h, f, x, y);
    return true;
}

/* ---- the network ------------------------------------------------------- */

/* busy: the links with a packet on them, drawn wider in its colour. */
static void draw_links(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, double ui, const char **busy)
{
    for (size_t l = 0; l < m->world->n_links; l++) {
        const Link *k = &m->world->links[l];
        double x0, y0, x1, y1;
        draw_node_xy(m, v, k->a, &x0, &y0);
        draw_node_xy(m, v, k->b, &x1, &y1);
        bool down = model_link_down(m, (int)l, p->step, p->t);
        if (busy[l] && !down)
            draw_thick_line(r, x0, y0, x1, y1, 7 * ui,
                            mix(th->bg, draw_proto_color(busy[l]), 0.35));
        draw_thick_line(r, x0, y0, x1, y1, 3 * ui, down ? th->link_down : th->link);
        if (down) {
            double mx = (x0 + x1) / 2, my = (y0 + y1) / 2, s = 9 * ui;
            draw_thick_line(r, mx - s, my - s, mx + s, my + s, 4 * ui, th->link_down);
            draw_thick_line(r, mx - s, my + s, mx + s, my - s, 4 * ui, th->link_down);
        }
    }
}

/* The links with a packet on them at the cursor: the protocol of one of
 * the packets, per link (NULL for a quiet link).  A new array. */
static const char **busy_links(const Model *m, const Player *p)
{
    size_t lo, hi, nl = m->world->n_links;
    model_hops_near(m, p->t, &lo, &hi);
    const char **busy = xcalloc(nl + 1, sizeof *busy);
    for (size_t i = lo; i < hi; i++) {
        const ModelHop *h = &m->hops[i];
        if (h->link >= 0 && (size_t)h->link < nl && model_hop_frac(h, p->t) >= 0)
            busy[h->link] = h->proto;
    }
    return busy;
}

static void draw_icon(SDL_Renderer *r, ModelKind k, double x, double y, double R, SDL_Color c,
                      SDL_Color detail)
{
    switch (k) {
    case MK_HOST: /* a laptop: screen and keyboard */
        fill_box(r, x - 0.85 * R, y - 0.8 * R, 1.7 * R, 1.15 * R, 0.15 * R, c);
        fill_rect(r, x - 0.65 * R, y - 0.62 * R, 1.3 * R, 0.12 * R, detail);
        {
            double base[8] = {x - 0.85 * R, y + 0.45 * R, x + 0.85 * R, y + 0.45 * R,
                              x + 1.1 * R,  y + 0.75 * R, x - 1.1 * R,  y + 0.75 * R};
            draw_fill_poly(r, base, 4, c);
        }
        break;
    case MK_ROUTER: /* a disc with four arrows */
        fill_circle(r, x, y, R, c);
        for (int i = 0; i < 4; i++) {
            double a = DRAW_PI / 4 + i * DRAW_PI / 2, ca = cos(a), sa = sin(a);
            draw_thick_line(r, x + 0.35 * R * ca, y + 0.35 * R * sa, x + 0.78 * R * ca,
                            y + 0.78 * R * sa, 0.16 * R, detail);
        }
        break;
    case MK_RESOLVER: /* a box with a cache drawer */
        fill_box(r, x - R, y - 0.8 * R, 2 * R, 1.6 * R, 0.3 * R, c);
        fill_rect(r, x - 0.6 * R, y + 0.35 * R, 1.2 * R, 0.14 * R, detail);
        fill_rect(r, x - 0.6 * R, y - 0.5 * R, 1.2 * R, 0.14 * R, detail);
        break;
    case MK_MAIL: /* an envelope: its flap folded down */
        fill_box(r, x - R, y - 0.7 * R, 2 * R, 1.4 * R, 0.12 * R, c);
        draw_thick_line(r, x - 0.85 * R, y - 0.55 * R, x, y + 0.1 * R, 0.14 * R, detail);
        draw_thick_line(r, x, y + 0.1 * R, x + 0.85 * R, y - 0.55 * R, 0.14 * R, detail);
        break;
    default: /* a name server: a tower with slots */
        fill_box(r, x - 0.7 * R, y - R, 1.4 * R, 2 * R, 0.2 * R, c);
        for (int i = 0; i < 3; i++)
            fill_rect(r, x - 0.45 * R, y - 0.75 * R + i * 0.22 * R, 0.9 * R, 0.1 * R, detail);
        fill_circle(r, x, y + 0.6 * R, 0.13 * R, detail);
        break;
    }
}

#define CROWDED_NODES   400
#define CROWDED_PACKETS 300

/* ---- the map's still layer ------------------------------------------------ */

/* An envelope drawn once per colour, fill and size, then copied. */
typedef struct Sprite {
    SDL_Color c, bg;
    bool filled;
    double s;
    SDL_Texture *tex;
    int w, h;
} Sprite;

#define SPRITES_MAX 32

struct DrawCache {
    SDL_Renderer *r;
    SDL_Texture *tex;
    int w, h;
    uint64_t key;
    Sprite sprite[SPRITES_MAX];
    int n_sprites;
};

DrawCache *draw_cache_new(void)
{
    return xcalloc(1, sizeof(DrawCache));
}

void draw_cache_reset(DrawCache *c)
{
    if (!c)
        return;
    if (c->tex)
        SDL_DestroyTexture(c->tex);
    for (int i = 0; i < c->n_sprites; i++)
        SDL_DestroyTexture(c->sprite[i].tex);
    c->n_sprites = 0;
    c->tex = NULL;
    c->key = 0;
}

void draw_cache_free(DrawCache *c)
{
    draw_cache_reset(c);
    free(c);
}

static uint64_t mix_key(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* Everything the still layer depends on. */
static uint64_t still_key(const Model *m, const Player *p, const View *v, const double *xs,
                          const double *ys, const char **busy)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = mix_key(h, &m, sizeof m);
    h = mix_key(h, &v->w, sizeof v->w);
    h = mix_key(h, &v->h, sizeof v->h);
    h = mix_key(h, &v->dark, sizeof v->dark);
    h = mix_key(h, &v->mark_node, sizeof v->mark_node);
    size_t n = m->world->n_nodes;
    h = mix_key(h, xs, n * sizeof *xs);
    h = mix_key(h, ys, n * sizeof *ys);
    h = mix_key(h, busy, m->world->n_links * sizeof *busy); /* static strings */
    for (size_t i = 0; i < m->n_status; i++) {
        const ModelStatus *s = &m->status[i];
        bool down = s->is_link ? model_link_down(m, s->index, p->step, p->t)
                               : model_node_down(m, s->index, p->step, p->t);
        h = mix_key(h, &down, sizeof down);
    }
    return h;
}

static void draw_icons(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, const DrawRects *d, const double *xs, const double *ys);
static void draw_links(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, double ui, const char **busy);

/* Copies the links and icons from the cache, drawing them there first if
 * the view changed; false if there is no cache (or the renderer cannot
 * draw into a texture): then the caller draws them itself. */
static bool static_from_cache(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                              const DrawTheme *th, const DrawRects *d, const double *xs,
                              const double *ys, const char **busy)
{
    DrawCache *c = v->cache;
    if (!c || !SDL_RenderTargetSupported(r))
        return false;
    if (c->r != r || c->w != v->w || c->h != v->h) {
        draw_cache_reset(c);
        c->r = r;
        c->w = v->w;
        c->h = v->h;
    }
    if (!c->tex) {
        c->tex =
            SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, v->w, v->h);
        if (!c->tex)
            return false;
        c->key = 0;
    }
    uint64_t key = still_key(m, p, v, xs, ys, busy);
    if (key != c->key) {
        SDL_Texture *old = SDL_GetRenderTarget(r);
        if (SDL_SetRenderTarget(r, c->tex) != 0)
            return false;
        SDL_RenderSetClipRect(r, &d->net);
        fill_rect(r, d->net.x, d->net.y, d->net.w, d->net.h, th->bg);
        draw_links(r, m, p, v, th, d->ui, busy);
        draw_icons(r, m, p, v, th, d, xs, ys);
        SDL_SetRenderTarget(r, old);
        SDL_RenderSetClipRect(r, &d->net);
        c->key = key;
    }
    SDL_RenderCopy(r, c->tex, &d->net, &d->net);
    return true;
}

/* ---- labels that never overlap ---------------------------------------- */

/* Rectangles already taken on the map this frame: icons, then node labels,
 * then packet labels.  A label takes the first free place of a short list;
 * O(labels × taken) a frame, a few thousand tests for a classroom map. */
/* The boxes are kept by the cells of a 64-pixel grid over the map that
 * they touch, so a test looks only at its neighbours: O(1) a test for
 * evenly spread labels. */
#define TAKEN_CELL 64.0

typedef struct TakenCell {
    int *box;
    size_t n, cap;
} TakenCell;

typedef struct Taken {
    DrawBox *b;
    size_t n, cap;
    SDL_Rect area;
    int cols, rows;
    TakenCell *cell;
    unsigned *seen; /* per box: the test that last looked at it */
    size_t seen_cap;
    unsigned test;
} Taken;

static void taken_init(Taken *t, const SDL_Rect *area)
{
    memset(t, 0, sizeof *t);
    t->area = *area;
    t->cols = (int)(area->w / TAKEN_CELL) + 1;
    t->rows = (int)(area->h / TAKEN_CELL) + 1;
    t->cell = xcalloc((size_t)t->cols * (size_t)t->rows, sizeof *t->cell);
}

static void taken_fini(Taken *t)
{
    for (int i = 0; i < t->cols * t->rows; i++)
        free(t->cell[i].box);
    free(t->cell);
    free(t->b);
    free(t->seen);
}

/* The cells box b touches, clamped to the grid. */
static void taken_span(const Taken *t, DrawBox b, int *c0, int *c1, int *r0, int *r1)
{
    *c0 = (int)floor((b.x - t->area.x) / TAKEN_CELL);
    *c1 = (int)floor((b.x + b.w - t->area.x) / TAKEN_CELL);
    *r0 = (int)floor((b.y - t->area.y) / TAKEN_CELL);
    *r1 = (int)floor((b.y + b.h - t->area.y) / TAKEN_CELL);
    *c0 = *c0 < 0 ? 0 : *c0 >= t->cols ? t->cols - 1 : *c0;
    *c1 = *c1 < 0 ? 0 : *c1 >= t->cols ? t->cols - 1 : *c1;
    *r0 = *r0 < 0 ? 0 : *r0 >= t->rows ? t->rows - 1 : *r0;
    *r1 = *r1 < 0 ? 0 : *r1 >= t->rows ? t->rows - 1 : *r1;
}

/* The boxes taken that b overlaps, at most max of them into hit (NULL:
 * only counted); returns how many were found, at most max. */
static size_t taken_overlaps(Taken *t, DrawBox b, int *hit, size_t max)
{
    int c0, c1, r0, r1;
    taken_span(t, b, &c0, &c1, &r0, &r1);
    t->test++;
    size_t n = 0;
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
            const TakenCell *cell = &t->cell[r * t->cols + c];
            for (size_t k = 0; k < cell->n; k++) {
                int i = cell->box[k];
                if (t->seen[i] == t->test)
                    continue;
                t->seen[i] = t->test;
                const DrawBox *o = &t->b[i];
                if (!(b.x < o->x + o->w && o->x < b.x + b.w && b.y < o->y + o->h &&
                      o->y < b.y + b.h))
                    continue;
                if (hit)
                    hit[n] = i;
                if (++n == max)
                    return n;
            }
        }
    return n;
}

static bool taken_hits(Taken *t, DrawBox b)
{
    return taken_overlaps(t, b, NULL, 1) > 0;
}

static void taken_add(Taken *t, DrawBox b)
{
    t->b = xgrow(t->b, &t->cap, t->n + 1, sizeof *t->b);
    if (t->seen_cap < t->cap) {
        t->seen = xrealloc(t->seen, t->cap * sizeof *t->seen);
        memset(t->seen + t->seen_cap, 0, (t->cap - t->seen_cap) * sizeof *t->seen);
        t->seen_cap = t->cap;
    }
    int i = (int)t->n;
    t->b[t->n++] = b;
    int c0, c1, r0, r1;
    taken_span(t, b, &c0, &c1, &r0, &r1);
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
            TakenCell *cell = &t->cell[r * t->cols + c];
            cell->box = xgrow(cell->box, &cell->cap, cell->n + 1, sizeof *cell->box);
            cell->box[cell->n++] = i;
        }
}

static bool inside(const SDL_Rect *r, DrawBox b)
{
    return b.x >= r->x && b.y >= r->y && b.x + b.w <= r->x + r->w && b.y + b.h <= r->y + r->h;
}

/* Box b moved the least that puts it inside the map, where it fits: a
 * label by the map's edge slides along it, as a name under an icon at
 * the left edge starts at the edge.  Where that covers the icon, the
 * icon's box refuses the place. */
static DrawBox into_map(const SDL_Rect *r, DrawBox b)
{
    if (b.w <= r->w) {
        if (b.x < r->x)
            b.x = r->x;
        else if (b.x + b.w > r->x + r->w)
            b.x = r->x + r->w - b.w;
    }
    if (b.h <= r->h) {
        if (b.y < r->y)
            b.y = r->y;
        else if (b.y + b.h > r->y + r->h)
            b.y = r->y + r->h - b.h;
    }
    return b;
}

/* The first of the candidate places (boxes of size w×h), moved inside the
 * map, that is free; false if none is. */
static bool first_free(Taken *t, const SDL_Rect *net, const DrawBox *cand, size_t n, DrawBox *out)
{
    for (size_t i = 0; i < n; i++) {
        DrawBox b = into_map(net, cand[i]);
        if (inside(net, b) && !taken_hits(t, b)) {
            *out = b;
            return true;
        }
    }
    return false;
}

/* A node's label: under its icon; else above it, either nudged a third of
 * its width aside, right of it, left of it, at its four corners, a line
 * lower, a line higher.  Where none of these is free the address
 * goes (the name alone, same places), and where the name alone fits
 * nowhere the label goes: the inspector and the chart name the node. */
static size_t label_places(double x, double y, double R, double w, double h, double line,
                           DrawBox *c)
{
    size_t n = 0;
    c[n++] = (DrawBox){x - w / 2, y + 1.05 * R, w, h};
    c[n++] = (DrawBox){x - w / 2, y - 1.05 * R - h, w, h};
    for (int side = -1; side <= 1; side += 2) { /* nudged a third of its width */
        c[n++] = (DrawBox){x - w / 2 + side * w / 3, y + 1.05 * R, w, h};
        c[n++] = (DrawBox){x - w / 2 + side * w / 3, y - 1.05 * R - h, w, h};
    }
    c[n++] = (DrawBox){x + 1.15 * R, y - h / 2, w, h};
    c[n++] = (DrawBox){x - 1.15 * R - w, y - h / 2, w, h};
    c[n++] = (DrawBox){x + 0.8 * R, y + 0.8 * R, w, h};
    c[n++] = (DrawBox){x - 0.8 * R - w, y + 0.8 * R, w, h};
    c[n++] = (DrawBox){x + 0.8 * R, y - 0.8 * R - h, w, h};
    c[n++] = (DrawBox){x - 0.8 * R - w, y - 0.8 * R - h, w, h};
    c[n++] = (DrawBox){x - w / 2, y + 1.05 * R + line, w, h};
    c[n++] = (DrawBox){x - w / 2, y - 1.05 * R - h - line, w, h};
    return n;
}

/* The icons' size: 20 × ui, or less when the map is narrow (the chart
 * beside it) so that no two icons touch: an icon is at most 2.2 R wide and
 * 2 R tall, so two nodes dx, dy apart keep clear with R under
 * max(dx / 2.2, dy / 2), less a gap.  Never under a fifth of the full
 * size (two nodes laid out on one spot).  O(nodes²). */
static double icon_size(const Model *m, const DrawRects *d, const double *xs, const double *ys)
{
    double R = 20 * fmax(1, d->ui), least = 4 * d->ui;
    size_t n = m->world->n_nodes;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double fit = fmax(fabs(xs[i] - xs[j]) / 2.2, fabs(ys[i] - ys[j]) / 2) - 2;
            if (fit < R)
                R = fmax(least, fit);
        }
    return R;
}

/* The rectangle an icon covers (draw_icon's shapes). */
static DrawBox icon_box(ModelKind k, double x, double y, double R)
{
    switch (k) {
    case MK_HOST:
        return (DrawBox){x - 1.1 * R, y - 0.8 * R, 2.2 * R, 1.55 * R};
    case MK_ROUTER:
        return (DrawBox){x - R, y - R, 2 * R, 2 * R};
    case MK_RESOLVER:
        return (DrawBox){x - R, y - 0.8 * R, 2 * R, 1.6 * R};
    case MK_MAIL:
        return (DrawBox){x - R, y - 0.7 * R, 2 * R, 1.4 * R};
    default:
        return (DrawBox){x - 0.7 * R, y - R, 1.4 * R, 2 * R};
    }
}

static void draw_icons(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, const DrawRects *d, const double *xs, const double *ys)
{
    double R = d->icon_r;
    size_t n = m->world->n_nodes;
    for (size_t i = 0; i < n; i++) {
        bool down = model_node_down(m, (int)i, p->step, p->t);
        SDL_Color c = down ? th->down : draw_kind_color(m->kind[i]);
        if (v->mark_node == (int)i + 1) /* the node in the inspector */
            fill_circle(r, xs[i], ys[i], 1.55 * R, th->select_bg);
        draw_icon(r, m->kind[i], xs[i], ys[i], R, c, mix(c, (SDL_Color){255, 255, 255, 255}, 0.6));
    }
}

/* The icons' rectangles: taken before any label is placed. */
static void take_icons(Text *txt, const Model *m, const DrawRects *d, Taken *taken,
                       const double *xs, const double *ys)
{
    double R = d->icon_r;
    for (size_t i = 0; i < m->world->n_nodes; i++) {
        DrawBox icon = icon_box(m->kind[i], xs[i], ys[i], R);
        taken_add(taken, icon);
        /* Its edges rounded, not its corner and size apart: a label
         * that touches it stays clear of it in whole pixels too. */
        int x0 = (int)lround(icon.x), y0 = (int)lround(icon.y);
        text_log(txt, "node", m->world->nodes[i].id,
                 (SDL_Rect){x0, y0, (int)lround(icon.x + icon.w) - x0,
                            (int)lround(icon.y + icon.h) - y0},
                 0);
    }
}

/* Where a node's label goes, and what it holds. */
typedef struct LabelAt {
    char line[48]; /* the address line: "10.0.0.1 +2" */
    bool down;     /* DOWN under the name */
    DrawBox at;
    int box;                           /* its box in Taken, -1 if it has no place */
    bool with_ip;                      /* the address under the name */
    double w_ip, w_name, h_ip, h_name; /* its box with the address, and without */
} LabelAt;

/* The first free place of label l: with its address, else its name alone.
 * False if neither fits anywhere. */
static bool label_first_free(Taken *t, const DrawRects *d, double x, double y, double line,
                             LabelAt *l)
{
    DrawBox cand[14];
    size_t k = label_places(x, y, d->icon_r, l->w_ip, l->h_ip, line, cand);
    if (first_free(t, &d->net, cand, k, &l->at)) {
        l->with_ip = true;
        return true;
    }
    k = label_places(x, y, d->icon_r, l->w_name, l->h_name, line, cand);
    l->with_ip = false;
    return first_free(t, &d->net, cand, k, &l->at);
}

/* The one label box among the taken ones that covers b, or -1 if none or
 * more than one does (or an icon or a packet's label does). */
static int sole_label_in_way(Taken *t, DrawBox b, const LabelAt *lab, size_t n)
{
    int hit[2];
    if (taken_overlaps(t, b, hit, 2) != 1)
        return -1;
    for (size_t j = 0; j < n; j++)
        if (lab[j].box == hit[0])
            return (int)j;
    return -1;
}

/* Takes box i out of the way: nothing overlaps it any more. */
static void taken_drop(Taken *t, int i)
{
    t->b[i] = (DrawBox){-1e9, -1e9, 0, 0};
}

/* A node whose label found no free place: a place that only one other
 * label is in the way of, where that label can go elsewhere.  That one
 * moves (with its address if there is room, else with its name alone:
 * a name shown matters more than an address) and this one takes the
 * place.  One move, not a search. */
static bool label_make_room(Taken *t, const DrawRects *d, const double *xs, const double *ys,
                            double line, LabelAt *lab, size_t n, size_t i)
{
    for (int with_ip = 1; with_ip >= 0; with_ip--) {
        DrawBox cand[14];
        double w = with_ip ? lab[i].w_ip : lab[i].w_name, h = with_ip ? lab[i].h_ip : lab[i].h_name;
        /* Not the places a line off, which read as another icon's. */
        size_t k = label_places(xs[i], ys[i], d->icon_r, w, h, line, cand) - 2;
        for (size_t c = 0; c < k; c++) {
            cand[c] = into_map(&d->net, cand[c]);
            if (!inside(&d->net, cand[c]))
                continue;
            int j = sole_label_in_way(t, cand[c], lab, n);
            if (j < 0)
                continue;
            LabelAt moved = lab[j];
            DrawBox was = t->b[moved.box];
            taken_drop(t, moved.box);
            int mine = (int)t->n;
            taken_add(t, cand[c]);
            if (label_first_free(t, d, xs[j], ys[j], line, &moved)) {
                moved.box = (int)t->n;
                taken_add(t, moved.at);
                lab[j] = moved;
                lab[i].at = cand[c];
                lab[i].box = mine;
                lab[i].with_ip = with_ip;
                return true;
            }
            taken_drop(t, mine);
            t->b[lab[j].box] = was;
        }
    }
    return false;
}

/* The names and addresses, after the icons, envelopes and packet labels
 * have taken their places: a label moves aside for a packet's.  Every
 * label is placed first (in label order, each at its first free place),
 * then one that found none may make room by moving another; then they
 * are drawn. */
static void draw_node_labels(SDL_Renderer *r, Text *txt, const Model *m, const Player *p,
                             const View *v, const DrawTheme *th, const DrawRects *d, Taken *taken,
                             const double *xs, const double *ys)
{
    /* Names on the network grow more slowly than panel text: the
     * network's area shrinks as the panels widen.  Never under 16 px. */
    double ui = d->ui, R = d->icon_r, ts = ui * sqrt(v->text_scale > 0 ? v->text_scale : 1);
    int name_px = (int)fmax(DRAW_TEXT_MIN, lround(15 * ts));
    int ip_px = (int)fmax(DRAW_TEXT_MIN, lround(13 * ts));
    size_t n = m->world->n_nodes;
    double name_h = name_px * 1.25, ip_h = ip_px * 1.2, pad = 3 * ui;
    /* Level of detail: past this many nodes on screen, names and addresses
     * overlap into noise (and cost most of a frame); the inspector shows them. */
    if (n > CROWDED_NODES) {
        for (size_t i = 0; i < n; i++)
            if (model_node_down(m, (int)i, p->step, p->t))
                text_draw(txt, FACE_BOLD, name_px, th->link_down, "DOWN", (int)xs[i],
                          (int)(ys[i] + 1.05 * R), 1);
        return;
    }
    LabelAt *lab = xcalloc(n ? n : 1, sizeof *lab);
    for (size_t i = 0; i < n; i++) {
        const Node *nd = &m->world->nodes[i];
        LabelAt *l = &lab[i];
        l->down = model_node_down(m, (int)i, p->step, p->t);
        char ip[16];
        ip_format(nd->n_ips ? nd->ips[0] : 0, ip);
        if (nd->n_ips > 1)
            snprintf(l->line, sizeof l->line, "%s +%zu", ip, nd->n_ips - 1);
        else
            snprintf(l->line, sizeof l->line, "%s", ip);
        /* Sizes from the text cache: the textures are drawn just after. */
        int nw, iw, dw = 0, hh;
        text_get(txt, FACE_BOLD, name_px, l->down ? th->faint : th->ink, 0, nd->id, &nw, &hh);
        text_get(txt, FACE_SANS, ip_px, th->faint, 0, l->line, &iw, &hh);
        if (l->down)
            text_get(txt, FACE_BOLD, name_px, th->link_down, 0, "DOWN", &dw, &hh);
        double extra = l->down ? name_h : 0; /* DOWN under the name */
        l->w_ip = fmax(fmax(nw, iw), dw) + 2 * pad;
        l->w_name = fmax(nw, dw) + 2 * pad;
        l->h_ip = name_h + ip_h + extra;
        l->h_name = name_h + extra;
        l->box = -1;
    }
    for (size_t o = 0; o < n; o++) {
        size_t i = (size_t)m->label_order[o];
        if (label_first_free(taken, d, xs[i], ys[i], name_h, &lab[i])) {
            lab[i].box = (int)taken->n;
            taken_add(taken, lab[i].at);
        }
    }
    for (size_t o = 0; o < n; o++) {
        size_t i = (size_t)m->label_order[o];
        if (lab[i].box < 0)
            label_make_room(taken, d, xs, ys, name_h, lab, n, i);
    }
    SDL_Color halo = th->bg;
    halo.a = 210;
    for (size_t o = 0; o < n; o++) {
        size_t i = (size_t)m->label_order[o];
        const LabelAt *l = &lab[i];
        if (l->box < 0)
            continue; /* the inspector and the chart name it */
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        fill_rect(r, l->at.x, l->at.y, l->at.w, l->at.h, halo);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        int cx = (int)lround(l->at.x + l->at.w / 2), ty = (int)lround(l->at.y);
        const char *id = m->world->nodes[i].id;
        txt->log_kind = "node-label";
        txt->log_id = id;
        text_draw(txt, FACE_BOLD, name_px, l->down ? th->faint : th->ink, id, cx, ty, 1);
        ty += (int)name_h;
        if (l->with_ip) {
            text_draw(txt, FACE_SANS, ip_px, th->faint, l->line, cx, ty, 1);
            ty += (int)ip_h;
        }
        if (l->down)
            text_draw(txt, FACE_BOLD, name_px, th->link_down, "DOWN", cx, ty, 1);
        txt->log_kind = txt->log_id = NULL;
    }
    free(lab);
}

static void envelope(SDL_Renderer *r, double x, double y, double s, SDL_Color c, bool filled,
                     SDL_Color bg)
{
    double w = 28 * s, h = 19 * s, b = 2.6 * s;
    fill_rect(r, x - w / 2, y - h / 2, w, h, c);
    SDL_Color inner = filled ? c : mix(bg, c, 0.12);
    fill_rect(r, x - w / 2 + b, y - h / 2 + b, w - 2 * b, h - 2 * b, inner);
    SDL_Color flap = filled ? (SDL_Color){255, 255, 255, 255} : c;
    draw_thick_line(r, x - w / 2 + b, y - h / 2 + b, x, y + h * 0.12, 1.8 * s, flap);
    draw_thick_line(r, x + w / 2 - b, y - h / 2 + b, x, y + h * 0.12, 1.8 * s, flap);
}

/* Farther out: rings of eight places around (x, y), a label's height
 * apart, up to four rings. */
static bool label_ring(Taken *t, const SDL_Rect *net, double x, double y, double bw, double bh,
                       double gap, DrawBox *out)
{
    for (int ring = 1; ring <= 4; ring++) {
        double dy = gap + ring * bh, dx = 16 + ring * bh;
        DrawBox c[8] = {
            {x - bw / 2, y - dy - bh, bw, bh}, {x - bw / 2, y + dy, bw, bh},
            {x + dx, y - bh / 2, bw, bh},      {x - dx - bw, y - bh / 2, bw, bh},
            {x + dx, y - dy - bh, bw, bh},     {x - dx - bw, y - dy - bh, bw, bh},
            {x + dx, y + dy, bw, bh},          {x - dx - bw, y + dy, bw, bh},
        };
        if (first_free(t, net, c, 8, out))
            return true;
    }
    return false;
}

/* A packet's label (or a loss's): above the envelope at (x, y); else under
 * it, right of it, left of it, at its corners, or on rings farther out.  Where none is free the
 * label goes and the envelope stays (K or a click names it). */
static bool same_color(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

/* An envelope from the cache's sprites (drawn there on first use); false
 * if there is no cache to draw from. */
static bool envelope_sprite(SDL_Renderer *r, DrawCache *dc, double x, double y, double s,
                            SDL_Color c, bool filled, SDL_Color bg)
{
    if (!dc || dc->r != r || !SDL_RenderTargetSupported(r))
        return false;
    Sprite *sp = NULL;
    for (int i = 0; i < dc->n_sprites && !sp; i++)
        if (same_color(dc->sprite[i].c, c) && same_color(dc->sprite[i].bg, bg) &&
            dc->sprite[i].filled == filled && dc->sprite[i].s == s)
            sp = &dc->sprite[i];
    if (!sp) {
        if (dc->n_sprites == SPRITES_MAX)
            return false;
        int w = (int)ceil(28 * s) + 2, h = (int)ceil(19 * s) + 2;
        SDL_Texture *tex =
            SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
        if (!tex)
            return false;
        SDL_Texture *old = SDL_GetRenderTarget(r);
        SDL_Rect clip;
        SDL_RenderGetClipRect(r, &clip);
        bool clipped = SDL_RenderIsClipEnabled(r);
        if (SDL_SetRenderTarget(r, tex) != 0) {
            SDL_DestroyTexture(tex);
            return false;
        }
        SDL_RenderSetClipRect(r, NULL);
        fill_rect(r, 0, 0, w, h, bg);
        envelope(r, w / 2.0, h / 2.0, s, c, filled, bg);
        SDL_SetRenderTarget(r, old);
        SDL_RenderSetClipRect(r, clipped ? &clip : NULL);
        sp = &dc->sprite[dc->n_sprites++];
        *sp = (Sprite){c, bg, filled, s, tex, w, h};
    }
    SDL_Rect dst = {(int)lround(x - sp->w / 2.0), (int)lround(y - sp->h / 2.0), sp->w, sp->h};
    /* The sprite's one-pixel margin is background: only the envelope shows. */
    SDL_Rect src = {1, 1, sp->w - 2, sp->h - 2};
    dst.x += 1, dst.y += 1, dst.w -= 2, dst.h -= 2;
    SDL_RenderCopy(r, sp->tex, &src, &dst);
    return true;
}

static void label_box(SDL_Renderer *r, Text *txt, const char *s, double x, double y, int px,
                      SDL_Color ink, SDL_Color bg, const DrawRects *d, Taken *taken, const char *id)
{
    int w, h;
    SDL_Texture *tex = text_get(txt, FACE_BOLD, px, ink, 0, s, &w, &h);
    if (!tex)
        return;
    double ui = d->ui, pad = 4 * ui, bw = w + 2 * pad, bh = h + pad, gap = 13 * ui;
    DrawBox cand[] = {
        {x - bw / 2, y - gap - bh, bw, bh},  {x - bw / 2, y + gap, bw, bh},
        {x + 16 * ui, y - bh / 2, bw, bh},   {x - 16 * ui - bw, y - bh / 2, bw, bh},
        {x + 10 * ui, y - gap - bh, bw, bh}, {x - 10 * ui - bw, y - gap - bh, bw, bh},
        {x + 10 * ui, y + gap, bw, bh},      {x - 10 * ui - bw, y + gap, bw, bh},
    };
    DrawBox at;
    if (!first_free(taken, &d->net, cand, MN_ARRAY_LEN(cand), &at) &&
        !label_ring(taken, &d->net, x, y, bw, bh, gap, &at))
        return;
    taken_add(taken, at);
    SDL_Color back = bg;
    back.a = 225;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    fill_rect(r, at.x, at.y, at.w, at.h, back); /* one rectangle: SDL's fast path */
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_Rect dst = {(int)lround(at.x + pad), (int)lround(at.y + pad / 2), w, h};
    SDL_RenderCopy(r, tex, NULL, &dst);
    text_log(txt, "packet-label", id, dst, px);
}

static void draw_cross(SDL_Renderer *r, double x, double y, double s, SDL_Color c)
{
    draw_thick_line(r, x - s, y - s, x + s, y + s, s * 0.45, c);
    draw_thick_line(r, x - s, y + s, x + s, y - s, s * 0.45, c);
}

static void draw_packets(SDL_Renderer *r, Text *txt, const Model *m, const Player *p, const View *v,
                         const DrawTheme *th, const DrawRects *d, Taken *taken)
{
    double ui = d->ui;
    int px =
        (int)fmax(DRAW_LABEL_MIN, lround(14 * ui * sqrt(v->text_scale > 0 ? v->text_scale : 1)));
    /* Level of detail, as for nodes: with this many envelopes on screen the
     * labels only hide each other, so the envelopes go without them. */
    size_t flying = 0, lo, hi;
    model_hops_near(m, p->t, &lo, &hi);
    for (size_t i = lo; i < hi && flying <= CROWDED_PACKETS; i++)
        flying += model_hop_frac(&m->hops[i], p->t) >= 0;
    bool crowded = flying > CROWDED_PACKETS;
    /* Every envelope first, then the labels around them: no label goes
     * where an envelope is. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = lo; i < hi; i++) {
            const ModelHop *h = &m->hops[i];
            double f = model_hop_frac(h, p->t), x, y;
            if (f < 0 || (h->lost && f >= h->lost_at && p->step >= h->lost_step))
                continue;
            /* Lost at this very moment, but its caption is the next step's:
             * it waits where it is lost. */
            hop_point(m, v, h, h->lost && f >= h->lost_at ? h->lost_at : f, &x, &y);
            SDL_Color c = draw_proto_color(h->proto);
            if (pass == 1) {
                if (!crowded) {
                    char id[32];
                    snprintf(id, sizeof id, "hop %zu", i + 1);
                    label_box(r, txt, h->label, x, y, px, c, th->bg, d, taken, id);
                }
                continue;
            }
            if (v->mark_hop == (int)i + 1) /* the packet in the inspector */
                fill_circle(r, x, y, 22 * ui, th->select_bg);
            if (!envelope_sprite(r, v->cache, x, y, ui, c, h->response, th->bg))
                envelope(r, x, y, ui, c, h->response, th->bg);
            taken_add(taken, (DrawBox){x - 14 * ui, y - 9.5 * ui, 28 * ui, 19 * ui});
        }
    /* Lost packets: a red cross where they were lost, for the rest of the
     * step that lost them and the next. */
    uint32_t now = p->step;
    for (size_t i = 0; i < m->n_drops; i++) {
        const ModelDrop *dr = &m->drops[i];
        if ((double)dr->time > p->t || dr->step > now || dr->step + 1 < now)
            continue;
        double x, y;
        if (dr->hop >= 0) {
            hop_point(m, v, &m->hops[dr->hop], m->hops[dr->hop].lost_at, &x, &y);
        } else if (dr->node >= 0) {
            draw_node_xy(m, v, dr->node, &x, &y);
        } else {
            continue;
        }
        draw_cross(r, x, y, 11 * ui, th->link_down);
        /* Beside the cross, not above it, where a name or an address may be. */
        char s[96];
        int w, h;
        snprintf(s, sizeof s, "lost: %s", trace_drop_text(dr->reason));
        text_size(txt, FACE_BOLD, px, s, &w, &h);
        char id[32];
        snprintf(id, sizeof id, "drop %zu", i + 1);
        label_box(r, txt, s, x + 16 * ui + w / 2.0 + 4 * ui, y + 13 * ui + h / 2.0, px,
                  th->link_down, th->bg, d, taken, id);
    }
}

/* ---- header, timeline, caption ----------------------------------------- */

static void draw_header(SDL_Renderer *r, Text *txt, const Model *m, const Player *p,
                        const DrawRects *d, const DrawTheme *th)
{
    double ui = d->ui, hs = fmin(1.5, fmax(0.6, d->ts / ui)); /* as the header grows */
    fill_rect(r, d->header.x, d->header.y, d->header.w, d->header.h, th->header);
    int px = (int)fmax(DRAW_TEXT_MIN + 2, lround(18 * ui * hs));
    int y = d->header.y + (int)((d->header.h - px * 1.2) / 2);
    char s[128], speed[32];
    if (p->speed >= 1)
        snprintf(speed, sizeof speed, "%g×", p->speed);
    else
        snprintf(speed, sizeof speed, "%.3g×", p->speed);
    snprintf(s, sizeof s, "%s   %s   speed %s   t = %.6f s",
             p->mode == PLAYER_PAUSED    ? "❚❚ paused"
             : p->mode == PLAYER_PLAYING ? "▶ playing"
                                         : "▶ stepping",
             p->pace_hops ? "hop pace" : "reading pace", speed, p->t / 1e6);
    int status = text_draw(txt, FACE_SANS, (int)fmax(DRAW_TEXT_MIN, lround(15 * ui * hs)),
                           th->faint, s, d->header.w - (int)(16 * ui), y + (int)(2 * ui), 2);
    /* The title in what the status leaves, cut after a word with "…". */
    int x = (int)(16 * ui), room = d->header.w - (int)(16 * ui) - status - (int)(24 * ui) - x;
    size_t size = strlen(m->world->title) + sizeof "…";
    char *title = xmalloc(size);
    text_draw(txt, FACE_BOLD, px, th->ink,
              text_fit(txt, FACE_BOLD, px, m->world->title, room, title, size), x, y, 0);
    free(title);
}

static void draw_timeline(SDL_Renderer *r, const Model *m, const Player *p, const DrawRects *d,
                          const DrawTheme *th)
{
    double ui = d->ui, x0 = 24 * ui, x1 = d->timeline.w - 24 * ui;
    double mid = d->timeline.y + d->timeline.h / 2.0;
    fill_rect(r, d->timeline.x, d->timeline.y, d->timeline.w, d->timeline.h, th->bg);
    draw_thick_line(r, x0, mid, x1, mid, 4 * ui, th->link);
    size_t n = m->n_steps;
    if (n == 0)
        return;
    double pos = (p->step == 0 ? 0 : (p->step - 1 + player_step_progress(p))) / (double)n;
    double cx = x0 + (x1 - x0) * pos;
    SDL_Color done = draw_proto_color("DNS");
    draw_thick_line(r, x0, mid, cx, mid, 4 * ui, done);
    /* A mark per step while they stand at least 2 pixels apart; past that
     * (tens of thousands of steps) they would only paint the line. */
    for (size_t k = 0; k < n && (x1 - x0) / (double)n >= 2; k++) {
        double x = x0 + (x1 - x0) * (double)k / (double)n;
        bool cmd = k == 0 || m->steps[k].time != m->steps[k - 1].time;
        double hh = (cmd ? 8 : 5) * ui;
        fill_rect(r, x - ui, mid - hh, fmax(1, 2 * ui), 2 * hh, k < p->step ? done : th->faint);
    }
    fill_circle(r, cx, mid, 8 * ui, th->ink);
}

static void draw_caption(SDL_Renderer *r, Text *txt, const Model *m, const Player *p,
                         const DrawRects *d, const DrawTheme *th)
{
    double ui = d->ui;
    const SDL_Rect *c = &d->caption;
    fill_rect(r, c->x, c->y, c->w, c->h, th->caption_bg);
    int pad = (int)(20 * ui), small = (int)fmax(DRAW_TEXT_MIN, lround(16 * d->ts));
    char head[96];
    const char *body;
    if (p->step == 0) {
        snprintf(head, sizeof head, "%zu steps   → next step   Space play   ← back", m->n_steps);
        body = m->world->description ? m->world->description : m->world->title;
    } else {
        snprintf(head, sizeof head, "step %u of %zu", p->step, m->n_steps);
        body = m->steps[p->step - 1].text;
    }
    SDL_Color accent = {120, 180, 255, 255};
    text_draw(txt, FACE_BOLD, small, accent, head, pad, c->y + (int)(10 * ui), 0);
    /* As large as fits: a classroom reads it from the back row. */
    int top = c->y + (int)(10 * ui) + (int)(small * 1.4), room = c->y + c->h - top - (int)(8 * ui);
    int wrap = c->w - 2 * pad;
    /* The opening description, in at most half the window, may go down to
     * DRAW_OPENING_MIN to show whole. */
    int least = p->step == 0 ? DRAW_OPENING_MIN : DRAW_CAPTION_MIN;
    int most = (int)fmax(DRAW_CAPTION_MIN, lround(27 * d->ts));
    for (int px = most; px >= least; px -= 1) {
        int w, h;
        SDL_Texture *tex = text_get(txt, FACE_SANS, px, th->caption_ink, wrap, body, &w, &h);
        if (!tex)
            return;
        if (h <= room || px <= least) {
            SDL_Rect dst = {pad, top, w, h < room ? h : room};
            SDL_Rect src = {0, 0, w, dst.h};
            SDL_RenderCopy(r, tex, &src, &dst);
            text_log(txt, p->step == 0 ? "description" : "caption", "caption", dst, px);
            return;
        }
    }
}

/* Lines of s wrapped at wrap pixels, words kept whole where they fit. */
static int wrapped_lines(Text *txt, int px, const char *s, int wrap)
{
    int lines = 1, w, h;
    Buf line, next;
    buf_init(&line);
    buf_init(&next);
    buf_puts(&line, "");
    buf_puts(&next, "");
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, " ");
        bool had = line.len > 0;
        buf_clear(&next);
        buf_puts(&next, line.data);
        if (had)
            buf_putc(&next, ' ');
        buf_put(&next, p, n);
        text_size(txt, FACE_SANS, px, next.data, &w, &h);
        buf_clear(&line);
        if (w > wrap && had) {
            lines++;
            buf_put(&line, p, n);
        } else {
            buf_puts(&line, next.data);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    buf_fini(&line);
    buf_fini(&next);
    return lines;
}

int draw_caption_need(Text *txt, const Model *m, const View *v, bool opening)
{
    View probe = *v;
    probe.caption_h = 0;
    DrawRects d;
    draw_rects(&probe, &d);
    double ui = d.ui;
    int pad = (int)(20 * ui), small = (int)fmax(DRAW_TEXT_MIN, lround(16 * d.ts));
    int wrap = v->w - 2 * pad, text_h = 0;
    if (opening) {
        /* One text: measured as draw_caption wraps it. */
        const char *text = m->world->description ? m->world->description : m->world->title;
        int w;
        SDL_Color ink = (v->dark ? &dark : &light)->caption_ink;
        text_get(txt, FACE_SANS, DRAW_CAPTION_MIN, ink, wrap, text, &w, &text_h);
    } else {
        int lines = 1, w, line_h;
        for (size_t k = 0; k < m->n_steps; k++)
            lines = (int)fmax(lines, wrapped_lines(txt, DRAW_CAPTION_MIN, m->steps[k].text, wrap));
        text_size(txt, FACE_SANS, DRAW_CAPTION_MIN, "Ag", &w, &line_h);
        text_h = lines * line_h;
    }
    int need = (int)(10 * ui) + (int)(small * 1.4) + text_h + (int)(8 * ui) + 2;
    return (int)fmin(need, v->h / (opening ? 2.0 : 3.0));
}

void draw_frame(SDL_Renderer *r, Text *txt, const Model *m, const Player *p, const View *v)
{
    const DrawTheme *th = v->dark ? &dark : &light;
    DrawRects d;
    draw_rects(v, &d);
    SDL_RenderSetClipRect(r, NULL);
    set_color(r, th->bg);
    SDL_RenderClear(r);
    SDL_RenderSetClipRect(r, &d.net);
    Taken taken = {0};
    size_t n = m->world->n_nodes;
    double *xs = xmalloc((n ? n : 1) * sizeof *xs), *ys = xmalloc((n ? n : 1) * sizeof *ys);
    for (size_t i = 0; i < n; i++)
        draw_node_xy(m, v, (int)i, &xs[i], &ys[i]);
    d.icon_r = icon_size(m, &d, xs, ys);
    const char **busy = busy_links(m, p);
    if (!static_from_cache(r, m, p, v, th, &d, xs, ys, busy)) {
        draw_links(r, m, p, v, th, d.ui, busy);
        draw_icons(r, m, p, v, th, &d, xs, ys);
    }
    free(busy);
    taken_init(&taken, &d.net);
    take_icons(txt, m, &d, &taken, xs, ys);
    draw_packets(r, txt, m, p, v, th, &d, &taken);
    draw_node_labels(r, txt, m, p, v, th, &d, &taken, xs, ys);
    free(xs);
    free(ys);
    taken_fini(&taken);
    SDL_RenderSetClipRect(r, NULL);
    draw_header(r, txt, m, p, &d, th);
    draw_timeline(r, m, p, &d, th);
    draw_caption(r, txt, m, p, &d, th);
}
