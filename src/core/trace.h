/* trace — the one record of what happened in a simulation.
 *
 * Protocol code emits typed records; sinks (the text, JSON Lines and CSV
 * writers, the pcap writer, the GUI) only read them.  Records are emitted in
 * non-decreasing time order.  When `keep` is set the trace also stores every
 * record (the GUI folds them to show any moment); otherwise records only pass
 * through the sinks.
 *
 * A step is one note (DESIGN.md rule 5): notes are numbered 1, 2, … as they
 * are emitted, and every record carries the number of the latest note at
 * the moment it was emitted (0 before the first). */
#ifndef MN_TRACE_H
#define MN_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evq.h"
#include "util.h"

typedef enum TraceKind {
    TR_HOP,     /* a frame crossed a link: node:iface -> peer:iface */
    TR_DELIVER, /* the destination node accepted a packet */
    TR_DROP,    /* a packet was lost; text says why */
    TR_STATE,   /* a table on a node changed */
    TR_NOTE,    /* a plain-English caption; one step */
    TR_CONSOLE, /* what a command printed on a node */
} TraceKind;

/* Why a packet was dropped.  The texts (trace_drop_text) are what every
 * sink prints; they are part of the golden traces, so a text never
 * changes once a scenario shows it.  A new reason is a new row here and
 * in trace.c's table. */
typedef enum DropReason {
    DROP_LOST_ON_LINK,     /* the link's loss rate took it */
    DROP_LINK_DOWN,        /* the link went down under it */
    DROP_NODE_DOWN,        /* it reached a node that is down */
    DROP_RUNT_FRAME,       /* shorter than an Ethernet header */
    DROP_NOT_OUR_MAC,      /* frame not addressed to this interface */
    DROP_NOT_IPV4,         /* ethertype is not IPv4 */
    DROP_IPV4_TRUNCATED,   /* shorter than an IPv4 header */
    DROP_IPV4_VERSION,     /* version field is not 4 */
    DROP_IPV4_HEADER_LEN,  /* IHL below 20 or past the end */
    DROP_IPV4_TOTAL_LEN,   /* Total Length below IHL or past the end */
    DROP_IPV4_CHECKSUM,    /* header checksum wrong */
    DROP_IPV4_FRAGMENT,    /* fragments are not reassembled */
    DROP_NOT_OUR_IP,       /* a host got a packet for someone else */
    DROP_NO_HANDLER,       /* no protocol handler for the IP protocol */
    DROP_TTL_EXPIRED,      /* a router's TTL reached zero */
    DROP_NO_ROUTE,         /* a router has no route */
    DROP_ICMP_TRUNCATED,   /* shorter than an ICMP header */
    DROP_ICMP_CHECKSUM,    /* ICMP checksum wrong */
    DROP_UDP_LENGTH,       /* UDP Length disagrees with the datagram */
    DROP_UDP_CHECKSUM,     /* UDP checksum wrong */
    DROP_PORT_UNREACHABLE, /* no UDP socket on the port */
    DROP_TCP_TRUNCATED,    /* shorter than a TCP header */
    DROP_TCP_HEADER_LEN,   /* Data Offset below 5 or past the end */
    DROP_TCP_CHECKSUM,     /* TCP checksum wrong */
    DROP_TCP_OPTION_LEN,   /* a TCP option's length runs past the header */
    DROP_TCP_NO_LISTENER,  /* no connection or listener: answered with RST */
    DROP_TCP_NO_SYN,       /* a segment to a listener that is not a SYN */
    DROP_TCP_LISTEN_FULL,  /* the listener's queue is full */
    DROP_ARP_NO_REPLY,     /* the address is on a link, but ARP got no reply (no node has it) */
    DROP_REASON_COUNT
} DropReason;

typedef enum ConsoleStream {
    CON_COMMAND, /* the command line as typed (text), no output */
    CON_STDOUT,
    CON_STDERR,
    CON_EXIT,  /* the command finished; status holds its exit status */
    CON_STDIN, /* what was typed into it, as the terminal echoed it */
} ConsoleStream;

typedef struct TraceRec {
    TraceKind kind;
    SimTime time;         /* when it happened; a hop's send time */
    uint64_t pkt;         /* packet id, 0 if none */
    uint32_t step;        /* note number (a note's own, or the latest before) */
    int node, iface;      /* hop: sender; others: the node concerned; -1 none */
    int peer, peer_iface; /* hop: receiver */
    int link;             /* hop, drop: the link; -1 none */
    SimTime arrive;       /* hop: arrival time at the peer */
    uint8_t *bytes;       /* hop, drop: the Ethernet frame */
    uint32_t len;
    DropReason reason;      /* drop: why (trace_drop_text) */
    char *text;             /* note: caption; console: text; state: value; drop: NULL */
    char *table, *op, *key; /* state */
    int64_t ttl;            /* state: seconds left, -1 if none */
    uint64_t cmd;           /* console: the command instance (1, 2, …) */
    int term;               /* console: the node's terminal, 0 or 1 for the first */
    ConsoleStream stream;   /* console */
    int status;             /* console CON_EXIT: exit status */
} TraceRec;

typedef struct Trace Trace;

/* A sink sees every record of the kinds it reads as it is emitted, and
 * `end` once at the end.  A sink that fails (disk full) records it and
 * returns false from end.  Records of a kind that no sink reads (and the
 * trace does not keep) are not built at all. */
typedef struct TraceSink {
    void (*rec)(void *ctx, const Trace *t, const TraceRec *r);
    bool (*end)(void *ctx, const Trace *t);
    void *ctx;
    unsigned kinds; /* TRACE_KIND_BIT of each kind it reads; 0: every kind */
} TraceSink;

#define TRACE_KIND_BIT(k) (1u << (k))
#define TRACE_ALL_KINDS   0x3fu

struct Trace {
    const struct World *world; /* names nodes, interfaces and links */
    TraceRec *recs;
    size_t n, cap;
    bool keep;
    bool sealed; /* trace_seal: no record is taken any more */
    uint32_t notes;
    uint64_t cmds;
    TraceSink *sinks;
    size_t nsinks, sinks_cap;
    unsigned wants; /* kinds kept or read by a sink (TRACE_KIND_BIT) */
    Buf caption;    /* trace_note's formatting room, kept between notes */
    bool caption_busy;
};

void trace_init(Trace *t, const struct World *w, bool keep);
/* Does anyone keep or read records other than the console's (notes,
 * states, packets)?  Code that spends effort on a caption (formatting
 * names, addresses) may skip it when not; the note must still be emitted,
 * so step numbers stay the same. */
static inline bool trace_wanted(const Trace *t)
{
    return !t->sealed && (t->wants & ~TRACE_KIND_BIT(TR_CONSOLE)) != 0;
}
/* Whether records of kind k are read or kept: when not, a caller may skip
 * building what it would pass (trace_state's key and value text). */
static inline bool trace_heard(const Trace *t, TraceKind k)
{
    return !t->sealed && (t->wants & TRACE_KIND_BIT(k)) != 0;
}
void trace_fini(Trace *t);
/* The run is over: agents are being torn down, and what they do then
 * (a program's connection closed as it is freed) is not part of the
 * story.  Every emitter becomes a no-op. */
void trace_seal(Trace *t);
void trace_add_sink(Trace *t, TraceSink s);
/* Calls every sink's end; false if any failed. */
bool trace_end(Trace *t);

/* Emitters.  Strings and bytes are copied. */
/* trace_hop's work once someone reads hops; call trace_hop. */
void trace_hop_record(Trace *t, SimTime sent, SimTime arrive, uint64_t pkt, int node, int iface,
                      int peer, int peer_iface, int link, const uint8_t *frame, size_t len);
/* Hops are the most numerous records: whether anyone reads them is asked
 * here, so a run that reads none (--quiet) makes no call per hop. */
static inline void trace_hop(Trace *t, SimTime sent, SimTime arrive, uint64_t pkt, int node,
                             int iface, int peer, int peer_iface, int link, const uint8_t *frame,
                             size_t len)
{
    if (trace_heard(t, TR_HOP))
        trace_hop_record(t, sent, arrive, pkt, node, iface, peer, peer_iface, link, frame, len);
}
void trace_deliver(Trace *t, SimTime now, uint64_t pkt, int node);
void trace_drop(Trace *t, SimTime now, uint64_t pkt, int node, int link, const uint8_t *frame,
                size_t len, DropReason reason);
void trace_state(Trace *t, SimTime now, int node, const char *table, const char *op,
                 const char *key, const char *value, int64_t ttl);
/* Counts a note nobody will read (see trace_wanted) without building it;
 * returns its step number. */
static inline uint32_t trace_note_skip(Trace *t)
{
    return ++t->notes;
}
/* Returns the note's step number. */
uint32_t trace_note(Trace *t, SimTime now, uint64_t pkt, const char *fmt, ...) MN_PRINTF(4, 5);
/* Starts a command on node; returns its instance number. */
/* term: the node's terminal (1, 2, …; shown as NODE[2]$ when not 1). */
uint64_t trace_command(Trace *t, SimTime now, int node, int term, const char *line);
void trace_output(Trace *t, SimTime now, int node, int term, uint64_t cmd, ConsoleStream s,
                  const char *text);
void trace_exit(Trace *t, SimTime now, int node, int term, uint64_t cmd, int status);

const char *trace_kind_name(TraceKind k);
const char *trace_stream_name(ConsoleStream s);
/* "lost on link", "bad UDP checksum", … (static; "?" if out of range). */
const char *trace_drop_text(DropReason r);

#endif
