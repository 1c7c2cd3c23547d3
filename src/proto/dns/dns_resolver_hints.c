/* dns_resolver_hints — where a resolver starts: the root hints, the
 * addresses of the root servers that the scenario gives, or else the root
 * zone's own NS records and their glue, as a resolver's built-in hints
 * file holds them, with the TTLs a referral from them gives. */
#include "proto/dns/dns_resolver_int.h"

#include <string.h>

#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_zone.h"

static void add_hint(Resolver *r, const DnsName *name, uint32_t addr)
{
    if (r->nhints == MAX_SERVERS)
        return;
    Server *s = &r->hints[r->nhints++];
    memset(s, 0, sizeof *s);
    s->name = resolver_intern(r, name);
    s->hash = dns_name_hash(name);
    s->addr = addr;
    s->has_addr = true;
}

/* The root hints: the addresses the scenario gives, or the root zone's own
 * NS records and their glue, as a resolver's built-in hints file holds. */
void resolver_load_hints(Resolver *r)
{
    const World *w = r->sim->world;
    const DnsNodeConf *n = dns_conf_node(w, r->node);
    for (size_t i = 0; i < n->n_root_hints; i++) {
        DnsName name;
        int owner;
        const char *id = world_find_addr(w, n->root_hints[i], &owner, NULL) ? w->nodes[owner].id
                                                                            : "root-server.hint";
        if (!dns_name_parse(&name, id, NULL) && !dns_name_parse(&name, "root-server.hint.", NULL))
            continue;
        add_hint(r, &name, n->root_hints[i]);
    }
    r->hints_ns_ttl = r->hints_a_ttl = HINTS_TTL;
    const struct DnsZoneSet *set = dns_conf_zones(w);
    DnsName root;
    dns_name_root(&root);
    const DnsZone *z = set ? dns_zones_find(set, &root) : NULL;
    const DnsZoneName *apex = z ? dns_zone_lookup(z, &root) : NULL;
    bool ttls = false;
    for (size_t i = apex ? apex->first : 0; apex && i < apex->first + apex->count; i++) {
        DnsName owner, a_owner;
        const DnsRR ns_rr = dns_zone_rr(z, &z->rrs[i], &owner), *ns = &ns_rr;
        DnsName target;
        if (ns->type != DNS_TYPE_NS || !dns_name_from_wire(&target, ns->rdata, ns->rdlen))
            continue;
        const DnsZoneName *g = dns_zone_lookup(z, &target);
        for (size_t k = g ? g->first : 0; g && k < g->first + g->count; k++) {
            if (z->rrs[k].type != DNS_TYPE_A || z->rrs[k].rdlen != 4)
                continue;
            if (!ttls) { /* as the cache would keep them */
                r->hints_ns_ttl = dns_cache_capped_ttl(&r->cache, ns->ttl);
                r->hints_a_ttl =
                    dns_cache_capped_ttl(&r->cache, dns_zone_rr(z, &z->rrs[k], &a_owner).ttl);
                ttls = true;
            }
            if (!n->n_root_hints)
                add_hint(r, &target, get_be32(z->rrs[k].rdata));
        }
    }
}
