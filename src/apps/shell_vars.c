#include "shell_vars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "core/util.h"
#include "proto/vfs.h"

/* ---- the variables --------------------------------------------------- */

void shell_vars_fini(ShellVars *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        free(vs->v[i].name);
        free(vs->v[i].value);
    }
    free(vs->v);
    *vs = (ShellVars){0};
}

static ShellVar *find(ShellVars *vs, const char *name, size_t len)
{
    for (size_t i = 0; i < vs->n; i++)
        if (strlen(vs->v[i].name) == len && !memcmp(vs->v[i].name, name, len))
            return &vs->v[i];
    return NULL;
}

/* Sets the variable (value NULL: declares it, keeping any value); NULL,
 * nothing changed, when the values would pass SHELL_VARS_MAX. */
static ShellVar *set(ShellVars *vs, const char *name, size_t len, const char *value)
{
    ShellVar *v = find(vs, name, len);
    size_t old = v && v->value ? strlen(v->value) : 0;
    size_t now = value ? strlen(value) : old;
    if (vs->bytes - old + now > SHELL_VARS_MAX)
        return NULL;
    vs->bytes = vs->bytes - old + now;
    if (!v) {
        vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof *vs->v);
        v = &vs->v[vs->n++];
        *v = (ShellVar){xstrndup(name, len), NULL, false};
    }
    if (value) {
        char *copy = xstrdup(value); /* value may be v's own */
        free(v->value);
        v->value = copy;
    }
    return v;
}

/* What an interactive bash on a Debian machine has at the prompt: the
 * login's environment and bash's own. */
static void seed(ShellVars *vs, const World *w, int node)
{
    if (vs->seeded)
        return;
    vs->seeded = true;
    const char *user = vfs_user(w, node);
    char home[VFS_NAME_MAX + 8];
    snprintf(home, sizeof home, "/home/%s", user);
    static const char *const exported[][2] = {
        {"HOME", NULL},
        {"LANG", "C.UTF-8"},
        {"LOGNAME", NULL},
        {"OLDPWD", NULL},
        {"PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"},
        {"PWD", NULL},
        {"SHELL", "/bin/bash"},
        {"SHLVL", "1"},
        {"TERM", "xterm-256color"},
        {"USER", NULL},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(exported); i++) {
        const char *name = exported[i][0], *value = exported[i][1];
        if (!strcmp(name, "HOME") || !strcmp(name, "PWD"))
            value = home;
        else if (!strcmp(name, "LOGNAME") || !strcmp(name, "USER"))
            value = user;
        set(vs, name, strlen(name), value)->exported = true;
    }
    set(vs, "HOSTNAME", 8, w->nodes[node].id);
}

bool shell_vars_assign(ShellVars *vs, const World *w, int node, const char *assignment, bool export)
{
    seed(vs, w, node);
    size_t eq = strcspn(assignment, "=");
    ShellVar *v = set(vs, assignment, eq, assignment[eq] ? assignment + eq + 1 : NULL);
    if (v)
        v->exported |= export;
    return v != NULL;
}

/* ---- what words expand against ---------------------------------------- */

const char *shell_vars_get(ShellVars *vs, const World *w, int node, const char *name)
{
    seed(vs, w, node);
    const ShellVar *v = find(vs, name, strlen(name));
    return v ? v->value : NULL;
}

static const char *env_get(void *ctx, const char *name, size_t len)
{
    ShellEnv *e = ctx;
    if (len == 1 && (name[0] == '?' || name[0] == '$' || name[0] == '!')) {
        int v = name[0] == '?' ? e->status : name[0] == '$' ? e->shell_pid : e->last_bg;
        if (name[0] == '!' && !v)
            return NULL; /* no background job yet */
        snprintf(e->num, sizeof e->num, "%d", v);
        return e->num;
    }
    if (len == 1 && name[0] == '_')
        return e->last_word;
    seed(e->vars, e->p->sim->world, e->p->node);
    const ShellVar *v = find(e->vars, name, len);
    return v ? v->value : NULL;
}

static void env_set(void *ctx, const char *name, size_t len, const char *value)
{
    ShellEnv *e = ctx;
    seed(e->vars, e->p->sim->world, e->p->node);
    set(e->vars, name, len, value);
}

static const char *env_home_of(void *ctx, const char *user)
{
    ShellEnv *e = ctx;
    const char *own = vfs_user(e->p->sim->world, e->p->node);
    if (!*user)
        user = own;
    if (!strcmp(user, "root"))
        return "/root";
    if (strcmp(user, own) != 0)
        return NULL;
    snprintf(e->home, sizeof e->home, "/home/%s", own);
    return e->home;
}

static bool env_list(void *ctx, const char *dir, CmdDirent **out, size_t *n)
{
    ShellEnv *e = ctx;
    char path[VFS_PATH_MAX];
    Vfs *v = vfs_of(e->p->sim);
    VfsDirent *d;
    size_t nd;
    if (!v || proc_path(e->p, *dir ? dir : ".", path) != VFS_OK ||
        vfs_list(v, e->p->node, path, &d, &nd) != VFS_OK)
        return false;
    *out = xcalloc(nd ? nd : 1, sizeof **out);
    for (size_t i = 0; i < nd; i++)
        (*out)[i] = (CmdDirent){xstrdup(d[i].name), d[i].st.dir};
    *n = nd;
    free(d);
    return true;
}

static bool env_exists(void *ctx, const char *path)
{
    ShellEnv *e = ctx;
    char abs[VFS_PATH_MAX];
    VfsStat st;
    Vfs *v = vfs_of(e->p->sim);
    if (!v || proc_path(e->p, path, abs) != VFS_OK || vfs_stat(v, e->p->node, abs, &st) != VFS_OK)
        return false;
    size_t len = strlen(path);
    return st.dir || !len || path[len - 1] != '/';
}

void shell_env_init(ShellEnv *e, Proc *p, ShellVars *vars, int status, int shell_pid, int last_bg)
{
    e->env = (CmdEnv){e, env_get, env_set, env_home_of, env_list, env_exists};
    e->p = p;
    e->vars = vars;
    e->status = status;
    e->shell_pid = shell_pid;
    e->last_bg = last_bg;
    e->last_word = NULL;
}

/* ---- the builtins ----------------------------------------------------- */

/* The value NAME (len bytes) has among the assignments before p's program
 * (X=1 printenv X: the last one), or NULL. */
static const char *prefix_value(const Proc *p, const char *name, size_t len)
{
    for (size_t i = p->nassign; i-- > 0;) {
        const char *a = p->assign[i];
        if (!strncmp(a, name, len) && a[len] == '=')
            return a + len + 1;
    }
    return NULL;
}

const char *proc_var(Proc *p, const char *name)
{
    const char *v = prefix_value(p, name, strlen(name));
    if (v)
        return v;
    bool subshell;
    return shell_vars_get(proc_vars(p, &subshell), p->sim->world, p->node, name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(ShellVar *const *)a)->name, (*(ShellVar *const *)b)->name);
}

/* export and export -p: bash's `declare -x` lines, by name. */
static void export_list(Proc *p, ShellVars *vs)
{
    ShellVar **sorted = xcalloc(vs->n ? vs->n : 1, sizeof *sorted);
    size_t n = 0;
    for (size_t i = 0; i < vs->n; i++)
        if (vs->v[i].exported)
            sorted[n++] = &vs->v[i];
    qsort(sorted, n, sizeof *sorted, by_name);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        buf_printf(&b, "declare -x %s", sorted[i]->name);
        if (sorted[i]->value) {
            buf_puts(&b, "=\"");
            for (const char *c = sorted[i]->value; *c; c++) {
                if (strchr("\"\\$`", *c))
                    buf_putc(&b, '\\');
                buf_putc(&b, *c);
            }
            buf_putc(&b, '"');
        }
        buf_putc(&b, '\n');
    }
    if (b.len)
        proc_write(p, CON_STDOUT, b.data, b.len);
    buf_fini(&b);
    free(sorted);
}

void export_main(Proc *p, int argc, char **argv)
{
    bool subshell;
    ShellVars *vs = proc_vars(p, &subshell);
    const World *w = p->sim->world;
    seed(vs, w, p->node);
    int i = 1;
    bool unexport = false, print = false;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'n' || *o == 'p' || *o == 'f') {
                unexport |= *o == 'n';
                print |= *o == 'p';
                continue;
            }
            proc_printf(p, CON_STDERR,
                        "bash: export: -%c: invalid option\n"
                        "export: usage: export [-fn] [name[=value] ...] or export -p\n",
                        *o);
            proc_exit(p, 2);
            return;
        }
    }
    if (i == argc) {
        export_list(p, vs);
        proc_exit(p, 0);
        return;
    }
    (void)print;
    int status = 0;
    for (; i < argc; i++) {
        size_t eq = strcspn(argv[i], "=");
        bool append = argv[i][eq] && eq && argv[i][eq - 1] == '+'; /* export NAME+=value */
        size_t len = eq - append;
        if (!cmdline_is_name(argv[i], len)) {
            proc_printf(p, CON_STDERR, "bash: export: `%s': not a valid identifier\n", argv[i]);
            status = 1;
            continue;
        }
        if (subshell)
            continue; /* bash forgets a subshell's variables */
        /* X=1 export X: bash keeps the X given to export */
        const char *value = argv[i][eq] ? argv[i] + eq + 1 : prefix_value(p, argv[i], len);
        char *joined = NULL;
        if (append) {
            const ShellVar *old = find(vs, argv[i], len);
            joined = xasprintf("%s%s", old && old->value ? old->value : "", value);
            value = joined;
        }
        ShellVar *v = set(vs, argv[i], len, value);
        if (v)
            v->exported = !unexport;
        else
            proc_printf(p, CON_STDERR, "minet: %.*s: %s\n", (int)len, argv[i], SHELL_VARS_FULL);
        status = v ? status : 1;
        free(joined);
    }
    proc_exit(p, status);
}

void unset_main(Proc *p, int argc, char **argv)
{
    bool subshell;
    ShellVars *vs = proc_vars(p, &subshell);
    seed(vs, p->sim->world, p->node);
    int i = 1;
    bool functions = false;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'v' || *o == 'f' || *o == 'n') {
                functions = *o == 'f';
                continue;
            }
            proc_printf(p, CON_STDERR,
                        "bash: unset: -%c: invalid option\n"
                        "unset: usage: unset [-f] [-v] [-n] [name ...]\n",
                        *o);
            proc_exit(p, 2);
            return;
        }
    }
    for (; i < argc; i++) {
        if (functions)
            continue;                                     /* minet's shell has no functions */
        ShellVar *v = find(vs, argv[i], strlen(argv[i])); /* bash 5.2 says nothing of a bad name */
        if (!v || subshell || prefix_value(p, argv[i], strlen(argv[i])))
            continue; /* X=1 unset X unsets the X given to unset alone */
        free(v->name);
        vs->bytes -= v->value ? strlen(v->value) : 0;
        free(v->value);
        memmove(v, v + 1, (size_t)(vs->v + vs->n - (v + 1)) * sizeof *v);
        vs->n--;
    }
    proc_exit(p, 0);
}

/* printenv: the exported variables (NAME=value, in the order set), or the
 * values of those named (status 1 if one is not there). */
void printenv_main(Proc *p, int argc, char **argv)
{
    bool subshell;
    ShellVars *vs = proc_vars(p, &subshell);
    seed(vs, p->sim->world, p->node);
    Buf b;
    buf_init(&b);
    int status = 0;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] && strcmp(argv[1], "--") != 0) {
        proc_printf(p, CON_STDERR,
                    "printenv: minet's printenv does not support %s (it supports NAME ...)\n",
                    argv[1]);
        proc_exit(p, 2);
        return;
    }
    int first = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;
    if (first >= argc) { /* the assignments before it are in its environment too */
        for (size_t i = 0; i < vs->n; i++) {
            const char *name = vs->v[i].name;
            if (!prefix_value(p, name, strlen(name)) && vs->v[i].exported && vs->v[i].value)
                buf_printf(&b, "%s=%s\n", name, vs->v[i].value);
        }
        for (size_t i = 0; i < p->nassign; i++) {
            size_t len = strcspn(p->assign[i], "=");
            if (prefix_value(p, p->assign[i], len) == p->assign[i] + len + 1)
                buf_printf(&b, "%s\n", p->assign[i]);
        }
    }
    for (int i = first; i < argc; i++) {
        size_t len = strlen(argv[i]);
        const char *value = strchr(argv[i], '=') ? NULL : prefix_value(p, argv[i], len);
        const ShellVar *v = value || strchr(argv[i], '=') ? NULL : find(vs, argv[i], len);
        if (v && v->exported && v->value)
            value = v->value;
        if (value)
            buf_printf(&b, "%s\n", value);
        else
            status = 1;
    }
    if (b.len)
        proc_write(p, CON_STDOUT, b.data, b.len);
    buf_fini(&b);
    proc_exit(p, status);
}
