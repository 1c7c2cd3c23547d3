/* agents — every agent a scenario's world runs, started and stopped in one
 * place: the network layer, the shell, then each row of the services table
 * (services.h) in order; stopped in reverse.  `minet run`, the classroom view and the tests all run
 * a scenario through these two calls, so none can start them in another order.
 *
 * Between the two, a caller adds its trace sinks, schedules the script
 * (shell_schedule_script) and runs the simulation. */
#ifndef MN_AGENTS_H
#define MN_AGENTS_H

#include "core/sim.h"

/* Sets sim->net, sim->shell and each service's sim->svc slot. */
void agents_start(Sim *sim);
/* Ends what is still running, without printing, and frees the agents;
 * the Sim itself is left for sim_fini. */
void agents_stop(Sim *sim);

#endif
