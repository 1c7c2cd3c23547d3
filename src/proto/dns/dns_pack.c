/* dns_pack — the DNS encoder: dns_encode and its name compression.
 *
 * Every writer here comes in two forms, made from one always-inline body
 * by its `sure` argument (a constant at each call): sure, the message is
 * sure to fit and is below 4 KB, so no write checks room and every offset
 * is one a pointer reaches; not sure, each write checks room first and
 * gives up (false) if it does not fit, and offsets past 16 KB are not
 * remembered.  The rules of compression are written once, in pack_name. */
#include "dns_pack.h"

#include <assert.h>
#include <string.h>

#include "proto/dns/dns_wire_int.h"

/* A message of at most this many bytes, sure to fit, is written without a
 * check of room: most messages, a few records of a few short names. */
#define PACK_MSG_MAX 4096
/* Pointers reach only the first 16 KB of a message. */
#define PTR_LIMIT 0x4000
/* Suffixes a message that may not fit remembers at most, the first name's
 * among them: names after that are written without adding more (still
 * correct, less compact). */
#define TABLE_MAX     1024
#define TABLE_BUCKETS 512 /* a power of two */

/* The suffixes of a message that may not fit, hashed once there are more
 * than DNS_PACK_LIST. */
typedef struct PackTable {
    uint16_t head[TABLE_BUCKETS];
    DnsPackSuffix w[TABLE_MAX];
} PackTable;

static void packer_start(DnsPacker *k, uint8_t *out, size_t cap, PackTable *t)
{
    k->w = t ? t->w : k->list;
    k->head = t ? t->head : NULL;
    k->out = out;
    k->pos = DNS_HEADER_LEN;
    k->cap = cap;
    k->n = 0;
    k->first_len = 0;
}

void dns_pack_start(DnsPacker *k, uint8_t *out)
{
    packer_start(k, out, PACK_MSG_MAX, NULL);
}

/* Room for n more bytes, where a message may not fit. */
static inline bool room(const DnsPacker *k, size_t n, bool sure)
{
    return sure || k->cap - k->pos >= n;
}

/* ---- suffixes ------------------------------------------------------------ */

/* A suffix's key: its length, its first label's length, and the first
 * and last bytes of its labels, case folded.  Suffixes equal without
 * regard to case have equal keys; most that differ have different ones,
 * and are told apart without a call to dns_name_same_wire. */
static inline uint32_t suffix_key(const uint8_t *suffix, size_t len)
{
    return (uint32_t)len << 24 | (uint32_t)suffix[0] << 16 | (uint32_t)(suffix[1] | 0x20u) << 8 |
           (suffix[len - 2] | 0x20u);
}

static inline uint32_t key_bucket(uint32_t key)
{
    uint32_t v = key * 0x9E3779B1u;
    return (v ^ v >> 16) & (TABLE_BUCKETS - 1);
}

/* Where a suffix equal to the len bytes at name (key its suffix_key) was
 * written, or -1: the hashed suffixes, once there are too many to look
 * through. */
static int find_hashed(const DnsPacker *k, const uint8_t *name, size_t len, uint32_t key)
{
    for (uint16_t i = k->head[key_bucket(key)]; i != UINT16_MAX; i = k->w[i].next)
        if (k->w[i].key == key && dns_name_same_wire(k->w[i].suffix, name, len))
            return k->w[i].off;
    return -1;
}

/* The same: most messages hold a few suffixes, looked through in full.
 * Inlined, as pack_name is. */
__attribute__((always_inline)) static inline int
find_suffix(const DnsPacker *k, const uint8_t *name, size_t len, uint32_t key, bool sure)
{
    if (!sure && k->n > DNS_PACK_LIST)
        return find_hashed(k, name, len, key);
    const DnsPackSuffix *w = sure ? k->list : k->w; /* the same when sure */
    for (size_t i = 0; i < k->n; i++)
        if (w[i].key == key && dns_name_same_wire(w[i].suffix, name, len))
            return w[i].off;
    return -1;
}

static void link_suffix(DnsPacker *k, size_t i)
{
    uint16_t *b = &k->head[key_bucket(k->w[i].key)];
    k->w[i].next = *b;
    *b = (uint16_t)i;
}

/* The first name's labels that count towards TABLE_MAX: those a
 * pointer reaches. */
static size_t first_labels(const DnsPacker *k)
{
    size_t c = 0;
    for (size_t i = 0; k->first_len && k->first[i]; i += 1u + k->first[i])
        c += k->first_off + i < PTR_LIMIT;
    return c;
}

/* Adds a suffix past the short list: the list is hashed when it overflows
 * (and again whenever it overflows after a record was taken back). */
static void add_hashed(DnsPacker *k, const uint8_t *suffix, uint32_t key, size_t off)
{
    if (k->n + first_labels(k) >= TABLE_MAX)
        return;
    if (k->n == DNS_PACK_LIST) {
        memset(k->head, 0xFF, TABLE_BUCKETS * sizeof k->head[0]);
        for (size_t i = 0; i < k->n; i++)
            link_suffix(k, i);
    }
    k->w[k->n] = (DnsPackSuffix){suffix, key, (uint16_t)off, 0};
    link_suffix(k, k->n++);
}

/* False if the short list is full and there is no table. */
static inline bool add_suffix(DnsPacker *k, const uint8_t *suffix, uint32_t key, size_t off,
                              bool sure)
{
    if (!sure && off >= PTR_LIMIT)
        return true;
    if (k->n < DNS_PACK_LIST)
        (sure ? k->list : k->w)[k->n++] = (DnsPackSuffix){suffix, key, (uint16_t)off, 0};
    else if (!sure && k->head)
        add_hashed(k, suffix, key, off);
    else
        return false;
    return true;
}

/* Forgets the suffixes added since there were n, and the first name if it
 * was written from start on: a record that did not fit. */
static void take_back(DnsPacker *k, size_t start, size_t n)
{
    while (k->n > n) {
        size_t i = --k->n;
        if (i >= DNS_PACK_LIST) /* hashed: the newest of its bucket */
            k->head[key_bucket(k->w[i].key)] = k->w[i].next;
    }
    if (k->first_len && k->first_off >= start)
        k->first_len = 0;
    k->pos = start;
}

/* Where the suffix of the first name equal to the len bytes at name was
 * written, or -1.  Its first two bytes are compared before the call. */
__attribute__((always_inline)) static inline int
first_suffix(const DnsPacker *k, const uint8_t *name, size_t len, bool sure)
{
    if (k->first_len < len)
        return -1;
    size_t skip = k->first_len - len;
    const uint8_t *f = k->first + skip;
    if (!(k->first_starts[skip / 64] >> skip % 64 & 1) || f[0] != name[0] ||
        (f[1] | 0x20) != (name[1] | 0x20) || (!sure && k->first_off + skip >= PTR_LIMIT) ||
        !dns_name_same_wire(f, name, len))
        return -1;
    return (int)(k->first_off + skip);
}

/* ---- names and records ------------------------------------------------- */

/* The first name written (not the root): whole, its labels marked. */
static inline bool pack_first(DnsPacker *k, const uint8_t *name, size_t len, bool sure)
{
    if (!room(k, len, sure))
        return false;
    k->first = name;
    k->first_len = len;
    k->first_off = k->pos;
    memset(k->first_starts, 0, sizeof k->first_starts);
    for (size_t i = 0; name[i]; i += 1u + name[i])
        k->first_starts[i / 64] |= (uint64_t)1 << i % 64;
    memcpy(k->out + k->pos, name, len);
    k->pos += len;
    return true;
}

/* Writes an uncompressed wire name (len bytes, already checked): the
 * labels before the longest suffix written before, then a pointer to it;
 * the root never compressed.  False if it does not fit, or has too many
 * suffixes for a packer without a table.  Inlined into its
 * callers: as a call (registers saved and restored) it cost 15 more
 * instructions a name. */
__attribute__((always_inline)) static inline bool pack_name(DnsPacker *k, const uint8_t *name,
                                                            size_t len, bool sure)
{
    /* No suffix is listed before the first name is written, but after a
     * record that held it was taken back. */
    if (len > 1 && !k->first_len && (sure || (k->n == 0 && k->pos < PTR_LIMIT)))
        return pack_first(k, name, len, sure);
    size_t i = 0, at = k->pos;
    int target = -1;
    for (; len > 1 && name[i]; i += 1u + name[i]) {
        assert(i < len && name[i] <= DNS_LABEL_MAX); /* DnsName and rdata were checked */
        if ((target = first_suffix(k, name + i, len - i, sure)) >= 0)
            break;
        uint32_t key = suffix_key(name + i, len - i);
        if ((target = find_suffix(k, name + i, len - i, key, sure)) >= 0)
            break;
        if (!add_suffix(k, name + i, key, at + i, sure))
            return false;
    }
    size_t literal = target >= 0 ? i : len;
    if (!room(k, literal + (target >= 0 ? 2 : 0), sure))
        return false;
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
    return pack_name(k, name, len, true);
}

/* len bytes as they are. */
static inline bool pack_bytes(DnsPacker *k, const uint8_t *p, size_t len, bool sure)
{
    if (!room(k, len, sure))
        return false;
    if (len)
        memcpy(k->out + k->pos, p, len);
    k->pos += len;
    return true;
}

/* Rdata, the names of NS, CNAME, PTR, MX and SOA records compressed
 * (RFC 3597 4); rdata that does not parse as its type goes out as it is. */
__attribute__((always_inline)) static inline bool pack_rdata(DnsPacker *k, const DnsRR *rr,
                                                             bool sure)
{
    const uint8_t *p = rr->rdata;
    size_t len = rr->rdlen, a, b;
    switch (rr->type) {
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        if (len && dns_wire_name_len(p, len) == len) /* no rdata is no name */
            return pack_name(k, p, len, sure);
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && dns_wire_name_len(p + 2, len - 2) == len - 2)
            return pack_bytes(k, p, 2, sure) && pack_name(k, p + 2, len - 2, sure);
        break;
    case DNS_TYPE_SOA:
        a = dns_wire_name_len(p, len);
        b = a ? dns_wire_name_len(p + a, len - a) : 0;
        if (a && b && len - a - b == 20)
            return pack_name(k, p, a, sure) && pack_name(k, p + a, b, sure) &&
                   pack_bytes(k, p + a + b, 20, sure);
        break;
    default:
        break;
    }
    return pack_bytes(k, p, len, sure);
}

/* A record; false if it does not fit (the caller takes it back). */
__attribute__((always_inline)) static inline bool pack_rr(DnsPacker *k, const DnsRR *rr, bool sure)
{
    if (!pack_name(k, rr->name->data, rr->name->len, sure) || !room(k, 10, sure))
        return false;
    size_t at = k->pos;
    uint8_t *p = k->out + at;
    put_be16(p, rr->type);
    put_be16(p + 2, rr->klass);
    put_be32(p + 4, rr->ttl);
    k->pos += 10;
    if (!pack_rdata(k, rr, sure))
        return false;
    put_be16(k->out + at + 8, (uint16_t)(k->pos - (at + 10))); /* RDLENGTH */
    return true;
}

bool dns_pack_rr(DnsPacker *k, const DnsRR *rr)
{
    return pack_rr(k, rr, true);
}

__attribute__((always_inline)) static inline bool pack_question(DnsPacker *k, const DnsQuestion *q,
                                                                bool sure)
{
    if (!pack_name(k, q->name.data, q->name.len, sure) || !room(k, 4, sure))
        return false;
    put_be16(k->out + k->pos, q->type);
    put_be16(k->out + k->pos + 2, q->klass);
    k->pos += 4;
    return true;
}

/* ---- messages -------------------------------------------------------------- */

/* The most bytes m can take: every name whole. */
static inline size_t msg_bound(const DnsMsg *m)
{
    size_t n = DNS_HEADER_LEN;
    for (size_t i = 0; i < m->n_qd; i++)
        n += m->qd[i].name.len + 4u;
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            n += m->rr[s][i].name->len + 10u + m->rr[s][i].rdlen;
    return n;
}

static inline void put_header(const DnsMsg *m, bool tc, uint8_t *out)
{
    uint16_t f =
        (uint16_t)((m->qr ? 0x8000 : 0) | (m->opcode << 11) | (m->aa ? 0x0400 : 0) |
                   (tc ? 0x0200 : 0) | (m->rd ? 0x0100 : 0) | (m->ra ? 0x0080 : 0) |
                   (m->z ? 0x0040 : 0) | (m->ad ? 0x0020 : 0) | (m->cd ? 0x0010 : 0) | m->rcode);
    put_be16(out, m->id);
    put_be16(out + 2, f);
}

/* A message sure to fit: everything, with no check of room; 0 if it has
 * more suffixes than the short list holds. */
static size_t encode_sure(const DnsMsg *m, uint8_t *out)
{
    DnsPacker k;
    packer_start(&k, out, PACK_MSG_MAX, NULL);
    for (size_t i = 0; i < m->n_qd; i++)
        if (!pack_question(&k, &m->qd[i], true))
            return 0;
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            if (!pack_rr(&k, &m->rr[s][i], true))
                return 0;
    put_header(m, m->tc, out);
    put_be16(out + 4, (uint16_t)m->n_qd);
    put_be16(out + 6, (uint16_t)m->n[DNS_ANSWER]);
    put_be16(out + 8, (uint16_t)m->n[DNS_AUTHORITY]);
    put_be16(out + 10, (uint16_t)m->n[DNS_ADDITIONAL]);
    return k.pos;
}

/* One record, whole or not at all: on failure the output and the
 * suffixes remembered are as they were. */
static bool put_rr(DnsPacker *k, const DnsRR *rr)
{
    size_t start = k->pos, n = k->n;
    if (pack_rr(k, rr, false))
        return true;
    take_back(k, start, n);
    return false;
}

static bool put_question(DnsPacker *k, const DnsQuestion *q)
{
    size_t start = k->pos, n = k->n;
    if (pack_question(k, q, false))
        return true;
    take_back(k, start, n);
    return false;
}

/* Room an OPT record can need (its owner is the root in any real message). */
static size_t opt_size(const DnsRR *rr)
{
    return (size_t)rr->name->len + 10 + rr->rdlen;
}

/* A message that may not fit: records that do not are left out whole,
 * from the end.  Answer and authority records left out set TC; additional
 * ones are dropped quietly (RFC 2181 9), except the OPT record: room for
 * it is kept back from the start, so a truncated EDNS answer still says
 * EDNS (RFC 6891 7). */
static size_t encode_cut(const DnsMsg *m, uint8_t *out, size_t cap)
{
    DnsPacker k;
    PackTable t;
    packer_start(&k, out, cap, &t);
    bool tc = m->tc;
    size_t nq = 0, count[DNS_SECTIONS] = {0, 0, 0};
    for (size_t i = 0; i < m->n_qd && nq < 65535; i++) {
        if (!put_question(&k, &m->qd[i])) {
            tc = true;
            break;
        }
        nq++;
    }
    bool stop = nq < m->n_qd; /* nothing more goes in once something is left out */
    put_be16(out + 4, (uint16_t)nq);

    size_t reserve = 0;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++)
        if (m->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT)
            reserve += opt_size(&m->rr[DNS_ADDITIONAL][i]);
    if (stop || reserve > cap - k.pos)
        reserve = 0;
    k.cap = cap - reserve;

    for (int s = DNS_ANSWER; s <= DNS_AUTHORITY && !stop; s++)
        for (size_t i = 0; i < m->n[s] && !stop; i++) {
            if (count[s] < 65535 && put_rr(&k, &m->rr[s][i]))
                count[s]++;
            else
                stop = tc = true;
        }
    put_be16(out + 6, (uint16_t)count[DNS_ANSWER]);
    put_be16(out + 8, (uint16_t)count[DNS_AUTHORITY]);
    bool dropping = stop;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL] && count[DNS_ADDITIONAL] < 65535; i++) {
        const DnsRR *rr = &m->rr[DNS_ADDITIONAL][i];
        bool opt = rr->type == DNS_TYPE_OPT && reserve > 0;
        if (dropping && !opt)
            continue;
        if (opt) {
            reserve -= opt_size(rr);
            k.cap = cap - reserve;
        }
        if (put_rr(&k, rr))
            count[DNS_ADDITIONAL]++;
        else
            dropping = true;
    }
    put_header(m, tc, out);
    put_be16(out + 10, (uint16_t)count[DNS_ADDITIONAL]);
    return k.pos;
}

/* True if m, every name whole, fits in cap and in PACK_MSG_MAX. */
static inline bool sure_to_fit(const DnsMsg *m, size_t cap)
{
    size_t bound = msg_bound(m);
    return bound <= cap && bound <= PACK_MSG_MAX;
}

size_t dns_encode(const DnsMsg *m, uint8_t *out, size_t cap)
{
    assert(m->opcode < 16 && m->rcode < 16); /* extended RCODE bits belong in OPT */
    if (cap < DNS_HEADER_LEN)
        return 0;
    if (cap > 65535)
        cap = 65535; /* a DNS message is never longer (TCP's length prefix) */
    size_t n = sure_to_fit(m, cap) ? encode_sure(m, out) : 0;
    return n ? n : encode_cut(m, out, cap);
}
