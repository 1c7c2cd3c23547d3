#include "trace.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void trace_init(Trace *t, const struct World *w, bool keep)
{
    memset(t, 0, sizeof *t);
    t->world = w;
    t->keep = keep;
    t->wants = keep ? TRACE_ALL_KINDS : 0;
}

static void rec_free(TraceRec *r)
{
    free(r->bytes);
    free(r->text);
    free(r->table);
    free(r->op);
    free(r->key);
}

void trace_fini(Trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        rec_free(&t->recs[i]);
    free(t->recs);
    free(t->sinks);
    buf_fini(&t->caption);
    memset(t, 0, sizeof *t);
}

void trace_add_sink(Trace *t, TraceSink s)
{
    t->sinks = xgrow(t->sinks, &t->sinks_cap, t->nsinks + 1, sizeof *t->sinks);
    t->sinks[t->nsinks++] = s;
    t->wants |= s.kinds ? s.kinds : TRACE_ALL_KINDS;
}

bool trace_end(Trace *t)
{
    bool ok = true;
    for (size_t i = 0; i < t->nsinks; i++)
        if (t->sinks[i].end && !t->sinks[i].end(t->sinks[i].ctx, t))
            ok = false;
    return ok;
}

/* A record of kind at now, concerning nothing yet.  An initializer, not
 * memset: the compiler writes it with a few wide stores (records are made
 * by the million). */
static TraceRec blank(TraceKind kind, SimTime now)
{
    return (TraceRec){.kind = kind,
                      .time = now,
                      .node = -1,
                      .iface = -1,
                      .peer = -1,
                      .peer_iface = -1,
                      .link = -1,
                      .ttl = -1};
}

void trace_seal(Trace *t)
{
    t->sealed = true;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    if (!p || !n)
        return NULL;
    uint8_t *d = xmalloc(n);
    memcpy(d, p, n);
    return d;
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Hands r to the sinks (which copy what they keep), then stores it when
 * the trace keeps records.  r's strings and bytes are the caller's: only a
 * record that is kept gets copies of its own. */
static void emit(Trace *t, TraceRec *r)
{
    assert(t->n == 0 || !t->keep || r->time >= t->recs[t->n - 1].time);
    r->step = t->notes;
    for (size_t i = 0; i < t->nsinks; i++)
        if (!t->sinks[i].kinds || (t->sinks[i].kinds & TRACE_KIND_BIT(r->kind)))
            t->sinks[i].rec(t->sinks[i].ctx, t, r);
    if (!t->keep)
        return;
    t->recs = xgrow(t->recs, &t->cap, t->n + 1, sizeof *t->recs);
    TraceRec *k = &t->recs[t->n++];
    *k = *r;
    k->bytes = dup_bytes(r->bytes, r->len);
    k->text = dup_opt(r->text);
    k->table = dup_opt(r->table);
    k->op = dup_opt(r->op);
    k->key = dup_opt(r->key);
}

/* Nobody keeps or reads records of this kind (a benchmark, a run for its
 * side effects, --quiet reading only the console): skip building them.
 * Step and command numbers still count. */
static bool unheard(const Trace *t, TraceKind kind)
{
    return !trace_heard(t, kind);
}

void trace_hop_record(Trace *t, SimTime sent, SimTime arrive, uint64_t pkt, int node, int iface,
                      int peer, int peer_iface, int link, const uint8_t *frame, size_t len)
{
    if (unheard(t, TR_HOP))
        return;
    TraceRec r = blank(TR_HOP, sent);
    r.arrive = arrive;
    r.pkt = pkt;
    r.node = node;
    r.iface = iface;
    r.peer = peer;
    r.peer_iface = peer_iface;
    r.link = link;
    r.bytes = len ? (uint8_t *)frame : NULL;
    r.len = (uint32_t)len;
    emit(t, &r);
}

void trace_deliver(Trace *t, SimTime now, uint64_t pkt, int node)
{
    if (unheard(t, TR_DELIVER))
        return;
    TraceRec r = blank(TR_DELIVER, now);
    r.pkt = pkt;
    r.node = node;
    emit(t, &r);
}

void trace_drop(Trace *t, SimTime now, uint64_t pkt, int node, int link, const uint8_t *frame,
                size_t len, DropReason reason)
{
    if (unheard(t, TR_DROP))
        return;
    TraceRec r = blank(TR_DROP, now);
    r.pkt = pkt;
    r.node = node;
    r.link = link;
    r.bytes = len ? (uint8_t *)frame : NULL;
    r.len = (uint32_t)len;
    r.reason = reason;
    emit(t, &r);
}

void trace_state(Trace *t, SimTime now, int node, const char *table, const char *op,
                 const char *key, const char *value, int64_t ttl)
{
    if (unheard(t, TR_STATE))
        return;
    TraceRec r = blank(TR_STATE, now);
    r.node = node;
    r.table = (char *)table;
    r.op = (char *)op;
    r.key = (char *)key;
    r.text = (char *)value;
    r.ttl = ttl;
    emit(t, &r);
}

/* Captions are single lines (DESIGN.md rule 5): line breaks and tabs in
 * text become spaces. */
static const char not_in_caption[] = "\n\t\r";

static bool breaks_line(char c)
{
    return c == '\n' || c == '\t' || c == '\r';
}

/* Where in text (n bytes) the first character not_in_caption is, n if
 * none: eight bytes at a time, by the usual test for a byte below 0x0e
 * (every one of them is), then byte by byte in a word so flagged.
 * Captions are many and short, and most have none. */
static size_t first_line_break(const char *text, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, text + i, 8);
        if (((w - ones * 0x0e) & ~w & highs) == 0)
            continue;
        for (size_t k = 0; k < 8; k++)
            if (breaks_line(text[i + k]))
                return i + k;
    }
    for (; i < n; i++)
        if (breaks_line(text[i]))
            return i;
    return n;
}

uint32_t trace_note(Trace *t, SimTime now, uint64_t pkt, const char *fmt, ...)
{
    if (unheard(t, TR_NOTE))
        return ++t->notes;
    TraceRec r = blank(TR_NOTE, now);
    /* The trace's own room, which grows to the longest caption once,
     * unless a sink notes while a note is on its way. */
    Buf own, *b = &own;
    buf_init(&own);
    bool mine = !t->caption_busy;
    if (mine) {
        b = &t->caption;
        buf_clear(b);
        t->caption_busy = true;
    }
    va_list ap;
    va_start(ap, fmt);
    if (strcmp(fmt, "%s") == 0) {
        /* Most captions come ready made: used as they are. */
        r.text = va_arg(ap, char *);
        if (!r.text) /* as printf's %s */
            r.text = (char *)"(null)";
    } else {
        buf_vprintf(b, fmt, ap);
        r.text = b->data ? b->data : (char *)"";
    }
    va_end(ap);
    size_t len = r.text == b->data ? b->len : strlen(r.text);
    size_t i = first_line_break(r.text, len);
    if (i < len) {
        if (r.text != b->data) { /* ready made: changed in a copy */
            buf_puts(b, r.text);
            r.text = b->data;
        }
        for (; i < b->len; i += 1 + strcspn(b->data + i + 1, not_in_caption))
            b->data[i] = ' ';
    }
    r.pkt = pkt;
    t->notes++;
    emit(t, &r);
    if (mine)
        t->caption_busy = false;
    buf_fini(&own);
    return t->notes;
}

uint64_t trace_command(Trace *t, SimTime now, int node, int term, const char *line)
{
    if (unheard(t, TR_CONSOLE))
        return ++t->cmds;
    TraceRec r = blank(TR_CONSOLE, now);
    r.node = node;
    r.term = term;
    r.cmd = ++t->cmds;
    r.stream = CON_COMMAND;
    r.text = (char *)line;
    emit(t, &r);
    return r.cmd;
}

void trace_output(Trace *t, SimTime now, int node, int term, uint64_t cmd, ConsoleStream s,
                  const char *text)
{
    if (unheard(t, TR_CONSOLE))
        return;
    TraceRec r = blank(TR_CONSOLE, now);
    r.node = node;
    r.term = term;
    r.cmd = cmd;
    r.stream = s;
    r.text = (char *)text;
    emit(t, &r);
}

void trace_exit(Trace *t, SimTime now, int node, int term, uint64_t cmd, int status)
{
    if (unheard(t, TR_CONSOLE))
        return;
    TraceRec r = blank(TR_CONSOLE, now);
    r.node = node;
    r.term = term;
    r.cmd = cmd;
    r.stream = CON_EXIT;
    r.status = status;
    emit(t, &r);
}

const char *trace_kind_name(TraceKind k)
{
    static const char *const names[] = {"hop", "deliver", "drop", "state", "note", "console"};
    return (size_t)k < MN_ARRAY_LEN(names) ? names[k] : "?";
}

const char *trace_stream_name(ConsoleStream s)
{
    static const char *const names[] = {"command", "stdout", "stderr", "exit", "stdin"};
    return (size_t)s < MN_ARRAY_LEN(names) ? names[s] : "?";
}

const char *trace_drop_text(DropReason r)
{
    static const char *const texts[DROP_REASON_COUNT] = {
        [DROP_LOST_ON_LINK] = "lost on link",
        [DROP_LINK_DOWN] = "link down",
        [DROP_NODE_DOWN] = "node down",
        [DROP_RUNT_FRAME] = "runt frame",
        [DROP_NOT_OUR_MAC] = "frame not addressed to this interface",
        [DROP_NOT_IPV4] = "not an IPv4 frame",
        [DROP_IPV4_TRUNCATED] = "truncated IPv4 header",
        [DROP_IPV4_VERSION] = "not IPv4 (version field is not 4)",
        [DROP_IPV4_HEADER_LEN] = "bad IPv4 header length",
        [DROP_IPV4_TOTAL_LEN] = "bad IPv4 total length",
        [DROP_IPV4_CHECKSUM] = "bad IPv4 header checksum",
        [DROP_IPV4_FRAGMENT] = "IPv4 fragments are not supported",
        [DROP_NOT_OUR_IP] = "not addressed to this node, which does not forward",
        [DROP_NO_HANDLER] = "no protocol handler",
        [DROP_TTL_EXPIRED] = "TTL expired",
        [DROP_NO_ROUTE] = "no route",
        [DROP_ICMP_TRUNCATED] = "truncated ICMP message",
        [DROP_ICMP_CHECKSUM] = "bad ICMP checksum",
        [DROP_UDP_LENGTH] = "bad UDP length",
        [DROP_UDP_CHECKSUM] = "bad UDP checksum",
        [DROP_PORT_UNREACHABLE] = "port unreachable",
        [DROP_TCP_TRUNCATED] = "truncated TCP header",
        [DROP_TCP_HEADER_LEN] = "bad TCP header length",
        [DROP_TCP_CHECKSUM] = "bad TCP checksum",
        [DROP_TCP_OPTION_LEN] = "bad TCP option length",
        [DROP_TCP_NO_LISTENER] = "no TCP connection or listener on that port",
        [DROP_TCP_NO_SYN] = "TCP segment without SYN to a listening port",
        [DROP_TCP_LISTEN_FULL] = "TCP listen queue full",
        [DROP_ARP_NO_REPLY] = "no ARP reply (host unreachable)",
    };
    return (size_t)r < MN_ARRAY_LEN(texts) && texts[r] ? texts[r] : "?";
}
