/* What dns_wire.c (the wire format), dns_wire_text.c (its text forms) and
 * dns_pack.c (the encoder) share. */
#ifndef MN_DNS_WIRE_INT_H
#define MN_DNS_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dns/dns_name.h"

/* Length of the uncompressed wire name at p (at most avail bytes), or 0 if
 * it is not one: labels of at most 63 bytes, at most 255 in all.  Inline:
 * the encoder asks it of every NS, CNAME, MX and SOA rdata it writes. */
static inline size_t dns_wire_name_len(const uint8_t *p, size_t avail)
{
    size_t i = 0;
    while (i < avail && i < DNS_NAME_MAX) {
        uint8_t l = p[i];
        if (l == 0)
            return i + 1;
        if (l > DNS_LABEL_MAX)
            return 0;
        i += 1 + (size_t)l;
    }
    return 0;
}

/* True if the TXT rdata is one or more length-prefixed strings filling it. */
bool dns_txt_valid(const uint8_t *p, size_t len);

#endif
