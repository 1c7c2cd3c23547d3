/* shell_classify — what a line is (a program's, a fault, a comment,
 * nothing), judged from its parse as the loader and the shell read it
 * (shell.h). */
#include "shell.h"

#include <string.h>

#include "apps/apps.h"
#include "apps/cmdline.h"

/* name into prog (size bytes), cut short if need be. */
static void copy_name(char *prog, size_t size, const char *name)
{
    if (!size)
        return;
    size_t n = strlen(name);
    if (n >= size)
        n = size - 1;
    memcpy(prog, name, n);
    prog[n] = '\0';
}

/* A line that does not parse: bash prints its message, so it runs (an
 * open quote still names the program: the first word as split so far). */
static ShellKind classify_unparsed(const char *line, char *prog, size_t size)
{
    char err[160];
    Cmdline c;
    cmdline_split(&c, line, err, sizeof err);
    copy_name(prog, size, c.argc ? c.argv[0] : "");
    ShellKind kind = SHELL_PROGRAM;
    if (c.argc && !apps_find(c.argv[0]) && !strchr(line, '|') && !strchr(line, ';') &&
        !strchr(line, '&'))
        kind = SHELL_UNKNOWN;
    cmdline_fini(&c);
    return kind;
}

/* What a line is, judged command by command in order. */
typedef struct Verdict {
    ShellKind kind;
    size_t n; /* the commands judged so far */
    char *prog;
    size_t size;
} Verdict;

bool shell_is_fault_name(const char *name)
{
    return strcmp(name, "down") == 0 || strcmp(name, "up") == 0;
}

/* One command of the line, by its program (as cmd.exe finds Windows'):
 * app, or NULL when it is not one minet knows. */
static void judge(void *ctx, const char *name, const AppProgram *app, bool alone)
{
    Verdict *v = ctx;
    /* A program's name has neither $ nor `, and is no fault's: a word
     * found as a program needs neither test. */
    if (!*name || (!app && strpbrk(name, "$`"))) {
        /* redirections or assignments alone (`> FILE`, `x=1`): bash runs
         * no program; or one an expansion names, known when it runs */
        v->n++;
        return;
    }
    if (v->n++ == 0) {
        copy_name(v->prog, v->size, name);
        if (alone && !app && shell_is_fault_name(name))
            v->kind = SHELL_FAULT;
    }
    if (v->kind == SHELL_PROGRAM && !app) {
        copy_name(v->prog, v->size, name);
        v->kind = SHELL_UNKNOWN;
    }
}

/* judge, for a command's first word as typed.  A word that is a
 * program's name is noted in c: the command runs it, found once
 * (start_command), unless its words are made anew (cmdline.h). */
static void judge_word(void *ctx, Cmdline *c, const char *word, bool alone)
{
    const AppProgram *app = apps_find(word); /* as typed: apps_cmd_exe_split changes nothing */
    if (app)
        c->program = app;
    else
        app = apps_cmd_exe_find(word);
    judge(ctx, app ? app->name : word, app, alone);
}

ShellKind shell_classify_parsed(const char *line, char *prog, size_t size, CmdList *list)
{
    char err[160];
    copy_name(prog, size, "");
    if (!cmdline_parse(list, line, err, sizeof err)) {
        cmdline_list_fini(list);
        return classify_unparsed(line, prog, size);
    }
    Verdict v = {SHELL_PROGRAM, 0, prog, size};
    cmdline_programs(list, judge_word, &v);
    return v.n ? v.kind : SHELL_EMPTY;
}

ShellKind shell_classify(const char *line, char *prog, size_t size)
{
    CmdList list;
    ShellKind kind = shell_classify_parsed(line, prog, size, &list);
    cmdline_list_fini(&list);
    return kind;
}

bool shell_comment_only(const char *line)
{
    return line[strspn(line, " \t")] == '#';
}

bool shell_program_known(const char *prog)
{
    return apps_find(prog) != NULL;
}

const char *const *shell_programs(size_t *n)
{
    return apps_names(n);
}
