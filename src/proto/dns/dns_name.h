/* dns_name — domain names in wire form (RFC 1035 3.1): length-prefixed
 * labels ending with the root's empty label, at most 255 bytes, labels at
 * most 63.  Comparisons ignore ASCII case, as DNS does.  Text forms use
 * RFC 1035 5.1 escapes (\. \\ \DDD) both ways. */
#ifndef MN_DNS_NAME_H
#define MN_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"

#define DNS_NAME_MAX  255
#define DNS_LABEL_MAX 63

typedef struct DnsName {
    uint8_t len;    /* bytes in data, including the final 0 */
    uint8_t labels; /* not counting the root */
    uint8_t data[DNS_NAME_MAX];
} DnsName;

/* The root, ".". */
void dns_name_root(DnsName *n);
/* Decodes the escape that starts at text[i], a backslash with at least one
 * character after it (RFC 1035 5.1): "\\X" is the byte X, "\\DDD" the byte
 * of that decimal value.  Puts the byte in *c and returns how many
 * characters it took (2 or 4); 0, with *why, if it is malformed. */
size_t dns_text_escape(const char *text, size_t len, size_t i, uint8_t *c, const char **why);
/* Parses text of length len.  A name without a final dot is relative and
 * gets origin appended (it is an error without an origin); "@" is the
 * origin.  On failure *why says what was wrong. */
bool dns_name_from_text(DnsName *n, const char *text, size_t len, const DnsName *origin,
                        const char **why);
/* BIND's words for why dns_name_from_text refused a name ("label too
 * long", "ran out of space", …), as host and dig print them. */
const char *dns_name_bind_reason(const char *why);
/* Convenience for C strings. */
bool dns_name_parse(DnsName *n, const char *text, const DnsName *origin);
/* Checks wire bytes (uncompressed) and fills n; false if malformed. */
bool dns_name_from_wire(DnsName *n, const uint8_t *p, size_t len);
/* Appends the text form, always absolute ("www.montana.edu.", "."). */
void dns_name_to_text(const DnsName *n, Buf *out);
/* Into a fixed buffer (truncated if it does not fit); returns buf. */
const char *dns_name_str(const DnsName *n, char *buf, size_t size);

/* The name as a sentence uses it, without the final dot that would end
 * the sentence early ("www.montana.edu"); the root stays ".". */
const char *dns_name_prose(const DnsName *n, char *buf, size_t size);

/* *to = *from, copying only the bytes the name uses. */
static inline void dns_name_copy(DnsName *to, const DnsName *from)
{
    to->len = from->len;
    to->labels = from->labels;
    size_t n = from->len;
    if (n >= 8 && n <= 16) { /* most names: two overlapping 8-byte pieces */
        memcpy(to->data, from->data, 8);
        memcpy(to->data + n - 8, from->data + n - 8, 8);
    } else {
        memcpy(to->data, from->data, n);
    }
}

/* The byte-by-byte comparison dns_name_same_wire falls back on: len bytes
 * the same without regard to ASCII case. */
bool dns_name_same_folded(const uint8_t *a, const uint8_t *b, size_t len);

/* Eight bytes of two names that differ: the same without regard to ASCII
 * case only if each pair of bytes differs in bit 0x20 at most, the one bit
 * that case changes.  Most names compared are not the same (a suffix of
 * the same length, a hash collision): they are told apart here, without
 * a byte-by-byte look. */
static inline bool dns_name_may_fold(uint64_t x, uint64_t y)
{
    return ((x ^ y) & ~(uint64_t)0x2020202020202020u) == 0;
}

/* len bytes of two wire names (or of suffixes of them) the same without
 * regard to ASCII case; length bytes are below 64, so they never fold.
 * Inline, as are the two below: the resolver, cache, server and encoder
 * compare names about half a million times in a 10,000-host run, and
 * eight bytes at a time (the last eight overlapping the ones before)
 * settle most of them without a call. */
static inline bool dns_name_same_wire(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len < 8)
        return dns_name_same_folded(a, b, len);
    uint64_t x, y;
    for (size_t i = 0; i + 8 < len; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return dns_name_may_fold(x, y) && dns_name_same_folded(a, b, len);
    }
    memcpy(&x, a + len - 8, 8);
    memcpy(&y, b + len - 8, 8);
    return x == y || (dns_name_may_fold(x, y) && dns_name_same_folded(a, b, len));
}

/* a equals a name's wire form (len bytes, uncompressed). */
static inline bool dns_name_equal_wire(const DnsName *a, const uint8_t *wire, size_t len)
{
    return a->len == len && dns_name_same_wire(a->data, wire, len);
}

static inline bool dns_name_equal(const DnsName *a, const DnsName *b)
{
    return dns_name_equal_wire(a, b->data, b->len);
}
/* name equals zone or is below it. */
bool dns_name_is_under(const DnsName *name, const DnsName *zone);
/* RFC 4034 6.1 canonical order: <0, 0, >0. */
int dns_name_compare(const DnsName *a, const DnsName *b);
/* The same for two names' wire forms (uncompressed) and label counts. */
int dns_name_compare_wire(const uint8_t *a, int a_labels, const uint8_t *b, int b_labels);
/* Where each of the first labels labels of a wire name starts, left to
 * right (a name has at most 127 labels in at most 255 bytes). */
void dns_name_label_starts(const uint8_t *wire, int labels, uint8_t starts[128]);
/* Drops the leftmost label; the root stays the root. */
void dns_name_parent(const DnsName *n, DnsName *out);
/* The last k labels of n (k <= labels). */
void dns_name_suffix(const DnsName *n, int k, DnsName *out);
/* A case-insensitive hash of a name's wire form (len bytes, uncompressed),
 * e.g. a suffix of a DnsName's data.  Eight bytes at a time, each with bit
 * 0x20 set: names equal without regard to ASCII case hash the same (a few
 * other bytes fold together too, such as '@' and '`', which only costs a
 * rare collision).  The value depends on the machine's byte order; it is
 * only used in memory.  Inline: the cache and the resolver hash a quarter
 * of a million names in a 10,000-host run. */
static inline uint32_t dns_name_hash_wire(const uint8_t *wire, size_t len)
{
    const uint64_t fold = 0x2020202020202020u, mul = 0x9E3779B97F4A7C15u;
    uint64_t h = len * mul, w = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, wire + i, 8);
        h = (h ^ (w | fold)) * mul;
        h ^= h >> 29;
    }
    if (i < len && len >= 8) {
        memcpy(&w, wire + len - 8, 8); /* the last 8 bytes, overlapping the chunk before */
        w |= fold;
    } else {
        w = 0;
        for (size_t k = 0; i < len; i++, k += 8)
            w |= (uint64_t)(wire[i] | 0x20u) << k;
    }
    h = (h ^ w) * mul;
    return (uint32_t)(h ^ (h >> 32));
}

/* The same hash of n: dns_name_hash_wire(n->data, n->len). */
static inline uint32_t dns_name_hash(const DnsName *n)
{
    return dns_name_hash_wire(n->data, n->len);
}

#endif
