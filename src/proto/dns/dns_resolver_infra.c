/* dns_resolver_infra — what the resolver knows of each server's round
 * trips: Unbound's infra cache (util/rtt.c, services/cache/infra.c), by
 * address in a hash table. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_resolver_int.h"

/* Unbound's timeouts (util/rtt.c, iterator/iterator.c, iter_utils.c):
 * a server it knows nothing of gets 376 ms (UNKNOWN_SERVER_NICENESS: RTO =
 * srtt 0 + 4 * rttvar 94); each timeout doubles that server's RTO (up to
 * 120 s); each answer feeds the measured round trip into srtt and rttvar
 * (RFC 6298's gains 1/8 and 1/4, floor 50 ms); what it knows of a server
 * lasts 15 minutes after it last heard of it. */
#define RTT_MIN_TIMEOUT 50
#define INFRA_HOST_TTL  (900 * (SimTime)1000000)
/* A server whose RTO reached 12 s and that timed out 3 times for a kind of
 * question (A, AAAA, other) is left out for that kind (infra.c's
 * PROBE_MAXRTO and TIMEOUT_COUNT_MAX), so a dead zone ends in SERVFAIL. */
#define PROBE_MAXRTO      12000
#define TIMEOUT_COUNT_MAX 3

static size_t infra_home(const Resolver *r, uint32_t addr)
{
    uint32_t h = addr * 0x9e3779b1u;
    return (h ^ (h >> 16)) & (r->infra_nslots - 1);
}

/* The entry for addr (one at most), or NULL. */
static Infra *infra_find(const Resolver *r, uint32_t addr)
{
    if (!r->infra_nslots)
        return NULL;
    for (size_t i = infra_home(r, addr); r->infra_slot[i]; i = (i + 1) & (r->infra_nslots - 1))
        if (r->infra[r->infra_slot[i] - 1].addr == addr)
            return &r->infra[r->infra_slot[i] - 1];
    return NULL;
}

static void infra_place(Resolver *r, size_t k)
{
    size_t i = infra_home(r, r->infra[k].addr);
    while (r->infra_slot[i])
        i = (i + 1) & (r->infra_nslots - 1);
    r->infra_slot[i] = (uint32_t)(k + 1);
}

/* The entry for addr, made fresh (RTO 376 ms) if unknown or expired. */
Infra *resolver_infra_get(Resolver *r, uint32_t addr)
{
    Infra *f = infra_find(r, addr);
    if (!f) {
        r->infra = xgrow(r->infra, &r->infra_cap, r->ninfra + 1, sizeof *r->infra);
        f = &r->infra[r->ninfra++];
        f->addr = addr;
        f->expires = 0;
        if (2 * r->ninfra > r->infra_nslots) {
            free(r->infra_slot);
            r->infra_nslots = hash_slots(r->ninfra, 16);
            r->infra_slot = xcalloc(r->infra_nslots, sizeof *r->infra_slot);
            for (size_t k = 0; k < r->ninfra; k++)
                infra_place(r, k);
        } else {
            infra_place(r, r->ninfra - 1);
        }
    }
    if (f->expires <= r->sim->now) {
        f->srtt = 0;
        f->rttvar = RTT_UNKNOWN / 4;
        f->rto = RTT_UNKNOWN;
        memset(f->timeouts, 0, sizeof f->timeouts);
    }
    f->expires = r->sim->now + INFRA_HOST_TTL;
    return f;
}

static int calc_rto(const Infra *f)
{
    int rto = f->srtt + 4 * f->rttvar;
    return rto < RTT_MIN_TIMEOUT ? RTT_MIN_TIMEOUT : rto > RTT_MAX_TIMEOUT ? RTT_MAX_TIMEOUT : rto;
}

static int type_slot(uint16_t type)
{
    return type == DNS_TYPE_A ? 0 : type == DNS_TYPE_AAAA ? 1 : 2;
}

/* A query that waited orig ms got nothing: double (rtt_lost). */
void resolver_infra_lost(Resolver *r, uint32_t addr, int orig, uint16_t type)
{
    Infra *f = resolver_infra_get(r, addr);
    if (f->timeouts[type_slot(type)] < TIMEOUT_COUNT_MAX)
        f->timeouts[type_slot(type)]++;
    if (f->rto < orig)
        return; /* an answer meanwhile brought it down */
    orig = orig > RTT_MAX_TIMEOUT / 2 ? RTT_MAX_TIMEOUT : orig * 2;
    if (f->rto <= orig)
        f->rto = orig;
}

/* An answer after ms milliseconds (rtt_update). */
void resolver_infra_answer(Resolver *r, uint32_t addr, int ms)
{
    Infra *f = resolver_infra_get(r, addr);
    int delta = ms - f->srtt;
    f->srtt += delta / 8;
    if (delta < 0)
        delta = -delta;
    f->rttvar += (delta - f->rttvar) / 4;
    f->rto = calc_rto(f);
    memset(f->timeouts, 0, sizeof f->timeouts);
}

/* The RTO the resolver would wait for addr now, without touching its
 * entry; RTT_MAX_TIMEOUT for a server left out for questions of type. */
int resolver_infra_peek(const Resolver *r, uint32_t addr, uint16_t type)
{
    const Infra *f = infra_find(r, addr);
    if (!f || f->expires <= r->sim->now)
        return RTT_UNKNOWN;
    if (f->rto >= PROBE_MAXRTO && calc_rto(f) * 4 <= f->rto &&
        f->timeouts[type_slot(type)] >= TIMEOUT_COUNT_MAX)
        return RTT_MAX_TIMEOUT;
    return f->rto;
}
