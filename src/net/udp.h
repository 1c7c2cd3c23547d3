/* udp — datagrams with real checksums, and port bindings per node.  A
 * datagram to a port nobody is bound to is answered with ICMP port
 * unreachable, as a Linux host does (traceroute relies on it). */
#ifndef MN_UDP_H
#define MN_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/ipv4.h"
#include "net/net.h"

#define UDP_HLEN 8

struct UdpMsg {
    uint64_t pkt;
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t ttl;
    const uint8_t *data;
    size_t len;
    /* Not NULL: no datagram but an ICMP error about one this port sent
     * (to src, port sport), for a binding that asked for them. */
    const struct IcmpMsg *icmp;
};

/* False if the port is taken on that node. */
bool udp_bind(Sim *sim, int node, uint16_t port, UdpFn fn, void *ctx);
/* Binds the next free ephemeral port (32768-60999, Linux's range) and
 * returns it; 0 when every one is taken on that node, where Linux's bind
 * fails with EADDRINUSE: the caller fails the lookup instead of waiting.
 * Costs at most one probe per port of the range. */
uint16_t udp_bind_ephemeral(Sim *sim, int node, UdpFn fn, void *ctx);
void udp_unbind(Sim *sim, int node, uint16_t port);
/* The ports bound on node, ascending, into out (up to max); returns how
 * many there are (ss and netstat list them). */
size_t udp_node_ports(Sim *sim, int node, uint16_t *out, size_t max);
/* ICMP destination unreachable about a datagram sent from the bound port
 * reaches its handler too (UdpMsg.icmp), as Linux reports ECONNREFUSED or
 * EHOSTUNREACH to a connected UDP socket: what BIND's tools and glibc's
 * resolver use. */
void udp_want_errors(Sim *sim, int node, uint16_t port);
/* Called by icmp_input for an error that quotes a UDP datagram. */
void udp_icmp_input(Sim *sim, int node, const struct IcmpMsg *m);
NetErr udp_send(Sim *sim, int node, uint64_t pkt, uint16_t sport, uint32_t dst, uint16_t dport,
                uint8_t ttl, const uint8_t *data, size_t len, uint64_t *pkt_out);
/* udp_send over r, which ipv4_send_check gave (NET_OK, at this instant)
 * for UDP_HLEN + len bytes: a sender that narrates its send asks first. */
void udp_send_on(Sim *sim, const Ipv4Route *r, uint64_t pkt, uint16_t sport, uint16_t dport,
                 uint8_t ttl, const uint8_t *data, size_t len, uint64_t *pkt_out);
/* dgram is the whole IP datagram, len bytes, whose header ipv4_parse
 * would accept: UDP reads the addresses and TTL there, and an ICMP error
 * quotes it. */
void udp_input(Sim *sim, int node, int iface, uint64_t pkt, const uint8_t *dgram, size_t len);

#endif
