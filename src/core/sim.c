#include "sim.h"

#include <assert.h>

void sim_init(Sim *sim, uint64_t seed, struct World *w, bool keep)
{
    sim->now = 0;
    evq_init(&sim->q);
    sim->seed = seed;
    trace_init(&sim->trace, w, keep);
    sim->world = w;
    sim->net = NULL;
    sim->shell = NULL;
    for (int i = 0; i < SIM_SVC_MAX; i++)
        sim->svc[i] = NULL;
    sim->next_pkt = 0;
    sim->events = 0;
    sim->stop_after_step = 0;
    sim->events_now = 0;
    sim->stopped = false;
    sim->stuck = false;
}

void sim_rng_stream(const Sim *sim, Rng *r, const char *purpose)
{
    /* FNV-1a of the name, mixed into the seed; rng_seed's splitmix64
     * spreads neighbouring values apart. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *c = (const unsigned char *)purpose; *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    rng_seed(r, sim->seed ^ h);
}

void sim_fini(Sim *sim)
{
    evq_fini(&sim->q);
    trace_fini(&sim->trace);
}

EvHandle sim_after_background(Sim *sim, SimTime delay, EvFn fn, void *ctx, uint64_t arg)
{
    assert(delay >= 0);
    return evq_push_background(&sim->q, sim->now + delay, fn, ctx, arg);
}

EvHandle sim_at_reserved_background(Sim *sim, SimTime t, uint64_t seq, EvFn fn, void *ctx,
                                    uint64_t arg)
{
    assert(t >= sim->now);
    return evq_push_reserved(&sim->q, t, seq, fn, ctx, arg, true);
}

/* sim_step once an event is known to be pending and the run not stopped. */
static inline bool step(Sim *sim)
{
    /* The count first: the queue is looked into only when it is at the limit. */
    if (sim->events_now >= SIM_MAX_EVENTS_AT_ONCE && evq_peek_time(&sim->q) == sim->now) {
        sim->stopped = sim->stuck = true;
        return false;
    }
    const Event *ev = evq_take(&sim->q); /* read before the handler pushes */
    assert(ev && ev->time >= sim->now);
    if (ev->time != sim->now) {
        sim->now = ev->time;
        sim->events_now = 0;
    }
    sim->events_now++;
    sim->events++;
    ev->fn(sim, ev->ctx, ev->arg);
    if (sim->stop_after_step && sim->trace.notes >= sim->stop_after_step)
        sim->stopped = true;
    return true;
}

bool sim_step(Sim *sim)
{
    if (sim->stopped || !evq_len(&sim->q))
        return false;
    return step(sim);
}

static inline bool has_next(Sim *sim, SimTime t)
{
    if (t == SIM_TIME_MAX) /* every event is due by then: no need to look which is next */
        return evq_foreground(&sim->q) > 0; /* pending ones among them */
    return evq_len(&sim->q) && evq_peek_time(&sim->q) <= t;
}

bool sim_has_next(Sim *sim, SimTime t)
{
    return has_next(sim, t);
}

uint64_t sim_run_some(Sim *sim, SimTime t, uint64_t n)
{
    uint64_t ran = 0;
    if (t == SIM_TIME_MAX) /* a loop of its own: has_next's test made once */
        while (ran < n && !sim->stopped && has_next(sim, SIM_TIME_MAX) && step(sim))
            ran++;
    else
        while (ran < n && !sim->stopped && has_next(sim, t) && step(sim))
            ran++;
    return ran;
}

void sim_run_until(Sim *sim, SimTime t)
{
    sim_run_some(sim, t, UINT64_MAX);
    if (t != SIM_TIME_MAX && !sim->stopped && sim->now < t)
        sim->now = t;
}
