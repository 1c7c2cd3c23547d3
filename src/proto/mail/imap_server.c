/* imap_server — one IMAP4rev1 session (RFC 3501), as Dovecot 2.3 answers
 * it with ssl = no, disable_plaintext_auth = no and auth_mechanisms =
 * plain login: the greeting and capabilities, the tagged OK/NO/BAD texts
 * and the order of untagged responses are Dovecot's, checked against the
 * real one.  A tagged reply's timing "(0.001 + 0.000 secs)" is a fixed
 * figure: the simulated server takes no time.
 *
 * States: not authenticated (CAPABILITY, NOOP, LOGOUT, LOGIN,
 * AUTHENTICATE PLAIN), authenticated (LIST, LSUB, SELECT, EXAMINE,
 * STATUS, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, APPEND: imap_append.c) and selected
 * (FETCH, STORE, COPY, SEARCH,
 * EXPUNGE, CLOSE, and their UID forms).  The session keeps its own numbering of the selected
 * mailbox's messages (their UIDs); NOOP and CHECK report what changed since (EXPUNGE, EXISTS,
 * RECENT), as a client needs.  BODY[...] sets \Seen unless the mailbox was EXAMINEd; BODY.PEEK[...]
 * never does.
 *
 * IDLE reports new and removed messages within a second (Dovecot learns
 * of them from inotify) and says "Still here" every 2 minutes.
 *
 * FETCH's items and the response's text are imap_fetch.c's.
 *
 * SEARCH's keys are imap_search.c's.
 *
 * DELETE or RENAME of a folder a session has open ends that session at
 * its next command ("state is inconsistent"), as in Dovecot.
 *
 * Literals ({n}, and LITERAL+'s {n+}) are gathered into the command, with
 * "+ OK" and Dovecot's limits (8 KiB before login, 64 KiB after; APPEND's
 * messages up to 64 MiB).
 *
 * Limits: keywords given to STORE are not kept. */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto/mail/imap_cmd.h"
#include "proto/mail/imap_int.h"
#include "proto/mail/imap_fetch.h"
#include "proto/mail/imap_search.h"
#include "proto/mail/mail_access.h"
#include "proto/mail/pop3_cmd.h"

#define CAPS_PRE "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN"
#define CAPS_POST                                                                                  \
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "        \
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "        \
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "       \
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "           \
    "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY"
static void session_line(ImapSession *is, const char *line, size_t len);

/* ---- output ------------------------------------------------------------------ */

char *imap_cap(ImapSession *is, const char *fmt, ...)
{
    if (!trace_wanted(&is->srv->sim->trace))
        return NULL;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s ", is->srv->host);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

/* Sends the buffer's lines with caption c (freed); clears the buffer. */
static void flush(ImapSession *is, Buf *b, char *c)
{
    if (b->len)
        textconn_send_raw(is->t, b->data, b->len, c);
    free(c);
    buf_clear(b);
}

static void session_unlink(ImapSession *is)
{
    for (ImapSession **p = &is->srv->access->imap_sessions; *p; p = &(*p)->next)
        if (*p == is) {
            *p = is->next;
            return;
        }
}

static void session_free(ImapSession *is)
{
    Sim *sim = is->srv->sim;
    if (is->holding)
        sim_cancel(sim, is->hold_timer);
    sim_cancel(sim, is->idle);
    for (size_t i = 0; i < is->n_pending; i++)
        free(is->pending[i]);
    free(is->pending);
    free(is->held_tag);
    free(is->sasl_tag);
    if (is->idle_tag)
        sim_cancel(sim, is->idle_poll);
    free(is->idle_tag);
    free(is->view);
    imap_gather_fini(&is->lit);
    free(is);
}

static void session_end(ImapSession *is)
{
    is->closed = true;
    session_unlink(is);
    textconn_close(is->t);
    if (!is->draining)
        session_free(is);
}

/* A mailbox name as LIST prints it: an atom when it can be one. */
static void put_name(Buf *b, const char *s)
{
    bool atom = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-_", *p))
            atom = false;
    if (atom)
        buf_puts(b, s);
    else
        imap_put_string(b, s);
}

/* ---- the selected mailbox ------------------------------------------------------- */

Mailbox *imap_selected_box(ImapSession *is)
{
    return is->selected ? mail_folder(is->srv, is->user, is->folder) : NULL;
}

static bool is_recent(const ImapSession *is, uint32_t uid)
{
    return uid >= is->recent_lo && uid < is->recent_hi;
}

/* Claims the \Recent flags of mb's newest messages for this session (when
 * it may change the mailbox); returns how many are recent for it. */
static size_t claim_recent(ImapSession *is, Mailbox *mb, size_t from)
{
    size_t n = 0;
    for (size_t i = from; i < mb->n; i++)
        if (mb->msgs[i].flags & MAIL_FLAG_RECENT) {
            n++;
            if (!is->readonly) {
                mb->msgs[i].flags &= ~(unsigned)MAIL_FLAG_RECENT;
                if (is->recent_lo == is->recent_hi)
                    is->recent_lo = mb->msgs[i].uid;
                is->recent_hi = mb->msgs[i].uid + 1;
            }
        }
    return n;
}

/* Reports what changed in the mailbox since the session last looked:
 * messages others removed (EXPUNGE), then new ones (EXISTS, RECENT). */
void imap_sync_view(ImapSession *is, Buf *b)
{
    Mailbox *mb = imap_selected_box(is);
    if (!mb)
        return;
    for (size_t k = 0; k < is->n_view;) {
        if (mail_box_find(mb, is->view[k]) < 0) {
            buf_printf(b, "* %zu EXPUNGE\r\n", k + 1);
            memmove(is->view + k, is->view + k + 1, (is->n_view - k - 1) * sizeof *is->view);
            is->n_view--;
        } else {
            k++;
        }
    }
    uint32_t last = is->n_view ? is->view[is->n_view - 1] : 0;
    size_t from = mb->n;
    for (size_t i = 0; i < mb->n; i++)
        if (mb->msgs[i].uid > last) {
            from = i;
            break;
        }
    if (from == mb->n)
        return;
    is->view = xrealloc(is->view, mb->n * sizeof *is->view);
    for (size_t i = from; i < mb->n; i++)
        is->view[is->n_view++] = mb->msgs[i].uid;
    size_t recent = claim_recent(is, mb, from);
    size_t total = 0;
    for (size_t k = 0; k < is->n_view; k++)
        total += is_recent(is, is->view[k]);
    buf_printf(b, "* %zu EXISTS\r\n* %zu RECENT\r\n", is->n_view, is->readonly ? recent : total);
}

/* ---- tagged replies -------------------------------------------------------------- */

void imap_tagged(ImapSession *is, Buf *b, const char *tag, const char *text, char *c)
{
    buf_printf(b, "%s %s\r\n", tag, text);
    flush(is, b, c);
}

void imap_bad_args(ImapSession *is, Buf *b, const char *tag, const char *name)
{
    char r[200];
    snprintf(r, sizeof r, "BAD Error in IMAP command %.40s: Invalid arguments" TIMING, name);
    imap_tagged(is, b, tag, r,
                imap_cap(is, "answers BAD: %s's arguments are not what IMAP expects.", name));
}

void imap_no_mailbox(ImapSession *is, Buf *b, const char *tag, const char *mailbox, bool copy)
{
    char r[300];
    snprintf(r, sizeof r, "NO %sMailbox doesn't exist: %.128s" TIMING, copy ? "[TRYCREATE] " : "",
             mailbox);
    imap_tagged(is, b, tag, r, imap_cap(is, "answers NO: %s has no folder %s.", is->user, mailbox));
}

/* ---- not authenticated -------------------------------------------------------------- */

static void hold_done(Sim *sim, void *ctx, uint64_t arg);

static void login_ok(ImapSession *is, const char *tag, const char *user)
{
    is->authed = true;
    snprintf(is->user, sizeof is->user, "%s", mail_user_name(is->srv, user));
    Buf b;
    buf_init(&b);
    if (is->asked_caps) /* the client reads CAPABILITY responses, not codes */
        buf_printf(&b, "* CAPABILITY " CAPS_POST "\r\n%s OK Logged in\r\n", tag);
    else
        buf_printf(&b, "%s OK [CAPABILITY " CAPS_POST "] Logged in\r\n", tag);
    flush(is, &b,
          imap_cap(is,
                   "accepts %s's password (OK) and lists what it can do now: the authenticated "
                   "state, where the client picks a mailbox.",
                   is->user));
    buf_fini(&b);
}

/* Checks the login waiting (held_tag, auth_user, auth_pass): a failure
 * is answered after Dovecot's 2 s auth_failure_delay. */
static void auth_check(ImapSession *is)
{
    if (mail_auth_check(is->srv, is->client_ip, is->auth_user, is->auth_pass)) {
        login_ok(is, is->held_tag, is->auth_user);
        free(is->held_tag);
        is->held_tag = NULL;
        return;
    }
    is->holding = true;
    is->hold_timer = sim_after(is->srv->sim, MAIL_AUTH_DELAY, hold_done, is, 1);
}

static void try_login(ImapSession *is, const char *tag, const char *user, const char *pass)
{
    free(is->held_tag);
    is->held_tag = xstrdup(tag);
    snprintf(is->auth_user, sizeof is->auth_user, "%s", user);
    snprintf(is->auth_pass, sizeof is->auth_pass, "%s", pass);
    SimTime wait = mail_auth_wait(is->srv, is->client_ip);
    if (wait > 0) { /* earlier failures from this address: the penalty */
        is->holding = true;
        is->hold_timer = sim_after(is->srv->sim, wait, hold_done, is, 0);
        return;
    }
    auth_check(is);
}

static void hold_done(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    ImapSession *is = ctx;
    is->holding = false;
    if (arg == 0) {
        auth_check(is);
    } else {
        Buf b;
        buf_init(&b);
        imap_tagged(
            is, &b, is->held_tag, "NO [AUTHENTICATIONFAILED] Authentication failed.",
            imap_cap(is, "refuses the login after a 2 s pause (NO): wrong user name or password. "
                         "The pause, and a longer one before this address may try again, slow "
                         "down password guessing."));
        buf_fini(&b);
        free(is->held_tag);
        is->held_tag = NULL;
    }
    is->draining = true;
    while (!is->holding && !is->closed && is->n_pending) {
        char *line = is->pending[0];
        memmove(is->pending, is->pending + 1, --is->n_pending * sizeof *is->pending);
        session_line(is, line, strlen(line));
        free(line);
    }
    is->draining = false;
    if (is->closed)
        session_free(is); /* it ended while answering them */
}

static const char *arg_str(const ImapCmd *c, size_t i)
{
    if (i >= c->n_args || (c->args[i].kind != IMAP_ATOM && c->args[i].kind != IMAP_STRING))
        return NULL;
    return c->args[i].text;
}

static void sasl_plain(ImapSession *is, const char *tag, const char *b64)
{
    char dec[600];
    long n = pop3_base64_decode(b64, dec, sizeof dec - 1);
    Buf b;
    buf_init(&b);
    if (n < 0) {
        imap_tagged(is, &b, tag, "BAD Invalid base64 data in continued response",
                    imap_cap(is, "refuses the line: it is not base64."));
        buf_fini(&b);
        return;
    }
    buf_fini(&b);
    dec[n] = '\0';
    const char *user = memchr(dec, '\0', (size_t)n);
    const char *pass = user ? memchr(user + 1, '\0', (size_t)(dec + n - user - 1)) : NULL;
    if (!pass) {
        try_login(is, tag, "", "\x01"); /* fails, after the pause */
        return;
    }
    try_login(is, tag, user + 1, pass + 1);
}

static void cmd_capability(ImapSession *is, Buf *b, const char *tag)
{
    if (!is->authed)
        is->asked_caps = true;
    buf_printf(b, "* CAPABILITY %s\r\n", is->authed ? CAPS_POST : CAPS_PRE);
    imap_tagged(is, b, tag,
                is->authed ? "OK Capability completed" TIMING
                           : "OK Pre-login capabilities listed, post-login capabilities have more.",
                imap_cap(is, "lists its capabilities (CAPABILITY)%s.",
                         is->authed ? "" : ": more are shown after login"));
}

static void cmd_logout(ImapSession *is, Buf *b, const char *tag)
{
    buf_puts(b, "* BYE Logging out\r\n");
    imap_tagged(is, b, tag, is->authed ? "OK Logout completed" TIMING : "OK Logout completed.",
                imap_cap(is,
                         "says goodbye (BYE) and closes the connection; the messages stay on the "
                         "server with their flags."));
    session_end(is);
}

/* ---- authenticated ----------------------------------------------------------------- */

static bool pattern_match(const char *pat, const char *name)
{
    if (*pat == '\0')
        return *name == '\0';
    if (*pat == '*' || *pat == '%') {
        for (const char *n = name;; n++) {
            if (pattern_match(pat + 1, n))
                return true;
            if (*n == '\0' || (*pat == '%' && *n == '.'))
                return false;
        }
    }
    return *name &&
           (*pat == *name || (toupper((unsigned char)*pat) == toupper((unsigned char)*name) &&
                              strncasecmp(name, "INBOX", 5) == 0)) &&
           pattern_match(pat + 1, name + 1);
}

static void cmd_list(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, bool lsub)
{
    const char *ref = arg_str(c, 0), *pat = arg_str(c, 1);
    if (c->n_args == 0) {
        char r[120];
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: Invalid reference" TIMING, c->name);
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers BAD: %s wants a reference and a pattern.", c->name));
        return;
    }
    if (!ref || !pat || c->n_args != 2) {
        imap_bad_args(is, b, tag, c->name);
        return;
    }
    if (!lsub && *pat == '\0') {
        buf_puts(b, "* LIST (\\Noselect) \".\" \"\"\r\n");
    } else if (lsub) {
        const char *subs[64];
        size_t n = mail_subscriptions(is->srv, is->user, subs, 64);
        char want[300];
        snprintf(want, sizeof want, "%s%s", ref, pat);
        for (size_t k = 0; k < n; k++)
            if (pattern_match(want, subs[k])) {
                buf_puts(b, "* LSUB () \".\" ");
                put_name(b, subs[k]);
                buf_puts(b, "\r\n");
            }
    } else {
        Mailbox *boxes[64];
        size_t n = mail_folders(is->srv, is->user, boxes, 64);
        char full[300];
        /* Dovecot's Maildir listing: the folders, then INBOX */
        for (size_t k = 0; k < n; k++) {
            Mailbox *mb = boxes[(k + 1) % n];
            snprintf(full, sizeof full, "%s", mb->folder);
            char want[300];
            snprintf(want, sizeof want, "%s%s", ref, pat);
            if (!pattern_match(want, full))
                continue;
            buf_puts(b, "* LIST (\\HasNoChildren) \".\" ");
            put_name(b, full);
            buf_puts(b, "\r\n");
        }
    }
    imap_tagged(is, b, tag, lsub ? "OK Lsub completed" TIMING : "OK List completed" TIMING,
                lsub ? imap_cap(is, "lists the folders %s subscribed to (LSUB).", is->user)
                     : imap_cap(is, "lists %s's folders that match (LIST); \".\" separates levels.",
                                is->user));
}

static size_t count_unseen(const Mailbox *mb, size_t *first)
{
    size_t n = 0;
    *first = 0;
    for (size_t i = 0; i < mb->n; i++)
        if (!(mb->msgs[i].flags & MAIL_FLAG_SEEN)) {
            if (!n)
                *first = i + 1;
            n++;
        }
    return n;
}

static size_t count_recent(const Mailbox *mb)
{
    size_t n = 0;
    for (size_t i = 0; i < mb->n; i++)
        n += (mb->msgs[i].flags & MAIL_FLAG_RECENT) != 0;
    return n;
}

static void cmd_select(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, bool examine)
{
    const char *name = arg_str(c, 0);
    if (!name || c->n_args != 1) {
        imap_bad_args(is, b, tag, c->name);
        return;
    }
    if (is->selected) {
        buf_puts(b, "* OK [CLOSED] Previous mailbox closed.\r\n");
        is->selected = false;
        free(is->view);
        is->view = NULL;
        is->n_view = 0;
    }
    Mailbox *mb = mail_folder(is->srv, is->user, name);
    if (!mb) {
        imap_no_mailbox(is, b, tag, name, false);
        return;
    }
    is->selected = true;
    is->sel_box = mb;
    is->readonly = examine;
    snprintf(is->folder, sizeof is->folder, "%s", mb->folder);
    is->recent_lo = is->recent_hi = 0;
    is->view = xcalloc(mb->n ? mb->n : 1, sizeof *is->view);
    for (size_t i = 0; i < mb->n; i++)
        is->view[i] = mb->msgs[i].uid;
    is->n_view = mb->n;
    size_t recent = claim_recent(is, mb, 0), first;
    size_t unseen = count_unseen(mb, &first);
    buf_puts(b, "* FLAGS (" FLAGS_ALL ")\r\n");
    if (examine)
        buf_puts(b, "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n");
    else
        buf_puts(b, "* OK [PERMANENTFLAGS (" FLAGS_ALL " \\*)] Flags permitted.\r\n");
    buf_printf(b, "* %zu EXISTS\r\n* %zu RECENT\r\n", mb->n, recent);
    if (unseen)
        buf_printf(b, "* OK [UNSEEN %zu] First unseen.\r\n", first);
    buf_printf(b, "* OK [UIDVALIDITY %" PRIu32 "] UIDs valid\r\n", mb->uidvalidity);
    buf_printf(b, "* OK [UIDNEXT %" PRIu32 "] Predicted next UID\r\n", mb->next_uid);
    imap_tagged(is, b, tag,
                examine ? "OK [READ-ONLY] Examine completed" TIMING
                        : "OK [READ-WRITE] Select completed" TIMING,
                imap_cap(is,
                         "opens %s's %s%s: %zu message%s (EXISTS), %zu new (RECENT), %zu unread; "
                         "UIDVALIDITY and UIDNEXT let a client keep its copy in step.",
                         is->user, mb->folder, examine ? " read-only (EXAMINE)" : "", mb->n,
                         mb->n == 1 ? "" : "s", recent, unseen));
}

static void cmd_status(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c)
{
    const char *name = arg_str(c, 0);
    if (!name || c->n_args < 3 || c->args[1].kind != IMAP_LIST_OPEN ||
        c->args[c->n_args - 1].kind != IMAP_LIST_CLOSE) {
        imap_bad_args(is, b, tag, "STATUS");
        return;
    }
    enum { S_MESSAGES = 1, S_RECENT = 2, S_UIDNEXT = 4, S_UIDVALIDITY = 8, S_UNSEEN = 16 };
    unsigned want = 0;
    for (size_t i = 2; i + 1 < c->n_args; i++) {
        const char *it = c->args[i].text;
        if (c->args[i].kind != IMAP_ATOM) {
            imap_bad_args(is, b, tag, "STATUS");
            return;
        }
        if (strcasecmp(it, "MESSAGES") == 0)
            want |= S_MESSAGES;
        else if (strcasecmp(it, "RECENT") == 0)
            want |= S_RECENT;
        else if (strcasecmp(it, "UIDNEXT") == 0)
            want |= S_UIDNEXT;
        else if (strcasecmp(it, "UIDVALIDITY") == 0)
            want |= S_UIDVALIDITY;
        else if (strcasecmp(it, "UNSEEN") == 0)
            want |= S_UNSEEN;
        else {
            char r[200];
            snprintf(r, sizeof r,
                     "BAD Error in IMAP command STATUS: Invalid status item %.40s" TIMING, it);
            for (char *p = strstr(r, "item ") + 5; *p && *p != ' '; p++)
                *p = (char)toupper((unsigned char)*p);
            imap_tagged(is, b, tag, r,
                        imap_cap(is, "answers BAD: STATUS does not know that item."));
            return;
        }
    }
    Mailbox *mb = mail_folder(is->srv, is->user, name);
    if (!mb) {
        imap_no_mailbox(is, b, tag, name, false);
        return;
    }
    size_t first;
    buf_puts(b, "* STATUS ");
    put_name(b, mb->folder);
    buf_puts(b, " (");
    const char *sp = "";
    if (want & S_MESSAGES) {
        buf_printf(b, "%sMESSAGES %zu", sp, mb->n);
        sp = " ";
    }
    if (want & S_RECENT) {
        buf_printf(b, "%sRECENT %zu", sp, count_recent(mb));
        sp = " ";
    }
    if (want & S_UIDNEXT) {
        buf_printf(b, "%sUIDNEXT %" PRIu32, sp, mb->next_uid);
        sp = " ";
    }
    if (want & S_UIDVALIDITY) {
        buf_printf(b, "%sUIDVALIDITY %" PRIu32, sp, mb->uidvalidity);
        sp = " ";
    }
    if (want & S_UNSEEN)
        buf_printf(b, "%sUNSEEN %zu", sp, count_unseen(mb, &first));
    buf_puts(b, ")\r\n");
    if (is->selected && is->sel_box == mb) /* RFC 3501: a client should not */
        imap_tagged(is, b, tag, "OK [CLIENTBUG] Status on selected mailbox completed" TIMING,
                    imap_cap(is,
                             "reports on %s, the folder open in this very session: it answers, and "
                             "adds that a client should not ask (CLIENTBUG).",
                             mb->folder));
    else
        imap_tagged(is, b, tag, "OK Status completed" TIMING,
                    imap_cap(is, "reports on %s without opening it (STATUS).", mb->folder));
}

static void cmd_create(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c)
{
    const char *name = arg_str(c, 0);
    if (!name || c->n_args != 1) {
        imap_bad_args(is, b, tag, "CREATE");
        return;
    }
    size_t len = strlen(name);
    while (len && name[len - 1] == '.')
        len--; /* a trailing separator names the same folder */
    char folder[128];
    if (len == 0 || len >= sizeof folder) {
        imap_tagged(is, b, tag,
                    len ? "NO [CANNOT] Invalid mailbox name: Name is too long" TIMING
                        : "NO [CANNOT] Invalid mailbox name: Name is empty" TIMING,
                    imap_cap(is, "answers NO: that is no folder name."));
        return;
    }
    snprintf(folder, sizeof folder, "%.*s", (int)len, name);
    if (mail_folder(is->srv, is->user, folder)) {
        imap_tagged(is, b, tag, "NO [ALREADYEXISTS] Mailbox already exists" TIMING,
                    imap_cap(is, "answers NO: %s already has a folder %s.", is->user, folder));
        return;
    }
    mail_folder_create(is->srv, is->user, folder);
    imap_tagged(is, b, tag, "OK Create completed" TIMING,
                imap_cap(is, "creates the folder %s for %s: IMAP keeps folders on the server.",
                         folder, is->user));
}

/* SUBSCRIBE and UNSUBSCRIBE: the folders a client shows (LSUB); a folder
 * must exist to be subscribed to, unsubscribing is always OK. */
static void cmd_subscribe(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, bool sub)
{
    const char *name = arg_str(c, 0), *cmd = sub ? "SUBSCRIBE" : "UNSUBSCRIBE";
    char r[300];
    if (!name || c->n_args != 1) {
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: Missing arguments" TIMING, cmd);
        imap_tagged(is, b, tag, r, imap_cap(is, "answers BAD: %s wants a folder's name.", cmd));
        return;
    }
    Mailbox *mb = mail_folder(is->srv, is->user, name);
    if (sub && !mb) {
        imap_no_mailbox(is, b, tag, name, false);
        return;
    }
    /* INBOX in any case is INBOX */
    const char *as = mb && strcasecmp(name, "INBOX") == 0 ? "INBOX" : name;
    if (sub)
        mail_subscribe(is->srv, is->user, as);
    else
        mail_unsubscribe(is->srv, is->user, as);
    imap_tagged(is, b, tag,
                sub ? "OK Subscribe completed" TIMING : "OK Unsubscribe completed" TIMING,
                imap_cap(is, "%s %s %s %s: LSUB lists the folders a client shows.",
                         sub ? "subscribes" : "unsubscribes", is->user, sub ? "to" : "from", as));
}

/* DELETE: a folder and its messages (not INBOX); the session that had it
 * selected is ended, as Dovecot does. */
static void cmd_delete(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c)
{
    const char *name = arg_str(c, 0);
    char r[300];
    if (!name || c->n_args != 1) {
        imap_tagged(is, b, tag, "BAD Error in IMAP command DELETE: Missing arguments" TIMING,
                    imap_cap(is, "answers BAD: DELETE wants a folder's name."));
        return;
    }
    if (strcasecmp(name, "INBOX") == 0) {
        imap_tagged(is, b, tag, "NO INBOX can't be deleted" TIMING,
                    imap_cap(is, "answers NO: INBOX, where mail arrives, stays."));
        return;
    }
    Mailbox *mb = mail_folder(is->srv, is->user, name);
    if (!mb) {
        snprintf(r, sizeof r, "NO [NONEXISTENT] Mailbox doesn't exist: %.128s" TIMING, name);
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers NO: %s has no folder %s.", is->user, name));
        return;
    }
    size_t n = mb->n;
    mail_folder_delete(is->srv, mb);
    bool mine = is->selected && is->sel_box == mb;
    if (mine)
        buf_printf(b,
                   "%s OK Delete completed" TIMING "\r\n* BYE Selected mailbox was deleted, "
                   "have to disconnect.\r\n",
                   tag);
    else
        buf_printf(b, "%s OK Delete completed" TIMING "\r\n", tag);
    flush(is, b,
          imap_cap(is, "deletes the folder %s of %s and its %zu message%s (DELETE)%s.", name,
                   is->user, n, n == 1 ? "" : "s",
                   mine ? ", and ends the session that had it open" : ""));
    if (mine)
        session_end(is);
}

/* RENAME a folder (not INBOX) to a free name. */
static void cmd_rename(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c)
{
    const char *from = arg_str(c, 0), *to = arg_str(c, 1);
    char r[300];
    if (!from || !to || c->n_args != 2) {
        imap_tagged(is, b, tag, "BAD Error in IMAP command RENAME: Missing arguments" TIMING,
                    imap_cap(is, "answers BAD: RENAME wants the folder's name and its new name."));
        return;
    }
    Mailbox *mb = mail_folder(is->srv, is->user, from);
    if (!mb) {
        snprintf(r, sizeof r, "NO [NONEXISTENT] Mailbox doesn't exist: %.128s" TIMING, from);
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers NO: %s has no folder %s.", is->user, from));
        return;
    }
    if (strcasecmp(from, "INBOX") == 0) {
        imap_tagged(is, b, tag, "NO [CANNOT] Renaming INBOX isn't supported" TIMING,
                    imap_cap(is, "answers NO: INBOX keeps its name."));
        return;
    }
    size_t len = strlen(to);
    if (mail_folder(is->srv, is->user, to)) {
        imap_tagged(is, b, tag, "NO [ALREADYEXISTS] Target mailbox already exists" TIMING,
                    imap_cap(is, "answers NO: %s already has a folder %s.", is->user, to));
        return;
    }
    if (len == 0 || len >= sizeof is->folder) {
        imap_tagged(is, b, tag,
                    len ? "NO [CANNOT] Invalid mailbox name: Name is too long" TIMING
                        : "NO [CANNOT] Invalid mailbox name: Name is empty" TIMING,
                    imap_cap(is, "answers NO: that is no folder name."));
        return;
    }
    mail_folder_rename(is->srv, mb, to);
    imap_tagged(is, b, tag, "OK Rename completed" TIMING,
                imap_cap(is, "renames the folder %s of %s to %s (RENAME).", from, is->user, to));
}

/* ---- FETCH ------------------------------------------------------------------------------ */

/* One message's FETCH response; reading a body without PEEK sets \\Seen
 * first (counted in seen_set) unless the mailbox was EXAMINEd. */
static void fetch_one(ImapSession *is, Buf *b, Mailbox *mb, size_t seq, const FetchItem *items,
                      size_t n_items, bool uid_cmd, size_t *seen_set)
{
    long i = mail_box_find(mb, is->view[seq]);
    if (i < 0)
        return;
    MailMsg *m = &mb->msgs[i];
    bool add_flags = false;
    if (imap_fetch_sets_seen(items, n_items) && !is->readonly && !(m->flags & MAIL_FLAG_SEEN)) {
        mail_box_set_flags(is->srv, mb, (size_t)i, m->flags | MAIL_FLAG_SEEN);
        (*seen_set)++;
        add_flags = !imap_fetch_wants(items, n_items, F_FLAGS);
    }
    imap_fetch_response(b, seq + 1, m, items, n_items, uid_cmd, add_flags, is_recent(is, m->uid),
                        is->srv->sim->world->start_us);
}

/* The sequence numbers (0-based) a set names; uid: the set holds UIDs.
 * Returns false (a BAD) for a sequence number beyond EXISTS. */
static bool resolve_set(ImapSession *is, const char *text, bool uid, bool **pick)
{
    uint32_t star = uid ? (is->n_view ? is->view[is->n_view - 1] : 0) : (uint32_t)is->n_view;
    ImapSet set;
    if (!imap_parse_set(text, star ? star : (uid ? UINT32_MAX : 0), &set))
        return false;
    *pick = xcalloc(is->n_view ? is->n_view : 1, sizeof **pick);
    bool ok = true;
    if (!uid)
        for (size_t r = 0; r < set.n; r++)
            if (set.r[r].hi > is->n_view || set.r[r].lo == 0)
                ok = false;
    for (size_t k = 0; k < is->n_view && ok; k++)
        (*pick)[k] = imap_set_has(&set, uid ? is->view[k] : (uint32_t)(k + 1));
    imap_set_free(&set);
    if (!ok) {
        free(*pick);
        *pick = NULL;
    }
    return ok;
}

static void invalid_set(ImapSession *is, Buf *b, const char *tag, const char *name)
{
    char r[200];
    snprintf(r, sizeof r, "BAD Error in IMAP command %s: Invalid messageset" TIMING, name);
    imap_tagged(is, b, tag, r,
                imap_cap(is, "answers BAD: the message numbers go past the mailbox's end."));
}

static void cmd_fetch(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, size_t a0,
                      bool uid)
{
    const char *name = uid ? "UID FETCH" : "FETCH";
    const char *set = arg_str(c, a0);
    FetchItem items[IMAP_FETCH_MAX_ITEMS + 4];
    size_t n_items;
    char err[120], r[300];
    if (!set) {
        imap_bad_args(is, b, tag, name);
        return;
    }
    if (!imap_fetch_items(c, a0 + 1, items, &n_items, err, sizeof err)) {
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: %s" TIMING, name, err);
        imap_tagged(is, b, tag, r, imap_cap(is, "answers BAD: FETCH does not know what to send."));
        return;
    }
    bool *pick;
    if (!resolve_set(is, set, uid, &pick)) {
        invalid_set(is, b, tag, name);
        return;
    }
    Mailbox *mb = imap_selected_box(is);
    size_t n = 0, seen = 0;
    for (size_t k = 0; k < is->n_view; k++)
        if (pick[k]) {
            fetch_one(is, b, mb, k, items, n_items, uid, &seen);
            n++;
        }
    free(pick);
    imap_tagged(
        is, b, tag, "OK Fetch completed" TIMING,
        imap_cap(is, "sends what was asked of %zu message%s (FETCH)%s.", n, n == 1 ? "" : "s",
                 seen ? "; reading a body without PEEK marks the message \\Seen on the server"
                      : ""));
}

/* ---- STORE, COPY, EXPUNGE, CLOSE --------------------------------------------------------- */

static void cmd_store(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, size_t a0,
                      bool uid)
{
    const char *name = uid ? "UID STORE" : "STORE";
    const char *set = arg_str(c, a0), *what = arg_str(c, a0 + 1);
    if (!set || !what || c->args[a0 + 1].kind != IMAP_ATOM || a0 + 2 >= c->n_args) {
        imap_bad_args(is, b, tag, name);
        return;
    }
    char op[32];
    snprintf(op, sizeof op, "%s", what);
    for (char *p = op; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    int mode; /* 0 set, 1 add, -1 remove */
    const char *base = op;
    if (*base == '+' || *base == '-') {
        mode = *base == '+' ? 1 : -1;
        base++;
    } else {
        mode = 0;
    }
    bool silent = strcmp(base, "FLAGS.SILENT") == 0;
    if (!silent && strcmp(base, "FLAGS") != 0) {
        imap_bad_args(is, b, tag, name);
        return;
    }
    unsigned bits = 0;
    char badflag[64];
    size_t i = a0 + 2, end = c->n_args;
    if (c->args[i].kind == IMAP_LIST_OPEN) {
        if (c->args[end - 1].kind != IMAP_LIST_CLOSE) {
            imap_bad_args(is, b, tag, name);
            return;
        }
        i++;
        end--;
    }
    for (; i < end; i++) {
        if (c->args[i].kind != IMAP_ATOM) {
            imap_bad_args(is, b, tag, name);
            return;
        }
        if (!imap_parse_flag(c->args[i].text, &bits, badflag, sizeof badflag)) {
            char r[200];
            snprintf(r, sizeof r, "BAD Error in IMAP command %s: Invalid system flag %s" TIMING,
                     name, badflag);
            imap_tagged(is, b, tag, r, imap_cap(is, "answers BAD: IMAP has no such system flag."));
            return;
        }
    }
    bool *pick;
    if (!resolve_set(is, set, uid, &pick)) {
        invalid_set(is, b, tag, name);
        return;
    }
    if (is->readonly) {
        free(pick);
        imap_tagged(is, b, tag, "OK Store ignored with read-only mailbox" TIMING,
                    imap_cap(is, "changes nothing: the mailbox was opened read-only (EXAMINE)."));
        return;
    }
    Mailbox *mb = imap_selected_box(is);
    size_t changed = 0;
    for (size_t k = 0; k < is->n_view; k++) {
        if (!pick[k])
            continue;
        long mi = mail_box_find(mb, is->view[k]);
        if (mi < 0)
            continue;
        MailMsg *m = &mb->msgs[mi];
        unsigned keep = m->flags & MAIL_FLAG_RECENT;
        unsigned now = m->flags & ~(unsigned)MAIL_FLAG_RECENT;
        unsigned next = mode > 0 ? now | bits : mode < 0 ? now & ~bits : bits;
        if (next == now)
            continue;
        mail_box_set_flags(is->srv, mb, (size_t)mi, next | keep);
        changed++;
        if (!silent) {
            buf_printf(b, "* %zu FETCH (", k + 1);
            if (uid)
                buf_printf(b, "UID %" PRIu32 " ", m->uid);
            buf_puts(b, "FLAGS ");
            imap_put_flags(b, next, is_recent(is, m->uid));
            buf_puts(b, ")\r\n");
        }
    }
    free(pick);
    imap_tagged(is, b, tag, "OK Store completed" TIMING,
                imap_cap(is,
                         "changes the flags of %zu message%s on the server (STORE): every client "
                         "of %s sees them.",
                         changed, changed == 1 ? "" : "s", is->user));
}

static void put_uidset(Buf *b, const uint32_t *u, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && u[j + 1] == u[j] + 1)
            j++;
        buf_printf(b, "%s%" PRIu32, i ? "," : "", u[i]);
        if (j > i)
            buf_printf(b, ":%" PRIu32, u[j]);
        i = j + 1;
    }
}

static void cmd_copy(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, size_t a0,
                     bool uid)
{
    const char *name = uid ? "UID COPY" : "COPY";
    const char *set = arg_str(c, a0), *dest = arg_str(c, a0 + 1);
    if (!set || !dest || c->n_args != a0 + 2) {
        imap_bad_args(is, b, tag, name);
        return;
    }
    bool *pick;
    if (!resolve_set(is, set, uid, &pick)) {
        invalid_set(is, b, tag, name);
        return;
    }
    Mailbox *to = mail_folder(is->srv, is->user, dest);
    if (!to) {
        free(pick);
        imap_no_mailbox(is, b, tag, dest, true);
        return;
    }
    Mailbox *mb = imap_selected_box(is);
    uint32_t *src = xcalloc(is->n_view + 1, sizeof *src),
             *dst = xcalloc(is->n_view + 1, sizeof *dst);
    size_t n = 0;
    for (size_t k = 0; k < is->n_view; k++) {
        long mi = pick[k] ? mail_box_find(mb, is->view[k]) : -1;
        if (mi < 0)
            continue;
        /* mb may be to: copy from a snapshot of the message */
        MailMsg m = mb->msgs[mi];
        src[n] = m.uid;
        dst[n] = mail_box_copy(is->srv, to, &m);
        n++;
    }
    free(pick);
    Buf r;
    buf_init(&r);
    if (n) {
        buf_printf(&r, "OK [COPYUID %" PRIu32 " ", to->uidvalidity);
        put_uidset(&r, src, n);
        buf_putc(&r, ' ');
        put_uidset(&r, dst, n);
        buf_puts(&r, "] Copy completed" TIMING);
    } else {
        buf_puts(&r, "OK No messages found" TIMING);
    }
    imap_tagged(is, b, tag, r.data,
                imap_cap(is, "copies %zu message%s into %s (COPY); COPYUID gives their new UIDs.",
                         n, n == 1 ? "" : "s", to->folder));
    buf_fini(&r);
    free(src);
    free(dst);
}

/* Removes the \Deleted messages; reports them when report is set. */
static size_t expunge(ImapSession *is, Buf *b, bool report)
{
    Mailbox *mb = imap_selected_box(is);
    size_t n = 0;
    bool recent_gone = false;
    for (size_t k = 0; k < is->n_view;) {
        long mi = mail_box_find(mb, is->view[k]);
        if (mi >= 0 && (mb->msgs[mi].flags & MAIL_FLAG_DELETED)) {
            recent_gone |= is_recent(is, is->view[k]);
            mail_box_remove(is->srv, mb, (size_t)mi);
            if (report)
                buf_printf(b, "* %zu EXPUNGE\r\n", k + 1);
            memmove(is->view + k, is->view + k + 1, (is->n_view - k - 1) * sizeof *is->view);
            is->n_view--;
            n++;
        } else {
            k++;
        }
    }
    /* Dovecot tells the new count when a recent message went */
    if (report && recent_gone) {
        size_t r = 0;
        for (size_t k = 0; k < is->n_view; k++)
            r += is_recent(is, is->view[k]);
        buf_printf(b, "* %zu RECENT\r\n", r);
    }
    return n;
}

static void cmd_expunge(ImapSession *is, Buf *b, const char *tag)
{
    size_t n = is->readonly ? 0 : expunge(is, b, true);
    imap_tagged(is, b, tag, "OK Expunge completed" TIMING,
                imap_cap(is,
                         "removes the %zu message%s flagged \\Deleted (EXPUNGE): only now do they "
                         "leave the server.",
                         n, n == 1 ? "" : "s"));
}

static void cmd_close(ImapSession *is, Buf *b, const char *tag)
{
    size_t n = is->readonly ? 0 : expunge(is, b, false);
    is->selected = false;
    free(is->view);
    is->view = NULL;
    is->n_view = 0;
    imap_tagged(is, b, tag, "OK Close completed" TIMING,
                imap_cap(is,
                         "closes the mailbox (CLOSE), silently removing the %zu message%s flagged "
                         "\\Deleted.",
                         n, n == 1 ? "" : "s"));
}

/* ---- SEARCH ------------------------------------------------------------------------------ */

static void cmd_search(ImapSession *is, Buf *b, const char *tag, const ImapCmd *c, size_t a0,
                       bool uid)
{
    const char *name = uid ? "UID SEARCH" : "SEARCH";
    ImapSearchView v = {.mb = imap_selected_box(is),
                        .view = is->view,
                        .n_view = is->n_view,
                        .recent_lo = is->recent_lo,
                        .recent_hi = is->recent_hi,
                        .epoch_us = is->srv->sim->world->start_us};
    bool *match = xcalloc(is->n_view ? is->n_view : 1, sizeof *match);
    char err[200], r[300];
    ImapSearchErr st = imap_search(c, a0, &v, match, err, sizeof err);
    if (st == IMAP_SEARCH_BAD) {
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: %s" TIMING, name, err);
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers BAD: SEARCH does not understand its keys."));
    } else if (st == IMAP_SEARCH_NO) {
        snprintf(r, sizeof r, "NO %s" TIMING, err);
        imap_tagged(is, b, tag, r, imap_cap(is, "answers NO: it knows no such character set."));
    } else {
        size_t n = 0;
        buf_puts(b, "* SEARCH");
        for (size_t k = 0; k < is->n_view; k++)
            if (match[k]) {
                buf_printf(b, " %" PRIu32, uid ? is->view[k] : (uint32_t)(k + 1));
                n++;
            }
        buf_puts(b, "\r\n");
        imap_tagged(is, b, tag, "OK Search completed" TIMING,
                    imap_cap(is, "lists the %zu message%s that match (SEARCH): %s.", n,
                             n == 1 ? "" : "s", uid ? "their UIDs" : "their numbers"));
    }
    free(match);
}

/* ---- IDLE ------------------------------------------------------------------------------- */

#define IDLE_POLL       ((SimTime)1000000)
#define IDLE_STILL_HERE (120 * (SimTime)1000000)

static void idle_poll(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    ImapSession *is = ctx;
    Buf b;
    buf_init(&b);
    imap_sync_view(is, &b);
    SimTime waited = sim->now - is->idle_since;
    if (!b.len && waited > 0 && waited % IDLE_STILL_HERE == 0)
        buf_puts(&b, "* OK Still here\r\n");
    flush(is, &b,
          b.len ? imap_cap(is, "tells the idling client at once what changed in the mailbox.")
                : NULL);
    buf_fini(&b);
    is->idle_poll = sim_after_background(sim, IDLE_POLL, idle_poll, is, 0);
}

static void cmd_idle(ImapSession *is, const char *tag)
{
    is->idle_tag = xstrdup(tag);
    is->idle_since = is->srv->sim->now;
    char *c = imap_cap(is, "waits (IDLE): it will tell the client of new mail without being asked, "
                           "until the client sends DONE.");
    textconn_send(is->t, "+ idling", c);
    free(c);
    is->idle_poll = sim_after_background(is->srv->sim, IDLE_POLL, idle_poll, is, 0);
}

/* A line while idling: DONE ends it, anything else is an error. */
static void idle_line(ImapSession *is, const char *line)
{
    sim_cancel(is->srv->sim, is->idle_poll);
    char *tag = is->idle_tag;
    is->idle_tag = NULL;
    double secs = (double)(is->srv->sim->now - is->idle_since) / 1e6;
    char r[200];
    Buf b;
    buf_init(&b);
    if (strcasecmp(line, "DONE") == 0) {
        snprintf(r, sizeof r, "OK Idle completed (%.3f + %.3f + %.3f secs).", secs + 0.001, secs,
                 secs + 0.001);
        imap_tagged(is, &b, tag, r, imap_cap(is, "ends IDLE (DONE)."));
    } else {
        snprintf(r, sizeof r, "BAD Expected DONE (%.3f + %.3f + %.3f secs).", secs + 0.001, secs,
                 secs + 0.001);
        imap_tagged(is, &b, tag, r,
                    imap_cap(is, "answers BAD: during IDLE only DONE is expected."));
    }
    buf_fini(&b);
    free(tag);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static const char *const known[] = {
    "CAPABILITY", "NOOP",   "CHECK",     "LOGOUT",      "LIST",   "LSUB",    "SELECT", "EXAMINE",
    "STATUS",     "CREATE", "FETCH",     "STORE",       "COPY",   "EXPUNGE", "CLOSE",  "UID",
    "IDLE",       "SEARCH", "SUBSCRIBE", "UNSUBSCRIBE", "DELETE", "RENAME",  "APPEND"};

/* Commands Dovecot runs without reading their arguments once logged in:
 * "NOOP (" or "NOOP {abc}" is a NOOP, and a literal after them is never
 * asked for. */
static bool ignores_args(const char *name)
{
    static const char *const none[] = {"NOOP", "CHECK", "CAPABILITY", "CLOSE", "EXPUNGE", "LOGOUT"};
    for (size_t i = 0; i < MN_ARRAY_LEN(none); i++)
        if (strcmp(name, none[i]) == 0)
            return true;
    return false;
}

static void dispatch_authed(ImapSession *is, Buf *b, const ImapCmd *c)
{
    const char *tag = c->tag, *name = c->name;
    if (is->selected && (imap_selected_box(is) != is->sel_box)) {
        /* another session deleted or renamed the folder (or this one renamed it) */
        buf_puts(b, "* BYE IMAP session state is inconsistent, please relogin.\r\n");
        flush(is, b,
              imap_cap(is, "ends the session: the folder it had open was deleted or renamed."));
        session_end(is);
        return;
    }
    bool is_known = false;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        is_known |= strcmp(name, known[i]) == 0;
    if (is_known && c->bad && !ignores_args(name)) {
        char r[200];
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: %s" TIMING, name,
                 c->err ? c->err : "Invalid arguments");
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers BAD: the command's arguments do not parse."));
        return;
    }
    if (strcmp(name, "CAPABILITY") == 0) {
        cmd_capability(is, b, tag);
    } else if (strcmp(name, "NOOP") == 0 || strcmp(name, "CHECK") == 0) {
        imap_sync_view(is, b);
        char r[64];
        snprintf(r, sizeof r, "OK %s completed" TIMING,
                 strcmp(name, "NOOP") == 0 ? "NOOP" : "Check");
        imap_tagged(is, b, tag, r,
                    imap_cap(is, "answers %s, with any news of the mailbox first.", name));
    } else if (strcmp(name, "LOGOUT") == 0) {
        cmd_logout(is, b, tag);
    } else if (strcmp(name, "IDLE") == 0) {
        cmd_idle(is, tag);
    } else if (strcmp(name, "LIST") == 0 || strcmp(name, "LSUB") == 0) {
        cmd_list(is, b, tag, c, name[1] == 'S');
    } else if (strcmp(name, "SELECT") == 0 || strcmp(name, "EXAMINE") == 0) {
        cmd_select(is, b, tag, c, name[0] == 'E');
    } else if (strcmp(name, "STATUS") == 0) {
        cmd_status(is, b, tag, c);
    } else if (strcmp(name, "CREATE") == 0) {
        cmd_create(is, b, tag, c);
    } else if (strcmp(name, "DELETE") == 0) {
        cmd_delete(is, b, tag, c);
    } else if (strcmp(name, "RENAME") == 0) {
        cmd_rename(is, b, tag, c);
    } else if (strcmp(name, "APPEND") == 0) {
        imap_cmd_append(is, b, tag, c);
    } else if (strcmp(name, "SUBSCRIBE") == 0 || strcmp(name, "UNSUBSCRIBE") == 0) {
        cmd_subscribe(is, b, tag, c, name[0] == 'S');
    } else if (strcmp(name, "LOGIN") == 0 || strcmp(name, "AUTHENTICATE") == 0) {
        char r[120];
        snprintf(r, sizeof r, "BAD Error in IMAP command %s: Unknown command" TIMING, name);
        imap_tagged(is, b, tag, r, imap_cap(is, "answers BAD: the client is logged in already."));
    } else if (strcmp(name, "FETCH") == 0 || strcmp(name, "STORE") == 0 ||
               strcmp(name, "COPY") == 0 || strcmp(name, "EXPUNGE") == 0 ||
               strcmp(name, "CLOSE") == 0 || strcmp(name, "UID") == 0 ||
               strcmp(name, "SEARCH") == 0) {
        bool uid = strcmp(name, "UID") == 0;
        const char *sub = uid ? arg_str(c, 0) : name;
        size_t a0 = uid ? 1 : 0;
        bool sub_known = sub && (strcasecmp(sub, "FETCH") == 0 || strcasecmp(sub, "STORE") == 0 ||
                                 strcasecmp(sub, "COPY") == 0 || strcasecmp(sub, "SEARCH") == 0);
        if (!is->selected && (!uid || sub_known)) {
            imap_tagged(is, b, tag, "BAD No mailbox selected" TIMING,
                        imap_cap(is, "answers BAD: %s needs a mailbox; SELECT one first.", name));
            return;
        }
        if (!sub) {
            imap_tagged(is, b, tag, "BAD Error in IMAP command: Invalid command name" TIMING,
                        imap_cap(is, "answers BAD: UID goes with FETCH, STORE or COPY."));
        } else if (strcasecmp(sub, "FETCH") == 0) {
            cmd_fetch(is, b, tag, c, a0, uid);
        } else if (strcasecmp(sub, "STORE") == 0) {
            cmd_store(is, b, tag, c, a0, uid);
        } else if (strcasecmp(sub, "COPY") == 0) {
            cmd_copy(is, b, tag, c, a0, uid);
        } else if (strcasecmp(sub, "SEARCH") == 0) {
            cmd_search(is, b, tag, c, a0, uid);
        } else if (!uid && strcmp(sub, "EXPUNGE") == 0) {
            cmd_expunge(is, b, tag);
        } else if (!uid && strcmp(sub, "CLOSE") == 0) {
            cmd_close(is, b, tag);
        } else if (uid) {
            char r[160];
            snprintf(r, sizeof r, "BAD Error in IMAP command UID %.40s: Unknown command" TIMING,
                     sub);
            for (char *p = r + 30; *p && *p != ':'; p++)
                *p = (char)toupper((unsigned char)*p);
            imap_tagged(is, b, tag, r,
                        imap_cap(is, "answers BAD: UID goes with FETCH, STORE or COPY."));
        }
    } else {
        char r[120];
        snprintf(r, sizeof r, "BAD Error in IMAP command %.40s: Unknown command" TIMING, name);
        imap_tagged(is, b, tag, r, imap_cap(is, "does not know the command %s (BAD).", name));
    }
}

static void dispatch(ImapSession *is, const char *line, size_t len)
{
    ImapCmd c;
    imap_parse(line, len, &c);
    Buf b;
    buf_init(&b);
    if (!c.tag) {
        imap_tagged(is, &b, "*",
                    is->authed ? "BAD Error in IMAP tag: Invalid tag" TIMING
                               : "BAD Error in IMAP command received by server.",
                    imap_cap(is, "answers BAD: an IMAP command starts with a tag."));
        imap_cmd_free(&c);
        buf_fini(&b);
        return;
    }
    const char *tag = c.tag;
    if (c.cont_first && !(is->authed && c.name && ignores_args(c.name))) {
        char *c0 = imap_cap(is, "says + OK: go on with the literal.");
        textconn_send(is->t, "+ OK", c0);
        free(c0);
    }
    if (c.name && c.bad && c.err && !is->authed) {
        char r[160];
        snprintf(r, sizeof r, "BAD %s", c.err);
        imap_tagged(is, &b, tag, r,
                    imap_cap(is, "answers BAD: the arguments do not parse (%s).", c.err));
    } else if (!c.name || (c.bad && !is->authed)) {
        if (is->authed)
            imap_tagged(is, &b, tag, "BAD Error in IMAP command: Invalid command name" TIMING,
                        imap_cap(is, "answers BAD: a tag must be followed by a command."));
        else
            imap_tagged(is, &b, tag, "BAD Error in IMAP command received by server.",
                        imap_cap(is,
                                 "answers BAD: the line is not an IMAP command (a tag, a command, "
                                 "its arguments)."));
    } else if (is->authed) {
        dispatch_authed(is, &b, &c);
    } else if (strcmp(c.name, "CAPABILITY") == 0) {
        cmd_capability(is, &b, tag);
    } else if (strcmp(c.name, "NOOP") == 0) {
        imap_tagged(is, &b, tag, "OK NOOP completed.", imap_cap(is, "answers NOOP: still here."));
    } else if (strcmp(c.name, "LOGOUT") == 0) {
        cmd_logout(is, &b, tag);
    } else if (strcmp(c.name, "LOGIN") == 0 && arg_str(&c, 0) && arg_str(&c, 1) && c.n_args == 2) {
        try_login(is, tag, arg_str(&c, 0), arg_str(&c, 1));
    } else if (strcmp(c.name, "AUTHENTICATE") == 0 && arg_str(&c, 0) &&
               strcasecmp(arg_str(&c, 0), "PLAIN") == 0) {
        if (c.n_args >= 2 && arg_str(&c, 1)) {
            sasl_plain(is, tag, arg_str(&c, 1));
        } else {
            is->sasl_tag = xstrdup(tag);
            textconn_send(is->t, "+ ", NULL);
        }
    } else if (strcmp(c.name, "AUTHENTICATE") == 0 && arg_str(&c, 0)) {
        imap_tagged(is, &b, tag, "NO [ALERT] Unsupported authentication mechanism.",
                    imap_cap(is, "does not offer that mechanism (only PLAIN and LOGIN)."));
    } else {
        imap_tagged(is, &b, tag, "BAD Error in IMAP command received by server.",
                    imap_cap(is,
                             "answers BAD: before login only CAPABILITY, NOOP, LOGOUT, LOGIN and "
                             "AUTHENTICATE are known."));
    }
    buf_fini(&b);
    imap_cmd_free(&c);
}

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg);

/* The longest command, literals included, as Dovecot counts it: its
 * login process's line buffer before login, imap_max_line_length after. */
#define LITERAL_ROOM_LOGIN 8192
#define LITERAL_ROOM       65536
/* APPEND's messages are not held to it: a message of up to 64 MiB */
#define APPEND_ROOM (64u << 20)

/* The command's name in the line that starts it, in capitals ("" if
 * none or too long). */
static void command_name(const char *line, size_t len, char up[16])
{
    up[0] = '\0';
    const char *sp = memchr(line, ' ', len);
    if (!sp)
        return;
    const char *name = sp + 1, *e = memchr(name, ' ', len - (size_t)(name - line));
    size_t n = e ? (size_t)(e - name) : len - (size_t)(name - line);
    if (n == 0 || n >= 16)
        return;
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[n] = '\0';
}

/* Does the command that starts with line read its arguments (and so ask
 * for a literal at its end)?  Not NOOP and the like once logged in. */
static bool reads_args(const ImapSession *is, const char *line, size_t len)
{
    char up[16];
    command_name(line, len, up);
    return !is->authed || !up[0] || !ignores_args(up);
}

/* A command line, or a line of a command that a literal continues: a
 * line ending with {n} asks for n bytes (the server says "+ OK" first
 * unless it is LITERAL+'s {n+}), which may take lines of their own; the
 * command is run when it is whole. */
static void command_line(ImapSession *is, const char *line, size_t len)
{
    if (!is->lit.on && !reads_args(is, line, len)) {
        dispatch(is, line, len);
        return;
    }
    char name[16];
    command_name(is->lit.on ? is->lit.text.data : line, is->lit.on ? is->lit.text.len : len, name);
    size_t room = !is->authed                   ? LITERAL_ROOM_LOGIN
                  : strcmp(name, "APPEND") == 0 ? APPEND_ROOM
                                                : LITERAL_ROOM;
    ImapGathered got;
    switch (imap_gather(&is->lit, line, len, room, &got)) {
    case IMAP_GATHER_WHOLE:
        dispatch(is, got.cmd, got.len);
        break;
    case IMAP_GATHER_MORE:
        break;
    case IMAP_GATHER_LITERAL:
        if (got.sync && !imap_append_may_send(is, is->lit.text.data, is->lit.text.len, got.size)) {
            /* answered already: the literal's lines are commands of their own */
            is->lit.on = false;
            is->lit.left = 0;
            break;
        }
        if (got.sync) {
            char *c0 = imap_cap(
                is, "says + OK: the client may send the literal's %" PRIu64 " bytes.", got.size);
            textconn_send(is->t, "+ OK", c0);
            free(c0);
        }
        break;
    case IMAP_GATHER_TOO_LARGE: {
        char *c0 = imap_cap(is,
                            "hangs up: the literal of %" PRIu64 " bytes would make the command "
                            "longer than its %zu.",
                            got.size, room);
        textconn_send(is->t, "* BYE Literal size too large", c0);
        free(c0);
        session_end(is);
        break;
    }
    }
}

static void session_line(ImapSession *is, const char *line, size_t len)
{
    if (is->holding) {
        is->pending = xgrow(is->pending, &is->cap_pending, is->n_pending + 1, sizeof *is->pending);
        is->pending[is->n_pending++] = xstrndup(line, len);
        return;
    }
    sim_cancel(is->srv->sim, is->idle);
    is->idle = sim_after_background(
        is->srv->sim, is->authed ? IMAP_IDLE_TIMEOUT : LOGIN_IDLE_TIMEOUT, idle_timeout, is, 0);
    if (is->idle_tag) {
        idle_line(is, line);
        return;
    }
    if (is->sasl_tag) {
        char *tag = is->sasl_tag;
        is->sasl_tag = NULL;
        if (strcmp(line, "*") == 0) {
            Buf b;
            buf_init(&b);
            imap_tagged(is, &b, tag, "BAD Authentication aborted by client.",
                        imap_cap(is, "stops the login: the client sent *."));
            buf_fini(&b);
        } else {
            sasl_plain(is, tag, line);
        }
        free(tag);
        return;
    }
    command_line(is, line, len);
}

/* ---- the connection ---------------------------------------------------------------------- */

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    session_line(ctx, line, len);
}

static void on_closed(void *ctx, TextConn *t)
{
    (void)t;
    ImapSession *is = ctx;
    if (is->holding)
        return;
    session_end(is);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    ImapSession *is = ctx;
    is->closed = true;
    session_unlink(is);
    session_free(is);
}

static const TextConnOps session_ops = {NULL, on_line, on_closed, on_ended};

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    ImapSession *is = ctx;
    is->idle = 0;
    char *c = imap_cap(is, "has waited too long for a command and hangs up (BYE).");
    textconn_send(is->t, "* BYE Disconnected for inactivity.", c);
    free(c);
    session_end(is);
}

void imap_session_accept(MailServer *s, TcpConn *c)
{
    ImapSession *is = xcalloc(1, sizeof *is);
    is->srv = s;
    TcpInfo info;
    tcp_info(c, &info);
    is->client_ip = info.remote_ip;
    is->t = textconn_new(c, &session_ops, is);
    is->next = s->access->imap_sessions;
    s->access->imap_sessions = is;
    is->idle = sim_after_background(s->sim, LOGIN_IDLE_TIMEOUT, idle_timeout, is, 0);
    char *c0 = imap_cap(is, "greets the IMAP client (* OK) and lists its capabilities; the client "
                            "tags each command and the server's answer carries the same tag.");
    textconn_send(is->t, "* OK [CAPABILITY " CAPS_PRE "] Dovecot (Debian) ready.", c0);
    free(c0);
}

void imap_sessions_free(MailServer *s)
{
    while (s->access->imap_sessions) {
        ImapSession *is = s->access->imap_sessions;
        s->access->imap_sessions = is->next;
        textconn_free(is->t);
        session_free(is);
    }
}
