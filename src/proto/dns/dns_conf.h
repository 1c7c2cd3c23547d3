/* dns_conf — what a scenario says about DNS: the zones as written (the
 * top-level "zones"), each node's DNS keys, and the zones once parsed.  It
 * lives in the World's DNS extension slot (EXT_DNS, proto/services.h),
 * filled by src/io/scenario_dns.c; the DNS agents, the programs and the view
 * read it through this header.
 *
 * A World built without the loader (tests) may have no DnsConf: every
 * reader then sees the defaults (no zones; every key false or absent). */
#ifndef MN_DNS_CONF_H
#define MN_DNS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/world.h"
#include "proto/roles.h"

/* One record of an inline zone: a master-file line, or an object.  Its
 * strings are the World's (World.strings). */
typedef struct ZoneRecord {
    const char *line; /* the master-file line, or NULL for an object */
    const char *name, *type, *data, *region;
    int64_t ttl;  /* -1: the zone's default */
    size_t index; /* its index in the zone's "records" (Zone.records_where), for messages */
} ZoneRecord;

/* A zone as the scenario writes it; parsed into a DnsZone (dns_zone.h). */
typedef struct Zone {
    char *origin; /* "montana.edu." */
    char *file;   /* master file, resolved against the scenario's folder; or NULL */
    char *file_as_written;
    ZoneRecord *records;
    size_t n_records;
    char *records_where; /* the JSON path of its "records", for messages; or NULL */
} Zone;

/* One node's DNS keys; which apply depends on its role (roles.h). */
typedef struct DnsNodeConf {
    /* host: "dns", its local DNS server */
    bool has_dns;
    uint32_t dns;
    /* resolver */
    bool recursive_mode;
    bool qname_minimisation;
    bool round_robin; /* resolver (default true) and dns (default false) */
    uint32_t *root_hints;
    size_t n_root_hints;
    /* dns */
    char **zones; /* origins it is authoritative for */
    size_t n_zones;
    bool recursion;
} DnsNodeConf;

typedef struct DnsConf {
    DnsNodeConf *nodes; /* indexed by node; n_nodes may be short of the World's */
    size_t n_nodes;
    Zone *zones; /* in file order */
    size_t n_zones;
    struct DnsZoneSet *set; /* the zones parsed and checked (dns_zone.h), or NULL */
} DnsConf;

/* The world's DnsConf, made (empty) on first use. */
DnsConf *dns_conf(World *w);
/* The world's DnsConf, or NULL when it has none. */
const DnsConf *dns_conf_get(const World *w);
/* Node's keys; the defaults when none were set.  Never NULL. */
const DnsNodeConf *dns_conf_node(const World *w, int node);
/* Node's keys to set, made (with the defaults) on first use. */
DnsNodeConf *dns_conf_node_mut(World *w, int node);
/* The parsed zones, or NULL. */
const struct DnsZoneSet *dns_conf_zones(const World *w);
/* A name server's icon: root for ".", TLD when it serves one-label zones
 * only, otherwise authoritative (the roles table's icon_of). */
RoleIcon dns_conf_icon(const World *w, int node);

#endif
