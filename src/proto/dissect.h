/* dissect — decodes a frame's bytes for people: the one-line summary the
 * text trace shows.  Every exporter and the GUI decode through here, so
 * they cannot disagree.  The input is hostile: every length is checked. */
#ifndef MN_DISSECT_H
#define MN_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Appends e.g. "10.0.0.10 -> 10.0.2.10 ICMP echo request id=0x1c2d seq=1 ttl=64". */
void dissect_summary(const uint8_t *frame, size_t len, Buf *out);
/* "ICMP", "UDP", "DNS", … the protocol a filter or a colour goes by. */
const char *dissect_protocol(const uint8_t *frame, size_t len);

#endif
