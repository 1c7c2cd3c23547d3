/* heap — malloc prepared for a long run: see heap.c. */
#ifndef MN_HEAP_H
#define MN_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/* Prepares malloc for a run expected to need about `expected` bytes: the
 * heap grows in few large steps, backed by huge pages where the system
 * allows it.  Call once, before the run allocates much.  True if it did
 * (Linux and glibc, no sanitizer): the heap has grown by a step. */
bool heap_prepare(size_t expected);

/* Whether a sanitizer watches the heap and reports memory not freed at
 * exit: a program about to exit then frees everything first. */
bool heap_checked(void);

#endif
