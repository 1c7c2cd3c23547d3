#include "proto/agents.h"

#include "apps/shell.h"
#include "net/net.h"
#include "proto/services.h"

void agents_start(Sim *sim)
{
    net_new(sim);
    shell_new(sim);
    size_t n;
    const Service *s = services_table(&n);
    for (size_t i = 0; i < n; i++)
        if (s[i].start)
            s[i].start(sim);
}

void agents_stop(Sim *sim)
{
    trace_seal(&sim->trace);
    shell_free(sim->shell);
    sim->shell = NULL;
    size_t n;
    const Service *s = services_table(&n);
    for (size_t i = n; i-- > 0;)
        s[i].stop(sim);
    net_free(sim->net);
    sim->net = NULL;
}
