/* util — allocation that never fails, growable byte buffers, and error lists.
 *
 * Out of memory is not an error minet recovers from: xmalloc and friends
 * abort with a message.  Everything else that can go wrong with input is
 * collected in an Errors list and reported by the caller. */
#ifndef MN_UTIL_H
#define MN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define MN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MN_PRINTF(f, a)
#endif

#define MN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* n bytes aligned to align (a power of two that divides n); free frees them. */
void *xaligned(size_t align, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) MN_PRINTF(1, 2);

/* Grows *cap (at least doubling) so that need elements of size fit.
 * Inline for the usual case, where they fit already: arrays grow by one
 * element at a time in many loops. */
void *xgrow_more(void *p, size_t *cap, size_t need, size_t size);
static inline void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
    return need <= *cap ? p : xgrow_more(p, cap, need, size);
}

/* Slots for an open-addressing hash table of n entries: the smallest power
 * of two, at least min (a power of two), that keeps it at most half full. */
size_t hash_slots(size_t n, size_t min);

/* Deleting from such a table without tombstones (Knuth's algorithm R): the
 * hole left at slot hole moves on to each entry after it, up to an empty
 * slot, that may fill it, i.e. whose probe starts (at home) not in
 * (hole, j], going round a table of mask + 1 slots. */
static inline bool hash_may_fill(size_t home, size_t hole, size_t j, size_t mask)
{
    return ((j - home) & mask) >= ((j - hole) & mask);
}

/* Sorts n elements of size bytes by the integer at offset key in each
 * (key_size 4: a uint32_t; 8: an int64_t), keeping equal keys in the order
 * they had: a radix sort, a byte at a time, over only the bytes in which
 * the keys differ (addresses take four passes, a script's times three). */
void sort_by_key(void *base, size_t n, size_t size, size_t key, size_t key_size);

/* FNV-1a of a string: a hash for tables keyed by text. */
uint32_t str_hash(const char *s);

/* A growable byte buffer.  data is always NUL-terminated (not counted in
 * len), so a buffer of text can be used as a C string. */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_init(Buf *b);
void buf_fini(Buf *b);
void buf_clear(Buf *b);
void buf_grow(Buf *b, size_t extra);
void buf_put(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);

/* Makes room for extra more bytes and the terminating NUL. */
static inline void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra >= b->cap)
        buf_grow(b, extra);
}

static inline void buf_putc(Buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

/* Appends v in decimal. */
void buf_put_int(Buf *b, int64_t v);
void buf_printf(Buf *b, const char *fmt, ...) MN_PRINTF(2, 3);
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* Takes the text out of b (caller frees it); b is left empty. */
char *buf_take(Buf *b);

/* A list of human-readable problems, each one complete line without the
 * trailing newline.  Loaders append every problem they find, so a user
 * sees them all in one run. */
typedef struct Errors {
    char **msg;
    size_t n, cap;
} Errors;

void errors_init(Errors *e);
void errors_fini(Errors *e);
void errors_add(Errors *e, const char *fmt, ...) MN_PRINTF(2, 3);
/* Writes every problem to f, one per line. */
void errors_print(const Errors *e, FILE *f);

/* Big-endian stores and loads for wire formats. */
static inline void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A byte in ASCII lower case (names compare so, and sort so); other bytes,
 * UTF-8 included, as they are. */
static inline uint8_t ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Reads the file at path into out (appended), stopping once out holds more
 * than max bytes (enough to tell that a file is over a limit).  Returns 0,
 * or the errno of the failure, or FILE_NOT_REGULAR for anything but a
 * regular file (a FIFO would block the open, a device never ends): that is
 * found with stat, before the file is opened.  *opened says whether the
 * file could be opened at all (a failure after that is a read error). */
int file_read(const char *path, size_t max, Buf *out, bool *opened);
#define FILE_NOT_REGULAR (-1)
/* strerror, and "not a regular file (…)" for FILE_NOT_REGULAR. */
const char *file_strerror(int err);

/* UTF-8, as far as cutting text goes: is c a continuation byte, and the
 * longest prefix of s (len bytes) of at most n bytes that does not end
 * inside a character. */
static inline bool utf8_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}
size_t utf8_prefix(const char *s, size_t len, size_t n);
/* Appends code point u to out as UTF-8 (bash's \u and \U escapes). */
void utf8_put(Buf *out, uint32_t u);

/* Levenshtein distance, for "did you mean". */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to word (NULL if none is close enough). */
const char *closest_word(const char *word, const char *const *cands, size_t n);

#endif
