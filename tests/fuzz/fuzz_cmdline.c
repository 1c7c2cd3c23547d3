/* libFuzzer target for the shell's parser (apps/cmdline.h): any text as a
 * line a student types.  cmdline_parse and cmdline_split may not crash or
 * read past the line; a parsed list has pipelines of at least one command
 * of at least one word or redirection each (a redirection with its
 * operator and word), and the job text of each one in the background; a
 * failed one has bash's message.  Each command is then expanded
 * (cmdline_expand) against a few variables and a folder of three entries:
 * its words stay well formed.  abort() otherwise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cmdline.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *get(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    static const char *const vars[][2] = {
        {"HOME", "/home/s"}, {"x", "a  b*"}, {"y", ""}, {"?", "127"}};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (strlen(vars[i][0]) == len && !memcmp(vars[i][0], name, len))
            return vars[i][1];
    return NULL;
}

static void set(void *ctx, const char *name, size_t len, const char *value)
{
    (void)ctx, (void)name, (void)len, (void)value;
}

static const char *home_of(void *ctx, const char *user)
{
    (void)ctx;
    return *user ? NULL : "/home/s";
}

static bool list(void *ctx, const char *dir, CmdDirent **out, size_t *n)
{
    (void)ctx, (void)dir;
    static const char *const names[] = {"a", ".h", "d"};
    *out = xcalloc(3, sizeof **out);
    for (size_t i = 0; i < 3; i++)
        (*out)[i] = (CmdDirent){xstrdup(names[i]), i == 2};
    *n = 3;
    return true;
}

static bool exists(void *ctx, const char *path)
{
    (void)ctx;
    return strlen(path) < 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    char err[160] = "";
    CmdList l;
    if (cmdline_parse(&l, line, err, sizeof err)) {
        for (size_t i = 0; i < l.n; i++) {
            const CmdPipeline *p = &l.p[i];
            if (p->n == 0 || (p->op == CMD_BG) != (p->text != NULL))
                abort();
            for (size_t j = 0; j < p->n; j++) {
                const Cmdline *c = &p->cmds[j];
                if ((c->argc == 0 && c->nredir == 0 && c->nassign == 0) || c->argv[c->argc] != NULL)
                    abort();
                for (size_t k = 0; k < c->nredir; k++)
                    if (!c->redir[k].op || !c->redir[k].word || c->redir[k].fd < -1)
                        abort();
            }
            if (i + 1 < l.n && p->op == CMD_END)
                abort();
        }
        CmdEnv env = {NULL, get, set, home_of, list, exists};
        for (size_t i = 0; i < l.n; i++)
            for (size_t j = 0; j < l.p[i].n; j++) {
                Cmdline *c = &l.p[i].cmds[j];
                cmdline_expand(c, &env);
                if (c->argv[c->argc] != NULL)
                    abort();
                for (size_t k = 0; k < c->argc; k++)
                    if (!c->argv[k])
                        abort();
                for (size_t k = 0; k < c->nredir; k++)
                    if (!c->redir[k].word)
                        abort();
                for (size_t k = 0; k < c->nassign; k++)
                    if (!strchr(c->assign[k], '='))
                        abort();
            }
    } else if (strncmp(err, "bash: ", 6) != 0)
        abort();
    cmdline_list_fini(&l);
    Cmdline c;
    cmdline_split(&c, line, err, sizeof err);
    cmdline_fini(&c);
    free(line);
    return 0;
}
