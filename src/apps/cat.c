/* cat — GNU coreutils 9.1's cat: the node's files (or standard input, or
 * "-") one after the other, with -n (number every line), -b (number the
 * lines that are not empty), -s (squeeze runs of empty lines), -E ($ at
 * each line's end), -T (tabs as ^I), -v (other control bytes as ^X and
 * M-X), -A (-vET), -e (-vE), -t (-vT) and -u (ignored).  Numbering and
 * squeezing go on from one file into the next, as cat reads them as one
 * stream.  A file the node lacks, or a directory, is said in cat's words
 * and skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Cat {
    bool number, nonblank, squeeze, ends, tabs, nonprinting;
    /* the stream's state, from one input into the next */
    bool bol;        /* at the start of a line */
    int empties;     /* empty lines in a row just printed (for -s) */
    long long lines; /* lines numbered so far */
} Cat;

static bool plain(const Cat *c)
{
    return !c->number && !c->nonblank && !c->squeeze && !c->ends && !c->tabs && !c->nonprinting;
}

/* Appends byte ch to out as -v and -T show it. */
static void put_shown(const Cat *c, unsigned char ch, Buf *out)
{
    if (ch == '\t') {
        buf_puts(out, c->tabs ? "^I" : "\t");
        return;
    }
    if (!c->nonprinting) {
        buf_putc(out, (char)ch);
        return;
    }
    if (ch >= 128) {
        buf_puts(out, "M-");
        ch -= 128;
    }
    if (ch < 32) {
        buf_putc(out, '^');
        buf_putc(out, (char)(ch + 64));
    } else if (ch == 127) {
        buf_puts(out, "^?");
    } else {
        buf_putc(out, (char)ch);
    }
}

static void cat_one(Proc *p, Cat *c, const char *data, size_t len)
{
    if (plain(c)) {
        proc_write(p, CON_STDOUT, data, len);
        return;
    }
    Buf out;
    buf_init(&out);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)data[i];
        if (ch == '\n') {
            if (c->bol) { /* an empty line */
                if (c->squeeze && c->empties >= 1)
                    continue;
                c->empties++;
                if (c->number && !c->nonblank)
                    buf_printf(&out, "%6lld\t", ++c->lines);
            }
            if (c->ends)
                buf_putc(&out, '$');
            buf_putc(&out, '\n');
            c->bol = true;
            continue;
        }
        if (c->bol && (c->number || c->nonblank))
            buf_printf(&out, "%6lld\t", ++c->lines);
        c->bol = false;
        c->empties = 0;
        put_shown(c, ch, &out);
    }
    proc_write(p, CON_STDOUT, out.data ? out.data : "", out.len);
    buf_fini(&out);
}

static void cat_files(Proc *p, ProcFile *f, size_t n)
{
    Cat *c = p->state;
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].err != VFS_OK) {
            char *q = filt_quoted(f[i].name, false);
            proc_printf(p, CON_STDERR, "cat: %s: %s\n", q, filt_error(&f[i]));
            free(q);
            status = 1;
            continue;
        }
        if (f[i].is_output && f[i].len) { /* it would read what it writes, without end */
            proc_printf(p, CON_STDERR, "cat: %s: input file is output file\n", f[i].name);
            status = 1;
            continue;
        }
        cat_one(p, c, f[i].data, f[i].len);
    }
    proc_exit(p, status);
}

void cat_main(Proc *p, int argc, char **argv)
{
    Cat *c = xcalloc(1, sizeof *c);
    c->bol = true;
    p->state = c;
    p->free_state = free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    int opt;
    /* in coreutils' order, which getopt's "ambiguous" message follows */
    static const FiltLong longs[] = {{"number-nonblank", 'b'}, {"number", 'n'},
                                     {"squeeze-blank", 's'},   {"show-nonprinting", 'v'},
                                     {"show-ends", 'E'},       {"show-tabs", 'T'},
                                     {"show-all", 'A'},        {NULL, 0}};
    filt_opts_tool(&o, longs, NULL, NULL);
    while ((opt = filt_opt(&o, "AbeEnstTuv")) != -1) {
        switch (opt) {
        case 'A':
            c->nonprinting = c->ends = c->tabs = true;
            break;
        case 'b':
            c->nonblank = true;
            break;
        case 'e':
            c->nonprinting = c->ends = true;
            break;
        case 'E':
            c->ends = true;
            break;
        case 'n':
            c->number = true;
            break;
        case 's':
            c->squeeze = true;
            break;
        case 't':
            c->nonprinting = c->tabs = true;
            break;
        case 'T':
            c->tabs = true;
            break;
        case 'u':
            break;
        case 'v':
            c->nonprinting = true;
            break;
        default:
            filt_opt_error(p, &o, "cat", opt);
            filt_usage_fail(p, &o, "Try '%s --help' for more information.\n", "cat");
            return;
        }
    }
    proc_read_files(p, o.operands, o.n_operands, cat_files);
    filt_opts_fini(&o);
}
