/* ftp's transfers (see src/apps/ftp_int.h): ls, get and put over a data
 * connection set up as tnftp's initconn does (EPSV, then PASV, then
 * active mode with EPRT or PORT), the progress bar and summary, and mget
 * and mput. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/ftp_int.h"

#define BAR_WIDTH 35 /* an 80-column terminal, less tnftp's BAROVERHEAD */
#define CHUNK     16384

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

void ftp_data_drop(Ftp *f)
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

void ftp_job_end(Ftp *f)
{
    ftp_data_drop(f);
    f->job = J_NONE;
    free(f->cmd);
    f->cmd = NULL;
    free(f->remote);
    f->remote = NULL;
    buf_clear(&f->final_text);
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
    ftp_job_end(f);
    ftp_prompt(f);
}

static void after_abor(Ftp *f, int code, const char *text)
{
    (void)code;
    proc_printf(f->p, CON_STDOUT, "%s", text);
    ftp_job_end(f);
    ftp_prompt(f);
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
        ftp_send_cmd(f, false, after_abor, "ABOR");
        return;
    }
    if (f->job == J_GET && ok && f->feat_mdtm) {
        ftp_send_cmd(f, true, after_mdtm, "MDTM %s", f->remote);
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
    ftp_job_end(f);
    ftp_prompt(f);
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
        ftp_job_end(f);
        ftp_prompt(f);
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
    ftp_send_cmd(f, false, transfer_reply, "%s", f->cmd);
}

static void data_connected(void *ctx, TcpConn *c)
{
    (void)c;
    send_transfer(ctx);
}

/* The data connection could not be set up: tnftp's transfer ends with
 * code -1, which a get before login then reads as a failure (below). */
static void data_failed(Ftp *f)
{
    f->code = -1;
    ftp_job_end(f);
    ftp_prompt(f);
}

static void show_data_reply(Ftp *f, const char *text)
{
    if (f->job != J_NLST) /* mget's listing is quiet */
        proc_printf(f->p, CON_STDOUT, "%s", text);
}

static void start_active(Ftp *f);

static void connect_data(Ftp *f, unsigned port)
{
    NetErr err = NET_OK;
    f->data =
        tcp_connect(f->p->sim, f->p->node, f->ip, (uint16_t)port, f->host, &data_ops, f, &err);
    if (!f->data) {
        proc_printf(f->p, CON_STDERR, "ftp: Can't connect to `%s': No route to host\n", f->host);
        data_failed(f);
    }
}

/* PASV's reply is shown whatever it says.  Refused, tnftp falls back to
 * active mode and stays there (passive mode is off from then on). */
static void after_pasv(Ftp *f, int code, const char *text)
{
    show_data_reply(f, text);
    const char *paren = strchr(text, '(');
    unsigned h[4], p1 = 256, p2 = 256;
    if (code == 227 && paren &&
        sscanf(paren, "(%u,%u,%u,%u,%u,%u)", &h[0], &h[1], &h[2], &h[3], &p1, &p2) == 6 &&
        p1 < 256 && p2 < 256 && (p1 | p2)) {
        connect_data(f, p1 << 8 | p2); /* to the control connection's address */
        return;
    }
    if (!f->activefallback) {
        proc_printf(f->p, CON_STDOUT, "Passive mode refused.\n");
        data_failed(f);
        return;
    }
    f->passive = false;
    start_active(f);
}

/* EPSV is asked quietly: its reply is shown only when it is a port.
 * Refused, EPSV and EPRT are not tried again on this connection. */
static void after_epsv(Ftp *f, int code, const char *text)
{
    const char *bar = strstr(text, "(|||");
    unsigned port = 0;
    if (code == 229 && bar && sscanf(bar, "(|||%u|)", &port) == 1 && port && port <= 65535) {
        show_data_reply(f, text);
        connect_data(f, port);
        return;
    }
    f->epsv4bad = true;
    ftp_send_cmd(f, false, after_pasv, "PASV");
}

/* PORT's reply is shown.  tnftp's first refused PORT makes it try again on
 * the control connection's own port, which is in use. */
static void after_port(Ftp *f, int code, const char *text)
{
    show_data_reply(f, text);
    if (code == 200) {
        send_transfer(f);
        return;
    }
    if (code >= 500 && f->sendport == -1) {
        f->sendport = 1;
        proc_printf(f->p, CON_STDERR,
                    "ftp: Can't bind for data connection: Address already in use\n");
    }
    data_failed(f);
}

static void send_port(Ftp *f)
{
    TcpInfo li, ci;
    tcp_info(f->listener, &li);
    tcp_info(textconn_tcp(f->ctl), &ci);
    uint32_t a = ci.local_ip;
    ftp_send_cmd(f, false, after_port, "PORT %u,%u,%u,%u,%u,%u", a >> 24, (a >> 16) & 255,
                 (a >> 8) & 255, a & 255, li.local_port >> 8, li.local_port & 255);
}

/* EPRT, like EPSV, is asked quietly, and PORT follows a refusal. */
static void after_eprt(Ftp *f, int code, const char *text)
{
    if (code == 200) {
        show_data_reply(f, text);
        send_transfer(f);
        return;
    }
    f->epsv4bad = true;
    send_port(f);
}

/* Active mode: a listening port, offered by EPRT (or PORT). */
static void start_active(Ftp *f)
{
    f->listener = tcp_listen(f->p->sim, f->p->node, 0, 1, &listen_ops, f);
    if (!f->epsv4 || f->epsv4bad) {
        send_port(f);
        return;
    }
    TcpInfo li, ci;
    tcp_info(f->listener, &li);
    tcp_info(textconn_tcp(f->ctl), &ci);
    char addr[16];
    ip_format(ci.local_ip, addr);
    ftp_send_cmd(f, true, after_eprt, "EPRT |1|%s|%u|", addr, li.local_port);
}

/* Sets up the data connection as tnftp's initconn does (EPSV, then PASV,
 * then active mode; or EPRT, then PORT), then sends f->cmd. */
static void start_data(Ftp *f)
{
    f->data_eof = f->final_seen = f->started = false;
    f->final_code = 0;
    f->bytes = 0;
    f->t0 = 0;
    buf_clear(&f->early);
    f->early_eof = false;
    f->cr_pending = false;
    if (!f->passive)
        start_active(f);
    else if (f->epsv4 && !f->epsv4bad)
        ftp_send_cmd(f, true, after_epsv, "EPSV");
    else
        ftp_send_cmd(f, false, after_pasv, "PASV");
}

static void after_type(Ftp *f, int code, const char *text);

/* Sends TYPE when the server's differs from the one this transfer needs. */
static bool need_type(Ftp *f, char want)
{
    if (f->server_type == want)
        return false;
    f->server_type = want;
    ftp_send_cmd(f, true, after_type, "TYPE %c", want);
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
    if (f->job == J_GET && f->feat_size) {
        ftp_send_cmd(f, true, after_size, "SIZE %s", f->remote);
    } else if (f->job == J_GET && f->code == -1) {
        /* tnftp reads the code SIZE would have set: before a login (no
         * FEAT yet) that is the last command's, and after a transfer that
         * could not start it says the get fails, silently */
        ftp_job_end(f);
        ftp_prompt(f);
    } else {
        start_data(f);
    }
}

/* get, put and ls share their start: the transfer, then its data. */
void ftp_transfer(Ftp *f, FtpJob job, const char *verb, const char *remote, const char *local)
{
    f->job = job;
    free(f->remote);
    f->remote = remote ? xstrdup(remote) : NULL;
    free(f->cmd);
    f->cmd = remote && remote[0] ? xasprintf("%s %s", verb, remote) : xstrdup(verb);
    ftp_busy(f);
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
        data_failed(f);
        return;
    }
    if (job == J_PUT) {
        VfsStat st;
        VfsErr e = vfs_stat(vfs_of(f->p->sim), f->p->node, f->local, &st);
        if (e == VFS_OK && st.dir)
            e = VFS_EISDIR;
        if (e != VFS_OK) {
            proc_printf(f->p, CON_STDERR, "ftp: Can't open `%s': %s\n", local, vfs_strerror(e));
            data_failed(f);
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
void ftp_with_local_name(Ftp *f, FtpJob job, const char *remote, const char *local)
{
    size_t n = strlen(local);
    while (n > 1 && local[n - 1] == '/')
        n--;
    char *name = xstrndup(local, n);
    ftp_transfer(f, job, job == J_GET ? "RETR" : "STOR", remote ? remote : name, name);
    free(name);
}

/* ---- mget and mput ---------------------------------------------------- */

void ftp_mfree(Ftp *f)
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
void ftp_mnext(Ftp *f)
{
    if (f->mjob == J_GET && f->next_mpattern < f->n_mpatterns) {
        buf_clear(&f->names);
        ftp_transfer(f, J_NLST, "NLST", f->mpatterns[f->next_mpattern++], NULL);
        return;
    }
    if (f->next_mfile >= f->n_mfiles) {
        ftp_mfree(f);
        ftp_prompt(f);
        return;
    }
    const char *name = f->mfiles[f->next_mfile];
    if (f->prompting && !f->mall) {
        char *q = xasprintf("%s %s [anpqy?]? ", f->mjob == J_GET ? "mget" : "mput", name);
        ftp_ask(f, W_CONFIRM, q);
        free(q);
        return;
    }
    f->next_mfile++;
    if (f->mjob == J_GET && skip_nonlocal(f, name)) {
        ftp_mnext(f);
        return;
    }
    ftp_transfer(f, f->mjob, f->mjob == J_GET ? "RETR" : "STOR", name, name);
}

/* The answer to "mget NAME [anpqy?]? ", as tnftp's confirm() reads it. */
void ftp_mconfirm(Ftp *f, const char *line)
{
    const char *name = f->mfiles[f->next_mfile];
    switch (line[0] | 0x20) {
    case 'n':
        f->next_mfile++;
        ftp_mnext(f);
        return;
    case 'q':
        ftp_mfree(f);
        ftp_prompt(f);
        return;
    case '?' | 0x20:
        proc_printf(f->p, CON_STDOUT,
                    "\ta  answer `yes' to all remaining prompts\n"
                    "\tn  answer `no' to this prompt\n"
                    "\tp  turn off prompting (same as the prompt command)\n"
                    "\tq  answer `no' to all remaining prompts and quit\n"
                    "\ty  answer `yes' to this prompt\n");
        ftp_mnext(f);
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
        ftp_mnext(f);
        return;
    }
    f->asked = true;
    ftp_transfer(f, f->mjob, f->mjob == J_GET ? "RETR" : "STOR", name, name);
    f->asked = false;
}

/* mput's patterns, matched against the files in the working folder. */
void ftp_mput_expand(Ftp *f, char **pats, size_t n)
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
