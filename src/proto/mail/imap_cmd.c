/* imap_cmd — IMAP command lines and sequence sets, parsed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "proto/mail/imap_cmd.h"
#include "proto/mail/mail_server.h"

static bool atom_char(char c)
{
    return c > ' ' && c != '(' && c != ')' && c != '"' && c != 0x7f;
}

bool imap_literal_at_end(const char *line, size_t len, uint64_t *n, bool *sync)
{
    if (len < 3 || line[len - 1] != '}')
        return false;
    size_t i = len - 1;
    *sync = line[i - 1] != '+';
    i -= !*sync;
    size_t last = i; /* one past the digits */
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
        i--;
    if (i == 0 || i == last || line[i - 1] != '{')
        return false;
    *n = 0;
    for (size_t k = i; k < last; k++)
        *n = *n > UINT32_MAX ? *n : *n * 10 + (uint64_t)(line[k] - '0');
    return true;
}

ImapGatherStep imap_gather(ImapGather *g, const char *line, size_t len, size_t room,
                           ImapGathered *out)
{
    if (!g->on) {
        if (!imap_literal_at_end(line, len, &out->size, &out->sync)) {
            out->cmd = line;
            out->len = len;
            return IMAP_GATHER_WHOLE;
        }
        buf_clear(&g->text);
        buf_put(&g->text, line, len);
        g->on = true;
    } else {
        if (g->left > 0) {
            size_t take = len < g->left ? len : (size_t)g->left;
            buf_put(&g->text, line, take);
            g->left -= take;
            line += take;
            len -= take;
            if (g->left > 0) { /* the line's end is the literal's too */
                size_t crlf = g->left < 2 ? (size_t)g->left : 2;
                buf_put(&g->text, "\r\n", crlf);
                g->left -= crlf;
                return IMAP_GATHER_MORE;
            }
        }
        buf_put(&g->text, line, len);
        if (!imap_literal_at_end(g->text.data, g->text.len, &out->size, &out->sync)) {
            g->on = false;
            out->cmd = g->text.data;
            out->len = g->text.len;
            return IMAP_GATHER_WHOLE;
        }
    }
    if (g->text.len >= room || out->size > room - g->text.len) {
        g->on = false;
        return IMAP_GATHER_TOO_LARGE;
    }
    buf_put(&g->text, "\r\n", 2);
    g->left = out->size;
    return IMAP_GATHER_LITERAL;
}

void imap_gather_fini(ImapGather *g)
{
    buf_fini(&g->text);
    *g = (ImapGather){0};
}

void imap_parse(const char *line, size_t len, ImapCmd *out)
{
    memset(out, 0, sizeof *out);
    out->store = xmalloc(len + 1);
    memcpy(out->store, line, len);
    out->store[len] = '\0';
    char *p = out->store, *end = out->store + len;
    out->err = NULL;
    if (strlen(p) != len) { /* a NUL inside */
        end = p + strlen(p);
        out->bad = true;
    }
    /* tag */
    char *t = p;
    while (p < end && *p != ' ')
        p++;
    if (p == t)
        return;
    out->tag = t;
    if (p < end)
        *p++ = '\0';
    /* command */
    char *c = p;
    while (p < end && *p != ' ')
        p++;
    if (p > c) {
        out->name = c;
        if (p < end)
            *p++ = '\0';
        for (char *q = c; *q; q++)
            *q = (char)toupper((unsigned char)*q);
    }
    int depth = 0;
    while (p < end && out->name) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (out->n_args == IMAP_MAX_ARGS) {
            out->bad = true;
            return;
        }
        ImapTok *k = &out->args[out->n_args];
        if (*p == '(') {
            k->kind = IMAP_LIST_OPEN;
            depth++;
            p++;
        } else if (*p == ')') {
            k->kind = IMAP_LIST_CLOSE;
            if (--depth < 0) {
                out->bad = true;
                out->err = "Unexpected ')'";
                return;
            }
            p++;
        } else if (*p == '"') {
            char *w = ++p;
            k->kind = IMAP_STRING;
            k->text = w;
            for (;;) {
                if (p >= end) {
                    out->bad = true;
                    out->err = "Missing '\"'";
                    return;
                }
                if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
                    p++;
                else if (*p == '"')
                    break;
                *w++ = *p++;
            }
            *w = '\0';
            p++; /* the closing quote */
        } else if (*p == '{') {
            /* A literal: {n} or LITERAL+'s {n+}, CRLF, then n bytes taken
             * as they are (the session gathered them, lines and all). */
            char *brace = p++;
            uint64_t n = 0;
            bool digits = false;
            while (p < end && *p >= '0' && *p <= '9' && n <= UINT32_MAX) {
                n = n * 10 + (uint64_t)(*p++ - '0');
                digits = true;
            }
            bool plus = p < end && *p == '+';
            p += plus;
            if (!digits || p >= end || *p != '}' || n > UINT32_MAX) {
                out->bad = true;
                out->err = "Invalid literal size";
                return;
            }
            p++;
            if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
                out->bad = true;
                out->err = "Missing LF after literal size";
                out->cont_first = !plus;
                return;
            }
            p += 2;
            if ((uint64_t)(end - p) < n) {
                out->bad = true;
                out->err = "Invalid literal size";
                return;
            }
            /* The bytes moved to where the brace was, to end them with a NUL. */
            memmove(brace, p, (size_t)n);
            brace[n] = '\0';
            k->kind = IMAP_STRING;
            k->text = brace;
            k->literal = true;
            k->len = (size_t)n;
            p += n;
        } else {
            k->kind = IMAP_ATOM;
            k->text = p;
            int br = 0;
            while (p < end &&
                   (atom_char(*p) || (br > 0 && (*p == ' ' || *p == '(' || *p == ')')))) {
                if (*p == '[')
                    br++;
                else if (*p == ']')
                    br--;
                p++;
            }
            if (br != 0) {
                out->bad = true;
                return;
            }
            if (p < end) {
                char sep = *p;
                *p = '\0';
                if (sep != ' ') {
                    /* ( ) or " right after an atom: put it back by
                     * re-reading it (shift the rest one to the right is
                     * not needed: handle the two cases here) */
                    out->n_args++;
                    if (out->n_args == IMAP_MAX_ARGS) {
                        out->bad = true;
                        return;
                    }
                    ImapTok *n = &out->args[out->n_args];
                    if (sep == ')') {
                        n->kind = IMAP_LIST_CLOSE;
                        if (--depth < 0) {
                            out->bad = true;
                            out->err = "Unexpected ')'";
                            return;
                        }
                        p++;
                    } else {
                        /* "(" or "\"" glued to an atom: not IMAP */
                        out->bad = true;
                        return;
                    }
                } else {
                    p++;
                }
            }
        }
        out->n_args++;
    }
    if (depth > 0) {
        out->bad = true;
        out->err = "Missing ')'";
    }
}

void imap_cmd_free(ImapCmd *c)
{
    free(c->store);
    c->store = NULL;
}

static bool set_num(const char **p, uint32_t star, uint32_t *v)
{
    if (**p == '*') {
        (*p)++;
        *v = star;
        return true;
    }
    if (**p < '1' || **p > '9')
        return false;
    uint64_t x = 0;
    while (**p >= '0' && **p <= '9') {
        x = x * 10 + (uint64_t)(**p - '0');
        if (x > UINT32_MAX)
            return false;
        (*p)++;
    }
    *v = (uint32_t)x;
    return true;
}

bool imap_parse_set(const char *text, uint32_t star, ImapSet *out)
{
    out->r = NULL;
    out->n = 0;
    size_t cap = 0;
    const char *p = text;
    for (;;) {
        uint32_t a, b;
        if (!set_num(&p, star, &a))
            goto bad;
        b = a;
        if (*p == ':') {
            p++;
            if (!set_num(&p, star, &b))
                goto bad;
        }
        out->r = xgrow(out->r, &cap, out->n + 1, sizeof *out->r);
        out->r[out->n].lo = a < b ? a : b;
        out->r[out->n].hi = a < b ? b : a;
        out->n++;
        if (*p == '\0')
            return true;
        if (*p++ != ',')
            goto bad;
    }
bad:
    imap_set_free(out);
    return false;
}

bool imap_set_has(const ImapSet *s, uint32_t v)
{
    for (size_t i = 0; i < s->n; i++)
        if (v >= s->r[i].lo && v <= s->r[i].hi)
            return true;
    return false;
}

void imap_set_free(ImapSet *s)
{
    free(s->r);
    s->r = NULL;
    s->n = 0;
}

bool imap_parse_flag(const char *f, unsigned *bits, char *bad, size_t size)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"\\SEEN", MAIL_FLAG_SEEN},
                 {"\\ANSWERED", MAIL_FLAG_ANSWERED},
                 {"\\FLAGGED", MAIL_FLAG_FLAGGED},
                 {"\\DELETED", MAIL_FLAG_DELETED},
                 {"\\DRAFT", MAIL_FLAG_DRAFT}};
    if (f[0] != '\\')
        return true; /* a keyword: accepted, not kept */
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(f, names[i].name) == 0) {
            *bits |= names[i].bit;
            return true;
        }
    snprintf(bad, size, "%.60s", f);
    for (char *p = bad; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return false;
}
