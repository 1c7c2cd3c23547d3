#include "gui/draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

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
    };
    return (unsigned)k < MK_KIND_COUNT ? c[k] : c[0];
}

/* One row per protocol name (dissect_protocol's), in the order the event
 * list's filter offers them.  Okabe and Ito's colours first: told apart
 * by readers with any colour vision. */
static const DrawProto protos[] = {
    {"DNS", {0, 114, 178, 255}},      /* blue */
    {"ICMP", {213, 94, 0, 255}},      /* vermillion */
    {"TCP", {0, 158, 115, 255}},      /* bluish green */
    {"SMTP", {204, 121, 167, 255}},   /* reddish purple */
    {"POP", {86, 180, 233, 255}},     /* sky blue */
    {"IMAP", {40, 130, 190, 255}},    /* a deeper sky blue */
    {"FTP", {230, 159, 0, 255}},      /* orange */
    {"FTP-DATA", {170, 115, 0, 255}}, /* a darker orange */
    {"HTTP", {125, 85, 165, 255}},    /* violet */
};

const DrawProto *draw_protos(size_t *n)
{
    *n = MN_ARRAY_LEN(protos);
    return protos;
}

SDL_Color draw_proto_color(const char *proto)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(protos); i++)
        if (strcmp(proto, protos[i].name) == 0)
            return protos[i].color;
    return (SDL_Color){110, 110, 110, 255}; /* grey: UDP, IPv4, … */
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
static void fill_poly(SDL_Renderer *r, const double *xy, int n, SDL_Color c)
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

static void thick_line(SDL_Renderer *r, double x0, double y0, double x1, double y1, double w,
                       SDL_Color c)
{
    double dx = x1 - x0, dy = y1 - y0, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9)
        return;
    double nx = -dy / len * w / 2, ny = dx / len * w / 2;
    double q[8] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny};
    fill_poly(r, q, 4, c);
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
    fill_poly(r, xy, 8, c);
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
    /* The header grows with the text, up to half as tall again. */
    int header = (int)(40 * ui * fmin(1.5, fmax(1, scale))), timeline = (int)(34 * ui),
        caption = (int)(132 * ui);
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
    int left = v->inspector ? (int)fmin(v->w * 0.3, v->w * 0.25 * fmax(1, scale)) : 0;
    o->inspector = (SDL_Rect){0, top, left, left ? body : 0};
    int events_h = v->events ? (v->console ? body * 11 / 20 : body) : 0;
    o->events = (SDL_Rect){v->w - right, top, right, events_h};
    o->console = (SDL_Rect){v->w - right, top + events_h, right, v->console ? body - events_h : 0};
    o->net = (SDL_Rect){left, top, v->w - left - right, body};
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

static void draw_links(SDL_Renderer *r, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, double ui)
{
    /* A link with a packet on it is drawn wider, in the packet's colour. */
    const char **busy = xcalloc(m->world->n_links + 1, sizeof *busy);
    for (size_t i = 0; i < m->n_hops; i++)
        if (m->hops[i].link >= 0 && model_hop_frac(&m->hops[i], p->t) >= 0)
            busy[m->hops[i].link] = m->hops[i].proto;
    for (size_t l = 0; l < m->world->n_links; l++) {
        const Link *k = &m->world->links[l];
        double x0, y0, x1, y1;
        draw_node_xy(m, v, k->a, &x0, &y0);
        draw_node_xy(m, v, k->b, &x1, &y1);
        bool down = model_link_down(m, (int)l, p->step, p->t);
        if (busy[l] && !down)
            thick_line(r, x0, y0, x1, y1, 7 * ui, mix(th->bg, draw_proto_color(busy[l]), 0.35));
        thick_line(r, x0, y0, x1, y1, 3 * ui, down ? th->link_down : th->link);
        if (down) {
            double mx = (x0 + x1) / 2, my = (y0 + y1) / 2, s = 9 * ui;
            thick_line(r, mx - s, my - s, mx + s, my + s, 4 * ui, th->link_down);
            thick_line(r, mx - s, my + s, mx + s, my - s, 4 * ui, th->link_down);
        }
    }
    free(busy);
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
            fill_poly(r, base, 4, c);
        }
        break;
    case MK_ROUTER: /* a disc with four arrows */
        fill_circle(r, x, y, R, c);
        for (int i = 0; i < 4; i++) {
            double a = DRAW_PI / 4 + i * DRAW_PI / 2, ca = cos(a), sa = sin(a);
            thick_line(r, x + 0.35 * R * ca, y + 0.35 * R * sa, x + 0.78 * R * ca,
                       y + 0.78 * R * sa, 0.16 * R, detail);
        }
        break;
    case MK_RESOLVER: /* a box with a cache drawer */
        fill_box(r, x - R, y - 0.8 * R, 2 * R, 1.6 * R, 0.3 * R, c);
        fill_rect(r, x - 0.6 * R, y + 0.35 * R, 1.2 * R, 0.14 * R, detail);
        fill_rect(r, x - 0.6 * R, y - 0.5 * R, 1.2 * R, 0.14 * R, detail);
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

/* Which names drop a line.  Names sit under their icons; in a row of
 * icons, a name that would run into its left neighbour's goes one label
 * lower (when that one is not lowered), so a row of five name servers in
 * a narrow window stays readable. */
static void place_labels(Text *txt, const Model *m, const View *v, int name_px, double gap,
                         bool *lower)
{
    size_t n = m->world->n_nodes;
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    double *xs = xmalloc((n ? n : 1) * sizeof *xs), *ys = xmalloc((n ? n : 1) * sizeof *ys);
    int *ws = xmalloc((n ? n : 1) * sizeof *ws);
    for (size_t i = 0; i < n; i++) {
        int h;
        draw_node_xy(m, v, (int)i, &xs[i], &ys[i]);
        text_size(txt, FACE_BOLD, name_px, m->world->nodes[i].id, &ws[i], &h);
        lower[i] = false;
        /* Insertion sort by row, then x (a few hundred nodes at most). */
        size_t k = i;
        while (k > 0 && (ys[order[k - 1]] > ys[i] + 0.5 ||
                         (fabs(ys[order[k - 1]] - ys[i]) <= 0.5 && xs[order[k - 1]] > xs[i]))) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    for (size_t k = 1; k < n; k++) {
        size_t i = order[k], j = order[k - 1];
        if (fabs(ys[i] - ys[j]) <= 0.5 && !lower[j] && xs[i] - xs[j] < (ws[i] + ws[j]) / 2.0 + gap)
            lower[i] = true;
    }
    free(order);
    free(xs);
    free(ys);
    free(ws);
}

static void draw_nodes(SDL_Renderer *r, Text *txt, const Model *m, const Player *p, const View *v,
                       const DrawTheme *th, double ui)
{
    /* Names on the network grow more slowly than panel text: the
     * network's area shrinks as the panels widen. */
    double R = 20 * ui, ts = ui * sqrt(v->text_scale > 0 ? v->text_scale : 1);
    int name_px = (int)lround(15 * ts), ip_px = (int)lround(13 * ts);
    /* Level of detail: past this many nodes on screen, names and addresses
     * overlap into noise (and cost most of a frame); the inspector shows them. */
    bool crowded = m->world->n_nodes > CROWDED_NODES;
    bool *lower = xcalloc(m->world->n_nodes + 1, sizeof *lower);
    if (!crowded)
        place_labels(txt, m, v, name_px, 8 * ui, lower);
    double label_h = name_px * 1.25 + ip_px * 1.2;
    for (size_t i = 0; i < m->world->n_nodes; i++) {
        const Node *n = &m->world->nodes[i];
        double x, y;
        draw_node_xy(m, v, (int)i, &x, &y);
        bool down = model_node_down(m, (int)i, p->step, p->t);
        SDL_Color c = down ? th->down : draw_kind_color(m->kind[i]);
        if (v->mark_node == (int)i + 1) /* the node in the inspector */
            fill_circle(r, x, y, 1.55 * R, th->select_bg);
        draw_icon(r, m->kind[i], x, y, R, c, mix(c, (SDL_Color){255, 255, 255, 255}, 0.6));
        /* DOWN under the name and address: packet labels and lost-packet
         * crosses go above and beside the icon. */
        int down_x = (int)x, down_y = (int)(y + 1.05 * R + (lower[i] ? 2 : 1) * label_h);
        if (crowded) {
            /* Hundreds of nodes: names would only cover each other. */
            if (down)
                text_draw(txt, FACE_BOLD, name_px, th->link_down, "DOWN", down_x, down_y, 1);
            continue;
        }
        int ty = (int)(y + 1.05 * R + (lower[i] ? label_h : 0)), nw, nh;
        text_size(txt, FACE_BOLD, name_px, n->id, &nw, &nh);
        SDL_Color halo = th->bg;
        halo.a = 210;
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        fill_rect(r, x - nw / 2.0 - 3 * ui, ty, nw + 6 * ui, label_h, halo);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        text_draw(txt, FACE_BOLD, name_px, down ? th->faint : th->ink, n->id, (int)x, ty, 1);
        char ip[16], line[48];
        ip_format(n->n_ips ? n->ips[0] : 0, ip);
        if (n->n_ips > 1)
            snprintf(line, sizeof line, "%s +%zu", ip, n->n_ips - 1);
        else
            snprintf(line, sizeof line, "%s", ip);
        text_draw(txt, FACE_SANS, ip_px, th->faint, line, (int)x, ty + (int)(name_px * 1.25), 1);
        if (down)
            text_draw(txt, FACE_BOLD, name_px, th->link_down, "DOWN", down_x, down_y, 1);
    }
    free(lower);
}

static void envelope(SDL_Renderer *r, double x, double y, double s, SDL_Color c, bool filled,
                     SDL_Color bg)
{
    double w = 28 * s, h = 19 * s, b = 2.6 * s;
    fill_rect(r, x - w / 2, y - h / 2, w, h, c);
    SDL_Color inner = filled ? c : mix(bg, c, 0.12);
    fill_rect(r, x - w / 2 + b, y - h / 2 + b, w - 2 * b, h - 2 * b, inner);
    SDL_Color flap = filled ? (SDL_Color){255, 255, 255, 255} : c;
    thick_line(r, x - w / 2 + b, y - h / 2 + b, x, y + h * 0.12, 1.8 * s, flap);
    thick_line(r, x + w / 2 - b, y - h / 2 + b, x, y + h * 0.12, 1.8 * s, flap);
}

static void label_box(SDL_Renderer *r, Text *txt, const char *s, double x, double y, int px,
                      SDL_Color ink, SDL_Color bg, double ui)
{
    int w, h;
    SDL_Texture *tex = text_get(txt, FACE_BOLD, px, ink, 0, s, &w, &h);
    if (!tex)
        return;
    double pad = 4 * ui;
    SDL_Color back = bg;
    back.a = 225;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    fill_box(r, x - w / 2.0 - pad, y - h - pad, w + 2 * pad, h + pad, 3 * ui, back);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_Rect dst = {(int)lround(x - w / 2.0), (int)lround(y - h - pad / 2), w, h};
    SDL_RenderCopy(r, tex, NULL, &dst);
}

static void draw_cross(SDL_Renderer *r, double x, double y, double s, SDL_Color c)
{
    thick_line(r, x - s, y - s, x + s, y + s, s * 0.45, c);
    thick_line(r, x - s, y + s, x + s, y - s, s * 0.45, c);
}

static void draw_packets(SDL_Renderer *r, Text *txt, const Model *m, const Player *p, const View *v,
                         const DrawTheme *th, double ui)
{
    int px = (int)lround(14 * ui * sqrt(v->text_scale > 0 ? v->text_scale : 1));
    /* Level of detail, as for nodes: with this many envelopes on screen the
     * labels only hide each other, so the envelopes go without them. */
    size_t flying = 0;
    for (size_t i = 0; i < m->n_hops && flying <= CROWDED_PACKETS; i++)
        flying += model_hop_frac(&m->hops[i], p->t) >= 0;
    bool crowded = flying > CROWDED_PACKETS;
    for (size_t i = 0; i < m->n_hops; i++) {
        const ModelHop *h = &m->hops[i];
        double f = model_hop_frac(h, p->t), x, y;
        if (f < 0 || (h->lost && f >= h->lost_at && p->step >= h->lost_step))
            continue;
        /* Lost at this very moment, but its caption is the next step's: it
         * waits where it is lost. */
        hop_point(m, v, h, h->lost && f >= h->lost_at ? h->lost_at : f, &x, &y);
        SDL_Color c = draw_proto_color(h->proto);
        if (v->mark_hop == (int)i + 1) /* the packet in the inspector */
            fill_circle(r, x, y, 22 * ui, th->select_bg);
        envelope(r, x, y, ui, c, h->response, th->bg);
        if (!crowded)
            label_box(r, txt, h->label, x, y - 13 * ui, px, c, th->bg, ui);
    }
    /* Lost packets: a red cross where they were lost, for the rest of the
     * step that lost them and the next. */
    uint32_t now = p->step;
    for (size_t i = 0; i < m->n_drops; i++) {
        const ModelDrop *d = &m->drops[i];
        if ((double)d->time > p->t || d->step > now || d->step + 1 < now)
            continue;
        double x, y;
        if (d->hop >= 0) {
            hop_point(m, v, &m->hops[d->hop], m->hops[d->hop].lost_at, &x, &y);
        } else if (d->node >= 0) {
            draw_node_xy(m, v, d->node, &x, &y);
        } else {
            continue;
        }
        draw_cross(r, x, y, 11 * ui, th->link_down);
        /* Beside the cross, not above it, where a name or an address may be. */
        char s[96];
        int w, h;
        snprintf(s, sizeof s, "lost: %s", trace_drop_text(d->reason));
        text_size(txt, FACE_BOLD, px, s, &w, &h);
        label_box(r, txt, s, x + 16 * ui + w / 2.0, y + h / 2.0, px, th->link_down, th->bg, ui);
    }
}

/* ---- header, timeline, caption ----------------------------------------- */

static void draw_header(SDL_Renderer *r, Text *txt, const Model *m, const Player *p,
                        const DrawRects *d, const DrawTheme *th)
{
    double ui = d->ui, hs = fmin(1.5, fmax(0.6, d->ts / ui)); /* as the header grows */
    fill_rect(r, d->header.x, d->header.y, d->header.w, d->header.h, th->header);
    int px = (int)lround(18 * ui * hs), y = d->header.y + (int)((d->header.h - px * 1.2) / 2);
    text_draw(txt, FACE_BOLD, px, th->ink, m->world->title, (int)(16 * ui), y, 0);
    char s[128], speed[32];
    if (p->speed >= 1)
        snprintf(speed, sizeof speed, "%g×", p->speed);
    else
        snprintf(speed, sizeof speed, "%.3g×", p->speed);
    snprintf(s, sizeof s, "%s   speed %s   t = %.6f s",
             p->mode == PLAYER_PAUSED    ? "❚❚ paused"
             : p->mode == PLAYER_PLAYING ? "▶ playing"
                                         : "▶ stepping",
             speed, p->t / 1e6);
    text_draw(txt, FACE_SANS, (int)lround(15 * ui * hs), th->faint, s, d->header.w - (int)(16 * ui),
              y + (int)(2 * ui), 2);
}

static void draw_timeline(SDL_Renderer *r, const Model *m, const Player *p, const DrawRects *d,
                          const DrawTheme *th)
{
    double ui = d->ui, x0 = 24 * ui, x1 = d->timeline.w - 24 * ui;
    double mid = d->timeline.y + d->timeline.h / 2.0;
    fill_rect(r, d->timeline.x, d->timeline.y, d->timeline.w, d->timeline.h, th->bg);
    thick_line(r, x0, mid, x1, mid, 4 * ui, th->link);
    size_t n = m->n_steps;
    if (n == 0)
        return;
    double pos = (p->step == 0 ? 0 : (p->step - 1 + player_step_progress(p))) / (double)n;
    double cx = x0 + (x1 - x0) * pos;
    SDL_Color done = draw_proto_color("DNS");
    thick_line(r, x0, mid, cx, mid, 4 * ui, done);
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
    int pad = (int)(20 * ui), small = (int)lround(16 * d->ts);
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
    for (int px = (int)lround(27 * d->ts); px >= 8; px -= px > 16 ? 2 : 1) {
        int w, h;
        SDL_Texture *tex = text_get(txt, FACE_SANS, px, th->caption_ink, wrap, body, &w, &h);
        if (!tex)
            return;
        if (h <= room || px <= 10) {
            SDL_Rect dst = {pad, top, w, h < room ? h : room};
            SDL_Rect src = {0, 0, w, dst.h};
            SDL_RenderCopy(r, tex, &src, &dst);
            return;
        }
    }
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
    draw_links(r, m, p, v, th, d.ui);
    draw_nodes(r, txt, m, p, v, th, d.ui);
    draw_packets(r, txt, m, p, v, th, d.ui);
    SDL_RenderSetClipRect(r, NULL);
    draw_header(r, txt, m, p, &d, th);
    draw_timeline(r, m, p, &d, th);
    draw_caption(r, txt, m, p, &d, th);
}
