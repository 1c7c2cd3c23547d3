/* POP3 and IMAP against Dovecot 2.3: each command in each state, with the
 * replies a real Dovecot gave for the same mailbox (ssl = no,
 * disable_plaintext_auth = no, auth_mechanisms = plain login, Maildir; its
 * UIDVALIDITY differs and is not compared); UPDATE-state deletion and a
 * dropped connection; two POP3 sessions at once (no lock); flags through
 * FETCH, STORE and EXPUNGE, kept across sessions with the UIDs; a lone
 * dot (byte-stuffing); mail delivered during an IMAP session; a large
 * mailbox; the two command parsers.  Run from the repository's top
 * folder. */
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
#include "proto/mail/imap_cmd.h"
#include "proto/mail/mail_server.h"
#include "proto/mail/pop3_cmd.h"

#define MSGS                                                                                       \
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"Hello\", \"date\": \"Mon, 11 Sep 2023 "        \
    "09:00:00 +0000\", \"body\": \"Do you like ketchup?\\nHow about pickles?\\n\"},"               \
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"The recipe\", \"date\": \"Mon, 11 Sep 2023 "   \
    "09:05:00 +0000\", \"body\": \"Crepes for four:\\n.\\nThe line above is a lone dot.\\n\"},"    \
    "{\"from\": \"postmaster@hamburger.edu\", \"subject\": \"Welcome\", \"date\": \"Mon, 11 Sep "  \
    "2023 08:00:00 +0000\", \"body\": \"Welcome to hamburger.edu mail.\\n\"}"

/* client 10.0.0.10, phone 10.0.0.11, the server mail.hamburger.edu
 * 10.0.1.25 with bob's three messages (or the mailbox given). */
static const char world_json[] =
    "{\"minet\": 1, \"title\": \"t\", \"nodes\": ["
    "{\"id\": \"client\", \"role\": \"host\", \"ip\": \"10.0.0.10\"},"
    "{\"id\": \"phone\", \"role\": \"host\", \"ip\": \"10.0.0.11\"},"
    "{\"id\": \"gw\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.0.2\", \"10.0.1.1\"]},"
    "{\"id\": \"mail.hamburger.edu\", \"role\": \"mail\", \"ip\": \"10.0.1.25\","
    " \"domains\": [\"hamburger.edu\"], \"users\": {\"bob\": {\"password\": \"hungry\"}},"
    " \"relay_from\": [\"10.0.0.11\"], \"mailboxes\": {\"bob\": [%s]}}],"
    "\"links\": [{\"between\": [\"client\", \"gw\"]}, {\"between\": [\"phone\", \"gw\"]},"
    "{\"between\": [\"gw\", \"mail.hamburger.edu\"]}],"
    "\"script\": [%s]}";

static World *load_box(const char *box, const char *script)
{
    size_t n = strlen(world_json) + strlen(box) + strlen(script) + 1;
    char *json = xmalloc(n);
    snprintf(json, n, world_json, box, script);
    World *w = tw_load("popimap.json", json);
    free(json);
    return w;
}

/* What node's terminal shows, from the server's greeting on. */
static char *transcript(const Sim *sim, int node)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->node == node && r->stream != CON_COMMAND &&
            r->stream != CON_EXIT)
            buf_puts(&b, r->text);
    }
    char *all = buf_take(&b);
    char *start = strstr(all, "+OK Dovecot");
    if (!start)
        start = strstr(all, "* OK [CAPABILITY");
    assert_non_null(start);
    char *out = xstrdup(start);
    free(all);
    return out;
}

/* Runs one telnet to port with the typed lines (a JSON array's inside). */
static char *dialogue(Sim *sim, int port, const char *lines)
{
    char script[16384];
    snprintf(script, sizeof script,
             "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 %d\", \"input\": "
             "[%s]}",
             port, lines);
    tw_run(sim, load_box(MSGS, script), 1);
    return transcript(sim, 0);
}

static Mailbox *bob(Sim *sim)
{
    return mail_server_mailbox(mail_server_of(sim, 3), "bob");
}

/* How many "mailbox" state records with op were written. */
static size_t box_records(const Sim *sim, const char *op)
{
    size_t n = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_STATE && strcmp(r->table, "mailbox") == 0 && strcmp(r->op, op) == 0)
            n++;
    }
    return n;
}

/* Masks the UIDL's UIDVALIDITY half (8 hex digits after the UID's 8). */
static void mask_uidl(char *t)
{
    for (char *p = t; (p = strstr(p, "0000000")) != NULL; p += 16)
        if (strlen(p) >= 16 && p[16] == '\n')
            memset(p + 8, 'V', 8);
}

static void test_pop3_authorization(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 110,
                       "\"STAT\", \"\", \"PASS x\", \"CAPA\", \"AUTH\", \"AUTH CRAM-MD5\", "
                       "\"USER bob\", \"PASS ketchup\", \"PASS hungry\", \"QUIT\"");
    assert_string_equal(t, "+OK Dovecot (Debian) ready.\n"
                           "STAT\n"
                           "-ERR Unknown command.\n"
                           "\n"
                           "-ERR Unknown command.\n"
                           "PASS x\n"
                           "-ERR No username given.\n"
                           "CAPA\n"
                           "+OK\nCAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\nUSER\n"
                           "SASL PLAIN LOGIN\n.\n"
                           "AUTH\n"
                           "+OK\nPLAIN\nLOGIN\n.\n"
                           "AUTH CRAM-MD5\n"
                           "-ERR [AUTH] Unsupported authentication mechanism.\n"
                           "USER bob\n"
                           "+OK\n"
                           /* typed during the 2 s pause, answered in order after it */
                           "PASS ketchup\n"
                           "PASS hungry\n"
                           "QUIT\n"
                           "-ERR [AUTH] Authentication failed.\n"
                           "-ERR No username given.\n"
                           "+OK Logging out\n"
                           "Connection closed by foreign host.\n");
    free(t);
    tw_done(&sim);
}

static void test_pop3_transaction(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 110,
                       "\"user bob\", \"pass hungry\", \"CAPA\", \"USER bob\", \"STAT\", "
                       "\"LIST\", \"LIST 2\", \"LIST 9\", \"LIST 0\", \"LIST 1 2\", \"UIDL 3\", "
                       "\"RETR x\", \"RETR 99999999999\", \"RETR 1x\", \"TOP 1\", \"TOP 1 x\", "
                       "\"TOP 1 1 x\", \"TOP 2 1\", \"RETR 2\", \"DELE 2\", \"RETR 2\", "
                       "\"DELE 2\", \"STAT\", \"RSET\", \"STAT\", \"NOOP\", \"FOO\", \"QUIT\"");
    mask_uidl(t);
    const char *hdr2 = "Return-Path: <alice@crepes.fr>\n"
                       "X-Original-To: bob@hamburger.edu\n"
                       "Delivered-To: bob@hamburger.edu\n";
    char want[8192];
    snprintf(want, sizeof want,
             "+OK Dovecot (Debian) ready.\n"
             "user bob\n+OK\n"
             "pass hungry\n+OK Logged in.\n"
             "CAPA\n+OK\nCAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\n.\n"
             "USER bob\n-ERR Unknown command: USER\n"
             "STAT\n+OK 3 940\n"
             "LIST\n+OK 3 messages:\n1 305\n2 320\n3 315\n.\n"
             "LIST 2\n+OK 2 320\n"
             "LIST 9\n-ERR There's no message 9.\n"
             "LIST 0\n-ERR There's no message 0.\n"
             "LIST 1 2\n-ERR Noise after message number:  2\n"
             "UIDL 3\n+OK 3 00000003VVVVVVVV\n"
             "RETR x\n-ERR Invalid message number: x\n"
             "RETR 99999999999\n-ERR Message number too large: \n"
             "RETR 1x\n-ERR Noise after message number: x\n"
             "TOP 1\n-ERR Noise after message number: \n"
             "TOP 1 x\n-ERR Invalid size: x\n"
             "TOP 1 1 x\n-ERR Noise after size:  x\n"
             "TOP 2 1\n+OK\n%s"
             "Message-Id: <20230911090000.XXXXXXXXXXX@mail.hamburger.edu>\n"
             "Date: Mon, 11 Sep 2023 09:05:00 +0000\n"
             "From: alice@crepes.fr\nTo: bob@hamburger.edu\nSubject: The recipe\n\n"
             "Crepes for four:\n.\n"
             "RETR 2\n+OK 320 octets\n%s"
             "Message-Id: <20230911090000.XXXXXXXXXXX@mail.hamburger.edu>\n"
             "Date: Mon, 11 Sep 2023 09:05:00 +0000\n"
             "From: alice@crepes.fr\nTo: bob@hamburger.edu\nSubject: The recipe\n\n"
             "Crepes for four:\n..\nThe line above is a lone dot.\n.\n"
             "DELE 2\n+OK Marked to be deleted.\n"
             "RETR 2\n-ERR Message is deleted.\n"
             "DELE 2\n-ERR Message is deleted.\n"
             "STAT\n+OK 2 620\n"
             "RSET\n+OK\n"
             "STAT\n+OK 3 940\n"
             "NOOP\n+OK\n"
             "FOO\n-ERR Unknown command: FOO\n"
             "QUIT\n+OK Logging out.\n"
             "Connection closed by foreign host.\n",
             hdr2, hdr2);
    /* the queue ids in Message-Id vary with the seed */
    for (char *p = t; (p = strstr(p, "<20230911090000.")) != NULL; p++)
        memset(p + 16, 'X', 11);
    assert_string_equal(t, want);
    /* RETR marked message 2 \Seen at once; nothing left (RSET, then QUIT) */
    Mailbox *mb = bob(&sim);
    assert_int_equal(mb->n, 3);
    assert_true(mb->msgs[1].flags & MAIL_FLAG_SEEN);
    assert_false(mb->msgs[0].flags & MAIL_FLAG_SEEN);
    free(t);
    tw_done(&sim);
}

/* DELE takes effect only at QUIT; a connection dropped without QUIT
 * deletes nothing, and the inspector sees the removal. */
static void test_pop3_update_state(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 110,
                       "\"USER bob\", \"PASS hungry\", \"DELE 1\", \"DELE 3\", \"^]\", \"close\"");
    assert_non_null(strstr(t, "DELE 3\n+OK Marked to be deleted.\n"));
    assert_int_equal(bob(&sim)->n, 3);
    assert_int_equal(box_records(&sim, "del"), 0);
    free(t);
    tw_done(&sim);

    t = dialogue(&sim, 110, "\"USER bob\", \"PASS hungry\", \"DELE 1\", \"DELE 3\", \"QUIT\"");
    assert_non_null(strstr(t, "QUIT\n+OK Logging out, messages deleted.\n"));
    Mailbox *mb = bob(&sim);
    assert_int_equal(mb->n, 1);
    assert_int_equal(mb->msgs[0].uid, 2);
    assert_int_equal(box_records(&sim, "del"), 2);
    free(t);
    tw_done(&sim);
}

/* pop3_lock_session = no: a second session logs in while the first is
 * open; what one removes, the other still lists, and RETR says it is
 * gone (Dovecot's words). */
static void test_pop3_no_lock(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 110\", \"input\": "
        "[\"USER bob\", \"PASS hungry\", \"STAT\", {\"at\": \"20s\", \"text\": \"STAT\"}, "
        "\"UIDL 1\", \"RETR 1\", \"DELE 1\", \"QUIT\"]},"
        "{\"at\": \"6s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 110\", \"input\": "
        "[\"USER bob\", \"PASS hungry\", \"DELE 1\", \"QUIT\"]}";
    tw_run(&sim, load_box(MSGS, script), 1);
    char *phone = transcript(&sim, 1), *laptop = transcript(&sim, 0);
    assert_non_null(strstr(phone, "PASS hungry\n+OK Logged in.\n"));
    assert_non_null(strstr(phone, "QUIT\n+OK Logging out, messages deleted.\n"));
    mask_uidl(laptop);
    assert_non_null(strstr(laptop, "STAT\n+OK 3 940\nSTAT\n+OK 3 940\nUIDL 1\n+OK 1 "
                                   "00000001VVVVVVVV\nRETR 1\n-ERR Message 1 expunged.\n"
                                   "DELE 1\n+OK Marked to be deleted.\n"
                                   "QUIT\n+OK Logging out, messages deleted.\n"));
    assert_int_equal(bob(&sim)->n, 2);
    free(phone);
    free(laptop);
    tw_done(&sim);
}

/* Dovecot's authentication penalty: after a failure, the next login from
 * the same address waits until 4 s after the failure's answer (8 s after
 * two different failures); the same wrong password again does not raise
 * it, and a login resets it. */
static void test_auth_penalty(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob x\", \"b LOGIN bob hungry\", \"c LOGOUT\"]},"
        "{\"at\": \"30s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 110\", \"input\": "
        "[\"USER bob\", \"PASS y\", \"USER bob\", \"PASS z\", \"USER bob\", \"PASS hungry\", "
        "\"QUIT\"]}";
    tw_run(&sim, load_box(MSGS, script), 1);
    SimTime sent[8] = {0}, answered[8] = {0};
    size_t ns = 0, na = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_CONSOLE || !r->text)
            continue;
        if (strstr(r->text, "LOGIN bob") || strncmp(r->text, "PASS ", 5) == 0)
            sent[ns < 8 ? ns++ : 7] = r->time;
        if (strstr(r->text, "Authentication failed") || strstr(r->text, "Logged in"))
            answered[na < 8 ? na++ : 7] = r->time;
    }
    assert_int_equal(ns, 5);
    assert_int_equal(na, 5);
    /* a: 2 s; b: until 4 s after a's answer */
    assert_true(answered[0] - sent[0] >= 2000000 && answered[0] - sent[0] < 2200000);
    assert_true(answered[1] >= answered[0] + 4000000 && answered[1] < answered[0] + 4200000);
    /* the phone's address has its own count: y fails in 2 s; z waits for
     * the 4 s, then fails; hungry waits 8 s after z's answer */
    assert_true(answered[2] - sent[2] < 2200000);
    assert_true(answered[3] >= answered[2] + 4000000 + 2000000);
    assert_true(answered[4] >= answered[3] + 8000000 && answered[4] < answered[3] + 8200000);
    tw_done(&sim);
}

static void test_imap_not_authenticated(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"n1 NOOP\", \"n2 FOO\", \"n3 LOGIN\", \"n4 SELECT INBOX\", \"n5 "
                       "CAPABILITY\", \"n6 LOGIN bob ketchup\", \"n7 LOGIN \\\"bob\\\" "
                       "\\\"hungry\\\"\", \"n8 LOGIN bob hungry\", \"n9 LOGOUT\"");
    const char *post = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
                       "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND "
                       "URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
                       "I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN "
                       "CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY "
                       "PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY";
    char want[4096];
    snprintf(want, sizeof want,
             "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
             "AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\n"
             "n1 NOOP\nn1 OK NOOP completed.\n"
             "n2 FOO\nn2 BAD Error in IMAP command received by server.\n"
             "n3 LOGIN\nn3 BAD Error in IMAP command received by server.\n"
             "n4 SELECT INBOX\nn4 BAD Error in IMAP command received by server.\n"
             "n5 CAPABILITY\n* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
             "LITERAL+ AUTH=PLAIN AUTH=LOGIN\n"
             "n5 OK Pre-login capabilities listed, post-login capabilities have more.\n"
             /* typed during the 2 s pause, answered in order after it; n7
              * waits 4 s more (the penalty of n6's failure) */
             "n6 LOGIN bob ketchup\nn7 LOGIN \"bob\" \"hungry\"\nn8 LOGIN bob hungry\n"
             "n6 NO [AUTHENTICATIONFAILED] Authentication failed.\n"
             "n9 LOGOUT\n"
             /* after CAPABILITY, Dovecot lists them untagged at login */
             "* CAPABILITY %s\nn7 OK Logged in\n"
             "n8 BAD Error in IMAP command LOGIN: Unknown command (0.001 + 0.000 secs).\n"
             "* BYE Logging out\nn9 OK Logout completed (0.001 + 0.000 secs).\n"
             "Connection closed by foreign host.\n",
             post);
    assert_string_equal(t, want);
    free(t);
    tw_done(&sim);
}

/* Strings sent as literals: {n} with the server's "+ OK" before the
 * client goes on, LITERAL+'s {n+} without, a literal after a command
 * that never reads its arguments (none asked for), and one too large,
 * after which Dovecot hangs up (make interop compares them all with the
 * real one). */
static void test_imap_literals(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"a1 LOGIN {3}\", \"bob {6}\", \"hungry\", \"a2 SELECT {5+}\", "
                       "\"INBOX\", \"a3 STATUS {5}\", \"INBOX (MESSAGES)\", \"a4 NOOP {0}\", "
                       "\"a5 NOOP (\", \"a6 LIST {abc}\", \"a7 EXAMINE {65521}\", \"a8 NOOP\"");
    const char *want[] = {
        "a1 LOGIN {3}\n+ OK\nbob {6}\n+ OK\nhungry\na1 OK [CAPABILITY",
        "a2 SELECT {5+}\nINBOX\n* FLAGS (",
        "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\n"
        "a3 STATUS {5}\n+ OK\nINBOX (MESSAGES)\n* STATUS INBOX (MESSAGES 3)\n"
        "a3 OK [CLIENTBUG] Status on selected mailbox completed (0.001 + 0.000 secs).\n"
        "a4 NOOP {0}\na4 OK NOOP completed (0.001 + 0.000 secs).\n"
        "a5 NOOP (\na5 OK NOOP completed (0.001 + 0.000 secs).\n"
        "a6 LIST {abc}\na6 BAD Error in IMAP command LIST: Invalid literal size (0.001 + 0.000 "
        "secs).\n"
        "a7 EXAMINE {65521}\n* BYE Literal size too large\nConnection closed by foreign host.\n"};
    const char *at = t;
    for (size_t i = 0; i < MN_ARRAY_LEN(want); i++) {
        const char *p = strstr(at, want[i]);
        if (!p)
            fail_msg("no \"%s\" in:\n%s", want[i], t);
        at = p + strlen(want[i]);
    }
    assert_string_equal(at - strlen(want[2]), want[2]); /* the end: a8 never typed */
    free(t);
    tw_done(&sim);
    t = dialogue(&sim, 143, "\"b1 NOOP {abc}\", \"b2 LOGIN a {3} b\", \"b3 LOGIN {8179}\"");
    assert_non_null(strstr(t, "b1 NOOP {abc}\nb1 BAD Invalid literal size\n"
                              "b2 LOGIN a {3} b\n+ OK\nb2 BAD Missing LF after literal size\n"
                              "b3 LOGIN {8179}\n* BYE Literal size too large\n"));
    free(t);
    tw_done(&sim);
}

/* APPEND as Dovecot answers it (tests/interop/mail/imap_append.json has
 * the whole comparison): "+ OK", the message, APPENDUID; a folder that
 * does not exist is refused before "+ OK"; the message keeps its flags
 * and date, and the selected mailbox reports it at once. */
static void test_imap_append(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"a1 LOGIN bob hungry\", \"a2 SELECT INBOX\", "
                       "\"a3 APPEND INBOX (\\\\Seen) \\\"05-Dec-2026 10:00:00 +0100\\\" {19}\", "
                       "\"Subject: hi\", \"\", \"yo\", \"\", \"a4 APPEND Nosuch {4}\", "
                       "\"a5 FETCH 4 (FLAGS INTERNALDATE RFC822.SIZE BODY[TEXT])\", "
                       "\"a6 APPEND INBOX {0}\", \"a7 APPEND INBOX\"");
    const char *want[] = {
        "{19}\n+ OK\nSubject: hi\n\nyo\n\n* 4 EXISTS\n* 4 RECENT\n"
        "a3 OK [APPENDUID ",
        " 4] Append completed (0.001 + 0.000 secs).\n",
        "a4 APPEND Nosuch {4}\na4 NO [TRYCREATE] Mailbox doesn't exist: Nosuch (0.001 + 0.000 "
        "secs).\n",
        "* 4 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \"05-Dec-2026 09:00:00 +0000\" "
        "RFC822.SIZE 19 BODY[TEXT] {4}\nyo\n)\n",
        "a6 APPEND INBOX {0}\na6 NO Can't save a zero byte message (0.001 + 0.000 secs).\n",
        "a7 APPEND INBOX\na7 BAD Error in IMAP command APPEND: Missing message size (0.001 + "
        "0.000 secs).\n"};
    const char *at = t;
    for (size_t i = 0; i < MN_ARRAY_LEN(want); i++) {
        const char *p = strstr(at, want[i]);
        if (!p)
            fail_msg("no \"%s\" in:\n%s", want[i], t);
        at = p + strlen(want[i]);
    }
    free(t);
    tw_done(&sim);
}

/* Lines that are not commands, after login and before, in Dovecot's
 * words. */
static void test_imap_syntax_errors(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(
        &sim, 143,
        "\"\", \"a AUTHENTICATE CRAM-MD5\", \"b AUTHENTICATE PLAIN\", \"*\", \"c AUTHENTICATE "
        "PLAIN AGJvYgBodW5ncnk=\", \"\", \"x\", \"d FETCH 1 (FLAGS))\", \"e LOGIN \\\"bob\", "
        "\"f SELECT \\\"INBOX\", \"g STATUS INBOX (BOGUS)\", \"h LIST\", \"i LIST \\\"\\\" "
        "\\\"\\\"\", \"j CREATE \\\"\\\"\", \"k UID foo 1\", \"l UID\", \"m SELECT INBOX\", \"n "
        "FETCH 1 (FLAGS\", \"o FETCH 1 BODY[BOGUS]\", \"p FETCH 1 (FLAGS FLAGS)\", \"q UID COPY "
        "99 INBOX\", \"r COPY 99 INBOX\", \"s STORE 1 BOGUS (\\\\Seen)\", \"t CHECK\", \"u "
        "LOGOUT\"");
    char *p = strstr(t, "ready.\n");
    assert_non_null(p);
    char *logged = strstr(p, "] Logged in\n");
    assert_non_null(logged);
    *strstr(p, "c OK [CAPABILITY") = '\0';
    assert_string_equal(p, "ready.\n"
                           "\n* BAD Error in IMAP command received by server.\n"
                           "a AUTHENTICATE CRAM-MD5\n"
                           "a NO [ALERT] Unsupported authentication mechanism.\n"
                           "b AUTHENTICATE PLAIN\n+ \n*\n"
                           "b BAD Authentication aborted by client.\n"
                           "c AUTHENTICATE PLAIN AGJvYgBodW5ncnk=\n");
    assert_string_equal(
        logged + 12,
        "\n* BAD Error in IMAP tag: Invalid tag (0.001 + 0.000 secs).\n"
        "x\nx BAD Error in IMAP command: Invalid command name (0.001 + 0.000 secs).\n"
        "d FETCH 1 (FLAGS))\nd BAD Error in IMAP command FETCH: Unexpected ')' (0.001 + 0.000 "
        "secs).\n"
        "e LOGIN \"bob\ne BAD Error in IMAP command LOGIN: Unknown command (0.001 + 0.000 "
        "secs).\n"
        "f SELECT \"INBOX\nf BAD Error in IMAP command SELECT: Missing '\"' (0.001 + 0.000 "
        "secs).\n"
        "g STATUS INBOX (BOGUS)\ng BAD Error in IMAP command STATUS: Invalid status item BOGUS "
        "(0.001 + 0.000 secs).\n"
        "h LIST\nh BAD Error in IMAP command LIST: Invalid reference (0.001 + 0.000 secs).\n"
        "i LIST \"\" \"\"\n* LIST (\\Noselect) \".\" \"\"\ni OK List completed (0.001 + 0.000 "
        "secs).\n"
        "j CREATE \"\"\nj NO [CANNOT] Invalid mailbox name: Name is empty (0.001 + 0.000 "
        "secs).\n"
        "k UID foo 1\nk BAD Error in IMAP command UID FOO: Unknown command (0.001 + 0.000 "
        "secs).\n"
        "l UID\nl BAD Error in IMAP command: Invalid command name (0.001 + 0.000 secs).\n"
        "m SELECT INBOX\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n"
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
        "permitted.\n"
        "* 3 EXISTS\n* 3 RECENT\n* OK [UNSEEN 1] First unseen.\n"
        "* OK [UIDVALIDITY 1694422800] UIDs valid\n* OK [UIDNEXT 4] Predicted next UID\n"
        "m OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\n"
        "n FETCH 1 (FLAGS\nn BAD Error in IMAP command FETCH: Missing ')' (0.001 + 0.000 "
        "secs).\n"
        "o FETCH 1 BODY[BOGUS]\no BAD Error in IMAP command FETCH: Invalid BODY[..] section "
        "(0.001 + 0.000 secs).\n"
        "p FETCH 1 (FLAGS FLAGS)\n* 1 FETCH (FLAGS (\\Recent))\np OK Fetch completed (0.001 + "
        "0.000 secs).\n"
        "q UID COPY 99 INBOX\nq OK No messages found (0.001 + 0.000 secs).\n"
        "r COPY 99 INBOX\nr BAD Error in IMAP command COPY: Invalid messageset (0.001 + 0.000 "
        "secs).\n"
        "s STORE 1 BOGUS (\\Seen)\ns BAD Error in IMAP command STORE: Invalid arguments (0.001 "
        "+ 0.000 secs).\n"
        "t CHECK\nt OK Check completed (0.001 + 0.000 secs).\n"
        "u LOGOUT\n* BYE Logging out\nu OK Logout completed (0.001 + 0.000 secs).\n"
        "Connection closed by foreign host.\n");
    free(t);
    tw_done(&sim);
}

/* The authenticated and selected states, the replies Dovecot gave. */
static void test_imap_selected(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(
        &sim, 143,
        "\"a LOGIN bob hungry\", \"x1 FOO\", \"x2 SELECT\", \"x3 SELECT Nope\", \"x4 FETCH 1 "
        "FLAGS\", \"x5 STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)\", \"x6 LSUB \\\"\\\" "
        "\\\"*\\\"\", \"x7 SELECT INBOX\", \"y1 FETCH 5 FLAGS\", \"y2 FETCH 1 BOGUS\", "
        "\"y3 FETCH 1\", \"y4 FETCH 2 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Subject "
        "From)])\", \"y5 FETCH 2 FLAGS\", \"y6 UID FETCH 2 BODY[TEXT]<0.8>\", \"y7 STORE 1 "
        "+FLAGS \\\\Bogus\", \"y8 STORE 1 +FLAGS (\\\\Deleted)\", \"y9 STORE 1 "
        "-FLAGS.SILENT (\\\\Deleted)\", \"z1 UID STORE 3 FLAGS (\\\\Flagged \\\\Answered)\", "
        "\"z2 COPY 1 Nope\", \"z3 CREATE Archive\", \"z4 CREATE INBOX\", \"z5 UID COPY 2:3 "
        "Archive\", \"z6 LIST \\\"\\\" %\", \"z7 STORE 3 +FLAGS (\\\\Deleted)\", \"z8 "
        "EXPUNGE\", \"z9 FETCH 1:* (UID FLAGS)\", \"q1 CLOSE\", \"q2 FETCH 1 FLAGS\", \"q3 "
        "LOGOUT\"");
    char *p = strstr(t, "x1 FOO");
    assert_non_null(p);
    assert_string_equal(
        p, "x1 FOO\nx1 BAD Error in IMAP command FOO: Unknown command (0.001 + 0.000 secs).\n"
           "x2 SELECT\nx2 BAD Error in IMAP command SELECT: Invalid arguments (0.001 + 0.000 "
           "secs).\n"
           "x3 SELECT Nope\nx3 NO Mailbox doesn't exist: Nope (0.001 + 0.000 secs).\n"
           "x4 FETCH 1 FLAGS\nx4 BAD No mailbox selected (0.001 + 0.000 secs).\n"
           "x5 STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)\n"
           "* STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UNSEEN 3)\n"
           "x5 OK Status completed (0.001 + 0.000 secs).\n"
           "x6 LSUB \"\" \"*\"\nx6 OK Lsub completed (0.001 + 0.000 secs).\n"
           "x7 SELECT INBOX\n"
           "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\n"
           "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
           "permitted.\n"
           "* 3 EXISTS\n* 3 RECENT\n* OK [UNSEEN 1] First unseen.\n"
           "* OK [UIDVALIDITY 1694422800] UIDs valid\n"
           "* OK [UIDNEXT 4] Predicted next UID\n"
           "x7 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\n"
           "y1 FETCH 5 FLAGS\ny1 BAD Error in IMAP command FETCH: Invalid messageset (0.001 + "
           "0.000 secs).\n"
           "y2 FETCH 1 BOGUS\ny2 BAD Error in IMAP command FETCH: Unknown parameter: BOGUS (0.001 "
           "+ 0.000 secs).\n"
           "y3 FETCH 1\ny3 BAD Error in IMAP command FETCH: Invalid arguments (0.001 + 0.000 "
           "secs).\n"
           "y4 FETCH 2 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Subject From)])\n"
           "* 2 FETCH (UID 2 RFC822.SIZE 320 BODY[HEADER.FIELDS (SUBJECT FROM)] {46}\n"
           "From: alice@crepes.fr\nSubject: The recipe\n\n)\n"
           "y4 OK Fetch completed (0.001 + 0.000 secs).\n"
           "y5 FETCH 2 FLAGS\n* 2 FETCH (FLAGS (\\Recent))\n"
           "y5 OK Fetch completed (0.001 + 0.000 secs).\n"
           "y6 UID FETCH 2 BODY[TEXT]<0.8>\n"
           "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) BODY[TEXT]<0> {8}\nCrepes f)\n"
           "y6 OK Fetch completed (0.001 + 0.000 secs).\n"
           "y7 STORE 1 +FLAGS \\Bogus\ny7 BAD Error in IMAP command STORE: Invalid system flag "
           "\\BOGUS (0.001 + 0.000 secs).\n"
           "y8 STORE 1 +FLAGS (\\Deleted)\n* 1 FETCH (FLAGS (\\Deleted \\Recent))\n"
           "y8 OK Store completed (0.001 + 0.000 secs).\n"
           "y9 STORE 1 -FLAGS.SILENT (\\Deleted)\ny9 OK Store completed (0.001 + 0.000 secs).\n"
           "z1 UID STORE 3 FLAGS (\\Flagged \\Answered)\n"
           "* 3 FETCH (UID 3 FLAGS (\\Answered \\Flagged \\Recent))\n"
           "z1 OK Store completed (0.001 + 0.000 secs).\n"
           "z2 COPY 1 Nope\nz2 NO [TRYCREATE] Mailbox doesn't exist: Nope (0.001 + 0.000 "
           "secs).\n"
           "z3 CREATE Archive\nz3 OK Create completed (0.001 + 0.000 secs).\n"
           "z4 CREATE INBOX\nz4 NO [ALREADYEXISTS] Mailbox already exists (0.001 + 0.000 "
           "secs).\n"
           "z5 UID COPY 2:3 Archive\nz5 OK [COPYUID 1694422801 2:3 1:2] Copy completed (0.001 "
           "+ 0.000 secs).\n"
           "z6 LIST \"\" %\n* LIST (\\HasNoChildren) \".\" Archive\n"
           "* LIST (\\HasNoChildren) \".\" INBOX\nz6 OK List completed (0.001 + 0.000 secs).\n"
           "z7 STORE 3 +FLAGS (\\Deleted)\n"
           "* 3 FETCH (FLAGS (\\Answered \\Flagged \\Deleted \\Recent))\n"
           "z7 OK Store completed (0.001 + 0.000 secs).\n"
           "z8 EXPUNGE\n* 3 EXPUNGE\n* 2 RECENT\nz8 OK Expunge completed (0.001 + 0.000 secs).\n"
           "z9 FETCH 1:* (UID FLAGS)\n* 1 FETCH (UID 1 FLAGS (\\Recent))\n"
           "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\n"
           "z9 OK Fetch completed (0.001 + 0.000 secs).\n"
           "q1 CLOSE\nq1 OK Close completed (0.001 + 0.000 secs).\n"
           "q2 FETCH 1 FLAGS\nq2 BAD No mailbox selected (0.001 + 0.000 secs).\n"
           "q3 LOGOUT\n* BYE Logging out\nq3 OK Logout completed (0.001 + 0.000 secs).\n"
           "Connection closed by foreign host.\n");
    /* the store: message 3 gone, 2 \Seen, the folder holds copies */
    Mailbox *mb = bob(&sim);
    assert_int_equal(mb->n, 2);
    assert_int_equal(mb->msgs[1].flags & ~(unsigned)MAIL_FLAG_RECENT, MAIL_FLAG_SEEN);
    assert_int_equal(box_records(&sim, "del"), 1);
    free(t);
    tw_done(&sim);
}

/* Flags and UIDs live on the server: a second session (another device)
 * finds them as the first left them; EXAMINE changes nothing, and BODY[]
 * there does not set \Seen. */
static void test_imap_flags_and_uids_kept(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b SELECT INBOX\", \"c FETCH 2 BODY[]\", \"d STORE 1 +FLAGS "
        "(\\\\Deleted)\", \"e EXPUNGE\", \"f LOGOUT\"]},"
        "{\"at\": \"30s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b EXAMINE INBOX\", \"c UID FETCH 1:* (FLAGS)\", \"d FETCH 2 "
        "BODY[]\", \"e FETCH 2 FLAGS\", \"f STORE 1 +FLAGS (\\\\Seen)\", \"g LOGOUT\"]}";
    tw_run(&sim, load_box(MSGS, script), 1);
    char *t = transcript(&sim, 1);
    assert_non_null(strstr(t, "* 2 EXISTS\n* 0 RECENT\n* OK [UNSEEN 2] First unseen.\n"));
    assert_non_null(strstr(t, "c UID FETCH 1:* (FLAGS)\n* 1 FETCH (UID 2 FLAGS (\\Seen))\n"
                              "* 2 FETCH (UID 3 FLAGS ())\n"));
    assert_non_null(strstr(t, "e FETCH 2 FLAGS\n* 2 FETCH (FLAGS ())\n"));
    assert_non_null(strstr(t, "f OK Store ignored with read-only mailbox"));
    assert_non_null(strstr(t, "d FETCH 2 BODY[]\n* 2 FETCH (BODY[] {315}\n"));
    free(t);
    tw_done(&sim);
}

/* A message SMTP delivers while a session has INBOX selected is
 * announced at the next NOOP (EXISTS, RECENT), with the next UID. */
static void test_imap_new_mail(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b SELECT INBOX\", {\"at\": \"40s\", \"text\": \"c NOOP\"}, "
        "\"d FETCH 4 (UID FLAGS)\", \"e LOGOUT\"]},"
        "{\"at\": \"5s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 25\", \"input\": "
        "[\"HELO phone\", \"MAIL FROM: <carol@example.org>\", \"RCPT TO: <bob@hamburger.edu>\", "
        "\"DATA\", \"Subject: news\", \"\", \"Hi Bob\", \".\", \"QUIT\"]}";
    tw_run(&sim, load_box(MSGS, script), 1);
    char *t = transcript(&sim, 0);
    assert_non_null(strstr(t, "c NOOP\n* 4 EXISTS\n* 4 RECENT\nc OK NOOP completed (0.001 + "
                              "0.000 secs).\nd FETCH 4 (UID FLAGS)\n"
                              "* 4 FETCH (UID 4 FLAGS (\\Recent))\n"));
    free(t);
    tw_done(&sim);
}

/* An empty mailbox, as Dovecot answers it: no UNSEEN, UIDNEXT 1, "1:*" is
 * no message set but "UID 1:*" is. */
static void test_empty_mailbox(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b SELECT INBOX\", \"c FETCH 1:* FLAGS\", \"d UID FETCH 1:* "
        "FLAGS\", \"f STORE 1:* +FLAGS (\\\\Seen)\", \"g EXPUNGE\", \"h LOGOUT\"]},"
        "{\"at\": \"1s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 110\", \"input\": "
        "[\"USER bob\", \"PASS hungry\", \"STAT\", \"LIST\", \"UIDL\", \"QUIT\"]}";
    tw_run(&sim, load_box("", script), 1);
    char *imap = transcript(&sim, 0), *pop = transcript(&sim, 1);
    assert_non_null(strstr(imap, "* 0 EXISTS\n* 0 RECENT\n* OK [UIDVALIDITY 1694422800] UIDs "
                                 "valid\n* OK [UIDNEXT 1] Predicted next UID\n"));
    assert_non_null(strstr(imap, "c FETCH 1:* FLAGS\nc BAD Error in IMAP command FETCH: Invalid "
                                 "messageset (0.001 + 0.000 secs).\n"
                                 "d UID FETCH 1:* FLAGS\nd OK Fetch completed (0.001 + 0.000 "
                                 "secs).\n"
                                 "f STORE 1:* +FLAGS (\\Seen)\nf BAD Error in IMAP command "
                                 "STORE: Invalid messageset (0.001 + 0.000 secs).\n"
                                 "g EXPUNGE\ng OK Expunge completed (0.001 + 0.000 secs).\n"));
    assert_non_null(strstr(pop, "STAT\n+OK 0 0\nLIST\n+OK 0 messages:\n.\nUIDL\n+OK\n.\nQUIT\n"
                                "+OK Logging out.\n"));
    free(imap);
    free(pop);
    tw_done(&sim);
}

/* IDLE: a message SMTP delivers is announced without a command; DONE
 * ends it, another line is an error (Dovecot's texts; its timings are the
 * time spent idling). */
static void test_imap_idle(void **state)
{
    (void)state;
    Sim sim;
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b SELECT INBOX\", \"c IDLE\", {\"at\": \"40s\", \"text\": "
        "\"DONE\"}, \"d IDLE\", \"e NOOP\", \"DONE\", \"f LOGOUT\"]},"
        "{\"at\": \"10s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 25\", \"input\": "
        "[\"HELO phone\", \"MAIL FROM: <carol@example.org>\", \"RCPT TO: <bob@hamburger.edu>\", "
        "\"DATA\", \"Subject: news\", \"\", \"Hi Bob\", \".\", \"QUIT\"]}";
    tw_run(&sim, load_box(MSGS, script), 1);
    char *t = transcript(&sim, 0);
    const char *p =
        strstr(t, "c IDLE\n+ idling\n* 4 EXISTS\n* 4 RECENT\nDONE\nc OK Idle completed (");
    assert_non_null(p);
    assert_non_null(strstr(p, "d IDLE\n+ idling\ne NOOP\nd BAD Expected DONE ("));
    assert_non_null(strstr(p, "DONE\nDONE BAD Error in IMAP command: Invalid command name (0.001 "
                              "+ 0.000 secs).\nf LOGOUT\n"));
    free(t);
    tw_done(&sim);
}

/* 3,000 messages: STAT, LIST and FETCH 1:* count them all. */
static void test_large_mailbox(void **state)
{
    (void)state;
    Buf box;
    buf_init(&box);
    for (int i = 0; i < 3000; i++)
        buf_printf(&box, "%s{\"from\": \"a@b.c\", \"subject\": \"n%d\", \"body\": \"x\"}",
                   i ? "," : "", i);
    const char *script =
        "{\"at\": \"1s\", \"on\": \"client\", \"run\": \"telnet 10.0.1.25 110\", \"input\": "
        "[\"USER bob\", \"PASS hungry\", \"STAT\", \"LIST\", \"RETR 3000\", \"QUIT\"]},"
        "{\"at\": \"100s\", \"on\": \"phone\", \"run\": \"telnet 10.0.1.25 143\", \"input\": "
        "[\"a LOGIN bob hungry\", \"b SELECT INBOX\", \"c FETCH 2990:* (UID RFC822.SIZE)\", "
        "\"d LOGOUT\"]}";
    Sim sim;
    tw_run(&sim, load_box(box.data, script), 1);
    char *pop = transcript(&sim, 0), *imap = transcript(&sim, 1);
    assert_non_null(strstr(pop, "STAT\n+OK 3000 "));
    assert_non_null(strstr(pop, "+OK 3000 messages:\n1 "));
    assert_non_null(strstr(pop, "\n3000 "));
    assert_non_null(strstr(pop, "Subject: n2999\n\nx\n.\n"));
    assert_non_null(strstr(imap, "* 3000 EXISTS\n* 0 RECENT\n"));
    assert_non_null(strstr(imap, "* 3000 FETCH (UID 3000 RFC822.SIZE "));
    assert_non_null(strstr(imap, "c OK Fetch completed"));
    free(pop);
    free(imap);
    buf_fini(&box);
    tw_done(&sim);
}

static void test_parsers(void **state)
{
    (void)state;
    Pop3Cmd c;
    pop3_parse("top  1 0", 8, &c);
    assert_int_equal(c.verb, POP3_TOP);
    assert_string_equal(c.name, "TOP");
    assert_string_equal(c.args, "1 0");
    pop3_parse("RETRX 1", 7, &c);
    assert_int_equal(c.verb, POP3_UNKNOWN);
    assert_string_equal(c.name, "RETRX");
    Pop3Num n;
    const char *after;
    assert_int_equal(pop3_parse_num("12 3", &n, &after), POP3_NUM_OK);
    assert_int_equal(n, 12);
    assert_string_equal(after, " 3");
    assert_int_equal(pop3_parse_num("4294967296", &n, &after), POP3_NUM_TOO_LARGE);
    assert_int_equal(pop3_parse_num("-1", &n, &after), POP3_NUM_INVALID);
    char out[32];
    assert_int_equal(pop3_base64_decode("AGJvYgBodW5ncnk=", out, sizeof out), 11);
    assert_memory_equal(out, "\0bob\0hungry", 11);
    assert_int_equal(pop3_base64_decode("a*b", out, sizeof out), -1);

    ImapCmd ic;
    const char *l = "a7 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM DATE)]<0.5>)";
    imap_parse(l, strlen(l), &ic);
    assert_false(ic.bad);
    assert_string_equal(ic.tag, "a7");
    assert_string_equal(ic.name, "UID");
    assert_int_equal(ic.n_args, 6);
    assert_string_equal(ic.args[4].text, "BODY.PEEK[HEADER.FIELDS (FROM DATE)]<0.5>");
    assert_int_equal(ic.args[5].kind, IMAP_LIST_CLOSE);
    imap_cmd_free(&ic);
    l = "b LOGIN \"bob \\\"b\\\"\" x";
    imap_parse(l, strlen(l), &ic);
    assert_string_equal(ic.args[0].text, "bob \"b\"");
    imap_cmd_free(&ic);
    l = "c FETCH 1 (FLAGS";
    imap_parse(l, strlen(l), &ic);
    assert_true(ic.bad);
    imap_cmd_free(&ic);
    l = "d APPEND INBOX {12}";
    imap_parse(l, strlen(l), &ic);
    assert_true(ic.bad);
    assert_string_equal(ic.err, "Missing LF after literal size");
    assert_true(ic.cont_first); /* Dovecot says + OK before the BAD */
    imap_cmd_free(&ic);
    /* literals, as the session hands them over: lines and all */
    l = "e LOGIN {3}\r\nbob {8+}\r\nhun\r\ngry (x {0}\r\n)";
    imap_parse(l, strlen(l), &ic);
    assert_false(ic.bad);
    assert_int_equal(ic.n_args, 6);
    assert_int_equal(ic.args[0].kind, IMAP_STRING);
    assert_string_equal(ic.args[0].text, "bob");
    assert_string_equal(ic.args[1].text, "hun\r\ngry");
    assert_string_equal(ic.args[3].text, "x");
    assert_string_equal(ic.args[4].text, "");
    assert_int_equal(ic.args[5].kind, IMAP_LIST_CLOSE);
    imap_cmd_free(&ic);
    const char *bad[] = {"f X {abc}", "f X {3}\r\nab", "f X {}", "f X {99999999999}\r\n",
                         "f X {3+} y"};
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++) {
        imap_parse(bad[i], strlen(bad[i]), &ic);
        assert_true(ic.bad);
        assert_non_null(ic.err);
        assert_false(ic.cont_first); /* {3+}: LITERAL+ asks for no + OK */
        imap_cmd_free(&ic);
    }
    uint64_t size;
    bool sync;
    assert_true(imap_literal_at_end("a LOGIN {3}", 11, &size, &sync));
    assert_true(size == 3 && sync);
    assert_true(imap_literal_at_end("a LOGIN {12+}", 13, &size, &sync));
    assert_true(size == 12 && !sync);
    assert_false(imap_literal_at_end("a LOGIN {x}", 11, &size, &sync));
    assert_false(imap_literal_at_end("a LOGIN {+}", 11, &size, &sync));
    assert_false(imap_literal_at_end("}", 1, &size, &sync));
    assert_true(imap_literal_at_end("{99999999999999999999999}", 25, &size, &sync));
    assert_true(size > UINT32_MAX); /* too large for any command: the session hangs up */
    ImapSet s;
    assert_true(imap_parse_set("2,4:*,9:7", 5, &s));
    assert_int_equal(s.n, 3);
    assert_true(imap_set_has(&s, 2) && imap_set_has(&s, 5) && imap_set_has(&s, 8));
    assert_false(imap_set_has(&s, 3));
    imap_set_free(&s);
    assert_false(imap_parse_set("0", 5, &s));
    assert_false(imap_parse_set("1,", 5, &s));
    assert_false(imap_parse_set("99999999999", 5, &s));
}

/* SEARCH's keys alone, combined (a row, OR, NOT, parentheses, a set)
 * and in UID form, and its mistakes, in Dovecot's words (make interop
 * compares more with the real one). */
static void test_imap_search(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"s0 LOGIN bob hungry\", \"s1 SELECT INBOX\", \"s2 STORE 2 +FLAGS.SILENT "
                       "(\\\\Flagged \\\\Seen)\", \"s3 SEARCH FROM alice\", \"s4 SEARCH OR "
                       "FLAGGED SUBJECT welcome\", \"s5 UID SEARCH NOT SEEN\", \"s6 SEARCH (UNSEEN "
                       "BODY ketchup)\", \"s7 SEARCH 2:* NOT FLAGGED\", \"s8 SEARCH FOO\", \"s9 "
                       "SEARCH CHARSET KOI8-R ALL\", \"t1 SEARCH LARGER 1 SMALLER 2\", \"t2 SEARCH "
                       "OR SEEN\", \"t3 LOGOUT\"");
    static const char *const want[] = {
        "s3 SEARCH FROM alice\n* SEARCH 1 2\ns3 OK Search completed",
        "\n* SEARCH 2 3\ns4 OK",
        "\n* SEARCH 1 3\ns5 OK",
        "\n* SEARCH 1\ns6 OK",
        "\n* SEARCH 3\ns7 OK",
        "s8 BAD Error in IMAP command SEARCH: Unknown argument FOO (0.001 + 0.000 secs).\n",
        "s9 NO [BADCHARSET] Unknown charset (0.001 + 0.000 secs).\n",
        "\n* SEARCH\nt1 OK",
        "t2 BAD Error in IMAP command SEARCH: Missing argument (0.001 + 0.000 secs).\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(t, want[i]))
            fprintf(stderr, "missing: %s\nin:\n%s", want[i], t);
        assert_non_null(strstr(t, want[i]));
    }
    free(t);
    tw_done(&sim);
}

/* SUBSCRIBE, UNSUBSCRIBE and LSUB: only an existing folder, in the order
 * subscribed, INBOX in any case as INBOX. */
static void test_imap_subscribe(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"u0 LOGIN bob hungry\", \"u1 CREATE Recipes\", \"u2 SUBSCRIBE Nope\", "
                       "\"u3 SUBSCRIBE Recipes\", \"u4 SUBSCRIBE inbox\", \"u5 LSUB \\\"\\\" "
                       "*\", \"u6 UNSUBSCRIBE Recipes\", \"u7 LSUB \\\"\\\" *\", \"u8 "
                       "SUBSCRIBE\", \"u9 LOGOUT\"");
    static const char *const want[] = {
        "u2 NO Mailbox doesn't exist: Nope (0.001 + 0.000 secs).\n",
        "u3 OK Subscribe completed",
        "* LSUB () \".\" Recipes\n* LSUB () \".\" INBOX\nu5 OK Lsub completed",
        "u6 OK Unsubscribe completed",
        "u7 LSUB \"\" *\n* LSUB () \".\" INBOX\nu7 OK Lsub completed",
        "u8 BAD Error in IMAP command SUBSCRIBE: Missing arguments (0.001 + 0.000 secs).\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(t, want[i]))
            fprintf(stderr, "missing: %s\nin:\n%s", want[i], t);
        assert_non_null(strstr(t, want[i]));
    }
    free(t);
    tw_done(&sim);
}

/* DELETE and RENAME: their refusals, the messages gone from the store,
 * and a session whose open folder is renamed ended at its next command. */
static void test_imap_delete_rename(void **state)
{
    (void)state;
    Sim sim;
    char *t = dialogue(&sim, 143,
                       "\"v0 LOGIN bob hungry\", \"v1 CREATE Old\", \"v2 SELECT INBOX\", \"v3 "
                       "COPY 1:3 Old\", \"v4 RENAME Old New\", \"v5 STATUS New (MESSAGES)\", \"v6 "
                       "DELETE INBOX\", \"v7 RENAME INBOX X\", \"v8 DELETE Nope\", \"v9 SELECT "
                       "New\", \"w1 RENAME New Newer\", \"w2 NOOP\"");
    static const char *const want[] = {
        "v4 OK Rename completed",
        "* STATUS New (MESSAGES 3)\nv5 OK",
        "v6 NO INBOX can't be deleted (0.001 + 0.000 secs).\n",
        "v7 NO [CANNOT] Renaming INBOX isn't supported (0.001 + 0.000 secs).\n",
        "v8 NO [NONEXISTENT] Mailbox doesn't exist: Nope (0.001 + 0.000 secs).\n",
        "w1 OK Rename completed",
        "w2 NOOP\n* BYE IMAP session state is inconsistent, please relogin.\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!strstr(t, want[i]))
            fprintf(stderr, "missing: %s\nin:\n%s", want[i], t);
        assert_non_null(strstr(t, want[i]));
    }
    free(t);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pop3_authorization),
        cmocka_unit_test(test_pop3_transaction),
        cmocka_unit_test(test_pop3_update_state),
        cmocka_unit_test(test_pop3_no_lock),
        cmocka_unit_test(test_auth_penalty),
        cmocka_unit_test(test_imap_not_authenticated),
        cmocka_unit_test(test_imap_literals),
        cmocka_unit_test(test_imap_append),
        cmocka_unit_test(test_imap_syntax_errors),
        cmocka_unit_test(test_imap_selected),
        cmocka_unit_test(test_imap_search),
        cmocka_unit_test(test_imap_subscribe),
        cmocka_unit_test(test_imap_delete_rename),
        cmocka_unit_test(test_imap_flags_and_uids_kept),
        cmocka_unit_test(test_imap_new_mail),
        cmocka_unit_test(test_empty_mailbox),
        cmocka_unit_test(test_imap_idle),
        cmocka_unit_test(test_large_mailbox),
        cmocka_unit_test(test_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
