/* ss — Debian 12's ss (iproute2 6.1) for TCP and UDP sockets: `ss -t`,
 * `ss -u` with -a (every state), -l (listeners only), -n (port numbers,
 * not names), -p (processes: as a user other than root sees them, which
 * is none of the servers').
 *
 * Which states show: by default every connection but listeners,
 * TIME-WAIT and SYN-RECV, as ss's default filter; -l only listeners; -a
 * all.  The table is laid out as ss lays it out on an 80-column terminal:
 * each column as wide as its widest cell, and the spare width spread over
 * the columns, one space more to the rightmost ones when it does not
 * divide evenly (iproute2's render_calc_width).
 *
 * A UDP socket is bound to a port on every address (0.0.0.0) and not
 * connected: UNCONN, shown with -a or -l, UDP's before TCP's as ss lists
 * them.  With only UDP's connected sockets to show (`ss -u`), ss shows no
 * State column.
 *
 * Limits: no filters (`state …`, `dport = …`), no -x/-w, no -e/-i
 * details; -p shows no process, as for a user who owns none of the
 * sockets (minet does not say which program holds one).  Without -t or -u
 * both show, with the Netid column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "apps/etc_services.h"
#include "core/util.h"
#include "net/tcp.h"
#include "net/udp.h"

#define SCREEN_WIDTH 80

enum {
    COL_NETID,
    COL_STATE,
    COL_RECVQ,
    COL_SENDQ,
    COL_LADDR,
    COL_LPORT,
    COL_PADDR,
    COL_PPORT,
    COL_PROCESS,
    COL_END,
    COL_COUNT
};

typedef struct Column {
    bool right;         /* right-aligned */
    const char *header; /* "" for none */
    const char *ldelim; /* printed before the cell, except at a line's start */
    bool disabled;
    int width, max_len;
} Column;

static const Column column_defaults[COL_COUNT] = {
    {false, "Netid", "", false, 0, 0},          {false, "State", " ", false, 0, 0},
    {false, "Recv-Q", " ", false, 0, 0},        {false, "Send-Q", " ", false, 0, 0},
    {true, "Local Address:", " ", false, 0, 0}, {false, "Port", "", false, 0, 0},
    {true, "Peer Address:", " ", false, 0, 0},  {false, "Port", "", false, 0, 0},
    {false, "Process", "", false, 0, 0},        {false, "", "", false, 0, 0},
};

static const char *ss_state(TcpState s)
{
    static const char *const names[TCP_STATE_COUNT] = {
        [TCP_CLOSED] = "UNCONN",         [TCP_LISTEN] = "LISTEN",
        [TCP_SYN_SENT] = "SYN-SENT",     [TCP_SYN_RECEIVED] = "SYN-RECV",
        [TCP_ESTABLISHED] = "ESTAB",     [TCP_FIN_WAIT_1] = "FIN-WAIT-1",
        [TCP_FIN_WAIT_2] = "FIN-WAIT-2", [TCP_CLOSE_WAIT] = "CLOSE-WAIT",
        [TCP_CLOSING] = "CLOSING",       [TCP_LAST_ACK] = "LAST-ACK",
        [TCP_TIME_WAIT] = "TIME-WAIT",
    };
    return names[s];
}

/* The table's cells, row by row (row 0 the header). */
typedef struct Table {
    Column col[COL_COUNT];
    char **cells; /* rows × COL_COUNT, NULL for an empty cell */
    size_t rows;
} Table;

static void add_row(Table *t, char *cells[COL_COUNT])
{
    t->cells = xrealloc(t->cells, (t->rows + 1) * COL_COUNT * sizeof *t->cells);
    for (int c = 0; c < COL_COUNT; c++) {
        t->cells[t->rows * COL_COUNT + (size_t)c] = cells[c];
        int len = cells[c] ? (int)strlen(cells[c]) : 0;
        if (len > t->col[c].max_len)
            t->col[c].max_len = len;
    }
    t->rows++;
}

/* iproute2's render_calc_width, for one screen line's worth of columns
 * (ours always fit in 80 columns). */
static void calc_width(Table *t)
{
    bool first = true;
    int len = 0, linecols = 0, last = -1;
    for (int c = 0; c < COL_COUNT; c++) {
        Column *col = &t->col[c];
        if (col->disabled)
            continue;
        col->width =
            !first && col->max_len ? col->max_len + (int)strlen(col->ldelim) : col->max_len;
        if (col->width > SCREEN_WIDTH)
            col->width = SCREEN_WIDTH;
        if (col->width) {
            first = false;
            len += col->width;
            linecols++;
            last = c;
        }
    }
    if (len >= SCREEN_WIDTH || linecols == 0)
        return;
    int pad = SCREEN_WIDTH - len, spacing = pad / linecols, rem = pad % linecols;
    for (int c = last; c >= 0; c--) {
        Column *col = &t->col[c];
        if (col->disabled || !col->width)
            continue;
        col->width += spacing;
        if (rem) {
            col->width++;
            rem--;
        }
    }
}

static void render(Proc *p, Table *t)
{
    calc_width(t);
    Buf line;
    buf_init(&line);
    for (size_t r = 0; r < t->rows; r++) {
        buf_clear(&line);
        bool started = false;
        for (int c = 0; c < COL_COUNT; c++) {
            const Column *col = &t->col[c];
            if (col->disabled)
                continue;
            const char *cell = t->cells[r * COL_COUNT + (size_t)c];
            int len = cell ? (int)strlen(cell) : 0;
            int printed = 0;
            if (started) {
                buf_puts(&line, col->ldelim);
                printed = (int)strlen(col->ldelim);
            }
            started = true;
            if (col->width && col->right)
                for (int s = col->width - len - printed; s > 0; s--, printed++)
                    buf_put(&line, " ", 1);
            if (cell)
                buf_puts(&line, cell);
            printed += len;
            if (col->width && !col->right)
                for (int s = col->width - printed; s > 0; s--)
                    buf_put(&line, " ", 1);
        }
        proc_printf(p, CON_STDOUT, "%s\n", line.data ? line.data : "");
    }
    buf_fini(&line);
}

static char *port_text(uint16_t port, bool numeric)
{
    const char *name = numeric ? NULL : etc_service_name(port);
    return name ? xstrdup(name) : xasprintf("%u", port);
}

static bool shown(TcpState s, bool all, bool listening)
{
    if (all)
        return true;
    if (listening)
        return s == TCP_LISTEN;
    return s != TCP_LISTEN && s != TCP_CLOSED && s != TCP_TIME_WAIT && s != TCP_SYN_RECEIVED;
}

static void usage_error(Proc *p, char opt)
{
    proc_printf(p, CON_STDERR, "ss: invalid option -- '%c'\n", opt);
    proc_printf(p, CON_STDERR,
                "Usage: ss [ OPTIONS ]\n"
                "       ss [ OPTIONS ] [ FILTER ]\n");
}

/* A UDP socket's row: bound on every address, not connected. */
static void udp_row(Table *t, uint16_t port, bool numeric)
{
    char *cells[COL_COUNT] = {
        xstrdup("udp"),
        xstrdup("UNCONN"),
        xasprintf("%-6u", 0u),
        xasprintf("%-6u", 0u),
        xstrdup("0.0.0.0:"),
        port_text(port, numeric),
        xstrdup("0.0.0.0:"),
        xstrdup("*"),
        NULL,
        NULL,
    };
    add_row(t, cells);
}

void ss_main(Proc *p, int argc, char **argv)
{
    bool tcp = false, udp = false, all = false, listening = false, numeric = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1]) {
            proc_printf(p, CON_STDERR, "ss: minet's ss takes no filter (\"%s\"); try ss -tan\n",
                        argv[i]);
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
            case 'p': /* no process of the user's holds one (see above) */
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
            case '4':
                break;
            default:
                usage_error(p, *o);
                proc_exit(p, 1);
                return;
            }
    }
    if (!tcp && !udp)
        tcp = udp = true;
    Table t = {0};
    memcpy(t.col, column_defaults, sizeof t.col);
    t.col[COL_NETID].disabled = tcp != udp; /* one protocol: no Netid column */
    /* UDP's connected sockets alone: one state, which ss does not show */
    t.col[COL_STATE].disabled = udp && !tcp && !all && !listening;
    char *head[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++)
        head[c] = xstrdup(t.col[c].header);
    add_row(&t, head);

    size_t nu = udp ? udp_node_ports(p->sim, p->node, NULL, 0) : 0;
    uint16_t *ports = xcalloc(nu ? nu : 1, sizeof *ports);
    udp_node_ports(p->sim, p->node, ports, nu);
    for (size_t i = 0; i < nu && (all || listening); i++)
        udp_row(&t, ports[i], numeric);
    free(ports);
    size_t n = tcp ? tcp_node_conns(p->sim, p->node, NULL, 0) : 0;
    TcpInfo *info = xcalloc(n ? n : 1, sizeof *info);
    tcp_node_conns(p->sim, p->node, info, n);
    for (size_t i = 0; i < n; i++) {
        const TcpInfo *s = &info[i];
        if (!shown(s->state, all, listening))
            continue;
        char la[16], ra[16];
        ip_format(s->local_ip, la);
        ip_format(s->remote_ip, ra);
        char *cells[COL_COUNT] = {
            xstrdup("tcp"),
            xstrdup(ss_state(s->state)),
            xasprintf("%-6u", s->recv_q),
            xasprintf("%-6u", s->send_q),
            xasprintf("%s:", la),
            port_text(s->local_port, numeric),
            xasprintf("%s:", ra),
            s->remote_port ? port_text(s->remote_port, numeric) : xstrdup("*"),
            NULL,
            NULL,
        };
        add_row(&t, cells);
    }
    render(p, &t);
    for (size_t i = 0; i < t.rows * COL_COUNT; i++)
        free(t.cells[i]);
    free(t.cells);
    free(info);
    proc_exit(p, 0);
}
