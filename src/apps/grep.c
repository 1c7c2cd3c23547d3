/* grep — GNU grep 3.8 as a filter: -v -i -c -n -q -h, -E (extended), -F
 * (fixed strings), -G (basic, the default), -e PATTERN (any number), a
 * pattern of several lines as several patterns.  Regular expressions are
 * POSIX's (regcomp), with glibc's GNU extensions in basic ones (\| \+ \?),
 * as grep's own.
 *
 * File operands are the node's files ("-" and none: standard input), each
 * line prefixed with its input's name when there are several (-h: not).
 * Limits: GNU's other options (-o, -w, -x, -A, …) print a minet message
 * that lists what minet's grep supports. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

/* GNU grep's short options, to tell "not in minet" from "not in grep". */
#define GREP_GNU_OPTS "0123456789ABCDEFGHIJLNPRTUVXZabcdfhilLmnoqrRsuvwxyz"

typedef struct Grep {
    bool invert, icase, count, number, quiet, fixed, extended;
    bool no_names; /* -h: no file name before the lines of several inputs */
    char **pat;
    size_t n_pat;
    regex_t *re;
    size_t n_re;
} Grep;

static void grep_free(void *state)
{
    Grep *g = state;
    for (size_t i = 0; i < g->n_re; i++)
        regfree(&g->re[i]);
    free(g->re);
    for (size_t i = 0; i < g->n_pat; i++)
        free(g->pat[i]);
    free(g->pat);
    free(g);
}

/* A pattern of several lines is several patterns (grep(1), -e). */
static void add_patterns(Grep *g, const char *s)
{
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        g->pat = xrealloc(g->pat, (g->n_pat + 1) * sizeof *g->pat);
        g->pat[g->n_pat++] = xstrndup(s, n);
        if (!nl)
            break;
        s = nl + 1;
    }
}

static void usage(Proc *p)
{
    proc_printf(p, CON_STDERR,
                "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
                "Try 'grep --help' for more information.\n");
}

/* grep's words for regcomp's errors (its own dfa words where they differ). */
static const char *re_error(int err, const regex_t *re, char *buf, size_t size)
{
    if (err == REG_EBRACK)
        return "Unmatched [, [^, [:, [., or [=";
    regerror(err, re, buf, size);
    return buf;
}

static bool compile(Proc *p, Grep *g)
{
    if (g->fixed)
        return true;
    g->re = xcalloc(g->n_pat ? g->n_pat : 1, sizeof *g->re);
    int flags = REG_NOSUB | (g->extended ? REG_EXTENDED : 0) | (g->icase ? REG_ICASE : 0);
    for (size_t i = 0; i < g->n_pat; i++) {
        int err = regcomp(&g->re[i], g->pat[i], flags);
        if (err) {
            char buf[128];
            proc_printf(p, CON_STDERR, "grep: %s\n", re_error(err, &g->re[i], buf, sizeof buf));
            return false;
        }
        g->n_re++;
    }
    return true;
}

/* strcasestr is a GNU extension: a portable one, ASCII case only. */
static bool contains_icase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return n == 0;
}

static bool matches(const Grep *g, const char *line)
{
    for (size_t i = 0; i < g->n_pat; i++) {
        if (g->fixed) {
            if (g->icase ? contains_icase(line, g->pat[i]) : strstr(line, g->pat[i]) != NULL)
                return true;
        } else if (regexec(&g->re[i], line, 0, NULL, 0) == 0)
            return true;
    }
    return false;
}

/* One input: its matching lines (prefixed with its name when there are
 * several inputs), or their count; returns how many matched. */
static size_t grep_one(Proc *p, const Grep *g, const ProcFile *f, bool prefix)
{
    FiltLines l;
    filt_lines(&l, f->data, f->len);
    const char *name = filt_name(f, "(standard input)");
    size_t count = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (matches(g, l.line[i]) == g->invert)
            continue;
        count++;
        if (g->quiet)
            break;
        if (g->count)
            continue;
        if (prefix)
            proc_printf(p, CON_STDOUT, "%s:", name);
        if (g->number)
            proc_printf(p, CON_STDOUT, "%zu:", i + 1);
        proc_printf(p, CON_STDOUT, "%s\n", l.line[i]);
    }
    if (g->count && !g->quiet)
        proc_printf(p, CON_STDOUT, "%s%s%zu\n", prefix ? name : "", prefix ? ":" : "", count);
    filt_lines_fini(&l);
    return count;
}

/* As GNU grep: 0 when a line matched, 1 when none did, 2 when an input
 * could not be read (unless -q found a match: it stops there). */
static void grep_files(Proc *p, ProcFile *f, size_t n)
{
    Grep *g = p->state;
    bool matched = false, failed = false;
    for (size_t i = 0; i < n; i++) {
        if (f[i].err != VFS_OK) {
            proc_printf(p, CON_STDERR, "grep: %s: %s\n", filt_name(&f[i], "(standard input)"),
                        filt_error(&f[i]));
            if (f[i].err == VFS_EISDIR && g->count && !g->quiet) /* it opened: read fails */
                proc_printf(p, CON_STDOUT, "%s%s0\n", n > 1 && !g->no_names ? f[i].name : "",
                            n > 1 && !g->no_names ? ":" : "");
            failed = true;
            continue;
        }
        if (f[i].is_output && !g->count && !g->quiet) { /* it would read its own lines */
            proc_printf(p, CON_STDERR, "grep: %s: input file is also the output\n",
                        filt_name(&f[i], "(standard input)"));
            failed = true;
            continue;
        }
        if (grep_one(p, g, &f[i], n > 1 && !g->no_names) > 0) {
            matched = true;
            if (g->quiet)
                break;
        }
    }
    proc_exit(p, matched && g->quiet ? 0 : failed ? 2 : matched ? 0 : 1);
}

void grep_main(Proc *p, int argc, char **argv)
{
    Grep *g = xcalloc(1, sizeof *g);
    p->state = g;
    p->free_state = grep_free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    bool have_e = false;
    int c;
    while ((c = filt_opt(&o, "vicnqhEFGe:" GREP_GNU_OPTS)) != -1) {
        switch (c) {
        case 'v':
            g->invert = true;
            break;
        case 'i':
            g->icase = true;
            break;
        case 'c':
            g->count = true;
            break;
        case 'n':
            g->number = true;
            break;
        case 'q':
            g->quiet = true;
            break;
        case 'h':
            g->no_names = true;
            break;
        case 'E':
            g->extended = true;
            g->fixed = false;
            break;
        case 'F':
            g->fixed = true;
            g->extended = false;
            break;
        case 'G':
            g->fixed = g->extended = false;
            break;
        case 'e':
            add_patterns(g, o.arg);
            have_e = true;
            break;
        case '?':
        case ':':
            filt_opt_error(p, &o, "grep", c);
            usage(p);
            filt_opts_fini(&o);
            proc_exit(p, 2);
            return;
        default:
            proc_printf(p, CON_STDERR,
                        "grep: minet's grep does not support -%c (it supports -v -i -c -n -q -h "
                        "-E -F -G -e PATTERN)\n",
                        c);
            filt_opts_fini(&o);
            proc_exit(p, 2);
            return;
        }
    }
    size_t first_file = 0;
    if (!have_e) {
        if (o.n_operands == 0) {
            usage(p);
            filt_opts_fini(&o);
            proc_exit(p, 2);
            return;
        }
        add_patterns(g, o.operands[0]);
        first_file = 1;
    }
    if (!compile(p, g)) {
        filt_opts_fini(&o);
        proc_exit(p, 2);
        return;
    }
    proc_read_files(p, o.n_operands ? o.operands + first_file : NULL, o.n_operands - first_file,
                    grep_files);
    filt_opts_fini(&o);
}
