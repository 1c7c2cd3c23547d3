#include "proto/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/services.h"

static void conf_free(void *data)
{
    FilesConf *fc = data;
    for (size_t i = 0; i < fc->n; i++) {
        free(fc->files[i].path);
        free(fc->files[i].data);
    }
    free(fc->files);
    for (size_t i = 0; fc->user && i < fc->n_nodes; i++)
        free(fc->user[i]);
    free(fc->user);
    free(fc);
}

const FilesConf *files_conf(const World *w)
{
    return world_ext(w, EXT_FILES);
}

FilesConf *files_conf_mut(World *w)
{
    FilesConf *fc = world_ext(w, EXT_FILES);
    if (!fc) {
        fc = xcalloc(1, sizeof *fc);
        fc->n_nodes = w->n_nodes;
        fc->user = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *fc->user);
        world_ext_set(w, EXT_FILES, fc, conf_free);
    }
    return fc;
}

static int cmp_file(const void *a, const void *b)
{
    const NodeFile *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return strcmp(x->path, y->path);
}

void files_conf_sort(FilesConf *fc)
{
    if (fc->n > 1)
        qsort(fc->files, fc->n, sizeof *fc->files, cmp_file);
}

const char *files_user(const World *w, int node)
{
    const FilesConf *fc = files_conf(w);
    return fc && fc->user[node] ? fc->user[node] : FILES_USER;
}

char *files_path(const World *w, int node, const char *path)
{
    Buf in;
    buf_init(&in);
    if (path[0] != '/')
        buf_printf(&in, "/home/%s/", files_user(w, node));
    buf_puts(&in, path);
    /* Components, with "." dropped and ".." taking one back. */
    char **parts = xcalloc(in.len + 1, sizeof *parts);
    size_t n = 0;
    for (char *tok = strtok(in.data, "/"); tok; tok = strtok(NULL, "/")) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            if (n)
                n--;
            continue;
        }
        parts[n++] = tok;
    }
    Buf out;
    buf_init(&out);
    for (size_t i = 0; i < n; i++)
        buf_printf(&out, "/%s", parts[i]);
    if (!n)
        buf_puts(&out, "/");
    free(parts);
    buf_fini(&in);
    return buf_take(&out);
}

const NodeFile *files_find(const World *w, int node, const char *path)
{
    const FilesConf *fc = files_conf(w);
    if (!fc || !fc->n)
        return NULL;
    NodeFile key = {.node = node, .path = (char *)path};
    return bsearch(&key, fc->files, fc->n, sizeof *fc->files, cmp_file);
}

bool files_is_dir(const World *w, int node, const char *path)
{
    const NodeFile *f = files_find(w, node, path);
    if (f)
        return f->kind == FILE_DIR;
    char home[64];
    snprintf(home, sizeof home, "/home/%s", files_user(w, node));
    if (!strcmp(path, "/") || !strcmp(path, "/home") || !strcmp(path, home))
        return true;
    /* A directory that holds some file: the first path after it in order
     * starts with "path/". */
    const FilesConf *fc = files_conf(w);
    size_t len = strlen(path);
    for (size_t i = 0; fc && i < fc->n; i++)
        if (fc->files[i].node == node && !strncmp(fc->files[i].path, path, len) &&
            fc->files[i].path[len] == '/')
            return true;
    return false;
}

/* splitmix64: the bytes of a sized file, 8 at a time, from its seed and
 * the position, so that any range is made without the ones before it. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

size_t files_read(const NodeFile *f, uint64_t off, uint8_t *buf, size_t n)
{
    if (f->kind == FILE_DIR || off >= f->size)
        return 0;
    if (n > f->size - off)
        n = (size_t)(f->size - off);
    if (f->kind == FILE_TEXT) {
        memcpy(buf, f->data + off, n);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t at = off + i;
        buf[i] = (uint8_t)(mix(f->seed ^ (at / 8)) >> (8 * (at % 8)));
    }
    return n;
}
