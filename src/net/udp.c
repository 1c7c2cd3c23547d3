#include "udp.h"

#include <string.h>

#include "core/util.h"
#include "net/icmp.h"

bool udp_bind(Sim *sim, int node, uint16_t port, UdpFn fn, void *ctx)
{
    Net *net = sim->net;
    for (size_t i = 0; i < net->n_udp; i++)
        if (net->udp[i].node == node && net->udp[i].port == port)
            return false;
    net->udp = xgrow(net->udp, &net->udp_cap, net->n_udp + 1, sizeof *net->udp);
    net->udp[net->n_udp++] = (UdpBinding){node, port, fn, ctx};
    return true;
}

void udp_unbind(Sim *sim, int node, uint16_t port)
{
    Net *net = sim->net;
    for (size_t i = 0; i < net->n_udp; i++)
        if (net->udp[i].node == node && net->udp[i].port == port) {
            net->udp[i] = net->udp[--net->n_udp];
            return;
        }
}

NetErr udp_send(Sim *sim, int node, uint64_t pkt, uint16_t sport, uint32_t dst, uint16_t dport,
                uint8_t ttl, const uint8_t *data, size_t len, uint64_t *pkt_out)
{
    uint8_t d[ETH_MTU];
    if (len + UDP_HLEN + IPV4_HLEN > ETH_MTU)
        return NET_TOO_BIG;
    int iface = ipv4_route(sim, node, dst);
    uint32_t src = world_iface_ip(sim->net->w, node, iface);
    if ((dst >> 24) == 127)
        src = dst;
    uint16_t ulen = (uint16_t)(UDP_HLEN + len);
    put_be16(d, sport);
    put_be16(d + 2, dport);
    put_be16(d + 4, ulen);
    put_be16(d + 6, 0);
    memcpy(d + UDP_HLEN, data, len);
    uint16_t sum = ipv4_checksum(d, ulen, ipv4_pseudo_sum(src, dst, IP_PROTO_UDP, ulen));
    put_be16(d + 6, sum ? sum : 0xffff);
    Ipv4Send s = {
        .pkt = pkt, .src = src, .dst = dst, .proto = IP_PROTO_UDP, .ttl = ttl, .df = false};
    return ipv4_send(sim, node, &s, d, ulen, pkt_out);
}

void udp_input(Sim *sim, int node, int iface, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *dgram,
               size_t len)
{
    const uint8_t *u = dgram + ip->ihl;
    size_t ulen_avail = len - ip->ihl;
    if (ulen_avail < UDP_HLEN || get_be16(u + 4) < UDP_HLEN || get_be16(u + 4) > ulen_avail) {
        trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, "bad UDP length");
        return;
    }
    uint16_t ulen = get_be16(u + 4);
    if (get_be16(u + 6) != 0 &&
        ipv4_checksum(u, ulen, ipv4_pseudo_sum(ip->src, ip->dst, IP_PROTO_UDP, ulen)) != 0) {
        trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, "bad UDP checksum");
        return;
    }
    UdpMsg m = {pkt,
                ip->src,
                ip->dst,
                get_be16(u),
                get_be16(u + 2),
                ip->ttl,
                u + UDP_HLEN,
                (size_t)(ulen - UDP_HLEN)};
    Net *net = sim->net;
    for (size_t i = 0; i < net->n_udp; i++)
        if (net->udp[i].node == node && net->udp[i].port == m.dport) {
            UdpBinding b = net->udp[i];
            b.fn(sim, b.ctx, node, &m);
            return;
        }
    trace_drop(&sim->trace, sim->now, pkt, node, -1, NULL, 0, "port unreachable");
    if (!icmp_may_answer(dgram, len))
        return;
    uint64_t err = sim_packet_id(sim);
    char src[16];
    ip_format(ip->src, src);
    trace_note(&sim->trace, sim->now, err,
               "No program on %s listens on UDP port %u, so %s answers %s with ICMP "
               "\"port unreachable\".",
               net->w->nodes[node].id, m.dport, net->w->nodes[node].id, src);
    icmp_send_error(sim, node, iface, err, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, dgram, len);
}
