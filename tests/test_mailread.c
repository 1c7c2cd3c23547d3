/* mail reading a mailbox (src/apps/mail_read.c) against what s-nail 14.9.24
 * printed and sent with Dovecot 2.3: the header summary's columns, each
 * command (print, type, next and the empty line, from, headers, delete,
 * undelete, help and ? for one command, list, quit, xit) and its complaints, the commands on the
 * wire, POP3's deletion only at quit (xit deletes nothing), IMAP's \Seen kept on the server and
 * shown as O in the next session; typed nonsense never crashes.  Run from the repository's top
 * folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apps/mail_read.h"
#include "helpers.h"
#include "io/scenario.h"
#include "proto/mail/mail_server.h"

#define MSGS                                                                                       \
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"Hello\", \"date\": \"Mon, 11 Sep 2023 "        \
    "09:00:00 +0000\", \"body\": \"Do you like ketchup?\\nHow about pickles?\\n\"},"               \
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"The recipe\", \"date\": \"Mon, 11 Sep 2023 "   \
    "09:05:00 +0000\", \"body\": \"Crepes for four:\\n.\\nThe line above is a lone dot.\\n\"},"    \
    "{\"from\": \"postmaster@hamburger.edu\", \"subject\": \"Welcome\", \"date\": "                \
    "\"Mon, 11 Sep 2023 08:00:00 +0000\", \"body\": \"Welcome to hamburger.edu mail.\\n\"}"

/* laptop (POP3 account) 10.0.0.10, phone (IMAP account) 10.0.0.11, the
 * server mail.hamburger.edu 10.0.1.25 with bob's three messages. */
static const char world_json[] =
    "{\"minet\": 1, \"title\": \"t\", \"start\": \"2023-09-11T10:00:00Z\", \"nodes\": ["
    "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"mail\": {\"address\": "
    "\"bob@hamburger.edu\", \"server\": \"10.0.1.25\", \"password\": \"hungry\", \"read\": "
    "\"pop3\"}},"
    "{\"id\": \"phone\", \"role\": \"host\", \"ip\": \"10.0.0.11\", \"mail\": {\"address\": "
    "\"bob@hamburger.edu\", \"server\": \"10.0.1.25\", \"password\": \"hungry\", \"read\": "
    "\"imap\"}},"
    "{\"id\": \"gw\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.0.2\", \"10.0.1.1\"]},"
    "{\"id\": \"mail.hamburger.edu\", \"role\": \"mail\", \"ip\": \"10.0.1.25\","
    " \"domains\": [\"hamburger.edu\"], \"users\": {\"bob\": {\"password\": \"hungry\"}},"
    " \"mailboxes\": {\"bob\": [%s]}}],"
    "\"links\": [{\"between\": [\"laptop\", \"gw\"]}, {\"between\": [\"phone\", \"gw\"]},"
    "{\"between\": [\"gw\", \"mail.hamburger.edu\"]}],"
    "\"script\": [%s]}";

/* Runs the script lines (a JSON array's inside) with bob's messages box. */
static void run_box(Sim *sim, const char *box, const char *script)
{
    size_t n = strlen(world_json) + strlen(box) + strlen(script) + 1;
    char *json = xmalloc(n);
    snprintf(json, n, world_json, box, script);
    World *w = tw_load("mailread.json", json);
    free(json);
    tw_run(sim, w, 1);
}

static void run(Sim *sim, const char *script)
{
    run_box(sim, MSGS, script);
}

/* What node's terminal showed (the command lines left out). */
static char *screen(const Sim *sim, int node)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->node == node && r->stream != CON_COMMAND &&
            r->stream != CON_EXIT)
            buf_puts(&b, r->text);
    }
    return buf_take(&b);
}

/* The commands node's mail sent, one a line. */
static char *wire(const Sim *sim, const char *node)
{
    char key[64];
    snprintf(key, sizeof key, "%s's mail (s-nail) sends ", node);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_NOTE && r->text && strncmp(r->text, key, strlen(key)) == 0)
            buf_printf(&b, "%s\n", r->text + strlen(key));
    }
    return buf_take(&b);
}

/* When node's mail first sent cmd (a line as wire() shows it); -1 never. */
static SimTime sent_at(const Sim *sim, const char *node, const char *cmd)
{
    char *want = xasprintf("%s's mail (s-nail) sends %s", node, cmd);
    SimTime t = -1;
    for (size_t i = 0; i < sim->trace.n && t < 0; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_NOTE && r->text && strcmp(r->text, want) == 0)
            t = r->time;
    }
    free(want);
    return t;
}

static Mailbox *bob(Sim *sim)
{
    return mail_server_mailbox(mail_server_of(sim, 3), "bob");
}

static void test_headline(void **state)
{
    (void)state;
    char line[512];
    /* what s-nail printed: a date older than half a year, size not yet fetched */
    mail_read_headline(line, sizeof line, true, 'N', 1, 2, "alice@crepes.fr", 1694422860,
                       1796311753, 0, 303, "Hello");
    assert_string_equal(line, "\xe2\x96\xb8N  1 alice@crepes.fr    2023-09-11           /303   "
                              "Hello                      ");
    /* read: lines/bytes; a long subject cut at the 80th column */
    mail_read_headline(line, sizeof line, false, 'R', 10, 11, "Alice Martin", 1694422980,
                       1796311753, 14, 301,
                       "A rather long subject line number 3 that goes on and on and on");
    assert_string_equal(line, " R 10 Alice Martin       2023-09-11         14/301   A rather long "
                              "subject line ");
    /* a recent date shows its time; a long sender is cut at 18 columns */
    mail_read_headline(line, sizeof line, false, 'O', 2, 2, "postmaster@hamburger.edu", 1694422800,
                       1694426400, 0, 315, "Welcome");
    assert_string_equal(line, " O  2 postmaster@hamburg 2023-09-11 09:00     /315   Welcome      "
                              "              ");
}

static void test_pop3_session(void **state)
{
    (void)state;
    Sim sim;
    run(&sim, "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"mail\", \"input\": [\"h\", \"p "
              "2\", \"n\", \"\", \"f\", \"t 1\", \"foo\", \"p 0\", \"p 9\", \"p abc\", \"d 1\", "
              "\"p 1\", \"h\", \"u 1\", \"d 1\", \"q\"]}");
    char *s = screen(&sim, 0);
    assert_non_null(strstr(s, "s-nail version v14.9.24.  Type `?' for help\n"
                              "pop3://bob@10.0.1.25: 3 messages 3 new\n"
                              "\xe2\x96\xb8N  1 alice@crepes.fr    2023-09-11 09:00     /305   "
                              "Hello                      \n"));
    assert_non_null(strstr(s, " N  3 postmaster@hamburg 2023-09-11 08:00     /315   Welcome"));
    /* the lone dot arrives undoubled; the retained headers only */
    assert_non_null(strstr(s, "? p 2\n[-- Message  2 -- 13 lines, 309 bytes --]:\nMessage-Id: "));
    assert_non_null(strstr(s, "Subject: The recipe\n\nCrepes for four:\n.\nThe line above is a "
                              "lone dot.\n\n? n\n[-- Message  3 --"));
    assert_null(strstr(s, "Return-Path"));
    assert_non_null(strstr(s, "? \nAt EOF\n"));
    assert_non_null(strstr(s, "? f\n\xe2\x96\xb8R  3 postmaster@hamburg 2023-09-11 08:00"));
    assert_non_null(strstr(s, "? foo\ns-nail: foo: unknown command\ns-nail: There are messages "
                              "in the error ring, manageable via `errors' command\n"));
    assert_non_null(strstr(s, "? p 0\ns-nail: 0: Invalid message number\n? p 9\ns-nail: 9: "
                              "Invalid message number\n? p abc\ns-nail: No applicable messages\n"));
    assert_non_null(strstr(s, "? p 1\ns-nail: 1: inappropriate message\n? h\n\xe2\x96\xb8R  2"));
    assert_non_null(strstr(s, "? q\npop3://bob@10.0.1.25 updated\n"));
    free(s);
    char *w = wire(&sim, "laptop");
    assert_string_equal(w, "USER bob\nPASS (the password)\nSTAT\nLIST 1\nLIST 2\nLIST 3\nTOP 1 "
                           "0\nTOP 2 0\nTOP 3 0\nRETR 2\nRETR 3\nRETR 1\nDELE 1\nQUIT\n");
    free(w);
    assert_int_equal(bob(&sim)->n, 2);
    assert_string_equal(bob(&sim)->msgs[0].subject, "The recipe");
    tw_done(&sim);
}

/* xit drops the connection: the server deletes nothing (no QUIT). */
static void test_pop3_xit_keeps(void **state)
{
    (void)state;
    Sim sim;
    run(&sim, "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"mail\", \"input\": [\"d 1\", "
              "\"d 2\", \"x\"]},"
              "{\"at\": \"30s\", \"on\": \"laptop\", \"run\": \"mail\", \"input\": [\"^D\"]}");
    assert_int_equal(bob(&sim)->n, 3);
    char *w = wire(&sim, "laptop");
    assert_null(strstr(w, "DELE"));
    free(w);
    char *s = screen(&sim, 0);
    assert_non_null(strstr(s, "pop3://bob@10.0.1.25: 3 messages 3 new\n"));
    free(s);
    tw_done(&sim);
}

/* IMAP: reading sets \Seen at quit, the next session shows O; a deleted
 * message goes with CLOSE. */
static void test_imap_session(void **state)
{
    (void)state;
    Sim sim;
    run(&sim, "{\"at\": \"1s\", \"on\": \"phone\", \"run\": \"mail\", \"input\": [\"p 1\", \"d "
              "3\", \"q\"]},"
              "{\"at\": \"30s\", \"on\": \"phone\", \"run\": \"mail -f "
              "imap://bob@10.0.1.25\", \"input\": [\"q\"]}");
    char *w = wire(&sim, "phone");
    assert_string_equal(w, "T1 CAPABILITY\nT2 LOGIN \"bob\" (the password)\nT3 SELECT "
                           "\"INBOX\"\nT4 FETCH 1:3 (FLAGS UID)\nT5 FETCH 1:3 (RFC822.SIZE "
                           "INTERNALDATE)\nT6 UID FETCH 1:3 (RFC822.HEADER)\nT7 UID FETCH 1 "
                           "(BODY.PEEK[TEXT])\nT8 UID STORE 1 +FLAGS (\\Seen)\n"
                           /* a deleted message counts as read */
                           "T9 UID STORE 3 +FLAGS (\\Seen)\nT10 UID STORE 3 +FLAGS "
                           "(\\Deleted)\nT11 CLOSE\nT12 LOGOUT\n"
                           "T1 CAPABILITY\nT2 LOGIN \"bob\" (the password)\nT3 SELECT "
                           "\"INBOX\"\nT4 FETCH 1:2 (FLAGS UID)\nT5 FETCH 1:2 (RFC822.SIZE "
                           "INTERNALDATE)\nT6 UID FETCH 1:2 (RFC822.HEADER)\nT7 LOGOUT\n");
    free(w);
    /* s-nail waits for the first STORE's reply only; the other STOREs and
     * CLOSE go out together, and LOGOUT after CLOSE's reply */
    SimTime t8 = sent_at(&sim, "phone", "T8 UID STORE 1 +FLAGS (\\Seen)");
    SimTime t9 = sent_at(&sim, "phone", "T9 UID STORE 3 +FLAGS (\\Seen)");
    SimTime t11 = sent_at(&sim, "phone", "T11 CLOSE");
    SimTime t12 = sent_at(&sim, "phone", "T12 LOGOUT");
    assert_true(t8 >= 0 && t8 < t9);
    assert_true(t9 == sent_at(&sim, "phone", "T10 UID STORE 3 +FLAGS (\\Deleted)"));
    assert_true(t9 == t11);
    assert_true(t11 < t12);
    Mailbox *b = bob(&sim);
    assert_int_equal(b->n, 2);
    assert_true(b->msgs[0].flags & MAIL_FLAG_SEEN);
    assert_false(b->msgs[1].flags & MAIL_FLAG_SEEN);
    char *s = screen(&sim, 1);
    assert_non_null(strstr(s, "imap://bob@10.0.1.25/INBOX: 3 messages 3 new\n"));
    assert_non_null(strstr(s, "? q\n\"imap://bob@10.0.1.25/INBOX\" updated.\n"));
    assert_non_null(strstr(s, "imap://bob@10.0.1.25/INBOX: 2 messages 1 unread\n"
                              " O  1 alice@crepes.fr    2023-09-11 09:00     /305   Hello"));
    assert_non_null(strstr(s, "\xe2\x96\xb8U  2 alice@crepes.fr"));
    free(s);
    tw_done(&sim);
}

/* Another user or server than the account's: s-nail asks for the password
 * (not echoed); a wrong one leaves no active mailbox. */
static void test_wrong_password(void **state)
{
    (void)state;
    Sim sim;
    run(&sim, "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"mail -f pop3://alice@10.0.1.25\", "
              "\"input\": [\"secret\", \"p 1\", \"h\", \"q\"]},"
              "{\"at\": \"30s\", \"on\": \"phone\", \"run\": \"mail -f imap://alice@10.0.1.25\", "
              "\"input\": [\"secret\"]},"
              "{\"at\": \"60s\", \"on\": \"phone\", \"run\": \"mail -f imap://bob@10.0.0.1\", "
              "\"input\": [\"secret\"]}");
    char *s = screen(&sim, 0);
    assert_non_null(strstr(s, "alice@10.0.1.25 requires a password: "));
    assert_null(strstr(s, "secret"));
    assert_non_null(strstr(s, "s-nail: POP3 error: -ERR [AUTH] Authentication failed.\n"
                              "s-nail version v14.9.24.  Type `?' for help\n"
                              "(Currently no active mailbox)\nNo more mail.\n"));
    assert_non_null(strstr(s, "? p 1\ns-nail: print: needs an active mailbox\n"));
    assert_non_null(strstr(s, "? h\ns-nail: headers: needs an active mailbox\n"));
    free(s);
    /* IMAP gives up at once, as does a refused connection */
    s = screen(&sim, 1);
    assert_non_null(strstr(s, "alice@10.0.1.25 requires a password: \n"
                              "s-nail: IMAP error: [AUTHENTICATIONFAILED] Authentication failed.\n"
                              "bob@10.0.0.1 requires a password: \n"
                              "s-nail: Could not connect(2): Connection refused\n"));
    free(s);
    tw_done(&sim);
}

/* Whatever is typed, the reader answers and goes on. */
/* An empty mailbox, over POP3 and IMAP: "No more mail." at the start and
 * for z, "No applicable messages" for any message list and for h, as
 * s-nail 14.9 answers with Dovecot (tests/interop/mail/mail_reader_empty.json). */
static void test_empty_mailbox(void **state)
{
    (void)state;
    static const char want[] = "0 messages\nNo more mail.\n? h\ns-nail: No applicable messages\n"
                               "s-nail: There are messages in the error ring, manageable via "
                               "`errors' command\n? p 1\ns-nail: No applicable messages\n? z\n"
                               "On last screenful of messages\nNo more mail.\n? f\ns-nail: No "
                               "applicable messages\n? n\nAt EOF\n? q\n";
    for (int node = 0; node < 2; node++) {
        Sim sim;
        char script[256];
        snprintf(script, sizeof script,
                 "{\"at\": \"1s\", \"on\": \"%s\", \"run\": \"mail\", \"input\": [\"h\", "
                 "\"p 1\", \"z\", \"f\", \"n\", \"q\"]}",
                 node ? "phone" : "laptop");
        run_box(&sim, "", script);
        char *s = screen(&sim, node);
        const char *at = strstr(s, "0 messages\n");
        assert_non_null(at);
        assert_string_equal(at, want);
        free(s);
        tw_done(&sim);
    }
}

static void test_nonsense(void **state)
{
    (void)state;
    Sim sim;
    run(&sim,
        "{\"at\": \"1s\", \"on\": \"phone\", \"run\": \"mail\", \"input\": [\"?\", "
        "\"help\", \"p 1-99\", \"p 3-1\", \"d\", \"d\", \"d\", \"d\", \"p\", \"n\", \"\", "
        "\"h\", \"f 2\", \"und 2\", \"u 2\", \"p -5\", \"d 99999999999999999999\", \"p 1 2x\", "
        "\"^C\", \"   \", \"!ls\", \"x\"]},"
        "{\"at\": \"60s\", \"on\": \"laptop\", \"run\": \"mail -f ftp://x\"},"
        "{\"at\": \"61s\", \"on\": \"laptop\", \"run\": \"mail -f\"},"
        "{\"at\": \"62s\", \"on\": \"laptop\", \"run\": \"mail -f pop3://@\"}");
    char *s = screen(&sim, 1);
    assert_non_null(strstr(s, "? ?\ns-nail commands -- <msglist>"));
    assert_non_null(strstr(s, "? p 1-99\ns-nail: 99: Invalid message number\n"));
    /* "3-1" is "1-3": three messages one line apart */
    assert_non_null(strstr(s, "? p 3-1\n[-- Message  1 --"));
    assert_non_null(strstr(s, "pickles?\n\n\n[-- Message  2 --"));
    assert_non_null(strstr(s, "? d\n? d\n? d\n? d\ns-nail: No applicable messages\n? p\n"
                              "s-nail: No applicable messages\n? n\nAt EOF\n"));
    assert_non_null(strstr(s, "? h\ns-nail: No applicable messages\n"));
    assert_non_null(strstr(s, "? u 2\ns-nail: Ignoring yet unused `u' command modifier!\n"
                              "[-- Message  2 --"));
    assert_non_null(strstr(s, "? !ls\ns-nail: shell escapes (!) are not available in minet's "
                              "mail\n"));
    free(s);
    s = screen(&sim, 0);
    assert_non_null(strstr(s, "s-nail: ftp://x: minet's mail reads only pop3://USER@SERVER or "
                              "imap://USER@SERVER\n"));
    free(s);
    assert_int_equal(bob(&sim)->n, 3); /* x: nothing stored */
    tw_done(&sim);
}

/* help and ? name one command (the first in s-nail's lookup order that
 * starts with the word), list prints them all as s-nail wraps them. */
static void test_help_and_list(void **state)
{
    (void)state;
    Buf out, err;
    buf_init(&out);
    buf_init(&err);
    assert_true(mail_read_help("help", " x", &out, &err));
    assert_true(mail_read_help("?", "p", &out, &err));
    assert_true(mail_read_help("help", "se  ", &out, &err));
    assert_true(mail_read_help("help", "delete", &out, &err));
    assert_string_equal(out.data,
                        "x (xit): Immediately return [<status>] to the shell without saving\n"
                        "p (print): Type all messages of <msglist>, honouring `ignore' / "
                        "`retain'\n"
                        "se (set): Print all variables, or set (a) <variable>(s)\n"
                        "delete: Delete <msglist>\n");
    buf_clear(&out);
    assert_true(mail_read_help("?", "", &out, &err));
    assert_true(strncmp(out.data, "s-nail commands -- <msglist>", 28) == 0);
    assert_false(mail_read_help("help", "foo", &out, &err));
    assert_string_equal(err.data, "Unknown command: `foo'");
    buf_clear(&err);
    assert_false(mail_read_help("?", "x p", &out, &err));
    assert_string_equal(err.data, "ERROR: ?: takes at least 0, and no more than 1 arg(s)\n"
                                  "s-nail: Synopsis: ?: Show help [[Option] for the given "
                                  "command]]");
    buf_clear(&out);
    mail_read_cmd_list(&out);
    assert_true(strncmp(out.data,
                        "Commands are:\n#, -, !, =, ?, |, alias, account, addrcodec, alternates, "
                        "answered, \nbind, copy,",
                        93) == 0);
    assert_non_null(strstr(out.data, "\nvpospar, write, xit, xcall, Z, z\n"));
    buf_fini(&out);
    buf_fini(&err);
}

/* 30 messages: one screenful of 22 at a time (z, z-, h N); IMAP fetches
 * the headers of what it shows, and the whole message to print one whose
 * headers it has not seen. */
static void test_screenfuls(void **state)
{
    (void)state;
    Buf box;
    buf_init(&box);
    for (int i = 1; i <= 30; i++)
        buf_printf(&box,
                   "%s{\"from\": \"alice@crepes.fr\", \"subject\": \"Note %d\", \"date\": "
                   "\"Mon, 11 Sep 2023 09:%02d:00 +0000\", \"body\": \"Note %d.\\n\"}",
                   i > 1 ? "," : "", i, i, i);
    Sim sim;
    run_box(&sim, box.data,
            "{\"at\": \"1s\", \"on\": \"phone\", \"run\": \"mail\", \"input\": [\"p 30\", "
            "\"z\", \"z\", \"z-\", \"z-\", \"h 25\", \"d 1-5\", \"h\", \"z\", \"x\"]}");
    buf_fini(&box);
    char *w = wire(&sim, "phone");
    assert_non_null(strstr(w, "T5 FETCH 1:30 (RFC822.SIZE INTERNALDATE)\nT6 UID FETCH 1:22 "
                              "(RFC822.HEADER)\nT7 UID FETCH 30 (BODY.PEEK[])\nT8 UID FETCH "
                              "23:29 (RFC822.HEADER)\n"));
    assert_null(strstr(w, "T9"));
    free(w);
    char *s = screen(&sim, 1);
    assert_non_null(strstr(s, " N 22 alice@crepes.fr    2023-09-11 09:22     /2"));
    assert_non_null(strstr(s, "? z\n\xe2\x96\xb8N 23 "));
    assert_non_null(strstr(s, "? z\nOn last screenful of messages\n\xe2\x96\xb8N 23 "));
    assert_non_null(strstr(s, "? z-\n\xe2\x96\xb8N  1 "));
    assert_non_null(strstr(s, "? z-\nOn first screenful of messages\n\xe2\x96\xb8N  1 "));
    assert_non_null(strstr(s, "? h 25\n\xe2\x96\xb8N 23 "));
    assert_non_null(strstr(s, " R 30 alice@crepes.fr    2023-09-11 09:30   11/"));
    /* after d 1-5 the screenfuls count the 25 left: 6 to 27, then 28 to 30 */
    assert_non_null(strstr(s, "? h\n\xe2\x96\xb8N  6 "));
    assert_non_null(strstr(s, " N 27 alice@crepes.fr    2023-09-11 09:27     /275   Note 27   "
                              "                 \n? z\n\xe2\x96\xb8N 28 "));
    free(s);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headline),       cmocka_unit_test(test_pop3_session),
        cmocka_unit_test(test_pop3_xit_keeps), cmocka_unit_test(test_imap_session),
        cmocka_unit_test(test_wrong_password), cmocka_unit_test(test_nonsense),
        cmocka_unit_test(test_help_and_list),  cmocka_unit_test(test_screenfuls),
        cmocka_unit_test(test_empty_mailbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
