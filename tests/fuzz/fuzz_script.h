/* What the fuzz targets that run programs share: a world's script run
 * within a budget (at most max_events events, up to simulated time
 * max_time, while foreground work is left), then everything freed. */
#ifndef MINET_FUZZ_SCRIPT_H
#define MINET_FUZZ_SCRIPT_H

#include "apps/shell.h"
#include "core/sim.h"
#include "net/world.h"
#include "proto/agents.h"

static inline void fuzz_run_script(World *w, uint64_t max_events, SimTime max_time)
{
    Sim sim;
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    shell_schedule_script(&sim);
    uint64_t start = sim.events;
    while (sim.events - start < max_events && evq_len(&sim.q) &&
           evq_peek_time(&sim.q) <= max_time && evq_foreground(&sim.q) > 0 && sim_step(&sim))
        ;
    agents_stop(&sim);
    sim_fini(&sim);
    world_free(w);
}

#endif
