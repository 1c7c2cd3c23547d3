/* host — BIND 9.18's host, the lecture's favourite:
 *
 *   host [-adisvrT] [-t TYPE] [-W SECONDS] [-R RETRIES] [-N NDOTS] [-m FLAG] NAME [SERVER]
 *
 * Plain `host NAME` asks A, then AAAA, then MX, printing an alias line
 * once and nothing for an empty answer; "has no TYPE record" appears only
 * with -t, and only when the answer section is empty (an alias line is an
 * answer).  -v prints each reply whole, as dig does (without EDNS), between
 * "Trying" and "Received"; -d is -v; -a is -v with type ANY.  An IPv4 address
 * is looked up in reverse (PTR), whatever type was asked for.
 * With a SERVER, the "Using domain server:" header comes first; a server given by name is looked up
 * first.  Each try waits 5 s (10 s over TCP), and there are 2 tries (-R 1;
 * see host_tries).  -T asks over TCP, and so does -t ANY (but not -a), as
 * BIND 9.18's host does; an answer truncated over UDP is asked again over
 * TCP, silently. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_stub.h"
#include "proto/resolve.h"
#include "apps/apps.h"

#define MAX_TYPES 3
/* minet's own bound on -R: BIND 9.18 would try 2^31 - 1 times, a line
 * each, for -R 2147483646; a run stops at this many tries instead. */
#define HOST_MAX_TRIES 100
/* The alias lines host remembers having printed (an answer with more
 * prints them again). */
#define HOST_MAX_ALIASES 16

/* -R N: BIND 9.18's host takes atoi(N) + 1 tries, at least 2, in an int
 * (so -R 0 still tries twice, and -R 2147483647 wraps to 2). */
static int host_tries(int r)
{
    int64_t t = (int64_t)r + 1;
    if (t > INT32_MAX)
        t = 2;
    if (t < 2)
        t = 2;
    return t > HOST_MAX_TRIES ? HOST_MAX_TRIES : (int)t;
}

typedef struct Host {
    Proc *proc;
    Sim *sim;
    char *name_text; /* as typed, for "Host X not found": typed, or allocated (set_name_text) */
    DnsName name;
    uint16_t types[MAX_TYPES];
    int ntypes, next;
    bool explicit_type, recurse, reverse, verbose;
    bool tcp;         /* -T: every question over TCP */
    bool transfer;    /* -l: the zone by AXFR */
    bool verbose_any; /* -a, which asks ANY over UDP */
    bool header_due;  /* "Using domain server:" waits for the first answer */
    bool absolute;    /* typed with a final dot: no search list */
    SimTime sent;     /* when the current query left, for -v's "Received" */
    char *server_text;
    uint32_t server;
    DnsQueryOpts o;
    DnsQuery *q;
    Resolve *lookup;  /* the server's address, when named */
    DnsName *aliases; /* owners whose alias line was printed (up to HOST_MAX_ALIASES) */
    int naliases, cap_aliases;
    /* The name as typed, when it is this short: most are, and need no
     * allocation (the state lives in its process's room). */
    char typed[64];
} Host;

/* What h holds; h itself is in its process's room (proc_state_new). */
/* Not a limit: a larger Host would be allocated apart (proc_state_new). */
_Static_assert(sizeof(Host) <= PROC_STATE_ROOM, "a Host fits in its process's room");

/* Makes text (allocated; host frees it) the name host says. */
static void set_name_text(Host *h, char *text)
{
    if (h->name_text != h->typed)
        free(h->name_text);
    h->name_text = text;
}

static void host_fini(void *state)
{
    Host *h = state;
    dns_query_cancel(h->q);
    resolve_cancel(h->lookup);
    if (h->name_text != h->typed)
        free(h->name_text);
    if (h->server_text || h->aliases) { /* most lines name no server and meet no alias */
        free(h->server_text);
        free(h->aliases);
    }
}

static void host_exit(Host *h, int status)
{
    Proc *p = h->proc;
    h->q = NULL;
    proc_exit(p, status); /* h goes with p */
}

/* Owner names print without the final dot; names inside data keep it. */
static void owner_text(const DnsName *n, Buf *out)
{
    size_t at = out->len;
    dns_name_to_text(n, out);
    if (out->len - at > 1 && out->data[out->len - 1] == '.')
        out->data[--out->len] = '\0';
}

static bool alias_printed(Host *h, const DnsName *n)
{
    for (int i = 0; i < h->naliases; i++)
        if (dns_name_equal(&h->aliases[i], n))
            return true;
    if (h->naliases == HOST_MAX_ALIASES)
        return false;
    if (h->naliases == h->cap_aliases) { /* most lookups meet one alias or none */
        h->cap_aliases = h->cap_aliases ? 2 * h->cap_aliases : 2;
        h->aliases = xrealloc(h->aliases, (size_t)h->cap_aliases * sizeof *h->aliases);
    }
    dns_name_copy(&h->aliases[h->naliases++], n);
    return false;
}

/* Appends a string literal: its length is known where it is written, not
 * counted for each line printed. */
#define PUT_LITERAL(b, s) buf_put(b, "" s, sizeof s - 1)

static void print_rr(Host *h, const DnsRR *rr, Buf *b)
{
    char t[16];
    size_t start = b->len;
    owner_text(rr->name, b);
    switch (rr->type) {
    case DNS_TYPE_A:
        PUT_LITERAL(b, " has address ");
        break;
    case DNS_TYPE_AAAA:
        PUT_LITERAL(b, " has IPv6 address ");
        break;
    case DNS_TYPE_CNAME:
        if (alias_printed(h, rr->name)) {
            b->len = start;
            b->data[start] = '\0';
            return;
        }
        PUT_LITERAL(b, " is an alias for ");
        break;
    case DNS_TYPE_MX:
        PUT_LITERAL(b, " mail is handled by ");
        break;
    case DNS_TYPE_NS:
        PUT_LITERAL(b, " name server ");
        break;
    case DNS_TYPE_SOA:
        PUT_LITERAL(b, " has SOA record ");
        break;
    case DNS_TYPE_TXT:
        PUT_LITERAL(b, " descriptive text ");
        break;
    case DNS_TYPE_PTR:
        PUT_LITERAL(b, " domain name pointer ");
        break;
    default:
        buf_printf(b, " has %s record ", dns_type_name(rr->type, t));
        break;
    }
    dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, b);
    buf_putc(b, '\n');
}

static void next_query(Host *h);
static void print_server_header(Host *h);

/* -v: the reply as BIND's host prints it (dig's layout, its own header). */
static void print_verbose(Host *h, const DnsMsg *m, Buf *b)
{
    static const char *const titles[] = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
    static const DnsSection secs[] = {DNS_ANSWER, DNS_AUTHORITY, DNS_ADDITIONAL};
    char rc[16], t[16], k[16];
    (void)h;
    buf_printf(b, ";; ->>HEADER<<- opcode: QUERY, status: %s, id: %u\n",
               dns_rcode_name(m->rcode, rc), m->id);
    buf_puts(b, ";; flags:");
    const struct {
        bool on;
        const char *name;
    } f[] = {{m->qr, "qr"}, {m->aa, "aa"}, {m->tc, "tc"}, {m->rd, "rd"},
             {m->ra, "ra"}, {m->ad, "ad"}, {m->cd, "cd"}};
    for (size_t i = 0; i < MN_ARRAY_LEN(f); i++)
        if (f[i].on)
            buf_printf(b, " %s", f[i].name);
    buf_printf(b, "; QUERY: %zu, ANSWER: %zu, AUTHORITY: %zu, ADDITIONAL: %zu\n", m->n_qd,
               m->n[DNS_ANSWER], m->n[DNS_AUTHORITY], m->n[DNS_ADDITIONAL]);
    if (m->n_qd) {
        buf_puts(b, "\n;; QUESTION SECTION:\n");
        for (size_t i = 0; i < m->n_qd; i++) {
            size_t at = b->len;
            buf_putc(b, ';');
            dns_name_to_text(&m->qd[i].name, b);
            size_t col = b->len - at - 1; /* the name lines up, not its ';' */
            do {
                buf_putc(b, '\t');
                col = (col / 8 + 1) * 8;
            } while (col < 32);
            buf_printf(b, "%s\t%s\n", dns_class_name(m->qd[i].klass, k),
                       dns_type_name(m->qd[i].type, t));
        }
    }
    for (size_t s = 0; s < MN_ARRAY_LEN(secs); s++) {
        if (!m->n[secs[s]])
            continue;
        buf_printf(b, "\n;; %s SECTION:\n", titles[s]);
        for (size_t i = 0; i < m->n[secs[s]]; i++) {
            dns_rr_to_text(&m->rr[secs[s]][i], b);
            buf_putc(b, '\n');
        }
    }
    buf_putc(b, '\n');
}

static void print_received(Host *h, size_t size, Buf *b)
{
    char addr[16];
    ip_format(h->server, addr);
    buf_printf(b, "Received %zu bytes from %s#53 in %lld ms\n", size, addr,
               (long long)((h->sim->now - h->sent) / 1000));
}

static void on_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    Host *h = ctx;
    h->q = NULL;
    if (h->header_due) {
        /* BIND's host names the server it was given once an answer comes
         * (after -v's "Trying"), never when none does. */
        h->header_due = false;
        print_server_header(h);
    }
    char rc[16], tb[16];
    if (m->rcode != DNS_RCODE_NOERROR) {
        trace_note(&h->sim->trace, h->sim->now, pkt,
                   "host gets %s for %s and says the name was not found.",
                   dns_rcode_name(m->rcode, rc), h->name_text);
        Buf *b = proc_scratch(h->proc);
        buf_printf(b, "Host %s not found: %u(%s)\n", h->name_text, m->rcode,
                   dns_rcode_name(m->rcode, rc));
        /* BIND's host says "Received" twice after NXDOMAIN: once when the
         * search list is exhausted, once when the query ends. */
        bool searched = m->rcode == DNS_RCODE_NXDOMAIN && !h->reverse && !h->absolute;
        for (int i = 0; h->verbose && i < (searched ? 2 : 1); i++)
            print_received(h, size, b);
        if (h->transfer)
            buf_puts(b, "; Transfer failed.\n");
        proc_write(h->proc, CON_STDOUT, b->data, b->len);
        host_exit(h, 1);
        return;
    }
    Buf *b = proc_scratch(h->proc);
    uint16_t type = h->types[h->next - 1];
    size_t shown = 0;
    if (h->verbose) {
        print_verbose(h, m, b);
        print_received(h, size, b);
        shown = m->n[DNS_ANSWER];
    } else {
        for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
            const DnsRR *rr = &m->rr[DNS_ANSWER][i];
            if (rr->type != type && rr->type != DNS_TYPE_CNAME && type != DNS_TYPE_ANY)
                continue;
            print_rr(h, rr, b);
            shown += rr->type == type || type == DNS_TYPE_ANY;
        }
    }
    /* "has no TYPE record" only when the answer section is empty: an
     * alias line is an answer too.  A referral (from a root server, say)
     * has no answer either, and says so. */
    if (h->explicit_type && !h->verbose && !m->n[DNS_ANSWER]) {
        owner_text(&h->name, b);
        buf_printf(b, " has no %s record\n", dns_type_name(type, tb));
    }
    /* As BIND's host: once an answer shows the name is an alias, the next
     * questions (AAAA, MX) are asked about the name it is an alias for. */
    DnsName target;
    for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *rr = &m->rr[DNS_ANSWER][i];
        if (rr->type == DNS_TYPE_CNAME && dns_name_equal(rr->name, &h->name) &&
            dns_name_from_wire(&target, rr->rdata, rr->rdlen)) {
            h->name = target;
            if (h->verbose) {
                Buf n;
                buf_init(&n);
                owner_text(&target, &n);
                set_name_text(h, buf_take(&n));
            }
        }
    }
    if (trace_wanted(&h->sim->trace)) /* the caption's words only for a trace that shows it */
        trace_note(&h->sim->trace, h->sim->now, pkt, "host has the %s answer for %s%s.",
                   dns_type_name(type, tb), h->name_text,
                   shown ? " and prints it" : " (no records of that type)");
    else
        trace_note_skip(&h->sim->trace);
    if (b->len)
        proc_write(h->proc, CON_STDOUT, b->data, b->len);
    next_query(h);
}

/* "Trying" names the lookup without a final dot. */
static int trying_len(const char *name)
{
    size_t n = strlen(name);
    return (int)(n > 1 && name[n - 1] == '.' ? n - 1 : n);
}

/* A truncated answer: host asks again over TCP, silently; -v says
 * "Trying" again, as BIND's host does. */
static void on_truncated(void *ctx)
{
    Host *h = ctx;
    if (h->verbose)
        proc_printf(h->proc, CON_STDOUT, "Trying \"%.*s\"\n", trying_len(h->name_text),
                    h->name_text);
    h->sent = h->sim->now;
}

/* A TCP try failed at once: as BIND's host, each failure says so and
 * that no server could be reached; after the last, host gives up. */
static void on_failed(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Host *h = ctx;
    const char *w = dns_query_why_text(why);
    char addr[16], qn[300];
    ip_format(h->server, addr);
    proc_printf(h->proc, CON_STDOUT,
                ";; Connection to %s#53(%s) for %s failed: %s.\n;; no servers could be reached\n",
                addr, addr, dns_name_prose(&h->name, qn, sizeof qn), w);
    if (last) {
        h->q = NULL;
        host_exit(h, 1);
    }
}

/* A try got no answer (timed out, or refused): host says so, and after
 * the last try that no server could be reached. */
static void on_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Host *h = ctx;
    char addr[16];
    ip_format(h->server, addr);
    proc_printf(h->proc, CON_STDOUT, ";; communications error to %s#53: %s\n", addr,
                dns_query_why_text(why));
    if (last) {
        h->q = NULL;
        proc_printf(h->proc, CON_STDOUT, ";; no servers could be reached\n");
        host_exit(h, 1);
    }
}

static void next_query(Host *h)
{
    if (h->next >= h->ntypes) {
        host_exit(h, 0);
        return;
    }
    uint16_t type = h->types[h->next++];
    DnsQueryOps ops = {
        .reply = on_reply, .timeout = on_timeout, .truncated = on_truncated, .failed = on_failed};
    if (h->verbose)
        proc_printf(h->proc, CON_STDOUT, "Trying \"%.*s\"\n", trying_len(h->name_text),
                    h->name_text);
    h->sent = h->sim->now;
    h->q = dns_query_start(h->sim, h->proc->node, h->server, &h->name, type, &h->o, ops, h);
    if (!h->q) {
        proc_printf(h->proc, CON_STDOUT, ";; no servers could be reached\n");
        host_exit(h, 1);
    }
}

static void print_server_header(Host *h)
{
    char addr[16];
    ip_format(h->server, addr);
    proc_printf(h->proc, CON_STDOUT,
                "Using domain server:\nName: %s\nAddress: %s#53\nAliases: \n\n", h->server_text,
                addr);
}

/* A SERVER given by name is looked up first, through the node's own DNS. */
static void on_server_found(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    (void)canon;
    Host *h = ctx;
    h->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(h->proc, CON_STDERR, "host: couldn't get address for '%s': %s\n",
                    h->server_text, st == RESOLVE_NONAME ? "not found" : "failure");
        host_exit(h, 1);
        return;
    }
    h->server = addr;
    h->header_due = true;
    next_query(h);
}

/* BIND 9.18's list, though minet's host takes only some of these (see
 * host_main). */
static void usage(Proc *p)
{
    proc_printf(p, CON_STDERR,
                "Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n"
                "            [-R number] [-m flag] [-p port] hostname [server]\n"
                "       -a is equivalent to -v -t ANY\n"
                "       -A is like -a but omits RRSIG, NSEC, NSEC3\n"
                "       -c specifies query class for non-IN data\n"
                "       -C compares SOA records on authoritative nameservers\n"
                "       -d is equivalent to -v\n"
                "       -l lists all hosts in a domain, using AXFR\n"
                "       -m set memory debugging flag (trace|record|usage)\n"
                "       -N changes the number of dots allowed before root lookup is done\n"
                "       -p specifies the port on the server to query\n"
                "       -r disables recursive processing\n"
                "       -R specifies number of retries for UDP packets\n"
                "       -s a SERVFAIL response should stop query\n"
                "       -t specifies the query type\n"
                "       -T enables TCP/IP mode\n"
                "       -U enables UDP mode\n"
                "       -v enables verbose output\n"
                "       -V print version number and exit\n"
                "       -w specifies to wait forever for a reply\n"
                "       -W specifies how long to wait for a reply\n"
                "       -4 use IPv4 query transport only\n"
                "       -6 use IPv6 query transport only\n");
    proc_exit(p, 1);
}

/* "10.0.0.10" -> "10.0.0.10.in-addr.arpa." */
static bool reverse_name(const char *text, DnsName *out)
{
    uint32_t ip;
    if (!ip_parse(text, &ip))
        return false;
    char buf[64];
    snprintf(buf, sizeof buf, "%u.%u.%u.%u.in-addr.arpa.", ip & 255, (ip >> 8) & 255,
             (ip >> 16) & 255, ip >> 24);
    return dns_name_parse(out, buf, NULL);
}

void host_main(Proc *p, int argc, char **argv)
{
    Sim *sim = p->sim;
    Host *h = proc_state_new(p, sizeof *h, host_fini);
    h->proc = p;
    h->sim = sim;
    h->recurse = true;
    h->o.timeout = 5000000;
    h->o.tcp_timeout = 10000000; /* BIND's TCP_TIMEOUT */
    h->o.tries = 2;
    h->o.icmp_errors = true;
    h->o.program = "host";
    const char *name = NULL, *server = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && strchr("tWRNmc", a[1])) {
            const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) {
                usage(p);
                return;
            }
            if (a[1] == 't') {
                uint16_t type;
                if (!dns_type_from_name(v, &type)) {
                    /* BIND's host ends this message with an empty line */
                    proc_printf(p, CON_STDERR, "host: invalid type: %s\n\n", v);
                    proc_exit(p, 2);
                    return;
                }
                h->types[0] = type;
                h->ntypes = 1;
                h->explicit_type = true;
            } else if (a[1] == 'c') {
                if (!dns_class_from_name(v, &h->o.klass)) {
                    proc_printf(p, CON_STDERR, "host: invalid class: %s\n\n", v);
                    proc_exit(p, 2);
                    return;
                }
            } else if (a[1] == 'N' || a[1] == 'm') {
                /* -N NDOTS: minet's hosts have no search list for it to
                 * change; -m FLAG: BIND's memory debugging. */
                continue;
            } else if (a[1] == 'W') {
                int s = atoi(v);
                h->o.timeout = (SimTime)(s > 0 ? s : 1) * 1000000;
                h->o.tcp_timeout = h->o.timeout;
            } else {
                h->o.tries = host_tries(atoi(v));
            }
        } else if (strcmp(a, "-r") == 0) {
            h->recurse = false;
        } else if (strcmp(a, "-l") == 0) {
            /* A zone's list by AXFR, over TCP.  No server in minet gives
             * its zone away (Unbound never, NSD only to the secondaries its
             * provide-xfr names): the transfer is refused. */
            h->transfer = true;
        } else if (strcmp(a, "-T") == 0) {
            h->tcp = true;
        } else if (strcmp(a, "-4") == 0) {
            continue;
        } else if (a[0] == '-' && a[1] && strspn(a + 1, "adisv") == strlen(a + 1)) {
            /* -v (and -d, the same): verbose; -a: verbose, type ANY
             * ("all"); -s (stop at a SERVFAIL) and -i (IP6.INT for IPv6
             * reverse names) change nothing for minet's host, which has
             * one server and looks up IPv4 addresses only. */
            if (strpbrk(a + 1, "adv"))
                h->verbose = true;
            if (strchr(a, 'a')) {
                h->verbose_any = true;
                h->types[0] = DNS_TYPE_ANY;
                h->ntypes = 1;
                h->explicit_type = true;
            }
        } else if (a[0] == '-') {
            usage(p);
            return;
        } else if (!name) {
            name = a;
        } else if (!server) {
            server = a;
        }
    }
    if (!name) {
        usage(p);
        return;
    }
    if (h->transfer) {
        h->types[0] = DNS_TYPE_AXFR;
        h->ntypes = 1;
        h->explicit_type = true;
        h->tcp = true;
    }
    h->o.rd = h->recurse && !h->transfer;
    /* BIND's host asks over TCP with -T, and for -t ANY (not for -a). */
    bool any = h->explicit_type && !h->verbose_any && h->types[0] == DNS_TYPE_ANY;
    h->o.tcp = h->tcp || any;
    h->o.why_tcp =
        h->transfer ? "a zone transfer (AXFR) always goes over TCP"
        : h->tcp    ? "-T asks for it"
                 : "BIND's host asks for type ANY over TCP: such an answer may be too big for UDP";
    size_t name_len = strlen(name);
    if (name_len < sizeof h->typed)
        h->name_text = memcpy(h->typed, name, name_len + 1);
    else
        h->name_text = xstrdup(name);
    h->absolute = name_len && name[name_len - 1] == '.';
    DnsName root;
    dns_name_root(&root);
    const char *why;
    if (reverse_name(name, &h->name)) {
        /* PTR whatever type was asked for (-a too), as BIND's host does */
        h->reverse = true;
        h->types[0] = DNS_TYPE_PTR;
        h->ntypes = 1;
        Buf b;
        buf_init(&b);
        dns_name_to_text(&h->name, &b);
        set_name_text(h, buf_take(&b));
    } else if (!dns_name_from_text(&h->name, name, name_len, &root, &why)) {
        proc_printf(p, CON_STDERR, "host: '%s' is not a legal name (%s)\n", name,
                    dns_name_bind_reason(why));
        proc_exit(p, 1);
        return;
    }
    if (!h->ntypes) {
        h->types[0] = DNS_TYPE_A;
        h->types[1] = DNS_TYPE_AAAA;
        h->types[2] = DNS_TYPE_MX;
        h->ntypes = 3;
    }
    const DnsNodeConf *n = dns_conf_node(sim->world, p->node);
    if (server) {
        h->server_text = xstrdup(server);
        if (ip_parse(server, &h->server)) {
            h->header_due = true;
            next_query(h);
            return;
        }
        /* The callback may run at once (and even end the program). */
        Resolve *r = resolve_name(sim, p->node, server, on_server_found, h);
        if (r)
            h->lookup = r;
        return;
    }
    if (!n->has_dns) {
        proc_printf(p, CON_STDOUT, ";; no servers could be reached\n");
        host_exit(h, 1);
        return;
    }
    h->server = n->dns;
    next_query(h);
}
