/* libFuzzer target for the dissector: the one-line summaries the traces
 * print and the tree the packet inspector shows.
 *
 *   make fuzz        (or build/fuzz/fuzz_dissect CORPUS tests/fuzz/seeds/fuzz_dissect)
 *
 * Any bytes, as a frame off a link: neither decoder may crash or read past
 * the frame, and every line of the tree must stand for bytes inside it,
 * at a depth of 0 to 3, with some text; the map's label must be a string.
 * The same context sees the frame twice (as a trace's sink and then the
 * inspector would), and a second frame built from the input's second half
 * goes to the same context, so TCP's conversation table meets hostile
 * sequences of segments too.  abort() otherwise. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_frame(DissectCtx *c, const uint8_t *frame, size_t size)
{
    Buf b;
    buf_init(&b);
    dissect_summary(c, frame, size, &b);
    if (!b.data || !b.data[0] || !dissect_protocol(c, frame, size))
        abort();
    buf_fini(&b);
    char label[64];
    bool response;
    if (!dissect_label(c, frame, size, label, sizeof label, &response) ||
        strlen(label) >= sizeof label)
        abort();
    DissectTree t = {0};
    dissect_tree(c, frame, size, &t);
    if (t.n == 0)
        abort();
    for (size_t i = 0; i < t.n; i++) {
        const DissectField *f = &t.f[i];
        if (f->depth < 0 || f->depth > 3 || !f->text || !f->text[0] ||
            (size_t)f->off + f->len > size)
            abort();
    }
    dissect_tree_fini(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so ASan sees any read past the end. */
    uint8_t *frame = malloc(size ? size : 1);
    memcpy(frame, data, size);
    DissectCtx *c = dissect_ctx_new();
    dissect_observe(c, frame, size);
    one_frame(c, frame, size);
    if (size > 64) {
        /* The second half behind the first's 34 bytes of Ethernet and IPv4. */
        size_t half = size / 2, n = 34 + (size - half);
        uint8_t *second = malloc(n);
        memcpy(second, frame, 34);
        memcpy(second + 34, data + half, size - half);
        one_frame(c, second, n);
        free(second);
    }
    one_frame(c, frame, size);
    dissect_ctx_free(c);
    free(frame);
    return 0;
}
