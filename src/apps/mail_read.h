/* mail_read — the reading side of `mail` (s-nail 14.9): `mail` with no
 * recipients, or `mail -f pop3://USER@SERVER` / `-f imap://USER@SERVER`.
 * mail.c parses the command line and hands reading over to this file. */
#ifndef MN_MAIL_READ_H
#define MN_MAIL_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "apps/shell.h"
#include "core/util.h"
#include "proto/mail/mail_conf.h"

/* Starts reading: folder is the -f operand, or NULL for the account's
 * mailbox (acct may be NULL: no account).  Takes over p's state. */
void mail_read_main(Proc *p, const MailAccount *acct, const char *folder);
/* Whether p is a reader (its input goes to mail_read_input). */
bool mail_read_active(const Proc *p);
void mail_read_input(Proc *p, ProcInputKind kind, const char *line, size_t len);

/* The header summary's line of one message, as s-nail prints it in a
 * terminal 80 columns wide (exposed for the tests): dot, the status letter,
 * number (width: the count's digits, at least 2), sender, date (now: the
 * reader's clock, Unix seconds), lines (0: not known yet), bytes, subject. */
void mail_read_headline(char *out, size_t size, bool dot, char status, int num, int count,
                        const char *from, long long date, long long now, size_t lines, size_t bytes,
                        const char *subject);

/* mail_read_cmds.c: s-nail's command table.  help's (or ?'s: verb)
 * answer to args appended to out: the overview, or the named command's
 * line; false with s-nail's message (no "s-nail: ") in err for an unknown
 * command or more than one word.  And `list`'s lines. */
bool mail_read_help(const char *verb, const char *args, Buf *out, Buf *err);
void mail_read_cmd_list(Buf *out);

#endif
