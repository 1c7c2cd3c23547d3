#include "trace_out.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "net/world.h"

typedef struct Writer {
    TraceFormat fmt;
    FILE *f;
    Buf buf;
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

/* The console transcript: "NODE$ COMMAND", then exactly what it printed. */
static void console_record(const Trace *t, const TraceRec *r, Buf *out)
{
    if (r->kind != TR_CONSOLE)
        return;
    if (r->stream == CON_COMMAND) {
        if (r->term > 1)
            buf_printf(out, "%s[%d]$ %s\n", t->world->nodes[r->node].id, r->term, r->text);
        else
            buf_printf(out, "%s$ %s\n", t->world->nodes[r->node].id, r->text);
    } else if (r->stream == CON_STDOUT || r->stream == CON_STDERR || r->stream == CON_STDIN)
        buf_puts(out, r->text);
}

static void writer_rec(void *ctx, const Trace *t, const TraceRec *r)
{
    Writer *w = ctx;
    Buf *b = &w->buf;
    buf_clear(b);
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
    case TRACE_CONSOLE:
        console_record(t, r, b);
        break;
    }
    if (b->len)
        fwrite(b->data, 1, b->len, w->f);
}

static bool writer_end(void *ctx, const Trace *t)
{
    (void)t;
    Writer *w = ctx;
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
    buf_init(&w->buf);
    w->dc = dissect_ctx_new();
    /* The console transcript reads only console records: no other is built. */
    return (TraceSink){writer_rec, writer_end, w,
                       fmt == TRACE_CONSOLE ? TRACE_KIND_BIT(TR_CONSOLE) : 0};
}

void trace_writer_free(TraceSink s)
{
    Writer *w = s.ctx;
    if (!w)
        return;
    buf_fini(&w->buf);
    dissect_ctx_free(w->dc);
    free(w);
}
