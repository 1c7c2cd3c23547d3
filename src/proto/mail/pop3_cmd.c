/* pop3_cmd — POP3 command lines and their numbers, parsed as Dovecot's
 * pop3 does. */
#include <ctype.h>
#include <string.h>

#include "proto/mail/pop3_cmd.h"

static const struct {
    const char *name;
    Pop3Verb verb;
} verbs[] = {
    {"CAPA", POP3_CAPA}, {"USER", POP3_USER}, {"PASS", POP3_PASS}, {"AUTH", POP3_AUTH},
    {"QUIT", POP3_QUIT}, {"STAT", POP3_STAT}, {"LIST", POP3_LIST}, {"UIDL", POP3_UIDL},
    {"RETR", POP3_RETR}, {"TOP", POP3_TOP},   {"DELE", POP3_DELE}, {"RSET", POP3_RSET},
    {"NOOP", POP3_NOOP},
};

void pop3_parse(const char *line, size_t len, Pop3Cmd *out)
{
    memset(out, 0, sizeof *out);
    size_t v = 0;
    while (v < len && line[v] != ' ')
        v++;
    size_t n = v < sizeof out->name - 1 ? v : sizeof out->name - 1;
    for (size_t i = 0; i < n; i++)
        out->name[i] = (char)toupper((unsigned char)line[i]);
    size_t a = v;
    while (a < len && line[a] == ' ')
        a++;
    size_t an = len - a < POP3_ARG_MAX - 1 ? len - a : POP3_ARG_MAX - 1;
    memcpy(out->args, line + a, an);
    out->args[an] = '\0';
    /* a NUL inside the line ends the arguments, as a C string does */
    out->verb = POP3_UNKNOWN;
    if (v != strlen(out->name))
        return; /* cut, or a NUL inside: no command */
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strcmp(out->name, verbs[i].name) == 0)
            out->verb = verbs[i].verb;
}

Pop3NumErr pop3_parse_num(const char *s, Pop3Num *num, const char **after)
{
    *after = s;
    if (*s < '0' || *s > '9')
        return POP3_NUM_INVALID;
    uint64_t v = 0;
    bool big = false;
    while (*s >= '0' && *s <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            big = true;
        else
            v = v * 10 + (uint64_t)(*s - '0');
        s++;
    }
    *after = s;
    if (big || v > UINT32_MAX)
        return POP3_NUM_TOO_LARGE;
    *num = v;
    return POP3_NUM_OK;
}

bool pop3_parse_size(const char *s, uint64_t *v, const char **after)
{
    *after = s;
    if (*s < '0' || *s > '9')
        return false;
    uint64_t x = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
        s++;
    }
    *v = x;
    *after = s;
    return true;
}

static int b64(int c)
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

long pop3_base64_decode(const char *text, char *out, size_t size)
{
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    const char *p = text;
    for (; *p && *p != '='; p++) {
        int v = b64((unsigned char)*p);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= size)
                return -1;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    while (*p == '=')
        p++;
    return *p ? -1 : (long)n;
}
