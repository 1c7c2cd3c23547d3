#include "proto/vfs.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/roles.h"
#include "proto/services.h"

/* One file or directory.  In the World every entry owns its path, owner
 * and bytes; in a Sim's copy of a node's table the path and owner are its
 * own, the bytes borrowed from the World (own NULL) until first written. */
typedef struct Entry {
    char *path;
    bool dir;
    unsigned mode;
    char *owner;
    int64_t mtime_us;
    uint64_t size;
    bool gen;             /* bytes are vfs_gen_bytes(key, …) */
    uint64_t key;         /* gen only */
    const uint8_t *bytes; /* !gen: size bytes (NULL when size is 0) */
    uint8_t *own;         /* bytes is own, which this table owns; or NULL */
    size_t cap;
} Entry;

/* A node's entries, sorted by path (strcmp); entry 0 is always "/". */
typedef struct Tree {
    Entry **e;
    size_t n, cap;
} Tree;

typedef struct NodeFiles {
    char *user; /* NULL: VFS_DEFAULT_USER */
    Tree tree;  /* n 0: a lone "/", or the home below when home is set */
    bool home;  /* tree is empty but stands for "/", "/home" and the user's
                 * home folder, made when something reads or adds to it */
} NodeFiles;

struct VfsConf {
    NodeFiles *nodes; /* n_nodes may be short of the World's */
    size_t n_nodes;
    VfsSource *sources;
    size_t n_sources, cap_sources;
};

/* A generated file of the World, by its first 8 bytes: how a written file
 * is recognised as a copy of one. */
typedef struct GenHead {
    uint64_t head, key;
} GenHead;

struct Vfs {
    const World *w;
    const SimTime *clock;
    Tree **trees; /* per node: the World's table, or this Sim's copy; NULL:
                   * the World's home-only table, made on the first look */
    bool *owned;  /* trees[i] is this Sim's copy */
    size_t n_nodes;
    uint64_t stored; /* bytes held in own buffers of owned tables */
    GenHead *gens;   /* sorted */
    size_t n_gens;
};

const char *vfs_strerror(VfsErr e)
{
    static const char *const text[] = {
        [VFS_OK] = "Success",
        [VFS_ENOENT] = "No such file or directory",
        [VFS_ENOTDIR] = "Not a directory",
        [VFS_EISDIR] = "Is a directory",
        [VFS_EEXIST] = "File exists",
        [VFS_ENOTEMPTY] = "Directory not empty",
        [VFS_EINVAL] = "Invalid argument",
        [VFS_ENAMETOOLONG] = "File name too long",
        [VFS_EFBIG] = "File too large",
        [VFS_ENOSPC] = "No space left on device",
        [VFS_EBUSY] = "Device or resource busy",
        [VFS_EACCES] = "Permission denied",
        [VFS_EPERM] = "Operation not permitted",
    };
    return (unsigned)e < MN_ARRAY_LEN(text) ? text[e] : "Unknown error";
}

bool vfs_may_write(const VfsStat *st, const char *user)
{
    if (!strcmp(user, "root"))
        return true;
    return st->mode & (st->owner && !strcmp(st->owner, user) ? 0200 : 0002);
}

/* ---- paths ----------------------------------------------------------------- */

/* Appends the components of s to out (holding *len bytes, no trailing
 * "/"), resolving "." and "..". */
static VfsErr push_components(const char *s, char *out, size_t size, size_t *len, bool *esc)
{
    while (*s) {
        while (*s == '/')
            s++;
        size_t n = strcspn(s, "/");
        if (n == 0)
            break;
        if (n == 1 && s[0] == '.') {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (*len == 0)
                *esc = true;
            while (*len > 0 && out[*len - 1] != '/')
                (*len)--;
            if (*len > 0)
                (*len)--; /* the "/" before it */
        } else {
            if (n > VFS_NAME_MAX || *len + 1 + n >= size || *len + 1 + n >= VFS_PATH_MAX)
                return VFS_ENAMETOOLONG;
            out[(*len)++] = '/';
            memcpy(out + *len, s, n);
            *len += n;
        }
        s += n;
    }
    return VFS_OK;
}

VfsErr vfs_path_norm(const char *cwd, const char *path, char *out, size_t size, bool *escapes)
{
    bool esc = false;
    size_t len = 0;
    if (escapes)
        *escapes = false;
    if (!path[0])
        return VFS_ENOENT;
    if (size < 2)
        return VFS_ENAMETOOLONG;
    VfsErr e = VFS_OK;
    if (path[0] != '/' && cwd)
        e = push_components(cwd, out, size, &len, &esc);
    esc = false; /* only the path's own ".." count */
    if (!e)
        e = push_components(path, out, size, &len, &esc);
    if (e)
        return e;
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    if (escapes)
        *escapes = esc;
    return VFS_OK;
}

static bool user_ok(const char *s, size_t n)
{
    if (n == 0 || n > 32 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool vfs_valid_user(const char *s)
{
    return user_ok(s, strlen(s));
}

const char *vfs_default_owner(const char *path, size_t *len)
{
    if (strncmp(path, "/home/", 6) == 0) {
        const char *name = path + 6;
        size_t n = strcspn(name, "/");
        if (user_ok(name, n)) {
            *len = n;
            return name;
        }
    }
    *len = 4;
    return "root";
}

/* The parent of a normalised path other than "/", into buf. */
static void parent_of(const char *path, char *buf)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    memcpy(buf, path, n);
    buf[n] = '\0';
}

/* ---- generated bytes ---------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t vfs_gen_key(uint64_t seed, const char *path)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return mix64(mix64(seed + 0x9e3779b97f4a7c15ull) ^ h);
}

/* Byte i of the stream is byte i % 8 (little-endian) of word i / 8. */
static uint64_t gen_word(uint64_t key, uint64_t block)
{
    return mix64(key + (block + 1) * 0x9e3779b97f4a7c15ull);
}

void vfs_gen_bytes(uint64_t key, uint64_t off, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len > 0) {
        uint64_t word = gen_word(key, off / 8);
        for (unsigned j = (unsigned)(off % 8); j < 8 && len > 0; j++, len--, off++)
            *out++ = (uint8_t)(word >> (8 * j));
    }
}

/* Do data's len bytes equal the stream of key at off? */
static bool gen_matches(uint64_t key, uint64_t off, const uint8_t *data, size_t len)
{
    uint8_t chunk[4096];
    while (len > 0) {
        size_t n = len < sizeof chunk ? len : sizeof chunk;
        vfs_gen_bytes(key, off, chunk, n);
        if (memcmp(chunk, data, n) != 0)
            return false;
        data += n;
        off += n;
        len -= n;
    }
    return true;
}

/* ---- tables ------------------------------------------------------------------- */

static void entry_free(Entry *e)
{
    free(e->path);
    free(e->owner);
    free(e->own);
    free(e);
}

static Entry *entry_new(const char *path, bool dir, const char *owner, size_t owner_len,
                        int64_t mtime)
{
    Entry *e = xcalloc(1, sizeof *e);
    e->path = xstrdup(path);
    e->dir = dir;
    e->mode = dir ? 0755 : 0644;
    e->owner = xstrndup(owner, owner_len);
    e->mtime_us = mtime;
    return e;
}

static void tree_fini(Tree *t)
{
    for (size_t i = 0; i < t->n; i++)
        entry_free(t->e[i]);
    free(t->e);
    t->e = NULL;
    t->n = t->cap = 0;
}

/* The first entry whose path is not below key in strcmp order. */
static size_t lower_bound(const Tree *t, const char *key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->e[mid]->path, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static Entry *tree_find(const Tree *t, const char *path, size_t *at)
{
    size_t i = lower_bound(t, path);
    if (i < t->n && strcmp(t->e[i]->path, path) == 0) {
        if (at)
            *at = i;
        return t->e[i];
    }
    return NULL;
}

static void tree_insert(Tree *t, Entry *e)
{
    size_t i = lower_bound(t, e->path);
    t->e = xgrow(t->e, &t->cap, t->n + 1, sizeof *t->e);
    memmove(t->e + i + 1, t->e + i, (t->n - i) * sizeof *t->e);
    t->e[i] = e;
    t->n++;
}

static void tree_remove_at(Tree *t, size_t i)
{
    memmove(t->e + i, t->e + i + 1, (t->n - i - 1) * sizeof *t->e);
    t->n--;
}

static void tree_root(Tree *t, int64_t mtime)
{
    if (t->n == 0)
        tree_insert(t, entry_new("/", true, "root", 4, mtime));
}

/* [*first, *end) are the entries strictly below directory path. */
static void subtree(const Tree *t, const char *path, size_t *first, size_t *end)
{
    char prefix[VFS_PATH_MAX + 1];
    size_t plen = strlen(path);
    memcpy(prefix, path, plen);
    if (plen > 1)
        prefix[plen++] = '/';
    prefix[plen] = '\0';
    size_t i = lower_bound(t, prefix);
    if (i < t->n && strcmp(t->e[i]->path, prefix) == 0)
        i++; /* "/" itself */
    *first = i;
    while (i < t->n && strncmp(t->e[i]->path, prefix, plen) == 0)
        i++;
    *end = i;
}

static void stat_of(const Entry *e, VfsStat *st)
{
    st->dir = e->dir;
    st->size = e->dir ? 0 : e->size;
    st->mode = e->mode;
    st->owner = e->owner;
    st->mtime_us = e->mtime_us;
}

/* ---- the World's files -------------------------------------------------------- */

static void conf_free(void *data)
{
    VfsConf *c = data;
    for (size_t i = 0; i < c->n_nodes; i++) {
        free(c->nodes[i].user);
        tree_fini(&c->nodes[i].tree);
    }
    free(c->nodes);
    for (size_t i = 0; i < c->n_sources; i++) {
        free(c->sources[i].key);
        free(c->sources[i].path);
    }
    free(c->sources);
    free(c);
}

VfsConf *vfs_conf(World *w)
{
    VfsConf *c = world_ext(w, EXT_FILES);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        world_ext_set(w, EXT_FILES, c, conf_free);
    }
    return c;
}

const VfsConf *vfs_conf_get(const World *w)
{
    return world_ext(w, EXT_FILES);
}

static NodeFiles *conf_node(World *w, int node)
{
    assert(node >= 0);
    VfsConf *c = vfs_conf(w);
    if ((size_t)node >= c->n_nodes) {
        size_t n = w->n_nodes > (size_t)node ? w->n_nodes : (size_t)node + 1;
        c->nodes = xrealloc(c->nodes, n * sizeof *c->nodes);
        memset(c->nodes + c->n_nodes, 0, (n - c->n_nodes) * sizeof *c->nodes);
        c->n_nodes = n;
    }
    return &c->nodes[node];
}

const char *vfs_user(const World *w, int node)
{
    const VfsConf *c = vfs_conf_get(w);
    if (!c || node < 0 || (size_t)node >= c->n_nodes || !c->nodes[node].user)
        return VFS_DEFAULT_USER;
    return c->nodes[node].user;
}

static Tree *conf_tree(World *w, int node);

void vfs_conf_set_user(World *w, int node, const char *user)
{
    assert(vfs_valid_user(user));
    conf_tree(w, node); /* a promised home keeps the name it was promised with */
    NodeFiles *nf = conf_node(w, node);
    free(nf->user);
    nf->user = xstrdup(user);
}

/* Checks that path can be added (dir: as a directory), and makes its
 * missing parents.  VFS_OK with *exists when a directory is there already. */
static VfsErr prepare(Tree *t, const char *path, bool dir, int64_t mtime, const char **clash,
                      bool *exists)
{
    *exists = false;
    Entry *e = tree_find(t, path, NULL);
    if (e) {
        if (dir && e->dir) {
            *exists = true;
            return VFS_OK;
        }
        if (clash)
            *clash = e->path;
        return VFS_EEXIST;
    }
    /* Every parent must be a directory or missing. */
    char buf[VFS_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return VFS_ENAMETOOLONG;
    for (size_t i = 1; i < len; i++) {
        if (path[i] != '/')
            continue;
        memcpy(buf, path, i);
        buf[i] = '\0';
        Entry *p = tree_find(t, buf, NULL);
        if (p && !p->dir) {
            if (clash)
                *clash = p->path;
            return VFS_ENOTDIR;
        }
    }
    for (size_t i = 1; i < len; i++) {
        if (path[i] != '/')
            continue;
        memcpy(buf, path, i);
        buf[i] = '\0';
        if (!tree_find(t, buf, NULL)) {
            size_t olen;
            const char *owner = vfs_default_owner(buf, &olen);
            tree_insert(t, entry_new(buf, true, owner, olen, mtime));
        }
    }
    return VFS_OK;
}

static VfsErr tree_add(Tree *t, const char *path, Entry **out, bool dir, int64_t mtime,
                       const char **clash)
{
    assert(path[0] == '/');
    tree_root(t, mtime);
    bool exists;
    VfsErr err = prepare(t, path, dir, mtime, clash, &exists);
    if (err || exists)
        return err;
    size_t olen;
    const char *owner = vfs_default_owner(path, &olen);
    Entry *e = entry_new(path, dir, owner, olen, mtime);
    tree_insert(t, e);
    if (out)
        *out = e;
    return VFS_OK;
}

/* "/home/USER" into buf (of VFS_PATH_MAX). */
static const char *home_path(const char *user, char *buf)
{
    size_t n = strlen(user);
    assert(n + 7 <= VFS_PATH_MAX);
    memcpy(buf, "/home/", 6);
    memcpy(buf + 6, user, n + 1);
    return buf;
}

/* t (empty) as "/", "/home" and user's home folder. */
static void make_home(Tree *t, const char *user, int64_t mtime)
{
    char buf[VFS_PATH_MAX];
    tree_add(t, home_path(user, buf), NULL, true, mtime, NULL);
}

/* node's table, its home made if it was only promised. */
static Tree *conf_tree(World *w, int node)
{
    NodeFiles *nf = conf_node(w, node);
    if (nf->home) {
        nf->home = false;
        make_home(&nf->tree, vfs_user(w, node), w->start_us);
    }
    return &nf->tree;
}

static VfsErr conf_add(World *w, int node, const char *path, Entry **out, bool dir,
                       const char **clash)
{
    return tree_add(conf_tree(w, node), path, out, dir, w->start_us, clash);
}

void vfs_conf_add_home(World *w, int node)
{
    NodeFiles *nf = conf_node(w, node);
    if (nf->tree.n == 0 && !nf->home) {
        nf->home = true; /* made when first needed: most hosts never look */
        return;
    }
    char buf[VFS_PATH_MAX];
    conf_add(w, node, home_path(vfs_user(w, node), buf), NULL, true, NULL);
}

VfsErr vfs_conf_add_dir(World *w, int node, const char *path, const char **clash)
{
    return conf_add(w, node, path, NULL, true, clash);
}

VfsErr vfs_conf_add_bytes_owned(World *w, int node, const char *path, void *data, size_t len,
                                const char **clash)
{
    Entry *e = NULL;
    VfsErr err = conf_add(w, node, path, &e, false, clash);
    if (err) {
        free(data);
        return err;
    }
    e->own = data;
    e->bytes = data;
    e->size = e->cap = len;
    return VFS_OK;
}

VfsErr vfs_conf_add_bytes(World *w, int node, const char *path, const void *data, size_t len,
                          const char **clash)
{
    void *copy = xmalloc(len ? len : 1);
    if (len)
        memcpy(copy, data, len);
    return vfs_conf_add_bytes_owned(w, node, path, copy, len, clash);
}

VfsErr vfs_conf_add_generated(World *w, int node, const char *path, uint64_t size,
                              const char **clash)
{
    assert(size <= VFS_GEN_MAX);
    Entry *e = NULL;
    VfsErr err = conf_add(w, node, path, &e, false, clash);
    if (err)
        return err;
    e->gen = true;
    e->key = vfs_gen_key(w->seed, path);
    e->size = size;
    return VFS_OK;
}

VfsErr vfs_conf_stat(const World *w, int node, const char *path, VfsStat *st)
{
    const VfsConf *c = vfs_conf_get(w);
    if (!c || node < 0 || (size_t)node >= c->n_nodes || c->nodes[node].tree.n == 0) {
        bool home = c && node >= 0 && (size_t)node < c->n_nodes && c->nodes[node].home;
        const char *user = vfs_user(w, node);
        char buf[VFS_PATH_MAX];
        const char *owner = "root";
        if (home && strcmp(path, home_path(user, buf)) == 0)
            owner = user;
        else if (strcmp(path, "/") != 0 && !(home && strcmp(path, "/home") == 0))
            return VFS_ENOENT;
        *st = (VfsStat){.dir = true, .mode = 0755, .owner = owner, .mtime_us = w->start_us};
        return VFS_OK;
    }
    const Entry *e = tree_find(&c->nodes[node].tree, path, NULL);
    if (!e)
        return VFS_ENOENT;
    stat_of(e, st);
    return VFS_OK;
}

void vfs_conf_add_source(World *w, int node, const char *key, const char *path)
{
    VfsConf *c = vfs_conf(w);
    c->sources = xgrow(c->sources, &c->cap_sources, c->n_sources + 1, sizeof *c->sources);
    c->sources[c->n_sources++] = (VfsSource){node, xstrdup(key), xstrdup(path)};
}

const VfsSource *vfs_conf_sources(const World *w, size_t *n)
{
    const VfsConf *c = vfs_conf_get(w);
    *n = c ? c->n_sources : 0;
    return c ? c->sources : NULL;
}

/* ---- a simulation's view ------------------------------------------------------ */

static int cmp_head(const void *a, const void *b)
{
    const GenHead *x = a, *y = b;
    if (x->head != y->head)
        return x->head < y->head ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static void index_generated(Vfs *v, const Tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const Entry *e = t->e[i];
        if (!e->gen || e->size < 8)
            continue;
        uint8_t b[8];
        vfs_gen_bytes(e->key, 0, b, 8);
        uint64_t head = 0;
        for (int k = 0; k < 8; k++)
            head = head << 8 | b[k];
        v->gens = xrealloc(v->gens, (v->n_gens + 1) * sizeof *v->gens);
        v->gens[v->n_gens++] = (GenHead){head, e->key};
    }
}

Vfs *vfs_new(const World *w, const SimTime *clock)
{
    Vfs *v = xcalloc(1, sizeof *v);
    v->w = w;
    v->clock = clock;
    v->n_nodes = w->n_nodes;
    v->trees = xcalloc(v->n_nodes ? v->n_nodes : 1, sizeof *v->trees);
    v->owned = xcalloc(v->n_nodes ? v->n_nodes : 1, sizeof *v->owned);
    const VfsConf *c = vfs_conf_get(w);
    for (size_t i = 0; i < v->n_nodes; i++) {
        if (c && i < c->n_nodes && c->nodes[i].tree.n > 0) {
            v->trees[i] = &c->nodes[i].tree;
            index_generated(v, v->trees[i]);
            continue;
        }
        if (c && i < c->n_nodes && c->nodes[i].home)
            continue; /* rtree makes it */
        v->trees[i] = xcalloc(1, sizeof *v->trees[i]);
        v->owned[i] = true;
        tree_root(v->trees[i], w->start_us);
    }
    if (v->n_gens)
        qsort(v->gens, v->n_gens, sizeof *v->gens, cmp_head);
    return v;
}

void vfs_free(Vfs *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_nodes; i++)
        if (v->owned[i]) {
            tree_fini(v->trees[i]);
            free(v->trees[i]);
        }
    free(v->trees);
    free(v->owned);
    free(v->gens);
    free(v);
}

void vfs_service_start(Sim *sim)
{
    sim->svc[SVC_FILES] = sim->world ? vfs_new(sim->world, &sim->now) : NULL;
}

void vfs_service_stop(Sim *sim)
{
    vfs_free(sim->svc[SVC_FILES]);
    sim->svc[SVC_FILES] = NULL;
}

Vfs *vfs_of(Sim *sim)
{
    return sim->svc[SVC_FILES];
}

uint64_t vfs_stored(const Vfs *v)
{
    return v->stored;
}

/* The node's table.  A home-only table is made here on the first look;
 * v is changed behind its const, which no reader can tell. */
static const Tree *rtree(const Vfs *v, int node)
{
    assert(node >= 0 && (size_t)node < v->n_nodes);
    if (!v->trees[node]) {
        Vfs *mv = (Vfs *)v;
        Tree *t = xcalloc(1, sizeof *t);
        make_home(t, vfs_user(v->w, node), v->w->start_us);
        mv->trees[node] = t;
        mv->owned[node] = true;
    }
    return v->trees[node];
}

/* The node's table, copied on its first change. */
static Tree *wtree(Vfs *v, int node)
{
    const Tree *src = rtree(v, node);
    if (v->owned[node])
        return v->trees[node];
    Tree *t = xcalloc(1, sizeof *t);
    t->e = xmalloc(src->n * sizeof *t->e);
    t->n = t->cap = src->n;
    for (size_t i = 0; i < src->n; i++) {
        Entry *e = xmalloc(sizeof *e);
        *e = *src->e[i];
        e->path = xstrdup(e->path);
        e->owner = xstrdup(e->owner);
        e->own = NULL; /* the bytes stay the World's */
        e->cap = 0;
        t->e[i] = e;
    }
    v->trees[node] = t;
    v->owned[node] = true;
    return t;
}

static int64_t now_us(const Vfs *v)
{
    return v->w->start_us + (v->clock ? *v->clock : 0);
}

/* Drops e's own bytes from the Sim's count. */
static void drop_bytes(Vfs *v, Entry *e)
{
    if (e->own) {
        v->stored -= e->size;
        free(e->own);
    }
    e->own = NULL;
    e->bytes = NULL;
    e->cap = 0;
    e->size = 0;
    e->gen = false;
}

static void touch_parent(Vfs *v, Tree *t, const char *path)
{
    char buf[VFS_PATH_MAX];
    if (strcmp(path, "/") == 0)
        return;
    parent_of(path, buf);
    Entry *p = tree_find(t, buf, NULL);
    if (p)
        p->mtime_us = now_us(v);
}

/* Every parent of path must be a directory: VFS_ENOENT if one is missing,
 * VFS_ENOTDIR if one is a file, as the kernel says.  O(depth · log n). */
static VfsErr check_parent(const Tree *t, const char *path)
{
    char buf[VFS_PATH_MAX];
    size_t len = strlen(path);
    for (size_t i = 1; i < len && i < sizeof buf; i++) {
        if (path[i] != '/')
            continue;
        memcpy(buf, path, i);
        buf[i] = '\0';
        const Entry *a = tree_find(t, buf, NULL);
        if (!a)
            return VFS_ENOENT;
        if (!a->dir)
            return VFS_ENOTDIR;
    }
    return VFS_OK;
}

static VfsErr lookup(const Tree *t, const char *path, const Entry **out)
{
    assert(path[0] == '/');
    *out = tree_find(t, path, NULL);
    if (*out)
        return VFS_OK;
    VfsErr e = check_parent(t, path);
    return e ? e : VFS_ENOENT;
}

VfsErr vfs_stat(const Vfs *v, int node, const char *path, VfsStat *st)
{
    const Entry *e;
    VfsErr err = lookup(rtree(v, node), path, &e);
    if (err)
        return err;
    stat_of(e, st);
    return VFS_OK;
}

static size_t read_entry(const Entry *e, uint64_t off, void *buf, size_t len)
{
    if (off >= e->size)
        return 0;
    size_t n = e->size - off < len ? (size_t)(e->size - off) : len;
    if (e->gen)
        vfs_gen_bytes(e->key, off, buf, n);
    else
        memcpy(buf, e->bytes + off, n);
    return n;
}

VfsErr vfs_read(const Vfs *v, int node, const char *path, uint64_t off, void *buf, size_t len,
                size_t *n)
{
    const Entry *e;
    *n = 0;
    VfsErr err = lookup(rtree(v, node), path, &e);
    if (err)
        return err;
    if (e->dir)
        return VFS_EISDIR;
    *n = read_entry(e, off, buf, len);
    return VFS_OK;
}

VfsErr vfs_list(const Vfs *v, int node, const char *path, VfsDirent **out, size_t *n)
{
    const Tree *t = rtree(v, node);
    const Entry *d;
    *out = NULL;
    *n = 0;
    VfsErr err = lookup(t, path, &d);
    if (err)
        return err;
    if (!d->dir)
        return VFS_ENOTDIR;
    size_t first, end;
    subtree(t, path, &first, &end);
    size_t plen = strlen(path) + (strcmp(path, "/") != 0);
    for (size_t i = first; i < end; i++) {
        const Entry *e = t->e[i];
        if (strchr(e->path + plen, '/'))
            continue; /* deeper down */
        if (!*out)
            *out = xmalloc((end - first) * sizeof **out);
        (*out)[*n].name = e->path + plen;
        stat_of(e, &(*out)[*n].st);
        (*n)++;
    }
    return VFS_OK;
}

VfsErr vfs_create(Vfs *v, int node, const char *path, const char *owner)
{
    const Entry *old;
    VfsErr err = lookup(rtree(v, node), path, &old);
    if (err && err != VFS_ENOENT)
        return err;
    if (err == VFS_ENOENT && check_parent(rtree(v, node), path))
        return check_parent(rtree(v, node), path);
    if (old && old->dir)
        return VFS_EISDIR;
    Tree *t = wtree(v, node);
    Entry *e = tree_find(t, path, NULL);
    if (e) {
        drop_bytes(v, e);
    } else {
        e = entry_new(path, false, owner, strlen(owner), now_us(v));
        tree_insert(t, e);
        touch_parent(v, t, path);
    }
    e->mtime_us = now_us(v);
    return VFS_OK;
}

/* The generated file of the World whose bytes start with data, or 0. */
static bool find_gen(const Vfs *v, const uint8_t *data, size_t len, uint64_t *key)
{
    uint64_t head = 0;
    for (int k = 0; k < 8; k++)
        head = head << 8 | data[k];
    GenHead probe = {head, 0};
    size_t lo = 0, hi = v->n_gens;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_head(&v->gens[mid], &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < v->n_gens && v->gens[lo].head == head; lo++)
        if (gen_matches(v->gens[lo].key, 0, data, len)) {
            *key = v->gens[lo].key;
            return true;
        }
    return false;
}

/* Makes e's bytes its own, with room for extra more. */
static VfsErr materialise(Vfs *v, Entry *e, size_t extra)
{
    uint64_t size = e->size + extra;
    if (size > VFS_WRITE_MAX)
        return VFS_EFBIG;
    uint64_t added = e->own ? extra : size;
    if (v->stored + added > VFS_STORE_MAX)
        return VFS_ENOSPC;
    if (!e->own || e->cap < size) {
        size_t cap = e->cap ? e->cap : 4096;
        while (cap < size)
            cap *= 2;
        if (cap > VFS_WRITE_MAX)
            cap = VFS_WRITE_MAX;
        uint8_t *buf = xmalloc(cap);
        if (e->gen)
            vfs_gen_bytes(e->key, 0, buf, (size_t)e->size);
        else if (e->size)
            memcpy(buf, e->bytes, (size_t)e->size);
        if (e->own)
            v->stored -= e->size;
        free(e->own);
        e->own = buf;
        e->bytes = buf;
        e->cap = cap;
        e->gen = false;
        v->stored += e->size;
    }
    return VFS_OK;
}

VfsErr vfs_append(Vfs *v, int node, const char *path, const void *data, size_t len)
{
    const Entry *old;
    VfsErr err = lookup(rtree(v, node), path, &old);
    if (err)
        return err;
    if (old->dir)
        return VFS_EISDIR;
    if (len == 0)
        return VFS_OK;
    Entry *e = tree_find(wtree(v, node), path, NULL);
    const uint8_t *d = data;
    uint64_t key;
    if (e->size == 0 && len >= 8 && find_gen(v, d, len, &key)) {
        drop_bytes(v, e);
        e->gen = true;
        e->key = key;
    } else if (e->gen && gen_matches(e->key, e->size, d, len)) {
        if (e->size + len > VFS_GEN_MAX)
            return VFS_EFBIG;
    } else {
        if ((err = materialise(v, e, len)))
            return err;
        memcpy(e->own + e->size, d, len);
        v->stored += len;
    }
    e->size += len;
    e->mtime_us = now_us(v);
    return VFS_OK;
}

VfsErr vfs_write_file(Vfs *v, int node, const char *path, const void *data, size_t len,
                      const char *owner)
{
    VfsErr err = vfs_create(v, node, path, owner);
    return err ? err : vfs_append(v, node, path, data, len);
}

VfsErr vfs_mkdir(Vfs *v, int node, const char *path, const char *owner)
{
    const Entry *old;
    VfsErr err = lookup(rtree(v, node), path, &old);
    if (!err)
        return VFS_EEXIST;
    if ((err = check_parent(rtree(v, node), path)))
        return err;
    Tree *t = wtree(v, node);
    tree_insert(t, entry_new(path, true, owner, strlen(owner), now_us(v)));
    touch_parent(v, t, path);
    return VFS_OK;
}

VfsErr vfs_chmod(Vfs *v, int node, const char *path, unsigned mode)
{
    const Entry *old;
    VfsErr err = lookup(rtree(v, node), path, &old);
    if (err)
        return err;
    size_t at;
    Entry *e = tree_find(wtree(v, node), path, &at);
    if (e)
        e->mode = mode & 07777;
    return VFS_OK;
}

VfsErr vfs_remove(Vfs *v, int node, const char *path)
{
    const Entry *old;
    VfsErr err = lookup(rtree(v, node), path, &old);
    if (err)
        return err;
    if (strcmp(path, "/") == 0)
        return VFS_EINVAL;
    size_t first, end;
    if (old->dir) {
        subtree(rtree(v, node), path, &first, &end);
        if (first != end)
            return VFS_ENOTEMPTY;
    }
    Tree *t = wtree(v, node);
    size_t at;
    Entry *e = tree_find(t, path, &at);
    drop_bytes(v, e);
    tree_remove_at(t, at);
    entry_free(e);
    touch_parent(v, t, path);
    return VFS_OK;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp((*(Entry *const *)a)->path, (*(Entry *const *)b)->path);
}

VfsErr vfs_rename(Vfs *v, int node, const char *from, const char *to)
{
    const Tree *rt = rtree(v, node);
    const Entry *src, *dst;
    VfsErr err = lookup(rt, from, &src);
    if (err)
        return err;
    if (strcmp(from, "/") == 0)
        return VFS_EINVAL;
    size_t flen = strlen(from), tlen = strlen(to);
    if (strcmp(from, to) == 0)
        return VFS_OK;
    if (tlen > flen && strncmp(to, from, flen) == 0 && to[flen] == '/')
        return VFS_EINVAL;
    err = lookup(rt, to, &dst);
    if (err && err != VFS_ENOENT)
        return err;
    if (err && (err = check_parent(rt, to)))
        return err;
    if (dst && src->dir && !dst->dir)
        return VFS_ENOTDIR;
    if (dst && !src->dir && dst->dir)
        return VFS_EISDIR;
    if (dst && dst->dir) {
        size_t first, end;
        subtree(rt, to, &first, &end);
        if (first != end)
            return VFS_ENOTEMPTY;
    }
    Tree *t = wtree(v, node);
    size_t at;
    Entry *d = tree_find(t, to, &at);
    if (d) {
        drop_bytes(v, d);
        tree_remove_at(t, at);
        entry_free(d);
    }
    Entry *s = tree_find(t, from, &at);
    size_t first = 0, end = 0;
    if (s->dir)
        subtree(t, from, &first, &end); /* not always next to s: "/a-b" sorts before "/a/b" */
    for (size_t i = first; i <= end; i++) {
        Entry *e = i < end ? t->e[i] : s;
        char *p = xasprintf("%s%s", to, e->path + flen);
        free(e->path);
        e->path = p;
    }
    qsort(t->e, t->n, sizeof *t->e, cmp_entry);
    touch_parent(v, t, from);
    touch_parent(v, t, to);
    return VFS_OK;
}

bool vfs_same(const Vfs *a, int node_a, const char *path_a, const Vfs *b, int node_b,
              const char *path_b)
{
    const Entry *x, *y;
    if (lookup(rtree(a, node_a), path_a, &x) || lookup(rtree(b, node_b), path_b, &y))
        return false;
    if (x->dir || y->dir || x->size != y->size)
        return false;
    if (x->gen && y->gen && x->key == y->key)
        return true;
    if (!x->gen && !y->gen)
        return x->size == 0 || memcmp(x->bytes, y->bytes, (size_t)x->size) == 0;
    uint8_t bx[4096], by[4096];
    for (uint64_t off = 0; off < x->size; off += sizeof bx) {
        size_t n = read_entry(x, off, bx, sizeof bx);
        read_entry(y, off, by, sizeof by);
        if (memcmp(bx, by, n) != 0)
            return false;
    }
    return true;
}
