/* scenario_tcp — TCP's part of the scenario loader: the node key "tcp" of
 * hosts and servers,
 *
 *   "tcp": {"window_scaling": false, "rcvbuf": "64KiB", "sndbuf": "64KiB",
 *           "read_rate": "2KB/s"}
 *
 * into World.tcp[node] (net/world.h, TcpConf).  The array is made when the
 * first node has the key, with every node at the defaults; a World without
 * it means every node has the defaults. */
#include <stdlib.h>
#include <string.h>

#include "io/scenario_int.h"

/* Buffers fit the 32-bit window arithmetic with window scaling's largest
 * shift (RFC 7323: 2^30); the default is one unscaled window. */
#define BUF_MAX  (1u << 30)
#define RATE_MAX (1u << 30)

static const char *const tcp_keys[] = {"window_scaling", "rcvbuf", "sndbuf", "read_rate"};

static TcpConf defaults(void)
{
    return (TcpConf){.window_scaling = false, .rcvbuf = 65535, .sndbuf = 65536, .read_rate = 0};
}

static TcpConf *conf(Loader *L, int i)
{
    World *w = L->w;
    if (!w->tcp) {
        w->tcp = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *w->tcp);
        for (size_t k = 0; k < w->n_nodes; k++)
            w->tcp[k] = defaults();
    }
    return &w->tcp[i];
}

static void get_buf(Loader *L, const cJSON *v, const Path *p, uint32_t *out)
{
    uint64_t x;
    if (!sj_get_size(L, v, p, BUF_MAX, "1GiB", &x))
        return;
    if (x == 0) {
        sj_err(L, v, p, "%s is zero (expected a buffer of at least one byte, like \"64KiB\")",
               sj_q(L, v->valuestring));
        return;
    }
    *out = (uint32_t)x;
}

static void key_tcp(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an object like {\"window_scaling\": false, \"rcvbuf\": "
               "\"64KiB\", \"sndbuf\": \"64KiB\", \"read_rate\": \"2KB/s\"})",
               sj_got(L, v));
        return;
    }
    TcpConf *c = conf(L, i);
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, e->string);
        if (strcmp(e->string, "window_scaling") == 0)
            sj_get_bool(L, e, &kp, &c->window_scaling);
        else if (strcmp(e->string, "rcvbuf") == 0)
            get_buf(L, e, &kp, &c->rcvbuf);
        else if (strcmp(e->string, "sndbuf") == 0)
            get_buf(L, e, &kp, &c->sndbuf);
        else if (strcmp(e->string, "read_rate") == 0)
            sj_get_byte_rate(L, e, &kp, RATE_MAX, "1GiB/s", &c->read_rate);
        else
            sj_unknown_key(L, e, p, e->string, tcp_keys, MN_ARRAY_LEN(tcp_keys));
    }
    free(dup);
}

static const ScenarioKey keys[] = {
    {"tcp", key_tcp, NULL},
};

const ScenarioProto scenario_tcp_proto = {
    .keys = keys,
    .n_keys = MN_ARRAY_LEN(keys),
};
