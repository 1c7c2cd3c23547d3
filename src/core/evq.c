#include "evq.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NO_SLOT    UINT32_MAX
#define WHEEL_MASK (EVQ_WHEEL_SLOTS - 1u)

_Static_assert(EVQ_WHEEL_SLOTS > EVQ_NEAR, "the wheel spans more than the near window");
_Static_assert((EVQ_WHEEL_SLOTS & WHEEL_MASK) == 0, "the wheel's size is a power of two");

void evq_init(Evq *q)
{
    *q = (Evq){0};
    q->near.first = -1;
    q->free_slot = NO_SLOT;
}

void evq_fini(Evq *q)
{
    free(q->near.last);
    free(q->near.used);
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

/* s has left the wheel or the heap, and its event is no longer pending. */
static void slot_free(Evq *q, uint32_t s)
{
    q->slots[s].fn = NULL;
    q->slots[s].next = q->free_slot;
    q->free_slot = s;
}

/* ---- the later heap ------------------------------------------------------ */

static inline void place(Evq *q, size_t i, EvqNode n)
{
    q->later.a[i] = n;
    q->slots[n.slot].pos = (uint32_t)i;
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

/* Returns handle, so that push can end in a tail call here (push_grown). */
__attribute__((noinline)) static EvHandle heap_push(Evq *q, uint32_t s, EvHandle handle)
{
    EvqHeap *h = &q->later;
    assert(h->len < EVQ_WHEEL);
    if (h->len == h->cap)
        h->a = xgrow(h->a, &h->cap, h->len + 1, sizeof *h->a);
    h->len++;
    sift_up(q, h->len - 1, (EvqNode){q->slots[s].time, q->slots[s].seq, s});
    return handle;
}

static void heap_remove(Evq *q, size_t i)
{
    EvqHeap *h = &q->later;
    EvqNode last = h->a[--h->len];
    if (i == h->len)
        return;
    if (i > 0 && node_before(&last, &h->a[(i - 1) / 4]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

/* ---- the wheel ----------------------------------------------------------- */

static void wheel_alloc(EvqWheel *w)
{
    w->last = xmalloc(EVQ_WHEEL_SLOTS * sizeof *w->last);
    memset(w->last, 0xff, EVQ_WHEEL_SLOTS * sizeof *w->last); /* NO_SLOT */
    w->used = xcalloc(EVQ_WHEEL_WORDS, sizeof *w->used);
}

static inline void wheel_push(Evq *q, uint32_t s, SimTime t)
{
    EvqWheel *w = &q->near;
    uint32_t b = (uint32_t)t & WHEEL_MASK;
    uint32_t last = w->last[b];
    if (last == NO_SLOT) {
        q->slots[s].next = s;
        w->used[b / 64] |= 1ULL << (b % 64);
        w->summary[b / 4096] |= 1ULL << (b / 64 % 64);
    } else { /* s goes after last, before the bucket's first */
        q->slots[s].next = q->slots[last].next;
        q->slots[last].next = s;
    }
    w->last[b] = s;
    /* first is -1 when not known, below any time: it stays not known. */
    if (w->len++ == 0 || t < w->first) {
        w->first = t;
        w->head = s;
    }
}

/* The wheel's events lie within [last, last + EVQ_NEAR], less than a
 * round: going on from last's word, the search meets one before it comes
 * back to last's group of words. */
_Static_assert(EVQ_NEAR / 64 + 1 <= (EVQ_WHEEL_GROUPS - 1) * 64, "the search never goes round");

/* The first word of used at or after word i (circularly) that is not 0;
 * the caller knows one exists within the next EVQ_NEAR / 64 + 1 words. */
static size_t next_word(const EvqWheel *w, size_t i)
{
    for (size_t k = 0;; k++) {
        assert(k < EVQ_WHEEL_GROUPS);
        size_t g = (i / 64 + k) % EVQ_WHEEL_GROUPS;
        uint64_t bits = w->summary[g];
        if (k == 0)
            bits &= ~0ULL << (i % 64);
        if (bits)
            return g * 64 + (size_t)__builtin_ctzll(bits);
    }
}

/* Finds the wheel's first event when it is not known: the first bucket in
 * use from last's, going round, holds it. */
static void wheel_find(Evq *q)
{
    EvqWheel *w = &q->near;
    size_t from = (size_t)((uint64_t)q->last & WHEEL_MASK);
    size_t word = from / 64;
    uint64_t bits = w->used[word] & (~0ULL << (from % 64));
    if (!bits) {
        word = next_word(w, (word + 1) % EVQ_WHEEL_WORDS);
        bits = w->used[word];
    }
    w->head = q->slots[w->last[word * 64 + (size_t)__builtin_ctzll(bits)]].next;
    w->first = q->slots[w->head].time;
}

/* The slot of the wheel's first event (perhaps a cancelled one), NO_SLOT if
 * the wheel is empty. */
static inline uint32_t wheel_head(Evq *q)
{
    if (q->near.first < 0) {
        if (!q->near.len)
            return NO_SLOT;
        wheel_find(q);
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
        w->used[b / 64] &= ~(1ULL << (b % 64));
        if (!w->used[b / 64])
            w->summary[b / 4096] &= ~(1ULL << (b / 64 % 64));
        w->first = -1;
    } else {
        w->head = q->slots[s].next;
        q->slots[last].next = w->head;
    }
    w->len--;
}

/* ---- the queue ----------------------------------------------------------- */

/* Puts a slot on the free list, and makes the wheel on the first push. */
static void push_room(Evq *q)
{
    if (!q->near.last)
        wheel_alloc(&q->near);
    assert(q->nslots < NO_SLOT - 1); /* a handle holds s + 1 */
    if (q->nslots == q->slots_cap)
        q->slots = xgrow(q->slots, &q->slots_cap, q->nslots + 1, sizeof *q->slots);
    q->slots[q->nslots].next = NO_SLOT;
    q->free_slot = (uint32_t)q->nslots++;
}

static EvHandle push_grown(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg, bool background);

static inline EvHandle push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg, bool background)
{
    assert(fn);
    if (q->free_slot == NO_SLOT) /* also on the first push: then the wheel is made */
        return push_grown(q, t, fn, ctx, arg, background);
    uint32_t s = q->free_slot;
    EvqSlot *slot = &q->slots[s];
    q->free_slot = slot->next;
    uint64_t seq = q->seq++;
    slot->time = t;
    slot->seq = seq;
    slot->fn = fn;
    slot->ctx = ctx;
    slot->arg = arg;
    slot->pos = EVQ_WHEEL;
    slot->background = background;
    q->len++;
    q->foreground += !background;
    EvHandle h = (seq << 32) | (s + 1);
    if (t < q->last || t - q->last > EVQ_NEAR)
        return heap_push(q, s, h);
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

bool evq_cancel(Evq *q, EvHandle h)
{
    uint32_t s = (uint32_t)h - 1;
    if ((uint32_t)h == 0 || s >= q->nslots)
        return false;
    EvqSlot *slot = &q->slots[s];
    if (!slot->fn || (uint32_t)slot->seq != (uint32_t)(h >> 32))
        return false;
    q->len--;
    q->foreground -= !slot->background;
    if (slot->pos == EVQ_WHEEL) {
        slot->fn = NULL; /* dropped when it comes first (first_slot) */
    } else {
        heap_remove(q, slot->pos);
        slot_free(q, s);
    }
    return true;
}

/* The slot of the earliest pending event, NO_SLOT if there is none; drops
 * the wheel's cancelled events before it.  Always inline: a call here
 * cost evq_pop as much as its own work. */
__attribute__((always_inline)) static inline uint32_t first_slot(Evq *q)
{
    uint32_t near = wheel_head(q);
    while (near != NO_SLOT && !q->slots[near].fn) {
        wheel_shift(q, near);
        slot_free(q, near);
        near = wheel_head(q);
    }
    if (!q->later.len)
        return near;
    const EvqNode *top = &q->later.a[0];
    if (near == NO_SLOT || before(top->time, top->seq, q->near.first, q->slots[near].seq))
        return top->slot;
    return near;
}

bool evq_pop(Evq *q, Event *out)
{
    uint32_t s = first_slot(q);
    if (s == NO_SLOT)
        return false;
    const EvqSlot *slot = &q->slots[s];
    out->time = slot->time;
    out->fn = slot->fn;
    out->ctx = slot->ctx;
    out->arg = slot->arg;
    q->last = slot->time;
    q->len--;
    q->foreground -= !slot->background;
    if (slot->pos == EVQ_WHEEL)
        wheel_shift(q, s);
    else
        heap_remove(q, 0);
    slot_free(q, s);
    /* The wheel's next event's context (most often a packet, written when
     * it was sent, long out of the caches by now) is asked of the memory
     * now, to come while this event runs.  A hint only: the order is not
     * touched, and the next pop finds the wheel's first event remembered. */
    uint32_t next = wheel_head(q);
    if (next != NO_SLOT)
        __builtin_prefetch(q->slots[next].ctx);
    return true;
}

SimTime evq_peek_time(Evq *q)
{
    uint32_t s = first_slot(q);
    return s == NO_SLOT ? SIM_TIME_MAX : q->slots[s].time;
}
