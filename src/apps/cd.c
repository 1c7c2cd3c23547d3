/* cd and pwd — bash 5.2's builtins: the terminal's working folder, which
 * every relative path of the commands after it starts from (proc_path),
 * and $PWD and $OLDPWD.  `cd` alone goes to $HOME, `cd -` to $OLDPWD
 * (printing it); a relative folder not starting with . or .. is looked
 * for in $CDPATH's folders first (printed when found there); paths are
 * logical, as bash's (`cd d/..` is where it started, once d is a
 * folder).  An assignment before cd is seen by it (HOME=/tmp cd).  In a
 * pipeline or in the background, cd changes only its own subshell's
 * folder, as bash's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/shell_vars.h"
#include "core/util.h"

/* The working folder of p: its own, or the user's home. */
static const char *cwd_of(const Proc *p, char *home, size_t size)
{
    if (p->cwd)
        return p->cwd;
    snprintf(home, size, "/home/%s", vfs_user(p->sim->world, p->node));
    return home;
}

/* May the user enter the folder (search permission, x)? */
static bool may_enter(const Proc *p, const VfsStat *st)
{
    const char *user = vfs_user(p->sim->world, p->node);
    if (!strcmp(user, "root"))
        return true;
    unsigned bit = st->owner && !strcmp(st->owner, user) ? 0100 : 0001;
    return (st->mode & bit) != 0;
}

/* Leading options of bash's builtins (-L -P for both, -e and -@ for
 * cd); false, said, on another one. */
static bool builtin_options(Proc *p, int argc, char **argv, int *first, const char *name,
                            const char *letters, const char *usage)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (const char *o = argv[i] + 1; *o; o++)
            if (!strchr(letters, *o)) {
                proc_printf(p, CON_STDERR, "bash: %s: -%c: invalid option\n%s: usage: %s\n", name,
                            *o, name, usage);
                proc_exit(p, 2);
                return false;
            }
    }
    *first = i;
    return true;
}

/* dir found in a folder of $CDPATH (not the empty entry, the working
 * folder): true with its path, which cd then prints. */
static bool cdpath(Proc *p, const char *dir, char *path)
{
    const char *list = proc_var(p, "CDPATH");
    if (!list || dir[0] == '/' || !strcmp(dir, ".") || !strcmp(dir, "..") ||
        !strncmp(dir, "./", 2) || !strncmp(dir, "../", 3))
        return false;
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ":");
        if (n) {
            char *cand = xasprintf("%.*s/%s", (int)n, s, dir);
            VfsStat st;
            bool found = proc_folder(p, cand, path, &st) == VFS_OK;
            free(cand);
            if (found)
                return true;
        }
        s += n + (s[n] == ':');
    }
    return false;
}

void cd_main(Proc *p, int argc, char **argv)
{
    int i;
    if (!builtin_options(p, argc, argv, &i, "cd", "LPe@", "cd [-L|[-P [-e]] [-@]] [dir]"))
        return;
    bool subshell;
    ShellVars *vs = proc_vars(p, &subshell);
    if (argc - i > 1) {
        proc_printf(p, CON_STDERR, "bash: cd: too many arguments\n");
        proc_exit(p, 1);
        return;
    }
    const char *dir = i < argc ? argv[i] : NULL;
    bool dash = dir && !strcmp(dir, "-");
    if (!dir || dash) {
        const char *var = dash ? "OLDPWD" : "HOME";
        dir = proc_var(p, var);
        if (!dir) {
            proc_printf(p, CON_STDERR, "bash: cd: %s not set\n", var);
            proc_exit(p, 1);
            return;
        }
    }
    if (!*dir) { /* `cd ""` stays, as bash 5.2 */
        proc_exit(p, 0);
        return;
    }
    char path[VFS_PATH_MAX], found[VFS_PATH_MAX];
    VfsStat st;
    bool print = dash || cdpath(p, dir, found);
    VfsErr e = proc_folder(p, print && !dash ? found : dir, path, &st);
    if (e == VFS_OK && !may_enter(p, &st))
        e = VFS_EACCES;
    if (e != VFS_OK) {
        proc_printf(p, CON_STDERR, "bash: cd: %s: %s\n", dir, vfs_strerror(e));
        proc_exit(p, 1);
        return;
    }
    /* OLDPWD is what $PWD said (empty once it was unset), as bash */
    const char *pwd = proc_var(p, "PWD");
    char *old = xstrdup(pwd ? pwd : "");
    proc_chdir(p, path);
    if (!subshell) {
        char *a = xasprintf("OLDPWD=%s", old), *b = xasprintf("PWD=%s", path);
        shell_vars_assign(vs, p->sim->world, p->node, a, false);
        shell_vars_assign(vs, p->sim->world, p->node, b, false);
        free(a);
        free(b);
    }
    free(old);
    if (print)
        proc_printf(p, CON_STDOUT, "%s\n", path);
    proc_exit(p, 0);
}

void pwd_main(Proc *p, int argc, char **argv)
{
    int i;
    if (!builtin_options(p, argc, argv, &i, "pwd", "LP", "pwd [-LP]"))
        return;
    char home[VFS_NAME_MAX + 8];
    proc_printf(p, CON_STDOUT, "%s\n", cwd_of(p, home, sizeof home));
    proc_exit(p, 0);
}
