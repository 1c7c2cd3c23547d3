/* dns_wire — DNS messages (RFC 1035 4) to and from wire bytes.
 *
 * Record data (rdata) is always held in uncompressed wire form; the
 * encoder compresses the names it may (owner names, and the names inside
 * NS, CNAME, PTR, MX and SOA rdata, RFC 3597 4), the decoder expands them.
 * Types minet does not know travel as opaque bytes.
 *
 * The decoder treats its input as hostile: every length is checked before
 * it is read, compression pointers must point backwards and may not loop,
 * counts that overrun the message are refused, and every refusal says why.
 *
 * A DnsMsg owns its storage and can be reset and reused without
 * allocating again once it has grown (the server answers a million
 * queries a second through one).  A small message (a question, 3 records
 * a section, 1 KB of names and rdata) fits in the DnsMsg itself and
 * allocates nothing; its arrays may then point into it, so a DnsMsg is
 * never copied by value (about 1.7 KB: fine on the stack). */
#ifndef MN_DNS_WIRE_H
#define MN_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "proto/dns/dns_name.h"

enum {
    DNS_TYPE_A = 1,
    DNS_TYPE_NS = 2,
    DNS_TYPE_CNAME = 5,
    DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12,
    DNS_TYPE_MX = 15,
    DNS_TYPE_TXT = 16,
    DNS_TYPE_AAAA = 28,
    DNS_TYPE_OPT = 41,
    DNS_TYPE_IXFR = 251,
    DNS_TYPE_AXFR = 252,
    DNS_TYPE_ANY = 255,
};

enum { DNS_CLASS_IN = 1, DNS_CLASS_CH = 3 };

enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

enum { DNS_OPCODE_QUERY = 0 };

#define DNS_HEADER_LEN 12
#define DNS_UDP_MAX    512 /* without EDNS */

typedef enum DnsSection { DNS_ANSWER, DNS_AUTHORITY, DNS_ADDITIONAL, DNS_SECTIONS } DnsSection;

typedef struct DnsRR {
    /* The owner: in the message's storage, where it holds only the bytes
     * the name uses (never copy it whole: *rr->name would read past it),
     * or a decoded message's question name, which most owners repeat; in a
     * zone's record (dns_zone_rr), a name the caller holds. */
    const DnsName *name;
    uint16_t type, klass;
    uint32_t ttl;
    uint16_t rdlen;
    const uint8_t *rdata; /* uncompressed; owned by the message or zone */
    /* Decoded records: where the record lay in the message, for an
     * inspector that highlights its bytes.  0, 0 for records built. */
    uint32_t wire_off, wire_len;
} DnsRR;

typedef struct DnsQuestion {
    DnsName name;
    uint16_t type, klass;
    uint32_t wire_off, wire_len; /* as in DnsRR */
} DnsQuestion;

typedef struct DnsArenaBlock DnsArenaBlock; /* rdata blocks that never move */

#define DNS_MSG_INLINE_RR    3    /* records of a section held inside a DnsMsg */
#define DNS_MSG_INLINE_BYTES 1024 /* owner names and rdata held inside a DnsMsg */

typedef struct DnsMsg {
    uint16_t id;
    bool qr, aa, tc, rd, ra, ad, cd, z; /* in this order: dns_decode sets them in one store */
    uint8_t opcode, rcode;
    DnsQuestion *qd;
    size_t n_qd, qd_cap;
    DnsRR *rr[DNS_SECTIONS];
    size_t n[DNS_SECTIONS], cap[DNS_SECTIONS];
    /* Owner names and rdata: the inline bytes first, then heap blocks
     * (cur NULL: the inline bytes are being filled). */
    size_t bytes_used;
    DnsArenaBlock *blocks, *cur;
    /* The inline storage; the arrays above point here until they grow. */
    DnsQuestion qd_inline[1];
    DnsRR rr_inline[DNS_SECTIONS][DNS_MSG_INLINE_RR];
    uint8_t bytes[DNS_MSG_INLINE_BYTES];
} DnsMsg;

void dns_msg_init(DnsMsg *m);
void dns_msg_fini(DnsMsg *m);
/* Empties m, keeping its storage. */
void dns_msg_reset(DnsMsg *m);
void dns_msg_add_question(DnsMsg *m, const DnsName *name, uint16_t type, uint16_t klass);
/* Copies name and rdata into m (NULL with rdlen 0 is fine).  The pointer
 * returned is valid until the next record is added to the same section. */
DnsRR *dns_msg_add_rr(DnsMsg *m, DnsSection s, const DnsName *name, uint16_t type, uint16_t klass,
                      uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* Adds the EDNS OPT pseudo-record (RFC 6891) to the additional section:
 * the UDP size offered, version 0, no flags, and options (may be NULL). */
void dns_msg_add_opt(DnsMsg *m, uint16_t udp_size, const uint8_t *options, uint16_t len);

/* Decodes len bytes into m (reset first).  On failure returns false and
 * writes the reason into why ("answer record 2: compression pointer
 * loops").  Bytes after the last record are ignored, as BIND does; why then
 * says how many ("5 bytes after the last record, ignored"), else it is "". */
bool dns_decode(DnsMsg *m, const uint8_t *p, size_t len, char *why, size_t size);
/* Encodes m into out (at most cap bytes, e.g. 512 for UDP without EDNS).
 * When the records do not fit, whole records are left out from the end
 * and TC is set in the output, as RFC 2181 9 asks (additional records
 * that do not fit are dropped without TC).  Returns the length. */
size_t dns_encode(const DnsMsg *m, uint8_t *out, size_t cap);

/* A query of one question and at most an OPT record, written straight into
 * a packet: the bytes dns_encode writes for such a message (there is nothing
 * to compress; RFC 1035 4.1, RFC 6891 6.1.2), without building a DnsMsg.
 * The stub resolver and the recursive resolver send theirs this way. */
typedef struct DnsQueryWire {
    uint16_t id;
    uint16_t flags; /* the header's second 16 bits: RD 0x0100, AA, AD, CD … */
    const DnsName *name;
    uint16_t type, klass;
    uint16_t udp_size;     /* the OPT record's UDP size; 0: no OPT record */
    bool dnssec_ok;        /* DO, the top bit of the OPT record's flags (RFC 3225) */
    const uint8_t *cookie; /* an 8-byte client cookie option (RFC 7873), or NULL */
} DnsQueryWire;

/* Writes q into out, which holds at least DNS_HEADER_LEN + 255 + 4 + 23
 * bytes, and returns the length.  Inline: each sender fills q with
 * constants the compiler folds in. */
static inline size_t dns_write_query(const DnsQueryWire *q, uint8_t *out)
{
    put_be16(out, q->id);
    put_be16(out + 2, q->flags);
    put_be16(out + 4, 1); /* one question, no answer or authority record */
    put_be16(out + 6, 0);
    put_be16(out + 8, 0);
    put_be16(out + 10, q->udp_size ? 1 : 0);
    size_t at = DNS_HEADER_LEN;
    memcpy(out + at, q->name->data, q->name->len);
    at += q->name->len;
    put_be16(out + at, q->type);
    put_be16(out + at + 2, q->klass);
    at += 4;
    if (q->udp_size) {
        out[at] = 0; /* the root owns it */
        put_be16(out + at + 1, DNS_TYPE_OPT);
        put_be16(out + at + 3, q->udp_size);
        put_be32(out + at + 5, q->dnssec_ok ? 0x8000 : 0); /* extended RCODE, version 0 */
        put_be16(out + at + 9, q->cookie ? 12 : 0);
        at += 11;
        if (q->cookie) {
            put_be16(out + at, 10); /* COOKIE */
            put_be16(out + at + 2, 8);
            memcpy(out + at + 4, q->cookie, 8);
            at += 12;
        }
    }
    return at;
}

/* ---- text, as dig prints it -------------------------------------------- */

/* "A", "MX", … or "TYPE1234" (RFC 3597). */
const char *dns_type_name(uint16_t type, char buf[16]);
/* Accepts the names above, case-insensitively; false if unknown. */
bool dns_type_from_name(const char *s, uint16_t *type);
/* "IN", "CH", "CHAOS", "HS", "HESIOD", "NONE", "ANY" or "CLASS3", any
 * case, as dig reads a class; false if none. */
bool dns_class_from_name(const char *s, uint16_t *klass);
/* "IN", "CH", "HS", "NONE", "ANY" or "CLASS3", as dig prints them. */
const char *dns_class_name(uint16_t klass, char buf[16]);
/* The data of a TXT record of one string: its length byte, then text (cut
 * to 255 bytes).  Returns the data's length. */
uint16_t dns_txt_rdata(const char *text, uint8_t out[256]);
/* A server's answer to a question about itself, in class CH: version for
 * version.bind and version.server, host for id.server and hostname.bind
 * (type TXT); NULL for any other question. */
const char *dns_chaos_text(uint16_t klass, uint16_t type, const DnsName *name, const char *version,
                           const char *host);
/* "NOERROR", "NXDOMAIN", … "RESERVED11", "BADVERS", "BADCOOKIE" or "?N", as dig. */
const char *dns_rcode_name(uint8_t rcode, char buf[16]);
/* The rdata in presentation form ("10 smtp.google.com.", "\"v=spf1 -all\"",
 * "\# 4 0A000001" for types minet does not know, RFC 3597 5). */
void dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, Buf *out);
/* One record as dig prints it: name, TTL, class, type and rdata separated
 * by tabs that line up at dig's columns. */
void dns_rr_to_text(const DnsRR *rr, Buf *out);
/* How dig lays records out, from its display options (+nottlid,
 * +noclass, +ttlunits, +multiline): BIND's master style as dig 9.18 makes
 * it.  {0} is dig's default. */
typedef struct DnsTextStyle {
    bool no_ttl, no_class, ttl_units, multiline;
} DnsTextStyle;
void dns_rr_to_text_style(const DnsRR *rr, const DnsTextStyle *s, Buf *out);
/* A question as dig prints it after its ';': name, class and type at the
 * style's columns (counted from after the ';'). */
void dns_question_to_text(const DnsQuestion *q, const DnsTextStyle *s, Buf *out);
/* A TTL in words, "1 week 2 days" (verbose), or "1w2d" (dig +ttlunits). */
void dns_ttl_text(uint32_t ttl, bool verbose, Buf *out);
/* A one-line summary for traces: "Standard query 0x1a2b A www.montana.edu"
 * or "Standard query response 0x1a2b A www.montana.edu CNAME web1… A …",
 * as Wireshark's Info column says it. */
void dns_msg_summary(const DnsMsg *m, Buf *out);

/* ---- a packet inspector's lines (Wireshark's words) -------------------- */

/* "Standard query", "Inverse query", … or NULL for an unassigned opcode. */
const char *dns_opcode_words(uint8_t opcode);
/* "No error", "No such name", … or NULL for an unassigned rcode. */
const char *dns_rcode_words(uint8_t rcode);
/* "www.montana.edu: type A, class IN". */
void dns_question_inspect(const DnsQuestion *q, Buf *out);
/* "www.montana.edu: type CNAME, class IN, TTL 3600, web1.montana.edu." */
void dns_rr_inspect(const DnsRR *rr, Buf *out);

#endif
