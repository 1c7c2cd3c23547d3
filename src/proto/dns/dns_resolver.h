/* dns_resolver — the local DNS server (the `resolver` role): it takes a
 * host's recursive query and walks the hierarchy itself, iteratively, as
 * the textbook draws it and as Unbound does it with QNAME minimisation off:
 *
 *  - from the closest delegation it has cached (the root hints when cold),
 *    it asks a server for the full name, RD clear, and follows referrals;
 *  - it caches answers, referrals and glue, and negative answers for the
 *    SOA's negative TTL; a second lookup under .edu skips the root;
 *  - a CNAME for the asked name is cached and its target looked up anew
 *    from the closest cached delegation (8 at most, a loop is SERVFAIL);
 *  - a name server without glue has its address looked up first;
 *  - a query without an answer is sent again with Unbound's timeouts: 376 ms
 *    for an unknown server, doubled on each timeout, the measured RTT after
 *    an answer; a random server among those within 400 ms of the best, at
 *    most 5 tries each; when none is left the client gets SERVFAIL;
 *  - a client's retry of a question being looked up joins that lookup;
 *  - a response is used only if its source, port, ID and question match.
 *
 * Answers to the client have RA set and AA clear; with round_robin each
 * answer rotates the order of the RRset.  Every cache change is a state
 * record and every step a note. */
#ifndef MN_DNS_RESOLVER_H
#define MN_DNS_RESOLVER_H

#include "core/sim.h"

/* Starts a resolver on UDP port 53 of every `resolver` node. */
void dns_resolvers_start(Sim *sim);
void dns_resolvers_stop(Sim *sim);

/* The cache of a resolver node (for panels and tests), or NULL. */
struct DnsCache *dns_resolver_cache(Sim *sim, int node);

#endif
