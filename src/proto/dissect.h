/* dissect — decodes a frame's bytes for people: the one-line summary the
 * text trace shows, and the tree a packet inspector shows.  Both walk the
 * layers with the same parser here and decode DNS with dns_decode, so the
 * exporters, the GUI and the inspector cannot disagree.  The input is
 * hostile: every length is checked. */
#ifndef MN_DISSECT_H
#define MN_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Appends e.g. "10.0.0.10 -> 10.0.2.10 ICMP echo request id=0x1c2d seq=1 ttl=64". */
void dissect_summary(const uint8_t *frame, size_t len, Buf *out);
/* "ICMP", "UDP", "DNS", … the protocol a filter or a colour goes by. */
const char *dissect_protocol(const uint8_t *frame, size_t len);

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
 * it: Frame, Ethernet II, Internet Protocol Version 4, User Datagram
 * Protocol or Internet Control Message Protocol, Domain Name System.
 * Appends to t (zero it first); free with dissect_tree_fini. */
void dissect_tree(const uint8_t *frame, size_t len, DissectTree *t);
void dissect_tree_fini(DissectTree *t);

#endif
