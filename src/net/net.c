#include "net.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/tcp.h"

/* One node's routes: each router's distance from it and its interface
 * toward that router (world_routes_routers). */
typedef struct NetRoutes {
    int64_t *dist;
    int *via;
} NetRoutes;

Net *net_new(Sim *sim)
{
    World *w = sim->world;
    Net *net = xcalloc(1, sizeof *net);
    net->w = w;
    net->node_up = xmalloc((w->n_nodes + 1) * sizeof *net->node_up);
    net->on_router_link = xmalloc((w->n_nodes + 1) * sizeof *net->on_router_link);
    net->link_up = xmalloc((w->n_links + 1) * sizeof *net->link_up);
    net->busy = xcalloc(2 * w->n_links + 1, sizeof *net->busy);
    net->routes = xcalloc(w->n_nodes + 1, sizeof *net->routes);
    world_routers_init(&net->routers, w);
    /* Four slots a node (at least 1,024, at most 2^20): a busy router or
     * server talks to many addresses, a host to a few. */
    size_t hops = 1024;
    while (hops < 4 * w->n_nodes && hops < ((size_t)1 << 20))
        hops *= 2;
    net->hops = xmalloc(hops * sizeof *net->hops);
    net->hop_mask = hops / 2 - 1;
    for (size_t i = 0; i < hops; i++)
        net->hops[i] = (NetHop){0, -1, -1, 0};
    net->ip_id = xmalloc((w->n_nodes + 1) * sizeof *net->ip_id);
    net->next_port = xmalloc((w->n_nodes + 1) * sizeof *net->next_port);
    Rng ids, ports;
    sim_rng_stream(sim, &ids, "ip-id");
    sim_rng_stream(sim, &ports, "ports");
    sim_rng_stream(sim, &net->loss_rng, "loss");
    for (size_t i = 0; i < w->n_nodes; i++) {
        net->node_up[i] = true;
        const Node *n = &w->nodes[i];
        net->on_router_link[i] = w->addrs_unique && n->n_ips == 1 && n->n_ifaces == 1 &&
                                 !n->router && w->nodes[n->ifaces[0].peer].router;
        /* Start each node's counters at a different, seed-dependent place,
         * as real stacks do; the draws happen in node order, so they are
         * the same on every run. */
        net->ip_id[i] = (uint16_t)rng_below(&ids, 65536);
        net->next_port[i] = (uint16_t)(32768 + rng_below(&ports, 60999 - 32768 + 1));
    }
    for (size_t i = 0; i < w->n_links; i++)
        net->link_up[i] = true;
    sim->net = net;
    return net;
}

void net_free(Net *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < net->w->n_nodes; i++) {
        free(net->routes[i].dist);
        free(net->routes[i].via);
    }
    free(net->routes);
    free(net->hops);
    world_routers_fini(&net->routers);
    free(net->node_up);
    free(net->on_router_link);
    free(net->link_up);
    free(net->busy);
    free(net->ip_id);
    free(net->next_port);
    for (size_t i = 0; i < net->pkts_made; i++)
        free(net->all_pkts[i]);
    free(net->all_pkts);
    free(net->udp);
    free(net->icmp);
    free(net->arp); /* its packets are in all_pkts */
    tcp_stack_free(net->tcp);
    free(net);
}

/* The room of each size of packet: 256 and 640 bytes with the header, and a
 * whole frame. */
_Static_assert(ETH_FRAME_MAX <= UINT16_MAX, "a frame's length fits Packet.len");

const uint16_t net_packet_cap[NET_PACKET_SIZES] = {256 - offsetof(Packet, data),
                                                   640 - offsetof(Packet, data), ETH_FRAME_MAX};

Packet *net_packet_make(Net *net, int k)
{
    Packet *p = xmalloc(offsetof(Packet, data) + net_packet_cap[k]);
    p->size = (uint16_t)k;
    net->all_pkts = xgrow(net->all_pkts, &net->pkts_cap, net->pkts_made + 1, sizeof *net->all_pkts);
    net->all_pkts[net->pkts_made++] = p;
    return p;
}

int net_route(Net *net, int node, int dst)
{
    /* A node with one interface sends everything out of it (if anything
     * reaches dst, it is through there): no search needed.  Most hosts. */
    const Node *n = &net->w->nodes[node];
    NetRoutes *r = &net->routes[node];
    if (n->n_ifaces == 1 && dst != node) {
        if (!r->via && n->ifaces[0].peer == dst)
            return 0;
        if (!r->via && net->w->nodes[n->ifaces[0].peer].router)
            return 0;
    }
    if (!r->via) {
        r->dist = xmalloc((net->routers.n + 1) * sizeof *r->dist);
        r->via = xmalloc((net->routers.n + 1) * sizeof *r->via);
        world_routes_routers(net->w, &net->routers, node, r->dist, r->via);
    }
    return world_route_to(net->w, &net->routers, node, r->dist, r->via, dst);
}

void net_link_label(const World *w, int link, char *buf, size_t size)
{
    const Link *l = &w->links[link];
    snprintf(buf, size, "%s-%s", w->nodes[l->a].id, w->nodes[l->b].id);
}

void net_set_node_up(Sim *sim, int node, bool up)
{
    Net *net = sim->net;
    const char *id = net->w->nodes[node].id;
    if (net->node_up[node] == up) {
        trace_note(&sim->trace, sim->now, 0, "%s is already %s: nothing changes.", id,
                   up ? "up" : "down");
        return;
    }
    net->node_up[node] = up;
    trace_state(&sim->trace, sim->now, node, "status", up ? "up" : "down", id, NULL, -1);
    if (up)
        trace_note(&sim->trace, sim->now, 0, "%s is back up: it sends and answers packets again.",
                   id);
    else
        trace_note(&sim->trace, sim->now, 0,
                   "%s goes down: from now on it neither sends nor answers, and packets that "
                   "reach it are lost.",
                   id);
}

void net_set_link_up(Sim *sim, int link, bool up)
{
    Net *net = sim->net;
    char label[160];
    net_link_label(net->w, link, label, sizeof label);
    if (net->link_up[link] == up) {
        trace_note(&sim->trace, sim->now, 0, "The link %s is already %s: nothing changes.", label,
                   up ? "up" : "down");
        return;
    }
    net->link_up[link] = up;
    trace_state(&sim->trace, sim->now, -1, "link", up ? "up" : "down", label, NULL, -1);
    if (up)
        trace_note(&sim->trace, sim->now, 0, "The link %s is back up: frames cross it again.",
                   label);
    else
        trace_note(&sim->trace, sim->now, 0,
                   "The link %s goes down: every frame sent on it is lost. Routes do not "
                   "change, so packets that would cross it are lost too.",
                   label);
}
