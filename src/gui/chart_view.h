/* chart_view — draws a sequence chart (io/chart.h) on an SDL renderer:
 * the window's chart panel and `minet chart -o FILE.png` both come here,
 * and the SVG writer reads the same drawing commands, so the three show
 * the same arrows.  This file only switches over the command kinds. */
#ifndef MN_GUI_CHART_VIEW_H
#define MN_GUI_CHART_VIEW_H

#include <SDL.h>
#include <stdbool.h>

#include "gui/text.h"
#include "io/chart.h"

typedef struct ChartPlace {
    double ox, oy; /* where the chart's (0, 0) goes, in output pixels */
    double scale;  /* output pixels per chart unit */
    bool dark;
    uint32_t step;  /* the arrows of this step are highlighted; 0 none */
    bool pin_names; /* keep the names' band at the top of the clip (scrolling) */
    SDL_Rect clip;  /* where to draw */
} ChartPlace;

/* Draws every command of c.  Arrows drawn (some part inside the clip) are
 * counted into *shown when shown is not NULL. */
void chartview_draw(SDL_Renderer *r, Text *txt, const Chart *c, const ChartPlace *pl,
                    size_t *shown);

/* The arrow under output pixel (x, y), or -1. */
int chartview_arrow_at(const Chart *c, const ChartPlace *pl, int x, int y);

#endif
