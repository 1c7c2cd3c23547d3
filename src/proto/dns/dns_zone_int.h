/* What dns_zone.c (reading and checking a zone) and dns_zone_text.c (a
 * record's fields from text: numbers, TTLs and rdata) share. */
#ifndef MN_DNS_ZONE_INT_H
#define MN_DNS_ZONE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_name.h"

/* The largest TTL: 2^31 - 1 (RFC 2181 8). */
#define DNS_ZONE_MAX_TTL 2147483647u

/* ---- where a record came from, for messages ---------------------------- */

typedef struct Source {
    const char *file;  /* the master file, or the scenario */
    const char *where; /* an inline record: the JSON path of its zone's records; or NULL */
    size_t index;      /* and its index there */
} Source;

/* Copies the Source's pointers: a Source may be a local, a Loc outlives it
 * (the strings belong to the World or the caller and outlive both). */
typedef struct Loc {
    Source src;
    int line, col;
} Loc;

/* Adds "FILE:LINE:COL: " (or the JSON path of an inline record) and the
 * message to errs. */
void dns_zone_report(Errors *errs, Loc at, const char *fmt, ...) MN_PRINTF(3, 4);

/* ---- tokens ------------------------------------------------------------ */

typedef struct Token {
    const char *s;
    size_t len;
    Loc at;
    bool quoted;
} Token;

/* Inline: its callers pass words written out, whose length then folds,
 * and it runs a few times for every record. */
static inline bool tok_is(const Token *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len != n || t->quoted)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = t->s[i], b = s[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 32);
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 32);
        if (a != b)
            return false;
    }
    return true;
}

static inline char *tok_str(const Token *t, char *buf, size_t size)
{
    size_t n = t->len < size - 1 ? t->len : size - 1;
    memcpy(buf, t->s, n);
    buf[n] = '\0';
    return buf;
}

/* ---- a record's fields (dns_zone_text.c) -------------------------------- */

/* BIND's TTL form: seconds, or numbers with units w d h m s ("1h30m"). */
bool dns_zone_parse_ttl(const Token *t, uint32_t *out);
/* The type a token names, as dig 9.18 names types. */
bool dns_zone_type_from_token(const Token *t, uint16_t *type);

/* Where rdata is read to: problems go to errs, relative names are under
 * origin, the rdata's wire form is appended to out. */
typedef struct Rd {
    Errors *errs;
    const DnsName *origin;
    Buf *out;
} Rd;

/* Reads the n fields t of a record of this type (named by type_tok) into
 * r's out; false, with the problem reported, if they are not its form. */
bool dns_zone_rdata_from_text(Rd *r, uint16_t type, const Token *type_tok, const Token *t, int n);

#endif
