#include "evq.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NO_SLOT    UINT32_MAX
#define WHEEL_MASK (EVQ_WHEEL_SLOTS - 1u)
#define FAR_MASK   (EVQ_FAR_SLOTS - 1u)

/* The wheel holds the events of the far buckets up to the horizon, which
 * is that of last + EVQ_NEAR: they lie before last + EVQ_NEAR + a bucket. */
_Static_assert(EVQ_WHEEL_SLOTS >= EVQ_NEAR + ((SimTime)1 << EVQ_FAR_SHIFT),
               "the wheel spans the near window and a far bucket");
_Static_assert((EVQ_FAR_SLOTS & FAR_MASK) == 0, "the far wheel's size is a power of two");
_Static_assert((EVQ_WHEEL_SLOTS & WHEEL_MASK) == 0, "the wheel's size is a power of two");
_Static_assert(sizeof(EvqSlot) == 64, "a slot is a cache line");

void evq_init(Evq *q)
{
    *q = (Evq){0};
    q->near.first = SIM_TIME_MAX;
    q->later.first = SIM_TIME_MAX;
    q->far.horizon = (uint64_t)EVQ_NEAR >> EVQ_FAR_SHIFT;
    q->far.end = (SimTime)((q->far.horizon + 1) << EVQ_FAR_SHIFT);
    q->free_slot = NO_SLOT;
}

void evq_fini(Evq *q)
{
    free(q->near.last);
    free(q->far.last);
    free(q->later.a);
    free(q->slots);
    evq_init(q);
}

static inline bool before(SimTime at, uint64_t aseq, SimTime bt, uint64_t bseq)
{
    return at < bt || (at == bt && aseq < bseq);
}

static inline bool node_before(const EvqNode *a, const EvqNode *b)
{
    return before(a->time, a->seq, b->time, b->seq);
}

/* ---- slots --------------------------------------------------------------- */

/* s has left the wheel, the far wheel or the heap, and its event is no
 * longer pending. */
static void slot_free(Evq *q, uint32_t s)
{
    q->slots[s].pos = EVQ_FREE; /* its event stays readable: see evq_take */
    q->slots[s].next = q->free_slot;
    q->free_slot = s;
}

/* ---- the later heap ------------------------------------------------------ */

static inline void place(Evq *q, size_t i, EvqNode n)
{
    q->later.a[i] = n;
    q->slots[n.slot].pos = (uint32_t)i;
}

/* After a push or a removal: the time pop compares with the wheel's. */
static void heap_note_first(EvqHeap *h)
{
    h->first = h->len ? h->a[0].time : SIM_TIME_MAX;
}

static void sift_up(Evq *q, size_t i, EvqNode n)
{
    EvqHeap *h = &q->later;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!node_before(&n, &h->a[parent]))
            break;
        place(q, i, h->a[parent]);
        i = parent;
    }
    place(q, i, n);
}

static void sift_down(Evq *q, size_t i, EvqNode n)
{
    EvqHeap *h = &q->later;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= h->len)
            break;
        size_t last = first + 4 < h->len ? first + 4 : h->len;
        size_t best = first;
        for (size_t c = first + 1; c < last; c++)
            if (node_before(&h->a[c], &h->a[best]))
                best = c;
        if (!node_before(&h->a[best], &n))
            break;
        place(q, i, h->a[best]);
        i = best;
    }
    place(q, i, n);
}

/* Returns handle, so that push can end in a tail call here. */
__attribute__((noinline)) static EvHandle heap_push(Evq *q, uint32_t s, EvHandle handle)
{
    EvqHeap *h = &q->later;
    assert(h->len < EVQ_WHEEL);
    if (h->len == h->cap)
        h->a = xgrow(h->a, &h->cap, h->len + 1, sizeof *h->a);
    h->len++;
    sift_up(q, h->len - 1, (EvqNode){q->slots[s].ev.time, q->slots[s].seq, s});
    heap_note_first(h);
    return handle;
}

static void heap_remove(Evq *q, size_t i)
{
    EvqHeap *h = &q->later;
    EvqNode last = h->a[--h->len];
    if (i < h->len) {
        if (i > 0 && node_before(&last, &h->a[(i - 1) / 4]))
            sift_up(q, i, last);
        else
            sift_down(q, i, last);
    }
    heap_note_first(h);
}

/* ---- buckets: both wheels ------------------------------------------------ */

/* n buckets' last slots, all NO_SLOT. */
static void buckets_alloc(uint32_t **last, size_t n)
{
    *last = xmalloc(n * sizeof **last);
    memset(*last, 0xff, n * sizeof **last); /* NO_SLOT */
}

/* Puts s at the end of a bucket's ring, whose last slot is *last; returns
 * whether the bucket was empty.  back: keep the prev links too (the far
 * wheel's rings, out of which a cancelled event is taken at once; the
 * wheel's never read them). */
static inline bool ring_append(Evq *q, uint32_t *last, uint32_t s, bool back)
{
    EvqSlot *slot = &q->slots[s];
    uint32_t l = *last;
    *last = s;
    if (l == NO_SLOT) {
        slot->next = s;
        if (back)
            slot->prev = s;
        return true;
    }
    uint32_t first = q->slots[l].next;
    slot->next = first; /* after l, before the bucket's first */
    q->slots[l].next = s;
    if (back) {
        slot->prev = l;
        q->slots[first].prev = s;
    }
    return false;
}

/* A bitmap of buckets in use has a summary: a bit per word that is not 0. */
static inline void mark_used(uint64_t *used, uint64_t *summary, size_t b)
{
    if (!used[b / 64]) /* the summary's bit is set already otherwise */
        summary[b / 4096] |= 1ULL << (b / 64 % 64);
    used[b / 64] |= 1ULL << (b % 64);
}

static inline void mark_free(uint64_t *used, uint64_t *summary, size_t b)
{
    used[b / 64] &= ~(1ULL << (b % 64));
    if (!used[b / 64])
        summary[b / 4096] &= ~(1ULL << (b / 64 % 64));
}

/* The first bucket in use at or after bucket b (circularly) of a bitmap of
 * groups * 4096 buckets; the caller knows one is in use. */
static inline size_t first_used(const uint64_t *used, const uint64_t *summary, size_t groups,
                                size_t b)
{
    size_t word = b / 64;
    uint64_t bits = used[word] & (~0ULL << (b % 64));
    for (size_t k = 0; !bits; k++) { /* the next word that is not 0, from word + 1 */
        assert(k <= groups);
        size_t i = (word + 1) % (groups * 64);
        size_t g = (i / 64 + k) % groups;
        uint64_t words = summary[g];
        if (k == 0)
            words &= ~0ULL << (i % 64);
        if (words) {
            word = g * 64 + (size_t)__builtin_ctzll(words);
            bits = used[word];
        }
    }
    return word * 64 + (size_t)__builtin_ctzll(bits);
}

/* ---- the wheel ----------------------------------------------------------- */

static inline void wheel_push(Evq *q, uint32_t s, SimTime t)
{
    EvqWheel *w = &q->near;
    uint32_t b = (uint32_t)t & WHEEL_MASK;
    if (ring_append(q, &w->last[b], s, false))
        mark_used(w->used, w->summary, b);
    /* first is -1 when not known, below any time: it stays not known;
     * SIM_TIME_MAX, above any, when the wheel was known empty. */
    w->len++;
    if (t < w->first) {
        w->first = t;
        w->head = s;
    }
}

/* Finds the wheel's first event when it is not known: the first bucket in
 * use from last's, going round, holds it (its events lie within a round of
 * last, see above). */
static void wheel_find(Evq *q)
{
    EvqWheel *w = &q->near;
    size_t from = (size_t)((uint64_t)q->last & WHEEL_MASK);
    size_t b = first_used(w->used, w->summary, EVQ_WHEEL_GROUPS, from);
    w->head = q->slots[w->last[b]].next;
    w->first = q->slots[w->head].ev.time;
}

/* The slot of the wheel's first event (perhaps a cancelled one), NO_SLOT if
 * the wheel is empty. */
static inline uint32_t wheel_head(Evq *q)
{
    if (q->near.first < 0) {
        if (!q->near.len) {
            q->near.first = SIM_TIME_MAX; /* for the next push */
            return NO_SLOT;
        }
        wheel_find(q);
    } else if (q->near.first == SIM_TIME_MAX) {
        return NO_SLOT;
    }
    return q->near.head;
}

/* Removes s, the wheel's first event (wheel_head). */
static inline void wheel_shift(Evq *q, uint32_t s)
{
    EvqWheel *w = &q->near;
    uint32_t b = (uint32_t)w->first & WHEEL_MASK;
    uint32_t last = w->last[b];
    if (last == s) {
        w->last[b] = NO_SLOT;
        mark_free(w->used, w->summary, b);
        w->first = -1;
    } else {
        w->head = q->slots[s].next;
        q->slots[last].next = w->head;
    }
    w->len--;
}

/* ---- the far wheel -------------------------------------------------------- */

/* The far bucket of a time. */
static inline uint64_t far_bucket(SimTime t)
{
    return (uint64_t)t >> EVQ_FAR_SHIFT;
}

static EvHandle far_push_first(Evq *q, uint32_t s, uint64_t k, EvHandle handle);

/* s is due in bucket k, past the horizon: into the far wheel, or the heap
 * when k is a round or more beyond the horizon.  Returns handle, as
 * heap_push does. */
__attribute__((noinline)) static EvHandle far_push(Evq *q, uint32_t s, uint64_t k, EvHandle handle)
{
    EvqFar *f = &q->far;
    if (k - f->horizon >= EVQ_FAR_SLOTS)
        return heap_push(q, s, handle);
    if (!f->last)
        return far_push_first(q, s, k, handle);
    uint32_t b = (uint32_t)k & FAR_MASK;
    if (ring_append(q, &f->last[b], s, true))
        mark_used(f->used, f->summary, b);
    q->slots[s].pos = EVQ_FAR;
    f->len++;
    return handle;
}

/* far_push's first, which makes the far wheel: apart (and a tail call),
 * as push_grown is from push, so that far_push makes no call but tail
 * calls, and has no register to save. */
__attribute__((noinline)) static EvHandle far_push_first(Evq *q, uint32_t s, uint64_t k,
                                                         EvHandle handle)
{
    buckets_alloc(&q->far.last, EVQ_FAR_SLOTS);
    return far_push(q, s, k, handle);
}

/* Takes s out of its far bucket (a cancelled event: its slot is let go at
 * once, not kept until its time comes near). */
static void far_remove(Evq *q, uint32_t s)
{
    EvqFar *f = &q->far;
    const EvqSlot *slot = &q->slots[s];
    uint32_t b = (uint32_t)far_bucket(slot->ev.time) & FAR_MASK;
    if (slot->next == s) {
        f->last[b] = NO_SLOT;
        mark_free(f->used, f->summary, b);
    } else {
        q->slots[slot->prev].next = slot->next;
        q->slots[slot->next].prev = slot->prev;
        if (f->last[b] == s)
            f->last[b] = slot->prev;
    }
    f->len--;
}

/* The far wheel's first bucket in use (the far wheel is not empty). */
static uint64_t far_first(const EvqFar *f)
{
    uint64_t from = f->horizon + 1;
    size_t b = first_used(f->used, f->summary, EVQ_FAR_GROUPS, (size_t)(from & FAR_MASK));
    return from + ((b - from) & FAR_MASK);
}

/* Moves far bucket b's events, in their order, to the wheel. */
static void far_take(Evq *q, size_t b)
{
    EvqFar *f = &q->far;
    uint32_t last = f->last[b];
    f->last[b] = NO_SLOT;
    mark_free(f->used, f->summary, b);
    uint32_t s = q->slots[last].next;
    for (;;) {
        uint32_t next = q->slots[s].next;
        f->len--;
        q->slots[s].pos = EVQ_WHEEL;
        wheel_push(q, s, q->slots[s].ev.time);
        if (s == last)
            break;
        s = next;
    }
}

/* Makes h (not below it) the horizon: the far buckets up to h move to the
 * wheel. */
__attribute__((noinline)) static void far_advance(Evq *q, uint64_t h)
{
    EvqFar *f = &q->far;
    while (f->len) {
        uint64_t k = far_first(f);
        if (k > h)
            break;
        far_take(q, (size_t)(k & FAR_MASK));
    }
    f->horizon = h;
    f->end = (SimTime)((h + 1) << EVQ_FAR_SHIFT);
}

/* The wheel's first event, dropping the cancelled ones before it; NO_SLOT
 * if the wheel is empty. */
static inline uint32_t near_first(Evq *q)
{
    uint32_t near = wheel_head(q);
    while (near != NO_SLOT && !q->slots[near].ev.fn) {
        wheel_shift(q, near);
        slot_free(q, near);
        near = wheel_head(q);
    }
    return near;
}

/* The wheel is empty and the far wheel is not: unless the heap's first
 * event comes before the far wheel's first bucket, last moves on to a
 * window's length before that bucket (every pending event lies after it),
 * and the bucket comes into the wheel.  Returns the wheel's first event,
 * NO_SLOT if the heap's comes first or nothing is left in either wheel. */
__attribute__((noinline)) static uint32_t far_pull(Evq *q)
{
    uint32_t near = NO_SLOT;
    while (near == NO_SLOT && q->far.len) {
        uint64_t k = far_first(&q->far);
        SimTime start = (SimTime)(k << EVQ_FAR_SHIFT);
        if (q->later.first < start)
            return NO_SLOT;
        if (start - EVQ_NEAR > q->last)
            q->last = start - EVQ_NEAR;
        far_advance(q, k);
        near = near_first(q);
    }
    return near;
}

/* ---- the queue ----------------------------------------------------------- */

/* Doubles the slots' array, keeping it aligned to a cache line. */
static void slots_grow(Evq *q)
{
    size_t cap = q->slots_cap ? 2 * q->slots_cap : 64;
    EvqSlot *a = xaligned(64, cap * sizeof *a);
    if (q->nslots)
        memcpy(a, q->slots, q->nslots * sizeof *a);
    free(q->slots);
    q->slots = a;
    q->slots_cap = cap;
}

/* Puts a slot on the free list, and makes the wheel on the first push. */
static inline void push_room(Evq *q)
{
    if (!q->near.last)
        buckets_alloc(&q->near.last, EVQ_WHEEL_SLOTS);
    assert(q->nslots < NO_SLOT - 1); /* a handle holds s + 1 */
    if (q->nslots == q->slots_cap)
        slots_grow(q);
    q->slots[q->nslots].next = NO_SLOT;
    q->slots[q->nslots].pos = EVQ_FREE;
    q->free_slot = (uint32_t)q->nslots++;
}

/* Takes the free list's first slot (there is one) for an event, and
 * counts it pending. */
static inline uint32_t slot_take(Evq *q, SimTime t, uint64_t seq, EvFn fn, void *ctx, uint64_t arg,
                                 bool background)
{
    uint32_t s = q->free_slot;
    EvqSlot *slot = &q->slots[s];
    q->free_slot = slot->next;
    slot->ev = (Event){t, fn, ctx, arg};
    slot->seq = seq;
    slot->pos = EVQ_WHEEL;
    slot->background = background;
    q->len++;
    q->background += background;
    return s;
}

static EvHandle push_grown(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg, bool background);

static inline EvHandle push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg, bool background)
{
    assert(fn && t >= 0);
    if (q->free_slot == NO_SLOT) /* also on the first push: then the wheel is made */
        return push_grown(q, t, fn, ctx, arg, background);
    uint64_t seq = q->seq++;
    uint32_t s = slot_take(q, t, seq, fn, ctx, arg, background);
    EvHandle h = (seq << 32) | (s + 1);
    if (t < q->last)
        return heap_push(q, s, h);
    if (t >= q->far.end) /* past the horizon's bucket */
        return far_push(q, s, far_bucket(t), h);
    wheel_push(q, s, t);
    return h;
}

/* push's rare case, apart (and a tail call) so that the common one makes
 * no call after which it needs its registers: none to save and restore. */
__attribute__((noinline)) static EvHandle push_grown(Evq *q, SimTime t, EvFn fn, void *ctx,
                                                     uint64_t arg, bool background)
{
    push_room(q);
    return push(q, t, fn, ctx, arg, background);
}

EvHandle evq_push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg)
{
    return push(q, t, fn, ctx, arg, false);
}

EvHandle evq_push_background(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg)
{
    return push(q, t, fn, ctx, arg, true);
}

/* Always into the heap: a bucket's ring is in push order, which is seq
 * order only while every push takes the next seq (see evq.h). */
EvHandle evq_push_reserved(Evq *q, SimTime t, uint64_t seq, EvFn fn, void *ctx, uint64_t arg,
                           bool background)
{
    assert(fn && t >= 0 && seq < q->seq);
    if (q->free_slot == NO_SLOT)
        push_room(q);
    uint32_t s = slot_take(q, t, seq, fn, ctx, arg, background);
    return heap_push(q, s, (seq << 32) | (s + 1));
}

/* evq_cancel of an event of the heap: apart (and a tail call), so that
 * evq_cancel calls nothing but by tail calls, and saves no register. */
__attribute__((noinline)) static bool cancel_in_heap(Evq *q, uint32_t s)
{
    heap_remove(q, q->slots[s].pos);
    slot_free(q, s);
    return true;
}

bool evq_cancel(Evq *q, EvHandle h)
{
    uint32_t s = (uint32_t)h - 1;
    if ((uint32_t)h == 0 || s >= q->nslots)
        return false;
    EvqSlot *slot = &q->slots[s];
    if (slot->pos == EVQ_FREE || !slot->ev.fn || (uint32_t)slot->seq != (uint32_t)(h >> 32))
        return false;
    q->len--;
    q->background -= slot->background;
    if (slot->pos == EVQ_WHEEL) {
        slot->ev.fn = NULL; /* dropped when it comes first (near_first) */
    } else if (slot->pos == EVQ_FAR) {
        far_remove(q, s);
        slot_free(q, s);
    } else {
        return cancel_in_heap(q, s);
    }
    return true;
}

/* The slot of the earliest pending event, NO_SLOT if there is none; drops
 * the wheel's cancelled events before it.  Always inline: a call here
 * cost evq_pop as much as its own work.  The far wheel's events all come
 * after the wheel's. */
__attribute__((always_inline)) static inline uint32_t first_slot(Evq *q)
{
    uint32_t near = near_first(q);
    if (near == NO_SLOT && q->far.len)
        near = far_pull(q);
    if (near != NO_SLOT && q->near.first < q->later.first) /* most pops: by time alone */
        return near;
    if (!q->later.len)
        return near;
    const EvqNode *top = &q->later.a[0];
    if (near == NO_SLOT || before(top->time, top->seq, q->near.first, q->slots[near].seq))
        return top->slot;
    return near;
}

/* Ends a take whose event has left the queue: the wheel's next event is
 * found, and its context (most often a packet, written when it was sent,
 * long out of the caches by now) asked of the memory now, to come while
 * this event runs.  A hint only: the order is not touched, and the next
 * pop finds the wheel's first event remembered. */
static inline const Event *take_end(Evq *q, const EvqSlot *slot)
{
    uint32_t next = wheel_head(q);
    if (next != NO_SLOT)
        __builtin_prefetch(q->slots[next].ev.ctx);
    return &slot->ev;
}

/* A take's end off its common path: last moves on to t, the time of the
 * event taken, the horizon with it, and the wheel's next event is
 * searched for past the bitmap's word of the one taken. */
__attribute__((noinline)) static const Event *take_rest(Evq *q, const EvqSlot *slot, SimTime t)
{
    if (t > q->last) { /* not before: see evq.h */
        q->last = t;
        uint64_t h = far_bucket(t + EVQ_NEAR);
        if (h != q->far.horizon)
            far_advance(q, h);
    }
    return take_end(q, slot);
}

/* evq_take in general: the earliest event may be in the heap, or behind
 * cancelled ones, or the wheel's first not known yet. */
__attribute__((noinline)) static const Event *take_any(Evq *q)
{
    uint32_t s = first_slot(q);
    if (s == NO_SLOT)
        return NULL;
    EvqSlot *slot = &q->slots[s];
    q->len--;
    q->background -= slot->background;
    if (slot->pos == EVQ_WHEEL)
        wheel_shift(q, s);
    else
        heap_remove(q, 0);
    slot_free(q, s);
    return take_rest(q, slot, slot->ev.time);
}

/* The wheel's first event, at t in bucket b, has left its bucket, now
 * empty: the next one is found if it lies in the same word of the bitmap
 * (in time order from b: the wheel spans less than a round). */
static inline void wheel_next_in_word(EvqWheel *w, const EvqSlot *slots, uint32_t b)
{
    uint64_t word = w->used[b / 64] &= ~(1ULL << (b % 64));
    uint64_t after = word >> (b % 64);
    if (after) {
        b += (uint32_t)__builtin_ctzll(after);
        w->head = slots[w->last[b]].next;
        w->first = slots[w->head].ev.time;
        return;
    }
    if (!word)
        w->summary[b / 4096] &= ~(1ULL << (b / 64 % 64));
    w->first = -1;
}

/* The common case inline, and with no call but tail calls (no register to
 * save): the wheel's first event is known, comes before the heap's, and
 * was not cancelled; the horizon stays; the wheel's next event, when the
 * bucket is left empty, lies in the same word of the bitmap. */
const Event *evq_take(Evq *q)
{
    EvqWheel *w = &q->near;
    SimTime t = w->first;
    if ((uint64_t)t >= (uint64_t)q->later.first) /* also when t is -1: no time is negative */
        return take_any(q);
    uint32_t s = w->head;
    EvqSlot *slot = &q->slots[s];
    if (!slot->ev.fn)
        return take_any(q);
    q->len--;
    q->background -= slot->background;
    w->len--;
    uint32_t b = (uint32_t)t & WHEEL_MASK;
    uint32_t last = w->last[b], next = slot->next;
    slot_free(q, s);
    if (last != s) { /* more events at t: the ring's next one */
        w->head = next;
        q->slots[last].next = next;
    } else {
        w->last[b] = NO_SLOT;
        wheel_next_in_word(w, q->slots, b);
    }
    if (t + EVQ_NEAR < q->far.end) { /* far_bucket(t + EVQ_NEAR) is the horizon still */
        q->last = t;                 /* the wheel holds nothing before last */
        if (w->first >= 0) {
            __builtin_prefetch(q->slots[w->head].ev.ctx);
            return &slot->ev;
        }
    }
    return take_rest(q, slot, t);
}

bool evq_pop(Evq *q, Event *out)
{
    const Event *e = evq_take(q);
    if (e)
        *out = *e;
    return e != NULL;
}

SimTime evq_peek_time(Evq *q)
{
    uint32_t s = first_slot(q);
    return s == NO_SLOT ? SIM_TIME_MAX : q->slots[s].ev.time;
}
