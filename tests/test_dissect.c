/* test_dissect — the decoders people read: TCP's summary and tree, the
 * application table, the text protocols' rows, and the drop reasons' texts.
 *
 * Every expected summary below is what tshark 4.0.17 printed for the same
 * bytes (`tshark -o tcp.check_checksum:TRUE -r F -T fields -e
 * _ws.col.Protocol -e _ws.col.Info`), minus its sequence analysis marks
 * ("[TCP Retransmission]", "[TCP Dup ACK …]"), which minet does not show.
 * test_tshark_agrees writes the frames as a pcapng and, when tshark is
 * installed, asks it again: FTP's data connections on passive ports too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/trace.h"
#include "io/pcap.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "proto/dissect.h"
#include "helpers.h"

/* ---- frames built by hand ------------------------------------------------ */

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

#define CLIENT "10.0.0.10"
#define SERVER "10.0.2.25"

typedef struct Seg {
    const char *src, *dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    const char *opt; /* option bytes (optlen of them), or NULL */
    size_t optlen;
    const char *data; /* payload text, or NULL */
} Seg;

/* Ethernet + IPv4 + TCP with correct checksums, carrying dlen bytes of
 * data (s->data is not used); returns the length. */
static size_t build_bytes(uint8_t *f, size_t cap, const Seg *s, const void *data, size_t dlen)
{
    size_t hl = 20 + s->optlen;
    size_t len = ETH_HLEN + IPV4_HLEN + hl + dlen;
    assert_true(len <= cap && hl % 4 == 0);
    memset(f, 0, len);
    static const uint8_t dst_mac[6] = {2, 0, 0, 0, 0, 2}, src_mac[6] = {2, 0, 0, 0, 0, 1};
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    put_be16(f + 12, ETH_TYPE_IPV4);
    Ipv4Hdr h = {.ihl = IPV4_HLEN,
                 .total_len = (uint16_t)(IPV4_HLEN + hl + dlen),
                 .id = 1,
                 .frag = 0x4000,
                 .ttl = 64,
                 .proto = IP_PROTO_TCP,
                 .src = tw_ip(s->src),
                 .dst = tw_ip(s->dst)};
    ipv4_put_header(f + ETH_HLEN, &h);
    uint8_t *t = f + ETH_HLEN + IPV4_HLEN;
    put_be16(t, s->sport);
    put_be16(t + 2, s->dport);
    put_be32(t + 4, s->seq);
    put_be32(t + 8, s->ack);
    t[12] = (uint8_t)(hl / 4 << 4);
    t[13] = s->flags;
    put_be16(t + 14, s->win);
    if (s->optlen)
        memcpy(t + 20, s->opt, s->optlen);
    if (dlen)
        memcpy(t + hl, data, dlen);
    uint32_t ps = ipv4_pseudo_sum(h.src, h.dst, IP_PROTO_TCP, (uint16_t)(hl + dlen));
    put_be16(t + 16, ipv4_checksum(t, hl + dlen, ps));
    return len;
}

/* The same with s->data as the payload text. */
static size_t build(uint8_t *f, size_t cap, const Seg *s)
{
    return build_bytes(f, cap, s, s->data, s->data ? strlen(s->data) : 0);
}

#define MSS1460 "\x02\x04\x05\xb4"

/* A query for www.montana.edu A (ID 0x1c2d, RD) after its length (33),
 * as it travels over TCP. */
static const uint8_t dns_tcp_query[] = {0,   33,  0x1c, 0x2d, 1,   0,   0, 1,   0,   0,   0,   0,
                                        0,   0,   3,    'w',  'w', 'w', 7, 'm', 'o', 'n', 't', 'a',
                                        'n', 'a', 3,    'e',  'd', 'u', 0, 0,   1,   0,   1};

/* An SMTP session as tshark saw it, and what tshark printed. */
static const struct {
    Seg s;
    const char *info;
} smtp[] = {
    {{CLIENT, SERVER, 43312, 25, 1000, 0, SYN, 64240, MSS1460, 4, NULL},
     "TCP 43312 \u2192 25 [SYN] Seq=0 Win=64240 Len=0 MSS=1460"},
    {{SERVER, CLIENT, 25, 43312, 5000, 1001, SYN | ACK, 65160, MSS1460, 4, NULL},
     "TCP 25 \u2192 43312 [SYN, ACK] Seq=0 Ack=1 Win=65160 Len=0 MSS=1460"},
    {{CLIENT, SERVER, 43312, 25, 1001, 5001, ACK, 64240, NULL, 0, NULL},
     "TCP 43312 \u2192 25 [ACK] Seq=1 Ack=1 Win=64240 Len=0"},
    {{SERVER, CLIENT, 25, 43312, 5001, 1001, PSH | ACK, 65160, NULL, 0,
      "220 mail.hamburger.edu ESMTP Postfix\r\n"},
     "SMTP S: 220 mail.hamburger.edu ESMTP Postfix"},
    {{CLIENT, SERVER, 43312, 25, 1001, 5039, PSH | ACK, 64240, NULL, 0, "HELO crepes.fr\r\n"},
     "SMTP C: HELO crepes.fr"},
    {{SERVER, CLIENT, 25, 43312, 5039, 1017, PSH | ACK, 65160, NULL, 0,
      "250 mail.hamburger.edu\r\n"},
     "SMTP S: 250 mail.hamburger.edu"},
    {{CLIENT, SERVER, 43312, 25, 1017, 5063, FIN | ACK, 64240, NULL, 0, NULL},
     "TCP 43312 \u2192 25 [FIN, ACK] Seq=17 Ack=63 Win=64240 Len=0"},
    {{SERVER, CLIENT, 25, 43312, 5063, 1018, RST | ACK, 0, NULL, 0, NULL},
     "TCP 25 \u2192 43312 [RST, ACK] Seq=63 Ack=18 Win=0 Len=0"},
};

/* Other protocols and options, each its own conversation. */
static const struct {
    Seg s;
    const char *info;
} misc[] = {
    {{SERVER, CLIENT, 20, 43400, 100, 0, SYN, 64240,
      MSS1460 "\x04\x02\x08\x0a\x00\x00\x10\x00\x00\x00\x00\x00\x01\x03\x03\x07", 20, NULL},
     "TCP 20 \u2192 43400 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=4096 TSecr=0 "
     "WS=128"},
    {{CLIENT, SERVER, 43400, 20, 9000, 101, SYN | ACK, 64240, MSS1460 "\x01\x01\x04\x02", 8, NULL},
     "TCP 43400 \u2192 20 [SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0 MSS=1460 SACK_PERM"},
    {{SERVER, CLIENT, 20, 43400, 101, 9001, PSH | ACK, 64240, NULL, 0, "hello file data\n"},
     "FTP-DATA FTP Data: 16 bytes"},
    {{SERVER, CLIENT, 110, 43313, 6001, 2001, PSH | ACK, 65160, NULL, 0, "+OK Dovecot ready.\r\n"},
     "POP S: +OK Dovecot ready."},
    {{CLIENT, SERVER, 43313, 110, 2001, 6021, PSH | ACK, 64240, NULL, 0, "USER alice\r\n"},
     "POP C: USER alice"},
    {{SERVER, CLIENT, 143, 43314, 7001, 3001, PSH | ACK, 65160, NULL, 0,
      "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"},
     "IMAP Response: * OK [CAPABILITY IMAP4rev1] Dovecot ready."},
    {{SERVER, CLIENT, 21, 43315, 8001, 4001, PSH | ACK, 65160, NULL, 0, "220 (vsFTPd 3.0.3)\r\n"},
     "FTP Response: 220 (vsFTPd 3.0.3)"},
    {{CLIENT, SERVER, 43315, 21, 4001, 8021, PSH | ACK, 64240, NULL, 0, "USER alice\r\n"},
     "FTP Request: USER alice"},
    {{SERVER, CLIENT, 21, 43315, 8021, 4013, PSH | ACK, 65160, NULL, 0,
      "331 Please specify the password.\r\n"},
     "FTP Response: 331 Please specify the password."},
    {{CLIENT, SERVER, 43316, 80, 4001, 8001, PSH | ACK, 64240, NULL, 0,
      "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"},
     "HTTP GET /index.html HTTP/1.1 "},
    {{SERVER, CLIENT, 80, 43316, 8001, 4038, PSH | ACK, 65160, NULL, 0,
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
     "HTTP HTTP/1.1 200 OK "},
    {{SERVER, CLIENT, 587, 43317, 8017, 4017, PSH | ACK, 65160, NULL, 0,
      "250-mail\r\n250 AUTH PLAIN\r\n"},
     "SMTP S: 250-mail | AUTH PLAIN"},
    /* Selective acknowledgements, their edges relative to the peer's ISN. */
    {{CLIENT, SERVER, 43700, 9999, 1001, 5001, ACK, 64240,
      "\x01\x01\x05\x12\x00\x00\x13\xed\x00\x00\x14\x51\x00\x00\x14\xb5\x00\x00\x15\x19", 20, NULL},
     "TCP 43700 \u2192 9999 [ACK] Seq=1 Ack=1 Win=64240 Len=0 SLE=101 SRE=201 SLE=301 SRE=401"},
    /* A capture that starts in the middle: both sides count from 1. */
    {{CLIENT, SERVER, 43501, 25, 77777, 88888, ACK, 64240, NULL, 0, NULL},
     "TCP 43501 \u2192 25 [ACK] Seq=1 Ack=1 Win=64240 Len=0"},
    /* No flags and a zero window (mid-stream too: Seq=1). */
    {{CLIENT, SERVER, 43502, 25, 1000, 0, 0, 0, NULL, 0, NULL},
     "TCP [TCP ZeroWindow] 43502 \u2192 25 [<None>] Seq=1 Win=0 Len=0"},
    {{CLIENT, SERVER, 43503, 25, 1000, 0, RST, 0, NULL, 0, NULL},
     "TCP 43503 \u2192 25 [RST] Seq=1 Win=0 Len=0"},
};

/* An FTP session whose data connections are announced on its control
 * connection (43320 -> 21): PASV, EPSV and PORT, each followed by the
 * command the data answers, and what tshark printed. */
#define FTP_CTL 43320
static const struct {
    Seg s;
    const char *info;
} ftp[] = {
    {{SERVER, CLIENT, 21, FTP_CTL, 10001, 20001, PSH | ACK, 64240, NULL, 0,
      "220 (vsFTPd 3.0.3)\r\n"},
     "FTP Response: 220 (vsFTPd 3.0.3)"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20001, 10021, PSH | ACK, 64240, NULL, 0, "TYPE I\r\n"},
     "FTP Request: TYPE I"},
    {{SERVER, CLIENT, 21, FTP_CTL, 10021, 20009, PSH | ACK, 64240, NULL, 0,
      "200 Switching to Binary mode.\r\n"},
     "FTP Response: 200 Switching to Binary mode."},
    {{CLIENT, SERVER, FTP_CTL, 21, 20009, 10052, PSH | ACK, 64240, NULL, 0, "PASV\r\n"},
     "FTP Request: PASV"},
    {{SERVER, CLIENT, 21, FTP_CTL, 10052, 20015, PSH | ACK, 64240, NULL, 0,
      "227 Entering Passive Mode (10,0,2,25,195,80).\r\n"},
     "FTP Response: 227 Entering Passive Mode (10,0,2,25,195,80)."},
    {{CLIENT, SERVER, 43321, 50000, 30000, 0, SYN, 64240, NULL, 0, NULL},
     "TCP 43321 \u2192 50000 [SYN] Seq=0 Win=64240 Len=0"},
    {{SERVER, CLIENT, 50000, 43321, 40000, 30001, SYN | ACK, 64240, NULL, 0, NULL},
     "TCP 50000 \u2192 43321 [SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20015, 10099, PSH | ACK, 64240, NULL, 0, "RETR notes.txt\r\n"},
     "FTP Request: RETR notes.txt"},
    {{SERVER, CLIENT, 50000, 43321, 40001, 30001, PSH | ACK, 64240, NULL, 0, "notes\n"},
     "FTP-DATA FTP Data: 6 bytes (PASV) (RETR notes.txt)"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20031, 10099, PSH | ACK, 64240, NULL, 0, "MDTM notes.txt\r\n"},
     "FTP Request: MDTM notes.txt"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20047, 10099, PSH | ACK, 64240, NULL, 0, "EPSV\r\n"},
     "FTP Request: EPSV"},
    {{SERVER, CLIENT, 21, FTP_CTL, 10099, 20053, PSH | ACK, 64240, NULL, 0,
      "229 Entering Extended Passive Mode (|||50001|)\r\n"},
     "FTP Response: 229 Entering Extended Passive Mode (|||50001|)"},
    {{CLIENT, SERVER, 43322, 50001, 31000, 0, SYN, 64240, NULL, 0, NULL},
     "TCP 43322 \u2192 50001 [SYN] Seq=0 Win=64240 Len=0"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20053, 10147, PSH | ACK, 64240, NULL, 0, "LIST\r\n"},
     "FTP Request: LIST"},
    {{SERVER, CLIENT, 50001, 43322, 41000, 31001, PSH | ACK, 64240, NULL, 0,
      "-rw-r--r--    1 1000     1000            6 Sep 11 09:00 notes.txt\r\n"},
     "FTP-DATA FTP Data: 67 bytes (EPASV) (LIST)"},
    {{CLIENT, SERVER, FTP_CTL, 21, 20059, 10147, PSH | ACK, 64240, NULL, 0,
      "PORT 10,0,0,10,169,2\r\n"},
     "FTP Request: PORT 10,0,0,10,169,2"},
    {{SERVER, CLIENT, 21, FTP_CTL, 10147, 20081, PSH | ACK, 64240, NULL, 0,
      "200 PORT command successful. Consider using PASV.\r\n"},
     "FTP Response: 200 PORT command successful. Consider using PASV."},
    {{CLIENT, SERVER, FTP_CTL, 21, 20081, 10198, PSH | ACK, 64240, NULL, 0, "STOR up.txt\r\n"},
     "FTP Request: STOR up.txt"},
    {{SERVER, CLIENT, 20, 43266, 42000, 0, SYN, 64240, NULL, 0, NULL},
     "TCP 20 \u2192 43266 [SYN] Seq=0 Win=64240 Len=0"},
    {{CLIENT, SERVER, 43266, 20, 32000, 42001, SYN | ACK, 64240, NULL, 0, NULL},
     "TCP 43266 \u2192 20 [SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0"},
    {{CLIENT, SERVER, 43266, 20, 32001, 42001, PSH | ACK, 64240, NULL, 0, "uploaded\n"},
     "FTP-DATA FTP Data: 9 bytes (PORT) (STOR up.txt)"},
};

/* The row of ftp[] that carries text, or fails. */
static size_t ftp_row(const char *text)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(ftp); i++)
        if (ftp[i].s.data && strcmp(ftp[i].s.data, text) == 0)
            return i;
    fail_msg("no row \"%s\"", text);
    return 0;
}

static char *summary(DissectCtx *c, const uint8_t *f, size_t len)
{
    Buf b;
    buf_init(&b);
    dissect_summary(c, f, len, &b);
    return buf_take(&b);
}

/* The summary without "SRC -> DST ": Wireshark's Protocol and Info. */
static const char *info_of(const char *s)
{
    const char *p = strstr(s, " -> ");
    assert_non_null(p);
    p = strchr(p + 4, ' ');
    assert_non_null(p);
    return p + 1;
}

static void check_summary(DissectCtx *c, const Seg *s, const char *want)
{
    uint8_t f[256];
    size_t len = build(f, sizeof f, s);
    char *got = summary(c, f, len);
    assert_string_equal(info_of(got), want);
    free(got);
}

/* ---- the application table ------------------------------------------------ */

static void test_app_table(void **state)
{
    (void)state;
    static const struct {
        uint8_t transport;
        uint16_t port;
        const char *name;
    } rows[] = {
        {IP_PROTO_UDP, 53, "DNS"},      {IP_PROTO_TCP, 25, "SMTP"},  {IP_PROTO_TCP, 587, "SMTP"},
        {IP_PROTO_TCP, 110, "POP"},     {IP_PROTO_TCP, 143, "IMAP"}, {IP_PROTO_TCP, 21, "FTP"},
        {IP_PROTO_TCP, 20, "FTP-DATA"}, {IP_PROTO_TCP, 80, "HTTP"},  {IP_PROTO_TCP, 53, "DNS"},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(rows); i++) {
        const DissectApp *a = dissect_app_find(rows[i].transport, rows[i].port);
        assert_non_null(a);
        assert_string_equal(a->name, rows[i].name);
    }
    assert_null(dissect_app_find(IP_PROTO_UDP, 25));
    assert_null(dissect_app_find(IP_PROTO_TCP, 0));
    assert_null(dissect_app_find(IP_PROTO_TCP, 9999));
    /* Every row is whole, and a port belongs to one row per transport. */
    size_t n;
    const DissectApp *t = dissect_apps(&n);
    assert_true(n >= MN_ARRAY_LEN(rows) - 1); /* SMTP has two ports */
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_non_null(t[i].words);
        assert_non_null(t[i].summary);
        assert_true(t[i].ports[0] != 0);
        for (int k = 0; k < 2; k++)
            if (t[i].ports[k])
                assert_ptr_equal(dissect_app_find(t[i].transport, t[i].ports[k]), &t[i]);
    }
    /* Either side's port; the lower one first, as Wireshark tries them. */
    bool to_server = false;
    assert_string_equal(dissect_app_for(IP_PROTO_TCP, 43312, 25, &to_server)->name, "SMTP");
    assert_true(to_server);
    assert_string_equal(dissect_app_for(IP_PROTO_TCP, 25, 43312, &to_server)->name, "SMTP");
    assert_false(to_server);
    assert_string_equal(dissect_app_for(IP_PROTO_TCP, 80, 25, &to_server)->name, "SMTP");
    assert_true(to_server);
    assert_string_equal(dissect_app_for(IP_PROTO_TCP, 9999, 80, &to_server)->name, "HTTP");
    assert_true(to_server);
    assert_null(dissect_app_for(IP_PROTO_TCP, 9999, 43312, &to_server));
    assert_false(to_server);
}

/* ---- TCP's summary ------------------------------------------------------------ */

static void test_tcp_session_summary(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    for (size_t i = 0; i < MN_ARRAY_LEN(smtp); i++)
        check_summary(c, &smtp[i].s, smtp[i].info);
    /* Asking again about frames already seen gives the same answers. */
    for (size_t i = 0; i < MN_ARRAY_LEN(smtp); i++)
        check_summary(c, &smtp[i].s, smtp[i].info);
    dissect_ctx_free(c);
}

static void test_tcp_other_summaries(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    for (size_t i = 0; i < MN_ARRAY_LEN(misc); i++)
        check_summary(c, &misc[i].s, misc[i].info);
    dissect_ctx_free(c);
    /* Without a context a frame is alone: a SYN starts at 0, the rest at 1. */
    check_summary(NULL, &smtp[1].s, smtp[1].info);
    check_summary(NULL, &smtp[4].s, "SMTP C: HELO crepes.fr");
    Seg fin = smtp[6].s;
    check_summary(NULL, &fin, "TCP 43312 \u2192 25 [FIN, ACK] Seq=1 Ack=1 Win=64240 Len=0");
}

/* The SYN's window is never scaled; later segments are, by the shift their
 * side's SYN asked for. */
static void test_tcp_window_scaling(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    Seg syn = {CLIENT, SERVER, 43600, 9999, 1, 0, SYN, 64240, "\x03\x03\x02\x00", 4, NULL};
    check_summary(c, &syn, "TCP 43600 \u2192 9999 [SYN] Seq=0 Win=64240 Len=0 WS=4");
    Seg synack = {SERVER, CLIENT, 9999, 43600, 7, 2, SYN | ACK, 1000, "\x03\x03\x01\x00", 4, NULL};
    check_summary(c, &synack, "TCP 9999 \u2192 43600 [SYN, ACK] Seq=0 Ack=1 Win=1000 Len=0 WS=2");
    Seg data = {CLIENT, SERVER, 43600, 9999, 2, 8, PSH | ACK, 100, NULL, 0, "hello"};
    check_summary(c, &data, "TCP 43600 \u2192 9999 [PSH, ACK] Seq=1 Ack=1 Win=400 Len=5");
    Seg ack = {SERVER, CLIENT, 9999, 43600, 8, 7, ACK, 100, NULL, 0, NULL};
    check_summary(c, &ack, "TCP 9999 \u2192 43600 [ACK] Seq=1 Ack=6 Win=200 Len=0");
    dissect_ctx_free(c);
}

/* Streams are numbered in order of appearance; a port used again with a
 * new SYN is a new stream, and the old one's frames keep their numbers. */
static void test_tcp_streams(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    Seg a1 = {CLIENT, SERVER, 40000, 25, 100, 0, SYN, 64240, NULL, 0, NULL};
    Seg b1 = {CLIENT, SERVER, 40001, 25, 500, 0, SYN, 64240, NULL, 0, NULL};
    Seg a2 = {CLIENT, SERVER, 40000, 25, 101, 0, ACK, 64240, NULL, 0, NULL};
    Seg again = {CLIENT, SERVER, 40000, 25, 90000, 0, SYN, 64240, NULL, 0, NULL};
    Seg again2 = {CLIENT, SERVER, 40000, 25, 90001, 0, FIN | ACK, 64240, NULL, 0, NULL};
    const Seg *order[] = {&a1, &b1, &a2, &again, &again2, &a2};
    const int stream[] = {0, 1, 0, 2, 2, 0};
    const uint32_t rel[] = {0, 0, 1, 0, 1, 1};
    for (size_t i = 0; i < MN_ARRAY_LEN(order); i++) {
        uint8_t f[128];
        size_t len = build(f, sizeof f, order[i]);
        DissectTree t = {0};
        dissect_tree(c, f, len, &t);
        char want[64], seq[64];
        snprintf(want, sizeof want, "[Stream index: %d]", stream[i]);
        snprintf(seq, sizeof seq, "Sequence Number: %u    (relative sequence number)", rel[i]);
        bool found = false, found_seq = false;
        for (size_t k = 0; k < t.n; k++) {
            found |= strcmp(t.f[k].text, want) == 0;
            found_seq |= strcmp(t.f[k].text, seq) == 0;
        }
        assert_true(found);
        assert_true(found_seq);
        dissect_tree_fini(&t);
    }
    dissect_ctx_free(c);
}

/* Received bytes are hostile: a wrong checksum or length is shown. */
static void test_tcp_bad_segments(void **state)
{
    (void)state;
    uint8_t f[128];
    Seg syn = {CLIENT, SERVER, 43500, 25, 1, 0, SYN, 64240, NULL, 0, NULL};
    size_t len = build(f, sizeof f, &syn);
    f[len - 4] ^= 0x12; /* the checksum's first byte */
    char *got = summary(NULL, f, len);
    assert_string_equal(info_of(got),
                        "TCP 43500 \u2192 25 [SYN] Seq=0 Win=64240 [TCP CHECKSUM INCORRECT] Len=0");
    free(got);
    /* Only 10 bytes of TCP header (IPv4 Total Length says so). */
    len = build(f, sizeof f, &syn);
    put_be16(f + ETH_HLEN + 2, IPV4_HLEN + 10);
    put_be16(f + ETH_HLEN + 10, 0);
    put_be16(f + ETH_HLEN + 10, ipv4_checksum(f + ETH_HLEN, IPV4_HLEN, 0));
    got = summary(NULL, f, ETH_HLEN + IPV4_HLEN + 10);
    assert_string_equal(info_of(got), "TCP 43500 \u2192 25[Malformed Packet]");
    free(got);
    assert_string_equal(dissect_protocol(NULL, f, ETH_HLEN + IPV4_HLEN + 10), "TCP");
    /* A Data Offset below 5 words. */
    len = build(f, sizeof f, &syn);
    f[ETH_HLEN + IPV4_HLEN + 12] = 0x40;
    got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "TCP 43500 \u2192 25 [SYN] Seq=0 Win=64240, bogus TCP header "
                                      "length (16, must be at least 20)");
    free(got);
    /* A header longer than the segment: Wireshark leaves the numbers raw. */
    f[ETH_HLEN + IPV4_HLEN + 12] = 0xF0;
    got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "TCP 43500 \u2192 25 [SYN] Seq=1 Win=64240 [TCP CHECKSUM "
                                      "INCORRECT][Malformed Packet]");
    free(got);
    DissectTree t = {0};
    dissect_tree(NULL, f, len, &t);
    bool short_seen = false;
    for (size_t i = 0; i < t.n; i++) {
        assert_true(t.f[i].off + t.f[i].len <= len);
        short_seen |= strncmp(t.f[i].text, "[Short segment", 14) == 0;
    }
    assert_true(short_seen);
    dissect_tree_fini(&t);
    /* Options that lie about their length stop the options' lines. */
    Seg lie = {CLIENT, SERVER, 43500, 25, 1, 0, SYN, 64240, "\x02\x09\x05\xb4", 4, NULL};
    len = build(f, sizeof f, &lie);
    got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "TCP 43500 \u2192 25 [SYN] Seq=0 Win=64240 Len=0");
    free(got);
    dissect_tree(NULL, f, len, &t);
    bool bad = false;
    for (size_t i = 0; i < t.n; i++)
        bad |= strncmp(t.f[i].text, "[bad option: kind 2, length 9", 29) == 0;
    assert_true(bad);
    dissect_tree_fini(&t);
}

/* ---- TCP's tree ------------------------------------------------------------------ */

static const DissectField *line(const DissectTree *t, const char *text)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->f[i].text, text) == 0)
            return &t->f[i];
    fail_msg("no line \"%s\"", text);
    return NULL;
}

static void test_tcp_tree(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    uint8_t f[256];
    size_t len = 0;
    for (size_t i = 0; i <= 4; i++) /* up to HELO */
        len = build(f, sizeof f, &smtp[i].s);
    for (size_t i = 0; i < 4; i++) {
        uint8_t g[256];
        dissect_observe(c, g, build(g, sizeof g, &smtp[i].s));
    }
    DissectTree t = {0};
    dissect_tree(c, f, len, &t);
    size_t o = ETH_HLEN + IPV4_HLEN;
    const DissectField *d = line(
        &t,
        "Transmission Control Protocol, Src Port: 43312, Dst Port: 25, Seq: 1, Ack: 39, Len: 16");
    assert_int_equal(d->depth, 0);
    assert_int_equal(d->off, o);
    assert_int_equal(d->len, 20);
    d = line(&t, "Source Port: 43312");
    assert_int_equal(d->off, o);
    assert_int_equal(d->len, 2);
    assert_int_equal(line(&t, "Destination Port: 25")->off, o + 2);
    line(&t, "[Stream index: 0]");
    line(&t, "[TCP Segment Len: 16]");
    assert_int_equal(line(&t, "Sequence Number: 1    (relative sequence number)")->off, o + 4);
    line(&t, "Sequence Number (raw): 1001");
    line(&t, "[Next Sequence Number: 17    (relative sequence number)]");
    assert_int_equal(line(&t, "Acknowledgment Number: 39    (relative ack number)")->off, o + 8);
    line(&t, "Acknowledgment number (raw): 5039");
    line(&t, "0101 .... = Header Length: 20 bytes (5)");
    line(&t, "Flags: 0x018 (PSH, ACK)");
    d = line(&t, ".... .... 1... = Push: Set");
    assert_int_equal(d->depth, 2);
    line(&t, ".... ...1 .... = Acknowledgment: Set");
    line(&t, ".... .... ..0. = Syn: Not set");
    line(&t, "000. .... .... = Reserved: Not set");
    line(&t, "[TCP Flags: \u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7AP\u00b7\u00b7\u00b7]");
    line(&t, "Window: 64240");
    char sum[64];
    snprintf(sum, sizeof sum, "Checksum: 0x%04x [correct]", get_be16(f + o + 16));
    assert_int_equal(line(&t, sum)->off, o + 16);
    line(&t, "Urgent Pointer: 0");
    d = line(&t, "TCP payload (16 bytes)");
    assert_int_equal(d->off, o + 20);
    d = line(&t, "Simple Mail Transfer Protocol");
    assert_int_equal(d->depth, 0);
    assert_int_equal(d->len, 16);
    d = line(&t, "HELO crepes.fr\\r\\n");
    assert_int_equal(d->depth, 1);
    assert_int_equal(d->off, o + 20);
    assert_int_equal(d->len, 16);
    for (size_t i = 0; i < t.n; i++)
        assert_true(t.f[i].off + t.f[i].len <= len);
    dissect_tree_fini(&t);

    /* The SYN's options, one subtree each. */
    len = build(f, sizeof f, &misc[0].s);
    dissect_tree(c, f, len, &t);
    line(&t, "Transmission Control Protocol, Src Port: 20, Dst Port: 43400, Seq: 0, Len: 0");
    line(&t, ".... .... ..1. = Syn: Set");
    line(&t, "Options: (20 bytes), Maximum segment size, SACK permitted, Timestamps, "
             "No-Operation (NOP), Window scale");
    d = line(&t, "TCP Option - Maximum segment size: 1460 bytes");
    assert_int_equal(d->depth, 2);
    assert_int_equal(d->off, o + 20);
    assert_int_equal(d->len, 4);
    assert_int_equal(line(&t, "MSS Value: 1460")->depth, 3);
    line(&t, "TCP Option - SACK permitted");
    line(&t, "TCP Option - Timestamps: TSval 4096, TSecr 0");
    line(&t, "TCP Option - No-Operation (NOP)");
    line(&t, "TCP Option - Window scale: 7 (multiply by 128)");
    line(&t, "[Multiplier: 128]");
    line(&t, "Acknowledgment Number: 0");
    dissect_tree_fini(&t);

    /* SACK blocks, relative to the acknowledged side's first number. */
    for (size_t i = 0; i < MN_ARRAY_LEN(misc); i++) {
        if (misc[i].s.sport != 43700)
            continue;
        len = build(f, sizeof f, &misc[i].s);
        dissect_tree(c, f, len, &t);
        line(&t, "Options: (20 bytes), No-Operation (NOP), No-Operation (NOP), SACK");
        d = line(&t, "TCP Option - SACK 101-201 301-401");
        assert_int_equal(d->off, o + 22);
        assert_int_equal(d->len, 18);
        assert_int_equal(line(&t, "left edge = 301 (relative)")->off, o + 32);
        line(&t, "[TCP SACK Count: 2]");
        dissect_tree_fini(&t);
    }

    /* A wrong checksum says what it should be, as Wireshark does. */
    Seg syn = {CLIENT, SERVER, 43500, 25, 1, 0, SYN, 64240, NULL, 0, NULL};
    len = build(f, sizeof f, &syn);
    uint16_t right = get_be16(f + o + 16);
    put_be16(f + o + 16, right ^ 0x1234);
    dissect_tree(NULL, f, len, &t);
    char bad[128];
    snprintf(bad, sizeof bad,
             "Checksum: 0x%04x incorrect, should be 0x%04x(maybe caused by \"TCP checksum "
             "offload\"?)",
             right ^ 0x1234, right);
    line(&t, bad);
    dissect_tree_fini(&t);

    /* Too short for a header: the ports, and what is missing. */
    dissect_tree(NULL, f, ETH_HLEN + IPV4_HLEN + 3, &t);
    dissect_tree_fini(&t);
    put_be16(f + ETH_HLEN + 2, IPV4_HLEN + 6);
    dissect_tree(NULL, f, ETH_HLEN + IPV4_HLEN + 6, &t);
    line(&t, "Transmission Control Protocol, Src Port: 43500, Dst Port: 25");
    line(&t, "[truncated: 6 of 20 header bytes]");
    dissect_tree_fini(&t);
    dissect_ctx_free(c);
}

/* ---- the map's labels and the protocol column ------------------------------------- */

/* DNS over TCP in the inspector: the DNS layer starts at the length,
 * its first field; a segment holding part of a message says so. */
static void test_dns_over_tcp(void **state)
{
    (void)state;
    Seg q = {CLIENT, SERVER, 43600, 53, 2001, 9001, PSH | ACK, 64240, NULL, 0, NULL};
    uint8_t f[256];
    size_t len = build_bytes(f, sizeof f, &q, dns_tcp_query, sizeof dns_tcp_query);
    char *got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "DNS Standard query 0x1c2d A www.montana.edu");
    free(got);
    DissectTree t = {0};
    dissect_tree(NULL, f, len, &t);
    size_t o = ETH_HLEN + IPV4_HLEN + 20;
    size_t at = 0;
    while (at < t.n && strcmp(t.f[at].text, "Domain Name System (query)") != 0)
        at++;
    assert_true(at + 2 < t.n);
    assert_int_equal(t.f[at].depth, 0);
    assert_int_equal(t.f[at].off, o);
    assert_int_equal(t.f[at].len, 35);
    assert_string_equal(t.f[at + 1].text, "Length: 33");
    assert_int_equal(t.f[at + 1].off, o);
    assert_int_equal(t.f[at + 1].len, 2);
    assert_string_equal(t.f[at + 2].text, "Transaction ID: 0x1c2d");
    assert_int_equal(t.f[at + 2].off, o + 2);
    dissect_tree_fini(&t);
    char label[64];
    bool response = true;
    assert_string_equal(dissect_label(NULL, f, len, label, sizeof label, &response), "DNS");
    assert_string_equal(label, "A? www.montana.edu");
    assert_false(response);
    /* The first 20 bytes of the message only: a part of it. */
    len = build_bytes(f, sizeof f, &q, dns_tcp_query, 22);
    got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "DNS [TCP segment of a reassembled PDU]");
    free(got);
    memset(&t, 0, sizeof t);
    dissect_tree(NULL, f, len, &t);
    assert_string_equal(t.f[t.n - 2].text, "Domain Name System (a part of a longer message)");
    assert_string_equal(t.f[t.n - 1].text, "Length: 33");
    dissect_tree_fini(&t);
}

static void test_labels(void **state)
{
    (void)state;
    uint8_t f[256];
    char label[64];
    bool response = true;
    size_t len = build(f, sizeof f, &smtp[0].s);
    assert_string_equal(dissect_label(NULL, f, len, label, sizeof label, &response), "TCP");
    assert_string_equal(label, "[SYN]");
    assert_false(response);
    len = build(f, sizeof f, &smtp[1].s);
    dissect_label(NULL, f, len, label, sizeof label, &response);
    assert_string_equal(label, "[SYN, ACK]");
    assert_true(response);
    len = build(f, sizeof f, &smtp[3].s);
    assert_string_equal(dissect_label(NULL, f, len, label, sizeof label, &response), "SMTP");
    assert_string_equal(label, "220 mail.hamburger.edu ESMTP Postfix");
    assert_true(response);
    len = build(f, sizeof f, &smtp[4].s);
    dissect_label(NULL, f, len, label, sizeof label, &response);
    assert_string_equal(label, "HELO crepes.fr");
    assert_false(response);
    len = build(f, sizeof f, &misc[2].s);
    assert_string_equal(dissect_label(NULL, f, len, label, sizeof label, &response), "FTP-DATA");
    assert_string_equal(label, "data (16 B)");
    /* Data on a port without a row: the flags and the size. */
    Seg other = {CLIENT, SERVER, 43600, 9999, 1, 1, PSH | ACK, 100, NULL, 0, "hello"};
    len = build(f, sizeof f, &other);
    assert_string_equal(dissect_label(NULL, f, len, label, sizeof label, &response), "TCP");
    assert_string_equal(label, "[PSH, ACK] (5 B)");
    /* A small label is cut, never overrun. */
    char small[6];
    len = build(f, sizeof f, &smtp[3].s);
    dissect_label(NULL, f, len, small, sizeof small, &response);
    assert_string_equal(small, "220 m");
}

/* Control bytes in a line are escaped: the summary stays one line. */
static void test_text_rows_escape(void **state)
{
    (void)state;
    uint8_t f[256];
    Seg evil = {
        CLIENT, SERVER, 43312, 25, 1, 1, PSH | ACK, 100, NULL, 0, "HE\tLO\033x\r\nQUIT\r\n"};
    size_t len = build(f, sizeof f, &evil);
    char *got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "SMTP C: HE\\011LO\\033x");
    free(got);
    /* A line without its end, and a bare LF. */
    Seg bare = {SERVER, CLIENT, 110, 43312, 1, 1, PSH | ACK, 100, NULL, 0, "+OK hi\nmore"};
    len = build(f, sizeof f, &bare);
    got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "POP S: +OK hi");
    free(got);
    DissectTree t = {0};
    dissect_tree(NULL, f, len, &t);
    line(&t, "Post Office Protocol");
    line(&t, "+OK hi\\n");
    line(&t, "more");
    dissect_tree_fini(&t);
}

/* ---- drop reasons ------------------------------------------------------------------- */

static void test_drop_texts(void **state)
{
    (void)state;
    /* The texts every golden trace prints: they never change. */
    assert_string_equal(trace_drop_text(DROP_LOST_ON_LINK), "lost on link");
    assert_string_equal(trace_drop_text(DROP_LINK_DOWN), "link down");
    assert_string_equal(trace_drop_text(DROP_NODE_DOWN), "node down");
    assert_string_equal(trace_drop_text(DROP_TTL_EXPIRED), "TTL expired");
    assert_string_equal(trace_drop_text(DROP_NO_ROUTE), "no route");
    assert_string_equal(trace_drop_text(DROP_PORT_UNREACHABLE), "port unreachable");
    assert_string_equal(trace_drop_text(DROP_UDP_CHECKSUM), "bad UDP checksum");
    assert_string_equal(trace_drop_text(DROP_IPV4_CHECKSUM), "bad IPv4 header checksum");
    assert_string_equal(trace_drop_text(DROP_NOT_OUR_IP),
                        "not addressed to this node, which does not forward");
    assert_string_equal(trace_drop_text(DROP_TCP_CHECKSUM), "bad TCP checksum");
    /* Every reason has its own text; anything else is "?". */
    for (int i = 0; i < DROP_REASON_COUNT; i++) {
        const char *s = trace_drop_text((DropReason)i);
        assert_string_not_equal(s, "?");
        for (int k = 0; k < i; k++)
            assert_string_not_equal(s, trace_drop_text((DropReason)k));
    }
    assert_string_equal(trace_drop_text(DROP_REASON_COUNT), "?");
    assert_string_equal(trace_drop_text((DropReason)-1), "?");
}

/* ---- FTP's data connections -------------------------------------------------------- */

/* In trace order, each data connection is FTP-DATA whatever its ports,
 * with the method that announced it and the command it answers; the
 * control connection reads the same as before. */
static void test_ftp_data_links(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    for (size_t i = 0; i < MN_ARRAY_LEN(ftp); i++)
        check_summary(c, &ftp[i].s, ftp[i].info);
    dissect_ctx_free(c);
    /* Without a context a frame is judged alone: the passive port has no
     * row, port 20 still has one. */
    uint8_t f[256];
    size_t len = build(f, sizeof f, &ftp[ftp_row("notes\n")].s);
    assert_string_equal(dissect_protocol(NULL, f, len), "TCP");
    len = build(f, sizeof f, &ftp[ftp_row("uploaded\n")].s);
    char *got = summary(NULL, f, len);
    assert_string_equal(info_of(got), "FTP-DATA FTP Data: 9 bytes");
    free(got);
}

/* The inspector's lines for a passive data connection, and the map's
 * label: the server's file answers, the client's upload does not. */
static void test_ftp_data_tree_and_label(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    size_t data = ftp_row("notes\n");
    for (size_t i = 0; i < data; i++) {
        uint8_t g[256];
        dissect_observe(c, g, build(g, sizeof g, &ftp[i].s));
    }
    uint8_t f[256];
    size_t len = build(f, sizeof f, &ftp[data].s);
    DissectTree t = {0};
    dissect_tree(c, f, len, &t);
    size_t o = ETH_HLEN + IPV4_HLEN + 20;
    const DissectField *d = line(&t, "FTP Data (6 bytes data)");
    assert_int_equal(d->depth, 0);
    assert_int_equal(d->off, o);
    assert_int_equal(d->len, 6);
    line(&t, "[Setup method: PASV]");
    line(&t, "[Passive: the client connects to 10.0.2.25 port 50000]");
    line(&t, "[Announced on the control connection (TCP stream 0): 227 Entering Passive Mode "
             "(10,0,2,25,195,80).]");
    line(&t, "[Command: RETR notes.txt]");
    line(&t, "Line-based text data (1 line)");
    d = line(&t, "notes\\n");
    assert_int_equal(d->depth, 1);
    dissect_tree_fini(&t);
    char label[64];
    bool response = false;
    assert_string_equal(dissect_label(c, f, len, label, sizeof label, &response), "FTP-DATA");
    assert_string_equal(label, "data (6 B)");
    assert_true(response);
    for (size_t i = data + 1; i < MN_ARRAY_LEN(ftp); i++) {
        uint8_t g[256];
        dissect_observe(c, g, build(g, sizeof g, &ftp[i].s));
    }
    len = build(f, sizeof f, &ftp[ftp_row("uploaded\n")].s);
    assert_string_equal(dissect_label(c, f, len, label, sizeof label, &response), "FTP-DATA");
    assert_false(response);
    memset(&t, 0, sizeof t);
    dissect_tree(c, f, len, &t);
    line(&t, "[Setup method: PORT]");
    line(&t, "[Active: the server connects to 10.0.0.10 port 43266]");
    dissect_tree_fini(&t);
    dissect_ctx_free(c);
}

/* Every frame seen twice (as on the next link), and an old 227 sent again
 * after the 229: the control connection's bytes are read once, so the
 * EPSV connection still answers LIST. */
static void test_ftp_data_read_once(void **state)
{
    (void)state;
    DissectCtx *c = dissect_ctx_new();
    size_t again = ftp_row("227 Entering Passive Mode (10,0,2,25,195,80).\r\n");
    size_t after = ftp_row("229 Entering Extended Passive Mode (|||50001|)\r\n");
    for (size_t i = 0; i < MN_ARRAY_LEN(ftp); i++) {
        uint8_t g[256];
        size_t len = build(g, sizeof g, &ftp[i].s);
        dissect_observe(c, g, len);
        check_summary(c, &ftp[i].s, ftp[i].info);
        if (i == after)
            dissect_observe(c, g, build(g, sizeof g, &ftp[again].s));
    }
    dissect_ctx_free(c);
}

/* A data connection is linked only to what was announced to its own
 * client; malformed announcements announce nothing; EPRT links (where
 * tshark 4.0 does not). */
static void test_ftp_data_announcements(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "227 Entering Passive Mode (10,0,2,25,300,80).\r\n",
        "227 Entering Passive Mode (10,0,2,25,195).\r\n",
        "227\r\n",
        "229 Entering Extended Passive Mode (|||0|)\r\n",
        "229 Entering Extended Passive Mode (|||99999|)\r\n",
        "229 Entering Extended Passive Mode (1||50000|)\r\n",
        "229 Entering Extended Passive Mode (|||50000\r\n",
    };
    for (size_t k = 0; k < MN_ARRAY_LEN(bad); k++) {
        DissectCtx *c = dissect_ctx_new();
        Seg r = {SERVER, CLIENT, 21, FTP_CTL, 10001, 20001, PSH | ACK, 64240, NULL, 0, bad[k]};
        uint8_t f[256];
        dissect_observe(c, f, build(f, sizeof f, &r));
        Seg syn = {CLIENT, SERVER, 43321, 50000, 30000, 0, SYN, 64240, NULL, 0, NULL};
        dissect_observe(c, f, build(f, sizeof f, &syn));
        Seg d = {SERVER, CLIENT, 50000, 43321, 40001, 30001, PSH | ACK, 64240, NULL, 0, "x\n"};
        size_t len = build(f, sizeof f, &d);
        assert_string_equal(dissect_protocol(c, f, len), "TCP");
        dissect_ctx_free(c);
    }
    /* Another client's connection to the announced port is not FTP-DATA;
     * an EPRT's is, from any port of the server. */
    DissectCtx *c = dissect_ctx_new();
    check_summary(c, &ftp[ftp_row("227 Entering Passive Mode (10,0,2,25,195,80).\r\n")].s,
                  "FTP Response: 227 Entering Passive Mode (10,0,2,25,195,80).");
    Seg other = {"10.0.0.11", SERVER, 43330, 50000, 5000, 0, SYN, 64240, NULL, 0, NULL};
    uint8_t f[256];
    dissect_observe(c, f, build(f, sizeof f, &other));
    Seg od = {SERVER, "10.0.0.11", 50000, 43330, 6001, 5001, PSH | ACK, 64240, NULL, 0, "x\n"};
    size_t len = build(f, sizeof f, &od);
    assert_string_equal(dissect_protocol(c, f, len), "TCP");
    Seg eprt = {CLIENT,
                SERVER,
                FTP_CTL,
                21,
                20001,
                10068,
                PSH | ACK,
                64240,
                NULL,
                0,
                "EPRT |1|10.0.0.10|43267|\r\n"};
    check_summary(c, &eprt, "FTP Request: EPRT |1|10.0.0.10|43267|");
    Seg list = {CLIENT, SERVER, FTP_CTL, 21, 20027, 10068, PSH | ACK, 64240, NULL, 0, "LIST\r\n"};
    check_summary(c, &list, "FTP Request: LIST");
    Seg syn = {SERVER, CLIENT, 2020, 43267, 7000, 0, SYN, 64240, NULL, 0, NULL};
    dissect_observe(c, f, build(f, sizeof f, &syn));
    Seg d = {SERVER, CLIENT, 2020, 43267, 7001, 0, PSH, 64240, NULL, 0, "a\r\nb\r\n"};
    check_summary(c, &d, "FTP-DATA FTP Data: 6 bytes (EPRT) (LIST)");
    dissect_ctx_free(c);
}

/* ---- Wireshark as the judge ----------------------------------------------------------- */

/* Writes every frame above as a pcapng (through minet's own writer, one
 * link) and compares tshark's Protocol and Info with minet's summaries.
 * Skipped when tshark is not installed. */
static void test_tshark_agrees(void **state)
{
    (void)state;
    if (system("command -v tshark > /dev/null 2>&1") != 0) {
        skip();
        return;
    }
    World *w = world_new();
    int a = tw_node(w, "client", ROLE_HOST, CLIENT);
    int b = tw_node(w, "server", ROLE_HOST, SERVER);
    tw_link(w, a, b, 1000, 1000000000, 0);
    world_wire(w);
    w->start_us = 1694422800000000;
    char dir[] = "/tmp/minet-dissect-XXXXXX", path[64], why[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.pcapng", dir);
    PcapWriter *pw = pcap_writer_new(w, path, NULL, why, sizeof why);
    assert_non_null(pw);
    Trace t;
    trace_init(&t, w, false);
    trace_add_sink(&t, pcap_writer_sink(pw));
    DissectCtx *c = dissect_ctx_new();
    Buf want;
    buf_init(&want);
    size_t n_sm = MN_ARRAY_LEN(smtp) + MN_ARRAY_LEN(misc), n = n_sm + MN_ARRAY_LEN(ftp);
    for (size_t i = 0; i < n; i++) {
        const Seg *s = i < MN_ARRAY_LEN(smtp) ? &smtp[i].s
                       : i < n_sm             ? &misc[i - MN_ARRAY_LEN(smtp)].s
                                              : &ftp[i - n_sm].s;
        uint8_t f[256];
        size_t len = build(f, sizeof f, s);
        int from = strcmp(s->src, CLIENT) == 0 ? a : b;
        const Iface *fi = &w->nodes[from].ifaces[0];
        trace_hop(&t, (SimTime)i * 1000, (SimTime)i * 1000 + 10, i + 1, from, 0, fi->peer,
                  fi->peer_iface, fi->link, f, len);
        char *s_got = summary(c, f, len);
        /* tshark separates the two columns with a tab. */
        const char *inf = info_of(s_got), *sp = strchr(inf, ' ');
        buf_put(&want, inf, (size_t)(sp - inf));
        buf_printf(&want, "\t%s\n", sp + 1);
        free(s_got);
    }
    assert_true(trace_end(&t));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(pcap_writer_write(pw, f, (SimTime)n * 1000 + 100, why, sizeof why));
    assert_int_equal(fclose(f), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "tshark -o tcp.check_checksum:TRUE -r %s -T fields -e _ws.col.Protocol "
             "-e _ws.col.Info 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    Buf got;
    buf_init(&got);
    char chunk[512];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_put(&got, chunk, k);
    assert_int_equal(pclose(p), 0);
    assert_string_equal(got.data ? got.data : "", want.data);
    buf_fini(&got);
    buf_fini(&want);
    dissect_ctx_free(c);
    trace_fini(&t);
    pcap_writer_free(pw);
    world_free(w);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_table),
        cmocka_unit_test(test_tcp_session_summary),
        cmocka_unit_test(test_tcp_other_summaries),
        cmocka_unit_test(test_tcp_window_scaling),
        cmocka_unit_test(test_tcp_streams),
        cmocka_unit_test(test_tcp_bad_segments),
        cmocka_unit_test(test_tcp_tree),
        cmocka_unit_test(test_dns_over_tcp),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_text_rows_escape),
        cmocka_unit_test(test_drop_texts),
        cmocka_unit_test(test_ftp_data_links),
        cmocka_unit_test(test_ftp_data_tree_and_label),
        cmocka_unit_test(test_ftp_data_read_once),
        cmocka_unit_test(test_ftp_data_announcements),
        cmocka_unit_test(test_tshark_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
