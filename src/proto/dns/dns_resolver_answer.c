/* dns_resolver_answer — the resolver's answer to a client: from its cache
 * (the records a lookup gathered, CNAMEs first), a negative answer with
 * its SOA, or, to a query without RD, a referral; cut to fit UDP as
 * Unbound cuts it, sent over UDP or the client's TCP connection, with the
 * caption that says what it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipv4.h"
#include "net/udp.h"
#include "proto/dns/dns_cache.h"
#include "proto/dns/dns_pack.h"
#include "proto/dns/dns_resolver_int.h"
#include "proto/dns/dns_tcp.h"
#include "proto/dns/dns_wire.h"

/* A UDP answer that does not fit, as Unbound cuts it: the answer
 * section's RRsets that fit whole, nothing of the other sections but the
 * OPT record, TC set.  Returns the new length of out. */
static size_t truncate_whole(DnsMsg *m, uint8_t *out, size_t limit)
{
    size_t fit = get_be16(out + 6); /* answer records the encoder kept */
    size_t keep = 0;
    for (size_t i = 0; i < fit;) {
        size_t end = i + 1;
        while (end < m->n[DNS_ANSWER] && m->rr[DNS_ANSWER][end].type == m->rr[DNS_ANSWER][i].type &&
               dns_name_equal(m->rr[DNS_ANSWER][end].name, m->rr[DNS_ANSWER][i].name))
            end++;
        if (end > fit)
            break; /* this RRset was cut: it goes, and all after it */
        keep = i = end;
    }
    m->n[DNS_ANSWER] = keep;
    m->n[DNS_AUTHORITY] = 0;
    size_t opt = 0;
    for (size_t i = 0; i < m->n[DNS_ADDITIONAL]; i++)
        if (m->rr[DNS_ADDITIONAL][i].type == DNS_TYPE_OPT)
            m->rr[DNS_ADDITIONAL][opt++] = m->rr[DNS_ADDITIONAL][i];
    m->n[DNS_ADDITIONAL] = opt;
    m->tc = true;
    return dns_encode(m, out, limit);
}

/* A referral from the cache: the closest delegation's NS records in the
 * authority section and the addresses the cache holds for them in the
 * additional one, each with the seconds it has left; from the hints when
 * the cache holds no delegation.  As Unbound answers a query without RD;
 * asked so before it has asked any server, Unbound primes its cache (asks
 * a root server for ". NS") and gives the root's NS records in the answer
 * section. */
/* ttl counted down from the priming, in whole seconds as Unbound counts
 * (and primed again each time it runs out). */
static uint32_t since_priming(const Resolver *r, uint32_t ttl)
{
    SimTime now_s = r->sim->now / 1000000, primed_s = r->primed_at / 1000000;
    return ttl ? ttl - (uint32_t)((uint64_t)(now_s - primed_s) % ttl) : 0;
}

static void add_referral(Task *t, DnsMsg *m)
{
    Resolver *r = t->r;
    DnsName zone;
    task_zone(t, &zone);
    DnsCacheEntry *ns = dns_cache_get(&r->cache, &zone, DNS_TYPE_NS);
    bool cached = ns && ns->kind == DNS_CACHE_RRSET;
    DnsSection sec = cached || r->primed ? DNS_AUTHORITY : DNS_ANSWER;
    resolver_primed(r);
    uint32_t ns_ttl =
        cached ? dns_cache_ttl_left(&r->cache, ns) : since_priming(r, r->hints_ns_ttl);
    for (int i = 0; i < t->nservers; i++)
        dns_msg_add_rr(m, sec, &zone, DNS_TYPE_NS, DNS_CLASS_IN, ns_ttl, t->servers[i].name->data,
                       t->servers[i].name->len);
    for (int i = 0; i < t->nservers; i++) {
        const Server *s = &t->servers[i];
        if (!cached) {
            uint8_t a[4];
            put_be32(a, s->addr);
            dns_msg_add_rr(m, DNS_ADDITIONAL, s->name, DNS_TYPE_A, DNS_CLASS_IN,
                           since_priming(r, r->hints_a_ttl), a, 4);
            continue;
        }
        static const uint16_t types[] = {DNS_TYPE_A, DNS_TYPE_AAAA};
        for (size_t k = 0; k < MN_ARRAY_LEN(types); k++) {
            DnsCacheEntry *g = dns_cache_get(&r->cache, s->name, types[k]);
            for (size_t j = 0; g && g->kind == DNS_CACHE_RRSET && j < g->n; j++)
                dns_msg_add_rr(m, DNS_ADDITIONAL, s->name, types[k], DNS_CLASS_IN,
                               dns_cache_ttl_left(&r->cache, g), g->rdata[j], g->rdlen[j]);
        }
    }
}

/* The answer records of final, an RRset from the cache, in the order round
 * robin gives this time: where the first of them is in final. */
static size_t rotation_start(Resolver *r, const DnsCacheEntry *final)
{
    DnsCacheEntry *e = (DnsCacheEntry *) final;
    return (r->round_robin && e->n > 1) ? e->rotation++ % e->n : 0;
}

/* The second 16 bits of the answer's header: QR, the query's RD and CD,
 * RA (Unbound's error_encode gives the query's flags back instead, and
 * no RA), AD only then, and rcode. */
static uint16_t answer_flags(const Task *t, uint8_t rcode)
{
    return (uint16_t)(0x8000 | (t->rd ? 0x0100 : 0) | (!t->echo_flags ? 0x0080 : 0) |
                      (t->echo_flags && t->ad ? 0x0020 : 0) | (t->cd ? 0x0010 : 0) | rcode);
}

/* Most answers are one cached RRset of addresses for the name asked (A or
 * AAAA, no alias before it, nothing in the other sections but the OPT
 * record): such an answer is written straight into out, as dns_write_query
 * writes a query, without building a message to encode.  These are the
 * bytes dns_encode writes for it: the question as asked, each owner a
 * pointer to it (RFC 1035 4.1.4; the cache found final by that name, case
 * aside), and address data that holds no name.  Returns the length, or 0,
 * writing nothing, for any other answer or one longer than limit. */
static size_t write_addresses(Task *t, uint8_t rcode, const DnsCacheEntry *final, uint8_t *out,
                              size_t limit)
{
    const DnsName *q = task_qname(t);
    if (!final || final->kind != DNS_CACHE_RRSET || t->chain || t->referral ||
        (final->type != DNS_TYPE_A && final->type != DNS_TYPE_AAAA) || q->len < 2 ||
        !dns_name_equal(&final->name, q))
        return 0;
    size_t size = DNS_HEADER_LEN + q->len + 4 + (t->edns ? 11 : 0);
    for (size_t i = 0; i < final->n; i++)
        size += 12 + final->rdlen[i];
    if (size > limit)
        return 0; /* cut as encode_answer cuts it */
    Resolver *r = t->r;
    put_be16(out, t->cid);
    put_be16(out + 2, answer_flags(t, rcode));
    put_be16(out + 4, 1);
    put_be16(out + 6, (uint16_t) final->n);
    put_be16(out + 8, 0);
    put_be16(out + 10, t->edns ? 1 : 0);
    uint8_t *p = out + DNS_HEADER_LEN;
    memcpy(p, q->data, q->len);
    p += q->len;
    put_be16(p, t->qtype);
    put_be16(p + 2, t->qclass);
    p += 4;
    size_t start = rotation_start(r, final);
    uint32_t left = dns_cache_ttl_left(&r->cache, final);
    for (size_t i = 0; i < final->n; i++) {
        size_t k = (start + i) % final->n;
        put_be16(p, 0xC000 | DNS_HEADER_LEN);
        put_be16(p + 2, final->type);
        put_be16(p + 4, DNS_CLASS_IN);
        put_be32(p + 6, left);
        put_be16(p + 10, final->rdlen[k]);
        memcpy(p + 12, final->rdata[k], final->rdlen[k]);
        p += 12 + final->rdlen[k];
    }
    if (t->edns) { /* as dns_msg_add_opt makes it, with DO if the query had it */
        p[0] = 0;
        put_be16(p + 1, DNS_TYPE_OPT);
        put_be16(p + 3, EDNS_SIZE);
        put_be32(p + 5, t->dnssec ? 0x8000 : 0);
        put_be16(p + 9, 0);
        p += 11;
    }
    return (size_t)(p - out);
}

/* Most other answers have no records but the SOA of a negative answer
 * (NXDOMAIN, or no record of the type asked) and the OPT record: such an
 * answer is written straight into out, as write_addresses writes one, in
 * the bytes dns_encode writes for it (dns_pack).  Returns the length, or
 * 0, for any other answer, or one that may not fit in limit. */
static size_t write_negative(Task *t, uint8_t rcode, const DnsCacheEntry *final, const DnsRR *soa,
                             uint8_t *out, size_t limit)
{
    const DnsName *q = task_qname(t);
    if ((final && final->kind == DNS_CACHE_RRSET) || t->chain || t->referral || q->len < 2)
        return 0;
    /* At most this long: compression only makes it shorter, so it is never cut. */
    size_t size = DNS_HEADER_LEN + q->len + 4 + (soa ? soa->name->len + 10u + soa->rdlen : 0) +
                  (t->edns ? 11 : 0);
    if (size > limit)
        return 0;
    put_be16(out, t->cid);
    put_be16(out + 2, answer_flags(t, rcode));
    put_be16(out + 4, 1);
    put_be16(out + 6, 0);
    put_be16(out + 8, soa ? 1 : 0);
    put_be16(out + 10, t->edns ? 1 : 0);
    DnsPacker k;
    dns_pack_start(&k, out);
    if (!dns_pack_name(&k, q->data, q->len))
        return 0;
    put_be16(out + k.pos, t->qtype);
    put_be16(out + k.pos + 2, t->qclass);
    k.pos += 4;
    if (soa) {
        DnsRR given = *soa; /* with the TTL a negative answer gives it */
        given.ttl = resolver_negative_ttl(soa);
        if (!dns_pack_rr(&k, &given))
            return 0;
    }
    if (t->edns) { /* as write_addresses writes it */
        uint8_t *p = out + k.pos;
        p[0] = 0;
        put_be16(p + 1, DNS_TYPE_OPT);
        put_be16(p + 3, EDNS_SIZE);
        put_be32(p + 5, t->dnssec ? 0x8000 : 0);
        put_be16(p + 9, 0);
        k.pos += 11;
    }
    return k.pos;
}

/* Any answer: built as a message and encoded into out (at most limit
 * bytes), cut as Unbound cuts it if it does not fit (*tc).  *answers: the
 * answer records it has before it is cut. */
static size_t encode_answer(Task *t, uint8_t rcode, const DnsCacheEntry *final, const DnsRR *soa,
                            uint8_t *out, size_t limit, size_t *answers, bool *tc)
{
    Resolver *r = t->r;
    DnsMsg *m = &r->reply;
    dns_msg_reset(m);
    uint16_t flags = answer_flags(t, rcode);
    m->id = t->cid;
    m->qr = true;
    m->rd = flags & 0x0100;
    m->ra = flags & 0x0080;
    m->ad = flags & 0x0020;
    m->cd = flags & 0x0010;
    m->rcode = rcode;
    dns_msg_add_question(m, task_qname(t), t->qtype, t->qclass);
    for (size_t i = 0; t->chain && i < t->chain->n[DNS_ANSWER]; i++) {
        const DnsRR *c = &t->chain->rr[DNS_ANSWER][i];
        DnsCacheEntry *e = dns_cache_get(&r->cache, c->name, DNS_TYPE_CNAME);
        uint32_t ttl = e ? dns_cache_ttl_left(&r->cache, e) : c->ttl;
        dns_msg_add_rr(m, DNS_ANSWER, c->name, c->type, c->klass, ttl, c->rdata, c->rdlen);
    }
    if (final && final->kind == DNS_CACHE_RRSET) {
        const DnsCacheEntry *e = final;
        size_t start = rotation_start(r, e);
        uint32_t left = dns_cache_ttl_left(&r->cache, e);
        for (size_t i = 0; i < e->n; i++) {
            size_t k = (start + i) % e->n;
            dns_msg_add_rr(m, DNS_ANSWER, &e->name, e->type, DNS_CLASS_IN, left, e->rdata[k],
                           e->rdlen[k]);
        }
    }
    if (soa)
        dns_msg_add_rr(m, DNS_AUTHORITY, soa->name, soa->type, soa->klass,
                       resolver_negative_ttl(soa), soa->rdata, soa->rdlen);
    if (t->referral)
        add_referral(t, m);
    /* Addresses the cache holds for the name servers an NS answer names,
     * where they came with an answer from the zone's servers: Unbound
     * gives the additional records of the answer it keeps (with its
     * default minimal-responses, not for MX), not a referral's glue. */
    for (size_t i = 0; final && i < m->n[DNS_ANSWER]; i++) {
        const DnsRR *a = &m->rr[DNS_ANSWER][i];
        size_t off = a->type == DNS_TYPE_MX ? 2 : 0;
        DnsName target;
        if (a->type != DNS_TYPE_NS || a->rdlen <= off ||
            !dns_name_from_wire(&target, a->rdata + off, a->rdlen - off))
            continue;
        DnsCacheEntry *g = dns_cache_get(&r->cache, &target, DNS_TYPE_A);
        if (g && !g->answer && !g->aa_additional)
            continue;
        for (size_t k = 0; g && g->kind == DNS_CACHE_RRSET && k < g->n; k++)
            dns_msg_add_rr(m, DNS_ADDITIONAL, &target, DNS_TYPE_A, DNS_CLASS_IN,
                           dns_cache_ttl_left(&r->cache, g), g->rdata[k], g->rdlen[k]);
    }
    if (t->edns) {
        dns_msg_add_opt(m, EDNS_SIZE, NULL, 0);
        if (t->dnssec) /* DO: the client asked for DNSSEC records (none here) */
            m->rr[DNS_ADDITIONAL][m->n[DNS_ADDITIONAL] - 1].ttl |= 0x8000;
    }
    size_t n = dns_encode(m, out, limit);
    *tc = n >= 4 && (out[2] & 0x02);
    *answers = m->n[DNS_ANSWER];
    return *tc ? truncate_whole(m, out, limit) : n;
}

void resolver_reply(Task *t, uint8_t rcode, const DnsCacheEntry *final, const DnsRR *soa)
{
    Resolver *r = t->r;
    Sim *sim = r->sim;
    /* Over UDP the answer is cut to 512 bytes (no EDNS) or the EDNS size,
     * with TC set; over TCP only the 16-bit length limits it. */
    Client *conn = t->conn;
    size_t limit = conn ? DNS_TCP_MAX : t->edns ? EDNS_SIZE : DNS_UDP_MAX;
    uint8_t udp[EDNS_SIZE];
    uint8_t *out = conn ? xmalloc(limit) : udp;
    size_t answers = 0; /* for the caption: what the answer is */
    bool tc = false;
    size_t n = write_addresses(t, rcode, final, out, limit);
    if (n)
        answers = final->n;
    else if (!(n = write_negative(t, rcode, final, soa, out, limit)))
        n = encode_answer(t, rcode, final, soa, out, limit, &answers, &tc);
    uint64_t pkt = conn ? 0 : sim_packet_id(sim);
    Ipv4Route route;
    NetErr e = conn ? NET_OK : ipv4_send_check(sim, r->node, t->client, UDP_HLEN + n, &route);
    Buf cap;
    buf_init(&cap);
    if (trace_wanted(&sim->trace)) {
        char qn[300], zn[300], tb[16], rc[16], why[200];
        DnsName zone;
        task_zone(t, &zone);
        dns_name_prose(task_qname(t), qn, sizeof qn);
        const char *client = resolver_who(r, t->client);
        if (e != NET_OK)
            buf_printf(&cap, "%s cannot answer %s about %s: %s.", resolver_node_id(r), client, qn,
                       ipv4_err_reason(sim, r->node, t->client, e, why, sizeof why));
        else if (t->referral && t->zone_labels == 0)
            buf_printf(&cap,
                       "%s answers %s from its cache alone. It knows nothing of %s %s, so it "
                       "refers %s to the root servers (a referral, as a root or TLD server "
                       "gives)%s.",
                       resolver_node_id(r), client, qn, dns_type_name(t->qtype, tb), client,
                       answers ? ", in the answer section, as Unbound does before its first lookup"
                               : "");
        else if (t->referral)
            buf_printf(&cap,
                       "%s answers %s from its cache alone. It holds no answer for %s %s, so it "
                       "refers %s to the closest servers it knows, %s's (a referral, as a root "
                       "or TLD server gives).",
                       resolver_node_id(r), client, qn, dns_type_name(t->qtype, tb), client,
                       dns_name_prose(&zone, zn, sizeof zn));
        else if (rcode == DNS_RCODE_NOERROR && answers)
            buf_printf(&cap,
                       "%s answers %s: %s %s, with RA set (it does recursion) and AA clear (the "
                       "answer comes from its cache, not from the zone's own server).",
                       resolver_node_id(r), client, qn, dns_type_name(t->qtype, tb));
        else if (rcode == DNS_RCODE_NOERROR)
            buf_printf(&cap, "%s tells %s that %s has no %s record (NOERROR, empty answer).",
                       resolver_node_id(r), client, qn, dns_type_name(t->qtype, tb));
        else
            buf_printf(&cap, "%s answers %s with %s for %s.", resolver_node_id(r), client,
                       dns_rcode_name(rcode, rc), qn);
        if (e == NET_OK && tc)
            buf_printf(&cap,
                       " The answer does not fit in %zu bytes (%s): as Unbound, it sends only the "
                       "record sets that fit whole, with TC set (truncated), and the client should "
                       "ask again over TCP.",
                       limit, t->edns ? "the EDNS size" : "a UDP message without EDNS");
        if (e == NET_OK && conn)
            buf_printf(&cap,
                       " It goes back over %s's TCP connection (%zu bytes and their 2-byte "
                       "length).",
                       client, n);
    }
    if (conn) {
        if (conn->d)
            dns_tcp_send(conn->d, out, n, cap.data);
        else
            trace_note(&sim->trace, sim->now, 0,
                       "%s has the answer for %s, but the client closed its TCP connection: it "
                       "is dropped.",
                       resolver_node_id(r), resolver_who(r, t->client));
    } else if (e == NET_OK) {
        if (cap.data)
            trace_note(&sim->trace, sim->now, pkt, "%s", cap.data);
        else
            trace_note_skip(&sim->trace);
        udp_send_on(sim, &route, pkt, 53, t->cport, 0, out, n, NULL);
    } else if (cap.data) {
        trace_note(&sim->trace, sim->now, 0, "%s", cap.data);
    } else {
        trace_note_skip(&sim->trace);
    }
    buf_fini(&cap);
    if (out != udp)
        free(out);
}
