#include "gui/inspect.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim.h"
#include "net/eth.h"
#include "proto/dissect.h"
#include "proto/dns/dns_name.h"
#include "proto/dns/dns_wire.h"
#include "proto/dns/dns_zone.h"

/* ---- sections ---------------------------------------------------------- */

static InspectSection *section(Inspect *in, const char *title)
{
    in->s = xgrow(in->s, &in->cap, in->n + 1, sizeof *in->s);
    InspectSection *s = &in->s[in->n++];
    memset(s, 0, sizeof *s);
    s->title = xstrdup(title);
    return s;
}

static void row(InspectSection *s, const char *key, const char *value, int64_t ttl)
{
    s->rows = xgrow(s->rows, &s->cap, s->n + 1, sizeof *s->rows);
    s->rows[s->n++] = (InspectRow){xstrdup(key), xstrdup(value ? value : ""), ttl};
}

void inspect_fini(Inspect *in)
{
    for (size_t i = 0; i < in->n; i++) {
        InspectSection *s = &in->s[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->rows[j].key);
            free(s->rows[j].value);
        }
        free(s->rows);
        free(s->title);
    }
    free(in->s);
    memset(in, 0, sizeof *in);
}

const InspectSection *inspect_find(const Inspect *in, const char *title)
{
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->s[i].title, title) == 0)
            return &in->s[i];
    return NULL;
}

/* ---- providers --------------------------------------------------------- */

typedef void (*Provider)(const Model *m, int node, uint32_t step, double t, Inspect *out);

static void provide_node(const Model *m, int node, uint32_t step, double t, Inspect *out)
{
    const Node *n = &m->world->nodes[node];
    const DnsNodeConf *dc = dns_conf_node(m->world, node);
    InspectSection *s = section(out, "Node");
    row(s, "Role", model_kind_name(m->kind[node]), -1);
    row(s, "Status", model_node_down(m, node, step, t) ? "DOWN" : "up", -1);
    if (n->region)
        row(s, "Region", n->region, -1);
    char ip[16], buf[256];
    if (n->role == ROLE_HOST && dc->has_dns) {
        ip_format(dc->dns, ip);
        row(s, "Local DNS server", ip, -1);
    }
    if (n->role == ROLE_RESOLVER) {
        row(s, "Mode", dc->recursive_mode ? "recursive" : "iterative", -1);
        row(s, "QNAME minimisation", dc->qname_minimisation ? "on" : "off", -1);
        row(s, "Round robin", dc->round_robin ? "on" : "off", -1);
    }
    if (n->role == ROLE_DNS) {
        size_t k = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < dc->n_zones && k < sizeof buf; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", dc->zones[i]);
        row(s, "Authoritative for", buf, -1);
        row(s, "Recursion", dc->recursion ? "available" : "not available", -1);
    }
}

static void provide_interfaces(const Model *m, int node, uint32_t step, double t, Inspect *out)
{
    (void)step;
    (void)t;
    const World *w = m->world;
    const Node *n = &w->nodes[node];
    if (n->n_ifaces == 0)
        return;
    InspectSection *s = section(out, "Interfaces");
    for (size_t i = 0; i < n->n_ifaces; i++) {
        const Iface *f = &n->ifaces[i];
        char ip[16], mac[18], v[256];
        ip_format(f->ip, ip);
        eth_format_mac(f->mac, mac);
        const Node *peer = f->peer >= 0 ? &w->nodes[f->peer] : NULL;
        snprintf(v, sizeof v, "%s  %s  to %s:%s", ip, mac, peer ? peer->id : "?",
                 peer ? peer->ifaces[f->peer_iface].name : "?");
        row(s, f->name, v, -1);
    }
}

/* dig's tab-separated record, with runs of blanks made one space. */
static void squeeze(char *s)
{
    char *o = s;
    bool blank = false;
    for (; *s; s++) {
        bool b = *s == '\t' || *s == ' ';
        if (b && blank)
            continue;
        *o++ = b ? ' ' : *s;
        blank = b;
    }
    *o = '\0';
}

static void provide_zones(const Model *m, int node, uint32_t step, double t, Inspect *out)
{
    (void)step;
    (void)t;
    const DnsNodeConf *n = dns_conf_node(m->world, node);
    const DnsZoneSet *set = dns_conf_zones(m->world);
    if (m->world->nodes[node].role != ROLE_DNS || !set)
        return;
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n->n_zones; i++) {
        DnsName origin;
        if (!dns_name_parse(&origin, n->zones[i], NULL))
            continue;
        const DnsZone *z = dns_zones_find(set, &origin);
        if (!z)
            continue;
        char title[300];
        snprintf(title, sizeof title, "Zone %s", n->zones[i]);
        InspectSection *s = section(out, title);
        for (size_t j = 0; j < z->n_rrs; j++) {
            const DnsRR *rr = &z->rrs[j].rr;
            buf_clear(&b);
            dns_rr_to_text(rr, &b);
            squeeze(b.data);
            /* Key: the owner; value: "TTL IN TYPE data" (the rest of the line). */
            char *space = strchr(b.data, ' ');
            if (space)
                *space = '\0';
            row(s, b.data, space ? space + 1 : "", -1);
        }
    }
    buf_fini(&b);
}

static InspectSection *table_section(Inspect *in, size_t first, const char *table)
{
    char title[128];
    snprintf(title, sizeof title, "%s", table);
    title[0] = (char)toupper((unsigned char)title[0]);
    for (size_t i = first; i < in->n; i++)
        if (strcmp(in->s[i].title, title) == 0)
            return &in->s[i];
    return section(in, title);
}

/* The fold of a node's tables: each live entry is the record that put it
 * there; an index by (table, key) finds it again, so a table of thousands
 * of entries folds in time linear in its records. */
typedef struct Live {
    const TraceRec *r; /* NULL once removed */
} Live;

typedef struct Fold {
    Live *live;
    size_t n, cap;
    size_t *slot; /* 1 + index into live, 0 empty; open addressing */
    size_t nslots, used;
} Fold;

static uint64_t key_hash(const char *table, const char *key)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = table; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211u;
    h = (h ^ 0xFF) * 1099511628211u;
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211u;
    return h;
}

/* The slot for (table, key): the one holding it, or the empty one where it
 * would go. */
static size_t *fold_slot(Fold *f, const char *table, const char *key)
{
    size_t mask = f->nslots - 1, i = (size_t)key_hash(table, key) & mask;
    for (;; i = (i + 1) & mask) {
        size_t *sl = &f->slot[i];
        if (!*sl)
            return sl;
        const TraceRec *r = f->live[*sl - 1].r;
        if (r && strcmp(r->table, table) == 0 && strcmp(r->key ? r->key : "", key) == 0)
            return sl;
    }
}

static void fold_rehash(Fold *f)
{
    size_t *old = f->slot, n_old = f->nslots;
    f->nslots = n_old ? 2 * n_old : 64;
    f->slot = xcalloc(f->nslots, sizeof *f->slot);
    f->used = 0;
    for (size_t i = 0; i < n_old; i++) {
        size_t v = old[i];
        if (!v || !f->live[v - 1].r)
            continue; /* removed entries are not carried over */
        const TraceRec *r = f->live[v - 1].r;
        *fold_slot(f, r->table, r->key ? r->key : "") = v;
        f->used++;
    }
    free(old);
}

static void provide_tables(const Model *m, int node, uint32_t step, double t, Inspect *out)
{
    size_t first = out->n;
    /* A cache is shown empty before anything is in it: that it starts
     * cold is part of the lesson. */
    const Node *n = &m->world->nodes[node];
    if (n->role == ROLE_RESOLVER)
        table_section(out, first, "cache");
    if (n->role == ROLE_HOST && dns_conf_node(m->world, node)->has_dns)
        table_section(out, first, "host cache");
    const TraceRec *recs = m->sim->trace.recs;
    Fold f = {0};
    fold_rehash(&f);
    for (size_t i = 0; i < m->n_states; i++) {
        const TraceRec *r = &recs[m->states[i].rec];
        if (!model_ref_shown(m, &m->states[i], step, t))
            break; /* records are in time order */
        if (r->node != node || !r->table)
            continue;
        table_section(out, first, r->table); /* listed even while empty */
        const char *op = r->op ? r->op : "";
        if (strcmp(op, "flush") == 0 || strcmp(op, "clear") == 0) {
            for (size_t j = 0; j < f.n; j++)
                if (f.live[j].r && strcmp(f.live[j].r->table, r->table) == 0)
                    f.live[j].r = NULL;
            continue;
        }
        const char *key = r->key ? r->key : "";
        size_t *sl = fold_slot(&f, r->table, key);
        if (*sl)
            f.live[*sl - 1].r = NULL; /* the key's older entry goes */
        if (strcmp(op, "insert") == 0 || strcmp(op, "add") == 0 || strcmp(op, "push") == 0) {
            f.live = xgrow(f.live, &f.cap, f.n + 1, sizeof *f.live);
            f.live[f.n++] = (Live){r};
            if (!*sl)
                f.used++;
            *sl = f.n;
            if (2 * f.used > f.nslots)
                fold_rehash(&f);
        }
    }
    /* The live entries, in the order they came in, each under its table
     * (a handful of sections, found by title). */
    for (size_t j = 0; j < f.n; j++) {
        const TraceRec *r = f.live[j].r;
        if (!r)
            continue;
        /* The TTL counted down to the cursor in whole seconds left, as the
         * cache itself counts (dns_cache_ttl_left): what
         * `ipconfig /displaydns` prints at the same moment. */
        int64_t ttl = r->ttl;
        if (ttl >= 0) {
            double left = (double)r->time + (double)ttl * 1e6 - t;
            ttl = left > 0 ? (int64_t)floor(left / 1e6) : 0;
        }
        InspectSection *sec = table_section(out, first, r->table);
        if (sec->n < INSPECT_MAX_ROWS)
            row(sec, r->key ? r->key : "", r->text, ttl);
        else
            sec->more++; /* counted, not copied */
    }
    free(f.live);
    free(f.slot);
}

static const Provider providers[] = {provide_node, provide_interfaces, provide_zones,
                                     provide_tables};

void inspect_node(const Model *m, int node, uint32_t step, double t, Inspect *out)
{
    if (node < 0 || (size_t)node >= m->world->n_nodes)
        return;
    for (size_t i = 0; i < MN_ARRAY_LEN(providers); i++)
        providers[i](m, node, step, t, out);
    /* Past INSPECT_MAX_ROWS a section only counts the rest: cut after the
     * whole fold, so removals of entries past the cut count too. */
    for (size_t i = 0; i < out->n; i++) {
        InspectSection *s = &out->s[i];
        while (s->n > INSPECT_MAX_ROWS) {
            s->n--;
            free(s->rows[s->n].key);
            free(s->rows[s->n].value);
            s->more++;
        }
    }
}

/* ---- the console ------------------------------------------------------- */

void inspect_console(const Model *m, uint32_t step, double t, const ConsoleExtra *extra,
                     size_t n_extra, Buf *out)
{
    const TraceRec *recs = m->sim->trace.recs;
    size_t k = 0;
    for (size_t i = 0; i < m->n_console; i++) {
        const TraceRec *r = &recs[m->console[i].rec];
        if (!model_ref_shown(m, &m->console[i], step, t))
            break;
        for (; k < n_extra && extra[k].time < r->time; k++)
            buf_puts(out, extra[k].text);
        switch (r->stream) {
        case CON_COMMAND:
            if (r->term > 1)
                buf_printf(out, "%s[%d]$ %s\n", m->world->nodes[r->node].id, r->term,
                           r->text ? r->text : "");
            else
                buf_printf(out, "%s$ %s\n", m->world->nodes[r->node].id, r->text ? r->text : "");
            break;
        case CON_STDOUT:
        case CON_STDERR:
        case CON_STDIN:
            buf_puts(out, r->text ? r->text : "");
            break;
        case CON_EXIT:
            break;
        }
    }
    for (; k < n_extra && (double)extra[k].time <= t; k++)
        buf_puts(out, extra[k].text);
}

/* ---- the event list ---------------------------------------------------- */

int inspect_step_hop(const Model *m, uint32_t k)
{
    if (k < 1 || k > m->n_steps)
        return -1;
    return m->step_hop[k - 1];
}

static bool hop_passes(const ModelHop *h, const EventFilter *f)
{
    if (f->proto && strcmp(h->proto, f->proto) != 0)
        return false;
    return f->node < 0 || h->from == f->node || h->to == f->node;
}

static void add_row(EventList *l, EventRow r)
{
    l->rows = xgrow(l->rows, &l->cap, l->n + 1, sizeof *l->rows);
    l->rows[l->n++] = r;
}

void event_list_fini(EventList *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->rows[i].text);
    free(l->rows);
    memset(l, 0, sizeof *l);
}

void inspect_events(const Model *m, const EventFilter *f, EventList *out)
{
    for (size_t i = 0; i < out->n; i++)
        free(out->rows[i].text);
    out->n = 0;
    const TraceRec *recs = m->sim->trace.recs;
    size_t h = 0; /* hops are in step order: walk them alongside */
    Buf b;
    buf_init(&b);
    for (uint32_t k = 1; k <= m->n_steps; k++) {
        while (h < m->n_hops && m->hops[h].step < k)
            h++;
        size_t end = h;
        while (end < m->n_hops && m->hops[end].step == k)
            end++;
        int first = inspect_step_hop(m, k);
        /* A step passes when its own packet does, or any of its hops does;
         * a step without packets (a command starting) passes without a filter. */
        bool pass = (first >= 0 && hop_passes(&m->hops[first], f)) || (!f->proto && f->node < 0);
        for (size_t i = h; i < end && !pass; i++)
            pass = hop_passes(&m->hops[i], f);
        if (!pass)
            continue;
        const ModelHop *fh = first >= 0 ? &m->hops[first] : NULL;
        add_row(out,
                (EventRow){false, k, 0, m->steps[k - 1].time, fh ? fh->from : -1, fh ? fh->to : -1,
                           fh ? fh->proto : NULL, xstrdup(m->steps[k - 1].text)});
        if (!f->hops)
            continue;
        for (size_t i = h; i < end; i++) {
            const ModelHop *hp = &m->hops[i];
            if (!hop_passes(hp, f))
                continue;
            buf_clear(&b);
            dissect_summary(m->dissect, recs[hp->rec].bytes, recs[hp->rec].len, &b);
            add_row(out, (EventRow){true, k, i, hp->send, hp->from, hp->to, hp->proto,
                                    xstrdup(b.data ? b.data : "")});
        }
    }
    buf_fini(&b);
}
