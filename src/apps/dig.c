/* dig — BIND's dig 9.18 as Debian 12 ships it, for asking one server
 * questions and reading each answer section by section.
 *
 *   dig [@SERVER] [NAME [TYPE] [CLASS]]... [-t TYPE] [-c CLASS] [-q NAME]
 *       [-x ADDRESS] [+[no]recurse] [+short] [+[no]edns] [+[no]all]
 *       [+[no]question|answer|authority|additional] [+[no]comments]
 *       [+[no]stats] [+[no]cmd] [+[no]multiline] [+[no]class] [+[no]ttlid]
 *       [+[no]ttlunits] [+[no]identify] [+[no]qr] [+[no]aaonly]
 *       [+[no]adflag] [+[no]cdflag] [+[no]dnssec] [+bufsize=N]
 *
 * Each NAME (and -x, -q) is a lookup of its own, asked and printed in
 * turn; a type or class word applies to the lookup before it (before the
 * first name: to every lookup), and after -t or -c no word is read as a
 * type or class any more, as in dig 9.18.  Without a name dig asks for
 * the root's NS records.  Display and query options apply to every
 * lookup (dig would let one after a name apply to that lookup alone).
 *
 * The display flags work as in dig 9.18: +noall clears every one of them,
 * +nocomments drops the "Got answer" header, the OPT pseudosection, the
 * section titles and the blank line after each section.
 * Like the real tool it sends RD unless +norecurse, EDNS (UDP size 1232,
 * a client cookie) unless +noedns, waits 5 s for an answer and tries three
 * times.  Without @SERVER it asks the node's local DNS server (`dns`). */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>

#include "net/net.h"
#include "net/udp.h"
#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_stub.h"
#include "proto/dns/dns_wire.h"
#include "proto/resolve.h"
#include "apps/apps.h"

#define DIG_VERSION     "9.18.49-1~deb12u3-Debian"
#define DIG_TIMEOUT     5000000
#define DIG_TRIES       3
#define DIG_TCP_TIMEOUT 10000000 /* dig's TCP_TIMEOUT: 10 s */

/* One question to ask: a name given (or -x's reverse name), its type and
 * class. */
typedef struct DigLookup {
    char *name; /* as typed (NULL in the defaults, look[0]) */
    uint16_t type, klass;
    bool typeset;
} DigLookup;

typedef struct Dig {
    Proc *proc;
    Sim *sim;
    int node;
    char *args; /* the command line after "dig", as typed */
    char server_name[256];
    uint32_t server;
    DigLookup *look; /* n_look of them, asked in turn; cur: the one asked */
    size_t n_look, look_cap, cur;
    DnsName qname;
    uint16_t qtype, qclass;
    int status; /* the exit status once every lookup is done */
    bool banner_done;
    bool recurse, edns, short_form, trace;
    /* +[no]tcp, +[no]vc: set_tcp says whether either was given; without,
     * a question of type ANY goes over TCP, as in dig 9.18.  over_tcp: the
     * answer came over TCP (asked so, or after a truncated one). */
    bool tcp, set_tcp, ignore, over_tcp;
    /* what to print (+[no]question, ..., +[no]cmd); plus_question and
     * plus_comments: +question, +comments given, which a zone transfer
     * needs to show them */
    bool question, answer, authority, additional, comments, stats, cmd;
    bool plus_question, plus_comments, opt_question, opt_comments;
    bool identify, qr;       /* +identify, +qr */
    DnsTextStyle style;      /* +nottlid, +noclass, +ttlunits, +multiline */
    bool aa, ad, cd, dnssec; /* flags of the query: +aaonly, +adflag, ... */
    uint16_t bufsize;        /* +bufsize: the EDNS UDP size offered */
    /* +trace: the servers to ask next, and how far down we are */
    DnsName ns[16];
    uint32_t ns_addr[16];
    int n_ns, steps;
    DnsQuery *q;     /* the query waiting for its answer (dns_stub) */
    Resolve *lookup; /* +trace: a server's address, without glue */
    SimTime sent;    /* when the last try left, for "Query time" */
    SimTime timeout; /* +time: per try, UDP and TCP alike; 0: dig's defaults */
    int tries;       /* +tries, +retry */
} Dig;

static void dig_free(void *state)
{
    Dig *d = state;
    dns_query_cancel(d->q);
    resolve_cancel(d->lookup);
    for (size_t i = 0; i < d->n_look; i++)
        free(d->look[i].name); /* NULL in the defaults */
    free(d->look);
    free(d->args);
    free(d);
}

static void dig_exit(Dig *d, int status)
{
    Proc *p = d->proc;
    d->q = NULL;          /* a query that ends the program is already over */
    proc_exit(p, status); /* frees d through free_state */
}

/* The banner, once, before what the first lookup prints. */
static void print_banner(Dig *d)
{
    if (!d->cmd || d->short_form || d->banner_done)
        return;
    d->banner_done = true;
    proc_printf(d->proc, CON_STDOUT, "\n; <<>> DiG " DIG_VERSION " <<>>%s%s\n",
                d->args[0] ? " " : "", d->args);
    if (d->server_name[0])
        proc_printf(d->proc, CON_STDOUT, "; (1 server found)\n");
    proc_printf(d->proc, CON_STDOUT, ";; global options: +cmd\n");
}

static void print_flags(Buf *b, const DnsMsg *m)
{
    buf_puts(b, ";; flags:");
    const struct {
        bool on;
        const char *name;
    } f[] = {{m->qr, "qr"}, {m->aa, "aa"}, {m->tc, "tc"}, {m->rd, "rd"},
             {m->ra, "ra"}, {m->ad, "ad"}, {m->cd, "cd"}};
    for (size_t i = 0; i < MN_ARRAY_LEN(f); i++)
        if (f[i].on)
            buf_printf(b, " %s", f[i].name);
}

/* Extended DNS errors (RFC 8914) and a client cookie (RFC 7873) in an OPT
 * record, as dig shows them. */
static void print_opt_options(Buf *b, const DnsRR *opt)
{
    static const char *const names[] = {"Other",
                                        "Unsupported DNSKEY Algorithm",
                                        "Unsupported DS Digest Type",
                                        "Stale Answer",
                                        "Forged Answer",
                                        "DNSSEC Indeterminate",
                                        "DNSSEC Bogus",
                                        "Signature Expired",
                                        "Signature Not Yet Valid",
                                        "DNSKEY Missing",
                                        "RRSIGs Missing",
                                        "No Zone Key Bit Set",
                                        "NSEC Missing",
                                        "Cached Error",
                                        "Not Ready",
                                        "Blocked",
                                        "Censored",
                                        "Filtered",
                                        "Prohibited",
                                        "Stale NXDOMAIN Answer",
                                        "Not Authoritative",
                                        "Not Supported",
                                        "No Reachable Authority",
                                        "Network Error",
                                        "Invalid Data"};
    const uint8_t *p = opt->rdata;
    size_t n = opt->rdlen;
    while (n >= 4) {
        uint16_t code = get_be16(p), len = get_be16(p + 2);
        if ((size_t)len + 4 > n)
            break;
        if (code == 10 && len == 8) { /* a client cookie alone: the query's */
            buf_puts(b, "; COOKIE: ");
            for (int i = 0; i < 8; i++)
                buf_printf(b, "%02x", p[4 + i]);
            buf_putc(b, '\n');
        }
        if (code == 15 && len >= 2) {
            uint16_t info = get_be16(p + 4);
            buf_printf(b, "; EDE: %u", info);
            if (info < MN_ARRAY_LEN(names))
                buf_printf(b, " (%s)", names[info]);
            if (len > 2) {
                buf_puts(b, ": (");
                buf_put(b, p + 6, len - 2u);
                buf_puts(b, ")");
            }
            buf_putc(b, '\n');
        }
        p += 4 + len;
        n -= 4 + (size_t)len;
    }
}

static void print_section(Dig *d, Buf *b, const char *title, const DnsMsg *m, DnsSection s)
{
    size_t shown = 0;
    for (size_t i = 0; i < m->n[s]; i++)
        shown += m->rr[s][i].type != DNS_TYPE_OPT;
    if (!shown)
        return;
    if (d->comments)
        buf_printf(b, ";; %s SECTION:\n", title);
    for (size_t i = 0; i < m->n[s]; i++) {
        if (m->rr[s][i].type == DNS_TYPE_OPT)
            continue;
        dns_rr_to_text_style(&m->rr[s][i], &d->style, b);
        buf_putc(b, '\n');
    }
    if (d->comments)
        buf_putc(b, '\n');
}

static void print_question(Dig *d, Buf *b, const DnsMsg *m)
{
    if (d->comments)
        buf_puts(b, ";; QUESTION SECTION:\n");
    for (size_t i = 0; i < m->n_qd; i++) {
        buf_putc(b, ';');
        dns_question_to_text(&m->qd[i], &d->style, b);
        buf_putc(b, '\n');
    }
    if (d->comments)
        buf_putc(b, '\n');
}

/* Query time, SERVER (with the transport the answer came by), WHEN and
 * MSG SIZE (+stats); with +nostats, +identify says where the answer came
 * from. */
static void print_stats(Dig *d, Buf *b, size_t size)
{
    SimTime rtt = d->sim->now - d->sent;
    char addr[16];
    ip_format(d->server, addr);
    const char *name = d->server_name[0] ? d->server_name : addr;
    if (!d->stats) {
        if (d->identify)
            buf_printf(b, ";; Received %zu bytes from %s#53(%s) in %lld ms\n\n", size, addr, name,
                       (long long)(rtt / 1000));
        return;
    }
    buf_printf(b, ";; Query time: %lld msec\n", (long long)(rtt / 1000));
    buf_printf(b, ";; SERVER: %s#53(%s) (%s)\n", addr, name, d->over_tcp ? "TCP" : "UDP");
    time_t when = (time_t)((d->sim->world->start_us + d->sim->now) / 1000000);
    struct tm tm;
    gmtime_r(&when, &tm);
    char date[64];
    strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
    buf_printf(b, ";; WHEN: %s\n", date);
    buf_printf(b, ";; MSG SIZE  rcvd: %zu\n\n", size);
}

/* +short: the answer's data alone, one record a line; +identify adds the
 * server and the time the answer took. */
static void print_short(Dig *d, const DnsMsg *m, Buf *b)
{
    char addr[16];
    ip_format(d->server, addr);
    for (size_t i = 0; i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *rr = &m->rr[DNS_ANSWER][i];
        dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, b);
        if (d->identify)
            buf_printf(b, " from server %s in %lld ms.", addr,
                       (long long)((d->sim->now - d->sent) / 1000));
        buf_putc(b, '\n');
    }
}

/* The header, the OPT pseudosection and the sections: what dig prints of
 * an answer (or, with +qr, of its own query: "Sending"). */
static void print_message(Dig *d, const DnsMsg *m, bool sending, Buf *b)
{
    char rc[16];
    const DnsRR *opt = NULL;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++)
        if (m->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT)
            opt = &m->rr[DNS_ADDITIONAL][i];
    if (d->comments) {
        buf_puts(b, sending ? ";; Sending:\n" : ";; Got answer:\n");
        buf_printf(b, ";; ->>HEADER<<- opcode: QUERY, status: %s, id: %u\n",
                   dns_rcode_name(m->rcode, rc), m->id);
        print_flags(b, m);
        buf_printf(b, "; QUERY: %zu, ANSWER: %zu, AUTHORITY: %zu, ADDITIONAL: %zu\n", m->n_qd,
                   m->n[DNS_ANSWER], m->n[DNS_AUTHORITY], m->n[DNS_ADDITIONAL]);
        if (!sending && m->rd && !m->ra)
            buf_puts(b, ";; WARNING: recursion requested but not available\n");
        buf_putc(b, '\n');
        if (opt) {
            buf_puts(b, ";; OPT PSEUDOSECTION:\n");
            buf_printf(b, "; EDNS: version: %u, flags:%s; udp: %u\n", (opt->ttl >> 16) & 0xff,
                       (opt->ttl & 0x8000) ? " do" : "", opt->klass);
            print_opt_options(b, opt);
        }
    }
    if (d->question)
        print_question(d, b, m);
    if (d->answer)
        print_section(d, b, "ANSWER", m, DNS_ANSWER);
    if (d->authority)
        print_section(d, b, "AUTHORITY", m, DNS_AUTHORITY);
    if (d->additional)
        print_section(d, b, "ADDITIONAL", m, DNS_ADDITIONAL);
}

static void print_answer(Dig *d, const DnsMsg *m, size_t size)
{
    Buf b;
    buf_init(&b);
    if (d->short_form)
        print_short(d, m, &b);
    else if (d->qtype == DNS_TYPE_AXFR && !m->n[DNS_ANSWER]) {
        /* a transfer refused, or not served: dig shows the empty answer as
         * it shows a transfer's (without comments or question unless
         * asked for) and gives up */
        print_message(d, m, false, &b);
        buf_puts(&b, "; Transfer failed.\n");
    } else {
        print_message(d, m, false, &b);
        print_stats(d, &b, size);
    }
    print_banner(d);
    proc_printf(d->proc, CON_STDOUT, "%s", b.data ? b.data : "");
    buf_fini(&b);
}

/* +qr: the query as sent, before its answer. */
static void print_sent(Dig *d)
{
    size_t len;
    const uint8_t *bytes = dns_query_sent(d->q, &len);
    DnsMsg m;
    char why[160];
    dns_msg_init(&m);
    if (dns_decode(&m, bytes, len, why, sizeof why)) {
        Buf b;
        buf_init(&b);
        print_message(d, &m, true, &b);
        buf_printf(&b, ";; QUERY SIZE: %zu\n\n", len);
        print_banner(d);
        proc_printf(d->proc, CON_STDOUT, "%s", b.data);
        buf_fini(&b);
    }
    dns_msg_fini(&m);
}

/* ---- one question to one server ------------------------------------------ */

static void next_lookup(Dig *d);

/* A lookup is over: the next one, or the end with the worst status. */
static void lookup_done(Dig *d, int status)
{
    d->q = NULL;
    if (status > d->status)
        d->status = status;
    d->cur++;
    if (d->cur < d->n_look)
        next_lookup(d);
    else
        dig_exit(d, d->status);
}

/* A try got no answer (timed out, or refused): dig says so, and after
 * the last try that no server could be reached. */
static void on_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Dig *d = ctx;
    char addr[16];
    ip_format(d->server, addr);
    if (why == TCP_WHY_TIMEOUT) {
        SimTime wait = d->timeout ? d->timeout : d->over_tcp ? DIG_TCP_TIMEOUT : DIG_TIMEOUT;
        trace_note(&d->sim->trace, d->sim->now, 0, "dig got no answer from %s within %lld s%s.",
                   addr, (long long)(wait / 1000000),
                   !last          ? ": it sends the query again"
                   : d->tries > 1 ? ", on its last try: it gives up"
                                  : ": it gives up");
    }
    proc_printf(d->proc, CON_STDOUT, ";; communications error to %s#53: %s\n", addr,
                dns_query_why_text(why));
    if (!last) {
        d->sent = d->sim->now; /* dns_stub sends the next try now */
        return;
    }
    d->q = NULL;
    print_banner(d);
    proc_printf(d->proc, CON_STDOUT, ";; no servers could be reached\n");
    lookup_done(d, 9);
}

/* The UDP answer had TC set: dig says so and asks again over TCP. */
static void on_truncated(void *ctx)
{
    Dig *d = ctx;
    d->over_tcp = true;
    d->sent = d->sim->now;
    proc_printf(d->proc, CON_STDOUT, ";; Truncated, retrying in TCP mode.\n");
}

/* A TCP try failed at once: dig 9.18 says so and, each time, that no
 * server could be reached, then tries again at once. */
static void on_failed(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Dig *d = ctx;
    char addr[16], qn[300];
    ip_format(d->server, addr);
    proc_printf(d->proc, CON_STDOUT,
                ";; Connection to %s#53(%s) for %s failed: %s.\n;; no servers could be reached\n",
                addr, addr, dns_name_prose(&d->qname, qn, sizeof qn), dns_query_why_text(why));
    trace_note(&d->sim->trace, d->sim->now, 0, "dig could not connect to %s over TCP (%s)%s.", addr,
               dns_query_why_text(why), last ? ": it gives up" : ": it tries again");
    if (!last) {
        d->sent = d->sim->now;
        return;
    }
    lookup_done(d, 9);
}

static void on_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    Dig *d = ctx;
    d->q = NULL;
    trace_note(&d->sim->trace, d->sim->now, pkt,
               "dig has its answer after %lld ms and prints it section by section.",
               (long long)((d->sim->now - d->sent) / 1000));
    print_answer(d, m, size);
    lookup_done(d, 0);
}

/* dig 9.18's defaults: AD set, EDNS with a client cookie, 5 s per try,
 * three tries; and what its options change in the query. */
static DnsQueryOpts dig_opts(const Dig *d, bool rd, const char *program)
{
    return (DnsQueryOpts){
        .rd = rd,
        .edns = d->edns,
        .cookie = true,
        .ad = d->ad,
        .aa = d->aa,
        .cd = d->cd,
        .dnssec = d->dnssec,
        .udp_size = d->bufsize,
        .klass = d->qclass,
        .timeout = d->timeout ? d->timeout : DIG_TIMEOUT,
        .tries = d->tries,
        .program = program,
        .tcp = d->over_tcp,
        .why_tcp =
            d->set_tcp ? "+tcp asks for it"
            : d->qtype == DNS_TYPE_AXFR
                ? "a zone transfer (AXFR) always goes over TCP"
                : "dig 9.18 asks for type ANY over TCP: such an answer may be too big for UDP",
        .ignore_tc = d->ignore,
        .tcp_timeout = d->timeout ? d->timeout : DIG_TCP_TIMEOUT};
}

static void send_query(Dig *d)
{
    DnsQueryOps ops = {
        .reply = on_reply, .timeout = on_timeout, .truncated = on_truncated, .failed = on_failed};
    d->over_tcp = d->qtype == DNS_TYPE_AXFR || (d->set_tcp ? d->tcp : d->qtype == DNS_TYPE_ANY);
    /* A zone transfer asks without RD, as dig does. */
    DnsQueryOpts o = dig_opts(d, d->recurse && d->qtype != DNS_TYPE_AXFR, "dig");
    o.icmp_errors = true;
    d->sent = d->sim->now;
    d->q = dns_query_start(d->sim, d->node, d->server, &d->qname, d->qtype, &o, ops, d);
    if (!d->q) {
        char addr[16], qn[300];
        ip_format(d->server, addr);
        proc_printf(d->proc, CON_STDOUT,
                    ";; UDP setup with %s#53(%s) for %s failed: network unreachable.\n", addr, addr,
                    dns_name_prose(&d->qname, qn, sizeof qn));
        dig_exit(d, 9);
        return;
    }
    if (d->qr && !d->short_form)
        print_sent(d);
}

/* ---- the command line ----------------------------------------------------- */

/* A new lookup of name, with the type and class given before the first
 * name (lookups[0] holds those until a name comes). */
static DigLookup *add_lookup(Dig *d, const char *name)
{
    d->look = xgrow(d->look, &d->look_cap, d->n_look + 1, sizeof *d->look);
    DigLookup *l = &d->look[d->n_look++];
    *l = d->look[0]; /* the defaults */
    l->name = xstrdup(name);
    return l;
}

/* The lookup that a type or class word applies to: the last one given,
 * or the defaults before any. */
static DigLookup *current(Dig *d)
{
    return &d->look[d->n_look - 1];
}

/* The query's type, from -t or a type's name; a second one for the same
 * lookup wins, with dig's warning. */
static void set_type(Proc *p, Dig *d, uint16_t type)
{
    DigLookup *l = current(d);
    if (l->typeset)
        proc_printf(p, CON_STDERR, ";; Warning, extra type option\n");
    l->type = type;
    l->typeset = true;
}

static void set_class(Proc *p, Dig *d, uint16_t klass, bool *classset)
{
    if (*classset)
        proc_printf(p, CON_STDERR, ";; Warning, extra class option\n");
    current(d)->klass = klass;
    *classset = true;
}

/* dig 9.18's usage, on standard error, and status 1. */
static void usage_error(Proc *p, const char *bad)
{
    proc_printf(p, CON_STDERR,
                "Invalid option: %s\n"
                "Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n"
                "            {global-d-opt} host [@local-server] {local-d-opt}\n"
                "            [ host [@local-server] {local-d-opt} [...]]\n"
                "\n"
                "Use \"dig -h\" (or \"dig -h | more\") for complete list of options\n",
                bad);
    proc_exit(p, 1);
}

/* dig accepts any unambiguous prefix of an option's name; min is the
 * shortest that dig 9.18 takes for each one minet knows. */
static bool is_opt(const char *name, const char *full, size_t min)
{
    size_t n = strlen(name);
    return n >= min && n <= strlen(full) && strncmp(name, full, n) == 0;
}

/* A number for +time, +tries or +retry, as dig 9.18 reads it: else its
 * two complaints and status 10. */
static bool parse_count(Proc *p, const char *what, const char *v, uint64_t max, uint64_t *out)
{
    const char *why = dns_tool_count(v, max, out);
    if (!why)
        return true;
    proc_printf(p, CON_STDOUT, "invalid %s '%s': %s\n", what, v, why);
    proc_printf(p, CON_STDERR, "dig: Couldn't parse %s\n", what);
    proc_exit(p, 10);
    return false;
}

/* +time=T (seconds a try waits, at least 1), +tries=N (at least 1),
 * +retry=N (N + 1 tries) and +bufsize=B (the EDNS size, at most 65535);
 * false once it has said why not. */
static bool plus_value(Proc *p, Dig *d, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg - 1), arg + 1);
    uint64_t n;
    if (is_opt(name, "time", 2)) {
        if (!parse_count(p, "timeout", eq + 1, 0xffff, &n))
            return false;
        d->timeout = (SimTime)(n ? n : 1) * 1000000;
    } else if (is_opt(name, "tries", 3) || is_opt(name, "retry", 3)) {
        bool retry = name[1] == 'e';
        if (!parse_count(p, retry ? "retries" : "tries", eq + 1, retry ? 0xfffffffeu : 0xffffffffu,
                         &n))
            return false;
        n += retry;
        d->tries = n == 0 ? 1 : n > INT_MAX ? INT_MAX : (int)n;
    } else if (is_opt(name, "bufsize", 2)) {
        if (!parse_count(p, "buffer size", eq + 1, 0xffff, &n))
            return false;
        d->bufsize = (uint16_t)n;
        d->edns = true; /* as dig: a size is an EDNS option */
    } else {
        char bad[40];
        snprintf(bad, sizeof bad, "+%s", name); /* dig names the option without its value */
        usage_error(p, bad);
        return false;
    }
    return true;
}

static void set_all(Dig *d, bool on)
{
    d->question = d->answer = d->authority = d->additional = on;
    d->comments = d->stats = d->cmd = on;
}

/* Options that only turn something on or off. */
static bool plus_flag(Dig *d, const char *name, bool on)
{
    const struct {
        const char *full;
        size_t min;
        bool *flag;
    } flags[] = {
        {"recurse", 3, &d->recurse},
        {"short", 2, &d->short_form},
        {"edns", 2, &d->edns},
        {"ignore", 2, &d->ignore},
        {"trace", 2, &d->trace},
        {"question", 2, &d->question},
        {"answer", 2, &d->answer},
        {"authority", 2, &d->authority},
        {"additional", 3, &d->additional},
        {"stats", 2, &d->stats},
        {"cmd", 3, &d->cmd},
        {"multiline", 2, &d->style.multiline},
        {"ttlunits", 4, &d->style.ttl_units},
        {"identify", 2, &d->identify},
        {"qr", 2, &d->qr},
        {"aaonly", 2, &d->aa},
        {"aaflag", 3, &d->aa},
        {"adflag", 2, &d->ad},
        {"cdflag", 2, &d->cd},
        {"dnssec", 2, &d->dnssec},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(flags); i++)
        if (is_opt(name, flags[i].full, flags[i].min)) {
            *flags[i].flag = on;
            return true;
        }
    return false;
}

static bool plus_option(Dig *d, const char *o)
{
    bool no = strncmp(o, "no", 2) == 0;
    const char *name = no ? o + 2 : o;
    bool on = !no;
    if (plus_flag(d, name, on))
        ;
    else if (is_opt(name, "tcp", 3) || is_opt(name, "vc", 1))
        d->tcp = on, d->set_tcp = true;
    else if (is_opt(name, "all", 2))
        set_all(d, on);
    else if (is_opt(name, "comments", 3))
        d->comments = d->plus_comments = on;
    else if (is_opt(name, "class", 2))
        d->style.no_class = !on;
    else if (is_opt(name, "ttlid", 4))
        d->style.no_ttl = !on;
    else if (is_opt(name, "bufsize", 1) && on)
        d->bufsize = 0; /* +bufsize alone: the default size */
    else
        return false;
    if (is_opt(name, "question", 2))
        d->plus_question = on;
    if (is_opt(name, "dnssec", 2) && on)
        d->edns = true; /* DO lives in the OPT record */
    return true;
}

/* ---- +trace: the walk from the root, one referral at a time ------------ */

static void trace_ask(Dig *d);

static void trace_received(Dig *d, size_t size, uint32_t from, const char *name)
{
    char addr[16];
    ip_format(from, addr);
    proc_printf(d->proc, CON_STDOUT, ";; Received %zu bytes from %s#53(%s) in %lld ms\n\n", size,
                addr, name ? name : addr, (long long)((d->sim->now - d->sent) / 1000));
}

static void print_records(Dig *d, const DnsMsg *m, DnsSection sec, uint16_t only)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < m->n[sec]; i++)
        if (!only || m->rr[sec][i].type == only) {
            dns_rr_to_text(&m->rr[sec][i], &b);
            buf_putc(&b, '\n');
        }
    if (b.len)
        proc_printf(d->proc, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
}

/* Takes the NS records of sec as the servers to ask next, with any glue. */
static void take_servers(Dig *d, const DnsMsg *m, DnsSection sec)
{
    d->n_ns = 0;
    for (size_t i = 0; i < m->n[sec] && d->n_ns < 16; i++) {
        const DnsRR *rr = &m->rr[sec][i];
        if (rr->type != DNS_TYPE_NS || !dns_name_from_wire(&d->ns[d->n_ns], rr->rdata, rr->rdlen))
            continue;
        d->ns_addr[d->n_ns] = 0;
        for (size_t k = 0; k < m->n[DNS_ADDITIONAL]; k++) {
            const DnsRR *g = &m->rr[DNS_ADDITIONAL][k];
            if (g->type == DNS_TYPE_A && g->rdlen == 4 && dns_name_equal(g->name, &d->ns[d->n_ns]))
                d->ns_addr[d->n_ns] = get_be32(g->rdata);
        }
        d->n_ns++;
    }
}

static void trace_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Dig *d = ctx;
    char addr[16];
    /* The server asked: the local one for the root's names, then each
     * level's first server. */
    ip_format(d->steps > 0 ? d->ns_addr[0] : d->server, addr);
    proc_printf(d->proc, CON_STDOUT, ";; communications error to %s#53: %s\n", addr,
                dns_query_why_text(why));
    if (last) {
        d->q = NULL;
        proc_printf(d->proc, CON_STDOUT, ";; no servers could be reached\n");
        dig_exit(d, 9);
    }
}

static void trace_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    Dig *d = ctx;
    d->q = NULL;
    char sn[300];
    const char *name = d->server_name[0] ? d->server_name : NULL;
    if (d->steps > 0) {
        dns_name_str(&d->ns[0], sn, sizeof sn);
        size_t l = strlen(sn);
        if (l > 1)
            sn[l - 1] = '\0';
        name = sn;
    }
    bool referral = !m->n[DNS_ANSWER] && m->rcode == DNS_RCODE_NOERROR && m->n[DNS_AUTHORITY] &&
                    m->rr[DNS_AUTHORITY][0].type == DNS_TYPE_NS && d->steps > 0;
    if (d->steps == 0) {
        print_records(d, m, DNS_ANSWER, 0);
        trace_received(d, size, d->server, name);
        take_servers(d, m, DNS_ANSWER);
        trace_note(&d->sim->trace, d->sim->now, pkt,
                   "dig +trace starts from the root: it has the root servers' names from the "
                   "local DNS server, and now asks a root server itself, without recursion.");
    } else if (referral) {
        print_records(d, m, DNS_AUTHORITY, DNS_TYPE_NS);
        trace_received(d, size, d->ns_addr[0], name);
        take_servers(d, m, DNS_AUTHORITY);
        trace_note(&d->sim->trace, d->sim->now, pkt,
                   "dig +trace prints the referral and follows it to the next level down.");
    } else {
        print_records(d, m, m->n[DNS_ANSWER] ? DNS_ANSWER : DNS_AUTHORITY, 0);
        trace_received(d, size, d->ns_addr[0], name);
        trace_note(&d->sim->trace, d->sim->now, pkt,
                   "dig +trace has reached the server that answers with authority: the walk "
                   "is over.");
        dig_exit(d, 0);
        return;
    }
    d->steps++;
    if (d->steps > 12 || !d->n_ns) {
        dig_exit(d, 0);
        return;
    }
    trace_ask(d);
}

static void trace_found(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    (void)canon;
    Dig *d = ctx;
    d->lookup = NULL;
    if (st != RESOLVE_OK) {
        char sn[300];
        proc_printf(d->proc, CON_STDOUT, "dig: couldn't get address for '%s': not found\n",
                    dns_name_str(&d->ns[0], sn, sizeof sn));
        dig_exit(d, 10);
        return;
    }
    d->ns_addr[0] = addr;
    trace_ask(d);
}

/* Asks the first of the next servers; its address first if there was no glue. */
static void trace_ask(Dig *d)
{
    DnsQueryOps ops = {.reply = trace_reply, .timeout = trace_timeout};
    DnsQueryOpts o = dig_opts(d, false, "dig +trace");
    if (!d->ns_addr[0]) {
        char sn[300];
        Resolve *r =
            resolve_name(d->sim, d->node, dns_name_str(&d->ns[0], sn, sizeof sn), trace_found, d);
        if (r)
            d->lookup = r;
        return;
    }
    d->sent = d->sim->now;
    d->q = dns_query_start(d->sim, d->node, d->ns_addr[0], &d->qname, d->qtype, &o, ops, d);
}

static void trace_start(Dig *d)
{
    d->banner_done = false;
    bool short_form = d->short_form, cmd = d->cmd;
    d->short_form = false, d->cmd = true; /* +trace prints its banner always */
    print_banner(d);
    d->short_form = short_form, d->cmd = cmd;
    DnsName root;
    dns_name_root(&root);
    DnsQueryOps ops = {.reply = trace_reply, .timeout = trace_timeout};
    DnsQueryOpts o = dig_opts(d, true, "dig +trace");
    d->sent = d->sim->now;
    d->q = dns_query_start(d->sim, d->node, d->server, &root, DNS_TYPE_NS, &o, ops, d);
    if (!d->q) {
        proc_printf(d->proc, CON_STDOUT, ";; no servers could be reached\n");
        dig_exit(d, 9);
    }
}

/* dig -x: the reverse name of an IPv6 address (ip6.arpa, a label for
 * each nibble), or else the dotted parts of text in reverse order under
 * in-addr.arpa, whatever they are ("153.90" -> "90.153.in-addr.arpa.",
 * "foo" -> "foo.in-addr.arpa."), as dig 9.18's get_reverse does. */
static char *reverse_name(const char *text)
{
    uint8_t a6[16];
    Buf b;
    buf_init(&b);
    if (inet_pton(AF_INET6, text, a6) == 1) {
        for (int i = 15; i >= 0; i--)
            buf_printf(&b, "%x.%x.", a6[i] & 15, a6[i] >> 4);
        buf_puts(&b, "ip6.arpa.");
    } else {
        const char *end = text + strlen(text);
        while (end > text) {
            const char *dot = end;
            while (dot > text && dot[-1] != '.')
                dot--;
            buf_put(&b, dot, (size_t)(end - dot));
            if (dot == text)
                break;
            buf_putc(&b, '.');
            end = dot - 1;
        }
        buf_puts(&b, ".in-addr.arpa.");
    }
    return buf_take(&b);
}

/* The name of a lookup into out; else dig says why, with status 10. */
static bool lookup_name(Dig *d, const DigLookup *l, DnsName *out)
{
    DnsName root;
    const char *why;
    dns_name_root(&root);
    if (dns_name_from_text(out, l->name, strlen(l->name), &root, &why))
        return true;
    proc_printf(d->proc, CON_STDERR, "dig: '%s' is not a legal name (%s)\n", l->name,
                dns_name_bind_reason(why));
    proc_exit(d->proc, 10);
    return false;
}

/* Starts the lookup d->cur: its question, and what a zone transfer
 * prints. */
static void next_lookup(Dig *d)
{
    const DigLookup *l = &d->look[d->cur];
    bool legal = lookup_name(d, l, &d->qname);
    assert(legal); /* parse_args checked every name */
    (void)legal;
    d->qtype = l->type;
    d->qclass = l->klass;
    if (d->cur == 0)
        d->opt_comments = d->comments, d->opt_question = d->question;
    /* a zone transfer shows comments and the question only if asked to */
    bool xfr = d->qtype == DNS_TYPE_AXFR;
    d->comments = xfr ? d->plus_comments : d->opt_comments;
    d->question = xfr ? d->plus_question : d->opt_question;
    if (d->trace)
        trace_start(d);
    else
        send_query(d);
}

/* Reads argv into d: false once dig has ended (bad usage). */
static bool parse_args(Proc *p, Dig *d, int argc, char **argv, const char **server)
{
    /* look[0]: the defaults, until the first name */
    d->look = xgrow(NULL, &d->look_cap, 1, sizeof *d->look);
    d->look[0] = (DigLookup){.type = DNS_TYPE_A, .klass = DNS_CLASS_IN};
    d->n_look = 1;
    bool named = false, open_type_class = true, classset = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint16_t type, klass;
        if (a[0] == '@') {
            *server = a + 1;
        } else if (a[0] == '+' && strchr(a, '=')) {
            if (!plus_value(p, d, a))
                return false;
        } else if (a[0] == '+') {
            if (!plus_option(d, a + 1)) {
                usage_error(p, a);
                return false;
            }
        } else if (strcmp(a, "-t") == 0 && i + 1 < argc) {
            open_type_class = false;
            if (dns_type_from_name(argv[++i], &type))
                set_type(p, d, type);
            else
                proc_printf(p, CON_STDERR, ";; Warning, ignoring invalid type %s\n", argv[i]);
        } else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
            open_type_class = false;
            if (dns_class_from_name(argv[++i], &klass))
                set_class(p, d, klass, &classset);
            else
                proc_printf(p, CON_STDERR, ";; Warning, ignoring invalid class %s\n", argv[i]);
        } else if (strcmp(a, "-4") == 0) {
            continue; /* IPv4 only: every address in minet is */
        } else if (strcmp(a, "-q") == 0 && i + 1 < argc) {
            add_lookup(d, argv[++i]); /* the name, even one that reads as a type */
            named = true, classset = false;
        } else if (strcmp(a, "-x") == 0 && i + 1 < argc) {
            /* the PTR record of the address's reverse name, unless a type
             * was given before; a type after it is no extra type */
            char *rev = reverse_name(argv[++i]);
            DigLookup *l = add_lookup(d, rev);
            free(rev);
            if (!l->typeset)
                l->type = DNS_TYPE_PTR;
            named = true, classset = false;
        } else if (a[0] == '-') {
            usage_error(p, a);
            return false;
        } else if (open_type_class && dns_type_from_name(a, &type)) {
            /* A type's name is the type, before the name as after it
             * (`dig mx example.com`); a name that is also a type's needs
             * -q, as in dig. */
            set_type(p, d, type);
        } else if (open_type_class && dns_class_from_name(a, &klass)) {
            set_class(p, d, klass, &classset);
        } else {
            add_lookup(d, a);
            named = true, classset = false;
        }
    }
    if (!named) /* no name: the root's name servers */
        add_lookup(d, ".")->type = d->look[0].typeset ? d->look[0].type : DNS_TYPE_NS;
    /* look[0] held the defaults: the lookups are the others */
    memmove(d->look, d->look + 1, (d->n_look - 1) * sizeof *d->look);
    d->n_look--;
    DnsName n;
    for (size_t i = 0; i < d->n_look; i++)
        if (!lookup_name(d, &d->look[i], &n))
            return false;
    return true;
}

void dig_main(Proc *p, int argc, char **argv)
{
    Sim *sim = p->sim;
    Dig *d = xcalloc(1, sizeof *d);
    p->state = d;
    p->free_state = dig_free;
    d->proc = p;
    d->sim = sim;
    d->node = p->node;
    d->recurse = true;
    d->edns = true;
    d->ad = true;
    d->tries = DIG_TRIES;
    set_all(d, true);
    Buf args;
    buf_init(&args);
    for (int i = 1; i < argc; i++)
        buf_printf(&args, "%s%s", i > 1 ? " " : "", argv[i]);
    d->args = args.data ? buf_take(&args) : xstrdup("");
    buf_fini(&args);
    const char *server = NULL;
    if (!parse_args(p, d, argc, argv, &server))
        return;
    if (server) {
        snprintf(d->server_name, sizeof d->server_name, "%s", server);
        if (!resolve_hosts(sim, server, &d->server)) {
            proc_printf(p, CON_STDERR, "dig: couldn't get address for '%s': not found\n", server);
            proc_exit(p, 10);
            return;
        }
    } else {
        const DnsNodeConf *n = dns_conf_node(sim->world, p->node);
        if (!n->has_dns) {
            proc_printf(p, CON_STDERR, ";; no servers could be reached\n");
            proc_exit(p, 9);
            return;
        }
        d->server = n->dns;
    }
    next_lookup(d);
}
