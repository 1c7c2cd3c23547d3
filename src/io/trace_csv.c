/* CSV (RFC 4180, CRLF line ends): one row per record, the same columns for
 * every kind; a column that does not apply is empty. */
#include <inttypes.h>
#include <string.h>

#include "io/trace_out.h"
#include "net/world.h"
#include "proto/dissect.h"

const char trace_csv_header[] =
    "time_us,kind,step,packet,node,iface,to,to_iface,link,arrive_us,length,protocol,summary,"
    "text,table,op,key,ttl,cmd,stream,status\r\n";

static void put_field(Buf *b, const char *s)
{
    buf_putc(b, ',');
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

void trace_csv_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out)
{
    const World *w = t->world;
    char link[300] = "", num[32];
    buf_printf(out, "%" PRId64 ",%s,%u,", r->time, trace_kind_name(r->kind), r->step);
    if (r->pkt)
        buf_printf(out, "%" PRIu64, r->pkt);
    put_field(out, r->node >= 0 ? w->nodes[r->node].id : NULL);
    if (r->kind == TR_HOP) {
        Buf s;
        buf_init(&s);
        dissect_summary(dc, r->bytes, r->len, &s);
        world_link_name(w, r->link, link, sizeof link);
        put_field(out, w->nodes[r->node].ifaces[r->iface].name);
        put_field(out, w->nodes[r->peer].id);
        put_field(out, w->nodes[r->peer].ifaces[r->peer_iface].name);
        put_field(out, link);
        buf_printf(out, ",%" PRId64 ",%u", r->arrive, r->len);
        put_field(out, dissect_protocol(dc, r->bytes, r->len));
        put_field(out, s.data ? s.data : "");
        buf_fini(&s);
    } else {
        if (r->kind == TR_DROP && r->link >= 0)
            world_link_name(w, r->link, link, sizeof link);
        buf_puts(out, ",,,");
        put_field(out, link[0] ? link : NULL);
        buf_puts(out, ",,,,");
    }
    if (r->kind == TR_DROP)
        put_field(out, trace_drop_text(r->reason));
    else
        put_field(out, r->kind == TR_CONSOLE && r->stream == CON_EXIT ? NULL : r->text);
    put_field(out, r->table);
    put_field(out, r->op);
    put_field(out, r->key);
    if (r->kind == TR_STATE && r->ttl >= 0) {
        snprintf(num, sizeof num, "%" PRId64, r->ttl);
        put_field(out, num);
    } else {
        put_field(out, NULL);
    }
    if (r->kind == TR_CONSOLE) {
        snprintf(num, sizeof num, "%" PRIu64, r->cmd);
        put_field(out, num);
        put_field(out, trace_stream_name(r->stream));
        snprintf(num, sizeof num, "%d", r->status);
        put_field(out, r->stream == CON_EXIT ? num : NULL);
    } else {
        buf_puts(out, ",,,");
    }
}
