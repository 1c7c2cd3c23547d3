/* helpers — building small worlds by hand and running them, for the unit
 * tests.  Header-only so each test stays one program. */
#ifndef MN_TEST_HELPERS_H
#define MN_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/sim.h"
#include "core/util.h"
#include "net/net.h"
#include "net/world.h"
#include "proto/agents.h"
#include "proto/roles.h"
#include "proto/dns/dns_resolver.h"
#include "proto/dns/dns_server.h"
#include "proto/dns/dns_stub.h"
#include "apps/shell.h"
#include "io/scenario.h"

static inline uint32_t tw_ip(const char *s)
{
    uint32_t ip = 0;
    assert_true(ip_parse(s, &ip));
    return ip;
}

/* role: a row of the roles table (ROLE_HOST, ROLE_ROUTER, …). */
static inline int tw_node(World *w, const char *id, int role, const char *ips)
{
    w->nodes = xrealloc(w->nodes, (w->n_nodes + 1) * sizeof *w->nodes);
    Node *n = &w->nodes[w->n_nodes];
    memset(n, 0, sizeof *n);
    n->id = xstrdup(id);
    n->role = role;
    n->router = roles_get(role)->router;
    /* ips: one address, or several separated by commas (a router's, one per link) */
    char *copy = xstrdup(ips);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        n->ips = xrealloc(n->ips, (n->n_ips + 1) * sizeof *n->ips);
        n->ips[n->n_ips++] = tw_ip(tok);
    }
    free(copy);
    return (int)w->n_nodes++;
}

static inline void tw_link(World *w, int a, int b, SimTime latency, uint64_t bw, double loss)
{
    w->links = xrealloc(w->links, (w->n_links + 1) * sizeof *w->links);
    w->links[w->n_links++] = (Link){a, -1, b, -1, latency, bw, loss};
}

static inline void tw_script(World *w, SimTime at, int node, const char *run)
{
    w->script = xrealloc(w->script, (w->n_script + 1) * sizeof *w->script);
    w->script[w->n_script++] =
        (ScriptLine){.at = at, .node = node, .run = xstrdup(run), .own_run = true};
}

/* laptop - r1 - r2 - server, as scenarios/net_ping.json. */
static inline World *tw_chain(void)
{
    World *w = world_new();
    int laptop = tw_node(w, "laptop", ROLE_HOST, "10.0.0.10");
    int r1 = tw_node(w, "r1", ROLE_ROUTER, "10.0.0.1,10.0.1.1");
    int r2 = tw_node(w, "r2", ROLE_ROUTER, "10.0.1.2,10.0.2.1");
    int server = tw_node(w, "server", ROLE_HOST, "10.0.2.10");
    tw_link(w, laptop, r1, 1000, 100000000, 0);
    tw_link(w, r1, r2, 10000, 10000000, 0);
    tw_link(w, r2, server, 2000, 1000000000, 0);
    return w;
}

/* Wires w, runs its script to the end with every record kept. */
/* The World of a scenario's JSON text, as if read from a file called name
 * (which its messages name); the test fails, after printing them, when
 * the scenario has errors. */
static inline World *tw_load(const char *name, const char *json)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem(name, ".", json, strlen(json), &e);
    errors_print(&e, stderr);
    errors_fini(&e);
    assert_non_null(w);
    return w;
}

static inline void tw_run(Sim *sim, World *w, uint64_t seed)
{
    world_wire(w);
    sim_init(sim, seed, w, true);
    agents_start(sim);
    shell_schedule_script(sim);
    sim_run_until(sim, SIM_TIME_MAX);
}

static inline void tw_done(Sim *sim)
{
    World *w = sim->world;
    agents_stop(sim);
    sim_fini(sim);
    world_free(w);
}

/* Everything the commands printed (both streams), as a terminal shows it. */
static inline char *tw_console(const Sim *sim)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && (r->stream == CON_STDOUT || r->stream == CON_STDERR))
            buf_puts(&b, r->text);
    }
    return buf_take(&b);
}

static inline size_t tw_count(const Sim *sim, TraceKind kind, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        const char *s = r->kind == TR_DROP ? trace_drop_text(r->reason) : r->text;
        if (r->kind == kind && (!text || (s && strstr(s, text))))
            n++;
    }
    return n;
}

#endif
