/* resolve — the one way applications turn a name into an IPv4 address, as
 * getaddrinfo does on Debian: a dotted quad at once; on a host with no DNS
 * server the scenario's node ids, as if every such host had the same
 * /etc/hosts; otherwise the host's stub resolver (dns_lookup_address: its
 * own cache, then its DNS server).  ping, traceroute and later telnet, nc, ftp and
 * the mail server call this, and so do host, nslookup and dig +trace for a
 * server given by name; their own questions they send with dns_query_start.
 *
 * Reverse names for printing ("name (addr)") come from the node ids too:
 * minet has no PTR lookups for applications yet. */
#ifndef MN_RESOLVE_H
#define MN_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/sim.h"

typedef enum ResolveStatus {
    RESOLVE_OK,
    RESOLVE_NONAME, /* NXDOMAIN or no such node: "Name or service not known" */
    RESOLVE_NODATA, /* the name exists but has no address */
    RESOLVE_AGAIN,  /* SERVFAIL, timeouts: "Temporary failure in name resolution" */
} ResolveStatus;

/* canon: the name the address belongs to after any aliases, without the
 * final dot (getaddrinfo's canonical name); NULL unless RESOLVE_OK. */
typedef void (*ResolveFn)(void *ctx, ResolveStatus st, uint32_t addr, const char *canon);

typedef struct Resolve Resolve;

/* Looks name up for an application on node.  Calls fn exactly once,
 * possibly at once (then returns NULL); otherwise returns a handle that
 * resolve_cancel stops (fn is then never called). */
Resolve *resolve_name(Sim *sim, int node, const char *name, ResolveFn fn, void *ctx);
/* NULL is fine; so is a handle whose fn is running (it is over anyway). */
void resolve_cancel(Resolve *r);

/* What glibc's gai_strerror says for st. */
const char *resolve_strerror(ResolveStatus st);

/* The shared /etc/hosts of node ids: a dotted quad or a node id. */
bool resolve_hosts(const Sim *sim, const char *name, uint32_t *ip);
/* The reverse: the id of the node owning ip, or NULL. */
const char *resolve_hosts_reverse(const Sim *sim, uint32_t ip);

#endif
