/* tail — GNU coreutils 9.1's tail as a filter: -n N (the last N lines),
 * -n +N (from line N on), -N.  Standard input only; -c, -f and the other
 * options print a minet message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Tail {
    long long n;
    bool from; /* -n +N */
} Tail;

static void tail_read(Proc *p, const char *data, size_t len)
{
    Tail *t = p->state;
    FiltLines l;
    filt_lines(&l, data, len);
    size_t start = 0;
    if (t->from)
        start = t->n > 1 ? (size_t)(t->n - 1) : 0;
    else if ((long long)l.n > t->n)
        start = l.n - (size_t)t->n;
    for (size_t i = start; i < l.n; i++) {
        bool nl = !(i + 1 == l.n && l.no_final_nl);
        proc_printf(p, CON_STDOUT, "%s%s", l.line[i], nl ? "\n" : "");
    }
    filt_lines_fini(&l);
    proc_exit(p, 0);
}

static void bad(Proc *p, FiltOpts *o, const char *fmt, const char *arg)
{
    proc_printf(p, CON_STDERR, fmt, arg);
    filt_opts_fini(o);
    proc_exit(p, 1);
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
                bad(p, &o, "tail: invalid number of lines: \xe2\x80\x98%s\xe2\x80\x99\n", o.arg);
                return;
            }
        } else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "tail", c);
            bad(p, &o, "Try '%s --help' for more information.\n", "tail");
            return;
        } else {
            char opt[3] = {'-', (char)c, 0};
            bad(p, &o, "tail: minet's tail does not support %s (it supports -n N, -n +N and -N)\n",
                opt);
            return;
        }
    }
    for (size_t i = 0; i < o.n_operands; i++)
        if (strcmp(o.operands[i], "-") != 0) {
            filt_file_operand(p, "tail", o.operands[i],
                              "tail: cannot open '%s' for reading: No such file or directory\n");
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    filt_opts_fini(&o);
    proc_read_all(p, tail_read);
}
