/* dns_resolver_int — what the resolver's files share (src/proto/dns/
 * dns_resolver*.c only):
 *
 *   dns_resolver.c      the service: lookups (tasks), the cache, asking
 *                       upstream over UDP, answering clients over UDP and TCP;
 *   dns_resolver_tcp.c  asking upstream over TCP, after an answer came
 *                       back truncated (TC set), as Unbound does;
 *   dns_resolver_hints.c  the root hints it starts from. */
#ifndef MN_DNS_RESOLVER_INT_H
#define MN_DNS_RESOLVER_INT_H

#include "core/sim.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_tcp.h"
#include "proto/dns/dns_wire.h"

#define MAX_SERVERS 16

/* The UDP size the resolver offers in EDNS, as Unbound does. */
#define EDNS_SIZE 1232
/* The TTL of the root hints where the scenario has no root zone: that of
 * the root's hints file (named.root). */
#define HINTS_TTL 3600000

typedef struct Server {
    /* Interned in the resolver (resolver_intern): a lookup's servers are
     * copied from a delegation or the hints, and thousands of lookups at
     * once each holding whole names would take megabytes. */
    const DnsName *name;
    uint32_t hash; /* name's dns_name_hash */
    uint32_t addr;
    bool has_addr, looked_up;
    int attempts; /* queries sent to it for this delegation */
} Server;

typedef struct Resolver Resolver;

/* A client's TCP connection to port 53 (RFC 7766).  Tasks that will
 * answer over it hold a reference; it lives until the connection is gone
 * and no task holds it any more. */
typedef struct Client {
    Resolver *r;
    DnsTcp *d; /* NULL once the connection is gone */
    uint32_t peer;
    int refs;
    EvHandle idle;
    struct Client *next;
} Client;

typedef struct Task {
    Resolver *r;
    struct Task *parent; /* a glueless lookup serves its parent */
    size_t index;        /* in Resolver.tasks */
    struct Task *hnext;  /* its bucket's chain in Resolver.by_name */
    uint32_t hash;       /* of (task_qname, qtype) */
    int depth;
    /* the client's question (a parent's lookup has no client) */
    uint32_t client;
    uint16_t cport, cid;
    bool rd, edns;
    bool cd, dnssec; /* echoed in the answer, as Unbound does: CD, and DO in OPT */
    bool ad;         /* the query's AD bit */
    bool echo_flags; /* a refused transfer: the query's flags echoed, no RA (error_encode) */
    bool referral;   /* RD clear and not in the cache: answered with the closest delegation */
    Client *conn;    /* asked over TCP: answered there */
    int njoined;     /* queries joined to this lookup: in joined */
    uint16_t qtype, qclass;
    int cnames;
    /* the delegation being asked: its zone, the last zone_labels labels of
     * cur (task_zone; cur changes only before closest_delegation sets them
     * again), and its servers (at the end) */
    int zone_labels;
    int nservers, current;
    uint16_t qid, qport;
    EvHandle timer;
    int queries;
    /* The query sent: its name the last asked_labels labels of cur (fewer
     * with QNAME minimisation, RFC 9156; cur does not change while it
     * waits), its type, and how far along minimising is */
    int asked_labels;
    uint16_t asked_type;
    int mini_labels; /* labels of cur asked so far; 0: not minimising */
    int mini_count;
    bool mini_off;    /* given up on minimising this lookup */
    bool mini_full_a; /* the full name was asked with type A already */
    uint64_t sent_pkt;
    SimTime sent_at;
    int sent_rto; /* ms: the timeout this query waits */
    bool waiting_sub;
    /* An answer came back truncated: the same server is asked again over
     * TCP, as Unbound does. */
    bool up_tcp;
    DnsTcp *up;
    size_t up_len;
    /* CNAMEs met so far, for the final answer: NULL until the first. */
    DnsMsg *chain;
    /* The client's question (task_qname) is cur until an alias moves the
     * lookup on to its target: then this copy of it, as long as the name. */
    DnsName *question;
    uint32_t cur_hash; /* cur's dns_name_hash */
    /* The name last, so that task_new clears the rest and sets only the
     * bytes of the name it uses (a name is read as far as its len). */
    DnsName cur; /* the name being looked up */
    /* Kept when a Task is reused (task_new clears what is above the name), and
     * allocated only as a lookup needs them: most lookups meet one or two
     * servers per delegation and never ask over TCP. */
    Server *servers;    /* nservers of them, room for servers_cap */
    size_t servers_cap; /* 8 or MAX_SERVERS (16): xgrow's sizes */
    uint8_t *up_query;  /* DNS_UDP_MAX bytes, up_len used; NULL until TCP */
    /* The same question while this lookup runs (a client's retry, or
     * another client asking the same name): answered with it, as
     * Unbound's mesh joins equal queries, however many they are. */
    struct Joined {
        uint32_t client;
        uint16_t cport, cid;
        bool edns, dnssec;
    } * joined;
    size_t joined_cap;
} Task;

/* The name the client asked (or the parent lookup). */
static inline const DnsName *task_qname(const Task *t)
{
    return t->question ? t->question : &t->cur;
}

/* The zone of the delegation t asks, from cur: a copy, as long as its name. */
static inline void task_zone(const Task *t, DnsName *zone)
{
    dns_name_suffix(&t->cur, t->zone_labels, zone);
}

/* The name of the query t sent, from cur: a copy, as long as its name. */
static inline void task_asked(const Task *t, DnsName *asked)
{
    dns_name_suffix(&t->cur, t->asked_labels, asked);
}

/* Whether name is the name of the query t sent, compared in place in cur. */
static inline bool task_asked_is(const Task *t, const DnsName *name)
{
    const uint8_t *p = t->cur.data;
    for (int k = t->cur.labels; k > t->asked_labels; k--)
        p += 1 + *p;
    return dns_name_equal_wire(name, p, t->cur.len - (size_t)(p - t->cur.data));
}

/* What the resolver knows of a server's round trips (Unbound's infra
 * cache), for 15 minutes after it last heard of it. */
typedef struct Infra {
    uint32_t addr;
    int srtt, rttvar, rto; /* ms */
    int timeouts[3];       /* A, AAAA, other */
    SimTime expires;
} Infra;

struct Resolver {
    Sim *sim;
    int node;
    bool round_robin;
    bool recursive; /* mode "recursive": ask the root with RD set, relay its answer */
    bool qmin;      /* qname_minimisation */
    DnsCache cache;
    Server hints[MAX_SERVERS];
    int nhints;
    /* The TTLs a referral from the hints gives: those of the root zone's
     * NS records and their addresses, as Unbound has them once it has
     * primed its cache (asked a root server for ". NS"). */
    uint32_t hints_ns_ttl, hints_a_ttl;
    bool primed; /* it has asked a server (Unbound would have primed by then) */
    SimTime primed_at;
    Task **tasks;
    size_t ntasks, tasks_cap;
    Task **by_name;   /* tasks chained by (qname, qtype): a query finds its lookup at once */
    size_t n_by_name; /* buckets, a power of two */
    Infra *infra;
    size_t ninfra, infra_cap;
    uint32_t *infra_slot; /* by address, open addressing: 1 + index into infra, 0 empty */
    size_t infra_nslots;  /* a power of two, at least twice ninfra */
    Client *clients;
    /* Tasks done, kept for the next lookups (chained by parent), with
     * their server arrays: a busy resolver starts one per question. */
    Task *spare;
    /* The names of the servers it has met, each once, for Server.name:
     * open addressing, names_nslots a power of two at least twice n_names. */
    struct Interned {
        const DnsName *name; /* NULL: an empty slot */
        uint32_t hash;       /* dns_name_hash */
    } * names;
    size_t n_names, names_nslots;
    /* Messages kept from one use to the next (no packet reaches a node
     * while it handles another): the client's query being read, the
     * upstream answer being read, and the answer being written. */
    DnsMsg query, upstream, reply;
};

/* dns_resolver_infra.c offers (a server it knows nothing of gets
 * RTT_UNKNOWN ms; RTOs are capped at RTT_MAX_TIMEOUT): */
#define RTT_UNKNOWN     376
#define RTT_MAX_TIMEOUT 120000
/* The entry for addr, made fresh (RTO 376 ms) if unknown or expired. */
Infra *resolver_infra_get(Resolver *r, uint32_t addr);
/* An answer from addr after ms milliseconds (Unbound's rtt_update). */
void resolver_infra_answer(Resolver *r, uint32_t addr, int ms);
/* A query to addr that waited orig ms got nothing (rtt_lost). */
void resolver_infra_lost(Resolver *r, uint32_t addr, int orig, uint16_t type);
/* The RTO the resolver would wait for addr now, without touching its
 * entry; RTT_MAX_TIMEOUT for a server left out for questions of type. */
int resolver_infra_peek(const Resolver *r, uint32_t addr, uint16_t type);

/* dns_resolver.c offers: */
/* The resolver's copy of name (the same bytes, case kept), made on first
 * use; it lives as long as the resolver. */
const DnsName *resolver_intern(Resolver *r, const DnsName *name);
const char *resolver_node_id(const Resolver *r);
/* The id of the node that has address addr, or "?". */
const char *resolver_who(const Resolver *r, uint32_t addr);
/* How long a negative answer is kept, from its SOA (RFC 2308). */
uint32_t resolver_negative_ttl(const DnsRR *soa);
/* The resolver's first contact with a server: where Unbound primes. */
void resolver_primed(Resolver *r);
/* Answers the client of t (dns_resolver_answer.c). */
void resolver_reply(Task *t, uint8_t rcode, const DnsCacheEntry *final, const DnsRR *soa);
/* The timer of a query that got no answer in time (arg unused). */
void resolver_on_timeout(Sim *sim, void *ctx, uint64_t arg);
/* A response that matches t's query, over UDP or TCP. */
void resolver_handle_response(Task *t, const DnsMsg *m);

/* dns_resolver_hints.c offers: sets r's hints (and the TTLs a referral
 * from them gives) from the scenario's root hints or its root zone. */
void resolver_load_hints(Resolver *r);

/* dns_resolver_tcp.c offers: asks s again over a new TCP connection with
 * the query buf (n bytes), and arms t's timer (3 s, handshake included). */
void resolver_ask_tcp(Task *t, Server *s, const uint8_t *buf, size_t n);

#endif
