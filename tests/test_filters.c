/* The filters of a pipeline (grep, sed, head, tail, sort, uniq, wc, cut,
 * awk) against the real GNU tools and mawk: each case runs the same
 * command line on the same input in minet (the lines typed, then ^D) and
 * in a real bash, and compares stdout, stderr and the exit status byte for
 * byte.  The real tools run in the C.UTF-8 locale (minet's sort compares
 * bytes); awk is Debian 12's mawk, skipped where it is not installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"

typedef struct Result {
    char *out, *err;
    int status;
} Result;

static void result_fini(Result *r)
{
    free(r->out);
    free(r->err);
}

/* minet: the command on a lone host, input typed line by line, then ^D. */
static void run_minet(const char *cmd, const char *input, Result *res)
{
    World *w = world_new();
    tw_node(w, "laptop", ROLE_HOST, "10.0.0.10");
    tw_script(w, 0, 0, cmd);
    ScriptLine *l = &w->script[0];
    for (const char *s = input; *s;) {
        const char *nl = strchr(s, '\n');
        assert_non_null(nl); /* the input ends with a newline */
        l->input = xrealloc(l->input, (l->n_input + 1) * sizeof *l->input);
        l->input[l->n_input++] = (ScriptInput){-1, xstrndup(s, (size_t)(nl - s))};
        s = nl + 1;
    }
    l->input = xrealloc(l->input, (l->n_input + 1) * sizeof *l->input);
    l->input[l->n_input++] = (ScriptInput){-1, xstrdup("^D")};
    Sim sim;
    tw_run(&sim, w, 1);
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    res->status = -1;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_CONSOLE)
            continue;
        if (r->stream == CON_STDOUT)
            buf_puts(&out, r->text);
        else if (r->stream == CON_STDERR)
            buf_puts(&err, r->text);
        else if (r->stream == CON_EXIT)
            res->status = r->status;
    }
    res->out = out.data ? buf_take(&out) : xstrdup("");
    res->err = err.data ? buf_take(&err) : xstrdup("");
    buf_fini(&out);
    buf_fini(&err);
    tw_done(&sim);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    Buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    return b.data ? buf_take(&b) : xstrdup("");
}

static char tmpdir[64];

/* The real tools: cat input | bash CMD (stdin a pipe, as in minet: wc
 * pads its columns for a pipe), awk being mawk. */
static void run_real(const char *cmd, const char *input, Result *res)
{
    char in[128], out[128], err[128], script[128];
    snprintf(in, sizeof in, "%s/in", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(err, sizeof err, "%s/err", tmpdir);
    snprintf(script, sizeof script, "%s/cmd", tmpdir);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    fputs(input, f);
    fclose(f);
    f = fopen(script, "wb");
    assert_non_null(f);
    fprintf(f, "%s\n", cmd);
    fclose(f);
    char *sh = xmalloc(1024);
    snprintf(sh, 1024,
             "cd %s && cat in | PATH=%s/bin:/usr/bin:/bin LC_ALL=C.UTF-8 bash --norc --noprofile "
             "cmd > out 2> err",
             tmpdir, tmpdir);
    int st = system(sh);
    free(sh);
    res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    res->out = slurp(out);
    res->err = slurp(err);
}

static bool have_mawk;
static int failures;

static void check(const char *cmd, const char *input)
{
    if (!have_mawk && strncmp(cmd, "awk", 3) == 0)
        return;
    Result m, r;
    run_minet(cmd, input, &m);
    run_real(cmd, input, &r);
    bool same = !strcmp(m.out, r.out) && !strcmp(m.err, r.err) && m.status == r.status;
    if (!same) {
        fprintf(stderr, "DIFF %s\n--- minet (status %d)\n%s%s--- real (status %d)\n%s%s---\n", cmd,
                m.status, m.out, m.err, r.status, r.out, r.err);
        failures++;
    }
    result_fini(&m);
    result_fini(&r);
}

static const char host_out[] = "huffpost.com has address 108.138.94.40\n"
                               "huffpost.com has address 108.138.94.73\n"
                               "huffpost.com has address 108.138.94.78\n"
                               "huffpost.com has address 108.138.94.30\n"
                               "huffpost.com mail is handled by 10 mx.huffpost.com.\n";

static const char nums[] = "10\n9\n-3\n2.5\nabc\n10\n 7 x\n100\n9\n";

static const char words[] = "b a\nb a\nA b\nc\nc\nb a\n\nc\n";

static const char table[] = "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
                            "bob:x:1001:1001::/home/bob:/bin/sh\n"
                            "no colon here\n"
                            "  lead  blanks\tand tab  \n";

static void test_grep(void **state)
{
    (void)state;
    failures = 0;
    check("grep \"address\"", host_out);
    check("grep -v address", host_out);
    check("grep -c address", host_out);
    check("grep -c nothing", host_out);
    check("grep -i HUFFPOST", host_out);
    check("grep -vi HAS", host_out);
    check("grep -E '\\.(40|73)$'", host_out);
    check("grep '\\.\\(40\\|73\\)$'", host_out);
    check("grep -e 40 -e mail", host_out);
    check("grep -n 7", host_out);
    check("grep -q 7", host_out);
    check("grep -ce 7", host_out);
    check("grep -F '108.138'", host_out);
    check("grep", host_out);
    check("grep -e", host_out);
    check("grep -Q x", host_out);
    check("grep --foo x", host_out);
    check("grep '\\('", host_out);
    check("grep -E '('", host_out);
    check("grep 'a\\{1'", host_out);
    check("grep x nosuchfile", host_out);
    check("grep ''", words);
    assert_int_equal(failures, 0);
}

static void test_sed(void **state)
{
    (void)state;
    failures = 0;
    check("sed -n -e 's/^.*address //p'", host_out);
    check("sed 's/a/X/'", host_out);
    check("sed 's/a/X/g'", host_out);
    check("sed 's/a/X/2'", host_out);
    check("sed -n '2p'", host_out);
    check("sed '2d'", host_out);
    check("sed '2,3d'", host_out);
    check("sed -n '/mail/p'", host_out);
    check("sed '/mail/!d'", host_out);
    check("sed -n '$p'", host_out);
    check("sed 2q", host_out);
    check("sed -n '='", host_out);
    check("sed 's/\\(huff\\)post/[\\1]/'", host_out);
    check("sed -E 's/([0-9]+)$/<\\1>/'", host_out);
    check("sed 's/address/&&/;s/huffpost/HP/'", host_out);
    check("sed -e 's/a/b/' -e 's/b/c/'", host_out);
    check("sed 's|/|_|g'", table);
    check("sed 's/x*/-/g'", "abc\n");
    check("sed 's/b*/-/g'", "abc\n");
    check("sed 's/b*/-/2'", "abcbd\n");
    check("sed 's/b/-/2g'", "abcbdb\n");
    check("sed", host_out);
    check("sed -x", host_out);
    check("sed s/a/b", host_out);
    check("sed s/a/b/gx", host_out);
    check("sed 's/\\(a/b/'", host_out);
    check("sed 's/a/\\1/'", host_out);
    check("sed pp", host_out);
    check("sed k", host_out);
    check("sed /a", host_out);
    check("sed 2,", host_out);
    check("sed p nosuchfile", host_out);
    check("sed -e p -e 's/a'", host_out);
    check("sed -e 's/a/b/' -e k", host_out);
    assert_int_equal(failures, 0);
}

static void test_head_tail(void **state)
{
    (void)state;
    failures = 0;
    check("head -n 2", host_out);
    check("head -2", host_out);
    check("head", nums);
    check("head -n -2", host_out);
    check("head -n 0", host_out);
    check("head -n x", host_out);
    check("head -n", host_out);
    check("head -x", host_out);
    check("head -5x", host_out);
    check("head f", host_out);
    check("tail -n 2", host_out);
    check("tail -2", host_out);
    check("tail -n +2", host_out);
    check("tail", nums);
    check("tail -n x", host_out);
    check("tail -x", host_out);
    check("tail f", host_out);
    assert_int_equal(failures, 0);
}

static void test_sort_uniq_wc(void **state)
{
    (void)state;
    failures = 0;
    check("sort", words);
    check("sort -r", words);
    check("sort -u", words);
    check("sort -n", nums);
    check("sort -nr", nums);
    check("sort -n -u", nums);
    check("sort -rn -u", nums);
    check("sort -x", nums);
    check("sort f", nums);
    check("uniq", words);
    check("uniq -c", words);
    check("sort | uniq -c", words);
    check("uniq -d", words);
    check("uniq -u", words);
    check("uniq -x", words);
    check("uniq a b c", words);
    check("wc", host_out);
    check("wc -l", host_out);
    check("wc -w", host_out);
    check("wc -c", host_out);
    check("wc -l -c", host_out);
    check("wc -lw", table);
    check("wc -x", host_out);
    check("wc a", host_out);
    check("grep address | wc -l", host_out);
    assert_int_equal(failures, 0);
}

static void test_cut_awk(void **state)
{
    (void)state;
    failures = 0;
    check("cut -d : -f 1", table);
    check("cut -d: -f1,3", table);
    check("cut -d : -f 2-4", table);
    check("cut -d : -f 6-", table);
    check("cut -d : -f -2", table);
    check("cut -d : -s -f 1", table);
    check("cut -f 2", table);
    check("cut -d ' ' -f 4", host_out);
    check("cut -c 1-5", host_out);
    check("cut -b 3", host_out);
    check("cut", table);
    check("cut -d", table);
    check("cut -f 0", table);
    check("cut -f x", table);
    check("cut -f 3-2", table);
    check("cut -d ab -f1", table);
    check("cut -x", table);
    check("cut -f1 f", table);
    check("awk '{print $4}'", host_out);
    check("awk '{print $4, $1}'", host_out);
    check("awk '{print $1 $2}'", host_out);
    check("awk '{print}'", table);
    check("awk '{print $0}'", table);
    check("awk '{ print $2 }'", table);
    check("awk -F: '{print $1, $6}'", table);
    check("awk -F : '{print $7}'", table);
    check("awk -F", table);
    check("awk -x", table);
    check("awk '{print $1}' f", table);
    assert_int_equal(failures, 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/minet-filters.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    char bin[128], link[160];
    snprintf(bin, sizeof bin, "%s/bin", tmpdir);
    mkdir(bin, 0700);
    have_mawk = access("/usr/bin/mawk", X_OK) == 0;
    snprintf(link, sizeof link, "%s/awk", bin);
    if (have_mawk && symlink("/usr/bin/mawk", link) != 0)
        have_mawk = false;
    if (!have_mawk)
        fprintf(stderr, "test_filters: no /usr/bin/mawk, the awk cases are skipped\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grep),      cmocka_unit_test(test_sed),
        cmocka_unit_test(test_head_tail), cmocka_unit_test(test_sort_uniq_wc),
        cmocka_unit_test(test_cut_awk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
