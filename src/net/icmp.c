#include "icmp.h"

#include <string.h>

#include "core/util.h"
#include "net/tcp.h"
#include "net/udp.h"

/* Linux quotes as much of the offending datagram as fits in 576 bytes. */
#define ICMP_QUOTE_MAX (576 - IPV4_HLEN - ICMP_HLEN)

static NetErr send_icmp(Sim *sim, int node, uint64_t pkt, uint32_t src, uint32_t dst, uint8_t ttl,
                        bool df, const uint8_t *msg, size_t len)
{
    Ipv4Send s = {.pkt = pkt, .src = src, .dst = dst, .proto = IP_PROTO_ICMP, .ttl = ttl, .df = df};
    return ipv4_send(sim, node, &s, msg, len, NULL);
}

static size_t build(uint8_t *m, uint8_t type, uint8_t code, uint16_t id, uint16_t seq,
                    const uint8_t *data, size_t len)
{
    m[0] = type;
    m[1] = code;
    put_be16(m + 2, 0);
    put_be16(m + 4, id);
    put_be16(m + 6, seq);
    memcpy(m + ICMP_HLEN, data, len);
    put_be16(m + 2, ipv4_checksum(m, ICMP_HLEN + len, 0));
    return ICMP_HLEN + len;
}

NetErr icmp_send_echo(Sim *sim, int node, uint64_t pkt, uint32_t dst, uint16_t id, uint16_t seq,
                      uint8_t ttl, const uint8_t *payload, size_t len)
{
    uint8_t m[ETH_MTU];
    if (len + ICMP_HLEN + IPV4_HLEN > ETH_MTU)
        return NET_TOO_BIG;
    size_t n = build(m, ICMP_ECHO_REQUEST, 0, id, seq, payload, len);
    return send_icmp(sim, node, pkt, 0, dst, ttl, true, m, n);
}

bool icmp_may_answer(const uint8_t *dgram, size_t len)
{
    Ipv4Hdr h;
    DropReason why;
    if (!ipv4_parse(dgram, len, &h, &why))
        return false;
    if ((h.frag & 0x1fff) != 0 || h.dst == 0xffffffffu)
        return false;
    if (h.proto == IP_PROTO_ICMP && h.total_len > h.ihl) {
        uint8_t type = dgram[h.ihl];
        bool is_error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
        return !is_error;
    }
    return true;
}

void icmp_send_error(Sim *sim, int node, int iface, uint64_t pkt, uint8_t type, uint8_t code,
                     const uint8_t *dgram, size_t len)
{
    uint8_t m[ICMP_HLEN + ICMP_QUOTE_MAX];
    size_t quote = len < ICMP_QUOTE_MAX ? len : ICMP_QUOTE_MAX;
    size_t n = build(m, type, code, 0, 0, dgram, quote);
    uint32_t src = world_iface_ip(sim->net->w, node, iface);
    send_icmp(sim, node, pkt, src, get_be32(dgram + 12), IPV4_DEFAULT_TTL, false, m, n);
}

int icmp_listen(Sim *sim, int node, IcmpFn fn, void *ctx)
{
    Net *net = sim->net;
    /* Compact listeners removed earlier; never during a dispatch, because
     * a dispatch only calls handlers and this is called from outside it or
     * appends past the dispatch's end. */
    net->icmp = xgrow(net->icmp, &net->icmp_cap, net->n_icmp + 1, sizeof *net->icmp);
    int handle = ++net->next_listener;
    net->icmp[net->n_icmp++] = (IcmpListener){node, handle, fn, ctx};
    return handle;
}

void icmp_unlisten(Sim *sim, int handle)
{
    Net *net = sim->net;
    for (size_t i = 0; i < net->n_icmp; i++)
        if (net->icmp[i].handle == handle)
            net->icmp[i].fn = NULL;
}

static void compact(Net *net)
{
    size_t k = 0;
    for (size_t i = 0; i < net->n_icmp; i++)
        if (net->icmp[i].fn)
            net->icmp[k++] = net->icmp[i];
    net->n_icmp = k;
}

static void answer_echo(Sim *sim, int node, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *body,
                        size_t len)
{
    uint8_t m[ETH_MTU];
    size_t n = build(m, ICMP_ECHO_REPLY, 0, get_be16(body + 4), get_be16(body + 6),
                     body + ICMP_HLEN, len - ICMP_HLEN);
    uint64_t reply = sim_packet_id(sim);
    char dst[16];
    ip_format(ip->src, dst);
    (void)pkt;
    trace_note(&sim->trace, sim->now, reply,
               "%s receives the echo request and answers %s with an ICMP echo reply carrying "
               "the same identifier, sequence number and data.",
               sim->net->w->nodes[node].id, dst);
    send_icmp(sim, node, reply, ip->dst, ip->src, IPV4_DEFAULT_TTL, false, m, n);
}

/* The quoted datagram of an error may be cut short, so its total length
 * and checksum cannot be checked; only the fields a listener matches on. */
static bool parse_quote(IcmpMsg *m)
{
    const uint8_t *q = m->data;
    if (m->len < IPV4_HLEN || (q[0] >> 4) != 4)
        return false;
    size_t ihl = (size_t)(q[0] & 15) * 4;
    if (ihl < IPV4_HLEN || ihl > m->len)
        return false;
    memset(&m->orig, 0, sizeof m->orig);
    m->orig.ihl = (uint8_t)ihl;
    m->orig.total_len = get_be16(q + 2);
    m->orig.id = get_be16(q + 4);
    m->orig.ttl = q[8];
    m->orig.proto = q[9];
    m->orig.src = get_be32(q + 12);
    m->orig.dst = get_be32(q + 16);
    m->orig_payload = q + ihl;
    m->orig_payload_len = m->len - ihl;
    return true;
}

void icmp_input(Sim *sim, int node, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *body,
                size_t len)
{
    if (len < ICMP_HLEN || !ipv4_checksum_ok(body, len, 0)) {
        trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0,
                   len < ICMP_HLEN ? DROP_ICMP_TRUNCATED : DROP_ICMP_CHECKSUM);
        return;
    }
    if (body[0] == ICMP_ECHO_REQUEST) {
        answer_echo(sim, node, pkt, ip, body, len);
        return;
    }
    IcmpMsg m;
    memset(&m, 0, sizeof m);
    m.pkt = pkt;
    m.src = ip->src;
    m.dst = ip->dst;
    m.ttl = ip->ttl;
    m.type = body[0];
    m.code = body[1];
    m.id = get_be16(body + 4);
    m.seq = get_be16(body + 6);
    m.data = body + ICMP_HLEN;
    m.len = len - ICMP_HLEN;
    if (m.type == ICMP_DEST_UNREACH || m.type == ICMP_TIME_EXCEEDED)
        m.has_orig = parse_quote(&m);
    compact(sim->net);
    size_t n = sim->net->n_icmp;
    for (size_t i = 0; i < n; i++) {
        IcmpListener l = sim->net->icmp[i];
        if (l.fn && l.node == node)
            l.fn(sim, l.ctx, node, &m);
    }
    if (m.has_orig && m.orig.proto == IP_PROTO_TCP)
        tcp_icmp_input(sim, node, &m);
    if (m.has_orig && m.orig.proto == IP_PROTO_UDP)
        udp_icmp_input(sim, node, &m);
}
