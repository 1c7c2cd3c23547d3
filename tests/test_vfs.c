/* test_vfs — the files on nodes: paths, listings, generated contents,
 * writes and their limits, and each Sim's own view of one World's files. */
#include <stdlib.h>

#include "helpers.h"
#include "proto/services.h"
#include "proto/vfs.h"

static void norm_is(const char *cwd, const char *path, const char *want, bool want_esc)
{
    char out[VFS_PATH_MAX];
    bool esc = !want_esc;
    assert_int_equal(vfs_path_norm(cwd, path, out, sizeof out, &esc), VFS_OK);
    assert_string_equal(out, want);
    assert_int_equal(esc, want_esc);
}

static void test_normalise(void **state)
{
    (void)state;
    norm_is(NULL, "/", "/", false);
    norm_is(NULL, "//", "/", false);
    norm_is(NULL, "/a//b/./c/../d/", "/a/b/d", false);
    norm_is(NULL, "/home/alice/.", "/home/alice", false);
    norm_is(NULL, "/..", "/", true);
    norm_is(NULL, "/a/../../b", "/b", true);
    norm_is("/home/alice", "notes.txt", "/home/alice/notes.txt", false);
    norm_is("/home/alice", "../bob/x", "/home/bob/x", false);
    norm_is("/home/alice", "/etc", "/etc", false);
    norm_is("/", "..", "/", true);
    norm_is(NULL, "/a/...", "/a/...", false); /* "..." is a name */
    char out[VFS_PATH_MAX];
    assert_int_equal(vfs_path_norm(NULL, "", out, sizeof out, NULL), VFS_ENOENT);
    char name[VFS_NAME_MAX + 3];
    name[0] = '/';
    memset(name + 1, 'x', VFS_NAME_MAX + 1);
    name[VFS_NAME_MAX + 2] = '\0';
    assert_int_equal(vfs_path_norm(NULL, name, out, sizeof out, NULL), VFS_ENAMETOOLONG);
    name[VFS_NAME_MAX + 1] = '\0'; /* exactly VFS_NAME_MAX */
    assert_int_equal(vfs_path_norm(NULL, name, out, sizeof out, NULL), VFS_OK);
    char small[4];
    assert_int_equal(vfs_path_norm(NULL, "/abcd", small, sizeof small, NULL), VFS_ENAMETOOLONG);
    assert_true(vfs_valid_user("alice"));
    assert_true(vfs_valid_user("_apt"));
    assert_true(vfs_valid_user("a-b_9"));
    assert_false(vfs_valid_user("Alice"));
    assert_false(vfs_valid_user("9lives"));
    assert_false(vfs_valid_user(""));
    assert_false(vfs_valid_user("a b"));
    assert_true(vfs_valid_user("abcdefghijklmnopqrstuvwxyz012345"));
    assert_false(vfs_valid_user("abcdefghijklmnopqrstuvwxyz0123456"));
    size_t n;
    const char *o = vfs_default_owner("/home/alice/x", &n);
    assert_int_equal(n, 5);
    assert_memory_equal(o, "alice", 5);
    o = vfs_default_owner("/home/Bob/x", &n);
    assert_memory_equal(o, "root", 4);
    o = vfs_default_owner("/srv/ftp", &n);
    assert_memory_equal(o, "root", 4);
    assert_string_equal(vfs_strerror(VFS_ENOENT), "No such file or directory");
    assert_string_equal(vfs_strerror(VFS_EFBIG), "File too large");
}

static World *one_host(uint64_t seed)
{
    World *w = world_new();
    w->seed = seed;
    w->start_us = 1694422800000000; /* 2023-09-11T09:00:00Z */
    tw_node(w, "a", ROLE_HOST, "10.0.0.1");
    tw_node(w, "b", ROLE_HOST, "10.0.0.2");
    return w;
}

static void test_listing_order(void **state)
{
    (void)state;
    World *w = one_host(1);
    const char *clash = NULL;
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/b", "b", 1, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/a-b", "ab", 2, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/a/x", "x", 1, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_dir(w, 0, "/d/A", NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_dir(w, 0, "/d/A", NULL), VFS_OK); /* twice is fine */
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/\xc3\xa9", "", 0, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/b/c", "", 0, &clash), VFS_ENOTDIR);
    assert_string_equal(clash, "/d/b");
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/d/a", "", 0, &clash), VFS_EEXIST);
    assert_string_equal(clash, "/d/a");
    assert_int_equal(vfs_conf_add_dir(w, 0, "/d/b", &clash), VFS_EEXIST);
    Vfs *v = vfs_new(w, NULL);
    VfsDirent *d;
    size_t n;
    assert_int_equal(vfs_list(v, 0, "/d", &d, &n), VFS_OK);
    assert_int_equal(n, 5);
    assert_string_equal(d[0].name, "A");
    assert_string_equal(d[1].name, "a");
    assert_string_equal(d[2].name, "a-b");
    assert_string_equal(d[3].name, "b");
    assert_string_equal(d[4].name, "\xc3\xa9");
    assert_true(d[1].st.dir);
    assert_int_equal(d[1].st.mode, 0755);
    assert_false(d[2].st.dir);
    assert_int_equal(d[2].st.size, 2);
    assert_int_equal(d[2].st.mode, 0644);
    assert_string_equal(d[2].st.owner, "root");
    assert_int_equal(d[2].st.mtime_us, w->start_us);
    free(d);
    assert_int_equal(vfs_list(v, 0, "/", &d, &n), VFS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "d");
    free(d);
    assert_int_equal(vfs_list(v, 0, "/d/A", &d, &n), VFS_OK);
    assert_int_equal(n, 0);
    assert_null(d);
    assert_int_equal(vfs_list(v, 0, "/d/b", &d, &n), VFS_ENOTDIR);
    assert_int_equal(vfs_list(v, 0, "/nope", &d, &n), VFS_ENOENT);
    /* Node b has only "/". */
    assert_int_equal(vfs_list(v, 1, "/", &d, &n), VFS_OK);
    assert_int_equal(n, 0);
    VfsStat st;
    assert_int_equal(vfs_stat(v, 1, "/", &st), VFS_OK);
    assert_true(st.dir);
    assert_int_equal(vfs_stat(v, 0, "/d/b/c", &st), VFS_ENOTDIR);
    assert_int_equal(vfs_stat(v, 0, "/x/y", &st), VFS_ENOENT);
    vfs_free(v);
    world_free(w);
}

static void read_all(const Vfs *v, int node, const char *path, uint8_t *buf, size_t len,
                     size_t chunk)
{
    size_t off = 0, n;
    while (off < len) {
        size_t want = chunk < len - off ? chunk : len - off;
        assert_int_equal(vfs_read(v, node, path, off, buf + off, want, &n), VFS_OK);
        assert_int_equal(n, want);
        off += n;
    }
    assert_int_equal(vfs_read(v, node, path, off, buf, 1, &n), VFS_OK);
    assert_int_equal(n, 0); /* the end */
}

static void test_generated(void **state)
{
    (void)state;
    enum { SIZE = 10007 };
    World *w = one_host(7);
    assert_int_equal(vfs_conf_add_generated(w, 0, "/home/alice/big.iso", SIZE, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_generated(w, 0, "/home/alice/other.iso", SIZE, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_generated(w, 1, "/huge", VFS_GEN_MAX, NULL), VFS_OK);
    Vfs *v = vfs_new(w, NULL);
    uint8_t *whole = xmalloc(SIZE), *parts = xmalloc(SIZE), *other = xmalloc(SIZE);
    read_all(v, 0, "/home/alice/big.iso", whole, SIZE, SIZE);
    static const size_t chunks[] = {1, 3, 7, 8, 9, 1460, 4096};
    for (size_t i = 0; i < MN_ARRAY_LEN(chunks); i++) {
        memset(parts, 0, SIZE);
        read_all(v, 0, "/home/alice/big.iso", parts, SIZE, chunks[i]);
        assert_memory_equal(whole, parts, SIZE);
    }
    read_all(v, 0, "/home/alice/other.iso", other, SIZE, SIZE);
    assert_memory_not_equal(whole, other, 64); /* the path matters */
    /* Same seed and path in another World: the same bytes; another seed: not. */
    World *w2 = one_host(7), *w3 = one_host(8);
    assert_int_equal(vfs_conf_add_generated(w2, 1, "/home/alice/big.iso", SIZE, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_generated(w3, 0, "/home/alice/big.iso", SIZE, NULL), VFS_OK);
    Vfs *v2 = vfs_new(w2, NULL), *v3 = vfs_new(w3, NULL);
    read_all(v2, 1, "/home/alice/big.iso", parts, SIZE, 1000);
    assert_memory_equal(whole, parts, SIZE);
    assert_true(vfs_same(v, 0, "/home/alice/big.iso", v2, 1, "/home/alice/big.iso"));
    read_all(v3, 0, "/home/alice/big.iso", parts, SIZE, SIZE);
    assert_memory_not_equal(whole, parts, 64);
    assert_false(vfs_same(v, 0, "/home/alice/big.iso", v3, 0, "/home/alice/big.iso"));
    /* 1 GB costs no memory: any range is made on demand. */
    VfsStat st;
    assert_int_equal(vfs_stat(v, 1, "/huge", &st), VFS_OK);
    assert_int_equal(st.size, VFS_GEN_MAX);
    size_t n;
    uint8_t tail[16], again[16];
    assert_int_equal(vfs_read(v, 1, "/huge", VFS_GEN_MAX - 10, tail, 16, &n), VFS_OK);
    assert_int_equal(n, 10);
    vfs_gen_bytes(vfs_gen_key(7, "/huge"), VFS_GEN_MAX - 10, again, 10);
    assert_memory_equal(tail, again, 10);
    assert_int_equal(vfs_stored(v), 0);
    assert_int_equal(vfs_read(v, 1, "/", 0, tail, 1, &n), VFS_EISDIR);
    vfs_free(v);
    vfs_free(v2);
    vfs_free(v3);
    world_free(w);
    world_free(w2);
    world_free(w3);
    free(whole);
    free(parts);
    free(other);
}

/* A download of a generated file, chunk by chunk, stays generated. */
static void test_copy_stays_generated(void **state)
{
    (void)state;
    enum { SIZE = 3 * 1460 + 11 };
    World *w = one_host(3);
    assert_int_equal(vfs_conf_add_generated(w, 0, "/srv/big", SIZE, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_dir(w, 1, "/home/student", NULL), VFS_OK);
    Vfs *v = vfs_new(w, NULL);
    uint8_t chunk[1460];
    size_t off = 0, n;
    assert_int_equal(vfs_create(v, 1, "/home/student/big", "student"), VFS_OK);
    do {
        assert_int_equal(vfs_read(v, 0, "/srv/big", off, chunk, sizeof chunk, &n), VFS_OK);
        assert_int_equal(vfs_append(v, 1, "/home/student/big", chunk, n), VFS_OK);
        off += n;
    } while (n > 0);
    VfsStat st;
    assert_int_equal(vfs_stat(v, 1, "/home/student/big", &st), VFS_OK);
    assert_int_equal(st.size, SIZE);
    assert_string_equal(st.owner, "student");
    assert_int_equal(vfs_stored(v), 0);
    assert_true(vfs_same(v, 0, "/srv/big", v, 1, "/home/student/big"));
    /* A byte that differs: the file now holds its bytes. */
    assert_int_equal(vfs_append(v, 1, "/home/student/big", "!", 1), VFS_OK);
    assert_int_equal(vfs_stored(v), SIZE + 1);
    assert_false(vfs_same(v, 0, "/srv/big", v, 1, "/home/student/big"));
    uint8_t last;
    assert_int_equal(vfs_read(v, 1, "/home/student/big", SIZE, &last, 1, &n), VFS_OK);
    assert_int_equal(last, '!');
    uint8_t a[64], b[64];
    assert_int_equal(vfs_read(v, 1, "/home/student/big", 100, a, 64, &n), VFS_OK);
    assert_int_equal(vfs_read(v, 0, "/srv/big", 100, b, 64, &n), VFS_OK);
    assert_memory_equal(a, b, 64);
    /* Overwriting frees the bytes. */
    assert_int_equal(vfs_write_file(v, 1, "/home/student/big", "hi", 2, "student"), VFS_OK);
    assert_int_equal(vfs_stored(v), 2);
    assert_int_equal(vfs_remove(v, 1, "/home/student/big"), VFS_OK);
    assert_int_equal(vfs_stored(v), 0);
    vfs_free(v);
    world_free(w);
}

/* Two Sims of one World never see each other's changes, nor change it. */
static void test_overlay_isolation(void **state)
{
    (void)state;
    World *w = one_host(1);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/home/alice/notes.txt", "hello\n", 6, NULL), VFS_OK);
    world_wire(w);
    Sim s1, s2;
    sim_init(&s1, 1, w, false);
    sim_init(&s2, 1, w, false);
    agents_start(&s1);
    agents_start(&s2);
    Vfs *v1 = vfs_of(&s1), *v2 = vfs_of(&s2);
    assert_non_null(v1);
    assert_non_null(v2);
    s1.now = 5000000;
    assert_int_equal(vfs_write_file(v1, 0, "/home/alice/notes.txt", "changed\n", 8, "alice"),
                     VFS_OK);
    assert_int_equal(vfs_mkdir(v1, 0, "/home/alice/new", "alice"), VFS_OK);
    assert_int_equal(vfs_remove(v1, 0, "/home/alice/new"), VFS_OK);
    assert_int_equal(vfs_write_file(v1, 0, "/home/alice/up.txt", "up", 2, "alice"), VFS_OK);
    char buf[16];
    size_t n;
    assert_int_equal(vfs_read(v1, 0, "/home/alice/notes.txt", 0, buf, sizeof buf, &n), VFS_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "changed\n", 8);
    VfsStat st;
    assert_int_equal(vfs_stat(v1, 0, "/home/alice/notes.txt", &st), VFS_OK);
    assert_int_equal(st.mtime_us, w->start_us + 5000000);
    assert_int_equal(vfs_read(v2, 0, "/home/alice/notes.txt", 0, buf, sizeof buf, &n), VFS_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "hello\n", 6);
    assert_int_equal(vfs_stat(v2, 0, "/home/alice/up.txt", &st), VFS_ENOENT);
    assert_int_equal(vfs_conf_stat(w, 0, "/home/alice/up.txt", &st), VFS_ENOENT);
    assert_int_equal(vfs_conf_stat(w, 0, "/home/alice/notes.txt", &st), VFS_OK);
    assert_int_equal(st.size, 6);
    agents_stop(&s1);
    sim_fini(&s1);
    /* A new run starts from the World's files. */
    Sim s3;
    sim_init(&s3, 1, w, false);
    agents_start(&s3);
    assert_int_equal(vfs_read(vfs_of(&s3), 0, "/home/alice/notes.txt", 0, buf, 16, &n), VFS_OK);
    assert_memory_equal(buf, "hello\n", 6);
    agents_stop(&s3);
    sim_fini(&s3);
    agents_stop(&s2);
    sim_fini(&s2);
    world_free(w);
}

/* A promised home reads as the folders a built one has: in the World, in
 * each Sim, and once a file or a new user name makes it real. */
static void test_promised_home(void **state)
{
    (void)state;
    World *w = one_host(1);
    vfs_conf_set_user(w, 0, "ann");
    vfs_conf_add_home(w, 0);
    vfs_conf_add_home(w, 1);
    VfsStat st;
    assert_int_equal(vfs_conf_stat(w, 0, "/home/ann", &st), VFS_OK);
    assert_true(st.dir);
    assert_int_equal(st.mode, 0755);
    assert_string_equal(st.owner, "ann");
    assert_int_equal(st.mtime_us, w->start_us);
    assert_int_equal(vfs_conf_stat(w, 0, "/home", &st), VFS_OK);
    assert_string_equal(st.owner, "root");
    assert_int_equal(vfs_conf_stat(w, 0, "/", &st), VFS_OK);
    assert_int_equal(vfs_conf_stat(w, 0, "/home/student", &st), VFS_ENOENT);
    assert_int_equal(vfs_conf_stat(w, 0, "/etc", &st), VFS_ENOENT);
    /* The user named after the promise: the promise keeps the old name. */
    vfs_conf_set_user(w, 1, "bob");
    assert_int_equal(vfs_conf_stat(w, 1, "/home/" VFS_DEFAULT_USER, &st), VFS_OK);
    assert_string_equal(st.owner, VFS_DEFAULT_USER);
    assert_int_equal(vfs_conf_stat(w, 1, "/home/bob", &st), VFS_ENOENT);
    assert_int_equal(vfs_conf_add_bytes(w, 1, "/etc/motd", "hi\n", 3, NULL), VFS_OK);
    assert_int_equal(vfs_conf_stat(w, 1, "/home/" VFS_DEFAULT_USER, &st), VFS_OK);
    assert_int_equal(vfs_conf_stat(w, 1, "/etc", &st), VFS_OK);
    world_wire(w);
    Sim s;
    sim_init(&s, 1, w, false);
    agents_start(&s);
    Vfs *v = vfs_of(&s);
    VfsDirent *d;
    size_t n;
    assert_int_equal(vfs_list(v, 0, "/home", &d, &n), VFS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "ann");
    free(d);
    s.now = 7;
    assert_int_equal(vfs_write_file(v, 0, "/home/ann/x", "x", 1, "ann"), VFS_OK);
    assert_int_equal(vfs_stat(v, 0, "/home/ann/x", &st), VFS_OK);
    assert_int_equal(vfs_conf_stat(w, 0, "/home/ann/x", &st), VFS_ENOENT);
    agents_stop(&s);
    sim_fini(&s);
    world_free(w);
}

static void test_changes_and_errors(void **state)
{
    (void)state;
    World *w = one_host(1);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/a/f", "f", 1, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/a/sub/g", "g", 1, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_bytes(w, 0, "/a-b", "x", 1, NULL), VFS_OK);
    assert_int_equal(vfs_conf_add_dir(w, 0, "/empty", NULL), VFS_OK);
    Vfs *v = vfs_new(w, NULL);
    assert_int_equal(vfs_create(v, 0, "/nope/x", "u"), VFS_ENOENT);
    assert_int_equal(vfs_create(v, 0, "/a/f/x", "u"), VFS_ENOTDIR);
    assert_int_equal(vfs_create(v, 0, "/a", "u"), VFS_EISDIR);
    assert_int_equal(vfs_append(v, 0, "/missing", "x", 1), VFS_ENOENT);
    assert_int_equal(vfs_mkdir(v, 0, "/a", "u"), VFS_EEXIST);
    assert_int_equal(vfs_mkdir(v, 0, "/x/y", "u"), VFS_ENOENT);
    assert_int_equal(vfs_remove(v, 0, "/a"), VFS_ENOTEMPTY);
    assert_int_equal(vfs_remove(v, 0, "/"), VFS_EINVAL);
    assert_int_equal(vfs_rename(v, 0, "/a", "/a/sub/z"), VFS_EINVAL);
    assert_int_equal(vfs_rename(v, 0, "/a", "/a-b"), VFS_ENOTDIR);
    assert_int_equal(vfs_rename(v, 0, "/a-b", "/empty"), VFS_EISDIR);
    assert_int_equal(vfs_rename(v, 0, "/empty", "/a"), VFS_ENOTEMPTY);
    /* A directory moves with everything below it, not its neighbour "/a-b". */
    assert_int_equal(vfs_rename(v, 0, "/a", "/z"), VFS_OK);
    VfsStat st;
    assert_int_equal(vfs_stat(v, 0, "/a/sub/g", &st), VFS_ENOENT);
    assert_int_equal(vfs_stat(v, 0, "/z/sub/g", &st), VFS_OK);
    assert_int_equal(vfs_stat(v, 0, "/z/f", &st), VFS_OK);
    assert_int_equal(vfs_stat(v, 0, "/a-b", &st), VFS_OK);
    /* A file replaces a file; an empty directory is replaced by a directory. */
    assert_int_equal(vfs_rename(v, 0, "/a-b", "/z/f"), VFS_OK);
    char c;
    size_t n;
    assert_int_equal(vfs_read(v, 0, "/z/f", 0, &c, 1, &n), VFS_OK);
    assert_int_equal(c, 'x');
    assert_int_equal(vfs_rename(v, 0, "/z", "/empty"), VFS_OK);
    assert_int_equal(vfs_stat(v, 0, "/empty/sub/g", &st), VFS_OK);
    VfsDirent *d;
    assert_int_equal(vfs_list(v, 0, "/", &d, &n), VFS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "empty");
    free(d);
    /* Appending to a file the World holds copies its bytes first. */
    assert_int_equal(vfs_append(v, 0, "/empty/sub/g", "h", 1), VFS_OK);
    char two[2];
    assert_int_equal(vfs_read(v, 0, "/empty/sub/g", 0, two, 2, &n), VFS_OK);
    assert_memory_equal(two, "gh", 2);
    assert_int_equal(vfs_stored(v), 2);
    vfs_free(v);
    world_free(w);
}

/* A written file holds at most VFS_WRITE_MAX bytes. */
static void test_write_limit(void **state)
{
    (void)state;
    World *w = one_host(1);
    Vfs *v = vfs_new(w, NULL);
    enum { CHUNK = 1 << 20 };
    uint8_t *chunk = xmalloc(CHUNK);
    memset(chunk, 'x', CHUNK);
    assert_int_equal(vfs_create(v, 0, "/up", "student"), VFS_OK);
    for (size_t i = 0; i < VFS_WRITE_MAX / CHUNK; i++)
        assert_int_equal(vfs_append(v, 0, "/up", chunk, CHUNK), VFS_OK);
    assert_int_equal(vfs_append(v, 0, "/up", "y", 1), VFS_EFBIG);
    VfsStat st;
    assert_int_equal(vfs_stat(v, 0, "/up", &st), VFS_OK);
    assert_int_equal(st.size, VFS_WRITE_MAX); /* unchanged by the refused write */
    assert_int_equal(vfs_stored(v), VFS_WRITE_MAX);
    free(chunk);
    vfs_free(v);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalise),         cmocka_unit_test(test_listing_order),
        cmocka_unit_test(test_generated),         cmocka_unit_test(test_copy_stays_generated),
        cmocka_unit_test(test_overlay_isolation), cmocka_unit_test(test_changes_and_errors),
        cmocka_unit_test(test_write_limit),       cmocka_unit_test(test_promised_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
