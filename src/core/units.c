#include "units.h"

#include <ctype.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Quantities are parsed as exact decimals, never through strtod: the result
 * is the same on every machine and in every locale, and "0.1s" is exactly
 * 100000 µs.  A value is rounded to the nearest whole unit (µs, bit/s,
 * byte), halves away from zero. */

__extension__ typedef unsigned __int128 u128;

typedef struct Unit {
    const char *name;
    uint64_t factor; /* in base units: µs, bit/s or bytes */
} Unit;

static const Unit time_units[] = {
    {"us", 1}, {"\xc2\xb5s", 1}, {"ms", 1000}, {"s", 1000000}, {"min", 60000000}, {"h", 3600000000},
};

static const Unit rate_units[] = {
    {"bit", 1},   {"kbit", 1000},   {"Mbit", 1000000},   {"Gbit", 1000000000},
    {"bit/s", 1}, {"kbit/s", 1000}, {"Mbit/s", 1000000}, {"Gbit/s", 1000000000},
};

static const Unit size_units[] = {
    {"B", 1},           {"kB", 1000},  {"KB", 1000},         {"MB", 1000000},
    {"GB", 1000000000}, {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024 * 1024 * 1024},
};

static const Unit byte_rate_units[] = {
    {"B/s", 1},           {"kB/s", 1000},  {"KB/s", 1000},         {"MB/s", 1000000},
    {"GB/s", 1000000000}, {"KiB/s", 1024}, {"MiB/s", 1024 * 1024}, {"GiB/s", 1024 * 1024 * 1024},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses "<digits>[.<digits>]<unit>" into base units, at most max. */
static bool parse_quantity(const char *s, const Unit *units, size_t n_units, uint64_t max,
                           uint64_t *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!s || !*s) {
        *why = "is empty";
        return false;
    }
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            *why = *p == ' '    ? "contains a space"
                   : *p == '\t' ? "contains a tab"
                                : "contains a line break";
            return false;
        }
    if (*s == '-') {
        *why = "is negative";
        return false;
    }
    const char *p = s;
    /* Integer part: leading zeros skipped, at most 20 significant digits
     * (more is beyond any limit here and would overflow the check). */
    while (*p == '0')
        p++;
    u128 ip = 0;
    size_t idigits = 0;
    bool any_digit = p > s;
    while (is_digit(*p)) {
        if (++idigits > 20) {
            *why = "is too large";
            return false;
        }
        ip = ip * 10 + (unsigned)(*p++ - '0');
        any_digit = true;
    }
    /* Fraction: the first 18 digits count, the rest cannot change a value
     * rounded to a whole µs, bit/s or byte. */
    uint64_t frac = 0, scale = 1;
    if (*p == '.') {
        p++;
        if (!is_digit(*p) && !any_digit) {
            *why = "is not a number";
            return false;
        }
        if (!is_digit(*p)) {
            *why = "has a decimal point without digits after it";
            return false;
        }
        while (is_digit(*p)) {
            if (scale < 1000000000000000000u) {
                frac = frac * 10 + (unsigned)(*p - '0');
                scale *= 10;
            }
            p++;
            any_digit = true;
        }
    }
    if (!any_digit) {
        *why = "is not a number";
        return false;
    }
    if (!*p) {
        *why = "has no unit";
        return false;
    }
    if ((*p == 'e' || *p == 'E') && (is_digit(p[1]) || p[1] == '+' || p[1] == '-')) {
        *why = "is written with an exponent (write the digits out)";
        return false;
    }
    const Unit *u = NULL;
    for (size_t i = 0; i < n_units; i++)
        if (strcmp(p, units[i].name) == 0)
            u = &units[i];
    if (!u) {
        *why = "has an unknown unit";
        return false;
    }
    u128 whole = ip * u->factor;
    u128 part = (u128)frac * u->factor;
    whole += part / scale;
    if ((part % scale) * 2 >= scale)
        whole++;
    if (whole > max) {
        *why = "is too large";
        return false;
    }
    *out = (uint64_t)whole;
    return true;
}

/* The forms a script writes thousands of times ("20us", "5s", "1000s"): up
 * to 18 digits, then one of the ASCII time units and nothing else.  Anything
 * else, or a value near the limit, is left to parse_quantity, so every
 * message stays its own and the result is the same either way. */
static bool parse_time_fast(const char *s, SimTime *out)
{
    const char *p = s;
    uint64_t n = 0;
    while (is_digit(*p) && p - s < 18)
        n = n * 10 + (unsigned)(*p++ - '0');
    if (p == s)
        return false;
    uint64_t factor;
    if (p[0] == 'u' && p[1] == 's' && !p[2])
        factor = 1;
    else if (p[0] == 'm' && p[1] == 's' && !p[2])
        factor = 1000;
    else if (p[0] == 's' && !p[1])
        factor = 1000000;
    else if (p[0] == 'm' && p[1] == 'i' && p[2] == 'n' && !p[3])
        factor = 60000000;
    else if (p[0] == 'h' && !p[1])
        factor = 3600000000;
    else
        return false;
    if (n > (uint64_t)UNITS_TIME_MAX / factor)
        return false;
    *out = (SimTime)(n * factor);
    return true;
}

bool units_parse_time(const char *s, SimTime *out, const char **why)
{
    if (s && parse_time_fast(s, out))
        return true;
    uint64_t v;
    if (!parse_quantity(s, time_units, MN_ARRAY_LEN(time_units), INT64_MAX, &v, why))
        return false;
    if (v > (uint64_t)UNITS_TIME_MAX) {
        if (why)
            *why = "is longer than 1000000h (114 years), the longest time a run can reach";
        return false;
    }
    *out = (SimTime)v;
    return true;
}

bool units_parse_rate(const char *s, uint64_t *bits_per_s, const char **why)
{
    return parse_quantity(s, rate_units, MN_ARRAY_LEN(rate_units), UINT64_MAX, bits_per_s, why);
}

bool units_parse_size(const char *s, uint64_t *bytes, const char **why)
{
    return parse_quantity(s, size_units, MN_ARRAY_LEN(size_units), UINT64_MAX, bytes, why);
}

bool units_parse_byte_rate(const char *s, uint64_t *bytes_per_s, const char **why)
{
    return parse_quantity(s, byte_rate_units, MN_ARRAY_LEN(byte_rate_units), UINT64_MAX,
                          bytes_per_s, why);
}

/* ---- RFC 3339 ------------------------------------------------------------ */

/* Reads exactly n digits. */
/* Up to max digits, at least min, and no digit after them; their value. */
static bool some_digits(const char **p, int min, int max, int *out)
{
    int n = 0, v = 0;
    while (n < max && is_digit((*p)[n]))
        v = v * 10 + ((*p)[n++] - '0');
    if (n < min || is_digit((*p)[n]))
        return false;
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int units_days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

int64_t units_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool units_parse_rfc3339(const char *s, int64_t *unix_us)
{
    if (!s)
        return false;
    const char *p = s;
    int y, mo, d, h, mi, sec;
    if (!some_digits(&p, 4, 4, &y) || !expect(&p, '-') || !some_digits(&p, 2, 2, &mo) ||
        !expect(&p, '-') || !some_digits(&p, 2, 2, &d))
        return false;
    if (*p != 'T' && *p != 't')
        return false;
    p++;
    if (!some_digits(&p, 2, 2, &h) || !expect(&p, ':') || !some_digits(&p, 2, 2, &mi) ||
        !expect(&p, ':') || !some_digits(&p, 2, 2, &sec))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > units_days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    int64_t us = 0;
    if (*p == '.') {
        p++;
        if (!is_digit(*p))
            return false;
        int64_t scale = 100000;
        bool round_up = false;
        for (int i = 0; is_digit(*p); i++, p++) {
            if (scale > 0) {
                us += (*p - '0') * scale;
                scale /= 10;
            } else if (i == 6) {
                round_up = *p >= '5';
            }
        }
        us += round_up;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        int oh, om;
        if (!some_digits(&p, 2, 2, &oh) || !expect(&p, ':') || !some_digits(&p, 2, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (*p)
        return false;
    int64_t t = units_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    *unix_us = t * 1000000 + us;
    return true;
}

static const char *const week_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const day_names[] = {"a Monday", "a Tuesday",  "a Wednesday", "a Thursday",
                                        "a Friday", "a Saturday", "a Sunday"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void skip_space(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

/* A three-letter name of the list (case as written there); its index or -1. */
static int name_of(const char **p, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strncasecmp(*p, names[i], 3) == 0) { /* RFC 5322's names are any case */
            *p += 3;
            return i;
        }
    return -1;
}

/* The zones RFC 5322 keeps from RFC 822 (obs-zone), as hours east of UTC;
 * the military letters are refused, as the RFC says their sign was
 * written both ways. */
static bool named_zone(const char **p, int *minutes)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {{"UT", 0},   {"GMT", 0},  {"EST", -5}, {"EDT", -4}, {"CST", -6},
                 {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        size_t n = strlen(zones[i].name);
        if (strncasecmp(*p, zones[i].name, n) == 0 && !isalpha((unsigned char)(*p)[n])) {
            *p += n;
            *minutes = zones[i].hours * 60;
            return true;
        }
    }
    return false;
}

bool units_parse_mail_date(const char *s, int64_t *unix_s, char *why, size_t size)
{
    const char *p = s ? s : "";
    int wday = -1, d, mo, y, h, mi, sec = 0, zone_min;
    skip_space(&p);
    if (isalpha((unsigned char)*p)) {
        if ((wday = name_of(&p, week_days, 7)) < 0 || (skip_space(&p), *p != ',')) {
            snprintf(why, size,
                     "it starts with neither a day of the month nor a day of the week and a "
                     "comma");
            return false;
        }
        p++;
        skip_space(&p);
    }
    if (!some_digits(&p, 1, 2, &d) || (skip_space(&p), (mo = name_of(&p, month_names, 12)) < 0)) {
        snprintf(why, size, "no day and month: a day of the month, then Jan, Feb, … Dec");
        return false;
    }
    skip_space(&p);
    if (!some_digits(&p, 4, 4, &y) || y < 1900) {
        snprintf(why, size, "no year of four digits, 1900 or later");
        return false;
    }
    mo++;
    if (d < 1 || d > units_days_in_month(y, mo)) {
        snprintf(why, size, "%s %d has no day %d", month_names[mo - 1], y, d);
        return false;
    }
    skip_space(&p);
    if (!some_digits(&p, 2, 2, &h) || !expect(&p, ':') || !some_digits(&p, 2, 2, &mi) ||
        (*p == ':' && (p++, !some_digits(&p, 2, 2, &sec))) || h > 23 || mi > 59 || sec > 60) {
        snprintf(why, size,
                 "no time of day: hours 00-23, minutes 00-59, seconds 00-60, as in 08:00:00");
        return false;
    }
    skip_space(&p);
    if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, hhmm;
        if (!some_digits(&p, 4, 4, &hhmm) || hhmm % 100 > 59) {
            snprintf(why, size, "no time zone: +HHMM or -HHMM, with minutes under 60");
            return false;
        }
        zone_min = sign * (hhmm / 100 * 60 + hhmm % 100);
    } else if (!named_zone(&p, &zone_min)) {
        snprintf(why, size, "no time zone: +HHMM or -HHMM, like +0000, or GMT");
        return false;
    }
    skip_space(&p);
    if (*p == '(') { /* a comment, as in "+0000 (UTC)" */
        const char *close = strchr(p, ')');
        p = close ? close + 1 : p;
        skip_space(&p);
    }
    if (*p) {
        snprintf(why, size, "text after the time zone");
        return false;
    }
    int64_t days = units_days_from_civil(y, mo, d);
    int actual = (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    if (wday >= 0 && wday != actual) {
        snprintf(why, size, "%d %s %d is %s, not %s", d, month_names[mo - 1], y, day_names[actual],
                 week_days[wday]);
        return false;
    }
    *unix_s = days * 86400 + h * 3600 + mi * 60 + sec - zone_min * 60;
    return true;
}

/* ---- formatting ---------------------------------------------------------- */

/* Writes v / div with up to `places` decimals, trailing zeros dropped. */
static void format_fixed(uint64_t v, uint64_t div, int places, const char *sign, const char *unit,
                         char *buf, unsigned size)
{
    uint64_t whole = v / div, frac = v % div;
    if (frac == 0) {
        snprintf(buf, size, "%s%llu%s", sign, (unsigned long long)whole, unit);
        return;
    }
    char f[24];
    snprintf(f, sizeof f, "%0*llu", places, (unsigned long long)frac);
    size_t n = strlen(f);
    while (n > 0 && f[n - 1] == '0')
        f[--n] = '\0';
    snprintf(buf, size, "%s%llu.%s%s", sign, (unsigned long long)whole, f, unit);
}

void units_format_time(SimTime t, char *buf, unsigned size)
{
    if (!buf || size == 0)
        return;
    const char *sign = t < 0 ? "-" : "";
    uint64_t v = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    if (v == 0)
        snprintf(buf, size, "0s");
    else if (v < 1000)
        format_fixed(v, 1, 0, sign, "us", buf, size);
    else if (v < 1000000)
        format_fixed(v, 1000, 3, sign, "ms", buf, size);
    else
        format_fixed(v, 1000000, 6, sign, "s", buf, size);
}
