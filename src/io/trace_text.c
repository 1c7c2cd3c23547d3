/* The text trace: one line per record, for people.
 *
 *      0.001000  hop      #1 laptop:eth0 -> r1:eth0 (98 B, arrives 0.001001) 10.0.0.10 -> …
 *      0.000000  note     [1] laptop sends an ICMP echo request …
 *      0.000000  console  laptop$ ping -c 3 server
 *      0.020400  console  laptop| 64 bytes from server (10.0.2.10): icmp_seq=1 ttl=62 time=20.4 ms
 */
#include <inttypes.h>
#include <string.h>

#include "io/trace_out.h"
#include "net/world.h"
#include "proto/dissect.h"

static void put_time(Buf *b, SimTime t)
{
    buf_printf(b, "%4" PRId64 ".%06" PRId64, t / 1000000, t % 1000000);
}

static const char *node_id(const Trace *t, int node)
{
    return node >= 0 ? t->world->nodes[node].id : "-";
}

/* Console text without its newline. */
static void put_line(Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '\n')
        n--;
    buf_put(b, s, n);
}

void trace_text_record(const Trace *t, DissectCtx *dc, const TraceRec *r, Buf *out)
{
    const World *w = t->world;
    char link[300];
    put_time(out, r->time);
    buf_printf(out, "  %-8s ", trace_kind_name(r->kind));
    switch (r->kind) {
    case TR_HOP:
        buf_printf(out, "#%" PRIu64 " %s:%s -> %s:%s (%u B, arrives ", r->pkt, node_id(t, r->node),
                   w->nodes[r->node].ifaces[r->iface].name, node_id(t, r->peer),
                   w->nodes[r->peer].ifaces[r->peer_iface].name, r->len);
        buf_printf(out, "%" PRId64 ".%06" PRId64 ") ", r->arrive / 1000000, r->arrive % 1000000);
        dissect_summary(dc, r->bytes, r->len, out);
        break;
    case TR_DELIVER:
        buf_printf(out, "#%" PRIu64 " at %s", r->pkt, node_id(t, r->node));
        break;
    case TR_DROP:
        buf_printf(out, "#%" PRIu64 " ", r->pkt);
        if (r->link >= 0) {
            world_link_name(w, r->link, link, sizeof link);
            buf_printf(out, "on %s", link);
        } else {
            buf_printf(out, "at %s", node_id(t, r->node));
        }
        buf_printf(out, ": %s", trace_drop_text(r->reason));
        break;
    case TR_STATE:
        buf_printf(out, "%s %s %s %s", node_id(t, r->node), r->table, r->op, r->key ? r->key : "-");
        if (r->text)
            buf_printf(out, " = %s", r->text);
        if (r->ttl >= 0)
            buf_printf(out, " (ttl %" PRId64 ")", r->ttl);
        break;
    case TR_NOTE:
        buf_printf(out, "[%u] %s", r->step, r->text);
        break;
    case TR_CONSOLE: {
        /* NODE, or NODE[2] for another terminal of the node */
        char who[160];
        if (r->term > 1)
            snprintf(who, sizeof who, "%s[%d]", node_id(t, r->node), r->term);
        else
            snprintf(who, sizeof who, "%s", node_id(t, r->node));
        switch (r->stream) {
        case CON_COMMAND:
            buf_printf(out, "%s$ %s", who, r->text);
            break;
        case CON_STDOUT:
            buf_printf(out, "%s| ", who);
            put_line(out, r->text);
            break;
        case CON_STDERR:
            buf_printf(out, "%s|2 ", who);
            put_line(out, r->text);
            break;
        case CON_EXIT:
            buf_printf(out, "%s: exit status %d", who, r->status);
            break;
        case CON_STDIN:
            buf_printf(out, "%s|< ", who);
            put_line(out, r->text);
            break;
        }
        break;
    }
    }
}
