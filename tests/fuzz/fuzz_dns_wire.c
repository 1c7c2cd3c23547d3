/* libFuzzer target for the DNS decoder and encoder.
 *
 *   make fuzz        (or build/fuzz/fuzz_dns_wire CORPUS tests/fuzz/seeds/fuzz_dns_wire)
 *
 * Any bytes: the decoder refuses them with a one-line reason, or decodes
 * them.  What decoded is encoded again (cap 65535) and decoded again, and
 * the two messages must agree field by field.  The one allowed difference:
 * the input may have been compressed harder than minet compresses (pointers
 * into opaque rdata, for one), so its re-encoding can outgrow 65535 bytes;
 * then whole records are left out from the end, with TC when an answer or
 * authority record went.  Decoding twice into the same message must give
 * the same result (reset reuses the storage), encoding what was decoded
 * twice must give the same bytes, a 512-byte encoding must decode, and the
 * text forms must not crash.  abort() on any disagreement. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compression ignores case (as NSD's and BIND's), so a name written after
 * an earlier one that differs only in case comes back in the earlier
 * spelling: names, and the rdata of types that carry compressible names,
 * are compared without regard to ASCII case. */
static bool same_bytes_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (uint8_t)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (uint8_t)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static bool has_names(uint16_t type)
{
    return type == DNS_TYPE_NS || type == DNS_TYPE_CNAME || type == DNS_TYPE_PTR ||
           type == DNS_TYPE_MX || type == DNS_TYPE_SOA;
}

static void same_rr(const DnsRR *x, const DnsRR *y)
{
    bool rdata_same = has_names(x->type) ? same_bytes_nocase(x->rdata, y->rdata, x->rdlen)
                                         : memcmp(x->rdata, y->rdata, x->rdlen) == 0;
    if (!dns_name_equal(x->name, y->name) || x->name->labels != y->name->labels ||
        x->type != y->type || x->klass != y->klass || x->ttl != y->ttl || x->rdlen != y->rdlen ||
        !rdata_same)
        abort();
}

/* b must equal a, or be a as truncated by dns_encode. */
static void same_msg(const DnsMsg *a, const DnsMsg *b)
{
    if (a->id != b->id || a->qr != b->qr || a->opcode != b->opcode || a->aa != b->aa ||
        a->rd != b->rd || a->ra != b->ra || a->z != b->z || a->ad != b->ad || a->cd != b->cd ||
        a->rcode != b->rcode)
        abort();
    bool short_main = b->n_qd < a->n_qd || b->n[DNS_ANSWER] < a->n[DNS_ANSWER] ||
                      b->n[DNS_AUTHORITY] < a->n[DNS_AUTHORITY];
    if (b->tc != (a->tc || short_main))
        abort();
    if (b->n_qd > a->n_qd)
        abort();
    for (size_t i = 0; i < b->n_qd; i++) {
        const DnsQuestion *x = &a->qd[i], *y = &b->qd[i];
        if (!dns_name_equal(&x->name, &y->name) || x->type != y->type || x->klass != y->klass)
            abort();
    }
    for (int s = 0; s < DNS_SECTIONS; s++) {
        if (b->n[s] > a->n[s])
            abort();
        /* Additional records: a prefix, except that OPT is kept. */
        size_t j = 0;
        for (size_t i = 0; i < b->n[s]; i++, j++) {
            while (s == DNS_ADDITIONAL && j < a->n[s] && b->rr[s][i].type == DNS_TYPE_OPT &&
                   a->rr[s][j].type != DNS_TYPE_OPT)
                j++;
            if (j >= a->n[s])
                abort();
            same_rr(&a->rr[s][j], &b->rr[s][i]);
        }
    }
}

static void text_forms(const DnsMsg *m)
{
    Buf b;
    buf_init(&b);
    dns_msg_summary(m, &b);
    if (strchr(b.data, '\n'))
        abort();
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++) {
            buf_clear(&b);
            dns_rr_to_text(&m->rr[s][i], &b);
            dns_rdata_to_text(m->rr[s][i].type, m->rr[s][i].rdata, m->rr[s][i].rdlen, &b);
            if (strchr(b.data, '\n'))
                abort();
        }
    buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[65535], out2[65535], small[512];
    char why[256];
    DnsMsg a, b;
    dns_msg_init(&a);
    dns_msg_init(&b);
    if (!dns_decode(&a, data, size, why, sizeof why)) {
        if (why[0] == '\0' || strchr(why, '\n'))
            abort();
        dns_msg_fini(&a);
        dns_msg_fini(&b);
        return 0;
    }
    text_forms(&a);

    /* Again into the same message: reset keeps the storage. */
    if (!dns_decode(&b, data, size, why, sizeof why))
        abort();
    if (!dns_decode(&b, data, size, why, sizeof why))
        abort();
    same_msg(&a, &b);

    size_t n = dns_encode(&a, out, sizeof out);
    if (n < DNS_HEADER_LEN)
        abort();
    if (!dns_decode(&b, out, n, why, sizeof why) || why[0] != '\0')
        abort();
    same_msg(&a, &b);
    /* What decoded from our bytes encodes to the same bytes. */
    size_t n2 = dns_encode(&b, out2, sizeof out2);
    if (n2 != n || memcmp(out, out2, n) != 0)
        abort();

    size_t ns = dns_encode(&a, small, sizeof small);
    if (ns < DNS_HEADER_LEN || ns > sizeof small)
        abort();
    if (!dns_decode(&b, small, ns, why, sizeof why))
        abort();
    same_msg(&a, &b);

    dns_msg_fini(&a);
    dns_msg_fini(&b);
    return 0;
}
