#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void oom(size_t n)
{
    fprintf(stderr, "minet: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *xaligned(size_t align, size_t n)
{
    void *p = aligned_alloc(align, n ? n : align);
    if (!p)
        oom(n);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    Buf b;
    va_list ap;
    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

void *xgrow_more(void *p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    *cap = c;
    return xrealloc(p, c * size);
}

size_t hash_slots(size_t n, size_t min)
{
    size_t size = min;
    while (size < 2 * n)
        size *= 2;
    return size;
}

/* The key of element e as an unsigned number in the keys' order. */
static uint64_t sort_key(const unsigned char *e, size_t key_size)
{
    if (key_size == sizeof(uint32_t)) {
        uint32_t k;
        memcpy(&k, e, sizeof k);
        return k;
    }
    int64_t k;
    memcpy(&k, e, sizeof k);
    return (uint64_t)k ^ UINT64_C(0x8000000000000000); /* INT64_MIN first */
}

__attribute__((always_inline)) static inline void
radix_sort(unsigned char *a, size_t n, size_t size, size_t key, size_t key_size)
{
    uint64_t lo = sort_key(a + key, key_size), hi = lo;
    for (size_t i = 1; i < n; i++) {
        uint64_t k = sort_key(a + i * size + key, key_size);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    uint64_t span = hi - lo; /* each element's byte is taken from its key - lo */
    if (span == 0)
        return;
    unsigned char *from = a, *to = xmalloc(n * size);
    for (unsigned shift = 0; shift < 64 && (span >> shift) != 0; shift += 8) {
        size_t at[257] = {0}; /* where each byte value's elements go */
        for (size_t i = 0; i < n; i++)
            at[((sort_key(from + i * size + key, key_size) - lo) >> shift & 0xff) + 1]++;
        for (size_t d = 1; d < 257; d++)
            at[d] += at[d - 1];
        for (size_t i = 0; i < n; i++) {
            const unsigned char *e = from + i * size;
            memcpy(to + at[(sort_key(e + key, key_size) - lo) >> shift & 0xff]++ * size, e, size);
        }
        unsigned char *t = from;
        from = to;
        to = t;
    }
    if (from != a) {
        memcpy(a, from, n * size);
        free(from);
    } else {
        free(to);
    }
}

void sort_by_key(void *base, size_t n, size_t size, size_t key, size_t key_size)
{
    if (n < 2)
        return;
    /* Code of their own, where the sizes are constant: 32-bit keys (the
     * addresses), and 64-bit keys in 16 bytes (a script's times and lines). */
    if (key_size == sizeof(uint32_t))
        radix_sort(base, n, size, key, sizeof(uint32_t));
    else if (size == 16)
        radix_sort(base, n, 16, key, sizeof(int64_t));
    else
        radix_sort(base, n, size, key, key_size);
}

uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* ---- Buf ---------------------------------------------------------------- */

void buf_init(Buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_fini(Buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_clear(Buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_grow(Buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t c = b->cap ? b->cap : 64;
    while (c < need)
        c *= 2;
    b->data = xrealloc(b->data, c);
    b->cap = c;
}

void buf_put(Buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(Buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void buf_put_int(Buf *b, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* ---- buf_vprintf --------------------------------------------------------
 * glibc's vsnprintf costs about a thousand instructions a call, most of it
 * setting up a FILE, and the trace writers make millions of calls.  So the
 * conversions minet's text uses are written here: %s (with '-', a width and
 * a precision, '*' for either), %c, %%, and %d %i %u %x %X with '-' or '0'
 * and a width, under every length modifier.  At any other conversion the
 * rest of the format goes to vsnprintf, so the text is byte for byte what
 * vsnprintf writes, but for a width above 99,999 given by '*',
 * which is capped there (no text of minet's is that wide). */

typedef struct Spec {
    bool left, zero; /* the '-' and '0' flags */
    bool plain;      /* no other flag, and no width or precision too big to be real */
    bool width_star, prec_star;
    int width, prec; /* prec -1: none */
    char length;     /* 0, or 'H' (hh), 'h', 'l', 'q' (ll), 'L', 'z', 'j', 't' */
    char conv;
} Spec;

/* Reads the spec after a '%' at f; returns the character after it. */
static const char *parse_spec(const char *f, Spec *sp)
{
    *sp = (Spec){.plain = true, .prec = -1};
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+' || *f == ' ' || *f == '#' || *f == '\'')
            sp->plain = false;
        else
            break;
    }
    if (*f == '*') {
        sp->width_star = true;
        f++;
    }
    for (; *f >= '0' && *f <= '9'; f++)
        if ((sp->width = sp->width * 10 + (*f - '0')) > 99999)
            sp->plain = false;
    if (*f == '.') {
        sp->prec = 0;
        if (*++f == '*') {
            sp->prec_star = true;
            f++;
        }
        for (; *f >= '0' && *f <= '9'; f++)
            if ((sp->prec = sp->prec * 10 + (*f - '0')) > 99999)
                sp->plain = false;
    }
    if ((f[0] == 'h' || f[0] == 'l') && f[1] == f[0]) {
        sp->length = f[0] == 'h' ? 'H' : 'q';
        f += 2;
    } else if (*f == 'h' || *f == 'l' || *f == 'L' || *f == 'q' || *f == 'j' || *f == 'z' ||
               *f == 't') {
        sp->length = *f++;
    }
    sp->conv = *f;
    return *f ? f + 1 : f;
}

/* Whether buf_vprintf writes the conversion itself. */
static bool spec_is_ours(const Spec *sp)
{
    if (!sp->plain)
        return false;
    switch (sp->conv) {
    case 's':
        return !sp->zero && !sp->length;
    case 'c':
        return !sp->zero && !sp->length && !sp->width_star && !sp->width && sp->prec < 0;
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
        return sp->prec < 0 && sp->length != 'L';
    default:
        return false;
    }
}

static intmax_t read_signed(char length, va_list *args)
{
    switch (length) {
    case 'H':
        return (signed char)va_arg(*args, int);
    case 'h':
        return (short)va_arg(*args, int);
    case 'l':
        return va_arg(*args, long);
    case 'q':
        return va_arg(*args, long long);
    case 'z':
        return (intmax_t)va_arg(*args, size_t);
    case 'j':
        return va_arg(*args, intmax_t);
    case 't':
        return va_arg(*args, ptrdiff_t);
    default:
        return va_arg(*args, int);
    }
}

static uintmax_t read_unsigned(char length, va_list *args)
{
    switch (length) {
    case 'H':
        return (unsigned char)va_arg(*args, unsigned);
    case 'h':
        return (unsigned short)va_arg(*args, unsigned);
    case 'l':
        return va_arg(*args, unsigned long);
    case 'q':
        return va_arg(*args, unsigned long long);
    case 'z':
        return va_arg(*args, size_t);
    case 'j':
        return va_arg(*args, uintmax_t);
    case 't':
        return (uintmax_t)va_arg(*args, ptrdiff_t);
    default:
        return va_arg(*args, unsigned);
    }
}

/* Appends n bytes from p in a field of sp's width, padded on the left with
 * pad (after the n_sign bytes of sign at the start of p, when pad is '0'),
 * or with spaces on the right. */
static void put_field(Buf *b, const Spec *sp, const char *p, size_t n, char pad, size_t n_sign)
{
    size_t fill = (size_t)sp->width > n ? (size_t)sp->width - n : 0;
    buf_reserve(b, n + fill);
    char *d = b->data + b->len;
    if (!sp->left && pad == '0') {
        memcpy(d, p, n_sign);
        d += n_sign;
        p += n_sign;
        n -= n_sign;
    }
    if (!sp->left)
        for (; fill; fill--)
            *d++ = pad;
    memcpy(d, p, n);
    d += n;
    for (; fill; fill--)
        *d++ = ' ';
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
}

static void put_integer(Buf *b, const Spec *sp, va_list *args)
{
    bool neg = false;
    uintmax_t u;
    if (sp->conv == 'd' || sp->conv == 'i') {
        intmax_t v = read_signed(sp->length, args);
        neg = v < 0;
        u = neg ? -(uintmax_t)v : (uintmax_t)v;
    } else {
        u = read_unsigned(sp->length, args);
    }
    char tmp[3 * sizeof u + 2];
    char *p = tmp + sizeof tmp;
    if (sp->conv == 'x' || sp->conv == 'X') {
        const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do {
            *--p = digits[u % 16];
            u /= 16;
        } while (u);
    } else {
        /* A constant base: the compiler divides by multiplying. */
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
    }
    if (neg)
        *--p = '-';
    put_field(b, sp, p, (size_t)(tmp + sizeof tmp - p), sp->zero ? '0' : ' ', neg);
}

/* Appends what vsnprintf writes for the format from fmt on. */
static void put_rest(Buf *b, const char *fmt, va_list *args)
{
    va_list again;
    va_copy(again, *args);
    buf_reserve(b, 64);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, *args);
    if (n >= 0 && (size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
    }
    va_end(again);
    if (n > 0)
        b->len += (size_t)n;
    b->data[b->len] = '\0';
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    buf_reserve(b, 0);
    const char *f = fmt;
    while (*f) {
        const char *lit = f, *pct = strchr(f, '%');
        f = pct ? pct : f + strlen(f);
        if (f > lit)
            buf_put(b, lit, (size_t)(f - lit));
        if (!*f)
            break;
        if (f[1] == '%') {
            buf_putc(b, '%');
            f += 2;
            continue;
        }
        Spec sp;
        const char *next = parse_spec(f + 1, &sp);
        if (!spec_is_ours(&sp)) {
            put_rest(b, f, &args);
            break;
        }
        f = next;
        if (sp.width_star) {
            sp.width = va_arg(args, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = sp.width < -99999 ? 99999 : -sp.width;
            }
            sp.width = sp.width > 99999 ? 99999 : sp.width;
        }
        if (sp.prec_star && (sp.prec = va_arg(args, int)) < 0)
            sp.prec = -1;
        if (sp.left)
            sp.zero = false;
        if (sp.conv == 's') {
            const char *s = va_arg(args, const char *);
            if (!s) /* as glibc: "(null)", or nothing when the precision cuts it */
                s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
            size_t n = sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s);
            put_field(b, &sp, s, n, ' ', 0);
        } else if (sp.conv == 'c') {
            buf_putc(b, (char)va_arg(args, int));
        } else {
            put_integer(b, &sp, &args);
        }
    }
    va_end(args);
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_take(Buf *b)
{
    char *s = b->data ? b->data : xstrdup("");
    buf_init(b);
    return s;
}

/* ---- Errors ------------------------------------------------------------- */

void errors_init(Errors *e)
{
    e->msg = NULL;
    e->n = e->cap = 0;
}

void errors_fini(Errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->msg[i]);
    free(e->msg);
    errors_init(e);
}

void errors_add(Errors *e, const char *fmt, ...)
{
    Buf b;
    va_list ap;
    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    e->msg = xgrow(e->msg, &e->cap, e->n + 1, sizeof *e->msg);
    e->msg[e->n++] = buf_take(&b);
}

void errors_print(const Errors *e, FILE *f)
{
    for (size_t i = 0; i < e->n; i++)
        fprintf(f, "%s\n", e->msg[i]);
}

/* ---- did you mean ------------------------------------------------------- */

int file_read(const char *path, size_t max, Buf *out, bool *opened)
{
    struct stat st;
    *opened = false;
    if (stat(path, &st) != 0)
        return errno ? errno : EIO;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (!S_ISREG(st.st_mode))
        return FILE_NOT_REGULAR;
    FILE *f = fopen(path, "rb");
    *opened = f != NULL;
    if (!f)
        return errno ? errno : EIO;
    char chunk[65536];
    size_t n;
    while (out->len <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(out, chunk, n);
    int failed = ferror(f), e = errno;
    fclose(f);
    return failed ? (e ? e : EIO) : 0;
}

const char *file_strerror(int err)
{
    if (err == FILE_NOT_REGULAR)
        return "not a regular file (a pipe, a device or a socket; expected a file)";
    return strerror(err);
}

size_t utf8_prefix(const char *s, size_t len, size_t n)
{
    if (n >= len)
        return len;
    while (n > 0 && utf8_cont(s[n]))
        n--;
    return n;
}

void utf8_put(Buf *out, uint32_t u)
{
    if (u < 0x80) {
        buf_putc(out, (char)u);
    } else if (u < 0x800) {
        buf_putc(out, (char)(0xC0 | u >> 6));
        buf_putc(out, (char)(0x80 | (u & 0x3F)));
    } else if (u < 0x10000) {
        buf_putc(out, (char)(0xE0 | u >> 12));
        buf_putc(out, (char)(0x80 | (u >> 6 & 0x3F)));
        buf_putc(out, (char)(0x80 | (u & 0x3F)));
    } else {
        buf_putc(out, (char)(0xF0 | (u >> 18 & 0x07)));
        buf_putc(out, (char)(0x80 | (u >> 12 & 0x3F)));
        buf_putc(out, (char)(0x80 | (u >> 6 & 0x3F)));
        buf_putc(out, (char)(0x80 | (u & 0x3F)));
    }
}

size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *closest_word(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    size_t limit = len < 4 ? 1 : len / 3 + 1;
    return best_d <= limit ? best : NULL;
}
