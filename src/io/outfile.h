/* outfile — writing an output file safely: everything goes to a temporary
 * file in the same folder, renamed over the target only when complete, so
 * a failed or interrupted run never leaves half a file behind. */
#ifndef MN_OUTFILE_H
#define MN_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct OutFile {
    FILE *f;
    char *path, *tmp;
} OutFile;

/* Opens a temporary beside path.  On failure writes a message into why. */
bool outfile_open(OutFile *o, const char *path, char *why, size_t size);
/* Flushes, closes and renames into place; on any failure removes the
 * temporary and writes a message into why. */
bool outfile_commit(OutFile *o, char *why, size_t size);
/* Closes and removes the temporary. */
void outfile_abort(OutFile *o);

#endif
