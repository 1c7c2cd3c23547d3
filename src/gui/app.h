/* app — the window: the event loop, keyboard and mouse, and the frame
 * timing.  Split from gui_run so the tests can feed it events and render
 * it on a software renderer without a display.
 *
 * Keys: Space play/pause, Right/Left next/previous step, Shift+Right/Left
 * one hop, Home/End, +/- speed (×2 each), 0 default speed, P pause after
 * each DNS answer, T light/dark, F fullscreen, Q or Escape quit.  Mouse:
 * wheel zooms, dragging a node moves it, dragging the background pans,
 * clicking or dragging on the timeline jumps to a step. */
#ifndef MN_GUI_APP_H
#define MN_GUI_APP_H

#include <SDL.h>
#include <stdbool.h>

#include "gui/draw.h"
#include "gui/model.h"
#include "gui/player.h"
#include "gui/text.h"

typedef struct App {
    Model *m;
    Player p;
    View v;
    Text txt;
    SDL_Renderer *r;
    SDL_Window *win;                    /* NULL when rendering on a surface */
    float mouse_scale_x, mouse_scale_y; /* output pixels per window point (HiDPI) */
    bool dragging_pan, dragging_timeline;
    int dragging_node; /* the node being moved with the mouse, or -1 */
    int last_x, last_y;
    bool quit;
} App;

/* Takes ownership of m.  r may be a window's or a software renderer.  False
 * (with a message in why) if the fonts cannot be opened. */
bool app_init(App *a, Model *m, SDL_Renderer *r, const char *font_dir, char *why, size_t size);
void app_fini(App *a);

/* Reacts to one event (keys, mouse, window size). */
void app_handle_event(App *a, const SDL_Event *e);
/* Reads the output size from the renderer (HiDPI: pixels, not points). */
void app_resize(App *a);
/* Advances the animation and draws one frame (does not present). */
void app_frame(App *a, double seconds);

#endif
