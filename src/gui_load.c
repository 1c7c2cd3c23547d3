/* gui_load — the classroom view (gui/gui.h) as a module opened when it is
 * first needed.
 *
 * The window's code lives in minet-gui.so, linked with SDL2, SDL2_ttf and
 * SDL2_image, which bring some seventy shared libraries with them.  Linked
 * into the binary, the dynamic loader mapped and relocated all of them at
 * every start, about 7 ms before main() on the development machine: a
 * headless run (`minet run`, `minet check`, every test's scenario) paid for
 * a window it never opens.  Now the binary links only libc and cJSON, and
 * the functions below open the module the first time one of them is called.
 *
 * The module is looked for next to the binary (a build tree: build/minet
 * beside build/minet-gui.so, ./minet beside ./minet-gui.so), then in
 * ../lib/minet from it and in MINET_LIBDIR, where `make install` puts it.
 * Its code calls back into the binary's (the scenario's load, the
 * simulation, the trace), which the binary exports to it (-rdynamic).  The
 * SVG chart needs no module: the protocols' colours are io/chart.c's.
 *
 * If the module cannot be opened (a missing file, an SDL library that is
 * not installed), each function says why on stderr, naming the file, and
 * fails as its header allows. */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "gui/gui.h"

#ifndef MINET_LIBDIR
#define MINET_LIBDIR "/usr/local/lib/minet"
#endif

#define MODULE "minet-gui.so"

/* The module's path: beside the binary (a build tree), in ../lib/minet
 * from it (an installed binary, wherever PREFIX was), or MINET_LIBDIR's. */
static char *module_path(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *where[] = {"%s/" MODULE, "%s/../lib/minet/" MODULE};
            for (size_t i = 0; i < MN_ARRAY_LEN(where); i++) {
                char *p = xasprintf(where[i], exe);
                if (access(p, R_OK) == 0)
                    return p;
                free(p);
            }
        }
    }
    return xstrdup(MINET_LIBDIR "/" MODULE);
}

/* The module's function `name`, or NULL after a message. */
static void *gui_symbol(const char *name)
{
    static void *handle;
    static bool failed;
    if (!handle && !failed) {
        char *path = module_path();
        handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            fprintf(stderr, "minet: cannot load the classroom window's module: %s\n", dlerror());
            failed = true;
        }
        free(path);
    }
    if (!handle)
        return NULL;
    void *f = dlsym(handle, name);
    if (!f)
        fprintf(stderr, "minet: the classroom window's module has no %s: %s\n", name, dlerror());
    return f;
}

/* dlsym's answer as a function pointer, the way POSIX allows it. */
#define GUI_FN(var, name)                                                                          \
    do {                                                                                           \
        void *sym_ = gui_symbol(name);                                                             \
        memcpy(&(var), &sym_, sizeof sym_);                                                        \
    } while (0)

int gui_run(const char *scenario, const char *font_dir, const GuiOpen *o)
{
    int (*f)(const char *, const char *, const GuiOpen *) = NULL;
    GUI_FN(f, "gui_run");
    return f ? f(scenario, font_dir, o) : 1;
}

int gui_shot(const GuiShot *s)
{
    int (*f)(const GuiShot *) = NULL;
    GUI_FN(f, "gui_shot");
    return f ? f(s) : 1;
}

int gui_chart_png(const struct Chart *c, const char *font_dir, const char *out, bool dark)
{
    int (*f)(const struct Chart *, const char *, const char *, bool) = NULL;
    GUI_FN(f, "gui_chart_png");
    return f ? f(c, font_dir, out, dark) : 1;
}

int gui_layout(const char *scenario, const char *font_dir, int width, int height, uint32_t step,
               int chart, FILE *out)
{
    int (*f)(const char *, const char *, int, int, uint32_t, int, FILE *) = NULL;
    GUI_FN(f, "gui_layout");
    return f ? f(scenario, font_dir, width, height, step, chart, out) : 1;
}
