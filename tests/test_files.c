/* Tests for src/proto/files.c and the shell's redirections: paths as a
 * shell normalises them, a sized file's bytes the same however they are
 * read, and `nc HOST PORT < FILE` sending exactly the file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "io/scenario.h"
#include "proto/files.h"

static const char scenario[] =
    "{\"minet\": 1, \"title\": \"files\", \"seed\": 3, \"nodes\": ["
    "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"user\": \"alice\","
    " \"files\": {\"/home/alice/notes.txt\": \"line one\\nline two\\n\","
    "  \"/home/alice/photo.jpg\": {\"size\": \"100KB\"}, \"/srv/empty/\": {}}},"
    "{\"id\": \"server\", \"role\": \"host\", \"ip\": \"10.0.0.20\"}],"
    "\"links\": [{\"between\": [\"laptop\", \"server\"], \"loss\": 0.05}],"
    "\"script\": [{\"at\": \"0s\", \"on\": \"server\", \"run\": \"nc -l 7000\"},"
    " {\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.0.20 7000 < notes.txt\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.0.20 7000 < nothere\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.0.20 7000 < /srv/empty\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"nc -l 7001 > notes.txt\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.0.20 7000 <\"}]}";

static World *load(void)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("files.json", ".", scenario, strlen(scenario), &e);
    errors_print(&e, stderr);
    errors_fini(&e);
    assert_non_null(w);
    return w;
}

static void test_paths(void **state)
{
    (void)state;
    World *w = load();
    assert_string_equal(files_user(w, 0), "alice");
    assert_string_equal(files_user(w, 1), FILES_USER);
    char *p = files_path(w, 0, "notes.txt");
    assert_string_equal(p, "/home/alice/notes.txt");
    free(p);
    p = files_path(w, 0, "../../..//srv/./empty/");
    assert_string_equal(p, "/srv/empty");
    free(p);
    assert_non_null(files_find(w, 0, "/home/alice/notes.txt"));
    assert_null(files_find(w, 1, "/home/alice/notes.txt"));
    assert_true(files_is_dir(w, 0, "/srv/empty"));
    assert_true(files_is_dir(w, 0, "/home/alice"));
    assert_true(files_is_dir(w, 1, "/home/student"));
    assert_false(files_is_dir(w, 0, "/home/alice/notes.txt"));
    world_free(w);
}

/* A sized file's bytes depend on the seed and the path only, and any
 * split of the reads gives the same bytes. */
static void test_sized_bytes(void **state)
{
    (void)state;
    World *w = load();
    const NodeFile *f = files_find(w, 0, "/home/alice/photo.jpg");
    assert_non_null(f);
    assert_int_equal(f->size, 100000);
    uint8_t *whole = malloc(f->size), *parts = malloc(f->size);
    assert_int_equal(files_read(f, 0, whole, f->size + 10), f->size);
    size_t off = 0, step = 1;
    while (off < f->size) {
        off += files_read(f, off, parts + off, step);
        step = step * 3 % 997 + 1;
    }
    assert_memory_equal(whole, parts, f->size);
    assert_int_equal(files_read(f, f->size, parts, 10), 0);
    /* not all the same byte */
    size_t same = 0;
    for (size_t i = 1; i < f->size; i++)
        same += whole[i] == whole[0];
    assert_true(same < f->size / 50);
    World *again = load();
    uint8_t first[64];
    files_read(files_find(again, 0, "/home/alice/photo.jpg"), 0, first, sizeof first);
    assert_memory_equal(first, whole, sizeof first);
    world_free(again);
    free(whole);
    free(parts);
    world_free(w);
}

/* nc < FILE sends the file over a lossy link, byte for byte; bash's
 * messages for a missing file, a directory and a missing name; minet's
 * for a file it cannot write. */
static void test_redirects(void **state)
{
    (void)state;
    Sim sim;
    tw_run(&sim, load(), 3);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "line one\nline two\n"));
    assert_non_null(strstr(out, "bash: nothere: No such file or directory\n"));
    assert_non_null(strstr(out, "bash: /srv/empty: Is a directory\n"));
    assert_non_null(strstr(out, "bash: syntax error near unexpected token `newline'\n"));
    assert_non_null(strstr(out, "minet: notes.txt: minet cannot write files yet"));
    free(out);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_sized_bytes),
        cmocka_unit_test(test_redirects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
