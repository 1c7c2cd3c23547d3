/* FTP: the server's command parser and listing line; every command before
 * and after login, as vsftpd 3.0.3 answers it (checked against the real
 * server); paths (".." above the home folder, absolute paths, names with
 * spaces); ASCII and binary transfers; REST then RETR; active and passive
 * data connections, a refused one; two clients' sessions side by side; and
 * the ftp client's transcript. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "helpers.h"
#include "io/scenario.h"
#include "proto/ftp/ftp_server.h"
#include "proto/vfs.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A laptop (user alice) and a server (10.0.0.21), one link; more_files
 * (the server's), link_keys, server_keys and script are spliced into the
 * JSON. */
static World *load_with(const char *more_files, const char *link_keys, const char *server_keys,
                        const char *script)
{
    char *json = xasprintf(
        "{\"minet\": 1, \"title\": \"ftp\", \"seed\": 1, \"nodes\": ["
        "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10/24\", \"user\": \"alice\","
        " \"files\": {\"/home/alice/up.txt\": \"one\\ntwo\\n\", \"/home/alice/empty.txt\": \"\","
        " \"/home/alice/cmds.txt\": \"USER alice\\nPASS x\\nNOOP\\nQUIT\\nNOOP\\n\","
        " \"/home/alice/list.txt\": \"USER alice\\nPASS x\\nUSER alice\\nPASS wonderland\\n"
        "PASV\\nLIST\\nNOOP\\n\"}},"
        "{\"id\": \"server\", \"role\": \"ftp\", \"ip\": \"10.0.0.21/24\","
        " \"users\": {\"alice\": {\"password\": \"wonderland\"}, \"bob\": {\"password\": "
        "\"builder\"}},"
        " \"files\": {\"/home/alice/notes.txt\": \"hello\\nworld\\n\","
        " \"/home/alice/my notes.txt\": \"spaces\\n\", \"/home/bob/b.txt\": \"bob\\n\","
        " \"/home/alice/pub/paper.txt\": \"paper\\n\"%s%s}%s%s}],"
        "\"links\": [{\"between\": [\"laptop\", \"server\"], \"latency\": \"1ms\"%s%s}],"
        "\"script\": [%s]}",
        more_files[0] ? ", " : "", more_files, server_keys[0] ? ", " : "", server_keys,
        link_keys[0] ? ", " : "", link_keys, script);
    World *w = tw_load("ftp.json", json);
    free(json);
    return w;
}

static World *load(const char *server_keys, const char *script)
{
    return load_with("", "", server_keys, script);
}

/* A telnet session to port 21 typing lines (a JSON list's items). */
static char *telnet(const char *lines)
{
    return xasprintf("{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"telnet 10.0.0.21 21\", "
                     "\"input\": [%s]}",
                     lines);
}

/* Runs a telnet session; returns what the server answered (the console
 * without telnet's own first lines). */
static char *session(const char *server_keys, const char *lines)
{
    char *script = telnet(lines);
    World *w = load(server_keys, script);
    free(script);
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    tw_done(&sim);
    const char *skip = "Trying 10.0.0.21...\nConnected to 10.0.0.21.\nEscape character is '^]'.\n";
    assert_true(strncmp(out, skip, strlen(skip)) == 0);
    char *rest = xstrdup(out + strlen(skip));
    free(out);
    if (getenv("FTP_TEST_SHOW"))
        fprintf(stderr, "%s", rest);
    return rest;
}

#define LOGIN "\"USER alice\", \"PASS wonderland\""

/* ---- the parser ---------------------------------------------------------------- */

static void test_parse_command(void **state)
{
    (void)state;
    FtpCommand c;
    ftp_parse_command("retr my notes.txt", 17, &c);
    assert_string_equal(c.verb, "RETR");
    assert_true(c.has_arg);
    assert_int_equal(c.arg_len, 12);
    assert_memory_equal(c.arg, "my notes.txt", 12);
    ftp_parse_command("PWD", 3, &c);
    assert_string_equal(c.verb, "PWD");
    assert_false(c.has_arg);
    assert_int_equal(c.arg_len, 0);
    ftp_parse_command("", 0, &c);
    assert_string_equal(c.verb, "");
    ftp_parse_command("RETRIEVE x", 10, &c); /* longer than any verb */
    assert_string_equal(c.verb, "?");
    ftp_parse_command("RE\0R x", 6, &c); /* a NUL in the verb */
    assert_string_equal(c.verb, "?");
    ftp_parse_command("CWD ", 4, &c);
    assert_true(c.has_arg);
    assert_int_equal(c.arg_len, 0);
}

static void test_parse_port_eprt(void **state)
{
    (void)state;
    uint32_t ip;
    uint16_t port;
    assert_true(ftp_parse_port("10,0,0,10,156,65", &ip, &port));
    assert_int_equal(ip, 0x0a00000a);
    assert_int_equal(port, 156 * 256 + 65);
    assert_false(ftp_parse_port("10,0,0,10,156", &ip, &port));
    assert_false(ftp_parse_port("10,0,0,10,156,256", &ip, &port));
    assert_false(ftp_parse_port("10,0,0,10,156,65,1", &ip, &port));
    assert_false(ftp_parse_port("a,0,0,10,156,65", &ip, &port));
    assert_false(ftp_parse_port("", &ip, &port));
    assert_true(ftp_parse_eprt("|1|10.0.0.10|40011|", &ip, &port));
    assert_int_equal(ip, 0x0a00000a);
    assert_int_equal(port, 40011);
    assert_true(ftp_parse_eprt("!1!10.0.0.10!40011!", &ip, &port));
    assert_false(ftp_parse_eprt("|2|::1|40011|", &ip, &port));
    assert_false(ftp_parse_eprt("|1|10.0.0.10|70000|", &ip, &port));
    assert_false(ftp_parse_eprt("|1|10.0.0.10|0|", &ip, &port));
    assert_false(ftp_parse_eprt("|1|10.0.0.10|5", &ip, &port));
    assert_false(ftp_parse_eprt("|1|10.0.0|5|", &ip, &port));
    assert_false(ftp_parse_eprt("", &ip, &port));
}

/* vsftpd's line: "%s %4u %-8u %-8u %8llu %s %s", the date with the year
 * when the file is more than 182 days old or in the future. */
static void test_list_line(void **state)
{
    (void)state;
    char line[256];
    int64_t now = 1789117200; /* 2026-09-11 09:00:00 UTC */
    ftp_list_line(line, sizeof line, false, 0644, 1, 1000, 1000, 271, now - 3600, now, "notes.txt");
    assert_string_equal(line, "-rw-r--r--    1 1000     1000          271 Sep 11 08:00 notes.txt");
    ftp_list_line(line, sizeof line, true, 0755, 3, 0, 0, 4096, now - 200LL * 86400, now, "pub");
    assert_string_equal(line, "drwxr-xr-x    3 0        0            4096 Feb 23  2026 pub");
    ftp_list_line(line, sizeof line, false, 0600, 1, 1001, 1001, 123456789, now + 60, now,
                  "big.iso");
    assert_string_equal(line, "-rw-------    1 1001     1001     123456789 Sep 11  2026 big.iso");
}

/* ---- the state machine ---------------------------------------------------------- */

/* Before login: only USER, PASS, QUIT, FEAT and OPTS; PASS needs USER; a
 * wrong password is answered a second later, and the third ends the
 * session. */
static void test_before_login(void **state)
{
    (void)state;
    char *out = session("", "\"SYST\", \"LIST\", \"PWD\", \"PASS x\", \"FEAT\", \"OPTS UTF8 ON\", "
                            "\"USER alice\", \"PASS wrong\", \"USER alice\", \"PASS wrong\", "
                            "\"USER alice\", \"PASS wrong\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "530 Please login with USER and PASS.\n"
                             "530 Please login with USER and PASS.\n"
                             "530 Please login with USER and PASS.\n"
                             "503 Login with USER first.\n"
                             "211-Features:\n EPRT\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n"
                             " TVFS\n211 End\n"
                             "200 Always in UTF8 mode.\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n"
                             "Connection closed by foreign host.\n");
    free(out);
}

/* After login, every command that needs no data connection. */
static void test_after_login(void **state)
{
    (void)state;
    char *out = session(
        "", LOGIN ", \"USER bob\", \"PASS x\", \"SYST\", \"PWD\", \"XPWD\", \"TYPE A\", \"TYPE I\","
                  " \"TYPE L 8\", \"TYPE X\", \"MODE S\", \"MODE B\", \"STRU F\", \"STRU R\","
                  " \"NOOP\", \"ALLO 5\", \"REIN\", \"ACCT x\", \"SMNT x\", \"SITE x\", \"FOO\","
                  " \"OPTS x\", \"SIZE notes.txt\", \"SIZE pub\", \"SIZE nothere\","
                  " \"MDTM notes.txt\", \"MDTM pub\", \"LIST\", \"RETR notes.txt\", \"STOR x\","
                  " \"ABOR\", \"REST 5\", \"RNTO x\", \"EPSV 2\", \"PORT 1,2,3\","
                  " \"PORT 10,0,0,99,4,1\", \"EPRT |2|::1|5000|\", \"EPRT x\", \"EPSV ALL\","
                  " \"PORT 10,0,0,10,4,1\", \"PASV\", \"QUIT\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "530 Can't change to another user.\n"
                             "230 Already logged in.\n"
                             "215 UNIX Type: L8\n"
                             "257 \"/home/alice\" is the current directory\n"
                             "257 \"/home/alice\" is the current directory\n"
                             "200 Switching to ASCII mode.\n"
                             "200 Switching to Binary mode.\n"
                             "200 Switching to Binary mode.\n"
                             "500 Unrecognised TYPE command.\n"
                             "200 Mode set to S.\n"
                             "504 Bad MODE command.\n"
                             "200 Structure set to F.\n"
                             "504 Bad STRU command.\n"
                             "200 NOOP ok.\n"
                             "202 ALLO command ignored.\n"
                             "502 REIN not implemented.\n"
                             "502 ACCT not implemented.\n"
                             "502 SMNT not implemented.\n"
                             "500 Unknown SITE command.\n"
                             "500 Unknown command.\n"
                             "501 Option not understood.\n"
                             "213 12\n"
                             "550 Could not get file size.\n"
                             "550 Could not get file size.\n"
                             "213 20230911090000\n"
                             "550 Could not get file modification time.\n"
                             "425 Use PORT or PASV first.\n"
                             "425 Use PORT or PASV first.\n"
                             "425 Use PORT or PASV first.\n"
                             "225 No transfer to ABOR.\n"
                             "350 Restart position accepted (5).\n"
                             "503 RNFR required first.\n"
                             "522 Bad network protocol.\n"
                             "500 Illegal PORT command.\n"
                             "500 Illegal PORT command.\n"
                             "500 Bad EPRT protocol.\n"
                             "500 Bad EPRT command.\n"
                             "200 EPSV ALL ok.\n"
                             "550 Permission denied.\n"
                             "550 Permission denied.\n"
                             "221 Goodbye.\n"
                             "Connection closed by foreign host.\n");
    free(out);
}

/* Paths: relative, absolute, ".." above the home folder (no chroot for
 * local users), names with spaces; writing only where the user owns the
 * folder. */
static void test_paths(void **state)
{
    (void)state;
    char *out = session(
        "",
        LOGIN ", \"CWD pub\", \"PWD\", \"CWD ..\", \"CDUP\", \"PWD\", \"CDUP\", \"CDUP\","
              " \"PWD\", \"CWD /home/alice/pub/\", \"PWD\", \"CWD /nothere\", \"CWD\","
              " \"SIZE /home/alice/my notes.txt\", \"SIZE ../my notes.txt\","
              " \"MKD new dir\", \"RMD new dir\", \"MKD /home/bob/x\", \"DELE /home/bob/b.txt\","
              " \"RNFR paper.txt\", \"RNTO /home/alice/paper.txt\", \"SIZE /home/alice/paper.txt\","
              " \"DELE ../paper.txt\", \"DELE ../paper.txt\", \"RMD /home/alice\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/home/alice/pub\" is the current directory\n"
                             "250 Directory successfully changed.\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/home\" is the current directory\n"
                             "250 Directory successfully changed.\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/\" is the current directory\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/home/alice/pub\" is the current directory\n"
                             "550 Failed to change directory.\n"
                             "550 Failed to change directory.\n"
                             "213 7\n"
                             "213 7\n"
                             "257 \"/home/alice/pub/new dir\" created\n"
                             "250 Remove directory operation successful.\n"
                             "550 Create directory operation failed.\n"
                             "550 Delete operation failed.\n"
                             "350 Ready for RNTO.\n"
                             "250 Rename successful.\n"
                             "213 6\n"
                             "250 Delete operation successful.\n"
                             "550 Delete operation failed.\n"
                             "550 Remove directory operation failed.\n");
    free(out);
}

/* writable: false is write_enable=NO. */
/* vsftpd's resolve_tilde: ~ and ~/... are the login's home folder, ~bob
 * a plain name; MDTM reads the file before expanding (and fails). */
static void test_tilde(void **state)
{
    (void)state;
    char *out = session("", LOGIN ", \"CWD pub\", \"CWD ~\", \"PWD\", \"CWD ~/pub\", \"PWD\", "
                                  "\"CWD ~bob\", \"SIZE ~/notes.txt\", \"MDTM ~/notes.txt\", "
                                  "\"MKD ~/x\", \"RNFR ~/x\", \"RNTO ~/y\", \"RMD ~/y\", \"QUIT\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "250 Directory successfully changed.\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/home/alice\" is the current directory\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/home/alice/pub\" is the current directory\n"
                             "550 Failed to change directory.\n"
                             "213 12\n"
                             "550 Could not get file modification time.\n"
                             "257 \"/home/alice/x\" created\n"
                             "350 Ready for RNTO.\n"
                             "250 Rename successful.\n"
                             "250 Remove directory operation successful.\n"
                             "221 Goodbye.\n"
                             "Connection closed by foreign host.\n");
    free(out);
}

static void test_read_only(void **state)
{
    (void)state;
    char *out = session("\"writable\": false",
                        LOGIN ", \"MKD x\", \"DELE notes.txt\", \"RNFR notes.txt\", \"STOR x\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "550 Permission denied.\n"
                             "550 Permission denied.\n"
                             "550 Permission denied.\n"
                             "550 Permission denied.\n");
    free(out);
}

/* Anonymous logins: chrooted to /srv/ftp, read-only. */
static void test_anonymous(void **state)
{
    (void)state;
    char *out = session("\"anonymous\": true",
                        "\"USER anonymous\", \"PASS guest@\", \"PWD\", \"CDUP\", \"PWD\", "
                        "\"MKD x\", \"USER alice\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "257 \"/\" is the current directory\n"
                             "250 Directory successfully changed.\n"
                             "257 \"/\" is the current directory\n"
                             "550 Permission denied.\n"
                             "530 Can't change from guest user.\n");
    free(out);
    /* without it, "anonymous" is a user like any other, with no account */
    out = session("", "\"USER anonymous\", \"PASS guest@\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n");
    free(out);
}

/* Lines that arrive together (nc sends a file at once) wait behind the
 * failed login's second, are read in order, and QUIT among them ends the
 * session: what follows it is not answered. */
static void test_queued_quit(void **state)
{
    (void)state;
    World *w = load("", "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"nc 10.0.0.21 21 < "
                        "cmds.txt\"}");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n"
                             "530 Please login with USER and PASS.\n"
                             "221 Goodbye.\n");
    free(out);
    tw_done(&sim);
}

/* The lines waiting behind a failed login run until one of them starts a
 * transfer; the rest wait behind that transfer (here a LIST whose data
 * connection never comes, given up after vsftpd's accept timeout). */
static void test_queued_transfer(void **state)
{
    (void)state;
    World *w = load("", "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"nc 10.0.0.21 21 < "
                        "list.txt\"}");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "530 Login incorrect.\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "227 Entering Passive Mode (10,0,0,21,195,103).\n"
                             "425 Failed to establish connection.\n"
                             "200 NOOP ok.\n");
    free(out);
    tw_done(&sim);
}

/* A data connection to a port nobody listens on: the RST makes it 425. */
static void test_refused_data_connection(void **state)
{
    (void)state;
    char *out = session("", LOGIN ", \"PORT 10,0,0,10,4,1\", \"LIST\", \"NOOP\"");
    assert_string_equal(out, "220 (vsFTPd 3.0.3)\n"
                             "331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "200 PORT command successful. Consider using PASV.\n"
                             "425 Failed to establish connection.\n"
                             "200 NOOP ok.\n");
    free(out);
}

/* REST then RETR in passive mode: nc connects to the passive port the
 * server offered (the same in every run: the seed picks it) and prints
 * the file from byte 3. */
static void test_rest_retr(void **state)
{
    (void)state;
    char *script =
        xasprintf("%s, {\"at\": \"5.5s\", \"on\": \"laptop\", \"run\": \"nc 10.0.0.21 "
                  "50023\", \"terminal\": 2}",
                  "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"telnet 10.0.0.21 21\","
                  " \"input\": [" LOGIN ", \"REST 3\", \"EPSV\", \"RETR notes.txt\","
                  " \"QUIT\"]}");
    World *w = load("", script);
    free(script);
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "229 Entering Extended Passive Mode (|||50023|)\n"));
    assert_non_null(strstr(out, "150 Opening BINARY mode data connection for notes.txt (12 "
                                "bytes).\n"));
    assert_non_null(strstr(out, "lo\nworld\n"));
    assert_null(strstr(out, "hello"));
    assert_non_null(strstr(out, "226 Transfer complete.\n"));
    free(out);
    tw_done(&sim);
}

/* ABOR while a 1 MB RETR runs over a 1 Mbit/s link (8 s): vsftpd with
 * Debian's configuration reads no command during a transfer, so ABOR waits
 * for its end and gets 225.  nc takes the data connection at nc_at; with
 * interrupt it is stopped by ^C 3 s later, mid-file (its close makes the server's next
 * segment meet RST: 426), otherwise it reads the whole file (226). */
static char *abor_during_retr(const char *nc_at, bool interrupt)
{
    size_t size = 1 << 20;
    char *big = xmalloc(size + 1);
    memset(big, 'x', size);
    big[size] = 0;
    char *files = xasprintf("\"/home/alice/big.bin\": \"%s\"", big);
    free(big);
    char *script = xasprintf(
        "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"telnet 10.0.0.21 21\", \"input\": "
        "[" LOGIN ", \"EPSV\", \"RETR big.bin\", \"ABOR\", \"NOOP\", \"QUIT\"]}, "
        "{\"at\": \"%s\", \"on\": \"laptop\", \"run\": \"nc 10.0.0.21 50023 > /dev/null\", "
        "\"terminal\": 2%s}",
        nc_at, interrupt ? ", \"input\": [{\"at\": \"3s\", \"text\": \"^C\"}]" : "");
    World *w = load_with(files, "\"bandwidth\": \"1Mbit\"", "", script);
    free(files);
    free(script);
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    tw_done(&sim);
    if (getenv("FTP_TEST_SHOW"))
        fprintf(stderr, "%s", out);
    return out;
}

static void test_abor_during_retr(void **state)
{
    (void)state;
    /* the data connection is made after ABOR was typed: the whole file */
    char *out = abor_during_retr("6.5s", false);
    assert_non_null(strstr(out, "229 Entering Extended Passive Mode (|||50023|)\n"
                                "150 Opening BINARY mode data connection for big.bin (1048576 "
                                "bytes).\n"
                                "226 Transfer complete.\n"
                                "225 No transfer to ABOR.\n"
                                "200 NOOP ok.\n"
                                "221 Goodbye.\n"));
    free(out);
    /* the transfer runs when ABOR comes; the client then closes its end */
    out = abor_during_retr("4.5s", true);
    assert_non_null(strstr(out, "229 Entering Extended Passive Mode (|||50023|)\n"
                                "150 Opening BINARY mode data connection for big.bin (1048576 "
                                "bytes).\n"
                                "426 Failure writing network stream.\n"
                                "225 No transfer to ABOR.\n"
                                "200 NOOP ok.\n"
                                "221 Goodbye.\n"));
    assert_null(strstr(out, "226"));
    free(out);
}

/* ---- the client, and transfers ---------------------------------------------------- */

static Sim *run_ftp(Sim *sim, const char *server_keys, const char *input)
{
    char *script = xasprintf(
        "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"ftp server\", \"input\": [%s]}", input);
    World *w = load(server_keys, script);
    free(script);
    tw_run(sim, w, 1);
    if (getenv("FTP_TEST_SHOW")) {
        char *out = tw_console(sim);
        fprintf(stderr, "%s", out);
        free(out);
    }
    return sim;
}

/* Reads a file of node into a string. */
static char *file_of(Sim *sim, const char *node, const char *path)
{
    int n = world_find_node(sim->world, node);
    VfsStat st;
    if (vfs_stat(vfs_of(sim), n, path, &st) != VFS_OK)
        return NULL;
    char *s = xmalloc(st.size + 1);
    size_t got = 0;
    vfs_read(vfs_of(sim), n, path, 0, s, st.size, &got);
    s[got] = 0;
    return s;
}

/* A zero-byte file both ways: tnftp draws no percentage, bar or estimate
 * for a size of 0, only the bytes and the rate, and prints no summary. */
static void test_client_zero_bytes(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"put empty.txt\", \"get empty.txt e2.txt\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> local: empty.txt remote: empty.txt\n"
                                "229 Entering Extended Passive Mode (|||50023|)\n"
                                "150 Ok to send data.\n"
                                "     0        0.00 KiB/s \n"
                                "226 Transfer complete.\n"
                                "ftp> local: e2.txt remote: empty.txt\n"));
    assert_non_null(strstr(out, "150 Opening BINARY mode data connection for empty.txt (0 bytes).\n"
                                "     0        0.00 KiB/s \n"
                                "226 Transfer complete.\n"
                                "ftp> 221 Goodbye.\n"));
    assert_null(strstr(out, "100%"));
    assert_null(strstr(out, "bytes sent"));
    assert_null(strstr(out, "bytes received"));
    free(out);
    char *got = file_of(&sim, "server", "/home/alice/empty.txt");
    assert_non_null(got);
    assert_string_equal(got, "");
    free(got);
    got = file_of(&sim, "laptop", "/home/alice/e2.txt");
    assert_non_null(got);
    assert_string_equal(got, "");
    free(got);
    tw_done(&sim);
}

/* tnftp's session: the login prompts, ls in passive and active mode, get,
 * put (stored on the server, listed), a missing file. */
static void test_client_session(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"\", \"wonderland\", \"pwd\", \"ls pub\", \"get notes.txt\", \"passive\", "
            "\"put up.txt\", \"ls\", \"get nothere\", \"bye\"");
    char *out = tw_console(&sim);
    assert_string_equal(
        out, "Connected to server.\n"
             "220 (vsFTPd 3.0.3)\n"
             "Name (server:alice): "
             "331 Please specify the password.\n"
             "Password: "
             "230 Login successful.\n"
             "Remote system type is UNIX.\n"
             "Using binary mode to transfer files.\n"
             "ftp> Remote directory: /home/alice\n"
             "ftp> 229 Entering Extended Passive Mode (|||50023|)\n"
             "150 Here comes the directory listing.\n"
             "-rw-r--r--    1 1000     1000            6 Sep 11 09:00 paper.txt\n"
             "226 Directory send OK.\n"
             "ftp> local: notes.txt remote: notes.txt\n"
             "229 Entering Extended Passive Mode (|||50077|)\n"
             "150 Opening BINARY mode data connection for notes.txt (12 bytes).\n"
             "100% |***********************************|    12        5.84 KiB/s    00:00 ETA\n"
             "226 Transfer complete.\n"
             "12 bytes received in 00:00 (5.84 KiB/s)\n"
             "ftp> Passive mode: off; fallback to active mode: off.\n"
             "ftp> local: up.txt remote: up.txt\n"
             "200 EPRT command successful. Consider using EPSV.\n"
             "150 Ok to send data.\n"
             "100% |***********************************|     8        1.95 KiB/s    00:00 ETA\n"
             "226 Transfer complete.\n"
             "8 bytes sent in 00:00 (1.29 KiB/s)\n"
             "ftp> 200 EPRT command successful. Consider using EPSV.\n"
             "150 Here comes the directory listing.\n"
             "-rw-r--r--    1 1000     1000            7 Sep 11 09:00 my notes.txt\n"
             "-rw-r--r--    1 1000     1000           12 Sep 11 09:00 notes.txt\n"
             "drwxr-xr-x    2 1000     1000         4096 Sep 11 09:00 pub\n"
             "-rw-------    1 1000     1000            8 Sep 11 09:00 up.txt\n"
             "226 Directory send OK.\n"
             "ftp> local: nothere remote: nothere\n"
             "200 EPRT command successful. Consider using EPSV.\n"
             "550 Failed to open file.\n"
             "ftp> 221 Goodbye.\n");
    free(out);
    char *got = file_of(&sim, "laptop", "/home/alice/notes.txt");
    assert_string_equal(got, "hello\nworld\n");
    free(got);
    got = file_of(&sim, "server", "/home/alice/up.txt");
    assert_string_equal(got, "one\ntwo\n");
    free(got);
    assert_null(file_of(&sim, "laptop", "/home/alice/nothere"));
    /* active mode: the server's data connections came from port 20 */
    assert_true(tw_count(&sim, TR_NOTE, "opens the data connection itself, from its port 20") == 2);
    tw_done(&sim);
}

/* vsftpd ends a session idle for 300 s with 421 Timeout. while the student
 * sits at tnftp's prompt: nothing shows until the next command, which gets
 * that reply (pwd, asking quietly, says it cannot tell); then the client is
 * not connected. */
/* When the console first printed text (its time), or -1. */
static SimTime printed_at(const Sim *sim, const char *text)
{
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->text && strstr(r->text, text))
            return r->time;
    }
    return -1;
}

static void test_client_idle_timeout(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", {\"at\": \"320s\", \"text\": \"ls\"}, \"pwd\", "
            "\"status\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "Using binary mode to transfer files.\nftp> 421 Timeout.\n"
                                "ftp> Not connected.\nftp> Not connected.\nNo proxy"));
    /* the server said it at 301 s; the student sees it with ls, at 320 s */
    assert_true(printed_at(&sim, "421 Timeout.") >= 320 * 1000000LL);
    free(out);
    tw_done(&sim);
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", {\"at\": \"320s\", \"text\": \"pwd\"}, \"ls\", "
            "\"bye\"");
    out = tw_console(&sim);
    assert_non_null(strstr(out, "Using binary mode to transfer files.\nftp> Unable to determine "
                                "remote directory\nftp> Not connected.\nftp> "));
    assert_null(strstr(out, "421"));
    assert_true(printed_at(&sim, "Unable to determine") >= 320 * 1000000LL);
    free(out);
    tw_done(&sim);
}

/* ASCII: Debian's vsftpd converts nothing and says BINARY; with "ascii" it
 * sends CR LF and says ASCII; tnftp turns CR LF back into LF either way. */
static void test_ascii(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "", "\"alice\", \"wonderland\", \"ascii\", \"get notes.txt\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "Opening BINARY mode data connection for notes.txt (12 bytes)"));
    assert_non_null(strstr(out, "12 bytes received"));
    free(out);
    char *got = file_of(&sim, "laptop", "/home/alice/notes.txt");
    assert_string_equal(got, "hello\nworld\n");
    free(got);
    tw_done(&sim);

    run_ftp(&sim, "\"ascii\": true",
            "\"alice\", \"wonderland\", \"ascii\", \"get notes.txt\", \"put up.txt\", \"bye\"");
    out = tw_console(&sim);
    assert_non_null(strstr(out, "Opening ASCII mode data connection for notes.txt (12 bytes)"));
    assert_non_null(strstr(out, "14 bytes received")); /* two CR LF on the wire */
    assert_non_null(strstr(out, "10 bytes sent"));
    /* more bytes than SIZE said (or than the local file has): tnftp's
     * meter gives no estimate */
    assert_non_null(strstr(out, "|    14       "));
    assert_non_null(strstr(out, "|    10       "));
    assert_null(strstr(out, "00:00 ETA"));
    assert_non_null(strstr(out, "--:-- ETA\n226 Transfer complete.\n14 bytes received"));
    free(out);
    got = file_of(&sim, "laptop", "/home/alice/notes.txt");
    assert_string_equal(got, "hello\nworld\n");
    free(got);
    got = file_of(&sim, "server", "/home/alice/up.txt");
    assert_string_equal(got, "one\ntwo\n");
    free(got);
    tw_done(&sim);
}

/* A failed login stays at the prompt; `user` logs in afterwards. */
/* An open quote runs to the end of the line, as tnftp's makeargv reads it
 * (compared with tnftp in run_interop_ftp.sh's open_quote session). */
static void test_client_open_quote(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "", "\"alice\", \"wonderland\", \"cd \\\"pub\", \"pwd\", \"foo \\\"x\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> 250 Directory successfully changed.\n"
                                "ftp> Remote directory: /home/alice/pub\n"
                                "ftp> ?Invalid command.\n"
                                "ftp> 221 Goodbye.\n"));
    free(out);
    tw_done(&sim);
}

/* passive and prompt set what "on" or "off" names (tnftp's togglevar),
 * a word of neither is the usage; help names one command's line. */
static void test_client_toggles_help(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"passive on\", \"passive on\", \"passive auto\", "
            "\"passive x\", \"prompt on\", \"prompt OFF\", \"epsv4 x\", \"help get\", "
            "\"help foo\", \"help g\", \"? disconnect\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> Passive mode: on; fallback to active mode: off.\n"
                                "ftp> Passive mode: on; fallback to active mode: off.\n"
                                "ftp> Passive mode: on; fallback to active mode: on.\n"
                                "ftp> usage: passive [ on | off | auto ]\n"
                                "ftp> Interactive mode on.\n"
                                "ftp> Interactive mode off.\n"
                                "ftp> usage: epsv4 [ on | off ]\n"
                                "ftp> get        \treceive file\n"
                                "ftp> ?Invalid help command `foo'\n"
                                "ftp> ?Ambiguous help command `g'\n"
                                "ftp> disconnect \tterminate ftp session\n"));
    free(out);
    tw_done(&sim);
}

/* A missing argument is asked for and the answer completes the line; an
 * empty answer is the usage, the end of input aborts the command. */
static void test_client_missing_args(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"get\", \"notes.txt\", \"n1.txt\", \"cd\", \"\", "
            "\"rename\", \"x\", \"\", \"size\", \"notes.txt\", \"recv\", \"^D\", \"bye\"");
    char *out = tw_console(&sim);
    /* (the console without what was typed) */
    assert_non_null(
        strstr(out, "ftp> (remote-file) (local-file) local: n1.txt remote: notes.txt\n"));
    assert_non_null(strstr(out, "ftp> (remote-directory) usage: cd remote-directory\n"
                                "ftp> (from-name) (to-name) usage: rename from-name to-name\n"
                                "ftp> (remote-file) notes.txt\t12\n"
                                "ftp> (remote-file) \nEOF received; operation aborted.\n\n"
                                "ftp> 221 Goodbye.\n"));
    char *got = file_of(&sim, "laptop", "/home/alice/n1.txt");
    assert_string_equal(got, "hello\nworld\n");
    free(got);
    free(out);
    tw_done(&sim);
}

/* tnftp's makeargv: "..." and \ quote, ' is an ordinary character; a
 * leading ! is the shell escape, which minet's ftp does not offer. */
static void test_client_quoting(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"size 'notes.txt'\", \"size \\\"my notes.txt\\\"\", "
            "\"size my\\\\ notes.txt\", \"!ls\", \"ls . out.txt\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> 550 Could not get file size.\n"
                                "ftp> my notes.txt\t7\n"
                                "ftp> my notes.txt\t7\n"
                                "ftp> ftp: minet's ftp does not offer `!'\n"
                                "ftp> ftp: minet's ftp does not offer a listing into a local file "
                                "(`ls .' shows it)\n"));
    free(out);
    tw_done(&sim);
}

/* ftp without a host: status before any connection (tnftp's empty modes
 * and buffer sizes), a bare open asks for the host and logs in. */
static void test_client_offline(void **state)
{
    (void)state;
    World *w = load("", "{\"at\": \"1s\", \"on\": \"laptop\", \"run\": \"ftp\", \"input\": "
                        "[\"status\", \"get\", \"open\", \"server\", \"alice\", \"wonderland\", "
                        "\"bye\"]}");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "Mode: ; Type: ; Form: ; Structure: .\n"));
    assert_non_null(strstr(out, "Socket buffer sizes: send 0, receive 0.\n"));
    assert_non_null(strstr(out, "ftp> Not connected.\nftp> (to) Connected to server.\n"));
    assert_non_null(strstr(out, "230 Login successful.\n"));
    free(out);
    tw_done(&sim);
}

static void test_client_login_failed(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"nope\", \"user alice wonderland\", \"cd nowhere\", \"close\","
            " \"ls\", \"bye\"");
    char *out = tw_console(&sim);
    assert_string_equal(out, "Connected to server.\n"
                             "220 (vsFTPd 3.0.3)\n"
                             "Name (server:alice): "
                             "331 Please specify the password.\n"
                             "Password: "
                             "530 Login incorrect.\n"
                             "ftp: Login failed\n"
                             "ftp> 331 Please specify the password.\n"
                             "230 Login successful.\n"
                             "Remote system type is UNIX.\n"
                             "Using binary mode to transfer files.\n"
                             "ftp> 550 Failed to change directory.\n"
                             "ftp> 221 Goodbye.\n"
                             "ftp> Not connected.\n"
                             "ftp> ");
    free(out);
    tw_done(&sim);
}

/* A transfer before a login, as tnftp 20210827 runs it against vsftpd
 * (checked in run_interop_ftp.sh's login_failed_then): EPSV is refused
 * quietly, PASV and PORT aloud, and the first refused PORT ends in "Can't
 * bind"; passive mode is off from then on.  A get right after it sends
 * nothing, the user command says "Login failed.", and after the third
 * wrong password the server is gone. */
static void test_client_transfer_before_login(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"nope\", \"ls\", \"get notes.txt\", \"ls\", \"user alice x\","
            " \"user alice y\", \"user alice wonderland\", \"ls\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp: Login failed\n"
                                "ftp> 530 Please login with USER and PASS.\n"
                                "530 Please login with USER and PASS.\n"
                                "ftp: Can't bind for data connection: Address already in use\n"
                                "ftp> local: notes.txt remote: notes.txt\n"
                                "ftp> 530 Please login with USER and PASS.\n"
                                "ftp> 331 Please specify the password.\n"
                                "530 Login incorrect.\n"
                                "Login failed.\n"
                                "ftp> 331 Please specify the password.\n"
                                "530 Login incorrect.\n"
                                "Login failed.\n"
                                "ftp> 421 Service not available, remote server has closed "
                                "connection.\n"
                                "Login failed.\n"
                                "ftp> Not connected.\n"));
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends EPSV"), 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends PASV"), 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends PORT"), 2);
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends TYPE"), 0);
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends SIZE"), 0);
    free(out);
    tw_done(&sim);
}

/* get checks the local name before it asks, as tnftp (access(2)): a
 * folder that is missing, or that alice may not write in (everything
 * outside her home is root's), and no RETR goes out for them. */
static void test_client_local_name_checks(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"get notes.txt /home/new\", \"get notes.txt nodir/x\","
            " \"get notes.txt up.txt/../n.txt\", \"get notes.txt\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> local: /home/new remote: notes.txt\n"
                                "ftp: Can't access `/home/new': Permission denied\n"
                                "ftp> local: nodir/x remote: notes.txt\n"
                                "ftp: Can't access `nodir/x': No such file or directory\n"
                                "ftp> local: up.txt/../n.txt remote: notes.txt\n"
                                "ftp: Can't access `up.txt/../n.txt': Not a directory\n"
                                "ftp> local: notes.txt remote: notes.txt\n"));
    assert_int_equal(tw_count(&sim, TR_NOTE, "sends RETR"), 1); /* the last get's alone */
    free(out);
    tw_done(&sim);
}

/* mget lists with NLST (the server matches the pattern) and asks before
 * each file; mput matches in the home folder; prompt turns the questions
 * off; commands may be abbreviated, and an ambiguous one is refused. */
static void test_client_mget_mput(void **state)
{
    (void)state;
    Sim sim;
    run_ftp(&sim, "",
            "\"alice\", \"wonderland\", \"mget *.txt\", \"n\", \"y\", \"mput up*\", \"y\","
            " \"prom\", \"mget pub/*\", \"a\", \"bye\"");
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "ftp> mget my notes.txt [anpqy?]? mget notes.txt [anpqy?]? "
                                "229 Entering Extended Passive Mode"));
    assert_non_null(strstr(out, "ftp> mput up.txt [anpqy?]? 229 Entering"));
    assert_non_null(strstr(out, "Interactive mode off.\n"));
    assert_non_null(strstr(out, "ftp: Unable to determine real path of `pub': No such file or "
                                "directory\nSkipping non-relative filename `pub/paper.txt'\n"));
    assert_non_null(strstr(out, "?Ambiguous command.\n"));
    free(out);
    char *got = file_of(&sim, "laptop", "/home/alice/notes.txt");
    assert_string_equal(got, "hello\nworld\n");
    free(got);
    assert_null(file_of(&sim, "laptop", "/home/alice/my notes.txt"));
    got = file_of(&sim, "server", "/home/alice/up.txt");
    assert_string_equal(got, "one\ntwo\n");
    free(got);
    tw_done(&sim);
}

/* Two clients at once: the server's "ftp" table has a row for each, with
 * its own user and folder at the same moment. */
static void test_two_clients(void **state)
{
    (void)state;
    Errors e;
    errors_init(&e);
    World *w = scenario_load("scenarios/ftp_two_clients.json", &e);
    errors_print(&e, stderr);
    errors_fini(&e);
    assert_non_null(w);
    Sim sim;
    tw_run(&sim, w, 1);
    bool alice_pub = false, both = false;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_STATE || strcmp(r->table, "ftp") != 0 || !r->text)
            continue;
        if (strncmp(r->text, "alice cwd /home/alice/pub ", 26) == 0)
            alice_pub = true;
        if (alice_pub && strncmp(r->text, "bob cwd /home/bob ", 18) == 0)
            both = true;
    }
    assert_true(both);
    /* and the sessions are gone once both said bye */
    assert_int_equal(tw_count(&sim, TR_STATE, NULL) > 0, 1);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "Remote directory: /home/alice/pub\n"));
    assert_non_null(strstr(out, "Remote directory: /home/bob\n"));
    free(out);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_command),
        cmocka_unit_test(test_parse_port_eprt),
        cmocka_unit_test(test_list_line),
        cmocka_unit_test(test_before_login),
        cmocka_unit_test(test_after_login),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_tilde),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_anonymous),
        cmocka_unit_test(test_refused_data_connection),
        cmocka_unit_test(test_queued_quit),
        cmocka_unit_test(test_queued_transfer),
        cmocka_unit_test(test_rest_retr),
        cmocka_unit_test(test_abor_during_retr),
        cmocka_unit_test(test_client_session),
        cmocka_unit_test(test_client_zero_bytes),
        cmocka_unit_test(test_client_idle_timeout),
        cmocka_unit_test(test_ascii),
        cmocka_unit_test(test_client_login_failed),
        cmocka_unit_test(test_client_transfer_before_login),
        cmocka_unit_test(test_client_open_quote),
        cmocka_unit_test(test_client_toggles_help),
        cmocka_unit_test(test_client_missing_args),
        cmocka_unit_test(test_client_quoting),
        cmocka_unit_test(test_client_offline),
        cmocka_unit_test(test_client_mget_mput),
        cmocka_unit_test(test_client_local_name_checks),
        cmocka_unit_test(test_two_clients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
