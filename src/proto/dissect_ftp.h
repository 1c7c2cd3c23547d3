/* dissect_ftp — FTP's data connections, known the way Wireshark knows
 * them: a PORT or EPRT command, or a 227 or 229 reply, on a control
 * connection (TCP port 21) announces an endpoint; the next TCP
 * conversation between that endpoint and the other end of the control
 * connection is FTP-DATA, whatever its ports, and is linked to its
 * control connection (Wireshark's ftp-data.setup-method and
 * ftp-data.command).  Without a context, or for a connection nobody
 * announced, only port 20 says FTP-DATA, as before.
 *
 * This header is what dissect_tcp.c and the FTP-DATA row share; everyone
 * else uses dissect.h.  The state lives in a DissectCtx, built from the
 * frames in trace order: a control connection's bytes are read once each
 * (a frame seen again on the next link, or sent again, teaches nothing
 * new), only the first line of a segment, as Wireshark reads it.
 *
 * Differences from Wireshark 4.0, on purpose: an EPRT's endpoint is the
 * one the client announced (Wireshark registers the client with itself,
 * so tshark leaves an EPRT's data connection unlinked, known only by port
 * 20); an active connection may come from any port of the server, not
 * only 20.  Costs: a new conversation looks through the announcements,
 * newest first, O(announcements); everything else is O(1). */
#ifndef MN_DISSECT_FTP_H
#define MN_DISSECT_FTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dissect.h"

#define DISSECT_FTP_LINE 100 /* bytes kept of a setup line or a command */

/* One announced data connection. */
struct DissectFtpData {
    uint32_t ip; /* the announced address and port */
    uint16_t port;
    uint32_t peer_ip;               /* who will connect to it, or be connected from (any port) */
    const char *method;             /* Wireshark's names: "PORT", "PASV", "EPRT", "EPASV" */
    bool passive;                   /* PASV/EPSV: the client connects; else the server does */
    int control;                    /* the control connection's TCP stream index */
    char setup[DISSECT_FTP_LINE];   /* the announcing line, e.g. "227 Entering Passive …" */
    char command[DISSECT_FTP_LINE]; /* what the data answers ("RETR notes.txt"), or "" */
};

/* What a TCP conversation holds for FTP (inside dissect_tcp.c's TcpConv). */
typedef struct DissectFtpConv {
    uint32_t data;    /* index + 1 of the DissectFtpData this connection carries, 0 none */
    uint32_t current; /* control connection: index + 1 of its latest announcement */
    uint32_t done[2]; /* control connection: relative sequence number read to, per side */
    bool started[2];
} DissectFtpConv;

/* A context's announcements. */
typedef struct DissectFtp {
    DissectFtpData *data;
    size_t n, cap;
} DissectFtp;

void dissect_ftp_fini(DissectFtp *f);

/* A new conversation between (a, pa) and (b, pb): index + 1 of the latest
 * announcement it matches, 0 for none. */
uint32_t dissect_ftp_match(const DissectFtp *f, uint32_t a, uint16_t pa, uint32_t b, uint16_t pb);

/* The segment of a control connection (stream, conv) from src to dst, the
 * payload's relative sequence number rel_seq and its bytes: a PORT, EPRT,
 * 227 or 229 in its first line announces a data connection; any other
 * command may be what the latest one carries. */
void dissect_ftp_control(DissectFtp *f, DissectFtpConv *conv, int stream, bool to_server,
                         uint32_t src, uint32_t dst, uint32_t rel_seq, const uint8_t *data,
                         size_t len);

/* Whether port is FTP's control port (the FTP row's). */
bool dissect_ftp_is_control(uint16_t port);

/* The FTP-DATA row's functions (dissect_apps.c): Wireshark's Info column
 * ("FTP Data: 271 bytes (PASV) (RETR notes.txt)"), its tree with the setup
 * lines, the map's label ("data (271 B)"). */
void dissect_ftp_data_summary(const DissectPayload *p, Buf *out);
void dissect_ftp_data_tree(const DissectPayload *p, DissectTree *t);
void dissect_ftp_data_label(const DissectPayload *p, char *label, size_t size, bool *response);

#endif
