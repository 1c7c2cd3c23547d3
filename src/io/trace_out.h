/* trace_out — the trace writers: text for people, JSON Lines and CSV for
 * programs (docs/trace-format.md documents every field).  Each is a
 * TraceSink writing to a FILE the caller owns. */
#ifndef MN_TRACE_OUT_H
#define MN_TRACE_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/trace.h"
#include "proto/dissect.h"

typedef enum TraceFormat {
    TRACE_TEXT,
    TRACE_JSONL,
    TRACE_CSV,
    TRACE_CONSOLE, /* only what commands printed, as on a terminal */
} TraceFormat;

/* The format a file name asks for (.txt, .jsonl, .csv); false if none. */
bool trace_format_for(const char *path, TraceFormat *out);

/* A sink writing fmt to f.  Free it with trace_writer_free after trace_end. */
TraceSink trace_writer_new(TraceFormat fmt, FILE *f);
void trace_writer_free(TraceSink s);

/* One record as text (no newline), as the text writer prints it.  dc sees
 * the hops' frames (proto/dissect.h: give one context every record of a
 * trace, in order; NULL decodes each frame alone). */
void trace_text_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out);
void trace_jsonl_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out);
void trace_csv_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out);
extern const char trace_csv_header[];

/* s (n bytes) into out with its control characters as cat -v shows them
 * (^[ for ESC, ^? for DEL, M-BM-^[ for the C1 control U+009B), so that
 * none acts on a terminal; keep_moves leaves tab, newline, backspace and
 * CR as they are (program output draws with them). */
void trace_put_visible(Buf *out, const char *s, size_t n, bool keep_moves);

#endif
