#include "dns_resolver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/dns/dns_conf.h"
#include "proto/roles.h"
#include "proto/services.h"
#include "net/udp.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_resolver_int.h"
#include "proto/dns/dns_tcp.h"
#include "proto/dns/dns_wire.h"

#define MAX_CNAMES  8
#define MAX_QUERIES 48 /* per lookup, against loops between delegations */
#define MAX_DEPTH   3  /* glueless lookups inside glueless lookups */
/* Unbound's server selection: a query goes to one of the delegation's
 * servers whose RTO lies within 400 ms (RTT_BAND) of the best, at random
 * among them, and each server is asked at most 5 times
 * (outbound-msg-retry) per delegation.  The RTOs are in
 * dns_resolver_infra.c. */
#define RTT_BAND       400
#define OUTBOUND_RETRY 5

typedef struct DnsResolverSet {
    Resolver **r;
    size_t n;
    Rng rng;  /* "dns-resolver": query IDs */
    Rng pick; /* "dns-resolver-servers": which server of a delegation */
} DnsResolverSet;

void resolver_primed(Resolver *r)
{
    if (!r->primed)
        r->primed_at = r->sim->now;
    r->primed = true;
}

const char *resolver_node_id(const Resolver *r)
{
    return r->sim->world->nodes[r->node].id;
}

const char *resolver_who(const Resolver *r, uint32_t addr)
{
    int n;
    if (world_find_addr(r->sim->world, addr, &n, NULL))
        return r->sim->world->nodes[n].id;
    return "?";
}

/* ---- tasks --------------------------------------------------------------- */

static void task_run(Task *t);

/* The hash of (name, type), from name_hash, the name's dns_name_hash. */
static uint32_t task_hash(uint32_t name_hash, uint16_t type)
{
    return (name_hash ^ type) * 0x9e3779b1u;
}

/* Chains t into its bucket, doubling the buckets with the tasks. */
static void by_name_add(Resolver *r, Task *t)
{
    if (r->ntasks > r->n_by_name) {
        size_t n = r->n_by_name ? 2 * r->n_by_name : 64;
        Task **b = xcalloc(n, sizeof *b);
        for (size_t i = 0; i < r->n_by_name; i++)
            while (r->by_name[i]) {
                Task *c = r->by_name[i];
                r->by_name[i] = c->hnext;
                c->hnext = b[c->hash & (n - 1)];
                b[c->hash & (n - 1)] = c;
            }
        free(r->by_name);
        r->by_name = b;
        r->n_by_name = n;
    }
    Task **head = &r->by_name[t->hash & (r->n_by_name - 1)];
    t->hnext = *head;
    *head = t;
}

/* A new lookup of (name, type); name_hash is the name's dns_name_hash. */
static Task *task_new(Resolver *r, const DnsName *name, uint32_t name_hash, uint16_t type)
{
    Task *t = r->spare;
    if (t)
        r->spare = t->parent;
    else
        t = xcalloc(1, sizeof *t);
    memset(t, 0, offsetof(Task, cur)); /* the arrays after the name stay */
    dns_name_copy(&t->cur, name);
    t->cur_hash = name_hash;
    t->r = r;
    t->qtype = type;
    t->qclass = DNS_CLASS_IN;
    t->current = -1;
    r->tasks = xgrow(r->tasks, &r->tasks_cap, r->ntasks + 1, sizeof *r->tasks);
    t->index = r->ntasks;
    r->tasks[r->ntasks++] = t;
    t->hash = task_hash(name_hash, type);
    by_name_add(r, t);
    return t;
}

static void task_free(Task *t)
{
    Resolver *r = t->r;
    if (t->qport)
        udp_unbind(r->sim, r->node, t->qport);
    if (t->up)
        dns_tcp_close(t->up);
    sim_cancel(r->sim, t->timer);
    if (t->chain) {
        dns_msg_fini(t->chain);
        free(t->chain);
    }
    free(t->question);
    t->question = NULL;
    for (Task **p = &r->by_name[t->hash & (r->n_by_name - 1)]; *p; p = &(*p)->hnext)
        if (*p == t) {
            *p = t->hnext;
            break;
        }
    r->tasks[t->index] = r->tasks[--r->ntasks];
    r->tasks[t->index]->index = t->index;
    t->parent = r->spare;
    r->spare = t;
}

/* The interned name with wire form name (len bytes, uncompressed) and
 * dns_name_hash_wire hash, made on first use; NULL if name is malformed. */
static const DnsName *intern_wire(Resolver *r, const uint8_t *name, size_t len, uint32_t hash)
{
    if ((r->n_names + 1) * 2 > r->names_nslots) {
        struct Interned *old = r->names;
        size_t old_n = r->names_nslots;
        r->names_nslots = old_n ? old_n * 2 : 64;
        r->names = xcalloc(r->names_nslots, sizeof *r->names);
        for (size_t i = 0; i < old_n; i++) {
            if (!old[i].name)
                continue;
            size_t k = old[i].hash & (r->names_nslots - 1);
            while (r->names[k].name)
                k = (k + 1) & (r->names_nslots - 1);
            r->names[k] = old[i];
        }
        free(old);
    }
    /* Byte for byte, not as DNS compares: the case a server's name came
     * in is the case the trace shows. */
    size_t k = hash & (r->names_nslots - 1);
    for (; r->names[k].name; k = (k + 1) & (r->names_nslots - 1))
        if (r->names[k].hash == hash && r->names[k].name->len == len &&
            memcmp(r->names[k].name->data, name, len) == 0)
            return r->names[k].name;
    DnsName n;
    if (!dns_name_from_wire(&n, name, len))
        return NULL;
    /* Only as long as the name: an interned name is only read as far as its len. */
    DnsName *copy = xmalloc(offsetof(DnsName, data) + len);
    dns_name_copy(copy, &n);
    r->names[k] = (struct Interned){copy, hash};
    r->n_names++;
    return copy;
}

const DnsName *resolver_intern(Resolver *r, const DnsName *name)
{
    return intern_wire(r, name->data, name->len, dns_name_hash(name));
}

/* Room for n servers (at most MAX_SERVERS) in t->servers. */
static void servers_room(Task *t, size_t n)
{
    if (n > t->servers_cap) /* most often there is: a Task is reused */
        t->servers = xgrow(t->servers, &t->servers_cap, n, sizeof *t->servers);
}

/* Adds a record to the CNAMEs met so far. */
static void chain_add(Task *t, const DnsName *name, uint16_t type, uint16_t klass, uint32_t ttl,
                      const uint8_t *rdata, uint16_t rdlen)
{
    if (!t->chain) {
        t->chain = xmalloc(sizeof *t->chain);
        dns_msg_init(t->chain);
    }
    dns_msg_add_rr(t->chain, DNS_ANSWER, name, type, klass, ttl, rdata, rdlen);
}

/* ---- delegations ------------------------------------------------------- */

static void fill_addresses(Task *t)
{
    for (int i = 0; i < t->nservers; i++) {
        Server *s = &t->servers[i];
        if (s->has_addr)
            continue;
        DnsCacheEntry *a =
            dns_cache_get_hashed(&t->r->cache, s->name->data, s->name->len, s->hash, DNS_TYPE_A);
        if (a && a->kind == DNS_CACHE_RRSET && a->n && a->rdlen[0] == 4) {
            s->addr = get_be32(a->rdata[0]);
            s->has_addr = true;
        }
    }
}

/* The closest delegation for cur that the cache knows, else the hints.
 * cur's suffixes are looked up in place, the longest first.  known is what
 * a lookup of the NS entry of the one of known_labels labels would find
 * (an entry take_referral has just put in the cache, or what task_run
 * found for cur itself), or NULL: that lookup is not made again.
 * known_labels is -1 when there is none. */
static void closest_delegation(Task *t, const DnsCacheEntry *known, int known_labels)
{
    Resolver *r = t->r;
    t->nservers = 0;
    t->current = -1;
    const uint8_t *cur = t->cur.data;
    for (int k = t->cur.labels; k >= 0; k--) {
        size_t len = t->cur.len - (size_t)(cur - t->cur.data);
        const DnsCacheEntry *ns;
        if (k == known_labels) {
            ns = known;
        } else {
            uint32_t h = cur == t->cur.data ? t->cur_hash : dns_name_hash_wire(cur, len);
            ns = dns_cache_get_hashed(&r->cache, cur, len, h, DNS_TYPE_NS);
        }
        if (!ns || ns->kind != DNS_CACHE_RRSET) {
            cur += 1 + *cur; /* the next label's suffix */
            continue;
        }
        t->zone_labels = k;
        servers_room(t, ns->n < MAX_SERVERS ? ns->n : MAX_SERVERS);
        for (size_t i = 0; i < ns->n && t->nservers < MAX_SERVERS; i++) {
            uint32_t hash = dns_name_hash_wire(ns->rdata[i], ns->rdlen[i]);
            const DnsName *name = intern_wire(r, ns->rdata[i], ns->rdlen[i], hash);
            if (!name)
                continue;
            Server *s = &t->servers[t->nservers++];
            memset(s, 0, sizeof *s);
            s->name = name;
            s->hash = hash;
        }
        fill_addresses(t);
        return;
    }
    t->zone_labels = 0; /* the root */
    servers_room(t, (size_t)r->nhints);
    if (r->nhints)
        memcpy(t->servers, r->hints, (size_t)r->nhints * sizeof *t->servers);
    t->nservers = r->nhints;
}

static void client_release(Client *c);

/* The lookup ends: tell the client, or wake the parent lookup. */
static void task_done(Task *t, uint8_t rcode, const DnsCacheEntry *final, const DnsRR *soa)
{
    Task *parent = t->parent;
    if (parent) {
        parent->waiting_sub = false;
        task_free(t);
        fill_addresses(parent);
        task_run(parent);
        return;
    }
    resolver_reply(t, rcode, final, soa);
    if (t->conn)
        client_release(t->conn);
    t->conn = NULL;
    for (int i = 0; i < t->njoined; i++) {
        t->client = t->joined[i].client;
        t->cport = t->joined[i].cport;
        t->cid = t->joined[i].cid;
        t->edns = t->joined[i].edns;
        t->dnssec = t->joined[i].dnssec;
        resolver_reply(t, rcode, final, soa);
    }
    task_free(t);
}

/* ---- asking upstream --------------------------------------------------- */

static void on_upstream(Sim *sim, void *ctx, int node, const UdpMsg *m);

/* A server without an address that ask_next may still look up (glueless):
 * not tried yet, not too deep, and not inside the name being resolved. */
static bool can_look_up(const Task *t, const Server *s)
{
    return !s->has_addr && !s->looked_up && t->depth < MAX_DEPTH &&
           !dns_name_is_under(s->name, &t->cur);
}

/* Unbound's server selection (iter_server_selection): the servers with
 * an address and tries left whose RTO is within RTT_BAND of the best,
 * one of them at random; NULL when none is left. */
static Server *pick_server(Task *t)
{
    Resolver *r = t->r;
    int sel[MAX_SERVERS], low = -1;
    for (int i = 0; i < t->nservers; i++) {
        const Server *s = &t->servers[i];
        sel[i] = -1;
        if (!s->has_addr || s->attempts >= OUTBOUND_RETRY)
            continue;
        int rto = resolver_infra_peek(r, s->addr, t->asked_type);
        if (rto >= RTT_MAX_TIMEOUT)
            continue; /* unresponsive: Unbound leaves it out */
        sel[i] = rto;
        if (low < 0 || rto < low)
            low = rto;
    }
    if (low < 0)
        return NULL;
    int n = 0;
    for (int i = 0; i < t->nservers; i++)
        n += sel[i] >= 0 && sel[i] <= low + RTT_BAND;
    DnsResolverSet *set = r->sim->svc[SVC_DNS_RESOLVER];
    int k = n > 1 ? (int)rng_below(&set->pick, (uint64_t)n) : 0;
    for (int i = 0; i < t->nservers; i++)
        if (sel[i] >= 0 && sel[i] <= low + RTT_BAND && k-- == 0)
            return &t->servers[i];
    return NULL;
}

void resolver_on_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Task *t = ctx;
    t->timer = 0;
    if (t->up)
        dns_tcp_close(t->up);
    t->up = NULL;
    t->up_tcp = false;
    Server *s = &t->servers[t->current];
    resolver_infra_lost(t->r, s->addr, t->sent_rto, t->asked_type);
    int rto = resolver_infra_get(t->r, s->addr)->rto;
    char addr[16], sn[300];
    ip_format(s->addr, addr);
    bool again = false, other = false; /* what ask_next may still do */
    for (int i = 0; i < t->nservers; i++) {
        const Server *o = &t->servers[i];
        bool left = o->has_addr
                        ? o->attempts < OUTBOUND_RETRY &&
                              resolver_infra_peek(t->r, o->addr, t->asked_type) < RTT_MAX_TIMEOUT
                        : can_look_up(t, o);
        if (o == s)
            again = left;
        else
            other |= left;
    }
    const char *next = again && other ? "asks again, that server or another of"
                       : again        ? "asks that server again: it is the only one it has for"
                       : other        ? "has asked that server 5 times: it tries another one for"
                                      : "has no other server left to try for";
    trace_note(&sim->trace, sim->now, 0,
               "%s got no answer from %s (%s) within %d ms: the query or its answer was lost, or "
               "the server is down. As Unbound does, it doubles its timeout for that server (now "
               "%d ms) and %s %s.",
               resolver_node_id(t->r), dns_name_prose(s->name, sn, sizeof sn), addr, t->sent_rto,
               rto, next, t->zone_labels ? "this zone" : "the root");
    task_run(t);
}

/* The question to send: the whole name, or with QNAME minimisation (RFC
 * 9156, as Unbound does it) only one label more than the zone being asked,
 * type A, until the full name is reached.  Unbound adds one label at a
 * time for the first four steps, then several. */
#define MINIMISE_ONE_LAB       4
#define MINIMISE_MULTIPLE_LABS 10

/* Does the cache know that name exists (an address, an alias, or that it
 * has no address)?  Unbound skips such names when minimising. */
static bool known_name(Resolver *r, const DnsName *name)
{
    DnsCacheEntry *e = dns_cache_get(&r->cache, name, DNS_TYPE_A);
    return (e && e->kind != DNS_CACHE_NXDOMAIN) || dns_cache_get(&r->cache, name, DNS_TYPE_CNAME);
}

static void choose_question(Task *t)
{
    Resolver *r = t->r;
    t->asked_labels = t->cur.labels;
    t->asked_type = t->qtype;
    if (!r->qmin || r->recursive || t->mini_off || t->zone_labels >= t->cur.labels)
        return;
    int have = t->mini_labels > t->zone_labels ? t->mini_labels : t->zone_labels;
    int remaining = t->cur.labels - have;
    int add = 1;
    if (t->mini_count >= MINIMISE_ONE_LAB) {
        int left = MINIMISE_MULTIPLE_LABS - t->mini_count;
        add = left > 1 ? remaining / left : remaining;
        if (add < 1)
            add = 1;
    }
    int labels = have + add;
    DnsName name;
    while (labels < t->cur.labels) {
        dns_name_suffix(&t->cur, labels, &name);
        if (!known_name(r, &name))
            break;
        labels++; /* known to exist: no need to ask */
    }
    if (labels < t->cur.labels) {
        t->asked_labels = labels;
        t->asked_type = DNS_TYPE_A;
        return;
    }
    /* The full name: as Unbound, an unknown name is asked with type A
     * first, and only then with the type wanted. */
    if (t->qtype != DNS_TYPE_A && !t->mini_full_a && !known_name(r, &t->cur)) {
        t->asked_type = DNS_TYPE_A;
        t->mini_full_a = true;
    }
}

static void send_query(Task *t, Server *s)
{
    resolver_primed(t->r);
    Resolver *r = t->r;
    Sim *sim = r->sim;
    DnsResolverSet *set = sim->svc[SVC_DNS_RESOLVER];
    t->qid = (uint16_t)rng_below(&set->rng, 65536);
    choose_question(t);
    DnsName asked;
    task_asked(t, &asked);
    uint8_t buf[DNS_UDP_MAX];
    /* RD only in recursive mode; an OPT record offering EDNS_SIZE, no flags, no options */
    size_t n = dns_write_query(&(DnsQueryWire){.id = t->qid,
                                               .flags = r->recursive ? 0x0100 : 0,
                                               .name = &asked,
                                               .type = t->asked_type,
                                               .klass = DNS_CLASS_IN,
                                               .udp_size = EDNS_SIZE},
                               buf);
    if (t->up_tcp) {
        resolver_ask_tcp(t, s, buf, n);
        return;
    }
    if (!t->qport)
        t->qport = udp_bind_ephemeral(sim, r->node, on_upstream, t);
    t->sent_pkt = sim_packet_id(sim);
    t->sent_at = sim->now;
    t->sent_rto = resolver_infra_get(r, s->addr)->rto;
    /* A query that cannot leave times out like a lost one: the resolver
     * then tries the next server, as Unbound does after a send error. */
    Ipv4Route route;
    NetErr e = ipv4_send_check(sim, r->node, s->addr, UDP_HLEN + n, &route);
    if (trace_wanted(&sim->trace) && !t->qport) { /* bind failed: EADDRINUSE */
        trace_note(&sim->trace, sim->now, 0,
                   "%s cannot send a query: every UDP port it could send from (32768 to 60999) is "
                   "taken by a query still waiting, so no packet leaves.",
                   resolver_node_id(r));
    } else if (trace_wanted(&sim->trace)) {
        char qn[300], sn[300], zn[300], addr[16], tb[16], why[200];
        DnsName zone;
        task_zone(t, &zone);
        ip_format(s->addr, addr);
        dns_name_prose(&asked, qn, sizeof qn);
        dns_name_prose(s->name, sn, sizeof sn);
        dns_name_prose(&zone, zn, sizeof zn);
        const char *type = dns_type_name(t->asked_type, tb);
        if (e != NET_OK)
            trace_note(&sim->trace, sim->now, 0,
                       "%s cannot ask %s (%s) for %s %s: %s, so no packet leaves.",
                       resolver_node_id(r), sn, addr, qn, type,
                       ipv4_err_reason(sim, r->node, s->addr, e, why, sizeof why));
        else if (s->attempts > 1)
            trace_note(&sim->trace, sim->now, t->sent_pkt,
                       "%s asks %s (%s) again for %s %s (try %d of %d to that server) and waits "
                       "up to %d ms for the answer.",
                       resolver_node_id(r), sn, addr, qn, type, s->attempts, OUTBOUND_RETRY,
                       t->sent_rto);
        else if (r->recursive)
            trace_note(&sim->trace, sim->now, t->sent_pkt,
                       "%s works in recursive mode: it asks %s (%s) for %s %s with RD set, asking "
                       "it to find the answer itself.",
                       resolver_node_id(r), sn, addr, qn, type);
        else if (t->zone_labels == 0)
            trace_note(&sim->trace, sim->now, t->sent_pkt,
                       "%s asks the root server %s (%s) for %s %s. The query is iterative (RD "
                       "clear): the root will not look anything up, it only says what it knows.",
                       resolver_node_id(r), sn, addr, qn, type);
        else
            trace_note(&sim->trace, sim->now, t->sent_pkt,
                       "%s asks %s (%s), a server for %s%s, for %s %s.", resolver_node_id(r), sn,
                       addr, t->zone_labels == 1 ? "." : "", zn, qn, type);
    } else {
        trace_note_skip(&sim->trace);
    }
    t->queries++;
    if (e == NET_OK && t->qport)
        udp_send_on(sim, &route, t->sent_pkt, t->qport, 53, 0, buf, n, NULL);
    t->timer = sim_after(sim, (SimTime)t->sent_rto * 1000, resolver_on_timeout, t, 0);
}

static void start_sub_lookup(Task *t, Server *s)
{
    Resolver *r = t->r;
    s->looked_up = true;
    char sn[300], zn[300];
    DnsName zone;
    task_zone(t, &zone);
    trace_note(&r->sim->trace, r->sim->now, 0,
               "%s knows that %s is served by %s, but has no address for that server (no glue): "
               "it looks up %s's address first.",
               resolver_node_id(r), dns_name_prose(&zone, zn, sizeof zn),
               dns_name_prose(s->name, sn, sizeof sn), sn);
    if (t->current < 0)
        t->current = 0; /* when woken, go on with this delegation */
    Task *sub = task_new(r, s->name, s->hash, DNS_TYPE_A);
    sub->parent = t;
    sub->depth = t->depth + 1;
    t->waiting_sub = true;
    task_run(sub);
}

/* Picks the next server of the delegation and asks it; or fails. */
static void ask_next(Task *t)
{
    Server *s = pick_server(t);
    if (s) {
        s->attempts++;
        t->current = (int)(s - t->servers);
        send_query(t, s);
        return;
    }
    for (int i = 0; i < t->nservers; i++)
        if (can_look_up(t, &t->servers[i])) {
            start_sub_lookup(t, &t->servers[i]);
            return;
        }
    char qn[300];
    trace_note(&t->r->sim->trace, t->r->sim->now, 0,
               "Every server %s could ask about %s has failed: it gives up (SERVFAIL).",
               resolver_node_id(t->r), dns_name_prose(&t->cur, qn, sizeof qn));
    task_done(t, DNS_RCODE_SERVFAIL, NULL, NULL);
}

/* e (found for a client's question), if it answers it: a negative entry,
 * or an RRset that came in an answer section.  A referral's NS records and
 * glue only guide the resolver: as Unbound, it asks the zone's own servers
 * before it gives them to a client. */
static DnsCacheEntry *answer_only(DnsCacheEntry *e)
{
    return e && (e->kind != DNS_CACHE_RRSET || e->answer) ? e : NULL;
}

/* The cache entry that answers a client's question for (name, type). */
static DnsCacheEntry *answering_entry(Resolver *r, const DnsName *name, uint32_t hash,
                                      uint16_t type)
{
    return answer_only(dns_cache_get_hashed(&r->cache, name->data, name->len, hash, type));
}

/* The SOA a negative entry keeps, with the seconds the entry has left as
 * its TTL (as Unbound counts down a cached negative answer); its owner is
 * put in *owner. */
static bool negative_soa(Resolver *r, const DnsCacheEntry *e, DnsRR *soa, DnsName *owner)
{
    if (e->kind == DNS_CACHE_RRSET || !e->soa_rdata)
        return false;
    memset(soa, 0, sizeof *soa);
    dns_cache_soa_owner(e, owner);
    soa->name = owner;
    soa->type = DNS_TYPE_SOA;
    soa->klass = DNS_CLASS_IN;
    soa->ttl = dns_cache_ttl_left(&r->cache, e);
    soa->rdata = e->soa_rdata;
    soa->rdlen = e->soa_rdlen;
    return true;
}

/* RFC 8482 leaves a resolver free in what it answers to ANY.  Unbound
 * 1.17 (services/cache/dns.c, dns_cache_lookup and fill_any) answers from
 * its cache with the alias, if it holds a CNAME for the name, else with the
 * RRsets of types A, AAAA, MX, SOA, NS and DNAME that it holds for the
 * name from answer sections, in that order; with none, it asks upstream
 * for ANY.  Returns whether the cache answered. */
static bool any_from_cache(Task *t)
{
    static const uint16_t types[] = {DNS_TYPE_A,   DNS_TYPE_AAAA, DNS_TYPE_MX,
                                     DNS_TYPE_SOA, DNS_TYPE_NS,   39 /* DNAME */};
    Resolver *r = t->r;
    size_t found = 0;
    /* A cached alias answers first (Unbound's synth_cname_msg), and is not
     * followed: ANY is answered by the CNAME itself. */
    DnsCacheEntry *c = dns_cache_get(&r->cache, &t->cur, DNS_TYPE_CNAME);
    if (c && c->kind == DNS_CACHE_RRSET && c->n) {
        chain_add(t, &c->name, DNS_TYPE_CNAME, DNS_CLASS_IN, dns_cache_ttl_left(&r->cache, c),
                  c->rdata[0], c->rdlen[0]);
        task_done(t, DNS_RCODE_NOERROR, NULL, NULL);
        return true;
    }
    for (size_t i = 0; i < MN_ARRAY_LEN(types); i++) {
        DnsCacheEntry *e = dns_cache_get(&r->cache, &t->cur, types[i]);
        if (!e || e->kind != DNS_CACHE_RRSET || !e->answer)
            continue;
        uint32_t left = dns_cache_ttl_left(&r->cache, e);
        for (size_t k = 0; k < e->n; k++)
            chain_add(t, &e->name, e->type, DNS_CLASS_IN, left, e->rdata[k], e->rdlen[k]);
        found += e->n;
    }
    if (!found)
        return false;
    trace_note(&r->sim->trace, r->sim->now, 0,
               "%s answers the question of type ANY with what its cache holds for the name "
               "(RFC 8482 lets a resolver give any part of it), as Unbound does.",
               resolver_node_id(r));
    task_done(t, DNS_RCODE_NOERROR, NULL, NULL);
    return true;
}

/* Answers from the cache as far as it goes; asks upstream otherwise. */
static void task_run(Task *t)
{
    Resolver *r = t->r;
    if (t->waiting_sub)
        return;
    if (t->current >= 0 && t->nservers > 0) {
        ask_next(t);
        return;
    }
    if (t->qtype == DNS_TYPE_ANY && any_from_cache(t))
        return;
    /* What the cache holds for cur: the answer, an alias, a delegation at
     * cur itself (for closest_delegation), looked up in one go. */
    const uint16_t types[3] = {t->qtype, DNS_TYPE_CNAME, DNS_TYPE_NS};
    DnsCacheEntry *got[3];
    for (;;) {
        dns_cache_get3(&r->cache, t->cur.data, t->cur.len, t->cur_hash, types, got);
        DnsCacheEntry *e = answer_only(got[0]);
        if (e) {
            DnsRR soa;
            DnsName soa_owner;
            bool has_soa = negative_soa(r, e, &soa, &soa_owner);
            if (e->kind == DNS_CACHE_NXDOMAIN) {
                task_done(t, DNS_RCODE_NXDOMAIN, NULL, has_soa ? &soa : NULL);
                return;
            }
            task_done(t, DNS_RCODE_NOERROR, e, has_soa ? &soa : NULL);
            return;
        }
        /* A question of type ANY is answered by the alias itself. */
        DnsCacheEntry *c = t->qtype == DNS_TYPE_CNAME || t->qtype == DNS_TYPE_ANY ? NULL : got[1];
        if (c && c->kind == DNS_CACHE_RRSET && c->n) {
            DnsName target;
            if (!dns_name_from_wire(&target, c->rdata[0], c->rdlen[0]) || t->cnames >= MAX_CNAMES) {
                task_done(t, DNS_RCODE_SERVFAIL, NULL, NULL);
                return;
            }
            chain_add(t, &t->cur, DNS_TYPE_CNAME, DNS_CLASS_IN, dns_cache_ttl_left(&r->cache, c),
                      c->rdata[0], c->rdlen[0]);
            t->cnames++;
            if (!t->question) { /* the question stays as asked */
                t->question = xmalloc(offsetof(DnsName, data) + t->cur.len);
                dns_name_copy(t->question, &t->cur);
            }
            dns_name_copy(&t->cur, &target);
            t->cur_hash = dns_name_hash(&t->cur);
            continue;
        }
        break;
    }
    closest_delegation(t, got[2], t->cur.labels);
    if (!t->rd && !t->parent) {
        /* RD clear: the client asks what the cache holds, and nothing
         * more (Unbound's allow_snoop, BIND's allow-query-cache). */
        t->referral = true;
        task_done(t, DNS_RCODE_NOERROR, NULL, NULL);
        return;
    }
    if (t->queries >= MAX_QUERIES) {
        task_done(t, DNS_RCODE_SERVFAIL, NULL, NULL);
        return;
    }
    ask_next(t);
}

/* ---- what comes back --------------------------------------------------- */

/* Caches the RRset (name, type) of rrs, an answer section, as an answer
 * (DnsCacheEntry.answer): what dns_cache_mark_answer would mark, without
 * looking the entry up again; hash is name's dns_name_hash.  Returns the
 * entry, or NULL if it has no time to live (it is not marked, and answers
 * nothing). */
static DnsCacheEntry *put_answer(Resolver *r, const DnsName *name, uint32_t hash, uint16_t type,
                                 const DnsRR *rrs, size_t n)
{
    DnsCacheEntry *e = dns_cache_put_hashed(&r->cache, name, hash, type, rrs, n);
    if (!e || e->expires <= r->sim->now)
        return NULL;
    e->answer = true;
    return e;
}

static const DnsRR *find_soa(const DnsMsg *m)
{
    for (size_t i = 0; i < m->n[DNS_AUTHORITY]; i++)
        if (m->rr[DNS_AUTHORITY][i].type == DNS_TYPE_SOA)
            return &m->rr[DNS_AUTHORITY][i];
    return NULL;
}

/* How long a negative answer is remembered: the SOA's TTL or its minimum,
 * whichever is less (RFC 2308), and at most an hour (Unbound's
 * cache-max-negative-ttl).  The SOA given to clients carries it as TTL. */
#define MAX_NEGATIVE_TTL 3600

uint32_t resolver_negative_ttl(const DnsRR *soa)
{
    if (!soa || soa->rdlen < 20)
        return 0;
    uint32_t minimum = get_be32(soa->rdata + soa->rdlen - 4);
    uint32_t ttl = soa->ttl < minimum ? soa->ttl : minimum;
    return ttl < MAX_NEGATIVE_TTL ? ttl : MAX_NEGATIVE_TTL;
}

/* A referral: NS for a zone below the one asked, above the name. */
static bool take_referral(Task *t, const DnsMsg *m)
{
    Resolver *r = t->r;
    const DnsRR *ns = NULL;
    for (size_t i = 0; i < m->n[DNS_AUTHORITY]; i++)
        if (m->rr[DNS_AUTHORITY][i].type == DNS_TYPE_NS)
            ns = &m->rr[DNS_AUTHORITY][i];
    /* Below the zone asked, above the name: the zone is cur's last
     * zone_labels labels, so a suffix of cur lies below it if it has more. */
    if (!ns || ns->name->labels <= t->zone_labels || !dns_name_is_under(&t->cur, ns->name))
        return false;
    DnsName zone;
    task_zone(t, &zone);
    const DnsCacheEntry *stored =
        dns_cache_put(&r->cache, ns->name, DNS_TYPE_NS, m->rr[DNS_AUTHORITY], m->n[DNS_AUTHORITY]);
    /* Glue: addresses of the new servers, if within what the sender may
     * speak for (its zone). */
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++) {
        const DnsRR *g = &m->rr[DNS_ADDITIONAL][i];
        if ((g->type != DNS_TYPE_A && g->type != DNS_TYPE_AAAA) ||
            !dns_name_is_under(g->name, &zone))
            continue;
        bool named = false;
        for (size_t k = 0; k < m->n[DNS_AUTHORITY]; k++) {
            DnsName target;
            const DnsRR *a = &m->rr[DNS_AUTHORITY][k];
            if (a->type == DNS_TYPE_NS && dns_name_from_wire(&target, a->rdata, a->rdlen) &&
                dns_name_equal(&target, g->name))
                named = true;
        }
        if (!named)
            continue;
        uint32_t h = dns_name_hash(g->name);
        if (!dns_cache_get_hashed(&r->cache, g->name->data, g->name->len, h, g->type))
            dns_cache_put_hashed(&r->cache, g->name, h, g->type, m->rr[DNS_ADDITIONAL],
                                 m->n[DNS_ADDITIONAL]);
    }
    closest_delegation(t, stored && stored->expires > r->sim->now ? stored : NULL,
                       stored ? stored->name.labels : -1);
    return true;
}

/* Whether an NS or MX record of m's answer section names name. */
static bool named_in_answer(const DnsMsg *m, const DnsName *name)
{
    for (size_t k = 0; k < m->n[DNS_ANSWER]; k++) {
        const DnsRR *a = &m->rr[DNS_ANSWER][k];
        DnsName target;
        size_t off = a->type == DNS_TYPE_MX ? 2 : 0;
        if ((a->type == DNS_TYPE_NS || a->type == DNS_TYPE_MX) && a->rdlen > off &&
            dns_name_from_wire(&target, a->rdata + off, a->rdlen - off) &&
            dns_name_equal(&target, name))
            return true;
    }
    return false;
}

/* Addresses in an answer's additional section, for the names its NS or MX
 * records mention, if the server may speak for them (they are in its zone:
 * the bailiwick rule).  Most answers name none: that is asked first. */
static void cache_additional(Task *t, const DnsMsg *m)
{
    Resolver *r = t->r;
    DnsName zone;
    task_zone(t, &zone);
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++) {
        const DnsRR *g = &m->rr[DNS_ADDITIONAL][i];
        if ((g->type != DNS_TYPE_A && g->type != DNS_TYPE_AAAA) || !named_in_answer(m, g->name) ||
            !dns_name_is_under(g->name, &zone))
            continue;
        /* What the cache holds stays, unless this is the zone's own word
         * (AA) on what a referral's glue said: Unbound's trust levels. */
        uint32_t h = dns_name_hash(g->name);
        DnsCacheEntry *had =
            dns_cache_get_hashed(&r->cache, g->name->data, g->name->len, h, g->type);
        if (had && (!m->aa || had->answer || had->aa_additional))
            continue;
        DnsCacheEntry *e = dns_cache_put_hashed(&r->cache, g->name, h, g->type,
                                                m->rr[DNS_ADDITIONAL], m->n[DNS_ADDITIONAL]);
        if (e)
            e->aa_additional = m->aa;
    }
}

/* Forget the delegation being asked: the next run starts from the cache. */
static void restart(Task *t)
{
    t->current = -1;
    t->nservers = 0;
    t->mini_labels = 0;
    t->mini_full_a = false;
    if (t->qport) {
        udp_unbind(t->r->sim, t->r->node, t->qport);
        t->qport = 0;
    }
}

/* The answer to a minimised question: a referral moves down; anything
 * else says the name so far exists (or, NXDOMAIN, that Unbound's relaxed
 * mode should stop minimising): ask again with more labels. */
static bool handle_minimised(Task *t, const DnsMsg *m)
{
    Resolver *r = t->r;
    if (t->asked_labels == t->cur.labels && t->asked_type == t->qtype)
        return false; /* not minimised: the whole name, with the type wanted */
    t->mini_count++;
    if (m->rcode == DNS_RCODE_NOERROR && !m->n[DNS_ANSWER] && take_referral(t, m)) {
        t->mini_labels = t->zone_labels;
        ask_next(t);
        return true;
    }
    DnsName asked;
    task_asked(t, &asked);
    char an[300];
    dns_name_prose(&asked, an, sizeof an);
    /* Remember what the question showed: the name has an address, is an
     * alias, or exists without an address. */
    const DnsRR *soa = find_soa(m);
    if (m->rcode == DNS_RCODE_NOERROR && m->n[DNS_ANSWER]) {
        for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
            const DnsRR *a = &m->rr[DNS_ANSWER][i];
            if (dns_name_equal(a->name, &asked) &&
                (a->type == DNS_TYPE_A || a->type == DNS_TYPE_CNAME)) {
                put_answer(r, &asked, dns_name_hash(&asked), a->type, m->rr[DNS_ANSWER],
                           m->n[DNS_ANSWER]);
                break;
            }
        }
    } else if (m->rcode == DNS_RCODE_NOERROR && soa && resolver_negative_ttl(soa)) {
        dns_cache_put_negative(&r->cache, &asked, DNS_TYPE_A, DNS_CACHE_NODATA,
                               resolver_negative_ttl(soa));
    }
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        t->mini_off = true;
        trace_note(&r->sim->trace, r->sim->now, 0,
                   "%s does not exist as a name of its own, so %s stops minimising and asks for "
                   "the whole name (Unbound's relaxed mode).",
                   an, resolver_node_id(r));
    } else {
        t->mini_labels = t->asked_labels;
        trace_note(&r->sim->trace, r->sim->now, 0,
                   "%s is not a zone of its own: %s adds the next label and asks the same "
                   "server again (QNAME minimisation reveals one label at a time).",
                   an, resolver_node_id(r));
    }
    /* The same servers again: the one that answered first. */
    for (int i = 0; i < t->nservers; i++)
        t->servers[i].attempts = 0;
    ask_next(t);
    return true;
}

/* An answer to ANY: its records for the name are the answer (an alias
 * too: ANY is not followed through a CNAME), each RRset cached. */
static void any_answered(Task *t, const DnsMsg *m)
{
    Resolver *r = t->r;
    for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *a = &m->rr[DNS_ANSWER][i];
        if (!dns_name_equal(a->name, &t->cur))
            continue;
        chain_add(t, a->name, a->type, a->klass, a->ttl, a->rdata, a->rdlen);
        if (!dns_cache_get(&r->cache, a->name, a->type)) {
            put_answer(r, a->name, dns_name_hash(a->name), a->type, m->rr[DNS_ANSWER],
                       m->n[DNS_ANSWER]);
        }
    }
    task_done(t, DNS_RCODE_NOERROR, NULL, NULL);
}

void resolver_handle_response(Task *t, const DnsMsg *m)
{
    Resolver *r = t->r;
    Sim *sim = r->sim;
    Server *s = &t->servers[t->current];
    /* Only the first bytes set: a 900-byte initialiser, once per response,
     * cost more than the rest of this function. */
    char sn[300], qn[300], tn[300], rc[16];
    sn[0] = qn[0] = tn[0] = '\0';
    if (trace_wanted(&sim->trace)) { /* --quiet reads no note: no prose */
        dns_name_prose(s->name, sn, sizeof sn);
        dns_name_prose(&t->cur, qn, sizeof qn);
    }
    if (m->rcode != DNS_RCODE_SERVFAIL && m->rcode != DNS_RCODE_REFUSED && handle_minimised(t, m))
        return;
    if (m->rcode != DNS_RCODE_NOERROR && m->rcode != DNS_RCODE_NXDOMAIN) {
        trace_note(&sim->trace, sim->now, 0,
                   "%s answered %s, which is no use: %s tries the next server.", sn,
                   dns_rcode_name(m->rcode, rc), resolver_node_id(r));
        s->attempts = OUTBOUND_RETRY; /* not asked again for this delegation */
        ask_next(t);
        return;
    }
    /* The answer for the name asked, or a CNAME for it. */
    bool have_type = false, have_cname = false;
    DnsName target;
    for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *a = &m->rr[DNS_ANSWER][i];
        if (!dns_name_equal(a->name, &t->cur))
            continue;
        if (a->type == t->qtype)
            have_type = true;
        else if (a->type == DNS_TYPE_CNAME && dns_name_from_wire(&target, a->rdata, a->rdlen))
            have_cname = true;
    }
    if (r->recursive && (have_type || have_cname)) {
        /* A recursive server did the work: its whole answer, chain and all,
         * goes into the cache, and the cache answers the client. */
        dns_cache_put_all(&r->cache, m->rr[DNS_ANSWER], m->n[DNS_ANSWER], NULL);
        dns_cache_mark_answer(&r->cache, &t->cur, have_type ? t->qtype : DNS_TYPE_CNAME);
        for (size_t i = 0; i < m->n[DNS_ANSWER]; i++)
            dns_cache_mark_answer(&r->cache, m->rr[DNS_ANSWER][i].name, m->rr[DNS_ANSWER][i].type);
        restart(t);
        task_run(t);
        return;
    }
    if (t->qtype == DNS_TYPE_ANY && m->rcode == DNS_RCODE_NOERROR && m->n[DNS_ANSWER]) {
        any_answered(t, m);
        return;
    }
    if (have_type) {
        DnsCacheEntry *e =
            put_answer(r, &t->cur, t->cur_hash, t->qtype, m->rr[DNS_ANSWER], m->n[DNS_ANSWER]);
        cache_additional(t, m);
        restart(t);
        if (e && t->qtype != DNS_TYPE_ANY) /* what task_run would find in the cache */
            task_done(t, DNS_RCODE_NOERROR, e, NULL);
        else
            task_run(t);
        return;
    }
    if (have_cname) {
        put_answer(r, &t->cur, t->cur_hash, DNS_TYPE_CNAME, m->rr[DNS_ANSWER], m->n[DNS_ANSWER]);
        trace_note(&sim->trace, sim->now, 0,
                   "%s is an alias (CNAME) for %s. %s caches the alias and now looks up %s "
                   "itself, starting from the closest zone it knows the servers of%s.",
                   qn, dns_name_prose(&target, tn, sizeof tn), resolver_node_id(r), tn,
                   m->n[DNS_ANSWER] > 1 ? ", even though the answer already carried it: it only "
                                          "trusts records for the name it asked"
                                        : "");
        restart(t);
        task_run(t);
        return;
    }
    const DnsRR *soa = find_soa(m);
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        uint32_t ttl = resolver_negative_ttl(soa);
        if (ttl)
            dns_cache_put_negative_soa(&r->cache, &t->cur, t->cur_hash, t->qtype,
                                       DNS_CACHE_NXDOMAIN, ttl, soa);
        task_done(t, DNS_RCODE_NXDOMAIN, NULL, soa);
        return;
    }
    if (m->n[DNS_ANSWER] == 0 && take_referral(t, m)) {
        ask_next(t);
        return;
    }
    if (m->n[DNS_ANSWER] == 0 && (m->aa || soa)) {
        uint32_t ttl = resolver_negative_ttl(soa);
        if (ttl)
            dns_cache_put_negative_soa(&r->cache, &t->cur, t->cur_hash, t->qtype, DNS_CACHE_NODATA,
                                       ttl, soa);
        task_done(t, DNS_RCODE_NOERROR, NULL, soa);
        return;
    }
    trace_note(&sim->trace, sim->now, 0,
               "%s's answer neither answers %s nor refers further down (a lame server): %s "
               "tries the next server.",
               sn, qn, resolver_node_id(r));
    s->attempts = OUTBOUND_RETRY;
    ask_next(t);
}

static void on_upstream(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)node;
    Task *t = ctx;
    if (t->current < 0 || !t->timer)
        return;
    Server *s = &t->servers[t->current];
    DnsMsg *msg = &t->r->upstream; /* dns_decode empties it first */
    char why[160];
    bool ok = m->src == s->addr && m->sport == 53 &&
              dns_decode(msg, m->data, m->len, why, sizeof why) && msg->qr && msg->id == t->qid &&
              msg->n_qd == 1 && msg->qd[0].type == t->asked_type &&
              task_asked_is(t, &msg->qd[0].name);
    if (!ok) {
        trace_note(&sim->trace, sim->now, m->pkt,
                   "%s ignores this packet: its source, port, ID or question does not match "
                   "the query it sent (that check is what stops forged answers).",
                   resolver_node_id(t->r));
        return;
    }
    sim_cancel(sim, t->timer);
    t->timer = 0;
    resolver_infra_answer(t->r, s->addr, (int)((sim->now - t->sent_at) / 1000));
    if (msg->tc) {
        char sn[300];
        trace_note(&sim->trace, sim->now, m->pkt,
                   "The answer from %s has TC set (truncated): it did not fit in UDP. As "
                   "Unbound does, %s asks the same server again over TCP.",
                   dns_name_prose(s->name, sn, sizeof sn), resolver_node_id(t->r));
        t->up_tcp = true;
        send_query(t, s);
    } else {
        resolver_handle_response(t, msg);
    }
}

/* ---- the client side ---------------------------------------------------- */

/* The cache entry that ends name's chain of cached aliases for type, if
 * the whole answer is in the cache. */
static DnsCacheEntry *cached_answer(Resolver *r, const DnsName *name, uint16_t type)
{
    DnsName cur = *name;
    for (int i = 0; i <= MAX_CNAMES; i++) {
        uint32_t hash = dns_name_hash(&cur);
        DnsCacheEntry *e = answering_entry(r, &cur, hash, type);
        if (e)
            return e;
        DnsCacheEntry *c = dns_cache_get_hashed(&r->cache, cur.data, cur.len, hash, DNS_TYPE_CNAME);
        if (!c || c->kind != DNS_CACHE_RRSET || !c->n ||
            !dns_name_from_wire(&cur, c->rdata[0], c->rdlen[0]))
            return NULL;
    }
    return NULL;
}

/* A query equal to one a running lookup serves (same name, type and RD:
 * a client asking again after its timeout, or another client asking the
 * same name) joins that lookup instead of starting another, as in
 * Unbound's mesh; a repeat of the very same query (same client, port and
 * ID) is dropped. */
static bool join_running(Resolver *r, const DnsMsg *q, uint32_t h, const UdpMsg *m)
{
    Task *t = NULL; /* the first such lookup in r->tasks */
    for (Task *c = r->n_by_name ? r->by_name[h & (r->n_by_name - 1)] : NULL; c; c = c->hnext)
        if (c->hash == h && !c->parent && c->qtype == q->qd[0].type && c->rd == q->rd &&
            c->cd == q->cd && q->qd[0].klass == DNS_CLASS_IN && c->qclass == DNS_CLASS_IN &&
            dns_name_equal(task_qname(c), &q->qd[0].name) && (!t || c->index < t->index))
            t = c;
    if (!t)
        return false;
    bool same = t->client == m->src && t->cport == m->sport && t->cid == q->id;
    bool again = t->client == m->src; /* this client asked it before */
    for (int i = 0; i < t->njoined && !same; i++) {
        same = t->joined[i].client == m->src && t->joined[i].cport == m->sport &&
               t->joined[i].cid == q->id;
        again |= t->joined[i].client == m->src;
    }
    Sim *sim = r->sim;
    char qn[300], tb[16];
    dns_name_prose(task_qname(t), qn, sizeof qn);
    if (same) {
        trace_note(&sim->trace, sim->now, m->pkt,
                   "%s receives %s's query for %s %s once more; it is already working on it and "
                   "drops the copy.",
                   resolver_node_id(r), resolver_who(r, m->src), qn, dns_type_name(t->qtype, tb));
        return true;
    }
    t->joined = xgrow(t->joined, &t->joined_cap, (size_t)t->njoined + 1, sizeof *t->joined);
    struct Joined *j = &t->joined[t->njoined++];
    j->client = m->src;
    j->cport = m->sport;
    j->cid = q->id;
    j->edns = j->dnssec = false;
    for (size_t i = 0; i < q->n[DNS_ADDITIONAL]; i++)
        if (q->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT) { /* each client's own EDNS and DO */
            j->edns = true;
            j->dnssec = q->rr[DNS_ADDITIONAL][i].ttl & 0x8000;
        }
    const char *all = t->njoined == 1 ? "both" : "all of them";
    if (again)
        trace_note(&sim->trace, sim->now, m->pkt,
                   "%s receives %s's query for %s %s again (a new try, with a new ID): it is "
                   "still looking that name up, so it adds this query to the lookup in progress "
                   "and will answer %s when it ends.",
                   resolver_node_id(r), resolver_who(r, m->src), qn, dns_type_name(t->qtype, tb),
                   all);
    else
        trace_note(&sim->trace, sim->now, m->pkt,
                   "%s receives %s's query for %s %s while it is already looking that name up "
                   "for %s: it adds this query to the lookup in progress and will answer %s "
                   "when it ends, with one lookup.",
                   resolver_node_id(r), resolver_who(r, m->src), qn, dns_type_name(t->qtype, tb),
                   resolver_who(r, t->client), all);
    return true;
}

/* The query is this resolver's own, sent upstream by one of its lookups
 * and come back to it (root_hints or a delegation naming itself): that
 * lookup would wait on itself.  Unbound's mesh finds such a cycle between
 * its queries and fails it; so does minet, with SERVFAIL at once. */
static bool own_query_back(const Resolver *r, const DnsMsg *q, uint32_t src)
{
    const Node *self = &r->sim->world->nodes[r->node];
    bool mine = false;
    for (size_t i = 0; i < self->n_ips && !mine; i++)
        mine = self->ips[i] == src;
    for (size_t i = 0; i < r->ntasks && mine; i++) {
        const Task *t = r->tasks[i];
        if (t->asked_type == q->qd[0].type && task_asked_is(t, &q->qd[0].name))
            return true;
    }
    return false;
}

/* Queries Unbound answers itself, without a lookup: a zone transfer
 * (AXFR, IXFR) is REFUSED, a resolver transfers no zone; in class CH,
 * version.bind and version.server tell its version, hostname.bind and
 * id.server its host's name (TTL 0), and anything else is REFUSED, as is
 * any class but IN and CH.  Returns whether t was answered so. */
static bool answered_itself(Task *t, uint64_t pkt)
{
    bool transfer = t->qtype == DNS_TYPE_AXFR || t->qtype == DNS_TYPE_IXFR;
    if (!transfer && t->qclass == DNS_CLASS_IN) /* every lookup: nothing to do here */
        return false;
    Resolver *r = t->r;
    Sim *sim = r->sim;
    char qn[300], tb[16];
    dns_name_prose(task_qname(t), qn, sizeof qn);
    dns_type_name(t->qtype, tb);
    const char *text =
        dns_chaos_text(t->qclass, t->qtype, task_qname(t), "unbound 1.17.1", resolver_node_id(r));
    if (text) {
        uint8_t rd[256];
        chain_add(t, task_qname(t), DNS_TYPE_TXT, DNS_CLASS_CH, 0, rd, dns_txt_rdata(text, rd));
        trace_note(&sim->trace, sim->now, pkt,
                   "%s receives a query for %s TXT in class CH (chaos), not IN: a question "
                   "about the server itself, which it answers, as Unbound does: \"%s\".",
                   resolver_node_id(r), qn, text);
        task_done(t, DNS_RCODE_NOERROR, NULL, NULL);
        return true;
    }
    t->echo_flags = transfer;
    if (transfer)
        trace_note(&sim->trace, sim->now, pkt,
                   "%s receives a request for a zone transfer (%s %s): a resolver holds no zone "
                   "to give, so it refuses (REFUSED).",
                   resolver_node_id(r), qn, tb);
    else {
        char cb[16];
        trace_note(&sim->trace, sim->now, pkt,
                   "%s receives a query for %s %s in class %s: it resolves only class IN (the "
                   "Internet), so it refuses the query, as Unbound does (REFUSED).",
                   resolver_node_id(r), qn, tb, dns_class_name(t->qclass, cb));
    }
    task_done(t, DNS_RCODE_REFUSED, NULL, NULL);
    return true;
}

/* A client's query starts a lookup (answered over conn when not NULL); a
 * query of the resolver's own come back to it (cycle) is answered SERVFAIL
 * at once. */
static void start_task(Resolver *r, const DnsMsg *q, uint32_t name_hash, uint32_t src,
                       uint16_t sport, uint64_t pkt, Client *conn, bool cycle)
{
    Sim *sim = r->sim;
    Task *t = task_new(r, &q->qd[0].name, name_hash, q->qd[0].type);
    t->client = src;
    t->cport = sport;
    t->cid = q->id;
    t->rd = q->rd;
    t->qclass = q->qd[0].klass;
    t->cd = q->cd;
    t->ad = q->ad;
    t->conn = conn;
    if (conn)
        conn->refs++;
    for (size_t i = 0; i < q->n[DNS_ADDITIONAL]; i++)
        if (q->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT) {
            t->edns = true;
            t->dnssec = q->rr[DNS_ADDITIONAL][i].ttl & 0x8000;
        }
    if (answered_itself(t, pkt))
        return;
    if (cycle) {
        char qn[300], tb[16];
        trace_note(&sim->trace, sim->now, pkt,
                   "%s receives its own query for %s %s: one of its lookups asked itself, and "
                   "would wait for its own answer without end. As Unbound does with a query that "
                   "depends on itself, it answers SERVFAIL at once.",
                   resolver_node_id(r), dns_name_prose(task_qname(t), qn, sizeof qn),
                   dns_type_name(t->qtype, tb));
        task_done(t, DNS_RCODE_SERVFAIL, NULL, NULL);
        return;
    }
    if (trace_wanted(&sim->trace)) {
        char qn[300], tb[16];
        dns_name_prose(task_qname(t), qn, sizeof qn);
        const char *how = conn ? " over TCP" : "";
        DnsCacheEntry *hit = cached_answer(r, task_qname(t), t->qtype);
        if (hit)
            trace_note(&sim->trace, sim->now, pkt,
                       "%s receives %s's query%s for %s %s and finds the answer in its cache (%u "
                       "s left of its TTL): no need to ask any other server.",
                       resolver_node_id(r), resolver_who(r, src), how, qn,
                       dns_type_name(t->qtype, tb), dns_cache_ttl_left(&r->cache, hit));
        else if (!q->rd)
            trace_note(&sim->trace, sim->now, pkt,
                       "%s receives %s's query%s for %s %s with RD clear: answer from what you "
                       "know, do not look it up. Nothing in its cache answers it.",
                       resolver_node_id(r), resolver_who(r, src), how, qn,
                       dns_type_name(t->qtype, tb));
        else
            trace_note(&sim->trace, sim->now, pkt,
                       "%s receives %s's query%s for %s %s (RD set: please do the whole lookup "
                       "for me). Nothing in its cache answers it, so it starts looking it up.",
                       resolver_node_id(r), resolver_who(r, src), how, qn,
                       dns_type_name(t->qtype, tb));
    } else {
        trace_note_skip(&sim->trace);
    }
    task_run(t);
}

/* A query that minet's resolver answers: anything else is dropped, as Unbound drops junk. */
static bool decode_query(DnsMsg *q, const uint8_t *data, size_t len)
{
    char why[160];
    return dns_decode(q, data, len, why, sizeof why) && !q->qr && q->n_qd == 1 &&
           q->opcode == DNS_OPCODE_QUERY;
}

static void on_client(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)sim;
    (void)node;
    Resolver *r = ctx;
    DnsMsg *q = &r->query; /* dns_decode empties it first */
    if (decode_query(q, m->data, m->len)) {
        bool cycle = own_query_back(r, q, m->src);
        uint32_t name_hash = dns_name_hash(&q->qd[0].name);
        if (cycle || !join_running(r, q, task_hash(name_hash, q->qd[0].type), m))
            start_task(r, q, name_hash, m->src, m->sport, m->pkt, NULL, cycle);
    }
}

/* ---- clients over TCP ----------------------------------------------------- */

/* Unbound's tcp-idle-timeout: a client's connection that stays idle for
 * 30 s is closed (a background event: it keeps no run alive). */
#define CLIENT_IDLE 30000000

static void client_free(Client *c)
{
    Resolver *r = c->r;
    for (Client **p = &r->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    sim_cancel(r->sim, c->idle);
    free(c);
}

static void client_release(Client *c)
{
    if (--c->refs == 0 && !c->d)
        client_free(c);
}

/* The connection is over for the resolver (closed or ended): answers
 * still being looked up for it are dropped when they come. */
static void client_gone(Client *c)
{
    c->d = NULL;
    sim_cancel(c->r->sim, c->idle);
    c->idle = 0;
    if (!c->refs)
        client_free(c);
}

static void on_client_idle(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Client *c = ctx;
    c->idle = 0;
    trace_note(&sim->trace, sim->now, 0,
               "%s closes the idle TCP connection of %s: no question came for %d s.",
               resolver_node_id(c->r), resolver_who(c->r, c->peer), CLIENT_IDLE / 1000000);
    dns_tcp_close(c->d);
    client_gone(c);
}

static void on_client_message(void *ctx, DnsTcp *d, const uint8_t *data, size_t len)
{
    (void)d;
    Client *c = ctx;
    Resolver *r = c->r;
    sim_cancel(r->sim, c->idle);
    c->idle = sim_after_background(r->sim, CLIENT_IDLE, on_client_idle, c, 0);
    DnsMsg q;
    dns_msg_init(&q);
    if (decode_query(&q, data, len))
        start_task(r, &q, dns_name_hash(&q.qd[0].name), c->peer, 0, 0, c, false);
    dns_msg_fini(&q);
}

static void on_client_closed(void *ctx, DnsTcp *d)
{
    dns_tcp_close(d);
    client_gone(ctx);
}

static void on_client_ended(void *ctx, DnsTcp *d, TcpWhy why)
{
    (void)d;
    (void)why;
    client_gone(ctx);
}

static const DnsTcpOps client_ops = {NULL, on_client_message, on_client_closed, on_client_ended};

static void on_client_accepted(void *ctx, TcpConn *listener, TcpConn *conn)
{
    (void)listener;
    Resolver *r = ctx;
    Client *c = xcalloc(1, sizeof *c);
    c->r = r;
    TcpInfo info;
    tcp_info(conn, &info);
    c->peer = info.remote_ip;
    c->next = r->clients;
    r->clients = c;
    c->d = dns_tcp_new(conn, &client_ops, c);
    c->idle = sim_after_background(r->sim, CLIENT_IDLE, on_client_idle, c, 0);
}

static const TcpOps client_listen_ops = {on_client_accepted, NULL, NULL, NULL, NULL};

/* ---- setting up --------------------------------------------------------- */

void dns_resolvers_start(Sim *sim)
{
    const World *w = sim->world;
    DnsResolverSet *set = xcalloc(1, sizeof *set);
    set->r = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *set->r);
    sim_rng_stream(sim, &set->rng, "dns-resolver");
    sim_rng_stream(sim, &set->pick, "dns-resolver-servers");
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (!roles_runs(w, (int)i, SVC_DNS_RESOLVER))
            continue;
        const DnsNodeConf *c = dns_conf_node(w, (int)i);
        Resolver *r = xcalloc(1, sizeof *r);
        r->sim = sim;
        r->node = (int)i;
        r->round_robin = c->round_robin;
        r->recursive = c->recursive_mode;
        r->qmin = c->qname_minimisation;
        dns_cache_init(&r->cache, sim, (int)i, "cache");
        dns_msg_init(&r->query);
        dns_msg_init(&r->upstream);
        dns_msg_init(&r->reply);
        r->cache.max_ttl = 86400; /* Unbound's cache-max-ttl: a day */
        /* Unbound keeps a NXDOMAIN per question: another type is asked again */
        r->cache.nxdomain_per_type = true;
        resolver_load_hints(r);
        udp_bind(sim, (int)i, 53, on_client, r);
        tcp_listen(sim, (int)i, 53, 256, &client_listen_ops, r); /* Unbound's TCP_BACKLOG */
        set->r[set->n++] = r;
    }
    sim->svc[SVC_DNS_RESOLVER] = set;
}

void dns_resolvers_stop(Sim *sim)
{
    DnsResolverSet *set = sim->svc[SVC_DNS_RESOLVER];
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        Resolver *r = set->r[i];
        for (size_t k = 0; k < r->ntasks; k++) {
            dns_tcp_free(r->tasks[k]->up); /* TCP frees the connection */
            r->tasks[k]->up = NULL;
        }
        while (r->ntasks)
            task_free(r->tasks[r->ntasks - 1]);
        while (r->clients) {
            Client *c = r->clients;
            r->clients = c->next;
            dns_tcp_free(c->d);
            sim_cancel(sim, c->idle);
            free(c);
        }
        while (r->spare) {
            Task *t = r->spare;
            r->spare = t->parent;
            free(t->servers);
            free(t->up_query);
            free(t->joined);
            free(t);
        }
        free(r->tasks);
        free(r->by_name);
        free(r->infra);
        free(r->infra_slot);
        for (size_t k = 0; k < r->names_nslots; k++)
            free((DnsName *)r->names[k].name);
        free(r->names);
        dns_cache_fini(&r->cache);
        dns_msg_fini(&r->query);
        dns_msg_fini(&r->upstream);
        dns_msg_fini(&r->reply);
        free(r);
    }
    free(set->r);
    free(set);
    sim->svc[SVC_DNS_RESOLVER] = NULL;
}

struct DnsCache *dns_resolver_cache(Sim *sim, int node)
{
    DnsResolverSet *set = sim->svc[SVC_DNS_RESOLVER];
    for (size_t i = 0; set && i < set->n; i++)
        if (set->r[i]->node == node)
            return &set->r[i]->cache;
    return NULL;
}
