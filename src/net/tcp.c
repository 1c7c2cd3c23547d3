/* tcp.c — connections: the table, their lifetimes, timers, state records,
 * the application's calls, and what ss shows.  Input is tcp_in.c, output
 * and retransmission tcp_out.c. */
#include "net/tcp.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/net.h"
#include "net/tcp_priv.h"

/* ---- the stack and its table ------------------------------------------- */

#define TOMB ((TcpConn *)&tomb_marker)
static const int tomb_marker;

TcpStack *tcp_stack(Sim *sim)
{
    Net *net = sim->net;
    if (!net->tcp) {
        TcpStack *st = xcalloc(1, sizeof *st);
        st->sim = sim;
        sim_rng_stream(sim, &st->isn, "tcp-isn");
        st->n_nodes = net->w->n_nodes;
        st->head = xcalloc(st->n_nodes + 1, sizeof *st->head);
        st->tail = xcalloc(st->n_nodes + 1, sizeof *st->tail);
        net->tcp = st;
    }
    return net->tcp;
}

static uint64_t hash_of(int node, uint16_t lport, uint32_t rip, uint16_t rport)
{
    uint64_t k = ((uint64_t)(uint32_t)node << 32) ^ ((uint64_t)lport << 16) ^ rport;
    k = (k ^ ((uint64_t)rip << 7)) * 0x9e3779b97f4a7c15ULL;
    return k ^ (k >> 29);
}

static bool conn_is(const TcpConn *c, int node, uint16_t lport, uint32_t rip, uint16_t rport)
{
    return c->node == node && c->lport == lport && c->rip == rip && c->rport == rport;
}

static TcpConn **find_slot(TcpStack *st, int node, uint16_t lport, uint32_t rip, uint16_t rport)
{
    if (!st->cap)
        return NULL;
    size_t mask = st->cap - 1;
    for (size_t i = hash_of(node, lport, rip, rport) & mask;; i = (i + 1) & mask) {
        TcpConn *c = st->tab[i];
        if (!c)
            return NULL;
        if (c != TOMB && conn_is(c, node, lport, rip, rport))
            return &st->tab[i];
    }
}

TcpConn *tcp_lookup(TcpStack *st, int node, uint16_t lport, uint32_t rip, uint16_t rport)
{
    TcpConn **s = find_slot(st, node, lport, rip, rport);
    if (!s)
        s = find_slot(st, node, lport, 0, 0); /* a listener */
    return s ? *s : NULL;
}

static void insert_raw(TcpStack *st, TcpConn *c)
{
    size_t mask = st->cap - 1;
    size_t i = hash_of(c->node, c->lport, c->rip, c->rport) & mask;
    while (st->tab[i] && st->tab[i] != TOMB)
        i = (i + 1) & mask;
    if (!st->tab[i])
        st->used++;
    st->tab[i] = c;
}

static void rehash(TcpStack *st, size_t cap)
{
    TcpConn **old = st->tab;
    size_t n = st->cap;
    st->tab = xcalloc(cap, sizeof *st->tab);
    st->cap = cap;
    st->used = 0;
    for (size_t i = 0; i < n; i++)
        if (old[i] && old[i] != TOMB)
            insert_raw(st, old[i]);
    free(old);
}

void tcp_hash_add(TcpConn *c)
{
    TcpStack *st = tcp_stack(c->sim);
    if ((st->used + 1) * 2 > st->cap)
        rehash(st, st->cap ? st->cap * 2 : 64);
    insert_raw(st, c);
    c->hashed = true;
}

static void hash_del(TcpConn *c)
{
    if (!c->hashed)
        return;
    TcpConn **s = find_slot(tcp_stack(c->sim), c->node, c->lport, c->rip, c->rport);
    assert(s && *s == c);
    *s = TOMB;
    c->hashed = false;
}

uint32_t tcp_isn(Sim *sim)
{
    return (uint32_t)rng_next(&tcp_stack(sim)->isn);
}

static const TcpConf *conf_of(Sim *sim, int node)
{
    const World *w = sim->net->w;
    return w->tcp ? &w->tcp[node] : NULL;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

TcpConn *tcp_conn_new(Sim *sim, int node)
{
    TcpStack *st = tcp_stack(sim);
    TcpConn *c = xcalloc(1, sizeof *c);
    c->sim = sim;
    c->node = node;
    c->serial = ++st->serial;
    c->prev = st->tail[node];
    if (c->prev)
        c->prev->next = c;
    else
        st->head[node] = c;
    st->tail[node] = c;
    const TcpConf *cf = conf_of(sim, node);
    c->sndbuf = cf && cf->sndbuf ? cf->sndbuf : 65536;
    c->rcvbuf = cf && cf->rcvbuf ? cf->rcvbuf : 65535;
    c->want_ws = cf && cf->window_scaling;
    if (!c->want_ws && c->rcvbuf > 65535)
        c->rcvbuf = 65535; /* without scaling no window can say more */
    c->read_rate = cf ? cf->read_rate : 0;
    c->mss = TCP_MSS;
    c->rto = TCP_RTO_INIT;
    c->cwnd = TCP_IW_SEGS * TCP_MSS;
    c->ssthresh = 65535;
    return c;
}

static void unlink_node(TcpConn *c)
{
    TcpStack *st = tcp_stack(c->sim);
    if (c->prev)
        c->prev->next = c->next;
    else
        st->head[c->node] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        st->tail[c->node] = c->prev;
    c->prev = c->next = NULL;
}

static void conn_free_memory(TcpConn *c)
{
    for (size_t i = 0; i < c->n_notes; i++)
        free(c->notes[i].caption);
    free(c->notes);
    free(c->sbuf);
    free(c->rbuf);
    buf_fini(&c->slow);
    free(c->label);
    free(c);
}

static void cancel_timers(TcpConn *c)
{
    Sim *sim = c->sim;
    sim_cancel(sim, c->timer_ev);
    sim_cancel(sim, c->delack_ev);
    sim_cancel(sim, c->bg_ev);
    sim_cancel(sim, c->read_ev);
    c->timer_ev = c->delack_ev = c->bg_ev = c->read_ev = 0;
    c->timer = TCP_T_NONE;
}

void tcp_release(TcpConn *c)
{
    if (!c->ended || c->busy > 0 || c->refs > 0)
        return;
    TcpConn *parent = c->parent;
    c->parent = NULL;
    unlink_node(c);
    conn_free_memory(c);
    if (parent) {
        parent->refs--;
        tcp_release(parent);
    }
}

/* "10.0.2.10:43312 10.0.2.20:25"; a listener "0.0.0.0:25 0.0.0.0:*". */
static const char *conn_key(const TcpConn *c, char key[64])
{
    char l[16], r[16];
    if (c->state == TCP_LISTEN) {
        snprintf(key, 64, "0.0.0.0:%u 0.0.0.0:*", c->lport);
        return key;
    }
    ip_format(c->lip, l);
    ip_format(c->rip, r);
    snprintf(key, 64, "%s:%u %s:%u", l, c->lport, r, c->rport);
    return key;
}

/* Out of the table and silent; freed by tcp_release. */
static void retire(TcpConn *c)
{
    if (c->ended)
        return;
    if (c->parent && c->state == TCP_SYN_RECEIVED)
        c->parent->half_open--;
    hash_del(c);
    cancel_timers(c);
    c->ended = true;
    c->app_closed = true;
    if (trace_wanted(&c->sim->trace)) {
        char key[64];
        trace_state(&c->sim->trace, c->sim->now, c->node, "tcp", "del", conn_key(c, key), NULL, -1);
    }
    c->state = TCP_CLOSED;
}

void tcp_finish(TcpConn *c, TcpWhy why)
{
    if (c->ended)
        return;
    bool call = !c->app_closed && c->ops.ended && !(c->passive && c->parent);
    c->busy++;
    retire(c);
    if (call)
        c->ops.ended(c->ctx, c, why);
    c->busy--;
    tcp_release(c);
}

/* ---- timers -------------------------------------------------------------- */

static void on_timer(Sim *sim, void *ctx, uint64_t arg);

static void timer_push(TcpConn *c, SimTime at)
{
    c->timer_at = at;
    c->timer_ev_bg = c->timer_bg;
    c->timer_ev = c->timer_bg ? sim_after_background(c->sim, at - c->sim->now, on_timer, c, 0)
                              : sim_at(c->sim, at, on_timer, c, 0);
}

void tcp_timer_set(TcpConn *c, TcpTimer kind, SimTime delay)
{
    SimTime at = c->sim->now + delay;
    c->timer = kind;
    c->timer_deadline = at;
    /* Probes at the longest interval go on as long as the run does, but
     * do not keep it alive: a program that never reads would otherwise
     * make a run without end. */
    c->timer_bg = kind == TCP_T_PERSIST && delay >= TCP_PERSIST_MAX;
    if (c->timer_ev && c->timer_at <= at && c->timer_ev_bg == c->timer_bg)
        return; /* fires early, sees the deadline, and re-arms */
    sim_cancel(c->sim, c->timer_ev);
    timer_push(c, at);
}

void tcp_timer_stop(TcpConn *c)
{
    c->timer = TCP_T_NONE;
    sim_cancel(c->sim, c->timer_ev);
    c->timer_ev = 0;
}

/* Called by tcp_on_timer: false if the deadline moved later (re-armed). */
static bool timer_due(TcpConn *c)
{
    c->timer_ev = 0;
    if (c->timer == TCP_T_NONE)
        return false;
    if (c->sim->now < c->timer_deadline) {
        timer_push(c, c->timer_deadline);
        return false;
    }
    return true;
}

static void on_timer(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    TcpConn *c = ctx;
    TcpTimer kind = c->timer;
    if (!timer_due(c))
        return;
    c->timer = TCP_T_NONE;
    tcp_timer_fired(c, kind);
}

static void on_delack(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    TcpConn *c = ctx;
    c->delack_ev = 0;
    if (c->rcv_nxt != c->acked_to)
        tcp_send_ack(c);
}

void tcp_delack_start(TcpConn *c)
{
    /* Background, as DESIGN.md says: an ACK still owed does not keep a
     * finished run alive.  A connection the application aborted while its
     * segment was being read (retired, soon freed) owes nothing. */
    if (!c->delack_ev && !c->ended)
        c->delack_ev = sim_after_background(c->sim, TCP_DELACK, on_delack, c, 0);
}

static void on_time_wait(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    TcpConn *c = ctx;
    c->bg_ev = 0;
    tcp_finish(c, TCP_WHY_CLOSED);
}

void tcp_enter_time_wait(TcpConn *c)
{
    tcp_timer_stop(c);
    sim_cancel(c->sim, c->bg_ev);
    tcp_set_state(c, TCP_TIME_WAIT);
    c->bg_ev = sim_after_background(c->sim, 2 * TCP_MSL, on_time_wait, c, 0);
    /* Every byte is sent, acknowledged and delivered: the buffers (64 KiB
     * each) go now, not after 2×MSL, so a server that closes thousands of
     * connections does not hold them all. */
    if (c->slen == 0) {
        free(c->sbuf);
        c->sbuf = NULL;
    }
    free(c->rbuf);
    c->rbuf = NULL;
    /* For the program the connection is over; TCP keeps its ends busy. */
    if (!c->app_closed) {
        c->app_closed = true;
        if (c->ops.ended) {
            c->busy++;
            c->ops.ended(c->ctx, c, TCP_WHY_CLOSED);
            c->busy--;
        }
    }
}

void tcp_fin_wait_2_timer(TcpConn *c)
{
    if (!c->bg_ev)
        c->bg_ev = sim_after_background(c->sim, TCP_FIN_TIMEOUT, on_time_wait, c, 0);
}

/* ---- reading at read_rate ------------------------------------------------- */

/* A slow reader (read_rate) gets what arrived as it reads it: 10 ms worth
 * of bytes (at least one) per tick, then the peer's FIN once every byte
 * before it has been read.  The window opens as the bytes are read.  Its
 * state record is written when the window is advertised again or the
 * bytes are all read, not at every tick. */
static void on_read(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    TcpConn *c = ctx;
    c->read_ev = 0;
    uint64_t chunk = c->read_rate / 100;
    if (chunk < 1)
        chunk = 1;
    size_t n = c->slow.len < chunk ? c->slow.len : (size_t)chunk;
    c->busy++;
    if (n) {
        uint8_t *piece = xmalloc(n);
        memcpy(piece, c->slow.data, n);
        memmove(c->slow.data, c->slow.data + n, c->slow.len - n);
        c->slow.len -= n;
        c->held -= n;
        if (!c->app_closed && c->ops.received)
            c->ops.received(c->ctx, c, piece, n);
        free(piece);
    }
    if (!c->ended && c->slow.len) {
        c->read_ev = sim_after(c->sim, 10000, on_read, c, 0);
    } else if (!c->ended && c->fin_unread) {
        c->fin_unread = false;
        if (!c->app_closed && c->ops.received)
            c->ops.received(c->ctx, c, NULL, 0);
    }
    if (!c->ended) {
        uint32_t adv = c->rcv_adv;
        tcp_window_maybe_update(c);
        if (adv != c->rcv_adv || !c->slow.len)
            tcp_record(c);
    }
    c->busy--;
    tcp_release(c);
}

void tcp_read_slowly(TcpConn *c, const uint8_t *data, size_t len)
{
    buf_put(&c->slow, data, len);
    if (!c->read_ev)
        c->read_ev = sim_after(c->sim, 10000, on_read, c, 0);
}

/* ---- names and numbers for captions --------------------------------------- */

bool tcp_note_wanted(Sim *sim)
{
    if (trace_wanted(&sim->trace))
        return true;
    trace_note_skip(&sim->trace);
    return false;
}

const char *tcp_self(const TcpConn *c)
{
    return c->sim->net->w->nodes[c->node].id;
}

void tcp_peer(const TcpConn *c, char *buf, size_t size)
{
    int owner;
    if (c->label) {
        snprintf(buf, size, "%s", c->label);
    } else if (world_find_addr(c->sim->net->w, c->rip, &owner, NULL) && owner != c->node) {
        snprintf(buf, size, "%s", c->sim->net->w->nodes[owner].id);
    } else {
        char ip[16];
        ip_format(c->rip, ip);
        snprintf(buf, size, "%s", ip);
    }
}

char *tcp_num(uint64_t v, char *buf)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
    return buf;
}

char *tcp_dur(SimTime t, char *buf, size_t size)
{
    if (t < 1000000)
        snprintf(buf, size, "%lld ms", (long long)(t / 1000));
    else if (t % 1000000 == 0)
        snprintf(buf, size, "%lld s", (long long)(t / 1000000));
    else
        snprintf(buf, size, "%.3g s", (double)t / 1e6);
    return buf;
}

const char *tcp_neterr_text(NetErr e)
{
    switch (e) {
    case NET_NODE_DOWN:
        return "it is down";
    case NET_UNREACHABLE:
        return "it has no route to the peer";
    case NET_TOO_BIG:
        return "the segment is too big";
    default:
        return "";
    }
}

NetErr tcp_can_send(Sim *sim, int node, uint32_t dst)
{
    Net *net = sim->net;
    if (!net->node_up[node])
        return NET_NODE_DOWN;
    int owner;
    if ((dst >> 24) == 127 || (world_find_addr(net->w, dst, &owner, NULL) && owner == node))
        return NET_OK;
    return ipv4_route(sim, node, dst) < 0 ? NET_UNREACHABLE : NET_OK;
}

/* ---- state records ---------------------------------------------------------- */

void tcp_set_state(TcpConn *c, TcpState s)
{
    if (c->parent && c->state == TCP_SYN_RECEIVED && s != TCP_SYN_RECEIVED)
        c->parent->half_open--;
    c->state = s;
    tcp_record(c);
}

void tcp_record(TcpConn *c)
{
    if (c->ended || !trace_wanted(&c->sim->trace))
        return;
    TcpInfo in;
    tcp_info(c, &in);
    char v[sizeof c->rec];
    if (c->state == TCP_LISTEN)
        snprintf(v, sizeof v, "LISTEN backlog %d", c->backlog);
    else
        snprintf(v, sizeof v, "%s send-q %u recv-q %u cwnd %u ssthresh %u rto %.3fs wnd %u",
                 tcp_state_name(c->state), in.send_q, in.recv_q, in.cwnd, in.ssthresh,
                 (double)in.rto / 1e6, in.peer_window);
    if (strcmp(v, c->rec) == 0)
        return;
    memcpy(c->rec, v, sizeof v);
    char key[64];
    conn_key(c, key);
    /* "add" replaces the key's older entry in the inspector's fold. */
    trace_state(&c->sim->trace, c->sim->now, c->node, "tcp", "add", key, v, -1);
}

/* ---- the application's calls -------------------------------------------------- */

static bool port_free(TcpStack *st, int node, uint16_t port, uint32_t dst, uint16_t dport)
{
    return !find_slot(st, node, port, 0, 0) && !find_slot(st, node, port, dst, dport);
}

TcpConn *tcp_connect(Sim *sim, int node, uint32_t dst, uint16_t port, const char *label,
                     const TcpOps *ops, void *ctx, NetErr *err)
{
    return tcp_connect_from(sim, node, 0, dst, port, label, ops, ctx, err);
}

TcpConn *tcp_connect_from(Sim *sim, int node, uint16_t from, uint32_t dst, uint16_t port,
                          const char *label, const TcpOps *ops, void *ctx, NetErr *err)
{
    NetErr e = tcp_can_send(sim, node, dst);
    if (e != NET_OK) {
        if (err)
            *err = e;
        return NULL;
    }
    if (err)
        *err = NET_OK;
    TcpStack *st = tcp_stack(sim);
    uint16_t lport = from && port_free(st, node, from, dst, port) ? from : 0;
    for (int i = 0; !from && i < 60999 - 32768 + 1; i++) {
        uint16_t p = net_ephemeral_port(sim->net, node);
        if (port_free(st, node, p, dst, port)) {
            lport = p;
            break;
        }
    }
    if (!lport) {
        if (err)
            *err = NET_UNREACHABLE; /* no port left: as EADDRNOTAVAIL */
        return NULL;
    }
    TcpConn *c = tcp_conn_new(sim, node);
    int owner;
    int iface = ipv4_route(sim, node, dst);
    if ((dst >> 24) == 127)
        c->lip = dst;
    else if (iface < 0 && world_find_addr(sim->net->w, dst, &owner, NULL))
        c->lip = dst; /* to itself */
    else
        c->lip = world_iface_ip(sim->net->w, node, iface);
    c->rip = dst;
    c->lport = lport;
    c->rport = port;
    c->label = label ? xstrdup(label) : NULL;
    if (ops)
        c->ops = *ops;
    c->ctx = ctx;
    c->iss = tcp_isn(sim);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->sbuf_seq = c->iss + 1;
    c->recover = c->iss;
    tcp_hash_add(c);
    c->state = TCP_SYN_SENT;
    c->busy++;
    tcp_send_syn(c, false);
    tcp_record(c);
    c->busy--;
    return c;
}

TcpConn *tcp_listen(Sim *sim, int node, uint16_t port, int backlog, const TcpOps *ops, void *ctx)
{
    TcpStack *st = tcp_stack(sim);
    for (int i = 0; port == 0 && i < 60999 - 32768 + 1; i++) {
        uint16_t p = net_ephemeral_port(sim->net, node);
        if (!find_slot(st, node, p, 0, 0))
            port = p;
    }
    if (port == 0 || find_slot(st, node, port, 0, 0))
        return NULL;
    TcpConn *c = tcp_conn_new(sim, node);
    c->lport = port;
    c->backlog = backlog > 0 ? backlog : 128;
    if (ops)
        c->ops = *ops;
    c->ctx = ctx;
    tcp_hash_add(c);
    tcp_set_state(c, TCP_LISTEN);
    return c;
}

void tcp_set_ops(TcpConn *c, const TcpOps *ops, void *ctx)
{
    c->ops = ops ? *ops : (TcpOps){0};
    c->ctx = ctx;
}

void tcp_set_bufs(TcpConn *c, size_t sndbuf, size_t rcvbuf)
{
    if (sndbuf && sndbuf >= c->slen && !c->sbuf)
        c->sndbuf = sndbuf;
    if (rcvbuf && c->state <= TCP_SYN_SENT) {
        c->rcvbuf = rcvbuf;
        if (!c->want_ws && c->rcvbuf > 65535)
            c->rcvbuf = 65535;
    }
}

static bool can_write(const TcpConn *c)
{
    if (c->ended || c->fin_queued || c->app_closed)
        return false;
    return c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED ||
           c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT;
}

size_t tcp_sndbuf(const TcpConn *c)
{
    if (!can_write(c))
        return 0;
    return c->sndbuf > c->slen ? c->sndbuf - c->slen : 0;
}

static size_t buffer_bytes(TcpConn *c, const void *data, size_t len)
{
    size_t room = tcp_sndbuf(c);
    if (len > room)
        len = room;
    if (!len)
        return 0;
    if (!c->sbuf) {
        c->scap = pow2_at_least(c->sndbuf);
        c->sbuf = xmalloc(c->scap);
    }
    size_t at = (size_t)(c->sbuf_seq + (uint32_t)c->slen) & (c->scap - 1);
    size_t first = c->scap - at < len ? c->scap - at : len;
    memcpy(c->sbuf + at, data, first);
    memcpy(c->sbuf, (const uint8_t *)data + first, len - first);
    c->slen += len;
    return len;
}

static void after_call(TcpConn *c)
{
    tcp_record(c);
    c->busy--;
    tcp_release(c);
}

size_t tcp_write(TcpConn *c, const void *data, size_t len)
{
    c->busy++;
    size_t n = buffer_bytes(c, data, len);
    if (n && !c->in_input)
        tcp_output(c);
    after_call(c);
    return n;
}

size_t tcp_write_note(TcpConn *c, const void *data, size_t len, const char *caption)
{
    uint32_t seq = c->sbuf_seq + (uint32_t)c->slen;
    if (caption && tcp_sndbuf(c) > 0 && len > 0) {
        c->notes = xgrow(c->notes, &c->notes_cap, c->n_notes + 1, sizeof *c->notes);
        c->notes[c->n_notes++] = (TcpNote){seq, xstrdup(caption)};
    }
    return tcp_write(c, data, len);
}

void tcp_recved(TcpConn *c, size_t n)
{
    if (c->ended)
        return;
    if (c->read_rate)
        return; /* a slow reader's bytes were counted as it read them */
    size_t unread = c->held;
    if (n > unread)
        n = unread;
    if (!n)
        return;
    c->busy++;
    c->held -= n;
    tcp_window_maybe_update(c);
    after_call(c);
}

static void queue_fin(TcpConn *c)
{
    if (c->fin_queued)
        return;
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        c->fin_queued = true;
        tcp_set_state(c, TCP_FIN_WAIT_1);
        break;
    case TCP_CLOSE_WAIT:
        c->fin_queued = true;
        tcp_set_state(c, TCP_LAST_ACK);
        break;
    default:
        return;
    }
    if (!c->in_input)
        tcp_output(c);
}

void tcp_shutdown(TcpConn *c)
{
    if (c->ended)
        return;
    c->busy++;
    if (c->state == TCP_SYN_SENT)
        c->fin_queued = true; /* sent once connected */
    else
        queue_fin(c);
    after_call(c);
}

static void close_listener(TcpConn *c)
{
    retire(c);
    tcp_release(c);
}

void tcp_close(TcpConn *c)
{
    if (c->ended) {
        c->app_closed = true;
        return;
    }
    if (c->state == TCP_LISTEN) {
        close_listener(c);
        return;
    }
    c->busy++;
    c->app_closed = true;
    if (c->state == TCP_SYN_SENT) {
        retire(c);
    } else {
        queue_fin(c);
        if (c->state == TCP_FIN_WAIT_2)
            tcp_fin_wait_2_timer(c);
    }
    after_call(c);
}

void tcp_abort(TcpConn *c)
{
    if (c->ended)
        return;
    if (c->state == TCP_LISTEN) {
        close_listener(c);
        return;
    }
    c->busy++;
    c->app_closed = true;
    if (c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT)
        tcp_send_rst_conn(c, "its program aborts the connection");
    retire(c);
    c->busy--;
    tcp_release(c);
}

/* ---- what ss shows -------------------------------------------------------------- */

void tcp_info(const TcpConn *c, TcpInfo *out)
{
    memset(out, 0, sizeof *out);
    out->state = c->state;
    out->local_ip = c->lip;
    out->remote_ip = c->rip;
    out->local_port = c->lport;
    out->remote_port = c->rport;
    if (c->state == TCP_LISTEN) {
        out->recv_q = 0; /* accepted at once: the accept queue stays empty */
        out->send_q = (uint32_t)c->backlog;
    } else {
        out->recv_q = (uint32_t)c->held; /* a slow reader's bytes wait here too */
        out->send_q = (uint32_t)c->slen;
    }
    out->cwnd = c->cwnd;
    out->ssthresh = c->ssthresh;
    out->mss = c->mss;
    out->peer_window = c->snd_wnd;
    out->rto = c->rto;
}

size_t tcp_node_conns(Sim *sim, int node, TcpInfo *out, size_t max)
{
    if (!sim->net || !sim->net->tcp)
        return 0;
    TcpStack *st = sim->net->tcp;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (TcpConn *c = st->head[node]; c; c = c->next) {
            if (c->ended || (c->state == TCP_LISTEN) != (pass == 0))
                continue;
            if (n < max)
                tcp_info(c, &out[n]);
            n++;
        }
    return n;
}

/* netstat's spelling (net-tools' tcp_state[]): CLOSED is "CLOSE". */
const char *tcp_state_name(TcpState s)
{
    static const char *const names[TCP_STATE_COUNT] = {
        "CLOSED",    "LISTEN",     "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
        "FIN_WAIT2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK", "TIME_WAIT",
    };
    return (unsigned)s < TCP_STATE_COUNT ? names[s] : "?";
}

/* ---- the end of a run ------------------------------------------------------------- */

static void free_stack(TcpStack *st, bool cancel)
{
    for (size_t n = 0; n < st->n_nodes; n++) {
        TcpConn *c = st->head[n];
        while (c) {
            TcpConn *next = c->next;
            if (cancel)
                cancel_timers(c);
            conn_free_memory(c);
            c = next;
        }
    }
    free(st->head);
    free(st->tail);
    free(st->tab);
    free(st);
}

void tcp_free_all(Sim *sim)
{
    if (!sim->net || !sim->net->tcp)
        return;
    free_stack(sim->net->tcp, true);
    sim->net->tcp = NULL;
}

void tcp_stack_free(struct TcpStack *st)
{
    if (st)
        free_stack(st, false);
}
