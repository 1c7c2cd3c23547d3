/* dns_pack — the DNS encoder's name compression, and its writers for a
 * message written straight into a packet.
 *
 * dns_encode (dns_wire.h) writes every message through these: one set of
 * compression rules (RFC 1035 4.1.4), in dns_pack.c.  A name is written as
 * the labels before the longest suffix written before (compared without
 * regard to ASCII case, so names below a mixed-case question come out in
 * the question's spelling, as NSD and BIND write them), then a pointer to
 * it; the root is never compressed; in rdata, the names of NS, CNAME, PTR,
 * MX and SOA records are (RFC 3597 4).  The first name written (most often
 * the question, whose suffixes most names end with) is looked at in place;
 * the suffixes of the others are kept in a short list, looked through in
 * full, or, in a message that may not fit, hashed once there are more than
 * a short list holds.
 *
 * A message sure to fit (every name whole, in at most 4 KB and in the room
 * given) is written without a check of room before each write; any other
 * is written record by record, a record that does not fit left out whole.
 * The resolver writes its small answers in place with dns_pack_start,
 * dns_pack_name and dns_pack_rr, having made sure of room itself. */
#ifndef MN_DNS_PACK_H
#define MN_DNS_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dns/dns_wire.h"

/* Suffixes looked through in full.  A message sure to fit that has more
 * is written again as one that may not fit, whose writer hashes them. */
#define DNS_PACK_LIST 64

typedef struct DnsPackSuffix {
    const uint8_t *suffix; /* in the name written, uncompressed */
    uint32_t key;          /* its length and a few of its bytes, case folded */
    uint16_t off;
    uint16_t next; /* the next suffix in its bucket, once they are hashed */
} DnsPackSuffix;

/* A message being written: out[0..pos) written so far, room for cap bytes
 * (checked only where a message may not fit).  The first name is looked
 * at in place, its suffixes not listed in w: first_starts marks where its
 * labels start.  w is list (always, for a message sure to fit), or (head
 * not NULL) a larger table, hashed into head's buckets once it holds more
 * than DNS_PACK_LIST. */
typedef struct DnsPacker {
    uint8_t *out;
    size_t pos, cap, n;
    const uint8_t *first;
    size_t first_len, first_off; /* first_len 0: none yet */
    uint64_t first_starts[4];
    DnsPackSuffix *w;
    uint16_t *head;
    DnsPackSuffix list[DNS_PACK_LIST];
} DnsPacker;

/* Starts a message in out, after its header (which the caller writes):
 * one of at most 4 KB, for which the caller makes sure of room. */
void dns_pack_start(DnsPacker *k, uint8_t *out);
/* Writes the uncompressed wire name (len bytes), compressed; false if the
 * message has more than DNS_PACK_LIST suffixes (dns_encode then writes
 * it).  The caller has made sure of room for len bytes. */
bool dns_pack_name(DnsPacker *k, const uint8_t *name, size_t len);
/* Writes a record, compressed (room for its owner, 10 bytes and its
 * rdata, uncompressed, made sure of by the caller); false as for
 * dns_pack_name. */
bool dns_pack_rr(DnsPacker *k, const DnsRR *rr);

#endif
