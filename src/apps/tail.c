/* tail — GNU coreutils 9.1's tail as a filter: -n N (the last N lines),
 * -n +N (from line N on), -N, -q, -v; file operands from the node's
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

static void tail_one(const Tail *t, Proc *p, const char *data, size_t len)
{
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
}

/* As coreutils, with head's headers and messages (tail's words). */
static void tail_files(Proc *p, ProcFile *f, size_t n)
{
    Tail *t = p->state;
    bool headers = t->verbose || (n > 1 && !t->quiet), first = true;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].err != VFS_OK && f[i].err != VFS_EISDIR) {
            proc_printf(p, CON_STDERR, "tail: cannot open '%s' for reading: %s\n", f[i].name,
                        filt_error(&f[i]));
            status = 1;
            continue;
        }
        if (headers)
            proc_printf(p, CON_STDOUT, "%s==> %s <==\n", first ? "" : "\n",
                        filt_name(&f[i], "standard input"));
        first = false;
        if (f[i].err == VFS_EISDIR) {
            proc_printf(p, CON_STDERR, "tail: error reading '%s': %s\n", f[i].name,
                        filt_error(&f[i]));
            status = 1;
            continue;
        }
        tail_one(t, p, f[i].data, f[i].len);
    }
    proc_exit(p, status);
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
        } else if (c == 'q' || c == 'v') {
            t->quiet = c == 'q';
            t->verbose = c == 'v';
        } else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "tail", c);
            bad(p, &o, "Try '%s --help' for more information.\n", "tail");
            return;
        } else {
            char opt[3] = {'-', (char)c, 0};
            bad(p, &o,
                "tail: minet's tail does not support %s (it supports -n N, -n +N, -N, -q and -v)\n",
                opt);
            return;
        }
    }
    proc_read_files(p, o.operands, o.n_operands, tail_files);
    filt_opts_fini(&o);
}
