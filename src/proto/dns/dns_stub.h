/* dns_stub — the host side of DNS: one query at a time on behalf of a
 * program (host, dig, nslookup, ping), with the real tools' timeouts and
 * retries, and each host's own cache (what `ipconfig /displaydns` shows),
 * filled by the lookups applications make.
 *
 * A query goes over UDP, or over TCP (RFC 7766: a connection per try,
 * the query with its 2-byte length in front, closed by the asker once the
 * answer is in) when the options ask for it; a UDP answer with TC set is
 * asked again over TCP, as BIND's tools and glibc do.
 *
 * host, dig and nslookup always send a query, as the real tools do; only
 * applications (ping now) look in the host cache first. */
#ifndef MN_DNS_STUB_H
#define MN_DNS_STUB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/tcp.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_wire.h"

typedef struct DnsQueryOpts {
    bool rd, edns, cookie, ad;
    SimTime timeout; /* per try */
    int tries;
    const char *program; /* for captions: "host", "dig" */
    /* Over TCP from the start (dig +tcp, host -T, a question of type ANY
     * from BIND's tools); why says why in the caption ("+tcp asks for
     * it"; NULL: it was asked for). */
    bool tcp;
    const char *why_tcp;
    /* A UDP answer with TC set is taken as it is (dig +ignore), instead
     * of asking again over TCP. */
    bool ignore_tc;
    SimTime tcp_timeout; /* per try over TCP; 0: timeout */
    /* An ICMP error about a try's UDP query (the server's host has
     * nothing on port 53, or cannot be reached) fails the try at once, as
     * a connected UDP socket reports it to BIND's tools; without it the
     * try waits out its timeout. */
    bool icmp_errors;
    /* dig's +aaonly, +cdflag and +dnssec (the DO bit in OPT); udp_size:
     * the EDNS size offered (0: 1232, as BIND's tools); klass: the
     * question's class (0: IN). */
    bool aa, cd, dnssec;
    uint16_t udp_size, klass;
} DnsQueryOpts;

typedef struct DnsQueryOps {
    /* A matching reply arrived: the query is over (and freed) after this. */
    void (*reply)(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt);
    /* A try got no answer: its time ran out (why TCP_WHY_TIMEOUT), or with
     * icmp_errors an ICMP error answered it (TCP_WHY_REFUSED,
     * TCP_WHY_HOST_UNREACH, TCP_WHY_NET_UNREACH); when last, the query is
     * over (and freed) after this. */
    void (*timeout)(void *ctx, TcpWhy why, int try_no, bool last);
    /* Optional: the query was cancelled; free what ctx holds. */
    void (*cancelled)(void *ctx);
    /* Optional: a UDP answer came with TC set; the query is asked again
     * over TCP now, with the tries counted afresh. */
    void (*truncated)(void *ctx);
    /* Optional: a TCP connection for a try failed at once (refused,
     * reset, unreachable); when last, the query is over (and freed) after
     * this.  NULL: counted as a timeout. */
    void (*failed)(void *ctx, TcpWhy why, int try_no, bool last);
} DnsQueryOps;

typedef struct DnsQuery DnsQuery;

/* Sends name/type to server from node and waits.  Returns NULL (and calls
 * nothing) if no route leads to the server. */
DnsQuery *dns_query_start(Sim *sim, int node, uint32_t server, const DnsName *name, uint16_t type,
                          const DnsQueryOpts *o, DnsQueryOps ops, void *ctx);
/* The bytes of the query's last try (dig +qr prints them); valid until
 * the next try or the query's end. */
const uint8_t *dns_query_sent(const DnsQuery *q, size_t *len);
/* Stops a query still waiting (its callbacks will not be called). */
void dns_query_cancel(DnsQuery *q);
/* ISC's words (BIND's tools) for why a try failed: "connection refused",
 * "timed out", ... */
const char *dns_query_why_text(TcpWhy why);
/* A number as BIND's tools read an option's value (decimal digits, at
 * most max): NULL, or ISC's words for why not ("not a valid number", "out
 * of range"). */
const char *dns_tool_count(const char *text, uint64_t max, uint64_t *out);

/* ---- applications ------------------------------------------------------- */

typedef enum DnsLookupStatus {
    DNS_LOOKUP_OK,
    DNS_LOOKUP_NXDOMAIN, /* "Name or service not known" */
    DNS_LOOKUP_NODATA,   /* exists, but no address */
    DNS_LOOKUP_FAILED,   /* SERVFAIL, timeouts: "Temporary failure in name resolution" */
} DnsLookupStatus;

/* canon: the name the address belongs to, after any aliases ("web1.montana.edu"),
 * without the final dot; NULL unless status is DNS_LOOKUP_OK. */
typedef void (*DnsLookupFn)(void *ctx, DnsLookupStatus status, uint32_t addr, const char *canon);

/* Looks up name's IPv4 address for an application on node, as glibc does:
 * the host cache first, then the node's DNS server (DNS_LOOKUP_FAILED at
 * once if it has none).  Applications call resolve_name (resolve.h).  The answer's records
 * go into the host cache.  Calls fn exactly once, possibly at once.  The
 * returned handle cancels it (NULL when fn was already called). */
DnsQuery *dns_lookup_address(Sim *sim, int node, const char *name, DnsLookupFn fn, void *ctx);

/* The host cache of node (made on first use). */
DnsCache *dns_stub_cache(Sim *sim, int node);
void dns_stubs_stop(Sim *sim);

#endif
