/* The mail server against Postfix 3.7: every reply the issue lists (the
 * transcripts below were taken from a real Postfix with the same
 * configuration), dot-stuffing and a lone dot, pipelined commands, long
 * lines, DATA without recipients, SIZE, relay rules, AUTH on 587; the
 * queue's retry timing and backoff, the bounce's three parts, MX
 * preference order and the fallback to A; the SMTP command parser.  Run
 * from the repository's top folder (some tests load scenarios/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "io/scenario.h"
#include "proto/mail/mail_server.h"
#include "proto/mail/smtp_cmd.h"

/* client 10.0.0.10 (a stranger), friend 10.0.0.11 (in relay_from), the
 * server mail.hamburger.edu 10.0.1.25 with bob and postmaster. */
static const char world_json[] =
    "{\"minet\": 1, \"title\": \"t\", \"nodes\": ["
    "{\"id\": \"client\", \"role\": \"host\", \"ip\": \"10.0.0.10\"},"
    "{\"id\": \"friend\", \"role\": \"host\", \"ip\": \"10.0.0.11\"},"
    "{\"id\": \"gw\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.0.2\", \"10.0.1.1\"]},"
    "{\"id\": \"mail.hamburger.edu\", \"role\": \"mail\", \"ip\": \"10.0.1.25\","
    " \"domains\": [\"hamburger.edu\"], \"users\": {\"bob\": {\"password\": \"hungry\"}},"
    " \"aliases\": {\"postmaster\": \"bob\"}, \"relay_from\": [\"10.0.0.11\"]}],"
    "\"links\": [{\"between\": [\"client\", \"gw\"]}, {\"between\": [\"friend\", \"gw\"]},"
    "{\"between\": [\"gw\", \"mail.hamburger.edu\"]}],"
    "\"script\": [%s]}";

static World *load(const char *script)
{
    size_t n = strlen(world_json) + strlen(script) + 1;
    char *json = xmalloc(n);
    snprintf(json, n, world_json, script);
    World *w = tw_load("mail.json", json);
    free(json);
    return w;
}

/* What the terminals show: output and what was typed. */
static char *transcript(const Sim *sim)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->stream != CON_COMMAND && r->stream != CON_EXIT)
            buf_puts(&b, r->text);
    }
    return buf_take(&b);
}

/* Runs a telnet to port on the server from node with the typed lines
 * (a JSON array's inside) and returns the transcript without telnet's
 * own first lines. */
static char *dialogue(Sim *sim, const char *from, int port, const char *lines)
{
    char script[16384];
    snprintf(script, sizeof script,
             "{\"at\": \"1s\", \"on\": \"%s\", \"run\": \"telnet 10.0.1.25 %d\", \"input\": [%s]}",
             from, port, lines);
    World *w = load(script);
    tw_run(sim, w, 1);
    char *t = transcript(sim);
    const char *start = strstr(t, "220 ");
    assert_non_null(start);
    char *out = xstrdup(start);
    free(t);
    return out;
}

static void test_lecture_dialogue(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, "client", 25,
                       "\"HELO crepes.fr\", \"MAIL FROM: <alice@crepes.fr>\", \"RCPT TO: "
                       "<bob@hamburger.edu>\", \"DATA\", \"Do you like ketchup?\", \"How about "
                       "pickles?\", \".\", \"QUIT\"");
    /* The queue id varies; everything else is Postfix's. */
    char *id = strstr(t, "queued as ");
    assert_non_null(id);
    memset(id + 10, 'X', 11);
    assert_string_equal(t, "220 mail.hamburger.edu ESMTP Postfix\n"
                           "HELO crepes.fr\n"
                           "250 mail.hamburger.edu\n"
                           "MAIL FROM: <alice@crepes.fr>\n"
                           "250 2.1.0 Ok\n"
                           "RCPT TO: <bob@hamburger.edu>\n"
                           "250 2.1.5 Ok\n"
                           "DATA\n"
                           "354 End data with <CR><LF>.<CR><LF>\n"
                           "Do you like ketchup?\n"
                           "How about pickles?\n"
                           ".\n"
                           "250 2.0.0 Ok: queued as XXXXXXXXXXX\n"
                           "QUIT\n"
                           "221 2.0.0 Bye\n"
                           "Connection closed by foreign host.\n");
    /* Bob's mailbox has it, with Postfix's headers. */
    Mailbox *mb = mail_server_mailbox(mail_server_of(&sim, 3), "bob");
    assert_non_null(mb);
    assert_int_equal(mb->n, 1);
    const char *m = mb->msgs[0].text;
    assert_non_null(strstr(m, "Return-Path: <alice@crepes.fr>\nX-Original-To: "
                              "bob@hamburger.edu\nDelivered-To: bob@hamburger.edu\n"
                              "Received: from crepes.fr (client [10.0.0.10])\n"
                              "\tby mail.hamburger.edu (Postfix) with SMTP id "));
    assert_non_null(strstr(m, "\tfor <bob@hamburger.edu>; Mon, 11 Sep 2023 09:00:"));
    assert_non_null(strstr(m, "+0000 (UTC)\n\nDo you like ketchup?\nHow about pickles?\n"));
    assert_null(strstr(m, "Message-Id:")); /* a remote client: Postfix adds none */
    assert_int_equal(mb->msgs[0].uid, 1);
    free(t);
    tw_done(&sim);
}

/* The mistakes, in the order a student makes them, up to Postfix's hard
 * error limit (the 20th error's reply is followed by 421 at once, before
 * another command). */
static void test_every_error_reply(void **state)
{
    (void)state;
    Sim sim;
    /* Typed 3 s apart, so that each reply (some wait 1 s) comes first. */
    static const char *const cmds[] = {"RCPT TO: <bob@hamburger.edu>",
                                       "DATA",
                                       "MAIL FROM: <alice@crepes.fr>",
                                       "EHLO crepes.fr",
                                       "HELO",
                                       "EHLO",
                                       "MAIL FROM: <alice@crepes.fr>",
                                       "MAIL FROM: <alice@crepes.fr>",
                                       "DATA",
                                       "RCPT TO: <nobody@hamburger.edu>",
                                       "RCPT TO: <x@elsewhere.org>",
                                       "RCPT TO: bob@hamburger.edu",
                                       "RCPT TO:",
                                       "RCPT",
                                       "RCPT TO: <postmaster>",
                                       "RCPT TO: <Bob@Hamburger.EDU>",
                                       "NOOP",
                                       "VRFY bob",
                                       "VRFY nobody",
                                       "VRFY",
                                       "HELP",
                                       "FOO bar",
                                       "RSET",
                                       "MAIL FROM:<>",
                                       "RSET",
                                       "MAIL FROM: alice@crepes.fr",
                                       "RSET",
                                       "MAIL FROM: <alice@crepes.fr> SIZE=20000000",
                                       "MAIL FROM: <alice@crepes.fr> SIZE=100",
                                       "MAIL FROM",
                                       "MAIL TO: <x>",
                                       "RSET",
                                       "MAIL FROM: <alice@crepes.fr> BODY=FOO",
                                       "MAIL FROM: <alice@crepes.fr> FOO=BAR",
                                       "MAIL FROM: <a b@crepes.fr>",
                                       "MAIL FROM: <alice@crepes.fr",
                                       "NOOP hello"};
    Buf in;
    buf_init(&in);
    for (size_t i = 0; i < MN_ARRAY_LEN(cmds); i++)
        buf_printf(&in, "%s{\"at\": \"%zus\", \"text\": \"%s\"}", i ? ", " : "", 2 + 3 * i,
                   cmds[i]);
    char *t = dialogue(&sim, "client", 25, in.data);
    buf_fini(&in);
    assert_string_equal(
        t, "220 mail.hamburger.edu ESMTP Postfix\n"
           "RCPT TO: <bob@hamburger.edu>\n503 5.5.1 Error: need MAIL command\n"
           "DATA\n503 5.5.1 Error: need RCPT command\n"
           "MAIL FROM: <alice@crepes.fr>\n250 2.1.0 Ok\n"
           "EHLO crepes.fr\n250-mail.hamburger.edu\n250-PIPELINING\n250-SIZE 10240000\n"
           "250-VRFY\n250-ETRN\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n250-DSN\n250-SMTPUTF8\n"
           "250 CHUNKING\n"
           "HELO\n501 Syntax: HELO hostname\n"
           "EHLO\n501 Syntax: EHLO hostname\n"
           "MAIL FROM: <alice@crepes.fr>\n250 2.1.0 Ok\n"
           "MAIL FROM: <alice@crepes.fr>\n503 5.5.1 Error: nested MAIL command\n"
           "DATA\n554 5.5.1 Error: no valid recipients\n"
           "RCPT TO: <nobody@hamburger.edu>\n550 5.1.1 <nobody@hamburger.edu>: Recipient "
           "address rejected: User unknown in local recipient table\n"
           "RCPT TO: <x@elsewhere.org>\n454 4.7.1 <x@elsewhere.org>: Relay access denied\n"
           "RCPT TO: bob@hamburger.edu\n250 2.1.5 Ok\n"
           "RCPT TO:\n501 5.5.4 Syntax: RCPT TO:<address>\n"
           "RCPT\n501 5.5.4 Syntax: RCPT TO:<address>\n"
           "RCPT TO: <postmaster>\n250 2.1.5 Ok\n"
           "RCPT TO: <Bob@Hamburger.EDU>\n250 2.1.5 Ok\n"
           "NOOP\n250 2.0.0 Ok\n"
           "VRFY bob\n252 2.0.0 bob\n"
           "VRFY nobody\n550 5.1.1 <nobody>: Recipient address rejected: User unknown in local "
           "recipient table\n"
           "VRFY\n501 5.5.4 Syntax: VRFY address [SMTPUTF8]\n"
           "HELP\n500 5.5.2 Error: command not recognized\n"
           "FOO bar\n500 5.5.2 Error: command not recognized\n"
           "RSET\n250 2.0.0 Ok\n"
           "MAIL FROM:<>\n250 2.1.0 Ok\n"
           "RSET\n250 2.0.0 Ok\n"
           "MAIL FROM: alice@crepes.fr\n250 2.1.0 Ok\n"
           "RSET\n250 2.0.0 Ok\n"
           "MAIL FROM: <alice@crepes.fr> SIZE=20000000\n552 5.3.4 Message size exceeds fixed "
           "limit\n"
           "MAIL FROM: <alice@crepes.fr> SIZE=100\n250 2.1.0 Ok\n"
           "MAIL FROM\n503 5.5.1 Error: nested MAIL command\n"
           "MAIL TO: <x>\n503 5.5.1 Error: nested MAIL command\n"
           "RSET\n250 2.0.0 Ok\n"
           "MAIL FROM: <alice@crepes.fr> BODY=FOO\n555 5.5.4 Unsupported option: BODY=FOO\n"
           "MAIL FROM: <alice@crepes.fr> FOO=BAR\n555 5.5.4 Unsupported option: FOO=BAR\n"
           "MAIL FROM: <a b@crepes.fr>\n501 5.1.7 Bad sender address syntax\n"
           "421 4.7.0 mail.hamburger.edu Error: too many errors\n"
           "Connection closed by foreign host.\n");
    free(t);
    /* An error counts once its reply is out, and each reply given with 10
     * or more errors counted waits 1 s (smtpd_error_sleep_time): the 10th
     * error's reply ("RCPT") comes at once, the next ones 1 s late, and
     * the 421 follows the 20th error's reply 1 s later. */
    SimTime at[6] = {-1, -1, -1, -1, -1, -1}, bye = -1;
    static const char *const when[6][2] = {
        {"RCPT\n", "501 5.5.4 Syntax: RCPT TO:<address>\n"},
        {"RCPT TO: <postmaster>\n", "250 2.1.5 Ok\n"},
        {"MAIL FROM: <a b@crepes.fr>\n", "501 5.1.7 Bad sender address syntax\n"}};
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_CONSOLE)
            continue;
        for (int k = 0; k < 3; k++) {
            if (r->stream == CON_STDIN && strcmp(r->text, when[k][0]) == 0)
                at[2 * k] = r->time;
            /* the first such reply after its command */
            if (r->stream == CON_STDOUT && at[2 * k] >= 0 && at[2 * k + 1] < 0 &&
                strcmp(r->text, when[k][1]) == 0)
                at[2 * k + 1] = r->time;
        }
        if (r->stream == CON_STDOUT && strstr(r->text, "too many errors"))
            bye = r->time;
    }
    assert_true(at[0] >= 0 && at[1] - at[0] < 100000);
    assert_true(at[2] >= 0 && at[3] - at[2] >= 1000000 && at[3] - at[2] < 1100000);
    assert_true(at[5] >= 0 && bye - at[5] >= 1000000 && bye - at[5] < 1100000);
    tw_done(&sim);
}

static void test_other_replies(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, "client", 25,
                       "\"NOOP hello\", \"RSET extra\", \"MAIL FROM:<alice@crepes.fr>\", \"RCPT "
                       "TO:<bob@hamburger.edu> NOTIFY=NEVER\", \"RSET\", \"STARTTLS\", \"AUTH "
                       "PLAIN\", \"ETRN\", \"ETRN hamburger.edu\", \"rcpt to:<bob@>\", \"QUIT "
                       "extra\"");
    assert_string_equal(t, "220 mail.hamburger.edu ESMTP Postfix\n"
                           "NOOP hello\n250 2.0.0 Ok\n"
                           "RSET extra\n501 5.5.4 Syntax: RSET\n"
                           "MAIL FROM:<alice@crepes.fr>\n250 2.1.0 Ok\n"
                           "RCPT TO:<bob@hamburger.edu> NOTIFY=NEVER\n250 2.1.5 Ok\n"
                           "RSET\n250 2.0.0 Ok\n"
                           "STARTTLS\n502 5.5.1 Error: command not implemented\n"
                           "AUTH PLAIN\n503 5.5.1 Error: authentication not enabled\n"
                           "ETRN\n500 Syntax: ETRN domain\n"
                           "ETRN hamburger.edu\n459 <hamburger.edu>: service unavailable\n"
                           "rcpt to:<bob@>\n503 5.5.1 Error: need MAIL command\n"
                           "QUIT extra\n221 2.0.0 Bye\n"
                           "Connection closed by foreign host.\n");
    free(t);
    tw_done(&sim);
}

/* A leading dot is doubled by the client and taken away by the server; a
 * line of two dots is one dot; a long line (1,500 bytes) in a body is
 * kept; a command line of 5,000 bytes is not a command. */
static void test_dots_and_long_lines(void **state)
{
    (void)state;
    char x1500[1501], x5000[5001];
    memset(x1500, 'x', 1500);
    x1500[1500] = 0;
    memset(x5000, 'X', 5000);
    x5000[5000] = 0;
    char lines[8192];
    snprintf(lines, sizeof lines,
             "\"MAIL FROM:<alice@crepes.fr>\", \"RCPT TO:<bob@hamburger.edu>\", \"DATA\", "
             "\"Subject: dots\", \"\", \"..dotline\", \"..\", \"%s\", \".\", \"%s\", \"QUIT\"",
             x1500, x5000);
    Sim sim;
    char *t = dialogue(&sim, "client", 25, lines);
    assert_non_null(strstr(t, "\n500 5.5.2 Error: command not recognized\nQUIT\n221 2.0.0 Bye\n"));
    Mailbox *mb = mail_server_mailbox(mail_server_of(&sim, 3), "bob");
    assert_int_equal(mb->n, 1);
    const char *m = mb->msgs[0].text;
    char want[1600];
    snprintf(want, sizeof want, "Subject: dots\n\n.dotline\n.\n%s\n", x1500);
    assert_non_null(strstr(m, want));
    free(t);
    tw_done(&sim);
}

/* Commands sent together (PIPELINING) are answered in order. */
static void test_pipelining(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, "client", 25,
                       "{\"at\": \"2s\", \"text\": \"EHLO crepes.fr\"}, {\"at\": \"2s\", \"text\": "
                       "\"MAIL FROM:<alice@crepes.fr>\"}, {\"at\": \"2s\", \"text\": \"RCPT "
                       "TO:<bob@hamburger.edu>\"}, {\"at\": \"2s\", \"text\": \"RCPT "
                       "TO:<nobody@hamburger.edu>\"}, {\"at\": \"2s\", \"text\": \"DATA\"}, "
                       "{\"at\": \"2s\", \"text\": \"Subject: hi\"}, {\"at\": \"2s\", \"text\": "
                       "\"\"}, {\"at\": \"2s\", \"text\": \"body\"}, {\"at\": \"2s\", \"text\": "
                       "\".\"}, {\"at\": \"2s\", \"text\": \"QUIT\"}");
    const char *order[] = {"250 CHUNKING", "250 2.1.0 Ok",
                           "250 2.1.5 Ok", "550 5.1.1 <nobody@hamburger.edu>",
                           "354 End data", "250 2.0.0 Ok: queued as",
                           "221 2.0.0 Bye"};
    const char *at = t;
    for (size_t i = 0; i < MN_ARRAY_LEN(order); i++) {
        at = strstr(at, order[i]);
        assert_non_null(at);
    }
    assert_int_equal(mail_server_mailbox(mail_server_of(&sim, 3), "bob")->n, 1);
    free(t);
    tw_done(&sim);
}

/* Port 25 relays only for relay_from; 587 only after AUTH. */
static void test_relay_rules(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, "friend", 25,
                       "\"HELO friend\", \"MAIL FROM:<f@x.org>\", \"RCPT TO:<x@elsewhere.org>\", "
                       "\"QUIT\"");
    assert_non_null(strstr(t, "RCPT TO:<x@elsewhere.org>\n250 2.1.5 Ok\n"));
    free(t);
    tw_done(&sim);

    /* Postfix 3.7 with Dovecot's SASL, as Debian's submission service:
     * bob\0bob\0wrong, then bob / hungry with LOGIN.  Typed 4 s apart, so
     * that each reply (a failure waits 2 s) comes first. */
    static const char *const cmds[] = {"EHLO crepes.fr",
                                       "MAIL FROM:<bob@hamburger.edu>",
                                       "RCPT TO:<bob@hamburger.edu>",
                                       "RCPT TO:<x@elsewhere.org>",
                                       "RSET",
                                       "AUTH",
                                       "AUTH FOO",
                                       "AUTH PLAIN Ym9iAGJvYgB3cm9uZw==",
                                       "AUTH PLAIN",
                                       "*",
                                       "AUTH PLAIN",
                                       "!!!",
                                       "AUTH LOGIN",
                                       "Ym9i",
                                       "aHVuZ3J5",
                                       "AUTH PLAIN AGJvYgBodW5ncnk=",
                                       "MAIL FROM:<bob@hamburger.edu>",
                                       "AUTH PLAIN AGJvYgBodW5ncnk=",
                                       "RCPT TO:<x@elsewhere.org>",
                                       "QUIT"};
    Buf in;
    buf_init(&in);
    for (size_t i = 0; i < MN_ARRAY_LEN(cmds); i++)
        buf_printf(&in, "%s{\"at\": \"%zus\", \"text\": \"%s\"}", i ? ", " : "", 2 + 4 * i,
                   cmds[i]);
    t = dialogue(&sim, "client", 587, in.data);
    buf_fini(&in);
    assert_string_equal(
        t, "220 mail.hamburger.edu ESMTP Postfix\n"
           "EHLO crepes.fr\n250-mail.hamburger.edu\n250-PIPELINING\n250-SIZE 10240000\n"
           "250-VRFY\n250-ETRN\n250-AUTH PLAIN LOGIN\n250-ENHANCEDSTATUSCODES\n250-8BITMIME\n"
           "250-DSN\n250-SMTPUTF8\n250 CHUNKING\n"
           "MAIL FROM:<bob@hamburger.edu>\n250 2.1.0 Ok\n"
           "RCPT TO:<bob@hamburger.edu>\n554 5.7.1 <bob@hamburger.edu>: Recipient address "
           "rejected: Access denied\n"
           "RCPT TO:<x@elsewhere.org>\n554 5.7.1 <x@elsewhere.org>: Recipient address rejected: "
           "Access denied\n"
           "RSET\n250 2.0.0 Ok\n"
           "AUTH\n501 5.5.4 Syntax: AUTH mechanism\n"
           "AUTH FOO\n535 5.7.8 Error: authentication failed: Invalid authentication "
           "mechanism\n"
           "AUTH PLAIN Ym9iAGJvYgB3cm9uZw==\n535 5.7.8 Error: authentication failed: (reason "
           "unavailable)\n"
           "AUTH PLAIN\n334 \n*\n501 5.7.0 Authentication aborted\n"
           "AUTH PLAIN\n334 \n!!!\n535 5.7.8 Error: authentication failed: Invalid base64 data "
           "in continued response\n"
           "AUTH LOGIN\n334 VXNlcm5hbWU6\nYm9i\n334 UGFzc3dvcmQ6\naHVuZ3J5\n235 2.7.0 "
           "Authentication successful\n"
           "AUTH PLAIN AGJvYgBodW5ncnk=\n503 5.5.1 Error: already authenticated\n"
           "MAIL FROM:<bob@hamburger.edu>\n250 2.1.0 Ok\n"
           "AUTH PLAIN AGJvYgBodW5ncnk=\n503 5.5.1 Error: MAIL transaction in progress\n"
           "RCPT TO:<x@elsewhere.org>\n250 2.1.5 Ok\n"
           "QUIT\n221 2.0.0 Bye\nConnection closed by foreign host.\n");
    free(t);
    tw_done(&sim);
}

/* QUIT sent right behind a wrong password waits out the 2 s pause, is then
 * answered and ends the session (which must not be used after). */
static void test_quit_behind_auth_failure(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, "client", 587,
                       "{\"at\": \"2s\", \"text\": \"EHLO crepes.fr\"}, {\"at\": \"3s\", "
                       "\"text\": \"AUTH PLAIN Ym9iAGJvYgB3cm9uZw==\"}, {\"at\": \"3s\", "
                       "\"text\": \"QUIT\"}, {\"at\": \"3s\", \"text\": \"NOOP\"}");
    const char *end = "AUTH PLAIN Ym9iAGJvYgB3cm9uZw==\nQUIT\nNOOP\n535 5.7.8 Error: "
                      "authentication failed: (reason unavailable)\n221 2.0.0 Bye\n"
                      "Connection closed by foreign host.\n";
    assert_true(strlen(t) > strlen(end));
    assert_string_equal(t + strlen(t) - strlen(end), end);
    free(t);
    tw_done(&sim);
}

/* ---- the queue: scenarios/ ------------------------------------------------ */

static World *load_file(const char *path)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load(path, &e);
    errors_print(&e, stderr);
    errors_fini(&e);
    assert_non_null(w);
    return w;
}

/* The times of the "mail queue" records of node for id whose value starts
 * with what ("deferred", "active"), and their count. */
static size_t queue_times(const Sim *sim, const char *what, SimTime *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_STATE && strcmp(r->table, "mail queue") == 0 &&
            strcmp(r->op, "add") == 0 && strncmp(r->text, what, strlen(what)) == 0 &&
            strstr(r->text, " to bob@hamburger.edu") &&
            strcmp(sim->world->nodes[r->node].id, "mail.crepes.fr") == 0 && n < max)
            out[n++] = r->time;
    }
    return n;
}

/* Bob's server is down until 700 s: tries at once, then after the age
 * clamped to [300 s, 4000 s], at the next 300 s scan: 600 s, 1500 s. */
static void test_retry_backoff(void **state)
{
    (void)state;
    Sim sim;
    tw_run(&sim, load_file("scenarios/mail_queue.json"), 1);
    SimTime deferred[8], active[8];
    size_t nd = queue_times(&sim, "deferred", deferred, 8);
    size_t na = queue_times(&sim, "active", active, 8);
    assert_int_equal(nd, 2);
    assert_int_equal(na, 3);
    assert_true(active[0] < 12000000);
    assert_int_equal(active[1], 600000000);
    assert_int_equal(active[2], 1500000000);
    /* delivered at last */
    MailServer *hb = mail_server_of(&sim, world_find_node(sim.world, "mail.hamburger.edu"));
    assert_int_equal(mail_server_mailbox(hb, "bob")->n, 1);
    size_t n;
    mail_server_queue(mail_server_of(&sim, world_find_node(sim.world, "mail.crepes.fr")), &n);
    assert_int_equal(n, 0);
    char *t = tw_console(&sim);
    assert_non_null(
        strstr(t, "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"));
    /* the reason's ")" in column 78, as postqueue right-aligns it */
    assert_non_null(strstr(t, "\n           (connect to mail.hamburger.edu[10.2.0.25]:25: "
                              "Connection timed out)\n                                         "
                              "bob@hamburger.edu\n\n-- 0 Kbytes in 1 Request.\n"));
    assert_non_null(strstr(t, "Mail queue is empty\n"));
    free(t);
    tw_done(&sim);
}

/* Both bounces reach Alice, each a DSN in three parts. */
static void test_bounce_parts(void **state)
{
    (void)state;
    Sim sim;
    tw_run(&sim, load_file("scenarios/mail_bounce.json"), 1);
    MailServer *cr = mail_server_of(&sim, world_find_node(sim.world, "mail.crepes.fr"));
    Mailbox *mb = mail_server_mailbox(cr, "alice");
    assert_int_equal(mb->n, 2);
    const char *a = mb->msgs[0].text, *b = mb->msgs[1].text;
    const char *parts[] = {
        "Return-Path: <>\n",
        "From: Mail Delivery System <MAILER-DAEMON@crepes.fr>\n",
        "Subject: Undelivered Mail Returned to Sender\n",
        "Content-Type: multipart/report; report-type=delivery-status;\n",
        "Content-Description: Notification\n",
        "This is the mail system at host mail.crepes.fr.\n",
        "Content-Type: message/delivery-status\n",
        "Reporting-MTA: dns; mail.crepes.fr\n",
        "Action: failed\n",
        "Content-Description: Undelivered Message\nContent-Type: message/rfc822\n"};
    for (size_t i = 0; i < MN_ARRAY_LEN(parts); i++) {
        assert_non_null(strstr(a, parts[i]));
        assert_non_null(strstr(b, parts[i]));
    }
    assert_non_null(strstr(a, "<nobody@hamburger.edu>: host mail.hamburger.edu[10.2.0.25] said: "
                              "550 5.1.1\n    <nobody@hamburger.edu>: Recipient address "
                              "rejected: User unknown in local\n    recipient table (in reply "
                              "to RCPT TO command)\n"));
    assert_non_null(strstr(a, "Status: 5.1.1\nRemote-MTA: dns; mail.hamburger.edu\n"));
    assert_non_null(strstr(a, "Subject: Are you there?\n"));
    assert_non_null(strstr(b, "<carol@gone.edu>: connect to mail.gone.edu[10.2.0.99]:25:"));
    assert_non_null(strstr(b, "Status: 4.4.1\n"));
    /* the whole message comes back, as Postfix returns one under 50,000 bytes */
    assert_non_null(strstr(b,
                           "Content-Transfer-Encoding: 8bit\n\nReturn-Path: "
                           "<alice@crepes.fr>\nReceived: from crepes.fr (alice-pc [10.1.0.10])"));
    assert_non_null(strstr(b, "\n\nWrite back!\n\n--"));
    tw_done(&sim);
}

/* MX preference order, and the domain's A when it has no MX. */
static void test_mx_order_and_fallback(void **state)
{
    (void)state;
    FILE *f = fopen("scenarios/mail_lecture.json", "rb");
    assert_non_null(f);
    Buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    buf_putc(&b, '\0');
    /* Preference 20 for the real server, 5 for one that does not answer,
     * and a second domain with no MX at all. */
    const char *from = "\"@ 3600 IN MX 10 mail\",";
    char *at = strstr(b.data, from);
    assert_non_null(at);
    Buf j;
    buf_init(&j);
    buf_put(&j, b.data, (size_t)(at - b.data));
    buf_puts(&j, "\"@ 3600 IN MX 20 mail\", \"@ 3600 IN MX 5 backup\", \"backup 3600 IN A "
                 "10.2.0.98\", \"plain 3600 IN A 10.2.0.25\",");
    buf_puts(&j, at + strlen(from));
    char *rcpt = strstr(j.data, "\"RCPT TO: <bob@hamburger.edu>\",");
    assert_non_null(rcpt);
    Buf k;
    buf_init(&k);
    buf_put(&k, j.data, (size_t)(rcpt - j.data));
    buf_puts(&k, "\"RCPT TO: <bob@hamburger.edu>\", \"RCPT TO: <bob@plain.hamburger.edu>\",");
    buf_puts(&k, rcpt + strlen("\"RCPT TO: <bob@hamburger.edu>\","));
    /* plain.hamburger.edu is not one of Bob's domains: make it one. */
    char *dom = strstr(k.data, "\"domains\": [\n        \"hamburger.edu\"");
    assert_non_null(dom);
    Buf l;
    buf_init(&l);
    buf_put(&l, k.data, (size_t)(dom - k.data));
    buf_puts(&l, "\"domains\": [\"plain.hamburger.edu\", \"hamburger.edu\"");
    buf_puts(&l, dom + strlen("\"domains\": [\n        \"hamburger.edu\""));
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("mx.json", "scenarios", l.data, l.len, &e);
    errors_print(&e, stderr);
    errors_fini(&e);
    assert_non_null(w);
    Sim sim;
    tw_run(&sim, w, 1);
    assert_int_equal(tw_count(&sim, TR_NOTE,
                              "backup.hamburger.edu (preference 5), "
                              "mail.hamburger.edu (preference 20)"),
                     1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "cannot reach backup.hamburger.edu on port 25"), 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "learns that plain.hamburger.edu has no MX record"),
                     1);
    MailServer *hb = mail_server_of(&sim, world_find_node(sim.world, "mail.hamburger.edu"));
    assert_int_equal(mail_server_mailbox(hb, "bob")->n, 2);
    buf_fini(&b);
    buf_fini(&j);
    buf_fini(&k);
    buf_fini(&l);
    tw_done(&sim);
}

/* ---- the parser --------------------------------------------------------- */

static void test_cmd_parser(void **state)
{
    (void)state;
    const char *args;
    assert_int_equal(smtp_cmd_verb("  mail FROM:<a@b>", 17, &args), SMTP_MAIL);
    assert_string_equal(args, "FROM:<a@b>");
    char addr[SMTP_ADDR_MAX];
    const char *params;
    assert_int_equal(smtp_cmd_path("FROM: <@r.x:\"a b\"@c.d> SIZE=10", "FROM", addr, &params),
                     SMTP_PATH_OK);
    assert_string_equal(addr, "a b@c.d");
    assert_string_equal(params, "SIZE=10");
    assert_int_equal(smtp_cmd_path("FROM:<a@b", "FROM", addr, &params), SMTP_PATH_BAD);
    assert_int_equal(smtp_cmd_path("TO <a@b>", "TO", addr, &params), SMTP_PATH_NO_KEYWORD);
    assert_int_equal(smtp_cmd_path("TO:<>", "TO", addr, &params), SMTP_PATH_OK);
    assert_string_equal(addr, "");
    char dec[64];
    size_t n;
    assert_true(smtp_base64_decode("AGJvYgBodW5ncnk=", dec, sizeof dec, &n));
    assert_int_equal(n, 11);
    assert_false(smtp_base64_decode("abc", dec, sizeof dec, &n));
    char enc[64];
    assert_true(smtp_base64_encode("Username:", 9, enc, sizeof enc));
    assert_string_equal(enc, "VXNlcm5hbWU6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lecture_dialogue),
        cmocka_unit_test(test_every_error_reply),
        cmocka_unit_test(test_other_replies),
        cmocka_unit_test(test_dots_and_long_lines),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_relay_rules),
        cmocka_unit_test(test_quit_behind_auth_failure),
        cmocka_unit_test(test_retry_backoff),
        cmocka_unit_test(test_bounce_parts),
        cmocka_unit_test(test_mx_order_and_fallback),
        cmocka_unit_test(test_cmd_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
