/* dissect — decodes a frame's bytes for people: the one-line summary the
 * text trace shows, the tree a packet inspector shows, and the short label
 * the map draws beside a moving packet.  All three walk the layers with the
 * same parser here, so the exporters, the GUI and the inspector cannot
 * disagree.  The input is hostile: every length is checked.
 *
 * Ethernet, IPv4, ICMP, UDP and TCP are decoded here (TCP in
 * dissect_tcp.c).  What rides on UDP or TCP is decoded by the row of the
 * application table (dissect_apps.c) whose transport and port match the
 * segment's source or destination port, the lower port tried first, as
 * Wireshark does.  Adding a protocol adds a row and its functions; this
 * file and the GUI stay as they are.
 *
 * TCP's relative sequence numbers and stream indexes need the frames seen
 * before: a DissectCtx remembers each conversation's first sequence
 * numbers, and what FTP's control connections announced, so that a
 * passive data connection on any port is FTP-DATA, linked to its control
 * connection (dissect_ftp.h).  Give every frame of one trace, in trace order, to one context
 * (a sink keeps one for its run); asking again about a frame it has seen
 * gives the same answer.  A NULL context stands for a fresh one that sees
 * only this frame. */
#ifndef MN_DISSECT_H
#define MN_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

typedef struct DissectCtx DissectCtx;
/* An FTP data connection announced on a control connection (dissect_ftp.h). */
typedef struct DissectFtpData DissectFtpData;

/* A context with no conversations; free with dissect_ctx_free. */
DissectCtx *dissect_ctx_new(void);
void dissect_ctx_free(DissectCtx *c);

/* Shows c a frame, as the summary or tree would, without decoding it for
 * people: what a reader of the whole trace calls for each hop in order
 * before it asks about single frames (the GUI's inspector). */
void dissect_observe(DissectCtx *c, const uint8_t *frame, size_t len);

/* Appends e.g. "10.0.0.10 -> 10.0.2.10 ICMP echo request id=0x1c2d seq=1 ttl=64",
 * "10.0.0.10 -> 10.0.2.25 TCP 43312 → 25 [SYN] Seq=0 Win=64240 Len=0 MSS=1460",
 * "10.0.0.10 -> 10.0.2.25 SMTP C: HELO crepes.fr". */
void dissect_summary(DissectCtx *c, const uint8_t *frame, size_t len, Buf *out);
/* "ICMP", "UDP", "TCP", "DNS", "SMTP", … (Wireshark's Protocol column):
 * the protocol a filter or a colour goes by.  Static. */
const char *dissect_protocol(DissectCtx *c, const uint8_t *frame, size_t len);
/* The map's label for a frame ("A? www.montana.edu", "echo reply",
 * "SYN, ACK", "HELO crepes.fr"), at most size - 1 bytes, and whether the
 * frame answers (a DNS response, an ICMP reply or error, a server's
 * segment).  Returns dissect_protocol's answer. */
const char *dissect_label(DissectCtx *c, const uint8_t *frame, size_t len, char *label, size_t size,
                          bool *response);

/* One line of the tree: a layer (depth 0) or a field inside one, and the
 * bytes of the frame it was decoded from (off + len <= the frame's length;
 * len 0 for a line that stands for no bytes). */
typedef struct DissectField {
    int depth;
    uint32_t off, len;
    char *text;
} DissectField;

typedef struct DissectTree {
    DissectField *f;
    size_t n, cap;
} DissectTree;

/* Decodes a frame into a tree, as Wireshark's packet details pane shows
 * it: Frame, Ethernet II, Internet Protocol Version 4, then ICMP, UDP or
 * TCP, then the application's row.  Appends to t (zero it first); free
 * with dissect_tree_fini. */
void dissect_tree(DissectCtx *c, const uint8_t *frame, size_t len, DissectTree *t);
void dissect_tree_fini(DissectTree *t);
/* Appends one line (for the application rows' tree functions). */
void dissect_add(DissectTree *t, int depth, size_t off, size_t len, const char *fmt, ...)
    MN_PRINTF(5, 6);

/* ---- the application table --------------------------------------------- */

/* What an application row is given: its bytes inside the frame (tree
 * offsets count from the frame's start), the ports, and which way it goes. */
typedef struct DissectPayload {
    const uint8_t *frame;
    /* The application's bytes: frame + off, len of them (TCP: len > 0;
     * UDP: may be 0). */
    size_t off, len;
    uint16_t sport, dport;
    bool to_server; /* the destination port is the row's (FTP-DATA: the server's end) */
    /* FTP-DATA: the connection's setup, when a context saw it announced;
     * NULL otherwise (and for every other row) */
    const DissectFtpData *ftp_data;
} DissectPayload;

typedef struct DissectApp {
    const char *name;  /* Wireshark's Protocol column: "DNS", "SMTP", "POP", … */
    uint8_t transport; /* IP_PROTO_UDP or IP_PROTO_TCP */
    uint16_t ports[2]; /* the well-known ports; 0 for none */
    const char *words; /* the tree's layer name: "Simple Mail Transfer Protocol" */
    /* Wireshark's Info column, e.g. "C: HELO crepes.fr". */
    void (*summary)(const DissectPayload *p, Buf *out);
    /* The layer's lines, depth 0 first; NULL: one line, the layer's name. */
    void (*tree)(const DissectPayload *p, DissectTree *t);
    /* The map's label (size > 0) and whether p answers; NULL: the summary. */
    void (*label)(const DissectPayload *p, char *label, size_t size, bool *response);
} DissectApp;

/* The rows (dissect_apps.c), in no particular order: ports are unique per
 * transport. */
const DissectApp *dissect_apps(size_t *n);
/* The row named name (its Protocol column) for transport, or NULL. */
const DissectApp *dissect_app_named(uint8_t transport, const char *name);
/* The row for transport and port, or NULL.  O(rows). */
const DissectApp *dissect_app_find(uint8_t transport, uint16_t port);
/* The row a segment between sport and dport goes to (the lower port
 * first), with *to_server set; NULL if neither port has one. */
const DissectApp *dissect_app_for(uint8_t transport, uint16_t sport, uint16_t dport,
                                  bool *to_server);

#endif
