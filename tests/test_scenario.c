/* Tests for src/io/scenario.c: a good scenario with every default, each
 * broken file in tests/bad/ against its .expect, the limits, and speed.
 *
 * Run from the repository's top folder (as `make test` does): the files
 * are named tests/bad/…, tests/data/… */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/units.h"
#include "core/util.h"
#include "io/scenario.h"
#include "io/scenario_int.h"
#include "net/world.h"
#include "proto/dns/dns_conf.h"
#include "proto/roles.h"
#include "proto/vfs.h"

/* ---- helpers ------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b;
    buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_put(&b, chunk, n);
    fclose(f);
    if (len)
        *len = b.len;
    return b.data ? buf_take(&b) : xstrdup("");
}

/* The errors, each followed by a newline: what `minet check` prints. */
static char *joined(const Errors *e)
{
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < e->n; i++) {
        buf_puts(&b, e->msg[i]);
        buf_putc(&b, '\n');
    }
    return buf_take(&b);
}

static World *load_ok(const char *path)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load(path, &e);
    if (!w || e.n) {
        char *all = joined(&e);
        fail_msg("%s did not load:\n%s", path, all);
    }
    errors_fini(&e);
    return w;
}

static World *mem_ok(const char *text)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("mem.json", "tests/data", text, strlen(text), &e);
    if (!w || e.n) {
        char *all = joined(&e);
        fail_msg("did not load:\n%s", all);
    }
    errors_fini(&e);
    return w;
}

/* The reader copies a string's plain characters sixteen at a time: an
 * escape, a UTF-8 character or the closing quote at every place of a word
 * of them still gives the string as written. */
static void test_string_runs(void **state)
{
    (void)state;
    static const char *const marks[][2] = {
        {"\\\"", "\""}, {"\\\\", "\\"}, {"\\u0041", "A"}, {"\xc3\xa9", "\xc3\xa9"}, {"", ""}};
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t m = 0; m < MN_ARRAY_LEN(marks); m++) {
                char json[256], want[64];
                int n = snprintf(json, sizeof json,
                                 "{\"minet\": 1, \"title\": \"t\", \"description\": \"");
                size_t w = 0;
                for (size_t i = 0; i <= len; i++) {
                    if (i == at) {
                        n += snprintf(json + n, sizeof json - (size_t)n, "%s", marks[m][0]);
                        w += (size_t)snprintf(want + w, sizeof want - w, "%s", marks[m][1]);
                    }
                    if (i < len) {
                        json[n++] = (char)('a' + i % 26);
                        want[w++] = (char)('a' + i % 26);
                    }
                }
                want[w] = '\0';
                snprintf(json + n, sizeof json - (size_t)n,
                         "\", \"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": "
                         "\"10.0.0.1\"}]}");
                World *wd = mem_ok(json);
                assert_string_equal(wd->description, want);
                world_free(wd);
            }
}

/* Loads text that must fail; returns the messages, joined. */
static char *mem_errors(const char *text, size_t len)
{
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("mem.json", "tests/data", text, len, &e);
    assert_null(w);
    assert_true(e.n > 0);
    char *all = joined(&e);
    errors_fini(&e);
    return all;
}

static void assert_contains(const char *hay, const char *needle);

/* The byte check reads many bytes a step: a NUL, a byte that is not UTF-8
 * or a byte that is not UTF-8 is found at every place of 100, and a
 * two-byte character anywhere is read as one, whatever the text's length
 * (the end of the text is no byte of it). */
static void test_byte_runs(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 100; len++)
        for (size_t at = 0; at <= len; at++)
            for (int m = 0; m < 3; m++) {
                char json[256], want[80];
                size_t n = (size_t)snprintf(json, sizeof json, "{\"minet\": 1, \"title\": \"");
                size_t col = n + 1;
                for (size_t i = 0; i < len; i++)
                    json[n++] = (char)('a' + i % 26);
                if (m == 0) {
                    memmove(json + col - 1 + at + 1, json + col - 1 + at, len - at);
                    json[col - 1 + at] = '\0';
                    n++;
                    snprintf(want, sizeof want, "mem.json:1:%zu: the file contains a NUL byte",
                             col + at);
                } else if (m == 1) {
                    memmove(json + col - 1 + at + 1, json + col - 1 + at, len - at);
                    json[col - 1 + at] = (char)0xff;
                    n++;
                    snprintf(want, sizeof want, "mem.json:1:%zu: byte 0xFF is not valid UTF-8",
                             col + at);
                } else {
                    memmove(json + col - 1 + at + 2, json + col - 1 + at, len - at);
                    memcpy(json + col - 1 + at, "\xc3\xa9", 2);
                    n += 2;
                    json[n++] = '"';
                    snprintf(want, sizeof want, "mem.json:1:%zu: the file ends too early",
                             col + len + 2);
                }
                char *all = mem_errors(json, n);
                assert_contains(all, want);
                free(all);
            }
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected to find\n  %s\nin\n  %s", needle, hay);
}

static const Node *node(const World *w, const char *id)
{
    int i = world_find_node(w, id);
    if (i < 0)
        fail_msg("no node %s", id);
    return &w->nodes[i];
}

static uint32_t ip(const char *s)
{
    uint32_t v;
    assert_true(ip_parse(s, &v));
    return v;
}

/* ---- a good scenario ------------------------------------------------------ */

static void test_good_defaults(void **state)
{
    (void)state;
    World *w = load_ok("tests/data/good_dns.json");
    assert_string_equal(w->path, "tests/data/good_dns.json");
    assert_string_equal(w->title, "Resolving www.montana.edu, step by step");
    assert_string_equal(w->description,
                        "A laptop on campus looks up www.montana.edu with a cold cache.");
    assert_int_equal(w->seed, 1);
    assert_string_equal(w->start, "2023-09-11T09:00:00Z");
    assert_int_equal(w->start_us, 1694422800LL * 1000000);
    assert_int_equal(w->n_nodes, 6);

    const Node *laptop = node(w, "laptop");
    assert_int_equal(laptop->role, ROLE_HOST);
    assert_false(laptop->router);
    assert_int_equal(laptop->n_ips, 1);
    assert_int_equal(laptop->ips[0], ip("10.0.0.10"));
    assert_true(dns_conf_node(w, world_find_node(w, "laptop"))->has_dns);
    assert_int_equal(dns_conf_node(w, world_find_node(w, "laptop"))->dns, ip("10.0.0.53"));
    assert_true(laptop->has_pos);
    assert_true(laptop->x == 120 && laptop->y == 560);
    assert_null(laptop->region);

    const Node *res = node(w, "local-dns");
    const DnsNodeConf *resc = dns_conf_node(w, world_find_node(w, "local-dns"));
    assert_int_equal(res->role, ROLE_RESOLVER);
    assert_false(resc->recursive_mode);     /* iterative */
    assert_false(resc->qname_minimisation); /* default false */
    assert_true(resc->round_robin);         /* default TRUE for a resolver */
    assert_int_equal(resc->n_root_hints, 0);
    assert_false(res->has_pos);
    assert_false(resc->has_dns);

    const Node *ns = node(w, "ns1.montana.edu");
    const DnsNodeConf *nsc = dns_conf_node(w, world_find_node(w, "ns1.montana.edu"));
    assert_int_equal(ns->role, ROLE_DNS);
    assert_false(nsc->round_robin); /* default FALSE for a dns server */
    assert_false(nsc->recursion);
    assert_int_equal(nsc->n_zones, 1);
    assert_string_equal(nsc->zones[0], "montana.edu.");
    assert_string_equal(ns->region, "us-west");

    /* Links, with their defaults. */
    assert_int_equal(w->n_links, 5);
    assert_int_equal(w->links[0].a, world_find_node(w, "laptop"));
    assert_int_equal(w->links[0].b, world_find_node(w, "local-dns"));
    assert_int_equal(w->links[0].latency, 1000);
    assert_int_equal(w->links[0].bandwidth, 1000000000);
    assert_true(w->links[0].loss == 0);
    assert_int_equal(w->links[1].latency, 10000);
    assert_int_equal(w->links[1].bandwidth, 100000000);
    assert_true(w->links[1].loss == 0.25);
    assert_int_equal(w->links[2].latency, 20000);

    /* Interfaces: eth0, eth1, … in the order of the node's links. */
    assert_int_equal(res->n_ifaces, 2);
    assert_string_equal(res->ifaces[0].name, "eth0");
    assert_string_equal(res->ifaces[1].name, "eth1");
    assert_int_equal(res->ifaces[0].link, 0);
    assert_int_equal(res->ifaces[1].link, 1);
    assert_int_equal(res->ifaces[0].peer, world_find_node(w, "laptop"));
    assert_int_equal(res->ifaces[1].peer, world_find_node(w, "internet"));
    assert_int_equal(res->ifaces[0].ip, ip("10.0.0.53"));
    assert_int_equal(res->ifaces[1].ip, ip("10.0.0.53"));
    const Node *inet = node(w, "internet");
    assert_int_equal(inet->n_ifaces, 4);
    for (size_t k = 0; k < inet->n_ifaces; k++) {
        char name[32];
        snprintf(name, sizeof name, "eth%zu", k);
        assert_string_equal(inet->ifaces[k].name, name);
        assert_int_equal(inet->ifaces[k].link, (int)k + 1);
    }

    /* The address index. */
    int n, f;
    assert_true(world_find_addr(w, ip("198.41.0.4"), &n, &f));
    assert_int_equal(n, world_find_node(w, "a.root-servers.net"));
    assert_false(world_find_addr(w, ip("10.9.9.9"), NULL, NULL));

    /* Zones. */
    const DnsConf *dc = dns_conf_get(w);
    assert_non_null(dc);
    assert_non_null(dc->set);
    assert_int_equal(dc->n_zones, 3);
    assert_string_equal(dc->zones[0].origin, ".");
    assert_string_equal(dc->zones[0].file, "tests/data/zones/root.zone");
    assert_string_equal(dc->zones[0].file_as_written, "zones/root.zone");
    assert_int_equal(dc->zones[0].n_records, 0);
    const Zone *z = &dc->zones[2];
    assert_string_equal(z->origin, "montana.edu.");
    assert_null(z->file);
    assert_int_equal(z->n_records, 6);
    assert_string_equal(z->records[2].line, "ns1  3600 IN A   153.90.1.1");
    assert_int_equal(z->records[2].ttl, -1);
    assert_string_equal(z->records_where, "zones[\"montana.edu.\"].records");
    assert_int_equal(z->records[2].index, 2);
    const ZoneRecord *r = &z->records[4];
    assert_null(r->line);
    assert_string_equal(r->name, "web1");
    assert_string_equal(r->type, "A");
    assert_int_equal(r->ttl, 3600);
    assert_string_equal(r->data, "153.90.127.197");
    assert_string_equal(r->region, "us-west");
    assert_int_equal(r->index, 4);
    assert_int_equal(z->records[5].ttl, -1);
    assert_null(z->records[5].region);

    /* The script, sorted by time; equal times keep file order. */
    assert_int_equal(w->n_script, 5);
    const size_t order[] = {1, 3, 0, 2, 4}; /* their indexes in the file's "script" */
    for (size_t i = 0; i < 5; i++) {
        assert_false(w->script[i].own_run);
        assert_int_equal(w->script[i].index, order[i]);
    }
    assert_int_equal(w->script[0].at, 0);
    assert_int_equal(w->script[1].at, 1500000);
    assert_int_equal(w->script[2].at, 5000000);
    assert_int_equal(w->script[0].node, world_find_node(w, "laptop"));
    assert_int_equal(w->script[3].node, -1); /* a fault runs on no node */
    assert_string_equal(w->script[3].run, "down laptop local-dns");
    world_free(w);
}

static void test_macs_stable_unique(void **state)
{
    (void)state;
    World *a = load_ok("tests/data/good_dns.json");
    World *b = load_ok("tests/data/good_dns.json");
    size_t total = 0;
    uint8_t seen[64][6];
    for (size_t i = 0; i < a->n_nodes; i++) {
        for (size_t k = 0; k < a->nodes[i].n_ifaces; k++) {
            const uint8_t *m = a->nodes[i].ifaces[k].mac;
            assert_memory_equal(m, b->nodes[i].ifaces[k].mac, 6);
            assert_int_equal(m[0] & 1, 0); /* unicast */
            assert_int_equal(m[0] & 2, 2); /* locally administered */
            for (size_t j = 0; j < total; j++)
                assert_memory_not_equal(m, seen[j], 6);
            assert_true(total < 64);
            memcpy(seen[total++], m, 6);
        }
    }
    assert_int_equal(total, 10);
    world_free(a);
    world_free(b);
}

static void test_router_per_interface(void **state)
{
    (void)state;
    World *w = load_ok("tests/data/router_per_iface.json");
    assert_int_equal(w->seed, 42);
    assert_string_equal(w->start, "2024-03-01T08:30:00.25+01:00");
    int64_t want;
    assert_true(units_parse_rfc3339("2024-03-01T07:30:00.25Z", &want));
    assert_int_equal(w->start_us, want);
    const Node *r1 = node(w, "r1");
    assert_int_equal(r1->n_ips, 3);
    assert_int_equal(r1->n_ifaces, 3);
    assert_int_equal(r1->ifaces[0].ip, ip("10.0.1.254"));
    assert_int_equal(r1->ifaces[1].ip, ip("10.0.2.254"));
    assert_int_equal(r1->ifaces[2].ip, ip("10.0.3.254"));
    assert_int_equal(r1->ifaces[0].peer, world_find_node(w, "pc1"));
    assert_int_equal(r1->ifaces[2].peer, world_find_node(w, "core"));
    int n, f;
    assert_true(world_find_addr(w, ip("10.0.2.254"), &n, &f));
    assert_int_equal(n, world_find_node(w, "r1"));
    assert_int_equal(f, 1);
    assert_int_equal(w->links[0].latency, 250);
    assert_int_equal(w->links[1].latency, 1500);
    assert_int_equal(w->links[1].bandwidth, 64000);
    assert_int_equal(w->links[2].bandwidth, 1500000000);
    assert_true(w->links[2].loss == 1);
    assert_int_equal(dns_conf_get(w)->n_zones, 0);
    assert_int_equal(w->n_script, 0);
    world_free(w);
}

static void test_minimal_and_single_node(void **state)
{
    (void)state;
    /* One node needs no links. */
    World *w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                      "\"host\", \"ip\": \"10.0.0.1\"}]}");
    assert_int_equal(w->n_nodes, 1);
    assert_int_equal(w->nodes[0].n_ifaces, 0);
    assert_null(w->description);
    assert_int_equal(w->seed, 1);
    world_free(w);
    /* seed 0 and 2^53 - 1 are allowed; 1.0 is a whole number.  (2^53 is
     * not: 2^53 + 1 reads as 2^53 in JSON, and would silently change.) */
    w = mem_ok("{\"minet\": 1.0, \"title\": \"t\", \"seed\": 9007199254740991, \"nodes\": "
               "[{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}]}");
    assert_int_equal(w->seed, 9007199254740991u);
    world_free(w);
    w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"seed\": 0, \"nodes\": [{\"id\": \"a\", "
               "\"role\": \"resolver\", \"ip\": \"10.0.0.1\", \"mode\": \"recursive\", "
               "\"round_robin\": false, \"qname_minimisation\": true, \"root_hints\": "
               "[\"198.41.0.4\", \"199.9.14.201\"]}]}");
    assert_int_equal(w->seed, 0);
    const DnsNodeConf *c0 = dns_conf_node(w, 0);
    assert_true(c0->recursive_mode);
    assert_false(c0->round_robin);
    assert_true(c0->qname_minimisation);
    assert_int_equal(c0->n_root_hints, 2);
    assert_int_equal(c0->root_hints[1], ip("199.9.14.201"));
    world_free(w);
}

static void test_utf8_title_and_bom(void **state)
{
    (void)state;
    const char *title = "Caf\xc3\xa9 r\xc3\xa9seau \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac "
                        "\xf0\x9f\x8c\x90";
    char *text = xasprintf("\xef\xbb\xbf{\"minet\": 1, \"title\": \"%s\", \"nodes\": [{\"id\": "
                           "\"caf\xc3\xa9\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}]}",
                           title);
    World *w = mem_ok(text);
    assert_string_equal(w->title, title);
    assert_string_equal(w->nodes[0].id, "caf\xc3\xa9");
    world_free(w);
    free(text);
    /* Escapes decode to UTF-8, surrogate pairs included. */
    w = mem_ok("{\"minet\": 1, \"title\": \"\\u00e9\\ud83c\\udf10\\n\", \"nodes\": [{\"id\": "
               "\"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}]}");
    assert_string_equal(w->title, "\xc3\xa9\xf0\x9f\x8c\x90\n");
    world_free(w);
}

static void test_crlf(void **state)
{
    (void)state;
    size_t len;
    char *text = read_all("tests/data/good_dns.json", &len);
    assert_non_null(text);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            buf_putc(&b, '\r');
        buf_putc(&b, text[i]);
    }
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("crlf.json", "tests/data", b.data, b.len, &e);
    assert_non_null(w);
    assert_int_equal(e.n, 0);
    assert_int_equal(w->n_nodes, 6);
    world_free(w);
    errors_fini(&e);
    /* A line and column in a CRLF file count CR LF as one line end. */
    const char *crlf = "{\r\n  \"minet\": 1,\r\n  \"title\": x\r\n}\r\n";
    char *all = mem_errors(crlf, strlen(crlf));
    assert_contains(all, "mem.json:3:12: unexpected word \"x\"");
    free(all);
    /* So does an old Mac file with bare CRs. */
    const char *cr = "{\r  \"minet\": 1,\r  \"title\": x\r}\r";
    all = mem_errors(cr, strlen(cr));
    assert_contains(all, "mem.json:3:12: ");
    free(all);
    buf_fini(&b);
    free(text);
}

/* ---- broken files ------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every tests/bad/NAME.json fails to load with exactly NAME.expect. */
static void test_bad_files(void **state)
{
    (void)state;
    DIR *d = opendir("tests/bad");
    if (!d)
        fail_msg("cannot open tests/bad: run the test from the repository's top folder");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0) {
            names = xgrow(names, &cap, n + 1, sizeof *names);
            names[n++] = xstrndup(de->d_name, len - 5);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    assert_true(n >= 30);
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char *json = xasprintf("tests/bad/%s.json", names[i]);
        char *exp_path = xasprintf("tests/bad/%s.expect", names[i]);
        char *expect = read_all(exp_path, NULL);
        Errors e;
        errors_init(&e);
        World *w = scenario_load(json, &e);
        char *got = joined(&e);
        if (w) {
            print_error("%s: loaded, but it should not\n", json);
            failures++;
        } else if (!expect) {
            print_error("%s: missing\n", exp_path);
            failures++;
        } else if (strcmp(expect, got) != 0) {
            print_error("%s:\n--- expected\n%s--- got\n%s", json, expect, got);
            failures++;
        }
        /* Every message is one line naming the file: the scenario, or
         * the zone file that has the problem. */
        for (size_t k = 0; k < e.n; k++) {
            assert_null(strchr(e.msg[k], '\n'));
            assert_true(strncmp(e.msg[k], json, strlen(json)) == 0 ||
                        strncmp(e.msg[k], "tests/bad/zones/", 16) == 0);
        }
        world_free(w);
        errors_fini(&e);
        free(got);
        free(expect);
        free(exp_path);
        free(json);
        free(names[i]);
    }
    free(names);
    assert_int_equal(failures, 0);
}

static void test_missing_file(void **state)
{
    (void)state;
    Errors e;
    errors_init(&e);
    assert_null(scenario_load("tests/bad/no-such-file.json", &e));
    assert_int_equal(e.n, 1);
    assert_string_equal(e.msg[0],
                        "tests/bad/no-such-file.json: cannot read: No such file or directory");
    assert_null(scenario_load("tests/bad", &e));
    assert_int_equal(e.n, 2);
    assert_string_equal(e.msg[1], "tests/bad: cannot read: Is a directory");
    errors_fini(&e);
}

static const char SMALL[] = "{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", "
                            "\"role\": \"host\", \"ip\": \"10.0.0.1\"}]}";

static void test_size_limit(void **state)
{
    (void)state;
    /* Exactly at the limit (padded with blanks): loads. */
    size_t max = SCENARIO_MAX_BYTES;
    char *big = xmalloc(max + 2);
    memset(big, ' ', max + 1);
    memcpy(big, SMALL, strlen(SMALL));
    big[max + 1] = '\0';
    Errors e;
    errors_init(&e);
    World *w = scenario_load_mem("big.json", ".", big, max, &e);
    assert_non_null(w);
    world_free(w);
    /* One byte more: refused, naming the limit. */
    assert_null(scenario_load_mem("big.json", ".", big, max + 1, &e));
    assert_int_equal(e.n, 1);
    assert_string_equal(e.msg[0], "big.json: the file is larger than 67108864 bytes (expected a "
                                  "scenario of at most 67108864 bytes, 64 MiB)");
    /* The same through a file. */
    char path[] = "/tmp/minet-test-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(big, 1, max + 1, f), max + 1);
    fclose(f);
    assert_null(scenario_load(path, &e));
    assert_int_equal(e.n, 2);
    char *want = xasprintf("%s: the file is larger than 67108864 bytes (expected a scenario of at "
                           "most 67108864 bytes, 64 MiB)",
                           path);
    assert_string_equal(e.msg[1], want);
    free(want);
    unlink(path);
    errors_fini(&e);
    free(big);
}

static void test_json_strictness(void **state)
{
    (void)state;
    struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"{\"minet\": 01}", "mem.json:1:11: invalid number \"01\""},
        {"{\"minet\": 1.}", "mem.json:1:11: invalid number \"1.\""},
        {"{\"minet\": +1}", "mem.json:1:11: unexpected word \"+1\""},
        {"{\"minet\": NaN}", "mem.json:1:11: unexpected word \"NaN\""},
        {"{\"minet\": tru}", "mem.json:1:11: unexpected word \"tru\""},
        {"{\"a\" 1}", "mem.json:1:6: missing \":\" after the key \"a\""},
        {"{\"a\": \"\\q\"}", "mem.json:1:8: invalid escape \"\\\\q\""},
        {"{\"a\": \"\\u0000\"}", "mem.json:1:8: \\u0000 (a NUL character)"},
        {"{\"a\": \"\\ud800\"}", "mem.json:1:8: \\uD800 is half of a surrogate pair"},
        {"{\"a\": \"\\udc00x\"}", "mem.json:1:8: \\uDC00 is half of a surrogate pair"},
        {"{\"a\": \"x\ty\"}", "mem.json:1:9: tab character inside a string"},
        {"{\"a\": \"x\x01y\"}", "mem.json:1:9: control character U+0001"},
        {"{\"a\": \"abc", "mem.json:1:7: this string is never closed"},
        {"{\"a\": [1, 2}", "mem.json:1:12: \"}\" does not match the \"[\" at 1:7"},
        {"{\"a\": {\"b\": 1]}", "mem.json:1:14: \"]\" does not match the \"{\" at 1:7"},
        {"{a: 1}", "mem.json:1:2: key \"a\" without double quotes"},
        {"{\"a\": 1,}", "mem.json:1:8: a comma before \"}\""},
        {"{\"a\": [1 2]}", "mem.json:1:10: missing comma before this value"},
        {"{} {}", "mem.json:1:4: unexpected text after the end"},
        {"/* hi */ {}", "mem.json:1:1: comments are not allowed"},
        {"{\"a\": 1", "mem.json:1:8: the file ends too early: the \"{\" at 1:1 is never closed"},
        {"\"just a string\"", "mem.json: the top level is the string \"just a string\""},
        {"42", "mem.json: the top level is the number 42"},
        {"null", "mem.json: the top level is null"},
        {"{\"a\": \xc3\xa9}", "mem.json:1:7: unexpected \"\xc3\xa9\""},
        {"{\"t\xc3\xa9\": \xff}", "mem.json:1:8: byte 0xFF is not valid UTF-8"},
        {"{\"a\": \"\xed\xa0\x80\"}", "mem.json:1:8: byte 0xED is not valid UTF-8"},
        {"{\"a\": \"\xc0\xaf\"}", "mem.json:1:8: byte 0xC0 is not valid UTF-8"},
        {"{\"a\": \"\xf4\x90\x80\x80\"}", "mem.json:1:8: byte 0xF4 is not valid UTF-8"},
        {"{\"a\": \"\xe2\x82\"}", "mem.json:1:8: byte 0xE2 is not valid UTF-8"},
        {"  \n\t ", "mem.json: the file is empty"},
        {"\xef\xbb\xbf", "mem.json: the file is empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *all = mem_errors(cases[i].text, strlen(cases[i].text));
        assert_contains(all, cases[i].want);
        /* Syntax problems stop the load: exactly one message. */
        assert_int_equal(strchr(all, '\n') - all + 1, (ptrdiff_t)strlen(all));
        free(all);
    }
    /* NUL bytes in memory are found with their position. */
    char *all = mem_errors("{\"a\":\n \0}", 9);
    assert_string_equal(all, "mem.json:2:2: the file contains a NUL byte (expected UTF-8 text, "
                             "not a binary file)\n");
    free(all);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    size_t n = 200000;
    char *deep = xmalloc(2 * n + 1);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    char *all = mem_errors(deep, 2 * n);
    assert_contains(all, "mem.json:1:513: nested too deeply");
    free(all);
    free(deep);
}

/* The checker builds the tree as cJSON would: every escape, number form
 * and literal reads as cJSON reads it, numbers longer than 63 characters
 * included. */
static void test_tree_values(void **state)
{
    (void)state;
    World *w = mem_ok("{\"minet\": 1.0e0, \"title\": \"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti"
                      "\\u0041\\u00e9\\u20ac\\ud83d\\ude00\", \"description\": \"\", \"seed\": "
                      "12345678901234, \"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": "
                      "\"10.0.0.1\", \"pos\": [-1.5e2, 0.25]}], \"links\": []}");
    assert_string_equal(w->title, "a\"b\\c/d\be\ff\ng\rh\tiA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_string_equal(w->description, "");
    assert_int_equal(w->seed, 12345678901234);
    assert_true(w->nodes[0].has_pos);
    assert_true(w->nodes[0].x == -150.0 && w->nodes[0].y == 0.25);
    world_free(w);
    const char *text = "{\"minet\": 1, \"title\": \"t\", \"seed\": "
                       "1234567890123456789012345678901234567890123456789012345678901234567890, "
                       "\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}]}";
    char *all = mem_errors(text, strlen(text));
    assert_string_equal(all, "mem.json: seed: 1.23456789012346e+69 is out of range (expected a "
                             "whole number from 0 to 9007199254740991 (2^53 - 1))\n");
    free(all);
}

static void test_quoting(void **state)
{
    (void)state;
    /* User text is quoted as JSON: no raw control or bidi characters. */
    const char *text = "{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                       "\"h\\u001b]0;pwned\\u0007\\u202e\\\"\", \"ip\": \"10.0.0.1\"}]}";
    char *all = mem_errors(text, strlen(text));
    assert_string_equal(all, "mem.json: nodes[0].role: unknown role "
                             "\"h\\u001b]0;pwned\\u0007\\u202e\\\"\" (expected one of host, "
                             "router, resolver, dns, mail, ftp)\n");
    free(all);
    /* Long strings are cut. */
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": \"");
    for (int i = 0; i < 500; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\", \"ip\": \"10.0.0.1\"}]}");
    all = mem_errors(b.data, b.len);
    assert_true(strlen(all) < 300);
    assert_contains(all, "xxx\xe2\x80\xa6\" (expected");
    free(all);
    buf_fini(&b);
}

static void test_messages(void **state)
{
    (void)state;
    struct {
        const char *nodes_etc;
        const char *want;
    } cases[] = {
        /* numbers where integers are due */
        {"\"seed\": 9007199254740994, \"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": "
         "\"10.0.0.1\"}]",
         "mem.json: seed: 9007199254740994 is out of range"},
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"dns\", \"ip\": \"10.0.0.1\", \"zones\": "
         "[\"a.\"]}], \"zones\": {\"a.\": {\"records\": [{\"name\": \"@\", \"type\": \"A\", "
         "\"data\": \"1.2.3.4\", \"ttl\": 1.5}]}}",
         "mem.json: zones[\"a.\"].records[0].ttl: 1.5 is not a whole number"},
        /* a fault with "on" is fine; a program on an unknown node is not */
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}], \"script\": "
         "[{\"at\": \"1s\", \"on\": \"b\", \"run\": \"ping a\"}]",
         "mem.json: script[0].on: no node is called \"b\" (expected a node id from \"nodes\"; "
         "did you mean \"a\"?)"},
        /* control characters in a fault's node name are escaped */
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}], \"script\": "
         "[{\"at\": \"1s\", \"run\": \"down \\u001b[2J\"}]",
         "mem.json: script[0].run: no node is called \"\\u001b[2J\" (expected a node id)"},
        /* a zone key with characters that need quoting in the path */
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}], \"zones\": "
         "{\"we\\\"ird.\": {\"records\": 5}}",
         "mem.json: zones[\"we\\\"ird.\"]: the zone origin \"we\\\"ird.\" contains \"\\\"\""},
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}], \"zones\": "
         "{\"a.b.\": {\"file\": \"\"}}",
         "mem.json: zones[\"a.b.\"].file: the path is empty"},
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}], \"zones\": "
         "{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.\": {\"records\": "
         "[]}}",
         "has a label of 64 characters (expected at most 63 between two dots)"},
        {"\"start\": 5, \"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\", "
         "\"pos\": [1, 2, 3]}]",
         "mem.json: start: got the number 5 (expected an RFC 3339 date and time"},
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\", \"pos\": [1, 2, "
         "3]}]",
         "mem.json: nodes[0].pos: the list has 3 numbers (expected [x, y], two numbers"},
        {"\"nodes\": [{\"id\": \"\", \"role\": \"host\", \"ip\": \"10.0.0.1\"}]",
         "mem.json: nodes[0].id: the id is empty"},
        {"\"nodes\": [{\"id\": \"a\", \"role\": \"resolver\", \"ip\": \"10.0.0.1\", "
         "\"round_robin\": \"yes\"}]",
         "mem.json: nodes[0].round_robin: got the string \"yes\" (expected true or false"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = xasprintf("{\"minet\": 1, \"title\": \"t\", %s}", cases[i].nodes_etc);
        char *all = mem_errors(text, strlen(text));
        assert_contains(all, cases[i].want);
        free(all);
        free(text);
    }
}

/* ---- roles, tcp, prefixes, input ---------------------------------------- */

/* Every key a role accepts has a reader, and every reader belongs to some
 * role: a key in one table and not the other would be unknown to the
 * loader, or never allowed. */
static void test_roles_table(void **state)
{
    (void)state;
    size_t n;
    const Role *roles = roles_table(&n);
    assert_int_equal(n, ROLE_COUNT);
    assert_int_equal(roles_find("host"), ROLE_HOST);
    assert_int_equal(roles_find("dns"), ROLE_DNS);
    assert_int_equal(roles_find("mail"), ROLE_MAIL);
    assert_int_equal(roles_find("ftp"), ROLE_FTP);
    assert_int_equal(roles_find("smtp"), -1);
    assert_true(roles_get(ROLE_ROUTER)->router);
    assert_false(roles_get(ROLE_HOST)->router);
    /* The tables agree: a reader for the role (or for any role) exists for
     * every key a role accepts, and a role-bound reader names a role that
     * accepts its key. */
    const ScenarioProto *const *protos = scenario_protos();
    for (size_t r = 0; r < n; r++)
        for (const char *const *k = roles[r].keys; *k; k++) {
            bool found = false;
            for (int s = 0; s < SP_COUNT; s++)
                for (size_t i = 0; i < protos[s]->n_keys; i++) {
                    const ScenarioKey *sk = &protos[s]->keys[i];
                    if (strcmp(sk->name, *k) == 0 &&
                        (!sk->role || strcmp(sk->role, roles[r].name) == 0))
                        found = true;
                }
            if (!found)
                fail_msg("role %s accepts \"%s\", which no reader reads for it", roles[r].name, *k);
        }
    for (int s = 0; s < SP_COUNT; s++)
        for (size_t i = 0; i < protos[s]->n_keys; i++) {
            const ScenarioKey *sk = &protos[s]->keys[i];
            bool accepted = false;
            for (size_t r = 0; r < n; r++)
                if ((!sk->role || strcmp(sk->role, roles[r].name) == 0) &&
                    roles_accepts((int)r, sk->name))
                    accepted = true;
            if (!accepted)
                fail_msg("no role accepts \"%s\"", sk->name);
        }
    for (size_t r = 0; r < n; r++) {
        assert_non_null(roles[r].name);
        assert_non_null(roles[r].a);
        assert_true(roles[r].icon < ROLE_ICON_COUNT);
        for (const char *const *k = roles[r].keys; *k; k++) {
            /* a node of this role with the key set to null: the reader
             * runs and refuses null, so the key is known and allowed */
            char *text = xasprintf("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", "
                                   "\"role\": \"%s\", \"ip\": \"10.0.0.1\", \"%s\": null}]}",
                                   roles[r].name, *k);
            char *all = mem_errors(text, strlen(text));
            assert_contains(all, "got null");
            free(all);
            free(text);
        }
    }
    /* The icon: a name server's comes from its zones. */
    World *w = load_ok("tests/data/good_dns.json");
    assert_int_equal(roles_icon(w, world_find_node(w, "laptop")), ROLE_ICON_HOST);
    assert_int_equal(roles_icon(w, world_find_node(w, "a.root-servers.net")), ROLE_ICON_ROOT);
    assert_int_equal(roles_icon(w, world_find_node(w, "a.edu-servers.net")), ROLE_ICON_TLD);
    assert_int_equal(roles_icon(w, world_find_node(w, "ns1.montana.edu")), ROLE_ICON_AUTH);
    assert_true(roles_runs(w, world_find_node(w, "local-dns"), SVC_DNS_RESOLVER));
    assert_false(roles_runs(w, world_find_node(w, "laptop"), SVC_DNS_SERVER));
    assert_string_equal(roles_icon_name(ROLE_ICON_RESOLVER), "local DNS server");
    world_free(w);
}

static int ext_freed;

static void ext_free(void *data)
{
    ext_freed++;
    free(data);
}

static void test_world_ext(void **state)
{
    (void)state;
    World *w = world_new();
    assert_null(world_ext(w, WORLD_EXT_MAX - 1));
    world_ext_set(w, WORLD_EXT_MAX - 1, xstrdup("x"), ext_free);
    assert_string_equal(world_ext(w, WORLD_EXT_MAX - 1), "x");
    ext_freed = 0;
    world_free(w);
    assert_int_equal(ext_freed, 1);
    /* A world built by hand has no DnsConf: its readers see the defaults. */
    w = world_new();
    assert_null(dns_conf_get(w));
    assert_false(dns_conf_node(w, 3)->has_dns);
    assert_null(dns_conf_zones(w));
    dns_conf_node_mut(w, 2)->recursion = true;
    assert_true(dns_conf_node(w, 2)->recursion);
    assert_false(dns_conf_node(w, 1)->recursion);
    world_free(w);
}

static void test_tcp_key(void **state)
{
    (void)state;
    World *w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                      "\"host\", \"ip\": \"10.0.0.1\"}]}");
    assert_null(w->tcp); /* nobody has the key: the defaults */
    world_free(w);
    w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": \"host\", "
               "\"ip\": \"10.0.0.1\"}, {\"id\": \"b\", \"role\": \"dns\", \"ip\": \"10.0.0.2\", "
               "\"tcp\": {\"window_scaling\": true, \"rcvbuf\": \"1MiB\", \"sndbuf\": \"64KiB\", "
               "\"read_rate\": \"2KB/s\"}}], \"links\": [{\"between\": [\"a\", \"b\"]}]}");
    assert_non_null(w->tcp);
    assert_false(w->tcp[0].window_scaling);
    assert_int_equal(w->tcp[0].rcvbuf, 65535);
    assert_int_equal(w->tcp[0].sndbuf, 65536);
    assert_int_equal(w->tcp[0].read_rate, 0);
    assert_true(w->tcp[1].window_scaling);
    assert_int_equal(w->tcp[1].rcvbuf, 1048576);
    assert_int_equal(w->tcp[1].sndbuf, 65536);
    assert_int_equal(w->tcp[1].read_rate, 2000);
    world_free(w);
    w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": \"host\", "
               "\"ip\": \"10.0.0.1\", \"tcp\": {\"read_rate\": \"1.5KiB/s\"}}]}");
    assert_int_equal(w->tcp[0].read_rate, 1536);
    assert_int_equal(w->tcp[0].rcvbuf, 65535);
    world_free(w);
    uint64_t v;
    const char *why;
    assert_true(units_parse_byte_rate("64KiB/s", &v, &why));
    assert_int_equal(v, 65536);
    assert_false(units_parse_byte_rate("2KB", &v, &why));
    assert_string_equal(why, "has an unknown unit");
    assert_false(units_parse_byte_rate("2Mbit/s", &v, &why));
}

static void test_prefixes(void **state)
{
    (void)state;
    World *w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": ["
                      "{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.1.10/24\"},"
                      "{\"id\": \"r\", \"role\": \"router\", \"ip\": [\"10.0.1.1/24\", "
                      "\"10.0.2.1/30\"]},"
                      "{\"id\": \"b\", \"role\": \"host\", \"ip\": \"10.0.2.2\", \"dns\": "
                      "\"10.0.1.10/24\"}],"
                      "\"links\": [{\"between\": [\"a\", \"r\"]}, {\"between\": [\"r\", \"b\"]}]}");
    const Node *a = node(w, "a"), *r = node(w, "r"), *b = node(w, "b");
    assert_int_equal(a->ips[0], ip("10.0.1.10"));
    assert_int_equal(a->prefixes[0], 24);
    assert_int_equal(r->prefixes[1], 30);
    assert_int_equal(r->ifaces[0].prefix, 24);
    assert_int_equal(r->ifaces[1].prefix, 30);
    assert_int_equal(r->ifaces[1].ip, ip("10.0.2.1"));
    assert_int_equal(b->prefixes[0], 24); /* the default */
    assert_int_equal(b->ifaces[0].prefix, 24);
    assert_int_equal(dns_conf_node(w, 2)->dns, ip("10.0.1.10"));
    int ri = world_find_node(w, "r");
    assert_true(world_iface_covers(w, ri, 0, ip("10.0.1.200")));
    assert_false(world_iface_covers(w, ri, 0, ip("10.0.2.2")));
    assert_true(world_iface_covers(w, ri, 1, ip("10.0.2.2")));
    assert_false(world_iface_covers(w, ri, 1, ip("10.0.2.5"))); /* outside the /30 */
    world_free(w);
    /* /31 and /32 have no network or broadcast address to refuse. */
    w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": \"host\", "
               "\"ip\": \"10.0.0.0/31\"}, {\"id\": \"b\", \"role\": \"host\", \"ip\": "
               "\"10.0.0.255/32\"}], \"links\": [{\"between\": [\"a\", \"b\"]}]}");
    assert_int_equal(node(w, "a")->prefixes[0], 31);
    world_free(w);
    struct {
        const char *ip, *want;
    } cases[] = {
        {"10.0.2.0/24", "mem.json: nodes[0].ip: \"10.0.2.0/24\" is the network address of the "
                        "network 10.0.2.0/24 (expected an address of a host in it, like "
                        "\"10.0.2.1/24\")"},
        {"10.0.2.255/24", "is the broadcast address of the network 10.0.2.0/24"},
        {"10.0.2.3/30", "is the broadcast address of the network 10.0.2.0/30"},
        {"10.0.2.1/33", "mem.json: nodes[0].ip: \"10.0.2.1/33\" has a bad prefix length "
                        "(expected a whole number from 0 to 32 after the \"/\", like "
                        "\"10.0.2.1/24\")"},
        {"10.0.2.1/", "has a bad prefix length"},
        {"10.0.2.1/024", "has a bad prefix length"},
        {"10.0.2.1/2x", "has a bad prefix length"},
        {"10.0.2/24", "is not an IPv4 address (expected four numbers from 0 to 255 separated "
                      "by dots, without leading zeros, like \"10.0.0.1\", with a prefix length "
                      "if any, like \"10.0.0.1/24\")"},
        {"0.0.0.0/8", "cannot be the address of a node"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = xasprintf("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", "
                               "\"role\": \"host\", \"ip\": \"%s\"}]}",
                               cases[i].ip);
        char *all = mem_errors(text, strlen(text));
        assert_contains(all, cases[i].want);
        free(all);
        free(text);
    }
}

static void test_script_input(void **state)
{
    (void)state;
    World *w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                      "\"host\", \"ip\": \"10.0.0.1\"}], \"script\": [{\"at\": \"1s\", \"on\": "
                      "\"a\", \"run\": \"ping a\", \"input\": [\"HELO crepes.fr\", {\"at\": "
                      "\"3s\", \"text\": \"QUIT\"}, \"^D\"]}]}");
    assert_int_equal(w->n_script, 1);
    const ScriptLine *s = &w->script[0];
    assert_int_equal(s->n_input, 3);
    assert_string_equal(s->input[0].text, "HELO crepes.fr");
    assert_int_equal(s->input[0].at, -1);
    assert_string_equal(s->input[1].text, "QUIT");
    assert_int_equal(s->input[1].at, 3000000);
    assert_string_equal(s->input[2].text, "^D");
    world_free(w);
}

/* A line typed at the classroom view's prompt is saved with its input. */
static void test_save_typed_input(void **state)
{
    (void)state;
    World *w = mem_ok("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                      "\"host\", \"ip\": \"10.0.0.1\"}]}");
    w->script = xcalloc(1, sizeof *w->script);
    ScriptInput *in = xcalloc(2, sizeof *in);
    in[0] = (ScriptInput){-1, xstrdup("HELO crepes.fr")};
    in[1] = (ScriptInput){2500000, xstrdup("QUIT")};
    w->script[0] = (ScriptLine){.at = 1000000,
                                .node = 0,
                                .run = xstrdup("ping a"),
                                .own_run = true,
                                .typed = true,
                                .input = in,
                                .n_input = 2};
    w->n_script = 1;
    char path[] = "/tmp/minet-save-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char why[256];
    assert_true(scenario_save_typed(w, path, true, why, sizeof why));
    world_free(w);
    w = load_ok(path);
    unlink(path);
    assert_int_equal(w->n_script, 1);
    assert_int_equal(w->script[0].n_input, 2);
    assert_string_equal(w->script[0].input[0].text, "HELO crepes.fr");
    assert_int_equal(w->script[0].input[0].at, -1);
    assert_string_equal(w->script[0].input[1].text, "QUIT");
    assert_int_equal(w->script[0].input[1].at, 2500000);
    world_free(w);
}

/* ---- files and user ---------------------------------------------------------- */

static const char FILES_SCENARIO[] =
    "{\"minet\": 1, \"title\": \"t\", \"start\": \"2024-01-02T03:04:05Z\", \"nodes\": ["
    "{\"id\": \"a\", \"role\": \"host\", \"ip\": \"10.0.0.1\", \"user\": \"alice\", \"files\": "
    "{\"/home/alice/notes.txt\": \"text of the file\\n\", \"/home/alice/big.iso\": {\"size\": "
    "\"10MB\"}, \"/srv/ftp/readme\": {\"file\": \"files/readme.txt\"}, \"/home/alice/empty/\": "
    "{}, \"//tmp/./x/../y\": \"\"}},"
    "{\"id\": \"b\", \"role\": \"host\", \"ip\": \"10.0.0.2\"},"
    "{\"id\": \"c\", \"role\": \"dns\", \"ip\": \"10.0.0.3\"}],"
    "\"links\": [{\"between\": [\"a\", \"b\"]}, {\"between\": [\"b\", \"c\"]}]}";

static void stat_ok(const Vfs *v, int node, const char *path, VfsStat *st)
{
    if (vfs_stat(v, node, path, st) != VFS_OK)
        fail_msg("no %s on node %d", path, node);
}

static void test_files_key(void **state)
{
    (void)state;
    World *w = mem_ok(FILES_SCENARIO);
    assert_string_equal(vfs_user(w, 0), "alice");
    assert_string_equal(vfs_user(w, 1), "student");
    Vfs *v = vfs_new(w, NULL);
    VfsStat st;
    stat_ok(v, 0, "/home/alice", &st);
    assert_true(st.dir);
    assert_int_equal(st.mode, 0755);
    assert_string_equal(st.owner, "alice");
    assert_int_equal(st.mtime_us, w->start_us);
    stat_ok(v, 0, "/home", &st);
    assert_string_equal(st.owner, "root");
    stat_ok(v, 0, "/home/alice/notes.txt", &st);
    assert_false(st.dir);
    assert_int_equal(st.size, 17);
    assert_int_equal(st.mode, 0644);
    assert_string_equal(st.owner, "alice");
    stat_ok(v, 0, "/home/alice/big.iso", &st);
    assert_int_equal(st.size, 10000000);
    stat_ok(v, 0, "/home/alice/empty", &st);
    assert_true(st.dir);
    stat_ok(v, 0, "/tmp/y", &st);
    assert_int_equal(st.size, 0);
    stat_ok(v, 0, "/srv/ftp/readme", &st);
    assert_string_equal(st.owner, "root");
    char buf[32];
    size_t n;
    assert_int_equal(vfs_read(v, 0, "/srv/ftp/readme", 0, buf, sizeof buf, &n), VFS_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "read me\n", 8);
    stat_ok(v, 1, "/home/student", &st); /* the default user's home */
    assert_string_equal(st.owner, "student");
    assert_int_equal(vfs_stat(v, 2, "/home", &st), VFS_ENOENT); /* a dns server has no user */
    stat_ok(v, 2, "/", &st);
    assert_int_equal(vfs_stored(v), 0);
    vfs_free(v);

    /* Saved elsewhere, the copy still finds files/readme.txt. */
    char path[] = "/tmp/minet-files-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char why[256];
    assert_true(scenario_save_typed(w, path, false, why, sizeof why));
    world_free(w);
    w = load_ok(path);
    unlink(path);
    v = vfs_new(w, NULL);
    assert_int_equal(vfs_read(v, 0, "/srv/ftp/readme", 0, buf, sizeof buf, &n), VFS_OK);
    assert_memory_equal(buf, "read me\n", 8);
    vfs_free(v);
    world_free(w);
}

static char *files_errors(const char *node_keys)
{
    char *text = xasprintf("{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"a\", \"role\": "
                           "\"host\", \"ip\": \"10.0.0.1\", %s}]}",
                           node_keys);
    char *all = mem_errors(text, strlen(text));
    free(text);
    return all;
}

static void errors_contain(const char *node_keys, const char *needle)
{
    char *all = files_errors(node_keys);
    assert_contains(all, needle);
    free(all);
}

static void test_files_errors(void **state)
{
    (void)state;
    errors_contain("\"user\": \"Root\"", "nodes[0].user: \"Root\" is not a valid user name");
    errors_contain("\"user\": 3", "nodes[0].user: got the number 3 (expected a user name");
    errors_contain("\"files\": []", "nodes[0].files: got a list");
    errors_contain("\"files\": {\"a.txt\": \"x\"}", "\"a.txt\" is not an absolute path");
    errors_contain("\"files\": {\"/a/../../b\": \"x\"}", "goes above the root with \"..\"");
    errors_contain("\"files\": {\"/a\": \"x\", \"/a/b\": \"y\"}",
                   "nodes[0].files[\"/a/b\"]: \"/a/b\" is below \"/a\", which is a file");
    errors_contain("\"files\": {\"/a/b\": \"y\", \"/a\": \"x\"}",
                   "nodes[0].files[\"/a\"]: \"/a\" is already a folder");
    errors_contain("\"files\": {\"/a\": \"x\", \"/a/\": {}}",
                   "nodes[0].files[\"/a/\"]: \"/a\" is already a file");
    errors_contain("\"files\": {\"/a\": \"x\", \"//a\": \"y\"}",
                   "\"//a\" names the file \"/a\" a second time");
    errors_contain("\"files\": {\"/home/student\": \"x\"}",
                   "is the home folder of the user \"student\"");
    errors_contain("\"user\": \"bob\", \"files\": {\"/home/bob\": \"x\"}",
                   "is the home folder of the user \"bob\"");
    errors_contain("\"files\": {\"/big\": {\"size\": \"1.5GB\"}}",
                   "nodes[0].files[\"/big\"].size: \"1.5GB\" is too large (expected at most 1GB)");
    errors_contain("\"files\": {\"/big\": {\"size\": 10}}", "without a unit");
    errors_contain(
        "\"files\": {\"/f\": {\"file\": \"nope.txt\"}}",
        "nodes[0].files[\"/f\"].file: cannot read \"tests/data/nope.txt\": No such file");
    errors_contain("\"files\": {\"/f\": {\"file\": \"zones\"}}", "is a folder (expected a regular");
    errors_contain("\"files\": {\"/f\": {}}", "neither \"size\" nor \"file\" is given");
    errors_contain("\"files\": {\"/f/\": \"x\"}", "a path ending in \"/\" is a folder");
    errors_contain("\"files\": {\"/f\": {\"size\": \"1B\", \"file\": \"x\"}}",
                   "both \"size\" and \"file\" are given");
    errors_contain("\"files\": {\"/f\": {\"sise\": \"1B\"}}", "did you mean \"size\"?");
    errors_contain("\"files\": {\"/f\": true}", "got true (expected the file's text");
    errors_contain("\"files\": {\"/a\\u0001b\": \"x\"}", "the path contains the control character");
    static const char router[] =
        "{\"minet\": 1, \"title\": \"t\", \"nodes\": [{\"id\": \"r\", \"role\": \"router\", "
        "\"ip\": \"10.0.0.1\", \"files\": {}, \"user\": \"x\"}]}";
    char *all = mem_errors(router, strlen(router));
    assert_contains(
        all,
        "nodes[0].files: \"files\" is only for a host or an ftp server (this node is a router)");
    assert_contains(all, "nodes[0].user: \"user\" is only for a host");
    free(all);

    /* A file beside the scenario of more than 64 MiB (sparse: costs no disk). */
    char big[] = "/tmp/minet-big-XXXXXX";
    int fd = mkstemp(big);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)VFS_HOST_FILE_MAX + 1), 0);
    close(fd);
    char *keys = xasprintf("\"files\": {\"/f\": {\"file\": \"%s\"}}", big);
    all = files_errors(keys);
    unlink(big);
    assert_contains(all, "is 67108865 bytes long (expected a regular file of at most 64 MiB");
    free(all);
    free(keys);
}

/* Errors are appended to what the list already holds. */
static void test_errors_append(void **state)
{
    (void)state;
    Errors e;
    errors_init(&e);
    errors_add(&e, "earlier");
    assert_null(scenario_load_mem("x.json", NULL, "[]", 2, &e));
    assert_int_equal(e.n, 2);
    assert_string_equal(e.msg[0], "earlier");
    errors_fini(&e);
}

/* ---- big scenarios ------------------------------------------------------ */

/* A core router, routers under it, hosts under each router; a resolver;
 * dns servers with zones; a script line per 10 hosts. */
static char *generate(size_t n_routers, size_t hosts_per_router, size_t n_zones)
{
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"minet\": 1, \"title\": \"big\", \"nodes\": [\n");
    buf_puts(&b, "{\"id\": \"core\", \"role\": \"router\", \"ip\": \"100.64.0.1\"},\n");
    buf_puts(&b, "{\"id\": \"resolver\", \"role\": \"resolver\", \"ip\": \"100.64.0.53\"}");
    for (size_t z = 0; z < n_zones; z++)
        buf_printf(&b,
                   ",\n{\"id\": \"ns%zu\", \"role\": \"dns\", \"ip\": \"100.65.%zu.%zu\", "
                   "\"zones\": [\"zone%zu.example.\"]}",
                   z, z / 250, z % 250 + 1, z);
    for (size_t r = 0; r < n_routers; r++) {
        buf_printf(&b, ",\n{\"id\": \"r%zu\", \"role\": \"router\", \"ip\": \"10.%zu.%zu.254\"}", r,
                   r / 200, r % 200);
        for (size_t h = 0; h < hosts_per_router; h++)
            buf_printf(&b,
                       ",\n{\"id\": \"h%zu-%zu\", \"role\": \"host\", \"ip\": \"10.%zu.%zu.%zu\", "
                       "\"dns\": \"100.64.0.53\"}",
                       r, h, r / 200, r % 200, h + 1);
    }
    buf_puts(&b, "],\n\"links\": [\n{\"between\": [\"resolver\", \"core\"]}");
    for (size_t z = 0; z < n_zones; z++)
        buf_printf(&b, ",\n{\"between\": [\"ns%zu\", \"core\"], \"latency\": \"5ms\"}", z);
    for (size_t r = 0; r < n_routers; r++) {
        buf_printf(&b, ",\n{\"between\": [\"r%zu\", \"core\"], \"latency\": \"10ms\"}", r);
        for (size_t h = 0; h < hosts_per_router; h++)
            buf_printf(&b, ",\n{\"between\": [\"h%zu-%zu\", \"r%zu\"], \"bandwidth\": \"100Mbit\"}",
                       r, h, r);
    }
    buf_puts(&b, "],\n\"zones\": {");
    for (size_t z = 0; z < n_zones; z++)
        buf_printf(&b,
                   "%s\n\"zone%zu.example.\": {\"records\": [\"@ 3600 IN SOA ns1 hm 1 2 3 4 5\", "
                   "\"@ 3600 IN NS ns%zu.\"]}",
                   z ? "," : "", z, z);
    buf_puts(&b, "},\n\"script\": [");
    size_t k = 0;
    for (size_t r = 0; r < n_routers; r++)
        for (size_t h = 0; h < hosts_per_router; h += 10)
            buf_printf(&b,
                       "%s\n{\"at\": \"%zums\", \"on\": \"h%zu-%zu\", \"run\": \"ping "
                       "100.64.0.53\"}",
                       k++ ? "," : "", (r * 7 + h) % 50, r, h);
    buf_puts(&b, "]}\n");
    return buf_take(&b);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_big_scenario(void **state)
{
    (void)state;
    /* 2 + 100 + 40 * 47 = 1982 nodes with the routers, ~2000 in all. */
    char *text = generate(40, 47, 100);
    size_t len = strlen(text);
    Errors e;
    errors_init(&e);
    double best = 1e9;
    for (int run = 0; run < 3; run++) {
        double t0 = now_ms();
        World *w = scenario_load_mem("big.json", ".", text, len, &e);
        double dt = now_ms() - t0;
        if (dt < best)
            best = dt;
        if (!w) {
            char *all = joined(&e);
            fail_msg("big scenario did not load:\n%s", all);
        }
        assert_int_equal(w->n_nodes, 2 + 100 + 40 + 40 * 47);
        assert_int_equal(w->n_links, 1 + 100 + 40 + 40 * 47);
        assert_int_equal(dns_conf_get(w)->n_zones, 100);
        for (size_t i = 1; i < w->n_script; i++)
            assert_true(w->script[i - 1].at <= w->script[i].at);
        world_free(w);
    }
    errors_fini(&e);
    print_message("   big scenario: %zu nodes, %zu bytes, loaded in %.1f ms (best of 3)\n",
                  (size_t)(2 + 100 + 40 + 40 * 47), len, best);
    /* The 50 ms goal is measured by `make bench`, not asserted here. */
    free(text);
}

/* A big broken scenario reports each problem once and stays fast. */
static void test_big_broken(void **state)
{
    (void)state;
    char *text = generate(40, 47, 100);
    /* Break every host's dns and one router's id. */
    for (char *p = text; (p = strstr(p, "\"dns\": \"100.64.0.53\"")); p++)
        memcpy(p + 8, "100.64.9.53", 11);
    char *r7 = strstr(text, "\"id\": \"r7\"");
    assert_non_null(r7);
    memcpy(r7 + 7, "R", 1);
    char *all = mem_errors(text, strlen(text));
    size_t lines = 0;
    for (char *p = all; *p; p++)
        lines += *p == '\n';
    /* 1880 unknown dns, 48 links naming "r7" (47 hosts + core link): no
     * "not linked" messages, as the broken links explain them. */
    if (lines != 40 * 47 + 48)
        fail_msg("%zu lines:\n%.3000s", lines, all);
    assert_contains(all, "did you mean \"R7\"?");
    assert_true(strstr(all, "not linked") == NULL);
    free(all);
    free(text);
}

/* ---- warnings (minet check) ------------------------------------------------ */

/* Warnings come only when asked for, never stop a load, and name the JSON
 * path; a scenario without surprises has none. */
static void test_warnings(void **state)
{
    (void)state;
    Errors e, warns;
    errors_init(&e);
    errors_init(&warns);
    World *w = scenario_load_warn("tests/warn/glue.json", &e, &warns);
    assert_non_null(w);
    assert_int_equal(e.n, 0);
    char *all = joined(&warns);
    assert_int_equal(warns.n, 4);
    assert_contains(all, "tests/warn/glue.json: nodes[1].root_hints[1]: warning: no node has the "
                         "address 199.9.14.201");
    assert_contains(all, "zones[\".\"]: warning: the name server ns1.example.org. of example.org. "
                         "has the address 10.0.1.11, which no node has");
    assert_contains(all, "example.org/MX 'mail.example.org.example.org' has no address records "
                         "(A or AAAA)");
    assert_contains(all, "www.example.org/CNAME 'web.example.org.example.org'");
    free(all);
    world_free(w);
    errors_fini(&warns);

    /* The same file through scenario_load: no warnings anywhere. */
    w = scenario_load("tests/warn/glue.json", &e);
    assert_non_null(w);
    assert_int_equal(e.n, 0);
    world_free(w);

    errors_init(&warns);
    w = scenario_load_warn("tests/warn/no_root.json", &e, &warns);
    assert_non_null(w);
    all = joined(&warns);
    assert_contains(all, "nodes[0].region: warning: \"region\" has no effect on a host");
    assert_contains(all, "nodes[1]: warning: the resolver \"local-dns\" has no root zone");
    assert_contains(all, "nodes[2]: warning: node \"ns1.example.org\" has no \"pos\" while 2 of "
                         "the 4 nodes have one");
    assert_contains(all, "zones[\"example.net.\"]: warning: no node serves the zone");
    free(all);
    world_free(w);
    errors_fini(&warns);

    /* A bundled lesson without such mistakes: none. */
    errors_init(&warns);
    w = scenario_load_warn("scenarios/net_ping.json", &e, &warns);
    assert_non_null(w);
    assert_int_equal(warns.n, 0);
    world_free(w);
    errors_fini(&warns);
    errors_fini(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_defaults),
        cmocka_unit_test(test_string_runs),
        cmocka_unit_test(test_byte_runs),
        cmocka_unit_test(test_macs_stable_unique),
        cmocka_unit_test(test_router_per_interface),
        cmocka_unit_test(test_minimal_and_single_node),
        cmocka_unit_test(test_utf8_title_and_bom),
        cmocka_unit_test(test_tree_values),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_json_strictness),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_errors_append),
        cmocka_unit_test(test_roles_table),
        cmocka_unit_test(test_world_ext),
        cmocka_unit_test(test_tcp_key),
        cmocka_unit_test(test_files_key),
        cmocka_unit_test(test_files_errors),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_script_input),
        cmocka_unit_test(test_save_typed_input),
        cmocka_unit_test(test_big_scenario),
        cmocka_unit_test(test_big_broken),
        cmocka_unit_test(test_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
