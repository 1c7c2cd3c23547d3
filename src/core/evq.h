/* evq — the event queue: indexed 4-ary min-heaps ordered by (time, seq).
 *
 * seq is a counter stamped on every push, so events at the same time run in
 * the order they were scheduled; the order never depends on addresses.
 * Each pending event lives in a slot; a heap holds slot numbers and each
 * slot remembers its heap and position, so cancel is O(log n).  A handle
 * names a slot and its generation: cancelling an event that already ran (or
 * was cancelled) is a harmless no-op, even from inside another handler.
 *
 * Two heaps: events due within EVQ_NEAR of the last event popped, and the
 * later ones (record expiries, long timeouts, a script's later lines).  Pop
 * takes the smaller of the two tops by (time, seq), so the order is exactly
 * that of one heap; but the many far events, which rarely run, no longer
 * deepen every pop of the busy near heap.
 *
 * Costs: push and pop O(log n), cancel O(log n), peek O(1).  Nothing is
 * allocated per event once the arrays have grown to the peak size. */
#ifndef MN_EVQ_H
#define MN_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t SimTime; /* virtual microseconds since t=0 */
#define SIM_TIME_MAX INT64_MAX

struct Sim;
typedef void (*EvFn)(struct Sim *sim, void *ctx, uint64_t arg);

/* 0 is never a valid handle. */
typedef uint64_t EvHandle;

typedef struct Event {
    SimTime time;
    EvFn fn;
    void *ctx;
    uint64_t arg;
} Event;

typedef struct EvqNode {
    SimTime time;
    uint64_t seq;
    uint32_t slot;
} EvqNode;

#define EVQ_LATER 0x80000000u

typedef struct EvqSlot {
    EvFn fn;
    void *ctx;
    uint64_t arg;
    uint32_t pos; /* heap index while pending (EVQ_LATER set: in the later heap);
                     next free slot while free */
    uint32_t gen;
    bool background;
} EvqSlot;

#define EVQ_NEAR ((SimTime)10000) /* µs */

typedef struct EvqHeap {
    EvqNode *a;
    size_t len, cap;
} EvqHeap;

typedef struct Evq {
    EvqHeap near, later;
    size_t len;   /* pending events, both heaps */
    SimTime last; /* time of the last event popped */
    EvqSlot *slots;
    size_t nslots, slots_cap;
    uint32_t free_slot; /* head of the free list, UINT32_MAX if empty */
    uint64_t seq;
    size_t foreground; /* pending events that are not background */
} Evq;

void evq_init(Evq *q);
void evq_fini(Evq *q);
EvHandle evq_push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg);
/* A background event (a cache entry's expiry) runs in its turn like any
 * other, but does not by itself keep a simulation going: see
 * evq_foreground. */
EvHandle evq_push_background(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg);
/* Removes a pending event.  Returns false if h already ran or was cancelled. */
bool evq_cancel(Evq *q, EvHandle h);
/* Removes the earliest event into *out.  Returns false if the queue is empty. */
bool evq_pop(Evq *q, Event *out);
/* Time of the earliest event, SIM_TIME_MAX if empty. */
SimTime evq_peek_time(const Evq *q);
static inline size_t evq_len(const Evq *q)
{
    return q->len;
}
/* Pending events that are not background. */
static inline size_t evq_foreground(const Evq *q)
{
    return q->foreground;
}

#endif
