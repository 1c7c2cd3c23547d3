#include "udp.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/icmp.h"

/* ---- bindings: a hash table, so a resolver with thousands of queries in
 * flight (each on its own port) still finds a port in O(1) ----------------
 *
 * Linear probing with backward-shift deletion: an unbind moves the
 * bindings after it back into its place where their probes allow, so no
 * tombstone is left.  Every lookup binds a port and unbinds it: tombstones
 * made probes long and the table was built again every few thousand. */

static uint64_t key_of(int node, uint16_t port)
{
    return ((uint64_t)(uint32_t)node << 16) | port;
}

static size_t slot_of(uint64_t key, size_t cap)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & (cap - 1);
}

/* The bound slot for key, or NULL. */
static UdpBinding *find(Net *net, uint64_t key)
{
    if (!net->udp_cap)
        return NULL;
    for (size_t i = slot_of(key, net->udp_cap);; i = (i + 1) & (net->udp_cap - 1)) {
        UdpBinding *b = &net->udp[i];
        if (!b->bound)
            return NULL;
        if (b->key == key)
            return b;
    }
}

/* Re-inserts every binding into a table of cap slots. */
static void rehash(Net *net, size_t cap)
{
    UdpBinding *old = net->udp;
    size_t old_cap = net->udp_cap;
    net->udp = xcalloc(cap, sizeof *net->udp);
    net->udp_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].bound)
            continue;
        size_t k = slot_of(old[i].key, cap);
        while (net->udp[k].bound)
            k = (k + 1) & (cap - 1);
        net->udp[k] = old[i];
    }
    free(old);
}

/* Binds key to fn; NULL if it is bound already. */
static UdpBinding *bind(Net *net, uint64_t key, UdpFn fn, void *ctx)
{
    if ((net->udp_live + 1) * 2 > net->udp_cap) {
        if (find(net, key))
            return NULL;
        size_t cap = 64;
        while ((net->udp_live + 1) * 4 > cap)
            cap *= 2;
        rehash(net, cap);
    }
    for (size_t i = slot_of(key, net->udp_cap);; i = (i + 1) & (net->udp_cap - 1)) {
        UdpBinding *b = &net->udp[i];
        if (!b->bound) {
            *b = (UdpBinding){key, true, false, fn, ctx};
            net->udp_live++;
            return b;
        }
        if (b->key == key)
            return NULL;
    }
}

bool udp_bind(Sim *sim, int node, uint16_t port, UdpFn fn, void *ctx)
{
    return bind(sim->net, key_of(node, port), fn, ctx) != NULL;
}

uint16_t udp_bind_ephemeral(Sim *sim, int node, UdpFn fn, void *ctx)
{
    for (int i = 0; i < NET_EPHEMERAL_PORTS; i++) {
        uint16_t port = net_ephemeral_port(sim->net, node);
        if (bind(sim->net, key_of(node, port), fn, ctx))
            return port;
    }
    return 0;
}

void udp_unbind(Sim *sim, int node, uint16_t port)
{
    Net *net = sim->net;
    UdpBinding *b = find(net, key_of(node, port));
    if (!b)
        return;
    size_t mask = net->udp_cap - 1, hole = (size_t)(b - net->udp);
    for (size_t j = (hole + 1) & mask; net->udp[j].bound; j = (j + 1) & mask) {
        if (hash_may_fill(slot_of(net->udp[j].key, net->udp_cap), hole, j, mask)) {
            net->udp[hole] = net->udp[j];
            hole = j;
        }
    }
    net->udp[hole].bound = false;
    net->udp_live--;
}

void udp_want_errors(Sim *sim, int node, uint16_t port)
{
    UdpBinding *b = find(sim->net, key_of(node, port));
    if (b)
        b->errors = true;
}

void udp_icmp_input(Sim *sim, int node, const IcmpMsg *m)
{
    if (m->type != ICMP_DEST_UNREACH || !m->has_orig || m->orig.proto != IP_PROTO_UDP ||
        m->orig_payload_len < 4)
        return;
    uint16_t sport = get_be16(m->orig_payload), dport = get_be16(m->orig_payload + 2);
    UdpBinding *b = find(sim->net, key_of(node, sport));
    if (!b || !b->errors)
        return;
    UdpMsg u = {m->pkt, m->orig.dst, m->orig.src, dport, sport, m->ttl, NULL, 0, m};
    UdpBinding copy = *b; /* the handler may bind and unbind */
    copy.fn(sim, copy.ctx, node, &u);
}

NetErr udp_send(Sim *sim, int node, uint64_t pkt, uint16_t sport, uint32_t dst, uint16_t dport,
                uint8_t ttl, const uint8_t *data, size_t len, uint64_t *pkt_out)
{
    if (len + UDP_HLEN + IPV4_HLEN > ETH_MTU)
        return NET_TOO_BIG;
    Ipv4Route r;
    NetErr e = ipv4_send_check(sim, node, dst, UDP_HLEN + len, &r);
    if (e == NET_OK)
        udp_send_on(sim, &r, pkt, sport, dport, ttl, data, len, pkt_out);
    return e;
}

void udp_send_on(Sim *sim, const Ipv4Route *r, uint64_t pkt, uint16_t sport, uint16_t dport,
                 uint8_t ttl, const uint8_t *data, size_t len, uint64_t *pkt_out)
{
    uint32_t dst = r->dst;
    uint32_t src = (dst >> 24) == 127 ? dst : world_iface_ip(sim->net->w, r->node, r->iface);
    uint16_t ulen = (uint16_t)(UDP_HLEN + len);
    Ipv4Send s = {
        .pkt = pkt, .src = src, .dst = dst, .proto = IP_PROTO_UDP, .ttl = ttl, .df = false};
    Packet *p = ipv4_packet_start(sim, r, &s, ulen, pkt_out);
    uint8_t *d = ipv4_packet_payload(p); /* the datagram, written in the frame */
    /* Ports, then length and a checksum of 0 until it is summed: two
     * words, whose bytes the compiler stores at once (four put_be16 it
     * stored a byte at a time). */
    put_be32(d, (uint32_t)sport << 16 | dport);
    put_be32(d + 4, (uint32_t)ulen << 16);
    memcpy(d + UDP_HLEN, data, len);
    uint16_t sum = ipv4_checksum(d, ulen, ipv4_pseudo_sum(src, dst, IP_PROTO_UDP, ulen));
    put_be16(d + 6, sum ? sum : 0xffff);
    ipv4_packet_send(sim, r, p);
}

void udp_input(Sim *sim, int node, int iface, uint64_t pkt, const uint8_t *dgram, size_t len)
{
    size_t ihl = (size_t)(dgram[0] & 15) * 4;
    assert(ihl >= IPV4_HLEN && ihl <= len); /* the caller checked the header */
    uint32_t src = get_be32(dgram + 12), dst = get_be32(dgram + 16);
    const uint8_t *u = dgram + ihl;
    size_t ulen_avail = len - ihl;
    if (ulen_avail < UDP_HLEN || get_be16(u + 4) < UDP_HLEN || get_be16(u + 4) > ulen_avail) {
        trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, DROP_UDP_LENGTH);
        return;
    }
    uint16_t ulen = get_be16(u + 4);
    if (get_be16(u + 6) != 0 &&
        !ipv4_checksum_ok(u, ulen, ipv4_pseudo_sum(src, dst, IP_PROTO_UDP, ulen))) {
        trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, DROP_UDP_CHECKSUM);
        return;
    }
    UdpMsg m = {pkt,
                src,
                dst,
                get_be16(u),
                get_be16(u + 2),
                dgram[8],
                u + UDP_HLEN,
                (size_t)(ulen - UDP_HLEN),
                NULL};
    Net *net = sim->net;
    UdpBinding *b = find(net, key_of(node, m.dport));
    if (b) {
        UdpBinding copy = *b; /* the handler may bind and unbind */
        copy.fn(sim, copy.ctx, node, &m);
        return;
    }
    trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, DROP_PORT_UNREACHABLE);
    if (!icmp_may_answer(dgram, len))
        return;
    uint64_t err = sim_packet_id(sim);
    char from[16];
    ip_format(src, from);
    trace_note(&sim->trace, sim->now, err,
               "No program on %s listens on UDP port %u, so %s answers %s with ICMP "
               "\"port unreachable\".",
               net->w->nodes[node].id, m.dport, net->w->nodes[node].id, from);
    icmp_send_error(sim, node, iface, err, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, dgram, len);
}

static int by_port(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

size_t udp_node_ports(Sim *sim, int node, uint16_t *out, size_t max)
{
    Net *net = sim->net;
    size_t n = 0;
    for (size_t i = 0; i < net->udp_cap; i++) {
        const UdpBinding *b = &net->udp[i];
        if (!b->bound || (int)(b->key >> 16) != node)
            continue;
        if (n < max)
            out[n] = (uint16_t)b->key;
        n++;
    }
    if (out && n)
        qsort(out, n < max ? n : max, sizeof *out, by_port);
    return n;
}
