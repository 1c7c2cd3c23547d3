/* The data connection's half of the FTP server (see ftp_session.h): the
 * modes PORT/EPRT and PASV/EPSV, the connection made from port 20 or
 * accepted on a passive port, the bytes of a listing or a file sent or
 * stored, and the end of each transfer (226, 425, 426). */
#include "proto/ftp/ftp_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/world.h"

#define DATA_TIMEOUT (60 * SEC)   /* accept_timeout, connect_timeout */
#define CHUNK        16384        /* bytes read from a file at a time */
#define STATE_EVERY  (256 * 1024) /* a transfer's progress record, every so many bytes */

static void start_transfer(Session *s);
static void data_failed(Session *s, const char *why);

/* Closes *c (FIN after what is queued) without telling the session, and
 * clears it. */
static void drop(TcpConn **c)
{
    if (!*c)
        return;
    tcp_set_ops(*c, NULL, NULL);
    tcp_close(*c);
    *c = NULL;
}

/* Forgets the data connection and the mode (vsftpd asks for a new PORT or
 * PASV before each transfer). */
void ftp_data_reset(Session *s)
{
    ftp_server_cancel(s, &s->data_timer);
    drop(&s->listener);
    drop(&s->data);
    s->data_up = false;
    s->mode = DM_NONE;
    s->extended = false;
}

/* The transfer is over: the mode is spent, queued commands run. */
static void xfer_done(Session *s)
{
    s->xfer = X_NONE;
    s->xfer_started = false;
    s->rest = 0;
    buf_clear(&s->listing);
    ftp_data_reset(s);
    ftp_server_record(s);
    ftp_server_touch(s);
    ftp_server_run_queued(s);
}

static bool sending(const Session *s)
{
    return s->xfer == X_LIST || s->xfer == X_NLST || s->xfer == X_RETR;
}

/* A transfer's bytes are all sent or stored: the data connection closes
 * (its FIN is the end of the file), 226 confirms it with caption. */
static void transfer_complete(Session *s, const char *caption, const char *text)
{
    drop(&s->data);
    ftp_server_reply(s, caption, "%s", text);
    xfer_done(s);
}

/* The last byte is queued: FIN ends the file, and 226 says so. */
static void send_finished(Session *s)
{
    char cap[512];
    snprintf(cap, sizeof cap,
             "%s closes the data connection: its FIN marks the end of the %s (%llu bytes), and "
             "226 on the control connection confirms it",
             ftp_server_node_name(s->srv), s->xfer == X_RETR ? "file" : "listing",
             (unsigned long long)s->bytes);
    transfer_complete(s, cap,
                      s->xfer == X_RETR ? "226 Transfer complete." : "226 Directory send OK.");
}

/* A progress record after every STATE_EVERY bytes of a transfer. */
static void progress(Session *s)
{
    if (s->bytes - s->bytes_recorded >= STATE_EVERY) {
        s->bytes_recorded = s->bytes;
        ftp_server_record(s);
    }
}

/* Sends as much as the data connection takes now. */
static void pump(Session *s)
{
    while (s->data && sending(s)) {
        size_t room = tcp_sndbuf(s->data);
        if (room == 0)
            return;
        uint8_t chunk[CHUNK];
        size_t n = 0;
        if (s->xfer != X_RETR) {
            n = s->listing.len - s->list_off;
            if (n > room)
                n = room;
            if (n)
                tcp_write(s->data, s->listing.data + s->list_off, n);
            s->list_off += n;
            s->bytes += n;
        } else {
            size_t want = room < CHUNK / 2 ? room : CHUNK / 2;
            if (s->srv->conf->ascii && s->ascii) {
                /* ASCII mode: each LF goes out as CR LF */
                uint8_t raw[CHUNK / 2];
                size_t got = 0;
                vfs_read(ftp_server_files(s), s->srv->node, s->xpath, s->off, raw,
                         want / 2 ? want / 2 : 1, &got);
                for (size_t i = 0; i < got; i++) {
                    if (raw[i] == '\n')
                        chunk[n++] = '\r';
                    chunk[n++] = raw[i];
                }
                s->off += got;
                if (got == 0)
                    n = 0;
                else if (n > room) { /* cannot happen often: send what fits next time */
                    size_t took = tcp_write(s->data, chunk, n);
                    s->bytes += took;
                    continue;
                }
            } else {
                vfs_read(ftp_server_files(s), s->srv->node, s->xpath, s->off, chunk, want, &n);
                s->off += n;
            }
            if (n)
                tcp_write(s->data, chunk, n);
            s->bytes += n;
        }
        progress(s);
        if (n == 0) {
            send_finished(s);
            return;
        }
    }
}

static void store_bytes(Session *s, const uint8_t *data, size_t len)
{
    FtpServer *srv = s->srv;
    Buf b;
    buf_init(&b);
    if (srv->conf->ascii && s->ascii) { /* CR LF comes in, LF is stored */
        for (size_t i = 0; i < len; i++) {
            if (s->cr_pending && data[i] != '\n')
                buf_putc(&b, '\r');
            s->cr_pending = data[i] == '\r';
            if (!s->cr_pending)
                buf_putc(&b, (char)data[i]);
        }
        data = (const uint8_t *)b.data;
        len = b.len;
    }
    if (len)
        vfs_append(ftp_server_files(s), srv->node, s->xpath, data, len);
    buf_fini(&b);
}

static void data_sent_in(void *ctx, TcpConn *c, size_t acked)
{
    (void)c;
    (void)acked;
    pump(ctx);
}

static void data_sent(void *ctx, TcpConn *c, size_t acked)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_sent_in(ctx, c, acked);
    ftp_server_leave(s);
}

static void data_received_in(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    Session *s = ctx;
    bool upload = s->xfer == X_STOR || s->xfer == X_APPE || s->xfer == X_STOU;
    if (len == 0 && !upload) {
        /* The client's FIN.  Before a transfer the connection is given up;
         * during one vsftpd keeps sending: a client that closed for good
         * answers with RST, and the transfer ends in 426. */
        if (s->xfer == X_NONE) {
            drop(&s->data);
            s->data_up = false;
        }
        return;
    }
    if (len == 0) { /* the end of the file */
        if (s->cr_pending)
            vfs_append(ftp_server_files(s), s->srv->node, s->xpath, "\r", 1);
        char cap[512];
        snprintf(cap, sizeof cap,
                 "The client's FIN ended the data connection: the upload is complete (%llu "
                 "bytes), and %.100s stored it as %.200s",
                 (unsigned long long)s->bytes, ftp_server_node_name(s->srv), s->xpath);
        transfer_complete(s, cap, "226 Transfer complete.");
        return;
    }
    tcp_recved(c, len);
    if (upload) {
        store_bytes(s, data, len);
        s->bytes += len;
        progress(s);
    }
}

static void data_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_received_in(ctx, c, data, len);
    ftp_server_leave(s);
}

static void data_ended_in(void *ctx, TcpConn *c, TcpWhy why)
{
    (void)c;
    Session *s = ctx;
    s->data = NULL;
    bool up = s->data_up;
    s->data_up = false;
    if (s->xfer == X_NONE)
        return; /* a passive connection nobody used */
    if (!up || !s->xfer_started) {
        data_failed(s, why == TCP_WHY_REFUSED ? "the client refused it" : "it was not made");
        return;
    }
    ftp_server_reply(s, NULL,
                     sending(s) ? "426 Failure writing network stream."
                                : "426 Failure reading network stream.");
    xfer_done(s);
}

static void data_ended(void *ctx, TcpConn *c, TcpWhy why)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_ended_in(ctx, c, why);
    ftp_server_leave(s);
}

static void data_connected_in(void *ctx, TcpConn *c)
{
    (void)c;
    Session *s = ctx;
    s->data_up = true;
    ftp_server_cancel(s, &s->data_timer);
    if (s->xfer != X_NONE)
        start_transfer(s);
}

static void data_connected(void *ctx, TcpConn *c)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_connected_in(ctx, c);
    ftp_server_leave(s);
}

static const TcpOps data_ops = {
    .connected = data_connected,
    .received = data_received,
    .sent = data_sent,
    .ended = data_ended,
};

static void data_accepted_in(void *ctx, TcpConn *listener, TcpConn *c)
{
    (void)listener;
    Session *s = ctx;
    TcpInfo in;
    tcp_info(c, &in);
    if (s->data || in.remote_ip != s->peer_ip) { /* pasv_promiscuous=NO */
        tcp_abort(c);
        return;
    }
    s->data = c;
    tcp_set_ops(c, &data_ops, s);
    /* vsftpd accepts one connection and closes the listening socket */
    drop(&s->listener);
    data_connected(s, c);
}

static void data_accepted(void *ctx, TcpConn *listener, TcpConn *c)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_accepted_in(ctx, listener, c);
    ftp_server_leave(s);
}

static const TcpOps pasv_ops = {.accepted = data_accepted};

static void data_failed(Session *s, const char *why)
{
    char cap[512];
    snprintf(cap, sizeof cap,
             "The data connection failed (%s): %.100s answers 425 on the control connection", why,
             ftp_server_node_name(s->srv));
    ftp_server_reply(s, cap, "425 Failed to establish connection.");
    xfer_done(s);
}

static void data_timeout_in(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Session *s = ctx;
    s->data_timer = 0;
    data_failed(s, "nothing connected within 60 seconds");
}

static void data_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    Session *s = ctx;
    ftp_server_enter(s);
    data_timeout_in(sim, ctx, arg);
    ftp_server_leave(s);
}

/* Sends 150 and starts the bytes. */
static void start_transfer(Session *s)
{
    FtpServer *srv = s->srv;
    s->xfer_started = true;
    const char *name = s->xname;
    bool ascii = srv->conf->ascii && s->ascii;
    switch (s->xfer) {
    case X_LIST:
    case X_NLST:
        ftp_server_reply(s, NULL, "150 Here comes the directory listing.");
        break;
    case X_RETR: {
        char cap[VFS_PATH_MAX + 200];
        snprintf(cap, sizeof cap, "%s starts sending %s (%llu bytes) over the data connection",
                 ftp_server_node_name(srv), name, (unsigned long long)(s->size - s->off));
        ftp_server_reply(s, cap, "150 Opening %s mode data connection for %s (%llu bytes).",
                         ascii ? "ASCII" : "BINARY", name, (unsigned long long)s->size);
        break;
    }
    case X_STOU:
        ftp_server_reply(s, NULL, "150 FILE: %s", name);
        break;
    default:
        ftp_server_reply(s, NULL, "150 Ok to send data.");
        break;
    }
    ftp_server_record(s);
    if (sending(s))
        pump(s);
}

/* Opens (active) or awaits (passive) the data connection for a transfer
 * whose checks passed. */
void ftp_data_open(Session *s, Xfer x)
{
    FtpServer *srv = s->srv;
    s->xfer = x;
    s->bytes = s->bytes_recorded = 0;
    s->cr_pending = false;
    ftp_server_record(s);
    if (s->mode == DM_PASV) {
        if (s->data_up) {
            start_transfer(s);
            return;
        }
        s->data_timer = sim_after(srv->sim, DATA_TIMEOUT, data_timeout, s, 0);
        return;
    }
    char label[16], cap[256];
    ip_format(s->port_ip, label);
    if (trace_wanted(&srv->sim->trace)) {
        snprintf(cap, sizeof cap,
                 "Active mode: %s opens the data connection itself, from its port 20 to %s "
                 "port %u, the address the client gave with %s",
                 ftp_server_node_name(srv), label, s->port_port, s->extended ? "EPRT" : "PORT");
        trace_note(&srv->sim->trace, srv->sim->now, 0, "%s", cap);
    }
    NetErr err = NET_OK;
    s->data = tcp_connect_from(srv->sim, srv->node, FTP_DATA_PORT, s->port_ip, s->port_port, label,
                               &data_ops, s, &err);
    if (!s->data) {
        data_failed(s, "the server could not send to that address");
        return;
    }
    s->data_timer = sim_after(srv->sim, DATA_TIMEOUT, data_timeout, s, 0);
}

/* ---- commands --------------------------------------------------------------------- */

void ftp_data_pasv(Session *s, bool extended)
{
    FtpServer *srv = s->srv;
    ftp_data_reset(s);
    unsigned span = (unsigned)srv->conf->pasv_max - srv->conf->pasv_min + 1;
    uint16_t port = 0;
    for (unsigned tries = 0; tries < span * 2 && !s->listener; tries++) {
        port = (uint16_t)(srv->conf->pasv_min + rng_below(&srv->rng, span));
        s->listener = tcp_listen(srv->sim, srv->node, port, 1, &pasv_ops, s);
    }
    if (!s->listener) {
        ftp_server_reply(s, NULL, "500 OOPS: vsf_sysutil_bind");
        return;
    }
    s->mode = DM_PASV;
    s->extended = extended;
    s->pasv_port = port;
    char cap[512];
    snprintf(cap, sizeof cap,
             "Passive mode: %s listens on port %u and tells the client to connect there; the "
             "client will open the data connection",
             ftp_server_node_name(srv), port);
    if (extended) {
        ftp_server_reply(s, cap, "229 Entering Extended Passive Mode (|||%u|)", port);
    } else {
        uint32_t a = s->local_ip;
        ftp_server_reply(s, cap, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).", a >> 24,
                         (a >> 16) & 255, (a >> 8) & 255, a & 255, port >> 8, port & 255);
    }
    ftp_server_record(s);
}

void ftp_data_port(Session *s, const FtpCommand *c, bool extended)
{
    uint32_t ip;
    uint16_t port;
    ftp_data_reset(s);
    bool ok = extended ? ftp_parse_eprt(c->arg, &ip, &port) : ftp_parse_port(c->arg, &ip, &port);
    if (!ok && extended && c->arg_len > 2 && c->arg[1] != '1' && c->arg[2] == c->arg[0]) {
        ftp_server_reply(s, NULL, "500 Bad EPRT protocol.");
        return;
    }
    if (!ok) {
        ftp_server_reply(s, NULL, extended ? "500 Bad EPRT command." : "500 Illegal PORT command.");
        return;
    }
    /* port_promiscuous=NO: only to the client's own address, and never
     * to a privileged port (below 1024), as vsftpd. */
    if (ip != s->peer_ip || port < 1024) {
        ftp_server_reply(s, NULL,
                         extended ? "500 Illegal EPRT command." : "500 Illegal PORT command.");
        return;
    }
    s->mode = DM_PORT;
    s->extended = extended;
    s->port_ip = ip;
    s->port_port = port;
    char addr[16], cap[256];
    ip_format(ip, addr);
    snprintf(cap, sizeof cap,
             "Active mode: the client listens on %s port %u; %s will connect to it from port 20 "
             "when a transfer starts",
             addr, port, ftp_server_node_name(s->srv));
    ftp_server_reply(s, cap,
                     extended ? "200 EPRT command successful. Consider using EPSV."
                              : "200 PORT command successful. Consider using PASV.");
    ftp_server_record(s);
}
