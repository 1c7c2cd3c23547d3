#include "evq.h"

#include <assert.h>
#include <stdlib.h>

#include "util.h"

#define NO_SLOT UINT32_MAX

void evq_init(Evq *q)
{
    q->near = q->later = (EvqHeap){NULL, 0, 0};
    q->len = 0;
    q->last = 0;
    q->slots = NULL;
    q->nslots = q->slots_cap = 0;
    q->free_slot = NO_SLOT;
    q->seq = 0;
    q->foreground = 0;
}

void evq_fini(Evq *q)
{
    free(q->near.a);
    free(q->later.a);
    free(q->slots);
    evq_init(q);
}

static inline bool before(const EvqNode *a, const EvqNode *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* tag: 0 for the near heap, EVQ_LATER for the later one. */
static inline void place(Evq *q, EvqHeap *h, uint32_t tag, size_t i, EvqNode n)
{
    h->a[i] = n;
    q->slots[n.slot].pos = (uint32_t)i | tag;
}

static void sift_up(Evq *q, EvqHeap *h, uint32_t tag, size_t i, EvqNode n)
{
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&n, &h->a[parent]))
            break;
        place(q, h, tag, i, h->a[parent]);
        i = parent;
    }
    place(q, h, tag, i, n);
}

static void sift_down(Evq *q, EvqHeap *h, uint32_t tag, size_t i, EvqNode n)
{
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
        place(q, h, tag, i, h->a[best]);
        i = best;
    }
    place(q, h, tag, i, n);
}

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
    bool later = t - q->last > EVQ_NEAR;
    EvqHeap *h = later ? &q->later : &q->near;
    assert(h->len < EVQ_LATER);
    h->a = xgrow(h->a, &h->cap, h->len + 1, sizeof *h->a);
    EvqNode n = {t, q->seq++, s};
    h->len++;
    q->len++;
    sift_up(q, h, later ? EVQ_LATER : 0, h->len - 1, n);
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

/* Takes the node at index i of the heap tagged tag out, keeping it ordered. */
static void remove_at(Evq *q, uint32_t tag, size_t i)
{
    EvqHeap *h = tag ? &q->later : &q->near;
    q->len--;
    EvqNode last = h->a[--h->len];
    if (i == h->len)
        return;
    if (i > 0 && before(&last, &h->a[(i - 1) / 4]))
        sift_up(q, h, tag, i, last);
    else
        sift_down(q, h, tag, i, last);
}

bool evq_cancel(Evq *q, EvHandle h)
{
    uint32_t s = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (h == 0 || s >= q->nslots || q->slots[s].gen != gen)
        return false;
    uint32_t pos = q->slots[s].pos;
    remove_at(q, pos & EVQ_LATER, pos & ~EVQ_LATER);
    slot_free(q, s);
    return true;
}

/* The heap whose top comes first, NULL if both are empty. */
static const EvqHeap *first_heap(const Evq *q)
{
    if (!q->later.len)
        return q->near.len ? &q->near : NULL;
    if (!q->near.len)
        return &q->later;
    return before(&q->later.a[0], &q->near.a[0]) ? &q->later : &q->near;
}

bool evq_pop(Evq *q, Event *out)
{
    const EvqHeap *h = first_heap(q);
    if (!h)
        return false;
    EvqNode top = h->a[0];
    EvqSlot *slot = &q->slots[top.slot];
    out->time = top.time;
    out->fn = slot->fn;
    out->ctx = slot->ctx;
    out->arg = slot->arg;
    remove_at(q, h == &q->later ? EVQ_LATER : 0, 0);
    slot_free(q, top.slot);
    q->last = top.time;
    return true;
}

SimTime evq_peek_time(const Evq *q)
{
    const EvqHeap *h = first_heap(q);
    return h ? h->a[0].time : SIM_TIME_MAX;
}
