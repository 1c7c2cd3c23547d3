#include "dns_stub.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/icmp.h"
#include "net/net.h"
#include "proto/dns/dns_conf.h"
#include "proto/services.h"
#include "net/udp.h"
#include "proto/dns/dns_tcp.h"

/* A query is one allocation, sized for its name and its query's bytes
 * (rounded up to QUERY_ROOM_STEP, so that the room of one that ended
 * serves the next: DnsStubSet.spare): the fields, then the name (only as
 * many of its bytes as it has), then the query (qbuf points there).  A
 * DnsName has room for the longest name and a query buffer for the
 * longest query, 700 bytes in all, where a lookup's name and query take
 * some 50: thousands of lookups wait at once in a big run. */
struct DnsQuery {
    Sim *sim;
    int node;
    uint32_t server;
    uint16_t type;
    DnsQueryOpts o;
    DnsQueryOps ops;
    void *ctx;
    uint16_t id, port;
    int tries;
    EvHandle timer;
    bool in_callback, cancelled;
    bool over_tcp; /* asked over TCP now (from the start, or after TC) */
    bool after_tc; /* over TCP because a UDP answer was truncated */
    DnsTcp *tcp;   /* this try's connection */
    size_t room;   /* the bytes allocated (query_alloc) */
    size_t qlen, qmax;
    uint8_t *qbuf; /* the query (qlen bytes; room for qmax), after name */
    DnsName name;  /* last, allocated only as far as name.len: never copied whole */
};

/* The bytes a query for name with options o takes: the header, the
 * question, and an OPT record (11 bytes) with a client cookie (12). */
static size_t query_size(const DnsName *name, const DnsQueryOpts *o)
{
    return DNS_HEADER_LEN + name->len + 4 + (o->edns ? 11 + (o->cookie ? 12 : 0) : 0);
}

typedef struct DnsStubSet {
    DnsCache **cache; /* per node, made on first use */
    size_t n;
    Rng rng; /* "dns-stub": query IDs and cookies */
    /* Queries let go, kept for the next ones (a few: lookups end and
     * start all the time, host's A, AAAA and MX one after the other), so
     * that most queries take the room of one that ended instead of a
     * malloc and a free.  Rooms are whole multiples of QUERY_ROOM_STEP:
     * a lookup's fits in most others'. */
    DnsQuery *spare[8];
    size_t n_spare;
    /* The reply being read, kept from one reply to the next (dns_decode
     * empties it first) instead of a 3.5 KB DnsMsg set up and torn down on
     * the stack for each.  No packet reaches a node while it handles
     * another (even its own address is reached through an event), so no
     * reply is read while a program's callback looks at the last one. */
    DnsMsg reply;
} DnsStubSet;

#define QUERY_ROOM_STEP 64

static DnsStubSet *stub_set(Sim *sim)
{
    DnsStubSet *set = sim->svc[SVC_DNS_STUB];
    if (!set) {
        set = xcalloc(1, sizeof *set);
        set->n = sim->world->n_nodes;
        set->cache = xcalloc(set->n ? set->n : 1, sizeof *set->cache);
        sim_rng_stream(sim, &set->rng, "dns-stub");
        dns_msg_init(&set->reply);
        sim->svc[SVC_DNS_STUB] = set;
    }
    return set;
}

/* The asker closes the connection once it has its answer, or gives up
 * on it (its FIN goes out, as when a program closes its socket). */
static void drop_tcp(DnsQuery *q)
{
    if (q->tcp)
        dns_tcp_close(q->tcp);
    q->tcp = NULL;
}

static void query_free(DnsQuery *q)
{
    drop_tcp(q);
    if (q->port)
        udp_unbind(q->sim, q->node, q->port);
    sim_cancel(q->sim, q->timer);
    DnsStubSet *set = q->sim->svc[SVC_DNS_STUB]; /* NULL once the stubs stopped */
    if (set && set->n_spare < MN_ARRAY_LEN(set->spare))
        set->spare[set->n_spare++] = q;
    else
        free(q);
}

/* Room for a query of size bytes, its fields cleared: the last spare
 * when it fits. */
static DnsQuery *query_alloc(Sim *sim, size_t size)
{
    DnsStubSet *set = stub_set(sim);
    size = (size + QUERY_ROOM_STEP - 1) / QUERY_ROOM_STEP * QUERY_ROOM_STEP;
    DnsQuery *q = set->n_spare ? set->spare[set->n_spare - 1] : NULL;
    if (q && q->room >= size) {
        set->n_spare--;
        size = q->room;
    } else {
        q = xmalloc(size);
    }
    memset(q, 0, offsetof(DnsQuery, name)); /* the name and qbuf are filled before read */
    q->room = size;
    return q;
}

void dns_query_cancel(DnsQuery *q)
{
    if (!q)
        return;
    if (q->in_callback) {
        q->cancelled = true;
        return;
    }
    if (q->ops.cancelled)
        q->ops.cancelled(q->ctx);
    query_free(q);
}

const char *dns_query_why_text(TcpWhy why)
{
    switch (why) {
    case TCP_WHY_REFUSED:
        return "connection refused";
    case TCP_WHY_RESET:
        return "connection reset";
    case TCP_WHY_NET_UNREACH:
        return "network unreachable";
    case TCP_WHY_HOST_UNREACH:
        return "host unreachable";
    case TCP_WHY_TIMEOUT:
        return "timed out";
    default:
        return "unexpected error";
    }
}

const char *dns_tool_count(const char *text, uint64_t max, uint64_t *out)
{
    if (!*text || text[strspn(text, "0123456789")])
        return "not a valid number";
    uint64_t n = 0;
    for (const char *c = text; *c; c++)
        if ((n = n * 10 + (uint64_t)(*c - '0')) > max)
            return "out of range";
    *out = n;
    return NULL;
}

static void send_try(DnsQuery *q);

/* The try is over without an answer (why), told as a TCP failure when
 * tcp_failed and the program hears of those; then the next try at once,
 * or the query is over. */
static void end_try(DnsQuery *q, TcpWhy why, bool tcp_failed)
{
    sim_cancel(q->sim, q->timer);
    q->timer = 0;
    drop_tcp(q);
    bool last = q->tries >= q->o.tries;
    q->in_callback = true;
    if (tcp_failed && q->ops.failed)
        q->ops.failed(q->ctx, why, q->tries, last);
    else
        q->ops.timeout(q->ctx, tcp_failed ? TCP_WHY_TIMEOUT : why, q->tries, last);
    q->in_callback = false;
    if (last || q->cancelled)
        query_free(q);
    else
        send_try(q);
}

static void on_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    DnsQuery *q = ctx;
    q->timer = 0;
    end_try(q, TCP_WHY_TIMEOUT, false);
}

/* A reply's bytes (over UDP or TCP): the answer, when it matches. */
static void take_reply(DnsQuery *q, const uint8_t *data, size_t len, uint64_t pkt)
{
    if (!q->timer || len < 2 || get_be16(data) != q->id)
        return; /* not the answer to this query: ignored, as a resolver library does */
    DnsMsg *r = &stub_set(q->sim)->reply;
    char why[160];
    if (!dns_decode(r, data, len, why, sizeof why) || !r->qr || r->n_qd != 1 ||
        r->qd[0].type != q->type || !dns_name_equal(&r->qd[0].name, &q->name))
        return;
    sim_cancel(q->sim, q->timer);
    q->timer = 0;
    if (r->tc && !q->over_tcp && !q->o.ignore_tc) {
        trace_note(&q->sim->trace, q->sim->now, pkt,
                   "The answer has TC set (truncated): it did not fit in a UDP message, so %s "
                   "asks again over TCP, where a message may be up to 65,535 bytes long "
                   "(RFC 7766).",
                   q->o.program);
        q->over_tcp = q->after_tc = true;
        q->tries = 0;
        if (q->ops.truncated) {
            q->in_callback = true;
            q->ops.truncated(q->ctx);
            q->in_callback = false;
            if (q->cancelled) {
                query_free(q);
                return;
            }
        }
        send_try(q);
        return;
    }
    q->in_callback = true;
    q->ops.reply(q->ctx, r, len, pkt);
    query_free(q);
}

/* ICMP destination unreachable about this try's query: the try fails
 * now, and the next one goes at once. */
static void take_unreachable(DnsQuery *q, const IcmpMsg *icmp)
{
    TcpWhy why = icmp->code == ICMP_UNREACH_PORT   ? TCP_WHY_REFUSED
                 : icmp->code == ICMP_UNREACH_NET  ? TCP_WHY_NET_UNREACH
                 : icmp->code == ICMP_UNREACH_HOST ? TCP_WHY_HOST_UNREACH
                                                   : TCP_WHY_CLOSED;
    if (!q->timer || why == TCP_WHY_CLOSED)
        return;
    bool last = q->tries >= q->o.tries;
    trace_note(&q->sim->trace, q->sim->now, icmp->pkt,
               "The ICMP error tells %s that its query cannot be answered (%s): the system hands "
               "that to the program at once, so it does not wait out its timeout%s.",
               q->o.program,
               why == TCP_WHY_REFUSED       ? "no program listens on port 53 there"
               : why == TCP_WHY_NET_UNREACH ? "no route leads to that network"
                                            : "that host cannot be reached",
               last ? ", and it has no tries left" : ", and it tries again now");
    end_try(q, why, false);
}

static void on_reply(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)sim;
    (void)node;
    DnsQuery *q = ctx;
    if (m->src != q->server || m->sport != 53 || q->over_tcp)
        return;
    if (m->icmp)
        take_unreachable(q, m->icmp);
    else
        take_reply(q, m->data, m->len, m->pkt);
}

/* ---- over TCP ------------------------------------------------------------ */

static void on_tcp_connected(void *ctx, DnsTcp *d)
{
    DnsQuery *q = ctx;
    char cap[800] = "";
    if (trace_wanted(&q->sim->trace)) {
        char qn[300], tb[16];
        dns_name_prose(&q->name, qn, sizeof qn);
        snprintf(cap, sizeof cap,
                 "%s sends its query for %s %s over the TCP connection: the same DNS message as "
                 "over UDP, with its length in 2 bytes in front (RFC 1035 4.2.2).",
                 q->o.program, qn, dns_type_name(q->type, tb));
    }
    dns_tcp_send(d, q->qbuf, q->qlen, cap[0] ? cap : NULL);
}

static void on_tcp_message(void *ctx, DnsTcp *d, const uint8_t *msg, size_t len)
{
    (void)d;
    take_reply(ctx, msg, len, 0);
}

static void on_tcp_ended(void *ctx, DnsTcp *d, TcpWhy why)
{
    (void)d;
    DnsQuery *q = ctx;
    q->tcp = NULL;
    if (!q->timer || why == TCP_WHY_CLOSED)
        return; /* the server closed before answering: the try times out */
    end_try(q, why, true);
}

static const DnsTcpOps query_tcp_ops = {on_tcp_connected, on_tcp_message, NULL, on_tcp_ended};

/* A try over TCP: a connection of its own (as BIND's tools do), which the
 * handshake's captions narrate; the query goes once it is up. */
static void send_try_tcp(DnsQuery *q)
{
    Sim *sim = q->sim;
    if (trace_wanted(&sim->trace)) {
        char qn[300], tb[16], addr[16];
        dns_name_prose(&q->name, qn, sizeof qn);
        ip_format(q->server, addr);
        int owner;
        const char *server = world_find_addr(sim->world, q->server, &owner, NULL)
                                 ? sim->world->nodes[owner].id
                                 : addr;
        const char *why = q->after_tc    ? "the UDP answer was truncated"
                          : q->o.why_tcp ? q->o.why_tcp
                                         : "it was asked to use TCP";
        trace_note(&sim->trace, sim->now, 0,
                   "%s on %s will ask %s (%s) for %s %s over TCP%s (%s): first it opens a TCP "
                   "connection to port 53, with the three-way handshake.",
                   q->o.program, sim->world->nodes[q->node].id, server, addr, qn,
                   dns_type_name(q->type, tb), q->tries ? " again" : "", why);
    }
    q->tries++;
    NetErr e = NET_OK;
    q->tcp = dns_tcp_connect(sim, q->node, q->server, NULL, &query_tcp_ops, q, &e);
    SimTime t = q->o.tcp_timeout ? q->o.tcp_timeout : q->o.timeout;
    q->timer = sim_after(sim, t, on_timeout, q, 0);
}

/* This try's query, with a new ID (and a new cookie), into q->qbuf. */
static void build_query(DnsQuery *q)
{
    Rng *rng = &stub_set(q->sim)->rng;
    q->id = (uint16_t)rng_below(rng, 65536);
    uint8_t cookie[8];
    if (q->o.edns && q->o.cookie) {
        uint64_t c = rng_next(rng);
        for (int i = 0; i < 8; i++)
            cookie[i] = (uint8_t)(c >> (8 * i));
    }
    DnsQueryWire w = {
        .id = q->id,
        .flags = (uint16_t)((q->o.aa ? 0x0400 : 0) | (q->o.rd ? 0x0100 : 0) |
                            (q->o.ad ? 0x0020 : 0) | (q->o.cd ? 0x0010 : 0)),
        .name = &q->name,
        .type = q->type,
        .klass = q->o.klass ? q->o.klass : DNS_CLASS_IN,
        .udp_size = q->o.edns ? (q->o.udp_size ? q->o.udp_size : 1232) : 0,
        .dnssec_ok = q->o.dnssec,
        .cookie = q->o.edns && q->o.cookie ? cookie : NULL,
    };
    size_t at = dns_write_query(&w, q->qbuf);
    assert(at == q->qmax); /* query_size is exact */
    q->qlen = at;
}

static void send_try(DnsQuery *q)
{
    Sim *sim = q->sim;
    build_query(q);
    if (q->over_tcp) {
        send_try_tcp(q);
        return;
    }
    const uint8_t *buf = q->qbuf;
    size_t n = q->qlen;
    uint64_t pkt = sim_packet_id(sim);
    /* The caption says what happens: a query that cannot leave (the host
     * went down, its route is gone) is not "asked".  Either way the
     * library waits out its timeout, as it would for a lost packet. */
    Ipv4Route route;
    NetErr e = ipv4_send_check(sim, q->node, q->server, UDP_HLEN + n, &route);
    if (trace_wanted(&sim->trace)) {
        char qn[300], tb[16], addr[16], why[200];
        dns_name_prose(&q->name, qn, sizeof qn);
        ip_format(q->server, addr);
        int owner;
        const char *server = world_find_addr(sim->world, q->server, &owner, NULL)
                                 ? sim->world->nodes[owner].id
                                 : NULL;
        const char *node = sim->world->nodes[q->node].id;
        if (e == NET_OK)
            trace_note(&sim->trace, sim->now, pkt, "%s on %s asks %s (%s) for %s %s%s%s.",
                       q->o.program, node, server ? server : addr, addr, qn,
                       dns_type_name(q->type, tb),
                       q->o.rd ? " with RD set: recursion desired"
                               : " with RD clear: answer only from what you know",
                       q->tries ? ", again" : "");
        else
            trace_note(&sim->trace, sim->now, 0,
                       "%s on %s cannot ask %s (%s) for %s %s%s: %s, so no packet leaves.",
                       q->o.program, node, server ? server : addr, addr, qn,
                       dns_type_name(q->type, tb), q->tries ? " again" : "",
                       ipv4_err_reason(sim, q->node, q->server, e, why, sizeof why));
    } else {
        trace_note_skip(&sim->trace);
    }
    q->tries++;
    if (e == NET_OK)
        udp_send_on(sim, &route, pkt, q->port, 53, 0, buf, n, NULL);
    q->timer = sim_after(sim, q->o.timeout, on_timeout, q, 0);
}

const uint8_t *dns_query_sent(const DnsQuery *q, size_t *len)
{
    *len = q->qlen;
    return q->qbuf;
}

DnsQuery *dns_query_start(Sim *sim, int node, uint32_t server, const DnsName *name, uint16_t type,
                          const DnsQueryOpts *o, DnsQueryOps ops, void *ctx)
{
    int owner;
    /* A route leads there, or it is one of the node's own addresses (the
     * route is the common case: looked at first). */
    bool reachable = (server >> 24) == 127 || ipv4_route(sim, node, server) >= 0 ||
                     (world_find_addr(sim->world, server, &owner, NULL) && owner == node);
    if (!reachable)
        return NULL;
    size_t name_size = offsetof(DnsName, data) + name->len, qmax = query_size(name, o);
    DnsQuery *q = query_alloc(sim, offsetof(DnsQuery, name) + name_size + qmax);
    q->port = udp_bind_ephemeral(sim, node, on_reply, q);
    if (!q->port) { /* every ephemeral port is taken: bind fails, as for no route */
        trace_note(&sim->trace, sim->now, 0,
                   "%s on %s cannot send a query: every UDP port it could send from (32768 to "
                   "60999) is taken by a lookup still waiting.",
                   o->program, sim->world->nodes[node].id);
        free(q);
        return NULL;
    }
    if (o->icmp_errors)
        udp_want_errors(sim, node, q->port);
    q->sim = sim;
    q->node = node;
    q->server = server;
    memcpy(&q->name, name, name_size);
    q->qbuf = (uint8_t *)&q->name + name_size;
    q->qmax = qmax;
    q->type = type;
    q->o = *o;
    q->over_tcp = o->tcp;
    q->ops = ops;
    q->ctx = ctx;
    send_try(q);
    return q;
}

/* ---- the host cache ------------------------------------------------------ */

DnsCache *dns_stub_cache(Sim *sim, int node)
{
    DnsStubSet *set = stub_set(sim);
    if (!set->cache[node]) {
        set->cache[node] = xmalloc(sizeof **set->cache);
        dns_cache_init(set->cache[node], sim, node, "host cache");
    }
    return set->cache[node];
}

void dns_stubs_stop(Sim *sim)
{
    DnsStubSet *set = sim->svc[SVC_DNS_STUB];
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        if (set->cache[i]) {
            dns_cache_fini(set->cache[i]);
            free(set->cache[i]);
        }
    free(set->cache);
    for (size_t i = 0; i < set->n_spare; i++)
        free(set->spare[i]);
    dns_msg_fini(&set->reply);
    free(set);
    sim->svc[SVC_DNS_STUB] = NULL;
}

/* ---- lookups for applications ------------------------------------------ */

typedef struct Lookup {
    Sim *sim;
    int node;
    DnsName name;
    DnsLookupFn fn;
    void *ctx;
} Lookup;

/* Follows name through the cache's aliases to an address. */
static bool from_cache(DnsCache *c, const DnsName *name, uint32_t *addr, bool *nx, char *canon,
                       size_t size)
{
    DnsName cur = *name;
    *nx = false;
    for (int i = 0; i < 9; i++) {
        DnsCacheEntry *a = dns_cache_get(c, &cur, DNS_TYPE_A);
        if (a) {
            if (a->kind == DNS_CACHE_RRSET && a->n && a->rdlen[0] == 4) {
                *addr = get_be32(a->rdata[0]);
                dns_name_str(&cur, canon, size);
                size_t len = strlen(canon);
                if (len > 1 && canon[len - 1] == '.')
                    canon[len - 1] = '\0';
                return true;
            }
            *nx = a->kind == DNS_CACHE_NXDOMAIN;
            return false;
        }
        DnsCacheEntry *cn = dns_cache_get(c, &cur, DNS_TYPE_CNAME);
        if (!cn || cn->kind != DNS_CACHE_RRSET || !cn->n ||
            !dns_name_from_wire(&cur, cn->rdata[0], cn->rdlen[0]))
            return false;
    }
    return false;
}

static void lookup_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    (void)size;
    (void)pkt;
    Lookup *l = ctx;
    DnsCache *c = dns_stub_cache(l->sim, l->node);
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        l->fn(l->ctx, DNS_LOOKUP_NXDOMAIN, 0, NULL);
        free(l);
        return;
    }
    if (m->rcode != DNS_RCODE_NOERROR) {
        l->fn(l->ctx, DNS_LOOKUP_FAILED, 0, NULL);
        free(l);
        return;
    }
    /* Every RRset of the answer goes into the host cache, in order. */
    dns_cache_put_all(c, m->rr[DNS_ANSWER], m->n[DNS_ANSWER], &l->name);
    uint32_t addr;
    bool nx;
    char canon[300];
    if (from_cache(c, &l->name, &addr, &nx, canon, sizeof canon))
        l->fn(l->ctx, DNS_LOOKUP_OK, addr, canon);
    else
        l->fn(l->ctx, DNS_LOOKUP_NODATA, 0, NULL);
    free(l);
}

static void lookup_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)why;
    (void)try_no;
    Lookup *l = ctx;
    if (!last)
        return;
    l->fn(l->ctx, DNS_LOOKUP_FAILED, 0, NULL);
    free(l);
}

static void lookup_cancelled(void *ctx)
{
    free(ctx);
}

DnsQuery *dns_lookup_address(Sim *sim, int node, const char *text, DnsLookupFn fn, void *ctx)
{
    DnsName name, root;
    const char *why;
    dns_name_root(&root);
    if (!dns_name_from_text(&name, text, strlen(text), &root, &why)) {
        fn(ctx, DNS_LOOKUP_NXDOMAIN, 0, NULL);
        return NULL;
    }
    const Node *n = &sim->world->nodes[node];
    DnsCache *c = dns_stub_cache(sim, node);
    uint32_t addr;
    bool nx;
    char canon[300];
    if (from_cache(c, &name, &addr, &nx, canon, sizeof canon)) {
        trace_note(&sim->trace, sim->now, 0,
                   "%s finds %s in its own DNS cache (what ipconfig /displaydns shows): no "
                   "query is needed.",
                   n->id, text);
        fn(ctx, DNS_LOOKUP_OK, addr, canon);
        return NULL;
    }
    const DnsNodeConf *dc = dns_conf_node(sim->world, node);
    if (!dc->has_dns) { /* resolve_name uses the node ids then */
        fn(ctx, DNS_LOOKUP_FAILED, 0, NULL);
        return NULL;
    }
    Lookup *l = xcalloc(1, sizeof *l);
    l->sim = sim;
    l->node = node;
    l->name = name;
    l->fn = fn;
    l->ctx = ctx;
    /* glibc's stub: RD, no EDNS, 5 s per try, 2 tries. */
    DnsQueryOpts o = {
        .rd = true, .timeout = 5000000, .tries = 2, .program = "the resolver library"};
    DnsQueryOps ops = {
        .reply = lookup_reply, .timeout = lookup_timeout, .cancelled = lookup_cancelled};
    DnsQuery *q = dns_query_start(sim, node, dc->dns, &name, DNS_TYPE_A, &o, ops, l);
    if (!q) {
        free(l);
        fn(ctx, DNS_LOOKUP_FAILED, 0, NULL);
    }
    return q;
}
