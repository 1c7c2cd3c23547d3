/* curl — Debian 12's curl 7.88 for smtp:// URLs: `curl [-v] [-s]
 * smtp://SERVER[:PORT][/DOMAIN] --mail-from A --mail-rcpt B [--mail-rcpt
 * C …] -T FILE` sends FILE as a message (the POP3/IMAP and FTP issues add
 * their schemes to this file's table of schemes).
 *
 * What it prints, on stderr as curl does: the progress meter (its two
 * header lines and a line redrawn with \r at the start, every second and
 * at the end, speeds from the simulated clock); with -v, curl's `*` lines
 * (Trying, Connected to, the failures), each command after `> ` and each
 * reply line after `< ` (both with their CR LF, as curl writes them),
 * `} [N bytes data]` for the message and "We are completely uploaded and
 * fine".  As curl does, the EHLO name is the URL's path, and -T appends
 * the file's name to a URL without one (so `EHLO lunch.txt`); MAIL FROM
 * carries SIZE=N when the server offers SIZE; a refused recipient ends the
 * transfer ("RCPT failed: 550", exit 55).  The message goes as the file's
 * bytes with a dot at a line's start doubled, then CR LF "." CR LF (only
 * "." CR LF when the file ends with CR LF).  After success the connection
 * is "left intact" and QUIT goes unshown as curl exits; after an error it
 * is closed with a shown QUIT.
 *
 * Exit statuses are curl's: 6 name not resolved, 7 no connection, 8 an
 * unexpected reply, 26 the file cannot be read, 55 MAIL or RCPT refused,
 * 1 a scheme it does not know, 2 bad usage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/apps.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define CURL_SEC ((SimTime)1000000)

enum Step { ST_CONNECT, ST_BANNER, ST_EHLO, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_DOT, ST_QUIT };

typedef struct Curl {
    Proc *p;
    bool verbose, silent;
    char *url, *from, *upload;
    char **rcpts;
    size_t n_rcpts, rcpt_at;
    /* the URL */
    char *host, *path;
    uint16_t port;
    /* the file */
    Buf body;
    /* the dialogue */
    Resolve *lookup;
    /* resolve_name may answer before it returns: the answer waits here
     * until it has returned, so that the program never ends inside it */
    bool resolving, answered;
    ResolveStatus res_st;
    uint32_t res_ip;
    TextConn *conn;
    uint32_t ip;
    enum Step step;
    bool size_offered, quiet_quit;
    Buf reply;
    int status; /* the exit status once QUIT is answered */
    char *error;
    SimTime started;
    uint64_t uploaded; /* bytes of the message sent (the meter's Xferd) */
    bool upload_started;
    EvHandle meter;
    int64_t shown_sec; /* the clock's second when the meter was last drawn */
} Curl;

static void curl_free(void *state)
{
    Curl *c = state;
    resolve_cancel(c->lookup);
    if (c->conn)
        textconn_abort(c->conn);
    sim_cancel(c->p->sim, c->meter);
    free(c->url);
    free(c->from);
    free(c->upload);
    for (size_t i = 0; i < c->n_rcpts; i++)
        free(c->rcpts[i]);
    free(c->rcpts);
    free(c->host);
    free(c->path);
    free(c->error);
    buf_fini(&c->body);
    buf_fini(&c->reply);
    free(c);
}

/* ---- the progress meter (curl's progress.c) -------------------------- */

/* A size in at most 5 characters, as curl's max5data. */
static void max5(char *out, uint64_t n)
{
    n %= 100000ull * 1024 * 1024; /* a 5-character field */
    if (n < 100000)
        snprintf(out, 16, "%5llu", (unsigned long long)n);
    else if (n < 10000 * 1024ull)
        snprintf(out, 16, "%4lluk", (unsigned long long)(n / 1024));
    else if (n < 100 * 1024 * 1024ull)
        snprintf(out, 16, "%2llu.%0lluM", (unsigned long long)(n / (1024 * 1024)),
                 (unsigned long long)(n % (1024 * 1024) * 10 / (1024 * 1024)));
    else
        snprintf(out, 16, "%4lluM", (unsigned long long)(n / (1024 * 1024)));
}

static void time8(char *out, uint64_t secs)
{
    secs %= 100 * 3600; /* an 8-character field */
    if (!secs)
        snprintf(out, 16, "--:--:--");
    else
        snprintf(out, 16, "%2llu:%02llu:%02llu", (unsigned long long)(secs / 3600),
                 (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
}

static int64_t clock_sec(Curl *c)
{
    const World *w = c->p->sim->world;
    return ((w ? w->start_us : 0) + c->p->sim->now) / 1000000;
}

static void meter_line(Curl *c, bool last)
{
    c->shown_sec = clock_sec(c);
    if (c->silent)
        return;
    SimTime spent = c->p->sim->now - c->started;
    uint64_t total = c->upload_started ? c->body.len : 0;
    uint64_t speed = spent > 0 ? c->uploaded * (uint64_t)CURL_SEC / (uint64_t)spent : 0;
    int pct = total ? (int)(c->uploaded * 100 / total) : 0;
    char t[16], x[16], z[16], up[16], cur[16], tt[16], ts[16], tl[16];
    max5(t, total);
    max5(x, c->uploaded);
    max5(z, 0);
    max5(up, speed);
    max5(cur, speed);
    uint64_t s = (uint64_t)(spent / CURL_SEC);
    time8(ts, s);
    /* curl's estimate: the size at the average speed, less the time spent */
    uint64_t estm = speed && total ? total / speed : 0;
    time8(tt, estm);
    time8(tl, estm > s ? estm - s : 0);
    proc_printf(c->p, CON_STDERR, "\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s%s", pct, t, 0, z,
                pct, x, z, up, tt, ts, tl, cur, last ? "\n" : "");
}

/* curl redraws its meter when it looks at the transfer (data came, or
 * its wait timed out) and the clock's second is not the one it last drew
 * in. */
static void meter_check(Curl *c)
{
    if (clock_sec(c) != c->shown_sec)
        meter_line(c, false);
}

static void meter_arm(Curl *c);

static void on_meter(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Curl *c = ctx;
    meter_check(c);
    meter_arm(c);
}

/* The next look while nothing happens: at the clock's next second. */
static void meter_arm(Curl *c)
{
    const World *w = c->p->sim->world;
    SimTime wall = (w ? w->start_us : 0) + c->p->sim->now;
    c->meter = sim_after(c->p->sim, CURL_SEC - wall % CURL_SEC, on_meter, c, 0);
}

/* ---- the dialogue ---------------------------------------------------- */

static void info(Curl *c, const char *fmt, ...) MN_PRINTF(2, 3);

static void info(Curl *c, const char *fmt, ...)
{
    if (!c->verbose)
        return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    proc_printf(c->p, CON_STDERR, "* %s\n", line);
}

static void done(Curl *c, int status)
{
    sim_cancel(c->p->sim, c->meter);
    c->meter = 0;
    if (c->error && !c->silent) /* -s hides the error too */
        proc_printf(c->p, CON_STDERR, "curl: (%d) %s\n", status, c->error);
    proc_exit(c->p, status);
}

static void send_cmd(Curl *c, enum Step step, const char *fmt, ...) MN_PRINTF(3, 4);

static void send_cmd(Curl *c, enum Step step, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->step = step;
    if (c->verbose && !c->quiet_quit)
        proc_printf(c->p, CON_STDERR, "> %s\r\n", line);
    char cap[1300];
    snprintf(cap, sizeof cap, "curl sends %s", line);
    textconn_send(c->conn, line, cap);
}

/* An error: the meter's last line, QUIT shown, the connection closed. */
static void fail(Curl *c, int status, const char *fmt, ...) MN_PRINTF(3, 4);

static void fail(Curl *c, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(c->error);
    c->error = xstrdup(msg);
    info(c, "%s", msg);
    meter_line(c, true);
    sim_cancel(c->p->sim, c->meter);
    c->meter = 0;
    c->status = status;
    send_cmd(c, ST_QUIT, "QUIT");
}

static void send_rcpt(Curl *c)
{
    send_cmd(c, ST_RCPT, "RCPT TO:<%s>", c->rcpts[c->rcpt_at]);
}

static void send_body(Curl *c)
{
    Buf m;
    buf_init(&m);
    const char *d = c->body.data ? c->body.data : "";
    size_t n = c->body.len;
    bool line_start = true; /* curl's eob state starts as after CR LF */
    for (size_t i = 0; i < n; i++) {
        if (line_start && d[i] == '.')
            buf_putc(&m, '.');
        buf_putc(&m, d[i]);
        line_start = d[i] == '\n' && i > 0 && d[i - 1] == '\r';
    }
    if (n >= 2 && d[n - 2] == '\r' && d[n - 1] == '\n')
        buf_puts(&m, ".\r\n");
    else
        buf_puts(&m, "\r\n.\r\n");
    c->upload_started = true;
    c->uploaded = n;
    if (c->verbose)
        proc_printf(c->p, CON_STDERR, "} [%zu bytes data]\n", n);
    textconn_send_raw(c->conn, m.data, m.len, "curl sends the file as the message");
    info(c, "We are completely uploaded and fine");
    buf_fini(&m);
    c->step = ST_DOT;
}

static int code_of(const char *line)
{
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* A whole reply: its last line in `last`, its code. */
static void on_reply(Curl *c, const char *last)
{
    int code = code_of(last);
    switch (c->step) {
    case ST_CONNECT:
    case ST_BANNER:
        if (code != 220) {
            fail(c, 8, "Got unexpected smtp-server response: %d", code);
            break;
        }
        send_cmd(c, ST_EHLO, "EHLO %s", c->path);
        break;
    case ST_EHLO:
        if (code / 100 != 2) {
            send_cmd(c, ST_HELO, "HELO %s", c->path);
            break;
        }
        /* fall through */
    case ST_HELO:
        if (code / 100 != 2) {
            fail(c, 8, "Remote access denied: %d", code);
            break;
        }
        if (c->size_offered)
            send_cmd(c, ST_MAIL, "MAIL FROM:<%s> SIZE=%zu", c->from ? c->from : "", c->body.len);
        else
            send_cmd(c, ST_MAIL, "MAIL FROM:<%s>", c->from ? c->from : "");
        break;
    case ST_MAIL:
        if (code / 100 != 2) {
            fail(c, 55, "MAIL failed: %d", code);
            break;
        }
        c->rcpt_at = 0;
        if (c->n_rcpts)
            send_rcpt(c);
        else
            send_cmd(c, ST_DATA, "DATA");
        break;
    case ST_RCPT:
        if (code / 100 != 2) {
            fail(c, 55, "RCPT failed: %d", code);
            break;
        }
        if (++c->rcpt_at < c->n_rcpts)
            send_rcpt(c);
        else
            send_cmd(c, ST_DATA, "DATA");
        break;
    case ST_DATA:
        if (code != 354) {
            fail(c, 55, "DATA failed: %d", code);
            break;
        }
        send_body(c);
        break;
    case ST_DOT:
        if (code != 250) {
            fail(c, 8, "Weird server reply: %d", code);
            break;
        }
        meter_line(c, true);
        sim_cancel(c->p->sim, c->meter);
        c->meter = 0;
        info(c, "Connection #0 to host %s left intact", c->host);
        /* as curl exits, its connection cache says QUIT, unshown */
        c->quiet_quit = true;
        c->status = 0;
        send_cmd(c, ST_QUIT, "QUIT");
        break;
    case ST_QUIT:
        textconn_close(c->conn);
        c->conn = NULL;
        if (!c->quiet_quit)
            info(c, "Closing connection 0");
        done(c, c->status);
        break;
    }
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Curl *c = ctx;
    if (!c->quiet_quit && c->meter)
        meter_check(c);
    if (c->verbose && !c->quiet_quit)
        proc_printf(c->p, CON_STDERR, "< %.*s\r\n", (int)len, line);
    bool coded = len >= 3 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' &&
                 line[2] >= '0' && line[2] <= '9';
    if (!coded)
        return;
    if (c->step == ST_EHLO && len >= 8 && strncasecmp(line + 4, "SIZE", 4) == 0 &&
        (len == 8 || line[8] == ' '))
        c->size_offered = true;
    if (len == 3 || line[3] == ' ')
        on_reply(c, line);
}

static void lost(Curl *c)
{
    sim_cancel(c->p->sim, c->meter);
    c->meter = 0;
    if (c->step == ST_QUIT) {
        if (!c->quiet_quit)
            info(c, "Closing connection 0");
        done(c, c->status);
        return;
    }
    free(c->error);
    c->error = xstrdup("Connection died, tried 5 times before giving up");
    meter_line(c, true);
    info(c, "Closing connection 0");
    done(c, 56);
}

static void on_closed(void *ctx, TextConn *t)
{
    Curl *c = ctx;
    textconn_abort(t);
    c->conn = NULL;
    lost(c);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Curl *c = ctx;
    c->conn = NULL;
    if (c->step != ST_CONNECT) {
        lost(c);
        return;
    }
    char addr[16];
    ip_format(c->ip, addr);
    const char *what = why == TCP_WHY_REFUSED        ? "Connection refused"
                       : why == TCP_WHY_NET_UNREACH  ? "Network is unreachable"
                       : why == TCP_WHY_HOST_UNREACH ? "No route to host"
                                                     : "Connection timed out";
    info(c, "connect to %s port %u failed: %s", addr, c->port, what);
    char msg[400];
    snprintf(msg, sizeof msg,
             "Failed to connect to %s port %u after %lld ms: Couldn't connect to server", c->host,
             c->port, (long long)((c->p->sim->now - c->started) / 1000));
    c->error = xstrdup(msg);
    info(c, "%s", msg);
    meter_line(c, true);
    info(c, "Closing connection 0");
    done(c, 7);
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Curl *c = ctx;
    char addr[16];
    ip_format(c->ip, addr);
    info(c, "Connected to %s (%s) port %u (#0)", c->host, addr, c->port);
    c->step = ST_BANNER;
}

static const TextConnOps curl_ops = {
    .connected = on_connected,
    .line = on_line,
    .closed = on_closed,
    .ended = on_ended,
};

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Curl *c = ctx;
    if (c->resolving) {
        c->answered = true;
        c->res_st = st;
        c->res_ip = ip;
        return;
    }
    Proc *p = c->p;
    c->lookup = NULL;
    if (st != RESOLVE_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "Could not resolve host: %s", c->host);
        c->error = xstrdup(msg);
        info(c, "%s", msg);
        info(c, "Closing connection 0");
        done(c, 6);
        return;
    }
    c->ip = ip;
    char addr[16];
    ip_format(ip, addr);
    info(c, "  Trying %s:%u...", addr, c->port);
    NetErr err = NET_OK;
    c->step = ST_CONNECT;
    c->conn = textconn_connect(p->sim, p->node, ip, c->port, "curl", &curl_ops, c, &err);
    if (!c->conn)
        on_ended(c, NULL, err == NET_UNREACHABLE ? TCP_WHY_NET_UNREACH : TCP_WHY_HOST_UNREACH);
}

/* ---- the command line ------------------------------------------------ */

static void usage_hint(Proc *p)
{
    proc_printf(p, CON_STDERR, "curl: try 'curl --help' or 'curl --manual' for more information\n");
}

/* Splits smtp://HOST[:PORT][/PATH]; false (with curl's words) if it cannot. */
static bool parse_url(Curl *c)
{
    const char *u = c->url;
    const char *sep = strstr(u, "://");
    if (!sep) {
        /* curl guesses the scheme from the name; smtp.… would be SMTP */
        sep = NULL;
    }
    char scheme[16] = "http";
    const char *rest = u;
    if (sep) {
        snprintf(scheme, sizeof scheme, "%.*s", (int)(sep - u), u);
        rest = sep + 3;
    } else if (strncasecmp(u, "smtp.", 5) == 0) {
        snprintf(scheme, sizeof scheme, "smtp");
    }
    if (strcasecmp(scheme, "smtp") != 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "Protocol \"%s\" not supported or disabled in libcurl", scheme);
        c->error = xstrdup(msg);
        info(c, "%s", msg);
        info(c, "Closing connection -1");
        return false;
    }
    size_t hl = strcspn(rest, ":/");
    c->host = xstrndup(rest, hl);
    c->port = 25;
    const char *after = rest + hl;
    if (*after == ':') {
        char *end;
        long v = strtol(after + 1, &end, 10);
        if (end == after + 1 || v < 1 || v > 65535 || (*end && *end != '/')) {
            c->error = xstrdup("Port number was not a decimal number between 0 and 65535");
            return false;
        }
        c->port = (uint16_t)v;
        after = end;
    }
    const char *path = *after == '/' ? after + 1 : "";
    if (!*path && c->upload) { /* -T appends the file's name */
        const char *slash = strrchr(c->upload, '/');
        path = slash ? slash + 1 : c->upload;
    }
    c->path = xstrdup(path);
    return true;
}

static bool read_upload(Curl *c)
{
    Proc *p = c->p;
    Vfs *v = vfs_of(p->sim);
    char home[300], path[1024];
    snprintf(home, sizeof home, "/home/%s", vfs_user(p->sim->world, p->node));
    if (!v || vfs_path_norm(home, c->upload, path, sizeof path, NULL) != VFS_OK)
        return false;
    VfsStat st;
    if (vfs_stat(v, p->node, path, &st) != VFS_OK)
        return false;
    uint8_t chunk[16384];
    size_t got = 1;
    for (uint64_t off = 0; got; off += got) {
        if (vfs_read(v, p->node, path, off, chunk, sizeof chunk, &got) != VFS_OK)
            return false;
        buf_put(&c->body, chunk, got);
        if (c->body.len > (64u << 20))
            return false;
    }
    return true;
}

void curl_main(Proc *p, int argc, char **argv)
{
    Curl *c = xcalloc(1, sizeof *c);
    c->p = p;
    buf_init(&c->body);
    buf_init(&c->reply);
    p->state = c;
    p->free_state = curl_free;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--mail-from") == 0 || strcmp(a, "--mail-rcpt") == 0 ||
                     strcmp(a, "-T") == 0 || strcmp(a, "--upload-file") == 0 ||
                     strcmp(a, "--url") == 0;
        if (takes && !val) {
            proc_printf(p, CON_STDERR, "curl: option %s: requires parameter\n", a);
            usage_hint(p);
            proc_exit(p, 2);
            return;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            c->verbose = true;
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--silent") == 0) {
            c->silent = true;
        } else if (strcmp(a, "-vs") == 0 || strcmp(a, "-sv") == 0) {
            c->verbose = c->silent = true;
        } else if (strcmp(a, "--mail-from") == 0) {
            free(c->from);
            c->from = xstrdup(argv[++i]);
        } else if (strcmp(a, "--mail-rcpt") == 0) {
            c->rcpts = xrealloc(c->rcpts, (c->n_rcpts + 1) * sizeof *c->rcpts);
            c->rcpts[c->n_rcpts++] = xstrdup(argv[++i]);
        } else if (strcmp(a, "-T") == 0 || strcmp(a, "--upload-file") == 0) {
            free(c->upload);
            c->upload = xstrdup(argv[++i]);
        } else if (strcmp(a, "--url") == 0) {
            free(c->url);
            c->url = xstrdup(argv[++i]);
        } else if (a[0] == '-' && a[1]) {
            proc_printf(p, CON_STDERR, "curl: option %s: is unknown\n", a);
            usage_hint(p);
            proc_exit(p, 2);
            return;
        } else {
            free(c->url);
            c->url = xstrdup(a);
        }
    }
    if (!c->url) {
        proc_printf(p, CON_STDERR, "curl: no URL specified!\n");
        usage_hint(p);
        proc_exit(p, 2);
        return;
    }
    if (c->upload && !read_upload(c)) {
        proc_printf(p, CON_STDERR, "curl: Can't open '%s'!\n", c->upload);
        usage_hint(p);
        c->error = xstrdup("Failed to open/read local data from file/application");
        done(c, 26);
        return;
    }
    c->started = p->sim->now;
    if (!c->silent)
        proc_printf(p, CON_STDERR,
                    "  %% Total    %% Received %% Xferd  Average Speed   Time    Time     Time  "
                    "Current\n                                 Dload  Upload   Total   Spent    "
                    "Left  Speed\n");
    meter_line(c, false);
    if (!parse_url(c)) {
        done(c, strncmp(c->error, "Port", 4) == 0 ? 3 : 1);
        return;
    }
    meter_arm(c);
    c->resolving = true;
    Resolve *r = resolve_name(p->sim, p->node, c->host, on_resolved, c);
    c->resolving = false;
    if (c->answered)
        on_resolved(c, c->res_st, c->res_ip, NULL);
    else
        c->lookup = r;
}
