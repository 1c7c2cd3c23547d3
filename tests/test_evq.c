/* The event queue and the simulation clock: ordering by (time, insertion),
 * cancel by handle (also from inside a handler), run_until. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/evq.h"
#include "core/rng.h"
#include "core/sim.h"

typedef struct Log {
    uint64_t order[64];
    SimTime when[64];
    int n;
    EvHandle victim;
    Sim *sim;
} Log;

static void record(Sim *sim, void *ctx, uint64_t arg)
{
    Log *l = ctx;
    l->order[l->n] = arg;
    l->when[l->n] = sim->now;
    l->n++;
}

static void test_order_by_time_then_insertion(void **state)
{
    (void)state;
    Sim sim;
    Log log = {0};
    sim_init(&sim, 1, NULL, false);
    sim_at(&sim, 30, record, &log, 1);
    sim_at(&sim, 10, record, &log, 2);
    sim_at(&sim, 20, record, &log, 3);
    sim_at(&sim, 10, record, &log, 4); /* same time as 2, scheduled later */
    sim_at(&sim, 10, record, &log, 5);
    sim_run_until(&sim, SIM_TIME_MAX);
    uint64_t want[] = {2, 4, 5, 3, 1};
    assert_int_equal(log.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(log.order[i], want[i]);
    assert_int_equal(log.when[0], 10);
    assert_int_equal(log.when[4], 30);
    sim_fini(&sim);
}

static void test_cancel(void **state)
{
    (void)state;
    Sim sim;
    Log log = {0};
    sim_init(&sim, 1, NULL, false);
    EvHandle a = sim_at(&sim, 5, record, &log, 1);
    EvHandle b = sim_at(&sim, 6, record, &log, 2);
    sim_at(&sim, 7, record, &log, 3);
    assert_true(sim_cancel(&sim, b));
    assert_false(sim_cancel(&sim, b)); /* twice: no-op */
    assert_false(sim_cancel(&sim, 0));
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.order[0], 1);
    assert_int_equal(log.order[1], 3);
    assert_false(sim_cancel(&sim, a)); /* already ran */
    /* A stale handle must not cancel the event now in its reused slot. */
    EvHandle c = sim_at(&sim, 8, record, &log, 4);
    assert_false(sim_cancel(&sim, a));
    assert_true(sim_cancel(&sim, c));
    sim_fini(&sim);
}

static void cancel_victim(Sim *sim, void *ctx, uint64_t arg)
{
    Log *l = ctx;
    record(sim, ctx, arg);
    assert_true(sim_cancel(sim, l->victim));
}

static void cancel_self(Sim *sim, void *ctx, uint64_t arg)
{
    Log *l = ctx;
    record(sim, ctx, arg);
    assert_false(sim_cancel(sim, l->victim)); /* the running event is no longer pending */
    sim_after(sim, 1, record, ctx, 99);
}

static void test_cancel_from_handler(void **state)
{
    (void)state;
    Sim sim;
    Log log = {0};
    sim_init(&sim, 1, NULL, false);
    sim_at(&sim, 1, cancel_victim, &log, 1);
    log.victim = sim_at(&sim, 1, record, &log, 2); /* same time, later: cancelled first */
    sim_at(&sim, 2, record, &log, 3);
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.order[1], 3);

    Log log2 = {0};
    log2.victim = sim_at(&sim, 10, cancel_self, &log2, 7);
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_int_equal(log2.n, 2);
    assert_int_equal(log2.order[1], 99);
    assert_int_equal(log2.when[1], 11);
    sim_fini(&sim);
}

static void test_run_until(void **state)
{
    (void)state;
    Sim sim;
    Log log = {0};
    sim_init(&sim, 1, NULL, false);
    sim_at(&sim, 100, record, &log, 1);
    sim_at(&sim, 200, record, &log, 2);
    sim_run_until(&sim, 150);
    assert_int_equal(log.n, 1);
    assert_int_equal(sim.now, 150);
    sim_run_until(&sim, 200); /* an event exactly at the limit runs */
    assert_int_equal(log.n, 2);
    assert_false(sim_step(&sim));
    sim_fini(&sim);
}

/* sim_run_some runs at most n events, only those due by t, and says how
 * many ran; background events alone do not keep it going. */
static void test_run_some(void **state)
{
    (void)state;
    Sim sim;
    Log log = {0};
    sim_init(&sim, 1, NULL, false);
    for (uint64_t i = 1; i <= 5; i++)
        sim_at(&sim, (SimTime)(100 * i), record, &log, i);
    sim_after_background(&sim, 1000, record, &log, 6);
    assert_int_equal(sim_run_some(&sim, SIM_TIME_MAX, 2), 2);
    assert_int_equal(log.n, 2);
    assert_int_equal(sim_run_some(&sim, 300, 5), 1); /* 300 runs, 400 is after t */
    assert_int_equal(sim.now, 300);
    assert_int_equal(sim_run_some(&sim, SIM_TIME_MAX, 10), 2);
    assert_int_equal(sim_run_some(&sim, SIM_TIME_MAX, 10), 0);
    assert_int_equal(log.n, 5);
    assert_int_equal(sim_run_some(&sim, 1000, 10), 1); /* a time given: the background one too */
    assert_int_equal(log.order[5], 6);
    sim_fini(&sim);
}

static void nop(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

/* An event that schedules itself again with no delay. */
static void again_now(Sim *sim, void *ctx, uint64_t arg)
{
    (*(uint64_t *)ctx)++;
    sim_after(sim, 0, again_now, ctx, arg);
}

/* A loop that never lets time move on stops after SIM_MAX_EVENTS_AT_ONCE
 * events at that instant, with stuck set, even before --until's time;
 * events at one instant that end are not cut short. */
static void test_stuck_at_one_instant(void **state)
{
    (void)state;
    Sim sim;
    uint64_t runs = 0;
    sim_init(&sim, 1, NULL, false);
    sim_at(&sim, 5, again_now, &runs, 0);
    sim_run_until(&sim, 10);
    assert_true(sim.stuck);
    assert_int_equal(runs, SIM_MAX_EVENTS_AT_ONCE);
    assert_int_equal(sim.now, 5);
    sim_fini(&sim);

    sim_init(&sim, 1, NULL, false);
    for (int i = 0; i < 1000; i++)
        sim_at(&sim, 7, nop, NULL, 0);
    sim_at(&sim, 8, nop, NULL, 0);
    sim_run_until(&sim, SIM_TIME_MAX);
    assert_false(sim.stuck);
    assert_int_equal(sim.events, 1001);
    sim_fini(&sim);
}

/* Many random pushes and cancels against a plain model. */
static void test_random_against_model(void **state)
{
    (void)state;
    enum { N = 20000 };
    Evq q;
    Rng r;
    evq_init(&q);
    rng_seed(&r, 42);
    SimTime *time = calloc(N, sizeof *time);
    EvHandle *h = calloc(N, sizeof *h);
    char *live = calloc(N, 1);
    size_t nlive = 0;
    for (uint64_t i = 0; i < N; i++) {
        time[i] = (SimTime)rng_below(&r, 1000);
        h[i] = evq_push(&q, time[i], nop, NULL, i);
        live[i] = 1;
        nlive++;
        if (rng_below(&r, 4) == 0) {
            uint64_t k = rng_below(&r, i + 1);
            bool was = live[k];
            assert_int_equal(evq_cancel(&q, h[k]), was);
            if (was) {
                live[k] = 0;
                nlive--;
            }
        }
    }
    assert_int_equal(evq_len(&q), nlive);
    Event ev;
    SimTime last_t = -1;
    uint64_t last_i = 0;
    size_t popped = 0;
    while (evq_pop(&q, &ev)) {
        assert_true(live[ev.arg]);
        live[ev.arg] = 0;
        assert_true(ev.time >= last_t);
        if (ev.time == last_t)
            assert_true(ev.arg > last_i); /* ties in insertion order */
        assert_int_equal(ev.time, time[ev.arg]);
        last_t = ev.time;
        last_i = ev.arg;
        popped++;
    }
    assert_int_equal(popped, nlive);
    free(time);
    free(h);
    free(live);
    evq_fini(&q);
}

/* evq_take hands out the event in its slot, free again: the event stays
 * readable until a push, and a handle to it no longer cancels anything,
 * as after evq_pop. */
static void test_take_leaves_slot_free(void **state)
{
    (void)state;
    Evq q;
    evq_init(&q);
    EvHandle a = evq_push(&q, 5, nop, &q, 1);
    EvHandle b = evq_push(&q, 300000000, nop, NULL, 2); /* in the far wheel */
    const Event *e = evq_take(&q);
    assert_non_null(e);
    assert_int_equal(e->time, 5);
    assert_ptr_equal(e->fn, nop);
    assert_ptr_equal(e->ctx, &q);
    assert_int_equal(e->arg, 1);
    assert_false(evq_cancel(&q, a));
    assert_int_equal(evq_len(&q), 1);
    EvHandle c = evq_push(&q, 7, nop, NULL, 3); /* takes a's slot */
    assert_false(evq_cancel(&q, a));
    assert_true(evq_cancel(&q, c));
    e = evq_take(&q);
    assert_non_null(e);
    assert_int_equal(e->arg, 2);
    assert_false(evq_cancel(&q, b));
    assert_null(evq_take(&q));
    evq_fini(&q);
}

/* Pushes, pops and cancels interleaved (seeded by seed), each push a
 * random time ahead of the clock, below one of spans[] chosen at random:
 * every pop must still be the earliest live event by (time, insertion),
 * as a plain scan finds it.  counts[j] is the number of pushes more than
 * over[j] ahead; returns the number of pops.  With reserve, a third of the
 * pushes only reserve a seq (their place in the insertion order), and push
 * with it later, at a time ahead of the clock as it is then. */
static size_t against_scan(uint64_t seed, const SimTime *spans, uint64_t n_spans,
                           const SimTime *over, size_t *counts, size_t n_over, bool reserve)
{
    enum { N = 6000 };
    Evq q;
    Rng r;
    evq_init(&q);
    rng_seed(&r, seed);
    SimTime *time = calloc(N, sizeof *time);
    EvHandle *h = calloc(N, sizeof *h);
    char *live = calloc(N, 1);
    uint64_t *seq = calloc(N, sizeof *seq);
    size_t *waiting = calloc(N, sizeof *waiting); /* reserved, not pushed yet */
    size_t nwaiting = 0;
    SimTime now = 0;
    size_t pushed = 0, popped = 0;
    for (size_t j = 0; j < n_over; j++)
        counts[j] = 0;
    while (pushed < N || evq_len(&q) || nwaiting) {
        uint64_t what = rng_below(&r, 10);
        if (reserve && pushed < N && what < 5 && rng_below(&r, 3) == 0) {
            seq[pushed] = evq_reserve(&q);
            waiting[nwaiting++] = pushed++;
        } else if (pushed < N && what < 5) {
            SimTime ahead = (SimTime)rng_below(&r, (uint64_t)spans[rng_below(&r, n_spans)]);
            for (size_t j = 0; j < n_over; j++)
                counts[j] += ahead > over[j];
            time[pushed] = now + ahead;
            h[pushed] = evq_push(&q, time[pushed], nop, NULL, pushed);
            live[pushed++] = 1;
        } else if (nwaiting && (what == 9 || !evq_len(&q))) {
            size_t w = (size_t)rng_below(&r, nwaiting), k = waiting[w];
            waiting[w] = waiting[--nwaiting];
            time[k] = now + (SimTime)rng_below(&r, (uint64_t)spans[rng_below(&r, n_spans)]);
            h[k] = evq_push_reserved(&q, time[k], seq[k], nop, NULL, k, rng_below(&r, 2));
            live[k] = 1;
        } else if (pushed && what < 7) {
            uint64_t k = rng_below(&r, pushed);
            assert_int_equal(evq_cancel(&q, h[k]), live[k]);
            live[k] = 0;
        } else if (evq_len(&q)) {
            size_t want = N;
            for (size_t i = 0; i < pushed; i++)
                if (live[i] && (want == N || time[i] < time[want]))
                    want = i;
            assert_int_equal(evq_peek_time(&q), time[want]);
            Event ev;
            assert_true(evq_pop(&q, &ev));
            assert_int_equal(ev.arg, want);
            live[want] = 0;
            now = ev.time;
            popped++;
        }
    }
    free(time);
    free(h);
    free(live);
    free(seq);
    free(waiting);
    evq_fini(&q);
    return popped;
}

/* Times from now to 4 s ahead: events land in both heaps (near and later
 * than EVQ_NEAR), and later ones come due while the clock moves. */
static void test_two_heaps_against_scan(void **state)
{
    (void)state;
    static const SimTime spans[] = {50, 4 * EVQ_NEAR}, over[] = {EVQ_NEAR};
    size_t later;
    size_t popped = against_scan(7, spans, 2, over, &later, 1, false);
    assert_true(later > 6000 / 4); /* the later heap was used */
    assert_true(popped > 6000 / 4);
}

/* Times up to 700 s ahead: events land in the wheel, the far wheel (a
 * round of it is 537 s) and the heap beyond it; far buckets come into the
 * wheel as the clock moves, or all at once when the wheel is empty, and
 * cancelled far events leave at once. */
static void test_far_wheel_against_scan(void **state)
{
    (void)state;
    static const SimTime spans[] = {50, 4 * EVQ_NEAR, 40000000, 700000000},
                         over[] = {2 * EVQ_NEAR, 540000000};
    size_t counts[2];
    size_t popped = against_scan(11, spans, 4, over, counts, 2, false);
    assert_true(counts[0] > 6000 / 4);  /* far */
    assert_true(counts[1] > 6000 / 40); /* beyond the far wheel */
    assert_true(popped > 6000 / 4);
}

/* Seqs reserved and pushed with later (a cache's one expiry event): among
 * events pushed meanwhile, near and far, an event reserved earlier still
 * comes first at its time. */
static void test_reserved_against_scan(void **state)
{
    (void)state;
    static const SimTime spans[] = {50, 4 * EVQ_NEAR, 40000000, 700000000}, over[] = {2 * EVQ_NEAR};
    size_t far;
    size_t popped = against_scan(13, spans, 4, over, &far, 1, true);
    assert_true(far > 6000 / 8);
    assert_true(popped > 6000 / 4);
}

/* Peeking with only far events pending moves the window on; an event
 * pushed after that, before the far ones, still comes first. */
static void test_push_after_far_peek(void **state)
{
    (void)state;
    Evq q;
    Event ev;
    evq_init(&q);
    evq_push(&q, 10, nop, NULL, 1);
    assert_true(evq_pop(&q, &ev));
    evq_push(&q, 300000000, nop, NULL, 2);
    EvHandle gone = evq_push(&q, 300000000, nop, NULL, 3);
    evq_push(&q, 300000000, nop, NULL, 4);
    assert_true(evq_cancel(&q, gone));
    assert_int_equal(evq_peek_time(&q), 300000000);
    evq_push(&q, 20, nop, NULL, 5);
    evq_push(&q, 300000000 + 1, nop, NULL, 6);
    evq_push(&q, 300000000, nop, NULL, 7);
    assert_int_equal(evq_peek_time(&q), 20);
    static const uint64_t order[] = {5, 2, 4, 7, 6};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        assert_true(evq_pop(&q, &ev));
        assert_int_equal(ev.arg, order[i]);
    }
    assert_false(evq_pop(&q, &ev));
    evq_fini(&q);
}

/* The wheel's buckets go round: near events whose times straddle a
 * multiple of its size, popped from every kind of starting point, still
 * come out by (time, insertion). */
static void test_wheel_wraps(void **state)
{
    (void)state;
    static const SimTime offsets[] = {0, 1, 62, 63, 64, 65, 4095, 4096, EVQ_NEAR - 1, EVQ_NEAR};
    enum { N = sizeof offsets / sizeof offsets[0] };
    for (SimTime base = EVQ_WHEEL_SLOTS - 2 * EVQ_NEAR; base < 3 * EVQ_WHEEL_SLOTS; base += 997) {
        if (base < 0)
            continue;
        Evq q;
        evq_init(&q);
        Event ev;
        evq_push(&q, base, nop, NULL, 99); /* brings the clock to base */
        assert_true(evq_pop(&q, &ev));
        for (size_t i = 0; i < N; i++) /* pushed last first, ties in pairs */
            evq_push(&q, base + offsets[N - 1 - i], nop, NULL, N - 1 - i);
        evq_push(&q, base + offsets[3], nop, NULL, 100);
        assert_int_equal(evq_peek_time(&q), base);
        size_t order[] = {0, 1, 2, 3, 100, 4, 5, 6, 7, 8, 9};
        for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
            assert_true(evq_pop(&q, &ev));
            assert_int_equal(ev.arg, order[i]);
            assert_int_equal(ev.time, base + offsets[order[i] == 100 ? 3 : order[i]]);
        }
        assert_false(evq_pop(&q, &ev));
        evq_fini(&q);
    }
}

/* A cancelled event of the wheel stays in its bucket until it comes first:
 * events pushed after it at the same time still run, in order, peek and
 * len never count it, and its slot is reused only once it is dropped. */
static void test_cancelled_in_the_wheel(void **state)
{
    (void)state;
    Evq q;
    Event ev;
    evq_init(&q);
    evq_push(&q, 5, nop, NULL, 1);
    EvHandle six = evq_push(&q, 6, nop, NULL, 2);
    evq_push(&q, 7, nop, NULL, 3);
    assert_true(evq_cancel(&q, six));
    assert_false(evq_cancel(&q, six));
    assert_int_equal(evq_len(&q), 2);
    assert_true(evq_pop(&q, &ev)); /* 5; the wheel's next is the cancelled 6 */
    assert_int_equal(ev.arg, 1);
    EvHandle again = evq_push(&q, 6, nop, NULL, 4); /* behind the cancelled one */
    assert_false(evq_cancel(&q, six));
    assert_int_equal(evq_peek_time(&q), 6);
    assert_true(evq_pop(&q, &ev));
    assert_int_equal(ev.arg, 4);
    assert_int_equal(ev.time, 6);
    assert_false(evq_cancel(&q, again));
    EvHandle eight = evq_push(&q, 8, nop, NULL, 5); /* in a slot let go */
    assert_false(evq_cancel(&q, six));
    assert_true(evq_cancel(&q, eight));
    assert_true(evq_pop(&q, &ev));
    assert_int_equal(ev.arg, 3);
    assert_int_equal(evq_len(&q), 0);
    assert_int_equal(evq_peek_time(&q), SIM_TIME_MAX);
    assert_false(evq_pop(&q, &ev));
    evq_push(&q, 9, nop, NULL, 6);
    assert_true(evq_pop(&q, &ev));
    assert_int_equal(ev.arg, 6);
    evq_fini(&q);
}

/* The wheel left empty by a pop (its last event taken, or a cancelled one
 * dropped) and filled again: the first push's event comes first, unless a
 * later push's comes before it, as in a queue that never emptied. */
static void test_wheel_empties_and_fills(void **state)
{
    (void)state;
    Evq q;
    Event ev;
    evq_init(&q);
    for (SimTime round = 0; round < 4; round++) {
        SimTime base = round * 1000;
        EvHandle gone = evq_push(&q, base + 70, nop, NULL, 9);
        evq_push(&q, base + 5, nop, NULL, 1);
        if (round % 2)
            assert_true(evq_cancel(&q, gone)); /* dropped by the pop of 1 */
        assert_true(evq_pop(&q, &ev));
        assert_int_equal(ev.arg, 1);
        if (round % 2 == 0) {
            assert_true(evq_pop(&q, &ev));
            assert_int_equal(ev.arg, 9);
        }
        assert_int_equal(evq_len(&q), 0);
        evq_push(&q, base + 600, nop, NULL, 2);
        evq_push(&q, base + 300, nop, NULL, 3); /* before the first push's */
        evq_push(&q, base + 600, nop, NULL, 4);
        static const uint64_t order[] = {3, 2, 4};
        for (size_t i = 0; i < 3; i++) {
            assert_true(evq_pop(&q, &ev));
            assert_int_equal(ev.arg, order[i]);
        }
        assert_false(evq_pop(&q, &ev));
        assert_int_equal(evq_peek_time(&q), SIM_TIME_MAX);
    }
    evq_fini(&q);
}

static void test_rng_determinism(void **state)
{
    (void)state;
    Rng a, b, c;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    rng_seed(&c, 8);
    bool differ = false;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        assert_int_equal(x, rng_next(&b));
        differ |= x != rng_next(&c);
    }
    assert_true(differ);
    /* The sequence is part of the trace format: pin it. */
    Rng d;
    rng_seed(&d, 1);
    uint64_t first = rng_next(&d);
    assert_int_equal(first, 0xb3f2af6d0fc710c5ULL);
    for (int i = 0; i < 10000; i++) {
        double x = rng_double(&d);
        assert_true(x >= 0.0 && x < 1.0);
        assert_true(rng_below(&d, 6) < 6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_by_time_then_insertion),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cancel_from_handler),
        cmocka_unit_test(test_run_until),
        cmocka_unit_test(test_run_some),
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_rng_determinism),
        cmocka_unit_test(test_stuck_at_one_instant),
        cmocka_unit_test(test_two_heaps_against_scan),
        cmocka_unit_test(test_far_wheel_against_scan),
        cmocka_unit_test(test_reserved_against_scan),
        cmocka_unit_test(test_push_after_far_peek),
        cmocka_unit_test(test_take_leaves_slot_free),
        cmocka_unit_test(test_wheel_wraps),
        cmocka_unit_test(test_cancelled_in_the_wheel),
        cmocka_unit_test(test_wheel_empties_and_fills),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
