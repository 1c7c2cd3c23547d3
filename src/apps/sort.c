/* sort — GNU coreutils 9.1's sort as a filter: -n (by the number at the
 * start of each line), -r, -u.  Lines compare byte by byte, as sort does
 * in the C and C.UTF-8 locales (a class's en_US.UTF-8 would fold case);
 * lines that compare equal by -n fall back to that comparison, as sort's
 * last resort, unless -u.  Standard input only; -k, -t and the other
 * options print a minet message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Sort {
    bool numeric, reverse, unique;
} Sort;

typedef struct Key {
    const char *line;
    long double num;
    size_t idx;
    const Sort *opt;
} Key;

/* The number at the start of s, as sort -n reads it (blanks, an optional
 * minus, digits, a decimal point); 0 if none. */
static long double leading_number(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    bool neg = *s == '-';
    if (neg)
        s++;
    long double v = 0, scale = 1;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++) {
            scale /= 10;
            v += (*s - '0') * scale;
        }
    return neg ? -v : v;
}

/* The comparison that decides equality (for -u). */
static int key_cmp(const Key *a, const Key *b)
{
    if (a->opt->numeric)
        return a->num < b->num ? -1 : a->num > b->num;
    return strcmp(a->line, b->line);
}

static int cmp(const void *pa, const void *pb)
{
    const Key *a = pa, *b = pb;
    int c = key_cmp(a, b);
    if (c == 0 && a->opt->numeric && !a->opt->unique)
        c = strcmp(a->line, b->line); /* sort's last resort */
    if (a->opt->reverse)
        c = -c;
    if (c == 0) /* stable: the first in the input first */
        c = a->idx < b->idx ? -1 : a->idx > b->idx;
    return c;
}

/* As coreutils: sort reads every input before it prints, so one that
 * cannot be read ends it (status 2) with nothing printed. */
static void sort_files(Proc *p, ProcFile *in, size_t n_in)
{
    Sort *s = p->state;
    for (size_t i = 0; i < n_in; i++)
        if (in[i].err != VFS_OK) {
            char *q = filt_quoted(in[i].name, false);
            proc_printf(p, CON_STDERR, "sort: %s: %s: %s\n",
                        in[i].err == VFS_EISDIR ? "read failed" : "cannot read", q,
                        filt_error(&in[i]));
            free(q);
            proc_exit(p, 2);
            return;
        }
    Buf all;
    buf_init(&all);
    filt_join(in, n_in, &all);
    FiltLines l;
    filt_lines(&l, all.data, all.len);
    buf_fini(&all);
    Key *k = xcalloc(l.n ? l.n : 1, sizeof *k);
    for (size_t i = 0; i < l.n; i++)
        k[i] = (Key){l.line[i], s->numeric ? leading_number(l.line[i]) : 0, i, s};
    qsort(k, l.n, sizeof *k, cmp);
    for (size_t i = 0; i < l.n; i++) {
        if (s->unique && i && key_cmp(&k[i - 1], &k[i]) == 0)
            continue;
        proc_printf(p, CON_STDOUT, "%s\n", k[i].line);
    }
    free(k);
    filt_lines_fini(&l);
    proc_exit(p, 0);
}

void sort_main(Proc *p, int argc, char **argv)
{
    Sort *s = xcalloc(1, sizeof *s);
    p->state = s;
    p->free_state = free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    int c;
    while ((c = filt_opt(&o, "nruRbcCdfghik:mMo:sS:t:T:Vz")) != -1) {
        if (c == 'n')
            s->numeric = true;
        else if (c == 'r')
            s->reverse = true;
        else if (c == 'u')
            s->unique = true;
        else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "sort", c);
            proc_printf(p, CON_STDERR, "Try 'sort --help' for more information.\n");
            filt_opts_fini(&o);
            proc_exit(p, 2);
            return;
        } else {
            proc_printf(p, CON_STDERR,
                        "sort: minet's sort does not support -%c (it supports -n, -r and -u)\n", c);
            filt_opts_fini(&o);
            proc_exit(p, 2);
            return;
        }
    }
    proc_read_files(p, o.operands, o.n_operands, sort_files);
    filt_opts_fini(&o);
}
