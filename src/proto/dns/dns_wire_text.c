/* dns_wire_text — the text forms of DNS messages: type, class and rcode
 * names, record data as dig prints it, the one-line summary of Wireshark's
 * Info column and a packet inspector's lines.  Text formats were checked
 * against dig 9.18 and tshark 4.0 on real messages (tests/data/dns/ holds
 * them). */
#include "proto/dns/dns_wire.h"
#include "proto/dns/dns_wire_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ==== names for numbers ================================================== */

/* The types dig 9.18.49 has names for (BIND's lib/dns/rdata and gen.c),
 * A6 (38, obsolete: RFC 6563) among them; minet decodes the data of only a
 * few of them (rdata_text). */
static const struct {
    uint16_t type;
    const char *name;
} type_names[] = {
    {1, "A"},           {2, "NS"},       {3, "MD"},        {4, "MF"},       {5, "CNAME"},
    {6, "SOA"},         {7, "MB"},       {8, "MG"},        {9, "MR"},       {10, "NULL"},
    {11, "WKS"},        {12, "PTR"},     {13, "HINFO"},    {14, "MINFO"},   {15, "MX"},
    {16, "TXT"},        {17, "RP"},      {18, "AFSDB"},    {19, "X25"},     {20, "ISDN"},
    {21, "RT"},         {22, "NSAP"},    {23, "NSAP-PTR"}, {24, "SIG"},     {25, "KEY"},
    {26, "PX"},         {27, "GPOS"},    {28, "AAAA"},     {29, "LOC"},     {30, "NXT"},
    {31, "EID"},        {32, "NIMLOC"},  {33, "SRV"},      {34, "ATMA"},    {35, "NAPTR"},
    {36, "KX"},         {37, "CERT"},    {38, "A6"},       {39, "DNAME"},   {40, "SINK"},
    {41, "OPT"},        {42, "APL"},     {43, "DS"},       {44, "SSHFP"},   {45, "IPSECKEY"},
    {46, "RRSIG"},      {47, "NSEC"},    {48, "DNSKEY"},   {49, "DHCID"},   {50, "NSEC3"},
    {51, "NSEC3PARAM"}, {52, "TLSA"},    {53, "SMIMEA"},   {55, "HIP"},     {56, "NINFO"},
    {57, "RKEY"},       {58, "TALINK"},  {59, "CDS"},      {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
    {62, "CSYNC"},      {63, "ZONEMD"},  {64, "SVCB"},     {65, "HTTPS"},   {66, "DSYNC"},
    {67, "HHIT"},       {68, "BRID"},    {99, "SPF"},      {100, "UINFO"},  {101, "UID"},
    {102, "GID"},       {103, "UNSPEC"}, {104, "NID"},     {105, "L32"},    {106, "L64"},
    {107, "LP"},        {108, "EUI48"},  {109, "EUI64"},   {249, "TKEY"},   {250, "TSIG"},
    {251, "IXFR"},      {252, "AXFR"},   {253, "MAILB"},   {254, "MAILA"},  {255, "ANY"},
    {256, "URI"},       {257, "CAA"},    {258, "AVC"},     {259, "DOA"},    {260, "AMTRELAY"},
    {261, "RESINFO"},   {262, "WALLET"}, {32768, "TA"},    {32769, "DLV"},  {65533, "KEYDATA"},
};

const char *dns_type_name(uint16_t type, char buf[16])
{
    /* Types 1 to 53 stand at index type - 1, so the common ones (A, NS,
     * CNAME, SOA, PTR, MX, TXT, AAAA) need no search; the check keeps this
     * right if a row is ever added or removed among them. */
    if (type >= 1 && type <= MN_ARRAY_LEN(type_names) && type_names[type - 1].type == type)
        return type_names[type - 1].name;
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    snprintf(buf, 16, "TYPE%u", type);
    return buf;
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* RFC 3597 5's generic names: prefix ("TYPE", "CLASS", any case), then 1
 * to 5 decimal digits, at most 65535. */
static bool generic_number(const char *s, const char *prefix, uint16_t *out)
{
    size_t n = strlen(prefix), len = strlen(s);
    if (len <= n || len > n + 5 || strncasecmp(s, prefix, n) != 0)
        return false;
    unsigned long v = 0;
    for (const char *p = s + n; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

bool dns_type_from_name(const char *s, uint16_t *type)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (ascii_ieq(s, type_names[i].name)) {
            *type = type_names[i].type;
            return true;
        }
    return generic_number(s, "TYPE", type);
}

bool dns_class_from_name(const char *s, uint16_t *klass)
{
    static const struct {
        uint16_t klass;
        const char *name;
    } names[] = {{1, "IN"},     {3, "CH"},     {3, "CHAOS"}, {4, "HS"},
                 {4, "HESIOD"}, {254, "NONE"}, {255, "ANY"}};
    for (size_t i = 0; i < MN_ARRAY_LEN(names); i++)
        if (ascii_ieq(s, names[i].name)) {
            *klass = names[i].klass;
            return true;
        }
    return generic_number(s, "CLASS", klass);
}

uint16_t dns_txt_rdata(const char *text, uint8_t out[256])
{
    size_t n = strlen(text) < 255 ? strlen(text) : 255;
    out[0] = (uint8_t)n;
    memcpy(out + 1, text, n);
    return (uint16_t)(n + 1);
}

const char *dns_chaos_text(uint16_t klass, uint16_t type, const DnsName *name, const char *version,
                           const char *host)
{
    static const char *const names[] = {"version.bind.", "version.server.", "id.server.",
                                        "hostname.bind."};
    if (klass != DNS_CLASS_CH || type != DNS_TYPE_TXT)
        return NULL;
    for (size_t i = 0; i < MN_ARRAY_LEN(names); i++) {
        DnsName n;
        if (dns_name_parse(&n, names[i], NULL) && dns_name_equal(&n, name))
            return i < 2 ? version : host;
    }
    return NULL;
}

/* dig 9.18's names (BIND's rdataclass.c). */
const char *dns_class_name(uint16_t klass, char buf[16])
{
    switch (klass) {
    case 1:
        return "IN";
    case 3:
        return "CH";
    case 4:
        return "HS";
    case 254:
        return "NONE";
    case 255:
        return "ANY";
    default:
        snprintf(buf, 16, "CLASS%u", klass);
        return buf;
    }
}

/* dig 9.18's words: RESERVED11..15 for the unassigned header values,
 * BADVERS and BADCOOKIE among the extended ones, and "?N" for a number it
 * has no name for (checked with dig against a test responder). */
const char *dns_rcode_name(uint8_t rcode, char buf[16])
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < MN_ARRAY_LEN(names))
        return names[rcode];
    if (rcode <= 15)
        snprintf(buf, 16, "RESERVED%u", rcode);
    else if (rcode == 16)
        return "BADVERS";
    else if (rcode == 23)
        return "BADCOOKIE";
    else
        snprintf(buf, 16, "?%u", rcode);
    return buf;
}

/* ==== rdata text, as dig prints it ======================================= */

static void name_text(const uint8_t *p, size_t len, Buf *out)
{
    DnsName n;
    if (dns_name_from_wire(&n, p, len))
        dns_name_to_text(&n, out);
}

/* RFC 3597 5, as BIND writes it: uppercase hex, a space every 28 bytes;
 * dig +multiline puts the hex in parentheses and breaks its line (brk)
 * every 22 bytes (isc_hex_totext for its 48 columns of rdata). */
static void generic_text(const uint8_t *p, size_t len, const char *brk, Buf *out)
{
    buf_printf(out, "\\# %zu", len);
    if (brk && len)
        buf_puts(out, " (");
    size_t per_line = brk ? 22 : 28;
    for (size_t i = 0; i < len; i++) {
        if (i % per_line == 0)
            buf_puts(out, i && brk ? brk : " ");
        buf_printf(out, "%02X", p[i]);
    }
    if (brk && len)
        buf_puts(out, " )");
}

/* Like BIND's inet_ntop (RFC 5952 but for one case): the longest run of
 * two or more zero groups (the first of equal runs) becomes "::", hex is
 * lowercase, and an IPv4-mapped address, or one whose first six groups
 * are zero and seventh is not, ends in a dotted quad: "::ffff:192.0.2.1",
 * "::1.2.3.4" (RFC 5952 would write "::102:304"). */
static void aaaa_text(const uint8_t *p, Buf *out)
{
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)(p[2 * i] << 8 | p[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2)
        best = -1;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                buf_putc(out, ':');
            continue;
        }
        if (i)
            buf_putc(out, ':');
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            buf_printf(out, "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
            return;
        }
        buf_printf(out, "%x", w[i]);
    }
    if (best >= 0 && best + best_len == 8)
        buf_putc(out, ':');
}

/* TXT strings: quoted, with \" and \\, and \DDD outside printable ASCII. */
static void txt_text(const uint8_t *p, size_t len, Buf *out)
{
    size_t i = 0;
    while (i < len) {
        size_t l = p[i++];
        if (i > 1)
            buf_putc(out, ' ');
        buf_putc(out, '"');
        for (size_t k = 0; k < l; k++, i++) {
            uint8_t c = p[i];
            if (c == '"' || c == '\\') {
                buf_putc(out, '\\');
                buf_putc(out, (char)c);
            } else if (c < 0x20 || c >= 0x7f) {
                buf_printf(out, "\\%03u", c);
            } else {
                buf_putc(out, (char)c);
            }
        }
        buf_putc(out, '"');
    }
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 with a space after every 56 characters, as BIND splits it. */
static void base64_text(const uint8_t *p, size_t len, Buf *out)
{
    for (size_t i = 0; i < len; i += 3) {
        if (i && i % 42 == 0)
            buf_putc(out, ' ');
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        buf_putc(out, b64[(v >> 18) & 63]);
        buf_putc(out, b64[(v >> 12) & 63]);
        buf_putc(out, i + 1 < len ? b64[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < len ? b64[v & 63] : '=');
    }
}

static bool opt_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i < 4)
            return false;
        size_t l = get_be16(p + i + 2);
        if (len - i - 4 < l)
            return false;
        i += 4 + l;
    }
    return true;
}

/* OPT has no presentation format; dig prints each option as "CODE LEN
 * BASE64", separated by spaces. */
static void opt_options_text(const uint8_t *p, size_t len, Buf *out)
{
    for (size_t i = 0; i < len;) {
        unsigned code = get_be16(p + i), l = get_be16(p + i + 2);
        if (i)
            buf_putc(out, ' ');
        buf_printf(out, "%u %u", code, l);
        if (l) {
            buf_putc(out, ' ');
            base64_text(p + i + 4, l, out);
        }
        i += 4 + l;
    }
}

/* "192.0.2.1": every answer a student's host prints, so without printf,
 * straight into out. */
static void a_text(const uint8_t *p, Buf *out)
{
    buf_reserve(out, 15);
    char *t = out->data + out->len;
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = p[i];
        if (i)
            t[n++] = '.';
        if (v >= 100) {
            t[n++] = (char)('0' + v / 100);
            v %= 100;
            t[n++] = (char)('0' + v / 10);
            v %= 10;
        } else if (v >= 10) {
            t[n++] = (char)('0' + v / 10);
            v %= 10;
        }
        t[n++] = (char)('0' + v);
    }
    out->len += n;
    out->data[out->len] = '\0';
}

/* "2 hours", "1 week 2 days" (verbose, as in dig +multiline's SOA
 * comments) or "2h", "1w2d" (dig +ttlunits): BIND's dns_ttl_totext. */
void dns_ttl_text(uint32_t ttl, bool verbose, Buf *out)
{
    static const char *const unit[] = {"week", "day", "hour", "minute", "second"};
    uint32_t v[5] = {ttl / 604800, ttl / 86400 % 7, ttl / 3600 % 24, ttl / 60 % 60, ttl % 60};
    int shown = 0;
    for (int i = 0; i < 5; i++) {
        if (!v[i] && !(i == 4 && !shown))
            continue;
        if (verbose)
            buf_printf(out, "%s%u %s%s", shown ? " " : "", v[i], unit[i], v[i] == 1 ? "" : "s");
        else
            buf_printf(out, "%u%c", v[i], unit[i][0]);
        shown++;
    }
}

/* The SOA's five numbers; dig +multiline (brk: its line break) writes
 * them one a line in parentheses, each with its name and, for the times,
 * their length in words. */
static void soa_numbers(const uint8_t *q, const char *brk, Buf *out)
{
    static const char *const names[] = {"serial", "refresh", "retry", "expire", "minimum"};
    if (!brk) {
        buf_printf(out, " %u %u %u %u %u", get_be32(q), get_be32(q + 4), get_be32(q + 8),
                   get_be32(q + 12), get_be32(q + 16));
        return;
    }
    buf_printf(out, " (%s", brk);
    for (int i = 0; i < 5; i++) {
        uint32_t v = get_be32(q + 4 * i);
        buf_printf(out, "%-10u ; %s", v, names[i]);
        if (i >= 1) {
            buf_puts(out, " (");
            dns_ttl_text(v, true, out);
            buf_putc(out, ')');
        }
        buf_puts(out, brk);
    }
    buf_putc(out, ')');
}

static void rdata_text(uint16_t type, uint16_t klass, const uint8_t *p, size_t len, const char *brk,
                       Buf *out)
{
    size_t a, b;
    switch (type) {
    case DNS_TYPE_A:
        if (len == 4 && klass == DNS_CLASS_IN) {
            a_text(p, out);
            return;
        }
        break;
    case DNS_TYPE_AAAA:
        if (len == 16 && klass == DNS_CLASS_IN) {
            aaaa_text(p, out);
            return;
        }
        break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        if (dns_wire_name_len(p, len) == len) {
            name_text(p, len, out);
            return;
        }
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && dns_wire_name_len(p + 2, len - 2) == len - 2) {
            buf_printf(out, "%u ", get_be16(p));
            name_text(p + 2, len - 2, out);
            return;
        }
        break;
    case DNS_TYPE_SOA:
        a = dns_wire_name_len(p, len);
        b = a ? dns_wire_name_len(p + a, len - a) : 0;
        if (a && b && len - a - b == 20) {
            name_text(p, a, out);
            buf_putc(out, ' ');
            name_text(p + a, b, out);
            soa_numbers(p + a + b, brk, out);
            return;
        }
        break;
    case DNS_TYPE_TXT:
        if (dns_txt_valid(p, len)) {
            txt_text(p, len, out);
            return;
        }
        break;
    case DNS_TYPE_OPT:
        if (opt_valid(p, len)) {
            opt_options_text(p, len, out);
            return;
        }
        break;
    default:
        break;
    }
    generic_text(p, len, brk, out);
}

void dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, Buf *out)
{
    rdata_text(type, DNS_CLASS_IN, rdata, len, NULL, out);
}

/* BIND's column rule (masterdump.c, indent()): tabs of 8 up to the target
 * column, and at least one blank even when the text already passed it;
 * the column then counts as the target. */
static void pad_to(Buf *out, size_t *col, size_t to)
{
    if (to < *col + 1)
        to = *col + 1;
    size_t from = *col;
    size_t tabs = to / 8 - from / 8;
    for (size_t i = 0; i < tabs; i++)
        buf_putc(out, '\t');
    if (tabs)
        from = to / 8 * 8;
    for (; from < to; from++)
        buf_putc(out, ' ');
    *col = to;
}

/* Appends s at column *col, which it moves on. */
static void put_col(Buf *out, size_t *col, const char *s)
{
    buf_puts(out, s);
    *col += strlen(s);
}

/* dig's columns for TTL, class, type and rdata: 24, 32, 40, 48; closer
 * without TTL or class, and 24, 24, 24, 32 with +multiline (dig.c,
 * printmessage). */
static void style_columns(const DnsTextStyle *s, size_t col[4])
{
    static const size_t full[4] = {24, 32, 40, 48}, one_off[4] = {24, 24, 32, 40},
                        tight[4] = {24, 24, 24, 32};
    const size_t *c = s->multiline || (s->no_ttl && s->no_class) ? tight
                      : s->no_ttl || s->no_class                 ? one_off
                                                                 : full;
    memcpy(col, c, sizeof full);
}

void dns_rr_to_text_style(const DnsRR *rr, const DnsTextStyle *s, Buf *out)
{
    char tb[16], cb[16], brk[8] = "\n";
    size_t c[4], col, start = out->len;
    style_columns(s, c);
    dns_name_to_text(rr->name, out);
    col = out->len - start;
    if (!s->no_ttl) {
        pad_to(out, &col, c[0]);
        size_t at = out->len;
        if (s->ttl_units)
            dns_ttl_text(rr->ttl, false, out);
        else
            buf_printf(out, "%u", rr->ttl);
        col += out->len - at;
    }
    if (!s->no_class) {
        pad_to(out, &col, c[1]);
        put_col(out, &col, dns_class_name(rr->klass, cb));
    }
    pad_to(out, &col, c[2]);
    put_col(out, &col, dns_type_name(rr->type, tb));
    pad_to(out, &col, c[3]);
    /* +multiline breaks lines onto the rdata column: a newline and its tabs */
    for (size_t i = 0; i < c[3] / 8; i++)
        brk[1 + i] = '\t';
    rdata_text(rr->type, rr->klass, rr->rdata, rr->rdlen, s->multiline ? brk : NULL, out);
}

void dns_rr_to_text(const DnsRR *rr, Buf *out)
{
    DnsTextStyle plain = {0};
    dns_rr_to_text_style(rr, &plain, out);
}

void dns_question_to_text(const DnsQuestion *q, const DnsTextStyle *s, Buf *out)
{
    char tb[16], cb[16];
    size_t c[4], col, start = out->len;
    style_columns(s, c);
    dns_name_to_text(&q->name, out);
    col = out->len - start;
    pad_to(out, &col, c[1]);
    put_col(out, &col, dns_class_name(q->klass, cb));
    pad_to(out, &col, c[2]);
    put_col(out, &col, dns_type_name(q->type, tb));
}

/* ==== one-line summary, as Wireshark's Info column ======================= */

/* Wireshark 4.0's words (packet-dns.c), checked with tshark 4.0.17. */
static const char *ws_opcode(uint8_t op)
{
    switch (op) {
    case 0:
        return "Standard query";
    case 1:
        return "Inverse query";
    case 2:
        return "Server status request";
    case 4:
        return "Zone change notification";
    case 5:
        return "Dynamic update";
    case 6:
        return "DNS Stateful operations (DSO)";
    default:
        return NULL;
    }
}

static const char *ws_rcode(uint8_t rc)
{
    static const char *const names[] = {
        "No error",          "Format error",     "Server failure",
        "No such name",      "Not implemented",  "Refused",
        "Name exists",       "RRset exists",     "RRset does not exist",
        "Not authoritative", "Name out of zone", "DSO-Type not implemented"};
    return rc < MN_ARRAY_LEN(names) ? names[rc] : NULL;
}

static const struct {
    uint16_t type;
    const char *name;
} ws_types[] = {
    {13, "HINFO"}, {33, "SRV"},   {35, "NAPTR"},   {39, "DNAME"},     {43, "DS"},
    {44, "SSHFP"}, {46, "RRSIG"}, {47, "NSEC"},    {48, "DNSKEY"},    {50, "NSEC3"},
    {64, "SVCB"},  {65, "HTTPS"}, {52, "TLSA"},    {99, "SPF"},       {251, "IXFR"},
    {252, "AXFR"}, {257, "CAA"},  {65281, "WINS"}, {65282, "WINS-R"},
};

static void ws_type(uint16_t type, Buf *out)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(type_names); i++)
        if (type_names[i].type == type) {
            buf_puts(out, type_names[i].name);
            return;
        }
    for (size_t i = 0; i < MN_ARRAY_LEN(ws_types); i++)
        if (ws_types[i].type == type) {
            buf_puts(out, ws_types[i].name);
            return;
        }
    buf_printf(out, "Unknown (%u)", type);
}

/* One label's bytes as Wireshark's format_text shows them: printable
 * ASCII as is (dots and backslashes too), C escapes for \a \b \f \n \r
 * \t \v, octal for other control bytes, UTF-8 as is, and U+FFFD for each
 * sequence that is not UTF-8.  Like tshark it decodes overlong forms
 * (C0 80 is U+0000).  Limit: tshark also prints as \uXXXX the code points
 * GLib calls unprintable (unassigned ones, format characters); only C0 and
 * C1 controls and noncharacters are escaped here.  minet's names are
 * ASCII in practice. */
static void ws_char(uint32_t cp, const uint8_t *raw, size_t n, bool overlong, Buf *out)
{
    static const char cesc[] = "abtnvfr"; /* for 7 to 13 */
    if (cp < 0x80 && !overlong) {
        if (cp >= 7 && cp <= 13) {
            buf_putc(out, '\\');
            buf_putc(out, cesc[cp - 7]);
        } else if (cp < 0x20 || cp == 0x7f) {
            buf_printf(out, "\\%03o", cp);
        } else {
            buf_putc(out, (char)cp);
        }
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
               (cp & 0xFFFE) == 0xFFFE) {
        buf_printf(out, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", cp);
    } else if (!overlong) {
        buf_put(out, raw, n);
    } else if (cp < 0x80) {
        buf_putc(out, (char)cp);
    } else { /* the shortest form */
        uint8_t b[4];
        size_t n2 = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        static const uint8_t lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
        for (size_t k = n2 - 1; k > 0; k--, cp >>= 6)
            b[k] = (uint8_t)(0x80 | (cp & 0x3F));
        b[0] = (uint8_t)(lead[n2] | cp);
        buf_put(out, b, n2);
    }
}

static void ws_text(const uint8_t *p, size_t len, Buf *out)
{
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000};
    for (size_t i = 0; i < len;) {
        uint8_t c = p[i];
        if (c < 0x80) {
            ws_char(c, p + i, 1, false, out);
            i++;
            continue;
        }
        /* Like tshark, the old 5 and 6 byte forms are decoded too (and
         * then refused unless they are overlong forms of a code point). */
        size_t need = c >= 0xFE   ? 1
                      : c >= 0xFC ? 6
                      : c >= 0xF8 ? 5
                      : c >= 0xF0 ? 4
                      : c >= 0xE0 ? 3
                      : c >= 0xC0 ? 2
                                  : 1;
        uint32_t cp = c & (0x7Fu >> need);
        size_t k = 1;
        while (k < need && i + k < len && (p[i + k] & 0xC0) == 0x80) {
            cp = cp << 6 | (p[i + k] & 0x3Fu);
            k++;
        }
        if (need == 1 || k < need || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD */
        else
            ws_char(cp, p + i, k, cp < min_cp[need], out);
        i += k;
    }
}

/* Wireshark shows names without the final dot; the root is "<Root>". */
static void ws_name(const uint8_t *p, size_t len, Buf *out)
{
    if (len <= 1) {
        buf_puts(out, "<Root>");
        return;
    }
    for (size_t i = 0; i < len && p[i];) {
        size_t l = p[i++];
        if (i > 1)
            buf_putc(out, '.');
        if (l > len - i)
            l = len - i;
        ws_text(p + i, l, out);
        i += l;
    }
}

/* A character-string (RFC 1035 3.3) at p[*i] as tshark shows it. */
static bool ws_string(const uint8_t *p, size_t len, size_t *i, Buf *out)
{
    if (*i >= len || p[*i] > len - *i - 1)
        return false;
    buf_putc(out, ' ');
    ws_text(p + *i + 1, p[*i], out);
    *i += 1 + (size_t)p[*i];
    return true;
}

/* The types minet does not know but for which tshark shows some data. */
static void ws_other_rr(uint16_t type, const uint8_t *p, size_t len, Buf *out)
{
    size_t i = 0;
    switch (type) {
    case 13: /* HINFO: cpu os */
        if (ws_string(p, len, &i, out))
            ws_string(p, len, &i, out);
        break;
    case 33: /* SRV: priority weight port target */
        if (len >= 7 && dns_wire_name_len(p + 6, len - 6)) {
            buf_printf(out, " %u %u %u ", get_be16(p), get_be16(p + 2), get_be16(p + 4));
            ws_name(p + 6, len - 6, out);
        }
        break;
    case 35: /* NAPTR: order preference flags */
        if (len >= 5) {
            buf_printf(out, " %u %u", get_be16(p), get_be16(p + 2));
            i = 4;
            ws_string(p, len, &i, out);
        }
        break;
    case 39: /* DNAME, NSEC: the (first) name */
    case 47:
        if (dns_wire_name_len(p, len)) {
            buf_putc(out, ' ');
            ws_name(p, dns_wire_name_len(p, len), out);
        }
        break;
    default:
        break;
    }
}

static void ws_rr(const DnsRR *rr, Buf *out)
{
    const uint8_t *p = rr->rdata;
    size_t len = rr->rdlen;
    buf_putc(out, ' ');
    ws_type(rr->type, out);
    switch (rr->type) {
    case DNS_TYPE_A:
        if (len == 4)
            buf_printf(out, " %u.%u.%u.%u", p[0], p[1], p[2], p[3]);
        break;
    case DNS_TYPE_AAAA:
        if (len == 16) {
            buf_putc(out, ' ');
            aaaa_text(p, out);
        }
        break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
    case DNS_TYPE_SOA: /* the primary server's name only */
        if (dns_wire_name_len(p, len)) {
            buf_putc(out, ' ');
            ws_name(p, dns_wire_name_len(p, len), out);
        }
        break;
    case DNS_TYPE_MX:
        if (len >= 3 && dns_wire_name_len(p + 2, len - 2)) {
            buf_printf(out, " %u ", get_be16(p));
            ws_name(p + 2, len - 2, out);
        }
        break;
    default:
        ws_other_rr(rr->type, p, len, out);
        break;
    }
}

void dns_msg_summary(const DnsMsg *m, Buf *out)
{
    const char *op = ws_opcode(m->opcode);
    if (op)
        buf_puts(out, op);
    else
        buf_printf(out, "Unknown operation (%u)", m->opcode);
    if (m->qr)
        buf_puts(out, " response");
    buf_printf(out, " 0x%04x", m->id);
    if (m->qr && m->rcode) {
        const char *rc = ws_rcode(m->rcode);
        if (rc)
            buf_printf(out, " %s", rc);
        else
            buf_printf(out, " Unknown error (%u)", m->rcode);
    }
    for (size_t i = 0; i < m->n_qd; i++) {
        buf_putc(out, ' ');
        ws_type(m->qd[i].type, out);
        buf_putc(out, ' ');
        ws_name(m->qd[i].name.data, m->qd[i].name.len, out);
    }
    for (int s = 0; s < DNS_SECTIONS; s++)
        for (size_t i = 0; i < m->n[s]; i++)
            ws_rr(&m->rr[s][i], out);
}

/* ---- a packet inspector's lines ---------------------------------------- */

const char *dns_opcode_words(uint8_t opcode)
{
    return ws_opcode(opcode);
}

const char *dns_rcode_words(uint8_t rcode)
{
    return ws_rcode(rcode);
}

void dns_question_inspect(const DnsQuestion *q, Buf *out)
{
    char k[16];
    ws_name(q->name.data, q->name.len, out);
    buf_puts(out, ": type ");
    ws_type(q->type, out);
    buf_printf(out, ", class %s", dns_class_name(q->klass, k));
}

void dns_rr_inspect(const DnsRR *rr, Buf *out)
{
    char k[16];
    ws_name(rr->name->data, rr->name->len, out);
    buf_puts(out, ": type ");
    ws_type(rr->type, out);
    if (rr->type == DNS_TYPE_OPT) {
        /* The class is the UDP payload size the sender can take (RFC 6891). */
        buf_printf(out, ", UDP payload size %u", rr->klass);
        return;
    }
    buf_printf(out, ", class %s, TTL %" PRIu32 ", ", dns_class_name(rr->klass, k), rr->ttl);
    dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, out);
}
