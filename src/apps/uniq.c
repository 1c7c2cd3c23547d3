/* uniq — GNU coreutils 9.1's uniq as a filter: adjacent equal lines once;
 * -c (with their count, as "%7d "), -d (only repeated ones), -u (only
 * single ones), -i (ignoring case).  Standard input only: an operand is
 * an input file (not found), a second one the output file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Uniq {
    bool count, dups, singles, icase;
} Uniq;

static void group(Proc *p, const Uniq *u, const char *line, size_t n)
{
    if ((u->dups && n < 2) || (u->singles && n > 1))
        return;
    if (u->count)
        proc_printf(p, CON_STDOUT, "%7zu %s\n", n, line);
    else
        proc_printf(p, CON_STDOUT, "%s\n", line);
}

static void uniq_files(Proc *p, ProcFile *in, size_t n_in)
{
    (void)n_in; /* one input */
    Uniq *u = p->state;
    if (in->err != VFS_OK) {
        char *q = filt_quoted(in->name, in->err == VFS_EISDIR);
        if (in->err == VFS_EISDIR)
            proc_printf(p, CON_STDERR, "uniq: error reading %s\n", q);
        else
            proc_printf(p, CON_STDERR, "uniq: %s: %s\n", q, filt_error(in));
        free(q);
        proc_exit(p, 1);
        return;
    }
    FiltLines l;
    filt_lines(&l, in->data, in->len);
    size_t start = 0;
    for (size_t i = 1; i <= l.n; i++) {
        if (i < l.n && (u->icase ? strcasecmp(l.line[i], l.line[start])
                                 : strcmp(l.line[i], l.line[start])) == 0)
            continue;
        group(p, u, l.line[start], i - start);
        start = i;
    }
    filt_lines_fini(&l);
    proc_exit(p, 0);
}

void uniq_main(Proc *p, int argc, char **argv)
{
    Uniq *u = xcalloc(1, sizeof *u);
    p->state = u;
    p->free_state = free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    int c;
    while ((c = filt_opt(&o, "cduiDf:s:w:z")) != -1) {
        if (c == 'c')
            u->count = true;
        else if (c == 'd')
            u->dups = true;
        else if (c == 'u')
            u->singles = true;
        else if (c == 'i')
            u->icase = true;
        else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "uniq", c);
            proc_printf(p, CON_STDERR, "Try 'uniq --help' for more information.\n");
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        } else {
            proc_printf(p, CON_STDERR,
                        "uniq: minet's uniq does not support -%c (it supports -c, -d, -u and "
                        "-i)\n",
                        c);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    }
    if (o.n_operands > 2) {
        proc_printf(p, CON_STDERR,
                    "uniq: extra operand \xe2\x80\x98%s\xe2\x80\x99\n"
                    "Try 'uniq --help' for more information.\n",
                    o.operands[2]);
        filt_opts_fini(&o);
        proc_exit(p, 1);
        return;
    }
    if (o.n_operands == 2) {
        proc_printf(p, CON_STDERR,
                    "uniq: minet's uniq writes to the terminal only (no output file)\n");
        filt_opts_fini(&o);
        proc_exit(p, 1);
        return;
    }
    proc_read_files(p, o.operands, o.n_operands ? 1 : 0, uniq_files);
    filt_opts_fini(&o);
}
