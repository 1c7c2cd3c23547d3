/* dns_cache — what a resolver (or a host) remembers, and for how long.
 *
 * An entry is one RRset (name, type) with the time it expires, or a
 * negative entry: the name does not exist (NXDOMAIN, for every type) or has
 * no records of the type (NODATA), remembered for the SOA's negative TTL
 * (RFC 2308).  TTLs count down in simulated time: what the cache hands out
 * carries the seconds left.  Every insert, expiry and flush is a `state`
 * record on the owning node, and the trace shows entries disappearing at
 * the moment they expire, each in the turn its own background event would
 * have run in: the cache keeps one event, not one per entry (see when).
 *
 * Entries are found through a hash on (name, type): a resolver serving
 * thousands of hosts holds thousands of entries.  The array holds them in
 * no particular order (removal swaps the last one in); listings sort by
 * seq, the insertion order. */
#ifndef MN_DNS_CACHE_H
#define MN_DNS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "proto/dns/dns_wire.h"

typedef enum DnsCacheKind {
    DNS_CACHE_RRSET,
    DNS_CACHE_NXDOMAIN, /* the name does not exist: type is 0 */
    DNS_CACHE_NODATA,
} DnsCacheKind;

typedef struct DnsCacheEntry {
    /* The fields widest first, so that no padding lies between them: a
     * resolver holds tens of thousands of entries. */
    struct DnsCacheEntry *tchain; /* the next entry in the same expiry-time bucket */
    SimTime expires;
    uint8_t **rdata;
    uint16_t *rdlen;
    size_t n;
    uint64_t seq;        /* insertion order, for listings */
    uint64_t expiry_seq; /* the seq of its expiry's event (sim_reserve): see DnsCache.when */
    /* A negative entry: the SOA that came with it (RFC 2308), which a
     * resolver puts in the authority section of the answers it gives from
     * the cache.  soa_rdata is NULL when there was none; the SOA's owner
     * follows it in wire form, soa_owner_len bytes. */
    uint8_t *soa_rdata;
    uint32_t index; /* where it is in DnsCache.e */
    uint32_t hash;  /* of the name: dns_name_hash */
    DnsCacheKind kind;
    uint32_t ttl;      /* as received */
    uint32_t rotation; /* round robin: answers given from this entry */
    uint16_t type;
    uint16_t soa_rdlen;
    uint8_t soa_owner_len, soa_owner_labels;
    bool has_group;
    /* Set by a resolver for an RRset that came in an answer section (not
     * a referral's NS or glue): only these answer a question of type ANY,
     * as Unbound's "answer" trust level (Unbound keeps a message for it). */
    bool answer;
    /* Set by a resolver for an address that came in the additional section
     * of an authoritative answer (Unbound's "additional, AA" trust): it
     * replaces a referral's glue, and goes with an answer that names it. */
    bool aa_additional;
    /* The names last: a new entry is not cleared past this point, and is
     * allocated only as far as the names it uses: without has_group, only
     * the bytes name holds (name.len of its data), and group not at all.
     * So an entry, or a name without a group, is never copied whole. */
    DnsName name;
    DnsName group; /* the name looked up that brought this entry (host caches) */
} DnsCacheEntry;

/* A slot of the hash on (name, type): empty when e is NULL. */
typedef struct DnsCacheSlot {
    DnsCacheEntry *e;
    uint32_t hash; /* e's, and its type: read without reading e */
    uint16_t type;
} DnsCacheSlot;

/* An entry's instant of expiry, and the seq its own event would have. */
typedef struct DnsCacheExpiry {
    SimTime at;
    uint64_t seq;
} DnsCacheExpiry;

typedef struct DnsCache {
    Sim *sim;
    int node;
    const char *table; /* "cache" for resolvers, "host cache" for hosts */
    DnsCacheEntry **e; /* every entry, in no order: sort by seq to list */
    size_t n, cap;
    uint64_t seq;
    DnsCacheSlot *slot;      /* the entries by (name, type): nslots, a power of two */
    size_t nslots;           /* twice nbuckets */
    DnsCacheEntry **tbucket; /* the entries by the instant they expire */
    size_t nbuckets;         /* of tbucket; a power of two */
    /* The entries' expiries, earliest first by (instant, seq) (a binary
     * heap; the expiry of an entry that went stays until it comes first),
     * and one background event, at the earliest of an entry still here,
     * with its seq: it runs just where that entry's own event would have.
     * A resolver holds tens of thousands of entries, and an event for each
     * would be pushed, kept and mostly never run. */
    DnsCacheExpiry *when;
    size_t nwhen, when_cap;
    EvHandle timer; /* 0: no entry left */
    DnsCacheExpiry timer_at;
    size_t n_nxdomain; /* NXDOMAIN entries: none, and lookups skip looking for one */
    uint32_t max_ttl;  /* longest TTL kept (a resolver's cache-max-ttl); 0: no limit */
    /* A resolver's NXDOMAIN answers only the type that was asked (Unbound
     * keeps them per question); otherwise it answers every type. */
    bool nxdomain_per_type;
} DnsCache;

void dns_cache_init(DnsCache *c, Sim *sim, int node, const char *table);
void dns_cache_fini(DnsCache *c);

/* The live entry for (name, type), or NULL.  A NXDOMAIN entry for the name
 * answers every type. */
DnsCacheEntry *dns_cache_get(DnsCache *c, const DnsName *name, uint16_t type);
/* The same for a name given as its wire form (len bytes, uncompressed: a
 * DnsName's data, or a suffix of it) and its dns_name_hash_wire, for a
 * caller that looks one name up for several types, or a name's suffixes. */
DnsCacheEntry *dns_cache_get_hashed(DnsCache *c, const uint8_t *name, size_t len, uint32_t hash,
                                    uint16_t type);
/* dns_cache_get_hashed for each of types[0..3), into out[0..3), with one
 * walk of the hash rather than one a type: what a resolver asks of a name
 * it has not met yet (its answer, an alias, a delegation) most often finds
 * nothing, and each miss walks to an empty slot. */
void dns_cache_get3(DnsCache *c, const uint8_t *name, size_t len, uint32_t hash,
                    const uint16_t types[3], DnsCacheEntry *out[3]);
/* Seconds left of an entry, as Unbound and Windows count them: the TTL
 * minus the whole seconds of the clock that have turned since it came in
 * (3600 a few ms after caching; 3599 once the clock's second changes). */
uint32_t dns_cache_ttl_left(const DnsCache *c, const DnsCacheEntry *e);
/* Stores the records of rrs[0..n) whose name and type match, replacing an
 * older entry for (name, type). */
/* ttl as the cache keeps it: at most its max_ttl. */
uint32_t dns_cache_capped_ttl(const DnsCache *c, uint32_t ttl);
/* Returns the entry made, or NULL when rrs hold no record of (name, type). */
DnsCacheEntry *dns_cache_put(DnsCache *c, const DnsName *name, uint16_t type, const DnsRR *rrs,
                             size_t n);
/* The same, hash being name's dns_name_hash (a caller that has it). */
DnsCacheEntry *dns_cache_put_hashed(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                                    const DnsRR *rrs, size_t n);
/* The same, remembering that looking up group brought it (ipconfig lists
 * entries under the name looked up). */
void dns_cache_put_group(DnsCache *c, const DnsName *group, const DnsName *name, uint16_t type,
                         const DnsRR *rrs, size_t n);
/* Stores every RRset among rrs[0..n) (an answer section), each once;
 * group as for dns_cache_put_group, or NULL. */
void dns_cache_put_all(DnsCache *c, const DnsRR *rrs, size_t n, const DnsName *group);
void dns_cache_put_negative(DnsCache *c, const DnsName *name, uint16_t type, DnsCacheKind kind,
                            uint32_t ttl);
/* The same, keeping a copy of soa (or none, if NULL); hash is name's
 * dns_name_hash. */
void dns_cache_put_negative_soa(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                                DnsCacheKind kind, uint32_t ttl, const DnsRR *soa);
/* The owner of the SOA a negative entry keeps (soa_rdata not NULL). */
void dns_cache_soa_owner(const DnsCacheEntry *e, DnsName *out);
/* Forgets everything (ipconfig /flushdns). */
void dns_cache_flush(DnsCache *c);
/* Marks the live entry for (name, type) as the answer to a question. */
void dns_cache_mark_answer(DnsCache *c, const DnsName *name, uint16_t type);
/* `unbound-control flush NAME`: forgets name's entries of the types
 * Unbound's flush removes (A, AAAA, NS, SOA, CNAME, DNAME, MX, PTR, SRV,
 * NAPTR, SVCB, HTTPS) and its negative entries.  Each is a `delete` state
 * record.  Returns how many went. */
size_t dns_cache_flush_name(DnsCache *c, const DnsName *name);
/* `unbound-control flush_zone NAME`: forgets every entry at or below name,
 * counted as Unbound counts them: an RRset is an rrset, and one stored as
 * an answer is a message too; a negative entry is a message.  Returns how
 * many entries went. */
size_t dns_cache_flush_zone(DnsCache *c, const DnsName *name, size_t *rrsets, size_t *messages);

#endif
