/* Tests for the classroom view's panels (src/gui/panels.c, inspect.c and
 * the prompt in app.c), on SDL's software renderer and fed SDL events:
 * every panel must agree with what the headless run of the same scenario
 * records, and nothing a student types may crash it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>

#include <dirent.h>

#include "core/sim.h"
#include "gui/app.h"
#include "gui/chart_view.h"
#include "io/trace_out.h"
#include "proto/agents.h"
#include "apps/shell.h"
#include "gui/inspect.h"
#include "gui/model.h"
#include "io/scenario.h"
#include "proto/dissect.h"
#include "proto/dns/dns_wire.h"

#define FONTS "assets/fonts"
#define W     1280
#define H     720

typedef struct Canvas {
    SDL_Surface *s;
    SDL_Renderer *r;
    App a;
} Canvas;

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

static void canvas_open(Canvas *c, const char *scenario)
{
    c->s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(c->s);
    c->r = SDL_CreateSoftwareRenderer(c->s);
    assert_non_null(c->r);
    char why[256];
    if (!app_init(&c->a, load(scenario), c->r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    app_frame(&c->a, 0);
}

static void canvas_close(Canvas *c)
{
    app_fini(&c->a);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->s);
}

static int node(const Model *m, const char *id)
{
    int i = world_find_node(m->world, id);
    assert_true(i >= 0);
    return i;
}

static void send_key(App *a, SDL_Keycode sym, Uint16 mod)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = sym;
    e.key.keysym.mod = mod;
    app_handle_event(a, &e);
}

/* Text as SDL delivers it: SDL_TEXTINPUT events of at most 31 bytes. */
static void send_text(App *a, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_TEXTINPUT;
        size_t k = n - i < sizeof e.text.text - 1 ? n - i : sizeof e.text.text - 1;
        memcpy(e.text.text, s + i, k);
        e.text.text[k] = '\0';
        app_handle_event(a, &e);
        i += k;
    }
}

static void click(App *a, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.x = x;
    e.motion.y = y;
    app_handle_event(a, &e);
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    app_handle_event(a, &e);
    e.type = SDL_MOUSEBUTTONUP;
    app_handle_event(a, &e);
}

static void click_node(Canvas *c, const char *id)
{
    double x, y;
    draw_node_xy(c->a.m, &c->a.v, node(c->a.m, id), &x, &y);
    click(&c->a, (int)x, (int)y);
}

/* ---- the node inspector ------------------------------------------------- */

typedef struct Entry {
    char key[256], value[256];
    int64_t ttl;
} Entry;

/* The oracle: a table folded straight from a headless run's state records,
 * the way a student reading `minet run --trace x.jsonl` would (insert adds,
 * expire removes; the TTL counts down from the insert). */
static size_t headless_table(const char *scenario, const char *id, const char *table, uint32_t step,
                             double t, Entry *out, size_t max)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load(scenario, &errs);
    errors_fini(&errs);
    assert_non_null(w);
    Model *m = load(scenario); /* a second, separate run */
    int nd = world_find_node(w, id);
    size_t n = 0;
    const Trace *tr = &m->sim->trace;
    for (size_t i = 0; i < tr->n; i++) {
        const TraceRec *r = &tr->recs[i];
        if (r->kind != TR_STATE || r->node != nd || strcmp(r->table, table) != 0)
            continue;
        /* A record made at the very moment of a caption goes with it. */
        uint32_t its = r->step;
        for (size_t j = i + 1; j < tr->n && tr->recs[j].time == r->time; j++) {
            if (tr->recs[j].kind == TR_NOTE) {
                its = tr->recs[j].step;
                break;
            }
            if (tr->recs[j].kind != TR_STATE && tr->recs[j].kind != TR_CONSOLE)
                break;
        }
        if (its > step || (double)r->time > t)
            break;
        for (size_t j = 0; j < n; j++)
            if (strcmp(out[j].key, r->key) == 0) {
                memmove(&out[j], &out[j + 1], (n - j - 1) * sizeof *out);
                n--;
                break;
            }
        if (strcmp(r->op, "insert") == 0) {
            assert_true(n < max);
            snprintf(out[n].key, sizeof out[n].key, "%s", r->key);
            snprintf(out[n].value, sizeof out[n].value, "%s", r->text);
            /* As the cache counts (Unbound's way): the TTL minus the whole
             * seconds of the clock turned since the insert. */
            int64_t left = r->time / 1000000 + r->ttl - (int64_t)(t / 1e6);
            out[n].ttl = left > 0 ? left : 0;
            n++;
        }
    }
    model_free(m);
    world_free(w);
    return n;
}

static void expect_table(Canvas *c, const char *scenario, const char *id, const char *table,
                         const char *title)
{
    App *a = &c->a;
    Entry want[64];
    size_t n = headless_table(scenario, id, table, a->p.step, a->p.t, want, 64);
    Inspect in = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &in);
    const InspectSection *s = inspect_find(&in, title);
    assert_non_null(s);
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s->rows[i].key, want[i].key);
        assert_string_equal(s->rows[i].value, want[i].value);
        assert_int_equal(s->rows[i].ttl, want[i].ttl);
    }
    inspect_fini(&in);
}

#define CACHE "scenarios/dns_cache.json"

/* Clicking a node opens its inspector with the cache the headless trace
 * says it holds, at every step: entries appear, count down and expire. */
static void test_click_node_cache(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, CACHE);
    App *a = &c.a;
    click_node(&c, "local-dns");
    assert_int_equal(a->sel_node, node(a->m, "local-dns"));
    assert_false(a->inspect_packet);
    assert_true(a->v.inspector);
    bool seen_entries = false, seen_expiry = false;
    for (uint32_t k = 1; k <= a->m->n_steps; k++) {
        player_goto_step(&a->p, k);
        app_frame(a, 0);
        expect_table(&c, CACHE, "local-dns", "cache", "Cache");
    }
    /* The laptop's own cache: filled by host, emptied when the TTL runs out. */
    click_node(&c, "laptop");
    assert_int_equal(a->sel_node, node(a->m, "laptop"));
    for (uint32_t k = 1; k <= a->m->n_steps; k++) {
        player_goto_step(&a->p, k);
        app_frame(a, 0);
        expect_table(&c, CACHE, "laptop", "host cache", "Host cache");
        Inspect in = {0};
        inspect_node(a->m, a->sel_node, k, a->p.t, &in);
        size_t n = inspect_find(&in, "Host cache")->n;
        seen_entries |= n > 0;
        seen_expiry |= seen_entries && n == 0;
        inspect_fini(&in);
    }
    assert_true(seen_entries && seen_expiry);
    /* At the moment `ipconfig /displaydns` prints the laptop's cache, the
     * inspector shows the same TTLs. */
    const TraceRec *recs = a->m->sim->trace.recs;
    int64_t printed[16];
    size_t n_printed = 0;
    uint64_t cmd = 0;
    for (size_t i = 0; i < a->m->n_console; i++) {
        const TraceRec *r = &recs[a->m->console[i].rec];
        if (r->stream == CON_COMMAND && strncmp(r->text, "ipconfig /displaydns", 20) == 0)
            cmd = r->cmd;
        if (cmd && r->cmd == cmd && r->stream == CON_STDOUT) {
            const char *ttl = strstr(r->text, "Time To Live");
            if (ttl && n_printed < 16)
                printed[n_printed++] = strtoll(strchr(ttl, ':') + 1, NULL, 10);
            a->p.step = r->step;
            a->p.t = (double)r->time;
        }
        if (cmd && r->cmd == cmd && r->stream == CON_EXIT)
            break;
    }
    assert_true(n_printed > 0);
    Inspect now = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &now);
    const InspectSection *hc = inspect_find(&now, "Host cache");
    assert_int_equal(hc->n, n_printed);
    for (size_t i = 0; i < n_printed; i++)
        assert_int_equal(hc->rows[i].ttl, printed[i]);
    inspect_fini(&now);
    /* A name server lists its zones' records. */
    click_node(&c, "ns1.montana.edu");
    Inspect in = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &in);
    const InspectSection *z = inspect_find(&in, "Zone montana.edu.");
    assert_non_null(z);
    bool soa = false;
    for (size_t i = 0; i < z->n; i++)
        soa |= strstr(z->rows[i].value, "IN SOA ns1.montana.edu.") != NULL;
    assert_true(soa);
    inspect_fini(&in);
    canvas_close(&c);
}

/* ---- TCP connections ---------------------------------------------------- */

#define HANDSHAKE   "scenarios/tcp_handshake.json"
#define LAPTOP_CONN "10.0.0.10:40010 10.0.2.20:7000"

static const char *const tcp_cols[] = {"Local", "Remote",   "State", "Send-Q", "Recv-Q",
                                       "cwnd",  "ssthresh", "rto",   "window"};

/* The TCP table of node id at the cursor, as the inspector folds it. */
static const InspectSection *tcp_table(App *a, const char *id, Inspect *in)
{
    memset(in, 0, sizeof *in);
    inspect_node(a->m, node(a->m, id), a->p.step, a->p.t, in);
    return inspect_find(in, "TCP connections");
}

/* The connection's latest value in the headless trace up to the cursor,
 * "" once it is gone: the oracle for the table's cells. */
static void headless_conn(const App *a, int nd, const char *key, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < a->m->n_states; i++) {
        const TraceRec *r = &a->m->sim->trace.recs[a->m->states[i].rec];
        if (!model_ref_shown(a->m, &a->m->states[i], a->p.step, a->p.t))
            break;
        if (r->node == nd && strcmp(r->table, "tcp") == 0 && strcmp(r->key, key) == 0)
            snprintf(out, size, "%s", strcmp(r->op, "add") == 0 ? r->text : "");
    }
}

/* A node's TCP connections read as netstat's table: local, remote, state,
 * the queues and the congestion state, each in its column, at every step
 * (SYN_SENT, ESTABLISHED, TIME_WAIT, then gone); a listening socket's
 * backlog is its Send-Q.  Tables of other values keep key and value. */
static void test_tcp_table(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, HANDSHAKE);
    App *a = &c.a;
    click_node(&c, "laptop");
    const char *seen[8];
    size_t n_seen = 0;
    /* Each step a millisecond in (the last step's rest is a minute later,
     * past TIME-WAIT), and at rest. */
    for (uint32_t k = 1; k <= 2 * a->m->n_steps; k++) {
        player_goto_step(&a->p, (k + 1) / 2);
        if (k % 2)
            a->p.t = (double)model_step_start(a->m, a->p.step) + 1000;
        app_frame(a, 0);
        Inspect in;
        const InspectSection *s = tcp_table(a, "laptop", &in);
        char want[256];
        headless_conn(a, node(a->m, "laptop"), LAPTOP_CONN, want, sizeof want);
        assert_non_null(s);
        assert_int_equal(s->n, want[0] ? 1 : 0);
        if (s->n == 1) {
            assert_int_equal(s->n_cols, MN_ARRAY_LEN(tcp_cols));
            assert_int_equal(s->key_cols, 2);
            for (size_t i = 0; i < s->n_cols; i++)
                assert_string_equal(s->cols[i], tcp_cols[i]);
            char **cell = s->rows[0].cells;
            assert_string_equal(cell[0], "10.0.0.10:40010");
            assert_string_equal(cell[1], "10.0.2.20:7000");
            /* The cells are the record's words, in the columns' order. */
            char line[256];
            snprintf(line, sizeof line, "%s send-q %s recv-q %s cwnd %s ssthresh %s rto %s wnd %s",
                     cell[2], cell[3], cell[4], cell[5], cell[6], cell[7], cell[8]);
            assert_string_equal(line, want);
            if (n_seen == 0 || strcmp(seen[n_seen - 1], cell[2]) != 0) {
                const char *names[] = {"SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2",
                                       "TIME_WAIT"};
                for (size_t i = 0; i < MN_ARRAY_LEN(names); i++)
                    if (strcmp(cell[2], names[i]) == 0 && n_seen < 8)
                        seen[n_seen++] = names[i];
            }
        }
        inspect_fini(&in);
    }
    assert_true(n_seen >= 3);
    assert_string_equal(seen[0], "SYN_SENT");
    assert_string_equal(seen[1], "ESTABLISHED");
    assert_string_equal(seen[n_seen - 1], "TIME_WAIT");
    /* A minute later TIME-WAIT is over: the table is empty. */
    a->p.t = (double)a->m->end;
    Inspect in;
    const InspectSection *s = tcp_table(a, "laptop", &in);
    assert_non_null(s);
    assert_int_equal(s->n, 0);
    inspect_fini(&in);
    /* The server listens before anyone connects: ss shows the backlog as
     * the listening socket's Send-Q. */
    player_goto_step(&a->p, 1);
    s = tcp_table(a, "server", &in);
    assert_non_null(s);
    assert_int_equal(s->n, 1);
    assert_string_equal(s->rows[0].cells[0], "0.0.0.0:7000");
    assert_string_equal(s->rows[0].cells[1], "0.0.0.0:*");
    assert_string_equal(s->rows[0].cells[2], "LISTEN");
    assert_int_equal(s->n_cols, 4); /* only the fields some entry has */
    assert_string_equal(s->cols[3], "Send-Q");
    assert_string_equal(s->rows[0].cells[3], "1");
    inspect_fini(&in);
    /* With a connection beside it, the listening socket's other cells
     * are empty. */
    player_goto_step(&a->p, 2);
    s = tcp_table(a, "server", &in);
    assert_non_null(s);
    assert_int_equal(s->n, 2);
    assert_int_equal(s->n_cols, MN_ARRAY_LEN(tcp_cols));
    assert_string_equal(s->rows[0].cells[2], "LISTEN");
    assert_string_equal(s->rows[0].cells[3], "1");
    assert_string_equal(s->rows[0].cells[5], "");
    assert_string_equal(s->rows[1].cells[2], "SYN_RECV");
    inspect_fini(&in);
    canvas_close(&c);
    /* A cache's values are not pairs: key and value, no columns. */
    canvas_open(&c, CACHE);
    click_node(&c, "local-dns");
    player_goto_step(&c.a.p, 12);
    inspect_node(c.a.m, c.a.sel_node, c.a.p.step, c.a.p.t, &in);
    s = inspect_find(&in, "Cache");
    assert_non_null(s);
    assert_true(s->n > 0);
    assert_int_equal(s->n_cols, 0);
    assert_null(s->rows[0].cells);
    inspect_fini(&in);
    canvas_close(&c);
}

/* R and Shift+R go through the entries; a click selects one and a second
 * click lets it go; the selection is by key, so it stays while the cursor
 * moves. */
static void test_select_row(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, HANDSHAKE);
    App *a = &c.a;
    player_goto_step(&a->p, 5);
    send_key(a, SDLK_r, 0); /* no node selected: nothing to go through */
    assert_null(a->sel_table);
    click_node(&c, "server");
    send_key(a, SDLK_r, 0);
    assert_string_equal(a->sel_table, "tcp");
    /* nc -l keeps listening while it is connected: two entries */
    assert_string_equal(a->sel_key, "0.0.0.0:7000 0.0.0.0:*");
    send_key(a, SDLK_r, 0);
    assert_string_equal(a->sel_key, "10.0.2.20:7000 10.0.0.10:40010");
    send_key(a, SDLK_r, 0); /* after the last, R comes back to the first */
    assert_string_equal(a->sel_key, "0.0.0.0:7000 0.0.0.0:*");
    send_key(a, SDLK_r, KMOD_LSHIFT);
    assert_string_equal(a->sel_key, "10.0.2.20:7000 10.0.0.10:40010");
    player_goto_step(&a->p, 1); /* listening only */
    send_key(a, SDLK_r, 0);
    assert_string_equal(a->sel_key, "0.0.0.0:7000 0.0.0.0:*");
    /* Another node: the selection goes. */
    click_node(&c, "laptop");
    assert_null(a->sel_table);
    /* A click on the row as drawn. */
    player_goto_step(&a->p, 5);
    app_frame(a, 0);
    const RowHit *hit = NULL;
    for (size_t i = 0; i < a->n_row_hits && !hit; i++)
        if (strcmp(a->row_hits[i].key, LAPTOP_CONN) == 0)
            hit = &a->row_hits[i];
    assert_non_null(hit);
    int y = hit->y + hit->h / 2;
    click(a, 40, y);
    assert_string_equal(a->sel_key, LAPTOP_CONN);
    app_frame(a, 0); /* the plot is drawn under the table */
    player_goto_step(&a->p, 7);
    app_frame(a, 0);
    assert_string_equal(a->sel_key, LAPTOP_CONN);
    click(a, 40, y);
    assert_null(a->sel_table);
    /* After TIME-WAIT the connection is gone from the table; selected, its
     * plot stays under a line that says when it went (a click there lets
     * it go). */
    click(a, 40, y);
    assert_string_equal(a->sel_key, LAPTOP_CONN);
    player_goto_step(&a->p, a->m->n_steps);
    a->p.t = (double)a->m->end;
    app_frame(a, 0);
    Inspect in;
    const InspectSection *s = tcp_table(a, "laptop", &in);
    assert_int_equal(s->n, 0);
    inspect_fini(&in);
    hit = NULL;
    for (size_t i = 0; i < a->n_row_hits && !hit; i++)
        if (strcmp(a->row_hits[i].key, LAPTOP_CONN) == 0)
            hit = &a->row_hits[i];
    assert_non_null(hit);
    click(a, 40, hit->y + hit->h / 2);
    assert_null(a->sel_table);
    canvas_close(&c);
}

/* A bulk transfer over a lossy link, written for the test: 300 lines of
 * 1,000 characters typed at once into nc -N. */
static void write_bulk(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"minet\": 1, \"title\": \"bulk\", \"seed\": 3, \"nodes\": ["
          "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10/24\"},"
          "{\"id\": \"r1\", \"role\": \"router\", \"ip\": [\"10.0.0.1/24\", \"10.0.2.1/24\"]},"
          "{\"id\": \"server\", \"role\": \"host\", \"ip\": \"10.0.2.20/24\"}],"
          "\"links\": [{\"between\": [\"laptop\", \"r1\"], \"bandwidth\": \"100Mbit\"},"
          "{\"between\": [\"r1\", \"server\"], \"latency\": \"20ms\", \"bandwidth\": \"10Mbit\","
          " \"loss\": 0.01}],"
          "\"script\": [{\"at\": \"0s\", \"on\": \"server\", \"run\": \"nc -l 7000\"},"
          "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.2.20 7000\", \"input\": [",
          f);
    for (int i = 0; i < 300; i++) {
        fputs("{\"at\": \"1s\", \"text\": \"", f);
        for (int k = 0; k < 1000; k++)
            fputc('a' + (i + k) % 26, f);
        fputs("\"},", f);
    }
    fputs("{\"at\": \"1s\", \"text\": \"^D\"}]}]}\n", f);
    fclose(f);
}

/* The plot's points are the connection's records: every value change of
 * cwnd (and of the peer's window) up to the cursor, in time order.  Over
 * a lossy link cwnd grows in slow start and is halved at a fast
 * retransmit. */
static void test_tcp_plot(void **state)
{
    (void)state;
    char dir[] = "/tmp/minet-plot-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bulk.json", dir);
    write_bulk(path);
    Model *m = load(path);
    int laptop = node(m, "laptop");
    const char *key = NULL;
    size_t want = 0;
    for (size_t i = 0; i < m->n_states; i++) {
        const TraceRec *r = &m->sim->trace.recs[m->states[i].rec];
        if (r->node != laptop || strcmp(r->table, "tcp") != 0 || strcmp(r->op, "add") != 0)
            continue;
        key = key ? key : r->key;
        want += strcmp(r->key, key) == 0;
    }
    assert_non_null(key);
    InspectPoint *p = NULL;
    size_t cap = 0;
    SimTime end;
    double t = (double)m->end;
    size_t n =
        inspect_series(m, laptop, "tcp", key, "cwnd", (uint32_t)m->n_steps, t, &p, &cap, &end);
    assert_int_equal(n, want);
    assert_true(end < 0); /* TIME-WAIT outlasts the run (DESIGN.md: a background timer) */
    bool grew = false, halved = false;
    size_t k = 0;
    for (size_t i = 0; i < m->n_states && k < n; i++) {
        const TraceRec *r = &m->sim->trace.recs[m->states[i].rec];
        if (r->node != laptop || strcmp(r->table, "tcp") != 0 || strcmp(r->op, "add") != 0 ||
            strcmp(r->key, key) != 0)
            continue;
        char v[32];
        assert_true(inspect_field(r->text, "cwnd", v, sizeof v));
        assert_true(p[k].time == r->time);
        assert_true(p[k].v == strtod(v, NULL));
        if (k > 0) {
            grew |= p[k].v > p[k - 1].v;
            halved |= p[k].v <= p[k - 1].v / 2 + 1460 && p[k].v < p[k - 1].v;
        }
        k++;
    }
    assert_true(grew && halved);
    /* Up to the cursor only: at step 1 the connection has one record. */
    n = inspect_series(m, laptop, "tcp", key, "cwnd", 1, (double)model_step_end(m, 1), &p, &cap,
                       &end);
    assert_int_equal(n, 1);
    assert_true(end < 0);
    /* The peer's window: unknown (0) in SYN_SENT, then what it advertises. */
    n = inspect_series(m, laptop, "tcp", key, "wnd", (uint32_t)m->n_steps, t, &p, &cap, &end);
    assert_true(n > 2 && p[0].v == 0 && p[n - 1].v > 0);
    /* No such field, no such key: no points. */
    assert_int_equal(
        inspect_series(m, laptop, "tcp", key, "nope", (uint32_t)m->n_steps, t, &p, &cap, &end), 0);
    assert_int_equal(inspect_series(m, laptop, "tcp", "1.2.3.4:5 6.7.8.9:10", "cwnd",
                                    (uint32_t)m->n_steps, t, &p, &cap, &end),
                     0);
    free(p);
    model_free(m);
    unlink(path);
    rmdir(dir);
}

/* ---- the packet inspector ----------------------------------------------- */

static const DissectField *field(const DissectTree *t, const char *prefix)
{
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->f[i].text, prefix, strlen(prefix)) == 0)
            return &t->f[i];
    fail_msg("no field %s", prefix);
    return NULL;
}

/* Clicking an envelope opens the packet inspector; its fields are the
 * decoder's, and each stands for the bytes it was decoded from. */
static void test_packet_fields(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    const Model *m = a->m;
    /* The TLD server's referral, half way along its link. */
    int hop = -1;
    for (size_t i = 0; i < m->n_hops && hop < 0; i++)
        if (m->hops[i].from == node(m, "a.edu-servers.net"))
            hop = (int)i;
    assert_true(hop >= 0);
    const ModelHop *h = &m->hops[hop];
    double t = (h->send + h->arrive) / 2.0, x, y;
    player_goto_step(&a->p, model_step_at(m, t));
    a->p.t = t;
    app_frame(a, 0);
    assert_true(draw_packet_xy(m, &a->v, h, t, &x, &y));
    click(a, (int)x, (int)y);
    assert_true(a->inspect_packet);
    assert_int_equal(a->sel_hop, hop);
    app_frame(a, 0);
    assert_int_equal(a->tree_hop, hop);

    const TraceRec *r = &m->sim->trace.recs[h->rec];
    const DissectTree *t2 = &a->tree;
    for (size_t i = 0; i < t2->n; i++)
        assert_true((size_t)t2->f[i].off + t2->f[i].len <= r->len);
    /* The DNS message as the decoder reads it. */
    const DissectField *dns = field(t2, "Domain Name System (response)");
    DnsMsg msg;
    dns_msg_init(&msg);
    char why[160];
    assert_true(dns_decode(&msg, r->bytes + dns->off, dns->len, why, sizeof why));
    char want[128];
    snprintf(want, sizeof want, "Transaction ID: 0x%04x", msg.id);
    const DissectField *id = field(t2, "Transaction ID");
    assert_string_equal(id->text, want);
    assert_int_equal(id->len, 2);
    assert_int_equal((r->bytes[id->off] << 8) | r->bytes[id->off + 1], msg.id);
    assert_int_equal(msg.n[DNS_ANSWER], 0);
    assert_true(msg.n[DNS_AUTHORITY] > 0);
    /* Every authority record: the same words as the decoder, and its bytes
     * decode on their own to the same owner name. */
    const DissectField *auth = field(t2, "Authoritative nameservers");
    for (size_t i = 0; i < msg.n[DNS_AUTHORITY]; i++) {
        const DissectField *f = auth + 1 + i;
        Buf b;
        buf_init(&b);
        dns_rr_inspect(&msg.rr[DNS_AUTHORITY][i], &b);
        assert_string_equal(f->text, b.data);
        buf_fini(&b);
        assert_true(f->off >= auth->off && f->off + f->len <= auth->off + auth->len);
    }
    /* The summary the text trace shows is built from the same decode. */
    Buf sum;
    buf_init(&sum);
    dissect_summary(NULL, r->bytes, r->len, &sum);
    Buf words;
    buf_init(&words);
    dns_msg_summary(&msg, &words);
    assert_non_null(strstr(sum.data, words.data));
    buf_fini(&sum);
    buf_fini(&words);
    /* Checksums are checked, not just shown. */
    assert_non_null(strstr(field(t2, "Header Checksum")->text, "[correct]"));
    assert_non_null(strstr(field(t2, "Checksum")->text, "[correct]"));
    dns_msg_fini(&msg);
    /* Down moves the selection through the fields. */
    send_key(a, SDLK_DOWN, 0);
    send_key(a, SDLK_DOWN, 0);
    assert_int_equal(a->sel_field, 1);
    app_frame(a, 0);
    canvas_close(&c);
}

/* The tree of a damaged frame says so and never reads past it. */
static void test_tree_hostile(void **state)
{
    (void)state;
    Model *m = load("scenarios/dns_lecture.json");
    const TraceRec *r = &m->sim->trace.recs[m->hops[0].rec];
    uint8_t buf[2048];
    for (size_t len = 0; len <= r->len; len++) {
        memcpy(buf, r->bytes, len);
        DissectTree t = {0};
        dissect_tree(NULL, buf, len, &t);
        assert_true(t.n > 0);
        for (size_t i = 0; i < t.n; i++)
            assert_true((size_t)t.f[i].off + t.f[i].len <= len);
        dissect_tree_fini(&t);
    }
    model_free(m);
}

/* ---- the prompt --------------------------------------------------------- */

static char *console_at_end(App *a)
{
    player_end(&a->p);
    Buf b;
    buf_init(&b);
    panels_console_text(a, &b);
    return buf_take(&b);
}

/* A command typed at the prompt prints what the same line in the script
 * prints; the scenario saved with it runs to the same console. */
static void test_prompt_same_as_script(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    player_goto_step(&a->p, 30);
    double t = a->p.t;
    size_t steps = a->m->n_steps;
    send_key(a, SDLK_RETURN, 0);
    assert_true(a->typing);
    send_text(a, "host -t MX montana.edu");
    app_frame(a, 0);
    send_key(a, SDLK_RETURN, 0);
    assert_int_equal(a->prompt_len, 0);
    assert_true(a->m->n_steps > steps);
    assert_true(a->p.t == t && a->p.step == 30);
    assert_int_equal(a->p.mode, PLAYER_PLAYING);
    for (int i = 0; i < 50; i++)
        app_frame(a, 0.2);
    char *typed = console_at_end(a);
    assert_non_null(strstr(typed, "laptop$ host -t MX montana.edu\n"));
    assert_non_null(strstr(typed, "montana.edu mail is handled by"));

    /* The same line in a scenario's script. */
    char dir[] = "/tmp/minet-panels-XXXXXX", path[256], why[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/with-mx.json", dir);
    if (!scenario_save_typed(a->m->world, path, false, why, sizeof why))
        fail_msg("%s", why);
    Model *m = load(path);
    assert_int_equal(m->world->n_script, a->m->world->n_script);
    for (size_t i = 0; i < m->world->n_script; i++) {
        assert_string_equal(m->world->script[i].run, a->m->world->script[i].run);
        assert_true(m->world->script[i].at == a->m->world->script[i].at);
    }
    Canvas c2;
    c2.s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    c2.r = SDL_CreateSoftwareRenderer(c2.s);
    assert_true(app_init(&c2.a, m, c2.r, FONTS, why, sizeof why));
    char *scripted = console_at_end(&c2.a);
    assert_string_equal(typed, scripted);
    free(typed);
    free(scripted);
    canvas_close(&c2);
    unlink(path);
    rmdir(dir);

    /* The packet in the inspector stays the same packet across a typed
     * command when it was sent before it. */
    player_goto_step(&a->p, 6);
    int hop = inspect_step_hop(a->m, 6);
    app_select_hop(a, hop);
    ModelHop before = a->m->hops[hop];
    assert_true(app_run_command(a, "host -t NS edu"));
    assert_int_equal(a->sel_hop, hop);
    assert_true(a->m->hops[a->sel_hop].pkt == before.pkt &&
                a->m->hops[a->sel_hop].send == before.send);

    /* History: Up brings the line back. */
    send_key(a, SDLK_RETURN, 0);
    send_key(a, SDLK_UP, 0);
    assert_string_equal(a->prompt, "host -t NS edu");
    send_key(a, SDLK_UP, 0);
    assert_string_equal(a->prompt, "host -t MX montana.edu");
    send_key(a, SDLK_DOWN, 0);
    assert_string_equal(a->prompt, "host -t NS edu");
    send_key(a, SDLK_ESCAPE, 0);
    assert_false(a->typing);
    canvas_close(&c);
}

/* Faults typed at the prompt: `down` takes a server down from then on. */
static void test_prompt_fault(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    int ns = node(a->m, "ns1.montana.edu");
    player_goto_step(&a->p, 3);
    double t = a->p.t;
    /* Selecting the server leaves the prompt on the laptop. */
    click_node(&c, "ns1.montana.edu");
    assert_int_equal(app_prompt_node(a), node(a->m, "laptop"));
    assert_true(app_run_command(a, "down ns1.montana.edu"));
    assert_false(model_node_down(a->m, ns, UINT32_MAX, t - 1));
    assert_true(model_node_down(a->m, ns, UINT32_MAX, t + 1));
    /* Q with typed commands not saved warns once, then quits. */
    send_key(a, SDLK_q, 0);
    assert_false(a->quit);
    assert_non_null(strstr(a->status, "not saved"));
    send_key(a, SDLK_q, 0);
    assert_true(a->quit);
    canvas_close(&c);
}

/* Bad input gets the shell's words in the console and changes nothing; a
 * long unknown command and a 10,000-character paste do not crash. */
static void test_prompt_bad_input(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    player_goto_step(&a->p, 5);
    size_t steps = a->m->n_steps, script = a->m->world->n_script;
    assert_false(app_run_command(a, "frobnicate www.montana.edu"));
    assert_int_equal(a->m->n_steps, steps);
    assert_int_equal(a->m->world->n_script, script);
    Buf b;
    buf_init(&b);
    panels_console_text(a, &b);
    assert_non_null(strstr(b.data, "laptop$ frobnicate www.montana.edu\n"
                                   "bash: frobnicate: command not found\n"));
    buf_fini(&b);
    assert_false(app_run_command(a, "down no-such-node"));
    assert_false(app_run_command(a, "   "));

    /* Refused at a cursor between two microseconds: shown at once. */
    a->p.t = player_step_middle(&a->p, a->p.step) + 0.5;
    assert_false(app_run_command(a, "nosuchtool"));
    buf_init(&b);
    panels_console_text(a, &b);
    assert_non_null(strstr(b.data, "bash: nosuchtool: command not found\n"));
    buf_fini(&b);
    player_goto_step(&a->p, 5);

    /* A full prompt of two-byte characters takes no more, and loses none. */
    send_key(a, SDLK_RETURN, 0);
    for (int i = 0; i < PROMPT_MAX / 2; i++)
        send_text(a, "é");
    assert_int_equal(a->prompt_len, PROMPT_MAX);
    send_text(a, "x");
    assert_int_equal(a->prompt_len, PROMPT_MAX);
    assert_true(strncmp(a->prompt + PROMPT_MAX - 2, "é", 2) == 0);
    send_key(a, SDLK_BACKSPACE, 0);
    assert_int_equal(a->prompt_len, PROMPT_MAX - 2);
    send_key(a, SDLK_u, KMOD_LCTRL);
    assert_int_equal(a->prompt_len, 0);
    send_key(a, SDLK_ESCAPE, 0);

    /* A long unknown command. */
    char *lng = malloc(5001);
    memset(lng, 'z', 5000);
    lng[5000] = '\0';
    send_key(a, SDLK_RETURN, 0);
    send_text(a, lng);
    assert_int_equal(a->prompt_len, PROMPT_MAX);
    app_frame(a, 0);
    send_key(a, SDLK_RETURN, 0);
    app_frame(a, 0);
    assert_int_equal(a->m->world->n_script, script);
    free(lng);

    /* A 10,000-character paste after a real program: cut at PROMPT_MAX,
     * run, and host prints its own complaint about the name. */
    char *paste = malloc(10001);
    memcpy(paste, "host ", 5);
    for (int i = 5; i < 10000; i++)
        paste[i] = (char)('a' + i % 26);
    paste[10000] = '\0';
    send_text(a, paste);
    assert_int_equal(a->prompt_len, PROMPT_MAX);
    assert_true(a->prompt_cut);
    app_frame(a, 0);
    send_key(a, SDLK_RETURN, 0);
    for (int i = 0; i < 20; i++)
        app_frame(a, 0.5);
    assert_int_equal(a->m->world->n_script, script + 1);
    char *text = console_at_end(a);
    assert_non_null(strstr(text, "laptop$ host fghijk"));
    app_frame(a, 0);
    free(text);
    free(paste);
    canvas_close(&c);
}

/* What `minet run SCENARIO --quiet` prints: the headless run, as main.c
 * runs it, with the console writer on a memory stream. */
static char *headless_console(const char *path)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load(path, &errs);
    errors_fini(&errs);
    assert_non_null(w);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    Sim sim;
    sim_init(&sim, w->seed, w, false);
    agents_start(&sim);
    TraceSink sink = trace_writer_new(TRACE_CONSOLE, f);
    trace_add_sink(&sim.trace, sink);
    shell_schedule_script(&sim);
    sim_run_until(&sim, SIM_TIME_MAX);
    trace_end(&sim.trace);
    agents_stop(&sim);
    sim_fini(&sim);
    trace_writer_free(sink);
    fclose(f);
    world_free(w);
    return text;
}

/* For every bundled scenario, the console panel at the end shows exactly
 * what `minet run --quiet` prints. */
static void test_console_is_transcript(void **state)
{
    (void)state;
    DIR *d = opendir("scenarios");
    assert_non_null(d);
    int checked = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        Canvas c;
        canvas_open(&c, path);
        char *panel = console_at_end(&c.a), *headless = headless_console(path);
        if (strcmp(panel, headless) != 0)
            fail_msg("%s: the console panel differs from minet run --quiet", path);
        free(panel);
        free(headless);
        canvas_close(&c);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 14);
}

/* ---- the event list ----------------------------------------------------- */

static void test_event_filter(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, CACHE);
    App *a = &c.a;
    panels_refresh_events(a);
    assert_int_equal(a->events.n, a->m->n_steps); /* every step, no hops */
    send_key(a, SDLK_v, 0);                       /* DNS */
    send_key(a, SDLK_v, 0);                       /* ICMP */
    assert_string_equal(a->filter.proto, "ICMP");
    app_frame(a, 0);
    assert_true(a->events.n > 0 && a->events.n < a->m->n_steps);
    for (size_t i = 0; i < a->events.n; i++) {
        const EventRow *e = &a->events.rows[i];
        bool icmp = e->proto && strcmp(e->proto, "ICMP") == 0;
        for (size_t j = 0; j < a->m->n_hops && !icmp; j++)
            icmp = a->m->hops[j].step == e->step && strcmp(a->m->hops[j].proto, "ICMP") == 0;
        assert_true(icmp);
    }
    /* Hops under their steps, and only what the selected node sees. */
    send_key(a, SDLK_v, 0); /* every protocol again */
    assert_null(a->filter.proto);
    click_node(&c, "a.root-servers.net");
    send_key(a, SDLK_b, 0);
    send_key(a, SDLK_x, 0);
    app_frame(a, 0);
    int root = node(a->m, "a.root-servers.net");
    size_t hops = 0;
    for (size_t i = 0; i < a->events.n; i++) {
        const EventRow *e = &a->events.rows[i];
        if (e->is_hop) {
            hops++;
            assert_true(e->from == root || e->to == root);
        }
    }
    assert_true(hops >= 2); /* the query in, the referral out */
    /* Scrolled far past the top, then a click and a frame: nothing read
     * outside the list. */
    DrawRects d;
    draw_rects(&a->v, &d);
    assert_true(panels_wheel(a, d.events.x + 10, d.events.y + d.events.h / 2, 50));
    assert_true(a->events_top >= 0);
    click(a, d.events.x + 10, d.events.y + d.events.h / 2);
    player_next_step(&a->p);
    app_frame(a, 0);
    app_frame(a, 0);
    canvas_close(&c);
}

/* Clicking an event row jumps to its step and opens its packet. */
static void test_event_click(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    app_frame(a, 0);
    DrawRects d;
    draw_rects(&a->v, &d);
    /* The first rows sit under the title and filter bars; find row 3 by
     * probing downwards. */
    for (int y = d.events.y; y < d.events.y + d.events.h; y += 4) {
        a->p.step = 0;
        click(a, d.events.x + d.events.w / 2, y);
        if (a->p.step == 3)
            break;
    }
    assert_int_equal(a->p.step, 3);
    assert_true(a->inspect_packet);
    assert_int_equal(a->sel_hop, inspect_step_hop(a->m, 3));
    canvas_close(&c);
}

/* A fault at 0 s shows with its caption (step 1), not before it; and
 * while playing, the caption is never ahead of the clock. */
static void test_faults_and_playing(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_server_down.json");
    App *a = &c.a;
    int ns1 = node(a->m, "ns1.montana.edu");
    player_home(&a->p);
    assert_false(model_node_down(a->m, ns1, a->p.step, a->p.t));
    player_goto_step(&a->p, 1);
    assert_true(model_node_down(a->m, ns1, a->p.step, a->p.t));
    player_home(&a->p);
    player_toggle_play(&a->p);
    a->p.speed = 50;
    for (int i = 0; i < 4000 && a->p.mode == PLAYER_PLAYING; i++) {
        app_frame(a, 0.05);
        if (a->p.step > 0)
            assert_true(a->p.t >= (double)model_step_start(a->m, a->p.step));
    }
    assert_int_equal(a->p.mode, PLAYER_PAUSED);
    assert_int_equal(a->p.step, a->m->n_steps);
    canvas_close(&c);
}

/* ---- projector mode ----------------------------------------------------- */

static void test_projector_keys(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/dns_lecture.json");
    App *a = &c.a;
    DrawRects d;
    draw_rects(&a->v, &d);
    int net_w = d.net.w;
    send_key(a, SDLK_TAB, 0); /* the topology gets the whole width */
    draw_rects(&a->v, &d);
    assert_int_equal(d.net.w, W);
    send_key(a, SDLK_TAB, 0);
    draw_rects(&a->v, &d);
    assert_int_equal(d.net.w, net_w);
    send_key(a, SDLK_e, 0);
    send_key(a, SDLK_c, 0);
    send_key(a, SDLK_i, 0);
    assert_false(a->v.events || a->v.console || a->v.inspector);
    send_key(a, SDLK_e, 0);
    assert_true(a->v.events);
    double ts = a->v.text_scale;
    send_key(a, SDLK_EQUALS, KMOD_LCTRL);
    assert_true(a->v.text_scale > ts);
    send_key(a, SDLK_MINUS, KMOD_LCTRL);
    send_key(a, SDLK_MINUS, KMOD_LCTRL);
    assert_true(a->v.text_scale < ts);
    send_key(a, SDLK_0, KMOD_LCTRL);
    assert_true(a->v.text_scale == 1);
    for (int i = 0; i < 40; i++)
        send_key(a, SDLK_EQUALS, KMOD_LCTRL);
    assert_true(a->v.text_scale == TEXT_SCALE_MAX);
    app_frame(a, 0); /* the largest text still draws */
    send_key(a, SDLK_F1, 0);
    assert_true(a->help);
    app_frame(a, 0);
    send_key(a, SDLK_ESCAPE, 0);
    assert_false(a->help);
    assert_false(a->quit);
    send_key(a, SDLK_n, 0);
    assert_int_equal(a->sel_node, 0);
    send_key(a, SDLK_n, KMOD_LSHIFT);
    assert_int_equal(a->sel_node, (int)a->m->world->n_nodes - 1);
    /* K: the step's packet where it is at the cursor (at rest after the
     * step, the last link it crossed). */
    player_goto_step(&a->p, 4);
    send_key(a, SDLK_k, 0);
    assert_true(a->sel_hop >= 0);
    const ModelHop *kh = &a->m->hops[a->sel_hop];
    assert_true(kh->pkt == a->m->hops[inspect_step_hop(a->m, 4)].pkt);
    assert_true((double)kh->send < a->p.t && (double)kh->arrive <= a->p.t);
    for (size_t i = (size_t)a->sel_hop + 1; i < a->m->n_hops; i++)
        assert_false(a->m->hops[i].pkt == kh->pkt && (double)a->m->hops[i].send < a->p.t);
    send_key(a, SDLK_ESCAPE, 0); /* closes the packet */
    assert_int_equal(a->sel_hop, -1);
    send_key(a, SDLK_t, 0);
    assert_true(a->v.dark);
    app_frame(a, 0);
    canvas_close(&c);
}

/* Ctrl+S writes a new file beside the scenario, with the typed commands,
 * that loads back; a second save does not overwrite the first. */
static void test_save(void **state)
{
    (void)state;
    char dir[] = "/tmp/minet-save-XXXXXX", src[256], why[256];
    assert_non_null(mkdtemp(dir));
    snprintf(src, sizeof src, "%s/net_ping.json", dir);
    FILE *in = fopen("scenarios/net_ping.json", "rb"), *out = fopen(src, "wb");
    assert_true(in && out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    Canvas c;
    canvas_open(&c, src);
    App *a = &c.a;
    char path[1024];
    assert_false(app_save(a, path, sizeof path)); /* nothing typed */
    player_goto_step(&a->p, 2);
    assert_true(app_run_command(a, "ping -c 1 server"));
    send_key(a, SDLK_RETURN, 0); /* Ctrl+S saves while typing too */
    assert_true(a->typing);
    send_key(a, SDLK_s, KMOD_LCTRL);
    assert_true(a->typing);
    assert_int_equal(a->prompt_len, 0);
    char want[300];
    snprintf(want, sizeof want, "%s/net_ping-class-1.json", dir);
    assert_int_equal(access(want, R_OK), 0);
    assert_true(app_save(a, path, sizeof path));
    snprintf(want, sizeof want, "%s/net_ping-class-2.json", dir);
    assert_string_equal(path, want);
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_non_null(w);
    assert_int_equal(w->n_script, a->m->world->n_script);
    /* The typed line sits in time order in the file, for a teacher to read. */
    FILE *f = fopen(path, "rb");
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    char *typed = strstr(buf, "ping -c 1 server"), *later = strstr(buf, "traceroute server");
    assert_true(typed && later && typed < later);
    (void)why;
    world_free(w);
    canvas_close(&c);
    snprintf(want, sizeof want, "%s/net_ping-class-1.json", dir);
    unlink(want);
    unlink(path);
    unlink(src);
    rmdir(dir);
}

/* Lines typed into programs are saved as their script lines' "input",
 * read back the same (a file line's and a typed line's). */
static void test_save_input(void **state)
{
    (void)state;
    char dir[] = "/tmp/minet-save-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[256];
    snprintf(src, sizeof src, "%s/net_ping.json", dir);
    FILE *in = fopen("scenarios/net_ping.json", "rb"), *out = fopen(src, "wb");
    assert_true(in && out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    Canvas c;
    canvas_open(&c, src);
    App *a = &c.a;
    World *w = a->m->world;
    int file_line = -1;
    for (size_t i = 0; i < w->n_script; i++)
        if (strcmp(w->script[i].run, "ping -c 3 server") == 0)
            file_line = (int)i;
    assert_true(file_line >= 0);
    SimTime at = w->script[file_line].at;
    /* ping sets no prompt: the window's prompt still runs commands then. */
    assert_int_equal(
        model_reading(a->m, w->script[file_line].node, UINT32_MAX, (double)at + 1, NULL, 0), -1);
    assert_true(model_add_input(a->m, (size_t)file_line, at + 1500000, "hello there"));
    assert_false(model_add_input(a->m, (size_t)file_line, at - 1, "too early"));
    player_goto_step(&a->p, 2);
    assert_true(app_run_command(a, "ping -c 1 10.0.2.10"));
    w = a->m->world;
    for (size_t i = 0; i < w->n_script; i++)
        if (w->script[i].typed)
            assert_true(model_add_input(a->m, i, w->script[i].at + 2000000, "^D"));
    char path[1024];
    assert_true(app_save(a, path, sizeof path));
    Errors errs;
    errors_init(&errs);
    World *back = scenario_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    assert_non_null(back);
    int found = 0;
    for (size_t i = 0; i < back->n_script; i++) {
        const ScriptLine *l = &back->script[i];
        bool typed = strcmp(l->run, "ping -c 1 10.0.2.10") == 0;
        if (strcmp(l->run, "ping -c 3 server") != 0 && !typed)
            continue;
        found++;
        assert_int_equal(l->n_input, 1);
        assert_int_equal(l->input[0].at, typed ? 2000000 : 1500000);
        assert_string_equal(l->input[0].text, typed ? "^D" : "hello there");
    }
    assert_int_equal(found, 2);
    world_free(back);
    canvas_close(&c);
    unlink(path);
    unlink(src);
    rmdir(dir);
}

/* ^C at the window's prompt interrupts the program running there: ping
 * prints its statistics at that moment, and saving keeps the ^C. */
static void test_prompt_ctrl_c(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/net_ping.json");
    App *a = &c.a;
    World *w = a->m->world;
    int line = -1;
    for (size_t i = 0; i < w->n_script; i++)
        if (strcmp(w->script[i].run, "ping -c 3 server") == 0)
            line = (int)i;
    assert_true(line >= 0);
    int node = w->script[line].node;
    SimTime at = w->script[line].at;
    /* The cursor at the step of ping's second reply. */
    uint32_t step = 0;
    for (size_t i = 0; i < a->m->n_steps; i++)
        if (a->m->steps[i].time <= at + 1500000)
            step = (uint32_t)i + 1;
    player_goto_step(&a->p, step);
    a->prompt_host = node;
    assert_int_equal(model_foreground(a->m, node, a->p.step, a->p.t), line);
    assert_true(app_run_command(a, " ^C"));
    w = a->m->world;
    assert_int_equal(w->script[line].n_input, 1);
    assert_string_equal(w->script[line].input[0].text, "^C");
    assert_true(w->script[line].input_typed);
    Buf b;
    buf_init(&b);
    inspect_console(a->m, UINT32_MAX, 1e12, NULL, 0, &b);
    assert_non_null(strstr(b.data, "icmp_seq=2 ttl=62 time=26.2 ms\n^C\n"
                                   "--- server ping statistics ---\n"
                                   "2 packets transmitted, 2 received, 0% packet loss"));
    buf_fini(&b);
    /* Nothing runs there at the very end: ^C does nothing. */
    player_goto_step(&a->p, (uint32_t)a->m->n_steps);
    a->p.t = (double)a->m->end + 1;
    assert_int_equal(model_foreground(a->m, node, UINT32_MAX, a->p.t), -1);
    assert_false(app_run_command(a, "^C"));
    canvas_close(&c);
}

/* A line typed at the window's prompt while nc runs on the selected host
 * goes to nc, as a terminal's line would: it crosses the connection and
 * the server's nc prints it; saving keeps it as the script line's input. */
static void test_prompt_types_into_nc(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, "scenarios/tcp_handshake.json");
    App *a = &c.a;
    World *w = a->m->world;
    int line = -1;
    for (size_t i = 0; i < w->n_script; i++)
        if (strcmp(w->script[i].run, "nc -N 10.0.2.20 7000") == 0)
            line = (int)i;
    assert_true(line >= 0);
    int node = w->script[line].node;
    /* At 1.5 s the connection is up and nothing has been typed yet. */
    uint32_t step = 0;
    for (size_t i = 0; i < a->m->n_steps; i++)
        if (a->m->steps[i].time <= 1500000)
            step = (uint32_t)i + 1;
    player_goto_step(&a->p, step);
    a->prompt_host = node;
    char prompt[32];
    assert_int_equal(model_reading(a->m, node, a->p.step, a->p.t, prompt, sizeof prompt), line);
    assert_string_equal(prompt, "");
    assert_true(app_run_command(a, "typed in class"));
    w = a->m->world;
    assert_true(w->script[line].input_typed);
    Buf b;
    buf_init(&b);
    inspect_console(a->m, UINT32_MAX, 1e12, NULL, 0, &b);
    /* Echoed on the laptop, printed by the server's nc. */
    const char *first = strstr(b.data, "typed in class\n");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "typed in class\n"));
    buf_fini(&b);
    canvas_close(&c);
}

/* The chart at a given window size: the lecture at step 6, rendered. */
static void canvas_open_size(Canvas *c, int w, int h)
{
    c->s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(c->s);
    c->r = SDL_CreateSoftwareRenderer(c->s);
    assert_non_null(c->r);
    char why[256];
    if (!app_init(&c->a, load("scenarios/dns_lecture.json"), c->r, FONTS, why, sizeof why))
        fail_msg("%s", why);
    player_goto_step(&c->a.p, 6);
    c->a.p.t = player_step_middle(&c->a.p, 6);
    app_frame(&c->a, 0);
}

static bool shown(const SDL_Rect *r)
{
    return r->w > 0 && r->h > 0;
}

/* Every lifeline of the current step's arrows is drawn. */
static void assert_step_lives_shown(const App *a)
{
    const Chart *c = a->chart;
    size_t n = 0;
    for (size_t i = 0; i < c->n_arrows; i++) {
        if (c->arrows[i].step != a->p.step)
            continue;
        assert_false(c->lives[c->arrows[i].from].hidden);
        assert_false(c->lives[c->arrows[i].to].hidden);
        n++;
    }
    assert_true(n > 0);
}

/* Whatever the teacher just asked for shows: at 1024×768 the chart beside
 * the map leaves the inspector out for its lifelines, but a click on an
 * arrow opens its packet in the inspector, at a fifth of the width, and
 * the chart narrows (the current step's lifelines stay, +N more) instead;
 * S moves the chart on as before, and back beside the map it takes the
 * room again. */
static void test_chart_gives_way_to_inspector(void **state)
{
    (void)state;
    Canvas c;
    canvas_open_size(&c, 1024, 768);
    App *a = &c.a;
    DrawRects d;
    send_key(a, SDLK_s, 0);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_int_equal(a->chart_mode, 1);
    assert_int_equal(d.inspector.w, 0); /* waits: every lifeline shows */
    assert_int_equal(a->chart->n_hidden, 0);
    /* Click the first arrow found in the panel. */
    ChartPlace pl;
    panels_chart_place(a, &pl);
    int hit = -1, hx = 0, hy = 0;
    for (int y = d.chart.y; y < d.chart.y + d.chart.h && hit < 0; y += 2)
        for (int x = d.chart.x; x < d.chart.x + d.chart.w && hit < 0; x += 4)
            if ((hit = chartview_arrow_at(a->chart, &pl, x, y)) >= 0)
                hx = x, hy = y;
    assert_true(hit >= 0);
    click(a, hx, hy);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_true(a->inspect_packet && a->sel_hop == a->chart->arrows[hit].hop);
    assert_int_equal(a->p.step, a->chart->arrows[hit].step);
    assert_int_equal(a->chart_mode, 1);
    assert_true(d.inspector.w >= 1024 / 5 && d.inspector.h > 0);
    assert_true(d.net.w >= 1024 / 4 && d.chart.w > 0);
    assert_int_equal(d.inspector.w + d.net.w + d.chart.w, 1024);
    assert_true(a->chart->n_hidden > 0); /* +N more, the stated rule */
    assert_step_lives_shown(a);
    /* S: in the map's place, with the inspector and every lifeline. */
    send_key(a, SDLK_s, 0);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_int_equal(a->chart_mode, 2);
    assert_true(shown(&d.inspector));
    assert_int_equal(a->chart->n_hidden, 0);
    /* Off, then beside again: the chart takes its room back. */
    send_key(a, SDLK_s, 0);
    send_key(a, SDLK_s, 0);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_int_equal(a->chart_mode, 1);
    assert_int_equal(d.inspector.w, 0);
    assert_int_equal(a->chart->n_hidden, 0);
    /* A node clicked on the map asks for the inspector too; Escape lets
     * the packet go, but I hides it. */
    send_key(a, SDLK_n, 0);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_true(a->sel_node >= 0 && d.inspector.w >= 1024 / 5);
    send_key(a, SDLK_i, 0);
    app_frame(a, 0);
    draw_rects(&a->v, &d);
    assert_int_equal(d.inspector.w, 0);
    assert_int_equal(a->chart->n_hidden, 0);
    canvas_close(&c);
}

/* With the chart in the map's place holding the event list's column too
 * (its lifelines need it), E and C show their panel: the chart gives the
 * column back and narrows, staying in the map's place; pressed again they
 * hide it; after S the chart takes the column again. */
static void test_chart_gives_way_to_list(void **state)
{
    (void)state;
    int sizes[][2] = {{1024, 768}, {1280, 720}};
    for (size_t k = 0; k < 2; k++) {
        int w = sizes[k][0];
        SDL_Keycode keys[] = {SDLK_e, SDLK_c};
        for (size_t j = 0; j < 2; j++) {
            Canvas c;
            canvas_open_size(&c, w, sizes[k][1]);
            App *a = &c.a;
            DrawRects d;
            send_key(a, SDLK_s, 0);
            send_key(a, SDLK_s, 0);
            app_frame(a, 0);
            draw_rects(&a->v, &d);
            assert_int_equal(a->chart_mode, 2);
            assert_false(shown(&d.events) || shown(&d.console)); /* the chart holds them */
            assert_int_equal(a->chart->n_hidden, 0);
            send_key(a, keys[j], 0);
            app_frame(a, 0);
            draw_rects(&a->v, &d);
            assert_int_equal(a->chart_mode, 2);
            assert_true(shown(j == 0 ? &d.events : &d.console));
            assert_true(d.chart.x == d.net.x && d.chart.x + d.chart.w <= d.events.x);
            assert_true(shown(&d.inspector));
            assert_step_lives_shown(a);
            /* Again: the panel goes. */
            send_key(a, keys[j], 0);
            app_frame(a, 0);
            draw_rects(&a->v, &d);
            assert_false(shown(j == 0 ? &d.events : &d.console));
            send_key(a, keys[j], 0);
            /* S off, S beside, S in the map's place: the column is the
             * chart's again. */
            for (int i = 0; i < 3; i++)
                send_key(a, SDLK_s, 0);
            app_frame(a, 0);
            draw_rects(&a->v, &d);
            assert_int_equal(a->chart_mode, 2);
            assert_false(shown(&d.events) || shown(&d.console));
            assert_int_equal(a->chart->n_hidden, 0);
            canvas_close(&c);
        }
    }
}

int main(void)
{
    if (SDL_Init(0) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_click_node_cache),
        cmocka_unit_test(test_tcp_table),
        cmocka_unit_test(test_select_row),
        cmocka_unit_test(test_tcp_plot),
        cmocka_unit_test(test_packet_fields),
        cmocka_unit_test(test_tree_hostile),
        cmocka_unit_test(test_prompt_same_as_script),
        cmocka_unit_test(test_prompt_fault),
        cmocka_unit_test(test_prompt_bad_input),
        cmocka_unit_test(test_console_is_transcript),
        cmocka_unit_test(test_event_filter),
        cmocka_unit_test(test_event_click),
        cmocka_unit_test(test_faults_and_playing),
        cmocka_unit_test(test_projector_keys),
        cmocka_unit_test(test_chart_gives_way_to_inspector),
        cmocka_unit_test(test_chart_gives_way_to_list),
        cmocka_unit_test(test_save),
        cmocka_unit_test(test_save_input),
        cmocka_unit_test(test_prompt_ctrl_c),
        cmocka_unit_test(test_prompt_types_into_nc),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    TTF_Quit();
    SDL_Quit();
    return failed;
}
