/* curl_mail — curl 7.88's pop3:// and imap:// (curl.h), as it talks to
 * Dovecot 2.3.
 *
 * pop3://[USER:PASS@]HOST[:PORT]/[N]: CAPA, then AUTH PLAIN (the
 * credentials after the server's "+ ", base64) when CAPA offers SASL
 * PLAIN, USER and PASS when it offers only USER; then LIST (no N, or -l),
 * RETR N, or the -X command (with N after it); -I expects no body (so
 * -X DELE -I ends after the +OK: the deletion happens at curl's QUIT).  The listing or the message
 * goes to stdout (or -o FILE) as the server sends it, CR LF kept, a
 * stuffed dot removed.  A refused login ends with "Login denied" (67) and
 * no QUIT; a refused command with QUIT shown and "Weird server reply" (8).
 *
 * imap://[USER:PASS@]HOST[:PORT]/[MAILBOX[;UID=N|;MAILINDEX=N][;SECTION=S]]
 * [?QUERY]: A001 CAPABILITY, then A002 AUTHENTICATE PLAIN with the
 * credentials on the same line when the server offers SASL-IR (LOGIN when
 * it offers no AUTH=PLAIN); then, as curl decides: LIST "MAILBOX" * (no
 * UID, query or -X), or SELECT MAILBOX and UID FETCH N BODY[S], FETCH N
 * BODY[S], SEARCH QUERY or the -X command; -X without a mailbox is sent
 * at once.  What goes to stdout: the message's literal (FETCH), the
 * untagged responses of LIST, SEARCH or the -X command (those curl keeps:
 * its word, or any for SELECT, EXAMINE, SEARCH, ...).  A failed SELECT is
 * "Select failed" (67), a FETCH that finds nothing "Remote file not
 * found" (78), both after a shown LOGOUT.
 *
 * On success the connection is "left intact" and QUIT or LOGOUT goes
 * unshown as curl exits.  Limit: the message is counted as having come
 * with the FETCH or RETR reply (as with a small message from Dovecot: the
 * meter's Received stays 0, "0 bytes are left for transfer"). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/curl.h"
#include "proto/vfs.h"

enum MailStep {
    MS_BANNER,
    MS_CAPA,
    MS_AUTH,      /* AUTH PLAIN / AUTHENTICATE PLAIN sent */
    MS_AUTH_DATA, /* the credentials sent after "+ " */
    MS_USER,
    MS_PASS,
    MS_SELECT,
    MS_CMD,  /* LIST, RETR, SEARCH or the -X command */
    MS_BODY, /* POP3: the listing or message */
    MS_FETCH,
    MS_LOGOUT, /* QUIT or LOGOUT after an error */
    MS_END,    /* QUIT or LOGOUT unshown as curl exits */
};

static void base64(const char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
}

/* SASL PLAIN's message: NUL user NUL password, in base64. */
static void plain_b64(const Curl *c, char *out, size_t size)
{
    char raw[600];
    int n = snprintf(raw, sizeof raw, "%c%s%c%s", 0, c->user, 0, c->pass);
    if (n < 0 || (size_t)n >= sizeof raw || (size_t)n * 4 / 3 + 8 > size)
        n = 0;
    base64(raw, (size_t)n, out);
}

static void mail_send(Curl *c, int step, const char *caption, const char *fmt, ...) MN_PRINTF(4, 5);

static void mail_send(Curl *c, int step, const char *caption, const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->mstep = step;
    if (c->verbose && step != MS_END)
        proc_printf(c->p, CON_STDERR, "> %s\r\n", line);
    char cap[1300];
    snprintf(cap, sizeof cap, "curl sends %s", caption ? caption : line);
    textconn_send(c->conn, line, cap);
}

/* An IMAP command with the next tag. */
static void imap_send(Curl *c, int step, const char *caption, const char *fmt, ...) MN_PRINTF(4, 5);

static void imap_send(Curl *c, int step, const char *caption, const char *fmt, ...)
{
    char cmd[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char tagcap[1200];
    c->tag++;
    snprintf(tagcap, sizeof tagcap, "A%03u %s", c->tag, caption ? caption : cmd);
    mail_send(c, step, tagcap, "A%03u %s", c->tag, cmd);
}

static bool create_out(Curl *c);

/* The body's bytes: stdout or -o's file (made at the first byte); false
 * when the file cannot be made (curl has ended: c is gone). */
static bool put_out(Curl *c, const char *d, size_t n)
{
    if (c->outfile && !c->out_made && !create_out(c))
        return false;
    if (c->outfile)
        vfs_append(vfs_of(c->p->sim), c->p->node, c->out_path, d, n);
    else if (n)
        proc_printf(c->p, CON_STDOUT, "%.*s", (int)n, d);
    return true;
}

/* Success: the connection stays in curl's cache; QUIT/LOGOUT unshown. */
static void finish(Curl *c)
{
    curl_meter_line(c, true);
    curl_info(c, "Connection #0 to host %s left intact", c->host);
    c->status = 0;
    c->quiet_quit = true;
    if (c->pop3)
        mail_send(c, MS_END, NULL, "QUIT");
    else
        imap_send(c, MS_END, NULL, "LOGOUT");
}

/* An error after login: QUIT/LOGOUT shown, then the message. */
static void fail_logout(Curl *c, int status, const char *msg, bool say)
{
    free(c->error);
    c->error = xstrdup(msg);
    if (say)
        curl_info(c, "%s", msg);
    c->status = status;
    if (c->pop3)
        mail_send(c, MS_LOGOUT, NULL, "QUIT");
    else
        imap_send(c, MS_LOGOUT, NULL, "LOGOUT");
}

/* An error that closes the connection at once. */
static void fail_close(Curl *c, int status, const char *msg)
{
    free(c->error);
    c->error = xstrdup(msg);
    curl_meter_line(c, true);
    curl_info(c, "Closing connection 0");
    if (c->conn) {
        textconn_close(c->conn);
        c->conn = NULL;
    }
    curl_done(c, status);
}

static bool create_out(Curl *c)
{
    if (!c->outfile || c->out_made)
        return true;
    if (vfs_create(vfs_of(c->p->sim), c->p->node, c->out_path,
                   vfs_user(c->p->sim->world, c->p->node)) == VFS_OK) {
        c->out_made = true;
        return true;
    }
    fail_close(c, 23, "Failed writing body");
    return false;
}

/* ---- pop3:// ----------------------------------------------------------- */

static void pop3_perform(Curl *c)
{
    const char *cmd = c->msgno && *c->msgno && !c->list_only ? "RETR" : "LIST";
    if (c->custom)
        cmd = c->custom;
    if (c->msgno && *c->msgno)
        mail_send(c, MS_CMD, NULL, "%s %s", cmd, c->msgno);
    else
        mail_send(c, MS_CMD, NULL, "%s", cmd);
}

static void pop3_login(Curl *c)
{
    if (!c->user) {
        pop3_perform(c);
    } else if (c->sasl_plain) {
        mail_send(c, MS_AUTH, NULL, "AUTH PLAIN");
    } else if (c->user_cmd) {
        mail_send(c, MS_USER, NULL, "USER %s", c->user);
    } else {
        fail_close(c, 67, "No known authentication mechanisms supported!");
    }
}

static void pop3_line(Curl *c, const char *line, size_t len)
{
    if (c->mstep == MS_BODY) {
        if (len == 1 && line[0] == '.') {
            finish(c);
            return;
        }
        if (line[0] == '.') {
            line++;
            len--;
        }
        if (put_out(c, line, len))
            put_out(c, "\r\n", 2);
        return;
    }
    if (c->verbose && c->mstep != MS_END)
        proc_printf(c->p, CON_STDERR, "< %.*s\r\n", (int)len, line);
    bool ok = len >= 3 && strncmp(line, "+OK", 3) == 0;
    switch (c->mstep) {
    case MS_BANNER:
        if (!ok) {
            fail_close(c, 8, "Got unexpected pop3-server response");
            return;
        }
        mail_send(c, MS_CAPA, NULL, "CAPA");
        c->literal_left = 0; /* the CAPA list's lines */
        break;
    case MS_CAPA:
        if (!c->literal_left) { /* the status line */
            c->literal_left = 1;
            if (!ok) { /* no CAPA: USER and PASS */
                c->user_cmd = true;
                pop3_login(c);
            }
            return;
        }
        if (len == 1 && line[0] == '.') {
            pop3_login(c);
        } else if (len >= 5 && strncasecmp(line, "SASL ", 5) == 0) {
            char mechs[400];
            snprintf(mechs, sizeof mechs, " %.*s ", (int)(len - 5), line + 5);
            c->sasl_plain = strstr(mechs, " PLAIN ") != NULL;
        } else if (len == 4 && strncasecmp(line, "USER", 4) == 0) {
            c->user_cmd = true;
        }
        break;
    case MS_AUTH:
        if (len >= 1 && line[0] == '+' && !ok) {
            char b64[900];
            plain_b64(c, b64, sizeof b64);
            mail_send(c, MS_AUTH_DATA, "the user and password (SASL PLAIN, base64)", "%s", b64);
            return;
        }
        fail_close(c, 67, "Login denied");
        break;
    case MS_AUTH_DATA:
    case MS_PASS:
        if (!ok) {
            fail_close(c, 67, "Login denied");
            return;
        }
        pop3_perform(c);
        break;
    case MS_USER:
        if (!ok) {
            fail_close(c, 67, "Access denied. 67");
            return;
        }
        mail_send(c, MS_PASS, "PASS (the password)", "PASS %s", c->pass);
        break;
    case MS_CMD:
        if (!ok) {
            fail_logout(c, 8, "Weird server reply", false);
            return;
        }
        if (c->head || (c->msgno && *c->msgno && c->list_only && !c->custom)) {
            finish(c); /* -I, or LIST n: the one line, no body */
            return;
        }
        c->mstep = MS_BODY;
        break;
    case MS_LOGOUT:
        curl_meter_line(c, true);
        curl_info(c, "Closing connection 0");
        curl_done(c, c->status);
        break;
    default:
        break;
    }
}

/* ---- imap:// ----------------------------------------------------------- */

/* The word of an untagged response ("* 2 FETCH" -> FETCH). */
static bool untagged_is(const char *line, size_t len, const char *word)
{
    size_t i = 2;
    while (i < len && line[i] >= '0' && line[i] <= '9')
        i++;
    if (i > 2 && i < len && line[i] == ' ')
        i++;
    size_t wl = strlen(word);
    return len - i >= wl && strncasecmp(line + i, word, wl) == 0 &&
           (len - i == wl || line[i + wl] == ' ');
}

/* Does curl write this untagged response out (LIST, SEARCH, -X)? */
static bool wanted(const Curl *c, const char *line, size_t len)
{
    if (!c->custom)
        return untagged_is(line, len, c->mstep == MS_CMD && c->query ? "SEARCH" : "LIST");
    static const char *const any[] = {"SELECT", "EXAMINE", "SEARCH",       "EXPUNGE",
                                      "LSUB",   "UID",     "GETQUOTAROOT", "NOOP"};
    for (size_t i = 0; i < sizeof any / sizeof *any; i++)
        if (strcasecmp(c->custom, any[i]) == 0)
            return true;
    return untagged_is(line, len, c->custom) ||
           (strcasecmp(c->custom, "STORE") == 0 && untagged_is(line, len, "FETCH"));
}

/* IMAP's atom or quoted string for a mailbox or user, as curl's imap_atom. */
static void atom(const char *s, bool escape_only, char *out, size_t size)
{
    bool quote = false;
    size_t o = 0;
    for (const char *p = s; *p && o + 3 < size; p++) {
        if (strchr("(){ %*]\"\\", *p) && !(escape_only && !strchr("\"\\", *p)))
            quote = true;
        if (*p == '"' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o] = '\0';
    if (quote && !escape_only && o + 3 < size) {
        memmove(out + 1, out, o + 1);
        out[0] = '"';
        out[o + 1] = '"';
        out[o + 2] = '\0';
    }
}

static void imap_after_select(Curl *c)
{
    char sect[300];
    snprintf(sect, sizeof sect, "%s", c->query ? c->query : "");
    if (c->custom)
        imap_send(c, MS_CMD, NULL, "%s%s%s", c->custom, *c->custom_args ? " " : "", c->custom_args);
    else if (c->uid)
        imap_send(c, MS_FETCH, NULL, "UID FETCH %s BODY[%s]", c->uid,
                  c->msgno && c->msgno[0] == '=' ? c->msgno + 1 : "");
    else if (c->msgno && c->msgno[0] != '=')
        imap_send(c, MS_FETCH, NULL, "FETCH %s BODY[]", c->msgno);
    else
        imap_send(c, MS_CMD, NULL, "SEARCH %s", sect);
}

static void imap_perform(Curl *c)
{
    bool fetch = c->uid || (c->msgno && c->msgno[0] != '=');
    char box[300];
    if (c->custom && !c->mailbox) {
        imap_send(c, MS_CMD, NULL, "%s%s%s", c->custom, *c->custom_args ? " " : "", c->custom_args);
    } else if (c->mailbox && (c->custom || fetch || c->query)) {
        atom(c->mailbox, false, box, sizeof box);
        imap_send(c, MS_SELECT, NULL, "SELECT %s", box);
    } else {
        atom(c->mailbox ? c->mailbox : "", true, box, sizeof box);
        imap_send(c, MS_CMD, NULL, "LIST \"%s\" *", box);
    }
}

static void imap_literal(Curl *c, const char *line, size_t len)
{
    size_t n = len + 2 <= c->literal_left ? len + 2 : (size_t)c->literal_left;
    buf_put(&c->lit, line, n < len ? n : len);
    if (n > len)
        buf_put(&c->lit, "\r\n", n - len);
    c->literal_left -= n;
    if (c->literal_left)
        return;
    if (!put_out(c, c->lit.data, c->lit.len))
        return;
    curl_info(c, "Written %zu bytes, 0 bytes are left for transfer", c->lit.len);
    c->downloaded = 0;
    if (n < len && c->verbose) /* the response's end after the literal */
        proc_printf(c->p, CON_STDERR, "< %.*s\r\n", (int)(len - n), line + n);
}

static void imap_line(Curl *c, const char *line, size_t len)
{
    if (c->literal_left) {
        imap_literal(c, line, len);
        return;
    }
    if (c->verbose && c->mstep != MS_END)
        proc_printf(c->p, CON_STDERR, "< %.*s\r\n", (int)len, line);
    bool untagged = len >= 2 && line[0] == '*' && line[1] == ' ';
    char tag[16];
    snprintf(tag, sizeof tag, "A%03u ", c->tag);
    bool tagged = len >= strlen(tag) && strncmp(line, tag, strlen(tag)) == 0;
    const char *rest = tagged ? line + strlen(tag) : "";
    bool ok = tagged && strncasecmp(rest, "OK", 2) == 0;
    switch (c->mstep) {
    case MS_BANNER:
        if (!untagged) {
            fail_close(c, 8, "Got unexpected imap-server response");
            return;
        }
        imap_send(c, MS_CAPA, NULL, "CAPABILITY");
        break;
    case MS_CAPA:
        if (untagged && untagged_is(line, len, "CAPABILITY")) {
            char caps[1200];
            snprintf(caps, sizeof caps, " %.*s ", (int)len, line);
            c->sasl_plain = strstr(caps, " AUTH=PLAIN ") != NULL;
            c->sasl_login = strstr(caps, " SASL-IR ") != NULL; /* initial response */
            c->user_cmd = strstr(caps, " LOGINDISABLED ") == NULL;
            return;
        }
        if (!tagged)
            return;
        if (!c->user) {
            imap_perform(c);
        } else if (c->sasl_plain) {
            char b64[900];
            plain_b64(c, b64, sizeof b64);
            if (c->sasl_login)
                imap_send(c, MS_AUTH_DATA,
                          "AUTHENTICATE PLAIN (the user and password in base64, SASL-IR)",
                          "AUTHENTICATE PLAIN %s", b64);
            else
                imap_send(c, MS_AUTH, NULL, "AUTHENTICATE PLAIN");
        } else if (c->user_cmd) {
            char u[300], pw[300];
            atom(c->user, false, u, sizeof u);
            atom(c->pass, false, pw, sizeof pw);
            imap_send(c, MS_AUTH_DATA, "LOGIN (the user and password)", "LOGIN %s %s", u, pw);
        } else {
            fail_close(c, 67, "No known authentication mechanisms supported!");
        }
        break;
    case MS_AUTH:
        if (len >= 1 && line[0] == '+') {
            char b64[900];
            plain_b64(c, b64, sizeof b64);
            mail_send(c, MS_AUTH_DATA, "the user and password (SASL PLAIN, base64)", "%s", b64);
            return;
        }
        if (tagged)
            fail_close(c, 67, "Login denied");
        break;
    case MS_AUTH_DATA:
        if (!tagged)
            return;
        if (!ok) {
            fail_close(c, 67, "Login denied");
            return;
        }
        imap_perform(c);
        break;
    case MS_SELECT:
        if (!tagged)
            return;
        if (!ok) {
            fail_logout(c, 67, "Select failed", true);
            return;
        }
        imap_after_select(c);
        break;
    case MS_CMD:
        if (untagged && wanted(c, line, len) && (!put_out(c, line, len) || !put_out(c, "\r\n", 2)))
            return;
        if (!tagged)
            return;
        if (!ok) {
            fail_logout(c, 21, "Quote command returned error", false);
            return;
        }
        finish(c);
        break;
    case MS_FETCH:
        if (untagged && untagged_is(line, len, "FETCH") && !c->got_untagged) {
            const char *brace = NULL;
            for (size_t i = len; len && line[len - 1] == '}' && i-- > 0 && !brace;)
                if (line[i] == '{')
                    brace = line + i;
            if (!brace) {
                fail_logout(c, 8, "Failed to parse FETCH response.", true);
                return;
            }
            c->got_untagged = true;
            c->literal_left = strtoull(brace + 1, NULL, 10);
            curl_info(c, "Found %llu bytes to download", (unsigned long long)c->literal_left);
            buf_clear(&c->lit);
            if (!c->literal_left)
                curl_info(c, "Written 0 bytes, 0 bytes are left for transfer");
            return;
        }
        if (!tagged)
            return;
        if (!ok || !c->got_untagged) {
            fail_logout(c, 78, "Remote file not found", false);
            return;
        }
        finish(c);
        break;
    case MS_LOGOUT:
        if (!tagged)
            return;
        curl_meter_line(c, true);
        curl_info(c, "Closing connection 0");
        curl_done(c, c->status);
        break;
    default:
        break;
    }
}

/* ---- shared with curl.c ----------------------------------------------- */

void curl_mail_line(Curl *c, const char *line, size_t len)
{
    if (c->mstep != MS_END && c->meter)
        curl_meter_check(c);
    if (c->pop3)
        pop3_line(c, line, len);
    else
        imap_line(c, line, len);
}

bool curl_mail_lost(Curl *c)
{
    if (c->mstep == MS_END || c->mstep == MS_LOGOUT) {
        if (c->mstep == MS_LOGOUT) {
            curl_meter_line(c, true);
            curl_info(c, "Closing connection 0");
        }
        curl_done(c, c->status);
        return true;
    }
    return false;
}

/* POP3: "/N"; IMAP: "/MAILBOX;UID=N;SECTION=S?QUERY" (msgno keeps
 * MAILINDEX, or "=S" for a section with UID). */
void curl_mail_path(Curl *c, const char *path)
{
    if (c->pop3) {
        c->msgno = curl_url_decode(path, strlen(path));
        return;
    }
    const char *q = strchr(path, '?');
    size_t plen = q ? (size_t)(q - path) : strlen(path);
    if (q && q[1])
        c->query = curl_url_decode(q + 1, strlen(q + 1));
    size_t mlen = strcspn(path, ";?");
    if (mlen > plen)
        mlen = plen;
    size_t ml = mlen;
    while (ml && path[ml - 1] == '/')
        ml--;
    if (ml)
        c->mailbox = curl_url_decode(path, ml);
    char *section = NULL;
    for (const char *p = path + mlen; p < path + plen && *p == ';';) {
        const char *e = memchr(p + 1, ';', (size_t)(path + plen - p - 1));
        if (!e)
            e = path + plen;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq) {
            size_t nl = (size_t)(eq - p - 1);
            char *v = curl_url_decode(eq + 1, (size_t)(e - eq - 1));
            while (*v && v[strlen(v) - 1] == '/')
                v[strlen(v) - 1] = '\0';
            if (nl == 3 && strncasecmp(p + 1, "UID", 3) == 0) {
                free(c->uid);
                c->uid = v;
            } else if (nl == 9 && strncasecmp(p + 1, "MAILINDEX", 9) == 0) {
                free(c->msgno);
                c->msgno = v;
            } else if (nl == 7 && strncasecmp(p + 1, "SECTION", 7) == 0) {
                free(section);
                section = v;
            } else {
                free(v);
            }
        }
        p = e;
    }
    if (section && c->uid && !c->msgno) {
        c->msgno = xmalloc(strlen(section) + 2);
        sprintf(c->msgno, "=%s", section);
    }
    free(section);
}

void curl_mail_free(Curl *c)
{
    free(c->custom);
    free(c->custom_args);
    free(c->mailbox);
    free(c->uid);
    free(c->msgno);
    free(c->query);
    buf_fini(&c->lit);
}
