#include "gui/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_conf.h"
#include "proto/roles.h"

/* ---- rows -------------------------------------------------------------- */

/* The most nodes a row holds side by side before it wraps. */
#define WRAP_AFTER 16

/* Clients: hosts that have a local DNS server, and the servers they name. */
static void find_clients(const World *w, bool *client)
{
    bool any = false;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const DnsNodeConf *n = dns_conf_node(w, (int)i);
        if (w->nodes[i].role != ROLE_HOST || !n->has_dns)
            continue;
        client[i] = any = true;
        int r, iface;
        if (world_find_addr(w, n->dns, &r, &iface))
            client[r] = true;
    }
    if (any)
        return;
    for (size_t i = 0; i < w->n_nodes; i++)
        client[i] = w->nodes[i].role == ROLE_HOST || w->nodes[i].role == ROLE_RESOLVER;
}

/* Hops from the nearest client, through any node; -1 if none reaches. */
static void client_distance(const World *w, const bool *client, int *dist)
{
    size_t n = w->n_nodes;
    int *queue = xmalloc((n ? n : 1) * sizeof *queue);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) {
        dist[i] = client[i] ? 0 : -1;
        if (client[i])
            queue[tail++] = (int)i;
    }
    while (head < tail) {
        int u = queue[head++];
        const Node *nu = &w->nodes[u];
        for (size_t k = 0; k < nu->n_ifaces; k++) {
            int v = nu->ifaces[k].peer;
            if (v >= 0 && dist[v] < 0) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    free(queue);
}

static void assign_rows(const World *w, const ModelKind *kind, int *row)
{
    size_t n = w->n_nodes;
    bool *client = xcalloc(n ? n : 1, sizeof *client);
    int *dist = xcalloc(n ? n : 1, sizeof *dist);
    find_clients(w, client);
    client_distance(w, client, dist);
    int far = 0;
    for (size_t i = 0; i < n; i++)
        if (kind[i] == MK_ROUTER && dist[i] > far)
            far = dist[i];
    for (size_t i = 0; i < n; i++) {
        switch (kind[i]) {
        case MK_ROOT:
            row[i] = 0;
            break;
        case MK_TLD:
            row[i] = 1;
            break;
        case MK_AUTH:
            row[i] = 2;
            break;
        case MK_ROUTER:
            row[i] = 3 + far - (dist[i] < 0 ? far : dist[i]);
            break;
        default:
            row[i] = client[i] ? 3 + far + 1 : 2;
            break;
        }
    }
    /* Close up empty rows so the picture uses its height. */
    int max = 0;
    for (size_t i = 0; i < n; i++)
        max = row[i] > max ? row[i] : max;
    int *map = xcalloc((size_t)max + 1, sizeof *map);
    for (size_t i = 0; i < n; i++)
        map[row[i]] = 1;
    for (int r = 0, next = 0; r <= max; r++)
        map[r] = map[r] ? next++ : -1;
    for (size_t i = 0; i < n; i++)
        row[i] = map[row[i]];
    free(map);
    free(client);
    free(dist);
}

/* ---- order within rows ------------------------------------------------- */

typedef struct Slot {
    double key;
    int node;
} Slot;

static int slot_cmp(const void *a, const void *b)
{
    const Slot *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->node - y->node; /* ties: scenario order, never addresses */
}

static double neighbour_mean(const World *w, const double *x, int i, double fallback)
{
    const Node *n = &w->nodes[i];
    double sum = 0;
    int count = 0;
    for (size_t k = 0; k < n->n_ifaces; k++) {
        if (n->ifaces[k].peer >= 0) {
            sum += x[n->ifaces[k].peer];
            count++;
        }
    }
    return count ? sum / count : fallback;
}

/* Does a link that skips this row pass near slot position sx? */
static bool slot_crossed(const World *w, const int *row, const double *x, int r, double sx,
                         double gap)
{
    for (size_t l = 0; l < w->n_links; l++) {
        int a = w->links[l].a, b = w->links[l].b;
        int lo = row[a] < row[b] ? a : b, hi = lo == a ? b : a;
        if (row[lo] >= r || row[hi] <= r)
            continue;
        double f = (double)(r - row[lo]) / (row[hi] - row[lo]);
        double cx = x[lo] + f * (x[hi] - x[lo]);
        if (fabs(cx - sx) < gap)
            return true;
    }
    return false;
}

/* Places row r's nodes (sorted in s) on evenly spaced slots, leaving empty
 * the slots that a longer link passes through, so no line runs under an
 * icon; the nodes spread over the usable slots from edge to edge. */
static void place_row(const World *w, const int *row, double *x, int r, const Slot *s, size_t n)
{
    if (n == 0)
        return;
    size_t slots = n, usable = 0;
    size_t *ok = NULL;
    for (int tries = 0; tries < 8; tries++) {
        free(ok);
        ok = xmalloc(slots * sizeof *ok);
        usable = 0;
        for (size_t k = 0; k < slots; k++)
            if (!slot_crossed(w, row, x, r, (k + 0.5) / slots, 0.35 / slots))
                ok[usable++] = k;
        if (usable >= n)
            break;
        slots++;
    }
    double *pos = xmalloc(n * sizeof *pos);
    for (size_t j = 0; j < n; j++) {
        if (usable < n) /* crowded: ignore the lines */
            pos[j] = (j + 0.5) / n;
        else if (n == 1)
            pos[j] = (ok[(usable - 1) / 2] + 0.5) / slots;
        else
            pos[j] = (ok[(j * (usable - 1) + (n - 1) / 2) / (n - 1)] + 0.5) / slots;
    }
    for (size_t j = 0; j < n; j++)
        x[s[j].node] = pos[j];
    free(pos);
    free(ok);
}

/* "web1.montana.edu" → "montana.edu"; NULL for a one-label name. */
static const char *domain_of(const char *id)
{
    const char *dot = strchr(id, '.');
    return dot && strchr(dot + 1, '.') ? dot + 1 : NULL;
}

/* A server that is not a name server (a web, mail or FTP server) stands
 * right after its domain's name server in the row, when there is one. */
static int domain_partner(const World *w, const ModelKind *kind, const int *row, int i)
{
    const char *d = kind[i] == MK_AUTH ? NULL : domain_of(w->nodes[i].id);
    for (size_t j = 0; d && j < w->n_nodes; j++) {
        const char *e = domain_of(w->nodes[j].id);
        if ((int)j != i && kind[j] == MK_AUTH && row[j] == row[i] && e && strcmp(d, e) == 0)
            return (int)j;
    }
    return -1;
}

static void order_rows(const World *w, const ModelKind *kind, const int *row, int rows, double *x,
                       bool avoid)
{
    Slot *s = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *s);
    for (int r = 0; r < rows; r++) {
        size_t n = 0;
        for (size_t i = 0; i < w->n_nodes; i++)
            if (row[i] == r)
                s[n++] = (Slot){neighbour_mean(w, x, (int)i, x[i]), (int)i};
        for (size_t k = 0; k < n; k++) {
            int j = domain_partner(w, kind, row, s[k].node);
            if (j >= 0)
                s[k].key = neighbour_mean(w, x, j, x[j]) + 1e-9 * (1 + s[k].node);
        }
        qsort(s, n, sizeof *s, slot_cmp);
        if (avoid) {
            place_row(w, row, x, r, s, n);
        } else {
            for (size_t k = 0; k < n; k++)
                x[s[k].node] = (k + 0.5) / n;
        }
    }
    free(s);
}

/* ---- the scenario's own positions -------------------------------------- */

/* A node laid out by the hierarchy moves along its row, out of the way of
 * the nodes the scenario placed (closer than `gap`), to the nearest free
 * spot. */
static void clear_of_given(const World *w, double *x, const double *y, double gap)
{
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (w->nodes[i].has_pos)
            continue;
        for (int k = 0; k < 40; k++) {
            double cand = x[i] + (k % 2 ? 1 : -1) * ((k + 1) / 2) * gap * 0.5;
            if (cand < 0.02 || cand > 0.98)
                continue;
            bool clash = false;
            for (size_t j = 0; j < w->n_nodes && !clash; j++)
                clash = w->nodes[j].has_pos && fabs(x[j] - cand) < gap && fabs(y[j] - y[i]) < gap;
            if (!clash) {
                x[i] = cand;
                break;
            }
        }
    }
}

static void fit_given(const World *w, double *x, double *y)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const Node *n = &w->nodes[i];
        if (!n->has_pos)
            continue;
        x0 = fmin(x0, n->x), x1 = fmax(x1, n->x);
        y0 = fmin(y0, n->y), y1 = fmax(y1, n->y);
    }
    double span = fmax(x1 - x0, y1 - y0);
    for (size_t i = 0; i < w->n_nodes; i++) {
        const Node *n = &w->nodes[i];
        if (!n->has_pos)
            continue;
        x[i] = span > 0 ? 0.05 + 0.9 * (n->x - x0) / (x1 - x0 > 0 ? x1 - x0 : 1) : 0.5;
        y[i] = span > 0 ? 0.05 + 0.9 * (n->y - y0) / (y1 - y0 > 0 ? y1 - y0 : 1) : 0.5;
    }
}

/* A row of more nodes than can stand side by side legibly (a star of
 * hundreds of hosts) wraps into several, in its order, about as many
 * across as there are rows of it, every other one offset by half a slot so
 * that the lines from above pass between the icons; the last one centred.
 * Returns the number of rows after wrapping. */
static int wrap_rows(const World *w, double *x, int *layer, int rows)
{
    size_t n = w->n_nodes;
    int *count = xcalloc((size_t)rows, sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[layer[i]]++;
    int *first = xcalloc((size_t)rows + 1, sizeof *first); /* a row's first wrapped row */
    int *per = xcalloc((size_t)rows, sizeof *per);
    for (int r = 0; r < rows; r++) {
        per[r] = count[r];
        if (count[r] > WRAP_AFTER)
            per[r] = (int)fmax(WRAP_AFTER, ceil(sqrt((double)count[r])));
        first[r + 1] = first[r] + (count[r] + per[r] - 1) / (per[r] ? per[r] : 1);
    }
    Slot *s = xmalloc((n ? n : 1) * sizeof *s);
    for (int r = 0; r < rows; r++) {
        if (count[r] <= per[r])
            continue;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (layer[i] == r)
                s[k++] = (Slot){x[i], (int)i};
        qsort(s, k, sizeof *s, slot_cmp);
        int across = per[r], lines = first[r + 1] - first[r];
        for (size_t j = 0; j < k; j++) {
            int line = (int)j / across, at = (int)j % across;
            int here = line == lines - 1 ? (int)k - line * across : across;
            double shift = line % 2 ? 0.25 : -0.25;
            x[s[j].node] = (at + 0.5 + (across - here) / 2.0 + shift) / across;
            layer[s[j].node] = -1 - (first[r] + line); /* marked: already wrapped */
        }
    }
    for (size_t i = 0; i < n; i++)
        layer[i] = layer[i] < 0 ? -1 - layer[i] : first[layer[i]];
    int total = first[rows];
    free(s);
    free(per);
    free(first);
    free(count);
    return total;
}

void layout_compute(const World *w, const ModelKind *kind, double *x, double *y, int *layer)
{
    size_t n = w->n_nodes;
    if (n == 0)
        return;
    assign_rows(w, kind, layer);
    int rows = 0;
    for (size_t i = 0; i < n; i++) {
        rows = layer[i] + 1 > rows ? layer[i] + 1 : rows;
        x[i] = (double)i / (double)n;
    }
    /* Down and up again: each row follows its neighbours. */
    order_rows(w, kind, layer, rows, x, false);
    order_rows(w, kind, layer, rows, x, false);
    order_rows(w, kind, layer, rows, x, true);
    rows = wrap_rows(w, x, layer, rows);
    for (size_t i = 0; i < n; i++)
        y[i] = (layer[i] + 0.5) / rows;
    if (w->layout == WORLD_LAYOUT_HIERARCHY)
        return;
    size_t given = 0;
    for (size_t i = 0; i < n; i++)
        given += w->nodes[i].has_pos;
    fit_given(w, x, y);
    if (given && given < n)
        clear_of_given(w, x, y, 0.09);
}
