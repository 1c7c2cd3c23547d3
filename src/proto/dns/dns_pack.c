#include "dns_pack.h"

#include <string.h>

/* Above this many bytes a message is dns_encode's to write: its pointers
 * reach only the first 16 KB (0x4000), and a large message holds many names. */
#define PACK_MSG_MAX 4096

void dns_pack_start(DnsPacker *k, uint8_t *out)
{
    k->out = out;
    k->pos = DNS_HEADER_LEN;
    k->n = 0;
    k->first_len = 0;
}

/* A suffix's key: its length, its first label's length, and the first
 * and last bytes of its labels, case folded.  Suffixes equal without
 * regard to case have equal keys; most that differ have different ones,
 * and are told apart without a call to dns_name_same_wire. */
static inline uint32_t suffix_key(const uint8_t *suffix, size_t len)
{
    return (uint32_t)len << 24 | (uint32_t)suffix[0] << 16 | (uint32_t)(suffix[1] | 0x20u) << 8 |
           (suffix[len - 2] | 0x20u);
}

/* Where a suffix equal to the len bytes at name (key its suffix_key) was
 * written, or -1. */
static inline int find_suffix(const DnsPacker *k, const uint8_t *name, size_t len, uint32_t key)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->w[i].key == key && dns_name_same_wire(k->w[i].suffix, name, len))
            return k->w[i].off;
    return -1;
}

/* Where the suffix of the first name equal to the len bytes at name was
 * written, or -1.  Its first two bytes are compared before the call. */
static inline int first_suffix(const DnsPacker *k, const uint8_t *name, size_t len)
{
    if (k->first_len < len)
        return -1;
    size_t skip = k->first_len - len;
    const uint8_t *f = k->first + skip;
    if (!(k->first_starts[skip / 64] >> skip % 64 & 1) || f[0] != name[0] ||
        (f[1] | 0x20) != (name[1] | 0x20) || !dns_name_same_wire(f, name, len))
        return -1;
    return (int)(k->first_off + skip);
}

/* The first name written (not the root): whole, its labels marked. */
static inline void pack_first(DnsPacker *k, const uint8_t *name, size_t len)
{
    k->first = name;
    k->first_len = len;
    k->first_off = k->pos;
    memset(k->first_starts, 0, sizeof k->first_starts);
    for (size_t i = 0; name[i]; i += 1u + name[i])
        k->first_starts[i / 64] |= (uint64_t)1 << i % 64;
    memcpy(k->out + k->pos, name, len);
    k->pos += len;
}

/* dns_pack_name, inlined into this file's callers: as a call (registers saved
 * and restored) it cost 15 more instructions a name. */
__attribute__((always_inline)) static inline bool pack_name(DnsPacker *k, const uint8_t *name,
                                                            size_t len)
{
    if (len > 1 && !k->first_len) {
        pack_first(k, name, len);
        return true;
    }
    size_t i = 0;
    int target = -1;
    for (; len > 1 && name[i]; i += 1u + name[i]) {
        if ((target = first_suffix(k, name + i, len - i)) >= 0)
            break;
        uint32_t key = suffix_key(name + i, len - i);
        if ((target = find_suffix(k, name + i, len - i, key)) >= 0)
            break;
        if (k->n == DNS_PACK_MAX)
            return false;
        k->w[k->n++] = (DnsPackSuffix){name + i, key, (uint16_t)(k->pos + i)};
    }
    size_t literal = target >= 0 ? i : len;
    memcpy(k->out + k->pos, name, literal);
    k->pos += literal;
    if (target >= 0) {
        put_be16(k->out + k->pos, (uint16_t)(0xC000 | target));
        k->pos += 2;
    }
    return true;
}

bool dns_pack_name(DnsPacker *k, const uint8_t *name, size_t len)
{
    return pack_name(k, name, len);
}

/* The length of the uncompressed wire name at p (at most avail bytes), or
 * 0 if it is not one: where dns_encode finds the names of rdata. */
static size_t name_len(const uint8_t *p, size_t avail)
{
    for (size_t i = 0; i < avail && i < DNS_NAME_MAX; i += 1u + p[i]) {
        if (p[i] == 0)
            return i + 1;
        if (p[i] > DNS_LABEL_MAX)
            return 0;
    }
    return 0;
}

/* Rdata, its names compressed where dns_encode compresses them; rdata that
 * does not parse as its type goes out as it is. */
static bool pack_rdata(DnsPacker *k, const DnsRR *rr)
{
    const uint8_t *p = rr->rdata;
    size_t len = rr->rdlen, a, b;
    switch (rr->type) {
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        if (len && name_len(p, len) == len)
            return pack_name(k, p, len);
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && name_len(p + 2, len - 2) == len - 2) {
            memcpy(k->out + k->pos, p, 2);
            k->pos += 2;
            return pack_name(k, p + 2, len - 2);
        }
        break;
    case DNS_TYPE_SOA:
        a = name_len(p, len);
        b = a ? name_len(p + a, len - a) : 0;
        if (a && b && len - a - b == 20) {
            if (!pack_name(k, p, a) || !pack_name(k, p + a, b))
                return false;
            memcpy(k->out + k->pos, p + a + b, 20);
            k->pos += 20;
            return true;
        }
        break;
    default:
        break;
    }
    if (len)
        memcpy(k->out + k->pos, p, len);
    k->pos += len;
    return true;
}

bool dns_pack_rr(DnsPacker *k, const DnsRR *rr)
{
    if (!pack_name(k, rr->name->data, rr->name->len))
        return false;
    uint8_t *p = k->out + k->pos;
    put_be16(p, rr->type);
    put_be16(p + 2, rr->klass);
    put_be32(p + 4, rr->ttl);
    k->pos += 10;
    if (!pack_rdata(k, rr))
        return false;
    put_be16(p + 8, (uint16_t)(k->out + k->pos - (p + 10))); /* RDLENGTH */
    return true;
}

/* The most bytes m can take: every name whole. */
static size_t msg_bound(const DnsMsg *m)
{
    size_t n = DNS_HEADER_LEN;
    for (size_t i = 0; i < m->n_qd; i++)
        n += m->qd[i].name.len + 4u;
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            n += m->rr[s][i].name->len + 10u + m->rr[s][i].rdlen;
    return n;
}

size_t dns_pack_msg(const DnsMsg *m, uint8_t *out, size_t cap)
{
    if (m->opcode >= 16 || m->rcode >= 16) /* dns_encode's to refuse */
        return 0;
    size_t bound = msg_bound(m);
    if (bound > cap || bound > PACK_MSG_MAX)
        return 0;
    DnsPacker k;
    dns_pack_start(&k, out);
    for (size_t i = 0; i < m->n_qd; i++) {
        const DnsQuestion *q = &m->qd[i];
        if (!pack_name(&k, q->name.data, q->name.len))
            return 0;
        put_be16(out + k.pos, q->type);
        put_be16(out + k.pos + 2, q->klass);
        k.pos += 4;
    }
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            if (!dns_pack_rr(&k, &m->rr[s][i]))
                return 0;
    uint16_t f =
        (uint16_t)((m->qr ? 0x8000 : 0) | (m->opcode << 11) | (m->aa ? 0x0400 : 0) |
                   (m->tc ? 0x0200 : 0) | (m->rd ? 0x0100 : 0) | (m->ra ? 0x0080 : 0) |
                   (m->z ? 0x0040 : 0) | (m->ad ? 0x0020 : 0) | (m->cd ? 0x0010 : 0) | m->rcode);
    put_be16(out, m->id);
    put_be16(out + 2, f);
    put_be16(out + 4, (uint16_t)m->n_qd);
    put_be16(out + 6, (uint16_t)m->n[DNS_ANSWER]);
    put_be16(out + 8, (uint16_t)m->n[DNS_AUTHORITY]);
    put_be16(out + 10, (uint16_t)m->n[DNS_ADDITIONAL]);
    return k.pos;
}
