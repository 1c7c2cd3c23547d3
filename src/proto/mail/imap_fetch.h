/* imap_fetch — what an IMAP server writes about a message, as Dovecot 2.3
 * writes it (src/proto/mail/ only): FETCH's data items parsed from the
 * command (ALL/FAST/FULL, FLAGS, UID, RFC822.SIZE, INTERNALDATE,
 * ENVELOPE, RFC822[.HEADER|.TEXT], BODY, BODYSTRUCTURE, BODY[section]
 * and BODY.PEEK[section]<partial>), one message's "* n FETCH (...)"
 * response, and the strings and flag lists the server's other replies
 * share.  No session state: imap_server.c decides what \Seen becomes
 * before asking for the response. */
#ifndef MN_IMAP_FETCH_H
#define MN_IMAP_FETCH_H

#include "proto/mail/imap_cmd.h"
#include "proto/mail/mail_int.h"

typedef enum FetchKind {
    F_FLAGS,
    F_UID,
    F_SIZE,
    F_DATE,
    F_ENVELOPE,
    F_BODY,          /* BODY[section]<partial> and BODY.PEEK */
    F_RFC822,        /* RFC822 (sets \Seen) */
    F_RFC822_HEADER, /* RFC822.HEADER */
    F_RFC822_TEXT,   /* RFC822.TEXT (sets \Seen) */
    F_STRUCTURE,     /* BODY (no section) */
    F_BODYSTRUCTURE,
} FetchKind;

typedef struct FetchItem {
    FetchKind kind;
    bool peek;
    char section[200]; /* "", HEADER, TEXT, HEADER.FIELDS (A B), ... in capitals */
    bool partial;
    uint64_t start, count;
} FetchItem;

#define IMAP_FETCH_MAX_ITEMS 32

/* FETCH's items from argument from on into items (room for
 * IMAP_FETCH_MAX_ITEMS + 4), an item asked twice kept once; false with
 * Dovecot's reason in err ("Unknown parameter: X", "Invalid arguments"). */
bool imap_fetch_items(const ImapCmd *c, size_t from, FetchItem *items, size_t *n, char *err,
                      size_t errsize);
/* Does one of the items read a body without PEEK (so sets \Seen)? Does
 * one ask for FLAGS, for UID? */
bool imap_fetch_sets_seen(const FetchItem *items, size_t n);
bool imap_fetch_wants(const FetchItem *items, size_t n, FetchKind kind);

/* Message m's "* seq FETCH (...)" line(s): UID first when uid_cmd and not
 * asked, FLAGS next when add_flags (\Seen just set), then the items in
 * their order; recent: the session reports \Recent for m; epoch_us: the
 * Unix time of t=0 (INTERNALDATE). */
void imap_fetch_response(Buf *b, size_t seq, const MailMsg *m, const FetchItem *items, size_t n,
                         bool uid_cmd, bool add_flags, bool recent, int64_t epoch_us);

/* An IMAP string: quoted, or a literal when it needs one; NULL is NIL. */
void imap_put_string(Buf *b, const char *s);
/* A flag list in Dovecot's order, "(\Seen \Recent)". */
void imap_put_flags(Buf *b, unsigned flags, bool recent);

#endif
