#include "filter.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void filt_opts_init(FiltOpts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->argc = argc;
    o->argv = argv;
    o->i = 1;
}

void filt_opts_fini(FiltOpts *o)
{
    free(o->operands);
    free(o->bad_long);
    o->operands = NULL;
    o->bad_long = NULL;
}

void filt_opts_tool(FiltOpts *o, const FiltLong *longs, const char *gnu, const char *supported)
{
    o->longs = longs;
    o->gnu = gnu;
    o->supported = supported;
}

/* The long option a names ("--name" or "--name=value"): by its exact
 * name, or a beginning that only one name has; NULL if none (*ambiguous
 * when several have it). */
static const FiltLong *long_option(const FiltOpts *o, const char *a, const char **value,
                                   bool *ambiguous)
{
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    *value = eq ? eq + 1 : NULL;
    *ambiguous = false;
    const FiltLong *found = NULL;
    int matches = 0;
    for (const FiltLong *l = o->longs; l && l->name && n; l++) {
        if (strncmp(l->name, name, n) != 0)
            continue;
        if (l->name[n] == '\0')
            return l;                             /* exact */
        if (!found || l->letter != found->letter) /* names of one letter are one option */
            matches++;
        if (!found)
            found = l;
    }
    *ambiguous = matches > 1;
    return matches == 1 ? found : NULL;
}

static void add_operand(FiltOpts *o, char *s)
{
    o->operands = xrealloc(o->operands, (o->n_operands + 1) * sizeof *o->operands);
    o->operands[o->n_operands++] = s;
}

int filt_opt(FiltOpts *o, const char *spec)
{
    o->arg = NULL;
    while (!o->next) {
        if (o->i >= o->argc)
            return -1;
        char *a = o->argv[o->i++];
        if (strcmp(a, "--") == 0) { /* the rest are operands */
            while (o->i < o->argc)
                add_operand(o, o->argv[o->i++]);
            return -1;
        }
        if (a[0] == '-' && a[1] == '-') {
            const char *value;
            bool ambiguous;
            const FiltLong *l = long_option(o, a, &value, &ambiguous);
            char c = l ? l->letter : 0;
            const char *at = c ? strchr(spec, c) : NULL;
            if (at && at[1] == ':' && (value || o->i < o->argc)) {
                o->arg = value ? value : o->argv[o->i++];
                return c;
            }
            if (at && at[1] != ':' && !value)
                return c;
            if (at) { /* named rightly, its value wrong: getopt's words */
                o->bad = 0;
                o->long_noarg = at[1] != ':' ? l->name : NULL;
                o->long_needarg = at[1] == ':' ? l->name : NULL;
                return at[1] == ':' ? ':' : '?';
            }
            free(o->bad_long);
            o->bad_long = xstrdup(a);
            o->bad = c && !at ? c : 0; /* GNU's, which minet's tool lacks */
            o->ambiguous = ambiguous;
            return '?';
        }
        if (a[0] != '-' || a[1] == '\0') { /* "-" is stdin: an operand */
            add_operand(o, a);
            continue;
        }
        o->next = a + 1;
    }
    char c = *o->next++;
    if (!*o->next)
        o->next = NULL;
    const char *at = c != ':' ? strchr(spec, c) : NULL;
    if (!at) {
        o->bad = c;
        return '?';
    }
    if (at[1] != ':')
        return c;
    if (o->next) { /* -e'x': the rest of the word */
        o->arg = o->next;
        o->next = NULL;
        return c;
    }
    if (o->i >= o->argc) {
        o->bad = c;
        return ':';
    }
    o->arg = o->argv[o->i++];
    return c;
}

bool filt_opt_lacking(const FiltOpts *o, int c)
{
    return c == '?' && o->bad && o->gnu && strchr(o->gnu, o->bad);
}

void filt_opt_error(Proc *p, const FiltOpts *o, const char *prog, int c)
{
    if (filt_opt_lacking(o, c) && o->bad_long)
        proc_printf(p, CON_STDERR, "%s: minet's %s does not support %s (it supports %s)\n", prog,
                    prog, o->bad_long, o->supported);
    else if (filt_opt_lacking(o, c))
        proc_printf(p, CON_STDERR, "%s: minet's %s does not support -%c (it supports %s)\n", prog,
                    prog, o->bad, o->supported);
    else if (o->long_noarg)
        proc_printf(p, CON_STDERR, "%s: option '--%s' doesn't allow an argument\n", prog,
                    o->long_noarg);
    else if (o->long_needarg)
        proc_printf(p, CON_STDERR, "%s: option '--%s' requires an argument\n", prog,
                    o->long_needarg);
    else if (c == ':')
        proc_printf(p, CON_STDERR, "%s: option requires an argument -- '%c'\n", prog, o->bad);
    else if (o->ambiguous) { /* getopt's list: the names in the tool's order */
        const char *name = o->bad_long + 2;
        size_t n = strcspn(name, "=");
        proc_printf(p, CON_STDERR, "%s: option '%s' is ambiguous; possibilities:", prog,
                    o->bad_long);
        for (const FiltLong *l = o->longs; l->name; l++)
            if (strncmp(l->name, name, n) == 0)
                proc_printf(p, CON_STDERR, " '--%s'", l->name);
        proc_printf(p, CON_STDERR, "\n");
    } else if (o->bad_long)
        proc_printf(p, CON_STDERR, "%s: unrecognized option '%s'\n", prog, o->bad_long);
    else
        proc_printf(p, CON_STDERR, "%s: invalid option -- '%c'\n", prog, o->bad);
}

void filt_lines(FiltLines *l, const char *data, size_t len)
{
    memset(l, 0, sizeof *l);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && data[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        l->line = xrealloc(l->line, (l->n + 1) * sizeof *l->line);
        l->line[l->n++] = xstrndup(data + start, i - start);
        if (i == len)
            l->no_final_nl = true;
        start = i + 1;
    }
}

void filt_usage_fail(Proc *p, FiltOpts *o, const char *fmt, const char *arg)
{
    proc_printf(p, CON_STDERR, fmt, arg);
    filt_opts_fini(o);
    proc_exit(p, 1);
}

void filt_lines_fini(FiltLines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
    memset(l, 0, sizeof *l);
}

const char *filt_name(const ProcFile *f, const char *stdin_name)
{
    return f->is_stdin ? stdin_name : f->name;
}

const char *filt_error(const ProcFile *f)
{
    return vfs_strerror(f->err);
}

void filt_join(const ProcFile *f, size_t n, Buf *out)
{
    buf_put(out, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (f[i].err != VFS_OK || !f[i].len)
            continue;
        if (out->len && out->data[out->len - 1] != '\n')
            buf_putc(out, '\n');
        buf_put(out, f[i].data, f[i].len);
    }
}

void filt_put_line(Proc *p, const FiltLines *l, size_t i)
{
    bool nl = !(i + 1 == l->n && l->no_final_nl);
    proc_printf(p, CON_STDOUT, "%s%s", l->line[i], nl ? "\n" : "");
}

int filt_each_headed(Proc *p, const ProcFile *f, size_t n, const char *prog, bool quiet,
                     bool verbose, void (*one)(Proc *p, const char *data, size_t len))
{
    bool headers = verbose || (n > 1 && !quiet), first = true;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].err != VFS_OK && f[i].err != VFS_EISDIR) {
            char *q = filt_quoted(f[i].name, true);
            proc_printf(p, CON_STDERR, "%s: cannot open %s for reading: %s\n", prog, q,
                        filt_error(&f[i]));
            free(q);
            status = 1;
            continue;
        }
        if (headers)
            proc_printf(p, CON_STDOUT, "%s==> %s <==\n", first ? "" : "\n",
                        filt_name(&f[i], "standard input"));
        first = false;
        if (f[i].err == VFS_EISDIR) {
            proc_printf(p, CON_STDERR, "%s: error reading '%s': %s\n", prog,
                        filt_name(&f[i], "standard input"), filt_error(&f[i]));
            status = 1;
            continue;
        }
        one(p, f[i].data, f[i].len);
    }
    return status;
}

bool filt_number(const char *s, long long *out)
{
    if (!*s)
        return false;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v > (LLONG_MAX - 9) / 10)
            v = LLONG_MAX / 10 - 1; /* saturates: more lines than any input */
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

/* Whether ls's shell-escape style quotes name: for a blank, a character
 * special to the shell, a control character, or # or ~ at the start; with
 * at_sign (ls -F) also for @, which -F would print after a link. */
bool filt_needs_quotes(const char *name, bool at_sign)
{
    if (!name[0] || name[0] == '#' || name[0] == '~') /* "" is '' */
        return true;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f || strchr(" !\"$&'()*;<=>?[\\^`|", *c) ||
            (*c == '@' && at_sign))
            return true;
    return false;
}

/* Whether name, quoted, may stand between double quotes instead: it has a
 * single quote and nothing that means something there or needs $'...'. */
static bool double_quotable(const char *name)
{
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f || strchr("!\"$&()*;<=>?[\\^`|#~{}", *c))
            return false;
    return true;
}

void filt_quote(Buf *b, const char *name, bool always, bool at_sign)
{
    if (!always && !filt_needs_quotes(name, at_sign)) {
        buf_puts(b, name);
        return;
    }
    if (strchr(name, '\'') && double_quotable(name)) {
        buf_printf(b, "\"%s\"", name);
        return;
    }
    /* single quotes; a ' as '\'', a control character as $'\t' (or
     * $'\177'), the quotes opened again after it ('') */
    bool escaped = false;
    buf_putc(b, '\'');
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        const char *named = strchr("\a\b\f\n\r\t\v", *c);
        if (*c < 0x20 || *c == 0x7f) {
            if (!escaped)
                buf_puts(b, "'$'");
            escaped = true;
            if (named && *c)
                buf_printf(b, "\\%c", "abfnrtv"[named - "\a\b\f\n\r\t\v"]);
            else
                buf_printf(b, "\\%03o", *c);
            continue;
        }
        if (escaped)
            buf_puts(b, "''");
        escaped = false;
        if (*c == '\'')
            buf_puts(b, "'\\''");
        else
            buf_putc(b, (char)*c);
    }
    buf_putc(b, '\'');
}

char *filt_quoted(const char *name, bool always)
{
    Buf b;
    buf_init(&b);
    filt_quote(&b, name, always, false);
    return buf_take(&b);
}

char *filt_locale_quoted(const char *s, size_t n)
{
    static const char named[] = "\a\b\t\n\v\f\r";
    Buf b;
    buf_init(&b);
    buf_puts(&b, "\xe2\x80\x98");
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c ? strchr(named, (char)c) : NULL;
        if (c == '\\')
            buf_puts(&b, "\\\\");
        else if (e)
            buf_printf(&b, "\\%c", "abtnvfr"[e - named]);
        else if (c < 0x20 || c == 0x7f)
            buf_printf(&b, "\\%03o", c);
        else
            buf_putc(&b, (char)c);
    }
    buf_puts(&b, "\xe2\x80\x99");
    return buf_take(&b);
}
