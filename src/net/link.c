#include "link.h"

#include <stdio.h>

#include "net/ipv4.h"

SimTime link_serialization(uint64_t bits_per_s, size_t len)
{
    /* ceil(len * 8 * 1e6 / bps) without overflow for any frame size. */
    uint64_t bits = (uint64_t)len * 8u;
    uint64_t us = (bits * 1000000u + bits_per_s - 1) / bits_per_s;
    return (SimTime)us;
}

static void drop_with_note(Sim *sim, Packet *p, int node, DropReason reason, const char *caption)
{
    trace_drop(&sim->trace, sim->now, p->id, node, p->link, p->data, p->len, reason);
    trace_note(&sim->trace, sim->now, p->id, "%s", caption);
    net_packet_free(sim->net, p);
}

/* on_arrive's rare case, apart so that the common one keeps no buffers
 * and ends in a tail call: the frame finds its link or node down. */
__attribute__((noinline)) static void arrive_down(Sim *sim, Packet *p)
{
    Net *net = sim->net;
    int node = p->to;
    char label[160], cap[400];
    if (!net->link_up[p->link]) {
        net_link_label(net->w, p->link, label, sizeof label);
        snprintf(cap, sizeof cap,
                 "The frame is lost: the link %s went down while it was on its way.", label);
        drop_with_note(sim, p, node, DROP_LINK_DOWN, cap);
        return;
    }
    snprintf(cap, sizeof cap, "The packet reaches %s, which is down: it is lost.",
             net->w->nodes[node].id);
    drop_with_note(sim, p, node, DROP_NODE_DOWN, cap);
}

static void on_arrive(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Packet *p = ctx;
    Net *net = sim->net;
    int node = p->to, iface = p->to_iface; /* from the packet, not the link: a cache miss less */
    if (!net->link_up[p->link] || !net->node_up[node])
        arrive_down(sim, p);
    else
        ipv4_input_packet(sim, node, iface, p);
}

static void on_lost(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Packet *p = ctx;
    const World *w = sim->net->w;
    const Link *l = &w->links[p->link];
    char label[160], cap[400];
    net_link_label(w, p->link, label, sizeof label);
    snprintf(cap, sizeof cap,
             "The frame is lost on the link %s (it loses %g%% of frames): it never reaches %s.",
             label, l->loss * 100.0, w->nodes[p->to].id);
    drop_with_note(sim, p, -1, DROP_LOST_ON_LINK, cap);
}

/* The frame starts onto the wire now: record the hop, then arrive or be lost. */
static inline void start_hop(Sim *sim, Packet *p, int node, int iface)
{
    const Link *l = &sim->net->w->links[p->link];
    trace_hop(&sim->trace, sim->now, p->arrive, p->id, node, iface, p->to, p->to_iface, p->link,
              p->data, p->len);
    bool lost = l->loss > 0 && rng_double(&sim->net->loss_rng) < l->loss;
    sim_at(sim, p->arrive, lost ? on_lost : on_arrive, p, 0);
}

static void on_start(Sim *sim, void *ctx, uint64_t arg)
{
    Packet *p = ctx;
    start_hop(sim, p, (int)(arg >> 32), (int)(uint32_t)arg);
}

/* link_transmit's rare case, apart as arrive_down is. */
__attribute__((noinline)) static void transmit_down(Sim *sim, int node, Packet *p)
{
    char label[160], cap[400];
    net_link_label(sim->net->w, p->link, label, sizeof label);
    snprintf(cap, sizeof cap, "%s cannot send on the link %s: it is down, so the packet is lost.",
             sim->net->w->nodes[node].id, label);
    drop_with_note(sim, p, node, DROP_LINK_DOWN, cap);
}

void link_transmit(Sim *sim, int node, int iface, const Iface *f, Packet *p)
{
    Net *net = sim->net;
    const Link *l = &net->w->links[f->link];
    p->link = f->link;
    p->to = f->peer;
    p->to_iface = f->peer_iface;
    int dir = (l->a == node && l->a_iface == iface) ? 0 : 1;
    if (!net->link_up[p->link]) {
        transmit_down(sim, node, p);
        return;
    }
    SimTime *busy = &net->busy[2 * p->link + dir];
    SimTime start = *busy > sim->now ? *busy : sim->now;
    SimTime ser = link_serialization(l->bandwidth, p->len);
    *busy = start + ser;
    p->arrive = start + ser + l->latency;
    if (start == sim->now)
        start_hop(sim, p, node, iface);
    else
        sim_at(sim, start, on_start, p, ((uint64_t)(uint32_t)node << 32) | (uint32_t)iface);
}
