/* libFuzzer target for the scenario loader: any bytes, any outcome but a
 * crash, a leak or undefined behaviour.  A loaded World is freed; so are
 * the messages, each of which must be one line naming the file.
 *
 *   make fuzz        (or build/fuzz/fuzz_scenario CORPUS tests/fuzz/seeds/fuzz_scenario)
 *
 * Zone file paths resolve against a folder that does not exist, so inputs
 * never depend on what is on the disk. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "io/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Errors errs;
    errors_init(&errs);
    World *w =
        scenario_load_mem("fuzz.json", "/nonexistent-minet-fuzz", (const char *)data, size, &errs);
    /* Exactly one outcome: a world, or at least one message. */
    if ((w != NULL) == (errs.n != 0))
        abort();
    for (size_t i = 0; i < errs.n; i++)
        if (strchr(errs.msg[i], '\n') || strncmp(errs.msg[i], "fuzz.json", 9) != 0)
            abort();
    world_free(w);
    errors_fini(&errs);
    return 0;
}
