/* pop3_server — one POP3 session (RFC 1939, CAPA from RFC 2449), as
 * Dovecot 2.3 answers it with ssl = no, disable_plaintext_auth = no,
 * auth_mechanisms = plain login and pop3_lock_session = no: the replies'
 * texts are Dovecot's, checked against the real one.
 *
 * The states are the RFC's: AUTHORIZATION (USER, PASS, AUTH, CAPA, QUIT),
 * TRANSACTION (the mailbox as it was at login, numbered 1..n; DELE only
 * marks) and UPDATE (QUIT removes what was marked).  A connection that
 * ends without QUIT removes nothing.  RETR sets \Seen at once, TOP does
 * not (Dovecot's flag updates).  A failed login answers after Dovecot's
 * 2 s auth_failure_delay; lines typed meanwhile wait their turn.  Two
 * sessions may be open on one mailbox (no lock): each keeps the list it
 * saw at login, and RETR of a message the other one removed says so.
 *
 * Limits: AUTH answers what Dovecot answers to a bare AUTH and to the
 * mechanisms it lacks; SASL exchanges are PLAIN and LOGIN only. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/mail/mail_access.h"
#include "proto/mail/pop3_cmd.h"

struct Pop3Session {
    Pop3Session *next;
    MailServer *srv;
    TextConn *t;
    char user[POP3_ARG_MAX]; /* USER given, waiting for PASS */
    bool have_user;
    bool authed;
    uint32_t client_ip;
    char auth_user[POP3_ARG_MAX], auth_pass[POP3_ARG_MAX]; /* a login waiting */
    char login[POP3_ARG_MAX];                              /* after login: the mailbox's user */
    /* The TRANSACTION state's view: the UIDs at login, their sizes, and
     * which are marked for deletion. */
    uint32_t *uids;
    size_t *sizes;
    bool *deleted;
    size_t n;
    int bad;         /* unknown commands in a row (Dovecot stops at 20) */
    char *sasl_mech; /* AUTH waiting for a continuation line */
    int sasl_step;
    bool holding; /* a failed login's answer waits */
    EvHandle hold_timer;
    char **pending;
    size_t n_pending, cap_pending;
    EvHandle idle;
    bool closed;
    bool draining; /* answering the lines that waited: free only after */
};

static void session_line(Pop3Session *ps, const char *line, size_t len);

/* ---- replies ------------------------------------------------------------------- */

static char *cap(Pop3Session *ps, const char *fmt, ...) MN_PRINTF(2, 3);
static char *cap(Pop3Session *ps, const char *fmt, ...)
{
    if (!trace_wanted(&ps->srv->sim->trace))
        return NULL;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s ", ps->srv->host);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

/* Sends len bytes of data with caption c, which it frees. */
static void send_raw(Pop3Session *ps, const Buf *b, char *c)
{
    textconn_send_raw(ps->t, b->data, b->len, c);
    free(c);
}

/* Sends text (one line) with caption c, which it frees. */
static void reply(Pop3Session *ps, const char *text, char *c)
{
    textconn_send(ps->t, text, c);
    free(c);
}

static void session_unlink(Pop3Session *ps)
{
    for (Pop3Session **p = &ps->srv->access->pop3_sessions; *p; p = &(*p)->next)
        if (*p == ps) {
            *p = ps->next;
            return;
        }
}

static void session_free(Pop3Session *ps)
{
    Sim *sim = ps->srv->sim;
    if (ps->holding)
        sim_cancel(sim, ps->hold_timer);
    sim_cancel(sim, ps->idle);
    for (size_t i = 0; i < ps->n_pending; i++)
        free(ps->pending[i]);
    free(ps->pending);
    free(ps->uids);
    free(ps->sizes);
    free(ps->deleted);
    free(ps->sasl_mech);
    free(ps);
}

static void session_end(Pop3Session *ps)
{
    ps->closed = true;
    session_unlink(ps);
    textconn_close(ps->t);
    if (!ps->draining)
        session_free(ps);
}

/* ---- the mailbox's view ------------------------------------------------------------- */

static Mailbox *inbox(Pop3Session *ps)
{
    return mail_server_mailbox(ps->srv, ps->login);
}

/* Index in the INBOX of message k (0-based) of the view, or -1 when
 * another session has removed it. */
static long msg_index(Pop3Session *ps, size_t k)
{
    Mailbox *mb = inbox(ps);
    return mb ? mail_box_find(mb, ps->uids[k]) : -1;
}

static void take_view(Pop3Session *ps)
{
    Mailbox *mb = inbox(ps);
    size_t n = mb ? mb->n : 0;
    ps->n = n;
    ps->uids = xcalloc(n ? n : 1, sizeof *ps->uids);
    ps->sizes = xcalloc(n ? n : 1, sizeof *ps->sizes);
    ps->deleted = xcalloc(n ? n : 1, sizeof *ps->deleted);
    for (size_t i = 0; i < n; i++) {
        ps->uids[i] = mb->msgs[i].uid;
        ps->sizes[i] = mb->msgs[i].size;
        /* Dovecot's POP3 takes \Recent away: an IMAP session after it
         * reports 0 RECENT. */
        if (mb->msgs[i].flags & MAIL_FLAG_RECENT)
            mb->msgs[i].flags &= ~(unsigned)MAIL_FLAG_RECENT;
    }
}

/* Dovecot's pop3_uidl_format %08Xu%08Xv: the UID and the UIDVALIDITY. */
static void uidl_of(Pop3Session *ps, size_t k, char out[20])
{
    Mailbox *mb = inbox(ps);
    snprintf(out, 20, "%08" PRIx32 "%08" PRIx32, ps->uids[k], mb ? mb->uidvalidity : 0);
}

/* Parses a message number as Dovecot does; replies and returns false when
 * it names none.  *rest gets what follows (spaces skipped when more
 * arguments follow). */
static bool msgnum(Pop3Session *ps, const char *args, bool more, size_t *k, const char **rest)
{
    char r[POP3_ARG_MAX + 64];
    Pop3Num num;
    const char *after;
    Pop3NumErr e = pop3_parse_num(args, &num, &after);
    if (e == POP3_NUM_INVALID) {
        snprintf(r, sizeof r, "-ERR Invalid message number: %.*s", POP3_ARG_MAX, args);
        reply(ps, r, cap(ps, "answers -ERR: a message number is a decimal number."));
        return false;
    }
    if (e == POP3_NUM_TOO_LARGE) {
        snprintf(r, sizeof r, "-ERR Message number too large: %.*s", POP3_ARG_MAX, after);
        reply(ps, r, cap(ps, "answers -ERR: that number is too large."));
        return false;
    }
    if (num == 0 || num > ps->n) {
        snprintf(r, sizeof r, "-ERR There's no message %" PRIu64 ".", num);
        reply(ps, r,
              cap(ps, "answers -ERR: the mailbox had %zu message%s at login, numbered from 1.",
                  ps->n, ps->n == 1 ? "" : "s"));
        return false;
    }
    size_t i = (size_t)num - 1;
    if (ps->deleted[i]) {
        reply(ps, "-ERR Message is deleted.",
              cap(ps,
                  "answers -ERR: message %zu is marked for deletion (it goes at QUIT; RSET "
                  "would unmark it).",
                  i + 1));
        return false;
    }
    if (more ? *after != ' ' : *after != '\0') {
        snprintf(r, sizeof r, "-ERR Noise after message number: %.*s", POP3_ARG_MAX, after);
        reply(ps, r, cap(ps, "answers -ERR: something follows the message number."));
        return false;
    }
    while (*after == ' ')
        after++;
    *k = i;
    *rest = after;
    return true;
}

/* Sends the message's first header lines and lines of body (all of it
 * when lines < 0), CRLF line ends, a leading dot doubled, then ".". */
static void send_message(Pop3Session *ps, const MailMsg *m, int64_t lines, const char *first,
                         char *c)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, first);
    buf_puts(&b, "\r\n");
    bool in_body = false;
    int64_t body = 0;
    for (const char *p = m->text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (in_body && lines >= 0 && body++ >= lines)
            break;
        if (len && p[0] == '.')
            buf_putc(&b, '.');
        buf_put(&b, p, len);
        buf_puts(&b, "\r\n");
        if (len == 0)
            in_body = true;
        if (!eol)
            break;
        p = eol + 1;
    }
    buf_puts(&b, ".\r\n");
    send_raw(ps, &b, c);
    buf_fini(&b);
}

/* ---- TRANSACTION ---------------------------------------------------------------------- */

static void cmd_stat(Pop3Session *ps)
{
    size_t n = 0, size = 0;
    for (size_t i = 0; i < ps->n; i++)
        if (!ps->deleted[i]) {
            n++;
            size += ps->sizes[i];
        }
    char r[80];
    snprintf(r, sizeof r, "+OK %zu %zu", n, size);
    reply(ps, r,
          cap(ps,
              "answers STAT: %zu message%s, %zu bytes in all (messages marked for deletion "
              "do not count).",
              n, n == 1 ? "" : "s", size));
}

static void cmd_list(Pop3Session *ps, const char *args, bool uidl)
{
    char r[120], id[20];
    if (*args) {
        size_t k;
        const char *rest;
        if (!msgnum(ps, args, false, &k, &rest))
            return;
        if (uidl) {
            uidl_of(ps, k, id);
            snprintf(r, sizeof r, "+OK %zu %s", k + 1, id);
            reply(ps, r,
                  cap(ps, "answers UIDL: message %zu's unique id, the same in every session.",
                      k + 1));
        } else {
            snprintf(r, sizeof r, "+OK %zu %zu", k + 1, ps->sizes[k]);
            reply(ps, r, cap(ps, "answers LIST: message %zu has %zu bytes.", k + 1, ps->sizes[k]));
        }
        return;
    }
    Buf b;
    buf_init(&b);
    size_t shown = 0;
    for (size_t i = 0; i < ps->n; i++)
        shown += !ps->deleted[i];
    if (uidl)
        buf_puts(&b, "+OK\r\n");
    else
        buf_printf(&b, "+OK %zu messages:\r\n", shown);
    for (size_t i = 0; i < ps->n; i++) {
        if (ps->deleted[i])
            continue;
        if (uidl) {
            uidl_of(ps, i, id);
            buf_printf(&b, "%zu %s\r\n", i + 1, id);
        } else {
            buf_printf(&b, "%zu %zu\r\n", i + 1, ps->sizes[i]);
        }
    }
    buf_puts(&b, ".\r\n");
    send_raw(ps, &b,
             uidl ? cap(ps, "answers UIDL: each message's number and unique id; a client "
                            "that leaves mail on the server remembers the ids it has.")
                  : cap(ps, "answers LIST: each message's number and size, ended by a "
                            "line with a dot."));
    buf_fini(&b);
}

static void cmd_retr(Pop3Session *ps, const char *args, bool top)
{
    size_t k;
    const char *rest;
    if (!msgnum(ps, args, top, &k, &rest))
        return;
    int64_t lines = -1;
    if (top) {
        uint64_t v;
        const char *after;
        char r[POP3_ARG_MAX + 40];
        if (!pop3_parse_size(rest, &v, &after)) {
            snprintf(r, sizeof r, "-ERR Invalid size: %.*s", POP3_ARG_MAX, rest);
            reply(ps, r, cap(ps, "answers -ERR: TOP wants a message number and a line count."));
            return;
        }
        if (*after) {
            snprintf(r, sizeof r, "-ERR Noise after size: %.*s", POP3_ARG_MAX, after);
            reply(ps, r, cap(ps, "answers -ERR: something follows TOP's line count."));
            return;
        }
        lines = v > INT64_MAX ? INT64_MAX : (int64_t)v;
    }
    Mailbox *mb = inbox(ps);
    long i = msg_index(ps, k);
    if (i < 0) {
        char r[80];
        snprintf(r, sizeof r, "-ERR Message %zu expunged.", k + 1);
        reply(ps, r,
              cap(ps,
                  "answers -ERR: another session has removed message %zu since this one "
                  "logged in (Dovecot does not lock the mailbox).",
                  k + 1));
        return;
    }
    MailMsg *m = &mb->msgs[i];
    if (top) {
        send_message(ps, m, lines, "+OK",
                     cap(ps,
                         "sends message %zu's header and the first %" PRId64
                         " line%s of its body (TOP), a leading dot doubled, then a dot line.",
                         k + 1, lines, lines == 1 ? "" : "s"));
        return;
    }
    char first[64];
    snprintf(first, sizeof first, "+OK %zu octets", m->size);
    send_message(ps, m, -1, first,
                 cap(ps,
                     "sends message %zu (%zu bytes, RETR), a line starting with a dot sent "
                     "with the dot doubled, then a line with a dot; it stays on the server "
                     "until DELE and QUIT.",
                     k + 1, m->size));
    if (!(m->flags & MAIL_FLAG_SEEN))
        mail_box_set_flags(ps->srv, mb, (size_t)i, m->flags | MAIL_FLAG_SEEN);
}

static void cmd_dele(Pop3Session *ps, const char *args)
{
    size_t k;
    const char *rest;
    if (!msgnum(ps, args, false, &k, &rest))
        return;
    ps->deleted[k] = true;
    reply(ps, "+OK Marked to be deleted.",
          cap(ps,
              "marks message %zu for deletion: it is removed only at QUIT (the UPDATE "
              "state); a dropped connection or RSET keeps it.",
              k + 1));
}

static void cmd_rset(Pop3Session *ps)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        n += ps->deleted[i];
        ps->deleted[i] = false;
    }
    reply(ps, "+OK",
          cap(ps, "unmarks the %zu message%s marked for deletion (RSET).", n, n == 1 ? "" : "s"));
}

static void cmd_quit_update(Pop3Session *ps)
{
    Mailbox *mb = inbox(ps);
    size_t removed = 0;
    for (size_t k = 0; k < ps->n; k++) {
        if (!ps->deleted[k])
            continue;
        removed++;
        long i = msg_index(ps, k);
        if (i >= 0)
            mail_box_remove(ps->srv, mb, (size_t)i);
    }
    if (removed) {
        char *c = cap(ps,
                      "enters the UPDATE state: it removes the %zu message%s marked for "
                      "deletion from %s's mailbox and says goodbye. POP3 has taken the mail "
                      "away: another device will not find it.",
                      removed, removed == 1 ? "" : "s", ps->login);
        reply(ps, "+OK Logging out, messages deleted.", c);
    } else {
        reply(ps, "+OK Logging out.",
              cap(ps, "enters the UPDATE state with nothing marked for deletion: the mailbox "
                      "stays as it was. It says goodbye and closes."));
    }
    session_end(ps);
}

/* ---- AUTHORIZATION ---------------------------------------------------------------- */

static void hold_done(Sim *sim, void *ctx, uint64_t arg);

static void login_ok(Pop3Session *ps, const char *user)
{
    ps->authed = true;
    snprintf(ps->login, sizeof ps->login, "%s", mail_user_name(ps->srv, user));
    take_view(ps);
    size_t size = 0;
    for (size_t i = 0; i < ps->n; i++)
        size += ps->sizes[i];
    reply(ps, "+OK Logged in.",
          cap(ps,
              "accepts %s's password: the TRANSACTION state. The mailbox holds %zu message%s "
              "(%zu bytes), numbered 1 to %zu for this session.",
              ps->login, ps->n, ps->n == 1 ? "" : "s", size, ps->n));
}

/* Checks the login waiting in auth_user/auth_pass: a failure is answered
 * after Dovecot's 2 s auth_failure_delay. */
static void auth_check(Pop3Session *ps)
{
    if (mail_auth_check(ps->srv, ps->client_ip, ps->auth_user, ps->auth_pass)) {
        login_ok(ps, ps->auth_user);
        return;
    }
    ps->holding = true;
    ps->hold_timer = sim_after(ps->srv->sim, MAIL_AUTH_DELAY, hold_done, ps, 1);
}

static void try_login(Pop3Session *ps, const char *user, const char *pass)
{
    snprintf(ps->auth_user, sizeof ps->auth_user, "%s", user);
    snprintf(ps->auth_pass, sizeof ps->auth_pass, "%s", pass);
    SimTime wait = mail_auth_wait(ps->srv, ps->client_ip);
    if (wait > 0) { /* earlier failures from this address: the penalty */
        ps->holding = true;
        ps->hold_timer = sim_after(ps->srv->sim, wait, hold_done, ps, 0);
        return;
    }
    auth_check(ps);
}

static void hold_done(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    Pop3Session *ps = ctx;
    ps->holding = false;
    if (arg == 0) {
        auth_check(ps);
    } else {
        reply(ps, "-ERR [AUTH] Authentication failed.",
              cap(ps, "refuses the login after a 2 s pause (-ERR [AUTH]): wrong user name or "
                      "password. The pause, and a longer one before this address may try "
                      "again, slow down password guessing."));
    }
    ps->draining = true;
    while (!ps->holding && !ps->closed && ps->n_pending) {
        char *line = ps->pending[0];
        memmove(ps->pending, ps->pending + 1, --ps->n_pending * sizeof *ps->pending);
        session_line(ps, line, strlen(line));
        free(line);
    }
    ps->draining = false;
    if (ps->closed)
        session_free(ps); /* it ended while answering them */
}

static void cmd_capa(Pop3Session *ps)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n");
    if (!ps->authed)
        buf_puts(&b, "USER\r\nSASL PLAIN LOGIN\r\n");
    buf_puts(&b, ".\r\n");
    send_raw(ps, &b,
             cap(ps, "lists its capabilities (CAPA, RFC 2449)%s.",
                 ps->authed ? "" : ": USER/PASS and SASL PLAIN and LOGIN to log in"));
    buf_fini(&b);
}

/* AUTH PLAIN/LOGIN (RFC 5034): the continuation lines. */
static void sasl_line(Pop3Session *ps, const char *line)
{
    if (strcmp(line, "*") == 0) {
        free(ps->sasl_mech);
        ps->sasl_mech = NULL;
        reply(ps, "-ERR Authentication aborted by client.",
              cap(ps, "stops the login: the client sent *."));
        return;
    }
    char dec[POP3_ARG_MAX];
    long n = pop3_base64_decode(line, dec, sizeof dec - 1);
    if (n < 0) {
        free(ps->sasl_mech);
        ps->sasl_mech = NULL;
        reply(ps, "-ERR Invalid base64 data in continued response",
              cap(ps, "refuses the line: it is not base64."));
        return;
    }
    dec[n] = '\0';
    if (strcmp(ps->sasl_mech, "PLAIN") == 0) {
        free(ps->sasl_mech);
        ps->sasl_mech = NULL;
        /* authzid NUL authcid NUL password */
        const char *authz = dec, *user = memchr(dec, '\0', (size_t)n);
        const char *pass = user ? memchr(user + 1, '\0', (size_t)(dec + n - user - 1)) : NULL;
        (void)authz;
        if (!pass) {
            try_login(ps, "", "\x01"); /* no password: fails like a wrong one */
            return;
        }
        try_login(ps, user + 1, pass + 1);
        return;
    }
    if (ps->sasl_step == 0) {
        snprintf(ps->user, sizeof ps->user, "%s", dec);
        ps->sasl_step = 1;
        reply(ps, "+ UGFzc3dvcmQ6", cap(ps, "asks for the password, base64 (\"Password:\")."));
        return;
    }
    free(ps->sasl_mech);
    ps->sasl_mech = NULL;
    try_login(ps, ps->user, dec);
}

static void cmd_auth(Pop3Session *ps, const char *args)
{
    char mech[32];
    size_t ml = strcspn(args, " ");
    if (ml == 0) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n");
        send_raw(ps, &b, cap(ps, "lists the SASL mechanisms it offers (AUTH)."));
        buf_fini(&b);
        return;
    }
    snprintf(mech, sizeof mech, "%.*s", (int)(ml < 31 ? ml : 31), args);
    for (char *p = mech; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    const char *initial = args[ml] == ' ' ? args + ml + 1 : NULL;
    if (strcmp(mech, "PLAIN") != 0 && strcmp(mech, "LOGIN") != 0) {
        reply(ps, "-ERR [AUTH] Unsupported authentication mechanism.",
              cap(ps, "does not offer that mechanism (only PLAIN and LOGIN)."));
        return;
    }
    ps->sasl_mech = xstrdup(mech);
    ps->sasl_step = 0;
    if (initial && strcmp(initial, "=") != 0) {
        sasl_line(ps, initial);
        return;
    }
    if (strcmp(mech, "LOGIN") == 0)
        reply(ps, "+ VXNlcm5hbWU6", cap(ps, "asks for the user name, base64 (\"Username:\")."));
    else
        reply(ps, "+ ", cap(ps, "waits for the credentials, base64."));
}

/* ---- dispatch ---------------------------------------------------------------------- */

static void unknown(Pop3Session *ps, const char *name)
{
    char r[POP3_ARG_MAX + 40];
    if (ps->authed)
        snprintf(r, sizeof r, "-ERR Unknown command: %.*s", POP3_ARG_MAX, name);
    else
        snprintf(r, sizeof r, "-ERR Unknown command.");
    if (++ps->bad >= 20) {
        reply(ps, "-ERR Too many bad commands.", cap(ps, "has had 20 bad commands and hangs up."));
        session_end(ps);
        return;
    }
    reply(ps, r,
          ps->authed ? cap(ps, "does not know the command %s (-ERR).", name)
                     : cap(ps, "answers -ERR: before login only USER, PASS, AUTH, CAPA and QUIT "
                               "are known (the AUTHORIZATION state)."));
}

static void dispatch(Pop3Session *ps, const char *line, size_t len)
{
    Pop3Cmd cmd;
    pop3_parse(line, len, &cmd);
    const char *a = cmd.args;
    if (!ps->authed) {
        switch (cmd.verb) {
        case POP3_CAPA:
            cmd_capa(ps);
            return;
        case POP3_USER:
            ps->bad = 0;
            snprintf(ps->user, sizeof ps->user, "%s", a);
            ps->have_user = true;
            reply(ps, "+OK", cap(ps, "takes the user name %s and waits for PASS.", a));
            return;
        case POP3_PASS:
            if (!ps->have_user) {
                reply(ps, "-ERR No username given.",
                      cap(ps, "answers -ERR: PASS comes after USER."));
                return;
            }
            ps->have_user = false;
            try_login(ps, ps->user, a);
            return;
        case POP3_AUTH:
            cmd_auth(ps, a);
            return;
        case POP3_QUIT:
            reply(ps, "+OK Logging out",
                  cap(ps, "says goodbye: nobody logged in, nothing "
                          "changes."));
            session_end(ps);
            return;
        default:
            unknown(ps, cmd.name);
            return;
        }
    }
    switch (cmd.verb) {
    case POP3_CAPA:
        cmd_capa(ps);
        break;
    case POP3_STAT:
        cmd_stat(ps);
        break;
    case POP3_LIST:
        cmd_list(ps, a, false);
        break;
    case POP3_UIDL:
        cmd_list(ps, a, true);
        break;
    case POP3_RETR:
        cmd_retr(ps, a, false);
        break;
    case POP3_TOP:
        cmd_retr(ps, a, true);
        break;
    case POP3_DELE:
        cmd_dele(ps, a);
        break;
    case POP3_RSET:
        cmd_rset(ps);
        break;
    case POP3_NOOP:
        reply(ps, "+OK", cap(ps, "answers NOOP: still here."));
        break;
    case POP3_QUIT:
        cmd_quit_update(ps);
        return;
    default:
        unknown(ps, cmd.name);
        return;
    }
    ps->bad = 0;
}

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg);

static void session_line(Pop3Session *ps, const char *line, size_t len)
{
    if (ps->holding) {
        ps->pending = xgrow(ps->pending, &ps->cap_pending, ps->n_pending + 1, sizeof *ps->pending);
        ps->pending[ps->n_pending++] = xstrndup(line, len);
        return;
    }
    sim_cancel(ps->srv->sim, ps->idle);
    ps->idle = sim_after_background(
        ps->srv->sim, ps->authed ? POP3_IDLE_TIMEOUT : LOGIN_IDLE_TIMEOUT, idle_timeout, ps, 0);
    if (ps->sasl_mech) {
        sasl_line(ps, line);
        return;
    }
    dispatch(ps, line, len);
}

/* ---- the connection ------------------------------------------------------------------ */

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    session_line(ctx, line, len);
}

static void on_closed(void *ctx, TextConn *t)
{
    (void)t;
    Pop3Session *ps = ctx;
    if (ps->holding)
        return;
    Trace *tr = &ps->srv->sim->trace;
    size_t marked = 0;
    for (size_t i = 0; i < ps->n; i++)
        marked += ps->deleted[i];
    if (marked && trace_wanted(tr))
        trace_note(tr, ps->srv->sim->now, 0,
                   "The client closed the connection without QUIT: %s never enters the UPDATE "
                   "state, so the %zu message%s marked for deletion stay%s in the mailbox.",
                   ps->srv->host, marked, marked == 1 ? "" : "s", marked == 1 ? "s" : "");
    session_end(ps);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    Pop3Session *ps = ctx;
    ps->closed = true;
    session_unlink(ps);
    session_free(ps);
}

static const TextConnOps session_ops = {NULL, on_line, on_closed, on_ended};

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Pop3Session *ps = ctx;
    ps->idle = 0;
    reply(ps, "-ERR Disconnected for inactivity.",
          cap(ps, "has waited too long for a command and hangs up; nothing marked is removed."));
    session_end(ps);
}

void pop3_session_accept(MailServer *s, TcpConn *c)
{
    Pop3Session *ps = xcalloc(1, sizeof *ps);
    ps->srv = s;
    TcpInfo info;
    tcp_info(c, &info);
    ps->client_ip = info.remote_ip;
    ps->t = textconn_new(c, &session_ops, ps);
    ps->next = s->access->pop3_sessions;
    s->access->pop3_sessions = ps;
    ps->idle = sim_after_background(s->sim, LOGIN_IDLE_TIMEOUT, idle_timeout, ps, 0);
    reply(ps, "+OK Dovecot (Debian) ready.",
          cap(ps, "greets the POP3 client (+OK): the AUTHORIZATION state, waiting for USER "
                  "and PASS."));
}

void pop3_sessions_free(MailServer *s)
{
    while (s->access->pop3_sessions) {
        Pop3Session *ps = s->access->pop3_sessions;
        s->access->pop3_sessions = ps->next;
        textconn_free(ps->t);
        session_free(ps);
    }
}
