/* mail_access — what the POP3 and IMAP servers share (src/proto/mail/
 * only), as Dovecot 2.3 beside Postfix on one machine:
 *
 *   mail_store.c   the listeners on 110 and 143, the folders IMAP creates
 *                  beside each user's INBOX, and the store's changes (flags,
 *                  copies, removals), each one a "mailbox" state record;
 *   pop3_server.c  one POP3 session (RFC 1939, CAPA from RFC 2449);
 *   imap_server.c  one IMAP4rev1 session (RFC 3501), its FETCH responses
 *                  written by imap_fetch.c.
 *
 * A Mailbox pointer stays valid for the run: INBOXes are made at start,
 * folders are allocated one by one.  Sessions still find their mailbox by
 * name at each command, so a message SMTP delivers is seen at once. */
#ifndef MN_MAIL_ACCESS_H
#define MN_MAIL_ACCESS_H

#include "proto/mail/mail_int.h"

/* Dovecot's auth_failure_delay and its idle limits (POP3: 10 min, IMAP:
 * 30 min; before login: 3 min). */
#define MAIL_AUTH_DELAY    (2 * (SimTime)1000000)
#define POP3_IDLE_TIMEOUT  (600 * (SimTime)1000000)
#define IMAP_IDLE_TIMEOUT  (1800 * (SimTime)1000000)
#define LOGIN_IDLE_TIMEOUT (180 * (SimTime)1000000)

typedef struct Pop3Session Pop3Session;
typedef struct ImapSession ImapSession;

/* Dovecot's authentication penalty for one client address (its anvil):
 * failures with a user and password not among the last 10 raise it, a
 * login resets it, and while it lasts a login waits (4 s after the last
 * failure's answer, 8 s, then 15 s). */
typedef struct MailPenalty {
    uint32_t ip;
    unsigned penalty;
    SimTime last; /* when the last failure was answered */
    uint32_t sums[10];
    size_t n_sums;
} MailPenalty;

struct MailAccess {
    TcpConn *pop3, *imap;
    Pop3Session *pop3_sessions;
    ImapSession *imap_sessions;
    Mailbox **folders; /* created by IMAP, every user's */
    size_t n_folders;
    MailPenalty *penalties;
    size_t n_penalties;
    Mailbox **gone; /* folders IMAP deleted: kept until the end, so that a
                     * pointer a session holds stays valid */
    size_t n_gone;
    char **subs; /* IMAP's subscriptions, "user/folder", in the order made */
    size_t n_subs;
};

/* User's folder name (INBOX in any case), or NULL. */
Mailbox *mail_folder(MailServer *s, const char *user, const char *name);
/* Creates folder name for user (not INBOX, not existing). */
Mailbox *mail_folder_create(MailServer *s, const char *user, const char *name);
/* Deletes folder mb (not INBOX) with its messages (a state record
 * each); renames it to name (its messages' records move with it). */
void mail_folder_delete(MailServer *s, Mailbox *mb);
void mail_folder_rename(MailServer *s, Mailbox *mb, const char *name);
/* User's folders, INBOX first then in creation order; returns the count,
 * at most max. */
size_t mail_folders(MailServer *s, const char *user, Mailbox **out, size_t max);
/* IMAP's subscriptions: is user subscribed to name?  Subscribe (false
 * if already), unsubscribe (false if not); the names user is subscribed
 * to, in the order made (at most max). */
bool mail_subscribed(MailServer *s, const char *user, const char *name);
bool mail_subscribe(MailServer *s, const char *user, const char *name);
bool mail_unsubscribe(MailServer *s, const char *user, const char *name);
size_t mail_subscriptions(MailServer *s, const char *user, const char **out, size_t max);
/* Index of the message with uid in mb, or -1. */
long mail_box_find(const Mailbox *mb, uint32_t uid);
/* Sets message i's flags to flags (a state record when they change). */
void mail_box_set_flags(MailServer *s, Mailbox *mb, size_t i, unsigned flags);
/* Removes message i (a state record). */
void mail_box_remove(MailServer *s, Mailbox *mb, size_t i);
/* Copies message m into dst with a new UID; returns the new UID. */
uint32_t mail_box_copy(MailServer *s, Mailbox *dst, const MailMsg *m);
/* Is user's password pass? */
bool mail_check_login(MailServer *s, const char *user, const char *pass);
/* How long a login from ip waits before its password is checked (the
 * penalty of earlier failures); 0: none. */
SimTime mail_auth_wait(MailServer *s, uint32_t ip);
/* Checks a login from ip and keeps the penalty's count. */
bool mail_auth_check(MailServer *s, uint32_t ip, const char *user, const char *pass);
/* The user's name as the configuration spells it (after a login). */
const char *mail_user_name(MailServer *s, const char *user);

/* pop3_server.c / imap_server.c */
void pop3_session_accept(MailServer *s, TcpConn *c);
void pop3_sessions_free(MailServer *s);
void imap_session_accept(MailServer *s, TcpConn *c);
void imap_sessions_free(MailServer *s);

#endif
