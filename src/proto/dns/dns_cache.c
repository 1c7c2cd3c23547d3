#include "dns_cache.h"

#include "net/world.h"

#include <stdlib.h>
#include <string.h>

void dns_cache_init(DnsCache *c, Sim *sim, int node, const char *table)
{
    memset(c, 0, sizeof *c);
    c->sim = sim;
    c->node = node;
    c->table = table;
}

/* An entry is one allocation: the entry as far as the names it uses (head
 * bytes: the bytes its name holds, or its name and group whole), then its
 * rdata pointers and lengths (count of each), then room for bytes of rdata
 * (or the SOA and its owner).  Most entries carry no group, and their name
 * is a few dozen bytes of the 255 a DnsName has room for: such an entry is
 * a fifth of a whole DnsCacheEntry, and a resolver serving thousands of
 * hosts touches that much less memory. */
#define HEAD_GROUP sizeof(DnsCacheEntry)

/* The head of an entry for name without a group. */
static size_t head_name(const DnsName *name)
{
    return offsetof(DnsCacheEntry, name) + offsetof(DnsName, data) + name->len;
}

static size_t head_size(size_t head)
{
    return (head + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
}

static DnsCacheEntry *entry_new(size_t head, size_t count, size_t bytes)
{
    size_t ptrs = head_size(head) + count * sizeof(uint8_t *);
    DnsCacheEntry *e = xmalloc(ptrs + count * sizeof(uint16_t) + bytes);
    memset(e, 0, offsetof(DnsCacheEntry, name)); /* the names are set before they are read */
    e->rdata = count ? (uint8_t **)((char *)e + head_size(head)) : NULL;
    e->rdlen = count ? (uint16_t *)((char *)e + ptrs) : NULL;
    return e;
}

/* Where the rdata bytes of an entry made for head and count records begin. */
static uint8_t *entry_bytes(DnsCacheEntry *e, size_t head, size_t count)
{
    return (uint8_t *)e + head_size(head) + count * (sizeof(uint8_t *) + sizeof(uint16_t));
}

static void entry_free(DnsCacheEntry *e)
{
    free(e);
}

void dns_cache_fini(DnsCache *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_free(c->e[i]);
    free(c->e);
    free(c->slot);
    free(c->tbucket);
    free(c->when);
    memset(c, 0, sizeof *c);
}

/* ---- the hash on (name, type) -------------------------------------------- */

/* Open addressing with linear probing, at most half full.  An entry's home
 * slot comes from its name alone, so the entries of one name (its A, its
 * CNAME, its NS, …) lie side by side: looking a name up for several types
 * reads one stretch of slots, most often one cache line, and the caller
 * hashes the name once (dns_cache_get_hashed).  A slot holds its entry's
 * name hash and type beside the pointer, so a lookup reads the entry it
 * wants and no other: with thousands of entries each one is a cache miss. */
static size_t slot_home(const DnsCache *c, uint32_t h)
{
    return (size_t)h & (c->nslots - 1);
}

static void slot_insert(DnsCache *c, DnsCacheEntry *e)
{
    size_t i = slot_home(c, e->hash);
    while (c->slot[i].e)
        i = (i + 1) & (c->nslots - 1);
    c->slot[i] = (DnsCacheSlot){e, e->hash, e->type};
}

/* Empties e's slot and moves back the entries after it that their probes
 * would no longer reach (hash_may_fill): no tombstones. */
static void slot_remove(DnsCache *c, DnsCacheEntry *e)
{
    size_t mask = c->nslots - 1, i = slot_home(c, e->hash);
    while (c->slot[i].e != e)
        i = (i + 1) & mask;
    for (size_t j = (i + 1) & mask; c->slot[j].e; j = (j + 1) & mask) {
        if (hash_may_fill(slot_home(c, c->slot[j].hash), i, j, mask)) {
            c->slot[i] = c->slot[j];
            i = j;
        }
    }
    c->slot[i] = (DnsCacheSlot){NULL, 0, 0};
}

/* ---- the hash on the instant of expiry ----------------------------------
 * on_expire finds every entry that expires with the one whose event fired
 * here, not by a scan of the whole cache (quadratic in a long run). */

static size_t tbucket_of(const DnsCache *c, SimTime t)
{
    return (size_t)(((uint64_t)t * 0x9e3779b97f4a7c15ULL) >> 32) & (c->nbuckets - 1);
}

static void tbucket_insert(DnsCache *c, DnsCacheEntry *e)
{
    size_t b = tbucket_of(c, e->expires);
    e->tchain = c->tbucket[b];
    c->tbucket[b] = e;
}

static void tbucket_remove(DnsCache *c, DnsCacheEntry *e)
{
    for (DnsCacheEntry **p = &c->tbucket[tbucket_of(c, e->expires)]; *p; p = &(*p)->tchain)
        if (*p == e) {
            *p = e->tchain;
            return;
        }
}

/* Doubles the tables once there are as many entries as expiry buckets
 * (the slots twice as many), and rehashes every entry; true if it did. */
static bool grow_buckets(DnsCache *c)
{
    if (c->n < c->nbuckets)
        return false;
    free(c->slot);
    free(c->tbucket);
    c->nbuckets = c->nbuckets ? c->nbuckets * 2 : 64;
    c->nslots = 2 * c->nbuckets;
    c->slot = xcalloc(c->nslots, sizeof *c->slot);
    c->tbucket = xcalloc(c->nbuckets, sizeof *c->tbucket);
    for (size_t i = 0; i < c->n; i++) {
        slot_insert(c, c->e[i]);
        tbucket_insert(c, c->e[i]);
    }
    return true;
}

/* The entry for the name of len wire bytes (hash its dns_name_hash_wire)
 * and type, live or not, or NULL.  Inlined into its callers: as a call
 * (registers saved and restored) it cost 23 more instructions a lookup,
 * and the 10,000-host run makes 220,000 of them. */
__attribute__((always_inline)) static inline DnsCacheEntry *
find(const DnsCache *c, const uint8_t *name, size_t len, uint32_t hash, uint16_t type)
{
    if (!c->nslots)
        return NULL;
    for (size_t i = slot_home(c, hash); c->slot[i].e; i = (i + 1) & (c->nslots - 1)) {
        const DnsCacheSlot *s = &c->slot[i];
        if (s->hash == hash && s->type == type && dns_name_equal_wire(&s->e->name, name, len))
            return s->e;
    }
    return NULL;
}

static void key_text(const DnsName *name, uint16_t type, DnsCacheKind kind, Buf *out)
{
    char t[16];
    dns_name_to_text(name, out);
    if (kind == DNS_CACHE_NXDOMAIN && type == 0)
        buf_puts(out, " (any type)");
    else
        buf_printf(out, " %s", dns_type_name(type, t));
}

static void value_text(const DnsCacheEntry *e, Buf *out)
{
    if (e->kind == DNS_CACHE_NXDOMAIN) {
        buf_puts(out, "NXDOMAIN");
        return;
    }
    if (e->kind == DNS_CACHE_NODATA) {
        buf_puts(out, "NODATA");
        return;
    }
    for (size_t i = 0; i < e->n; i++) {
        if (i)
            buf_puts(out, ", ");
        dns_rdata_to_text(e->type, e->rdata[i], e->rdlen[i], out);
    }
}

static void record(DnsCache *c, const DnsCacheEntry *e, const char *op, int64_t ttl)
{
    if (!trace_heard(&c->sim->trace, TR_STATE))
        return; /* no sink reads the cache's rows: their text is not built */
    Buf k, v;
    buf_init(&k);
    buf_init(&v);
    key_text(&e->name, e->type, e->kind, &k);
    value_text(e, &v);
    trace_state(&c->sim->trace, c->sim->now, c->node, c->table, op, k.data, v.data, ttl);
    buf_fini(&k);
    buf_fini(&v);
}

static void remove_at(DnsCache *c, size_t i)
{
    c->n_nxdomain -= c->e[i]->kind == DNS_CACHE_NXDOMAIN;
    slot_remove(c, c->e[i]);
    tbucket_remove(c, c->e[i]);
    entry_free(c->e[i]);
    c->n--;
    if (i < c->n) {
        c->e[i] = c->e[c->n];
        c->e[i]->index = (uint32_t)i;
    }
}

static int by_seq(const void *a, const void *b)
{
    const DnsCacheEntry *x = *(DnsCacheEntry *const *)a, *y = *(DnsCacheEntry *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ---- the expiries, and the one event -------------------------------------- */

static bool expiry_before(DnsCacheExpiry a, DnsCacheExpiry b)
{
    return a.at < b.at || (a.at == b.at && a.seq < b.seq);
}

static void when_push(DnsCache *c, DnsCacheExpiry x)
{
    c->when = xgrow(c->when, &c->when_cap, c->nwhen + 1, sizeof *c->when);
    size_t i = c->nwhen++;
    for (; i > 0 && expiry_before(x, c->when[(i - 1) / 2]); i = (i - 1) / 2)
        c->when[i] = c->when[(i - 1) / 2];
    c->when[i] = x;
}

/* The last expiry fills the hole the first leaves (Floyd's way): the hole
 * goes down to a leaf by the earlier child, one comparison a level, and the
 * last rises from there, most often not far, as it came from the bottom.
 * Half the comparisons of sifting it down, and the earliest comes first
 * all the same: (instant, seq) orders every expiry. */
static void when_pop(DnsCache *c)
{
    DnsCacheExpiry last = c->when[--c->nwhen];
    size_t n = c->nwhen, i = 0;
    if (!n)
        return;
    for (size_t k; (k = 2 * i + 1) < n; i = k) {
        if (k + 1 < n && expiry_before(c->when[k + 1], c->when[k]))
            k++;
        c->when[i] = c->when[k];
    }
    for (; i > 0 && expiry_before(last, c->when[(i - 1) / 2]); i = (i - 1) / 2)
        c->when[i] = c->when[(i - 1) / 2];
    c->when[i] = last;
}

/* Whether the entry of expiry x is still in c. */
static bool still_here(const DnsCache *c, DnsCacheExpiry x)
{
    for (const DnsCacheEntry *e = c->tbucket[tbucket_of(c, x.at)]; e; e = e->tchain)
        if (e->expires == x.at && e->expiry_seq == x.seq)
            return true;
    return false;
}

static void on_expire(Sim *sim, void *ctx, uint64_t arg);

/* The event moves to x. */
static void arm_at(DnsCache *c, DnsCacheExpiry x)
{
    sim_cancel(c->sim, c->timer);
    c->timer = sim_at_reserved_background(c->sim, x.at, x.seq, on_expire, c, 0);
    c->timer_at = x;
}

/* After entries went: the event moves to the earliest expiry of an entry
 * still here, if its own entry went; it goes if none is left. */
static void rearm(DnsCache *c)
{
    while (c->nwhen && !still_here(c, c->when[0]))
        when_pop(c);
    if (!c->nwhen) {
        sim_cancel(c->sim, c->timer);
        c->timer = 0;
    } else if (!c->timer || c->timer_at.seq != c->when[0].seq) {
        arm_at(c, c->when[0]);
    }
}

/* An entry's time to live ran out.  Every entry of the cache that expires
 * at this same moment goes with it, under one caption: records that came
 * in one answer leave together, and a student sees one step for it.  The
 * event runs where the first of them's own would have (see DnsCache.when):
 * the rows and captions come at the same moments, in the same order. */
/* gone (n entries, room for *cap) with room for twice as many, on the
 * heap: the first room is few, on the caller's stack. */
static DnsCacheEntry **gone_grow(DnsCacheEntry **gone, DnsCacheEntry **few, size_t n, size_t *cap)
{
    DnsCacheEntry **more = xmalloc(2 * *cap * sizeof *more);
    memcpy(more, gone, n * sizeof *more);
    if (gone != few)
        free(gone);
    *cap *= 2;
    return more;
}

static void on_expire(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    DnsCache *c = ctx;
    c->timer = 0;
    /* Most often one entry goes alone (a resolver's entries came in at
     * different instants): no allocation and no sort for it. */
    DnsCacheEntry *few[8], **gone = few;
    size_t n = 0, cap = MN_ARRAY_LEN(few);
    for (DnsCacheEntry *e = c->tbucket[tbucket_of(c, sim->now)]; e; e = e->tchain)
        if (e->expires == sim->now) {
            if (n == cap)
                gone = gone_grow(gone, few, n, &cap);
            gone[n++] = e;
        }
    if (n > 1)
        qsort(gone, n, sizeof *gone, by_seq); /* as they came in: deterministic */
    if (trace_wanted(&sim->trace)) {
        Buf keys;
        buf_init(&keys);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_puts(&keys, i + 1 == n ? " and " : ", ");
            key_text(&gone[i]->name, gone[i]->type, gone[i]->kind, &keys);
        }
        const char *who = sim->world ? sim->world->nodes[c->node].id : "a node";
        trace_note(&sim->trace, sim->now, 0,
                   "The time to live of %s in %s's %s has run out: %s forgets %s, and the next "
                   "lookup of %s must ask again.",
                   keys.data, who, c->table, who, n == 1 ? "it" : "them",
                   n == 1 ? "that name" : "those names");
        buf_fini(&keys);
    } else {
        trace_note_skip(&sim->trace);
    }
    for (size_t i = 0; i < n; i++) {
        record(c, gone[i], "expire", 0);
        remove_at(c, gone[i]->index);
    }
    if (gone != few)
        free(gone);
    rearm(c);
}

/* As Unbound counts (it stores "now + TTL" in whole seconds of its clock
 * and hands out that minus the current second): the seconds of the clock
 * at which the entry came in, plus its TTL, minus the current second.  A
 * record read a few milliseconds after caching shows its full TTL, and it
 * drops by one as the clock's second turns. */
uint32_t dns_cache_ttl_left(const DnsCache *c, const DnsCacheEntry *e)
{
    if (e->expires <= c->sim->now)
        return 0;
    SimTime cached = e->expires - (SimTime)e->ttl * 1000000;
    int64_t left = cached / 1000000 + (int64_t)e->ttl - c->sim->now / 1000000;
    return left > 0 ? (uint32_t)(left > e->ttl ? e->ttl : left) : 0;
}

DnsCacheEntry *dns_cache_get_hashed(DnsCache *c, const uint8_t *name, size_t len, uint32_t hash,
                                    uint16_t type)
{
    /* A NXDOMAIN entry is stored with type 0 and answers every type (with
     * nxdomain_per_type, with the type asked, as any other entry). */
    DnsCacheEntry *e = c->n_nxdomain ? find(c, name, len, hash, 0) : NULL;
    if (!e || e->expires <= c->sim->now)
        e = find(c, name, len, hash, type);
    return e && e->expires > c->sim->now ? e : NULL;
}

void dns_cache_get3(DnsCache *c, const uint8_t *name, size_t len, uint32_t hash,
                    const uint16_t types[3], DnsCacheEntry *out[3])
{
    DnsCacheEntry *nx = c->n_nxdomain ? find(c, name, len, hash, 0) : NULL;
    if (nx && nx->expires <= c->sim->now)
        nx = NULL;
    out[0] = out[1] = out[2] = nx;
    if (nx || !c->nslots)
        return;
    /* One walk of the slots from the name's home, as find walks it for
     * each type: the first entry of each type, as find would return. */
    for (size_t i = slot_home(c, hash); c->slot[i].e; i = (i + 1) & (c->nslots - 1)) {
        const DnsCacheSlot *s = &c->slot[i];
        if (s->hash != hash)
            continue;
        int k = s->type == types[0] ? 0 : s->type == types[1] ? 1 : s->type == types[2] ? 2 : -1;
        if (k >= 0 && !out[k] && dns_name_equal_wire(&s->e->name, name, len)) {
            out[k] = s->e;
            /* the same type twice: both find it */
            for (int j = k + 1; j < 3; j++)
                if (types[j] == types[k])
                    out[j] = s->e;
        }
    }
    SimTime now = c->sim->now;
    for (int k = 0; k < 3; k++)
        if (out[k] && out[k]->expires <= now)
            out[k] = NULL;
}

DnsCacheEntry *dns_cache_get(DnsCache *c, const DnsName *name, uint16_t type)
{
    return dns_cache_get_hashed(c, name->data, name->len, dns_name_hash(name), type);
}

static void drop_entry(DnsCache *c, DnsCacheEntry *e)
{
    remove_at(c, e->index);
    rearm(c);
}

/* hash: name's dns_name_hash. */
static void drop_existing(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                          bool all_types)
{
    if (!all_types) {
        /* The usual case, through the hash: this type, and a NXDOMAIN. */
        DnsCacheEntry *e;
        if ((e = find(c, name->data, name->len, hash, type)))
            drop_entry(c, e);
        if (type && c->n_nxdomain && (e = find(c, name->data, name->len, hash, 0)))
            drop_entry(c, e);
        return;
    }
    size_t n = c->n;
    for (size_t i = 0; i < c->n;) {
        DnsCacheEntry *e = c->e[i];
        if (dns_name_equal(&e->name, name) &&
            (all_types || e->type == type || e->kind == DNS_CACHE_NXDOMAIN))
            remove_at(c, i);
        else
            i++;
    }
    if (c->n < n)
        rearm(c);
}

uint32_t dns_cache_capped_ttl(const DnsCache *c, uint32_t ttl)
{
    return c->max_ttl && ttl > c->max_ttl ? c->max_ttl : ttl;
}

/* A new entry with room for count records and bytes of rdata; hash is
 * name's dns_name_hash. */
static DnsCacheEntry *insert(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                             DnsCacheKind kind, uint32_t ttl, size_t head, size_t count,
                             size_t bytes)
{
    DnsCacheEntry *e = entry_new(head, count, bytes);
    ttl = dns_cache_capped_ttl(c, ttl);
    dns_name_copy(&e->name, name);
    e->type = type;
    e->hash = hash;
    e->kind = kind;
    c->n_nxdomain += kind == DNS_CACHE_NXDOMAIN;
    e->ttl = ttl;
    e->expires = c->sim->now + (SimTime)ttl * 1000000;
    e->seq = ++c->seq;
    c->e = xgrow(c->e, &c->cap, c->n + 1, sizeof *c->e);
    e->index = (uint32_t)c->n;
    c->e[c->n++] = e;
    if (!grow_buckets(c)) { /* a rehash placed e with the others */
        slot_insert(c, e);
        tbucket_insert(c, e);
    }
    return e;
}

/* A new entry's insert row, and its expiry: the seq its own event would
 * take now, and the event moves to it if it comes first. */
static void arm(DnsCache *c, DnsCacheEntry *e)
{
    record(c, e, "insert", e->ttl);
    e->expiry_seq = sim_reserve(c->sim);
    DnsCacheExpiry x = {e->expires, e->expiry_seq};
    when_push(c, x);
    if (!c->timer || expiry_before(x, c->timer_at))
        arm_at(c, x);
}

static DnsCacheEntry *put(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                          const DnsRR *rrs, size_t n, size_t head);

DnsCacheEntry *dns_cache_put(DnsCache *c, const DnsName *name, uint16_t type, const DnsRR *rrs,
                             size_t n)
{
    return dns_cache_put_hashed(c, name, dns_name_hash(name), type, rrs, n);
}

DnsCacheEntry *dns_cache_put_hashed(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                                    const DnsRR *rrs, size_t n)
{
    DnsCacheEntry *e = put(c, name, hash, type, rrs, n, head_name(name));
    if (e)
        arm(c, e);
    return e;
}

void dns_cache_put_group(DnsCache *c, const DnsName *group, const DnsName *name, uint16_t type,
                         const DnsRR *rrs, size_t n)
{
    DnsCacheEntry *e = put(c, name, dns_name_hash(name), type, rrs, n, HEAD_GROUP);
    if (!e)
        return;
    e->has_group = true;
    e->group = *group;
    arm(c, e);
}

/* Whether rr is a record of (name, type).  The records of a decoded
 * message that repeat an owner point at one copy of it (dns_decode), and a
 * caller most often passes that very copy as name (a referral's NS
 * records): those need no comparison. */
static bool of_rrset(const DnsRR *rr, const DnsName *name, uint16_t type)
{
    return rr->type == type && (rr->name == name || dns_name_equal(rr->name, name));
}

/* hash: name's dns_name_hash. */
static DnsCacheEntry *put(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                          const DnsRR *rrs, size_t n, size_t head)
{
    size_t count = 0, bytes = 0;
    uint32_t ttl = UINT32_MAX;
    for (size_t i = 0; i < n; i++)
        if (of_rrset(&rrs[i], name, type)) {
            count++;
            bytes += rrs[i].rdlen;
            if (rrs[i].ttl < ttl)
                ttl = rrs[i].ttl; /* an RRset lives as long as its shortest TTL */
        }
    if (!count)
        return NULL;
    drop_existing(c, name, hash, type, false);
    DnsCacheEntry *e = insert(c, name, hash, type, DNS_CACHE_RRSET, ttl, head, count, bytes);
    uint8_t *p = entry_bytes(e, head, count);
    for (size_t i = 0; i < n; i++)
        if (of_rrset(&rrs[i], name, type)) {
            e->rdata[e->n] = p;
            if (rrs[i].rdlen)
                memcpy(p, rrs[i].rdata, rrs[i].rdlen);
            p += rrs[i].rdlen;
            e->rdlen[e->n++] = rrs[i].rdlen;
        }
    return e;
}

void dns_cache_put_all(DnsCache *c, const DnsRR *rrs, size_t n, const DnsName *group)
{
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t k = 0; k < i && first; k++)
            first = !(rrs[k].type == rrs[i].type && dns_name_equal(rrs[k].name, rrs[i].name));
        if (!first)
            continue;
        if (group)
            dns_cache_put_group(c, group, rrs[i].name, rrs[i].type, rrs, n);
        else
            dns_cache_put(c, rrs[i].name, rrs[i].type, rrs, n);
    }
}

void dns_cache_put_negative(DnsCache *c, const DnsName *name, uint16_t type, DnsCacheKind kind,
                            uint32_t ttl)
{
    dns_cache_put_negative_soa(c, name, dns_name_hash(name), type, kind, ttl, NULL);
}

void dns_cache_put_negative_soa(DnsCache *c, const DnsName *name, uint32_t hash, uint16_t type,
                                DnsCacheKind kind, uint32_t ttl, const DnsRR *soa)
{
    bool every_type = kind == DNS_CACHE_NXDOMAIN && !c->nxdomain_per_type;
    drop_existing(c, name, hash, type, every_type);
    size_t soa_len = soa ? soa->rdlen : 0;
    size_t owner_len = soa_len ? soa->name->len : 0;
    DnsCacheEntry *e = insert(c, name, hash, every_type ? 0 : type, kind, ttl, head_name(name), 0,
                              soa_len + owner_len);
    if (soa_len) {
        e->soa_rdata = entry_bytes(e, head_name(name), 0);
        memcpy(e->soa_rdata, soa->rdata, soa->rdlen);
        e->soa_rdlen = soa->rdlen;
        memcpy(e->soa_rdata + soa_len, soa->name->data, owner_len);
        e->soa_owner_len = (uint8_t)owner_len;
        e->soa_owner_labels = soa->name->labels;
    }
    arm(c, e);
}

void dns_cache_soa_owner(const DnsCacheEntry *e, DnsName *out)
{
    out->len = e->soa_owner_len;
    out->labels = e->soa_owner_labels;
    memcpy(out->data, e->soa_rdata + e->soa_rdlen, e->soa_owner_len);
}

void dns_cache_flush(DnsCache *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_free(c->e[i]);
    c->n = 0;
    c->n_nxdomain = 0;
    c->nwhen = 0;
    sim_cancel(c->sim, c->timer);
    c->timer = 0;
    if (c->nbuckets) {
        memset(c->slot, 0, c->nslots * sizeof *c->slot);
        memset(c->tbucket, 0, c->nbuckets * sizeof *c->tbucket);
    }
    trace_state(&c->sim->trace, c->sim->now, c->node, c->table, "flush", NULL, NULL, -1);
}

void dns_cache_mark_answer(DnsCache *c, const DnsName *name, uint16_t type)
{
    DnsCacheEntry *e = dns_cache_get(c, name, type);
    if (e)
        e->answer = true;
}

static bool flushed_type(uint16_t type)
{
    static const uint16_t types[] = {DNS_TYPE_A,     DNS_TYPE_AAAA,  DNS_TYPE_NS,   DNS_TYPE_SOA,
                                     DNS_TYPE_CNAME, 39 /* DNAME */, DNS_TYPE_MX,   DNS_TYPE_PTR,
                                     33 /* SRV */,   35 /* NAPTR */, 64 /* SVCB */, 65 /* HTTPS */};
    for (size_t i = 0; i < MN_ARRAY_LEN(types); i++)
        if (types[i] == type)
            return true;
    return false;
}

/* Forgets the entries of c that match, in the order they came in (so the
 * state records are deterministic); returns them counted. */
static size_t forget_matching(DnsCache *c, const DnsName *name, bool zone, size_t *rrsets,
                              size_t *messages)
{
    size_t n = 0;
    DnsCacheEntry **gone = xmalloc((c->n ? c->n : 1) * sizeof *gone);
    for (size_t i = 0; i < c->n; i++) {
        DnsCacheEntry *e = c->e[i];
        bool match = zone ? dns_name_is_under(&e->name, name)
                          : dns_name_equal(&e->name, name) &&
                                (e->kind != DNS_CACHE_RRSET || flushed_type(e->type));
        if (match)
            gone[n++] = e;
    }
    qsort(gone, n, sizeof *gone, by_seq);
    for (size_t i = 0; i < n; i++) {
        DnsCacheEntry *e = gone[i];
        if (rrsets)
            *rrsets += e->kind == DNS_CACHE_RRSET;
        if (messages)
            *messages += e->kind != DNS_CACHE_RRSET || e->answer;
        record(c, e, "delete", 0);
        remove_at(c, e->index);
    }
    free(gone);
    if (n)
        rearm(c);
    return n;
}

size_t dns_cache_flush_name(DnsCache *c, const DnsName *name)
{
    return forget_matching(c, name, false, NULL, NULL);
}

size_t dns_cache_flush_zone(DnsCache *c, const DnsName *name, size_t *rrsets, size_t *messages)
{
    *rrsets = *messages = 0;
    return forget_matching(c, name, true, rrsets, messages);
}
