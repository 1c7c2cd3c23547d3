/* Tests for src/gui: the model's arithmetic (where a packet is, which step
 * a time is in, the layout's rows), the player's cursor, pixels drawn by
 * SDL's software renderer on a surface (no display needed), key events,
 * and `minet shot`'s files.
 *
 * The Makefile links tests with libminet.a only, which has no GUI objects
 * (they need SDL), so the GUI's sources are compiled into this program. */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "gui/app.h"
#include "gui/draw.h"
#include "gui/gui.h"
#include "gui/layout.h"
#include "gui/model.h"
#include "gui/player.h"
#include "gui/text.h"

#define LECTURE "scenarios/dns_lecture.json"
#define FONTS   "assets/fonts"
#define W       1280
#define H       720

static Model *lecture(void)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(LECTURE, &errs);
    errors_fini(&errs);
    assert_non_null(m);
    return m;
}

static int node(const Model *m, const char *id)
{
    int i = world_find_node(m->world, id);
    assert_true(i >= 0);
    return i;
}

/* ---- model ------------------------------------------------------------- */

/* A comment alone typed at the prompt shows at the node's prompt, as a
 * script line that is one does; with no node selected it is refused with
 * a reason (before, it did nothing). */
static void test_typed_comment(void **state)
{
    (void)state;
    Model *m = lecture();
    char why[256];
    assert_false(model_add_line(m, 5, -1, "# the cache is warm now", why, sizeof why));
    assert_non_null(strstr(why, "select one first"));
    assert_true(
        model_add_line(m, 5, node(m, "laptop"), "# the cache is warm now", why, sizeof why));
    bool shown = false;
    for (size_t i = 0; i < m->n_console; i++) {
        const TraceRec *r = &m->sim->trace.recs[m->console[i].rec];
        shown |= r->stream == CON_COMMAND && strcmp(r->text, "# the cache is warm now") == 0;
    }
    assert_true(shown);
    assert_false(model_add_line(m, 5, node(m, "laptop"), "   ", why, sizeof why));
    assert_string_equal(why, "");
    model_free(m);
}

static void test_hop_frac(void **state)
{
    (void)state;
    ModelHop h = {.send = 1000, .arrive = 3000};
    assert_true(model_hop_frac(&h, 999) < 0);
    assert_true(model_hop_frac(&h, 1000) < 0); /* not yet on the link */
    assert_true(model_hop_frac(&h, 2000) == 0.5);
    assert_true(model_hop_frac(&h, 1500) == 0.25);
    assert_true(model_hop_frac(&h, 3000) == 1.0); /* arrived: at the receiver */
    assert_true(model_hop_frac(&h, 3000.5) < 0);
}

static void test_steps_and_hops(void **state)
{
    (void)state;
    Model *m = lecture();
    assert_true(m->n_steps > 20);
    /* The first lookup: the laptop's query, the root's referral, the answer. */
    const ModelHop *h = &m->hops[0];
    assert_int_equal(h->from, node(m, "laptop"));
    assert_string_equal(h->proto, "DNS");
    assert_false(h->response);
    assert_string_equal(h->label, "A? www.montana.edu");
    assert_int_equal(h->send, 0);
    assert_int_equal(h->arrive, 1001);
    bool referral = false, answer = false;
    for (size_t i = 0; i < m->n_hops; i++) {
        const ModelHop *k = &m->hops[i];
        if (k->from == node(m, "a.root-servers.net") && !referral) {
            assert_true(k->response);
            assert_string_equal(k->label, "referral: edu");
            referral = true;
        }
        if (k->to == node(m, "laptop") && k->response && !answer) {
            assert_string_equal(k->label, "A 153.90.127.197");
            answer = true;
        }
    }
    assert_true(referral && answer);
    /* Step 3 is the query to the root; it ends when step 4's note comes. */
    assert_int_equal(model_step_start(m, 3), 2002);
    assert_int_equal(model_step_end(m, 3), 33011);
    assert_int_equal(model_step_at(m, 0), 0);
    assert_int_equal(model_step_at(m, 2002), 1); /* notes 2 and 3 are at 2002 */
    assert_int_equal(model_step_at(m, 2003), 3);
    assert_int_equal(model_step_at(m, 33011), 3);
    assert_int_equal(model_step_at(m, 33012), 4);
    assert_int_equal(model_step_at(m, 1e12), m->n_steps);
    model_free(m);
}

static void test_layout_rows(void **state)
{
    (void)state;
    Model *m = lecture();
    int root = node(m, "a.root-servers.net"), tld = node(m, "a.edu-servers.net"),
        auth = node(m, "ns1.montana.edu"), router = node(m, "internet"), campus = node(m, "campus"),
        resolver = node(m, "local-dns"), host = node(m, "laptop");
    assert_int_equal(m->kind[root], MK_ROOT);
    assert_int_equal(m->kind[tld], MK_TLD);
    assert_int_equal(m->kind[auth], MK_AUTH);
    assert_true(m->layer[root] < m->layer[tld]);
    assert_true(m->layer[tld] < m->layer[auth]);
    assert_true(m->layer[auth] < m->layer[router]);
    assert_true(m->layer[router] < m->layer[campus]); /* the core above the campus */
    assert_true(m->layer[campus] < m->layer[host]);
    assert_int_equal(m->layer[resolver], m->layer[host]);
    assert_true(m->y[root] < m->y[tld] && m->y[auth] < m->y[host]);
    for (size_t i = 0; i < m->world->n_nodes; i++) {
        assert_true(m->x[i] > 0 && m->x[i] < 1);
        assert_true(m->y[i] > 0 && m->y[i] < 1);
    }
    /* The same picture on every run. */
    Model *again = lecture();
    for (size_t i = 0; i < m->world->n_nodes; i++) {
        assert_true(m->x[i] == again->x[i]);
        assert_true(m->y[i] == again->y[i]);
    }
    model_free(again);
    model_free(m);
}

/* ---- player ------------------------------------------------------------ */

static void test_player_steps(void **state)
{
    (void)state;
    Model *m = lecture();
    Player p;
    player_init(&p, m);
    assert_int_equal(p.step, 0);
    player_next_step(&p);
    assert_int_equal(p.step, 1);
    assert_int_equal(p.mode, PLAYER_TO_TARGET);
    player_tick(&p, 1000);
    assert_int_equal(p.mode, PLAYER_PAUSED);
    assert_true(p.t == (double)model_step_end(m, 1));
    /* Playing a step takes time on screen, at least the floor per hop. */
    player_next_step(&p); /* step 2: no motion, same moment */
    player_next_step(&p); /* step 3: three hops to the root */
    player_tick(&p, 0.2);
    assert_int_equal(p.step, 3);
    assert_true(p.t > 2002 && p.t < 33011);
    player_tick(&p, 1000);
    assert_true(p.t == 33011);
    player_prev_step(&p);
    assert_int_equal(p.step, 2);
    assert_true(p.t == (double)model_step_end(m, 2));
    /* Every piece with a packet on a link shows for at least the floor;
     * idle stretches are cut short. */
    for (size_t i = 0; i + 1 < p.n_cuts; i++) {
        double s = player_piece_seconds(&p, i);
        if (p.moving[i])
            assert_true(s >= p.min_hop - 1e-9);
        else
            assert_true(s <= p.max_idle + 1e-9);
    }
    /* Speed stays within 0.001× and 1000×. */
    for (int i = 0; i < 40; i++)
        player_scale_speed(&p, 2);
    assert_true(p.speed == PLAYER_SPEED_MAX);
    for (int i = 0; i < 80; i++)
        player_scale_speed(&p, 0.5);
    assert_true(p.speed == PLAYER_SPEED_MIN);
    /* Playing from the start reaches the end. */
    p.speed = PLAYER_SPEED_MAX;
    player_home(&p);
    player_toggle_play(&p);
    for (int i = 0; i < 100000 && p.mode == PLAYER_PLAYING; i++)
        player_tick(&p, 0.05);
    assert_int_equal(p.step, m->n_steps);
    assert_true(p.t == (double)m->end);
    /* One hop at a time: Shift+Right stops at the next arrival. */
    player_home(&p);
    player_next_hop(&p);
    player_tick(&p, 1000);
    assert_true(p.t == 1001);
    player_next_hop(&p);
    player_tick(&p, 1000);
    assert_true(p.t == 2002);
    player_prev_hop(&p);
    assert_true(p.t == 1001);
    player_fini(&p);
    model_free(m);
}

/* ---- pixels ------------------------------------------------------------ */

typedef struct Canvas {
    SDL_Surface *s;
    SDL_Renderer *r;
    App a;
} Canvas;

static void canvas_open(Canvas *c)
{
    c->s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(c->s);
    c->r = SDL_CreateSoftwareRenderer(c->s);
    assert_non_null(c->r);
    char why[256];
    if (!app_init(&c->a, lecture(), c->r, FONTS, why, sizeof why))
        fail_msg("%s", why);
}

static void canvas_close(Canvas *c)
{
    app_fini(&c->a);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->s);
}

static void render(Canvas *c)
{
    app_frame(&c->a, 0);
    SDL_RenderFlush(c->r);
}

static SDL_Color pixel(const Canvas *c, int x, int y)
{
    Uint32 v = ((const Uint32 *)c->s->pixels)[y * (c->s->pitch / 4) + x];
    SDL_Color k;
    SDL_GetRGB(v, c->s->format, &k.r, &k.g, &k.b);
    k.a = 255;
    return k;
}

static bool same_color(SDL_Color a, SDL_Color b)
{
    return abs(a.r - b.r) <= 2 && abs(a.g - b.g) <= 2 && abs(a.b - b.b) <= 2;
}

/* Is colour k anywhere within r pixels of (x, y)? */
static bool color_near(const Canvas *c, double x, double y, int r, SDL_Color k)
{
    for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++) {
            int px = (int)x + dx, py = (int)y + dy;
            if (px >= 0 && py >= 0 && px < W && py < H && same_color(pixel(c, px, py), k))
                return true;
        }
    return false;
}

/* Seconds on screen from Space at the start until step k's note. */
static double seconds_to_step(Player *p, uint32_t k)
{
    player_home(p);
    player_toggle_play(p);
    double t = 0;
    while (p->step < k && p->mode == PLAYER_PLAYING && t < 3600) {
        player_tick(p, 0.01);
        t += 0.01;
    }
    return t;
}

/* Reading pace holds each caption at least its reading time (200 words a
 * minute, 2 s at least, scaled by the speed keys); --pace hops plays as
 * the hops take, faster here. */
static void test_reading_pace(void **state)
{
    (void)state;
    Model *m = lecture();
    Player p;
    player_init(&p, m);
    assert_false(p.pace_hops);
    /* Step 4's caption is about 60 words: some 18 s at 200 words a minute. */
    double r4 = player_read_seconds(&p, 4);
    assert_true(r4 > 12 && r4 < 25);
    assert_true(player_read_seconds(&p, 2) >= PLAYER_READ_MIN);
    double read = seconds_to_step(&p, 5);
    double want = 0;
    for (uint32_t k = 1; k <= 4; k++)
        want += player_read_seconds(&p, k);
    assert_true(read >= want - 0.05);
    assert_true(read <= want + 2.0);
    p.pace_hops = true;
    double hops = seconds_to_step(&p, 5);
    assert_true(hops < read / 3);
    /* Faster playing shortens the reading time in proportion. */
    p.pace_hops = false;
    player_scale_speed(&p, 2);
    assert_true(fabs(player_read_seconds(&p, 4) - r4 / 2) < 1e-9);
    double faster = seconds_to_step(&p, 5);
    assert_true(fabs(faster - read / 2) < 0.5);
    player_fini(&p);
    model_free(m);
}

static void test_node_colors(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    render(&c);
    const char *ids[] = {"a.root-servers.net", "a.edu-servers.net", "ns1.montana.edu",
                         "internet",           "local-dns",         "laptop"};
    for (size_t i = 0; i < MN_ARRAY_LEN(ids); i++) {
        int n = node(c.a.m, ids[i]);
        double x, y;
        draw_node_xy(c.a.m, &c.a.v, n, &x, &y);
        SDL_Color want = draw_kind_color(c.a.m->kind[n]), got = pixel(&c, (int)x, (int)y);
        if (!same_color(got, want))
            fail_msg("%s at (%d, %d): got #%02x%02x%02x, want #%02x%02x%02x", ids[i], (int)x,
                     (int)y, got.r, got.g, got.b, want.r, want.g, want.b);
    }
    canvas_close(&c);
}

static void test_packet_halfway(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    const Model *m = c.a.m;
    /* The root's referral on its way to the internet router. */
    const ModelHop *h = NULL;
    for (size_t i = 0; i < m->n_hops && !h; i++)
        if (m->hops[i].from == node(m, "a.root-servers.net"))
            h = &m->hops[i];
    assert_non_null(h);
    double t = (h->send + h->arrive) / 2.0, x, y, x0, y0, x1, y1;
    player_goto_step(&c.a.p, model_step_at(m, t));
    c.a.p.t = t;
    render(&c); /* the view of a step: the steps' caption bar, not the opening's */
    assert_true(draw_packet_xy(m, &c.a.v, h, t, &x, &y));
    draw_node_xy(m, &c.a.v, h->from, &x0, &y0);
    draw_node_xy(m, &c.a.v, h->to, &x1, &y1);
    assert_true(fabs(x - (x0 + x1) / 2) < 1e-6 && fabs(y - (y0 + y1) / 2) < 1e-6);
    render(&c);
    /* A response is a filled envelope in DNS blue, right there. */
    assert_true(color_near(&c, x, y, 4, draw_proto_color("DNS")));
    /* A moment before it left, it is not on the link. */
    c.a.p.t = (double)h->send;
    render(&c);
    assert_false(color_near(&c, x, y, 4, draw_proto_color("DNS")));
    canvas_close(&c);
}

static void test_caption_not_empty(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    player_goto_step(&c.a.p, 4);
    render(&c);
    DrawRects d;
    draw_rects(&c.a.v, &d);
    /* The caption bar's own colour: its bottom-left corner, where no text goes. */
    SDL_Color bg = pixel(&c, d.caption.x + 1, d.caption.y + d.caption.h - 1);
    size_t ink = 0;
    for (int y = d.caption.y; y < d.caption.y + d.caption.h; y++)
        for (int x = 0; x < W; x++)
            ink += !same_color(pixel(&c, x, y), bg);
    assert_true(ink > 2000); /* a long caption's worth of glyphs */
    canvas_close(&c);
}

static void test_back_and_forth_same_pixels(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    size_t bytes = (size_t)c.s->pitch * H;
    for (uint32_t k = 1; k <= 12; k++) {
        player_goto_step(&c.a.p, k);
        render(&c);
        unsigned char *before = xmalloc(bytes);
        memcpy(before, c.s->pixels, bytes);
        player_prev_step(&c.a.p);
        render(&c);
        player_next_step(&c.a.p);
        app_frame(&c.a, 0.1); /* half-way through the animation */
        app_frame(&c.a, 1000);
        SDL_RenderFlush(c.r);
        if (memcmp(before, c.s->pixels, bytes) != 0)
            fail_msg("step %u differs after Left, Right", k);
        free(before);
    }
    canvas_close(&c);
}

static SDL_Event key(SDL_Keycode sym, Uint16 mod)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    return e;
}

static void test_keys(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    App *a = &c.a;
    SDL_Event right = key(SDLK_RIGHT, 0), left = key(SDLK_LEFT, 0);
    for (int i = 1; i <= 3; i++) {
        app_handle_event(a, &right);
        app_frame(a, 0.05);
        assert_int_equal(a->p.step, i);
    }
    app_frame(a, 1000);
    assert_true(a->p.t == (double)model_step_end(a->m, 3));
    for (int i = 2; i >= 0; i--) {
        app_handle_event(a, &left);
        assert_int_equal(a->p.step, i);
        assert_true(a->p.t == (double)model_step_end(a->m, (uint32_t)i));
    }
    SDL_Event end = key(SDLK_END, 0), home = key(SDLK_HOME, 0), space = key(SDLK_SPACE, 0),
              plus = key(SDLK_PLUS, 0), hop = key(SDLK_RIGHT, KMOD_LSHIFT);
    app_handle_event(a, &end);
    assert_int_equal(a->p.step, a->m->n_steps);
    app_handle_event(a, &home);
    assert_int_equal(a->p.step, 0);
    app_handle_event(a, &hop);
    app_frame(a, 1000);
    assert_true(a->p.t == 1001);
    double speed = a->p.speed;
    app_handle_event(a, &plus);
    assert_true(a->p.speed == 2 * speed);
    app_handle_event(a, &space);
    assert_int_equal(a->p.mode, PLAYER_PLAYING);
    app_frame(a, 0.5);
    assert_true(a->p.t > 1001);
    app_handle_event(a, &space);
    assert_int_equal(a->p.mode, PLAYER_PAUSED);
    canvas_close(&c);
}

/* ---- minet shot -------------------------------------------------------- */

static void mouse(App *a, Uint32 type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.x = x;
        e.motion.y = y;
    } else {
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = x;
        e.button.y = y;
    }
    app_handle_event(a, &e);
}

/* P: playing stops at the end of the first step in which a DNS response
 * arrives. */
static void test_pause_on_answer(void **state)
{
    (void)state;
    Model *m = lecture();
    Player p;
    player_init(&p, m);
    uint32_t want = 0;
    for (uint32_t k = 1; k <= m->n_steps && !want; k++)
        for (size_t i = 0; i < m->n_hops; i++) {
            const ModelHop *h = &m->hops[i];
            if (h->response && strcmp(h->proto, "DNS") == 0 && h->arrive > model_step_start(m, k) &&
                h->arrive <= model_step_end(m, k)) {
                want = k;
                break;
            }
        }
    assert_true(want > 1);
    p.pause_on_answer = true;
    player_toggle_play(&p);
    for (int i = 0; i < 100000 && p.mode != PLAYER_PAUSED; i++)
        player_tick(&p, 0.05);
    assert_int_equal(p.mode, PLAYER_PAUSED);
    assert_int_equal(p.step, want);
    assert_true(p.t == (double)model_step_end(m, want));
    player_fini(&p);
    model_free(m);
}

/* Dragging a node moves it with the pointer; the view does not pan. */
static void test_drag_node(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c);
    render(&c);
    int n = node(c.a.m, "laptop");
    double x0, y0, x1, y1;
    draw_node_xy(c.a.m, &c.a.v, n, &x0, &y0);
    mouse(&c.a, SDL_MOUSEMOTION, (int)x0, (int)y0);
    mouse(&c.a, SDL_MOUSEBUTTONDOWN, (int)x0, (int)y0);
    mouse(&c.a, SDL_MOUSEMOTION, (int)x0 + 60, (int)y0 - 40);
    mouse(&c.a, SDL_MOUSEBUTTONUP, (int)x0 + 60, (int)y0 - 40);
    draw_node_xy(c.a.m, &c.a.v, n, &x1, &y1);
    assert_true(fabs(x1 - x0 - 60) < 1.5);
    assert_true(fabs(y1 - y0 + 40) < 1.5);
    assert_true(c.a.v.pan_x == 0 && c.a.v.pan_y == 0);
    /* Away from any node, the same drag pans the view. */
    DrawRects d;
    draw_rects(&c.a.v, &d);
    int x = d.net.x + 5;
    mouse(&c.a, SDL_MOUSEMOTION, x, 100);
    mouse(&c.a, SDL_MOUSEBUTTONDOWN, x, 100);
    mouse(&c.a, SDL_MOUSEMOTION, x + 20, 100);
    mouse(&c.a, SDL_MOUSEBUTTONUP, x + 20, 100);
    assert_true(c.a.v.pan_x == 20);
    canvas_close(&c);
}

static void test_shot_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/minet-gui-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *png = xasprintf("%s/step.png", dir);
    GuiShot s = {.scenario = LECTURE,
                 .font_dir = FONTS,
                 .out = png,
                 .step = 5,
                 .width = 640,
                 .height = 360,
                 .dark = true};
    assert_int_equal(gui_shot(&s), 0);
    SDL_Surface *img = IMG_Load(png);
    assert_non_null(img);
    assert_int_equal(img->w, 640);
    assert_int_equal(img->h, 360);
    SDL_FreeSurface(img);
    unlink(png);
    s.step = 100000; /* no such step: refused, nothing written */
    assert_int_equal(gui_shot(&s), 2);
    assert_int_equal(access(png, F_OK), -1);
    char *bad = xasprintf("%s/no/such/folder/x.png", dir);
    s.step = 1;
    s.out = bad;
    assert_int_equal(gui_shot(&s), 1);
    assert_int_equal(rmdir(dir), 0); /* nothing half-written left behind */
    free(bad);
    free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hop_frac),
        cmocka_unit_test(test_steps_and_hops),
        cmocka_unit_test(test_layout_rows),
        cmocka_unit_test(test_player_steps),
        cmocka_unit_test(test_reading_pace),
        cmocka_unit_test(test_node_colors),
        cmocka_unit_test(test_packet_halfway),
        cmocka_unit_test(test_caption_not_empty),
        cmocka_unit_test(test_back_and_forth_same_pixels),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_pause_on_answer),
        cmocka_unit_test(test_drag_node),
        cmocka_unit_test(test_shot_files),
        cmocka_unit_test(test_typed_comment),
    };
    int status = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    return status;
}
