/* scenario_values — the scenario loader's readers of typed values
 * (scenario_int.h): strings, booleans, numbers and integers in a range,
 * times and rates with their units, IPv4 addresses with or without a
 * prefix, sizes; and an object's duplicate keys.  Each says what it
 * expected, at the value's path, when the value is not that. */
#include "io/scenario_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"

typedef struct KeyIdx {
    const char *key;
    size_t idx;
} KeyIdx;

static int cmp_keyidx(const void *a, const void *b)
{
    const KeyIdx *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Flags each member of obj that repeats an earlier key, and reports it.
 * O(n log n), so a "zones" object with thousands of origins is fine. */
bool *sj_find_duplicates_in(Loader *L, const cJSON *obj, const Path *p)
{
    size_t n = 0;
    bool any = false;
    /* Most objects have a few keys: comparing each pair is cheaper than
     * sorting, and finds nothing to flag (most keys differ in their first
     * character already). */
    for (const cJSON *c = obj->child; c; c = c->next, n++)
        for (const cJSON *e = obj->child; n < 8 && e != c && !any; e = e->next)
            any = e->string[0] == c->string[0] && strcmp(e->string, c->string) == 0;
    if (n < 2 || (n <= 8 && !any))
        return NULL;
    bool *dup = xcalloc(n, sizeof *dup);
    size_t i = 0;
    if (n <= 8) {
        for (const cJSON *c = obj->child; c; c = c->next, i++)
            for (const cJSON *e = obj->child; e != c && !dup[i]; e = e->next)
                dup[i] = strcmp(e->string, c->string) == 0;
    } else {
        KeyIdx *k = xmalloc(n * sizeof *k);
        for (const cJSON *c = obj->child; c; c = c->next, i++)
            k[i] = (KeyIdx){c->string, i};
        sj_sort(k, n, sizeof *k, cmp_keyidx);
        for (i = 1; i < n; i++)
            if (strcmp(k[i].key, k[i - 1].key) == 0)
                dup[k[i].idx] = any = true;
        free(k);
    }
    if (!any) {
        free(dup);
        return NULL;
    }
    i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++)
        if (dup[i])
            sj_err(L, c, p, "duplicate key %s (expected each key once)", sj_q(L, c->string));
    return dup;
}

const char *sj_not_string(Loader *L, const cJSON *v, const Path *p, const char *expected)
{
    sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
    return NULL;
}

bool sj_get_bool(Loader *L, const cJSON *v, const Path *p, bool *out)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return true;
    }
    sj_err(L, v, p, "got %s (expected true or false, without quotes)", sj_got(L, v));
    return false;
}

bool sj_get_number(Loader *L, const cJSON *v, const Path *p, const char *expected, double *out)
{
    if (!cJSON_IsNumber(v)) {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return false;
    }
    if (!isfinite(v->valuedouble)) {
        sj_err(L, v, p, "the number is too large (expected %s)", expected);
        return false;
    }
    *out = v->valuedouble;
    return true;
}

/* A whole number in min..max, which must lie within int64_t. */
bool sj_get_int(Loader *L, const cJSON *v, const Path *p, double min, double max,
                const char *expected, int64_t *out)
{
    double d;
    if (!sj_get_number(L, v, p, expected, &d))
        return false;
    if (d != floor(d)) {
        sj_err(L, v, p, "%s is not a whole number (expected %s)", sj_fmt_number(L, d), expected);
        return false;
    }
    if (d < min || d > max) {
        sj_err(L, v, p, "%s is out of range (expected %s)", sj_fmt_number(L, d), expected);
        return false;
    }
    *out = (int64_t)d;
    return true;
}

static const char TIME_EXPECTED[] =
    "a time like \"5ms\": a number and a unit, one of us, ms, s, min, h";
static const char RATE_EXPECTED[] =
    "a rate like \"100Mbit\": a number and a unit, one of bit, kbit, Mbit, Gbit";

bool sj_get_time(Loader *L, const cJSON *v, const Path *p, SimTime *out)
{
    if (sj_is(v, cJSON_Number)) {
        sj_err(L, v, p, "got %s, without a unit (expected %s)", sj_got(L, v), TIME_EXPECTED);
        return false;
    }
    const char *s = sj_get_string(L, v, p, TIME_EXPECTED);
    const char *why;
    if (!s)
        return false;
    if (!units_parse_time(s, out, &why)) {
        sj_err(L, v, p, "%s %s (expected %s)", sj_q(L, s), why, TIME_EXPECTED);
        return false;
    }
    return true;
}

bool sj_get_rate(Loader *L, const cJSON *v, const Path *p, uint64_t *out)
{
    if (cJSON_IsNumber(v)) {
        sj_err(L, v, p, "got %s, without a unit (expected %s)", sj_got(L, v), RATE_EXPECTED);
        return false;
    }
    const char *s = sj_get_string(L, v, p, RATE_EXPECTED);
    const char *why;
    if (!s)
        return false;
    if (!units_parse_rate(s, out, &why)) {
        sj_err(L, v, p, "%s %s (expected %s)", sj_q(L, s), why, RATE_EXPECTED);
        return false;
    }
    if (*out == 0) {
        sj_err(L, v, p, "%s is zero (expected a rate above zero, like \"100Mbit\")", sj_q(L, s));
        return false;
    }
    return true;
}

/* A dotted quad.  unicast: also refuse 0.0.0.0 and 255.255.255.255, which
 * no interface can have. */
/* The prefix length after the "/": 0 to 32, digits only, no leading zero. */
static bool parse_prefix(const char *s, uint8_t *out)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2 || (n == 2 && s[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 32)
        return false;
    *out = (uint8_t)v;
    return true;
}

/* With a written prefix of /1 to /30, a node's address may be neither its
 * network's address (host bits all zero) nor its broadcast address (all
 * one); /31 (RFC 3021) and /32 have no such addresses. */
static bool check_host_part(Loader *L, const cJSON *v, const Path *p, const char *s, uint32_t ip,
                            uint8_t len)
{
    if (len < 1 || len > 30)
        return true;
    uint32_t mask = 0xffffffffu << (32 - len);
    uint32_t host = ip & ~mask;
    if (host != 0 && host != ~mask)
        return true;
    char net[16];
    ip_format(ip & mask, net);
    sj_err(L, v, p,
           "%s is the %s address of the network %s/%u (expected an address of a host in it, "
           "like \"%s\")",
           sj_q(L, s), host == 0 ? "network" : "broadcast", net, (unsigned)len,
           sj_keep(L, xasprintf("%u.%u.%u.%u/%u", (ip & mask) >> 24, ((ip & mask) >> 16) & 255,
                                ((ip & mask) >> 8) & 255, ((ip & mask) & 255) + 1, (unsigned)len)));
    return false;
}

bool sj_get_ip(Loader *L, const cJSON *v, const Path *p, bool unicast, uint32_t *out,
               uint8_t *prefix)
{
    static const char expected[] = "an IPv4 address like \"10.0.0.1\"";
    const char *s = sj_get_string(L, v, p, expected);
    if (!s)
        return false;
    /* The address is what comes before the first slash, if any: a dotted
     * quad has none. */
    uint32_t ip;
    const char *end;
    if (!ip_parse_start(s, &ip, &end) || (*end && *end != '/')) {
        sj_err(L, v, p,
               "%s is not an IPv4 address (expected four numbers from 0 to 255 separated by "
               "dots, without leading zeros, like \"10.0.0.1\"%s)",
               sj_q(L, s),
               strchr(s, '/') ? ", with a prefix length if any, like \"10.0.0.1/24\"" : "");
        return false;
    }
    const char *slash = *end ? end : NULL;
    uint8_t len = 24;
    if (slash && !parse_prefix(slash + 1, &len)) {
        sj_err(L, v, p,
               "%s has a bad prefix length (expected a whole number from 0 to 32 after the "
               "\"/\", like \"10.0.2.1/24\")",
               sj_q(L, s));
        return false;
    }
    if (unicast && (ip == 0 || ip == 0xffffffffu)) {
        sj_err(L, v, p,
               "%s cannot be the address of a node (expected an address like \"10.0.0.1\")",
               sj_q(L, s));
        return false;
    }
    if (unicast && slash && !check_host_part(L, v, p, s, ip, len))
        return false;
    *out = ip;
    if (prefix)
        *prefix = len;
    return true;
}

static const char SIZE_EXPECTED[] =
    "a size like \"64KiB\": a number and a unit, one of B, KB, MB, GB, KiB, MiB, GiB";
static const char BYTE_RATE_EXPECTED[] =
    "a rate like \"2KB/s\": a number and a unit, one of B/s, KB/s, MB/s, KiB/s, MiB/s";

/* A quantity with units, parsed by parse, at most max (max_text: max as
 * the scenario would write it). */
static bool get_quantity(Loader *L, const cJSON *v, const Path *p, uint64_t max,
                         const char *max_text, uint64_t *out,
                         bool (*parse)(const char *, uint64_t *, const char **),
                         const char *expected)
{
    if (cJSON_IsNumber(v)) {
        sj_err(L, v, p, "got %s, without a unit (expected %s)", sj_got(L, v), expected);
        return false;
    }
    const char *s = sj_get_string(L, v, p, expected);
    const char *why;
    uint64_t x;
    if (!s)
        return false;
    if (!parse(s, &x, &why)) {
        sj_err(L, v, p, "%s %s (expected %s)", sj_q(L, s), why, expected);
        return false;
    }
    if (x > max) {
        sj_err(L, v, p, "%s is too large (expected at most %s)", sj_q(L, s), max_text);
        return false;
    }
    *out = x;
    return true;
}

bool sj_get_size(Loader *L, const cJSON *v, const Path *p, uint64_t max, const char *max_text,
                 uint64_t *out)
{
    return get_quantity(L, v, p, max, max_text, out, units_parse_size, SIZE_EXPECTED);
}

bool sj_get_byte_rate(Loader *L, const cJSON *v, const Path *p, uint64_t max, const char *max_text,
                      uint64_t *out)
{
    return get_quantity(L, v, p, max, max_text, out, units_parse_byte_rate, BYTE_RATE_EXPECTED);
}
