/* The heap of a long run, asked for in one piece.
 *
 * A run of tens of thousands of hosts allocates its memory a few hundred
 * bytes at a time, and on Linux every new 4 KiB page of it costs a page
 * fault: 52,000 of them at 50,000 hosts, a third of the run's time on a
 * virtual machine.  glibc can ask the kernel for transparent huge pages
 * instead (its glibc.malloc.hugetlb tunable), but only when the tunable is
 * set in the environment before the process starts.  heap_prepare does the
 * same from inside: it makes malloc extend the heap in steps as large as the
 * run is expected to need, with large arrays inside the heap too rather
 * than in mappings of their own, and marks the first step for huge pages.
 * Only address space is reserved: memory is still committed as pages are
 * first touched.  Elsewhere (another C library, a sanitizer's allocator) it
 * does nothing. */
#define _DEFAULT_SOURCE /* sbrk, madvise */
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define HEAP_SANITIZED 1
#endif
#endif
#ifndef HEAP_SANITIZED
#define HEAP_SANITIZED 0
#endif
#if !HEAP_SANITIZED && defined(__linux__) && defined(__GLIBC__)
#define HEAP_TUNE 1
#else
#define HEAP_TUNE 0
#endif

bool heap_checked(void)
{
    return HEAP_SANITIZED;
}

#if HEAP_TUNE
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

enum {
    MIB = 1 << 20,
    SMALL_BLOCK = 120 * 1024, /* below malloc's threshold for a mapping of its own */
};

bool heap_prepare(size_t expected)
{
    size_t step = expected < 64 * (size_t)MIB ? 64 * (size_t)MIB : expected;
    if (step > 1024 * (size_t)MIB)
        step = 1024 * (size_t)MIB;
    /* Arrays up to 32 MiB (the most glibc allows) come from the heap, and
     * the heap neither shrinks nor grows by less than a step. */
    mallopt(M_MMAP_THRESHOLD, 32 * MIB);
    mallopt(M_TRIM_THRESHOLD, (int)step);
    mallopt(M_TOP_PAD, (int)step);
    /* Small blocks until the heap has grown: its new part is the step. */
    char *old = sbrk(0), *blocks[8];
    int n = 0;
    while (n < 8 && (char *)sbrk(0) == old) {
        blocks[n] = malloc(SMALL_BLOCK);
        if (!blocks[n])
            break;
        n++;
    }
    char *end = sbrk(0);
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE),
              lo = ((uintptr_t)old + page - 1) & ~(page - 1);
    if (old != (char *)-1 && (uintptr_t)end > lo)
        (void)madvise((void *)lo, (uintptr_t)end - lo, MADV_HUGEPAGE); /* advice: may be refused */
    while (n)
        free(blocks[--n]);
    return end != old && old != (char *)-1;
}
#else
bool heap_prepare(size_t expected)
{
    (void)expected;
    return false;
}
#endif
