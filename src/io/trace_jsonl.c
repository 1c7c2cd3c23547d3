/* JSON Lines: one object per record, fields as docs/trace-format.md lists. */

#include "io/trace_out.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "net/world.h"
#include "proto/dissect.h"

/* Whether any of the 8 bytes in w must be escaped in a JSON string: a
 * control character (below 0x20), '"' or '\\'.  The usual word-at-a-time
 * tests for a byte below n and for a zero byte; they may flag a word that
 * has none only when it has one. */
static bool word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t below = (w - ones * 0x20) & ~w;
    uint64_t zero_q = (q - ones) & ~q, zero_bs = (bs - ones) & ~bs;
    return ((below | zero_q | zero_bs) & highs) != 0;
}

static void put_str(Buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    buf_reserve(b, n + 2);
    buf_putc(b, '"');
    size_t run = 0; /* s[run..i) is plain text not yet copied */
    for (size_t i = 0; i < n;) {
        uint64_t w;
        if (n - i >= 8 && (memcpy(&w, s + i, 8), !word_needs_escape(w))) {
            i += 8;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        buf_put(b, s + run, i - run);
        run = ++i;
        switch (c) {
        case '"':
            buf_put(b, "\\\"", 2);
            break;
        case '\\':
            buf_put(b, "\\\\", 2);
            break;
        case '\n':
            buf_put(b, "\\n", 2);
            break;
        case '\t':
            buf_put(b, "\\t", 2);
            break;
        case '\r':
            buf_put(b, "\\r", 2);
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_put(b, u, sizeof u);
        }
        }
    }
    buf_put(b, s + run, n - run);
    buf_putc(b, '"');
}

/* ,"key": then the value; keys are string literals of plain words. */
#define put_key(b, key)          buf_put(b, ",\"" key "\":", sizeof(",\"" key "\":") - 1)
#define put_key_str(b, key, val) (put_key(b, key), put_str(b, val))
#define put_key_int(b, key, val) (put_key(b, key), buf_put_int(b, val))

static void put_hex(Buf *b, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, 2 * n + 2);
    char *d = b->data + b->len;
    *d++ = '"';
    for (size_t i = 0; i < n; i++) {
        *d++ = hex[p[i] >> 4];
        *d++ = hex[p[i] & 15];
    }
    *d++ = '"';
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
}

void trace_jsonl_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out)
{
    const World *w = t->world;
    char link[300];
    buf_put(out, "{\"t\":", 5);
    buf_put_int(out, r->time);
    put_key_str(out, "kind", trace_kind_name(r->kind));
    put_key_int(out, "step", r->step);
    if (r->pkt)
        put_key_int(out, "pkt", (int64_t)r->pkt);
    if (r->node >= 0)
        put_key_str(out, "node", w->nodes[r->node].id);
    switch (r->kind) {
    case TR_HOP: {
        Buf s;
        buf_init(&s);
        dissect_summary(dc, r->bytes, r->len, &s);
        put_key_str(out, "iface", w->nodes[r->node].ifaces[r->iface].name);
        put_key_str(out, "to", w->nodes[r->peer].id);
        put_key_str(out, "to_iface", w->nodes[r->peer].ifaces[r->peer_iface].name);
        world_link_name(w, r->link, link, sizeof link);
        put_key_str(out, "link", link);
        put_key_int(out, "arrive", r->arrive);
        put_key_int(out, "len", r->len);
        put_key_str(out, "proto", dissect_protocol(dc, r->bytes, r->len));
        put_key_str(out, "summary", s.data ? s.data : "");
        buf_puts(out, ",\"bytes\":");
        put_hex(out, r->bytes, r->len);
        buf_fini(&s);
        break;
    }
    case TR_DELIVER:
        break;
    case TR_DROP:
        if (r->link >= 0) {
            world_link_name(w, r->link, link, sizeof link);
            put_key_str(out, "link", link);
        }
        put_key_str(out, "reason", trace_drop_text(r->reason));
        break;
    case TR_STATE:
        put_key_str(out, "table", r->table);
        put_key_str(out, "op", r->op);
        if (r->key)
            put_key_str(out, "key", r->key);
        if (r->text)
            put_key_str(out, "value", r->text);
        if (r->ttl >= 0)
            put_key_int(out, "ttl", r->ttl);
        break;
    case TR_NOTE:
        put_key_str(out, "text", r->text);
        break;
    case TR_CONSOLE:
        put_key_int(out, "cmd", (int64_t)r->cmd);
        if (r->term > 1)
            put_key_int(out, "terminal", r->term);
        put_key_str(out, "stream", trace_stream_name(r->stream));
        if (r->stream == CON_EXIT)
            put_key_int(out, "status", r->status);
        else
            put_key_str(out, "text", r->text);
        break;
    }
    buf_putc(out, '}');
}
