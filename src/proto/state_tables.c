#include "proto/state_tables.h"

#include <string.h>

#include "core/util.h"

static const StateTable tables[] = {
    /* netstat -tan's columns, and the congestion state ss -ti prints; a
     * listening socket's backlog is its Send-Q, as ss shows it. */
    {"tcp", "TCP connections", "Local|Remote|State",
     "send-q=Send-Q|recv-q=Recv-Q|cwnd|ssthresh|rto|wnd=window|backlog=Send-Q", "cwnd|wnd", false},
    /* The shell's record of which program reads a terminal, and its
     * prompt (shell.h, proc_set_prompt): for the window's prompt only. */
    {"terminal", "Terminal", "Command", "", NULL, true},
    /* A mail server's queue as mailq lists it (proto/mail/mail_server.h),
     * and its mailboxes, one row per message. */
    {"mail queue", "Mail queue (mailq)", "Queue ID|Queue",
     "size=Size|from=Sender|to=Recipients|next=Next try", NULL, false},
    {"mailbox", "Mailboxes", "User|Message|Flags", "size=Size|from=From|subject=Subject", NULL,
     false},
};

const StateTable *state_table_find(const char *table)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(tables); i++)
        if (strcmp(tables[i].table, table) == 0)
            return &tables[i];
    return NULL;
}
