/* sed — GNU sed 4.9 as a filter: -n, -e SCRIPT (any number), -E/-r,
 * the script as the first operand; commands s/RE/REPLACEMENT/[gpNI], p, d,
 * q, = separated by ; or newlines, each with an optional address (a line
 * number, $, /RE/) or range (ADDR,ADDR), and ! to negate it.  In the
 * replacement & is the match, \1…\9 its groups, \n a newline.
 *
 * GNU sed's messages for what it supports ("-e expression #1, char 5:
 * unterminated `s' command"); its other commands (a, i, y, h, …) print a
 * minet message that lists what minet's sed does.  Standard input only. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"

typedef enum AddrKind { ADDR_NONE, ADDR_LINE, ADDR_LAST, ADDR_RE } AddrKind;

typedef struct Addr {
    AddrKind kind;
    long long line;
    regex_t re;
} Addr;

typedef struct SedCmd {
    Addr a1, a2;
    bool range, negate, active;
    char cmd; /* s p d q = */
    regex_t re;
    bool has_re;
    char *repl;
    bool global, print;
    long long nth; /* s///N: the Nth match only; 0 none */
} SedCmd;

typedef struct Sed {
    bool quiet, extended;
    char **expr; /* the -e expressions (or the script operand) */
    int n_expr;
    SedCmd *cmd;
    size_t n_cmd;
    bool missing_nl; /* the last output ended without a newline */
} Sed;

static void sed_free(void *state)
{
    Sed *s = state;
    for (size_t i = 0; i < s->n_cmd; i++) {
        SedCmd *c = &s->cmd[i];
        if (c->a1.kind == ADDR_RE)
            regfree(&c->a1.re);
        if (c->a2.kind == ADDR_RE)
            regfree(&c->a2.re);
        if (c->has_re)
            regfree(&c->re);
        free(c->repl);
    }
    free(s->cmd);
    free(s->expr);
    free(s);
}

static const char sed_usage[] =
    "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n"
    "\n"
    "  -n, --quiet, --silent\n"
    "                 suppress automatic printing of pattern space\n"
    "      --debug\n"
    "                 annotate program execution\n"
    "  -e script, --expression=script\n"
    "                 add the script to the commands to be executed\n"
    "  -f script-file, --file=script-file\n"
    "                 add the contents of script-file to the commands to be executed\n"
    "  --follow-symlinks\n"
    "                 follow symlinks when processing in place\n"
    "  -i[SUFFIX], --in-place[=SUFFIX]\n"
    "                 edit files in place (makes backup if SUFFIX supplied)\n"
    "  -l N, --line-length=N\n"
    "                 specify the desired line-wrap length for the `l' command\n"
    "  --posix\n"
    "                 disable all GNU extensions.\n"
    "  -E, -r, --regexp-extended\n"
    "                 use extended regular expressions in the script\n"
    "                 (for portability use POSIX -E).\n"
    "  -s, --separate\n"
    "                 consider files as separate rather than as a single,\n"
    "                 continuous long stream.\n"
    "      --sandbox\n"
    "                 operate in sandbox mode (disable e/r/w commands).\n"
    "  -u, --unbuffered\n"
    "                 load minimal amounts of data from the input files and flush\n"
    "                 the output buffers more often\n"
    "  -z, --null-data\n"
    "                 separate lines by NUL characters\n"
    "      --help     display this help and exit\n"
    "      --version  output version information and exit\n"
    "\n"
    "If no -e, --expression, -f, or --file option is given, then the first\n"
    "non-option argument is taken as the sed script to interpret.  All\n"
    "remaining arguments are names of input files; if no input files are\n"
    "specified, then the standard input is read.\n"
    "\n"
    "GNU sed home page: <https://www.gnu.org/software/sed/>.\n"
    "General help using GNU software: <https://www.gnu.org/gethelp/>.\n";

/* ---- parsing the script ------------------------------------------------ */

typedef struct Parser {
    Proc *p;
    Sed *sed;
    const char *s, *start; /* the expression, and where it began (for "char N") */
    int number;            /* which expression: 1, 2, … */
    char err[256];
} Parser;

static bool fail(Parser *ps, const char *at, const char *what)
{
    snprintf(ps->err, sizeof ps->err, "sed: -e expression #%d, char %d: %s", ps->number,
             (int)(at - ps->start), what);
    return false;
}

/* Reads up to the unescaped delimiter d into out; s points after it.
 * In a regex, \d becomes d; \n a newline. */
static bool delimited(const char **s, char d, Buf *out)
{
    const char *t = *s;
    for (; *t && *t != d; t++) {
        if (*t == '\n')
            return false;
        if (*t == '\\' && t[1]) {
            t++;
            if (*t == d)
                buf_putc(out, d);
            else if (*t == 'n')
                buf_putc(out, '\n');
            else {
                buf_putc(out, '\\');
                buf_putc(out, *t);
            }
            continue;
        }
        buf_putc(out, *t);
    }
    if (*t != d)
        return false;
    *s = t + 1;
    return true;
}

static bool compile_re(Parser *ps, regex_t *re, Buf *b, const char *at)
{
    int flags = ps->sed->extended ? REG_EXTENDED : 0;
    int err = regcomp(re, b->data ? b->data : "", flags);
    if (err) {
        char msg[128];
        regerror(err, re, msg, sizeof msg);
        return fail(ps, at, msg);
    }
    return true;
}

static bool parse_addr(Parser *ps, Addr *a)
{
    const char *s = ps->s;
    if (*s >= '0' && *s <= '9') {
        a->kind = ADDR_LINE;
        a->line = 0;
        while (*s >= '0' && *s <= '9')
            a->line = a->line * 10 + (*s++ - '0');
    } else if (*s == '$') {
        a->kind = ADDR_LAST;
        s++;
    } else if (*s == '/') {
        s++;
        Buf b;
        buf_init(&b);
        if (!delimited(&s, '/', &b)) {
            buf_fini(&b);
            return fail(ps, ps->s + strlen(ps->s), "unterminated address regex");
        }
        bool ok = compile_re(ps, &a->re, &b, s);
        buf_fini(&b);
        if (!ok)
            return false;
        a->kind = ADDR_RE;
    }
    ps->s = s;
    return true;
}

static bool parse_s(Parser *ps, SedCmd *c)
{
    const char *s = ps->s; /* after the s */
    char d = *s++;
    if (!d || d == '\n' || d == '\\')
        return fail(ps, s, "unterminated `s' command");
    Buf re, repl;
    buf_init(&re);
    buf_init(&repl);
    bool ok = delimited(&s, d, &re);
    const char *repl_start = s;
    if (ok) { /* the replacement keeps its backslashes for & and \N */
        const char *t = s;
        for (; *t && *t != d && *t != '\n'; t++) {
            if (*t == '\\' && t[1]) {
                t++;
                if (*t == d) {
                    buf_putc(&repl, d);
                    continue;
                }
                buf_putc(&repl, '\\');
            }
            buf_putc(&repl, *t);
        }
        ok = *t == d;
        s = ok ? t + 1 : t;
    }
    if (!ok) {
        buf_fini(&re);
        buf_fini(&repl);
        return fail(ps, s + strlen(s), "unterminated `s' command");
    }
    (void)repl_start;
    for (; *s && *s != ';' && *s != '\n' && *s != '}' && *s != ' '; s++) {
        if (*s == 'g')
            c->global = true;
        else if (*s == 'p')
            c->print = true;
        else if (*s == 'I' || *s == 'i')
            ; /* below */
        else if (*s >= '1' && *s <= '9') {
            c->nth = 0;
            while (*s >= '0' && *s <= '9')
                c->nth = c->nth * 10 + (*s++ - '0');
            s--;
        } else {
            buf_fini(&re);
            buf_fini(&repl);
            return fail(ps, s + 1, "unknown option to `s'");
        }
    }
    bool icase = false;
    for (const char *f = ps->s; f < s; f++)
        (void)f;
    int flags = (ps->sed->extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0);
    int err = regcomp(&c->re, re.data ? re.data : "", flags);
    buf_fini(&re);
    if (err) {
        char msg[128];
        regerror(err, &c->re, msg, sizeof msg);
        buf_fini(&repl);
        return fail(ps, s, msg);
    }
    c->has_re = true;
    /* \N must name a group of the regex */
    const char *r = repl.data ? repl.data : "";
    for (const char *t = r; *t; t++)
        if (*t == '\\' && t[1] >= '1' && t[1] <= '9') {
            if ((size_t)(t[1] - '0') > c->re.re_nsub) {
                char msg[80];
                snprintf(msg, sizeof msg, "invalid reference \\%c on `s' command's RHS", t[1]);
                buf_fini(&repl);
                return fail(ps, s, msg);
            }
            t++;
        } else if (*t == '\\' && t[1])
            t++;
    c->repl = buf_take(&repl);
    ps->s = s;
    return true;
}

/* GNU sed's commands that minet's does not run. */
static const char gnu_cmds[] = "aibcDeFgGhHlnNPrRtTvwWxyz{}:#";

static bool parse_script(Parser *ps)
{
    Sed *sed = ps->sed;
    for (;;) {
        while (*ps->s == ' ' || *ps->s == '\t' || *ps->s == '\n' || *ps->s == ';')
            ps->s++;
        if (!*ps->s)
            return true;
        if (*ps->s == '#') { /* a comment to the end of the line */
            while (*ps->s && *ps->s != '\n')
                ps->s++;
            continue;
        }
        sed->cmd = xrealloc(sed->cmd, (sed->n_cmd + 1) * sizeof *sed->cmd);
        SedCmd *c = &sed->cmd[sed->n_cmd];
        memset(c, 0, sizeof *c);
        sed->n_cmd++;
        if (!parse_addr(ps, &c->a1))
            return false;
        if (*ps->s == ',') {
            ps->s++;
            if (!parse_addr(ps, &c->a2))
                return false;
            if (c->a2.kind == ADDR_NONE)
                return fail(ps, ps->s, "unexpected `,'");
            c->range = true;
        }
        while (*ps->s == ' ')
            ps->s++;
        if (*ps->s == '!') {
            c->negate = true;
            ps->s++;
            while (*ps->s == ' ')
                ps->s++;
        }
        char k = *ps->s;
        if (!k || k == ';' || k == '\n')
            return fail(ps, ps->s + (k != 0), "missing command");
        ps->s++;
        c->cmd = k;
        if (k == 's') {
            if (!parse_s(ps, c))
                return false;
        } else if (k == 'p' || k == 'd' || k == 'q' || k == '=') {
            /* no argument */
        } else if (k == '}') {
            return fail(ps, ps->s, "unexpected `}'");
        } else if (strchr(gnu_cmds, k)) {
            snprintf(ps->err, sizeof ps->err,
                     "sed: minet's sed does not run the `%c' command (it runs s///, p, d, q "
                     "and =, with line, $ and /regex/ addresses)",
                     k);
            return false;
        } else {
            char msg[64];
            snprintf(msg, sizeof msg, "unknown command: `%c'", k);
            return fail(ps, ps->s, msg);
        }
        while (*ps->s == ' ' || *ps->s == '\t')
            ps->s++;
        if (*ps->s == '#')
            continue;
        if (*ps->s && *ps->s != ';' && *ps->s != '\n' && *ps->s != '}')
            return fail(ps, ps->s + 1, "extra characters after command");
    }
}

/* ---- running ----------------------------------------------------------- */

static void out_line(Proc *p, Sed *sed, const char *text, bool last_no_nl)
{
    if (sed->missing_nl)
        proc_printf(p, CON_STDOUT, "\n");
    proc_printf(p, CON_STDOUT, "%s%s", text, last_no_nl ? "" : "\n");
    sed->missing_nl = last_no_nl;
}

static bool addr_match(const Addr *a, const char *line, long long n, bool last)
{
    switch (a->kind) {
    case ADDR_NONE:
        return true;
    case ADDR_LINE:
        return n == a->line;
    case ADDR_LAST:
        return last;
    case ADDR_RE:
        return regexec(&a->re, line, 0, NULL, 0) == 0;
    }
    return false;
}

static bool selected(SedCmd *c, const char *line, long long n, bool last)
{
    bool m;
    if (!c->range)
        m = addr_match(&c->a1, line, n, last);
    else if (c->active) {
        m = true;
        if (c->a2.kind == ADDR_LINE ? n >= c->a2.line : addr_match(&c->a2, line, n, last))
            c->active = false;
    } else {
        m = addr_match(&c->a1, line, n, last);
        /* a line number at or before this one ends the range at once */
        if (m && !(c->a2.kind == ADDR_LINE && c->a2.line <= n) &&
            !(c->a2.kind == ADDR_LAST && last))
            c->active = true;
    }
    return m != c->negate;
}

/* Appends the replacement of c for match m of s. */
static void put_replacement(Buf *out, const SedCmd *c, const char *s, const regmatch_t *m)
{
    for (const char *r = c->repl; *r; r++) {
        if (*r == '&') {
            buf_put(out, s + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
        } else if (*r == '\\' && r[1] >= '0' && r[1] <= '9') {
            int g = *++r - '0';
            if (m[g].rm_so >= 0)
                buf_put(out, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        } else if (*r == '\\' && r[1] == 'n') {
            buf_putc(out, '\n');
            r++;
        } else if (*r == '\\' && r[1]) {
            buf_putc(out, *++r);
        } else
            buf_putc(out, *r);
    }
}

/* s///: returns whether it replaced anything; *line is replaced.  As GNU
 * sed, an empty match right where the previous match ended does not count
 * ('s/b*' + '/-/g' turns abc into -a-c-). */
static bool substitute(SedCmd *c, char **line)
{
    Buf out;
    buf_init(&out);
    const char *s = *line;
    regmatch_t m[10];
    long long k = 0;
    bool done = false, after_match = false;
    int eflags = 0;
    for (;;) {
        if (regexec(&c->re, s, 10, m, eflags) != 0)
            break;
        eflags = REG_NOTBOL;
        bool empty = m[0].rm_so == m[0].rm_eo;
        if (empty && m[0].rm_so == 0 && after_match) {
            if (!*s)
                break;
            buf_putc(&out, *s++);
            after_match = false;
            continue;
        }
        bool want = !c->nth || ++k >= c->nth;
        buf_put(&out, s, (size_t)m[0].rm_so);
        if (want) {
            put_replacement(&out, c, s, m);
            done = true;
        } else
            buf_put(&out, s + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
        s += m[0].rm_eo;
        after_match = !empty;
        if (want && !c->global)
            break;
        if (empty) {
            if (!*s)
                break;
            buf_putc(&out, *s++);
        }
    }
    if (!done) {
        buf_fini(&out);
        return false;
    }
    buf_puts(&out, s);
    free(*line);
    *line = buf_take(&out);
    return true;
}

static void sed_run(Proc *p, const char *data, size_t len)
{
    Sed *sed = p->state;
    FiltLines l;
    filt_lines(&l, data, len);
    for (size_t i = 0; i < l.n; i++) {
        bool last = i + 1 == l.n;
        bool no_nl = last && l.no_final_nl;
        char *line = xstrdup(l.line[i]);
        bool deleted = false, quit = false;
        for (size_t k = 0; k < sed->n_cmd && !deleted && !quit; k++) {
            SedCmd *c = &sed->cmd[k];
            if (!selected(c, line, (long long)i + 1, last))
                continue;
            switch (c->cmd) {
            case 's':
                if (substitute(c, &line) && c->print)
                    out_line(p, sed, line, no_nl);
                break;
            case 'p':
                out_line(p, sed, line, no_nl);
                break;
            case 'd':
                deleted = true;
                break;
            case 'q':
                quit = true;
                break;
            case '=': {
                char num[32];
                snprintf(num, sizeof num, "%zu", i + 1);
                out_line(p, sed, num, false);
                break;
            }
            }
        }
        if (!deleted && !sed->quiet)
            out_line(p, sed, line, no_nl);
        free(line);
        if (quit)
            break;
    }
    filt_lines_fini(&l);
}

/* A file sed cannot read is said where sed meets it; minet runs the script
 * over all the readable inputs at once, so one before the first readable
 * input is said first, the others after the output.  Status 2 (4 for a
 * directory: a read error), as GNU sed. */
static void sed_unreadable(Proc *p, const ProcFile *f, int *status)
{
    if (f->err == VFS_EISDIR) {
        proc_printf(p, CON_STDERR, "sed: read error on %s: %s\n", filt_name(f, "stdin"),
                    filt_error(f));
        *status = 4;
        return;
    }
    proc_printf(p, CON_STDERR, "sed: can't read %s: %s\n", f->name, filt_error(f));
    if (*status < 2)
        *status = 2;
}

static void sed_files(Proc *p, ProcFile *in, size_t n_in)
{
    int status = 0;
    size_t first_ok = 0;
    while (first_ok < n_in && in[first_ok].err != VFS_OK)
        sed_unreadable(p, &in[first_ok++], &status);
    Buf all;
    buf_init(&all);
    filt_join(in, n_in, &all);
    sed_run(p, all.data, all.len);
    buf_fini(&all);
    for (size_t i = first_ok; i < n_in; i++)
        if (in[i].err != VFS_OK)
            sed_unreadable(p, &in[i], &status);
    proc_exit(p, status);
}

void sed_main(Proc *p, int argc, char **argv)
{
    Sed *sed = xcalloc(1, sizeof *sed);
    p->state = sed;
    p->free_state = sed_free;
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    int c;
    while ((c = filt_opt(&o, "nErse:f:i::l:uz")) != -1) {
        if (c == 'n')
            sed->quiet = true;
        else if (c == 'E' || c == 'r')
            sed->extended = true;
        else if (c == 'e') {
            sed->expr = xrealloc(sed->expr, (size_t)(sed->n_expr + 1) * sizeof *sed->expr);
            sed->expr[sed->n_expr++] = (char *)o.arg;
        } else if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "sed", c);
            proc_printf(p, CON_STDERR, "%s", sed_usage);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        } else {
            proc_printf(p, CON_STDERR,
                        "sed: minet's sed does not support -%c (it supports -n, -E, -r and "
                        "-e SCRIPT)\n",
                        c);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    }
    size_t first_file = 0;
    if (!sed->n_expr) {
        if (!o.n_operands) {
            proc_printf(p, CON_STDERR, "%s", sed_usage);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
        sed->expr = xcalloc(1, sizeof *sed->expr);
        sed->expr[sed->n_expr++] = o.operands[0];
        first_file = 1;
    }
    for (int i = 0; i < sed->n_expr; i++) { /* argv's strings live while main runs */
        Parser ps = {p, sed, sed->expr[i], sed->expr[i], i + 1, ""};
        if (!parse_script(&ps)) {
            proc_printf(p, CON_STDERR, "%s\n", ps.err);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
    }
    proc_read_files(p, o.operands + first_file, o.n_operands - first_file, sed_files);
    filt_opts_fini(&o);
}
