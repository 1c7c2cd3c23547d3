/* A program's file operands: each read from the node's files when the
 * program asks (its folder's, relative to its working folder), standard
 * input for "-" or /dev/stdin, and all handed to the program at once, in
 * an event of their own, so that it never runs inside its own start. */
#include "apps/shell_files.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/vfs.h"

struct ProcFiles {
    ProcFile *f;
    Buf *data; /* each file's bytes */
    size_t n;
    void (*fn)(Proc *p, ProcFile *f, size_t n);
};

void shell_files_free(struct ProcFiles *pf)
{
    if (!pf)
        return;
    for (size_t i = 0; i < pf->n; i++) {
        free((char *)pf->f[i].name);
        buf_fini(&pf->data[i]);
    }
    free(pf->f);
    free(pf->data);
    free(pf);
}

/* name, relative to the user's home, into out (the file's bytes). */
static VfsErr read_node_file(Proc *p, const char *name, Buf *out, bool *regular)
{
    Sim *sim = p->sim;
    Vfs *v = vfs_of(sim);
    char path[VFS_PATH_MAX];
    VfsStat st = {0};
    if (!strcmp(name, "/dev/null"))
        return VFS_OK; /* nothing */
    VfsErr e = proc_path(p, name, path);
    if (e == VFS_OK)
        e = vfs_stat(v, p->node, path, &st);
    if (e == VFS_OK && st.dir)
        e = VFS_EISDIR;
    else if (e == VFS_OK && st.size > PROC_READ_MAX)
        e = VFS_EFBIG; /* said, rather than read in part */
    if (e != VFS_OK)
        return e;
    *regular = true;
    uint8_t chunk[16384];
    size_t got = 1;
    for (uint64_t off = 0; got && out->len < PROC_READ_MAX; off += got) {
        e = vfs_read(v, p->node, path, off, chunk, sizeof chunk, &got);
        if (e != VFS_OK)
            return e;
        buf_put(out, chunk, got);
    }
    return VFS_OK;
}

static void files_deliver(Proc *p)
{
    struct ProcFiles *pf = p->files;
    for (size_t i = 0; i < pf->n; i++) {
        pf->f[i].data = pf->f[i].is_stdin || !pf->data[i].data ? pf->f[i].data : pf->data[i].data;
        if (!pf->f[i].data)
            pf->f[i].data = "";
    }
    p->delivered = true;
    pf->fn(p, pf->f, pf->n);
}

/* Does p's standard output go to the file at path? */
static bool is_output(const Proc *p, const char *path)
{
    return p->out[0].to == PROC_OUT_FILE && !strcmp(p->out[0].path, path);
}

static void files_stdin_read(Proc *p, const char *data, size_t len)
{
    struct ProcFiles *pf = p->files;
    bool first = true;
    for (size_t i = 0; i < pf->n; i++)
        if (pf->f[i].is_stdin) {
            pf->f[i].data = first ? data : "";
            pf->f[i].len = first ? len : 0;
            pf->f[i].regular = p->stdin_path != NULL;
            pf->f[i].is_output = p->stdin_path && is_output(p, p->stdin_path);
            VfsStat st;
            if (p->stdin_path && vfs_stat(vfs_of(p->sim), p->node, p->stdin_path, &st) == VFS_OK &&
                st.dir) /* `< FOLDER` */
                pf->f[i].err = VFS_EISDIR;
            first = false;
        }
    files_deliver(p);
}

static void on_files_ready(Sim *sim, void *ctx, uint64_t id)
{
    (void)ctx;
    Proc *p = shell_find_proc(sim, id);
    if (p && p->files && !p->delivered)
        files_deliver(p);
}

void proc_read_files(Proc *p, char *const *names, size_t n,
                     void (*fn)(Proc *p, ProcFile *f, size_t n))
{
    static char *const dash[] = {"-"};
    if (!n) {
        names = dash;
        n = 1;
    }
    struct ProcFiles *pf = xcalloc(1, sizeof *pf);
    pf->f = xcalloc(n, sizeof *pf->f);
    pf->data = xcalloc(n, sizeof *pf->data);
    pf->n = n;
    pf->fn = fn;
    bool need_stdin = false;
    for (size_t i = 0; i < n; i++) {
        ProcFile *f = &pf->f[i];
        f->name = xstrdup(names[i]);
        buf_init(&pf->data[i]);
        if (!strcmp(names[i], "-") || !strcmp(names[i], "/dev/stdin")) {
            f->is_stdin = need_stdin = true;
            continue;
        }
        f->err = read_node_file(p, names[i], &pf->data[i], &f->regular);
        char path[VFS_PATH_MAX];
        f->is_output =
            f->err == VFS_OK && proc_path(p, names[i], path) == VFS_OK && is_output(p, path);
        f->len = f->err == VFS_OK ? pf->data[i].len : 0;
    }
    shell_files_free(p->files);
    p->files = pf;
    if (need_stdin)
        proc_read_all(p, files_stdin_read);
    else
        sim_at(p->sim, p->sim->now, on_files_ready, NULL, p->id);
}
