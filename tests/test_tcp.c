/* TCP: the handshake, data both ways, teardown, loss and retransmission,
 * the congestion window against RFC 5681, the state machine against
 * hand-built segments, zero windows and persist probes, resets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "helpers.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/tcp.h"

/* ---- a two-host world and two small programs ------------------------------------ */

typedef struct App {
    Sim *sim;
    TcpConn *c;
    Buf got;
    bool connected, fin, ended;
    TcpWhy why;
    int accepted;
    const uint8_t *src;
    size_t src_len, src_off;
    bool close_when_done; /* client: tcp_close after the last byte is queued */
    bool no_read;         /* server: never calls tcp_recved */
    bool close_on_fin;    /* server: closes when the peer's FIN arrives */
    SimTime fin_at, ended_at;
} App;

static void pump(App *a)
{
    while (a->c && a->src_off < a->src_len) {
        size_t n = tcp_write(a->c, a->src + a->src_off, a->src_len - a->src_off);
        if (!n)
            break;
        a->src_off += n;
    }
    if (a->c && a->src_off == a->src_len && a->close_when_done) {
        a->close_when_done = false;
        tcp_shutdown(a->c);
    }
}

static void app_connected(void *ctx, TcpConn *c)
{
    App *a = ctx;
    a->c = c;
    a->connected = true;
    pump(a);
}

static void app_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    App *a = ctx;
    if (!len) {
        a->fin = true;
        a->fin_at = a->sim->now;
        if (a->close_on_fin)
            tcp_close(c);
        return;
    }
    buf_put(&a->got, data, len);
    if (!a->no_read)
        tcp_recved(c, len);
}

static void app_sent(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    pump(ctx);
}

static void app_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    App *a = ctx;
    a->ended = true;
    a->why = why;
    a->ended_at = a->sim->now;
    a->c = NULL;
}

static const TcpOps app_ops = {NULL, app_connected, app_received, app_sent, app_ended};

static void app_accepted(void *ctx, TcpConn *l, TcpConn *c)
{
    (void)l;
    App *a = ctx;
    a->accepted++;
    a->c = c;
    tcp_set_ops(c, &app_ops, a);
}

static const TcpOps listen_ops = {app_accepted, NULL, NULL, NULL, NULL};

typedef struct Net2 {
    Sim sim;
    World *w;
    int a, b;
    uint32_t ipa, ipb;
} Net2;

/* a (10.0.0.1) — b (10.0.0.2), one link. */
static void net2_init(Net2 *n, SimTime latency, uint64_t bw, double loss, uint64_t seed, bool keep)
{
    n->w = world_new();
    n->a = tw_node(n->w, "a", MN_ROLE_HOST, "10.0.0.1");
    n->b = tw_node(n->w, "b", MN_ROLE_HOST, "10.0.0.2");
    tw_link(n->w, n->a, n->b, latency, bw, loss);
    n->ipa = tw_ip("10.0.0.1");
    n->ipb = tw_ip("10.0.0.2");
    world_wire(n->w);
    sim_init(&n->sim, seed, n->w, keep);
    net_new(&n->sim);
}

static void net2_fini(Net2 *n)
{
    tcp_free_all(&n->sim);
    net_free(n->sim.net);
    sim_fini(&n->sim);
    world_free(n->w);
}

static uint8_t *pattern(size_t len, uint32_t seed)
{
    uint8_t *p = xmalloc(len ? len : 1);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

/* a sends len bytes to b's port 7000 and closes; b closes on FIN. */
typedef struct Transfer {
    Net2 n;
    App cli, srv;
    uint8_t *data;
    size_t len;
} Transfer;

static void transfer_start(Transfer *t, size_t len, SimTime latency, uint64_t bw, double loss,
                           uint64_t seed, bool keep)
{
    memset(t, 0, sizeof *t);
    net2_init(&t->n, latency, bw, loss, seed, keep);
    t->len = len;
    t->data = pattern(len, (uint32_t)seed);
    t->cli.sim = t->srv.sim = &t->n.sim;
    buf_init(&t->cli.got);
    buf_init(&t->srv.got);
    t->cli.src = t->data;
    t->cli.src_len = len;
    t->cli.close_when_done = true;
    t->srv.close_on_fin = true;
    assert_non_null(tcp_listen(&t->n.sim, t->n.b, 7000, 16, &listen_ops, &t->srv));
    NetErr err;
    t->cli.c = tcp_connect(&t->n.sim, t->n.a, t->n.ipb, 7000, NULL, &app_ops, &t->cli, &err);
    assert_non_null(t->cli.c);
    assert_int_equal(err, NET_OK);
}

static void transfer_fini(Transfer *t)
{
    buf_fini(&t->cli.got);
    buf_fini(&t->srv.got);
    free(t->data);
    net2_fini(&t->n);
}

/* MINET_TEST_TRACE=1 prints the notes and state records (debugging). */
static void dump(const Sim *sim)
{
    if (!getenv("MINET_TEST_TRACE"))
        return;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_NOTE)
            printf("%10.6f #%llu %s\n", r->time / 1e6, (unsigned long long)r->pkt, r->text);
        else if (r->kind == TR_STATE)
            printf("%10.6f   [%s %s] %s = %s\n", r->time / 1e6, r->op, r->table, r->key,
                   r->text ? r->text : "");
        else if (r->kind == TR_DROP)
            printf("%10.6f   drop #%llu %s\n", r->time / 1e6, (unsigned long long)r->pkt, r->text);
    }
}

static TcpState state_of(Sim *sim, int node, size_t i)
{
    TcpInfo in[8];
    size_t n = tcp_node_conns(sim, node, in, 8);
    return i < n ? in[i].state : TCP_CLOSED;
}

/* ---- the whole life of a connection ----------------------------------------------------- */

static void test_handshake_data_close(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 5000, 5000, 100000000, 0, 1, true);
    Sim *sim = &t.n.sim;
    sim_run_until(sim, SIM_TIME_MAX);
    dump(sim);
    assert_true(t.cli.connected);
    assert_int_equal(t.srv.accepted, 1);
    assert_int_equal(t.srv.got.len, 5000);
    assert_memory_equal(t.srv.got.data, t.data, 5000);
    assert_true(t.srv.fin);
    assert_true(t.cli.fin);
    assert_true(t.cli.ended);
    assert_int_equal(t.cli.why, TCP_WHY_CLOSED);
    assert_false(t.srv.ended); /* it called tcp_close: no more callbacks */
    /* The run ends although a sits in TIME-WAIT: that is a background event. */
    assert_true(sim->now < 1000000);
    assert_int_equal(state_of(sim, t.n.a, 0), TCP_TIME_WAIT);
    /* The listener stays, b's connection is gone. */
    assert_int_equal(state_of(sim, t.n.b, 0), TCP_LISTEN);
    assert_int_equal(state_of(sim, t.n.b, 1), TCP_CLOSED);
    /* Steps: SYN, SYN-ACK, ACK, each data segment (short), FINs and ACKs. */
    assert_int_equal(tw_count(sim, TR_NOTE, "opens a TCP connection to b port 7000: SYN"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "SYN-ACK, its own first sequence number"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "the connection is established"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "sends 1460 bytes to b"), 3);
    assert_int_equal(tw_count(sim, TR_NOTE, "TIME-WAIT"), 1);
    assert_int_equal(tw_count(sim, TR_DROP, NULL), 0);
    /* Running on to TIME-WAIT's end frees a's side too. */
    sim_run_until(sim, 61000000);
    assert_int_equal(state_of(sim, t.n.a, 0), TCP_CLOSED);
    transfer_fini(&t);
}

static void test_refused(void **state)
{
    (void)state;
    Net2 n;
    net2_init(&n, 1000, 1000000000, 0, 1, true);
    App a = {.sim = &n.sim};
    buf_init(&a.got);
    NetErr err;
    TcpConn *c = tcp_connect(&n.sim, n.a, n.ipb, 25, "b.example", &app_ops, &a, &err);
    assert_non_null(c);
    sim_run_until(&n.sim, SIM_TIME_MAX);
    assert_true(a.ended);
    assert_int_equal(a.why, TCP_WHY_REFUSED);
    assert_false(a.connected);
    assert_int_equal(n.sim.now, 2000 + 2 * 1); /* one round trip (plus serialization) */
    assert_int_equal(tw_count(&n.sim, TR_NOTE, "Nobody on b listens on TCP port 25"), 1);
    assert_int_equal(tw_count(&n.sim, TR_NOTE, "the connection is refused"), 2);
    buf_fini(&a.got);
    net2_fini(&n);
}

static void test_lossy_transfers_deliver_every_byte(void **state)
{
    (void)state;
    const double losses[] = {0.01, 0.05, 0.15};
    for (size_t li = 0; li < MN_ARRAY_LEN(losses); li++)
        for (uint64_t seed = 1; seed <= 4; seed++) {
            Transfer t;
            transfer_start(&t, 300000, 2000, 100000000, losses[li], seed, false);
            sim_run_until(&t.n.sim, SIM_TIME_MAX);
            assert_int_equal(t.srv.got.len, t.len);
            assert_memory_equal(t.srv.got.data, t.data, t.len);
            assert_true(t.srv.fin);
            transfer_fini(&t);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_data_close),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_lossy_transfers_deliver_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
