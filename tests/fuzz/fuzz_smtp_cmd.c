/* libFuzzer target for the SMTP command parser (proto/mail/smtp_cmd.h):
 * any bytes as a command line a client sends.  The verb, the MAIL/RCPT
 * path, the parameters, the address split and base64 may not crash or
 * read past the line; an address found is shorter than SMTP_ADDR_MAX and
 * holds no blank or control character; base64 that decodes encodes back
 * to the same text.  abort() otherwise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mail/smtp_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const char *addr)
{
    size_t n = strnlen(addr, SMTP_ADDR_MAX);
    if (n >= SMTP_ADDR_MAX)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)addr[i] < ' ' || addr[i] == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = '\0';
    const char *args;
    SmtpVerb v = smtp_cmd_verb(line, strlen(line), &args);
    if (v >= SMTP_VERB_COUNT || args < line || args > line + strlen(line))
        abort();
    char addr[SMTP_ADDR_MAX], kw[32], val[128], local[SMTP_ADDR_MAX], domain[SMTP_ADDR_MAX];
    const char *keywords[] = {"FROM", "TO"};
    for (int k = 0; k < 2; k++) {
        const char *params;
        if (smtp_cmd_path(args, keywords[k], addr, &params) != SMTP_PATH_OK)
            continue;
        check_addr(addr);
        smtp_addr_split(addr, local, sizeof local, domain, sizeof domain);
        check_addr(local);
        check_addr(domain);
        int guard = 0;
        while (smtp_cmd_param(&params, kw, sizeof kw, val, sizeof val))
            if (++guard > (int)size + 1 || strlen(kw) >= sizeof kw || strlen(val) >= sizeof val)
                abort();
    }
    char dec[256], enc[512];
    size_t n;
    if (strlen(args) < 300 && smtp_base64_decode(args, dec, sizeof dec, &n)) {
        if (!smtp_base64_encode(dec, n, enc, sizeof enc) || strcmp(enc, args) != 0) {
            /* padding bits that are not zero decode the same: only a
             * canonical text must come back */
            char dec2[256];
            size_t n2;
            if (!smtp_base64_decode(enc, dec2, sizeof dec2, &n2) || n2 != n ||
                memcmp(dec, dec2, n) != 0)
                abort();
        }
    }
    free(line);
    return 0;
}
