/* app — the window: the event loop, keyboard and mouse, and the frame
 * timing.  Split from gui_run so the tests can feed it events and render
 * it on a software renderer without a display.
 *
 * The keys and the mouse are listed for users in docs/classroom.md and in
 * the help overlay (F1, panels.c); on_key and on_mouse are the code.  A
 * few rules: while the prompt has the keyboard, letters go to it and only
 * Ctrl combinations, F1, F11 and PgUp/PgDn keep their meaning; Esc closes
 * what is open before it quits; Q and the window's close button warn once
 * when typed commands are not saved. */
#ifndef MN_GUI_APP_H
#define MN_GUI_APP_H

#include <SDL.h>
#include <stdbool.h>

#include "gui/chart_view.h"
#include "gui/draw.h"
#include "gui/inspect.h"
#include "gui/model.h"
#include "gui/player.h"
#include "gui/text.h"
#include "proto/dissect.h"

#define PROMPT_MAX  1024 /* bytes a typed command may have */
#define HISTORY_MAX 200

/* A row of a node's table as drawn: where it is, and which entry. */
typedef struct RowHit {
    int y, h;
    char *table, *key;
} RowHit;

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

    /* Panels: what is asked for (View says what is on screen). */
    bool show_events, show_console, show_inspector, panels_hidden, help;
    /* What View.caption_h was computed for. */
    int caption_for_w, caption_for_h;
    double caption_for_ts;
    size_t caption_for_steps;
    bool caption_for_opening;
    /* The sequence chart (io/chart.h), built from the model's trace when
     * first shown and again after the model changes. */
    int chart_mode;                /* View.chart: 0 off, 1 beside the map, 2 in its place */
    bool inspector_asked;          /* View.inspector_claim, until S */
    bool right_asked;              /* View.right_claim, until S */
    Chart *chart;                  /* NULL until shown; owned */
    bool chart_stale;              /* the model changed */
    bool chart_follow;             /* keep the current step's arrows in view */
    double chart_top;              /* chart units scrolled, when not following */
    uint32_t chart_step;           /* the step last followed */
    size_t chart_shown;            /* arrows drawn in the last frame (some part in view) */
    double chart_fit_w;            /* the width it was fitted to, chart units */
    double chart_scale, chart_big; /* pixels a chart unit; the panels' text scale it was built at */
    uint32_t chart_focus;          /* the step its lifelines were chosen around (some hidden) */
    /* The inspector: a node's tables, or a packet's tree and bytes. */
    int sel_node;        /* -1: none */
    int prompt_host;     /* the host last selected: the prompt's; -1 none */
    int sel_hop;         /* -1: none */
    bool inspect_packet; /* the inspector shows sel_hop rather than sel_node */
    int sel_field;       /* the packet tree's selected line, -1 none */
    /* Which layers of the packet tree are open (app_section_class): Frame,
     * Ethernet, IPv4 and UDP/TCP closed at first, the application open, as
     * a Wireshark habit; kept from packet to packet. */
    unsigned sections_open;
    DissectTree tree; /* sel_hop's frame, decoded */
    int tree_hop;     /* the hop `tree` was decoded from, -1 none */
    int inspect_top;  /* first line shown (scrolling) */
    /* The node inspector's selected entry (its plot over time is drawn
     * under its table), by table and key so that it stays selected while
     * the cursor moves; NULL none.  Owned. */
    char *sel_table, *sel_key;
    RowHit *row_hits; /* the rows as last drawn */
    size_t n_row_hits, row_hits_cap;
    /* The event list. */
    EventFilter filter;
    EventList events;
    bool events_stale;                         /* the filter or the model changed */
    int events_top;                            /* first row shown */
    bool events_follow;                        /* keep the current step in view */
    uint32_t events_step;                      /* the step last followed */
    SDL_Rect chip_proto, chip_node, chip_hops; /* the filter's buttons, as drawn */
    SDL_Rect tree_rect;                        /* the packet tree's lines, as drawn */
    /* The console and its prompt. */
    int console_back;      /* lines scrolled back from the end */
    ConsoleExtra *refused; /* typed lines minet could not run, by time */
    size_t n_refused, refused_cap;
    bool typing; /* keys go to the prompt */
    char prompt[PROMPT_MAX + 1];
    size_t prompt_len;
    bool prompt_cut; /* the last paste was longer than PROMPT_MAX */
    char **history;
    size_t n_history, history_pos;
    /* A message for the user (saved, refused, …) and how long it stays. */
    char status[512];
    double status_left;
    bool unsaved;     /* commands typed (or nodes moved) since the last save */
    bool moved;       /* a node dragged since the last save: Ctrl+S writes every "pos" */
    bool quit_warned; /* Q said once that they would be lost */
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

/* The host the prompt runs commands on: the host selected last, else the
 * first host, else -1.  (A server selected in the inspector keeps the
 * prompt on the host: students type commands on their laptop.) */
int app_prompt_node(const App *a);
/* Runs what the prompt holds (or `line`, when not NULL) at the cursor, as
 * Enter does; false if minet could not run it (the console says why). */
bool app_run_command(App *a, const char *line);
/* Saves the scenario with the typed commands to a new file beside the
 * original (or in the current folder); the path written goes in path.
 * False with a message in path. */
bool app_save(App *a, char *path, size_t size);
/* Selects a node (opens the node inspector), or -1 for none. */
void app_select_node(App *a, int node);
/* The event list shows only what the selected node sends and receives,
 * or everything again. */
void app_toggle_node_filter(App *a);
/* Gives the keyboard to the prompt, or takes it back. */
void app_start_typing(App *a, bool on);
/* Selects an entry of the node inspector's tables (NULL, NULL: none). */
void app_select_row(App *a, const char *table, const char *key);
/* Selects the next (dir 1) or previous (-1) entry of the selected node's
 * tables at the cursor, as R and Shift+R do. */
void app_cycle_row(App *a, int dir);
/* Selects a hop (opens the packet inspector), or -1 for none. */
void app_select_hop(App *a, int hop);
/* The packet tree's sections: is line `field` shown (a layer's own line
 * always is; the lines under it while it is open)?  Toggle the section a
 * line belongs to; move the selection to the next (dir 1) or previous
 * (-1) layer's line, opening it (Tab, Shift+Tab); select a line, opening
 * its section. */
bool app_field_shown(const App *a, int field);
void app_toggle_section(App *a, int field);
void app_next_section(App *a, int dir);
void app_select_field(App *a, int field);
/* Sets which panels are on screen from what is asked for. */
void app_sync_view(App *a);

/* ---- panels.c ---------------------------------------------------------- */

/* Draws the event list, the console, the inspector, the help and the
 * status message over a frame draw_frame drew. */
void panels_draw(App *a);
/* A left click at (x, y): true if a panel took it. */
bool panels_click(App *a, int x, int y);
/* The wheel over (x, y): true if a panel scrolled. */
bool panels_wheel(App *a, int x, int y, int dy);
/* The event list's protocol filter: every protocol, then each row of the
 * colour table (draw.h) that some packet of the run carries, then every
 * protocol again. */
void panels_cycle_proto(App *a);
/* The protocols the filter offers, in order: writes at most max names
 * (static strings) and returns how many there are. */
size_t panels_filter_protos(const App *a, const char **out, size_t max);
/* The chart panel's chart, built now if stale (NULL with the panel off
 * and never shown), and where panels_draw puts it. */
const Chart *panels_chart(App *a);
void panels_chart_place(App *a, ChartPlace *pl);
/* Rebuilds the event list if stale. */
void panels_refresh_events(App *a);
/* Lines of the console at the cursor, refused lines included (for tests). */
void panels_console_text(const App *a, Buf *out);

#endif
