/* draw — one frame of the classroom view, from the model and the cursor.
 *
 * The frame is a pure function of (model, player's step and time, view):
 * nothing is remembered between frames except cached text textures, so
 * stepping back and forth gives the same pixels.  Works on any
 * SDL_Renderer, including a software renderer on a surface (`minet shot`,
 * the tests).  Sizes scale with the output height, so a 4K projector and
 * a laptop show the same picture. */
#ifndef MN_GUI_DRAW_H
#define MN_GUI_DRAW_H

#include <SDL.h>
#include <stdbool.h>

#include "gui/model.h"
#include "gui/player.h"
#include "gui/text.h"

/* The smallest text on screen, in pixels, at any window size: read from
 * the back row.  Packet labels on the map may be a little smaller; the
 * caption is larger. */
#define DRAW_TEXT_MIN    16
#define DRAW_LABEL_MIN   14
#define DRAW_CAPTION_MIN 24
/* The opening description's least size, where 24 px would not fit it. */
#define DRAW_OPENING_MIN 18

typedef struct DrawBox {
    double x, y, w, h;
} DrawBox;

/* What does not move on the map (the links and the icons), kept in a
 * texture and drawn again only when the view changes: the size, zoom,
 * pan, theme, a node moved, marked, or a node or link going down or up.
 * Owned by the app; draw_frame fills it. */
typedef struct DrawCache DrawCache;
DrawCache *draw_cache_new(void);
void draw_cache_free(DrawCache *c);
/* Forget the texture (the renderer lost its targets). */
void draw_cache_reset(DrawCache *c);

typedef struct View {
    int w, h; /* output pixels */
    bool dark;
    double zoom;         /* 1: the whole network fits */
    double pan_x, pan_y; /* pixels */
    double text_scale;   /* 1: large, for a projector (Ctrl+ and Ctrl-) */
    /* The panels on screen: the event list and the console share a column
     * on the right, the inspector (node or packet) has one on the left. */
    bool events, console, inspector;
    bool inspector_wide; /* a packet is open: the inspector takes more width */
    /* The sequence chart: 0 none, 1 beside the map (in the event list's
     * and console's column), 2 in the map's place. */
    int chart;
    /* The chart's narrowest width that shows every lifeline at its 16 px
     * (Chart.fit_need, 1 px a unit); 0 not known yet. */
    double chart_need;
    bool typing; /* a command being typed: the console shows beside the chart too */
    /* A panel the teacher asked for after the chart last moved (S): it
     * keeps its column, and the chart shows fewer lifelines (+N more)
     * rather than hide it.  inspector_claim: an arrow, a packet or a node
     * clicked, K, N, R or I; right_claim: E or C with the chart in the
     * map's place. */
    bool inspector_claim, right_claim;
    /* What the inspector shows, marked on the network: 1 + the node or
     * hop index, 0 for none. */
    int mark_node, mark_hop;
    /* The caption bar's height, when the captions need more than the
     * default to stay at 24 px or more (draw_caption_need); 0 none. */
    int caption_h;
    DrawCache *cache; /* NULL: draw the whole map every frame */
} View;

#define TEXT_SCALE_MIN 0.5
#define TEXT_SCALE_MAX 2.5

/* The areas of the frame, in output pixels; a hidden panel's is empty. */
typedef struct DrawRects {
    SDL_Rect header, net, timeline, caption;
    SDL_Rect events, console, inspector, chart;
    double ui;     /* scale: 1 at 1280×720 */
    double ts;     /* ui × the text scale: multiplies every font size */
    double icon_r; /* a node icon's size: 20 × ui, less where icons would touch */
} DrawRects;

/* The colours of a theme.  Both themes keep text at a contrast of at
 * least 4.5:1 on its background (WCAG AA) for the back row. */
typedef struct DrawTheme {
    SDL_Color bg, ink, faint, link, link_down, header, caption_bg, caption_ink, down;
    SDL_Color panel_bg, panel_head, rule, select_bg, bytes_bg, accent;
} DrawTheme;

const DrawTheme *draw_theme(bool dark);

void draw_rects(const View *v, DrawRects *out);
/* Is (x, y) inside r (an empty r has nothing inside)? */
static inline bool rect_has(const SDL_Rect *r, int x, int y)
{
    return r->w > 0 && r->h > 0 && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}
/* Where node i's icon is centred. */
void draw_node_xy(const Model *m, const View *v, int i, double *x, double *y);
/* Where a hop's packet is drawn at time t; false if it is not on its link. */
bool draw_packet_xy(const Model *m, const View *v, const ModelHop *h, double t, double *x,
                    double *y);
/* The fill colour of a node of this kind (what a pixel test finds at its centre). */
SDL_Color draw_kind_color(ModelKind k);
/* The colour of a protocol's packets (io/chart.h's table): its row's,
 * grey for one without. */
SDL_Color draw_proto_color(const char *proto);

void draw_frame(SDL_Renderer *r, Text *txt, const Model *m, const Player *p, const View *v);
/* The caption bar's height that shows at 24 px the longest step's caption
 * (in at most a third of the window), or, for the opening view before the
 * first step, the scenario's description (in at most half): View.caption_h.  The steps share
 * one height, so the map keeps its place from step to step; a long
 * description takes its room only while it shows.  O(characters of every
 * caption); the app computes it once per size, model and opening. */
int draw_caption_need(Text *txt, const Model *m, const View *v, bool opening);

/* Shapes the panels draw with too. */
void draw_fill_rect(SDL_Renderer *r, double x, double y, double w, double h, SDL_Color c);
/* A convex polygon (n corners, x y pairs), filled on SDL's fast rectangle path. */
void draw_fill_poly(SDL_Renderer *r, const double *xy, int n, SDL_Color c);
void draw_thick_line(SDL_Renderer *r, double x0, double y0, double x1, double y1, double w,
                     SDL_Color c);
/* The hop whose envelope is under (x, y) at time t, or -1. */
int draw_packet_at(const Model *m, const View *v, double t, int x, int y);

#endif
