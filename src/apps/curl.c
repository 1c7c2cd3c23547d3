/* curl — Debian 12's curl 7.88 for smtp:// URLs: `curl [-v] [-s]
 * smtp://SERVER[:PORT][/DOMAIN] --mail-from A --mail-rcpt B [--mail-rcpt
 * C …] -T FILE` sends FILE as a message; `curl [-v] [-s] [-o FILE] [-T
 * FILE] ftp://[USER[:PASS]@]HOST[:PORT]/PATH` lists a folder (PATH ends in
 * /), fetches a file or uploads one (the FTP part below says how);
 * pop3:// and imap:// list and fetch mail (curl_mail.c says how, with -l,
 * -X COMMAND and -u USER:PASS).  curl.h holds what the two files share.
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
 * -m SECONDS (--max-time) limits the whole operation: when it runs out,
 * curl closes the connection and says "Operation timed out after N
 * milliseconds with M bytes received" ("Resolving timed out", "Connection
 * timed out" before it is connected), exit 28.
 *
 * Exit statuses are curl's: 6 name not resolved, 7 no connection, 8 an
 * unexpected reply, 26 the file cannot be read, 28 -m ran out, 55 MAIL or
 * RCPT refused, 1 a scheme it does not know, 2 bad usage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/apps.h"
#include "apps/curl.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

static void ftp_on_line(Curl *c, const char *line, size_t len);

static void curl_free(void *state)
{
    Curl *c = state;
    resolve_cancel(c->lookup);
    if (c->conn)
        textconn_abort(c->conn);
    sim_cancel(c->p->sim, c->meter);
    sim_cancel(c->p->sim, c->deadline);
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
    if (c->data) {
        tcp_set_ops(c->data, NULL, NULL);
        tcp_abort(c->data);
    }
    free(c->user);
    free(c->pass);
    free(c->outfile);
    for (size_t i = 0; i < c->n_dirs; i++)
        free(c->dirs[i]);
    free(c->dirs);
    free(c->file);
    free(c->prevdir);
    buf_fini(&c->held);
    buf_fini(&c->early);
    curl_mail_free(c);
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

void curl_meter_line(Curl *c, bool last)
{
    c->shown_sec = clock_sec(c);
    if (c->silent || c->nometer)
        return;
    SimTime spent = c->p->sim->now - c->started;
    /* curl's expected total: each direction's size when known, else its
     * bytes so far */
    uint64_t ul_total = c->upload_started ? c->body.len : c->uploaded;
    uint64_t dl_total = c->size_known ? c->dl_size : c->downloaded;
    uint64_t total = ul_total + dl_total, cur = c->uploaded + c->downloaded;
    uint64_t speed = spent > 0 ? c->uploaded * (uint64_t)CURL_SEC / (uint64_t)spent : 0;
    uint64_t dspeed = spent > 0 ? c->downloaded * (uint64_t)CURL_SEC / (uint64_t)spent : 0;
    int pct = ul_total ? (int)(c->uploaded * 100 / ul_total) : 0;
    int dpct = c->size_known && c->dl_size ? (int)(c->downloaded * 100 / c->dl_size) : 0;
    int tpct = total ? (int)(cur * 100 / total) : 0;
    char t[16], x[16], z[16], up[16], cur_s[16], tt[16], ts[16], tl[16];
    max5(t, total);
    max5(x, c->uploaded);
    max5(z, c->downloaded);
    max5(up, speed);
    max5(cur_s, speed > dspeed ? speed : dspeed);
    char dn[16];
    max5(dn, dspeed);
    uint64_t s = (uint64_t)(spent / CURL_SEC);
    time8(ts, s);
    /* curl's estimate: the size at the average speed, less the time spent */
    uint64_t estm = speed && ul_total ? ul_total / speed : 0;
    uint64_t destm = dspeed && c->size_known ? c->dl_size / dspeed : 0;
    if (destm > estm)
        estm = destm;
    time8(tt, estm);
    time8(tl, estm > s ? estm - s : 0);
    proc_printf(c->p, CON_STDERR, "\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s%s", tpct, t, dpct,
                z, pct, x, dn, up, tt, ts, tl, cur_s, last ? "\n" : "");
}

/* curl redraws its meter when it looks at the transfer (data came, or
 * its wait timed out) and the clock's second is not the one it last drew
 * in. */
void curl_meter_check(Curl *c)
{
    if (clock_sec(c) != c->shown_sec)
        curl_meter_line(c, false);
}

static void meter_arm(Curl *c);

static void on_meter(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Curl *c = ctx;
    curl_meter_check(c);
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

void curl_info(Curl *c, const char *fmt, ...)
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

void curl_done(Curl *c, int status)
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
    curl_info(c, "%s", msg);
    curl_meter_line(c, true);
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
    curl_info(c, "We are completely uploaded and fine");
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
        curl_meter_line(c, true);
        sim_cancel(c->p->sim, c->meter);
        c->meter = 0;
        curl_info(c, "Connection #0 to host %s left intact", c->host);
        /* as curl exits, its connection cache says QUIT, unshown */
        c->quiet_quit = true;
        c->status = 0;
        send_cmd(c, ST_QUIT, "QUIT");
        break;
    case ST_QUIT:
        textconn_close(c->conn);
        c->conn = NULL;
        if (!c->quiet_quit)
            curl_info(c, "Closing connection 0");
        curl_done(c, c->status);
        break;
    }
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Curl *c = ctx;
    if (c->ftp) {
        ftp_on_line(c, line, len);
        return;
    }
    if (c->pop3 || c->imap) {
        curl_mail_line(c, line, len);
        return;
    }
    if (!c->quiet_quit && c->meter)
        curl_meter_check(c);
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

/* ---- ftp:// ----------------------------------------------------------
 * curl's FTP state machine as curl 7.88 runs it: USER, PASS, PWD (the
 * entry path), a CWD for each folder of the URL's path (its default
 * multicwd), EPSV (PASV when EPSV is refused), TYPE A and LIST for a
 * path ending in /, TYPE I, SIZE and RETR for a file, TYPE I and STOR for
 * -T.  curl's do phase ends (its "ftp_perform ends" line) once the first
 * command after PWD is sent; the final 226 is read only after the data
 * connection ended, so replies that come earlier wait (c->held). */

enum FtpStep {
    FS_BANNER,
    FS_USER,
    FS_PASS,
    FS_PWD,
    FS_CWD,
    FS_EPSV,
    FS_PASV,
    FS_DATA_CONNECT,
    FS_TYPE,
    FS_SIZE,
    FS_TRANSFER, /* LIST, RETR or STOR sent */
    FS_DATA,     /* the data flows */
    FS_FINAL,    /* the data is over: the 226 */
    FS_QUIT,
};

static void ftp_cmd(Curl *c, int step, const char *fmt, ...) MN_PRINTF(3, 4);

static void ftp_cmd(Curl *c, int step, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->fstep = step;
    if (c->verbose && !c->quiet_quit)
        proc_printf(c->p, CON_STDERR, "> %s\r\n", line);
    char cap[1300];
    snprintf(cap, sizeof cap, "curl sends %s",
             strncmp(line, "PASS ", 5) == 0 ? "PASS (the password)" : line);
    textconn_send(c->conn, line, cap);
}

/* The do phase's first command is out: curl's ftp_perform returns. */
static void ftp_performed(Curl *c)
{
    if (!c->perform_said) {
        c->perform_said = true;
        curl_info(c, "ftp_perform ends with SECONDARY: 0");
    }
}

/* The end after the transfer or a refusal of a file: the connection stays
 * in curl's cache (QUIT unshown as it exits). */
static void ftp_finish(Curl *c, int status, const char *err)
{
    if (err) {
        free(c->error);
        c->error = xstrdup(err);
        curl_info(c, "%s", err);
    }
    if (status != 9 && c->fstep != FS_FINAL)
        curl_info(c, "Remembering we are in dir \"%s\"", c->prevdir);
    curl_meter_line(c, true);
    sim_cancel(c->p->sim, c->meter);
    c->meter = 0;
    curl_info(c, "Connection #0 to host %s left intact", c->host);
    c->quiet_quit = true;
    c->status = status;
    ftp_cmd(c, FS_QUIT, "QUIT");
}

/* A failure that closes the connection at once (no QUIT). */
static void ftp_close(Curl *c, int status, const char *err)
{
    free(c->error);
    c->error = xstrdup(err);
    curl_info(c, "%s", err);
    curl_meter_line(c, true);
    curl_info(c, "Closing connection 0");
    if (c->data) {
        tcp_set_ops(c->data, NULL, NULL);
        tcp_abort(c->data);
        c->data = NULL;
    }
    if (c->conn) {
        textconn_close(c->conn);
        c->conn = NULL;
    }
    curl_done(c, status);
}

static void ftp_epsv(Curl *c)
{
    if (c->epsv_off)
        ftp_cmd(c, FS_PASV, "PASV");
    else
        ftp_cmd(c, FS_EPSV, "EPSV");
    curl_info(c, "Connect data stream passively");
    ftp_performed(c);
}

static void ftp_next_dir(Curl *c)
{
    if (c->dir_at < c->n_dirs) {
        ftp_cmd(c, FS_CWD, "CWD %s", c->dirs[c->dir_at++]);
        ftp_performed(c);
        return;
    }
    ftp_epsv(c);
}

static void ftp_pump(Curl *c)
{
    while (c->data && c->uploaded < c->body.len) {
        size_t n = tcp_write(c->data, c->body.data + c->uploaded, c->body.len - c->uploaded);
        if (!n)
            return;
        c->uploaded += n;
        if (c->verbose)
            proc_printf(c->p, CON_STDERR, "} [%zu bytes data]\n", n);
    }
    if (c->data && c->fstep == FS_DATA) {
        tcp_set_ops(c->data, NULL, NULL);
        tcp_close(c->data);
        c->data = NULL;
        curl_info(c, "We are completely uploaded and fine");
        curl_info(c, "Remembering we are in dir \"%s\"", c->prevdir);
        c->fstep = FS_FINAL;
    }
}

/* A listing comes in ASCII: curl turns its CR LF (and a lone CR) into LF. */
static void ftp_take(Curl *c, const uint8_t *d, size_t len)
{
    c->downloaded += len;
    if (c->verbose && (c->outfile || !proc_stdout_is_tty(c->p)))
        proc_printf(c->p, CON_STDERR, "{ [%zu bytes data]\n", len);
    Buf b;
    buf_init(&b);
    if (!*c->file) {
        for (size_t i = 0; i < len; i++) {
            if (c->cr_seen && d[i] == '\n') {
                c->cr_seen = false;
                continue;
            }
            c->cr_seen = d[i] == '\r';
            buf_putc(&b, c->cr_seen ? '\n' : (char)d[i]);
        }
    } else {
        buf_put(&b, d, len);
    }
    if (c->outfile)
        vfs_append(vfs_of(c->p->sim), c->p->node, c->out_path, b.data, b.len);
    else if (b.len)
        proc_printf(c->p, CON_STDOUT, "%.*s", (int)b.len, b.data);
    buf_fini(&b);
}

static void ftp_on_reply(Curl *c, const char *last);

/* The data connection is over: the final reply is read now. */
static void ftp_data_over(Curl *c)
{
    c->fstep = FS_FINAL;
    curl_info(c, "Remembering we are in dir \"%s\"", c->prevdir);
    /* the lines that came meanwhile */
    char *held = buf_take(&c->held);
    buf_init(&c->held);
    for (char *l = held, *nl; l && *l; l = nl + 1) {
        nl = strchr(l, '\n');
        *nl = 0;
        if (c->verbose)
            proc_printf(c->p, CON_STDERR, "< %s\r\n", l);
        if (strlen(l) >= 4 && l[3] == ' ' && c->fstep == FS_FINAL)
            ftp_on_reply(c, l);
    }
    free(held);
}

static void ftp_data_recv(void *ctx, TcpConn *t, const uint8_t *d, size_t len)
{
    Curl *c = ctx;
    if (len == 0) {
        tcp_set_ops(t, NULL, NULL);
        tcp_close(t);
        c->data = NULL;
        c->data_eof = true;
        if (c->fstep == FS_DATA)
            ftp_data_over(c);
        return;
    }
    tcp_recved(t, len);
    if (c->fstep != FS_DATA) { /* curl reads the data after the 150 */
        buf_put(&c->early, d, len);
        return;
    }
    if (c->meter)
        curl_meter_check(c);
    ftp_take(c, d, len);
}

static void ftp_data_sent(void *ctx, TcpConn *t, size_t acked)
{
    (void)t;
    (void)acked;
    Curl *c = ctx;
    if (c->upload && c->fstep == FS_DATA)
        ftp_pump(c);
}

static void ftp_data_ended(void *ctx, TcpConn *t, TcpWhy why)
{
    (void)t;
    Curl *c = ctx;
    c->data = NULL;
    c->data_eof = true;
    if (c->fstep == FS_DATA_CONNECT) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "Failed to connect to %s port %u after %lld ms: Couldn't connect to server",
                 c->host, c->data_port, (long long)((c->p->sim->now - c->started) / 1000));
        (void)why;
        ftp_close(c, 7, msg);
        return;
    }
    if (c->fstep == FS_DATA && !c->upload)
        ftp_data_over(c);
}

static void ftp_data_connected(void *ctx, TcpConn *t)
{
    (void)t;
    Curl *c = ctx;
    char addr[16];
    ip_format(c->ip, addr);
    /* curl names the control connection's port here */
    curl_info(c, "Connected to %s (%s) port %u (#0)", c->host, addr, c->port);
    ftp_cmd(c, FS_TYPE, "TYPE %c", *c->file || c->upload ? 'I' : 'A');
}

static const TcpOps ftp_data_ops = {
    .connected = ftp_data_connected,
    .received = ftp_data_recv,
    .sent = ftp_data_sent,
    .ended = ftp_data_ended,
};

static void ftp_connect_data(Curl *c, unsigned port)
{
    char addr[16];
    ip_format(c->ip, addr);
    /* curl names the control connection's address, not the host's name */
    curl_info(c, "Connecting to %s (%s) port %u", addr, addr, port);
    curl_info(c, "  Trying %s:%u...", addr, port);
    c->data_port = (uint16_t)port;
    c->fstep = FS_DATA_CONNECT;
    NetErr err = NET_OK;
    c->data =
        tcp_connect(c->p->sim, c->p->node, c->ip, (uint16_t)port, c->host, &ftp_data_ops, c, &err);
    if (!c->data)
        ftp_data_ended(c, NULL, TCP_WHY_HOST_UNREACH);
}

/* LIST, RETR or STOR was answered with 150 (or 125). */
static void ftp_start_transfer(Curl *c)
{
    c->fstep = FS_DATA;
    if (c->upload) {
        c->upload_started = true;
        ftp_pump(c);
        return;
    }
    curl_info(c, "Maxdownload = -1");
    if (c->size_known)
        curl_info(c, "Getting file with size: %llu", (unsigned long long)c->dl_size);
    if (c->outfile && vfs_create(vfs_of(c->p->sim), c->p->node, c->out_path,
                                 vfs_user(c->p->sim->world, c->p->node)) != VFS_OK) {
        char msg[1200];
        snprintf(msg, sizeof msg, "Failed writing body");
        ftp_close(c, 23, msg);
        return;
    }
    if (c->early.len)
        ftp_take(c, (const uint8_t *)c->early.data, c->early.len);
    buf_clear(&c->early);
    if (c->data_eof)
        ftp_data_over(c); /* the data came and ended before the 150 */
}

static void ftp_on_reply(Curl *c, const char *last)
{
    int code = code_of(last);
    char msg[300];
    switch (c->fstep) {
    case FS_BANNER:
        if (code != 220) {
            snprintf(msg, sizeof msg, "Got a %03d ftp-server response when 220 was expected", code);
            ftp_close(c, 8, msg);
            break;
        }
        ftp_cmd(c, FS_USER, "USER %s", c->user);
        break;
    case FS_USER:
        if (code == 331) {
            ftp_cmd(c, FS_PASS, "PASS %s", c->pass);
            break;
        }
        if (code == 230) {
            ftp_cmd(c, FS_PWD, "PWD");
            break;
        }
        snprintf(msg, sizeof msg, "Access denied: %03d", code);
        ftp_close(c, 67, msg);
        break;
    case FS_PASS:
        if (code / 100 != 2) {
            snprintf(msg, sizeof msg, "Access denied: %03d", code);
            ftp_close(c, 67, msg);
            break;
        }
        ftp_cmd(c, FS_PWD, "PWD");
        break;
    case FS_PWD: {
        const char *q = strchr(last, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        if (code == 257 && q && e)
            curl_info(c, "Entry path is '%.*s'", (int)(e - q - 1), q + 1);
        if (!c->n_dirs)
            curl_info(c, "Request has same path as previous transfer");
        c->dir_at = 0;
        ftp_next_dir(c);
        break;
    }
    case FS_CWD:
        if (code / 100 != 2) {
            ftp_finish(c, 9, "Server denied you to change to the given directory");
            break;
        }
        ftp_next_dir(c);
        break;
    case FS_EPSV:
    case FS_PASV: {
        unsigned port = 0, h[4], p1 = 256, p2 = 256;
        const char *paren = strchr(last, '(');
        if (c->fstep == FS_EPSV && code == 229 && paren) {
            if (sscanf(paren, "(|||%u|)", &port) != 1 || port > 65535)
                port = 0;
        } else if (c->fstep == FS_PASV && code == 227 && paren &&
                   sscanf(paren, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3], &p1, &p2) ==
                       6 &&
                   p1 < 256 && p2 < 256) {
            port = p1 << 8 | p2;
            char addr[16];
            ip_format(c->ip, addr);
            /* curl 7.88 ignores the address in 227 (its --ftp-skip-pasv-ip) */
            curl_info(c, "Skip %u.%u.%u.%u for data connection, re-use %s instead", h[0], h[1],
                      h[2], h[3], c->host);
        } else if (c->fstep == FS_EPSV && code / 100 != 2) {
            curl_info(c, "Failed EPSV attempt. Disabling EPSV");
            c->epsv_off = true;
            ftp_cmd(c, FS_PASV, "PASV");
            break;
        }
        if (!port) {
            ftp_close(c, 13, "Bad PASV/EPSV response");
            break;
        }
        ftp_connect_data(c, port);
        break;
    }
    case FS_DATA_CONNECT:
        break;
    case FS_TYPE:
        if (code / 100 != 2) {
            ftp_close(c, 17, "Couldn't set desired mode");
            break;
        }
        if (c->upload)
            ftp_cmd(c, FS_TRANSFER, "STOR %s", c->file);
        else if (*c->file)
            ftp_cmd(c, FS_SIZE, "SIZE %s", c->file);
        else
            ftp_cmd(c, FS_TRANSFER, "LIST");
        break;
    case FS_SIZE:
        if (code == 213) {
            c->size_known = true;
            c->dl_size = strtoull(last + 4, NULL, 10);
        } else if (code == 550) {
            ftp_finish(c, 78, "The file does not exist");
            break;
        }
        ftp_cmd(c, FS_TRANSFER, "RETR %s", c->file);
        break;
    case FS_TRANSFER:
        if (code == 150 || code == 125) {
            ftp_start_transfer(c);
            break;
        }
        if (c->upload) {
            snprintf(msg, sizeof msg, "Failed FTP upload: %0d", code);
            ftp_finish(c, 25, msg);
        } else {
            snprintf(msg, sizeof msg, "RETR response: %03d", code);
            ftp_finish(c, *c->file && code == 550 ? 78 : 19, msg);
        }
        break;
    case FS_DATA:
        break;
    case FS_FINAL:
        if (code != 226 && code != 250) {
            snprintf(msg, sizeof msg, "server did not report OK, got %d", code);
            ftp_finish(c, 18, msg);
            break;
        }
        if (c->size_known && c->downloaded != c->dl_size) {
            snprintf(msg, sizeof msg, "Received only partial file: %llu bytes",
                     (unsigned long long)c->downloaded);
            ftp_finish(c, 18, msg);
            break;
        }
        ftp_finish(c, 0, NULL);
        break;
    case FS_QUIT:
        if (c->conn) {
            textconn_close(c->conn);
            c->conn = NULL;
        }
        curl_done(c, c->status);
        break;
    }
}

static void ftp_on_line(Curl *c, const char *line, size_t len)
{
    if (!c->quiet_quit && c->meter)
        curl_meter_check(c);
    if (c->fstep == FS_DATA) { /* read once the data is over */
        buf_put(&c->held, line, len);
        buf_putc(&c->held, '\n');
        return;
    }
    if (c->verbose && !c->quiet_quit)
        proc_printf(c->p, CON_STDERR, "< %.*s\r\n", (int)len, line);
    bool coded = len >= 3 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' &&
                 line[2] >= '0' && line[2] <= '9';
    if (coded && (len == 3 || line[3] == ' ')) {
        char *l = xstrndup(line, len);
        ftp_on_reply(c, l);
        free(l);
    }
}

/* %XX in a URL's path. */
char *curl_url_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (s[i] == '%' && i + 2 < n + 0 && sscanf(s + i + 1, "%2x", &v) == 1 &&
            strchr("0123456789abcdefABCDEF", s[i + 1]) &&
            strchr("0123456789abcdefABCDEF", s[i + 2])) {
            out[o++] = (char)v;
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

/* USER:PASS@ and the path of ftp://[USER[:PASS]@]HOST[:PORT]/PATH */
static void ftp_parse_path(Curl *c, const char *path)
{
    const char *file = strrchr(path, '/');
    file = file ? file + 1 : path;
    for (const char *s = path; s < file;) {
        const char *e = strchr(s, '/');
        if (e == s && s == path) { /* a leading empty folder: the root */
            c->dirs = xrealloc(c->dirs, (c->n_dirs + 1) * sizeof *c->dirs);
            c->dirs[c->n_dirs++] = xstrdup("/");
        } else if (e > s) {
            c->dirs = xrealloc(c->dirs, (c->n_dirs + 1) * sizeof *c->dirs);
            c->dirs[c->n_dirs++] = curl_url_decode(s, (size_t)(e - s));
        }
        s = e + 1;
    }
    c->prevdir = curl_url_decode(path, (size_t)(file - path));
    c->file = curl_url_decode(file, strlen(file));
    if (!*c->file && c->upload) { /* -T appends the file's name */
        const char *slash = strrchr(c->upload, '/');
        free(c->file);
        c->file = xstrdup(slash ? slash + 1 : c->upload);
    }
}

static void lost(Curl *c)
{
    sim_cancel(c->p->sim, c->meter);
    c->meter = 0;
    if ((c->pop3 || c->imap) && c->step != ST_CONNECT && curl_mail_lost(c))
        return;
    if (c->step == ST_QUIT || (c->ftp && c->fstep == FS_QUIT)) {
        if (!c->quiet_quit)
            curl_info(c, "Closing connection 0");
        curl_done(c, c->status);
        return;
    }
    free(c->error);
    c->error = xstrdup("Connection died, tried 5 times before giving up");
    curl_meter_line(c, true);
    curl_info(c, "Closing connection 0");
    curl_done(c, 56);
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
    curl_info(c, "connect to %s port %u failed: %s", addr, c->port, what);
    char msg[400];
    snprintf(msg, sizeof msg,
             "Failed to connect to %s port %u after %lld ms: Couldn't connect to server", c->host,
             c->port, (long long)((c->p->sim->now - c->started) / 1000));
    c->error = xstrdup(msg);
    curl_info(c, "%s", msg);
    curl_meter_line(c, true);
    curl_info(c, "Closing connection 0");
    curl_done(c, 7);
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Curl *c = ctx;
    char addr[16];
    ip_format(c->ip, addr);
    curl_info(c, "Connected to %s (%s) port %u (#0)", c->host, addr, c->port);
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
        curl_info(c, "%s", msg);
        curl_info(c, "Closing connection 0");
        curl_done(c, 6);
        return;
    }
    c->ip = ip;
    char addr[16];
    ip_format(ip, addr);
    curl_info(c, "  Trying %s:%u...", addr, c->port);
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

/* -m ran out: the transfer stops where it is, the connection closed. */
static void on_deadline(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Curl *c = ctx;
    c->deadline = 0;
    free(c->error);
    long long ms = (long long)((sim->now - c->started) / 1000);
    if (c->lookup) /* the name is still being looked up */
        c->error = xasprintf("Resolving timed out after %lld milliseconds", ms);
    else if (c->conn && c->step == ST_CONNECT) /* no answer to the SYN yet */
        c->error = xasprintf("Connection timed out after %lld milliseconds", ms);
    else if (c->size_known && c->dl_size)
        c->error = xasprintf("Operation timed out after %lld milliseconds with %llu out of %llu "
                             "bytes received",
                             ms, (unsigned long long)c->downloaded, (unsigned long long)c->dl_size);
    else
        c->error = xasprintf("Operation timed out after %lld milliseconds with %llu bytes received",
                             ms, (unsigned long long)c->downloaded);
    curl_meter_line(c, true);
    resolve_cancel(c->lookup);
    c->lookup = NULL;
    if (c->data) {
        tcp_set_ops(c->data, NULL, NULL);
        tcp_abort(c->data);
        c->data = NULL;
    }
    if (c->conn) {
        curl_info(c, "Closing connection 0");
        textconn_close(c->conn);
        c->conn = NULL;
    }
    curl_done(c, 28);
}

/* -m's value as curl reads it: seconds, a fraction allowed; false, said,
 * when it is not a positive number. */
static bool max_time(Proc *p, const char *opt, const char *v, SimTime *out)
{
    char *end;
    double s = strtod(v, &end);
    if (end == v || *end || s != s) {
        proc_printf(p, CON_STDERR, "curl: option %s: expected a proper numerical parameter\n", opt);
        return false;
    }
    if (s < 0) {
        proc_printf(p, CON_STDERR, "curl: option %s: expected a positive numerical parameter\n",
                    opt);
        return false;
    }
    *out = s > 1e9 ? (SimTime)1e15 : (SimTime)(s * 1e6 + 0.5);
    return true;
}

/* Splits smtp://HOST[:PORT][/PATH]; false (with curl's words) if it cannot. */
static bool parse_url(Curl *c)
{
    const char *u = c->url;
    for (const char *s = u; *s; s++)
        if ((unsigned char)*s <= ' ') { /* a space must be %20 */
            c->error = xstrdup("URL using bad/illegal format or missing URL");
            curl_info(c, "Closing connection -1");
            return false;
        }
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
    } else if (strncasecmp(u, "ftp.", 4) == 0) {
        snprintf(scheme, sizeof scheme, "ftp");
    }
    c->ftp = strcasecmp(scheme, "ftp") == 0;
    c->pop3 = strcasecmp(scheme, "pop3") == 0;
    c->imap = strcasecmp(scheme, "imap") == 0;
    if (strcasecmp(scheme, "smtp") != 0 && !c->ftp && !c->pop3 && !c->imap) {
        char msg[200];
        snprintf(msg, sizeof msg, "Protocol \"%s\" not supported or disabled in libcurl", scheme);
        c->error = xstrdup(msg);
        curl_info(c, "%s", msg);
        curl_info(c, "Closing connection -1");
        return false;
    }
    /* USER[:PASSWORD]@ before the host (FTP's login; anonymous without) */
    size_t auth = strcspn(rest, "/");
    const char *at = memchr(rest, '@', auth);
    if (at) {
        free(c->user);
        free(c->pass);
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        c->user = curl_url_decode(rest, (size_t)((colon ? colon : at) - rest));
        c->pass = colon ? curl_url_decode(colon + 1, (size_t)(at - colon - 1)) : xstrdup("");
        rest = at + 1;
    } else if (c->ftp && !c->user) {
        c->user = xstrdup("anonymous");
        c->pass = xstrdup("ftp@example.com");
    }
    size_t hl = strcspn(rest, ":/");
    c->host = xstrndup(rest, hl);
    c->port = c->ftp ? 21 : c->pop3 ? 110 : c->imap ? 143 : 25;
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
    if (c->ftp) {
        ftp_parse_path(c, path);
        return true;
    }
    if (c->pop3 || c->imap) {
        curl_mail_path(c, path);
        return true;
    }
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
    char path[VFS_PATH_MAX];
    if (proc_path(p, c->upload, path) != VFS_OK)
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
        bool takes =
            strcmp(a, "--mail-from") == 0 || strcmp(a, "--mail-rcpt") == 0 ||
            strcmp(a, "-T") == 0 || strcmp(a, "--upload-file") == 0 || strcmp(a, "--url") == 0 ||
            strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "-u") == 0 ||
            strcmp(a, "--user") == 0 || strcmp(a, "-X") == 0 || strcmp(a, "--request") == 0 ||
            strcmp(a, "-m") == 0 || strcmp(a, "--max-time") == 0;
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
        } else if (strcmp(a, "--disable-epsv") == 0 || strcmp(a, "--no-epsv") == 0) {
            c->epsv_off = true;
        } else if (strcmp(a, "--epsv") == 0) {
            c->epsv_off = false;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            free(c->outfile); /* "-": standard output, as without -o */
            c->outfile = strcmp(argv[++i], "-") ? xstrdup(argv[i]) : NULL;
        } else if (strcmp(a, "-I") == 0 || strcmp(a, "--head") == 0) {
            c->head = true;
        } else if (strcmp(a, "-l") == 0 || strcmp(a, "--list-only") == 0) {
            c->list_only = true;
        } else if (strcmp(a, "-u") == 0 || strcmp(a, "--user") == 0) {
            const char *v = argv[++i], *colon = strchr(v, ':');
            free(c->user);
            free(c->pass);
            c->user = colon ? xstrndup(v, (size_t)(colon - v)) : xstrdup(v);
            c->pass = xstrdup(colon ? colon + 1 : "");
        } else if (strcmp(a, "-X") == 0 || strcmp(a, "--request") == 0) {
            const char *v = argv[++i];
            size_t w = strcspn(v, " ");
            free(c->custom);
            free(c->custom_args);
            c->custom = xstrndup(v, w);
            c->custom_args = xstrdup(v[w] ? v + w + 1 : "");
        } else if (strcmp(a, "--url") == 0) {
            free(c->url);
            c->url = xstrdup(argv[++i]);
        } else if (strcmp(a, "-m") == 0 || strcmp(a, "--max-time") == 0) {
            if (!max_time(p, a, argv[++i], &c->max_time)) {
                usage_hint(p);
                proc_exit(p, 2);
                return;
            }
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
        curl_done(c, 26);
        return;
    }
    c->started = p->sim->now;
    /* a download that goes to the terminal: curl hides its meter */
    bool ftp_url = strncasecmp(c->url, "ftp://", 6) == 0 || strncasecmp(c->url, "ftp.", 4) == 0 ||
                   strncasecmp(c->url, "pop3://", 7) == 0 || strncasecmp(c->url, "imap://", 7) == 0;
    c->nometer = ftp_url && !c->upload && !c->outfile && proc_stdout_is_tty(p);
    if (c->outfile) {
        if (proc_path(p, c->outfile, c->out_path) != VFS_OK) {
            proc_printf(p, CON_STDERR, "curl: (23) Failed writing body\n");
            proc_exit(p, 23);
            return;
        }
    }
    if (!c->silent && !c->nometer)
        proc_printf(p, CON_STDERR,
                    "  %% Total    %% Received %% Xferd  Average Speed   Time    Time     Time  "
                    "Current\n                                 Dload  Upload   Total   Spent    "
                    "Left  Speed\n");
    curl_meter_line(c, false);
    if (!parse_url(c)) {
        curl_done(c, strncmp(c->error, "Port", 4) == 0 || strncmp(c->error, "URL", 3) == 0 ? 3 : 1);
        return;
    }
    meter_arm(c);
    if (c->max_time)
        c->deadline = sim_after(p->sim, c->max_time, on_deadline, c, 0);
    c->resolving = true;
    Resolve *r = resolve_name(p->sim, p->node, c->host, on_resolved, c);
    c->resolving = false;
    if (c->answered)
        on_resolved(c, c->res_st, c->res_ip, NULL);
    else
        c->lookup = r;
}
