/* nslookup — BIND 9.18's nslookup, non-interactive:
 *
 *   nslookup [-type=TYPE] [-[no]vc] [-[no]debug] NAME [SERVER]
 *
 * It asks A and then AAAA (or the one type asked; PTR for an address,
 * whatever type was asked),
 * and prints as nslookup 9.18's printmessage does: the server first (for
 * the A question, or any question of a type asked with -type=),
 * "Non-authoritative answer:" when the answer comes from a cache, each
 * record in its own words, and for a question of a type other than A and
 * AAAA, "Authoritative answers can be found from:" with the authority and
 * additional sections (the SOA of a NODATA answer, the addresses of name
 * servers).  -vc asks over TCP, and so does a question of type ANY
 * (unless -novc); a truncated UDP answer is asked again over TCP, with
 * ";; Truncated, retrying in TCP mode."  -debug prints each reply whole
 * first (print_debug).
 *
 * Without a name (`nslookup`, `nslookup - SERVER`) it is interactive, as
 * BIND 9.18's is at a terminal: a "> " prompt, then a name to look up
 * (a second word is ignored, as 9.18 ignores it), `set OPTION` (the
 * options above without their dash, and `set all`), `server ADDRESS` and
 * `lserver`, `exit` or ^D; help, ls and the like say they are not
 * implemented.  Each lookup prints as above without the blank line after
 * it.  The exit status is the last lookup's (1 before any).  With its
 * input from a file or a pipe it prints no prompt and reads their lines,
 * ending at their end as at `exit`. */
#include <assert.h>
#include <limits.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_stub.h"
#include "proto/resolve.h"
#include "apps/apps.h"

typedef struct Nslookup {
    Proc *proc;
    Sim *sim;
    char *name_text;
    DnsName name;
    uint16_t types[2]; /* this lookup's questions */
    int ntypes, next;
    bool a_noanswer;
    bool explicit_type; /* a type was set: it alone is asked */
    uint16_t set_type;
    bool interactive;
    int status; /* interactive: the last lookup's (1 before any) */
    /* interactive with its input from a file or a pipe: no prompts, the
     * lines read in turn from in (all of it once it came) */
    bool batch, in_came, want_line;
    Buf in;
    size_t in_at;
    EvHandle line_ev;
    /* What `set all` shows, as typed where BIND keeps the text. */
    char querytype[32], klass[32];
    uint16_t qclass;  /* set class= (IN) */
    char domain[256]; /* set domain=: the search list's one name ("" none) */
    /* this lookup's names, tried in turn while the answer is NXDOMAIN:
     * the typed name under the domain, then the name itself */
    char *cand[2];
    int ncand, ci;
    bool d2, nosearch;
    int timeout_set; /* 0 until set */
    unsigned port, ndots;
    bool vc, set_vc; /* -vc, -novc: over TCP or not; without either, ANY goes over TCP */
    bool norecurse;  /* -norecurse: RD clear */
    bool debug;      /* -debug: each reply whole (print_debug) */
    int timeout_s;   /* -timeout=N: seconds a try waits (2) */
    int tries;       /* -retry=N (3) */
    char *server_text;
    uint32_t server;
    DnsQuery *q;
    Resolve *lookup; /* the server's address, when named */
    enum { FOR_LOOKUP, FOR_SERVER_CMD, FOR_START } server_for; /* what that lookup is for */
    /* resolve_name may answer before it returns: the answer waits here
     * until it has, so that nslookup never ends inside it */
    bool resolving, answered;
    ResolveStatus res_st;
    uint32_t res_ip;
} Nslookup;

static void ns_free(void *state)
{
    Nslookup *n = state;
    dns_query_cancel(n->q);
    resolve_cancel(n->lookup);
    free(n->name_text);
    free(n->server_text);
    free(n->cand[0]);
    free(n->cand[1]);
    buf_fini(&n->in);
    sim_cancel(n->sim, n->line_ev);
    free(n);
}

static void ns_exit(Nslookup *n, int status)
{
    Proc *p = n->proc;
    n->q = NULL;
    proc_exit(p, status); /* frees n through free_state */
}

static void next_input_line(Nslookup *n);

static void on_next_line(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Nslookup *n = ctx;
    n->line_ev = 0;
    next_input_line(n);
}

/* Ready for the next command: "> " at a terminal; from a file or a pipe,
 * the next line, from an event of its own (a file of `set` lines would
 * otherwise nest one call per line). */
static void prompt(Nslookup *n)
{
    if (n->batch) {
        n->line_ev = sim_at(n->sim, n->sim->now, on_next_line, n, 0);
        return;
    }
    proc_printf(n->proc, CON_STDOUT, "> ");
    proc_set_prompt(n->proc, "> ");
    proc_wait_input(n->proc, true);
}

/* A lookup ended: the program with it, or (interactive) the next prompt. */
static void lookup_end(Nslookup *n, int status)
{
    n->q = NULL;
    if (!n->interactive) {
        ns_exit(n, status);
        return;
    }
    n->status = status;
    prompt(n);
}

/* The blank line that ends a lookup's output: interactive nslookup prints
 * none. */
static const char *blank(const Nslookup *n)
{
    return n->interactive ? "" : "\n";
}

static void no_dot(const DnsName *name, Buf *out)
{
    size_t at = out->len;
    dns_name_to_text(name, out);
    if (out->len - at > 1 && out->data[out->len - 1] == '.')
        out->data[--out->len] = '\0';
}

/* A name inside rdata, without its final dot (SOA's origin and mail addr). */
static void name_at(const uint8_t *p, size_t len, Buf *out)
{
    DnsName n;
    if (dns_name_from_wire(&n, p, len))
        no_dot(&n, out);
}

/* A record's data in nslookup's words ("canonical name = web1.montana.edu."),
 * an SOA spelled out over several lines. */
static void print_rdata(const DnsRR *rr, Buf *b)
{
    if (rr->type == DNS_TYPE_SOA) {
        size_t mlen = rr->rdlen;
        DnsName m1;
        if (!dns_name_from_wire(&m1, rr->rdata, mlen) || (size_t)m1.len + 21 > mlen)
            return;
        buf_puts(b, "origin = ");
        name_at(rr->rdata, mlen, b);
        buf_puts(b, "\n\tmail addr = ");
        name_at(rr->rdata + m1.len, mlen - m1.len, b);
        const uint8_t *num = rr->rdata + mlen - 20;
        static const char *const what[] = {"serial", "refresh", "retry", "expire", "minimum"};
        for (int i = 0; i < 5; i++)
            buf_printf(b, "\n\t%s = %u", what[i], get_be32(num + 4 * i));
        return;
    }
    const char *label = rr->type == DNS_TYPE_A       ? "internet address = "
                        : rr->type == DNS_TYPE_AAAA  ? "has AAAA address "
                        : rr->type == DNS_TYPE_CNAME ? "canonical name = "
                        : rr->type == DNS_TYPE_MX    ? "mail exchanger = "
                        : rr->type == DNS_TYPE_NS    ? "nameserver = "
                        : rr->type == DNS_TYPE_TXT   ? "text = "
                        : rr->type == DNS_TYPE_PTR   ? "name = "
                                                     : NULL;
    if (label)
        buf_puts(b, label);
    else
        buf_printf(b, "rdata_%u = ", rr->type);
    dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, b);
}

/* One record as nslookup's printsection prints it: addresses in the
 * answer section as "Name:" and "Address:", an SOA's owner on a line of
 * its own, anything else (an address elsewhere too) as "NAME<TAB>DATA". */
static void print_rr(const DnsRR *rr, DnsSection sec, Buf *b)
{
    if ((rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA) && sec == DNS_ANSWER) {
        buf_puts(b, "Name:\t");
        no_dot(rr->name, b);
        buf_puts(b, "\nAddress: ");
        dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, b);
        buf_putc(b, '\n');
        return;
    }
    no_dot(rr->name, b);
    buf_puts(b, rr->type == DNS_TYPE_SOA ? "\n\t" : "\t");
    print_rdata(rr, b);
    buf_putc(b, '\n');
}

static void print_section(const DnsMsg *m, DnsSection sec, Buf *b)
{
    for (size_t i = 0; i < m->n[sec]; i++)
        if (m->rr[sec][i].type != DNS_TYPE_OPT)
            print_rr(&m->rr[sec][i], sec, b);
}

/* -debug: the whole reply, as nslookup 9.18's printmessage prints it when
 * short_form is off: the question, then each section's records with their
 * TTLs, between two lines of dashes. */
static void print_debug(const DnsMsg *m, Buf *b)
{
    static const char *const titles[] = {"ANSWERS", "AUTHORITY RECORDS", "ADDITIONAL RECORDS"};
    static const DnsSection secs[] = {DNS_ANSWER, DNS_AUTHORITY, DNS_ADDITIONAL};
    char t[16], k[16];
    buf_puts(b, "------------\n    QUESTIONS:\n");
    for (size_t i = 0; i < m->n_qd; i++) {
        buf_putc(b, '\t');
        no_dot(&m->qd[i].name, b);
        buf_printf(b, ", type = %s, class = %s\n", dns_type_name(m->qd[i].type, t),
                   dns_class_name(m->qd[i].klass, k));
    }
    for (size_t s = 0; s < MN_ARRAY_LEN(secs); s++) {
        buf_printf(b, "    %s:\n", titles[s]);
        for (size_t i = 0; i < m->n[secs[s]]; i++) {
            const DnsRR *rr = &m->rr[secs[s]][i];
            if (rr->type == DNS_TYPE_OPT)
                continue;
            buf_puts(b, "    ->  ");
            no_dot(rr->name, b);
            buf_puts(b, "\n\t");
            print_rdata(rr, b);
            buf_printf(b, "\n\tttl = %u\n", rr->ttl);
        }
    }
    buf_puts(b, "------------\n");
}

static void next_query(Nslookup *n);
static void print_server(Nslookup *n, Buf *b);

static void set_candidate(Nslookup *n);

static void on_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    (void)size;
    Nslookup *n = ctx;
    n->q = NULL;
    if (m->rcode == DNS_RCODE_NXDOMAIN && n->next == 1 && n->ci + 1 < n->ncand) {
        n->ci++; /* the search list's next name, quietly */
        set_candidate(n);
        n->next = 0;
        next_query(n);
        return;
    }
    char rc[16];
    uint16_t type = n->types[n->next - 1];
    bool defaults = !n->explicit_type; /* nslookup's default_lookups */
    Buf b;
    buf_init(&b);
    if (m->rcode == DNS_RCODE_SERVFAIL) {
        /* BIND's dighost says so for the last server of its list, which
         * for minet's nslookup is its only one. */
        char addr[16];
        ip_format(n->server, addr);
        buf_printf(&b, ";; Got SERVFAIL reply from %s\n", addr);
    }
    if (!defaults || type == DNS_TYPE_A)
        print_server(n, &b);
    if (n->debug)
        print_debug(m, &b);
    if (m->rcode != DNS_RCODE_NOERROR) {
        buf_printf(&b, "** server can't find %s: %s\n%s", n->name_text,
                   dns_rcode_name(m->rcode, rc), blank(n));
        proc_printf(n->proc, CON_STDOUT, "%s", b.data);
        buf_fini(&b);
        trace_note(&n->sim->trace, n->sim->now, pkt, "nslookup reports %s for %s.",
                   dns_rcode_name(m->rcode, rc), n->name_text);
        lookup_end(n, 1);
        return;
    }
    /* The AAAA question that follows A is about the name at the end of the
     * alias chain. */
    DnsName target;
    for (size_t i = 0; type == DNS_TYPE_A && i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *rr = &m->rr[DNS_ANSWER][i];
        if (rr->type == DNS_TYPE_CNAME && dns_name_equal(rr->name, &n->name) &&
            dns_name_from_wire(&target, rr->rdata, rr->rdlen))
            n->name = target;
    }
    if (!m->aa && (!defaults || type == DNS_TYPE_A))
        buf_puts(&b, "Non-authoritative answer:\n");
    if (m->n[DNS_ANSWER])
        print_section(m, DNS_ANSWER, &b);
    else if (defaults && type == DNS_TYPE_A)
        n->a_noanswer = true;
    else if (!defaults || (type == DNS_TYPE_AAAA && n->a_noanswer))
        buf_printf(&b, "*** Can't find %s: No answer\n", n->name_text);
    if (!m->aa && type != DNS_TYPE_A && type != DNS_TYPE_AAAA) {
        buf_puts(&b, "\nAuthoritative answers can be found from:\n");
        print_section(m, DNS_AUTHORITY, &b);
        print_section(m, DNS_ADDITIONAL, &b);
    }
    if (b.len)
        proc_printf(n->proc, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
    trace_note(&n->sim->trace, n->sim->now, pkt, "nslookup prints what came back for %s.",
               n->name_text);
    next_query(n);
}

/* No try of the lookup got an answer. */
static void no_servers(Nslookup *n)
{
    proc_printf(n->proc, CON_STDOUT, ";; no servers could be reached\n%s", blank(n));
    lookup_end(n, 1);
}

/* A try got no answer (timed out, or refused): nslookup says so, and after
 * the last try that no server could be reached. */
static void on_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Nslookup *n = ctx;
    char addr[16];
    ip_format(n->server, addr);
    proc_printf(n->proc, CON_STDOUT, ";; communications error to %s#53: %s\n", addr,
                dns_query_why_text(why));
    if (last)
        no_servers(n);
}

/* The UDP answer had TC set: nslookup says so and asks again over TCP. */
static void on_truncated(void *ctx)
{
    Nslookup *n = ctx;
    proc_printf(n->proc, CON_STDOUT, ";; Truncated, retrying in TCP mode.\n");
}

/* A TCP try failed at once (-vc, or ANY): as BIND's nslookup. */
static void on_failed(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)try_no;
    Nslookup *n = ctx;
    const char *w = dns_query_why_text(why);
    char addr[16], qn[300];
    ip_format(n->server, addr);
    proc_printf(n->proc, CON_STDOUT,
                ";; Connection to %s#53(%s) for %s failed: %s.\n;; no servers could be reached\n%s",
                addr, addr, dns_name_prose(&n->name, qn, sizeof qn), w, last ? blank(n) : "");
    if (last)
        lookup_end(n, 1);
}

static void next_query(Nslookup *n)
{
    if (n->next >= n->ntypes) {
        proc_printf(n->proc, CON_STDOUT, "%s", blank(n));
        lookup_end(n, 0);
        return;
    }
    uint16_t type = n->types[n->next++];
    bool tcp = n->set_vc ? n->vc : type == DNS_TYPE_ANY;
    DnsQueryOpts o = {.rd = !n->norecurse,
                      .klass = n->qclass,
                      .timeout = (SimTime)n->timeout_s * 1000000,
                      .tries = n->tries,
                      .program = "nslookup",
                      .tcp = tcp,
                      .icmp_errors = true,
                      .why_tcp = n->set_vc ? "-vc asks for it"
                                           : "BIND's nslookup asks for type ANY over TCP: such an "
                                             "answer may be too big for UDP"};
    DnsQueryOps ops = {
        .reply = on_reply, .timeout = on_timeout, .truncated = on_truncated, .failed = on_failed};
    n->q = dns_query_start(n->sim, n->proc->node, n->server, &n->name, type, &o, ops, n);
    if (!n->q)
        no_servers(n);
}

static void print_server(Nslookup *n, Buf *b)
{
    char addr[16];
    ip_format(n->server, addr);
    buf_printf(b, "Server:\t\t%s\nAddress:\t%s#53\n\n", n->server_text ? n->server_text : addr,
               addr);
}

static void print_default_server(Nslookup *n)
{
    char addr[16];
    ip_format(n->server, addr);
    proc_printf(n->proc, CON_STDOUT, "Default server: %s\nAddress: %s#53\n",
                n->server_text ? n->server_text : addr, addr);
}

static void on_server_found(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    (void)canon;
    Nslookup *n = ctx;
    if (n->resolving) {
        n->answered = true;
        n->res_st = st;
        n->res_ip = addr;
        return;
    }
    n->lookup = NULL;
    if (st != RESOLVE_OK) {
        if (n->server_for != FOR_LOOKUP) /* BIND 9.18 gives up there */
            proc_printf(n->proc, CON_STDERR, "nslookup: couldn't get address for '%s': %s\n",
                        n->server_text, st == RESOLVE_AGAIN ? "failure" : "not found");
        else
            proc_printf(n->proc, CON_STDERR, ";; couldn't get address for '%s': not found\n",
                        n->server_text);
        ns_exit(n, 1);
        return;
    }
    n->server = addr;
    if (n->server_for != FOR_LOOKUP) {
        if (n->server_for == FOR_SERVER_CMD)
            print_default_server(n);
        n->server_for = FOR_LOOKUP;
        prompt(n);
        return;
    }
    next_query(n);
}

/* Makes name the server asked next; true when it is an address.  A name
 * is looked up first, and on_server_found goes on for `purpose` (it may
 * end nslookup): after false the caller touches n no more. */
static bool set_server(Nslookup *n, const char *name, int purpose)
{
    free(n->server_text);
    n->server_text = xstrdup(name);
    if (ip_parse(name, &n->server))
        return true;
    n->server_for = purpose;
    n->resolving = true;
    Resolve *r = resolve_name(n->sim, n->proc->node, name, on_server_found, n);
    n->resolving = false;
    if (n->answered) {
        n->answered = false;
        on_server_found(n, n->res_st, n->res_ip, NULL);
        return false;
    }
    n->lookup = r;
    return false;
}

/* BIND's test for a word option: at least min letters of name, no more. */
static bool word_opt(const char *o, const char *name, size_t min)
{
    size_t l = strlen(o);
    return l >= min && l <= strlen(name) && strncasecmp(o, name, l) == 0;
}

/* The value after any of the prefixes ("type=", "ty=", ...), or NULL. */
static const char *value_opt(const char *o, const char *const *prefixes)
{
    for (; *prefixes; prefixes++)
        if (strncasecmp(o, *prefixes, strlen(*prefixes)) == 0)
            return o + strlen(*prefixes);
    return NULL;
}

/* A number for -timeout or -retry, as BIND's nslookup reads it: a bad one
 * is said and the setting kept. */
static bool count_opt(Nslookup *n, const char *what, const char *v, uint64_t max, int *out)
{
    uint64_t x;
    const char *why = dns_tool_count(v, max, &x);
    if (why) {
        proc_printf(n->proc, CON_STDOUT, "invalid %s '%s': %s\n", what, v, why);
        return false;
    }
    *out = x == 0 ? 1 : x > INT_MAX ? INT_MAX : (int)x;
    return true;
}

/* Copies text into a field `set all` shows (cut to its size). */
static void keep_text(char *dst, size_t size, const char *text)
{
    snprintf(dst, size, "%s", text);
}

/* `set all`: the server, then the options as BIND 9.18's show_settings
 * prints them. */
static void show_settings(Nslookup *n)
{
    print_default_server(n);
    proc_printf(n->proc, CON_STDOUT,
                "\nSet options:\n"
                "  %s\t\t\t%s\t\t%s\n"
                "  %s\t\t%s\n"
                "  timeout = %d\t\tretry = %d\tport = %u\tndots = %u\n"
                "  querytype = %-8s\tclass = %s\n"
                "  srchlist = %s\n",
                n->vc ? "vc" : "novc", n->debug ? "debug" : "nodebug", n->d2 ? "d2" : "nod2",
                n->nosearch ? "nosearch" : "search", n->norecurse ? "norecurse" : "recurse",
                n->timeout_set, n->tries, n->port, n->ndots, n->querytype, n->klass, n->domain);
}

/* One option, as BIND 9.18's nslookup takes them on its command line
 * (-OPTION) and after `set`: the query type and class, timeout, retry,
 * [no]recurse and [no]vc change what is asked, [no]debug what is printed,
 * domain, ndots and [no]search which names are tried (a name with fewer
 * dots than ndots is tried under the domain first); [no]d2 is kept for
 * `set all` (it adds BIND's internal trace on stderr: its functions,
 * pointers and source lines, nothing a DNS message holds); a port other
 * than 53 says minet does not offer it; anything else is an invalid
 * option, said, and nslookup goes on. */
static void set_option(Nslookup *n, const char *o)
{
    static const char *const type_p[] = {"type=", "ty=", "querytype=", "query=", "qu=", "q=", NULL};
    static const char *const timeout_p[] = {"timeout=", "t=", NULL};
    static const char *const retry_p[] = {"retry=", "ret=", NULL};
    static const char *const class_p[] = {"class=", "cl=", NULL};
    static const char *const port_p[] = {"port=", "po=", NULL};
    static const char *const ndots_p[] = {"ndots=", NULL};
    static const char *const domain_p[] = {"domain=", "do=", NULL};
    const char *v;
    if ((v = value_opt(o, type_p))) {
        uint16_t type;
        if (!dns_type_from_name(v, &type)) {
            proc_printf(n->proc, CON_STDOUT, "unknown query type: %s\n", v);
            return;
        }
        n->set_type = type;
        n->explicit_type = true;
        keep_text(n->querytype, sizeof n->querytype, v);
    } else if ((v = value_opt(o, timeout_p))) {
        if (count_opt(n, "timeout", v, 0xffff, &n->timeout_s))
            n->timeout_set = (int)strtol(v, NULL, 0);
    } else if ((v = value_opt(o, retry_p))) {
        count_opt(n, "tries", v, 0xffffffffu, &n->tries);
    } else if ((v = value_opt(o, class_p))) {
        uint16_t klass;
        if (!dns_class_from_name(v, &klass)) {
            proc_printf(n->proc, CON_STDOUT, "unknown query class: %s\n", v);
            return;
        }
        n->qclass = klass;
        keep_text(n->klass, sizeof n->klass, v);
    } else if ((v = value_opt(o, port_p))) {
        int port;
        if (count_opt(n, "port", v, 0xffff, &port) && port != 53)
            proc_printf(n->proc, CON_STDOUT,
                        "*** minet's nslookup asks port 53 only (port=%s is not offered)\n", v);
    } else if ((v = value_opt(o, ndots_p))) {
        int ndots;
        if (count_opt(n, "ndots", v, 0xffffffffu, &ndots))
            n->ndots = (unsigned)strtoul(v, NULL, 10);
    } else if ((v = value_opt(o, domain_p))) {
        keep_text(n->domain, sizeof n->domain, v);
    } else if (word_opt(o, "recurse", 3) || word_opt(o, "norecurse", 5)) {
        n->norecurse = o[0] == 'n' || o[0] == 'N';
    } else if (word_opt(o, "vc", 2) || word_opt(o, "novc", 4)) {
        n->vc = o[0] == 'v' || o[0] == 'V';
        n->set_vc = true;
    } else if (word_opt(o, "debug", 3) || word_opt(o, "nodebug", 5)) {
        n->debug = o[0] == 'd' || o[0] == 'D';
    } else if (word_opt(o, "d2", 2) || word_opt(o, "nod2", 4)) {
        n->d2 = o[0] == 'd' || o[0] == 'D';
    } else if (word_opt(o, "search", 3) || word_opt(o, "nosearch", 5)) {
        n->nosearch = o[0] == 'n' || o[0] == 'N';
    } else if (word_opt(o, "all", 3)) {
        if (n->interactive)
            show_settings(n);
    } else if (word_opt(o, "sil", 3) || word_opt(o, "fail", 3) || word_opt(o, "nofail", 5)) {
        return;
    } else {
        proc_printf(n->proc, CON_STDOUT, "*** Invalid option: %s\n", o);
    }
}

/* Sets up the lookup of name (its questions from the settings) and
 * starts it; false, said, when the name is not one (BIND 9.18 then exits
 * with status 10). */
static bool begin_lookup(Nslookup *n, const char *name)
{
    DnsName root;
    const char *why;
    dns_name_root(&root);
    uint32_t ip;
    char rev[64];
    n->next = 0;
    n->a_noanswer = false;
    if (ip_parse(name, &ip)) {
        /* an address: its PTR record, under in-addr.arpa, whatever type
         * was asked for, as BIND's nslookup does */
        snprintf(rev, sizeof rev, "%u.%u.%u.%u.in-addr.arpa", ip & 255, (ip >> 8) & 255,
                 (ip >> 16) & 255, ip >> 24);
        name = rev;
        n->types[0] = DNS_TYPE_PTR;
        n->ntypes = 1;
    } else if (n->explicit_type) {
        n->types[0] = n->set_type;
        n->ntypes = 1;
    } else {
        n->types[0] = DNS_TYPE_A;
        n->types[1] = DNS_TYPE_AAAA;
        n->ntypes = 2;
    }
    if (!dns_name_from_text(&n->name, name, strlen(name), &root, &why)) {
        proc_printf(n->proc, CON_STDERR, "nslookup: '%s' is not a legal name (%s)\n", name,
                    dns_name_bind_reason(why));
        return false;
    }
    /* The search list (BIND's dighost): a name with fewer dots than ndots,
     * not ending in one, is tried under the domain first, then as it is. */
    size_t dots = 0;
    for (const char *c = name; *c; c++)
        dots += *c == '.';
    free(n->cand[0]);
    free(n->cand[1]);
    n->cand[0] = n->cand[1] = NULL;
    n->ncand = 0;
    n->ci = 0;
    size_t len = strlen(name);
    DnsName under;
    char *joined = xasprintf("%s.%s", name, n->domain);
    if (*n->domain && !n->nosearch && dots < n->ndots && name[len - 1] != '.' &&
        dns_name_from_text(&under, joined, strlen(joined), &root, &why))
        n->cand[n->ncand++] = joined;
    else
        free(joined);
    n->cand[n->ncand++] = xstrdup(name);
    set_candidate(n);
    return true;
}

/* The name tried now: the question's, and as BIND prints it (bytes
 * outside ASCII's letters escaped, "b\195\188cher", without the final
 * dot) for a reply to it.  The last one, the name as typed, is the one a
 * failure names. */
static void set_candidate(Nslookup *n)
{
    DnsName root;
    const char *why;
    dns_name_root(&root);
    const char *c = n->cand[n->ci];
    bool ok = dns_name_from_text(&n->name, c, strlen(c), &root, &why);
    assert(ok); /* begin_lookup read each */
    (void)ok;
    Buf text;
    buf_init(&text);
    no_dot(&n->name, &text);
    free(n->name_text);
    n->name_text = buf_take(&text);
}

/* The end of interactive nslookup: `exit` ends with a blank line; at ^D
 * its line editor (libedit) shows "^D" first. */
static void leave(Nslookup *n, bool eof)
{
    proc_printf(n->proc, CON_STDOUT, "%s\n", eof ? "^D" : "");
    ns_exit(n, n->status);
}

/* One line typed at the "> " prompt, as BIND 9.18's do_next_command reads
 * it: its first word is the command, the second its argument. */
static void command(Nslookup *n, const char *line)
{
    char cmd[256] = "", arg[256] = "";
    sscanf(line, "%255s %255s", cmd, arg);
    if (!*cmd) {
        prompt(n);
        return;
    }
    if (!strcasecmp(cmd, "exit")) {
        leave(n, false);
        return;
    }
    if (!strcasecmp(cmd, "set") && *arg) {
        set_option(n, arg);
        prompt(n);
        return;
    }
    if (!strcasecmp(cmd, "server") || !strcasecmp(cmd, "lserver")) {
        if (!*arg || set_server(n, arg, FOR_SERVER_CMD)) {
            print_default_server(n);
            prompt(n);
        }
        return;
    }
    if (!strcasecmp(cmd, "help") || !strcasecmp(cmd, "?")) {
        proc_printf(n->proc, CON_STDOUT, "The '%s' command is not yet implemented.\n", cmd);
        prompt(n);
        return;
    }
    if (!strcasecmp(cmd, "finger") || !strcasecmp(cmd, "root") || !strcasecmp(cmd, "ls") ||
        !strcasecmp(cmd, "view")) {
        proc_printf(n->proc, CON_STDOUT, "The '%s' command is not implemented.\n", cmd);
        prompt(n);
        return;
    }
    if (!begin_lookup(n, cmd)) {
        ns_exit(n, 10);
        return;
    }
    if (!n->server) /* the host has no DNS server, and none was named */
        no_servers(n);
    else
        next_query(n);
}

/* The next line of a file or a pipe, once they came; at their end, as
 * at `exit`. */
static void next_input_line(Nslookup *n)
{
    if (!n->in_came) {
        n->want_line = true;
        return;
    }
    n->want_line = false;
    if (n->in_at >= n->in.len) {
        leave(n, false);
        return;
    }
    const char *start = n->in.data + n->in_at;
    const char *nl = memchr(start, '\n', n->in.len - n->in_at);
    size_t len = nl ? (size_t)(nl - start) : n->in.len - n->in_at;
    n->in_at += len + (nl != NULL);
    char *line = xstrndup(start, len);
    command(n, line);
    free(line);
}

static void on_all_input(Proc *p, const char *data, size_t len)
{
    Nslookup *n = p->state;
    buf_put(&n->in, data, len);
    n->in_came = true;
    if (n->want_line)
        next_input_line(n);
}

void nslookup_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    (void)len;
    Nslookup *n = p->state;
    proc_wait_input(p, false);
    if (kind == PROC_IN_LINE)
        command(n, line);
    else if (kind == PROC_IN_EOF)
        leave(n, true);
    else if (kind == PROC_IN_INTR) /* BIND's nslookup ends on SIGINT, saying nothing */
        ns_exit(n, 1);
    else
        proc_wait_input(p, true);
}

void nslookup_main(Proc *p, int argc, char **argv)
{
    Sim *sim = p->sim;
    Nslookup *n = xcalloc(1, sizeof *n);
    p->state = n;
    p->free_state = ns_free;
    n->proc = p;
    n->sim = sim;
    const char *name = NULL, *server = NULL;
    n->timeout_s = 2;
    n->tries = 3;
    n->port = 53;
    n->ndots = 1;
    keep_text(n->querytype, sizeof n->querytype, "A");
    keep_text(n->klass, sizeof n->klass, "IN");
    bool dash = false; /* "nslookup - SERVER" */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1])
            set_option(n, a + 1);
        else if (a[0] == '-' && !name)
            dash = true;
        else if (!name && !dash)
            name = a;
        else if (!server)
            server = a;
    }
    n->interactive = !name;
    const DnsNodeConf *node = dns_conf_node(sim->world, p->node);
    if (n->interactive) {
        n->status = 1; /* BIND's: until a lookup succeeds */
        n->server = node->has_dns ? node->dns : 0;
        if (!proc_stdin_is_tty(p)) { /* `nslookup < FILE`, a pipe: its lines */
            n->batch = true;
            proc_read_all(p, on_all_input);
        }
        if (server && !set_server(n, server, FOR_START)) /* its address first */
            return;
        prompt(n);
        return;
    }
    if (!begin_lookup(n, name)) {
        proc_exit(p, 10);
        return;
    }
    if (server) {
        if (set_server(n, server, FOR_LOOKUP))
            next_query(n);
        return;
    }
    if (!node->has_dns) {
        proc_printf(p, CON_STDOUT, ";; no servers could be reached\n\n");
        ns_exit(n, 1);
        return;
    }
    n->server = node->dns;
    next_query(n);
}
