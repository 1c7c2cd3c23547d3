/* dns_server — authoritative name servers: the same code serves the root,
 * TLDs and domains.  A `dns` node answers from the closest enclosing zone
 * it serves, as NSD does:
 *
 *  - an answer (AA) with the zone's NS in authority and the addresses of
 *    the names it mentions (MX exchanges, name servers) in additional;
 *  - below a delegation, a referral: no answer, the child's NS in
 *    authority, glue for name servers inside the parent zone, AA clear;
 *  - a CNAME, followed inside the zones the server holds (8 links at most,
 *    a loop stops where it repeats);
 *  - NXDOMAIN, or NODATA for a name without the type and for an empty
 *    non-terminal (RFC 8020), with the SOA in authority at the negative
 *    TTL, min(SOA TTL, SOA MINIMUM) (RFC 2308);
 *  - REFUSED for a name under no zone it serves, FORMERR for a malformed
 *    query, NOTIMP for opcodes other than QUERY.
 *
 * Records limited to a region are seen only by askers from that region,
 * who then do not see the unlimited ones of the same name and type.
 * With round_robin, each answer rotates an RRset's order by one. */
#ifndef MN_DNS_SERVER_H
#define MN_DNS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/world.h"
#include "proto/dns/dns_wire.h"
#include "proto/dns/dns_zone.h"

typedef struct DnsServer DnsServer;

/* A server for node, answering from the world's parsed zones. */
DnsServer *dns_server_new(const World *w, int node);
void dns_server_free(DnsServer *s);

/* Answers one query (its bytes) from an asker in region (NULL: none).
 * Writes the response into out (at most cap bytes) and returns its length,
 * 0 when nothing should be sent (the bytes were a response, or too short
 * to answer).  If caption is not NULL, appends a sentence for students
 * saying what the server did and why. */
size_t dns_server_answer(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                         uint8_t *out, size_t cap, Buf *caption);

/* The same over TCP: no UDP size limit, only cap's (DNS_TCP_MAX for a
 * whole answer), so TC is never set for lack of room. */
size_t dns_server_answer_tcp(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                             uint8_t *out, size_t cap, Buf *caption);

/* Binds UDP port 53 and listens on TCP port 53 on every `dns` node of
 * sim->world.  A UDP answer larger than 512 bytes (without EDNS) or the
 * EDNS size (at most 1232) goes out as NSD sends it: the question alone, TC set;
 * over TCP each message has its 2-byte length in front, the connection
 * may carry several questions, and the client closes it (an idle one is
 * closed after 120 s, as NSD).  A server that neither rotates its RRsets
 * nor follows referrals itself keeps the answers it gave over UDP, and
 * gives the same bytes again (with the new ID) to the same query from the
 * same region, as a packet cache does.  The servers live until
 * dns_servers_stop. */
void dns_servers_start(Sim *sim);
void dns_servers_stop(Sim *sim);

#endif
