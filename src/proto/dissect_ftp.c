#include "proto/dissect_ftp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ipv4.h"
#include "net/world.h"
#include "proto/dissect_text.h"

void dissect_ftp_fini(DissectFtp *f)
{
    free(f->data);
    memset(f, 0, sizeof *f);
}

bool dissect_ftp_is_control(uint16_t port)
{
    const DissectApp *app = dissect_app_find(IP_PROTO_TCP, port);
    return app && strcmp(app->name, "FTP") == 0;
}

uint32_t dissect_ftp_match(const DissectFtp *f, uint32_t a, uint16_t pa, uint32_t b, uint16_t pb)
{
    for (size_t k = f->n; k > 0; k--) {
        const DissectFtpData *d = &f->data[k - 1];
        if ((d->ip == a && d->port == pa && d->peer_ip == b) ||
            (d->ip == b && d->port == pb && d->peer_ip == a))
            return (uint32_t)k;
    }
    return 0;
}

/* ---- reading the control connection's first line --------------------------- */

/* A decimal number of at most max at s[*i] (advanced past it). */
static bool read_num(const char *s, size_t *i, unsigned max, unsigned *out)
{
    size_t k = *i;
    unsigned v = 0;
    while (s[k] >= '0' && s[k] <= '9' && k - *i < 6)
        v = v * 10 + (unsigned)(s[k++] - '0');
    if (k == *i || v > max || (s[k] >= '0' && s[k] <= '9'))
        return false;
    *i = k;
    *out = v;
    return true;
}

/* "h1,h2,h3,h4,p1,p2" somewhere in s, as PORT sends it and a 227 reply
 * holds it: the first run of digits from which six numbers follow. */
static bool find_six(const char *s, uint32_t *ip, uint16_t *port)
{
    for (size_t at = 0; s[at]; at++) {
        if (s[at] < '0' || s[at] > '9' || (at > 0 && s[at - 1] >= '0' && s[at - 1] <= '9'))
            continue;
        size_t i = at;
        unsigned n[6];
        int k = 0;
        while (k < 6 && read_num(s, &i, 255, &n[k])) {
            k++;
            if (k < 6 && s[i] != ',')
                break;
            if (k < 6)
                i++;
        }
        if (k == 6) {
            *ip = (uint32_t)n[0] << 24 | n[1] << 16 | n[2] << 8 | n[3];
            *port = (uint16_t)(n[4] << 8 | n[5]);
            return true;
        }
    }
    return false;
}

/* RFC 2428's delimiter: printable, not a digit, '.', ':' or a-f. */
static bool delimiter_ok(char d)
{
    return d > ' ' && d < 0x7F && !strchr("0123456789abcdefABCDEF.:", d);
}

/* EPRT's argument "|1|10.0.0.5|41234|" (IPv4 only). */
static bool parse_eprt(const char *s, uint32_t *ip, uint16_t *port)
{
    char d = s[0];
    if (!delimiter_ok(d) || s[1] != '1' || s[2] != d)
        return false;
    const char *a = s + 3, *e = strchr(a, d);
    if (!e || e - a > 15)
        return false;
    char addr[16];
    memcpy(addr, a, (size_t)(e - a));
    addr[e - a] = '\0';
    size_t i = 0;
    unsigned p;
    const char *ps = e + 1;
    if (!ip_parse(addr, ip) || !read_num(ps, &i, 65535, &p) || p == 0 || ps[i] != d)
        return false;
    *port = (uint16_t)p;
    return true;
}

/* A 229 reply's "(|||50023|)". */
static bool parse_epsv(const char *s, uint16_t *port)
{
    const char *o = strchr(s, '(');
    if (!o)
        return false;
    char d = o[1];
    if (!delimiter_ok(d) || o[2] != d || o[3] != d)
        return false;
    size_t i = 0;
    unsigned p;
    const char *ps = o + 4;
    if (!read_num(ps, &i, 65535, &p) || p == 0 || ps[i] != d)
        return false;
    *port = (uint16_t)p;
    return true;
}

/* The commands whose answer comes on the data connection (Wireshark's
 * list). */
static bool is_data_command(const char *cmd)
{
    static const char *const verbs[] = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD"};
    for (size_t i = 0; i < MN_ARRAY_LEN(verbs); i++)
        if (strncmp(cmd, verbs[i], 4) == 0)
            return true;
    return false;
}

static void announce(DissectFtp *f, DissectFtpConv *conv, const DissectFtpData *d)
{
    f->data = xgrow(f->data, &f->cap, f->n + 1, sizeof *f->data);
    f->data[f->n++] = *d;
    conv->current = (uint32_t)f->n;
}

/* A request line: the latest announcement learns what it carries (the
 * first command after it, or a data command after a first that was not),
 * and PORT or EPRT announces a new one. */
static void request(DissectFtp *f, DissectFtpConv *conv, const DissectFtpData *base,
                    const char *line)
{
    if (conv->current) {
        DissectFtpData *cur = &f->data[conv->current - 1];
        if (!cur->command[0] || (!is_data_command(cur->command) && is_data_command(line)))
            snprintf(cur->command, sizeof cur->command, "%s", line);
    }
    DissectFtpData d = *base;
    d.passive = false;
    if (strncmp(line, "PORT ", 5) == 0 && find_six(line + 5, &d.ip, &d.port)) {
        d.method = "PORT";
        announce(f, conv, &d);
    } else if (strncmp(line, "EPRT ", 5) == 0 && parse_eprt(line + 5, &d.ip, &d.port)) {
        d.method = "EPRT";
        announce(f, conv, &d);
    }
}

/* A reply line from the server src: 227 and 229 announce where it listens. */
static void reply(DissectFtp *f, DissectFtpConv *conv, const DissectFtpData *base, uint32_t src,
                  const char *line)
{
    DissectFtpData d = *base;
    d.passive = true;
    if (strncmp(line, "227", 3) == 0 && find_six(line + 3, &d.ip, &d.port)) {
        d.method = "PASV";
        announce(f, conv, &d);
    } else if (strncmp(line, "229", 3) == 0 && parse_epsv(line + 3, &d.port)) {
        d.ip = src; /* the data connection goes to the control connection's address */
        d.method = "EPASV";
        announce(f, conv, &d);
    }
}

void dissect_ftp_control(DissectFtp *f, DissectFtpConv *conv, int stream, bool to_server,
                         uint32_t src, uint32_t dst, uint32_t rel_seq, const uint8_t *data,
                         size_t len)
{
    int side = to_server ? 0 : 1;
    if (len == 0 || (conv->started[side] && (int32_t)(rel_seq - conv->done[side]) < 0))
        return; /* seen already (another link's copy, or sent again) */
    conv->started[side] = true;
    conv->done[side] = rel_seq + (uint32_t)len;
    /* the first line, as text; a NUL or a byte past 0x7E ends it */
    char line[DISSECT_FTP_LINE];
    size_t n = 0;
    while (n < len && n + 1 < sizeof line && data[n] >= 0x20 && data[n] < 0x7F)
        n++;
    memcpy(line, data, n);
    line[n] = '\0';
    DissectFtpData base = {0};
    base.peer_ip = dst;
    base.control = stream;
    snprintf(base.setup, sizeof base.setup, "%s", line);
    if (to_server)
        request(f, conv, &base, line);
    else
        reply(f, conv, &base, src, line);
}

/* ---- the FTP-DATA row --------------------------------------------------------- */

void dissect_ftp_data_summary(const DissectPayload *p, Buf *out)
{
    buf_printf(out, "FTP Data: %zu bytes", p->len);
    const DissectFtpData *d = p->ftp_data;
    if (d)
        buf_printf(out, " (%s)", d->method);
    if (d && d->command[0])
        buf_printf(out, " (%s)", d->command);
}

void dissect_ftp_data_tree(const DissectPayload *p, DissectTree *t)
{
    dissect_add(t, 0, p->off, p->len, "FTP Data (%zu bytes data)", p->len);
    const DissectFtpData *d = p->ftp_data;
    if (d) {
        char addr[16];
        ip_format(d->ip, addr);
        dissect_add(t, 1, p->off, 0, "[Setup method: %s]", d->method);
        if (d->passive)
            dissect_add(t, 1, p->off, 0, "[Passive: the client connects to %s port %u]", addr,
                        d->port);
        else
            dissect_add(t, 1, p->off, 0, "[Active: the server connects to %s port %u]", addr,
                        d->port);
        dissect_add(t, 1, p->off, 0, "[Announced on the control connection (TCP stream %d): %s]",
                    d->control, d->setup);
        if (d->command[0])
            dissect_add(t, 1, p->off, 0, "[Command: %s]", d->command);
    } else {
        dissect_add(t, 1, p->off, 0,
                    "[Known by port 20 only: no PORT, EPRT, 227 or 229 seen for it]");
    }
    dissect_text_lines(p, t);
}

void dissect_ftp_data_label(const DissectPayload *p, char *label, size_t size, bool *response)
{
    *response = !p->to_server;
    snprintf(label, size, "data (%zu B)", p->len);
}
