/* Zones and authoritative servers: master-file parsing (good and broken),
 * and every answering rule of dns_server.h, checked on decoded responses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/scenario.h"
#include "proto/dns/dns_pack.h"
#include "proto/dns/dns_server.h"
#include "proto/dns/dns_wire.h"
#include "proto/dns/dns_zone.h"

/* A root, .edu, montana.edu on one server, and a second server holding
 * both edu. and montana.edu. */
static const char scenario[] =
    "{\"minet\": 1, \"title\": \"t\","
    " \"nodes\": ["
    "  {\"id\": \"root\", \"role\": \"dns\", \"ip\": \"198.41.0.4\", \"zones\": [\".\"]},"
    "  {\"id\": \"both\", \"role\": \"dns\", \"ip\": \"192.5.6.30\", \"zones\": [\"edu.\", "
    "\"montana.edu.\"]},"
    "  {\"id\": \"rr\", \"role\": \"dns\", \"ip\": \"153.90.1.2\", \"zones\": [\"montana.edu.\"], "
    "\"round_robin\": true},"
    "  {\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"region\": \"europe\"}"
    " ],"
    " \"links\": [{\"between\": [\"root\", \"both\"]}, {\"between\": [\"both\", \"rr\"]},"
    "             {\"between\": [\"rr\", \"laptop\"]}],"
    " \"zones\": {"
    "  \".\": {\"records\": ["
    "    \". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\","
    "    \". 518400 IN NS a.root-servers.net.\","
    "    \"a.root-servers.net. 518400 IN A 198.41.0.4\","
    "    \"edu. 172800 IN NS a.edu-servers.net.\","
    "    \"edu. 172800 IN NS ns.elsewhere.org.\","
    "    \"a.edu-servers.net. 172800 IN A 192.5.6.30\"]},"
    "  \"edu.\": {\"records\": ["
    "    \"$TTL 172800\","
    "    \"@ IN SOA a.edu-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400\","
    "    \"@ IN NS a.edu-servers.net.\","
    "    \"montana IN NS ns1.montana\","
    "    \"ns1.montana IN A 153.90.1.1\","
    "    \"msu IN NS ns.msu\","
    "    \"msu IN NS ns.other.org.\","
    "    \"ns.msu IN A 35.8.1.1\","
    "    \"alias IN CNAME www.montana\"]},"
    "  \"montana.edu.\": {\"records\": ["
    "    \"$TTL 3600\","
    "    \"@ 7200 IN SOA ns1 hostmaster 1 7200 3600 1209600 600\","
    "    \"@ IN NS ns1\","
    "    \"@ IN MX 50 mail\","
    "    \"@ IN MX 60 mx.elsewhere.org.\","
    "    \"@ IN A 153.90.3.95\","
    "    \"@ IN A 153.90.2.191\","
    "    \"@ IN A 153.90.2.192\","
    "    \"ns1 IN A 153.90.1.1\","
    "    \"mail IN A 153.90.9.9\","
    "    \"www IN CNAME web1\","
    "    \"web1 IN A 153.90.127.197\","
    "    \"a.b.c IN A 1.2.3.4\","
    "    \"*.w IN A 192.0.2.99\", \"sub.w IN A 192.0.2.98\","
    "    \"loop1 IN CNAME loop2\","
    "    \"loop2 IN CNAME loop1\","
    "    \"c1 IN CNAME c2\", \"c2 IN CNAME c3\", \"c3 IN CNAME c4\", \"c4 IN CNAME c5\","
    "    \"c5 IN CNAME c6\", \"c6 IN CNAME c7\", \"c7 IN CNAME c8\", \"c8 IN CNAME c9\","
    "    \"c9 IN CNAME c10\", \"c10 IN A 10.9.9.9\","
    "    \"dead IN CNAME nothing\","
    "    \"out IN CNAME www.example.com.\","
    "    {\"name\": \"geo\", \"type\": \"A\", \"data\": \"172.217.14.206\", \"region\": "
    "\"europe\"},"
    "    {\"name\": \"geo\", \"type\": \"A\", \"data\": \"142.251.211.238\"}]}"
    " }}";

typedef struct Fixture {
    World *w;
    DnsServer *root, *both, *rr;
    DnsMsg m;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    Errors e;
    errors_init(&e);
    f->w = scenario_load_mem("t.json", ".", scenario, strlen(scenario), &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "%s\n", e.msg[i]);
    assert_non_null(f->w);
    errors_fini(&e);
    f->root = dns_server_new(f->w, 0);
    f->both = dns_server_new(f->w, 1);
    f->rr = dns_server_new(f->w, 2);
    dns_msg_init(&f->m);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    dns_server_free(f->root);
    dns_server_free(f->both);
    dns_server_free(f->rr);
    dns_msg_fini(&f->m);
    world_free(f->w);
    free(f);
    return 0;
}

static size_t make_query(uint8_t *out, uint16_t id, const char *name, uint16_t type)
{
    DnsMsg q;
    DnsName n;
    dns_msg_init(&q);
    q.id = id;
    assert_true(dns_name_parse(&n, name, NULL));
    dns_msg_add_question(&q, &n, type, DNS_CLASS_IN);
    size_t len = dns_encode(&q, out, 512);
    dns_msg_fini(&q);
    return len;
}

/* Asks s and decodes the answer into f->m; returns the caption. */
static char *ask(Fixture *f, DnsServer *s, const char *name, uint16_t type, const char *region)
{
    uint8_t q[512], r[1500];
    size_t qlen = make_query(q, 0x1234, name, type);
    Buf cap;
    buf_init(&cap);
    size_t rlen = dns_server_answer(s, q, qlen, region, r, sizeof r, &cap);
    assert_true(rlen > 0);
    char why[160];
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    assert_int_equal(f->m.id, 0x1234);
    assert_true(f->m.qr);
    assert_int_equal(f->m.n_qd, 1);
    DnsName n;
    assert_true(dns_name_parse(&n, name, NULL));
    assert_true(dns_name_equal(&f->m.qd[0].name, &n));
    assert_int_equal(f->m.qd[0].type, type);
    return buf_take(&cap);
}

static char *rr_text(const DnsMsg *m, DnsSection s, size_t i)
{
    Buf b;
    buf_init(&b);
    dns_rr_to_text(&m->rr[s][i], &b);
    return buf_take(&b);
}

static void assert_rr(const DnsMsg *m, DnsSection s, size_t i, const char *want)
{
    assert_true(i < m->n[s]);
    char *t = rr_text(m, s, i);
    /* Compare without the tabs' exact count: fields separated by blanks. */
    char a[512], b[512];
    size_t k = 0;
    for (const char *p = t; *p && k < sizeof a - 1; p++)
        if (*p != '\t' || (k && a[k - 1] != ' '))
            a[k++] = *p == '\t' ? ' ' : *p;
    a[k] = 0;
    snprintf(b, sizeof b, "%s", want);
    if (strcmp(a, b) != 0)
        fail_msg("record %zu of section %d: got \"%s\", want \"%s\"", i, (int)s, a, b);
    free(t);
}

static void test_closest_zone_answers(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "web1.montana.edu.", DNS_TYPE_A, NULL);
    assert_true(f->m.aa);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_rr(&f->m, DNS_ANSWER, 0, "web1.montana.edu. 3600 IN A 153.90.127.197");
    /* As NSD: the zone's NS in authority, its address in additional. */
    assert_rr(&f->m, DNS_AUTHORITY, 0, "montana.edu. 3600 IN NS ns1.montana.edu.");
    assert_rr(&f->m, DNS_ADDITIONAL, 0, "ns1.montana.edu. 3600 IN A 153.90.1.1");
    assert_non_null(strstr(cap, "ns1.montana.edu") ||
                    strstr(cap, "authoritative for montana.edu,"));
    free(cap);
}

static void test_referral_with_glue(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->root, "www.montana.edu.", DNS_TYPE_A, NULL);
    assert_false(f->m.aa);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    assert_int_equal(f->m.n[DNS_AUTHORITY], 2);
    assert_rr(&f->m, DNS_AUTHORITY, 0, "edu. 172800 IN NS a.edu-servers.net.");
    assert_rr(&f->m, DNS_AUTHORITY, 1, "edu. 172800 IN NS ns.elsewhere.org.");
    /* Glue only for the server inside the root zone's data. */
    assert_int_equal(f->m.n[DNS_ADDITIONAL], 1);
    assert_rr(&f->m, DNS_ADDITIONAL, 0, "a.edu-servers.net. 172800 IN A 192.5.6.30");
    assert_non_null(strstr(
        cap, "The root server root does not know www.montana.edu, but it knows who runs .edu"));
    assert_non_null(strstr(cap, "a.edu-servers.net (192.5.6.30)"));
    free(cap);
    /* A delegation inside edu.: glue for ns.msu.edu, none for ns.other.org. */
    cap = ask(f, f->both, "www.msu.edu.", DNS_TYPE_A, NULL);
    assert_false(f->m.aa);
    assert_int_equal(f->m.n[DNS_AUTHORITY], 2);
    assert_int_equal(f->m.n[DNS_ADDITIONAL], 1);
    assert_rr(&f->m, DNS_ADDITIONAL, 0, "ns.msu.edu. 172800 IN A 35.8.1.1");
    free(cap);
    /* The delegation point itself, and the glue name: still a referral. */
    free(ask(f, f->both, "msu.edu.", DNS_TYPE_NS, NULL));
    assert_false(f->m.aa);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    free(ask(f, f->both, "ns.msu.edu.", DNS_TYPE_A, NULL));
    assert_false(f->m.aa);
    assert_int_equal(f->m.n[DNS_AUTHORITY], 2);
}

static void test_cname_followed(void **state)
{
    Fixture *f = *state;
    free(ask(f, f->both, "www.montana.edu.", DNS_TYPE_A, NULL));
    assert_true(f->m.aa);
    assert_int_equal(f->m.n[DNS_ANSWER], 2);
    assert_rr(&f->m, DNS_ANSWER, 0, "www.montana.edu. 3600 IN CNAME web1.montana.edu.");
    assert_rr(&f->m, DNS_ANSWER, 1, "web1.montana.edu. 3600 IN A 153.90.127.197");
    /* Across the zones this server holds: edu. -> montana.edu. */
    free(ask(f, f->both, "alias.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 3);
    assert_rr(&f->m, DNS_ANSWER, 2, "web1.montana.edu. 3600 IN A 153.90.127.197");
    /* Asking for the CNAME itself does not follow it. */
    free(ask(f, f->both, "www.montana.edu.", DNS_TYPE_CNAME, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    /* A target outside the server's zones: the CNAME alone. */
    free(ask(f, f->both, "out.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    /* A target that does not exist: NXDOMAIN, with the CNAME. */
    free(ask(f, f->both, "dead.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_int_equal(f->m.rcode, DNS_RCODE_NXDOMAIN);
}

static void test_cname_loop_and_long_chain(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "loop1.montana.edu.", DNS_TYPE_A, NULL);
    assert_int_equal(f->m.n[DNS_ANSWER], 2); /* loop1 -> loop2 -> (loop1 again: stop) */
    assert_non_null(strstr(cap, "loop"));
    free(cap);
    cap = ask(f, f->both, "c1.montana.edu.", DNS_TYPE_A, NULL);
    /* c1..c9 are nine CNAMEs; it stops after following eight. */
    assert_int_equal(f->m.n[DNS_ANSWER], 9);
    assert_int_equal(f->m.rr[DNS_ANSWER][8].type, DNS_TYPE_CNAME);
    assert_non_null(strstr(cap, "too long"));
    free(cap);
}

static void test_nxdomain_and_nodata(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "nosuch.montana.edu.", DNS_TYPE_A, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_NXDOMAIN);
    assert_true(f->m.aa);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    /* Negative TTL: min(SOA TTL 7200, MINIMUM 600). */
    assert_rr(&f->m, DNS_AUTHORITY, 0,
              "montana.edu. 600 IN SOA ns1.montana.edu. hostmaster.montana.edu. 1 7200 3600 "
              "1209600 600");
    assert_non_null(strstr(cap, "NXDOMAIN"));
    free(cap);
    cap = ask(f, f->both, "montana.edu.", DNS_TYPE_AAAA, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    assert_int_equal(f->m.n[DNS_AUTHORITY], 1);
    assert_int_equal(f->m.rr[DNS_AUTHORITY][0].type, DNS_TYPE_SOA);
    assert_non_null(strstr(cap, "NODATA"));
    free(cap);
    /* b.c.montana.edu and c.montana.edu exist only as parents of a.b.c:
     * empty non-terminals, NODATA (RFC 8020), never NXDOMAIN. */
    free(ask(f, f->both, "c.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    free(ask(f, f->both, "b.c.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    /* ... and below a name that does not exist, NXDOMAIN. */
    free(ask(f, f->both, "x.nosuch.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.rcode, DNS_RCODE_NXDOMAIN);
}

/* RFC 4592: a name the zone lacks, under a closest encloser with a `*`
 * child, is answered from the wildcard with the name asked as owner; a
 * name that exists (sub.w), or one below it, is not; NODATA for a type
 * the wildcard lacks. */
static void test_wildcard(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "x.y.w.montana.edu.", DNS_TYPE_A, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_true(f->m.aa);
    assert_rr(&f->m, DNS_ANSWER, 0, "x.y.w.montana.edu. 3600 IN A 192.0.2.99");
    assert_non_null(strstr(cap, "the wildcard *.w.montana.edu answers for it"));
    free(cap);
    cap = ask(f, f->both, "x.w.montana.edu.", DNS_TYPE_MX, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    assert_int_equal(f->m.rr[DNS_AUTHORITY][0].type, DNS_TYPE_SOA);
    assert_non_null(strstr(cap, "the wildcard *.w.montana.edu stands for it"));
    free(cap);
    free(ask(f, f->both, "sub.w.montana.edu.", DNS_TYPE_A, NULL));
    assert_rr(&f->m, DNS_ANSWER, 0, "sub.w.montana.edu. 3600 IN A 192.0.2.98");
    free(ask(f, f->both, "a.sub.w.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.rcode, DNS_RCODE_NXDOMAIN);
    free(ask(f, f->both, "w.montana.edu.", DNS_TYPE_A, NULL)); /* an empty non-terminal */
    assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
}

static void test_mx_additional(void **state)
{
    Fixture *f = *state;
    free(ask(f, f->both, "montana.edu.", DNS_TYPE_MX, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 2);
    assert_rr(&f->m, DNS_ANSWER, 0, "montana.edu. 3600 IN MX 50 mail.montana.edu.");
    /* The exchange's address first, then the name server's (as NSD). */
    assert_int_equal(f->m.n[DNS_ADDITIONAL], 2);
    assert_rr(&f->m, DNS_ADDITIONAL, 0, "mail.montana.edu. 3600 IN A 153.90.9.9");
    assert_rr(&f->m, DNS_ADDITIONAL, 1, "ns1.montana.edu. 3600 IN A 153.90.1.1");
    /* NS at the apex: the answer, no authority, addresses in additional. */
    free(ask(f, f->both, "montana.edu.", DNS_TYPE_NS, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_int_equal(f->m.n[DNS_AUTHORITY], 0);
    assert_int_equal(f->m.n[DNS_ADDITIONAL], 1);
}

static void test_refused_formerr_notimp(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "www.google.com.", DNS_TYPE_A, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_REFUSED);
    assert_false(f->m.aa);
    assert_int_equal(f->m.n[DNS_ANSWER] + f->m.n[DNS_AUTHORITY], 0);
    assert_non_null(strstr(cap, "REFUSED"));
    free(cap);
    uint8_t q[512], r[512];
    size_t len = make_query(q, 0x4242, "www.montana.edu.", DNS_TYPE_A);
    char why[160];
    /* Malformed: the question cut short. */
    size_t rlen = dns_server_answer(f->both, q, len - 3, NULL, r, sizeof r, NULL);
    assert_true(rlen >= DNS_HEADER_LEN);
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    assert_int_equal(f->m.rcode, DNS_RCODE_FORMERR);
    assert_int_equal(f->m.id, 0x4242);
    /* Opcode 2 (STATUS): NOTIMP. */
    q[2] = (uint8_t)((q[2] & 0x87) | (2 << 3));
    rlen = dns_server_answer(f->both, q, len, NULL, r, sizeof r, NULL);
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    assert_int_equal(f->m.rcode, DNS_RCODE_NOTIMP);
    /* A response is never answered; nor are 5 stray bytes. */
    q[2] = 0x80;
    assert_int_equal(dns_server_answer(f->both, q, len, NULL, r, sizeof r, NULL), 0);
    assert_int_equal(dns_server_answer(f->both, q, 5, NULL, r, sizeof r, NULL), 0);
}

/* Questions NSD answers about itself: a zone transfer is REFUSED (no
 * secondary is allowed one), version.bind and id.server in class CH are
 * answered (TTL 0, not authoritative), another CH name is REFUSED. */
static void test_transfer_and_chaos(void **state)
{
    Fixture *f = *state;
    char *cap = ask(f, f->both, "montana.edu.", DNS_TYPE_AXFR, NULL);
    assert_int_equal(f->m.rcode, DNS_RCODE_REFUSED);
    assert_int_equal(f->m.n[DNS_ANSWER], 0);
    assert_non_null(strstr(cap, "zone transfer"));
    free(cap);
    static const struct {
        const char *name, *text;
    } chaos[] = {{"version.bind.", "\"NSD 4.6.1\""},
                 {"version.server.", "\"NSD 4.6.1\""},
                 {"id.server.", "\"both\""},
                 {"hostname.bind.", "\"both\""}};
    for (size_t i = 0; i < sizeof chaos / sizeof *chaos; i++) {
        uint8_t q[512], r[512];
        size_t len = make_query(q, 7, chaos[i].name, DNS_TYPE_TXT);
        q[len - 1] = DNS_CLASS_CH; /* the question's class, low byte */
        size_t rlen = dns_server_answer(f->both, q, len, NULL, r, sizeof r, NULL);
        char why[160];
        assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
        assert_int_equal(f->m.rcode, DNS_RCODE_NOERROR);
        assert_false(f->m.aa);
        assert_int_equal(f->m.n[DNS_ANSWER], 1);
        char want[64];
        snprintf(want, sizeof want, "%s 0 CH TXT %s", chaos[i].name, chaos[i].text);
        assert_rr(&f->m, DNS_ANSWER, 0, want);
    }
    uint8_t q[512], r[512];
    size_t len = make_query(q, 8, "www.montana.edu.", DNS_TYPE_A);
    q[len - 1] = DNS_CLASS_CH;
    size_t rlen = dns_server_answer(f->both, q, len, NULL, r, sizeof r, NULL);
    char why[160];
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    assert_int_equal(f->m.rcode, DNS_RCODE_REFUSED);
}

static void test_round_robin(void **state)
{
    Fixture *f = *state;
    char first[3][32];
    for (int i = 0; i < 3; i++) {
        free(ask(f, f->rr, "montana.edu.", DNS_TYPE_A, NULL));
        assert_int_equal(f->m.n[DNS_ANSWER], 3);
        Buf b;
        buf_init(&b);
        dns_rdata_to_text(DNS_TYPE_A, f->m.rr[DNS_ANSWER][0].rdata, 4, &b);
        snprintf(first[i], sizeof first[i], "%s", b.data);
        buf_fini(&b);
    }
    assert_string_equal(first[0], "153.90.3.95");
    assert_string_equal(first[1], "153.90.2.191");
    assert_string_equal(first[2], "153.90.2.192");
    /* Without round_robin the order stays as written. */
    for (int i = 0; i < 2; i++) {
        free(ask(f, f->both, "montana.edu.", DNS_TYPE_A, NULL));
        Buf b;
        buf_init(&b);
        dns_rdata_to_text(DNS_TYPE_A, f->m.rr[DNS_ANSWER][0].rdata, 4, &b);
        assert_string_equal(b.data, "153.90.3.95");
        buf_fini(&b);
    }
}

static void test_regions(void **state)
{
    Fixture *f = *state;
    free(ask(f, f->both, "geo.montana.edu.", DNS_TYPE_A, "europe"));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_rr(&f->m, DNS_ANSWER, 0, "geo.montana.edu. 3600 IN A 172.217.14.206");
    free(ask(f, f->both, "geo.montana.edu.", DNS_TYPE_A, NULL));
    assert_int_equal(f->m.n[DNS_ANSWER], 1);
    assert_rr(&f->m, DNS_ANSWER, 0, "geo.montana.edu. 3600 IN A 142.251.211.238");
    free(ask(f, f->both, "geo.montana.edu.", DNS_TYPE_A, "asia"));
    assert_rr(&f->m, DNS_ANSWER, 0, "geo.montana.edu. 3600 IN A 142.251.211.238");
}

static void test_edns_and_truncation(void **state)
{
    Fixture *f = *state;
    DnsMsg q;
    DnsName n, root;
    dns_msg_init(&q);
    q.id = 7;
    assert_true(dns_name_parse(&n, "montana.edu.", NULL));
    dns_msg_add_question(&q, &n, DNS_TYPE_MX, DNS_CLASS_IN);
    dns_name_root(&root);
    dns_msg_add_rr(&q, DNS_ADDITIONAL, &root, DNS_TYPE_OPT, 4096, 0, NULL, 0);
    uint8_t qb[512], r[1500];
    size_t len = dns_encode(&q, qb, sizeof qb);
    size_t rlen = dns_server_answer(f->both, qb, len, NULL, r, sizeof r, NULL);
    char why[160];
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    const DnsRR *opt = &f->m.rr[DNS_ADDITIONAL][f->m.n[DNS_ADDITIONAL] - 1];
    assert_int_equal(opt->type, DNS_TYPE_OPT);
    assert_int_equal(opt->klass, 1232);
    /* A tiny buffer: whole records are left out and TC is set. */
    rlen = dns_server_answer(f->both, qb, len, NULL, r, 60, NULL);
    assert_true(rlen <= 60);
    assert_true(dns_decode(&f->m, r, rlen, why, sizeof why));
    assert_true(f->m.tc);
    dns_msg_fini(&q);
}

/* ---- zone files -------------------------------------------------------- */

static const char good_zone[] = "; a zone as BIND writes it\r\n"
                                "$ORIGIN example.org.\n"
                                "$TTL 1h\n"
                                "@\tIN\tSOA\tns1 hostmaster (\n"
                                "\t\t\t2023091100 ; serial\n"
                                "\t\t\t2h 1h 2w 1h )\n"
                                "\t\tNS\tns1\n"
                                "\t\tNS\tns2.example.net.\n"
                                "ns1\t300\tIN\tA\t192.0.2.53\n"
                                "ns1\tIN\t300\tAAAA\t2001:db8::53\n"
                                "www\t\tCNAME\t@\n"
                                "@\t\tA\t192.0.2.1\n"
                                "txt\t\tTXT\t\"v=spf1 -all\" \"two; \\\"quoted\\\"\" bare\n"
                                "sub.dom\\.ain\tA\t192.0.2.9\n"
                                "_sip._tcp\tSRV\t10 60 5060 sip\n"
                                "sip\tA\t192.0.2.10\n"
                                "$ORIGIN sub.example.org.\n"
                                "x\tA\t192.0.2.11\n"
                                "unk\tTYPE65280 \\# 3 abcdef\n";

static void test_zone_file_good(void **state)
{
    (void)state;
    DnsZone z;
    DnsName origin;
    Errors e;
    errors_init(&e);
    assert_true(dns_name_parse(&origin, "example.org.", NULL));
    bool ok = dns_zone_parse_text(&z, &origin, "example.zone", good_zone, strlen(good_zone), &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "%s\n", e.msg[i]);
    assert_true(ok);
    assert_int_equal(e.n, 0);
    assert_int_equal(z.n_rrs, 13);
    assert_non_null(z.soa);
    assert_int_equal(z.soa->ttl, 3600);
    assert_int_equal(z.negative_ttl, 3600);
    DnsName n;
    assert_true(dns_name_parse(&n, "ns1.example.org.", NULL));
    const DnsZoneName *ns1 = dns_zone_lookup(&z, &n);
    assert_non_null(ns1);
    assert_int_equal(ns1->count, 2);
    assert_int_equal(z.rrs[ns1->first].ttl, 300);
    assert_true(dns_name_parse(&n, "x.sub.example.org.", NULL));
    assert_non_null(dns_zone_lookup(&z, &n));
    assert_true(dns_name_parse(&n, "sub.example.org.", NULL));
    const DnsZoneName *ent = dns_zone_lookup(&z, &n);
    assert_non_null(ent);
    assert_int_equal(ent->count, 0); /* an empty non-terminal */
    assert_true(dns_name_parse(&n, "txt.example.org.", NULL));
    const DnsZoneName *txt = dns_zone_lookup(&z, &n);
    Buf b;
    buf_init(&b);
    dns_rdata_to_text(DNS_TYPE_TXT, z.rrs[txt->first].rdata, z.rrs[txt->first].rdlen, &b);
    assert_string_equal(b.data, "\"v=spf1 -all\" \"two; \\\"quoted\\\"\" \"bare\"");
    buf_fini(&b);
    dns_zone_fini(&z);
    errors_fini(&e);
}

/* A zone's memory per record: 200,000 A records under one origin hold
 * their owners once each; the structures stay under 80 bytes a record
 * (each record held a 257-byte DnsName twice before: 914 MB for 1M).
 * Records and names read back as written. */
static void test_zone_memory(void **state)
{
    (void)state;
    Buf text;
    buf_init(&text);
    buf_puts(&text, "@ 3600 IN SOA ns1 h 1 2 3 4 5\n@ 3600 IN NS ns1\nns1 3600 IN A 10.0.0.1\n");
    enum { N = 200000 };
    for (int i = 0; i < N; i++)
        buf_printf(&text, "host%d.sub%d 300 IN A 10.%d.%d.%d\n", i, i % 7, (i >> 16) & 255,
                   (i >> 8) & 255, i & 255);
    DnsZone z;
    DnsName origin;
    Errors e;
    errors_init(&e);
    assert_true(dns_name_parse(&origin, "example.org.", NULL));
    assert_true(dns_zone_parse_text(&z, &origin, "big.zone", text.data, text.len, &e));
    assert_int_equal(z.n_rrs, N + 3);
    size_t bytes =
        z.n_rrs * sizeof *z.rrs + z.n_names * sizeof *z.names + z.index_cap * sizeof *z.index;
    assert_true(bytes / z.n_rrs < 80);
    assert_true(sizeof(DnsZoneRR) <= 32 && sizeof(DnsZoneName) <= 16);
    DnsName n;
    assert_true(dns_name_parse(&n, "host199999.sub2.example.org.", NULL));
    const DnsZoneName *hit = dns_zone_lookup(&z, &n);
    assert_non_null(hit);
    assert_int_equal(hit->count, 1);
    DnsName owner;
    DnsRR rr = dns_zone_rr(&z, &z.rrs[hit->first], &owner);
    assert_true(dns_name_equal(rr.name, &n));
    assert_int_equal(rr.type, DNS_TYPE_A);
    assert_int_equal(get_be32(rr.rdata), (10u << 24) | (3u << 16) | (13u << 8) | 63u);
    /* An empty non-terminal: sub3 has no records of its own. */
    assert_true(dns_name_parse(&n, "sub3.example.org.", NULL));
    hit = dns_zone_lookup(&z, &n);
    assert_non_null(hit);
    assert_int_equal(hit->count, 0);
    DnsName back;
    dns_zone_name(&z, hit, &back);
    assert_true(dns_name_equal(&back, &n));
    dns_zone_fini(&z);
    errors_fini(&e);
    buf_fini(&text);
}

/* A zone holds its owners in dns_name_compare's order (labels from the
 * right, without ASCII case, shorter first), each owner's records by type
 * and then as written, whatever order the file has: names that differ in
 * case, in bytes between 'Z' and 'a', in escaped bytes, prefixes, and
 * only after their first 8 bytes. */
static void test_zone_canonical_order(void **state)
{
    (void)state;
    static const char text[] = "@ 60 IN SOA ns1 h 1 2 3 4 5\n"
                               "@ 60 IN NS ns1\n"
                               "zz 60 IN A 10.0.0.1\n"
                               "b.a 60 IN TXT one\n"
                               "B.a 60 IN A 10.0.0.2\n"
                               "a 60 IN A 10.0.0.3\n"
                               "_x.A 60 IN A 10.0.0.4\n"
                               "[.a 60 IN A 10.0.0.5\n"
                               "\\000.a 60 IN A 10.0.0.6\n"
                               "\\255.a 60 IN A 10.0.0.7\n"
                               "ab 60 IN A 10.0.0.8\n"
                               "AB.ab 60 IN A 10.0.0.9\n"
                               "a\\000 60 IN A 10.0.0.10\n"
                               "b.a 60 IN A 10.0.0.11\n"
                               "b.a 60 IN TXT two\n"
                               "ns1 60 IN A 10.0.0.12\n"
                               "x.y.z.a 60 IN A 10.0.0.13\n"
                               "abcdefgh2 60 IN A 10.0.0.14\n"
                               "ABCDEFGH1 60 IN A 10.0.0.15\n"
                               "abcdefgh 60 IN A 10.0.0.16\n"
                               "abcdefg 60 IN A 10.0.0.17\n"
                               "x.abcdefg 60 IN A 10.0.0.18\n";
    DnsZone z;
    DnsName origin;
    Errors e;
    errors_init(&e);
    assert_true(dns_name_parse(&origin, "example.org.", NULL));
    assert_true(dns_zone_parse_text(&z, &origin, "order.zone", text, strlen(text), &e));
    assert_int_equal(z.n_rrs, 22);
    /* Names with records come first, in order; empty non-terminals
     * (y.z.a, z.a) follow them. */
    for (size_t k = 1; k < z.n_names && z.names[k].count; k++) {
        DnsName a, b;
        dns_zone_name(&z, &z.names[k - 1], &a);
        dns_zone_name(&z, &z.names[k], &b);
        assert_true(dns_name_compare(&a, &b) < 0);
    }
    for (size_t i = 1; i < z.n_rrs; i++) {
        const DnsZoneRR *p = &z.rrs[i - 1], *q = &z.rrs[i];
        if (p->owner == q->owner)
            assert_true(p->type < q->type || (p->type == q->type && p->order < q->order));
    }
    DnsName n;
    assert_true(dns_name_parse(&n, "b.a.example.org.", NULL));
    const DnsZoneName *ba = dns_zone_lookup(&z, &n);
    assert_non_null(ba);
    assert_int_equal(ba->count, 4); /* B.a's A, b.a's A, then TXT one, TXT two */
    assert_int_equal(z.rrs[ba->first].type, DNS_TYPE_A);
    assert_int_equal(get_be32(z.rrs[ba->first].rdata), (10u << 24) | 2u);
    assert_int_equal(get_be32(z.rrs[ba->first + 1].rdata), (10u << 24) | 11u);
    assert_int_equal(z.rrs[ba->first + 2].rdata[1], 'o');
    assert_int_equal(z.rrs[ba->first + 3].rdata[1], 't');
    dns_zone_fini(&z);
    errors_fini(&e);
}

/* The canonical order holds for zones of any size and any order of their
 * lines: up to 32 records dns_zone.c sorts by insertion, above by radix on
 * the owners' first 8 bytes, then sorts runs of owners alike in those. */
static void test_zone_order_any_size(void **state)
{
    (void)state;
    /* The last two have a 0 byte, so no key: a zone with one sorts by
     * comparisons alone, and only every fourth zone has them. */
    static const char *const owners[] = {
        "@",       "zz",        "b.a",         "B.a",         "a",         "_x.A",      "[.a",
        "\\255.a", "ab",        "AB.ab",       "x.y.z.a",     "abcdefgh2", "ABCDEFGH1", "abcdefgh",
        "abcdefg", "x.abcdefg", "abcdefghi.j", "ABCDEFGHJ.j", "\\000.a",   "a\\000"};
    static const char *const types[] = {"A 10.0.%u.%u", "TXT t%u.%u", "AAAA ::%u:%u", "MX %u m%u"};
    enum { N_OWNERS = sizeof owners / sizeof owners[0] };
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 300; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned n = (unsigned)(x % 90), soa_at = n ? (unsigned)(x >> 32) % n : 0;
        Buf text;
        buf_init(&text);
        for (unsigned i = 0; i <= n; i++) {
            if (i == soa_at)
                buf_printf(&text,
                           "@ 60 IN SOA ns1 h 1 2 3 4 5\n@ 60 IN NS ns1\nns1 60 IN A 10.9.9.9\n");
            if (i == n)
                break;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf_printf(&text, "%s 60 IN ", owners[x % (round % 4 ? N_OWNERS - 2 : N_OWNERS)]);
            buf_printf(&text, types[(x >> 20) % 4], i >> 8, i & 255); /* rdata unique per line */
            buf_printf(&text, "\n");
        }
        DnsZone z;
        DnsName origin;
        Errors e;
        errors_init(&e);
        assert_true(dns_name_parse(&origin, "example.org.", NULL));
        bool ok = dns_zone_parse_text(&z, &origin, "any.zone", text.data, text.len, &e);
        for (size_t k = 0; !ok && k < e.n; k++)
            fprintf(stderr, "%s\n", e.msg[k]);
        assert_true(ok);
        assert_int_equal(z.n_rrs, n + 3);
        for (size_t i = 1; i < z.n_rrs; i++) {
            const DnsZoneRR *p = &z.rrs[i - 1], *q = &z.rrs[i];
            if (p->owner == q->owner) {
                assert_true(p->type < q->type || (p->type == q->type && p->order < q->order));
                continue;
            }
            DnsName a, b;
            dns_zone_name(&z, &z.names[p->owner], &a);
            dns_zone_name(&z, &z.names[q->owner], &b);
            assert_true(dns_name_compare(&a, &b) < 0);
        }
        dns_zone_fini(&z);
        errors_fini(&e);
        buf_fini(&text);
    }
}

/* A zone whose apex has no records still indexes the apex and the names
 * between it and its records, as empty non-terminals (it is refused for
 * want of an SOA, but built). */
static void test_zone_empty_apex(void **state)
{
    (void)state;
    static const char text[] = "$TTL 60\nx.y IN A 10.0.0.1\nw IN A 10.0.0.2\n";
    DnsZone z;
    DnsName origin, n;
    Errors e;
    errors_init(&e);
    assert_true(dns_name_parse(&origin, "example.org.", NULL));
    assert_false(dns_zone_parse_text(&z, &origin, "apex.zone", text, strlen(text), &e));
    const DnsZoneName *apex = dns_zone_lookup(&z, &origin);
    assert_non_null(apex);
    assert_int_equal(apex->count, 0);
    assert_true(dns_name_parse(&n, "y.example.org.", NULL));
    assert_non_null(dns_zone_lookup(&z, &n));
    assert_true(dns_name_parse(&n, "w.example.org.", NULL));
    assert_non_null(dns_zone_lookup(&z, &n));
    assert_int_equal(z.n_names, 4);
    dns_zone_fini(&z);
    errors_fini(&e);
}

static void test_zone_file_errors(void **state)
{
    (void)state;
    struct {
        const char *text, *want;
    } cases[] = {
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 1.2.3\n",
         "z.zone:4:9: \"1.2.3\" is not an IPv4 address (expected a dotted quad like 192.0.2.1)"},
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN AA 1.2.3.4\n",
         "z.zone:4:7: unknown type \"AA\" (expected A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SRV, "
         "CAA, or TYPEnnn)"},
        {"$TTL 3600\n@ IN NS ns\nns IN A 192.0.2.1\n",
         "z.zone:1:1: zone example.org. has no SOA record at its apex (expected \"@ IN SOA "
         "ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 3600\")"},
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\nns IN A 192.0.2.1\n",
         "z.zone:1:1: zone example.org. has no NS record at its apex (expected \"@ IN NS "
         "ns1.example.org.\")"},
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\n",
         "z.zone:3:1: name server ns.example.org. is inside example.org. but has no address "
         "here (expected glue: an A or AAAA record for ns.example.org.)"},
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\nw IN CNAME ns\nw "
         "IN A 192.0.2.2\n",
         "z.zone:6:1: w.example.org. has a CNAME and other data (expected a CNAME alone at its "
         "name, RFC 1034 3.6.2)"},
        {"$TTL 3600\n@ IN SOA ns hm 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\nwww.other.org. IN A "
         "192.0.2.2\n",
         "z.zone:5:1: www.other.org. is outside the zone example.org. (expected a name ending in "
         "example.org.)"},
        {"$TTL 3600\n@ IN SOA ns hm ( 1 2 3 4 5\n",
         "z.zone:2:16: \"(\" is never closed (expected a \")\" before the end of the file)"},
        {"$TTL 3600\n@ IN TXT \"open\n",
         "z.zone:2:10: quoted string is not closed (expected a '\"' before the end of the line)"},
        {"@ IN NS ns\n",
         "z.zone:1:1: no TTL for this record (expected a TTL on the record, or a $TTL line "
         "before it)"},
        {"$INCLUDE other.zone\n",
         "z.zone:1:1: $INCLUDE is not supported by minet (expected $ORIGIN or $TTL)"},
        {"$TTL 3600\n@ CH TXT \"x\"\n", "z.zone:2:3: class CH is not supported (expected IN)"},
        /* found by the fuzzer: SOA in RFC 3597 form, too short to be one */
        {"$TTL 1h\n@ IN SOA \\# 2 abcd\n",
         "z.zone:2:6: the \\# data is not a valid SOA record (expected its usual wire form)"},
        {"$TTL 3600\n@ IN MX mail\n",
         "z.zone:2:6: MX record with 1 field of data (expected a preference and a mail server: "
         "10 mail)"},
        {"$TTL 3600\n  IN A 192.0.2.1\n",
         "z.zone:2:3: the first record has no owner (expected a name at the start of the line)"},
        {"$TTL 3600\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa IN A "
         "192.0.2.1\n",
         "z.zone:2:1: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is "
         "not a valid owner name: label longer than 63 bytes (expected a domain name, "
         "or @ for the origin)"},
        /* Columns after words with escapes: an escaped ';' or blank is
         * part of the word; a backslash before a line break, or last, is
         * alone. */
        {"$TTL 3600\na\\;b\\ c\\(\\\" IN AA 1.2.3.4\n",
         "z.zone:2:16: unknown type \"AA\" (expected A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SRV, "
         "CAA, or TYPEnnn)"},
        {"$TTL 3600\n@ IN TXT x\\\ny IN AA 1.2.3.4\n",
         "z.zone:3:6: unknown type \"AA\" (expected A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SRV, "
         "CAA, or TYPEnnn)"},
        {"$TTL 3600\n@ IN AA x\\",
         "z.zone:2:6: unknown type \"AA\" (expected A, AAAA, NS, CNAME, SOA, PTR, MX, TXT, SRV, "
         "CAA, or TYPEnnn)"},
    };
    DnsName origin;
    assert_true(dns_name_parse(&origin, "example.org.", NULL));
    for (size_t i = 0; i < MN_ARRAY_LEN(cases); i++) {
        DnsZone z;
        Errors e;
        errors_init(&e);
        bool ok =
            dns_zone_parse_text(&z, &origin, "z.zone", cases[i].text, strlen(cases[i].text), &e);
        assert_false(ok);
        if (getenv("SHOW"))
            printf("%zu: %s\n", i, e.n ? e.msg[0] : "(nothing)");
        else if (e.n < 1 || strcmp(e.msg[0], cases[i].want) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s", i, e.n ? e.msg[0] : "(nothing)",
                     cases[i].want);
        dns_zone_fini(&z);
        errors_fini(&e);
    }
}

/* Adds a record of class IN, TTL 300, to a message built by hand. */
static void add_rr(DnsMsg *m, DnsSection s, const char *owner, uint16_t type, const uint8_t *rd,
                   uint16_t len)
{
    DnsName n;
    assert_true(dns_name_parse(&n, owner, NULL));
    dns_msg_add_rr(m, s, &n, type, DNS_CLASS_IN, 300, rd, len);
}

/* The wire form of the name text into out; returns its length. */
static uint16_t wire_of(const char *text, uint8_t *out)
{
    DnsName n;
    assert_true(dns_name_parse(&n, text, NULL));
    memcpy(out, n.data, n.len);
    return n.len;
}

/* The bytes dns_encode writes for test_encoder_compresses's message: the
 * question as asked (WwW.Montana.EDU); the CNAME's owner a pointer to it
 * (0xc00c), its rdata web and a pointer to Montana.EDU (0xc010); each name
 * after that compressed against those before, whatever their case, in NS,
 * SOA (mname and rname) and MX rdata; the TXT rdata that looks like a name
 * as it is; the root, and names with nothing in common, whole. */
static const uint8_t encoded_msg[] = {
    0x12, 0x34, 0x85, 0x10, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x05, 0x03, 0x57, 0x77, 0x57,
    0x07, 0x4d, 0x6f, 0x6e, 0x74, 0x61, 0x6e, 0x61, 0x03, 0x45, 0x44, 0x55, 0x00, 0x00, 0x01, 0x00,
    0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06, 0x03, 0x77, 0x65,
    0x62, 0xc0, 0x10, 0xc0, 0x2d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 0x99,
    0x5a, 0x01, 0x02, 0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06, 0x03,
    0x6e, 0x73, 0x31, 0xc0, 0x10, 0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00,
    0x12, 0x02, 0x6e, 0x73, 0x09, 0x65, 0x6c, 0x73, 0x65, 0x77, 0x68, 0x65, 0x72, 0x65, 0x03, 0x6f,
    0x72, 0x67, 0x00, 0xc0, 0x10, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x23, 0xc0,
    0x4f, 0x0a, 0x68, 0x6f, 0x73, 0x74, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0xc0, 0x4f, 0x07, 0x07,
    0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07,
    0x07, 0x07, 0xc0, 0x10, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x09, 0x00, 0x0a,
    0x04, 0x6d, 0x61, 0x69, 0x6c, 0xc0, 0x64, 0x03, 0x74, 0x78, 0x74, 0xc0, 0x10, 0x00, 0x10, 0x00,
    0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x0e, 0x0d, 0x07, 0x6d, 0x6f, 0x6e, 0x74, 0x61, 0x6e, 0x61,
    0x03, 0x65, 0x64, 0x75, 0x00, 0xc0, 0x4f, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00,
    0x04, 0x99, 0x5a, 0x01, 0x02, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x14,
    0x01, 0x61, 0x0c, 0x72, 0x6f, 0x6f, 0x74, 0x2d, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x73, 0x03,
    0x6e, 0x65, 0x74, 0x00, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* The one encoder's bytes, whichever way it writes them: a message sure to
 * fit without checks of room, the same message given just its own length
 * (checked record by record), and the resolver's in-place writers. */
static void test_encoder_compresses(void **state)
{
    (void)state;
    DnsMsg m;
    dns_msg_init(&m);
    DnsName q;
    assert_true(dns_name_parse(&q, "WwW.Montana.EDU.", NULL));
    m.id = 0x1234;
    m.qr = m.aa = m.rd = m.cd = true;
    dns_msg_add_question(&m, &q, DNS_TYPE_A, DNS_CLASS_IN);
    uint8_t rd[300], a[4] = {153, 90, 1, 2};
    add_rr(&m, DNS_ANSWER, "www.montana.edu.", DNS_TYPE_CNAME, rd, wire_of("web.montana.edu.", rd));
    add_rr(&m, DNS_ANSWER, "web.montana.edu.", DNS_TYPE_A, a, 4);
    add_rr(&m, DNS_AUTHORITY, "montana.edu.", DNS_TYPE_NS, rd, wire_of("ns1.Montana.edu.", rd));
    add_rr(&m, DNS_AUTHORITY, "montana.edu.", DNS_TYPE_NS, rd, wire_of("ns.elsewhere.org.", rd));
    uint16_t n = wire_of("ns1.montana.edu.", rd);
    n += wire_of("hostmaster.ns1.montana.edu.", rd + n);
    memset(rd + n, 7, 20);
    add_rr(&m, DNS_AUTHORITY, "montana.edu.", DNS_TYPE_SOA, rd, (uint16_t)(n + 20));
    rd[0] = 0;
    rd[1] = 10;
    n = (uint16_t)(2 + wire_of("mail.elsewhere.org.", rd + 2));
    add_rr(&m, DNS_ADDITIONAL, "montana.edu.", DNS_TYPE_MX, rd, n);
    n = wire_of("montana.edu.", rd + 1);
    rd[0] = (uint8_t)n; /* TXT that looks like a name: not compressed */
    add_rr(&m, DNS_ADDITIONAL, "txt.montana.edu.", DNS_TYPE_TXT, rd, (uint16_t)(n + 1));
    add_rr(&m, DNS_ADDITIONAL, "ns1.montana.edu.", DNS_TYPE_A, a, 4);
    add_rr(&m, DNS_ADDITIONAL, ".", DNS_TYPE_NS, rd, wire_of("a.root-servers.net.", rd));
    dns_msg_add_opt(&m, 1232, NULL, 0);
    uint8_t out[1500];
    size_t len = dns_encode(&m, out, sizeof out);
    assert_int_equal(len, sizeof encoded_msg);
    assert_memory_equal(out, encoded_msg, len);
    /* Not sure to fit (every name whole, it would not): record by record. */
    memset(out, 0, sizeof out);
    assert_int_equal(dns_encode(&m, out, len), len);
    assert_memory_equal(out, encoded_msg, len);
    /* In place, as the resolver writes its answers. */
    memset(out, 0, sizeof out);
    memcpy(out, encoded_msg, DNS_HEADER_LEN);
    DnsPacker k;
    dns_pack_start(&k, out);
    assert_true(dns_pack_name(&k, q.data, q.len));
    put_be16(out + k.pos, DNS_TYPE_A);
    put_be16(out + k.pos + 2, DNS_CLASS_IN);
    k.pos += 4;
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m.n[s]; i++)
            assert_true(dns_pack_rr(&k, &m.rr[s][i]));
    assert_int_equal(k.pos, len);
    assert_memory_equal(out, encoded_msg, len);
    /* A question for the root, and no record. */
    dns_msg_reset(&m);
    dns_name_root(&q);
    dns_msg_add_question(&m, &q, DNS_TYPE_NS, DNS_CLASS_IN);
    static const uint8_t root_query[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1};
    assert_int_equal(dns_encode(&m, out, sizeof out), sizeof root_query);
    assert_memory_equal(out, root_query, sizeof root_query);
    dns_msg_fini(&m);
}

/* More suffixes than the short list holds, in a message sure to fit:
 * h0.zone.test CNAME zone.test, then each hN.zone.test CNAME the one
 * before, its rdata a pointer found in the hashed table of the writer that
 * checks room (the writer that does not gives up, as do the in-place
 * writers). */
static void test_encoder_many_suffixes(void **state)
{
    (void)state;
    DnsMsg m;
    dns_msg_init(&m);
    DnsName q, owner;
    assert_true(dns_name_parse(&q, "zone.test.", NULL));
    dns_msg_add_question(&m, &q, DNS_TYPE_CNAME, DNS_CLASS_IN);
    enum { RECORDS = DNS_PACK_LIST + 30 };
    uint8_t rd[300];
    size_t want = DNS_HEADER_LEN + q.len + 4;
    for (int i = 0; i < RECORDS; i++) {
        char text[32];
        snprintf(text, sizeof text, "h%d.zone.test.", i);
        assert_true(dns_name_parse(&owner, text, NULL));
        if (i > 1)
            snprintf(text, sizeof text, "h%d.zone.test.", i - 1);
        uint16_t len = wire_of(i == 0 ? "zone.test." : i == 1 ? "h0.zone.test." : text, rd);
        dns_msg_add_rr(&m, DNS_ANSWER, &owner, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, rd, len);
        want += 1u + owner.data[0] + 2 + 10 + 2; /* a label and a pointer; a pointer */
    }
    uint8_t out[8192];
    size_t len = dns_encode(&m, out, sizeof out);
    assert_int_equal(len, want);
    uint8_t in_place[8192];
    DnsPacker k;
    dns_pack_start(&k, in_place);
    bool ok = true;
    for (size_t i = 0; i < m.n[DNS_ANSWER] && ok; i++)
        ok = dns_pack_rr(&k, &m.rr[DNS_ANSWER][i]);
    assert_false(ok);
    DnsMsg back;
    dns_msg_init(&back);
    char why[128];
    assert_true(dns_decode(&back, out, len, why, sizeof why));
    assert_int_equal(back.n[DNS_ANSWER], RECORDS);
    for (int i = 0; i < RECORDS; i++) {
        const DnsRR *x = &m.rr[DNS_ANSWER][i], *y = &back.rr[DNS_ANSWER][i];
        assert_true(dns_name_equal(x->name, y->name));
        assert_int_equal(x->rdlen, y->rdlen);
        assert_memory_equal(x->rdata, y->rdata, x->rdlen);
    }
    dns_msg_fini(&back);
    dns_msg_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_closest_zone_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_with_glue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cname_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cname_loop_and_long_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nxdomain_and_nodata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mx_additional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_formerr_notimp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_and_chaos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_robin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edns_and_truncation, setup, teardown),
        cmocka_unit_test(test_zone_file_good),
        cmocka_unit_test(test_zone_file_errors),
        cmocka_unit_test(test_zone_memory),
        cmocka_unit_test(test_zone_canonical_order),
        cmocka_unit_test(test_zone_order_any_size),
        cmocka_unit_test(test_zone_empty_apex),
        cmocka_unit_test(test_encoder_compresses),
        cmocka_unit_test(test_encoder_many_suffixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
