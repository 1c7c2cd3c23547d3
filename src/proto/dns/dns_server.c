#include "dns_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/dns/dns_conf.h"
#include "proto/roles.h"
#include "proto/services.h"
#include "net/udp.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_tcp.h"

#define MAX_CNAME_CHAIN 8
#define EDNS_UDP_SIZE   1232 /* what NSD and BIND offer */

typedef struct Served {
    const DnsZone *zone;
    uint32_t *rotation; /* per record: how far its RRset has rotated; NULL
                         * unless the server rotates (round robin) */
    /* The address types additional data looks for (A, then AAAA): 1 when
     * the zone has no AAAA record, so that the search for AAAA, which
     * could find none, is not made. */
    size_t n_addr_types;
} Served;

/* The address types glue and additional data take, in NSD's order: every
 * A record first, then every AAAA. */
static const uint16_t addr_types[] = {DNS_TYPE_A, DNS_TYPE_AAAA};

static size_t zone_addr_types(const DnsZone *z)
{
    for (size_t i = 0; i < z->n_rrs; i++)
        if (z->rrs[i].type == DNS_TYPE_AAAA)
            return 2;
    return 1;
}

typedef struct Forward Forward;
typedef struct Given Given;
typedef struct GivenBlock GivenBlock;

/* Zones by origin, open addressing on the origin's hash: finding the zone
 * closest to a name is one probe per label of the name, whatever the
 * number of zones.  A slot with origin NULL is empty; the table is at
 * least twice as big as what it holds. */
typedef struct OriginSlot {
    const DnsName *origin;
    uint32_t hash, idx;
} OriginSlot;

typedef struct OriginIndex {
    OriginSlot *slot;
    size_t cap; /* a power of two */
} OriginIndex;

static void origin_index_init(OriginIndex *x, size_t n)
{
    x->cap = hash_slots(n, 8);
    x->slot = xcalloc(x->cap, sizeof *x->slot);
}

/* The index of the origin equal to wire (len bytes, hash h), or -1. */
static long origin_index_find(const OriginIndex *x, const uint8_t *wire, size_t len, uint32_t h)
{
    size_t mask = x->cap - 1;
    for (size_t i = h & mask; x->slot[i].origin; i = (i + 1) & mask)
        if (x->slot[i].hash == h && dns_name_equal_wire(x->slot[i].origin, wire, len))
            return (long)x->slot[i].idx;
    return -1;
}

/* Adds origin as idx, unless an equal origin is there already (the first
 * one listed wins, as a scan in order would find it). */
static void origin_index_add(OriginIndex *x, const DnsName *origin, uint32_t idx)
{
    uint32_t h = dns_name_hash(origin);
    if (origin_index_find(x, origin->data, origin->len, h) >= 0)
        return;
    size_t mask = x->cap - 1, i = h & mask;
    while (x->slot[i].origin)
        i = (i + 1) & mask;
    x->slot[i] = (OriginSlot){origin, h, idx};
}

struct DnsServer {
    const World *w;
    int node;
    Served *zones;
    size_t n_zones;
    OriginIndex by_origin; /* of zones */
    int max_labels;        /* the most labels of an origin */
    bool regional;         /* a zone has records for some regions only */
    bool round_robin;
    DnsMsg q, r;
    /* recursion: true, the textbook's recursive figure */
    Sim *sim;
    bool recursion;
    DnsCache cache;
    Forward *forwards;
    /* Answers given over UDP (see answer_udp): open addressing, given_cap
     * slots (a power of two, 0 before the first), at least twice n_given;
     * the answers themselves in given_blocks, forgotten all at once. */
    Given **given;
    size_t n_given, given_cap;
    GivenBlock *given_blocks;
};

DnsServer *dns_server_new(const World *w, int node)
{
    const DnsNodeConf *n = dns_conf_node(w, node);
    const struct DnsZoneSet *set = dns_conf_zones(w);
    DnsServer *s = xcalloc(1, sizeof *s);
    s->w = w;
    s->node = node;
    s->round_robin = n->round_robin;
    s->zones = xcalloc(n->n_zones ? n->n_zones : 1, sizeof *s->zones);
    for (size_t i = 0; i < n->n_zones; i++) {
        DnsName origin;
        if (!set || !dns_name_parse(&origin, n->zones[i], NULL))
            continue;
        const DnsZone *z = dns_zones_find(set, &origin);
        if (!z)
            continue;
        s->zones[s->n_zones].zone = z;
        s->zones[s->n_zones].n_addr_types = zone_addr_types(z);
        if (s->round_robin)
            s->zones[s->n_zones].rotation = xcalloc(z->n_rrs ? z->n_rrs : 1, sizeof(uint32_t));
        s->n_zones++;
    }
    origin_index_init(&s->by_origin, s->n_zones);
    for (size_t i = 0; i < s->n_zones; i++) {
        const DnsName *origin = &s->zones[i].zone->origin;
        origin_index_add(&s->by_origin, origin, (uint32_t)i);
        if (origin->labels > s->max_labels)
            s->max_labels = origin->labels;
        if (s->zones[i].zone->n_regions)
            s->regional = true;
    }
    dns_msg_init(&s->q);
    dns_msg_init(&s->r);
    return s;
}

static void forward_free(Forward *f);
static void given_forget(DnsServer *s);

void dns_server_free(DnsServer *s)
{
    if (!s)
        return;
    given_forget(s);
    while (s->forwards)
        forward_free(s->forwards);
    if (s->sim)
        dns_cache_fini(&s->cache);
    for (size_t i = 0; i < s->n_zones; i++)
        free(s->zones[i].rotation);
    free(s->zones);
    free(s->by_origin.slot);
    dns_msg_fini(&s->q);
    dns_msg_fini(&s->r);
    free(s);
}

/* ---- finding data ------------------------------------------------------ */

/* The served zone closest to name (the longest origin above it): the
 * name's suffixes, longest first, looked up by origin; those with more
 * labels than any origin are passed over. */
static Served *closest_zone(DnsServer *s, const DnsName *name)
{
    size_t off = 0;
    for (int k = name->labels; k > s->max_labels; k--)
        off += 1u + name->data[off];
    for (;; off += 1u + name->data[off]) {
        size_t len = name->len - off;
        const uint8_t *p = name->data + off;
        long k = origin_index_find(&s->by_origin, p, len, dns_name_hash_wire(p, len));
        if (k >= 0)
            return &s->zones[k];
        if (name->data[off] == 0)
            return NULL;
    }
}

/* The records of one type at a name, for an asker in a region: the
 * region's own if it has any, else those for every region. */
typedef struct RRset {
    const DnsZoneRR *first;
    size_t count;    /* records of this type, before region filtering */
    uint16_t region; /* the region kept: 0 or the asker's */
    size_t kept;
    size_t at; /* index of the first in the zone */
} RRset;

/* The type of the one RRset NSD gives for ANY: NSD walks the name's
 * RRsets in the order the zone first lists each type, and takes the first
 * of type A, AAAA, SOA, MX or PTR; else the last of any other type but
 * DNSKEY, RRSIG and NSEC; else one of those; 0 if none. */
static uint16_t any_rrset_type(const DnsZone *z, const DnsZoneName *e)
{
    uint16_t pick = 0, normal = 0, other = 0;
    uint32_t pick_at = 0, normal_at = 0;
    for (size_t i = e ? e->first : 0; e && i < e->first + e->count; i++) {
        uint16_t t = z->rrs[i].type;
        uint32_t at = z->rrs[i].order;
        if (i > e->first && z->rrs[i - 1].type == t)
            continue; /* the RRset's place is its first record's */
        for (size_t k = i + 1; k < e->first + e->count && z->rrs[k].type == t; k++)
            at = z->rrs[k].order < at ? z->rrs[k].order : at;
        switch (t) {
        case DNS_TYPE_A:
        case DNS_TYPE_AAAA:
        case DNS_TYPE_SOA:
        case DNS_TYPE_MX:
        case DNS_TYPE_PTR:
            if (!pick || at < pick_at)
                pick = t, pick_at = at;
            break;
        case 48: /* DNSKEY */
        case 46: /* RRSIG */
        case 47: /* NSEC */
            other = t;
            break;
        default:
            if (!normal || at > normal_at)
                normal = t, normal_at = at;
        }
    }
    return pick ? pick : normal ? normal : other;
}

static bool find_rrset(const DnsZone *z, const DnsZoneName *e, uint16_t type, uint16_t region,
                       RRset *out)
{
    if (!e)
        return false;
    size_t i = e->first, end = e->first + e->count;
    while (i < end && z->rrs[i].type != type)
        i++;
    if (i == end)
        return false;
    size_t j = i;
    size_t mine = 0, everyone = 0;
    while (j < end && z->rrs[j].type == type) {
        if (region && z->rrs[j].region == region)
            mine++;
        else if (z->rrs[j].region == 0)
            everyone++;
        j++;
    }
    out->first = &z->rrs[i];
    out->count = j - i;
    out->at = i;
    out->region = mine ? region : 0;
    out->kept = mine ? mine : everyone;
    return out->kept > 0;
}

/* Adds an RRset to a section, rotated by the server's counter if asked. */
static void add_rrset(DnsServer *s, Served *sv, DnsMsg *r, DnsSection sec, const RRset *set,
                      const DnsName *owner, bool rotate)
{
    size_t k = set->kept, start = 0;
    if (rotate && s->round_robin && k > 1)
        start = sv->rotation[set->at]++ % k;
    const DnsZoneRR *keep[256];
    size_t n = 0;
    for (size_t i = 0; i < set->count && n < MN_ARRAY_LEN(keep); i++)
        if (set->first[i].region == set->region)
            keep[n++] = &set->first[i];
    if (!n)
        return;
    /* One owner for the whole RRset (its records share their zone name),
     * made once rather than once a record. */
    DnsName own;
    if (!owner) {
        dns_zone_name(sv->zone, &sv->zone->names[keep[0]->owner], &own);
        owner = &own;
    }
    for (size_t i = 0; i < n; i++) {
        const DnsZoneRR *zr = keep[(start + i) % n];
        dns_msg_add_rr(r, sec, owner, zr->type, DNS_CLASS_IN, zr->ttl, zr->rdata, zr->rdlen);
    }
}

static bool already(const DnsMsg *r, DnsSection sec, const DnsName *name, uint16_t type)
{
    for (size_t i = 0; i < r->n[sec]; i++)
        if (r->rr[sec][i].type == type && dns_name_equal(r->rr[sec][i].name, name))
            return true;
    for (size_t i = 0; i < r->n[DNS_ANSWER]; i++)
        if (r->rr[DNS_ANSWER][i].type == type && dns_name_equal(r->rr[DNS_ANSWER][i].name, name))
            return true;
    return false;
}

/* The name inside NS, MX, SRV or CNAME rdata. */
static bool target_of(const DnsRR *rr, DnsName *out)
{
    size_t off;
    switch (rr->type) {
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
        off = 0;
        break;
    case DNS_TYPE_MX:
        off = 2;
        break;
    case 33: /* SRV */
        off = 6;
        break;
    default:
        return false;
    }
    return rr->rdlen > off && dns_name_from_wire(out, rr->rdata + off, rr->rdlen - off);
}

/* ---- answering --------------------------------------------------------- */

typedef enum Outcome {
    OUT_ANSWER,
    OUT_REFERRAL,
    OUT_NXDOMAIN,
    OUT_NODATA,
    OUT_REFUSED,
} Outcome;

typedef struct Story {
    Outcome outcome;
    const DnsZone *zone; /* where the last step was answered from */
    int chain;           /* CNAMEs followed */
    bool loop;
    bool wild; /* the last step was answered by a wildcard: wild_w */
    /* The names last: story_init clears the rest and only their lengths. */
    DnsName cut;    /* a referral's delegation point */
    DnsName last;   /* the name the last step looked up */
    DnsName wild_w; /* the wildcard (`*.w.example.org.`) */
} Story;

/* An empty story: names are read only as far as their length. */
static void story_init(Story *st)
{
    memset(st, 0, offsetof(Story, cut));
    st->cut.len = st->cut.labels = 0;
    st->last.len = st->last.labels = 0;
    st->wild_w.len = st->wild_w.labels = 0;
}

static void add_negative_soa(DnsMsg *r, const DnsZone *z)
{
    const DnsRR *soa = z->soa;
    dns_msg_add_rr(r, DNS_AUTHORITY, soa->name, soa->type, soa->klass, z->negative_ttl, soa->rdata,
                   soa->rdlen);
}

/* Where below the apex the path to name crosses a delegation, if it does.
 * If it does not, *own is name's own entry, found on the way, or NULL if
 * the zone lacks name or a name on its path. */
static const DnsZoneName *find_cut(const DnsZone *z, const DnsName *name, const DnsZoneName **own)
{
    *own = NULL;
    if (name->labels <= z->origin.labels) { /* the apex itself */
        *own = dns_zone_lookup(z, name);
        return NULL;
    }
    const DnsZoneName *e = NULL;
    for (int k = z->origin.labels + 1; k <= name->labels; k++) {
        DnsName a;
        if (k < name->labels)
            dns_name_suffix(name, k, &a);
        e = dns_zone_lookup(z, k < name->labels ? &a : name);
        if (!e)
            return NULL;
        for (size_t i = e->first; i < e->first + e->count; i++)
            if (z->rrs[i].type == DNS_TYPE_NS)
                return e;
    }
    *own = e;
    return NULL;
}

static void referral(DnsServer *s, Served *sv, DnsMsg *r, const DnsZoneName *cut,
                     const char *region, Story *st)
{
    const DnsZone *z = sv->zone;
    RRset ns;
    uint16_t reg = dns_zone_region(z, region);
    if (!find_rrset(z, cut, DNS_TYPE_NS, reg, &ns))
        find_rrset(z, cut, DNS_TYPE_NS, 0, &ns);
    add_rrset(s, sv, r, DNS_AUTHORITY, &ns, NULL, false);
    /* Glue: only for name servers inside this zone (NSD's rule); every A
     * record first, then every AAAA, as NSD orders them. */
    size_t n_ns = r->n[DNS_AUTHORITY];
    for (size_t k = 0; k < sv->n_addr_types; k++)
        for (size_t i = 0; i < n_ns; i++) {
            DnsName t;
            if (!target_of(&r->rr[DNS_AUTHORITY][i], &t) || !dns_name_is_under(&t, &z->origin))
                continue;
            const DnsZoneName *e = dns_zone_lookup(z, &t);
            RRset g;
            if (!already(r, DNS_ADDITIONAL, &t, addr_types[k]) &&
                find_rrset(z, e, addr_types[k], reg, &g))
                add_rrset(s, sv, r, DNS_ADDITIONAL, &g, NULL, false);
        }
    st->outcome = OUT_REFERRAL;
    st->zone = z;
    dns_zone_name(z, cut, &st->cut);
}

/* The zone's NS in authority and their addresses, after a positive answer. */
static void add_zone_ns(DnsServer *s, Served *sv, DnsMsg *r, const char *region)
{
    const DnsZone *z = sv->zone;
    const DnsZoneName *apex = dns_zone_lookup(z, &z->origin);
    RRset ns;
    if (!find_rrset(z, apex, DNS_TYPE_NS, dns_zone_region(z, region), &ns))
        return;
    if (!already(r, DNS_AUTHORITY, &z->origin, DNS_TYPE_NS))
        add_rrset(s, sv, r, DNS_AUTHORITY, &ns, NULL, false);
}

static const DnsZoneName *find_cut(const DnsZone *z, const DnsName *name, const DnsZoneName **own);

/* Additional data as NSD adds it: addresses of the names that the answer
 * and authority sections mention (not CNAME targets), taken only from the
 * answer's own zone, and from below one of its delegations only for name
 * servers (glue); every A record first, then every AAAA. */
static void add_additional(DnsServer *s, Served *sv, DnsMsg *r, const char *region)
{
    const DnsZone *z = sv->zone;
    uint16_t reg = dns_zone_region(z, region);
    static const DnsSection secs[] = {DNS_ANSWER, DNS_AUTHORITY};
    for (size_t k = 0; k < sv->n_addr_types; k++)
        for (size_t si = 0; si < 2; si++)
            for (size_t i = 0; i < r->n[secs[si]]; i++) {
                const DnsRR *rr = &r->rr[secs[si]][i];
                DnsName t;
                const DnsZoneName *e = NULL;
                if (rr->type == DNS_TYPE_CNAME || !target_of(rr, &t) ||
                    !dns_name_is_under(&t, &z->origin) ||
                    (rr->type != DNS_TYPE_NS && find_cut(z, &t, &e)))
                    continue;
                if (rr->type == DNS_TYPE_NS) /* glue may lie below a cut: no walk */
                    e = dns_zone_lookup(z, &t);
                RRset set;
                if (!already(r, DNS_ADDITIONAL, &t, addr_types[k]) &&
                    find_rrset(z, e, addr_types[k], reg, &set))
                    add_rrset(s, sv, r, DNS_ADDITIONAL, &set, NULL, false);
            }
}

/* A wildcard that stands for name, which the zone does not have (RFC
 * 4592): `*` under name's closest encloser, the nearest ancestor the zone
 * has (an empty non-terminal counts); NULL if that has no `*` child. */
static const DnsZoneName *wildcard_for(const DnsZone *z, const DnsName *name)
{
    DnsName a;
    for (int k = name->labels - 1; k >= z->origin.labels; k--) {
        dns_name_suffix(name, k, &a);
        if (!dns_zone_lookup(z, &a))
            continue;
        if (a.len + 2 > DNS_NAME_MAX)
            return NULL;
        DnsName w;
        w.data[0] = 1;
        w.data[1] = '*';
        memcpy(w.data + 2, a.data, a.len);
        w.len = (uint8_t)(a.len + 2);
        w.labels = (uint8_t)(a.labels + 1);
        return dns_zone_lookup(z, &w);
    }
    return NULL;
}

/* Answers qname/qtype into r, following CNAMEs; sv0 is qname0's closest
 * zone. */
static void resolve(DnsServer *s, DnsMsg *r, const DnsName *qname0, Served *sv0, uint16_t qtype,
                    const char *region, Story *st)
{
    DnsName qname;
    dns_name_copy(&qname, qname0);
    DnsName seen[MAX_CNAME_CHAIN + 1];
    size_t nseen = 0;
    Served *last_sv = NULL, *sv = NULL;
    for (;;) {
        dns_name_copy(&seen[nseen++], &qname);
        dns_name_copy(&st->last, &qname);
        sv = nseen == 1 ? sv0 : closest_zone(s, &qname);
        if (!sv) {
            /* Only possible after a CNAME: its target is somewhere else. */
            st->outcome = st->chain ? OUT_ANSWER : OUT_REFUSED;
            break;
        }
        const DnsZone *z = sv->zone;
        last_sv = sv;
        st->zone = z;
        uint16_t reg = dns_zone_region(z, region);
        const DnsZoneName *e;
        const DnsZoneName *cut = find_cut(z, &qname, &e);
        if (cut) {
            if (st->chain == 0) {
                referral(s, sv, r, cut, region, st);
                r->aa = false;
            } else {
                /* The alias leads below a delegation: as NSD, keep AA for
                 * the alias and add the referral for its target. */
                referral(s, sv, r, cut, region, st);
                st->outcome = OUT_ANSWER;
            }
            return;
        }
        /* A name the zone lacks may be one of a wildcard's: its records
         * then answer, with the name asked as their owner. */
        const DnsName *owner = NULL;
        st->wild = false;
        if (!e && (e = wildcard_for(z, &qname))) {
            owner = &qname;
            st->wild = true;
            dns_zone_name(z, e, &st->wild_w);
        }
        if (!e) {
            r->rcode = DNS_RCODE_NXDOMAIN;
            add_negative_soa(r, z);
            st->outcome = OUT_NXDOMAIN;
            return;
        }
        RRset set;
        if (qtype != DNS_TYPE_CNAME && find_rrset(z, e, DNS_TYPE_CNAME, reg, &set)) {
            size_t before = r->n[DNS_ANSWER];
            add_rrset(s, sv, r, DNS_ANSWER, &set, owner, false);
            DnsName target;
            if (r->n[DNS_ANSWER] == before || !target_of(&r->rr[DNS_ANSWER][before], &target))
                break;
            bool loop = false;
            for (size_t i = 0; i < nseen; i++)
                loop |= dns_name_equal(&seen[i], &target);
            if (loop) {
                /* As NSD: the answer stops where the chain repeats, with
                 * nothing in authority or additional. */
                st->loop = true;
                st->outcome = OUT_ANSWER;
                return;
            }
            if (st->chain + 1 > MAX_CNAME_CHAIN || nseen > MAX_CNAME_CHAIN) {
                st->outcome = OUT_ANSWER;
                break;
            }
            st->chain++;
            dns_name_copy(&qname, &target);
            continue;
        }
        if (qtype == DNS_TYPE_ANY) {
            /* RFC 8482, as NSD (query.c, answer_domain): one RRset, and
             * nothing in authority or additional. */
            uint16_t pick = any_rrset_type(z, e);
            bool found = pick && find_rrset(z, e, pick, reg, &set);
            if (!found) {
                add_negative_soa(r, z);
                st->outcome = OUT_NODATA;
                return;
            }
            add_rrset(s, sv, r, DNS_ANSWER, &set, owner, true);
            st->outcome = OUT_ANSWER;
            return;
        } else if (find_rrset(z, e, qtype, reg, &set)) {
            add_rrset(s, sv, r, DNS_ANSWER, &set, owner, true);
            st->outcome = OUT_ANSWER;
        } else {
            add_negative_soa(r, z);
            st->outcome = OUT_NODATA;
            return;
        }
        break;
    }
    if (st->outcome != OUT_ANSWER || !last_sv)
        return;
    /* As NSD: the zone's NS in authority (unless the answer is that NS),
     * then the addresses of what the answer and the NS name. */
    bool answer_is_apex_ns = r->n[DNS_ANSWER] && qtype == DNS_TYPE_NS &&
                             dns_name_equal(&st->last, &last_sv->zone->origin);
    if (!answer_is_apex_ns && sv == last_sv) /* st->last's zone is the answer's */
        add_zone_ns(s, last_sv, r, region);
    add_additional(s, last_sv, r, region);
}

/* ---- captions ---------------------------------------------------------- */

/* A zone as people say it: "the root", ".edu", "montana.edu". */
static const char *zone_prose(const DnsName *origin, char *buf, size_t size)
{
    if (origin->labels == 0) {
        snprintf(buf, size, "the root");
        return buf;
    }
    char n[300];
    dns_name_prose(origin, n, sizeof n);
    snprintf(buf, size, origin->labels == 1 ? ".%s" : "%s", n);
    return buf;
}

static void describe_server(const DnsServer *s, const DnsZone *z, Buf *out)
{
    const char *id = s->w->nodes[s->node].id;
    char zn[300];
    if (!z) {
        buf_printf(out, "%s", id);
        return;
    }
    zone_prose(&z->origin, zn, sizeof zn);
    if (z->origin.labels == 0)
        buf_printf(out, "The root server %s", id);
    else if (z->origin.labels == 1)
        buf_printf(out, "%s, the TLD server for %s,", id, zn);
    else
        buf_printf(out, "%s, authoritative for %s,", id, zn);
}

static void rdata_brief(const DnsRR *rr, Buf *out)
{
    char t[16];
    buf_printf(out, "%s ", dns_type_name(rr->type, t));
    size_t at = out->len;
    dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, out);
    if (out->len > at + 1 && out->data[out->len - 1] == '.')
        out->data[--out->len] = '\0'; /* "MX 50 mail.montana.edu", mid-sentence */
}

static void caption(const DnsServer *s, const DnsMsg *r, const DnsName *qname, uint16_t qtype,
                    const Story *st, Buf *out)
{
    char qn[300], tb[16], cn[300];
    dns_name_prose(qname, qn, sizeof qn);
    const char *t = dns_type_name(qtype, tb);
    switch (st->outcome) {
    case OUT_REFUSED:
        buf_printf(out,
                   "%s serves no zone that contains %s and does not look names up for "
                   "others, so it answers REFUSED.",
                   s->w->nodes[s->node].id, qn);
        return;
    case OUT_REFERRAL: {
        describe_server(s, st->zone, out);
        zone_prose(&st->cut, cn, sizeof cn);
        buf_printf(out, " does not know %s, but it knows who runs %s: ", qn, cn);
        size_t n = r->n[DNS_AUTHORITY];
        for (size_t i = 0; i < n && i < 3; i++) {
            DnsName ns;
            char nn[300];
            if (!target_of(&r->rr[DNS_AUTHORITY][i], &ns))
                continue;
            buf_printf(out, "%s%s", i ? (i + 1 == n || i == 2 ? " and " : ", ") : "",
                       dns_name_prose(&ns, nn, sizeof nn));
            for (size_t k = 0; k < r->n[DNS_ADDITIONAL]; k++) {
                const DnsRR *g = &r->rr[DNS_ADDITIONAL][k];
                if (g->type == DNS_TYPE_A && dns_name_equal(g->name, &ns)) {
                    buf_puts(out, " (");
                    dns_rdata_to_text(g->type, g->rdata, g->rdlen, out);
                    buf_puts(out, ")");
                    break;
                }
            }
        }
        if (n > 3)
            buf_printf(out, " and %zu more", n - 3);
        buf_printf(out,
                   ". It refers the asker there: a referral, with no answer, the NS "
                   "records in the authority section%s, and AA clear because it is not "
                   "the authority for %s.",
                   r->n[DNS_ADDITIONAL] ? " and their addresses (glue) in the additional section"
                                        : "",
                   qn);
        return;
    }
    case OUT_NXDOMAIN:
        describe_server(s, st->zone, out);
        dns_name_prose(&st->last, cn, sizeof cn);
        buf_printf(out,
                   " answers that %s does not exist (NXDOMAIN)%s; the SOA record in the "
                   "authority section says to remember that for %u s.",
                   cn, st->chain ? " at the end of the alias chain" : "",
                   r->rr[DNS_AUTHORITY][r->n[DNS_AUTHORITY] - 1].ttl);
        return;
    case OUT_NODATA:
        describe_server(s, st->zone, out);
        dns_name_prose(&st->last, cn, sizeof cn);
        if (st->wild) {
            char wn[300];
            buf_printf(out,
                       " has no %s itself, but the wildcard %s stands for it, and that has no "
                       "%s record: NOERROR with an empty answer (NODATA), and the SOA in the "
                       "authority section says to remember that for %u s.",
                       cn, dns_name_prose(&st->wild_w, wn, sizeof wn), t,
                       r->rr[DNS_AUTHORITY][r->n[DNS_AUTHORITY] - 1].ttl);
            return;
        }
        buf_printf(out,
                   " answers that %s exists but has no %s record: NOERROR with an empty "
                   "answer (NODATA), and the SOA in the authority section says to remember "
                   "that for %u s.",
                   cn, t, r->rr[DNS_AUTHORITY][r->n[DNS_AUTHORITY] - 1].ttl);
        return;
    case OUT_ANSWER:
        break;
    }
    describe_server(s, st->zone, out);
    buf_printf(out, " answers %s %s with authority (AA): ", qn, t);
    if (st->wild) {
        char wn[300], ln[300];
        buf_printf(out,
                   "%s is not in the zone, so the wildcard %s answers for it (RFC 4592), "
                   "its records given %s as their owner; ",
                   dns_name_prose(&st->last, ln, sizeof ln),
                   dns_name_prose(&st->wild_w, wn, sizeof wn), ln);
    }
    size_t n = r->n[DNS_ANSWER];
    for (size_t i = 0; i < n && i < 6; i++) {
        const DnsRR *rr = &r->rr[DNS_ANSWER][i];
        DnsName tg;
        if (rr->type == DNS_TYPE_CNAME && target_of(rr, &tg)) {
            char a[300], b[300];
            buf_printf(out, "%s%s is an alias (CNAME) for %s", i ? "; " : "",
                       dns_name_prose(rr->name, a, sizeof a), dns_name_prose(&tg, b, sizeof b));
            continue;
        }
        buf_puts(out, i ? "; " : "");
        rdata_brief(rr, out);
    }
    if (n > 6)
        buf_printf(out, "; and %zu more", n - 6);
    if (n)
        buf_printf(out, " (TTL %u s)", r->rr[DNS_ANSWER][n - 1].ttl);
    if (st->loop)
        buf_puts(out, ". The aliases loop back, so it stops there");
    else if (st->chain >= MAX_CNAME_CHAIN)
        buf_puts(out, ". The chain of aliases is too long to follow further");
    else if (st->chain && n && r->rr[DNS_ANSWER][n - 1].type == DNS_TYPE_CNAME)
        buf_puts(out, ". The alias points outside its zones: the asker must look it up elsewhere");
    if (s->round_robin && n > 1)
        buf_puts(out, ". It rotates the order on each answer (round robin)");
    buf_putc(out, '.');
}

/* ---- one query --------------------------------------------------------- */

/* A UDP answer cut short: what a student should know about TC. */
static void truncated_caption(DnsServer *s, const DnsMsg *r, size_t limit, bool edns, Buf *out)
{
    uint8_t *full = xmalloc(DNS_TCP_MAX);
    size_t whole = dns_encode(r, full, DNS_TCP_MAX);
    free(full);
    buf_printf(
        out,
        " The whole answer is %zu bytes, more than the %zu a UDP answer may carry here (%s): "
        "%s sends the question alone with TC set (truncated), which tells the asker to ask "
        "again over TCP.",
        whole, limit,
        edns ? "the smaller of the UDP sizes that the asker's EDNS record and the server offer"
             : "512 bytes without EDNS",
        s->w->nodes[s->node].id);
}

static size_t error_reply(const uint8_t *query, size_t len, uint8_t rcode, uint8_t *out, size_t cap)
{
    /* Header only, with the query's ID, opcode and RD: no question can be
     * trusted from a message that did not decode. */
    if (len < DNS_HEADER_LEN || cap < DNS_HEADER_LEN)
        return 0;
    memcpy(out, query, 4);
    out[2] = (uint8_t)(0x80 | (query[2] & 0x79)); /* QR, opcode, RD */
    out[3] = rcode;
    memset(out + 4, 0, 8);
    return DNS_HEADER_LEN;
}

/* The answer; stream: over TCP, where only cap limits its size. */
/* What NSD answers about itself in class CH: its version to version.bind
 * and version.server, its host's name to id.server and hostname.bind (TXT).
 * NULL for any other question. */
static const char *server_itself(const DnsServer *s, const DnsQuestion *q)
{
    return dns_chaos_text(q->klass, q->type, &q->name, "NSD 4.6.1", s->w->nodes[s->node].id);
}

static size_t answer(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                     uint8_t *out, size_t cap, Buf *cap_text, bool stream)
{
    char why[160];
    DnsMsg *q = &s->q, *r = &s->r;
    if (len >= 3 && (query[2] & 0x80))
        return 0; /* a response: never answer one */
    if (!dns_decode(q, query, len, why, sizeof why)) {
        if (cap_text)
            buf_printf(cap_text, "%s cannot read the query (%s) and answers FORMERR.",
                       s->w->nodes[s->node].id, why);
        return error_reply(query, len, DNS_RCODE_FORMERR, out, cap);
    }
    if (q->opcode != DNS_OPCODE_QUERY) {
        if (cap_text)
            buf_printf(cap_text,
                       "%s only answers standard queries (opcode QUERY): it answers "
                       "NOTIMP to opcode %u.",
                       s->w->nodes[s->node].id, q->opcode);
        return error_reply(query, len, DNS_RCODE_NOTIMP, out, cap);
    }
    if (q->n_qd != 1 || q->n[DNS_ANSWER] || q->n[DNS_AUTHORITY]) {
        if (cap_text)
            buf_printf(cap_text,
                       "%s expects exactly one question and no records in a query: "
                       "it answers FORMERR.",
                       s->w->nodes[s->node].id);
        return error_reply(query, len, DNS_RCODE_FORMERR, out, cap);
    }
    size_t limit = DNS_UDP_MAX;
    bool edns = false;
    for (size_t i = 0; i < q->n[DNS_ADDITIONAL]; i++)
        if (q->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT) {
            edns = true;
            uint16_t asked = q->rr[DNS_ADDITIONAL][i].klass;
            limit =
                asked < DNS_UDP_MAX ? DNS_UDP_MAX : (asked > EDNS_UDP_SIZE ? EDNS_UDP_SIZE : asked);
        }
    dns_msg_reset(r);
    r->id = q->id;
    r->qr = true;
    r->opcode = q->opcode;
    r->rd = q->rd;
    r->cd = q->cd;
    const DnsQuestion *qq = &q->qd[0];
    dns_msg_add_question(r, &qq->name, qq->type, qq->klass);
    Story st;
    story_init(&st);
    Served *sv = NULL;
    const char *itself = server_itself(s, qq);
    if (itself) {
        /* NSD's answers about itself: TTL 0, class CH, not authoritative. */
        uint8_t rd[256];
        dns_msg_add_rr(r, DNS_ANSWER, &qq->name, DNS_TYPE_TXT, DNS_CLASS_CH, 0, rd,
                       dns_txt_rdata(itself, rd));
        if (cap_text)
            buf_printf(cap_text,
                       "%s answers a question about itself in class CH (chaos), as NSD does: "
                       "\"%s\".",
                       s->w->nodes[s->node].id, itself);
        cap_text = NULL;
    } else if (qq->type == DNS_TYPE_AXFR || qq->type == DNS_TYPE_IXFR) {
        /* NSD transfers a zone only to the addresses its provide-xfr lists:
         * none here. */
        r->rcode = DNS_RCODE_REFUSED;
        if (cap_text)
            buf_printf(cap_text,
                       "%s is asked for a zone transfer, which it gives only to the secondary "
                       "servers its configuration names (none here): REFUSED, as NSD answers.",
                       s->w->nodes[s->node].id);
        cap_text = NULL;
    } else if (qq->klass != DNS_CLASS_IN && qq->klass != DNS_TYPE_ANY) {
        r->rcode = DNS_RCODE_REFUSED;
        st.outcome = OUT_REFUSED;
    } else if (!(sv = closest_zone(s, &qq->name))) {
        r->rcode = DNS_RCODE_REFUSED;
        st.outcome = OUT_REFUSED;
    } else {
        r->aa = true;
        resolve(s, r, &qq->name, sv, qq->type, region, &st);
        if (st.outcome == OUT_REFERRAL)
            r->aa = false;
    }
    if (edns) {
        /* OPT: our UDP size in CLASS, no extended flags; with REFUSED, as
         * NSD, the extended error 20 "Not Authoritative" (RFC 8914). */
        static const uint8_t ede_not_authoritative[] = {0, 15, 0, 2, 0, 20};
        bool refused = r->rcode == DNS_RCODE_REFUSED;
        dns_msg_add_opt(r, EDNS_UDP_SIZE, refused ? ede_not_authoritative : NULL,
                        refused ? sizeof ede_not_authoritative : 0);
    }
    if (cap_text) /* NULL where the answer was described above */
        caption(s, r, &qq->name, qq->type, &st, cap_text);
    if (stream)
        limit = cap;
    size_t n = dns_encode(r, out, cap < limit ? cap : limit);
    if (n < 4 || !(out[2] & 0x02))
        return n;
    /* Too big for UDP: as NSD, the question alone (and the OPT record)
     * with TC set, never a part of the answer that could be taken for
     * all of it. */
    if (cap_text)
        truncated_caption(s, r, limit, edns, cap_text);
    r->tc = true;
    r->n[DNS_ANSWER] = r->n[DNS_AUTHORITY] = 0;
    size_t keep = 0;
    for (size_t i = 0; i < r->n[DNS_ADDITIONAL]; i++)
        if (r->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT)
            r->rr[DNS_ADDITIONAL][keep++] = r->rr[DNS_ADDITIONAL][i];
    r->n[DNS_ADDITIONAL] = keep;
    return dns_encode(r, out, cap < limit ? cap : limit);
}

size_t dns_server_answer(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                         uint8_t *out, size_t cap, Buf *cap_text)
{
    return answer(s, query, len, region, out, cap, cap_text, false);
}

size_t dns_server_answer_tcp(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                             uint8_t *out, size_t cap, Buf *cap_text)
{
    return answer(s, query, len, region, out, cap, cap_text, true);
}

/* ---- on the network ---------------------------------------------------- */

typedef struct Session Session;

typedef struct DnsServerSet {
    DnsServer **servers;
    size_t n;
    Rng rng;           /* "dns-server": IDs of the queries a recursive server forwards */
    Session *sessions; /* TCP connections of clients, on every server */
} DnsServerSet;

/* ---- recursion ----------------------------------------------------------- */

/* A server with recursion on does what the textbook's recursive figure
 * shows, and what real root and TLD servers never do: where it would refer,
 * it asks the next server itself (RD set), then relays the answer. */
struct Forward {
    DnsServer *s;
    Forward *next;
    uint32_t client;
    uint16_t cport, cid;
    bool edns;
    DnsName qname;
    uint16_t qtype;
    uint32_t target[8];
    DnsName tname[8];
    int n, at;
    uint16_t id, port;
    EvHandle timer;
};

static void forward_free(Forward *f)
{
    DnsServer *s = f->s;
    for (Forward **p = &s->forwards; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    if (f->port)
        udp_unbind(s->sim, s->node, f->port);
    sim_cancel(s->sim, f->timer);
    free(f);
}

static const char *id_of(const DnsServer *s, uint32_t addr)
{
    int n;
    return world_find_addr(s->w, addr, &n, NULL) ? s->w->nodes[n].id : "?";
}

static void relay(Forward *f, const DnsMsg *m, uint8_t rcode)
{
    DnsServer *s = f->s;
    Sim *sim = s->sim;
    DnsMsg out;
    dns_msg_init(&out);
    out.id = f->cid;
    out.qr = true;
    out.rd = true;
    out.ra = true;
    out.rcode = m ? m->rcode : rcode;
    dns_msg_add_question(&out, &f->qname, f->qtype, DNS_CLASS_IN);
    for (int sec = 0; m && sec < DNS_SECTIONS; sec++)
        for (size_t i = 0; i < m->n[sec]; i++) {
            const DnsRR *rr = &m->rr[sec][i];
            if (rr->type == DNS_TYPE_OPT)
                continue;
            dns_msg_add_rr(&out, (DnsSection)sec, rr->name, rr->type, rr->klass, rr->ttl, rr->rdata,
                           rr->rdlen);
        }
    /* What comes back is cached, RRset by RRset. */
    if (m)
        dns_cache_put_all(&s->cache, m->rr[DNS_ANSWER], m->n[DNS_ANSWER], NULL);
    if (f->edns) {
        dns_msg_add_opt(&out, EDNS_UDP_SIZE, NULL, 0);
    }
    uint8_t buf[ETH_MTU];
    size_t n = dns_encode(&out, buf, f->edns ? EDNS_UDP_SIZE : DNS_UDP_MAX);
    uint64_t pkt = sim_packet_id(sim);
    char rc[16], why[200];
    Ipv4Route route;
    NetErr e = ipv4_send_check(sim, s->node, f->client, UDP_HLEN + n, &route);
    if (e != NET_OK)
        trace_note(&sim->trace, sim->now, 0, "%s cannot relay the answer to %s: %s.",
                   s->w->nodes[s->node].id, id_of(s, f->client),
                   ipv4_err_reason(sim, s->node, f->client, e, why, sizeof why));
    else if (m)
        trace_note(&sim->trace, sim->now, pkt,
                   "%s relays the answer from %s to %s: AA clear (it is not the authority), RA "
                   "set (it did the recursion), and it keeps a copy in its cache.",
                   s->w->nodes[s->node].id, id_of(s, f->target[f->at]), id_of(s, f->client));
    else
        trace_note(&sim->trace, sim->now, pkt, "No server answered %s: it tells %s %s.",
                   s->w->nodes[s->node].id, id_of(s, f->client), dns_rcode_name(rcode, rc));
    if (e == NET_OK)
        udp_send_on(sim, &route, pkt, 53, f->cport, 0, buf, n, NULL);
    dns_msg_fini(&out);
    forward_free(f);
}

static void forward_next(Forward *f);

static void on_forward_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Forward *f = ctx;
    f->timer = 0;
    f->at++;
    forward_next(f);
}

static void on_forward_reply(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)sim;
    (void)node;
    Forward *f = ctx;
    DnsMsg r;
    char why[160];
    dns_msg_init(&r);
    if (f->timer && m->src == f->target[f->at] && m->sport == 53 &&
        dns_decode(&r, m->data, m->len, why, sizeof why) && r.qr && r.id == f->id && r.n_qd == 1 &&
        r.qd[0].type == f->qtype && dns_name_equal(&r.qd[0].name, &f->qname)) {
        sim_cancel(f->s->sim, f->timer);
        f->timer = 0;
        relay(f, &r, 0);
    }
    dns_msg_fini(&r);
}

static void forward_next(Forward *f)
{
    DnsServer *s = f->s;
    Sim *sim = s->sim;
    if (f->at >= f->n) {
        relay(f, NULL, DNS_RCODE_SERVFAIL);
        return;
    }
    DnsMsg q;
    dns_msg_init(&q);
    DnsServerSet *set = sim->svc[SVC_DNS_SERVER];
    f->id = (uint16_t)rng_below(&set->rng, 65536);
    q.id = f->id;
    q.rd = true;
    dns_msg_add_question(&q, &f->qname, f->qtype, DNS_CLASS_IN);
    if (f->edns) {
        dns_msg_add_opt(&q, EDNS_UDP_SIZE, NULL, 0);
    }
    uint8_t buf[DNS_UDP_MAX];
    size_t n = dns_encode(&q, buf, sizeof buf);
    dns_msg_fini(&q);
    if (!f->port)
        do
            f->port = net_ephemeral_port(sim->net, s->node);
        while (!udp_bind(sim, s->node, f->port, on_forward_reply, f));
    uint64_t pkt = sim_packet_id(sim);
    char tn[300], addr[16], why[200];
    ip_format(f->target[f->at], addr);
    Ipv4Route route;
    NetErr e = ipv4_send_check(sim, s->node, f->target[f->at], UDP_HLEN + n, &route);
    if (e != NET_OK)
        trace_note(&sim->trace, sim->now, 0, "%s cannot ask %s (%s) on behalf of %s: %s.",
                   s->w->nodes[s->node].id, dns_name_prose(&f->tname[f->at], tn, sizeof tn), addr,
                   id_of(s, f->client),
                   ipv4_err_reason(sim, s->node, f->target[f->at], e, why, sizeof why));
    else
        trace_note(&sim->trace, sim->now, pkt,
                   "%s has recursion switched on (real root and TLD servers never do): instead of "
                   "referring %s to %s, it asks %s (%s) itself, with RD set, and will relay the "
                   "answer.",
                   s->w->nodes[s->node].id, id_of(s, f->client),
                   dns_name_prose(&f->tname[f->at], tn, sizeof tn), tn, addr);
    if (e == NET_OK)
        udp_send_on(sim, &route, pkt, f->port, 53, 0, buf, n, NULL);
    f->timer = sim_after(sim, 1000000, on_forward_timeout, f, 0);
}

/* After answering: was s->r a referral the server should follow itself? */
static bool start_forward(DnsServer *s, const UdpMsg *m)
{
    const DnsMsg *r = &s->r;
    if (!s->recursion || !s->q.rd || r->aa || r->rcode != DNS_RCODE_NOERROR || r->n[DNS_ANSWER] ||
        !r->n[DNS_AUTHORITY] || r->rr[DNS_AUTHORITY][0].type != DNS_TYPE_NS)
        return false;
    Forward *f = xcalloc(1, sizeof *f);
    f->s = s;
    for (size_t i = 0; i < r->n[DNS_AUTHORITY] && f->n < 8; i++) {
        DnsName t;
        if (!target_of(&r->rr[DNS_AUTHORITY][i], &t))
            continue;
        for (size_t k = 0; k < r->n[DNS_ADDITIONAL]; k++) {
            const DnsRR *g = &r->rr[DNS_ADDITIONAL][k];
            if (g->type == DNS_TYPE_A && g->rdlen == 4 && dns_name_equal(g->name, &t) && f->n < 8) {
                f->target[f->n] = get_be32(g->rdata);
                f->tname[f->n++] = t;
                break;
            }
        }
    }
    if (!f->n) {
        free(f); /* no glue: it can only refer */
        return false;
    }
    f->client = m->src;
    f->cport = m->sport;
    f->cid = s->q.id;
    f->qname = s->q.qd[0].name;
    f->qtype = s->q.qd[0].type;
    for (size_t i = 0; i < s->q.n[DNS_ADDITIONAL]; i++)
        f->edns |= s->q.rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT;
    f->next = s->forwards;
    s->forwards = f;
    forward_next(f);
    return true;
}

/* ---- on the network ---------------------------------------------------- */

/* The answers a server has given over UDP, by the query's bytes after its
 * ID and the asker's region, as a packet cache keeps them: the same query
 * from another resolver, or again after a TTL ran out, gets the same bytes
 * and the same caption, with its own ID, without being decoded, looked up
 * and encoded again.  An answer is a function of those alone while the
 * zones stay as loaded, unless the server rotates its RRsets (round robin)
 * or follows referrals itself (recursion): such a server keeps none.  At
 * most GIVEN_MAX per server, then they are all forgotten at once. */
#define GIVEN_MAX 16384

struct Given {
    uint32_t hash;
    const char *region;  /* as the asker's node has it: the same pointer, the same region */
    uint16_t qlen, rlen; /* the query's bytes after its ID, the answer's */
    const char *caption; /* NULL: given without one; else after the bytes */
    uint8_t bytes[];     /* qlen of the query's, then rlen of the answer's */
};

/* The answers are kept one after the other in blocks of at least
 * GIVEN_BLOCK bytes, rather than one malloc each: they are only ever
 * forgotten all together.  Small blocks: most servers give a few dozen
 * answers, and 64 KB blocks, partly filled, cost 1.6 MB more memory on
 * 10,000 hosts. */
#define GIVEN_BLOCK 4096

struct GivenBlock {
    GivenBlock *next;
    size_t size, used;
    _Alignas(Given) uint8_t data[];
};

/* Room for n bytes (a Given and what follows it), aligned for a Given. */
static void *given_alloc(DnsServer *s, size_t n)
{
    n = (n + _Alignof(Given) - 1) & ~(_Alignof(Given) - 1);
    GivenBlock *b = s->given_blocks;
    if (!b || b->size - b->used < n) {
        size_t size = n > GIVEN_BLOCK ? n : GIVEN_BLOCK;
        b = xmalloc(sizeof *b + size);
        b->next = s->given_blocks;
        b->size = size;
        b->used = 0;
        s->given_blocks = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static void given_forget(DnsServer *s)
{
    while (s->given_blocks) {
        GivenBlock *next = s->given_blocks->next;
        free(s->given_blocks);
        s->given_blocks = next;
    }
    free(s->given);
    s->given = NULL;
    s->n_given = s->given_cap = 0;
}

/* Any bytes hash with the names' hash (which folds case: memcmp settles it). */
static uint32_t given_hash(const uint8_t *key, size_t len, const char *region, bool caption)
{
    return dns_name_hash_wire(key, len) ^ (uint32_t)(uintptr_t)region ^ caption;
}

static size_t given_slot(const DnsServer *s, uint32_t h)
{
    return (size_t)(h * 0x9e3779b1u) & (s->given_cap - 1);
}

/* The answer to key (len bytes) for region, or NULL. */
static const Given *given_find(const DnsServer *s, const uint8_t *key, size_t len,
                               const char *region, bool caption, uint32_t h)
{
    if (!s->given_cap)
        return NULL;
    for (size_t i = given_slot(s, h);; i = (i + 1) & (s->given_cap - 1)) {
        const Given *g = s->given[i];
        if (!g || (g->hash == h && g->region == region && g->qlen == len &&
                   (g->caption != NULL) == caption && memcmp(g->bytes, key, len) == 0))
            return g;
    }
}

/* Adds g, made by given_alloc after any given_forget. */
static void given_add(DnsServer *s, Given *g)
{
    if ((s->n_given + 1) * 2 > s->given_cap) {
        Given **old = s->given;
        size_t old_cap = s->given_cap;
        s->given_cap = old_cap ? old_cap * 2 : 256;
        s->given = xcalloc(s->given_cap, sizeof *s->given);
        for (size_t i = 0; i < old_cap; i++) {
            if (!old[i])
                continue;
            size_t k = given_slot(s, old[i]->hash);
            while (s->given[k])
                k = (k + 1) & (s->given_cap - 1);
            s->given[k] = old[i];
        }
        free(old);
    }
    size_t k = given_slot(s, g->hash);
    while (s->given[k])
        k = (k + 1) & (s->given_cap - 1);
    s->given[k] = g;
    s->n_given++;
}

/* dns_server_answer for a query that came over UDP, from the answers
 * already given when it can. */
static size_t answer_udp(DnsServer *s, const uint8_t *query, size_t len, const char *region,
                         uint8_t *out, size_t cap, Buf *caption)
{
    if (s->round_robin || s->recursion || len < DNS_HEADER_LEN || len - 2 > UINT16_MAX)
        return dns_server_answer(s, query, len, region, out, cap, caption);
    const uint8_t *key = query + 2;
    uint32_t h = given_hash(key, len - 2, region, caption != NULL);
    const Given *hit = given_find(s, key, len - 2, region, caption != NULL, h);
    if (hit) {
        memcpy(out, query, 2); /* every answer carries its query's ID */
        memcpy(out + 2, hit->bytes + hit->qlen, hit->rlen);
        if (caption)
            buf_puts(caption, hit->caption);
        return 2 + (size_t)hit->rlen;
    }
    size_t before = caption ? caption->len : 0;
    size_t n = dns_server_answer(s, query, len, region, out, cap, caption);
    if (n < DNS_HEADER_LEN)
        return n;
    const char *told = caption && caption->data ? caption->data + before : "";
    size_t told_len = caption ? strlen(told) + 1 : 0;
    if (s->n_given == GIVEN_MAX)
        given_forget(s);
    Given *g = given_alloc(s, sizeof *g + (len - 2) + (n - 2) + told_len);
    g->hash = h;
    g->region = region;
    g->qlen = (uint16_t)(len - 2);
    g->rlen = (uint16_t)(n - 2);
    memcpy(g->bytes, key, len - 2);
    memcpy(g->bytes + g->qlen, out + 2, n - 2);
    g->caption = NULL;
    if (caption) {
        char *c = (char *)g->bytes + g->qlen + g->rlen;
        memcpy(c, told, told_len);
        g->caption = c;
    }
    given_add(s, g);
    return n;
}

/* The region of the node at addr, which picks among a zone's records for
 * some regions only; NULL (every region) when no zone the server has holds
 * such records, without looking the asker up: the answers are the same. */
static const char *asker_region(const DnsServer *s, uint32_t addr)
{
    int asker;
    if (s->regional && world_find_addr(s->w, addr, &asker, NULL))
        return s->w->nodes[asker].region;
    return NULL;
}

static void on_query(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    DnsServer *s = ctx;
    const char *region = asker_region(s, m->src);
    uint8_t out[ETH_MTU];
    Buf cap;
    buf_init(&cap);
    size_t n = answer_udp(s, m->data, m->len, region, out, ETH_MTU - IPV4_HLEN - UDP_HLEN,
                          trace_wanted(&sim->trace) ? &cap : NULL);
    if (n && !start_forward(s, m)) {
        uint64_t pkt = sim_packet_id(sim);
        Ipv4Route route;
        NetErr e = ipv4_send_check(sim, node, m->src, UDP_HLEN + n, &route);
        char why[200];
        if (e != NET_OK)
            trace_note(&sim->trace, sim->now, 0, "%s cannot answer: %s.",
                       sim->world->nodes[node].id,
                       ipv4_err_reason(sim, node, m->src, e, why, sizeof why));
        else if (trace_wanted(&sim->trace))
            trace_note(&sim->trace, sim->now, pkt, "%s", cap.data ? cap.data : "");
        else
            trace_note_skip(&sim->trace);
        if (e == NET_OK)
            udp_send_on(sim, &route, pkt, 53, m->sport, 0, out, n, NULL);
    }
    buf_fini(&cap);
}

/* ---- over TCP (RFC 7766) -------------------------------------------------- */

/* A client's TCP connection to port 53: it may ask several questions, one
 * after the other or pipelined, each answered in order.  As NSD, a
 * connection that stays idle is closed by the server (tcp-timeout 120 s);
 * that timer is a background event, so it never keeps a run alive. */
#define SESSION_IDLE 120000000

struct Session {
    DnsServer *s;
    DnsTcp *d;
    uint32_t peer;
    EvHandle idle;
    Session *next;
};

static void session_free(Session *x)
{
    DnsServerSet *set = x->s->sim->svc[SVC_DNS_SERVER];
    for (Session **p = &set->sessions; *p; p = &(*p)->next)
        if (*p == x) {
            *p = x->next;
            break;
        }
    sim_cancel(x->s->sim, x->idle);
    free(x);
}

static void on_session_idle(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Session *x = ctx;
    x->idle = 0;
    trace_note(&sim->trace, sim->now, 0,
               "%s closes the idle TCP connection of %s: no question came for %d s.",
               x->s->w->nodes[x->s->node].id, id_of(x->s, x->peer), SESSION_IDLE / 1000000);
    dns_tcp_close(x->d);
    session_free(x);
}

static void on_session_message(void *ctx, DnsTcp *d, const uint8_t *msg, size_t len)
{
    Session *x = ctx;
    DnsServer *s = x->s;
    Sim *sim = s->sim;
    const char *region = asker_region(s, x->peer);
    uint8_t *out = xmalloc(DNS_TCP_MAX);
    Buf cap;
    buf_init(&cap);
    bool narrate = trace_wanted(&sim->trace);
    size_t n = dns_server_answer_tcp(s, msg, len, region, out, DNS_TCP_MAX, narrate ? &cap : NULL);
    if (n) {
        if (narrate)
            buf_printf(&cap,
                       " The answer goes back over the same TCP connection, %zu bytes with "
                       "their 2-byte length in front: over TCP no size limit cuts it short.",
                       n);
        dns_tcp_send(d, out, n, narrate ? cap.data : NULL);
    }
    buf_fini(&cap);
    free(out);
    sim_cancel(sim, x->idle);
    x->idle = sim_after_background(sim, SESSION_IDLE, on_session_idle, x, 0);
}

/* The client closed its side: so does the server (its FIN follows). */
static void on_session_closed(void *ctx, DnsTcp *d)
{
    Session *x = ctx;
    dns_tcp_close(d);
    session_free(x);
}

static void on_session_ended(void *ctx, DnsTcp *d, TcpWhy why)
{
    (void)d;
    (void)why;
    session_free(ctx);
}

static const DnsTcpOps session_ops = {NULL, on_session_message, on_session_closed,
                                      on_session_ended};

static void on_tcp_accepted(void *ctx, TcpConn *listener, TcpConn *c)
{
    (void)listener;
    DnsServer *s = ctx;
    DnsServerSet *set = s->sim->svc[SVC_DNS_SERVER];
    Session *x = xcalloc(1, sizeof *x);
    x->s = s;
    TcpInfo info;
    tcp_info(c, &info);
    x->peer = info.remote_ip;
    x->next = set->sessions;
    set->sessions = x;
    x->d = dns_tcp_new(c, &session_ops, x);
    x->idle = sim_after_background(s->sim, SESSION_IDLE, on_session_idle, x, 0);
}

static const TcpOps listen_ops = {on_tcp_accepted, NULL, NULL, NULL, NULL};

void dns_servers_start(Sim *sim)
{
    const World *w = sim->world;
    DnsServerSet *set = xcalloc(1, sizeof *set);
    set->servers = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *set->servers);
    sim_rng_stream(sim, &set->rng, "dns-server");
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (!roles_runs(w, (int)i, SVC_DNS_SERVER))
            continue;
        DnsServer *s = dns_server_new(w, (int)i);
        s->sim = sim;
        s->recursion = dns_conf_node(w, (int)i)->recursion;
        dns_cache_init(&s->cache, sim, (int)i, "cache");
        set->servers[set->n++] = s;
        udp_bind(sim, (int)i, 53, on_query, s);
        tcp_listen(sim, (int)i, 53, 256, &listen_ops, s); /* NSD's TCP_BACKLOG */
    }
    sim->svc[SVC_DNS_SERVER] = set;
}

void dns_servers_stop(Sim *sim)
{
    DnsServerSet *set = sim->svc[SVC_DNS_SERVER];
    if (!set)
        return;
    while (set->sessions) {
        Session *x = set->sessions;
        set->sessions = x->next;
        dns_tcp_free(x->d);
        sim_cancel(sim, x->idle);
        free(x);
    }
    for (size_t i = 0; i < set->n; i++)
        dns_server_free(set->servers[i]);
    free(set->servers);
    free(set);
    sim->svc[SVC_DNS_SERVER] = NULL;
}
