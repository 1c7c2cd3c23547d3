/* imap_search — SEARCH's keys (RFC 3501 6.4.4) as Dovecot 2.3 reads them
 * (src/proto/mail/ only): ALL, the flags and their UN- forms, NEW, OLD,
 * RECENT, FROM/TO/CC/BCC/SUBJECT/BODY/TEXT/HEADER with a substring (no
 * case), LARGER, SMALLER, BEFORE/ON/SINCE (the arrival date), UID set, a
 * sequence set, NOT, OR, parentheses and CHARSET; the keys in a row must
 * all hold.  Limit: SENTBEFORE/SENTON/SENTSINCE and KEYWORD are refused
 * as unknown. */
#ifndef MN_IMAP_SEARCH_H
#define MN_IMAP_SEARCH_H

#include "proto/mail/imap_cmd.h"
#include "proto/mail/mail_int.h"

typedef struct ImapSearchView {
    const Mailbox *mb;
    const uint32_t *view; /* UIDs by sequence number - 1 */
    size_t n_view;
    uint32_t recent_lo, recent_hi; /* the UIDs the session reports \Recent */
    int64_t epoch_us;              /* the Unix time of t=0 */
} ImapSearchView;

typedef enum ImapSearchErr { IMAP_SEARCH_OK, IMAP_SEARCH_BAD, IMAP_SEARCH_NO } ImapSearchErr;

/* The keys from argument from on; match[k] for sequence number k + 1.
 * BAD or NO with Dovecot's text in err ("Unknown argument X", "[BADCHARSET]
 * Unknown charset"). */
ImapSearchErr imap_search(const ImapCmd *c, size_t from, const ImapSearchView *v, bool *match,
                          char *err, size_t errsize);

#endif
