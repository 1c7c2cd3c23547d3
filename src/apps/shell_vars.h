/* shell_vars — a terminal's shell variables, as bash has them at a
 * student's prompt (HOME, USER, PWD, PATH, …, and what the student sets),
 * and what a command's words expand against (cmdline_expand): those
 * variables, $? $$ $!, the users' homes, the node's files.
 *
 * Every terminal starts with the same variables, made from the node's user
 * (vfs_user) when first read.  `NAME=value` alone sets one; the builtins
 * export, unset and printenv (apps.h) read and change them. */
#ifndef MN_SHELL_VARS_H
#define MN_SHELL_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include "apps/cmdline.h"
#include "apps/shell.h"

typedef struct ShellVar {
    char *name;
    char *value; /* NULL: declared without a value (bash's OLDPWD at first) */
    bool exported;
} ShellVar;

typedef struct ShellVars {
    ShellVar *v; /* in the order set */
    size_t n;
    size_t bytes; /* of every value: at most SHELL_VARS_MAX */
    bool seeded;
} ShellVars;

/* What a terminal's variables hold in all: x=$x$x … and 1 MiB words
 * would otherwise take the run to gigabytes. */
#define SHELL_VARS_MAX (16u << 20)
#define SHELL_VARS_FULL                                                                            \
    "the shell's variables would pass 16 MiB in all (minet's shell keeps no more)"

void shell_vars_fini(ShellVars *vs);

/* What a command of process p expands against: vs, status ($?), the
 * terminal's shell's PID ($$) and its last background job's ($!, 0 for
 * none).  e lives while the command's words are expanded. */
typedef struct ShellEnv {
    CmdEnv env;
    Proc *p;
    ShellVars *vars;
    int status, shell_pid, last_bg;
    const char *last_word; /* $_, or NULL before the terminal's first command */
    char num[16];          /* what get gave last for $? $$ $! (most commands ask none) */
    char home[64];         /* what home_of gave last */
} ShellEnv;

void shell_env_init(ShellEnv *e, Proc *p, ShellVars *vars, int status, int shell_pid, int last_bg);

/* Sets NAME=value (an assignment word) in vs; exported keeps the flag it
 * had unless export is true.  False, nothing set, when vs would pass
 * SHELL_VARS_MAX. */
bool shell_vars_assign(ShellVars *vs, const World *w, int node, const char *assignment,
                       bool export);

/* The value of variable name in vs, or NULL when it is unset. */
const char *shell_vars_get(ShellVars *vs, const World *w, int node, const char *name);

/* ---- for the builtins (shell.c gives them their terminal's variables) --- */

/* The variables of p's terminal; *subshell when p runs in one (a command
 * of a pipeline of several, or in the background), whose changes bash
 * forgets. */
ShellVars *proc_vars(Proc *p, bool *subshell);
/* The value of variable name for p: among the assignments before its
 * program (HOME=/tmp cd), else its terminal's; NULL when unset. */
const char *proc_var(Proc *p, const char *name);
/* Makes path (absolute, normalised) p's working folder, and its
 * terminal's unless p runs in a subshell (cd). */
void proc_chdir(Proc *p, const char *path);

#endif
