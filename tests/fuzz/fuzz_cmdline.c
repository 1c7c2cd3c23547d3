/* libFuzzer target for the shell's parser (apps/cmdline.h): any text as a
 * line a student types.  cmdline_parse and cmdline_split may not crash or
 * read past the line; a parsed list has pipelines of at least one command
 * of at least one word or redirection each (a redirection with its
 * operator and word), and the job text of each; a failed one has bash's
 * message.  abort() otherwise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
            if (p->n == 0 || !p->text)
                abort();
            for (size_t j = 0; j < p->n; j++) {
                const Cmdline *c = &p->cmds[j];
                if ((c->argc == 0 && c->nredir == 0) || c->argv[c->argc] != NULL)
                    abort();
                for (size_t k = 0; k < c->nredir; k++)
                    if (!c->redir[k].op || !c->redir[k].word || c->redir[k].fd < -1)
                        abort();
            }
            if (i + 1 < l.n && p->op == CMD_END)
                abort();
        }
    } else if (strncmp(err, "bash: ", 6) != 0)
        abort();
    cmdline_list_fini(&l);
    Cmdline c;
    cmdline_split(&c, line, err, sizeof err);
    cmdline_fini(&c);
    /* $? expanded: each at most one byte longer */
    char *x = cmdline_expand_status(line, 127);
    if (x && 2 * strlen(x) > 3 * strlen(line)) /* "$?" (2 bytes) becomes "127" (3) */
        abort();
    free(x);
    free(line);
    return 0;
}
