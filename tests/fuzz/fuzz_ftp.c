/* libFuzzer target for the FTP server's command parser and state machine.
 *
 *   make fuzz        (or build/fuzz/fuzz_ftp CORPUS tests/fuzz/seeds/fuzz_ftp)
 *
 * The input is what a client sends on the control connection, as it is
 * (lines end at LF; anything goes inside them).  First each line goes
 * through ftp_parse_command, ftp_parse_port and ftp_parse_eprt, whose
 * results must lie inside the line (a verb of upper-case letters or "?",
 * an argument within it, a PORT address that prints back as its numbers).
 * Then a laptop sends the whole input to an FTP server (role ftp, user
 * alice with files) over a real TCP connection and the simulation runs for
 * an hour: the server may not crash, and every line it answers must be a
 * reply ("NNN text" or "NNN-text"), a continuation line of FEAT, HELP or
 * STAT (starting with a space), or a STAT listing line.  abort()
 * otherwise. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "io/scenario.h"
#include "net/tcp.h"
#include "proto/agents.h"
#include "proto/ftp/ftp_server.h"
#include "proto/textconn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scenario[] =
    "{\"minet\": 1, \"title\": \"fuzz\", \"seed\": 1, \"nodes\": ["
    "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10/24\"},"
    "{\"id\": \"server\", \"role\": \"ftp\", \"ip\": \"10.0.0.21/24\", \"anonymous\": true,"
    " \"users\": {\"alice\": {\"password\": \"a\"}},"
    " \"files\": {\"/home/alice/n.txt\": \"hi\\n\", \"/home/alice/d/e.txt\": \"e\\n\","
    " \"/srv/ftp/pub/r\": \"r\\n\"}}],"
    "\"links\": [{\"between\": [\"laptop\", \"server\"], \"latency\": \"1ms\"}]}";

typedef struct Client {
    const uint8_t *data;
    size_t size;
    TextConn *t; /* NULL once the server closed it */
} Client;

static bool reply_line(const char *l, size_t len)
{
    if (len >= 4 && l[0] >= '1' && l[0] <= '5' && isdigit((unsigned char)l[1]) &&
        isdigit((unsigned char)l[2]) && (l[3] == ' ' || l[3] == '-'))
        return true;
    if (len >= 1 && l[0] == ' ')
        return true;                                  /* FEAT, HELP, STAT */
    return len >= 10 && (l[0] == '-' || l[0] == 'd'); /* STAT PATH's listing */
}

static void c_connected(void *ctx, TextConn *t)
{
    Client *c = ctx;
    if (c->size)
        textconn_send_raw(t, c->data, c->size, NULL);
}

static void c_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)ctx;
    (void)t;
    if (!reply_line(line, len))
        abort();
}

static void c_closed(void *ctx, TextConn *t)
{
    Client *c = ctx;
    textconn_close(t);
    c->t = NULL;
}

static void c_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    Client *c = ctx;
    c->t = NULL;
}

static const TextConnOps client_ops = {c_connected, c_line, c_closed, c_ended};

static void check_parsers(const char *line, size_t len)
{
    FtpCommand c;
    ftp_parse_command(line, len, &c);
    for (const char *v = c.verb; *v; v++)
        if (!(isupper((unsigned char)*v) || *v == '?' || !isalpha((unsigned char)*v)))
            abort();
    if (c.arg < line || c.arg + c.arg_len > line + len)
        abort();
    uint32_t ip;
    uint16_t port;
    if (ftp_parse_port(line, &ip, &port)) {
        char back[32];
        snprintf(back, sizeof back, "%u,%u,%u,%u,%u,%u", ip >> 24, (ip >> 16) & 255,
                 (ip >> 8) & 255, ip & 255, port >> 8, port & 255);
        /* the numbers may have leading zeros; the values must match */
        uint32_t ip2;
        uint16_t port2;
        if (!ftp_parse_port(back, &ip2, &port2) || ip2 != ip || port2 != port)
            abort();
    }
    if (ftp_parse_eprt(line, &ip, &port) && port == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    for (char *l = text; l <= text + size;) {
        char *e = memchr(l, '\n', (size_t)(text + size - l));
        size_t n = e ? (size_t)(e - l) : (size_t)(text + size - l);
        char *line = xstrndup(l, n); /* NUL-terminated at n, as textconn passes it */
        check_parsers(line, n);
        free(line);
        if (!e)
            break;
        l = e + 1;
    }
    free(text);

    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("fuzz.json", ".", scenario, sizeof scenario - 1, &errs);
    errors_fini(&errs);
    if (!w)
        abort();
    world_wire(w);
    Sim sim;
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    Client c = {data, size, NULL};
    NetErr err;
    c.t = textconn_connect(&sim, 0, 0x0a000015, 21, "server", &client_ops, &c, &err);
    if (!c.t)
        abort();
    sim_run_until(&sim, 3600LL * 1000000);
    if (c.t)
        textconn_free(c.t);
    agents_stop(&sim);
    sim_fini(&sim);
    world_free(w);
    return 0;
}
