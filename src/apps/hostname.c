/* hostname and whoami — Debian 12's (hostname 3.23, coreutils 9.1
 * whoami): the node's name and the user at its keyboard.
 *
 * hostname: the node's id; -s the part before its first dot, -d the part
 * after it; -f the whole name (the hosts table, as Debian's /etc/hosts,
 * lists the node under it); -i and -I its addresses (-I each followed by a
 * blank, as Debian's); -y the NIS domain, which no node has.  Options are
 * read as its getopt_long reads them (--sh is --short), with its messages;
 * a mistake prints its usage on standard output, status 255, as Debian's
 * does.  Setting the name needs root, which the user is not; -a, -A, -F
 * and -b say that minet's hostname does not support them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"
#include "net/world.h"

static const char HOSTNAME_USAGE[] =
    "Usage: hostname [-b] {hostname|-F file}         set host name (from file)\n"
    "       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name\n"
    "       hostname                                 display host name\n"
    "\n"
    "       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)\n"
    "       {yp,nis,}domainname                      display NIS domain name\n"
    "\n"
    "       dnsdomainname                            display dns domain name\n"
    "\n"
    "       hostname -V|--version|-h|--help          print info and exit\n"
    "\n"
    "Program name:\n"
    "       {yp,nis,}domainname=hostname -y\n"
    "       dnsdomainname=hostname -d\n"
    "\n"
    "Program options:\n"
    "    -a, --alias            alias names\n"
    "    -A, --all-fqdns        all long host names (FQDNs)\n"
    "    -b, --boot             set default hostname if none available\n"
    "    -d, --domain           DNS domain name\n"
    "    -f, --fqdn, --long     long host name (FQDN)\n"
    "    -F, --file             read host name or NIS domain name from given file\n"
    "    -i, --ip-address       addresses for the host name\n"
    "    -I, --all-ip-addresses all addresses for the host\n"
    "    -s, --short            short host name\n"
    "    -y, --yp, --nis        NIS/YP domain name\n"
    "\n"
    "Description:\n"
    "   This command can get or set the host name or the NIS domain name. You can\n"
    "   also get the DNS domain or the FQDN (fully qualified domain name).\n"
    "   Unless you are using bind or NIS for host lookups you can change the\n"
    "   FQDN (Fully Qualified Domain Name) and the DNS domain name (which is\n"
    "   part of the FQDN) in the /etc/hosts file.\n";

/* Prints the usage, as -h and every mistake do, and ends with 255. */
static void hostname_usage(Proc *p, FiltOpts *o)
{
    proc_write(p, CON_STDOUT, HOSTNAME_USAGE, sizeof HOSTNAME_USAGE - 1);
    filt_opts_fini(o);
    proc_exit(p, 255);
}

void hostname_main(Proc *p, int argc, char **argv)
{
    const Node *n = &p->sim->world->nodes[p->node];
    /* in hostname 3.23's order, which getopt's "ambiguous" message follows */
    static const FiltLong longs[] = {
        {"domain", 'd'}, {"boot", 'b'},       {"file", 'F'},
        {"fqdn", 'f'},   {"all-fqdns", 'A'},  {"help", 'h'},
        {"long", 'f'},   {"short", 's'},      {"version", 'V'},
        {"alias", 'a'},  {"ip-address", 'i'}, {"all-ip-addresses", 'I'},
        {"nis", 'y'},    {"yp", 'y'},         {NULL, 0}};
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    filt_opts_tool(&o, longs, "aAbF", "-s, -d, -f, -i, -I and -y");
    char mode = 0;
    int c;
    while ((c = filt_opt(&o, "dfh?iIsVy")) != -1) {
        if (c == 'V') {
            proc_printf(p, CON_STDOUT, "hostname 3.23\n");
            filt_opts_fini(&o);
            proc_exit(p, 0);
            return;
        }
        if (c == 'h' || (c == '?' && !o.bad && !o.bad_long && !o.long_noarg)) {
            hostname_usage(p, &o); /* -h, -? */
            return;
        }
        if (filt_opt_lacking(&o, c)) {
            filt_opt_error(p, &o, "hostname", c);
            filt_opts_fini(&o);
            proc_exit(p, 1);
            return;
        }
        if (c == '?' || c == ':') {
            filt_opt_error(p, &o, "hostname", c);
            hostname_usage(p, &o);
            return;
        }
        mode = (char)c;
    }
    if (o.n_operands) {
        proc_printf(p, CON_STDERR, "hostname: you must be root to change the host name\n");
        filt_opts_fini(&o);
        proc_exit(p, 1);
        return;
    }
    filt_opts_fini(&o);
    if (mode == 'y') {
        proc_printf(p, CON_STDOUT, "hostname: Local domain name not set\n");
        proc_exit(p, 1);
        return;
    }
    Buf b;
    buf_init(&b);
    const char *dot = strchr(n->id, '.');
    if (mode == 'i' || mode == 'I') {
        for (size_t i = 0; i < n->n_ips && (mode == 'I' || i == 0); i++) {
            char ip[16];
            ip_format(n->ips[i], ip);
            buf_printf(&b, mode == 'I' ? "%s " : "%s", ip);
        }
    } else if (mode == 's') {
        buf_put(&b, n->id, strcspn(n->id, "."));
    } else if (mode == 'd') {
        buf_puts(&b, dot ? dot + 1 : "");
    } else {
        buf_puts(&b, n->id);
    }
    buf_putc(&b, '\n');
    proc_write(p, CON_STDOUT, b.data, b.len);
    buf_fini(&b);
    proc_exit(p, 0);
}

/* whoami takes only GNU's --help and --version (or a beginning of them);
 * they have no short letters, so they stand for two that cannot be typed. */
#define WHOAMI_HELP    '\001'
#define WHOAMI_VERSION '\002'

void whoami_main(Proc *p, int argc, char **argv)
{
    static const FiltLong longs[] = {{"help", WHOAMI_HELP}, {"version", WHOAMI_VERSION}, {NULL, 0}};
    FiltOpts o;
    filt_opts_init(&o, argc, argv);
    filt_opts_tool(&o, longs, NULL, NULL);
    int c = filt_opt(&o, "\001\002");
    if (c == WHOAMI_HELP || c == WHOAMI_VERSION) {
        proc_printf(p, CON_STDOUT, "%s",
                    c == WHOAMI_HELP
                        ? "Usage: whoami [OPTION]...\n"
                          "Print the user name associated with the current effective user ID.\n"
                          "Same as id -un.\n"
                          "\n"
                          "      --help        display this help and exit\n"
                          "      --version     output version information and exit\n"
                          "\n"
                          "GNU coreutils online help: <https://www.gnu.org/software/coreutils/>\n"
                          "Report any translation bugs to <https://translationproject.org/team/>\n"
                          "Full documentation <https://www.gnu.org/software/coreutils/whoami>\n"
                          "or available locally via: info '(coreutils) whoami invocation'\n"
                        : "whoami (GNU coreutils) 9.1\n"
                          "Copyright (C) 2022 Free Software Foundation, Inc.\n"
                          "License GPLv3+: GNU GPL version 3 or later "
                          "<https://gnu.org/licenses/gpl.html>.\n"
                          "This is free software: you are free to change and redistribute it.\n"
                          "There is NO WARRANTY, to the extent permitted by law.\n"
                          "\n"
                          "Written by Richard Mlynarik.\n");
        filt_opts_fini(&o);
        proc_exit(p, 0);
        return;
    }
    if (c == -1 && o.n_operands) {
        char *q = filt_locale_quoted(o.operands[0], strlen(o.operands[0]));
        proc_printf(p, CON_STDERR, "whoami: extra operand %s\n", q);
        free(q);
    } else if (c != -1) {
        filt_opt_error(p, &o, "whoami", c);
    }
    if (c != -1 || o.n_operands) {
        filt_usage_fail(p, &o, "Try '%s --help' for more information.\n", "whoami");
        return;
    }
    filt_opts_fini(&o);
    proc_printf(p, CON_STDOUT, "%s\n", vfs_user(p->sim->world, p->node));
    proc_exit(p, 0);
}
