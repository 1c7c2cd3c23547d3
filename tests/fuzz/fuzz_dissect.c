/* libFuzzer target for the dissector: the one-line summaries the traces
 * print and the tree the packet inspector shows.
 *
 *   make fuzz        (or build/fuzz/fuzz_dissect CORPUS tests/fuzz/seeds/fuzz_dissect)
 *
 * Any bytes, as a frame off a link: neither decoder may crash or read past
 * the frame, and every line of the tree must stand for bytes inside it,
 * at a depth of 0 to 2, with some text.  abort() otherwise. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so ASan sees any read past the end. */
    uint8_t *frame = malloc(size ? size : 1);
    memcpy(frame, data, size);
    Buf b;
    buf_init(&b);
    dissect_summary(frame, size, &b);
    if (!b.data || !b.data[0] || !dissect_protocol(frame, size))
        abort();
    buf_fini(&b);
    DissectTree t = {0};
    dissect_tree(frame, size, &t);
    if (t.n == 0)
        abort();
    for (size_t i = 0; i < t.n; i++) {
        const DissectField *f = &t.f[i];
        if (f->depth < 0 || f->depth > 2 || !f->text || !f->text[0] ||
            (size_t)f->off + f->len > size)
            abort();
    }
    dissect_tree_fini(&t);
    free(frame);
    return 0;
}
