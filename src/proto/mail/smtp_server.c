/* smtp_server — one SMTP session, as Postfix 3.7's smtpd answers it with
 * the configuration of issue 14: the replies, their enhanced codes and
 * texts are Postfix's (checked against the real one), including the
 * errors a student provokes by typing.
 *
 * Postfix's error discipline is kept: an error counts once its reply is
 * out; every reply given with 10 or more errors counted
 * (smtpd_soft_error_limit) waits 1 s first (smtpd_error_sleep_time), so
 * the 10th error's reply is at once and the 11th reply waits; once 20
 * errors are counted (smtpd_hard_error_limit), "421 4.7.0 HOST Error: too
 * many errors" follows the 20th error's reply without waiting for another
 * command (after its own 1 s), and the connection is closed.  A message accepted resets the count.
 * Lines that arrive while a reply waits are kept and answered in order, so pipelined commands get
 * their replies in order.
 *
 * Limits: no TLS (STARTTLS is "not implemented", as with no certificate);
 * BDAT counts the chunk in lines as they arrive (CRLF each), which is
 * exact for what telnet, swaks and Postfix's client send; ETRN has no
 * fast-flush domains ("service unavailable", as Postfix says then). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/ipv4.h"
#include "proto/mail/mail_int.h"
#include "proto/mail/smtp_cmd.h"

#define AUTH_FAILURE_DELAY (2 * (SimTime)1000000)

typedef enum AuthStep { AUTH_NONE, AUTH_PLAIN_WAIT, AUTH_LOGIN_USER, AUTH_LOGIN_PASS } AuthStep;

struct SmtpSession {
    SmtpSession *next, *prev;
    MailServer *srv;
    TextConn *t;
    uint32_t client_ip;
    bool submission;
    char client[64]; /* "mail.crepes.fr" or "unknown" (no PTR) */
    char helo[256];
    bool esmtp, said_helo;
    bool authed;
    char user[64];
    AuthStep auth;
    char login_user[256];
    bool mail;
    char from[SMTP_ADDR_MAX];
    char **rcpts;
    size_t n_rcpts;
    bool data;
    long bdat_left; /* BDAT: bytes still to come; -1 none */
    bool bdat_last;
    Buf body;
    bool too_big;
    int errors;
    /* Replies held back by the error sleep, and lines that came meanwhile. */
    bool holding;
    EvHandle hold_timer;
    char *held_reply, *held_caption;
    bool held_close;
    char **pending;
    size_t n_pending, cap_pending;
    bool draining; /* run_pending is answering them: session_end leaves the freeing to it */
    EvHandle idle;
    SimTime last; /* the last line's time: the idle timer counts from it */
    bool closed;
};

static void session_line(SmtpSession *ss, const char *line, size_t len);
static char *cap(SmtpSession *ss, const char *fmt, ...) MN_PRINTF(2, 3);

/* ---- replies ---------------------------------------------------------------- */

static void session_unlink(SmtpSession *ss)
{
    if (ss->prev)
        ss->prev->next = ss->next;
    else if (ss->srv->sessions == ss)
        ss->srv->sessions = ss->next;
    if (ss->next)
        ss->next->prev = ss->prev;
    ss->next = ss->prev = NULL;
}

static void session_free(SmtpSession *ss)
{
    Sim *sim = ss->srv->sim;
    if (ss->holding)
        sim_cancel(sim, ss->hold_timer);
    sim_cancel(sim, ss->idle);
    for (size_t i = 0; i < ss->n_rcpts; i++)
        free(ss->rcpts[i]);
    free(ss->rcpts);
    for (size_t i = 0; i < ss->n_pending; i++)
        free(ss->pending[i]);
    free(ss->pending);
    free(ss->held_reply);
    free(ss->held_caption);
    buf_fini(&ss->body);
    free(ss);
}

static void session_end(SmtpSession *ss)
{
    ss->closed = true;
    session_unlink(ss);
    textconn_close(ss->t);
    if (!ss->draining)
        session_free(ss);
}

static void send_now(SmtpSession *ss, const char *reply, const char *caption, bool close)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, reply);
    buf_puts(&b, "\r\n");
    textconn_send_raw(ss->t, b.data, b.len, caption);
    buf_fini(&b);
    if (close)
        session_end(ss);
}

static void hold_done(Sim *sim, void *ctx, uint64_t arg);

/* Sends reply (lines joined by "\r\n", without the last CRLF) with its
 * caption; after the soft error limit, 1 s later. */
static void reply_after(SmtpSession *ss, const char *reply, const char *caption, bool close,
                        SimTime delay)
{
    Trace *tr = &ss->srv->sim->trace;
    char *cap = caption && trace_wanted(tr) ? xstrdup(caption) : NULL;
    if (ss->errors >= SMTPD_SOFT_ERRORS)
        delay += SMTPD_ERROR_SLEEP;
    if (delay > 0) {
        ss->holding = true;
        ss->held_reply = xstrdup(reply);
        ss->held_caption = cap;
        ss->held_close = close;
        ss->hold_timer = sim_after(ss->srv->sim, delay, hold_done, ss, 0);
        return;
    }
    send_now(ss, reply, cap, close);
    free(cap);
}

static void reply_full(SmtpSession *ss, const char *reply, const char *caption, bool close)
{
    reply_after(ss, reply, caption, close, 0);
}

static void reply(SmtpSession *ss, const char *text, const char *caption)
{
    reply_full(ss, text, caption, false);
}

/* Postfix checks its hard error limit before it reads each command: once
 * the count reaches it, the 421 goes out (and the connection closes) as
 * soon as the last reply is out.  True if it did. */
static bool hard_limit(SmtpSession *ss)
{
    if (ss->errors < SMTPD_HARD_ERRORS || ss->holding || ss->closed)
        return false;
    char r[300];
    snprintf(r, sizeof r, "421 4.7.0 %s Error: too many errors", ss->srv->host);
    char *c = cap(ss, "has had %d errors from this client and hangs up (421).", ss->errors);
    reply_full(ss, r, c, true);
    free(c);
    return true;
}

/* An error counts after its reply (which waits only for the errors before
 * it). */
static void count_error(SmtpSession *ss)
{
    ss->errors++;
    hard_limit(ss);
}

static void error_reply(SmtpSession *ss, const char *text, const char *caption)
{
    reply(ss, text, caption);
    count_error(ss);
}

/* Answers the commands that came during a pause; one of them may end the
 * session, which is freed only after the loop. */
static void run_pending(SmtpSession *ss)
{
    ss->draining = true;
    while (!ss->holding && !ss->closed && ss->n_pending) {
        char *line = ss->pending[0];
        memmove(ss->pending, ss->pending + 1, --ss->n_pending * sizeof *ss->pending);
        session_line(ss, line, strlen(line));
        free(line);
    }
    ss->draining = false;
    if (ss->closed)
        session_free(ss);
}

static void hold_done(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    SmtpSession *ss = ctx;
    ss->holding = false;
    char *r = ss->held_reply, *c = ss->held_caption;
    bool close = ss->held_close;
    ss->held_reply = ss->held_caption = NULL;
    send_now(ss, r, c, close);
    free(r);
    free(c);
    if (!close && !hard_limit(ss))
        run_pending(ss);
}

/* ---- captions ---------------------------------------------------------------- */

static char *cap(SmtpSession *ss, const char *fmt, ...)
{
    if (!trace_wanted(&ss->srv->sim->trace))
        return NULL;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s ", ss->srv->host);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

static void reply_cap(SmtpSession *ss, bool error, const char *text, char *caption)
{
    if (error)
        error_reply(ss, text, caption);
    else
        reply(ss, text, caption);
    free(caption);
}

/* ---- the transaction ---------------------------------------------------------- */

static void reset_mail(SmtpSession *ss)
{
    ss->mail = false;
    ss->from[0] = '\0';
    for (size_t i = 0; i < ss->n_rcpts; i++)
        free(ss->rcpts[i]);
    ss->n_rcpts = 0;
    ss->data = false;
    ss->bdat_left = -1;
    ss->bdat_last = false;
    buf_clear(&ss->body);
    ss->too_big = false;
}

static void cmd_helo(SmtpSession *ss, SmtpVerb v, const char *args)
{
    const char *name = smtp_verb_name(v);
    if (!*args) {
        char r[64];
        snprintf(r, sizeof r, "501 Syntax: %s hostname", name);
        reply_cap(ss, true, r,
                  cap(ss, "answers 501: %s needs the client's name, as in \"%s crepes.fr\".", name,
                      name));
        return;
    }
    snprintf(ss->helo, sizeof ss->helo, "%.*s", (int)strcspn(args, " \t"), args);
    ss->said_helo = true;
    ss->esmtp = v == SMTP_EHLO;
    reset_mail(ss); /* a HELO/EHLO resets the transaction, as RSET does */
    if (v == SMTP_HELO) {
        char r[300];
        snprintf(r, sizeof r, "250 %s", ss->srv->host);
        reply_cap(ss, false, r,
                  cap(ss, "answers HELO with its own name (250): %s may now send mail.", ss->helo));
        return;
    }
    Buf b;
    buf_init(&b);
    buf_printf(&b, "250-%s\r\n250-PIPELINING\r\n250-SIZE %d\r\n250-VRFY\r\n250-ETRN\r\n",
               ss->srv->host, MAIL_SIZE_LIMIT);
    if (ss->submission)
        buf_puts(&b, "250-AUTH PLAIN LOGIN\r\n");
    buf_puts(&b, "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
                 "250 CHUNKING");
    char *c = cap(ss,
                  "answers EHLO with its name and the extensions it offers (250-…): pipelining, "
                  "a %d-byte size limit, VRFY, ETRN, enhanced status codes, 8-bit bodies, "
                  "delivery status notifications, UTF-8 addresses, BDAT%s.",
                  MAIL_SIZE_LIMIT, ss->submission ? ", and AUTH PLAIN LOGIN for a password" : "");
    reply(ss, b.data, c);
    free(c);
    buf_fini(&b);
}

/* Checks the ESMTP parameters of MAIL (mail true) or RCPT; replies and
 * returns false on a bad one. */
static bool check_params(SmtpSession *ss, const char *params, bool mail)
{
    char kw[32], val[128];
    for (;;) {
        while (*params == ' ' || *params == '\t')
            params++;
        const char *token = params;
        if (!smtp_cmd_param(&params, kw, sizeof kw, val, sizeof val))
            break;
        if (mail && strcmp(kw, "SIZE") == 0) {
            char *end;
            if (!*val || !isdigit((unsigned char)val[0]) ||
                (strtoul(val, &end, 10), *end != '\0')) {
                reply_cap(ss, true, "501 5.5.4 Bad message size syntax",
                          cap(ss, "answers 501: SIZE= needs a number of bytes."));
                return false;
            }
            if (strtod(val, NULL) > MAIL_SIZE_LIMIT) {
                reply_cap(ss, true, "552 5.3.4 Message size exceeds fixed limit",
                          cap(ss,
                              "refuses the message before it is sent: %s bytes is more than "
                              "its limit of %d (552, 5.3.4).",
                              val, MAIL_SIZE_LIMIT));
                return false;
            }
            continue;
        }
        bool body = strcasecmp(val, "7BIT") == 0 || strcasecmp(val, "8BITMIME") == 0;
        bool ok = mail ? (strcmp(kw, "BODY") == 0 && body) || strcmp(kw, "RET") == 0 ||
                             strcmp(kw, "ENVID") == 0 || strcmp(kw, "SMTPUTF8") == 0 ||
                             strcmp(kw, "AUTH") == 0
                       : strcmp(kw, "NOTIFY") == 0 || strcmp(kw, "ORCPT") == 0;
        if (!ok) {
            char r[220];
            snprintf(r, sizeof r, "555 5.5.4 Unsupported option: %.*s",
                     (int)((params - token) < 180 ? params - token : 180), token);
            reply_cap(ss, true, r, cap(ss, "answers 555: it does not know that option."));
            return false;
        }
    }
    return true;
}

static void cmd_mail(SmtpSession *ss, const char *args)
{
    if (ss->mail) {
        reply_cap(ss, true, "503 5.5.1 Error: nested MAIL command",
                  cap(ss, "answers 503: a MAIL FROM is already under way (RSET starts over)."));
        return;
    }
    const char *params;
    char addr[SMTP_ADDR_MAX];
    SmtpPathErr e = smtp_cmd_path(args, "FROM", addr, &params);
    if (e == SMTP_PATH_NO_KEYWORD) {
        reply_cap(ss, true, "501 5.5.4 Syntax: MAIL FROM:<address>",
                  cap(ss, "answers 501: the sender must be written MAIL FROM:<address>."));
        return;
    }
    if (e == SMTP_PATH_BAD) {
        reply_cap(ss, true, "501 5.1.7 Bad sender address syntax",
                  cap(ss, "answers 501: that is not an address it can read (5.1.7)."));
        return;
    }
    if (!check_params(ss, params, true))
        return;
    ss->mail = true;
    snprintf(ss->from, sizeof ss->from, "%s", addr);
    reply_cap(ss, false, "250 2.1.0 Ok",
              cap(ss, "accepts the sender %s (250 2.1.0): bounces would go back there.",
                  *addr ? addr : "<> (the null sender of a bounce)"));
}

/* The RCPT's verdict on addr: 0 accepted, else replied. */
static bool rcpt_ok(SmtpSession *ss, const char *addr, char *why, size_t why_size)
{
    char local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
    smtp_addr_split(addr, local, sizeof local, domain, sizeof domain);
    MailServer *s = ss->srv;
    bool local_dom = !*domain || mail_local_domain(s, domain);
    char r[SMTP_ADDR_MAX + 120];
    if (ss->submission && !ss->authed) {
        snprintf(r, sizeof r, "554 5.7.1 <%s>: Recipient address rejected: Access denied", addr);
        reply_cap(ss, true, r,
                  cap(ss,
                      "refuses %s: on the submission port (587) only a client that has logged "
                      "in with AUTH may send (554, 5.7.1).",
                      addr));
        return false;
    }
    if (!local_dom && !ss->authed && !mail_conf_relay_ok(s->sim->world, s->node, ss->client_ip)) {
        snprintf(r, sizeof r, "454 4.7.1 <%s>: Relay access denied", addr);
        char ip[16];
        ip_format(ss->client_ip, ip);
        reply_cap(ss, true, r,
                  cap(ss,
                      "refuses to relay to %s: that domain is not its own, and the client %s is "
                      "neither in its relay_from (Postfix's mynetworks) nor logged in (454, "
                      "4.7.1). Otherwise anyone could send spam through it.",
                      addr, ip));
        return false;
    }
    if (local_dom) {
        const char *remote = NULL;
        if (!mail_local_target(s, local, &remote) && !remote) {
            snprintf(r, sizeof r,
                     "550 5.1.1 <%s>: Recipient address rejected: User unknown in local "
                     "recipient table",
                     addr);
            reply_cap(ss, true, r,
                      cap(ss,
                          "refuses %s: it has no user or alias called %s (550: a permanent "
                          "failure; 5.1.1: bad destination mailbox).",
                          addr, local));
            return false;
        }
        snprintf(why, why_size, "a mailbox of its own");
    } else {
        snprintf(why, why_size, "%s",
                 ss->authed ? "it will relay for a logged-in user"
                            : "it will relay for a client in relay_from");
    }
    return true;
}

static void cmd_rcpt(SmtpSession *ss, const char *args)
{
    if (!ss->mail) {
        reply_cap(ss, true, "503 5.5.1 Error: need MAIL command",
                  cap(ss, "answers 503: the commands came in the wrong order: MAIL FROM must "
                          "come before RCPT TO."));
        return;
    }
    const char *params;
    char addr[SMTP_ADDR_MAX];
    SmtpPathErr e = smtp_cmd_path(args, "TO", addr, &params);
    if (e == SMTP_PATH_NO_KEYWORD) {
        reply_cap(ss, true, "501 5.5.4 Syntax: RCPT TO:<address>",
                  cap(ss, "answers 501: the recipient must be written RCPT TO:<address>."));
        return;
    }
    if (e == SMTP_PATH_BAD || !*addr) {
        reply_cap(ss, true, "501 5.1.3 Bad recipient address syntax",
                  cap(ss, "answers 501: that is not an address it can read (5.1.3)."));
        return;
    }
    if (!check_params(ss, params, false))
        return;
    char why[80];
    if (!rcpt_ok(ss, addr, why, sizeof why))
        return;
    ss->rcpts = xrealloc(ss->rcpts, (ss->n_rcpts + 1) * sizeof *ss->rcpts);
    ss->rcpts[ss->n_rcpts++] = xstrdup(addr);
    reply_cap(ss, false, "250 2.1.5 Ok",
              cap(ss, "accepts the recipient %s (250 2.1.5): %s.", addr, why));
}

static void cmd_data(SmtpSession *ss, const char *args)
{
    if (*args) {
        reply_cap(ss, true, "501 5.5.4 Syntax: DATA",
                  cap(ss, "answers 501: DATA takes nothing after it."));
        return;
    }
    if (!ss->mail) {
        reply_cap(ss, true, "503 5.5.1 Error: need RCPT command",
                  cap(ss, "answers 503: there is no mail to send yet: MAIL FROM and RCPT TO "
                          "come first."));
        return;
    }
    if (!ss->n_rcpts) {
        reply_cap(ss, true, "554 5.5.1 Error: no valid recipients",
                  cap(ss, "answers 554: no recipient was accepted, so there is nobody to send "
                          "the message to."));
        return;
    }
    ss->data = true;
    buf_clear(&ss->body);
    reply_cap(ss, false, "354 End data with <CR><LF>.<CR><LF>",
              cap(ss, "is ready for the message (354): the client sends its lines and ends them "
                      "with a line holding only a dot."));
}

static bool local_client(const SmtpSession *ss)
{
    int owner;
    return world_find_addr(ss->srv->sim->world, ss->client_ip, &owner, NULL) &&
           owner == ss->srv->node;
}

/* The message as Postfix's cleanup queues it: Received: first, a blank
 * line where the headers end without one, and for a client on the server
 * itself (local_header_rewrite_clients) the missing Message-Id, Date and
 * From. */
static char *queued_text(SmtpSession *ss, const char *qid)
{
    MailServer *s = ss->srv;
    char date[64], ip[16];
    mail_date(s->sim, s->sim->now, date, sizeof date);
    ip_format(ss->client_ip, ip);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "Received: from %s (%s [%s])\n\tby %s (Postfix) with %s id %s",
               ss->said_helo ? ss->helo : ss->client, ss->client, ip, s->host,
               ss->authed  ? "ESMTPSA"
               : ss->esmtp ? "ESMTP"
                           : "SMTP",
               qid);
    if (ss->n_rcpts == 1)
        buf_printf(&b, "\n\tfor <%s>; %s\n", ss->rcpts[0], date);
    else
        buf_printf(&b, ";\n\t%s\n", date);
    /* The header section: lines "Name: …" and their continuations. */
    const char *body = ss->body.data ? ss->body.data : "";
    const char *p = body;
    bool has_id = false, has_date = false, has_from = false;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        bool cont = (*p == ' ' || *p == '\t') && p != body;
        size_t colon = strcspn(p, ":\n");
        bool header = colon < n && colon > 0 && strcspn(p, " \t") > colon;
        if (!cont && !header)
            break;
        if (header) {
            has_id |= strncasecmp(p, "Message-Id:", 11) == 0;
            has_date |= strncasecmp(p, "Date:", 5) == 0;
            has_from |= strncasecmp(p, "From:", 5) == 0;
        }
        p += n + (eol ? 1 : 0);
    }
    buf_put(&b, body, (size_t)(p - body));
    if (local_client(ss)) {
        char stamp[32];
        mail_stamp(s->sim, s->sim->now, stamp, sizeof stamp);
        if (!has_id)
            buf_printf(&b, "Message-Id: <%s.%s@%s>\n", stamp, qid, s->host);
        if (!has_date)
            buf_printf(&b, "Date: %s\n", date);
        if (!has_from && *ss->from)
            buf_printf(&b, "From: %s\n", ss->from);
    }
    if (*p != '\n')
        buf_putc(&b, '\n');
    buf_puts(&b, p);
    return buf_take(&b);
}

static void finish_message(SmtpSession *ss)
{
    if (ss->too_big) {
        reset_mail(ss);
        reply_cap(ss, true, "552 5.3.4 Message size exceeds fixed limit",
                  cap(ss, "refuses the message: it is larger than its limit of %d bytes (552).",
                      MAIL_SIZE_LIMIT));
        return;
    }
    char qid[MAIL_QID_MAX];
    mail_new_qid(ss->srv, qid);
    char *text = queued_text(ss, qid);
    char r[64];
    snprintf(r, sizeof r, "250 2.0.0 Ok: queued as %s", qid);
    char *c = cap(ss,
                  "has the message (250): it is now in its queue as %s, and the client's job "
                  "is done.",
                  qid);
    ss->errors = 0;
    reply(ss, r, c);
    free(c);
    mail_queue_add(ss->srv, qid, ss->from, ss->rcpts, ss->n_rcpts, text);
    free(text);
    reset_mail(ss);
}

/* One line of the message (DATA), without its line end. */
static void data_line(SmtpSession *ss, const char *line, size_t len)
{
    if (len == 1 && line[0] == '.') {
        ss->data = false;
        finish_message(ss);
        return;
    }
    if (len && line[0] == '.') { /* dot-stuffing: the first dot goes */
        line++;
        len--;
    }
    if (ss->body.len + len + 1 > MAIL_SIZE_LIMIT) {
        ss->too_big = true;
        return;
    }
    buf_put(&ss->body, line, len);
    buf_putc(&ss->body, '\n');
}

static void bdat_line(SmtpSession *ss, const char *line, size_t len)
{
    size_t take = len + 2;
    if (!ss->too_big && ss->body.len + len + 1 <= MAIL_SIZE_LIMIT) {
        buf_put(&ss->body, line, len);
        buf_putc(&ss->body, '\n');
    } else {
        ss->too_big = true;
    }
    ss->bdat_left -= (long)take;
    if (ss->bdat_left > 0)
        return;
    ss->bdat_left = -1;
    if (ss->bdat_last) {
        finish_message(ss);
        return;
    }
    char r[64];
    snprintf(r, sizeof r, "250 2.0.0 Ok: %zu bytes", ss->body.len + 0);
    reply(ss, r, NULL);
}

static void cmd_bdat(SmtpSession *ss, const char *args)
{
    char *end;
    long n = strtol(args, &end, 10);
    if (!isdigit((unsigned char)*args) || n < 0) {
        reply_cap(ss, true, "501 5.5.4 Syntax: BDAT count [LAST]",
                  cap(ss, "answers 501: BDAT needs a byte count."));
        return;
    }
    while (*end == ' ')
        end++;
    bool last = strcasecmp(end, "LAST") == 0;
    if (*end && !last) {
        reply_cap(ss, true, "501 5.5.4 Syntax: BDAT count [LAST]",
                  cap(ss, "answers 501: after the count only LAST may follow."));
        return;
    }
    if (!ss->mail || !ss->n_rcpts) {
        reply_cap(ss, true,
                  ss->mail ? "554 5.5.1 Error: no valid recipients"
                           : "503 5.5.1 Error: need RCPT command",
                  cap(ss, "refuses the chunk: there is no recipient yet."));
        return;
    }
    ss->bdat_last = last;
    ss->bdat_left = n;
    if (n == 0) {
        ss->bdat_left = -1;
        if (last)
            finish_message(ss);
        else
            reply(ss, "250 2.0.0 Ok: 0 bytes", NULL);
    }
}

/* ---- AUTH (port 587) ------------------------------------------------------------ */

static void auth_check(SmtpSession *ss, const char *user, const char *password)
{
    MailServer *s = ss->srv;
    char local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
    smtp_addr_split(user, local, sizeof local, domain, sizeof domain);
    const MailUser *u = mail_conf_user(s->sim->world, s->node, local);
    ss->auth = AUTH_NONE;
    if (u && (!*domain || mail_local_domain(s, domain)) && strcmp(u->password, password) == 0) {
        ss->authed = true;
        snprintf(ss->user, sizeof ss->user, "%s", u->name);
        reply_cap(ss, false, "235 2.7.0 Authentication successful",
                  cap(ss,
                      "checks %s's password: it is right (235). The client may now send to "
                      "any address.",
                      u->name));
        return;
    }
    /* Dovecot, which checks passwords for Postfix, answers a failure after
     * 2 s (auth_failure_delay), to slow down guessing. */
    char *c = cap(ss,
                  "checks the password for %s: %s (535, 5.7.8), after a 2 s pause that slows "
                  "down anyone guessing passwords.",
                  user, u ? "it is wrong" : "there is no such user");
    reply_after(ss, "535 5.7.8 Error: authentication failed: (reason unavailable)", c, false,
                AUTH_FAILURE_DELAY);
    free(c);
    count_error(ss);
}

static void bad_base64(SmtpSession *ss, bool initial)
{
    ss->auth = AUTH_NONE;
    reply_cap(ss, true,
              initial ? "535 5.7.8 Error: authentication failed: Invalid base64 data in initial "
                        "response"
                      : "535 5.7.8 Error: authentication failed: Invalid base64 data in "
                        "continued response",
              cap(ss, "answers 535: what came is not base64, the encoding AUTH uses."));
}

static void auth_plain(SmtpSession *ss, const char *b64, bool initial)
{
    char dec[512];
    size_t n;
    if (!smtp_base64_decode(b64, dec, sizeof dec, &n)) {
        bad_base64(ss, initial);
        return;
    }
    /* authzid NUL authcid NUL password */
    const char *a = memchr(dec, '\0', n);
    const char *p = a ? memchr(a + 1, '\0', n - (size_t)(a + 1 - dec)) : NULL;
    if (!p) {
        ss->auth = AUTH_NONE;
        reply_cap(ss, true, "535 5.7.8 Error: authentication failed: authentication failure",
                  cap(ss, "cannot read the PLAIN credentials (535)."));
        return;
    }
    auth_check(ss, a + 1, p + 1);
}

static void auth_line(SmtpSession *ss, const char *line)
{
    if (strcmp(line, "*") == 0) {
        ss->auth = AUTH_NONE;
        reply_cap(ss, true, "501 5.7.0 Authentication aborted",
                  cap(ss, "answers 501: the client gave up logging in."));
        return;
    }
    if (ss->auth == AUTH_PLAIN_WAIT) {
        auth_plain(ss, line, false);
        return;
    }
    char dec[256];
    size_t n;
    if (!smtp_base64_decode(line, dec, sizeof dec, &n)) {
        bad_base64(ss, false);
        return;
    }
    if (ss->auth == AUTH_LOGIN_USER) {
        snprintf(ss->login_user, sizeof ss->login_user, "%s", dec);
        ss->auth = AUTH_LOGIN_PASS;
        reply_cap(ss, false, "334 UGFzc3dvcmQ6",
                  cap(ss, "asks for the password (334, \"Password:\" in base64)."));
        return;
    }
    auth_check(ss, ss->login_user, dec);
}

static void cmd_auth(SmtpSession *ss, const char *args)
{
    if (!ss->submission) {
        reply_cap(ss, true, "503 5.5.1 Error: authentication not enabled",
                  cap(ss, "answers 503: port 25 takes mail from other servers; logging in is "
                          "for the submission port, 587."));
        return;
    }
    if (!ss->said_helo) {
        reply_cap(ss, true, "503 5.5.1 Error: send HELO/EHLO first",
                  cap(ss, "answers 503: EHLO comes first."));
        return;
    }
    if (ss->mail) {
        reply_cap(ss, true, "503 5.5.1 Error: MAIL transaction in progress",
                  cap(ss, "answers 503: AUTH must come before MAIL FROM."));
        return;
    }
    if (ss->authed) {
        reply_cap(ss, true, "503 5.5.1 Error: already authenticated",
                  cap(ss, "answers 503: the client has already logged in."));
        return;
    }
    char mech[32];
    size_t n = strcspn(args, " ");
    snprintf(mech, sizeof mech, "%.*s", (int)(n < 31 ? n : 31), args);
    const char *initial = args[n] ? args + n + 1 : NULL;
    if (!*mech) {
        reply_cap(ss, true, "501 5.5.4 Syntax: AUTH mechanism",
                  cap(ss, "answers 501: AUTH needs a mechanism, PLAIN or LOGIN."));
        return;
    }
    if (strcasecmp(mech, "PLAIN") == 0) {
        if (initial && strcmp(initial, "=") != 0) {
            auth_plain(ss, initial, true);
            return;
        }
        ss->auth = AUTH_PLAIN_WAIT;
        reply_cap(ss, false, "334 ", cap(ss, "waits for the PLAIN credentials (334)."));
        return;
    }
    if (strcasecmp(mech, "LOGIN") == 0) {
        if (initial) {
            ss->auth = AUTH_LOGIN_USER;
            auth_line(ss, initial);
            return;
        }
        ss->auth = AUTH_LOGIN_USER;
        reply_cap(ss, false, "334 VXNlcm5hbWU6",
                  cap(ss, "asks for the user name (334, \"Username:\" in base64)."));
        return;
    }
    reply_cap(ss, true, "535 5.7.8 Error: authentication failed: Invalid authentication mechanism",
              cap(ss, "answers 535: it offers only PLAIN and LOGIN."));
}

/* ---- commands ----------------------------------------------------------------------- */

static void cmd_vrfy(SmtpSession *ss, const char *args)
{
    if (!*args) {
        reply_cap(ss, true, "501 5.5.4 Syntax: VRFY address [SMTPUTF8]",
                  cap(ss, "answers 501: VRFY needs an address."));
        return;
    }
    char addr[SMTP_ADDR_MAX], local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
    size_t n = strcspn(args, " ");
    const char *a = args, *e = args + n;
    if (*a == '<' && n >= 2 && e[-1] == '>') {
        a++;
        e--;
    }
    snprintf(addr, sizeof addr, "%.*s", (int)(e - a), a);
    smtp_addr_split(addr, local, sizeof local, domain, sizeof domain);
    const char *remote = NULL;
    char r[SMTP_ADDR_MAX + 100];
    if ((*domain && !mail_local_domain(ss->srv, domain)) ||
        mail_local_target(ss->srv, local, &remote) || remote) {
        snprintf(r, sizeof r, "252 2.0.0 %s", addr);
        reply_cap(ss, false, r,
                  cap(ss,
                      "answers 252: it would accept mail for %s, without promising "
                      "more.",
                      addr));
        return;
    }
    snprintf(r, sizeof r,
             "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table",
             addr);
    reply_cap(ss, true, r, cap(ss, "answers 550: it has no user called %s.", local));
}

static void dispatch(SmtpSession *ss, const char *line, size_t len)
{
    const char *args;
    SmtpVerb v = smtp_cmd_verb(line, len, &args);
    switch (v) {
    case SMTP_HELO:
    case SMTP_EHLO:
        cmd_helo(ss, v, args);
        break;
    case SMTP_MAIL:
        cmd_mail(ss, args);
        break;
    case SMTP_RCPT:
        cmd_rcpt(ss, args);
        break;
    case SMTP_DATA:
        cmd_data(ss, args);
        break;
    case SMTP_BDAT:
        cmd_bdat(ss, args);
        break;
    case SMTP_RSET:
        if (*args) {
            reply_cap(ss, true, "501 5.5.4 Syntax: RSET",
                      cap(ss, "answers 501: RSET takes nothing after it."));
            break;
        }
        reset_mail(ss);
        reply_cap(ss, false, "250 2.0.0 Ok",
                  cap(ss, "forgets the message under way (RSET): sender and recipients start "
                          "over."));
        break;
    case SMTP_NOOP:
        reply_cap(ss, false, "250 2.0.0 Ok", cap(ss, "answers NOOP: nothing to do (250)."));
        break;
    case SMTP_VRFY:
        cmd_vrfy(ss, args);
        break;
    case SMTP_QUIT: {
        char *c = cap(ss, "says goodbye (221) and closes the connection.");
        reply_full(ss, "221 2.0.0 Bye", c, true);
        free(c);
        break;
    }
    case SMTP_AUTH:
        cmd_auth(ss, args);
        break;
    case SMTP_STARTTLS:
        reply_cap(ss, true, "502 5.5.1 Error: command not implemented",
                  cap(ss, "answers 502: it has no TLS certificate, so it cannot encrypt "
                          "(that is why Wireshark can read this dialogue)."));
        break;
    case SMTP_ETRN:
        if (!*args) {
            reply_cap(ss, true, "500 Syntax: ETRN domain",
                      cap(ss, "answers 500: ETRN needs a domain."));
            break;
        }
        {
            char r[300];
            snprintf(r, sizeof r, "459 <%.250s>: service unavailable", args);
            reply_cap(ss, true, r,
                      cap(ss, "answers 459: it keeps no mail waiting for that domain."));
        }
        break;
    default:
        reply_cap(ss, true, "500 5.5.2 Error: command not recognized",
                  cap(ss, "does not know that command (500). (Postfix has no HELP.)"));
        break;
    }
}

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg);

static void session_line(SmtpSession *ss, const char *line, size_t len)
{
    if (ss->holding) {
        ss->pending = xgrow(ss->pending, &ss->cap_pending, ss->n_pending + 1, sizeof *ss->pending);
        ss->pending[ss->n_pending++] = xstrndup(line, len);
        return;
    }
    ss->last = ss->srv->sim->now; /* the idle timer re-arms itself from here */
    if (ss->data) {
        data_line(ss, line, len);
        return;
    }
    if (ss->bdat_left >= 0) {
        bdat_line(ss, line, len);
        return;
    }
    if (ss->auth != AUTH_NONE) {
        auth_line(ss, line);
        return;
    }
    dispatch(ss, line, len);
}

/* ---- the connection ---------------------------------------------------------------- */

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    session_line(ctx, line, len);
}

static void on_closed(void *ctx, TextConn *t)
{
    (void)t;
    SmtpSession *ss = ctx;
    if (ss->holding)
        return; /* the held reply still goes out */
    session_end(ss);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    SmtpSession *ss = ctx;
    ss->closed = true;
    session_unlink(ss);
    if (!ss->draining)
        session_free(ss);
}

static const TextConnOps session_ops = {NULL, on_line, on_closed, on_ended};

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    SmtpSession *ss = ctx;
    SimTime quiet = ss->srv->sim->now - ss->last;
    if (quiet < SMTPD_IDLE_TIMEOUT) {
        ss->idle =
            sim_after_background(ss->srv->sim, SMTPD_IDLE_TIMEOUT - quiet, idle_timeout, ss, 0);
        return;
    }
    char r[300];
    snprintf(r, sizeof r, "421 4.4.2 %s Error: timeout exceeded", ss->srv->host);
    char *c = cap(ss, "has waited 300 s for a command and hangs up (421).");
    ss->errors = 0;
    ss->idle = 0;
    reply_full(ss, r, c, true);
    free(c);
}

void smtp_session_accept(MailServer *s, TcpConn *c, bool submission)
{
    SmtpSession *ss = xcalloc(1, sizeof *ss);
    ss->srv = s;
    ss->submission = submission;
    ss->bdat_left = -1;
    buf_init(&ss->body);
    TcpInfo info;
    tcp_info(c, &info);
    ss->client_ip = info.remote_ip;
    snprintf(ss->client, sizeof ss->client, "%s", mail_peer_name(s, info.remote_ip));
    ss->t = textconn_new(c, &session_ops, ss);
    ss->next = s->sessions;
    if (s->sessions)
        s->sessions->prev = ss;
    s->sessions = ss;
    ss->last = s->sim->now;
    ss->idle = sim_after_background(s->sim, SMTPD_IDLE_TIMEOUT, idle_timeout, ss, 0);
    char r[300];
    snprintf(r, sizeof r, "220 %s ESMTP Postfix", s->host);
    char *cp = cap(ss,
                   "greets the client (220: ready). \"ESMTP Postfix\" names the protocol and "
                   "the software%s.",
                   submission ? "; this is the submission port, 587, where users log in" : "");
    reply(ss, r, cp);
    free(cp);
}

void smtp_sessions_free(MailServer *s)
{
    while (s->sessions) {
        SmtpSession *ss = s->sessions;
        s->sessions = ss->next;
        textconn_free(ss->t);
        session_free(ss);
    }
}
