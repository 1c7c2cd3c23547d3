/* libFuzzer target for TCP's input: hostile segments fed to tcp_input.
 *
 *   make fuzz        (or build/fuzz/fuzz_tcp CORPUS tests/fuzz/seeds/fuzz_tcp)
 *
 * Node a runs TCP (a listener on port 80, or a connection it opened to b
 * port 80, as the first byte says); b is down, so what a sends goes
 * nowhere and only the fuzzer answers.  The rest of the input is a list of
 * segments, each [flags][delay in ms][length, 2 bytes][bytes]: flag 1 puts
 * a right checksum in, flag 2 makes the sequence and acknowledgement
 * numbers offsets from what a expects, and addresses the segment to a's
 * newest connection, so the fuzzer reaches every state.  After each segment the
 * simulation runs for the delay; at the end, for an hour.  The program on
 * a writes, reads, closes or aborts as the first byte says.  After every
 * step the connections' invariants must hold; abort() otherwise. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/net.h"
#include "net/tcp.h"
#include "net/tcp_priv.h"
#include "proto/roles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Prog {
    uint8_t mode;
    TcpConn *c;
    size_t got;
} Prog;

static const char text[] = "220 fuzz ESMTP\r\n250 OK\r\n";

static void p_connected(void *ctx, TcpConn *c)
{
    Prog *p = ctx;
    p->c = c;
    tcp_write(c, text, sizeof text - 1);
    if (p->mode & 0x10)
        tcp_shutdown(c);
}

static void p_received(void *ctx, TcpConn *c, const uint8_t *d, size_t len)
{
    (void)d;
    Prog *p = ctx;
    p->got += len;
    if (!(p->mode & 0x20))
        tcp_recved(c, len);
    if (!len && (p->mode & 0x40)) {
        tcp_close(c); /* c is TCP's now: forget it */
        if (p->c == c)
            p->c = NULL;
    } else if (len && (p->mode & 0x80) && p->got > 3000) {
        tcp_abort(c);
        if (p->c == c)
            p->c = NULL;
    } else if (len)
        tcp_write(c, d, len > 2000 ? 2000 : len);
}

static void p_sent(void *ctx, TcpConn *c, size_t n)
{
    (void)ctx;
    (void)c;
    (void)n;
}

static void p_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    (void)why;
    Prog *p = ctx;
    p->c = NULL;
}

static const TcpOps prog_ops = {NULL, p_connected, p_received, p_sent, p_ended};

static void p_accepted(void *ctx, TcpConn *l, TcpConn *c)
{
    (void)l;
    Prog *p = ctx;
    if (p->c)
        tcp_close(p->c);
    p->c = c;
    tcp_set_ops(c, &prog_ops, p);
    p_connected(p, c);
}

static const TcpOps listen_ops = {p_accepted, NULL, NULL, NULL, NULL};

static void check(Sim *sim, int node)
{
    TcpStack *st = sim->net->tcp;
    if (!st)
        return;
    for (TcpConn *c = st->head[node]; c; c = c->next) {
        if (c->ended || c->state == TCP_LISTEN)
            continue;
        if (c->busy != 0 || c->slen > c->sndbuf || c->n_ooo > TCP_OOO_MAX || c->held > c->rcvbuf ||
            c->slow.len > c->held || SEQ_GT(c->snd_una, c->snd_max) ||
            SEQ_GT(c->snd_nxt, c->snd_max) || SEQ_LT(c->snd_nxt, c->snd_una) || c->cwnd == 0 ||
            c->mss == 0 || c->rto < TCP_RTO_MIN || c->rto > TCP_RTO_MAX) {
            fprintf(stderr,
                    "state %d busy %d slen %zu held %zu unread %zu una %u nxt %u max %u "
                    "cwnd %u mss %u rto %lld\n",
                    c->state, c->busy, c->slen, c->held, c->slow.len, c->snd_una, c->snd_nxt,
                    c->snd_max, c->cwnd, c->mss, (long long)c->rto);
            abort();
        }
        for (int i = 1; i < c->n_ooo; i++)
            if (!SEQ_LT(c->ooo_end[i - 1], c->ooo_start[i]))
                abort();
    }
    TcpInfo in[16];
    size_t n = tcp_node_conns(sim, node, in, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if ((unsigned)in[i].state >= TCP_STATE_COUNT)
            abort();
}

/* a's newest connection that is not a listener, or NULL. */
static TcpConn *newest(Sim *sim)
{
    TcpStack *st = sim->net->tcp;
    for (TcpConn *c = st ? st->tail[0] : NULL; c; c = c->prev)
        if (!c->ended && c->state != TCP_LISTEN)
            return c;
    return NULL;
}

static World *make_world(void)
{
    World *w = world_new();
    w->nodes = xcalloc(2, sizeof *w->nodes);
    const char *ids[2] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        w->nodes[i].id = xstrdup(ids[i]);
        w->nodes[i].role = ROLE_HOST;
        w->nodes[i].ips = xmalloc(sizeof *w->nodes[i].ips);
        w->nodes[i].ips[0] = 0x0a000001u + (uint32_t)i;
        w->nodes[i].n_ips = 1;
    }
    w->n_nodes = 2;
    w->links = xcalloc(1, sizeof *w->links);
    w->links[0] = (Link){0, -1, 1, -1, 1000, 1000000000, 0};
    w->n_links = 1;
    world_wire(w);
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    World *w = make_world();
    Sim sim;
    sim_init(&sim, 1, w, false);
    net_new(&sim);
    net_set_node_up(&sim, 1, false);
    Prog p = {.mode = data[0]};
    uint32_t a = 0x0a000001u, b = 0x0a000002u;
    if (p.mode & 1) {
        tcp_listen(&sim, 0, 80, 2, &listen_ops, &p);
    } else {
        NetErr err;
        p.c = tcp_connect(&sim, 0, b, 80, NULL, &prog_ops, &p, &err);
    }
    size_t i = 1;
    uint8_t seg[1600];
    while (i + 4 <= size) {
        uint8_t flags = data[i], delay = data[i + 1];
        size_t len = (size_t)((data[i + 2] << 8) | data[i + 3]) % 1500;
        i += 4;
        if (len > size - i)
            len = size - i;
        memcpy(seg, data + i, len);
        i += len;
        TcpConn *c = newest(&sim);
        if ((flags & 2) && c && len >= 20 && !c->ended) {
            put_be16(seg, c->rport);
            put_be16(seg + 2, c->lport);
            put_be32(seg + 4, c->rcv_nxt + get_be32(seg + 4));
            put_be32(seg + 8, c->snd_una + get_be32(seg + 8));
        }
        if ((flags & 1) && len >= 20) {
            seg[16] = seg[17] = 0;
            uint16_t sum =
                ipv4_checksum(seg, len, ipv4_pseudo_sum(b, a, IP_PROTO_TCP, (uint16_t)len));
            put_be16(seg + 16, sum);
        }
        /* an exact copy, so ASan sees any read past the segment */
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, seg, len);
        Ipv4Hdr ip = {.ihl = 20,
                      .total_len = (uint16_t)(20 + len),
                      .ttl = 64,
                      .proto = IP_PROTO_TCP,
                      .src = b,
                      .dst = a};
        tcp_input(&sim, 0, sim_packet_id(&sim), &ip, copy, len);
        free(copy);
        check(&sim, 0);
        sim_run_until(&sim, sim.now + (SimTime)delay * 1000);
        check(&sim, 0);
    }
    sim_run_until(&sim, sim.now + 3600LL * 1000000);
    check(&sim, 0);
    tcp_free_all(&sim);
    net_free(sim.net);
    sim_fini(&sim);
    world_free(w);
    return 0;
}
