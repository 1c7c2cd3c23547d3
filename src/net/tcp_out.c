/* tcp_out.c — segments on the wire: real headers and checksums, the SYN's
 * options, what the windows allow, retransmission (RFC 6298, Karn), the
 * persist probe, RST, and the captions of what is sent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/net.h"
#include "net/tcp_priv.h"

/* ---- building a segment ---------------------------------------------------- */

typedef struct Hdr {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    int wscale; /* -1: no option */
    bool mss;   /* MSS option */
} Hdr;

/* Writes header and options at seg; returns the header length. */
static size_t put_header(uint8_t *seg, const Hdr *h)
{
    size_t hlen = TCP_HLEN;
    uint8_t *o = seg + TCP_HLEN;
    if (h->mss) {
        o[0] = 2;
        o[1] = 4;
        put_be16(o + 2, TCP_MSS);
        hlen += 4;
    }
    if (h->wscale >= 0) { /* NOP, then the option: as Linux lays them out */
        o[hlen - TCP_HLEN] = 1;
        o[hlen - TCP_HLEN + 1] = 3;
        o[hlen - TCP_HLEN + 2] = 3;
        o[hlen - TCP_HLEN + 3] = (uint8_t)h->wscale;
        hlen += 4;
    }
    put_be16(seg, h->sport);
    put_be16(seg + 2, h->dport);
    put_be32(seg + 4, h->seq);
    put_be32(seg + 8, h->ack);
    seg[12] = (uint8_t)((hlen / 4) << 4);
    seg[13] = h->flags;
    put_be16(seg + 14, h->wnd);
    put_be16(seg + 16, 0);
    put_be16(seg + 18, 0);
    return hlen;
}

static NetErr send_raw(Sim *sim, int node, const Hdr *h, uint8_t *seg, size_t hlen, size_t len,
                       uint64_t pkt)
{
    size_t total = hlen + len;
    uint16_t sum =
        ipv4_checksum(seg, total, ipv4_pseudo_sum(h->src, h->dst, IP_PROTO_TCP, (uint16_t)total));
    put_be16(seg + 16, sum);
    Ipv4Send s = {.pkt = pkt, .src = h->src, .dst = h->dst, .proto = IP_PROTO_TCP, .df = true};
    return ipv4_send(sim, node, &s, seg, total, NULL);
}

/* The window field for a segment now, and what it advertises. */
static uint16_t window_field(TcpConn *c, bool syn, uint32_t *adv)
{
    uint32_t w = tcp_rcv_window(c);
    if (syn) {
        *adv = w > 65535 ? 65535 : w;
        return (uint16_t)*adv;
    }
    uint32_t f = w >> c->rcv_wscale;
    if (f > 65535)
        f = 65535;
    *adv = f << c->rcv_wscale;
    return (uint16_t)f;
}

/* The scale we offer: as Linux, from the largest buffer it may grow to
 * (tcp_rmem's 6 MiB), so 7 on a default machine. */
static int offered_wscale(const TcpConn *c)
{
    size_t space = c->rcvbuf > 6291456 ? c->rcvbuf : 6291456;
    int s = 0;
    while (space > 65535 && s < 14) {
        space >>= 1;
        s++;
    }
    return s;
}

NetErr tcp_send_segment(TcpConn *c, uint8_t flags, uint32_t seq, uint32_t len, uint64_t pkt)
{
    uint8_t seg[ETH_MTU];
    bool syn = flags & TCP_SYN;
    uint32_t adv;
    Hdr h = {.src = c->lip,
             .dst = c->rip,
             .sport = c->lport,
             .dport = c->rport,
             .seq = seq,
             .ack = (flags & TCP_ACK) ? c->rcv_nxt : 0,
             .flags = flags,
             .wnd = window_field(c, syn, &adv),
             .wscale = syn && c->want_ws ? offered_wscale(c) : -1,
             .mss = syn};
    size_t hlen = put_header(seg, &h);
    if (len) {
        size_t off = (size_t)(seq - c->sbuf_seq);
        size_t at = (size_t)seq & (c->scap - 1);
        size_t first = c->scap - at < len ? c->scap - at : len;
        (void)off;
        memcpy(seg + hlen, c->sbuf + at, first);
        memcpy(seg + hlen + first, c->sbuf, len - first);
    }
    if (flags & TCP_ACK) {
        c->acked_to = c->rcv_nxt;
        c->ack_now = false;
        c->rcv_adv = c->rcv_nxt + adv;
        c->zero_wnd_sent = adv == 0;
        if (c->delack_ev) {
            sim_cancel(c->sim, c->delack_ev);
            c->delack_ev = 0;
        }
    }
    return send_raw(c->sim, c->node, &h, seg, hlen, len, pkt);
}

/* ---- captions ------------------------------------------------------------------ */

static void note(TcpConn *c, uint64_t pkt, const char *fmt, ...) MN_PRINTF(3, 4);
static void note(TcpConn *c, uint64_t pkt, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    trace_note(&c->sim->trace, c->sim->now, pkt, "%s", buf);
}

/* "laptop cannot send it: it is down." when e says so, else "". */
static const char *failed(NetErr e, char *buf, size_t size)
{
    if (e == NET_OK)
        buf[0] = 0;
    else
        snprintf(buf, size, " It cannot go out: %s.", tcp_neterr_text(e));
    return buf;
}

/* The caption for bytes starting at seq, taken from the queue (NULL if none). */
static char *take_note(TcpConn *c, uint32_t seq, uint32_t end)
{
    if (!c->n_notes || SEQ_LT(c->notes[0].seq, seq) || SEQ_GEQ(c->notes[0].seq, end))
        return NULL;
    if (c->notes[0].seq != seq)
        return NULL;
    char *cap = c->notes[0].caption;
    memmove(c->notes, c->notes + 1, (c->n_notes - 1) * sizeof *c->notes);
    c->n_notes--;
    return cap;
}

/* ---- the handshake --------------------------------------------------------------- */

void tcp_send_syn(TcpConn *c, bool again)
{
    Sim *sim = c->sim;
    bool synack = c->state == TCP_SYN_RECEIVED;
    uint8_t flags = synack ? TCP_SYN | TCP_ACK : TCP_SYN;
    uint64_t pkt = sim_packet_id(sim);
    NetErr e = tcp_can_send(sim, c->node, c->rip);
    if (tcp_note_wanted(sim)) {
        char peer[128], n1[32], n2[32], d[24], f[120], ws[64] = "";
        tcp_peer(c, peer, sizeof peer);
        if (c->want_ws)
            snprintf(ws, sizeof ws, ", and it scales its window by 2^%d", offered_wscale(c));
        if (again)
            note(c, pkt,
                 "%s has had no answer from %s for %s (its retransmission timer), so it sends "
                 "its %s again (attempt %d of %d); it will now wait twice as long.%s",
                 tcp_self(c), peer, tcp_dur(c->rto / 2, d, sizeof d), synack ? "SYN-ACK" : "SYN",
                 c->retries + 1, (synack ? TCP_SYNACK_RETRY : TCP_SYN_RETRIES) + 1,
                 failed(e, f, sizeof f));
        else if (synack)
            note(c, pkt,
                 "%s accepts the connection from %s on port %u: SYN-ACK, its own first sequence "
                 "number is %s, acknowledging %s's SYN (ack %s); it can take segments of up to "
                 "1,460 bytes%s.%s",
                 tcp_self(c), peer, c->lport, tcp_num(c->iss, n1), peer, tcp_num(c->rcv_nxt, n2),
                 ws, failed(e, f, sizeof f));
        else
            note(c, pkt,
                 "%s opens a TCP connection to %s port %u: SYN, its first sequence number is %s, "
                 "and it can take segments of up to 1,460 bytes%s.%s",
                 tcp_self(c), peer, c->rport, tcp_num(c->iss, n1), ws, failed(e, f, sizeof f));
    }
    tcp_send_segment(c, flags, c->iss, 0, pkt);
    if (SEQ_LT(c->snd_max, c->iss + 1))
        c->snd_max = c->iss + 1;
    c->snd_nxt = c->iss + 1;
    if (!again) {
        c->rtt_timing = true;
        c->rtt_seq = c->iss + 1;
        c->rtt_start = sim->now;
    } else {
        c->rtt_timing = false;
    }
    tcp_timer_set(c, TCP_T_RTO, c->rto);
}

/* ---- ACKs -------------------------------------------------------------------------- */

void tcp_send_ack(TcpConn *c)
{
    Sim *sim = c->sim;
    /* The ACK of a FIN is a step of the teardown; so is a window that
     * closes or opens again. */
    bool acks_fin = c->rcv_fin && c->acked_to != c->rcv_nxt;
    uint32_t adv;
    (void)window_field(c, false, &adv);
    bool wnd_change = (adv == 0) != c->zero_wnd_sent;
    /* The first time the window closes and opens again is told; after
     * that a slow reader's window flickers as hops, or the steps would
     * drown the lesson. */
    bool opens = wnd_change && adv > 0 && !c->wnd_told;
    bool closes = wnd_change && adv == 0 && c->state != TCP_TIME_WAIT && !c->wnd_told;
    if (opens)
        c->wnd_told = true;
    if (!acks_fin && !opens && !closes) {
        tcp_send_segment(c, TCP_ACK, c->snd_nxt, 0, 0);
        return;
    }
    uint64_t pkt = sim_packet_id(sim);
    NetErr e = tcp_can_send(sim, c->node, c->rip);
    if (tcp_note_wanted(sim)) {
        char peer[128], n[32], f[120], w[32];
        tcp_peer(c, peer, sizeof peer);
        failed(e, f, sizeof f);
        if (acks_fin && c->state == TCP_TIME_WAIT)
            note(c, pkt,
                 "%s acknowledges %s's FIN (ack %s): both directions are closed. %s stays in "
                 "TIME-WAIT for 60 s (2×MSL) in case this last ACK is lost.%s",
                 tcp_self(c), peer, tcp_num(c->rcv_nxt, n), tcp_self(c), f);
        else if (acks_fin && c->state == TCP_CLOSING)
            note(c, pkt,
                 "%s acknowledges %s's FIN (ack %s): both sides sent FIN at once (a simultaneous "
                 "close), and %s now waits for the ACK of its own.%s",
                 tcp_self(c), peer, tcp_num(c->rcv_nxt, n), tcp_self(c), f);
        else if (acks_fin)
            note(c, pkt,
                 "%s acknowledges %s's FIN (ack %s): %s will send no more, but %s may still send "
                 "until it closes its side too.%s",
                 tcp_self(c), peer, tcp_num(c->rcv_nxt, n), peer, tcp_self(c), f);
        else if (closes)
            note(c, pkt,
                 "%s's receive buffer is full (its program has not read the data yet): it "
                 "advertises a zero window, and %s must stop sending.%s",
                 tcp_self(c), peer, f);
        else
            note(c, pkt,
                 "%s's program has read data: its window opens to %s bytes, and %s may send "
                 "again.%s",
                 tcp_self(c), tcp_num(adv, w), peer, f);
    }
    tcp_send_segment(c, TCP_ACK, c->snd_nxt, 0, pkt);
}

/* ---- RST ---------------------------------------------------------------------------- */

void tcp_send_rst_conn(TcpConn *c, const char *why)
{
    Sim *sim = c->sim;
    uint64_t pkt = sim_packet_id(sim);
    NetErr e = tcp_can_send(sim, c->node, c->rip);
    if (tcp_note_wanted(sim)) {
        char peer[128], f[120];
        tcp_peer(c, peer, sizeof peer);
        note(c, pkt,
             "%s resets its connection with %s (RST): %s. %s will drop the connection at once, "
             "and its program is told \"Connection reset by peer\".%s",
             tcp_self(c), peer, why, peer, failed(e, f, sizeof f));
    }
    tcp_send_segment(c, TCP_RST | TCP_ACK, c->snd_nxt, 0, pkt);
}

void tcp_send_rst_for(Sim *sim, int node, const TcpSeg *s)
{
    uint8_t seg[TCP_HLEN + 8];
    Hdr h = {.src = s->dst, .dst = s->src, .sport = s->dport, .dport = s->sport, .wscale = -1};
    if (s->flags & TCP_ACK) {
        h.seq = s->ack;
        h.flags = TCP_RST;
    } else {
        h.seq = 0;
        h.ack = s->seq + s->len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
        h.flags = TCP_RST | TCP_ACK;
    }
    uint64_t pkt = sim_packet_id(sim);
    NetErr e = tcp_can_send(sim, node, s->src);
    if (tcp_note_wanted(sim)) {
        const World *w = sim->net->w;
        char src[16], f[120];
        int owner;
        ip_format(s->src, src);
        const char *peer = world_find_addr(w, s->src, &owner, NULL) ? w->nodes[owner].id : src;
        failed(e, f, sizeof f);
        if (s->flags & TCP_SYN)
            trace_note(&sim->trace, sim->now, pkt,
                       "Nobody on %s listens on TCP port %u, so %s answers %s's SYN with RST: "
                       "the connection is refused.%s",
                       w->nodes[node].id, s->dport, w->nodes[node].id, peer, f);
        else
            trace_note(&sim->trace, sim->now, pkt,
                       "%s has no connection for this segment from %s (port %u): it answers "
                       "with RST, which tells %s to drop whatever connection it has.%s",
                       w->nodes[node].id, peer, s->dport, peer, f);
    }
    size_t hlen = put_header(seg, &h);
    send_raw(sim, node, &h, seg, hlen, 0, pkt);
}

/* ---- data -------------------------------------------------------------------------- */

static uint32_t data_end(const TcpConn *c)
{
    return c->sbuf_seq + (uint32_t)c->slen;
}

/* The first bytes of a segment as a student reads them in a caption:
 * ": \"Hello server!\\n\"" — printable ASCII as it is, line breaks and
 * other bytes escaped, cut after 48 characters with "…". */
static void preview(const TcpConn *c, uint32_t seq, uint32_t len, char *out, size_t size)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, ": \"");
    uint32_t shown = len < 48 ? len : 48;
    for (uint32_t i = 0; i < shown; i++) {
        uint8_t ch = c->sbuf[(size_t)(seq + i) & (c->scap - 1)];
        if (ch == '\n')
            buf_puts(&b, "\\n");
        else if (ch == '\r')
            buf_puts(&b, "\\r");
        else if (ch == '"' || ch == '\\')
            buf_printf(&b, "\\%c", ch);
        else if (ch >= 0x20 && ch < 0x7f)
            buf_putc(&b, (char)ch);
        else
            buf_printf(&b, "\\x%02x", ch);
    }
    buf_puts(&b, shown < len ? "\"…" : "\"");
    snprintf(out, size, "%s", b.data);
    buf_fini(&b);
}

/* Caption of a data segment sent for the first time. */
static void narrate_data(TcpConn *c, uint64_t pkt, uint32_t seq, uint32_t len, uint8_t flags,
                         char *caption, NetErr e)
{
    char peer[128], n[32], m[32], f[120];
    bool fin = flags & TCP_FIN;
    if (caption) {
        if (tcp_note_wanted(c->sim)) {
            size_t cl = strlen(caption);
            bool stop = cl && strchr(".!?", caption[cl - 1]);
            char tail[160] = "";
            if (fin)
                snprintf(tail, sizeof tail,
                         "%s The same segment carries FIN: %s has nothing "
                         "more to send.",
                         stop ? "" : ".", tcp_self(c));
            note(c, pkt, "%s%s%s", caption, tail, failed(e, f, sizeof f));
        }
        free(caption);
        return;
    }
    if (len && c->bulk)
        c->bulk_segs++;
    if (len && c->bulk && !fin)
        return; /* a hop: the transfer's start and end are its steps */
    if (len && !c->bulk && c->slen > (size_t)TCP_BULK_SEGS * c->mss) {
        c->bulk = true;
        c->bulk_segs = 1;
        c->bulk_rtx = 0;
        if (tcp_note_wanted(c->sim)) {
            tcp_peer(c, peer, sizeof peer);
            note(c, pkt,
                 "%s starts a bulk transfer to %s (%s bytes queued so far): it sends as many "
                 "1,460-byte segments as its congestion window (%s bytes) and %s's window "
                 "allow.%s",
                 tcp_self(c), peer, tcp_num(c->slen, n), tcp_num(c->cwnd, m), peer,
                 failed(e, f, sizeof f));
        }
        return;
    }
    if (!tcp_note_wanted(c->sim))
        return;
    tcp_peer(c, peer, sizeof peer);
    failed(e, f, sizeof f);
    if (fin && len)
        note(c, pkt,
             "%s sends its last %u bytes to %s (seq %s) with FIN: it has nothing more to "
             "send.%s",
             tcp_self(c), len, peer, tcp_num(seq, n), f);
    else if (fin && c->rcv_fin)
        note(c, pkt,
             "%s has nothing more to send either: FIN (seq %s)%s. Once %s acknowledges it, the "
             "connection is over.%s",
             tcp_self(c), tcp_num(seq, n),
             c->acked_to != c->rcv_nxt ? ", which also acknowledges the FIN it got" : "", peer, f);
    else if (fin)
        note(c, pkt,
             "%s has nothing more to send: FIN (seq %s). It can still receive until %s "
             "closes too.%s",
             tcp_self(c), tcp_num(seq, n), peer, f);
    else {
        char text[256];
        preview(c, seq, len, text, sizeof text);
        note(c, pkt, "%s sends %u byte%s to %s (seq %s)%s.%s", tcp_self(c), len,
             len == 1 ? "" : "s", peer, tcp_num(seq, n), text, f);
    }
}

/* Sends len bytes at seq (and the FIN if flags say so) as a first
 * transmission or again; the caller moves snd_nxt. */
static void send_data(TcpConn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
    bool again = SEQ_LT(seq, c->snd_max);
    uint64_t pkt = sim_packet_id(c->sim);
    NetErr e = tcp_can_send(c->sim, c->node, c->rip);
    if (again) {
        c->segs_rtx++;
        c->bulk_rtx += c->bulk;
        c->rtt_timing = false;
        if (c->bulk) {
            /* after a timeout: go-back-N, narrated by the timeout's note */
        } else if (tcp_note_wanted(c->sim)) {
            char n[32], f[120];
            note(c, pkt, "%s sends the segment at seq %s again (%u bytes%s).%s", tcp_self(c),
                 tcp_num(seq, n), len, flags & TCP_FIN ? " and its FIN" : "",
                 failed(e, f, sizeof f));
        }
    } else {
        c->segs_sent++;
        narrate_data(c, pkt, seq, len, flags, len ? take_note(c, seq, seq + len) : NULL, e);
        if (!c->rtt_timing) {
            c->rtt_timing = true;
            c->rtt_seq = seq + len;
            c->rtt_start = c->sim->now;
        }
    }
    tcp_send_segment(c, flags, seq, len, pkt);
}

/* Bytes of the segment at snd_nxt: cut at the next caption, so a
 * captioned write starts its own segment. */
static uint32_t cut_at_notes(const TcpConn *c, uint32_t seq, uint32_t len)
{
    for (size_t i = 0; i < c->n_notes; i++) {
        uint32_t s = c->notes[i].seq;
        if (SEQ_GT(s, seq) && SEQ_LT(s, seq + len))
            return s - seq;
    }
    return len;
}

static bool can_send_data(const TcpConn *c)
{
    switch (c->state) {
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT:
    case TCP_FIN_WAIT_1:
    case TCP_LAST_ACK:
    case TCP_CLOSING:
        return true;
    default:
        return false;
    }
}

void tcp_output(TcpConn *c)
{
    if (c->ended || !can_send_data(c))
        return;
    c->wnd_held = false;
    for (;;) {
        uint32_t end = data_end(c);
        uint32_t flight = c->snd_nxt - c->snd_una;
        uint32_t wnd = c->cwnd < c->snd_wnd ? c->cwnd : c->snd_wnd;
        uint32_t avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
        if (!avail) {
            if (c->fin_queued && c->snd_nxt == end) {
                send_data(c, end, 0, TCP_FIN | TCP_ACK);
                c->snd_nxt = end + 1;
                if (SEQ_GT(c->snd_nxt, c->snd_max))
                    c->snd_max = c->snd_nxt;
            }
            break;
        }
        uint32_t usable = wnd > flight ? wnd - flight : 0;
        uint32_t len = avail < c->mss ? avail : c->mss;
        if (len > usable)
            len = usable;
        len = cut_at_notes(c, c->snd_nxt, len);
        if (!len)
            break;
        /* The sender's side of silly-window avoidance (RFC 9293
         * 3.8.6.2.1): a piece smaller than a segment that the windows cut
         * off waits, while data is in flight (the ACKs will open them) or
         * until the persist timer overrides (small_ok). */
        if (len == usable && len < c->mss && len < avail && len < c->max_sndwnd / 2 &&
            !c->small_ok) {
            c->wnd_held = flight == 0;
            break;
        }
        uint8_t flags = TCP_ACK;
        if (len == avail)
            flags |= TCP_PSH;
        if (c->fin_queued && c->snd_nxt + len == end)
            flags |= TCP_FIN;
        send_data(c, c->snd_nxt, len, flags);
        c->snd_nxt += len + !!(flags & TCP_FIN);
        if (SEQ_GT(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
    }
    if (c->snd_una != c->snd_max) {
        if (c->timer != TCP_T_RTO)
            tcp_timer_set(c, TCP_T_RTO, c->rto);
    } else if (SEQ_LT(c->snd_nxt, data_end(c)) && (c->snd_wnd == 0 || c->wnd_held)) {
        if (c->timer != TCP_T_PERSIST) {
            c->persist_iv = c->rto;
            tcp_timer_set(c, TCP_T_PERSIST, c->persist_iv);
        }
    } else if (c->timer != TCP_T_NONE) {
        tcp_timer_stop(c);
    }
}

/* The earliest segment sent and not acknowledged: its length and flags. */
static uint8_t first_segment(const TcpConn *c, uint32_t *len)
{
    uint32_t end = data_end(c);
    uint32_t sent = c->snd_max - c->snd_una;
    bool fin_sent = c->fin_queued && SEQ_GT(c->snd_max, end);
    uint32_t data = fin_sent ? sent - 1 : sent;
    *len = data < c->mss ? data : c->mss;
    return TCP_ACK | (fin_sent && c->snd_una + *len == end ? TCP_FIN : 0);
}

/* ---- RTT and timeouts ------------------------------------------------------------------ */

void tcp_rto_sample(TcpConn *c, SimTime r)
{
    if (r < 1)
        r = 1;
    if (c->srtt == 0) {
        c->srtt = r;
        c->rttvar = r / 2;
    } else {
        SimTime d = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    SimTime k = 4 * c->rttvar;
    c->rto = c->srtt + (k > 1000 ? k : 1000);
    if (c->rto < TCP_RTO_MIN)
        c->rto = TCP_RTO_MIN;
    if (c->rto > TCP_RTO_MAX)
        c->rto = TCP_RTO_MAX;
}

static void backoff(TcpConn *c)
{
    c->rto *= 2;
    if (c->rto > TCP_RTO_MAX)
        c->rto = TCP_RTO_MAX;
}

/* what: "its 7 SYNs went unanswered" */
static void give_up(TcpConn *c, const char *what)
{
    if (tcp_note_wanted(c->sim)) {
        char peer[128];
        tcp_peer(c, peer, sizeof peer);
        note(c, 0, "%s gives up: %s. Its connection to %s has timed out.", tcp_self(c), what, peer);
    }
    tcp_finish(c, TCP_WHY_TIMEOUT);
}

/* The retransmission timer expired. */
static void timeout(TcpConn *c)
{
    if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
        int max = c->state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRY;
        if (c->retries >= max) {
            if (c->passive && c->parent) {
                tcp_finish(c, TCP_WHY_TIMEOUT); /* never accepted: nobody to tell */
                return;
            }
            give_up(c, c->state == TCP_SYN_SENT ? "its 7 SYNs went unanswered"
                                                : "its SYN-ACKs went unanswered");
            return;
        }
        c->retries++;
        backoff(c);
        tcp_send_syn(c, true);
        return;
    }
    if (c->snd_una == c->snd_max)
        return;
    if (c->retries >= TCP_DATA_RETRIES) {
        give_up(c, "15 retransmissions went unanswered");
        return;
    }
    uint32_t flight = c->snd_max - c->snd_una;
    if (c->retries == 0) {
        uint32_t half = flight / 2;
        c->ssthresh = half > 2 * c->mss ? half : 2 * c->mss;
    }
    SimTime waited = c->rto;
    c->cwnd = c->mss;
    c->ca_acked = 0;
    c->in_recovery = false;
    c->dupacks = 0;
    c->recover = c->snd_max;
    c->cc = TCP_CC_SLOW_START;
    c->retries++;
    backoff(c);
    c->snd_nxt = c->snd_una;
    uint32_t len;
    uint8_t flags = first_segment(c, &len);
    if (len == 0 && !(flags & TCP_FIN))
        return;
    uint64_t pkt = sim_packet_id(c->sim);
    NetErr e = tcp_can_send(c->sim, c->node, c->rip);
    c->segs_rtx++;
    c->bulk_rtx += c->bulk;
    c->rtt_timing = false;
    if (tcp_note_wanted(c->sim)) {
        char d[24], n[32], f[120], s[32];
        note(c, pkt,
             "%s has heard nothing for %s (its retransmission timer), so it sends the segment at "
             "seq %s again%s; its congestion window falls to one segment and its slow-start "
             "threshold to %s bytes.%s",
             tcp_self(c), tcp_dur(waited, d, sizeof d), tcp_num(c->snd_una, n),
             flags & TCP_FIN ? " (its FIN)" : "", tcp_num(c->ssthresh, s), failed(e, f, sizeof f));
    }
    tcp_send_segment(c, flags, c->snd_una, len, pkt);
    c->snd_nxt = c->snd_una + len + !!(flags & TCP_FIN);
    tcp_timer_set(c, TCP_T_RTO, c->rto);
}

/* Zero window and nothing in flight: a one-byte probe (RFC 9293 3.8.6.1). */
static void persist(TcpConn *c)
{
    if (c->snd_wnd > 0 || !SEQ_LT(c->snd_nxt, data_end(c))) {
        c->small_ok = true; /* the window is too small for a segment: send what fits */
        tcp_output(c);
        c->small_ok = false;
        return;
    }
    /* Probes nobody answers end the connection, as Linux's
     * tcp_retries2 does. */
    if (c->retries >= TCP_DATA_RETRIES) {
        give_up(c, "15 window probes went unanswered");
        return;
    }
    c->retries++;
    uint64_t pkt = sim_packet_id(c->sim);
    NetErr e = tcp_can_send(c->sim, c->node, c->rip);
    /* The probes of the first zero window are steps; later ones, as the
     * window flickers with a slow reader, are hops. */
    c->probed = true;
    if (!c->probes_told && tcp_note_wanted(c->sim)) {
        char peer[128], d[24], f[120];
        tcp_peer(c, peer, sizeof peer);
        note(c, pkt,
             "%s's window has been zero for %s: %s's persist timer fires, and it sends a "
             "one-byte probe to learn whether the window has opened.%s",
             peer, tcp_dur(c->persist_iv, d, sizeof d), tcp_self(c), failed(e, f, sizeof f));
    }
    tcp_send_segment(c, TCP_ACK, c->snd_nxt, 1, pkt);
    c->probe_out = true; /* not in flight: snd_max stays, so no RTO runs */
    c->persist_iv *= 2;
    if (c->persist_iv > TCP_PERSIST_MAX)
        c->persist_iv = TCP_PERSIST_MAX;
    tcp_timer_set(c, TCP_T_PERSIST, c->persist_iv);
}

void tcp_timer_fired(TcpConn *c, TcpTimer kind)
{
    c->busy++;
    if (kind == TCP_T_RTO)
        timeout(c);
    else
        persist(c);
    tcp_record(c);
    c->busy--;
    tcp_release(c);
}

/* ---- fast retransmit and the end of a transfer ------------------------------------------ */

void tcp_retransmit_first(TcpConn *c, const char *why)
{
    uint32_t len;
    uint8_t flags = first_segment(c, &len);
    if (!len && !(flags & TCP_FIN))
        return;
    uint64_t pkt = sim_packet_id(c->sim);
    NetErr e = tcp_can_send(c->sim, c->node, c->rip);
    c->segs_rtx++;
    c->bulk_rtx += c->bulk;
    c->rtt_timing = false;
    if (tcp_note_wanted(c->sim)) {
        char n[32], f[120];
        note(c, pkt, "%s %s: it sends the segment at seq %s again.%s", tcp_self(c), why,
             tcp_num(c->snd_una, n), failed(e, f, sizeof f));
    }
    tcp_send_segment(c, flags, c->snd_una, len, pkt);
    if (SEQ_LT(c->snd_nxt, c->snd_una + len))
        c->snd_nxt = c->snd_una + len + !!(flags & TCP_FIN);
}

void tcp_bulk_end(TcpConn *c, uint64_t pkt)
{
    if (!c->bulk)
        return;
    c->bulk = false;
    if (!tcp_note_wanted(c->sim))
        return;
    char peer[128], n[32], m[32];
    tcp_peer(c, peer, sizeof peer);
    note(c, pkt,
         "%s has acknowledged the whole transfer: the %s segments arrived; %s %s sent "
         "again.",
         peer, tcp_num(c->bulk_segs, n), tcp_num(c->bulk_rtx, m),
         c->bulk_rtx == 1 ? "was" : "were");
}
