/* ftp — the parts of src/apps/ftp.c that src/apps/ftp_transfer.c shares
 * (src/apps/ only): the client's state, the control connection's commands
 * and the prompt.  ftp.c runs the control connection, the login and the
 * commands; ftp_transfer.c runs the transfers: the data connection as
 * tnftp sets it up, the progress bar, mget and mput. */
#ifndef MN_APPS_FTP_INT_H
#define MN_APPS_FTP_INT_H

#include "apps/apps.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

typedef struct Ftp Ftp;
/* What a command does with its replies: every reply, 1xx included. */
typedef void (*ReplyFn)(Ftp *f, int code, const char *text);

/* W_MORE: a missing argument, asked for as tnftp's another() does */
typedef enum Want { W_NONE, W_COMMAND, W_NAME, W_PASSWORD, W_CONFIRM, W_MORE } Want;
typedef enum FtpJob { J_NONE, J_LIST, J_NLST, J_GET, J_PUT } FtpJob;

struct Ftp {
    Proc *p;
    TextConn *ctl;
    Resolve *lookup;
    char *host; /* as typed */
    uint16_t port;
    uint32_t ip;
    bool connected, logged_in;
    bool passive;        /* default on */
    bool activefallback; /* active mode when passive is refused (passive toggles both) */
    bool epsv4;          /* EPSV and EPRT (default), or PASV and PORT */
    bool epsv4bad;       /* the server refused one: PASV and PORT for this connection */
    int sendport;        /* tnftp's: -1 until a PORT is refused, then 1 */
    bool feat_size;      /* FEAT named SIZE (or failed): get asks SIZE first */
    bool feat_mdtm;      /* and MDTM, after a get */
    bool by_user;        /* the login is the user command's: "Login failed." */
    int code;            /* the last reply's code; -1 after a transfer that could not start */
    bool ascii;          /* the type asked for: binary after a UNIX login */
    char server_type;    /* the server's current type: 'A' or 'I' */
    Want want;
    /* a command that asked for a missing argument: its line so far, the
     * words it had when asked (0: it did not ask) and as typed */
    char *line;
    size_t asked_argc, typed_argc;
    bool ever_connected; /* status shows tnftp's empty modes until a connection */
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
    bool prompting;    /* ask before each file (the prompt command toggles it) */
    bool no_autologin; /* -n: no Name: and Password: after connecting */
    FtpJob mjob;       /* J_GET or J_PUT while one runs, else J_NONE */
    bool mall;         /* "a": the rest without asking */
    bool asked;        /* this file's question was asked */
    char **mfiles, **mpatterns;
    size_t n_mfiles, next_mfile, n_mpatterns, next_mpattern;
    Buf names; /* NLST's answer */
};

/* ftp.c: the prompt, a question, input held while the server answers */
void ftp_prompt(Ftp *f);
void ftp_ask(Ftp *f, Want w, const char *text);
void ftp_busy(Ftp *f);
/* Sends a command; fn gets its replies.  quiet: they are not shown. */
void ftp_send_cmd(Ftp *f, bool quiet, ReplyFn fn, const char *fmt, ...) MN_PRINTF(4, 5);

/* ftp_cmds.c: tnftp's command table, help and line splitting */
/* The command a typed word names: itself, or the one command it
 * abbreviates; NULL and *ambiguous when it abbreviates several. */
const char *ftp_cmd_find(const char *word, bool *ambiguous);
/* help and ?: the table of names, or each named command's line */
void ftp_help(Ftp *f, size_t argc, char **argv);
/* tnftp's makeargv: words split at blanks, "…" and \ quote, a leading
 * ! or $ is a word.  *argv (NULL-terminated) is the caller's to free
 * with ftp_freeargv. */
size_t ftp_makeargv(const char *line, char ***argv);
void ftp_freeargv(char **argv);

/* ftp_transfer.c */
void ftp_data_drop(Ftp *f);
/* The transfer is over: its data connection closed, its names freed. */
void ftp_job_end(Ftp *f);
/* get, put and ls: local is the local file's name as typed (get, put) */
void ftp_transfer(Ftp *f, FtpJob job, const char *verb, const char *remote, const char *local);
void ftp_with_local_name(Ftp *f, FtpJob job, const char *remote, const char *local);
/* mget and mput: the next file, the answer to its question, mput's names */
void ftp_mnext(Ftp *f);
void ftp_mconfirm(Ftp *f, const char *line);
void ftp_mput_expand(Ftp *f, char **pats, size_t n);
void ftp_mfree(Ftp *f);

#endif
