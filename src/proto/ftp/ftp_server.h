/* ftp_server — an FTP server (RFC 959, 2428, 3659) that answers as vsftpd
 * 3.0.3 does with Debian 12's /etc/vsftpd.conf, plus write_enable=YES
 * (the scenario's "writable") and pasv_min_port/pasv_max_port (its
 * "passive_ports"): local users not chrooted, anonymous logins off unless
 * the scenario turns them on (chrooted to /srv/ftp, read-only), the
 * control connection on port 21, active data connections from port 20
 * (connect_from_port_20=YES), passive ones on a port of the range.
 *
 * Each client is a session: who is logged in, the working directory, the
 * transfer type, the data mode (PORT/EPRT or PASV/EPSV), the transfer in
 * progress and its bytes.  Every change is a `state` record of the node's
 * "ftp" table, keyed by the client's address and port, so the inspector
 * shows each client's session on its own row.
 *
 * vsftpd's timeouts: a failed login is answered after 1 s
 * (delay_failed_login), the third one closes the connection
 * (max_login_fails); an idle session ends after 300 s with "421 Timeout."
 * (idle_session_timeout, a background event); a data connection that is
 * not made within 60 s fails with 425 (accept_timeout, connect_timeout).
 *
 * Files are the node's files (proto/vfs.h); an upload is stored, so a
 * later listing shows it.  A path's "~" or "~/" is the login's home, as
 * vsftpd's resolve_tilde makes it (MDTM alone reads the file first).  Permissions are those of Debian's defaults: a
 * user writes where the folder is theirs (homes are 0755, files 0644). */
#ifndef MN_FTP_SERVER_H
#define MN_FTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"

#define FTP_PORT      21
#define FTP_DATA_PORT 20

/* The services table's row (SVC_FTP_SERVER): a server on every node whose
 * role runs it, listening on port 21. */
void ftp_servers_start(Sim *sim);
void ftp_servers_stop(Sim *sim);

/* ---- the command parser (exposed for tests and the fuzz target) --------- */

/* A command line split as vsftpd splits it: the verb up to the first space,
 * upper-cased (at most 4 letters are known; longer verbs are unknown), and
 * the argument after that space, as it is. */
typedef struct FtpCommand {
    char verb[8];    /* upper-cased; "" for an empty line */
    const char *arg; /* points into the line; "" when there is none */
    size_t arg_len;
    bool has_arg; /* a space followed the verb */
} FtpCommand;

void ftp_parse_command(const char *line, size_t len, FtpCommand *out);

/* Parses PORT's argument "h1,h2,h3,h4,p1,p2".  False when malformed. */
bool ftp_parse_port(const char *arg, uint32_t *ip, uint16_t *port);
/* Parses EPRT's argument "|1|10.0.0.5|41234|".  False when malformed or
 * not IPv4. */
bool ftp_parse_eprt(const char *arg, uint32_t *ip, uint16_t *port);

/* One line of vsftpd's LIST output (without CRLF) into out: mode, links,
 * uid, gid, size, date (with the year when mtime is more than 182 days
 * before now or after it), name.  Returns the length. */
size_t ftp_list_line(char *out, size_t size, bool dir, unsigned mode, unsigned nlink, unsigned uid,
                     unsigned gid, uint64_t fsize, int64_t mtime_s, int64_t now_s,
                     const char *name);

#endif
