/* ipconfig — the two forms the lecture uses, in Windows' layout:
 *
 *   ipconfig /displaydns   the host's DNS cache, TTLs counting down
 *   ipconfig /flushdns     empties it
 *
 * Switches in any case, after '/' or '-'; the shell finds ipconfig as
 * cmd.exe does, so `ipconfig/displaydns` works too (apps.h).
 *
 * Entries are listed under the name that was looked up, each record as a
 * block of dotted labels; Data Length is what Windows reports (4 for A, 16
 * for AAAA, 8 for names: a pointer's size). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/dns/dns_stub.h"
#include "apps/apps.h"

static void header(Proc *p)
{
    proc_printf(p, CON_STDOUT, "\nWindows IP Configuration\n\n");
}

static void print_record(Proc *p, const DnsCache *c, const DnsCacheEntry *e, size_t i)
{
    char name[300];
    dns_name_prose(&e->name, name, sizeof name);
    unsigned len = e->type == DNS_TYPE_A ? 4 : e->type == DNS_TYPE_AAAA ? 16 : 8;
    proc_printf(p, CON_STDOUT,
                "    Record Name . . . . . : %s\n"
                "    Record Type . . . . . : %u\n"
                "    Time To Live  . . . . : %u\n"
                "    Data Length . . . . . : %u\n"
                "    Section . . . . . . . : Answer\n",
                name, e->type, dns_cache_ttl_left(c, e), len);
    Buf v;
    buf_init(&v);
    dns_rdata_to_text(e->type, e->rdata[i], e->rdlen[i], &v);
    if (v.len > 1 && v.data[v.len - 1] == '.')
        v.data[--v.len] = '\0';
    switch (e->type) {
    case DNS_TYPE_A:
        proc_printf(p, CON_STDOUT, "    A (Host) Record . . . : %s\n", v.data);
        break;
    case DNS_TYPE_AAAA:
        proc_printf(p, CON_STDOUT, "    AAAA Record . . . . . : %s\n", v.data);
        break;
    case DNS_TYPE_CNAME:
        proc_printf(p, CON_STDOUT, "    CNAME Record  . . . . : %s\n", v.data);
        break;
    case DNS_TYPE_PTR:
        proc_printf(p, CON_STDOUT, "    PTR Record  . . . . . : %s\n", v.data);
        break;
    default:
        proc_printf(p, CON_STDOUT, "    Record  . . . . . . . : %s\n", v.data);
        break;
    }
    proc_printf(p, CON_STDOUT, "\n");
    buf_fini(&v);
}

static int by_seq(const void *a, const void *b)
{
    const DnsCacheEntry *x = *(const DnsCacheEntry *const *)a,
                        *y = *(const DnsCacheEntry *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void display(Proc *p)
{
    DnsCache *c = dns_stub_cache(p->sim, p->node);
    header(p);
    /* In the order the entries came in. */
    const DnsCacheEntry **e = xmalloc((c->n ? c->n : 1) * sizeof *e);
    for (size_t i = 0; i < c->n; i++)
        e[i] = c->e[i];
    qsort(e, c->n, sizeof *e, by_seq);
    bool *done = xcalloc(c->n ? c->n : 1, sizeof *done);
    for (size_t i = 0; i < c->n; i++) {
        const DnsCacheEntry *g = e[i];
        if (done[i] || g->kind != DNS_CACHE_RRSET)
            continue;
        DnsName group = g->has_group ? g->group : g->name;
        char name[300];
        dns_name_prose(&group, name, sizeof name);
        proc_printf(p, CON_STDOUT, "    %s\n    ----------------------------------------\n", name);
        for (size_t k = i; k < c->n; k++) {
            const DnsCacheEntry *x = e[k];
            DnsName eg = x->has_group ? x->group : x->name;
            if (done[k] || x->kind != DNS_CACHE_RRSET || !dns_name_equal(&eg, &group))
                continue;
            done[k] = true;
            for (size_t r = 0; r < x->n; r++)
                print_record(p, c, x, r);
        }
        proc_printf(p, CON_STDOUT, "\n");
    }
    bool any = false;
    for (size_t i = 0; i < c->n && !any; i++)
        any = e[i]->kind == DNS_CACHE_RRSET;
    free(done);
    free(e);
    if (any)
        trace_note(&p->sim->trace, p->sim->now, 0,
                   "ipconfig /displaydns lists %s's own DNS cache: what its applications looked "
                   "up, with each record's time to live counting down.",
                   p->sim->world->nodes[p->node].id);
    else
        trace_note(&p->sim->trace, p->sim->now, 0,
                   "ipconfig /displaydns lists %s's own DNS cache, and it is empty: nothing has "
                   "been looked up since it was last emptied, or all of it has expired.",
                   p->sim->world->nodes[p->node].id);
}

void ipconfig_main(Proc *p, int argc, char **argv)
{
    /* Windows reads its switches in any case, after '/' or '-'. */
    const char *sw = argc == 2 && (argv[1][0] == '/' || argv[1][0] == '-') ? argv[1] + 1 : "";
    if (strcasecmp(sw, "displaydns") == 0) {
        display(p);
        proc_exit(p, 0);
        return;
    }
    if (strcasecmp(sw, "flushdns") == 0) {
        dns_cache_flush(dns_stub_cache(p->sim, p->node));
        header(p);
        proc_printf(p, CON_STDOUT, "Successfully flushed the DNS Resolver Cache.\n");
        trace_note(&p->sim->trace, p->sim->now, 0, "%s empties its own DNS cache.",
                   p->sim->world->nodes[p->node].id);
        proc_exit(p, 0);
        return;
    }
    header(p);
    proc_printf(p, CON_STDOUT,
                "Error: unrecognized or incomplete command line.\n\n"
                "minet's ipconfig knows /displaydns and /flushdns.\n");
    proc_exit(p, 1);
}
