/* tcp_in.c — segments arriving: checks, the RFC 9293 state switch (3.10.7),
 * the receive window, reassembly of out-of-order bytes, and ACK processing
 * with slow start, congestion avoidance, fast retransmit and NewReno
 * (RFC 5681, 6582). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/icmp.h"
#include "net/net.h"
#include "net/tcp_priv.h"

/* A received segment dropped: the one place TCP calls trace_drop (the
 * reasons: truncated or bad header, bad checksum or option, no connection
 * or listener, no SYN to a listener, listen queue full). */
static void tcp_drop(Sim *sim, int node, uint64_t pkt, DropReason reason)
{
    trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, reason);
}

/* ---- parsing -------------------------------------------------------------- */

/* DROP_REASON_COUNT if the segment is whole and its checksum right; else
 * the reason. */
static DropReason parse(const Ipv4Hdr *ip, const uint8_t *p, size_t len, uint64_t pkt, TcpSeg *s)
{
    if (len < TCP_HLEN)
        return DROP_TCP_TRUNCATED;
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    if (hlen < TCP_HLEN || hlen > len)
        return DROP_TCP_HEADER_LEN;
    if (len > 65535 ||
        !ipv4_checksum_ok(p, len, ipv4_pseudo_sum(ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)len)))
        return DROP_TCP_CHECKSUM;
    memset(s, 0, sizeof *s);
    s->pkt = pkt;
    s->src = ip->src;
    s->dst = ip->dst;
    s->sport = get_be16(p);
    s->dport = get_be16(p + 2);
    s->seq = get_be32(p + 4);
    s->ack = get_be32(p + 8);
    s->flags = p[13] & 0x3f;
    s->wnd = get_be16(p + 14);
    s->wscale = -1;
    s->data = p + hlen;
    s->len = (uint32_t)(len - hlen);
    /* Options: every length checked; unknown kinds skipped. */
    for (size_t i = TCP_HLEN; i < hlen;) {
        uint8_t kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || p[i + 1] < 2 || i + p[i + 1] > hlen)
            return DROP_TCP_OPTION_LEN;
        uint8_t olen = p[i + 1];
        if (kind == 2 && olen == 4)
            s->mss = get_be16(p + i + 2);
        else if (kind == 3 && olen == 3)
            s->wscale = p[i + 2] > 14 ? 14 : p[i + 2];
        i += olen;
    }
    return DROP_REASON_COUNT;
}

/* ---- the receive window ----------------------------------------------------- */

uint32_t tcp_rcv_window(TcpConn *c)
{
    size_t room = c->rcvbuf > c->held ? c->rcvbuf - c->held : 0;
    uint32_t max = 65535u << c->rcv_wscale;
    uint32_t w = room > max ? max : (uint32_t)room;
    /* Never move the right edge back (RFC 9293 3.8.6.2.2), and grow it only
     * by at least min(half the buffer, one segment): silly-window
     * avoidance on the receiving side. */
    /* Whole segments, as Linux offers (65535 becomes 64,240 with 1460-byte
     * segments): a sender that fills it sees a zero window, not a sliver. */
    if (w > c->mss)
        w -= w % c->mss;
    uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (w <= cur)
        return cur;
    uint32_t step = c->rcvbuf / 2 < c->mss ? (uint32_t)c->rcvbuf / 2 : c->mss;
    if (w - cur < step && w < max)
        return cur;
    return w;
}

void tcp_window_maybe_update(TcpConn *c)
{
    if (c->ended || c->state < TCP_ESTABLISHED || c->rcv_fin)
        return;
    /* As Linux (__tcp_cleanup_rbuf): an update of its own only when what
     * was advertised has fallen to half the buffer or less and the window
     * can at least double; otherwise the next ACK carries it. */
    uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (2 * (size_t)cur > c->rcvbuf)
        return;
    uint32_t w = tcp_rcv_window(c);
    if (w && w >= 2 * cur && w > cur) {
        if (c->in_input)
            c->ack_now = true;
        else
            tcp_send_ack(c);
    }
}

/* ---- receiving bytes ------------------------------------------------------------ */

/* In-order bytes to the program. */
static void deliver(TcpConn *c, const uint8_t *data, uint32_t len)
{
    c->rcv_nxt += len;
    c->held += len;
    if (c->app_closed || !c->ops.received)
        return;
    if (c->read_rate)
        tcp_read_slowly(c, data, len);
    else
        c->ops.received(c->ctx, c, data, len);
}

static void ooo_store(TcpConn *c, uint32_t seq, const uint8_t *data, uint32_t len)
{
    if (!c->rbuf) {
        c->rcap = 1;
        while (c->rcap < c->rcvbuf)
            c->rcap <<= 1;
        c->rbuf = xmalloc(c->rcap);
    }
    uint32_t end = seq + len;
    /* Merge with every range it touches; keep them sorted. */
    int i = 0;
    while (i < c->n_ooo && SEQ_LT(c->ooo_end[i], seq))
        i++;
    int j = i;
    uint32_t s0 = seq, e0 = end;
    while (j < c->n_ooo && SEQ_LEQ(c->ooo_start[j], end)) {
        if (SEQ_LT(c->ooo_start[j], s0))
            s0 = c->ooo_start[j];
        if (SEQ_GT(c->ooo_end[j], e0))
            e0 = c->ooo_end[j];
        j++;
    }
    if (j == i && c->n_ooo == TCP_OOO_MAX)
        return; /* no room to remember another hole: the sender will resend it */
    size_t at = seq & (c->rcap - 1);
    size_t first = c->rcap - at < len ? c->rcap - at : len;
    memcpy(c->rbuf + at, data, first);
    memcpy(c->rbuf, data + first, len - first);
    int removed = j - i;
    if (removed == 0) {
        memmove(c->ooo_start + i + 1, c->ooo_start + i, (size_t)(c->n_ooo - i) * 4);
        memmove(c->ooo_end + i + 1, c->ooo_end + i, (size_t)(c->n_ooo - i) * 4);
        c->n_ooo++;
    } else if (removed > 1) {
        memmove(c->ooo_start + i + 1, c->ooo_start + j, (size_t)(c->n_ooo - j) * 4);
        memmove(c->ooo_end + i + 1, c->ooo_end + j, (size_t)(c->n_ooo - j) * 4);
        c->n_ooo -= removed - 1;
    }
    c->ooo_start[i] = s0;
    c->ooo_end[i] = e0;
}

/* Out-of-order bytes that the hole's filling made in order. */
static void deliver_reassembled(TcpConn *c)
{
    while (c->n_ooo && SEQ_LEQ(c->ooo_start[0], c->rcv_nxt) && !c->ended) {
        uint32_t end = c->ooo_end[0];
        memmove(c->ooo_start, c->ooo_start + 1, (size_t)(c->n_ooo - 1) * 4);
        memmove(c->ooo_end, c->ooo_end + 1, (size_t)(c->n_ooo - 1) * 4);
        c->n_ooo--;
        while (SEQ_LT(c->rcv_nxt, end) && !c->ended) {
            size_t at = c->rcv_nxt & (c->rcap - 1);
            uint32_t n = end - c->rcv_nxt;
            if (n > c->rcap - at)
                n = (uint32_t)(c->rcap - at);
            deliver(c, c->rbuf + at, n);
        }
    }
}

static void process_fin(TcpConn *c);

static void receive_data(TcpConn *c, const TcpSeg *s, uint32_t seq, const uint8_t *data,
                         uint32_t len)
{
    if (seq != c->rcv_nxt) {
        ooo_store(c, seq, data, len);
        c->ack_now = true; /* a duplicate ACK tells the sender of the hole */
        return;
    }
    bool hole = c->n_ooo > 0;
    deliver(c, data, len);
    if (hole) {
        deliver_reassembled(c);
        c->ack_now = true; /* the hole is filled: say so at once */
    } else if (c->rcv_nxt - c->acked_to > c->mss) {
        c->ack_now = true; /* every second full segment */
    } else {
        tcp_delack_start(c);
    }
    (void)s;
    if (!c->ended && c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt && !c->rcv_fin)
        process_fin(c);
}

/* ---- the FIN ---------------------------------------------------------------------- */

static bool our_fin_acked(const TcpConn *c)
{
    return c->fin_queued && c->snd_una == c->sbuf_seq + (uint32_t)c->slen + 1;
}

/* The end of the peer's data, for the program: now, or once a slow
 * reader has read what came before it. */
static void deliver_eof(TcpConn *c)
{
    if (c->app_closed || !c->ops.received)
        return;
    if (c->read_rate && c->slow.len)
        c->fin_unread = true;
    else
        c->ops.received(c->ctx, c, NULL, 0);
}

static void process_fin(TcpConn *c)
{
    c->rcv_nxt++;
    c->rcv_fin = true;
    c->ack_now = true;
    switch (c->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
        tcp_set_state(c, TCP_CLOSE_WAIT);
        deliver_eof(c);
        break;
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
        deliver_eof(c);
        if (c->ended)
            return;
        if (c->state == TCP_FIN_WAIT_2 || our_fin_acked(c))
            tcp_enter_time_wait(c);
        else
            tcp_set_state(c, TCP_CLOSING);
        break;
    default:
        break;
    }
}

/* ---- ACK processing ------------------------------------------------------------------ */

static void narrate_cc(TcpConn *c, uint64_t pkt, const char *fmt, ...) MN_PRINTF(3, 4);
static void narrate_cc(TcpConn *c, uint64_t pkt, const char *fmt, ...)
{
    if (!tcp_note_wanted(c->sim))
        return;
    char buf[500];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    trace_note(&c->sim->trace, c->sim->now, pkt, "%s", buf);
}

static void fast_retransmit(TcpConn *c)
{
    uint32_t flight = c->snd_max - c->snd_una;
    uint32_t half = flight / 2;
    c->ssthresh = half > 2 * c->mss ? half : 2 * c->mss;
    c->recover = c->snd_max;
    c->in_recovery = true;
    c->cc = TCP_CC_RECOVERY;
    c->cwnd = c->ssthresh + 3 * c->mss;
    char why[200], n[32];
    snprintf(why, sizeof why,
             "has received three duplicate ACKs: a segment was lost. It enters fast recovery "
             "(NewReno), halving its congestion window to %s bytes, and does not wait for its "
             "timer",
             tcp_num(c->ssthresh, n));
    tcp_retransmit_first(c, why);
    tcp_timer_set(c, TCP_T_RTO, c->rto);
}

static void dup_ack(TcpConn *c)
{
    c->dupacks++;
    if (c->in_recovery) {
        c->cwnd += c->mss; /* each duplicate says one more segment has left the network */
        return;
    }
    /* RFC 6582 4.1: after a timeout, duplicates of data sent before it
     * start no fast retransmit. */
    if (c->dupacks == 3 && SEQ_GEQ(c->snd_una, c->recover))
        fast_retransmit(c);
}

/* cwnd after new data is acknowledged outside recovery. */
static void grow_cwnd(TcpConn *c, uint32_t acked, uint32_t flight_before, uint64_t pkt)
{
    char n[32];
    if (c->cwnd < c->ssthresh) {
        /* Grow only while the congestion window is what limits the sender
         * (RFC 7661; Linux's tcp_is_cwnd_limited). */
        if (c->cwnd >= 2 * flight_before)
            return;
        /* RFC 3465 with L = 2 segments: doubling per round trip even
         * with delayed ACKs. */
        c->cwnd += acked < 2 * c->mss ? acked : 2 * c->mss;
        if (c->cwnd >= c->ssthresh) {
            c->cc = TCP_CC_AVOIDANCE;
            narrate_cc(c, pkt,
                       "%s's congestion window has reached its slow-start threshold (%s bytes): "
                       "from now on it grows by one segment per round trip (congestion "
                       "avoidance) instead of doubling.",
                       tcp_self(c), tcp_num(c->ssthresh, n));
        }
        return;
    }
    if (flight_before + c->mss < c->cwnd)
        return;
    c->ca_acked += acked;
    if (c->ca_acked >= c->cwnd) {
        c->ca_acked -= c->cwnd;
        c->cwnd += c->mss;
    }
}

static void new_ack(TcpConn *c, const TcpSeg *s)
{
    uint32_t acked = s->ack - c->snd_una;
    uint32_t flight_before = c->snd_max - c->snd_una;
    uint32_t data = s->ack - c->sbuf_seq;
    if (data > c->slen)
        data = (uint32_t)c->slen; /* the rest is our FIN */
    c->sbuf_seq += data;
    c->slen -= data;
    c->snd_una = s->ack;
    if (SEQ_LT(c->snd_nxt, c->snd_una))
        c->snd_nxt = c->snd_una;
    if (c->rtt_timing && SEQ_GEQ(s->ack, c->rtt_seq)) {
        c->rtt_timing = false;
        tcp_rto_sample(c, c->sim->now - c->rtt_start);
    }
    c->retries = 0;
    if (c->in_recovery) {
        if (SEQ_GEQ(s->ack, c->recover)) {
            /* RFC 6582 3.2 step 3, the second choice (Linux's too): the
             * window is what the loss halved it to. */
            c->cwnd = c->ssthresh;
            c->in_recovery = false;
            c->dupacks = 0;
            c->ca_acked = 0;
            c->cc = TCP_CC_AVOIDANCE;
            char n[32];
            narrate_cc(c, s->pkt,
                       "Everything sent before the loss is now acknowledged: %s leaves fast "
                       "recovery with a congestion window of %s bytes, growing by one segment "
                       "per round trip (congestion avoidance).",
                       tcp_self(c), tcp_num(c->cwnd, n));
        } else {
            /* A partial ACK: the next hole (RFC 6582 3.2 step 5). */
            c->cwnd = c->cwnd > acked ? c->cwnd - acked : c->mss;
            if (acked >= c->mss)
                c->cwnd += c->mss;
            tcp_retransmit_first(c, "gets an ACK that covers only part of what was outstanding: "
                                    "another segment was lost (NewReno)");
            tcp_timer_set(c, TCP_T_RTO, c->rto);
        }
    } else {
        c->dupacks = 0;
        grow_cwnd(c, acked, flight_before, s->pkt);
    }
    if (c->snd_una == c->snd_max)
        tcp_timer_stop(c);
    else
        tcp_timer_set(c, TCP_T_RTO, c->rto);
    if (c->slen == 0)
        tcp_bulk_end(c, s->pkt);
    if (data && !c->app_closed && c->ops.sent)
        c->ops.sent(c->ctx, c, data);
}

/* Window fields and the ACK number (RFC 9293 3.10.7.4, fifth check).
 * False if the segment goes no further. */
static bool ack_input(TcpConn *c, const TcpSeg *s)
{
    if (c->probe_out) {
        c->retries = 0; /* the probe was answered */
        if (s->ack == c->snd_max + 1)
            c->snd_max = s->ack; /* the receiver took the probe's byte */
    }
    if (SEQ_GT(s->ack, c->snd_max)) {
        c->ack_now = true; /* acknowledges something never sent */
        return false;
    }
    bool wnd_changed = false;
    if (SEQ_GEQ(s->ack, c->snd_una) &&
        (SEQ_LT(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && SEQ_LEQ(c->snd_wl2, s->ack)))) {
        uint32_t w = (uint32_t)s->wnd << c->snd_wscale;
        wnd_changed = w != c->snd_wnd;
        c->snd_wnd = w;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
        if (w > c->max_sndwnd)
            c->max_sndwnd = w;
    }
    if (wnd_changed && c->snd_wnd > 0) {
        c->probe_out = false;
        c->probes_told |= c->probed;
    }
    if (SEQ_GT(s->ack, c->snd_una)) {
        c->probe_out = false;
        new_ack(c, s);
    } else if (s->ack == c->snd_una && s->len == 0 && !(s->flags & (TCP_SYN | TCP_FIN)) &&
               !wnd_changed && c->snd_max != c->snd_una && c->snd_wnd > 0) {
        dup_ack(c);
    }
    if (c->ended)
        return false;
    switch (c->state) {
    case TCP_FIN_WAIT_1:
        if (our_fin_acked(c)) {
            tcp_set_state(c, TCP_FIN_WAIT_2);
            if (c->app_closed)
                tcp_fin_wait_2_timer(c);
        }
        break;
    case TCP_CLOSING:
        if (our_fin_acked(c))
            tcp_enter_time_wait(c);
        break;
    case TCP_LAST_ACK:
        if (our_fin_acked(c)) {
            tcp_finish(c, TCP_WHY_CLOSED);
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}

/* ---- the handshake ------------------------------------------------------------------ */

static void take_syn_options(TcpConn *c, const TcpSeg *s)
{
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    c->acked_to = c->rcv_nxt - 1;
    uint32_t peer = s->mss ? s->mss : 536;
    c->mss = peer < TCP_MSS ? peer : TCP_MSS;
    if (c->mss < 64)
        c->mss = 64;
    if (c->want_ws && s->wscale >= 0) {
        c->snd_wscale = (uint8_t)s->wscale;
        size_t space = c->rcvbuf > 6291456 ? c->rcvbuf : 6291456;
        int sh = 0;
        while (space > 65535 && sh < 14) {
            space >>= 1;
            sh++;
        }
        c->rcv_wscale = (uint8_t)sh;
    } else {
        c->want_ws = false;
        c->snd_wscale = c->rcv_wscale = 0;
        if (c->rcvbuf > 65535)
            c->rcvbuf = 65535;
    }
    c->snd_wnd = s->wnd; /* a SYN's window is never scaled */
    c->max_sndwnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    c->cwnd = TCP_IW_SEGS * c->mss;
    c->ssthresh = 65535u << c->snd_wscale;
}

/* The handshake's last ACK, a step of its own. */
static void send_handshake_ack(TcpConn *c)
{
    uint64_t pkt = sim_packet_id(c->sim);
    NetErr e = tcp_can_send(c->sim, c->node, c->rip);
    if (tcp_note_wanted(c->sim)) {
        char peer[128], n[32];
        tcp_peer(c, peer, sizeof peer);
        trace_note(&c->sim->trace, c->sim->now, pkt,
                   "%s acknowledges %s's SYN-ACK (ack %s): the connection is established, "
                   "and each side knows where the other's bytes start.%s%s",
                   tcp_self(c), peer, tcp_num(c->rcv_nxt, n), e ? " It cannot go out: " : "",
                   e ? tcp_neterr_text(e) : "");
    }
    tcp_send_segment(c, TCP_ACK, c->snd_nxt, 0, pkt);
}

static void syn_sent(TcpConn *c, const TcpSeg *s)
{
    bool ack = s->flags & TCP_ACK;
    if (ack && (SEQ_LEQ(s->ack, c->iss) || SEQ_GT(s->ack, c->snd_max))) {
        if (!(s->flags & TCP_RST))
            tcp_send_rst_for(c->sim, c->node, s);
        return;
    }
    if (s->flags & TCP_RST) {
        if (!ack)
            return;
        /* The RST's own caption (its sender's) says the connection is
         * refused: no second step for the same segment. */
        tcp_finish(c, TCP_WHY_REFUSED);
        return;
    }
    if (!(s->flags & TCP_SYN))
        return;
    take_syn_options(c, s);
    if (!ack) { /* simultaneous open (RFC 9293 figure 7) */
        tcp_set_state(c, TCP_SYN_RECEIVED);
        tcp_send_syn(c, false);
        return;
    }
    c->snd_una = s->ack;
    if (c->rtt_timing) {
        c->rtt_timing = false;
        tcp_rto_sample(c, c->sim->now - c->rtt_start);
    }
    c->retries = 0;
    tcp_timer_stop(c);
    send_handshake_ack(c);
    tcp_set_state(c, TCP_ESTABLISHED);
    if (!c->app_closed && c->ops.connected)
        c->ops.connected(c->ctx, c);
    if (!c->ended && c->fin_queued && c->state == TCP_ESTABLISHED)
        tcp_set_state(c, TCP_FIN_WAIT_1);
}

/* A SYN to a listener: a new connection in SYN-RECEIVED. */
static void listen_input(TcpConn *l, const TcpSeg *s)
{
    Sim *sim = l->sim;
    if (s->flags & TCP_RST)
        return;
    if (s->flags & TCP_ACK) {
        tcp_send_rst_for(sim, l->node, s);
        return;
    }
    if (!(s->flags & TCP_SYN)) {
        tcp_drop(sim, l->node, s->pkt, DROP_TCP_NO_SYN);
        return;
    }
    if (l->half_open >= l->backlog) {
        tcp_drop(sim, l->node, s->pkt, DROP_TCP_LISTEN_FULL);
        return;
    }
    TcpConn *c = tcp_conn_new(sim, l->node);
    c->sndbuf = l->sndbuf;
    c->rcvbuf = l->rcvbuf;
    c->want_ws = l->want_ws;
    c->read_rate = l->read_rate;
    c->lip = s->dst;
    c->rip = s->src;
    c->lport = s->dport;
    c->rport = s->sport;
    c->ops = l->ops;
    c->ctx = l->ctx;
    c->parent = l;
    c->passive = true;
    l->refs++;
    l->half_open++;
    take_syn_options(c, s);
    c->iss = tcp_isn(sim);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->sbuf_seq = c->iss + 1;
    c->recover = c->iss;
    tcp_hash_add(c);
    c->state = TCP_SYN_RECEIVED;
    c->busy++;
    tcp_send_syn(c, false);
    tcp_record(c);
    c->busy--;
}

/* SYN-RECEIVED and an acceptable ACK: established. */
static bool syn_received_ack(TcpConn *c, const TcpSeg *s)
{
    if (!(SEQ_GT(s->ack, c->snd_una) && SEQ_LEQ(s->ack, c->snd_max))) {
        tcp_send_rst_for(c->sim, c->node, s);
        return false;
    }
    c->snd_una = s->ack;
    c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
    c->max_sndwnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    if (c->rtt_timing) {
        c->rtt_timing = false;
        tcp_rto_sample(c, c->sim->now - c->rtt_start);
    }
    c->retries = 0;
    tcp_timer_stop(c);
    tcp_set_state(c, c->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED);
    TcpConn *l = c->parent;
    if (!c->passive) {
        if (!c->app_closed && c->ops.connected)
            c->ops.connected(c->ctx, c);
        return !c->ended;
    }
    c->parent = NULL;
    l->refs--;
    if (l->ended) { /* the listener closed meanwhile */
        tcp_release(l);
        tcp_send_rst_conn(c, "nobody listens on the port any more");
        tcp_finish(c, TCP_WHY_ABORTED);
        return false;
    }
    l->busy++;
    if (l->ops.accepted)
        l->ops.accepted(l->ctx, l, c);
    l->busy--;
    tcp_release(l);
    return !c->ended;
}

/* ---- the state switch ------------------------------------------------------------------ */

static bool acceptable(const TcpConn *c, const TcpSeg *s)
{
    uint32_t wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t slen = s->len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
    bool in = SEQ_GEQ(s->seq, c->rcv_nxt) && SEQ_LT(s->seq, c->rcv_nxt + wnd);
    if (slen == 0)
        return wnd == 0 ? s->seq == c->rcv_nxt : in;
    if (wnd == 0)
        return false;
    uint32_t last = s->seq + slen - 1;
    return in || (SEQ_GEQ(last, c->rcv_nxt) && SEQ_LT(last, c->rcv_nxt + wnd));
}

/* An acceptable RST; its sender's caption explains it. */
static void reset_received(TcpConn *c)
{
    switch (c->state) {
    case TCP_SYN_RECEIVED:
        tcp_finish(c, c->passive ? TCP_WHY_RESET : TCP_WHY_REFUSED);
        return;
    case TCP_CLOSING:
    case TCP_LAST_ACK:
    case TCP_TIME_WAIT:
        tcp_finish(c, TCP_WHY_CLOSED);
        return;
    default:
        break;
    }
    tcp_finish(c, TCP_WHY_RESET);
}

static void conn_input(TcpConn *c, const TcpSeg *s0)
{
    if (c->state == TCP_SYN_SENT) {
        syn_sent(c, s0);
        return;
    }
    TcpSeg s = *s0;
    if (c->state == TCP_SYN_RECEIVED && (s.flags & TCP_SYN) && s.seq == c->irs) {
        if (!(s.flags & TCP_ACK)) {
            tcp_send_syn(c, false); /* our SYN-ACK was lost: the peer sent its SYN again */
            return;
        }
        /* Simultaneous open: the peer's SYN-ACK repeats its SYN and
         * acknowledges ours (RFC 9293 figure 8). */
        s.flags &= (uint8_t)~TCP_SYN;
        s.seq++;
    }
    if (!acceptable(c, &s)) {
        if (s.flags & TCP_RST)
            return;
        if (c->state == TCP_TIME_WAIT && (s.flags & TCP_FIN)) {
            sim_cancel(c->sim, c->bg_ev); /* the peer lost our last ACK */
            tcp_enter_time_wait(c);
            c->rcv_fin = true;
            c->acked_to = c->rcv_nxt - 1;
        }
        c->ack_now = true;
        return;
    }
    /* Trim to the window: bytes already received, bytes beyond it. */
    uint32_t seq = s.seq;
    const uint8_t *data = s.data;
    uint32_t len = s.len;
    if (s.flags & TCP_SYN && SEQ_LT(seq, c->rcv_nxt)) {
        s.flags &= (uint8_t)~TCP_SYN;
        seq++;
    }
    if (SEQ_LT(seq, c->rcv_nxt)) {
        uint32_t cut = c->rcv_nxt - seq;
        if (cut > len)
            cut = len;
        data += cut;
        len -= cut;
        seq += cut;
    }
    uint32_t wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t room = c->rcv_nxt + wnd - seq;
    if (len > room) {
        len = room;
        s.flags &= (uint8_t)~TCP_FIN;
    }
    if (s.flags & TCP_RST) {
        reset_received(c);
        return;
    }
    if (s.flags & TCP_SYN) {
        c->ack_now = true; /* a SYN inside the window: answered with an ACK */
        return;
    }
    if (!(s.flags & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RECEIVED && !syn_received_ack(c, &s))
        return;
    if (!ack_input(c, &s))
        return;
    if (len > 0) {
        if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 && c->state != TCP_FIN_WAIT_2)
            return; /* after the peer's FIN, nothing more can come */
        if (c->app_closed) {
            tcp_send_rst_conn(c, "data arrived after its program closed the connection");
            tcp_finish(c, TCP_WHY_ABORTED);
            return;
        }
        receive_data(c, &s, seq, data, len);
        if (c->ended)
            return;
    }
    if (s.flags & TCP_FIN) {
        uint32_t fin_seq = seq + len;
        if (fin_seq == c->rcv_nxt && !c->rcv_fin)
            process_fin(c);
        else if (SEQ_GT(fin_seq, c->rcv_nxt)) {
            c->ooo_fin = true;
            c->ooo_fin_seq = fin_seq;
            c->ack_now = true;
        }
    }
}

/* ---- the entry point ---------------------------------------------------------------------- */

void tcp_icmp_input(Sim *sim, int node, const struct IcmpMsg *m)
{
    if (m->type != ICMP_DEST_UNREACH || !m->has_orig || m->orig.proto != IP_PROTO_TCP ||
        m->orig_payload_len < 4 || !sim->net->tcp)
        return;
    const uint8_t *q = m->orig_payload;
    TcpConn *c = tcp_lookup(tcp_stack(sim), node, get_be16(q), m->orig.dst, get_be16(q + 2));
    if (!c || c->ended || c->state != TCP_SYN_SENT)
        return;
    bool net = m->code == ICMP_UNREACH_NET;
    if (m->code != ICMP_UNREACH_NET && m->code != ICMP_UNREACH_HOST)
        return;
    if (tcp_note_wanted(sim)) {
        char peer[128];
        tcp_peer(c, peer, sizeof peer);
        trace_note(&sim->trace, sim->now, m->pkt,
                   "The ICMP error tells %s that %s cannot be reached (%s): its connection "
                   "attempt fails at once, with \"%s\", as Linux's does.",
                   tcp_self(c), peer, net ? "net unreachable" : "host unreachable",
                   net ? "Network is unreachable" : "No route to host");
    }
    tcp_finish(c, net ? TCP_WHY_NET_UNREACH : TCP_WHY_HOST_UNREACH);
}

void tcp_input(Sim *sim, int node, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *segment,
               size_t len)
{
    TcpSeg s;
    DropReason why = parse(ip, segment, len, pkt, &s);
    if (why != DROP_REASON_COUNT) {
        tcp_drop(sim, node, pkt, why);
        return;
    }
    TcpConn *c = tcp_lookup(tcp_stack(sim), node, s.dport, s.src, s.sport);
    if (!c) {
        if (s.flags & TCP_RST)
            return; /* never answer a reset */
        tcp_drop(sim, node, pkt, DROP_TCP_NO_LISTENER);
        tcp_send_rst_for(sim, node, &s);
        return;
    }
    if (c->state == TCP_LISTEN) {
        c->busy++;
        listen_input(c, &s);
        c->busy--;
        tcp_release(c);
        return;
    }
    c->busy++;
    c->in_input = true;
    conn_input(c, &s);
    c->in_input = false;
    if (!c->ended) {
        tcp_output(c);
        if (c->ack_now)
            tcp_send_ack(c);
        tcp_record(c);
    }
    c->busy--;
    tcp_release(c);
}
