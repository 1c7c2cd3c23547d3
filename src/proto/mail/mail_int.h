/* mail_int — what the mail server's files share (src/proto/mail/ only):
 *
 *   mail_server.c  the service: one MailServer per mail node, its
 *                  listeners, mailboxes and the formatting both sides use;
 *   smtp_server.c  one SMTP session: Postfix's smtpd state machine;
 *   mail_queue.c   the queue: local delivery, MX lookup, the SMTP client,
 *                  deferral and backoff, bounces. */
#ifndef MN_MAIL_INT_H
#define MN_MAIL_INT_H

#include "core/util.h"
#include "net/tcp.h"
#include "proto/mail/mail_conf.h"
#include "proto/mail/mail_server.h"
#include "proto/textconn.h"

/* Postfix's message_size_limit and its smtpd's error limits. */
#define MAIL_SIZE_LIMIT    10240000
#define SMTPD_SOFT_ERRORS  10
#define SMTPD_HARD_ERRORS  20
#define SMTPD_IDLE_TIMEOUT (300 * (SimTime)1000000)
#define SMTPD_ERROR_SLEEP  ((SimTime)1000000)

typedef struct SmtpSession SmtpSession;
typedef struct MailDelivery MailDelivery;
typedef struct MailAccess MailAccess;

struct MailServer {
    Sim *sim;
    int node;
    const char *host; /* the node's id: Postfix's myhostname */
    const MailServerConf *conf;
    TcpConn *listen[2]; /* 25, 587 */
    SmtpSession *sessions;
    Mailbox *boxes; /* each user's INBOX */
    size_t n_boxes, cap_boxes;
    size_t *box_slots; /* open addressing by user name (any case): index + 1 */
    size_t n_box_slots;
    MailQueued **queue; /* oldest first */
    size_t n_queue, cap_queue;
    uint32_t qid_serial;      /* the "inode" half of queue ids */
    MailDelivery *deliveries; /* attempts under way */
    EvHandle scan;            /* the next deferred-queue scan, if any */
    bool scan_set;
    MailAccess *access; /* POP3 and IMAP: listeners, sessions, folders */
};

/* ---- mail_server.c ---------------------------------------------------------- */

/* "Mon, 11 Sep 2023 09:00:03 +0000 (UTC)" for sim time t. */
void mail_date(const Sim *sim, SimTime t, char *out, size_t size);
/* "20230911090003" (Message-Id's first half) for sim time t. */
void mail_stamp(const Sim *sim, SimTime t, char *out, size_t size);
/* A fresh Postfix-style queue id: the microseconds of now in 5 hex digits,
 * then a per-server serial in hex. */
void mail_new_qid(MailServer *s, char out[MAIL_QID_MAX]);
/* Is the domain one this server is the final destination for (its
 * "domains", its own name, or [its address])? */
bool mail_local_domain(const MailServer *s, const char *domain);
/* The mailbox a local part ends in after aliases (a user name), or NULL
 * when it names nobody here; *remote gets an alias's outside address. */
const char *mail_local_target(const MailServer *s, const char *local, const char **remote);
/* Stores a message in user's mailbox (a state record and a note). */
void mail_deliver_local(MailServer *s, const char *user, const char *text, const char *why);
/* The name minet prints for an address (the node's id), or "unknown". */
const char *mail_peer_name(const MailServer *s, uint32_t ip);
/* The value of header name in text ("" if absent), copied into out. */
void mail_header(const char *text, const char *name, char *out, size_t size);
/* Sets m's size (its line ends counted as CRLF, as RFC822.SIZE counts
 * them), from and subject (new strings) from m->text. */
void mail_msg_describe(MailMsg *m);
/* Writes message m's "mailbox" state record (op "add", "set" or "del"):
 * key "USER UID" (a folder: "USER/FOLDER UID"), value with every flag. */
void mail_box_record(MailServer *s, const Mailbox *mb, const MailMsg *m, const char *op);
/* Writes the queue entry's state record (op "add" or "del"). */
void mail_queue_record(MailServer *s, const MailQueued *q, const char *op);

/* ---- smtp_server.c ---------------------------------------------------------- */

/* A client connected to port 25 (submission false) or 587. */
void smtp_session_accept(MailServer *s, TcpConn *c, bool submission);
/* Frees every session without a word (the run is over). */
void smtp_sessions_free(MailServer *s);

/* ---- mail_store.c, pop3_server.c, imap_server.c ------------------------------- */

/* Starts the POP3 (110) and IMAP (143) listeners the "services" name. */
void mail_access_start(MailServer *s);
/* Frees their sessions and the folders IMAP created (the run is over). */
void mail_access_free(MailServer *s);

/* ---- mail_queue.c ------------------------------------------------------------ */

/* Takes a message into the queue (incoming) and starts its delivery.
 * text: the message as queued (Received: already added), LF line ends.
 * Takes copies. */
void mail_queue_add(MailServer *s, const char *qid, const char *sender, char *const *rcpts,
                    size_t n_rcpts, const char *text);
/* Frees the queue and any delivery under way (the run is over). */
void mail_queue_free(MailServer *s);

#endif
