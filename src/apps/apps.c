/* The programs table: one row per program, {name, main, input}.  The names
 * list for messages comes from the same rows (an X-macro), so a program is
 * added in exactly one place. */
#include "apps.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

/* clang-format off */
#define APPS_TABLE(X)                                   \
    X("ping",       ping_main,       ping_input)        \
    X("traceroute", traceroute_main, NULL)              \
    X("dig",        dig_main,        NULL)              \
    X("host",       host_main,       NULL)              \
    X("ipconfig",   ipconfig_main,   NULL)              \
    X("nslookup",   nslookup_main,   nslookup_input)    \
    X("telnet",     telnet_main,     telnet_input)      \
    X("nc",         nc_main,         nc_input)          \
    X("swaks",      swaks_main,      swaks_input)       \
    X("curl",       curl_main,       NULL)              \
    X("mail",       mail_main,       mail_input)        \
    X("ftp",        ftp_main,        ftp_input)         \
    X("ss",         ss_main,         NULL)              \
    X("netstat",    netstat_main,    NULL)              \
    X("unbound-control", unbound_control_main, NULL) \
    X("mailq",      mailq_main,      NULL)              \
    X("postqueue",  postqueue_main,  NULL)              \
    X("grep",       grep_main,       NULL)              \
    X("sed",        sed_main,        NULL)              \
    X("head",       head_main,       NULL)              \
    X("tail",       tail_main,       NULL)              \
    X("sort",       sort_main,       NULL)              \
    X("uniq",       uniq_main,       NULL)              \
    X("wc",         wc_main,         NULL)              \
    X("cut",        cut_main,        NULL)              \
    X("awk",        awk_main,        NULL)              \
    X("cat",        cat_main,        NULL)              \
    X("echo",       echo_main,       NULL)              \
    X("ls",         ls_main,         NULL)              \
    X("mkdir",      mkdir_main,      NULL)              \
    X("rmdir",      rmdir_main,      NULL)              \
    X("rm",         rm_main,         rm_input)          \
    X("mv",         mv_main,         NULL)              \
    X("export",     export_main,     NULL)              \
    X("unset",      unset_main,      NULL)              \
    X("printenv",   printenv_main,   NULL)              \
    X("cd",         cd_main,         NULL)              \
    X("pwd",        pwd_main,        NULL)              \
    X("hostname",   hostname_main,   NULL)              \
    X("whoami",     whoami_main,     NULL)
/* clang-format on */

#define APP_ROW(name, main, input)  {name, main, input},
#define APP_NAME(name, main, input) name,

static const AppProgram programs[] = {APPS_TABLE(APP_ROW)};
static const char *const names[] = {APPS_TABLE(APP_NAME)};

const AppProgram *apps_find(const char *name)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(programs); i++)
        if (programs[i].name[0] == name[0] && strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return NULL;
}

const char *const *apps_names(size_t *n)
{
    *n = MN_ARRAY_LEN(names);
    return names;
}

/* The programs that come from Windows, run as cmd.exe runs them. */
static const char *const from_windows[] = {"ipconfig"};

/* The program from Windows that word names as cmd.exe reads it, or NULL. */
static const char *windows_program(const char *word)
{
    size_t name_len = strcspn(word, "/");
    for (size_t i = 0; i < MN_ARRAY_LEN(from_windows); i++) {
        const char *w = from_windows[i];
        if (strlen(w) == name_len && strncasecmp(word, w, name_len) == 0)
            return w;
    }
    return NULL;
}

const AppProgram *apps_cmd_exe_find(const char *word)
{
    const AppProgram *app = apps_find(word);
    const char *w = app ? NULL : windows_program(word);
    return w ? apps_find(w) : app;
}

const AppProgram *apps_cmd_exe_split(Cmdline *c)
{
    if (!c->argc)
        return NULL;
    const char *word = c->argv[0];
    const AppProgram *app = apps_cmd_exe_find(word);
    if (!app || strcmp(app->name, word) == 0)
        return app;
    /* "IPCONFIG/displaydns": the name, then the switch as a word of its
     * own (cmd.exe's name ends where a '/' starts). */
    size_t name_len = strlen(app->name);
    const char **words = xmalloc((c->argc + 1) * sizeof *words);
    size_t n = 0;
    words[n++] = app->name;
    if (word[name_len])
        words[n++] = word + name_len;
    for (size_t k = 1; k < c->argc; k++)
        words[n++] = c->argv[k];
    cmdline_set_words(c, words, n);
    free(words);
    return app;
}
