/* dns_pack — small DNS messages written straight into a buffer, in the
 * very bytes dns_encode writes for them, at less cost.
 *
 * dns_encode keeps the name suffixes it has written in a hash table, and
 * checks room before each write, as it must for a message of any size
 * that may have to be cut.  Most messages minet sends are a few records
 * with a few names of a few labels, sure to fit: for those a short list of
 * the suffixes written, looked through in full, costs less, and room is
 * checked once, for the whole message, before anything is written.  Names
 * are compressed exactly as dns_encode compresses them (RFC 1035 4.1.4):
 * the labels before the longest suffix written before (compared without
 * regard to ASCII case), then a pointer to it; the root never; in rdata,
 * the names of NS, CNAME, PTR, MX and SOA records.  Anything these
 * writers are not sure to write as dns_encode would (a message that may
 * not fit, names of too many labels) they leave: the caller encodes it
 * with dns_encode instead. */
#ifndef MN_DNS_PACK_H
#define MN_DNS_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dns/dns_wire.h"

/* Suffixes a message may hold before the writers give up (dns_encode's
 * table holds 1024: a message that needs more is its to write). */
#define DNS_PACK_MAX 64

typedef struct DnsPackSuffix {
    const uint8_t *suffix; /* in the name written, uncompressed */
    uint32_t key;          /* its length and a few of its bytes, case folded */
    uint16_t off;
} DnsPackSuffix;

/* A message being written: out[0..pos) written so far.  The first name
 * (most often the question, whose suffixes most names end with) is looked
 * in place, as dns_encode does, its suffixes not listed in w: first_starts
 * marks where its labels start. */
typedef struct DnsPacker {
    uint8_t *out;
    size_t pos, n;
    const uint8_t *first;
    size_t first_len, first_off; /* first_len 0: none yet */
    uint64_t first_starts[4];
    DnsPackSuffix w[DNS_PACK_MAX];
} DnsPacker;

/* Starts a message in out, after its header (which the caller writes). */
void dns_pack_start(DnsPacker *k, uint8_t *out);
/* Writes the uncompressed wire name (len bytes), compressed; false if the
 * message has too many suffixes (DNS_PACK_MAX).  The caller has made sure
 * of room for len bytes. */
bool dns_pack_name(DnsPacker *k, const uint8_t *name, size_t len);
/* Writes a record, as dns_encode would (room for its owner, 10 bytes and
 * its rdata, uncompressed, made sure of by the caller); false as for
 * dns_pack_name. */
bool dns_pack_rr(DnsPacker *k, const DnsRR *rr);
/* dns_encode(m, out, cap), if m is sure to fit in cap (and in 4 KB)
 * uncompressed, and has at most DNS_PACK_MAX suffixes; else 0, and out
 * holds anything (dns_encode writes it all again). */
size_t dns_pack_msg(const DnsMsg *m, uint8_t *out, size_t cap);

#endif
