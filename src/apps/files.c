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
            filt_usage_fail(p, o, "Try '%s --help' for more information.\n", prog);
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

/* Is the last name of arg (trailing "/" aside) "." (1) or ".." (2)?  0
 * otherwise. */
static int dot_base(const char *arg)
{
    size_t n = strlen(arg);
    while (n > 1 && arg[n - 1] == '/')
        n--;
    size_t b = n;
    while (b && arg[b - 1] != '/')
        b--;
    if (n - b == 1 && arg[b] == '.')
        return 1;
    return n - b == 2 && arg[b] == '.' && arg[b + 1] == '.' ? 2 : 0;
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
        if (len + 1 + n >= sizeof path) {
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
            e = vfs_mkdir(v, p->node, path, user);
            if (e == VFS_OK && verbose)
                proc_printf(p, CON_STDOUT, "mkdir: created directory '%.*s'\n", shown, arg);
        } else if (!st.dir) {
            e = last ? VFS_EEXIST : VFS_ENOTDIR;
        }
        s = next;
    }
    if (e != VFS_OK)
        proc_printf(p, CON_STDERR,
                    "mkdir: cannot create directory \xe2\x80\x98%.*s\xe2\x80\x99: %s\n", shown, arg,
                    vfs_strerror(e));
    return e == VFS_OK;
}

void mkdir_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
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
            e = vfs_mkdir(v, p->node, path, user);
        free(name);
        if (e == VFS_OK && f[1])
            proc_printf(p, CON_STDOUT, "mkdir: created directory '%s'\n", arg);
        if (e != VFS_OK) {
            proc_printf(p, CON_STDERR,
                        "mkdir: cannot create directory \xe2\x80\x98%s\xe2\x80\x99: %s\n", arg,
                        vfs_strerror(e));
            status = 1;
        }
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}

/* ---- rmdir ---------------------------------------------------------------- */

void rmdir_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    bool f[1] = {false}; /* -v */
    if (!options(p, &o, "rmdir", "v", "v", f) || missing_operand(p, &o, "rmdir"))
        return;
    Vfs *v = vfs_of(p->sim);
    int status = 0;
    for (size_t i = 0; i < o.n_operands; i++) {
        const char *arg = o.operands[i];
        char path[VFS_PATH_MAX];
        VfsStat st;
        if (f[0])
            proc_printf(p, CON_STDOUT, "rmdir: removing directory, '%s'\n", arg);
        VfsErr e = proc_path(p, arg, path);
        if (e == VFS_OK)
            e = vfs_stat(v, p->node, path, &st);
        if (e == VFS_OK && !st.dir)
            e = VFS_ENOTDIR;
        if (e == VFS_OK && dot_base(arg)) /* rmdir(2) refuses "x/." and "x/.." */
            e = dot_base(arg) == 1 ? VFS_EINVAL : VFS_ENOTEMPTY;
        if (e == VFS_OK)
            e = vfs_remove(v, p->node, path);
        if (e != VFS_OK) {
            proc_printf(p, CON_STDERR, "rmdir: failed to remove '%s': %s\n", arg, vfs_strerror(e));
            status = 1;
        }
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}

/* ---- rm ------------------------------------------------------------------- */

/* Removes path (shown as name) and, for a folder, what it holds first;
 * false if something stayed. */
static bool remove_tree(Proc *p, Vfs *v, const char *path, const char *name, bool verbose)
{
    VfsStat st;
    if (vfs_stat(v, p->node, path, &st) != VFS_OK)
        return false;
    bool ok = true;
    if (st.dir) {
        VfsDirent *d = NULL;
        size_t n = 0;
        vfs_list(v, p->node, path, &d, &n);
        char **names = xcalloc(n + 1, sizeof *names); /* the listing changes as we go */
        for (size_t i = 0; i < n; i++)
            names[i] = xstrdup(d[i].name);
        free(d);
        for (size_t i = 0; i < n; i++) {
            char *child = xasprintf("%s%s%s", path, strcmp(path, "/") ? "/" : "", names[i]);
            char *shown =
                xasprintf("%s%s%s", name, name[strlen(name) - 1] == '/' ? "" : "/", names[i]);
            ok &= remove_tree(p, v, child, shown, verbose);
            free(child);
            free(shown);
            free(names[i]);
        }
        free(names);
    }
    VfsErr e = vfs_remove(v, p->node, path);
    if (e != VFS_OK) {
        proc_printf(p, CON_STDERR, "rm: cannot remove '%s': %s\n", name, vfs_strerror(e));
        return false;
    }
    if (verbose)
        proc_printf(p, CON_STDOUT, "removed %s'%s'\n", st.dir ? "directory " : "", name);
    return ok;
}

/* rm's work for one operand; its exit status. */
static int remove_operand(Proc *p, Vfs *v, const char *arg, bool force, bool recursive,
                          bool verbose)
{
    if (recursive && dot_base(arg)) {
        proc_printf(p, CON_STDERR, "rm: refusing to remove '.' or '..' directory: skipping '%s'\n",
                    arg);
        return 1;
    }
    char path[VFS_PATH_MAX];
    VfsStat st;
    VfsErr e = proc_path(p, arg, path);
    if (e == VFS_OK && recursive && !strcmp(path, "/")) { /* GNU's --preserve-root */
        if (!strcmp(arg, "/"))
            proc_printf(p, CON_STDERR, "rm: it is dangerous to operate recursively on '/'\n");
        else
            proc_printf(p, CON_STDERR,
                        "rm: it is dangerous to operate recursively on '%s' (same as '/')\n", arg);
        proc_printf(p, CON_STDERR, "rm: use --no-preserve-root to override this failsafe\n");
        return 1;
    }
    if (e == VFS_OK)
        e = vfs_stat(v, p->node, path, &st);
    if (e == VFS_ENOENT && force)
        return 0;
    if (e == VFS_OK && st.dir && !recursive)
        e = VFS_EISDIR;
    if (e != VFS_OK) {
        proc_printf(p, CON_STDERR, "rm: cannot remove '%s': %s\n", arg, vfs_strerror(e));
        return 1;
    }
    return remove_tree(p, v, path, arg, verbose) ? 0 : 1;
}

void rm_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    bool f[4] = {false, false, false, false}; /* -f -r -R -v */
    if (!options(p, &o, "rm", "frRv", "frRv", f))
        return;
    bool force = f[0], recursive = f[1] || f[2], verbose = f[3];
    if (!force && missing_operand(p, &o, "rm"))
        return;
    Vfs *v = vfs_of(p->sim);
    int status = 0;
    for (size_t i = 0; i < o.n_operands; i++) {
        /* named as GNU's fts names it: two or more trailing "/" made one */
        const char *typed = o.operands[i];
        size_t len = strlen(typed);
        if (len > 2 && typed[len - 1] == '/')
            while (len > 1 && typed[len - 2] == '/')
                len--;
        char *arg = xstrndup(typed, len);
        if (remove_operand(p, v, arg, force, recursive, verbose) != 0)
            status = 1;
        free(arg);
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}

/* ---- mv ------------------------------------------------------------------- */

void mv_main(Proc *p, int argc, char **argv)
{
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    bool f[1] = {false}; /* -v */
    if (!options(p, &o, "mv", "v", "v", f))
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
            proc_printf(p, CON_STDERR, "mv: cannot stat '%s': %s\n", arg, vfs_strerror(e));
            status = 1;
            continue;
        }
        /* into a folder: under the source's own name, as typed */
        size_t end = strlen(arg), start;
        while (end > 1 && arg[end - 1] == '/')
            end--;
        for (start = end; start && arg[start - 1] != '/';)
            start--;
        char *shown =
            into ? xasprintf("%s%s%.*s", target, target[strlen(target) - 1] == '/' ? "" : "/",
                             (int)(end - start), arg + start)
                 : xstrdup(target);
        e = proc_path(p, shown, to);
        if (e == VFS_ENOTDIR) { /* what stat(2) says of the destination */
            proc_printf(p, CON_STDERR, "mv: cannot stat '%s': %s\n", shown, vfs_strerror(e));
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
        } else if (e == VFS_OK && dot_base(arg)) { /* rename(2) refuses "." and ".." */
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to '%s': %s\n", arg, shown,
                        vfs_strerror(VFS_EBUSY));
            status = 1;
        } else if (e == VFS_OK && dst_exists && st.dir && !dst.dir) {
            proc_printf(p, CON_STDERR,
                        "mv: cannot overwrite non-directory '%s' with directory '%s'\n", shown,
                        arg);
            status = 1;
        } else if (e == VFS_OK && (e = vfs_rename(v, p->node, from, to)) == VFS_EINVAL) {
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to a subdirectory of itself, '%s'\n",
                        arg, shown);
            status = 1;
        } else if (e != VFS_OK) {
            proc_printf(p, CON_STDERR, "mv: cannot move '%s' to '%s': %s\n", arg, shown,
                        vfs_strerror(e));
            status = 1;
        } else if (f[0]) {
            proc_printf(p, CON_STDOUT, "renamed '%s' -> '%s'\n", arg, shown);
        }
        free(shown);
    }
    filt_opts_fini(&o);
    proc_exit(p, status);
}
