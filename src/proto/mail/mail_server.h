/* mail_server — the mail servers of a run (role "mail"), as Postfix 3.7
 * with the configuration issue 14 gives: an SMTP server on port 25 (and
 * the submission service on 587, AUTH PLAIN/LOGIN), a queue (incoming,
 * active, deferred) that delivers to local mailboxes or, for another
 * domain, looks the MX up through the server's DNS server and speaks SMTP
 * to the exchange, retrying with Postfix's backoff and returning what
 * cannot be delivered as a Postfix DSN.
 *
 * What always holds: every change of a queue or a mailbox is a `state`
 * record (tables "mail queue" and "mailbox"), so the inspector shows
 * mailq's view and the mailboxes; every step a student should see is a
 * note.  A queued message's next try is a foreground event (its fate is
 * part of the story); idle SMTP sessions time out in the background.
 *
 * The mailboxes are the store POP3 and IMAP read: each message has a UID
 * (1, 2, … per mailbox, never reused), its size in bytes (CRLF lines, as
 * POP3's LIST counts), its arrival time and IMAP-style flags. */
#ifndef MN_MAIL_SERVER_H
#define MN_MAIL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"

#define MAIL_QID_MAX 16

/* Flags of a stored message (IMAP's system flags). */
enum {
    MAIL_FLAG_SEEN = 1u << 0,
    MAIL_FLAG_ANSWERED = 1u << 1,
    MAIL_FLAG_FLAGGED = 1u << 2,
    MAIL_FLAG_DELETED = 1u << 3,
    MAIL_FLAG_DRAFT = 1u << 4,
    /* No session has seen the message yet: the first to open the mailbox
     * read-write reports it \Recent and takes the flag away (Dovecot). */
    MAIL_FLAG_RECENT = 1u << 5,
};

typedef struct MailMsg {
    uint32_t uid;
    char *text;  /* the whole message, LF line ends, headers then body */
    size_t size; /* bytes with CRLF line ends */
    SimTime arrived;
    unsigned flags;
    char *from, *subject; /* for listings ("" when absent) */
} MailMsg;

typedef struct Mailbox {
    char *user;
    MailMsg *msgs; /* in arrival order */
    size_t n, cap;
    uint32_t next_uid, uidvalidity;
    char *folder; /* "INBOX", or a folder IMAP created ("Archive") */
} Mailbox;

typedef enum MailQueueName { MAILQ_INCOMING, MAILQ_ACTIVE, MAILQ_DEFERRED } MailQueueName;

typedef struct MailRcpt {
    char *addr;
    bool done;    /* delivered, or bounced */
    char *reason; /* the last deferral's reason, or NULL */
} MailRcpt;

typedef struct MailQueued {
    char id[MAIL_QID_MAX];
    char *sender; /* "" for the null sender (a bounce) */
    MailRcpt *rcpts;
    size_t n_rcpts;
    char *text;  /* LF line ends */
    size_t size; /* with CRLF line ends, as Postfix counts it */
    SimTime arrived;
    MailQueueName queue;
    SimTime next_try; /* deferred: when it is tried again */
    char *reason;     /* deferred: why (mailq's line in parentheses) */
} MailQueued;

typedef struct MailServer MailServer;

/* The server on node, or NULL when node is not a mail server (or the
 * service is not running). */
MailServer *mail_server_of(Sim *sim, int node);
const char *mail_server_hostname(const MailServer *s);
/* The queue, oldest first; n gets its length. */
MailQueued *const *mail_server_queue(const MailServer *s, size_t *n);
/* User's mailbox (case insensitive), or NULL. */
Mailbox *mail_server_mailbox(MailServer *s, const char *user);

/* Queues a message written on the server itself (Postfix's sendmail
 * command and pickup): Received: "by HOST (Postfix, from userid 1000)" is
 * added, and delivery starts at once.  text has LF line ends and holds the
 * headers the caller wants (From:, To:, Subject:, Date:, Message-Id:).
 * Copies everything.  Writes the queue id into qid (if not NULL). */
void mail_server_submit(MailServer *s, const char *sender, const char *const *rcpts, size_t n,
                        const char *text, char qid[MAIL_QID_MAX]);

/* The services table's row. */
void mail_servers_start(Sim *sim);
void mail_servers_stop(Sim *sim);

#endif
