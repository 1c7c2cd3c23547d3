/* TCP: the handshake, data both ways, teardown, loss and retransmission,
 * the congestion window against RFC 5681, the state machine against
 * hand-built segments, zero windows and persist probes, resets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/tcp.h"
#include "io/pcap.h"

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
static void net2_init(Net2 *n, SimTime latency, uint64_t bw, double loss, uint64_t seed, bool keep,
                      const TcpConf *conf)
{
    n->w = world_new();
    n->a = tw_node(n->w, "a", ROLE_HOST, "10.0.0.1");
    n->b = tw_node(n->w, "b", ROLE_HOST, "10.0.0.2");
    tw_link(n->w, n->a, n->b, latency, bw, loss);
    n->ipa = tw_ip("10.0.0.1");
    n->ipb = tw_ip("10.0.0.2");
    if (conf) {
        n->w->tcp = xcalloc(2, sizeof *n->w->tcp);
        n->w->tcp[0] = conf[0];
        n->w->tcp[1] = conf[1];
    }
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

/* a sends len bytes to b's port 5555 and closes; b closes on FIN. */
typedef struct Transfer {
    Net2 n;
    App cli, srv;
    uint8_t *data;
    size_t len;
} Transfer;

static void transfer_init(Transfer *t, size_t len, SimTime latency, uint64_t bw, double loss,
                          uint64_t seed, bool keep, const TcpConf *conf);
static void transfer_connect(Transfer *t);

static void transfer_start(Transfer *t, size_t len, SimTime latency, uint64_t bw, double loss,
                           uint64_t seed, bool keep, const TcpConf *conf)
{
    transfer_init(t, len, latency, bw, loss, seed, keep, conf);
    transfer_connect(t);
}

static void transfer_init(Transfer *t, size_t len, SimTime latency, uint64_t bw, double loss,
                          uint64_t seed, bool keep, const TcpConf *conf)
{
    memset(t, 0, sizeof *t);
    net2_init(&t->n, latency, bw, loss, seed, keep, conf);
    t->len = len;
    t->data = pattern(len, (uint32_t)seed);
    t->cli.sim = t->srv.sim = &t->n.sim;
    buf_init(&t->cli.got);
    buf_init(&t->srv.got);
    t->cli.src = t->data;
    t->cli.src_len = len;
    t->cli.close_when_done = true;
    t->srv.close_on_fin = true;
}

static void transfer_connect(Transfer *t)
{
    assert_non_null(tcp_listen(&t->n.sim, t->n.b, 5555, 16, &listen_ops, &t->srv));
    NetErr err;
    t->cli.c = tcp_connect(&t->n.sim, t->n.a, t->n.ipb, 5555, NULL, &app_ops, &t->cli, &err);
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
    transfer_start(&t, 5000, 5000, 100000000, 0, 1, true, NULL);
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
    assert_int_equal(tw_count(sim, TR_NOTE, "opens a TCP connection to b port 5555: SYN"), 1);
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
    net2_init(&n, 1000, 1000000000, 0, 1, true, NULL);
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
    assert_int_equal(tw_count(&n.sim, TR_NOTE, "the connection is refused"), 1);
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
            transfer_start(&t, 300000, 2000, 100000000, losses[li], seed, false, NULL);
            sim_run_until(&t.n.sim, SIM_TIME_MAX);
            assert_int_equal(t.srv.got.len, t.len);
            assert_memory_equal(t.srv.got.data, t.data, t.len);
            assert_true(t.srv.fin);
            transfer_fini(&t);
        }
}

/* Data both ways under loss: b echoes everything a sends, and closes when
 * a has closed and everything is echoed. */
typedef struct Echo {
    Buf back;
    TcpConn *c;
    size_t pending_off;
    Buf pending;
    bool fin;
} Echo;

static void echo_flush(Echo *e)
{
    while (e->c && e->pending_off < e->pending.len) {
        size_t n =
            tcp_write(e->c, e->pending.data + e->pending_off, e->pending.len - e->pending_off);
        if (!n)
            break;
        e->pending_off += n;
    }
    if (e->c && e->fin && e->pending_off == e->pending.len) {
        tcp_close(e->c);
        e->c = NULL;
    }
}

static void echo_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    Echo *e = ctx;
    if (!len)
        e->fin = true;
    buf_put(&e->pending, data, len);
    tcp_recved(c, len);
    echo_flush(e);
}

static void echo_sent(void *ctx, TcpConn *c, size_t n)
{
    (void)c;
    (void)n;
    echo_flush(ctx);
}

static const TcpOps echo_ops = {NULL, NULL, echo_received, echo_sent, NULL};

static void echo_accepted(void *ctx, TcpConn *l, TcpConn *c)
{
    (void)l;
    Echo *e = ctx;
    e->c = c;
    tcp_set_ops(c, &echo_ops, e);
}

static const TcpOps echo_listen_ops = {echo_accepted, NULL, NULL, NULL, NULL};

static void test_echo_both_ways_under_loss(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        Net2 n;
        net2_init(&n, 3000, 50000000, 0.03, seed, false, NULL);
        Echo e = {0};
        buf_init(&e.pending);
        App cli = {.sim = &n.sim, .close_when_done = true};
        buf_init(&cli.got);
        size_t len = 200000;
        uint8_t *data = pattern(len, (uint32_t)seed);
        cli.src = data;
        cli.src_len = len;
        assert_non_null(tcp_listen(&n.sim, n.b, 7, 4, &echo_listen_ops, &e));
        NetErr err;
        assert_non_null(tcp_connect(&n.sim, n.a, n.ipb, 7, NULL, &app_ops, &cli, &err));
        sim_run_until(&n.sim, SIM_TIME_MAX);
        assert_int_equal(e.pending.len, len);
        assert_memory_equal(e.pending.data, data, len);
        assert_int_equal(cli.got.len, len);
        assert_memory_equal(cli.got.data, data, len);
        assert_true(cli.fin);
        assert_true(cli.ended);
        assert_int_equal(cli.why, TCP_WHY_CLOSED);
        free(data);
        buf_fini(&cli.got);
        buf_fini(&e.pending);
        net2_fini(&n);
    }
}

/* Same seed, same trace: record for record, byte for byte. */
static void test_deterministic(void **state)
{
    (void)state;
    Transfer t1, t2;
    transfer_start(&t1, 150000, 3000, 100000000, 0.03, 9, true, NULL);
    sim_run_until(&t1.n.sim, SIM_TIME_MAX);
    transfer_start(&t2, 150000, 3000, 100000000, 0.03, 9, true, NULL);
    sim_run_until(&t2.n.sim, SIM_TIME_MAX);
    const Trace *a = &t1.n.sim.trace, *b = &t2.n.sim.trace;
    assert_int_equal(a->n, b->n);
    assert_true(a->notes > 10);
    for (size_t i = 0; i < a->n; i++) {
        const TraceRec *x = &a->recs[i], *y = &b->recs[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->time, y->time);
        assert_int_equal(x->pkt, y->pkt);
        assert_int_equal(x->len, y->len);
        if (x->len)
            assert_memory_equal(x->bytes, y->bytes, x->len);
        assert_string_equal(x->text ? x->text : "", y->text ? y->text : "");
    }
    transfer_fini(&t1);
    transfer_fini(&t2);
}

/* A bulk transfer is a handful of steps: its start, each loss, each change
 * of congestion state, its end with counts; never one per segment. */
static void test_bulk_narration(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 1000000, 5000, 100000000, 0.01, 2, true, NULL);
    Sim *sim = &t.n.sim;
    sim_run_until(sim, SIM_TIME_MAX);
    dump(sim);
    assert_int_equal(t.srv.got.len, t.len);
    assert_int_equal(tw_count(sim, TR_NOTE, "starts a bulk transfer"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "has acknowledged the whole transfer"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "the 685 segments arrived"), 1);
    size_t lost = tw_count(sim, TR_DROP, "lost on link");
    size_t notes = sim->trace.notes;
    assert_true(lost > 0);
    /* 685 data segments; the notes: handshake, teardown, the transfer's
     * start and end, and a few per loss */
    assert_true(notes < 20 + 4 * lost);
    transfer_fini(&t);
}

/* ---- the congestion window against RFC 5681 ------------------------------------------ */

static TcpInfo info_of(Sim *sim, int node)
{
    TcpInfo in[4];
    size_t n = tcp_node_conns(sim, node, in, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        if (in[i].state != TCP_LISTEN)
            return in[i];
    TcpInfo none = {0};
    return none;
}

static const TcpConf big_windows[2] = {{true, 16u << 20, 16u << 20, 0},
                                       {true, 16u << 20, 16u << 20, 0}};

static void set_link(Sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    net_set_link_up(sim, 0, arg != 0);
}

/* The link blinks for 2 µs around the arrival of the tenth frame a sends
 * from now: one data segment lost, with more behind it. */
static void lose_next_frame(Sim *sim, int from)
{
    size_t seen = sim->trace.n;
    int count = 0;
    while (sim_step(sim)) {
        for (; seen < sim->trace.n; seen++) {
            const TraceRec *r = &sim->trace.recs[seen];
            if (r->kind == TR_HOP && r->node == from && r->len > 1000 && ++count == 10) {
                sim_at(sim, r->arrive - 1, set_link, NULL, 0);
                sim_at(sim, r->arrive + 1, set_link, NULL, 1);
                return;
            }
        }
    }
    fail_msg("no frame in flight");
}

static void test_cwnd_slow_start_doubles_per_rtt(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 20u << 20, 10000, 1000000000, 0, 1, false, big_windows);
    Sim *sim = &t.n.sim;
    /* Established at 20 ms (one round trip); the first flight goes then,
     * its ACKs come back 20 ms later.  Sample between the bursts of ACKs.
     * Every second segment is acknowledged, and each ACK adds up to two
     * segments (RFC 3465, L = 2): the window doubles per round trip, less
     * the odd segment whose ACK is delayed. */
    uint32_t prev = 0;
    for (int k = 0; k < 6; k++) {
        sim_run_until(sim, 30000 + k * 20000);
        uint32_t cwnd = info_of(sim, t.n.a).cwnd;
        if (k == 0)
            assert_int_equal(cwnd, 10 * 1460); /* RFC 6928's initial window */
        else
            assert_true(cwnd >= prev * 17 / 10 && cwnd <= 2 * prev);
        prev = cwnd;
    }
    assert_true(prev > 20 * 14600);
    transfer_fini(&t);
}

/* One segment lost (the link blinks for 4 µs while a frame arrives):
 * fast retransmit halves the window, recovery ends with cwnd = ssthresh,
 * then congestion avoidance adds one segment per round trip. */
static void test_cwnd_fast_retransmit_and_avoidance(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 40u << 20, 10000, 1000000000, 0, 1, true, big_windows);
    Sim *sim = &t.n.sim;
    sim_run_until(sim, 95000);
    lose_next_frame(sim, t.n.a);
    /* Step to the fast retransmit: ssthresh changes there. */
    TcpInfo before = info_of(sim, t.n.a), now = before;
    while (now.ssthresh == before.ssthresh && sim_step(sim)) {
        if (now.cwnd != info_of(sim, t.n.a).cwnd && info_of(sim, t.n.a).ssthresh == now.ssthresh)
            before = info_of(sim, t.n.a);
        now = info_of(sim, t.n.a);
    }
    assert_int_equal(tw_count(sim, TR_NOTE, "three duplicate ACKs"), 1);
    /* ssthresh = FlightSize / 2 (the window was full), cwnd = ssthresh + 3 */
    assert_true(now.ssthresh <= before.cwnd / 2 && now.ssthresh >= before.cwnd / 2 - 1460);
    assert_int_equal(now.cwnd, now.ssthresh + 3 * 1460);
    sim_run_until(sim, 200000);
    TcpInfo after = info_of(sim, t.n.a);
    dump(sim);
    assert_int_equal(tw_count(sim, TR_NOTE, "leaves fast recovery"), 1);
    assert_int_equal(tw_count(sim, TR_DROP, NULL), 1);
    assert_int_equal(after.ssthresh, now.ssthresh);
    assert_true(after.cwnd >= after.ssthresh && after.cwnd <= after.ssthresh + 4 * 1460);
    /* Congestion avoidance: about one segment per round trip (20 ms). */
    uint32_t c0 = info_of(sim, t.n.a).cwnd;
    sim_run_until(sim, 200000 + 5 * 20000 + 500);
    uint32_t c5 = info_of(sim, t.n.a).cwnd;
    assert_true(c5 - c0 >= 4 * 1460 && c5 - c0 <= 6 * 1460);
    transfer_fini(&t);
}

static void test_cwnd_timeout_falls_to_one_segment(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 4u << 20, 10000, 1000000000, 0, 1, true, NULL);
    Sim *sim = &t.n.sim;
    sim_at(sim, 60000, set_link, NULL, 0); /* down for 1.5 s */
    sim_at(sim, 1560000, set_link, NULL, 1);
    sim_run_until(sim, 59000);
    TcpInfo before = info_of(sim, t.n.a);
    assert_true(before.cwnd > 10 * 1460);
    /* The first timeout: rto after the handshake's samples is 200 ms. */
    sim_run_until(sim, 60000 + 300000);
    TcpInfo after = info_of(sim, t.n.a);
    assert_int_equal(after.cwnd, 1460);
    assert_true(after.ssthresh >= 2 * 1460);
    assert_true(after.rto >= 2 * before.rto);
    assert_true(tw_count(sim, TR_NOTE, "its retransmission timer") >= 1);
    sim_run_until(sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    assert_memory_equal(t.srv.got.data, t.data, t.len);
    transfer_fini(&t);
}

/* ---- the state machine against hand-built segments --------------------------------------- */

/* a runs TCP; "b" is the test: b is down, so a's segments go nowhere, and
 * the test reads them off a's hop records and answers by hand. */
typedef struct Peer {
    Net2 n;
    App app;
    size_t seen; /* trace records read so far */
} Peer;

typedef struct Seg {
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    uint32_t len;
    uint16_t sport, dport;
    uint8_t data[1600];
} Seg;

static void peer_init(Peer *p)
{
    memset(p, 0, sizeof *p);
    net2_init(&p->n, 1000, 1000000000, 0, 7, true, NULL);
    net_set_node_up(&p->n.sim, p->n.b, false);
    p->app.sim = &p->n.sim;
    buf_init(&p->app.got);
}

static void peer_fini(Peer *p)
{
    buf_fini(&p->app.got);
    net2_fini(&p->n);
}

/* The next segment a sent (false if none). */
static bool peer_next(Peer *p, Seg *out)
{
    sim_run_until(&p->n.sim, p->n.sim.now + 50); /* past the link's serialization */
    const Trace *t = &p->n.sim.trace;
    for (; p->seen < t->n; p->seen++) {
        const TraceRec *r = &t->recs[p->seen];
        if (r->kind != TR_HOP || r->node != p->n.a)
            continue;
        const uint8_t *ip = r->bytes + ETH_HLEN;
        if (ip[9] != IP_PROTO_TCP)
            continue;
        const uint8_t *tcp = ip + 20;
        size_t tlen = get_be16(ip + 2) - 20u;
        size_t hlen = (size_t)(tcp[12] >> 4) * 4;
        /* the checksum over the pseudo-header must come out right */
        assert_int_equal(ipv4_checksum(tcp, tlen,
                                       ipv4_pseudo_sum(get_be32(ip + 12), get_be32(ip + 16),
                                                       IP_PROTO_TCP, (uint16_t)tlen)),
                         0);
        out->sport = get_be16(tcp);
        out->dport = get_be16(tcp + 2);
        out->seq = get_be32(tcp + 4);
        out->ack = get_be32(tcp + 8);
        out->flags = tcp[13];
        out->wnd = get_be16(tcp + 14);
        out->len = (uint32_t)(tlen - hlen);
        memcpy(out->data, tcp + hlen, out->len);
        p->seen++;
        return true;
    }
    return false;
}

/* b → a, delivered to a's TCP now. */
static void peer_send(Peer *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                      uint8_t flags, uint16_t wnd, const void *data, size_t len)
{
    uint8_t seg[1600];
    memset(seg, 0, 20);
    put_be16(seg, sport);
    put_be16(seg + 2, dport);
    put_be32(seg + 4, seq);
    put_be32(seg + 8, ack);
    seg[12] = 5 << 4;
    seg[13] = flags;
    put_be16(seg + 14, wnd);
    if (len)
        memcpy(seg + 20, data, len);
    size_t tlen = 20 + len;
    put_be16(seg + 16,
             ipv4_checksum(seg, tlen,
                           ipv4_pseudo_sum(p->n.ipb, p->n.ipa, IP_PROTO_TCP, (uint16_t)tlen)));
    Ipv4Hdr ip = {.ihl = 20,
                  .total_len = (uint16_t)(20 + tlen),
                  .ttl = 64,
                  .proto = IP_PROTO_TCP,
                  .src = p->n.ipb,
                  .dst = p->n.ipa};
    tcp_input(&p->n.sim, p->n.a, sim_packet_id(&p->n.sim), &ip, seg, tlen);
}

static void run_for(Peer *p, SimTime d)
{
    sim_run_until(&p->n.sim, p->n.sim.now + d);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

/* a connects to b:80; the test answers the SYN.  Returns a's SYN. */
static Seg peer_connect(Peer *p, uint32_t b_iss)
{
    NetErr err;
    p->app.c = tcp_connect(&p->n.sim, p->n.a, p->n.ipb, 80, NULL, &app_ops, &p->app, &err);
    assert_non_null(p->app.c);
    Seg syn;
    assert_true(peer_next(p, &syn));
    assert_int_equal(syn.flags, F_SYN);
    if (b_iss) {
        peer_send(p, 80, syn.sport, b_iss, syn.seq + 1, F_SYN | F_ACK, 65535, NULL, 0);
        assert_true(p->app.connected);
        Seg ack;
        assert_true(peer_next(p, &ack));
        assert_int_equal(ack.flags, F_ACK);
        assert_int_equal(ack.ack, b_iss + 1);
    }
    return syn;
}

static void test_lost_syn_retries_then_times_out(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    peer_connect(&p, 0);
    sim_run_until(&p.n.sim, SIM_TIME_MAX);
    /* 1 + 6 SYNs, at 0, 1, 3, 7, 15, 31, 63 s; given up at 127 s. */
    assert_int_equal(tw_count(&p.n.sim, TR_HOP, NULL), 7);
    const SimTime want[] = {0, 1, 3, 7, 15, 31, 63};
    size_t k = 0;
    for (size_t i = 0; i < p.n.sim.trace.n; i++)
        if (p.n.sim.trace.recs[i].kind == TR_HOP)
            assert_int_equal(p.n.sim.trace.recs[i].time, want[k++] * 1000000);
    assert_true(p.app.ended);
    assert_int_equal(p.app.why, TCP_WHY_TIMEOUT);
    assert_int_equal(p.app.ended_at, 127000000);
    peer_fini(&p);
}

static void test_simultaneous_open(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 0);
    /* b's own SYN crosses a's: a answers SYN-ACK with its first ISN */
    peer_send(&p, 80, syn.sport, 5000, 0, F_SYN, 65535, NULL, 0);
    Seg s;
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.flags, F_SYN | F_ACK);
    assert_int_equal(s.seq, syn.seq);
    assert_int_equal(s.ack, 5001);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_SYN_RECEIVED);
    assert_false(p.app.connected);
    peer_send(&p, 80, syn.sport, 5000, syn.seq + 1, F_SYN | F_ACK, 65535, NULL, 0);
    assert_true(p.app.connected);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_ESTABLISHED);
    peer_fini(&p);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 9000);
    uint16_t port = syn.sport;
    tcp_shutdown(p.app.c);
    Seg fin;
    assert_true(peer_next(&p, &fin));
    assert_true(fin.flags & F_FIN);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_FIN_WAIT_1);
    /* b's FIN crosses a's: CLOSING, then TIME-WAIT when a's FIN is acked */
    peer_send(&p, 80, port, 9001, syn.seq + 1, F_FIN | F_ACK, 65535, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSING);
    assert_true(p.app.fin);
    Seg ack;
    assert_true(peer_next(&p, &ack));
    assert_int_equal(ack.ack, 9002);
    peer_send(&p, 80, port, 9002, syn.seq + 2, F_ACK, 65535, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_TIME_WAIT);
    assert_true(p.app.ended);
    assert_int_equal(p.app.why, TCP_WHY_CLOSED);
    peer_fini(&p);
}

static void test_out_of_order_and_duplicates(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 100);
    uint16_t port = syn.sport;
    uint32_t ack = syn.seq + 1;
    /* "world" arrives before "hello ": held, and a duplicate ACK at once */
    peer_send(&p, 80, port, 107, ack, F_ACK, 65535, "world", 5);
    assert_int_equal(p.app.got.len, 0);
    Seg s;
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.ack, 101);
    peer_send(&p, 80, port, 101, ack, F_ACK, 65535, "hello ", 6);
    assert_int_equal(p.app.got.len, 11);
    assert_memory_equal(p.app.got.data, "hello world", 11);
    assert_true(peer_next(&p, &s)); /* filling a hole is acknowledged at once */
    assert_int_equal(s.ack, 112);
    /* The same bytes again: acknowledged, not delivered twice. */
    peer_send(&p, 80, port, 101, ack, F_ACK, 65535, "hello ", 6);
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.ack, 112);
    assert_int_equal(p.app.got.len, 11);
    /* Overlapping: only the new tail is delivered. */
    peer_send(&p, 80, port, 109, ack, F_ACK, 65535, "rld!", 4);
    assert_int_equal(p.app.got.len, 12);
    assert_memory_equal(p.app.got.data, "hello world!", 12);
    /* An in-order segment alone is acknowledged after 40 ms (delayed ACK). */
    assert_false(peer_next(&p, &s));
    run_for(&p, 39000);
    assert_false(peer_next(&p, &s));
    run_for(&p, 2000);
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.ack, 113);
    /* A FIN out of order waits for the bytes before it. */
    peer_send(&p, 80, port, 115, ack, F_ACK | F_FIN, 65535, "z", 1);
    assert_false(p.app.fin);
    peer_send(&p, 80, port, 113, ack, F_ACK, 65535, "xy", 2);
    assert_true(p.app.fin);
    assert_memory_equal(p.app.got.data, "hello world!xyz", 15);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSE_WAIT);
    peer_fini(&p);
}

static void test_rst_in_each_state(void **state)
{
    (void)state;
    /* ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "reset by peer" */
    for (int k = 0; k < 4; k++) {
        Peer p;
        peer_init(&p);
        Seg syn = peer_connect(&p, 100);
        uint32_t ack = syn.seq + 1;
        if (k == 1 || k == 2) {
            tcp_shutdown(p.app.c);
            ack++;
        }
        if (k == 2)
            peer_send(&p, 80, syn.sport, 101, ack, F_ACK, 65535, NULL, 0);
        if (k == 3)
            peer_send(&p, 80, syn.sport, 101, ack, F_ACK | F_FIN, 65535, NULL, 0);
        const TcpState want[] = {TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT};
        assert_int_equal(state_of(&p.n.sim, p.n.a, 0), want[k]);
        uint32_t seq = k == 3 ? 102 : 101;
        /* outside the window: ignored */
        peer_send(&p, 80, syn.sport, seq + 100000, 0, F_RST, 0, NULL, 0);
        assert_false(p.app.ended);
        peer_send(&p, 80, syn.sport, seq, 0, F_RST, 0, NULL, 0);
        assert_true(p.app.ended);
        assert_int_equal(p.app.why, TCP_WHY_RESET);
        assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
        peer_fini(&p);
    }
    /* SYN-SENT: an RST that acknowledges the SYN means refused; one that
     * does not is ignored. */
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 0);
    peer_send(&p, 80, syn.sport, 0, syn.seq + 7, F_RST | F_ACK, 0, NULL, 0);
    assert_false(p.app.ended);
    peer_send(&p, 80, syn.sport, 0, syn.seq + 1, F_RST | F_ACK, 0, NULL, 0);
    assert_true(p.app.ended);
    assert_int_equal(p.app.why, TCP_WHY_REFUSED);
    peer_fini(&p);
    /* LAST-ACK and TIME-WAIT: the connection just goes. */
    for (int k = 0; k < 2; k++) {
        peer_init(&p);
        syn = peer_connect(&p, 100);
        if (k == 0) {
            peer_send(&p, 80, syn.sport, 101, syn.seq + 1, F_ACK | F_FIN, 65535, NULL, 0);
            tcp_close(p.app.c);
            assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_LAST_ACK);
        } else {
            tcp_shutdown(p.app.c);
            peer_send(&p, 80, syn.sport, 101, syn.seq + 2, F_ACK | F_FIN, 65535, NULL, 0);
            assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_TIME_WAIT);
        }
        peer_send(&p, 80, syn.sport, 102, 0, F_RST, 0, NULL, 0);
        assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
        peer_fini(&p);
    }
    /* SYN-RECEIVED (passive): the half-open connection goes, the listener stays. */
    peer_init(&p);
    App srv = {.sim = &p.n.sim};
    assert_non_null(tcp_listen(&p.n.sim, p.n.a, 7000, 4, &listen_ops, &srv));
    peer_send(&p, 999, 7000, 5000, 0, F_SYN, 65535, NULL, 0);
    Seg sa;
    assert_true(peer_next(&p, &sa));
    assert_int_equal(sa.flags, F_SYN | F_ACK);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 1), TCP_SYN_RECEIVED);
    peer_send(&p, 999, 7000, 5001, 0, F_RST, 0, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_LISTEN);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 1), TCP_CLOSED);
    assert_int_equal(srv.accepted, 0);
    peer_fini(&p);
}

static void test_lost_fin_and_final_ack(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 100);
    uint16_t port = syn.sport;
    /* b closes; a acknowledges and closes too: LAST-ACK */
    peer_send(&p, 80, port, 101, syn.seq + 1, F_ACK | F_FIN, 65535, NULL, 0);
    Seg s;
    assert_true(peer_next(&p, &s)); /* the ACK of b's FIN */
    assert_int_equal(s.flags, F_ACK);
    tcp_close(p.app.c);
    assert_true(peer_next(&p, &s));
    assert_true(s.flags & F_FIN);
    assert_int_equal(s.ack, 102);
    /* a's FIN is "lost": nothing comes back, so a sends it again */
    run_for(&p, 1100000);
    assert_true(peer_next(&p, &s));
    assert_true(s.flags & F_FIN);
    assert_int_equal(s.seq, syn.seq + 1);
    peer_send(&p, 80, port, 102, syn.seq + 2, F_ACK, 65535, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
    peer_fini(&p);

    /* The other side: a is in TIME-WAIT and its last ACK was lost; b's FIN
     * comes again and is acknowledged again. */
    peer_init(&p);
    syn = peer_connect(&p, 100);
    port = syn.sport;
    tcp_shutdown(p.app.c);
    assert_true(peer_next(&p, &s));
    peer_send(&p, 80, port, 101, syn.seq + 2, F_ACK | F_FIN, 65535, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_TIME_WAIT);
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.ack, 102);
    run_for(&p, 1000000);
    peer_send(&p, 80, port, 101, syn.seq + 2, F_ACK | F_FIN, 65535, NULL, 0);
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.flags, F_ACK);
    assert_int_equal(s.ack, 102);
    /* TIME-WAIT starts again: 60 s from now, not from the first FIN */
    run_for(&p, 59500000);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_TIME_WAIT);
    run_for(&p, 1000000);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
    peer_fini(&p);
}

/* The largest "wnd N" a's state records showed. */
static uint32_t max_peer_window(const Sim *sim, int node)
{
    uint32_t best = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        const char *w =
            r->kind == TR_STATE && r->node == node && r->text ? strstr(r->text, " wnd ") : NULL;
        if (w && (uint32_t)atol(w + 5) > best)
            best = (uint32_t)atol(w + 5);
    }
    return best;
}

static void test_window_scaling(void **state)
{
    (void)state;
    /* Both ends scale: as Linux, shift 7; windows past 64 KiB. */
    const TcpConf both[2] = {{true, 1u << 20, 1u << 20, 0}, {true, 1u << 20, 1u << 20, 0}};
    Transfer t;
    transfer_start(&t, 3000000, 10000, 1000000000, 0, 1, true, both);
    sim_run_until(&t.n.sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    assert_memory_equal(t.srv.got.data, t.data, t.len);
    assert_int_equal(tw_count(&t.n.sim, TR_NOTE, "scales its window by 2^7"), 2);
    assert_true(max_peer_window(&t.n.sim, t.n.a) > 500000);
    transfer_fini(&t);
    /* Only a offers it: no scaling, 64 KiB at most. */
    const TcpConf one[2] = {{true, 1u << 20, 1u << 20, 0}, {0}};
    transfer_start(&t, 300000, 10000, 1000000000, 0, 1, true, one);
    sim_run_until(&t.n.sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    assert_int_equal(tw_count(&t.n.sim, TR_NOTE, "scales its window"), 1);
    assert_true(max_peer_window(&t.n.sim, t.n.a) <= 65535);
    assert_true(max_peer_window(&t.n.sim, t.n.b) <= 65535);
    transfer_fini(&t);
}

/* A node talks to itself through 127.0.0.1. */
static void test_loopback(void **state)
{
    (void)state;
    Net2 n;
    net2_init(&n, 1000, 1000000000, 0, 1, true, NULL);
    App cli = {.sim = &n.sim}, srv = {.sim = &n.sim, .close_on_fin = true};
    buf_init(&cli.got);
    buf_init(&srv.got);
    static const char msg[] = "hello, me";
    cli.src = (const uint8_t *)msg;
    cli.src_len = sizeof msg - 1;
    cli.close_when_done = true;
    assert_non_null(tcp_listen(&n.sim, n.a, 7000, 4, &listen_ops, &srv));
    assert_null(tcp_listen(&n.sim, n.a, 7000, 4, &listen_ops, &srv)); /* taken */
    NetErr err;
    assert_non_null(tcp_connect(&n.sim, n.a, tw_ip("127.0.0.1"), 7000, NULL, &app_ops, &cli, &err));
    sim_run_until(&n.sim, SIM_TIME_MAX);
    assert_int_equal(srv.got.len, sizeof msg - 1);
    assert_memory_equal(srv.got.data, msg, sizeof msg - 1);
    assert_true(cli.ended);
    assert_int_equal(cli.why, TCP_WHY_CLOSED);
    assert_int_equal(tw_count(&n.sim, TR_HOP, NULL), 0); /* nothing on the wire */
    buf_fini(&cli.got);
    buf_fini(&srv.got);
    net2_fini(&n);
}

/* tcp_connect fails at once when the node is down or has no route. */
static void test_connect_errors(void **state)
{
    (void)state;
    Net2 n;
    net2_init(&n, 1000, 1000000000, 0, 1, true, NULL);
    NetErr err = NET_OK;
    assert_null(tcp_connect(&n.sim, n.a, tw_ip("192.0.2.1"), 80, NULL, &app_ops, NULL, &err));
    assert_int_equal(err, NET_UNREACHABLE);
    net_set_node_up(&n.sim, n.a, false);
    assert_null(tcp_connect(&n.sim, n.a, n.ipb, 80, NULL, &app_ops, NULL, &err));
    assert_int_equal(err, NET_NODE_DOWN);
    net2_fini(&n);
}

/* A bad checksum is dropped with its reason and answered with nothing. */
static void test_bad_checksum_dropped(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    App srv = {.sim = &p.n.sim};
    assert_non_null(tcp_listen(&p.n.sim, p.n.a, 7000, 4, &listen_ops, &srv));
    uint8_t seg[20] = {0};
    put_be16(seg, 999);
    put_be16(seg + 2, 7000);
    seg[12] = 5 << 4;
    seg[13] = F_SYN;
    put_be16(seg + 16, 0x1234); /* wrong */
    Ipv4Hdr ip = {.ihl = 20,
                  .total_len = 40,
                  .ttl = 64,
                  .proto = IP_PROTO_TCP,
                  .src = p.n.ipb,
                  .dst = p.n.ipa};
    tcp_input(&p.n.sim, p.n.a, 99, &ip, seg, sizeof seg);
    assert_int_equal(tw_count(&p.n.sim, TR_DROP, "bad TCP checksum"), 1);
    tcp_input(&p.n.sim, p.n.a, 100, &ip, seg, 12);
    assert_int_equal(tw_count(&p.n.sim, TR_DROP, "truncated TCP header"), 1);
    Seg s;
    assert_false(peer_next(&p, &s));
    assert_int_equal(state_of(&p.n.sim, p.n.a, 1), TCP_CLOSED);
    peer_fini(&p);
}

/* A SYN-ACK nobody acknowledges: sent 5 more times (1, 2, 4, 8, 16 s
 * apart), then the half-open connection goes quietly; the listener stays. */
static void test_lost_synack(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    App srv = {.sim = &p.n.sim};
    assert_non_null(tcp_listen(&p.n.sim, p.n.a, 7000, 4, &listen_ops, &srv));
    peer_send(&p, 999, 7000, 5000, 0, F_SYN, 65535, NULL, 0);
    sim_run_until(&p.n.sim, SIM_TIME_MAX);
    const SimTime want[] = {0, 1, 3, 7, 15, 31};
    size_t k = 0;
    for (size_t i = 0; i < p.n.sim.trace.n; i++) {
        const TraceRec *r = &p.n.sim.trace.recs[i];
        if (r->kind == TR_HOP) {
            assert_true(k < MN_ARRAY_LEN(want));
            assert_int_equal(r->time, want[k++] * 1000000);
        }
    }
    assert_int_equal(k, 6);
    assert_int_equal(p.n.sim.now, 63000000);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_LISTEN);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 1), TCP_CLOSED);
    assert_int_equal(srv.accepted, 0);
    peer_fini(&p);
}

/* After tcp_close: FIN-WAIT-2 ends after 60 s without the peer's FIN, and
 * data that still arrives is answered with RST. */
static void test_closed_connection_leftovers(void **state)
{
    (void)state;
    Peer p;
    peer_init(&p);
    Seg syn = peer_connect(&p, 100);
    tcp_close(p.app.c);
    Seg s;
    assert_true(peer_next(&p, &s));
    assert_true(s.flags & F_FIN);
    peer_send(&p, 80, syn.sport, 101, syn.seq + 2, F_ACK, 65535, NULL, 0);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_FIN_WAIT_2);
    sim_run_until(&p.n.sim, SIM_TIME_MAX); /* background only: the run ends */
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_FIN_WAIT_2);
    run_for(&p, 61000000);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
    assert_false(p.app.ended); /* closed by its program: no callback */
    peer_fini(&p);

    peer_init(&p);
    syn = peer_connect(&p, 100);
    tcp_close(p.app.c);
    assert_true(peer_next(&p, &s));
    peer_send(&p, 80, syn.sport, 101, syn.seq + 2, F_ACK, 65535, "late", 4);
    assert_true(peer_next(&p, &s));
    assert_int_equal(s.flags & F_RST, F_RST);
    assert_int_equal(state_of(&p.n.sim, p.n.a, 0), TCP_CLOSED);
    assert_int_equal(p.app.got.len, 0);
    peer_fini(&p);
}

/* A receiver that reads nothing: its window closes, the sender probes,
 * and when the program reads, the transfer finishes. */
static void start_reading(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    App *a = ctx;
    a->no_read = false;
    tcp_recved(a->c, a->got.len);
}

static void test_zero_window_and_persist(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 200000, 5000, 100000000, 0, 3, true, NULL);
    t.srv.no_read = true;
    Sim *sim = &t.n.sim;
    sim_at(sim, 5000000, start_reading, &t.srv, 0);
    sim_run_until(sim, 4900000);
    TcpInfo in = info_of(sim, t.n.a);
    assert_int_equal(in.peer_window, 0);
    /* the window offered: whole segments of the 65,535-byte buffer */
    assert_int_equal(t.srv.got.len, 64240);
    TcpInfo sv = info_of(sim, t.n.b);
    assert_int_equal(sv.recv_q, 64240);
    size_t probes = tw_count(sim, TR_NOTE, "one-byte probe");
    assert_true(probes >= 3 && probes <= 6); /* 0.2, 0.4, 0.8, 1.6 s apart… */
    assert_int_equal(tw_count(sim, TR_NOTE, "advertises a zero window"), 1);
    sim_run_until(sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    assert_memory_equal(t.srv.got.data, t.data, t.len);
    assert_true(tw_count(sim, TR_NOTE, "its window opens") >= 1);
    transfer_fini(&t);
}

/* A program that never reads: the sender probes, more and more slowly, and
 * the run still ends once the probes are at their longest interval. */
static void test_never_reading_ends_the_run(void **state)
{
    (void)state;
    Transfer t;
    transfer_start(&t, 200000, 5000, 100000000, 0, 3, false, NULL);
    t.srv.no_read = true;
    Sim *sim = &t.n.sim;
    sim_run_until(sim, SIM_TIME_MAX);
    assert_true(sim->now > 60000000 && sim->now < 300000000);
    assert_int_equal(t.srv.got.len, 64240);
    assert_int_equal(state_of(sim, t.n.a, 0), TCP_ESTABLISHED); /* more to send */
    assert_int_equal(info_of(sim, t.n.a).peer_window, 0);
    assert_false(t.cli.ended);
    transfer_fini(&t);
}

/* read_rate: the window opens only as fast as the program reads. */
static void test_read_rate_paces_the_sender(void **state)
{
    (void)state;
    Transfer t;
    const TcpConf slow[2] = {{0}, {.read_rate = 100000}}; /* b reads 100 kB/s */
    transfer_start(&t, 500000, 1000, 1000000000, 0, 1, false, slow);
    Sim *sim = &t.n.sim;
    sim_run_until(sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    /* 500 kB at 100 kB/s, less the 64 KiB the buffer takes at once */
    assert_true(sim->now > 4000000 && sim->now < 5200000);
    transfer_fini(&t);
}

/* The slow-reader lesson: a reader at 4 kB/s.  The buffer fills (ss shows
 * it in Recv-Q), the receiver advertises a zero window, the sender probes,
 * and the steps stay few. */
static void test_slow_reader(void **state)
{
    (void)state;
    Transfer t;
    const TcpConf slow[2] = {{0}, {.read_rate = 4000}};
    transfer_start(&t, 100000, 1000, 1000000000, 0, 1, true, slow);
    Sim *sim = &t.n.sim;
    sim_run_until(sim, 1000000);
    assert_true(info_of(sim, t.n.b).recv_q > 60000);
    sim_run_until(sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, t.len);
    assert_memory_equal(t.srv.got.data, t.data, t.len);
    /* The program gets the bytes as it reads them: 100,000 bytes at
     * 4 kB/s, so the run (its end of the data, then the close) ends
     * after 25 s. */
    assert_true(sim->now > 25000000 && sim->now < 27000000);
    assert_int_equal(tw_count(sim, TR_NOTE, "advertises a zero window"), 1);
    assert_int_equal(tw_count(sim, TR_NOTE, "its window opens"), 1);
    assert_true(tw_count(sim, TR_NOTE, "one-byte probe") >= 1);
    assert_true(sim->trace.notes < 20);
    /* and many probes went out as hops */
    size_t probes = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_HOP && r->node == t.n.a && r->len == 14 + 20 + 20 + 1)
            probes++;
    }
    assert_true(probes > 10);
    transfer_fini(&t);
}

/* ---- Wireshark as the judge ---------------------------------------------------------------- */

/* Runs cmd and returns what it printed (caller frees). */
static char *run_cmd(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    Buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    assert_int_equal(pclose(f), 0);
    return buf_take(&b);
}

/* Bytes a sent in tshark's "follow,tcp,raw" output: hex lines without a
 * leading tab are the first talker's. */
static void follow_first_talker(const char *out, Buf *bytes)
{
    const char *p = strstr(out, "Node 1:");
    assert_non_null(p);
    p = strchr(p, '\n') + 1;
    while (*p && *p != '=') {
        const char *eol = strchr(p, '\n');
        if (!eol)
            break;
        if (*p != '\t')
            for (const char *q = p; q + 1 < eol; q += 2) {
                unsigned v;
                assert_int_equal(sscanf(q, "%2x", &v), 1);
                buf_putc(bytes, (char)v);
            }
        p = eol + 1;
    }
}

static void test_capture_judged_by_tshark(void **state)
{
    (void)state;
    if (access("/usr/bin/tshark", X_OK) != 0) {
        skip(); /* tshark is installed by make deps-test */
        return;
    }
    Buf text;
    buf_init(&text);
    for (int i = 0; i < 4000; i++)
        buf_printf(&text, "line %05d of a lossless transfer\r\n", i);
    Transfer t;
    transfer_init(&t, 0, 5000, 100000000, 0, 5, true, NULL);
    t.cli.src = (const uint8_t *)text.data;
    t.cli.src_len = text.len;
    char why[300];
    char path[64];
    snprintf(path, sizeof path, "/tmp/minet-tcp-%ld.pcapng", (long)getpid());
    PcapWriter *pw = pcap_writer_new(t.n.w, path, NULL, why, sizeof why);
    assert_non_null(pw);
    trace_add_sink(&t.n.sim.trace, pcap_writer_sink(pw));
    transfer_connect(&t);
    sim_run_until(&t.n.sim, SIM_TIME_MAX);
    assert_int_equal(t.srv.got.len, text.len);
    assert_true(trace_end(&t.n.sim.trace));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(pcap_writer_write(pw, f, t.n.sim.now, why, sizeof why));
    assert_int_equal(fclose(f), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -Y 'tcp.analysis.flags && !tcp.analysis.window_update' 2>/dev/null",
             path);
    char *bad = run_cmd(cmd);
    assert_string_equal(bad, "");
    free(bad);
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -Y 'tcp.checksum.status == 2' -o "
             "tcp.check_checksum:TRUE 2>/dev/null",
             path);
    bad = run_cmd(cmd);
    assert_string_equal(bad, "");
    free(bad);
    snprintf(cmd, sizeof cmd, "tshark -r %s -q -z follow,tcp,raw,0 2>/dev/null", path);
    char *out = run_cmd(cmd);
    Buf got;
    buf_init(&got);
    follow_first_talker(out, &got);
    assert_int_equal(got.len, text.len);
    assert_memory_equal(got.data, text.data, text.len);
    free(out);
    buf_fini(&got);
    pcap_writer_free(pw);
    unlink(path);
    t.cli.src = NULL;
    transfer_fini(&t);
    buf_fini(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_data_close),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_lossy_transfers_deliver_every_byte),
        cmocka_unit_test(test_echo_both_ways_under_loss),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bulk_narration),
        cmocka_unit_test(test_cwnd_slow_start_doubles_per_rtt),
        cmocka_unit_test(test_cwnd_fast_retransmit_and_avoidance),
        cmocka_unit_test(test_cwnd_timeout_falls_to_one_segment),
        cmocka_unit_test(test_lost_syn_retries_then_times_out),
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_simultaneous_close),
        cmocka_unit_test(test_out_of_order_and_duplicates),
        cmocka_unit_test(test_rst_in_each_state),
        cmocka_unit_test(test_lost_fin_and_final_ack),
        cmocka_unit_test(test_lost_synack),
        cmocka_unit_test(test_closed_connection_leftovers),
        cmocka_unit_test(test_zero_window_and_persist),
        cmocka_unit_test(test_never_reading_ends_the_run),
        cmocka_unit_test(test_read_rate_paces_the_sender),
        cmocka_unit_test(test_slow_reader),
        cmocka_unit_test(test_capture_judged_by_tshark),
        cmocka_unit_test(test_window_scaling),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_bad_checksum_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
