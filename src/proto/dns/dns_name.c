#include "dns_name.h"

#include <stdio.h>
#include <string.h>

void dns_name_root(DnsName *n)
{
    n->len = 1;
    n->labels = 0;
    n->data[0] = 0;
}

/* Appends origin's labels to n (which holds labels without the root). */
static bool append(DnsName *n, size_t used, const DnsName *origin, const char **why)
{
    if (used + origin->len > DNS_NAME_MAX) {
        *why = "name longer than 255 bytes";
        return false;
    }
    memcpy(n->data + used, origin->data, origin->len);
    n->len = (uint8_t)(used + origin->len);
    n->labels = (uint8_t)(n->labels + origin->labels);
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

size_t dns_text_escape(const char *text, size_t len, size_t i, uint8_t *c, const char **why)
{
    const char *d = text + i + 1;
    if (!is_digit(d[0])) {
        *c = (uint8_t)d[0];
        return 2;
    }
    if (i + 3 >= len || !is_digit(d[1]) || !is_digit(d[2])) {
        *why = "\\DDD escape needs three digits";
        return 0;
    }
    unsigned v =
        (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
    if (v > 255) {
        *why = "\\DDD escape above 255";
        return 0;
    }
    *c = (uint8_t)v;
    return 4;
}

bool dns_name_from_text(DnsName *n, const char *text, size_t len, const DnsName *origin,
                        const char **why)
{
    *why = NULL;
    n->labels = 0;
    if (len == 0) {
        *why = "empty name";
        return false;
    }
    if (len == 1 && text[0] == '@') {
        if (!origin) {
            *why = "\"@\" needs an origin";
            return false;
        }
        *n = *origin;
        return true;
    }
    if (len == 1 && text[0] == '.') {
        dns_name_root(n);
        return true;
    }
    size_t used = 1;     /* bytes of data written; data[0] waits for a length */
    size_t label_at = 0; /* where the current label's length byte is */
    /* The first value of used a byte may not be written at: past the
     * label's 63 bytes or the name's 255, whichever comes first.  One
     * comparison a byte; which limit it was is told when one is hit. */
    size_t full = label_at + 1 + DNS_LABEL_MAX;
    bool absolute = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)text[i];
        if (c == '.') {
            size_t label_len = used - label_at - 1;
            if (label_len == 0) {
                *why = "empty label (two dots in a row, or a leading dot)";
                return false;
            }
            n->data[label_at] = (uint8_t)label_len;
            n->labels++;
            if (i == len - 1) {
                absolute = true;
                break;
            }
            label_at = used++;
            if (used > DNS_NAME_MAX) {
                *why = "name longer than 255 bytes";
                return false;
            }
            full = label_at + 1 + DNS_LABEL_MAX < DNS_NAME_MAX ? label_at + 1 + DNS_LABEL_MAX
                                                               : DNS_NAME_MAX;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= len) {
                *why = "a backslash at the end of a name";
                return false;
            }
            uint8_t escaped; /* not c, which would then live in memory */
            size_t took = dns_text_escape(text, len, i, &escaped, why);
            if (!took)
                return false;
            c = escaped;
            i += took - 1;
        }
        if (used >= full) {
            *why = used - label_at - 1 == DNS_LABEL_MAX ? "label longer than 63 bytes"
                                                        : "name longer than 255 bytes";
            return false;
        }
        n->data[used++] = c;
    }
    if (absolute) {
        /* The root's label must fit too: 255 bytes of labels make 256. */
        if (used >= DNS_NAME_MAX) {
            *why = "name longer than 255 bytes";
            return false;
        }
        n->data[used++] = 0;
        n->len = (uint8_t)used;
        return true;
    }
    /* Relative: close the last label, then the origin. */
    n->data[label_at] = (uint8_t)(used - label_at - 1);
    n->labels++;
    if (!origin) {
        *why = "relative name without an origin";
        return false;
    }
    return append(n, used, origin, why);
}

const char *dns_name_bind_reason(const char *why)
{
    if (!why)
        return "bad name";
    if (strstr(why, "label longer"))
        return "label too long";
    if (strstr(why, "longer than 255"))
        return "ran out of space";
    if (strstr(why, "empty label"))
        return "empty label";
    if (strstr(why, "escape"))
        return "bad escape";
    return "unexpected end of input";
}

bool dns_name_parse(DnsName *n, const char *text, const DnsName *origin)
{
    const char *why;
    return dns_name_from_text(n, text, strlen(text), origin, &why);
}

/* memmove for the bytes of a name: most are 8 to 16 bytes, moved as two
 * overlapping 8-byte pieces, both read before either is written (to and
 * from may overlap), without a call. */
static void move_name_bytes(uint8_t *to, const uint8_t *from, size_t n)
{
    if (n < 8 || n > 16) {
        memmove(to, from, n);
        return;
    }
    uint64_t head, tail;
    memcpy(&head, from, 8);
    memcpy(&tail, from + n - 8, 8);
    memcpy(to, &head, 8);
    memcpy(to + n - 8, &tail, 8);
}

bool dns_name_from_wire(DnsName *n, const uint8_t *p, size_t len)
{
    size_t i = 0;
    int labels = 0;
    while (i < len) {
        uint8_t l = p[i];
        if (l == 0) {
            if (i + 1 > DNS_NAME_MAX)
                return false;
            move_name_bytes(n->data, p, i + 1);
            n->len = (uint8_t)(i + 1);
            n->labels = (uint8_t)labels;
            return true;
        }
        if (l > DNS_LABEL_MAX)
            return false;
        i += 1 + (size_t)l;
        labels++;
        if (i >= DNS_NAME_MAX)
            return false;
    }
    return false;
}

/* The longest text form: every byte of a 255-byte name as \DDD, and the
 * final dot. */
#define NAME_TEXT_MAX (4 * DNS_NAME_MAX + 2)

/* How a name's text shows each byte: as it is ('-'), escaped with a
 * backslash before it ('E': . \ " ( ) ; @ $), or as \DDD ('D': the blank,
 * controls and bytes above 0x7e).  One look-up a byte, as most names need no
 * escapes. */
static const char name_byte_kind[257] = "DDDDDDDDDDDDDDDD" /* 0x00 */
                                        "DDDDDDDDDDDDDDDD" /* 0x10 */
                                        "D-E-E---EE----E-" /* 0x20 */
                                        "-----------E----" /* 0x30 */
                                        "E---------------" /* 0x40 */
                                        "------------E---" /* 0x50 */
                                        "----------------" /* 0x60 */
                                        "---------------D" /* 0x70 */
                                        "DDDDDDDDDDDDDDDD" /* 0x80 */
                                        "DDDDDDDDDDDDDDDD" /* 0x90 */
                                        "DDDDDDDDDDDDDDDD" /* 0xa0 */
                                        "DDDDDDDDDDDDDDDD" /* 0xb0 */
                                        "DDDDDDDDDDDDDDDD" /* 0xc0 */
                                        "DDDDDDDDDDDDDDDD" /* 0xd0 */
                                        "DDDDDDDDDDDDDDDD" /* 0xe0 */
                                        "DDDDDDDDDDDDDDDD" /* 0xf0 */;

/* True if no byte of the name's labels needs an escape. */
static bool name_is_plain(const uint8_t *d)
{
    for (size_t i = 0; d[i]; i += 1u + d[i])
        for (size_t k = i + 1; k <= i + d[i]; k++)
            if (name_byte_kind[d[k]] != '-')
                return false;
    return true;
}

/* Writes the text form into t (NAME_TEXT_MAX bytes, not terminated);
 * returns its length. */
static size_t name_text(const DnsName *n, char *t)
{
    if (n->len <= 1) {
        t[0] = '.';
        return 1;
    }
    const uint8_t *d = n->data;
    if (n->len >= 9 && n->len <= 17 && name_is_plain(d)) {
        /* Most names: their text is their bytes after the first (8 to 16
         * of them, copied in two overlapping pieces), each later length
         * byte, the root's too, made a dot. */
        size_t len = n->len - 1u;
        memcpy(t, d + 1, 8);
        memcpy(t + len - 8, d + 1 + len - 8, 8);
        for (size_t i = 0; d[i]; i += 1u + d[i])
            t[i + d[i]] = '.';
        return len;
    }
    size_t i = 0, o = 0;
    for (uint8_t l; i < n->len && (l = d[i++]) != 0;) {
        for (size_t end = i + l; i < end; i++) {
            uint8_t c = d[i];
            char kind = name_byte_kind[c];
            if (kind == '-') {
                t[o++] = (char)c;
            } else if (kind == 'E') {
                t[o++] = '\\';
                t[o++] = (char)c;
            } else {
                t[o++] = '\\';
                t[o++] = (char)('0' + c / 100);
                t[o++] = (char)('0' + c / 10 % 10);
                t[o++] = (char)('0' + c % 10);
            }
        }
        t[o++] = '.';
    }
    return o;
}

/* Writes straight into out, with room for the longest text n can have. */
void dns_name_to_text(const DnsName *n, Buf *out)
{
    buf_reserve(out, 4 * (size_t)n->len + 1);
    out->len += name_text(n, out->data + out->len);
    out->data[out->len] = '\0';
}

const char *dns_name_str(const DnsName *n, char *buf, size_t size)
{
    char t[NAME_TEXT_MAX];
    size_t len = name_text(n, t);
    if (size == 0)
        return buf;
    if (len > size - 1)
        len = size - 1; /* cut short, as snprintf would */
    memcpy(buf, t, len);
    buf[len] = '\0';
    return buf;
}

const char *dns_name_prose(const DnsName *n, char *buf, size_t size)
{
    dns_name_str(n, buf, size);
    size_t len = strlen(buf);
    if (len > 1 && buf[len - 1] == '.')
        buf[len - 1] = '\0';
    return buf;
}

bool dns_name_same_folded(const uint8_t *a, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

/* Offset of the label that starts the last k labels. */
static size_t suffix_offset(const DnsName *n, int k)
{
    int skip = n->labels - k;
    size_t i = 0;
    while (skip-- > 0)
        i += 1 + n->data[i];
    return i;
}

bool dns_name_is_under(const DnsName *name, const DnsName *zone)
{
    if (zone->labels > name->labels)
        return false;
    size_t off = suffix_offset(name, zone->labels);
    return (size_t)name->len - off == zone->len &&
           dns_name_same_wire(name->data + off, zone->data, zone->len);
}

void dns_name_suffix(const DnsName *n, int k, DnsName *out)
{
    size_t off = suffix_offset(n, k);
    uint8_t len = (uint8_t)(n->len - off);
    move_name_bytes(out->data, n->data + off, len); /* out may be n */
    out->len = len;
    out->labels = (uint8_t)k;
}

void dns_name_parent(const DnsName *n, DnsName *out)
{
    if (n->labels == 0) {
        dns_name_root(out);
        return;
    }
    dns_name_suffix(n, n->labels - 1, out);
}

void dns_name_label_starts(const uint8_t *wire, int labels, uint8_t starts[128])
{
    unsigned off = 0;
    for (int i = 0; i < labels; i++) {
        starts[i] = (uint8_t)off;
        off += 1u + wire[off];
    }
}

/* Each name is walked once, not once per label, and nothing is copied. */
int dns_name_compare_wire(const uint8_t *a, int a_labels, const uint8_t *b, int b_labels)
{
    uint8_t sa[128], sb[128];
    dns_name_label_starts(a, a_labels, sa);
    dns_name_label_starts(b, b_labels, sb);
    for (int i = a_labels - 1, j = b_labels - 1; i >= 0 && j >= 0; i--, j--) {
        const uint8_t *pa = a + sa[i], *pb = b + sb[j];
        uint8_t la = pa[0], lb = pb[0], m = la < lb ? la : lb;
        for (uint8_t k = 1; k <= m; k++) {
            uint8_t ca = ascii_lower(pa[k]), cb = ascii_lower(pb[k]);
            if (ca != cb)
                return ca < cb ? -1 : 1;
        }
        if (la != lb)
            return la < lb ? -1 : 1;
    }
    return a_labels < b_labels ? -1 : (a_labels > b_labels);
}

int dns_name_compare(const DnsName *a, const DnsName *b)
{
    return dns_name_compare_wire(a->data, a->labels, b->data, b->labels);
}
