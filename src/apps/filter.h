/* filter — what the text filters of a pipeline share (grep, sed, head,
 * tail, sort, uniq, wc, cut, awk): option parsing as GNU getopt does it
 * (options and operands in any order, clusters like -vi, "--" ends the
 * options) with its messages, the input split into lines, and the state
 * each filter keeps until its input has arrived.
 *
 * A filter reads its file operands from the node's files, or its standard
 * input when it has none or one is "-" (proc_read_files): a pipe, the
 * terminal or `< FILE`.  A file the node lacks, or a directory, gets the
 * tool's own message and exit status, in the order the tool meets it. */
#ifndef MN_FILTER_H
#define MN_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "apps/shell.h"

/* A long option GNU's tool takes, and the short one it means. */
typedef struct FiltLong {
    const char *name; /* "number" for --number */
    char letter;      /* 'n' */
} FiltLong;

typedef struct FiltOpts {
    /* What the tool is, for its messages (filt_opts_tool): its long
     * options (a table ending in {NULL}), the letters GNU's tool takes,
     * and what minet's takes, as its message lists them ("-p -v"). */
    const FiltLong *longs;
    const char *gnu, *supported;
    int argc;
    char **argv;
    int i;            /* the next argv element */
    const char *next; /* the rest of a cluster (-vi), or NULL */
    const char *arg;  /* the option's argument */
    char bad;         /* the option that was invalid or missing its argument */
    char *bad_long;   /* the long option not recognised */
    bool ambiguous;   /* bad_long begins several long options' names */
    /* A long option named rightly but given a value it does not take, or
     * none where it needs one: its whole name ("--verbose"). */
    const char *long_noarg, *long_needarg;
    char **operands; /* what was not an option, in order (argv's strings) */
    size_t n_operands;
} FiltOpts;

void filt_opts_init(FiltOpts *o, int argc, char **argv);
/* Long options (--number, or a part that names one alone: --num) taken as
 * their letters, and GNU's letters that minet's tool lacks answered with
 * "PROG: minet's PROG does not support -X (it supports SUPPORTED)". */
void filt_opts_tool(FiltOpts *o, const FiltLong *longs, const char *gnu, const char *supported);
void filt_opts_fini(FiltOpts *o);
/* The next option of spec (getopt's optstring: "vice:" — a colon after a
 * letter that takes an argument); -1 when none is left, '?' for an
 * invalid one (bad or bad_long set), ':' when its argument is missing. */
int filt_opt(FiltOpts *o, const char *spec);
/* Prints getopt's message for the '?' or ':' just returned:
 * "grep: invalid option -- 'x'", "grep: option requires an argument --
 * 'e'", "grep: unrecognized option '--foo'". */
void filt_opt_error(Proc *p, const FiltOpts *o, const char *prog, int c);
/* Whether the '?' just returned is an option GNU's tool takes and minet's
 * lacks (filt_opt_error then says so, and no "Try --help" follows). */
bool filt_opt_lacking(const FiltOpts *o, int c);
/* Prints fmt with arg on standard error, frees o and exits with status 1. */
void filt_usage_fail(Proc *p, FiltOpts *o, const char *fmt, const char *arg);

/* The lines of data: each without its newline; the last one is kept even
 * without a newline.  *no_final_nl says whether the data ended without one. */
typedef struct FiltLines {
    char **line;
    size_t n;
    bool no_final_nl;
} FiltLines;

void filt_lines(FiltLines *l, const char *data, size_t len);
void filt_lines_fini(FiltLines *l);

/* The name a tool gives an input in its headers and prefixes: the
 * operand, or for standard input stdin_name ("(standard input)" for grep,
 * "standard input" for head and tail). */
const char *filt_name(const ProcFile *f, const char *stdin_name);
/* Why f cannot be read, in errno's words ("No such file or directory"). */
const char *filt_error(const ProcFile *f);
/* The readable inputs joined into one text, as sed, sort and uniq read
 * them (one that does not end with a newline gets one when more
 * follows); NUL-ended. */
void filt_join(const ProcFile *f, size_t n, Buf *out);

/* Prints line i of l as it was: with its newline, unless it had none. */
void filt_put_line(Proc *p, const FiltLines *l, size_t i);
/* head's and tail's loop over their inputs, as coreutils runs it: each
 * input under "==> NAME <==" when there are several (or verbose, never
 * when quiet; a blank line between), one that cannot be read said in
 * prog's words and skipped.  one(p, data, len) prints an input.  Returns
 * the exit status: 1 if any could not be read. */
int filt_each_headed(Proc *p, const ProcFile *f, size_t n, const char *prog, bool quiet,
                     bool verbose, void (*one)(Proc *p, const char *data, size_t len));

/* Whether s is a whole decimal number (digits only), with its value. */
bool filt_number(const char *s, long long *out);

/* GNU's shell-escape quoting of a file name, as coreutils prints names:
 * 'my notes.txt', "it's", 'tab'$'\t''x'.  always: quoted even when
 * nothing needs it (their messages' 'x'); at_sign: @ needs it (ls -F). */
bool filt_needs_quotes(const char *name, bool at_sign);
void filt_quote(Buf *b, const char *name, bool always, bool at_sign);
char *filt_quoted(const char *name, bool always); /* the same, allocated */
/* GNU's locale quoting (a UTF-8 terminal's), as its error messages quote a
 * name: the first n bytes of s in ‘’, control characters as C escapes
 * (‘a/\033b’), a backslash doubled.  Allocated. */
char *filt_locale_quoted(const char *s, size_t n);

#endif
