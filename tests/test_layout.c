/* Tests for what the window draws where (src/gui/draw.c's label placement,
 * the text sizes of draw.c and panels.c), through the list `minet layout`
 * prints: on every bundled scenario at 1024×768, 1280×720, 1280×800,
 * 1366×768 and 1920×1080 (projectors' and laptops' sizes),
 * at steps across the run, no label covers another label, a node or a
 * packet's label, and no text is smaller than 16 px (packet labels 14 px,
 * the caption 24 px, the opening description 18 px), and the caption bar
 * shows its text whole; with the sequence chart beside the map or in its
 * place, no two icons touch, the chart's texts do not overlap, and it shows
 * every lifeline or says how many it leaves out; beside the map it shows
 * every lifeline, with the inspector open too from 1280×720 up. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>

#include "gui/app.h"
#include "gui/gui.h"
#include "gui/model.h"

#define FONTS "assets/fonts"

static const int sizes[][2] = {{1024, 768}, {1280, 720}, {1280, 800}, {1366, 768}, {1920, 1080}};

static bool on_map(const char *kind)
{
    return strcmp(kind, "node") == 0 || strcmp(kind, "node-label") == 0 ||
           strcmp(kind, "packet-label") == 0;
}

static bool overlap(const SDL_Rect *a, const SDL_Rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* The rules, on one frame's list; returns how many items were checked. */
static size_t check_frame(const TextLog *log, const char *where)
{
    for (size_t i = 0; i < log->n; i++) {
        const TextItem *a = &log->items[i];
        int least = strcmp(a->kind, "packet-label") == 0  ? 14
                    : strcmp(a->kind, "caption") == 0     ? 24
                    : strcmp(a->kind, "description") == 0 ? 18
                    : strcmp(a->kind, "node") == 0        ? 0
                                                          : 16;
        if (a->px < least)
            fail_msg("%s: %s \"%s\" is %d px, under %d", where, a->kind, a->id, a->px, least);
        if (!on_map(a->kind) || strcmp(a->kind, "node") == 0)
            continue;
        for (size_t j = 0; j < log->n; j++) {
            const TextItem *b = &log->items[j];
            if (j == i || !on_map(b->kind))
                continue;
            /* A label's own lines sit one under another. */
            if (strcmp(a->kind, "node-label") == 0 && strcmp(b->kind, "node-label") == 0 &&
                strcmp(a->id, b->id) == 0)
                continue;
            if (overlap(&a->rect, &b->rect))
                fail_msg("%s: %s \"%s\" [%d %d %d %d] covers %s \"%s\" [%d %d %d %d]", where,
                         a->kind, a->id, a->rect.x, a->rect.y, a->rect.w, a->rect.h, b->kind, b->id,
                         b->rect.x, b->rect.y, b->rect.w, b->rect.h);
        }
    }
    return log->n;
}

/* Every node has its name on the map, where the window is 1280 pixels
 * wide or more (1366 for the opening view, whose description takes half
 * of a 1280×720 window's height) and the step shows at most three packets' labels (a burst
 * of segments may crowd names out; the inspector names those nodes). */
static void check_named(const TextLog *log, const char *where)
{
    size_t packets = 0;
    for (size_t i = 0; i < log->n; i++)
        packets += strcmp(log->items[i].kind, "packet-label") == 0;
    if (packets > 3)
        return;
    for (size_t i = 0; i < log->n; i++) {
        if (strcmp(log->items[i].kind, "node") != 0)
            continue;
        bool named = false;
        for (size_t j = 0; j < log->n && !named; j++)
            named = strcmp(log->items[j].kind, "node-label") == 0 &&
                    strcmp(log->items[j].id, log->items[i].id) == 0;
        if (!named)
            fail_msg("%s: node \"%s\" has no name on the map", where, log->items[i].id);
    }
}

/* With the sequence chart open: no two icons touch, no two of the chart
 * panel's texts overlap, and the chart shows every lifeline or those of
 * the current step at least, saying how many it leaves out. */
static void check_chart_frame(const App *a, const TextLog *log, const char *where)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    for (size_t i = 0; i < log->n; i++) {
        const TextItem *p = &log->items[i];
        bool node = strcmp(p->kind, "node") == 0;
        bool in_chart = strcmp(p->kind, "panel-text") == 0 && overlap(&p->rect, &d.chart);
        if (!node && !in_chart)
            continue;
        for (size_t j = i + 1; j < log->n; j++) {
            const TextItem *q = &log->items[j];
            if (strcmp(q->kind, p->kind) != 0 || (in_chart && !overlap(&q->rect, &d.chart)))
                continue;
            if (overlap(&p->rect, &q->rect))
                fail_msg("%s, chart open: %s \"%s\" [%d %d %d %d] covers \"%s\" [%d %d %d %d]",
                         where, p->kind, p->id, p->rect.x, p->rect.y, p->rect.w, p->rect.h, q->id,
                         q->rect.x, q->rect.y, q->rect.w, q->rect.h);
        }
    }
    const Chart *c = a->chart;
    assert_non_null(c);
    size_t hidden = 0;
    for (size_t i = 0; i < c->n_lives; i++) {
        hidden += c->lives[i].hidden;
        /* A shown lifeline lies inside the panel. */
        if (!c->lives[i].hidden && c->lives[i].x > a->chart_fit_w)
            fail_msg("%s: lifeline %zu at %.0f, outside a panel %.0f wide", where, i, c->lives[i].x,
                     a->chart_fit_w);
    }
    assert_int_equal(hidden, c->n_hidden);
    for (size_t k = 0; k < c->n_arrows; k++)
        if (c->arrows[k].step == a->chart_focus && a->chart_focus &&
            (c->lives[c->arrows[k].from].hidden || c->lives[c->arrows[k].to].hidden))
            fail_msg("%s: arrow %u of the current step goes to a lifeline not shown", where,
                     c->arrows[k].number);
    if (hidden) {
        char more[32];
        snprintf(more, sizeof more, "+%zu", hidden);
        bool said = false;
        for (size_t i = 0; i < log->n; i++)
            said |= strcmp(log->items[i].id, more) == 0;
        if (!said)
            fail_msg("%s: %zu lifelines left out without \"%s more\"", where, hidden, more);
    }
}

/* The chart beside the map, every panel open: it shows every lifeline of
 * the bundled (lecture) scenarios, in the event list's and console's
 * column, leaving the map at least a quarter of the width; the inspector
 * keeps its column where the window has room for it. */
static void check_beside(const App *a, const char *where)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    const Chart *c = a->chart;
    if (c->n_hidden)
        fail_msg("%s: %zu of %zu lifelines left out", where, c->n_hidden, c->n_lives);
    if (d.net.w < a->v.w / 4 || d.events.w || d.console.w)
        fail_msg("%s: the map %d px wide, the event list %d, the console %d", where, d.net.w,
                 d.events.w, d.console.w);
    if (d.chart.x + d.chart.w != a->v.w || d.net.x + d.net.w != d.chart.x)
        fail_msg("%s: the chart is not at the right of the map", where);
    if (a->v.w >= 1280 && c->n_lives <= 11 && d.inspector.w < a->v.w / 5)
        fail_msg("%s: the inspector %d px wide beside %zu lifelines", where, d.inspector.w,
                 c->n_lives);
}

/* The caption bar shows its text whole: the step's caption, or before the
 * first step the scenario's description (the title without one). */
static void check_caption_whole(App *a, const TextLog *log, const char *where)
{
    const char *body =
        a->p.step == 0 ? (a->m->world->description ? a->m->world->description : a->m->world->title)
                       : a->m->steps[a->p.step - 1].text;
    DrawRects d;
    draw_rects(&a->v, &d);
    int wrap = d.caption.w - 2 * (int)(20 * d.ui);
    for (size_t i = 0; i < log->n; i++) {
        const TextItem *it = &log->items[i];
        if (strcmp(it->kind, a->p.step == 0 ? "description" : "caption") != 0)
            continue;
        int w, h;
        text_get(&a->txt, FACE_SANS, it->px, (SDL_Color){255, 255, 255, 255}, wrap, body, &w, &h);
        if (it->rect.h < h)
            fail_msg("%s: the caption shows %d px of its %d at %d px", where, it->rect.h, h,
                     it->px);
        return;
    }
    fail_msg("%s: no caption", where);
}

/* The header's title and status do not cover each other. */
static void check_header(const App *a, const TextLog *log, const char *where)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    for (size_t i = 0; i < log->n; i++) {
        const TextItem *p = &log->items[i];
        if (p->rect.y + p->rect.h > d.header.y + d.header.h)
            continue;
        for (size_t j = i + 1; j < log->n; j++) {
            const TextItem *q = &log->items[j];
            if (q->rect.y + q->rect.h <= d.header.y + d.header.h && overlap(&p->rect, &q->rect))
                fail_msg("%s: in the header, \"%s\" covers \"%s\"", where, p->id, q->id);
        }
    }
}

static void check_scenario(const char *path)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_non_null(m);
    for (size_t k = 0; k < MN_ARRAY_LEN(sizes); k++) {
        int w = sizes[k][0], h = sizes[k][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
        SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
        assert_non_null(r);
        App a;
        char why[256];
        /* The App owns its model: the first size takes m, the others load
         * their own. */
        Model *mine = k == 0 ? m : NULL;
        if (!mine) {
            errors_init(&errs);
            mine = model_load(path, &errs);
            errors_fini(&errs);
        }
        if (!app_init(&a, mine, r, FONTS, why, sizeof why))
            fail_msg("%s", why);
        size_t n = a.m->n_steps, samples = n < 12 ? n : 12;
        TextLog log = {0};
        for (size_t i = 0; i <= samples; i++) {
            uint32_t step =
                i == 0 ? 0 : (uint32_t)(1 + (n - 1) * (i - 1) / (samples ? samples : 1));
            if (step) {
                player_goto_step(&a.p, step);
                a.p.t = player_step_middle(&a.p, step);
            }
            app_frame(&a, 0);
            log.n = 0;
            a.txt.log = &log;
            app_frame(&a, 0);
            a.txt.log = NULL;
            char where[640];
            snprintf(where, sizeof where, "%s at %dx%d, step %u", path, w, h, step);
            assert_true(check_frame(&log, where) > 0);
            if (w >= 1366 || (w >= 1280 && step > 0))
                check_named(&log, where);
            check_caption_whole(&a, &log, where);
            check_header(&a, &log, where);
            /* The chart beside the map, then in its place. */
            for (int mode = 1; mode <= 2 && i % 3 == 0; mode++) {
                a.chart_mode = mode;
                app_frame(&a, 0);
                log.n = 0;
                a.txt.log = &log;
                app_frame(&a, 0);
                a.txt.log = NULL;
                snprintf(where, sizeof where, "%s at %dx%d, step %u, chart %s", path, w, h, step,
                         mode == 1 ? "beside the map" : "in its place");
                check_frame(&log, where);
                check_chart_frame(&a, &log, where);
                if (mode == 1)
                    check_beside(&a, where);
                else if (a.chart->n_hidden) /* in the map's place: all of them too */
                    fail_msg("%s: %zu of %zu lifelines left out", where, a.chart->n_hidden,
                             a.chart->n_lives);
            }
            a.chart_mode = 0;
        }
        text_log_fini(&log);
        app_fini(&a);
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(s);
    }
}

/* A star of 200 hosts (as minet-bench-gui makes it): the hosts wrap into
 * rows of at most 16, about as many rows as across, instead of one row of
 * 199 specks; at 1024×768 with every panel open no two icons overlap and
 * each is at least 7 px across. */
static void test_star_wraps(void **state)
{
    (void)state;
    char path[] = "/tmp/minet-test-star-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"minet\": 1, \"title\": \"star\", \"nodes\": [");
    fprintf(f, "{\"id\": \"r\", \"role\": \"router\", \"ip\": [");
    for (int i = 1; i < 200; i++)
        fprintf(f, "%s\"10.%d.%d.1\"", i > 1 ? ", " : "", i / 250, i % 250);
    fprintf(f, "]}");
    for (int i = 1; i < 200; i++)
        fprintf(f, ", {\"id\": \"h%d\", \"role\": \"host\", \"ip\": \"10.%d.%d.2\"}", i, i / 250,
                i % 250);
    fprintf(f, "], \"links\": [");
    for (int i = 1; i < 200; i++)
        fprintf(f, "%s{\"between\": [\"r\", \"h%d\"]}", i > 1 ? ", " : "", i);
    fprintf(
        f, "], \"script\": [{\"at\": \"0s\", \"on\": \"h1\", \"run\": \"ping -c 1 10.0.2.2\"}]}\n");
    fclose(f);
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    unlink(path);
    assert_non_null(m);
    int across[64] = {0}, rows = 0;
    for (size_t i = 1; i < m->world->n_nodes; i++) {
        assert_true(m->layer[i] >= 1 && m->layer[i] < 64);
        across[m->layer[i]]++;
        rows = m->layer[i] > rows ? m->layer[i] : rows;
    }
    assert_int_equal(m->layer[0], 0); /* the router above its hosts */
    assert_true(rows >= 12 && rows <= 16);
    for (int r = 1; r <= rows; r++)
        assert_true(across[r] >= 1 && across[r] <= 16);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1024, 768, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    TextLog log = {0};
    app_frame(&a, 0);
    a.txt.log = &log;
    app_frame(&a, 0);
    a.txt.log = NULL;
    size_t icons = 0;
    for (size_t i = 0; i < log.n; i++) {
        const TextItem *p = &log.items[i];
        if (strcmp(p->kind, "node") != 0)
            continue;
        icons++;
        if (p->rect.w < 7)
            fail_msg("icon %s only %d px wide", p->id, p->rect.w);
        for (size_t j = i + 1; j < log.n; j++)
            if (strcmp(log.items[j].kind, "node") == 0 && overlap(&p->rect, &log.items[j].rect))
                fail_msg("icons %s and %s overlap", p->id, log.items[j].id);
    }
    assert_int_equal(icons, 200);
    text_log_fini(&log);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static void test_every_scenario(void **state)
{
    (void)state;
    DIR *d = opendir("scenarios");
    assert_non_null(d);
    size_t done = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        check_scenario(path);
        done++;
    }
    closedir(d);
    assert_true(done >= 10);
}

/* A packet label is what the step is about: it keeps its place, and a
 * node's name moves aside for it. */
static void test_packet_label_kept(void **state)
{
    (void)state;
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/dns_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1024, 768, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    for (uint32_t step = 1; step <= 13; step++) {
        player_goto_step(&a.p, step);
        a.p.t = player_step_middle(&a.p, step);
        TextLog log = {0};
        app_frame(&a, 0);
        a.txt.log = &log;
        app_frame(&a, 0);
        a.txt.log = NULL;
        size_t labels = 0, captions = 0;
        for (size_t i = 0; i < log.n; i++) {
            labels += strcmp(log.items[i].kind, "packet-label") == 0;
            captions += strcmp(log.items[i].kind, "caption") == 0;
        }
        int hop = a.m->step_hop[step - 1];
        if (hop >= 0 && model_hop_frac(&a.m->hops[hop], a.p.t) >= 0)
            assert_true(labels >= 1);
        assert_int_equal(captions, 1);
        text_log_fini(&log);
    }
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* The steps' caption bar is as tall as the longest step's caption needs:
 * a long description takes its room before the first step only.  At
 * 1024×768 the lecture's 863-character description needs 12 lines, its
 * longest step 5: the map is a quarter taller from step 1 on. */
static void test_description_room(void **state)
{
    (void)state;
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/dns_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1024, 768, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    DrawRects opening, step, back;
    app_frame(&a, 0);
    draw_rects(&a.v, &opening);
    player_goto_step(&a.p, 1);
    app_frame(&a, 0);
    draw_rects(&a.v, &step);
    player_goto_step(&a.p, 0);
    app_frame(&a, 0);
    draw_rects(&a.v, &back);
    assert_true(opening.caption.h > 768 / 3);
    assert_true(step.caption.h < 768 * 3 / 10);
    assert_true(step.net.h > opening.net.h * 5 / 4);
    assert_int_equal(back.caption.h, opening.caption.h);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* A title longer than the header's room beside the status ends with "…"
 * after a word instead of running under it (mail_lecture's, at 1024×768
 * with text half as large again). */
static void test_long_title(void **state)
{
    (void)state;
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/mail_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1024, 768, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    a.v.text_scale = 1.5;
    TextLog log = {0};
    app_frame(&a, 0);
    a.txt.log = &log;
    app_frame(&a, 0);
    a.txt.log = NULL;
    check_header(&a, &log, "mail_lecture at 1024x768, text 1.5");
    bool cut = false;
    for (size_t i = 0; i < log.n; i++)
        cut |= strcmp(log.items[i].id, "Alice sends Bob a message: user…") == 0;
    assert_true(cut);
    text_log_fini(&log);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

/* The lecture drawn at w×h at a step, with a node inspected (NULL: none):
 * what it draws in log, where its panels are in d. */
typedef struct Drawn {
    SDL_Surface *s;
    SDL_Renderer *r;
    App a;
    TextLog log;
    DrawRects d;
} Drawn;

static void draw_lecture(Drawn *dr, int w, int h, uint32_t step, const char *node)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/dns_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    dr->s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    dr->r = SDL_CreateSoftwareRenderer(dr->s);
    char why[256];
    if (!app_init(&dr->a, m, dr->r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    player_goto_step(&dr->a.p, step);
    if (node)
        app_select_node(&dr->a, world_find_node(dr->a.m->world, node));
    dr->log = (TextLog){0};
    app_frame(&dr->a, 0);
    dr->a.txt.log = &dr->log;
    app_frame(&dr->a, 0);
    dr->a.txt.log = NULL;
    draw_rects(&dr->a.v, &dr->d);
}

static void drawn_fini(Drawn *dr)
{
    text_log_fini(&dr->log);
    app_fini(&dr->a);
    SDL_DestroyRenderer(dr->r);
    SDL_FreeSurface(dr->s);
}

/* The lecture at step 8 at a size: whether the event list shows each of
 * texts[0..n) whole (drawn as it is, not cut with "…"). */
static void event_row_texts(int w, int h, const char *const *texts, bool *shown, size_t n)
{
    Drawn dr;
    draw_lecture(&dr, w, h, 8, NULL);
    for (size_t k = 0; k < n; k++) {
        shown[k] = false;
        for (size_t i = 0; i < dr.log.n; i++)
            shown[k] |= dr.log.items[i].rect.x >= dr.d.events.x &&
                        strcmp(dr.log.items[i].id, texts[k]) == 0;
    }
    drawn_fini(&dr);
}

/* In the event list who sends to whom comes first: whole wherever the
 * column holds it (in the plain face where the bold would be cut), and a
 * step's time at the right only where room is left; at 1024×768 the
 * longest names are cut, the short ones still whole. */
static void test_event_names_first(void **state)
{
    (void)state;
    const char *texts[] = {"local-dns → campus", "a.edu-servers.net → internet",
                           "ns1.montana.edu → internet", "0.154073 s", "0.064026 s"};
    bool shown[MN_ARRAY_LEN(texts)];
    event_row_texts(1024, 768, texts, shown, MN_ARRAY_LEN(texts));
    assert_true(shown[0]);
    assert_false(shown[2]);
    assert_true(shown[3]); /* step 9 sends no packet: its time has room */
    assert_false(shown[4]);
    for (size_t i = 1; i < MN_ARRAY_LEN(sizes); i++) { /* sizes[0] is 1024×768 */
        event_row_texts(sizes[i][0], sizes[i][1], texts, shown, MN_ARRAY_LEN(texts));
        for (size_t k = 0; k < 4; k++)
            if (!shown[k])
                fail_msg("at %dx%d the event list does not show \"%s\" whole", sizes[i][0],
                         sizes[i][1], texts[k]);
    }
}

/* A router's interfaces in the inspector: a line too long for the panel
 * goes on after a field ("to laptop:eth0" after the address and MAC),
 * not cut with "…", at every window size. */
static void test_inspector_values_wrap(void **state)
{
    (void)state;
    for (size_t k = 0; k < MN_ARRAY_LEN(sizes); k++) {
        Drawn dr;
        draw_lecture(&dr, sizes[k][0], sizes[k][1], 8, "campus");
        bool to_laptop = false;
        for (size_t i = 0; i < dr.log.n; i++) {
            const TextItem *p = &dr.log.items[i];
            if (p->rect.x >= dr.d.inspector.x + dr.d.inspector.w)
                continue;
            to_laptop |= strstr(p->id, "to laptop:eth0") != NULL;
            if (strstr(p->id, "…"))
                fail_msg("at %dx%d the inspector cuts \"%s\"", sizes[k][0], sizes[k][1], p->id);
        }
        if (!to_laptop)
            fail_msg("at %dx%d the inspector does not show \"to laptop:eth0\"", sizes[k][0],
                     sizes[k][1]);
        drawn_fini(&dr);
    }
}

/* At 1024×768 the inspector's cache rows show their names and values
 * whole: a TTL that does not fit beside the key goes beside the value, or
 * under both, and no two of the inspector's texts overlap. */
static void test_inspector_rows_whole(void **state)
{
    (void)state;
    Drawn dr;
    draw_lecture(&dr, 1024, 768, 12, "local-dns");
    /* "www.montana.edu. CNAME" is too long for the panel: its type goes
     * on a second line, not cut */
    const char *whole[] = {"a.edu-servers.net. A",
                           "montana.edu. NS",
                           "ns1.montana.edu.",
                           "ns1.montana.edu. A",
                           "153.90.1.1",
                           "www.montana.edu.",
                           "CNAME"};
    for (size_t k = 0; k < MN_ARRAY_LEN(whole); k++) {
        /* Drawn, and not cut by a clip: as wide as the text, at least in
         * the plain face (the bold is wider). */
        int w, h;
        bool found = false;
        for (size_t i = 0; i < dr.log.n; i++)
            if (strcmp(dr.log.items[i].id, whole[k]) == 0) {
                text_size(&dr.a.txt, FACE_SANS, dr.log.items[i].px, whole[k], &w, &h);
                found |= dr.log.items[i].rect.w >= w;
            }
        if (!found)
            fail_msg("the inspector does not show \"%s\" whole", whole[k]);
    }
    for (size_t i = 0; i < dr.log.n; i++) {
        const TextItem *p = &dr.log.items[i];
        if (p->rect.x + p->rect.w > dr.d.inspector.x + dr.d.inspector.w ||
            p->rect.y < dr.d.inspector.y)
            continue;
        for (size_t j = i + 1; j < dr.log.n; j++) {
            const TextItem *q = &dr.log.items[j];
            if (q->rect.x + q->rect.w <= dr.d.inspector.x + dr.d.inspector.w &&
                q->rect.y >= dr.d.inspector.y && overlap(&p->rect, &q->rect))
                fail_msg("in the inspector \"%s\" covers \"%s\"", p->id, q->id);
        }
    }
    drawn_fini(&dr);
}

/* At 1024×768 the console keeps words whole ("153.90.127.197" is never
 * split), and the event list ends a cut caption after a word, with "…". */
static void test_words_whole(void **state)
{
    (void)state;
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/dns_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1024, 768, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    player_goto_step(&a.p, 14);
    TextLog log = {0};
    app_frame(&a, 0);
    a.txt.log = &log;
    app_frame(&a, 0);
    a.txt.log = NULL;
    bool whole = false, cut = false;
    for (size_t i = 0; i < log.n; i++) {
        const char *t = log.items[i].id;
        whole |= strstr(t, "153.90.127.197") != NULL;
        assert_null(strstr(t, "153. "));
        size_t n = strlen(t), e = strlen("…");
        if (n > e && strcmp(t + n - e, "…") == 0) {
            cut = true;
            /* What is left is the caption's text up to the end of a word. */
            char head[128];
            snprintf(head, sizeof head, "%.*s", (int)(n - e), t);
            bool found = false;
            /* The prompt's hint is cut the same way. */
            const char *hint = "Enter: type a command (host, dig, nslookup, ping, down …)";
            for (size_t k = 0; k <= a.m->n_steps && !found; k++) {
                const char *c = k < a.m->n_steps ? a.m->steps[k].text : hint;
                size_t h = strlen(head);
                if (strncmp(c, head, h) == 0)
                    found = c[h] == ' ' || c[h] == ',' || c[h] == ':' || c[h - 1] == ',' ||
                            c[h - 1] == ':';
            }
            if (strstr(t, "→") == NULL && strchr(t, ' ') && !found)
                fail_msg("\"%s\" is cut inside a word", t);
        }
    }
    assert_true(whole);
    assert_true(cut);
    text_log_fini(&log);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static void key(App *a, SDL_Keycode sym, Uint16 mod)
{
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    app_handle_event(a, &e);
}

static int field_starting(const App *a, const char *prefix)
{
    for (size_t i = 0; i < a->tree.n; i++)
        if (strncmp(a->tree.f[i].text, prefix, strlen(prefix)) == 0)
            return (int)i;
    return -1;
}

/* The packet inspector: Frame, Ethernet, IPv4 and UDP closed, DNS open;
 * Tab reaches the DNS layer in four keys; a click on a layer's line opens
 * or closes it; the inspector widens while a packet is open. */
static void test_packet_sections(void **state)
{
    (void)state;
    Errors errs;
    errors_init(&errs);
    Model *m = model_load("scenarios/dns_lecture.json", &errs);
    errors_fini(&errs);
    assert_non_null(m);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App a;
    char why[256];
    if (!app_init(&a, m, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    player_goto_step(&a.p, 6);
    app_frame(&a, 0);
    DrawRects before;
    draw_rects(&a.v, &before);
    key(&a, SDLK_k, 0); /* this step's packet */
    app_frame(&a, 0);
    DrawRects after;
    draw_rects(&a.v, &after);
    assert_true(after.inspector.w > before.inspector.w);
    int version = field_starting(&a, "0100 .... = Version"), dns = field_starting(&a, "Domain");
    int ns = field_starting(&a, "montana.edu: type NS");
    assert_true(version > 0 && dns > 0 && ns > dns);
    assert_false(app_field_shown(&a, version));
    assert_true(app_field_shown(&a, ns));
    assert_true(app_field_shown(&a, field_starting(&a, "Internet Protocol")));
    /* Tab: Frame, Ethernet II, IPv4, UDP, DNS. */
    int presses = 0;
    while (a.sel_field != dns && presses < 10) {
        key(&a, SDLK_TAB, 0);
        presses++;
    }
    assert_int_equal(a.sel_field, dns);
    assert_true(presses <= 5);
    assert_false(a.panels_hidden); /* Tab went to the sections, not the panels */
    /* Tab opened the layers it passed through; Shift+Tab goes back. */
    assert_true(app_field_shown(&a, version));
    key(&a, SDLK_TAB, KMOD_LSHIFT);
    assert_int_equal(a.sel_field, field_starting(&a, "User Datagram"));
    /* Closing IPv4 hides its fields, and ↓ skips them. */
    int ip = field_starting(&a, "Internet Protocol");
    app_toggle_section(&a, ip);
    assert_false(app_field_shown(&a, version));
    a.sel_field = ip;
    key(&a, SDLK_DOWN, 0);
    assert_true(a.sel_field > version);
    app_frame(&a, 0);
    /* Without a packet, Tab hides the panels as before. */
    key(&a, SDLK_ESCAPE, 0);
    app_frame(&a, 0);
    app_select_hop(&a, -1);
    app_frame(&a, 0);
    key(&a, SDLK_TAB, 0);
    assert_true(a.panels_hidden);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

static char *copy_to(const char *dir, const char *name, const char *from, const char *insert)
{
    char *path = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&path, &size);
    fprintf(out, "%s/%s", dir, name);
    fclose(out);
    FILE *in = fopen(from, "rb"), *o = fopen(path, "wb");
    assert_true(in && o);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    buf[n] = '\0';
    /* insert goes right after the opening brace. */
    fprintf(o, "{%s%s", insert, buf + 1);
    fclose(in);
    fclose(o);
    return path;
}

/* "layout": "hierarchy" ignores "pos"; a node dragged in the window is
 * saved with Ctrl+S as every node's "pos", and the saved file opens with
 * the node where it was left. */
static void test_layout_key_and_drag(void **state)
{
    (void)state;
    char dir[] = "/tmp/minet-layout-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *given = copy_to(dir, "given.json", "scenarios/net_ping.json", "");
    char *tree = copy_to(dir, "tree.json", "scenarios/net_ping.json", "\"layout\": \"hierarchy\",");
    Errors errs;
    errors_init(&errs);
    Model *a = model_load(given, &errs), *b = model_load(tree, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_true(a && b);
    int laptop = world_find_node(a->world, "laptop");
    assert_true(a->x[laptop] < 0.06); /* its "pos" is the leftmost */
    bool differs = false;
    for (size_t i = 0; i < a->world->n_nodes; i++)
        differs |= a->x[i] != b->x[i] || a->y[i] != b->y[i];
    assert_true(differs);
    model_free(b);

    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    App app;
    char why[256];
    if (!app_init(&app, a, r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    app_frame(&app, 0);
    char path[1024];
    assert_false(app_save(&app, path, sizeof path)); /* nothing typed or moved */
    double x, y;
    /* r1 stands inside the others' box: moved a little, it stays inside,
     * and the saved positions fit the window as they were shown. */
    int r1 = world_find_node(app.m->world, "r1");
    draw_node_xy(app.m, &app.v, r1, &x, &y);
    double before_x = app.m->x[r1];
    SDL_Event e = {0};
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = (int)x, e.button.y = (int)y;
    app.mouse_scale_x = app.mouse_scale_y = 1;
    app_handle_event(&app, &e);
    e = (SDL_Event){0};
    e.type = SDL_MOUSEMOTION;
    e.motion.x = (int)x + 40, e.motion.y = (int)y - 20;
    app_handle_event(&app, &e);
    e = (SDL_Event){0};
    e.type = SDL_MOUSEBUTTONUP;
    e.button.button = SDL_BUTTON_LEFT;
    app_handle_event(&app, &e);
    double moved_x = app.m->x[r1], moved_y = app.m->y[r1];
    assert_true(moved_x > before_x + 0.01);
    assert_true(app.moved);
    assert_true(app_save(&app, path, sizeof path));
    errors_init(&errs);
    Model *c = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_non_null(c);
    for (size_t i = 0; i < c->world->n_nodes; i++)
        assert_true(c->world->nodes[i].has_pos);
    assert_true(fabs(c->x[r1] - moved_x) < 0.01);
    assert_true(fabs(c->y[r1] - moved_y) < 0.01);
    model_free(c);
    app_fini(&app);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
    unlink(path);
    unlink(given);
    unlink(tree);
    rmdir(dir);
    free(given);
    free(tree);
}

int main(void)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_label_kept),
        cmocka_unit_test(test_words_whole),
        cmocka_unit_test(test_layout_key_and_drag),
        cmocka_unit_test(test_packet_sections),
        cmocka_unit_test(test_star_wraps),
        cmocka_unit_test(test_every_scenario),
        cmocka_unit_test(test_description_room),
        cmocka_unit_test(test_long_title),
        cmocka_unit_test(test_event_names_first),
        cmocka_unit_test(test_inspector_rows_whole),
        cmocka_unit_test(test_inspector_values_wrap),
    };
    int st = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    return st;
}
