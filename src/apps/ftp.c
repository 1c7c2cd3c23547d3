/* ftp — Debian 12's ftp (tnftp 20210827): `ftp [HOST [PORT]]`.
 *
 * Connects to the server's control connection, logs in with the
 * `Name (HOST:USER): ` and `Password:` prompts, then reads commands at
 * `ftp> `: open, user, close (disconnect), bye (quit, exit), pwd, cd,
 * cdup, ls (dir), get (recv), put (send), binary, ascii, passive, epsv4, delete,
 * mkdir, rmdir, rename, size, status, mget and mput (asking before each
 * file, "mget NAME [anpqy?]? ", until prompt turns that off), help.  Lines
 * are split as tnftp's makeargv splits them (ftp_cmds.c).  A missing
 * argument is asked for ("(remote-file) "), as tnftp's another() does, and
 * the answer completes the line; passive, prompt and epsv4 toggle, or set
 * what "on" or "off" names.  It sends what tnftp sends: after
 * login SYST and FEAT; for ls EPSV (or EPRT when passive mode is off)
 * then LIST; for get TYPE I, SIZE, EPSV, RETR, then MDTM; for put TYPE I,
 * EPSV, STOR (PASV and PORT instead of EPSV and EPRT after epsv4).  A refused
 * EPSV is followed by PASV, a refused PASV by active mode for good (the
 * usual sight after a failed login: two 530s and "Can't bind for data
 * connection"); SIZE and MDTM only once FEAT named them.  Like tnftp in a terminal it is
 * verbose: the server's replies are shown, except those of the commands it sends on its own (TYPE,
 * SIZE, MDTM, SYST, FEAT, PWD, EPSV and EPRT when refused).  A transfer ends with the progress
 * bar's final line (an 80-column terminal) and the summary, with rates from simulated time.
 * The transfers themselves are in ftp_transfer.c.
 *
 * Local files are the host user's (proto/vfs.h): get stores into the
 * working folder (/home/USER until a cd in its terminal), put reads from
 * there.  ASCII mode converts line ends as
 * tnftp does: CR LF to LF when receiving, LF to CR LF when sending.
 *
 * Limits: patterns only in mget (matched by the server) and mput (in the
 * working folder); no proxy, macros or the other settings
 * `status` lists; one address per name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/ftp_int.h"
#include "apps/shell_vars.h"

#define FTP_PORT_DEFAULT 21

static void run_command(Ftp *f, const char *line);

/* ---- the control connection --------------------------------------------------------- */

static const char *node_name(const Ftp *f)
{
    return f->p->sim->world->nodes[f->p->node].id;
}

void ftp_send_cmd(Ftp *f, bool quiet, ReplyFn fn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    f->quiet = quiet;
    f->then = fn;
    char *cap = NULL;
    if (trace_wanted(&f->p->sim->trace))
        cap = xasprintf("%s's ftp sends %s on the control connection", node_name(f),
                        strncmp(b.data, "PASS ", 5) == 0 ? "PASS (the password)" : b.data);
    textconn_send(f->ctl, b.data, cap);
    free(cap);
    buf_fini(&b);
}

/* The connection is gone (closed, reset, or the server's 421). */
static void lost(Ftp *f)
{
    ftp_job_end(f);
    if (f->ctl) {
        textconn_close(f->ctl);
        f->ctl = NULL;
    }
    f->connected = f->logged_in = false;
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Ftp *f = ctx;
    buf_put(&f->reply, line, len);
    buf_putc(&f->reply, '\n');
    bool digits = len >= 3 && line[0] >= '1' && line[0] <= '5' && line[1] >= '0' &&
                  line[1] <= '9' && line[2] >= '0' && line[2] <= '9';
    int code = digits ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0') : 0;
    if (f->ml_code) {
        if (code != f->ml_code || (len > 3 && line[3] == '-'))
            return; /* inside a multi-line reply */
        f->ml_code = 0;
    } else if (code && len > 3 && line[3] == '-') {
        f->ml_code = code;
        return;
    } else if (!code) {
        return;
    }
    /* a complete reply */
    f->code = code;
    char *text = buf_take(&f->reply);
    buf_init(&f->reply);
    ReplyFn fn = f->then;
    if (code >= 200 || !fn)
        f->then = NULL;
    if (code == 421 && !fn && f->want == W_COMMAND) { /* read with the next command */
        free(f->held);
        f->held = text;
        f->gone = true;
        return;
    }
    if (code == 421) { /* the server ends the session */
        proc_printf(f->p, CON_STDOUT, "%s", text);
        free(text);
        lost(f);
        ftp_prompt(f);
        return;
    }
    if (fn)
        fn(f, code, text);
    else if (!f->quiet)
        proc_printf(f->p, CON_STDOUT, "%s", text);
    free(text);
}

static void on_closed(void *ctx, TextConn *t)
{
    Ftp *f = ctx;
    (void)t;
    if (f->want == W_COMMAND && !f->then && f->connected) { /* at the prompt */
        textconn_close(f->ctl);
        f->ctl = NULL;
        f->gone = true;
        return;
    }
    bool waiting = f->then != NULL || f->want == W_NONE;
    textconn_close(f->ctl);
    f->ctl = NULL;
    ftp_job_end(f);
    f->connected = f->logged_in = false;
    f->then = NULL;
    if (waiting) {
        proc_printf(f->p, CON_STDOUT,
                    "421 Service not available, remote server has closed "
                    "connection.\n");
        ftp_prompt(f);
    }
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why);
static void on_connected(void *ctx, TextConn *t);

static const TextConnOps ctl_ops = {
    .connected = on_connected,
    .line = on_line,
    .closed = on_closed,
    .ended = on_ended,
};

/* ---- input ------------------------------------------------------------------------- */

void ftp_prompt(Ftp *f)
{
    if (f->mjob && f->connected) { /* the next file of mget or mput */
        ftp_mnext(f);
        return;
    }
    f->mjob = J_NONE;
    f->want = W_COMMAND;
    proc_set_echo(f->p, true);
    proc_printf(f->p, CON_STDOUT, "ftp> ");
    proc_set_prompt(f->p, "ftp> ");
    proc_wait_input(f->p, true);
}

void ftp_ask(Ftp *f, Want w, const char *text)
{
    f->want = w;
    proc_set_echo(f->p, w != W_PASSWORD);
    proc_printf(f->p, CON_STDOUT, "%s", text);
    proc_set_prompt(f->p, text);
    proc_wait_input(f->p, true);
}

void ftp_busy(Ftp *f)
{
    f->want = W_NONE;
    proc_wait_input(f->p, false);
}

/* ---- login ------------------------------------------------------------------------- */

static void after_feat(Ftp *f, int code, const char *text)
{
    /* tnftp tries SIZE and MDTM when FEAT itself fails */
    f->feat_size = code != 211 || strstr(text, "\n SIZE");
    f->feat_mdtm = code != 211 || strstr(text, "\n MDTM");
    ftp_prompt(f);
}

static void after_syst(Ftp *f, int code, const char *text)
{
    if (code == 215 && strncmp(text + 4, "UNIX Type: L8", 13) == 0) {
        proc_printf(f->p, CON_STDOUT,
                    "Remote system type is UNIX.\nUsing binary mode to transfer files.\n");
        f->ascii = false;
    } else if (code == 215) {
        char sys[64];
        sscanf(text + 4, "%63s", sys);
        proc_printf(f->p, CON_STDOUT, "Remote system type is %s.\n", sys);
    }
    ftp_send_cmd(f, true, after_feat, "FEAT");
}

static void login_done(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    if (code == 230) {
        f->logged_in = true;
        f->server_type = 'A';
        ftp_send_cmd(f, true, after_syst, "SYST");
        return;
    }
    if (f->by_user) /* the user command's words; the login after connecting warns */
        proc_printf(f->p, CON_STDOUT, "Login failed.\n");
    else
        proc_printf(f->p, CON_STDERR, "ftp: Login failed\n");
    ftp_prompt(f);
}

static void after_user(Ftp *f, int code, const char *text)
{
    if (code == 331 && f->remote) { /* `user NAME PASSWORD` */
        proc_printf(f->p, CON_STDOUT, "%s", text);
        char *pw = f->remote;
        f->remote = NULL;
        ftp_send_cmd(f, false, login_done, "PASS %s", pw);
        free(pw);
        return;
    }
    if (code == 331) {
        proc_printf(f->p, CON_STDOUT, "%s", text);
        ftp_ask(f, W_PASSWORD, "Password: ");
        return;
    }
    login_done(f, code, text);
}

static void login(Ftp *f)
{
    char *q = xasprintf("Name (%s:%s): ", f->host, vfs_user(f->p->sim->world, f->p->node));
    ftp_ask(f, W_NAME, q);
    free(q);
}

static void on_banner(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    if (code == 220 && !f->no_autologin)
        login(f);
    else
        ftp_prompt(f);
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Ftp *f = ctx;
    f->connected = f->ever_connected = true;
    /* tnftp's defaults for a new connection: ASCII until a UNIX server
     * logs in, EPSV and EPRT tried again, no features known */
    f->ascii = true;
    f->server_type = 'A';
    f->epsv4bad = f->feat_size = f->feat_mdtm = f->by_user = false;
    proc_printf(f->p, CON_STDOUT, "Connected to %s.\n", f->host);
    f->quiet = false;
    f->then = on_banner;
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Ftp *f = ctx;
    f->ctl = NULL;
    bool was = f->connected;
    ftp_job_end(f);
    f->connected = f->logged_in = false;
    f->then = NULL;
    if (!was) {
        const char *e = why == TCP_WHY_REFUSED        ? "Connection refused"
                        : why == TCP_WHY_NET_UNREACH  ? "Network is unreachable"
                        : why == TCP_WHY_HOST_UNREACH ? "No route to host"
                                                      : "Connection timed out";
        char addr[16];
        ip_format(f->ip, addr);
        char where[64];
        if (f->port == FTP_PORT_DEFAULT)
            snprintf(where, sizeof where, "%s:ftp", addr);
        else
            snprintf(where, sizeof where, "%s:%u", addr, f->port);
        proc_printf(f->p, CON_STDERR, "ftp: Can't connect to `%s': %s\n", where, e);
        proc_printf(f->p, CON_STDERR, "ftp: Can't connect to `%s'\n", f->host);
    } else {
        proc_printf(f->p, CON_STDOUT,
                    "421 Service not available, remote server has closed connection.\n");
    }
    ftp_prompt(f);
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Ftp *f = ctx;
    Proc *p = f->p;
    f->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(p, CON_STDERR, "ftp: Can't lookup `%s:ftp': %s\n", f->host,
                    resolve_strerror(st));
        ftp_prompt(f);
        return;
    }
    f->ip = ip;
    NetErr err = NET_OK;
    f->ctl = textconn_connect(p->sim, p->node, ip, f->port, f->host, &ctl_ops, f, &err);
    if (!f->ctl) {
        proc_printf(p, CON_STDERR, "ftp: Can't connect to `%s:ftp': %s\n", f->host,
                    err == NET_UNREACHABLE ? "Network is unreachable" : "No route to host");
        proc_printf(p, CON_STDERR, "ftp: Can't connect to `%s'\n", f->host);
        ftp_prompt(f);
    }
}

static void open_host(Ftp *f, const char *host, const char *port)
{
    free(f->host);
    f->host = xstrdup(host);
    f->port = FTP_PORT_DEFAULT;
    if (port) {
        long v = strtol(port, NULL, 10);
        if (v <= 0 || v > 65535) {
            proc_printf(f->p, CON_STDERR, "ftp: Unknown port `%s'\n", port);
            ftp_prompt(f);
            return;
        }
        f->port = (uint16_t)v;
    }
    ftp_busy(f);
    /* an answer at once comes before resolve_name returns (NULL), and may
     * have ended the program: f is then not touched */
    Resolve *r = resolve_name(f->p->sim, f->p->node, host, on_resolved, f);
    if (r)
        f->lookup = r;
}

/* ---- commands ---------------------------------------------------------------------- */

static void show_then_prompt(Ftp *f, int code, const char *text)
{
    (void)code;
    proc_printf(f->p, CON_STDOUT, "%s", text);
    ftp_prompt(f);
}

static void after_pwd(Ftp *f, int code, const char *text)
{
    const char *q1 = strchr(text, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
    if (code == 257 && q1 && q2)
        proc_printf(f->p, CON_STDOUT, "Remote directory: %.*s\n", (int)(q2 - q1 - 1), q1 + 1);
    else
        proc_printf(f->p, CON_STDOUT, "Unable to determine remote directory\n");
    ftp_prompt(f);
}

static void after_size_cmd(Ftp *f, int code, const char *text)
{
    if (code == 213)
        proc_printf(f->p, CON_STDOUT, "%s\t%s", f->remote, text + 4);
    else
        proc_printf(f->p, CON_STDOUT, "%s", text);
    free(f->remote);
    f->remote = NULL;
    ftp_prompt(f);
}

static void after_rnfr(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    char *to = f->rnfr_to;
    f->rnfr_to = NULL;
    if (code == 350)
        ftp_send_cmd(f, false, show_then_prompt, "RNTO %s", to);
    else
        ftp_prompt(f);
    free(to);
}

static void after_quit(Ftp *f, int code, const char *text)
{
    (void)code;
    proc_printf(f->p, CON_STDOUT, "%s", text);
    lost(f);
}

static void after_quit_exit(Ftp *f, int code, const char *text)
{
    after_quit(f, code, text);
    proc_exit(f->p, 0);
}

static void after_close(Ftp *f, int code, const char *text)
{
    after_quit(f, code, text);
    ftp_prompt(f);
}

/* tnftp's status.  Its mode, type, form and structure names and its
 * socket buffer sizes are set by its first connection: empty and 0 before. */
static void status(Ftp *f)
{
    Proc *p = f->p;
    if (f->connected)
        proc_printf(p, CON_STDOUT, "Connected %s %s.\n", f->logged_in ? "and logged into" : "to",
                    f->host);
    else
        proc_printf(p, CON_STDOUT, "Not connected.\n");
    proc_printf(p, CON_STDOUT,
                "No proxy connection.\n"
                "Gate ftp: off, server (none), port ftpgate.\n"
                "Passive mode: %s; fallback to active mode: %s.\n",
                f->passive ? "on" : "off", f->activefallback ? "on" : "off");
    if (f->ever_connected)
        proc_printf(p, CON_STDOUT, "Mode: stream; Type: %s; Form: non-print; Structure: file.\n",
                    f->ascii ? "ascii" : "binary");
    else
        proc_printf(p, CON_STDOUT, "Mode: ; Type: ; Form: ; Structure: .\n");
    proc_printf(p, CON_STDOUT,
                "Verbose: on; Bell: off; Prompting: %s; Globbing: on.\n"
                "Store unique: off; Receive unique: off.\n"
                "Preserve modification times: on.\n"
                "Case: off; CR stripping: on.\n"
                "Ntrans: off.\n"
                "Nmap: off.\n"
                "Hash mark printing: off; Mark count: 1024; Progress bar: on.\n"
                "Get transfer rate throttle: off; maximum: 0; increment 1024.\n"
                "Put transfer rate throttle: off; maximum: 0; increment 1024.\n"
                "Socket buffer sizes: send %d, receive %d.\n"
                "Use of PORT cmds: on.\n"
                "Use of EPSV/EPRT cmds for IPv4: %s%s.\n"
                "Use of EPSV/EPRT cmds for IPv6: on.\n"
                "Command line editing: on.\n"
                "Version: tnftp 20210827\n",
                f->prompting ? "on" : "off", f->ever_connected ? 16384 : 0,
                f->ever_connected ? 131072 : 0, f->epsv4 ? "on" : "off",
                f->epsv4 && f->epsv4bad ? " (disabled for this connection)" : "");
    f->code = 0;
    ftp_prompt(f);
}

/* A command that talks to the server, typed after the server ended the
 * session at the prompt: what tnftp's first read gets (the held 421, or
 * the end of the connection) is its answer, and the session is over. */
static void answer_gone(Ftp *f, const char *c)
{
    if (strcmp(c, "pwd") == 0) /* tnftp asks PWD quietly */
        proc_printf(f->p, CON_STDOUT, "Unable to determine remote directory\n");
    else
        proc_printf(f->p, CON_STDOUT, "%s",
                    f->held ? f->held
                            : "421 Service not available, remote server has closed connection.\n");
    free(f->held);
    f->held = NULL;
    f->gone = false;
    lost(f);
    if (strcmp(c, "user") == 0) /* USER's answer was the end */
        proc_printf(f->p, CON_STDOUT, "Login failed.\n");
    if (strcmp(c, "bye") == 0 || strcmp(c, "quit") == 0 || strcmp(c, "exit") == 0)
        proc_exit(f->p, 0);
    else
        ftp_prompt(f);
}

/* A command's usage; tnftp's code is then -1 (a get before login reads it). */
static void usage(Ftp *f, const char *name, const char *args)
{
    proc_printf(f->p, CON_STDOUT, "usage: %s%s%s\n", name, args[0] ? " " : "", args);
    f->code = -1;
    ftp_prompt(f);
}

/* tnftp's another(): the command lacks a word, so ftp asks for it
 * ("(remote-file) ") and runs the command's line again with the answer
 * added.  True when it asked; false when the last answer added no word
 * (the command then prints its usage). */
static bool another(Ftp *f, size_t argc, const char *what)
{
    if (f->asked_argc && argc <= f->asked_argc)
        return false;
    f->asked_argc = argc;
    char *q = xasprintf("(%s) ", what);
    ftp_ask(f, W_MORE, q);
    free(q);
    return true;
}

/* tnftp's togglevar: no word toggles, "on" and "off" (any case) set.
 * False after the usage. */
static bool toggle(Ftp *f, size_t argc, char **argv, bool *var)
{
    if (argc == 1) {
        *var = !*var;
    } else if (argc == 2 && strcasecmp(argv[1], "on") == 0) {
        *var = true;
    } else if (argc == 2 && strcasecmp(argv[1], "off") == 0) {
        *var = false;
    } else {
        usage(f, argv[0], "[ on | off ]");
        return false;
    }
    f->code = *var;
    return true;
}

/* passive: toggles passive mode and its fallback together; on (no
 * fallback), off, auto (passive with fallback) */
static void cmd_passive(Ftp *f, size_t argc, char **argv)
{
    if (argc == 1) {
        f->passive = f->activefallback = !f->passive;
    } else if (argc == 2 && strcasecmp(argv[1], "on") == 0) {
        f->passive = true;
        f->activefallback = false;
    } else if (argc == 2 && strcasecmp(argv[1], "off") == 0) {
        f->passive = f->activefallback = false;
    } else if (argc == 2 && strcasecmp(argv[1], "auto") == 0) {
        f->passive = f->activefallback = true;
    } else {
        usage(f, argv[0], "[ on | off | auto ]");
        return;
    }
    proc_printf(f->p, CON_STDOUT, "Passive mode: %s; fallback to active mode: %s.\n",
                f->passive ? "on" : "off", f->activefallback ? "on" : "off");
    f->code = f->passive; /* tnftp's passive leaves its mode as the code */
    ftp_prompt(f);
}

static void cmd_open(Ftp *f, size_t argc, char **argv)
{
    if (f->connected) {
        proc_printf(f->p, CON_STDOUT, "Already connected to %s, use close first.\n", f->host);
        f->code = -1;
        ftp_prompt(f);
    } else if (argc < 2 && another(f, argc, "to")) {
        /* asked */
    } else if (argc < 2 || argc > 3) {
        usage(f, argv[0], "host-name [port]");
    } else {
        open_host(f, argv[1], argc > 2 ? argv[2] : NULL);
    }
}

static void cmd_user(Ftp *f, size_t argc, char **argv)
{
    if (argc < 2 && another(f, argc, "username"))
        return;
    if (argc < 2 || argc > 4) {
        usage(f, argv[0], "username [password [account]]");
        return;
    }
    ftp_busy(f);
    if (argc > 2) {
        free(f->remote);
        f->remote = xstrdup(argv[2]);
    }
    f->by_user = true;
    ftp_send_cmd(f, false, after_user, "USER %s", argv[1]);
}

/* cd, delete, mkdir, rmdir, size: one word, asked for when missing */
static void cmd_one_arg(Ftp *f, size_t argc, char **argv)
{
    bool dir = strcmp(argv[0], "mkdir") == 0 || strcmp(argv[0], "rmdir") == 0;
    const char *what = dir                          ? "directory-name"
                       : strcmp(argv[0], "cd") == 0 ? "remote-directory"
                                                    : "remote-file";
    if (argc == 1 && another(f, argc, what))
        return;
    if (argc != 2) {
        usage(f, argv[0], what);
        return;
    }
    ftp_busy(f);
    if (strcmp(argv[0], "cd") == 0) {
        ftp_send_cmd(f, false, show_then_prompt, "CWD %s", argv[1]);
    } else if (strcmp(argv[0], "delete") == 0) {
        ftp_send_cmd(f, false, show_then_prompt, "DELE %s", argv[1]);
    } else if (strcmp(argv[0], "mkdir") == 0) {
        ftp_send_cmd(f, false, show_then_prompt, "MKD %s", argv[1]);
    } else if (strcmp(argv[0], "rmdir") == 0) {
        ftp_send_cmd(f, false, show_then_prompt, "RMD %s", argv[1]);
    } else {
        free(f->remote);
        f->remote = xstrdup(argv[1]);
        ftp_send_cmd(f, true, after_size_cmd, "SIZE %s", argv[1]);
    }
}

/* get and put: one name stands for both files; with none typed, ftp asks
 * for both (the answer to the first may give both) */
static void cmd_get_put(Ftp *f, size_t argc, char **argv)
{
    bool get = strcmp(argv[0], "get") == 0 || strcmp(argv[0], "recv") == 0;
    const char *first = get ? "remote-file" : "local-file";
    const char *second = get ? "local-file" : "remote-file";
    bool one = f->typed_argc == 2 && argc == 2; /* tnftp's loc */
    size_t n = one ? 3 : argc;
    if (n == 1 && another(f, n, first))
        return;
    if (n < 3 && another(f, n, second))
        return;
    if (n != 3) {
        usage(f, argv[0], get ? "remote-file [local-file]" : "local-file [remote-file]");
        return;
    }
    if (get)
        ftp_with_local_name(f, J_GET, argv[1], one ? argv[1] : argv[2]);
    else
        ftp_with_local_name(f, J_PUT, one ? NULL : argv[2], argv[1]);
}

static void cmd_mget_mput(Ftp *f, size_t argc, char **argv)
{
    bool mget = strcmp(argv[0], "mget") == 0;
    if (argc == 1 && another(f, argc, mget ? "remote-files" : "local-files"))
        return;
    if (argc == 1) {
        usage(f, argv[0], mget ? "remote-files" : "local-files");
        return;
    }
    ftp_busy(f);
    ftp_mfree(f);
    f->mjob = mget ? J_GET : J_PUT;
    if (mget) {
        f->mpatterns = xcalloc(argc - 1, sizeof *f->mpatterns);
        for (size_t i = 1; i < argc; i++)
            f->mpatterns[f->n_mpatterns++] = xstrdup(argv[i]);
    } else {
        ftp_mput_expand(f, argv + 1, argc - 1);
    }
    ftp_mnext(f);
}

static void cmd_rename(Ftp *f, size_t argc, char **argv)
{
    if (argc == 1 && another(f, argc, "from-name"))
        return;
    if (argc == 2 && another(f, argc, "to-name"))
        return;
    if (argc != 3) {
        usage(f, argv[0], "from-name to-name");
        return;
    }
    ftp_busy(f);
    free(f->rnfr_to);
    f->rnfr_to = xstrdup(argv[2]);
    ftp_send_cmd(f, false, after_rnfr, "RNFR %s", argv[1]);
}

static void cmd_ls(Ftp *f, size_t argc, char **argv)
{
    if (argc > 3) {
        usage(f, argv[0], "[remote-path [local-file]]");
        return;
    }
    if (argc == 3) { /* tnftp writes the listing into the local file */
        proc_printf(f->p, CON_STDOUT,
                    "ftp: minet's ftp does not offer a listing into a local file (`%s %s' shows "
                    "it)\n",
                    argv[0], argv[1]);
        ftp_prompt(f);
        return;
    }
    ftp_transfer(f, J_LIST, "LIST", argc > 1 ? argv[1] : NULL, NULL);
}

static void cmd_type(Ftp *f, bool ascii)
{
    ftp_busy(f);
    f->ascii = ascii;
    f->server_type = ascii ? 'A' : 'I';
    ftp_send_cmd(f, false, show_then_prompt, "TYPE %c", f->server_type);
}

/* The commands of tnftp's that this ftp runs; "" needs no connection
 * (tnftp's c_conn), the others print "Not connected." without one. */
typedef struct FtpCmd {
    const char *name;
    bool conn;
} FtpCmd;

static const FtpCmd OFFERED[] = {
    {"bye", false},    {"quit", false},    {"exit", false},  {"close", true}, {"disconnect", true},
    {"open", false},   {"passive", false}, {"epsv4", false}, {"help", false}, {"?", false},
    {"prompt", false}, {"status", false},  {"user", true},   {"pwd", true},   {"cd", true},
    {"cdup", true},    {"ls", true},       {"dir", true},    {"get", true},   {"recv", true},
    {"put", true},     {"send", true},     {"mget", true},   {"mput", true},  {"binary", true},
    {"image", true},   {"ascii", true},    {"delete", true}, {"mkdir", true}, {"rmdir", true},
    {"rename", true},  {"size", true},     {"lcd", false},
};

static const FtpCmd *offered(const char *name)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(OFFERED); i++)
        if (strcmp(OFFERED[i].name, name) == 0)
            return &OFFERED[i];
    return NULL;
}

/* lcd [DIR]: ftp's own working folder (the files get and put use), the
 * home without DIR; the terminal's stays where it was. */
static void cmd_lcd(Ftp *f, size_t argc, char **argv)
{
    Proc *p = f->p;
    if (argc > 2) {
        proc_printf(p, CON_STDOUT, "usage: %s [local-directory]\n", argv[0]);
        ftp_prompt(f);
        return;
    }
    char own[VFS_NAME_MAX + 8];
    snprintf(own, sizeof own, "/home/%s", vfs_user(p->sim->world, p->node));
    const char *home = proc_var(p, "HOME");
    const char *dir = argc == 2 ? argv[1] : home ? home : own;
    char path[VFS_PATH_MAX];
    VfsStat st;
    VfsErr e = proc_folder(p, dir, path, &st);
    if (e != VFS_OK) {
        proc_printf(p, CON_STDOUT, "ftp: Can't chdir `%s': %s\n", dir, vfs_strerror(e));
    } else {
        free(p->cwd);
        p->cwd = xstrdup(path);
        proc_printf(p, CON_STDOUT, "Local directory now: %s\n", path);
    }
    ftp_prompt(f);
}

/* Runs a command that needs no connection; false for the others. */
static bool run_local(Ftp *f, size_t argc, char **argv)
{
#define IS(a) (strcmp(argv[0], a) == 0)
    if (IS("bye") || IS("quit") || IS("exit")) {
        if (f->connected) {
            ftp_busy(f);
            ftp_send_cmd(f, false, after_quit_exit, "QUIT");
        } else {
            proc_exit(f->p, 0);
        }
    } else if (IS("open")) {
        cmd_open(f, argc, argv);
    } else if (IS("passive")) {
        cmd_passive(f, argc, argv);
    } else if (IS("help") || IS("?")) {
        ftp_help(f, argc, argv);
        ftp_prompt(f);
    } else if (IS("prompt")) {
        if (toggle(f, argc, argv, &f->prompting)) {
            proc_printf(f->p, CON_STDOUT, "Interactive mode %s.\n", f->prompting ? "on" : "off");
            ftp_prompt(f);
        }
    } else if (IS("epsv4")) {
        f->epsv4bad = false;
        if (toggle(f, argc, argv, &f->epsv4)) {
            proc_printf(f->p, CON_STDOUT, "EPSV/EPRT on IPv4 %s.\n", f->epsv4 ? "on" : "off");
            ftp_prompt(f);
        }
    } else if (IS("status")) {
        status(f);
    } else if (IS("lcd")) {
        cmd_lcd(f, argc, argv);
    } else {
        return false;
    }
    return true;
#undef IS
}

static void run_remote(Ftp *f, size_t argc, char **argv)
{
#define IS(a) (strcmp(argv[0], a) == 0)
    if (IS("close") || IS("disconnect")) {
        ftp_busy(f);
        ftp_send_cmd(f, false, after_close, "QUIT");
    } else if (IS("user")) {
        cmd_user(f, argc, argv);
    } else if (IS("pwd")) {
        ftp_busy(f);
        ftp_send_cmd(f, true, after_pwd, "PWD");
    } else if (IS("cdup")) {
        ftp_busy(f);
        ftp_send_cmd(f, false, show_then_prompt, "CDUP");
    } else if (IS("cd") || IS("delete") || IS("mkdir") || IS("rmdir") || IS("size")) {
        cmd_one_arg(f, argc, argv);
    } else if (IS("ls") || IS("dir")) {
        cmd_ls(f, argc, argv);
    } else if (IS("get") || IS("recv") || IS("put") || IS("send")) {
        cmd_get_put(f, argc, argv);
    } else if (IS("mget") || IS("mput")) {
        cmd_mget_mput(f, argc, argv);
    } else if (IS("binary") || IS("image") || IS("ascii")) {
        cmd_type(f, IS("ascii"));
    } else if (IS("rename")) {
        cmd_rename(f, argc, argv);
    }
#undef IS
}

/* Runs a command line: the typed one, or one that an answer to
 * another()'s question completed (f->asked_argc is then set). */
static void run_command(Ftp *f, const char *line)
{
    char *copy = xstrdup(line); /* line may be f->line itself */
    free(f->line);
    f->line = copy;
    char **argv;
    size_t argc = ftp_makeargv(copy, &argv);
    if (!f->asked_argc)
        f->typed_argc = argc;
    bool ambiguous = false;
    const char *c = argc ? ftp_cmd_find(argv[0], &ambiguous) : "";
    const FtpCmd *cmd = c && argc ? offered(c) : NULL;
    if (argc == 0) {
        ftp_prompt(f);
    } else if (!c) {
        proc_printf(f->p, CON_STDOUT, "?%s command.\n", ambiguous ? "Ambiguous" : "Invalid");
        ftp_prompt(f);
    } else if (!cmd) { /* a command of tnftp's that this one does not have */
        proc_printf(f->p, CON_STDOUT, "ftp: minet's ftp does not offer `%s'\n", c);
        ftp_prompt(f);
    } else if (cmd->conn && !f->connected) {
        proc_printf(f->p, CON_STDOUT, "Not connected.\n");
        ftp_prompt(f);
    } else {
        /* tnftp's handlers see the whole name ("usage: recv ...") */
        free(argv[0]);
        argv[0] = xstrdup(c);
        bool quit = strcmp(c, "bye") == 0 || strcmp(c, "quit") == 0 || strcmp(c, "exit") == 0;
        if (f->gone && (cmd->conn || quit)) /* it would talk to the server */
            answer_gone(f, c);
        else if (!run_local(f, argc, argv))
            run_remote(f, argc, argv);
    }
    ftp_freeargv(argv);
}

void ftp_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    (void)len;
    Ftp *f = p->state;
    if (kind == PROC_IN_EOF && f->want == W_MORE) { /* another()'s read, then intr() */
        proc_printf(p, CON_STDOUT, "\nEOF received; operation aborted.\n\n");
        ftp_prompt(f);
        return;
    }
    if (kind == PROC_IN_EOF) { /* tnftp quits at end of input */
        if (f->want == W_COMMAND || f->want == W_NAME) {
            proc_printf(p, CON_STDOUT, "\n");
            if (f->connected) {
                ftp_busy(f);
                ftp_send_cmd(f, false, after_quit_exit, "QUIT");
                return;
            }
            proc_exit(p, 0);
        }
        return;
    }
    if (kind == PROC_IN_INTR) {
        proc_printf(p, CON_STDOUT, "\n");
        if (f->want == W_COMMAND || f->want == W_NAME || f->want == W_PASSWORD || f->want == W_MORE)
            ftp_prompt(f);
        return;
    }
    if (kind != PROC_IN_LINE)
        return;
    switch (f->want) {
    case W_COMMAND:
        ftp_busy(f);
        f->asked_argc = 0;
        run_command(f, line);
        break;
    case W_MORE: { /* the line so far, a blank, the answer: tnftp parses it again */
        ftp_busy(f);
        char *l = xasprintf("%s %s", f->line, line);
        run_command(f, l);
        free(l);
        break;
    }
    case W_NAME:
        ftp_busy(f);
        f->by_user = false;
        ftp_send_cmd(f, false, after_user, "USER %s",
                     line[0] ? line : vfs_user(p->sim->world, p->node));
        break;
    case W_PASSWORD:
        ftp_busy(f);
        proc_set_echo(p, true);
        ftp_send_cmd(f, false, login_done, "PASS %s", line);
        break;
    case W_CONFIRM:
        ftp_busy(f);
        ftp_mconfirm(f, line);
        break;
    case W_NONE:
        break;
    }
}

static void ftp_free(void *state)
{
    Ftp *f = state;
    ftp_data_drop(f);
    if (f->ctl)
        textconn_close(f->ctl);
    resolve_cancel(f->lookup);
    free(f->host);
    free(f->cmd);
    free(f->remote);
    free(f->local_name);
    free(f->rnfr_to);
    free(f->held);
    free(f->line);
    ftp_mfree(f);
    buf_fini(&f->names);
    buf_fini(&f->reply);
    buf_fini(&f->final_text);
    buf_fini(&f->early);
    free(f);
}

void ftp_main(Proc *p, int argc, char **argv)
{
    Ftp *f = xcalloc(1, sizeof *f);
    f->p = p;
    f->passive = f->activefallback = true;
    f->epsv4 = true;
    f->sendport = -1;
    f->server_type = 'A';
    buf_init(&f->reply);
    buf_init(&f->final_text);
    buf_init(&f->early);
    buf_init(&f->names);
    f->prompting = true;
    p->state = f;
    p->free_state = ftp_free;
    /* tnftp's options: -n (no auto-login), -p (passive, the default),
     * -A (active), -i (no prompting), -v and -4 (what it does anyway);
     * its others say minet does not support them */
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'n') {
                f->no_autologin = true;
            } else if (*o == 'p') {
                f->passive = f->activefallback = true;
            } else if (*o == 'A') {
                f->passive = f->activefallback = false;
            } else if (*o == 'i') {
                f->prompting = false;
            } else if (*o == 'v' || *o == '4') {
                continue;
            } else if (strchr("6adefgRtVNoPqrsTxu", *o)) {
                proc_printf(p, CON_STDERR,
                            "ftp: minet's ftp does not support -%c (it supports -n, -p, -A, -i, "
                            "-v and -4)\n",
                            *o);
                proc_exit(p, 1);
                return;
            } else {
                proc_printf(p, CON_STDERR, "ftp: invalid option -- '%c'\n", *o);
                proc_printf(
                    p, CON_STDERR,
                    "usage: ftp [-46AadefginpRtVv] [-N NETRC] [-o OUTPUT] [-P PORT] [-q QUITTIME]\n"
                    "           [-r RETRY] [-s SRCADDR] [-T DIR,MAX[,INC]] [-x XFERSIZE]\n"
                    "           [[USER@]HOST [PORT]]\n"
                    "           [[USER@]HOST:[PATH][/]]\n"
                    "           [file:///PATH]\n"
                    "           [ftp://[USER[:PASSWORD]@]HOST[:PORT]/PATH[/][;type=TYPE]]\n"
                    "           [http://[USER[:PASSWORD]@]HOST[:PORT]/PATH]\n"
                    "           [https://[USER[:PASSWORD]@]HOST[:PORT]/PATH]\n"
                    "           ...\n"
                    "       ftp -u URL FILE ...\n"
                    "       ftp -?\n");
                proc_exit(p, 1);
                return;
            }
        }
    }
    if (i >= argc) {
        ftp_prompt(f);
        return;
    }
    open_host(f, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
}
