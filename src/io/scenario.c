#define _XOPEN_SOURCE 700 /* realpath */
#include "scenario.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/units.h"
#include "io/outfile.h"
#include "proto/dns/dns_zone.h"
#include "apps/shell.h"

/* How loading goes:
 *
 *   1. bytes: size limit, no NUL, valid UTF-8;
 *   2. syntax: our own strict JSON checker, so that a malformed file gets a
 *      message saying what was expected at LINE:COL (cJSON only says where);
 *   3. cJSON builds the tree, which is then read into a World, every
 *      problem noted against the JSON value it is about;
 *   4. the problems are sorted into file order (the position of that value
 *      in a pre-order walk of the tree) and handed to the caller.
 *
 * Phases 1 and 2 stop at the first problem: after it nothing can be trusted.
 * Phase 3 reports everything, but avoids cascades: a reference to a broken
 * or missing thing is not checked again (see the *_ok flags and quiet).
 *
 * Costs: every lookup by id, address or origin is a binary search in a
 * sorted index, so a scenario loads in O(n log n). */

#define MAX_DEPTH      512
#define SEED_MAX       9007199254740992.0 /* 2^53: every integer up to it is exact */
#define TTL_MAX        2147483647.0       /* RFC 2181 */
#define QUOTE_MAX      100                /* bytes of a user string shown in a message */
#define SUGGEST_BUDGET 200000             /* edit distances computed for "did you mean" */

static const char DEFAULT_START[] = "2023-09-11T09:00:00Z";

/* A JSON path, built on the stack as the loader descends. */
typedef enum PathKind { P_ROOT, P_FIELD, P_QUOTED, P_INDEX } PathKind;

typedef struct Path {
    const struct Path *up;
    PathKind kind;
    const char *key;
    size_t index;
} Path;

typedef struct Pending {
    const cJSON *at; /* the value the problem is about; orders the report */
    size_t seq;      /* the order it was found in */
    size_t order;    /* at's place in the file, filled in by sort_pending */
    char *msg;
} Pending;

typedef struct NodeInfo {
    const cJSON *item, *id_item, *ip_item, *dns_item;
    bool ip_array, ip_bad;
    bool quiet;   /* no usable id, or a duplicate: no more messages about links */
    bool touched; /* named by a link that could not be made */
    size_t n_links;
} NodeInfo;

typedef struct IdEntry {
    const char *id;
    int node;
} IdEntry;

typedef struct AddrRef {
    uint32_t ip;
    int node, elem; /* elem -1: "ip" is a string */
    const cJSON *item;
} AddrRef;

typedef struct Loader {
    const char *name, *dir;
    World *w;
    Pending *pend;
    size_t n_pend, cap_pend;
    char **scratch;
    size_t n_scratch, cap_scratch;
    size_t suggest_budget;

    NodeInfo *ni;
    IdEntry *ids; /* sorted by id, first occurrences only */
    size_t n_ids;
    const char **id_words; /* ids in node order, for "did you mean" */
    size_t n_id_words;
    AddrRef *addrs; /* sorted by ip once the nodes are read */
    size_t n_addrs, cap_addrs;
    bool nodes_ok; /* "nodes" is an array: references to nodes can be checked */
    bool links_ok; /* "links" is absent or an array: connectivity can be checked */
    bool ips_ok;   /* every node has a valid address: "dns" can be checked */

    const char **origins; /* zone origins, sorted */
    size_t n_origins;
    bool zones_ok; /* "zones" is absent or an object: references can be checked */

    size_t *link_file_index; /* w->links[k] came from links[link_file_index[k]] */
    size_t cap_links;
} Loader;

/* qsort, but an empty array may be NULL (qsort's may not). */
static void sort_(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- messages ------------------------------------------------------------ */

static const char *keep(Loader *L, char *s)
{
    L->scratch = xgrow(L->scratch, &L->cap_scratch, L->n_scratch + 1, sizeof *L->scratch);
    L->scratch[L->n_scratch++] = s;
    return s;
}

/* Length of the UTF-8 sequence starting with lead byte c (input is valid). */
static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Code points a terminal might act on, or that reorder text: C1 controls,
 * line and paragraph separators, bidirectional overrides and isolates. */
static bool is_unsafe_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static uint32_t utf8_decode(const unsigned char *p, size_t n)
{
    if (n == 1)
        return p[0];
    if (n == 2)
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    if (n == 3)
        return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
           ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

/* Appends s as a JSON string, escaped so that nothing reaches a terminal
 * raw; at most QUOTE_MAX bytes of it, then "…". */
static void put_quoted(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = utf8_len(c);
        if (i + k > n)
            k = n - i;
        if (i + k > QUOTE_MAX) {
            buf_puts(b, "\xe2\x80\xa6");
            break;
        }
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\t') {
            buf_puts(b, "\\t");
        } else if (c == '\r') {
            buf_puts(b, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\u%04x", c);
        } else if (k > 1 && is_unsafe_cp(utf8_decode((const unsigned char *)s + i, k))) {
            buf_printf(b, "\\u%04x", (unsigned)utf8_decode((const unsigned char *)s + i, k));
        } else {
            buf_put(b, s + i, k);
        }
        i += k;
    }
    buf_putc(b, '"');
}

/* s quoted and escaped; lives until the load ends. */
static const char *q(Loader *L, const char *s)
{
    Buf b;
    buf_init(&b);
    put_quoted(&b, s, strlen(s));
    return keep(L, buf_take(&b));
}

static void path_put(Buf *b, const Path *p)
{
    if (!p || p->kind == P_ROOT)
        return;
    path_put(b, p->up);
    bool top = !p->up || p->up->kind == P_ROOT;
    switch (p->kind) {
    case P_FIELD:
        buf_printf(b, "%s%s", top ? "" : ".", p->key);
        break;
    case P_QUOTED:
        buf_putc(b, '[');
        put_quoted(b, p->key, strlen(p->key));
        buf_putc(b, ']');
        break;
    case P_INDEX:
        buf_printf(b, "[%zu]", p->index);
        break;
    case P_ROOT:
        break;
    }
}

static char *path_str(const Path *p)
{
    Buf b;
    buf_init(&b);
    path_put(&b, p);
    return buf_take(&b);
}

static void err(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...) MN_PRINTF(4, 5);

/* Notes one problem about the value at, whose path is p. */
static void err(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...)
{
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s: ", L->name);
    if (p && p->kind != P_ROOT) {
        path_put(&b, p);
        buf_puts(&b, ": ");
    }
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    L->pend = xgrow(L->pend, &L->cap_pend, L->n_pend + 1, sizeof *L->pend);
    L->pend[L->n_pend] = (Pending){at, L->n_pend, 0, buf_take(&b)};
    L->n_pend++;
}

static const char *fmt_number(Loader *L, double v)
{
    return keep(L, xasprintf("%.15g", v));
}

/* What a value is, for "got …" messages. */
static const char *got(Loader *L, const cJSON *v)
{
    if (cJSON_IsString(v))
        return keep(L, xasprintf("the string %s", q(L, v->valuestring)));
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble)
                   ? keep(L, xasprintf("the number %s", fmt_number(L, v->valuedouble)))
                   : "a number too large to use";
    if (cJSON_IsTrue(v))
        return "true";
    if (cJSON_IsFalse(v))
        return "false";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "a list [ … ]";
    return "an object { … }";
}

/* A comma-separated list of words, for "expected one of …". */
static const char *join(Loader *L, const char *const *words, size_t n)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", words[i]);
    return keep(L, buf_take(&b));
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y || !x)
            return x - y;
    }
}

/* "; did you mean "x"?" or "". */
static const char *suggest(Loader *L, const char *word, const char *const *cands, size_t n,
                           const char **best)
{
    if (best)
        *best = NULL;
    if (L->suggest_budget < n)
        return "";
    L->suggest_budget -= n;
    /* The same word in other case is the likeliest meaning. */
    const char *c = NULL;
    for (size_t i = 0; i < n && !c; i++)
        if (ascii_casecmp(word, cands[i]) == 0)
            c = cands[i];
    if (!c)
        c = closest_word(word, cands, n);
    if (!c)
        return "";
    if (best)
        *best = c;
    return keep(L, xasprintf("; did you mean %s?", q(L, c)));
}

static void unknown_key(Loader *L, const cJSON *at, const Path *p, const char *key,
                        const char *const *cands, size_t n)
{
    err(L, at, p, "unknown key %s (expected one of %s%s)", q(L, key), join(L, cands, n),
        suggest(L, key, cands, n, NULL));
}

/* Does obj have an unknown key that looks like a typo for key?  Then a
 * "missing key" message would only repeat the "did you mean". */
static bool typo_for(const cJSON *obj, const char *key, const char *const *known, size_t n)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t k = 0;
        while (k < n && strcmp(known[k], c->string) != 0)
            k++;
        if (k < n)
            continue;
        const char *best = closest_word(c->string, known, n);
        if (best && strcmp(best, key) == 0)
            return true;
    }
    return false;
}

/* ---- reading values ------------------------------------------------------ */

typedef struct KeyIdx {
    const char *key;
    size_t idx;
} KeyIdx;

static int cmp_keyidx(const void *a, const void *b)
{
    const KeyIdx *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Flags each member of obj that repeats an earlier key, and reports it.
 * O(n log n), so a "zones" object with thousands of origins is fine. */
static bool *find_duplicates(Loader *L, const cJSON *obj, const Path *p)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        n++;
    bool *dup = xcalloc(n ? n : 1, sizeof *dup);
    if (n < 2)
        return dup;
    KeyIdx *k = xmalloc(n * sizeof *k);
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++)
        k[i] = (KeyIdx){c->string, i};
    sort_(k, n, sizeof *k, cmp_keyidx);
    for (i = 1; i < n; i++)
        if (strcmp(k[i].key, k[i - 1].key) == 0)
            dup[k[i].idx] = true;
    free(k);
    i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++)
        if (dup[i])
            err(L, c, p, "duplicate key %s (expected each key once)", q(L, c->string));
    return dup;
}

static Path field(const Path *up, const char *key)
{
    return (Path){up, P_FIELD, key, 0};
}

static Path quoted(const Path *up, const char *key)
{
    return (Path){up, P_QUOTED, key, 0};
}

static Path indexed(const Path *up, size_t i)
{
    return (Path){up, P_INDEX, NULL, i};
}

static const char *get_string(Loader *L, const cJSON *v, const Path *p, const char *expected)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    err(L, v, p, "got %s (expected %s)", got(L, v), expected);
    return NULL;
}

static bool get_bool(Loader *L, const cJSON *v, const Path *p, bool *out)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return true;
    }
    err(L, v, p, "got %s (expected true or false, without quotes)", got(L, v));
    return false;
}

static bool get_number(Loader *L, const cJSON *v, const Path *p, const char *expected, double *out)
{
    if (!cJSON_IsNumber(v)) {
        err(L, v, p, "got %s (expected %s)", got(L, v), expected);
        return false;
    }
    if (!isfinite(v->valuedouble)) {
        err(L, v, p, "the number is too large (expected %s)", expected);
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* A whole number in min..max, which must lie within int64_t. */
static bool get_int(Loader *L, const cJSON *v, const Path *p, double min, double max,
                    const char *expected, int64_t *out)
{
    double d;
    if (!get_number(L, v, p, expected, &d))
        return false;
    if (d != floor(d)) {
        err(L, v, p, "%s is not a whole number (expected %s)", fmt_number(L, d), expected);
        return false;
    }
    if (d < min || d > max) {
        err(L, v, p, "%s is out of range (expected %s)", fmt_number(L, d), expected);
        return false;
    }
    *out = (int64_t)d;
    return true;
}

static const char TIME_EXPECTED[] =
    "a time like \"5ms\": a number and a unit, one of us, ms, s, min, h";
static const char RATE_EXPECTED[] =
    "a rate like \"100Mbit\": a number and a unit, one of bit, kbit, Mbit, Gbit";

static bool get_time(Loader *L, const cJSON *v, const Path *p, SimTime *out)
{
    if (cJSON_IsNumber(v)) {
        err(L, v, p, "got %s, without a unit (expected %s)", got(L, v), TIME_EXPECTED);
        return false;
    }
    const char *s = get_string(L, v, p, TIME_EXPECTED);
    const char *why;
    if (!s)
        return false;
    if (!units_parse_time(s, out, &why)) {
        err(L, v, p, "%s %s (expected %s)", q(L, s), why, TIME_EXPECTED);
        return false;
    }
    return true;
}

static bool get_rate(Loader *L, const cJSON *v, const Path *p, uint64_t *out)
{
    if (cJSON_IsNumber(v)) {
        err(L, v, p, "got %s, without a unit (expected %s)", got(L, v), RATE_EXPECTED);
        return false;
    }
    const char *s = get_string(L, v, p, RATE_EXPECTED);
    const char *why;
    if (!s)
        return false;
    if (!units_parse_rate(s, out, &why)) {
        err(L, v, p, "%s %s (expected %s)", q(L, s), why, RATE_EXPECTED);
        return false;
    }
    if (*out == 0) {
        err(L, v, p, "%s is zero (expected a rate above zero, like \"100Mbit\")", q(L, s));
        return false;
    }
    return true;
}

/* A dotted quad.  unicast: also refuse 0.0.0.0 and 255.255.255.255, which
 * no interface can have. */
static bool get_ip(Loader *L, const cJSON *v, const Path *p, bool unicast, uint32_t *out)
{
    static const char expected[] = "an IPv4 address like \"10.0.0.1\"";
    const char *s = get_string(L, v, p, expected);
    if (!s)
        return false;
    if (!ip_parse(s, out)) {
        err(L, v, p,
            "%s is not an IPv4 address (expected four numbers from 0 to 255 separated by dots, "
            "without leading zeros, like \"10.0.0.1\")",
            q(L, s));
        return false;
    }
    if (unicast && (*out == 0 || *out == 0xffffffffu)) {
        err(L, v, p, "%s cannot be the address of a node (expected an address like \"10.0.0.1\")",
            q(L, s));
        return false;
    }
    return true;
}

/* ---- bytes and syntax ---------------------------------------------------- */

typedef struct LineCol {
    size_t line, col;
} LineCol;

static bool has_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0;
}

/* Line and column (1-based, in characters) of byte pos.  A line ends with
 * LF, CR LF or a lone CR. */
static LineCol line_col(const char *s, size_t len, size_t pos)
{
    LineCol lc = {1, 1};
    size_t i = has_bom(s, len) ? 3 : 0;
    if (pos > len)
        pos = len;
    for (; i < pos; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || (c == '\r' && (i + 1 >= len || s[i + 1] != '\n'))) {
            lc.line++;
            lc.col = 1;
        } else if ((c & 0xc0) != 0x80) {
            lc.col++;
        }
    }
    return lc;
}

typedef struct Text {
    Loader *L;
    const char *s;
    size_t len;
} Text;

static void err_pos(const Text *t, size_t pos, const char *fmt, ...) MN_PRINTF(3, 4);

/* A problem with the text itself: FILE:LINE:COL: … */
static void err_pos(const Text *t, size_t pos, const char *fmt, ...)
{
    Loader *L = t->L;
    LineCol lc = line_col(t->s, t->len, pos);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s:%zu:%zu: ", L->name, lc.line, lc.col);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    L->pend = xgrow(L->pend, &L->cap_pend, L->n_pend + 1, sizeof *L->pend);
    L->pend[L->n_pend] = (Pending){NULL, L->n_pend, 0, buf_take(&b)};
    L->n_pend++;
}

/* Length of a valid UTF-8 sequence at s[i], or 0. */
static size_t utf8_valid(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (i + n > len)
        return 0;
    if (s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
            return 0;
    return n;
}

static bool check_bytes(const Text *t)
{
    const unsigned char *u = (const unsigned char *)t->s;
    for (size_t i = 0; i < t->len;) {
        if (u[i] == 0) {
            err_pos(t, i, "the file contains a NUL byte (expected UTF-8 text, not a binary file)");
            return false;
        }
        size_t n = utf8_valid(u, t->len, i);
        if (n == 0) {
            err_pos(t, i,
                    "byte 0x%02X is not valid UTF-8 (expected UTF-8 text: save the file as "
                    "UTF-8)",
                    u[i]);
            return false;
        }
        i += n;
    }
    return true;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '+' || c == '-';
}

/* The word at pos (letters, digits, _ . + -), quoted, at most 40 bytes. */
static const char *word_at(const Text *t, size_t pos)
{
    size_t n = 0;
    while (pos + n < t->len && n < 40 && is_word(t->s[pos + n]))
        n++;
    Buf b;
    buf_init(&b);
    put_quoted(&b, t->s + pos, n);
    return keep(t->L, buf_take(&b));
}

/* The character at pos, quoted (the text is valid UTF-8 by now). */
static const char *char_at(const Text *t, size_t pos)
{
    size_t n = utf8_len((unsigned char)t->s[pos]);
    if (pos + n > t->len)
        n = t->len - pos;
    Buf b;
    buf_init(&b);
    put_quoted(&b, t->s + pos, n);
    return keep(t->L, buf_take(&b));
}

static bool hex4(const Text *t, size_t i, unsigned *out)
{
    if (i + 4 > t->len)
        return false;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = t->s[i + k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v * 16 + d;
    }
    *out = v;
    return true;
}

/* Scans the string starting at the quote at *pos. */
static bool scan_string(const Text *t, size_t *pos)
{
    size_t start = *pos, i = start + 1;
    while (i < t->len) {
        unsigned char c = (unsigned char)t->s[i];
        if (c == '"') {
            *pos = i + 1;
            return true;
        }
        if (c == '\n' || c == '\r') {
            err_pos(t, i,
                    "line break inside a string (expected the closing \" before the end of "
                    "the line)");
            return false;
        }
        if (c == '\t') {
            err_pos(t, i, "tab character inside a string (expected \\t or spaces instead)");
            return false;
        }
        if (c < 0x20) {
            err_pos(t, i, "control character U+%04X inside a string (expected \\u%04X instead)", c,
                    c);
            return false;
        }
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= t->len)
            break;
        char e = t->s[i + 1];
        if (e && strchr("\"\\/bfnrt", e)) {
            i += 2;
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || !hex4(t, i + 2, &cp)) {
            err_pos(t, i,
                    "invalid escape %s in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n "
                    "\\r \\t \\uXXXX; a backslash itself is written \\\\)",
                    keep(t->L, xasprintf("\"\\\\%s", char_at(t, i + 1) + 1)));
            return false;
        }
        if (cp == 0) {
            err_pos(t, i,
                    "\\u0000 (a NUL character) inside a string (expected text without NUL "
                    "characters)");
            return false;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (i + 12 <= t->len && t->s[i + 6] == '\\' && t->s[i + 7] == 'u' &&
                hex4(t, i + 8, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
                i += 12;
                continue;
            }
        }
        if (cp >= 0xd800 && cp <= 0xdfff) {
            err_pos(t, i,
                    "\\u%04X is half of a surrogate pair (expected a high \\uD800-\\uDBFF "
                    "followed by a low \\uDC00-\\uDFFF, or the character itself)",
                    cp);
            return false;
        }
        i += 6;
    }
    err_pos(t, start, "this string is never closed (expected a closing \")");
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Scans a number at *pos: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(const Text *t, size_t *pos)
{
    const char *s = t->s;
    size_t i = *pos, n = t->len;
    bool ok = true;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && is_digit(s[i])) {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        ok = false;
    }
    if (ok && i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            ok = false;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            ok = false;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (ok && i < n && is_word(s[i]))
        ok = false;
    if (!ok) {
        err_pos(t, *pos,
                "invalid number %s (expected a JSON number like 5, 0.25 or 1e3, without leading "
                "zeros; a value with a unit, like \"5ms\", needs double quotes)",
                word_at(t, *pos));
        return false;
    }
    *pos = i;
    return true;
}

typedef enum Want { W_VALUE, W_FIRST_VALUE, W_KEY, W_FIRST_KEY, W_COLON, W_AFTER } Want;

typedef struct Opener {
    char c;
    size_t pos;
} Opener;

static const char VALUE_EXPECTED[] =
    "a value: a \"string\" in double quotes, a number, true, false, null, [ … ] or { … }";

/* One step of the syntax check at a value.  Returns false on a problem. */
static bool syntax_value(const Text *t, size_t *pos, Want *want, bool after_colon, size_t comma,
                         Opener **stack, size_t *depth, size_t *cap)
{
    char c = t->s[*pos];
    if (c == '{' || c == '[') {
        if (*depth == MAX_DEPTH) {
            err_pos(t, *pos, "nested too deeply (expected at most %d levels of [ ] and { })",
                    MAX_DEPTH);
            return false;
        }
        *stack = xgrow(*stack, cap, *depth + 1, sizeof **stack);
        (*stack)[(*depth)++] = (Opener){c, *pos};
        (*pos)++;
        *want = c == '{' ? W_FIRST_KEY : W_FIRST_VALUE;
        return true;
    }
    if (c == ']' && *want == W_FIRST_VALUE) {
        (*depth)--;
        (*pos)++;
        *want = W_AFTER;
        return true;
    }
    if ((c == ']' || c == '}') && after_colon) {
        err_pos(t, *pos, "missing value after \":\" (expected %s)", VALUE_EXPECTED);
        return false;
    }
    if (c == '}' && *want == W_FIRST_VALUE) {
        const Opener *top = &(*stack)[*depth - 1];
        LineCol lc = line_col(t->s, t->len, top->pos);
        err_pos(t, *pos, "\"}\" does not match the \"[\" at %zu:%zu (expected a value or \"]\")",
                lc.line, lc.col);
        return false;
    }
    if ((c == ']' || c == '}') && *depth > 0) {
        err_pos(t, comma,
                "a comma before \"%c\" (expected another value after the comma, or no "
                "comma)",
                c);
        return false;
    }
    *want = W_AFTER;
    if (c == '"')
        return scan_string(t, pos);
    if (c == '-' || is_digit(c))
        return scan_number(t, pos);
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t k = 0; k < MN_ARRAY_LEN(lits); k++) {
        size_t n = strlen(lits[k]);
        if (*pos + n <= t->len && memcmp(t->s + *pos, lits[k], n) == 0 &&
            (*pos + n == t->len || !is_word(t->s[*pos + n]))) {
            *pos += n;
            return true;
        }
    }
    if (c == '\'')
        err_pos(t, *pos, "single quotes (expected double quotes: \"…\")");
    else if (is_word(c))
        err_pos(t, *pos, "unexpected word %s (expected %s)", word_at(t, *pos), VALUE_EXPECTED);
    else
        err_pos(t, *pos, "unexpected %s (expected %s)", char_at(t, *pos), VALUE_EXPECTED);
    return false;
}

static bool syntax_after(const Text *t, size_t *pos, Want *want, size_t *comma, bool *after_colon,
                         Opener *stack, size_t *depth)
{
    char c = t->s[*pos];
    if (*depth == 0) {
        err_pos(t, *pos,
                "unexpected text after the end of the scenario (expected nothing after "
                "the final \"}\")");
        return false;
    }
    const Opener *top = &stack[*depth - 1];
    char close = top->c == '{' ? '}' : ']';
    if (c == ',') {
        *comma = (*pos)++;
        *want = top->c == '{' ? W_KEY : W_VALUE;
        *after_colon = false;
        return true;
    }
    if (c == close) {
        (*depth)--;
        (*pos)++;
        return true;
    }
    LineCol lc = line_col(t->s, t->len, top->pos);
    if (c == '}' || c == ']')
        err_pos(t, *pos, "\"%c\" does not match the \"%c\" at %zu:%zu (expected \",\" or \"%c\")",
                c, top->c, lc.line, lc.col, close);
    else if (top->c == '{' && c == '"')
        err_pos(t, *pos,
                "missing comma before this key (expected \",\" between the entries of "
                "an object)");
    else if (top->c == '[' && (c == '"' || c == '{' || c == '[' || is_word(c)))
        err_pos(t, *pos,
                "missing comma before this value (expected \",\" between the values of "
                "a list)");
    else
        err_pos(t, *pos, "unexpected %s (expected \",\" or \"%c\")", char_at(t, *pos), close);
    return false;
}

/* A strict JSON checker (RFC 8259), for messages that say what was
 * expected.  cJSON only builds the tree once this has passed. */
static bool check_syntax(const Text *t)
{
    Opener *stack = NULL;
    size_t depth = 0, cap = 0, comma = 0, key = 0, key_end = 0;
    size_t pos = has_bom(t->s, t->len) ? 3 : 0;
    Want want = W_VALUE;
    bool after_colon = false, ok = false;
    for (;;) {
        while (pos < t->len && is_ws(t->s[pos]))
            pos++;
        if (pos == t->len) {
            if (depth == 0 && want == W_AFTER) {
                ok = true;
            } else if (depth > 0) {
                const Opener *top = &stack[depth - 1];
                LineCol lc = line_col(t->s, t->len, top->pos);
                err_pos(t, pos,
                        "the file ends too early: the \"%c\" at %zu:%zu is never closed "
                        "(expected \"%c\")",
                        top->c, lc.line, lc.col, top->c == '{' ? '}' : ']');
            } else {
                err_pos(t, pos, "the file ends too early (expected %s)", VALUE_EXPECTED);
            }
            break;
        }
        char c = t->s[pos];
        if (c == '/') {
            err_pos(t, pos,
                    "comments are not allowed in JSON (expected no // or /* */; a note "
                    "for students can go in \"description\")");
            break;
        }
        if (want == W_AFTER) {
            if (!syntax_after(t, &pos, &want, &comma, &after_colon, stack, &depth))
                break;
        } else if (want == W_COLON) {
            if (c != ':') {
                Buf b;
                buf_init(&b);
                put_quoted(&b, t->s + key + 1, key_end - key - 2);
                err_pos(t, pos, "missing \":\" after the key %s (expected \"key\": value)",
                        keep(t->L, buf_take(&b)));
                break;
            }
            pos++;
            want = W_VALUE;
            after_colon = true;
        } else if (want == W_KEY || want == W_FIRST_KEY) {
            if (c == '"') {
                key = pos;
                if (!scan_string(t, &pos))
                    break;
                key_end = pos;
                want = W_COLON;
            } else if (c == '}' && want == W_FIRST_KEY) {
                depth--;
                pos++;
                want = W_AFTER;
            } else if (c == '}') {
                err_pos(t, comma,
                        "a comma before \"}\" (expected another entry after the comma, "
                        "or no comma)");
                break;
            } else if (c == '\'') {
                err_pos(t, pos, "single quotes (expected double quotes: \"…\")");
                break;
            } else if (is_word(c)) {
                const char *w = word_at(t, pos);
                err_pos(t, pos, "key %s without double quotes (expected \"key\": value, as in %s)",
                        w, w);
                break;
            } else {
                err_pos(t, pos, "unexpected %s (expected a key in double quotes, like \"id\")",
                        char_at(t, pos));
                break;
            }
        } else {
            if (!syntax_value(t, &pos, &want, after_colon, comma, &stack, &depth, &cap))
                break;
            after_colon = false;
        }
    }
    free(stack);
    return ok;
}

/* ---- nodes --------------------------------------------------------------- */

#define R(role) (1u << (role))
#define R_ALL   (R(MN_ROLE_HOST) | R(MN_ROLE_ROUTER) | R(MN_ROLE_RESOLVER) | R(MN_ROLE_DNS))

typedef struct NodeKey {
    const char *name;
    unsigned roles;
} NodeKey;

static const NodeKey node_keys[] = {
    {"id", R_ALL},
    {"role", R_ALL},
    {"ip", R_ALL},
    {"region", R_ALL},
    {"pos", R_ALL},
    {"dns", R(MN_ROLE_HOST)},
    {"mode", R(MN_ROLE_RESOLVER)},
    {"qname_minimisation", R(MN_ROLE_RESOLVER)},
    {"root_hints", R(MN_ROLE_RESOLVER)},
    {"round_robin", R(MN_ROLE_RESOLVER) | R(MN_ROLE_DNS)},
    {"zones", R(MN_ROLE_DNS)},
    {"recursion", R(MN_ROLE_DNS)},
};

static const char *const role_a[MN_ROLE_COUNT] = {"a host", "a router", "a resolver",
                                                  "a dns server"};
static const char *const role_words[MN_ROLE_COUNT] = {"host", "router", "resolver", "dns"};

static const char *only_for(Loader *L, unsigned roles)
{
    Buf b;
    buf_init(&b);
    for (int r = 0; r < MN_ROLE_COUNT; r++)
        if (roles & R(r))
            buf_printf(&b, "%s%s", b.len ? " or " : "", role_a[r]);
    return keep(L, buf_take(&b));
}

static void add_addr(Loader *L, uint32_t ip, int node, int elem, const cJSON *item)
{
    L->addrs = xgrow(L->addrs, &L->cap_addrs, L->n_addrs + 1, sizeof *L->addrs);
    L->addrs[L->n_addrs++] = (AddrRef){ip, node, elem, item};
}

static void node_id(Loader *L, int i, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    const char *s = get_string(L, v, p, "a name for the node, like \"laptop\"");
    if (!s)
        return;
    n->id = xstrdup(s);
    L->ni[i].id_item = v;
    if (!*s) {
        err(L, v, p, "the id is empty (expected a name for the node, like \"laptop\")");
        return;
    }
    bool space = false, control = false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == ' ' || *c == '\t')
            space = true;
        else if (*c < 0x20 || *c == 0x7f)
            control = true;
    }
    if (space) {
        char *dash = xstrdup(s);
        for (char *c = dash; *c; c++)
            if (*c == ' ' || *c == '\t')
                *c = '-';
        err(L, v, p, "%s contains a space (expected an id without spaces, like %s)", q(L, s),
            q(L, dash));
        free(dash);
    } else if (control) {
        err(L, v, p,
            "%s contains a control character (expected letters, digits and "
            "punctuation)",
            q(L, s));
    }
}

static void node_ip(Loader *L, int i, int role, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    NodeInfo *ni = &L->ni[i];
    uint32_t ip;
    ni->ip_item = v;
    if (cJSON_IsString(v)) {
        if (!get_ip(L, v, p, true, &ip)) {
            L->ips_ok = false;
            return;
        }
        n->ips = xmalloc(sizeof *n->ips);
        n->ips[0] = ip;
        n->n_ips = 1;
        add_addr(L, ip, i, -1, v);
        return;
    }
    if (!cJSON_IsArray(v)) {
        err(L, v, p, "got %s (expected the node's address, like \"10.0.0.1\")", got(L, v));
        L->ips_ok = false;
        return;
    }
    ni->ip_array = true;
    if (role < 0) { /* the role is reported already */
        L->ips_ok = false;
        return;
    }
    if (role != MN_ROLE_ROUTER) {
        err(L, v, p,
            "only a router may list several addresses (this node is %s; expected one address "
            "as a string, like \"10.0.0.1\")",
            role_a[role]);
        L->ips_ok = false;
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    if (count == 0) {
        err(L, v, p,
            "the list is empty (expected one address per link of the router, like "
            "[\"10.0.0.1\", \"10.0.1.1\"])");
        L->ips_ok = false;
        return;
    }
    n->ips = xmalloc(count * sizeof *n->ips);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = indexed(p, k);
        if (!get_ip(L, e, &ep, true, &ip)) {
            L->ips_ok = false;
            ni->ip_bad = true; /* the count no longer says anything */
            continue;
        }
        n->ips[n->n_ips++] = ip;
        add_addr(L, ip, i, (int)k, e);
    }
}

static void node_pos(Loader *L, Node *n, const cJSON *v, const Path *p)
{
    static const char expected[] = "[x, y], two numbers, like [120, 560]";
    if (!cJSON_IsArray(v)) {
        err(L, v, p, "got %s (expected %s)", got(L, v), expected);
        return;
    }
    int count = cJSON_GetArraySize(v);
    if (count != 2) {
        err(L, v, p, "the list has %d number%s (expected %s)", count, count == 1 ? "" : "s",
            expected);
        return;
    }
    double xy[2];
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = indexed(p, k);
        if (!get_number(L, e, &ep, "a number, like 120", &xy[k]))
            return;
    }
    n->has_pos = true;
    n->x = xy[0];
    n->y = xy[1];
}

static void node_mode(Loader *L, Node *n, const cJSON *v, const Path *p)
{
    static const char *const modes[] = {"iterative", "recursive"};
    const char *s = get_string(L, v, p, "\"iterative\" or \"recursive\"");
    if (!s)
        return;
    if (strcmp(s, "iterative") == 0 || strcmp(s, "recursive") == 0) {
        n->recursive_mode = s[0] == 'r';
        return;
    }
    err(L, v, p, "unknown mode %s (expected \"iterative\" or \"recursive\"%s)", q(L, s),
        suggest(L, s, modes, 2, NULL));
}

static void node_root_hints(Loader *L, Node *n, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        err(L, v, p, "got %s (expected a list of addresses, like [\"198.41.0.4\"])", got(L, v));
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    n->root_hints = xmalloc((count ? count : 1) * sizeof *n->root_hints);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = indexed(p, k);
        uint32_t ip;
        if (get_ip(L, e, &ep, true, &ip))
            n->root_hints[n->n_root_hints++] = ip;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool have_origin(const Loader *L, const char *s)
{
    return L->n_origins &&
           bsearch(&s, L->origins, L->n_origins, sizeof *L->origins, cmp_str) != NULL;
}

static void node_zones(Loader *L, Node *n, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        err(L, v, p, "got %s (expected a list of zone origins, like [\"edu.\"])", got(L, v));
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
    n->zones = xcalloc(count ? count : 1, sizeof *n->zones);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = indexed(p, k);
        const char *s = get_string(L, e, &ep, "a zone origin, like \"edu.\"");
        if (!s)
            continue;
        if (L->zones_ok && !have_origin(L, s)) {
            const char *hint = suggest(L, s, L->origins, L->n_origins, NULL);
            if (!*hint && s[0] && s[strlen(s) - 1] != '.') {
                char *dot = xasprintf("%s.", s);
                if (have_origin(L, dot))
                    hint = keep(L, xasprintf("; did you mean %s?", q(L, dot)));
                free(dot);
            }
            err(L, e, &ep,
                "no zone %s in \"zones\" (expected an origin that is a key of the top-level "
                "\"zones\"%s)",
                q(L, s), hint);
            continue;
        }
        n->zones[n->n_zones++] = xstrdup(s);
    }
}

/* A key that belongs to the node's role. */
static void node_role_key(Loader *L, int i, const char *key, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    if (strcmp(key, "dns") == 0) {
        L->ni[i].dns_item = v;
        n->has_dns = get_ip(L, v, p, true, &n->dns);
    } else if (strcmp(key, "mode") == 0) {
        node_mode(L, n, v, p);
    } else if (strcmp(key, "qname_minimisation") == 0) {
        get_bool(L, v, p, &n->qname_minimisation);
    } else if (strcmp(key, "root_hints") == 0) {
        node_root_hints(L, n, v, p);
    } else if (strcmp(key, "round_robin") == 0) {
        get_bool(L, v, p, &n->round_robin);
    } else if (strcmp(key, "zones") == 0) {
        node_zones(L, n, v, p);
    } else if (strcmp(key, "recursion") == 0) {
        get_bool(L, v, p, &n->recursion);
    }
}

static const NodeKey *find_node_key(const char *key)
{
    for (size_t k = 0; k < MN_ARRAY_LEN(node_keys); k++)
        if (strcmp(node_keys[k].name, key) == 0)
            return &node_keys[k];
    return NULL;
}

static void node_unknown_key(Loader *L, int role, const cJSON *c, const Path *p)
{
    const char *cands[MN_ARRAY_LEN(node_keys)];
    size_t n = 0;
    for (size_t k = 0; k < MN_ARRAY_LEN(node_keys); k++)
        if (role < 0 || (node_keys[k].roles & R(role)))
            cands[n++] = node_keys[k].name;
    unknown_key(L, c, p, c->string, cands, n);
}

static int node_role(Loader *L, const cJSON *v, const Path *p)
{
    const char *s = get_string(L, v, p, "one of host, router, resolver, dns");
    if (!s)
        return -1;
    int role = world_role_parse(s);
    if (role < 0)
        err(L, v, p, "unknown role %s (expected one of host, router, resolver, dns%s)", q(L, s),
            suggest(L, s, role_words, MN_ROLE_COUNT, NULL));
    return role;
}

static void load_node(Loader *L, int i, const cJSON *v, const Path *p)
{
    Node *n = &L->w->nodes[i];
    NodeInfo *ni = &L->ni[i];
    ni->item = v;
    if (!cJSON_IsObject(v)) {
        err(L, v, p,
            "got %s (expected a node: an object like {\"id\": \"pc1\", \"role\": \"host\", "
            "\"ip\": \"10.0.0.1\"})",
            got(L, v));
        ni->quiet = true;
        L->ips_ok = false;
        n->id = xstrdup("");
        return;
    }
    bool *dup = find_duplicates(L, v, p);
    const cJSON *role_item = cJSON_GetObjectItemCaseSensitive(v, "role");
    int role = -1;
    if (cJSON_IsString(role_item))
        role = world_role_parse(role_item->valuestring);
    n->role = role >= 0 ? (NodeRole)role : MN_ROLE_HOST;
    n->round_robin = role == MN_ROLE_RESOLVER;
    bool has_id = false, has_role = false, has_ip = false;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        Path kp = field(p, c->string);
        const char *key = c->string;
        if (strcmp(key, "id") == 0) {
            has_id = true;
            node_id(L, i, c, &kp);
        } else if (strcmp(key, "role") == 0) {
            has_role = true;
            node_role(L, c, &kp);
        } else if (strcmp(key, "ip") == 0) {
            has_ip = true;
            node_ip(L, i, role, c, &kp);
        } else if (strcmp(key, "region") == 0) {
            const char *s = get_string(L, c, &kp, "a region name, like \"europe\"");
            if (s && !*s)
                err(L, c, &kp, "the region is empty (expected a region name, like \"europe\")");
            else if (s)
                n->region = xstrdup(s);
        } else if (strcmp(key, "pos") == 0) {
            node_pos(L, n, c, &kp);
        } else {
            const NodeKey *nk = find_node_key(key);
            if (!nk)
                node_unknown_key(L, role, c, p);
            else if (role < 0)
                continue; /* which keys belong depends on the role, reported already */
            else if (!(nk->roles & R(role)))
                err(L, c, &kp, "%s is only for %s (this node is %s)", q(L, key),
                    only_for(L, nk->roles), role_a[role]);
            else
                node_role_key(L, i, key, c, &kp);
        }
    }
    free(dup);
    const char *known[MN_ARRAY_LEN(node_keys)];
    for (k = 0; k < MN_ARRAY_LEN(node_keys); k++)
        known[k] = node_keys[k].name;
    size_t n_known = MN_ARRAY_LEN(node_keys);
    if (!has_id && !typo_for(v, "id", known, n_known))
        err(L, v, p, "missing \"id\" (expected a unique name for the node, like \"laptop\")");
    if (!has_role && !typo_for(v, "role", known, n_known))
        err(L, v, p, "missing \"role\" (expected one of host, router, resolver, dns)");
    if (!has_ip) {
        if (!typo_for(v, "ip", known, n_known))
            err(L, v, p, "missing \"ip\" (expected the node's address, like \"10.0.0.1\")");
        L->ips_ok = false;
    }
    if (!n->id) {
        n->id = xstrdup(""); /* never matches a reference: ids are checked non-empty */
        ni->quiet = true;
    }
}

static int cmp_id(const void *a, const void *b)
{
    const IdEntry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->node - y->node;
}

/* Sorts the ids, reports duplicates, keeps first occurrences for lookups. */
static void index_ids(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    L->ids = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *L->ids);
    L->id_words = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *L->id_words);
    for (size_t i = 0; i < w->n_nodes; i++)
        if (L->ni[i].id_item && w->nodes[i].id[0])
            L->ids[L->n_ids++] = (IdEntry){w->nodes[i].id, (int)i};
    sort_(L->ids, L->n_ids, sizeof *L->ids, cmp_id);
    size_t out = 0;
    for (size_t k = 0; k < L->n_ids; k++) {
        if (out > 0 && strcmp(L->ids[k].id, L->ids[out - 1].id) == 0) {
            int i = L->ids[k].node, first = L->ids[out - 1].node;
            Path np = indexed(nodes_path, (size_t)i), ip = field(&np, "id");
            err(L, L->ni[i].id_item, &ip,
                "duplicate id %s (expected each node id once; nodes[%d].id already uses it)",
                q(L, L->ids[k].id), first);
            L->ni[i].quiet = true;
            continue;
        }
        L->ids[out++] = L->ids[k];
    }
    L->n_ids = out;
    /* For "did you mean": first occurrences, in file order. */
    for (size_t i = 0; i < w->n_nodes; i++)
        if (L->ni[i].id_item && w->nodes[i].id[0] && !L->ni[i].quiet)
            L->id_words[L->n_id_words++] = w->nodes[i].id;
}

static int find_id(const Loader *L, const char *id)
{
    IdEntry key = {id, -1};
    size_t lo = 0, hi = L->n_ids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(L->ids[mid].id, key.id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < L->n_ids && strcmp(L->ids[lo].id, id) == 0 ? L->ids[lo].node : -1;
}

/* Looks up a node named by a reference; reports an unknown one.  *guess is
 * the node that "did you mean" suggests, or -1. */
static int ref_node(Loader *L, const cJSON *v, const Path *p, int *guess)
{
    if (guess)
        *guess = -1;
    const char *s = get_string(L, v, p, "a node id from \"nodes\"");
    if (!s)
        return -1;
    int i = find_id(L, s);
    if (i >= 0)
        return i;
    const char *best;
    const char *hint = suggest(L, s, L->id_words, L->n_id_words, &best);
    if (best && guess)
        *guess = find_id(L, best);
    err(L, v, p, "no node is called %s (expected a node id from \"nodes\"%s)", q(L, s), hint);
    return -1;
}

static void load_nodes(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsArray(v)) {
        err(L, v, p,
            "got %s (expected a list of nodes, like [{\"id\": \"pc1\", \"role\": \"host\", "
            "\"ip\": \"10.0.0.1\"}])",
            got(L, v));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n == 0) {
        err(L, v, p, "the list is empty (expected at least one node)");
        return;
    }
    if (n > INT32_MAX / 2) {
        err(L, v, p, "too many nodes (expected at most %d)", INT32_MAX / 2);
        return;
    }
    w->nodes = xcalloc(n, sizeof *w->nodes);
    L->ni = xcalloc(n, sizeof *L->ni);
    w->n_nodes = n;
    L->nodes_ok = true;
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path np = indexed(p, i);
        load_node(L, (int)i, c, &np);
    }
    index_ids(L, p);
}

/* ---- links --------------------------------------------------------------- */

static const char *const link_keys[] = {"between", "latency", "bandwidth", "loss"};

/* Reads "between"; returns false (after marking the ends it could read as
 * touched) when the link cannot be made. */
static bool link_between(Loader *L, const cJSON *v, const Path *p, int ends[2])
{
    static const char expected[] = "the ids of the two nodes it joins, like [\"pc1\", \"router\"]";
    if (!cJSON_IsArray(v)) {
        err(L, v, p, "got %s (expected %s)", got(L, v), expected);
        return false;
    }
    int count = cJSON_GetArraySize(v);
    if (count != 2) {
        err(L, v, p, "the list has %d id%s (expected %s)", count, count == 1 ? "" : "s", expected);
        /* Whatever it names is touched, so it is not also called unlinked. */
        for (const cJSON *e = v->child; e; e = e->next)
            if (cJSON_IsString(e) && L->nodes_ok) {
                int i = find_id(L, e->valuestring);
                if (i >= 0)
                    L->ni[i].touched = true;
            }
        return false;
    }
    bool ok = true;
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = indexed(p, k);
        int guess = -1;
        if (!L->nodes_ok) {
            if (!get_string(L, e, &ep, "a node id from \"nodes\""))
                continue;
            ends[k] = -1;
            ok = false;
            continue;
        }
        ends[k] = ref_node(L, e, &ep, &guess);
        if (guess >= 0)
            L->ni[guess].touched = true;
        if (ends[k] < 0)
            ok = false;
    }
    if (!ok) {
        for (k = 0; k < 2; k++)
            if (ends[k] >= 0)
                L->ni[ends[k]].touched = true;
        return false;
    }
    if (ends[0] == ends[1]) {
        err(L, v, p, "both ends are %s (expected two different nodes)",
            q(L, L->w->nodes[ends[0]].id));
        L->ni[ends[0]].touched = true;
        return false;
    }
    return true;
}

static void load_link(Loader *L, size_t file_index, const cJSON *v, const Path *p)
{
    if (!cJSON_IsObject(v)) {
        err(L, v, p,
            "got %s (expected a link: an object like {\"between\": [\"pc1\", \"router\"], "
            "\"latency\": \"1ms\"})",
            got(L, v));
        return;
    }
    bool *dup = find_duplicates(L, v, p);
    Link lk = {-1, -1, -1, -1, 1000, 1000000000, 0};
    int ends[2] = {-1, -1};
    bool made = false, has_between = false;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        Path kp = field(p, c->string);
        if (strcmp(c->string, "between") == 0) {
            has_between = true;
            made = link_between(L, c, &kp, ends);
        } else if (strcmp(c->string, "latency") == 0) {
            get_time(L, c, &kp, &lk.latency);
        } else if (strcmp(c->string, "bandwidth") == 0) {
            get_rate(L, c, &kp, &lk.bandwidth);
        } else if (strcmp(c->string, "loss") == 0) {
            double d;
            static const char expected[] = "a number from 0 to 1, like 0.01 for 1% loss";
            if (get_number(L, c, &kp, expected, &d)) {
                if (d < 0 || d > 1)
                    err(L, c, &kp, "%s is outside 0..1 (expected %s)", fmt_number(L, d), expected);
                else
                    lk.loss = d;
            }
        } else {
            unknown_key(L, c, p, c->string, link_keys, MN_ARRAY_LEN(link_keys));
        }
    }
    free(dup);
    if (!has_between && !typo_for(v, "between", link_keys, MN_ARRAY_LEN(link_keys)))
        err(L, v, p,
            "missing \"between\" (expected the ids of the two nodes it joins, like "
            "[\"pc1\", \"router\"])");
    if (!made)
        return;
    World *w = L->w;
    lk.a = ends[0];
    lk.b = ends[1];
    w->links = xgrow(w->links, &L->cap_links, w->n_links + 1, sizeof *w->links);
    size_t cap = L->cap_links;
    L->link_file_index = xrealloc(L->link_file_index, cap * sizeof *L->link_file_index);
    L->link_file_index[w->n_links] = file_index;
    w->links[w->n_links++] = lk;
    L->ni[ends[0]].n_links++;
    L->ni[ends[1]].n_links++;
}

typedef struct Pair {
    int a, b;
    size_t link;
} Pair;

static int cmp_pair(const void *x, const void *y)
{
    const Pair *p = x, *r = y;
    if (p->a != r->a)
        return p->a < r->a ? -1 : 1;
    if (p->b != r->b)
        return p->b < r->b ? -1 : 1;
    return p->link < r->link ? -1 : p->link > r->link;
}

/* Two links between the same nodes would make "down A B" ambiguous. */
static void check_parallel_links(Loader *L, const cJSON *links, const Path *p)
{
    World *w = L->w;
    if (w->n_links < 2)
        return;
    Pair *pairs = xmalloc(w->n_links * sizeof *pairs);
    for (size_t k = 0; k < w->n_links; k++) {
        int a = w->links[k].a, b = w->links[k].b;
        pairs[k] = (Pair){a < b ? a : b, a < b ? b : a, k};
    }
    sort_(pairs, w->n_links, sizeof *pairs, cmp_pair);
    for (size_t k = 1; k < w->n_links; k++) {
        if (pairs[k].a != pairs[k - 1].a || pairs[k].b != pairs[k - 1].b)
            continue;
        size_t first = L->link_file_index[pairs[k - 1].link];
        size_t idx = L->link_file_index[pairs[k].link];
        /* keep the earliest link as the one the next duplicates name */
        pairs[k].link = pairs[k - 1].link;
        Path lp = indexed(p, idx), bp = field(&lp, "between");
        const cJSON *item =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(links, (int)idx), "between");
        err(L, item, &bp,
            "%s and %s are already joined by links[%zu] (expected at most one link between two "
            "nodes)",
            q(L, w->nodes[pairs[k].a].id), q(L, w->nodes[pairs[k].b].id), first);
    }
    free(pairs);
}

static void load_links(Loader *L, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        err(L, v, p,
            "got %s (expected a list of links, like [{\"between\": [\"pc1\", \"router\"]}])",
            got(L, v));
        L->links_ok = false;
        return;
    }
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path lp = indexed(p, i);
        load_link(L, i, c, &lp);
    }
}

/* ---- checks across nodes and links -------------------------------------- */

static int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Every node must reach the first one.  A component is left unreported
 * when a broken link names one of its nodes: that link may be the missing
 * one, and its own message says what to fix. */
static void check_connected(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    if (w->n_nodes < 2 || !L->links_ok)
        return;
    int *parent = xmalloc(w->n_nodes * sizeof *parent);
    bool *quiet = xcalloc(w->n_nodes, sizeof *quiet);
    for (size_t i = 0; i < w->n_nodes; i++)
        parent[i] = (int)i;
    for (size_t k = 0; k < w->n_links; k++) {
        int a = uf_find(parent, w->links[k].a), b = uf_find(parent, w->links[k].b);
        if (a != b)
            parent[a < b ? b : a] = a < b ? a : b;
    }
    for (size_t i = 0; i < w->n_nodes; i++)
        if (L->ni[i].touched)
            quiet[uf_find(parent, (int)i)] = true;
    /* The first node, or the first one usable if it is broken. */
    size_t anchor = 0;
    while (anchor + 1 < w->n_nodes && L->ni[anchor].quiet)
        anchor++;
    int first = uf_find(parent, (int)anchor);
    for (size_t i = 0; i < w->n_nodes; i++) {
        int c = uf_find(parent, (int)i);
        if (c == first || quiet[c] || L->ni[i].quiet)
            continue;
        Path np = indexed(nodes_path, i);
        err(L, L->ni[i].item, &np,
            "node %s is not linked to the rest of the network (expected a link in \"links\" "
            "that joins it)",
            q(L, w->nodes[i].id));
    }
    free(parent);
    free(quiet);
}

/* A router listing addresses needs one per link, in link order. */
static void check_router_ips(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    for (size_t i = 0; i < w->n_nodes; i++) {
        const NodeInfo *ni = &L->ni[i];
        if (!ni->ip_array || w->nodes[i].role != MN_ROLE_ROUTER || ni->ip_bad || ni->touched ||
            !L->links_ok || w->nodes[i].n_ips == 0)
            continue;
        size_t have = w->nodes[i].n_ips;
        if (have == ni->n_links)
            continue;
        Path np = indexed(nodes_path, i), ip = field(&np, "ip");
        err(L, ni->ip_item, &ip,
            "the router lists %zu address%s but has %zu link%s (expected one address per link, "
            "in the order its links appear in \"links\")",
            have, have == 1 ? "" : "es", ni->n_links, ni->n_links == 1 ? "" : "s");
    }
}

static int cmp_addr_ref(const void *a, const void *b)
{
    const AddrRef *x = a, *y = b;
    if (x->ip != y->ip)
        return x->ip < y->ip ? -1 : 1;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return x->elem < y->elem ? -1 : x->elem > y->elem;
}

static void addr_path(const AddrRef *a, char *buf, size_t size)
{
    if (a->elem < 0)
        snprintf(buf, size, "nodes[%d].ip", a->node);
    else
        snprintf(buf, size, "nodes[%d].ip[%d]", a->node, a->elem);
}

static void check_addresses(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    sort_(L->addrs, L->n_addrs, sizeof *L->addrs, cmp_addr_ref);
    for (size_t k = 1; k < L->n_addrs; k++) {
        const AddrRef *a = &L->addrs[k], *first = &L->addrs[k - 1];
        if (a->ip != first->ip)
            continue;
        while (first > L->addrs && (first - 1)->ip == a->ip)
            first--;
        char where[64], ipbuf[16];
        addr_path(first, where, sizeof where);
        ip_format(a->ip, ipbuf);
        Path np = indexed(nodes_path, (size_t)a->node), fp = field(&np, "ip");
        Path ep = indexed(&fp, (size_t)(a->elem < 0 ? 0 : a->elem));
        err(L, a->item, a->elem < 0 ? &fp : &ep,
            "%s is already used by %s (expected each address once)", ipbuf, where);
    }
    if (!L->ips_ok)
        return; /* a broken address may be the one a "dns" meant */
    for (size_t i = 0; i < w->n_nodes; i++) {
        const Node *n = &w->nodes[i];
        if (!n->has_dns)
            continue;
        AddrRef key = {n->dns, -1, -1, NULL};
        size_t lo = 0, hi = L->n_addrs;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (L->addrs[mid].ip < key.ip)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < L->n_addrs && L->addrs[lo].ip == n->dns)
            continue;
        char ipbuf[16];
        ip_format(n->dns, ipbuf);
        Path np = indexed(nodes_path, i), dp = field(&np, "dns");
        err(L, L->ni[i].dns_item, &dp,
            "no node has the address %s (expected the \"ip\" of the node that answers this "
            "host's DNS queries, usually a resolver)",
            ipbuf);
    }
}

/* ---- zones --------------------------------------------------------------- */

static bool is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Checks an origin: absolute, labels of 1..63 allowed characters, at most
 * 255 bytes in wire form (254 characters with the final dot). */
static void check_origin(Loader *L, const char *o, const cJSON *at, const Path *p)
{
    static const char labels[] = "letters, digits, \"-\" and \"_\" between the dots";
    size_t len = strlen(o);
    if (len == 0) {
        err(L, at, p,
            "the zone origin is empty (expected a domain name ending in \".\", like "
            "\"edu.\", or \".\" for the root)");
        return;
    }
    if (o[len - 1] != '.') {
        char *dot = xasprintf("%s.", o);
        err(L, at, p, "the zone origin %s does not end in \".\" (expected an absolute name: %s)",
            q(L, o), q(L, dot));
        free(dot);
        return;
    }
    if (len == 1)
        return; /* the root */
    if (len > 254) {
        err(L, at, p,
            "the zone origin is %zu characters long (expected at most 254, the longest domain "
            "name)",
            len);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (o[i] == '.') {
            if (i == start) {
                err(L, at, p,
                    "the zone origin %s has an empty label (expected labels separated by single "
                    "dots, like \"montana.edu.\")",
                    q(L, o));
                return;
            }
            if (i - start > 63) {
                err(L, at, p,
                    "the zone origin %s has a label of %zu characters (expected at most 63 "
                    "between two dots)",
                    q(L, o), i - start);
                return;
            }
            start = i + 1;
        } else if (!is_label_char(o[i])) {
            size_t n = utf8_len((unsigned char)o[i]);
            Buf b;
            buf_init(&b);
            put_quoted(&b, o + i, n);
            err(L, at, p, "the zone origin %s contains %s (expected %s)", q(L, o), b.data, labels);
            buf_fini(&b);
            return;
        }
    }
}

static void load_record(Loader *L, Zone *z, const cJSON *v, const Path *p)
{
    static const char *const keys[] = {"name", "type", "ttl", "data", "region"};
    static const char expected[] =
        "a master-file line like \"www 3600 IN A 10.0.0.80\", or an object like {\"name\": "
        "\"www\", \"type\": \"A\", \"data\": \"10.0.0.80\"}";
    ZoneRecord r = {0};
    r.ttl = -1;
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        bool blank = true;
        for (const char *c = s; *c; c++)
            if (*c != ' ' && *c != '\t')
                blank = false;
        if (blank) {
            err(L, v, p, "the record is empty (expected %s)", expected);
            return;
        }
        if (strpbrk(s, "\n\r")) {
            err(L, v, p,
                "the record contains a line break (expected one record per string, on "
                "one line)");
            return;
        }
        r.line = xstrdup(s);
    } else if (cJSON_IsObject(v)) {
        bool *dup = find_duplicates(L, v, p);
        bool ok = true;
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            if (dup[k])
                continue;
            Path kp = field(p, c->string);
            const char *key = c->string;
            if (strcmp(key, "ttl") == 0) {
                ok &= get_int(L, c, &kp, 0, TTL_MAX,
                              "a whole number of seconds from 0 to "
                              "2147483647, like 3600",
                              &r.ttl);
                continue;
            }
            char **slot = strcmp(key, "name") == 0     ? &r.name
                          : strcmp(key, "type") == 0   ? &r.type
                          : strcmp(key, "data") == 0   ? &r.data
                          : strcmp(key, "region") == 0 ? &r.region
                                                       : NULL;
            if (!slot) {
                unknown_key(L, c, p, key, keys, MN_ARRAY_LEN(keys));
                ok = false;
                continue;
            }
            const char *s = get_string(L, c, &kp, "a string");
            if (s && !*s && slot != &r.data) {
                err(L, c, &kp, "%s is empty (expected a non-empty string)", q(L, key));
                s = NULL;
            }
            if (!s) {
                ok = false;
                continue;
            }
            *slot = xstrdup(s);
        }
        free(dup);
        static const char *const need[] = {"name", "type", "data"};
        static const char *const need_ex[] = {"\"www\" or \"@\" for the origin", "\"A\"",
                                              "\"10.0.0.80\""};
        for (size_t i = 0; i < MN_ARRAY_LEN(need); i++)
            if (!cJSON_GetObjectItemCaseSensitive(v, need[i])) {
                ok = false;
                if (typo_for(v, need[i], keys, MN_ARRAY_LEN(keys)))
                    continue;
                err(L, v, p, "missing \"%s\" (expected \"%s\": a string, like %s)", need[i],
                    need[i], need_ex[i]);
            }
        if (!ok) {
            free(r.name);
            free(r.type);
            free(r.data);
            free(r.region);
            return;
        }
    } else {
        err(L, v, p, "got %s (expected %s)", got(L, v), expected);
        return;
    }
    r.where = path_str(p);
    z->records[z->n_records++] = r;
}

static void zone_file(Loader *L, Zone *z, const cJSON *v, const Path *p)
{
    static const char expected[] = "a master file; the path is relative to the scenario's folder";
    const char *s = get_string(L, v, p, "the path of a master file, like \"zones/edu.zone\"");
    if (!s)
        return;
    if (!*s) {
        err(L, v, p, "the path is empty (expected %s)", expected);
        return;
    }
    const char *dir = L->dir && *L->dir ? L->dir : ".";
    char *path;
    if (s[0] == '/' || strcmp(dir, ".") == 0)
        path = xstrdup(s);
    else
        path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", s);
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) != 0) {
        err(L, v, p, "cannot read %s: %s (expected %s)", q(L, path), strerror(errno), expected);
    } else if (S_ISDIR(st.st_mode)) {
        err(L, v, p, "%s is a folder (expected %s)", q(L, path), expected);
    } else if (!(f = fopen(path, "rb"))) {
        err(L, v, p, "cannot read %s: %s (expected %s)", q(L, path), strerror(errno), expected);
    } else {
        fclose(f);
        z->file = path;
        z->file_as_written = xstrdup(s);
        return;
    }
    free(path);
}

static void load_zone(Loader *L, Zone *z, const cJSON *v, const Path *p)
{
    static const char *const keys[] = {"file", "records"};
    static const char expected[] =
        "exactly one of \"file\" (a master file) or \"records\" (a list of records)";
    if (!cJSON_IsObject(v)) {
        err(L, v, p, "got %s (expected an object with %s)", got(L, v), expected);
        return;
    }
    bool *dup = find_duplicates(L, v, p);
    const cJSON *file = NULL, *records = NULL;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        if (strcmp(c->string, "file") == 0)
            file = c;
        else if (strcmp(c->string, "records") == 0)
            records = c;
        else
            unknown_key(L, c, p, c->string, keys, MN_ARRAY_LEN(keys));
    }
    free(dup);
    if (file && records) {
        err(L, records, p, "both \"file\" and \"records\" are given (expected %s)", expected);
        return;
    }
    if (!file && !records) {
        if (typo_for(v, "file", keys, 2) || typo_for(v, "records", keys, 2))
            return;
        err(L, v, p, "neither \"file\" nor \"records\" is given (expected %s)", expected);
        return;
    }
    if (file) {
        Path fp = field(p, "file");
        zone_file(L, z, file, &fp);
        return;
    }
    Path rp = field(p, "records");
    if (!cJSON_IsArray(records)) {
        err(L, records, &rp,
            "got %s (expected a list of records, like [\"www 3600 IN A 10.0.0.80\"])",
            got(L, records));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(records), i = 0;
    z->records = xcalloc(n ? n : 1, sizeof *z->records);
    for (const cJSON *c = records->child; c; c = c->next, i++) {
        Path ep = indexed(&rp, i);
        load_record(L, z, c, &ep);
    }
}

static int cmp_zone_case(const void *a, const void *b)
{
    const Zone *x = *(const Zone *const *)a, *y = *(const Zone *const *)b;
    int c = ascii_casecmp(x->origin, y->origin);
    if (c)
        return c;
    return x < y ? -1 : x > y;
}

static void load_zones(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsObject(v)) {
        err(L, v, p,
            "got %s (expected an object keyed by zone origin, like {\"edu.\": {\"file\": "
            "\"zones/edu.zone\"}})",
            got(L, v));
        L->zones_ok = false;
        return;
    }
    bool *dup = find_duplicates(L, v, p);
    size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
    w->zones = xcalloc(n ? n : 1, sizeof *w->zones);
    L->origins = xmalloc((n ? n : 1) * sizeof *L->origins);
    const cJSON **items = xmalloc((n ? n : 1) * sizeof *items);
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        Path zp = quoted(p, c->string);
        Zone *z = &w->zones[w->n_zones];
        items[w->n_zones++] = c;
        z->origin = xstrdup(c->string);
        L->origins[L->n_origins++] = z->origin;
        check_origin(L, c->string, c, &zp);
        load_zone(L, z, c, &zp);
    }
    free(dup);
    sort_(L->origins, L->n_origins, sizeof *L->origins, cmp_str);
    /* Names differing only in case are the same zone. */
    const Zone **byname = xmalloc((w->n_zones ? w->n_zones : 1) * sizeof *byname);
    for (size_t i = 0; i < w->n_zones; i++)
        byname[i] = &w->zones[i];
    sort_(byname, w->n_zones, sizeof *byname, cmp_zone_case);
    for (size_t i = 1; i < w->n_zones; i++) {
        if (ascii_casecmp(byname[i]->origin, byname[i - 1]->origin) != 0)
            continue;
        size_t at = (size_t)(byname[i] - w->zones);
        Path zp = quoted(p, byname[i]->origin);
        err(L, items[at], &zp,
            "%s is the same zone as %s (DNS names ignore case; expected each zone once)",
            q(L, byname[i]->origin), q(L, byname[i - 1]->origin));
    }
    free(byname);
    free(items);
}

/* ---- script -------------------------------------------------------------- */

/* shell_fault_parse quotes words as they are: escape what a terminal would
 * act on. */
static const char *sanitize(Loader *L, const char *s)
{
    Buf b;
    buf_init(&b);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = utf8_valid((const unsigned char *)s, n, i);
        if (k == 0) {
            buf_printf(&b, "\\x%02x", c);
            i++;
        } else if (k == 1 && (c < 0x20 || c == 0x7f)) {
            buf_printf(&b, "\\u%04x", c);
            i++;
        } else if (k > 1 && is_unsafe_cp(utf8_decode((const unsigned char *)s + i, k))) {
            buf_printf(&b, "\\u%04x", (unsigned)utf8_decode((const unsigned char *)s + i, k));
            i += k;
        } else {
            buf_put(&b, s + i, k);
            i += k;
        }
    }
    return keep(L, buf_take(&b));
}

static const char *const script_keys[] = {"at", "on", "run", "input"};
static const char *const input_keys[] = {"at", "text"};

/* One line of a script line's `input`: a string, or {"at", "text"}. */
static bool load_input_line(Loader *L, const cJSON *v, const Path *p, ScriptInput *out)
{
    out->at = -1;
    out->text = NULL;
    const cJSON *text = v;
    if (cJSON_IsObject(v)) {
        bool *dup = find_duplicates(L, v, p);
        const cJSON *at = NULL;
        text = NULL;
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            if (dup[k])
                continue;
            if (strcmp(c->string, "at") == 0)
                at = c;
            else if (strcmp(c->string, "text") == 0)
                text = c;
            else
                unknown_key(L, c, p, c->string, input_keys, MN_ARRAY_LEN(input_keys));
        }
        free(dup);
        if (!at || !text) {
            err(L, v, p, "missing \"%s\" (expected {\"at\": \"3s\", \"text\": \"QUIT\"})",
                at ? "text" : "at");
            return false;
        }
        Path ap = field(p, "at");
        if (!get_time(L, at, &ap, &out->at))
            return false;
    }
    Path tp = text == v ? *p : field(p, "text");
    const char *s = get_string(L, text, &tp, "a line the student types, like \"QUIT\"");
    if (!s)
        return false;
    if (strchr(s, '\n') || strchr(s, '\r')) {
        err(L, text, &tp, "a line of input holds a line break (expected one line per item)");
        return false;
    }
    out->text = xstrdup(s);
    return true;
}

static bool load_input(Loader *L, const cJSON *v, const Path *p, ScriptLine *sl)
{
    if (!cJSON_IsArray(v)) {
        err(L, v, p,
            "got %s (expected the lines typed into the program, like [\"HELO crepes.fr\", "
            "{\"at\": \"5s\", \"text\": \"QUIT\"}, \"^D\"])",
            got(L, v));
        return false;
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    sl->input = xcalloc(n ? n : 1, sizeof *sl->input);
    bool ok = true;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path ip = indexed(p, i);
        ScriptInput in;
        if (load_input_line(L, c, &ip, &in))
            sl->input[sl->n_input++] = in;
        else
            ok = false;
    }
    return ok;
}

static void load_script_line(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsObject(v)) {
        err(L, v, p,
            "got %s (expected a script line: an object like {\"at\": \"1s\", \"on\": \"pc1\", "
            "\"run\": \"ping 10.0.0.1\"})",
            got(L, v));
        return;
    }
    bool *dup = find_duplicates(L, v, p);
    const cJSON *at = NULL, *on = NULL, *run = NULL, *input = NULL;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        if (strcmp(c->string, "at") == 0)
            at = c;
        else if (strcmp(c->string, "on") == 0)
            on = c;
        else if (strcmp(c->string, "run") == 0)
            run = c;
        else if (strcmp(c->string, "input") == 0)
            input = c;
        else
            unknown_key(L, c, p, c->string, script_keys, MN_ARRAY_LEN(script_keys));
    }
    free(dup);
    bool ok = true;
    SimTime t = 0;
    if (!at) {
        if (!typo_for(v, "at", script_keys, MN_ARRAY_LEN(script_keys)))
            err(L, v, p, "missing \"at\" (expected the time the line runs, like \"1s\")");
        ok = false;
    } else {
        Path ap = field(p, "at");
        ok &= get_time(L, at, &ap, &t);
    }
    int node = -1;
    if (on) {
        Path op = field(p, "on");
        if (L->nodes_ok) {
            node = ref_node(L, on, &op, NULL);
            ok &= node >= 0;
        } else {
            ok = false;
            get_string(L, on, &op, "a node id from \"nodes\"");
        }
    }
    size_t n_progs;
    const char *const *progs = shell_programs(&n_progs);
    const char *line = NULL;
    if (!run) {
        if (!typo_for(v, "run", script_keys, MN_ARRAY_LEN(script_keys)))
            err(L, v, p, "missing \"run\" (expected the command to run, like \"%s …\")",
                n_progs ? progs[0] : "ping");
        ok = false;
    } else {
        Path rp = field(p, "run");
        line = get_string(L, run, &rp, "a command, as a student would type it");
        ok &= line != NULL;
        char prog[64];
        ShellKind kind = line ? shell_classify(line, prog, sizeof prog) : SHELL_EMPTY;
        if (!line) {
            /* reported */
        } else if (kind == SHELL_EMPTY) {
            err(L, run, &rp,
                "the command is empty (expected a program, one of %s, or a fault: down or up)",
                join(L, progs, n_progs));
            ok = false;
        } else if (kind == SHELL_UNKNOWN) {
            err(L, run, &rp, "unknown program %s (expected one of %s%s)", q(L, prog),
                join(L, progs, n_progs), suggest(L, prog, progs, n_progs, NULL));
            ok = false;
        } else if (kind == SHELL_FAULT) {
            char why[512];
            ShellFault f;
            if (L->nodes_ok && L->links_ok && !shell_fault_parse(w, line, &f, why, sizeof why)) {
                err(L, run, &rp, "%s", sanitize(L, why));
                ok = false;
            }
        } else if (!on) {
            if (!typo_for(v, "on", script_keys, MN_ARRAY_LEN(script_keys)))
                err(L, v, p, "missing \"on\" (expected the id of the node that runs %s)",
                    q(L, prog));
            ok = false;
        }
    }
    ScriptLine sl = {t, node, NULL, NULL, false, NULL, 0, false};
    if (input) {
        Path inp = field(p, "input");
        ok &= load_input(L, input, &inp, &sl);
    }
    if (!ok) {
        for (size_t i = 0; i < sl.n_input; i++)
            free(sl.input[i].text);
        free(sl.input);
        return;
    }
    sl.run = xstrdup(line);
    sl.where = path_str(p);
    w->script[w->n_script++] = sl;
}

typedef struct TimeIdx {
    SimTime at;
    size_t idx;
} TimeIdx;

static int cmp_time_idx(const void *a, const void *b)
{
    const TimeIdx *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts the script by time; lines at the same time keep file order. */
static void sort_script(World *w)
{
    if (w->n_script < 2)
        return;
    TimeIdx *t = xmalloc(w->n_script * sizeof *t);
    for (size_t i = 0; i < w->n_script; i++)
        t[i] = (TimeIdx){w->script[i].at, i};
    sort_(t, w->n_script, sizeof *t, cmp_time_idx);
    ScriptLine *sorted = xmalloc(w->n_script * sizeof *sorted);
    for (size_t i = 0; i < w->n_script; i++)
        sorted[i] = w->script[t[i].idx];
    free(w->script);
    w->script = sorted;
    free(t);
}

static void load_script(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsArray(v)) {
        err(L, v, p,
            "got %s (expected a list of script lines, like [{\"at\": \"1s\", \"on\": \"pc1\", "
            "\"run\": \"ping 10.0.0.1\"}])",
            got(L, v));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    w->script = xcalloc(n ? n : 1, sizeof *w->script);
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path sp = indexed(p, i);
        load_script_line(L, c, &sp);
    }
}

/* ---- the top level ------------------------------------------------------- */

static const char *const top_keys[] = {"minet", "title", "description", "seed",  "start",
                                       "nodes", "links", "zones",       "script"};

/* The members of the top object, first occurrences only. */
typedef struct Top {
    const cJSON *v[MN_ARRAY_LEN(top_keys)];
} Top;

static const cJSON *top_get(const Top *t, const char *key)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(top_keys); i++)
        if (strcmp(top_keys[i], key) == 0)
            return t->v[i];
    return NULL;
}

/* Returns false when the rest of the file should not be read: a version
 * this minet does not know may mean anything. */
static bool load_version(Loader *L, const cJSON *root, const cJSON *v)
{
    static const char expected[] = "1, the version of the scenario format";
    Path p = field(NULL, "minet");
    if (!v) {
        if (!typo_for(root, "minet", top_keys, MN_ARRAY_LEN(top_keys)))
            err(L, root, NULL,
                "missing \"minet\" (expected \"minet\": 1 at the top, the version of "
                "the scenario format)");
        return true;
    }
    double version;
    if (!get_number(L, v, &p, expected, &version))
        return true;
    if (version != floor(version)) {
        err(L, v, &p, "%s is not a whole number (expected %s)", fmt_number(L, version), expected);
        return true;
    }
    if (version != 1) {
        err(L, v, &p,
            "format version %s is not supported (expected 1: this minet reads version 1 "
            "scenarios)",
            fmt_number(L, version));
        return false;
    }
    return true;
}

static void load_header(Loader *L, const cJSON *root, const Top *t)
{
    World *w = L->w;
    const cJSON *v;
    Path p;
    if (!(v = top_get(t, "title"))) {
        if (!typo_for(root, "title", top_keys, MN_ARRAY_LEN(top_keys)))
            err(L, root, NULL,
                "missing \"title\" (expected a short title for the scenario, like "
                "\"Resolving www.montana.edu\")");
    } else {
        p = field(NULL, "title");
        const char *s = get_string(L, v, &p, "a short title for the scenario");
        bool blank = true;
        for (const char *c = s ? s : ""; *c; c++)
            if (!is_ws(*c))
                blank = false;
        if (s && blank)
            err(L, v, &p, "the title is empty (expected a short title for the scenario)");
        else if (s)
            w->title = xstrdup(s);
    }
    if ((v = top_get(t, "description"))) {
        p = field(NULL, "description");
        const char *s = get_string(L, v, &p, "a text for students");
        if (s)
            w->description = xstrdup(s);
    }
    if ((v = top_get(t, "seed"))) {
        p = field(NULL, "seed");
        int64_t seed;
        if (get_int(L, v, &p, 0, SEED_MAX, "a whole number from 0 to 9007199254740992", &seed))
            w->seed = (uint64_t)seed;
    }
    const char *start = DEFAULT_START;
    if ((v = top_get(t, "start"))) {
        p = field(NULL, "start");
        start = get_string(L, v, &p, "an RFC 3339 date and time, like \"2023-09-11T09:00:00Z\"");
        if (start && !units_parse_rfc3339(start, &w->start_us)) {
            err(L, v, &p,
                "%s is not an RFC 3339 date and time (expected a form like "
                "\"2023-09-11T09:00:00Z\" or \"2023-09-11T11:00:00+02:00\")",
                q(L, start));
            start = NULL;
        }
    } else {
        units_parse_rfc3339(start, &w->start_us);
    }
    if (start)
        w->start = xstrdup(start);
}

static void load_root(Loader *L, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        err(L, root, NULL,
            "the top level is %s (expected a JSON object: {\"minet\": 1, \"title\": …, "
            "\"nodes\": […]})",
            got(L, root));
        return;
    }
    bool *dup = find_duplicates(L, root, NULL);
    Top t = {{NULL}};
    size_t k = 0;
    for (const cJSON *c = root->child; c; c = c->next, k++) {
        if (dup[k])
            continue;
        size_t i = 0;
        while (i < MN_ARRAY_LEN(top_keys) && strcmp(top_keys[i], c->string) != 0)
            i++;
        if (i < MN_ARRAY_LEN(top_keys))
            t.v[i] = c;
        else
            unknown_key(L, c, NULL, c->string, top_keys, MN_ARRAY_LEN(top_keys));
    }
    free(dup);
    if (!load_version(L, root, top_get(&t, "minet")))
        return;
    load_header(L, root, &t);
    const cJSON *v;
    Path zp = field(NULL, "zones"), np = field(NULL, "nodes");
    Path lp = field(NULL, "links"), sp = field(NULL, "script");
    if ((v = top_get(&t, "zones")))
        load_zones(L, v, &zp);
    if ((v = top_get(&t, "nodes")))
        load_nodes(L, v, &np);
    else if (!typo_for(root, "nodes", top_keys, MN_ARRAY_LEN(top_keys)))
        err(L, root, NULL,
            "missing \"nodes\" (expected a list of nodes, like [{\"id\": "
            "\"pc1\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}])");
    if ((v = top_get(&t, "links")))
        load_links(L, v, &lp);
    if (L->nodes_ok) {
        check_parallel_links(L, v, &lp);
        check_router_ips(L, &np);
        check_connected(L, &np);
        check_addresses(L, &np);
    }
    if ((v = top_get(&t, "script")))
        load_script(L, v, &sp);
}

/* ---- reporting in file order --------------------------------------------- */

typedef struct Ord {
    uintptr_t item;
    size_t order;
} Ord;

static size_t count_items(const cJSON *v)
{
    size_t n = 1;
    for (const cJSON *c = v->child; c; c = c->next)
        n += count_items(c);
    return n;
}

static void number_items(const cJSON *v, Ord *out, size_t *n)
{
    out[*n] = (Ord){(uintptr_t)v, *n};
    (*n)++;
    for (const cJSON *c = v->child; c; c = c->next)
        number_items(c, out, n);
}

static int cmp_ord(const void *a, const void *b)
{
    const Ord *x = a, *y = b;
    return x->item < y->item ? -1 : x->item > y->item;
}

static int cmp_pending(const void *a, const void *b)
{
    const Pending *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the problems by the position of their value in the file (its place
 * in a pre-order walk of the tree), then by the order they were found. */
static void sort_pending(Loader *L, const cJSON *root)
{
    if (L->n_pend < 2 || !root)
        return;
    size_t n = count_items(root), k = 0;
    Ord *ord = xmalloc(n * sizeof *ord);
    number_items(root, ord, &k);
    sort_(ord, n, sizeof *ord, cmp_ord);
    for (size_t i = 0; i < L->n_pend; i++) {
        Ord key = {(uintptr_t)L->pend[i].at, 0};
        const Ord *o = L->pend[i].at ? bsearch(&key, ord, n, sizeof *ord, cmp_ord) : NULL;
        L->pend[i].order = o ? o->order : 0;
    }
    sort_(L->pend, L->n_pend, sizeof *L->pend, cmp_pending);
    free(ord);
}

/* ---- entry points -------------------------------------------------------- */

static void loader_fini(Loader *L)
{
    for (size_t i = 0; i < L->n_pend; i++)
        free(L->pend[i].msg);
    free(L->pend);
    for (size_t i = 0; i < L->n_scratch; i++)
        free(L->scratch[i]);
    free(L->scratch);
    free(L->ni);
    free(L->ids);
    free(L->id_words);
    free(L->addrs);
    free(L->origins);
    free(L->link_file_index);
}

static bool all_blank(const char *s, size_t len)
{
    size_t i = has_bom(s, len) ? 3 : 0;
    for (; i < len; i++)
        if (!is_ws(s[i]))
            return false;
    return true;
}

World *scenario_load_mem(const char *name, const char *dir, const char *data, size_t len,
                         Errors *errs)
{
    Loader L = {0};
    L.name = name ? name : "scenario";
    L.dir = dir;
    L.suggest_budget = SUGGEST_BUDGET;
    L.links_ok = L.ips_ok = L.zones_ok = true;
    if (len > SCENARIO_MAX_BYTES) {
        errors_add(errs,
                   "%s: the file is larger than %u bytes (expected a scenario of at most %u "
                   "bytes, 8 MiB)",
                   L.name, SCENARIO_MAX_BYTES, SCENARIO_MAX_BYTES);
        return NULL;
    }
    if (!data || all_blank(data, len)) {
        errors_add(errs,
                   "%s: the file is empty (expected a scenario: a JSON object such as "
                   "{\"minet\": 1, \"title\": …, \"nodes\": […]})",
                   L.name);
        return NULL;
    }
    Text t = {&L, data, len};
    cJSON *root = NULL;
    if (check_bytes(&t) && check_syntax(&t)) {
        const char *end = NULL;
        root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
        if (!root) /* our checker accepted what cJSON refused: only a limit of cJSON */
            err_pos(&t, end ? (size_t)(end - data) : 0,
                    "cJSON cannot read the JSON here (expected simpler JSON)");
    }
    World *w = NULL;
    if (root) {
        L.w = w = world_new();
        w->path = xstrdup(L.name);
        w->source = xstrndup(data, len); /* what a saved copy starts from */
        w->source_len = len;
        load_root(&L, root);
        sort_pending(&L, root);
    }
    for (size_t i = 0; i < L.n_pend; i++)
        errors_add(errs, "%s", L.pend[i].msg);
    if (L.n_pend) {
        world_free(w);
        w = NULL;
    } else {
        sort_script(w);
        world_wire(w);
        /* Zones are read only once the JSON is sound: their messages name
         * the zone file's lines, or the records' JSON paths. */
        w->dns = dns_zones_load(w, errs);
        if (w->dns) {
            w->dns_free = dns_zones_free;
        } else {
            world_free(w);
            w = NULL;
        }
    }
    cJSON_Delete(root);
    loader_fini(&L);
    return w;
}

/* The folder of path, for zone files: "a/b.json" → "a", "b.json" → ".". */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

World *scenario_load(const char *path, Errors *errs)
{
    /* Read just past the limit: enough to know it is over. */
    Buf b;
    buf_init(&b);
    bool opened;
    int err = file_read(path, SCENARIO_MAX_BYTES, &b, &opened);
    if (err) {
        errors_add(errs, "%s: cannot read: %s", path, strerror(err));
        buf_fini(&b);
        return NULL;
    }
    char *dir = dir_of(path);
    World *w = scenario_load_mem(path, dir, b.data ? b.data : "", b.len, errs);
    free(dir);
    buf_fini(&b);
    return w;
}

/* ---- saving a session ------------------------------------------------------ */

/* A time in seconds that the loader reads back exactly: "5s",
 * "20.004004s" (the loader's decimals are exact to the microsecond). */
static void exact_time(SimTime t, char *buf, size_t size)
{
    unsigned long long s = (unsigned long long)(t / 1000000),
                       us = (unsigned long long)(t % 1000000);
    if (us == 0) {
        snprintf(buf, size, "%llus", s);
        return;
    }
    int digits = 6;
    while (us % 10 == 0) {
        us /= 10;
        digits--;
    }
    snprintf(buf, size, "%llu.%0*llus", s, digits, us);
}

/* Points every zone "file" at the zone file the world was loaded with, as
 * an absolute path: the copy is not beside the original. */
static bool absolute_zone_files(const World *w, cJSON *root, char *why, size_t size)
{
    cJSON *zones = cJSON_GetObjectItemCaseSensitive(root, "zones");
    for (size_t i = 0; i < w->n_zones; i++) {
        const Zone *z = &w->zones[i];
        cJSON *zone = zones ? cJSON_GetObjectItemCaseSensitive(zones, z->origin) : NULL;
        if (!z->file || !cJSON_IsObject(zone))
            continue;
        char *real = realpath(z->file, NULL);
        if (!real) {
            snprintf(why, size, "%s: %s", z->file, strerror(errno));
            return false;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(zone, "file", cJSON_CreateString(real));
        free(real);
    }
    return true;
}

/* A script line's input as the loader reads it: a string for a line typed
 * by the typing rule, {"at", "text"} for one typed at a set time. */
static cJSON *input_json(const ScriptLine *s)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < s->n_input; i++) {
        const ScriptInput *in = &s->input[i];
        if (in->at < 0) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(in->text));
            continue;
        }
        char at[32];
        exact_time(in->at, at, sizeof at);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "at", at);
        cJSON_AddStringToObject(o, "text", in->text);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* Lines of the file that were typed into at the prompt get their whole
 * input written back (found by their JSON path, "script[N]"). */
static void save_typed_input(const World *w, cJSON *script)
{
    for (size_t i = 0; i < w->n_script; i++) {
        const ScriptLine *s = &w->script[i];
        unsigned idx;
        if (s->typed || !s->input_typed || !s->where || sscanf(s->where, "script[%u]", &idx) != 1)
            continue;
        cJSON *item = cJSON_GetArrayItem(script, (int)idx);
        if (!cJSON_IsObject(item))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(item, "input");
        cJSON_AddItemToObject(item, "input", input_json(s));
    }
}

bool scenario_save_typed(const World *w, const char *out, bool beside, char *why, size_t size)
{
    /* From the text the world was loaded from, not the file as it is now:
     * it may have been edited or moved since. */
    cJSON *root = w->source ? cJSON_ParseWithLength(w->source, w->source_len) : NULL;
    if (!cJSON_IsObject(root)) {
        snprintf(why, size, "%s: the scenario's text is not at hand; not saved", w->path);
        cJSON_Delete(root);
        return false;
    }
    bool ok = beside || absolute_zone_files(w, root, why, size);
    cJSON *script = cJSON_GetObjectItemCaseSensitive(root, "script");
    if (ok && !script) {
        script = cJSON_CreateArray();
        cJSON_AddItemToObject(root, "script", script);
    }
    if (ok)
        save_typed_input(w, script);
    for (size_t i = 0; ok && i < w->n_script; i++) {
        const ScriptLine *s = &w->script[i];
        if (!s->typed)
            continue;
        char at[32];
        exact_time(s->at, at, sizeof at);
        cJSON *line = cJSON_CreateObject();
        cJSON_AddStringToObject(line, "at", at);
        if (s->node >= 0)
            cJSON_AddStringToObject(line, "on", w->nodes[s->node].id);
        cJSON_AddStringToObject(line, "run", s->run);
        if (s->n_input)
            cJSON_AddItemToObject(line, "input", input_json(s));
        /* In time order: before the first line of the file that runs later
         * (the loader would sort it there anyway; a teacher reads it). */
        int pos = 0;
        const cJSON *item = script->child;
        for (; item; item = item->next, pos++) {
            const cJSON *when = cJSON_GetObjectItemCaseSensitive(item, "at");
            SimTime t;
            const char *why_not;
            if (cJSON_IsString(when) && units_parse_time(when->valuestring, &t, &why_not) &&
                t > s->at)
                break;
        }
        /* Moved by hand: cJSON 1.7.15's cJSON_InsertItemInArray refuses to
         * insert into a parsed array. */
        cJSON *later = cJSON_CreateArray();
        while (item && cJSON_GetArraySize(script) > pos)
            cJSON_AddItemToArray(later, cJSON_DetachItemFromArray(script, pos));
        cJSON_AddItemToArray(script, line);
        while (cJSON_GetArraySize(later) > 0)
            cJSON_AddItemToArray(script, cJSON_DetachItemFromArray(later, 0));
        cJSON_Delete(later);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!ok)
        return false;
    OutFile o = {0};
    if (!outfile_open(&o, out, why, size)) {
        cJSON_free(text);
        return false;
    }
    fputs(text, o.f);
    fputc('\n', o.f);
    cJSON_free(text);
    return outfile_commit(&o, why, size);
}
