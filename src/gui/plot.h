/* plot — a table entry's numeric fields over time, under the inspector's
 * table: a TCP connection's congestion window and the window the peer
 * advertises, from its SYN up to the cursor. */
#ifndef MN_GUI_PLOT_H
#define MN_GUI_PLOT_H

#include <stdbool.h>

#include "gui/inspect.h"
#include "gui/pen.h"

#define PLOT_LINES 8 /* the plot's height in lines: legend, 6 of graph, times */

/* The selected entry's plotted fields over time, up to the cursor, as
 * steps (a value holds until the next record), in a box PLOT_LINES lines
 * tall at y. */
void plot_draw(Pen *pen, SDL_Rect body, const InspectSection *s, int y);
/* Has the entry one of the fields its table plots?  (A listening socket
 * has no congestion window: no plot.) */
bool plot_has_fields(const InspectSection *s, const InspectRow *row);

#endif
