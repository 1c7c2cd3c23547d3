/* wc — GNU coreutils 9.1's wc as a filter: -l, -w, -c, -m, -L, and the
 * default three columns (lines, words, bytes).  As wc prints for standard
 * input: one count alone unpadded, several each 7 wide.  Characters (-m)
 * count UTF-8 sequences.  Standard input only. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef struct Wc {
    bool lines, words, chars, bytes, longest;
    bool dash; /* "-" named: wc prints its name */
} Wc;

static void wc_read(Proc *p, const char *data, size_t len)
{
    Wc *w = p->state;
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
    size_t v[5];
    size_t n = 0;
    if (w->lines)
        v[n++] = lines;
    if (w->words)
        v[n++] = words;
    if (w->chars)
        v[n++] = chars;
    if (w->bytes)
        v[n++] = len;
    if (w->longest)
        v[n++] = longest;
    int width = n > 1 || w->dash ? 7 : 1;
    for (size_t i = 0; i < n; i++)
        proc_printf(p, CON_STDOUT, "%s%*zu", i ? " " : "", width, v[i]);
    proc_printf(p, CON_STDOUT, "%s\n", w->dash ? " -" : "");
    proc_exit(p, 0);
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
    for (size_t i = 0; i < o.n_operands; i++) {
        if (strcmp(o.operands[i], "-") == 0) {
            w->dash = true;
            continue;
        }
        filt_file_operand(p, "wc", o.operands[i], "wc: %s: No such file or directory\n");
        filt_opts_fini(&o);
        proc_exit(p, 1);
        return;
    }
    filt_opts_fini(&o);
    proc_read_all(p, wc_read);
}
