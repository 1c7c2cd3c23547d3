/* shell_fault — an instructor's fault line ("down NODE", "up A B"): the
 * node or the link it names (shell.h), read as the shell reads a line. */
#include "shell.h"

#include <stdio.h>
#include <string.h>

#include "apps/cmdline.h"

static int find_link(const World *w, int a, int b)
{
    for (size_t i = 0; i < w->n_links; i++) {
        const Link *l = &w->links[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return (int)i;
    }
    return -1;
}

bool shell_fault_parse(const World *w, const char *line, ShellFault *out, char *why, size_t size)
{
    Cmdline c;
    char err[128];
    bool split = cmdline_split(&c, line, err, sizeof err);
    char **argv = c.argv;
    size_t argc = c.argc;
    bool ok = false;
    out->up = argc > 0 && strcmp(argv[0], "up") == 0;
    out->node = out->link = -1;
    if (!split) {
        snprintf(why, size, "%s", err);
        goto out;
    }
    if (argc < 2 || argc > 3) {
        snprintf(why, size,
                 "\"%s\" needs one node or the two ends of a link (expected \"%s NODE\" "
                 "or \"%s NODE NODE\")",
                 argc ? argv[0] : "down", argc ? argv[0] : "down", argc ? argv[0] : "down");
        goto out;
    }
    int ends[2] = {-1, -1};
    for (size_t i = 1; i < argc; i++) {
        ends[i - 1] = world_find_node(w, argv[i]);
        if (ends[i - 1] < 0) {
            snprintf(why, size, "no node is called \"%s\" (expected a node id)", argv[i]);
            goto out;
        }
    }
    if (argc == 2) {
        out->node = ends[0];
        ok = true;
        goto out;
    }
    out->link = find_link(w, ends[0], ends[1]);
    if (out->link < 0) {
        snprintf(why, size, "no link joins \"%s\" and \"%s\" (expected the two ends of a link)",
                 argv[1], argv[2]);
        goto out;
    }
    ok = true;
out:
    cmdline_fini(&c);
    return ok;
}
