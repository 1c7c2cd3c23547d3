#include "proto/textconn.h"

#include <stdlib.h>
#include <string.h>

/* A queued piece of output; its caption goes with its first byte. */
typedef struct Chunk {
    char *data;
    size_t len, off;
    char *caption;
} Chunk;

struct TextConn {
    TcpConn *c;
    TextConnOps ops;
    void *ctx;
    Buf in; /* bytes of the line being read */
    Chunk *out;
    size_t n_out, out_cap;
    int in_callback;
    bool closing;  /* textconn_close: flush, then tcp_close */
    bool dead;     /* freed once no callback is running */
    bool tcp_gone; /* TCP has ended the connection */
};

static void flush(TextConn *t);

static void chunks_free(TextConn *t)
{
    for (size_t i = 0; i < t->n_out; i++) {
        free(t->out[i].data);
        free(t->out[i].caption);
    }
    free(t->out);
    t->out = NULL;
    t->n_out = t->out_cap = 0;
}

static void destroy(TextConn *t)
{
    buf_fini(&t->in);
    chunks_free(t);
    free(t);
}

/* Frees t if it is finished and no callback of it runs. */
static void settle(TextConn *t)
{
    if (t->in_callback)
        return;
    if (t->closing && !t->dead && !t->tcp_gone && t->n_out == 0) {
        tcp_close(t->c); /* TCP finishes it; no callback comes back */
        t->dead = true;
    }
    if (t->dead)
        destroy(t);
}

/* ---- input ----------------------------------------------------------------- */

/* Passes the first len bytes of t->in as a line, then empties it. */
static void pass_line(TextConn *t, size_t len)
{
    if (!t->closing && !t->dead && t->ops.line) {
        t->in.len = len;
        t->in.data[len] = 0;
        t->ops.line(t->ctx, t, t->in.data, len);
    }
    buf_clear(&t->in);
}

static void on_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    TextConn *t = ctx;
    t->in_callback++;
    if (!len) {
        if (t->in.len)
            pass_line(t, t->in.len);
        if (!t->closing && !t->dead && t->ops.closed)
            t->ops.closed(t->ctx, t);
    }
    for (size_t i = 0; i < len && !t->closing && !t->dead;) {
        const uint8_t *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        size_t room = TEXTCONN_MAX_LINE - t->in.len;
        if (end - i > room || (!nl && end - i == room)) {
            buf_put(&t->in, data + i, room);
            i += room;
            pass_line(t, t->in.len);
            continue;
        }
        buf_put(&t->in, data + i, end - i);
        i = end;
        if (!nl)
            break;
        i++; /* the LF */
        size_t n = t->in.len;
        if (n && t->in.data[n - 1] == '\r')
            n--;
        pass_line(t, n);
    }
    if (!t->dead && !t->tcp_gone)
        tcp_recved(c, len);
    t->in_callback--;
    settle(t);
}

/* ---- output ---------------------------------------------------------------- */

static void flush(TextConn *t)
{
    size_t done = 0;
    while (done < t->n_out && !t->tcp_gone) {
        Chunk *k = &t->out[done];
        size_t n = k->caption ? tcp_write_note(t->c, k->data + k->off, k->len - k->off, k->caption)
                              : tcp_write(t->c, k->data + k->off, k->len - k->off);
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
    if (done) { /* t->out may be NULL when nothing is queued */
        memmove(t->out, t->out + done, (t->n_out - done) * sizeof *t->out);
        t->n_out -= done;
    }
}

static void enqueue(TextConn *t, const void *data, size_t len, const char *tail, const char *cap)
{
    if (t->dead || t->tcp_gone)
        return;
    size_t tl = tail ? strlen(tail) : 0;
    Chunk k = {xmalloc(len + tl + 1), len + tl, 0, cap ? xstrdup(cap) : NULL};
    memcpy(k.data, data, len);
    memcpy(k.data + len, tail ? tail : "", tl);
    t->out = xgrow(t->out, &t->out_cap, t->n_out + 1, sizeof *t->out);
    t->out[t->n_out++] = k;
    flush(t);
}

void textconn_send(TextConn *t, const char *line, const char *caption)
{
    enqueue(t, line, strlen(line), "\r\n", caption);
}

void textconn_send_raw(TextConn *t, const void *data, size_t len, const char *caption)
{
    enqueue(t, data, len, NULL, caption);
}

size_t textconn_pending(const TextConn *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_out; i++)
        n += t->out[i].len - t->out[i].off;
    return n;
}

static void on_sent(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    TextConn *t = ctx;
    t->in_callback++;
    flush(t);
    t->in_callback--;
    settle(t);
}

/* ---- lifetime ----------------------------------------------------------------- */

static void on_connected(void *ctx, TcpConn *c)
{
    (void)c;
    TextConn *t = ctx;
    t->in_callback++;
    if (t->ops.connected)
        t->ops.connected(t->ctx, t);
    flush(t);
    t->in_callback--;
    settle(t);
}

static void on_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    TextConn *t = ctx;
    t->tcp_gone = true;
    t->in_callback++;
    if (!t->closing && !t->dead && t->ops.ended)
        t->ops.ended(t->ctx, t, why);
    t->in_callback--;
    t->dead = true;
    settle(t);
}

static const TcpOps text_ops = {NULL, on_connected, on_received, on_sent, on_ended};

static TextConn *make(const TextConnOps *ops, void *ctx)
{
    TextConn *t = xcalloc(1, sizeof *t);
    t->ops = *ops;
    t->ctx = ctx;
    buf_init(&t->in);
    return t;
}

TextConn *textconn_new(TcpConn *c, const TextConnOps *ops, void *ctx)
{
    TextConn *t = make(ops, ctx);
    t->c = c;
    tcp_set_ops(c, &text_ops, t);
    return t;
}

TextConn *textconn_connect(Sim *sim, int node, uint32_t dst, uint16_t port, const char *label,
                           const TextConnOps *ops, void *ctx, NetErr *err)
{
    TextConn *t = make(ops, ctx);
    t->c = tcp_connect(sim, node, dst, port, label, &text_ops, t, err);
    if (!t->c) {
        destroy(t);
        return NULL;
    }
    return t;
}

void textconn_close(TextConn *t)
{
    if (t->closing || t->dead)
        return;
    t->closing = true;
    settle(t);
}

void textconn_abort(TextConn *t)
{
    if (t->dead)
        return;
    if (!t->tcp_gone)
        tcp_abort(t->c);
    t->tcp_gone = true;
    t->dead = true;
    settle(t);
}

TcpConn *textconn_tcp(const TextConn *t)
{
    return t->c;
}

void textconn_free(TextConn *t)
{
    if (!t)
        return;
    if (!t->tcp_gone && !t->dead)
        tcp_set_ops(t->c, NULL, NULL);
    destroy(t);
}
