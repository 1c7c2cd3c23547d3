/* imap_append — APPEND (RFC 3501 6.3.11; several messages in one command,
 * MULTIAPPEND, RFC 3502): the client stores messages of its own in a
 * folder, a draft or a copy of what it sent, each with its flags and, if
 * it gives one, its internal date.  The replies are Dovecot 2.3's, checked
 * against the real one: APPENDUID (UIDPLUS) with the new UIDs, and before
 * it says "+ OK" for a message's literal, the folder, the flags and the
 * date are checked, so that a client is told NO or BAD before it sends
 * the message (whose lines are then read as commands, as Dovecot reads
 * them). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/units.h"
#include "proto/mail/imap_int.h"
#include "proto/mail/mail_server.h"

/* One message of the command: its flags, its date if given, its bytes. */
typedef struct AppendMsg {
    unsigned flags;
    bool has_date;
    int64_t unix_us;
    const ImapTok *msg; /* NULL: not given (yet) */
} AppendMsg;

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* An IMAP date-time, "05-Dec-2026 10:00:00 +0100" (the day may be " 5" or
 * "5"), into Unix µs. */
static bool parse_date_time(const char *s, int64_t *unix_us)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int day, year, hh, mm, ss, zh, zm, mon = -1;
    if (s[0] == ' ')
        s++;
    size_t dl = s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' ? 2 : 1;
    if (!digits(s, (int)dl, &day) || s[dl] != '-')
        return false;
    s += dl + 1;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months + 3 * i, 3) == 0)
            mon = i;
    if (mon < 0 || s[3] != '-' || !digits(s + 4, 4, &year) || s[8] != ' ')
        return false;
    s += 9;
    if (!digits(s, 2, &hh) || s[2] != ':' || !digits(s + 3, 2, &mm) || s[5] != ':' ||
        !digits(s + 6, 2, &ss) || s[8] != ' ' || (s[9] != '+' && s[9] != '-') ||
        !digits(s + 10, 2, &zh) || !digits(s + 12, 2, &zm) || s[14] != '\0')
        return false;
    if (day < 1 || day > units_days_in_month(year, mon + 1) || hh > 23 || mm > 59 || ss > 60 ||
        zm > 59)
        return false;
    int64_t t = units_days_from_civil(year, mon + 1, day) * 86400 + hh * 3600 + mm * 60 + ss;
    int64_t zone = (zh * 3600 + zm * 60) * (s[9] == '-' ? -1 : 1);
    *unix_us = (t - zone) * 1000000;
    return true;
}

/* One message's arguments from c->args[*i]: [(flags)] ["date"] literal.
 * NULL, or Dovecot's words for what is wrong (into bad when it names a
 * flag); without_msg: the literal is still to come (the check before
 * "+ OK"). */
static const char *read_msg(const ImapCmd *c, size_t *i, AppendMsg *m, bool without_msg, char *bad,
                            size_t size)
{
    *m = (AppendMsg){0};
    if (*i < c->n_args && c->args[*i].kind == IMAP_LIST_OPEN) {
        for ((*i)++; *i < c->n_args && c->args[*i].kind != IMAP_LIST_CLOSE; (*i)++) {
            char flag[64];
            if (c->args[*i].kind != IMAP_ATOM) {
                snprintf(bad, size, "Flags list contains non-atoms.");
                return bad;
            }
            if (!imap_parse_flag(c->args[*i].text, &m->flags, flag, sizeof flag)) {
                snprintf(bad, size, "Invalid system flag %s", flag);
                return bad;
            }
        }
        (*i)++; /* the ) */
    }
    if (*i < c->n_args && c->args[*i].kind == IMAP_STRING && !c->args[*i].literal) {
        if (!parse_date_time(c->args[*i].text, &m->unix_us))
            return "Invalid internal date";
        m->has_date = true;
        (*i)++;
    }
    if (without_msg)
        return NULL;
    if (*i >= c->n_args || !c->args[*i].literal)
        return "Missing message size";
    m->msg = &c->args[(*i)++];
    return NULL;
}

static void bad(ImapSession *is, Buf *b, const char *tag, const char *why)
{
    char r[200];
    snprintf(r, sizeof r, "BAD Error in IMAP command APPEND: %s (0.001 + 0.000 secs).", why);
    imap_tagged(is, b, tag, r, imap_cap(is, "answers BAD: %s.", why));
}

static void zero_bytes(ImapSession *is, Buf *b, const char *tag)
{
    imap_tagged(is, b, tag, "NO Can't save a zero byte message (0.001 + 0.000 secs).",
                imap_cap(is, "answers NO: a message of no bytes is not stored."));
}

bool imap_append_may_send(ImapSession *is, const char *text, size_t len, uint64_t size)
{
    /* the command so far, without its last literal's {n} */
    size_t n = len;
    while (n && text[n - 1] != '{')
        n--;
    if (!is->authed || n-- == 0)
        return true;
    while (n && text[n - 1] == ' ')
        n--;
    ImapCmd c;
    imap_parse(text, n, &c);
    bool ok = true;
    if (c.tag && c.name && strcmp(c.name, "APPEND") == 0 && !c.bad && c.n_args >= 1 &&
        c.args[0].kind != IMAP_LIST_OPEN && c.args[0].kind != IMAP_LIST_CLOSE) {
        Buf b;
        buf_init(&b);
        /* this message's arguments: after the last message before it */
        size_t i = 1;
        for (size_t k = 1; k < c.n_args; k++)
            if (c.args[k].literal)
                i = k + 1;
        AppendMsg m;
        char why[100];
        const char *err = read_msg(&c, &i, &m, true, why, sizeof why);
        if (!mail_folder(is->srv, is->user, c.args[0].text)) {
            imap_no_mailbox(is, &b, c.tag, c.args[0].text, true);
            ok = false;
        } else if (err) {
            bad(is, &b, c.tag, err);
            ok = false;
        } else if (size == 0) {
            zero_bytes(is, &b, c.tag);
            ok = false;
        }
        buf_fini(&b);
    }
    imap_cmd_free(&c);
    return ok;
}

/* The message as minet keeps it: LF line ends (a message is text: it
 * ends at a NUL). */
static char *lf_text(const ImapTok *t)
{
    char *out = xmalloc(t->len + 1);
    size_t k = 0;
    for (size_t i = 0; i < t->len; i++)
        if (!(t->text[i] == '\r' && i + 1 < t->len && t->text[i + 1] == '\n'))
            out[k++] = t->text[i];
    out[k] = '\0';
    return out;
}

void imap_cmd_append(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c)
{
    if (c->n_args < 1 || c->args[0].kind == IMAP_LIST_OPEN || c->args[0].kind == IMAP_LIST_CLOSE) {
        imap_bad_args(is, b, tag, "APPEND");
        return;
    }
    const char *name = c->args[0].text;
    Mailbox *box = mail_folder(is->srv, is->user, name);
    if (!box) {
        imap_no_mailbox(is, b, tag, name, true);
        return;
    }
    /* every message first: one that is wrong stores none */
    AppendMsg *msgs = xcalloc(c->n_args, sizeof *msgs);
    size_t n = 0, i = 1;
    char why[100];
    do {
        const char *err = read_msg(c, &i, &msgs[n], false, why, sizeof why);
        if (err) {
            bad(is, b, tag, err);
            free(msgs);
            return;
        }
        if (msgs[n++].msg->len == 0) {
            zero_bytes(is, b, tag);
            free(msgs);
            return;
        }
    } while (i < c->n_args);
    Sim *sim = is->srv->sim;
    uint32_t first = 0, last = 0;
    for (size_t k = 0; k < n; k++) {
        MailMsg m = {0};
        m.text = lf_text(msgs[k].msg);
        mail_msg_describe(&m);
        m.arrived = msgs[k].has_date ? msgs[k].unix_us - sim->world->start_us : sim->now;
        m.flags = msgs[k].flags;
        last = mail_box_copy(is->srv, box, &m);
        first = k == 0 ? last : first;
        free(m.text);
        free(m.from);
        free(m.subject);
    }
    free(msgs);
    if (is->selected && box == imap_selected_box(is))
        imap_sync_view(is, b); /* the client sees its own new messages */
    char r[160];
    if (first == last)
        snprintf(r, sizeof r, "OK [APPENDUID %" PRIu32 " %" PRIu32 "] Append completed",
                 box->uidvalidity, first);
    else
        snprintf(r, sizeof r, "OK [APPENDUID %" PRIu32 " %" PRIu32 ":%" PRIu32 "] Append completed",
                 box->uidvalidity, first, last);
    strcat(r, " (0.001 + 0.000 secs).");
    imap_tagged(is, b, tag, r,
                imap_cap(is,
                         "stores %zu message%s from the client in %s (APPEND), as a mail client "
                         "keeps a draft or a copy of what it sent; APPENDUID gives the new UID%s.",
                         n, n == 1 ? "" : "s", box->folder, n == 1 ? "" : "s"));
}
