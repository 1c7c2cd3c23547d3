#include "trace_out.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "net/world.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Records are written to f a block at a time (WRITER_BLOCK bytes or more),
 * not one fwrite each (a run writes millions into a trace), unless f is a
 * terminal, which shows each as it comes.  The bytes and their order are
 * the same; trace_end writes the last block (a run killed by a signal loses
 * it, as it loses what stdio holds). */
#define WRITER_BLOCK 65536

typedef struct Writer {
    TraceFormat fmt;
    FILE *f;
    bool batch;  /* f is no terminal: buf keeps records until a block is full */
    Buf buf;     /* the records not yet written */
    Buf visible; /* buf with control characters made visible (trace_put_visible) */
    bool header_done;
    DissectCtx *dc; /* the run's TCP conversations */
} Writer;

bool trace_format_for(const char *path, TraceFormat *out)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return false;
    if (strcmp(dot, ".txt") == 0)
        *out = TRACE_TEXT;
    else if (strcmp(dot, ".jsonl") == 0)
        *out = TRACE_JSONL;
    else if (strcmp(dot, ".csv") == 0)
        *out = TRACE_CSV;
    else
        return false;
    return true;
}

/* The console transcript: "NODE$ COMMAND", then exactly what it printed;
 * false for a record that prints nothing (an exit). */
static bool console_record(const Trace *t, const TraceRec *r, Buf *out)
{
    if (r->stream == CON_COMMAND) {
        const char *id = t->world->nodes[r->node].id;
        if (r->term > 1) {
            buf_printf(out, "%s[%d]$ %s\n", id, r->term, r->text);
            return true;
        }
        /* The usual prompt, in one piece: a line per command. */
        size_t n_id = strlen(id), n_text = strlen(r->text);
        buf_reserve(out, n_id + 2 + n_text + 1);
        char *o = out->data + out->len;
        memcpy(o, id, n_id);
        memcpy(o + n_id, "$ ", 2);
        memcpy(o + n_id + 2, r->text, n_text);
        o[n_id + 2 + n_text] = '\n';
        out->len += n_id + 2 + n_text + 1;
        out->data[out->len] = '\0';
        return true;
    }
    if (r->stream == CON_STDOUT || r->stream == CON_STDERR || r->stream == CON_STDIN) {
        buf_puts(out, r->text);
        return true;
    }
    return false;
}

/* Text for people goes to terminals: a control character from a scenario
 * (an ESC sequence in a script line, a BEL in a file a program prints)
 * must not act on the terminal.  They are shown as cat -v shows them: ^[
 * for ESC, ^? for DEL, M-BM-^[ for the C1 control U+009B.  Tab, newline,
 * backspace and CR stay as they are: they only move the cursor on its line,
 * and programs draw with them (curl's progress meter returns to the start
 * of its line).  Other text, UTF-8 included, is untouched. */
void trace_put_visible(Buf *out, const char *s, size_t n, bool keep_moves)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool c1 = c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                  (unsigned char)s[i + 1] <= 0x9f;
        if (c1) {
            buf_printf(out, "M-BM-^%c", (unsigned char)s[++i] - 0x80 + 64);
        } else if (c == 0x7f) {
            buf_puts(out, "^?");
        } else if (c < 0x20 &&
                   !(keep_moves && (c == '\n' || c == '\t' || c == '\r' || c == '\b'))) {
            buf_putc(out, '^');
            buf_putc(out, (char)(c + 64));
        } else {
            buf_putc(out, (char)c);
        }
    }
}

/* Eight bytes at once while none is a control character, DEL or past
 * ASCII (what could start a C1 control): most text is only that, but for
 * the newline that ends it. */
static bool plain8(const char *s)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t v;
    memcpy(&v, s, 8);
    uint64_t del = v ^ (0x7f * ones);
    return (((v - 0x20 * ones) | (del - ones) | v) & highs) == 0;
}

#ifdef __SSE2__
/* plain8 for sixteen bytes: below 0x20 as a signed byte is a control
 * character or past ASCII. */
static bool plain16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                               _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
    return _mm_movemask_epi8(bad) == 0;
}
#endif

/* Whether s (n bytes) has a character trace_put_visible would change.  A
 * line's last newline is left out of the words checked, and the bytes
 * after the last whole word are checked as a word that ends with them
 * (it overlaps the one before): most text, a line or a few lines of a
 * command's output, needs no byte-by-byte look.  Sixteen bytes a word
 * where the machine has them, then eight. */
static bool has_control(const char *s, size_t n)
{
    size_t m = n && s[n - 1] == '\n' ? n - 1 : n, i = 0;
#ifdef __SSE2__
    while (i + 16 <= m && plain16(s + i))
        i += 16;
    if (m >= 16 && i + 16 > m && plain16(s + m - 16))
        return false;
#endif
    while (i + 8 <= m && plain8(s + i))
        i += 8;
    if (m >= 8 && i + 8 > m && plain8(s + m - 8))
        return false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != '\b') || c == 0x7f ||
            (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f &&
             (unsigned char)s[i + 1] >= 0x80))
            return true;
    }
    return false;
}

static void writer_flush(Writer *w)
{
    if (w->buf.len)
        fwrite(w->buf.data, 1, w->buf.len, w->f);
    buf_clear(&w->buf);
}

/* The record written from start on in w->buf is complete: made visible
 * for a terminal when it must be, and the block written when full. */
static void writer_done(Writer *w, size_t start)
{
    Buf *b = &w->buf;
    if ((w->fmt == TRACE_TEXT || w->fmt == TRACE_CONSOLE) &&
        has_control(b->data + start, b->len - start)) {
        buf_clear(&w->visible);
        trace_put_visible(&w->visible, b->data + start, b->len - start, true);
        b->len = start;
        buf_put(b, w->visible.data, w->visible.len);
    }
    if (!w->batch || b->len >= WRITER_BLOCK)
        writer_flush(w);
}

static void writer_rec(void *ctx, const Trace *t, const TraceRec *r)
{
    Writer *w = ctx;
    Buf *b = &w->buf;
    size_t start = b->len; /* this record's first byte */
    switch (w->fmt) {
    case TRACE_TEXT:
        trace_text_record(t, w->dc, r, b);
        buf_putc(b, '\n');
        break;
    case TRACE_JSONL:
        trace_jsonl_record(t, w->dc, r, b);
        buf_putc(b, '\n');
        break;
    case TRACE_CSV:
        if (!w->header_done) {
            fputs(trace_csv_header, w->f);
            w->header_done = true;
        }
        trace_csv_record(t, w->dc, r, b);
        buf_puts(b, "\r\n");
        break;
    case TRACE_CONSOLE: /* console_rec's */
        break;
    }
    writer_done(w, start);
}

/* The console transcript's sink, which reads console records alone: the
 * only one of a --quiet run, called for every line a command prints. */
static void console_rec(void *ctx, const Trace *t, const TraceRec *r)
{
    Writer *w = ctx;
    size_t start = w->buf.len;
    if (console_record(t, r, &w->buf))
        writer_done(w, start);
}

static bool writer_end(void *ctx, const Trace *t)
{
    (void)t;
    Writer *w = ctx;
    writer_flush(w);
    if (w->fmt == TRACE_CSV && !w->header_done) {
        fputs(trace_csv_header, w->f);
        w->header_done = true;
    }
    return fflush(w->f) == 0 && !ferror(w->f);
}

TraceSink trace_writer_new(TraceFormat fmt, FILE *f)
{
    Writer *w = xcalloc(1, sizeof *w);
    w->fmt = fmt;
    w->f = f;
    w->batch = !isatty(fileno(f));
    buf_init(&w->buf);
    buf_init(&w->visible);
    w->dc = dissect_ctx_new();
    /* The console transcript reads only console records: no other is built. */
    if (fmt == TRACE_CONSOLE)
        return (TraceSink){console_rec, writer_end, w, TRACE_KIND_BIT(TR_CONSOLE)};
    return (TraceSink){writer_rec, writer_end, w, 0};
}

void trace_writer_free(TraceSink s)
{
    Writer *w = s.ctx;
    if (!w)
        return;
    buf_fini(&w->buf);
    buf_fini(&w->visible);
    dissect_ctx_free(w->dc);
    free(w);
}
