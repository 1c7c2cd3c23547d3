/* libFuzzer target for the programs a student types: the first byte picks
 * host, dig, nslookup, ping, traceroute or a bare shell line, the rest is
 * its arguments (any bytes up to a NUL), run as a script line on a laptop
 * of a small network with a resolver and a zone.  Each run has a budget
 * (ten simulated minutes, 50,000 events): a program may fail in any way a
 * real one does, but not crash, leak, overflow or spin.
 *
 *   make fuzz        (or build/fuzz/fuzz_apps CORPUS tests/fuzz/seeds/fuzz_apps) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "io/scenario.h"
#include "fuzz_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char world_json[] =
    "{\"minet\": 1, \"title\": \"fuzz\", \"nodes\": ["
    "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"dns\": \"10.0.0.53\"},"
    "{\"id\": \"local-dns\", \"role\": \"resolver\", \"ip\": \"10.0.0.53\"},"
    "{\"id\": \"r1\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.1.1\"]},"
    "{\"id\": \"root\", \"role\": \"dns\", \"ip\": \"10.0.1.53\", \"zones\": [\".\"]}],"
    "\"links\": [{\"between\": [\"laptop\", \"local-dns\"]}, {\"between\": [\"local-dns\", "
    "\"r1\"]}, {\"between\": [\"r1\", \"root\"], \"latency\": \"5ms\", \"loss\": 0.1}],"
    "\"zones\": {\".\": {\"records\": [\"@ 3600 IN SOA root. h.root. 1 2 3 4 5\","
    "\"@ 3600 IN NS root.\", \"root 3600 IN A 10.0.1.53\", \"www 300 IN CNAME web\","
    "\"web 300 IN A 10.0.1.80\", \"web 300 IN MX 10 mail.web.\", \"80.1.0.10.in-addr.arpa. 300 "
    "IN PTR web.\"]}}}";

static const char *const programs[] = {"host ", "dig ", "nslookup ", "ping ", "traceroute ", ""};

#define BUDGET_EVENTS 50000
#define BUDGET_TIME   ((SimTime)600 * 1000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    const char *prog = programs[data[0] % MN_ARRAY_LEN(programs)];
    size_t n = strnlen((const char *)data + 1, size - 1);
    char *line = xmalloc(strlen(prog) + n + 1);
    memcpy(line, prog, strlen(prog));
    memcpy(line + strlen(prog), data + 1, n);
    line[strlen(prog) + n] = '\0';

    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("fuzz.json", "/nonexistent-minet-fuzz", world_json,
                                 sizeof world_json - 1, &errs);
    if (!w)
        abort(); /* the fixed world must load */
    w->script = xmalloc(sizeof *w->script);
    w->script[0] = (ScriptLine){.at = 0, .node = 0, .run = line, .own_run = true};
    w->n_script = 1;

    fuzz_run_script(w, BUDGET_EVENTS, BUDGET_TIME);
    errors_fini(&errs);
    return 0;
}
