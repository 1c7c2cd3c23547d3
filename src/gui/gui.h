/* gui — the classroom view, as main.c sees it.  This header includes no
 * SDL (DESIGN.md rule 1): main.c stays SDL-free and calls in here.
 *
 * The binary reaches these functions through src/gui_load.c, which opens
 * the window's module (minet-gui.so) the first time one is called; if it
 * cannot, each says so on stderr and returns 1. */
#ifndef MN_GUI_H
#define MN_GUI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* gui_run's answer when there is no display to open a window on: no video
 * driver at all, or only SDL's invisible `offscreen`/`dummy` drivers that
 * the user did not ask for with SDL_VIDEODRIVER. */
#define GUI_NO_DISPLAY (-1)

/* How the window opens (`minet FILE --step N --theme dark --text-scale F`);
 * all zero: at the start, light, the default text size. */
typedef struct GuiOpen {
    uint32_t step; /* 0: the start; else at rest after step N (1-based) */
    bool dark;
    double text_scale; /* 0: the default */
    bool pace_hops;    /* --pace hops: play at hop pace, not reading pace */
    const char *field; /* --field TEXT: the step's packet open, that field selected */
} GuiOpen;

/* Opens the window on a scenario and plays it until the user closes it.
 * font_dir holds the DejaVu fonts; o may be NULL.  Returns an exit status
 * (0, 1 on a run-time failure, 2 on a bad scenario or a step it does not
 * have, with messages on stderr) or GUI_NO_DISPLAY before printing
 * anything (with o->step, the scenario is loaded and checked first). */
int gui_run(const char *scenario, const char *font_dir, const GuiOpen *o);

typedef struct GuiShot {
    const char *scenario, *font_dir, *out; /* out: a .png path */
    uint32_t step;                         /* 1-based; must exist */
    int width, height;                     /* pixels */
    bool dark;
    const char *inspect; /* a node id: open its inspector; NULL none */
    const char *row;     /* with inspect: select the first table entry whose key starts so */
    bool packet;         /* open the packet inspector on the step's packet */
    const char *field;   /* select the packet's first field starting with this */
    const char *filter;  /* the event list's protocol, NULL for all */
    bool hops;           /* list hops under the steps */
    bool no_panels;      /* the network alone (Tab) */
    bool help;           /* the keyboard help over it */
    double text_scale;   /* 0: the default */
    const char *type;    /* typed at the prompt at the step; shown when it is done */
    int chart;           /* the sequence chart: 1 beside the map, 2 in its place */
} GuiShot;

/* Renders the view half way through step `step` without a window and
 * writes a PNG.  Returns 0, 1 if the file cannot be written (nothing is
 * left behind), 2 on a bad scenario, a step, node or field that does not
 * exist; messages go to stderr. */
int gui_shot(const GuiShot *s);

/* The chart (io/chart.h) drawn as the window's chart panel draws it, at
 * its own size (1 px a chart unit), into a PNG.  Returns 0, or 1 if the
 * file cannot be written (nothing is left behind), with a message on
 * stderr. */
struct Chart;
int gui_chart_png(const struct Chart *c, const char *font_dir, const char *out, bool dark);

/* `minet layout`: what the window draws at width × height at step `step`
 * (0: as it opens; else half way through the step, as `minet shot`), as
 * JSON on out: {"size": [W, H], "items": [{"kind", "id", "rect": [x, y,
 * w, h], "font_px"}, …]}.  Kinds: "node" (an icon), "node-label",
 * "packet-label", "caption", "panel-text".  chart: 1 or 2 opens the chart
 * panel (S).  Returns 0, 1 without the window's module, or 2 on a bad
 * scenario or step. */
int gui_layout(const char *scenario, const char *font_dir, int width, int height, uint32_t step,
               int chart, FILE *out);

#endif
