/* wc — GNU coreutils 9.1's wc as a filter: -l, -w, -c, -m, -L, and the
 * default three columns (lines, words, bytes), for standard input or the
 * node's files (wc_files says how wide the columns are).  Characters (-m)
 * count UTF-8 sequences. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Wc {
    bool lines, words, chars, bytes, longest;
    bool dash_named; /* "-" typed: standard input shows its name */
} Wc;

/* The counts of one input, in wc's order: lines, words, chars, bytes,
 * longest line. */
typedef struct Counts {
    size_t v[5];
} Counts;

static Counts wc_count(const char *data, size_t len)
{
    size_t lines = 0, words = 0, chars = 0, longest = 0, col = 0;
    bool in_word = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if ((c & 0xC0) != 0x80)
            chars++;
        if (c == '\n') {
            lines++;
            if (col > longest)
                longest = col;
            col = 0;
        } else if (c == '\t')
            col = (col / 8 + 1) * 8;
        else if ((c & 0xC0) != 0x80)
            col++;
        if (isspace(c))
            in_word = false;
        else if (!in_word) {
            in_word = true;
            words++;
        }
    }
    if (col > longest)
        longest = col;
    return (Counts){{lines, words, chars, len, longest}};
}

static void print_counts(Proc *p, const Wc *w, const Counts *c, int width, const char *name)
{
    const bool on[5] = {w->lines, w->words, w->chars, w->bytes, w->longest};
    bool first = true;
    for (int i = 0; i < 5; i++)
        if (on[i]) {
            proc_printf(p, CON_STDOUT, "%s%*zu", first ? "" : " ", width, c->v[i]);
            first = false;
        }
    proc_printf(p, CON_STDOUT, "%s%s\n", name ? " " : "", name ? name : "");
}

/* As coreutils 9.1: one line per input (with its name, unless it is
 * standard input alone), a "total" line when there are several.  The
 * columns are as wide as the digits of the regular files' total size, at
 * least 7 when an input is not a regular file (a pipe, the terminal, a
 * directory); one count of one input is not padded. */
static void wc_files(Proc *p, ProcFile *in, size_t n)
{
    Wc *w = p->state;
    int counted = w->lines + w->words + w->chars + w->bytes + w->longest;
    bool named = !(n == 1 && in[0].is_stdin && !strcmp(in[0].name, "-") && !w->dash_named);
    size_t total_size = 0;
    int width = 1, minimum = 1;
    for (size_t i = 0; i < n; i++) {
        if (in[i].err == VFS_OK && in[i].regular)
            total_size += in[i].len;
        else if (in[i].err == VFS_OK || in[i].err == VFS_EISDIR)
            minimum = 7;
    }
    for (; total_size >= 10; total_size /= 10)
        width++;
    if (width < minimum)
        width = minimum;
    if (counted == 1 && n == 1)
        width = 1;
    Counts total = {{0}};
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        Counts c = {{0}};
        if (!in[i].is_stdin && !in[i].name[0]) { /* coreutils does not look for "" */
            proc_printf(p, CON_STDERR, "wc: invalid zero-length file name\n");
            status = 1;
            continue;
        }
        if (in[i].err != VFS_OK) {
            char *q = in[i].is_stdin && !w->dash_named ? xstrdup("'standard input'")
                                                       : filt_quoted(in[i].name, false);
            proc_printf(p, CON_STDERR, "wc: %s: %s\n", q, filt_error(&in[i]));
            free(q);
            status = 1;
            if (in[i].err != VFS_EISDIR)
                continue; /* a directory still gets its line of zeros */
        } else {
            c = wc_count(in[i].data, in[i].len);
        }
        for (int k = 0; k < 5; k++)
            total.v[k] += c.v[k];
        print_counts(p, w, &c, width, named ? in[i].name : NULL);
    }
    if (n > 1)
        print_counts(p, w, &total, width, "total");
    proc_exit(p, status);
}

void wc_main(Proc *p, int argc, char **argv)
{
    Wc *w = xcalloc(1, sizeof *w);
    p->state = w;
    p->free_state = free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    int c;
    while ((c = filt_opt(&o, "lwcmL")) != -1) {
        if (c == 'l')
            w->lines = true;
        else if (c == 'w')
            w->words = true;
        else if (c == 'c')
            w->bytes = true;
        else if (c == 'm')
            w->chars = true;
        else if (c == 'L')
            w->longest = true;
        else {
            filt_opt_error(p, &o, "wc", c);
            proc_printf(p, CON_STDERR, "Try 'wc --help' for more information.\n");
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    }
    if (!w->lines && !w->words && !w->bytes && !w->chars && !w->longest)
        w->lines = w->words = w->bytes = true;
    w->dash_named = o.n_operands > 0;
    proc_read_files(p, o.operands, o.n_operands, wc_files);
    filt_opts_fini(&o);
}
