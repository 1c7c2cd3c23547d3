/* imap_fetch — FETCH's items and responses, as Dovecot 2.3 writes them
 * (imap_fetch.h).  Limit: BODY and BODYSTRUCTURE describe every message
 * as one text/plain part. */
#define _DEFAULT_SOURCE
#include "proto/mail/imap_fetch.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* An IMAP string: an atom-safe quoted string, or a literal. */
void imap_put_string(Buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "NIL");
        return;
    }
    bool literal = false;
    for (const char *p = s; *p; p++)
        if (*p == '\r' || *p == '\n' || (unsigned char)*p >= 0x80)
            literal = true;
    if (literal) {
        buf_printf(b, "{%zu}\r\n%s", strlen(s), s);
        return;
    }
    buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

void imap_put_flags(Buf *b, unsigned f, bool recent)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {{MAIL_FLAG_ANSWERED, "\\Answered"},
                 {MAIL_FLAG_FLAGGED, "\\Flagged"},
                 {MAIL_FLAG_DELETED, "\\Deleted"},
                 {MAIL_FLAG_SEEN, "\\Seen"},
                 {MAIL_FLAG_DRAFT, "\\Draft"}};
    buf_putc(b, '(');
    bool first = true;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (f & order[i].bit) {
            buf_printf(b, "%s%s", first ? "" : " ", order[i].name);
            first = false;
        }
    if (recent)
        buf_printf(b, "%s\\Recent", first ? "" : " ");
    buf_putc(b, ')');
}

static bool parse_item(const char *text, FetchItem *it, char *err, size_t errsize)
{
    memset(it, 0, sizeof *it);
    char up[256];
    snprintf(up, sizeof up, "%s", text);
    for (char *p = up; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    static const struct {
        const char *name;
        FetchKind kind;
    } simple[] = {{"FLAGS", F_FLAGS},
                  {"UID", F_UID},
                  {"RFC822.SIZE", F_SIZE},
                  {"INTERNALDATE", F_DATE},
                  {"ENVELOPE", F_ENVELOPE},
                  {"RFC822", F_RFC822},
                  {"RFC822.HEADER", F_RFC822_HEADER},
                  {"RFC822.TEXT", F_RFC822_TEXT},
                  {"BODY", F_STRUCTURE},
                  {"BODYSTRUCTURE", F_BODYSTRUCTURE}};
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        if (strcmp(up, simple[i].name) == 0) {
            it->kind = simple[i].kind;
            return true;
        }
    const char *p = up;
    if (strncmp(p, "BODY.PEEK[", 10) == 0) {
        it->peek = true;
        p += 10;
    } else if (strncmp(p, "BODY[", 5) == 0) {
        p += 5;
    } else {
        snprintf(err, errsize, "Unknown parameter: %.60s", up);
        return false;
    }
    it->kind = F_BODY;
    const char *close = strchr(p, ']');
    if (!close)
        goto invalid;
    snprintf(it->section, sizeof it->section, "%.*s", (int)(close - p), p);
    const char *s = it->section;
    if (!(*s == '\0' || strcmp(s, "HEADER") == 0 || strcmp(s, "TEXT") == 0 || strcmp(s, "1") == 0 ||
          strncmp(s, "HEADER.FIELDS (", 15) == 0 || strncmp(s, "HEADER.FIELDS.NOT (", 19) == 0))
        goto invalid;
    p = close + 1;
    if (*p == '<') {
        char *end;
        it->partial = true;
        it->start = strtoull(p + 1, &end, 10);
        if (end == p + 1 || *end != '.')
            goto invalid;
        const char *q = end + 1;
        it->count = strtoull(q, &end, 10);
        if (end == q || *end != '>' || end[1] != '\0')
            goto invalid;
        return true;
    }
    if (*p == '\0')
        return true;
invalid:
    snprintf(err, errsize, "Invalid BODY[..] section");
    return false;
}

/* Part of the message as CRLF text: the whole, its header (with the blank
 * line) or its body; fields: HEADER.FIELDS[.NOT]'s names. */
static void message_part(const char *text, const char *section, Buf *out)
{
    bool header_only = strncmp(section, "HEADER", 6) == 0;
    bool text_only = strcmp(section, "TEXT") == 0 || strcmp(section, "1") == 0;
    const char *fields = NULL;
    bool not = false;
    if (strncmp(section, "HEADER.FIELDS.NOT (", 19) == 0) {
        fields = section + 19;
        not = true;
    } else if (strncmp(section, "HEADER.FIELDS (", 15) == 0) {
        fields = section + 15;
    }
    bool in_body = false, keep = true;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (!in_body) {
            if (len == 0) {
                in_body = true;
                if (!text_only)
                    buf_puts(out, "\r\n");
                if (header_only)
                    return;
            } else if (!text_only) {
                if (fields && p[0] != ' ' && p[0] != '\t') {
                    size_t nl = strcspn(p, ":\n");
                    keep = false;
                    for (const char *f = fields; *f && *f != ')';) {
                        size_t fl = strcspn(f, " )");
                        if (fl == nl && strncasecmp(f, p, nl) == 0)
                            keep = true;
                        f += fl;
                        while (*f == ' ')
                            f++;
                    }
                    if (not )
                        keep = !keep;
                }
                if (!fields || keep) {
                    buf_put(out, p, len);
                    buf_puts(out, "\r\n");
                }
            }
        } else if (!header_only) {
            buf_put(out, p, len);
            buf_puts(out, "\r\n");
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    if (!in_body && !text_only)
        buf_puts(out, "\r\n");
}

static void put_addresses(Buf *b, const char *value)
{
    if (!value || !*value) {
        buf_puts(b, "NIL");
        return;
    }
    buf_putc(b, '(');
    const char *p = value;
    bool any = false;
    while (*p) {
        size_t len = strcspn(p, ",");
        char one[400];
        snprintf(one, sizeof one, "%.*s", (int)(len < 399 ? len : 399), p);
        p += len + (p[len] == ',');
        char *s = one;
        while (*s == ' ')
            s++;
        if (!*s)
            continue;
        char name[400] = "", addr[400];
        char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        if (lt && gt) {
            snprintf(addr, sizeof addr, "%.*s", (int)(gt - lt - 1), lt + 1);
            char *e = lt;
            while (e > s && e[-1] == ' ')
                e--;
            if (*s == '"' && e > s + 1 && e[-1] == '"') {
                s++;
                e--;
            }
            snprintf(name, sizeof name, "%.*s", (int)(e - s), s);
        } else {
            snprintf(addr, sizeof addr, "%s", s);
            size_t n = strlen(addr);
            while (n && addr[n - 1] == ' ')
                addr[--n] = '\0';
        }
        char *at = strrchr(addr, '@');
        if (at)
            *at = '\0';
        buf_putc(b, '(');
        imap_put_string(b, *name ? name : NULL);
        buf_puts(b, " NIL ");
        imap_put_string(b, addr);
        buf_putc(b, ' ');
        imap_put_string(b, at ? at + 1 : NULL);
        buf_putc(b, ')');
        any = true;
    }
    if (!any)
        buf_puts(b, "(NIL NIL NIL NIL)");
    buf_putc(b, ')');
}

static void put_envelope(Buf *b, const char *text)
{
    char v[1024], from[1024];
    buf_puts(b, "ENVELOPE (");
    mail_header(text, "Date", v, sizeof v);
    imap_put_string(b, *v ? v : NULL);
    buf_putc(b, ' ');
    mail_header(text, "Subject", v, sizeof v);
    imap_put_string(b, *v ? v : NULL);
    buf_putc(b, ' ');
    mail_header(text, "From", from, sizeof from);
    put_addresses(b, from);
    buf_putc(b, ' ');
    mail_header(text, "Sender", v, sizeof v);
    put_addresses(b, *v ? v : from);
    buf_putc(b, ' ');
    mail_header(text, "Reply-To", v, sizeof v);
    put_addresses(b, *v ? v : from);
    static const char *const rest[] = {"To", "Cc", "Bcc"};
    for (size_t i = 0; i < 3; i++) {
        buf_putc(b, ' ');
        mail_header(text, rest[i], v, sizeof v);
        put_addresses(b, v);
    }
    buf_putc(b, ' ');
    mail_header(text, "In-Reply-To", v, sizeof v);
    imap_put_string(b, *v ? v : NULL);
    buf_putc(b, ' ');
    mail_header(text, "Message-Id", v, sizeof v);
    imap_put_string(b, *v ? v : NULL);
    buf_putc(b, ')');
}

static void put_structure(Buf *b, const char *text, bool ext)
{
    Buf body;
    buf_init(&body);
    message_part(text, "TEXT", &body);
    size_t lines = 0;
    for (size_t i = 0; i < body.len; i++)
        lines += body.data[i] == '\n';
    buf_printf(b, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" %zu %zu%s)",
               body.len, lines, ext ? " NIL NIL NIL NIL" : "");
    buf_fini(&body);
}

static void internal_date(int64_t epoch_us, SimTime t, char *out, size_t size)
{
    time_t when = (time_t)((epoch_us + t) / 1000000);
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(out, size, "%d-%b-%Y %H:%M:%S +0000", &tm);
}

static void put_literal(Buf *b, const char *name, const FetchItem *it, const Buf *part)
{
    size_t start = 0, n = part->len;
    if (it->partial) {
        start = it->start < part->len ? (size_t)it->start : part->len;
        n = part->len - start;
        if (it->count < n)
            n = (size_t)it->count;
        buf_printf(b, "%s<%" PRIu64 "> {%zu}\r\n", name, it->start, n);
    } else {
        buf_printf(b, "%s {%zu}\r\n", name, n);
    }
    if (n)
        buf_put(b, part->data + start, n);
}

bool imap_fetch_sets_seen(const FetchItem *items, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        FetchKind kd = items[k].kind;
        if ((kd == F_BODY && !items[k].peek) || kd == F_RFC822 || kd == F_RFC822_TEXT)
            return true;
    }
    return false;
}

bool imap_fetch_wants(const FetchItem *items, size_t n, FetchKind kind)
{
    for (size_t k = 0; k < n; k++)
        if (items[k].kind == kind)
            return true;
    return false;
}

void imap_fetch_response(Buf *b, size_t seq, const MailMsg *m, const FetchItem *items, size_t n,
                         bool uid_cmd, bool add_flags, bool recent, int64_t epoch_us)
{
    bool wants_uid = imap_fetch_wants(items, n, F_UID);
    buf_printf(b, "* %zu FETCH (", seq);
    const char *sp = "";
    if (uid_cmd && !wants_uid) {
        buf_printf(b, "UID %" PRIu32, m->uid);
        sp = " ";
    }
    if (add_flags) {
        buf_printf(b, "%sFLAGS ", sp);
        imap_put_flags(b, m->flags, recent);
        sp = " ";
    }
    for (size_t k = 0; k < n; k++) {
        const FetchItem *it = &items[k];
        buf_puts(b, sp);
        sp = " ";
        char d[64];
        Buf part;
        buf_init(&part);
        switch (it->kind) {
        case F_FLAGS:
            buf_puts(b, "FLAGS ");
            imap_put_flags(b, m->flags, recent);
            break;
        case F_UID:
            buf_printf(b, "UID %" PRIu32, m->uid);
            break;
        case F_SIZE:
            buf_printf(b, "RFC822.SIZE %zu", m->size);
            break;
        case F_DATE:
            internal_date(epoch_us, m->arrived, d, sizeof d);
            buf_printf(b, "INTERNALDATE \"%s\"", d);
            break;
        case F_ENVELOPE:
            put_envelope(b, m->text);
            break;
        case F_STRUCTURE:
        case F_BODYSTRUCTURE:
            buf_puts(b, it->kind == F_STRUCTURE ? "BODY " : "BODYSTRUCTURE ");
            put_structure(b, m->text, it->kind == F_BODYSTRUCTURE);
            break;
        case F_RFC822:
        case F_RFC822_HEADER:
        case F_RFC822_TEXT:
        case F_BODY: {
            const char *sec = it->kind == F_RFC822          ? ""
                              : it->kind == F_RFC822_HEADER ? "HEADER"
                              : it->kind == F_RFC822_TEXT   ? "TEXT"
                                                            : it->section;
            message_part(m->text, sec, &part);
            char name[260];
            if (it->kind == F_BODY)
                snprintf(name, sizeof name, "BODY[%s]", it->section);
            else
                snprintf(name, sizeof name, "%s",
                         it->kind == F_RFC822          ? "RFC822"
                         : it->kind == F_RFC822_HEADER ? "RFC822.HEADER"
                                                       : "RFC822.TEXT");
            put_literal(b, name, it, &part);
            break;
        }
        }
        buf_fini(&part);
    }
    buf_puts(b, ")\r\n");
}

bool imap_fetch_items(const ImapCmd *c, size_t from, FetchItem *items, size_t *n, char *err,
                      size_t errsize)
{
    *n = 0;
    if (from >= c->n_args)
        return snprintf(err, errsize, "Invalid arguments"), false;
    const ImapTok *a = &c->args[from];
    if (a->kind == IMAP_ATOM && from + 1 == c->n_args) {
        const char *macro = NULL;
        if (strcasecmp(a->text, "ALL") == 0)
            macro = "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE";
        else if (strcasecmp(a->text, "FAST") == 0)
            macro = "FLAGS INTERNALDATE RFC822.SIZE";
        else if (strcasecmp(a->text, "FULL") == 0)
            macro = "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY";
        if (macro) {
            char tmp[80];
            snprintf(tmp, sizeof tmp, "%s", macro);
            for (char *w = strtok(tmp, " "); w; w = strtok(NULL, " "))
                parse_item(w, &items[(*n)++], err, errsize);
            return true;
        }
        return parse_item(a->text, &items[(*n)++], err, errsize);
    }
    if (a->kind != IMAP_LIST_OPEN || c->args[c->n_args - 1].kind != IMAP_LIST_CLOSE)
        return snprintf(err, errsize, "Invalid arguments"), false;
    for (size_t i = from + 1; i + 1 < c->n_args; i++) {
        if (c->args[i].kind != IMAP_ATOM || *n == IMAP_FETCH_MAX_ITEMS)
            return snprintf(err, errsize, "Invalid arguments"), false;
        if (!parse_item(c->args[i].text, &items[(*n)++], err, errsize))
            return false;
    }
    if (*n == 0)
        return snprintf(err, errsize, "Invalid arguments"), false;
    /* an item asked twice is answered once */
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        bool dup = false;
        for (size_t j = 0; j < kept; j++)
            dup |= items[j].kind == items[i].kind && items[j].peek == items[i].peek &&
                   items[j].partial == items[i].partial && items[j].start == items[i].start &&
                   items[j].count == items[i].count &&
                   strcmp(items[j].section, items[i].section) == 0;
        if (!dup)
            items[kept++] = items[i];
    }
    *n = kept;
    return true;
}
