#include "evq.h"

#include <assert.h>
#include <stdlib.h>

#include "util.h"

#define NO_SLOT UINT32_MAX

void evq_init(Evq *q)
{
    q->heap = NULL;
    q->len = q->cap = 0;
    q->slots = NULL;
    q->nslots = q->slots_cap = 0;
    q->free_slot = NO_SLOT;
    q->seq = 0;
    q->foreground = 0;
}

void evq_fini(Evq *q)
{
    free(q->heap);
    free(q->slots);
    evq_init(q);
}

static inline bool before(const EvqNode *a, const EvqNode *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void place(Evq *q, size_t i, EvqNode n)
{
    q->heap[i] = n;
    q->slots[n.slot].pos = (uint32_t)i;
}

static void sift_up(Evq *q, size_t i, EvqNode n)
{
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&n, &q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, n);
}

static void sift_down(Evq *q, size_t i, EvqNode n)
{
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= q->len)
            break;
        size_t last = first + 4 < q->len ? first + 4 : q->len;
        size_t best = first;
        for (size_t c = first + 1; c < last; c++)
            if (before(&q->heap[c], &q->heap[best]))
                best = c;
        if (!before(&q->heap[best], &n))
            break;
        place(q, i, q->heap[best]);
        i = best;
    }
    place(q, i, n);
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
    q->heap = xgrow(q->heap, &q->cap, q->len + 1, sizeof *q->heap);
    EvqNode n = {t, q->seq++, s};
    q->len++;
    sift_up(q, q->len - 1, n);
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

/* Takes the node at heap index i out, keeping the heap ordered. */
static void remove_at(Evq *q, size_t i)
{
    EvqNode last = q->heap[--q->len];
    if (i == q->len)
        return;
    if (i > 0 && before(&last, &q->heap[(i - 1) / 4]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

bool evq_cancel(Evq *q, EvHandle h)
{
    uint32_t s = (uint32_t)h, gen = (uint32_t)(h >> 32);
    if (h == 0 || s >= q->nslots || q->slots[s].gen != gen)
        return false;
    remove_at(q, q->slots[s].pos);
    slot_free(q, s);
    return true;
}

bool evq_pop(Evq *q, Event *out)
{
    if (q->len == 0)
        return false;
    EvqNode top = q->heap[0];
    EvqSlot *slot = &q->slots[top.slot];
    out->time = top.time;
    out->fn = slot->fn;
    out->ctx = slot->ctx;
    out->arg = slot->arg;
    remove_at(q, 0);
    slot_free(q, top.slot);
    return true;
}

SimTime evq_peek_time(const Evq *q)
{
    return q->len ? q->heap[0].time : SIM_TIME_MAX;
}
