/* ping — iputils ping 20221126 as a student runs it on Linux: the same
 * options, the same lines, the same statistics (integer arithmetic and
 * all), the same exit statuses.
 *
 * Two things differ, and docs/scenario-format.md says so: without -c, minet
 * stops ping as a student would, with Ctrl+C after the fourth reply (the
 * terminal shows "^C"); and an option that changes nothing minet models
 * (-I, -M, …) is refused with a message instead of being ignored. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/icmp.h"
#include "net/net.h"
#include "proto/resolve.h"
#include "apps/apps.h"

#define DEFAULT_COUNT_WITHOUT_C 4
#define TIMEVAL_LEN             16
#define MAX_DATALEN             (ETH_MTU - IPV4_HLEN - ICMP_HLEN)

typedef struct Ping {
    Proc *proc;
    Sim *sim;
    int node;
    char hostname[256]; /* as printed in the header and statistics */
    uint32_t dst;
    bool numeric, quiet, interrupt; /* interrupt: no -c, stopped by ^C */
    long npackets;
    SimTime interval, linger;
    long datalen;
    int ttl; /* 0: default, unless ttl_set (-t 0, which Linux refuses) */
    bool ttl_set;
    int fatal; /* an argument error's exit status other than usage's (error(2, …)) */
    uint16_t ident;
    long ntransmitted, nreceived, nerrors, nrepeats;
    SimTime *sent_at; /* by sequence number */
    uint8_t *seen;
    long tmin, tmax;
    double tsum, tsum2;
    int pipesize;
    SimTime start_time, cur_time;
    int listener;
    EvHandle send_ev, exit_ev;
    Resolve *lookup; /* while the name is being looked up */
} Ping;

static const char usage_text[] =
#include "apps/ping_usage.inc"
    ;

/* ---- output ------------------------------------------------------------ */

/* "name (addr)" from a reverse lookup, or the address alone with -n. */
static void pr_addr(const Ping *pg, uint32_t ip, char *buf, size_t size)
{
    char addr[16];
    ip_format(ip, addr);
    if (pg->numeric) {
        snprintf(buf, size, "%s", addr);
        return;
    }
    const char *name = resolve_hosts_reverse(pg->sim, ip);
    snprintf(buf, size, "%s (%s)", name ? name : addr, addr);
}

static void print_triptime(Ping *pg, long t)
{
    Proc *p = pg->proc;
    if (t >= 100000 - 50)
        proc_printf(p, CON_STDOUT, " time=%ld ms", (t + 500) / 1000);
    else if (t >= 10000 - 5)
        proc_printf(p, CON_STDOUT, " time=%ld.%01ld ms", (t + 50) / 1000, ((t + 50) % 1000) / 100);
    else if (t >= 1000)
        proc_printf(p, CON_STDOUT, " time=%ld.%02ld ms", (t + 5) / 1000, ((t + 5) % 1000) / 10);
    else
        proc_printf(p, CON_STDOUT, " time=%ld.%03ld ms", t / 1000, t % 1000);
}

/* Integer square root, rounding down, as iputils' llsqrt. */
static long long llsqrt(long long a)
{
    long long prev = LLONG_MAX, x = a;
    if (x > 0) {
        while (x < prev) {
            prev = x;
            x = (x + a / x) / 2;
        }
    }
    return x;
}

static void ping_free(void *state)
{
    Ping *pg = state;
    resolve_cancel(pg->lookup);
    if (pg->listener)
        icmp_unlisten(pg->sim, pg->listener);
    sim_cancel(pg->sim, pg->send_ev);
    sim_cancel(pg->sim, pg->exit_ev);
    free(pg->sent_at);
    free(pg->seen);
    free(pg);
}

/* The statistics, and the end.  echo_intr: minet's own Ctrl+C (no -c),
 * which the terminal shows as "^C"; a ^C from the script line's input was
 * echoed by the shell already. */
static void finish(Ping *pg, bool echo_intr)
{
    Proc *p = pg->proc;
    bool timing = pg->datalen >= TIMEVAL_LEN;
    SimTime tv = pg->cur_time - pg->start_time;
    if (echo_intr) {
        /* The terminal shows ^C: on ping's own line, or, when its output
         * goes into a pipe, by itself; the rest of the pipeline gets it. */
        bool piped = !proc_stdout_is_tty(p);
        proc_ctrl_c(p, piped);
        if (!piped)
            proc_printf(p, CON_STDOUT, "^C");
    }
    proc_printf(p, CON_STDOUT, "\n--- %s ping statistics ---\n", pg->hostname);
    proc_printf(p, CON_STDOUT, "%ld packets transmitted, %ld received", pg->ntransmitted,
                pg->nreceived);
    if (pg->nrepeats)
        proc_printf(p, CON_STDOUT, ", +%ld duplicates", pg->nrepeats);
    if (pg->nerrors)
        proc_printf(p, CON_STDOUT, ", +%ld errors", pg->nerrors);
    if (pg->ntransmitted) {
        float loss =
            (float)(((long long)(pg->ntransmitted - pg->nreceived) * 100.0) / pg->ntransmitted);
        proc_printf(p, CON_STDOUT, ", %g%% packet loss", (double)loss);
        proc_printf(p, CON_STDOUT, ", time %lldms", (long long)((tv + 500) / 1000));
    }
    proc_printf(p, CON_STDOUT, "\n");
    const char *comma = "";
    if (pg->nreceived && timing) {
        long total = pg->nreceived + pg->nrepeats;
        long tmavg = (long)(pg->tsum / total);
        long long tmvar;
        if (pg->tsum < INT_MAX)
            tmvar = (long long)((pg->tsum2 - ((pg->tsum * pg->tsum) / total)) / total);
        else
            tmvar = (long long)((pg->tsum2 / total) - ((double)tmavg * tmavg));
        long tmdev = (long)llsqrt(tmvar);
        proc_printf(p, CON_STDOUT,
                    "rtt min/avg/max/mdev = %ld.%03ld/%lu.%03ld/%ld.%03ld/%ld.%03ld ms",
                    pg->tmin / 1000, pg->tmin % 1000, (unsigned long)(tmavg / 1000), tmavg % 1000,
                    pg->tmax / 1000, pg->tmax % 1000, tmdev / 1000, tmdev % 1000);
        comma = ", ";
    }
    if (pg->pipesize > 1)
        proc_printf(p, CON_STDOUT, "%spipe %d", comma, pg->pipesize);
    proc_printf(p, CON_STDOUT, "\n");
    int status = (!pg->nreceived) ? 1 : 0;
    proc_exit(p, status);
}

/* ---- the run ----------------------------------------------------------- */

static void on_exit_timer(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Ping *pg = ctx;
    pg->exit_ev = 0;
    finish(pg, pg->interrupt);
}

void ping_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    (void)line;
    (void)len;
    Ping *pg = p->state;
    /* ping reads nothing; Ctrl+C prints the statistics, as SIGINT does.
     * Before the name is resolved there are none: getaddrinfo is cut short. */
    if (kind != PROC_IN_INTR)
        return;
    if (!pg || pg->lookup) {
        proc_printf(p, CON_STDOUT, "\n");
        proc_exit(p, 130);
        return;
    }
    finish(pg, false);
}

static void schedule_exit(Ping *pg)
{
    SimTime wait;
    if (pg->interrupt && (!pg->nreceived || 2 * pg->tmax <= pg->interval)) {
        /* The student presses Ctrl+C just before the next send, once the
         * fourth reply is in. */
        wait = pg->interval;
    } else if (pg->nreceived) {
        /* Replies take longer than the interval (ping -i 0.002): the
         * Ctrl+C comes after them, as -c's end does. */
        wait = 2 * pg->tmax;
        if (wait < pg->interval)
            wait = pg->interval;
    } else {
        wait = pg->linger;
    }
    pg->exit_ev = sim_after(pg->sim, wait, on_exit_timer, pg, 0);
}

static void fill_payload(const Ping *pg, uint8_t *data)
{
    for (long i = 0; i < pg->datalen; i++)
        data[i] = (uint8_t)i;
    if (pg->datalen >= TIMEVAL_LEN) {
        /* struct timeval as a 64-bit Linux host stores it: little-endian. */
        int64_t now = pg->sim->world->start_us + pg->sim->now;
        uint64_t sec = (uint64_t)(now / 1000000), usec = (uint64_t)(now % 1000000);
        for (int i = 0; i < 8; i++) {
            data[i] = (uint8_t)(sec >> (8 * i));
            data[8 + i] = (uint8_t)(usec >> (8 * i));
        }
    }
}

static void on_send(Sim *sim, void *ctx, uint64_t arg);

static void send_one(Ping *pg)
{
    Sim *sim = pg->sim;
    uint16_t seq = (uint16_t)(pg->ntransmitted + 1);
    uint8_t data[MAX_DATALEN];
    fill_payload(pg, data);
    uint64_t pkt = sim_packet_id(sim);
    char dst[16];
    ip_format(pg->dst, dst);
    const World *w = sim->world;
    int iface = ipv4_route(sim, pg->node, pg->dst);
    int owner;
    if (seq == 1 && iface >= 0 && !world_find_addr(w, pg->dst, &owner, NULL) &&
        world_iface_covers(w, pg->node, iface, pg->dst)) {
        /* On the sender's own link: ARP must find it first (ipv4.c). */
        trace_note(&sim->trace, sim->now, pkt,
                   "%s sends an ICMP echo request (icmp_seq=1) to %s, an address on its own "
                   "link %s: it must first learn that host's MAC address by ARP.",
                   w->nodes[pg->node].id, dst, w->nodes[pg->node].ifaces[iface].name);
    } else if (seq == 1 && iface >= 0) {
        int hop = w->nodes[pg->node].ifaces[iface].peer;
        trace_note(&sim->trace, sim->now, pkt,
                   "%s sends an ICMP echo request (icmp_seq=1) to %s; its first hop is %s. "
                   "ping measures the time until the matching echo reply comes back.",
                   w->nodes[pg->node].id, dst, w->nodes[hop].id);
    } else {
        trace_note(&sim->trace, sim->now, pkt, "%s sends echo request icmp_seq=%u to %s.",
                   w->nodes[pg->node].id, seq, dst);
    }
    pg->sent_at[seq] = sim->now;
    pg->ntransmitted++;
    pg->cur_time = sim->now;
    icmp_send_echo(sim, pg->node, pkt, pg->dst, pg->ident, seq, (uint8_t)pg->ttl, data,
                   (size_t)pg->datalen);
    if (pg->ntransmitted < pg->npackets)
        pg->send_ev = sim_after(sim, pg->interval, on_send, pg, 0);
    else
        schedule_exit(pg);
}

static void on_send(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Ping *pg = ctx;
    pg->send_ev = 0;
    send_one(pg);
}

static void acknowledge(Ping *pg, uint16_t seq)
{
    uint16_t diff = (uint16_t)((uint16_t)pg->ntransmitted - seq);
    if (diff <= 0x7fff && (int)diff + 1 > pg->pipesize)
        pg->pipesize = (int)diff + 1;
}

static bool done(const Ping *pg)
{
    return !pg->interrupt && pg->nreceived + pg->nerrors >= pg->npackets;
}

static void on_reply(Ping *pg, const IcmpMsg *m)
{
    Sim *sim = pg->sim;
    uint16_t seq = m->seq;
    if (seq == 0 || seq > pg->ntransmitted)
        return;
    long triptime = (long)(sim->now - pg->sent_at[seq]);
    bool dup = pg->seen[seq];
    pg->seen[seq] = 1;
    acknowledge(pg, seq);
    if (dup) {
        pg->nrepeats++;
    } else {
        pg->nreceived++;
    }
    bool timing = pg->datalen >= TIMEVAL_LEN;
    if (timing) {
        pg->tsum += triptime;
        pg->tsum2 += (double)triptime * triptime;
        if (triptime < pg->tmin)
            pg->tmin = triptime;
        if (triptime > pg->tmax)
            pg->tmax = triptime;
    }
    char from[300];
    pr_addr(pg, m->src, from, sizeof from);
    trace_note(&sim->trace, sim->now, m->pkt,
               "The echo reply for icmp_seq=%u is back at %s: the round trip took %ld.%03ld ms, "
               "the time on every link there and back.",
               seq, sim->world->nodes[pg->node].id, triptime / 1000, triptime % 1000);
    if (!pg->quiet) {
        proc_printf(pg->proc, CON_STDOUT, "%zu bytes from %s: icmp_seq=%u ttl=%u",
                    (size_t)m->len + ICMP_HLEN, from, seq, m->ttl);
        if (timing)
            print_triptime(pg, triptime);
        if (dup)
            proc_printf(pg->proc, CON_STDOUT, " (DUP!)");
        proc_printf(pg->proc, CON_STDOUT, "\n");
    }
    if (done(pg))
        finish(pg, pg->interrupt);
}

static const char *icmp_error_text(uint8_t type, uint8_t code, char *buf, size_t size)
{
    static const char *const unreach[] = {"Destination Net Unreachable",
                                          "Destination Host Unreachable",
                                          "Destination Protocol Unreachable",
                                          "Destination Port Unreachable",
                                          "Frag needed and DF set",
                                          "Source Route Failed",
                                          "Destination Net Unknown",
                                          "Destination Host Unknown",
                                          "Source Host Isolated",
                                          "Destination Net Prohibited",
                                          "Destination Host Prohibited",
                                          "Destination Net Unreachable for Type of Service",
                                          "Destination Host Unreachable for Type of Service",
                                          "Packet filtered",
                                          "Precedence Violation",
                                          "Precedence Cutoff"};
    if (type == ICMP_DEST_UNREACH && code < MN_ARRAY_LEN(unreach))
        snprintf(buf, size, "%s", unreach[code]);
    else if (type == ICMP_DEST_UNREACH)
        snprintf(buf, size, "Dest Unreachable, Bad Code: %d", code);
    else if (type == ICMP_TIME_EXCEEDED && code == 0)
        snprintf(buf, size, "Time to live exceeded");
    else if (type == ICMP_TIME_EXCEEDED && code == 1)
        snprintf(buf, size, "Frag reassembly time exceeded");
    else if (type == ICMP_TIME_EXCEEDED)
        snprintf(buf, size, "Time exceeded, Bad Code: %d", code);
    else
        snprintf(buf, size, "Bad ICMP type: %d", type);
    return buf;
}

static void on_error(Ping *pg, const IcmpMsg *m)
{
    /* Ours only if it quotes one of our echo requests. */
    if (!m->has_orig || m->orig.proto != IP_PROTO_ICMP || m->orig.dst != pg->dst ||
        m->orig_payload_len < ICMP_HLEN || m->orig_payload[0] != ICMP_ECHO_REQUEST ||
        get_be16(m->orig_payload + 4) != pg->ident)
        return;
    uint16_t seq = get_be16(m->orig_payload + 6);
    pg->nerrors++;
    acknowledge(pg, seq);
    char from[300], text[80];
    pr_addr(pg, m->src, from, sizeof from);
    if (!pg->quiet)
        proc_printf(pg->proc, CON_STDOUT, "From %s icmp_seq=%u %s\n", from, seq,
                    icmp_error_text(m->type, m->code, text, sizeof text));
    if (done(pg))
        finish(pg, pg->interrupt);
}

static void on_icmp(Sim *sim, void *ctx, int node, const IcmpMsg *m)
{
    (void)sim;
    (void)node;
    Ping *pg = ctx;
    if (m->type == ICMP_ECHO_REPLY && m->id == pg->ident && m->src == pg->dst)
        on_reply(pg, m);
    else if (m->type == ICMP_DEST_UNREACH || m->type == ICMP_TIME_EXCEEDED)
        on_error(pg, m);
}

/* ---- arguments --------------------------------------------------------- */

static bool parse_long(Proc *p, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno == ERANGE || end == s || *end) {
        proc_printf(p, CON_STDERR, "ping: invalid argument: '%s'\n", s);
        return false;
    }
    if (v < lo || v > hi) {
        proc_printf(p, CON_STDERR,
                    "ping: invalid argument: '%s': out of range: %ld <= value <= %ld\n", s, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

/* iputils' ping_strtod (20221126): trailing garbage only warns, and the
 * number read before it counts; a value that is not a finite number (nan,
 * inf, an overflow) is refused as ERANGE: "bad linger time: nan: Numerical
 * result out of range", status 2. */
static bool parse_double(Ping *pg, const char *s, const char *what, double *out)
{
    Proc *p = pg->proc;
    char *end;
    errno = 0;
    double v = *s ? strtod(s, &end) : 0;
    if (!*s) {
        proc_printf(p, CON_STDERR, "ping: %s: \n", what);
        pg->fatal = 2;
        return false;
    }
    if (errno || end == s || *end) {
        proc_printf(p, CON_STDERR, "ping: option argument contains garbage: %s\n", end);
        proc_printf(p, CON_STDERR, "ping: this will become fatal error in the future\n");
    }
    int c = fpclassify(v);
    if (c != FP_NORMAL && c != FP_ZERO) {
        proc_printf(p, CON_STDERR, "ping: %s: %s: Numerical result out of range\n", what, s);
        pg->fatal = 2;
        return false;
    }
    *out = v;
    return true;
}

static const char opts_with_arg[] = "cFNeiIlmMpQsStTwW";
static const char opts_flags[] = "h?4bRT6aABCdDfLnOqrUvV";

static void usage(Proc *p)
{
    proc_printf(p, CON_STDERR, "%s", usage_text);
    proc_exit(p, 2);
}

static bool apply_option(Ping *pg, char opt, const char *arg)
{
    Proc *p = pg->proc;
    long v;
    double d;
    switch (opt) {
    case 'c':
        if (!parse_long(p, arg, 1, LONG_MAX, &v))
            return false;
        pg->npackets = v;
        pg->interrupt = false;
        return true;
    case 's':
        if (!parse_long(p, arg, 0, INT_MAX, &v))
            return false;
        if (v > MAX_DATALEN) {
            proc_printf(p, CON_STDERR,
                        "ping: minet does not fragment packets: -s must be at most %d\n",
                        MAX_DATALEN);
            return false;
        }
        pg->datalen = v;
        return true;
    case 't':
        if (!parse_long(p, arg, 0, 255, &v))
            return false;
        pg->ttl = (int)v;
        pg->ttl_set = true;
        return true;
    case 'i':
        if (!parse_double(pg, arg, "bad timing interval", &d))
            return false;
        pg->fatal = 2; /* iputils' error(2, …) for both */
        if (d > INT_MAX / 1000.0) {
            proc_printf(p, CON_STDERR, "ping: bad timing interval: %s\n", arg);
            return false;
        }
        /* Below 2 ms (negative too) is a flood, refused before any cast. */
        if (d < 0.002) {
            proc_printf(p, CON_STDERR,
                        "ping: cannot flood; minimal interval allowed for user is 2ms\n");
            return false;
        }
        pg->fatal = 0;
        pg->interval = (SimTime)((int)(d * 1000)) * 1000;
        return true;
    case 'W':
        if (!parse_double(pg, arg, "bad linger time", &d))
            return false;
        if (d < 0 || d > INT_MAX / 1000.0) {
            proc_printf(p, CON_STDERR, "ping: bad linger time: %s\n", arg);
            pg->fatal = 2;
            return false;
        }
        pg->linger = (SimTime)((int)(d * 1000)) * 1000;
        return true;
    case 'n':
        pg->numeric = true;
        return true;
    case 'q':
        pg->quiet = true;
        return true;
    case '4':
    case 'v':
        return true;
    default:
        proc_printf(p, CON_STDERR, "ping: minet does not simulate option -%c\n", opt);
        return false;
    }
}

/* getopt as glibc does it: options may follow operands; -c3 and -nq work. */
static bool parse_args(Ping *pg, int argc, char **argv, const char **target, int *status)
{
    Proc *p = pg->proc;
    int noperands = 0;
    *status = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            *target = a;
            noperands++;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++, noperands++)
                *target = argv[i];
            break;
        }
        for (const char *c = a + 1; *c; c++) {
            if (strchr(opts_with_arg, *c)) {
                const char *arg = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!arg) {
                    proc_printf(p, CON_STDERR, "ping: option requires an argument -- '%c'\n", *c);
                    *status = 2;
                    return false;
                }
                if (!apply_option(pg, *c, arg))
                    return false;
                break;
            }
            if (!strchr(opts_flags, *c)) {
                proc_printf(p, CON_STDERR, "ping: invalid option -- '%c'\n", *c);
                *status = 2;
                return false;
            }
            if (*c == 'h' || *c == '?') {
                *status = 2;
                return false;
            }
            if (*c == 'V') {
                proc_printf(p, CON_STDOUT, "ping from iputils 20221126\n");
                *status = 0;
                return false;
            }
            if (!apply_option(pg, *c, NULL))
                return false;
        }
    }
    if (noperands == 0) {
        proc_printf(p, CON_STDERR, "ping: usage error: Destination address required\n");
        return false;
    }
    if (noperands > 1) {
        proc_printf(p, CON_STDERR,
                    "ping: minet does not simulate source routing through "
                    "gateways: give one destination\n");
        return false;
    }
    return true;
}

static void start(Ping *pg);

static void on_resolved(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    Ping *pg = ctx;
    Proc *p = pg->proc;
    pg->lookup = NULL;
    if (st != RESOLVE_OK) {
        Sim *sim = pg->sim;
        const char *id = sim->world->nodes[pg->node].id;
        if (st != RESOLVE_AGAIN && world_find_node(sim->world, pg->hostname) < 0)
            trace_note(&sim->trace, sim->now, 0,
                       "ping on %s cannot find an address for %s: the lookup says the name does "
                       "not exist, and no node of this network is called %s. No packet is "
                       "sent.",
                       id, pg->hostname, pg->hostname);
        else
            trace_note(&sim->trace, sim->now, 0,
                       "ping on %s cannot find an address for %s (%s), so no packet is sent.", id,
                       pg->hostname, resolve_strerror(st));
        /* iputils says "Name or service not known" for a name without an
         * address too. */
        proc_printf(p, CON_STDERR, "ping: %s: %s\n", pg->hostname,
                    resolve_strerror(st == RESOLVE_AGAIN ? st : RESOLVE_NONAME));
        proc_exit(p, 2);
        return;
    }
    pg->dst = addr;
    /* getaddrinfo's canonical name: the end of any chain of aliases. */
    snprintf(pg->hostname, sizeof pg->hostname, "%s", canon);
    start(pg);
}

void ping_main(Proc *p, int argc, char **argv)
{
    Sim *sim = p->sim;
    Ping *pg = xcalloc(1, sizeof *pg);
    pg->proc = p;
    pg->sim = sim;
    pg->node = p->node;
    pg->npackets = DEFAULT_COUNT_WITHOUT_C;
    pg->interrupt = true;
    pg->interval = 1000000;
    pg->linger = 10000000;
    pg->datalen = 56;
    pg->tmin = LONG_MAX;
    const char *target = NULL;
    int status;
    p->state = pg;
    p->free_state = ping_free;
    if (!parse_args(pg, argc, argv, &target, &status)) {
        if (pg->fatal)
            proc_exit(p, pg->fatal);
        else if (status == 2)
            usage(p);
        else
            proc_exit(p, status);
        return;
    }
    snprintf(pg->hostname, sizeof pg->hostname, "%s", target);
    if (ip_parse_aton(target, &pg->dst)) {
        pg->numeric = true;
        start(pg);
        return;
    }
    /* The callback may run at once, and may end the program. */
    Resolve *r = resolve_name(sim, p->node, target, on_resolved, pg);
    if (r)
        pg->lookup = r;
}

static void start(Ping *pg)
{
    Proc *p = pg->proc;
    Sim *sim = pg->sim;
    if (pg->ttl_set && pg->ttl == 0) { /* Linux's IP_TTL takes 1 to 255 */
        proc_printf(p, CON_STDERR, "ping: cannot set unicast time-to-live: Invalid argument\n");
        proc_exit(p, 2);
        return;
    }
    if (pg->dst == 0xffffffffu) { /* the kernel refuses it without SO_BROADCAST */
        proc_printf(p, CON_STDERR,
                    "ping: Do you want to ping broadcast? Then -b. If not, check your local "
                    "firewall rules\n");
        proc_exit(p, 2);
        return;
    }
    if (pg->dst == 0)
        pg->dst = 0x7f000001; /* Linux sends to 0.0.0.0 as to this host */
    int owner;
    bool own = (pg->dst >> 24) == 127 ||
               (world_find_addr(sim->world, pg->dst, &owner, NULL) && owner == pg->node);
    if (!own && ipv4_route(sim, pg->node, pg->dst) < 0) {
        proc_printf(p, CON_STDERR, "ping: connect: Network is unreachable\n");
        proc_exit(p, 2);
        return;
    }
    char addr[16];
    ip_format(pg->dst, addr);
    proc_printf(p, CON_STDOUT, "PING %s (%s) %ld(%ld) bytes of data.\n", pg->hostname, addr,
                pg->datalen, pg->datalen + ICMP_HLEN + IPV4_HLEN);
    pg->ident = (uint16_t)rng_below(proc_rng(p), 65536);
    pg->sent_at =
        xcalloc((size_t)(pg->npackets > 65535 ? 65536 : pg->npackets + 1), sizeof *pg->sent_at);
    pg->seen = xcalloc((size_t)(pg->npackets > 65535 ? 65536 : pg->npackets + 1), 1);
    if (pg->npackets > 65535)
        pg->npackets = 65535; /* icmp_seq is 16 bits; minet does not wrap it */
    pg->listener = icmp_listen(sim, pg->node, on_icmp, pg);
    pg->start_time = sim->now;
    send_one(pg);
}
