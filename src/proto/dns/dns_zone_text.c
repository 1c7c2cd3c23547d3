/* A zone record's fields from text: numbers, TTLs, types and rdata in
 * the master-file forms BIND and NSD read. */
#include "dns_zone_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/world.h"
#include "proto/dns/dns_wire.h"

/* ---- numbers and TTLs -------------------------------------------------- */

static bool parse_u32(const Token *t, uint32_t max, uint32_t *out)
{
    if (t->len == 0 || t->len > 10 || t->quoted)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(t->s[i] - '0');
    }
    if (v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* BIND's TTL form: seconds, or numbers with units w d h m s ("1h30m"). */
bool dns_zone_parse_ttl(const Token *t, uint32_t *out)
{
    if (t->len == 0 || t->quoted || t->s[0] < '0' || t->s[0] > '9')
        return false;
    uint64_t total = 0, num = 0;
    bool digits = false, any_unit = false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c >= '0' && c <= '9') {
            num = num * 10 + (uint64_t)(c - '0');
            digits = true;
            if (num > DNS_ZONE_MAX_TTL)
                return false;
            continue;
        }
        uint64_t mul;
        switch (c | 0x20) {
        case 'w':
            mul = 604800;
            break;
        case 'd':
            mul = 86400;
            break;
        case 'h':
            mul = 3600;
            break;
        case 'm':
            mul = 60;
            break;
        case 's':
            mul = 1;
            break;
        default:
            return false;
        }
        if (!digits)
            return false;
        total += num * mul;
        num = 0;
        digits = false;
        any_unit = true;
    }
    if (digits)
        total += num;
    else if (!any_unit)
        return false;
    if (total > DNS_ZONE_MAX_TTL)
        return false;
    *out = (uint32_t)total;
    return true;
}

/* ---- rdata from text --------------------------------------------------- */

static bool rd_name(Rd *r, const Token *t)
{
    DnsName n;
    const char *why;
    if (t->quoted || !dns_name_from_text(&n, t->s, t->len, r->origin, &why)) {
        char s[80];
        dns_zone_report(r->errs, t->at, "\"%s\" is not a valid name: %s (expected a domain name)",
                        tok_str(t, s, sizeof s), t->quoted ? "it is quoted" : why);
        return false;
    }
    buf_put(r->out, n.data, n.len);
    return true;
}

static bool rd_u16(Rd *r, const Token *t, const char *what)
{
    uint32_t v;
    char s[40];
    if (!parse_u32(t, 65535, &v)) {
        dns_zone_report(r->errs, t->at,
                        "\"%s\" is not a valid %s (expected a number from 0 to 65535)",
                        tok_str(t, s, sizeof s), what);
        return false;
    }
    uint8_t b[2];
    put_be16(b, (uint16_t)v);
    buf_put(r->out, b, 2);
    return true;
}

/* A <character-string> (RFC 1035 3.3): quoted or not, escapes decoded. */
static bool rd_string(Rd *r, const Token *t)
{
    uint8_t s[256];
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        uint8_t c = (uint8_t)t->s[i];
        if (c == '\\' && i + 1 < t->len) {
            const char *why;
            size_t took = dns_text_escape(t->s, t->len, i, &c, &why);
            if (!took) {
                dns_zone_report(r->errs, t->at, "%s", why);
                return false;
            }
            i += took - 1;
        }
        if (n == 255) {
            dns_zone_report(r->errs, t->at,
                            "text string longer than 255 bytes (expected several "
                            "strings of at most 255 bytes each)");
            return false;
        }
        s[n++] = c;
    }
    buf_putc(r->out, (char)n);
    buf_put(r->out, s, n);
    return true;
}

static bool rd_hex(Rd *r, const Token *t, size_t *count)
{
    for (size_t i = 0; i < t->len; i += 2) {
        unsigned v;
        char two[3] = {t->s[i], i + 1 < t->len ? t->s[i + 1] : 0, 0};
        char *end;
        v = (unsigned)strtoul(two, &end, 16);
        if (i + 1 >= t->len || *end || two[0] == '+' || two[0] == '-' || two[0] == ' ') {
            char s[80];
            dns_zone_report(r->errs, t->at,
                            "\"%s\" is not hexadecimal (expected pairs of hex digits)",
                            tok_str(t, s, sizeof s));
            return false;
        }
        buf_putc(r->out, (char)v);
        (*count)++;
    }
    return true;
}

static int want_fields(Rd *r, const Token *type_tok, int have, int want, const char *form)
{
    if (have == want)
        return 1;
    char s[20];
    dns_zone_report(r->errs, type_tok->at, "%s record with %d field%s of data (expected %s)",
                    tok_str(type_tok, s, sizeof s), have, have == 1 ? "" : "s", form);
    return 0;
}

/* A type minet knows, written in RFC 3597 form, must still be that type's
 * data: the servers read SOA's numbers and the names in NS, MX, … */
static bool generic_fits(Rd *r, uint16_t type, const Token *type_tok, const char *p, size_t len)
{
    const uint8_t *d = (const uint8_t *)p;
    DnsName n1, n2;
    bool ok = true;
    switch (type) {
    case DNS_TYPE_A:
        ok = len == 4;
        break;
    case DNS_TYPE_AAAA:
        ok = len == 16;
        break;
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        ok = dns_name_from_wire(&n1, d, len) && n1.len == len;
        break;
    case DNS_TYPE_MX:
        ok = len > 2 && dns_name_from_wire(&n1, d + 2, len - 2) && n1.len == len - 2;
        break;
    case DNS_TYPE_SOA:
        ok = dns_name_from_wire(&n1, d, len) && dns_name_from_wire(&n2, d + n1.len, len - n1.len) &&
             (size_t)n1.len + n2.len + 20 == len;
        break;
    default:
        break;
    }
    if (!ok) {
        char s[20];
        dns_zone_report(r->errs, type_tok->at,
                        "the \\# data is not a valid %s record (expected its usual "
                        "wire form)",
                        tok_str(type_tok, s, sizeof s));
    }
    return ok;
}

/* Parses rdata tokens t[0..n) for type into r->out. */
bool dns_zone_rdata_from_text(Rd *r, uint16_t type, const Token *type_tok, const Token *t, int n)
{
    char s[80];
    if (n >= 1 && tok_is(&t[0], "\\#")) {
        /* RFC 3597: \# LENGTH HEX… */
        uint32_t len;
        if (n >= 2 && !parse_u32(&t[1], 65535, &len) && parse_u32(&t[1], UINT32_MAX, &len)) {
            dns_zone_report(r->errs, t[1].at,
                            "\\# length %u is above 65535 (expected \"\\# LENGTH HEX\")", len);
            return false;
        }
        if (n < 2 || !parse_u32(&t[1], 65535, &len)) {
            dns_zone_report(r->errs, t[0].at, "\\# needs a length (expected \"\\# LENGTH HEX\")");
            return false;
        }
        size_t got = 0;
        for (int i = 2; i < n; i++)
            if (!rd_hex(r, &t[i], &got))
                return false;
        if (got != len) {
            dns_zone_report(r->errs, t[0].at, "\\# says %u bytes but %zu follow", len, got);
            return false;
        }
        const char *rdata = got ? r->out->data + r->out->len - got : ""; /* \# 0: none yet */
        return generic_fits(r, type, type_tok, rdata, got);
    }
    switch (type) {
    case DNS_TYPE_A: {
        uint32_t ip;
        if (!want_fields(r, type_tok, n, 1, "one IPv4 address"))
            return false;
        if (!ip_parse(tok_str(&t[0], s, sizeof s), &ip)) {
            dns_zone_report(r->errs, t[0].at,
                            "\"%s\" is not an IPv4 address (expected a dotted quad "
                            "like 192.0.2.1)",
                            s);
            return false;
        }
        uint8_t b[4];
        put_be32(b, ip);
        buf_put(r->out, b, 4);
        return true;
    }
    case DNS_TYPE_AAAA: {
        uint8_t b[16];
        if (!want_fields(r, type_tok, n, 1, "one IPv6 address"))
            return false;
        if (inet_pton(AF_INET6, tok_str(&t[0], s, sizeof s), b) != 1) {
            dns_zone_report(r->errs, t[0].at,
                            "\"%s\" is not an IPv6 address (expected a form like "
                            "2001:db8::1)",
                            s);
            return false;
        }
        buf_put(r->out, b, 16);
        return true;
    }
    case DNS_TYPE_NS:
    case DNS_TYPE_CNAME:
    case DNS_TYPE_PTR:
        return want_fields(r, type_tok, n, 1, "one domain name") && rd_name(r, &t[0]);
    case DNS_TYPE_MX:
        return want_fields(r, type_tok, n, 2, "a preference and a mail server: 10 mail") &&
               rd_u16(r, &t[0], "preference") && rd_name(r, &t[1]);
    case DNS_TYPE_SOA: {
        if (!want_fields(r, type_tok, n, 7,
                         "MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM, 7 fields"))
            return false;
        if (!rd_name(r, &t[0]) || !rd_name(r, &t[1]))
            return false;
        static const char *const what[] = {"serial", "refresh", "retry", "expire", "minimum"};
        for (int i = 0; i < 5; i++) {
            uint32_t v;
            bool ok = i == 0 ? parse_u32(&t[2], UINT32_MAX, &v) : dns_zone_parse_ttl(&t[2 + i], &v);
            if (!ok) {
                dns_zone_report(r->errs, t[2 + i].at, "\"%s\" is not a valid SOA %s (expected %s)",
                                tok_str(&t[2 + i], s, sizeof s), what[i],
                                i == 0 ? "a number from 0 to 4294967295"
                                       : "a time like 3600 or 1h");
                return false;
            }
            uint8_t b[4];
            put_be32(b, v);
            buf_put(r->out, b, 4);
        }
        return true;
    }
    case DNS_TYPE_TXT:
    case 99: /* SPF */
        if (n < 1) {
            dns_zone_report(r->errs, type_tok->at,
                            "TXT record without text (expected one or more "
                            "strings, like \"v=spf1 -all\")");
            return false;
        }
        for (int i = 0; i < n; i++)
            if (!rd_string(r, &t[i]))
                return false;
        return true;
    case 13: /* HINFO */
        return want_fields(r, type_tok, n, 2, "CPU and OS strings") && rd_string(r, &t[0]) &&
               rd_string(r, &t[1]);
    case 33: /* SRV */
        return want_fields(r, type_tok, n, 4, "PRIORITY WEIGHT PORT TARGET") &&
               rd_u16(r, &t[0], "priority") && rd_u16(r, &t[1], "weight") &&
               rd_u16(r, &t[2], "port") && rd_name(r, &t[3]);
    case 257: { /* CAA */
        uint32_t flags;
        if (!want_fields(r, type_tok, n, 3, "FLAGS TAG VALUE, like 0 issue \"ca.example\""))
            return false;
        if (!parse_u32(&t[0], 255, &flags)) {
            dns_zone_report(r->errs, t[0].at, "\"%s\" is not valid CAA flags (expected 0 to 255)",
                            tok_str(&t[0], s, sizeof s));
            return false;
        }
        buf_putc(r->out, (char)flags);
        if (t[1].len == 0 || t[1].len > 255) {
            dns_zone_report(r->errs, t[1].at, "bad CAA tag (expected a word like issue)");
            return false;
        }
        buf_putc(r->out, (char)t[1].len);
        buf_put(r->out, t[1].s, t[1].len);
        /* The value is the rest of the rdata, not a <character-string>. */
        size_t before = r->out->len;
        if (!rd_string(r, &t[2]))
            return false;
        memmove(r->out->data + before, r->out->data + before + 1, r->out->len - before - 1);
        r->out->len--;
        return true;
    }
    default:
        dns_zone_report(r->errs, type_tok->at,
                        "minet cannot read %s records in this form (expected the RFC 3597 form "
                        "\"\\# LENGTH HEX\")",
                        tok_str(type_tok, s, sizeof s));
        return false;
    }
}

bool dns_zone_type_from_token(const Token *t, uint16_t *type)
{
    char s[24];
    if (t->len >= sizeof s || t->quoted)
        return false;
    /* Most of a zone's records are addresses: A is known without copying
     * the token and searching the table. */
    if (t->len == 1 && (t->s[0] == 'A' || t->s[0] == 'a')) {
        *type = DNS_TYPE_A;
        return true;
    }
    tok_str(t, s, sizeof s);
    return dns_type_from_name(s, type); /* every type dig 9.18 names */
}
