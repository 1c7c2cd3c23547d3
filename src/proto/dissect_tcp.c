#include "proto/dissect_tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipv4.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80
#define TH_AE  0x100 /* Accurate ECN, once the NS bit */

#define TCP_MIN_HLEN 20

/* Window scale of a side: its SYN's shift count, or one of these. */
#define WS_NO_SYN (-2) /* its SYN was not seen */
#define WS_NONE   (-1) /* its SYN had no Window Scale option */

/* One conversation; side 0 is the end that sent its first segment. */
struct TcpConv {
    uint32_t ip[2];
    uint16_t port[2];
    uint32_t base[2]; /* the side's first sequence number (its ISN) */
    bool known[2];    /* base[i] is set */
    int8_t ws[2];     /* shift count, WS_NO_SYN or WS_NONE */
    uint32_t older;   /* index + 1 of the 4-tuple's previous conversation, 0 none */
    DissectFtpConv ftp;
};

/* ---- the header, read once ---------------------------------------------- */

typedef struct Seg {
    const uint8_t *p; /* the TCP header */
    size_t len;       /* bytes of TCP header and data, by IPv4 Total Length */
    uint16_t sport, dport;
    uint32_t seq, ack;
    unsigned flags;
    size_t hlen; /* by Data Offset */
    uint16_t win, sum, urg;
    bool whole;        /* 20 <= hlen <= len: options and data can be read */
    size_t data, dlen; /* the payload: p + data, dlen bytes (whole only) */
    uint16_t check;    /* checksum over pseudo-header and segment; 0 = right */
    int stream;        /* the conversation, or -1 */
    uint32_t rel_seq, rel_ack;
    bool rel_ack_known;
    uint64_t cwin; /* the window after scaling */
    int8_t ws;     /* scale applied to win, or WS_* */
} Seg;

/* Reads what is there; false when not even the 20 fixed bytes are. */
static bool seg_read(const DissectL4 *l4, Seg *s)
{
    memset(s, 0, sizeof *s);
    s->stream = -1;
    s->p = l4->frame + l4->off;
    s->len = l4->len;
    if (s->len >= 4) {
        s->sport = get_be16(s->p);
        s->dport = get_be16(s->p + 2);
    }
    if (s->len < TCP_MIN_HLEN)
        return false;
    s->seq = get_be32(s->p + 4);
    s->ack = get_be32(s->p + 8);
    s->hlen = (size_t)(s->p[12] >> 4) * 4;
    s->flags = s->p[13] | (unsigned)(s->p[12] & 1) << 8;
    s->win = get_be16(s->p + 14);
    s->sum = get_be16(s->p + 16);
    s->urg = get_be16(s->p + 18);
    s->whole = s->hlen >= TCP_MIN_HLEN && s->hlen <= s->len;
    if (s->whole) {
        s->data = s->hlen;
        s->dlen = s->len - s->hlen;
    }
    uint32_t ps = ipv4_pseudo_sum(l4->src, l4->dst, IP_PROTO_TCP, (uint16_t)s->len);
    s->check = s->len <= 0xFFFF ? ipv4_checksum(s->p, s->len, ps) : 1;
    s->rel_seq = s->seq;
    s->rel_ack = s->ack;
    s->cwin = s->win;
    s->ws = WS_NO_SYN;
    return true;
}

/* The Window Scale option's shift count, or WS_NONE. */
static int8_t seg_wscale(const Seg *s)
{
    const uint8_t *o = s->p + TCP_MIN_HLEN;
    size_t n = s->hlen - TCP_MIN_HLEN, i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
            break;
        if (kind == 3 && o[i + 1] == 3)
            return (int8_t)(o[i + 2] > 14 ? 14 : o[i + 2]);
        i += o[i + 1];
    }
    return WS_NONE;
}

/* ---- conversations ---------------------------------------------------------- */

static uint32_t tuple_hash(uint32_t a, uint16_t pa, uint32_t b, uint16_t pb)
{
    /* Order the ends so both directions hash alike. */
    if (a > b || (a == b && pa > pb)) {
        uint32_t t = a;
        a = b;
        b = t;
        uint16_t tp = pa;
        pa = pb;
        pb = tp;
    }
    uint64_t h = 0x9E3779B97F4A7C15u;
    h = (h ^ a) * 0x100000001B3u;
    h = (h ^ b) * 0x100000001B3u;
    h = (h ^ ((uint32_t)pa << 16 | pb)) * 0x100000001B3u;
    return (uint32_t)(h ^ h >> 32);
}

/* The side of conversation v that sent s, or -1 if s is not v's. */
static int conv_side(const TcpConv *v, const DissectL4 *l4, const Seg *s)
{
    if (v->ip[0] == l4->src && v->port[0] == s->sport && v->ip[1] == l4->dst &&
        v->port[1] == s->dport)
        return 0;
    if (v->ip[1] == l4->src && v->port[1] == s->sport && v->ip[0] == l4->dst &&
        v->port[0] == s->dport)
        return 1;
    return -1;
}

/* The slot holding the 4-tuple's latest conversation, or the empty slot
 * where it would go (c->n_slot > 0). */
static size_t slot_find(const DissectCtx *c, const DissectL4 *l4, const Seg *s)
{
    size_t mask = c->n_slot - 1;
    size_t i = tuple_hash(l4->src, s->sport, l4->dst, s->dport) & mask;
    while (c->slot[i] && conv_side(&c->conv[c->slot[i] - 1], l4, s) < 0)
        i = (i + 1) & mask;
    return i;
}

static void slots_grow(DissectCtx *c)
{
    size_t n = c->n_slot ? c->n_slot * 2 : 64;
    uint32_t *old = c->slot;
    size_t old_n = c->n_slot;
    c->slot = xcalloc(n, sizeof *c->slot);
    c->n_slot = n;
    for (size_t i = 0; i < old_n; i++) {
        if (!old[i])
            continue;
        const TcpConv *v = &c->conv[old[i] - 1];
        size_t j = tuple_hash(v->ip[0], v->port[0], v->ip[1], v->port[1]) & (n - 1);
        while (c->slot[j])
            j = (j + 1) & (n - 1);
        c->slot[j] = old[i];
    }
    free(old);
}

/* Among the 4-tuple's conversations from head (the latest) on, the one s
 * belongs to, or -1 for a new one.  A SYN goes to the conversation its
 * side started with its sequence number, else to the latest that has not
 * heard from its side (a SYN-ACK answering a new SYN), else, without ACK,
 * to a new one.  Any other segment goes to the conversation whose first
 * sequence number from its side lies closest below its own. */
static int conv_pick(const DissectCtx *c, uint32_t head, const DissectL4 *l4, const Seg *s)
{
    int closest = -1, unheard = -1;
    uint32_t closest_d = 0;
    for (uint32_t k = head; k; k = c->conv[k - 1].older) {
        const TcpConv *v = &c->conv[k - 1];
        int side = conv_side(v, l4, s);
        if (!v->known[side]) {
            if (unheard < 0)
                unheard = (int)k - 1;
            continue;
        }
        uint32_t d = s->seq - v->base[side];
        if (closest < 0 || d < closest_d) {
            closest = (int)k - 1;
            closest_d = d;
        }
    }
    if (s->flags & TH_SYN) {
        if (closest >= 0 && closest_d == 0)
            return closest;
        if (unheard >= 0)
            return unheard;
        return (s->flags & TH_ACK) ? closest : -1;
    }
    return closest >= 0 ? closest : unheard;
}

static int conv_new(DissectCtx *c, size_t slot, const DissectL4 *l4, const Seg *s)
{
    c->conv = xgrow(c->conv, &c->cap_conv, c->n_conv + 1, sizeof *c->conv);
    TcpConv *v = &c->conv[c->n_conv];
    memset(v, 0, sizeof *v);
    v->ip[0] = l4->src;
    v->ip[1] = l4->dst;
    v->port[0] = s->sport;
    v->port[1] = s->dport;
    v->ws[0] = v->ws[1] = WS_NO_SYN;
    v->older = c->slot[slot];
    v->ftp.data = dissect_ftp_match(&c->ftp, l4->src, s->sport, l4->dst, s->dport);
    c->slot[slot] = (uint32_t)++c->n_conv;
    return (int)c->n_conv - 1;
}

/* Finds or starts s's conversation, learns what s teaches about it, and
 * fills s's relative numbers and window. */
static void conv_track(DissectCtx *c, const DissectL4 *l4, Seg *s)
{
    /* Wireshark follows a segment whose Data Offset is too small, not one
     * whose header runs past its end. */
    if (s->hlen > s->len)
        return;
    if (2 * (c->n_conv + 1) > c->n_slot)
        slots_grow(c);
    size_t slot = slot_find(c, l4, s);
    int k = c->slot[slot] ? conv_pick(c, c->slot[slot], l4, s) : -1;
    if (k < 0)
        k = conv_new(c, slot, l4, s);
    TcpConv *v = &c->conv[k];
    int me = conv_side(v, l4, s), peer = !me;
    if (!v->known[me]) {
        v->base[me] = (s->flags & TH_SYN) ? s->seq : s->seq - 1;
        v->known[me] = true;
    }
    if ((s->flags & TH_ACK) && !v->known[peer]) {
        v->base[peer] = s->ack - 1;
        v->known[peer] = true;
    }
    if ((s->flags & TH_SYN) && v->ws[me] == WS_NO_SYN)
        v->ws[me] = s->whole ? seg_wscale(s) : WS_NONE;
    s->stream = k;
    s->rel_seq = s->seq - v->base[me];
    s->rel_ack = s->ack - v->base[peer];
    s->rel_ack_known = true;
    /* A SYN's window is never scaled (RFC 7323); Wireshark scales by a
     * side's shift unless the other side's SYN said no. */
    if (!(s->flags & TH_SYN) && v->ws[me] >= 0 && v->ws[peer] != WS_NONE) {
        s->ws = v->ws[me];
        s->cwin = (uint64_t)s->win << v->ws[me];
    } else {
        s->ws = (s->flags & TH_SYN) ? WS_NO_SYN : (v->ws[me] == WS_NONE ? WS_NONE : WS_NO_SYN);
    }
    if (s->whole && s->dlen &&
        (dissect_ftp_is_control(s->sport) || dissect_ftp_is_control(s->dport)))
        dissect_ftp_control(&c->ftp, &v->ftp, k, dissect_ftp_is_control(s->dport), l4->src, l4->dst,
                            s->rel_seq, s->p + s->data, s->dlen);
}

void dissect_tcp_fini(DissectCtx *c)
{
    free(c->conv);
    free(c->slot);
    dissect_ftp_fini(&c->ftp);
    c->conv = NULL;
    c->slot = NULL;
    c->n_conv = c->cap_conv = c->n_slot = 0;
}

/* Reads s and tracks it in c (or in a fresh context when c is NULL). */
static bool seg_load(DissectCtx *c, const DissectL4 *l4, Seg *s)
{
    if (!seg_read(l4, s))
        return false;
    if (c) {
        conv_track(c, l4, s);
    } else {
        DissectCtx one = {0};
        conv_track(&one, l4, s);
        dissect_tcp_fini(&one);
    }
    return true;
}

void dissect_tcp_observe(DissectCtx *c, const DissectL4 *l4)
{
    Seg s;
    seg_load(c, l4, &s);
}

/* ---- the application ---------------------------------------------------- */

/* The segment as seg_load reads it when there is a context, else only read:
 * without a context no conversation says more than the ports. */
static bool seg_get(DissectCtx *c, const DissectL4 *l4, Seg *s)
{
    return c ? seg_load(c, l4, s) : seg_read(l4, s);
}

/* The row for s's data: the FTP-DATA row for a connection a control
 * connection announced (c tracked s), else the row by port. */
static const DissectApp *seg_app(const DissectCtx *c, const DissectL4 *l4, const Seg *s,
                                 DissectPayload *p)
{
    if (!s->whole || s->dlen == 0)
        return NULL;
    bool to_server = false;
    const DissectApp *app = NULL;
    const DissectFtpData *fd = NULL;
    if (c && s->stream >= 0 && (size_t)s->stream < c->n_conv && c->conv[s->stream].ftp.data) {
        fd = &c->ftp.data[c->conv[s->stream].ftp.data - 1];
        app = dissect_app_named(IP_PROTO_TCP, "FTP-DATA");
        /* passive: the announced end is the server's; active: the client's */
        bool to_announced = l4->dst == fd->ip && s->dport == fd->port;
        to_server = fd->passive ? to_announced : !to_announced;
    }
    if (!app)
        app = dissect_app_for(IP_PROTO_TCP, s->sport, s->dport, &to_server);
    if (app)
        *p = (DissectPayload){l4->frame, l4->off + s->data, s->dlen, s->sport,
                              s->dport,  to_server,         fd};
    return app;
}

/* ---- the summary ---------------------------------------------------------- */

/* "SYN, ACK", or "<None>": the flags in Wireshark's order. */
static void flag_names(unsigned flags, Buf *out)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{TH_FIN, "FIN"}, {TH_SYN, "SYN"}, {TH_RST, "RST"},
                 {TH_PSH, "PSH"}, {TH_ACK, "ACK"}, {TH_URG, "URG"},
                 {TH_ECE, "ECE"}, {TH_CWR, "CWR"}, {TH_AE, "AE"}};
    bool any = false;
    for (size_t i = 0; i < MN_ARRAY_LEN(names); i++) {
        if (!(flags & names[i].bit))
            continue;
        buf_printf(out, "%s%s", any ? ", " : "", names[i].name);
        any = true;
    }
    if (!any)
        buf_puts(out, "<None>");
}

/* The sender's peer's first sequence number: SACK edges count from it. */
static uint32_t peer_base(const Seg *s)
{
    return s->ack - s->rel_ack;
}

/* The options Wireshark's Info column names, in the segment's order:
 * " MSS=1460 SACK_PERM TSval=4096 TSecr=0 WS=128", " SLE=101 SRE=201". */
static void option_summary(const Seg *s, Buf *out)
{
    const uint8_t *o = s->p + TCP_MIN_HLEN;
    size_t n = s->hlen - TCP_MIN_HLEN, i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
            break;
        uint8_t olen = o[i + 1];
        if (kind == 2 && olen == 4)
            buf_printf(out, " MSS=%u", get_be16(o + i + 2));
        else if (kind == 3 && olen == 3)
            buf_printf(out, " WS=%u", 1u << (o[i + 2] > 14 ? 14 : o[i + 2]));
        else if (kind == 4 && olen == 2)
            buf_puts(out, " SACK_PERM");
        else if (kind == 5 && olen >= 10 && (olen - 2) % 8 == 0)
            for (size_t k = i + 2; k + 8 <= i + olen; k += 8)
                buf_printf(out, " SLE=%u SRE=%u", get_be32(o + k) - peer_base(s),
                           get_be32(o + k + 4) - peer_base(s));
        else if (kind == 8 && olen == 10)
            buf_printf(out, " TSval=%u TSecr=%u", get_be32(o + i + 2), get_be32(o + i + 6));
        i += olen;
    }
}

static void tcp_info(const Seg *s, Buf *out)
{
    /* The one mark of Wireshark's sequence analysis shown here: the others
     * (retransmission, duplicate ACK) need each frame's place in the trace. */
    if (s->whole && s->cwin == 0 && !(s->flags & (TH_SYN | TH_FIN | TH_RST)))
        buf_puts(out, "[TCP ZeroWindow] ");
    buf_printf(out, "%u \u2192 %u [", s->sport, s->dport);
    flag_names(s->flags, out);
    buf_printf(out, "] Seq=%u", s->rel_seq);
    if (s->flags & TH_ACK)
        buf_printf(out, " Ack=%u", s->rel_ack);
    if (s->hlen < TCP_MIN_HLEN) {
        buf_printf(out, " Win=%u, bogus TCP header length (%zu, must be at least 20)", s->win,
                   s->hlen);
        return;
    }
    buf_printf(out, " Win=%llu", (unsigned long long)s->cwin);
    if (s->check)
        buf_puts(out, " [TCP CHECKSUM INCORRECT]");
    if (!s->whole) {
        buf_puts(out, "[Malformed Packet]");
        return;
    }
    if (s->flags & TH_URG)
        buf_printf(out, " Urg=%u", s->urg);
    buf_printf(out, " Len=%zu", s->dlen);
    option_summary(s, out);
}

void dissect_tcp_summary(DissectCtx *c, const DissectL4 *l4, Buf *out)
{
    Seg s;
    if (!seg_load(c, l4, &s)) {
        buf_puts(out, "TCP ");
        if (s.len >= 4)
            buf_printf(out, "%u \u2192 %u", s.sport, s.dport);
        buf_puts(out, "[Malformed Packet]");
        return;
    }
    DissectPayload p;
    const DissectApp *app = seg_app(c, l4, &s, &p);
    if (app) {
        buf_printf(out, "%s ", app->name);
        app->summary(&p, out);
        return;
    }
    buf_puts(out, "TCP ");
    tcp_info(&s, out);
}

const char *dissect_tcp_protocol(DissectCtx *c, const DissectL4 *l4)
{
    Seg s;
    DissectPayload p;
    if (!seg_get(c, l4, &s))
        return "TCP";
    const DissectApp *app = seg_app(c, l4, &s, &p);
    return app ? app->name : "TCP";
}

void dissect_tcp_label(DissectCtx *c, const DissectL4 *l4, char *label, size_t size, bool *response)
{
    Seg s;
    DissectPayload p;
    if (!seg_get(c, l4, &s))
        return;
    /* The end with the lower port is the server, as for the rows. */
    *response = s.sport < s.dport;
    const DissectApp *app = seg_app(c, l4, &s, &p);
    if (app) {
        dissect_app_label(app, &p, label, size, response);
        return;
    }
    /* Bracketed as in Wireshark's Info column: "[SYN, ACK]". */
    Buf b;
    buf_init(&b);
    buf_puts(&b, "[");
    flag_names(s.flags, &b);
    buf_puts(&b, "]");
    if (s.whole && s.dlen)
        buf_printf(&b, " (%zu B)", s.dlen);
    snprintf(label, size, "%s", b.data);
    buf_fini(&b);
}

/* ---- the tree -------------------------------------------------------------- */

/* One flag bit as Wireshark draws it among the 12 flag bits:
 * ".... .... ..1. = Syn: Set". */
static void flag_line(DissectTree *t, size_t o, unsigned flags, int bit, int width,
                      const char *what)
{
    char bits[16];
    size_t k = 0;
    for (int b = 11; b >= 0; b--) {
        bool mine = b <= bit && b > bit - width;
        bits[k++] = mine ? (char)('0' + ((flags >> b) & 1)) : '.';
        if (b % 4 == 0 && b)
            bits[k++] = ' ';
    }
    bits[k] = '\0';
    bool set = ((flags >> (bit - width + 1)) & ((1u << width) - 1)) != 0;
    dissect_add(t, 2, o + 12, 2, "%s = %s: %s", bits, what, set ? "Set" : "Not set");
}

static void flags_tree(DissectTree *t, size_t o, const Seg *s)
{
    Buf b;
    buf_init(&b);
    flag_names(s->flags, &b);
    dissect_add(t, 1, o + 12, 2, "Flags: 0x%03x (%s)", s->flags, b.data);
    buf_fini(&b);
    unsigned all = (unsigned)(get_be16(s->p + 12) & 0x0FFF);
    flag_line(t, o, all, 11, 3, "Reserved");
    flag_line(t, o, all, 8, 1, "Accurate ECN");
    flag_line(t, o, all, 7, 1, "Congestion Window Reduced");
    flag_line(t, o, all, 6, 1, "ECN-Echo");
    flag_line(t, o, all, 5, 1, "Urgent");
    flag_line(t, o, all, 4, 1, "Acknowledgment");
    flag_line(t, o, all, 3, 1, "Push");
    flag_line(t, o, all, 2, 1, "Reset");
    flag_line(t, o, all, 1, 1, "Syn");
    flag_line(t, o, all, 0, 1, "Fin");
    /* "[TCP Flags: ··········S·]": one character per bit, AE first. */
    static const char letters[] = "RRRACEUAPRSF";
    char str[12 * 2 + 1];
    size_t k = 0;
    for (int bit = 11; bit >= 0; bit--) {
        if (all & (1u << bit)) {
            str[k++] = letters[11 - bit];
        } else {
            str[k++] = (char)0xC2; /* U+00B7 MIDDLE DOT */
            str[k++] = (char)0xB7;
        }
    }
    str[k] = '\0';
    dissect_add(t, 2, o + 12, 2, "[TCP Flags: %s]", str);
}

static void sack_lines(DissectTree *t, size_t at, const uint8_t *o, uint8_t olen, uint32_t base)
{
    Buf b;
    buf_init(&b);
    for (size_t k = 2; k + 8 <= olen; k += 8)
        buf_printf(&b, " %u-%u", get_be32(o + k) - base, get_be32(o + k + 4) - base);
    dissect_add(t, 2, at, olen, "TCP Option - SACK%s", b.data ? b.data : "");
    buf_fini(&b);
    dissect_add(t, 3, at, 1, "Kind: SACK (5)");
    dissect_add(t, 3, at + 1, 1, "Length: %u", olen);
    for (size_t k = 2; k + 8 <= olen; k += 8) {
        dissect_add(t, 3, at + k, 4, "left edge = %u (relative)", get_be32(o + k) - base);
        dissect_add(t, 3, at + k + 4, 4, "right edge = %u (relative)", get_be32(o + k + 4) - base);
    }
    dissect_add(t, 3, at + 2, olen - 2u, "[TCP SACK Count: %u]", (olen - 2u) / 8);
}

static void option_lines(DissectTree *t, size_t at, const uint8_t *o, uint8_t kind, uint8_t olen,
                         uint32_t base)
{
    switch (kind) {
    case 2:
        dissect_add(t, 2, at, olen, "TCP Option - Maximum segment size: %u bytes", get_be16(o + 2));
        dissect_add(t, 3, at, 1, "Kind: Maximum Segment Size (2)");
        dissect_add(t, 3, at + 1, 1, "Length: %u", olen);
        dissect_add(t, 3, at + 2, 2, "MSS Value: %u", get_be16(o + 2));
        break;
    case 3: {
        unsigned shift = o[2];
        dissect_add(t, 2, at, olen, "TCP Option - Window scale: %u (multiply by %u)", shift,
                    1u << (shift > 14 ? 14 : shift));
        dissect_add(t, 3, at, 1, "Kind: Window Scale (3)");
        dissect_add(t, 3, at + 1, 1, "Length: %u", olen);
        dissect_add(t, 3, at + 2, 1, "Shift count: %u", shift);
        dissect_add(t, 3, at + 2, 1, "[Multiplier: %u]", 1u << (shift > 14 ? 14 : shift));
        break;
    }
    case 4:
        dissect_add(t, 2, at, olen, "TCP Option - SACK permitted");
        dissect_add(t, 3, at, 1, "Kind: SACK Permitted (4)");
        dissect_add(t, 3, at + 1, 1, "Length: %u", olen);
        break;
    case 5:
        sack_lines(t, at, o, olen, base);
        break;
    case 8:
        dissect_add(t, 2, at, olen, "TCP Option - Timestamps: TSval %u, TSecr %u", get_be32(o + 2),
                    get_be32(o + 6));
        dissect_add(t, 3, at, 1, "Kind: Time Stamp Option (8)");
        dissect_add(t, 3, at + 1, 1, "Length: %u", olen);
        dissect_add(t, 3, at + 2, 4, "Timestamp value: %u", get_be32(o + 2));
        dissect_add(t, 3, at + 6, 4, "Timestamp echo reply: %u", get_be32(o + 6));
        break;
    default:
        dissect_add(t, 2, at, olen, "TCP Option - Unknown (kind %u, %u bytes)", kind, olen);
        break;
    }
}

/* Whether an option of this kind has the length it must have. */
static bool option_len_ok(uint8_t kind, uint8_t olen)
{
    switch (kind) {
    case 2:
        return olen == 4;
    case 3:
        return olen == 3;
    case 4:
        return olen == 2;
    case 5:
        return olen >= 10 && (olen - 2) % 8 == 0;
    case 8:
        return olen == 10;
    default:
        return olen >= 2;
    }
}

static void options_tree(DissectTree *t, size_t o, const Seg *s)
{
    size_t n = s->hlen - TCP_MIN_HLEN;
    if (n == 0)
        return;
    size_t head = t->n;
    dissect_add(t, 1, o + TCP_MIN_HLEN, n, "Options: (%zu bytes)", n);
    Buf names;
    buf_init(&names);
    const uint8_t *p = s->p + TCP_MIN_HLEN;
    size_t i = 0;
    while (i < n) {
        size_t at = o + TCP_MIN_HLEN + i;
        uint8_t kind = p[i];
        if (kind == 0 || kind == 1) {
            const char *w = kind ? "No-Operation (NOP)" : "End of Option List (EOL)";
            dissect_add(t, 2, at, 1, "TCP Option - %s", w);
            dissect_add(t, 3, at, 1, "Kind: %s (%u)", kind ? "No-Operation" : "End of Option List",
                        kind);
            buf_printf(&names, ", %s", w);
            i++;
            if (kind == 0)
                break;
            continue;
        }
        uint8_t olen = i + 1 < n ? p[i + 1] : 0;
        if (olen < 2 || i + olen > n || !option_len_ok(kind, olen)) {
            dissect_add(t, 2, at, n - i, "[bad option: kind %u, length %u, %zu bytes left]", kind,
                        olen, n - i);
            break;
        }
        option_lines(t, at, p + i, kind, olen, peer_base(s));
        static const char *const words[] = {[2] = "Maximum segment size",
                                            [3] = "Window scale",
                                            [4] = "SACK permitted",
                                            [5] = "SACK",
                                            [8] = "Timestamps"};
        buf_printf(&names, ", %s",
                   kind < MN_ARRAY_LEN(words) && words[kind] ? words[kind] : "Unknown");
        i += olen;
    }
    free(t->f[head].text);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "Options: (%zu bytes)%s", n, names.data ? names.data : "");
    t->f[head].text = buf_take(&b);
    buf_fini(&names);
}

static void checksum_line(DissectTree *t, size_t o, const Seg *s)
{
    if (s->check == 0)
        dissect_add(t, 1, o + 16, 2, "Checksum: 0x%04x [correct]", s->sum);
    else
        dissect_add(t, 1, o + 16, 2,
                    "Checksum: 0x%04x incorrect, should be 0x%04x(maybe caused by \"TCP checksum "
                    "offload\"?)",
                    s->sum, dissect_checksum_should_be(s->sum, s->check));
}

static void numbers_tree(DissectTree *t, size_t o, const Seg *s)
{
    if (s->stream >= 0)
        dissect_add(t, 1, o, 0, "[Stream index: %d]", s->stream);
    if (s->whole)
        dissect_add(t, 1, o, 0, "[TCP Segment Len: %zu]", s->dlen);
    dissect_add(t, 1, o + 4, 4, "Sequence Number: %u    (relative sequence number)", s->rel_seq);
    dissect_add(t, 1, o + 4, 4, "Sequence Number (raw): %u", s->seq);
    if (s->whole) {
        uint32_t next = s->rel_seq + (uint32_t)s->dlen + ((s->flags & TH_SYN) ? 1 : 0) +
                        ((s->flags & TH_FIN) ? 1 : 0);
        dissect_add(t, 1, o, 0, "[Next Sequence Number: %u    (relative sequence number)]", next);
    }
    if (s->flags & TH_ACK)
        dissect_add(t, 1, o + 8, 4, "Acknowledgment Number: %u    (relative ack number)",
                    s->rel_ack);
    else
        dissect_add(t, 1, o + 8, 4, "Acknowledgment Number: 0");
    dissect_add(t, 1, o + 8, 4, "Acknowledgment number (raw): %u", s->ack);
    unsigned doff = s->p[12] >> 4;
    dissect_add(t, 1, o + 12, 1, "%u%u%u%u .... = Header Length: %zu bytes (%u)", (doff >> 3) & 1,
                (doff >> 2) & 1, (doff >> 1) & 1, doff & 1, s->hlen, doff);
}

void dissect_tcp_tree(DissectCtx *c, const DissectL4 *l4, DissectTree *t)
{
    Seg s;
    size_t o = l4->off;
    if (!seg_load(c, l4, &s)) {
        if (s.len >= 4)
            dissect_add(t, 0, o, s.len, "Transmission Control Protocol, Src Port: %u, Dst Port: %u",
                        s.sport, s.dport);
        else
            dissect_add(t, 0, o, s.len, "Transmission Control Protocol");
        dissect_add(t, 1, o, s.len, "[truncated: %zu of 20 header bytes]", s.len);
        return;
    }
    Buf b;
    buf_init(&b);
    buf_printf(&b, "Transmission Control Protocol, Src Port: %u, Dst Port: %u, Seq: %u", s.sport,
               s.dport, s.rel_seq);
    if (s.flags & TH_ACK)
        buf_printf(&b, ", Ack: %u", s.rel_ack);
    if (s.whole)
        buf_printf(&b, ", Len: %zu", s.dlen);
    dissect_add(t, 0, o, s.whole ? s.hlen : s.len, "%s", b.data);
    buf_fini(&b);
    dissect_add(t, 1, o, 2, "Source Port: %u", s.sport);
    dissect_add(t, 1, o + 2, 2, "Destination Port: %u", s.dport);
    numbers_tree(t, o, &s);
    if (s.hlen < TCP_MIN_HLEN) {
        dissect_add(t, 2, o + 12, 1, "[Bogus TCP header length (%zu, must be at least 20)]",
                    s.hlen);
        return;
    }
    flags_tree(t, o, &s);
    dissect_add(t, 1, o + 14, 2, "Window: %u", s.win);
    dissect_add(t, 1, o + 14, 2, "[Calculated window size: %llu]", (unsigned long long)s.cwin);
    if (s.ws >= 0)
        dissect_add(t, 1, o + 14, 2, "[Window size scaling factor: %u]", 1u << s.ws);
    checksum_line(t, o, &s);
    dissect_add(t, 1, o + 18, 2, "Urgent Pointer: %u", s.urg);
    if (!s.whole) {
        dissect_add(t, 1, o + TCP_MIN_HLEN, s.len - TCP_MIN_HLEN,
                    "[Short segment: the header says %zu bytes, the segment has %zu]", s.hlen,
                    s.len);
        return;
    }
    options_tree(t, o, &s);
    if (s.dlen == 0)
        return;
    dissect_add(t, 1, o + s.data, s.dlen, "TCP payload (%zu bytes)", s.dlen);
    DissectPayload p;
    const DissectApp *app = seg_app(c, l4, &s, &p);
    if (app)
        dissect_app_tree(app, &p, t);
    else
        dissect_add(t, 0, o + s.data, s.dlen, "Data (%zu bytes)", s.dlen);
}
