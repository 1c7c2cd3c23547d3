/* scenario_files — the node keys "files" and "user" of hosts:
 *
 *   "user": "alice",
 *   "files": {"/home/alice/notes.txt": "text of the file\n",
 *             "/home/alice/photo.jpg": {"size": "200KB"},
 *             "/home/alice/readme": {"file": "files/readme.txt"},
 *             "/home/alice/empty/": {}}
 *
 * into the World's FilesConf (proto/files.h).  A relative path is not
 * accepted: a teacher writes where the file is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/scenario_int.h"
#include "proto/files.h"

static const char *const file_keys[] = {"size", "file"};

/* FNV-1a of the path, mixed with the seed: a sized file's own bytes. */
static uint64_t path_seed(uint64_t seed, int node, const char *path)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)node;
    for (const unsigned char *c = (const unsigned char *)path; *c; c++)
        h = (h ^ *c) * 0x100000001b3ULL;
    return h ^ seed;
}

static NodeFile *add_file(Loader *L, int node, char *path, FileKind kind)
{
    FilesConf *fc = files_conf_mut(L->w);
    fc->files = xgrow(fc->files, &fc->cap, fc->n + 1, sizeof *fc->files);
    NodeFile *f = &fc->files[fc->n++];
    *f = (NodeFile){.node = node, .path = path, .kind = kind};
    return f;
}

/* The bytes of a file beside the scenario: a regular file of at most
 * FILES_SOURCE_MAX bytes. */
static bool read_source(Loader *L, const cJSON *v, const Path *p, NodeFile *f)
{
    const char *s = sj_get_string(L, v, p, "the path of a file beside the scenario");
    if (!s)
        return false;
    const char *dir = L->dir && *L->dir ? L->dir : ".";
    char *path = s[0] == '/' || !strcmp(dir, ".")
                     ? xstrdup(s)
                     : xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", s);
    struct stat st;
    bool ok = false;
    Buf b;
    buf_init(&b);
    bool opened;
    int e;
    if (stat(path, &st) != 0)
        sj_err(L, v, p, "cannot read %s: %s (expected a file beside the scenario)", sj_q(L, path),
               strerror(errno));
    else if (!S_ISREG(st.st_mode))
        sj_err(L, v, p, "%s is not a regular file (expected a file beside the scenario)",
               sj_q(L, path));
    else if ((uint64_t)st.st_size > FILES_SOURCE_MAX)
        sj_err(L, v, p, "%s is larger than 64 MiB (expected a file of at most 64 MiB)",
               sj_q(L, path));
    else if ((e = file_read(path, FILES_SOURCE_MAX, &b, &opened)) != 0)
        sj_err(L, v, p, "cannot read %s: %s", sj_q(L, path), strerror(e));
    else if (b.len > FILES_SOURCE_MAX)
        sj_err(L, v, p, "%s is larger than 64 MiB (expected a file of at most 64 MiB)",
               sj_q(L, path));
    else {
        f->size = b.len;
        f->data = (uint8_t *)buf_take(&b);
        ok = true;
    }
    buf_fini(&b);
    free(path);
    return ok;
}

/* A file's value: text, {"size": …}, {"file": …}, or {} for a directory. */
static void file_value(Loader *L, int node, char *path, bool dir, const cJSON *v, const Path *p)
{
    if (cJSON_IsString(v) && !dir) {
        NodeFile *f = add_file(L, node, path, FILE_TEXT);
        f->size = strlen(v->valuestring);
        f->data = (uint8_t *)xstrdup(v->valuestring);
        return;
    }
    if (!cJSON_IsObject(v) || (dir && v->child)) {
        sj_err(L, v, p,
               dir ? "got %s (expected {} for a directory: a path that ends in \"/\")"
                   : "got %s (expected the file's text, {\"size\": \"10MB\"} or "
                     "{\"file\": \"files/notes.txt\"})",
               sj_got(L, v));
        free(path);
        return;
    }
    if (dir) {
        add_file(L, node, path, FILE_DIR);
        return;
    }
    const cJSON *size = NULL, *file = NULL;
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!strcmp(e->string, "size"))
            size = e;
        else if (!strcmp(e->string, "file"))
            file = e;
        else
            sj_unknown_key(L, e, p, e->string, file_keys, MN_ARRAY_LEN(file_keys));
    }
    if (!size == !file) {
        sj_err(L, v, p,
               "%s (expected one of \"size\", like {\"size\": \"10MB\"}, or \"file\", like "
               "{\"file\": \"files/notes.txt\"})",
               size ? "both \"size\" and \"file\"" : "neither \"size\" nor \"file\"");
        free(path);
        return;
    }
    NodeFile f = {.node = node, .path = path};
    if (size) {
        Path sp = sj_field(p, "size");
        if (!sj_get_size(L, size, &sp, FILES_SIZE_MAX, "1GB", &f.size)) {
            free(path);
            return;
        }
        f.kind = FILE_SIZED;
        f.seed = path_seed(L->w->seed, node, path);
    } else {
        Path fp = sj_field(p, "file");
        f.kind = FILE_TEXT;
        if (!read_source(L, file, &fp, &f)) {
            free(path);
            return;
        }
    }
    *add_file(L, node, path, f.kind) = f;
}

static void key_files(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an object of paths, like {\"/home/student/notes.txt\": "
               "\"text\\n\", \"/home/student/photo.jpg\": {\"size\": \"200KB\"}})",
               sj_got(L, v));
        return;
    }
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        if (dup[k])
            continue;
        Path fp = sj_quoted(p, e->string);
        const char *s = e->string;
        size_t len = strlen(s);
        if (s[0] != '/' || len < 2) {
            sj_err(L, e, &fp,
                   "%s is not a file's absolute path (expected a path like "
                   "\"/home/student/notes.txt\")",
                   sj_q(L, s));
            continue;
        }
        bool dir = s[len - 1] == '/';
        char *path = files_path(L->w, i, s);
        char *again = xasprintf("%s%s", path, dir ? "/" : "");
        if (strcmp(again, s) != 0) {
            sj_err(L, e, &fp, "%s is not written plainly (expected %s)", sj_q(L, s),
                   sj_q(L, again));
            free(path);
        } else {
            file_value(L, i, path, dir, e, &fp);
        }
        free(again);
    }
    free(dup);
}

/* A Unix user name as Debian's adduser accepts it by default. */
static bool user_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

static void key_user(Loader *L, int i, const cJSON *v, const Path *p)
{
    const char *s = sj_get_string(L, v, p, "a user name, like \"alice\"");
    if (!s)
        return;
    if (!user_name_ok(s)) {
        sj_err(L, v, p,
               "%s is not a user name (expected lower-case letters, digits, '_' or '-', "
               "starting with a letter, at most 32, like \"alice\")",
               sj_q(L, s));
        return;
    }
    FilesConf *fc = files_conf_mut(L->w);
    free(fc->user[i]);
    fc->user[i] = xstrdup(s);
}

/* No file below a file, and no path twice (a file and a directory). */
static void check(Loader *L, const Path *nodes_path)
{
    FilesConf *fc = (FilesConf *)files_conf(L->w);
    if (!fc)
        return;
    files_conf_sort(fc);
    for (size_t i = 0; i + 1 < fc->n; i++) {
        const NodeFile *a = &fc->files[i];
        for (size_t j = i + 1; j < fc->n && fc->files[j].node == a->node; j++) {
            const NodeFile *b = &fc->files[j];
            size_t len = strlen(a->path);
            bool same = !strcmp(a->path, b->path);
            bool below = !strncmp(a->path, b->path, len) && b->path[len] == '/';
            if (!same && !below)
                break;
            if (!same && a->kind == FILE_DIR)
                continue;
            Path np = sj_indexed(nodes_path, (size_t)a->node);
            Path fp = sj_field(&np, "files");
            Path ap = sj_quoted(&fp, a->path);
            sj_err(L, L->ni ? L->ni[a->node].item : NULL, &ap,
                   same ? "%s is both a file and a directory (expected one of them)"
                        : "%s is a file, so nothing can be inside it (expected a directory)",
                   sj_q(L, a->path));
        }
    }
}

static const ScenarioKey keys[] = {
    {"files", key_files, NULL},
    {"user", key_user, NULL},
};

const ScenarioProto scenario_files_proto = {
    .keys = keys,
    .n_keys = MN_ARRAY_LEN(keys),
    .check = check,
};
