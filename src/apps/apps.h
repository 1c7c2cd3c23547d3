/* apps — the entry points of the programs a student can run.  Each
 * reads its arguments like the real tool, prints through its Proc and ends
 * with proc_exit, possibly much later in simulated time. */
#ifndef MN_APPS_H
#define MN_APPS_H

#include "apps/shell.h"

void ping_main(Proc *p, int argc, char **argv);
void traceroute_main(Proc *p, int argc, char **argv);
void dig_main(Proc *p, int argc, char **argv);
void host_main(Proc *p, int argc, char **argv);
void ipconfig_main(Proc *p, int argc, char **argv);
void nslookup_main(Proc *p, int argc, char **argv);

#endif
