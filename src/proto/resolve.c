#include "resolve.h"

#include <stdlib.h>

#include "net/net.h"
#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_stub.h"

struct Resolve {
    DnsQuery *q;
    ResolveFn fn;
    void *ctx;
    bool in_callback;
};

static ResolveStatus from_lookup(DnsLookupStatus st)
{
    switch (st) {
    case DNS_LOOKUP_OK:
        return RESOLVE_OK;
    case DNS_LOOKUP_NXDOMAIN:
        return RESOLVE_NONAME;
    case DNS_LOOKUP_NODATA:
        return RESOLVE_NODATA;
    case DNS_LOOKUP_FAILED:
        break;
    }
    return RESOLVE_AGAIN;
}

static void on_lookup(void *ctx, DnsLookupStatus st, uint32_t addr, const char *canon)
{
    Resolve *r = ctx;
    r->q = NULL; /* the lookup is over */
    r->in_callback = true;
    r->fn(r->ctx, from_lookup(st), addr, canon);
    free(r);
}

Resolve *resolve_name(Sim *sim, int node, const char *name, ResolveFn fn, void *ctx)
{
    uint32_t addr;
    if (ip_parse_aton(name, &addr)) {
        fn(ctx, RESOLVE_OK, addr, name);
        return NULL;
    }
    if (!dns_conf_node(sim->world, node)->has_dns) {
        if (resolve_hosts(sim, name, &addr))
            fn(ctx, RESOLVE_OK, addr, name);
        else
            fn(ctx, RESOLVE_NONAME, 0, NULL);
        return NULL;
    }
    Resolve *r = xcalloc(1, sizeof *r);
    r->fn = fn;
    r->ctx = ctx;
    r->in_callback = true; /* an answer from the cache comes at once */
    DnsQuery *q = dns_lookup_address(sim, node, name, on_lookup, r);
    if (!q) /* on_lookup ran and freed r */
        return NULL;
    r->in_callback = false;
    r->q = q;
    return r;
}

void resolve_cancel(Resolve *r)
{
    if (!r || r->in_callback)
        return;
    dns_query_cancel(r->q); /* its cancelled callback frees the lookup, not r */
    free(r);
}

const char *resolve_strerror(ResolveStatus st)
{
    switch (st) {
    case RESOLVE_OK:
        return "Success";
    case RESOLVE_NONAME:
        return "Name or service not known";
    case RESOLVE_NODATA:
        return "No address associated with hostname";
    case RESOLVE_AGAIN:
        break;
    }
    return "Temporary failure in name resolution";
}

bool resolve_hosts(const Sim *sim, const char *name, uint32_t *ip)
{
    if (ip_parse(name, ip))
        return true;
    int n = world_find_node(sim->world, name);
    if (n < 0 || sim->world->nodes[n].n_ips == 0)
        return false;
    *ip = sim->world->nodes[n].ips[0];
    return true;
}

const char *resolve_hosts_reverse(const Sim *sim, uint32_t ip)
{
    int n;
    if (!world_find_addr(sim->world, ip, &n, NULL))
        return NULL;
    return sim->world->nodes[n].id;
}
