/* The resolver and the host side: the iterative walk, the cache and its
 * expiry, negative caching, retries to the next server, SERVFAIL, glueless
 * delegations, aliases across zones, loss with a fixed seed, and what
 * host and ipconfig print. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "io/scenario.h"
#include "proto/dns/dns_conf.h"
#include "proto/resolve.h"

/* Twelve TXT records of 100 bytes under big.example.com: an answer of
 * about 1,300 bytes, more than UDP carries even with EDNS (1232). */
#define TXT100                                                                                     \
    "\\\""                                                                                         \
    "01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901" \
    "23456789"                                                                                     \
    "\\\""
#define BIG_TXT_1(n) "\"big IN TXT " #n " " TXT100 "\""
#define BIG_TXT                                                                                         \
    BIG_TXT_1(1)                                                                                        \
    "," BIG_TXT_1(2) "," BIG_TXT_1(3) "," BIG_TXT_1(4) "," BIG_TXT_1(5) "," BIG_TXT_1(6) "," BIG_TXT_1( \
        7) "," BIG_TXT_1(8) "," BIG_TXT_1(9) "," BIG_TXT_1(10) "," BIG_TXT_1(11) "," BIG_TXT_1(12)

/* root, .edu, .com; montana.edu on two servers; example.com; a glueless
 * delegation (glueless.edu served by a name under montana.edu). */
static const char world_json[] =
    "{\"minet\": 1, \"title\": \"resolver\", \"nodes\": ["
    " {\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"dns\": \"10.0.0.53\"},"
    " {\"id\": \"local-dns\", \"role\": \"resolver\", \"ip\": \"10.0.0.53\"},"
    " {\"id\": \"r\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.0.2\", \"100.64.0.1\", "
    "\"100.64.0.2\", \"100.64.0.3\", \"100.64.0.4\", \"100.64.0.5\", \"100.64.0.6\", "
    "\"100.64.0.7\"]},"
    " {\"id\": \"root\", \"role\": \"dns\", \"ip\": \"198.41.0.4\", \"zones\": [\".\"]},"
    " {\"id\": \"edu\", \"role\": \"dns\", \"ip\": \"192.5.6.30\", \"zones\": [\"edu.\"]},"
    " {\"id\": \"com\", \"role\": \"dns\", \"ip\": \"192.12.94.30\", \"zones\": [\"com.\"]},"
    " {\"id\": \"ns1\", \"role\": \"dns\", \"ip\": \"153.90.1.1\", \"zones\": [\"montana.edu.\"]},"
    " {\"id\": \"ns2\", \"role\": \"dns\", \"ip\": \"153.90.1.2\", \"zones\": [\"montana.edu.\"]},"
    " {\"id\": \"exa\", \"role\": \"dns\", \"ip\": \"93.184.216.1\", \"zones\": "
    "[\"example.com.\"]},"
    " {\"id\": \"glue\", \"role\": \"dns\", \"ip\": \"153.90.1.9\", \"zones\": [\"glueless.edu.\"]}"
    "], \"links\": ["
    " {\"between\": [\"laptop\", \"r\"]}, {\"between\": [\"local-dns\", \"r\"]},"
    " {\"between\": [\"root\", \"r\"], \"latency\": \"20ms\"},"
    " {\"between\": [\"edu\", \"r\"], \"latency\": \"15ms\"},"
    " {\"between\": [\"com\", \"r\"], \"latency\": \"15ms\"},"
    " {\"between\": [\"ns1\", \"r\"], \"latency\": \"8ms\"},"
    " {\"between\": [\"ns2\", \"r\"], \"latency\": \"9ms\"},"
    " {\"between\": [\"exa\", \"r\"], \"latency\": \"30ms\"},"
    " {\"between\": [\"glue\", \"r\"], \"latency\": \"5ms\"}"
    "], \"zones\": {"
    " \".\": {\"records\": [\"$TTL 86400\", \"@ IN SOA a.root. nstld.x. 1 1800 900 604800 86400\","
    "  \"@ IN NS a.root.\", \"a.root. IN A 198.41.0.4\","
    "  \"edu. 172800 IN NS a.edu-servers.net.\", \"a.edu-servers.net. 172800 IN A 192.5.6.30\","
    "  \"com. 172800 IN NS e.gtld-servers.net.\", \"e.gtld-servers.net. 172800 IN A "
    "192.12.94.30\"]},"
    " \"edu.\": {\"records\": [\"$TTL 172800\", \"@ IN SOA a.edu-servers.net. x. 1 1800 900 "
    "604800 86400\","
    "  \"@ IN NS a.edu-servers.net.\","
    "  \"montana IN NS ns1.montana\", \"montana IN NS ns2.montana\","
    "  \"ns1.montana IN A 153.90.1.1\", \"ns2.montana IN A 153.90.1.2\","
    "  \"glueless IN NS ns.montana.edu.\"]},"
    " \"com.\": {\"records\": [\"$TTL 172800\", \"@ IN SOA e.gtld-servers.net. x. 1 1800 900 "
    "604800 86400\","
    "  \"@ IN NS e.gtld-servers.net.\", \"example IN NS ns.example\", \"ns.example IN A "
    "93.184.216.1\"]},"
    " \"montana.edu.\": {\"records\": [\"$TTL 3600\", \"@ IN SOA ns1 hm 1 7200 3600 1209600 "
    "300\","
    "  \"@ IN NS ns1\", \"@ IN NS ns2\", \"ns1 IN A 153.90.1.1\", \"ns2 IN A 153.90.1.2\","
    "  \"ns IN A 153.90.1.9\", \"www IN CNAME web1\", \"web1 IN A 153.90.127.197\","
    "  \"away 600 IN CNAME www.example.com.\"]},"
    " \"example.com.\": {\"records\": [\"$TTL 3600\", \"@ IN SOA ns hm 1 7200 3600 1209600 "
    "3600\","
    "  \"@ IN NS ns\", \"ns IN A 93.184.216.1\", \"www IN A 93.184.216.34\"," BIG_TXT "]},"
    " \"glueless.edu.\": {\"records\": [\"$TTL 3600\", \"@ IN SOA ns.montana.edu. hm 1 7200 "
    "3600 1209600 3600\","
    "  \"@ IN NS ns.montana.edu.\", \"www IN A 153.90.77.77\"]}"
    "}}";

static World *load_world(void)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("resolver.json", ".", world_json, strlen(world_json), &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "%s\n", e.msg[i]);
    assert_non_null(w);
    errors_fini(&e);
    return w;
}

#define S(x) ((SimTime)(x)*1000000)

/* The destinations of the resolver's upstream queries, in order, as
 * "root edu ns1 …". */
static char *upstream(const Sim *sim)
{
    const World *w = sim->world;
    int res = world_find_node(w, "local-dns");
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind != TR_HOP || r->node != res)
            continue;
        uint32_t dst = get_be32(r->bytes + 14 + 16);
        uint16_t dport = get_be16(r->bytes + 14 + 20 + 2);
        int owner;
        if (dport != 53 || !world_find_addr(w, dst, &owner, NULL))
            continue;
        buf_printf(&b, "%s%s", b.len ? " " : "", w->nodes[owner].id);
    }
    return buf_take(&b);
}

/* The resolver's questions upstream, as "server:name:type" words. */
static char *questions(const Sim *sim)
{
    const World *w = sim->world;
    int res = world_find_node(w, "local-dns");
    Buf b;
    buf_init(&b);
    DnsMsg m;
    dns_msg_init(&m);
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind != TR_HOP || r->node != res || get_be16(r->bytes + 14 + 20 + 2) != 53)
            continue;
        char why[160], name[300], tb[16];
        int owner;
        uint32_t dst = get_be32(r->bytes + 14 + 16);
        if (!dns_decode(&m, r->bytes + 14 + 28, r->len - 14 - 28, why, sizeof why) ||
            !world_find_addr(w, dst, &owner, NULL))
            continue;
        buf_printf(&b, "%s%s:%s:%s", b.len ? " " : "", w->nodes[owner].id,
                   dns_name_str(&m.qd[0].name, name, sizeof name), dns_type_name(m.qd[0].type, tb));
    }
    dns_msg_fini(&m);
    return buf_take(&b);
}

static void run(Sim *sim, World *w, uint64_t seed)
{
    sim_init(sim, seed, w, true);
    agents_start(sim);
    shell_schedule_script(sim);
    sim_run_until(sim, SIM_TIME_MAX);
}

static void test_cold_then_cached(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "host -t A www.montana.edu");
    tw_script(w, S(5), 0, "host -t A www.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "www.montana.edu is an alias for web1.montana.edu.\n"
                             "web1.montana.edu has address 153.90.127.197\n"
                             "www.montana.edu is an alias for web1.montana.edu.\n"
                             "web1.montana.edu has address 153.90.127.197\n");
    /* root, .edu, montana.edu; then web1 from montana.edu, starting at the
     * cached delegation; the second lookup sends nothing upstream. */
    char *up = upstream(&sim);
    assert_string_equal(up, "root edu ns1 ns1");
    assert_true(tw_count(&sim, TR_STATE, "153.90.127.197") >= 1);
    free(up);
    free(out);
    tw_done(&sim);
}

/* An authoritative server keeps the answers it gave over UDP: the same
 * question asked again, with another ID, gets the same answer with its
 * own ID, and the same caption.  A server that rotates its RRsets (round
 * robin) answers each query afresh. */
static void test_server_answers_again(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig +noedns @153.90.1.1 +short web1.montana.edu");
    tw_script(w, S(1), 0, "dig +noedns @153.90.1.1 +short web1.montana.edu");
    tw_script(w, S(2), 0, "dig +noedns @153.90.1.1 +short montana.edu NS");
    tw_script(w, S(3), 0, "dig +noedns @153.90.1.1 +short montana.edu NS");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "153.90.127.197\n153.90.127.197\n"
                             "ns1.montana.edu.\nns2.montana.edu.\n"
                             "ns1.montana.edu.\nns2.montana.edu.\n");
    assert_int_equal(tw_count(&sim, TR_NOTE, "answers web1.montana.edu A with authority"), 2);
    free(out);
    tw_done(&sim);

    const char *ns1 = "\"zones\": [\"montana.edu.\"]}";
    const char *at = strstr(world_json, ns1) + strlen(ns1) - 1;
    Buf j;
    buf_init(&j);
    buf_put(&j, world_json, (size_t)(at - world_json));
    buf_puts(&j, ", \"round_robin\": true");
    buf_puts(&j, at);
    Errors e;
    errors_init(&e);
    w = scenario_load_mem("resolver.json", ".", j.data, j.len, &e);
    assert_non_null(w);
    errors_fini(&e);
    buf_fini(&j);
    tw_script(w, 0, 0, "dig +noedns @153.90.1.1 +short montana.edu NS");
    tw_script(w, S(1), 0, "dig +noedns @153.90.1.1 +short montana.edu NS");
    run(&sim, w, 1);
    out = tw_console(&sim);
    assert_string_equal(out, "ns1.montana.edu.\nns2.montana.edu.\n"
                             "ns2.montana.edu.\nns1.montana.edu.\n");
    free(out);
    tw_done(&sim);
}

/* Six hosts ask the resolver for the same name at the same instant: the
 * first query starts the lookup and the five others join it (Unbound's
 * mesh keeps every client of a lookup), so one walk goes upstream and
 * every host gets its answer at once, with none dropped or timing out. */
static void test_many_clients_join_one_lookup(void **state)
{
    (void)state;
    enum { HOSTS = 6 };
    /* each host on a link of its own to the router, after the others */
    const char *rip = strstr(world_json, "\"100.64.0.7\"") + strlen("\"100.64.0.7\""),
               *nend = strstr(world_json, "], \"links\""),
               *lend = strstr(world_json, "], \"zones\"");
    Buf j;
    buf_init(&j);
    buf_put(&j, world_json, (size_t)(rip - world_json));
    for (int i = 0; i < HOSTS; i++)
        buf_printf(&j, ", \"10.1.%d.1\"", i);
    buf_put(&j, rip, (size_t)(nend - rip));
    for (int i = 0; i < HOSTS; i++)
        buf_printf(&j,
                   ", {\"id\": \"h%d\", \"role\": \"host\", \"ip\": \"10.1.%d.2\", \"dns\": "
                   "\"10.0.0.53\"}",
                   i, i);
    buf_put(&j, nend, (size_t)(lend - nend));
    for (int i = 0; i < HOSTS; i++)
        buf_printf(&j, ", {\"between\": [\"h%d\", \"r\"]}", i);
    buf_puts(&j, lend);
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("resolver.json", ".", j.data, j.len, &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "%s\n", e.msg[i]);
    assert_non_null(w);
    errors_fini(&e);
    buf_fini(&j);
    for (int i = 0; i < HOSTS; i++)
        tw_script(w, 0, world_find_node(w, (char[]){'h', (char)('0' + i), '\0'}),
                  "host -t A web1.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    Buf want;
    buf_init(&want);
    for (int i = 0; i < HOSTS; i++)
        buf_puts(&want, "web1.montana.edu has address 153.90.127.197\n");
    assert_string_equal(out, want.data);
    char *up = upstream(&sim);
    assert_string_equal(up, "root edu ns1");
    assert_int_equal(tw_count(&sim, TR_NOTE, "while it is already looking that name up for h0"),
                     HOSTS - 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "drops the copy"), 0);
    assert_int_equal(tw_count(&sim, TR_CONSOLE, "timed out"), 0);
    buf_fini(&want);
    free(up);
    free(out);
    tw_done(&sim);
}

static void test_expiry_goes_upstream_again(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "host -t A www.montana.edu");
    tw_script(w, S(3700), 0, "host -t A www.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    /* After an hour the answer has expired but montana.edu's NS (2 days)
     * has not: the second walk starts at montana.edu's servers, skipping
     * root and .edu.  Which of ns1 and ns2 is asked is Unbound's random
     * choice among servers within 400 ms of the best. */
    char *up = upstream(&sim);
    assert_string_equal(up, "root edu ns1 ns1 ns2 ns1");
    size_t expired = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind == TR_STATE && strcmp(r->op, "expire") == 0) {
            expired++;
            assert_true(r->time <= S(3700) + S(1));
        }
    }
    assert_true(expired >= 2); /* the CNAME and the A record */
    free(up);
    tw_done(&sim);
}

/* Two caches of one simulation, each with one event at its earliest
 * expiry: entries that expire at one instant go in the order their own
 * events would have run, i.e. as they came in, even when a cache's event
 * was moved there after an earlier expiry or after its first entry was
 * replaced. */
static void test_cache_expiries_in_insert_order(void **state)
{
    (void)state;
    Sim sim;
    sim_init(&sim, 1, NULL, true);
    DnsCache a, b;
    dns_cache_init(&a, &sim, 0, "cache");
    dns_cache_init(&b, &sim, 1, "cache");
    DnsName v, x, y, z;
    assert_true(dns_name_parse(&v, "v.example.", NULL));
    assert_true(dns_name_parse(&x, "x.example.", NULL));
    assert_true(dns_name_parse(&y, "y.example.", NULL));
    assert_true(dns_name_parse(&z, "z.example.", NULL));
    dns_cache_put_negative(&a, &v, DNS_TYPE_A, DNS_CACHE_NODATA, 3);
    dns_cache_put_negative(&a, &z, DNS_TYPE_A, DNS_CACHE_NODATA, 5);
    dns_cache_put_negative(&a, &x, DNS_TYPE_A, DNS_CACHE_NODATA, 10);
    dns_cache_put_negative(&b, &y, DNS_TYPE_A, DNS_CACHE_NODATA, 10);
    sim_run_until(&sim, S(1));
    dns_cache_put_negative(&a, &v, DNS_TYPE_A, DNS_CACHE_NODATA, 20); /* replaces v */
    sim_run_until(&sim, S(30)); /* (background events alone do not keep a run going) */
    char order[64] = "";
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind == TR_STATE && strcmp(r->op, "expire") == 0) {
            char one[32];
            snprintf(one, sizeof one, "%s%c@%d", *order ? " " : "", r->key[0],
                     (int)(r->time / S(1)));
            strncat(order, one, sizeof order - strlen(order) - 1);
        }
    }
    assert_string_equal(order, "z@5 x@10 y@10 v@21");
    dns_cache_fini(&a);
    dns_cache_fini(&b);
    sim_fini(&sim);
}

static void test_negative_caching(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "host nosuch.montana.edu");
    tw_script(w, S(100), 0, "host nosuch.montana.edu");
    tw_script(w, S(400), 0, "host nosuch.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "Host nosuch.montana.edu not found: 3(NXDOMAIN)\n"
                             "Host nosuch.montana.edu not found: 3(NXDOMAIN)\n"
                             "Host nosuch.montana.edu not found: 3(NXDOMAIN)\n");
    /* NXDOMAIN remembered for min(SOA TTL 3600, MINIMUM 300) = 300 s. */
    char *up = upstream(&sim);
    assert_string_equal(up, "root edu ns1 ns1");
    free(up);
    free(out);
    tw_done(&sim);
}

/* A negative answer from the cache carries the SOA, its TTL counting down
 * from the negative TTL (here the SOA's MINIMUM, 300 s), as Unbound's. */
static void test_negative_answer_from_cache_has_soa(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig +noall +authority nosuch.montana.edu");
    tw_script(w, S(100), 0, "dig +noall +authority nosuch.montana.edu");
    tw_script(w, S(101), 0, "dig +noall +authority web1.montana.edu MX");
    tw_script(w, S(110), 0, "dig +noall +authority web1.montana.edu MX");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "montana.edu.\t\t300\tIN\tSOA\tns1.montana.edu. hm.montana.edu. 1 "
                             "7200 3600 1209600 300\n"
                             "montana.edu.\t\t200\tIN\tSOA\tns1.montana.edu. hm.montana.edu. 1 "
                             "7200 3600 1209600 300\n"
                             "montana.edu.\t\t300\tIN\tSOA\tns1.montana.edu. hm.montana.edu. 1 "
                             "7200 3600 1209600 300\n"
                             "montana.edu.\t\t291\tIN\tSOA\tns1.montana.edu. hm.montana.edu. 1 "
                             "7200 3600 1209600 300\n");
    free(out);
    tw_done(&sim);
}

/* ANY, as Unbound 1.17: a cached alias answers alone; else the A, AAAA,
 * MX, SOA, NS RRsets cached from answers; with none, ANY goes upstream,
 * where the server (as NSD) gives one RRset. */
static void test_any(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig +short montana.edu ANY");
    tw_script(w, S(5), 0, "host www.montana.edu");
    tw_script(w, S(10), 0, "dig +short www.montana.edu ANY");
    tw_script(w, S(15), 0, "dig +short montana.edu NS");
    tw_script(w, S(20), 0, "dig +short montana.edu ANY");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "ns1.montana.edu. hm.montana.edu. 1 7200 3600 1209600 300\n"
                             "www.montana.edu is an alias for web1.montana.edu.\n"
                             "web1.montana.edu has address 153.90.127.197\n"
                             "web1.montana.edu.\n"
                             "ns1.montana.edu.\n"
                             "ns2.montana.edu.\n"
                             "ns1.montana.edu. hm.montana.edu. 1 7200 3600 1209600 300\n"
                             "ns1.montana.edu.\n"
                             "ns2.montana.edu.\n");
    /* The NS question goes to montana.edu's server: the NS records the .edu
     * referral gave only guide the resolver.  The last ANY is answered from
     * the cache: the SOA (from the first ANY's answer), then the NS, in
     * Unbound's order (A, AAAA, MX, SOA, NS). */
    char *q = questions(&sim);
    /* (to either of its servers: the resolver picks one at random among
     * the fastest, as Unbound) */
    assert_true(strstr(q, "ns1:montana.edu.:NS") || strstr(q, "ns2:montana.edu.:NS"));
    assert_null(strstr(q, "www.montana.edu.:ANY"));
    free(q);
    free(out);
    tw_done(&sim);
}

/* A zone transfer asked of the resolver is refused, as Unbound refuses
 * it, without a lookup (before, AXFR was looked up and got NXDOMAIN). */
static void test_transfer_refused(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig -t TYPE252 montana.edu +noall +comments");
    tw_script(w, S(5), 0, "dig -t TYPE251 montana.edu +noall +comments");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    const char *first = strstr(out, "status: REFUSED");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "status: REFUSED"));
    char *q = upstream(&sim);
    assert_string_equal(q, "");
    free(q);
    free(out);
    tw_done(&sim);
}

/* Hops that a node sends over TCP to port 53 carrying data (queries). */
static size_t tcp_queries(const Sim *sim, const char *from, const char *to)
{
    const World *w = sim->world;
    int a = world_find_node(w, from), b = world_find_node(w, to);
    size_t n = 0;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind != TR_HOP || r->node != a || r->bytes[14 + 9] != 6 ||
            get_be16(r->bytes + 14 + 20 + 2) != 53)
            continue;
        size_t data = get_be16(r->bytes + 14 + 2) - 20 - (size_t)(r->bytes[14 + 20 + 12] >> 4) * 4;
        if (!data)
            continue;
        int owner;
        if (world_find_addr(w, get_be32(r->bytes + 14 + 16), &owner, NULL) && owner == b)
            n++;
    }
    return n;
}

/* An answer too big for UDP: the server truncates it, the resolver asks
 * again over TCP (as Unbound), then truncates its own UDP answer, and dig
 * asks again over TCP; host -T, dig +tcp and ANY use TCP from the start. */
static void test_truncation_and_tcp(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig +noall +answer big.example.com TXT");
    tw_script(w, S(5), 0, "host -T www.example.com");
    tw_script(w, S(10), 0, "dig +tcp +short www.example.com");
    tw_script(w, S(15), 0, "dig +notcp +short www.example.com ANY");
    tw_script(w, S(20), 0, "nslookup -vc -type=A www.example.com");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, ";; Truncated, retrying in TCP mode.\n"));
    for (int i = 1; i <= 12; i++) {
        char line[64];
        snprintf(line, sizeof line, "IN\tTXT\t\"%d\" \"0123", i);
        assert_non_null(strstr(out, line));
    }
    assert_non_null(strstr(out, "www.example.com has address 93.184.216.34\n"));
    assert_non_null(strstr(out, "\n93.184.216.34\n93.184.216.34\n"));
    assert_non_null(strstr(out, "Name:\twww.example.com\nAddress: 93.184.216.34\n"));
    /* exa truncated its UDP answer: the resolver asked it over TCP once;
     * the laptop used TCP for dig's retry, host -T's three questions,
     * dig +tcp and nslookup -vc (not for dig +notcp's ANY). */
    assert_int_equal(tcp_queries(&sim, "local-dns", "exa"), 1);
    assert_int_equal(tcp_queries(&sim, "laptop", "local-dns"), 1 + 3 + 1 + 1);
    assert_true(tw_count(&sim, TR_NOTE, "asks the same server again over TCP") == 1);
    assert_true(tw_count(&sim, TR_NOTE, "sends the question alone with TC set") == 1);
    free(out);
    tw_done(&sim);
}

/* A node that does not listen on TCP port 53 refuses: each try says so, as
 * BIND's tools do (dig 3 tries, host 2, nslookup 3 and a blank line). */
static void test_tcp_refused(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "dig +tcp @10.0.0.1 www.example.com");
    tw_script(w, S(5), 0, "host -T www.example.com 10.0.0.1");
    tw_script(w, S(10), 0, "nslookup -vc www.example.com 10.0.0.1");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    const char *one = ";; Connection to 10.0.0.1#53(10.0.0.1) for www.example.com failed: "
                      "connection refused.\n;; no servers could be reached\n";
    Buf want;
    buf_init(&want);
    for (int i = 0; i < 3 + 2 + 3; i++)
        buf_puts(&want, one);
    buf_puts(&want, "\n");
    assert_string_equal(out, want.data);
    buf_fini(&want);
    free(out);
    tw_done(&sim);
}

static void test_next_server_then_servfail(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, -1, "down ns1");
    tw_script(w, 0, 0, "host -t A www.montana.edu");
    tw_script(w, S(20), -1, "down ns2");
    tw_script(w, S(20), 0, "host -t A other.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    /* With both down the resolver keeps trying longer than host waits
     * (5 s, twice): host prints its timeouts, as against a real Unbound. */
    assert_string_equal(out, "www.montana.edu is an alias for web1.montana.edu.\n"
                             "web1.montana.edu has address 153.90.127.197\n"
                             ";; communications error to 10.0.0.53#53: timed out\n"
                             ";; communications error to 10.0.0.53#53: timed out\n"
                             ";; no servers could be reached\n");
    char *up = upstream(&sim);
    /* ns1 times out after 376 ms; its RTO doubled to 752 ms is still within
     * the 400 ms band of an unknown server's 376, so the second try picks
     * at random (ns1 again, 752 ms), then ns2 answers; web1 goes to ns2,
     * now the faster.  Then both are down: each is asked again with its
     * timeout doubled, at most 5 times, until the resolver leaves out a
     * server whose timeout reached 12 s after 3 timeouts. */
    assert_string_equal(up, "root edu ns1 ns1 ns2 ns2 ns2 ns2 ns2 ns1 ns2 ns1 ns2 ns1");
    SimTime servfail = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind == TR_NOTE && strstr(r->text, "gives up (SERVFAIL)"))
            servfail = r->time;
    }
    assert_true(servfail > S(30) && servfail < S(60));
    free(up);
    free(out);
    tw_done(&sim);
}

/* Captions say what happened: a send from a node that is down is not
 * narrated as a query, and no packet leaves it. */
static void test_no_caption_for_a_send_that_cannot_happen(void **state)
{
    (void)state;
    World *w = load_world();
    int laptop = world_find_node(w, "laptop"), res = world_find_node(w, "local-dns");
    tw_script(w, 0, -1, "down ns1");
    tw_script(w, 0, 0, "host -t A www.montana.edu");
    tw_script(w, 500000, -1, "down local-dns");
    tw_script(w, S(1), -1, "down laptop");
    Sim sim;
    run(&sim, w, 1);
    /* The resolver's next tries (after ns1's 376 ms timeout, then longer)
     * and host's second try (after 5 s) all fall while their node is down. */
    assert_true(tw_count(&sim, TR_NOTE, "local-dns cannot ask ns") >= 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "local-dns asks ns2.montana.edu"), 0);
    assert_int_equal(tw_count(&sim, TR_NOTE,
                              "host on laptop cannot ask local-dns (10.0.0.53) for "
                              "www.montana.edu A again: laptop is down, so no packet leaves."),
                     1);
    assert_int_equal(tw_count(&sim, TR_NOTE,
                              "asks local-dns (10.0.0.53) for www.montana.edu A "
                              "with RD set: recursion desired, again"),
                     0);
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind == TR_HOP && r->node == laptop)
            assert_true(r->time < S(1));
        if (r->kind == TR_HOP && r->node == res)
            assert_true(r->time < 500000);
    }
    char *out = tw_console(&sim);
    assert_string_equal(out, ";; communications error to 10.0.0.53#53: timed out\n"
                             ";; communications error to 10.0.0.53#53: timed out\n"
                             ";; no servers could be reached\n");
    free(out);
    tw_done(&sim);
}

static void test_glueless_and_cross_zone_alias(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "host -t A www.glueless.edu");
    tw_script(w, S(10), 0, "host -t A away.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "www.glueless.edu has address 153.90.77.77\n"
                             "away.montana.edu is an alias for www.example.com.\n"
                             "www.example.com has address 93.184.216.34\n");
    char *up = upstream(&sim);
    /* .edu refers to ns.montana.edu without glue: its address is looked up
     * first (from the cached .edu delegation), then glueless.edu is asked.
     * Later the alias leads into .com, from the root. */
    assert_string_equal(up, "root edu edu ns1 glue ns1 root com exa");
    free(up);
    free(out);
    tw_done(&sim);
}

static void test_loss_is_deterministic(void **state)
{
    (void)state;
    char *outs[2], *ups[2];
    for (int k = 0; k < 2; k++) {
        World *w = load_world();
        w->links[2].loss = 0.4; /* the root's link */
        tw_script(w, 0, 0, "host -t A www.montana.edu");
        Sim sim;
        run(&sim, w, 42);
        outs[k] = tw_console(&sim);
        ups[k] = upstream(&sim);
        tw_done(&sim);
    }
    assert_string_equal(outs[0], outs[1]);
    assert_string_equal(ups[0], ups[1]);
    for (int k = 0; k < 2; k++) {
        free(outs[k]);
        free(ups[k]);
    }
}

static void test_ipconfig(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "ping -c 1 www.montana.edu");
    tw_script(w, S(600), 0, "ipconfig /displaydns");
    tw_script(w, S(601), 0, "ipconfig /flushdns");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    const char *want = "\nWindows IP Configuration\n\n"
                       "    www.montana.edu\n"
                       "    ----------------------------------------\n"
                       "    Record Name . . . . . : www.montana.edu\n"
                       "    Record Type . . . . . : 5\n"
                       /* The resolver cached the CNAME a few ms before the A record,
                        * in the same second of its clock: as Unbound, it hands both
                        * out with 3600 s left, so both read 3000 ten minutes on. */
                       "    Time To Live  . . . . : 3000\n"
                       "    Data Length . . . . . : 8\n"
                       "    Section . . . . . . . : Answer\n"
                       "    CNAME Record  . . . . : web1.montana.edu\n\n"
                       "    Record Name . . . . . : web1.montana.edu\n"
                       "    Record Type . . . . . : 1\n"
                       "    Time To Live  . . . . : 3000\n"
                       "    Data Length . . . . . : 4\n"
                       "    Section . . . . . . . : Answer\n"
                       "    A (Host) Record . . . : 153.90.127.197\n\n\n"
                       "\nWindows IP Configuration\n\n"
                       "Successfully flushed the DNS Resolver Cache.\n";
    const char *at = strstr(out, "\nWindows IP Configuration");
    assert_non_null(at);
    assert_string_equal(at, want);
    /* The lookup filled the cache; no node has web1's address here, and no
     * link's network holds it: the laptop's gateway answers net unreachable
     * (scenarios/dns_cache.json pings for real). */
    if (!strstr(out, "From r (10.0.0.1) icmp_seq=1 Destination Net Unreachable\n"))
        fail_msg("%s", out);
    free(out);
    tw_done(&sim);
}

static void test_qname_minimisation(void **state)
{
    (void)state;
    World *w = load_world();
    dns_conf_node_mut(w, world_find_node(w, "local-dns"))->qname_minimisation = true;
    tw_script(w, 0, 0, "host -t A www.montana.edu");
    tw_script(w, S(10), 0, "host -t A nosuch.deep.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "www.montana.edu is an alias for web1.montana.edu.\n"
                             "web1.montana.edu has address 153.90.127.197\n"
                             "Host nosuch.deep.montana.edu not found: 3(NXDOMAIN)\n");
    char *q = questions(&sim);
    /* The root hears only "edu.", .edu only "montana.edu."; montana.edu's
     * server gets the full name.  Below montana.edu, deep.montana.edu does
     * not exist: NXDOMAIN, and (relaxed mode) the whole name is asked. */
    assert_string_equal(q, "root:edu.:A edu:montana.edu.:A ns1:www.montana.edu.:A "
                           "ns1:web1.montana.edu.:A ns2:deep.montana.edu.:A "
                           "ns1:nosuch.deep.montana.edu.:A");
    free(q);
    free(out);
    tw_done(&sim);
}

/* unbound-control on the resolver: flush and flush_zone remove entries
 * (each a `delete` record), and print what Unbound 1.17's tool prints. */
static void test_unbound_control(void **state)
{
    (void)state;
    World *w = load_world();
    int res = world_find_node(w, "local-dns");
    tw_script(w, 0, 0, "host www.montana.edu");
    tw_script(w, S(5), res, "unbound-control flush www.montana.edu");
    tw_script(w, S(6), res, "unbound-control flush_zone montana.edu");
    tw_script(w, S(7), res, "unbound-control flush_all");
    tw_script(w, S(8), res, "unbound-control flush_zone .");
    tw_script(w, S(9), res, "unbound-control -q flush_zone .");
    tw_script(w, S(10), res, "unbound-control flush");
    tw_script(w, S(11), 0, "unbound-control flush_zone .");
    tw_script(w, S(12), 0, "host www.montana.edu");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    const char *want = "www.montana.edu is an alias for web1.montana.edu.\n"
                       "web1.montana.edu has address 153.90.127.197\n"
                       "ok\n"
                       "ok removed 4 rrsets, 3 messages and 0 key entries\n"
                       "error unknown command 'flush_all'\n"
                       "ok removed 2 rrsets, 0 messages and 0 key entries\n"
                       "error: this option requires a domain name\n";
    assert_memory_equal(out, want, strlen(want));
    /* The laptop runs no Unbound: the tool cannot connect. */
    assert_non_null(strstr(out, "] unbound-control["));
    assert_non_null(
        strstr(out, ":0] error: connect: Connection refused for 127.0.0.1 port 8953\n"));
    assert_true(tw_count(&sim, TR_STATE, NULL) > 0);
    size_t deleted = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        deleted += r->kind == TR_STATE && r->op && strcmp(r->op, "delete") == 0;
    }
    /* www's CNAME; montana.edu's NS, ns1's and ns2's A, web1's A and its
     * two negative entries (AAAA, MX); then .edu's NS and glue. */
    assert_int_equal(deleted, 1 + 6 + 2);
    /* With the cache empty, the lookup at 12 s walks from the root again. */
    char *up = upstream(&sim);
    assert_non_null(strstr(up, " root edu "));
    free(up);
    free(out);
    tw_done(&sim);
}

static void test_host_errors(void **state)
{
    (void)state;
    World *w = load_world();
    tw_script(w, 0, 0, "host -t BOGUS montana.edu");
    tw_script(w, 0, 0, "host");
    tw_script(w, 0, 0, "host aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    /* As BIND 9.18's host prints them, checked against the real one. */
    assert_non_null(strstr(out, "host: invalid type: BOGUS\n\n"));
    assert_non_null(
        strstr(out, "host: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com' "
                    "is not a legal name (label too long)\n"));
    /* all 23 lines of the usage, the last one too */
    assert_non_null(strstr(out, "Usage: host [-aCdilrTvVw]"));
    assert_non_null(strstr(out, "       -d is equivalent to -v\n"));
    assert_non_null(strstr(out, "       -6 use IPv6 query transport only\n"));
    free(out);
    tw_done(&sim);
}

/* Interactive nslookup (its prompt and commands are compared with BIND
 * 9.18's in tests/run_dns_options.sh, set nslookup_interactive): what
 * that comparison does not show.  The exit status is the last lookup's;
 * ^D ends it as its line editor shows it, ^C at once and silently; a
 * server whose name the host cannot resolve ends it, as 9.18 gives up;
 * from a file or a pipe it reads their lines without prompts. */
static void type_into(World *w, const char *const *lines, size_t n)
{
    ScriptLine *l = &w->script[w->n_script - 1];
    l->input = xcalloc(n, sizeof *l->input);
    for (size_t i = 0; i < n; i++)
        l->input[i] = (ScriptInput){-1, xstrdup(lines[i])};
    l->n_input = n;
}

static int exit_status(const Sim *sim, int term)
{
    int status = -1;
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->stream == CON_EXIT && r->term == term)
            status = r->status;
    }
    return status;
}

static void test_nslookup_interactive(void **state)
{
    (void)state;
    World *w = load_world();
    static const char *const a[] = {"www.montana.edu", "nosuch.montana.edu", "^D"};
    static const char *const b[] = {"nosuch.montana.edu", "www.montana.edu", "^C"};
    static const char *const d[] = {"server nosuch.example", "www.montana.edu"};
    tw_script(w, 0, 0, "nslookup");
    type_into(w, a, MN_ARRAY_LEN(a));
    tw_script(w, S(20), 0, "nslookup");
    type_into(w, b, MN_ARRAY_LEN(b));
    tw_script(w, S(40), 0, "nslookup - nosuch.example");
    tw_script(w, S(60), 0, "nslookup");
    type_into(w, d, MN_ARRAY_LEN(d));
    tw_script(w, S(80), 0, "echo www.montana.edu | nslookup");
    tw_script(w, S(90), 0, "nslookup < /dev/null");
    tw_script(w, S(100), 0, "nslookup www.montana.edu bad..name"); /* answered at once */
    for (size_t i = 0; i < w->n_script; i++)
        w->script[i].terminal = (int)i + 1;
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_int_equal(exit_status(&sim, 1), 1); /* nosuch: NXDOMAIN */
    assert_non_null(strstr(out, "> ^D\n"));
    assert_int_equal(exit_status(&sim, 2), 1); /* ^C */
    assert_int_equal(exit_status(&sim, 3), 1);
    assert_int_equal(exit_status(&sim, 4), 1);
    /* from a pipe: its lines, no prompt; from /dev/null: a blank line */
    assert_int_equal(exit_status(&sim, 5), 0);
    assert_int_equal(exit_status(&sim, 6), 1);
    assert_non_null(strstr(out, "Address: 153.90.127.197\n\n"));
    assert_non_null(strstr(out, ";; couldn't get address for 'bad..name': not found\n"));
    assert_int_equal(exit_status(&sim, 7), 1);
    const char *say = "nslookup: couldn't get address for 'nosuch.example': not found\n";
    const char *first = strstr(out, say);
    assert_non_null(first);
    assert_non_null(strstr(first + 1, say));
    free(out);
    tw_done(&sim);
}

/* A DNS server's sockets in ss and netstat: port 53 over UDP (bound on
 * every address, UNCONN) and TCP (LISTEN), laid out as iproute2 6.1 and
 * net-tools 2.10 lay them out on an 80-column terminal for a user other
 * than root (compared with the real tools over nc -l and nc -u -l; the
 * TCP backlog is minet's resolver's). */
static void test_ss_udp(void **state)
{
    (void)state;
    World *w = load_world();
    int res = world_find_node(w, "local-dns");
    tw_script(w, 0, res, "ss -tuln");
    tw_script(w, S(1), res, "ss -u");
    tw_script(w, S(2), res, "ss -ua");
    tw_script(w, S(3), res, "netstat -tulp");
    Sim sim;
    run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(
        out, "Netid  State   Recv-Q  Send-Q   Local Address:Port   Peer Address:Port Process  \n"
             "udp    UNCONN  0       0              0.0.0.0:53          0.0.0.0:*             \n"
             "tcp    LISTEN  0       256            0.0.0.0:53          0.0.0.0:*             \n"
             "Recv-Q    Send-Q       Local Address:Port       Peer Address:Port    Process    \n"
             "State   Recv-Q  Send-Q     Local Address:Port       Peer Address:Port  Process  \n"
             "UNCONN  0       0                0.0.0.0:domain          0.0.0.0:*              \n"
             "(No info could be read for \"-p\": geteuid()=1000 but you should be root.)\n"
             "Active Internet connections (only servers)\n"
             "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
             "PID/Program name    \n"
             "tcp        0      0 0.0.0.0:domain          0.0.0.0:*               LISTEN      "
             "-                   \n"
             "udp        0      0 0.0.0.0:domain          0.0.0.0:*                           "
             "-                   \n");
    free(out);
    tw_done(&sim);
}

/* ---- resolve_name: the applications' entry point ------------------------ */

typedef struct Got {
    int calls;
    ResolveStatus st;
    uint32_t addr;
    char canon[300];
    SimTime when;
    Sim *sim;
} Got;

static void got_it(void *ctx, ResolveStatus st, uint32_t addr, const char *canon)
{
    Got *g = ctx;
    g->calls++;
    g->st = st;
    g->addr = addr;
    snprintf(g->canon, sizeof g->canon, "%s", canon ? canon : "");
    g->when = g->sim->now;
}

static void test_resolve_name(void **state)
{
    (void)state;
    World *w = load_world();
    Sim sim;
    run(&sim, w, 1); /* no script: the network is idle */
    int laptop = world_find_node(w, "laptop");
    /* A dotted quad: at once, no packet. */
    Got g = {.sim = &sim};
    assert_null(resolve_name(&sim, laptop, "192.0.2.7", got_it, &g));
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.st, RESOLVE_OK);
    assert_int_equal(g.addr, tw_ip("192.0.2.7"));
    /* A name: through the host's DNS server, later; the canonical name
     * is the end of the alias chain. */
    Got n = {.sim = &sim};
    Resolve *r = resolve_name(&sim, laptop, "www.montana.edu", got_it, &n);
    assert_non_null(r);
    assert_int_equal(n.calls, 0);
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(n.calls, 1);
    assert_int_equal(n.st, RESOLVE_OK);
    assert_int_equal(n.addr, tw_ip("153.90.127.197"));
    assert_string_equal(n.canon, "web1.montana.edu");
    assert_true(n.when > 0);
    /* Now from the host cache: at once. */
    Got c = {.sim = &sim};
    assert_null(resolve_name(&sim, laptop, "www.montana.edu", got_it, &c));
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.addr, n.addr);
    /* No such name; a node id means nothing on a host with DNS. */
    Got x = {.sim = &sim}, y = {.sim = &sim};
    assert_non_null(resolve_name(&sim, laptop, "nosuch.montana.edu", got_it, &x));
    assert_non_null(resolve_name(&sim, laptop, "ns1", got_it, &y));
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(x.calls, 1);
    assert_int_equal(x.st, RESOLVE_NONAME);
    assert_string_equal(resolve_strerror(x.st), "Name or service not known");
    assert_int_equal(y.calls, 1);
    assert_int_equal(y.st, RESOLVE_NONAME);
    /* Cancelled: never called back. */
    Got z = {.sim = &sim};
    r = resolve_name(&sim, laptop, "www.example.com", got_it, &z);
    assert_non_null(r);
    resolve_cancel(r);
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(z.calls, 0);
    tw_done(&sim);
}

static void test_resolve_name_without_dns(void **state)
{
    (void)state;
    World *w = tw_chain(); /* no DNS anywhere: node ids, as /etc/hosts */
    Sim sim;
    tw_run(&sim, w, 1);
    Got g = {.sim = &sim}, h = {.sim = &sim};
    assert_null(resolve_name(&sim, 0, "server", got_it, &g));
    assert_int_equal(g.st, RESOLVE_OK);
    assert_int_equal(g.addr, tw_ip("10.0.2.10"));
    assert_string_equal(g.canon, "server");
    assert_null(resolve_name(&sim, 0, "nosuch", got_it, &h));
    assert_int_equal(h.st, RESOLVE_NONAME);
    assert_string_equal(resolve_hosts_reverse(&sim, tw_ip("10.0.1.2")), "r2");
    assert_null(resolve_hosts_reverse(&sim, tw_ip("192.0.2.1")));
    tw_done(&sim);
}

/* The resolver writes most answers (addresses for the name asked) itself,
 * not through dns_encode: each answer it sends, decoded and encoded again,
 * must give its bytes back, whether written so or not: mixed case, round
 * robin, DO, no EDNS, RD and CD, NODATA and NXDOMAIN answers (their SOA
 * written in place too) and an alias. */
static void test_answers_as_the_encoder_writes_them(void **state)
{
    (void)state;
    const char *www = "\"www IN A 93.184.216.34\",";
    const char *at = strstr(world_json, www) + strlen(www);
    Buf j;
    buf_init(&j);
    buf_put(&j, world_json, (size_t)(at - world_json));
    buf_puts(&j, " \"multi IN A 93.184.216.40\", \"multi IN A 93.184.216.41\","
                 " \"multi IN A 93.184.216.42\",");
    buf_puts(&j, at);
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("resolver.json", ".", j.data, j.len, &e);
    assert_non_null(w);
    errors_fini(&e);
    buf_fini(&j);
    dns_conf_node_mut(w, world_find_node(w, "local-dns"))->round_robin = true;
    static const char *const lines[] = {
        "dig WwW.ExAmPlE.cOm",
        "dig www.example.com",
        "dig +dnssec www.example.com",
        "dig +noedns www.example.com",
        "dig multi.example.com",
        "dig multi.example.com",
        "dig +noedns multi.example.com",
        "dig +norec www.example.com",
        "dig +cd www.example.com",
        "dig -t AAAA www.example.com",
        "dig www.montana.edu",
        "dig NoSuCh.ExAmPlE.cOm",
        "dig +noedns -t MX nosuch.example.com",
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(lines); i++)
        tw_script(w, S(i), 0, lines[i]);
    Sim sim;
    run(&sim, w, 1);
    uint32_t res = tw_ip("10.0.0.53"), laptop = tw_ip("10.0.0.10");
    DnsMsg m;
    dns_msg_init(&m);
    size_t answers = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_HOP || r->node != world_find_node(w, "local-dns") ||
            get_be32(r->bytes + 14 + 12) != res || get_be32(r->bytes + 14 + 16) != laptop)
            continue;
        const uint8_t *p = r->bytes + 14 + 28;
        size_t len = r->len - 14 - 28;
        char why[160];
        assert_true(dns_decode(&m, p, len, why, sizeof why));
        uint8_t again[DNS_UDP_MAX * 4];
        assert_int_equal(dns_encode(&m, again, sizeof again), len);
        assert_memory_equal(again, p, len);
        answers++;
    }
    assert_int_equal(answers, MN_ARRAY_LEN(lines));
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "WwW.ExAmPlE.cOm.\t3600\tIN\tA\t93.184.216.34"));
    assert_non_null(strstr(out, "multi.example.com.\t3599\tIN\tA\t93.184.216.41\n"
                                "multi.example.com.\t3599\tIN\tA\t93.184.216.42\n"
                                "multi.example.com.\t3599\tIN\tA\t93.184.216.40\n"));
    /* +dnssec's DO comes back; +norec and +cd are echoed */
    assert_non_null(strstr(out, "; EDNS: version: 0, flags: do; udp: 1232"));
    assert_non_null(strstr(out, ";; flags: qr ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0"));
    assert_non_null(strstr(out, ";; flags: qr rd ra cd; QUERY: 1, ANSWER: 1, AUTHORITY: 0"));
    assert_non_null(strstr(out, "status: NXDOMAIN"));
    free(out);
    dns_msg_fini(&m);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_then_cached),
        cmocka_unit_test(test_server_answers_again),
        cmocka_unit_test(test_many_clients_join_one_lookup),
        cmocka_unit_test(test_expiry_goes_upstream_again),
        cmocka_unit_test(test_cache_expiries_in_insert_order),
        cmocka_unit_test(test_negative_caching),
        cmocka_unit_test(test_negative_answer_from_cache_has_soa),
        cmocka_unit_test(test_any),
        cmocka_unit_test(test_transfer_refused),
        cmocka_unit_test(test_next_server_then_servfail),
        cmocka_unit_test(test_truncation_and_tcp),
        cmocka_unit_test(test_tcp_refused),
        cmocka_unit_test(test_glueless_and_cross_zone_alias),
        cmocka_unit_test(test_no_caption_for_a_send_that_cannot_happen),
        cmocka_unit_test(test_resolve_name),
        cmocka_unit_test(test_resolve_name_without_dns),
        cmocka_unit_test(test_loss_is_deterministic),
        cmocka_unit_test(test_ipconfig),
        cmocka_unit_test(test_qname_minimisation),
        cmocka_unit_test(test_host_errors),
        cmocka_unit_test(test_nslookup_interactive),
        cmocka_unit_test(test_ss_udp),
        cmocka_unit_test(test_unbound_control),
        cmocka_unit_test(test_answers_as_the_encoder_writes_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
