/* Tests for src/proto/dns/dns_wire_text.c: the text dig and tshark print
 * for records and messages, in dig's display styles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/dns/dns_wire.h"
#include "dns_test_helpers.h"

static void assert_rdata_text(uint16_t type, const uint8_t *p, size_t len, const char *want)
{
    Buf b;
    buf_init(&b);
    dns_rdata_to_text(type, p, len, &b);
    assert_string_equal(b.data ? b.data : "", want);
    buf_fini(&b);
}

/* dig's display options: the columns of +multiline, +noclass, +nottlid
 * and +ttlunits, the SOA in +multiline form, and one blank where the name
 * passes a column (all as dig 9.18 printed them, tests/data/dns_options/dig). */
static void test_text_styles(void **state)
{
    (void)state;
    DnsName zone = name_of("montana.edu."), mname = name_of("ns1.montana.edu."),
            rname = name_of("hostmaster.montana.edu.");
    uint8_t soa[128];
    size_t n = 0;
    memcpy(soa, mname.data, mname.len), n += mname.len;
    memcpy(soa + n, rname.data, rname.len), n += rname.len;
    const uint32_t num[5] = {2023091100, 7200, 3600, 1209600, 3600};
    for (int i = 0; i < 5; i++, n += 4)
        put_be32(soa + n, num[i]);
    DnsMsg m;
    dns_msg_init(&m);
    DnsRR *rr =
        dns_msg_add_rr(&m, DNS_ANSWER, &zone, DNS_TYPE_SOA, DNS_CLASS_IN, 3600, soa, (uint16_t)n);
    Buf b;
    buf_init(&b);
    DnsTextStyle multi = {.multiline = true};
    dns_rr_to_text_style(rr, &multi, &b);
    assert_string_equal(b.data, "montana.edu.\t\t3600 IN\tSOA ns1.montana.edu. "
                                "hostmaster.montana.edu. (\n"
                                "\t\t\t\t2023091100 ; serial\n"
                                "\t\t\t\t7200       ; refresh (2 hours)\n"
                                "\t\t\t\t3600       ; retry (1 hour)\n"
                                "\t\t\t\t1209600    ; expire (2 weeks)\n"
                                "\t\t\t\t3600       ; minimum (1 hour)\n"
                                "\t\t\t\t)");
    b.len = 0;
    DnsTextStyle units = {.multiline = true, .ttl_units = true};
    dns_rr_to_text_style(rr, &units, &b);
    assert_has(b.data, "montana.edu.\t\t1h IN SOA ns1");
    b.len = 0;
    DnsTextStyle bare = {.no_ttl = true, .no_class = true};
    dns_rr_to_text_style(rr, &bare, &b);
    assert_has(b.data, "montana.edu.\t\tSOA\tns1.montana.edu. hostmaster.montana.edu. 2023091100 ");
    b.len = 0;
    DnsQuestion q = {.name = name_of("abcdefghijabcdefghijab.montana.edu."), .type = 1, .klass = 1};
    DnsTextStyle plain = {0};
    dns_question_to_text(&q, &plain, &b);
    assert_string_equal(b.data, "abcdefghijabcdefghijab.montana.edu. IN\tA");
    b.len = 0;
    q.name = zone;
    q.klass = 3;
    dns_question_to_text(&q, &multi, &b);
    assert_string_equal(b.data, "montana.edu.\t\tCH A");
    buf_fini(&b);
    dns_msg_fini(&m);
}

static void test_names_for_numbers(void **state)
{
    (void)state;
    char b[16];
    assert_string_equal(dns_type_name(DNS_TYPE_A, b), "A");
    assert_string_equal(dns_type_name(DNS_TYPE_AAAA, b), "AAAA");
    assert_string_equal(dns_type_name(DNS_TYPE_OPT, b), "OPT");
    assert_string_equal(dns_type_name(DNS_TYPE_ANY, b), "ANY");
    assert_string_equal(dns_type_name(65280, b), "TYPE65280");
    assert_string_equal(dns_type_name(0, b), "TYPE0");
    uint16_t t = 0;
    assert_true(dns_type_from_name("mx", &t));
    assert_int_equal(t, DNS_TYPE_MX);
    assert_true(dns_type_from_name("Cname", &t));
    assert_int_equal(t, DNS_TYPE_CNAME);
    assert_true(dns_type_from_name("TYPE65280", &t));
    assert_int_equal(t, 65280);
    /* obsolete, but BIND's tools still know it by name */
    assert_true(dns_type_from_name("a6", &t));
    assert_int_equal(t, 38);
    assert_string_equal(dns_type_name(38, b), "A6");
    assert_true(dns_type_from_name("type1", &t));
    assert_int_equal(t, DNS_TYPE_A);
    assert_false(dns_type_from_name("TYPE65536", &t));
    assert_false(dns_type_from_name("TYPE", &t));
    assert_false(dns_type_from_name("TYPE1x", &t));
    assert_false(dns_type_from_name("TYPE000001", &t));
    assert_false(dns_type_from_name("AAAAA", &t));
    assert_false(dns_type_from_name("", &t));
    assert_true(dns_type_from_name("srv", &t)); /* named as dig 9.18 names it */
    assert_int_equal(t, 33);
    assert_string_equal(dns_type_name(65, b), "HTTPS");
    assert_string_equal(dns_type_name(252, b), "AXFR");
    assert_string_equal(dns_type_name(54, b), "TYPE54"); /* unassigned */
    assert_string_equal(dns_type_name(53, b), "SMIMEA");
    assert_string_equal(dns_type_name(55, b), "HIP");
    assert_string_equal(dns_type_name(99, b), "SPF");
    assert_string_equal(dns_type_name(65533, b), "KEYDATA");
    assert_string_equal(dns_type_name(65535, b), "TYPE65535");
    /* Every name, found by index or by search, reads back as its number. */
    for (unsigned n = 0; n <= 65535; n++) {
        uint16_t back = 0;
        assert_true(dns_type_from_name(dns_type_name((uint16_t)n, b), &back));
        assert_int_equal(back, n);
    }
    assert_true(dns_class_from_name("chaos", &t));
    assert_int_equal(t, 3);
    assert_true(dns_class_from_name("CLASS42", &t));
    assert_int_equal(t, 42);
    assert_false(dns_class_from_name("CLASS65536", &t));
    assert_false(dns_class_from_name("INN", &t));
    Buf ttl;
    buf_init(&ttl);
    dns_ttl_text(1209600, true, &ttl);
    buf_puts(&ttl, "|");
    dns_ttl_text(93784, false, &ttl);
    buf_puts(&ttl, "|");
    dns_ttl_text(0, false, &ttl);
    assert_string_equal(ttl.data, "2 weeks|1d2h3m4s|0s");
    buf_fini(&ttl);

    /* As dig 9.18 prints them. */
    assert_string_equal(dns_class_name(1, b), "IN");
    assert_string_equal(dns_class_name(3, b), "CH");
    assert_string_equal(dns_class_name(4, b), "HS");
    assert_string_equal(dns_class_name(254, b), "NONE");
    assert_string_equal(dns_class_name(255, b), "ANY");
    assert_string_equal(dns_class_name(42, b), "CLASS42");
    assert_string_equal(dns_rcode_name(0, b), "NOERROR");
    assert_string_equal(dns_rcode_name(3, b), "NXDOMAIN");
    assert_string_equal(dns_rcode_name(10, b), "NOTZONE");
    assert_string_equal(dns_rcode_name(11, b), "RESERVED11");
    assert_string_equal(dns_rcode_name(15, b), "RESERVED15");
    assert_string_equal(dns_rcode_name(16, b), "BADVERS");
    assert_string_equal(dns_rcode_name(17, b), "?17");
    assert_string_equal(dns_rcode_name(23, b), "BADCOOKIE");
    assert_string_equal(dns_rcode_name(32, b), "?32");
}

/* Builds one record and checks the line dig printed for it.  The records
 * were served by a loopback test responder with these exact bytes; the
 * expected lines are dig 9.18.49's output, copied. */
static void check_dig(const char *owner, uint16_t type, uint16_t klass, uint32_t ttl,
                      const char *rdata_hex, const char *want)
{
    DnsMsg m;
    dns_msg_init(&m);
    DnsName n = name_of(owner);
    uint8_t rd[1024];
    size_t len = unhex(rdata_hex, rd, sizeof rd);
    const DnsRR *rr = dns_msg_add_rr(&m, DNS_ANSWER, &n, type, klass, ttl, rd, (uint16_t)len);
    assert_rr_text(rr, want);
    dns_msg_fini(&m);
}

static void test_dig_text(void **state)
{
    (void)state;
    /* Classes, and the columns when a field is wider than its column. */
    check_dig("classes.test.", 16, 3, 0, "05 6368616f73", "classes.test.\t\t0\tCH\tTXT\t\"chaos\"");
    check_dig("classes.test.", 16, 4, 0, "06 68657369 6f64",
              "classes.test.\t\t0\tHS\tTXT\t\"hesiod\"");
    check_dig("classes.test.", 16, 254, 0, "04 6e6f6e65",
              "classes.test.\t\t0\tNONE\tTXT\t\"none\"");
    check_dig("classes.test.", 16, 42, 0, "03 633432", "classes.test.\t\t0\tCLASS42\tTXT\t\"c42\"");
    check_dig("ttl.test.", 1, 1, 4294967295u, "01020304", "ttl.test.\t\t4294967295 IN\tA\t1.2.3.4");
    check_dig("ttl.test.", 1, 1, 2147483648u, "01020304", "ttl.test.\t\t2147483648 IN\tA\t1.2.3.4");
    check_dig("1.1.90.153.in-addr.montana.edu.", 12, 1, 3600,
              "03 6e7331 07 6d6f6e74616e61 03 656475 00",
              "1.1.90.153.in-addr.montana.edu.\t3600 IN\tPTR\tns1.montana.edu.");
    check_dig(".", 2, 1, 60, "01 61 0c 726f6f742d73657276657273 03 6e6574 00",
              ".\t\t\t60\tIN\tNS\ta.root-servers.net.");
    check_dig("names.test.", 2, 1, 60, "00", "names.test.\t\t60\tIN\tNS\t.");
    /* Unknown types: RFC 3597, uppercase hex in words of 28 bytes. */
    check_dig("empty.montana.edu.", 65281, 1, 3600, "",
              "empty.montana.edu.\t3600\tIN\tTYPE65281 \\# 0");
    check_dig("longunk.test.", 65280, 1, 60,
              "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
              "longunk.test.\t\t60\tIN\tTYPE65280 \\# 31 "
              "000102030405060708090A0B0C0D0E0F101112131415161718191A1B 1C1D1E");
    check_dig("anyrr.test.", 255, 1, 60, "0102", "anyrr.test.\t\t60\tIN\tANY\t\\# 2 0102");
    /* Names with characters that need escapes. */
    check_dig("names.test.", 5, 1, 60,
              "05 61286229 63 05 784079247a 07 73656d693b7122 06 73702061 6365 03 007fff "
              "07 646f742e746564 07 6261636b5c736c 00",
              "names.test.\t\t60\tIN\tCNAME\ta\\(b\\)c.x\\@y\\$z.semi\\;q\\\".sp\\032ace."
              "\\000\\127\\255.dot\\.ted.back\\\\sl.");
    check_dig("names.test.", 5, 1, 60, "01 2a 04 77696c64 0b 2d646173685f756e646572 00",
              "names.test.\t\t60\tIN\tCNAME\t*.wild.-dash_under.");
    /* SOA and MX edge values. */
    check_dig("soa.test.", 6, 1, 60, "00 00 ffffffff 00000000 00000001 00000002 00000003",
              "soa.test.\t\t60\tIN\tSOA\t. . 4294967295 0 1 2 3");
    check_dig("soa.test.", 15, 1, 60, "0000 00", "soa.test.\t\t60\tIN\tMX\t0 .");
    check_dig("soa.test.", 15, 1, 60, "ffff 02 6d78 07 6578616d706c65 00",
              "soa.test.\t\t60\tIN\tMX\t65535 mx.example.");
    /* OPT shown as a record: "CODE LEN BASE64" per option, base64 split
     * after 56 characters. */
    check_dig(".", 41, 1232, 0, "000a 0008 0000000000000000",
              ".\t\t\t0\tCLASS1232 OPT\t10 8 AAAAAAAAAAA=");
    check_dig(".", 41, 512, 32768,
              "fde9 0032 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
              "202122232425262728292a2b2c2d2e2f3031 0003 0000 fffe 0002 abcd",
              ".\t\t\t32768\tCLASS512 OPT\t65001 50 "
              "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp KissLS4vMDE= 3 0 65534 "
              "2 q80=");
    check_dig(".", 41, 512, 0, "", ".\t\t\t0\tCLASS512 OPT\t");
    check_dig(".", 41, 512, 0, "fdea 0005 6162636465", ".\t\t\t0\tCLASS512 OPT\t65002 5 YWJjZGU=");
}

static void test_rdata_text(void **state)
{
    (void)state;
    uint8_t b[1024];
    /* AAAA as dig prints it (BIND's inet_ntop). */
    static const struct {
        const char *hex, *text;
    } v6[] = {
        {"00000000000000000000000000000000", "::"},
        {"00000000000000000000000000000001", "::1"},
        {"00010000000000000000000000000000", "1::"},
        {"00010000000000010000000000000000", "1:0:0:1::"},
        {"00010000000100000001000000010000", "1:0:1:0:1:0:1:0"},
        {"00000000000100000000000100000000", "::1:0:0:1:0:0"},
        {"00010000000000020000000000000003", "1:0:0:2::3"},
        {"20010db8000000000001000000000001", "2001:db8::1:0:0:1"},
        {"abcdef0123456789abcdef0123456789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
        {"00000000000000000000ffff01020304", "::ffff:1.2.3.4"},
        {"00000000000000000000000001020304", "::1.2.3.4"},
        {"0000000000000000ffff000001020304", "::ffff:0:102:304"},
        {"0064ff9b000000000000000001020304", "64:ff9b::102:304"},
        {"00000000000000000000000100000000", "::1:0:0"},
        {"00000002000300040005000600070008", "0:2:3:4:5:6:7:8"},
        {"00010002000300040005000600070000", "1:2:3:4:5:6:7:0"},
        {"fe800000000000010001000000000001", "fe80::1:1:0:0:1"},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(v6); i++) {
        size_t n = unhex(v6[i].hex, b, sizeof b);
        assert_rdata_text(DNS_TYPE_AAAA, b, n, v6[i].text);
    }
    /* A: each byte in decimal, one to three digits. */
    static const struct {
        const char *hex, *text;
    } v4[] = {
        {"00090a63", "0.9.10.99"},
        {"646565ff", "100.101.101.255"},
        {"c80100c7", "200.1.0.199"},
    };
    for (size_t i = 0; i < MN_ARRAY_LEN(v4); i++) {
        size_t n = unhex(v4[i].hex, b, sizeof b);
        assert_rdata_text(DNS_TYPE_A, b, n, v4[i].text);
    }
    /* TXT: printable ASCII as is (space and ; included), \" and \\, and
     * \DDD for the rest; dig printed these for the same bytes. */
    size_t n = 0;
    b[n++] = 32;
    for (int c = 0; c < 32; c++)
        b[n++] = (uint8_t)c;
    b[n++] = 96;
    for (int c = 32; c < 128; c++)
        b[n++] = (uint8_t)c;
    b[n++] = 0;
    assert_rdata_text(DNS_TYPE_TXT, b, n,
                      "\"\\000\\001\\002\\003\\004\\005\\006\\007\\008\\009\\010\\011\\012\\013"
                      "\\014\\015\\016\\017\\018\\019\\020\\021\\022\\023\\024\\025\\026\\027"
                      "\\028\\029\\030\\031\" \" !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJK"
                      "LMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\127\" \"\"");
    n = unhex("03 c3a9ff", b, sizeof b);
    assert_rdata_text(DNS_TYPE_TXT, b, n, "\"\\195\\169\\255\"");
    /* Rdata that does not parse as its type falls back to RFC 3597. */
    assert_rdata_text(DNS_TYPE_A, (const uint8_t *)"\1\2\3", 3, "\\# 3 010203");
    /* Every width of an address byte, as inet_ntop writes them. */
    assert_rdata_text(DNS_TYPE_A, (const uint8_t *)"\0\11\12\377", 4, "0.9.10.255");
    assert_rdata_text(DNS_TYPE_A, (const uint8_t *)"\143\144\310\1", 4, "99.100.200.1");
    assert_rdata_text(DNS_TYPE_TXT, (const uint8_t *)"\5ab", 3, "\\# 3 056162");
    assert_rdata_text(DNS_TYPE_TXT, (const uint8_t *)"", 0, "\\# 0");
    assert_rdata_text(DNS_TYPE_CNAME, (const uint8_t *)"\3ab", 3, "\\# 3 036162");
    assert_rdata_text(DNS_TYPE_MX, (const uint8_t *)"\0\1", 2, "\\# 2 0001");
    assert_rdata_text(DNS_TYPE_OPT, (const uint8_t *)"\0\1\0\5ab", 6, "\\# 6 000100056162");
    /* The header's own examples. */
    n = unhex("000a 04 736d7470 06 676f6f676c65 03 636f6d 00", b, sizeof b);
    assert_rdata_text(DNS_TYPE_MX, b, n, "10 smtp.google.com.");
    n = unhex("0b 763d73706631202d616c6c", b, sizeof b);
    assert_rdata_text(DNS_TYPE_TXT, b, n, "\"v=spf1 -all\"");
    assert_rdata_text(1234, (const uint8_t *)"\x0a\0\0\1", 4, "\\# 4 0A000001");
}

/* Summaries of made-up messages, checked against tshark 4.0.17 (the
 * bytes, wrapped in UDP port 53 with text2pcap, shown by tshark -r). */
static void check_summary(const char *hex, const char *want)
{
    uint8_t b[1024];
    size_t len = unhex(hex, b, sizeof b);
    DnsMsg m;
    dns_msg_init(&m);
    decode_ok(&m, b, len);
    char *got = summary(&m);
    assert_string_equal(got, want);
    free(got);
    dns_msg_fini(&m);
}

static void test_summary(void **state)
{
    (void)state;
    check_summary("1a2b 0100 0001 0000 0000 0000" Q_A, "Standard query 0x1a2b A www.montana.edu");
    check_summary("1a2b 8183 0001 0000 0000 0000" Q_A,
                  "Standard query response 0x1a2b No such name A www.montana.edu");
    check_summary("1a2b 8182 0001 0000 0000 0000" Q_A,
                  "Standard query response 0x1a2b Server failure A www.montana.edu");
    check_summary("1a2b 8185 0001 0000 0000 0000" Q_A,
                  "Standard query response 0x1a2b Refused A www.montana.edu");
    check_summary("1a2b 8181 0000 0000 0000 0000", "Standard query response 0x1a2b Format error");
    check_summary("1a2b 810b 0000 0000 0000 0000",
                  "Standard query response 0x1a2b DSO-Type not implemented");
    check_summary("1a2b 810c 0000 0000 0000 0000",
                  "Standard query response 0x1a2b Unknown error (12)");
    check_summary("1a2b 2000 0000 0000 0000 0000", "Zone change notification 0x1a2b");
    check_summary("1a2b a800 0000 0000 0000 0000", "Dynamic update response 0x1a2b");
    check_summary("1a2b 1800 0000 0000 0000 0000", "Unknown operation (3) 0x1a2b");
    check_summary("1a2b 0800 0000 0000 0000 0000", "Inverse query 0x1a2b");
    /* The root, and types Wireshark names though minet does not. */
    check_summary("1a2b 0000 0003 0000 0000 0000 00 0002 0001 00 0021 0001 00 ff00 0001",
                  "Standard query 0x1a2b NS <Root> SRV <Root> Unknown (65280) <Root>");
    /* Names: dots and backslashes inside labels as they are, C escapes,
     * octal for other control bytes, U+FFFD for bytes that are not UTF-8. */
    check_summary("1a2b 0000 0001 0000 0000 0000 03 612e62 02 5c09 03 20ff00 00 0001 0001",
                  "Standard query 0x1a2b A a.b.\\\\t. \xef\xbf\xbd\\000");
    check_summary("1a2b 0000 0001 0000 0000 0000 0a 07080c0a0d0b011b09 7f 03 c3a978 00 0001 0001",
                  "Standard query 0x1a2b A \\a\\b\\f\\n\\r\\v\\001\\033\\t\\177.\xc3\xa9x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_styles), cmocka_unit_test(test_names_for_numbers),
        cmocka_unit_test(test_dig_text),    cmocka_unit_test(test_rdata_text),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
