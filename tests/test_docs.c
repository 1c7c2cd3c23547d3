/* The reference documentation lists what exists: every program of the
 * programs table (apps_names) is in the man page's SCRIPT COMMANDS and in
 * docs/scenario-format.md, and every long option that src/main.c accepts
 * is in the man page.  Run from the repository's top folder. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apps/apps.h"
#include "core/util.h"

static char *slurp(const char *path)
{
    Buf b;
    buf_init(&b);
    bool opened;
    if (file_read(path, 1u << 22, &b, &opened) != 0)
        fail_msg("cannot read %s (run the tests from the repository's top folder)", path);
    buf_putc(&b, '\0');
    return buf_take(&b);
}

/* The man page as read: "\-" is "-", "\fB" and the like are gone. */
static char *man_text(const char *src)
{
    char *out = xmalloc(strlen(src) + 1), *o = out;
    for (const char *p = src; *p; p++) {
        if (p[0] == '\\' && p[1] == '-') {
            *o++ = '-';
            p++;
        } else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Is word in text, not as part of a longer word or option? */
static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        char before = p == text ? ' ' : p[-1], after = p[n];
        bool in_word_before = isalnum((unsigned char)before) || before == '-' || before == '_';
        bool in_word_after = isalnum((unsigned char)after) || after == '-' || after == '_';
        if (!in_word_before && !in_word_after)
            return true;
    }
    return false;
}

static void test_programs_documented(void **state)
{
    (void)state;
    char *man_src = slurp("docs/minet.1");
    char *man = man_text(man_src);
    char *fmt = slurp("docs/scenario-format.md");
    const char *commands = strstr(man, ".SH SCRIPT COMMANDS");
    assert_non_null(commands);
    size_t n;
    const char *const *names = apps_names(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        char entry[64], listed[64];
        /* ".BR ping " or ".B ping" at the start of a line of the section */
        snprintf(entry, sizeof entry, "\n.BR %s", names[i]);
        bool in_man = false;
        for (const char *p = strstr(commands, entry); p && !in_man; p = strstr(p + 1, entry))
            in_man = p[strlen(entry)] == ' ' || p[strlen(entry)] == '\n';
        snprintf(entry, sizeof entry, "\n.B %s", names[i]);
        for (const char *p = strstr(commands, entry); p && !in_man; p = strstr(p + 1, entry))
            in_man = p[strlen(entry)] == ' ' || p[strlen(entry)] == '\n';
        if (!in_man)
            fail_msg("docs/minet.1: SCRIPT COMMANDS does not describe the program %s", names[i]);
        snprintf(listed, sizeof listed, "`%s`", names[i]);
        if (!strstr(fmt, listed))
            fail_msg("docs/scenario-format.md does not list the program %s (as `%s`)", names[i],
                     names[i]);
    }
    free(man_src);
    free(man);
    free(fmt);
}

static void test_options_documented(void **state)
{
    (void)state;
    char *main_src = slurp("src/main.c");
    char *man_src = slurp("docs/minet.1");
    char *man = man_text(man_src);
    size_t found = 0;
    /* Every "--option" string literal of main.c is an option it accepts. */
    for (const char *p = strstr(main_src, "\"--"); p; p = strstr(p + 1, "\"--")) {
        const char *q = p + 3;
        while (islower((unsigned char)*q) || *q == '-')
            q++;
        if (*q != '"' || q == p + 3)
            continue;
        char opt[64];
        snprintf(opt, sizeof opt, "%.*s", (int)(q - p - 1), p + 1);
        found++;
        if (!has_word(man, opt))
            fail_msg("docs/minet.1 does not document the option %s that src/main.c accepts", opt);
    }
    assert_true(found >= 20);
    free(main_src);
    free(man_src);
    free(man);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_programs_documented),
        cmocka_unit_test(test_options_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
