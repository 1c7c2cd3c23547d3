/* services — the table of what a scenario's world runs besides the network
 * layer and the shell: one row per protocol service, in start order.  A
 * service keeps its state in sim->svc[its row], so the core holds no
 * protocol's slot; adding a protocol adds a row here and its own files.
 *
 * agents_start (agents.h) starts the rows in order; agents_stop stops them
 * in reverse.  A row may have no start (a service made on first use, such
 * as a host's DNS cache) and must accept a stop when it never started. */
#ifndef MN_SERVICES_H
#define MN_SERVICES_H

#include <stddef.h>

#include "core/sim.h"

typedef enum ServiceId {
    SVC_DNS_SERVER,   /* authoritative name servers (role dns) */
    SVC_DNS_RESOLVER, /* local DNS servers (role resolver) */
    SVC_DNS_STUB,     /* hosts' own DNS caches, made on first use */
    SVC_COUNT
} ServiceId;

_Static_assert(SVC_COUNT <= SIM_SVC_MAX, "raise SIM_SVC_MAX in core/sim.h");

typedef struct Service {
    const char *name;
    void (*start)(Sim *sim); /* may be NULL */
    void (*stop)(Sim *sim);
} Service;

/* The rows, indexed by ServiceId. */
const Service *services_table(size_t *n);

#endif
