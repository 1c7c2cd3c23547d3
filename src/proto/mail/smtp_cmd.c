#include "proto/mail/smtp_cmd.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const verbs[SMTP_VERB_COUNT] = {
    [SMTP_UNKNOWN] = "",          [SMTP_HELO] = "HELO", [SMTP_EHLO] = "EHLO", [SMTP_MAIL] = "MAIL",
    [SMTP_RCPT] = "RCPT",         [SMTP_DATA] = "DATA", [SMTP_BDAT] = "BDAT", [SMTP_RSET] = "RSET",
    [SMTP_NOOP] = "NOOP",         [SMTP_VRFY] = "VRFY", [SMTP_QUIT] = "QUIT", [SMTP_AUTH] = "AUTH",
    [SMTP_STARTTLS] = "STARTTLS", [SMTP_ETRN] = "ETRN",
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

SmtpVerb smtp_cmd_verb(const char *line, size_t len, const char **args)
{
    size_t i = 0;
    while (i < len && blank(line[i]))
        i++;
    size_t start = i;
    while (i < len && !blank(line[i]) && line[i] != '\0')
        i++;
    size_t n = i - start;
    while (i < len && blank(line[i]))
        i++;
    *args = line + i;
    for (int v = 1; v < SMTP_VERB_COUNT; v++)
        if (strlen(verbs[v]) == n && strncasecmp(line + start, verbs[v], n) == 0)
            return (SmtpVerb)v;
    return SMTP_UNKNOWN;
}

const char *smtp_verb_name(SmtpVerb v)
{
    return (unsigned)v < SMTP_VERB_COUNT ? verbs[v] : "";
}

/* Copies the address between a and end into addr, dropping a source
 * route and the quotes of a quoted local part.  False if it does not fit
 * or holds a character no address may (blanks, controls, brackets). */
static bool copy_addr(const char *a, const char *end, char addr[SMTP_ADDR_MAX])
{
    if (a < end && *a == '@') { /* "@a.b,@c.d:user@dom": the route goes */
        const char *colon = memchr(a, ':', (size_t)(end - a));
        if (!colon)
            return false;
        a = colon + 1;
    }
    size_t o = 0;
    bool quoted = false;
    for (const char *p = a; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (c == '\\' && quoted && p + 1 < end) {
            c = (unsigned char)*++p;
        } else if (!quoted && (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' ||
                               c == ')' || c == ',' || c == ';')) {
            return false;
        }
        if (c < ' ' || c == 0x7f || o + 1 >= SMTP_ADDR_MAX)
            return false;
        addr[o++] = (char)c;
    }
    addr[o] = '\0';
    if (quoted)
        return false;
    size_t n = strlen(addr);
    return !(n && addr[n - 1] == '@');
}

SmtpPathErr smtp_cmd_path(const char *args, const char *keyword, char addr[SMTP_ADDR_MAX],
                          const char **params)
{
    size_t kn = strlen(keyword);
    addr[0] = '\0';
    *params = "";
    if (strncasecmp(args, keyword, kn) != 0 || args[kn] != ':')
        return SMTP_PATH_NO_KEYWORD;
    const char *p = args + kn + 1;
    while (blank(*p))
        p++;
    if (*p == '\0')
        return SMTP_PATH_NO_KEYWORD;
    const char *a, *end, *rest;
    if (*p == '<') {
        a = p + 1;
        end = strchr(a, '>');
        if (!end)
            return SMTP_PATH_BAD;
        rest = end + 1;
        if (*rest && !blank(*rest))
            return SMTP_PATH_BAD;
    } else {
        a = p;
        end = a;
        while (*end && !blank(*end))
            end++;
        rest = end;
    }
    if (!copy_addr(a, end, addr))
        return SMTP_PATH_BAD;
    while (blank(*rest))
        rest++;
    *params = rest;
    return SMTP_PATH_OK;
}

static void copy_upper(char *out, size_t size, const char *s, size_t n, bool upper)
{
    size_t k = 0;
    for (; k < n && k + 1 < size; k++)
        out[k] = upper ? (char)toupper((unsigned char)s[k]) : s[k];
    if (size)
        out[k] = '\0';
}

bool smtp_cmd_param(const char **params, char *kw, size_t kw_size, char *value, size_t value_size)
{
    const char *p = *params;
    while (blank(*p))
        p++;
    if (*p == '\0') {
        *params = p;
        return false;
    }
    const char *end = p;
    while (*end && !blank(*end))
        end++;
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *kend = eq ? eq : end;
    copy_upper(kw, kw_size, p, (size_t)(kend - p), true);
    if (eq)
        copy_upper(value, value_size, eq + 1, (size_t)(end - eq - 1), false);
    else if (value_size)
        value[0] = '\0';
    *params = end;
    return true;
}

void smtp_addr_split(const char *addr, char *local, size_t local_size, char *domain,
                     size_t domain_size)
{
    const char *at = strrchr(addr, '@');
    size_t n = at ? (size_t)(at - addr) : strlen(addr);
    copy_upper(local, local_size, addr, n, false);
    if (at)
        copy_upper(domain, domain_size, at + 1, strlen(at + 1), false);
    else if (domain_size)
        domain[0] = '\0';
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool smtp_base64_decode(const char *text, char *out, size_t size, size_t *n)
{
    size_t len = strlen(text), o = 0;
    if (len % 4 != 0 || size == 0)
        return false;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = text[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64_value(c)) < 0) {
                return false;
            }
        }
        unsigned bits =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        unsigned char bytes[3] = {(unsigned char)(bits >> 16), (unsigned char)(bits >> 8),
                                  (unsigned char)bits};
        for (int k = 0; k < 3 - pad; k++) {
            if (o + 1 >= size)
                return false;
            out[o++] = (char)bytes[k];
        }
    }
    out[o] = '\0';
    *n = o;
    return true;
}

bool smtp_base64_encode(const void *data, size_t n, char *out, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *d = data;
    if ((n + 2) / 3 * 4 + 1 > size)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned bits = (unsigned)d[i] << 16;
        if (i + 1 < n)
            bits |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n)
            bits |= d[i + 2];
        out[o++] = alphabet[bits >> 18 & 63];
        out[o++] = alphabet[bits >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[bits >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[bits & 63] : '=';
    }
    out[o] = '\0';
    return true;
}
