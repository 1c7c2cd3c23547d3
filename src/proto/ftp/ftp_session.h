/* ftp_session — what the FTP server's two halves share, internal to
 * src/proto/ftp: ftp_server.c owns the sessions, their control connection
 * and the commands; ftp_data.c owns the data connection (PORT/EPRT,
 * PASV/EPSV, connecting or accepting, sending and receiving the bytes).  A session is only ever
 * used between ftp_server_enter and ftp_server_leave, so that one ending inside a callback is freed
 * only when the outermost callback returns. */
#ifndef MN_FTP_SESSION_H
#define MN_FTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/sim.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/ftp/ftp_conf.h"
#include "proto/ftp/ftp_server.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define SEC 1000000LL /* microseconds of simulated time */

typedef enum DataMode { DM_NONE, DM_PORT, DM_PASV } DataMode;
typedef enum Xfer { X_NONE, X_LIST, X_NLST, X_RETR, X_STOR, X_APPE, X_STOU } Xfer;

typedef struct FtpServer FtpServer;

typedef struct Session {
    struct Session *prev, *next;
    FtpServer *srv;
    TextConn *ctl;
    char key[32];  /* the client's end, "10.0.2.10:43312": the state record's key */
    char peer[16]; /* the client's address */
    uint32_t peer_ip, local_ip;
    /* login */
    char *user; /* as given with USER, or NULL */
    bool logged_in, anon;
    const FtpUser *acct;
    int fails;
    EvHandle delay; /* a failed login's answer, 1 s later */
    /* where it is */
    const char *root;       /* "" or "/srv/ftp" (anonymous, chrooted) */
    char cwd[VFS_PATH_MAX]; /* as the client sees it */
    bool ascii;             /* TYPE A */
    /* the data connection */
    DataMode mode;
    bool extended; /* EPSV or EPRT: for the state record */
    bool epsv_all; /* after EPSV ALL, PORT and PASV are refused */
    uint32_t port_ip;
    uint16_t port_port;
    TcpConn *listener; /* PASV's */
    uint16_t pasv_port;
    TcpConn *data;
    bool data_up; /* connected (or accepted) */
    /* the transfer */
    Xfer xfer;
    bool xfer_started;        /* 150 sent */
    char xpath[VFS_PATH_MAX]; /* the file, as the server sees it */
    char xname[VFS_PATH_MAX]; /* the argument, as the client wrote it (RETR: ~ expanded) */
    Buf listing;
    size_t list_off;
    uint64_t off, size, bytes, bytes_recorded;
    bool cr_pending; /* ASCII upload: a CR waits to see whether LF follows */
    uint64_t rest;
    char *rnfr; /* RNFR's path, as the server sees it */
    EvHandle data_timer, idle;
    /* lines that arrived while a transfer ran: vsftpd reads them after it */
    char **queued;
    size_t n_queued;
    bool quitting;
    unsigned clients_at_start; /* STAT's "At session startup, client count was" */
    int busy;                  /* callbacks running (enter/leave) */
    bool dead;                 /* ended while busy: freed by the last leave */
} Session;

struct FtpServer {
    Sim *sim;
    int node;
    const FtpNodeConf *conf;
    TcpConn *listener;
    Session *sessions;
    Rng rng;
    unsigned clients; /* sessions now, for STAT's "client count" */
};

/* ---- ftp_server.c: the session ------------------------------------------ */

/* The session's `state` record (user, folder, type, data mode, transfer). */
void ftp_server_record(Session *s);
/* Sends one reply line; caption (NULL: a generic one) explains it.
 * Nothing when the control connection is gone. */
void ftp_server_reply(Session *s, const char *caption, const char *fmt, ...) MN_PRINTF(3, 4);
const char *ftp_server_node_name(const FtpServer *srv);
Vfs *ftp_server_files(const Session *s);
/* Cancels *h when it is pending and clears it. */
void ftp_server_cancel(Session *s, EvHandle *h);
void ftp_server_enter(Session *s);
void ftp_server_leave(Session *s);
/* Restarts the idle timer (idle_session_timeout). */
void ftp_server_touch(Session *s);
/* Runs the commands that arrived during a transfer or a pause. */
void ftp_server_run_queued(Session *s);

/* ---- ftp_data.c: the data connection --------------------------------------- */

/* Forgets the data connection and the mode (vsftpd asks for a new PORT or
 * PASV before each transfer). */
void ftp_data_reset(Session *s);
/* PASV (extended false) or EPSV: listens on a port of passive_ports. */
void ftp_data_pasv(Session *s, bool extended);
/* PORT (extended false) or EPRT with its argument. */
void ftp_data_port(Session *s, const FtpCommand *c, bool extended);
/* Starts transfer x, whose checks passed: connects (active) or waits for
 * the client (passive), then 150 and the bytes. */
void ftp_data_open(Session *s, Xfer x);

#endif
