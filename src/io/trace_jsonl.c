/* JSON Lines: one object per record, fields as docs/trace-format.md lists. */

#include "io/trace_out.h"
#include "net/world.h"
#include "proto/dissect.h"

static void put_str(Buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_put(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            buf_puts(b, u);
        }
        }
    }
    buf_put(b, run, (size_t)(s - run));
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
