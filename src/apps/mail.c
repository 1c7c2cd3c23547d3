/* mail — Debian 12's s-nail 14.9.24 as `mail -s SUBJECT ADDRESS…` (and
 * -v, -vv), sending through the host's mail account (scenario key "mail"),
 * as s-nail does with Debian's /etc/s-nail.rc and a ~/.mailrc of
 *     set v15-compat
 *     set from=ADDRESS
 *     set mta=smtp://USER:PASSWORD@SERVER:587
 *     set smtp-auth=plain
 * (USER: the address's local part), in a terminal.
 *
 * What the terminal shows, as with the real one: the composed headers
 * ("To: a, b", "Subject: …", an empty line); the body as it is typed; at
 * ^D, "^D" (s-nail's line editor shows it), the envelope and Debian's
 * asksend question, "Send this message [yes/no, empty: recompose]? ".
 * "yes" sends and prints nothing more on success; "no" drops the message
 * ("s-nail: Failed to prepare composed message", status 1); an empty
 * answer goes back to the body ("(continue)").  The message goes to the
 * account's server, port 587: EHLO with the host's name, AUTH PLAIN, MAIL
 * FROM, RCPT TO, DATA with Date, From, To, Subject, Message-ID
 * (<YYYYMMDDHHMMSS.XXXXX%ADDRESS>), User-Agent, the body, QUIT.  A refusal
 * closes the connection without QUIT and prints "s-nail: SMTP server:
 * REPLY", the message kept in ~/dead.letter
 * ("/home/USER/dead.letter L/B") and "s-nail: ... message not sent" (status
 * 4).  -vv prints s-nail's account of itself: the files it loads and their
 * commands, and the dialogue as `>>> ` and `>>> SERVER: ` lines.
 *
 * Reading mail (`mail` alone, `mail -f pop3://…` or `imap://…`) is
 * mail_read.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/apps.h"
#include "apps/mail_read.h"
#include "core/rng.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/mail/mail_conf.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define SUBMISSION_PORT 587

/* Debian 12's /etc/s-nail.rc, its commands as -vv lists them. */
static const char *const debian_rc[] = {
    "<set> autocollapse",
    "<set> append",
    "<set> asksend",
    "<set> crt",
    "<set> editheaders",
    "<set> emptystart",
    "<set> fullnames",
    "<set> history-gabby=all history-gabby-persist",
    "<set> hold",
    "<set> indentprefix=\"> \"",
    "<set> followup-to-honour=ask-yes",
    "<set> markanswered",
    "<set> mime-counter-evidence=0b1111",
    "<set> keep",
    "<set> keepsave",
    "<set> quote",
    "<set> recipients-in-cc",
    "<set> reply-to-honour=ask-yes",
    "<set> sendcharsets=utf-8,iso-8859-1",
    "<set> showname",
    "<set> showto",
    "<retain> date sender from to cc subject message-id mail-followup-to reply-to",
};

enum Step { ST_BANNER, ST_EHLO, ST_AUTH, ST_AUTH_DATA, ST_MAIL, ST_RCPT, ST_DATA, ST_DOT, ST_QUIT };

typedef struct Mail {
    Proc *p;
    int verbose;
    char *subject;
    char **to;
    size_t n_to, rcpt_at;
    Buf body;
    bool asking; /* at the asksend question */
    const MailAccount *acct;
    char *user, *host;
    Resolve *lookup;
    bool resolving, answered;
    ResolveStatus res_st;
    uint32_t res_ip;
    TextConn *conn;
    enum Step step;
    char *error;       /* the refusal, to report once QUIT is answered */
    char msgid_rnd[6]; /* the Message-ID's random part, drawn once */
    SimTime composed;  /* when the message was sent (its Date) */
} Mail;

static void mail_free(void *state)
{
    Mail *m = state;
    resolve_cancel(m->lookup);
    if (m->conn)
        textconn_abort(m->conn);
    free(m->subject);
    for (size_t i = 0; i < m->n_to; i++)
        free(m->to[i]);
    free(m->to);
    buf_fini(&m->body);
    free(m->user);
    free(m->host);
    free(m->error);
    free(m);
}

static void vv(Mail *m, const char *fmt, ...) MN_PRINTF(2, 3);

/* The message's date: when it was sent. */
static void wall(Mail *m, struct tm *tm)
{
    const World *w = m->p->sim->world;
    time_t when = (time_t)(((w ? w->start_us : 0) + m->composed) / 1000000);
    gmtime_r(&when, tm);
}

static void vv(Mail *m, const char *fmt, ...)
{
    if (m->verbose < 2)
        return;
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    proc_printf(m->p, CON_STDERR, "s-nail: %s\n", line);
}

static const char *home_user(Mail *m)
{
    return m->p->sim->world ? vfs_user(m->p->sim->world, m->p->node) : "student";
}

static void send_line(Mail *m, enum Step step, const char *line)
{
    m->step = step;
    vv(m, ">>> %s", line);
    char cap[1300];
    snprintf(cap, sizeof cap, "mail (s-nail) sends %s", line);
    textconn_send(m->conn, line, cap);
}

static void b64(const unsigned char *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = '\0';
}

static void to_line(Mail *m, Buf *b)
{
    buf_puts(b, "To: ");
    for (size_t i = 0; i < m->n_to; i++) {
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, m->to[i]);
    }
}

/* The message's text as s-nail prepares it: its headers, an empty line,
 * the body (lines ending in LF). */
static void message_text(Mail *m, Buf *h)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    wall(m, &tm);
    buf_printf(h, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_printf(h, "From: %s\n", m->acct->address);
    to_line(m, h);
    buf_printf(h, "\nSubject: %s\n", m->subject);
    buf_printf(h, "Message-ID: <%04d%02d%02d%02d%02d%02d.%s%%%s>\n", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, m->msgid_rnd,
               m->acct->address);
    buf_puts(h, "User-Agent: s-nail v14.9.24\n\n");
    buf_put(h, m->body.data ? m->body.data : "", m->body.len);
}

/* The message on the wire: each line ending in CR LF, dots doubled, the
 * final dot. */
static void send_message(Mail *m)
{
    Buf h;
    buf_init(&h);
    message_text(m, &h);
    Buf out;
    buf_init(&out);
    const char *t = h.data;
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t l = nl ? (size_t)(nl - t) : strlen(t);
        vv(m, ">>> %.*s", (int)l, t);
        if (l && t[0] == '.')
            buf_putc(&out, '.');
        buf_put(&out, t, l);
        buf_puts(&out, "\r\n");
        t += l + (nl ? 1 : 0);
    }
    vv(m, ">>> .");
    buf_puts(&out, ".\r\n");
    textconn_send_raw(m->conn, out.data, out.len, "mail (s-nail) sends the message");
    buf_fini(&out);
    buf_fini(&h);
    m->step = ST_DOT;
}

/* The message goes to ~/dead.letter (replacing it), as an mbox message:
 * "PATH LINES/BYTES". */
static void dead_letter(Mail *m)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    wall(m, &tm);
    Buf d;
    buf_init(&d);
    buf_printf(&d, "From %s %s %s %2d %02d:%02d:%02d %04d\n", home_user(m), days[tm.tm_wday],
               months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    message_text(m, &d);
    buf_puts(&d, "\n");
    size_t lines = 0;
    for (size_t i = 0; i < d.len; i++)
        lines += d.data[i] == '\n';
    char path[300];
    snprintf(path, sizeof path, "/home/%s/dead.letter", home_user(m));
    Vfs *v = vfs_of(m->p->sim);
    if (v)
        vfs_write_file(v, m->p->node, path, d.data, d.len, home_user(m));
    proc_printf(m->p, CON_STDOUT, "%s %zu/%zu\n", path, lines, d.len);
    buf_fini(&d);
}

static void give_up(Mail *m, const char *why)
{
    proc_printf(m->p, CON_STDERR, "s-nail: %s\n", why);
    dead_letter(m);
    proc_printf(m->p, CON_STDERR, "s-nail: ... message not sent\n");
    proc_exit(m->p, 4);
}

static void on_reply(Mail *m, const char *line, size_t len)
{
    int code = atoi(line);
    char buf[1200];
    switch (m->step) {
    case ST_BANNER:
        if (code != 220)
            break;
        snprintf(buf, sizeof buf, "EHLO %s",
                 m->p->sim->world ? m->p->sim->world->nodes[m->p->node].id : "localhost");
        send_line(m, ST_EHLO, buf);
        return;
    case ST_EHLO:
        if (code != 250)
            break;
        send_line(m, ST_AUTH, "AUTH PLAIN");
        return;
    case ST_AUTH: {
        if (code != 334)
            break;
        Buf cred;
        buf_init(&cred);
        buf_putc(&cred, '\0');
        buf_puts(&cred, m->user);
        buf_putc(&cred, '\0');
        buf_puts(&cred, m->acct->password);
        char *enc = xmalloc(cred.len * 4 / 3 + 8);
        b64((const unsigned char *)cred.data, cred.len, enc);
        send_line(m, ST_AUTH_DATA, enc);
        free(enc);
        buf_fini(&cred);
        return;
    }
    case ST_AUTH_DATA:
        if (code != 235)
            break;
        snprintf(buf, sizeof buf, "MAIL FROM:<%s>", m->acct->address);
        send_line(m, ST_MAIL, buf);
        return;
    case ST_MAIL:
    case ST_RCPT:
        if (code != 250)
            break;
        if (m->step == ST_MAIL)
            m->rcpt_at = 0;
        if (m->rcpt_at < m->n_to) {
            snprintf(buf, sizeof buf, "RCPT TO:<%s>", m->to[m->rcpt_at++]);
            send_line(m, ST_RCPT, buf);
        } else {
            send_line(m, ST_DATA, "DATA");
        }
        return;
    case ST_DATA:
        if (code != 354)
            break;
        send_message(m);
        return;
    case ST_DOT:
        if (code != 250)
            break;
        send_line(m, ST_QUIT, "QUIT");
        return;
    case ST_QUIT:
        textconn_close(m->conn);
        m->conn = NULL;
        if (m->error) {
            give_up(m, m->error);
            return;
        }
        proc_exit(m->p, 0);
        return;
    }
    /* a refusal: s-nail hangs up (no QUIT) and reports it */
    textconn_close(m->conn);
    m->conn = NULL;
    snprintf(buf, sizeof buf, "SMTP server: %.*s", (int)len, line);
    give_up(m, buf);
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Mail *m = ctx;
    vv(m, ">>> SERVER: %.*s", (int)len, line);
    if (len >= 3 && (len == 3 || line[3] == ' '))
        on_reply(m, line, len);
}

static void on_closed(void *ctx, TextConn *t)
{
    Mail *m = ctx;
    textconn_abort(t);
    m->conn = NULL;
    if (m->step == ST_QUIT && !m->error) {
        proc_exit(m->p, 0);
        return;
    }
    give_up(m, m->error ? m->error : "SMTP server: connection closed");
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Mail *m = ctx;
    m->conn = NULL;
    if (m->step != ST_BANNER) {
        give_up(m, "SMTP server: connection closed");
        return;
    }
    char addr[16];
    ip_format(m->res_ip, addr);
    vv(m, "Connecting to %s:%d ... ", addr, SUBMISSION_PORT);
    give_up(m, why == TCP_WHY_REFUSED   ? "Connection refused"
               : why == TCP_WHY_TIMEOUT ? "Connection timed out"
                                        : "No route to host");
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Mail *m = ctx;
    char addr[16];
    ip_format(m->res_ip, addr);
    vv(m, "Connecting to %s:%d ... connected.", addr, SUBMISSION_PORT);
    m->step = ST_BANNER;
}

static const TextConnOps mail_ops = {
    .connected = on_connected,
    .line = on_line,
    .closed = on_closed,
    .ended = on_ended,
};

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Mail *m = ctx;
    if (m->resolving) {
        m->answered = true;
        m->res_st = st;
        m->res_ip = ip;
        return;
    }
    m->lookup = NULL;
    if (st != RESOLVE_OK) {
        char why[400];
        snprintf(why, sizeof why, "Could not resolve host: %s", m->host);
        give_up(m, why);
        return;
    }
    m->res_ip = ip;
    vv(m, "Resolving host %s:%d ... done", m->host, SUBMISSION_PORT);
    NetErr err = NET_OK;
    m->step = ST_BANNER;
    m->conn =
        textconn_connect(m->p->sim, m->p->node, ip, SUBMISSION_PORT, "mail", &mail_ops, m, &err);
    if (!m->conn)
        on_ended(m, NULL, TCP_WHY_HOST_UNREACH);
}

static void start_sending(Mail *m)
{
    Proc *p = m->p;
    static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 5; i++)
        m->msgid_rnd[i] = alnum[rng_below(proc_rng(p), sizeof alnum - 1)];
    m->composed = p->sim->now;
    proc_set_prompt(p, NULL);
    proc_wait_input(p, false);
    vv(m, "Credentials: host %s:%d, user %s, pass %s", m->host, SUBMISSION_PORT, m->user,
       m->acct->password);
    vv(m, "Forking child with spawn control: 'exec handled by caller'   ");
    m->resolving = true;
    Resolve *r = resolve_name(p->sim, p->node, m->host, on_resolved, m);
    m->resolving = false;
    if (m->answered)
        on_resolved(m, m->res_st, m->res_ip, NULL);
    else
        m->lookup = r;
}

static void ask_send(Mail *m)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "-------\n(Preliminary) Envelope contains:\n");
    buf_printf(&b, "From: %s\n", m->acct->address);
    to_line(m, &b);
    buf_printf(&b, "\nSubject: %s\n", m->subject);
    proc_printf(m->p, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
    const char *q = "Send this message [yes/no, empty: recompose]? ";
    proc_printf(m->p, CON_STDOUT, "%s", q);
    proc_set_prompt(m->p, q);
    m->asking = true;
    proc_wait_input(m->p, true);
}

void mail_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    if (mail_read_active(p)) {
        mail_read_input(p, kind, line, len);
        return;
    }
    Mail *m = p->state;
    if (kind == PROC_IN_INTR) {
        proc_exit(p, 130);
        return;
    }
    if (m->asking) {
        if (kind == PROC_IN_EOF || (kind == PROC_IN_LINE && len == 0)) {
            if (kind == PROC_IN_EOF)
                proc_printf(p, CON_STDOUT, "\n");
            m->asking = false;
            proc_printf(p, CON_STDOUT, "(continue)\n");
            proc_set_prompt(p, "");
            return;
        }
        if (kind != PROC_IN_LINE)
            return;
        if (line[0] == 'y' || line[0] == 'Y') {
            m->asking = false;
            start_sending(m);
        } else {
            proc_printf(p, CON_STDERR, "s-nail: Failed to prepare composed message\n");
            proc_exit(p, 1);
        }
        return;
    }
    if (kind == PROC_IN_EOF) { /* s-nail's line editor shows it */
        proc_printf(p, CON_STDOUT, "^D\n");
        ask_send(m);
        return;
    }
    if (kind == PROC_IN_LINE) {
        buf_put(&m->body, line, len);
        buf_putc(&m->body, '\n');
    }
}

/* What s-nail 14.9.24 (Debian 12) prints after a bad command line, and
 * its status, EX_USAGE. */
static const char usage_text[] =
    "s-nail (s-nail v14.9.24): send and receive Internet mail\n"
    "Send-only mode: send mail \"to-addr\"(ess) receiver(s):\n"
    "  s-nail [-DdEFinv~#] [-: spec] [-A account] [:-C \"field: body\":]\n"
    "         [:-a attachment:] [:-b bcc-addr:] [:-c cc-addr:]\n"
    "         [-M type | -m file | -q file | -t] [-r from-addr] [:-S var[=value]:]\n"
    "         [-s subject] [-T \"arget: addr\"] [:-X/Y cmd:] [-.] :to-addr:\n"
    "\"Receive\" mode, starting on [-u user], primary *inbox* or [$MAIL]:\n"
    "  s-nail [-DdEeHiNnRv~#] [-: spec] [-A account] [:-C \"field: body\":]\n"
    "         [-L spec] [-r from-addr] [:-S var[=value]:] [-u user] [:-X/Y cmd:]\n"
    "\"Receive\" mode, starting on -f (secondary $MBOX or [file]):\n"
    "  s-nail [-DdEeHiNnRv~#] [-: spec] [-A account] [:-C \"field: body\":] -f\n"
    "         [-L spec] [-r from-addr] [:-S var[=value]:] [:-X/Y cmd:] [file]\n"
    ". -d sandbox, -:/ no .rc files, -. end options and force send-mode\n"
    ". -a attachment[=input-charset[#output-charset]]\n"
    ". -b, -c, -r, -T, to-addr: ex@am.ple or '(Lovely) Ex <am@p.le>'\n"
    ". -M, -m, -q, -t: special input (-t: template message on stdin)\n"
    ". -e only mail check, -H header summary; both: message specification via -L\n"
    ". -S (un)sets variable, -X/-Y execute commands pre/post startup, -#: batch mode\n"
    ". Features via \"$ s-nail -Xversion -Xx\"; there is --long-help\n"
    ". Bugs/Contact via \"$ s-nail -Sexpandaddr=shquote '\\$contact-mail'\"\n";

static void usage(Proc *p)
{
    proc_printf(p, CON_STDERR, "%s", usage_text);
    proc_exit(p, 64);
}

void mail_main(Proc *p, int argc, char **argv)
{
    Mail *m = xcalloc(1, sizeof *m);
    m->p = p;
    buf_init(&m->body);
    p->state = m;
    p->free_state = mail_free;
    bool reading = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        for (const char *c = a + 1; *c; c++) {
            if (*c == 'v') {
                m->verbose++;
            } else if (*c == 'f') {
                reading = true;
            } else if (*c == 's') {
                const char *v = c[1] ? c + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!v) {
                    proc_printf(p, CON_STDERR, "s-nail: option requires argument: s\n");
                    usage(p);
                    return;
                }
                free(m->subject);
                m->subject = xstrdup(v);
                break;
            } else {
                proc_printf(p, CON_STDERR, "s-nail: invalid option: %c\n", *c);
                usage(p);
                return;
            }
        }
    }
    for (; i < argc; i++) {
        m->to = xrealloc(m->to, (m->n_to + 1) * sizeof *m->to);
        m->to[m->n_to++] = xstrdup(argv[i]);
    }
    if (m->subject && !reading && m->n_to == 0) {
        proc_printf(p, CON_STDERR, "s-nail: Send options without primary recipient specified.\n");
        usage(p);
        return;
    }
    const World *w = p->sim->world;
    m->acct = w ? mail_account(w, p->node) : NULL;
    if (reading || m->n_to == 0) { /* -f's operand is the folder */
        char *folder = reading && m->n_to ? xstrdup(m->to[0]) : NULL;
        if (reading && m->n_to > 1) {
            proc_printf(p, CON_STDERR, "s-nail: -f takes one folder\n");
            free(folder);
            usage(p);
            return;
        }
        const MailAccount *acct = m->acct;
        mail_free(m); /* the reader takes the process over */
        p->state = NULL;
        p->free_state = NULL;
        mail_read_main(p, acct, folder);
        free(folder);
        return;
    }
    if (m->verbose >= 2) {
        vv(m, "Loading /etc/s-nail.rc");
        for (size_t k = 0; k < sizeof debian_rc / sizeof debian_rc[0]; k++)
            vv(m, "COMMAND %s", debian_rc[k]);
        if (m->acct) {
            vv(m, "Loading /home/%s/.mailrc", home_user(m));
            vv(m, "COMMAND <set> v15-compat");
            vv(m, "COMMAND <set> from=%s", m->acct->address);
            const char *at = strchr(m->acct->address, '@');
            vv(m, "COMMAND <set> mta=smtp://%.*s:%s@%s:%d",
               (int)(at ? (size_t)(at - m->acct->address) : strlen(m->acct->address)),
               m->acct->address, m->acct->password, m->acct->server, SUBMISSION_PORT);
            vv(m, "COMMAND <set> smtp-auth=plain");
        } else {
            vv(m, "No such file to load: /home/%s/.mailrc", home_user(m));
        }
        /* its line editor, in the xterm minet's terminals are taken for */
        vv(m, "bind: unknown or unsupported capability: kel: :kel");
        vv(m, "P(seudo)R(andom)N(umber)G(enerator): arc4random");
    }
    if (!m->acct) {
        proc_printf(p, CON_STDERR,
                    "s-nail: %s has no mail account (the scenario's \"mail\" key): no server "
                    "to send through\n",
                    w ? w->nodes[p->node].id : "this host");
        proc_exit(p, 1);
        return;
    }
    const char *at = strchr(m->acct->address, '@');
    m->user = at ? xstrndup(m->acct->address, (size_t)(at - m->acct->address))
                 : xstrdup(m->acct->address);
    m->host = xstrdup(m->acct->server);
    if (!m->subject)
        m->subject = xstrdup("");
    Buf b;
    buf_init(&b);
    to_line(m, &b);
    buf_printf(&b, "\nSubject: %s\n\n", m->subject);
    proc_printf(p, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
    vv(m, "There are messages in the error ring, manageable via `errors' command");
    proc_set_prompt(p, "");
    proc_wait_input(p, true);
}
