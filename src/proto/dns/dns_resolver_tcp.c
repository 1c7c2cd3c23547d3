/* dns_resolver_tcp — the resolver asking upstream over TCP (RFC 7766):
 * an answer came back truncated, so the same server is asked the same
 * question again over a connection of its own, which is closed as soon as
 * the answer is in.  The task goes back to UDP for its next questions. */
#include "proto/dns/dns_resolver_int.h"

#include <stdio.h>
#include <string.h>

#include "net/net.h"

/* Unbound's tcp-auth-query-timeout: 3 s for a query over TCP, handshake
 * included. */
#define TCP_QUERY_TIMEOUT 3000

static void on_up_connected(void *ctx, DnsTcp *d)
{
    Task *t = ctx;
    char cap[600] = "";
    if (trace_wanted(&t->r->sim->trace)) {
        char qn[300], tb[16];
        DnsName asked;
        task_asked(t, &asked);
        snprintf(cap, sizeof cap,
                 "%s sends its query for %s %s again over the TCP connection, with the message's "
                 "length in 2 bytes in front.",
                 resolver_node_id(t->r), dns_name_prose(&asked, qn, sizeof qn),
                 dns_type_name(t->asked_type, tb));
    }
    dns_tcp_send(d, t->up_query, t->up_len, cap[0] ? cap : NULL);
}

static void on_up_message(void *ctx, DnsTcp *d, const uint8_t *data, size_t len)
{
    Task *t = ctx;
    Sim *sim = t->r->sim;
    DnsMsg msg;
    dns_msg_init(&msg);
    char why[160];
    bool ok = t->timer && dns_decode(&msg, data, len, why, sizeof why) && msg.qr &&
              msg.id == t->qid && msg.n_qd == 1 && msg.qd[0].type == t->asked_type &&
              task_asked_is(t, &msg.qd[0].name);
    if (ok) {
        sim_cancel(sim, t->timer);
        t->timer = 0;
        /* The answer is in: the resolver closes the connection, and goes
         * back to UDP for its next questions. */
        dns_tcp_close(d);
        t->up = NULL;
        t->up_tcp = false;
        Server *s = &t->servers[t->current];
        resolver_infra_answer(t->r, s->addr, (int)((sim->now - t->sent_at) / 1000));
        resolver_handle_response(t, &msg);
    }
    dns_msg_fini(&msg);
}

static void on_up_ended(void *ctx, DnsTcp *d, TcpWhy why)
{
    (void)d;
    (void)why;
    Task *t = ctx;
    t->up = NULL; /* the try times out: resolver_on_timeout goes on */
}

static const DnsTcpOps up_tcp_ops = {on_up_connected, on_up_message, NULL, on_up_ended};

void resolver_ask_tcp(Task *t, Server *s, const uint8_t *buf, size_t n)
{
    Resolver *r = t->r;
    Sim *sim = r->sim;
    if (!t->up_query)
        t->up_query = xmalloc(DNS_UDP_MAX);
    memcpy(t->up_query, buf, n);
    t->up_len = n;
    t->sent_at = sim->now;
    t->sent_rto = TCP_QUERY_TIMEOUT;
    char sn[300], addr[16];
    ip_format(s->addr, addr);
    trace_note(&sim->trace, sim->now, 0,
               "%s opens a TCP connection to %s (%s), port 53, to ask its question again there.",
               resolver_node_id(r), dns_name_prose(s->name, sn, sizeof sn), addr);
    t->queries++;
    NetErr e = NET_OK;
    if (t->up)
        dns_tcp_close(t->up);
    t->up = dns_tcp_connect(sim, r->node, s->addr, sn, &up_tcp_ops, t, &e);
    t->timer = sim_after(sim, (SimTime)t->sent_rto * 1000, resolver_on_timeout, t, 0);
}
