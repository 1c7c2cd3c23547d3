/* head — GNU coreutils 9.1's head as a filter: -n N (the first N lines),
 * -n -N (all but the last N), -N, -q, -v; file operands from the node's
 * files, each under "==> NAME <==" when there are several.  -c and the
 * other options print a minet message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Head {
    long long n;
    bool all_but;        /* -n -N */
    bool quiet, verbose; /* -q: never the "==> NAME <==" headers; -v: always */
} Head;

static void head_one(Proc *p, const char *data, size_t len)
{
    const Head *h = p->state;
    FiltLines l;
    filt_lines(&l, data, len);
    size_t end = l.n;
    if (h->all_but)
        end = (long long)l.n > h->n ? l.n - (size_t)h->n : 0;
    else if ((long long)l.n > h->n)
        end = (size_t)h->n;
    for (size_t i = 0; i < end; i++)
        filt_put_line(p, &l, i);
    filt_lines_fini(&l);
}

static void head_files(Proc *p, ProcFile *f, size_t n)
{
    Head *h = p->state;
    proc_exit(p, filt_each_headed(p, f, n, "head", h->quiet, h->verbose, head_one));
}

void head_main(Proc *p, int argc, char **argv)
{
    Head *h = xcalloc(1, sizeof *h);
    h->n = 10;
    p->state = h;
    p->free_state = free;
    FiltOpts o;
    int skip = 0;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
        /* the old form -N (only as the first argument) */
        const char *s = argv[1] + 1;
        size_t digits = strspn(s, "0123456789");
        if (s[digits]) {
            proc_printf(p, CON_STDERR,
                        "head: invalid trailing option -- %c\n"
                        "Try 'head --help' for more information.\n",
                        s[digits]);
            proc_exit(p, 1);
            return;
        }
        filt_number(s, &h->n);
        skip = 1;
    }
    filt_opts_init(&o, argc - skip, argv + skip);
    int c;
    while ((c = filt_opt(&o, "n:c:qvz")) != -1) {
        if (c == 'n') {
            const char *s = o.arg;
            h->all_but = *s == '-';
            if (*s == '-' || *s == '+')
                s++;
            if (!filt_number(s, &h->n)) {
                filt_usage_fail(
                    p, &o, "head: invalid number of lines: \xe2\x80\x98%s\xe2\x80\x99\n", o.arg);
                return;
            }
        } else if (c == 'q' || c == 'v') {
            h->quiet = c == 'q';
            h->verbose = c == 'v';
        } else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "head", c);
            filt_usage_fail(p, &o, "Try '%s --help' for more information.\n", "head");
            return;
        } else {
            char opt[3] = {'-', (char)c, 0};
            filt_usage_fail(
                p, &o, "head: minet's head does not support %s (it supports -n N, -N, -q and -v)\n",
                opt);
            return;
        }
    }
    proc_read_files(p, o.operands, o.n_operands, head_files);
    filt_opts_fini(&o);
}
