/* dns_wire — DNS messages to and from wire bytes, and their text forms.
 *
 * The file has four parts: storage (DnsMsg and its arena), the decoder,
 * the encoder with its compression table, and the text that dig and
 * Wireshark print.  Text formats were checked against dig 9.18 and tshark
 * 4.0 on real messages (tests/data/dns/ holds them). */
#include "proto/dns/dns_wire.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== storage =========================================================== */

/* Rdata lives in blocks that never move, so DnsRR.rdata stays valid while
 * records are added.  Most messages are small and short-lived (one per
 * packet decoded or built): their rdata, questions and records fit in the
 * DnsMsg itself.  A bigger message grows into 4 KB heap blocks and
 * doubled arrays; dns_msg_reset rewinds to the inline bytes and reuses the
 * chain of blocks in order, so a message that has grown allocates nothing
 * more. */
#define ARENA_BLOCK 4096

struct DnsArenaBlock {
    struct DnsArenaBlock *next;
    size_t size, used;
    uint8_t data[];
};

static DnsArenaBlock *block_new(size_t size)
{
    DnsArenaBlock *b = xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

/* n bytes that stay put until reset or fini; never NULL, even for n == 0,
 * so callers may hand the pointer to memcpy. */
static uint8_t *arena_alloc(DnsMsg *m, size_t n)
{
    if (!m->cur && DNS_MSG_INLINE_BYTES - m->bytes_used >= n) {
        uint8_t *p = m->bytes + m->bytes_used;
        m->bytes_used += n;
        return p;
    }
    DnsArenaBlock *b = m->cur;
    if (!b || b->size - b->used < n) {
        /* The next block in the chain is reused if it is big enough; a
         * bigger one is put in front of it otherwise. */
        DnsArenaBlock **link = b ? &b->next : &m->blocks;
        DnsArenaBlock *next = *link;
        if (!next || next->size < n) {
            DnsArenaBlock *fresh = block_new(n > ARENA_BLOCK ? n : ARENA_BLOCK);
            fresh->next = next;
            *link = fresh;
            next = fresh;
        }
        next->used = 0;
        m->cur = b = next;
    }
    uint8_t *p = b->data + b->used;
    b->used += n;
    return p;
}

/* Only the header and the bookkeeping: the inline storage is filled as it
 * is used. */
void dns_msg_init(DnsMsg *m)
{
    memset(m, 0, offsetof(DnsMsg, qd_inline));
    m->qd = m->qd_inline;
    m->qd_cap = MN_ARRAY_LEN(m->qd_inline);
    for (int s = 0; s < DNS_SECTIONS; s++) {
        m->rr[s] = m->rr_inline[s];
        m->cap[s] = DNS_MSG_INLINE_RR;
    }
}

void dns_msg_fini(DnsMsg *m)
{
    DnsArenaBlock *b = m->blocks;
    while (b) {
        DnsArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    if (m->qd != m->qd_inline)
        free(m->qd);
    for (int s = 0; s < DNS_SECTIONS; s++)
        if (m->rr[s] != m->rr_inline[s])
            free(m->rr[s]);
    dns_msg_init(m);
}

void dns_msg_reset(DnsMsg *m)
{
    m->id = 0;
    m->qr = m->aa = m->tc = m->rd = m->ra = m->ad = m->cd = m->z = false;
    m->opcode = m->rcode = 0;
    m->n_qd = 0;
    for (int s = 0; s < DNS_SECTIONS; s++)
        m->n[s] = 0;
    m->bytes_used = 0;
    m->cur = NULL;
}

static void name_copy(DnsName *to, const DnsName *from)
{
    to->len = from->len;
    to->labels = from->labels;
    memcpy(to->data, from->data, from->len);
}

/* Room for one more element in *p (n used of *cap), doubling; the
 * inline array (in_msg) is left for the heap, never freed. */
static void *grow(void *p, void *in_msg, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 4;
    if (p != in_msg)
        return xrealloc(p, *cap * size);
    void *q = xmalloc(*cap * size);
    memcpy(q, p, n * size);
    return q;
}

static DnsQuestion *question_slot(DnsMsg *m)
{
    m->qd = grow(m->qd, m->qd_inline, m->n_qd, &m->qd_cap, sizeof *m->qd);
    return &m->qd[m->n_qd];
}

/* The next free record of section s, not yet counted in m->n[s]. */
static DnsRR *rr_slot(DnsMsg *m, DnsSection s)
{
    m->rr[s] = grow(m->rr[s], m->rr_inline[s], m->n[s], &m->cap[s], sizeof *m->rr[s]);
    return &m->rr[s][m->n[s]];
}

void dns_msg_add_question(DnsMsg *m, const DnsName *name, uint16_t type, uint16_t klass)
{
    DnsQuestion *q = question_slot(m);
    name_copy(&q->name, name);
    q->type = type;
    q->klass = klass;
    q->wire_off = q->wire_len = 0;
    m->n_qd++;
}

/* The pointer returned is valid until the next record is added to the same
 * section (the array may move); rr->rdata stays valid until reset. */
DnsRR *dns_msg_add_rr(DnsMsg *m, DnsSection s, const DnsName *name, uint16_t type, uint16_t klass,
                      uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
    assert(s >= DNS_ANSWER && s < DNS_SECTIONS);
    assert(rdata || rdlen == 0);
    DnsRR *rr = rr_slot(m, s);
    name_copy(&rr->name, name);
    rr->type = type;
    rr->klass = klass;
    rr->ttl = ttl;
    rr->rdlen = rdlen;
    uint8_t *copy = arena_alloc(m, rdlen);
    if (rdlen)
        memcpy(copy, rdata, rdlen);
    rr->rdata = copy;
    rr->wire_off = rr->wire_len = 0;
    m->n[s]++;
    return rr;
}

/* ==== shared helpers ===================================================== */

static const char *const section_word[DNS_SECTIONS] = {"answer", "authority", "additional"};

/* Length of the uncompressed wire name at p (at most avail bytes), or 0 if
 * it is not one: labels of at most 63 bytes, at most 255 in all. */
static size_t wire_name_len(const uint8_t *p, size_t avail)
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
static bool txt_valid(const uint8_t *p, size_t len)
{
    if (len == 0)
        return false;
    size_t i = 0;
    while (i < len)
        i += 1 + (size_t)p[i];
    return i == len;
}

/* ==== decoder ============================================================ */

typedef struct Dec {
    const uint8_t *p;
    size_t len;
    char *why;
    size_t size;
    int sec;    /* -2 header, -1 question, else a DnsSection */
    size_t idx; /* 1-based record (or question) number */
    /* The first question's name, at offset 12, once the questions are
     * read (else NULL): a pointer to it is the most common name. */
    const DnsName *qname;
} Dec;

static bool fail(Dec *d, const char *fmt, ...) MN_PRINTF(2, 3);

/* Writes "<where>: <what>" into why; always returns false. */
static bool fail(Dec *d, const char *fmt, ...)
{
    if (!d->why || d->size == 0)
        return false;
    int n = 0;
    if (d->sec == -1)
        n = snprintf(d->why, d->size, "question %zu: ", d->idx);
    else if (d->sec >= 0)
        n = snprintf(d->why, d->size, "%s record %zu: ", section_word[d->sec], d->idx);
    if (n < 0 || (size_t)n >= d->size)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->why + n, d->size - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* Reads a possibly compressed name starting at *pos into out.  The bytes of
 * the name itself (before any pointer) must end by `end` (the end of the
 * rdata, or of the message); what a pointer leads to may be anywhere
 * earlier in the message.
 *
 * Loops are impossible by construction, as in BIND: each pointer must
 * point strictly before the place where the labels being read started
 * (the name's start, then the previous pointer's target), so every jump
 * goes further back and the walk ends.  Pointers into the 12-byte header
 * are refused: no encoder writes them.  On success *pos is the offset
 * just after the name as it sits in the message (after the first
 * pointer, if any). */
static bool read_name(Dec *d, size_t *pos, size_t end, bool in_rdata, const char *what,
                      DnsName *out)
{
    size_t i = *pos, lim = end, floor = *pos, after = 0;
    if (d->qname && i + 1 < lim && d->p[i] == 0xC0 && d->p[i + 1] == DNS_HEADER_LEN) {
        /* Only a pointer to the question, which read as it does here. */
        out->len = d->qname->len;
        out->labels = d->qname->labels;
        memcpy(out->data, d->qname->data, d->qname->len);
        *pos = i + 2;
        return true;
    }
    const char *bound = in_rdata ? "record data" : "message";
    bool jumped = false;
    size_t n = 0;
    uint8_t labels = 0;
    for (;;) {
        if (i >= lim)
            return fail(d, "%s runs past the end of the %s", what, bound);
        uint8_t c = d->p[i];
        if (c == 0) {
            out->data[n++] = 0;
            i++;
            break;
        }
        if ((c & 0xC0) == 0xC0) {
            if (i + 1 >= lim)
                return fail(d, "%s: compression pointer at offset %zu is cut off", what, i);
            size_t target = ((size_t)(c & 0x3F) << 8) | d->p[i + 1];
            if (target < DNS_HEADER_LEN)
                return fail(d,
                            "%s: compression pointer at offset %zu points into the header "
                            "(offset %zu)",
                            what, i, target);
            if (target == i)
                return fail(d, "%s: compression pointer at offset %zu points to itself", what, i);
            if (target >= floor)
                return fail(d,
                            "%s: compression pointer at offset %zu points to offset %zu, "
                            "not back before offset %zu (a forward pointer or a loop)",
                            what, i, target, floor);
            if (!jumped)
                after = i + 2;
            jumped = true;
            floor = target;
            i = target;
            lim = d->len;
            bound = "message";
            continue;
        }
        if (c & 0xC0)
            return fail(d,
                        "%s: label type 0x%02x at offset %zu is not allowed (labels are at "
                        "most 63 bytes; 0x40 and 0x80 are undefined label types)",
                        what, c & 0xC0, i);
        if (i + 1 + c > lim)
            return fail(d, "%s: a %u-byte label at offset %zu runs past the end of the %s", what, c,
                        i, bound);
        if (n + 1 + c + 1 > DNS_NAME_MAX)
            return fail(d, "%s is longer than 255 bytes", what);
        memcpy(out->data + n, d->p + i, 1 + (size_t)c);
        n += 1 + (size_t)c;
        labels++;
        i += 1 + (size_t)c;
    }
    out->len = (uint8_t)n;
    out->labels = labels;
    *pos = jumped ? after : i;
    return true;
}

/* Appends the uncompressed form of the name at *pos to buf (at *used). */
static bool expand_name(Dec *d, size_t *pos, size_t end, const char *what, uint8_t *buf,
                        size_t *used)
{
    DnsName n;
    if (!read_name(d, pos, end, true, what, &n))
        return false;
    memcpy(buf + *used, n.data, n.len);
    *used += n.len;
    return true;
}

/* Rdata holding names: NS, CNAME, PTR, MX, SOA.  Their names may be
 * compressed on the wire (RFC 3597 4); they are stored expanded. */
static bool expand_rdata(Dec *d, DnsMsg *m, DnsRR *rr, size_t pos, size_t end)
{
    uint8_t buf[2 * DNS_NAME_MAX + 20];
    size_t used = 0;
    char tn[16];
    const char *tname = dns_type_name(rr->type, tn);
    switch (rr->type) {
    case DNS_TYPE_MX:
        if (end - pos < 3)
            return fail(d, "MX rdata is %zu bytes (a 2-byte preference and a name)", end - pos);
        memcpy(buf, d->p + pos, 2);
        used = 2;
        pos += 2;
        if (!expand_name(d, &pos, end, "MX exchange", buf, &used))
            return false;
        break;
    case DNS_TYPE_SOA:
        if (!expand_name(d, &pos, end, "SOA mname", buf, &used) ||
            !expand_name(d, &pos, end, "SOA rname", buf, &used))
            return false;
        if (end - pos != 20)
            return fail(d,
                        "SOA has %zu bytes after its two names (expected 20: serial, refresh, "
                        "retry, expire, minimum)",
                        end - pos);
        memcpy(buf + used, d->p + pos, 20);
        used += 20;
        pos += 20;
        break;
    default: /* NS, CNAME, PTR */
        if (!expand_name(d, &pos, end, tname, buf, &used))
            return false;
        break;
    }
    if (pos != end)
        return fail(d, "%s rdata has %zu bytes left over after its name", tname, end - pos);
    uint8_t *copy = arena_alloc(m, used);
    memcpy(copy, buf, used);
    rr->rdata = copy;
    rr->rdlen = (uint16_t)used;
    return true;
}

static bool check_rdata(Dec *d, const DnsRR *rr, const uint8_t *rd, size_t rdlen)
{
    /* A and AAAA are defined for class IN only (CH A is something else);
     * in other classes they travel opaque, as BIND treats them. */
    if (rr->type == DNS_TYPE_A && rr->klass == DNS_CLASS_IN && rdlen != 4)
        return fail(d, "A rdata is %zu bytes (an IPv4 address is 4)", rdlen);
    if (rr->type == DNS_TYPE_AAAA && rr->klass == DNS_CLASS_IN && rdlen != 16)
        return fail(d, "AAAA rdata is %zu bytes (an IPv6 address is 16)", rdlen);
    if (rr->type == DNS_TYPE_TXT) {
        if (rdlen == 0)
            return fail(d, "TXT rdata is empty (it holds at least one string)");
        size_t i = 0;
        int k = 0;
        while (i < rdlen) {
            k++;
            size_t l = rd[i];
            if (i + 1 + l > rdlen)
                return fail(d, "TXT string %d (%zu bytes) runs past the end of the rdata", k, l);
            i += 1 + l;
        }
    }
    return true;
}

static bool read_rr(Dec *d, DnsMsg *m, DnsSection s, size_t *pos)
{
    DnsRR *rr = rr_slot(m, s);
    size_t first = *pos;
    if (!read_name(d, pos, d->len, false, "owner name", &rr->name))
        return false;
    if (d->len - *pos < 10)
        return fail(d,
                    "the message ends inside the record's fixed fields (10 bytes needed, "
                    "%zu left)",
                    d->len - *pos);
    const uint8_t *p = d->p + *pos;
    rr->type = get_be16(p);
    rr->klass = get_be16(p + 2);
    rr->ttl = get_be32(p + 4);
    size_t rdlen = get_be16(p + 8);
    *pos += 10;
    if (rdlen > d->len - *pos)
        return fail(d, "rdata length %zu runs past the end of the message (%zu bytes left)", rdlen,
                    d->len - *pos);
    size_t start = *pos, end = *pos + rdlen;
    *pos = end;
    switch (rr->type) {
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_MX:
    case DNS_TYPE_SOA:
        if (!expand_rdata(d, m, rr, start, end))
            return false;
        break;
    default:
        if (!check_rdata(d, rr, d->p + start, rdlen))
            return false;
        uint8_t *copy = arena_alloc(m, rdlen);
        memcpy(copy, d->p + start, rdlen);
        rr->rdata = copy;
        rr->rdlen = (uint16_t)rdlen;
        break;
    }
    rr->wire_off = (uint32_t)first;
    rr->wire_len = (uint32_t)(end - first);
    m->n[s]++;
    return true;
}

static bool read_question(Dec *d, DnsMsg *m, size_t *pos)
{
    DnsQuestion *q = question_slot(m);
    size_t first = *pos;
    if (!read_name(d, pos, d->len, false, "name", &q->name))
        return false;
    if (d->len - *pos < 4)
        return fail(d, "the message ends inside the question's type and class (%zu of 4 bytes)",
                    d->len - *pos);
    q->type = get_be16(d->p + *pos);
    q->klass = get_be16(d->p + *pos + 2);
    *pos += 4;
    q->wire_off = (uint32_t)first;
    q->wire_len = (uint32_t)(*pos - first);
    m->n_qd++;
    return true;
}

static bool overrun(Dec *d, unsigned promised, const char *what, size_t got)
{
    d->sec = -2;
    return fail(d, "the header promises %u %s%s but the message ends after %zu", promised, what,
                promised == 1 ? "" : "s", got);
}

/* Trailing bytes after the last record are ignored, as BIND 9.18 does:
 * dns_message_parse accepts the message and dig only prints ";; WARNING:
 * Message has N extra bytes at end" (checked against dig 9.18.49).  On
 * success why holds that warning, or "" when there is none. */
bool dns_decode(DnsMsg *m, const uint8_t *p, size_t len, char *why, size_t size)
{
    Dec d = {p, len, why, size, -2, 0, NULL};
    dns_msg_reset(m);
    if (why && size)
        why[0] = '\0';
    if (len < DNS_HEADER_LEN)
        return fail(&d, "the message is %zu bytes, shorter than the 12-byte header", len);
    m->id = get_be16(p);
    uint16_t f = get_be16(p + 2);
    m->qr = f & 0x8000;
    m->opcode = (uint8_t)((f >> 11) & 0xF);
    m->aa = f & 0x0400;
    m->tc = f & 0x0200;
    m->rd = f & 0x0100;
    m->ra = f & 0x0080;
    m->z = f & 0x0040;
    m->ad = f & 0x0020;
    m->cd = f & 0x0010;
    m->rcode = (uint8_t)(f & 0xF);
    unsigned qd = get_be16(p + 4);
    unsigned count[DNS_SECTIONS] = {get_be16(p + 6), get_be16(p + 8), get_be16(p + 10)};
    size_t pos = DNS_HEADER_LEN;
    for (unsigned i = 0; i < qd; i++) {
        if (pos >= len)
            return overrun(&d, qd, "question", i);
        d.sec = -1;
        d.idx = i + 1;
        if (!read_question(&d, m, &pos))
            return false;
    }
    if (qd)
        d.qname = &m->qd[0].name;
    for (int s = 0; s < DNS_SECTIONS; s++) {
        for (unsigned i = 0; i < count[s]; i++) {
            if (pos >= len) {
                char what[32];
                snprintf(what, sizeof what, "%s record", section_word[s]);
                return overrun(&d, count[s], what, i);
            }
            d.sec = s;
            d.idx = i + 1;
            if (!read_rr(&d, m, (DnsSection)s, &pos))
                return false;
        }
    }
    if (pos < len && why && size)
        snprintf(why, size, "%zu byte%s after the last record, ignored", len - pos,
                 len - pos == 1 ? "" : "s");
    return true;
}

void dns_msg_add_opt(DnsMsg *m, uint16_t udp_size, const uint8_t *options, uint16_t len)
{
    DnsName root;
    dns_name_root(&root);
    dns_msg_add_rr(m, DNS_ADDITIONAL, &root, DNS_TYPE_OPT, udp_size, 0, options, len);
}

/* ==== encoder ============================================================ */

/* The compression table maps each name suffix already written (below
 * offset 0x4000, where a pointer can reach) to its offset.  Keys are the
 * suffix's uncompressed bytes, compared without regard to ASCII case, as
 * NSD and BIND compress: names below a mixed-case question ("WWW.Montana.EDU")
 * come out in the question's spelling, which is what dig then shows.  The
 * question itself is always written as asked.  It lives on the stack: 1024 suffixes at most, after
 * which names are written without adding more (still correct, less compact). Each lookup costs one
 * hash probe per label, so a large answer costs O(records x labels), not a scan of the message. */
#define CT_MAX     1024
#define CT_BUCKETS 512 /* a power of two */
/* A message of at most this many bytes (any UDP one) holds few names: it
 * uses only the first CT_SMALL buckets, so fewer are cleared per message. */
#define CT_SMALL_MSG 4096
#define CT_SMALL     64
#define CT_NONE      0xFFFF
#define PTR_LIMIT    0x4000

typedef struct CEntry {
    const uint8_t *suffix; /* uncompressed, in the message being encoded */
    uint32_t hash;
    uint16_t off, next;
    uint8_t len;
} CEntry;

typedef struct Enc {
    uint8_t *out;
    size_t pos, cap;
    bool full; /* a write did not fit */
    size_t n;
    /* The first name written (not the root): its suffixes go into the
     * table only when a later name may point into them (pending), so a
     * message with one name (a query) hashes none. */
    const uint8_t *first;
    size_t first_len, first_off; /* first_len 0: none yet */
    bool pending;
    uint32_t mask; /* buckets in use, less one */
    uint16_t head[CT_BUCKETS];
    CEntry e[CT_MAX];
} Enc;

static void put(Enc *e, const void *p, size_t n)
{
    if (e->full || e->cap - e->pos < n) {
        e->full = true;
        return;
    }
    if (n)
        memcpy(e->out + e->pos, p, n);
    e->pos += n;
}

static void put16(Enc *e, uint16_t v)
{
    uint8_t b[2];
    put_be16(b, v);
    put(e, b, 2);
}

static void put32(Enc *e, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    put(e, b, 4);
}

static inline uint8_t ct_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Label length bytes are below 64, so lowering every byte only folds the
 * letters. */
static bool ct_same(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (memcmp(a, b, len) == 0)
        return true;
    for (size_t i = 0; i < len; i++)
        if (ct_lower(a[i]) != ct_lower(b[i]))
            return false;
    return true;
}

static uint16_t ct_find(const Enc *e, uint32_t h, const uint8_t *suffix, size_t len)
{
    for (uint16_t k = e->head[h & e->mask]; k != CT_NONE; k = e->e[k].next) {
        const CEntry *c = &e->e[k];
        if (c->hash == h && c->len == len && ct_same(c->suffix, suffix, len))
            return c->off;
    }
    return CT_NONE;
}

static void ct_add(Enc *e, uint32_t h, const uint8_t *suffix, size_t len, size_t off)
{
    if (e->n == CT_MAX || off >= PTR_LIMIT)
        return;
    CEntry *c = &e->e[e->n];
    c->suffix = suffix;
    c->hash = h;
    c->len = (uint8_t)len;
    c->off = (uint16_t)off;
    uint16_t *b = &e->head[h & e->mask];
    c->next = *b;
    *b = (uint16_t)e->n++;
}

/* Forgets the entries added since there were n (a record that did not fit). */
static void ct_rollback(Enc *e, size_t n)
{
    while (e->n > n) {
        CEntry *c = &e->e[--e->n];
        e->head[c->hash & e->mask] = c->next;
    }
}

/* The offsets of name's labels into off, and the hashes of its suffixes
 * into hash; returns how many labels.  A label counts by its length and
 * its first and last bytes: cheap, and enough to tell a message's few
 * dozen suffixes apart (ct_same settles the rest; equal suffixes have
 * equal hashes, whatever the case of their letters). */
static int suffix_hashes(const uint8_t *name, size_t len, size_t *off, uint32_t *hash)
{
    int labels = 0;
    for (size_t i = 0; name[i]; i += 1 + (size_t)name[i]) {
        assert(i < len && name[i] <= DNS_LABEL_MAX); /* DnsName and rdata were checked */
        off[labels++] = i;
    }
    (void)len;
    uint32_t h = 2166136261u;
    for (int k = labels - 1; k >= 0; k--) {
        const uint8_t *l = name + off[k];
        uint32_t v = (uint32_t)l[0] << 16 | (uint32_t)(l[1] | 0x20u) << 8 | (l[l[0]] | 0x20u);
        h = (h ^ v) * 16777619u;
        hash[k] = h;
    }
    return labels;
}

/* Puts the first name's suffixes into the table, as if added when it was
 * written. */
static void add_first(Enc *e)
{
    size_t off[DNS_NAME_MAX / 2 + 1];
    uint32_t hash[DNS_NAME_MAX / 2 + 1];
    int labels = suffix_hashes(e->first, e->first_len, off, hash);
    for (int k = 0; k < labels; k++)
        ct_add(e, hash[k], e->first + off[k], e->first_len - off[k], e->first_off + off[k]);
    e->pending = false;
}

/* Writes an uncompressed wire name (len bytes, already checked), replacing
 * its longest suffix written before by a pointer. */
static void put_name(Enc *e, const uint8_t *name, size_t len)
{
    /* Most names in a message are the root (an OPT record's owner), the
     * first name, or the first name again (answers' owners): none needs
     * hashing.  The root is never compressed; the first name is the only
     * entry of the table equal to itself. */
    if (len == 1) {
        put(e, name, 1);
        return;
    }
    if (e->first_len == len && ct_same(e->first, name, len)) {
        put16(e, (uint16_t)(0xC000 | e->first_off));
        return;
    }
    if (!e->first_len && e->n == 0 && e->pos < PTR_LIMIT) {
        size_t at = e->pos;
        put(e, name, len);
        if (!e->full) {
            e->first = name;
            e->first_len = len;
            e->first_off = at;
            e->pending = true;
        }
        return;
    }
    if (e->pending)
        add_first(e);
    size_t off[DNS_NAME_MAX / 2 + 1];
    uint32_t hash[DNS_NAME_MAX / 2 + 1];
    int labels = suffix_hashes(name, len, off, hash);
    int match = labels;
    uint16_t target = CT_NONE;
    for (int k = 0; k < labels && e->n; k++) {
        target = ct_find(e, hash[k], name + off[k], len - off[k]);
        if (target != CT_NONE) {
            match = k;
            break;
        }
    }
    /* The labels before the match in one piece (the whole name, its root
     * included, when nothing matched), then the pointer. */
    size_t at = e->pos;
    put(e, name, match < labels ? off[match] : len);
    for (int k = 0; k < match && !e->full; k++)
        ct_add(e, hash[k], name + off[k], len - off[k], at + off[k]);
    if (match < labels)
        put16(e, (uint16_t)(0xC000 | target));
}

/* Forgets what a record that did not fit wrote (from start) and added to
 * the table (entries past n): the first name too if it was in it, or, if
 * this record put the first name's suffixes in the table (they are its
 * first entries), only those. */
static void undo(Enc *e, size_t start, size_t n)
{
    e->full = false;
    e->pos = start;
    ct_rollback(e, n);
    if (e->first_len && e->first_off >= start) {
        e->first_len = 0;
        e->pending = false;
    } else if (e->first_len && e->n == 0) {
        e->pending = true;
    }
}

/* Rdata with names that may be compressed (RFC 3597 4: NS, CNAME, PTR,
 * MX, SOA).  Rdata that does not parse as its type goes out as it is. */
static void put_rdata(Enc *e, const DnsRR *rr)
{
    const uint8_t *p = rr->rdata;
    size_t len = rr->rdlen, a, b;
    switch (rr->type) {
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        if (wire_name_len(p, len) == len) {
            put_name(e, p, len);
            return;
        }
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && wire_name_len(p + 2, len - 2) == len - 2) {
            put(e, p, 2);
            put_name(e, p + 2, len - 2);
            return;
        }
        break;
    case DNS_TYPE_SOA:
        a = wire_name_len(p, len);
        b = a ? wire_name_len(p + a, len - a) : 0;
        if (a && b && len - a - b == 20) {
            put_name(e, p, a);
            put_name(e, p + a, b);
            put(e, p + a + b, 20);
            return;
        }
        break;
    default:
        break;
    }
    put(e, p, len);
}

/* One record, whole or not at all: on failure the output and the
 * compression table are as they were. */
static bool put_rr(Enc *e, const DnsRR *rr)
{
    size_t start = e->pos, n = e->n;
    put_name(e, rr->name.data, rr->name.len);
    put16(e, rr->type);
    put16(e, rr->klass);
    put32(e, rr->ttl);
    size_t at = e->pos;
    put16(e, 0);
    put_rdata(e, rr);
    if (e->full) {
        undo(e, start, n);
        return false;
    }
    put_be16(e->out + at, (uint16_t)(e->pos - at - 2));
    return true;
}

static bool put_question(Enc *e, const DnsQuestion *q)
{
    size_t start = e->pos, n = e->n;
    put_name(e, q->name.data, q->name.len);
    put16(e, q->type);
    put16(e, q->klass);
    if (e->full) {
        undo(e, start, n);
        return false;
    }
    return true;
}

/* Room an OPT record can need (its owner is the root in any real message). */
static size_t opt_size(const DnsRR *rr)
{
    return (size_t)rr->name.len + 10 + rr->rdlen;
}

/* Records that do not fit are left out whole, from the end.  Answer and
 * authority records left out set TC; additional ones are dropped quietly
 * (RFC 2181 9), except the OPT record: room for it is kept back from the
 * start, so a truncated EDNS answer still says EDNS (RFC 6891 7). */
size_t dns_encode(const DnsMsg *m, uint8_t *out, size_t cap)
{
    assert(m->opcode < 16 && m->rcode < 16); /* extended RCODE bits belong in OPT */
    if (cap < DNS_HEADER_LEN)
        return 0;
    if (cap > 65535)
        cap = 65535; /* a DNS message is never longer (TCP's length prefix) */
    Enc e;
    e.out = out;
    e.pos = DNS_HEADER_LEN;
    e.cap = cap;
    e.full = false;
    e.n = 0;
    e.first_len = 0;
    e.pending = false;
    e.mask = (cap <= CT_SMALL_MSG ? CT_SMALL : CT_BUCKETS) - 1;
    memset(e.head, 0xFF, (e.mask + 1) * sizeof e.head[0]);

    bool tc = m->tc;
    size_t nq = 0, count[DNS_SECTIONS] = {0, 0, 0};
    for (size_t i = 0; i < m->n_qd && nq < 65535; i++) {
        if (!put_question(&e, &m->qd[i])) {
            tc = true;
            break;
        }
        nq++;
    }
    bool stop = nq < m->n_qd; /* nothing more goes in once something is left out */

    size_t reserve = 0;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++)
        if (m->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT)
            reserve += opt_size(&m->rr[DNS_ADDITIONAL][i]);
    if (stop || reserve > cap - e.pos)
        reserve = 0;
    e.cap = cap - reserve;

    for (int s = DNS_ANSWER; s <= DNS_AUTHORITY && !stop; s++)
        for (size_t i = 0; i < m->n[s] && !stop; i++) {
            if (count[s] < 65535 && put_rr(&e, &m->rr[s][i]))
                count[s]++;
            else
                stop = tc = true;
        }
    bool dropping = stop;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL] && count[DNS_ADDITIONAL] < 65535; i++) {
        const DnsRR *rr = &m->rr[DNS_ADDITIONAL][i];
        bool opt = rr->type == DNS_TYPE_OPT && reserve > 0;
        if (dropping && !opt)
            continue;
        if (opt) {
            reserve -= opt_size(rr);
            e.cap = cap - reserve;
        }
        if (put_rr(&e, rr))
            count[DNS_ADDITIONAL]++;
        else
            dropping = true;
    }

    uint16_t f =
        (uint16_t)((m->qr ? 0x8000 : 0) | (m->opcode << 11) | (m->aa ? 0x0400 : 0) |
                   (tc ? 0x0200 : 0) | (m->rd ? 0x0100 : 0) | (m->ra ? 0x0080 : 0) |
                   (m->z ? 0x0040 : 0) | (m->ad ? 0x0020 : 0) | (m->cd ? 0x0010 : 0) | m->rcode);
    put_be16(out, m->id);
    put_be16(out + 2, f);
    put_be16(out + 4, (uint16_t)nq);
    put_be16(out + 6, (uint16_t)count[DNS_ANSWER]);
    put_be16(out + 8, (uint16_t)count[DNS_AUTHORITY]);
    put_be16(out + 10, (uint16_t)count[DNS_ADDITIONAL]);
    return e.pos;
}

/* ==== names for numbers ================================================== */

static const struct {
    uint16_t type;
    const char *name;
} type_names[] = {
    {DNS_TYPE_A, "A"},     {DNS_TYPE_NS, "NS"},     {DNS_TYPE_CNAME, "CNAME"},
    {DNS_TYPE_SOA, "SOA"}, {DNS_TYPE_PTR, "PTR"},   {DNS_TYPE_MX, "MX"},
    {DNS_TYPE_TXT, "TXT"}, {DNS_TYPE_AAAA, "AAAA"}, {DNS_TYPE_OPT, "OPT"},
    {DNS_TYPE_ANY, "ANY"},
};

const char *dns_type_name(uint16_t type, char buf[16])
{
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    snprintf(buf, 16, "TYPE%u", type);
    return buf;
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

bool dns_type_from_name(const char *s, uint16_t *type)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (ascii_ieq(s, type_names[i].name)) {
            *type = type_names[i].type;
            return true;
        }
    /* RFC 3597 5: TYPE followed by 1 to 5 decimal digits, at most 65535. */
    if (strlen(s) < 5 || strlen(s) > 9)
        return false;
    char head[5];
    memcpy(head, s, 4);
    head[4] = '\0';
    if (!ascii_ieq(head, "TYPE"))
        return false;
    unsigned long v = 0;
    for (const char *p = s + 4; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return false;
    *type = (uint16_t)v;
    return true;
}

/* dig 9.18's names (BIND's rdataclass.c). */
const char *dns_class_name(uint16_t klass, char buf[16])
{
    switch (klass) {
    case 1:
        return "IN";
    case 3:
        return "CH";
    case 4:
        return "HS";
    case 254:
        return "NONE";
    case 255:
        return "ANY";
    default:
        snprintf(buf, 16, "CLASS%u", klass);
        return buf;
    }
}

/* dig 9.18's words: RESERVED11..15 for the unassigned header values,
 * BADVERS and BADCOOKIE among the extended ones, and "?N" for a number it
 * has no name for (checked with dig against a test responder). */
const char *dns_rcode_name(uint8_t rcode, char buf[16])
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < MN_ARRAY_LEN(names))
        return names[rcode];
    if (rcode <= 15)
        snprintf(buf, 16, "RESERVED%u", rcode);
    else if (rcode == 16)
        return "BADVERS";
    else if (rcode == 23)
        return "BADCOOKIE";
    else
        snprintf(buf, 16, "?%u", rcode);
    return buf;
}

/* ==== rdata text, as dig prints it ======================================= */

static void name_text(const uint8_t *p, size_t len, Buf *out)
{
    DnsName n;
    if (dns_name_from_wire(&n, p, len))
        dns_name_to_text(&n, out);
}

/* RFC 3597 5, as BIND writes it: uppercase hex, a space every 28 bytes. */
static void generic_text(const uint8_t *p, size_t len, Buf *out)
{
    buf_printf(out, "\\# %zu", len);
    for (size_t i = 0; i < len; i++) {
        if (i % 28 == 0)
            buf_putc(out, ' ');
        buf_printf(out, "%02X", p[i]);
    }
}

/* Like BIND's inet_ntop (RFC 5952 but for one case): the longest run of
 * two or more zero groups (the first of equal runs) becomes "::", hex is
 * lowercase, and an IPv4-mapped address, or one whose first six groups
 * are zero and seventh is not, ends in a dotted quad: "::ffff:192.0.2.1",
 * "::1.2.3.4" (RFC 5952 would write "::102:304"). */
static void aaaa_text(const uint8_t *p, Buf *out)
{
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)(p[2 * i] << 8 | p[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                buf_putc(out, ':');
            continue;
        }
        if (i)
            buf_putc(out, ':');
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            buf_printf(out, "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
            return;
        }
        buf_printf(out, "%x", w[i]);
    }
    if (best >= 0 && best + best_len == 8)
        buf_putc(out, ':');
}

/* TXT strings: quoted, with \" and \\, and \DDD outside printable ASCII. */
static void txt_text(const uint8_t *p, size_t len, Buf *out)
{
    size_t i = 0;
    while (i < len) {
        size_t l = p[i++];
        if (i > 1)
            buf_putc(out, ' ');
        buf_putc(out, '"');
        for (size_t k = 0; k < l; k++, i++) {
            uint8_t c = p[i];
            if (c == '"' || c == '\\') {
                buf_putc(out, '\\');
                buf_putc(out, (char)c);
            } else if (c < 0x20 || c >= 0x7f) {
                buf_printf(out, "\\%03u", c);
            } else {
                buf_putc(out, (char)c);
            }
        }
        buf_putc(out, '"');
    }
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 with a space after every 56 characters, as BIND splits it. */
static void base64_text(const uint8_t *p, size_t len, Buf *out)
{
    for (size_t i = 0; i < len; i += 3) {
        if (i && i % 42 == 0)
            buf_putc(out, ' ');
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        buf_putc(out, b64[(v >> 18) & 63]);
        buf_putc(out, b64[(v >> 12) & 63]);
        buf_putc(out, i + 1 < len ? b64[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < len ? b64[v & 63] : '=');
    }
}

static bool opt_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i < 4)
            return false;
        size_t l = get_be16(p + i + 2);
        if (len - i - 4 < l)
            return false;
        i += 4 + l;
    }
    return true;
}

/* OPT has no presentation format; dig prints each option as "CODE LEN
 * BASE64", separated by spaces. */
static void opt_options_text(const uint8_t *p, size_t len, Buf *out)
{
    for (size_t i = 0; i < len;) {
        unsigned code = get_be16(p + i), l = get_be16(p + i + 2);
        if (i)
            buf_putc(out, ' ');
        buf_printf(out, "%u %u", code, l);
        if (l) {
            buf_putc(out, ' ');
            base64_text(p + i + 4, l, out);
        }
        i += 4 + l;
    }
}

/* "192.0.2.1": every answer a student's host prints, so without printf. */
static void a_text(const uint8_t *p, Buf *out)
{
    char t[16];
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = p[i];
        if (i)
            t[n++] = '.';
        if (v >= 100)
            t[n++] = (char)('0' + v / 100);
        if (v >= 10)
            t[n++] = (char)('0' + v / 10 % 10);
        t[n++] = (char)('0' + v % 10);
    }
    buf_put(out, t, n);
}

static void rdata_text(uint16_t type, uint16_t klass, const uint8_t *p, size_t len, Buf *out)
{
    size_t a, b;
    switch (type) {
    case DNS_TYPE_A:
        if (len == 4 && klass == DNS_CLASS_IN) {
            a_text(p, out);
            return;
        }
        break;
    case DNS_TYPE_AAAA:
        if (len == 16 && klass == DNS_CLASS_IN) {
            aaaa_text(p, out);
            return;
        }
        break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        if (wire_name_len(p, len) == len) {
            name_text(p, len, out);
            return;
        }
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && wire_name_len(p + 2, len - 2) == len - 2) {
            buf_printf(out, "%u ", get_be16(p));
            name_text(p + 2, len - 2, out);
            return;
        }
        break;
    case DNS_TYPE_SOA:
        a = wire_name_len(p, len);
        b = a ? wire_name_len(p + a, len - a) : 0;
        if (a && b && len - a - b == 20) {
            name_text(p, a, out);
            buf_putc(out, ' ');
            name_text(p + a, b, out);
            const uint8_t *q = p + a + b;
            buf_printf(out, " %u %u %u %u %u", get_be32(q), get_be32(q + 4), get_be32(q + 8),
                       get_be32(q + 12), get_be32(q + 16));
            return;
        }
        break;
    case DNS_TYPE_TXT:
        if (txt_valid(p, len)) {
            txt_text(p, len, out);
            return;
        }
        break;
    case DNS_TYPE_OPT:
        if (opt_valid(p, len)) {
            opt_options_text(p, len, out);
            return;
        }
        break;
    default:
        break;
    }
    generic_text(p, len, out);
}

void dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, Buf *out)
{
    rdata_text(type, DNS_CLASS_IN, rdata, len, out);
}

/* BIND's column rule (masterdump.c, indent()): tabs of 8 up to the target
 * column, and at least one blank even when the text already passed it;
 * the column then counts as the target.  dig's columns are 24 (TTL), 32
 * (class), 40 (type) and 48 (rdata). */
static void pad_to(Buf *out, size_t *col, size_t to)
{
    if (to < *col + 1)
        to = *col + 1;
    size_t from = *col;
    size_t tabs = to / 8 - from / 8;
    for (size_t i = 0; i < tabs; i++)
        buf_putc(out, '\t');
    if (tabs)
        from = to / 8 * 8;
    for (; from < to; from++)
        buf_putc(out, ' ');
    *col = to;
}

void dns_rr_to_text(const DnsRR *rr, Buf *out)
{
    char tb[16], cb[16];
    size_t start = out->len;
    dns_name_to_text(&rr->name, out);
    size_t col = out->len - start;
    pad_to(out, &col, 24);
    size_t at = out->len;
    buf_printf(out, "%u", rr->ttl);
    col += out->len - at;
    pad_to(out, &col, 32);
    at = out->len;
    buf_puts(out, dns_class_name(rr->klass, cb));
    col += out->len - at;
    pad_to(out, &col, 40);
    at = out->len;
    buf_puts(out, dns_type_name(rr->type, tb));
    col += out->len - at;
    pad_to(out, &col, 48);
    rdata_text(rr->type, rr->klass, rr->rdata, rr->rdlen, out);
}

/* ==== one-line summary, as Wireshark's Info column ======================= */

/* Wireshark 4.0's words (packet-dns.c), checked with tshark 4.0.17. */
static const char *ws_opcode(uint8_t op)
{
    switch (op) {
    case 0:
        return "Standard query";
    case 1:
        return "Inverse query";
    case 2:
        return "Server status request";
    case 4:
        return "Zone change notification";
    case 5:
        return "Dynamic update";
    case 6:
        return "DNS Stateful operations (DSO)";
    default:
        return NULL;
    }
}

static const char *ws_rcode(uint8_t rc)
{
    static const char *const names[] = {
        "No error",          "Format error",     "Server failure",
        "No such name",      "Not implemented",  "Refused",
        "Name exists",       "RRset exists",     "RRset does not exist",
        "Not authoritative", "Name out of zone", "DSO-Type not implemented"};
    return rc < MN_ARRAY_LEN(names) ? names[rc] : NULL;
}

static const struct {
    uint16_t type;
    const char *name;
} ws_types[] = {
    {13, "HINFO"}, {33, "SRV"},   {35, "NAPTR"},   {39, "DNAME"},     {43, "DS"},
    {44, "SSHFP"}, {46, "RRSIG"}, {47, "NSEC"},    {48, "DNSKEY"},    {50, "NSEC3"},
    {64, "SVCB"},  {65, "HTTPS"}, {52, "TLSA"},    {99, "SPF"},       {251, "IXFR"},
    {252, "AXFR"}, {257, "CAA"},  {65281, "WINS"}, {65282, "WINS-R"},
};

static void ws_type(uint16_t type, Buf *out)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (type_names[i].type == type) {
            buf_puts(out, type_names[i].name);
            return;
        }
    for (size_t i = 0; i < MN_ARRAY_LEN(ws_types); i++)
        if (ws_types[i].type == type) {
            buf_puts(out, ws_types[i].name);
            return;
        }
    buf_printf(out, "Unknown (%u)", type);
}

/* One label's bytes as Wireshark's format_text shows them: printable
 * ASCII as is (dots and backslashes too), C escapes for \a \b \f \n \r
 * \t \v, octal for other control bytes, UTF-8 as is, and U+FFFD for each
 * sequence that is not UTF-8.  Like tshark it decodes overlong forms
 * (C0 80 is U+0000).  Limit: tshark also prints as \uXXXX the code points
 * GLib calls unprintable (unassigned ones, format characters); only C0 and
 * C1 controls and noncharacters are escaped here.  minet's names are
 * ASCII in practice. */
static void ws_char(uint32_t cp, const uint8_t *raw, size_t n, bool overlong, Buf *out)
{
    static const char cesc[] = "abtnvfr"; /* for 7 to 13 */
    if (cp < 0x80 && !overlong) {
        if (cp >= 7 && cp <= 13) {
            buf_putc(out, '\\');
            buf_putc(out, cesc[cp - 7]);
        } else if (cp < 0x20 || cp == 0x7f) {
            buf_printf(out, "\\%03o", cp);
        } else {
            buf_putc(out, (char)cp);
        }
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
               (cp & 0xFFFE) == 0xFFFE) {
        buf_printf(out, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", cp);
    } else if (!overlong) {
        buf_put(out, raw, n);
    } else if (cp < 0x80) {
        buf_putc(out, (char)cp);
    } else { /* the shortest form */
        uint8_t b[4];
        size_t n2 = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        static const uint8_t lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
        for (size_t k = n2 - 1; k > 0; k--, cp >>= 6)
            b[k] = (uint8_t)(0x80 | (cp & 0x3F));
        b[0] = (uint8_t)(lead[n2] | cp);
        buf_put(out, b, n2);
    }
}

static void ws_text(const uint8_t *p, size_t len, Buf *out)
{
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000};
    for (size_t i = 0; i < len;) {
        uint8_t c = p[i];
        if (c < 0x80) {
            ws_char(c, p + i, 1, false, out);
            i++;
            continue;
        }
        /* Like tshark, the old 5 and 6 byte forms are decoded too (and
         * then refused unless they are overlong forms of a code point). */
        size_t need = c >= 0xFE   ? 1
                      : c >= 0xFC ? 6
                      : c >= 0xF8 ? 5
                      : c >= 0xF0 ? 4
                      : c >= 0xE0 ? 3
                      : c >= 0xC0 ? 2
                                  : 1;
        uint32_t cp = c & (0x7Fu >> need);
        size_t k = 1;
        while (k < need && i + k < len && (p[i + k] & 0xC0) == 0x80) {
            cp = cp << 6 | (p[i + k] & 0x3Fu);
            k++;
        }
        if (need == 1 || k < need || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD */
        else
            ws_char(cp, p + i, k, cp < min_cp[need], out);
        i += k;
    }
}

/* Wireshark shows names without the final dot; the root is "<Root>". */
static void ws_name(const uint8_t *p, size_t len, Buf *out)
{
    if (len <= 1) {
        buf_puts(out, "<Root>");
        return;
    }
    for (size_t i = 0; i < len && p[i];) {
        size_t l = p[i++];
        if (i > 1)
            buf_putc(out, '.');
        if (l > len - i)
            l = len - i;
        ws_text(p + i, l, out);
        i += l;
    }
}

/* A character-string (RFC 1035 3.3) at p[*i] as tshark shows it. */
static bool ws_string(const uint8_t *p, size_t len, size_t *i, Buf *out)
{
    if (*i >= len || p[*i] > len - *i - 1)
        return false;
    buf_putc(out, ' ');
    ws_text(p + *i + 1, p[*i], out);
    *i += 1 + (size_t)p[*i];
    return true;
}

/* The types minet does not know but for which tshark shows some data. */
static void ws_other_rr(uint16_t type, const uint8_t *p, size_t len, Buf *out)
{
    size_t i = 0;
    switch (type) {
    case 13: /* HINFO: cpu os */
        if (ws_string(p, len, &i, out))
            ws_string(p, len, &i, out);
        break;
    case 33: /* SRV: priority weight port target */
        if (len >= 7 && wire_name_len(p + 6, len - 6)) {
            buf_printf(out, " %u %u %u ", get_be16(p), get_be16(p + 2), get_be16(p + 4));
            ws_name(p + 6, len - 6, out);
        }
        break;
    case 35: /* NAPTR: order preference flags */
        if (len >= 5) {
            buf_printf(out, " %u %u", get_be16(p), get_be16(p + 2));
            i = 4;
            ws_string(p, len, &i, out);
        }
        break;
    case 39: /* DNAME, NSEC: the (first) name */
    case 47:
        if (wire_name_len(p, len)) {
            buf_putc(out, ' ');
            ws_name(p, wire_name_len(p, len), out);
        }
        break;
    default:
        break;
    }
}

static void ws_rr(const DnsRR *rr, Buf *out)
{
    const uint8_t *p = rr->rdata;
    size_t len = rr->rdlen;
    buf_putc(out, ' ');
    ws_type(rr->type, out);
    switch (rr->type) {
    case DNS_TYPE_A:
        if (len == 4)
            buf_printf(out, " %u.%u.%u.%u", p[0], p[1], p[2], p[3]);
        break;
    case DNS_TYPE_AAAA:
        if (len == 16) {
            buf_putc(out, ' ');
            aaaa_text(p, out);
        }
        break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_SOA: /* the primary server's name only */
        if (wire_name_len(p, len)) {
            buf_putc(out, ' ');
            ws_name(p, wire_name_len(p, len), out);
        }
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && wire_name_len(p + 2, len - 2)) {
            buf_printf(out, " %u ", get_be16(p));
            ws_name(p + 2, len - 2, out);
        }
        break;
    default:
        ws_other_rr(rr->type, p, len, out);
        break;
    }
}

void dns_msg_summary(const DnsMsg *m, Buf *out)
{
    const char *op = ws_opcode(m->opcode);
    if (op)
        buf_puts(out, op);
    else
        buf_printf(out, "Unknown operation (%u)", m->opcode);
    if (m->qr)
        buf_puts(out, " response");
    buf_printf(out, " 0x%04x", m->id);
    if (m->qr && m->rcode) {
        const char *rc = ws_rcode(m->rcode);
        if (rc)
            buf_printf(out, " %s", rc);
        else
            buf_printf(out, " Unknown error (%u)", m->rcode);
    }
    for (size_t i = 0; i < m->n_qd; i++) {
        buf_putc(out, ' ');
        ws_type(m->qd[i].type, out);
        buf_putc(out, ' ');
        ws_name(m->qd[i].name.data, m->qd[i].name.len, out);
    }
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            ws_rr(&m->rr[s][i], out);
}

/* ---- a packet inspector's lines ---------------------------------------- */

const char *dns_opcode_words(uint8_t opcode)
{
    return ws_opcode(opcode);
}

const char *dns_rcode_words(uint8_t rcode)
{
    return ws_rcode(rcode);
}

void dns_question_inspect(const DnsQuestion *q, Buf *out)
{
    char k[16];
    ws_name(q->name.data, q->name.len, out);
    buf_puts(out, ": type ");
    ws_type(q->type, out);
    buf_printf(out, ", class %s", dns_class_name(q->klass, k));
}

void dns_rr_inspect(const DnsRR *rr, Buf *out)
{
    char k[16];
    ws_name(rr->name.data, rr->name.len, out);
    buf_puts(out, ": type ");
    ws_type(rr->type, out);
    if (rr->type == DNS_TYPE_OPT) {
        /* The class is the UDP payload size the sender can take (RFC 6891). */
        buf_printf(out, ", UDP payload size %u", rr->klass);
        return;
    }
    buf_printf(out, ", class %s, TTL %" PRIu32 ", ", dns_class_name(rr->klass, k), rr->ttl);
    dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, out);
}
