/* curl — the parts of src/apps/curl.c that src/apps/curl_mail.c shares
 * (src/apps/ only): the program's state, its verbose lines, its progress
 * meter and its end.  curl.c runs the command line, the connection and
 * smtp:// and ftp://; curl_mail.c runs pop3:// and imap://. */
#ifndef MN_APPS_CURL_H
#define MN_APPS_CURL_H

#include "apps/apps.h"
#include "core/util.h"
#include "net/tcp.h"
#include "proto/resolve.h"
#include "proto/textconn.h"

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
    SimTime max_time;  /* -m: the whole operation's limit, 0 for none */
    EvHandle deadline; /* when it runs out */
    int64_t shown_sec; /* the clock's second when the meter was last drawn */
    /* ftp:// (the FTP part below) */
    bool ftp;
    bool pop3, imap; /* pop3:// and imap:// (curl_mail.c) */
    bool nometer;    /* a download to the terminal: curl hides its meter */
    char *user, *pass, *outfile;
    char **dirs; /* the path's folders, one CWD each */
    size_t n_dirs, dir_at;
    char *file;    /* the path's last part: "" for a listing */
    char *prevdir; /* the folders as curl remembers them ("pub/") */
    int fstep;
    bool cr_seen; /* a listing's last byte was CR */
    bool perform_said, size_known, epsv_off, data_eof;
    uint64_t dl_size, downloaded;
    TcpConn *data;
    uint16_t data_port;
    Buf held;  /* control lines that came while the data flowed */
    Buf early; /* data that came before the 150 reply (read after it) */
    char out_path[VFS_PATH_MAX];
    /* pop3:// and imap:// (curl_mail.c) */
    bool list_only;                      /* -l */
    bool head;                           /* -I: POP3's command expects no body (-X DELE) */
    char *custom;                        /* -X: the command's word */
    char *custom_args;                   /* -X: the rest ("" when none) */
    char *mailbox, *uid, *msgno, *query; /* IMAP's URL parts; POP3's message in msgno */
    int mstep;
    unsigned tag;                          /* IMAP's A001, A002, ... */
    bool sasl_plain, sasl_login, user_cmd; /* what the server offers */
    bool out_made;                         /* -o's file is made (at the first byte, as curl) */
    bool got_untagged;                     /* FETCH: the message's literal came */
    uint64_t literal_left;                 /* bytes of a literal still to come */
    Buf lit;                               /* the literal so far */
} Curl;

/* A `* ` line with -v. */
void curl_info(Curl *c, const char *fmt, ...) MN_PRINTF(2, 3);
/* The end: the error message (unless -s), the exit status. */
void curl_done(Curl *c, int status);
/* The meter's line (last: the final one, with its newline). */
void curl_meter_line(Curl *c, bool last);
/* Redraws the meter when the clock's second changed. */
void curl_meter_check(Curl *c);
/* %XX in a URL's part of n bytes. */
char *curl_url_decode(const char *s, size_t n);

/* curl_mail.c: pop3:// and imap:// */
/* The URL's path after the host (user and password are known). */
void curl_mail_path(Curl *c, const char *path);
/* A line from the server. */
void curl_mail_line(Curl *c, const char *line, size_t len);
/* The connection ended while the dialogue was on: true when it was
 * expected (after QUIT or LOGOUT). */
bool curl_mail_lost(Curl *c);
void curl_mail_free(Curl *c);

#endif
