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
#include "proto/state_tables.h"

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
    s->rows[s->n++] = (InspectRow){xstrdup(key), xstrdup(value ? value : ""), ttl, NULL};
}

void inspect_fini(Inspect *in)
{
    for (size_t i = 0; i < in->n; i++) {
        InspectSection *s = &in->s[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->rows[j].key);
            free(s->rows[j].value);
            for (size_t c = 0; s->rows[j].cells && c < s->n_cols; c++)
                free(s->rows[j].cells[c]);
            free(s->rows[j].cells);
        }
        free(s->rows);
        free(s->title);
        free(s->table);
        for (size_t j = 0; j < s->n_cols; j++)
            free(s->cols[j]);
        free(s->cols);
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
            DnsName owner;
            const DnsRR rr_rr = dns_zone_rr(z, &z->rrs[j], &owner), *rr = &rr_rr;
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
    for (size_t i = first; i < in->n; i++)
        if (in->s[i].table && strcmp(in->s[i].table, table) == 0)
            return &in->s[i];
    const StateTable *st = state_table_find(table);
    char title[128];
    snprintf(title, sizeof title, "%s", st ? st->title : table);
    title[0] = (char)toupper((unsigned char)title[0]);
    InspectSection *s = section(in, title);
    s->table = xstrdup(table);
    s->plot = st ? st->plot : NULL;
    return s;
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
        const StateTable *st = state_table_find(r->table);
        if (st && st->hidden)
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
        /* The TTL counted down to the cursor as the cache itself counts
         * (dns_cache_ttl_left, Unbound's way): the TTL minus the whole
         * seconds of the clock turned since the insert, so the inspector,
         * dig and `ipconfig /displaydns` show the same number. */
        int64_t ttl = r->ttl;
        if (ttl >= 0) {
            int64_t left = (int64_t)floor((double)r->time / 1e6) + ttl - (int64_t)floor(t / 1e6);
            ttl = left < 0 ? 0 : left > r->ttl ? r->ttl : left;
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

/* ---- columns ----------------------------------------------------------- */

/* The next space-separated word of *s (length in *len), or NULL at the end. */
static const char *next_word(const char **s, size_t *len)
{
    const char *p = *s;
    while (*p == ' ')
        p++;
    if (!*p)
        return NULL;
    const char *w = p;
    while (*p && *p != ' ')
        p++;
    *len = (size_t)(p - w);
    *s = p;
    return w;
}

/* A field name: a lowercase word ("send-q", "cwnd"), not a value. */
static bool field_name(const char *w, size_t len)
{
    if (len == 0 || !islower((unsigned char)w[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!islower((unsigned char)w[i]) && !isdigit((unsigned char)w[i]) && w[i] != '-' &&
            w[i] != '_')
            return false;
    return true;
}

/* Is v a word then one or more `name value` pairs? */
static bool is_pairs(const char *v)
{
    size_t len, n = 0;
    for (const char *w; (w = next_word(&v, &len)); n++)
        if (n % 2 == 1 && !field_name(w, len))
            return false;
    return n >= 3 && n % 2 == 1;
}

bool inspect_field(const char *value, const char *name, char *out, size_t size)
{
    size_t len, vlen, nlen = strlen(name);
    const char *v = value, *w;
    if (!next_word(&v, &len))
        return false; /* the leading word */
    while ((w = next_word(&v, &len))) {
        const char *val = next_word(&v, &vlen);
        if (!val)
            return false;
        if (len == nlen && memcmp(w, name, len) == 0) {
            snprintf(out, size, "%.*s", (int)vlen, val);
            return true;
        }
    }
    return false;
}

/* Number of space-separated words in s. */
static size_t count_words(const char *s)
{
    size_t len, n = 0;
    while (next_word(&s, &len))
        n++;
    return n;
}

char *inspect_list_part(const char *list, size_t i)
{
    for (; list && i > 0; i--) {
        list = strchr(list, '|');
        list = list ? list + 1 : NULL;
    }
    if (!list)
        return NULL;
    const char *bar = strchr(list, '|');
    return xstrndup(list, bar ? (size_t)(bar - list) : strlen(list));
}

static void add_col(InspectSection *s, size_t *cap, char *head)
{
    s->cols = xgrow(s->cols, cap, s->n_cols + 1, sizeof *s->cols);
    s->cols[s->n_cols++] = head;
}

/* The field names of the rows, as "name" strings in show order: the
 * table's row's order first, then the rest as they first appear. */
static size_t field_order(const InspectSection *s, const StateTable *st, char ***names)
{
    size_t n = 0, cap = 0, len;
    char **out = NULL;
    char *part;
    for (size_t i = 0; st && st->fields && (part = inspect_list_part(st->fields, i)); i++) {
        char *eq = strchr(part, '=');
        if (eq)
            *eq = '\0';
        out = xgrow(out, &cap, n + 1, sizeof *out);
        out[n++] = part;
    }
    for (size_t r = 0; r < s->n; r++) {
        const char *v = s->rows[r].value, *w;
        next_word(&v, &len);
        while ((w = next_word(&v, &len))) {
            bool known = false;
            for (size_t k = 0; k < n && !known; k++)
                known = strlen(out[k]) == len && memcmp(out[k], w, len) == 0;
            if (!known) {
                out = xgrow(out, &cap, n + 1, sizeof *out);
                out[n++] = xstrndup(w, len);
            }
            next_word(&v, &len);
        }
    }
    *names = out;
    return n;
}

/* Is field `name` in some row of s? */
static bool field_used(const InspectSection *s, const char *name)
{
    char v[8];
    for (size_t r = 0; r < s->n; r++)
        if (inspect_field(s->rows[r].value, name, v, sizeof v))
            return true;
    return false;
}

char *inspect_label(const char *table, const char *name)
{
    const StateTable *st = state_table_find(table);
    char *part;
    for (size_t i = 0; st && st->fields && (part = inspect_list_part(st->fields, i)); i++) {
        char *eq = strchr(part, '=');
        bool hit =
            eq && (size_t)(eq - part) == strlen(name) && memcmp(part, name, strlen(name)) == 0;
        if (hit) {
            char *label = xstrdup(eq + 1);
            free(part);
            return label;
        }
        free(part);
    }
    return xstrdup(name);
}

/* Cuts a table's rows into columns when every value is a word then
 * `name value` pairs (the rule in inspect.h). */
static void columns(InspectSection *s)
{
    if (!s->table || s->n == 0)
        return;
    for (size_t r = 0; r < s->n; r++)
        if (!is_pairs(s->rows[r].value))
            return;
    const StateTable *st = state_table_find(s->table);
    /* The key's words get their own columns when the table's row names
     * them all and every key has that many. */
    size_t heads = 0;
    for (const char *h = st ? st->heads : NULL; h; h = strchr(h, '|'), h = h ? h + 1 : NULL)
        heads++;
    size_t kw = heads > 1 ? heads - 1 : 0;
    for (size_t r = 0; r < s->n && kw; r++)
        if (count_words(s->rows[r].key) != kw)
            kw = 0;
    size_t cap = 0;
    if (kw) {
        for (size_t i = 0; i <= kw; i++)
            add_col(s, &cap, inspect_list_part(st->heads, i));
    } else {
        add_col(s, &cap, xstrdup(""));
        add_col(s, &cap, xstrdup(""));
    }
    s->key_cols = kw ? kw : 1;
    /* One column per label: fields that share one share the column (ss
     * shows a listening socket's backlog as its Send-Q). */
    char **names;
    size_t n_names = field_order(s, st, &names), n_fields = 0, first_field = s->n_cols;
    char **fields = xmalloc((n_names ? n_names : 1) * sizeof *fields);
    size_t *col = xmalloc((n_names ? n_names : 1) * sizeof *col);
    for (size_t i = 0; i < n_names; i++) {
        if (!field_used(s, names[i])) {
            free(names[i]);
            continue;
        }
        char *label = inspect_label(s->table, names[i]);
        size_t c = first_field;
        while (c < s->n_cols && strcmp(s->cols[c], label) != 0)
            c++;
        if (c == s->n_cols)
            add_col(s, &cap, label);
        else
            free(label);
        col[n_fields] = c;
        fields[n_fields++] = names[i];
    }
    free(names);
    for (size_t r = 0; r < s->n; r++) {
        InspectRow *row = &s->rows[r];
        row->cells = xcalloc(s->n_cols, sizeof *row->cells);
        size_t c = 0, len = 0;
        const char *k = row->key, *w;
        if (kw)
            while ((w = next_word(&k, &len)) && c < kw)
                row->cells[c++] = xstrndup(w, len);
        else
            row->cells[c++] = xstrdup(row->key);
        const char *v = row->value;
        w = next_word(&v, &len);
        row->cells[c++] = xstrndup(w, len);
        for (size_t f = 0; f < n_fields; f++) {
            char val[128];
            if (!row->cells[col[f]] && inspect_field(row->value, fields[f], val, sizeof val))
                row->cells[col[f]] = xstrdup(val);
        }
        for (c = first_field; c < s->n_cols; c++)
            if (!row->cells[c])
                row->cells[c] = xstrdup("");
    }
    for (size_t f = 0; f < n_fields; f++)
        free(fields[f]);
    free(fields);
    free(col);
}

/* The tables that change as the steps go (zones, caches, connections,
 * queues) before the interfaces, which do not: in a short panel the
 * lecture's cache shows without scrolling. */
static const Provider providers[] = {provide_node, provide_zones, provide_tables,
                                     provide_interfaces};

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
        columns(s);
    }
}

/* ---- a field over time -------------------------------------------------- */

size_t inspect_series(const Model *m, int node, const char *table, const char *key,
                      const char *field, uint32_t step, double t, InspectPoint **pts, size_t *cap,
                      SimTime *end)
{
    const TraceRec *recs = m->sim->trace.recs;
    size_t n = 0;
    *end = -1;
    for (size_t i = 0; i < m->n_states; i++) {
        const TraceRec *r = &recs[m->states[i].rec];
        if (!model_ref_shown(m, &m->states[i], step, t))
            break; /* records are in time order */
        if (r->node != node || !r->table || strcmp(r->table, table) != 0)
            continue;
        const char *op = r->op ? r->op : "";
        bool adds = strcmp(op, "insert") == 0 || strcmp(op, "add") == 0 || strcmp(op, "push") == 0;
        bool mine = r->key && strcmp(r->key, key) == 0;
        if (!mine && (adds || (strcmp(op, "flush") != 0 && strcmp(op, "clear") != 0)))
            continue;
        if (!adds) {
            if (n)
                *end = r->time; /* removed (or the table emptied) */
            continue;
        }
        char v[64], *e;
        if (!r->text || !inspect_field(r->text, field, v, sizeof v))
            continue;
        double x = strtod(v, &e);
        if (e == v || !isfinite(x))
            continue;
        if (*end >= 0) { /* the key came back: a new entry, a new line */
            n = 0;
            *end = -1;
        }
        *pts = xgrow(*pts, cap, n + 1, sizeof **pts);
        (*pts)[n++] = (InspectPoint){r->time, x};
    }
    return n;
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
