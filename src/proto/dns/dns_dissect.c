#include "proto/dns/dns_dissect.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto/dns/dns_tcp.h"
#include "proto/dns/dns_wire.h"

/* ---- the summary ---------------------------------------------------------- */

void dns_dissect_summary(const DissectPayload *p, Buf *out)
{
    DnsMsg m;
    char why[160];
    dns_msg_init(&m);
    if (dns_decode(&m, p->frame + p->off, p->len, why, sizeof why))
        dns_msg_summary(&m, out);
    else
        buf_printf(out, "(malformed: %s)", why);
    dns_msg_fini(&m);
}

/* ---- the map's label -------------------------------------------------------- */

/* "www.montana.edu" (no final dot; "." stays "."). */
static void name_text(const DnsName *n, char *buf, size_t size)
{
    dns_name_str(n, buf, size);
    size_t len = strlen(buf);
    if (len > 1 && buf[len - 1] == '.')
        buf[len - 1] = '\0';
}

static void msg_label(const DnsMsg *m, char *label, size_t size)
{
    char name[DNS_NAME_MAX * 4 + 8], type[16], rd[64];
    if (m->n_qd == 0) {
        snprintf(label, size, "DNS");
        return;
    }
    const DnsQuestion *q = &m->qd[0];
    name_text(&q->name, name, sizeof name);
    if (!m->qr) {
        snprintf(label, size, "%s? %s", dns_type_name(q->type, type), name);
        return;
    }
    if (m->rcode == DNS_RCODE_NXDOMAIN) {
        snprintf(label, size, "NXDOMAIN %s", name);
        return;
    }
    if (m->rcode != DNS_RCODE_NOERROR) {
        snprintf(label, size, "%s", dns_rcode_name(m->rcode, type));
        return;
    }
    /* The last answer record is the one the question asked for (after any
     * CNAMEs); a round-robin set shows its first member and a count. */
    size_t na = m->n[DNS_ANSWER];
    if (na > 0) {
        const DnsRR *last = &m->rr[DNS_ANSWER][na - 1];
        size_t first = na - 1, same = 0;
        for (size_t i = na; i-- > 0;) {
            if (m->rr[DNS_ANSWER][i].type != last->type)
                break;
            first = i;
            same++;
        }
        const DnsRR *rr = &m->rr[DNS_ANSWER][first];
        Buf b;
        buf_init(&b);
        dns_rdata_to_text(rr->type, rr->rdata, rr->rdlen, &b);
        if (b.len > 1 && b.data[b.len - 1] == '.')
            b.data[--b.len] = '\0';
        if (same > 1)
            snprintf(rd, sizeof rd, " +%zu", same - 1);
        else
            rd[0] = '\0';
        snprintf(label, size, "%s %s%s", dns_type_name(rr->type, type), b.data, rd);
        buf_fini(&b);
        return;
    }
    for (size_t i = 0; i < m->n[DNS_AUTHORITY]; i++) {
        const DnsRR *rr = &m->rr[DNS_AUTHORITY][i];
        if (rr->type == DNS_TYPE_NS) {
            name_text(rr->name, name, sizeof name);
            snprintf(label, size, "referral: %s", name);
            return;
        }
    }
    snprintf(label, size, "no %s (NODATA)", dns_type_name(q->type, type));
}

void dns_dissect_label(const DissectPayload *p, char *label, size_t size, bool *response)
{
    snprintf(label, size, "DNS");
    *response = false;
    if (p->len < DNS_HEADER_LEN)
        return;
    const uint8_t *d = p->frame + p->off;
    *response = (d[2] & 0x80) != 0;
    DnsMsg m;
    dns_msg_init(&m);
    char why[128];
    if (dns_decode(&m, d, p->len, why, sizeof why))
        msg_label(&m, label, size);
    dns_msg_fini(&m);
}

/* ---- the tree ----------------------------------------------------------------- */

/* The flag bits of a DNS header, one line each, as Wireshark draws them:
 * the 16 bits with the field's own shown and the others as dots. */
static void dns_flag(DissectTree *t, size_t o, uint16_t flags, int hi, int width, const char *what)
{
    char bits[24];
    size_t k = 0;
    for (int b = 15; b >= 0; b--) {
        bool mine = b <= hi && b > hi - width;
        bits[k++] = mine ? (char)('0' + ((flags >> b) & 1)) : '.';
        if (b % 4 == 0 && b)
            bits[k++] = ' ';
    }
    bits[k] = '\0';
    dissect_add(t, 2, o + 2, 2, "%s = %s", bits, what);
}

static void dns_section_tree(const DnsMsg *m, int s, size_t o, DissectTree *t)
{
    static const char *const titles[DNS_SECTIONS] = {"Answers", "Authoritative nameservers",
                                                     "Additional records"};
    if (m->n[s] == 0)
        return;
    const DnsRR *first = &m->rr[s][0], *last = &m->rr[s][m->n[s] - 1];
    dissect_add(t, 1, o + first->wire_off, last->wire_off + last->wire_len - first->wire_off, "%s",
                titles[s]);
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < m->n[s]; i++) {
        buf_clear(&b);
        dns_rr_inspect(&m->rr[s][i], &b);
        dissect_add(t, 2, o + m->rr[s][i].wire_off, m->rr[s][i].wire_len, "%s", b.data);
    }
    buf_fini(&b);
}

void dns_dissect_tree(const DissectPayload *pl, DissectTree *t)
{
    size_t o = pl->off;
    DnsMsg m;
    char why[160];
    dns_msg_init(&m);
    if (!dns_decode(&m, pl->frame + o, pl->len, why, sizeof why)) {
        dissect_add(t, 0, o, pl->len, "Domain Name System (malformed: %s)", why);
        dns_msg_fini(&m);
        return;
    }
    dissect_add(t, 0, o, pl->len, "Domain Name System (%s)", m.qr ? "response" : "query");
    const uint8_t *p = pl->frame + o;
    dissect_add(t, 1, o, 2, "Transaction ID: 0x%04x", m.id);
    uint16_t flags = get_be16(p + 2);
    const char *op = dns_opcode_words(m.opcode), *rc = dns_rcode_words(m.rcode);
    char opbuf[32], rcbuf[32], line[96];
    if (!op) {
        snprintf(opbuf, sizeof opbuf, "Unknown operation (%u)", m.opcode);
        op = opbuf;
    }
    if (!rc) {
        snprintf(rcbuf, sizeof rcbuf, "Unknown error (%u)", m.rcode);
        rc = rcbuf;
    }
    if (m.qr)
        dissect_add(t, 1, o + 2, 2, "Flags: 0x%04x %s response, %s", flags, op, rc);
    else
        dissect_add(t, 1, o + 2, 2, "Flags: 0x%04x %s", flags, op);
    dns_flag(t, o, flags, 15, 1,
             m.qr ? "Response: Message is a response" : "Response: Message is a query");
    snprintf(line, sizeof line, "Opcode: %s (%u)", op, m.opcode);
    dns_flag(t, o, flags, 14, 4, line);
    if (m.qr)
        dns_flag(t, o, flags, 10, 1,
                 m.aa ? "Authoritative: Server is an authority for domain"
                      : "Authoritative: Server is not an authority for domain");
    dns_flag(t, o, flags, 9, 1,
             m.tc ? "Truncated: Message is truncated" : "Truncated: Message is not truncated");
    dns_flag(t, o, flags, 8, 1,
             m.rd ? "Recursion desired: Do query recursively"
                  : "Recursion desired: Don't do query recursively");
    if (m.qr) {
        dns_flag(t, o, flags, 7, 1,
                 m.ra ? "Recursion available: Server can do recursive queries"
                      : "Recursion available: Server can't do recursive queries");
        snprintf(line, sizeof line, "Reply code: %s (%u)", rc, m.rcode);
        dns_flag(t, o, flags, 3, 4, line);
    }
    dissect_add(t, 1, o + 4, 2, "Questions: %u", get_be16(p + 4));
    dissect_add(t, 1, o + 6, 2, "Answer RRs: %u", get_be16(p + 6));
    dissect_add(t, 1, o + 8, 2, "Authority RRs: %u", get_be16(p + 8));
    dissect_add(t, 1, o + 10, 2, "Additional RRs: %u", get_be16(p + 10));
    if (m.n_qd) {
        const DnsQuestion *last = &m.qd[m.n_qd - 1];
        dissect_add(t, 1, o + m.qd[0].wire_off, last->wire_off + last->wire_len - m.qd[0].wire_off,
                    "Queries");
        Buf b;
        buf_init(&b);
        for (size_t i = 0; i < m.n_qd; i++) {
            buf_clear(&b);
            dns_question_inspect(&m.qd[i], &b);
            dissect_add(t, 2, o + m.qd[i].wire_off, m.qd[i].wire_len, "%s", b.data);
        }
        buf_fini(&b);
    }
    for (int s = 0; s < DNS_SECTIONS; s++)
        dns_section_tree(&m, s, o, t);
    dns_msg_fini(&m);
}

/* ---- over TCP (RFC 1035 4.2.2) -------------------------------------------------- */

/* The segment's first message, without its length prefix: false when the
 * segment does not hold a whole one (a part of a longer message). */
static bool tcp_inner(const DissectPayload *p, DissectPayload *in)
{
    const uint8_t *msg;
    size_t len, need;
    if (!dns_tcp_split(p->frame + p->off, p->len, &msg, &len, &need))
        return false;
    *in = *p;
    in->off = p->off + 2;
    in->len = len;
    return true;
}

void dns_tcp_dissect_summary(const DissectPayload *p, Buf *out)
{
    DissectPayload in;
    if (tcp_inner(p, &in))
        dns_dissect_summary(&in, out);
    else
        buf_puts(out, "[TCP segment of a reassembled PDU]");
}

void dns_tcp_dissect_label(const DissectPayload *p, char *label, size_t size, bool *response)
{
    DissectPayload in;
    if (tcp_inner(p, &in)) {
        dns_dissect_label(&in, label, size, response);
        return;
    }
    snprintf(label, size, "DNS (part)");
    *response = !p->to_server;
}

void dns_tcp_dissect_tree(const DissectPayload *p, DissectTree *t)
{
    DissectPayload in;
    if (!tcp_inner(p, &in)) {
        dissect_add(t, 0, p->off, p->len, "Domain Name System (a part of a longer message)");
        if (p->len >= 2)
            dissect_add(t, 1, p->off, 2, "Length: %u", get_be16(p->frame + p->off));
        return;
    }
    size_t first = t->n;
    dns_dissect_tree(&in, t);
    if (t->n == first)
        return;
    /* The layer starts at the length, which is its first field. */
    t->f[first].off = (uint32_t)p->off;
    t->f[first].len += 2;
    dissect_add(t, 1, p->off, 2, "Length: %zu", in.len);
    DissectField len = t->f[t->n - 1];
    memmove(&t->f[first + 2], &t->f[first + 1], (t->n - first - 2) * sizeof *t->f);
    t->f[first + 1] = len;
}
