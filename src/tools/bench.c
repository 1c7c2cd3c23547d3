/* minet-bench — the performance figures `make bench` prints.  Not a test:
 * figures on a shared machine vary, so it reports medians of several runs.
 *
 *  1. the event queue on a hold model (pop the earliest, push one later)
 *     with 10^3, 10^5 and 10^6 pending events, beside a minimal binary heap
 *     running the same workload in the same process (goal: ratio >= 0.6);
 *  2. JSON Lines records written per second to a file (goal >= 1.5 M/s);
 *  3. load time of a generated 2,000-node scenario (goal <= 50 ms);
 *  4. queries answered per second by one authoritative server holding a
 *     100,000-record zone: decode, lookup, encode (goal >= 1,000,000/s);
 *  5. DNS lookups per second in a generated internet (10,000 hosts, 1,000
 *     domains, names drawn from a Zipf distribution, caches on), with the
 *     trace discarded (goal >= 100,000/s) and with JSON Lines written;
 *  6. pcapng capture of a large trace, collected and streamed to a file
 *     as the trace goes: packets per second and MB/s (goal >= 5,000,000
 *     packets/s);
 *  7. a TCP bulk transfer of 100 MB over a 1 Gbit/s, 10 ms link, lossless
 *     and with 1 % loss, trace discarded: simulated segments per second of
 *     wall time (goal: 10x ns-3's BulkSendApplication; ns-3 is not
 *     installed here, so only our figure is printed);
 *  8. end to end, as a user runs it: the whole `minet run SCENARIO --quiet`
 *     process (load included; the binary built beside this one, or
 *     $MINET_BENCH_MINET) on a generated internet of 10,000 and 50,000
 *     hosts, each running one `host -t A NAME` and one plain `host NAME`;
 *     also with --pcap and with --trace x.jsonl.  Goals: >= 100,000
 *     `host -t A` lookups/s at 10,000 hosts; 50,000 hosts cost <= 5.5x the
 *     time of 10,000 and memory grows linearly (<= 5.5x); --pcap adds at
 *     most 64 MB of memory at 50,000 hosts.
 *  9. mail end to end: messages delivered per second (1,000 users at 20
 *     domains, 20 messages each; goal >= 10,000/s);
 * 10. FTP: a 100 MB get over 1 Gbit/s, and 1,000 clients each fetching a
 *     small file (sessions per second);
 * 11. mail access: IMAP sessions per second (log in, select a 100-message
 *     INBOX, fetch the newest 10 messages' headers, log out; goal >=
 *     5,000/s) and POP3 sessions (log in, STAT, TOP of the newest 10,
 *     QUIT), each over its own TCP connection, trace discarded. */
/* wait4: the child's own resource usage (max RSS), a BSD call glibc shows
 * with _DEFAULT_SOURCE. */
#define _DEFAULT_SOURCE
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
#include "tools/bench.h"

#define RUNS 5

extern char **environ;

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* ---- 1. hold model ------------------------------------------------------ */

/* The reference: the smallest binary heap that does the job, with no
 * handles and no cancel. */
typedef struct RefItem {
    SimTime time;
    uint64_t seq;
    void *ctx;
} RefItem;

typedef struct RefHeap {
    RefItem *a;
    size_t n, cap;
    uint64_t seq;
} RefHeap;

static inline bool ref_less(const RefItem *x, const RefItem *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static void ref_push(RefHeap *h, SimTime t, void *ctx)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->a = xrealloc(h->a, h->cap * sizeof *h->a);
    }
    RefItem it = {t, h->seq++, ctx};
    size_t i = h->n++;
    while (i > 0 && ref_less(&it, &h->a[(i - 1) / 2])) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = it;
}

static RefItem ref_pop(RefHeap *h)
{
    RefItem top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && ref_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!ref_less(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n)
        h->a[i] = last;
    return top;
}

static void nop(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

/* Increments from one seeded generator, the same for both queues. */
static SimTime *make_increments(size_t n)
{
    SimTime *inc = xmalloc(n * sizeof *inc);
    Rng r;
    rng_seed(&r, 12345);
    for (size_t i = 0; i < n; i++)
        inc[i] = (SimTime)rng_below(&r, 1000000);
    return inc;
}

static double hold_evq(size_t pending, const SimTime *inc, size_t ops)
{
    Evq q;
    evq_init(&q);
    for (size_t i = 0; i < pending; i++)
        evq_push(&q, inc[i % ops], nop, NULL, i);
    double t0 = now_s();
    Event ev;
    SimTime sink = 0;
    for (size_t i = 0; i < ops; i++) {
        evq_pop(&q, &ev);
        sink += ev.time;
        evq_push(&q, ev.time + inc[i], nop, NULL, i);
    }
    double dt = now_s() - t0;
    evq_fini(&q);
    if (sink == 42)
        puts("");
    return (double)ops / dt;
}

static double hold_ref(size_t pending, const SimTime *inc, size_t ops)
{
    RefHeap h = {0};
    for (size_t i = 0; i < pending; i++)
        ref_push(&h, inc[i % ops], NULL);
    double t0 = now_s();
    SimTime sink = 0;
    for (size_t i = 0; i < ops; i++) {
        RefItem it = ref_pop(&h);
        sink += it.time;
        ref_push(&h, it.time + inc[i], NULL);
    }
    double dt = now_s() - t0;
    free(h.a);
    if (sink == 42)
        puts("");
    return (double)ops / dt;
}

static void bench_hold(void)
{
    const size_t sizes[] = {1000, 100000, 1000000};
    const size_t ops = 3000000;
    SimTime *inc = make_increments(ops);
    printf("event queue, hold model (%zu pops + pushes per run, median of %d runs):\n", ops, RUNS);
    printf("  %10s  %14s  %14s  %6s\n", "pending", "minet evq/s", "ref heap/s", "ratio");
    for (size_t s = 0; s < MN_ARRAY_LEN(sizes); s++) {
        double a[RUNS], b[RUNS], r[RUNS];
        for (int k = 0; k < RUNS; k++) {
            /* Alternate which runs first, so neither always gets a warm cache. */
            if (k % 2) {
                b[k] = hold_ref(sizes[s], inc, ops);
                a[k] = hold_evq(sizes[s], inc, ops);
            } else {
                a[k] = hold_evq(sizes[s], inc, ops);
                b[k] = hold_ref(sizes[s], inc, ops);
            }
            r[k] = a[k] / b[k];
        }
        double ma = median(a, RUNS), mb = median(b, RUNS), mr = median(r, RUNS);
        printf("  %10zu  %14.0f  %14.0f  %6.2f  %s\n", sizes[s], ma, mb, mr,
               mr >= 0.6 ? "(goal >= 0.6: met)" : "(goal >= 0.6: NOT met)");
    }
    free(inc);
}

/* ---- 2. JSON Lines ------------------------------------------------------ */

static const char tiny_scenario[] = "{\"minet\": 1, \"title\": \"bench\", \"nodes\": ["
                                    "{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"},"
                                    "{\"id\": \"b\", \"role\": \"host\", \"ip\": \"10.0.0.2\"}],"
                                    "\"links\": [{\"between\": [\"a\", \"b\"]}]}";

static void bench_jsonl(void)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("bench.json", ".", tiny_scenario, strlen(tiny_scenario), &errs);
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    /* A typical mix: a hop (a 98-byte ping frame) for every two other records. */
    uint8_t frame[98];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7);
    frame[12] = 0x08;
    frame[13] = 0x00;
    frame[14] = 0x45;
    const size_t n = 1500000;
    char path[] = "/tmp/minet-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    double rates[RUNS];
    double bytes = 0;
    for (int k = 0; k < RUNS; k++) {
        FILE *f = fdopen(dup(fd), "wb");
        Trace t;
        trace_init(&t, w, false);
        TraceSink s = trace_writer_new(TRACE_JSONL, f);
        trace_add_sink(&t, s);
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) {
            switch (i % 3) {
            case 0:
                trace_hop(&t, (SimTime)i, (SimTime)i + 1000, i + 1, 0, 0, 1, 0, 0, frame,
                          sizeof frame);
                break;
            case 1:
                trace_note(&t, (SimTime)i, i, "a sends an ICMP echo request to b (icmp_seq=%zu).",
                           i);
                break;
            default:
                trace_deliver(&t, (SimTime)i, i, 1);
                break;
            }
        }
        trace_end(&t);
        fflush(f);
        double dt = now_s() - t0;
        bytes = (double)ftell(f);
        fclose(f);
        trace_writer_free(s);
        trace_fini(&t);
        rates[k] = (double)n / dt;
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
            perror("ftruncate");
    }
    close(fd);
    unlink(path);
    double m = median(rates, RUNS);
    printf(
        "JSON Lines writer: %.2f M records/s (median of %d runs of %zu records, %.0f MB each) %s\n",
        m / 1e6, RUNS, n, bytes / 1e6,
        m >= 1.5e6 ? "(goal >= 1.5 M/s: met)" : "(goal >= 1.5 M/s: NOT met)");
    world_free(w);
}

/* ---- 3. loading a big scenario ----------------------------------------- */

/* 2,000 nodes: 100 routers in a ring, each with 19 hosts; a script line per
 * router. */
static char *big_scenario(size_t *len)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\n\"minet\": 1,\n\"title\": \"2000 nodes\",\n\"nodes\": [\n");
    const int routers = 100, per = 19;
    for (int r = 0; r < routers; r++) {
        buf_printf(&b, "{\"id\": \"r%d\", \"role\": \"router\", \"ip\": \"10.%d.0.1\"},\n", r, r);
        for (int h = 0; h < per; h++)
            buf_printf(&b, "{\"id\": \"h%d-%d\", \"role\": \"host\", \"ip\": \"10.%d.1.%d\"}%s\n",
                       r, h, r, h + 1, (r == routers - 1 && h == per - 1) ? "" : ",");
    }
    buf_puts(&b, "],\n\"links\": [\n");
    for (int r = 0; r < routers; r++) {
        buf_printf(&b, "{\"between\": [\"r%d\", \"r%d\"], \"latency\": \"5ms\"},\n", r,
                   (r + 1) % routers);
        for (int h = 0; h < per; h++)
            buf_printf(&b, "{\"between\": [\"h%d-%d\", \"r%d\"]}%s\n", r, h, r,
                       (r == routers - 1 && h == per - 1) ? "" : ",");
    }
    buf_puts(&b, "],\n\"script\": [\n");
    for (int r = 0; r < routers; r++)
        buf_printf(&b, "{\"at\": \"%dms\", \"on\": \"h%d-0\", \"run\": \"ping -c 1 r%d\"}%s\n", r,
                   r, (r + 50) % routers, r == routers - 1 ? "" : ",");
    buf_puts(&b, "]\n}\n");
    *len = b.len;
    return buf_take(&b);
}

static void bench_load(void)
{
    size_t len;
    char *json = big_scenario(&len);
    double ms[RUNS];
    size_t nodes = 0;
    for (int k = 0; k < RUNS; k++) {
        Errors errs;
        errors_init(&errs);
        double t0 = now_s();
        World *w = scenario_load_mem("big.json", ".", json, len, &errs);
        ms[k] = (now_s() - t0) * 1000;
        if (!w) {
            errors_print(&errs, stderr);
            exit(1);
        }
        nodes = w->n_nodes;
        world_free(w);
        errors_fini(&errs);
    }
    double m = median(ms, RUNS);
    printf("scenario load: %zu nodes (%zu KB of JSON) in %.2f ms (median of %d) %s\n", nodes,
           len / 1024, m, RUNS, m <= 50 ? "(goal <= 50 ms: met)" : "(goal <= 50 ms: NOT met)");
    free(json);
}

/* ---- 4. an authoritative server under load ----------------------------- */

#define ZONE_RECORDS 100000

static void bench_dns(void)
{
    char dir[] = "/tmp/minet-bench-dns-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    char *zpath = xasprintf("%s/big.zone", dir);
    FILE *f = fopen(zpath, "w");
    if (!f) {
        perror(zpath);
        exit(1);
    }
    fprintf(f, "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600\n@ IN NS ns1\n"
               "ns1 IN A 10.0.0.53\n");
    /* Hosts, a CNAME for every tenth, an MX for every hundredth. */
    for (int i = 0; i < ZONE_RECORDS - 3; i++) {
        if (i % 10 == 9)
            fprintf(f, "alias%d IN CNAME host%d\n", i, i - 1);
        else if (i % 100 == 50)
            fprintf(f, "host%d IN MX 10 host%d\n", i - 1, i - 2);
        else
            fprintf(f, "host%d IN A 10.%d.%d.%d\n", i, (i >> 16) & 255, (i >> 8) & 255, i & 255);
    }
    fclose(f);
    const char *json = "{\"minet\": 1, \"title\": \"dns bench\", \"nodes\": ["
                       "{\"id\": \"ns1\", \"role\": \"dns\", \"ip\": \"10.0.0.53\", "
                       "\"zones\": [\"example.org.\"]}], "
                       "\"zones\": {\"example.org.\": {\"file\": \"big.zone\"}}}";
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("bench.json", dir, json, strlen(json), &errs);
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    DnsServer *s = dns_server_new(w, 0);
    /* 4,096 queries for names spread over the zone, some that do not exist. */
    enum { NQ = 4096 };
    uint8_t(*q)[128] = xmalloc(NQ * sizeof *q);
    size_t qlen[NQ];
    Rng r;
    rng_seed(&r, 7);
    DnsMsg m;
    dns_msg_init(&m);
    for (int i = 0; i < NQ; i++) {
        char name[64];
        uint64_t k = rng_below(&r, ZONE_RECORDS + ZONE_RECORDS / 10);
        if (k % 10 == 9)
            snprintf(name, sizeof name, "alias%d.example.org.", (int)k);
        else
            snprintf(name, sizeof name, "host%d.example.org.", (int)k);
        DnsName n;
        dns_name_parse(&n, name, NULL);
        dns_msg_reset(&m);
        m.id = (uint16_t)i;
        dns_msg_add_question(&m, &n, DNS_TYPE_A, DNS_CLASS_IN);
        qlen[i] = dns_encode(&m, q[i], sizeof q[i]);
    }
    dns_msg_fini(&m);
    uint8_t out[1500];
    const size_t n = 2000000;
    double rates[RUNS];
    size_t bytes = 0;
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_s();
        for (size_t i = 0; i < n; i++)
            bytes += dns_server_answer(s, q[i % NQ], qlen[i % NQ], NULL, out, sizeof out, NULL);
        rates[k] = (double)n / (now_s() - t0);
    }
    double med = median(rates, RUNS);
    printf("authoritative server, %d-record zone: %.2f M queries/s answered (median of %d runs "
           "of %zu; decode + lookup + encode, no trace) %s\n",
           ZONE_RECORDS, med / 1e6, RUNS, n,
           med >= 1e6 ? "(goal >= 1 M/s: met)" : "(goal >= 1 M/s: NOT met)");
    if (bytes == 42)
        puts("");
    free(q);
    dns_server_free(s);
    world_free(w);
    unlink(zpath);
    rmdir(dir);
    free(zpath);
}

/* ---- 5. lookups in a generated internet ----------------------------------- */

#define LK_HOSTS     10000
#define LK_DOMAINS   1000
#define LK_AUTH      50
#define LK_RESOLVERS 10
#define LK_ACCESS    100
#define LK_LOOKUPS   300000

/* The generated scenarios' common part: the core's links to the DNS
 * servers and resolvers, then the root, .com and the domains' zones (the
 * caller closes the "zones" object). */
static void put_hierarchy(Buf *b)
{
    buf_puts(b, "{\"between\": [\"core\", \"root\"], \"latency\": \"20ms\"},\n");
    buf_puts(b, "{\"between\": [\"core\", \"tld\"], \"latency\": \"15ms\"},\n");
    for (int s = 0; s < LK_AUTH; s++)
        buf_printf(b, "{\"between\": [\"core\", \"ns%d\"], \"latency\": \"%dms\"},\n", s,
                   5 + s % 20);
    for (int r = 0; r < LK_RESOLVERS; r++)
        buf_printf(b, "{\"between\": [\"core\", \"res%d\"], \"latency\": \"1ms\"}%s\n", r,
                   r + 1 < LK_RESOLVERS ? "," : "");
    buf_puts(b, "], \"zones\": {\n");
    buf_puts(b,
             "\".\": {\"records\": [\"$TTL 86400\", \"@ IN SOA root. x. 1 1800 900 604800 86400\", "
             "\"@ IN NS root.\", \"root. IN A 198.41.0.4\", \"com. IN NS tld.com.\", "
             "\"tld.com. IN A 192.12.94.30\"]},\n");
    buf_puts(
        b, "\"com.\": {\"records\": [\"$TTL 86400\", \"@ IN SOA tld x. 1 1800 900 604800 86400\", "
           "\"@ IN NS tld\", \"tld IN A 192.12.94.30\"");
    for (int d = 0; d < LK_DOMAINS; d++)
        buf_printf(b, ", \"d%d IN NS ns.d%d\", \"ns.d%d IN A 192.0.%d.1\"", d, d, d, d % LK_AUTH);
    buf_puts(b, "]},\n");
    for (int d = 0; d < LK_DOMAINS; d++) {
        buf_printf(b,
                   "\"d%d.com.\": {\"records\": [\"$TTL 300\", \"@ IN SOA ns x. 1 1800 900 604800 "
                   "300\", \"@ IN NS ns\", \"ns IN A 192.0.%d.1\", \"www IN CNAME web\", "
                   "\"web IN A 198.51.%d.%d\"",
                   d, d % LK_AUTH, d / 250, d % 250);
        for (int h = 0; h < 8; h++)
            buf_printf(b, ", \"h%d IN A 203.0.%d.%d\"", h, d % 250, h);
        buf_printf(b, "]}%s\n", d + 1 < LK_DOMAINS ? "," : "");
    }
}

static char *lookup_scenario(size_t *len)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"lookups\", \"nodes\": [\n");
    /* core router: one address per link (access routers, servers, resolvers) */
    int core_links = LK_ACCESS + 2 + LK_AUTH + LK_RESOLVERS;
    buf_puts(&b, "{\"id\": \"core\", \"role\": \"router\", \"ip\": [");
    for (int i = 0; i < core_links; i++)
        buf_printf(&b, "%s\"100.%d.%d.1\"", i ? ", " : "", 64 + i / 250, i % 250);
    buf_puts(&b, "]},\n");
    for (int a = 0; a < LK_ACCESS; a++) {
        buf_printf(&b, "{\"id\": \"r%d\", \"role\": \"router\", \"ip\": [\"100.%d.%d.2\"", a,
                   64 + a / 250, a % 250);
        for (int h = 0; h < LK_HOSTS / LK_ACCESS; h++)
            buf_printf(&b, ", \"10.%d.%d.1\"", a, h);
        buf_puts(&b, "]},\n");
        for (int h = 0; h < LK_HOSTS / LK_ACCESS; h++)
            buf_printf(&b,
                       "{\"id\": \"h%d-%d\", \"role\": \"host\", \"ip\": \"10.%d.%d.2\", "
                       "\"dns\": \"172.16.0.%d\"},\n",
                       a, h, a, h, (a * 7 + h) % LK_RESOLVERS + 1);
    }
    buf_puts(&b, "{\"id\": \"root\", \"role\": \"dns\", \"ip\": \"198.41.0.4\", \"zones\": "
                 "[\".\"]},\n");
    buf_puts(&b, "{\"id\": \"tld\", \"role\": \"dns\", \"ip\": \"192.12.94.30\", \"zones\": "
                 "[\"com.\"]},\n");
    for (int s = 0; s < LK_AUTH; s++) {
        buf_printf(&b, "{\"id\": \"ns%d\", \"role\": \"dns\", \"ip\": \"192.0.%d.1\", \"zones\": [",
                   s, s);
        for (int d = s; d < LK_DOMAINS; d += LK_AUTH)
            buf_printf(&b, "%s\"d%d.com.\"", d == s ? "" : ", ", d);
        buf_puts(&b, "]},\n");
    }
    for (int r = 0; r < LK_RESOLVERS; r++)
        buf_printf(&b, "{\"id\": \"res%d\", \"role\": \"resolver\", \"ip\": \"172.16.0.%d\"}%s\n",
                   r, r + 1, r + 1 < LK_RESOLVERS ? "," : "");
    buf_puts(&b, "], \"links\": [\n");
    for (int a = 0; a < LK_ACCESS; a++) {
        buf_printf(&b, "{\"between\": [\"core\", \"r%d\"], \"latency\": \"2ms\"},\n", a);
        for (int h = 0; h < LK_HOSTS / LK_ACCESS; h++)
            buf_printf(&b, "{\"between\": [\"r%d\", \"h%d-%d\"]},\n", a, a, h);
    }
    put_hierarchy(&b);
    buf_puts(&b, "}}\n");
    *len = b.len;
    return buf_take(&b);
}

typedef struct LookupBench {
    Sim *sim;
    World *w;
    Rng rng; /* which host asks for which name */
    double *zipf_cdf;
    uint64_t issued, done, failed;
    uint64_t by_status[4];
    int *hosts;           /* node index of each host */
    char (*names)[9][32]; /* per domain: h0..h7 and www, made once */
} LookupBench;

static void lookup_done(void *ctx, DnsLookupStatus st, uint32_t addr, const char *canon)
{
    (void)addr;
    (void)canon;
    LookupBench *lb = ctx;
    lb->done++;
    lb->failed += st != DNS_LOOKUP_OK;
    lb->by_status[st]++;
}

static int zipf_draw(LookupBench *lb)
{
    double u = rng_double(&lb->rng);
    int lo = 0, hi = LK_DOMAINS - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (lb->zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void lookup_event(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    LookupBench *lb = ctx;
    int d = zipf_draw(lb);
    int h = (int)rng_below(&lb->rng, 9);
    int host = lb->hosts[rng_below(&lb->rng, LK_HOSTS)];
    lb->issued++;
    dns_lookup_address(sim, host, lb->names[d][h], lookup_done, lb);
}

static double run_lookups(World *w, FILE *jsonl, uint64_t *failed)
{
    Sim sim;
    sim_init(&sim, 1, w, false);
    net_new(&sim);
    dns_servers_start(&sim);
    dns_resolvers_start(&sim);
    TraceSink sink = {0};
    if (jsonl) {
        sink = trace_writer_new(TRACE_JSONL, jsonl);
        trace_add_sink(&sim.trace, sink);
    }
    LookupBench lb = {.sim = &sim, .w = w};
    sim_rng_stream(&sim, &lb.rng, "bench-lookups");
    lb.zipf_cdf = xmalloc(LK_DOMAINS * sizeof *lb.zipf_cdf);
    double sum = 0;
    for (int i = 0; i < LK_DOMAINS; i++)
        sum += 1.0 / (i + 1);
    double acc = 0;
    for (int i = 0; i < LK_DOMAINS; i++) {
        acc += 1.0 / (i + 1) / sum;
        lb.zipf_cdf[i] = acc;
    }
    lb.names = xmalloc(LK_DOMAINS * sizeof *lb.names);
    for (int d = 0; d < LK_DOMAINS; d++)
        for (int h = 0; h < 9; h++)
            snprintf(lb.names[d][h], sizeof lb.names[d][h], h == 8 ? "www.d%d.com" : "h%d.d%d.com",
                     h == 8 ? d : h, d);
    lb.hosts = xmalloc(LK_HOSTS * sizeof *lb.hosts);
    for (size_t i = 0, k = 0; i < w->n_nodes && k < LK_HOSTS; i++)
        if (w->nodes[i].role == ROLE_HOST)
            lb.hosts[k++] = (int)i;
    /* One lookup every 20 µs of simulated time: 6 s for 300,000. */
    for (int i = 0; i < LK_LOOKUPS; i++)
        sim_at(&sim, (SimTime)i * 20, lookup_event, &lb, 0);
    double t0 = now_s();
    sim_run_until(&sim, SIM_TIME_MAX);
    double dt = now_s() - t0;
    trace_end(&sim.trace);
    if (jsonl)
        trace_writer_free(sink);
    *failed = lb.failed + (lb.issued - lb.done);
    if (getenv("MINET_BENCH_DEBUG"))
        fprintf(stderr, "issued %llu done %llu: ok %llu nxdomain %llu nodata %llu failed %llu\n",
                (unsigned long long)lb.issued, (unsigned long long)lb.done,
                (unsigned long long)lb.by_status[0], (unsigned long long)lb.by_status[1],
                (unsigned long long)lb.by_status[2], (unsigned long long)lb.by_status[3]);
    free(lb.zipf_cdf);
    free(lb.hosts);
    free(lb.names);
    dns_stubs_stop(&sim);
    dns_resolvers_stop(&sim);
    dns_servers_stop(&sim);
    net_free(sim.net);
    sim_fini(&sim);
    return (double)LK_LOOKUPS / dt;
}

static void bench_lookups(void)
{
    size_t len;
    char *json = lookup_scenario(&len);
    Errors errs;
    errors_init(&errs);
    double t0 = now_s();
    World *w = scenario_load_mem("lookups.json", ".", json, len, &errs);
    double load_ms = (now_s() - t0) * 1000;
    if (!w) {
        errors_print(&errs, stderr);
        exit(1);
    }
    errors_fini(&errs);
    enum { LK_RUNS = 3 };
    double plain[LK_RUNS], with_jsonl[LK_RUNS];
    uint64_t failed = 0;
    char path[] = "/tmp/minet-bench-lookups-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    for (int k = 0; k < LK_RUNS; k++) {
        plain[k] = run_lookups(w, NULL, &failed);
        FILE *f = fdopen(dup(fd), "wb");
        with_jsonl[k] = run_lookups(w, f, &failed);
        fclose(f);
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
            perror("ftruncate");
    }
    close(fd);
    unlink(path);
    double m = median(plain, LK_RUNS), mj = median(with_jsonl, LK_RUNS);
    printf("DNS lookups, %d hosts, %d domains, Zipf names, caches on (%zu nodes, loaded in %.0f "
           "ms):\n",
           LK_HOSTS, LK_DOMAINS, w->n_nodes, load_ms);
    printf("  trace discarded:      %.0f lookups/s (median of %d runs of %d; %llu failed) %s\n", m,
           LK_RUNS, LK_LOOKUPS, (unsigned long long)failed,
           m >= 1e5 ? "(goal >= 100,000/s: met)" : "(goal >= 100,000/s: NOT met)");
    printf("  JSON Lines written:   %.0f lookups/s (median of %d runs)\n", mj, LK_RUNS);
    world_free(w);
    free(json);
}

/* ---- 6. pcapng export ------------------------------------------------------ */

static void bench_pcap(void)
{
    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("bench.json", ".", tiny_scenario, strlen(tiny_scenario), &errs);
    errors_fini(&errs);
    if (!w)
        exit(1);
    uint8_t frame[98];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7);
    frame[12] = 0x08;
    frame[13] = 0x00;
    const size_t n = 2000000;
    double rate[RUNS], mbps[RUNS];
    for (int k = 0; k < RUNS; k++) {
        char why[256];
        PcapWriter *pw = pcap_writer_new(w, "bench.pcapng", NULL, why, sizeof why);
        if (!pw) {
            fprintf(stderr, "%s\n", why);
            exit(1);
        }
        char path[] = "/tmp/minet-bench-pcap-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (!f) {
            perror("mkstemp");
            exit(1);
        }
        Trace t;
        trace_init(&t, w, false);
        double t0 = now_s();
        /* Streamed as minet run --pcap does: frames are written as the
         * trace goes, each once its packet is delivered. */
        pcap_writer_stream(pw, f);
        trace_add_sink(&t, pcap_writer_sink(pw));
        /* A packet and its caption, as a scenario's trace has them. */
        for (size_t i = 0; i < n; i++) {
            trace_note(&t, (SimTime)i * 10, i + 1, "a sends packet %zu to b.", i);
            trace_hop(&t, (SimTime)i * 10, (SimTime)i * 10 + 5, i + 1, 0, 0, 1, 0, 0, frame,
                      sizeof frame);
            trace_deliver(&t, (SimTime)i * 10 + 5, i + 1, 1);
        }
        trace_end(&t);
        pcap_writer_write(pw, f, (SimTime)n * 10 + 1000, why, sizeof why);
        fflush(f);
        double dt = now_s() - t0;
        long bytes = ftell(f);
        fclose(f);
        unlink(path);
        rate[k] = (double)n / dt;
        mbps[k] = (double)bytes / 1e6 / dt;
        trace_fini(&t);
        pcap_writer_free(pw);
    }
    double r = median(rate, RUNS);
    printf("pcapng capture of %zu packets with comments, collected and written as the trace "
           "goes: %.2f M packets/s (%.0f MB/s; median of %d) %s\n",
           n, r / 1e6, median(mbps, RUNS), RUNS,
           r >= 5e6 ? "(goal >= 5 M/s: met)" : "(goal >= 5 M/s: NOT met)");
    world_free(w);
}

/* ---- 7. TCP bulk transfer -------------------------------------------------- */

#define BULK_BYTES (100u * 1000 * 1000)

typedef struct Bulk {
    TcpConn *c;
    size_t left, got;
    bool done;
} Bulk;

static uint8_t bulk_chunk[65536];

static void bulk_pump(Bulk *b)
{
    while (b->c && b->left) {
        size_t n =
            tcp_write(b->c, bulk_chunk, b->left < sizeof bulk_chunk ? b->left : sizeof bulk_chunk);
        if (!n)
            return;
        b->left -= n;
    }
    if (b->c && !b->left) {
        tcp_close(b->c);
        b->c = NULL;
    }
}

static void bulk_connected(void *ctx, TcpConn *c)
{
    Bulk *b = ctx;
    b->c = c;
    bulk_pump(b);
}

static void bulk_sent(void *ctx, TcpConn *c, size_t n)
{
    (void)c;
    (void)n;
    bulk_pump(ctx);
}

static void bulk_received(void *ctx, TcpConn *c, const uint8_t *data, size_t len)
{
    (void)data;
    Bulk *b = ctx;
    b->got += len;
    if (len)
        tcp_recved(c, len);
    else {
        b->done = true;
        tcp_close(c);
    }
}

static const TcpOps bulk_ops = {NULL, bulk_connected, bulk_received, bulk_sent, NULL};

static void bulk_accepted(void *ctx, TcpConn *l, TcpConn *c)
{
    (void)l;
    tcp_set_ops(c, &bulk_ops, ctx);
}

static const TcpOps bulk_listen_ops = {bulk_accepted, NULL, NULL, NULL, NULL};

/* One transfer; returns segments per second of wall time. */
static double run_bulk(World *w, double *sim_s, uint64_t *segs)
{
    Sim sim;
    sim_init(&sim, 1, w, false);
    net_new(&sim);
    Bulk cli = {.left = BULK_BYTES}, srv = {0};
    tcp_listen(&sim, 1, 5001, 16, &bulk_listen_ops, &srv);
    NetErr err;
    tcp_connect(&sim, 0, 0x0a000002u, 5001, NULL, &bulk_ops, &cli, &err);
    double t0 = now_s();
    sim_run_until(&sim, SIM_TIME_MAX);
    double dt = now_s() - t0;
    if (srv.got != BULK_BYTES || !srv.done) {
        fprintf(stderr, "minet-bench: the TCP transfer delivered %zu of %u bytes\n", srv.got,
                BULK_BYTES);
        exit(1);
    }
    *sim_s = (double)sim.now / 1e6;
    *segs = sim.next_pkt; /* every IP packet is a segment here */
    tcp_free_all(&sim);
    net_free(sim.net);
    sim_fini(&sim);
    return (double)*segs / dt;
}

/* ns-3's segments per second for a loss rate, from the file that
 * minet-bench-ns3 writes (MINET_BENCH_NS3 names it); 0 when there is none. */
static double ns3_figure(double loss)
{
    const char *path = getenv("MINET_BENCH_NS3");
    FILE *f = path ? fopen(path, "r") : NULL;
    double l, rate, found = 0;
    while (f && fscanf(f, "%lf %lf", &l, &rate) == 2)
        if (fabs(l - loss) < 1e-9)
            found = rate;
    if (f)
        fclose(f);
    return found;
}

static void bench_tcp(void)
{
    static const char *const losses[] = {"0", "0.01"};
    printf("TCP bulk transfer of 100 MB over 1 Gbit/s, 10 ms (64 KiB window, no scaling), trace "
           "discarded:\n");
    for (size_t i = 0; i < 2; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"minet\": 1, \"title\": \"bench\", \"nodes\": ["
                 "{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"},"
                 "{\"id\": \"b\", \"role\": \"host\", \"ip\": \"10.0.0.2\"}],"
                 "\"links\": [{\"between\": [\"a\", \"b\"], \"latency\": \"10ms\", "
                 "\"bandwidth\": \"1Gbit\", \"loss\": %s}]}",
                 losses[i]);
        Errors errs;
        errors_init(&errs);
        World *w = scenario_load_mem("bench.json", ".", json, strlen(json), &errs);
        if (!w) {
            errors_print(&errs, stderr);
            exit(1);
        }
        errors_fini(&errs);
        enum { TCP_RUNS = 3 };
        double rate[TCP_RUNS], sim_s = 0;
        uint64_t segs = 0;
        for (int k = 0; k < TCP_RUNS; k++)
            rate[k] = run_bulk(w, &sim_s, &segs);
        double mine = median(rate, TCP_RUNS), theirs = ns3_figure(atof(losses[i]));
        printf("  loss %-4s %.2f M segments/s of wall time (median of %d; %llu segments, %.1f s "
               "simulated, to the end of the close)",
               losses[i], mine / 1e6, TCP_RUNS, (unsigned long long)segs, sim_s);
        if (theirs > 0)
            printf(": %.1fx ns-3's %.0f segments/s (goal: 10x): %s\n", mine / theirs, theirs,
                   mine >= 10 * theirs ? "met" : "NOT met");
        else
            printf(" (goal: 10x ns-3's BulkSendApplication; ns-3 is not installed here, not "
                   "compared)\n");
        world_free(w);
    }
}

/* ---- 8. end to end: the minet command on a generated internet ----------- */

/* hosts behind access routers (100 each) on a core router, 10 resolvers,
 * a root, a .com server and 50 authoritative servers for 1,000 domains.
 * Host k runs `host -t A NAME` at k * 20 µs and `host NAME` 5 s later;
 * names are drawn from a Zipf distribution by a fixed generator. */
/* late: one more lookup at 1,000 s, so that the run goes on past the 300 s
 * TTL of every answer and the resolvers' caches empty as they expire. */
static char *e2e_scenario(int hosts, bool late, size_t *len)
{
    const int per = 100, access = (hosts + per - 1) / per;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "{\"minet\": 1, \"title\": \"%d hosts look names up\", \"nodes\": [\n", hosts);
    int core_links = access + 2 + LK_AUTH + LK_RESOLVERS;
    buf_puts(&b, "{\"id\": \"core\", \"role\": \"router\", \"ip\": [");
    for (int i = 0; i < core_links; i++)
        buf_printf(&b, "%s\"100.%d.%d.1\"", i ? ", " : "", 64 + i / 250, i % 250);
    buf_puts(&b, "]},\n");
    for (int a = 0; a < access; a++) {
        buf_printf(&b, "{\"id\": \"r%d\", \"role\": \"router\", \"ip\": [\"100.%d.%d.2\"", a,
                   64 + a / 250, a % 250);
        for (int k = a * per; k < hosts && k < (a + 1) * per; k++)
            buf_printf(&b, ", \"10.%d.%d.1\"", k / 250, k % 250);
        buf_puts(&b, "]},\n");
        for (int k = a * per; k < hosts && k < (a + 1) * per; k++)
            buf_printf(&b,
                       "{\"id\": \"h%d\", \"role\": \"host\", \"ip\": \"10.%d.%d.2\", \"dns\": "
                       "\"172.16.0.%d\"},\n",
                       k, k / 250, k % 250, k % LK_RESOLVERS + 1);
    }
    buf_puts(&b, "{\"id\": \"root\", \"role\": \"dns\", \"ip\": \"198.41.0.4\", \"zones\": "
                 "[\".\"]},\n");
    buf_puts(&b, "{\"id\": \"tld\", \"role\": \"dns\", \"ip\": \"192.12.94.30\", \"zones\": "
                 "[\"com.\"]},\n");
    for (int s = 0; s < LK_AUTH; s++) {
        buf_printf(&b, "{\"id\": \"ns%d\", \"role\": \"dns\", \"ip\": \"192.0.%d.1\", \"zones\": [",
                   s, s);
        for (int d = s; d < LK_DOMAINS; d += LK_AUTH)
            buf_printf(&b, "%s\"d%d.com.\"", d == s ? "" : ", ", d);
        buf_puts(&b, "]},\n");
    }
    for (int r = 0; r < LK_RESOLVERS; r++)
        buf_printf(&b, "{\"id\": \"res%d\", \"role\": \"resolver\", \"ip\": \"172.16.0.%d\"}%s\n",
                   r, r + 1, r + 1 < LK_RESOLVERS ? "," : "");
    buf_puts(&b, "], \"links\": [\n");
    for (int a = 0; a < access; a++) {
        buf_printf(&b, "{\"between\": [\"core\", \"r%d\"], \"latency\": \"2ms\"},\n", a);
        for (int k = a * per; k < hosts && k < (a + 1) * per; k++)
            buf_printf(&b, "{\"between\": [\"r%d\", \"h%d\"]},\n", a, k);
    }
    put_hierarchy(&b);
    buf_puts(&b, "}, \"script\": [\n");
    LookupBench lb = {0};
    rng_seed(&lb.rng, 99);
    lb.zipf_cdf = xmalloc(LK_DOMAINS * sizeof *lb.zipf_cdf);
    double sum = 0, acc = 0;
    for (int i = 0; i < LK_DOMAINS; i++)
        sum += 1.0 / (i + 1);
    for (int i = 0; i < LK_DOMAINS; i++) {
        acc += 1.0 / (i + 1) / sum;
        lb.zipf_cdf[i] = acc;
    }
    for (int k = 0; k < hosts; k++) {
        for (int c = 0; c < 2; c++) {
            int d = zipf_draw(&lb), h = (int)rng_below(&lb.rng, 9);
            char name[32];
            if (h == 8)
                snprintf(name, sizeof name, "www.d%d.com", d);
            else
                snprintf(name, sizeof name, "h%d.d%d.com", h, d);
            buf_printf(&b, "{\"at\": \"%lldus\", \"on\": \"h%d\", \"run\": \"host %s%s\"}%s\n",
                       (long long)k * 20 + c * 5000000, k, c ? "" : "-t A ", name,
                       k + 1 < hosts || !c || late ? "," : "");
        }
    }
    if (late)
        buf_puts(&b, "{\"at\": \"1000s\", \"on\": \"h0\", \"run\": \"host -t A h0.d0.com\"}\n");
    buf_puts(&b, "]}\n");
    free(lb.zipf_cdf);
    *len = b.len;
    return buf_take(&b);
}

typedef struct ProcRun {
    double wall_s;
    double cpu_s; /* user + system: steadier than wall time on a loaded machine */
    double max_rss_mb;
    int status;
} ProcRun;

/* Runs argv with stdout to /dev/null; wall time and the child's max RSS. */
static ProcRun run_process(char *const argv[])
{
    ProcRun pr = {0, 0, 0, -1};
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        execve(argv[0], argv, environ);
        perror(argv[0]);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) {
        perror("wait4");
        exit(1);
    }
    pr.wall_s = now_s() - t0;
    pr.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
    pr.max_rss_mb = (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
    pr.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return pr;
}

typedef struct E2eFig {
    double wall_s, cpu_s, rss_mb;
} E2eFig;

/* One run of `minet run SCEN --quiet [OPT FILE]`: its wall time, CPU time
 * and max RSS. */
static E2eFig e2e_run(const char *minet, const char *scen, const char *opt, const char *file)
{
    char *argv[8];
    int n = 0;
    argv[n++] = (char *)minet;
    argv[n++] = (char *)"run";
    argv[n++] = (char *)scen;
    argv[n++] = (char *)"--quiet";
    if (opt) {
        argv[n++] = (char *)opt;
        argv[n++] = (char *)file;
    }
    argv[n] = NULL;
    ProcRun pr = run_process(argv);
    if (pr.status != 0) {
        fprintf(stderr, "minet-bench: %s run %s %s exited with %d\n", minet, scen, opt ? opt : "",
                pr.status);
        exit(1);
    }
    if (file)
        unlink(file);
    return (E2eFig){pr.wall_s, pr.cpu_s, pr.max_rss_mb};
}

/* The medians of runs figures. */
static E2eFig e2e_median(const E2eFig *f, int runs)
{
    double wall[RUNS], cpu[RUNS], rss[RUNS];
    for (int k = 0; k < runs; k++) {
        wall[k] = f[k].wall_s;
        cpu[k] = f[k].cpu_s;
        rss[k] = f[k].rss_mb;
    }
    return (E2eFig){median(wall, runs), median(cpu, runs), median(rss, runs)};
}

static const char *met(bool ok)
{
    return ok ? "met" : "NOT met";
}

static void bench_e2e(void)
{
    const char *minet = getenv("MINET_BENCH_MINET");
    if (!minet)
        minet = "build/bench/minet";
    if (access(minet, X_OK) != 0) {
        printf("end to end: %s is not built (make bench builds it): skipped\n", minet);
        return;
    }
    char dir[] = "/tmp/minet-bench-e2e-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    static const int sizes[2] = {10000, 50000};
    enum { E2E_RUNS = 5 };
    E2eFig fig[2][3], each[2][3][E2E_RUNS];
    double growth[E2E_RUNS]; /* 50,000 hosts' CPU time over 10,000 hosts', run by run */
    E2eFig late_each[E2E_RUNS], late;
    double late_ratio[E2E_RUNS]; /* the late run's CPU time over the plain one's */
    char *scen[3];               /* 10,000 and 50,000 hosts; 50,000 with a late lookup */
    size_t bytes[3];
    char *pcap = xasprintf("%s/x.pcapng", dir), *jsonl = xasprintf("%s/x.jsonl", dir);
    for (int i = 0; i < 3; i++) {
        char *json = e2e_scenario(sizes[i == 2 ? 1 : i], i == 2, &bytes[i]);
        scen[i] = xasprintf("%s/hosts%d%s.json", dir, sizes[i == 2 ? 1 : i], i == 2 ? "-late" : "");
        FILE *f = fopen(scen[i], "wb");
        if (!f || fwrite(json, 1, bytes[i], f) != bytes[i] || fclose(f) != 0) {
            perror(scen[i]);
            exit(1);
        }
        free(json);
    }
    /* The two sizes run in turn, so that a machine growing busier or idler
     * during the benchmark moves both sides of the growth figure alike. */
    for (int k = 0; k < E2E_RUNS; k++) {
        for (int i = 0; i < 2; i++)
            each[i][0][k] = e2e_run(minet, scen[i], NULL, NULL);
        growth[k] = each[1][0][k].cpu_s / each[0][0][k].cpu_s;
        late_each[k] = e2e_run(minet, scen[2], NULL, NULL);
        late_ratio[k] = late_each[k].cpu_s / each[1][0][k].cpu_s;
    }
    late = e2e_median(late_each, E2E_RUNS);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++) {
            each[i][1][k] = e2e_run(minet, scen[i], "--pcap", pcap);
            each[i][2][k] = e2e_run(minet, scen[i], "--trace", jsonl);
        }
    for (int i = 0; i < 2; i++) {
        fig[i][0] = e2e_median(each[i][0], E2E_RUNS);
        fig[i][1] = e2e_median(each[i][1], 3);
        fig[i][2] = e2e_median(each[i][2], 3);
    }
    printf("end to end: `minet run SCENARIO --quiet` as a process (load included), hosts each "
           "running `host -t A NAME` and `host NAME` (median of %d runs, 3 with --pcap or "
           "--trace; on a shared, loaded machine wall time varies, CPU time (user + system) "
           "less):\n",
           (int)E2E_RUNS);
    static const char *const what[3] = {"--quiet", "--quiet --pcap x.pcapng",
                                        "--quiet --trace x.jsonl"};
    for (int i = 0; i < 2; i++)
        for (int m = 0; m < 3; m++)
            printf("  %6d hosts (%4.1f MB of JSON), %-24s wall %6.2f s, CPU %6.2f s, max RSS "
                   "%5.0f MB: %7.0f `host -t A`/s of wall time, %7.0f/s of CPU\n",
                   sizes[i], bytes[i] / 1e6, what[m], fig[i][m].wall_s, fig[i][m].cpu_s,
                   fig[i][m].rss_mb, sizes[i] / fig[i][m].wall_s, sizes[i] / fig[i][m].cpu_s);
    double rate = sizes[0] / fig[0][0].wall_s, rate_cpu = sizes[0] / fig[0][0].cpu_s;
    printf("  `host -t A` lookups/s end to end, 10,000 hosts, --quiet: %.0f of wall time, %.0f of "
           "CPU time (goal >= 100,000/s: %s)\n",
           rate, rate_cpu, met(rate >= 1e5));
    double tg = median(growth, E2E_RUNS), wg = fig[1][0].wall_s / fig[0][0].wall_s;
    double mg = fig[1][0].rss_mb / fig[0][0].rss_mb;
    printf("  10,000 -> 50,000 hosts: CPU time x%.2f (median of the runs' ratios; goal <= 5.5: "
           "%s; wall time x%.2f), max RSS "
           "x%.2f (goal: linear, <= 5.5: %s)\n",
           tg, met(tg <= 5.5), wg, mg, met(mg <= 5.5));
    double add = fig[1][1].rss_mb - fig[1][0].rss_mb;
    printf("  --pcap adds %.0f MB of memory at 50,000 hosts (goal <= 64 MB: %s)\n", add,
           met(add <= 64));
    /* Forgetting what a cache holds should cost less than having learnt it. */
    double lr = median(late_ratio, E2E_RUNS);
    printf("  50,000 hosts and one more lookup at 1,000 s, after every answer's TTL has run out "
           "(the caches empty): wall %.2f s, CPU %.2f s, x%.2f the CPU time without it (median "
           "of the runs' ratios; goal <= 1.5: %s)\n",
           late.wall_s, late.cpu_s, lr, met(lr <= 1.5));
    for (int i = 0; i < 3; i++) {
        unlink(scen[i]);
        free(scen[i]);
    }
    free(pcap);
    free(jsonl);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    /* `minet-bench dns` runs one part alone. */
    const char *only = argc > 1 ? argv[1] : NULL;
    if (!only || strcmp(only, "queue") == 0)
        bench_hold();
    if (!only || strcmp(only, "jsonl") == 0)
        bench_jsonl();
    if (!only || strcmp(only, "load") == 0)
        bench_load();
    if (!only || strcmp(only, "dns") == 0)
        bench_dns();
    if (!only || strcmp(only, "pcap") == 0)
        bench_pcap();
    if (!only || strcmp(only, "lookups") == 0)
        bench_lookups();
    if (!only || strcmp(only, "tcp") == 0)
        bench_tcp();
    if (!only || strcmp(only, "mail") == 0)
        bench_mail();
    if (!only || strcmp(only, "ftp") == 0)
        bench_ftp();
    if (!only || strcmp(only, "access") == 0)
        bench_access();
    if (!only || strcmp(only, "e2e") == 0)
        bench_e2e();
    if (only && strcmp(only, "scenario") == 0 && argc > 2) {
        /* `minet-bench scenario N`: the end-to-end scenario for N hosts, on stdout. */
        size_t len;
        char *json = e2e_scenario(atoi(argv[2]), false, &len);
        fwrite(json, 1, len, stdout);
        free(json);
    }
    return 0;
}
