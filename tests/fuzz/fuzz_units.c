/* libFuzzer target for the quantities a scenario writes (core/units.h):
 * times, rates, sizes, byte rates and RFC 3339 dates.  Any text is parsed
 * or refused with a reason; a time that parses is at most UNITS_TIME_MAX
 * and reads back the same from what units_format_time prints; a date is
 * read the same twice.  abort() otherwise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    const char *why = NULL;
    SimTime t;
    if (units_parse_time(s, &t, &why)) {
        if (t < 0 || t > UNITS_TIME_MAX)
            abort();
        char buf[64], again[64];
        units_format_time(t, buf, sizeof buf);
        SimTime back;
        if (!units_parse_time(buf, &back, &why) || back != t)
            abort();
        units_format_time(back, again, sizeof again);
        if (strcmp(buf, again) != 0)
            abort();
    } else if (!why) {
        abort();
    }
    uint64_t v;
    why = NULL;
    if (!units_parse_rate(s, &v, &why) && !why)
        abort();
    why = NULL;
    if (!units_parse_size(s, &v, &why) && !why)
        abort();
    why = NULL;
    if (!units_parse_byte_rate(s, &v, &why) && !why)
        abort();
    int64_t a, b;
    bool ok = units_parse_rfc3339(s, &a);
    if (ok != units_parse_rfc3339(s, &b) || (ok && a != b))
        abort();
    /* A mail date: accepted with a time, or refused with a reason. */
    char reason[160] = "";
    if (!units_parse_mail_date(s, &a, reason, sizeof reason) && !reason[0])
        abort();
    free(s);
    return 0;
}
