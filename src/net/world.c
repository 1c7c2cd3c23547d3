#include "world.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

World *world_new(void)
{
    World *w = xcalloc(1, sizeof *w);
    w->seed = 1;
    return w;
}

static void node_fini(Node *n)
{
    if (!n->id_in_strings)
        free((char *)n->id);
    if (!n->ips_in_pool)
        free(n->ips);
    free(n->region); /* prefixes are in the block of ips */
}

void world_free(World *w)
{
    if (!w)
        return;
    for (int i = WORLD_EXT_MAX; i-- > 0;)
        if (w->ext[i].data && w->ext[i].free)
            w->ext[i].free(w->ext[i].data);
    for (size_t i = 0; i < w->n_nodes; i++)
        node_fini(&w->nodes[i]);
    free(w->nodes);
    free(w->ip_pool);
    free(w->links);
    free(w->iface_pool);
    for (size_t i = 0; i < w->n_script; i++) {
        if (w->script[i].own_run) /* not one of the strings */
            free((char *)w->script[i].run);
        for (size_t k = 0; k < w->script[i].n_input; k++)
            free(w->script[i].input[k].text);
        free(w->script[i].input);
        free(w->script[i].parsed);
    }
    free(w->script);
    free(w->tcp);
    free(w->addrs);
    free(w->addr_slot);
    free(w->path);
    free(w->source);
    free(w->strings);
    free(w->title);
    free(w->description);
    free(w->start);
    free(w);
}

void *world_ext(const World *w, int slot)
{
    assert(slot >= 0 && slot < WORLD_EXT_MAX);
    return w->ext[slot].data;
}

void world_ext_set(World *w, int slot, void *data, void (*free_fn)(void *data))
{
    assert(slot >= 0 && slot < WORLD_EXT_MAX && !w->ext[slot].data);
    w->ext[slot] = (WorldExt){data, free_fn};
}

int world_find_node(const World *w, const char *id)
{
    for (size_t i = 0; i < w->n_nodes; i++)
        if (strcmp(w->nodes[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* The hash on addresses; the first of equal addresses in w->addrs wins.
 * Returns (and sets) addrs_unique. */
static bool index_addrs(World *w)
{
    free(w->addr_slot);
    size_t slots = hash_slots(w->n_addrs, 16);
    w->addr_slot = xcalloc(slots, sizeof *w->addr_slot);
    w->addr_slots = slots;
    w->addrs_unique = true;
    for (size_t i = 0; i < w->n_addrs; i++) {
        size_t k = ip_hash(w->addrs[i].ip, slots);
        bool dup = false;
        while (w->addr_slot[k] && !dup) {
            dup = w->addrs[w->addr_slot[k] - 1].ip == w->addrs[i].ip;
            if (!dup)
                k = (k + 1) & (slots - 1);
        }
        if (!dup)
            w->addr_slot[k] = (uint32_t)(i + 1);
        else
            w->addrs_unique = false;
    }
    return w->addrs_unique;
}

/* The index in w->addrs of the first entry for ip, or SIZE_MAX (always
 * before world_wire, which makes the entries). */
static size_t addr_index(const World *w, uint32_t ip)
{
    if (!w->addr_slots)
        return SIZE_MAX;
    for (size_t k = ip_hash(ip, w->addr_slots);; k = (k + 1) & (w->addr_slots - 1)) {
        uint32_t s = w->addr_slot[k];
        if (!s)
            return SIZE_MAX;
        if (w->addrs[s - 1].ip == ip)
            return s - 1;
    }
}

bool world_find_addr(const World *w, uint32_t ip, int *node, int *iface)
{
    size_t i = addr_index(w, ip);
    if (i == SIZE_MAX)
        return false;
    if (node)
        *node = w->addrs[i].node;
    if (iface)
        *iface = w->addrs[i].iface;
    return true;
}

bool world_node_has_addr(const World *w, int node, uint32_t ip)
{
    /* ip's entries are side by side (with every address once, the entry
     * after ip's is another address's). */
    for (size_t i = addr_index(w, ip); i < w->n_addrs && w->addrs[i].ip == ip; i++)
        if (w->addrs[i].node == node)
            return true;
    return false;
}

/* ---- wiring ------------------------------------------------------------ */

/* MAC: 02 (locally administered) : 4 bytes of a hash of the node id : the
 * interface number.  A clash between two nodes' hashes is resolved by
 * bumping the later node's hash, in node order, so it stays stable.  The
 * hashes taken so far live in an open-addressing set: O(n) for n nodes. */
static bool hash_taken(const uint32_t *set, size_t mask, const bool *used, uint32_t h, size_t *slot)
{
    size_t i = (h * 2654435761u) & mask;
    while (used[i] && set[i] != h)
        i = (i + 1) & mask;
    *slot = i;
    return used[i];
}

static void assign_macs(World *w)
{
    size_t cap = hash_slots(w->n_nodes, 16);
    uint32_t *set = xmalloc(cap * sizeof *set);
    bool *used = xcalloc(cap, sizeof *used);
    for (size_t i = 0; i < w->n_nodes; i++) {
        uint32_t h = str_hash(w->nodes[i].id);
        size_t slot;
        while (hash_taken(set, cap - 1, used, h, &slot))
            h++; /* the bump may clash again */
        set[slot] = h;
        used[slot] = true;
        Node *n = &w->nodes[i];
        for (size_t k = 0; k < n->n_ifaces; k++) {
            uint8_t *m = n->ifaces[k].mac;
            m[0] = 0x02;
            put_be32(m + 1, h);
            m[5] = (uint8_t)k;
        }
    }
    free(set);
    free(used);
    /* A copy next to the interface's other fields: a frame's sender reads
     * them anyway, and the peer's node and interface would be two more
     * places in memory per hop. */
    for (size_t i = 0; i < w->n_nodes; i++) {
        Node *n = &w->nodes[i];
        for (size_t k = 0; k < n->n_ifaces; k++) {
            Iface *f = &n->ifaces[k];
            memcpy(f->peer_mac, w->nodes[f->peer].ifaces[f->peer_iface].mac, 6);
        }
    }
}

/* "eth" and k (at most 8 digits, which the name has room for). */
static void iface_name(char name[12], size_t k)
{
    char d[8];
    size_t n = 0;
    do
        d[n++] = (char)('0' + k % 10);
    while ((k /= 10) != 0);
    memcpy(name, "eth", 3);
    for (size_t i = 0; i < n; i++)
        name[3 + i] = d[n - 1 - i];
    name[3 + n] = '\0';
}

void world_wire(World *w)
{
    /* All interfaces in one array, each node's together in link order. */
    for (size_t i = 0; i < w->n_nodes; i++)
        w->nodes[i].n_ifaces = 0;
    for (size_t l = 0; l < w->n_links; l++) {
        w->nodes[w->links[l].a].n_ifaces++;
        w->nodes[w->links[l].b].n_ifaces++;
    }
    free(w->iface_pool);
    w->iface_pool = xcalloc(w->n_links ? 2 * w->n_links : 1, sizeof *w->iface_pool);
    Iface *next = w->iface_pool;
    for (size_t i = 0; i < w->n_nodes; i++) {
        Node *n = &w->nodes[i];
        n->ifaces = n->n_ifaces ? next : NULL;
        next += n->n_ifaces;
        n->n_ifaces = 0;
    }
    for (size_t l = 0; l < w->n_links; l++) {
        Link *k = &w->links[l];
        int ends[2] = {k->a, k->b};
        int *slots[2] = {&k->a_iface, &k->b_iface};
        for (int e = 0; e < 2; e++) {
            Node *n = &w->nodes[ends[e]];
            Iface *f = &n->ifaces[n->n_ifaces];
            iface_name(f->name, n->n_ifaces % 100000000);
            f->link = (int)l;
            *slots[e] = (int)n->n_ifaces++;
        }
        w->nodes[k->a].ifaces[k->a_iface].peer = k->b;
        w->nodes[k->a].ifaces[k->a_iface].peer_iface = k->b_iface;
        w->nodes[k->b].ifaces[k->b_iface].peer = k->a;
        w->nodes[k->b].ifaces[k->b_iface].peer_iface = k->a_iface;
    }
    /* Addresses: one per interface when a router lists one per link;
     * otherwise the node's (first) address on every interface. */
    free(w->addrs);
    w->addrs = NULL;
    w->n_addrs = 0;
    size_t acap = 0;
    for (size_t i = 0; i < w->n_nodes; i++) {
        Node *n = &w->nodes[i];
        bool per_iface = n->n_ips > 1 && n->n_ips == n->n_ifaces;
        for (size_t k = 0; k < n->n_ifaces; k++) {
            size_t a = per_iface ? k : 0;
            n->ifaces[k].ip = n->n_ips ? n->ips[a] : 0;
            n->ifaces[k].prefix = n->prefixes && n->n_ips ? n->prefixes[a] : 24;
        }
        for (size_t k = 0; k < n->n_ips; k++) {
            w->addrs = xgrow(w->addrs, &acap, w->n_addrs + 1, sizeof *w->addrs);
            w->addrs[w->n_addrs++] = (AddrEntry){n->ips[k], (int)i, per_iface ? (int)k : -1};
        }
    }
    /* Equal addresses side by side (world_node_has_addr reads them all),
     * each address's nodes in node order: a sort, needed only when an
     * address is on two nodes (never in a loaded scenario). */
    if (!index_addrs(w)) {
        sort_by_key(w->addrs, w->n_addrs, sizeof *w->addrs, offsetof(AddrEntry, ip),
                    sizeof(uint32_t));
        index_addrs(w);
    }
    assign_macs(w);
}

/* ---- routing ----------------------------------------------------------- */

/* Edge weight: latency first, then hop count, so paths strictly shorten as
 * a packet moves and zero-latency links cannot make routers disagree. */
#define HOP_WEIGHT 1
#define LAT_SCALE  4096

typedef struct HeapItem {
    int64_t dist;
    int node;
} HeapItem;

static bool item_less(HeapItem a, HeapItem b)
{
    return a.dist < b.dist || (a.dist == b.dist && a.node < b.node);
}

static void heap_push(HeapItem *h, size_t *n, HeapItem it)
{
    size_t i = (*n)++;
    while (i > 0 && item_less(it, h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = it;
}

static HeapItem heap_pop(HeapItem *h, size_t *n)
{
    HeapItem top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && item_less(h[c + 1], h[c]))
            c++;
        if (!item_less(h[c], last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

void world_routes_from(const World *w, int src, int *out_iface)
{
    size_t n = w->n_nodes;
    int64_t *dist = xmalloc(n * sizeof *dist);
    HeapItem *heap = xmalloc((2 * w->n_links + 2) * sizeof *heap);
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        dist[i] = INT64_MAX;
        out_iface[i] = -1;
    }
    dist[src] = 0;
    heap_push(heap, &hn, (HeapItem){0, src});
    while (hn) {
        HeapItem it = heap_pop(heap, &hn);
        if (it.dist != dist[it.node])
            continue;
        const Node *u = &w->nodes[it.node];
        /* Only routers forward; other nodes are ends of paths. */
        if (it.node != src && !u->router)
            continue;
        for (size_t k = 0; k < u->n_ifaces; k++) {
            const Iface *f = &u->ifaces[k];
            const Link *l = &w->links[f->link];
            int64_t d = it.dist + l->latency * LAT_SCALE + HOP_WEIGHT;
            int v = f->peer;
            int via = it.node == src ? (int)k : out_iface[it.node];
            if (d < dist[v]) {
                dist[v] = d;
                out_iface[v] = via;
                heap_push(heap, &hn, (HeapItem){d, v});
            }
        }
    }
    out_iface[src] = -1;
    free(dist);
    free(heap);
}

static int64_t link_weight(const World *w, int link)
{
    return w->links[link].latency * LAT_SCALE + HOP_WEIGHT;
}

void world_routers_init(WorldRouters *g, const World *w)
{
    g->ridx = xmalloc((w->n_nodes + 1) * sizeof *g->ridx);
    g->n = 0;
    for (size_t i = 0; i < w->n_nodes; i++)
        g->ridx[i] = w->nodes[i].router ? (int)g->n++ : -1;
    g->first = xmalloc((g->n + 1) * sizeof *g->first);
    size_t n_edges = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        n_edges = 0;
        for (size_t i = 0; i < w->n_nodes; i++) {
            int r = g->ridx[i];
            if (r < 0)
                continue;
            if (pass)
                g->first[r] = n_edges;
            const Node *u = &w->nodes[i];
            for (size_t k = 0; k < u->n_ifaces; k++) {
                int v = u->ifaces[k].peer;
                if (g->ridx[v] < 0)
                    continue;
                if (pass)
                    g->edges[n_edges] =
                        (WorldRouterEdge){(int)k, v, link_weight(w, u->ifaces[k].link)};
                n_edges++;
            }
        }
        if (!pass)
            g->edges = xmalloc((n_edges + 1) * sizeof *g->edges);
    }
    g->first[g->n] = n_edges;
}

void world_routers_fini(WorldRouters *g)
{
    free(g->ridx);
    free(g->first);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

/* The same search as world_routes_from, over the routers only: nodes that
 * do not forward are ends of paths, so they cannot change a router's
 * distance or first hop, and world_route_to finds them from their
 * neighbours.  Routers are popped in the same (distance, node) order, so
 * ties fall as they do there. */
void world_routes_routers(const World *w, const WorldRouters *g, int src, int64_t *dist, int *via)
{
    const int *ridx = g->ridx;
    for (size_t i = 0; i < g->n; i++) {
        dist[i] = INT64_MAX;
        via[i] = -1;
    }
    size_t hn = 0;
    HeapItem *heap = xmalloc((g->first[g->n] + w->nodes[src].n_ifaces + 2) * sizeof *heap);
    if (ridx[src] >= 0)
        dist[ridx[src]] = 0;
    else {
        /* src does not forward: only its own links lead out. */
        const Node *u = &w->nodes[src];
        for (size_t k = 0; k < u->n_ifaces; k++) {
            int v = u->ifaces[k].peer, rv = ridx[v];
            int64_t d = link_weight(w, u->ifaces[k].link);
            if (rv >= 0 && d < dist[rv]) {
                dist[rv] = d;
                via[rv] = (int)k;
                heap_push(heap, &hn, (HeapItem){d, v});
            }
        }
    }
    if (ridx[src] >= 0)
        heap_push(heap, &hn, (HeapItem){0, src});
    while (hn) {
        HeapItem it = heap_pop(heap, &hn);
        int ru = ridx[it.node];
        if (it.dist != dist[ru])
            continue;
        for (size_t e = g->first[ru]; e < g->first[ru + 1]; e++) {
            const WorldRouterEdge *x = &g->edges[e];
            int rv = ridx[x->peer];
            int64_t d = it.dist + x->weight;
            if (d < dist[rv]) {
                dist[rv] = d;
                via[rv] = it.node == src ? x->iface : via[ru];
                heap_push(heap, &hn, (HeapItem){d, x->peer});
            }
        }
    }
    if (ridx[src] >= 0)
        via[ridx[src]] = -1;
    free(heap);
}

int world_route_to(const World *w, const WorldRouters *g, int src, const int64_t *dist,
                   const int *via, int dst)
{
    const int *ridx = g->ridx;
    if (dst == src)
        return -1;
    if (ridx[dst] >= 0)
        return via[ridx[dst]];
    /* A node that does not forward: through the neighbour whose path to it
     * is shortest; on a tie, the one the search reached first (src, then
     * by distance and node), and its first link. */
    const Node *n = &w->nodes[dst];
    int64_t best = INT64_MAX, best_du = 0;
    int best_u = -1, out = -1;
    for (size_t j = 0; j < n->n_ifaces; j++) {
        const Iface *f = &n->ifaces[j];
        int u = f->peer;
        int64_t du;
        if (u == src)
            du = 0;
        else if (ridx[u] >= 0 && dist[ridx[u]] != INT64_MAX)
            du = dist[ridx[u]];
        else
            continue;
        int64_t d = du + link_weight(w, f->link);
        /* src has distance 0, every router at least 1: (du, u) is the
         * order the search reached them in. */
        bool earlier = u != best_u && (du < best_du || (du == best_du && u < best_u));
        if (d < best || (d == best && earlier)) {
            best = d;
            best_du = du;
            best_u = u;
            out = u == src ? f->peer_iface : via[ridx[u]];
        }
    }
    return out;
}

void world_components(const World *w, int *component)
{
    size_t n = w->n_nodes;
    int *stack = xmalloc((n + 1) * sizeof *stack);
    for (size_t i = 0; i < n; i++)
        component[i] = -1;
    int c = 0;
    for (size_t s = 0; s < n; s++) {
        if (component[s] >= 0)
            continue;
        size_t sp = 0;
        stack[sp++] = (int)s;
        component[s] = c;
        while (sp) {
            const Node *u = &w->nodes[stack[--sp]];
            for (size_t k = 0; k < u->n_ifaces; k++) {
                int v = u->ifaces[k].peer;
                if (component[v] < 0) {
                    component[v] = c;
                    stack[sp++] = v;
                }
            }
        }
        c++;
    }
    free(stack);
}

/* Appends s at *at, keeping one byte of the size bytes at buf for the NUL,
 * as snprintf cuts; the trace writers name a link for every hop. */
static void append_cut(char *buf, size_t size, size_t *at, const char *s)
{
    size_t n = strlen(s);
    if (*at + n >= size)
        n = size - 1 - *at;
    memcpy(buf + *at, s, n);
    *at += n;
}

void world_link_name(const World *w, int link, char *buf, size_t size)
{
    const Link *l = &w->links[link];
    const char *parts[] = {w->nodes[l->a].id, ":", w->nodes[l->a].ifaces[l->a_iface].name, "-",
                           w->nodes[l->b].id, ":", w->nodes[l->b].ifaces[l->b_iface].name};
    if (size == 0)
        return;
    size_t at = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        append_cut(buf, size, &at, parts[i]);
    buf[at] = '\0';
}

void ip_format(uint32_t ip, char buf[16])
{
    char *d = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (ip >> shift) & 255;
        if (v >= 100)
            *d++ = (char)('0' + v / 100);
        if (v >= 10)
            *d++ = (char)('0' + v / 10 % 10);
        *d++ = (char)('0' + v % 10);
        *d++ = shift ? '.' : '\0';
    }
}

bool ip_parse_aton(const char *s, uint32_t *ip)
{
    uint32_t part[4];
    int n = 0;
    for (;;) {
        if (n == 4 || !((*s >= '0' && *s <= '9')))
            return false;
        int base = 10;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            s += 2;
        } else if (s[0] == '0') {
            base = 8;
        }
        uint64_t v = 0;
        int digits = 0;
        for (;; s++, digits++) {
            int d = *s >= '0' && *s <= '9'   ? *s - '0'
                    : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                    : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                             : 99;
            if (d >= base)
                break;
            v = v * (uint64_t)base + (uint64_t)d;
            if (v > 0xffffffffu)
                return false;
        }
        if (base == 16 && digits == 0) /* "0x" alone: getaddrinfo refuses it */
            return false;
        part[n++] = (uint32_t)v;
        if (*s == '\0')
            break;
        if (*s++ != '.')
            return false;
    }
    /* a, a.b (8.24 bits), a.b.c (8.8.16), a.b.c.d */
    static const uint32_t last_max[] = {0xffffffffu, 0xffffffu, 0xffffu, 0xffu};
    for (int i = 0; i < n - 1; i++)
        if (part[i] > 0xff)
            return false;
    if (part[n - 1] > last_max[n - 1])
        return false;
    uint32_t v = part[n - 1];
    for (int i = 0; i < n - 1; i++)
        v |= part[i] << (24 - 8 * i);
    *ip = v;
    return true;
}

/* The value of a digit, or a number above 9 for any other character. */
static inline unsigned digit(char c)
{
    return (unsigned)(unsigned char)c - '0';
}

bool ip_parse_start(const char *s, uint32_t *ip, const char **end)
{
    /* A part's one to three digits read one by one, without a loop: some
     * 40,000 addresses are read while a large scenario loads. */
    uint32_t v = 0;
    for (int part = 0;; part++) {
        unsigned n = digit(*s++);
        if (n > 9)
            return false;
        if (digit(*s) <= 9) {
            if (n == 0) /* a leading zero */
                return false;
            n = n * 10 + digit(*s++);
            if (digit(*s) <= 9)
                n = n * 10 + digit(*s++);
            if (n > 255 || digit(*s) <= 9) /* too large, or a fourth digit */
                return false;
        }
        v = (v << 8) | n;
        if (part == 3)
            break;
        if (*s++ != '.')
            return false;
    }
    *ip = v;
    *end = s;
    return true;
}

bool ip_parse(const char *s, uint32_t *ip)
{
    uint32_t v;
    const char *end;
    if (!ip_parse_start(s, &v, &end) || *end)
        return false;
    *ip = v;
    return true;
}
