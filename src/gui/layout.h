/* layout — where each node stands, in a unit square (x, y in 0..1, y = 0 at
 * the top), read like the textbook's DNS figure.
 *
 * Nodes with a `pos` keep it (scaled as a group into the square), unless
 * the scenario says "layout": "hierarchy"; the others are moved along
 * their row clear of them.  The
 * others are placed in rows, top to bottom: root servers; TLD servers;
 * authoritative servers with the hosts and resolvers that no host uses
 * (web servers, public resolvers); routers, the ones farther from the
 * clients higher up; and at the bottom the clients: hosts that have a
 * local DNS server, and the resolvers they use.  Within a row, nodes are
 * ordered by the mean position of their neighbours in the rows already
 * placed (fewer crossings), ties by scenario order, so the picture is the
 * same on every run.  O(V log V + E) per sweep, two sweeps. */
#ifndef MN_GUI_LAYOUT_H
#define MN_GUI_LAYOUT_H

#include "gui/model.h"

/* Fills x, y and layer (the row, 0 at the top) for every node. */
void layout_compute(const World *w, const ModelKind *kind, double *x, double *y, int *layer);

#endif
