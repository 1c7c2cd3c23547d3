/* dns_wire — DNS messages to and from wire bytes.
 *
 * The file has two parts: storage (DnsMsg and its arena) and the decoder.
 * The encoder, with its name compression, is in dns_pack.c; the text that
 * dig and Wireshark print is in dns_wire_text.c. */
#include "proto/dns/dns_wire.h"
#include "proto/dns/dns_wire_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies n bytes, 8 to 16 of them, as two overlapping 8-byte pieces: no
 * call to memcpy, and nothing read or written past them. */
static inline void copy_8_to_16(uint8_t *out, const uint8_t *p, size_t n)
{
    memcpy(out, p, 8);
    memcpy(out + n - 8, p + n - 8, 8);
}

/* ==== storage =========================================================== */

/* Owner names and rdata live in blocks that never move, so DnsRR.name and
 * DnsRR.rdata stay valid while records are added.  Most messages are small
 * and short-lived (one per packet decoded or built): their names, rdata,
 * questions and records fit in the DnsMsg itself.  A bigger message grows
 * into 4 KB heap blocks and doubled arrays; dns_msg_reset rewinds to the
 * inline bytes and reuses the chain of blocks in order, so a message that
 * has grown allocates nothing more.  A record holds a pointer to its owner
 * rather than a 255-byte DnsName, so a DnsMsg is about half the size it
 * was, and a decoded record whose owner repeats the question's name (most
 * do) copies none. */
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

static uint8_t *arena_alloc_block(DnsMsg *m, size_t n);

/* n bytes that stay put until reset or fini; never NULL, even for n == 0,
 * so callers may hand the pointer to memcpy.  Inline: most rdata of most
 * messages fits in the DnsMsg, and every record decoded or added asks. */
static inline uint8_t *arena_alloc(DnsMsg *m, size_t n)
{
    if (!m->cur && DNS_MSG_INLINE_BYTES - m->bytes_used >= n) {
        uint8_t *p = m->bytes + m->bytes_used;
        m->bytes_used += n;
        return p;
    }
    return arena_alloc_block(m, n);
}

/* The root, the owner of every OPT record: records point at this one. */
static const DnsName root_name = {1, 0, {0}};

/* Gives back the last n bytes of the latest arena_alloc: a name is read
 * into room for the longest one, then keeps only what it uses. */
static inline void arena_unuse(DnsMsg *m, size_t n)
{
    if (m->cur)
        m->cur->used -= n;
    else
        m->bytes_used -= n;
}

/* The same from the heap blocks, once the inline bytes are used up. */
static uint8_t *arena_alloc_block(DnsMsg *m, size_t n)
{
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
 * is used.  Field by field rather than a memset, which compilers make a
 * rep stos, slow to start for these hundred-odd bytes, once per packet. */
void dns_msg_init(DnsMsg *m)
{
    dns_msg_reset(m);
    m->blocks = NULL;
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

/* dns_msg_reset without the header's fields, which dns_decode sets. */
static inline void reset_records(DnsMsg *m)
{
    m->n_qd = 0;
    for (int s = 0; s < DNS_SECTIONS; s++)
        m->n[s] = 0;
    m->bytes_used = 0;
    m->cur = NULL;
}

void dns_msg_reset(DnsMsg *m)
{
    m->id = 0;
    m->qr = m->aa = m->tc = m->rd = m->ra = m->ad = m->cd = m->z = false;
    m->opcode = m->rcode = 0;
    reset_records(m);
}

/* Room for one more element in *p (n used of *cap), doubling; the
 * inline array (in_msg) is left for the heap, never freed. */
static void *grow(void *p, void *in_msg, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    *cap *= 2; /* never 0: the inline arrays have room */
    if (p != in_msg)
        return xrealloc(p, *cap * size);
    void *q = xmalloc(*cap * size);
    memcpy(q, p, n * size);
    return q;
}

static inline DnsQuestion *question_slot(DnsMsg *m)
{
    if (m->n_qd == m->qd_cap)
        m->qd = grow(m->qd, m->qd_inline, m->n_qd, &m->qd_cap, sizeof *m->qd);
    return &m->qd[m->n_qd];
}

/* The next free record of section s, not yet counted in m->n[s]. */
static inline DnsRR *rr_slot(DnsMsg *m, DnsSection s)
{
    if (m->n[s] == m->cap[s])
        m->rr[s] = grow(m->rr[s], m->rr_inline[s], m->n[s], &m->cap[s], sizeof *m->rr[s]);
    return &m->rr[s][m->n[s]];
}

void dns_msg_add_question(DnsMsg *m, const DnsName *name, uint16_t type, uint16_t klass)
{
    DnsQuestion *q = question_slot(m);
    dns_name_copy(&q->name, name);
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
    if (name->len == 1) {
        rr->name = &root_name; /* an OPT record's owner, shared */
    } else {
        DnsName *owner = (DnsName *)arena_alloc(m, offsetof(DnsName, data) + name->len);
        dns_name_copy(owner, name);
        rr->name = owner;
    }
    rr->type = type;
    rr->klass = klass;
    rr->ttl = ttl;
    rr->rdlen = rdlen;
    uint8_t *copy = arena_alloc(m, rdlen);
    if (rdlen == 4)
        memcpy(copy, rdata, 4); /* an IPv4 address: a constant size, no call */
    else if (rdlen >= 8 && rdlen <= 16)
        copy_8_to_16(copy, rdata, rdlen); /* most names, an IPv6 address */
    else if (rdlen)
        memcpy(copy, rdata, rdlen);
    rr->rdata = copy;
    rr->wire_off = rr->wire_len = 0;
    m->n[s]++;
    return rr;
}

/* ==== shared helpers ===================================================== */

static const char *const section_word[DNS_SECTIONS] = {"answer", "authority", "additional"};

bool dns_txt_valid(const uint8_t *p, size_t len)
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
    /* The last owner read that was a pointer alone, and that pointer
     * (0: none yet). */
    const DnsName *owner;
    uint16_t owner_ptr;
    /* The last name an NS, CNAME, PTR or MX record's rdata ended with:
     * where it starts in the message, and its expanded bytes in the arena
     * (NULL: none yet) with their length and labels.  A glue record's
     * owner points at it, as do the owners of the records a CNAME leads
     * to. */
    size_t rname_off;
    const uint8_t *rname;
    uint8_t rname_len, rname_labels;
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

/* Copies the n bytes of a name to room of exactly n bytes: most names are
 * 8 to 16 bytes long. */
static inline void copy_name_bytes(uint8_t *out, const uint8_t *p, size_t n)
{
    if (n >= 8 && n <= 16)
        copy_8_to_16(out, p, n);
    else
        memcpy(out, p, n);
}

/* Copies a run of n name bytes from the message (at p, avail bytes left in
 * it) to out (room bytes of room), without a call to memcpy, which costs
 * more than these few bytes.  A run of 8 to 16 bytes (most names) is two
 * overlapping 8-byte pieces, which read nothing past it: a query's name
 * ends 4 bytes before the message does.  Else sixteen bytes at a time when
 * both sides have room for whole blocks (a short run is one block); the
 * bytes written past the run are overwritten later or lie past the name's
 * end. */
static inline void copy_run(uint8_t *out, size_t room, const uint8_t *p, size_t avail, size_t n)
{
    if (n >= 8 && n <= 16) {
        copy_8_to_16(out, p, n);
        return;
    }
    size_t whole = (n + 15) & ~(size_t)15;
    if (whole > avail || whole > room) {
        memcpy(out, p, n);
        return;
    }
    for (size_t k = 0; k < whole; k += 16)
        memcpy(out + k, p + k, 16);
}

/* Most pointers lead into the question's name: it is the first name of a
 * message, at offset 12, and never compressed (a pointer in it could only
 * point into the header or forward).  If a label of it starts at offset
 * target, returns that label's offset in d->qname and puts how many labels
 * follow in *labels; else -1.  The root's byte does not count. */
static int qname_label(const Dec *d, size_t target, unsigned *labels)
{
    const DnsName *q = d->qname;
    size_t want = target - DNS_HEADER_LEN; /* target is past the header */
    if (!q || want >= (size_t)q->len - 1)
        return -1;
    size_t k = 0;
    unsigned before = 0;
    while (k < want) {
        k += 1u + q->data[k];
        before++;
    }
    if (k != want)
        return -1;
    *labels = q->labels - before;
    return (int)k;
}

/* Reads a possibly compressed name starting at *pos into out (room for
 * DNS_NAME_MAX bytes) and its labels into *labels; returns its length, or
 * 0 (what fail returns) if it is refused.
 * The bytes of the name itself (before any pointer) must end by `end` (the
 * end of the rdata, or of the message); what a pointer leads to may be
 * anywhere earlier in the message.
 *
 * Loops are impossible by construction, as in BIND: each pointer must
 * point strictly before the place where the labels being read started
 * (the name's start, then the previous pointer's target), so every jump
 * goes further back and the walk ends.  Pointers into the 12-byte header
 * are refused: no encoder writes them.  On success *pos is the offset
 * just after the name as it sits in the message (after the first
 * pointer, if any).
 *
 * The labels between two pointers lie in the message as they will in out:
 * the walk only checks their lengths, and each such run is copied in one
 * piece when a pointer or the root ends it. */
__attribute__((always_inline)) static inline size_t read_name(Dec *d, size_t *pos, size_t end,
                                                              bool in_rdata, const char *what,
                                                              uint8_t *out, uint8_t *labels)
{
    const uint8_t *p = d->p;
    size_t i = *pos, lim = end, floor = *pos, after = 0;
    const char *bound = in_rdata ? "record data" : "message";
    if (i >= lim)
        return fail(d, "%s runs past the end of the %s", what, bound);
    bool jumped = false;
    size_t n = 0;   /* bytes of the name before the current run */
    size_t run = i; /* where the current run starts in the message */
    unsigned count = 0;
    for (;;) {
        /* i < lim here.  A label may go on while the byte after it is in
         * bounds and the name, with a root label after it, fits in 255
         * bytes: one comparison against the nearer of the two limits. */
        size_t name_lim = run + (DNS_NAME_MAX - n);
        size_t stop = lim < name_lim ? lim : name_lim;
        uint8_t c = p[i];
        while (c - 1u < DNS_LABEL_MAX) {
            size_t next = i + 1 + c;
            if (next >= stop) {
                /* The checks in their order, each with its reason. */
                if (next > lim)
                    return fail(d, "%s: a %u-byte label at offset %zu runs past the end of the %s",
                                what, c, i, bound);
                if (next + 1 > name_lim)
                    return fail(d, "%s is longer than 255 bytes", what);
                return fail(d, "%s runs past the end of the %s", what, bound);
            }
            i = next;
            count++;
            c = p[i];
        }
        if (c == 0)
            break;
        if ((c & 0xC0) != 0xC0)
            return fail(d,
                        "%s: label type 0x%02x at offset %zu is not allowed (labels are at "
                        "most 63 bytes; 0x40 and 0x80 are undefined label types)",
                        what, c & 0xC0, i);
        if (i + 1 >= lim)
            return fail(d, "%s: compression pointer at offset %zu is cut off", what, i);
        size_t target = ((size_t)(c & 0x3F) << 8) | p[i + 1];
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
        copy_run(out + n, DNS_NAME_MAX - n, p + run, d->len - run, i - run);
        n += i - run;
        if (!jumped)
            after = i + 2;
        jumped = true;
        unsigned more;
        int k = qname_label(d, target, &more);
        if (k >= 0) {
            /* The rest is the question's name from that label on, as a
             * walk through its labels would find it. */
            size_t tail = d->qname->len - (size_t)k;
            if (n + tail > DNS_NAME_MAX)
                return fail(d, "%s is longer than 255 bytes", what);
            copy_run(out + n, DNS_NAME_MAX - n, d->qname->data + k, DNS_NAME_MAX - (size_t)k, tail);
            *labels = (uint8_t)(count + more);
            *pos = after;
            return n + tail;
        }
        floor = target;
        i = run = target; /* below floor, so inside the message */
        lim = d->len;
        bound = "message";
    }
    copy_run(out + n, DNS_NAME_MAX - n, p + run, d->len - run, i + 1 - run); /* with the root */
    n += i + 1 - run;
    *labels = (uint8_t)count;
    *pos = jumped ? after : i + 1;
    return n;
}

/* An owner's or a question's name, into a DnsName.  Inlined into
 * dns_decode with its two callers: a call per name (with the registers it
 * saves and restores) cost 0.8% of a whole 10,000-host run. */
__attribute__((always_inline)) static inline bool read_dns_name(Dec *d, size_t *pos,
                                                                const char *what, DnsName *out)
{
    size_t len = read_name(d, pos, d->len, false, what, out->data, &out->labels);
    out->len = (uint8_t)len;
    return len != 0;
}

/* A record's owner.  Most are a pointer to the question's name at offset
 * 12: the record then points at the question's DnsName, which read_name
 * would have copied whole (the pointer passes every check, since the
 * record lies after the question).  Any other owner is read into the
 * arena, which keeps only the bytes it uses; an owner that is only a
 * pointer is remembered, and the next owner with the same pointer (the
 * zone of a referral's NS records) points at it, as the same pointer
 * further on passes the same checks. */
__attribute__((always_inline)) static inline bool read_owner(Dec *d, DnsMsg *m, size_t *pos,
                                                             DnsRR *rr)
{
    size_t i = *pos;    /* below d->len */
    if (d->p[i] == 0) { /* the root: an OPT record's owner */
        rr->name = &root_name;
        *pos = i + 1;
        return true;
    }
    uint16_t ptr = d->len - i >= 2 ? get_be16(d->p + i) : 0;
    if (ptr >= 0xC000) {
        const DnsName *same = ptr == (0xC000 | DNS_HEADER_LEN) ? d->qname
                              : ptr == d->owner_ptr            ? d->owner
                                                               : NULL;
        if (same) {
            rr->name = same;
            *pos = i + 2;
            return true;
        }
        size_t target = ptr & 0x3FFF;
        if (d->rname && target == d->rname_off && target < i) {
            /* The name an NS (or CNAME, PTR, MX) record's rdata held, as
             * glue's owner is: read_name would follow the pointer back to
             * it, pass the same checks (with the message, not the rdata,
             * as bound) and find the same labels.  Copied from the
             * rdata's expanded bytes, not walked again. */
            DnsName *out = (DnsName *)arena_alloc(m, offsetof(DnsName, data) + d->rname_len);
            out->len = d->rname_len;
            out->labels = d->rname_labels;
            copy_name_bytes(out->data, d->rname, d->rname_len);
            rr->name = d->owner = out;
            d->owner_ptr = ptr;
            *pos = i + 2;
            return true;
        }
        /* A pointer into the question's name (a zone's records) passes
         * read_name's checks, which lead it to the same qname_label. */
        unsigned more;
        int k = target < i ? qname_label(d, target, &more) : -1;
        if (k >= 0) {
            size_t tail = d->qname->len - (size_t)k;
            DnsName *out = (DnsName *)arena_alloc(m, offsetof(DnsName, data) + tail);
            out->len = (uint8_t)tail;
            out->labels = (uint8_t)more;
            copy_name_bytes(out->data, d->qname->data + k, tail);
            rr->name = d->owner = out;
            d->owner_ptr = ptr;
            *pos = i + 2;
            return true;
        }
    }
    DnsName *out = (DnsName *)arena_alloc(m, sizeof(DnsName));
    if (!read_dns_name(d, pos, "owner name", out))
        return false;
    arena_unuse(m, DNS_NAME_MAX - out->len);
    rr->name = out;
    if (ptr >= 0xC000) {
        d->owner_ptr = ptr;
        d->owner = out;
    }
    return true;
}

/* Appends the uncompressed form of the name at *pos to buf (at *used),
 * which has room for DNS_NAME_MAX more bytes. */
static bool expand_name(Dec *d, size_t *pos, size_t end, const char *what, uint8_t *buf,
                        size_t *used)
{
    uint8_t labels;
    size_t len = read_name(d, pos, end, true, what, buf + *used, &labels);
    *used += len;
    return len != 0;
}

/* The same for the name an NS, CNAME, PTR or MX record's rdata ends with,
 * remembered for the owner of a later record that points at it (glue, or
 * the records a CNAME leads to). */
static bool expand_target(Dec *d, size_t *pos, size_t end, const char *what, uint8_t *buf,
                          size_t *used)
{
    uint8_t labels = 0;
    size_t at = *pos;
    size_t len = read_name(d, pos, end, true, what, buf + *used, &labels);
    if (!len)
        return false;
    d->rname_off = at;
    d->rname = buf + *used;
    d->rname_len = (uint8_t)len;
    d->rname_labels = labels;
    *used += len;
    return true;
}

/* Rdata holding names: NS, CNAME, PTR, MX, SOA.  Their names may be
 * compressed on the wire (RFC 3597 4); they are stored expanded, straight
 * into the arena, which keeps only the bytes they take. */
static bool expand_rdata(Dec *d, DnsMsg *m, DnsRR *rr, size_t pos, size_t end)
{
    enum { ROOM = 2 * DNS_NAME_MAX + 20 }; /* the longest: an SOA */
    uint8_t *buf = arena_alloc(m, ROOM);
    size_t used = 0;
    /* Only the types read_rr sends here, named as dns_type_name names
     * them (a constant: the name is read only if the rdata is refused). */
    const char *tname = rr->type == DNS_TYPE_NS      ? "NS"
                        : rr->type == DNS_TYPE_CNAME ? "CNAME"
                        : rr->type == DNS_TYPE_PTR   ? "PTR"
                        : rr->type == DNS_TYPE_MX    ? "MX"
                                                     : "SOA";
    switch (rr->type) {
    case DNS_TYPE_MX:
        if (end - pos < 3)
            return fail(d, "MX rdata is %zu bytes (a 2-byte preference and a name)", end - pos);
        memcpy(buf, d->p + pos, 2);
        used = 2;
        pos += 2;
        if (!expand_target(d, &pos, end, "MX exchange", buf, &used))
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
        if (!expand_target(d, &pos, end, tname, buf, &used))
            return false;
        break;
    }
    if (pos != end)
        return fail(d, "%s rdata has %zu bytes left over after its name", tname, end - pos);
    arena_unuse(m, ROOM - used);
    rr->rdata = buf;
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
    if (!read_owner(d, m, pos, rr))
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
        if (rdlen == 4)
            memcpy(copy, d->p + start, 4); /* an IPv4 address: a constant size, no call */
        else if (rdlen)                    /* an OPT record's is most often empty */
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

/* The first question's name, at offset 12: no compression pointer there
 * can be valid (it could only point into the header or forward), so it is
 * labels alone, walked once and copied in one piece, or refused.  False
 * for anything else, which read_name then refuses with its reason. */
static inline bool read_first_qname(const Dec *d, size_t *pos, DnsName *out)
{
    const uint8_t *p = d->p;
    size_t start = *pos, i = start;
    size_t stop = d->len - start < DNS_NAME_MAX ? d->len : start + DNS_NAME_MAX;
    unsigned count = 0;
    for (;;) {
        if (i >= stop)
            return false;
        uint8_t c = p[i];
        if (c == 0)
            break;
        if (c > DNS_LABEL_MAX)
            return false;
        i += 1u + c;
        count++;
    }
    size_t n = i + 1 - start;
    copy_run(out->data, DNS_NAME_MAX, p + start, d->len - start, n);
    out->len = (uint8_t)n;
    out->labels = (uint8_t)count;
    *pos = i + 1;
    return true;
}

static bool read_question(Dec *d, DnsMsg *m, size_t *pos)
{
    DnsQuestion *q = question_slot(m);
    size_t first = *pos;
    if (!(first == DNS_HEADER_LEN && read_first_qname(d, pos, &q->name)) &&
        !read_dns_name(d, pos, "name", &q->name))
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

/* The header's eight flags (its second 16 bits, f) into the eight bools
 * that follow each other in DnsMsg, in one 8-byte store rather than eight
 * (which cost some 30 instructions a message more).  The flags are first
 * gathered into one byte, x: CD, AD, Z, RA, RD, TC and AA (bits 4 to 10
 * of f) at bits 0 to 6, QR at 7.  That byte is repeated in each of the
 * eight bytes of a word, and each byte keeps only its own flag's bit
 * (FLAG_BITS, the bytes in the order of the bools: QR 0x80 first, then AA
 * 0x40, TC 0x20, RD 0x10, RA 0x08, AD 0x02, CD 0x01, Z 0x04); adding 0x7F
 * to each byte (no byte carries into the next) sets its top bit if the
 * flag is set, which is then moved down to make the byte 1. */
#define FLAG_BITS 0x0401020810204080u
_Static_assert(sizeof(bool) == 1 && offsetof(DnsMsg, z) == offsetof(DnsMsg, qr) + 7 &&
                   offsetof(DnsMsg, aa) == offsetof(DnsMsg, qr) + 1 &&
                   offsetof(DnsMsg, ad) == offsetof(DnsMsg, qr) + 5,
               "DnsMsg holds its eight flags as bytes, in the order read_flags writes");

static inline void read_flags(DnsMsg *m, uint16_t f)
{
    uint64_t x = (uint64_t)((f >> 4 & 0x7F) | (f >> 8 & 0x80));
    uint64_t kept = x * 0x0101010101010101u & FLAG_BITS;
    uint64_t bools = (kept + 0x7F7F7F7F7F7F7F7Fu) >> 7 & 0x0101010101010101u;
    memcpy((uint8_t *)m + offsetof(DnsMsg, qr), &bools, 8);
}

/* The header's record count of section s, from its four counts read as
 * one big-endian word (the questions' highest). */
static inline unsigned section_count(uint64_t counts, int s)
{
    return (unsigned)(counts >> (32 - 16 * s) & 0xFFFF);
}

/* Trailing bytes after the last record are ignored, as BIND 9.18 does:
 * dns_message_parse accepts the message and dig only prints ";; WARNING:
 * Message has N extra bytes at end" (checked against dig 9.18.49).  On
 * success why holds that warning, or "" when there is none. */
bool dns_decode(DnsMsg *m, const uint8_t *p, size_t len, char *why, size_t size)
{
    /* Only the fields read before they are set: idx is set with sec, owner
     * with owner_ptr, and the rname fields with rname. */
    Dec d;
    d.p = p;
    d.len = len;
    d.why = why;
    d.size = size;
    d.sec = -2;
    d.qname = NULL;
    d.owner_ptr = 0;
    d.rname = NULL;
    if (why && size)
        why[0] = '\0';
    if (len < DNS_HEADER_LEN) {
        dns_msg_reset(m);
        return fail(&d, "the message is %zu bytes, shorter than the 12-byte header", len);
    }
    reset_records(m); /* the header's fields are all set below */
    m->id = get_be16(p);
    uint16_t f = get_be16(p + 2);
    read_flags(m, f);
    m->opcode = (uint8_t)((f >> 11) & 0xF);
    m->rcode = (uint8_t)(f & 0xF);
    /* The four counts in one word, kept in a register rather than an
     * array on the stack, which cost its stores and loads. */
    uint64_t counts = (uint64_t)get_be32(p + 4) << 32 | get_be32(p + 8);
    unsigned qd = (unsigned)(counts >> 48);
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
    /* One loop over the records of all three sections, which moves to the
     * next section with records when one is done: most messages leave a
     * section or two empty, and a loop per section cost its setup. */
    unsigned total = section_count(counts, 0) + section_count(counts, 1) + section_count(counts, 2);
    int s = 0;
    unsigned i = 0;
    for (unsigned k = 0; k < total; k++, i++) {
        while (i == section_count(counts, s)) {
            s++;
            i = 0;
        }
        if (pos >= len) {
            char what[32];
            snprintf(what, sizeof what, "%s record", section_word[s]);
            return overrun(&d, section_count(counts, s), what, i);
        }
        d.sec = s;
        d.idx = i + 1;
        if (!read_rr(&d, m, (DnsSection)s, &pos))
            return false;
    }
    if (pos < len && why && size)
        snprintf(why, size, "%zu byte%s after the last record, ignored", len - pos,
                 len - pos == 1 ? "" : "s");
    return true;
}

void dns_msg_add_opt(DnsMsg *m, uint16_t udp_size, const uint8_t *options, uint16_t len)
{
    dns_msg_add_rr(m, DNS_ADDITIONAL, &root_name, DNS_TYPE_OPT, udp_size, 0, options, len);
}
