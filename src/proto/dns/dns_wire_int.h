/* What dns_wire.c (the wire format) and dns_wire_text.c (its text forms)
 * share. */
#ifndef MN_DNS_WIRE_INT_H
#define MN_DNS_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the uncompressed wire name at p (at most avail bytes), or 0 if
 * it is not one: labels of at most 63 bytes, at most 255 in all. */
size_t dns_wire_name_len(const uint8_t *p, size_t avail);

/* True if the TXT rdata is one or more length-prefixed strings filling it. */
bool dns_txt_valid(const uint8_t *p, size_t len);

#endif
