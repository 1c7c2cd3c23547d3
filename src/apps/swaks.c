/* swaks — Debian 12's swaks 20201014.0, the Swiss Army Knife for SMTP:
 * `swaks --to ADDRESS [--from A] [--server HOST[:PORT]] [--port P]
 * [--helo|--ehlo NAME] [--header "Name: value"] [--body TEXT] [--data TEXT]
 * [--quit-after STEP]`.
 *
 * It holds one SMTP dialogue in lock step (no PIPELINING unless asked,
 * which minet's swaks never is) and prints its transcript with swaks's
 * markers: `=== ` for its own news, ` -> ` for what it sends, `<-  ` for a
 * reply it expected and `<** ` for one it did not, `*** ` on stderr for
 * an error.  The exit status is swaks's: 0 delivered (or quit as asked),
 * 2 no connection, 21 bad banner, 22 EHLO and HELO refused, 23 MAIL
 * refused, 24 every RCPT refused, 25 DATA refused, 26 the message
 * refused, 6 the server hung up, 1 bad usage.
 *
 * The message is swaks's default one (Date, To, From, "Subject: test
 * DATE", Message-Id <YYYYMMDDHHMMSS.PID@HOST>, X-Mailer) or --data, with
 * swaks's fix-ups: %TOKENS%, a literal \n as a line break, --header
 * replacing a header of that name or adding one, leading dots doubled,
 * CR LF line ends and the final dot.  Dates are the simulated clock's, in
 * UTC (+0000), as on a machine whose time zone is UTC.
 *
 * As on Debian without the recommended libnet-dns-perl, no --server means
 * "localhost" (swaks says so on stderr).  An option given without its
 * value (`--to` at the end) makes swaks prompt for it ("To: "), and so
 * does a missing --to. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apps/apps.h"
#include "apps/etc_services.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define SWAKS_VERSION "20201014.0"
#define SWAKS_TIMEOUT (30 * (SimTime)1000000) /* its connect and reply timeout */

enum Step { ST_BANNER, ST_EHLO, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_DOT, ST_QUIT };

/* Where --quit-after stops (swaks's names after its aliases). */
enum QuitAfter { QA_NONE, QA_CONNECT, QA_FIRST_HELO, QA_HELO, QA_MAIL, QA_RCPT };

typedef struct Prompt {
    const char *label; /* "To: " */
    char **dest;
} Prompt;

typedef struct Swaks {
    Proc *p;
    char *to, *from, *helo, *server, *port_s, *data, *body;
    char **headers;
    size_t n_headers;
    enum QuitAfter quit_after;
    bool server_given;
    Prompt prompts[8];
    size_t n_prompts, prompt_at;
    /* the dialogue */
    char *host; /* the server's name, as written */
    uint16_t port;
    unsigned long long port_given; /* as typed: a port above 65535 is cut to 16 bits */
    Resolve *lookup;
    /* resolve_name may answer before it returns: the answer waits here
     * until it has returned, so that the program never ends inside it */
    bool resolving, answered;
    ResolveStatus res_st;
    uint32_t res_ip;
    TextConn *conn;
    EvHandle timer;
    enum Step step;
    const char *expect; /* the reply code it expects: "250" */
    Buf reply;          /* the reply so far, lines joined by \n */
    char **rcpts;
    size_t n_rcpts, rcpt_at, rcpt_failed;
    int exit_after_quit; /* the status once QUIT is answered */
    bool quitting;
} Swaks;

static void swaks_free(void *state)
{
    Swaks *s = state;
    resolve_cancel(s->lookup);
    if (s->conn)
        textconn_abort(s->conn);
    sim_cancel(s->p->sim, s->timer);
    free(s->to);
    free(s->from);
    free(s->helo);
    free(s->server);
    free(s->port_s);
    free(s->data);
    free(s->body);
    for (size_t i = 0; i < s->n_headers; i++)
        free(s->headers[i]);
    free(s->headers);
    for (size_t i = 0; i < s->n_rcpts; i++)
        free(s->rcpts[i]);
    free(s->rcpts);
    free(s->host);
    buf_fini(&s->reply);
    free(s);
}

static const char *node_name(Swaks *s)
{
    const World *w = s->p->sim->world;
    return w ? w->nodes[s->p->node].id : "localhost";
}

/* ---- the message ----------------------------------------------------- */

/* Replaces every `from` in *text with `to`. */
static void replace_all(char **text, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    Buf b;
    buf_init(&b);
    const char *t = *text, *hit;
    while ((hit = strstr(t, from))) {
        buf_put(&b, t, (size_t)(hit - t));
        buf_put(&b, to, tl);
        t = hit + fl;
    }
    buf_put(&b, t, strlen(t));
    free(*text);
    *text = xstrdup(b.data ? b.data : "");
    buf_fini(&b);
}

static void swaks_date(Swaks *s, char *out, size_t size, bool message_id)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const World *w = s->p->sim->world;
    time_t when = (time_t)(((w ? w->start_us : 0) + s->p->sim->now) / 1000000);
    struct tm tm;
    gmtime_r(&when, &tm);
    if (message_id)
        snprintf(out, size, "%04d%02d%02d%02d%02d%02d.%06d@%s", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, proc_pid(s->p), node_name(s));
    else
        snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

typedef struct Header {
    char *name; /* NULL: a line without a colon; its text is the key */
    Buf text;   /* its lines, each ended by CR LF */
} Header;

/* The name of a header line as swaks sees it (/^(\S[^:]+):/), or NULL. */
static char *header_name(const char *line, size_t len)
{
    if (len < 2 || line[0] == ' ' || line[0] == '\t' || line[0] == ':')
        return NULL;
    const char *colon = memchr(line, ':', len);
    if (!colon || colon - line < 2)
        return NULL;
    return xstrndup(line, (size_t)(colon - line));
}

/* The DATA swaks sends, ending with CR LF "." (without the CR LF after
 * it), as its fix-ups build it. */
static char *build_data(Swaks *s)
{
    char *d = xstrdup(s->data ? s->data
                              : "Date: %DATE%\\nTo: %TO_ADDRESS%\\nFrom: %FROM_ADDRESS%\\n"
                                "Subject: test %DATE%\\nMessage-Id: <%MESSAGEID%>\\n"
                                "X-Mailer: swaks v%SWAKS_VERSION% jetmore.org/john/code/swaks/\\n"
                                "%NEW_HEADERS%\\n%BODY%\\n");
    replace_all(&d, "%BODY%", s->body ? s->body : "This is a test mailing");
    replace_all(&d, "\\n", "\r\n");
    /* the headers: up to the first empty line */
    const char *rest = "";
    char *sep = NULL;
    for (char *q = d; *q; q++) {
        if (q[0] == '\n' && (q[1] == '\n' || (q[1] == '\r' && q[2] == '\n'))) {
            sep = q;
            break;
        }
    }
    size_t hlen = strlen(d);
    if (sep) {
        hlen = (size_t)(sep - d);
        if (hlen > 0 && d[hlen - 1] == '\r')
            hlen--;
        rest = sep + (sep[1] == '\n' ? 2 : 3);
    }
    Header *hs = NULL;
    size_t nh = 0;
    for (size_t i = 0; i < hlen;) {
        size_t e = i;
        while (e < hlen && d[e] != '\n')
            e++;
        size_t l = e - i;
        if (l > 0 && d[i + l - 1] == '\r')
            l--;
        bool cont = l > 0 && (d[i] == ' ' || d[i] == '\t');
        if (!cont || nh == 0) {
            hs = xrealloc(hs, (nh + 1) * sizeof *hs);
            hs[nh].name = header_name(d + i, l);
            if (!hs[nh].name)
                hs[nh].name = xstrndup(d + i, l);
            buf_init(&hs[nh].text);
            nh++;
        }
        buf_put(&hs[nh - 1].text, d + i, l);
        buf_put(&hs[nh - 1].text, "\r\n", 2);
        i = e + 1;
    }
    /* --header: replace the header of that name, or add it */
    Buf add;
    buf_init(&add);
    size_t n_add = 0;
    for (size_t k = 0; k < s->n_headers; k++) {
        char *opt = xstrdup(s->headers[k]);
        for (char *line = opt, *next; line; line = next) {
            char *nl = strstr(line, "\\n");
            next = nl ? nl + 2 : NULL;
            if (nl)
                *nl = '\0';
            const char *colon = strchr(line, ':');
            size_t j = nh;
            if (colon && colon > line) {
                for (j = 0; j < nh; j++)
                    if (strlen(hs[j].name) == (size_t)(colon - line) &&
                        strncmp(hs[j].name, line, (size_t)(colon - line)) == 0)
                        break;
            }
            if (j < nh) {
                buf_clear(&hs[j].text);
                buf_put(&hs[j].text, line, strlen(line));
                buf_put(&hs[j].text, "\r\n", 2);
            } else {
                if (n_add++)
                    buf_put(&add, "\r\n", 2);
                buf_put(&add, line, strlen(line));
            }
        }
        free(opt);
    }
    Buf out;
    buf_init(&out);
    for (size_t j = 0; j < nh; j++) {
        buf_put(&out, hs[j].text.data, hs[j].text.len);
        buf_fini(&hs[j].text);
        free(hs[j].name);
    }
    free(hs);
    buf_put(&out, "", 0);
    char *head = xstrdup(out.data ? out.data : "");
    if (strstr(head, "%NEW_HEADERS%")) {
        if (n_add)
            buf_put(&add, "\r\n", 2);
        buf_put(&add, "", 0);
        replace_all(&head, "%NEW_HEADERS%", add.data ? add.data : "");
    } else if (n_add) {
        buf_put(&add, "\r\n", 2);
        Buf h2;
        buf_init(&h2);
        buf_put(&h2, head, strlen(head));
        buf_put(&h2, add.data, add.len);
        buf_put(&h2, "", 0);
        free(head);
        head = xstrdup(h2.data);
        buf_fini(&h2);
    }
    buf_fini(&add);
    buf_clear(&out);
    buf_put(&out, head, strlen(head));
    buf_put(&out, "\r\n", 2);
    buf_put(&out, rest, strlen(rest));
    buf_put(&out, "", 0);
    free(head);
    char *m = xstrdup(out.data);
    buf_fini(&out);
    free(d);
    /* the tokens */
    char date[64], msgid[128];
    swaks_date(s, date, sizeof date, false);
    swaks_date(s, msgid, sizeof msgid, true);
    replace_all(&m, "\\n", "\r\n");
    replace_all(&m, "%NEWLINE%", "\r\n");
    replace_all(&m, "%FROM_ADDRESS%", s->from);
    replace_all(&m, "%TO_ADDRESS%", s->to);
    replace_all(&m, "%MESSAGEID%", msgid);
    replace_all(&m, "%SWAKS_VERSION%", SWAKS_VERSION);
    replace_all(&m, "%DATE%", date);
    /* an mbox "From " line at the start goes */
    if (strncmp(m, "From ", 5) == 0) {
        char *nl = strchr(m, '\n');
        memmove(m, nl ? nl + 1 : m + strlen(m), strlen(nl ? nl + 1 : "") + 1);
    }
    /* a final dot line goes (swaks adds its own) */
    size_t n = strlen(m);
    if (n && m[n - 1] == '\n')
        n--;
    if (n && m[n - 1] == '\r')
        n--;
    if (n && m[n - 1] == '.' && n >= 2 && m[n - 2] == '\n') {
        n -= 2;
        if (n && m[n - 1] == '\r')
            n--;
        m[n] = '\0';
    }
    /* leading dots doubled, bare LF as CR LF, then the final dot */
    Buf f;
    buf_init(&f);
    for (size_t i = 0; m[i]; i++) {
        if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r'))
            buf_put(&f, "\r", 1);
        buf_put(&f, &m[i], 1);
        if (m[i] == '\n' && m[i + 1] == '.')
            buf_put(&f, ".", 1);
    }
    buf_put(&f, "\r\n.", 3);
    buf_put(&f, "", 0);
    free(m);
    m = xstrdup(f.data);
    buf_fini(&f);
    return m;
}

/* ---- the dialogue ---------------------------------------------------- */

static void finish(Swaks *s, int status)
{
    proc_exit(s->p, status);
}

/* Prints what it sends: each line after " -> " (a line of the message
 * keeps its CR, as swaks prints it). */
static void show_sent(Swaks *s, const char *text)
{
    const char *t = text;
    for (;;) {
        const char *nl = strchr(t, '\n');
        size_t l = nl ? (size_t)(nl - t) : strlen(t);
        proc_printf(s->p, CON_STDOUT, " -> %.*s\n", (int)l, t);
        if (!nl)
            break;
        t = nl + 1;
    }
}

static void arm_timer(Swaks *s);

static void send_cmd(Swaks *s, enum Step step, const char *expect, const char *fmt, ...)
    MN_PRINTF(4, 5);

static void send_cmd(Swaks *s, enum Step step, const char *expect, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->step = step;
    s->expect = expect;
    show_sent(s, line);
    char cap[1300];
    snprintf(cap, sizeof cap, "swaks sends %s", line);
    textconn_send(s->conn, line, cap);
    arm_timer(s);
}

static void send_quit(Swaks *s, int status)
{
    s->quitting = true;
    s->exit_after_quit = status;
    send_cmd(s, ST_QUIT, "221", "QUIT");
}

static void send_rcpt(Swaks *s)
{
    send_cmd(s, ST_RCPT, "250", "RCPT TO:<%s>", s->rcpts[s->rcpt_at]);
}

static void after_helo(Swaks *s)
{
    if (s->quit_after == QA_FIRST_HELO || s->quit_after == QA_HELO) {
        send_quit(s, 0);
        return;
    }
    send_cmd(s, ST_MAIL, "250", "MAIL FROM:<%s>", s->from);
}

/* A whole reply arrived (s->reply, lines joined by \n): was it expected? */
static void on_reply(Swaks *s)
{
    sim_cancel(s->p->sim, s->timer);
    s->timer = 0;
    const char *r = s->reply.data ? s->reply.data : "";
    /* swaks checks the reply's last line: /^EXPECT /m */
    const char *last = strrchr(r, '\n');
    last = last ? last + 1 : r;
    bool ok = strncmp(last, s->expect, 3) == 0 && last[3] == ' ';
    const char *mark = ok ? "<-  " : "<** ";
    for (const char *t = r;;) {
        const char *nl = strchr(t, '\n');
        size_t l = nl ? (size_t)(nl - t) : strlen(t);
        proc_printf(s->p, CON_STDOUT, "%s%.*s\n", mark, (int)l, t);
        if (!nl)
            break;
        t = nl + 1;
    }
    buf_clear(&s->reply);
    switch (s->step) {
    case ST_BANNER:
        if (!ok)
            send_quit(s, 21);
        else if (s->quit_after == QA_CONNECT)
            send_quit(s, 0);
        else
            send_cmd(s, ST_EHLO, "250", "EHLO %s", s->helo);
        break;
    case ST_EHLO:
        if (ok)
            after_helo(s);
        else
            send_cmd(s, ST_HELO, "250", "HELO %s", s->helo);
        break;
    case ST_HELO:
        if (ok)
            after_helo(s);
        else
            send_quit(s, 22);
        break;
    case ST_MAIL:
        if (!ok)
            send_quit(s, 23);
        else if (s->quit_after == QA_MAIL)
            send_quit(s, 0);
        else {
            s->rcpt_at = 0;
            send_rcpt(s);
        }
        break;
    case ST_RCPT:
        if (!ok && ++s->rcpt_failed == s->n_rcpts) {
            send_quit(s, 24);
            break;
        }
        if (++s->rcpt_at < s->n_rcpts)
            send_rcpt(s);
        else if (s->quit_after == QA_RCPT)
            send_quit(s, 0);
        else
            send_cmd(s, ST_DATA, "354", "DATA");
        break;
    case ST_DATA:
        if (!ok) {
            send_quit(s, 25);
        } else {
            char *m = build_data(s);
            s->step = ST_DOT;
            s->expect = "250";
            show_sent(s, m);
            textconn_send_raw(s->conn, m, strlen(m), "swaks sends the message");
            textconn_send_raw(s->conn, "\r\n", 2, NULL);
            free(m);
            arm_timer(s);
        }
        break;
    case ST_DOT:
        send_quit(s, ok ? 0 : 26);
        break;
    case ST_QUIT:
        textconn_close(s->conn);
        s->conn = NULL;
        proc_printf(s->p, CON_STDOUT, "=== Connection closed with remote host.\n");
        finish(s, s->exit_after_quit);
        break;
    }
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Swaks *s = ctx;
    if (s->reply.len)
        buf_put(&s->reply, "\n", 1);
    buf_put(&s->reply, line, len);
    /* a reply ends with a line "DDD " (or a bare "DDD") */
    if (len >= 3 && line[0] >= '0' && line[0] <= '9' && line[1] >= '0' && line[1] <= '9' &&
        line[2] >= '0' && line[2] <= '9' && (len == 3 || line[3] == ' '))
        on_reply(s);
}

/* The server hung up (or the connection broke) in the middle. */
static void lost(Swaks *s)
{
    if (s->reply.len) { /* what came of a reply is shown as it is */
        buf_put(&s->reply, "", 0);
        proc_printf(s->p, CON_STDOUT, "<** %s\n", s->reply.data);
        buf_clear(&s->reply);
    }
    sim_cancel(s->p->sim, s->timer);
    s->timer = 0;
    if (s->quitting) {
        proc_printf(s->p, CON_STDOUT, "=== Connection closed with remote host.\n");
        finish(s, s->exit_after_quit);
        return;
    }
    proc_printf(s->p, CON_STDERR, "*** Remote host closed connection unexpectedly.\n");
    finish(s, 6);
}

static void on_closed(void *ctx, TextConn *t)
{
    Swaks *s = ctx;
    textconn_abort(t);
    s->conn = NULL;
    lost(s);
}

static void connect_failed(Swaks *s, const char *why)
{
    proc_printf(s->p, CON_STDERR, "*** Error connecting to %s:%llu:\n*** \tIO::Socket::INET: %s\n",
                s->host, s->port_given, why);
    finish(s, 2);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Swaks *s = ctx;
    s->conn = NULL;
    if (s->step == ST_BANNER && s->expect == NULL) { /* not connected yet */
        sim_cancel(s->p->sim, s->timer);
        s->timer = 0;
        connect_failed(s, why == TCP_WHY_REFUSED        ? "connect: Connection refused"
                          : why == TCP_WHY_NET_UNREACH  ? "connect: Network is unreachable"
                          : why == TCP_WHY_HOST_UNREACH ? "connect: No route to host"
                                                        : "connect: timeout");
        return;
    }
    lost(s);
}

static void on_connected(void *ctx, TextConn *t)
{
    (void)t;
    Swaks *s = ctx;
    proc_printf(s->p, CON_STDOUT, "=== Connected to %s.\n", s->host);
    s->step = ST_BANNER;
    s->expect = "220";
    arm_timer(s);
}

static const TextConnOps swaks_ops = {
    .connected = on_connected,
    .line = on_line,
    .closed = on_closed,
    .ended = on_ended,
};

/* swaks gives up on a connection or a reply after 30 s. */
static void on_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Swaks *s = ctx;
    s->timer = 0;
    if (!s->expect) {
        textconn_abort(s->conn);
        s->conn = NULL;
        connect_failed(s, "connect: timeout");
        return;
    }
    proc_printf(s->p, CON_STDOUT, "<** Timeout (30 secs) waiting for server response\n");
    if (s->quitting) {
        textconn_abort(s->conn);
        s->conn = NULL;
        proc_printf(s->p, CON_STDOUT, "=== Connection closed with remote host.\n");
        finish(s, s->exit_after_quit);
        return;
    }
    buf_clear(&s->reply);
    int codes[] = {[ST_BANNER] = 21, [ST_EHLO] = 22, [ST_HELO] = 22, [ST_MAIL] = 23,
                   [ST_RCPT] = 24,   [ST_DATA] = 25, [ST_DOT] = 26,  [ST_QUIT] = 0};
    send_quit(s, codes[s->step]);
}

static void arm_timer(Swaks *s)
{
    sim_cancel(s->p->sim, s->timer);
    s->timer = sim_after(s->p->sim, SWAKS_TIMEOUT, on_timeout, s, 0);
}

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Swaks *s = ctx;
    if (s->resolving) {
        s->answered = true;
        s->res_st = st;
        s->res_ip = ip;
        return;
    }
    Proc *p = s->p;
    s->lookup = NULL;
    if (st != RESOLVE_OK) {
        char why[300];
        snprintf(why, sizeof why, "Bad hostname '%s'", s->host);
        connect_failed(s, why);
        return;
    }
    NetErr err = NET_OK;
    s->expect = NULL;
    s->step = ST_BANNER;
    s->conn = textconn_connect(p->sim, p->node, ip, s->port, "swaks", &swaks_ops, s, &err);
    if (!s->conn) {
        connect_failed(s, err == NET_UNREACHABLE ? "connect: Network is unreachable"
                                                 : "connect: No route to host");
        return;
    }
    arm_timer(s);
}

/* ---- the command line ------------------------------------------------ */

static void start(Swaks *s)
{
    Proc *p = s->p;
    proc_set_prompt(p, NULL);
    proc_wait_input(p, false);
    /* the recipients, comma separated */
    for (char *t = s->to, *comma; t; t = comma ? comma + 1 : NULL) {
        comma = strchr(t, ',');
        s->rcpts = xrealloc(s->rcpts, (s->n_rcpts + 1) * sizeof *s->rcpts);
        s->rcpts[s->n_rcpts++] = comma ? xstrndup(t, (size_t)(comma - t)) : xstrdup(t);
    }
    if (!s->server_given || !s->server[0]) {
        proc_printf(p, CON_STDERR,
                    "*** MX Routing not available: requires Net::DNS.  Using "
                    "localhost as mail server\n");
        free(s->server);
        s->server = xstrdup("localhost");
    }
    /* HOST:PORT (one colon: a port), then --port */
    char *colon = strchr(s->server, ':');
    const char *port_s = s->port_s && s->port_s[0] ? s->port_s : NULL;
    if (colon && !strchr(colon + 1, ':')) {
        *colon = '\0';
        if (!port_s)
            port_s = colon + 1;
    }
    s->host = xstrdup(s->server);
    /* As swaks (Perl) takes a port: digits are a number (0: the
     * default), a name is looked up in /etc/services, and a number above
     * 65535 is cut to 16 bits by Perl's Socket, which warns. */
    unsigned long long v = 25;
    if (port_s && port_s[strspn(port_s, "0123456789")] == '\0') {
        v = strtoull(port_s, NULL, 10);
        if (v == 0)
            v = 25;
    } else if (port_s) {
        uint16_t named;
        if (!etc_service_port(port_s, &named)) {
            proc_printf(p, CON_STDERR,
                        "*** unable to resolve service name %s into a port, exiting\n", port_s);
            finish(s, 1);
            return;
        }
        v = named;
    }
    s->port_given = v;
    s->port = (uint16_t)(v & 0xffff);
    proc_printf(p, CON_STDOUT, "=== Trying %s:%llu...\n", s->host, v);
    if (v > 0xffff)
        proc_printf(p, CON_STDERR,
                    "Port number above 0xFFFF, will be truncated to %u for "
                    "Socket::pack_sockaddr_in at /usr/lib/x86_64-linux-gnu/perl-base/IO/Socket/"
                    "INET.pm line 230.\n",
                    s->port);
    s->resolving = true;
    Resolve *r = resolve_name(p->sim, p->node, s->host, on_resolved, s);
    s->resolving = false;
    if (s->answered)
        on_resolved(s, s->res_st, s->res_ip, NULL);
    else
        s->lookup = r;
}

/* Asks the next value that is missing, or starts. */
static void next_prompt(Swaks *s)
{
    if (s->prompt_at < s->n_prompts) {
        const char *label = s->prompts[s->prompt_at].label;
        proc_printf(s->p, CON_STDOUT, "%s", label);
        proc_set_prompt(s->p, label);
        proc_wait_input(s->p, true);
        return;
    }
    start(s);
}

void swaks_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    Swaks *s = p->state;
    if (kind == PROC_IN_INTR) {
        proc_exit(p, 130);
        return;
    }
    if (s->prompt_at >= s->n_prompts)
        return;
    Prompt *pr = &s->prompts[s->prompt_at];
    if (kind == PROC_IN_EOF) { /* an empty answer; To: insists */
        proc_printf(p, CON_STDOUT, "\n");
        line = "";
        len = 0;
    }
    if (len == 0 && strcmp(pr->label, "To: ") == 0) {
        if (kind == PROC_IN_EOF) {
            proc_exit(p, 1);
            return;
        }
        next_prompt(s);
        return;
    }
    free(*pr->dest);
    *pr->dest = xstrndup(line, len);
    s->prompt_at++;
    next_prompt(s);
}

static void ask(Swaks *s, const char *label, char **dest)
{
    for (size_t i = 0; i < s->n_prompts; i++)
        if (s->prompts[i].dest == dest)
            return;
    if (s->n_prompts < sizeof s->prompts / sizeof s->prompts[0])
        s->prompts[s->n_prompts++] = (Prompt){label, dest};
}

typedef struct Opt {
    const char *names; /* "|to|t|" */
    int id;
} Opt;

enum { O_TO, O_FROM, O_HELO, O_SERVER, O_PORT, O_DATA, O_BODY, O_HEADER, O_QUIT };

static const Opt swaks_opts[] = {
    {"|to|t|", O_TO},         {"|from|f|", O_FROM},   {"|helo|ehlo|lhlo|h|", O_HELO},
    {"|server|s|", O_SERVER}, {"|port|p|", O_PORT},   {"|data|d|", O_DATA},
    {"|body|", O_BODY},       {"|header|", O_HEADER}, {"|quit-after|quit|q|", O_QUIT},
};

static int find_opt(const char *name, size_t len)
{
    char key[64];
    if (len + 3 > sizeof key)
        return -1;
    snprintf(key, sizeof key, "|%.*s|", (int)len, name);
    for (size_t i = 0; i < sizeof swaks_opts / sizeof swaks_opts[0]; i++)
        if (strstr(swaks_opts[i].names, key))
            return swaks_opts[i].id;
    return -1;
}

static bool parse_quit_after(const char *v, enum QuitAfter *qa)
{
    static const struct {
        const char *name;
        enum QuitAfter qa;
    } names[] = {
        {"connect", QA_CONNECT},
        {"banner", QA_CONNECT},
        {"first-helo", QA_FIRST_HELO},
        {"first-ehlo", QA_FIRST_HELO},
        {"first-lhlo", QA_FIRST_HELO},
        {"helo", QA_HELO},
        {"ehlo", QA_HELO},
        {"lhlo", QA_HELO},
        {"mail", QA_MAIL},
        {"from", QA_MAIL},
        {"rcpt", QA_RCPT},
        {"to", QA_RCPT},
        /* no TLS, AUTH or XCLIENT here: swaks then quits after HELO */
        {"tls", QA_HELO},
        {"starttls", QA_HELO},
        {"auth", QA_HELO},
        {"xclient", QA_HELO},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(v, names[i].name) == 0) {
            *qa = names[i].qa;
            return true;
        }
    return false;
}

void swaks_main(Proc *p, int argc, char **argv)
{
    Swaks *s = xcalloc(1, sizeof *s);
    s->p = p;
    s->timer = 0;
    buf_init(&s->reply);
    p->state = s;
    p->free_state = swaks_free;
    const char *quit_after = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            /* Getopt::Long leaves it; swaks ignores words it does not ask for */
            continue;
        }
        const char *name = a + (a[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        int id = find_opt(name, nlen);
        if (id < 0) {
            proc_printf(p, CON_STDERR, "Unknown option: %.*s\n", (int)nlen, name);
            proc_exit(p, 1);
            return;
        }
        /* the value: after =, or the next word unless it is an option */
        const char *val = NULL;
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc && (argv[i + 1][0] != '-' || !argv[i + 1][1]))
            val = argv[++i];
        if (id == O_QUIT) {
            if (!val) {
                proc_printf(p, CON_STDERR, "Option %.*s requires an argument\n", (int)nlen, name);
                proc_exit(p, 1);
                return;
            }
            quit_after = val;
            continue;
        }
        char **dest = id == O_TO       ? &s->to
                      : id == O_FROM   ? &s->from
                      : id == O_HELO   ? &s->helo
                      : id == O_SERVER ? &s->server
                      : id == O_PORT   ? &s->port_s
                      : id == O_DATA   ? &s->data
                      : id == O_BODY   ? &s->body
                                       : NULL;
        if (id == O_SERVER)
            s->server_given = true;
        if (id == O_HEADER) {
            if (val && val[0]) {
                s->headers = xrealloc(s->headers, (s->n_headers + 1) * sizeof *s->headers);
                s->headers[s->n_headers++] = xstrdup(val);
            }
            continue;
        }
        free(*dest);
        *dest = val ? xstrdup(val) : NULL;
        if (!val || !val[0]) {
            static const char *const labels[] = {
                [O_TO] = "To: ",         [O_FROM] = "From: ", [O_HELO] = "Helo: ",
                [O_SERVER] = "Server: ", [O_PORT] = "Port: ", [O_DATA] = "Data: ",
                [O_BODY] = "Body: "};
            ask(s, labels[id], dest);
        }
    }
    if (quit_after && !parse_quit_after(quit_after, &s->quit_after)) {
        char *low = xstrdup(quit_after);
        for (char *c = low; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        proc_printf(p, CON_STDERR, "*** Unknown quit_after value %s, exiting\n", low);
        free(low);
        proc_exit(p, 1);
        return;
    }
    char def[300];
    if (!s->from) {
        snprintf(def, sizeof def, "%s@%s",
                 p->sim->world ? vfs_user(p->sim->world, p->node) : "student", node_name(s));
        s->from = xstrdup(def);
    }
    if (!s->helo)
        s->helo = xstrdup(node_name(s));
    if (!s->server)
        s->server = xstrdup("");
    bool server_only = s->quit_after != QA_NONE && s->quit_after != QA_RCPT;
    if (!s->to && !(server_only && s->server_given && s->server[0]))
        ask(s, "To: ", &s->to);
    if (!s->to)
        s->to = xstrdup("");
    next_prompt(s);
}
