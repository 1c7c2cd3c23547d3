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
} GuiShot;

/* Renders the view half way through step `step` without a window and
 * writes a PNG.  Returns 0, 1 if the file cannot be written (nothing is
 * left behind), 2 on a bad scenario or a step that does not exist;
 * messages go to stderr. */
int gui_shot(const GuiShot *s);

#endif
