/* Tests for the shell's redirections (src/apps/shell.c): `nc HOST PORT <
 * FILE` sends exactly the file, over a lossy link too; `> FILE`, `>>` and
 * `2>&1` write the node's files; bash's messages when it cannot.  And the
 * working folder (cd, pwd: src/apps/cd.c).
 * (tests/run_filter_files.sh compares many more with bash itself.) */
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
#include "proto/vfs.h"

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
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"head -n1 notes.txt > copy.txt\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"head nothere notes.txt >> copy.txt 2>&1\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"head notes.txt > /srv/empty\"},"
    " {\"at\": \"2s\", \"on\": \"laptop\", \"run\": \"nc -N 10.0.0.20 7000 <\"}]}";

/* nc < FILE sends the file over a lossy link, byte for byte; > and >>
 * with 2>&1 write the file, and nothing of it reaches the terminal; bash's
 * messages for a missing file, a directory written to and a missing
 * name. */
static void test_redirects(void **state)
{
    (void)state;
    Sim sim;
    tw_run(&sim, tw_load("files.json", scenario), 3);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "line one\nline two\n"));
    assert_non_null(strstr(out, "bash: nothere: No such file or directory\n"));
    assert_non_null(strstr(out, "bash: /srv/empty: Is a directory\n"));
    assert_non_null(strstr(out, "bash: syntax error near unexpected token `newline'\n"));
    /* only > refuses a folder: bash opens one for < and nc's read ends
     * its input at once, as Debian's nc.openbsd does */
    const char *dir = strstr(out, "bash: /srv/empty: Is a directory\n");
    assert_null(strstr(dir + 1, "bash: /srv/empty: Is a directory\n"));
    assert_null(strstr(out, "cannot open"));
    char data[256] = {0};
    size_t n = 0;
    assert_int_equal(
        vfs_read(vfs_of(&sim), 0, "/home/alice/copy.txt", 0, data, sizeof data - 1, &n), VFS_OK);
    assert_string_equal(data, "line one\n"
                              "head: cannot open 'nothere' for reading: No such file or directory\n"
                              "==> notes.txt <==\n"
                              "line one\n"
                              "line two\n");
    free(out);
    tw_done(&sim);
}

/* Each terminal has its own working folder, which every relative path
 * after a cd starts from (a redirection's file here); a folder the user
 * may not enter is refused with bash's message; a cd in the background
 * changes nothing after it.  The line's typed lines wait for the program
 * that reads them (cat), past cd, an assignment and echo. */
static void test_working_folder(void **state)
{
    (void)state;
    static const char json[] =
        "{\"minet\": 1, \"title\": \"cd\", \"nodes\": ["
        "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"user\": \"alice\","
        " \"files\": {\"/home/alice/notes.txt\": \"line one\\nline two\\n\","
        "  \"/home/alice/sub/\": {}, \"/srv/empty/\": {}, \"/srv/locked/\": {}}}],"
        "\"script\": [{\"at\": \"0s\", \"on\": \"laptop\", \"run\": \"cd /srv; pwd; ls; cd\"},"
        " {\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"cd /srv/locked\"},"
        " {\"at\": \"2s\", \"on\": \"laptop\", \"terminal\": 2, \"run\": \"cd sub\"},"
        " {\"at\": \"3s\", \"on\": \"laptop\", \"run\": \"pwd; cd sub & pwd\"},"
        " {\"at\": \"4s\", \"on\": \"laptop\", \"terminal\": 2,"
        "  \"run\": \"head -n1 ../notes.txt > copy.txt; cd -\"},"
        " {\"at\": \"5s\", \"on\": \"laptop\", \"terminal\": 3,"
        "  \"run\": \"cd sub; x=1; echo $x; cat\", \"input\": [\"typed\", \"^D\"]}]}";
    Sim sim;
    World *w = tw_load("cd.json", json);
    world_wire(w);
    sim_init(&sim, 1, w, true);
    agents_start(&sim);
    /* a folder root keeps to itself, as an FTP upload's 0700 */
    assert_int_equal(vfs_chmod(vfs_of(&sim), 0, "/srv/locked", 0700), VFS_OK);
    shell_schedule_script(&sim);
    sim_run_until(&sim, SIM_TIME_MAX);
    char *out = tw_console(&sim);
    assert_string_equal(out, "/srv\n"
                             "empty  locked\n"
                             "bash: cd: /srv/locked: Permission denied\n"
                             "/home/alice\n"
                             "[1] 4008\n"
                             "/home/alice\n"
                             "[1]+  Done                    cd sub\n"
                             "/home/alice\n"
                             "1\n"
                             "typed\n");
    char data[64] = {0};
    size_t n = 0;
    assert_int_equal(
        vfs_read(vfs_of(&sim), 0, "/home/alice/sub/copy.txt", 0, data, sizeof data - 1, &n),
        VFS_OK);
    assert_string_equal(data, "line one\n");
    free(out);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_working_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
