/* Reading a command line as bash does (src/apps/cmdline.c): words, quotes,
 * lists, pipelines, redirections, the programs a line names, and the fast
 * reading of plain lines held to the full one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apps/apps.h"
#include "apps/cmdline.h"

/* Splits line and joins the words with '|' ("<err>" if it fails). */
static char *split(const char *line)
{
    Cmdline c;
    char err[128];
    bool ok = cmdline_split(&c, line, err, sizeof err);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < c.argc; i++)
        buf_printf(&b, "%s[%s]", i ? " " : "", c.argv[i]);
    if (!ok)
        buf_printf(&b, " <%s>", err);
    assert_null(c.argv[c.argc]);
    cmdline_fini(&c);
    return buf_take(&b);
}

static void expect_split(const char *line, const char *want)
{
    char *got = split(line);
    assert_string_equal(got ? got : "", want);
    free(got);
}

static void test_cmdline_words(void **state)
{
    (void)state;
    expect_split("", "");
    expect_split("  \t ", "");
    expect_split("host  -t MX\tmontana.edu ", "[host] [-t] [MX] [montana.edu]");
    expect_split("echo \"a b\"", "[echo] [a b]");
    expect_split("echo 'a b'", "[echo] [a b]");
    expect_split("a\"b c\"d", "[ab cd]");
    expect_split("'a'\"b\"c", "[abc]");
    expect_split("\"\" ''", "[] []");
    expect_split("a\\ b", "[a b]");
    expect_split("\\\"x", "[\"x]");
    expect_split("'a\\b'", "[a\\b]");
    expect_split("\"a\\\"b\\\\c\\$d\\xe\"", "[a\"b\\c$d\\xe]");
    expect_split("'it''s'", "[its]");
    expect_split("\"it's\"", "[it's]");
    expect_split("a\\", "[a\\]"); /* bash -c 'echo a\' prints a\ */
    expect_split("a\\\nb", "[ab]");
}

static void test_cmdline_open_quote(void **state)
{
    (void)state;
    /* bash: echo "abc<Enter>^D */
    expect_split("echo \"abc",
                 "[echo] [abc] <bash: unexpected EOF while looking for matching `\"'>");
    expect_split("echo 'abc", "[echo] [abc] <bash: unexpected EOF while looking for matching `''>");
    expect_split("echo \"a'b",
                 "[echo] [a'b] <bash: unexpected EOF while looking for matching `\"'>");
}

/* cmdline_programs: each command's program in the parsed line, and
 * "alone"; "|" when the line does not parse, then bash's message. */
static void collect(void *ctx, Cmdline *c, const char *program, bool alone)
{
    (void)c;
    buf_printf(ctx, "%s%s ", program, alone ? "!" : "");
}

static void expect_programs(const char *line, const char *want)
{
    Buf b;
    buf_init(&b);
    char err[160];
    CmdList l;
    if (cmdline_parse(&l, line, err, sizeof err))
        cmdline_programs(&l, collect, &b);
    else
        buf_printf(&b, "| %s", err);
    cmdline_list_fini(&l);
    assert_string_equal(b.data ? b.data : "", want);
    buf_fini(&b);
}

static void test_cmdline_programs(void **state)
{
    (void)state;
    expect_programs("", "");
    expect_programs("down 'r1' r2", "down! ");
    expect_programs("down r1 &", "down ");
    expect_programs("host -t A x | grep a; \"s\"ed p && IPCONFIG/all &",
                    "host grep sed IPCONFIG/all ");
    expect_programs("host x |", "| bash: syntax error: unexpected end of file");
    expect_programs("host x ;; y", "| bash: syntax error near unexpected token `;;'");
    expect_programs("host 'x", "| bash: unexpected EOF while looking for matching `''");
}

/* A line of plain words is read without scan (cmdline.c's parse_plain):
 * its list must be the one the full reading gives.  A comment at the end
 * sends the same line through the full reading with nothing added; each
 * line is compared with it, words, layout of the empty parts and all.
 * Lines of random bytes from a small alphabet (blanks, word bytes and a few
 * that are not plain) test both ways in.  */
static void expect_plain_same(const char *line)
{
    char err[160], full_line[256];
    snprintf(full_line, sizeof full_line, "%s #", line);
    CmdList a, b;
    bool ok_a = cmdline_parse(&a, line, err, sizeof err);
    assert_true(cmdline_parse(&b, full_line, err, sizeof err) == ok_a);
    if (ok_a) {
        assert_int_equal(a.n, b.n);
        for (size_t i = 0; i < a.n; i++) {
            assert_int_equal(a.p[i].n, b.p[i].n);
            assert_int_equal(a.p[i].op, b.p[i].op);
            assert_true((a.p[i].text == NULL) == (b.p[i].text == NULL));
            for (size_t j = 0; j < a.p[i].n; j++) {
                const Cmdline *x = &a.p[i].cmds[j], *y = &b.p[i].cmds[j];
                assert_int_equal(x->argc, y->argc);
                for (size_t k = 0; k < x->argc; k++)
                    assert_string_equal(x->argv[k], y->argv[k]);
                assert_null(x->argv[x->argc]);
                assert_int_equal(x->nredir, y->nredir);
                assert_int_equal(x->nassign, y->nassign);
                assert_true((x->raw == NULL) == (y->raw == NULL));
                assert_null(x->error);
                assert_null(x->mem);
                assert_non_null(x->redir);
                assert_non_null(x->assign);
                assert_non_null(x->assign_raw);
            }
        }
    }
    cmdline_list_fini(&a);
    cmdline_list_fini(&b);
}

static void test_cmdline_plain_lines(void **state)
{
    (void)state;
    expect_plain_same("");
    expect_plain_same("   \t ");
    expect_plain_same("host -t A h7.d488.com");
    expect_plain_same("  host\t\twww.example.com  ");
    expect_plain_same("IPCONFIG/all");
    expect_plain_same("ping -c 3 10.0.0.1\n");
    expect_plain_same("dig +short @10.0.0.1 x.y. MX");
    expect_plain_same("curl -d a=b http://x/");
    expect_plain_same("echo a#b");
    expect_plain_same("echo caf\xc3\xa9 (x) }");
    static const char alphabet[] = "ab.- \t=#'$|";
    uint64_t x = 88172645463325252u;
    for (int round = 0; round < 20000; round++) {
        char line[24];
        size_t len = (size_t)(round % 20);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            line[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        line[len] = '\0';
        expect_plain_same(line);
    }
    /* Every byte, alone and inside words: parse_plain's table of what is
     * plain must agree with the full reading's special bytes.  A backslash
     * is not tried last, where it would quote the blank before the '#'. */
    for (int c = 1; c < 256; c++) {
        char line[32];
        snprintf(line, sizeof line, "a%ca b", c);
        expect_plain_same(line);
        snprintf(line, sizeof line, "echo %ca%c c%c", c, c, c == '\\' ? 'd' : c);
        expect_plain_same(line);
        snprintf(line, sizeof line, "%chost x", c);
        expect_plain_same(line);
    }
}

/* A parsed list: words as bash reads them, a background pipeline's text
 * as typed (the others have none), the words as typed only where there is
 * something to expand, and a command cmd.exe renames keeps the others'
 * words. */
static void test_cmdline_list(void **state)
{
    (void)state;
    CmdList l;
    char err[160];
    assert_true(cmdline_parse(&l, "IPCONFIG/all  'a b'|grep \"x\"y & host z", err, sizeof err));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.p[0].n, 2);
    assert_int_equal(l.p[0].op, CMD_BG);
    assert_string_equal(l.p[0].text, "IPCONFIG/all 'a b' | grep \"x\"y");
    assert_null(l.p[1].text);
    assert_null(l.p[0].cmds[0].raw); /* nothing to expand: the words as they are */
    assert_null(l.p[1].cmds[0].raw);
    apps_cmd_exe_split(&l.p[0].cmds[0]);
    const Cmdline *c = &l.p[0].cmds[0];
    assert_int_equal(c->argc, 3);
    assert_string_equal(c->argv[0], "ipconfig");
    assert_string_equal(c->argv[1], "/all");
    assert_string_equal(c->argv[2], "a b");
    assert_null(c->argv[3]);
    assert_string_equal(l.p[0].cmds[1].argv[1], "xy");
    assert_null(l.p[1].cmds[0].argv[2]);
    cmdline_list_fini(&l);
    assert_true(cmdline_parse(&l, "echo 'a' ~/b \"$x\" c*", err, sizeof err));
    const char *const *raw = l.p[0].cmds[0].raw;
    assert_non_null(raw);
    assert_null(raw[0]);
    assert_null(raw[1]);
    assert_string_equal(raw[2], "~/b");
    assert_string_equal(raw[3], "\"$x\"");
    assert_string_equal(raw[4], "c*");
    cmdline_list_fini(&l);
    assert_false(cmdline_parse(&l, "a && || b", err, sizeof err));
    assert_string_equal(err, "bash: syntax error near unexpected token `||'");
    assert_int_equal(l.n, 0);
    cmdline_list_fini(&l);
}

/* Redirections as bash's tokenizer reads them: out of the words, with the
 * descriptor typed right before them, in the order typed; a quoted '>'
 * or a descriptor set apart by a blank is a word; the job's text as bash
 * shows it (words first, then "2> f", "2>&1"); a redirection without its
 * word is bash's syntax error. */
static void test_cmdline_redirections(void **state)
{
    (void)state;
    CmdList l;
    char err[160];
    assert_true(cmdline_parse(&l, "> log head n.txt>out 2>&1 | wc -l <x &", err, sizeof err));
    assert_int_equal(l.n, 1);
    assert_int_equal(l.p[0].n, 2);
    const Cmdline *c = &l.p[0].cmds[0];
    assert_int_equal(c->argc, 2);
    assert_string_equal(c->argv[0], "head");
    assert_string_equal(c->argv[1], "n.txt");
    assert_null(c->argv[2]);
    assert_int_equal(c->nredir, 3);
    assert_string_equal(c->redir[0].op, ">");
    assert_int_equal(c->redir[0].fd, -1);
    assert_string_equal(c->redir[0].word, "log");
    assert_string_equal(c->redir[1].word, "out");
    assert_string_equal(c->redir[2].op, ">&");
    assert_int_equal(c->redir[2].fd, 2);
    assert_string_equal(c->redir[2].word, "1");
    c = &l.p[0].cmds[1];
    assert_int_equal(c->argc, 2);
    assert_int_equal(c->nredir, 1);
    assert_string_equal(c->redir[0].op, "<");
    assert_string_equal(c->redir[0].word, "x");
    assert_string_equal(l.p[0].text, "head n.txt > log > out 2>&1 | wc -l < x");
    cmdline_list_fini(&l);

    assert_true(cmdline_parse(&l, "grep '>' a 2 >b '2'>c &>> d", err, sizeof err));
    c = &l.p[0].cmds[0];
    assert_int_equal(c->argc, 5);
    assert_string_equal(c->argv[1], ">");
    assert_string_equal(c->argv[3], "2");
    assert_string_equal(c->argv[4], "2");
    assert_int_equal(c->nredir, 3);
    assert_int_equal(c->redir[0].fd, -1);
    assert_int_equal(c->redir[1].fd, -1);
    assert_string_equal(c->redir[2].op, "&>>");
    cmdline_list_fini(&l);

    /* the 1 that 2>& names is its word, not the descriptor of the > after */
    assert_true(cmdline_parse(&l, "echo a 2>&1>f8", err, sizeof err));
    c = &l.p[0].cmds[0];
    assert_int_equal(c->argc, 2);
    assert_int_equal(c->nredir, 2);
    assert_string_equal(c->redir[0].word, "1");
    assert_int_equal(c->redir[1].fd, -1);
    assert_string_equal(c->redir[1].word, "f8");
    cmdline_list_fini(&l);

    /* |& is 2>&1 | , after the command's own redirections */
    assert_true(cmdline_parse(&l, "head x 2> e |& wc -l &", err, sizeof err));
    assert_int_equal(l.p[0].n, 2);
    c = &l.p[0].cmds[0];
    assert_int_equal(c->nredir, 2);
    assert_string_equal(c->redir[1].op, ">&");
    assert_int_equal(c->redir[1].fd, 2);
    assert_string_equal(c->redir[1].word, "1");
    assert_string_equal(l.p[0].text, "head x 2> e |& wc -l");
    cmdline_list_fini(&l);

    assert_true(cmdline_parse(&l, "> empty", err, sizeof err));
    assert_int_equal(l.p[0].cmds[0].argc, 0);
    assert_int_equal(l.p[0].cmds[0].nredir, 1);
    cmdline_list_fini(&l);
    assert_false(cmdline_parse(&l, "head n.txt >", err, sizeof err));
    assert_string_equal(err, "bash: syntax error near unexpected token `newline'");
    cmdline_list_fini(&l);
    assert_false(cmdline_parse(&l, "head n.txt 2> | wc", err, sizeof err));
    assert_string_equal(err, "bash: syntax error near unexpected token `|'");
    cmdline_list_fini(&l);
    expect_programs("> log head x 2>&1 | > f; wc", "head  wc ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmdline_words),       cmocka_unit_test(test_cmdline_open_quote),
        cmocka_unit_test(test_cmdline_programs),    cmocka_unit_test(test_cmdline_list),
        cmocka_unit_test(test_cmdline_plain_lines), cmocka_unit_test(test_cmdline_redirections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
