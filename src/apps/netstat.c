/* netstat — Debian 12's netstat (net-tools 2.10) for TCP and UDP:
 * `netstat -t`, `netstat -u` with -a (servers and established), -l (only
 * servers), -n (numbers), -p (PID/Program name, as a user other than root
 * sees it: "-" for every socket, and net-tools' note first).
 *
 * Without -a or -l every connection shows but the listeners, TIME_WAIT
 * included (netstat's filter differs from ss's).  Columns as net-tools
 * prints them: "%-4s  %6lu %6lu %-23s %-23s %-11s".
 *
 * Without -n, port names come from /etc/services and host names from the
 * hosts table (every node's name, as /etc/hosts would list them); 0.0.0.0
 * stays a number, as in net-tools.
 *
 * A UDP socket is bound to a port on every address (0.0.0.0) and not
 * connected: a server, listed after TCP's sockets, with an empty State.
 *
 * Limits: TCP and UDP (without -t or -u both, not the Unix sockets); an
 * address that is no node's stays numeric (the real tool would also ask
 * DNS for its name). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/etc_services.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "proto/resolve.h"

static const char *netstat_state(TcpState s)
{
    static const char *const names[TCP_STATE_COUNT] = {
        [TCP_CLOSED] = "CLOSE",
        [TCP_LISTEN] = "LISTEN",
        [TCP_SYN_SENT] = "SYN_SENT",
        [TCP_SYN_RECEIVED] = "SYN_RECV",
        [TCP_ESTABLISHED] = "ESTABLISHED",
        [TCP_FIN_WAIT_1] = "FIN_WAIT1",
        [TCP_FIN_WAIT_2] = "FIN_WAIT2",
        [TCP_CLOSE_WAIT] = "CLOSE_WAIT",
        [TCP_CLOSING] = "CLOSING",
        [TCP_LAST_ACK] = "LAST_ACK",
        [TCP_TIME_WAIT] = "TIME_WAIT",
    };
    return names[s];
}

/* "10.0.2.10:smtp", "0.0.0.0:*"; net-tools cuts a long address so that
 * address and port fit in 23 columns. */
static void endpoint(const Sim *sim, char out[24], uint32_t ip, uint16_t port, bool numeric)
{
    char addr[24], portbuf[8];
    const char *host = numeric || !ip ? NULL : resolve_hosts_reverse(sim, ip);
    if (host)
        snprintf(addr, sizeof addr, "%s", host);
    else
        ip_format(ip, addr);
    const char *name = numeric || !port ? NULL : etc_service_name(port);
    if (!port)
        name = "*";
    if (!name) {
        snprintf(portbuf, sizeof portbuf, "%u", port);
        name = portbuf;
    }
    size_t room = 23 - strlen(name) - 1;
    if (strlen(addr) > room)
        addr[room] = '\0';
    char whole[64];
    snprintf(whole, sizeof whole, "%s:%s", addr, name);
    snprintf(out, 24, "%.23s", whole); /* fits: room was made above */
}

void netstat_main(Proc *p, int argc, char **argv)
{
    bool all = false, listening = false, numeric = false, tcp = false, udp = false,
         programs = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1]) {
            proc_printf(p, CON_STDERR,
                        "netstat: minet's netstat takes only options; "
                        "try netstat -tan\n");
            proc_exit(p, 1);
            return;
        }
        for (const char *o = argv[i] + 1; *o; o++)
            switch (*o) {
            case 't':
                tcp = true;
                break;
            case 'u':
                udp = true;
                break;
            case 'p':
                programs = true;
                break;
            case '4':
                break;
            case 'a':
                all = true;
                break;
            case 'l':
                listening = true;
                break;
            case 'n':
                numeric = true;
                break;
            default:
                proc_printf(p, CON_STDERR, "netstat: invalid option -- '%c'\n", *o);
                proc_printf(p, CON_STDERR,
                            "usage: netstat [-vWeenNcCF] [<Af>] -r         "
                            "netstat {-V|--version|-h|--help}\n");
                proc_exit(p, 1);
                return;
            }
    }
    if (!tcp && !udp)
        tcp = udp = true;
    if (programs) /* the user owns none of the sockets (see above) */
        proc_printf(p, CON_STDOUT,
                    "(No info could be read for \"-p\": geteuid()=1000 but you should be root.)\n");
    proc_printf(p, CON_STDOUT, "Active Internet connections %s\n",
                all         ? "(servers and established)"
                : listening ? "(only servers)"
                            : "(w/o servers)");
    proc_printf(p, CON_STDOUT,
                "Proto Recv-Q Send-Q Local Address           Foreign Address     "
                "    State      %s\n",
                programs ? " PID/Program name    " : "");
    const char *program = programs ? " -                   " : "";
    size_t n = tcp ? tcp_node_conns(p->sim, p->node, NULL, 0) : 0;
    TcpInfo *info = xcalloc(n ? n : 1, sizeof *info);
    tcp_node_conns(p->sim, p->node, info, n);
    for (size_t i = 0; i < n; i++) {
        const TcpInfo *s = &info[i];
        bool listener = s->state == TCP_LISTEN;
        if (!all && listening != listener)
            continue;
        char local[24], remote[24];
        endpoint(p->sim, local, s->local_ip, s->local_port, numeric);
        endpoint(p->sim, remote, s->remote_ip, s->remote_port, numeric);
        /* A listener's queues show as 0 here (ss shows its backlog). */
        proc_printf(p, CON_STDOUT, "%-4s  %6u %6u %-23s %-23s %-11s%s\n", "tcp",
                    listener ? 0 : s->recv_q, listener ? 0 : s->send_q, local, remote,
                    netstat_state(s->state), program);
    }
    free(info);
    size_t nu = udp && (all || listening) ? udp_node_ports(p->sim, p->node, NULL, 0) : 0;
    uint16_t *ports = xcalloc(nu ? nu : 1, sizeof *ports);
    udp_node_ports(p->sim, p->node, ports, nu);
    for (size_t i = 0; i < nu; i++) {
        char local[24], remote[24];
        endpoint(p->sim, local, 0, ports[i], numeric);
        endpoint(p->sim, remote, 0, 0, numeric);
        proc_printf(p, CON_STDOUT, "%-4s  %6u %6u %-23s %-23s %-11s%s\n", "udp", 0u, 0u, local,
                    remote, "", program);
    }
    free(ports);
    proc_exit(p, 0);
}
