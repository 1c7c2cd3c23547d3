#include "proto/dns/dns_tcp.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* A queued message, its prefix included; its caption goes with its first
 * byte. */
typedef struct Chunk {
    uint8_t *data;
    size_t len, off;
    char *caption;
} Chunk;

struct DnsTcp {
    TcpConn *c;
    DnsTcpOps ops;
    void *ctx;
    Buf in; /* bytes of messages not yet complete */
    Chunk *out;
    size_t n_out, out_cap;
    int in_callback;
    bool closing;  /* dns_tcp_close: flush, then tcp_close */
    bool dead;     /* freed once no callback is running */
    bool tcp_gone; /* TCP has ended the connection */
};

bool dns_tcp_split(const uint8_t *p, size_t n, const uint8_t **msg, size_t *len, size_t *need)
{
    *need = 0;
    if (n < 2)
        return false;
    size_t l = get_be16(p);
    if (n < 2 + l) {
        *need = 2 + l;
        return false;
    }
    *msg = p + 2;
    *len = l;
    return true;
}

static void destroy(DnsTcp *d)
{
    buf_fini(&d->in);
    for (size_t i = 0; i < d->n_out; i++) {
        free(d->out[i].data);
        free(d->out[i].caption);
    }
    free(d->out);
    free(d);
}

/* Frees d if it is finished and no callback of it runs. */
static void settle(DnsTcp *d)
{
    if (d->in_callback)
        return;
    if (d->closing && !d->dead && !d->tcp_gone && d->n_out == 0) {
        tcp_close(d->c); /* TCP finishes it; no callback comes back */
        d->dead = true;
    }
    if (d->dead)
        destroy(d);
}

static void flush(DnsTcp *d)
{
    size_t done = 0;
    while (done < d->n_out && !d->tcp_gone) {
        Chunk *k = &d->out[done];
        size_t n = k->caption ? tcp_write_note(d->c, k->data + k->off, k->len - k->off, k->caption)
                              : tcp_write(d->c, k->data + k->off, k->len - k->off);
        if (n && k->caption) {
            free(k->caption);
            k->caption = NULL;
        }
        k->off += n;
        if (k->off < k->len)
            break;
        free(k->data);
        done++;
    }
    memmove(d->out, d->out + done, (d->n_out - done) * sizeof *d->out);
    d->n_out -= done;
}

void dns_tcp_send(DnsTcp *d, const uint8_t *msg, size_t len, const char *caption)
{
    assert(len <= DNS_TCP_MAX);
    if (d->dead || d->tcp_gone || d->closing)
        return;
    Chunk k = {xmalloc(len + 2), len + 2, 0, caption ? xstrdup(caption) : NULL};
    put_be16(k.data, (uint16_t)len);
    memcpy(k.data + 2, msg, len);
    d->out = xgrow(d->out, &d->out_cap, d->n_out + 1, sizeof *d->out);
    d->out[d->n_out++] = k;
    flush(d);
}

/* ---- TCP's callbacks ------------------------------------------------------ */

static void on_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    DnsTcp *d = ctx;
    d->in_callback++;
    if (!len) {
        if (!d->closing && !d->dead) {
            if (d->ops.closed)
                d->ops.closed(d->ctx, d);
            else
                d->closing = true;
        }
    } else {
        buf_put(&d->in, data, len);
        size_t at = 0;
        const uint8_t *msg;
        size_t mlen, need;
        while (
            !d->closing && !d->dead &&
            dns_tcp_split((const uint8_t *)d->in.data + at, d->in.len - at, &msg, &mlen, &need)) {
            at += 2 + mlen;
            if (d->ops.message)
                d->ops.message(d->ctx, d, msg, mlen);
        }
        if (!d->dead) {
            memmove(d->in.data, d->in.data + at, d->in.len - at);
            d->in.len -= at;
        }
        if (!d->dead && !d->tcp_gone)
            tcp_recved(c, len);
    }
    d->in_callback--;
    settle(d);
}

static void on_sent(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    DnsTcp *d = ctx;
    d->in_callback++;
    flush(d);
    d->in_callback--;
    settle(d);
}

static void on_connected(void *ctx, TcpConn *c)
{
    (void)c;
    DnsTcp *d = ctx;
    d->in_callback++;
    if (d->ops.connected)
        d->ops.connected(d->ctx, d);
    flush(d);
    d->in_callback--;
    settle(d);
}

static void on_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    DnsTcp *d = ctx;
    d->tcp_gone = true;
    d->in_callback++;
    if (!d->closing && !d->dead && d->ops.ended)
        d->ops.ended(d->ctx, d, why);
    d->in_callback--;
    d->dead = true;
    settle(d);
}

static const TcpOps dns_tcp_ops = {NULL, on_connected, on_received, on_sent, on_ended};

static DnsTcp *make(const DnsTcpOps *ops, void *ctx)
{
    DnsTcp *d = xcalloc(1, sizeof *d);
    d->ops = *ops;
    d->ctx = ctx;
    buf_init(&d->in);
    return d;
}

DnsTcp *dns_tcp_new(TcpConn *c, const DnsTcpOps *ops, void *ctx)
{
    DnsTcp *d = make(ops, ctx);
    d->c = c;
    tcp_set_ops(c, &dns_tcp_ops, d);
    return d;
}

DnsTcp *dns_tcp_connect(Sim *sim, int node, uint32_t dst, const char *label, const DnsTcpOps *ops,
                        void *ctx, NetErr *err)
{
    DnsTcp *d = make(ops, ctx);
    d->c = tcp_connect(sim, node, dst, 53, label, &dns_tcp_ops, d, err);
    if (!d->c) {
        destroy(d);
        return NULL;
    }
    return d;
}

void dns_tcp_close(DnsTcp *d)
{
    if (d->closing || d->dead)
        return;
    d->closing = true;
    settle(d);
}

void dns_tcp_abort(DnsTcp *d)
{
    if (d->dead)
        return;
    if (!d->tcp_gone)
        tcp_abort(d->c);
    d->tcp_gone = true;
    d->dead = true;
    settle(d);
}

void dns_tcp_free(DnsTcp *d)
{
    if (!d)
        return;
    if (!d->tcp_gone && !d->dead)
        tcp_set_ops(d->c, NULL, NULL);
    destroy(d);
}
