/* libFuzzer target for the IMAP command parser (proto/mail/imap_cmd.h):
 * any bytes as one command line, and its arguments as sequence sets.
 * imap_parse may not crash or read past the line; a parsed command has a
 * tag with no space, a name in capitals, at most IMAP_MAX_ARGS arguments,
 * each atom and string inside the line's copy; a line that parses whole
 * has balanced parentheses.  A sequence set parsed has ranges lo <= hi,
 * none 0.  abort() otherwise. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mail/imap_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ImapCmd c;
    imap_parse((const char *)data, size, &c);
    const char *lo = c.store, *hi = c.store + size + 1;
    if (c.tag && (c.tag < lo || c.tag >= hi || strchr(c.tag, ' ')))
        abort();
    if (c.name)
        for (const char *p = c.name; *p; p++)
            if (islower((unsigned char)*p))
                abort();
    if (c.n_args > IMAP_MAX_ARGS)
        abort();
    int depth = 0;
    for (size_t i = 0; i < c.n_args; i++) {
        const ImapTok *t = &c.args[i];
        if (t->kind == IMAP_ATOM || t->kind == IMAP_STRING) {
            if (!t->text || t->text < lo || t->text >= hi)
                abort();
            ImapSet s;
            if (imap_parse_set(t->text, 7, &s)) {
                for (size_t k = 0; k < s.n; k++)
                    if (s.r[k].lo == 0 || s.r[k].lo > s.r[k].hi)
                        abort();
                (void)imap_set_has(&s, 3);
                imap_set_free(&s);
            }
        } else {
            depth += t->kind == IMAP_LIST_OPEN ? 1 : -1;
        }
    }
    if (!c.bad && depth != 0)
        abort();
    imap_cmd_free(&c);
    return 0;
}
