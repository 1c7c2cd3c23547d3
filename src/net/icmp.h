/* icmp — echo, and the error messages routers and hosts send: time
 * exceeded (TTL reached zero), destination unreachable (port, net).
 *
 * Echo requests are answered by every node that is up.  Everything else
 * received goes to the node's listeners (ping, traceroute), each of which
 * picks out its own by identifier or port. */
#ifndef MN_ICMP_H
#define MN_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/ipv4.h"
#include "net/net.h"

#define ICMP_ECHO_REPLY       0
#define ICMP_DEST_UNREACH     3
#define ICMP_ECHO_REQUEST     8
#define ICMP_TIME_EXCEEDED    11
#define ICMP_UNREACH_NET      0
#define ICMP_UNREACH_HOST     1
#define ICMP_UNREACH_PROTOCOL 2
#define ICMP_UNREACH_PORT     3
#define ICMP_HLEN             8

struct IcmpMsg {
    uint64_t pkt;
    uint32_t src, dst;
    uint8_t ttl;
    uint8_t type, code;
    uint16_t id, seq;    /* echo */
    const uint8_t *data; /* after the 8-byte header */
    size_t len;
    /* errors: the quoted datagram's header and its first bytes */
    Ipv4Hdr orig;
    const uint8_t *orig_payload;
    size_t orig_payload_len;
    bool has_orig;
};

/* Sends an echo request; payload is the data after the ICMP header. */
NetErr icmp_send_echo(Sim *sim, int node, uint64_t pkt, uint32_t dst, uint16_t id, uint16_t seq,
                      uint8_t ttl, const uint8_t *payload, size_t len);
/* Sends an error about the IP datagram dgram (as received) back to its
 * source, from node's interface iface.  Never about an ICMP error. */
void icmp_send_error(Sim *sim, int node, int iface, uint64_t pkt, uint8_t type, uint8_t code,
                     const uint8_t *dgram, size_t len);
/* Whether dgram may be answered with an ICMP error (RFC 1122 3.2.2). */
bool icmp_may_answer(const uint8_t *dgram, size_t len);

int icmp_listen(Sim *sim, int node, IcmpFn fn, void *ctx);
void icmp_unlisten(Sim *sim, int handle);

void icmp_input(Sim *sim, int node, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *body,
                size_t len);

#endif
