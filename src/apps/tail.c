/* tail — GNU coreutils 9.1's tail as a filter: -n N (the last N lines),
 * -n +N (from line N on), -N, +N, -q, -v; file operands from the node's
 * files, each under "==> NAME <==" when there are several.  -c, -f and
 * the other options print a minet message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Tail {
    long long n;
    bool from;           /* -n +N */
    bool quiet, verbose; /* -q: never the "==> NAME <==" headers; -v: always */
} Tail;

static void tail_one(Proc *p, const char *data, size_t len)
{
    const Tail *t = p->state;
    FiltLines l;
    filt_lines(&l, data, len);
    size_t start = 0;
    if (t->from)
        start = t->n > 1 ? (size_t)(t->n - 1) : 0;
    else if ((long long)l.n > t->n)
        start = l.n - (size_t)t->n;
    for (size_t i = start; i < l.n; i++)
        filt_put_line(p, &l, i);
    filt_lines_fini(&l);
}

static void tail_files(Proc *p, ProcFile *f, size_t n)
{
    Tail *t = p->state;
    proc_exit(p, filt_each_headed(p, f, n, "tail", t->quiet, t->verbose, tail_one));
}

void tail_main(Proc *p, int argc, char **argv)
{
    Tail *t = xcalloc(1, sizeof *t);
    t->n = 10;
    p->state = t;
    p->free_state = free;
    int skip = 0;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9' &&
        filt_number(argv[1] + 1, &t->n))
        skip = 1; /* the old form -N */
    /* The old form +N (from line N on), which GNU's tail still takes when
     * one file at most follows: tail +2 FILE. */
    bool one_file = argc == 2 || (argc == 3 && !(argv[2][0] == '-' && argv[2][1])) ||
                    ((argc == 3 || argc == 4) && strcmp(argv[2], "--") == 0);
    if (!skip && one_file && argv[1][0] == '+' && argv[1][1] >= '0' && argv[1][1] <= '9') {
        char *num = xstrdup(argv[1] + 1);
        size_t len = strlen(num);
        if (len && num[len - 1] == 'l') /* +Nl: lines, as +N */
            num[len - 1] = '\0';
        if (filt_number(num, &t->n)) {
            t->from = true;
            skip = 1;
        }
        free(num);
    }
    FiltOpts o;
    filt_opts_init(&o, argc - skip, argv + skip);
    int c;
    while ((c = filt_opt(&o, "n:c:fFqvsz")) != -1) {
        if (c == 'n') {
            const char *s = o.arg;
            t->from = *s == '+';
            if (*s == '-' || *s == '+')
                s++;
            if (!filt_number(s, &t->n)) {
                filt_usage_fail(
                    p, &o, "tail: invalid number of lines: \xe2\x80\x98%s\xe2\x80\x99\n", o.arg);
                return;
            }
        } else if (c == 'q' || c == 'v') {
            t->quiet = c == 'q';
            t->verbose = c == 'v';
        } else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "tail", c);
            filt_usage_fail(p, &o, "Try '%s --help' for more information.\n", "tail");
            return;
        } else {
            char opt[3] = {'-', (char)c, 0};
            filt_usage_fail(
                p, &o,
                "tail: minet's tail does not support %s (it supports -n N, -n +N, -N, -q and -v)\n",
                opt);
            return;
        }
    }
    proc_read_files(p, o.operands, o.n_operands, tail_files);
    filt_opts_fini(&o);
}
