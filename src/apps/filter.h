/* filter — what the text filters of a pipeline share (grep, sed, head,
 * tail, sort, uniq, wc, cut, awk): option parsing as GNU getopt does it
 * (options and operands in any order, clusters like -vi, "--" ends the
 * options) with its messages, the input split into lines, and the state
 * each filter keeps until its input has arrived.
 *
 * A filter reads its standard input only (proc_read_all): a pipe, the
 * terminal or `< FILE`.  A file operand is not opened: one the node does
 * not have gets the tool's own "No such file or directory"; one it has, a
 * minet message that says to use `< FILE`. */
#ifndef MN_FILTER_H
#define MN_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "apps/shell.h"

typedef struct FiltOpts {
    int argc;
    char **argv;
    int i;            /* the next argv element */
    const char *next; /* the rest of a cluster (-vi), or NULL */
    const char *arg;  /* the option's argument */
    char bad;         /* the option that was invalid or missing its argument */
    char *bad_long;   /* the long option not recognised */
    char **operands;  /* what was not an option, in order (argv's strings) */
    size_t n_operands;
} FiltOpts;

void filt_opts_init(FiltOpts *o, int argc, char **argv);
void filt_opts_fini(FiltOpts *o);
/* The next option of spec (getopt's optstring: "vice:" — a colon after a
 * letter that takes an argument); -1 when none is left, '?' for an
 * invalid one (bad or bad_long set), ':' when its argument is missing. */
int filt_opt(FiltOpts *o, const char *spec);
/* Prints getopt's message for the '?' or ':' just returned:
 * "grep: invalid option -- 'x'", "grep: option requires an argument --
 * 'e'", "grep: unrecognized option '--foo'". */
void filt_opt_error(Proc *p, const FiltOpts *o, const char *prog, int c);

/* The lines of data: each without its newline; the last one is kept even
 * without a newline.  *no_final_nl says whether the data ended without one. */
typedef struct FiltLines {
    char **line;
    size_t n;
    bool no_final_nl;
} FiltLines;

void filt_lines(FiltLines *l, const char *data, size_t len);
void filt_lines_fini(FiltLines *l);

/* Prints the message for a file operand (filter.h): real_fmt is the tool's
 * own, with %s for the name ("grep: %s: No such file or directory\n"). */
void filt_file_operand(Proc *p, const char *prog, const char *name, const char *real_fmt)
    MN_PRINTF(4, 0);

/* Whether s is a whole decimal number (digits only), with its value. */
bool filt_number(const char *s, long long *out);

#endif
