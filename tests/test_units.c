/* Tests for src/core/units.c: every unit, rounding, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/units.h"

static SimTime time_ok(const char *s)
{
    SimTime t = -1;
    const char *why = NULL;
    if (!units_parse_time(s, &t, &why))
        fail_msg("units_parse_time(\"%s\") refused: %s", s, why);
    return t;
}

static const char *time_refused(const char *s)
{
    SimTime t = 12345;
    const char *why = NULL;
    if (units_parse_time(s, &t, &why))
        fail_msg("units_parse_time(\"%s\") accepted: %lld", s, (long long)t);
    assert_int_equal(t, 12345); /* untouched */
    assert_non_null(why);
    return why;
}

static uint64_t rate_ok(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    if (!units_parse_rate(s, &v, &why))
        fail_msg("units_parse_rate(\"%s\") refused: %s", s, why);
    return v;
}

static const char *rate_refused(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    if (units_parse_rate(s, &v, &why))
        fail_msg("units_parse_rate(\"%s\") accepted: %llu", s, (unsigned long long)v);
    return why;
}

static uint64_t size_ok(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    if (!units_parse_size(s, &v, &why))
        fail_msg("units_parse_size(\"%s\") refused: %s", s, why);
    return v;
}

static const char *size_refused(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    if (units_parse_size(s, &v, &why))
        fail_msg("units_parse_size(\"%s\") accepted: %llu", s, (unsigned long long)v);
    return why;
}

static void test_time_units(void **state)
{
    (void)state;
    assert_int_equal(time_ok("250us"), 250);
    assert_int_equal(time_ok("250\xc2\xb5s"), 250); /* µs */
    assert_int_equal(time_ok("5ms"), 5000);
    assert_int_equal(time_ok("2s"), 2000000);
    assert_int_equal(time_ok("1.5min"), 90000000);
    assert_int_equal(time_ok("1h"), 3600000000);
    assert_int_equal(time_ok("0s"), 0);
    assert_int_equal(time_ok("0ms"), 0);
    assert_int_equal(time_ok("007ms"), 7000);
    assert_int_equal(time_ok("0.1s"), 100000);
    assert_int_equal(time_ok(".5s"), 500000);
    assert_int_equal(time_ok("1.000001s"), 1000001);
    /* The longest time a run can reach; sums of such times stay in range. */
    assert_int_equal(time_ok("1000000h"), UNITS_TIME_MAX);
    assert_int_equal(time_ok("3600000000000000us"), UNITS_TIME_MAX);
    /* The common forms (digits and an ASCII unit) take a shorter path; its
     * edges: 18 digits, more, leading zeros, each unit at its limit. */
    assert_int_equal(time_ok("20us"), 20);
    assert_int_equal(time_ok("5000020us"), 5000020);
    assert_int_equal(time_ok("1000s"), 1000000000);
    assert_int_equal(time_ok("5min"), 300000000);
    assert_int_equal(time_ok("000000000000000000000000005s"), 5000000);
    assert_int_equal(time_ok("000000000000000001ms"), 1000);
    assert_int_equal(time_ok("000000001000000000000000us"), 1000000000000000);
    assert_int_equal(time_ok("3600000000000ms"), UNITS_TIME_MAX);
    assert_int_equal(time_ok("3600000000s"), UNITS_TIME_MAX);
    assert_int_equal(time_ok("60000000min"), UNITS_TIME_MAX);
}

static void test_time_rounding(void **state)
{
    (void)state;
    /* To the nearest µs, halves up. */
    assert_int_equal(time_ok("1.5us"), 2);
    assert_int_equal(time_ok("1.4999us"), 1);
    assert_int_equal(time_ok("0.4us"), 0);
    assert_int_equal(time_ok("0.0005ms"), 1);
    assert_int_equal(time_ok("0.0004999ms"), 0);
    assert_int_equal(time_ok("1.0000004s"), 1000000);
    assert_int_equal(time_ok("1.0000005s"), 1000001);
    /* Digits past the 18th decimal cannot matter. */
    assert_int_equal(time_ok("1.0000000000000000000000001s"), 1000000);
    /* Exact, not through binary floating point: 0.1 + 0.2 style errors
     * would show here. */
    assert_int_equal(time_ok("0.3s"), 300000);
    assert_int_equal(time_ok("4.35ms"), 4350);
}

static void test_time_refused(void **state)
{
    (void)state;
    assert_string_equal(time_refused(""), "is empty");
    assert_string_equal(time_refused("5"), "has no unit");
    assert_string_equal(time_refused("0"), "has no unit");
    assert_string_equal(time_refused("1.5"), "has no unit");
    assert_string_equal(time_refused("-5ms"), "is negative");
    assert_string_equal(time_refused("-0s"), "is negative");
    assert_string_equal(time_refused("ms"), "is not a number");
    assert_string_equal(time_refused("nan"), "is not a number");
    assert_string_equal(time_refused("NaNs"), "is not a number");
    assert_string_equal(time_refused("inf"), "is not a number");
    assert_string_equal(time_refused("+5ms"), "is not a number");
    assert_string_equal(time_refused("5 ms"), "contains a space");
    assert_string_equal(time_refused(" 5ms"), "contains a space");
    assert_string_equal(time_refused("5ms "), "contains a space");
    assert_string_equal(time_refused("5mss"), "has an unknown unit");
    assert_string_equal(time_refused("5sec"), "has an unknown unit");
    assert_string_equal(time_refused("5m"), "has an unknown unit");
    assert_string_equal(time_refused("5MS"), "has an unknown unit");
    assert_string_equal(time_refused("5ns"), "has an unknown unit");
    assert_string_equal(time_refused("1e3ms"),
                        "is written with an exponent (write the digits out)");
    assert_string_equal(time_refused("1e309s"),
                        "is written with an exponent (write the digits out)");
    assert_string_equal(time_refused("5\r"), "contains a line break");
    assert_string_equal(time_refused("5\ts"), "contains a tab");
    assert_string_equal(time_refused("5.ms"), "has a decimal point without digits after it");
    assert_string_equal(time_refused("."), "is not a number");
    assert_string_equal(time_refused("9223372036854775808us"), "is too large");
    assert_string_equal(time_refused("2562047789h"), "is too large");
    /* Times that fit a SimTime but whose sums would not (a latency added
     * to a clock, a TTL to a script time) are refused too. */
    const char *beyond = "is longer than 1000000h (114 years), the longest time a run can reach";
    assert_string_equal(time_refused("9223372036854775807us"), beyond);
    assert_string_equal(time_refused("2562047788h"), beyond);
    assert_string_equal(time_refused("1000000.000001h"), beyond);
    assert_string_equal(time_refused("3600000000000001us"), beyond);
    assert_string_equal(time_refused("3600000000001ms"), beyond);
    assert_string_equal(time_refused("3600000001s"), beyond);
    assert_string_equal(time_refused("60000001min"), beyond);
    assert_string_equal(time_refused("1000001h"), beyond);
    assert_string_equal(time_refused("100000000000000000us"), beyond);
    assert_string_equal(time_refused("1000000000000000000us"), beyond);
    assert_string_equal(time_refused("999999999999999999h"), "is too large");
    assert_string_equal(time_refused("5s\n"), "contains a line break");
    assert_string_equal(time_refused("5sx"), "has an unknown unit");
    assert_string_equal(time_refused("5mi"), "has an unknown unit");
    assert_string_equal(time_refused("5u"), "has an unknown unit");
    assert_string_equal(time_refused("123456789012345678901234567890s"), "is too large");
    /* NULL why is allowed. */
    SimTime t;
    assert_false(units_parse_time("5", &t, NULL));
    assert_false(units_parse_time(NULL, &t, NULL));
}

static void test_rate(void **state)
{
    (void)state;
    assert_int_equal(rate_ok("1bit"), 1);
    assert_int_equal(rate_ok("64kbit"), 64000);
    assert_int_equal(rate_ok("100Mbit"), 100000000);
    assert_int_equal(rate_ok("1Gbit"), 1000000000);
    assert_int_equal(rate_ok("1.5Gbit"), 1500000000);
    assert_int_equal(rate_ok("10Mbit/s"), 10000000);
    assert_int_equal(rate_ok("0.5bit"), 1); /* rounded, halves up */
    assert_int_equal(rate_ok("0bit"), 0);   /* the loader refuses zero, not units */
    assert_int_equal(rate_ok("18446744073Gbit"), 18446744073000000000u);
    assert_string_equal(rate_refused("100"), "has no unit");
    assert_string_equal(rate_refused("100MB"), "has an unknown unit");
    assert_string_equal(rate_refused("100mbit"), "has an unknown unit");
    assert_string_equal(rate_refused("100Mbps"), "has an unknown unit");
    assert_string_equal(rate_refused("-1Mbit"), "is negative");
    assert_string_equal(rate_refused("18446744074Gbit"), "is too large");
}

static void test_size(void **state)
{
    (void)state;
    assert_int_equal(size_ok("512B"), 512);
    assert_int_equal(size_ok("1.5KB"), 1500);
    assert_int_equal(size_ok("1.5kB"), 1500);
    assert_int_equal(size_ok("4KiB"), 4096);
    assert_int_equal(size_ok("2MB"), 2000000);
    assert_int_equal(size_ok("1MiB"), 1048576);
    assert_int_equal(size_ok("1GB"), 1000000000);
    assert_int_equal(size_ok("1GiB"), 1073741824);
    assert_int_equal(size_ok("1.5B"), 2);
    assert_int_equal(size_ok("0.5KiB"), 512);
    assert_string_equal(size_refused("5"), "has no unit");
    assert_string_equal(size_refused("1kb"), "has an unknown unit");
    assert_string_equal(size_refused("1Mbit"), "has an unknown unit");
    assert_string_equal(size_refused("-1B"), "is negative");
}

static int64_t rfc(const char *s)
{
    int64_t us = 0;
    if (!units_parse_rfc3339(s, &us))
        fail_msg("units_parse_rfc3339(\"%s\") refused", s);
    return us;
}

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(rfc("2023-09-11T09:00:00Z"), 1694422800LL * 1000000);
    assert_int_equal(rfc("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(rfc("1969-12-31T23:59:59Z"), -1000000);
    assert_int_equal(rfc("2000-01-01T00:00:00Z"), 946684800LL * 1000000);
    assert_int_equal(rfc("2024-02-29T23:59:59Z"), 1709251199LL * 1000000);
    /* Offsets: the same instant. */
    assert_int_equal(rfc("2023-09-11T11:00:00+02:00"), 1694422800LL * 1000000);
    assert_int_equal(rfc("2023-09-11T04:30:00-04:30"), 1694422800LL * 1000000);
    assert_int_equal(rfc("2023-09-11t09:00:00z"), 1694422800LL * 1000000);
    /* Fractions, rounded to the µs. */
    assert_int_equal(rfc("1970-01-01T00:00:00.5Z"), 500000);
    assert_int_equal(rfc("1970-01-01T00:00:00.000001Z"), 1);
    assert_int_equal(rfc("1970-01-01T00:00:00.1234565Z"), 123457);
    assert_int_equal(rfc("1970-01-01T00:00:00.1234564999Z"), 123456);
    /* Refused. */
    const char *bad[] = {
        "",
        "2023-09-11",
        "2023-09-11T09:00:00",  /* no offset */
        "2023-09-11 09:00:00Z", /* space */
        "2023-02-29T09:00:00Z", /* not a leap year */
        "1900-02-29T09:00:00Z", /* not a leap year either */
        "2023-13-01T09:00:00Z",
        "2023-00-01T09:00:00Z",
        "2023-09-31T09:00:00Z",
        "2023-09-11T24:00:00Z",
        "2023-09-11T09:60:00Z",
        "2023-09-11T09:00:61Z",
        "2023-09-11T09:00:00.Z",
        "2023-09-11T09:00:00+2:00",
        "2023-09-11T09:00:00+02:60",
        "2023-09-11T09:00:00Zjunk",
        "23-09-11T09:00:00Z",
        "2023-9-11T09:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (units_parse_rfc3339(bad[i], &us))
            fail_msg("units_parse_rfc3339(\"%s\") accepted", bad[i]);
    assert_true(units_parse_rfc3339("2000-02-29T00:00:00Z", &us));
    assert_false(units_parse_rfc3339(NULL, &us));
}

static int64_t mail_date(const char *s)
{
    int64_t t = 0;
    char why[160];
    if (!units_parse_mail_date(s, &t, why, sizeof why))
        fail_msg("units_parse_mail_date(\"%s\") refused: %s", s, why);
    return t;
}

static const char *mail_date_why(const char *s)
{
    static char why[160];
    int64_t t;
    if (units_parse_mail_date(s, &t, why, sizeof why))
        fail_msg("units_parse_mail_date(\"%s\") accepted", s);
    return why;
}

/* RFC 5322 dates, as a mailbox's messages in a scenario write them. */
static void test_mail_date(void **state)
{
    (void)state;
    assert_int_equal(mail_date("Mon, 11 Sep 2023 08:00:00 +0000"), 1694419200);
    assert_int_equal(mail_date("11 Sep 2023 08:00:00 +0000"), 1694419200);
    assert_int_equal(mail_date("Mon, 11 Sep 2023 10:00 +0200"), 1694419200);
    assert_int_equal(mail_date("Mon,11 Sep 2023 04:00:00 EDT"), 1694419200);
    assert_int_equal(mail_date("Mon, 11 Sep 2023 08:00:00 GMT"), 1694419200);
    assert_int_equal(mail_date("Thu, 1 Jan 1970 00:00:00 -0000"), 0);
    assert_int_equal(mail_date("Wed, 31 Dec 1969 23:59:60 +0000"), 0);
    assert_int_equal(mail_date("Thu, 29 Feb 2024 12:00:00 +0000"), 1709208000);
    assert_int_equal(mail_date("mon, 11 SEP 2023 08:00:00 +0000"), 1694419200);
    assert_string_equal(
        mail_date_why("yesterday"),
        "it starts with neither a day of the month nor a day of the week and a comma");
    assert_string_equal(mail_date_why("Mon, 31 Feb 2023 08:00:00 +0000"), "Feb 2023 has no day 31");
    assert_string_equal(mail_date_why("Tue, 11 Sep 2023 08:00:00 +0000"),
                        "11 Sep 2023 is a Monday, not Tue");
    assert_string_equal(
        mail_date_why("Mon, 11 Sep 2023 25:00:00 +0000"),
        "no time of day: hours 00-23, minutes 00-59, seconds 00-60, as in 08:00:00");
    assert_string_equal(mail_date_why("Mon, 11 Sep 2023 08:00:00 +9999"),
                        "no time zone: +HHMM or -HHMM, with minutes under 60");
    assert_string_equal(mail_date_why("Mon, 11 Sep 2023 08:00:00"),
                        "no time zone: +HHMM or -HHMM, like +0000, or GMT");
    assert_string_equal(mail_date_why("Mon, 11 Sep 23 08:00:00 +0000"),
                        "no year of four digits, 1900 or later");
    assert_int_equal(mail_date("Mon, 11 Sep 2023 08:00:00 +0000 (UTC)"), 1694419200);
    assert_string_equal(mail_date_why("Mon, 11 Sep 2023 08:00:00 +0000 UTC"),
                        "text after the time zone");
    assert_string_equal(mail_date_why("Mon, 11 September 2023 08:00:00 +0000"),
                        "no year of four digits, 1900 or later");
}

static void test_format_time(void **state)
{
    (void)state;
    char b[32];
    struct {
        SimTime t;
        const char *s;
    } cases[] = {
        {0, "0s"},         {1, "1us"},        {250, "250us"},
        {999, "999us"},    {1000, "1ms"},     {1001, "1.001ms"},
        {1500, "1.5ms"},   {5000, "5ms"},     {999999, "999.999ms"},
        {1000000, "1s"},   {1500000, "1.5s"}, {1000001, "1.000001s"},
        {90000000, "90s"}, {-5000, "-5ms"},   {INT64_MAX, "9223372036854.775807s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        units_format_time(cases[i].t, b, sizeof b);
        assert_string_equal(b, cases[i].s);
    }
    /* What it prints parses back to the same time. */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].t < 0 || cases[i].t > UNITS_TIME_MAX)
            continue;
        units_format_time(cases[i].t, b, sizeof b);
        assert_int_equal(time_ok(b), cases[i].t);
    }
    /* A small buffer is cut, never overrun. */
    char small[4];
    units_format_time(1500000, small, sizeof small);
    assert_string_equal(small, "1.5");
    units_format_time(INT64_MIN, b, sizeof b);
    assert_string_equal(b, "-9223372036854.775808s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_units),   cmocka_unit_test(test_time_rounding),
        cmocka_unit_test(test_time_refused), cmocka_unit_test(test_rate),
        cmocka_unit_test(test_size),         cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_mail_date),    cmocka_unit_test(test_format_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
