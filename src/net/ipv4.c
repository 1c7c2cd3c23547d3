#include "ipv4.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "net/icmp.h"
#include "net/link.h"
#include "net/net.h"
#include "net/tcp.h"
#include "net/udp.h"

/* ---- headers ----------------------------------------------------------- */

/* The sum of sum (a sum of big-endian 16-bit words, as the pseudo-header's)
 * and of the len bytes at p as 16-bit words, not yet folded: congruent
 * modulo 0xffff to the big-endian sum, on a little-endian machine to it
 * with its two bytes swapped (times 2^8), and 0 only when every word and
 * sum are.  Below 2^35 on a little-endian machine. */
static inline uint64_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* The sum does not depend on byte order (RFC 1071 2(B)): the words as
     * the machine reads them, eight bytes a load, add up to the sum of the
     * big-endian words with its two bytes swapped, 0 and 0xffff included
     * (the folded sum is the one value of 1..0xffff congruent modulo
     * 0xffff, 0 only when every word is).  64-bit words add what their
     * 16-bit words would, as 2^16 = 1 modulo 0xffff, and so does each
     * carry out of the 64-bit sum (2^64 = 1): c counts them.  sum, a sum
     * of big-endian words, starts the sum swapped: times 2^8, which is a
     * 16-bit value's two bytes swapped modulo 0xffff, so the one swap at
     * the end swaps it back (times 2^16 = 1). */
    uint64_t s = (uint64_t)sum << 8, c = 0;
    for (; len >= 32; p += 32, len -= 32) { /* four loads a round: a DNS datagram in a few */
        uint64_t a, b, d, e;
        memcpy(&a, p, sizeof a);
        memcpy(&b, p + 8, sizeof b);
        memcpy(&d, p + 16, sizeof d);
        memcpy(&e, p + 24, sizeof e);
        s += a;
        c += s < a;
        s += b;
        c += s < b;
        s += d;
        c += s < d;
        s += e;
        c += s < e;
    }
    if (len >= 16) {
        uint64_t a, b;
        memcpy(&a, p, sizeof a);
        memcpy(&b, p + 8, sizeof b);
        s += a;
        c += s < a;
        s += b;
        c += s < b;
        p += 16;
        len -= 16;
    }
    if (len >= 8) {
        uint64_t a;
        memcpy(&a, p, sizeof a);
        s += a;
        c += s < a;
        p += 8;
        len -= 8;
    }
    s = (s & 0xffffffffu) + (s >> 32) + c; /* below 2^34: no more carries */
    if (len >= 4) {                        /* adds what its two 16-bit words would, as above */
        uint32_t a;
        memcpy(&a, p, sizeof a);
        s += a;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        s += (uint32_t)(p[0] | (p[1] << 8));
        p += 2;
        len -= 2;
    }
    if (len)
        s += p[0];
    return s;
#else
    /* Big-endian 32-bit words: as 2^16 = 1 modulo 2^16 - 1, a word adds
     * what its two 16-bit halves would (RFC 1071 2(B)), and a 64-bit sum
     * cannot overflow.  Four times fewer steps for TCP's full segments. */
    uint64_t s = sum;
    for (; len >= 8; p += 8, len -= 8)
        s += (uint64_t)get_be32(p) + get_be32(p + 4);
    for (; len > 1; p += 2, len -= 2)
        s += (uint32_t)((p[0] << 8) | p[1]);
    if (len)
        s += (uint32_t)(p[0] << 8);
    return s;
#endif
}

uint16_t ipv4_checksum(const uint8_t *p, size_t len, uint32_t sum)
{
    uint64_t s = sum_words(p, len, sum);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = (s & 0xffff) + (s >> 16); /* s < 2^35: three folds leave 16 bits */
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t) ~((s & 0xff) << 8 | s >> 8); /* back to big-endian */
#else
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
#endif
}

bool ipv4_checksum_ok(const uint8_t *p, size_t len, uint32_t sum)
{
    /* ipv4_checksum gives 0 when the folded sum is 0xffff: when the sum is
     * a multiple of 0xffff other than 0, with its bytes swapped or not (2^8
     * has an inverse modulo 0xffff).  A remainder by a constant, which the
     * compiler makes a multiplication, costs less than the folds. */
    uint64_t s = sum_words(p, len, sum);
    return s != 0 && s % 0xffff == 0;
}

/* Whether a header of ihl bytes sums right (every arrival checks one):
 * the usual 20 bytes in three loads, without ipv4_checksum's loops.  The
 * words as the machine reads them, as in ipv4_checksum: on a little-endian
 * one the sum comes out with its two bytes swapped, times 2^8 modulo 0xffff,
 * which leaves a multiple of 0xffff, a good header's, one. */
static inline bool header_checksum_ok(const uint8_t *p, size_t ihl)
{
    if (ihl != IPV4_HLEN)
        return ipv4_checksum_ok(p, ihl, 0);
    uint64_t a, b;
    uint32_t c;
    memcpy(&a, p, sizeof a);
    memcpy(&b, p + 8, sizeof b);
    memcpy(&c, p + 16, sizeof c);
    uint64_t s = a + b;
    s = (s & 0xffffffffu) + (s >> 32) + (s < a) + c; /* the carry out is 2^64 = 1 */
    /* Folded, s would be 0xffff exactly when it is a multiple of 0xffff
     * (it is not 0: the version byte is not): a remainder by a constant,
     * which the compiler makes a multiplication, costs less than three
     * folds. */
    return s % 0xffff == 0;
}

/* ipv4_put_header's body, inline where each datagram sent is written. */
static inline void put_header(uint8_t *p, const Ipv4Hdr *h)
{
    /* The header as five 32-bit words, put in network order (htonl) and
     * copied in one go: byte by byte (put_be16, put_be32) the compiler
     * split each field into its bytes and stored them one at a time.  The
     * checksum sums the words as they are, rather than reading back the
     * bytes: a 32-bit word adds what its two 16-bit halves would modulo
     * 0xffff, and the folded sum is the same (at least 0x4500, so never 0). */
    uint32_t w0 = 0x45u << 24 | (uint32_t)h->tos << 16 | h->total_len;
    uint32_t w1 = (uint32_t)h->id << 16 | h->frag;
    uint32_t w2 = (uint32_t)h->ttl << 24 | (uint32_t)h->proto << 16;
    uint32_t src = h->src, dst = h->dst;
    uint64_t s = (uint64_t)w0 + w1 + w2 + src + dst;
    s = (s & 0xffff) + (s >> 16); /* s < 5 * 2^32: three folds leave 16 bits */
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    uint32_t words[5] = {htonl(w0), htonl(w1), htonl(w2 | (uint16_t)~s), htonl(src), htonl(dst)};
    memcpy(p, words, sizeof words);
}

void ipv4_put_header(uint8_t *p, const Ipv4Hdr *h)
{
    put_header(p, h);
}

/* The fields of the header at p (at least IPV4_HLEN bytes), unchecked. */
static inline void read_header(const uint8_t *p, Ipv4Hdr *h)
{
    h->ihl = (uint8_t)((p[0] & 15) * 4);
    h->tos = p[1];
    h->total_len = get_be16(p + 2);
    h->id = get_be16(p + 4);
    h->frag = get_be16(p + 6);
    h->ttl = p[8];
    h->proto = p[9];
    h->checksum = get_be16(p + 10);
    h->src = get_be32(p + 12);
    h->dst = get_be32(p + 16);
}

bool ipv4_parse(const uint8_t *p, size_t len, Ipv4Hdr *h, DropReason *why)
{
    if (len < IPV4_HLEN) {
        *why = DROP_IPV4_TRUNCATED;
        return false;
    }
    if (p[0] >> 4 != 4) {
        *why = DROP_IPV4_VERSION;
        return false;
    }
    read_header(p, h);
    if (h->ihl < IPV4_HLEN || h->ihl > len) {
        *why = DROP_IPV4_HEADER_LEN;
        return false;
    }
    if (h->total_len < h->ihl || h->total_len > len) {
        *why = DROP_IPV4_TOTAL_LEN;
        return false;
    }
    if (!header_checksum_ok(p, h->ihl)) {
        *why = DROP_IPV4_CHECKSUM;
        return false;
    }
    if ((h->frag & 0x3fff) != 0) {
        *why = DROP_IPV4_FRAGMENT;
        return false;
    }
    return true;
}

/* ---- sending ----------------------------------------------------------- */

/* Whether ip is one of node's addresses, as the World has them. */
static inline bool has_address(const World *w, int node, uint32_t ip)
{
    if ((ip >> 24) == 127)
        return true;
    const Node *n = &w->nodes[node];
    if (n->n_ips > 4) /* a router with many links: the hash on addresses */
        return world_node_has_addr(w, node, ip);
    /* One address, on every interface (world_wire): an interface's copy,
     * which the frame's arrival has just read, rather than the list. */
    if (n->n_ips == 1 && n->n_ifaces > 0)
        return n->ifaces[0].ip == ip;
    for (size_t i = 0; i < n->n_ips; i++)
        if (n->ips[i] == ip)
            return true;
    return false;
}

static inline const NetHop *hop_get(Sim *sim, int node, uint32_t dst);

/* has_address, through the next-hop cache for a router with many
 * addresses: to forward a packet it reads the packet's entry there anyway,
 * so knowing that the packet is not its own costs no look-up in the
 * address hash (two reads far apart in memory).  *hop gets the entry read,
 * for forward to route by: NULL if none was (or no node has ip). */
static inline bool is_own_address(Sim *sim, int node, uint32_t ip, const NetHop **hop)
{
    const World *w = sim->net->w;
    *hop = NULL;
    if ((ip >> 24) == 127 || w->nodes[node].n_ips <= 4)
        return has_address(w, node, ip);
    *hop = hop_get(sim, node, ip);
    return *hop && (*hop)->own; /* no entry: no node has ip */
}

/* The interface of node whose network holds ip (world_iface_covers), or -1. */
static int covering_iface(const World *w, int node, uint32_t ip)
{
    for (size_t f = 0; f < w->nodes[node].n_ifaces; f++)
        if (world_iface_covers(w, node, (int)f, ip))
            return (int)f;
    return -1;
}

/* Where a packet to an address that no node has goes, as real routing
 * tables send it: out of the sender's own link whose network holds it
 * (then ARP asks for it, in vain); else toward the router with that
 * network on one of its links (a connected route there, lowest node
 * first); else a host's default gateway (its first neighbour that is a
 * router).  -1: a router with no route (net unreachable).  O(nodes ×
 * interfaces): only packets that cannot be delivered come here. */
static int unknown_route(Sim *sim, int node, uint32_t dst)
{
    const World *w = sim->net->w;
    int f = covering_iface(w, node, dst);
    if (f >= 0)
        return f;
    for (size_t i = 0; i < w->n_nodes; i++) {
        if ((int)i == node || !w->nodes[i].router || covering_iface(w, (int)i, dst) < 0)
            continue;
        f = net_route(sim->net, node, (int)i);
        if (f >= 0)
            return f;
    }
    const Node *n = &w->nodes[node];
    if (n->router)
        return -1;
    for (size_t k = 0; k < n->n_ifaces; k++)
        if (w->nodes[n->ifaces[k].peer].router)
            return (int)k;
    return -1;
}

/* node's set for dst in the next-hop cache: two slots side by side. */
static NetHop *hop_set(const Net *net, int node, uint32_t dst)
{
    uint64_t k = ((uint64_t)(uint32_t)node << 32 | dst) * 0x9e3779b97f4a7c15ULL;
    return &net->hops[2 * ((size_t)(k >> 40) & net->hop_mask)];
}

/* hop_get's miss: fills the set's first slot, moving what it held to the
 * second, unless no node has dst. */
static const NetHop *hop_fill(Sim *sim, int node, uint32_t dst)
{
    Net *net = sim->net;
    int owner;
    if (!world_find_addr(net->w, dst, &owner, NULL))
        return NULL;
    int iface = owner == node ? -1 : net_route(net, node, owner);
    /* With every address on one node, owner is the one that has it. */
    bool own = net->w->addrs_unique ? owner == node : has_address(net->w, node, dst);
    NetHop *h = hop_set(net, node, dst);
    h[1] = h[0];
    h[0] = (NetHop){dst, node, iface, own};
    return h;
}

/* node's slot for dst in the next-hop cache, filled on a miss; NULL for
 * an address no node has (rare: not cached). */
static inline const NetHop *hop_get(Sim *sim, int node, uint32_t dst)
{
    const NetHop *h = hop_set(sim->net, node, dst);
    if (h[0].node == node && h[0].dst == dst)
        return &h[0];
    if (h[1].node == node && h[1].dst == dst)
        return &h[1];
    return hop_fill(sim, node, dst);
}

/* route_arp for any node but a host on a router's link: through the
 * next-hop cache. */
static int route_arp_hop(Sim *sim, int node, uint32_t dst, bool *arp)
{
    const NetHop *h = hop_get(sim, node, dst);
    if (arp)
        *arp = !h && covering_iface(sim->net->w, node, dst) >= 0;
    return h ? h->iface : unknown_route(sim, node, dst);
}

/* node's interface toward dst (-1: dst is node's own, or no route), and,
 * when arp is not NULL, whether node must find dst's MAC address by ARP
 * before it can send there: only for an address no node has on one of
 * node's own links.  Every other neighbour's address is known (minet draws
 * no ARP for those).  Inline for a host on a router's link, most senders:
 * the address hash only for its own link. */
static inline int route_arp(Sim *sim, int node, uint32_t dst, bool *arp)
{
    if (!sim->net->on_router_link[node])
        return route_arp_hop(sim, node, dst, arp);
    const World *w = sim->net->w;
    if (arp)
        *arp = world_iface_covers(w, node, 0, dst) && !world_find_addr(w, dst, NULL, NULL);
    return dst == w->nodes[node].ifaces[0].ip ? -1 : 0;
}

int ipv4_route(Sim *sim, int node, uint32_t dst)
{
    return route_arp(sim, node, dst, NULL);
}

/* ---- ARP for an address no node has -------------------------------------- */

/* As Linux (net.ipv4.neigh.default: mcast_solicit 3, retrans_time 1 s): three
 * ARP requests a second apart, then the neighbour is unreachable and each
 * waiting packet is answered with ICMP host unreachable (its own packets:
 * the program is told).  The requests are captions, not frames: minet
 * models no ARP where it succeeds, so it draws none where it fails. */
#define ARP_REQUESTS 3
#define ARP_RETRANS  1000000 /* µs */

static void arp_tick(Sim *sim, void *ctx, uint64_t slot);

static void arp_note_request(Sim *sim, const ArpWait *a)
{
    const World *w = sim->net->w;
    const Node *n = &w->nodes[a->node];
    const Iface *f = &n->ifaces[a->iface];
    char ip[16], me[16], net_ip[16];
    ip_format(a->ip, ip);
    ip_format(f->ip, me);
    uint32_t mask = f->prefix == 0 ? 0 : 0xffffffffu << (32 - f->prefix);
    ip_format(f->ip & mask, net_ip);
    if (a->requests == 1)
        trace_note(&sim->trace, sim->now, 0,
                   "%s: %s is on its link %s (network %s/%u), but %s does not know its MAC "
                   "address. It broadcasts an ARP request, \"Who has %s? Tell %s\", and holds the "
                   "packet until a reply comes (ARP request 1 of %d).",
                   n->id, ip, f->name, net_ip, f->prefix, n->id, ip, me, ARP_REQUESTS);
    else
        trace_note(&sim->trace, sim->now, 0,
                   "No ARP reply for %s: %s asks again, \"Who has %s? Tell %s\" (ARP request %d "
                   "of %d, a second after the last).",
                   ip, n->id, ip, me, a->requests, ARP_REQUESTS);
}

/* Holds frame p (node's packet to a->ip, or one it forwards, which came in
 * on in_iface) until ARP gives up.  Takes ownership of p. */
static void arp_wait(Sim *sim, int node, int iface, int in_iface, uint32_t ip, Packet *p)
{
    Net *net = sim->net;
    size_t slot = net->n_arp;
    for (size_t i = 0; i < net->n_arp; i++) {
        ArpWait *a = &net->arp[i];
        if (a->active && a->node == node && a->ip == ip) {
            if (a->n == ARP_QUEUE_MAX) {
                trace_drop(&sim->trace, sim->now, p->id, node, -1, NULL, 0, DROP_ARP_NO_REPLY);
                trace_note(&sim->trace, sim->now, p->id,
                           "%s drops the packet: %d packets already wait for ARP to find the "
                           "next hop.",
                           net->w->nodes[node].id, ARP_QUEUE_MAX);
                net_packet_free(net, p);
                return;
            }
            a->q[a->n] = p;
            a->in_iface[a->n++] = in_iface;
            return; /* it waits with the others: the requests already go out */
        }
        if (!a->active && slot == net->n_arp)
            slot = i;
    }
    if (slot == net->n_arp) {
        net->arp = xgrow(net->arp, &net->arp_cap, net->n_arp + 1, sizeof *net->arp);
        net->n_arp++;
    }
    ArpWait *a = &net->arp[slot];
    memset(a, 0, sizeof *a);
    a->active = true;
    a->node = node;
    a->iface = iface;
    a->ip = ip;
    a->requests = 1;
    a->q[0] = p;
    a->in_iface[0] = in_iface;
    a->n = 1;
    arp_note_request(sim, a);
    sim_after(sim, ARP_RETRANS, arp_tick, NULL, slot);
}

/* ARP gave up on a->ip: every waiting packet is dropped, and its sender
 * hears of it. */
static void arp_fail(Sim *sim, ArpWait *slot)
{
    Net *net = sim->net;
    /* A copy: an ICMP error sent below may itself wait for ARP, and that
     * may move the table. */
    ArpWait copy = *slot, *a = &copy;
    slot->active = false;
    slot->n = 0;
    const World *w = net->w;
    const char *id = w->nodes[a->node].id;
    char ip[16];
    ip_format(a->ip, ip);
    for (size_t i = 0; i < a->n; i++) {
        Packet *p = a->q[i];
        const uint8_t *dgram = p->data + ETH_HLEN;
        size_t len = p->len - ETH_HLEN;
        trace_drop(&sim->trace, sim->now, p->id, a->node, -1, NULL, 0, DROP_ARP_NO_REPLY);
        if (!net->node_up[a->node] || !icmp_may_answer(dgram, len)) {
            trace_note(&sim->trace, sim->now, p->id,
                       "Nobody answered %s's %d ARP requests for %s: no node has that address. "
                       "%s drops the packet.",
                       id, ARP_REQUESTS, ip, id);
            net_packet_free(net, p);
            continue;
        }
        uint64_t err = sim_packet_id(sim);
        char src[16];
        ip_format(get_be32(dgram + 12), src);
        if (a->in_iface[i] < 0)
            trace_note(&sim->trace, sim->now, err,
                       "Nobody answered %s's %d ARP requests for %s: no node has that address. "
                       "%s drops its packet and tells the program that sent it: \"Destination "
                       "Host Unreachable\", as Linux does after ARP's 3 s.",
                       id, ARP_REQUESTS, ip, id);
        else
            trace_note(&sim->trace, sim->now, err,
                       "Nobody answered %s's %d ARP requests for %s: no node has that address. "
                       "%s drops the packet and sends ICMP \"destination unreachable\" (host "
                       "unreachable) back to %s, as a router does after ARP's 3 s.",
                       id, ARP_REQUESTS, ip, id, src);
        icmp_send_error(sim, a->node, a->in_iface[i] < 0 ? a->iface : a->in_iface[i], err,
                        ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, dgram, len);
        net_packet_free(net, p);
    }
}

static void arp_tick(Sim *sim, void *ctx, uint64_t slot)
{
    (void)ctx;
    ArpWait *a = &sim->net->arp[slot];
    if (a->requests < ARP_REQUESTS && sim->net->node_up[a->node]) {
        a->requests++;
        arp_note_request(sim, a);
        sim_after(sim, ARP_RETRANS, arp_tick, NULL, slot);
        return;
    }
    arp_fail(sim, a);
}

static void on_local(Sim *sim, void *ctx, uint64_t arg)
{
    ipv4_input_packet(sim, (int)arg, -1, ctx);
}

NetErr ipv4_send_check(Sim *sim, int node, uint32_t dst, size_t len, Ipv4Route *route)
{
    if (!sim->net->node_up[node])
        return NET_NODE_DOWN;
    if (len + IPV4_HLEN > ETH_MTU)
        return NET_TOO_BIG;
    bool arp, own;
    int iface = route_arp(sim, node, dst, &arp);
    if (sim->net->on_router_link[node]) {
        /* Its one address is what route_arp has just compared dst with
         * (-1 for it); a loopback address is its own too (has_address). */
        own = iface < 0 || (dst >> 24) == 127;
    } else {
        const NetHop *hop;
        own = is_own_address(sim, node, dst, &hop);
    }
    Ipv4Route r = {node, dst, iface, own, arp};
    if (route)
        *route = r;
    return !r.own && r.iface < 0 ? NET_UNREACHABLE : NET_OK;
}

const char *ipv4_err_reason(Sim *sim, int node, uint32_t dst, NetErr e, char *buf, size_t size)
{
    const char *id = sim->net->w->nodes[node].id;
    char addr[16];
    ip_format(dst, addr);
    switch (e) {
    case NET_OK:
        snprintf(buf, size, "%s", "");
        break;
    case NET_NODE_DOWN:
        snprintf(buf, size, "%s is down", id);
        break;
    case NET_UNREACHABLE:
        snprintf(buf, size, "%s has no route to %s", id, addr);
        break;
    case NET_TOO_BIG:
        snprintf(buf, size, "the packet is larger than the link's MTU of %d bytes", ETH_MTU);
        break;
    }
    return buf;
}

NetErr ipv4_send(Sim *sim, int node, const Ipv4Send *s, const uint8_t *payload, size_t len,
                 uint64_t *pkt_out)
{
    Ipv4Route r;
    NetErr e = ipv4_send_check(sim, node, s->dst, len, &r);
    if (e == NET_OK)
        ipv4_send_on(sim, &r, s, payload, len, pkt_out);
    return e;
}

struct Packet *ipv4_packet_start(Sim *sim, const Ipv4Route *r, const Ipv4Send *s, size_t len,
                                 uint64_t *pkt_out)
{
    assert(r->dst == s->dst && sim->net->node_up[r->node] && len + IPV4_HLEN <= ETH_MTU);
    Net *net = sim->net;
    const World *w = net->w;
    int node = r->node;
    int iface = r->own ? -1 : r->iface;
    uint64_t id = s->pkt ? s->pkt : sim_packet_id(sim);
    if (pkt_out)
        *pkt_out = id;
    Packet *p = net_packet_alloc(net, ETH_HLEN + IPV4_HLEN + len);
    p->id = id;
    Ipv4Hdr h = {0};
    h.total_len = (uint16_t)(IPV4_HLEN + len);
    h.id = net->ip_id[node]++;
    h.frag = s->df ? 0x4000 : 0;
    h.ttl = s->ttl ? s->ttl : IPV4_DEFAULT_TTL;
    h.proto = s->proto;
    h.src = s->src ? s->src : world_iface_ip(w, node, iface);
    h.dst = s->dst;
    if (r->own) {
        static const uint8_t zero[6];
        eth_put_header(p->data, zero, zero, ETH_TYPE_IPV4);
    } else {
        const Iface *f = &w->nodes[node].ifaces[iface];
        eth_put_header(p->data, f->peer_mac, f->mac, ETH_TYPE_IPV4);
    }
    put_header(p->data + ETH_HLEN, &h);
    p->len = (uint16_t)(ETH_HLEN + IPV4_HLEN + len);
    return p;
}

void ipv4_packet_send(Sim *sim, const Ipv4Route *r, struct Packet *p)
{
    if (r->own)
        sim_after(sim, 0, on_local, p, (uint64_t)r->node);
    else if (r->arp)
        arp_wait(sim, r->node, r->iface, -1, r->dst, p);
    else
        link_transmit(sim, r->node, r->iface, &sim->net->w->nodes[r->node].ifaces[r->iface], p);
}

void ipv4_send_on(Sim *sim, const Ipv4Route *r, const Ipv4Send *s, const uint8_t *payload,
                  size_t len, uint64_t *pkt_out)
{
    Packet *p = ipv4_packet_start(sim, r, s, len, pkt_out);
    memcpy(ipv4_packet_payload(p), payload, len);
    ipv4_packet_send(sim, r, p);
}

/* ---- receiving --------------------------------------------------------- */

/* The frame in p is dropped for reason (the record shows it), and freed. */
static void drop_frame(Sim *sim, int node, Packet *p, DropReason reason)
{
    trace_drop(&sim->trace, sim->now, p->id, node, -1, p->data, p->len, reason);
    net_packet_free(sim->net, p);
}

/* The datagram dgram (len bytes, a header ipv4_parse accepted) has a TTL
 * of 1 or 0: dropped, and its sender told. */
static void time_exceeded(Sim *sim, int node, int iface, uint64_t pkt, const uint8_t *dgram,
                          size_t len)
{
    const World *w = sim->net->w;
    char src[16];
    ip_format(get_be32(dgram + 12), src);
    trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, DROP_TTL_EXPIRED);
    if (!icmp_may_answer(dgram, len))
        return;
    uint64_t err = sim_packet_id(sim);
    trace_note(&sim->trace, sim->now, err,
               "%s drops the packet: its TTL (time to live) has run out. %s sends an ICMP "
               "\"time exceeded\" message back to %s, which tells the sender where its packet "
               "died. This is how traceroute finds each router on the path.",
               w->nodes[node].id, w->nodes[node].id, src);
    icmp_send_error(sim, node, iface, err, ICMP_TIME_EXCEEDED, 0, dgram, len);
}

/* A router without a route to the datagram's destination: ICMP net
 * unreachable at once. */
static void no_route(Sim *sim, int node, int in_iface, uint64_t pkt, const uint8_t *dgram,
                     size_t len)
{
    const World *w = sim->net->w;
    const char *id = w->nodes[node].id;
    uint32_t to = get_be32(dgram + 16);
    char dst[16], src[16];
    ip_format(to, dst);
    ip_format(get_be32(dgram + 12), src);
    int owner;
    bool exists = world_find_addr(w, to, &owner, NULL);
    trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, DROP_NO_ROUTE);
    if (!icmp_may_answer(dgram, len)) {
        trace_note(&sim->trace, sim->now, pkt,
                   "%s has no route to %s: it drops the packet (an ICMP error is never "
                   "answered with another).",
                   id, dst);
        return;
    }
    uint64_t err = sim_packet_id(sim);
    if (exists)
        trace_note(&sim->trace, sim->now, err,
                   "%s has no route to %s (%s cannot be reached from here): it drops the packet "
                   "and sends ICMP \"destination unreachable\" (net unreachable) back to %s.",
                   id, dst, w->nodes[owner].id, src);
    else
        trace_note(&sim->trace, sim->now, err,
                   "%s has no route to %s: no network of its links holds that address, no "
                   "router it knows has it, and it has no default route (no node of this "
                   "network has the address). It drops the packet and sends ICMP \"destination "
                   "unreachable\" (net unreachable) back to %s at once.",
                   id, dst, src);
    icmp_send_error(sim, node, in_iface, err, ICMP_DEST_UNREACH, ICMP_UNREACH_NET, dgram, len);
}

/* The header checksum after the TTL at ip[8] drops by one, updated as RFC
 * 1624 (eqn. 3) says, HC' = ~(~HC + ~m + m') with m the word of TTL and
 * protocol, instead of summed again.  For a header ipv4_parse accepted it
 * is what summing again gives: with S the sum of the other words (at least
 * 1, the version byte is not 0) ~HC is congruent to S modulo 0xffff, so the
 * folded result is the new sum's one value in 1..0xffff (m' is not 0).
 * The TTL is at least 2 here (forward answers a lower one), so m' = m -
 * 0x100 and ~m + m' = 0xffff - 0x100 whatever the protocol: one addition,
 * below 2 * 0xffff, which one fold leaves in 16 bits. */
static void drop_ttl(uint8_t *ip)
{
    assert(ip[8] >= 2);
    ip[8]--;
    uint32_t s = (uint16_t)~get_be16(ip + 10) + 0xfeffu;
    s = (s & 0xffff) + (s >> 16);
    put_be16(ip + 10, (uint16_t)~s);
}

/* Forwards the datagram dgram (len bytes, to dst) in p's frame: rewrites
 * the frame in place (a new Ethernet header, TTL and checksum) and sends it
 * on.  hop: node's entry for dst in the next-hop cache, if is_own_address
 * read it (what route_arp would read again), else NULL.  Takes ownership
 * of p. */
static void forward(Sim *sim, int node, int in_iface, Packet *p, const uint8_t *dgram, size_t len,
                    uint32_t dst, const NetHop *hop)
{
    Net *net = sim->net;
    if (dgram[8] <= 1) {
        time_exceeded(sim, node, in_iface, p->id, dgram, len);
        net_packet_free(net, p);
        return;
    }
    bool arp = false;
    int iface = hop ? hop->iface : route_arp(sim, node, dst, &arp);
    if (iface < 0) {
        no_route(sim, node, in_iface, p->id, dgram, len);
        net_packet_free(net, p);
        return;
    }
    const Iface *f = &net->w->nodes[node].ifaces[iface];
    eth_put_header(p->data, f->peer_mac, f->mac, ETH_TYPE_IPV4);
    drop_ttl(p->data + ETH_HLEN);
    p->len = (uint16_t)(ETH_HLEN + len); /* bytes after the datagram's end go no further */
    if (arp)
        arp_wait(sim, node, iface, in_iface, dst, p);
    else
        link_transmit(sim, node, iface, f, p);
}

/* header_check's rare case: the total length that ipv4_parse finds, or 0
 * with *why set.  Apart, as deliver_other is, for its Ipv4Hdr. */
__attribute__((noinline)) static size_t header_parse(const uint8_t *dgram, size_t len,
                                                     DropReason *why)
{
    Ipv4Hdr h;
    return ipv4_parse(dgram, len, &h, why) ? h.total_len : 0;
}

/* Checks the header of dgram (len bytes) as ipv4_parse does, and returns
 * the datagram's total length; 0, with *why set, if ipv4_parse would fail.
 * The common header (version 4, 20 bytes) in one pass over its bytes
 * without filling an Ipv4Hdr, which forwarding does not need; any other
 * through ipv4_parse, which says what is wrong. */
static inline size_t header_check(const uint8_t *dgram, size_t len, DropReason *why)
{
    if (len >= IPV4_HLEN && dgram[0] == 0x45) {
        size_t total = get_be16(dgram + 2);
        if (total >= IPV4_HLEN && total <= len && header_checksum_ok(dgram, IPV4_HLEN) &&
            (get_be16(dgram + 6) & 0x3fff) == 0)
            return total;
    }
    return header_parse(dgram, len, why);
}

/* deliver for a protocol other than UDP, which reads the header from
 * the datagram itself: the header's fields, for ICMP and TCP.  Apart, as
 * its Ipv4Hdr would otherwise enlarge every arrival's stack frame. */
__attribute__((noinline)) static void deliver_other(Sim *sim, int node, Packet *p,
                                                    const uint8_t *dgram)
{
    Ipv4Hdr h;
    read_header(dgram, &h);
    const uint8_t *body = dgram + h.ihl;
    size_t body_len = h.total_len - h.ihl;
    switch (h.proto) {
    case IP_PROTO_ICMP:
        icmp_input(sim, node, p->id, &h, body, body_len);
        break;
    case IP_PROTO_TCP:
        tcp_input(sim, node, p->id, &h, body, body_len);
        break;
    default:
        trace_drop(&sim->trace, sim->now, p->id, node, -1, p->data, p->len, DROP_NO_HANDLER);
        break;
    }
}

/* The datagram dgram (total bytes) in p is node's own: to its protocol.
 * Frees p. */
static void deliver(Sim *sim, int node, int iface, Packet *p, const uint8_t *dgram, size_t total)
{
    trace_deliver(&sim->trace, sim->now, p->id, node);
    if (dgram[9] == IP_PROTO_UDP)
        udp_input(sim, node, iface, p->id, dgram, total);
    else
        deliver_other(sim, node, p, dgram);
    net_packet_free(sim->net, p);
}

void ipv4_input_packet(Sim *sim, int node, int iface, Packet *p)
{
    const World *w = sim->net->w;
    const uint8_t *frame = p->data;
    size_t len = p->len;
    if (len < ETH_HLEN) {
        drop_frame(sim, node, p, DROP_RUNT_FRAME);
        return;
    }
    if (iface >= 0) {
        static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        const uint8_t *mac = w->nodes[node].ifaces[iface].mac;
        if (memcmp(frame, mac, 6) != 0 && memcmp(frame, bcast, 6) != 0) {
            drop_frame(sim, node, p, DROP_NOT_OUR_MAC);
            return;
        }
    }
    if (get_be16(frame + 12) != ETH_TYPE_IPV4) {
        drop_frame(sim, node, p, DROP_NOT_IPV4);
        return;
    }
    const uint8_t *dgram = frame + ETH_HLEN;
    DropReason why;
    size_t total = header_check(dgram, len - ETH_HLEN, &why);
    if (!total) {
        drop_frame(sim, node, p, why);
        return;
    }
    uint32_t dst = get_be32(dgram + 16);
    const NetHop *hop;
    if (is_own_address(sim, node, dst, &hop))
        deliver(sim, node, iface, p, dgram, total);
    else if (w->nodes[node].router)
        forward(sim, node, iface, p, dgram, total, dst, hop);
    else
        drop_frame(sim, node, p, DROP_NOT_OUR_IP);
}
