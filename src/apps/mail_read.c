/* mail_read — `mail` reading a mailbox over POP3 or IMAP, as s-nail
 * 14.9.24 does with Debian's /etc/s-nail.rc (hold, emptystart, showname,
 * crt, the retain list), v15-compat and the host's mail account (its
 * password, so no prompt), in a terminal of 80 columns and 24 lines.
 *
 * It connects with the protocol the account's `read` names (or the -f
 * URL's scheme), prints "s-nail version v14.9.24.  Type `?' for help",
 * the folder line ("pop3://bob@SERVER: 2 messages 2 new") and the
 * screenful of the header summary with the current message (22 lines,
 * the deleted left out), then reads commands at "? ": print/type [N…],
 * delete [N…], undelete, headers [N], z/z-, from [N…], next (also an
 * empty line), help (?) [COMMAND], list, quit (also ^D), xit/exit.  What goes on the wire
 * is what s-nail sends, as captured against Dovecot 2.3
 * (tests/run_interop_mailread.sh compares them):
 *   POP3: USER, PASS, STAT, LIST n and TOP n 0 for each message, RETR n
 *         when a message is first printed, at quit DELE n for each
 *         deleted one, then QUIT (xit: the connection is dropped, so the
 *         server deletes nothing);
 *   IMAP: CAPABILITY, LOGIN "u" "p", SELECT "INBOX", FETCH 1:n (FLAGS
 *         UID), FETCH 1:n (RFC822.SIZE INTERNALDATE); UID FETCH a:b
 *         (RFC822.HEADER) for the headers of what it shows, when it shows
 *         them; UID FETCH u (BODY.PEEK[TEXT]) to print (BODY.PEEK[] when
 *         the headers are not there yet); undelete: UID STORE u -FLAGS
 *         (\Deleted) at once; at quit UID STORE u +FLAGS (\Seen) for each
 *         message read or deleted, UID STORE u +FLAGS (\Deleted) for each
 *         deleted one, CLOSE if any was, and LOGOUT (xit: dropped).
 *         The first of those STOREs waits for its reply; the others and
 *         the CLOSE (or, with nothing deleted, the LOGOUT) follow it
 *         without waiting, and the last one's reply is awaited, as s-nail
 *         14.9 sends them to Dovecot.
 *
 * The status letters: N new (POP3: every message; IMAP: \Recent), U
 * unread, R read (new ones, or in this session), O old (read before).
 * The help texts and the list of commands are s-nail's (mail_read_cmds.c),
 * printed whole (s-nail pages them with --More-- in a 24-line terminal,
 * unless PAGER says otherwise). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "apps/apps.h"
#include "apps/mail_read.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/resolve.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define COLUMNS   80
#define SCREEN    22 /* headers a screenful holds: 24 lines less 2 */
#define POP3_PORT 110
#define IMAP_PORT 143

typedef struct Msg {
    char *head;        /* the header section, LF line ends */
    char *text;        /* the whole message once fetched (LF), or NULL */
    size_t size;       /* the server's size (LIST, RFC822.SIZE) */
    unsigned uid;      /* IMAP */
    bool seen, recent; /* IMAP's flags when opened */
    bool deleted, read;
} Msg;

typedef enum Step {
    S_GREETING,
    /* POP3 */
    S_USER,
    S_PASS,
    S_STAT,
    S_LIST,
    S_TOP,
    S_RETR,
    S_DELE,
    S_QUIT,
    /* IMAP */
    S_CAPA,
    S_LOGIN,
    S_SELECT,
    S_FLAGS,
    S_SIZES,
    S_HEADERS,
    S_BODY,
    S_STORE,
    S_UNDELETE,
    S_CLOSE,
    S_LOGOUT,
    /* neither */
    S_IDLE,
} Step;

typedef struct Reader {
    Proc *p;
    const MailAccount *acct;
    bool imap;
    char *user, *host, *url, *password;
    Resolve *lookup;
    bool resolving, answered;
    ResolveStatus res_st;
    uint32_t res_ip;
    TextConn *conn;
    Step step;
    bool open;     /* a mailbox is active */
    bool asked_pw; /* waiting for a typed password */
    Msg *msgs;
    size_t n, cur;  /* messages; the one a LIST, TOP, FETCH or DELE is for */
    size_t dot;     /* the current message (0-based) */
    bool dot_shown; /* it was printed, so next moves on */
    unsigned tag;   /* IMAP's T1, T2, … */
    Buf multi;      /* a multi-line answer or literal being read */
    bool in_multi;
    size_t literal;   /* bytes of an IMAP literal still to read */
    size_t lit_msg;   /* the message (1-based) a literal belongs to */
    bool lit_body;    /* it is BODY[TEXT], or BODY[] when whole */
    bool whole;       /* the body is fetched with its headers (BODY.PEEK[]) */
    size_t screen;    /* the screenful last shown (headers, z) */
    const char *line; /* the command being run */
    char *redo;       /* the command to run again once its headers came */
    size_t *queue;    /* messages to print once fetched */
    size_t n_queue, printed;
    bool quitting, updated, error_ring;
    size_t stores; /* the UID STOREs sent at quit */
} Reader;

static void reader_free(void *state)
{
    Reader *r = state;
    resolve_cancel(r->lookup);
    if (r->conn)
        textconn_abort(r->conn);
    for (size_t i = 0; i < r->n; i++) {
        free(r->msgs[i].head);
        free(r->msgs[i].text);
    }
    free(r->msgs);
    free(r->queue);
    buf_fini(&r->multi);
    free(r->user);
    free(r->host);
    free(r->url);
    free(r->password);
    free(r->redo);
    free(r);
}

bool mail_read_active(const Proc *p)
{
    return p->free_state == reader_free;
}

static void prompt(Reader *r);
static void print_next_queued(Reader *r);
static void next_undelete(Reader *r);
static void run_command(Reader *r, const char *line);
static bool fetch_missing(Reader *r, const size_t *list, size_t k, bool first_only);

/* An error as s-nail reports it; the first one also mentions the ring. */
static void err(Reader *r, const char *fmt, ...) MN_PRINTF(2, 3);
static void err(Reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    proc_printf(r->p, CON_STDERR, "s-nail: %s\n", b.data);
    buf_fini(&b);
    if (!r->error_ring) {
        r->error_ring = true;
        proc_printf(r->p, CON_STDERR,
                    "s-nail: There are messages in the error ring, manageable via `errors' "
                    "command\n");
    }
}

/* ---- messages ---------------------------------------------------------------------- */

/* The value of header name in head (first one, unfolded), or NULL. */
static char *header(const char *head, const char *name)
{
    size_t nl = strlen(name);
    for (const char *l = head; l && *l;) {
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            Buf b;
            buf_init(&b);
            for (;;) {
                while (*v == ' ' || *v == '\t')
                    v++;
                const char *e = strchr(v, '\n');
                size_t len = e ? (size_t)(e - v) : strlen(v);
                if (b.len)
                    buf_putc(&b, ' ');
                buf_put(&b, v, len);
                if (!e || (e[1] != ' ' && e[1] != '\t'))
                    break;
                v = e + 1;
            }
            return buf_take(&b);
        }
        l = strchr(l, '\n');
        if (l)
            l++;
    }
    return NULL;
}

/* The sender as `showname` shows it: the display name, else the address. */
static void sender(const char *from, char *out, size_t size)
{
    snprintf(out, size, "%s", from ? from : "");
    char *lt = strchr(out, '<');
    if (lt && lt != out) {
        char *e = lt;
        while (e > out && e[-1] == ' ')
            e--;
        *e = 0;
        size_t l = strlen(out);
        if (l >= 2 && out[0] == '"' && out[l - 1] == '"') {
            memmove(out, out + 1, l - 2);
            out[l - 2] = 0;
        }
    } else if (lt) {
        memmove(out, out + 1, strlen(out));
        char *gt = strchr(out, '>');
        if (gt)
            *gt = 0;
    }
}

/* An RFC 5322 date as Unix time, or -1. */
static long long parse_date(const char *s)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (!s)
        return -1;
    const char *comma = strchr(s, ',');
    if (comma)
        s = comma + 1;
    int d, y, h, mi, sec = 0;
    char mon[4], zone[8] = "";
    if (sscanf(s, " %d %3s %d %d:%d:%d %7s", &d, mon, &y, &h, &mi, &sec, zone) < 6 &&
        sscanf(s, " %d %3s %d %d:%d %7s", &d, mon, &y, &h, &mi, zone) < 5)
        return -1;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (strcasecmp(mon, months[i]) == 0)
            m = i;
    if (m < 0)
        return -1;
    /* days since 1970-01-01 of a proleptic Gregorian date */
    long long yy = y - (m < 2), era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400, mp = (m + 10) % 12; /* March is 0 */
    long long doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long t = ((era * 146097 + doe - 719468) * 24 + h) * 3600 + mi * 60LL + sec;
    if ((zone[0] == '+' || zone[0] == '-') && isdigit((unsigned char)zone[1])) {
        int z = atoi(zone + 1);
        long long off = (z / 100) * 3600 + (z % 100) * 60;
        t += zone[0] == '+' ? -off : off;
    }
    return t;
}

/* Appends s cut or padded to width columns (UTF-8 aware). */
static size_t put_field(char *out, size_t at, size_t size, const char *s, size_t width, bool pad)
{
    size_t cols = 0;
    for (; *s && cols < width && at + 4 < size; s++) {
        if (!utf8_cont(*s))
            cols++;
        out[at++] = *s;
    }
    while (*s && utf8_cont(*s) && at + 1 < size) /* finish the last character */
        out[at++] = *s++;
    for (; pad && cols < width && at + 1 < size; cols++)
        out[at++] = ' ';
    out[at] = 0;
    return at;
}

void mail_read_headline(char *out, size_t size, bool dot, char status, int num, int count,
                        const char *from, long long date, long long now, size_t lines, size_t bytes,
                        const char *subject)
{
    int width = 2;
    for (int c = count; c >= 100; c /= 10)
        width++;
    char when[32] = "";
    if (date >= 0) {
        time_t t = (time_t)date;
        struct tm tm;
        gmtime_r(&t, &tm);
        /* datefield-markout-older: older than half a year, or in the future */
        bool older = date < now - 15552000LL || date > now + 86400LL;
        strftime(when, sizeof when, older ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &tm);
    }
    char lbuf[24] = "";
    if (lines)
        snprintf(lbuf, sizeof lbuf, "%zu", lines);
    char head[64];
    snprintf(head, sizeof head, "%s%c %*d ", dot ? "\xe2\x96\xb8" : " ", status, width, num);
    size_t at = 0;
    out[0] = 0;
    at = put_field(out, at, size, head, sizeof head, false);
    size_t used = 1 + 1 + 1 + (size_t)width + 1;
    at = put_field(out, at, size, from ? from : "", 18, true);
    at = put_field(out, at, size, " ", 1, true);
    at = put_field(out, at, size, when, 16, true);
    char sz[48];
    snprintf(sz, sizeof sz, " %4s/%-5zu ", lbuf, bytes);
    at = put_field(out, at, size, sz, sizeof sz, false);
    used += 18 + 1 + 16 + strlen(sz);
    put_field(out, at, size, subject ? subject : "", used < COLUMNS ? COLUMNS - used : 0, true);
}

static char status_of(const Reader *r, const Msg *m)
{
    bool fresh = !r->imap || m->recent; /* POP3 knows no flags: all new */
    if (m->read || m->seen)
        return fresh ? 'R' : 'O';
    return fresh ? 'N' : 'U';
}

/* The message's text as s-nail counts it: lines and bytes with the empty
 * line it ends a message with. */
static void counts(const Msg *m, size_t *lines, size_t *bytes)
{
    size_t l = 0, b = strlen(m->text);
    for (const char *c = m->text; *c; c++)
        l += *c == '\n';
    *lines = l + 1;
    *bytes = b + 1;
}

static void headline(Reader *r, size_t i)
{
    const Msg *m = &r->msgs[i];
    char *from = header(m->head, "From");
    char *subj = header(m->head, "Subject");
    char *date = header(m->head, "Date");
    char name[256];
    sender(from, name, sizeof name);
    size_t lines = 0, bytes = m->size;
    if (m->text)
        counts(m, &lines, &bytes);
    const Sim *sim = r->p->sim;
    long long now = ((sim->world ? sim->world->start_us : 0) + sim->now) / 1000000;
    char line[1024];
    mail_read_headline(line, sizeof line, i == r->dot, status_of(r, m), (int)i + 1, (int)r->n, name,
                       parse_date(date), now, lines, bytes, subj);
    proc_printf(r->p, CON_STDOUT, "%s\n", line);
    free(from);
    free(subj);
    free(date);
}

/* The headers `retain` keeps, in the message's order, then the body. */
static void show(Reader *r, size_t i)
{
    static const char *const keep[] = {"date",    "sender",  "from",       "to",
                                       "cc",      "subject", "message-id", "mail-followup-to",
                                       "reply-to"};
    Msg *m = &r->msgs[i];
    size_t lines, bytes;
    counts(m, &lines, &bytes);
    int width = r->n >= 100 ? 3 : 2;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "[-- Message %*zu -- %zu lines, %zu bytes --]:\n", width, i + 1, lines, bytes);
    const char *t = m->text;
    bool shown = false;
    while (*t && *t != '\n') {
        const char *e = strchr(t, '\n');
        size_t len = e ? (size_t)(e - t) + 1 : strlen(t);
        if (*t == ' ' || *t == '\t') { /* a folded line goes with its header */
            if (shown)
                buf_put(&b, t, len);
        } else {
            const char *colon = memchr(t, ':', len);
            shown = false;
            for (size_t k = 0; colon && k < sizeof keep / sizeof keep[0]; k++)
                if ((size_t)(colon - t) == strlen(keep[k]) &&
                    strncasecmp(t, keep[k], strlen(keep[k])) == 0)
                    shown = true;
            if (shown)
                buf_put(&b, t, len);
        }
        t += len;
    }
    buf_puts(&b, t); /* the empty line and the body */
    if (b.len && b.data[b.len - 1] != '\n')
        buf_putc(&b, '\n');
    buf_putc(&b, '\n');
    proc_printf(r->p, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
    m->read = true;
    r->dot = i;
    r->dot_shown = true;
}

/* ---- the wire ---------------------------------------------------------------------- */

static void send(Reader *r, Step step, const char *fmt, ...) MN_PRINTF(3, 4);
static void send(Reader *r, Step step, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Buf b;
    buf_init(&b);
    if (r->imap)
        buf_printf(&b, "T%u ", ++r->tag);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    r->step = step;
    char *cap = NULL;
    if (trace_wanted(&r->p->sim->trace)) { /* the password is not shown */
        const char *login = strstr(b.data, " LOGIN \"");
        const char *pw = strncmp(b.data, "PASS ", 5) == 0 ? b.data + 4
                         : login                          ? strchr(login + 8, '"') + 1
                                                          : NULL;
        cap = xasprintf("%s's mail (s-nail) sends %.*s%s", r->p->sim->world->nodes[r->p->node].id,
                        pw ? (int)(pw - b.data) : (int)b.len, b.data, pw ? " (the password)" : "");
    }
    textconn_send(r->conn, b.data, cap);
    free(cap);
    buf_fini(&b);
}

static void hang_up(Reader *r)
{
    if (r->conn)
        textconn_close(r->conn);
    r->conn = NULL;
}

/* The mailbox is open: the folder line, the summary, the prompt. */
static void opened(Reader *r)
{
    r->open = true;
    r->step = S_IDLE;
    size_t nnew = 0, unread = 0;
    r->dot = 0;
    bool found = false;
    for (size_t i = 0; i < r->n; i++) {
        char s = status_of(r, &r->msgs[i]);
        nnew += s == 'N';
        unread += s == 'U';
        if (!found && (s == 'N' || s == 'U')) {
            r->dot = i;
            found = true;
        }
    }
    proc_printf(r->p, CON_STDOUT, "s-nail version v14.9.24.  Type `?' for help\n");
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s: %zu message%s", r->url, r->n, r->n == 1 ? "" : "s");
    if (nnew)
        buf_printf(&b, " %zu new", nnew);
    if (unread)
        buf_printf(&b, " %zu unread", unread);
    proc_printf(r->p, CON_STDOUT, "%s\n", b.data);
    buf_fini(&b);
    if (r->n == 0) {
        proc_printf(r->p, CON_STDOUT, "No more mail.\n");
        prompt(r);
        return;
    }
    run_command(r, "h"); /* the dot's screenful */
}

/* Logging in failed or the server went away: no active mailbox. */
static void no_mailbox(Reader *r, const char *why)
{
    hang_up(r);
    r->step = S_IDLE;
    if (why)
        proc_printf(r->p, CON_STDERR, "s-nail: %s\n", why);
    proc_printf(r->p, CON_STDOUT, "s-nail version v14.9.24.  Type `?' for help\n");
    proc_printf(r->p, CON_STDOUT, "(Currently no active mailbox)\nNo more mail.\n");
    r->error_ring = true;
    proc_printf(r->p, CON_STDERR,
                "s-nail: There are messages in the error ring, manageable via `errors' command\n");
    prompt(r);
}

static void finish(Reader *r)
{
    hang_up(r);
    if (r->updated)
        proc_printf(r->p, CON_STDOUT, r->imap ? "\"%s\" updated.\n" : "%s updated\n", r->url);
    proc_exit(r->p, 0);
}

/* quit: the changes go to the server. */
static void next_update(Reader *r)
{
    if (!r->imap) {
        for (; r->cur < r->n; r->cur++)
            if (r->msgs[r->cur].deleted) {
                r->updated = true;
                send(r, S_DELE, "DELE %zu", ++r->cur);
                return;
            }
        send(r, S_QUIT, "QUIT");
        return;
    }
    /* r->cur counts the message and its two STOREs: 2i (\Seen), 2i+1 (\Deleted).
     * The first STORE waits for its reply; the rest go out at once. */
    for (; r->cur < 2 * r->n; r->cur++) {
        Msg *m = &r->msgs[r->cur / 2];
        const char *flag = r->cur % 2 == 0 && m->read && !m->seen ? "\\Seen"
                           : r->cur % 2 == 1 && m->deleted        ? "\\Deleted"
                                                                  : NULL;
        if (!flag)
            continue;
        r->updated = true;
        send(r, S_STORE, "UID STORE %u +FLAGS (%s)", m->uid, flag);
        if (r->stores++ == 0) {
            r->cur++;
            return;
        }
    }
    bool any = false;
    for (size_t i = 0; i < r->n; i++)
        any |= r->msgs[i].deleted;
    if (any && r->step != S_CLOSE) {
        send(r, S_CLOSE, "CLOSE");
        return;
    }
    send(r, S_LOGOUT, "LOGOUT");
}

static void quit(Reader *r)
{
    proc_wait_input(r->p, false);
    proc_set_prompt(r->p, NULL);
    if (!r->conn) {
        finish(r);
        return;
    }
    r->quitting = true;
    r->cur = 0;
    next_update(r);
}

/* ---- POP3 -------------------------------------------------------------------------- */

static void pop3_multi_done(Reader *r)
{
    Msg *m = &r->msgs[r->cur];
    if (r->step == S_TOP) {
        free(m->head);
        m->head = buf_take(&r->multi);
        if (++r->cur < r->n)
            send(r, S_TOP, "TOP %zu 0", r->cur + 1);
        else
            opened(r);
        return;
    }
    free(m->text);
    m->text = buf_take(&r->multi);
    r->step = S_IDLE;
    print_next_queued(r);
}

static void pop3_line(Reader *r, const char *line, size_t len)
{
    if (r->in_multi) {
        if (len == 1 && line[0] == '.') {
            r->in_multi = false;
            pop3_multi_done(r);
            return;
        }
        if (line[0] == '.')
            line++, len--;
        buf_put(&r->multi, line, len);
        buf_putc(&r->multi, '\n');
        return;
    }
    bool ok = strncmp(line, "+OK", 3) == 0;
    switch (r->step) {
    case S_GREETING:
        if (!ok)
            break;
        send(r, S_USER, "USER %s", r->user);
        return;
    case S_USER:
        if (!ok)
            break;
        send(r, S_PASS, "PASS %s", r->password);
        return;
    case S_PASS:
        if (!ok)
            break;
        send(r, S_STAT, "STAT");
        return;
    case S_STAT:
        if (!ok)
            break;
        r->n = strtoul(line + 3, NULL, 10);
        if (r->n > 100000)
            r->n = 100000;
        r->msgs = xcalloc(r->n ? r->n : 1, sizeof *r->msgs);
        r->cur = 0;
        if (r->n)
            send(r, S_LIST, "LIST 1");
        else
            opened(r);
        return;
    case S_LIST:
        if (!ok)
            break;
        {
            const char *sp = strchr(line + 4, ' ');
            r->msgs[r->cur].size = sp ? strtoul(sp + 1, NULL, 10) : 0;
        }
        if (++r->cur < r->n) {
            send(r, S_LIST, "LIST %zu", r->cur + 1);
        } else {
            r->cur = 0;
            send(r, S_TOP, "TOP 1 0");
        }
        return;
    case S_TOP:
    case S_RETR:
        if (!ok)
            break;
        buf_clear(&r->multi);
        r->in_multi = true;
        return;
    case S_DELE:
        next_update(r);
        return;
    case S_QUIT:
        finish(r);
        return;
    default:
        return;
    }
    char why[600];
    snprintf(why, sizeof why, "POP3 error: %.*s", (int)len, line);
    if (r->open) {
        err(r, "%s", why);
        r->step = S_IDLE;
        r->n_queue = 0;
        prompt(r);
    } else {
        no_mailbox(r, why);
    }
}

/* ---- IMAP -------------------------------------------------------------------------- */

/* The number after key in s ("UID 4", "RFC822.SIZE 303"), or 0. */
static unsigned long item(const char *s, const char *key)
{
    const char *k = strstr(s, key);
    return k ? strtoul(k + strlen(key), NULL, 10) : 0;
}

static void literal_done(Reader *r)
{
    if (r->lit_msg == 0 || r->lit_msg > r->n)
        return;
    Msg *m = &r->msgs[r->lit_msg - 1];
    char *t = buf_take(&r->multi);
    if (!r->lit_body) {
        free(m->head);
        m->head = t;
        return;
    }
    if (r->whole) { /* BODY[]: the headers are the part before the empty line */
        const char *e = strstr(t, "\n\n");
        free(m->head);
        m->head = xstrndup(t, e ? (size_t)(e - t) + 2 : strlen(t));
        free(m->text);
        m->text = t;
        return;
    }
    /* the whole message: the headers, the empty line, the body */
    Buf b;
    buf_init(&b);
    buf_puts(&b, m->head ? m->head : "");
    if (b.len && b.data[b.len - 1] != '\n')
        buf_putc(&b, '\n');
    if (!(b.len >= 2 && b.data[b.len - 2] == '\n'))
        buf_putc(&b, '\n');
    buf_puts(&b, t);
    free(t);
    free(m->text);
    m->text = buf_take(&b);
}

static void imap_tagged(Reader *r, bool ok, const char *line)
{
    switch (r->step) {
    case S_CAPA:
        if (!ok)
            break;
        send(r, S_LOGIN, "LOGIN \"%s\" \"%s\"", r->user, r->password);
        return;
    case S_LOGIN:
        if (!ok)
            break;
        send(r, S_SELECT, "SELECT \"INBOX\"");
        return;
    case S_SELECT:
        if (!ok)
            break;
        r->msgs = xcalloc(r->n ? r->n : 1, sizeof *r->msgs);
        if (r->n)
            send(r, S_FLAGS, "FETCH 1:%zu (FLAGS UID)", r->n);
        else
            opened(r);
        return;
    case S_FLAGS:
        if (!ok)
            break;
        send(r, S_SIZES, "FETCH 1:%zu (RFC822.SIZE INTERNALDATE)", r->n);
        return;
    case S_SIZES:
        if (!ok)
            break;
        opened(r);
        return;
    case S_HEADERS: /* the command that wanted them runs again */
        if (!ok)
            break;
        r->step = S_IDLE;
        if (r->redo) {
            char *c = r->redo;
            r->redo = NULL;
            run_command(r, c);
            free(c);
        }
        return;
    case S_BODY:
        if (!ok)
            break;
        r->step = S_IDLE;
        print_next_queued(r);
        return;
    case S_STORE:
        next_update(r);
        return;
    case S_UNDELETE:
        next_undelete(r);
        return;
    case S_CLOSE:
        send(r, S_LOGOUT, "LOGOUT");
        return;
    case S_LOGOUT:
        finish(r);
        return;
    default:
        return;
    }
    /* "T2 NO [AUTHENTICATIONFAILED] …": s-nail shows what follows NO */
    const char *sp = strchr(line, ' ');
    const char *text = sp ? strchr(sp + 1, ' ') : NULL;
    char why[600];
    snprintf(why, sizeof why, "IMAP error: %s", text ? text + 1 : line);
    if (!r->open) { /* no mailbox: s-nail gives up */
        hang_up(r);
        proc_printf(r->p, CON_STDERR, "s-nail: %s\n", why);
        proc_exit(r->p, 1);
        return;
    }
    {
        err(r, "%s", why);
        r->step = S_IDLE;
        r->n_queue = 0;
        prompt(r);
    }
}

static void imap_line(Reader *r, const char *line, size_t len)
{
    if (r->literal) {
        size_t take = len + 2 <= r->literal ? len + 2 : r->literal;
        if (take >= len) {
            buf_put(&r->multi, line, len);
            if (take > len)
                buf_putc(&r->multi, '\n');
            r->literal -= take;
            if (r->literal == 0)
                literal_done(r);
            return;
        }
        buf_put(&r->multi, line, take); /* the literal ends inside this line */
        r->literal = 0;
        literal_done(r);
        line += take;
        len -= take;
    }
    if (line[0] == '*') {
        if (r->step == S_GREETING) {
            send(r, S_CAPA, "CAPABILITY");
            return;
        }
        unsigned long num = strtoul(line + 1, NULL, 10);
        if (strstr(line, " EXISTS") && r->step == S_SELECT) {
            r->n = num > 100000 ? 100000 : num;
        } else if (strstr(line, " FETCH (") && num >= 1 && num <= r->n) {
            Msg *m = &r->msgs[num - 1];
            if (r->step == S_FLAGS) {
                m->uid = (unsigned)item(line, "UID ");
                const char *f = strstr(line, "FLAGS (");
                m->seen = f && strstr(f, "\\Seen");
                m->recent = f && strstr(f, "\\Recent");
            } else if (r->step == S_SIZES) {
                m->size = item(line, "RFC822.SIZE ");
            }
            const char *brace = len && line[len - 1] == '}' ? strrchr(line, '{') : NULL;
            if (brace && (r->step == S_HEADERS || r->step == S_BODY)) {
                r->literal = strtoul(brace + 1, NULL, 10);
                r->lit_msg = num;
                r->lit_body = r->step == S_BODY;
                buf_clear(&r->multi);
                if (r->literal == 0)
                    literal_done(r);
            }
        }
        return;
    }
    if (line[0] == 'T') {
        /* only the last command's reply moves on: the others were sent
         * without waiting (the STOREs at quit) */
        const char *sp = strchr(line, ' ');
        if (sp && strtoul(line + 1, NULL, 10) == r->tag)
            imap_tagged(r, strncmp(sp + 1, "OK", 2) == 0, line);
    }
}

/* ---- the connection ---------------------------------------------------------------- */

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Reader *r = ctx;
    if (r->imap)
        imap_line(r, line, len);
    else
        pop3_line(r, line, len);
}

static void gone(Reader *r)
{
    r->conn = NULL;
    if (r->quitting) {
        finish(r);
        return;
    }
    if (!r->open) {
        no_mailbox(r, r->imap ? "IMAP connection closed" : "POP3 connection closed");
        return;
    }
    err(r, "%s connection closed", r->imap ? "IMAP" : "POP3");
    r->step = S_IDLE;
    r->n_queue = 0;
    prompt(r);
}

static void on_closed(void *ctx, TextConn *t)
{
    textconn_abort(t);
    gone(ctx);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    Reader *r = ctx;
    if (r->step != S_GREETING || r->open) {
        gone(r);
        return;
    }
    r->conn = NULL;
    proc_printf(r->p, CON_STDERR, "s-nail: Could not connect(2): %s\n",
                why == TCP_WHY_REFUSED   ? "Connection refused"
                : why == TCP_WHY_TIMEOUT ? "Connection timed out"
                                         : "No route to host");
    proc_exit(r->p, 1);
}

static const TextConnOps reader_ops = {.line = on_line, .closed = on_closed, .ended = on_ended};

static void on_resolved(void *ctx, ResolveStatus st, uint32_t ip, const char *canon)
{
    (void)canon;
    Reader *r = ctx;
    if (r->resolving) {
        r->answered = true;
        r->res_st = st;
        r->res_ip = ip;
        return;
    }
    r->lookup = NULL;
    if (st != RESOLVE_OK) {
        proc_printf(r->p, CON_STDERR, "s-nail: Could not resolve host: %s\n", r->host);
        proc_exit(r->p, 1);
        return;
    }
    r->res_ip = ip;
    NetErr e = NET_OK;
    r->step = S_GREETING;
    r->conn = textconn_connect(r->p->sim, r->p->node, ip, r->imap ? IMAP_PORT : POP3_PORT, "mail",
                               &reader_ops, r, &e);
    if (!r->conn)
        on_ended(r, NULL, TCP_WHY_HOST_UNREACH);
}

static void connect_server(Reader *r)
{
    proc_wait_input(r->p, false);
    r->resolving = true;
    Resolve *l = resolve_name(r->p->sim, r->p->node, r->host, on_resolved, r);
    r->resolving = false;
    if (r->answered)
        on_resolved(r, r->res_st, r->res_ip, NULL);
    else
        r->lookup = l;
}

/* ---- commands ---------------------------------------------------------------------- */

static void prompt(Reader *r)
{
    proc_set_echo(r->p, true);
    proc_printf(r->p, CON_STDOUT, "? ");
    proc_set_prompt(r->p, "? ");
    proc_wait_input(r->p, true);
}

/* Prints the queued messages, fetching each first if it must. */
static void print_next_queued(Reader *r)
{
    while (r->n_queue) {
        size_t i = r->queue[0];
        Msg *m = &r->msgs[i];
        if (!m->text) {
            if (!r->conn) {
                err(r, "%s connection closed", r->imap ? "IMAP" : "POP3");
                r->n_queue = 0;
                break;
            }
            r->whole = r->imap && !m->head;
            if (r->whole)
                send(r, S_BODY, "UID FETCH %u (BODY.PEEK[])", m->uid);
            else if (r->imap)
                send(r, S_BODY, "UID FETCH %u (BODY.PEEK[TEXT])", m->uid);
            else
                send(r, S_RETR, "RETR %zu", i + 1);
            r->cur = i;
            return;
        }
        memmove(r->queue, r->queue + 1, --r->n_queue * sizeof *r->queue);
        if (r->printed++) /* messages printed together are one line apart */
            proc_printf(r->p, CON_STDOUT, "\n");
        show(r, i);
    }
    prompt(r);
}

/* The messages a list names ("1 3", "2-4", none: the dot), into sel;
 * false after printing s-nail's complaint. */
static bool msglist(Reader *r, const char *args, bool any, size_t **sel, size_t *n)
{
    *sel = NULL;
    *n = 0;
    while (*args == ' ' || *args == '\t')
        args++;
    if (r->n == 0) { /* an empty mailbox: whatever the list says */
        err(r, "No applicable messages");
        return false;
    }
    if (!*args) {
        if (!any && r->msgs[r->dot].deleted) {
            err(r, "No applicable messages");
            return false;
        }
        *sel = xmalloc(sizeof **sel);
        (*sel)[(*n)++] = r->dot;
        return true;
    }
    while (*args) {
        char word[64];
        size_t l = strcspn(args, " \t");
        snprintf(word, sizeof word, "%.*s", (int)(l < 63 ? l : 63), args);
        args += l;
        while (*args == ' ' || *args == '\t')
            args++;
        char *end;
        long a = strtol(word, &end, 10), b = a;
        if (end == word) {
            free(*sel);
            *sel = NULL;
            err(r, "No applicable messages");
            return false;
        }
        if (*end == '-') {
            b = strtol(end + 1, &end, 10);
            if (b < a) { /* "3-1" is "1-3" */
                long t = a;
                a = b;
                b = t;
            }
        }
        if (*end) {
            free(*sel);
            *sel = NULL;
            err(r, "No applicable messages");
            return false;
        }
        if (a < 1 || (size_t)b > r->n) {
            free(*sel);
            *sel = NULL;
            err(r, "%ld: Invalid message number", a < 1 ? a : b);
            return false;
        }
        for (long k = a; k <= b; k++) {
            if (!any && r->msgs[k - 1].deleted) {
                free(*sel);
                *sel = NULL;
                err(r, "%ld: inappropriate message", k);
                return false;
            }
            *sel = xrealloc(*sel, (*n + 1) * sizeof **sel);
            (*sel)[(*n)++] = (size_t)k - 1;
        }
    }
    return *n > 0;
}

static void cmd_print(Reader *r, const char *args)
{
    size_t *sel, n;
    if (!msglist(r, args, false, &sel, &n)) {
        prompt(r);
        return;
    }
    free(r->queue);
    r->queue = sel;
    r->n_queue = n;
    r->printed = 0;
    proc_wait_input(r->p, false);
    print_next_queued(r);
}

/* next: the dot if not yet shown, else the next message not deleted. */
static void cmd_next(Reader *r)
{
    size_t i = r->dot;
    if (r->dot_shown || r->n == 0 || r->msgs[i].deleted) {
        for (i = r->dot_shown ? r->dot + 1 : r->dot; i < r->n && r->msgs[i].deleted; i++)
            ;
        if (i >= r->n) {
            proc_printf(r->p, CON_STDOUT, "At EOF\n");
            prompt(r);
            return;
        }
    }
    char num[32];
    snprintf(num, sizeof num, "%zu", i + 1);
    cmd_print(r, num);
}

/* IMAP's undelete: UID STORE -FLAGS (\Deleted) for each queued message. */
static void next_undelete(Reader *r)
{
    if (!r->n_queue || !r->conn) {
        r->n_queue = 0;
        r->step = S_IDLE;
        prompt(r);
        return;
    }
    unsigned uid = r->msgs[r->queue[0]].uid;
    memmove(r->queue, r->queue + 1, --r->n_queue * sizeof *r->queue);
    send(r, S_UNDELETE, "UID STORE %u -FLAGS (\\Deleted)", uid);
}

static void cmd_delete(Reader *r, const char *args, bool undo)
{
    size_t *sel, n;
    if (msglist(r, args, undo, &sel, &n)) {
        for (size_t k = 0; k < n; k++) { /* s-nail counts a deleted message as read */
            r->msgs[sel[k]].deleted = !undo;
            if (!undo)
                r->msgs[sel[k]].read = true;
        }
        if (undo) {
            r->dot = sel[n - 1];
            if (r->imap && r->conn) { /* s-nail tells the server at once */
                free(r->queue);
                r->queue = sel;
                r->n_queue = n;
                proc_wait_input(r->p, false);
                next_undelete(r);
                return;
            }
        } else {
            /* the dot moves to the next message left, else the one before */
            size_t last = sel[n - 1], i = last + 1;
            while (i < r->n && r->msgs[i].deleted)
                i++;
            if (i >= r->n)
                for (i = last; i > 0 && r->msgs[i].deleted; i--)
                    ;
            r->dot = i < r->n ? i : 0;
            r->dot_shown = false;
        }
        free(sel);
    }
    prompt(r);
}

static void cmd_from(Reader *r, const char *args)
{
    size_t *sel, n;
    if (msglist(r, args, false, &sel, &n)) {
        if (fetch_missing(r, sel, n, true)) {
            free(sel);
            return;
        }
        r->dot = sel[0];
        for (size_t k = 0; k < n; k++)
            headline(r, sel[k]);
        free(sel);
    }
    prompt(r);
}

/* How many messages before message i are not deleted: its place in the
 * screenfuls, which count only those. */
static size_t rank(const Reader *r, size_t i)
{
    size_t k = 0;
    for (size_t j = 0; j < i && j < r->n; j++)
        k += !r->msgs[j].deleted;
    return k;
}

/* IMAP: s-nail fetches headers when it shows them.  Sends the fetch of
 * those list lacks (the first one only, or one UID range), and the current
 * command runs again when it is answered; false if none is lacking. */
static bool fetch_missing(Reader *r, const size_t *list, size_t k, bool first_only)
{
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t j = 0; j < k && r->imap && r->conn; j++)
        if (!r->msgs[list[j]].head) {
            if (lo == SIZE_MAX)
                lo = list[j];
            hi = list[j];
            if (first_only)
                break;
        }
    if (lo == SIZE_MAX)
        return false;
    free(r->redo);
    r->redo = xstrdup(r->line ? r->line : "h");
    proc_wait_input(r->p, false);
    if (lo == hi)
        send(r, S_HEADERS, "UID FETCH %u (RFC822.HEADER)", r->msgs[lo].uid);
    else
        send(r, S_HEADERS, "UID FETCH %u:%u (RFC822.HEADER)", r->msgs[lo].uid, r->msgs[hi].uid);
    return true;
}

/* Shows screenful screen: SCREEN messages not deleted, from the
 * screen * SCREEN-th on (the last SCREEN when that is past the end).  The
 * dot moves to its first message unless the dot is message n (SIZE_MAX:
 * none).  note comes first. */
static void headers_screen(Reader *r, size_t screen, size_t n, const char *note)
{
    if (r->n == 0) { /* z on an empty mailbox */
        proc_printf(r->p, CON_STDOUT, "%s%sNo more mail.\n", note ? note : "", note ? "\n" : "");
        prompt(r);
        return;
    }
    size_t left = rank(r, r->n), start = screen * SCREEN;
    if (start >= left)
        start = left > SCREEN ? left - SCREEN : 0;
    size_t list[SCREEN], k = 0;
    for (size_t i = 0, at = 0; i < r->n && k < SCREEN; i++)
        if (!r->msgs[i].deleted && at++ >= start)
            list[k++] = i;
    if (k == 0) {
        err(r, "No applicable messages");
        prompt(r);
        return;
    }
    size_t dot = r->dot != n || r->msgs[r->dot].deleted ? list[0] : r->dot;
    if (fetch_missing(r, list, k, false))
        return;
    r->dot = dot;
    r->screen = screen;
    if (note)
        proc_printf(r->p, CON_STDOUT, "%s\n", note);
    for (size_t j = 0; j < k; j++)
        headline(r, list[j]);
    prompt(r);
}

/* headers [N]: the screenful of the dot, or of N. */
static void cmd_headers(Reader *r, const char *args)
{
    size_t *sel = NULL, n = 0;
    while (*args == ' ')
        args++;
    if ((*args || r->n == 0) && !msglist(r, args, false, &sel, &n)) {
        prompt(r);
        return;
    }
    size_t at = sel ? sel[0] : r->dot;
    free(sel);
    headers_screen(r, rank(r, at) / SCREEN, at, NULL);
}

/* z, z+: the next screenful; z-: the one before. */
static void cmd_scroll(Reader *r, const char *args)
{
    while (*args == ' ')
        args++;
    if (*args == '-') {
        if (r->screen == 0)
            headers_screen(r, 0, SIZE_MAX, "On first screenful of messages");
        else
            headers_screen(r, r->screen - 1, SIZE_MAX, NULL);
        return;
    }
    /* the last screenful: s-nail counts the deleted messages here */
    if ((r->screen + 1) * SCREEN >= r->n)
        headers_screen(r, r->screen, SIZE_MAX, "On last screenful of messages");
    else
        headers_screen(r, r->screen + 1, SIZE_MAX, NULL);
}

/* help and ?, and list (mail_read_cmds.c) */
static void help(Reader *r, const char *verb, const char *args, bool all)
{
    Buf out, e;
    buf_init(&out);
    buf_init(&e);
    if (all)
        mail_read_cmd_list(&out);
    else if (!mail_read_help(verb, args, &out, &e))
        err(r, "%s", e.data);
    if (out.len)
        proc_printf(r->p, CON_STDOUT, "%s", out.data);
    buf_fini(&out);
    buf_fini(&e);
    prompt(r);
}

typedef enum Cmd {
    C_NONE,
    C_SCROLL,
    C_PRINT,
    C_DELETE,
    C_UNDELETE,
    C_HEADERS,
    C_FROM,
    C_NEXT,
    C_QUIT,
    C_XIT,
    C_HELP,
    C_LIST
} Cmd;

/* s-nail's command names, each reachable from its shortest abbreviation. */
static const struct {
    const char *name;
    size_t min;
    Cmd cmd;
} commands[] = {
    {"print", 1, C_PRINT},     {"type", 1, C_PRINT},
    {"delete", 1, C_DELETE},   {"undelete", 3, C_UNDELETE},
    {"headers", 1, C_HEADERS}, {"from", 1, C_FROM},
    {"search", 3, C_FROM},     {"next", 1, C_NEXT},
    {"quit", 1, C_QUIT},       {"xit", 1, C_XIT},
    {"exit", 2, C_XIT},        {"help", 4, C_HELP},
    {"?", 1, C_HELP},          {"z", 1, C_SCROLL},
    {"list", 1, C_LIST},
};

static Cmd lookup(const char *w, size_t l, const char **name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (l >= commands[i].min && l <= strlen(commands[i].name) &&
            strncmp(w, commands[i].name, l) == 0) {
            *name = commands[i].name;
            return commands[i].cmd;
        }
    return C_NONE;
}

static void run_command(Reader *r, const char *line)
{
    r->line = line;
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line) {
        if (!r->open) {
            prompt(r);
            return;
        }
        cmd_next(r);
        return;
    }
    size_t l = 0;
    if (*line == '?')
        l = 1;
    else
        while (line[l] && isalpha((unsigned char)line[l]))
            l++;
    const char *name = NULL;
    Cmd c = l ? lookup(line, l, &name) : C_NONE;
    const char *args = line + l;
    if (c == C_NONE && l == 1 && *line == 'u') { /* s-nail takes a lone u for a modifier */
        proc_printf(r->p, CON_STDERR, "s-nail: Ignoring yet unused `u' command modifier!\n");
        c = C_PRINT;
        name = "print";
    }
    if (*line == '!') {
        err(r, "shell escapes (!) are not available in minet's mail");
        prompt(r);
        return;
    }
    if (l == 0 && isdigit((unsigned char)*line)) { /* "2": s-nail prints message 2 */
        c = C_PRINT;
        name = "print";
        args = line;
    }
    if (c == C_NONE) {
        size_t w = strcspn(line, " \t");
        err(r, "%.*s: unknown command", (int)w, line);
        prompt(r);
        return;
    }
    if (!r->open && c != C_QUIT && c != C_XIT && c != C_HELP && c != C_LIST) {
        proc_printf(r->p, CON_STDERR, "s-nail: %s: needs an active mailbox\n", name);
        prompt(r);
        return;
    }
    switch (c) {
    case C_PRINT:
        cmd_print(r, args);
        return;
    case C_DELETE:
        cmd_delete(r, args, false);
        return;
    case C_UNDELETE:
        cmd_delete(r, args, true);
        return;
    case C_HEADERS:
        cmd_headers(r, args);
        return;
    case C_FROM:
        cmd_from(r, args);
        return;
    case C_NEXT:
        cmd_next(r);
        return;
    case C_QUIT:
        quit(r);
        return;
    case C_XIT: /* the changes are dropped with the connection */
        proc_wait_input(r->p, false);
        proc_set_prompt(r->p, NULL);
        hang_up(r);
        proc_exit(r->p, 0);
        return;
    case C_HELP:
    case C_LIST:
        help(r, name, args, c == C_LIST);
        return;
    case C_SCROLL:
        cmd_scroll(r, args);
        return;
    case C_NONE:
        return;
    }
}

void mail_read_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    Reader *r = p->state;
    if (r->asked_pw) {
        if (kind != PROC_IN_LINE) {
            proc_exit(p, 1);
            return;
        }
        r->asked_pw = false;
        proc_set_echo(p, true);
        free(r->password);
        r->password = xstrndup(line, len);
        connect_server(r);
        return;
    }
    if (kind == PROC_IN_INTR) { /* a new prompt, as at s-nail's */
        proc_printf(p, CON_STDOUT, "\n");
        prompt(r);
        return;
    }
    if (kind == PROC_IN_EOF) { /* its line editor shows it */
        proc_printf(p, CON_STDOUT, "^D\n");
        quit(r);
        return;
    }
    if (kind != PROC_IN_LINE)
        return;
    proc_wait_input(p, false);
    char *cmd = xstrndup(line, len);
    run_command(r, cmd);
    free(cmd);
}

/* ---- starting ---------------------------------------------------------------------- */

void mail_read_main(Proc *p, const MailAccount *acct, const char *folder)
{
    Reader *r = xcalloc(1, sizeof *r);
    r->p = p;
    r->acct = acct;
    buf_init(&r->multi);
    p->state = r;
    p->free_state = reader_free;
    const char *user_at = NULL;
    if (folder) {
        bool pop = strncmp(folder, "pop3://", 7) == 0;
        bool imap = strncmp(folder, "imap://", 7) == 0;
        const char *rest = folder + 7;
        const char *at = strchr(rest, '@');
        if ((!pop && !imap) || !at || at == rest || !at[1]) {
            proc_printf(p, CON_STDERR,
                        "s-nail: %s: minet's mail reads only pop3://USER@SERVER or "
                        "imap://USER@SERVER\n",
                        folder);
            proc_exit(p, 1);
            return;
        }
        r->imap = imap;
        r->user = xstrndup(rest, (size_t)(at - rest));
        size_t hl = strcspn(at + 1, "/");
        r->host = xstrndup(at + 1, hl);
        user_at = folder;
    } else {
        if (!acct) {
            const char *who = p->sim->world ? vfs_user(p->sim->world, p->node) : "student";
            proc_printf(p, CON_STDERR, "s-nail: No mail for %s at /var/mail/%s\n", who, who);
            proc_exit(p, 1);
            return;
        }
        r->imap = acct->read_proto == MAIL_READ_IMAP;
        const char *at = strchr(acct->address, '@');
        r->user =
            at ? xstrndup(acct->address, (size_t)(at - acct->address)) : xstrdup(acct->address);
        r->host = xstrdup(acct->server);
    }
    (void)user_at;
    r->url = r->imap ? xasprintf("imap://%s@%s/INBOX", r->user, r->host)
                     : xasprintf("pop3://%s@%s", r->user, r->host);
    const char *at = acct ? strchr(acct->address, '@') : NULL;
    bool mine = acct && at && strlen(r->user) == (size_t)(at - acct->address) &&
                strncmp(r->user, acct->address, (size_t)(at - acct->address)) == 0 &&
                strcasecmp(r->host, acct->server) == 0;
    if (!mine) { /* no password in the account for this one: s-nail asks */
        proc_printf(p, CON_STDOUT, "%s@%s requires a password: ", r->user, r->host);
        proc_set_prompt(p, "requires a password: ");
        proc_set_echo(p, false);
        r->asked_pw = true;
        proc_wait_input(p, true);
        return;
    }
    r->password = xstrdup(acct->password);
    connect_server(r);
}
