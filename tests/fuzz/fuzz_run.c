/* libFuzzer target for a whole run: any bytes as a scenario; one that
 * loads is run as `minet run` runs it, with its text trace written (to
 * /dev/null), within a budget of one simulated hour and 200,000 events.
 * The loader, every service, every program of the script, the faults and
 * the trace writer may not crash, leak, overflow or spin.
 *
 *   make fuzz        (or build/fuzz/fuzz_run CORPUS tests/fuzz/seeds/fuzz_run)
 *
 * Zone file paths resolve against a folder that does not exist, so inputs
 * never depend on what is on the disk. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/sim.h"
#include "core/util.h"
#include "io/scenario.h"
#include "io/trace_out.h"
#include "proto/agents.h"
#include "apps/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUDGET_EVENTS 200000
#define BUDGET_TIME   ((SimTime)3600 * 1000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    Errors errs;
    errors_init(&errs);
    World *w =
        scenario_load_mem("fuzz.json", "/nonexistent-minet-fuzz", (const char *)data, size, &errs);
    errors_fini(&errs);
    if (!w)
        return 0;
    Sim sim;
    sim_init(&sim, w->seed, w, false);
    agents_start(&sim);
    TraceSink text = trace_writer_new(TRACE_TEXT, sink);
    trace_add_sink(&sim.trace, text);
    shell_schedule_script(&sim);
    while (sim.events < BUDGET_EVENTS && evq_len(&sim.q) && evq_peek_time(&sim.q) <= BUDGET_TIME &&
           evq_foreground(&sim.q) > 0 && sim_step(&sim))
        ;
    trace_end(&sim.trace);
    trace_writer_free(text);
    agents_stop(&sim);
    sim_fini(&sim);
    world_free(w);
    return 0;
}
