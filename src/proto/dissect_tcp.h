/* dissect_tcp — TCP decoded as Wireshark decodes it: the Info column
 * ("43312 → 25 [SYN] Seq=0 Win=64240 Len=0 MSS=1460"), the packet details
 * (Source Port … Options, the payload handed to the application row by
 * port), with sequence and acknowledgement numbers relative to each
 * conversation's first, and Wireshark's stream index.
 *
 * This header is what dissect.c and dissect_tcp.c share; everyone else
 * uses dissect.h.
 *
 * Conversations (DissectCtx): one per 4-tuple and SYN.  A SYN whose
 * sequence number no conversation of its 4-tuple started with starts a
 * new one (a port used again); any other segment goes to the 4-tuple's
 * conversation whose first sequence number lies closest below its own.
 * A side's first sequence number is its SYN's, or one less than the first
 * sequence number seen from it (Wireshark's rule for a capture that starts
 * mid-stream), or one less than the first acknowledgement seen for it.
 * Lookups hash the 4-tuple: O(1) per segment, plus the 4-tuple's earlier
 * conversations when a port is used again. */
#ifndef MN_DISSECT_TCP_H
#define MN_DISSECT_TCP_H

#include "proto/dissect.h"
#include "proto/dissect_ftp.h"

/* A transport layer inside a frame: frame + off, len bytes (by IPv4 Total
 * Length, so possibly fewer than a header), between src and dst. */
typedef struct DissectL4 {
    const uint8_t *frame;
    size_t off, len;
    uint32_t src, dst;
} DissectL4;

typedef struct TcpConv TcpConv;

struct DissectCtx {
    TcpConv *conv; /* by stream index */
    size_t n_conv, cap_conv;
    uint32_t *slot; /* hash of 4-tuples: index + 1 of its latest conversation, 0 empty */
    size_t n_slot;  /* a power of two, or 0 */
    DissectFtp ftp; /* FTP's announced data connections */
};

/* Frees the conversations and what they announced (not c itself). */
void dissect_tcp_fini(DissectCtx *c);

/* Tracks the segment's conversation in c. */
void dissect_tcp_observe(DissectCtx *c, const DissectL4 *l4);
/* Appends "TCP 43312 → 25 [SYN] …" or, for a segment with data for an
 * application row, "SMTP C: HELO crepes.fr". */
void dissect_tcp_summary(DissectCtx *c, const DissectL4 *l4, Buf *out);
/* "TCP", or the application row's name when the segment carries data.
 * With c, the segment is tracked as by dissect_tcp_observe. */
const char *dissect_tcp_protocol(DissectCtx *c, const DissectL4 *l4);
/* "SYN, ACK", "FIN, ACK", "ACK" (no data), or the application's label. */
void dissect_tcp_label(DissectCtx *c, const DissectL4 *l4, char *label, size_t size,
                       bool *response);
/* Transmission Control Protocol and the application's lines. */
void dissect_tcp_tree(DissectCtx *c, const DissectL4 *l4, DissectTree *t);

/* An application row's label and tree, with their fallbacks (dissect.c). */
void dissect_app_label(const DissectApp *app, const DissectPayload *p, char *label, size_t size,
                       bool *response);
void dissect_app_tree(const DissectApp *app, const DissectPayload *p, DissectTree *t);
/* The value a checksum field should have held: field is what it holds,
 * sum the checksum computed over the bytes with it (0 when right). */
uint16_t dissect_checksum_should_be(uint16_t field, uint16_t sum);

#endif
