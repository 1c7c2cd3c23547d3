/* plot — a table entry's numeric fields over time, drawn under the
 * inspector's table (a TCP connection's cwnd and the peer's window). */
#include "gui/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 14600 as "14,600"; a fraction keeps up to three decimals. */
static void group_num(double v, char *out, size_t size)
{
    if (v != floor(v) || fabs(v) >= 1e15) {
        snprintf(out, size, "%.3g", v);
        return;
    }
    char d[32];
    snprintf(d, sizeof d, "%.0f", fabs(v));
    size_t n = strlen(d), k = 0;
    if (v < 0 && k + 1 < size)
        out[k++] = '-';
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = '\0';
}

/* Colours of the plotted fields, in the plot list's order: Okabe and Ito's
 * blue (sky blue on the dark theme) and vermillion (orange). */
static SDL_Color series_color(const Pen *pen, size_t i)
{
    static const SDL_Color light[] = {{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}};
    static const SDL_Color dark[] = {{86, 180, 233, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}};
    i %= MN_ARRAY_LEN(light);
    return pen->a->v.dark ? dark[i] : light[i];
}

/* The plot's time axis, with long idle stretches (a second between two
 * typed lines, the wait before a transfer) cut down to a narrow break, so
 * that what happens in a burst fills the width.  The time under each
 * break's end says what was cut. */
#define AXIS_GAPS 8
typedef struct TimeAxis {
    double t0, t1, x0, w;
    double gap[AXIS_GAPS][2];
    size_t n_gaps;
    double gap_w; /* pixels one break takes */
    double busy;  /* time outside the breaks */
} TimeAxis;

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

typedef struct Gap {
    double from, to;
} Gap;

static int cmp_gap_len(const void *x, const void *y) /* longest first */
{
    const Gap *a = x, *b = y;
    double la = a->to - a->from, lb = b->to - b->from;
    return (la < lb) - (la > lb);
}

static int cmp_gap_time(const void *x, const void *y)
{
    const Gap *a = x, *b = y;
    return (a->from > b->from) - (a->from < b->from);
}

/* The breaks: the longest stretches without a point, each longer than a
 * quarter of the time left once the longer ones are taken out (so a
 * minute of TIME-WAIT does not hide the seconds between typed lines), and
 * as a group at least eight times longer than the next stretch (so the
 * gaps inside a burst stay as they are). */
static void axis_init(TimeAxis *ax, double *times, size_t n, double gap_w)
{
    double span = ax->t1 - ax->t0;
    ax->n_gaps = 0;
    ax->busy = span;
    ax->gap_w = gap_w;
    qsort(times, n, sizeof *times, cmp_double);
    Gap *g = xmalloc((n ? n : 1) * sizeof *g);
    size_t ng = 0, take = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (times[i] >= ax->t0 && times[i + 1] > times[i])
            g[ng++] = (Gap){times[i], times[i + 1]};
    qsort(g, ng, sizeof *g, cmp_gap_len);
    double busy = span;
    for (size_t k = 0; k < ng && k < AXIS_GAPS; k++) {
        double len = g[k].to - g[k].from;
        if (len <= busy / 4)
            break;
        busy -= len;
        if (k + 1 < ng && len >= 8 * (g[k + 1].to - g[k + 1].from))
            take = k + 1;
    }
    qsort(g, take, sizeof *g, cmp_gap_time);
    for (size_t k = 0; k < take; k++) {
        ax->gap[k][0] = g[k].from;
        ax->gap[k][1] = g[k].to;
        ax->busy -= g[k].to - g[k].from;
    }
    ax->n_gaps = take;
    free(g);
    if (ax->busy < span / 1e4 || ax->w < 2 * (double)ax->n_gaps * gap_w + gap_w) {
        ax->n_gaps = 0; /* nothing but breaks: show the time as it is */
        ax->busy = span;
    }
}

static double axis_x(const TimeAxis *ax, double t)
{
    double x = ax->x0, from = ax->t0;
    double scale = (ax->w - (double)ax->n_gaps * ax->gap_w) / ax->busy;
    for (size_t g = 0; g < ax->n_gaps && t > ax->gap[g][0]; g++) {
        x += (ax->gap[g][0] - from) * scale;
        if (t < ax->gap[g][1])
            return x + ax->gap_w * (t - ax->gap[g][0]) / (ax->gap[g][1] - ax->gap[g][0]);
        x += ax->gap_w;
        from = ax->gap[g][1];
    }
    return x + (t - from) * scale;
}

static void plot_line(SDL_Renderer *r, double x0, double y0, double x1, double y1)
{
    SDL_RenderDrawLineF(r, (float)x0, (float)y0, (float)x1, (float)y1);
    SDL_RenderDrawLineF(r, (float)x0 + 1, (float)y0 + 1, (float)x1 + 1, (float)y1 + 1);
}

void plot_draw(Pen *pen, SDL_Rect body, const InspectSection *s, int y)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    enum { MAX_SERIES = 3 };
    InspectPoint *pts[MAX_SERIES] = {0};
    size_t n[MAX_SERIES] = {0}, cap[MAX_SERIES] = {0}, ns = 0;
    SimTime end[MAX_SERIES];
    char *names[MAX_SERIES];
    for (char *f; ns < MAX_SERIES && (f = inspect_list_part(s->plot, ns)); ns++) {
        names[ns] = f;
        n[ns] = inspect_series(a->m, a->sel_node, s->table, a->sel_key, f, a->p.step, a->p.t,
                               &pts[ns], &cap[ns], &end[ns]);
    }
    double t0 = INFINITY, t1 = a->p.t, top = 0;
    SimTime gone = -1;
    for (size_t i = 0; i < ns; i++) {
        if (n[i])
            t0 = fmin(t0, (double)pts[i][0].time);
        for (size_t k = 0; k < n[i]; k++)
            top = fmax(top, pts[i][k].v);
        if (end[i] >= 0)
            gone = end[i];
    }
    int x0 = body.x + pen->px / 2, right = body.x + body.w - pen->px / 2;
    /* The legend: each field's colour, label and value at the cursor. */
    int lx = x0;
    for (size_t i = 0; i < ns; i++) {
        char *label = inspect_label(s->table, names[i]), num[48], item[160];
        group_num(n[i] ? pts[i][n[i] - 1].v : 0, num, sizeof num);
        snprintf(item, sizeof item, "%s %s", label, n[i] ? num : "—");
        free(label);
        draw_fill_rect(a->r, lx, y + pen->lh / 2 - 1, pen->px, 3, series_color(pen, i));
        lx += pen->px * 3 / 2;
        lx += pen_put(pen, FACE_SANS, th->ink, item, lx, y, 0) + pen->px;
    }
    if (!isfinite(t0)) {
        pen_put(pen, FACE_SANS, th->faint, "nothing recorded yet", x0, y + pen->lh, 0);
        goto done;
    }
    if (gone >= 0)
        t1 = (double)gone;
    if (t1 <= t0)
        t1 = t0 + 1000; /* a millisecond: one point is a short flat line */
    /* The value axis from 0 to the next multiple of half a power of ten. */
    double unit = top > 0 ? pow(10, floor(log10(top))) / 2 : 1;
    double ymax = fmax(unit, ceil(top / unit) * unit);
    char ytop[48];
    group_num(ymax, ytop, sizeof ytop);
    int gw, gh;
    text_size(&a->txt, FACE_SANS, pen->px, ytop, &gw, &gh);
    SDL_Rect box = {x0 + gw + pen->px / 2, y + pen->lh + pen->lh / 3, 0, 6 * pen->lh - pen->lh / 3};
    box.w = right - box.x;
    pen_put(pen, FACE_SANS, th->faint, ytop, box.x - pen->px / 3, box.y - pen->lh / 2, 2);
    pen_put(pen, FACE_SANS, th->faint, "0", box.x - pen->px / 3, box.y + box.h - pen->lh / 2, 2);
    draw_fill_rect(a->r, box.x, box.y, 1, box.h, th->rule);
    draw_fill_rect(a->r, box.x, box.y + box.h, box.w, 1, th->rule);
    draw_fill_rect(a->r, box.x, box.y, box.w, 1, th->rule);
    TimeAxis ax = {.t0 = t0, .t1 = t1, .x0 = box.x, .w = box.w};
    size_t nt = 1, tk = 0;
    for (size_t i = 0; i < ns; i++)
        nt += n[i];
    double *times = xmalloc(nt * sizeof *times);
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < n[i]; k++)
            times[tk++] = (double)pts[i][k].time;
    times[tk++] = t1;
    axis_init(&ax, times, tk, pen->px);
    free(times);
    /* Times under the axis: its ends, and each break's end where it fits. */
    char tl[48];
    int lw, lh2, left_end, right_start;
    snprintf(tl, sizeof tl, "%.3f s", t0 / 1e6);
    left_end = box.x + pen_put(pen, FACE_SANS, th->faint, tl, box.x, box.y + box.h + 2, 0);
    snprintf(tl, sizeof tl, "%.3f s", t1 / 1e6);
    text_size(&a->txt, FACE_SANS, pen->px, tl, &lw, &lh2);
    right_start = right - lw;
    pen_put(pen, FACE_SANS, th->faint, tl, right, box.y + box.h + 2, 2);
    for (size_t g = 0; g < ax.n_gaps; g++) {
        double gx = axis_x(&ax, ax.gap[g][0]);
        for (int k = 0; k < box.h; k += 6) /* a dotted line down the break */
            draw_fill_rect(a->r, gx + ax.gap_w / 2, box.y + k, 1, 3, th->faint);
        snprintf(tl, sizeof tl, "%.3f s", ax.gap[g][1] / 1e6);
        text_size(&a->txt, FACE_SANS, pen->px, tl, &lw, &lh2);
        int bx = (int)axis_x(&ax, ax.gap[g][1]);
        if (bx > left_end + pen->px / 2 && bx + lw < right_start - pen->px / 2) {
            pen_put(pen, FACE_SANS, th->faint, tl, bx, box.y + box.h + 2, 0);
            left_end = bx + lw;
        }
    }
#define PX(tt) axis_x(&ax, (tt))
#define PY(v)  (box.y + box.h - (double)box.h * (v) / ymax)
    for (size_t i = ns; i-- > 0;) { /* the first field drawn last, on top */
        SDL_Color c = series_color(pen, i);
        SDL_SetRenderDrawColor(a->r, c.r, c.g, c.b, c.a);
        for (size_t k = 0; k < n[i]; k++) {
            double xa = PX((double)pts[i][k].time), ya = PY(pts[i][k].v);
            double xb = k + 1 < n[i] ? PX((double)pts[i][k + 1].time) : PX(t1);
            plot_line(a->r, xa, ya, xb, ya);
            if (k + 1 < n[i])
                plot_line(a->r, xb, ya, xb, PY(pts[i][k + 1].v));
        }
    }
#undef PX
#undef PY
done:
    for (size_t i = 0; i < ns; i++) {
        free(names[i]);
        free(pts[i]);
    }
}

bool plot_has_fields(const InspectSection *s, const InspectRow *row)
{
    char *f, v[64];
    bool any = false;
    for (size_t i = 0; s->plot && !any && (f = inspect_list_part(s->plot, i)); i++) {
        any = inspect_field(row->value, f, v, sizeof v);
        free(f);
    }
    return any;
}
