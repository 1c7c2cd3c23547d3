/* imap_int — what the IMAP session's files share (imap_server.c, and
 * imap_append.c for APPEND): the session, and the helpers that answer. */
#ifndef MN_IMAP_INT_H
#define MN_IMAP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/util.h"
#include "proto/mail/imap_cmd.h"
#include "proto/mail/mail_access.h"

#define TIMING    " (0.001 + 0.000 secs)."
#define FLAGS_ALL "\\Answered \\Flagged \\Deleted \\Seen \\Draft"

struct ImapSession {
    ImapSession *next;
    MailServer *srv;
    TextConn *t;
    bool authed;
    bool asked_caps; /* CAPABILITY before login: Dovecot then lists them untagged at login */
    uint32_t client_ip;
    char user[128];
    char auth_user[600], auth_pass[600]; /* a login waiting */
    /* the selected mailbox */
    bool selected, readonly;
    Mailbox *sel_box; /* the folder selected: gone or renamed, the session ends */
    char folder[128];
    uint32_t *view; /* UIDs by sequence number - 1 */
    size_t n_view;
    uint32_t recent_lo, recent_hi; /* UIDs this session reports \Recent */
    /* a failed login's answer waits 2 s */
    bool holding;
    char *held_tag;
    EvHandle hold_timer;
    char **pending;
    size_t n_pending, cap_pending;
    char *sasl_tag; /* AUTHENTICATE waiting for its line */
    char *idle_tag; /* IDLE: waiting for DONE */
    SimTime idle_since;
    EvHandle idle_poll;
    EvHandle idle;
    bool closed;
    bool draining; /* answering the lines that waited: free only after */
    /* a command with literals ({n}, {n+}), gathered until it is whole */
    ImapGather lit;
};

/* A caption for the server's next reply: "HOST " then fmt (NULL when
 * nobody reads captions); the reply frees it. */
char *imap_cap(ImapSession *is, const char *fmt, ...) MN_PRINTF(2, 3);
/* The tagged reply "TAG TEXT" after what b holds, sent with caption c. */
void imap_tagged(ImapSession *is, Buf *b, const char *tag, const char *text, char *c);
void imap_bad_args(ImapSession *is, Buf *b, const char *tag, const char *name);
/* "NO [TRYCREATE] Mailbox doesn't exist: NAME" (copy: with TRYCREATE). */
void imap_no_mailbox(ImapSession *is, Buf *b, const char *tag, const char *mailbox, bool copy);
Mailbox *imap_selected_box(ImapSession *is);
/* What changed in the selected mailbox: EXPUNGE, then EXISTS and RECENT. */
void imap_sync_view(ImapSession *is, Buf *b);

/* APPEND (imap_append.c): the whole command, and the check Dovecot makes
 * before it says "+ OK" for a message's literal (text: the command so
 * far, up to that literal's {n}); false when it has answered instead, and
 * the literal's bytes are then read as commands. */
void imap_cmd_append(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c);
bool imap_append_may_send(ImapSession *is, const char *text, size_t len, uint64_t size);

#endif
