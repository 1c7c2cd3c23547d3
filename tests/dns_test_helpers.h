/* Helpers the DNS wire tests share (test_dns_wire.c, test_dns_wire_text.c):
 * hex to bytes, decoding that must succeed, a record's or a message's text,
 * and names from text.  Include after <cmocka.h>. */
#ifndef MN_TESTS_DNS_TEST_HELPERS_H
#define MN_TESTS_DNS_TEST_HELPERS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_name.h"
#include "proto/dns/dns_wire.h"

static inline int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex digits in pairs; anything else separates them. */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        if (hexval((unsigned char)*s) < 0) {
            s++;
            continue;
        }
        assert_true(hexval((unsigned char)s[1]) >= 0);
        assert_true(n < cap);
        out[n++] = (uint8_t)(hexval((unsigned char)s[0]) << 4 | hexval((unsigned char)s[1]));
        s += 2;
    }
    return n;
}

static inline void decode_ok(DnsMsg *m, const uint8_t *p, size_t len)
{
    char why[256];
    if (!dns_decode(m, p, len, why, sizeof why))
        fail_msg("decode refused: %s", why);
}

static inline char *rr_text(const DnsRR *rr)
{
    Buf b;
    buf_init(&b);
    dns_rr_to_text(rr, &b);
    return buf_take(&b);
}

static inline void assert_rr_text(const DnsRR *rr, const char *want)
{
    char *got = rr_text(rr);
    assert_string_equal(got, want);
    free(got);
}

static inline DnsName name_of(const char *text)
{
    DnsName n;
    if (!dns_name_parse(&n, text, NULL))
        fail_msg("bad name %s", text);
    return n;
}

static inline char *summary(const DnsMsg *m)
{
    Buf b;
    buf_init(&b);
    dns_msg_summary(m, &b);
    return buf_take(&b);
}

/* A question for www.montana.edu A IN, in hex. */
#define Q_A "03 777777 07 6d6f6e74616e61 03 656475 00 0001 0001 "

#define assert_has(hay, needle)                                                                    \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));                           \
    } while (0)

#endif
