/* world — the network as a scenario describes it: nodes, their interfaces,
 * links and the script, with what each protocol keeps about them in its
 * extension slot.  Loaded once (src/io/scenario.c), then only read; what
 * changes while a simulation runs lives in Net (net.h).
 *
 * Always holds: node ids are unique; every address belongs to exactly one
 * interface; interface i of a node is the end of the i-th link that names
 * it (eth0, eth1, … in link order); MAC addresses are unique and stable. */
#ifndef MN_WORLD_H
#define MN_WORLD_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"

typedef struct Iface {
    char name[12]; /* eth0, eth1, … */
    uint8_t mac[6];
    uint8_t peer_mac[6]; /* the other end's mac, which every frame sent here carries */
    uint32_t ip;         /* host byte order */
    uint8_t prefix;      /* prefix length of ip's network on this link, 0..32 */
    int link;            /* index into World.links */
    int peer, peer_iface;
} Iface;

typedef struct Node {
    /* A loaded node's id is in the World's strings (id_in_strings); any
     * other's (made by a test) its own, which world_free frees. */
    const char *id;
    bool id_in_strings;
    bool ips_in_pool; /* ips is a loaded node's one address, in World.ip_pool */
    int role;      /* a row of the roles table (proto/roles.h); the network layer never reads it */
    bool router;   /* forwards packets between its links (its role's row says so) */
    uint32_t *ips; /* as listed; a router may list one per link */
    /* Prefix length of each of ips ("10.0.2.1/24"; default 24), in the
     * block of ips, after them (node_fini frees ips only); NULL: all 24. */
    uint8_t *prefixes;
    size_t n_ips;
    char *region; /* NULL if none */
    bool has_pos;
    double x, y;
    Iface *ifaces; /* into World.iface_pool */
    size_t n_ifaces;
} Node;

/* A node's TCP settings: its scenario key "tcp" (the loader fills them;
 * src/net/tcp*.c reads them). */
typedef struct TcpConf {
    bool window_scaling; /* RFC 7323 window scaling (default false: 64 KiB windows) */
    uint32_t rcvbuf;     /* receive buffer, bytes (default 65535) */
    uint32_t sndbuf;     /* send buffer, bytes (default 65536) */
    uint64_t read_rate;  /* bytes/s its programs read received data at; 0: at once */
} TcpConf;

typedef struct Link {
    int a, a_iface, b, b_iface;
    SimTime latency;    /* µs, one way */
    uint64_t bandwidth; /* bit/s */
    double loss;        /* probability a frame is lost, 0..1 */
} Link;

/* A line a program reads, as a script line's `input` gives it.  Text is
 * the line without its newline; "^D", "^C" and "^]" are end of input, an
 * interrupt and telnet's escape. */
typedef struct ScriptInput {
    SimTime at; /* after the script line's start; -1: by the typing rule */
    char *text;
} ScriptInput;

typedef struct ScriptLine {
    SimTime at;
    int node; /* -1 when `on` is absent (faults) */
    /* The command: a line from the file has it in the World's strings; any
     * other (typed at the prompt, made by a test) its own, which world_free
     * frees (own_run). */
    const char *run;
    size_t index; /* a line from the file (own_run false): its index in "script" */
    bool own_run;
    bool typed;         /* added at the classroom view's prompt, not in the file */
    ScriptInput *input; /* what is typed into the program, in order */
    size_t n_input;
    bool input_typed; /* lines were typed at the classroom view's prompt: saving writes input */
    int terminal;     /* 1, 2, …: which terminal of the node (0: the first) */
    /* The shell's parse of run (apps/cmdline.h: n_parsed pipelines, one
     * allocation, which free() releases), made by the loader's check;
     * the line's first run takes it (NULL then, and when the loader kept
     * none: the line is parsed when it runs).  Kept here because the World
     * is what passes from the load to a run, whose shell does not exist
     * at load: it is derived from run alone and goes with it, held once
     * (the run that takes it frees it as the line ends, the window's later
     * runs parse again). */
    struct CmdPipeline *parsed;
    size_t n_parsed;
} ScriptLine;

/* An extension slot: what one application protocol keeps about the world
 * that the network layer does not know (its servers' data, each node's
 * settings for it).  Slots are numbered by ExtSlot in proto/services.h, one
 * per protocol; each protocol reads its own slot through its own conf
 * header in src/proto/<proto>/ and fills it while the scenario loads
 * (src/io/scenario_<proto>.c).  world_free calls free(data) for each filled slot, the
 * last slot first. */
#define WORLD_EXT_MAX 8

/* The longest description, in characters: the window shows it whole, on
 * at most half its height, before the first step, at 1024×768 too (the bundled ones are
 * under 1,000). */
#define WORLD_DESCRIPTION_MAX 1500

typedef struct WorldExt {
    void *data;
    void (*free)(void *data);
} WorldExt;

typedef struct AddrEntry {
    uint32_t ip;
    int node, iface; /* iface -1: the node's address on every interface */
} AddrEntry;

typedef struct World {
    char *path;   /* the scenario file, as given */
    char *source; /* its text, as loaded (a saved copy starts from it) */
    size_t source_len;
    /* The strings of that text as the loader read them, one block: the
     * file's script lines and zone records point into it. */
    char *strings;
    /* Two words a node: room for a loaded node's one address and its
     * prefix length (Node.ips_in_pool). */
    uint32_t *ip_pool;
    char *title, *description;
    /* The scenario's "layout": how the classroom view places the nodes. */
    enum { WORLD_LAYOUT_AUTO, WORLD_LAYOUT_HIERARCHY, WORLD_LAYOUT_POS } layout;
    uint64_t seed;
    int64_t start_us; /* Unix time of t=0, µs */
    char *start;      /* as written (RFC 3339) */
    Node *nodes;
    size_t n_nodes;
    Link *links;
    size_t n_links;
    Iface *iface_pool; /* every node's ifaces, by node (world_wire) */
    TcpConf *tcp;      /* per node; NULL when no node has the key: the defaults */
    ScriptLine *script;
    size_t n_script;
    /* By node, each node's as listed; sorted by ip (stably) when an
     * address is on two nodes, so that equal ones are side by side. */
    AddrEntry *addrs;
    size_t n_addrs;
    uint32_t *addr_slot; /* open addressing on ip: 1 + index into addrs, 0 empty */
    size_t addr_slots;   /* a power of two, or 0 before world_wire */
    bool addrs_unique;   /* no address on two nodes (a loaded scenario's are): world_wire */
    WorldExt ext[WORLD_EXT_MAX];
} World;

World *world_new(void);
void world_free(World *w);

/* The data in a slot, or NULL. */
void *world_ext(const World *w, int slot);
/* Fills an empty slot; the World owns data from now on and frees it with
 * free_fn (which may be NULL). */
void world_ext_set(World *w, int slot, void *data, void (*free_fn)(void *data));

/* Index of the node with this id, or -1.  O(n). */
int world_find_node(const World *w, const char *id);
/* Node and interface owning ip (the first node in node order); false if
 * none, and always before world_wire.  O(1): a hash on the address. */
bool world_find_addr(const World *w, uint32_t ip, int *node, int *iface);
/* Whether node has ip among its addresses (equal addresses on several nodes
 * included).  O(1) after world_wire, as world_find_addr. */
bool world_node_has_addr(const World *w, int node, uint32_t ip);
/* The address a node uses on an interface (inline: every datagram sent
 * asks). */
static inline uint32_t world_iface_ip(const World *w, int node, int iface)
{
    const Node *n = &w->nodes[node];
    if (iface >= 0 && (size_t)iface < n->n_ifaces)
        return n->ifaces[iface].ip;
    return n->n_ips ? n->ips[0] : 0;
}
/* Is ip on the network of a node's interface, by the interface's address
 * and prefix length (10.0.2.7 is on the link of 10.0.2.1/24)?  How a
 * router knows which addresses are on its links.  After world_wire. */
static inline bool world_iface_covers(const World *w, int node, int iface, uint32_t ip)
{
    const Node *n = &w->nodes[node];
    assert(iface >= 0 && (size_t)iface < n->n_ifaces);
    const Iface *f = &n->ifaces[iface];
    uint32_t mask = f->prefix == 0 ? 0 : 0xffffffffu << (32 - f->prefix);
    return (f->ip & mask) == (ip & mask);
}

/* Builds interfaces (names, MACs, addresses, peers) from the links and the
 * sorted address index.  Called by the loader once nodes and links are set;
 * returns false (with no change to validity) if two interfaces share an
 * address — the loader reports that itself before calling. */
void world_wire(World *w);

/* Shortest paths by (latency, hops) from src, through routers only.
 * Fills out_iface[dst] with src's interface toward dst, or -1 when no
 * route exists (out_iface[src] is -1).  O(E log V). */
void world_routes_from(const World *w, int src, int *out_iface);
/* The same routes, shared and cheaper (what Net uses).  WorldRouters
 * numbers the routers (ridx: -1 for other nodes) and lists the links
 * between routers; world_routes_routers keeps, per source, only each
 * router's distance and src's interface toward it: O(R) memory and
 * O(L log R) time for R routers and L links between them.  world_route_to
 * then gives the interface toward any node in O(its interfaces), equal to
 * world_routes_from's, ties included. */
typedef struct WorldRouterEdge {
    int iface, peer; /* the router's interface, and the router on its other end */
    int64_t weight;
} WorldRouterEdge;

typedef struct WorldRouters {
    int *ridx;              /* per node: its number among the routers, or -1 */
    size_t n;               /* routers */
    size_t *first;          /* router r's edges are first[r] .. first[r + 1] - 1 */
    WorldRouterEdge *edges; /* in interface order */
} WorldRouters;

/* After world_wire; the World must not change while g is used. */
void world_routers_init(WorldRouters *g, const World *w);
void world_routers_fini(WorldRouters *g);
/* dist and via have g->n entries. */
void world_routes_routers(const World *w, const WorldRouters *g, int src, int64_t *dist, int *via);
int world_route_to(const World *w, const WorldRouters *g, int src, const int64_t *dist,
                   const int *via, int dst);
/* Every node linked (through any nodes) to every other?  Fills
 * component[i] with the index of node i's connected component. */
void world_components(const World *w, int *component);

/* "a:eth0-b:eth1", written into buf. */
void world_link_name(const World *w, int link, char *buf, size_t size);
/* Where an open-addressing table of slots entries (a power of two) puts
 * ip first. */
static inline size_t ip_hash(uint32_t ip, size_t slots)
{
    return (size_t)((ip * 0x9e3779b1u) >> 7) & (slots - 1);
}
/* Formats an address in dotted quad. */
void ip_format(uint32_t ip, char buf[16]);
/* Parses a strict dotted quad ("10.0.0.1", no leading zeros). */
bool ip_parse(const char *s, uint32_t *ip);
/* The same at the start of s, followed by anything: *end is the character
 * after it ("10.0.2.1/24": the slash). */
bool ip_parse_start(const char *s, uint32_t *ip, const char **end);
/* An IPv4 address in any form glibc's inet_aton takes, as getaddrinfo
 * does for a numeric host: a.b.c.d, a.b.c (the last part 16 bits), a.b
 * (24 bits) or a (32 bits), each part decimal, octal (0…) or hex (0x…):
 * "10.53", "0x0a000035" and "167772213" are all 10.0.0.53. */
bool ip_parse_aton(const char *s, uint32_t *ip);

#endif
