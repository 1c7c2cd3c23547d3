/* cut — GNU coreutils 9.1's cut as a filter: -f LIST with -d C (default
 * a tab) and -s, -b LIST, -c LIST (bytes; cut counts characters as bytes
 * too).  LIST is N, N-M, N-, -M, separated by commas; the parts print in
 * input order, as cut prints them.  Standard input only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Range {
    long long lo, hi; /* hi: 0 for "to the end" */
} Range;

typedef struct Cut {
    char mode; /* 'f', 'b' or 'c' */
    char delim;
    bool only_delimited;
    Range *r;
    size_t n;
} Cut;

static void cut_free(void *state)
{
    Cut *c = state;
    free(c->r);
    free(c);
}

static bool wanted(const Cut *c, long long k)
{
    for (size_t i = 0; i < c->n; i++)
        if (k >= c->r[i].lo && (c->r[i].hi == 0 || k <= c->r[i].hi))
            return true;
    return false;
}

static void cut_line(Proc *p, const Cut *c, const char *line)
{
    if (c->mode != 'f') {
        for (size_t i = 0; line[i]; i++)
            if (wanted(c, (long long)i + 1))
                proc_printf(p, CON_STDOUT, "%c", line[i]);
        proc_printf(p, CON_STDOUT, "\n");
        return;
    }
    if (!strchr(line, c->delim)) {
        if (!c->only_delimited)
            proc_printf(p, CON_STDOUT, "%s\n", line);
        return;
    }
    long long k = 1;
    bool first = true;
    for (const char *s = line;; k++) {
        const char *end = strchr(s, c->delim);
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (wanted(c, k)) {
            proc_printf(p, CON_STDOUT, "%s%.*s", first ? "" : (char[]){c->delim, 0}, (int)n, s);
            first = false;
        }
        if (!end)
            break;
        s = end + 1;
    }
    proc_printf(p, CON_STDOUT, "\n");
}

/* Each input in turn; one that cannot be read is said (status 1). */
static void cut_files(Proc *p, ProcFile *in, size_t n_in)
{
    Cut *c = p->state;
    int status = 0;
    for (size_t k = 0; k < n_in; k++) {
        if (in[k].err != VFS_OK) {
            char *q = filt_quoted(in[k].name, false); /* GNU's quoting, as wc's */
            proc_printf(p, CON_STDERR, "cut: %s: %s\n", q, filt_error(&in[k]));
            free(q);
            status = 1;
            continue;
        }
        FiltLines l;
        filt_lines(&l, in[k].data, in[k].len);
        for (size_t i = 0; i < l.n; i++)
            cut_line(p, c, l.line[i]);
        filt_lines_fini(&l);
    }
    proc_exit(p, status);
}

/* Parses LIST; on error returns cut's message (without "cut: "). */
static const char *parse_list(Cut *c, const char *list, char *buf, size_t size)
{
    const char *s = list;
    for (;;) {
        size_t n = strcspn(s, ",");
        char *part = xstrndup(s, n);
        Range r = {1, 0};
        char *dash = strchr(part, '-');
        const char *err = NULL;
        if (dash) {
            *dash = '\0';
            if (!*part && !dash[1])
                err = "invalid range with no endpoint: -";
            else if ((*part && !filt_number(part, &r.lo)) ||
                     (dash[1] && !filt_number(dash + 1, &r.hi)))
                err = "bad";
            else if (!*part)
                r.lo = 1;
        } else if (filt_number(part, &r.lo))
            r.hi = r.lo;
        else
            err = "bad";
        if (!err && (r.lo == 0 || (dash && dash[1] && r.hi == 0)))
            err = c->mode == 'f' ? "fields are numbered from 1"
                                 : "byte/character positions are numbered from 1";
        else if (!err && r.hi && r.hi < r.lo)
            err = "invalid decreasing range";
        if (err && !strcmp(err, "bad")) {
            snprintf(buf, size, "%s \xe2\x80\x98%s\xe2\x80\x99",
                     c->mode == 'f' ? "invalid field value" : "invalid byte or character range",
                     *part || !dash ? part : dash + 1);
            if (dash && *part && filt_number(part, &r.lo))
                snprintf(buf, size, "%s \xe2\x80\x98%s\xe2\x80\x99",
                         c->mode == 'f' ? "invalid field value" : "invalid byte or character range",
                         dash + 1);
            err = buf;
        }
        free(part);
        if (err)
            return err;
        c->r = xrealloc(c->r, (c->n + 1) * sizeof *c->r);
        c->r[c->n++] = r;
        if (!s[n])
            return NULL;
        s += n + 1;
    }
}

static void fail(Proc *p, FiltOpts *o, const char *msg)
{
    if (msg)
        proc_printf(p, CON_STDERR, "cut: %s\n", msg);
    proc_printf(p, CON_STDERR, "Try 'cut --help' for more information.\n");
    filt_opts_fini(o);
    proc_exit(p, 1);
}

void cut_main(Proc *p, int argc, char **argv)
{
    Cut *c = xcalloc(1, sizeof *c);
    c->delim = '\t';
    p->state = c;
    p->free_state = cut_free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    const char *list = NULL, *delim = NULL;
    int ch;
    while ((ch = filt_opt(&o, "b:c:d:f:snz")) != -1) {
        if (ch == 'b' || ch == 'c' || ch == 'f') {
            if (list) {
                fail(p, &o, "only one list may be specified");
                return;
            }
            list = o.arg;
            c->mode = (char)ch;
        } else if (ch == 'd')
            delim = o.arg;
        else if (ch == 's')
            c->only_delimited = true;
        else if (ch == 'n')
            ; /* ignored, as by cut */
        else if (ch == '?' || ch == ':') {
            filt_opt_error(p, &o, "cut", ch);
            fail(p, &o, NULL);
            return;
        } else {
            proc_printf(p, CON_STDERR,
                        "cut: minet's cut does not support -%c (it supports -f, -d, -s, -b and "
                        "-c)\n",
                        ch);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    }
    if (!list) {
        fail(p, &o, "you must specify a list of bytes, characters, or fields");
        return;
    }
    char buf[160];
    const char *err = parse_list(c, list, buf, sizeof buf);
    if (err) {
        fail(p, &o, err);
        return;
    }
    if (delim && c->mode != 'f') {
        fail(p, &o, "an input delimiter may be specified only when operating on fields");
        return;
    }
    if (delim && strlen(delim) > 1) {
        fail(p, &o, "the delimiter must be a single character");
        return;
    }
    if (delim)
        c->delim = *delim ? *delim : '\0';
    proc_read_files(p, o.operands, o.n_operands, cut_files);
    filt_opts_fini(&o);
}
