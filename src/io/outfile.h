/* outfile — writing an output file safely: everything goes to a temporary
 * file in the same folder, renamed over the target only when complete, so
 * a failed or interrupted run never leaves half a file behind.  A
 * character device or a FIFO (/dev/null, a pipe) is written in place, as a
 * shell's > writes it; a folder, a socket or a block device is refused. */
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
/* Why writing to the temporary failed, once ferror(o->f) says it did: the
 * stream keeps no errno, so one byte is written to the file (about to be
 * removed) to hear it again, e.g. ENOSPC on a full disk; EIO if that
 * byte goes through. */
int outfile_errno(const OutFile *o);
/* Whether out names the file in (links followed): an output that would
 * overwrite the input being read. */
bool outfile_same(const char *out, const char *in);

#endif
