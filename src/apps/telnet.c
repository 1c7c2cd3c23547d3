/* telnet — Debian 12's telnet (GNU inetutils 2.4): `telnet [HOST [PORT]]`.
 *
 * Connects, prints what arrives and sends each typed line with CR LF, as
 * the real client does in its default line-by-line mode.  ^] enters
 * command mode (`telnet> `): `quit`, `close`, `open HOST [PORT]` and an
 * empty line (back to the connection) are understood.  Telnet option
 * negotiation from the server (IAC sequences) is refused and hidden, so
 * a plain text server (SMTP, POP3, nc) shows exactly its bytes.
 *
 * Limits: one address per name (minet's names have one), no telnet
 * options of our own (the real client only starts negotiating on port
 * 23), and none of the client's other commands (`set`, `status`, …). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/cmdline.h"
#include "apps/etc_services.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/resolve.h"

#define TELNET_PORT 23
#define IAC         255
#define DONT        254
#define DO          253
#define WONT        252
#define WILL        251
#define SB          250
#define SE          240
#define IP          244
#define TM          6

typedef struct Telnet {
    Proc *p;
    TcpConn *conn;
    bool host_given;   /* started as `telnet HOST`: closing ends the program */
    bool command_mode; /* after ^], or with no host */
    bool eof_pending;  /* ^D typed: the real client sends it with the next line */
    int iac;           /* where an IAC sequence from the server stands: 0 none, 1 after IAC,
                          2 after WILL/WONT/DO/DONT (the option follows), 3 inside SB */
    uint8_t verb;
    char *name;      /* the host as typed, for "Connected to NAME." */
    char *port_text; /* the port as typed, for lookup failures */
    uint16_t port;
    Resolve *lookup; /* the name being looked up */
} Telnet;

static void telnet_free(void *state)
{
    Telnet *t = state;
    if (t->conn) {
        tcp_set_ops(t->conn, NULL, NULL);
        tcp_close(t->conn);
    }
    resolve_cancel(t->lookup);
    free(t->name);
    free(t->port_text);
    free(t);
}

static void command_prompt(Telnet *t)
{
    t->command_mode = true;
    proc_printf(t->p, CON_STDOUT, "telnet> ");
    proc_set_prompt(t->p, "telnet> ");
    proc_wait_input(t->p, true);
}

/* The connection is gone; the program ends or returns to its prompt. */
static void after_close(Telnet *t, const char *msg, int status)
{
    t->conn = NULL;
    proc_printf(t->p, CON_STDOUT, "%s\n", msg);
    if (t->host_given)
        proc_exit(t->p, status);
    else
        command_prompt(t);
}

/* Refuses an option the server offers or asks for: WILL→DONT, DO→WONT. */
static void refuse(Telnet *t, uint8_t verb, uint8_t opt)
{
    uint8_t reply[3] = {IAC, 0, opt};
    if (verb == WILL)
        reply[1] = DONT;
    else if (verb == DO)
        reply[1] = WONT;
    else
        return; /* WONT and DONT need no answer */
    tcp_write(t->conn, reply, sizeof reply);
}

/* Prints the server's bytes, without IAC sequences and carriage returns
 * before a newline (the terminal shows a line break). */
static void show(Telnet *t, const uint8_t *d, size_t n)
{
    Buf out;
    buf_init(&out);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = d[i];
        if (t->iac == 1) {
            t->verb = c;
            t->iac = c >= WILL && c <= DONT ? 2 : c == SB ? 3 : 0;
            if (c == IAC) /* an escaped 255 */
                buf_put(&out, (const char *)&c, 1);
        } else if (t->iac == 2) {
            refuse(t, t->verb, c);
            t->iac = 0;
        } else if (t->iac == 3) {
            if (c == SE && i > 0 && d[i - 1] == IAC)
                t->iac = 0;
        } else if (c == IAC) {
            t->iac = 1;
        } else if (c == '\r' && i + 1 < n && d[i + 1] == '\n') {
            continue;
        } else if (c != '\0') {
            buf_put(&out, (const char *)&c, 1);
        }
    }
    if (out.len)
        proc_printf(t->p, CON_STDOUT, "%s", out.data);
    buf_fini(&out);
}

static void on_connected(void *ctx, TcpConn *c)
{
    (void)c;
    Telnet *t = ctx;
    proc_printf(t->p, CON_STDOUT, "Connected to %s.\nEscape character is '^]'.\n", t->name);
    t->command_mode = false;
    proc_set_prompt(t->p, ""); /* typing goes to the connection */
    proc_wait_input(t->p, true);
}

static void on_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    Telnet *t = ctx;
    if (len == 0) {
        tcp_set_ops(c, NULL, NULL);
        tcp_close(c);
        after_close(t, "Connection closed by foreign host.", 0); /* inetutils exits 0 */
        return;
    }
    show(t, data, len);
    tcp_recved(c, len);
}

static void on_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    Telnet *t = ctx;
    t->conn = NULL;
    switch (why) {
    case TCP_WHY_REFUSED:
        proc_printf(t->p, CON_STDERR,
                    "telnet: Unable to connect to remote host: Connection refused\n");
        break;
    case TCP_WHY_TIMEOUT:
        proc_printf(t->p, CON_STDERR,
                    "telnet: Unable to connect to remote host: Connection timed out\n");
        break;
    case TCP_WHY_NET_UNREACH:
        proc_printf(t->p, CON_STDERR,
                    "telnet: Unable to connect to remote host: Network is unreachable\n");
        break;
    case TCP_WHY_HOST_UNREACH:
        proc_printf(t->p, CON_STDERR,
                    "telnet: Unable to connect to remote host: No route to host\n");
        break;
    case TCP_WHY_RESET:
        proc_printf(t->p, CON_STDOUT, "Connection closed by foreign host.\n");
        break;
    default:
        proc_printf(t->p, CON_STDOUT, "Connection closed.\n");
        break;
    }
    if (t->host_given)
        proc_exit(t->p, 1);
    else
        command_prompt(t);
}

static const TcpOps telnet_ops = {
    .connected = on_connected,
    .received = on_received,
    .ended = on_ended,
};

static bool parse_port(const char *s, uint16_t *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s && !*end && v >= 0 && v <= 65535) {
        *port = (uint16_t)v;
        return true;
    }
    return !(*s && !*end) && etc_service_port(s, port);
}

static void lookup_failed(Telnet *t)
{
    if (t->host_given)
        proc_exit(t->p, 1);
    else
        command_prompt(t);
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Telnet *t = ctx;
    Proc *p = t->p;
    t->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(p, CON_STDERR, "Server lookup failure:  %s:%s, %s\n", t->name,
                    t->port_text ? t->port_text : "telnet", resolve_strerror(st));
        lookup_failed(t);
        return;
    }
    char addr[16];
    ip_format(ip, addr);
    proc_printf(p, CON_STDOUT, "Trying %s...\n", addr);
    NetErr err = NET_OK;
    t->conn = tcp_connect(p->sim, p->node, ip, t->port, t->name, &telnet_ops, t, &err);
    if (t->conn)
        return;
    proc_printf(p, CON_STDERR, "telnet: Unable to connect to remote host: %s\n",
                err == NET_UNREACHABLE ? "Network is unreachable" : "No route to host");
    lookup_failed(t);
}

static void open_host(Telnet *t, const char *host, const char *port_s)
{
    Proc *p = t->p;
    free(t->name);
    free(t->port_text);
    t->name = xstrdup(host);
    t->port_text = port_s ? xstrdup(port_s) : NULL;
    t->port = TELNET_PORT;
    proc_wait_input(p, false);
    if (port_s && !parse_port(port_s, &t->port)) {
        proc_printf(p, CON_STDERR,
                    "Server lookup failure:  %s:%s, Servname not supported for ai_socktype\n", host,
                    port_s);
        lookup_failed(t);
        return;
    }
    /* an answer at once comes before resolve_name returns (NULL), and may
     * have ended the program: t is then not touched */
    Resolve *r = resolve_name(p->sim, p->node, host, on_resolved, t);
    if (r)
        t->lookup = r;
}

static void run_command(Telnet *t, const char *line)
{
    Cmdline cl;
    char err[128];
    bool split = cmdline_split(&cl, line, err, sizeof err);
    size_t argc = split ? cl.argc : 0;
    char **argv = cl.argv;
    if (argc == 0) {
        if (t->conn) { /* back to the connection */
            t->command_mode = false;
            proc_set_prompt(t->p, ""); /* typing goes to the connection */
        } else {
            command_prompt(t);
        }
    } else if (strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "q") == 0) {
        if (t->conn) {
            tcp_set_ops(t->conn, NULL, NULL);
            tcp_close(t->conn);
            t->conn = NULL;
            proc_printf(t->p, CON_STDOUT, "Connection closed.\n");
        }
        proc_exit(t->p, 0);
    } else if (strcmp(argv[0], "close") == 0 || strcmp(argv[0], "c") == 0) {
        if (t->conn) {
            tcp_set_ops(t->conn, NULL, NULL);
            tcp_close(t->conn);
            after_close(t, "Connection closed.", 0);
        } else {
            proc_printf(t->p, CON_STDOUT, "Need to be open first.\n");
            command_prompt(t);
        }
    } else if (strcmp(argv[0], "open") == 0 || strcmp(argv[0], "o") == 0) {
        if (t->conn) {
            proc_printf(t->p, CON_STDOUT, "?Already connected to %s\n", t->name);
            command_prompt(t);
        } else if (argc < 2) {
            proc_printf(t->p, CON_STDOUT, "usage: open [-l user] [-a] host-name [port]\n");
            command_prompt(t);
        } else {
            open_host(t, argv[1], argc > 2 ? argv[2] : NULL);
        }
    } else {
        proc_printf(t->p, CON_STDOUT, "?Invalid command\n");
        command_prompt(t);
    }
    cmdline_fini(&cl);
}

void telnet_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    Telnet *t = p->state;
    if (t->command_mode) {
        if (kind == PROC_IN_LINE)
            run_command(t, line);
        else if (kind == PROC_IN_EOF || kind == PROC_IN_INTR)
            proc_exit(p, kind == PROC_IN_INTR ? 130 : 0);
        return;
    }
    if (!t->conn)
        return;
    switch (kind) {
    case PROC_IN_LINE: {
        Buf b;
        buf_init(&b);
        if (t->eof_pending)
            buf_put(&b, "\x04", 1);
        t->eof_pending = false;
        buf_put(&b, line, len);
        buf_put(&b, "\r\n", 2);
        tcp_write(t->conn, b.data, b.len);
        buf_fini(&b);
        break;
    }
    case PROC_IN_EOF: /* the terminal passes ^D on as a character */
        t->eof_pending = true;
        break;
    case PROC_IN_INTR: { /* telnet's "interrupt process", then a timing mark */
        static const uint8_t intr[] = {IAC, IP, IAC, DO, TM};
        tcp_write(t->conn, intr, sizeof intr);
        break;
    }
    case PROC_IN_ESCAPE: /* the terminal shows ^]; telnet starts a new line */
        proc_printf(p, CON_STDOUT, "\n");
        command_prompt(t);
        break;
    }
}

void telnet_main(Proc *p, int argc, char **argv)
{
    Telnet *t = xcalloc(1, sizeof *t);
    t->p = p;
    p->state = t;
    p->free_state = telnet_free;
    int first = 1;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
        if (argv[1][1] == '-')
            proc_printf(p, CON_STDERR, "telnet: unrecognized option '%s'\n", argv[1]);
        else
            proc_printf(p, CON_STDERR, "telnet: invalid option -- '%c'\n", argv[1][1]);
        proc_printf(p, CON_STDERR,
                    "Try 'telnet --help' or 'telnet --usage' for more information.\n");
        proc_exit(p, 1);
        return;
    }
    if (argc - first == 0) {
        command_prompt(t);
        return;
    }
    t->host_given = true;
    open_host(t, argv[first], argc - first > 1 ? argv[first + 1] : NULL);
}
