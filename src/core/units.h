/* units — the quantities a scenario writes as strings with units.
 *
 *   time:  "250us", "5ms", "2s", "1.5min", "1h"   (µs, ms, s, min, h)
 *   rate:  "64kbit", "100Mbit", "1Gbit", "1.5Gbit" (bit; k, M, G ×1000)
 *   size:  "512B", "1.5KB", "4KiB", "2MB", "1MiB"  (B; K, M, G ×1000, Ki, Mi, Gi ×1024)
 *   bytes per second: "2KB/s", "64KiB/s", "500B/s" (a size's units, then "/s")
 *
 * A number without a unit, a negative value, NaN or an unknown unit is
 * refused; *why then names what was wrong, for the loader's message. */
#ifndef MN_UNITS_H
#define MN_UNITS_H

#include <stdbool.h>
#include <stdint.h>

#include "evq.h"

/* The longest time written anywhere (1,000,000 h, 114 years): any sum of
 * a few such times, a record's 32-bit lifetime in seconds and a program's
 * wait stays far inside SimTime, so no clock, expiry or arrival time can
 * overflow. */
#define UNITS_TIME_MAX ((SimTime)1000000 * 3600 * 1000000)

bool units_parse_time(const char *s, SimTime *out, const char **why);
bool units_parse_rate(const char *s, uint64_t *bits_per_s, const char **why);
bool units_parse_size(const char *s, uint64_t *bytes, const char **why);
bool units_parse_byte_rate(const char *s, uint64_t *bytes_per_s, const char **why);
/* RFC 3339 date-time ("2023-09-11T09:00:00Z", "…+02:00", fractions) to
 * Unix microseconds. */
bool units_parse_rfc3339(const char *s, int64_t *unix_us);
/* An RFC 5322 date-time, as mail's Date header writes it ("Mon, 11 Sep
 * 2023 08:00:00 +0000"; the day of the week, the seconds optional; the
 * zone +HHMM, -HHMM, UT, GMT or a US zone, then perhaps a comment) to
 * Unix seconds; false with
 * *why naming what is wrong. */
bool units_parse_mail_date(const char *s, int64_t *unix_s, char *why, size_t size);
/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm), and the days of month m (1-12) of year y. */
int64_t units_days_from_civil(int64_t y, int m, int d);
int units_days_in_month(int y, int m);
/* Formats a time for people: "0s", "250us", "5ms", "1.5s". */
void units_format_time(SimTime t, char *buf, unsigned size);

#endif
