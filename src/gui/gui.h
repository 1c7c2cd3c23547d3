/* gui — the classroom view, as main.c sees it.  This header includes no
 * SDL (DESIGN.md rule 1): main.c stays SDL-free and calls in here. */
#ifndef MN_GUI_H
#define MN_GUI_H

#include <stdbool.h>
#include <stdint.h>

/* gui_run's answer when there is no display to open a window on: no video
 * driver at all, or only SDL's invisible `offscreen`/`dummy` drivers that
 * the user did not ask for with SDL_VIDEODRIVER. */
#define GUI_NO_DISPLAY (-1)

/* Opens the window on a scenario and plays it until the user closes it.
 * font_dir holds the DejaVu fonts.  Returns an exit status (0, 1 on a
 * run-time failure, 2 on a bad scenario, with messages on stderr) or
 * GUI_NO_DISPLAY before printing anything. */
int gui_run(const char *scenario, const char *font_dir);

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
} GuiShot;

/* Renders the view half way through step `step` without a window and
 * writes a PNG.  Returns 0, 1 if the file cannot be written (nothing is
 * left behind), 2 on a bad scenario, a step, node or field that does not
 * exist; messages go to stderr. */
int gui_shot(const GuiShot *s);

#endif
