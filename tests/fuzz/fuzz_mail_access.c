/* libFuzzer target for the POP3 and IMAP servers as a whole: any bytes
 * typed into a session.  The first byte picks the port (even: 110, odd:
 * 143) and whether the client half-closes at the end (bit 1); the rest is
 * sent as it is, in one go, to mail.example, whose user bob has three
 * messages (one with a lone dot line) and a second session open on the
 * same mailbox.  The run may not crash, leak or hang; afterwards the
 * mailbox's UIDs must still ascend, below next_uid, with sizes that match
 * the texts.  abort() otherwise. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim.h"
#include "core/util.h"
#include "io/scenario.h"
#include "proto/agents.h"
#include "proto/mail/mail_server.h"
#include "proto/textconn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char world_json[] =
    "{\"minet\": 1, \"title\": \"f\", \"nodes\": ["
    "{\"id\": \"client\", \"role\": \"host\", \"ip\": \"10.0.0.10\"},"
    "{\"id\": \"mail.example\", \"role\": \"mail\", \"ip\": \"10.0.0.25\","
    " \"domains\": [\"example\"], \"users\": {\"bob\": {\"password\": \"hungry\"}},"
    " \"mailboxes\": {\"bob\": [{\"from\": \"a@b.c\", \"subject\": \"one\", \"body\": \"x\\n\"},"
    " {\"from\": \"d@e.f\", \"subject\": \"two\", \"body\": \"y\\n.\\nz\\n\"},"
    " {\"from\": \"g@h.i\", \"subject\": \"three\", \"body\": \"\"}]}}],"
    "\"links\": [{\"between\": [\"client\", \"mail.example\"]}]}";

typedef struct Typist {
    const uint8_t *data;
    size_t size;
    bool shut;
} Typist;

static void f_connected(void *ctx, TextConn *t)
{
    Typist *ty = ctx;
    textconn_send_raw(t, ty->data, ty->size, NULL);
    if (ty->shut)
        textconn_close(t);
}

static void f_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)ctx;
    (void)t;
    (void)line;
    (void)len;
}

static void f_closed(void *ctx, TextConn *t)
{
    (void)ctx;
    textconn_close(t);
}

static const TextConnOps f_ops = {f_connected, f_line, f_closed, NULL};

/* The other session: logs in and waits, so two share the mailbox. */
static const uint8_t other_pop[] = "USER bob\r\nPASS hungry\r\nRETR 2\r\nDELE 1\r\n";
static const uint8_t other_imap[] = "a LOGIN bob hungry\r\nb SELECT INBOX\r\nc STORE 3 +FLAGS "
                                    "(\\Deleted)\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("f.json", ".", world_json, sizeof world_json - 1, &e);
    if (!w) {
        errors_print(&e, stderr);
        abort();
    }
    errors_fini(&e);
    world_wire(w);
    Sim sim;
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    bool imap = data[0] & 1;
    Typist me = {data + 1, size - 1, (data[0] & 2) != 0};
    Typist other = {imap ? other_imap : other_pop,
                    (imap ? sizeof other_imap : sizeof other_pop) - 1, false};
    NetErr err;
    uint32_t server = 0x0A000019u;
    if (!textconn_connect(&sim, 0, server, imap ? 143 : 110, NULL, &f_ops, &other, &err) ||
        !textconn_connect(&sim, 0, server, imap ? 143 : 110, NULL, &f_ops, &me, &err))
        abort();
    sim_run_until(&sim, 4000 * (SimTime)1000000);
    Mailbox *mb = mail_server_mailbox(mail_server_of(&sim, 1), "bob");
    if (!mb)
        abort();
    for (size_t i = 0; i < mb->n; i++) {
        const MailMsg *m = &mb->msgs[i];
        if (m->uid >= mb->next_uid || (i && m->uid <= mb->msgs[i - 1].uid))
            abort();
        size_t crlf = 0;
        for (const char *p = m->text; *p; p++)
            crlf += *p == '\n' ? 2 : 1;
        if (crlf != m->size)
            abort();
    }
    trace_end(&sim.trace);
    agents_stop(&sim);
    sim_fini(&sim);
    world_free(w);
    return 0;
}
