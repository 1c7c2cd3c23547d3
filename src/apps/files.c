/* mkdir, rmdir, rm and mv — GNU coreutils 9.1's, over the node's files
 * (relative paths from the user's home), with their messages and exit
 * statuses:
 *   mkdir [-p] [-v] DIR...     (-p: parents too, no error if it exists)
 *   rmdir [-v] DIR...          (only an empty folder)
 *   rm [-f] [-r|-R] [-v] NAME...  (a folder only with -r, its contents first)
 *   mv [-v] SOURCE DEST, mv [-v] SOURCE... FOLDER
 * An option of the real tool that minet's lacks prints getopt's message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"
#include "proto/vfs.h"

/* Parses the options of spec into flags (one bool per letter of letters);
 * false after getopt's message and "Try ..." (the program has exited). */
static bool options(Proc *p, FiltOpts *o, const char *prog, const char *spec, const char *letters,
                    bool *flags)
{
    int c;
    while ((c = filt_opt(o, spec)) != -1) {
        const char *at = c > 0 ? strchr(letters, c) : NULL;
        if (c == '?' || c == ':' || !at) {
            filt_opt_error(p, o, prog, c);
            if (filt_opt_lacking(o, c)) {
                filt_opts_fini(o);
                proc_exit(p, 1);
            } else {
                filt_usage_fail(p, o, "Try '%s --help' for more information.\n", prog);
            }
            return false;
        }
        flags[at - letters] = true;
    }
    return true;
}

static bool missing_operand(Proc *p, FiltOpts *o, const char *prog)
{
    if (o->n_operands)
        return false;
    proc_printf(p, CON_STDERR, "%s: missing operand\n", prog);
    filt_usage_fail(p, o, "Try '%s --help' for more information.\n", prog);
    return true;
}

/* ---- mkdir ---------------------------------------------------------------- */

/* mkdir -p ARG: each missing folder on the way, as GNU makes them, name by
 * name as typed (so "p/../r" makes p, then r beside it); each made one is
 * shown as the part of arg that names it.  False after the message. */
static bool mkdir_parents(Proc *p, Vfs *v, const char *arg, bool verbose)
{
    char path[VFS_PATH_MAX];
    VfsErr e = proc_path(p, arg[0] == '/' ? "/" : ".", path);
    size_t len = strcmp(path, "/") ? strlen(path) : 0;
    const char *user = vfs_user(p->sim->world, p->node);
    int shown = (int)strlen(arg); /* the part of arg named in a message */
    if (!arg[0])
        e = VFS_ENOENT;
    for (const char *s = arg; e == VFS_OK && *s;) {
        size_t n = strcspn(s, "/");
        const char *next = s + n;
        if (n == 0 || (n == 1 && s[0] == '.')) {
            s = next + (n == 0);
            continue;
        }
        if (n == 2 && !memcmp(s, "..", 2)) {
            while (len && path[len - 1] != '/')
                len--;
            len = len ? len - 1 : 0;
            s = next;
            continue;
        }
        if (n > VFS_NAME_MAX || len + 1 + n >= sizeof path) {
            shown = (int)(next - arg);
            e = VFS_ENAMETOOLONG;
            break;
        }
        path[len++] = '/';
        memcpy(path + len, s, n);
        len += n;
        path[len] = '\0';
        VfsStat st;
        bool last = next[strspn(next, "/")] == '\0';
        shown = (int)(last ? strlen(arg) : (size_t)(next - arg));
        if (vfs_stat(v, p->node, path, &st) != VFS_OK) {
            e = proc_may_name(p, path);
            if (e == VFS_OK)
                e = vfs_mkdir(v, p->node, path, user);
            if (e == VFS_OK && verbose) {
                char *part = xstrndup(arg, (size_t)shown), *q = filt_quoted(part, true);
                proc_printf(p, CON_STDOUT, "mkdir: created directory %s\n", q);
                free(q);
                free(part);
            }
        } else if (!st.dir) {
            e = last ? VFS_EEXIST : VFS_ENOTDIR;
        }
        s = next;
    }
    if (e != VFS_OK) {
        char *q = filt_locale_quoted(arg, (size_t)shown);
        proc_printf(p, CON_STDERR, "mkdir: cannot create directory %s: %s\n", q, vfs_strerror(e));
        free(q);
    }
    return e == VFS_OK;
}

void mkdir_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    static const FiltLong longs[] = {
        {"parents", 'p'}, {"verbose", 'v'}, {"mode", 'm'}, {"context", 'Z'}, {NULL, 0}};
    filt_opts_tool(&o, longs, "mpvZ", "-p -v");
    bool f[2] = {false, false}; /* -p -v */
    if (!options(p, &o, "mkdir", "pv", "pv", f) || missing_operand(p, &o, "mkdir"))
        return;
    Vfs *v = vfs_of(p->sim);
    const char *user = vfs_user(p->sim->world, p->node);
    int status = 0;
    for (size_t i = 0; i < o.n_operands; i++) {
        const char *arg = o.operands[i];
        if (f[0]) {
            status |= !mkdir_parents(p, v, arg, f[1]);
            continue;
        }
        /* mkdir(2) makes "x/" as "x" */
        size_t n = strlen(arg);
        while (n > 1 && arg[n - 1] == '/')
            n--;
        char *name = xstrndup(arg, n), path[VFS_PATH_MAX];
        VfsErr e = proc_path(p, name, path);
        VfsStat st;
        if (e == VFS_OK && vfs_stat(v, p->node, path, &st) == VFS_OK)
            e = VFS_EEXIST;
        if (e == VFS_OK)
            e = proc_may_name(p, path);
        if (e == VFS_OK)
            e = vfs_mkdir(v, p->node, path, user);
        free(name);
        char *q = e == VFS_OK ? filt_quoted(arg, true) : filt_locale_quoted(arg, strlen(arg));
        if (e == VFS_OK && f[1])
            proc_printf(p, CON_STDOUT, "mkdir: created directory %s\n", q);
        if (e != VFS_OK) {
            proc_printf(p, CON_STDERR, "mkdir: cannot create directory %s: %s\n", q,
                        vfs_strerror(e));
            status = 1;
        }
        free(q);
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}

/* ---- rmdir ---------------------------------------------------------------- */

void rmdir_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    static const FiltLong longs[] = {{"parents", 'p'}, {"verbose", 'v'}, {NULL, 0}};
    filt_opts_tool(&o, longs, "pv", "-v");
    bool f[1] = {false}; /* -v */
    if (!options(p, &o, "rmdir", "v", "v", f) || missing_operand(p, &o, "rmdir"))
        return;
    Vfs *v = vfs_of(p->sim);
    int status = 0;
    for (size_t i = 0; i < o.n_operands; i++) {
        const char *arg = o.operands[i];
        char path[VFS_PATH_MAX];
        VfsStat st;
        if (f[0]) {
            char *q = filt_quoted(arg, true);
            proc_printf(p, CON_STDOUT, "rmdir: removing directory, %s\n", q);
            free(q);
        }
        VfsErr e = proc_path(p, arg, path);
        if (e == VFS_OK)
            e = vfs_stat(v, p->node, path, &st);
        /* rmdir(2)'s order: "x/." and "x/..", "/", the folder's permission,
         * then what the name is */
        if (e == VFS_OK && proc_path_dots(arg))
            e = proc_path_dots(arg) == 1 ? VFS_EINVAL : VFS_ENOTEMPTY;
        else if (e == VFS_OK && !strcmp(path, "/"))
            e = VFS_EBUSY;
        if (e == VFS_OK)
            e = proc_may_name(p, path);
        if (e == VFS_OK && !st.dir)
            e = VFS_ENOTDIR;
        if (e == VFS_OK)
            e = vfs_remove(v, p->node, path);
        if (e != VFS_OK) {
            char *q = filt_quoted(arg, true);
            proc_printf(p, CON_STDERR, "rmdir: failed to remove %s: %s\n", q, vfs_strerror(e));
            free(q);
            status = 1;
        }
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}

/* ---- rm ------------------------------------------------------------------- */

/* rm walks one operand at a time, a folder's contents before the folder,
 * and stops at each question it asks: on a terminal, without -f, GNU's rm
 * asks before it descends into or removes what the user may not change. */

typedef struct RmDir { /* a folder being emptied */
    char *path, *shown;
    char **names; /* what it held when rm came in */
    size_t n, next;
    bool kept; /* something in it stayed (an error, or a "no"): it stays too */
} RmDir;

typedef enum RmAsk { RM_ASK_NONE, RM_ASK_DESCEND, RM_ASK_REMOVE } RmAsk;

typedef struct Rm {
    FiltOpts o;
    size_t next_operand;
    bool force, recursive, verbose;
    int status;
    RmDir *dirs; /* the folders being emptied, outermost first */
    size_t depth, cap;
    RmAsk asking; /* the question waiting for its answer, about q_path */
    bool eof;     /* input ended (^D): every later question is a "no" at once */
    char *q_path, *q_shown;
    bool q_dir;
} Rm;

static void rm_free(void *state)
{
    Rm *r = state;
    for (size_t i = 0; i < r->depth; i++) {
        for (size_t k = 0; k < r->dirs[i].n; k++)
            free(r->dirs[i].names[k]);
        free(r->dirs[i].names);
        free(r->dirs[i].path);
        free(r->dirs[i].shown);
    }
    free(r->dirs);
    free(r->q_path);
    free(r->q_shown);
    filt_opts_fini(&r->o);
    free(r);
}

/* Something in the innermost folder stays: so does the folder (and GNU
 * says nothing more of it). */
static void rm_kept(Rm *r)
{
    if (r->depth)
        r->dirs[r->depth - 1].kept = true;
}

/* Removes what is left of path: a file, or a folder now empty. */
static void rm_remove_now(Proc *p, Rm *r, const char *path, const char *shown, bool dir)
{
    VfsErr e = proc_may_name(p, path);
    if (e == VFS_OK)
        e = vfs_remove(vfs_of(p->sim), p->node, path);
    if (e != VFS_OK) {
        char *q = filt_quoted(shown, true);
        proc_printf(p, CON_STDERR, "rm: cannot remove %s: %s\n", q, vfs_strerror(e));
        free(q);
        r->status = 1;
        rm_kept(r);
        return;
    }
    if (r->verbose) {
        char *q = filt_quoted(shown, true);
        proc_printf(p, CON_STDOUT, "removed %s%s\n", dir ? "directory " : "", q);
        free(q);
    }
}

/* Asks GNU's question about path; true when rm waits for the answer
 * (rm_input gets it), false when the input has ended: a "no" at once.  A
 * folder declined stays, and so do the folders around it; a file declined
 * leaves its folder to be asked about. */
static bool rm_ask(Proc *p, Rm *r, RmAsk ask, const char *path, const char *shown, bool dir,
                   const char *what)
{
    char *q = xasprintf("rm: %s '%s'? ", what, shown);
    proc_printf(p, CON_STDERR, "%s", q);
    if (r->eof) { /* nothing more to read: "no", at once */
        free(q);
        if (dir)
            rm_kept(r);
        return false;
    }
    proc_set_prompt(p, q); /* the window's prompt answers it */
    free(q);
    r->asking = ask;
    free(r->q_path);
    free(r->q_shown);
    r->q_path = xstrdup(path);
    r->q_shown = xstrdup(shown);
    r->q_dir = dir;
    proc_wait_input(p, true);
    return true;
}

/* Would GNU's rm ask before it touches st?  On a terminal, without -f,
 * when the user may not change it. */
static bool rm_asks(Proc *p, const Rm *r, const VfsStat *st)
{
    return !r->force && proc_stdin_is_tty(p) &&
           !vfs_may_write(st, vfs_user(p->sim->world, p->node));
}

/* Starts emptying the folder path. */
static void rm_push(Proc *p, Rm *r, const char *path, const char *shown)
{
    VfsDirent *d = NULL;
    size_t n = 0;
    vfs_list(vfs_of(p->sim), p->node, path, &d, &n);
    if (r->depth == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->dirs = xrealloc(r->dirs, r->cap * sizeof *r->dirs);
    }
    RmDir *dir = &r->dirs[r->depth++];
    *dir = (RmDir){xstrdup(path), xstrdup(shown), xcalloc(n + 1, sizeof(char *)), n, 0, false};
    for (size_t i = 0; i < n; i++) /* the listing changes as rm goes */
        dir->names[i] = xstrdup(d[i].name);
    free(d);
}

/* One entry met on the way (an operand, or something in a folder);
 * false when rm now waits for an answer. */
static bool rm_visit(Proc *p, Rm *r, const char *path, const char *shown, const VfsStat *st)
{
    if (!st->dir) {
        if (rm_asks(p, r, st)) {
            return !rm_ask(p, r, RM_ASK_REMOVE, path, shown, false,
                           st->size ? "remove write-protected regular file"
                                    : "remove write-protected regular empty file");
        }
        rm_remove_now(p, r, path, shown, false);
        return true;
    }
    VfsDirent *d = NULL;
    size_t n = 0;
    vfs_list(vfs_of(p->sim), p->node, path, &d, &n);
    free(d);
    if (rm_asks(p, r, st)) {
        return !rm_ask(p, r, n ? RM_ASK_DESCEND : RM_ASK_REMOVE, path, shown, true,
                       n ? "descend into write-protected directory"
                         : "remove write-protected directory");
    }
    if (n)
        rm_push(p, r, path, shown);
    else
        rm_remove_now(p, r, path, shown, true);
    return true;
}

/* The innermost folder has been gone through: it goes too, unless
 * something in it stayed (GNU says nothing more then). */
static bool rm_pop(Proc *p, Rm *r)
{
    RmDir d = r->dirs[--r->depth];
    bool go_on = true;
    if (d.kept) {
        rm_kept(r);
    } else {
        VfsStat st;
        if (vfs_stat(vfs_of(p->sim), p->node, d.path, &st) == VFS_OK && rm_asks(p, r, &st)) {
            go_on = !rm_ask(p, r, RM_ASK_REMOVE, d.path, d.shown, true,
                            "remove write-protected directory");
        } else {
            rm_remove_now(p, r, d.path, d.shown, true);
        }
    }
    for (size_t i = 0; i < d.n; i++)
        free(d.names[i]);
    free(d.names);
    free(d.path);
    free(d.shown);
    return go_on;
}

/* The next operand; false when rm now waits for an answer. */
static bool rm_operand(Proc *p, Rm *r, const char *typed)
{
    /* named as GNU's fts names it: two or more trailing "/" made one */
    size_t len = strlen(typed);
    if (len > 2 && typed[len - 1] == '/')
        while (len > 1 && typed[len - 2] == '/')
            len--;
    char *arg = xstrndup(typed, len), path[VFS_PATH_MAX];
    bool go_on = true;
    VfsStat st;
    VfsErr e = proc_path(p, arg, path);
    if (e == VFS_OK)
        e = vfs_stat(vfs_of(p->sim), p->node, path, &st);
    if (e == VFS_OK && st.dir && !r->recursive)
        e = VFS_EISDIR;
    if (e != VFS_OK) { /* -f: a name that is not there is no error */
        if (!(r->force && (e == VFS_ENOENT || e == VFS_ENOTDIR))) {
            char *q = filt_quoted(arg, true);
            proc_printf(p, CON_STDERR, "rm: cannot remove %s: %s\n", q, vfs_strerror(e));
            free(q);
            r->status = 1;
        }
    } else if (r->recursive && proc_path_dots(arg)) {
        proc_printf(p, CON_STDERR, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n",
                    arg);
        r->status = 1;
    } else if (r->recursive && !strcmp(path, "/")) { /* GNU's --preserve-root */
        if (!strcmp(arg, "/"))
            proc_printf(p, CON_STDERR, "rm: it is dangerous to operate recursively on '/'\n");
        else
            proc_printf(p, CON_STDERR,
                        "rm: it is dangerous to operate recursively on '%s' (same as '/')\n", arg);
        proc_printf(p, CON_STDERR, "rm: use --no-preserve-root to override this failsafe\n");
        r->status = 1;
    } else {
        go_on = rm_visit(p, r, path, arg, &st);
    }
    free(arg);
    return go_on;
}

/* Goes on until the work is done (rm exits) or a question waits. */
static void rm_run(Proc *p)
{
    Rm *r = p->state;
    for (;;) {
        bool go_on;
        if (r->depth) {
            RmDir *d = &r->dirs[r->depth - 1];
            if (d->next == d->n) {
                go_on = rm_pop(p, r);
            } else {
                const char *name = d->names[d->next++];
                char *path = xasprintf("%s%s%s", d->path, strcmp(d->path, "/") ? "/" : "", name);
                char *shown = xasprintf("%s%s%s", d->shown,
                                        d->shown[strlen(d->shown) - 1] == '/' ? "" : "/", name);
                VfsStat st;
                go_on = vfs_stat(vfs_of(p->sim), p->node, path, &st) != VFS_OK ||
                        rm_visit(p, r, path, shown, &st);
                free(path);
                free(shown);
            }
        } else if (r->next_operand < r->o.n_operands) {
            go_on = rm_operand(p, r, r->o.operands[r->next_operand++]);
        } else {
            proc_exit(p, r->status);
            return;
        }
        if (!go_on)
            return;
    }
}

void rm_input(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    Rm *r = p->state;
    if (kind == PROC_IN_INTR) { /* the terminal shows ^C; the shell a new line */
        proc_printf(p, CON_STDOUT, "\n");
        proc_exit(p, 130);
        return;
    }
    if (!r || r->asking == RM_ASK_NONE)
        return;
    proc_wait_input(p, false);
    proc_set_prompt(p, NULL);
    RmAsk asked = r->asking;
    r->asking = RM_ASK_NONE;
    bool yes = kind == PROC_IN_LINE && len && (line[0] == 'y' || line[0] == 'Y');
    r->eof = kind == PROC_IN_EOF;
    if (!yes) {
        if (r->q_dir)
            rm_kept(r);
    } else if (asked == RM_ASK_DESCEND)
        rm_push(p, r, r->q_path, r->q_shown);
    else
        rm_remove_now(p, r, r->q_path, r->q_shown, r->q_dir);
    rm_run(p);
}

void rm_main(Proc *p, int argc, char **argv)
{
    Rm *r = xcalloc(1, sizeof *r);
    p->state = r;
    p->free_state = rm_free;
    filt_opts_init(&r->o, argc, argv);
    static const FiltLong longs[] = {{"force", 'f'}, {"interactive", 'i'}, {"recursive", 'r'},
                                     {"dir", 'd'},   {"verbose", 'v'},     {NULL, 0}};
    filt_opts_tool(&r->o, longs, "dfiIrRv", "-f -r -R -v");
    bool f[4] = {false, false, false, false}; /* -f -r -R -v */
    if (!options(p, &r->o, "rm", "frRv", "frRv", f))
        return;
    r->force = f[0];
    r->recursive = f[1] || f[2];
    r->verbose = f[3];
    if (!r->force && missing_operand(p, &r->o, "rm"))
        return;
    rm_run(p);
}

/* ---- mv ------------------------------------------------------------------- */

/* rename(2) needs both folders writable. */
static VfsErr may_move(Proc *p, const char *from, const char *to)
{
    VfsErr e = proc_may_name(p, from);
    return e == VFS_OK ? proc_may_name(p, to) : e;
}

void mv_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    static const FiltLong longs[] = {{"backup", 'b'},
                                     {"force", 'f'},
                                     {"interactive", 'i'},
                                     {"no-clobber", 'n'},
                                     {"update", 'u'},
                                     {"verbose", 'v'},
                                     {NULL, 0}};
    filt_opts_tool(&o, longs, "bfinStTuvZ", "-f -v");
    /* -f: minet's mv never asks before it replaces a file, as with -f */
    bool f[2] = {false, false}; /* -v -f */
    if (!options(p, &o, "mv", "vf", "vf", f))
        return;
    if (o.n_operands < 2) {
        if (o.n_operands)
            proc_printf(p, CON_STDERR, "mv: missing destination file operand after '%s'\n",
                        o.operands[0]);
        else
            proc_printf(p, CON_STDERR, "mv: missing file operand\n");
        filt_usage_fail(p, &o, "Try '%s --help' for more information.\n", "mv");
        return;
    }
    Vfs *v = vfs_of(p->sim);
    const char *target = o.operands[o.n_operands - 1];
    char tpath[VFS_PATH_MAX];
    VfsStat tst;
    bool into = proc_path(p, target, tpath) == VFS_OK &&
                vfs_stat(v, p->node, tpath, &tst) == VFS_OK && tst.dir;
    if (o.n_operands > 2 && !into) {
        proc_printf(p, CON_STDERR, "mv: target '%s': %s\n", target,
                    vfs_strerror(proc_path(p, target, tpath) == VFS_OK &&
                                         vfs_stat(v, p->node, tpath, &tst) == VFS_OK
                                     ? VFS_ENOTDIR
                                     : VFS_ENOENT));
        filt_opts_fini(&o);
        proc_exit(p, 1);
        return;
    }
    int status = 0;
    for (size_t i = 0; i + 1 < o.n_operands; i++) {
        const char *arg = o.operands[i];
        char from[VFS_PATH_MAX], to[VFS_PATH_MAX];
        VfsStat st;
        VfsErr e = proc_path(p, arg, from);
        if (e == VFS_OK)
            e = vfs_stat(v, p->node, from, &st);
        if (e != VFS_OK) {
            char *q = filt_quoted(arg, true);
            proc_printf(p, CON_STDERR, "mv: cannot stat %s: %s\n", q, vfs_strerror(e));
            free(q);
            status = 1;
            continue;
        }
        /* into a folder: under the source's own name, as typed */
        size_t end = strlen(arg), start;
        while (end > 1 && arg[end - 1] == '/')
            end--;
        for (start = end; start && arg[start - 1] != '/';)
            start--;
        size_t tlen = strlen(target); /* "d//" puts it in "d/" */
        while (tlen > 1 && target[tlen - 1] == '/')
            tlen--;
        char *shown =
            into ? xasprintf("%.*s%s%.*s", (int)tlen, target, target[tlen - 1] == '/' ? "" : "/",
                             (int)(end - start), arg + start)
                 : xstrdup(target);
        e = proc_path(p, shown, to);
        size_t flen = strlen(from);
        if (e == VFS_ENOTDIR || e == VFS_ENAMETOOLONG) { /* what stat(2) says of it */
            char *q = filt_quoted(shown, true);
            proc_printf(p, CON_STDERR, "mv: cannot stat %s: %s\n", q, vfs_strerror(e));
            free(q);
            status = 1;
            free(shown);
            continue;
        }
        VfsStat dst;
        bool dst_exists = e == VFS_OK && vfs_stat(v, p->node, to, &dst) == VFS_OK;
        if (e == VFS_OK && !st.dir && !dst_exists && proc_path_names_dir(shown))
            e = VFS_ENOTDIR; /* rename(2) makes no file of "x/" */
        if (e == VFS_OK && !strcmp(from, to)) {
            proc_printf(p, CON_STDERR, "mv: '%s' and '%s' are the same file\n", arg, shown);
            status = 1;
        } else if (e == VFS_OK && proc_path_dots(arg)) { /* rename(2) refuses "." and ".." */
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to '%s': %s\n", arg, shown,
                        vfs_strerror(VFS_EBUSY));
            status = 1;
        } else if (e == VFS_OK && dst_exists && st.dir && !dst.dir) {
            proc_printf(p, CON_STDERR,
                        "mv: cannot overwrite non-directory '%s' with directory '%s'\n", shown,
                        arg);
            status = 1;
        } else if (e == VFS_OK && st.dir && !strncmp(to, from, flen) &&
                   (to[flen] == '/' || flen == 1)) {
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to a subdirectory of itself, '%s'\n",
                        arg, shown);
            status = 1;
        } else if (e != VFS_OK || (e = may_move(p, from, to)) != VFS_OK ||
                   (e = vfs_rename(v, p->node, from, to)) != VFS_OK) {
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to '%s': %s\n", arg, shown,
                        vfs_strerror(e));
            status = 1;
        } else if (f[0]) {
            char *qa = filt_quoted(arg, true), *qb = filt_quoted(shown, true);
            proc_printf(p, CON_STDOUT, "renamed %s -> %s\n", qa, qb);
            free(qa);
            free(qb);
        }
        free(shown);
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}
