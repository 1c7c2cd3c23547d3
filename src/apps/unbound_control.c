/* unbound-control — Unbound 1.17's remote control, for its cache:
 *
 *   unbound-control flush NAME        forget NAME's records (A, AAAA, NS,
 *                                     SOA, CNAME, MX, PTR, … and negative)
 *   unbound-control flush_zone NAME   forget everything at or below NAME
 *                                     (`flush_zone .` empties the cache)
 *
 * Output as unbound-control prints it: "ok", or "ok removed N rrsets, N
 * messages and N key entries" (minet validates nothing, so no key
 * entries).  Unbound 1.17 has no `flush_all`: it answers "error unknown
 * command 'flush_all'" as for any command minet does not know, and
 * unbound-control exits 1.  On a node that runs no resolver the tool
 * cannot reach 127.0.0.1 port 8953 and logs that in Unbound's format
 * ("[time] unbound-control[pid:0] error: connect: …").
 *
 * Each entry removed is a `delete` state record on the resolver, so the
 * inspector shows the cache emptied; one caption says what happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "core/util.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_name.h"
#include "proto/dns/dns_resolver.h"

static const char usage_text[] =
#include "unbound_control_usage.inc"
    ;

static void usage(Proc *p)
{
    proc_printf(p, CON_STDOUT, "%s", usage_text);
    proc_exit(p, 1);
}

/* No resolver listens on the control port: Unbound's log line on stderr. */
static void cannot_connect(Proc *p)
{
    long long now = (long long)((p->sim->world->start_us + p->sim->now) / 1000000);
    unsigned pid = 1000 + (unsigned)rng_below(proc_rng(p), 30000);
    proc_printf(p, CON_STDERR,
                "[%lld] unbound-control[%u:0] error: connect: Connection refused for 127.0.0.1 "
                "port 8953\n",
                now, pid);
    proc_exit(p, 1);
}

static void caption(Proc *p, const char *what, size_t n)
{
    const char *node = p->sim->world->nodes[p->node].id;
    trace_note(&p->sim->trace, p->sim->now, 0,
               "unbound-control tells the resolver on %s to forget %s: %zu %s removed from its "
               "cache, so the next lookup asks the servers again.",
               node, what, n, n == 1 ? "entry is" : "entries are");
}

static void run_command(Proc *p, DnsCache *c, const char *cmd, const char *arg, bool quiet)
{
    bool flush = strcmp(cmd, "flush") == 0, zone = strcmp(cmd, "flush_zone") == 0;
    if (!flush && !zone) {
        proc_printf(p, CON_STDOUT, "error unknown command '%s%s%s'\n", cmd, arg ? " " : "",
                    arg ? arg : "");
        proc_exit(p, 1);
        return;
    }
    if (!arg || !*arg) {
        proc_printf(p, CON_STDOUT, "error: this option requires a domain name\n");
        proc_exit(p, 1);
        return;
    }
    DnsName name, root;
    dns_name_root(&root);
    if (!dns_name_parse(&name, arg, &root)) {
        proc_printf(p, CON_STDOUT, "error cannot parse name %s at 0: Syntax error\n", arg);
        proc_exit(p, 1);
        return;
    }
    char text[300], what[340];
    dns_name_prose(&name, text, sizeof text);
    if (flush) {
        snprintf(what, sizeof what, "the records of %s", text);
        size_t n = dns_cache_flush_name(c, &name);
        caption(p, what, n);
        if (!quiet)
            proc_printf(p, CON_STDOUT, "ok\n");
    } else {
        snprintf(what, sizeof what, "everything at or below %s", name.labels ? text : "the root");
        size_t rrsets, messages;
        size_t n = dns_cache_flush_zone(c, &name, &rrsets, &messages);
        caption(p, what, n);
        if (!quiet)
            proc_printf(p, CON_STDOUT, "ok removed %zu rrsets, %zu messages and 0 key entries\n",
                        rrsets, messages);
    }
    proc_exit(p, 0);
}

void unbound_control_main(Proc *p, int argc, char **argv)
{
    bool quiet = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-q") == 0) {
            quiet = true;
        } else if ((strcmp(a, "-c") == 0 || strcmp(a, "-s") == 0) && i + 1 < argc) {
            i++; /* the config file or server: minet has one of each */
        } else if (strcmp(a, "-h") == 0) {
            usage(p);
            return;
        } else {
            if (a[1] != 'c' && a[1] != 's')
                proc_printf(p, CON_STDERR, "unbound-control: invalid option -- '%c'\n", a[1]);
            else
                proc_printf(p, CON_STDERR, "unbound-control: option requires an argument -- '%c'\n",
                            a[1]);
            usage(p);
            return;
        }
    }
    if (i >= argc) {
        usage(p);
        return;
    }
    DnsCache *c = dns_resolver_cache(p->sim, p->node);
    if (!c) {
        cannot_connect(p);
        return;
    }
    run_command(p, c, argv[i], i + 1 < argc ? argv[i + 1] : NULL, quiet);
}
