/* Tests for the sequence chart (src/io/chart.c) and the window's chart
 * panel (src/gui/chart_view.c, panels.c): the arrows are the messages of
 * the run, numbered and labelled as the map labels them, and the panel
 * shows the arrows the SVG writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <SDL.h>

#include "core/sim.h"
#include "gui/app.h"
#include "gui/gui.h"
#include "gui/model.h"
#include "io/chart.h"

#define FONTS "assets/fonts"

static Model *load(const char *path)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_non_null(m);
    return m;
}

static const char *life_name(const Model *m, const Chart *c, int life)
{
    return m->world->nodes[c->lives[life].node].id;
}

static char *svg_of(const Chart *c)
{
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    assert_non_null(f);
    assert_true(chart_write_svg(c, f));
    fclose(f);
    return data;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The lecture's first lookup is the textbook's figure: ten messages,
 * numbered 1 to 10, between five lifelines in the order they join. */
static void test_lecture_first_lookup(void **state)
{
    (void)state;
    Model *m = load("scenarios/dns_lecture.json");
    ChartOpts o = {.first = 1, .last = 13};
    Chart *c = chart_build(&m->sim->trace, m->world, &o);
    assert_int_equal(c->n_arrows, 10);
    assert_int_equal(c->n_lives, 5);
    const char *order[] = {"laptop", "local-dns", "a.root-servers.net", "a.edu-servers.net",
                           "ns1.montana.edu"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(life_name(m, c, (int)i), order[i]);
    for (size_t i = 0; i < c->n_arrows; i++) {
        assert_int_equal(c->arrows[i].number, i + 1);
        /* The map's label for the same packet. */
        assert_string_equal(c->arrows[i].label, m->hops[c->arrows[i].hop].label);
        assert_true(c->lives[c->arrows[i].from].x != c->lives[c->arrows[i].to].x);
        if (i)
            assert_true(c->arrows[i].y > c->arrows[i - 1].y);
    }
    assert_string_equal(c->arrows[0].label, "A? www.montana.edu");
    assert_false(c->arrows[0].response);
    assert_string_equal(c->arrows[2].label, "referral: edu");
    assert_true(c->arrows[2].response);
    assert_string_equal(life_name(m, c, c->arrows[2].from), "a.root-servers.net");
    assert_string_equal(life_name(m, c, c->arrows[2].to), "local-dns");
    assert_int_equal(c->arrows[2].step, 4);
    assert_int_equal(chart_arrow_of_step(c, 4), 2);
    assert_int_equal(chart_arrow_of_step(c, 2), 1); /* no arrow: the next step's */
    /* No label covers the next lifeline's name or runs off the chart. */
    for (size_t i = 0; i < c->n_arrows; i++)
        assert_true(c->arrows[i].x >= 0 && c->arrows[i].x + c->arrows[i].w <= c->width);
    chart_free(c);
    model_free(m);
}

/* Routers unfolded: the same messages hop by hop, with campus and
 * internet on lifelines of their own. */
static void test_routers(void **state)
{
    (void)state;
    Model *m = load("scenarios/dns_lecture.json");
    ChartOpts o = {.first = 1, .last = 13, .routers = true};
    Chart *c = chart_build(&m->sim->trace, m->world, &o);
    size_t hops = 0;
    for (size_t i = 0; i < m->n_hops; i++)
        hops += m->hops[i].step >= 1 && m->hops[i].step <= 13;
    assert_int_equal(c->n_arrows, hops);
    bool campus = false;
    for (size_t i = 0; i < c->n_lives; i++)
        campus |= strcmp(life_name(m, c, (int)i), "campus") == 0;
    assert_true(campus);
    chart_free(c);
    model_free(m);
}

/* Bulk data: one arrow per step and direction; the connection is one
 * bracket from its SYN to its close. */
static void test_tcp_bulk_and_bracket(void **state)
{
    (void)state;
    Model *m = load("scenarios/tcp_flow.json");
    Chart *c = chart_build(&m->sim->trace, m->world, NULL);
    assert_int_equal(c->n_conns, 1);
    assert_true(c->conns[0].opened);
    assert_true(c->conns[0].closed);
    assert_int_equal(c->conns[0].first, 0);
    assert_int_equal(c->conns[0].last, (int)c->n_arrows - 1);
    assert_string_equal(c->arrows[0].label, "[SYN]");
    assert_string_equal(c->arrows[1].label, "[SYN, ACK]");
    bool bulk = false;
    for (size_t i = 0; i < c->n_arrows; i++) {
        const ChartArrow *a = &c->arrows[i];
        if (a->step == 4 && a->count > 1) {
            bulk = true;
            assert_string_equal(a->label, "data ×2 (2,920 B)");
        }
        assert_int_equal(a->conn, 0);
    }
    assert_true(bulk);
    /* Fewer arrows than segments, every segment in one. */
    size_t segments = 0;
    for (size_t i = 0; i < c->n_arrows; i++)
        segments += c->arrows[i].count;
    size_t packets = 0;
    for (size_t i = 0; i < m->n_hops; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = m->hops[j].pkt == m->hops[i].pkt;
        packets += !seen;
    }
    assert_true(c->n_arrows < segments);
    assert_int_equal(segments, packets);
    chart_free(c);
    model_free(m);
}

/* --nodes and --proto choose messages; a lost query ends in a cross. */
static void test_filters_and_loss(void **state)
{
    (void)state;
    Model *m = load("scenarios/dns_server_down.json");
    ChartOpts o = {.proto = "icmp"};
    Chart *c = chart_build(&m->sim->trace, m->world, &o);
    assert_true(c->n_arrows > 0);
    for (size_t i = 0; i < c->n_arrows; i++)
        assert_string_equal(c->arrows[i].proto, "ICMP");
    chart_free(c);

    bool *mark = calloc(m->world->n_nodes, sizeof *mark);
    mark[world_find_node(m->world, "laptop")] = true;
    mark[world_find_node(m->world, "local-dns")] = true;
    o = (ChartOpts){.nodes = mark};
    c = chart_build(&m->sim->trace, m->world, &o);
    assert_int_equal(c->n_lives, 2);
    chart_free(c);
    free(mark);

    c = chart_build(&m->sim->trace, m->world, NULL);
    size_t lost = 0, crosses = 0;
    for (size_t i = 0; i < c->n_arrows; i++)
        lost += c->arrows[i].lost;
    for (size_t i = 0; i < c->n_cmds; i++)
        crosses += c->cmds[i].kind == CHART_CROSS && c->cmds[i].arrow >= 0;
    assert_true(lost > 0);
    assert_int_equal(crosses, lost);
    chart_free(c);

    o = (ChartOpts){.first = 1, .last = 1};
    c = chart_build(&m->sim->trace, m->world, &o); /* step 1 sends nothing */
    assert_int_equal(c->n_arrows, 0);
    char *svg = svg_of(c);
    assert_non_null(strstr(svg, "No messages"));
    free(svg);
    chart_free(c);
    model_free(m);
}

/* The SVG: one group per arrow, text as text, fonts named, nothing
 * embedded; blanked labels keep the numbers and drop the words. */
static void test_svg(void **state)
{
    (void)state;
    Model *m = load("scenarios/dns_lecture.json");
    ChartOpts o = {.first = 1, .last = 13, .title = "a <title> & more"};
    Chart *c = chart_build(&m->sim->trace, m->world, &o);
    char *svg = svg_of(c);
    assert_int_equal(count(svg, "<g id=\"arrow-"), c->n_arrows);
    assert_non_null(strstr(svg, "class=\"arrow step-4\""));
    assert_non_null(strstr(svg, ">referral: edu</text>"));
    assert_non_null(strstr(svg, "a &lt;title&gt; &amp; more"));
    assert_non_null(strstr(svg, "font-family=\"'DejaVu Sans'"));
    assert_null(strstr(svg, "@font-face"));
    assert_null(strstr(svg, "<image"));
    free(svg);
    chart_free(c);

    o.blank_labels = true;
    c = chart_build(&m->sim->trace, m->world, &o);
    svg = svg_of(c);
    assert_null(strstr(svg, "referral: edu"));
    assert_null(strstr(svg, "A? www.montana.edu"));
    assert_non_null(strstr(svg, "font-weight=\"bold\">10</text>"));
    assert_int_equal(count(svg, "<g id=\"arrow-"), c->n_arrows);
    free(svg);
    chart_free(c);
    model_free(m);
}

/* The window's chart panel draws the chart the SVG writes: the same
 * arrows (number, step, ends, label), each in its protocol's colour where
 * the SVG puts it; a click on one goes to its step. */
static void test_panel_matches_svg(void **state)
{
    (void)state;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 720, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(s);
    assert_non_null(r);
    App a;
    char why[256];
    if (!app_init(&a, load("scenarios/dns_lecture.json"), r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_s;
    app_handle_event(&a, &e);
    app_handle_event(&a, &e); /* in the map's place */
    assert_int_equal(a.chart_mode, 2);
    player_goto_step(&a.p, 6);
    app_frame(&a, 0);
    assert_true(a.chart_shown > 0);
    const Chart *panel = a.chart;
    assert_non_null(panel);

    /* minet chart's chart, from a run of its own. */
    Model *m = load("scenarios/dns_lecture.json");
    Chart *file = chart_build(&m->sim->trace, m->world, NULL);
    char *svg = svg_of(file);
    assert_int_equal(panel->n_arrows, file->n_arrows);
    assert_int_equal(count(svg, "<g id=\"arrow-"), panel->n_arrows);
    ChartPlace pl;
    panels_chart_place(&a, &pl);
    /* No window onto a column: the lifelines drawn are inside the panel,
     * and those not drawn are counted. */
    size_t drawn = 0;
    for (size_t i = 0; i < panel->n_lives; i++) {
        if (panel->lives[i].hidden)
            continue;
        drawn++;
        double x = pl.ox + panel->lives[i].x * pl.scale;
        assert_true(x > pl.clip.x && x < pl.clip.x + pl.clip.w);
    }
    assert_int_equal(drawn, file->n_lives); /* the event list's column gave way */
    assert_int_equal(panel->n_hidden, 0);
    size_t checked = 0;
    for (size_t i = 0; i < panel->n_arrows; i++) {
        const ChartArrow *p = &panel->arrows[i], *f = &file->arrows[i];
        assert_int_equal(p->number, f->number);
        assert_int_equal(p->step, f->step);
        assert_string_equal(p->label, f->label);
        assert_int_equal(panel->lives[p->from].node, file->lives[f->from].node);
        assert_int_equal(panel->lives[p->to].node, file->lives[f->to].node);
        char group[64];
        snprintf(group, sizeof group, "<g id=\"arrow-%u\" class=\"arrow step-%u\">", f->number,
                 f->step);
        assert_non_null(strstr(svg, group));
        /* On screen: the arrow's line, a third of the way from its sender,
         * is its protocol's colour (where no label or highlight covers it). */
        double x1 = panel->lives[p->from].x, x2 = panel->lives[p->to].x;
        int px = (int)(pl.ox + (x1 + (x2 - x1) * 0.3) * pl.scale);
        int py = (int)(pl.oy + p->y * pl.scale);
        if (p->step == 6 || !rect_has(&pl.clip, px, py) ||
            py < pl.clip.y + panel->head_h * pl.scale + 4)
            continue;
        Uint32 pix = ((Uint32 *)s->pixels)[py * (s->pitch / 4) + px];
        Uint8 cr, cg, cb;
        SDL_GetRGB(pix, s->format, &cr, &cg, &cb);
        SDL_Color want = draw_proto_color(p->proto);
        if (strcmp(p->proto, "DNS") == 0) { /* solid: every pixel on the line */
            assert_int_equal(cr, want.r);
            assert_int_equal(cg, want.g);
            assert_int_equal(cb, want.b);
            checked++;
        }
    }
    assert_true(checked >= 3);

    /* A click on the line of the arrow two after the current step's
     * first jumps to its step. */
    int k = chart_arrow_of_step(panel, 6) + 2;
    const ChartArrow *p = &panel->arrows[k];
    int cx = (int)(pl.ox + (p->x + p->w / 2) * pl.scale), cy = (int)(pl.oy + p->y * pl.scale);
    if (rect_has(&pl.clip, cx, cy)) {
        assert_true(panels_click(&a, cx, cy));
        assert_int_equal(a.p.step, p->step);
        assert_true(a.inspect_packet);
        assert_int_equal(a.sel_hop, p->hop);
    } else {
        fail_msg("arrow %d is not in view at step 6", k + 1);
    }
    free(svg);
    chart_free(file);
    model_free(m);
    app_fini(&a);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(s);
}

int main(void)
{
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lecture_first_lookup),
        cmocka_unit_test(test_routers),
        cmocka_unit_test(test_tcp_bulk_and_bracket),
        cmocka_unit_test(test_filters_and_loss),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_panel_matches_svg),
    };
    int st = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    return st;
}
