/* dns_zone — the zones of a scenario: parsed from RFC 1035 master files or
 * inline records, checked, and indexed for the authoritative servers.
 *
 * Master files are read as BIND and NSD write them: $ORIGIN, $TTL, "@",
 * relative and absolute names, optional TTL and class in either order, a
 * line starting with blanks reusing the previous owner, parentheses across
 * lines, ";" comments, quoted strings with escapes, TTLs with units
 * ("1h30m").  Types A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SPF, SRV, CAA and
 * HINFO are read in their usual form, any type in RFC 3597 form
 * ("TYPE65280 \# 2 abcd").
 *
 * A zone is refused, with FILE:LINE:COL and what was expected, for a syntax
 * error, a record outside the zone, no SOA or no NS at the apex, a CNAME
 * beside other data, or an in-zone name server without an address (glue).
 *
 * Records are kept sorted by owner (canonical order), then type, then the
 * order they were written in; every owner and every empty non-terminal
 * (RFC 8020) is in a hash index, so a lookup is O(labels).
 *
 * Memory: a record is 32 bytes and its rdata; an owner name is 16 bytes
 * and its wire form once, whatever number of records it has (a 1M-record
 * zone file of 28 MB runs in about 170 MB, against 914 MB when each record
 * held its owner as a DnsName).  dns_zone_rr and
 * dns_zone_name give a record and a name in the usual structures. */
#ifndef MN_DNS_ZONE_H
#define MN_DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "net/world.h"
#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_name.h"
#include "proto/dns/dns_wire.h"

/* The largest zone file loaded (a 1M-record zone is about 22 MB). */
#define DNS_ZONE_FILE_MAX ((size_t)64 << 20)

typedef struct DnsZoneRR {
    const uint8_t *rdata; /* in DnsZone.rdata */
    uint32_t owner;       /* index into DnsZone.names */
    uint32_t ttl;
    uint32_t order; /* where the zone lists it, from 0 (rrs are sorted by name and type) */
    uint16_t type, rdlen;
    uint16_t region; /* 0: every region; else 1 + index into DnsZone.regions */
} DnsZoneRR;

typedef struct DnsZoneName {
    uint32_t off;        /* its wire form: DnsZone.name_bytes + off */
    uint8_t len, labels; /* as in DnsName */
    uint32_t first;      /* its records in DnsZone.rrs */
    uint32_t count;      /* 0: an empty non-terminal */
} DnsZoneName;

typedef struct DnsZone {
    DnsName origin;
    DnsZoneRR *rrs;
    size_t n_rrs;
    DnsZoneName *names;
    size_t n_names;
    uint32_t *index; /* open addressing: 1 + index into names, 0 empty */
    size_t index_cap;
    char **regions;
    size_t n_regions;
    uint8_t *rdata;      /* every record's rdata */
    uint8_t *name_bytes; /* every owner's wire form */
    DnsRR soa_rr;        /* the apex SOA, as a DnsRR: soa points here */
    DnsName soa_owner;   /* soa_rr's name */
    const DnsRR *soa;
    uint32_t negative_ttl; /* min(SOA TTL, SOA MINIMUM), RFC 2308 */
} DnsZone;

typedef struct DnsZoneSet {
    DnsZone *zones;
    size_t n;
    /* By origin: a hash table of indexes into zones (SIZE_MAX: empty), its
     * size a power of two, mask = size - 1. */
    size_t *by_origin;
    size_t mask;
} DnsZoneSet;

/* Parses and checks every zone of w.  Problems go to errs; NULL if any. */
DnsZoneSet *dns_zones_load(const World *w, Errors *errs);
void dns_zones_free(DnsZoneSet *set);
/* The zone with exactly this origin, or NULL. */
const DnsZone *dns_zones_find(const DnsZoneSet *set, const DnsName *origin);

/* The owner entry for name (possibly an empty non-terminal), or NULL. */
const DnsZoneName *dns_zone_lookup(const DnsZone *z, const DnsName *name);
/* The name of an owner entry. */
void dns_zone_name(const DnsZone *z, const DnsZoneName *e, DnsName *out);
/* A record with its owner, as a DnsRR (rdata points into the zone, name
 * at *owner, where the owner is put). */
DnsRR dns_zone_rr(const DnsZone *z, const DnsZoneRR *r, DnsName *owner);
/* The region index for a region name (0 if the zone has no record limited
 * to it). */
uint16_t dns_zone_region(const DnsZone *z, const char *region);

/* Parses one master-file text as a zone with the given origin (for tests
 * and the fuzz target).  file names the text in messages. */
bool dns_zone_parse_text(DnsZone *z, const DnsName *origin, const char *file, const char *text,
                         size_t len, Errors *errs);
void dns_zone_fini(DnsZone *z);

#endif
