/* make bench, the application protocols: mail delivered end to end (9),
 * FTP (10) and POP3/IMAP sessions (11).  Each section prints its figures
 * with its goal; bench.c runs them. */
#include "tools/bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/evq.h"
#include "core/rng.h"
#include "core/sim.h"
#include "core/util.h"
#include "io/scenario.h"
#include "io/pcap.h"
#include "io/trace_out.h"
#include "net/net.h"
#include "net/tcp.h"
#include "proto/dns/dns_resolver.h"
#include "apps/shell.h"
#include "proto/agents.h"
#include "proto/mail/mail_server.h"
#include "proto/textconn.h"
#include "proto/vfs.h"
#include "proto/roles.h"
#include "proto/dns/dns_server.h"
#include "proto/dns/dns_stub.h"
#include "proto/dns/dns_wire.h"

/* ---- 9. mail end to end ------------------------------------------------------ */

/* 20 domains with a mail server each, 50 users each (1,000 users), one
 * resolver and one name server with the domains' MX; every user sends 20
 * messages to users at other domains (20,000 messages): MX and A lookups,
 * a TCP connection and an SMTP dialogue per message, local delivery.
 * Messages are submitted on the sender's server (Postfix's sendmail), one
 * every 100 µs of simulated time. */
enum { ML_DOMAINS = 20, ML_USERS = 50, ML_EACH = 20 };

static char *mail_scenario(size_t *len)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"mail\", \"nodes\": [\n");
    buf_puts(&b, "{\"id\": \"core\", \"role\": \"router\", \"ip\": [");
    for (int i = 0; i < ML_DOMAINS + 2; i++)
        buf_printf(&b, "%s\"100.64.%d.1\"", i ? ", " : "", i);
    buf_puts(&b, "]},\n");
    buf_puts(&b, "{\"id\": \"ns\", \"role\": \"dns\", \"ip\": \"100.64.0.2\", \"zones\": [");
    for (int d = 0; d < ML_DOMAINS; d++)
        buf_printf(&b, "%s\"d%d.example.\"", d ? ", " : "", d);
    buf_puts(&b, "]},\n{\"id\": \"res\", \"role\": \"resolver\", \"ip\": \"100.64.1.2\", "
                 "\"root_hints\": [\"100.64.0.2\"]},\n");
    for (int d = 0; d < ML_DOMAINS; d++) {
        buf_printf(&b,
                   "{\"id\": \"mail.d%d.example\", \"role\": \"mail\", \"ip\": \"100.64.%d.2\", "
                   "\"dns\": \"100.64.1.2\", \"domains\": [\"d%d.example\"], \"users\": {",
                   d, d + 2, d);
        for (int u = 0; u < ML_USERS; u++)
            buf_printf(&b, "%s\"u%d\": {\"password\": \"p\"}", u ? ", " : "", u);
        buf_puts(&b, "}},\n");
    }
    b.len -= 2;
    buf_puts(&b, "\n], \"links\": [\n");
    buf_puts(&b, "{\"between\": [\"core\", \"ns\"]}, {\"between\": [\"core\", \"res\"]}");
    for (int d = 0; d < ML_DOMAINS; d++)
        buf_printf(&b, ", {\"between\": [\"core\", \"mail.d%d.example\"], \"latency\": \"%dms\"}",
                   d, 1 + d % 10);
    buf_puts(&b, "], \"zones\": {\n");
    for (int d = 0; d < ML_DOMAINS; d++)
        buf_printf(&b,
                   "\"d%d.example.\": {\"records\": [\"$TTL 3600\", \"@ IN SOA ns x. 1 1800 900 "
                   "604800 300\", \"@ IN NS ns\", \"ns IN A 100.64.0.2\", \"@ IN MX 10 mail\", "
                   "\"mail IN A 100.64.%d.2\"]}%s\n",
                   d, d + 2, d + 1 < ML_DOMAINS ? "," : "");
    buf_puts(&b, "}}\n");
    *len = b.len;
    return buf_take(&b);
}

typedef struct MailBench {
    Sim *sim;
    int server[ML_DOMAINS];
    Rng rng;
} MailBench;

static void mail_send_event(Sim *sim, void *ctx, uint64_t arg)
{
    MailBench *mb = ctx;
    int from_d = (int)(arg / ML_USERS), from_u = (int)(arg % ML_USERS);
    int to_d = (from_d + 1 + (int)rng_below(&mb->rng, ML_DOMAINS - 1)) % ML_DOMAINS;
    int to_u = (int)rng_below(&mb->rng, ML_USERS);
    char from[64], to[64], text[256];
    snprintf(from, sizeof from, "u%d@d%d.example", from_u, from_d);
    snprintf(to, sizeof to, "u%d@d%d.example", to_u, to_d);
    snprintf(text, sizeof text, "From: %s\nTo: %s\nSubject: bench\n\nHello from %s.\n", from, to,
             from);
    const char *rcpt = to;
    mail_server_submit(mail_server_of(sim, mb->server[from_d]), from, &rcpt, 1, text, NULL);
}

static double run_mail(World *w, uint64_t *delivered)
{
    Sim sim;
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    MailBench mb = {.sim = &sim};
    sim_rng_stream(&sim, &mb.rng, "bench-mail");
    for (int d = 0; d < ML_DOMAINS; d++) {
        char id[64];
        snprintf(id, sizeof id, "mail.d%d.example", d);
        mb.server[d] = world_find_node(w, id);
    }
    uint64_t k = 0;
    for (int round = 0; round < ML_EACH; round++)
        for (int user = 0; user < ML_DOMAINS * ML_USERS; user++)
            sim_at(&sim, (SimTime)(k++) * 100, mail_send_event, &mb, (uint64_t)user);
    double t0 = now_s();
    sim_run_until(&sim, SIM_TIME_MAX);
    double dt = now_s() - t0;
    *delivered = 0;
    for (int d = 0; d < ML_DOMAINS; d++) {
        MailServer *s = mail_server_of(&sim, mb.server[d]);
        for (int u = 0; u < ML_USERS; u++) {
            char name[16];
            snprintf(name, sizeof name, "u%d", u);
            *delivered += mail_server_mailbox(s, name)->n;
        }
    }
    trace_end(&sim.trace);
    agents_stop(&sim);
    sim_fini(&sim);
    return (double)*delivered / dt;
}

void bench_mail(void)
{
    size_t len;
    char *json = mail_scenario(&len);
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("mail.json", ".", json, len, &errs);
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    enum { ML_RUNS = 3 };
    double rate[ML_RUNS];
    uint64_t delivered = 0;
    for (int k = 0; k < ML_RUNS; k++)
        rate[k] = run_mail(w, &delivered);
    double m = median(rate, ML_RUNS);
    printf("mail end to end, %d users at %d domains, %d messages each (MX and A lookups, a TCP "
           "connection and an SMTP dialogue per message), trace discarded:\n",
           ML_DOMAINS * ML_USERS, ML_DOMAINS, ML_EACH);
    printf("  %.0f messages delivered/s of wall time (median of %d runs; %llu of %d delivered) "
           "%s\n",
           m, ML_RUNS, (unsigned long long)delivered, ML_DOMAINS * ML_USERS * ML_EACH,
           m >= 1e4 ? "(goal >= 10,000/s: met)" : "(goal >= 10,000/s: NOT met)");
    world_free(w);
    free(json);
}

/* ---- 10. FTP: one big get, and many small sessions ------------------------- */

/* Runs w's script to the end with the trace discarded; returns the wall
 * time in seconds and the simulated end in *sim_s. */
static double run_script(World *w, double *sim_s, const char *check_path, int *have)
{
    Sim sim;
    world_wire(w);
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    shell_schedule_script(&sim);
    double t0 = now_s();
    sim_run_until(&sim, SIM_TIME_MAX);
    double dt = now_s() - t0;
    *sim_s = (double)sim.now / 1e6;
    if (check_path) { /* how many nodes hold the file: the gets worked */
        *have = 0;
        VfsStat st;
        for (size_t i = 0; i < w->n_nodes; i++)
            *have += vfs_stat(vfs_of(&sim), (int)i, check_path, &st) == VFS_OK;
    }
    agents_stop(&sim);
    sim_fini(&sim);
    return dt;
}

static World *load_or_die(const char *json, size_t len)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("bench.json", ".", json, len, &errs);
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    return w;
}

/* The transfer's own time: from the RETR to the 226, read from the node's
 * files is not possible without the trace, so the summary line's figures
 * are computed here from the run's end instead (the session ends 1 s after
 * the 226, when bye is typed, and ~3 s go to the login typed a second
 * apart). */
void bench_ftp(void)
{
    printf("FTP, trace discarded:\n");
    /* 1. a 100 MB get over 1 Gbit/s, 1 ms each way, window scaling with
     * 8 MiB buffers so that the link, not the window, limits it */
    static const char big[] =
        "{\"minet\": 1, \"title\": \"bench\", \"nodes\": ["
        "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.1\","
        " \"tcp\": {\"window_scaling\": true, \"rcvbuf\": \"8MiB\", \"sndbuf\": \"8MiB\"}},"
        "{\"id\": \"server\", \"role\": \"ftp\", \"ip\": \"10.0.0.2\","
        " \"tcp\": {\"window_scaling\": true, \"rcvbuf\": \"8MiB\", \"sndbuf\": \"8MiB\"},"
        " \"users\": {\"student\": {\"password\": \"pw\"}},"
        " \"files\": {\"/home/student/big.iso\": {\"size\": \"100MB\"}}}],"
        "\"links\": [{\"between\": [\"laptop\", \"server\"], \"latency\": \"1ms\","
        " \"bandwidth\": \"1Gbit\"}],"
        "\"script\": [{\"at\": \"0s\", \"on\": \"laptop\", \"run\": \"ftp server\","
        " \"input\": [\"student\", \"pw\", \"get big.iso\", \"bye\"]}]}";
    /* the same session with a 1-byte file: what is not the transfer */
    char *small = xstrdup(big);
    char *at = strstr(small, "{\"size\": \"100MB\"}");
    memcpy(at, "\"x\"              ", 17);
    enum { FTP_RUNS = 3 };
    double wall[FTP_RUNS], sim_big = 0, sim_small = 0;
    for (int k = 0; k < FTP_RUNS; k++) {
        World *w = load_or_die(big, sizeof big - 1);
        int have = 0;
        wall[k] = run_script(w, &sim_big, "/home/student/big.iso", &have);
        if (have != 2) {
            fprintf(stderr, "minet-bench: the 100 MB get did not arrive\n");
            exit(1);
        }
        world_free(w);
    }
    World *w = load_or_die(small, strlen(small));
    run_script(w, &sim_small, NULL, NULL);
    world_free(w);
    free(small);
    double transfer = sim_big - sim_small, ideal = 100e6 * 8 / 1e9;
    printf("  get of 100 MB over 1 Gbit/s: %.2f s of wall time (median of %d); the transfer took "
           "%.3f s simulated, the link's capacity allows %.3f s (%.0f%% of capacity)\n",
           median(wall, FTP_RUNS), FTP_RUNS, transfer, ideal, 100.0 * ideal / transfer);

    /* 2. 1,000 clients, each in its own subnet behind one router, each
     * logging in and fetching a small file, a millisecond apart */
    enum { CLIENTS = 1000 };
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"bench\", \"nodes\": [");
    buf_puts(&b, "{\"id\": \"server\", \"role\": \"ftp\", \"ip\": \"172.16.0.2\","
                 " \"users\": {\"student\": {\"password\": \"pw\"}},"
                 " \"files\": {\"/home/student/hello.txt\": \"hello, world\\n\"}},");
    buf_puts(&b, "{\"id\": \"r\", \"role\": \"router\", \"ip\": [\"172.16.0.1\"");
    for (int k = 0; k < CLIENTS; k++)
        buf_printf(&b, ", \"10.%d.%d.1\"", k / 250, k % 250);
    buf_puts(&b, "]}");
    for (int k = 0; k < CLIENTS; k++)
        buf_printf(&b, ", {\"id\": \"h%d\", \"role\": \"host\", \"ip\": \"10.%d.%d.2\"}", k,
                   k / 250, k % 250);
    buf_puts(&b, "], \"links\": [{\"between\": [\"server\", \"r\"], \"latency\": \"1ms\","
                 " \"bandwidth\": \"1Gbit\"}");
    for (int k = 0; k < CLIENTS; k++)
        buf_printf(&b, ", {\"between\": [\"r\", \"h%d\"], \"latency\": \"1ms\"}", k);
    buf_puts(&b, "], \"script\": [");
    for (int k = 0; k < CLIENTS; k++)
        buf_printf(&b,
                   "%s{\"at\": \"%dms\", \"on\": \"h%d\", \"run\": \"ftp 172.16.0.2\","
                   " \"input\": [\"student\", \"pw\", \"get hello.txt\", \"bye\"]}",
                   k ? ", " : "", k, k);
    buf_puts(&b, "]}");
    double many[FTP_RUNS], sim_many = 0;
    for (int k = 0; k < FTP_RUNS; k++) {
        w = load_or_die(b.data, b.len);
        int have = 0;
        many[k] = run_script(w, &sim_many, "/home/student/hello.txt", &have);
        if (have != CLIENTS + 1) {
            fprintf(stderr, "minet-bench: %d of %d clients got their file\n", have - 1, CLIENTS);
            exit(1);
        }
        world_free(w);
    }
    buf_fini(&b);
    double m = median(many, FTP_RUNS);
    printf("  %d clients each logging in and fetching a small file: %.2f s of wall time (median "
           "of %d), %.0f sessions/s (%.1f s simulated)\n",
           CLIENTS, m, FTP_RUNS, CLIENTS / m, sim_many);
}

/* ---- 11. mail access: POP3 and IMAP sessions --------------------------------------- */

enum { MA_CLIENTS = 100, MA_USERS = 100, MA_MSGS = 100, MA_SESSIONS = 20000 };

static char *access_scenario(size_t *len)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"access\", \"nodes\": [\n");
    buf_puts(&b, "{\"id\": \"core\", \"role\": \"router\", \"ip\": [");
    for (int i = 0; i <= MA_CLIENTS; i++)
        buf_printf(&b, "%s\"100.64.%d.1\"", i ? ", " : "", i);
    buf_puts(&b, "]},\n");
    buf_puts(&b, "{\"id\": \"mail.example\", \"role\": \"mail\", \"ip\": \"100.64.0.2\", "
                 "\"domains\": [\"example\"], \"users\": {");
    for (int u = 0; u < MA_USERS; u++)
        buf_printf(&b, "%s\"u%d\": {\"password\": \"p\"}", u ? ", " : "", u);
    buf_puts(&b, "}, \"mailboxes\": {");
    for (int u = 0; u < MA_USERS; u++) {
        buf_printf(&b, "%s\"u%d\": [", u ? ", " : "", u);
        for (int m = 0; m < MA_MSGS; m++)
            buf_printf(&b,
                       "%s{\"from\": \"alice@crepes.fr\", \"subject\": \"Message %d\", "
                       "\"body\": \"Line one.\\nLine two.\\n\"}",
                       m ? ", " : "", m + 1);
        buf_puts(&b, "]");
    }
    buf_puts(&b, "}}");
    for (int c = 0; c < MA_CLIENTS; c++)
        buf_printf(&b, ",\n{\"id\": \"c%d\", \"role\": \"host\", \"ip\": \"100.64.%d.2\"}", c,
                   c + 1);
    buf_puts(&b, "\n], \"links\": [{\"between\": [\"core\", \"mail.example\"]}");
    for (int c = 0; c < MA_CLIENTS; c++)
        buf_printf(&b, ", {\"between\": [\"core\", \"c%d\"]}", c);
    buf_puts(&b, "]}\n");
    *len = b.len;
    return buf_take(&b);
}

typedef struct AccessBench {
    int client[MA_CLIENTS];
    bool imap;
    uint64_t done, failed;
} AccessBench;

typedef struct AccessClient {
    AccessBench *ab;
    int user, step;            /* commands sent */
    bool expect_data, in_data; /* POP3: TOP's answer, then its lines */
} AccessClient;

static void access_send(AccessClient *ac, TextConn *t)
{
    char line[96];
    int k = ac->step++;
    if (ac->ab->imap) {
        static const char *const cmds[] = {"T1 LOGIN u%d p", "T2 SELECT INBOX",
                                           "T3 FETCH 91:100 (UID BODY.PEEK[HEADER])", "T4 LOGOUT"};
        snprintf(line, sizeof line, cmds[k], ac->user);
    } else if (k == 0) {
        snprintf(line, sizeof line, "USER u%d", ac->user);
    } else if (k == 1) {
        snprintf(line, sizeof line, "PASS p");
    } else if (k == 2) {
        snprintf(line, sizeof line, "STAT");
    } else if (k < 13) {
        snprintf(line, sizeof line, "TOP %d 0", MA_MSGS - 12 + k);
        ac->expect_data = true;
    } else {
        snprintf(line, sizeof line, "QUIT");
    }
    textconn_send(t, line, NULL);
}

static void access_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)len;
    AccessClient *ac = ctx;
    if (ac->ab->imap) {
        char tag[8];
        snprintf(tag, sizeof tag, "T%d ", ac->step);
        bool greeting = ac->step == 0 && strncmp(line, "* OK", 4) == 0;
        if (!greeting && strncmp(line, tag, strlen(tag)) != 0)
            return; /* untagged data */
        if (!greeting && strncmp(line + strlen(tag), "OK", 2) != 0)
            ac->ab->failed++;
        if (ac->step < 4)
            access_send(ac, t);
        return;
    }
    if (ac->in_data) {
        if (strcmp(line, ".") != 0)
            return;
        ac->in_data = false;
    } else {
        if (line[0] == '-')
            ac->ab->failed++;
        if (ac->expect_data && line[0] == '+') {
            ac->expect_data = false;
            ac->in_data = true;
            return;
        }
        ac->expect_data = false;
    }
    if (ac->step <= 13)
        access_send(ac, t);
}

static void access_closed(void *ctx, TextConn *t)
{
    AccessClient *ac = ctx;
    ac->ab->done++;
    textconn_close(t);
    free(ac);
}

static void access_ended(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    AccessClient *ac = ctx;
    ac->ab->failed++;
    free(ac);
}

static const TextConnOps access_ops = {NULL, access_line, access_closed, access_ended};

static void access_start(Sim *sim, void *ctx, uint64_t arg)
{
    AccessBench *ab = ctx;
    AccessClient *ac = xcalloc(1, sizeof *ac);
    ac->ab = ab;
    ac->user = (int)(arg % MA_USERS);
    NetErr err;
    if (!textconn_connect(sim, ab->client[arg % MA_CLIENTS], 0x64400002u, ab->imap ? 143 : 110,
                          NULL, &access_ops, ac, &err)) {
        ab->failed++;
        free(ac);
    }
}

static double run_access(World *w, bool imap, uint64_t *done, uint64_t *failed)
{
    Sim sim;
    sim_init(&sim, 1, w, false);
    agents_start(&sim);
    AccessBench ab = {.imap = imap};
    for (int c = 0; c < MA_CLIENTS; c++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", c);
        ab.client[c] = world_find_node(w, id);
    }
    for (uint64_t k = 0; k < MA_SESSIONS; k++)
        sim_at(&sim, (SimTime)k * 200, access_start, &ab, k);
    double t0 = now_s();
    sim_run_until(&sim, SIM_TIME_MAX);
    double dt = now_s() - t0;
    *done = ab.done;
    *failed = ab.failed;
    trace_end(&sim.trace);
    agents_stop(&sim);
    sim_fini(&sim);
    return (double)ab.done / dt;
}

void bench_access(void)
{
    size_t len;
    char *json = access_scenario(&len);
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("access.json", ".", json, len, &errs);
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    enum { MA_RUNS = 3 };
    for (int imap = 1; imap >= 0; imap--) {
        double rate[MA_RUNS];
        uint64_t done = 0, failed = 0;
        for (int k = 0; k < MA_RUNS; k++)
            rate[k] = run_access(w, imap, &done, &failed);
        double m = median(rate, MA_RUNS);
        if (imap) {
            printf("mail access, %d users with %d messages each, %d sessions from %d hosts, "
                   "trace discarded:\n",
                   MA_USERS, MA_MSGS, MA_SESSIONS, MA_CLIENTS);
            printf("  IMAP (LOGIN, SELECT INBOX, FETCH of the newest 10 headers, LOGOUT): %.0f "
                   "sessions/s (median of %d runs; %llu done, %llu failed) %s\n",
                   m, MA_RUNS, (unsigned long long)done, (unsigned long long)failed,
                   m >= 5000 ? "(goal >= 5,000/s: met)" : "(goal >= 5,000/s: NOT met)");
        } else {
            printf("  POP3 (USER, PASS, STAT, TOP of the newest 10, QUIT): %.0f sessions/s "
                   "(median of %d runs; %llu done, %llu failed)\n",
                   m, MA_RUNS, (unsigned long long)done, (unsigned long long)failed);
        }
    }
    world_free(w);
    free(json);
}
