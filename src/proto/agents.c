#include "proto/agents.h"

#include "net/net.h"
#include "proto/dns_resolver.h"
#include "proto/dns_server.h"
#include "proto/dns_stub.h"
#include "proto/shell.h"

void agents_start(Sim *sim)
{
    net_new(sim);
    shell_new(sim);
    dns_servers_start(sim);
    dns_resolvers_start(sim);
}

void agents_stop(Sim *sim)
{
    shell_free(sim->shell);
    sim->shell = NULL;
    dns_servers_stop(sim);
    dns_resolvers_stop(sim);
    dns_stubs_stop(sim);
    net_free(sim->net);
    sim->net = NULL;
}
