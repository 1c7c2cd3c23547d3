/* panels — the classroom view's event list, console, inspector, help and
 * status message.  Everything shown is folded from the kept trace at the
 * cursor (inspect.h); this file only draws it and says what a click hit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim.h"
#include "gui/app.h"
#include "gui/pen.h"
#include "gui/plot.h"
#include "io/chart.h"
#include "net/world.h"

/* The panel's background and title bar; returns the area under the bar. */
static SDL_Rect panel_frame(Pen *pen, SDL_Rect area, const char *title)
{
    SDL_Renderer *r = pen->a->r;
    SDL_RenderSetClipRect(r, &area);
    draw_fill_rect(r, area.x, area.y, area.w, area.h, pen->th->panel_bg);
    draw_fill_rect(r, area.x, area.y, area.w, pen->lh + 4, pen->th->panel_head);
    draw_fill_rect(r, area.x, area.y, 1, area.h, pen->th->rule);
    draw_fill_rect(r, area.x, area.y + area.h - 1, area.w, 1, pen->th->rule);
    pen_put_fit(pen, FACE_BOLD, pen->th->ink, title, area.x + pen->px / 2, area.y + 2,
                area.w - pen->px);
    return (SDL_Rect){area.x, area.y + pen->lh + 4, area.w, area.h - pen->lh - 4};
}

/* A clickable word in a title bar, right-aligned at *right; moves *right left. */
static SDL_Rect chip(Pen *pen, const SDL_Rect *area, int *right, const char *label, bool on)
{
    int w, h;
    text_size(&pen->a->txt, FACE_SANS, pen->px, label, &w, &h);
    int pad = pen->px / 2;
    SDL_Rect r = {*right - w - 2 * pad, area->y + 2, w + 2 * pad, pen->lh};
    draw_fill_rect(pen->a->r, r.x, r.y, r.w, r.h, on ? pen->th->select_bg : pen->th->panel_bg);
    pen_put(pen, FACE_SANS, pen->th->ink, label, r.x + pad, r.y, 0);
    *right = r.x - pad / 2;
    return r;
}

/* ---- the event list ---------------------------------------------------- */

void panels_refresh_events(App *a)
{
    if (!a->events_stale)
        return;
    inspect_events(a->m, &a->filter, &a->events);
    a->events_stale = false;
    a->events_follow = true;
    a->events_top = 0;
    a->events_step = UINT32_MAX;
}

/* The row of the current step: the last step row at or before it.  Rows
 * are in step order: a binary search. */
static int current_row(const App *a)
{
    size_t lo = 0, hi = a->events.n; /* rows with step <= the cursor's: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->events.rows[mid].step <= a->p.step)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0 && a->events.rows[lo - 1].is_hop)
        lo--;
    return (int)lo - 1;
}

/* "local-dns → campus": who sends a row's packet to whom. */
static void from_to(const App *a, const EventRow *e, char *out, size_t size)
{
    snprintf(out, size, "%s → %s", a->m->world->nodes[e->from].id, a->m->world->nodes[e->to].id);
}

/* A step takes two lines (who talks to whom, then the caption), a hop one. */
static int row_h(const Pen *pen, const EventRow *e)
{
    return e->is_hop ? pen->lh : 2 * pen->lh;
}

/* The list's body: under the title bar and the filter bar. */
static SDL_Rect events_body(const Pen *pen)
{
    SDL_Rect r = pen->d.events;
    int bars = 2 * (pen->lh + 4);
    return (SDL_Rect){r.x, r.y + bars, r.w, r.h - bars};
}

/* Does row `last` fit when the list starts at `top`?  Stops counting as
 * soon as it does not: O(rows on screen). */
static bool fits(const Pen *pen, int top, int last, int height)
{
    int h = 0;
    for (int i = top; i <= last; i++) {
        h += row_h(pen, &pen->a->events.rows[i]);
        if (h > height)
            return false;
    }
    return true;
}

static void draw_events(Pen *pen)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    SDL_Rect area = pen->d.events;
    if (area.w <= 0 || area.h <= 0)
        return;
    panels_refresh_events(a);
    panel_frame(pen, area, "Events");
    char label[160];
    snprintf(label, sizeof label, "step %u of %zu", a->p.step, a->m->n_steps);
    pen_put(pen, FACE_SANS, th->faint, label, area.x + area.w - pen->px / 2, area.y + 2, 2);
    /* The filter bar: each button shows its setting; a click changes it. */
    SDL_Rect bar = {area.x, area.y + pen->lh + 4, area.w, pen->lh + 4};
    draw_fill_rect(a->r, bar.x, bar.y + bar.h - 1, bar.w, 1, th->rule);
    /* The long labels when they fit the bar, short ones otherwise. */
    const char *node = a->filter.node >= 0 ? a->m->world->nodes[a->filter.node].id : NULL;
    for (int shortened = 0; shortened < 2; shortened++) {
        const char *hops = a->filter.hops ? (shortened ? "hops" : "with hops")
                                          : (shortened ? "steps" : "steps only");
        const char *proto =
            a->filter.proto ? a->filter.proto : (shortened ? "all" : "every protocol");
        snprintf(label, sizeof label, "%s", node ? node : shortened ? "all nodes" : "every node");
        int w1, w2, w3, h;
        text_size(&a->txt, FACE_SANS, pen->px, hops, &w1, &h);
        text_size(&a->txt, FACE_SANS, pen->px, label, &w2, &h);
        text_size(&a->txt, FACE_SANS, pen->px, proto, &w3, &h);
        if (!shortened && w1 + w2 + w3 + 4 * pen->px > bar.w)
            continue;
        int right = area.x + area.w - pen->px / 2;
        a->chip_hops = chip(pen, &bar, &right, hops, a->filter.hops);
        a->chip_node = chip(pen, &bar, &right, label, node != NULL);
        a->chip_proto = chip(pen, &bar, &right, proto, a->filter.proto != NULL);
        break;
    }

    SDL_Rect body = events_body(pen);
    int cur = current_row(a);
    if (a->events_top > (int)a->events.n - 1)
        a->events_top = (int)a->events.n - 1;
    if (a->events_top < 0)
        a->events_top = 0;
    if (a->events_step != a->p.step) {
        a->events_step = a->p.step;
        a->events_follow = true;
    }
    if (a->events_follow && cur < 0)
        a->events_top = 0; /* before the first step that passes */
    if (a->events_follow && cur >= 0) {
        if (cur < a->events_top)
            a->events_top = cur;
        else if (!fits(pen, a->events_top, cur, body.h)) {
            /* The current row at the bottom: as many rows above it as fit. */
            int top = cur, h = row_h(pen, &a->events.rows[cur]);
            while (top > 0 && h + row_h(pen, &a->events.rows[top - 1]) <= body.h)
                h += row_h(pen, &a->events.rows[--top]);
            a->events_top = top;
        }
    }
    if (a->events_top >= (int)a->events.n)
        a->events_top = (int)a->events.n - 1;
    if (a->events_top < 0)
        a->events_top = 0;
    SDL_RenderSetClipRect(a->r, &body);
    if (a->events.n == 0)
        pen_put(pen, FACE_SANS, th->faint, "No step passes the filter.", body.x + pen->px / 2,
                body.y + 2, 0);
    /* A column as wide as the largest step number needs. */
    int num_w, h;
    char widest[48];
    snprintf(widest, sizeof widest, "%zu", a->m->n_steps);
    text_size(&a->txt, FACE_BOLD, pen->px, widest, &num_w, &h);
    int y = body.y;
    for (int idx = a->events_top; idx < (int)a->events.n && y < body.y + body.h; idx++) {
        const EventRow *e = &a->events.rows[idx];
        int x = body.x + pen->px / 2, rh = row_h(pen, e);
        bool selected = e->is_hop ? (int)e->hop == a->sel_hop && a->inspect_packet : idx == cur;
        if (selected)
            draw_fill_rect(a->r, body.x, y, body.w, rh, th->select_bg);
        draw_fill_rect(a->r, body.x, y + rh - 1, body.w, 1, th->rule);
        SDL_Color ink = e->step <= a->p.step ? th->ink : th->faint;
        char t[32], k[16];
        if (!e->is_hop) {
            snprintf(k, sizeof k, "%u", e->step);
            pen_put(pen, FACE_BOLD, ink, k, x + num_w, y, 2);
        }
        x += num_w + pen->px / 2;
        if (e->proto)
            draw_fill_rect(a->r, x, y + pen->lh / 5, pen->px / 2, pen->lh * 3 / 5,
                           draw_proto_color(e->proto));
        x += pen->px;
        /* Who sends to whom matters more than when, which the header
         * shows: the names come first, in the plain face where the bold
         * would be cut, and the time goes at the right where room is left
         * (a hop's where its summary keeps eight characters). */
        int right = body.x + body.w - pen->px / 2;
        if (e->from >= 0 && e->to >= 0) {
            char ft[300];
            from_to(a, e, ft, sizeof ft);
            TextFace face = e->is_hop ? FACE_SANS : FACE_BOLD;
            int w;
            text_size(&a->txt, face, pen->px, ft, &w, &h);
            if (w > right - x)
                face = FACE_SANS;
            x += pen_put_fit(pen, face, ink, ft, x, y, right - x) + pen->px / 2;
        }
        int time_w;
        snprintf(t, sizeof t, "%.6f s", (double)e->time / 1e6);
        text_size(&a->txt, FACE_SANS, pen->px, t, &time_w, &h);
        int keep = e->is_hop ? pen->px * 5 : 0; /* a hop's summary: eight characters */
        if (right - x >= time_w + keep) {
            pen_put(pen, FACE_SANS, th->faint, t, right, y, 2);
            right -= time_w + pen->px / 2;
        }
        if (e->is_hop)
            pen_put_fit(pen, FACE_MONO, ink, e->text, x, y, right - x);
        else
            pen_put_fit(pen, FACE_SANS, ink, e->text, body.x + pen->px * 3, y + pen->lh,
                        body.w - pen->px * 7 / 2);
        y += rh;
    }
}

/* The event row under y, or -1. */
static int event_row_at(const Pen *pen, int y)
{
    SDL_Rect body = events_body(pen);
    if (y < body.y)
        return -1;
    int top = body.y;
    for (int i = pen->a->events_top; i < (int)pen->a->events.n; i++) {
        top += row_h(pen, &pen->a->events.rows[i]);
        if (y < top)
            return i;
    }
    return -1;
}

/* ---- the console ------------------------------------------------------- */

void panels_console_text(const App *a, Buf *out)
{
    inspect_console(a->m, a->p.step, a->p.t, a->refused, a->n_refused, out);
}

/* Rows of the console as drawn, collected from the last one up. */
typedef struct ConRow {
    char *text;
    bool prompt; /* a "NODE$ COMMAND" line */
} ConRow;

typedef struct ConRows {
    ConRow *row;
    size_t n, cap;
} ConRows;

#define WRAP_ROWS_MAX 64 /* rows one line may take; the rest is cut with "…" */

/* Appends one console line's rows to `back`, last row first: tabs expanded
 * to the next multiple of 8 columns (dig lines its records up with them),
 * then cut every `cols` characters. */
static void wrap_line(ConRows *back, const char *s, size_t len, size_t cols)
{
    Buf e;
    buf_init(&e);
    size_t col = 0, limit = cols * WRAP_ROWS_MAX, j = 0;
    for (; j < len && col < limit; j++) {
        if (s[j] == '\t') {
            do
                buf_putc(&e, ' ');
            while (++col % 8);
            continue;
        }
        buf_putc(&e, s[j]);
        col += !utf8_cont(s[j]);
    }
    const char *text = e.data ? e.data : "";
    const char *dollar = strstr(text, "$ ");
    bool prompt = dollar && strchr(text, ' ') == dollar + 1;
    /* Cut into rows of `cols` characters, never inside a character, and
     * after a space where the row has one: a word that fits on a row is
     * never broken ("153.90.127.197" stays whole). */
    size_t starts[WRAP_ROWS_MAX + 1], n = 0, pos = 0;
    do {
        size_t start = pos;
        starts[n++] = pos;
        for (size_t c = 0; c < cols && pos < e.len; c++) {
            pos++;
            while (pos < e.len && utf8_cont(text[pos]))
                pos++;
        }
        if (pos < e.len && text[pos] != ' ') {
            size_t sp = pos;
            while (sp > start && text[sp - 1] != ' ')
                sp--;
            if (sp > start)
                pos = sp;
        }
    } while (pos < e.len && n < WRAP_ROWS_MAX);
    bool cut = pos < e.len || j < len;
    starts[n] = pos;
    for (size_t k = n; k-- > 0;) {
        back->row = xgrow(back->row, &back->cap, back->n + 1, sizeof *back->row);
        char *t = xstrndup(text + starts[k], starts[k + 1] - starts[k]);
        if (cut && k == n - 1) {
            char *more = xasprintf("%s…", t);
            free(t);
            t = more;
        }
        back->row[back->n++] = (ConRow){t, prompt && k == 0};
    }
    buf_fini(&e);
}

static void draw_console(Pen *pen)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    SDL_Rect area = pen->d.console;
    if (area.w <= 0 || area.h <= 0)
        return;
    SDL_Rect body = panel_frame(pen, area, "Console");
    int node = app_prompt_node(a);
    SDL_Rect prompt = {body.x, body.y + body.h - pen->lh - 4, body.w, pen->lh + 4};
    body.h -= prompt.h;
    Buf b;
    buf_init(&b);
    panels_console_text(a, &b);
    /* Split into lines; wrap them at the panel's width, as a terminal
     * does; show the last rows that fit. */
    size_t n_lines = 0, cap = 0;
    const char **lines = NULL;
    size_t *lens = NULL, lcap = 0;
    for (char *s = b.data; s && *s;) {
        char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        lines = xgrow(lines, &cap, n_lines + 1, sizeof *lines);
        lens = xgrow(lens, &lcap, n_lines + 1, sizeof *lens);
        lines[n_lines] = s;
        lens[n_lines++] = len;
        s += len + (nl != NULL);
    }
    int rows = body.h / pen->lh, cw, chh;
    if (rows < 1)
        rows = 1;
    text_size(&a->txt, FACE_MONO, pen->px, "0", &cw, &chh);
    size_t cols = cw > 0 ? (size_t)((body.w - pen->px) / cw) : 80;
    if (cols < 8)
        cols = 8;
    ConRows back = {0}; /* back.row[0] is the last row */
    size_t need = (size_t)rows + (size_t)(a->console_back > 0 ? a->console_back : 0);
    for (size_t i = n_lines; i-- > 0 && back.n < need;)
        wrap_line(&back, lines[i], lens[i], cols);
    if (back.n < need) /* scrolled back past the first line */
        a->console_back = (int)back.n > rows ? (int)back.n - rows : 0;
    if (a->console_back < 0)
        a->console_back = 0;
    int visible = (int)back.n - a->console_back < rows ? (int)back.n - a->console_back : rows;
    SDL_RenderSetClipRect(a->r, &body);
    for (int r = 0; r < visible; r++) {
        const ConRow *row = &back.row[a->console_back + visible - 1 - r];
        /* One face, so every row has the same columns; a prompt line
         * stands out by its colour, as a terminal's coloured prompt. */
        text_draw(&a->txt, FACE_MONO, pen->px, row->prompt ? th->accent : th->ink, row->text,
                  body.x + pen->px / 2, body.y + r * pen->lh, 0);
    }
    for (size_t i = 0; i < back.n; i++)
        free(back.row[i].text);
    free(back.row);
    free(lines);
    free(lens);
    buf_fini(&b);
    /* The prompt. */
    SDL_RenderSetClipRect(a->r, &prompt);
    draw_fill_rect(a->r, prompt.x, prompt.y, prompt.w, prompt.h,
                   a->typing ? th->select_bg : th->panel_head);
    /* While a program that reads runs there, the prompt types into it and
     * shows the program's own prompt ("ftp> "), or none. */
    char ps[300];
    int reading = node >= 0
                      ? model_reading(a->m, node, a->p.step, a->p.t < 0 ? 0 : a->p.t, ps, sizeof ps)
                      : -1;
    if (reading < 0)
        snprintf(ps, sizeof ps, "%s$ ", node >= 0 ? a->m->world->nodes[node].id : "");
    int x = prompt.x + pen->px / 2, y = prompt.y + 2;
    if (ps[0])
        x += text_draw(&a->txt, FACE_BOLD, pen->px, th->accent, ps, x, y, 0);
    if (!a->typing && a->prompt_len == 0) {
        pen_put_fit(pen, FACE_SANS, th->faint,
                    reading >= 0 ? "Enter: type into the program"
                                 : "Enter: type a command (host, dig, nslookup, ping, down …)",
                    x, y, prompt.x + prompt.w - pen->px / 2 - x);
    } else {
        /* The end of the line, as many characters as fit, and a caret
         * (cw: the console's character width). */
        int fit = cw > 0 ? (prompt.x + prompt.w - x - pen->px) / cw : 0;
        const char *s = a->prompt + a->prompt_len;
        for (int k = 0; k < fit && s > a->prompt; k++) {
            s--;
            while (s > a->prompt && utf8_cont(*s))
                s--;
        }
        x += text_draw(&a->txt, FACE_MONO, pen->px, th->ink, s, x, y, 0);
        if (a->typing)
            draw_fill_rect(a->r, x + 1, y + 2, fmax(2, pen->px / 8), pen->lh - 4, th->ink);
    }
}

/* ---- the inspector ----------------------------------------------------- */

static void ensure_tree(App *a)
{
    if (a->tree_hop == a->sel_hop)
        return;
    dissect_tree_fini(&a->tree);
    a->tree_hop = a->sel_hop;
    if (a->sel_hop < 0 || (size_t)a->sel_hop >= a->m->n_hops)
        return;
    const TraceRec *r = &a->m->sim->trace.recs[a->m->hops[a->sel_hop].rec];
    dissect_tree(a->m->dissect, r->bytes, r->len, &a->tree);
}

static bool is_number(const char *s)
{
    char *e;
    if (!*s)
        return true; /* an empty cell does not make a column text */
    strtod(s, &e);
    return e != s && (*e == '\0' || strcmp(e, "s") == 0);
}

static void add_hit(App *a, int y, int h, const char *table, const char *key)
{
    a->row_hits = xgrow(a->row_hits, &a->row_hits_cap, a->n_row_hits + 1, sizeof *a->row_hits);
    a->row_hits[a->n_row_hits++] = (RowHit){y, h, xstrdup(table), xstrdup(key)};
}

static bool row_selected(const App *a, const InspectSection *s, const InspectRow *row)
{
    return a->sel_table && s->table && strcmp(a->sel_table, s->table) == 0 &&
           strcmp(a->sel_key, row->key) == 0;
}

/* A table cut into columns, as netstat prints one: a line of headers, then
 * a line per entry.  Columns that do not fit the panel's width wrap into
 * bands (each entry then takes a line per band, the later ones indented).
 * Returns the lines drawn; the selected entry's plot follows the table. */
static int draw_columns(Pen *pen, SDL_Rect body, const InspectSection *s, int y)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    size_t nc = s->n_cols;
    int *w = xcalloc(nc, sizeof *w), *cx = xcalloc(nc, sizeof *cx),
        *band = xcalloc(nc, sizeof *band);
    bool *num = xcalloc(nc, sizeof *num);
    for (size_t c = 0; c < nc; c++) {
        int cw, ch;
        text_size(&a->txt, FACE_BOLD, pen->px, s->cols[c], &w[c], &ch);
        num[c] = c > s->key_cols;
        for (size_t r = 0; r < s->n; r++) {
            text_size(&a->txt, c < s->key_cols ? FACE_BOLD : FACE_SANS, pen->px,
                      s->rows[r].cells[c], &cw, &ch);
            w[c] = cw > w[c] ? cw : w[c];
            num[c] = num[c] && is_number(s->rows[r].cells[c]);
        }
    }
    int x0 = body.x + pen->px / 2, avail = body.w - pen->px, gap = pen->px, x = 0, bands = 1;
    for (size_t c = 0; c < nc; c++) {
        int indent = bands > 1 ? pen->px : 0;
        if (x > indent && x + w[c] > avail) {
            bands++;
            x = pen->px;
        }
        band[c] = bands - 1;
        cx[c] = x;
        x += w[c] + gap;
    }
    int lines = 0;
    for (int b = 0; b < bands; b++, lines++)
        for (size_t c = 0; c < nc; c++)
            if (band[c] == b)
                pen_put(pen, FACE_BOLD, th->faint, s->cols[c], x0 + cx[c] + (num[c] ? w[c] : 0),
                        y + lines * pen->lh, num[c] ? 2 : 0);
    draw_fill_rect(a->r, body.x, y + lines * pen->lh - 1, body.w, 1, th->rule);
    const InspectRow *sel = NULL;
    for (size_t r = 0; r < s->n; r++) {
        const InspectRow *row = &s->rows[r];
        /* A band with nothing in it (a listening socket has no cwnd)
         * takes no line: line[b] is band b's line within the entry. */
        int line[32] = {0}, used = 0;
        for (int b = 0; b < bands && b < 32; b++) {
            bool empty = true;
            for (size_t c = 0; c < nc && empty; c++)
                empty = band[c] != b || !row->cells[c][0];
            line[b] = used;
            used += !empty;
        }
        int ry = y + lines * pen->lh, rh = used * pen->lh;
        add_hit(a, ry, rh, s->table, row->key);
        if (row_selected(a, s, row)) {
            sel = row;
            draw_fill_rect(a->r, body.x, ry, body.w, rh, th->select_bg);
        }
        if (ry + rh > body.y && ry < body.y + body.h) {
            for (size_t c = 0; c < nc; c++)
                pen_put(pen, c < s->key_cols ? FACE_BOLD : FACE_SANS, th->ink, row->cells[c],
                        x0 + cx[c] + (num[c] ? w[c] : 0),
                        ry + line[band[c] < 32 ? band[c] : 0] * pen->lh, num[c] ? 2 : 0);
            if (bands > 1)
                draw_fill_rect(a->r, body.x, ry + rh - 1, body.w, 1, th->rule);
        }
        lines += used;
    }
    if (sel && plot_has_fields(s, sel)) {
        int py = y + lines * pen->lh;
        if (py + PLOT_LINES * pen->lh > body.y && py < body.y + body.h)
            plot_draw(pen, body, s, py);
        lines += PLOT_LINES;
    }
    free(w);
    free(cx);
    free(band);
    free(num);
    return lines;
}

/* Is the selected entry of this section's table no longer in it?  Its
 * plot stays, under a line that says when it went. */
static bool gone_selected(const App *a, const InspectSection *s)
{
    if (!a->sel_table || !s->table || !s->plot || strcmp(a->sel_table, s->table) != 0)
        return false;
    for (size_t j = 0; j < s->n; j++)
        if (strcmp(s->rows[j].key, a->sel_key) == 0)
            return false;
    return true;
}

static int draw_gone(Pen *pen, SDL_Rect body, const InspectSection *s, int y)
{
    App *a = pen->a;
    InspectPoint *p = NULL;
    size_t cap = 0;
    SimTime end;
    char *f = inspect_list_part(s->plot, 0);
    size_t n = f ? inspect_series(a->m, a->sel_node, s->table, a->sel_key, f, a->p.step, a->p.t, &p,
                                  &cap, &end)
                 : 0;
    free(f);
    free(p);
    if (n == 0 || end < 0)
        return 0; /* not there yet (the cursor is before it) */
    /* The key, and when it went; a click here lets the selection go. */
    char line[80];
    snprintf(line, sizeof line, "gone from the table at %.3f s", (double)end / 1e6);
    draw_fill_rect(a->r, body.x, y, body.w, 2 * pen->lh, pen->th->select_bg);
    add_hit(a, y, 2 * pen->lh, s->table, a->sel_key);
    pen_put(pen, FACE_BOLD, pen->th->ink, a->sel_key, body.x + pen->px / 2, y, 0);
    pen_put(pen, FACE_SANS, pen->th->ink, line, body.x + pen->px * 3 / 2, y + pen->lh, 0);
    if (y + (PLOT_LINES + 2) * pen->lh > body.y && y < body.y + body.h)
        plot_draw(pen, body, s, y + 2 * pen->lh);
    return 2 + PLOT_LINES;
}

static void draw_node_inspector(Pen *pen, SDL_Rect body)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    Inspect in = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &in);
    for (size_t i = 0; i < a->n_row_hits; i++) {
        free(a->row_hits[i].table);
        free(a->row_hits[i].key);
    }
    a->n_row_hits = 0;
    int key_w = body.w * 2 / 5, y = body.y - a->inspect_top * pen->lh, x = body.x + pen->px / 2;
    int lines = 0;
    for (size_t i = 0; i < in.n; i++) {
        const InspectSection *s = &in.s[i];
        if (y + pen->lh > body.y && y < body.y + body.h) {
            draw_fill_rect(a->r, body.x, y, body.w, pen->lh, th->panel_head);
            pen_put_fit(pen, FACE_BOLD, th->ink, s->title, x, y, body.x + body.w - x - pen->px / 2);
        }
        y += pen->lh;
        lines++;
        if (s->n == 0 && s->more == 0) {
            pen_put(pen, FACE_SANS, th->faint, "(empty)", x, y, 0);
            y += pen->lh;
            lines++;
        }
        if (s->n_cols > 0 && s->n > 0) {
            int k = draw_columns(pen, body, s, y);
            y += k * pen->lh;
            lines += k;
        }
        for (size_t j = 0; s->n_cols == 0 && j < s->n; j++) {
            const InspectRow *row = &s->rows[j];
            char ttl[48] = "";
            if (row->ttl >= 0)
                snprintf(ttl, sizeof ttl, "TTL %lld s", (long long)row->ttl);
            /* One line when the key fits its column and the value the rest;
             * else the key (and TTL) on one line and the value under it. */
            int kw = 0, vw = 0, tw = 0, h;
            text_size(&a->txt, FACE_BOLD, pen->px, row->key, &kw, &h);
            text_size(&a->txt, FACE_SANS, pen->px, row->value, &vw, &h);
            if (ttl[0])
                text_size(&a->txt, FACE_SANS, pen->px, ttl, &tw, &h);
            int right = body.x + body.w - pen->px / 2;
            bool one =
                kw < key_w - pen->px && body.x + key_w + vw + (tw ? tw + pen->px : 0) <= right;
            /* A key too long for the panel's width goes on, after a word,
             * on a second line ("www.montana.edu." then "CNAME"). */
            size_t kstart[2] = {0}, klen[2] = {strlen(row->key)};
            int klines = 1, kw_last = kw;
            if (!one && kw > right - x) {
                klines =
                    text_wrap(&a->txt, FACE_BOLD, pen->px, row->key, right - x, 2, kstart, klen);
                if (klines == 2) /* the last line is the rest of the key */
                    text_size(&a->txt, FACE_BOLD, pen->px, row->key + kstart[1], &kw_last, &h);
            }
            int vx = one ? body.x + key_w : x + pen->px, vy = one ? y : y + klines * pen->lh;
            /* On two lines the TTL goes beside the key, else beside the
             * value, else on a line of its own under them. */
            int ttl_line = 0;
            if (tw && !one)
                ttl_line = kw_last <= right - tw - pen->px - x ? 0
                           : vx + vw <= right - tw - pen->px   ? 1
                                                               : 2;
            /* A value too long for its line goes on, after a field, on up
             * to two more ("to laptop:eth0" after an interface's MAC); its
             * first field beside the key where the key fits its column and
             * has no TTL ("eth0  10.0.0.1"). */
            size_t vstart[4] = {0}, vlen[4] = {strlen(row->value)}, first;
            int vlines = 1, lead = 0;
            if (!one && !tw && kw < key_w - pen->px &&
                (vlen[0] = text_fit_words(&a->txt, FACE_SANS, pen->px, row->value,
                                          right - body.x - key_w, &first)) > 0) {
                lead = 1;
                vlines = 1 + text_wrap(&a->txt, FACE_SANS, pen->px, row->value + vlen[0],
                                       right - vx, 2, vstart + 1, vlen + 1);
                for (int l = 1; l < vlines; l++)
                    vstart[l] += vlen[0];
            } else if (!one && ttl_line != 1) {
                vlines =
                    text_wrap(&a->txt, FACE_SANS, pen->px, row->value, right - vx, 3, vstart, vlen);
            }
            int n_lines = one ? 1 : klines - lead + vlines + (ttl_line == 2);
            if (s->table) {
                add_hit(a, y, n_lines * pen->lh, s->table, row->key);
                if (row_selected(a, s, row))
                    draw_fill_rect(a->r, body.x, y, body.w, n_lines * pen->lh, th->select_bg);
            }
            if (y + n_lines * pen->lh > body.y && y < body.y + body.h) {
                int beside = tw && ttl_line == 0 ? right - tw - pen->px : right;
                for (int l = 0; l < klines; l++)
                    pen_put_part(pen, FACE_BOLD, th->ink, row->key, kstart[l], klen[l], x,
                                 y + l * pen->lh, l == klines - 1 ? beside - x : right - x);
                if (tw)
                    pen_put(pen, FACE_SANS, th->accent, ttl, right,
                            ttl_line == 0   ? y + (klines - 1) * pen->lh
                            : ttl_line == 1 ? vy
                                            : vy + vlines * pen->lh,
                            2);
                beside = tw && ttl_line == 1 ? right - tw - pen->px : right;
                for (int l = 0; l < vlines; l++) {
                    int lx = lead && l == 0 ? body.x + key_w : vx;
                    pen_put_part(pen, FACE_SANS, th->ink, row->value, vstart[l], vlen[l], lx,
                                 vy + (l - lead) * pen->lh, beside - lx);
                }
            }
            y += n_lines * pen->lh;
            lines += n_lines;
        }
        if (gone_selected(a, s)) {
            int k = draw_gone(pen, body, s, y);
            y += k * pen->lh;
            lines += k;
        }
        if (s->more) {
            char more[64];
            snprintf(more, sizeof more, "… and %zu more", s->more);
            pen_put(pen, FACE_SANS, th->faint, more, x, y, 0);
            y += pen->lh;
            lines++;
        }
    }
    int rows = body.h / pen->lh;
    if (a->inspect_top > lines - rows)
        a->inspect_top = lines - rows > 0 ? lines - rows : 0;
    inspect_fini(&in);
}

static void draw_packet_inspector(Pen *pen, SDL_Rect body)
{
    App *a = pen->a;
    const DrawTheme *th = pen->th;
    ensure_tree(a);
    const TraceRec *rec = &a->m->sim->trace.recs[a->m->hops[a->sel_hop].rec];
    const DissectField *sel =
        a->sel_field >= 0 && a->sel_field < (int)a->tree.n ? &a->tree.f[a->sel_field] : NULL;
    /* The tree on top; the selected line in full (the tree cuts long lines
     * at the panel's edge); the bytes, 16 a line, or 8 when 16 would need
     * a font too small to read. */
    int hex_px = pen->px, cw, ch, per_line = 16;
    text_size(&a->txt, FACE_MONO, hex_px, "0", &cw, &ch);
    while (cw * (6 + per_line * 3) > body.w - pen->px) {
        if (per_line == 16 && (hex_px <= pen->px * 4 / 5 || hex_px <= DRAW_TEXT_MIN)) {
            per_line = 8;
            hex_px = pen->px;
        } else if (hex_px > DRAW_TEXT_MIN) {
            hex_px--;
        } else {
            break;
        }
        text_size(&a->txt, FACE_MONO, hex_px, "0", &cw, &ch);
    }
    int hex_lh = (int)lround(hex_px * 1.3);
    int hex_lines = (int)((rec->len + (uint32_t)per_line - 1) / (uint32_t)per_line);
    int hex_h = (int)fmin(hex_lines * hex_lh + pen->lh / 2, body.h * 0.42);
    int wrap = body.w - pen->px, dw = 0, dh = 0;
    SDL_Texture *detail =
        sel ? text_get(&a->txt, FACE_SANS, pen->px, th->ink, wrap, sel->text, &dw, &dh) : NULL;
    int detail_h = detail ? (int)fmin(dh, 3 * pen->lh) + pen->lh / 3 : 0;
    SDL_Rect tree = {body.x, body.y, body.w, body.h - hex_h - detail_h};
    SDL_Rect det = {body.x, tree.y + tree.h, body.w, detail_h};
    SDL_Rect hex = {body.x, det.y + det.h, body.w, hex_h};
    /* The detail first: drawing the tree's lines may empty the text cache,
     * and with it the texture just fetched. */
    if (detail) {
        SDL_RenderSetClipRect(a->r, &det);
        draw_fill_rect(a->r, det.x, det.y, det.w, det.h, th->panel_head);
        SDL_Rect src = {0, 0, dw, det.h - pen->lh / 3 < dh ? det.h - pen->lh / 3 : dh};
        SDL_RenderCopy(a->r, detail, &src,
                       &(SDL_Rect){det.x + pen->px / 2, det.y + pen->lh / 6, dw, src.h});
    }
    a->tree_rect = tree;
    SDL_RenderSetClipRect(a->r, &tree);
    int rows = tree.h / pen->lh;
    if (rows < 1)
        rows = 1;
    /* The lines shown: every layer's, and those of the open layers.
     * inspect_top counts shown lines. */
    int n_vis = 0, sel_vis = -1;
    int *vis = xmalloc((a->tree.n ? a->tree.n : 1) * sizeof *vis);
    for (int i = 0; i < (int)a->tree.n; i++)
        if (app_field_shown(a, i)) {
            if (i == a->sel_field)
                sel_vis = n_vis;
            vis[n_vis++] = i;
        }
    if (sel_vis >= 0) { /* keep the selected line in view, with what follows it */
        if (sel_vis < a->inspect_top)
            a->inspect_top = sel_vis;
        else if (sel_vis >= a->inspect_top + rows)
            a->inspect_top = sel_vis - rows / 3;
    }
    if (a->inspect_top > n_vis - rows)
        a->inspect_top = n_vis - rows;
    if (a->inspect_top < 0)
        a->inspect_top = 0;
    for (int i = 0; i < rows && a->inspect_top + i < n_vis; i++) {
        int idx = vis[a->inspect_top + i], y = tree.y + i * pen->lh;
        const DissectField *f = &a->tree.f[idx];
        if (idx == a->sel_field)
            draw_fill_rect(a->r, tree.x, y, tree.w, pen->lh, th->select_bg);
        int x = tree.x + pen->px / 2 + f->depth * pen->px * 5 / 4;
        if (f->depth == 0) { /* the layer's line: ▸ closed, ▾ open */
            bool open = idx + 1 < (int)a->tree.n && a->tree.f[idx + 1].depth > 0 &&
                        app_field_shown(a, idx + 1);
            bool leaf = idx + 1 >= (int)a->tree.n || a->tree.f[idx + 1].depth == 0;
            if (!leaf)
                pen_put(pen, FACE_SANS, th->faint, open ? "▾" : "▸", x, y, 0);
            x += pen->px;
        }
        pen_put_fit(pen, f->depth == 0 ? FACE_BOLD : FACE_SANS, th->ink, f->text, x, y,
                    tree.x + tree.w - x - pen->px / 2);
    }
    free(vis);
    SDL_RenderSetClipRect(a->r, &hex);
    draw_fill_rect(a->r, hex.x, hex.y, hex.w, 1, th->rule);
    int y0 = hex.y + pen->lh / 4, x0 = hex.x + pen->px / 2;
    /* Keep the selected bytes in view when the dump is taller than its box. */
    int first = 0, fit = (hex.h - pen->lh / 4) / hex_lh;
    if (sel && fit > 0 && (int)(sel->off / (uint32_t)per_line) >= fit)
        first = (int)(sel->off / (uint32_t)per_line) - fit / 3;
    for (int l = first; l < hex_lines && y0 + (l - first) * hex_lh < hex.y + hex.h; l++) {
        char line[80];
        int y = y0 + (l - first) * hex_lh;
        size_t k = (size_t)snprintf(line, sizeof line, "%04x ", l * per_line);
        for (int i = 0; i < per_line; i++) {
            size_t off = (size_t)l * (size_t)per_line + (size_t)i;
            if (off >= rec->len)
                break;
            if (sel && off >= sel->off && off < (size_t)sel->off + sel->len)
                draw_fill_rect(a->r, x0 + (int)(k + 1) * cw - cw / 2, y, 3 * cw, hex_lh,
                               th->bytes_bg);
            k += (size_t)snprintf(line + k, sizeof line - k, " %02x", rec->bytes[off]);
        }
        text_draw(&a->txt, FACE_MONO, hex_px, th->ink, line, x0, y, 0);
    }
}

static void draw_inspector(Pen *pen)
{
    App *a = pen->a;
    SDL_Rect area = pen->d.inspector;
    if (area.w <= 0 || area.h <= 0)
        return;
    char title[400];
    if (a->inspect_packet && a->sel_hop >= 0 && (size_t)a->sel_hop < a->m->n_hops) {
        const ModelHop *h = &a->m->hops[a->sel_hop];
        snprintf(title, sizeof title, "Packet %llu: %s → %s", (unsigned long long)h->pkt,
                 a->m->world->nodes[h->from].id, a->m->world->nodes[h->to].id);
        SDL_Rect body = panel_frame(pen, area, title);
        SDL_RenderSetClipRect(a->r, &body);
        draw_packet_inspector(pen, body);
    } else if (a->sel_node >= 0) {
        snprintf(title, sizeof title, "%s", a->m->world->nodes[a->sel_node].id);
        SDL_Rect body = panel_frame(pen, area, title);
        SDL_RenderSetClipRect(a->r, &body);
        draw_node_inspector(pen, body);
    } else {
        SDL_Rect body = panel_frame(pen, area, "Inspector");
        SDL_RenderSetClipRect(a->r, &body);
        int w, h, wrap = body.w - pen->px;
        SDL_Texture *tex = text_get(&a->txt, FACE_SANS, pen->px, pen->th->faint, wrap,
                                    "Click a node to see its tables (zones, caches with their "
                                    "TTLs, TCP connections), or a packet or an event to see its "
                                    "bytes decoded. Keys: N next node, K this step's packet, R "
                                    "a table entry (a connection's window over time).",
                                    &w, &h);
        if (tex)
            SDL_RenderCopy(a->r, tex, NULL, &(SDL_Rect){body.x + pen->px / 2, body.y + 4, w, h});
    }
}

/* ---- help and status --------------------------------------------------- */

static const char *const help_lines[][2] = {
    {"Space", "play / pause"},
    {"→  ←", "next / previous step"},
    {"Shift+→  Shift+←", "one hop forward / back"},
    {"Home  End", "first / last step"},
    {"+  −", "faster / slower"},
    {"0", "normal speed, zoom and position"},
    {"P", "pause after each DNS answer"},
    {"H", "pace: time to read each caption / as the hops take"},
    {"Enter", "type a command at the prompt (Esc leaves it)"},
    {"↑  ↓  (at the prompt)", "earlier commands"},
    {"N  Shift+N", "inspect the next / previous node"},
    {"K", "inspect this step's packet; again: the next one"},
    {"R  Shift+R", "the node's next / previous table entry, with its plot"},
    {"↑  ↓", "move in the packet's fields"},
    {"E  C  I", "show / hide events, console, inspector"},
    {"Tab", "hide / show every panel (a packet open: its next layer)"},
    {"S", "sequence chart: beside the map, instead of it, off"},
    {"V  B  X", "event filter: protocol, selected node, hops"},
    {"PgUp  PgDn", "scroll the console (with Shift: the inspector)"},
    {"[  ]  Alt+arrows", "zoom out / in, move the network"},
    {"Ctrl+  Ctrl−  Ctrl+0", "larger / smaller / normal text"},
    {"T", "light / dark theme"},
    {"F11", "fullscreen"},
    {"Ctrl+S", "save the scenario with the typed commands"},
    {"F1  ?", "this help"},
    {"Esc", "close help, prompt or inspector"},
    {"Q", "quit"},
};

static void draw_help(Pen *big)
{
    App *a = big->a;
    const DrawTheme *th = big->th;
    size_t n = MN_ARRAY_LEN(help_lines);
    /* As large as the panels' text, but never taller than the window. */
    Pen small = *big, *pen = &small;
    double room = a->v.h - 2.0 * big->px, need = (double)(n + 2) * big->lh + big->px;
    if (need > room) { /* closer lines first, then smaller text, never under 16 px */
        pen->px = (int)fmax(DRAW_TEXT_MIN, floor(big->px * room / need));
        pen->lh = (int)lround(pen->px * 1.25);
    }
    int key_w = 0, val_w = 0, w, h;
    for (size_t i = 0; i < n; i++) {
        text_size(&a->txt, FACE_BOLD, pen->px, help_lines[i][0], &w, &h);
        key_w = w > key_w ? w : key_w;
        text_size(&a->txt, FACE_SANS, pen->px, help_lines[i][1], &w, &h);
        val_w = w > val_w ? w : val_w;
    }
    int bw = key_w + val_w + pen->px * 4, bh = (int)(n + 2) * pen->lh + pen->px;
    int bx = (a->v.w - bw) / 2, by = (a->v.h - bh) / 2;
    SDL_RenderSetClipRect(a->r, NULL);
    draw_fill_rect(a->r, bx - 2, by - 2, bw + 4, bh + 4, th->accent);
    draw_fill_rect(a->r, bx, by, bw, bh, th->panel_bg);
    int x = bx + pen->px, y = by + pen->px / 2;
    pen_put(pen, FACE_BOLD, th->ink, "Keys (F1 or ? to close)", x, y, 0);
    y += pen->lh * 3 / 2;
    for (size_t i = 0; i < n; i++, y += pen->lh) {
        pen_put(pen, FACE_BOLD, th->accent, help_lines[i][0], x, y, 0);
        pen_put(pen, FACE_SANS, th->ink, help_lines[i][1], x + key_w + pen->px * 2, y, 0);
    }
}

static void draw_status(Pen *pen)
{
    App *a = pen->a;
    if (a->status_left <= 0 || !a->status[0])
        return;
    SDL_RenderSetClipRect(a->r, NULL);
    int w, h;
    char buf[DRAW_MAX_BYTES + 8];
    const char *s = pen_clip(a->status, buf, sizeof buf);
    text_size(&a->txt, FACE_BOLD, pen->px, s, &w, &h);
    SDL_Rect net = pen->d.net;
    int x = net.x + (net.w - w) / 2, y = net.y + pen->px / 2;
    draw_fill_rect(a->r, x - pen->px, y - 2, w + 2 * pen->px, pen->lh + 4, pen->th->caption_bg);
    pen_put(pen, FACE_BOLD, pen->th->caption_ink, s, x, y, 0);
}

/* ---- the sequence chart ------------------------------------------------ */

/* The panel's width in chart units at a scale, and the rectangle the
 * chart is drawn in. */
static double chart_fit(const Pen *pen, SDL_Rect *clip, double scale)
{
    SDL_Rect area = pen->d.chart;
    *clip = (SDL_Rect){area.x + 1, area.y + pen->lh + 4, area.w - 1, area.h - pen->lh - 4};
    return fmax(1, clip->w / scale);
}

/* Built for the panel's width: every lifeline in it (or, with too many,
 * those around the current step), so it is built again when the width
 * changes, or the step when some are left out.  The chart's text is as
 * large as the panels' but never under the 16 px it is laid out for, and
 * large text gives way to lifelines: the text shrinks (to 16 px at least)
 * until every lifeline fits.  Beside the map the panel's width comes from
 * the chart (draw_rects, View.chart_need): a first build tells it. */
const Chart *panels_chart(App *a)
{
    Pen pen;
    pen_init(&pen, a);
    SDL_Rect clip;
    double big = fmax(1.0, pen.d.ts);
    if (a->chart && !a->chart_stale && a->chart_big == big &&
        fabs(a->chart_fit_w - chart_fit(&pen, &clip, a->chart_scale)) < 0.5 &&
        (!a->chart->n_hidden || a->chart_focus == a->p.step))
        return a->chart;
    if (!a->chart && a->chart_mode == 0)
        return NULL;
    for (int pass = 0; pass < 3; pass++) {
        double scale = big;
        double need = a->v.chart_need;
        chart_fit(&pen, &clip, 1);
        if (need > 0 && clip.w / need < big)
            scale = fmax(1.0, clip.w / need);
        chart_free(a->chart);
        ChartOpts o = {.fit_w = chart_fit(&pen, &clip, scale), .focus = a->p.step};
        a->chart = chart_build(&a->m->sim->trace, a->m->world, &o);
        a->chart_fit_w = o.fit_w;
        a->chart_scale = scale;
        if (fabs(a->chart->fit_need - a->v.chart_need) < 0.5)
            break;
        a->v.chart_need = a->chart->fit_need; /* the panel's width changes */
        pen_init(&pen, a);
    }
    a->chart_big = big;
    a->chart_stale = false;
    a->chart_focus = a->p.step;
    return a->chart;
}

/* The chart fitted to the panel's width; it follows the current step's
 * arrows down. */
void panels_chart_place(App *a, ChartPlace *pl)
{
    Pen pen;
    pen_init(&pen, a);
    const Chart *c = panels_chart(a);
    memset(pl, 0, sizeof *pl);
    pl->dark = a->v.dark;
    pl->step = a->p.step;
    pl->pin_names = true;
    chart_fit(&pen, &pl->clip, 1);
    double s = a->chart_scale > 0 ? a->chart_scale : 1;
    if (!c || pl->clip.w <= 0 || pl->clip.h <= 0)
        return;
    pl->scale = s;
    /* Across: centred, or following the current step's arrow. */
    int cur = chart_arrow_of_step(c, a->p.step ? a->p.step : 1);
    double over = c->width * s - pl->clip.w;
    pl->ox = pl->clip.x + (over < 0 ? -over / 2 : 0);
    if (over > 0 && cur >= 0) {
        const ChartArrow *ar = &c->arrows[cur];
        double want = pl->clip.x + pl->clip.w / 2.0 - (ar->x + ar->w / 2) * s;
        pl->ox = fmin(pl->clip.x, fmax(pl->clip.x - over, want));
    }
    /* Down: the current step's first arrow a third of the way down what
     * the names pinned at the top leave. */
    if (a->chart_follow || a->chart_step != a->p.step) {
        a->chart_follow = true;
        a->chart_step = a->p.step;
        double band = c->head_h, below = fmax(0, pl->clip.h / s - band);
        a->chart_top = cur >= 0 && a->p.step ? c->arrows[cur].y - band - below / 3 : 0;
    }
    double most = c->height - pl->clip.h / s;
    if (a->chart_top > most)
        a->chart_top = most;
    if (a->chart_top < 0)
        a->chart_top = 0;
    pl->oy = pl->clip.y - a->chart_top * s;
}

static void draw_chart(Pen *pen)
{
    App *a = pen->a;
    SDL_Rect area = pen->d.chart;
    if (area.w <= 0 || area.h <= 0)
        return;
    const Chart *c = panels_chart(a);
    char title[96];
    snprintf(title, sizeof title, "Sequence chart (%zu messages)", c ? c->n_arrows : 0);
    panel_frame(pen, area, title);
    ChartPlace pl;
    panels_chart_place(a, &pl);
    if (c && pl.scale > 0)
        chartview_draw(a->r, &a->txt, c, &pl, &a->chart_shown);
    SDL_RenderSetClipRect(a->r, NULL);
}

void panels_draw(App *a)
{
    Pen pen;
    pen_init(&pen, a);
    draw_chart(&pen);
    draw_events(&pen);
    draw_console(&pen);
    draw_inspector(&pen);
    if (a->help)
        draw_help(&pen);
    draw_status(&pen);
    SDL_RenderSetClipRect(a->r, NULL);
}

/* ---- the mouse --------------------------------------------------------- */

static bool run_has_proto(const Model *m, const char *proto)
{
    for (size_t i = 0; i < m->n_hops; i++)
        if (strcmp(m->hops[i].proto, proto) == 0)
            return true;
    return false;
}

size_t panels_filter_protos(const App *a, const char **out, size_t max)
{
    size_t n, k = 0;
    const ChartProto *rows = chart_protos(&n);
    for (size_t i = 0; i < n; i++)
        if (run_has_proto(a->m, rows[i].name)) {
            if (k < max)
                out[k] = rows[i].name;
            k++;
        }
    return k;
}

void panels_cycle_proto(App *a)
{
    const char *offer[32];
    size_t n = panels_filter_protos(a, offer, MN_ARRAY_LEN(offer)), i = 0;
    if (n > MN_ARRAY_LEN(offer))
        n = MN_ARRAY_LEN(offer);
    if (a->filter.proto)
        while (i < n && strcmp(offer[i], a->filter.proto) != 0)
            i++;
    else
        i = (size_t)-1; /* every protocol: the first row comes next */
    a->filter.proto = i + 1 < n ? offer[i + 1] : NULL;
    a->events_stale = true;
}

bool panels_click(App *a, int x, int y)
{
    Pen pen;
    pen_init(&pen, a);
    if (a->help) {
        a->help = false;
        return true;
    }
    if (rect_has(&pen.d.chart, x, y)) {
        ChartPlace pl;
        panels_chart_place(a, &pl);
        int i = a->chart ? chartview_arrow_at(a->chart, &pl, x, y) : -1;
        if (i >= 0) {
            player_goto_step(&a->p, a->chart->arrows[i].step);
            app_select_hop(a, a->chart->arrows[i].hop);
            a->chart_follow = false;
            a->chart_step = a->p.step;
        }
        return true;
    }
    if (rect_has(&pen.d.events, x, y)) {
        if (rect_has(&a->chip_proto, x, y)) {
            panels_cycle_proto(a);
        } else if (rect_has(&a->chip_node, x, y)) {
            app_toggle_node_filter(a);
        } else if (rect_has(&a->chip_hops, x, y)) {
            a->filter.hops = !a->filter.hops;
            a->events_stale = true;
        } else {
            int i = event_row_at(&pen, y);
            if (i >= 0) {
                const EventRow *e = &a->events.rows[i];
                player_goto_step(&a->p, e->step);
                int hop = e->is_hop ? (int)e->hop : inspect_step_hop(a->m, e->step);
                if (hop >= 0)
                    app_select_hop(a, hop);
            }
        }
        return true;
    }
    if (rect_has(&pen.d.console, x, y)) {
        SDL_Rect prompt = pen.d.console;
        prompt.y = prompt.y + prompt.h - pen.lh - 4;
        if (rect_has(&prompt, x, y))
            app_start_typing(a, true);
        return true;
    }
    if (rect_has(&pen.d.inspector, x, y)) {
        if (a->inspect_packet && a->sel_hop >= 0 && rect_has(&a->tree_rect, x, y)) {
            /* The shown line under the pointer; a layer's line opens or
             * closes its layer. */
            int want = a->inspect_top + (y - a->tree_rect.y) / pen.lh, k = 0;
            for (int i = 0; i < (int)a->tree.n; i++) {
                if (!app_field_shown(a, i))
                    continue;
                if (k++ != want)
                    continue;
                if (a->tree.f[i].depth == 0 && a->sel_field == i)
                    app_toggle_section(a, i);
                else if (a->tree.f[i].depth == 0 && !app_field_shown(a, i + 1))
                    app_toggle_section(a, i);
                a->sel_field = i;
                break;
            }
        } else if (!a->inspect_packet && a->sel_node >= 0 && y >= pen.d.inspector.y + pen.lh + 4) {
            /* A table's entry: selected, or unselected when clicked again. */
            for (size_t i = 0; i < a->n_row_hits; i++) {
                const RowHit *h = &a->row_hits[i];
                if (y < h->y || y >= h->y + h->h)
                    continue;
                bool same = a->sel_table && strcmp(a->sel_table, h->table) == 0 &&
                            strcmp(a->sel_key, h->key) == 0;
                app_select_row(a, same ? NULL : h->table, same ? NULL : h->key);
                break;
            }
        }
        return true;
    }
    return false;
}

bool panels_wheel(App *a, int x, int y, int dy)
{
    Pen pen;
    pen_init(&pen, a);
    if (rect_has(&pen.d.chart, x, y)) {
        a->chart_top -= dy * 3 * 46.0; /* three rows */
        a->chart_follow = false;
        a->chart_step = a->p.step;
        return true;
    }
    if (rect_has(&pen.d.events, x, y)) {
        if (a->events_top > (int)a->events.n - 1)
            a->events_top = (int)a->events.n - 1;
        if (a->events_top < 0)
            a->events_top = 0;
        a->events_follow = false;
        return true;
    }
    if (rect_has(&pen.d.console, x, y)) {
        a->console_back += dy * 3;
        return true;
    }
    if (rect_has(&pen.d.inspector, x, y)) {
        a->inspect_top -= dy * 3;
        if (a->inspect_top < 0)
            a->inspect_top = 0;
        a->sel_field = a->inspect_packet ? -1 : a->sel_field;
        return true;
    }
    return false;
}
