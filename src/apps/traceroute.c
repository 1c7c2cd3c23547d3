/* traceroute — Linux traceroute 2.1 (the default UDP method): probes to
 * ports 33434, 33435, … with TTL 1, 2, 3, …, three per hop; each router
 * where a probe's TTL runs out answers "time exceeded", and the
 * destination answers "port unreachable", which ends the trace after that
 * hop's line.
 *
 * The real tool keeps up to 16 probes in flight; minet sends one at a time
 * (as with -N 1) so that a class can follow each probe.  The lines printed
 * are the same either way.  Waiting follows -w MAX,HERE,NEAR (5, 3, 10). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/icmp.h"
#include "net/net.h"
#include "net/udp.h"
#include "proto/resolve.h"
#include "apps/apps.h"

#define DEF_START_PORT 33434
#define DEF_DATA_LEN   32 /* 40 less the UDP header: 60-byte packets */
#define MAX_PROBES     10

typedef struct Trace_ {
    Proc *proc;
    Sim *sim;
    int node;
    char name[256];
    uint32_t dst;
    bool numeric;
    int first_ttl, max_hops, nprobes;
    uint16_t port, sport;
    double wait_max, wait_here, wait_near; /* near: read and checked; probes go one by one */
    int ttl, probe;                        /* current hop and probe within it */
    SimTime sent;                          /* when the current probe left */
    uint32_t last_addr;                    /* last answering address on this hop, 0 if none */
    SimTime last_rtt;                      /* RTT of an answer on this hop, -1 if none */
    bool final;                            /* the destination answered on this hop */
    int listener;
    EvHandle timeout; /* 0 while a probe waits without end (see wait_time) */
    bool waiting;     /* a probe is out and unanswered */
    uint64_t pkt;
    Resolve *lookup;  /* while the name is being looked up */
    const char *host; /* as typed (argv lives while main runs) */
    char host_copy[256];
    int argc;
} Traceroute;

static const char usage_text[] =
#include "apps/traceroute_usage.inc"
    ;

static void next_probe(Traceroute *tr);

static void traceroute_free(void *state)
{
    Traceroute *tr = state;
    resolve_cancel(tr->lookup);
    if (tr->listener)
        icmp_unlisten(tr->sim, tr->listener);
    sim_cancel(tr->sim, tr->timeout);
    free(tr);
}

static void finish(Traceroute *tr, int status)
{
    proc_printf(tr->proc, CON_STDOUT, "\n");
    proc_exit(tr->proc, status);
}

static void print_addr(Traceroute *tr, uint32_t ip)
{
    char addr[16];
    ip_format(ip, addr);
    if (tr->numeric) {
        proc_printf(tr->proc, CON_STDOUT, " %s", addr);
        return;
    }
    const char *name = resolve_hosts_reverse(tr->sim, ip);
    proc_printf(tr->proc, CON_STDOUT, " %s (%s)", name ? name : addr, addr);
}

/* After a probe is answered or timed out: the next probe, hop, or the end. */
static void advance(Traceroute *tr)
{
    tr->probe++;
    if (tr->probe < tr->nprobes) {
        next_probe(tr);
        return;
    }
    if (tr->final || tr->ttl >= tr->max_hops) {
        finish(tr, 0);
        return;
    }
    tr->ttl++;
    tr->probe = 0;
    tr->last_addr = 0;
    tr->last_rtt = -1;
    next_probe(tr);
}

static void on_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Traceroute *tr = ctx;
    tr->timeout = 0;
    tr->waiting = false;
    proc_printf(tr->proc, CON_STDOUT, " *");
    trace_note(&sim->trace, sim->now, tr->pkt,
               "No answer to the probe with TTL %d within the wait time: traceroute prints *.",
               tr->ttl);
    advance(tr);
}

/* How long the current probe waits, or -1 for "until an answer comes".
 * traceroute hands poll() ceil(seconds * 1000) as an int: a nan wait, or
 * one past INT_MAX ms (24.8 days), becomes a negative timeout, which poll
 * takes as no timeout at all. */
static SimTime wait_time(const Traceroute *tr)
{
    double w = tr->wait_max;
    if (tr->last_rtt >= 0 && tr->wait_here != 0) { /* a factor of 0 is not used */
        double here = tr->wait_here * ((double)tr->last_rtt / 1e6 + 0.001);
        if (here < w)
            w = here;
    }
    if (!(ceil(w * 1000) <= INT_MAX))
        return -1;
    return (SimTime)(w * 1e6);
}

static void next_probe(Traceroute *tr)
{
    Sim *sim = tr->sim;
    if (tr->probe == 0)
        proc_printf(tr->proc, CON_STDOUT, "\n%2u ", (unsigned)tr->ttl);
    uint8_t data[DEF_DATA_LEN];
    for (int i = 0; i < DEF_DATA_LEN; i++)
        data[i] = (uint8_t)(0x40 + i);
    uint16_t dport = tr->port++;
    tr->pkt = sim_packet_id(sim);
    char dst[16];
    ip_format(tr->dst, dst);
    trace_note(&sim->trace, sim->now, tr->pkt,
               "traceroute sends probe %d of hop %d: a UDP packet to %s port %u with TTL %d, "
               "so the %s router on the path will discard it and report back.",
               tr->probe + 1, tr->ttl, dst, dport, tr->ttl,
               tr->ttl == 1 ? "first"
                            : (tr->ttl == 2 ? "second" : (tr->ttl == 3 ? "third" : "next")));
    tr->sent = sim->now;
    udp_send(sim, tr->node, tr->pkt, tr->sport, tr->dst, dport, (uint8_t)tr->ttl, data, sizeof data,
             NULL);
    SimTime wait = wait_time(tr);
    tr->timeout = wait >= 0 ? sim_after(sim, wait, on_timeout, tr, 0) : 0;
    tr->waiting = true;
}

static void on_icmp(Sim *sim, void *ctx, int node, const IcmpMsg *m)
{
    (void)node;
    Traceroute *tr = ctx;
    if (!tr->waiting || !m->has_orig || m->orig.proto != IP_PROTO_UDP || m->orig.dst != tr->dst ||
        m->orig_payload_len < UDP_HLEN)
        return;
    uint16_t sport = get_be16(m->orig_payload), dport = get_be16(m->orig_payload + 2);
    if (sport != tr->sport || dport != (uint16_t)(tr->port - 1))
        return;
    sim_cancel(sim, tr->timeout);
    tr->timeout = 0;
    tr->waiting = false;
    SimTime rtt = sim->now - tr->sent;
    if (tr->probe == 0 || m->src != tr->last_addr)
        print_addr(tr, m->src);
    tr->last_addr = m->src;
    tr->last_rtt = rtt;
    proc_printf(tr->proc, CON_STDOUT, "  %.3f ms", (double)rtt / 1000.0);
    const char *who = resolve_hosts_reverse(sim, m->src);
    char from[16];
    ip_format(m->src, from);
    if (m->type == ICMP_TIME_EXCEEDED) {
        trace_note(&sim->trace, sim->now, m->pkt,
                   "Hop %d is %s (%s): its \"time exceeded\" message came back after %.3f ms.",
                   tr->ttl, who ? who : from, from, (double)rtt / 1000.0);
    } else if (m->type == ICMP_DEST_UNREACH) {
        static const char *const marks[] = {"!N", "!H", "!P", ""};
        if (m->code < 4 && marks[m->code][0])
            proc_printf(tr->proc, CON_STDOUT, " %s", marks[m->code]);
        else if (m->code >= 4)
            proc_printf(tr->proc, CON_STDOUT, " !<%u>", m->code);
        tr->final = true;
        trace_note(&sim->trace, sim->now, m->pkt,
                   m->code == ICMP_UNREACH_PORT
                       ? "The destination %s (%s) answered \"port unreachable\": the probe got all "
                         "the way there, so this is the last hop."
                       : "%s (%s) reports the destination unreachable: the trace ends here.",
                   who ? who : from, from);
    }
    advance(tr);
}

/* ---- arguments --------------------------------------------------------- */

static bool parse_int(Traceroute *tr, const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 65535) {
        proc_printf(tr->proc, CON_STDERR, "Cannot handle `%s' option with arg `%s' (argc %d)\n",
                    "?", s, 0);
        return false;
    }
    *out = (int)v;
    return true;
}

/* -w MAX[,HERE[,NEAR]] as traceroute 2.1 reads it: each number is strtod's,
 * any one character separates them, and giving -w sets the factors it
 * leaves out to 0.  Negative values are refused after all arguments are
 * read; nan and waits too long for poll's int milliseconds are accepted
 * (they mean "wait for an answer without end"; see wait_time). */
static bool parse_wait(Traceroute *tr, const char *v)
{
    char *end;
    tr->wait_here = tr->wait_near = 0;
    tr->wait_max = strtod(v, &end);
    if (end == v)
        return false;
    if (!*end++)
        return true;
    const char *p = end;
    tr->wait_here = strtod(p, &end);
    if (end == p)
        return false;
    if (!*end++)
        return true;
    p = end;
    tr->wait_near = strtod(p, &end);
    return end != p && !*end;
}

static int parse_args(Traceroute *tr, int argc, char **argv, const char **host)
{
    Proc *p = tr->proc;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && strchr("fmqwpN", a[1]) && !a[2]) {
            if (i + 1 >= argc) {
                proc_printf(p, CON_STDERR, "Option `%s' (argc %d) requires an argument: `%s'\n", a,
                            i, a);
                return 2;
            }
            const char *v = argv[++i];
            int n = 0;
            char opt = a[1];
            if (opt == 'w') {
                if (!parse_wait(tr, v)) {
                    proc_printf(p, CON_STDERR,
                                "Cannot handle `-w' option with arg `%s' (argc %d)\n", v, i - 1);
                    return 2;
                }
                continue;
            }
            if (!parse_int(tr, v, &n))
                return 2;
            if (opt == 'f')
                tr->first_ttl = n;
            else if (opt == 'm')
                tr->max_hops = n;
            else if (opt == 'q')
                tr->nprobes = n;
            else if (opt == 'p')
                tr->port = (uint16_t)n;
            continue;
        }
        if (strcmp(a, "-n") == 0) {
            tr->numeric = true;
            continue;
        }
        if (strcmp(a, "-4") == 0)
            continue;
        if (a[0] == '-' && a[1]) {
            proc_printf(p, CON_STDERR, "Bad option `%s' (argc %d)\n", a, i);
            return 2;
        }
        npos++;
        if (npos == 1) {
            *host = a;
        } else if (npos > 2) {
            proc_printf(p, CON_STDERR, "Extra arg `%s' (position %d, argc %d)\n", a, npos, i);
            return 2;
        }
    }
    if (!*host) {
        proc_printf(p, CON_STDERR, "%s", usage_text);
        return 0;
    }
    if (tr->nprobes < 1 || tr->nprobes > MAX_PROBES) {
        proc_printf(p, CON_STDERR, "no more than %d probes per hop\n", MAX_PROBES);
        return 2;
    }
    if (tr->max_hops > 255) {
        proc_printf(p, CON_STDERR, "max hops cannot be more than 255\n");
        return 2;
    }
    if (tr->first_ttl < 1 || tr->first_ttl > tr->max_hops) {
        proc_printf(p, CON_STDERR, "first hop out of range\n");
        return 2;
    }
    if (tr->wait_max < 0 || tr->wait_here < 0 || tr->wait_near < 0) {
        proc_printf(p, CON_STDERR, "bad wait specifications `%g,%g,%g' used\n", tr->wait_max,
                    tr->wait_here, tr->wait_near);
        return 2;
    }
    return -1;
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t addr, const char *canon);

void traceroute_main(Proc *p, int argc, char **argv)
{
    Sim *sim = p->sim;
    Traceroute *tr = xcalloc(1, sizeof *tr);
    tr->proc = p;
    tr->sim = sim;
    tr->node = p->node;
    tr->first_ttl = 1;
    tr->max_hops = 30;
    tr->nprobes = 3;
    tr->port = DEF_START_PORT;
    tr->wait_max = 5.0;
    tr->wait_here = 3.0;
    tr->wait_near = 10.0;
    tr->last_rtt = -1;
    const char *host = NULL;
    p->state = tr;
    p->free_state = traceroute_free;
    int status = parse_args(tr, argc, argv, &host);
    if (status >= 0) {
        proc_exit(p, status);
        return;
    }
    snprintf(tr->host_copy, sizeof tr->host_copy, "%s", host);
    tr->argc = argc;
    /* The callback may run at once, and may end the program. */
    Resolve *r = resolve_name(sim, p->node, tr->host_copy, on_resolved, tr);
    if (r)
        tr->lookup = r;
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    (void)canon;
    Traceroute *tr = ctx;
    Proc *p = tr->proc;
    Sim *sim = tr->sim;
    const char *host = tr->host_copy;
    tr->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(p, CON_STDERR, "%s: %s\n", host,
                    resolve_strerror(st == RESOLVE_AGAIN ? st : RESOLVE_NONAME));
        proc_printf(p, CON_STDERR,
                    "Cannot handle \"host\" cmdline arg `%s' on position 1 (argc %d)\n", host,
                    tr->argc - 1);
        proc_exit(p, 2);
        return;
    }
    tr->dst = addr;
    char addr_text[16];
    ip_format(tr->dst, addr_text);
    proc_printf(p, CON_STDOUT, "traceroute to %s (%s), %d hops max, %d byte packets", host,
                addr_text, tr->max_hops, IPV4_HLEN + UDP_HLEN + DEF_DATA_LEN);
    if (ipv4_route(sim, tr->node, tr->dst) < 0) {
        proc_printf(p, CON_STDERR, "\nconnect: Network is unreachable\n");
        proc_exit(p, 1);
        return;
    }
    tr->sport = net_ephemeral_port(sim->net, tr->node);
    tr->ttl = tr->first_ttl;
    tr->listener = icmp_listen(sim, tr->node, on_icmp, tr);
    next_probe(tr);
}
