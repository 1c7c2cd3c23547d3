/* evq — the event queue, ordered by (time, seq).
 *
 * seq is a counter stamped on every push, so events at the same time run in
 * the order they were scheduled; the order never depends on addresses.
 * Each event lives in a slot.  A handle names a slot and the low 32 bits of
 * its event's seq: cancelling an event that already ran (or was cancelled)
 * is a harmless no-op, even from inside another handler (a stale handle
 * could only match again after 2^32 more pushes, the slot then holding the
 * event of that very seq modulo 2^32).
 *
 * Cancelling an event of the wheel (below) only marks it (its slot's fn
 * becomes NULL), as Redis's event loop does: the mark is dropped when the
 * event comes first, and only then is its slot reused.  An event of the far
 * wheel is taken out of its ring at once (most long timeouts are
 * cancelled, and their slots are reused at once).
 *
 * Time is cut into far buckets of 2^EVQ_FAR_SHIFT µs (16 ms); the horizon
 * is the far bucket of last + EVQ_NEAR (100 ms), last being the time of the
 * last event popped.  Three places hold pending events:
 * - the wheel, for events due from last to the end of the horizon's bucket
 *   (packets on the wire, even over a continent's latency, and short
 *   timers: nearly all of them).  It has a bucket per microsecond of a
 *   window longer than that, each a ring of slots in push order (so in seq
 *   order) named by its last, and a bitmap of the buckets in use.  Every
 *   event in it lies in [last, last + EVQ_NEAR + a far bucket), so a bucket
 *   never holds two times; push is O(1), and pop finds the first bucket in
 *   use from the bitmap, a word (64 µs) at a time;
 * - the far wheel, for events of the next EVQ_FAR_SLOTS far buckets after
 *   the horizon (long timeouts, record expiries, a script's later lines): a
 *   ring per far bucket, in push order, unsorted, linked both ways.  As the horizon moves on,
 *   its buckets move to the wheel in their order, so push, cancel and the
 *   move are O(1) per event.  When the wheel is empty, last jumps to
 *   EVQ_NEAR before the far wheel's first bucket (unless the heap's first
 *   comes earlier): every event still pending lies after that;
 * - a 4-ary min-heap for the rest (a record's expiry days ahead, a push
 *   before last), whose nodes remember their slot and each slot its
 *   position, so cancel is O(log n).
 * The far wheel's events all come after the wheel's; pop takes the smaller
 * of the wheel's and the heap's firsts by (time, seq), so the order is
 * exactly that of one queue.  last never goes back (a push before it, which
 * a simulation never makes, goes to the heap).
 *
 * A seq may be reserved (evq_reserve) and pushed with later
 * (evq_push_reserved): the event then runs where one pushed at the moment
 * of the reserve would have, among the events of its time.  Such a push
 * goes to the heap, whatever its time: its seq is older than those pushed
 * since, and a ring (in push order) could not keep it in seq order.  (A
 * resolver's cache keeps one event, at its earliest expiry, not one per
 * entry, and it runs where the entry's own would have run.)
 *
 * Nothing is allocated per event once the arrays have grown to the peak
 * size. */
#ifndef MN_EVQ_H
#define MN_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t SimTime; /* virtual microseconds since t=0: an event's is never negative */
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

#define EVQ_WHEEL 0x80000000u /* EvqSlot.pos of an event in the wheel */
#define EVQ_FAR   0x80000001u /* EvqSlot.pos of an event in the far wheel */
#define EVQ_FREE  0x80000002u /* EvqSlot.pos of a free slot */

/* 64 bytes (11 of them spare): a slot's offset in the array is its index
 * shifted, and in the array, aligned to 64, a slot is one cache line.  At
 * 56 bytes the 10,000-host run took 0.5 % more instructions (a multiply by
 * 7 for each slot reached) and most slots spanned two lines. */
typedef struct EvqSlot {
    Event ev;      /* ev.fn is NULL once its event is cancelled */
    uint32_t next; /* the next slot in its bucket's ring (near or far); next free slot while free */
    uint32_t prev; /* the previous slot in a far bucket's ring */
    uint32_t pos;  /* heap index, EVQ_WHEEL, EVQ_FAR or EVQ_FREE */
    bool background;
    uint64_t seq; /* not next to ev.arg: a push stores the two apart, not packed in one */
    uint8_t spare[8];
} EvqSlot;

#define EVQ_NEAR         ((SimTime)100000) /* µs */
#define EVQ_WHEEL_SLOTS  131072u           /* buckets: a power of two above EVQ_NEAR */
#define EVQ_WHEEL_WORDS  (EVQ_WHEEL_SLOTS / 64u)
#define EVQ_WHEEL_GROUPS (EVQ_WHEEL_WORDS / 64u) /* of 64 words */
#define EVQ_FAR_SHIFT    14                      /* a far bucket spans 2^14 µs */
#define EVQ_FAR_SLOTS    32768u                  /* far buckets: 537 s */
#define EVQ_FAR_GROUPS   (EVQ_FAR_SLOTS / 4096u)

typedef struct EvqHeap {
    EvqNode *a;
    size_t len, cap;
    SimTime first; /* a[0].time, SIM_TIME_MAX when empty: a pop's one look at it */
} EvqHeap;

typedef struct EvqWheel {
    uint32_t *last; /* EVQ_WHEEL_SLOTS: each bucket's last slot, UINT32_MAX when empty */
    uint64_t used[EVQ_WHEEL_WORDS];     /* a bit per bucket in use: here, a pointer fewer to read */
    uint64_t summary[EVQ_WHEEL_GROUPS]; /* a bit per word of used that is not 0 */
    size_t len;                         /* events in it, cancelled ones included */
    SimTime first;                      /* time of its first event: see below */
    uint32_t head;                      /* the slot of its first event, when first is known */
} EvqWheel;
/* EvqWheel.first is -1 when not known (the wheel may be empty), and
 * SIM_TIME_MAX when the wheel is known to be empty: a push compares its
 * time with first, and either way knows whether its event comes first. */

typedef struct EvqFar {
    uint32_t *last; /* EVQ_FAR_SLOTS: each bucket's last slot, UINT32_MAX when empty */
    uint64_t used[EVQ_FAR_SLOTS / 64]; /* a bit per bucket in use */
    uint64_t summary[EVQ_FAR_GROUPS];  /* a bit per word of used that is not 0 */
    size_t len;                        /* events in it (a cancelled one leaves at once) */
    uint64_t horizon;                  /* the far bucket of last + EVQ_NEAR */
    SimTime end; /* (horizon + 1) << EVQ_FAR_SHIFT: the wheel holds the events before it */
} EvqFar;

typedef struct Evq {
    EvqWheel near;
    EvqFar far;
    EvqHeap later;
    size_t len;   /* pending events, in all three places, not counting cancelled ones */
    SimTime last; /* time of the last event popped */
    EvqSlot *slots;
    size_t nslots, slots_cap;
    uint32_t free_slot; /* head of the free list, UINT32_MAX if empty */
    uint64_t seq;
    size_t background; /* pending background events: evq_push has none to count */
} Evq;

void evq_init(Evq *q);
void evq_fini(Evq *q);
EvHandle evq_push(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg);
/* A background event (a cache entry's expiry) runs in its turn like any
 * other, but does not by itself keep a simulation going: see
 * evq_foreground. */
EvHandle evq_push_background(Evq *q, SimTime t, EvFn fn, void *ctx, uint64_t arg);
/* The seq a push would stamp now, consumed as that push would consume it:
 * the later pushes' seqs, and so the order of events at one time, are as
 * if the event had been pushed.  An event may then be pushed with it
 * (once): it runs at t, among the events of t by that seq. */
static inline uint64_t evq_reserve(Evq *q)
{
    return q->seq++;
}
EvHandle evq_push_reserved(Evq *q, SimTime t, uint64_t seq, EvFn fn, void *ctx, uint64_t arg,
                           bool background);
/* Removes a pending event.  Returns false if h already ran or was cancelled. */
bool evq_cancel(Evq *q, EvHandle h);
/* Removes the earliest event into *out.  Returns false if the queue is empty. */
bool evq_pop(Evq *q, Event *out);
/* The same without the copy: the earliest event, removed, or NULL if the
 * queue is empty.  What it points to holds until the next push (its slot
 * is free again): a run loop reads it, then calls its handler. */
const Event *evq_take(Evq *q);
/* Time of the earliest event, SIM_TIME_MAX if empty. */
/* (Not const: it remembers where the first event is.) */
SimTime evq_peek_time(Evq *q);
static inline size_t evq_len(const Evq *q)
{
    return q->len;
}
/* Pending events that are not background. */
static inline size_t evq_foreground(const Evq *q)
{
    return q->len - q->background;
}

#endif
