/* The capture writer: pcapng blocks byte by byte for a tiny world, option
 * padding, timestamps, ordering across interfaces, comments joined from
 * notes before and after the hop, frames lost on the way in node captures,
 * the classic pcap header, usage errors, and real runs.  tshark judges the
 * files of the bundled scenarios in tests/run_pcap.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "io/pcap.h"

/* 2023-09-11T09:00:00Z, the scenarios' default start. */
#define START_US 1694422800000000LL

/* ---- a tiny world and a file in memory --------------------------------- */

/* a - b - c: two links, a:eth0-b:eth0 (link 0) and b:eth1-c:eth0 (link 1). */
static World *tiny(void)
{
    World *w = world_new();
    int a = tw_node(w, "a", ROLE_HOST, "10.0.0.1");
    int b = tw_node(w, "b", ROLE_ROUTER, "10.0.0.2,10.0.1.1");
    int c = tw_node(w, "c", ROLE_HOST, "10.0.1.2");
    tw_link(w, a, b, 1000, 1000000000, 0);
    tw_link(w, b, c, 5000, 1000000000, 0);
    world_wire(w);
    w->start_us = START_US;
    return w;
}

typedef struct Cap {
    World *w;
    PcapWriter *pw;
    Trace t;
    char *data;
    size_t len;
} Cap;

static void cap_open(Cap *c, World *w, const char *name, const char *capture)
{
    char why[512] = "";
    c->w = w;
    c->pw = pcap_writer_new(w, name, capture, why, sizeof why);
    if (!c->pw)
        fail_msg("pcap_writer_new: %s", why);
    trace_init(&c->t, w, false);
    trace_add_sink(&c->t, pcap_writer_sink(c->pw));
    c->data = NULL;
    c->len = 0;
}

/* Ends the trace and writes the file into c->data. */
static void cap_write(Cap *c, SimTime end)
{
    char why[512] = "";
    assert_true(trace_end(&c->t));
    FILE *f = open_memstream(&c->data, &c->len);
    assert_non_null(f);
    assert_true(pcap_writer_write(c->pw, f, end, why, sizeof why));
    assert_int_equal(fclose(f), 0);
}

static void cap_close(Cap *c)
{
    trace_fini(&c->t);
    pcap_writer_free(c->pw);
    world_free(c->w);
    free(c->data);
}

static const uint8_t frame5[5] = {1, 2, 3, 4, 5};

/* A hop of frame5 from node:iface across its link. */
static void hop(Cap *c, SimTime sent, SimTime arrive, uint64_t pkt, int node, int iface)
{
    const Iface *f = &c->w->nodes[node].ifaces[iface];
    trace_hop(&c->t, sent, arrive, pkt, node, iface, f->peer, f->peer_iface, f->link, frame5,
              sizeof frame5);
}

/* ---- reading pcapng back ----------------------------------------------- */

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

typedef struct Blk {
    uint32_t type, len;
    const uint8_t *p; /* the block's first byte */
} Blk;

/* Splits a pcapng file into blocks, checking every length. */
static size_t blocks(const Cap *c, Blk *out, size_t max)
{
    const uint8_t *d = (const uint8_t *)c->data;
    size_t i = 0, n = 0;
    while (i < c->len) {
        assert_true(c->len - i >= 12);
        uint32_t len = rd32(d + i + 4);
        assert_int_equal(len % 4, 0);
        assert_true(len >= 12 && len <= c->len - i);
        assert_int_equal(rd32(d + i + len - 4), len);
        assert_true(n < max);
        out[n++] = (Blk){rd32(d + i), len, d + i};
        i += len;
    }
    return n;
}

/* Where a block's options start. */
static size_t opts_at(const Blk *b)
{
    switch (b->type) {
    case 0x0A0D0D0A:
        return 24;
    case 1:
        return 16;
    case 6: {
        uint32_t cap = rd32(b->p + 20);
        return 28 + cap + ((4 - cap % 4) % 4);
    }
    }
    fail_msg("unexpected block type %#x", b->type);
    return 0;
}

/* The value of option code in block b (NULL if absent), after checking the
 * whole option list: zero padding to 32 bits, ending with opt_endofopt, or
 * absent altogether. */
static const uint8_t *opt(const Blk *b, uint16_t code, uint32_t *len)
{
    const uint8_t *found = NULL;
    size_t i = opts_at(b), end = b->len - 4;
    bool ended = i == end;
    while (i < end) {
        assert_true(end - i >= 4);
        uint32_t c = rd16(b->p + i), l = rd16(b->p + i + 2);
        size_t padded = l + (4 - l % 4) % 4;
        assert_true(end - i - 4 >= padded);
        for (size_t k = l; k < padded; k++)
            assert_int_equal(b->p[i + 4 + k], 0);
        if (c == 0) {
            assert_int_equal(l, 0);
            assert_int_equal(i + 4, end);
            ended = true;
        }
        if (c == code && c != 0) {
            found = b->p + i + 4;
            *len = l;
        }
        i += 4 + padded;
    }
    assert_true(ended);
    return found;
}

static char *opt_str(const Blk *b, uint16_t code)
{
    uint32_t len = 0;
    const uint8_t *v = opt(b, code, &len);
    return v ? xstrndup((const char *)v, len) : NULL;
}

static uint64_t epb_ts(const Blk *b)
{
    return (uint64_t)rd32(b->p + 12) << 32 | rd32(b->p + 16);
}

/* ---- format ------------------------------------------------------------ */

static void test_format_for(void **state)
{
    (void)state;
    PcapFormat f;
    assert_true(pcap_format_for("a.pcapng", &f));
    assert_int_equal(f, PCAP_NG);
    assert_true(pcap_format_for("dir.x/a.pcap", &f));
    assert_int_equal(f, PCAP_CLASSIC);
    assert_false(pcap_format_for("a.pcap.txt", &f));
    assert_false(pcap_format_for("pcap", &f));
    assert_false(pcap_format_for("a.cap", &f));
}

/* ---- pcapng byte by byte ----------------------------------------------- */

static void test_blocks_byte_by_byte(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    trace_note(&c.t, 0, 1, "first");
    hop(&c, 1001, 2002, 1, 0, 0);
    trace_note(&c.t, 2002, 1, "second");
    trace_note(&c.t, 2002, 2, "about another packet");
    cap_write(&c, SIM_TIME_MAX);

    Blk b[8];
    assert_int_equal(blocks(&c, b, 8), 4); /* SHB, 2 IDBs, 1 EPB */

    /* Section Header Block: little-endian, version 1.0, length unknown. */
    const uint8_t shb[] = {0x0a, 0x0d, 0x0d, 0x0a, 0,    0,    0,    0,    0x4d, 0x3c, 0x2b, 0x1a,
                           1,    0,    0,    0,    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_memory_equal(b[0].p, shb, 4);
    assert_memory_equal(b[0].p + 8, shb + 8, sizeof shb - 8);
    const char app[] = "minet " MINET_VERSION;
    size_t app_len = sizeof app - 1;
    assert_int_equal(b[0].len, 24 + 4 + app_len + (4 - app_len % 4) % 4 + 4 + 4);
    assert_int_equal(rd16(b[0].p + 24), 4); /* shb_userappl */
    assert_int_equal(rd16(b[0].p + 26), app_len);
    assert_memory_equal(b[0].p + 28, app, app_len);
    char *s = opt_str(&b[0], 4);
    assert_string_equal(s, app);
    free(s);

    /* Interface Description Block for link 0: Ethernet, snaplen 262144,
     * if_name, if_description, if_tsresol 6. */
    const uint8_t idb_head[] = {1, 0, 0, 0, 1, 0, 0, 0, 0x00, 0x00, 0x04, 0x00};
    assert_memory_equal(b[1].p, idb_head, 4);
    assert_memory_equal(b[1].p + 8, idb_head + 4, 8);
    const uint8_t name[] = {2,   0,   13,  0,   'a', ':', 'e', 't', 'h', '0',
                            '-', 'b', ':', 'e', 't', 'h', '0', 0,   0,   0};
    assert_memory_equal(b[1].p + 16, name, sizeof name);
    s = opt_str(&b[1], 3);
    assert_non_null(s);
    assert_non_null(strstr(s, "a eth0 (10.0.0.1, MAC 02:"));
    assert_non_null(strstr(s, "b eth0 (10.0.0.2"));
    assert_non_null(strstr(s, "latency 1ms, bandwidth 1Gbit/s"));
    free(s);
    const uint8_t tsresol_end[] = {9, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(b[1].p + b[1].len - 4 - sizeof tsresol_end, tsresol_end,
                        sizeof tsresol_end);
    s = opt_str(&b[2], 2);
    assert_string_equal(s, "b:eth1-c:eth0");
    free(s);

    /* Enhanced Packet Block, all of it. */
    const uint8_t epb[] = {
        6,    0,    0,    0,    64,   0,    0,    0,    /* type, total length */
        0,    0,    0,    0,                            /* interface 0 */
        0x11, 0x05, 0x06, 0x00, 0xe9, 0xe7, 0x17, 0x8d, /* start + 1001 µs */
        5,    0,    0,    0,    5,    0,    0,    0,    /* captured, original length */
        1,    2,    3,    4,    5,    0,    0,    0,    /* frame, padded */
        1,    0,    13,   0,    'f',  'i',  'r',  's',  't', ';',
        ' ',  's',  'e',  'c',  'o',  'n',  'd',  0,    0,   0, /* opt_comment, padded */
        0,    0,    0,    0,                                    /* opt_endofopt */
        64,   0,    0,    0,
    };
    assert_int_equal(b[3].len, sizeof epb);
    assert_memory_equal(b[3].p, epb, sizeof epb);
    assert_int_equal(epb_ts(&b[3]), (uint64_t)START_US + 1001);
    cap_close(&c);
}

/* Every comment length pads to 32 bits with zeros; a packet without notes
 * has no options at all. */
static void test_option_padding(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    const char *texts[] = {"x", "xy", "xyz", "wxyz", "vwxyz"};
    for (uint64_t i = 0; i < MN_ARRAY_LEN(texts); i++) {
        trace_note(&c.t, (SimTime)i, i + 1, "%s", texts[i]);
        hop(&c, (SimTime)i, (SimTime)i + 10, i + 1, 0, 0);
    }
    hop(&c, 9, 20, 99, 0, 0);
    cap_write(&c, SIM_TIME_MAX);
    Blk b[16];
    assert_int_equal(blocks(&c, b, 16), 3 + MN_ARRAY_LEN(texts) + 1);
    for (size_t i = 0; i < MN_ARRAY_LEN(texts); i++) {
        const Blk *e = &b[3 + i];
        size_t l = strlen(texts[i]);
        assert_int_equal(e->len, 28 + 8 + 4 + l + (4 - l % 4) % 4 + 4 + 4);
        char *s = opt_str(e, 1);
        assert_string_equal(s, texts[i]);
        free(s);
    }
    const Blk *bare = &b[3 + MN_ARRAY_LEN(texts)];
    assert_int_equal(bare->len, 28 + 8 + 4);
    uint32_t len;
    assert_null(opt(bare, 1, &len));
    cap_close(&c);
}

/* A comment longer than an option holds (65535 bytes) is cut at a UTF-8
 * character boundary and ends with "…". */
static void test_long_comment_clipped(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    /* "x" then 35000 é (2 bytes each): byte 65532 is the second of an é. */
    char *big = xmalloc(70002);
    big[0] = 'x';
    for (size_t i = 1; i < 70001; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    big[70001] = '\0';
    trace_note(&c.t, 0, 1, "%s", big);
    hop(&c, 0, 10, 1, 0, 0);
    cap_write(&c, SIM_TIME_MAX);
    Blk b[8];
    assert_int_equal(blocks(&c, b, 8), 4);
    uint32_t len = 0;
    const uint8_t *v = opt(&b[3], 1, &len);
    assert_non_null(v);
    assert_int_equal(len, 65531 + 3);
    assert_int_equal(v[0], 'x');
    for (uint32_t i = 1; i < 65531; i += 2) /* whole é's, then … */
        assert_memory_equal(v + i, "\xc3\xa9", 2);
    assert_memory_equal(v + 65531, "\xe2\x80\xa6", 3);
    free(big);
    cap_close(&c);
}

/* ---- timestamps, order, comments --------------------------------------- */

/* Link capture: each hop once, on its link, stamped when sent; ties keep
 * trace order; notes before and after the hop are joined by "; ". */
static void test_links_order_and_comments(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    trace_note(&c.t, 0, 1, "a sends to c");
    hop(&c, 0, 1001, 1, 0, 0);    /* a -> b on link 0 */
    hop(&c, 0, 5001, 2, 2, 0);    /* c -> b on link 1, same time */
    hop(&c, 1001, 6002, 1, 1, 1); /* b -> c, forwarded */
    trace_note(&c.t, 6002, 1, "c gets it");
    trace_note(&c.t, 6002, 0, "a step about no packet");
    cap_write(&c, SIM_TIME_MAX);
    Blk b[8];
    assert_int_equal(blocks(&c, b, 8), 6);
    const uint32_t want_if[] = {0, 1, 1};
    const uint64_t want_t[] = {0, 0, 1001};
    const char *want_comment[] = {"a sends to c; c gets it", NULL, "a sends to c; c gets it"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rd32(b[3 + i].p + 8), want_if[i]);
        assert_int_equal(epb_ts(&b[3 + i]), (uint64_t)START_US + want_t[i]);
        char *s = opt_str(&b[3 + i], 1);
        if (want_comment[i])
            assert_string_equal(s, want_comment[i]);
        else
            assert_null(s);
        free(s);
    }
    cap_close(&c);
}

/* Notes that come after their packet is over (a timeout's caption, seconds
 * later), and a packet that hops again after the writer let it go: every
 * block of the packet still carries all its notes, whether the capture was
 * streamed into the file (rewritten in place) or into a temporary one. */
static void late_notes_trace(Cap *c)
{
    trace_note(&c->t, 0, 1, "a asks c");
    hop(c, 0, 1001, 1, 0, 0);
    hop(c, 1001, 6002, 1, 1, 1);
    trace_deliver(&c->t, 6002, 1, 2);
    trace_note(&c->t, 6002, 4, "four");
    hop(c, 6002, 7003, 4, 0, 0);
    trace_deliver(&c->t, 7003, 4, 1);
    hop(c, 8000, 9001, 5, 0, 0); /* no notes at all */
    trace_deliver(&c->t, 9001, 5, 1);
    trace_note(&c->t, 3000000, 1, "no answer: a asks again");
    hop(c, 5000000, 5005001, 4, 1, 1); /* let go long ago, and on the wire again */
    trace_deliver(&c->t, 5005001, 4, 2);
    trace_note(&c->t, 6000000, 0, "the end");
}

static void check_late_notes(Cap *c)
{
    Blk b[16];
    assert_int_equal(blocks(c, b, 16), 3 + 5);
    const char *want[] = {"a asks c; no answer: a asks again", "a asks c; no answer: a asks again",
                          "four", NULL, "four"};
    for (int i = 0; i < 5; i++) {
        char *s = opt_str(&b[3 + i], 1);
        if (want[i])
            assert_string_equal(s, want[i]);
        else
            assert_null(s);
        free(s);
    }
    assert_int_equal(epb_ts(&b[7]), (uint64_t)START_US + 5000000);
}

static void test_late_notes(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    late_notes_trace(&c);
    cap_write(&c, SIM_TIME_MAX);
    check_late_notes(&c);
    cap_close(&c);
    /* Streamed into the file itself, as minet run does. */
    cap_open(&c, tiny(), "t.pcapng", NULL);
    char path[] = "/tmp/minet-test-pcap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    pcap_writer_stream(c.pw, f);
    late_notes_trace(&c);
    assert_true(trace_end(&c.t));
    char why[256] = "";
    if (!pcap_writer_write(c.pw, f, SIM_TIME_MAX, why, sizeof why))
        fail_msg("pcap_writer_write: %s", why);
    assert_int_equal(fclose(f), 0);
    Buf got;
    buf_init(&got);
    bool opened;
    assert_int_equal(file_read(path, 1 << 20, &got, &opened), 0);
    unlink(path);
    c.len = got.len;
    c.data = buf_take(&got);
    check_late_notes(&c);
    cap_close(&c);
}

/* Many packets, so that the writer lets states go while others live on
 * beside them in its table: every third is never delivered (kept for the
 * quiet grace), every fifth gains a note long after its frame was written.
 * Each frame carries its packet's id; each block's comment must be that
 * packet's notes, whatever was let go and found again. */
#define MANY      60000
#define MANY_STEP 100     /* µs between packets */
#define MANY_LATE 2500000 /* µs after its frame, a late note */

static void test_many_packets_let_go(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", NULL);
    const Iface *f = &c.w->nodes[0].ifaces[0];
    const uint64_t late_every = 5, lost_every = 3;
    uint64_t next_late = late_every;
    for (uint64_t i = 1; i <= MANY; i++) {
        SimTime t = (SimTime)i * MANY_STEP;
        for (; next_late <= MANY && (SimTime)next_late * MANY_STEP + MANY_LATE <= t;
             next_late += late_every)
            trace_note(&c.t, t, next_late, "late %llu", (unsigned long long)next_late);
        uint8_t frame[8];
        memcpy(frame, &i, sizeof frame);
        trace_note(&c.t, t, i, "note %llu", (unsigned long long)i);
        trace_hop(&c.t, t, t + 5, i, 0, 0, f->peer, f->peer_iface, f->link, frame, sizeof frame);
        if (i % lost_every)
            trace_deliver(&c.t, t + 5, i, 1);
    }
    cap_write(&c, SIM_TIME_MAX);
    Blk *b = xmalloc((MANY + 8) * sizeof *b);
    assert_int_equal(blocks(&c, b, MANY + 8), 3 + MANY);
    char want[64];
    for (size_t k = 0; k < MANY; k++) {
        const Blk *e = &b[3 + k];
        assert_int_equal(e->type, 6);
        uint64_t pkt;
        memcpy(&pkt, e->p + 28, sizeof pkt);
        assert_int_equal(pkt, k + 1);
        assert_int_equal(epb_ts(e), (uint64_t)START_US + pkt * MANY_STEP);
        bool late = pkt % late_every == 0 && pkt * MANY_STEP + MANY_LATE <= MANY * MANY_STEP;
        if (late)
            snprintf(want, sizeof want, "note %llu; late %llu", (unsigned long long)pkt,
                     (unsigned long long)pkt);
        else
            snprintf(want, sizeof want, "note %llu", (unsigned long long)pkt);
        char *s = opt_str(e, 1);
        assert_non_null(s);
        assert_string_equal(s, want);
        free(s);
    }
    free(b);
    cap_close(&c);
}

/* Node capture: one interface per network interface; sends stamped when
 * sent, receives when they arrive, in time order across interfaces, with
 * epb_flags saying which way. */
static void test_nodes_stamps_and_order(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", "b,a");
    assert_int_equal(pcap_writer_ifaces(c.pw), 3); /* b:eth0, b:eth1, a:eth0 */
    hop(&c, 0, 1001, 1, 0, 0);                     /* a -> b: a sends at 0, b receives at 1001 */
    hop(&c, 500, 5500, 2, 2, 0);                   /* c -> b: b receives at 5500 */
    hop(&c, 1001, 6002, 1, 1, 1);                  /* b -> c: b sends at 1001 */
    hop(&c, 5500, 6500, 2, 1, 0);                  /* b -> a: b sends at 5500, a receives at 6500 */
    cap_write(&c, SIM_TIME_MAX);
    Blk b[16];
    assert_int_equal(blocks(&c, b, 16), 1 + 3 + 6);
    char *s = opt_str(&b[1], 2);
    assert_string_equal(s, "b:eth0");
    free(s);
    s = opt_str(&b[3], 2);
    assert_string_equal(s, "a:eth0");
    free(s);
    s = opt_str(&b[3], 3);
    assert_non_null(strstr(s, "on the link to b eth0"));
    free(s);
    /* time, interface, direction (1 in, 2 out).  Ties keep trace order: at
     * 1001 b receives hop 1 (recorded first) before it sends hop 3; at 5500
     * it receives hop 2 before it sends hop 4. */
    const uint64_t want[][3] = {{0, 2, 2},    {1001, 0, 1}, {1001, 1, 2},
                                {5500, 1, 1}, {5500, 0, 2}, {6500, 2, 1}};
    for (size_t i = 0; i < MN_ARRAY_LEN(want); i++) {
        const Blk *e = &b[4 + i];
        uint32_t len;
        const uint8_t *flags = opt(e, 2, &len);
        assert_non_null(flags);
        assert_int_equal(len, 4);
        assert_int_equal(epb_ts(e), (uint64_t)START_US + want[i][0]);
        assert_int_equal(rd32(e->p + 8), want[i][1]);
        assert_int_equal(rd32(flags), want[i][2]);
    }
    cap_close(&c);
}

/* A frame lost on the way, or reaching a down node, is sent but never
 * received; a drop at another time or on another link changes nothing; a
 * frame still on the wire when the run stopped has not arrived. */
static void test_nodes_lost_frames(void **state)
{
    (void)state;
    Cap c;
    cap_open(&c, tiny(), "t.pcapng", "a,b");
    hop(&c, 0, 1001, 1, 0, 0);
    trace_drop(&c.t, 1001, 1, -1, 0, frame5, sizeof frame5, DROP_LOST_ON_LINK);
    hop(&c, 2000, 3001, 2, 0, 0);
    trace_drop(&c.t, 3001, 2, 1, 0, frame5, sizeof frame5, DROP_LINK_DOWN);
    hop(&c, 4000, 5001, 3, 0, 0);
    trace_drop(&c.t, 5001, 3, 1, 0, frame5, sizeof frame5, DROP_NODE_DOWN);
    hop(&c, 6000, 7001, 4, 0, 0);                                              /* arrives */
    trace_drop(&c.t, 7001, 4, 1, 1, frame5, sizeof frame5, DROP_LOST_ON_LINK); /* other link */
    trace_drop(&c.t, 7001, 4, 1, -1, NULL, 0, DROP_PORT_UNREACHABLE);
    hop(&c, 8000, 9001, 5, 0, 0); /* arrives, then lost later on link 1 */
    trace_drop(&c.t, 9500, 5, -1, 0, frame5, sizeof frame5, DROP_LOST_ON_LINK);
    hop(&c, 10000, 11001, 6, 0, 0); /* still on the wire at the end */
    cap_write(&c, 10500);
    Blk b[32];
    size_t n = blocks(&c, b, 32);
    size_t sent = 0, received = 0;
    uint64_t got_in[8];
    for (size_t i = 1 + 3; i < n; i++) {
        uint32_t len;
        uint32_t dir = rd32(opt(&b[i], 2, &len));
        if (dir == 2) {
            assert_int_equal(rd32(b[i].p + 8), 0); /* a:eth0 */
            sent++;
        } else {
            assert_int_equal(rd32(b[i].p + 8), 1); /* b:eth0 */
            got_in[received++] = epb_ts(&b[i]) - (uint64_t)START_US;
        }
    }
    assert_int_equal(sent, 6);
    assert_int_equal(received, 2);
    assert_int_equal(got_in[0], 7001);
    assert_int_equal(got_in[1], 9001);
    cap_close(&c);
}

/* ---- classic pcap ------------------------------------------------------ */

static void test_classic_header(void **state)
{
    (void)state;
    World *w = world_new();
    int a = tw_node(w, "a", ROLE_HOST, "10.0.0.1");
    int b = tw_node(w, "b", ROLE_HOST, "10.0.0.2");
    tw_link(w, a, b, 1000, 1000000000, 0);
    world_wire(w);
    w->start_us = START_US;
    Cap c;
    cap_open(&c, w, "t.pcap", NULL);
    trace_note(&c.t, 0, 1, "no comments in classic pcap");
    hop(&c, 1001, 2002, 1, 0, 0);
    cap_write(&c, SIM_TIME_MAX);
    const uint8_t want[] = {
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, /* magic (µs), version 2.4 */
        0,    0,    0,    0,    0, 0, 0, 0, /* thiszone, sigfigs */
        0,    0,    4,    0,    1, 0, 0, 0, /* snaplen 262144, Ethernet */
        0x10, 0xd7, 0xfe, 0x64,             /* 1694422800 s */
        0xe9, 0x03, 0,    0,                /* 1001 µs */
        5,    0,    0,    0,    5, 0, 0, 0, /* captured, original length */
        1,    2,    3,    4,    5,          /* the frame, no padding */
    };
    assert_int_equal(c.len, sizeof want);
    assert_memory_equal(c.data, want, sizeof want);
    cap_close(&c);

    /* One node with one interface is one interface too. */
    cap_open(&c, tiny(), "t.pcap", "a");
    cap_close(&c);
}

/* ---- bad usage --------------------------------------------------------- */

static void expect_refused(World *w, const char *name, const char *capture, const char *msg)
{
    char why[512] = "";
    PcapWriter *pw = pcap_writer_new(w, name, capture, why, sizeof why);
    assert_null(pw);
    if (!strstr(why, msg))
        fail_msg("expected \"%s\" in \"%s\"", msg, why);
}

static void test_refused(void **state)
{
    (void)state;
    World *w = tiny();
    expect_refused(w, "t.pcap", NULL, "classic pcap holds one interface, but this capture has 2");
    expect_refused(w, "t.pcap", "b", "this capture has 2");
    expect_refused(w, "t.pcap", "a,c", "this capture has 2");
    expect_refused(w, "t.pcapng", "a,d", "--capture a,d: no node is called \"d\"");
    expect_refused(w, "t.pcapng", "a,,b", "an empty node name");
    expect_refused(w, "t.pcapng", "", "an empty node name");
    expect_refused(w, "t.pcapng", "a,", "an empty node name");
    expect_refused(w, "t.cap", NULL, "unknown format");
    w->start_us = -1;
    w->start = xstrdup("1969-12-31T23:59:59.999999Z");
    expect_refused(w, "t.pcapng", NULL, "before 1970");
    w->start_us = (int64_t)(UINT32_MAX + 1ULL) * 1000000;
    expect_refused(w, "t.pcap", "a", "classic pcap cannot hold");
    world_free(w);
}

/* A node whose id holds a comma can be named alone; a node named twice is
 * captured once; a node without links adds no interface. */
static void test_capture_names(void **state)
{
    (void)state;
    World *w = world_new();
    int a = tw_node(w, "a,1", ROLE_HOST, "10.0.0.1");
    int b = tw_node(w, "b", ROLE_HOST, "10.0.0.2");
    tw_node(w, "lonely", ROLE_HOST, "10.0.0.3");
    tw_link(w, a, b, 1000, 1000000000, 0);
    world_wire(w);
    char why[512];
    PcapWriter *pw = pcap_writer_new(w, "t.pcapng", "a,1", why, sizeof why);
    assert_non_null(pw);
    assert_int_equal(pcap_writer_ifaces(pw), 1);
    pcap_writer_free(pw);
    pw = pcap_writer_new(w, "t.pcapng", "b,b,lonely", why, sizeof why);
    assert_non_null(pw);
    assert_int_equal(pcap_writer_ifaces(pw), 1);
    pcap_writer_free(pw);
    world_free(w);
}

/* ---- real runs --------------------------------------------------------- */

static PcapWriter *run_captured(Sim *sim, World *w, const char *capture)
{
    world_wire(w);
    w->start_us = START_US;
    char why[512];
    PcapWriter *pw = pcap_writer_new(w, "t.pcapng", capture, why, sizeof why);
    assert_non_null(pw);
    sim_init(sim, 99, w, true);
    trace_add_sink(&sim->trace, pcap_writer_sink(pw));
    agents_start(sim);
    shell_schedule_script(sim);
    sim_run_until(sim, SIM_TIME_MAX);
    return pw;
}

static size_t write_and_count(PcapWriter *pw, SimTime end, size_t *per_if, size_t n_if)
{
    char *data = NULL;
    size_t len = 0;
    char why[512];
    FILE *f = open_memstream(&data, &len);
    assert_non_null(f);
    assert_true(pcap_writer_write(pw, f, end, why, sizeof why));
    assert_int_equal(fclose(f), 0);
    Cap c = {.data = data, .len = len};
    Blk *b = xmalloc(4096 * sizeof *b);
    size_t n = blocks(&c, b, 4096), epbs = 0;
    memset(per_if, 0, n_if * sizeof *per_if);
    for (size_t i = 0; i < n; i++) {
        if (b[i].type != 6)
            continue;
        epbs++;
        uint32_t ifc = rd32(b[i].p + 8);
        assert_true(ifc < n_if);
        per_if[ifc]++;
        if (i > 0 && b[i - 1].type == 6)
            assert_true(epb_ts(&b[i]) >= epb_ts(&b[i - 1]));
    }
    free(b);
    free(data);
    return epbs;
}

/* Every hop once per link; as many as the trace has on each link. */
static void test_run_every_link(void **state)
{
    (void)state;
    World *w = tw_chain();
    tw_script(w, 0, 0, "ping -c 3 10.0.2.10");
    Sim sim;
    PcapWriter *pw = run_captured(&sim, w, NULL);
    size_t per_link[3], want[3] = {0};
    size_t hops = tw_count(&sim, TR_HOP, NULL);
    for (size_t i = 0; i < sim.trace.n; i++)
        if (sim.trace.recs[i].kind == TR_HOP)
            want[sim.trace.recs[i].link]++;
    assert_int_equal(write_and_count(pw, sim.now, per_link, 3), hops);
    assert_memory_equal(per_link, want, sizeof want);
    assert_int_equal(hops, 3 * 2 * 3);
    pcap_writer_free(pw);
    tw_done(&sim);
}

/* On a lossy link, the receiver captures only what got through. */
static void test_run_lossy_link_on_nodes(void **state)
{
    (void)state;
    World *w = tw_chain();
    w->links[1].loss = 0.3;
    tw_script(w, 0, 0, "ping -c 20 -i 0.2 -q 10.0.2.10");
    Sim sim;
    PcapWriter *pw = run_captured(&sim, w, "r1,r2");
    /* r1:eth0 r1:eth1 r2:eth0 r2:eth1 */
    size_t per_if[4];
    size_t lost_fwd = 0, lost_back = 0, hops12 = 0, hops21 = 0;
    const TraceRec *recs = sim.trace.recs;
    for (size_t i = 0; i < sim.trace.n; i++) {
        if (recs[i].kind == TR_HOP && recs[i].link == 1)
            (*(recs[i].node == 1 ? &hops12 : &hops21))++;
        if (recs[i].kind != TR_DROP || recs[i].reason != DROP_LOST_ON_LINK)
            continue;
        /* Which way was it going?  Its latest hop says. */
        size_t j = i;
        while (recs[j].kind != TR_HOP || recs[j].pkt != recs[i].pkt)
            j--;
        assert_int_equal(recs[j].link, 1);
        assert_int_equal(recs[j].arrive, recs[i].time);
        (*(recs[j].node == 1 ? &lost_fwd : &lost_back))++;
    }
    assert_true(lost_fwd + lost_back > 0);
    write_and_count(pw, sim.now, per_if, 4);
    /* r1:eth1 sends hops12 and receives what r2 sent that got through. */
    assert_int_equal(per_if[1], hops12 + hops21 - lost_back);
    assert_int_equal(per_if[2], hops21 + hops12 - lost_fwd);
    pcap_writer_free(pw);
    tw_done(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_for),
        cmocka_unit_test(test_blocks_byte_by_byte),
        cmocka_unit_test(test_option_padding),
        cmocka_unit_test(test_long_comment_clipped),
        cmocka_unit_test(test_links_order_and_comments),
        cmocka_unit_test(test_late_notes),
        cmocka_unit_test(test_many_packets_let_go),
        cmocka_unit_test(test_nodes_stamps_and_order),
        cmocka_unit_test(test_nodes_lost_frames),
        cmocka_unit_test(test_classic_header),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_capture_names),
        cmocka_unit_test(test_run_every_link),
        cmocka_unit_test(test_run_lossy_link_on_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
