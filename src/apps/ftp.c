/* ftp — Debian 12's ftp (tnftp 20210827): `ftp [HOST [PORT]]`.
 *
 * Connects to the server's control connection, logs in with the
 * `Name (HOST:USER): ` and `Password:` prompts, then reads commands at
 * `ftp> `: open, user, close (disconnect), bye (quit, exit), pwd, cd,
 * cdup, ls (dir), get (recv), put (send), binary, ascii, passive, epsv4, delete,
 * mkdir, rmdir, rename, size, status, mget and mput (asking before each
 * file, "mget NAME [anpqy?]? ", until prompt turns that off).  It sends what tnftp sends: after
 * login SYST and FEAT; for ls EPSV (or EPRT when passive mode is off)
 * then LIST; for get TYPE I, SIZE, EPSV, RETR, then MDTM; for put TYPE I,
 * EPSV, STOR (PASV and PORT instead of EPSV and EPRT after epsv4).  Like tnftp in a terminal it is
 * verbose: the server's replies are shown, except those of the commands it sends on its own (TYPE,
 * SIZE, MDTM, SYST, FEAT, PWD).  A transfer ends with the progress bar's final line (an 80-column
 * terminal) and the summary, with rates from simulated time.
 *
 * Local files are the host user's (proto/vfs.h): get stores into
 * /home/USER, put reads from there.  ASCII mode converts line ends as
 * tnftp does: CR LF to LF when receiving, LF to CR LF when sending.
 *
 * Limits: patterns only in mget (matched by the server) and mput (in the
 * home folder); no proxy, macros or the other settings
 * `status` lists; one address per name. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/cmdline.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define FTP_PORT_DEFAULT 21
#define BAR_WIDTH        35 /* an 80-column terminal, less tnftp's BAROVERHEAD */
#define CHUNK            16384

typedef struct Ftp Ftp;
/* What a command does with its replies: every reply, 1xx included. */
typedef void (*ReplyFn)(Ftp *f, int code, const char *text);

typedef enum Want { W_NONE, W_COMMAND, W_NAME, W_PASSWORD, W_CONFIRM } Want;
typedef enum FtpJob { J_NONE, J_LIST, J_NLST, J_GET, J_PUT } FtpJob;

struct Ftp {
    Proc *p;
    TextConn *ctl;
    Resolve *lookup;
    char *host; /* as typed */
    uint16_t port;
    uint32_t ip;
    bool connected, logged_in;
    bool passive;     /* default on */
    bool epsv4;       /* EPSV and EPRT (default), or PASV and PORT */
    bool ascii;       /* the type asked for: binary after a UNIX login */
    char server_type; /* the server's current type: 'A' or 'I' */
    Want want;
    /* the reply being read */
    Buf reply;    /* its lines so far, each with \n */
    int ml_code;  /* a multi-line reply's code, or 0 */
    bool quiet;   /* do not show the replies of this command */
    ReplyFn then; /* what the current command does next */
    /* the transfer */
    FtpJob job;
    char *cmd;                 /* "LIST", "RETR notes.txt", … */
    char local[VFS_PATH_MAX];  /* the local file */
    char *local_name;          /* as typed */
    bool local_failed;         /* get could not open it: the data is dropped, then ABOR */
    char *remote;              /* as typed */
    TcpConn *listener, *data;  /* EPRT's, and the data connection */
    bool data_eof, final_seen; /* both end a transfer */
    int final_code;
    Buf final_text; /* the held final reply, shown after the bar */
    Buf early;      /* data that came before the 150 reply (tnftp reads that first) */
    bool started;   /* the 150 reply came */
    bool early_eof;
    uint64_t bytes, put_off, put_size;
    int64_t get_size; /* SIZE's answer before a get; -1 when it gave none */
    /* The server ended the session while the student sat at the prompt
     * (vsftpd's idle timeout, or a server that went away): tnftp reads the
     * control connection only for a command, so it learns it then.  held
     * is the 421 reply that came, or NULL for a bare close. */
    bool gone;
    char *held;
    bool cr_pending;
    SimTime t0, t_data_end;
    char *rnfr_to; /* rename's second name */
    /* mget and mput: the files still to do, and the patterns still to list */
    bool prompting; /* ask before each file (the prompt command toggles it) */
    FtpJob mjob;    /* J_GET or J_PUT while one runs, else J_NONE */
    bool mall;      /* "a": the rest without asking */
    bool asked;     /* this file's question was asked */
    char **mfiles, **mpatterns;
    size_t n_mfiles, next_mfile, n_mpatterns, next_mpattern;
    Buf names; /* NLST's answer */
};

static void prompt(Ftp *f);
static void run_command(Ftp *f, const char *line);

/* ---- output ------------------------------------------------------------------------ */

/* tnftp's rate: bytes per second in KiB (or MiB, … past 1,000 KiB). */
static void fmt_rate(char *out, size_t size, int width, uint64_t bytes, SimTime elapsed_us)
{
    static const char *const units[] = {"", "Ki", "Mi", "Gi", "Ti"};
    double secs = elapsed_us / 1e6;
    uint64_t bps = bytes;
    if (bytes > 0 && secs > 0.0)
        bps = (uint64_t)(bytes / secs);
    size_t i = 1;
    for (; bps >= 1024000 && i < 4; i++)
        bps /= 1024;
    snprintf(out, size, "%*llu.%02d %sB/s", width, (unsigned long long)(bps / 1024),
             (int)((bps % 1024) * 100 / 1024), units[i]);
}

/* The bar's final line.  tnftp draws the percentage, the bar and the
 * estimate only for a file of known, non-zero size (SIZE's answer for a get,
 * the local file's for a put); otherwise just the bytes and the rate. */
static void progress_bar(Ftp *f)
{
    static const char *const suffixes[] = {"", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int64_t size = f->job == J_PUT ? (int64_t)f->put_size : f->get_size;
    uint64_t abbrev = f->bytes;
    size_t i = 0;
    for (; abbrev >= 100000 && i < 6; i++)
        abbrev >>= 10;
    char rate[48];
    fmt_rate(rate, sizeof rate, 3, f->bytes, f->t_data_end - f->t0);
    if (size <= 0) {
        proc_printf(f->p, CON_STDOUT, " %5llu %-3s  %s \n", (unsigned long long)abbrev, suffixes[i],
                    rate);
        return;
    }
    int ratio = (int)(f->bytes * 100 / (uint64_t)size);
    if (ratio > 100)
        ratio = 100;
    char stars[BAR_WIDTH + 1];
    int n = BAR_WIDTH * ratio / 100;
    memset(stars, '*', (size_t)n);
    stars[n] = 0;
    /* no estimate when nothing came or more than the size came */
    const char *eta = f->bytes == 0 || f->bytes > (uint64_t)size ? "--:--" : "00:00";
    proc_printf(f->p, CON_STDOUT, "%3d%% |%s%*s| %5llu %-3s  %s    %s ETA\n", ratio, stars,
                BAR_WIDTH - n, "", (unsigned long long)abbrev, suffixes[i], rate, eta);
}

/* The summary line: tnftp prints none when no byte moved. */
static void summary(Ftp *f)
{
    SimTime el = f->p->sim->now - f->t0;
    int secs = (int)(el / 1000000);
    char rate[48], when[32];
    fmt_rate(rate, sizeof rate, 0, f->bytes, el);
    if (secs >= 3600)
        snprintf(when, sizeof when, "%2d:%02d:%02d", secs / 3600, secs % 3600 / 60, secs % 60);
    else
        snprintf(when, sizeof when, "%02d:%02d", secs / 60, secs % 60);
    proc_printf(f->p, CON_STDOUT, "%llu byte%s %s in %s (%s)\n", (unsigned long long)f->bytes,
                f->bytes == 1 ? "" : "s", f->job == J_PUT ? "sent" : "received", when, rate);
}

/* ---- the control connection --------------------------------------------------------- */

static const char *node_name(const Ftp *f)
{
    return f->p->sim->world->nodes[f->p->node].id;
}

/* Sends a command; fn gets its replies.  quiet: they are not shown. */
static void send_cmd(Ftp *f, bool quiet, ReplyFn fn, const char *fmt, ...) MN_PRINTF(4, 5);
static void send_cmd(Ftp *f, bool quiet, ReplyFn fn, const char *fmt, ...)
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

static void data_drop(Ftp *f)
{
    if (f->listener) {
        tcp_set_ops(f->listener, NULL, NULL);
        tcp_close(f->listener);
        f->listener = NULL;
    }
    if (f->data) {
        tcp_set_ops(f->data, NULL, NULL);
        tcp_close(f->data);
        f->data = NULL;
    }
}

static void job_end(Ftp *f)
{
    data_drop(f);
    f->job = J_NONE;
    free(f->cmd);
    f->cmd = NULL;
    free(f->remote);
    f->remote = NULL;
    buf_clear(&f->final_text);
}

/* The connection is gone (closed, reset, or the server's 421). */
static void lost(Ftp *f)
{
    job_end(f);
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
        prompt(f);
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
    job_end(f);
    f->connected = f->logged_in = false;
    f->then = NULL;
    if (waiting) {
        proc_printf(f->p, CON_STDOUT,
                    "421 Service not available, remote server has closed "
                    "connection.\n");
        prompt(f);
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

static void mnext(Ftp *f);

static void prompt(Ftp *f)
{
    if (f->mjob && f->connected) { /* the next file of mget or mput */
        mnext(f);
        return;
    }
    f->mjob = J_NONE;
    f->want = W_COMMAND;
    proc_set_echo(f->p, true);
    proc_printf(f->p, CON_STDOUT, "ftp> ");
    proc_set_prompt(f->p, "ftp> ");
    proc_wait_input(f->p, true);
}

static void ask(Ftp *f, Want w, const char *text)
{
    f->want = w;
    proc_set_echo(f->p, w != W_PASSWORD);
    proc_printf(f->p, CON_STDOUT, "%s", text);
    proc_set_prompt(f->p, text);
    proc_wait_input(f->p, true);
}

static void busy(Ftp *f)
{
    f->want = W_NONE;
    proc_wait_input(f->p, false);
}

/* ---- login ------------------------------------------------------------------------- */

static void after_feat(Ftp *f, int code, const char *text)
{
    (void)code;
    (void)text;
    prompt(f);
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
    send_cmd(f, true, after_feat, "FEAT");
}

static void login_done(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    if (code == 230) {
        f->logged_in = true;
        f->server_type = 'A';
        send_cmd(f, true, after_syst, "SYST");
        return;
    }
    proc_printf(f->p, CON_STDERR, "ftp: Login failed\n");
    prompt(f);
}

static void after_user(Ftp *f, int code, const char *text)
{
    if (code == 331 && f->remote) { /* `user NAME PASSWORD` */
        proc_printf(f->p, CON_STDOUT, "%s", text);
        char *pw = f->remote;
        f->remote = NULL;
        send_cmd(f, false, login_done, "PASS %s", pw);
        free(pw);
        return;
    }
    if (code == 331) {
        proc_printf(f->p, CON_STDOUT, "%s", text);
        ask(f, W_PASSWORD, "Password: ");
        return;
    }
    login_done(f, code, text);
}

static void login(Ftp *f)
{
    char *q = xasprintf("Name (%s:%s): ", f->host, vfs_user(f->p->sim->world, f->p->node));
    ask(f, W_NAME, q);
    free(q);
}

static void on_banner(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    if (code == 220)
        login(f);
    else
        prompt(f);
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Ftp *f = ctx;
    f->connected = true;
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
    job_end(f);
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
    prompt(f);
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
        prompt(f);
        return;
    }
    f->ip = ip;
    NetErr err = NET_OK;
    f->ctl = textconn_connect(p->sim, p->node, ip, f->port, f->host, &ctl_ops, f, &err);
    if (!f->ctl) {
        proc_printf(p, CON_STDERR, "ftp: Can't connect to `%s:ftp': %s\n", f->host,
                    err == NET_UNREACHABLE ? "Network is unreachable" : "No route to host");
        proc_printf(p, CON_STDERR, "ftp: Can't connect to `%s'\n", f->host);
        prompt(f);
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
            prompt(f);
            return;
        }
        f->port = (uint16_t)v;
    }
    busy(f);
    f->lookup = resolve_name(f->p->sim, f->p->node, host, on_resolved, f);
}

/* ---- local files -------------------------------------------------------------------- */

static bool local_path(Ftp *f, const char *name, char *out)
{
    return proc_path(f->p, name, out) == VFS_OK;
}

/* ---- transfers --------------------------------------------------------------------- */

/* get's checks before it asks for the file, as tnftp's: the file must be
 * writable (access(2)), or its folder; a file of the user's own that is
 * not is made writable (chmod 0600), another's cannot be.  *step names
 * the step that failed ("access" or "chmod"). */
static VfsErr get_may_write(Ftp *f, const char **step)
{
    Vfs *v = vfs_of(f->p->sim);
    const char *user = vfs_user(f->p->sim->world, f->p->node);
    VfsStat st;
    VfsErr e = vfs_stat(v, f->p->node, f->local, &st);
    if (e == VFS_OK && vfs_may_write(&st, user))
        return VFS_OK;
    VfsErr folder = proc_may_name(f->p, f->local);
    if (folder != VFS_OK || e != VFS_OK)
        return folder;
    *step = "chmod";
    if (strcmp(st.owner, user))
        return VFS_EPERM;
    return vfs_chmod(v, f->p->node, f->local, 0600);
}

static void transfer_finish(Ftp *f);
static void madd(Ftp *f, const char *name, size_t len);

static void after_mdtm(Ftp *f, int code, const char *text)
{
    (void)code;
    (void)text;
    job_end(f);
    prompt(f);
}

static void after_abor(Ftp *f, int code, const char *text)
{
    (void)code;
    proc_printf(f->p, CON_STDOUT, "%s", text);
    job_end(f);
    prompt(f);
}

static void put_pump(Ftp *f)
{
    Vfs *v = vfs_of(f->p->sim);
    while (f->data && f->put_off < f->put_size) {
        size_t room = tcp_sndbuf(f->data);
        if (room < 2)
            return;
        uint8_t raw[CHUNK / 2], out[CHUNK];
        size_t want = room / 2 < sizeof raw ? room / 2 : sizeof raw, got = 0, n = 0;
        vfs_read(v, f->p->node, f->local, f->put_off, raw, want, &got);
        if (got == 0)
            break;
        for (size_t i = 0; i < got; i++) {
            if (f->ascii && raw[i] == '\n')
                out[n++] = '\r';
            out[n++] = raw[i];
        }
        tcp_write(f->data, out, n);
        f->put_off += got;
        f->bytes += n;
    }
    if (f->data && f->put_off >= f->put_size) {
        /* the end of the file: FIN on the data connection */
        tcp_set_ops(f->data, NULL, NULL);
        tcp_close(f->data);
        f->data = NULL;
        f->data_eof = true;
        f->t_data_end = f->p->sim->now;
        transfer_finish(f);
    }
}

/* Bytes of the data connection, once the 150 reply is read: a listing is
 * shown, a file stored.  In ASCII mode (a listing always) CR LF becomes LF. */
static void take_bytes(Ftp *f, const uint8_t *d, size_t len)
{
    f->bytes += len;
    Buf b;
    buf_init(&b);
    if (f->ascii || f->job == J_LIST || f->job == J_NLST) {
        for (size_t i = 0; i < len; i++) {
            if (f->cr_pending && d[i] != '\n')
                buf_putc(&b, '\r');
            f->cr_pending = d[i] == '\r';
            if (!f->cr_pending)
                buf_putc(&b, (char)d[i]);
        }
    } else {
        buf_put(&b, d, len);
    }
    if (b.len && f->job == J_LIST)
        proc_printf(f->p, CON_STDOUT, "%s", b.data);
    else if (b.len && f->job == J_NLST)
        buf_put(&f->names, b.data, b.len);
    else if (b.len && f->job == J_GET)
        vfs_append(vfs_of(f->p->sim), f->p->node, f->local, b.data, b.len);
    buf_fini(&b);
}

static void take_eof(Ftp *f)
{
    if (f->cr_pending && f->job == J_GET)
        vfs_append(vfs_of(f->p->sim), f->p->node, f->local, "\r", 1);
    f->cr_pending = false;
    f->data_eof = true;
    f->t_data_end = f->p->sim->now;
    transfer_finish(f);
}

static void data_received(void *ctx, TcpConn *c, const uint8_t *d, size_t len)
{
    Ftp *f = ctx;
    bool early = !f->started; /* kept until the 150 reply is read */
    if (len == 0) {
        tcp_set_ops(c, NULL, NULL);
        tcp_close(c);
        f->data = NULL;
        if (early)
            f->early_eof = true;
        else
            take_eof(f);
        return;
    }
    tcp_recved(c, len);
    if (early)
        buf_put(&f->early, d, len);
    else
        take_bytes(f, d, len);
}

static void data_sent(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    Ftp *f = ctx;
    if (f->job == J_PUT && f->started && !f->final_seen)
        put_pump(f);
}

static void data_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    (void)why;
    Ftp *f = ctx;
    f->data = NULL;
    if (f->data_eof || f->early_eof)
        return;
    if (!f->started)
        f->early_eof = true;
    else
        take_eof(f);
}

static void data_connected(void *ctx, TcpConn *c);

static const TcpOps data_ops = {
    .connected = data_connected,
    .received = data_received,
    .sent = data_sent,
    .ended = data_ended,
};

static void data_accepted(void *ctx, TcpConn *listener, TcpConn *c)
{
    (void)listener;
    Ftp *f = ctx;
    if (f->data) {
        tcp_abort(c);
        return;
    }
    f->data = c;
    tcp_set_ops(c, &data_ops, f);
    tcp_set_ops(f->listener, NULL, NULL);
    tcp_close(f->listener);
    f->listener = NULL;
    if (f->job == J_PUT && f->started && !f->final_seen)
        put_pump(f);
}

static const TcpOps listen_ops = {.accepted = data_accepted};

/* Both ends of a transfer are in: the data connection's end and the final
 * reply.  tnftp shows the bar, then the reply, then the summary. */
static void transfer_finish(Ftp *f)
{
    if (!f->data_eof || !f->final_seen)
        return;
    bool ok = f->final_code == 226 || f->final_code == 250;
    bool file = (f->job == J_GET && !f->local_failed) || f->job == J_PUT;
    if (file && f->t0)
        progress_bar(f);
    if (f->final_text.len && f->job != J_NLST)
        proc_printf(f->p, CON_STDOUT, "%s", f->final_text.data);
    if (file && f->t0 && ok && f->bytes > 0)
        summary(f);
    if (f->local_failed) { /* tnftp's abort: the server has nothing left to stop */
        send_cmd(f, false, after_abor, "ABOR");
        return;
    }
    if (f->job == J_GET && ok) {
        send_cmd(f, true, after_mdtm, "MDTM %s", f->remote);
        return;
    }
    if (f->job == J_NLST) { /* mget's names, one a line */
        for (char *l = f->names.data; l && *l;) {
            char *e = strchr(l, '\n');
            size_t n = e ? (size_t)(e - l) : strlen(l);
            if (n)
                madd(f, l, n);
            l = e ? e + 1 : l + n;
        }
    }
    job_end(f);
    prompt(f);
}

static void transfer_reply(Ftp *f, int code, const char *text)
{
    bool hush = f->job == J_NLST; /* mget's listing is not shown */
    if (code == 150 || code == 125) {
        if (!hush)
            proc_printf(f->p, CON_STDOUT, "%s", text);
        f->final_code = 150;
        f->started = true;
        f->then = transfer_reply; /* the final reply follows */
        if (f->job == J_GET) {    /* tnftp opens the file now (a folder fails) */
            VfsErr e = vfs_create(vfs_of(f->p->sim), f->p->node, f->local,
                                  vfs_user(f->p->sim->world, f->p->node));
            if (e != VFS_OK) {
                proc_printf(f->p, CON_STDERR, "ftp: Can't open `%s': %s\n", f->local_name,
                            vfs_strerror(e));
                f->local_failed = true;
            }
        }
        if (f->job == J_PUT)
            put_pump(f);
        if (f->early.len)
            take_bytes(f, (const uint8_t *)f->early.data, f->early.len);
        buf_clear(&f->early);
        if (f->early_eof) {
            f->early_eof = false;
            take_eof(f);
        }
        return;
    }
    if (!f->started) { /* refused before any data */
        if (!hush)
            proc_printf(f->p, CON_STDOUT, "%s", text);
        job_end(f);
        prompt(f);
        return;
    }
    f->final_seen = true;
    f->final_code = code;
    buf_clear(&f->final_text);
    buf_puts(&f->final_text, text);
    transfer_finish(f);
}

static void send_transfer(Ftp *f)
{
    f->t0 = f->p->sim->now; /* the rates count from the request */
    send_cmd(f, false, transfer_reply, "%s", f->cmd);
}

static void data_connected(void *ctx, TcpConn *c)
{
    (void)c;
    send_transfer(ctx);
}

static void after_epsv(Ftp *f, int code, const char *text)
{
    if (f->job != J_NLST)
        proc_printf(f->p, CON_STDOUT, "%s", text);
    const char *bar = strstr(text, "(|||");
    const char *paren = strchr(text, '(');
    unsigned port = 0, h[4], p1 = 256, p2 = 256;
    if (code == 227 && paren &&
        sscanf(paren, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3], &p1, &p2) == 6 &&
        p1 < 256 && p2 < 256)
        port = p1 << 8 | p2; /* PASV: tnftp connects to the control connection's address */
    else if (code != 229 || !bar || sscanf(bar, "(|||%u|)", &port) != 1)
        port = 0;
    if (!port || port > 65535) {
        job_end(f);
        prompt(f);
        return;
    }
    NetErr err = NET_OK;
    f->data =
        tcp_connect(f->p->sim, f->p->node, f->ip, (uint16_t)port, f->host, &data_ops, f, &err);
    if (!f->data) {
        proc_printf(f->p, CON_STDERR, "ftp: Can't connect to `%s': No route to host\n", f->host);
        job_end(f);
        prompt(f);
    }
}

static void after_eprt(Ftp *f, int code, const char *text)
{
    if (f->job != J_NLST)
        proc_printf(f->p, CON_STDOUT, "%s", text);
    if (code != 200) {
        job_end(f);
        prompt(f);
        return;
    }
    send_transfer(f);
}

/* Sets up the data connection (EPSV, or EPRT with a listening port), then
 * sends f->cmd. */
static void start_data(Ftp *f)
{
    f->data_eof = f->final_seen = f->started = false;
    f->final_code = 0;
    f->bytes = 0;
    f->t0 = 0;
    buf_clear(&f->early);
    f->early_eof = false;
    f->cr_pending = false;
    if (f->passive) {
        send_cmd(f, true, after_epsv, f->epsv4 ? "EPSV" : "PASV");
        return;
    }
    f->listener = tcp_listen(f->p->sim, f->p->node, 0, 1, &listen_ops, f);
    TcpInfo li, ci;
    tcp_info(f->listener, &li);
    tcp_info(textconn_tcp(f->ctl), &ci);
    char addr[16];
    ip_format(ci.local_ip, addr);
    if (f->epsv4) {
        send_cmd(f, true, after_eprt, "EPRT |1|%s|%u|", addr, li.local_port);
        return;
    }
    uint32_t a = ci.local_ip;
    send_cmd(f, true, after_eprt, "PORT %u,%u,%u,%u,%u,%u", a >> 24, (a >> 16) & 255,
             (a >> 8) & 255, a & 255, li.local_port >> 8, li.local_port & 255);
}

static void after_type(Ftp *f, int code, const char *text);

/* Sends TYPE when the server's differs from the one this transfer needs. */
static bool need_type(Ftp *f, char want)
{
    if (f->server_type == want)
        return false;
    f->server_type = want;
    send_cmd(f, true, after_type, "TYPE %c", want);
    return true;
}

static void after_size(Ftp *f, int code, const char *text)
{
    char *end = NULL;
    unsigned long long n = code == 213 ? strtoull(text + 4, &end, 10) : 0;
    f->get_size = code == 213 && end != text + 4 ? (int64_t)n : -1;
    start_data(f);
}

static void after_type(Ftp *f, int code, const char *text)
{
    (void)code;
    (void)text;
    f->get_size = -1;
    if (f->job == J_GET)
        send_cmd(f, true, after_size, "SIZE %s", f->remote);
    else
        start_data(f);
}

/* ---- commands ---------------------------------------------------------------------- */

static void show_then_prompt(Ftp *f, int code, const char *text)
{
    (void)code;
    proc_printf(f->p, CON_STDOUT, "%s", text);
    prompt(f);
}

static void after_pwd(Ftp *f, int code, const char *text)
{
    const char *q1 = strchr(text, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
    if (code == 257 && q1 && q2)
        proc_printf(f->p, CON_STDOUT, "Remote directory: %.*s\n", (int)(q2 - q1 - 1), q1 + 1);
    else
        proc_printf(f->p, CON_STDOUT, "Unable to determine remote directory\n");
    prompt(f);
}

static void after_size_cmd(Ftp *f, int code, const char *text)
{
    if (code == 213)
        proc_printf(f->p, CON_STDOUT, "%s\t%s", f->remote, text + 4);
    else
        proc_printf(f->p, CON_STDOUT, "%s", text);
    free(f->remote);
    f->remote = NULL;
    prompt(f);
}

static void after_rnfr(Ftp *f, int code, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "%s", text);
    char *to = f->rnfr_to;
    f->rnfr_to = NULL;
    if (code == 350)
        send_cmd(f, false, show_then_prompt, "RNTO %s", to);
    else
        prompt(f);
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
    prompt(f);
}

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
                "Passive mode: %s; fallback to active mode: %s.\n"
                "Mode: stream; Type: %s; Form: non-print; Structure: file.\n"
                "Verbose: on; Bell: off; Prompting: on; Globbing: on.\n"
                "Store unique: off; Receive unique: off.\n"
                "Preserve modification times: on.\n"
                "Case: off; CR stripping: on.\n"
                "Ntrans: off.\n"
                "Nmap: off.\n"
                "Hash mark printing: off; Mark count: 1024; Progress bar: on.\n"
                "Get transfer rate throttle: off; maximum: 0; increment 1024.\n"
                "Put transfer rate throttle: off; maximum: 0; increment 1024.\n"
                "Socket buffer sizes: send 16384, receive 131072.\n"
                "Use of PORT cmds: on.\n"
                "Use of EPSV/EPRT cmds for IPv4: %s.\n"
                "Use of EPSV/EPRT cmds for IPv6: on.\n"
                "Command line editing: on.\n"
                "Version: tnftp 20210827\n",
                f->passive ? "on" : "off", f->passive ? "on" : "off", f->ascii ? "ascii" : "binary",
                f->epsv4 ? "on" : "off");
    prompt(f);
}

/* get, put and ls share their start: the transfer, then its data. */
static void transfer(Ftp *f, FtpJob job, const char *verb, const char *remote, const char *local)
{
    f->job = job;
    free(f->remote);
    f->remote = remote ? xstrdup(remote) : NULL;
    free(f->cmd);
    f->cmd = remote && remote[0] ? xasprintf("%s %s", verb, remote) : xstrdup(verb);
    busy(f);
    if (job == J_LIST || job == J_NLST) {
        if (!need_type(f, 'A'))
            start_data(f);
        return;
    }
    if (!f->asked) /* mget's question named the file already */
        proc_printf(f->p, CON_STDOUT, "local: %s remote: %s\n", local, remote);
    free(f->local_name);
    f->local_name = xstrdup(local);
    f->local_failed = false;
    VfsErr bad = proc_path(f->p, local, f->local);
    const char *step = job == J_GET ? "access" : "open";
    if (bad == VFS_OK && job == J_GET)
        bad = get_may_write(f, &step);
    if (bad != VFS_OK) {
        proc_printf(f->p, CON_STDERR, "ftp: Can't %s `%s': %s\n", step, local, vfs_strerror(bad));
        job_end(f);
        prompt(f);
        return;
    }
    if (job == J_PUT) {
        VfsStat st;
        VfsErr e = vfs_stat(vfs_of(f->p->sim), f->p->node, f->local, &st);
        if (e == VFS_OK && st.dir)
            e = VFS_EISDIR;
        if (e != VFS_OK) {
            proc_printf(f->p, CON_STDERR, "ftp: Can't open `%s': %s\n", local, vfs_strerror(e));
            job_end(f);
            prompt(f);
            return;
        }
        f->put_size = st.size;
        f->put_off = 0;
    }
    if (!need_type(f, f->ascii ? 'A' : 'I'))
        after_type(f, 200, "");
}

/* get and put: tnftp drops a local name's trailing "/" (its glob does),
 * and put names the remote file after what is left. */
static void with_local_name(Ftp *f, FtpJob job, const char *remote, const char *local)
{
    size_t n = strlen(local);
    while (n > 1 && local[n - 1] == '/')
        n--;
    char *name = xstrndup(local, n);
    transfer(f, job, job == J_GET ? "RETR" : "STOR", remote ? remote : name, name);
    free(name);
}

/* ---- mget and mput ---------------------------------------------------- */

static void mfree(Ftp *f)
{
    for (size_t i = 0; i < f->n_mfiles; i++)
        free(f->mfiles[i]);
    for (size_t i = 0; i < f->n_mpatterns; i++)
        free(f->mpatterns[i]);
    free(f->mfiles);
    free(f->mpatterns);
    f->mfiles = f->mpatterns = NULL;
    f->n_mfiles = f->next_mfile = f->n_mpatterns = f->next_mpattern = 0;
    f->mjob = J_NONE;
    f->mall = false;
}

static void madd(Ftp *f, const char *name, size_t len)
{
    f->mfiles = xrealloc(f->mfiles, (f->n_mfiles + 1) * sizeof *f->mfiles);
    f->mfiles[f->n_mfiles++] = xstrndup(name, len);
}

/* mget stores a name with a folder in it only where that folder exists
 * here, as tnftp does (it will not write outside the local folder). */
static bool skip_nonlocal(Ftp *f, const char *name)
{
    const char *slash = strrchr(name, '/');
    if (!slash)
        return false;
    char dir[VFS_PATH_MAX], path[VFS_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - name), name);
    VfsStat st;
    if (local_path(f, dir[0] ? dir : "/", path) &&
        vfs_stat(vfs_of(f->p->sim), f->p->node, path, &st) == VFS_OK && st.dir)
        return false;
    proc_printf(f->p, CON_STDERR, "ftp: Unable to determine real path of `%s': %s\n", dir,
                "No such file or directory");
    proc_printf(f->p, CON_STDERR, "Skipping non-relative filename `%s'\n", name);
    return true;
}

/* The next step of mget or mput: the next pattern's listing, the next
 * file's question (or transfer), or the prompt when all are done. */
static void mnext(Ftp *f)
{
    if (f->mjob == J_GET && f->next_mpattern < f->n_mpatterns) {
        buf_clear(&f->names);
        transfer(f, J_NLST, "NLST", f->mpatterns[f->next_mpattern++], NULL);
        return;
    }
    if (f->next_mfile >= f->n_mfiles) {
        mfree(f);
        prompt(f);
        return;
    }
    const char *name = f->mfiles[f->next_mfile];
    if (f->prompting && !f->mall) {
        char *q = xasprintf("%s %s [anpqy?]? ", f->mjob == J_GET ? "mget" : "mput", name);
        ask(f, W_CONFIRM, q);
        free(q);
        return;
    }
    f->next_mfile++;
    if (f->mjob == J_GET && skip_nonlocal(f, name)) {
        mnext(f);
        return;
    }
    transfer(f, f->mjob, f->mjob == J_GET ? "RETR" : "STOR", name, name);
}

/* The answer to "mget NAME [anpqy?]? ", as tnftp's confirm() reads it. */
static void mconfirm(Ftp *f, const char *line)
{
    const char *name = f->mfiles[f->next_mfile];
    switch (line[0] | 0x20) {
    case 'n':
        f->next_mfile++;
        mnext(f);
        return;
    case 'q':
        mfree(f);
        prompt(f);
        return;
    case '?' | 0x20:
        proc_printf(f->p, CON_STDOUT,
                    "\ta  answer `yes' to all remaining prompts\n"
                    "\tn  answer `no' to this prompt\n"
                    "\tp  turn off prompting (same as the prompt command)\n"
                    "\tq  answer `no' to all remaining prompts and quit\n"
                    "\ty  answer `yes' to this prompt\n");
        mnext(f);
        return;
    case 'a':
        f->mall = true;
        break;
    case 'p':
        f->prompting = false;
        proc_printf(f->p, CON_STDOUT, "Interactive mode: off.\n");
        break;
    default: /* y, and anything else */
        break;
    }
    f->next_mfile++;
    if (f->mjob == J_GET && skip_nonlocal(f, name)) {
        mnext(f);
        return;
    }
    f->asked = true;
    transfer(f, f->mjob, f->mjob == J_GET ? "RETR" : "STOR", name, name);
    f->asked = false;
}

/* mput's patterns, matched against the files in the user's home. */
static void mput_expand(Ftp *f, char **pats, size_t n)
{
    char home[VFS_PATH_MAX];
    if (proc_path(f->p, ".", home) != VFS_OK)
        return;
    for (size_t k = 0; k < n; k++) {
        if (!strpbrk(pats[k], "*?[")) {
            madd(f, pats[k], strlen(pats[k]));
            continue;
        }
        VfsDirent *ents = NULL;
        size_t m = 0;
        vfs_list(vfs_of(f->p->sim), f->p->node, home, &ents, &m);
        for (size_t i = 0; i < m; i++)
            if (!ents[i].st.dir && fnmatch(pats[k], ents[i].name, FNM_PERIOD) == 0)
                madd(f, ents[i].name, strlen(ents[i].name));
        free(ents);
    }
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
    if (strcmp(c, "bye") == 0 || strcmp(c, "quit") == 0 || strcmp(c, "exit") == 0)
        proc_exit(f->p, 0);
    else
        prompt(f);
}

static bool need_conn(Ftp *f)
{
    if (f->connected)
        return true;
    proc_printf(f->p, CON_STDOUT, "Not connected.\n");
    prompt(f);
    return false;
}

static void usage(Ftp *f, const char *text)
{
    proc_printf(f->p, CON_STDOUT, "usage: %s\n", text);
    prompt(f);
}

/* tnftp's commands, for its abbreviations ("bi" is binary, "a" is
 * ambiguous) and its help. */
static const char *const COMMANDS[] = {
    "!",        "$",          "account", "append",  "ascii",    "bell",    "binary",   "bye",
    "case",     "cd",         "cdup",    "chmod",   "close",    "cr",      "debug",    "delete",
    "dir",      "disconnect", "edit",    "epsv",    "epsv4",    "epsv6",   "exit",     "features",
    "fget",     "form",       "ftp",     "gate",    "get",      "glob",    "hash",     "help",
    "idle",     "image",      "lcd",     "less",    "lpage",    "lpwd",    "ls",       "macdef",
    "mdelete",  "mdir",       "mget",    "mkdir",   "mls",      "mlsd",    "mlst",     "mode",
    "modtime",  "more",       "mput",    "mreget",  "msend",    "newer",   "nlist",    "nmap",
    "ntrans",   "open",       "page",    "passive", "pdir",     "pls",     "pmlsd",    "preserve",
    "progress", "prompt",     "proxy",   "put",     "pwd",      "quit",    "quote",    "rate",
    "rcvbuf",   "recv",       "reget",   "remopts", "rename",   "reset",   "restart",  "rhelp",
    "rmdir",    "rstatus",    "runique", "send",    "sendport", "set",     "site",     "size",
    "sndbuf",   "status",     "struct",  "sunique", "system",   "tenex",   "throttle", "trace",
    "type",     "umask",      "unset",   "usage",   "user",     "verbose", "xferbuf",  "?",
};

static const char HELP_TEXT[] = "Commands may be abbreviated.  Commands are:\n\n"
                                "!\t\tepsv6\t\tmget\t\tpreserve\tsendport\n"
                                "$\t\texit\t\tmkdir\t\tprogress\tset\n"
                                "account\t\tfeatures\tmls\t\tprompt\t\tsite\n"
                                "append\t\tfget\t\tmlsd\t\tproxy\t\tsize\n"
                                "ascii\t\tform\t\tmlst\t\tput\t\tsndbuf\n"
                                "bell\t\tftp\t\tmode\t\tpwd\t\tstatus\n"
                                "binary\t\tgate\t\tmodtime\t\tquit\t\tstruct\n"
                                "bye\t\tget\t\tmore\t\tquote\t\tsunique\n"
                                "case\t\tglob\t\tmput\t\trate\t\tsystem\n"
                                "cd\t\thash\t\tmreget\t\trcvbuf\t\ttenex\n"
                                "cdup\t\thelp\t\tmsend\t\trecv\t\tthrottle\n"
                                "chmod\t\tidle\t\tnewer\t\treget\t\ttrace\n"
                                "close\t\timage\t\tnlist\t\tremopts\t\ttype\n"
                                "cr\t\tlcd\t\tnmap\t\trename\t\tumask\n"
                                "debug\t\tless\t\tntrans\t\treset\t\tunset\n"
                                "delete\t\tlpage\t\topen\t\trestart\t\tusage\n"
                                "dir\t\tlpwd\t\tpage\t\trhelp\t\tuser\n"
                                "disconnect\tls\t\tpassive\t\trmdir\t\tverbose\n"
                                "edit\t\tmacdef\t\tpdir\t\trstatus\t\txferbuf\n"
                                "epsv\t\tmdelete\t\tpls\t\trunique\t\t?\n"
                                "epsv4\t\tmdir\t\tpmlsd\t\tsend\n";

/* The command a typed word names: itself, or the one command it abbreviates;
 * NULL and *ambiguous when it abbreviates several. */
static const char *find_command(const char *word, bool *ambiguous)
{
    const char *found = NULL;
    size_t len = strlen(word);
    *ambiguous = false;
    for (size_t i = 0; i < MN_ARRAY_LEN(COMMANDS); i++) {
        if (strcmp(COMMANDS[i], word) == 0)
            return COMMANDS[i];
        if (strncmp(COMMANDS[i], word, len) == 0) {
            if (found)
                *ambiguous = true;
            found = COMMANDS[i];
        }
    }
    if (*ambiguous)
        return NULL;
    return found;
}

static void run_command(Ftp *f, const char *line)
{
    Cmdline cl;
    char err[128];
    /* as tnftp's makeargv, an open quote runs to the end of the line */
    cmdline_split(&cl, line, err, sizeof err);
    size_t argc = cl.argc;
    char **argv = cl.argv;
    bool ambiguous = false;
    const char *c = argc ? find_command(argv[0], &ambiguous) : "";
    if (argc && !c) {
        proc_printf(f->p, CON_STDOUT, "?%s command.\n", ambiguous ? "Ambiguous" : "Invalid");
        prompt(f);
        cmdline_fini(&cl);
        return;
    }
    static const char *const offered[] = {
        "bye",    "quit",  "exit",   "close",  "disconnect", "open",  "passive", "epsv4",
        "help",   "?",     "prompt", "status", "user",       "pwd",   "cd",      "cdup",
        "ls",     "dir",   "get",    "recv",   "put",        "send",  "mget",    "mput",
        "binary", "image", "ascii",  "delete", "mkdir",      "rmdir", "rename",  "size"};
    bool have = !argc;
    for (size_t i = 0; i < MN_ARRAY_LEN(offered) && !have; i++)
        have = strcmp(offered[i], c) == 0;
    if (!have) { /* a command of tnftp's that this one does not have */
        proc_printf(f->p, CON_STDOUT, "ftp: minet's ftp does not offer `%s'\n", c);
        prompt(f);
        cmdline_fini(&cl);
        return;
    }
#define IS(a) (strcmp(c, a) == 0)
    bool local = IS("open") || IS("passive") || IS("epsv4") || IS("help") || IS("?") ||
                 IS("prompt") || IS("status");
    if (argc && f->gone && !local) {
        answer_gone(f, c);
        cmdline_fini(&cl);
        return;
    }
    if (argc == 0) {
        prompt(f);
    } else if (IS("bye") || IS("quit") || IS("exit")) {
        if (f->connected) {
            busy(f);
            send_cmd(f, false, after_quit_exit, "QUIT");
        } else {
            proc_exit(f->p, 0);
        }
    } else if (IS("close") || IS("disconnect")) {
        if (need_conn(f)) {
            busy(f);
            send_cmd(f, false, after_close, "QUIT");
        }
    } else if (IS("open")) {
        if (f->connected) {
            proc_printf(f->p, CON_STDOUT, "Already connected to %s, use close first.\n", f->host);
            prompt(f);
        } else if (argc < 2) {
            usage(f, "open host-name [port]");
        } else {
            open_host(f, argv[1], argc > 2 ? argv[2] : NULL);
        }
    } else if (IS("passive")) {
        f->passive = !f->passive;
        proc_printf(f->p, CON_STDOUT, "Passive mode: %s; fallback to active mode: %s.\n",
                    f->passive ? "on" : "off", f->passive ? "on" : "off");
        prompt(f);
    } else if (IS("help") || IS("?")) {
        proc_printf(f->p, CON_STDOUT, "%s", HELP_TEXT);
        prompt(f);
    } else if (IS("prompt")) {
        f->prompting = !f->prompting;
        proc_printf(f->p, CON_STDOUT, "Interactive mode %s.\n", f->prompting ? "on" : "off");
        prompt(f);
    } else if (IS("epsv4")) {
        f->epsv4 = !f->epsv4;
        proc_printf(f->p, CON_STDOUT, "EPSV/EPRT on IPv4 %s.\n", f->epsv4 ? "on" : "off");
        prompt(f);
    } else if (IS("status")) {
        status(f);
    } else if (!need_conn(f)) {
        /* every command below needs a connection */
    } else if (IS("user")) {
        if (argc < 2) {
            usage(f, "user username [password [account]]");
        } else {
            busy(f);
            if (argc > 2) {
                free(f->remote);
                f->remote = xstrdup(argv[2]);
            }
            send_cmd(f, false, after_user, "USER %s", argv[1]);
        }
    } else if (IS("pwd")) {
        busy(f);
        send_cmd(f, true, after_pwd, "PWD");
    } else if (IS("cd")) {
        if (argc < 2) {
            usage(f, "cd remote-directory");
        } else {
            busy(f);
            send_cmd(f, false, show_then_prompt, "CWD %s", argv[1]);
        }
    } else if (IS("cdup")) {
        busy(f);
        send_cmd(f, false, show_then_prompt, "CDUP");
    } else if (IS("ls") || IS("dir")) {
        transfer(f, J_LIST, "LIST", argc > 1 ? argv[1] : NULL, NULL);
    } else if (IS("get") || IS("recv")) {
        if (argc < 2)
            usage(f, "get remote-file [local-file]");
        else
            with_local_name(f, J_GET, argv[1], argc > 2 ? argv[2] : argv[1]);
    } else if (IS("put") || IS("send")) {
        if (argc < 2)
            usage(f, "put local-file [remote-file]");
        else
            with_local_name(f, J_PUT, argc > 2 ? argv[2] : NULL, argv[1]);
    } else if (IS("mget") || IS("mput")) {
        if (argc < 2) {
            usage(f, IS("mget") ? "mget remote-files" : "mput local-files");
        } else {
            busy(f);
            mfree(f);
            f->mjob = IS("mget") ? J_GET : J_PUT;
            if (f->mjob == J_GET) {
                f->mpatterns = xcalloc(argc - 1, sizeof *f->mpatterns);
                for (size_t i = 1; i < argc; i++)
                    f->mpatterns[f->n_mpatterns++] = xstrdup(argv[i]);
            } else {
                mput_expand(f, argv + 1, argc - 1);
            }
            mnext(f);
        }
    } else if (IS("binary") || IS("image")) {
        busy(f);
        f->ascii = false;
        f->server_type = 'I';
        send_cmd(f, false, show_then_prompt, "TYPE I");
    } else if (IS("ascii")) {
        busy(f);
        f->ascii = true;
        f->server_type = 'A';
        send_cmd(f, false, show_then_prompt, "TYPE A");
    } else if (IS("delete")) {
        if (argc < 2) {
            usage(f, "delete remote-file");
        } else {
            busy(f);
            send_cmd(f, false, show_then_prompt, "DELE %s", argv[1]);
        }
    } else if (IS("mkdir")) {
        if (argc < 2) {
            usage(f, "mkdir directory-name");
        } else {
            busy(f);
            send_cmd(f, false, show_then_prompt, "MKD %s", argv[1]);
        }
    } else if (IS("rmdir")) {
        if (argc < 2) {
            usage(f, "rmdir directory-name");
        } else {
            busy(f);
            send_cmd(f, false, show_then_prompt, "RMD %s", argv[1]);
        }
    } else if (IS("rename")) {
        if (argc < 3) {
            usage(f, "rename from-name to-name");
        } else {
            busy(f);
            free(f->rnfr_to);
            f->rnfr_to = xstrdup(argv[2]);
            send_cmd(f, false, after_rnfr, "RNFR %s", argv[1]);
        }
    } else if (IS("size")) {
        if (argc < 2) {
            usage(f, "size filename");
        } else {
            busy(f);
            free(f->remote);
            f->remote = xstrdup(argv[1]);
            send_cmd(f, true, after_size_cmd, "SIZE %s", argv[1]);
        }
    }
#undef IS
    cmdline_fini(&cl);
}

void ftp_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    (void)len;
    Ftp *f = p->state;
    if (kind == PROC_IN_EOF) { /* tnftp quits at end of input */
        if (f->want == W_COMMAND || f->want == W_NAME) {
            proc_printf(p, CON_STDOUT, "\n");
            if (f->connected) {
                busy(f);
                send_cmd(f, false, after_quit_exit, "QUIT");
                return;
            }
            proc_exit(p, 0);
        }
        return;
    }
    if (kind == PROC_IN_INTR) {
        proc_printf(p, CON_STDOUT, "\n");
        if (f->want == W_COMMAND || f->want == W_NAME || f->want == W_PASSWORD)
            prompt(f);
        return;
    }
    if (kind != PROC_IN_LINE)
        return;
    switch (f->want) {
    case W_COMMAND:
        busy(f);
        run_command(f, line);
        break;
    case W_NAME:
        busy(f);
        send_cmd(f, false, after_user, "USER %s",
                 line[0] ? line : vfs_user(p->sim->world, p->node));
        break;
    case W_PASSWORD:
        busy(f);
        proc_set_echo(p, true);
        send_cmd(f, false, login_done, "PASS %s", line);
        break;
    case W_CONFIRM:
        busy(f);
        mconfirm(f, line);
        break;
    case W_NONE:
        break;
    }
}

static void ftp_free(void *state)
{
    Ftp *f = state;
    data_drop(f);
    if (f->ctl)
        textconn_close(f->ctl);
    resolve_cancel(f->lookup);
    free(f->host);
    free(f->cmd);
    free(f->remote);
    free(f->local_name);
    free(f->rnfr_to);
    free(f->held);
    mfree(f);
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
    f->passive = true;
    f->epsv4 = true;
    f->server_type = 'A';
    buf_init(&f->reply);
    buf_init(&f->final_text);
    buf_init(&f->early);
    buf_init(&f->names);
    f->prompting = true;
    p->state = f;
    p->free_state = ftp_free;
    if (argc > 1 && argv[1][0] == '-') {
        proc_printf(p, CON_STDERR, "ftp: unknown option -- %s\n", argv[1] + 1);
        proc_printf(p, CON_STDERR,
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
    if (argc < 2) {
        prompt(f);
        return;
    }
    open_host(f, argv[1], argc > 2 ? argv[2] : NULL);
}
