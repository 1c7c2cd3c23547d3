/* awk — Debian 12's awk (mawk 1.3.4) for the one use a class makes of it
 * in a pipeline: '{print $N}', '{print $N, $M}' (any number of fields, $0
 * the whole line; a comma puts a blank between them, no comma joins them),
 * '{print}', with -F SEP (one character, or a regular expression).
 * Fields are split as awk splits them: by default on runs of blanks,
 * leading and trailing ones ignored.  Any other program prints a minet
 * message that says what minet's awk runs.  Standard input only. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

#define AWK_MAX_ITEMS 32

typedef struct Awk {
    int field[AWK_MAX_ITEMS];  /* the fields printed, in order */
    bool comma[AWK_MAX_ITEMS]; /* a comma before this one: OFS between */
    size_t n;
    char sep; /* a one-character FS, 0 for the default */
    bool use_re;
    regex_t re; /* a longer FS */
} Awk;

static void awk_free(void *state)
{
    Awk *a = state;
    if (a->use_re)
        regfree(&a->re);
    free(a);
}

static const char awk_usage[] =
    "Usage: mawk [Options] [Program] [file ...]\n"
    "\n"
    "Program:\n"
    "    The -f option value is the name of a file containing program text.\n"
    "    If no -f option is given, a \"--\" ends option processing; the following\n"
    "    parameters are the program text.\n"
    "\n"
    "Options:\n"
    "    -f program-file  Program  text is read from file instead of from the\n"
    "                     command-line.  Multiple -f options are accepted.\n"
    "    -F value         sets the field separator, FS, to value.\n"
    "    -v var=value     assigns value to program variable var.\n"
    "    --               unambiguous end of options.\n"
    "\n"
    "    Implementation-specific options are prefixed with \"-W\".  They can be\n"
    "    abbreviated:\n"
    "\n"
    "    -W version       show version information and exit.\n"
    "    -W dump          show assembler-like listing of program and exit.\n"
    "    -W help          show this message and exit.\n"
    "    -W interactive   set unbuffered output, line-buffered input.\n"
    "    -W exec file     use file as program as well as last option.\n"
    "    -W random=number set initial random seed.\n"
    "    -W sprintf=number adjust size of sprintf buffer.\n"
    "    -W posix_space   do not consider \"\\n\" a space.\n"
    "    -W usage         show this message and exit.\n";

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    return s;
}

/* Reads '{print …}' into a; false for anything else. */
static bool parse_program(Awk *a, const char *s)
{
    s = skip_blanks(s);
    if (*s++ != '{')
        return false;
    s = skip_blanks(s);
    if (strncmp(s, "print", 5) != 0)
        return false;
    s += 5;
    bool comma = false;
    for (;;) {
        s = skip_blanks(s);
        if (*s == '}')
            break;
        if (*s != '$' || a->n == AWK_MAX_ITEMS)
            return false;
        s++;
        if (*s < '0' || *s > '9')
            return false;
        int k = 0;
        while (*s >= '0' && *s <= '9' && k < 100000)
            k = k * 10 + (*s++ - '0');
        a->comma[a->n] = comma;
        a->field[a->n++] = k;
        s = skip_blanks(s);
        comma = *s == ',';
        if (comma)
            s++;
    }
    if (comma)
        return false;
    s = skip_blanks(s + 1);
    if (*s == ';')
        s = skip_blanks(s + 1);
    if (*s)
        return false;
    if (a->n == 0) { /* {print} is {print $0} */
        a->field[0] = 0;
        a->n = 1;
    }
    return true;
}

typedef struct Span {
    const char *s;
    size_t n;
} Span;

static size_t split(const Awk *a, const char *line, Span *f, size_t max)
{
    size_t n = 0;
    if (!a->sep && !a->use_re) {
        for (const char *s = skip_blanks(line); *s && n < max; s = skip_blanks(s)) {
            size_t len = strcspn(s, " \t\n");
            f[n++] = (Span){s, len};
            s += len;
        }
        return n;
    }
    if (!*line)
        return 0;
    const char *s = line;
    while (n < max) {
        regmatch_t m;
        size_t len;
        size_t skip;
        if (a->use_re && regexec(&a->re, s, 1, &m, 0) == 0 && m.rm_eo > m.rm_so) {
            len = (size_t)m.rm_so;
            skip = (size_t)m.rm_eo;
        } else if (!a->use_re && strchr(s, a->sep)) {
            len = (size_t)(strchr(s, a->sep) - s);
            skip = len + 1;
        } else {
            f[n++] = (Span){s, strlen(s)};
            break;
        }
        f[n++] = (Span){s, len};
        s += skip;
    }
    return n;
}

static void awk_one(Proc *p, const char *data, size_t len)
{
    Awk *a = p->state;
    FiltLines l;
    filt_lines(&l, data, len);
    Span *f = xcalloc(4096, sizeof *f);
    for (size_t i = 0; i < l.n; i++) {
        size_t nf = split(a, l.line[i], f, 4096);
        Buf out;
        buf_init(&out);
        for (size_t k = 0; k < a->n; k++) {
            if (a->comma[k])
                buf_putc(&out, ' ');
            int fld = a->field[k];
            if (fld == 0)
                buf_puts(&out, l.line[i]);
            else if ((size_t)fld <= nf)
                buf_put(&out, f[fld - 1].s, f[fld - 1].n);
        }
        proc_printf(p, CON_STDOUT, "%s\n", out.data ? out.data : "");
        buf_fini(&out);
    }
    free(f);
    filt_lines_fini(&l);
}

/* Each input in turn, as mawk: one it cannot open ends it (status 2). */
static void awk_files(Proc *p, ProcFile *in, size_t n_in)
{
    for (size_t k = 0; k < n_in; k++) {
        if (in[k].err == VFS_EISDIR) {
            proc_printf(p, CON_STDERR, "awk: read error (%s)\n", filt_error(&in[k]));
            proc_exit(p, 2);
            return;
        }
        if (in[k].err != VFS_OK) {
            proc_printf(p, CON_STDERR, "awk: cannot open %s (%s)\n", in[k].name,
                        filt_error(&in[k]));
            proc_exit(p, 2);
            return;
        }
        awk_one(p, in[k].data, in[k].len);
    }
    proc_exit(p, 0);
}

static void fail(Proc *p, const char *msg, const char *arg)
{
    proc_printf(p, CON_STDERR, msg, arg);
    proc_exit(p, 2);
}

void awk_main(Proc *p, int argc, char **argv)
{
    Awk *a = xcalloc(1, sizeof *a);
    p->state = a;
    p->free_state = awk_free;
    const char *fs = NULL, *prog = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--")) {
            i++;
            break;
        }
        if (o[1] == 'F') {
            if (o[2])
                fs = o + 2;
            else if (i + 1 < argc)
                fs = argv[++i];
            else {
                fail(p, "awk: option -F lacks argument\n", "");
                return;
            }
        } else if (o[1] == 'f' || o[1] == 'v' || o[1] == 'W') {
            fail(p,
                 "awk: minet's awk runs only '{print $N}' and '{print $N, $M}' (any fields, "
                 "with -F SEP), without %s\n",
                 o);
            return;
        } else {
            fail(p, "awk: not an option: %s\n", o);
            return;
        }
    }
    if (i >= argc) {
        proc_printf(p, CON_STDERR, "%s", awk_usage);
        proc_exit(p, 0);
        return;
    }
    prog = argv[i++];
    if (!parse_program(a, prog)) {
        fail(p,
             "awk: minet's awk runs only '{print $N}' and '{print $N, $M}' (any fields, with "
             "-F SEP), not '%s'\n",
             prog);
        return;
    }
    if (fs) {
        if (!strcmp(fs, "\\t") || !strcmp(fs, "\t"))
            a->sep = '\t';
        else if (!strcmp(fs, " "))
            a->sep = 0;
        else if (strlen(fs) == 1 && !strchr("\\^$.[]|()*+?{}", fs[0]))
            a->sep = fs[0];
        else if (regcomp(&a->re, fs, REG_EXTENDED) == 0)
            a->use_re = true;
        else {
            fail(p, "awk: regular expression compile failed (%s)\n", fs);
            return;
        }
    }
    /* The operands: files ("-": standard input); var=value ones are
     * assignments, which minet's awk programs cannot use: left out. */
    char **files = xcalloc((size_t)(argc - i) + 1, sizeof *files);
    size_t n = 0;
    for (; i < argc; i++)
        if (!strchr(argv[i], '='))
            files[n++] = argv[i];
    proc_read_files(p, files, n, awk_files);
    free(files);
}
