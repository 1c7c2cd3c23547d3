/* chart — the textbook's message sequence chart, read from a kept trace.
 *
 * One lifeline per node that sends or receives a message; one arrow per
 * message, from the node that sent it to the node it was for, routers
 * folded away (or one arrow per hop when asked); numbered 1, 2, … down
 * the chart as the textbook numbers its DNS figure; labelled with the
 * map's short label (dissect_label).  A TCP connection's bulk data and
 * bare acknowledgements are one arrow per step and direction ("data ×3
 * (4,380 B)"), as the TCP captions narrate them; SYN, FIN and RST
 * segments and application messages (SMTP, FTP commands) each keep their
 * own.  Each TCP connection is a bracket in the left gutter from its
 * first arrow to its last, so a data connection opening beside a control
 * connection is plain to see.
 *
 * The layout is computed here, once, as a flat list of drawing commands
 * (lines, arrow heads, crosses, text) in chart units (1 unit = 1 px at
 * the chart's 16 px text); the window's chart panel (gui/panels.c) and the
 * SVG writer only switch over the command kinds, so the two cannot
 * disagree.  Text widths come from DejaVu Sans's advance widths
 * (chart_text_width), the font both renderers name.
 *
 * Colours stay out of it: a command names its protocol (or an ink), and
 * the renderer picks the colour.  Every difference a colour shows is also
 * a line style: each protocol has its own dash pattern, a query or request
 * has an open head and an answer a filled one (the map's hollow and filled
 * envelopes), a lost message ends in a cross. */
#ifndef MN_IO_CHART_H
#define MN_IO_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/trace.h"
#include "core/util.h"
#include "net/world.h"

#define CHART_TEXT_PX  16 /* labels, names, numbers */
#define CHART_TITLE_PX 20

/* What to chart; all zero: every step, node and protocol, routers folded. */
typedef struct ChartOpts {
    uint32_t first, last; /* steps; 0: from the first / to the last */
    const bool *nodes;    /* [n_nodes]: only messages between these; NULL: all */
    const char *proto;    /* "dns", "smtp", … (any case); NULL: all */
    bool routers;         /* one arrow per hop, routers with lifelines of their own */
    bool blank_labels;    /* labels left as lines to fill in (numbers stay) */
    const char *title;    /* NULL: none */
    /* The window's panel: lifelines spread over this width (chart units),
     * names and labels shortened with "…" to fit; 0: as wide as the names
     * and labels need (minet chart).  When even the narrowest spacing is
     * too wide, only the lifelines of the steps around `focus` are drawn
     * (those of `focus` always), and the chart says how many are not. */
    double fit_w;
    uint32_t focus;
} ChartOpts;

typedef enum ChartInk {
    CHART_INK,   /* text and arrows of no protocol */
    CHART_FAINT, /* lifelines, step numbers, the legend's words */
    CHART_PROTO, /* the command's protocol's colour */
} ChartInk;

typedef enum ChartCmdKind {
    CHART_LINE,  /* x1,y1 → x2,y2, dash pattern `dash` ("" solid), width `w` */
    CHART_HEAD,  /* an arrow head with its tip at x2,y2 pointing from x1,y1; filled or open */
    CHART_CROSS, /* a cross centred on x1,y1, half-size w */
    CHART_TEXT,  /* text with its baseline's left (anchor 0), middle (1) or right (2) at x1,y1 */
    CHART_BOX,   /* a rectangle x1,y1 → x2,y2, outlined */
} ChartCmdKind;

typedef struct ChartCmd {
    ChartCmdKind kind;
    ChartInk ink;
    const char *proto; /* CHART_PROTO's protocol (static) */
    double x1, y1, x2, y2, w;
    const char *dash; /* static; "" solid */
    bool filled;      /* HEAD */
    bool bold;        /* TEXT */
    bool vertical;    /* TEXT: turned to read upwards, anchored at x1,y1 */
    int px, anchor;   /* TEXT */
    char *text;       /* TEXT; owned */
    int arrow;        /* the arrow it draws, or -1 */
} ChartCmd;

typedef struct ChartArrow {
    uint32_t number; /* 1, 2, … down the chart */
    uint32_t step;   /* the step it belongs to (its first segment's) */
    int from, to;    /* lifelines */
    int hop;         /* its first hop: index among the trace's hop records */
    uint64_t pkt;
    const char *proto;
    bool response, lost;
    unsigned count; /* segments it stands for */
    int conn;       /* TCP connection, or -1 */
    char label[96];
    double y;            /* the arrow's line */
    double x, top, w, h; /* the rectangle that takes a click: the arrow and its label */
} ChartArrow;

typedef struct ChartLife {
    int node;
    double x;
    bool hidden; /* fitted to a panel with no room for it: not drawn */
} ChartLife;

typedef struct ChartConn {
    int a, b; /* lifelines: the side that opened it, the other */
    uint16_t aport, bport;
    uint32_t aip, bip;
    int first, last;     /* arrows */
    bool opened, closed; /* its SYN, its FIN or RST, among the arrows */
    int column;          /* in the gutter */
} ChartConn;

typedef struct Chart {
    ChartLife *lives;
    size_t n_lives;
    ChartArrow *arrows;
    size_t n_arrows;
    ChartConn *conns;
    size_t n_conns;
    ChartCmd *cmds;
    size_t n_cmds, cmds_cap;
    double width, height; /* chart units */
    double head_h;        /* the names' band at the top (the panel keeps it in view) */
    size_t n_hidden;      /* lifelines left out (ChartOpts.fit_w) */
    double fit_need;      /* the narrowest fit_w that leaves none out, chart units */
} Chart;

/* Reads the trace (kept, so every record is there) and lays the chart out.
 * Never fails: a selection with no messages gives a chart that says so.
 * Free with chart_free.  O(records + arrows × lifelines). */
Chart *chart_build(const Trace *t, const World *w, const ChartOpts *o);
void chart_free(Chart *c);

/* The arrow nearest below the start of step `step` (the first of that step
 * or, if it has none, of the next step that has one), or -1. */
int chart_arrow_of_step(const Chart *c, uint32_t step);

/* The width of s in DejaVu Sans (bold or not) at px, in the same units. */
double chart_text_width(const char *s, int px, bool bold);

/* The dash pattern that carries proto's colour in black and white
 * ("" solid for DNS); static. */
const char *chart_proto_dash(const char *proto);

/* The protocols' colours, on the map and in the chart alike: a row per
 * protocol name that dissect_protocol gives (proto/dissect.h); the
 * window's event filter offers the rows in this order.  Adding a protocol
 * adds a row. */
typedef struct ChartProto {
    const char *name;
    uint8_t rgb[3];
} ChartProto;
const ChartProto *chart_protos(size_t *n);
/* A protocol's colour (red, green, blue): its row's, grey for one without
 * (UDP, IPv4, …) or NULL. */
const uint8_t *chart_proto_rgb(const char *proto);

/* Writes the chart as a standalone SVG 1.1 document: text as text, the
 * fonts named (DejaVu Sans, then common sans-serif fallbacks), each arrow
 * a group with its number and step (id="arrow-N", class="arrow step-S").  False if
 * the stream reports an error. */
bool chart_write_svg(const Chart *c, FILE *f);

#endif
