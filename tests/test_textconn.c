/* textconn: lines out of a TCP byte stream (CRLF, bare LF, a last line
 * without an ending, lines longer than the limit), replies queued past the
 * send buffer, and closing from inside a callback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "helpers.h"
#include "net/tcp.h"
#include "proto/textconn.h"

typedef struct Side {
    Sim *sim;
    TextConn *t;
    char **lines;
    size_t n, cap;
    size_t bytes;
    bool connected, closed, ended, echo;
    TcpWhy why;
    const char *first; /* client: sent on connect */
} Side;

static void on_connected(void *ctx, TextConn *t)
{
    Side *s = ctx;
    s->connected = true;
    if (s->first)
        textconn_send_raw(t, s->first, strlen(s->first), "the client sends its lines");
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    Side *s = ctx;
    assert_int_equal(line[len], 0);
    s->lines = xgrow(s->lines, &s->cap, s->n + 1, sizeof *s->lines);
    s->lines[s->n++] = xstrndup(line, len);
    s->bytes += len;
    if (!s->echo)
        return;
    if (strcmp(line, "QUIT") == 0) {
        textconn_send(t, "221 Bye", "the server says goodbye and closes");
        textconn_close(t); /* inside the callback: only marked */
        s->t = NULL;
        return;
    }
    char reply[TEXTCONN_MAX_LINE + 16];
    snprintf(reply, sizeof reply, "250 %s", line);
    textconn_send(t, reply, NULL);
}

static void on_closed(void *ctx, TextConn *t)
{
    (void)t;
    Side *s = ctx;
    s->closed = true;
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Side *s = ctx;
    s->ended = true;
    s->why = why;
    s->t = NULL;
}

static const TextConnOps side_ops = {on_connected, on_line, on_closed, on_ended};

static void on_accepted(void *ctx, TcpConn *l, TcpConn *c)
{
    (void)l;
    Side *s = ctx;
    s->t = textconn_new(c, &side_ops, s);
}

static const TcpOps listen_ops = {on_accepted, NULL, NULL, NULL, NULL};

typedef struct Pair {
    Sim sim;
    World *w;
    Side cli, srv;
} Pair;

static void pair_start(Pair *p, const char *first)
{
    memset(p, 0, sizeof *p);
    p->w = world_new();
    int a = tw_node(p->w, "laptop", ROLE_HOST, "10.0.0.1");
    int b = tw_node(p->w, "mail", ROLE_HOST, "10.0.0.2");
    tw_link(p->w, a, b, 2000, 100000000, 0);
    world_wire(p->w);
    sim_init(&p->sim, 1, p->w, true);
    net_new(&p->sim);
    p->cli.sim = p->srv.sim = &p->sim;
    p->srv.echo = true;
    p->cli.first = first;
    assert_non_null(tcp_listen(&p->sim, b, 25, 8, &listen_ops, &p->srv));
    NetErr err;
    p->cli.t =
        textconn_connect(&p->sim, a, tw_ip("10.0.0.2"), 25, "mail", &side_ops, &p->cli, &err);
    assert_non_null(p->cli.t);
}

static void side_fini(Side *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->lines[i]);
    free(s->lines);
}

static void pair_fini(Pair *p)
{
    textconn_free(p->cli.t);
    textconn_free(p->srv.t);
    side_fini(&p->cli);
    side_fini(&p->srv);
    tcp_free_all(&p->sim);
    net_free(p->sim.net);
    sim_fini(&p->sim);
    world_free(p->w);
}

static void test_crlf_bare_lf_and_last_line(void **state)
{
    (void)state;
    Pair p;
    pair_start(&p, "HELO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\nempty next\r\n\r\nno end");
    sim_run_until(&p.sim, 1000000);
    assert_true(p.cli.connected);
    assert_int_equal(p.srv.n, 4);
    assert_string_equal(p.srv.lines[0], "HELO crepes.fr");
    assert_string_equal(p.srv.lines[1], "MAIL FROM:<alice@crepes.fr>");
    assert_string_equal(p.srv.lines[2], "empty next");
    assert_string_equal(p.srv.lines[3], "");
    /* replies, in order */
    assert_int_equal(p.cli.n, 4);
    assert_string_equal(p.cli.lines[0], "250 HELO crepes.fr");
    assert_string_equal(p.cli.lines[3], "250 ");
    /* the caption explains the segment that carries the lines */
    assert_int_equal(tw_count(&p.sim, TR_NOTE, "the client sends its lines"), 1);
    /* FIN: the unterminated last line, then closed */
    tcp_shutdown(textconn_tcp(p.cli.t));
    sim_run_until(&p.sim, 2000000);
    assert_int_equal(p.srv.n, 5);
    assert_string_equal(p.srv.lines[4], "no end");
    assert_true(p.srv.closed);
    pair_fini(&p);
}

static void test_quit_closes_inside_callback(void **state)
{
    (void)state;
    Pair p;
    pair_start(&p, "NOOP\r\nQUIT\r\nNOOP\r\n");
    sim_run_until(&p.sim, SIM_TIME_MAX);
    /* the line after QUIT is not read: the server closed */
    assert_int_equal(p.srv.n, 2);
    assert_int_equal(p.cli.n, 2);
    assert_string_equal(p.cli.lines[1], "221 Bye");
    assert_true(p.cli.closed);
    assert_int_equal(tw_count(&p.sim, TR_NOTE, "the server says goodbye and closes"), 1);
    assert_false(p.srv.ended); /* closed by itself: no callback */
    pair_fini(&p);
}

static void test_long_lines_and_queued_output(void **state)
{
    (void)state;
    /* 300 kB of lines, far more than the send buffer: the queue drains as
     * the peer acknowledges, in order; a line longer than the limit comes
     * in pieces. */
    Buf b;
    buf_init(&b);
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "line %05d 0123456789\r\n", i);
    for (int i = 0; i < TEXTCONN_MAX_LINE + 10; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\r\nQUIT\r\n");
    Pair p;
    pair_start(&p, b.data);
    sim_run_until(&p.sim, SIM_TIME_MAX);
    assert_int_equal(p.srv.n, 10003);
    assert_string_equal(p.srv.lines[9999], "line 09999 0123456789");
    assert_int_equal(strlen(p.srv.lines[10000]), TEXTCONN_MAX_LINE);
    assert_string_equal(p.srv.lines[10001], "xxxxxxxxxx");
    /* the reply to the 8192-byte piece is longer still: two pieces */
    assert_int_equal(p.cli.n, 10004);
    assert_string_equal(p.cli.lines[5000], "250 line 05000 0123456789");
    assert_string_equal(p.cli.lines[10003], "221 Bye");
    buf_fini(&b);
    pair_fini(&p);
}

static void test_refused_is_reported(void **state)
{
    (void)state;
    Pair p;
    memset(&p, 0, sizeof p);
    p.w = world_new();
    int a = tw_node(p.w, "laptop", ROLE_HOST, "10.0.0.1");
    int b = tw_node(p.w, "mail", ROLE_HOST, "10.0.0.2");
    tw_link(p.w, a, b, 2000, 100000000, 0);
    world_wire(p.w);
    sim_init(&p.sim, 1, p.w, true);
    net_new(&p.sim);
    p.cli.sim = &p.sim;
    NetErr err;
    p.cli.t = textconn_connect(&p.sim, a, tw_ip("10.0.0.2"), 25, NULL, &side_ops, &p.cli, &err);
    textconn_send(p.cli.t, "EHLO x", NULL); /* queued before the handshake */
    sim_run_until(&p.sim, SIM_TIME_MAX);
    assert_true(p.cli.ended);
    assert_int_equal(p.cli.why, TCP_WHY_REFUSED);
    pair_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crlf_bare_lf_and_last_line),
        cmocka_unit_test(test_quit_closes_inside_callback),
        cmocka_unit_test(test_long_lines_and_queued_output),
        cmocka_unit_test(test_refused_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
