#include "dissect.h"

#include "net/eth.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "net/udp.h"
#include "net/world.h"
#include "proto/dns_wire.h"

static const char *unreach_name(uint8_t code)
{
    static const char *const names[] = {"net unreachable",      "host unreachable",
                                        "protocol unreachable", "port unreachable",
                                        "fragmentation needed", "source route failed"};
    return code < MN_ARRAY_LEN(names) ? names[code] : "destination unreachable";
}

static void icmp_summary(const uint8_t *p, size_t len, uint8_t ttl, Buf *out)
{
    if (len < ICMP_HLEN) {
        buf_puts(out, "ICMP (truncated)");
        return;
    }
    uint16_t id = get_be16(p + 4), seq = get_be16(p + 6);
    switch (p[0]) {
    case ICMP_ECHO_REQUEST:
        buf_printf(out, "ICMP echo request id=0x%04x seq=%u ttl=%u", id, seq, ttl);
        break;
    case ICMP_ECHO_REPLY:
        buf_printf(out, "ICMP echo reply id=0x%04x seq=%u ttl=%u", id, seq, ttl);
        break;
    case ICMP_TIME_EXCEEDED:
        buf_puts(out, "ICMP time exceeded (TTL expired in transit)");
        break;
    case ICMP_DEST_UNREACH:
        buf_printf(out, "ICMP destination unreachable (%s)", unreach_name(p[1]));
        break;
    default:
        buf_printf(out, "ICMP type %u code %u", p[0], p[1]);
        break;
    }
}

static void udp_summary(const uint8_t *p, size_t len, Buf *out)
{
    if (len < UDP_HLEN) {
        buf_puts(out, "UDP (truncated)");
        return;
    }
    uint16_t sport = get_be16(p), dport = get_be16(p + 2), ulen = get_be16(p + 4);
    if ((sport == 53 || dport == 53) && ulen >= UDP_HLEN && ulen <= len) {
        DnsMsg m;
        char why[160];
        dns_msg_init(&m);
        if (dns_decode(&m, p + UDP_HLEN, ulen - UDP_HLEN, why, sizeof why)) {
            buf_puts(out, "DNS ");
            dns_msg_summary(&m, out);
        } else {
            buf_printf(out, "DNS (malformed: %s)", why);
        }
        dns_msg_fini(&m);
        return;
    }
    buf_printf(out, "UDP %u -> %u len=%u", sport, dport, ulen);
}

void dissect_summary(const uint8_t *frame, size_t len, Buf *out)
{
    if (len < ETH_HLEN) {
        buf_puts(out, "runt frame");
        return;
    }
    if (get_be16(frame + 12) != ETH_TYPE_IPV4) {
        buf_printf(out, "ethertype 0x%04x", get_be16(frame + 12));
        return;
    }
    const uint8_t *ip = frame + ETH_HLEN;
    size_t iplen = len - ETH_HLEN;
    if (iplen < IPV4_HLEN || (ip[0] >> 4) != 4 || (size_t)(ip[0] & 15) * 4 < IPV4_HLEN ||
        (size_t)(ip[0] & 15) * 4 > iplen) {
        buf_puts(out, "IPv4 (malformed header)");
        return;
    }
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t total = get_be16(ip + 2);
    if (total > iplen || total < ihl)
        total = iplen;
    char src[16], dst[16];
    ip_format(get_be32(ip + 12), src);
    ip_format(get_be32(ip + 16), dst);
    buf_printf(out, "%s -> %s ", src, dst);
    const uint8_t *body = ip + ihl;
    size_t body_len = total - ihl;
    switch (ip[9]) {
    case IP_PROTO_ICMP:
        icmp_summary(body, body_len, ip[8], out);
        break;
    case IP_PROTO_UDP:
        udp_summary(body, body_len, out);
        break;
    default:
        buf_printf(out, "IP protocol %u", ip[9]);
        break;
    }
}

const char *dissect_protocol(const uint8_t *frame, size_t len)
{
    if (len < ETH_HLEN + IPV4_HLEN || get_be16(frame + 12) != ETH_TYPE_IPV4)
        return "ETH";
    switch (frame[ETH_HLEN + 9]) {
    case IP_PROTO_ICMP:
        return "ICMP";
    case IP_PROTO_UDP: {
        size_t ihl = (size_t)(frame[ETH_HLEN] & 15) * 4;
        const uint8_t *u = frame + ETH_HLEN + ihl;
        if (len >= ETH_HLEN + ihl + UDP_HLEN && (get_be16(u) == 53 || get_be16(u + 2) == 53))
            return "DNS";
        return "UDP";
    }
    case IP_PROTO_TCP:
        return "TCP";
    default:
        return "IPv4";
    }
}
