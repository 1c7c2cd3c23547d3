/* scenario_json — the scenario loader's strict JSON checker and its
 * messages (scenario_int.h).
 *
 * Why our own checker rather than cJSON's parser: cJSON says only where it
 * stopped; a teacher needs to know what was expected there ("a comma or
 * \"}\"", "a key in double quotes").  It checks bytes first (size, NUL,
 * UTF-8), then the syntax, building cJSON's tree as it goes (one pass over
 * the text), and stops at the first problem: after it nothing can be
 * trusted.  Limits: nesting at most MAX_DEPTH; strings and numbers as RFC
 * 8259, with no comments, trailing commas or bare words.  The typed
 * values read from its tree are scenario_values.c's. */
#include "io/scenario_int.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MAX_DEPTH 512
#if defined(__GNUC__)
#define SJ_NOINLINE      __attribute__((noinline))
#define SJ_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define SJ_NOINLINE
#define SJ_ALWAYS_INLINE inline
#endif
#define QUOTE_MAX 100 /* bytes of a user string shown in a message */

/* ---- messages ------------------------------------------------------------ */

void sj_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- messages ------------------------------------------------------------ */

const char *sj_keep(Loader *L, char *s)
{
    L->scratch = xgrow(L->scratch, &L->cap_scratch, L->n_scratch + 1, sizeof *L->scratch);
    L->scratch[L->n_scratch++] = s;
    return s;
}

/* Length of the UTF-8 sequence starting with lead byte c (input is valid). */
size_t sj_utf8_len(unsigned char c)
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
void sj_put_quoted(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    size_t i = 0, plain_end = n < QUOTE_MAX ? n : QUOTE_MAX;
    while (i < n) {
        size_t run = i; /* printable ASCII that needs no escape, in one piece */
        while (run < plain_end && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
               s[run] != '\\')
            run++;
        if (run > i) {
            buf_put(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        size_t k = sj_utf8_len(c);
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
const char *sj_q(Loader *L, const char *s)
{
    Buf b;
    buf_init(&b);
    sj_put_quoted(&b, s, strlen(s));
    return sj_keep(L, buf_take(&b));
}

/* "[i]" at d (room for 24); returns its length. */
static size_t put_index(char d[24], size_t i)
{
    size_t digits = 1;
    for (size_t p = 10; digits < 20 && p <= i; p *= 10)
        digits++;
    d[0] = '[';
    for (size_t k = digits; k > 0; k--, i /= 10)
        d[k] = (char)('0' + i % 10);
    d[digits + 1] = ']';
    return digits + 2;
}

static void path_put(Buf *b, const Path *p)
{
    if (!p || p->kind == P_ROOT)
        return;
    path_put(b, p->up);
    bool top = !p->up || p->up->kind == P_ROOT;
    switch (p->kind) {
    case P_FIELD:
        if (!top)
            buf_putc(b, '.');
        buf_puts(b, p->key);
        break;
    case P_QUOTED:
        buf_putc(b, '[');
        sj_put_quoted(b, p->key, strlen(p->key));
        buf_putc(b, ']');
        break;
    case P_INDEX: { /* digits written here, as every script line's path is built */
        char d[24];
        size_t n = put_index(d, p->index);
        buf_put(b, d, n);
        break;
    }
    case P_ROOT:
        break;
    }
}

char *sj_path_str(const Path *p)
{
    Buf b;
    buf_init(&b);
    path_put(&b, p);
    return buf_take(&b);
}

/* Notes one problem about the value at, whose path is p. */
void sj_err(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...)
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

void sj_warn(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...)
{
    if (!L->warnings)
        return;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s: ", L->name);
    if (p && p->kind != P_ROOT) {
        path_put(&b, p);
        buf_puts(&b, ": ");
    }
    buf_puts(&b, "warning: ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    L->pend = xgrow(L->pend, &L->cap_pend, L->n_pend + 1, sizeof *L->pend);
    L->pend[L->n_pend] = (Pending){at, L->n_pend, 0, buf_take(&b)};
    L->n_pend++;
}

const char *sj_fmt_number(Loader *L, double v)
{
    /* Whole numbers as digits (a seed of 2^53 + 1 shows as the 2^53 that
     * JSON made of it), others in %.15g. */
    if (v == floor(v) && fabs(v) < 1e17)
        return sj_keep(L, xasprintf("%.0f", v));
    return sj_keep(L, xasprintf("%.15g", v));
}

/* What a value is, for "got …" messages. */
const char *sj_got(Loader *L, const cJSON *v)
{
    if (cJSON_IsString(v))
        return sj_keep(L, xasprintf("the string %s", sj_q(L, v->valuestring)));
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble)
                   ? sj_keep(L, xasprintf("the number %s", sj_fmt_number(L, v->valuedouble)))
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
const char *sj_join(Loader *L, const char *const *words, size_t n)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", words[i]);
    return sj_keep(L, buf_take(&b));
}

int sj_casecmp(const char *a, const char *b)
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
const char *sj_suggest(Loader *L, const char *word, const char *const *cands, size_t n,
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
        if (sj_casecmp(word, cands[i]) == 0)
            c = cands[i];
    if (!c)
        c = closest_word(word, cands, n);
    if (!c)
        return "";
    if (best)
        *best = c;
    return sj_keep(L, xasprintf("; did you mean %s?", sj_q(L, c)));
}

void sj_unknown_key(Loader *L, const cJSON *at, const Path *p, const char *key,
                    const char *const *cands, size_t n)
{
    sj_err(L, at, p, "unknown key %s (expected one of %s%s)", sj_q(L, key), sj_join(L, cands, n),
           sj_suggest(L, key, cands, n, NULL));
}

/* Does obj have an unknown key that looks like a typo for key?  Then a
 * "missing key" message would only repeat the "did you mean". */
bool sj_typo_for(const cJSON *obj, const char *key, const char *const *known, size_t n)
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

/* ---- bytes and syntax ---------------------------------------------------- */

typedef struct LineCol {
    size_t line, col;
} LineCol;

bool sj_has_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0;
}

/* Line and column (1-based, in characters) of byte pos.  A line ends with
 * LF, CR LF or a lone CR. */
static LineCol line_col(const char *s, size_t len, size_t pos)
{
    LineCol lc = {1, 1};
    size_t i = sj_has_bom(s, len) ? 3 : 0;
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
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (size_t i = 0; i < t->len;) {
#ifdef __SSE2__
        /* Thirty-two bytes at once: no high bit set, and none is 0 (the
         * smaller byte of each pair is 0 where either is). */
        if (i + 32 <= t->len) {
            __m128i a = _mm_loadu_si128((const __m128i *)(u + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(u + i + 16));
            __m128i bad = _mm_or_si128(_mm_or_si128(a, b),
                                       _mm_cmpeq_epi8(_mm_min_epu8(a, b), _mm_setzero_si128()));
            if (!_mm_movemask_epi8(bad)) {
                i += 32;
                continue;
            }
        }
#endif
        uint64_t v;
        if (i + 8 <= t->len) { /* eight bytes at once: no high bit set, and none is 0 */
            memcpy(&v, u + i, 8);
            if (((v | ((v - ones) & ~v)) & highs) == 0) {
                i += 8;
                continue;
            }
        }
        if (u[i] - 1u < 0x7fu) { /* the common case: ASCII, not NUL */
            i++;
            continue;
        }
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

/* JSON's whitespace (RFC 8259): the checker looks one up before every
 * token of a big scenario, so in a table rather than four comparisons. */
static const bool json_ws[256] = {[' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true};

bool sj_is_ws(char c)
{
    return json_ws[(unsigned char)c];
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
    sj_put_quoted(&b, t->s + pos, n);
    return sj_keep(t->L, buf_take(&b));
}

/* The character at pos, quoted (the text is valid UTF-8 by now). */
static const char *char_at(const Text *t, size_t pos)
{
    size_t n = sj_utf8_len((unsigned char)t->s[pos]);
    if (pos + n > t->len)
        n = t->len - pos;
    /* Characters an editor shows as nothing, or as a space: named. */
    static const struct {
        uint32_t cp;
        const char *name;
    } unseen[] = {{0xfeff, "U+FEFF (a byte order mark, which editors do not show)"},
                  {0x00a0, "U+00A0 (a no-break space)"},
                  {0x200b, "U+200B (a zero-width space, which editors do not show)"},
                  {0x200c, "U+200C (a zero-width non-joiner, which editors do not show)"},
                  {0x200d, "U+200D (a zero-width joiner, which editors do not show)"},
                  {0x2060, "U+2060 (a word joiner, which editors do not show)"}};
    if (n > 1 && utf8_valid((const unsigned char *)t->s, t->len, pos) == n) {
        uint32_t cp = utf8_decode((const unsigned char *)t->s + pos, n);
        for (size_t i = 0; i < MN_ARRAY_LEN(unseen); i++)
            if (unseen[i].cp == cp)
                return unseen[i].name;
    }
    Buf b;
    buf_init(&b);
    sj_put_quoted(&b, t->s + pos, n);
    return sj_keep(t->L, buf_take(&b));
}

/* A backslash and the character at pos after it, quoted ("\\x"), or the
 * backslash followed by the character's name where char_at names it. */
static const char *escape_at(const Text *t, size_t pos)
{
    const char *c = char_at(t, pos);
    if (c[0] == '"')
        return sj_keep(t->L, xasprintf("\"\\\\%s", c + 1));
    return sj_keep(t->L, xasprintf("\"\\\\\" followed by %s", c));
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

/* What ends a string's run of plain characters: a control character, the
 * quote, the backslash. */
static const bool string_stop[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* Scans the string starting at the quote at *pos; *escaped: it has a
 * backslash. */
static bool scan_string(const Text *t, size_t *pos, bool *escaped)
{
    size_t start = *pos, i = start + 1;
    *escaped = false;
    const unsigned char *u = (const unsigned char *)t->s;
    while (i < t->len) {
        while (i < t->len && !string_stop[u[i]]) /* the common case: plain characters */
            i++;
        if (i >= t->len)
            break;
        unsigned char c = u[i];
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
        *escaped = true;
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
                    escape_at(t, i + 1));
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
    cJSON *item, *last; /* the list or object, and its last member so far */
} Opener;

/* The checker's state as it goes: the open lists and objects, and the tree
 * built so far. */
typedef struct Parse {
    const Text *t;
    Opener *stack;
    size_t depth, cap;
    char *key; /* the key of the member whose value comes next */
    cJSON *root;
} Parse;

/* ---- the tree ------------------------------------------------------------ */

/* The checker builds the tree as it checks: the same cJSON items that
 * cJSON_Parse would make, but in the Loader's blocks, all freed at once when
 * the load ends.  Every string (unescaped, with its NUL) goes into one buffer
 * as long as the text, which always suffices: a string's quotes are at least
 * as long as what unescaping adds. */
#define TREE_BLOCK 1024 /* items per block */

/* tree_item and tree_attach are inline: they run for each of a big
 * scenario's hundreds of thousands of values. */
static inline cJSON *tree_item(Loader *L, int type)
{
    if (L->tree_next == L->tree_end) {
        L->tree_blocks = xgrow(L->tree_blocks, &L->cap_tree_blocks, L->n_tree_blocks + 1,
                               sizeof *L->tree_blocks);
        L->tree_next = L->tree_blocks[L->n_tree_blocks++] = xmalloc(TREE_BLOCK * sizeof(cJSON));
        L->tree_end = L->tree_next + TREE_BLOCK;
    }
    cJSON *item = L->tree_next++;
    *item = (cJSON){.type = type};
    return item;
}

/* Writes code point cp as UTF-8 at o; returns the end. */
static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* The string checked from the quote at start to end (past its closing
 * quote), unescaped into the Loader's string buffer. */
static char *tree_string(const Text *t, size_t start, size_t end, bool escaped)
{
    Loader *L = t->L;
    const char *s = t->s + start + 1;
    size_t n = end - start - 2;
    char *out = L->tree_text_next, *o = out;
    if (!escaped) {
        memcpy(o, s, n);
        o += n;
    }
    for (size_t i = 0; escaped && i < n;) {
        if (s[i] != '\\') {
            *o++ = s[i++];
            continue;
        }
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': { /* checked: four hex digits, a surrogate only in a pair */
            unsigned cp, lo;
            hex4(t, start + 1 + i, &cp);
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                hex4(t, start + 1 + i + 2, &lo);
                i += 6;
                cp = 0x10000 + (((cp & 0x3ff) << 10) | (lo & 0x3ff));
            }
            o = put_utf8(o, cp);
            break;
        }
        default: /* " \ / */
            *o++ = e;
            break;
        }
    }
    *o++ = '\0';
    L->tree_text_next = o;
    return out;
}

/* read_string's rare path: escapes, and problems.  Kept out of it (a
 * compiler would inline it, making every string pay for its registers). */
SJ_NOINLINE static char *read_string_slow(const Text *t, size_t *pos)
{
    size_t start = *pos;
    bool escaped;
    if (!scan_string(t, pos, &escaped))
        return NULL;
    return tree_string(t, start, *pos, escaped);
}

/* The string at the quote at *pos, checked (scan_string) and unescaped
 * into the Loader's string buffer (tree_string); *pos past its closing
 * quote.  NULL on a problem.  Most strings are plain characters up to the
 * quote: they are copied as they are read, in one pass.  Inline at both its
 * callers (a key, a value), which a compiler would not do for its size: a
 * call's saved registers cost more than copying a short string. */
static SJ_ALWAYS_INLINE char *read_string(const Text *t, size_t *pos)
{
    Loader *L = t->L;
    const unsigned char *u = (const unsigned char *)t->s;
    size_t start = *pos, i = start + 1, len = t->len; /* len: a store into o may not alias it */
    char *out = L->tree_text_next, *o = out;
#ifdef __SSE2__
    /* Sixteen bytes a step, stored whole: the buffer is as long as the text
     * and o never passes i, so there is room; what is stored past the
     * string's end is overwritten or unused.  A byte ends the run as in
     * string_stop: at most 0x1f (unsigned), the quote or the backslash. */
    const __m128i ctl = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'),
                  backslash = _mm_set1_epi8('\\');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + i));
        _mm_storeu_si128((__m128i *)o, v);
        __m128i stop =
            _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        unsigned bits = (unsigned)_mm_movemask_epi8(stop);
        if (bits) {
            size_t k = (size_t)__builtin_ctz(bits);
            o += k;
            i += k;
            break;
        }
        o += 16;
        i += 16;
    }
#endif
    while (i < len && !string_stop[u[i]])
        *o++ = (char)u[i++];
    if (i < len && u[i] == '"') {
        *o++ = '\0';
        L->tree_text_next = o;
        *pos = i + 1;
        return out;
    }
    return read_string_slow(t, pos);
}

/* The number checked from start to end, read as cJSON reads it: strtod on
 * a copy of it. */
static void tree_number(const Text *t, cJSON *item, size_t start, size_t end)
{
    char small[64], *d = small;
    size_t n = end - start;
    if (n >= sizeof small)
        d = xmalloc(n + 1);
    memcpy(d, t->s + start, n);
    d[n] = '\0';
    double v = strtod(d, NULL);
    if (d != small)
        free(d);
    item->valuedouble = v;
    item->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN : (int)v;
}

/* Adds item to the open list or object (with the pending key), or makes it
 * the root. */
static inline void tree_attach(Parse *ps, cJSON *item)
{
    if (ps->depth == 0) {
        ps->root = item;
        return;
    }
    Opener *up = &ps->stack[ps->depth - 1];
    item->string = ps->key;
    ps->key = NULL;
    if (!up->item->child) {
        up->item->child = item;
    } else {
        up->last->next = item;
        item->prev = up->last;
    }
    up->last = item;
    up->item->child->prev = item; /* as cJSON keeps it: the first's prev is the last */
}

void sj_tree_free(Loader *L)
{
    for (size_t i = 0; i < L->n_tree_blocks; i++)
        free(L->tree_blocks[i]);
    free(L->tree_blocks);
    free(L->tree_text);
    L->tree_blocks = NULL;
    L->tree_text = NULL;
    L->tree_next = L->tree_end = NULL;
    L->tree_text_next = NULL;
    L->n_tree_blocks = L->cap_tree_blocks = 0;
}

/* ---- the syntax ---------------------------------------------------------- */

/* '/' starts no token: where one is found, a comment is what was meant.
 * Told at each place a token is judged wrong, before anything else is. */
static void err_comment(const Text *t, size_t pos)
{
    err_pos(t, pos,
            "comments are not allowed in JSON (expected no // or /* */; a note "
            "for students can go in \"description\")");
}

static const char VALUE_EXPECTED[] =
    "a value: a \"string\" in double quotes, a number, true, false, null, [ … ] or { … }";

/* One step of the syntax check at a value.  Returns false on a problem. */
static bool syntax_value(Parse *ps, size_t *pos, Want *want, bool after_colon, size_t comma)
{
    const Text *t = ps->t;
    char c = t->s[*pos];
    if (c == '"') { /* the commonest value; none of the tests below is for a quote */
        *want = W_AFTER;
        char *text = read_string(t, pos);
        if (!text)
            return false;
        cJSON *item = tree_item(t->L, cJSON_String);
        item->valuestring = text;
        tree_attach(ps, item);
        return true;
    }
    if (c == '{' || c == '[') {
        if (ps->depth == MAX_DEPTH) {
            err_pos(t, *pos, "nested too deeply (expected at most %d levels of [ ] and { })",
                    MAX_DEPTH);
            return false;
        }
        cJSON *item = tree_item(t->L, c == '{' ? cJSON_Object : cJSON_Array);
        tree_attach(ps, item);
        ps->stack = xgrow(ps->stack, &ps->cap, ps->depth + 1, sizeof *ps->stack);
        ps->stack[ps->depth++] = (Opener){c, *pos, item, NULL};
        (*pos)++;
        *want = c == '{' ? W_FIRST_KEY : W_FIRST_VALUE;
        return true;
    }
    if (c == ']' && *want == W_FIRST_VALUE) {
        ps->depth--;
        (*pos)++;
        *want = W_AFTER;
        return true;
    }
    if (c == '/') {
        err_comment(t, *pos);
        return false;
    }
    if ((c == ']' || c == '}') && after_colon) {
        err_pos(t, *pos, "missing value after \":\" (expected %s)", VALUE_EXPECTED);
        return false;
    }
    if (c == '}' && *want == W_FIRST_VALUE) {
        const Opener *top = &ps->stack[ps->depth - 1];
        LineCol lc = line_col(t->s, t->len, top->pos);
        err_pos(t, *pos, "\"}\" does not match the \"[\" at %zu:%zu (expected a value or \"]\")",
                lc.line, lc.col);
        return false;
    }
    if ((c == ']' || c == '}') && ps->depth > 0) {
        err_pos(t, comma,
                "a comma before \"%c\" (expected another value after the comma, or no "
                "comma)",
                c);
        return false;
    }
    *want = W_AFTER;
    size_t start = *pos;
    if (c == '-' || is_digit(c)) {
        if (!scan_number(t, pos))
            return false;
        cJSON *item = tree_item(t->L, cJSON_Number);
        tree_number(t, item, start, *pos);
        tree_attach(ps, item);
        return true;
    }
    static const struct {
        const char *word;
        int type;
    } lits[] = {{"true", cJSON_True}, {"false", cJSON_False}, {"null", cJSON_NULL}};
    for (size_t k = 0; k < MN_ARRAY_LEN(lits); k++) {
        size_t n = strlen(lits[k].word);
        if (*pos + n <= t->len && memcmp(t->s + *pos, lits[k].word, n) == 0 &&
            (*pos + n == t->len || !is_word(t->s[*pos + n]))) {
            *pos += n;
            cJSON *item = tree_item(t->L, lits[k].type);
            item->valueint = lits[k].type == cJSON_True; /* as cJSON sets it */
            tree_attach(ps, item);
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

static bool syntax_after(Parse *ps, size_t *pos, Want *want, size_t *comma, bool *after_colon)
{
    const Text *t = ps->t;
    char c = t->s[*pos];
    if (c == '/') {
        err_comment(t, *pos);
        return false;
    }
    if (ps->depth == 0) {
        err_pos(t, *pos,
                "unexpected text after the end of the scenario (expected nothing after "
                "the final \"}\")");
        return false;
    }
    const Opener *top = &ps->stack[ps->depth - 1];
    char close = top->c == '{' ? '}' : ']';
    if (c == ',') {
        *comma = (*pos)++;
        *want = top->c == '{' ? W_KEY : W_VALUE;
        *after_colon = false;
        return true;
    }
    if (c == close) {
        ps->depth--;
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
 * expected, which builds the tree as it goes; NULL on a problem. */
static cJSON *check_syntax(const Text *t)
{
    Parse ps = {.t = t};
    size_t comma = 0, key = 0, key_end = 0;
    size_t pos = sj_has_bom(t->s, t->len) ? 3 : 0;
    Want want = W_VALUE;
    bool after_colon = false, ok = false;
    t->L->tree_text = t->L->tree_text_next = xmalloc(t->len + 1);
    /* The text in locals: the strings' bytes stored on the way may alias
     * *t for a compiler, which would read it again for every token. */
    const char *s = t->s;
    const size_t len = t->len;
    for (;;) {
        while (pos < len && json_ws[(unsigned char)s[pos]])
            pos++;
        if (pos == len) {
            if (ps.depth == 0 && want == W_AFTER) {
                ok = true;
            } else if (ps.depth > 0) {
                const Opener *top = &ps.stack[ps.depth - 1];
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
        char c = s[pos];
        if (want == W_AFTER) {
            if (!syntax_after(&ps, &pos, &want, &comma, &after_colon))
                break;
        } else if (want == W_KEY || want == W_FIRST_KEY) {
            if (c == '"') {
                key = pos;
                if (!(ps.key = read_string(t, &pos)))
                    break;
                key_end = pos;
                want = W_COLON;
                if (pos < len && s[pos] == ':') { /* the usual "key": at once */
                    pos++;
                    want = W_VALUE;
                    after_colon = true;
                }
            } else if (c == '/') {
                err_comment(t, pos);
                break;
            } else if (c == '}' && want == W_FIRST_KEY) {
                ps.depth--;
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
        } else if (want == W_COLON) {
            if (c == '/') {
                err_comment(t, pos);
                break;
            }
            if (c != ':') {
                Buf b;
                buf_init(&b);
                sj_put_quoted(&b, t->s + key + 1, key_end - key - 2);
                err_pos(t, pos, "missing \":\" after the key %s (expected \"key\": value)",
                        sj_keep(t->L, buf_take(&b)));
                break;
            }
            pos++;
            want = W_VALUE;
            after_colon = true;
        } else {
            if (!syntax_value(&ps, &pos, &want, after_colon, comma))
                break;
            after_colon = false;
        }
    }
    free(ps.stack);
    return ok ? ps.root : NULL;
}

/* shell_fault_parse quotes words as they are: escape what a terminal would
 * act on. */
const char *sj_sanitize(Loader *L, const char *s)
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
    return sj_keep(L, buf_take(&b));
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
void sj_sort_pending(Loader *L, const cJSON *root)
{
    if (L->n_pend < 2 || !root)
        return;
    size_t n = count_items(root), k = 0;
    Ord *ord = xmalloc(n * sizeof *ord);
    number_items(root, ord, &k);
    sj_sort(ord, n, sizeof *ord, cmp_ord);
    for (size_t i = 0; i < L->n_pend; i++) {
        Ord key = {(uintptr_t)L->pend[i].at, 0};
        const Ord *o = L->pend[i].at ? bsearch(&key, ord, n, sizeof *ord, cmp_ord) : NULL;
        L->pend[i].order = o ? o->order : 0;
    }
    sj_sort(L->pend, L->n_pend, sizeof *L->pend, cmp_pending);
    free(ord);
}

/* ---- parsing ------------------------------------------------------------- */

cJSON *sj_parse(Loader *L, const char *data, size_t len)
{
    Text t = {L, data, len};
    return check_bytes(&t) ? check_syntax(&t) : NULL;
}
