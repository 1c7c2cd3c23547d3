#include "evq.h"

#include <assert.h>
#include <stdlib.h>

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
    free(q->near.head);
    free(q->near.tail);
    free(q->near.used);
    free(q->later.a);
    free(q->slots);
    evq_init(q);
}

static inline bool before(const EvqNode *a, const EvqNode *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* ---- the later heap ---------------------------------------------------- */

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
        if (!before(&n, &h->a[parent]))
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
            if (before(&h->a[c], &h->a[best]))
                best = c;
        if (!before(&h->a[best], &n))
            break;
        place(q, i, h->a[best]);
        i = best;
    }
    place(q, i, n);
}

static void heap_push(Evq *q, uint32_t s)
{
    EvqHeap *h = &q->later;
    assert(h->len < EVQ_WHEEL);
    h->a = xgrow(h->a, &h->cap, h->len + 1, sizeof *h->a);
    h->len++;
    sift_up(q, h->len - 1, (EvqNode){q->slots[s].time, q->slots[s].seq, s});
}

static void heap_remove(Evq *q, size_t i)
{
    EvqHeap *h = &q->later;
    EvqNode last = h->a[--h->len];
    if (i == h->len)
        return;
    if (i > 0 && before(&last, &h->a[(i - 1) / 4]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

/* ---- the wheel ----------------------------------------------------------- */

static void wheel_alloc(EvqWheel *w)
{
    w->head = xmalloc(EVQ_WHEEL_SLOTS * sizeof *w->head);
    w->tail = xmalloc(EVQ_WHEEL_SLOTS * sizeof *w->tail);
    w->used = xcalloc(EVQ_WHEEL_WORDS, sizeof *w->used);
    for (size_t b = 0; b < EVQ_WHEEL_SLOTS; b++)
        w->head[b] = w->tail[b] = NO_SLOT;
}

static void wheel_push(Evq *q, uint32_t s)
{
    EvqWheel *w = &q->near;
    if (!w->head)
        wheel_alloc(w);
    EvqSlot *slot = &q->slots[s];
    uint32_t b = (uint32_t)slot->time & WHEEL_MASK;
    slot->pos = EVQ_WHEEL;
    slot->next = NO_SLOT;
    slot->prev = w->tail[b];
    if (w->tail[b] == NO_SLOT) {
        w->head[b] = s;
        w->used[b / 64] |= 1ULL << (b % 64);
        w->summary[b / 4096] |= 1ULL << (b / 64 % 64);
    } else {
        q->slots[w->tail[b]].next = s;
    }
    w->tail[b] = s;
    if (w->len++ == 0 || (w->first >= 0 && slot->time < w->first))
        w->first = slot->time;
}

static void wheel_remove(Evq *q, uint32_t s)
{
    EvqWheel *w = &q->near;
    const EvqSlot *slot = &q->slots[s];
    uint32_t b = (uint32_t)slot->time & WHEEL_MASK;
    if (slot->prev == NO_SLOT)
        w->head[b] = slot->next;
    else
        q->slots[slot->prev].next = slot->next;
    if (slot->next == NO_SLOT)
        w->tail[b] = slot->prev;
    else
        q->slots[slot->next].prev = slot->prev;
    if (w->head[b] == NO_SLOT) {
        w->used[b / 64] &= ~(1ULL << (b % 64));
        if (!w->used[b / 64])
            w->summary[b / 4096] &= ~(1ULL << (b / 64 % 64));
        if (slot->time == w->first)
            w->first = -1;
    }
    w->len--;
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

/* The slot of the wheel's earliest event.  Its events lie within
 * [last, last + EVQ_NEAR], so the first bucket in use from last's, going
 * round, holds it. */
static uint32_t wheel_first(Evq *q)
{
    EvqWheel *w = &q->near;
    if (w->first >= 0)
        return w->head[(uint32_t)w->first & WHEEL_MASK];
    size_t from = (size_t)((uint64_t)q->last & WHEEL_MASK);
    size_t word = from / 64;
    uint64_t bits = w->used[word] & (~0ULL << (from % 64));
    if (!bits) {
        word = next_word(w, (word + 1) % EVQ_WHEEL_WORDS);
        bits = w->used[word];
    }
    uint32_t s = w->head[word * 64 + (size_t)__builtin_ctzll(bits)];
    w->first = q->slots[s].time;
    return s;
}

/* ---- the queue ----------------------------------------------------------- */

static uint32_t slot_alloc(Evq *q)
{
    if (q->free_slot != NO_SLOT) {
        uint32_t s = q->free_slot;
        q->free_slot = q->slots[s].pos;
        return s;
    }
    assert(q->nslots < NO_SLOT);
    q->slots = xgrow(q->slots, &q->slots_cap, q->nslots + 1, sizeof *q->slots);
    q->slots[q->nslots].gen = 1;
    return (uint32_t)q->nslots++;
}

static void slot_free(Evq *q, uint32_t s)
{
    q->foreground -= !q->slots[s].background;
    q->slots[s].gen++;
    if (q->slots[s].gen == 0)
        q->slots[s].gen = 1;
    q->slots[s].pos = q->free_slot;
    q->free_slot = s;
}

static EvHandle push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg, bool background)
{
    uint32_t s = slot_alloc(q);
    EvqSlot *slot = &q->slots[s];
    slot->background = background;
    q->foreground += !background;
    slot->fn = fn;
    slot->ctx = ctx;
    slot->arg = arg;
    slot->time = t;
    slot->seq = q->seq++;
    q->len++;
    if (t >= q->last && t - q->last <= EVQ_NEAR)
        wheel_push(q, s);
    else
        heap_push(q, s);
    return ((uint64_t)slot->gen << 32) | s;
}

EvHandle evq_push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg)
{
    return push(q, t, fn, ctx, arg, false);
}

EvHandle evq_push_background(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg)
{
    return push(q, t, fn, ctx, arg, true);
}

static void take_out(Evq *q, uint32_t s)
{
    uint32_t pos = q->slots[s].pos;
    if (pos == EVQ_WHEEL)
        wheel_remove(q, s);
    else
        heap_remove(q, pos);
    q->len--;
    slot_free(q, s);
}

bool evq_cancel(Evq *q, EvHandle h)
{
    uint32_t s = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (h == 0 || s >= q->nslots || q->slots[s].gen != gen)
        return false;
    take_out(q, s);
    return true;
}

/* The slot of the earliest event, NO_SLOT if there is none. */
static uint32_t first_slot(Evq *q)
{
    uint32_t near = q->near.len ? wheel_first(q) : NO_SLOT;
    if (!q->later.len)
        return near;
    const EvqNode *top = &q->later.a[0];
    if (near == NO_SLOT)
        return top->slot;
    EvqNode n = {q->slots[near].time, q->slots[near].seq, near};
    return before(top, &n) ? top->slot : near;
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
    take_out(q, s);
    /* The next event's context (most often a packet, written when it was
     * sent, long out of the caches by now) is asked of the memory now, to
     * come while this event runs.  A hint only: the order is not touched,
     * and the next pop finds the wheel's first slot remembered (wheel_first). */
    uint32_t next = first_slot(q);
    if (next != NO_SLOT)
        __builtin_prefetch(q->slots[next].ctx);
    return true;
}

SimTime evq_peek_time(Evq *q)
{
    uint32_t s = first_slot(q);
    return s == NO_SLOT ? SIM_TIME_MAX : q->slots[s].time;
}
