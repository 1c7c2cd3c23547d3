/* Tests for the shell's expansions (src/apps/cmdline_expand.c): words
 * expanded against variables and a folder of the test's own, and the
 * limits that keep a run small.  (tests/run_filter_files.sh compares
 * hundreds of lines with bash itself.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "apps/cmdline.h"

/* cmdline_expand alone, against variables and a folder of its own. */
static const char *fake_get(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    static const char *const vars[][2] = {{"HOME", "/home/s"}, {"x", " a  b* "}, {"e", ""}};
    static char big[800001]; /* $big: 800,000 bytes */
    if (len == 3 && !memcmp(name, "big", 3))
        return memset(big, 'b', sizeof big - 1);
    for (size_t i = 0; i < MN_ARRAY_LEN(vars); i++)
        if (strlen(vars[i][0]) == len && !memcmp(vars[i][0], name, len))
            return vars[i][1];
    return NULL;
}

static void fake_set(void *ctx, const char *name, size_t len, const char *value)
{
    (void)ctx, (void)name, (void)len, (void)value;
}

static const char *fake_home(void *ctx, const char *user)
{
    (void)ctx;
    return *user ? NULL : "/home/s";
}

static bool fake_list(void *ctx, const char *dir, CmdDirent **out, size_t *n)
{
    (void)ctx;
    static const char *const names[] = {"b2", "b1", ".b", "d", "[x]"};
    if (*dir && strcmp(dir, "d/") != 0)
        return false;
    *out = xcalloc(MN_ARRAY_LEN(names), sizeof **out);
    for (size_t i = 0; i < MN_ARRAY_LEN(names); i++)
        (*out)[i] = (CmdDirent){xstrdup(names[i]), !strcmp(names[i], "d")};
    *n = MN_ARRAY_LEN(names);
    return true;
}

static bool fake_exists(void *ctx, const char *path)
{
    (void)ctx;
    return !strcmp(path, "d/") || !strcmp(path, "b1");
}

static void expect_expanded(const char *line, const char *want)
{
    CmdList l;
    char err[128];
    assert_true(cmdline_parse(&l, line, err, sizeof err));
    Cmdline *c = &l.p[0].cmds[0];
    CmdEnv env = {NULL, fake_get, fake_set, fake_home, fake_list, fake_exists};
    cmdline_expand(c, &env);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < c->nassign; i++)
        buf_printf(&b, "%s{%s}", b.len ? " " : "", c->assign[i]);
    for (size_t i = 0; i < c->argc; i++)
        buf_printf(&b, "%s[%s]", b.len ? " " : "", c->argv[i]);
    for (size_t i = 0; i < c->nredir; i++) {
        buf_putc(&b, ' ');
        if (c->redir[i].fd >= 0)
            buf_printf(&b, "%d", c->redir[i].fd);
        buf_printf(&b, "%s%s%s", c->redir[i].op, c->redir[i].word,
                   c->redir[i].ambiguous ? "(ambiguous)" : "");
    }
    if (c->error)
        buf_printf(&b, " <%s>", c->error);
    assert_string_equal(b.data ? b.data : "", want);
    buf_fini(&b);
    cmdline_list_fini(&l);
}

/* Limits that keep a run small: the words of one command (Linux's 2 MiB),
 * groups nested more than 100 deep (the parser and the expansion recurse),
 * a terminal's variables (16 MiB). */
static void test_shell_limits(void **state)
{
    (void)state;
    CmdList l;
    char err[200];
    assert_true(cmdline_parse(&l, "echo $big $big $big", err, sizeof err));
    CmdEnv env = {NULL, fake_get, fake_set, fake_home, fake_list, fake_exists};
    cmdline_expand(&l.p[0].cmds[0], &env);
    assert_non_null(strstr(l.p[0].cmds[0].error, "Argument list too long"));
    cmdline_list_fini(&l);
    Buf line;
    buf_init(&line);
    buf_puts(&line, "echo ");
    for (int i = 0; i < 101; i++)
        buf_puts(&line, "${x:-");
    for (int i = 0; i < 101; i++)
        buf_putc(&line, '}');
    assert_false(cmdline_parse(&l, line.data, err, sizeof err));
    assert_non_null(strstr(err, "nest more than 100 deep"));
    cmdline_list_fini(&l);
    line.data[line.len - 101] = '\0'; /* 100 deep: read */
    buf_fini(&line);
    World *w = tw_chain();
    tw_script(w, 0, 0, "x=ab; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x");
    tw_script(w, 1000000, 0,
              "x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; x=$x$x; "
              "x=$x$x; echo ${#x}"); /* 1 MiB */
    for (int i = 0; i < 17; i++) {
        char one[32];
        snprintf(one, sizeof one, "v%d=$x", i);
        tw_script(w, 2000000 + i, 0, one);
    }
    Sim sim;
    tw_run(&sim, w, 1);
    char *t = tw_console(&sim);
    assert_non_null(strstr(t, "1048576\n"));
    /* x and v0 … v13 hold 15 MiB: v14 would pass 16 MiB */
    assert_non_null(strstr(t, "minet: v14: the shell's variables would pass 16 MiB in all"));
    assert_null(strstr(t, "v13:"));
    free(t);
    tw_done(&sim);
}

static void test_expand_words(void **state)
{
    (void)state;
    expect_expanded("echo $x", "[echo] [a] [b1] [b2]"); /* split, then globbed */
    expect_expanded("echo \"$x\"", "[echo] [ a  b* ]");
    expect_expanded("echo $e \"$e\" ''$e", "[echo] [] []");
    expect_expanded("echo b* .* d/b? */ b\\* 'b'* z*", "[echo] [b1] [b2] [.b] [d/b1] [d/b2] "
                                                       "[d/] [b*] [b1] [b2] [z*]");
    expect_expanded("echo [[]x] [!b]*", "[echo] [[x]] [[x]] [d]");
    expect_expanded("y=~/a:~ echo a=~/b", "{y=/home/s/a:/home/s} [echo] [a=/home/s/b]");
    expect_expanded("y=$x", "{y= a  b* }");
    expect_expanded("cat > $e", "[cat] >$e(ambiguous)");
    expect_expanded("cat > b* 2> ~/err", "[cat] >b*(ambiguous) 2>/home/s/err");
    expect_expanded("echo ${#x} ${u-d e} \"${u:-f  g}\" ${x:+y}", "[echo] [7] [d] [e] [f  g] [y]");
    expect_expanded("echo ${u:?gone}", "[echo] <bash: u: gone>");
    expect_expanded("echo ${x/a/b}",
                    "[echo] <minet: ${x/a/b}: minet's shell offers ${NAME}, "
                    "${#NAME}, ${!NAME}, ${NAME:-word}, ${NAME:=word}, ${NAME:+word} "
                    "and ${NAME:?word} (with or without the colon)>");
    expect_expanded("echo ${}", "[echo] <bash: ${}: bad substitution>");
    expect_expanded("echo $'a\\x41\\'b'", "[echo] [aA'b]");
    expect_expanded("a=1 b=$a+ x+=c", "{a=1} {b=1+} {x= a  b* c}"); /* left to right */
    expect_expanded("echo \"${u:-\"q  r\"\\}}\" [\\!b]* $'\\u00e9'",
                    "[echo] [q  r}] [b1] [b2] [\xc3\xa9]");
}

/* Brace expansion before the others: the leftmost pair that expands
 * first, quotes and ${…} keeping theirs, sequences, and its limits. */
static void test_braces(void **state)
{
    (void)state;
    expect_expanded("echo {a,b}{1,2} x{a,{b,c}}y {x{a,b}} {a}",
                    "[echo] [a1] [a2] [b1] [b2] [xay] [xby] [xcy] [{xa}] [{xb}] [{a}]");
    expect_expanded("echo {b,z}* '{a,b}' ${u:-{a,b}} {1..7..3} {c..a} {08..10} {-1..1}",
                    "[echo] [b1] [b2] [z*] [{a,b}] [{a,b}] [1] [4] [7] [c] [b] [a] [08] "
                    "[09] [10] [-1] [0] [1]");
    expect_expanded("echo {$x,\"$x\"}", "[echo] [a] [b1] [b2] [ a  b* ]");
    expect_expanded("y={a,b} echo y={a,b} > {o,p}",
                    "{y={a,b}} [echo] [y=a] [y=b] >{o,p}(ambiguous)");
    expect_expanded("echo {1..1000000}",
                    "[echo] <minet: a word's braces would give more than 100,000 words or 2 MiB "
                    "(minet's shell makes no more)>");
    Buf line;
    buf_init(&line);
    for (int i = 0; i < 20; i++) /* 2^20 words: max + 1 comes first */
        buf_puts(&line, "{a,b}");
    char **w;
    assert_int_equal(cmdline_braces(line.data, 100000, &w), 100001);
    line.len = 0;
    for (int i = 0; i < 1001; i++) /* 1,001 pairs deep: 2 MiB made on the way */
        buf_puts(&line, "{a}{a,}x");
    assert_int_equal(cmdline_braces(line.data, 1u << 30, &w), (1u << 30) + 1);
    buf_fini(&line);
    assert_int_equal(cmdline_braces("a{b,c}", 100, &w), 2);
    assert_string_equal(w[0], "ab");
    assert_string_equal(w[1], "ac");
    free(w[0]), free(w[1]), free(w);
    assert_int_equal(cmdline_braces("a{b}c\\{d,e}", 100, &w), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_words),
        cmocka_unit_test(test_shell_limits),
        cmocka_unit_test(test_braces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
