/* The shell's redirections (`< FILE`, `> FILE`, `2>&1`, ...), carried out
 * as bash does before it starts a program; and the paths programs name,
 * relative to the user's home. */
#include "shell_redirect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/vfs.h"

/* The descriptors a program may have: Debian's `ulimit -n` in a terminal. */
#define SHELL_FD_LIMIT 1024

/* Is the name of len bytes at s "." or ".."? */
static bool dot_name(const char *s, size_t len)
{
    return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

int proc_path_dots(const char *word)
{
    size_t n = strlen(word);
    while (n > 1 && word[n - 1] == '/')
        n--;
    size_t b = n;
    while (b && word[b - 1] != '/')
        b--;
    return dot_name(word + b, n - b) ? (int)(n - b) : 0;
}

bool proc_path_names_dir(const char *word)
{
    size_t len = strlen(word);
    if (len && word[len - 1] == '/')
        return true;
    const char *slash = strrchr(word, '/');
    const char *base = slash ? slash + 1 : word;
    return dot_name(base, strlen(base));
}

VfsErr proc_may_write(const Proc *p, const char *path)
{
    VfsStat st;
    VfsErr e = vfs_stat(vfs_of(p->sim), p->node, path, &st);
    if (e == VFS_OK && !vfs_may_write(&st, vfs_user(p->sim->world, p->node)))
        e = VFS_EACCES;
    return e;
}

VfsErr proc_may_name(const Proc *p, const char *path)
{
    char folder[VFS_PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash && slash != path ? (size_t)(slash - path) : 1;
    memcpy(folder, path, n);
    folder[n] = '\0';
    return proc_may_write(p, folder);
}

VfsErr proc_path(const Proc *p, const char *word, char *path)
{
    Vfs *v = vfs_of(p->sim);
    char own[VFS_NAME_MAX + 8];
    snprintf(own, sizeof own, "/home/%s", vfs_user(p->sim->world, p->node));
    const char *home = p->cwd ? p->cwd : own; /* the working folder */
    if (!v)
        return VFS_ENOENT;
    VfsErr e = vfs_path_norm(home, word, path, VFS_PATH_MAX, NULL);
    if (e != VFS_OK)
        return e;
    /* The walk the kernel makes: each name followed by a "/" must be a
     * folder, before a ".." after it leaves it. */
    char cur[VFS_PATH_MAX];
    size_t len = word[0] == '/' || !strcmp(home, "/") ? 0 : strlen(home);
    memcpy(cur, home, len);
    for (const char *s = word; *s;) {
        size_t n = strcspn(s, "/");
        const char *next = s + n;
        if (n == 0) {
            s++;
            continue;
        }
        if (n == 2 && !memcmp(s, "..", 2)) {
            while (len && cur[len - 1] != '/')
                len--;
            len = len ? len - 1 : 0;
        } else if (n != 1 || s[0] != '.') {
            if (len + 1 + n >= sizeof cur)
                return VFS_ENAMETOOLONG;
            cur[len++] = '/';
            memcpy(cur + len, s, n);
            len += n;
            cur[len] = '\0';
            VfsStat st;
            if (*next == '/') {
                VfsErr found = vfs_stat(v, p->node, cur, &st);
                bool last = next[strspn(next, "/")] == '\0';
                if (found != VFS_OK && !last)
                    return found;
                if (found == VFS_OK && !st.dir)
                    return VFS_ENOTDIR;
            }
        }
        s = next;
    }
    return VFS_OK;
}

VfsErr proc_folder(const Proc *p, const char *word, char *path, VfsStat *st)
{
    VfsErr e = proc_path(p, word, path);
    if (e == VFS_OK)
        e = vfs_stat(vfs_of(p->sim), p->node, path, st);
    if (e == VFS_OK && !st->dir)
        e = VFS_ENOTDIR;
    return e;
}

/* Where `> word` sends its descriptor: /dev/null, /dev/stdout, /dev/stderr
 * and /dev/tty as bash makes them, or a file of the node, created (or
 * emptied, unless append) now, as bash opens it before the program runs.
 * False with bash's message in err. */
static bool open_out(Sim *sim, Proc *p, const char *word, bool append, struct ProcOut *o, char *err,
                     size_t size)
{
    struct ProcOut now = {0}; /* o changes only if the redirection is made */
    bool device = true;
    if (!strcmp(word, "/dev/null") || !strcmp(word, "/dev/tty")) {
        now.to = word[5] == 'n' ? PROC_OUT_NULL : PROC_OUT_TTY;
    } else if (!strcmp(word, "/dev/stdout") || !strcmp(word, "/dev/stderr")) {
        const struct ProcOut *from = &p->out[word[8] == 'e'];
        now.to = from->to;
        now.path = from->path ? xstrdup(from->path) : NULL;
    } else {
        device = false;
    }
    if (device) {
        free(o->path);
        *o = now;
        return true;
    }
    char path[VFS_PATH_MAX];
    const char *user = vfs_user(sim->world, p->node);
    Vfs *v = vfs_of(sim);
    VfsStat st = {0};
    VfsErr e = proc_path(p, word, path);
    size_t len = strlen(word);
    if (len > 1 && word[len - 1] == '/') { /* open(2) makes no file of "x/" */
        while (len > 1 && word[len - 1] == '/')
            len--;
        char *name = xstrndup(word, len);
        e = proc_path(p, name, path);
        free(name);
        if (e == VFS_OK)
            e = VFS_EISDIR;
    }
    if (e == VFS_OK) {
        VfsErr found = vfs_stat(v, p->node, path, &st);
        if ((found == VFS_OK && st.dir) || (found != VFS_OK && proc_path_names_dir(word)))
            e = VFS_EISDIR;
        else /* bash opens it for writing, or makes it in its folder */
            e = found == VFS_OK ? proc_may_write(p, path) : proc_may_name(p, path);
        if (e == VFS_OK && (found != VFS_OK || !append))
            e = vfs_create(v, p->node, path, user);
    }
    if (e != VFS_OK) {
        snprintf(err, size, "bash: %s: %s", word, vfs_strerror(e));
        return false;
    }
    free(o->path);
    o->to = PROC_OUT_FILE;
    o->path = xstrdup(path);
    return true;
}

/* `< word`: the program reads the file; a folder opens too, and the
 * program's read fails, as with bash.  /dev/stdin keeps the input it
 * has; /dev/null is a file no node has, so reading it ends at once.
 * False with bash's message in err. */
static bool open_in(Sim *sim, Proc *p, const char *word, char *err, size_t size)
{
    if (!strcmp(word, "/dev/stdin"))
        return true;
    char path[VFS_PATH_MAX];
    VfsStat st;
    VfsErr e = VFS_OK;
    if (!strcmp(word, "/dev/null"))
        strcpy(path, word);
    else if ((e = proc_path(p, word, path)) == VFS_OK)
        e = vfs_stat(vfs_of(sim), p->node, path, &st);
    if (e == VFS_OK && strcmp(path, "/dev/null") != 0 && !st.dir && st.size > PROC_READ_MAX)
        e = VFS_EFBIG; /* programs read their input whole */
    if (e != VFS_OK) {
        snprintf(err, size, "bash: %s: %s", word, vfs_strerror(e));
        return false;
    }
    free(p->stdin_path);
    p->stdin_path = xstrdup(path);
    return true;
}

static bool all_digits(const char *s)
{
    return *s && s[strspn(s, "0123456789")] == '\0';
}

/* In the order typed; the files made before a failing one stay made. */
bool shell_open_redirects(Sim *sim, Proc *p, const Cmdline *c, char *err, size_t size, int *status)
{
    *status = 1;
    for (size_t i = 0; i < c->nredir; i++) {
        const char *op = c->redir[i].op, *word = c->redir[i].word;
        int fd = c->redir[i].fd;
        if (c->redir[i].ambiguous) { /* its word gave no file or several */
            snprintf(err, size, "bash: %s: ambiguous redirect", word);
            return false;
        }
        if (!strcmp(op, "<")) {
            if (fd > 0) {
                snprintf(err, size,
                         "minet: %d<: only a program's standard input (<) can be "
                         "read from a file",
                         fd);
                return false;
            }
            if (!open_in(sim, p, word, err, size))
                return false;
            continue;
        }
        if (op[0] == '<') { /* << <<< <& <> */
            snprintf(err, size,
                     "minet: `%s' is not supported (expected `< FILE' for a "
                     "program's input)",
                     op);
            return false;
        }
        bool dup = !strcmp(op, ">&") && (all_digits(word) || !strcmp(word, "-"));
        if (dup) {
            int from = all_digits(word) && strlen(word) < 10 ? atoi(word) : -1;
            int to = fd < 0 ? 1 : fd;
            if (!strcmp(word, "-") || to > 2 || to == 0 || from == 0) {
                if (fd >= 0)
                    snprintf(err, size, "minet: %d>&%s: only 2>&1 and 1>&2 are supported", fd,
                             word);
                else
                    snprintf(err, size, "minet: >&%s: only 2>&1 and 1>&2 are supported", word);
                return false;
            }
            if (from != 1 && from != 2) {
                snprintf(err, size, "bash: %s: Bad file descriptor", word);
                return false;
            }
            struct ProcOut *o = &p->out[to - 1];
            const struct ProcOut *f = &p->out[from - 1];
            if (o != f) {
                free(o->path);
                o->to = f->to;
                o->path = f->path ? xstrdup(f->path) : NULL;
            }
            continue;
        }
        bool both = op[0] == '&' || !strcmp(op, ">&");
        bool append = !strcmp(op, ">>") || !strcmp(op, "&>>");
        if (both && fd >= 0) { /* 2>&file */
            snprintf(err, size, "bash: %s: ambiguous redirect", word);
            return false;
        }
        if (fd < 0)
            fd = 1;
        if (fd == 0 || fd > 2) { /* bash opens it; no program of minet's writes there */
            struct ProcOut unused = {0};
            bool ok = open_out(sim, p, word, append, &unused, err, size);
            free(unused.path);
            if (!ok)
                return false;
            if (fd >= SHELL_FD_LIMIT) { /* made, then dup2 fails */
                snprintf(err, size, "bash: %d: Bad file descriptor", fd);
                return false;
            }
            continue;
        }
        if (!open_out(sim, p, word, append, &p->out[both ? 0 : fd - 1], err, size))
            return false;
        if (both) {
            struct ProcOut *o = &p->out[1];
            free(o->path);
            o->to = p->out[0].to;
            o->path = p->out[0].path ? xstrdup(p->out[0].path) : NULL;
        }
    }
    return true;
}
