#include "dns_stub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/dns/dns_conf.h"
#include "proto/services.h"
#include "net/udp.h"

struct DnsQuery {
    Sim *sim;
    int node;
    uint32_t server;
    DnsName name;
    uint16_t type;
    DnsQueryOpts o;
    DnsQueryOps ops;
    void *ctx;
    uint16_t id, port;
    int tries;
    EvHandle timer;
    bool in_callback, cancelled;
};

typedef struct DnsStubSet {
    DnsCache **cache; /* per node, made on first use */
    size_t n;
    Rng rng; /* "dns-stub": query IDs and cookies */
} DnsStubSet;

static DnsStubSet *stub_set(Sim *sim)
{
    DnsStubSet *set = sim->svc[SVC_DNS_STUB];
    if (!set) {
        set = xcalloc(1, sizeof *set);
        set->n = sim->world->n_nodes;
        set->cache = xcalloc(set->n ? set->n : 1, sizeof *set->cache);
        sim_rng_stream(sim, &set->rng, "dns-stub");
        sim->svc[SVC_DNS_STUB] = set;
    }
    return set;
}

static void query_free(DnsQuery *q)
{
    if (q->port)
        udp_unbind(q->sim, q->node, q->port);
    sim_cancel(q->sim, q->timer);
    free(q);
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

static void send_try(DnsQuery *q);

static void on_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    DnsQuery *q = ctx;
    q->timer = 0;
    bool last = q->tries >= q->o.tries;
    q->in_callback = true;
    q->ops.timeout(q->ctx, q->tries, last);
    q->in_callback = false;
    if (last || q->cancelled)
        query_free(q);
    else
        send_try(q);
}

static void on_reply(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)sim;
    (void)node;
    DnsQuery *q = ctx;
    if (!q->timer || m->src != q->server || m->sport != 53 || m->len < 2 ||
        get_be16(m->data) != q->id)
        return; /* not the answer to this query: ignored, as a resolver library does */
    DnsMsg r;
    dns_msg_init(&r);
    char why[160];
    if (!dns_decode(&r, m->data, m->len, why, sizeof why) || !r.qr || r.n_qd != 1 ||
        r.qd[0].type != q->type || !dns_name_equal(&r.qd[0].name, &q->name)) {
        dns_msg_fini(&r);
        return;
    }
    sim_cancel(q->sim, q->timer);
    q->timer = 0;
    q->in_callback = true;
    q->ops.reply(q->ctx, &r, m->len, m->pkt);
    dns_msg_fini(&r);
    query_free(q);
}

static void send_try(DnsQuery *q)
{
    Sim *sim = q->sim;
    DnsMsg m;
    dns_msg_init(&m);
    Rng *rng = &stub_set(sim)->rng;
    q->id = (uint16_t)rng_below(rng, 65536);
    m.id = q->id;
    m.rd = q->o.rd;
    m.ad = q->o.ad;
    dns_msg_add_question(&m, &q->name, q->type, DNS_CLASS_IN);
    if (q->o.edns) {
        uint8_t opt[12];
        size_t optlen = 0;
        if (q->o.cookie) {
            put_be16(opt, 10); /* COOKIE, a client cookie of 8 bytes */
            put_be16(opt + 2, 8);
            uint64_t c = rng_next(rng);
            for (int i = 0; i < 8; i++)
                opt[4 + i] = (uint8_t)(c >> (8 * i));
            optlen = sizeof opt;
        }
        dns_msg_add_opt(&m, 1232, optlen ? opt : NULL, (uint16_t)optlen);
    }
    uint8_t buf[DNS_UDP_MAX];
    size_t n = dns_encode(&m, buf, sizeof buf);
    dns_msg_fini(&m);
    uint64_t pkt = sim_packet_id(sim);
    /* The caption says what happens: a query that cannot leave (the host
     * went down, its route is gone) is not "asked".  Either way the
     * library waits out its timeout, as it would for a lost packet. */
    NetErr e = ipv4_send_check(sim, q->node, q->server, UDP_HLEN + n);
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
        udp_send(sim, q->node, pkt, q->port, q->server, 53, 0, buf, n, NULL);
    q->timer = sim_after(sim, q->o.timeout, on_timeout, q, 0);
}

DnsQuery *dns_query_start(Sim *sim, int node, uint32_t server, const DnsName *name, uint16_t type,
                          const DnsQueryOpts *o, DnsQueryOps ops, void *ctx)
{
    int owner;
    bool local = (server >> 24) == 127 ||
                 (world_find_addr(sim->world, server, &owner, NULL) && owner == node);
    if (!local && ipv4_route(sim, node, server) < 0)
        return NULL;
    DnsQuery *q = xcalloc(1, sizeof *q);
    q->port = udp_bind_ephemeral(sim, node, on_reply, q);
    if (!q->port) { /* every ephemeral port is taken: bind fails, as for no route */
        trace_note(&sim->trace, sim->now, 0,
                   "%s on %s cannot send a query: every UDP port it could send from (32768 to "
                   "60999) is taken by a lookup still waiting.",
                   o->program, sim->world->nodes[node].id);
        free(q);
        return NULL;
    }
    q->sim = sim;
    q->node = node;
    q->server = server;
    q->name = *name;
    q->type = type;
    q->o = *o;
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

static void lookup_timeout(void *ctx, int try_no, bool last)
{
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
    DnsQueryOps ops = {lookup_reply, lookup_timeout, lookup_cancelled};
    DnsQuery *q = dns_query_start(sim, node, dc->dns, &name, DNS_TYPE_A, &o, ops, l);
    if (!q) {
        free(l);
        fn(ctx, DNS_LOOKUP_FAILED, 0, NULL);
    }
    return q;
}
