#include "dissect.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/eth.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "net/world.h"
#include "proto/dissect_tcp.h"

/* ---- the layers, found once for the summary and the tree ---------------- */

typedef enum Reached {
    R_RUNT,   /* shorter than an Ethernet header */
    R_ETH,    /* Ethernet, but not IPv4 */
    R_BAD_IP, /* IPv4 with a header that cannot be read */
    R_IP,     /* IPv4: l4 and l4_len hold its payload */
} Reached;

typedef struct Layers {
    Reached reached;
    size_t ihl;        /* IPv4 header length */
    size_t l4, l4_len; /* offset of the IPv4 payload, and its length by Total Length */
    uint8_t proto, ttl;
    uint32_t src, dst;
    const DissectApp *app; /* UDP: the row by port, with a whole UDP Length */
    DissectPayload pay;    /* UDP: app's bytes (len may be 0) */
} Layers;

static void udp_find(const uint8_t *f, Layers *L)
{
    if (L->l4_len < UDP_HLEN)
        return;
    const uint8_t *u = f + L->l4;
    uint16_t ulen = get_be16(u + 4), sport = get_be16(u), dport = get_be16(u + 2);
    if (ulen < UDP_HLEN || ulen > L->l4_len)
        return;
    bool to_server;
    L->app = dissect_app_for(IP_PROTO_UDP, sport, dport, &to_server);
    L->pay = (DissectPayload){f, L->l4 + UDP_HLEN, ulen - UDP_HLEN, sport, dport, to_server, NULL};
}

static void layers_find(const uint8_t *f, size_t len, Layers *L)
{
    memset(L, 0, sizeof *L);
    L->reached = R_RUNT;
    if (len < ETH_HLEN)
        return;
    L->reached = R_ETH;
    if (get_be16(f + 12) != ETH_TYPE_IPV4)
        return;
    L->reached = R_BAD_IP;
    const uint8_t *ip = f + ETH_HLEN;
    size_t iplen = len - ETH_HLEN;
    if (iplen < IPV4_HLEN || (ip[0] >> 4) != 4 || (size_t)(ip[0] & 15) * 4 < IPV4_HLEN ||
        (size_t)(ip[0] & 15) * 4 > iplen)
        return;
    L->reached = R_IP;
    L->ihl = (size_t)(ip[0] & 15) * 4;
    size_t total = get_be16(ip + 2);
    if (total > iplen || total < L->ihl)
        total = iplen;
    L->l4 = ETH_HLEN + L->ihl;
    L->l4_len = total - L->ihl;
    L->proto = ip[9];
    L->ttl = ip[8];
    L->src = get_be32(ip + 12);
    L->dst = get_be32(ip + 16);
    if (L->proto == IP_PROTO_UDP)
        udp_find(f, L);
}

static DissectL4 layers_l4(const uint8_t *f, const Layers *L)
{
    return (DissectL4){f, L->l4, L->l4_len, L->src, L->dst};
}

/* ---- the context ---------------------------------------------------------- */

DissectCtx *dissect_ctx_new(void)
{
    return xcalloc(1, sizeof(DissectCtx));
}

void dissect_ctx_free(DissectCtx *c)
{
    if (!c)
        return;
    dissect_tcp_fini(c);
    free(c);
}

void dissect_observe(DissectCtx *c, const uint8_t *frame, size_t len)
{
    Layers L;
    layers_find(frame, len, &L);
    if (c && L.reached == R_IP && L.proto == IP_PROTO_TCP) {
        DissectL4 l4 = layers_l4(frame, &L);
        dissect_tcp_observe(c, &l4);
    }
}

/* ---- the summary -------------------------------------------------------- */

static const char *unreach_name(uint8_t code)
{
    static const char *const names[] = {"net unreachable",      "host unreachable",
                                        "protocol unreachable", "port unreachable",
                                        "fragmentation needed", "source route failed"};
    return code < MN_ARRAY_LEN(names) ? names[code] : "destination unreachable";
}

static void icmp_summary(const uint8_t *p, size_t len, uint8_t ttl, Buf *out)
{
    if (len < ICMP_HLEN) {
        buf_puts(out, "ICMP (truncated)");
        return;
    }
    uint16_t id = get_be16(p + 4), seq = get_be16(p + 6);
    switch (p[0]) {
    case ICMP_ECHO_REQUEST:
        buf_printf(out, "ICMP echo request id=0x%04x seq=%u ttl=%u", id, seq, ttl);
        break;
    case ICMP_ECHO_REPLY:
        buf_printf(out, "ICMP echo reply id=0x%04x seq=%u ttl=%u", id, seq, ttl);
        break;
    case ICMP_TIME_EXCEEDED:
        buf_puts(out, "ICMP time exceeded (TTL expired in transit)");
        break;
    case ICMP_DEST_UNREACH:
        buf_printf(out, "ICMP destination unreachable (%s)", unreach_name(p[1]));
        break;
    default:
        buf_printf(out, "ICMP type %u code %u", p[0], p[1]);
        break;
    }
}

void dissect_app_label(const DissectApp *app, const DissectPayload *p, char *label, size_t size,
                       bool *response)
{
    if (app->label) {
        app->label(p, label, size, response);
        return;
    }
    *response = !p->to_server;
    Buf b;
    buf_init(&b);
    app->summary(p, &b);
    snprintf(label, size, "%s", b.data ? b.data : app->name);
    buf_fini(&b);
}

static void udp_summary(const uint8_t *f, const Layers *L, Buf *out)
{
    const uint8_t *p = f + L->l4;
    if (L->l4_len < UDP_HLEN) {
        buf_puts(out, "UDP (truncated)");
        return;
    }
    if (L->app) {
        buf_printf(out, "%s ", L->app->name);
        L->app->summary(&L->pay, out);
        return;
    }
    buf_printf(out, "UDP %u -> %u len=%u", get_be16(p), get_be16(p + 2), get_be16(p + 4));
}

void dissect_summary(DissectCtx *c, const uint8_t *frame, size_t len, Buf *out)
{
    Layers L;
    layers_find(frame, len, &L);
    switch (L.reached) {
    case R_RUNT:
        buf_puts(out, "runt frame");
        return;
    case R_ETH:
        buf_printf(out, "ethertype 0x%04x", get_be16(frame + 12));
        return;
    case R_BAD_IP:
        buf_puts(out, "IPv4 (malformed header)");
        return;
    case R_IP:
        break;
    }
    const uint8_t *ip = frame + ETH_HLEN;
    char src[16], dst[16];
    ip_format(get_be32(ip + 12), src);
    ip_format(get_be32(ip + 16), dst);
    buf_printf(out, "%s -> %s ", src, dst);
    switch (L.proto) {
    case IP_PROTO_ICMP:
        icmp_summary(frame + L.l4, L.l4_len, L.ttl, out);
        break;
    case IP_PROTO_UDP:
        udp_summary(frame, &L, out);
        break;
    case IP_PROTO_TCP: {
        DissectL4 l4 = layers_l4(frame, &L);
        dissect_tcp_summary(c, &l4, out);
        break;
    }
    default:
        buf_printf(out, "IP protocol %u", L.proto);
        break;
    }
}

const char *dissect_protocol(DissectCtx *c, const uint8_t *frame, size_t len)
{
    Layers L;
    layers_find(frame, len, &L);
    if (L.reached != R_IP)
        return L.reached == R_BAD_IP ? "IPv4" : "ETH";
    switch (L.proto) {
    case IP_PROTO_ICMP:
        return "ICMP";
    case IP_PROTO_UDP:
        return L.app ? L.app->name : "UDP";
    case IP_PROTO_TCP: {
        DissectL4 l4 = layers_l4(frame, &L);
        return dissect_tcp_protocol(c, &l4);
    }
    default:
        return "IPv4";
    }
}

/* ---- the map's label ------------------------------------------------------ */

static const char *icmp_label(uint8_t type)
{
    switch (type) {
    case ICMP_ECHO_REQUEST:
        return "echo request";
    case ICMP_ECHO_REPLY:
        return "echo reply";
    case ICMP_TIME_EXCEEDED:
        return "time exceeded";
    case ICMP_DEST_UNREACH:
        return "unreachable";
    default:
        return "ICMP";
    }
}

const char *dissect_label(DissectCtx *c, const uint8_t *frame, size_t len, char *label, size_t size,
                          bool *response)
{
    assert(size > 0);
    Layers L;
    layers_find(frame, len, &L);
    const char *proto = dissect_protocol(c, frame, len);
    *response = false;
    snprintf(label, size, "%s", proto);
    if (L.reached != R_IP)
        return proto;
    if (L.proto == IP_PROTO_ICMP && L.l4_len >= ICMP_HLEN) {
        uint8_t type = frame[L.l4];
        *response = type != ICMP_ECHO_REQUEST;
        snprintf(label, size, "%s", icmp_label(type));
    } else if (L.proto == IP_PROTO_UDP && L.app) {
        dissect_app_label(L.app, &L.pay, label, size, response);
    } else if (L.proto == IP_PROTO_TCP) {
        DissectL4 l4 = layers_l4(frame, &L);
        dissect_tcp_label(c, &l4, label, size, response);
    }
    return proto;
}

/* ---- the tree ------------------------------------------------------------ */

void dissect_add(DissectTree *t, int depth, size_t off, size_t len, const char *fmt, ...)
{
    t->f = xgrow(t->f, &t->cap, t->n + 1, sizeof *t->f);
    DissectField *d = &t->f[t->n++];
    d->depth = depth;
    d->off = (uint32_t)off;
    d->len = (uint32_t)len;
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    d->text = buf_take(&b);
}

void dissect_tree_fini(DissectTree *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->f[i].text);
    free(t->f);
    memset(t, 0, sizeof *t);
}

static const char *proto_name(uint8_t p)
{
    switch (p) {
    case IP_PROTO_ICMP:
        return "ICMP";
    case IP_PROTO_TCP:
        return "TCP";
    case IP_PROTO_UDP:
        return "UDP";
    default:
        return "unknown";
    }
}

uint16_t dissect_checksum_should_be(uint16_t field, uint16_t sum)
{
    /* The right value is the one that would have made the sum zero. */
    uint32_t fixed = (uint32_t)(uint16_t)~field + (uint16_t)~sum;
    fixed = (fixed & 0xFFFF) + (fixed >> 16);
    return (uint16_t)~fixed;
}

/* "[correct]" or "[incorrect, should be 0x…]": sum is the checksum
 * computed over the bytes with the field as sent, 0 when right. */
static const char *checksum_status(uint16_t field, uint16_t sum, char *buf, size_t size)
{
    if (sum == 0)
        return "[correct]";
    snprintf(buf, size, "[incorrect, should be 0x%04x]", dissect_checksum_should_be(field, sum));
    return buf;
}

static void eth_tree(const uint8_t *f, DissectTree *t)
{
    char dst[18], src[18];
    eth_format_mac(f, dst);
    eth_format_mac(f + 6, src);
    dissect_add(t, 0, 0, ETH_HLEN, "Ethernet II, Src: %s, Dst: %s", src, dst);
    dissect_add(t, 1, 0, 6, "Destination: %s", dst);
    dissect_add(t, 1, 6, 6, "Source: %s", src);
    uint16_t type = get_be16(f + 12);
    dissect_add(t, 1, 12, 2, "Type: %s (0x%04x)", type == ETH_TYPE_IPV4 ? "IPv4" : "unknown", type);
}

static void ipv4_tree(const uint8_t *f, const Layers *L, DissectTree *t)
{
    const uint8_t *ip = f + ETH_HLEN;
    size_t o = ETH_HLEN;
    char src[16], dst[16], why[48];
    ip_format(get_be32(ip + 12), src);
    ip_format(get_be32(ip + 16), dst);
    dissect_add(t, 0, o, L->ihl, "Internet Protocol Version 4, Src: %s, Dst: %s", src, dst);
    dissect_add(t, 1, o, 1, "0100 .... = Version: 4");
    dissect_add(t, 1, o, 1, ".... %u%u%u%u = Header Length: %zu bytes (%zu)", (ip[0] >> 3) & 1,
                (ip[0] >> 2) & 1, (ip[0] >> 1) & 1, ip[0] & 1, L->ihl, L->ihl / 4);
    dissect_add(t, 1, o + 1, 1, "Differentiated Services Field: 0x%02x", ip[1]);
    dissect_add(t, 1, o + 2, 2, "Total Length: %u", get_be16(ip + 2));
    dissect_add(t, 1, o + 4, 2, "Identification: 0x%04x (%u)", get_be16(ip + 4), get_be16(ip + 4));
    uint16_t frag = get_be16(ip + 6);
    dissect_add(t, 1, o + 6, 1, "Flags: 0x%x%s%s", frag >> 13,
                (frag & 0x4000) ? ", Don't fragment" : "",
                (frag & 0x2000) ? ", More fragments" : "");
    dissect_add(t, 1, o + 6, 2, "Fragment Offset: %u", (frag & 0x1FFF) * 8u);
    dissect_add(t, 1, o + 8, 1, "Time to Live: %u", ip[8]);
    dissect_add(t, 1, o + 9, 1, "Protocol: %s (%u)", proto_name(ip[9]), ip[9]);
    uint16_t sum = ipv4_checksum(ip, L->ihl, 0);
    dissect_add(t, 1, o + 10, 2, "Header Checksum: 0x%04x %s", get_be16(ip + 10),
                checksum_status(get_be16(ip + 10), sum, why, sizeof why));
    dissect_add(t, 1, o + 12, 4, "Source Address: %s", src);
    dissect_add(t, 1, o + 16, 4, "Destination Address: %s", dst);
}

static const char *icmp_type_words(uint8_t type)
{
    switch (type) {
    case ICMP_ECHO_REPLY:
        return "Echo (ping) reply";
    case ICMP_DEST_UNREACH:
        return "Destination unreachable";
    case ICMP_ECHO_REQUEST:
        return "Echo (ping) request";
    case ICMP_TIME_EXCEEDED:
        return "Time-to-live exceeded";
    default:
        return "unknown";
    }
}

static void icmp_tree(const uint8_t *f, const Layers *L, DissectTree *t)
{
    const uint8_t *p = f + L->l4;
    size_t o = L->l4, n = L->l4_len;
    dissect_add(t, 0, o, n, "Internet Control Message Protocol");
    if (n < ICMP_HLEN) {
        dissect_add(t, 1, o, n, "[truncated: %zu of 8 header bytes]", n);
        return;
    }
    char why[48];
    dissect_add(t, 1, o, 1, "Type: %u (%s)", p[0], icmp_type_words(p[0]));
    if (p[0] == ICMP_DEST_UNREACH)
        dissect_add(t, 1, o + 1, 1, "Code: %u (%s)", p[1], unreach_name(p[1]));
    else if (p[0] == ICMP_TIME_EXCEEDED && p[1] == 0)
        dissect_add(t, 1, o + 1, 1, "Code: 0 (Time to live exceeded in transit)");
    else
        dissect_add(t, 1, o + 1, 1, "Code: %u", p[1]);
    dissect_add(t, 1, o + 2, 2, "Checksum: 0x%04x %s", get_be16(p + 2),
                checksum_status(get_be16(p + 2), ipv4_checksum(p, n, 0), why, sizeof why));
    if (p[0] == ICMP_ECHO_REQUEST || p[0] == ICMP_ECHO_REPLY) {
        dissect_add(t, 1, o + 4, 2, "Identifier (BE): %u (0x%04x)", get_be16(p + 4),
                    get_be16(p + 4));
        dissect_add(t, 1, o + 6, 2, "Sequence Number (BE): %u (0x%04x)", get_be16(p + 6),
                    get_be16(p + 6));
        if (n > ICMP_HLEN)
            dissect_add(t, 1, o + 8, n - 8, "Data (%zu bytes)", n - 8);
    } else if (n > ICMP_HLEN) {
        /* The start of the datagram that caused the error (RFC 792). */
        Buf b;
        buf_init(&b);
        if (n - 8 >= IPV4_HLEN) {
            char src[16], dst[16];
            ip_format(get_be32(p + 8 + 12), src);
            ip_format(get_be32(p + 8 + 16), dst);
            buf_printf(&b, ": %s -> %s, protocol %s", src, dst, proto_name(p[8 + 9]));
        }
        dissect_add(t, 1, o + 8, n - 8, "Original datagram (%zu bytes)%s", n - 8,
                    b.data ? b.data : "");
        buf_fini(&b);
    }
}

void dissect_app_tree(const DissectApp *app, const DissectPayload *p, DissectTree *t)
{
    if (app->tree)
        app->tree(p, t);
    else
        dissect_add(t, 0, p->off, p->len, "%s", app->words);
}

static void udp_tree(const uint8_t *f, const Layers *L, DissectTree *t)
{
    const uint8_t *u = f + L->l4;
    size_t o = L->l4;
    if (L->l4_len < UDP_HLEN) {
        dissect_add(t, 0, o, L->l4_len, "User Datagram Protocol (truncated)");
        return;
    }
    uint16_t sport = get_be16(u), dport = get_be16(u + 2), ulen = get_be16(u + 4);
    dissect_add(t, 0, o, UDP_HLEN, "User Datagram Protocol, Src Port: %u, Dst Port: %u", sport,
                dport);
    dissect_add(t, 1, o, 2, "Source Port: %u", sport);
    dissect_add(t, 1, o + 2, 2, "Destination Port: %u", dport);
    dissect_add(t, 1, o + 4, 2, "Length: %u", ulen);
    uint16_t field = get_be16(u + 6);
    if (field == 0) {
        dissect_add(t, 1, o + 6, 2, "Checksum: 0x0000 [none]");
    } else if (ulen >= UDP_HLEN && ulen <= L->l4_len) {
        const uint8_t *ip = f + ETH_HLEN;
        uint32_t ps = ipv4_pseudo_sum(get_be32(ip + 12), get_be32(ip + 16), IP_PROTO_UDP, ulen);
        char why[48];
        dissect_add(t, 1, o + 6, 2, "Checksum: 0x%04x %s", field,
                    checksum_status(field, ipv4_checksum(u, ulen, ps), why, sizeof why));
    } else {
        dissect_add(t, 1, o + 6, 2, "Checksum: 0x%04x [unverified: bad length]", field);
    }
    if (L->app)
        dissect_app_tree(L->app, &L->pay, t);
    else if (L->l4_len > UDP_HLEN)
        dissect_add(t, 0, o + UDP_HLEN, L->l4_len - UDP_HLEN, "Data (%zu bytes)",
                    L->l4_len - UDP_HLEN);
}

void dissect_tree(DissectCtx *c, const uint8_t *frame, size_t len, DissectTree *t)
{
    dissect_add(t, 0, 0, len, "Frame: %zu bytes on wire (%zu bits)", len, len * 8);
    Layers L;
    layers_find(frame, len, &L);
    if (L.reached == R_RUNT) {
        dissect_add(t, 1, 0, len, "[runt: shorter than the 14-byte Ethernet header]");
        return;
    }
    eth_tree(frame, t);
    if (L.reached == R_ETH) {
        dissect_add(t, 0, ETH_HLEN, len - ETH_HLEN, "Data (%zu bytes)", len - ETH_HLEN);
        return;
    }
    if (L.reached == R_BAD_IP) {
        dissect_add(t, 0, ETH_HLEN, len - ETH_HLEN,
                    "Internet Protocol Version 4 (malformed header)");
        return;
    }
    ipv4_tree(frame, &L, t);
    switch (L.proto) {
    case IP_PROTO_ICMP:
        icmp_tree(frame, &L, t);
        break;
    case IP_PROTO_UDP:
        udp_tree(frame, &L, t);
        break;
    case IP_PROTO_TCP: {
        DissectL4 l4 = layers_l4(frame, &L);
        dissect_tcp_tree(c, &l4, t);
        break;
    }
    default:
        if (L.l4_len)
            dissect_add(t, 0, L.l4, L.l4_len, "Data (%zu bytes)", L.l4_len);
        break;
    }
}
