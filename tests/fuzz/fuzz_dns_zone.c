/* libFuzzer target: the master-file parser.  Any text must either load as a
 * zone or be refused with messages, never crash or leak; a loaded zone's
 * records must all lie inside it and be found by lookup. */
#include <stdint.h>
#include <stdlib.h>

#include "proto/dns/dns_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DnsName origin;
    if (!dns_name_parse(&origin, "example.org.", NULL))
        abort();
    DnsZone z;
    Errors errs;
    errors_init(&errs);
    bool ok = dns_zone_parse_text(&z, &origin, "fuzz.zone", (const char *)data, size, &errs);
    if (ok != (errs.n == 0))
        abort();
    if (ok) {
        for (size_t i = 0; i < z.n_rrs; i++) {
            DnsName owner;
            const DnsRR rrv = dns_zone_rr(&z, &z.rrs[i], &owner), *rr = &rrv;
            if (!dns_name_is_under(rr->name, &origin) || !dns_zone_lookup(&z, rr->name))
                abort();
            Buf b;
            buf_init(&b);
            dns_rr_to_text(rr, &b);
            buf_fini(&b);
        }
    }
    dns_zone_fini(&z);
    errors_fini(&errs);
    return 0;
}
