#include "proto/dns/dns_conf.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_zone.h"
#include "proto/services.h"

static void zone_fini(Zone *z)
{
    free(z->origin);
    free(z->file);
    free(z->file_as_written);
    free(z->records); /* their strings are the World's */
    free(z->records_where);
}

static void conf_free(void *data)
{
    DnsConf *c = data;
    dns_zones_free(c->set);
    for (size_t i = 0; i < c->n_nodes; i++) {
        DnsNodeConf *n = &c->nodes[i];
        free(n->root_hints);
        for (size_t k = 0; k < n->n_zones; k++)
            free(n->zones[k]);
        free(n->zones);
    }
    free(c->nodes);
    for (size_t i = 0; i < c->n_zones; i++)
        zone_fini(&c->zones[i]);
    free(c->zones);
    free(c);
}

DnsConf *dns_conf(World *w)
{
    DnsConf *c = world_ext(w, EXT_DNS);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        world_ext_set(w, EXT_DNS, c, conf_free);
    }
    return c;
}

const DnsConf *dns_conf_get(const World *w)
{
    return world_ext(w, EXT_DNS);
}

const DnsNodeConf *dns_conf_node(const World *w, int node)
{
    static const DnsNodeConf defaults;
    const DnsConf *c = dns_conf_get(w);
    if (!c || node < 0 || (size_t)node >= c->n_nodes)
        return &defaults;
    return &c->nodes[node];
}

DnsNodeConf *dns_conf_node_mut(World *w, int node)
{
    DnsConf *c = dns_conf(w);
    if ((size_t)node >= c->n_nodes) {
        size_t n = w->n_nodes > (size_t)node ? w->n_nodes : (size_t)node + 1;
        c->nodes = xrealloc(c->nodes, n * sizeof *c->nodes);
        memset(c->nodes + c->n_nodes, 0, (n - c->n_nodes) * sizeof *c->nodes);
        c->n_nodes = n;
    }
    return &c->nodes[node];
}

const struct DnsZoneSet *dns_conf_zones(const World *w)
{
    const DnsConf *c = dns_conf_get(w);
    return c ? c->set : NULL;
}

RoleIcon dns_conf_icon(const World *w, int node)
{
    const DnsNodeConf *n = dns_conf_node(w, node);
    bool tld = n->n_zones > 0;
    for (size_t i = 0; i < n->n_zones; i++) {
        const char *z = n->zones[i];
        if (strcmp(z, ".") == 0)
            return ROLE_ICON_ROOT;
        const char *dot = strchr(z, '.');
        if (!dot || dot[1] != '\0') /* more than one label */
            tld = false;
    }
    return tld ? ROLE_ICON_TLD : ROLE_ICON_AUTH;
}
