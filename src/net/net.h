/* net — what changes while a network runs: which nodes and links are up,
 * link queues, routes, IP identification counters, UDP port bindings and
 * ICMP listeners, and the pool of packet buffers.
 *
 * One Net per Sim (sim->net), built from the Sim's World.  Packets in flight
 * come from the pool, so a long run allocates nothing per packet once the
 * pool has grown to the peak number in flight. */
#ifndef MN_NET_H
#define MN_NET_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/eth.h"
#include "net/world.h"

/* Packets come in a few sizes, each with its own free list: a DNS frame
 * is a hundred or two bytes, and a run of thousands of hosts has thousands
 * in flight, which would otherwise each take a whole Ethernet frame's room
 * (1,518 bytes) of memory the caches have to carry. */
#define NET_PACKET_SIZES 3

typedef struct Packet {
    struct Packet *next; /* free list */
    uint64_t id;
    SimTime arrive;
    int link;         /* while on a link: which, */
    int to, to_iface; /* and the node and interface it goes to */
    uint16_t len;     /* frames are at most ETH_FRAME_MAX bytes */
    uint16_t size;    /* which of net_packet_cap's sizes data has room for */
    uint8_t data[];   /* the Ethernet frame */
} Packet;

typedef struct IcmpMsg IcmpMsg;
typedef struct UdpMsg UdpMsg;
typedef void (*IcmpFn)(Sim *sim, void *ctx, int node, const IcmpMsg *m);
typedef void (*UdpFn)(Sim *sim, void *ctx, int node, const UdpMsg *m);

/* A slot of the UDP binding table: open addressing on (node, port). */
typedef struct UdpBinding {
    uint64_t key; /* node << 16 | port */
    bool bound;   /* false: an empty slot */
    bool errors;  /* ICMP errors about what it sent go to fn too */
    UdpFn fn;
    void *ctx;
} UdpBinding;

typedef struct IcmpListener {
    int node;
    int handle;
    IcmpFn fn; /* NULL once removed */
    void *ctx;
} IcmpListener;

/* A neighbour being asked for by ARP (ipv4.c): the packets waiting for its
 * MAC address, which never comes, since no node has the address. */
#define ARP_QUEUE_MAX 8
typedef struct ArpWait {
    bool active;
    int node, iface; /* who asks, on which link */
    uint32_t ip;     /* for whom */
    int requests;    /* ARP requests sent so far */
    size_t n;
    Packet *q[ARP_QUEUE_MAX];    /* the frames waiting (IPv4 after the Ethernet header) */
    int in_iface[ARP_QUEUE_MAX]; /* where each came in; -1: the node's own */
} ArpWait;

/* A slot of the next-hop cache: node sends to dst (an address some node
 * has) out of iface (-1: dst is node's own), and whether dst is among
 * node's addresses (with every address on one node, as a loaded scenario
 * has them, when iface is -1).  Routes never change during a run, so a
 * slot is only ever overwritten by another (node, dst).  Two slots a set:
 * a miss puts its entry first and moves the first to the second, so two
 * pairs that keep meeting in a set do not push each other out. */
typedef struct NetHop {
    uint32_t dst;
    int32_t node;     /* -1: empty */
    int iface : 31;   /* a node has fewer than 2^30 interfaces */
    unsigned own : 1; /* dst is one of node's addresses */
} NetHop;

typedef struct Net {
    World *w;
    bool *node_up;
    /* Per node: a host on a router's link (one interface, one address, a
     * router at the other end, itself no router)?  Most hosts are, and
     * servers on an access router.  It sends every packet not to itself
     * out of its one interface, to an address some node has or not:
     * net_route's shortcut and ipv4.c's default gateway say so.  With no
     * address on two nodes, its own is its one address.  ipv4.c routes it
     * with no cache and no address hash to read, and worked out once, the
     * test reads neither the node nor its neighbour. */
    bool *on_router_link;
    bool *link_up;
    SimTime *busy;            /* per link and direction: when the transmitter is free */
    WorldRouters routers;     /* the routers and the links between them */
    struct NetRoutes *routes; /* per node, on first use: its search over the routers */
    NetHop *hops;             /* next-hop cache: hop_mask + 1 sets of two slots */
    size_t hop_mask;
    uint16_t *ip_id;                     /* per node: next IPv4 identification */
    uint16_t *next_port;                 /* per node: next ephemeral port */
    Rng loss_rng;                        /* "loss": which frames a lossy link loses */
    Packet *free_pkts[NET_PACKET_SIZES]; /* per size, smallest first */
    Packet **all_pkts;                   /* every packet made, so none leaks if a run stops early */
    size_t pkts_made, pkts_cap;
    UdpBinding *udp; /* hash table, udp_cap slots (a power of two) */
    size_t udp_cap;
    size_t udp_live; /* slots bound */
    IcmpListener *icmp;
    size_t n_icmp, icmp_cap;
    int next_listener;
    struct TcpStack *tcp; /* TCP's connections (src/net/tcp.c), made on first use */
    ArpWait *arp;         /* ARP resolutions in progress (ipv4.c); slots are reused */
    size_t n_arp, arp_cap;
} Net;

/* Builds the runtime for sim->world and sets sim->net. */
Net *net_new(Sim *sim);
void net_free(Net *net);

/* The room of each size of packet, smallest first. */
extern const uint16_t net_packet_cap[NET_PACKET_SIZES];
/* A new packet of size k, for net_packet_alloc when none is free. */
Packet *net_packet_make(Net *net, int k);

/* A packet with room for a frame of len bytes (at most ETH_FRAME_MAX).
 * Inline: each datagram sent takes one, usually off its free list. */
static inline Packet *net_packet_alloc(Net *net, size_t len)
{
    assert(len <= ETH_FRAME_MAX);
    int k = 0;
    while (net_packet_cap[k] < len)
        k++;
    Packet *p = net->free_pkts[k];
    if (p)
        net->free_pkts[k] = p->next;
    else
        p = net_packet_make(net, k);
    p->next = NULL;
    p->id = 0;
    p->link = p->to = p->to_iface = -1;
    p->arrive = 0;
    p->len = 0;
    return p;
}

/* Back on its size's free list: by the index it keeps, rather than
 * searching net_packet_cap for its room (every frame comes here). */
static inline void net_packet_free(Net *net, Packet *p)
{
    p->next = net->free_pkts[p->size];
    net->free_pkts[p->size] = p;
}

/* The interface of node toward node dst, or -1.  A node's first call runs
 * its search over the routers (world_routes_routers); each later call is
 * O(dst's interfaces).  Memory: O(routers) per node that routes. */
int net_route(Net *net, int node, int dst);
/* A fresh ephemeral port (32768–60999, as Linux) on node. */
static inline uint16_t net_ephemeral_port(Net *net, int node)
{
    uint16_t p = net->next_port[node];
    net->next_port[node] = p >= 60999 ? 32768 : (uint16_t)(p + 1);
    return p;
}
/* How many ports that range has (32768-60999). */
#define NET_EPHEMERAL_PORTS (60999 - 32768 + 1)

/* Faults.  Each emits a note saying what it means for the packets. */
void net_set_node_up(Sim *sim, int node, bool up);
void net_set_link_up(Sim *sim, int link, bool up);

/* "r1–r2": a link named by its ends, for captions. */
void net_link_label(const World *w, int link, char *buf, size_t size);

#endif
