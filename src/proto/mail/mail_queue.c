/* mail_queue — the queue of one mail server, as Postfix's qmgr, local and
 * smtp delivery agents treat it:
 *
 *  - a message comes in (incoming) and is tried at once (active): local
 *    recipients go into their mailboxes, other domains are looked up
 *    (MX through the server's DNS server, then each exchange's A; with no
 *    MX the domain's own A, RFC 5321 5.1), and the exchanges are tried in
 *    preference order with Postfix's SMTP client dialogue (EHLO, then
 *    MAIL, RCPT and DATA pipelined when the server offers PIPELINING);
 *  - a temporary failure (refused, 30 s without an answer to the SYN,
 *    DNS failure, a 4xx reply) defers the recipient: the message waits in
 *    "deferred" for its time in the queue so far, clamped between
 *    queue.retry and queue.max_retry, and is tried at the first queue scan
 *    (every queue.scan from time 0) after that;
 *  - a permanent failure (5xx, no such domain) or a message older than
 *    queue.lifetime returns the recipients to the sender in a Postfix DSN
 *    (a text part, a message/delivery-status part, the original headers),
 *    queued here like any message; nothing is returned for a bounce.
 *
 * Limits: one delivery attempt per message at a time, domains one after
 * the other; no connection cache; a 5xx to EHLO is a failure (Postfix
 * would fall back to HELO; minet's servers never refuse EHLO). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/dns/dns_conf.h"
#include "proto/dns/dns_stub.h"
#include "proto/mail/mail_int.h"
#include "proto/mail/smtp_cmd.h"

#define SECOND          ((SimTime)1000000)
#define CONNECT_TIMEOUT (30 * SECOND) /* smtp_connect_timeout */
#define MX_MAX          10

/* What became of a recipient in this attempt. */
typedef enum RcptFate { FATE_PENDING, FATE_SENT, FATE_DEFERRED, FATE_BOUNCED } RcptFate;

typedef struct Outcome {
    RcptFate fate;
    char *why;        /* the reason, Postfix's words */
    char status[8];   /* "5.1.1" */
    char *remote_mta; /* the exchange that answered, or NULL */
    char *diag;       /* "smtp; 550 …" or NULL */
} Outcome;

typedef enum ClientPhase { C_BANNER, C_EHLO, C_PIPE, C_DOT, C_QUIT } ClientPhase;

struct MailDelivery {
    MailDelivery *next, *prev;
    MailServer *s;
    MailQueued *q;
    Outcome *out; /* per recipient of q */
    size_t n_out;
    /* the domain being delivered now */
    char domain[256];
    size_t *idx; /* its recipients (indices into q->rcpts) */
    size_t n_idx;
    DnsQuery *dq;
    DnsQuery *aq;
    bool no_mx; /* falling back to the domain's A */
    char mx[MX_MAX][256];
    int n_mx, cur;
    char *last_fail; /* the last exchange's failure, for deferral */
    bool last_fail_perm;
    /* the SMTP client */
    TextConn *t;
    uint32_t addr;
    char peer[300]; /* "mail.hamburger.edu[10.2.0.25]" */
    EvHandle connect_timer;
    bool connected;
    ClientPhase phase;
    bool pipelining, dsn, size_ext;
    size_t cmd_next; /* replies awaited in the pipelined group: 0 = MAIL, 1.. = RCPT, n+1 = DATA */
    size_t n_ok;     /* recipients accepted */
    bool *accepted;
    Buf reply; /* the reply being read (multiline) */
    Buf ehlo;
};

static void attempt_next_domain(MailDelivery *d);
static void try_exchange(MailDelivery *d);

/* ---- notes ------------------------------------------------------------------ */

static void note(MailServer *s, const char *fmt, ...) MN_PRINTF(2, 3);
static void note(MailServer *s, const char *fmt, ...)
{
    Trace *tr = &s->sim->trace;
    if (!trace_wanted(tr)) {
        trace_note_skip(tr);
        return;
    }
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    trace_note(tr, s->sim->now, 0, "%s", b.data);
    buf_fini(&b);
}

static char *captionf(MailServer *s, const char *fmt, ...) MN_PRINTF(2, 3);
static char *captionf(MailServer *s, const char *fmt, ...)
{
    if (!trace_wanted(&s->sim->trace))
        return NULL;
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

static const char *wait_words(SimTime t, char *buf, size_t size)
{
    long sec = (long)(t / SECOND), min = sec / 60;
    if (min == 0)
        snprintf(buf, size, "%ld second%s", sec, sec == 1 ? "" : "s");
    else if (sec % 60 == 0)
        snprintf(buf, size, "%ld minute%s", min, min == 1 ? "" : "s");
    else
        snprintf(buf, size, "%ld minute%s %ld second%s", min, min == 1 ? "" : "s", sec % 60,
                 sec % 60 == 1 ? "" : "s");
    return buf;
}

/* ---- the queue ----------------------------------------------------------------- */

static void queued_free(MailQueued *q)
{
    for (size_t i = 0; i < q->n_rcpts; i++) {
        free(q->rcpts[i].addr);
        free(q->rcpts[i].reason);
    }
    free(q->rcpts);
    free(q->sender);
    free(q->text);
    free(q->reason);
    free(q);
}

static void queue_remove(MailServer *s, MailQueued *q)
{
    for (size_t i = 0; i < s->n_queue; i++)
        if (s->queue[i] == q) {
            memmove(s->queue + i, s->queue + i + 1, (s->n_queue - i - 1) * sizeof *s->queue);
            s->n_queue--;
            break;
        }
    mail_queue_record(s, q, "del");
    queued_free(q);
}

static void outcome_fini(Outcome *o)
{
    free(o->why);
    free(o->remote_mta);
    free(o->diag);
}

static void delivery_free(MailDelivery *d)
{
    MailServer *s = d->s;
    if (d->prev)
        d->prev->next = d->next;
    else
        s->deliveries = d->next;
    if (d->next)
        d->next->prev = d->prev;
    if (d->dq)
        dns_query_cancel(d->dq);
    if (d->aq)
        dns_query_cancel(d->aq);
    if (d->connect_timer)
        sim_cancel(s->sim, d->connect_timer);
    for (size_t i = 0; i < d->n_out; i++)
        outcome_fini(&d->out[i]);
    free(d->out);
    free(d->idx);
    free(d->accepted);
    free(d->last_fail);
    buf_fini(&d->reply);
    buf_fini(&d->ehlo);
    free(d);
}

static void set_fate(MailDelivery *d, size_t i, RcptFate fate, const char *status, const char *why,
                     const char *diag)
{
    Outcome *o = &d->out[i];
    outcome_fini(o);
    o->fate = fate;
    snprintf(o->status, sizeof o->status, "%s", status);
    o->why = xstrdup(why);
    o->remote_mta = d->t || d->connected ? xstrdup(d->mx[d->cur]) : NULL;
    o->diag = diag ? xstrdup(diag) : NULL;
}

/* ---- the DSN ------------------------------------------------------------------------ */

/* Appends text wrapped before column 79, continuation lines indented by 4,
 * as Postfix's bounce daemon wraps its lines. */
static void put_wrapped(Buf *b, const char *text)
{
    size_t col = 0, indent = 0;
    const char *p = text;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (col > indent && col + 1 + w >= 79) {
            buf_puts(b, "\n    ");
            col = indent = 4;
        } else if (col > indent) {
            buf_putc(b, ' ');
            col++;
        }
        buf_put(b, p, w);
        col += w;
        p += w;
        while (*p == ' ')
            p++;
    }
    buf_putc(b, '\n');
}

static void make_bounce(MailDelivery *d)
{
    MailServer *s = d->s;
    MailQueued *q = d->q;
    char qid[MAIL_QID_MAX], date[64], arrival[64], stamp[32];
    mail_new_qid(s, qid);
    mail_date(s->sim, s->sim->now, date, sizeof date);
    mail_date(s->sim, q->arrived, arrival, sizeof arrival);
    mail_stamp(s->sim, s->sim->now, stamp, sizeof stamp);
    char boundary[128];
    snprintf(boundary, sizeof boundary, "%s.%lld/%s", q->id,
             (long long)((s->sim->world->start_us + s->sim->now) / SECOND), s->host);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "Received: by %s (Postfix)\n\tid %s; %s\n", s->host, qid, date);
    buf_printf(&b, "Date: %s\n", date);
    buf_printf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\n",
               s->conf->n_domains ? s->conf->domains[0] : s->host); /* $myorigin */
    buf_puts(&b, "Subject: Undelivered Mail Returned to Sender\n");
    buf_printf(&b, "To: %s\n", q->sender);
    buf_puts(&b, "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n");
    buf_printf(&b,
               "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"\n",
               boundary);
    buf_puts(&b, "Content-Transfer-Encoding: 8bit\n");
    buf_printf(&b, "Message-Id: <%s.%s@%s>\n\n", stamp, qid, s->host);
    buf_puts(&b, "This is a MIME-encapsulated message.\n\n");
    /* part 1: for people */
    buf_printf(&b,
               "--%s\nContent-Description: Notification\n"
               "Content-Type: text/plain; charset=us-ascii\n\n",
               boundary);
    buf_printf(&b,
               "This is the mail system at host %s.\n\n"
               "I'm sorry to have to inform you that your message could not\n"
               "be delivered to one or more recipients. It's attached below.\n\n"
               "For further assistance, please send mail to postmaster.\n\n"
               "If you do so, please include this problem report. You can\n"
               "delete your own text from the attached returned message.\n\n"
               "                   The mail system\n\n",
               s->host);
    for (size_t i = 0; i < q->n_rcpts; i++) {
        if (d->out[i].fate != FATE_BOUNCED)
            continue;
        char line[1200];
        snprintf(line, sizeof line, "<%s>: %s", q->rcpts[i].addr, d->out[i].why);
        put_wrapped(&b, line);
    }
    /* part 2: for programs */
    buf_printf(&b,
               "\n--%s\nContent-Description: Delivery report\n"
               "Content-Type: message/delivery-status\n\n",
               boundary);
    buf_printf(&b, "Reporting-MTA: dns; %s\nX-Postfix-Queue-ID: %s\n", s->host, q->id);
    buf_printf(&b, "X-Postfix-Sender: rfc822; %s\nArrival-Date: %s\n", q->sender, arrival);
    for (size_t i = 0; i < q->n_rcpts; i++) {
        const Outcome *o = &d->out[i];
        if (o->fate != FATE_BOUNCED)
            continue;
        buf_printf(&b, "\nFinal-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\n",
                   q->rcpts[i].addr, q->rcpts[i].addr);
        buf_printf(&b, "Action: failed\nStatus: %s\n", o->status);
        if (o->remote_mta)
            buf_printf(&b, "Remote-MTA: dns; %s\n", o->remote_mta);
        char line[1200];
        snprintf(line, sizeof line, "Diagnostic-Code: %s", o->diag ? o->diag : o->why);
        if (!o->diag)
            snprintf(line, sizeof line, "Diagnostic-Code: X-Postfix; %s", o->why);
        put_wrapped(&b, line);
    }
    /* part 3: the message itself (Postfix returns it whole while it is
     * under bounce_size_limit, 50,000 bytes; beyond, its headers only) */
    bool whole = q->size <= 50000;
    buf_printf(&b,
               "\n--%s\nContent-Description: %s\nContent-Type: %s\n"
               "Content-Transfer-Encoding: 8bit\n\n",
               boundary, whole ? "Undelivered Message" : "Undelivered Message Headers",
               whole ? "message/rfc822" : "text/rfc822-headers");
    buf_printf(&b, "Return-Path: <%s>\n", q->sender);
    const char *end = whole ? NULL : strstr(q->text, "\n\n");
    buf_put(&b, q->text, end ? (size_t)(end - q->text) + 1 : strlen(q->text));
    buf_printf(&b, "\n--%s--\n", boundary);
    char *rcpt = q->sender;
    note(s,
         "%s writes a bounce (a delivery status notification) from MAILER-DAEMON to %s: the "
         "subject \"Undelivered Mail Returned to Sender\", the reason for people, the report "
         "for programs (message/delivery-status) and the message itself.",
         s->host, q->sender);
    mail_queue_add(s, qid, "", &rcpt, 1, b.data);
    buf_fini(&b);
}

/* ---- the end of an attempt ------------------------------------------------------------- */

static void schedule(MailServer *s, MailQueued *q);

static void finish_attempt(MailDelivery *d)
{
    MailServer *s = d->s;
    MailQueued *q = d->q;
    bool expired = s->sim->now - q->arrived >= s->conf->queue.lifetime;
    bool deferred = false, bounced = false;
    const char *reason = NULL;
    for (size_t i = 0; i < q->n_rcpts; i++) {
        Outcome *o = &d->out[i];
        if (o->fate == FATE_DEFERRED && expired) {
            o->fate = FATE_BOUNCED;
            o->status[0] = '4';
            char w[48];
            note(s,
                 "%s has kept the message for %s for longer than its queue lifetime (%s): it "
                 "gives up and returns it to the sender.",
                 s->host, q->rcpts[i].addr, wait_words(s->conf->queue.lifetime, w, sizeof w));
        }
        if (o->fate == FATE_SENT || o->fate == FATE_BOUNCED) {
            q->rcpts[i].done = true;
        } else if (o->fate == FATE_DEFERRED) {
            free(q->rcpts[i].reason);
            q->rcpts[i].reason = xstrdup(o->why);
            reason = q->rcpts[i].reason;
            deferred = true;
        }
        bounced |= o->fate == FATE_BOUNCED;
    }
    if (bounced && *q->sender)
        make_bounce(d);
    else if (bounced)
        note(s,
             "%s does not return a bounce that cannot be delivered: its sender is empty "
             "(<>), so no bounce loops can start.",
             s->host);
    if (!deferred) {
        note(s, "The message %s leaves %s's queue: every recipient has been dealt with.", q->id,
             s->host);
        delivery_free(d);
        queue_remove(s, q);
        return;
    }
    free(q->reason);
    q->reason = xstrdup(reason);
    delivery_free(d);
    schedule(s, q);
}

/* Postfix's backoff: wait the message's age, clamped, then the next scan. */
static void retry_due(Sim *sim, void *ctx, uint64_t arg);
static void deliver(MailServer *s, MailQueued *q);

static void schedule(MailServer *s, MailQueued *q)
{
    const MailQueueConf *c = &s->conf->queue;
    SimTime now = s->sim->now, age = now - q->arrived;
    SimTime delay = age < c->retry ? c->retry : age > c->max_retry ? c->max_retry : age;
    SimTime due = now + delay;
    SimTime next = (due + c->scan - 1) / c->scan * c->scan;
    q->queue = MAILQ_DEFERRED;
    q->next_try = next;
    mail_queue_record(s, q, "add");
    char w[48];
    note(s,
         "%s cannot deliver %s now (%s): the message stays in the deferred queue; next try in "
         "%s (its time in the queue so far, at least queue.retry and at most queue.max_retry, "
         "at the next queue scan).",
         s->host, q->id, q->reason, wait_words(next - now, w, sizeof w));
    sim_at(s->sim, next, retry_due, s, (uint64_t)(uintptr_t)q);
}

static void retry_due(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    MailServer *s = ctx;
    MailQueued *q = (MailQueued *)(uintptr_t)arg;
    for (size_t i = 0; i < s->n_queue; i++)
        if (s->queue[i] == q) {
            note(s, "%s's queue manager scans the deferred queue: %s is due, and it tries again.",
                 s->host, q->id);
            deliver(s, q);
            return;
        }
}

/* ---- the SMTP client ------------------------------------------------------------------- */

/* Ends the exchange: next exchange after a connection failure, else the
 * next domain. */
static void exchange_over(MailDelivery *d, bool try_next)
{
    if (d->connect_timer) {
        sim_cancel(d->s->sim, d->connect_timer);
        d->connect_timer = 0;
    }
    d->t = NULL;
    d->connected = false;
    if (try_next && d->cur + 1 < d->n_mx) {
        d->cur++;
        try_exchange(d);
        return;
    }
    /* Recipients of this domain still pending get the last failure. */
    for (size_t k = 0; k < d->n_idx; k++) {
        Outcome *o = &d->out[d->idx[k]];
        if (o->fate != FATE_PENDING)
            continue;
        free(o->why);
        o->fate = d->last_fail_perm ? FATE_BOUNCED : FATE_DEFERRED;
        snprintf(o->status, sizeof o->status, "%s", d->last_fail_perm ? "5.4.4" : "4.4.1");
        o->why = xstrdup(d->last_fail ? d->last_fail : "delivery temporarily suspended");
    }
    attempt_next_domain(d);
}

static void fail_all(MailDelivery *d, const char *why, bool perm)
{
    free(d->last_fail);
    d->last_fail = xstrdup(why);
    d->last_fail_perm = perm;
}

static void client_send(MailDelivery *d, const char *line, const char *caption)
{
    textconn_send(d->t, line, caption);
}

static void client_quit(MailDelivery *d)
{
    d->phase = C_QUIT;
    char *c = captionf(d->s, "%s's SMTP client says QUIT: its work on this connection is done.",
                       d->s->host);
    client_send(d, "QUIT", c);
    free(c);
}

/* A reply that failed recipient i (or all pending ones when i is -1). */
static void reply_fails(MailDelivery *d, long i, const char *text, const char *in_reply_to)
{
    char why[1200], diag[1100];
    snprintf(why, sizeof why, "host %s said: %s (in reply to %s command)", d->peer, text,
             in_reply_to);
    snprintf(diag, sizeof diag, "smtp; %s", text);
    bool perm = text[0] == '5';
    char status[8] = "";
    if (strlen(text) > 6 && text[4] >= '2' && text[4] <= '5' && text[5] == '.')
        snprintf(status, sizeof status, "%.*s", (int)strcspn(text + 4, " "), text + 4);
    else
        snprintf(status, sizeof status, "%c.0.0", text[0]);
    for (size_t k = 0; k < d->n_idx; k++) {
        size_t r = d->idx[k];
        if ((i >= 0 && (size_t)i != k) || d->out[r].fate != FATE_PENDING)
            continue;
        set_fate(d, r, perm ? FATE_BOUNCED : FATE_DEFERRED, status, why, diag);
        note(d->s, "%s: %s refuses %s (%s): %s.", d->s->host, d->mx[d->cur], d->q->rcpts[r].addr,
             text,
             perm ? "a permanent failure, so the message will be returned to its sender"
                  : "a temporary failure, so the message waits in the queue");
    }
}

static void send_body(MailDelivery *d)
{
    Buf b;
    buf_init(&b);
    for (const char *p = d->q->text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (*p == '.')
            buf_putc(&b, '.');
        buf_put(&b, p, n);
        buf_puts(&b, "\r\n");
        p += n + (eol ? 1 : 0);
    }
    buf_puts(&b, ".\r\n");
    char *c = captionf(d->s,
                       "%s's SMTP client sends the message (%zu bytes, a leading dot doubled) "
                       "and the line with only a dot that ends it.",
                       d->s->host, d->q->size);
    textconn_send_raw(d->t, b.data, b.len, c);
    free(c);
    buf_fini(&b);
    d->phase = C_DOT;
}

static void send_envelope(MailDelivery *d)
{
    MailServer *s = d->s;
    MailQueued *q = d->q;
    char line[SMTP_ADDR_MAX * 2 + 64];
    if (d->size_ext)
        snprintf(line, sizeof line, "MAIL FROM:<%s> SIZE=%zu", q->sender, q->size);
    else
        snprintf(line, sizeof line, "MAIL FROM:<%s>", q->sender);
    char *c = captionf(s,
                       "%s's SMTP client gives the envelope%s: MAIL FROM names the sender "
                       "(where bounces go), RCPT TO each recipient, then DATA.",
                       s->host, d->pipelining ? " in one go (the server offers PIPELINING)" : "");
    client_send(d, line, c);
    free(c);
    for (size_t k = 0; k < d->n_idx; k++) {
        const char *a = q->rcpts[d->idx[k]].addr;
        if (d->dsn)
            snprintf(line, sizeof line, "RCPT TO:<%s> ORCPT=rfc822;%s", a, a);
        else
            snprintf(line, sizeof line, "RCPT TO:<%s>", a);
        client_send(d, line, NULL);
    }
    client_send(d, "DATA", NULL);
    d->phase = C_PIPE;
    d->cmd_next = 0;
}

/* Did the EHLO reply offer the extension (a line "250-KEYWORD …")? */
static bool ehlo_has(const MailDelivery *d, const char *keyword)
{
    size_t n = strlen(keyword);
    for (const char *p = d->ehlo.data; p && (p = strchr(p, '\n')); p++)
        if (strlen(p + 1) >= 4 + n && strncasecmp(p + 5, keyword, n) == 0 &&
            (p[5 + n] == '\0' || p[5 + n] == ' ' || p[5 + n] == '\n'))
            return true;
    return false;
}

static void on_reply(MailDelivery *d, const char *text)
{
    MailServer *s = d->s;
    int code = atoi(text);
    switch (d->phase) {
    case C_BANNER:
        if (code != 220) {
            char why[600];
            snprintf(why, sizeof why, "host %s refused to talk to me: %s", d->peer, text);
            fail_all(d, why, code >= 500);
            client_quit(d);
            return;
        }
        {
            char line[300];
            snprintf(line, sizeof line, "EHLO %s", s->host);
            char *c = captionf(s,
                               "%s's SMTP client introduces itself with EHLO and its own name, "
                               "asking which extensions %s offers.",
                               s->host, d->mx[d->cur]);
            client_send(d, line, c);
            free(c);
            d->phase = C_EHLO;
        }
        return;
    case C_EHLO:
        if (code != 250) {
            char why[600];
            snprintf(why, sizeof why, "host %s refused to talk to me: %s", d->peer, text);
            fail_all(d, why, code >= 500);
            client_quit(d);
            return;
        }
        d->pipelining = ehlo_has(d, "PIPELINING");
        d->dsn = ehlo_has(d, "DSN");
        d->size_ext = ehlo_has(d, "SIZE");
        send_envelope(d);
        return;
    case C_PIPE: {
        size_t k = d->cmd_next++;
        if (k == 0) { /* MAIL */
            if (code / 100 != 2)
                reply_fails(d, -1, text, "MAIL FROM");
            return;
        }
        if (k <= d->n_idx) { /* RCPT */
            if (code / 100 == 2) {
                d->accepted[k - 1] = true;
                d->n_ok++;
            } else if (d->out[d->idx[k - 1]].fate == FATE_PENDING) {
                reply_fails(d, (long)(k - 1), text, "RCPT TO");
            }
            return;
        }
        /* DATA */
        if (code == 354 && d->n_ok) {
            send_body(d);
            return;
        }
        if (code / 100 != 3 && d->n_ok)
            reply_fails(d, -1, text, "DATA");
        client_quit(d);
        return;
    }
    case C_DOT:
        if (code / 100 == 2) {
            for (size_t k = 0; k < d->n_idx; k++) {
                if (!d->accepted[k])
                    continue;
                size_t r = d->idx[k];
                char why[600];
                snprintf(why, sizeof why, "%s", text);
                set_fate(d, r, FATE_SENT, "2.0.0", why, NULL);
            }
            note(s,
                 "%s has handed the message over: %s took it (%s). The lecture's step 5 "
                 "happens there: it puts the message into the mailbox.",
                 s->host, d->mx[d->cur], text);
        } else {
            reply_fails(d, -1, text, "end of DATA");
        }
        client_quit(d);
        return;
    case C_QUIT:
        textconn_close(d->t);
        exchange_over(d, false);
        return;
    }
}

static void client_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    MailDelivery *d = ctx;
    if (d->phase == C_EHLO) {
        buf_putc(&d->ehlo, '\n');
        buf_put(&d->ehlo, line, len);
    }
    if (len >= 4 && line[3] == '-')
        return; /* a multiline reply goes on */
    on_reply(d, line);
}

static void client_connected(void *ctx, TextConn *t)
{
    (void)t;
    MailDelivery *d = ctx;
    d->connected = true;
    if (d->connect_timer) {
        sim_cancel(d->s->sim, d->connect_timer);
        d->connect_timer = 0;
    }
    d->phase = C_BANNER;
}

static void client_closed(void *ctx, TextConn *t)
{
    MailDelivery *d = ctx;
    textconn_close(t);
    if (d->phase != C_QUIT) {
        char why[600];
        snprintf(why, sizeof why,
                 "lost connection with %s while receiving the initial server "
                 "greeting",
                 d->peer);
        fail_all(d, why, false);
    }
    exchange_over(d, false);
}

static void client_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    MailDelivery *d = ctx;
    const char *words = why == TCP_WHY_REFUSED        ? "Connection refused"
                        : why == TCP_WHY_TIMEOUT      ? "Connection timed out"
                        : why == TCP_WHY_NET_UNREACH  ? "Network is unreachable"
                        : why == TCP_WHY_HOST_UNREACH ? "No route to host"
                                                      : "Connection reset by peer";
    if (!d->connected) {
        char w[600];
        snprintf(w, sizeof w, "connect to %s:25: %s", d->peer, words);
        fail_all(d, w, false);
        note(d->s, "%s cannot reach %s on port 25 (%s)%s.", d->s->host, d->mx[d->cur], words,
             d->cur + 1 < d->n_mx ? ": it tries the next mail exchanger" : "");
        exchange_over(d, true);
        return;
    }
    if (d->phase != C_QUIT) {
        char w[600];
        snprintf(w, sizeof w, "lost connection with %s while sending message body", d->peer);
        fail_all(d, w, false);
    }
    exchange_over(d, false);
}

static const TextConnOps client_ops = {client_connected, client_line, client_closed, client_ended};

static void connect_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    MailDelivery *d = ctx;
    d->connect_timer = 0;
    char w[600];
    snprintf(w, sizeof w, "connect to %s:25: Connection timed out", d->peer);
    fail_all(d, w, false);
    note(d->s,
         "%s has waited 30 s for %s to answer its SYN (Postfix's smtp_connect_timeout): "
         "it gives up on that server%s.",
         d->s->host, d->mx[d->cur], d->cur + 1 < d->n_mx ? " and tries the next one" : "");
    textconn_abort(d->t);
    exchange_over(d, true);
}

static void connect_to(MailDelivery *d)
{
    MailServer *s = d->s;
    char ip[16];
    ip_format(d->addr, ip);
    snprintf(d->peer, sizeof d->peer, "%s[%s]", d->mx[d->cur], ip);
    note(s,
         "%s's SMTP client opens a TCP connection to %s (%s), port 25, to hand the message "
         "over.",
         s->host, d->mx[d->cur], ip);
    NetErr err;
    d->connected = false;
    d->t = textconn_connect(s->sim, s->node, d->addr, 25, d->mx[d->cur], &client_ops, d, &err);
    if (!d->t) {
        char w[600];
        snprintf(w, sizeof w, "connect to %s:25: No route to host", d->peer);
        fail_all(d, w, false);
        exchange_over(d, true);
        return;
    }
    d->connect_timer = sim_after(s->sim, CONNECT_TIMEOUT, connect_timeout, d, 0);
}

/* ---- DNS --------------------------------------------------------------------------- */

static void address_found(void *ctx, DnsLookupStatus st, uint32_t addr, const char *canon)
{
    (void)canon;
    MailDelivery *d = ctx;
    d->aq = NULL;
    if (st == DNS_LOOKUP_OK) {
        d->addr = addr;
        connect_to(d);
        return;
    }
    char w[600];
    bool perm = st == DNS_LOOKUP_NXDOMAIN || st == DNS_LOOKUP_NODATA;
    if (d->no_mx)
        snprintf(w, sizeof w,
                 "Host or domain name not found. Name service error for name=%s type=A: Host "
                 "not found%s",
                 d->domain, perm ? "" : ", try again");
    else
        snprintf(w, sizeof w,
                 "Host or domain name not found. Name service error for name=%s type=A: Host "
                 "not found%s",
                 d->mx[d->cur], perm ? "" : ", try again");
    fail_all(d, w, perm && (d->no_mx || d->cur + 1 >= d->n_mx));
    exchange_over(d, true);
}

static void try_exchange(MailDelivery *d)
{
    MailServer *s = d->s;
    note(s, "%s asks for the address (A record) of %s, the mail exchanger%s.", s->host,
         d->mx[d->cur], d->no_mx ? " it falls back to: the domain itself" : "");
    d->aq = dns_lookup_address(s->sim, s->node, d->mx[d->cur], address_found, d);
}

static int cmp_mx(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

static void mx_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    (void)size;
    (void)pkt;
    MailDelivery *d = ctx;
    MailServer *s = d->s;
    d->dq = NULL;
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        char w[600];
        snprintf(w, sizeof w,
                 "Host or domain name not found. Name service error for name=%s type=MX: Host "
                 "not found",
                 d->domain);
        note(s,
             "%s learns that %s does not exist (NXDOMAIN): no server can take the mail, so "
             "it will be returned.",
             s->host, d->domain);
        fail_all(d, w, true);
        d->n_mx = 0;
        exchange_over(d, false);
        return;
    }
    if (m->rcode != DNS_RCODE_NOERROR) {
        char w[600];
        snprintf(w, sizeof w,
                 "Host or domain name not found. Name service error for name=%s type=MX: Host "
                 "not found, try again",
                 d->domain);
        fail_all(d, w, false);
        exchange_over(d, false);
        return;
    }
    int order[MX_MAX][2];
    char names[MX_MAX][256];
    int n = 0;
    for (size_t i = 0; i < m->n[DNS_ANSWER] && n < MX_MAX; i++) {
        const DnsRR *rr = &m->rr[DNS_ANSWER][i];
        DnsName nm;
        if (rr->type != DNS_TYPE_MX || rr->rdlen < 3 ||
            !dns_name_from_wire(&nm, rr->rdata + 2, rr->rdlen - 2u))
            continue;
        dns_name_str(&nm, names[n], sizeof names[n]);
        size_t len = strlen(names[n]);
        if (len > 1 && names[n][len - 1] == '.')
            names[n][len - 1] = '\0';
        order[n][0] = get_be16(rr->rdata);
        order[n][1] = n;
        n++;
    }
    if (n == 0) {
        d->no_mx = true;
        d->n_mx = 1;
        snprintf(d->mx[0], sizeof d->mx[0], "%s", d->domain);
        note(s,
             "%s learns that %s has no MX record: as RFC 5321 says, it sends the mail to "
             "the domain's own address (its A record).",
             s->host, d->domain);
    } else {
        qsort(order, (size_t)n, sizeof order[0], cmp_mx);
        Buf b;
        buf_init(&b);
        for (int i = 0; i < n; i++) {
            snprintf(d->mx[i], sizeof d->mx[i], "%s", names[order[i][1]]);
            buf_printf(&b, "%s%s (preference %d)", i ? ", " : "", d->mx[i], order[i][0]);
        }
        d->n_mx = n;
        note(s, "%s learns who receives mail for %s: %s.%s", s->host, d->domain, b.data,
             n > 1 ? " It tries them in order, lowest preference first." : "");
        buf_fini(&b);
    }
    d->cur = 0;
    try_exchange(d);
}

static void mx_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)why;
    (void)try_no;
    MailDelivery *d = ctx;
    if (!last)
        return;
    d->dq = NULL;
    char w[600];
    snprintf(w, sizeof w,
             "Host or domain name not found. Name service error for name=%s type=MX: Host not "
             "found, try again",
             d->domain);
    fail_all(d, w, false);
    exchange_over(d, false);
}

static void start_domain(MailDelivery *d)
{
    MailServer *s = d->s;
    const DnsNodeConf *dc = dns_conf_node(s->sim->world, s->node);
    d->no_mx = false;
    d->n_mx = 0;
    d->cur = 0;
    free(d->last_fail);
    d->last_fail = NULL;
    d->last_fail_perm = false;
    note(s,
         "%s must deliver to %s%s: it asks its DNS server which machine receives mail for %s "
         "(MX).",
         s->host, d->q->rcpts[d->idx[0]].addr, d->n_idx > 1 ? " and others there" : "", d->domain);
    DnsName name, root;
    const char *why;
    dns_name_root(&root);
    bool ok = dns_name_from_text(&name, d->domain, strlen(d->domain), &root, &why);
    DnsQueryOpts o = {.rd = true, .timeout = 5 * SECOND, .tries = 2, .program = "Postfix"};
    DnsQueryOps ops = {.reply = mx_reply, .timeout = mx_timeout};
    d->dq = ok && dc->has_dns
                ? dns_query_start(s->sim, s->node, dc->dns, &name, DNS_TYPE_MX, &o, ops, d)
                : NULL;
    if (!d->dq) {
        char w[600];
        snprintf(w, sizeof w,
                 "Host or domain name not found. Name service error for name=%s type=MX: Host "
                 "not found, try again",
                 d->domain);
        fail_all(d, w, !ok);
        exchange_over(d, false);
    }
}

/* Picks the next domain with recipients still pending, or ends. */
static void attempt_next_domain(MailDelivery *d)
{
    MailQueued *q = d->q;
    d->n_idx = 0;
    d->domain[0] = '\0';
    for (size_t i = 0; i < q->n_rcpts; i++) {
        if (q->rcpts[i].done || d->out[i].fate != FATE_PENDING)
            continue;
        char local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
        smtp_addr_split(q->rcpts[i].addr, local, sizeof local, domain, sizeof domain);
        if (!d->domain[0])
            snprintf(d->domain, sizeof d->domain, "%s", domain);
        if (strcasecmp(domain, d->domain) == 0)
            d->idx[d->n_idx++] = i;
    }
    if (!d->n_idx) {
        finish_attempt(d);
        return;
    }
    free(d->accepted);
    d->accepted = xcalloc(d->n_idx, sizeof *d->accepted);
    d->n_ok = 0;
    start_domain(d);
}

/* ---- local delivery -------------------------------------------------------------- */

static void deliver_locals(MailDelivery *d)
{
    MailServer *s = d->s;
    MailQueued *q = d->q;
    for (size_t i = 0; i < q->n_rcpts; i++) {
        if (q->rcpts[i].done)
            continue;
        char local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
        smtp_addr_split(q->rcpts[i].addr, local, sizeof local, domain, sizeof domain);
        if (*domain && !mail_local_domain(s, domain))
            continue;
        const char *remote = NULL;
        const char *user = mail_local_target(s, local, &remote);
        if (remote) { /* an alias to an address elsewhere: deliver there */
            note(s, "%s: the alias %s forwards to %s.", s->host, local, remote);
            free(q->rcpts[i].addr);
            q->rcpts[i].addr = xstrdup(remote);
            continue;
        }
        if (!user) {
            char why[300];
            snprintf(why, sizeof why, "unknown user: \"%s\"", local);
            set_fate(d, i, FATE_BOUNCED, "5.1.1", why, NULL);
            continue;
        }
        const char *dom = *domain ? domain : s->conf->n_domains ? s->conf->domains[0] : s->host;
        Buf t;
        buf_init(&t);
        buf_printf(&t, "Return-Path: <%s>\nX-Original-To: %s\nDelivered-To: %s@%s\n", q->sender,
                   *domain ? q->rcpts[i].addr : local, user, dom);
        buf_puts(&t, q->text);
        char why[300] = "";
        if (strcasecmp(user, local) != 0)
            snprintf(why, sizeof why, " (%s is an alias of %s)", local, user);
        mail_deliver_local(s, user, t.data, why);
        buf_fini(&t);
        set_fate(d, i, FATE_SENT, "2.0.0", "delivered to mailbox", NULL);
    }
}

static void deliver(MailServer *s, MailQueued *q)
{
    q->queue = MAILQ_ACTIVE;
    mail_queue_record(s, q, "add");
    MailDelivery *d = xcalloc(1, sizeof *d);
    d->s = s;
    d->q = q;
    d->out = xcalloc(q->n_rcpts ? q->n_rcpts : 1, sizeof *d->out);
    d->n_out = q->n_rcpts;
    d->idx = xcalloc(q->n_rcpts, sizeof *d->idx);
    buf_init(&d->reply);
    buf_init(&d->ehlo);
    d->next = s->deliveries;
    if (s->deliveries)
        s->deliveries->prev = d;
    s->deliveries = d;
    deliver_locals(d);
    attempt_next_domain(d);
}

static void deliver_new(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    MailServer *s = ctx;
    MailQueued *q = (MailQueued *)(uintptr_t)arg;
    note(s,
         "%s's queue manager moves %s from the incoming queue to the active queue and "
         "delivers it.",
         s->host, q->id);
    deliver(s, q);
}

void mail_queue_add(MailServer *s, const char *qid, const char *sender, char *const *rcpts,
                    size_t n_rcpts, const char *text)
{
    MailQueued *q = xcalloc(1, sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", qid);
    q->sender = xstrdup(sender);
    q->rcpts = xcalloc(n_rcpts ? n_rcpts : 1, sizeof *q->rcpts);
    q->n_rcpts = n_rcpts;
    for (size_t i = 0; i < n_rcpts; i++)
        q->rcpts[i].addr = xstrdup(rcpts[i]);
    q->text = xstrdup(text);
    /* Postfix counts a message's size with CRLF line ends (SIZE=, mailq) */
    q->size = 0;
    for (const char *p = text; *p; p++)
        q->size += *p == '\n' ? 2 : 1;
    q->arrived = s->sim->now;
    q->queue = MAILQ_INCOMING;
    s->queue = xgrow(s->queue, &s->cap_queue, s->n_queue + 1, sizeof *s->queue);
    s->queue[s->n_queue++] = q;
    mail_queue_record(s, q, "add");
    /* qmgr picks new mail up at once; a millisecond keeps the 250 first. */
    sim_after(s->sim, 1000, deliver_new, s, (uint64_t)(uintptr_t)q);
}

void mail_queue_free(MailServer *s)
{
    while (s->deliveries) {
        MailDelivery *d = s->deliveries;
        if (d->t)
            textconn_free(d->t);
        d->t = NULL;
        delivery_free(d);
    }
    for (size_t i = 0; i < s->n_queue; i++)
        queued_free(s->queue[i]);
    free(s->queue);
    s->queue = NULL;
    s->n_queue = 0;
}
