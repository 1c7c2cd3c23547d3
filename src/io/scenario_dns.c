/* scenario_dns — DNS's part of the scenario loader: the top-level "zones"
 * and the node keys of hosts ("dns"), resolvers ("mode",
 * "qname_minimisation", "root_hints", "round_robin") and name servers
 * ("zones", "recursion", "round_robin"), into the World's DnsConf
 * (proto/dns/dns_conf.h).  Zone files and records are parsed only once the
 * whole scenario is sound (finish): their messages name the file's lines. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/scenario_int.h"
#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_zone.h"
#include "proto/roles.h"

#define TTL_MAX 2147483647.0 /* RFC 2181 */

/* What the DNS part keeps while a scenario loads. */
typedef struct DnsLoad {
    const char **origins; /* zone origins, sorted */
    size_t n_origins;
    bool zones_ok;          /* "zones" is absent or an object: references can be checked */
    const cJSON **dns_item; /* per node: its "dns" value, or NULL */
    size_t n_dns_item;
    const cJSON *zones_item; /* the top-level "zones", for warnings */
} DnsLoad;

static DnsLoad *state(Loader *L)
{
    return L->proto[SP_DNS];
}

static DnsNodeConf *node_conf(Loader *L, int i)
{
    return dns_conf_node_mut(L->w, i);
}

/* ---- node keys ------------------------------------------------------------- */

static void key_mode(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char *const modes[] = {"iterative", "recursive"};
    DnsNodeConf *n = node_conf(L, i);
    const char *s = sj_get_string(L, v, p, "\"iterative\" or \"recursive\"");
    if (!s)
        return;
    if (strcmp(s, "iterative") == 0 || strcmp(s, "recursive") == 0) {
        n->recursive_mode = s[0] == 'r';
        return;
    }
    sj_err(L, v, p, "unknown mode %s (expected \"iterative\" or \"recursive\"%s)", sj_q(L, s),
           sj_suggest(L, s, modes, 2, NULL));
}

static void key_root_hints(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p, "got %s (expected a list of addresses, like [\"198.41.0.4\"])",
               sj_got(L, v));
        return;
    }
    DnsNodeConf *n = node_conf(L, i);
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    n->root_hints = xmalloc((count ? count : 1) * sizeof *n->root_hints);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        uint32_t ip;
        if (sj_get_ip(L, e, &ep, true, &ip, NULL))
            n->root_hints[n->n_root_hints++] = ip;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool have_origin(const DnsLoad *d, const char *s)
{
    return d->n_origins &&
           bsearch(&s, d->origins, d->n_origins, sizeof *d->origins, cmp_str) != NULL;
}

static void key_zones(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p, "got %s (expected a list of zone origins, like [\"edu.\"])", sj_got(L, v));
        return;
    }
    DnsLoad *d = state(L);
    DnsNodeConf *n = node_conf(L, i);
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    n->zones = xcalloc(count ? count : 1, sizeof *n->zones);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        const char *s = sj_get_string(L, e, &ep, "a zone origin, like \"edu.\"");
        if (!s)
            continue;
        if (d->zones_ok && !have_origin(d, s)) {
            const char *hint = sj_suggest(L, s, d->origins, d->n_origins, NULL);
            if (!*hint && s[0] && s[strlen(s) - 1] != '.') {
                char *dot = xasprintf("%s.", s);
                if (have_origin(d, dot))
                    hint = sj_keep(L, xasprintf("; did you mean %s?", sj_q(L, dot)));
                free(dot);
            }
            sj_err(L, e, &ep,
                   "no zone %s in \"zones\" (expected an origin that is a key of the top-level "
                   "\"zones\"%s)",
                   sj_q(L, s), hint);
            continue;
        }
        n->zones[n->n_zones++] = xstrdup(s);
    }
}

static void key_dns(Loader *L, int i, const cJSON *v, const Path *p)
{
    DnsLoad *d = state(L);
    DnsNodeConf *n = node_conf(L, i);
    d->dns_item[i] = v;
    n->has_dns = sj_get_ip(L, v, p, true, &n->dns, NULL);
}

static void key_qname_minimisation(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &node_conf(L, i)->qname_minimisation);
}

static void key_round_robin(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &node_conf(L, i)->round_robin);
}

static void key_recursion(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &node_conf(L, i)->recursion);
}

/* ---- zones --------------------------------------------------------------- */

static bool is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Checks an origin: absolute, labels of 1..63 allowed characters, at most
 * 255 bytes in wire form (254 characters with the final dot). */
static void check_origin(Loader *L, const char *o, const cJSON *at, const Path *p)
{
    static const char labels[] = "letters, digits, \"-\" and \"_\" between the dots";
    size_t len = strlen(o);
    if (len == 0) {
        sj_err(L, at, p,
               "the zone origin is empty (expected a domain name ending in \".\", like "
               "\"edu.\", or \".\" for the root)");
        return;
    }
    if (o[len - 1] != '.') {
        char *dot = xasprintf("%s.", o);
        sj_err(L, at, p, "the zone origin %s does not end in \".\" (expected an absolute name: %s)",
               sj_q(L, o), sj_q(L, dot));
        free(dot);
        return;
    }
    if (len == 1)
        return; /* the root */
    if (len > 254) {
        sj_err(L, at, p,
               "the zone origin is %zu characters long (expected at most 254, the longest domain "
               "name)",
               len);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (o[i] == '.') {
            if (i == start) {
                sj_err(L, at, p,
                       "the zone origin %s has an empty label (expected labels separated by single "
                       "dots, like \"montana.edu.\")",
                       sj_q(L, o));
                return;
            }
            if (i - start > 63) {
                sj_err(L, at, p,
                       "the zone origin %s has a label of %zu characters (expected at most 63 "
                       "between two dots)",
                       sj_q(L, o), i - start);
                return;
            }
            start = i + 1;
        } else if (!is_label_char(o[i])) {
            size_t n = sj_utf8_len((unsigned char)o[i]);
            Buf b;
            buf_init(&b);
            sj_put_quoted(&b, o + i, n);
            sj_err(L, at, p, "the zone origin %s contains %s (expected %s)", sj_q(L, o), b.data,
                   labels);
            buf_fini(&b);
            return;
        }
    }
}

/* Record v, whose path is p, element at of the zone's records. */
static void load_record(Loader *L, Zone *z, const cJSON *v, const Path *p, size_t at)
{
    static const char *const keys[] = {"name", "type", "ttl", "data", "region"};
    static const char expected[] =
        "a master-file line like \"www 3600 IN A 10.0.0.80\", or an object like {\"name\": "
        "\"www\", \"type\": \"A\", \"data\": \"10.0.0.80\"}";
    ZoneRecord r = {0};
    r.ttl = -1;
    if (sj_is(v, cJSON_String)) {
        const char *s = v->valuestring;
        const char *c = s;
        while (*c == ' ' || *c == '\t')
            c++;
        if (!*c) { /* blanks alone */
            sj_err(L, v, p, "the record is empty (expected %s)", expected);
            return;
        }
        if (strpbrk(s, "\n\r")) {
            sj_err(L, v, p,
                   "the record contains a line break (expected one record per string, on "
                   "one line)");
            return;
        }
        r.line = s;
    } else if (sj_is(v, cJSON_Object)) {
        bool *dup = sj_find_duplicates(L, v, p);
        bool ok = true;
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            if (sj_dup(dup, k))
                continue;
            Path kp = sj_field(p, c->string);
            const char *key = c->string;
            if (strcmp(key, "ttl") == 0) {
                ok &= sj_get_int(L, c, &kp, 0, TTL_MAX,
                                 "a whole number of seconds from 0 to "
                                 "2147483647, like 3600",
                                 &r.ttl);
                continue;
            }
            const char **slot = strcmp(key, "name") == 0     ? &r.name
                                : strcmp(key, "type") == 0   ? &r.type
                                : strcmp(key, "data") == 0   ? &r.data
                                : strcmp(key, "region") == 0 ? &r.region
                                                             : NULL;
            if (!slot) {
                sj_unknown_key(L, c, p, key, keys, MN_ARRAY_LEN(keys));
                ok = false;
                continue;
            }
            const char *s = sj_get_string(L, c, &kp, "a string");
            if (s && !*s && slot != &r.data) {
                sj_err(L, c, &kp, "%s is empty (expected a non-empty string)", sj_q(L, key));
                s = NULL;
            }
            if (s && slot == &r.name && strpbrk(s, " \t")) {
                sj_err(L, c, &kp,
                       "%s contains a space (expected a name like \"www\"; a space inside a "
                       "label is written \\032)",
                       sj_q(L, s));
                s = NULL;
            }
            if (!s) {
                ok = false;
                continue;
            }
            *slot = s;
        }
        free(dup);
        static const char *const need[] = {"name", "type", "data"};
        static const char *const need_ex[] = {"\"www\" or \"@\" for the origin", "\"A\"",
                                              "\"10.0.0.80\""};
        for (size_t i = 0; i < MN_ARRAY_LEN(need); i++)
            if (!cJSON_GetObjectItemCaseSensitive(v, need[i])) {
                ok = false;
                if (sj_typo_for(v, need[i], keys, MN_ARRAY_LEN(keys)))
                    continue;
                sj_err(L, v, p, "missing \"%s\" (expected \"%s\": a string, like %s)", need[i],
                       need[i], need_ex[i]);
            }
        if (!ok)
            return;
    } else {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return;
    }
    r.index = at;
    z->records[z->n_records++] = r;
}

static void zone_file(Loader *L, Zone *z, const cJSON *v, const Path *p)
{
    static const char expected[] = "a master file; the path is relative to the scenario's folder";
    const char *s = sj_get_string(L, v, p, "the path of a master file, like \"zones/edu.zone\"");
    if (!s)
        return;
    if (!*s) {
        sj_err(L, v, p, "the path is empty (expected %s)", expected);
        return;
    }
    const char *dir = L->dir && *L->dir ? L->dir : ".";
    char *path;
    if (s[0] == '/' || strcmp(dir, ".") == 0)
        path = xstrdup(s);
    else
        path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", s);
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) != 0) {
        sj_err(L, v, p, "cannot read %s: %s (expected %s)", sj_q(L, path), strerror(errno),
               expected);
    } else if (S_ISDIR(st.st_mode)) {
        sj_err(L, v, p, "%s is a folder (expected %s)", sj_q(L, path), expected);
    } else if (!S_ISREG(st.st_mode)) { /* a FIFO would block the open below */
        sj_err(L, v, p, "%s is not a regular file: a pipe, a device or a socket (expected %s)",
               sj_q(L, path), expected);
    } else if ((uint64_t)st.st_size > DNS_ZONE_FILE_MAX) {
        sj_err(L, v, p, "%s is %lld bytes long (expected a zone file of at most 64 MiB)",
               sj_q(L, path), (long long)st.st_size);
    } else if (!(f = fopen(path, "rb"))) {
        sj_err(L, v, p, "cannot read %s: %s (expected %s)", sj_q(L, path), strerror(errno),
               expected);
    } else {
        fclose(f);
        z->file = path;
        z->file_as_written = xstrdup(s);
        return;
    }
    free(path);
}

static void load_zone(Loader *L, Zone *z, const cJSON *v, const Path *p)
{
    static const char *const keys[] = {"file", "records"};
    static const char expected[] =
        "exactly one of \"file\" (a master file) or \"records\" (a list of records)";
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p, "got %s (expected an object with %s)", sj_got(L, v), expected);
        return;
    }
    bool *dup = sj_find_duplicates(L, v, p);
    const cJSON *file = NULL, *records = NULL;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        if (strcmp(c->string, "file") == 0)
            file = c;
        else if (strcmp(c->string, "records") == 0)
            records = c;
        else
            sj_unknown_key(L, c, p, c->string, keys, MN_ARRAY_LEN(keys));
    }
    free(dup);
    if (file && records) {
        sj_err(L, records, p, "both \"file\" and \"records\" are given (expected %s)", expected);
        return;
    }
    if (!file && !records) {
        if (sj_typo_for(v, "file", keys, 2) || sj_typo_for(v, "records", keys, 2))
            return;
        sj_err(L, v, p, "neither \"file\" nor \"records\" is given (expected %s)", expected);
        return;
    }
    if (file) {
        Path fp = sj_field(p, "file");
        zone_file(L, z, file, &fp);
        return;
    }
    Path rp = sj_field(p, "records");
    if (!cJSON_IsArray(records)) {
        sj_err(L, records, &rp,
               "got %s (expected a list of records, like [\"www 3600 IN A 10.0.0.80\"])",
               sj_got(L, records));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(records), i = 0;
    z->records = xcalloc(n ? n : 1, sizeof *z->records);
    z->records_where = sj_path_str(&rp);
    for (const cJSON *c = records->child; c; c = c->next, i++) {
        Path ep = sj_indexed(&rp, i);
        load_record(L, z, c, &ep, i);
    }
}

static int cmp_zone_case(const void *a, const void *b)
{
    const Zone *x = *(const Zone *const *)a, *y = *(const Zone *const *)b;
    int c = sj_casecmp(x->origin, y->origin);
    if (c)
        return c;
    return x < y ? -1 : x > y;
}

static void load_zones(Loader *L, const cJSON *v, const Path *p)
{
    DnsConf *w = dns_conf(L->w);
    DnsLoad *d = state(L);
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an object keyed by zone origin, like {\"edu.\": {\"file\": "
               "\"zones/edu.zone\"}})",
               sj_got(L, v));
        d->zones_ok = false;
        return;
    }
    d->zones_item = v;
    bool *dup = sj_find_duplicates(L, v, p);
    size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
    w->zones = xcalloc(n ? n : 1, sizeof *w->zones);
    d->origins = xmalloc((n ? n : 1) * sizeof *d->origins);
    const cJSON **items = xmalloc((n ? n : 1) * sizeof *items);
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path zp = sj_quoted(p, c->string);
        Zone *z = &w->zones[w->n_zones];
        items[w->n_zones++] = c;
        z->origin = xstrdup(c->string);
        d->origins[d->n_origins++] = z->origin;
        check_origin(L, c->string, c, &zp);
        load_zone(L, z, c, &zp);
    }
    free(dup);
    sj_sort(d->origins, d->n_origins, sizeof *d->origins, cmp_str);
    /* Names differing only in case are the same zone. */
    const Zone **byname = xmalloc((w->n_zones ? w->n_zones : 1) * sizeof *byname);
    for (size_t i = 0; i < w->n_zones; i++)
        byname[i] = &w->zones[i];
    sj_sort(byname, w->n_zones, sizeof *byname, cmp_zone_case);
    for (size_t i = 1; i < w->n_zones; i++) {
        if (sj_casecmp(byname[i]->origin, byname[i - 1]->origin) != 0)
            continue;
        size_t at = (size_t)(byname[i] - w->zones);
        Path zp = sj_quoted(p, byname[i]->origin);
        sj_err(L, items[at], &zp,
               "%s is the same zone as %s (DNS names ignore case; expected each zone once)",
               sj_q(L, byname[i]->origin), sj_q(L, byname[i - 1]->origin));
    }
    free(byname);
    free(items);
}

/* ---- checks -------------------------------------------------------------- */

/* A host's "dns" must be some node's address. */
static void check(Loader *L, const Path *nodes_path)
{
    DnsLoad *d = state(L);
    World *w = L->w;
    if (!L->ips_ok)
        return; /* a broken address may be the one a "dns" meant */
    for (size_t i = 0; i < w->n_nodes && i < d->n_dns_item; i++) {
        const DnsNodeConf *n = dns_conf_node(w, (int)i);
        if (!n->has_dns || scenario_has_addr(L, n->dns))
            continue;
        char ipbuf[16];
        ip_format(n->dns, ipbuf);
        Path np = sj_indexed(nodes_path, i), dp = sj_field(&np, "dns");
        sj_err(L, d->dns_item[i], &dp,
               "no node has the address %s (expected the \"ip\" of the node that answers this "
               "host's DNS queries, usually a resolver)",
               ipbuf);
    }
}

/* ---- warnings (minet check) --------------------------------------------- */

/* Each warning is about a scenario that loads and runs, but where a class
 * would see a lookup fail, or a key do nothing, for a reason that is not
 * the lesson. */

/* The JSON value of zone `origin` and its path, to hang a warning on. */
static const cJSON *zone_item(Loader *L, const char *origin)
{
    const cJSON *z = state(L)->zones_item;
    return z ? cJSON_GetObjectItemCaseSensitive(z, origin) : NULL;
}

/* The origins that some node's "zones" lists, sorted (ignoring case) so
 * that each zone is looked up in them once: a scan of every node for
 * every zone took most of `minet check`'s time on 10,000 hosts. */
typedef struct Served {
    const char **origin;
    size_t n;
} Served;

static int by_origin(const void *a, const void *b)
{
    return sj_casecmp(*(const char *const *)a, *(const char *const *)b);
}

static Served served_origins(const World *w)
{
    Served s = {NULL, 0};
    size_t cap = 0;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const DnsNodeConf *n = dns_conf_node(w, (int)i);
        for (size_t k = 0; k < n->n_zones; k++) {
            s.origin = xgrow(s.origin, &cap, s.n + 1, sizeof *s.origin);
            s.origin[s.n++] = n->zones[k];
        }
    }
    if (s.n)
        qsort(s.origin, s.n, sizeof *s.origin, by_origin);
    return s;
}

static bool someone_serves(const Served *s, const char *origin)
{
    return s->n && bsearch(&origin, s->origin, s->n, sizeof *s->origin, by_origin);
}

/* A zone in "zones" that no node's "zones" lists: nobody answers for it. */
static void warn_unserved(Loader *L, const Served *served)
{
    const DnsConf *c = dns_conf_get(L->w);
    Path top = sj_field(NULL, "zones");
    for (size_t i = 0; c && i < c->n_zones; i++) {
        if (someone_serves(served, c->zones[i].origin))
            continue;
        Path zp = sj_quoted(&top, c->zones[i].origin);
        sj_warn(L, zone_item(L, c->zones[i].origin), &zp,
                "no node serves the zone %s (expected a node with role \"dns\" whose \"zones\" "
                "lists it; until then its names cannot be looked up)",
                sj_q(L, c->zones[i].origin));
    }
}

/* An iterative resolver starts at the root: without "root_hints" it takes
 * them from the root zone, which must exist and be served. */
static void warn_no_root(Loader *L, const Path *nodes_path, const Served *served)
{
    const World *w = L->w;
    bool root = someone_serves(served, ".");
    for (size_t i = 0; i < w->n_nodes; i++) {
        const DnsNodeConf *n = dns_conf_node(w, (int)i);
        if (w->nodes[i].role != ROLE_RESOLVER || n->recursive_mode || n->n_root_hints || root)
            continue;
        Path np = sj_indexed(nodes_path, i);
        sj_warn(L, L->ni[i].item, &np,
                "the resolver %s has no root zone to start from: no node serves \".\" and it has "
                "no \"root_hints\" (expected a \"dns\" node with \"zones\": [\".\"], or "
                "\"root_hints\"; until then every lookup it makes fails with SERVFAIL)",
                sj_q(L, w->nodes[i].id));
    }
    for (size_t i = 0; i < w->n_nodes; i++) {
        const DnsNodeConf *n = dns_conf_node(w, (int)i);
        const cJSON *hints = cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "root_hints");
        for (size_t k = 0; k < n->n_root_hints && hints; k++) {
            if (scenario_has_addr(L, n->root_hints[k]))
                continue;
            char ip[16];
            ip_format(n->root_hints[k], ip);
            Path np = sj_indexed(nodes_path, i), hp = sj_field(&np, "root_hints"),
                 ep = sj_indexed(&hp, k);
            sj_warn(L, cJSON_GetArrayItem(hints, (int)k), &ep,
                    "no node has the address %s (expected a root server's \"ip\"; queries sent "
                    "there get no answer)",
                    ip);
        }
    }
}

/* The address records of the names that NS records name (glue, and the
 * zone's own servers): a resolver sends queries there. */
static void warn_ns_addresses(Loader *L, const DnsZoneSet *set, const Served *served)
{
    Path top = sj_field(NULL, "zones");
    for (size_t zi = 0; zi < set->n; zi++) {
        const DnsZone *z = &set->zones[zi];
        char origin[DNS_NAME_MAX * 4 + 1];
        dns_name_str(&z->origin, origin, sizeof origin);
        if (!someone_serves(served, origin))
            continue; /* warn_unserved said so */
        for (size_t i = 0; i < z->n_rrs; i++) {
            DnsName ns_owner;
            const DnsRR ns_rr = dns_zone_rr(z, &z->rrs[i], &ns_owner), *ns = &ns_rr;
            DnsName target;
            if (ns->type != DNS_TYPE_NS || !dns_name_from_wire(&target, ns->rdata, ns->rdlen))
                continue;
            const DnsZoneName *g = dns_zone_lookup(z, &target);
            for (size_t k = g ? g->first : 0; g && k < g->first + g->count; k++) {
                DnsName a_owner;
                const DnsRR a_rr = dns_zone_rr(z, &z->rrs[k], &a_owner), *a = &a_rr;
                if (a->type != DNS_TYPE_A || a->rdlen != 4 ||
                    scenario_has_addr(L, get_be32(a->rdata)))
                    continue;
                char ip[16], name[DNS_NAME_MAX * 4 + 1], owner[DNS_NAME_MAX * 4 + 1];
                ip_format(get_be32(a->rdata), ip);
                dns_name_str(&target, name, sizeof name);
                dns_name_str(ns->name, owner, sizeof owner);
                Path zp = sj_quoted(&top, origin);
                sj_warn(L, zone_item(L, origin), &zp,
                        "the name server %s of %s has the address %s, which no node has "
                        "(expected the \"ip\" of a \"dns\" node; queries sent there get no "
                        "answer)",
                        name, owner, ip);
            }
        }
    }
}

/* Does name end in origin twice ("mail.montana.edu.montana.edu.")?  Then a
 * name in the zone was written without its final dot. */
static bool repeats_origin(const DnsName *name, const DnsName *origin)
{
    if (origin->labels == 0 || name->labels < 2 * origin->labels)
        return false;
    DnsName tail;
    dns_name_suffix(name, 2 * origin->labels, &tail);
    if (!dns_name_is_under(&tail, origin))
        return false;
    /* tail is origin's labels, then origin: its first half must be origin too. */
    char t[DNS_NAME_MAX * 4 + 1], o[DNS_NAME_MAX * 4 + 1];
    dns_name_str(&tail, t, sizeof t);
    dns_name_str(origin, o, sizeof o);
    size_t on = strlen(o), tn = strlen(t);
    return tn == 2 * on && strncasecmp(t, o, on) == 0;
}

/* A relative name in NS, MX or CNAME data that ends in the origin, as
 * named-checkzone catches it ("MX 'mail.montana.edu.montana.edu' has no
 * address records (A or AAAA)"). */
static void warn_relative_names(Loader *L, const DnsZoneSet *set)
{
    Path top = sj_field(NULL, "zones");
    for (size_t zi = 0; zi < set->n; zi++) {
        const DnsZone *z = &set->zones[zi];
        char origin[DNS_NAME_MAX * 4 + 1];
        dns_name_str(&z->origin, origin, sizeof origin);
        for (size_t i = 0; i < z->n_rrs; i++) {
            DnsName rr_owner;
            const DnsRR rr_rr = dns_zone_rr(z, &z->rrs[i], &rr_owner), *rr = &rr_rr;
            const char *type = rr->type == DNS_TYPE_NS      ? "NS"
                               : rr->type == DNS_TYPE_MX    ? "MX"
                               : rr->type == DNS_TYPE_CNAME ? "CNAME"
                                                            : NULL;
            size_t skip = rr->type == DNS_TYPE_MX ? 2 : 0;
            DnsName target;
            if (!type || rr->rdlen < skip ||
                !dns_name_from_wire(&target, rr->rdata + skip, rr->rdlen - skip) ||
                !repeats_origin(&target, &z->origin))
                continue;
            char name[DNS_NAME_MAX * 4 + 1], owner[DNS_NAME_MAX * 4 + 1];
            dns_name_str(&target, name, sizeof name);
            dns_name_str(rr->name, owner, sizeof owner);
            size_t n = strlen(name), on = strlen(origin);
            char meant[DNS_NAME_MAX * 4 + 1];
            snprintf(meant, sizeof meant, "%.*s", (int)(n - on), name);
            /* named-checkzone's own words, names without the final dot:
             * "example.org/MX 'mail.example.org.example.org' has no address
             * records (A or AAAA)"; it says nothing of a CNAME. */
            name[n - 1] = '\0';
            if (strlen(owner) > 1)
                owner[strlen(owner) - 1] = '\0';
            const DnsZoneName *has = dns_zone_lookup(z, &target);
            const char *said =
                rr->type != DNS_TYPE_CNAME && !(has && has->count)
                    ? sj_keep(L, xasprintf("%s/%s '%s' has no address records (A or AAAA), as "
                                           "named-checkzone says: ",
                                           owner, type, name))
                    : sj_keep(L, xasprintf("%s/%s '%s': ", owner, type, name));
            Path zp = sj_quoted(&top, origin);
            sj_warn(L, zone_item(L, origin), &zp,
                    "%s%.*s was written without its final dot, so the zone's origin was added to "
                    "it (expected %s)",
                    said, (int)(n - on - 1), meant, sj_q(L, meant));
        }
    }
}

/* "region" selects answers by the asker's region; hosts and routers ask
 * through their resolver (name servers see the resolver's region). */
static void warn_region(Loader *L, const Path *nodes_path)
{
    const World *w = L->w;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "region");
        int role = w->nodes[i].role;
        if (!r || (role != ROLE_HOST && role != ROLE_ROUTER))
            continue;
        Path np = sj_indexed(nodes_path, i), rp = sj_field(&np, "region");
        sj_warn(L, r, &rp,
                "\"region\" has no effect on %s: name servers choose an answer by the region of "
                "the resolver that asks them (expected \"region\" on a resolver)",
                role == ROLE_HOST ? "a host, whose lookups go through its resolver" : "a router");
    }
}

static void warn(Loader *L, const Path *nodes_path)
{
    Served served = served_origins(L->w);
    warn_unserved(L, &served);
    warn_no_root(L, nodes_path, &served);
    warn_region(L, nodes_path);
    const DnsZoneSet *set = dns_conf_zones(L->w);
    if (set) {
        warn_ns_addresses(L, set, &served);
        warn_relative_names(L, set);
    }
    free(served.origin);
}

/* ---- saving ------------------------------------------------------------- */

/* Points every zone "file" at the zone file the world was loaded with, as
 * an absolute path: the copy is not beside the original. */
static bool absolute_zone_files(const World *w, cJSON *root, char *why, size_t size)
{
    const DnsConf *c = dns_conf_get(w);
    cJSON *zones = cJSON_GetObjectItemCaseSensitive(root, "zones");
    for (size_t i = 0; c && i < c->n_zones; i++) {
        const Zone *z = &c->zones[i];
        cJSON *zone = zones ? cJSON_GetObjectItemCaseSensitive(zones, z->origin) : NULL;
        if (!z->file || !cJSON_IsObject(zone))
            continue;
        char *real = realpath(z->file, NULL);
        if (!real) {
            snprintf(why, size, "%s: %s", z->file, strerror(errno));
            return false;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(zone, "file", cJSON_CreateString(real));
        free(real);
    }
    return true;
}

/* ---- the row ------------------------------------------------------------- */

static void begin(Loader *L)
{
    DnsLoad *d = xcalloc(1, sizeof *d);
    d->zones_ok = true;
    L->proto[SP_DNS] = d;
    dns_conf(L->w); /* every loaded world has one, even without DNS */
}

static void node(Loader *L, int i, int role)
{
    DnsLoad *d = state(L);
    if (!d->dns_item) {
        d->n_dns_item = L->w->n_nodes;
        d->dns_item = xcalloc(d->n_dns_item ? d->n_dns_item : 1, sizeof *d->dns_item);
    }
    /* A resolver rotates RRsets unless told not to; a name server keeps
     * zone-file order. */
    if (role == ROLE_RESOLVER)
        node_conf(L, i)->round_robin = true;
}

static bool finish(Loader *L, Errors *errs)
{
    DnsConf *c = dns_conf(L->w);
    c->set = dns_zones_load(L->w, errs);
    return c->set != NULL;
}

static void fini(Loader *L)
{
    DnsLoad *d = state(L);
    if (!d)
        return;
    free(d->origins);
    free(d->dns_item);
    free(d);
    L->proto[SP_DNS] = NULL;
}

static const ScenarioKey keys[] = {
    {"dns", key_dns, NULL},
    {"mode", key_mode, NULL},
    {"qname_minimisation", key_qname_minimisation, NULL},
    {"root_hints", key_root_hints, NULL},
    {"round_robin", key_round_robin, NULL},
    {"zones", key_zones, NULL},
    {"recursion", key_recursion, NULL},
};

const ScenarioProto scenario_dns_proto = {
    .top_key = "zones",
    .read_top = load_zones,
    .keys = keys,
    .n_keys = MN_ARRAY_LEN(keys),
    .begin = begin,
    .node = node,
    .check = check,
    .finish = finish,
    .warn = warn,
    .fini = fini,
    .save_elsewhere = absolute_zone_files,
};
