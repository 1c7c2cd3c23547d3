#define _XOPEN_SOURCE 700 /* realpath */
#include "scenario.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/units.h"
#include "io/outfile.h"
#include "io/scenario_int.h"
#include "proto/roles.h"

/* How loading goes:
 *
 *   1. bytes: size limit, no NUL, valid UTF-8;
 *   2. syntax: our own strict JSON checker, so that a malformed file gets a
 *      message saying what was expected at LINE:COL (cJSON only says where);
 *      it builds cJSON's tree as it checks, in blocks freed with the load;
 *      both in scenario_json.c;
 *   3. the tree is read into a World, every
 *      problem noted against the JSON value it is about: the common keys
 *      here, each protocol's keys by its row of the protocol table
 *      (scenario_int.h), which roles accept which keys by the roles table
 *      (proto/roles.h);
 *   4. the problems are sorted into file order (the position of that value
 *      in a pre-order walk of the tree) and handed to the caller.
 *
 * Phases 1 and 2 stop at the first problem: after it nothing can be trusted.
 * Phase 3 reports everything, but avoids cascades: a reference to a broken
 * or missing thing is not checked again (see the *_ok flags and quiet).
 *
 * Costs: a lookup by id is a hash table's, by address or origin a binary
 * search in a sorted index, so a scenario loads in O(n log n). */

/* 2^53 - 1: every integer up to it is exact in JSON; 2^53 + 1 already
 * reads as 2^53, so a seed from 2^53 up cannot be known as written. */
#define SEED_MAX       9007199254740991.0
#define SUGGEST_BUDGET 200000 /* edit distances computed for "did you mean" */

static const char DEFAULT_START[] = "2023-09-11T09:00:00Z";

/* ---- nodes --------------------------------------------------------------- */

static const char *const common_keys[] = {"id", "role", "ip", "region", "pos"};

/* The reader of a protocol's node key for a node of role (-1: any), or
 * NULL: the one for that very role first, else one for any role. */
static const ScenarioKey *find_node_key(const char *key, int role)
{
    const ScenarioProto *const *t = scenario_protos();
    const ScenarioKey *any = NULL;
    for (int s = 0; s < SP_COUNT; s++)
        for (size_t k = 0; k < t[s]->n_keys; k++) {
            const ScenarioKey *sk = &t[s]->keys[k];
            /* the first letters first: most keys differ there, and every
             * host's protocol keys are looked up */
            if (sk->name[0] != key[0] || strcmp(sk->name, key) != 0)
                continue;
            if (!sk->role || role < 0) {
                if (!any)
                    any = sk;
            } else if (strcmp(sk->role, roles_get(role)->name) == 0) {
                return sk;
            }
        }
    return any ? any : role < 0 ? NULL : find_node_key(key, -1);
}

static bool listed(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

/* The keys a node of role may have (role -1: any role's), each once, in
 * the order "expected one of" lists them: the common keys, then each
 * protocol's.  Lives until the load ends. */
static const char **node_keys(Loader *L, int role, size_t *n)
{
    const ScenarioProto *const *t = scenario_protos();
    size_t cap = MN_ARRAY_LEN(common_keys);
    for (int s = 0; s < SP_COUNT; s++)
        cap += t[s]->n_keys;
    const char **keys = xmalloc(cap * sizeof *keys);
    sj_keep(L, (char *)keys);
    *n = 0;
    for (size_t k = 0; k < MN_ARRAY_LEN(common_keys); k++)
        keys[(*n)++] = common_keys[k];
    for (int s = 0; s < SP_COUNT; s++)
        for (size_t k = 0; k < t[s]->n_keys; k++) {
            const char *name = t[s]->keys[k].name;
            if ((role < 0 || roles_accepts(role, name)) && !listed(keys, *n, name))
                keys[(*n)++] = name;
        }
    return keys;
}

/* "a host or a router": the roles that accept key. */
static const char *only_for(Loader *L, const char *key)
{
    Buf b;
    buf_init(&b);
    size_t n;
    const Role *roles = roles_table(&n);
    for (size_t r = 0; r < n; r++)
        if (roles_accepts((int)r, key))
            buf_printf(&b, "%s%s", b.len ? " or " : "", roles[r].a);
    return sj_keep(L, buf_take(&b));
}

/* "host, router, …": the roles' names. */
static const char **role_words(Loader *L, size_t *n)
{
    const Role *roles = roles_table(n);
    const char **words = xmalloc((*n ? *n : 1) * sizeof *words);
    sj_keep(L, (char *)words);
    for (size_t r = 0; r < *n; r++)
        words[r] = roles[r].name;
    return words;
}

static void add_addr(Loader *L, uint32_t ip, int node, int elem, const cJSON *item)
{
    L->addrs = xgrow(L->addrs, &L->cap_addrs, L->n_addrs + 1, sizeof *L->addrs);
    L->addrs[L->n_addrs++] = (AddrRef){ip, node, elem, item};
}

static void node_id(Loader *L, int i, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    const char *s = sj_get_string(L, v, p, "a name for the node, like \"laptop\"");
    if (!s)
        return;
    n->id = s; /* in the tree's strings, which become the World's */
    n->id_in_strings = true;
    L->ni[i].id_item = v;
    if (!*s) {
        sj_err(L, v, p, "the id is empty (expected a name for the node, like \"laptop\")");
        return;
    }
    bool space = false, control = false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == ' ' || *c == '\t')
            space = true;
        else if (*c < 0x20 || *c == 0x7f)
            control = true;
    }
    if (space) {
        char *dash = xstrdup(s);
        for (char *c = dash; *c; c++)
            if (*c == ' ' || *c == '\t')
                *c = '-';
        sj_err(L, v, p, "%s contains a space (expected an id without spaces, like %s)", sj_q(L, s),
               sj_q(L, dash));
        free(dash);
    } else if (control) {
        sj_err(L, v, p,
               "%s contains a control character (expected letters, digits and "
               "punctuation)",
               sj_q(L, s));
    }
}

/* Room for count addresses and their prefix lengths, in one block (Node.ips).
 * One address, as most nodes have, takes the node's two words of the
 * World's ip_pool (made with the nodes) rather than a malloc of its own. */
static void node_alloc_ips(World *w, int i, size_t count)
{
    Node *n = &w->nodes[i];
    if (count == 1) {
        n->ips = &w->ip_pool[2 * (size_t)i];
        n->ips_in_pool = true;
    } else {
        n->ips = xmalloc(count * (sizeof *n->ips + sizeof *n->prefixes));
    }
    n->prefixes = (uint8_t *)(n->ips + count);
}

static void node_ip(Loader *L, int i, int role, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    NodeInfo *ni = &L->ni[i];
    uint32_t ip;
    uint8_t prefix;
    ni->ip_item = v;
    if (sj_is(v, cJSON_String)) {
        if (!sj_get_ip(L, v, p, true, &ip, &prefix)) {
            L->ips_ok = false;
            return;
        }
        node_alloc_ips(L->w, i, 1);
        n->ips[0] = ip;
        n->prefixes[0] = prefix;
        n->n_ips = 1;
        add_addr(L, ip, i, -1, v);
        return;
    }
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p, "got %s (expected the node's address, like \"10.0.0.1\")", sj_got(L, v));
        L->ips_ok = false;
        return;
    }
    ni->ip_array = true;
    if (role < 0) { /* the role is reported already */
        L->ips_ok = false;
        return;
    }
    if (!roles_get(role)->router) {
        sj_err(L, v, p,
               "only a router may list several addresses (this node is %s; expected one address "
               "as a string, like \"10.0.0.1\")",
               roles_get(role)->a);
        L->ips_ok = false;
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    if (count == 0) {
        sj_err(L, v, p,
               "the list is empty (expected one address per link of the router, like "
               "[\"10.0.0.1\", \"10.0.1.1\"])");
        L->ips_ok = false;
        return;
    }
    node_alloc_ips(L->w, i, count);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        if (!sj_get_ip(L, e, &ep, true, &ip, &prefix)) {
            L->ips_ok = false;
            ni->ip_bad = true; /* the count no longer says anything */
            continue;
        }
        n->prefixes[n->n_ips] = prefix;
        n->ips[n->n_ips++] = ip;
        add_addr(L, ip, i, (int)k, e);
    }
}

#define POS_MAX 1e9

static void node_pos(Loader *L, Node *n, const cJSON *v, const Path *p)
{
    static const char expected[] = "[x, y], two numbers, like [120, 560]";
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return;
    }
    int count = cJSON_GetArraySize(v);
    if (count != 2) {
        sj_err(L, v, p, "the list has %d number%s (expected %s)", count, count == 1 ? "" : "s",
               expected);
        return;
    }
    double xy[2];
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        if (!sj_get_number(L, e, &ep, "a number, like 120", &xy[k]))
            return;
        /* The view fits the positions to the window by their span, which
         * must stay a finite number. */
        if (fabs(xy[k]) > POS_MAX) {
            sj_err(L, e, &ep, "%g is too far out (expected a number from -1e9 to 1e9, like 120)",
                   xy[k]);
            return;
        }
    }
    n->has_pos = true;
    n->x = xy[0];
    n->y = xy[1];
}

static void node_unknown_key(Loader *L, int role, const cJSON *c, const Path *p)
{
    size_t n;
    const char **cands = node_keys(L, role, &n);
    sj_unknown_key(L, c, p, c->string, cands, n);
}

static int node_role(Loader *L, const cJSON *v, const Path *p)
{
    int role = sj_is(v, cJSON_String) ? roles_find(v->valuestring) : -1;
    if (role >= 0)
        return role;
    /* The message's words are built only for a message. */
    size_t n;
    const char **words = role_words(L, &n);
    const char *list = sj_join(L, words, n);
    const char *s = sj_get_string(L, v, p, sj_keep(L, xasprintf("one of %s", list)));
    if (s)
        sj_err(L, v, p, "unknown role %s (expected one of %s%s)", sj_q(L, s), list,
               sj_suggest(L, s, words, n, NULL));
    return -1;
}

/* A key that is not common: read by its protocol, if the role accepts it. */
static void node_other_key(Loader *L, int i, int role, const cJSON *c, const Path *p)
{
    Path kp = sj_field(p, c->string);
    /* Node after node has the same keys ("dns" on every host): the last
     * key's reader, and whether its role takes it, are kept for the next. */
    const ScenarioKey *sk;
    if (L->last_key.name && L->last_key.role == role && strcmp(L->last_key.name, c->string) == 0) {
        sk = L->last_key.sk;
    } else {
        sk = find_node_key(c->string, role);
        L->last_key.name = c->string;
        L->last_key.role = role;
        L->last_key.sk = sk;
        L->last_key.accepted = sk && role >= 0 && roles_accepts(role, c->string);
    }
    if (!sk)
        node_unknown_key(L, role, c, p);
    else if (role < 0)
        return; /* which keys belong depends on the role, reported already */
    else if (!L->last_key.accepted)
        sj_err(L, c, &kp, "%s is only for %s (this node is %s)", sj_q(L, c->string),
               only_for(L, c->string), roles_get(role)->a);
    else
        sk->read(L, i, c, &kp);
}

static void load_node(Loader *L, int i, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    NodeInfo *ni = &L->ni[i];
    ni->item = v;
    if (!sj_is(v, cJSON_Object)) {
        sj_err(L, v, p,
               "got %s (expected a node: an object like {\"id\": \"pc1\", \"role\": \"host\", "
               "\"ip\": \"10.0.0.1\"})",
               sj_got(L, v));
        ni->quiet = true;
        L->ips_ok = false;
        n->id = xstrdup("");
        return;
    }
    bool *dup = sj_find_duplicates(L, v, p);
    const cJSON *role_item = sj_member(v, "role");
    int role = -1;
    if (sj_is(role_item, cJSON_String))
        role = roles_find(role_item->valuestring);
    n->role = role >= 0 ? role : 0;
    n->router = roles_get(n->role)->router;
    const ScenarioProto *const *t = scenario_protos();
    for (int s = 0; s < SP_COUNT; s++)
        if (t[s]->node)
            t[s]->node(L, i, role);
    bool has_id = false, has_role = false, has_ip = false;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, c->string);
        const char *key = c->string;
        if (sj_key_is(key, "id")) {
            has_id = true;
            node_id(L, i, c, &kp);
        } else if (sj_key_is(key, "role")) {
            has_role = true;
            if (role < 0) /* found above otherwise */
                node_role(L, c, &kp);
        } else if (sj_key_is(key, "ip")) {
            has_ip = true;
            node_ip(L, i, role, c, &kp);
        } else if (sj_key_is(key, "region")) {
            const char *s = sj_get_string(L, c, &kp, "a region name, like \"europe\"");
            if (s && !*s)
                sj_err(L, c, &kp, "the region is empty (expected a region name, like \"europe\")");
            else if (s)
                n->region = xstrdup(s);
        } else if (sj_key_is(key, "pos")) {
            node_pos(L, n, c, &kp);
        } else {
            node_other_key(L, i, role, c, p);
        }
    }
    free(dup);
    if (!has_id || !has_role || !has_ip) {
        size_t n_known, n_roles;
        const char **known = node_keys(L, -1, &n_known);
        const char **roles = role_words(L, &n_roles);
        if (!has_id && !sj_typo_for(v, "id", known, n_known))
            sj_err(L, v, p,
                   "missing \"id\" (expected a unique name for the node, like \"laptop\")");
        if (!has_role && !sj_typo_for(v, "role", known, n_known))
            sj_err(L, v, p, "missing \"role\" (expected one of %s)", sj_join(L, roles, n_roles));
        if (!has_ip) {
            if (!sj_typo_for(v, "ip", known, n_known))
                sj_err(L, v, p, "missing \"ip\" (expected the node's address, like \"10.0.0.1\")");
            L->ips_ok = false;
        }
    }
    if (!n->id) {
        n->id = xstrdup(""); /* never matches a reference: ids are checked non-empty */
        ni->quiet = true;
    }
}

/* The slot of id in L->id_slots: where it is, or the empty one it would take. */
static size_t id_slot(const Loader *L, const char *id)
{
    size_t h = str_hash(id) & L->id_mask;
    while (L->id_slots[h] >= 0 && strcmp(L->w->nodes[L->id_slots[h]].id, id) != 0)
        h = (h + 1) & L->id_mask;
    return h;
}

/* Indexes the ids in a hash table, first occurrences only, and reports the
 * others as duplicates. */
static void index_ids(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    size_t size = hash_slots(w->n_nodes, 4);
    L->id_slots = xmalloc(size * sizeof *L->id_slots);
    L->id_mask = size - 1;
    for (size_t h = 0; h < size; h++)
        L->id_slots[h] = -1;
    L->id_words = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *L->id_words);
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (!L->ni[i].id_item || !w->nodes[i].id[0])
            continue;
        size_t h = id_slot(L, w->nodes[i].id);
        if (L->id_slots[h] < 0) {
            L->id_slots[h] = (int)i;
            continue;
        }
        Path np = sj_indexed(nodes_path, i), ip = sj_field(&np, "id");
        sj_err(L, L->ni[i].id_item, &ip,
               "duplicate id %s (expected each node id once; nodes[%d].id already uses it)",
               sj_q(L, w->nodes[i].id), L->id_slots[h]);
        L->ni[i].quiet = true;
    }
    /* For "did you mean": first occurrences, in file order. */
    for (size_t i = 0; i < w->n_nodes; i++)
        if (L->ni[i].id_item && w->nodes[i].id[0] && !L->ni[i].quiet)
            L->id_words[L->n_id_words++] = w->nodes[i].id;
}

static int find_id(const Loader *L, const char *id)
{
    return L->id_slots ? L->id_slots[id_slot(L, id)] : -1;
}

int scenario_ref_node(Loader *L, const cJSON *v, const Path *p, int *guess)
{
    if (guess)
        *guess = -1;
    const char *s = sj_get_string(L, v, p, "a node id from \"nodes\"");
    if (!s)
        return -1;
    int i = find_id(L, s);
    if (i >= 0)
        return i;
    const char *best;
    const char *hint = sj_suggest(L, s, L->id_words, L->n_id_words, &best);
    if (best && guess)
        *guess = find_id(L, best);
    sj_err(L, v, p, "no node is called %s (expected a node id from \"nodes\"%s)", sj_q(L, s), hint);
    return -1;
}

static void load_nodes(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected a list of nodes, like [{\"id\": \"pc1\", \"role\": \"host\", "
               "\"ip\": \"10.0.0.1\"}])",
               sj_got(L, v));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n == 0) {
        sj_err(L, v, p, "the list is empty (expected at least one node)");
        return;
    }
    if (n > INT32_MAX / 2) {
        sj_err(L, v, p, "too many nodes (expected at most %d)", INT32_MAX / 2);
        return;
    }
    w->nodes = xcalloc(n, sizeof *w->nodes);
    w->ip_pool = xmalloc(2 * n * sizeof *w->ip_pool);
    L->ni = xcalloc(n, sizeof *L->ni);
    w->n_nodes = n;
    L->nodes_ok = true;
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path np = sj_indexed(p, i);
        load_node(L, (int)i, c, &np);
    }
    index_ids(L, p);
}

/* ---- links --------------------------------------------------------------- */

static const char *const link_keys[] = {"between", "latency", "bandwidth", "loss"};

/* Reads "between"; returns false (after marking the ends it could read as
 * touched) when the link cannot be made. */
static bool link_between(Loader *L, const cJSON *v, const Path *p, int ends[2])
{
    static const char expected[] = "the ids of the two nodes it joins, like [\"pc1\", \"router\"]";
    if (!sj_is(v, cJSON_Array)) {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return false;
    }
    int count = cJSON_GetArraySize(v);
    if (count != 2) {
        sj_err(L, v, p, "the list has %d id%s (expected %s)", count, count == 1 ? "" : "s",
               expected);
        /* Whatever it names is touched, so it is not also called unlinked. */
        for (const cJSON *e = v->child; e; e = e->next)
            if (cJSON_IsString(e) && L->nodes_ok) {
                int i = find_id(L, e->valuestring);
                if (i >= 0)
                    L->ni[i].touched = true;
            }
        return false;
    }
    bool ok = true;
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        int guess = -1;
        if (!L->nodes_ok) {
            if (!sj_get_string(L, e, &ep, "a node id from \"nodes\""))
                continue;
            ends[k] = -1;
            ok = false;
            continue;
        }
        ends[k] = scenario_ref_node(L, e, &ep, &guess);
        if (guess >= 0)
            L->ni[guess].touched = true;
        if (ends[k] < 0)
            ok = false;
    }
    if (!ok) {
        for (k = 0; k < 2; k++)
            if (ends[k] >= 0)
                L->ni[ends[k]].touched = true;
        return false;
    }
    if (ends[0] == ends[1]) {
        sj_err(L, v, p, "both ends are %s (expected two different nodes)",
               sj_q(L, L->w->nodes[ends[0]].id));
        L->ni[ends[0]].touched = true;
        return false;
    }
    return true;
}

static void load_link(Loader *L, size_t file_index, const cJSON *v, const Path *p)
{
    if (!sj_is(v, cJSON_Object)) {
        sj_err(L, v, p,
               "got %s (expected a link: an object like {\"between\": [\"pc1\", \"router\"], "
               "\"latency\": \"1ms\"})",
               sj_got(L, v));
        return;
    }
    bool *dup = sj_find_duplicates(L, v, p);
    Link lk = {-1, -1, -1, -1, 1000, 1000000000, 0};
    int ends[2] = {-1, -1};
    bool made = false, has_between = false;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, c->string);
        if (sj_key_is(c->string, "between")) {
            has_between = true;
            made = link_between(L, c, &kp, ends);
        } else if (sj_key_is(c->string, "latency")) {
            sj_get_time(L, c, &kp, &lk.latency);
        } else if (sj_key_is(c->string, "bandwidth")) {
            sj_get_rate(L, c, &kp, &lk.bandwidth);
        } else if (sj_key_is(c->string, "loss")) {
            double d;
            static const char expected[] = "a number from 0 to 1, like 0.01 for 1% loss";
            if (sj_get_number(L, c, &kp, expected, &d)) {
                if (d < 0 || d > 1)
                    sj_err(L, c, &kp, "%s is outside 0..1 (expected %s)", sj_fmt_number(L, d),
                           expected);
                else
                    lk.loss = d;
            }
        } else {
            sj_unknown_key(L, c, p, c->string, link_keys, MN_ARRAY_LEN(link_keys));
        }
    }
    free(dup);
    if (!has_between && !sj_typo_for(v, "between", link_keys, MN_ARRAY_LEN(link_keys)))
        sj_err(L, v, p,
               "missing \"between\" (expected the ids of the two nodes it joins, like "
               "[\"pc1\", \"router\"])");
    if (!made)
        return;
    World *w = L->w;
    lk.a = ends[0];
    lk.b = ends[1];
    size_t cap = L->cap_links;
    w->links = xgrow(w->links, &L->cap_links, w->n_links + 1, sizeof *w->links);
    if (L->cap_links != cap) /* grown with the links */
        L->link_file_index =
            xrealloc(L->link_file_index, L->cap_links * sizeof *L->link_file_index);
    L->link_file_index[w->n_links] = file_index;
    w->links[w->n_links++] = lk;
    L->ni[ends[0]].n_links++;
    L->ni[ends[1]].n_links++;
}

/* Two links between the same nodes would make "down A B" ambiguous.  The
 * links are taken by their lower end (a counting sort by node, in link
 * order), and each node's partners so far are marked with the first link
 * that joined them: O(links + nodes). */
static void check_parallel_links(Loader *L, const cJSON *links, const Path *p)
{
    World *w = L->w;
    if (w->n_links < 2)
        return;
    size_t *at = xcalloc(w->n_nodes + 1, sizeof *at); /* where each node's links go */
    size_t *by_low = xmalloc(w->n_links * sizeof *by_low);
    for (size_t k = 0; k < w->n_links; k++) {
        int a = w->links[k].a, b = w->links[k].b;
        at[(a < b ? a : b) + 1]++;
    }
    for (size_t i = 1; i <= w->n_nodes; i++)
        at[i] += at[i - 1];
    for (size_t k = 0; k < w->n_links; k++) {
        int a = w->links[k].a, b = w->links[k].b;
        by_low[at[a < b ? a : b]++] = k;
    }
    int *marked = xcalloc(w->n_nodes, sizeof *marked); /* 1 + the low end that marked it */
    size_t *first_link = xmalloc(w->n_nodes * sizeof *first_link);
    for (size_t i = 0; i < w->n_links; i++) {
        size_t k = by_low[i];
        int a = w->links[k].a, b = w->links[k].b;
        int lo = a < b ? a : b, hi = a < b ? b : a;
        if (marked[hi] != lo + 1) {
            marked[hi] = lo + 1;
            first_link[hi] = k;
            continue;
        }
        size_t first = L->link_file_index[first_link[hi]];
        size_t idx = L->link_file_index[k];
        Path lp = sj_indexed(p, idx), bp = sj_field(&lp, "between");
        const cJSON *item =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(links, (int)idx), "between");
        sj_err(L, item, &bp,
               "%s and %s are already joined by links[%zu] (expected at most one link between two "
               "nodes)",
               sj_q(L, w->nodes[lo].id), sj_q(L, w->nodes[hi].id), first);
    }
    free(first_link);
    free(marked);
    free(by_low);
    free(at);
}

static void load_links(Loader *L, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected a list of links, like [{\"between\": [\"pc1\", \"router\"]}])",
               sj_got(L, v));
        L->links_ok = false;
        return;
    }
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path lp = sj_indexed(p, i);
        load_link(L, i, c, &lp);
    }
}

/* ---- checks across nodes and links -------------------------------------- */

static int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Every node must reach the first one.  A component is left unreported
 * when a broken link names one of its nodes: that link may be the missing
 * one, and its own message says what to fix. */
static void check_connected(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    if (w->n_nodes < 2 || !L->links_ok)
        return;
    int *parent = xmalloc(w->n_nodes * sizeof *parent);
    bool *quiet = xcalloc(w->n_nodes, sizeof *quiet);
    for (size_t i = 0; i < w->n_nodes; i++)
        parent[i] = (int)i;
    for (size_t k = 0; k < w->n_links; k++) {
        int a = uf_find(parent, w->links[k].a), b = uf_find(parent, w->links[k].b);
        if (a != b)
            parent[a < b ? b : a] = a < b ? a : b;
    }
    for (size_t i = 0; i < w->n_nodes; i++)
        if (L->ni[i].touched)
            quiet[uf_find(parent, (int)i)] = true;
    /* The first node, or the first one usable if it is broken. */
    size_t anchor = 0;
    while (anchor + 1 < w->n_nodes && L->ni[anchor].quiet)
        anchor++;
    int first = uf_find(parent, (int)anchor);
    for (size_t i = 0; i < w->n_nodes; i++) {
        int c = uf_find(parent, (int)i);
        if (c == first || quiet[c] || L->ni[i].quiet)
            continue;
        Path np = sj_indexed(nodes_path, i);
        sj_err(L, L->ni[i].item, &np,
               "node %s is not linked to the rest of the network (expected a link in \"links\" "
               "that joins it)",
               sj_q(L, w->nodes[i].id));
    }
    free(parent);
    free(quiet);
}

/* A router listing addresses needs one per link, in link order. */
static void check_router_ips(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const NodeInfo *ni = &L->ni[i];
        if (!ni->ip_array || !w->nodes[i].router || ni->ip_bad || ni->touched || !L->links_ok ||
            w->nodes[i].n_ips == 0)
            continue;
        size_t have = w->nodes[i].n_ips;
        if (have == ni->n_links)
            continue;
        Path np = sj_indexed(nodes_path, i), ip = sj_field(&np, "ip");
        sj_err(L, ni->ip_item, &ip,
               "the router lists %zu address%s but has %zu link%s (expected one address per link, "
               "in the order its links appear in \"links\")",
               have, have == 1 ? "" : "es", ni->n_links, ni->n_links == 1 ? "" : "s");
    }
}

static void addr_path(const AddrRef *a, char *buf, size_t size)
{
    if (a->elem < 0)
        snprintf(buf, size, "nodes[%d].ip", a->node);
    else
        snprintf(buf, size, "nodes[%d].ip[%d]", a->node, a->elem);
}

/* Puts L->addrs in L->addr_slot, the first use of each address; false
 * if an address is used twice. */
static bool index_addrs(Loader *L)
{
    free(L->addr_slot);
    size_t slots = hash_slots(L->n_addrs, 16);
    L->addr_slot = xcalloc(slots, sizeof *L->addr_slot);
    L->addr_slots = slots;
    bool unique = true;
    for (size_t i = 0; i < L->n_addrs; i++) {
        size_t k = ip_hash(L->addrs[i].ip, slots);
        while (L->addr_slot[k] && L->addrs[L->addr_slot[k] - 1].ip != L->addrs[i].ip)
            k = (k + 1) & (slots - 1);
        if (L->addr_slot[k])
            unique = false;
        else
            L->addr_slot[k] = (uint32_t)(i + 1);
    }
    return unique;
}

static void check_addresses(Loader *L, const Path *nodes_path)
{
    /* A hash finds whether an address is used twice; only then are the
     * addresses sorted, to report each reuse by address and its uses in
     * file order, as they were added. */
    if (index_addrs(L))
        return;
    sort_by_key(L->addrs, L->n_addrs, sizeof *L->addrs, offsetof(AddrRef, ip), sizeof(uint32_t));
    index_addrs(L); /* the indexes moved */
    for (size_t k = 1; k < L->n_addrs; k++) {
        const AddrRef *a = &L->addrs[k], *first = &L->addrs[k - 1];
        if (a->ip != first->ip)
            continue;
        while (first > L->addrs && (first - 1)->ip == a->ip)
            first--;
        char where[64], ipbuf[16];
        addr_path(first, where, sizeof where);
        ip_format(a->ip, ipbuf);
        Path np = sj_indexed(nodes_path, (size_t)a->node), fp = sj_field(&np, "ip");
        Path ep = sj_indexed(&fp, (size_t)(a->elem < 0 ? 0 : a->elem));
        sj_err(L, a->item, a->elem < 0 ? &fp : &ep,
               "%s is already used by %s (expected each address once)", ipbuf, where);
    }
}

bool scenario_has_addr(const Loader *L, uint32_t ip)
{
    if (!L->addr_slots) { /* before check_addresses */
        for (size_t i = 0; i < L->n_addrs; i++)
            if (L->addrs[i].ip == ip)
                return true;
        return false;
    }
    for (size_t k = ip_hash(ip, L->addr_slots);; k = (k + 1) & (L->addr_slots - 1)) {
        uint32_t s = L->addr_slot[k];
        if (!s)
            return false;
        if (L->addrs[s - 1].ip == ip)
            return true;
    }
}
/* "layout": "pos" places every node by its "pos": each must have one. */
static void check_layout_pos(Loader *L, const Path *nodes_path)
{
    if (L->w->layout != WORLD_LAYOUT_POS)
        return;
    for (size_t i = 0; i < L->w->n_nodes; i++) {
        if (L->w->nodes[i].has_pos)
            continue;
        Path np = sj_indexed(nodes_path, i);
        sj_err(L, L->ni[i].item, &np,
               "node %s has no \"pos\" (expected [x, y]: \"layout\": \"pos\" places every node "
               "where its \"pos\" says)",
               sj_q(L, L->w->nodes[i].id));
    }
}

/* ---- the top level ------------------------------------------------------- */

static const char *const core_keys[] = {"minet", "title",  "description", "seed",
                                        "start", "layout", "nodes",       "links"};

#define TOP_MAX (MN_ARRAY_LEN(core_keys) + SP_COUNT + 1)

/* The top-level keys (the core's, then the protocols', then "script"), and
 * the members of the top object, first occurrences only. */
typedef struct Top {
    const char *keys[TOP_MAX];
    const cJSON *v[TOP_MAX];
    size_t n;
} Top;

static void top_init(Top *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < MN_ARRAY_LEN(core_keys); i++)
        t->keys[t->n++] = core_keys[i];
    const ScenarioProto *const *p = scenario_protos();
    for (int s = 0; s < SP_COUNT; s++)
        if (p[s]->top_key)
            t->keys[t->n++] = p[s]->top_key;
    t->keys[t->n++] = "script";
}

static const cJSON *top_get(const Top *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->keys[i], key) == 0)
            return t->v[i];
    return NULL;
}

/* Returns false when the rest of the file should not be read: a version
 * this minet does not know may mean anything. */
static bool load_version(Loader *L, const cJSON *root, const Top *t)
{
    static const char expected[] = "1, the version of the scenario format";
    Path p = sj_field(NULL, "minet");
    const cJSON *v = top_get(t, "minet");
    if (!v) {
        if (!sj_typo_for(root, "minet", t->keys, t->n))
            sj_err(L, root, NULL,
                   "missing \"minet\" (expected \"minet\": 1 at the top, the version of "
                   "the scenario format)");
        return true;
    }
    double version;
    if (!sj_get_number(L, v, &p, expected, &version))
        return true;
    if (version != floor(version)) {
        sj_err(L, v, &p, "%s is not a whole number (expected %s)", sj_fmt_number(L, version),
               expected);
        return true;
    }
    if (version != 1) {
        sj_err(L, v, &p,
               "format version %s is not supported (expected 1: this minet reads version 1 "
               "scenarios)",
               sj_fmt_number(L, version));
        return false;
    }
    return true;
}

static void load_header(Loader *L, const cJSON *root, const Top *t)
{
    World *w = L->w;
    const cJSON *v;
    Path p;
    if (!(v = top_get(t, "title"))) {
        if (!sj_typo_for(root, "title", t->keys, t->n))
            sj_err(L, root, NULL,
                   "missing \"title\" (expected a short title for the scenario, like "
                   "\"Resolving www.montana.edu\")");
    } else {
        p = sj_field(NULL, "title");
        const char *s = sj_get_string(L, v, &p, "a short title for the scenario");
        bool blank = true;
        for (const char *c = s ? s : ""; *c; c++)
            if (!sj_is_ws(*c))
                blank = false;
        if (s && blank)
            sj_err(L, v, &p, "the title is empty (expected a short title for the scenario)");
        else if (s)
            w->title = xstrdup(s);
    }
    if ((v = top_get(t, "description"))) {
        p = sj_field(NULL, "description");
        const char *s = sj_get_string(L, v, &p, "a text for students");
        size_t chars = 0;
        for (const char *c = s ? s : ""; *c; c += sj_utf8_len((unsigned char)*c))
            chars++;
        if (chars > WORLD_DESCRIPTION_MAX)
            sj_err(L, v, &p,
                   "the description is %zu characters long (expected at most %d: a text for "
                   "students, which the window shows whole before the first step, at 1024x768 too)",
                   chars, WORLD_DESCRIPTION_MAX);
        else if (s)
            w->description = xstrdup(s);
    }
    if ((v = top_get(t, "layout"))) {
        static const char expected[] = "\"hierarchy\" (the DNS tree, ignoring \"pos\") or "
                                       "\"pos\" (every node where its \"pos\" says)";
        p = sj_field(NULL, "layout");
        const char *s = sj_get_string(L, v, &p, expected);
        if (s && strcmp(s, "hierarchy") == 0)
            w->layout = WORLD_LAYOUT_HIERARCHY;
        else if (s && strcmp(s, "pos") == 0)
            w->layout = WORLD_LAYOUT_POS;
        else if (s)
            sj_err(L, v, &p, "unknown layout %s (expected %s)", sj_q(L, s), expected);
    }
    if ((v = top_get(t, "seed"))) {
        p = sj_field(NULL, "seed");
        int64_t seed;
        if (sj_get_int(L, v, &p, 0, SEED_MAX,
                       "a whole number from 0 to 9007199254740991 (2^53 - 1)", &seed))
            w->seed = (uint64_t)seed;
    }
    const char *start = DEFAULT_START;
    if ((v = top_get(t, "start"))) {
        p = sj_field(NULL, "start");
        start = sj_get_string(L, v, &p, "an RFC 3339 date and time, like \"2023-09-11T09:00:00Z\"");
        if (start && !units_parse_rfc3339(start, &w->start_us)) {
            sj_err(L, v, &p,
                   "%s is not an RFC 3339 date and time (expected a form like "
                   "\"2023-09-11T09:00:00Z\" or \"2023-09-11T11:00:00+02:00\")",
                   sj_q(L, start));
            start = NULL;
        }
    } else {
        units_parse_rfc3339(start, &w->start_us);
    }
    if (start)
        w->start = xstrdup(start);
}

static void load_root(Loader *L, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        sj_err(L, root, NULL,
               "the top level is %s (expected a JSON object: {\"minet\": 1, \"title\": …, "
               "\"nodes\": […]})",
               sj_got(L, root));
        return;
    }
    bool *dup = sj_find_duplicates(L, root, NULL);
    Top t;
    top_init(&t);
    size_t k = 0;
    for (const cJSON *c = root->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        size_t i = 0;
        while (i < t.n && strcmp(t.keys[i], c->string) != 0)
            i++;
        if (i < t.n)
            t.v[i] = c;
        else
            sj_unknown_key(L, c, NULL, c->string, t.keys, t.n);
    }
    free(dup);
    if (!load_version(L, root, &t))
        return;
    load_header(L, root, &t);
    const cJSON *v;
    Path np = sj_field(NULL, "nodes");
    Path lp = sj_field(NULL, "links"), sp = sj_field(NULL, "script");
    /* A protocol's top-level key first: nodes refer to what it defines. */
    const ScenarioProto *const *protos = scenario_protos();
    for (int s = 0; s < SP_COUNT; s++) {
        if (!protos[s]->top_key || !(v = top_get(&t, protos[s]->top_key)))
            continue;
        Path tp = sj_field(NULL, protos[s]->top_key);
        protos[s]->read_top(L, v, &tp);
    }
    if ((v = top_get(&t, "nodes")))
        load_nodes(L, v, &np);
    else if (!sj_typo_for(root, "nodes", t.keys, t.n))
        sj_err(L, root, NULL,
               "missing \"nodes\" (expected a list of nodes, like [{\"id\": "
               "\"pc1\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}])");
    if ((v = top_get(&t, "links")))
        load_links(L, v, &lp);
    if (L->nodes_ok)
        check_layout_pos(L, &np);
    if (L->nodes_ok) {
        check_parallel_links(L, v, &lp);
        check_router_ips(L, &np);
        check_connected(L, &np);
        check_addresses(L, &np);
        for (int s = 0; s < SP_COUNT; s++)
            if (protos[s]->check)
                protos[s]->check(L, &np);
    }
    if ((v = top_get(&t, "script")))
        scenario_load_script(L, v, &sp);
}

/* ---- entry points -------------------------------------------------------- */

static void loader_fini(Loader *L)
{
    for (size_t i = 0; i < L->n_pend; i++)
        free(L->pend[i].msg);
    free(L->pend);
    for (size_t i = 0; i < L->n_scratch; i++)
        free(L->scratch[i]);
    free(L->scratch);
    free(L->ni);
    free(L->id_slots);
    free(L->id_words);
    free(L->addrs);
    free(L->addr_slot);
    free(L->link_file_index);
    sj_tree_free(L);
}

static void begin_protos(Loader *L)
{
    const ScenarioProto *const *t = scenario_protos();
    for (int s = 0; s < SP_COUNT; s++)
        if (t[s]->begin)
            t[s]->begin(L);
}

static bool finish_protos(Loader *L, Errors *errs)
{
    const ScenarioProto *const *t = scenario_protos();
    bool ok = true;
    for (int s = 0; s < SP_COUNT && ok; s++)
        if (t[s]->finish)
            ok = t[s]->finish(L, errs);
    return ok;
}

static void fini_protos(Loader *L)
{
    const ScenarioProto *const *t = scenario_protos();
    for (int s = SP_COUNT; s-- > 0;)
        if (t[s]->fini)
            t[s]->fini(L);
}

static bool all_blank(const char *s, size_t len)
{
    size_t i = sj_has_bom(s, len) ? 3 : 0;
    for (; i < len; i++)
        if (!sj_is_ws(s[i]))
            return false;
    return true;
}

/* "pos" on some nodes but not all: the others are laid out automatically,
 * around the placed ones, which rarely looks as the author meant. */
static void warn_pos(Loader *L, const Path *nodes_path)
{
    size_t with = 0, n = L->w->n_nodes;
    for (size_t i = 0; i < n; i++)
        with += cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "pos") != NULL;
    if (with == 0 || with == n || L->w->layout != WORLD_LAYOUT_AUTO)
        return;
    for (size_t i = 0; i < n; i++) {
        if (cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "pos"))
            continue;
        Path np = sj_indexed(nodes_path, i);
        sj_warn(L, L->ni[i].item, &np,
                "node %s has no \"pos\" while %zu of the %zu nodes have one (expected \"pos\" "
                "on every node or on none: a node without one is placed by the DNS hierarchy, "
                "beside the placed ones)",
                sj_q(L, L->w->nodes[i].id), with, n);
    }
}

/* Each protocol's warnings, then the core's, sorted into file order
 * (sj_sort_pending sorts L->pend, empty once the load has succeeded). */
static void warn_all(Loader *L, const cJSON *root, Errors *warns)
{
    Path np = sj_field(NULL, "nodes");
    warn_pos(L, &np);
    const ScenarioProto *const *t = scenario_protos();
    for (int s = 0; s < SP_COUNT; s++)
        if (t[s]->warn)
            t[s]->warn(L, &np);
    sj_sort_pending(L, root);
    for (size_t i = 0; i < L->n_pend; i++)
        errors_add(warns, "%s", L->pend[i].msg);
}

World *scenario_load_mem(const char *name, const char *dir, const char *data, size_t len,
                         Errors *errs)
{
    return scenario_load_mem_warn(name, dir, data, len, errs, NULL);
}

/* Loads data; *own, when not NULL, is data's own allocation, which the
 * World takes as its source (and sets *own to NULL) instead of copying it:
 * a big scenario's text is then in memory once, not twice. */
static World *load_text(const char *name, const char *dir, const char *data, size_t len, char **own,
                        Errors *errs, Errors *warns)
{
    Loader L = {0};
    L.name = name ? name : "scenario";
    L.dir = dir;
    L.suggest_budget = SUGGEST_BUDGET;
    L.links_ok = L.ips_ok = true;
    if (len > SCENARIO_MAX_BYTES) {
        errors_add(errs,
                   "%s: the file is larger than %u bytes (expected a scenario of at most %u "
                   "bytes, %u MiB)",
                   L.name, SCENARIO_MAX_BYTES, SCENARIO_MAX_BYTES, SCENARIO_MAX_BYTES >> 20);
        return NULL;
    }
    if (!data || all_blank(data, len)) {
        errors_add(errs,
                   "%s: the file is empty (expected a scenario: a JSON object such as "
                   "{\"minet\": 1, \"title\": …, \"nodes\": […]})",
                   L.name);
        return NULL;
    }
    cJSON *root = sj_parse(&L, data, len);
    World *w = NULL;
    if (root) {
        L.w = w = world_new();
        w->path = xstrdup(L.name);
        w->source = own ? *own : xstrndup(data, len); /* what a saved copy starts from */
        w->source_len = len;
        if (own)
            *own = NULL;
        begin_protos(&L);
        load_root(&L, root);
        sj_sort_pending(&L, root);
    }
    for (size_t i = 0; i < L.n_pend; i++)
        errors_add(errs, "%s", L.pend[i].msg);
    if (L.n_pend) {
        world_free(w);
        w = NULL;
    } else {
        scenario_sort_script(w);
        world_wire(w);
        /* What a protocol reads beyond the JSON (files beside the scenario) is read only
         * once the JSON is sound: its messages name files and lines. */
        if (!finish_protos(&L, errs)) {
            world_free(w);
            w = NULL;
        } else if (warns) {
            L.warnings = true;
            warn_all(&L, root, warns);
        }
    }
    if (root)
        fini_protos(&L);
    if (w) { /* its script lines and zone records point into the tree's strings */
        w->strings = L.tree_text;
        L.tree_text = NULL;
    }
    loader_fini(&L);
    return w;
}

World *scenario_load_mem_warn(const char *name, const char *dir, const char *data, size_t len,
                              Errors *errs, Errors *warns)
{
    return load_text(name, dir, data, len, NULL, errs, warns);
}

/* The folder of path, for files a scenario names: "a/b.json" → "a", "b.json" → ".". */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

World *scenario_load(const char *path, Errors *errs)
{
    return scenario_load_warn(path, errs, NULL);
}

World *scenario_load_warn(const char *path, Errors *errs, Errors *warns)
{
    /* Read just past the limit: enough to know it is over.  The buffer is
     * the file's size (when stat knows it and it is within the limit), so
     * the text is read without growing it by copies. */
    Buf b;
    buf_init(&b);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= SCENARIO_MAX_BYTES) {
        b.cap = (size_t)st.st_size + 1;
        b.data = xmalloc(b.cap);
        b.data[0] = '\0';
    }
    bool opened;
    int err = file_read(path, SCENARIO_MAX_BYTES, &b, &opened);
    if (err) {
        errors_add(errs, "%s: cannot read: %s", path, file_strerror(err));
        buf_fini(&b);
        return NULL;
    }
    char *dir = dir_of(path);
    World *w = b.data ? load_text(path, dir, b.data, b.len, &b.data, errs, warns)
                      : load_text(path, dir, "", 0, NULL, errs, warns);
    free(dir);
    buf_fini(&b);
    return w;
}

/* ---- saving a session ------------------------------------------------------ */

bool scenario_save_typed(const World *w, const char *out, bool beside, char *why, size_t size)
{
    return scenario_save_with(w, out, beside, NULL, why, size);
}

/* Every node's "pos" from xy (the view's unit square, in the scenario's
 * pixels: 1000 across), added or replaced. */
static void save_positions(const World *w, cJSON *root, const double *xy)
{
    cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    size_t i = 0;
    for (cJSON *n = nodes ? nodes->child : NULL; n && i < w->n_nodes; n = n->next, i++) {
        if (!cJSON_IsObject(n))
            continue;
        cJSON *pos = cJSON_CreateArray();
        cJSON_AddItemToArray(pos, cJSON_CreateNumber(round(xy[2 * i] * 1000)));
        cJSON_AddItemToArray(pos, cJSON_CreateNumber(round(xy[2 * i + 1] * 1000)));
        if (cJSON_GetObjectItemCaseSensitive(n, "pos"))
            cJSON_ReplaceItemInObjectCaseSensitive(n, "pos", pos);
        else
            cJSON_AddItemToObject(n, "pos", pos);
    }
}

bool scenario_save_with(const World *w, const char *out, bool beside, const double *xy, char *why,
                        size_t size)
{
    /* From the text the world was loaded from, not the file as it is now:
     * it may have been edited or moved since. */
    cJSON *root = w->source ? cJSON_ParseWithLength(w->source, w->source_len) : NULL;
    if (!cJSON_IsObject(root)) {
        snprintf(why, size, "%s: the scenario's text is not at hand; not saved", w->path);
        cJSON_Delete(root);
        return false;
    }
    bool ok = true;
    const ScenarioProto *const *t = scenario_protos();
    for (int p = 0; p < SP_COUNT && ok && !beside; p++)
        if (t[p]->save_elsewhere)
            ok = t[p]->save_elsewhere(w, root, why, size);
    cJSON *script = cJSON_GetObjectItemCaseSensitive(root, "script");
    if (ok && !script) {
        script = cJSON_CreateArray();
        cJSON_AddItemToObject(root, "script", script);
    }
    if (ok)
        scenario_save_typed_input(w, script);
    if (ok && xy)
        save_positions(w, root, xy);
    for (size_t i = 0; ok && i < w->n_script; i++) {
        const ScriptLine *s = &w->script[i];
        if (!s->typed)
            continue;
        scenario_save_script_line(w, script, s);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!ok)
        return false;
    OutFile o = {0};
    if (!outfile_open(&o, out, why, size)) {
        cJSON_free(text);
        return false;
    }
    fputs(text, o.f);
    fputc('\n', o.f);
    cJSON_free(text);
    return outfile_commit(&o, why, size);
}
