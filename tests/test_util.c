/* Tests for src/core/util.c (buf_printf writes what vsnprintf writes) and
 * for the text helpers the trace writers use instead of printf, for
 * trace_note's one-line captions, for the JSON Lines writer's string
 * escapes, for sort_by_key, and for src/core/heap.c. */
#define _DEFAULT_SOURCE /* sbrk */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <wchar.h>

#include <cmocka.h>

#include "core/heap.h"
#include "core/trace.h"
#include "io/trace_out.h"
#include "core/util.h"
#include "net/world.h"

/* buf_printf appends after text already in the buffer; the result must be
 * that text followed by vsnprintf's. */
static void MN_PRINTF(1, 2) same(const char *fmt, ...)
{
    va_list ap, ap2, ap3;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    va_copy(ap3, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    assert_true(n >= 0);
    char *want = xmalloc((size_t)n + 6);
    memcpy(want, "lead:", 5);
    vsnprintf(want + 5, (size_t)n + 1, fmt, ap2);
    Buf b;
    buf_init(&b);
    buf_puts(&b, "lead:");
    buf_vprintf(&b, fmt, ap3);
    va_end(ap3);
    va_end(ap2);
    va_end(ap);
    if (b.len != (size_t)n + 5 || memcmp(b.data, want, b.len) != 0 || b.data[b.len] != '\0')
        fail_msg("format \"%s\": buf_printf wrote \"%.80s\" (%zu bytes), vsnprintf \"%.80s\" "
                 "(%d bytes)",
                 fmt, b.data, b.len - 5, want, n);
    free(want);
    buf_fini(&b);
}

static void test_strings(void **state)
{
    (void)state;
    same("%s", "");
    same("plain text, no conversion");
    same("%s and %s", "one", "two");
    same("[%8s] [%-8s] [%2s]", "abc", "abc", "abcdef");
    same("[%.3s] [%.0s] [%.10s]", "abcdef", "abc", "abc");
    same("[%*s] [%-*s] [%*s]", 6, "ab", 6, "ab", -6, "ab");
    same("[%.*s] [%.*s] [%*.*s]", 2, "abcdef", -1, "abcdef", 7, 3, "abcdef");
    same("%c%c%c", 'a', '%', 'z');
    same("100%% done, %d%%", 50);
    same("%s", "\x1b]0;title\x07 and utf-8: \xc3\xa9");
}

static void test_integers(void **state)
{
    (void)state;
    same("%d %i %u", 0, -1, 4294967295u);
    same("%d %d", INT32_MIN, INT32_MAX);
    same("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
    same("[%1d] [%02d] [%03d]", -12345, 7, -7);
    same("[%*d] [%*d] [%0*d]", 6, 42, -6, 42, 4, 3);
    same("%x %X %02x %04X %-4x|", 0xbeefu, 0xbeefu, 5u, 0xau, 0xau);
    same("%ld %lu %lx", -1234567890123L, 1234567890123UL, 0xdeadbeefcafeUL);
    same("%lld %llu %llx", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
         (unsigned long long)UINT64_MAX);
    same("%zu %zd %zx", (size_t)123456789, (ssize_t)-5, (size_t)255);
    same("%jd %ju %td", (intmax_t)-9, (uintmax_t)9, (ptrdiff_t)-3);
    same("%hd %hu %hhd %hhu %hx", 70000, 70000, 300, 300, 0x12345);
    same("%" PRId64 " %" PRIu64 " %" PRIx64, (int64_t)-1, (uint64_t)1 << 63, (uint64_t)0xabc);
}

/* Conversions written by vsnprintf: the rest of the format goes to it. */
static void test_handed_on(void **state)
{
    (void)state;
    same("%.1f ms and %s", 1.25, "after");
    same("%s then %5.2f then %d", "before", 3.14159, 7);
    same("%+d % d %#x %#o %o", 5, 5, 255u, 8u, 8u);
    same("%.3d %8.3d", 7, -7);
    same("%p", (void *)0);
    same("%e %g %G", 12345.678, 0.0001, 1e20);
    same("%lc", (wint_t)'x');
    same("%123456d|", 1);
}

/* Formats the compiler warns of, which minet's code never has: still what
 * vsnprintf writes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_odd(void **state)
{
    (void)state;
    same("[%-05d]", 42);
    same("%05s|", "ab");
    same("%5%|");
}

#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_null_string(void **state)
{
    (void)state;
    const char *volatile null = NULL;
    same("%s", null);
    same("[%.3s] [%.6s] [%10s]", null, null, null);
}
#pragma GCC diagnostic pop

static void test_put_int(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b);
    buf_put_int(&b, 0);
    buf_putc(&b, ' ');
    buf_put_int(&b, -7);
    buf_putc(&b, ' ');
    buf_put_int(&b, INT64_MIN);
    buf_putc(&b, ' ');
    buf_put_int(&b, INT64_MAX);
    assert_string_equal(b.data, "0 -7 -9223372036854775808 9223372036854775807");
    buf_fini(&b);
}

static void test_ip_format(void **state)
{
    (void)state;
    const uint32_t ips[] = {0, 0xffffffffu, 0x0a006409u, 0x7f000001u, 0xc0a80a63u, 0x01020304u};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++) {
        char got[16], want[16];
        uint32_t ip = ips[i];
        ip_format(ip, got);
        snprintf(want, sizeof want, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                 ip & 255);
        assert_string_equal(got, want);
    }
}

/* heap_prepare grows the heap by about a step (64 MiB, less what was free
 * at its top) where it can, and keeps it through frees; malloc goes on
 * working for small blocks and for arrays below and above the 32 MiB it
 * keeps in the heap. */
static void test_heap_prepare(void **state)
{
    (void)state;
    char *before = sbrk(0);
    bool prepared = heap_prepare(1000);
    if (prepared)
        assert_true((char *)sbrk(0) - before >= 48 << 20);
    enum { N = 50000 };
    unsigned char **blocks = xmalloc(N * sizeof *blocks);
    for (size_t i = 0; i < N; i++) {
        blocks[i] = xmalloc(i % 997 + 1);
        memset(blocks[i], (int)(i & 0xff), i % 997 + 1);
    }
    size_t size = 1 << 20;
    unsigned char *big = xmalloc(size);
    memset(big, 0xa5, size);
    for (; size < ((size_t)64 << 20); size *= 2) { /* in the heap, then a mapping of its own */
        big = xrealloc(big, size * 2);
        memset(big + size, 0xa5, size);
    }
    for (size_t i = 0; i < size; i += 4093)
        assert_int_equal(big[i], 0xa5);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(blocks[i][i % 997], i & 0xff);
        free(blocks[i]);
    }
    free(blocks);
    free(big);
    if (prepared)
        assert_true((char *)sbrk(0) - before >= 48 << 20);
}

/* A caption is one line (DESIGN.md rule 5), whether it comes ready made
 * ("%s") or formatted: line breaks and tabs become spaces. */
static void test_caption_one_line(void **state)
{
    (void)state;
    Trace t;
    trace_init(&t, NULL, true);
    trace_note(&t, 0, 1, "%s", "a asks b");
    trace_note(&t, 1, 1, "%s", "two\nlines\tand\r\n");
    trace_note(&t, 2, 0, "%s %d\n%s", "b\tanswers", 42, "");
    trace_note(&t, 4, 0, "%s", "");
    trace_note(&t, 5, 0, "\n");
    const char *want[] = {"a asks b", "two lines and  ", "b answers 42 ", "", " "};
    assert_int_equal(t.n, 5);
    for (size_t i = 0; i < t.n; i++) {
        assert_string_equal(t.recs[i].text, want[i]);
        assert_int_equal(t.recs[i].step, i + 1);
    }
    trace_fini(&t);
}

/* What JSON Lines must hold for s: the escapes of RFC 8259 that
 * docs/trace-format.md names, one byte at a time. */
static void json_escaped(const char *s, Buf *out)
{
    buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c == '\n')
            buf_puts(out, "\\n");
        else if (c == '\t')
            buf_puts(out, "\\t");
        else if (c == '\r')
            buf_puts(out, "\\r");
        else if (c < 0x20)
            buf_printf(out, "\\u%04x", c);
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '"');
}

/* The writer looks at strings a word at a time: escapes at every place
 * within and across words, among plain ASCII and UTF-8 bytes. */
static void test_jsonl_escapes(void **state)
{
    (void)state;
    Trace t;
    trace_init(&t, NULL, false);
    static const char pool[] = "ab \"\\\n\t\r\x01\x1f\x7f\x80\xc3\xa9 !#~";
    uint32_t seed = 12345;
    Buf got, want;
    buf_init(&got);
    buf_init(&want);
    for (int k = 0; k < 20000; k++) {
        char s[48];
        size_t len = (size_t)(k % 40);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = pool[(seed >> 16) % (sizeof pool - 1)];
        }
        s[len] = '\0';
        TraceRec r = {.kind = TR_NOTE, .node = -1, .text = s};
        buf_clear(&got);
        trace_jsonl_record(&t, NULL, &r, &got);
        buf_clear(&want);
        buf_puts(&want, ",\"text\":");
        json_escaped(s, &want);
        const char *at = got.data ? strstr(got.data, ",\"text\":") : NULL;
        assert_non_null(at);
        if (strncmp(at, want.data, want.len) != 0)
            fail_msg("string %d: wrote %s, expected %s", k, at, want.data);
    }
    buf_fini(&got);
    buf_fini(&want);
    trace_fini(&t);
}

/* sort_by_key against a stable insertion sort, on keys of 32 and 64 bits
 * (negative times too), spread over one byte or all of them, with many
 * equal keys whose order must not change. */
typedef struct Keyed32 {
    char pad;
    uint32_t k;
    uint32_t order;
} Keyed32;

typedef struct Keyed64 {
    int64_t k;
    uint32_t order;
} Keyed64;

static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static void test_sort_by_key(void **state)
{
    (void)state;
    uint64_t seed = 7;
    enum { N = 3000 };
    Keyed32 *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    Keyed64 *c = malloc(N * sizeof *c), *d = malloc(N * sizeof *d);
    for (int round = 0; round < 40; round++) {
        size_t n = (size_t)(next_rand(&seed) % N);
        uint64_t range = round % 4 == 0 ? 50 : round % 4 == 1 ? 0x10000 : UINT64_MAX;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = next_rand(&seed) % range;
            a[i] = (Keyed32){'x', (uint32_t)r, (uint32_t)i};
            c[i] =
                (Keyed64){round % 2 ? (int64_t)r - (int64_t)(range / 2) : (int64_t)r, (uint32_t)i};
        }
        memcpy(b, a, n * sizeof *a);
        memcpy(d, c, n * sizeof *c);
        for (size_t i = 1; i < n; i++) { /* the plain stable sorts */
            for (size_t j = i; j > 0 && b[j - 1].k > b[j].k; j--) {
                Keyed32 t = b[j];
                b[j] = b[j - 1];
                b[j - 1] = t;
            }
            for (size_t j = i; j > 0 && d[j - 1].k > d[j].k; j--) {
                Keyed64 t = d[j];
                d[j] = d[j - 1];
                d[j - 1] = t;
            }
        }
        sort_by_key(a, n, sizeof *a, offsetof(Keyed32, k), sizeof(uint32_t));
        sort_by_key(c, n, sizeof *c, offsetof(Keyed64, k), sizeof(int64_t));
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(a[i].k, b[i].k);
            assert_int_equal(a[i].order, b[i].order);
            assert_int_equal(c[i].k, d[i].k);
            assert_int_equal(c[i].order, d[i].order);
        }
    }
    free(a);
    free(b);
    free(c);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),          cmocka_unit_test(test_integers),
        cmocka_unit_test(test_handed_on),        cmocka_unit_test(test_odd),
        cmocka_unit_test(test_null_string),      cmocka_unit_test(test_put_int),
        cmocka_unit_test(test_ip_format),        cmocka_unit_test(test_heap_prepare),
        cmocka_unit_test(test_caption_one_line), cmocka_unit_test(test_jsonl_escapes),
        cmocka_unit_test(test_sort_by_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
