/* cmdline_expand — a command's words expanded as bash expands them when
 * the command runs (bash(1), EXPANSION): tilde expansion, parameter and
 * variable expansion, word splitting of what unquoted expansions give,
 * pathname expansion (globs), quote removal.
 *
 * A word is read again as typed, quotes and all, so that what was quoted
 * is known: a field is built byte by byte with, beside each byte, whether
 * it came unquoted (a * ? [ there is a glob's, a ] ! - there a bracket's).  Command substitution
 * and arithmetic are not offered: a message says so and the command does not run. */
#include "cmdline.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* ---- fields -------------------------------------------------------------- */

typedef struct Field {
    Buf text;
    Buf glob; /* one byte per byte of text: 1 where it came unquoted */
} Field;

typedef struct Strs {
    char **s;
    size_t n, cap;
} Strs;

static void strs_push(Strs *v, char *s)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->s = xrealloc(v->s, v->cap * sizeof *v->s);
    }
    v->s[v->n++] = s;
}

static void strs_free(Strs *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->s[i]);
    free(v->s);
}

typedef struct Exp {
    const CmdEnv *env;
    Field *f;
    size_t n, cap;
    bool open;   /* the last field takes more bytes */
    char *error; /* the first failure's message (allocated) */
    int depth;   /* inside the word of a ${NAME-word}: its blanks split too */
    /* Field splitting, as bash's: the characters of $IFS (space, tab and
     * newline when unset; none split when it is empty), and what the last
     * one did: a run of IFS whitespace ends a field, and a non-whitespace
     * IFS character after it belongs to the same delimiter; each further
     * one ends a field of its own, empty if nothing came between. */
    const char *ifs;
    enum { SPLIT_NONE, SPLIT_WS, SPLIT_SEP } delim;
    /* The command's assignments made before this word (NAME=value), which
     * it sees, as bash assigns them left to right: a=1 b=$a */
    const Strs *assigned;
} Exp;

static bool is_glob_char(char c)
{
    return c == '*' || c == '?' || c == '[';
}

static bool is_ifs(const Exp *x, char c)
{
    return c && strchr(x->ifs, c);
}

static bool is_blank_ifs(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The field that takes bytes now: a new one if none is open. */
static Field *cur(Exp *x)
{
    if (!x->open) {
        if (x->n == x->cap) {
            x->cap = x->cap ? 2 * x->cap : 4;
            x->f = xrealloc(x->f, x->cap * sizeof *x->f);
        }
        Field *f = &x->f[x->n++];
        buf_init(&f->text);
        buf_init(&f->glob);
        x->open = true;
    }
    return &x->f[x->n - 1];
}

/* The longest word minet's shell makes: a line such as x=$x$x x=$x$x …
 * doubles a value each time, past any memory. */
#define WORD_MAX (1u << 20)
#define TOO_LONG "minet: a word would be longer than 1 MiB (minet's shell makes none longer)"

/* A command's words in all: Linux's ARG_MAX, past which execve refuses
 * them (E2BIG); `echo $x $x …` of 1 MiB words would otherwise take the run
 * to gigabytes. */
#define ARGS_MAX (2u << 20)
#define ARGS_TOO_LONG                                                                              \
    "minet: the command's words would pass 2 MiB in all (Argument list too long, as Linux's "      \
    "execve says)"

static void fail(Exp *x, char *msg);

/* Adds n bytes to the open field; unquoted: its glob characters are a
 * glob's. */
static void add(Exp *x, const char *s, size_t n, bool unquoted)
{
    Field *f = cur(x);
    if (f->text.len + n > WORD_MAX) {
        fail(x, xstrdup(TOO_LONG));
        return;
    }
    buf_put(&f->text, s, n);
    for (size_t i = 0; i < n; i++)
        buf_putc(&f->glob, (char)unquoted);
}

/* An IFS character c met while splitting: it ends the open field; a
 * non-whitespace one not joined to the whitespace before it ends an empty
 * field when none is open (a::b gives a, "" and b; a trailing one, none). */
static void delimit(Exp *x, char c)
{
    if (is_blank_ifs(c)) {
        if (x->open)
            x->delim = SPLIT_WS;
        x->open = false;
        return;
    }
    if (!x->open && x->delim != SPLIT_WS)
        cur(x);
    x->open = false;
    x->delim = SPLIT_SEP;
}

/* What an expansion gives: split (unquoted) into fields at $IFS's
 * characters, their glob characters a glob's; or (quoted, or an
 * assignment's value) added as it is.  An unquoted empty value makes no
 * field. */
static void add_value(Exp *x, const char *v, bool split)
{
    if (!split) {
        add(x, v, strlen(v), false);
        return;
    }
    for (; *v; v++) {
        if (is_ifs(x, *v)) {
            delimit(x, *v);
        } else {
            add(x, v, 1, true);
            x->delim = SPLIT_NONE;
        }
    }
}

static void fail(Exp *x, char *msg)
{
    if (x->error)
        free(msg);
    else
        x->error = msg;
}

/* A field's text (an empty Buf has no bytes yet). */
static const char *text_of(const Field *f)
{
    return f->text.data ? f->text.data : "";
}

static void fields_free(Exp *x)
{
    for (size_t i = 0; i < x->n; i++) {
        buf_fini(&x->f[i].text);
        buf_fini(&x->f[i].glob);
    }
    free(x->f);
    x->f = NULL;
    x->n = x->cap = 0;
    x->open = false;
}

/* ---- the parts of a word --------------------------------------------- */

static size_t part(Exp *x, const char *s, size_t n, size_t i, bool split, bool assign);
static size_t dq_part(Exp *x, const char *s, size_t n, size_t i, bool until_quote);

size_t cmdline_brace_end(const char *s, size_t n, size_t i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '$' && i + 1 < n && s[i + 1] == '\'') { /* $'…': \' escapes */
            for (i += 2; i < n && s[i] != '\''; i++)
                i += s[i] == '\\';
        } else if (s[i] == '\'') {
            const char *e = memchr(s + i + 1, '\'', n - i - 1);
            i = e ? (size_t)(e - s) : n;
        } else if (s[i] == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                i += s[i] == '\\';
        } else if (s[i] == '{') {
            depth++;
        } else if (s[i] == '}' && --depth == 0) {
            return i;
        }
    }
    return n;
}

/* A tilde-prefix at s[i] (bash(1), Tilde Expansion): ~ (HOME), ~+ (PWD),
 * ~- (OLDPWD), ~USER; the index after it, or i when it is none (a quote or
 * an expansion inside, an unknown user: the ~ is a character). */
static size_t tilde(Exp *x, const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && s[j] != '/' && s[j] != ':') { /* ~:x is $HOME:x, as in bash */
        if (strchr("'\"\\$`", s[j]))
            return i;
        j++;
    }
    char *user = xstrndup(s + i + 1, j - i - 1);
    const char *home = NULL;
    if (!*user) {
        home = x->env->get(x->env->ctx, "HOME", 4);
        if (!home)
            home = x->env->home_of(x->env->ctx, "");
    } else if (!strcmp(user, "+")) {
        home = x->env->get(x->env->ctx, "PWD", 3);
    } else if (!strcmp(user, "-")) {
        home = x->env->get(x->env->ctx, "OLDPWD", 6);
    } else {
        home = x->env->home_of(x->env->ctx, user);
    }
    free(user);
    if (!home)
        return i;
    add(x, home, strlen(home), false);
    return j;
}

/* The value of a parameter named by len bytes at name (a variable, a
 * digit, or one of ? $ ! # - * @), or NULL when it is unset. */
static const char *param(Exp *x, const char *name, size_t len)
{
    if (len == 1 && name[0] == '0')
        return "bash";
    if (name[0] >= '0' && name[0] <= '9')
        return NULL; /* no positional parameters at a prompt */
    if (len == 1 && name[0] == '#')
        return "0";
    if (len == 1 && name[0] == '-')
        return "himBHs"; /* an interactive bash's flags */
    if (len == 1 && (name[0] == '*' || name[0] == '@'))
        return NULL;
    for (size_t i = x->assigned ? x->assigned->n : 0; i-- > 0;) {
        const char *a = x->assigned->s[i];
        if (!strncmp(a, name, len) && a[len] == '=')
            return a + len + 1;
    }
    return x->env->get(x->env->ctx, name, len);
}

/* The length of the parameter's name at s (n bytes): a variable's name,
 * digits, or one special character; 0 when there is none. */
static size_t name_len(const char *s, size_t n, bool braced)
{
    if (!n)
        return 0;
    if (strchr("?$!#-*@", s[0]) && s[0])
        return 1;
    size_t k = 0;
    if (s[0] >= '0' && s[0] <= '9') { /* $12 is $1 then 2; ${12} is one */
        if (!braced)
            return 1;
        while (k < n && s[k] >= '0' && s[k] <= '9')
            k++;
        return k;
    }
    while (k < n && cmdline_is_name(s, k + 1))
        k++;
    return k;
}

/* The text a ${…} operator's word gives, quotes removed, unsplit. */
static char *word_text(Exp *x, const char *w, size_t n, bool in_dq)
{
    Exp sub = {x->env, NULL, 0, 0, false, NULL, 0, x->ifs, SPLIT_NONE, x->assigned};
    cur(&sub);
    if (in_dq)
        dq_part(&sub, w, n, 0, false);
    else
        part(&sub, w, n, 0, false, false);
    char *text = xstrdup(text_of(&sub.f[0]));
    if (sub.error)
        fail(x, sub.error);
    fields_free(&sub);
    return text;
}

/* The characters of a value: UTF-8's, as bash counts them in the
 * C.UTF-8 locale (${#NAME}). */
static size_t chars_of(const char *v)
{
    size_t n = 0;
    for (; *v; v++)
        n += !utf8_cont(*v);
    return n;
}

/* Is the value of ${!NAME}'s NAME the name of a parameter? */
static bool indirect_name(const char *v)
{
    size_t len = strlen(v);
    return len && (name_len(v, len, true) == len);
}

/* ${body} (blen bytes): ${NAME}, ${#NAME}, ${!NAME} (the parameter NAME
 * names), and ${NAME-word} with - = + ?, each with a colon before it or
 * not. */
static void braced(Exp *x, const char *body, size_t blen, bool split, bool in_dq)
{
    bool length = blen > 1 && body[0] == '#';
    bool indirect = !length && blen > 1 && body[0] == '!' && name_len(body + 1, blen - 1, true);
    const char *name = body + length + indirect;
    size_t k = name_len(name, blen - length - indirect, true);
    const char *rest = name + k;
    size_t rlen = blen - length - indirect - k;
    if (!k || (length && rlen) || (rlen == 1 && rest[0] == ':')) {
        fail(x, xasprintf("bash: ${%.*s}: bad substitution", (int)blen, body));
        return;
    }
    char *nm = xstrndup(name, k);
    const char *v = param(x, nm, k);
    bool names = indirect && rlen == 1 && strchr("*@", rest[0]); /* ${!PREFIX*} */
    if (indirect && !names) {
        if (!v || !indirect_name(v)) {
            fail(x, v ? xasprintf("bash: %s: invalid variable name", v)
                      : xasprintf("bash: %s: invalid indirect expansion", nm));
            free(nm);
            return;
        }
        free(nm);
        k = strlen(v);
        nm = xstrdup(v);
        v = param(x, nm, k);
    }
    if (length) {
        char num[24];
        snprintf(num, sizeof num, "%zu", v ? chars_of(v) : 0);
        add_value(x, num, split);
    } else if (!rlen) {
        add_value(x, v ? v : "", split);
    } else {
        bool colon = rest[0] == ':';
        char op = rlen > (size_t)colon ? rest[colon] : 0;
        const char *w = rest + colon + 1;
        size_t wlen = rlen - colon - 1;
        bool null = !v || (colon && !*v);
        if (op == '-' || op == '+') {
            if ((op == '-') == null) {
                x->depth++;
                if (in_dq)
                    dq_part(x, w, wlen, 0, false);
                else
                    part(x, w, wlen, 0, split, false);
                x->depth--;
            } else if (op == '-') {
                add_value(x, v, split);
            }
        } else if (op == '=' || op == '?') {
            if (!null) {
                add_value(x, v, split);
            } else {
                char *t = word_text(x, w, wlen, in_dq);
                if (op == '?')
                    fail(x, xasprintf("bash: %s: %s", nm,
                                      wlen    ? t
                                      : colon ? "parameter null or not set"
                                              : "parameter not set"));
                else if (!cmdline_is_name(nm, k))
                    fail(x, xasprintf("bash: $%s: cannot assign in this way", nm));
                else {
                    x->env->set(x->env->ctx, nm, k, t);
                    add_value(x, t, split);
                }
                free(t);
            }
        } else if (names || strchr("#%/^,:@", rest[0])) {
            fail(x, xasprintf("minet: ${%.*s}: minet's shell offers ${NAME}, ${#NAME}, "
                              "${!NAME}, ${NAME:-word}, ${NAME:=word}, ${NAME:+word} and "
                              "${NAME:?word} (with or without the colon)",
                              (int)blen, body));
        } else {
            fail(x, xasprintf("bash: ${%.*s}: bad substitution", (int)blen, body));
        }
    }
    free(nm);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The escape after the backslash at s[i] of a $'…' (bash(1), QUOTING):
 * its bytes into out; the index of its last character.  One that is not
 * an escape leaves the backslash. */
static size_t ansi_escape(const char *s, size_t n, size_t i, Buf *out)
{
    static const char from[] = "abeEfnrtv\\'\"?", to[] = "\a\b\x1b\x1b\f\n\r\t\v\\'\"?";
    char e = i + 1 < n ? s[i + 1] : '\0';
    const char *k = e ? strchr(from, e) : NULL;
    if (k) {
        buf_putc(out, to[k - from]);
        return i + 1;
    }
    if (e >= '0' && e <= '7') { /* \nnn: one to three octal digits */
        int v = 0;
        for (int d = 0; d < 3 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; d++)
            v = v * 8 + (s[++i] - '0');
        buf_putc(out, (char)v);
        return i;
    }
    if ((e == 'x' || e == 'u' || e == 'U') && i + 2 < n && hex_digit(s[i + 2]) >= 0) {
        int max = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        i++;
        for (int d = 0; d < max && i + 1 < n && hex_digit(s[i + 1]) >= 0; d++)
            v = v * 16 + (uint32_t)hex_digit(s[++i]);
        if (e == 'x')
            buf_putc(out, (char)v);
        else
            utf8_put(out, v);
        return i;
    }
    if (e == 'c' && i + 2 < n) { /* \cX: control-X, \c? is DEL */
        char c = s[i + 2];
        i += 2;
        if (c == '\\' && i + 1 < n && s[i + 1] == '\\')
            i++; /* \c\\ is control-backslash */
        buf_putc(out, c == '?' ? 0x7f : (char)((c >= 'a' && c <= 'z' ? c - 32 : c) & 0x1f));
        return i;
    }
    buf_putc(out, '\\');
    return i;
}

/* $'…': bash's ANSI-C quoting, from the quote at s[i]; the index after it.
 * A NUL it makes ends what it gives (the rest of the word goes on). */
static size_t ansi_c(Exp *x, const char *s, size_t n, size_t i)
{
    size_t end = i + 1; /* its closing quote: an escaped one is not */
    while (end < n && s[end] != '\'')
        end += s[end] == '\\' ? 2 : 1;
    if (end > n)
        end = n;
    Buf b;
    buf_init(&b);
    for (i++; i < end; i++) {
        if (s[i] == '\\')
            i = ansi_escape(s, end, i, &b);
        else
            buf_putc(&b, s[i]);
    }
    cur(x);
    add(x, b.data ? b.data : "", b.data ? strnlen(b.data, b.len) : 0, false);
    buf_fini(&b);
    return i + 1;
}

/* A $ at s[i]: what follows it, expanded; the index after it. */
static size_t dollar(Exp *x, const char *s, size_t n, size_t i, bool split, bool in_dq)
{
    if (i + 1 >= n) {
        add(x, "$", 1, false);
        return i + 1;
    }
    char c = s[i + 1];
    if (c == '{') {
        size_t e = cmdline_brace_end(s, n, i + 1);
        braced(x, s + i + 2, e - i - 2, split, in_dq);
        return e + 1;
    }
    if (c == '(') {
        bool arith = i + 2 < n && s[i + 2] == '(';
        fail(x, xasprintf("minet: %.*s: minet's shell does not support %s", (int)(n - i), s + i,
                          arith ? "arithmetic expansion" : "command substitution"));
        return n;
    }
    if (c == '\'' && !in_dq)
        return ansi_c(x, s, n, i + 1);
    if (c == '"' && !in_dq) /* $"…": translated by the locale; C's is itself */
        return i + 1;
    size_t k = name_len(s + i + 1, n - i - 1, false);
    if (!k) {
        add(x, "$", 1, false);
        return i + 1;
    }
    const char *v = param(x, s + i + 1, k);
    if (v)
        add_value(x, v, split);
    else if (in_dq)
        cur(x);
    return i + 1 + k;
}

/* The inside of "…" from s[i] (up to its closing quote when until_quote,
 * which the index returned is after; else to n: the word of a ${…}
 * inside "…", where bash removes a quote, a backslash escapes a '}' too
 * and $'…' is read, so "${x:-"a"\}}" is a}). */
static size_t dq_part(Exp *x, const char *s, size_t n, size_t i, bool until_quote)
{
    /* "$@" is no word: there are no positional parameters at a prompt */
    if (until_quote && n - i >= 3 && !memcmp(s + i, "$@\"", 3))
        return i + 3;
    if (until_quote && n - i >= 5 && !memcmp(s + i, "${@}\"", 5))
        return i + 5;
    cur(x); /* "" is a word */
    while (i < n && !x->error) {
        char c = s[i];
        if (c == '"' && until_quote)
            return i + 1;
        if (c == '"') {
            i++;
        } else if (c == '\\' && i + 1 < n &&
                   (cmdline_dq_escapable(s[i + 1]) || (!until_quote && s[i + 1] == '}'))) {
            if (s[i + 1] != '\n')
                add(x, s + i + 1, 1, false);
            i += 2;
        } else if (c == '$' && !until_quote && i + 1 < n && s[i + 1] == '\'') {
            i = ansi_c(x, s, n, i + 1);
        } else if (c == '$') {
            i = dollar(x, s, n, i, false, true);
        } else if (c == '`') {
            fail(x, xasprintf("minet: %.*s: minet's shell does not support command substitution",
                              (int)(n - i), s + i));
            return n;
        } else {
            add(x, &c, 1, false);
            i++;
        }
    }
    return i;
}

/* The word's bytes s[i..n) as typed: quotes, backslashes, expansions.
 * split: unquoted expansions split into fields and globs are live (a
 * command's word); assign: an assignment's value (tildes after each ':'). */
static size_t part(Exp *x, const char *s, size_t n, size_t i, bool split, bool assign)
{
    if (i < n && s[i] == '~')
        i = tilde(x, s, n, i);
    while (i < n && !x->error) {
        char c = s[i];
        if (c == '\'') {
            const char *e = memchr(s + i + 1, '\'', n - i - 1);
            size_t end = e ? (size_t)(e - s) : n;
            cur(x);
            add(x, s + i + 1, end - i - 1, false);
            i = end + 1;
        } else if (c == '"') {
            i = dq_part(x, s, n, i + 1, true);
        } else if (c == '\\') {
            if (i + 1 < n && s[i + 1] != '\n')
                add(x, s + i + 1, 1, false);
            else if (i + 1 >= n) /* a backslash at the very end stays */
                add(x, "\\", 1, false);
            i += 2;
        } else if (c == '$') {
            i = dollar(x, s, n, i, split, false);
        } else if (c == '`') {
            fail(x, xasprintf("minet: %.*s: minet's shell does not support command substitution",
                              (int)(n - i), s + i));
            return n;
        } else if (x->depth && split && is_ifs(x, c)) {
            delimit(x, c);
            i++;
        } else {
            add(x, &c, 1, split);
            x->delim = SPLIT_NONE;
            i++;
            if (assign && c == ':' && i < n && s[i] == '~')
                i = tilde(x, s, n, i);
        }
    }
    return i;
}

/* ---- globs --------------------------------------------------------------- */

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One name of a glob between slashes: as typed (quotes removed), and as
 * fnmatch's pattern (quoted glob characters escaped); live: it has a glob
 * character that came unquoted. */
typedef struct Comp {
    char *lit, *pat;
    bool live;
} Comp;

/* The paths that base (as typed, ending in '/' or empty) and the names
 * c[k..n) give, into out. */
static void walk(const CmdEnv *env, const char *base, const Comp *c, size_t k, size_t n, Strs *out)
{
    if (!c[k].live) {
        char *next = xasprintf("%s%s%s", base, c[k].lit, k + 1 < n ? "/" : "");
        if (k + 1 < n)
            walk(env, next, c, k + 1, n, out);
        else if (env->exists(env->ctx, next)) {
            strs_push(out, next);
            return;
        }
        free(next);
        return;
    }
    CmdDirent *d;
    size_t nd;
    if (!env->list(env->ctx, base, &d, &nd))
        return;
    for (size_t i = 0; i < nd; i++) {
        const char *name = d[i].name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || fnmatch(c[k].pat, name, FNM_PERIOD))
            continue;
        if (k + 1 < n) {
            if (!d[i].dir)
                continue;
            char *next = xasprintf("%s%s/", base, name);
            walk(env, next, c, k + 1, n, out);
            free(next);
        } else {
            strs_push(out, xasprintf("%s%s", base, name));
        }
    }
    cmdline_dirents_free(d, nd);
}

/* A field's words: the paths its glob matches, in byte order; itself
 * when it has no glob or the glob matches nothing. */
static void glob_field(const CmdEnv *env, const Field *f, Strs *out)
{
    bool live = false;
    for (size_t i = 0; i < f->glob.len; i++)
        live |= f->glob.data[i] && is_glob_char(f->text.data[i]);
    if (!live) {
        strs_push(out, xstrndup(text_of(f), f->text.len));
        return;
    }
    const char *t = text_of(f);
    size_t len = f->text.len;
    while (len > 1 && t[len - 1] == '/' && t[len - 2] == '/')
        len--; /* the trailing slashes of a glob: one, as bash gives d/ for *\/\/ */
    Comp *c = xcalloc(len + 1, sizeof *c);
    size_t n = 0;
    const char *base = "";
    size_t i = 0;
    if (len && t[0] == '/') {
        base = "/";
        i = 1;
    }
    while (i <= len) {
        size_t j = i;
        while (j < len && t[j] != '/')
            j++;
        Buf pat;
        buf_init(&pat);
        bool comp_live = false;
        for (size_t k = i; k < j; k++) {
            bool g = f->glob.data[k] != 0;
            comp_live |= g && is_glob_char(t[k]);
            if (!g && strchr("*?[]!^-\\", t[k])) /* quoted: itself, also in […] */
                buf_putc(&pat, '\\');
            buf_putc(&pat, t[k]);
        }
        c[n++] = (Comp){xstrndup(t + i, j - i), buf_take(&pat), comp_live};
        i = j + 1;
    }
    size_t before = out->n;
    walk(env, base, c, 0, n, out);
    if (out->n == before)
        strs_push(out, xstrndup(t, f->text.len));
    else
        qsort(out->s + before, out->n - before, sizeof *out->s, by_bytes);
    for (size_t k = 0; k < n; k++) {
        free(c[k].lit);
        free(c[k].pat);
    }
    free(c);
}

/* ---- a command ------------------------------------------------------- */

void cmdline_dirents_free(CmdDirent *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(d[i].name);
    free(d);
}

/* The words one word as typed gives (into out) after its braces, seeing
 * the assignments made before it; false on a failure, whose message then
 * is in *error. */
static bool expand_one(const CmdEnv *env, const char *raw, const Strs *assigned, Strs *out,
                       char **error)
{
    Exp x = {env, NULL, 0, 0, false, NULL, 0, " \t\n", SPLIT_NONE, assigned};
    const char *ifs = param(&x, "IFS", 3);
    if (ifs)
        x.ifs = ifs;
    /* a word that looks like an assignment gets its tildes (bash's
     * `make DIR=~/x`), and is split and globbed as any other */
    size_t eq = cmdline_assignment(raw);
    if (eq)
        add(&x, raw, eq, true);
    part(&x, raw, strlen(raw), eq, true, eq > 0);
    for (size_t i = 0; i < x.n && !x.error; i++)
        glob_field(env, &x.f[i], out);
    fields_free(&x);
    if (x.error && !*error)
        *error = x.error;
    else
        free(x.error);
    return !*error;
}

/* The most words one word's braces may give: {1..1000000000} would
 * otherwise take the run to gigabytes before ARGS_MAX is reached. */
#define BRACE_WORDS 100000

/* The words one word as typed gives (into out): its braces, then each of
 * their words expanded; false on a failure, whose message then is in
 * *error. */
static bool expand_word(const CmdEnv *env, const char *raw, const Strs *assigned, Strs *out,
                        char **error)
{
    char **words;
    size_t n = cmdline_braces(raw, BRACE_WORDS, &words);
    if (n > BRACE_WORDS) {
        if (!*error)
            *error = xstrdup("minet: a word's braces would give more than 100,000 words or 2 MiB "
                             "(minet's shell makes no more)");
        return false;
    }
    if (!n)
        return expand_one(env, raw, assigned, out, error);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        ok = ok && expand_one(env, words[i], assigned, out, error);
        free(words[i]);
    }
    free(words);
    return ok;
}

/* An assignment as typed, NAME=value or NAME+=value, with the value
 * expanded, after those in assigned: NAME=the whole value (+= appends to
 * the value NAME has). */
static char *expand_assignment(const CmdEnv *env, const char *raw, const Strs *assigned,
                               char **error)
{
    size_t eq = cmdline_assignment(raw);
    bool append = eq > 1 && raw[eq - 2] == '+';
    size_t len = eq - 1 - append; /* the name's */
    Exp x = {env, NULL, 0, 0, false, NULL, 0, " \t\n", SPLIT_NONE, assigned};
    const char *old = append ? param(&x, raw, len) : NULL;
    cur(&x);
    if (old)
        add(&x, old, strlen(old), false);
    part(&x, raw + eq, strlen(raw + eq), 0, false, true);
    char *s = xasprintf("%.*s=%s", (int)len, raw, text_of(&x.f[0]));
    fields_free(&x);
    if (x.error && !*error)
        *error = x.error;
    else
        free(x.error);
    return s;
}

/* Makes c's words, assignments, redirections and error copies of these,
 * in one allocation (the old one freed after: they may live in it); none
 * of them is left to expand. */
static void repack(Cmdline *c, char *const *argv, size_t argc, char *const *assign, size_t nassign,
                   const CmdRedir *redir, size_t nredir, const char *error)
{
    size_t bytes = error ? strlen(error) + 1 : 0;
    for (size_t i = 0; i < argc; i++)
        bytes += strlen(argv[i]) + 1;
    for (size_t i = 0; i < nassign; i++)
        bytes += strlen(assign[i]) + 1;
    for (size_t i = 0; i < nredir; i++)
        bytes += strlen(redir[i].word) + 1;
    CmdRedir *rd = xmalloc(nredir * sizeof *rd + (argc + 1 + nassign) * sizeof(char *) + bytes);
    char **av = (char **)(rd + nredir);
    char **as = av + argc + 1;
    char *w = (char *)(as + nassign);
#define COPY(dst, src)                                                                             \
    do {                                                                                           \
        size_t len_ = strlen(src) + 1;                                                             \
        memcpy(w, src, len_);                                                                      \
        (dst) = w;                                                                                 \
        w += len_;                                                                                 \
    } while (0)
    for (size_t i = 0; i < argc; i++)
        COPY(av[i], argv[i]);
    av[argc] = NULL;
    for (size_t i = 0; i < nassign; i++)
        COPY(as[i], assign[i]);
    for (size_t i = 0; i < nredir; i++) {
        rd[i] = (CmdRedir){redir[i].op, redir[i].fd, NULL, NULL, redir[i].ambiguous};
        COPY(rd[i].word, redir[i].word);
    }
    const char *err = NULL;
    if (error)
        COPY(err, error);
#undef COPY
    free(c->mem);
    *c = (Cmdline){.argv = av,
                   .argc = argc,
                   .redir = rd,
                   .nredir = nredir,
                   .assign = as,
                   .nassign = nassign,
                   .error = err,
                   .mem = rd};
}

void cmdline_set_words(Cmdline *c, const char *const *words, size_t n)
{
    repack(c, (char *const *)words, n, c->assign, c->nassign, c->redir, c->nredir, c->error);
}

/* Is there anything to expand in the word as typed? */
static bool expandable(const char *raw)
{
    return raw && cmdline_expandable(raw, strlen(raw));
}

/* The redirections' words of c expanded into redir (as typed when they
 * give no word or several: bash's ambiguous redirect); the words made
 * into keep. */
static void expand_redirs(const Cmdline *c, const CmdEnv *env, const Strs *assigned,
                          CmdRedir *redir, Strs *keep, char **error)
{
    for (size_t i = 0; i < c->nredir; i++) {
        redir[i] = c->redir[i];
        if (*error || !c->redir[i].raw || !strncmp(c->redir[i].op, "<<", 2))
            continue; /* a here-string is no file (and minet's shell has none) */
        Strs one = {0};
        bool ok = expand_word(env, c->redir[i].raw, assigned, &one, error);
        if (ok && one.n == 1) {
            redir[i].word = one.s[0];
            strs_push(keep, one.s[0]);
            free(one.s);
        } else {
            redir[i].word = c->redir[i].raw; /* bash names it as typed */
            redir[i].ambiguous = ok;
            strs_free(&one);
        }
    }
}

void cmdline_expand(Cmdline *c, const CmdEnv *env)
{
    bool any = c->nassign > 0; /* a += needs the value before it */
    for (size_t i = 0; i < c->argc && !any; i++)
        any = c->raw && expandable(c->raw[i]);
    for (size_t i = 0; i < c->nredir && !any; i++)
        any = expandable(c->redir[i].raw);
    if (!any)
        return;
    char *error = NULL;
    Strs argv = {0}, assign = {0}, keep = {0};
    size_t total = 0; /* the words' bytes so far */
    for (size_t i = 0; i < c->argc && !error; i++) {
        size_t before = argv.n;
        if (c->raw && c->raw[i])
            expand_word(env, c->raw[i], NULL, &argv, &error);
        else
            strs_push(&argv, xstrdup(c->argv[i]));
        for (size_t k = before; k < argv.n; k++)
            total += strlen(argv.s[k]) + 1;
        if (total > ARGS_MAX && !error)
            error = xstrdup(ARGS_TOO_LONG);
    }
    /* bash expands a command's redirections before its assignments
     * (x=f cat > $x is ambiguous), but assigns first when there is no
     * command (x=f > $x makes f) */
    CmdRedir *redir = xcalloc(c->nredir + 1, sizeof *redir);
    bool alone = !argv.n && !error;
    if (!alone)
        expand_redirs(c, env, NULL, redir, &keep, &error);
    for (size_t i = 0; i < c->nassign && !error; i++)
        strs_push(&assign, c->assign_raw ? expand_assignment(env, c->assign_raw[i], &assign, &error)
                                         : xstrdup(c->assign[i]));
    if (alone)
        expand_redirs(c, env, &assign, redir, &keep, &error);
    repack(c, argv.s, argv.n, assign.s, assign.n, redir, c->nredir, error);
    strs_free(&argv);
    strs_free(&assign);
    strs_free(&keep);
    free(error);
    free(redir);
}
