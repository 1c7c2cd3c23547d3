/* imap_search — SEARCH's keys, as Dovecot 2.3 answers them (imap_search.h).
 * The keys are read once to find a mistake, then once per message. */
#define _DEFAULT_SOURCE
#include "proto/mail/imap_search.h"
#include "proto/mail/mail_access.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct Search {
    const ImapCmd *c;
    size_t pos;
    const ImapSearchView *v;
    size_t seq; /* 0-based; the message asked about */
    const MailMsg *m;
    char *err;
    size_t errsize;
    ImapSearchErr st;
} Search;

static const char *next_word(Search *s)
{
    if (s->pos >= s->c->n_args)
        return NULL;
    const ImapTok *t = &s->c->args[s->pos];
    if (t->kind != IMAP_ATOM && t->kind != IMAP_STRING)
        return NULL;
    s->pos++;
    return t->text;
}

static bool bad(Search *s, const char *fmt, const char *what)
{
    if (s->st == IMAP_SEARCH_OK) {
        s->st = IMAP_SEARCH_BAD;
        snprintf(s->err, s->errsize, fmt, what);
    }
    return false;
}

/* Does the header field name (or the whole text) hold needle, in any case? */
static bool has_text(const char *hay, size_t n, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl == 0)
        return true;
    for (size_t i = 0; i + nl <= n; i++)
        if (strncasecmp(hay + i, needle, nl) == 0)
            return true;
    return false;
}

static bool header_has(const MailMsg *m, const char *field, const char *needle)
{
    char v[2048];
    mail_header(m->text, field, v, sizeof v);
    return *v && has_text(v, strlen(v), needle);
}

static bool body_has(const MailMsg *m, const char *needle, bool with_header)
{
    const char *body = strstr(m->text, "\n\n");
    body = body ? body + 2 : m->text + strlen(m->text);
    const char *from = with_header ? m->text : body;
    return has_text(from, strlen(from), needle);
}

/* "1-Jan-2020" as days since 1970, or -1. */
static long parse_day(const char *s)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int d, y;
    char ms[4];
    char tail;
    if (sscanf(s, "%2d-%3[A-Za-z]-%4d%c", &d, ms, &y, &tail) != 3 || d < 1 || d > 31 || y < 1970)
        return -1;
    for (int i = 0; i < 12; i++)
        if (strcasecmp(ms, mon[i]) == 0) {
            struct tm tm = {.tm_mday = d, .tm_mon = i, .tm_year = y - 1900};
            return (long)(timegm(&tm) / 86400);
        }
    return -1;
}

static bool key(Search *s);

/* Keys up to a ")" (in_list) or the end: all must hold. */
static bool keys(Search *s, bool in_list)
{
    bool all = true, any = false;
    while (s->pos < s->c->n_args) {
        if (s->c->args[s->pos].kind == IMAP_LIST_CLOSE) {
            if (!in_list)
                return bad(s, "Unexpected ')'%s", "");
            break;
        }
        all &= key(s);
        any = true;
        if (s->st != IMAP_SEARCH_OK)
            return false;
    }
    if (!any)
        return bad(s, "Missing search parameters%s", "");
    return all;
}

static bool key(Search *s)
{
    const ImapTok *t = &s->c->args[s->pos];
    if (t->kind == IMAP_LIST_OPEN) {
        s->pos++;
        bool r = keys(s, true);
        if (s->st != IMAP_SEARCH_OK)
            return false;
        if (s->pos >= s->c->n_args)
            return bad(s, "Missing ')'%s", "");
        s->pos++;
        return r;
    }
    const char *w = next_word(s);
    if (!w)
        return bad(s, "Invalid arguments%s", "");
    char k[40];
    snprintf(k, sizeof k, "%s", w);
    for (char *p = k; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    const MailMsg *m = s->m;
    unsigned f = m ? m->flags : 0;
    bool recent = m && m->uid >= s->v->recent_lo && m->uid < s->v->recent_hi;
    static const struct {
        const char *name;
        unsigned bit;
        bool set;
    } flags[] = {{"SEEN", MAIL_FLAG_SEEN, true},         {"UNSEEN", MAIL_FLAG_SEEN, false},
                 {"FLAGGED", MAIL_FLAG_FLAGGED, true},   {"UNFLAGGED", MAIL_FLAG_FLAGGED, false},
                 {"DELETED", MAIL_FLAG_DELETED, true},   {"UNDELETED", MAIL_FLAG_DELETED, false},
                 {"ANSWERED", MAIL_FLAG_ANSWERED, true}, {"UNANSWERED", MAIL_FLAG_ANSWERED, false},
                 {"DRAFT", MAIL_FLAG_DRAFT, true},       {"UNDRAFT", MAIL_FLAG_DRAFT, false}};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (strcmp(k, flags[i].name) == 0)
            return ((f & flags[i].bit) != 0) == flags[i].set;
    if (strcmp(k, "ALL") == 0)
        return true;
    if (strcmp(k, "RECENT") == 0)
        return recent;
    if (strcmp(k, "OLD") == 0)
        return !recent;
    if (strcmp(k, "NEW") == 0)
        return recent && !(f & MAIL_FLAG_SEEN);
    if (strcmp(k, "NOT") == 0) {
        if (s->pos >= s->c->n_args)
            return bad(s, "Missing argument%s", "");
        return !key(s);
    }
    if (strcmp(k, "OR") == 0) {
        if (s->pos >= s->c->n_args)
            return bad(s, "Missing argument%s", "");
        bool a = key(s);
        if (s->st != IMAP_SEARCH_OK)
            return false;
        if (s->pos >= s->c->n_args)
            return bad(s, "Missing argument%s", "");
        bool b = key(s);
        return a || b;
    }
    static const char *const one_arg[] = {"FROM",   "TO",   "CC",     "BCC",     "SUBJECT",
                                          "BODY",   "TEXT", "LARGER", "SMALLER", "UID",
                                          "BEFORE", "ON",   "SINCE",  "HEADER"};
    bool takes = false;
    for (size_t i = 0; i < sizeof one_arg / sizeof *one_arg; i++)
        takes |= strcmp(k, one_arg[i]) == 0;
    if (!takes) {
        /* a sequence set */
        ImapSet set;
        uint32_t star = (uint32_t)s->v->n_view;
        if (!isdigit((unsigned char)w[0]) && w[0] != '*')
            return bad(s, "Unknown argument %s", k);
        if (!imap_parse_set(w, star ? star : 0, &set))
            return bad(s, "Invalid messageset%s", "");
        bool has = m && imap_set_has(&set, (uint32_t)(s->seq + 1));
        imap_set_free(&set);
        return has;
    }
    const char *a = next_word(s);
    if (!a)
        return bad(s, "Missing parameter for search key (for search key: %s)", k);
    if (strcmp(k, "HEADER") == 0) {
        const char *needle = next_word(s);
        if (!needle)
            return bad(s, "Missing parameter for search key (for search key: %s)", k);
        return m && header_has(m, a, needle);
    }
    if (strcmp(k, "LARGER") == 0 || strcmp(k, "SMALLER") == 0) {
        char *end;
        unsigned long long n = strtoull(a, &end, 10);
        if (end == a || *end)
            return bad(s, "Invalid search size parameter%s", "");
        return m && (k[0] == 'L' ? m->size > n : m->size < n);
    }
    if (strcmp(k, "UID") == 0) {
        ImapSet set;
        uint32_t star = s->v->n_view ? s->v->view[s->v->n_view - 1] : UINT32_MAX;
        if (!imap_parse_set(a, star, &set))
            return bad(s, "Invalid uidset%s", "");
        bool has = m && imap_set_has(&set, m->uid);
        imap_set_free(&set);
        return has;
    }
    if (strcmp(k, "BEFORE") == 0 || strcmp(k, "ON") == 0 || strcmp(k, "SINCE") == 0) {
        long day = parse_day(a);
        if (day < 0)
            return bad(s, "Invalid search date parameter%s", "");
        if (!m)
            return false;
        long got = (long)((s->v->epoch_us + m->arrived) / 1000000 / 86400);
        return k[0] == 'B' ? got < day : k[0] == 'O' ? got == day : got >= day;
    }
    if (!m)
        return false;
    if (strcmp(k, "BODY") == 0)
        return body_has(m, a, false);
    if (strcmp(k, "TEXT") == 0)
        return body_has(m, a, true);
    static const char *const fields[][2] = {
        {"FROM", "From"}, {"TO", "To"}, {"CC", "Cc"}, {"BCC", "Bcc"}, {"SUBJECT", "Subject"}};
    for (size_t i = 0; i < 5; i++)
        if (strcmp(k, fields[i][0]) == 0)
            return header_has(m, fields[i][1], a);
    return false;
}

ImapSearchErr imap_search(const ImapCmd *c, size_t from, const ImapSearchView *v, bool *match,
                          char *err, size_t errsize)
{
    Search s = {.c = c, .pos = from, .v = v, .err = err, .errsize = errsize};
    if (s.pos + 1 < c->n_args && c->args[s.pos].kind == IMAP_ATOM &&
        strcasecmp(c->args[s.pos].text, "CHARSET") == 0) {
        const char *cs = c->args[s.pos + 1].text;
        if (!cs || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "US-ASCII") != 0)) {
            snprintf(err, errsize, "[BADCHARSET] Unknown charset");
            return IMAP_SEARCH_NO;
        }
        s.pos += 2;
        from = s.pos;
    }
    keys(&s, false); /* the mistakes, with no message */
    if (s.st != IMAP_SEARCH_OK)
        return s.st;
    for (size_t k = 0; k < v->n_view; k++) {
        long i = mail_box_find(v->mb, v->view[k]);
        match[k] = false;
        if (i < 0)
            continue;
        s.pos = from;
        s.seq = k;
        s.m = &v->mb->msgs[i];
        match[k] = keys(&s, false);
    }
    return IMAP_SEARCH_OK;
}
