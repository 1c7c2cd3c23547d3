/* The network layer: wire bytes and checksums against known vectors,
 * routing, serialization delay, loss with a fixed seed, faults, and the
 * ping and traceroute programs on top of them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "core/rng.h"
#include "net/eth.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/link.h"
#include "net/udp.h"

static void test_checksum_rfc1071(void **state)
{
    (void)state;
    /* RFC 1071 section 3's example: the one's complement sum is ddf2. */
    const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(ipv4_checksum(data, sizeof data, 0), (uint16_t)~0xddf2);
    const uint8_t odd[] = {0x01};
    assert_int_equal(ipv4_checksum(odd, 1, 0), (uint16_t)~0x0100);
}

/* RFC 1071's sum of big-endian 16-bit words, one at a time: the model the
 * fast checksum must match for every length, content and starting sum. */
static uint16_t checksum_model(const uint8_t *p, size_t len, uint32_t sum)
{
    uint64_t s = sum;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len % 2)
        s += (uint32_t)(p[len - 1] << 8);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void test_checksum_against_model(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 1071);
    uint8_t buf[1600];
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)rng_below(&r, round < 2000 ? 80 : sizeof buf);
        int fill = (int)rng_below(&r, 4); /* random, all zero, all 0xff, one byte */
        for (size_t i = 0; i < len; i++)
            buf[i] = fill == 0 ? (uint8_t)rng_below(&r, 256) : fill == 1 ? 0 : 0xff;
        if (fill == 3 && len)
            buf[rng_below(&r, len)] = (uint8_t)rng_below(&r, 256);
        int kind = (int)rng_below(&r, 4); /* none, a pseudo-header's, any 32-bit start */
        uint32_t sum = kind == 0   ? 0
                       : kind == 3 ? (uint32_t)rng_next(&r)
                                   : (uint32_t)rng_below(&r, 0x50000);
        size_t off = (size_t)rng_below(&r, 8) % (sizeof buf - len + 1); /* unaligned too */
        memmove(buf + off, buf, len);
        uint16_t model = checksum_model(buf + off, len, sum);
        assert_int_equal(ipv4_checksum(buf + off, len, sum), model);
        assert_int_equal(ipv4_checksum_ok(buf + off, len, sum), model == 0);
        /* With its checksum after it (an even length), as a receiver checks. */
        if (len % 2 == 0 && off + len + 2 <= sizeof buf) {
            buf[off + len] = (uint8_t)(model >> 8);
            buf[off + len + 1] = (uint8_t)model;
            assert_true(ipv4_checksum_ok(buf + off, len + 2, sum));
        }
    }
    /* Headers take a path of their own: random ones, written and parsed. */
    for (int round = 0; round < 4000; round++) {
        Ipv4Hdr h = {.tos = (uint8_t)rng_below(&r, 256),
                     .total_len = (uint16_t)(IPV4_HLEN + rng_below(&r, 1480)),
                     .id = (uint16_t)rng_below(&r, 65536),
                     .frag = rng_below(&r, 2) ? 0x4000 : 0,
                     .ttl = (uint8_t)rng_below(&r, 256),
                     .proto = (uint8_t)rng_below(&r, 256),
                     .src = (uint32_t)rng_next(&r),
                     .dst = round % 7 ? (uint32_t)rng_next(&r) : 0xffffffffu};
        ipv4_put_header(buf, &h);
        uint16_t got = (uint16_t)(buf[10] << 8 | buf[11]);
        buf[10] = buf[11] = 0;
        assert_int_equal(got, checksum_model(buf, IPV4_HLEN, 0));
        buf[10] = (uint8_t)(got >> 8);
        buf[11] = (uint8_t)got;
        Ipv4Hdr back;
        DropReason why;
        assert_true(ipv4_parse(buf, h.total_len, &back, &why));
    }
    /* Random 20-byte headers, half with their checksum set right and some
     * of those with a bit flipped after: accepted exactly when the model
     * sums them right (the check reads them in three loads of its own). */
    for (int round = 0; round < 200000; round++) {
        for (int i = 0; i < IPV4_HLEN; i++)
            buf[i] = (uint8_t)rng_below(&r, 256);
        buf[0] = 0x45;
        buf[2] = 0;
        buf[3] = IPV4_HLEN;
        buf[6] &= 0xc0; /* no fragment */
        buf[7] = 0;
        if (round % 2) {
            buf[10] = buf[11] = 0;
            uint16_t sum = checksum_model(buf, IPV4_HLEN, 0);
            buf[10] = (uint8_t)(sum >> 8);
            buf[11] = (uint8_t)sum;
        }
        if (round % 4 == 3) {
            size_t bit = 32 + rng_below(&r, 8 * IPV4_HLEN - 32); /* after the lengths */
            if (bit / 8 != 6)
                buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        Ipv4Hdr back;
        DropReason why = DROP_REASON_COUNT;
        bool good = checksum_model(buf, IPV4_HLEN, 0) == 0;
        assert_int_equal(ipv4_parse(buf, IPV4_HLEN, &back, &why), good);
        if (!good)
            assert_int_equal(why, DROP_IPV4_CHECKSUM);
    }
}

static void test_ipv4_header_known_vector(void **state)
{
    (void)state;
    /* A header from a real capture: 192.168.0.1 -> 192.168.0.199, UDP,
     * TTL 64, DF, total length 0x73: checksum b861. */
    const uint8_t want[IPV4_HLEN] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    Ipv4Hdr h = {0};
    h.total_len = 0x73;
    h.frag = 0x4000;
    h.ttl = 64;
    h.proto = IP_PROTO_UDP;
    h.src = tw_ip("192.168.0.1");
    h.dst = tw_ip("192.168.0.199");
    uint8_t got[IPV4_HLEN + 0x73];
    memset(got, 0, sizeof got);
    ipv4_put_header(got, &h);
    assert_memory_equal(got, want, IPV4_HLEN);
    Ipv4Hdr back;
    DropReason why = DROP_REASON_COUNT;
    assert_true(ipv4_parse(got, sizeof got, &back, &why));
    assert_int_equal(back.src, h.src);
    got[10] ^= 1;
    assert_false(ipv4_parse(got, sizeof got, &back, &why));
    assert_int_equal(why, DROP_IPV4_CHECKSUM);
    assert_false(ipv4_parse(got, 10, &back, &why));
    assert_int_equal(why, DROP_IPV4_TRUNCATED);
}

static void test_ip_parse(void **state)
{
    (void)state;
    uint32_t ip;
    assert_true(ip_parse("10.0.0.1", &ip));
    assert_int_equal(ip, 0x0a000001);
    assert_true(ip_parse("255.255.255.255", &ip));
    const char *bad[] = {"10.0.0",  "10.0.0.256", "010.0.0.1", "10.0.0.1 ", "a.b.c.d",
                         "10..0.1", "",           "1.2.3.4.5", "1234.1.1.1"};
    for (size_t i = 0; i < MN_ARRAY_LEN(bad); i++)
        assert_false(ip_parse(bad[i], &ip));
    /* ip_parse_start: the quad, then anything */
    const char *s = "10.0.2.1/24", *end = NULL;
    assert_true(ip_parse_start(s, &ip, &end));
    assert_int_equal(ip, 0x0a000201);
    assert_ptr_equal(end, s + 8);
    assert_false(ip_parse_start("10.0.2.1024/2", &ip, &end));
    assert_false(ip_parse_start("10.0.2/24", &ip, &end));
    char buf[16];
    ip_format(0xc0a800c7, buf);
    assert_string_equal(buf, "192.168.0.199");
    /* inet_aton's forms, as getaddrinfo takes a numeric host (checked
     * with iputils ping on loopback: 0177.1, 0x7f.1, 0x7F000001) */
    static const struct {
        const char *s;
        uint32_t ip;
    } aton[] = {{"10.53", 0x0a000035},
                {"0x0a000035", 0x0a000035},
                {"167772213", 0x0a000035},
                {"0177.1", 0x7f000001},
                {"0x7f.1", 0x7f000001},
                {"0x7F000001", 0x7f000001},
                {"10.1.515", 0x0a010203},
                {"012.0.0.024", 0x0a000014},
                {"10.0.0.1", 0x0a000001},
                {"4294967295", 0xffffffffu},
                {"0", 0}};
    for (size_t i = 0; i < MN_ARRAY_LEN(aton); i++) {
        assert_true(ip_parse_aton(aton[i].s, &ip));
        assert_int_equal(ip, aton[i].ip);
    }
    const char *not_aton[] = {"127.0x",      "08.1.1.1",  "1.2.3.256", "1.2.65536", "4294967296",
                              "10.0.0.20.1", "",          "1.",        ".1",        "1..1",
                              "a",           "10.0.0.1 ", "-1"};
    for (size_t i = 0; i < MN_ARRAY_LEN(not_aton); i++)
        assert_false(ip_parse_aton(not_aton[i], &ip));
}

static void test_serialization(void **state)
{
    (void)state;
    assert_int_equal(link_serialization(10000000, 1500), 1200); /* 12000 bits at 10 Mbit/s */
    assert_int_equal(link_serialization(1000000000, 98), 1);    /* 0.784 µs rounds up */
    assert_int_equal(link_serialization(100000000, 98), 8);     /* 7.84 µs */
    assert_int_equal(link_serialization(64000, 100), 12500);
}

static void test_wiring_and_macs(void **state)
{
    (void)state;
    World *w = tw_chain();
    world_wire(w);
    const Node *r1 = &w->nodes[1];
    assert_int_equal(r1->n_ifaces, 2);
    assert_string_equal(r1->ifaces[0].name, "eth0");
    assert_string_equal(r1->ifaces[1].name, "eth1");
    assert_int_equal(r1->ifaces[0].ip, tw_ip("10.0.0.1"));
    assert_int_equal(r1->ifaces[1].ip, tw_ip("10.0.1.1"));
    assert_int_equal(r1->ifaces[0].peer, 0);
    assert_int_equal(r1->ifaces[1].peer, 2);
    assert_int_equal(r1->ifaces[0].mac[0], 0x02);
    assert_int_equal(r1->ifaces[1].mac[5], 1);
    assert_memory_not_equal(w->nodes[0].ifaces[0].mac, r1->ifaces[0].mac, 6);
    int node, iface;
    assert_true(world_find_addr(w, tw_ip("10.0.1.2"), &node, &iface));
    assert_int_equal(node, 2);
    assert_int_equal(iface, 0);
    assert_false(world_find_addr(w, tw_ip("10.9.9.9"), &node, &iface));
    /* Whose address is it (the hash ipv4_input_packet asks for routers with many
     * links): r1 has both of its own, not its neighbour's, not a stranger's. */
    assert_true(world_node_has_addr(w, 1, tw_ip("10.0.0.1")));
    assert_true(world_node_has_addr(w, 1, tw_ip("10.0.1.1")));
    assert_false(world_node_has_addr(w, 1, tw_ip("10.0.1.2")));
    assert_true(world_node_has_addr(w, 2, tw_ip("10.0.1.2")));
    assert_false(world_node_has_addr(w, 1, tw_ip("10.9.9.9")));
    char name[64];
    world_link_name(w, 1, name, sizeof name);
    assert_string_equal(name, "r1:eth1-r2:eth0");
    world_free(w);
}

/* A square: a - r1 - b slow, a - r2 - b fast; and a host in the middle
 * of another path that must not forward. */
static void test_routing(void **state)
{
    (void)state;
    World *w = world_new();
    int a = tw_node(w, "a", ROLE_HOST, "10.0.0.1");
    int r1 = tw_node(w, "r1", ROLE_ROUTER, "10.0.0.2");
    int r2 = tw_node(w, "r2", ROLE_ROUTER, "10.0.0.3");
    int b = tw_node(w, "b", ROLE_HOST, "10.0.0.4");
    int c = tw_node(w, "c", ROLE_HOST, "10.0.0.5");
    tw_link(w, a, r1, 50000, 1000000000, 0); /* eth0 of a */
    tw_link(w, r1, b, 50000, 1000000000, 0);
    tw_link(w, a, r2, 1000, 1000000000, 0); /* eth1 of a */
    tw_link(w, r2, b, 1000, 1000000000, 0);
    tw_link(w, b, c, 1000, 1000000000, 0);
    world_wire(w);
    int out[5];
    world_routes_from(w, a, out);
    assert_int_equal(out[b], 1); /* the fast way, through r2 */
    assert_int_equal(out[r1], 0);
    assert_int_equal(out[a], -1);
    assert_int_equal(out[c], -1); /* b is a host: it does not forward to c */
    world_routes_from(w, r1, out);
    assert_int_equal(out[r2], -1); /* only through hosts a or b, which do not forward */
    world_free(w);
}

/* The shared search over routers (what Net uses) gives exactly the routes
 * of the full search from each node, ties included: random graphs with
 * few latencies (many equal paths), parallel links, zero latencies, hosts
 * on several links and hosts linked to hosts. */
static void test_routing_shared_equals_full(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 2024);
    for (int round = 0; round < 200; round++) {
        World *w = world_new();
        int n = 2 + (int)rng_below(&r, 14);
        for (int i = 0; i < n; i++) {
            char id[16], ip[24];
            snprintf(id, sizeof id, "n%d", i);
            snprintf(ip, sizeof ip, "10.0.%d.%d", round, i + 1);
            tw_node(w, id, rng_below(&r, 2) ? ROLE_ROUTER : ROLE_HOST, ip);
        }
        int links = (int)rng_below(&r, (uint64_t)(3 * n));
        static const SimTime lat[] = {0, 1000, 1000, 2000, 3000};
        for (int k = 0; k < links; k++) {
            int a = (int)rng_below(&r, (uint64_t)n), b = (int)rng_below(&r, (uint64_t)n);
            if (a != b)
                tw_link(w, a, b, lat[rng_below(&r, 5)], 1000000000, 0);
        }
        world_wire(w);
        int *via = xmalloc((size_t)n * sizeof *via);
        int *full = xmalloc((size_t)n * sizeof *full);
        int64_t *dist = xmalloc((size_t)n * sizeof *dist);
        WorldRouters g;
        world_routers_init(&g, w);
        for (int src = 0; src < n; src++) {
            world_routes_from(w, src, full);
            world_routes_routers(w, &g, src, dist, via);
            for (int dst = 0; dst < n; dst++)
                if (world_route_to(w, &g, src, dist, via, dst) != full[dst])
                    fail_msg("round %d: route from n%d to n%d: %d, want %d", round, src, dst,
                             world_route_to(w, &g, src, dist, via, dst), full[dst]);
        }
        world_routers_fini(&g);
        free(via);
        free(full);
        free(dist);
        world_free(w);
    }
}

static void test_ping_rtt_adds_up(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 2 server");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    /* One way: laptop->r1 8 µs + 1 ms, r1->r2 79 µs + 10 ms, r2->server
     * 1 µs + 2 ms = 13.088 ms; the round trip 26.176 ms. */
    const char *want = "PING server (10.0.2.10) 56(84) bytes of data.\n"
                       "64 bytes from server (10.0.2.10): icmp_seq=1 ttl=62 time=26.2 ms\n"
                       "64 bytes from server (10.0.2.10): icmp_seq=2 ttl=62 time=26.2 ms\n"
                       "\n"
                       "--- server ping statistics ---\n"
                       "2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n"
                       "rtt min/avg/max/mdev = 26.176/26.176/26.176/0.000 ms\n";
    assert_string_equal(out, want);
    /* Each request and reply crosses three links: 12 hops. */
    assert_int_equal(tw_count(&sim, TR_HOP, NULL), 12);
    assert_int_equal(tw_count(&sim, TR_DELIVER, NULL), 4);
    free(out);
    tw_done(&sim);
}

static void test_frames_have_valid_checksums(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 1 10.0.2.10");
    tw_script(w, 0, 0, "traceroute -n -q 1 10.0.2.10");
    Sim sim;
    tw_run(&sim, w, 3);
    size_t checked = 0;
    for (size_t i = 0; i < sim.trace.n; i++) {
        const TraceRec *r = &sim.trace.recs[i];
        if (r->kind != TR_HOP)
            continue;
        const uint8_t *ip = r->bytes + ETH_HLEN;
        size_t iplen = r->len - ETH_HLEN;
        Ipv4Hdr h;
        DropReason why;
        assert_int_equal(get_be16(r->bytes + 12), ETH_TYPE_IPV4);
        assert_true(ipv4_parse(ip, iplen, &h, &why));
        assert_int_equal(h.total_len, iplen);
        const uint8_t *body = ip + IPV4_HLEN;
        size_t blen = iplen - IPV4_HLEN;
        if (h.proto == IP_PROTO_ICMP)
            assert_int_equal(ipv4_checksum(body, blen, 0), 0);
        else if (h.proto == IP_PROTO_UDP)
            assert_int_equal(
                ipv4_checksum(body, blen,
                              ipv4_pseudo_sum(h.src, h.dst, IP_PROTO_UDP, (uint16_t)blen)),
                0);
        else
            fail();
        /* The frame goes to the peer interface's MAC from our own. */
        const Node *from = &w->nodes[r->node];
        assert_memory_equal(r->bytes + 6, from->ifaces[r->iface].mac, 6);
        assert_memory_equal(r->bytes, w->nodes[r->peer].ifaces[r->peer_iface].mac, 6);
        checked++;
    }
    /* ping: 3 hops each way; traceroute: probes 1+2+3 hops, answers 1+2+3. */
    assert_int_equal(checked, 18);
    tw_done(&sim);
}

static void test_ttl_exceeded(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 2 -t 1 10.0.2.10");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "PING 10.0.2.10 (10.0.2.10) 56(84) bytes of data.\n"
                             "From 10.0.0.1 icmp_seq=1 Time to live exceeded\n"
                             "From 10.0.0.1 icmp_seq=2 Time to live exceeded\n"
                             "\n"
                             "--- 10.0.2.10 ping statistics ---\n"
                             "2 packets transmitted, 0 received, +2 errors, 100% packet loss, "
                             "time 1000ms\n"
                             "\n");
    assert_int_equal(tw_count(&sim, TR_DROP, "TTL expired"), 2);
    free(out);
    tw_done(&sim);
}

static void test_traceroute(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "traceroute server");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    /* 60-byte probes are 74-byte frames; the ICMP errors that answer them
     * are 102 (they quote the probe whole).  Hop 2: out 6+1000 + 60+10000,
     * back 82+10000 + 9+1000 = 22157 µs. */
    assert_string_equal(out, "traceroute to server (10.0.2.10), 30 hops max, 60 byte packets\n"
                             " 1  r1 (10.0.0.1)  2.015 ms  2.015 ms  2.015 ms\n"
                             " 2  r2 (10.0.1.2)  22.157 ms  22.157 ms  22.157 ms\n"
                             " 3  server (10.0.2.10)  26.159 ms  26.159 ms  26.159 ms\n");
    free(out);
    tw_done(&sim);
}

static size_t received(const char *out)
{
    const char *p = strstr(out, "transmitted, ");
    return p ? (size_t)strtoul(p + strlen("transmitted, "), NULL, 10) : 0;
}

static void test_loss_is_seeded(void **state)
{
    (void)state;
    size_t got[2];
    char *outs[2];
    for (int run = 0; run < 2; run++) {
        World *w = tw_chain();
        w->links[1].loss = 0.3;
        tw_script(w, 0, 0, "ping -c 40 -i 0.2 -q 10.0.2.10");
        Sim sim;
        tw_run(&sim, w, 99);
        outs[run] = tw_console(&sim);
        got[run] = received(outs[run]);
        assert_true(tw_count(&sim, TR_DROP, "lost on link") > 0);
        tw_done(&sim);
    }
    assert_string_equal(outs[0], outs[1]);
    /* Both directions cross the lossy link: about 0.7 * 0.7 get through. */
    assert_true(got[0] > 8 && got[0] < 32);
    free(outs[0]);
    free(outs[1]);
}

static void test_link_down_and_up(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 5 10.0.2.10");
    tw_script(w, 1500000, -1, "down r1 r2");
    tw_script(w, 3500000, -1, "up r1 r2");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_non_null(strstr(out, "icmp_seq=1 "));
    assert_null(strstr(out, "icmp_seq=3 ")); /* sent at 2 s, while down */
    assert_non_null(strstr(out, "icmp_seq=5 "));
    assert_non_null(strstr(out, "5 packets transmitted, 3 received, 40% packet loss"));
    assert_int_equal(tw_count(&sim, TR_DROP, "link down"), 2);
    free(out);
    tw_done(&sim);
}

static void test_node_down(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, -1, "down server");
    tw_script(w, 0, 0, "ping -c 1 -W 2 10.0.2.10");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_non_null(
        strstr(out, "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n"));
    assert_int_equal(tw_count(&sim, TR_DROP, "node down"), 1);
    /* The linger with no reply is -W: the command ends at 2 s. */
    const TraceRec *last = &sim.trace.recs[sim.trace.n - 1];
    assert_int_equal(last->kind, TR_CONSOLE);
    assert_int_equal(last->stream, CON_EXIT);
    assert_int_equal(last->status, 1);
    assert_int_equal(last->time, 2000000);
    free(out);
    tw_done(&sim);
}

static void test_ping_errors(void **state)
{
    (void)state;
    struct {
        const char *cmd, *out;
        int status;
    } cases[] = {
        {"ping", "ping: usage error: Destination address required\n", 1},
        {"ping -c abc server", "ping: invalid argument: 'abc'\n", 1},
        {"ping -c 0 server",
         "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n", 1},
        {"ping nosuchhost", "ping: nosuchhost: Name or service not known\n", 2},
        {"ping -V", "ping from iputils 20221126\n", 0},
        {"traceroute -Z server", "Bad option `-Z' (argc 1)\n", 2},
        {"traceroute nosuch",
         "nosuch: Name or service not known\nCannot handle \"host\" cmdline arg `nosuch' on "
         "position 1 (argc 1)\n",
         2},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(cases); i++) {
        World *w = tw_chain();
        tw_script(w, 0, 0, cases[i].cmd);
        Sim sim;
        tw_run(&sim, w, 1);
        char *out = tw_console(&sim);
        assert_string_equal(out, cases[i].out);
        const TraceRec *last = &sim.trace.recs[sim.trace.n - 1];
        assert_int_equal(last->stream, CON_EXIT);
        assert_int_equal(last->status, cases[i].status);
        free(out);
        tw_done(&sim);
    }
    /* A bad option prints the getopt message and the whole usage, exit 2. */
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -Z server");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_true(strncmp(out,
                        "ping: invalid option -- 'Z'\n\nUsage\n  ping [options] <destination>\n",
                        60) == 0);
    assert_non_null(strstr(out, "For more details see ping(8).\n"));
    free(out);
    tw_done(&sim);
}

static void no_reply(void *ctx, const DnsMsg *m, size_t size, uint64_t pkt)
{
    (void)ctx, (void)m, (void)size, (void)pkt;
    fail();
}

static void no_timeout(void *ctx, TcpWhy why, int try_no, bool last)
{
    (void)ctx, (void)why, (void)try_no, (void)last;
    fail();
}

static void ignore_udp(Sim *sim, void *ctx, int node, const UdpMsg *m)
{
    (void)sim, (void)ctx, (void)node, (void)m;
}

/* 28,232 lookups waiting on one node hold every ephemeral port: the next
 * bind fails (Linux's EADDRINUSE) and the query is refused at once, where
 * the old loop looked for a free port without end. */
static void test_ephemeral_ports_run_out(void **state)
{
    (void)state;
    World *w = tw_chain();
    Sim sim;
    tw_run(&sim, w, 1);
    int held = 0;
    while (udp_bind_ephemeral(&sim, 0, ignore_udp, NULL))
        held++;
    assert_int_equal(held, NET_EPHEMERAL_PORTS);
    DnsName name;
    assert_true(dns_name_parse(&name, "www.example.", NULL));
    DnsQueryOpts o = {.rd = true, .timeout = 1000000, .tries = 2, .program = "host"};
    DnsQueryOps ops = {.reply = no_reply, .timeout = no_timeout};
    assert_null(dns_query_start(&sim, 0, tw_ip("10.0.2.10"), &name, DNS_TYPE_A, &o, ops, NULL));
    assert_int_equal(tw_count(&sim, TR_NOTE, "every UDP port it could send from"), 1);
    /* One port freed is found again. */
    udp_unbind(&sim, 0, 40000);
    assert_int_equal(udp_bind_ephemeral(&sim, 0, ignore_udp, NULL), 40000);
    tw_done(&sim);
}

/* The time of the first console line that contains text. */
static SimTime console_time(const Sim *sim, const char *text)
{
    for (size_t i = 0; i < sim->trace.n; i++) {
        const TraceRec *r = &sim->trace.recs[i];
        if (r->kind == TR_CONSOLE && r->text && strstr(r->text, text))
            return r->time;
    }
    fail_msg("no console line with %s", text);
    return 0;
}

/* Nothing vanishes: a packet to an address that no node has is answered
 * as a real network answers it. */
/* Bindings bound and unbound at random on two nodes, against a model: a
 * port bound twice is refused, an unbound one is free again, and every
 * node's list of ports is the model's, as the table grows and its
 * unbinds move bindings back. */
static void test_udp_bindings_against_model(void **state)
{
    (void)state;
    enum { PORTS = 3000 };
    World *w = tw_chain();
    Sim sim;
    tw_run(&sim, w, 1);
    Rng r;
    rng_seed(&r, 5);
    static bool model[2][PORTS];
    static uint16_t got[PORTS];
    for (int round = 0; round < 200000; round++) {
        int node = (int)rng_below(&r, 2);
        uint16_t port = (uint16_t)(1 + rng_below(&r, round < 100000 ? PORTS - 1 : 300));
        if (rng_below(&r, 2)) {
            assert_int_equal(udp_bind(&sim, node, port, ignore_udp, NULL), !model[node][port]);
            model[node][port] = true;
        } else {
            udp_unbind(&sim, node, port);
            model[node][port] = false;
        }
        if (round % 20000 == 0 || round == 199999) {
            for (node = 0; node < 2; node++) {
                size_t n = udp_node_ports(&sim, node, got, PORTS), k = 0;
                for (uint16_t p = 0; p < PORTS; p++)
                    if (model[node][p])
                        assert_int_equal(got[k++], p);
                assert_int_equal(n, k);
            }
        }
    }
    tw_done(&sim);
}

static void test_unknown_address(void **state)
{
    (void)state;
    /* On a router's link (10.0.2.0/24 at r2): three ARP requests a second
     * apart, then ICMP host unreachable for both waiting packets. */
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 2 10.0.2.99");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    assert_string_equal(out, "PING 10.0.2.99 (10.0.2.99) 56(84) bytes of data.\n"
                             "From 10.0.1.2 icmp_seq=1 Destination Host Unreachable\n"
                             "From 10.0.1.2 icmp_seq=2 Destination Host Unreachable\n"
                             "\n"
                             "--- 10.0.2.99 ping statistics ---\n"
                             "2 packets transmitted, 0 received, +2 errors, 100% packet loss, "
                             "time 1000ms\n"
                             "pipe 2\n");
    assert_int_equal(tw_count(&sim, TR_DROP, "no ARP reply"), 2);
    assert_int_equal(tw_count(&sim, TR_NOTE, "Who has 10.0.2.99? Tell 10.0.2.1"), 3);
    assert_int_equal(tw_count(&sim, TR_NOTE, "Nobody answered r2's 3 ARP requests"), 2);
    SimTime t = console_time(&sim, "icmp_seq=1 Destination Host Unreachable");
    assert_true(t >= 3000000 && t < 3100000);
    free(out);
    tw_done(&sim);

    /* In no network of any link: net unreachable at once, from the first
     * router (the laptop's default gateway). */
    w = tw_chain();
    tw_script(w, 0, 0, "ping -c 1 192.0.2.1");
    tw_run(&sim, w, 1);
    out = tw_console(&sim);
    assert_non_null(strstr(out, "From 10.0.0.1 icmp_seq=1 Destination Net Unreachable\n"));
    assert_int_equal(tw_count(&sim, TR_DROP, "no route"), 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "r1 has no route to 192.0.2.1"), 1);
    assert_int_equal(tw_count(&sim, TR_HOP, NULL), 2); /* there and the ICMP error back */
    assert_true(console_time(&sim, "Destination Net Unreachable") < 10000);
    free(out);
    tw_done(&sim);

    /* On the sender's own link: the sender asks by ARP itself, and ping
     * hears of the failure from its own address, as on Linux. */
    w = tw_chain();
    tw_script(w, 0, 0, "ping -c 1 10.0.0.99");
    tw_run(&sim, w, 1);
    out = tw_console(&sim);
    assert_non_null(strstr(out, "From 10.0.0.10 icmp_seq=1 Destination Host Unreachable\n"));
    assert_int_equal(tw_count(&sim, TR_NOTE, "Who has 10.0.0.99? Tell 10.0.0.10"), 3);
    assert_int_equal(tw_count(&sim, TR_HOP, NULL), 0);
    assert_int_equal(tw_count(&sim, TR_DROP, "no ARP reply"), 1);
    free(out);
    tw_done(&sim);

    /* TCP hears the ICMP error in SYN-SENT and fails at once, as Linux. */
    w = tw_chain();
    tw_script(w, 0, 0, "nc 192.0.2.1 80");
    tw_script(w, 1000000, 0, "telnet 10.0.2.99 25");
    tw_run(&sim, w, 1);
    out = tw_console(&sim);
    assert_string_equal(out, "nc: connect to 192.0.2.1 port 80 (tcp) failed: Network is "
                             "unreachable\n"
                             "Trying 10.0.2.99...\n"
                             "telnet: Unable to connect to remote host: No route to host\n");
    assert_true(console_time(&sim, "Network is unreachable") < 100000);
    SimTime host = console_time(&sim, "No route to host");
    assert_true(host >= 4000000 && host < 4100000);
    free(out);
    tw_done(&sim);

    /* A name that no node has: a caption says so. */
    w = tw_chain();
    tw_script(w, 0, 0, "ping nosuchhost");
    tw_run(&sim, w, 1);
    assert_int_equal(tw_count(&sim, TR_NOTE, "no node of this network is called nosuchhost"), 1);
    tw_done(&sim);
}

static void test_interrupted_ping(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping 10.0.2.10");
    Sim sim;
    tw_run(&sim, w, 1);
    char *out = tw_console(&sim);
    /* Without -c, the student stops it with Ctrl+C after the 4th reply. */
    assert_non_null(strstr(out,
                           "icmp_seq=4 ttl=62 time=26.2 ms\n^C\n--- 10.0.2.10 ping statistics ---\n"
                           "4 packets transmitted, 4 received, 0% packet loss, time 3000ms\n"));
    free(out);
    tw_done(&sim);
}

static void test_determinism(void **state)
{
    (void)state;
    Buf a, b;
    buf_init(&a);
    buf_init(&b);
    Buf *bufs[2] = {&a, &b};
    for (int run = 0; run < 2; run++) {
        World *w = tw_chain();
        w->links[0].loss = 0.2;
        tw_script(w, 0, 0, "ping -c 10 -i 0.3 server");
        tw_script(w, 100000, 3, "traceroute laptop");
        Sim sim;
        tw_run(&sim, w, 5);
        for (size_t i = 0; i < sim.trace.n; i++) {
            const TraceRec *r = &sim.trace.recs[i];
            buf_printf(bufs[run], "%lld %d %llu %d %s|", (long long)r->time, (int)r->kind,
                       (unsigned long long)r->pkt, (int)r->reason, r->text ? r->text : "");
            for (uint32_t k = 0; k < r->len; k++)
                buf_printf(bufs[run], "%02x", r->bytes[k]);
        }
        tw_done(&sim);
    }
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    buf_fini(&a);
    buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_rfc1071),
        cmocka_unit_test(test_checksum_against_model),
        cmocka_unit_test(test_ipv4_header_known_vector),
        cmocka_unit_test(test_ip_parse),
        cmocka_unit_test(test_serialization),
        cmocka_unit_test(test_wiring_and_macs),
        cmocka_unit_test(test_routing),
        cmocka_unit_test(test_routing_shared_equals_full),
        cmocka_unit_test(test_ping_rtt_adds_up),
        cmocka_unit_test(test_frames_have_valid_checksums),
        cmocka_unit_test(test_ttl_exceeded),
        cmocka_unit_test(test_traceroute),
        cmocka_unit_test(test_loss_is_seeded),
        cmocka_unit_test(test_link_down_and_up),
        cmocka_unit_test(test_node_down),
        cmocka_unit_test(test_ping_errors),
        cmocka_unit_test(test_interrupted_ping),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_unknown_address),
        cmocka_unit_test(test_ephemeral_ports_run_out),
        cmocka_unit_test(test_udp_bindings_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
