#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

bool outfile_open(OutFile *o, const char *path, char *why, size_t size)
{
    o->f = NULL;
    o->path = xstrdup(path);
    o->tmp = xasprintf("%s.tmp-XXXXXX", path);
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

bool outfile_commit(OutFile *o, char *why, size_t size)
{
    bool ok = !ferror(o->f);
    int err = ok ? 0 : EIO;
    if (fflush(o->f) != 0) {
        ok = false;
        err = errno;
    }
    if (fclose(o->f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    o->f = NULL;
    if (ok && rename(o->tmp, o->path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        snprintf(why, size, "%s: cannot write: %s", o->path, strerror(err));
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
