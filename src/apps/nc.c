/* nc — Debian 12's netcat-openbsd (1.219): `nc HOST PORT` connects,
 * `nc -l [-p] PORT` listens for one connection.  What arrives is printed;
 * each typed line is sent with LF (CR LF with -C).
 *
 * As the real tool: end of input (^D) does nothing unless -N, which then
 * half-closes the connection (FIN); nc ends when the other side's data
 * ends (its FIN) or on ^C; -v reports the connection, -z only checks that
 * the port answers, -I and -O size the receive and send buffers.
 *
 * Limits: TCP only (no -u), no -k, -x, -s, -w or source-port choice. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/etc_services.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/vfs.h"
#include "proto/resolve.h"

#define NC_QUEUED 2 /* Linux's accept queue of a listen(s, 1) holds backlog + 1 */

typedef struct Nc {
    Proc *p;
    TcpConn *listener, *conn;
    TcpConn *queued[NC_QUEUED]; /* later connections the listener took but nc never accepts */
    bool listen, verbose, numeric, shut_on_eof, crlf, zero_io;
    bool established;        /* the handshake finished */
    uint32_t rcvbuf, sndbuf; /* 0: TCP's defaults */
    char *host;
    uint16_t port; /* the one connected to, or tried now */
    char *port_text;
    uint16_t *ports; /* to connect to: each in turn until one answers (-z: all) */
    size_t n_ports, next_port;
    uint32_t ip;
    bool any_ok; /* -z: a port answered */
    Resolve *lookup;
    Buf early;         /* lines typed before the connection: the terminal keeps them */
    Buf out;           /* typed bytes the send buffer could not take yet */
    bool shut_pending; /* -N and end of input: FIN once out is sent */
    const char *file;  /* `< FILE`: the input, sent as fast as TCP takes it */
    uint64_t file_off;
    bool file_eof; /* all of it is in TCP's hands */
    bool eof_early;
} Nc;

static void connect_next(Nc *n);

static void nc_free(void *state)
{
    Nc *n = state;
    free(n->ports);
    if (n->listener) {
        tcp_set_ops(n->listener, NULL, NULL);
        tcp_close(n->listener);
    }
    /* Closing the listener resets what waited in its accept queue. */
    for (int i = 0; i < NC_QUEUED; i++)
        if (n->queued[i]) {
            tcp_set_ops(n->queued[i], NULL, NULL);
            tcp_abort(n->queued[i]);
        }
    if (n->conn) {
        tcp_set_ops(n->conn, NULL, NULL);
        tcp_close(n->conn);
    }
    resolve_cancel(n->lookup);
    free(n->host);
    free(n->port_text);
    buf_fini(&n->early);
    buf_fini(&n->out);
    free(n);
}

static void usage(Proc *p)
{
    proc_printf(p, CON_STDERR,
                "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n"
                "\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n"
                "\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n"
                "\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n"
                "\t  [destination] [port]\n");
}

static const char *service_name(uint16_t port)
{
    const char *name = etc_service_name(port);
    return name ? name : "*";
}

static void on_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    Nc *n = ctx;
    if (len == 0) { /* the other side is done: so is nc */
        tcp_set_ops(c, NULL, NULL);
        tcp_close(c);
        n->conn = NULL;
        proc_exit(n->p, 0);
        return;
    }
    Buf b;
    buf_init(&b);
    buf_put(&b, (const char *)data, len);
    /* A terminal shows CR LF as one line break, and NUL as nothing. */
    size_t k = 0;
    for (size_t i = 0; i < b.len; i++) {
        char ch = b.data[i];
        if (ch == '\0' || (ch == '\r' && i + 1 < b.len && b.data[i + 1] == '\n'))
            continue;
        b.data[k++] = ch;
    }
    b.data[k] = '\0';
    if (k)
        proc_printf(n->p, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
    tcp_recved(c, len);
}

static void on_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    Nc *n = ctx;
    n->conn = NULL;
    Proc *p = n->p;
    const char *what = why == TCP_WHY_REFUSED        ? "Connection refused"
                       : why == TCP_WHY_TIMEOUT      ? "Connection timed out"
                       : why == TCP_WHY_RESET        ? "Connection reset by peer"
                       : why == TCP_WHY_NET_UNREACH  ? "Network is unreachable"
                       : why == TCP_WHY_HOST_UNREACH ? "No route to host"
                                                     : NULL;
    if (!n->established && what) {
        proc_printf(p, CON_STDERR, "nc: connect to %s port %u (tcp) failed: %s\n", n->host, n->port,
                    what);
        connect_next(n);
        return;
    }
    if (what)
        proc_printf(p, CON_STDERR, "nc: read failed (%s)\n", what);
    proc_exit(p, what ? 1 : 0);
}

/* Hands what waits in n->out to TCP, as much as its buffer takes; then
 * the FIN that -N asked for, once everything is in. */
static void flush_out(Nc *n)
{
    if (!n->conn)
        return;
    if (n->out.len) {
        size_t k = tcp_write(n->conn, n->out.data, n->out.len);
        memmove(n->out.data, n->out.data + k, n->out.len - k);
        n->out.len -= k;
        n->out.data[n->out.len] = '\0';
    }
    if (!n->out.len && n->shut_pending) {
        n->shut_pending = false;
        tcp_shutdown(n->conn);
    }
}

static void send_bytes(Nc *n, const char *data, size_t len)
{
    buf_put(&n->out, data, len);
    flush_out(n);
}

/* Input from a file: as much as the send buffer takes, then the end of
 * input (with -N, the FIN). */
static void pump_file(Nc *n)
{
    uint8_t chunk[16384];
    Vfs *v = vfs_of(n->p->sim);
    while (n->conn && v) {
        size_t room = tcp_sndbuf(n->conn), got = 0;
        if (!room)
            return;
        VfsErr e = vfs_read(v, n->p->node, n->file, n->file_off, chunk,
                            room < sizeof chunk ? room : sizeof chunk, &got);
        if (e != VFS_OK || got == 0)
            break; /* the end of the file, or it is gone: the end of input */
        n->file_off += tcp_write(n->conn, chunk, got);
    }
    if (n->conn && !n->file_eof) {
        n->file_eof = true;
        n->shut_pending = n->shut_on_eof;
        flush_out(n);
    }
}

static void on_sent(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    Nc *n = ctx;
    if (n->file)
        pump_file(n);
    else
        flush_out(n);
}

/* netcat reads its input once connected; what was typed before is sent
 * then, as the terminal had kept it. */
static void start_io(Nc *n)
{
    if (n->file) {
        pump_file(n);
        return;
    }
    if (n->early.len)
        send_bytes(n, n->early.data, n->early.len);
    buf_clear(&n->early);
    if (n->eof_early) {
        n->shut_pending = n->shut_on_eof;
        flush_out(n);
        return;
    }
    proc_wait_input(n->p, true);
}

static void on_connected(void *ctx, TcpConn *c)
{
    Nc *n = ctx;
    n->established = true;
    if (n->verbose)
        proc_printf(n->p, CON_STDERR, "Connection to %s %u port [tcp/%s] succeeded!\n", n->host,
                    n->port, service_name(n->port));
    if (n->zero_io) {
        tcp_set_ops(c, NULL, NULL);
        tcp_close(c);
        n->conn = NULL;
        n->any_ok = true;
        n->established = false;
        connect_next(n);
        return;
    }
    start_io(n);
}

static const TcpOps conn_ops = {
    .connected = on_connected,
    .received = on_received,
    .sent = on_sent,
    .ended = on_ended,
};

/* A connection in the accept queue: its bytes wait unread (ss shows them
 * as its Recv-Q) until it ends or nc does. */
static void queued_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    (void)ctx, (void)c, (void)data, (void)len;
}

static void queued_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)why;
    Nc *n = ctx;
    for (int i = 0; i < NC_QUEUED; i++)
        if (n->queued[i] == c)
            n->queued[i] = NULL;
}

static const TcpOps queued_ops = {.received = queued_received, .ended = queued_ended};

static void on_accepted(void *ctx, TcpConn *listener, TcpConn *c)
{
    (void)listener;
    Nc *n = ctx;
    /* netcat-openbsd accepts one connection, but keeps its listening
     * socket open until it ends: ss shows the LISTEN row beside the
     * ESTAB one, and a second client's handshake still completes, into
     * the accept queue, where nobody reads it. */
    if (n->conn || n->established) {
        for (int i = 0; i < NC_QUEUED; i++)
            if (!n->queued[i]) {
                n->queued[i] = c;
                tcp_set_ops(c, &queued_ops, n);
                return;
            }
        tcp_set_ops(c, NULL, NULL);
        tcp_abort(c);
        return;
    }
    n->conn = c;
    n->established = true;
    tcp_set_ops(c, &conn_ops, n);
    if (n->verbose) {
        TcpInfo info;
        tcp_info(c, &info);
        const char *name = resolve_hosts_reverse(n->p->sim, info.remote_ip);
        char addr[16];
        ip_format(info.remote_ip, addr);
        proc_printf(n->p, CON_STDERR, "Connection received on %s %u\n",
                    name && !n->numeric ? name : addr, info.remote_port);
    }
    start_io(n);
}

static const TcpOps listen_ops = {.accepted = on_accepted};

void nc_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    Nc *n = p->state;
    switch (kind) {
    case PROC_IN_LINE:
        if (!n->established) {
            buf_put(&n->early, line, len);
            buf_puts(&n->early, n->crlf ? "\r\n" : "\n");
            return;
        }
        /* One write per line, as netcat reads a terminal a line at a time. */
        buf_put(&n->out, line, len);
        buf_puts(&n->out, n->crlf ? "\r\n" : "\n");
        flush_out(n);
        break;
    case PROC_IN_EOF:
        proc_wait_input(p, false);
        if (!n->established)
            n->eof_early = true;
        else if (n->shut_on_eof) {
            n->shut_pending = true;
            flush_out(n);
        }
        break;
    case PROC_IN_INTR:
    case PROC_IN_ESCAPE:
        if (kind == PROC_IN_INTR) { /* the terminal shows ^C; the shell a new line */
            proc_printf(p, CON_STDOUT, "\n");
            proc_exit(p, 130); /* nc_free closes the connection: FIN */
        }
        break;
    }
}

/* Reads a length for -I/-O as netcat does (strtonum, 1..65536*1024). */
static bool parse_len(Proc *p, char opt, const char *s, uint32_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 65536L * 1024) {
        proc_printf(p, CON_STDERR, "nc: TCP %s length %s: %s\n",
                    opt == 'I' ? "receive window" : "send window", s,
                    *s && !*end ? (v < 1 ? "too small" : "too large") : "invalid");
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* A port number as netcat-openbsd checks it (strtonum: 1 to 65535). */
static bool parse_port(Proc *p, const char *s, uint16_t *port)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    const char *why = !*s || *end || v == LLONG_MIN || v == LLONG_MAX ? "invalid"
                      : v < 1                                         ? "too small"
                      : v > 65535                                     ? "too large"
                                                                      : NULL;
    if (why) {
        proc_printf(p, CON_STDERR, "nc: port number %s: %s\n", why, s);
        return false;
    }
    *port = (uint16_t)v;
    return true;
}

/* The port operands: each a port or a range LO-HI (either way round), in
 * order, as netcat-openbsd builds its port list. */
static bool parse_ports(Nc *n, char **args, int count)
{
    for (int i = 0; i < count; i++) {
        char *dash = strchr(args[i], '-');
        uint16_t lo, hi;
        if (dash && dash != args[i]) {
            *dash = '\0';
            bool ok = parse_port(n->p, args[i], &lo) && parse_port(n->p, dash + 1, &hi);
            *dash = '-';
            if (!ok)
                return false;
            if (lo > hi) {
                uint16_t t = lo;
                lo = hi;
                hi = t;
            }
        } else if (!parse_port(n->p, args[i], &lo)) {
            return false;
        } else {
            hi = lo;
        }
        n->ports = xrealloc(n->ports, (n->n_ports + (size_t)(hi - lo) + 1) * sizeof *n->ports);
        for (uint32_t v = lo; v <= hi; v++)
            n->ports[n->n_ports++] = (uint16_t)v;
    }
    return true;
}

/* Options as getopt reads them: clusters like -lvN, values attached or
 * in the next word.  Returns the index of the first operand, or -1. */
static int parse_options(Nc *n, int argc, char **argv)
{
    Proc *p = n->p;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        for (const char *o = argv[i] + 1; *o; o++) {
            const char *val = NULL;
            if (strchr("IOpswxXqiMmPTVW", *o)) {
                val = o[1] ? o + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!val) {
                    proc_printf(p, CON_STDERR, "nc: option requires an argument -- '%c'\n", *o);
                    usage(p);
                    return -1;
                }
            }
            switch (*o) {
            case 'l':
                n->listen = true;
                break;
            case 'v':
                n->verbose = true;
                break;
            case 'n':
                n->numeric = true;
                break;
            case 'N':
                n->shut_on_eof = true;
                break;
            case 'C':
                n->crlf = true;
                break;
            case 'z':
                n->zero_io = true;
                break;
            case '4':
                break;
            case 'I':
                if (!parse_len(p, 'I', val, &n->rcvbuf))
                    return -1;
                break;
            case 'O':
                if (!parse_len(p, 'O', val, &n->sndbuf))
                    return -1;
                break;
            case 'p':
                if (!parse_port(p, val, &n->port))
                    return -1;
                break;
            default:
                if (val) {
                    proc_printf(p, CON_STDERR, "nc: minet's nc does not offer -%c\n", *o);
                    return -1;
                }
                proc_printf(p, CON_STDERR, "nc: invalid option -- '%c'\n", *o);
                usage(p);
                return -1;
            }
            if (val)
                break;
        }
    }
    return i;
}

static void start_listen(Nc *n, int argc, char **argv, int first)
{
    Proc *p = n->p;
    if (argc - first > 1 || (argc - first == 0 && !n->port)) {
        if (argc - first == 0)
            proc_printf(p, CON_STDERR, "nc: missing port number\n");
        else
            usage(p);
        proc_exit(p, 1);
        return;
    }
    if (argc - first == 1 && !parse_port(p, argv[first], &n->port)) {
        proc_exit(p, 1);
        return;
    }
    n->listener = tcp_listen(p->sim, p->node, n->port, 1, &listen_ops, n);
    if (!n->listener) {
        proc_printf(p, CON_STDERR, "nc: Address already in use\n");
        proc_exit(p, 1);
        return;
    }
    if (n->rcvbuf || n->sndbuf)
        tcp_set_bufs(n->listener, n->sndbuf ? n->sndbuf : 65536, n->rcvbuf ? n->rcvbuf : 65535);
    if (n->verbose)
        proc_printf(p, CON_STDERR, "Listening on 0.0.0.0 %u\n", n->port);
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Nc *n = ctx;
    Proc *p = n->p;
    n->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(p, CON_STDERR, "nc: getaddrinfo for host \"%s\" port %s: %s\n", n->host,
                    n->port_text, resolve_strerror(st));
        proc_exit(p, 1);
        return;
    }
    n->ip = ip;
    connect_next(n);
}

/* The next port of the list; after the last, nc's status: 0 when a port
 * answered (-z) , 1 otherwise. */
static void connect_next(Nc *n)
{
    Proc *p = n->p;
    while (n->next_port < n->n_ports) {
        n->port = n->ports[n->next_port++];
        NetErr err = NET_OK;
        n->conn = tcp_connect(p->sim, p->node, n->ip, n->port, n->host, &conn_ops, n, &err);
        if (n->conn) {
            if (n->rcvbuf || n->sndbuf)
                tcp_set_bufs(n->conn, n->sndbuf ? n->sndbuf : 65536, n->rcvbuf ? n->rcvbuf : 65535);
            return;
        }
        proc_printf(p, CON_STDERR, "nc: connect to %s port %u (tcp) failed: %s\n", n->host, n->port,
                    err == NET_UNREACHABLE ? "Network is unreachable" : "No route to host");
    }
    proc_exit(p, n->any_ok ? 0 : 1);
}

static void start_connect(Nc *n, int argc, char **argv, int first)
{
    Proc *p = n->p;
    if (argc - first < 2) {
        if (argc - first == 1)
            proc_printf(p, CON_STDERR, "nc: missing port number\n");
        else
            usage(p);
        proc_exit(p, 1);
        return;
    }
    n->host = xstrdup(argv[first]);
    if (!parse_ports(n, argv + first + 1, argc - first - 1)) {
        proc_exit(p, 1);
        return;
    }
    n->port = n->ports[0];
    n->port_text = xstrdup(argv[first + 1]);
    /* an answer at once comes before resolve_name returns (NULL), and may
     * have ended the program: n is then not touched */
    Resolve *r = resolve_name(p->sim, p->node, n->host, on_resolved, n);
    if (r)
        n->lookup = r;
}

void nc_main(Proc *p, int argc, char **argv)
{
    Nc *n = xcalloc(1, sizeof *n);
    buf_init(&n->early);
    buf_init(&n->out);
    n->p = p;
    p->state = n;
    p->free_state = nc_free;
    /* nc reads the terminal from the start (what is typed before the
     * connection waits in it): the window's prompt types into it, unless
     * its input is a file. */
    n->file = proc_stdin_path(p);
    if (!n->file)
        proc_set_prompt(p, "");
    int first = parse_options(n, argc, argv);
    if (first < 0) {
        proc_exit(p, 1);
        return;
    }
    if (n->listen)
        start_listen(n, argc, argv, first);
    else
        start_connect(n, argc, argv, first);
}
