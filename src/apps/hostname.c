/* hostname and whoami — Debian 12's (net-tools 2.10 hostname, coreutils
 * 9.1 whoami): the node's name and the user at its keyboard.
 *
 * hostname: the node's id; -s the part before its first dot; -f the whole
 * name (the hosts table, as Debian's /etc/hosts, lists the node under it);
 * -i and -I its addresses (-I each followed by a blank, as net-tools).
 * Setting the name needs root, which the user is not; the other options
 * (-a -A -d -y -F -b) say that minet's hostname does not support them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"
#include "net/world.h"

void hostname_main(Proc *p, int argc, char **argv)
{
    const Node *n = &p->sim->world->nodes[p->node];
    char mode = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            proc_printf(p, CON_STDERR, "hostname: you must be root to change the host name\n");
            proc_exit(p, 1);
            return;
        }
        static const char *const longs[][2] = {{"--short", "s"},
                                               {"--fqdn", "f"},
                                               {"--long", "f"},
                                               {"--ip-address", "i"},
                                               {"--all-ip-addresses", "I"}};
        const char *o = a + 1;
        for (size_t k = 0; k < MN_ARRAY_LEN(longs); k++)
            if (!strcmp(a, longs[k][0]))
                o = longs[k][1];
        for (; *o; o++) {
            if (strchr("sfiI", *o)) {
                mode = *o;
            } else if (strchr("aAdyFb", *o)) {
                proc_printf(p, CON_STDERR,
                            "hostname: minet's hostname does not support -%c (it supports -s, "
                            "-f, -i and -I)\n",
                            *o);
                proc_exit(p, 1);
                return;
            } else {
                proc_printf(p, CON_STDERR, "hostname: invalid option -- '%c'\n", *o);
                proc_printf(p, CON_STDERR,
                            "Usage: hostname [-b] {hostname|-F file}         set host name "
                            "(from file)\n"
                            "       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted "
                            "name\n"
                            "       hostname                                 display host "
                            "name\n");
                proc_exit(p, 255);
                return;
            }
        }
    }
    Buf b;
    buf_init(&b);
    if (mode == 'i' || mode == 'I') {
        for (size_t i = 0; i < n->n_ips && (mode == 'I' || i == 0); i++) {
            char ip[16];
            ip_format(n->ips[i], ip);
            buf_printf(&b, mode == 'I' ? "%s " : "%s", ip);
        }
    } else if (mode == 's') {
        buf_put(&b, n->id, strcspn(n->id, "."));
    } else {
        buf_puts(&b, n->id);
    }
    buf_putc(&b, '\n');
    proc_write(p, CON_STDOUT, b.data, b.len);
    buf_fini(&b);
    proc_exit(p, 0);
}

void whoami_main(Proc *p, int argc, char **argv)
{
    int first = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;
    if (argc > first) {
        const char *a = argv[first];
        if (first == 1 && a[0] == '-' && a[1]) {
            proc_printf(p, CON_STDERR, "whoami: invalid option -- '%c'\n", a[1]);
        } else {
            char *q = filt_locale_quoted(a, strlen(a));
            proc_printf(p, CON_STDERR, "whoami: extra operand %s\n", q);
            free(q);
        }
        proc_printf(p, CON_STDERR, "Try 'whoami --help' for more information.\n");
        proc_exit(p, 1);
        return;
    }
    proc_printf(p, CON_STDOUT, "%s\n", vfs_user(p->sim->world, p->node));
    proc_exit(p, 0);
}
