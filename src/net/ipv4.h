/* ipv4 — IPv4 headers and checksums, and the node's IP layer: sending,
 * receiving, and forwarding on routers.
 *
 * Headers are 20 bytes (no options).  Only routers forward; a router
 * decrements the TTL and answers a TTL that reaches zero with ICMP time
 * exceeded.  Routes are shortest paths by latency, computed per sending
 * node on first use (world_routes_routers) and never changed: a link that goes
 * down loses the packets sent on it, it does not reroute them.
 *
 * Nothing vanishes: a packet to an address that no node has goes where a
 * real routing table sends it (toward the router with that address's
 * network on a link, else the default gateway).  On a link's network, ARP
 * asks three times a second apart (captions, not frames) and the packet is
 * answered with ICMP host unreachable after 3 s; with no route at all, a
 * router answers ICMP net unreachable at once.  Each with a drop record
 * and a caption. */
#ifndef MN_IPV4_H
#define MN_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/net.h"

#define IPV4_HLEN        20
#define IP_PROTO_ICMP    1
#define IP_PROTO_TCP     6
#define IP_PROTO_UDP     17
#define IPV4_DEFAULT_TTL 64

typedef struct Ipv4Hdr {
    uint8_t ihl; /* header length in bytes */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag; /* flags and offset, as on the wire */
    uint8_t ttl;
    uint8_t proto;
    uint16_t checksum;
    uint32_t src, dst;
} Ipv4Hdr;

/* The Internet checksum (RFC 1071) of len bytes, starting from sum. */
uint16_t ipv4_checksum(const uint8_t *p, size_t len, uint32_t sum);
/* Whether ipv4_checksum(p, len, sum) is 0, as for data that carries its
 * checksum: a receiver's check, cheaper than the checksum itself. */
bool ipv4_checksum_ok(const uint8_t *p, size_t len, uint32_t sum);
/* Partial sum of the pseudo-header used by UDP and TCP. */
static inline uint32_t ipv4_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}
/* Writes a 20-byte header at p (checksum filled in). */
void ipv4_put_header(uint8_t *p, const Ipv4Hdr *h);
/* Parses and checks a header: version 4, length, checksum.  On failure
 * *why says what was wrong (trace_drop_text names it). */
bool ipv4_parse(const uint8_t *p, size_t len, Ipv4Hdr *h, DropReason *why);

typedef enum NetErr {
    NET_OK,
    NET_NODE_DOWN,   /* the sending node is down */
    NET_UNREACHABLE, /* no route to the destination */
    NET_TOO_BIG,     /* payload larger than the MTU allows */
} NetErr;

typedef struct Ipv4Send {
    uint64_t pkt; /* packet id for the trace; 0 allocates one */
    uint32_t src; /* 0: the address of the outgoing interface */
    uint32_t dst;
    uint8_t proto;
    uint8_t ttl; /* 0: IPV4_DEFAULT_TTL */
    bool df;
} Ipv4Send;

/* node's way to dst, as ipv4_send_check found it for one packet: a
 * sender asks before it writes its caption, then sends over the route it
 * got (ipv4_send_on, udp_send_on) instead of looking it up again. */
typedef struct Ipv4Route {
    int node;
    uint32_t dst;
    int iface; /* node's interface toward dst; -1: dst is node's own, or no route */
    bool own;  /* dst is one of node's addresses (a 127.x.x.x address too) */
    bool arp;  /* node must find dst's MAC address by ARP first */
} Ipv4Route;

/* Sends an IP packet from node.  Returns the packet id through *pkt_out
 * (may be NULL). */
NetErr ipv4_send(Sim *sim, int node, const Ipv4Send *s, const uint8_t *payload, size_t len,
                 uint64_t *pkt_out);
/* What ipv4_send would return for len payload bytes from node to dst,
 * without sending, and the route it would take into *route (may be NULL;
 * set only for NET_OK).  A caption comes before the hops of its packet
 * (they carry the latest note's step), so code that narrates a send asks
 * first and writes the note that matches what will happen. */
NetErr ipv4_send_check(Sim *sim, int node, uint32_t dst, size_t len, Ipv4Route *route);
/* ipv4_send over r, which ipv4_send_check gave for s->dst and len with
 * NET_OK at this instant. */
void ipv4_send_on(Sim *sim, const Ipv4Route *r, const Ipv4Send *s, const uint8_t *payload,
                  size_t len, uint64_t *pkt_out);
/* ipv4_send_on in two halves, for a sender that writes its payload
 * straight into the frame instead of handing over a copy (udp_send_on):
 * the packet, its Ethernet and IPv4 headers written for len payload bytes
 * (a packet id taken, *pkt_out set, as ipv4_send_on does), whose payload
 * the caller writes at ipv4_packet_payload, then sends with
 * ipv4_packet_send over the same route. */
struct Packet *ipv4_packet_start(Sim *sim, const Ipv4Route *r, const Ipv4Send *s, size_t len,
                                 uint64_t *pkt_out);
/* Where the payload goes in a packet of ipv4_packet_start. */
static inline uint8_t *ipv4_packet_payload(struct Packet *p)
{
    return p->data + ETH_HLEN + IPV4_HLEN;
}
void ipv4_packet_send(Sim *sim, const Ipv4Route *r, struct Packet *p);
/* Why a send from node to dst fails, for a caption ("laptop is down",
 * "laptop has no route to 10.0.0.53"); "" for NET_OK. */
const char *ipv4_err_reason(Sim *sim, int node, uint32_t dst, NetErr e, char *buf, size_t size);
/* The interface node would send to dst on, or -1 if no route.  For an
 * address no node has, the interface the packet would leave by (where it
 * may then wait for ARP). */
int ipv4_route(Sim *sim, int node, uint32_t dst);
/* The frame in p arrives on node:iface (-1: sent by node to itself), as
 * the link layer delivers it.  Takes ownership of p: a router sends it on,
 * rewritten in place, and saves a copy per hop. */
void ipv4_input_packet(Sim *sim, int node, int iface, struct Packet *p);

#endif
