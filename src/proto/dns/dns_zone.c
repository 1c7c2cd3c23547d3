#include "dns_zone.h"
#include "dns_zone_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 512

/* ---- messages ---------------------------------------------------------- */

void dns_zone_report(Errors *errs, Loc at, const char *fmt, ...)
{
    Buf b;
    va_list ap;
    buf_init(&b);
    if (at.src.where && at.col == 0)
        buf_printf(&b, "%s: %s[%zu]: ", at.src.file, at.src.where, at.src.index);
    else if (at.src.where)
        buf_printf(&b, "%s: %s[%zu]: column %d: ", at.src.file, at.src.where, at.src.index, at.col);
    else
        buf_printf(&b, "%s:%d:%d: ", at.src.file, at.line, at.col);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    errors_add(errs, "%s", b.data);
    buf_fini(&b);
}

/* ---- tokens ------------------------------------------------------------ */

typedef struct Lexer {
    const Source *src;
    const char *p, *end;
    int line, col;
    Errors *errs;
    bool failed;
} Lexer;

static void lex_init(Lexer *L, const Source *src, const char *text, size_t len, Errors *errs)
{
    L->src = src;
    L->p = text;
    L->end = text + len;
    L->line = 1;
    L->col = 1;
    L->errs = errs;
    L->failed = false;
}

static Loc here(const Lexer *L)
{
    return (Loc){*L->src, L->line, L->col};
}

static void advance(Lexer *L)
{
    if (*L->p == '\n') {
        L->line++;
        L->col = 1;
    } else {
        L->col++;
    }
    L->p++;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The bytes that end an unquoted word, and the backslash, which escapes
 * the byte after it (unless that is a line break). */
static const bool word_stop[256] = {
    [' '] = true, ['\t'] = true, ['\r'] = true, ['\n'] = true, [';'] = true,
    ['('] = true, [')'] = true,  ['"'] = true,  ['\\'] = true};

/* Where the unquoted word at p ends: a table lookup a byte, as words are
 * most of a zone's text. */
static const char *word_end(const char *p, const char *end)
{
    for (;;) {
        while (p < end && !word_stop[(unsigned char)*p])
            p++;
        if (p == end || *p != '\\')
            return p;
        p += p + 1 < end && p[1] != '\n' ? 2 : 1;
    }
}

/* Reads one logical record (a line, or several joined by parentheses).
 * Returns the number of tokens, 0 for nothing more, -1 after an error
 * (reported; the rest of the record is skipped). */
static int lex_record(Lexer *L, Token *toks, bool *leading_blank)
{
    int n = 0, paren = 0;
    Loc paren_at = {0}; /* set at the first "(" */
    /* Whether the line of the record's first word starts with a blank: the
     * first line's, or the next one's while only blanks and comments came. */
    *leading_blank = L->p < L->end && is_blank(*L->p);
    while (L->p < L->end) {
        char c = *L->p;
        if (c == '\n') {
            advance(L);
            if (paren == 0 && n > 0)
                return n;
            if (paren == 0 && n == 0)
                *leading_blank = L->p < L->end && is_blank(*L->p);
            continue;
        }
        if (is_blank(c)) { /* a run of them (no line break among them) */
            do {
                L->p++;
                L->col++;
            } while (L->p < L->end && is_blank(*L->p));
            continue;
        }
        if (c == ';') {
            while (L->p < L->end && *L->p != '\n')
                advance(L);
            continue;
        }
        if (c == '(') {
            if (paren++ == 0)
                paren_at = here(L);
            advance(L);
            continue;
        }
        if (c == ')') {
            if (paren == 0) {
                dns_zone_report(L->errs, here(L), "\")\" without a matching \"(\"");
                goto skip;
            }
            paren--;
            advance(L);
            continue;
        }
        if (n == MAX_TOKENS) {
            dns_zone_report(L->errs, here(L), "too many fields in one record (at most %d)",
                            MAX_TOKENS);
            goto skip;
        }
        Token *t = &toks[n++];
        t->at = here(L);
        t->quoted = c == '"';
        if (t->quoted) {
            advance(L);
            t->s = L->p;
            while (L->p < L->end && *L->p != '"' && *L->p != '\n') {
                if (*L->p == '\\' && L->p + 1 < L->end && L->p[1] != '\n')
                    advance(L);
                advance(L);
            }
            if (L->p >= L->end || *L->p != '"') {
                dns_zone_report(L->errs, t->at,
                                "quoted string is not closed (expected a '\"' before the "
                                "end of the line)");
                goto skip;
            }
            t->len = (size_t)(L->p - t->s);
            advance(L);
            continue;
        }
        t->s = L->p;
        L->p = word_end(L->p, L->end);
        L->col += (int)(L->p - t->s); /* a word holds no line break */
        t->len = (size_t)(L->p - t->s);
    }
    if (paren > 0) {
        dns_zone_report(L->errs, paren_at,
                        "\"(\" is never closed (expected a \")\" before the end of %s)",
                        L->src->where ? "the record" : "the file");
        L->failed = true;
        return -1;
    }
    return n;
skip:
    L->failed = true;
    while (L->p < L->end && (*L->p != '\n' || paren > 0)) {
        if (*L->p == '(')
            paren++;
        else if (*L->p == ')' && paren > 0)
            paren--;
        advance(L);
    }
    return -1;
}

/* ---- building a zone --------------------------------------------------- */

/* A record read, not yet sorted: its owner's wire form is in the
 * builder's names (a record with the same owner as the one before shares
 * it), rdata in the builder's rdata. */
typedef struct Pending {
    const uint8_t *name; /* set once every record is read (names no longer moves) */
    uint32_t name_off;
    uint8_t name_len, labels;
    uint16_t type, region;
    bool keyed; /* key holds the owner's first bytes in order (sort_keys) */
    uint32_t ttl;
    uint32_t rdoff, rdlen;
    uint32_t order;
    uint64_t key;
    Loc at;
} Pending;

typedef struct Builder {
    DnsZone *z;
    Errors *errs;
    Pending *recs;
    size_t n, cap;
    Buf rdata;
    Buf names;   /* owners' wire forms */
    Token *toks; /* MAX_TOKENS of them: the caller's, shared by the zones it loads */
    /* master-file state */
    DnsName origin, last_owner;
    bool have_last_owner;
    bool have_default_ttl, have_last_ttl;
    bool bad_default_ttl; /* a $TTL line was refused: records that needed it are not reported */
    uint32_t default_ttl, last_ttl;
    size_t first_error;
    /* The zone as a whole, for messages: "FILE:1:1" for a master file, else
     * "SCENARIO: zones[…]"; made only for a message (builder_where). */
    const char *file, *scenario, *origin_text;
    char *where;
} Builder;

/* file: the zone's master file, or NULL for the scenario's inline zone
 * origin_text. */
static void builder_init(Builder *b, DnsZone *z, const DnsName *origin, Errors *errs, Token *toks,
                         const char *file, const char *scenario, const char *origin_text)
{
    memset(b, 0, sizeof *b);
    b->toks = toks;
    b->file = file;
    b->scenario = scenario;
    b->origin_text = origin_text;
    b->z = z;
    b->errs = errs;
    b->origin = *origin;
    buf_init(&b->rdata);
    buf_init(&b->names);
    b->first_error = errs->n;
}

static const char *builder_where(Builder *b)
{
    if (!b->where)
        b->where = b->file ? xasprintf("%s:1:1", b->file)
                           : xasprintf("%s: zones[\"%s\"]", b->scenario, b->origin_text);
    return b->where;
}

static bool add_record(Builder *b, const DnsName *owner, uint16_t type, uint32_t ttl,
                       uint16_t region, size_t rdoff, Loc at)
{
    size_t rdlen = b->rdata.len - rdoff;
    if (!dns_name_is_under(owner, &b->z->origin)) {
        char on[300], zn[300];
        dns_zone_report(b->errs, at, "%s is outside the zone %s (expected a name ending in %s)",
                        dns_name_str(owner, on, sizeof on),
                        dns_name_str(&b->z->origin, zn, sizeof zn), zn);
        return false;
    }
    if (rdlen > 65535) {
        dns_zone_report(b->errs, at, "record data longer than 65535 bytes");
        return false;
    }
    if (b->names.len + owner->len > UINT32_MAX || b->rdata.len > UINT32_MAX) {
        dns_zone_report(b->errs, at,
                        "the zone is too large (expected at most 4 GB of names and data)");
        return false;
    }
    b->recs = xgrow(b->recs, &b->cap, b->n + 1, sizeof *b->recs);
    const Pending *prev = b->n ? &b->recs[b->n - 1] : NULL;
    uint32_t name_off;
    if (prev && prev->name_len == owner->len &&
        memcmp(b->names.data + prev->name_off, owner->data, owner->len) == 0) {
        name_off = prev->name_off;
    } else {
        name_off = (uint32_t)b->names.len;
        buf_put(&b->names, owner->data, owner->len);
    }
    b->recs[b->n] = (Pending){.name_off = name_off,
                              .name_len = owner->len,
                              .labels = owner->labels,
                              .type = type,
                              .region = region,
                              .ttl = ttl,
                              .rdoff = (uint32_t)rdoff,
                              .rdlen = (uint32_t)rdlen,
                              .order = (uint32_t)b->n,
                              .at = at};
    b->n++;
    return true;
}

/* One master-file record (tokens t[0..n)). */
static void master_record(Builder *b, Token *t, int n, bool leading_blank)
{
    char s[300];
    const char *why;
    int i = 0;
    if (!leading_blank && t[0].len > 0 && t[0].s[0] == '$' && !t[0].quoted) {
        if (tok_is(&t[0], "$ORIGIN")) {
            DnsName o;
            if (n != 2 || !dns_name_from_text(&o, t[1].s, t[1].len, &b->origin, &why)) {
                dns_zone_report(b->errs, t[0].at, "bad $ORIGIN (expected \"$ORIGIN name.\")");
                return;
            }
            b->origin = o;
        } else if (tok_is(&t[0], "$TTL")) {
            if (n != 2 || !dns_zone_parse_ttl(&t[1], &b->default_ttl)) {
                dns_zone_report(b->errs, t[0].at,
                                "bad $TTL (expected seconds up to 2147483647 or a time like 1h30m: "
                                "\"$TTL 3600\" or \"$TTL 1h\")");
                b->bad_default_ttl = true; /* reported once, not at every record after it */
                return;
            }
            b->have_default_ttl = true;
            b->bad_default_ttl = false;
        } else {
            dns_zone_report(b->errs, t[0].at,
                            "%s is not supported by minet (expected $ORIGIN or $TTL)",
                            tok_str(&t[0], s, sizeof s));
        }
        return;
    }
    DnsName owner;
    if (leading_blank) {
        if (!b->have_last_owner) {
            dns_zone_report(b->errs, t[0].at,
                            "the first record has no owner (expected a name at the "
                            "start of the line)");
            return;
        }
        dns_name_copy(&owner, &b->last_owner);
    } else {
        if (t[0].quoted || !dns_name_from_text(&owner, t[0].s, t[0].len, &b->origin, &why)) {
            dns_zone_report(b->errs, t[0].at,
                            "\"%s\" is not a valid owner name: %s (expected a domain "
                            "name, or @ for the origin)",
                            tok_str(&t[0], s, sizeof s), t[0].quoted ? "it is quoted" : why);
            return;
        }
        i = 1;
    }
    dns_name_copy(&b->last_owner, &owner);
    b->have_last_owner = true;
    bool have_ttl = false, have_class = false;
    uint32_t ttl = 0;
    uint16_t type = 0;
    for (; i < n; i++) {
        if (!have_class && tok_is(&t[i], "IN")) {
            have_class = true;
            continue;
        }
        if (!have_class &&
            (tok_is(&t[i], "CH") || tok_is(&t[i], "HS") ||
             (t[i].len > 5 && tok_is(&(Token){t[i].s, 5, t[i].at, false}, "CLASS")))) {
            dns_zone_report(b->errs, t[i].at, "class %s is not supported (expected IN)",
                            tok_str(&t[i], s, sizeof s));
            return;
        }
        if (!have_ttl && t[i].len && t[i].s[0] >= '0' && t[i].s[0] <= '9') {
            if (!dns_zone_parse_ttl(&t[i], &ttl)) {
                dns_zone_report(b->errs, t[i].at,
                                "\"%s\" is not a valid TTL (expected seconds up to "
                                "2147483647, or a time like 1h30m)",
                                tok_str(&t[i], s, sizeof s));
                return;
            }
            have_ttl = true;
            continue;
        }
        break;
    }
    if (i >= n) {
        dns_zone_report(b->errs, t[n - 1].at,
                        "record without a type (expected a type such as A, NS, "
                        "MX after the owner, TTL and class)");
        return;
    }
    if (!dns_zone_type_from_token(&t[i], &type)) {
        dns_zone_report(b->errs, t[i].at,
                        "unknown type \"%s\" (expected A, AAAA, NS, CNAME, SOA, PTR, "
                        "MX, TXT, SRV, CAA, or TYPEnnn)",
                        tok_str(&t[i], s, sizeof s));
        return;
    }
    if (!have_ttl) {
        if (b->have_default_ttl) {
            ttl = b->default_ttl;
        } else if (b->have_last_ttl) {
            ttl = b->last_ttl;
        } else if (b->bad_default_ttl) {
            return;
        } else {
            dns_zone_report(b->errs, t[0].at,
                            "no TTL for this record (expected a TTL on the record, or "
                            "a $TTL line before it)");
            return;
        }
    } else {
        b->last_ttl = ttl;
        b->have_last_ttl = true;
    }
    size_t rdoff = b->rdata.len;
    Rd r = {b->errs, &b->origin, &b->rdata};
    if (!dns_zone_rdata_from_text(&r, type, &t[i], t + i + 1, n - i - 1)) {
        b->rdata.len = rdoff;
        return;
    }
    add_record(b, &owner, type, ttl, 0, rdoff, t[0].at);
}

static void parse_master(Builder *b, const Source *src, const char *text, size_t len)
{
    Lexer L;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3; /* a UTF-8 byte order mark, as some editors write */
        len -= 3;
    }
    lex_init(&L, src, text, len, b->errs);
    for (;;) {
        bool leading;
        int n = lex_record(&L, b->toks, &leading);
        if (n == 0)
            break;
        if (n > 0)
            master_record(b, b->toks, n, leading);
    }
}

/* An inline object record: {name, type, ttl, data, region}. */
static void object_record(Builder *b, const Source *src, const ZoneRecord *zr)
{
    Loc at = {*src, 0, 0}; /* an object: its JSON path says where */
    DnsName owner;
    const char *why;
    char s[300];
    if (!dns_name_from_text(&owner, zr->name, strlen(zr->name), &b->origin, &why)) {
        dns_zone_report(b->errs, at,
                        "name \"%s\": %s (expected a domain name, or @ for the origin)", zr->name,
                        why);
        return;
    }
    Token tt = {zr->type, strlen(zr->type), at, false};
    uint16_t type;
    if (!dns_zone_type_from_token(&tt, &type)) {
        dns_zone_report(b->errs, at,
                        "unknown type \"%s\" (expected A, AAAA, NS, CNAME, SOA, PTR, MX, "
                        "TXT, SRV, CAA, or TYPEnnn)",
                        tok_str(&tt, s, sizeof s));
        return;
    }
    uint32_t ttl;
    if (zr->ttl >= 0) {
        ttl = (uint32_t)zr->ttl;
    } else if (b->have_default_ttl) {
        ttl = b->default_ttl;
    } else if (b->have_last_ttl) {
        ttl = b->last_ttl;
    } else {
        dns_zone_report(b->errs, at, "no TTL (expected a \"ttl\", or an earlier record with one)");
        return;
    }
    b->last_ttl = ttl;
    b->have_last_ttl = true;
    Source data_src = *src;
    Lexer L;
    Token *toks = b->toks;
    lex_init(&L, &data_src, zr->data, strlen(zr->data), b->errs);
    bool leading;
    int n = lex_record(&L, toks, &leading);
    size_t rdoff = b->rdata.len;
    Rd r = {b->errs, &b->origin, &b->rdata};
    if (n >= 0 && dns_zone_rdata_from_text(&r, type, &tt, toks, n)) {
        uint16_t region = 0;
        if (zr->region) {
            size_t k;
            for (k = 0; k < b->z->n_regions; k++)
                if (strcmp(b->z->regions[k], zr->region) == 0)
                    break;
            if (k == b->z->n_regions) {
                b->z->regions = xrealloc(b->z->regions, (k + 1) * sizeof *b->z->regions);
                b->z->regions[b->z->n_regions++] = xstrdup(zr->region);
            }
            region = (uint16_t)(k + 1);
        }
        add_record(b, &owner, type, ttl, region, rdoff, at);
    } else {
        b->rdata.len = rdoff;
    }
}

/* ---- checking and indexing --------------------------------------------- */

/* Owners are equal ignoring ASCII case, as dns_name_equal compares.  Once
 * sort_keys has run: owners with different keys differ. */
static bool same_owner(const Pending *a, const Pending *b)
{
    if (a->name == b->name)
        return true;
    if (a->keyed && b->keyed && a->key != b->key)
        return false;
    if (a->name_len != b->name_len)
        return false;
    for (size_t i = 0; i < a->name_len; i++) {
        uint8_t x = a->name[i], y = b->name[i];
        if (x != y && (x | 0x20) != (y | 0x20))
            return false;
        if (x != y && ((x | 0x20) < 'a' || (x | 0x20) > 'z'))
            return false;
    }
    return true;
}

/* dns_name_compare's order, read in place. */
static int cmp_owners(const Pending *a, const Pending *b)
{
    return dns_name_compare_wire(a->name, a->labels, b->name, b->labels);
}

/* Gives each record a sort key: the first 8 bytes of its owner's labels
 * below the origin, from the right, each lower-cased and ended by a 0 byte,
 * zeros after them.  Comparing keys as numbers agrees with cmp_owners
 * (every owner ends in the origin, and a 0 byte sorts below any byte of a
 * label), so most comparisons end there; equal keys compare in full.  An
 * owner with a 0 byte in a label (\000) gets no key. */
static void sort_keys(Pending *recs, size_t n, int origin_labels)
{
    uint8_t starts[128];
    for (size_t i = 0; i < n; i++) {
        Pending *p = &recs[i];
        if (i > 0 && p->name == recs[i - 1].name) {
            p->key = recs[i - 1].key;
            p->keyed = recs[i - 1].keyed;
            continue;
        }
        dns_name_label_starts(p->name, p->labels, starts);
        uint64_t key = 0;
        int bytes = 0;
        bool keyed = true;
        for (int l = p->labels - origin_labels - 1; l >= 0 && bytes < 8; l--) {
            const uint8_t *label = p->name + starts[l];
            for (uint8_t k = 1; k <= label[0] && bytes < 8; k++, bytes++) {
                keyed = keyed && label[k] != 0;
                key = key << 8 | ascii_lower(label[k]);
            }
            if (bytes < 8) {
                key <<= 8;
                bytes++;
            }
        }
        if (bytes > 0 && bytes < 8)
            key <<= 8 * (8 - bytes);
        p->key = key;
        p->keyed = keyed;
    }
}

static int cmp_pending(const void *x, const void *y)
{
    const Pending *a = x, *b = y;
    if (a->name != b->name) {
        if (a->keyed && b->keyed && a->key != b->key)
            return a->key < b->key ? -1 : 1;
        int c = cmp_owners(a, b);
        if (c)
            return c;
    }
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return a->order < b->order ? -1 : (a->order > b->order);
}

/* A record's place in the sort: its owner's key and its index in recs. */
typedef struct SortEnt {
    int64_t key; /* Pending.key with its top bit flipped, as sort_by_key takes a signed key */
    uint64_t i;
} SortEnt;

/* Zones of up to this many records (most of a scenario's) sort by
 * insertion: there a radix sort's passes over 256 buckets cost more. */
#define SMALL_SORT 32

/* Sorts by key, equal keys in the order they had. */
static void sort_ents(SortEnt *e, size_t n)
{
    if (n > SMALL_SORT) {
        sort_by_key(e, n, sizeof *e, offsetof(SortEnt, key), sizeof e->key);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        SortEnt x = e[i];
        size_t j = i;
        for (; j > 0 && e[j - 1].key > x.key; j--)
            e[j] = e[j - 1];
        e[j] = x;
    }
}

/* Sorts a run of records by cmp_pending: by insertion where it is short
 * (most runs are one owner's few records), else by qsort. */
static void sort_run(Pending *p, size_t n)
{
    if (n > SMALL_SORT) {
        qsort(p, n, sizeof *p, cmp_pending);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        Pending x = p[i];
        size_t j = i;
        for (; j > 0 && cmp_pending(&p[j - 1], &x) > 0; j--)
            p[j] = p[j - 1];
        p[j] = x;
    }
}

/* Sorts recs[0..n) by cmp_pending: in place for a small zone, else into a
 * new array, freeing recs; returns the sorted records.  The keys (made
 * once) sort the records, without a comparison through a function; only
 * runs of equal keys (one owner's records in the order they were read, or
 * owners alike in their first 8 bytes) go through cmp_pending, where they
 * are out of its order (an apex's SOA before its NS).  A zone with an
 * owner that has no key sorts by cmp_pending alone. */
static Pending *sort_records(Pending *recs, size_t n)
{
    if (n < 2)
        return recs;
    for (size_t i = 0; i < n; i++)
        if (!recs[i].keyed) {
            qsort(recs, n, sizeof *recs, cmp_pending);
            return recs;
        }
    SortEnt small[SMALL_SORT];
    SortEnt *e = n <= SMALL_SORT ? small : xmalloc(n * sizeof *e);
    for (size_t i = 0; i < n; i++)
        e[i] = (SortEnt){(int64_t)(recs[i].key ^ UINT64_C(0x8000000000000000)), i};
    sort_ents(e, n);
    /* A small zone's records are put in order through a copy on the stack,
     * back into recs; a larger one's into a new array. */
    Pending small_copy[SMALL_SORT];
    Pending *from = recs, *out = recs;
    if (n <= SMALL_SORT)
        from = memcpy(small_copy, recs, n * sizeof *recs);
    else
        out = xmalloc(n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = from[e[i].i];
    if (e != small)
        free(e);
    if (out != recs)
        free(recs);
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        bool in_order = true;
        for (; end < n && out[end].key == out[i].key; end++)
            in_order = in_order && cmp_pending(&out[end - 1], &out[end]) < 0;
        if (!in_order)
            sort_run(out + i, end - i);
        i = end;
    }
    return out;
}

void dns_zone_name(const DnsZone *z, const DnsZoneName *e, DnsName *out)
{
    out->len = e->len;
    out->labels = e->labels;
    memcpy(out->data, z->name_bytes + e->off, e->len);
}

DnsRR dns_zone_rr(const DnsZone *z, const DnsZoneRR *r, DnsName *owner)
{
    DnsRR rr;
    memset(&rr, 0, sizeof rr);
    dns_zone_name(z, &z->names[r->owner], owner);
    rr.name = owner;
    rr.type = r->type;
    rr.klass = DNS_CLASS_IN;
    rr.ttl = r->ttl;
    rr.rdlen = r->rdlen;
    rr.rdata = r->rdata;
    return rr;
}

static void index_put(DnsZone *z, size_t name_i)
{
    size_t mask = z->index_cap - 1;
    const DnsZoneName *e = &z->names[name_i];
    size_t h = dns_name_hash_wire(z->name_bytes + e->off, e->len) & mask;
    while (z->index[h])
        h = (h + 1) & mask;
    z->index[h] = (uint32_t)(name_i + 1);
}

const DnsZoneName *dns_zone_lookup(const DnsZone *z, const DnsName *name)
{
    if (!z->index_cap)
        return NULL;
    size_t mask = z->index_cap - 1;
    for (size_t h = dns_name_hash(name) & mask; z->index[h]; h = (h + 1) & mask) {
        const DnsZoneName *e = &z->names[z->index[h] - 1];
        if (dns_name_equal_wire(name, z->name_bytes + e->off, e->len))
            return e;
    }
    return NULL;
}

/* Names with records, then their ancestors up to the apex as empty
 * non-terminals; all in one hash index. */
static void build_index(DnsZone *z, size_t cap)
{
    size_t with_records = z->n_names;
    z->index_cap = hash_slots(with_records * 2 + 1, 16);
    z->index = xcalloc(z->index_cap, sizeof *z->index);
    for (size_t i = 0; i < with_records; i++)
        index_put(z, i);
    /* Most names are one label below the apex: once the apex is known,
     * they need no look-up. */
    bool apex_known = dns_zone_lookup(z, &z->origin) != NULL;
    for (size_t i = 0; i < with_records; i++) {
        if (apex_known && z->names[i].labels == z->origin.labels + 1)
            continue;
        /* An ancestor's wire form is a suffix of its descendant's. */
        uint32_t off = z->names[i].off;
        DnsName a;
        dns_zone_name(z, &z->names[i], &a);
        while (a.labels > z->origin.labels) {
            off += 1u + z->name_bytes[off];
            dns_name_parent(&a, &a);
            if (dns_zone_lookup(z, &a))
                break;
            if (z->n_names * 2 + 2 > z->index_cap) {
                /* Grow the index and re-insert. */
                free(z->index);
                z->index_cap *= 2;
                z->index = xcalloc(z->index_cap, sizeof *z->index);
                for (size_t k = 0; k < z->n_names; k++)
                    index_put(z, k);
            }
            z->names = xgrow(z->names, &cap, z->n_names + 1, sizeof *z->names);
            z->names[z->n_names] = (DnsZoneName){off, a.len, a.labels, 0, 0};
            index_put(z, z->n_names++);
            apex_known = apex_known || a.labels == z->origin.labels;
        }
    }
}

static bool has_type(const DnsZone *z, const DnsZoneName *e, uint16_t type)
{
    for (size_t i = e->first; i < e->first + e->count; i++)
        if (z->rrs[i].type == type)
            return true;
    return false;
}

/* Each RRset of name e must fit in a DNS message: over TCP a message is
 * at most 65,535 bytes, and an answer holds the whole RRset or none of it.
 * An RRset is the records of one type for every region (region 0), or, as
 * the server answers an asker in a region that has records of its own,
 * that region's alone.  Counted as small as an answer can make it: the
 * header, the question, each record's owner compressed to a 2-byte
 * pointer.  Else every server would answer with no data, as if the name
 * had none. */
static void check_rrset_sizes(Builder *b, const Pending *sorted, const DnsZoneName *e)
{
    const DnsZone *z = b->z;
    size_t head = 12 + (size_t)e->len + 4;
    for (size_t i = e->first; i < e->first + e->count;) {
        size_t end = i;
        while (end < e->first + e->count && z->rrs[end].type == z->rrs[i].type)
            end++;
        /* each region present (0 first), once */
        for (size_t r = i; r < end; r++) {
            bool seen = false;
            for (size_t k = i; k < r && !seen; k++)
                seen = z->rrs[k].region == z->rrs[r].region;
            if (seen)
                continue;
            size_t bytes = head, n = 0;
            for (size_t k = i; k < end; k++)
                if (z->rrs[k].region == z->rrs[r].region) {
                    bytes += 2 + 10 + z->rrs[k].rdlen;
                    n++;
                }
            if (bytes <= 65535)
                continue;
            DnsName en;
            char nn[300], tb[16];
            dns_zone_name(z, e, &en);
            dns_zone_report(
                b->errs, sorted[r].at,
                "the %zu %s records of %s take %zu bytes in an answer (expected at most "
                "65535: a DNS message holds a record set whole)",
                n, dns_type_name(z->rrs[i].type, tb), dns_name_str(&en, nn, sizeof nn), bytes);
        }
        i = end;
    }
}

static void check_zone(Builder *b, const Pending *sorted)
{
    DnsZone *z = b->z;
    char zn[300], nn[300]; /* zn: the origin as text, made for a message */
    const DnsZoneName *apex = dns_zone_lookup(z, &z->origin);
    size_t soas = 0;
    if (apex)
        for (size_t i = apex->first; i < apex->first + apex->count; i++)
            if (z->rrs[i].type == DNS_TYPE_SOA) {
                if (soas++ == 0) {
                    z->soa_rr = dns_zone_rr(z, &z->rrs[i], &z->soa_owner);
                    z->soa = &z->soa_rr;
                } else
                    dns_zone_report(b->errs, sorted[i].at,
                                    "a second SOA record for %s (expected exactly "
                                    "one)",
                                    dns_name_str(&z->origin, zn, sizeof zn));
            }
    bool no_ns = !apex || !has_type(z, apex, DNS_TYPE_NS);
    if (!soas || no_ns) {
        dns_name_str(&z->origin, zn, sizeof zn);
        const char *dot = strcmp(zn, ".") ? zn : "";
        if (!soas)
            errors_add(b->errs,
                       "%s: zone %s has no SOA record at its apex (expected \"@ IN SOA "
                       "ns1.%s hostmaster.%s 1 7200 3600 1209600 3600\")",
                       builder_where(b), zn, dot, dot);
        if (no_ns)
            errors_add(b->errs,
                       "%s: zone %s has no NS record at its apex (expected \"@ IN NS "
                       "ns1.%s\")",
                       builder_where(b), zn, dot);
    }
    if (z->soa) {
        uint32_t minimum = get_be32(z->soa->rdata + z->soa->rdlen - 4);
        z->negative_ttl = z->soa->ttl < minimum ? z->soa->ttl : minimum;
    }
    /* Where every record of the zone would fit in one answer, beside any
     * question, no RRset can be too big for one. */
    size_t all = 12 + DNS_NAME_MAX + 4;
    for (size_t i = 0; i < z->n_rrs; i++)
        all += 2 + 10 + z->rrs[i].rdlen;
    for (size_t k = 0; k < z->n_names; k++) {
        const DnsZoneName *e = &z->names[k];
        if (all > 65535)
            check_rrset_sizes(b, sorted, e);
        if (e->count && has_type(z, e, DNS_TYPE_CNAME) && e->count > 1) {
            DnsName en;
            dns_zone_name(z, e, &en);
            for (size_t i = e->first; i < e->first + e->count; i++)
                if (z->rrs[i].type != DNS_TYPE_CNAME) {
                    dns_zone_report(b->errs, sorted[i].at,
                                    "%s has a CNAME and other data (expected a "
                                    "CNAME alone at its name, RFC 1034 3.6.2)",
                                    dns_name_str(&en, nn, sizeof nn));
                    break;
                }
            size_t cnames = 0;
            for (size_t i = e->first; i < e->first + e->count; i++)
                cnames += z->rrs[i].type == DNS_TYPE_CNAME;
            if (cnames > 1)
                dns_zone_report(b->errs, sorted[e->first].at,
                                "%s has %zu CNAME records (expected one)",
                                dns_name_str(&en, nn, sizeof nn), cnames);
        }
    }
    /* Glue: a name server named inside the zone it serves needs an address
     * here, or nobody could ever reach it (BIND and NSD refuse such a zone).
     * Servers named elsewhere are found through their own zones. */
    for (size_t i = 0; i < z->n_rrs; i++) {
        if (z->rrs[i].type != DNS_TYPE_NS)
            continue;
        DnsName owner;
        DnsRR rrv = dns_zone_rr(z, &z->rrs[i], &owner);
        const DnsRR *rr = &rrv;
        DnsName target;
        if (rr->type != DNS_TYPE_NS || !dns_name_from_wire(&target, rr->rdata, rr->rdlen) ||
            !dns_name_is_under(&target, rr->name))
            continue;
        const DnsZoneName *e = dns_zone_lookup(z, &target);
        if (e && (has_type(z, e, DNS_TYPE_A) || has_type(z, e, DNS_TYPE_AAAA)))
            continue;
        dns_name_str(rr->name, zn, sizeof zn);
        dns_zone_report(b->errs, sorted[i].at,
                        "name server %s is inside %s but has no address here "
                        "(expected glue: an A or AAAA record for %s)",
                        dns_name_str(&target, nn, sizeof nn), zn, nn);
    }
}

/* Sorts, removes duplicates, indexes and checks what the builder holds. */
static bool finish(Builder *b)
{
    DnsZone *z = b->z;
    if (b->errs->n > b->first_error) {
        free(b->recs);
        buf_fini(&b->rdata);
        buf_fini(&b->names);
        free(b->where);
        return false;
    }
    for (size_t i = 0; i < b->n; i++)
        b->recs[i].name = (const uint8_t *)b->names.data + b->recs[i].name_off;
    sort_keys(b->recs, b->n, z->origin.labels);
    b->recs = sort_records(b->recs, b->n);
    /* Identical records are one (BIND and NSD ignore repeats). */
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        const Pending *p = &b->recs[i];
        if (k > 0) {
            const Pending *q = &b->recs[k - 1];
            if (q->type == p->type && q->region == p->region && q->rdlen == p->rdlen &&
                same_owner(q, p) &&
                memcmp(b->rdata.data + q->rdoff, b->rdata.data + p->rdoff, p->rdlen) == 0)
                continue;
        }
        if (k != i)
            b->recs[k] = *p;
        k++;
    }
    b->n = k;
    z->rdata = (uint8_t *)buf_take(&b->rdata);
    z->name_bytes = (uint8_t *)buf_take(&b->names);
    z->rrs = xmalloc((b->n ? b->n : 1) * sizeof *z->rrs); /* each set below */
    z->n_rrs = b->n;
    size_t cap = b->n ? b->n : 1; /* at most one name a record, before build_index */
    z->names = xmalloc(cap * sizeof *z->names);
    for (size_t i = 0; i < b->n; i++) {
        const Pending *p = &b->recs[i];
        if (i == 0 || !same_owner(&b->recs[i - 1], p)) {
            z->names[z->n_names++] =
                (DnsZoneName){p->name_off, p->name_len, p->labels, (uint32_t)i, 0};
        }
        z->names[z->n_names - 1].count++;
        z->rrs[i] = (DnsZoneRR){z->rdata + p->rdoff,
                                (uint32_t)(z->n_names - 1),
                                p->ttl,
                                p->order,
                                p->type,
                                (uint16_t)p->rdlen,
                                p->region};
    }
    build_index(z, cap);
    size_t before = b->errs->n;
    check_zone(b, b->recs);
    free(b->recs);
    free(b->where);
    return b->errs->n == before;
}

void dns_zone_fini(DnsZone *z)
{
    free(z->rrs);
    free(z->names);
    free(z->index);
    free(z->rdata);
    free(z->name_bytes);
    for (size_t i = 0; i < z->n_regions; i++)
        free(z->regions[i]);
    free(z->regions);
    memset(z, 0, sizeof *z);
}

bool dns_zone_parse_text(DnsZone *z, const DnsName *origin, const char *file, const char *text,
                         size_t len, Errors *errs)
{
    memset(z, 0, sizeof *z);
    z->origin = *origin;
    Builder b;
    Token *toks = xmalloc(MAX_TOKENS * sizeof *toks);
    builder_init(&b, z, origin, errs, toks, file, NULL, NULL);
    Source src = {file, NULL, 0};
    parse_master(&b, &src, text, len);
    free(toks);
    return finish(&b);
}

uint16_t dns_zone_region(const DnsZone *z, const char *region)
{
    if (!region)
        return 0;
    for (size_t i = 0; i < z->n_regions; i++)
        if (strcmp(z->regions[i], region) == 0)
            return (uint16_t)(i + 1);
    return 0;
}

/* ---- the zones of a world ---------------------------------------------- */

static char *read_file(const char *path, size_t *len, Errors *errs)
{
    Buf b;
    buf_init(&b);
    bool opened;
    int err = file_read(path, DNS_ZONE_FILE_MAX, &b, &opened);
    if (err) {
        /* A failure while reading says only that: EIO. */
        errors_add(errs, "%s: cannot read: %s", path, file_strerror(opened ? EIO : err));
        buf_fini(&b);
        return NULL;
    }
    if (b.len > DNS_ZONE_FILE_MAX) {
        errors_add(errs, "%s: more than 64 MiB (expected a zone file of at most 64 MiB)", path);
        buf_fini(&b);
        return NULL;
    }
    *len = b.len;
    if (memchr(b.data ? b.data : "", '\0', b.len)) {
        errors_add(errs, "%s: contains a NUL byte (expected a text file)", path);
        buf_fini(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* toks: MAX_TOKENS tokens to lex with. */
static bool load_zone(DnsZone *z, const World *w, const Zone *src, Token *toks, Errors *errs)
{
    memset(z, 0, sizeof *z);
    DnsName origin;
    if (!dns_name_parse(&origin, src->origin, NULL)) {
        errors_add(errs, "%s: zones[\"%s\"]: not a valid origin", w->path, src->origin);
        return false;
    }
    z->origin = origin;
    Builder b;
    builder_init(&b, z, &origin, errs, toks, src->file, w->path, src->origin);
    if (src->file) {
        size_t len;
        char *text = read_file(src->file, &len, errs);
        if (!text) {
            free(b.recs);
            buf_fini(&b.rdata);
            free(b.where);
            return false;
        }
        Source s = {src->file, NULL, 0};
        parse_master(&b, &s, text, len);
        free(text);
        return finish(&b);
    }
    if (src->n_records) { /* at most one record each */
        b.recs = xmalloc(src->n_records * sizeof *b.recs);
        b.cap = src->n_records;
        /* About what a record takes (a 3-label owner, an address), so that
         * a zone's buffers are allocated once, not doubled from 64 bytes. */
        buf_reserve(&b.names, src->n_records * 16);
        buf_reserve(&b.rdata, src->n_records * 8);
    }
    for (size_t i = 0; i < src->n_records; i++) {
        const ZoneRecord *zr = &src->records[i];
        Source s = {w->path, src->records_where, zr->index};
        if (zr->line) {
            Lexer L;
            lex_init(&L, &s, zr->line, strlen(zr->line), errs);
            bool leading;
            int n = lex_record(&L, toks, &leading);
            if (n > 0)
                master_record(&b, toks, n, leading);
            else if (n == 0)
                errors_add(errs,
                           "%s: %s[%zu]: empty record (expected a master-file line like "
                           "\"www 3600 IN A 192.0.2.1\")",
                           w->path, src->records_where, zr->index);
        } else {
            object_record(&b, &s, zr);
        }
    }
    return finish(&b);
}

/* Fills set->by_origin, at most half full; of zones with one origin (in
 * any case) the first is the one found, as a search in order would. */
static void index_origins(DnsZoneSet *set)
{
    size_t size = hash_slots(set->n, 4);
    set->by_origin = xmalloc(size * sizeof *set->by_origin);
    set->mask = size - 1;
    for (size_t h = 0; h < size; h++)
        set->by_origin[h] = SIZE_MAX;
    for (size_t i = 0; i < set->n; i++) {
        const DnsName *o = &set->zones[i].origin;
        size_t h = dns_name_hash(o) & set->mask;
        while (set->by_origin[h] != SIZE_MAX &&
               !dns_name_equal(&set->zones[set->by_origin[h]].origin, o))
            h = (h + 1) & set->mask;
        if (set->by_origin[h] == SIZE_MAX)
            set->by_origin[h] = i;
    }
}

DnsZoneSet *dns_zones_load(const World *w, Errors *errs)
{
    const DnsConf *c = dns_conf_get(w);
    size_t n = c ? c->n_zones : 0;
    DnsZoneSet *set = xcalloc(1, sizeof *set);
    set->zones = xmalloc((n ? n : 1) * sizeof *set->zones); /* load_zone clears each */
    bool ok = true;
    Token *toks = xmalloc(MAX_TOKENS * sizeof *toks);
    for (size_t i = 0; i < n; i++) {
        if (!load_zone(&set->zones[set->n], w, &c->zones[i], toks, errs))
            ok = false;
        set->n++;
    }
    free(toks);
    if (!ok) {
        dns_zones_free(set);
        return NULL;
    }
    index_origins(set);
    return set;
}

void dns_zones_free(DnsZoneSet *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        dns_zone_fini(&set->zones[i]);
    free(set->zones);
    free(set->by_origin);
    free(set);
}

const DnsZone *dns_zones_find(const DnsZoneSet *set, const DnsName *origin)
{
    for (size_t h = dns_name_hash(origin) & set->mask;; h = (h + 1) & set->mask) {
        size_t i = set->by_origin[h];
        if (i == SIZE_MAX)
            return NULL;
        if (dns_name_equal(&set->zones[i].origin, origin))
            return &set->zones[i];
    }
}
