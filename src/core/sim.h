/* sim — one simulation: the virtual clock, the event queue, the random
 * generator and the trace.  Everything a handler needs is reachable from
 * its Sim *; two simulations never share state.
 *
 * Randomness comes from one stream per purpose (sim_rng_stream).
 *
 * Time only moves forward, to the time of the event being run.  A handler
 * may schedule and cancel events freely, including the one it is in. */
#ifndef MN_SIM_H
#define MN_SIM_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "evq.h"
#include "rng.h"
#include "trace.h"

/* Events one instant may hold before the run is stopped as stuck: a loop
 * that never lets time move on (a message bounced between nodes with no
 * delay) would otherwise run for ever, past any --until.  Ten million is
 * far above what 50,000 hosts starting together need. */
#define SIM_MAX_EVENTS_AT_ONCE 10000000

/* Rows the services table may have; raise it when a table grows past. */
#define SIM_SVC_MAX 16

typedef struct Sim {
    SimTime now;
    Evq q;
    uint64_t seed;
    Trace trace;
    struct World *world; /* the network being simulated; may be NULL in tests */
    struct Net *net;     /* runtime state of the network layer */
    struct Shell *shell; /* the programs running on nodes */
    /* Each service's own state, by its row in the services table
     * (src/proto/services.h); the core knows none of them. */
    void *svc[SIM_SVC_MAX];
    uint64_t next_pkt;        /* last packet id handed out */
    uint64_t events;          /* events run so far */
    uint32_t stop_after_step; /* 0: never; else stop once this note exists */
    uint64_t events_now;      /* events run at the current time */
    bool stopped;
    bool stuck; /* stopped after SIM_MAX_EVENTS_AT_ONCE events at one instant */
} Sim;

/* keep: store every trace record in sim->trace (the GUI needs them). */
void sim_init(Sim *sim, uint64_t seed, struct World *w, bool keep);
void sim_fini(Sim *sim);

/* sim_at, sim_after and sim_cancel are inline: each only hands its work
 * to the queue, and the call saved was most of what it cost. */
static inline EvHandle sim_at(Sim *sim, SimTime t, EvFn fn, void *ctx, uint64_t arg)
{
    assert(t >= sim->now);
    return evq_push(&sim->q, t, fn, ctx, arg);
}
static inline EvHandle sim_after(Sim *sim, SimTime delay, EvFn fn, void *ctx, uint64_t arg)
{
    assert(delay >= 0);
    return evq_push(&sim->q, sim->now + delay, fn, ctx, arg);
}
/* A background event (see evq.h): the run ends when only these remain. */
EvHandle sim_after_background(Sim *sim, SimTime delay, EvFn fn, void *ctx, uint64_t arg);
/* A seq reserved now, and a background event at t pushed with it: see
 * evq_reserve. */
static inline uint64_t sim_reserve(Sim *sim)
{
    return evq_reserve(&sim->q);
}
EvHandle sim_at_reserved_background(Sim *sim, SimTime t, uint64_t seq, EvFn fn, void *ctx,
                                    uint64_t arg);
/* 0, the handle of no event, is most callers' "no timer": answered here. */
static inline bool sim_cancel(Sim *sim, EvHandle h)
{
    return h && evq_cancel(&sim->q, h);
}
/* Seeds r as the generator for one purpose ("loss", "tcp-isn", …): each
 * purpose draws from its own stream, derived from the scenario's seed and
 * the purpose's name, so a draw added for one purpose leaves every other
 * purpose's numbers, and its part of the trace, as they were. */
void sim_rng_stream(const Sim *sim, Rng *r, const char *purpose);
/* A fresh packet id (1, 2, …). */
static inline uint64_t sim_packet_id(Sim *sim)
{
    return ++sim->next_pkt;
}

/* Runs the earliest event.  False if there was none or the run was stopped
 * (also when it would be event SIM_MAX_EVENTS_AT_ONCE + 1 at one time:
 * then stuck is set, and the caller says so). */
bool sim_step(Sim *sim);
/* Whether an event is left to run at or before t: with t = SIM_TIME_MAX,
 * a foreground one (background events alone do not keep a run going). */
bool sim_has_next(Sim *sim, SimTime t);
/* Runs up to n events, each while sim_has_next(sim, t) and the run is not
 * stopped; returns how many ran (fewer than n: none is left, or the run
 * stopped).  A caller that looks at something between events (a signal,
 * progress) does so every n events instead of paying for it every event. */
uint64_t sim_run_some(Sim *sim, SimTime t, uint64_t n);
/* Runs every event at or before t (unless stopped); the clock ends at t
 * when t is finite.  With t = SIM_TIME_MAX it runs until only background
 * events are left, and the clock ends at the last event run. */
void sim_run_until(Sim *sim, SimTime t);

#endif
