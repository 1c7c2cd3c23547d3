#define _XOPEN_SOURCE 700 /* realpath */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

/* The file that writing to path would change: path itself, or where a
 * symbolic link at path leads (the link is followed, as a shell's > does,
 * and not replaced by the rename); NULL, with why, for a dangling link. */
static char *write_target(const char *path, char *why, size_t size)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return xstrdup(path);
    char *real = realpath(path, NULL);
    if (!real) {
        snprintf(why, size,
                 "%s: cannot write: a symbolic link to %s, which cannot be followed (%s)", path,
                 "a file that does not exist or a loop", strerror(errno));
        return NULL;
    }
    char *out = xstrdup(real);
    free(real); /* realpath's memory is malloc's, not xmalloc's */
    return out;
}

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISSOCK(m) ? "a socket"
           : S_ISBLK(m)  ? "a block device"
                         : "not a regular file";
}

/* A character device (/dev/null, a terminal) or a FIFO is written as it is,
 * as a shell's > writes it: a file renamed over it would replace the
 * device or the pipe.  A FIFO with no reader is refused at once instead of
 * waiting for one. */
static bool open_in_place(OutFile *o, const char *path, bool fifo, char *why, size_t size)
{
    int fd = open(o->path, O_WRONLY | (fifo ? O_NONBLOCK : 0));
    if (fd < 0) {
        if (fifo && errno == ENXIO)
            snprintf(why, size, "%s: cannot write: a FIFO that no process is reading", path);
        else
            snprintf(why, size, "%s: cannot write: %s", path, strerror(errno));
        return false;
    }
    if (fifo)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        snprintf(why, size, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    return true;
}

bool outfile_open(OutFile *o, const char *path, char *why, size_t size)
{
    o->f = NULL;
    o->tmp = NULL;
    o->path = write_target(path, why, size);
    if (!o->path)
        return false;
    struct stat st;
    if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
            if (open_in_place(o, path, S_ISFIFO(st.st_mode), why, size))
                return true;
        } else {
            snprintf(why, size, "%s: cannot write: it is %s (expected a file name)", path,
                     kind_of(st.st_mode));
        }
        free(o->path);
        o->path = NULL;
        return false;
    }
    o->tmp = xasprintf("%s.tmp-XXXXXX", o->path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(why, size, "%s: cannot write: %s", path, strerror(errno));
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return false;
    }
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        snprintf(why, size, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        unlink(o->tmp);
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return false;
    }
    /* mkstemp makes 0600; an exported trace is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    return true;
}

int outfile_errno(const OutFile *o)
{
    char c = 0;
    errno = 0;
    if (write(fileno(o->f), &c, 1) < 0 && errno)
        return errno;
    return EIO;
}

bool outfile_commit(OutFile *o, char *why, size_t size)
{
    bool ok = !ferror(o->f);
    int err = ok ? 0 : outfile_errno(o);
    if (fflush(o->f) != 0) {
        ok = false;
        err = errno;
    }
    if (fclose(o->f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    o->f = NULL;
    if (ok && o->tmp && rename(o->tmp, o->path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        snprintf(why, size, "%s: cannot write: %s", o->path, strerror(err));
        if (o->tmp)
            unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return ok;
}

void outfile_abort(OutFile *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    o->f = NULL;
    o->path = o->tmp = NULL;
}

bool outfile_same(const char *out, const char *in)
{
    struct stat a, b;
    return stat(out, &a) == 0 && stat(in, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
