/* Brace expansion, bash's first expansion of a command's word: a{b,c}d
 * gives abd and acd, {1..3} gives 1 2 3, before anything else is
 * expanded.  Only braces outside quotes and outside ${…} count, and only
 * a pair that holds a comma at its own level or a sequence ({x..y} or
 * {x..y..step}, of integers or of single letters); the leftmost such pair
 * goes first, and what each of its alternatives gives is expanded again,
 * so nested and repeated pairs multiply ({a,b}{1,2}: a1 a2 b1 b2).  The
 * alternatives keep their quotes, which the later expansions remove. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cmdline.h"
#include "core/util.h"

/* Bytes made along the way: past Linux's ARG_MAX (2 MiB) the command
 * could not run anyway, and {1..100000} before a long word would copy it
 * each time.  It also bounds the recursion: each pair resolved makes a
 * word, so a path d pairs deep has made about d * d bytes. */
#define BRACE_BYTES (2u << 20)

typedef struct Braces {
    char **w;
    size_t n, cap, max;
    size_t bytes; /* made so far, BRACE_BYTES at most */
    bool full;    /* more than max words or BRACE_BYTES: given up */
} Braces;

/* The index of the last byte of the quoted part or ${…} that starts at
 * s[i] (i itself when none does). */
static size_t skip_quoted(const char *s, size_t n, size_t i)
{
    char c = s[i];
    if (c == '\\')
        return i + 1 < n ? i + 1 : i;
    if (c == '\'') {
        const char *e = memchr(s + i + 1, '\'', n - i - 1);
        return e ? (size_t)(e - s) : n - 1;
    }
    if (c == '"') {
        for (size_t j = i + 1; j < n; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == '"')
                return j;
            else if (s[j] == '$' && j + 1 < n && s[j + 1] == '{')
                j = skip_quoted(s, n, j);
        }
        return n - 1;
    }
    if (c == '$' && i + 1 < n && s[i + 1] == '\'') {
        for (size_t j = i + 2; j < n; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == '\'')
                return j;
        }
        return n - 1;
    }
    if (c == '$' && i + 1 < n && s[i + 1] == '{') { /* as the expansion reads it */
        size_t e = cmdline_brace_end(s, n, i + 1);
        return e < n ? e : n - 1;
    }
    return i;
}

static bool quote_start(const char *s, size_t n, size_t i)
{
    return s[i] == '\\' || s[i] == '\'' || s[i] == '"' ||
           (s[i] == '$' && i + 1 < n && (s[i + 1] == '{' || s[i + 1] == '\''));
}

/* ---- sequences ------------------------------------------------------------ */

typedef struct Seq {
    bool letters;
    long long from, to, step;
    int width; /* integers: 0, or the width a leading zero asks for */
} Seq;

/* An integer of s[0..n) (an optional sign, then digits), in range. */
static bool seq_int(const char *s, size_t n, long long *v)
{
    if (!n || n > 18)
        return false;
    size_t i = s[0] == '-' || s[0] == '+';
    if (i == n)
        return false;
    long long x = 0;
    for (size_t k = i; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        x = x * 10 + (s[k] - '0');
    }
    *v = s[0] == '-' ? -x : x;
    return true;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether s[0..n) (inside the braces) is x..y or x..y..step. */
static bool seq_parse(const char *s, size_t n, Seq *q)
{
    const char *d1 = n >= 4 ? strstr(s, "..") : NULL;
    if (!d1 || (size_t)(d1 - s) >= n)
        return false;
    size_t a = (size_t)(d1 - s), rest = n - a - 2;
    const char *y = d1 + 2, *d2 = NULL;
    for (size_t k = 0; k + 1 < rest; k++)
        if (y[k] == '.' && y[k + 1] == '.') {
            d2 = y + k;
            break;
        }
    size_t b = d2 ? (size_t)(d2 - y) : rest;
    q->step = 1;
    if (d2 && !seq_int(d2 + 2, rest - b - 2, &q->step))
        return false;
    if (q->step < 0)
        q->step = -q->step;
    if (!q->step)
        q->step = 1;
    q->width = 0;
    if (a == 1 && b == 1 && is_letter(s[0]) && is_letter(y[0])) {
        q->letters = true;
        q->from = s[0];
        q->to = y[0];
        return true;
    }
    q->letters = false;
    if (!seq_int(s, a, &q->from) || !seq_int(y, b, &q->to))
        return false;
    /* bash pads to the longer of the two as typed when either has a
     * leading zero (01, -01) */
    bool zero = (a > 1 && s[s[0] == '-'] == '0') || (b > 1 && y[y[0] == '-'] == '0');
    if (zero)
        q->width = (int)(a > b ? a : b);
    return true;
}

/* ---- expanding ------------------------------------------------------------- */

static void push(Braces *b, char *w)
{
    if (b->n == b->max) {
        b->full = true;
        free(w);
        return;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 8;
        b->w = xrealloc(b->w, b->cap * sizeof *b->w);
    }
    b->w[b->n++] = w;
}

/* The leftmost pair of braces of s that expands: true with its indices. */
static bool find_pair(const char *s, size_t n, size_t *open, size_t *close, bool *comma)
{
    size_t *stack = xmalloc((n + 1) * sizeof *stack);
    bool *commas = xmalloc(n + 1);
    size_t depth = 0;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (quote_start(s, n, i)) {
            i = skip_quoted(s, n, i);
        } else if (s[i] == '{') {
            stack[depth] = i;
            commas[depth++] = false;
        } else if (s[i] == ',' && depth) {
            commas[depth - 1] = true;
        } else if (s[i] == '}' && depth) {
            size_t o = stack[--depth];
            Seq q;
            bool valid = commas[depth] || seq_parse(s + o + 1, i - o - 1, &q);
            if (valid && (!found || o < *open)) {
                *open = o;
                *close = i;
                *comma = commas[depth];
                found = true;
            }
        }
    }
    free(stack);
    free(commas);
    return found;
}

static void expand(Braces *b, const char *s);

/* pre, the alternative s[0..n), then post: expanded again. */
static void alternative(Braces *b, const char *s, size_t n, const char *pre, size_t npre,
                        const char *post)
{
    size_t len = npre + n + strlen(post);
    if (len > BRACE_BYTES - b->bytes) {
        b->full = true;
        return;
    }
    b->bytes += len;
    char *w = xasprintf("%.*s%.*s%s", (int)npre, pre, (int)n, s, post);
    expand(b, w);
    free(w);
}

static void expand(Braces *b, const char *s)
{
    if (b->full)
        return;
    size_t n = strlen(s), open, close;
    bool comma;
    if (!find_pair(s, n, &open, &close, &comma)) {
        push(b, xstrdup(s));
        return;
    }
    const char *in = s + open + 1, *post = s + close + 1;
    size_t nin = close - open - 1;
    if (comma) {
        size_t start = 0, level = 0;
        for (size_t i = 0; i <= nin && !b->full; i++) {
            if (i < nin && quote_start(in, nin, i)) {
                i = skip_quoted(in, nin, i);
            } else if (i < nin && in[i] == '{') {
                level++;
            } else if (i < nin && in[i] == '}') {
                level -= level > 0;
            } else if (i == nin || (in[i] == ',' && !level)) {
                alternative(b, in + start, i - start, s, open, post);
                start = i + 1;
            }
        }
        return;
    }
    Seq q;
    seq_parse(in, nin, &q);
    long long span = q.to > q.from ? q.to - q.from : q.from - q.to;
    if (span / q.step + 1 > (long long)(b->max - b->n)) {
        b->full = true;
        return;
    }
    long long dir = q.to >= q.from ? 1 : -1;
    for (long long v = q.from, k = 0; k <= span / q.step; k++, v += dir * q.step) {
        char item[48];
        if (q.letters && v == '\\') /* bash's gives an empty word: {Z..a} */
            snprintf(item, sizeof item, "\"\"");
        else if (q.letters) /* a quoted character: one that is special stays itself */
            snprintf(item, sizeof item, "%s%c", is_letter((char)v) ? "" : "\\", (int)v);
        else if (q.width && v < 0)
            snprintf(item, sizeof item, "-%0*lld", q.width - 1, -v);
        else
            snprintf(item, sizeof item, "%0*lld", q.width, v);
        alternative(b, item, strlen(item), s, open, post);
    }
}

size_t cmdline_braces(const char *raw, size_t max, char ***out)
{
    if (!strchr(raw, '{'))
        return 0;
    size_t n = strlen(raw), open, close;
    bool comma;
    if (!find_pair(raw, n, &open, &close, &comma))
        return 0;
    Braces b = {NULL, 0, 0, max, 0, false};
    expand(&b, raw);
    if (b.full) {
        for (size_t i = 0; i < b.n; i++)
            free(b.w[i]);
        free(b.w);
        return max + 1;
    }
    *out = b.w;
    return b.n;
}
