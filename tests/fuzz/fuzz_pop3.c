/* libFuzzer target for the POP3 command parser (proto/mail/pop3_cmd.h):
 * any bytes as one command line.  pop3_parse may not crash or read past
 * the line; the verb is capitals, the arguments fit and start with no
 * space; a known verb's name is its table name.  The message number, TOP
 * count and base64 parsers take the arguments: a number parsed is
 * 32 bits, *after points into the text, a decoded length fits the
 * buffer.  abort() otherwise. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mail/pop3_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    Pop3Cmd c;
    pop3_parse(line, size, &c);
    if (strlen(c.name) >= sizeof c.name || strlen(c.args) >= POP3_ARG_MAX)
        abort();
    for (const char *p = c.name; *p; p++)
        if (islower((unsigned char)*p))
            abort();
    if (c.args[0] == ' ')
        abort();
    if (c.verb != POP3_UNKNOWN && (strlen(c.name) < 3 || strlen(c.name) > 4))
        abort();
    Pop3Num n;
    const char *after;
    Pop3NumErr e = pop3_parse_num(c.args, &n, &after);
    if (after < c.args || after > c.args + strlen(c.args))
        abort();
    if (e == POP3_NUM_OK && n > UINT32_MAX)
        abort();
    uint64_t v;
    if (pop3_parse_size(c.args, &v, &after) && (after == c.args || after > c.args + strlen(c.args)))
        abort();
    char out[64];
    long d = pop3_base64_decode(c.args, out, sizeof out);
    if (d > (long)sizeof out)
        abort();
    free(line);
    return 0;
}
