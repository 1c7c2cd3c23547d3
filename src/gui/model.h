/* model — what the classroom view shows, derived once from a kept trace.
 *
 * model_load runs the scenario to the end with every trace record kept
 * (DESIGN.md rule 4: the trace is the single source of truth), then turns
 * the records into flat arrays the view reads: the steps (one per note,
 * rule 5), the hops with their send and arrival times and a short label
 * decoded from the frame's bytes, the drops, and node and link status
 * changes.  Nothing here includes SDL; every question the view asks
 * ("where is packet p at time t", "which step is t in", "is node n down
 * at t") is answered from these arrays and a time, so the picture at any
 * moment is a pure function of the cursor (rule 6: replay, never undo).
 *
 * Times are virtual microseconds (SimTime); cursor times are doubles so an
 * animation can stand between two microseconds. */
#ifndef MN_GUI_MODEL_H
#define MN_GUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"
#include "core/trace.h"
#include "core/util.h"
#include "net/world.h"
#include "proto/roles.h"

/* How the view draws a node: its role's icon (the roles table decides,
 * proto/roles.h). */
typedef RoleIcon ModelKind;
#define MK_HOST       ROLE_ICON_HOST
#define MK_ROUTER     ROLE_ICON_ROUTER
#define MK_RESOLVER   ROLE_ICON_RESOLVER
#define MK_ROOT       ROLE_ICON_ROOT /* a name server serving "." */
#define MK_TLD        ROLE_ICON_TLD  /* a name server serving only one-label zones ("edu.") */
#define MK_AUTH       ROLE_ICON_AUTH /* any other server */
#define MK_MAIL       ROLE_ICON_MAIL /* a mail server */
#define MK_KIND_COUNT ROLE_ICON_COUNT

typedef struct ModelStep {
    SimTime time;
    uint64_t pkt; /* the packet it explains, 0 if none */
    const char *text;
} ModelStep;

typedef struct ModelHop {
    SimTime send, arrive;
    uint64_t pkt;
    uint32_t step; /* the latest note when it was sent (trace.h) */
    size_t rec;    /* its record in the kept trace: the frame's bytes */
    int from, to, link;
    const char *proto;  /* "DNS", "ICMP", … (static strings) */
    bool response;      /* DNS QR set, ICMP echo reply or error */
    bool lost;          /* a drop ends this hop */
    double lost_at;     /* where along the link it was lost (0..1) */
    uint32_t lost_step; /* the step that shows the loss (the drop's ModelRef rule) */
    char label[64];     /* "A? www.montana.edu", "referral: edu", … */
} ModelHop;

typedef struct ModelDrop {
    SimTime time;
    uint32_t step; /* the step it is shown with (as a ModelRef's) */
    uint64_t pkt;
    int node, link, hop; /* hop: the hop it ends, or -1 */
    DropReason reason;   /* trace_drop_text names it */
} ModelDrop;

/* A console or state record, and the step it is shown with: its own
 * (the latest note before it, trace.h), except that a record made at the
 * very moment of the next note goes with that note (drops and node or
 * link status changes follow the same rule).  A command's prompt
 * line, its output, a cache insert happen in the same instant as the
 * caption that explains them, and belong with it, not at the end of the
 * step before. */
typedef struct ModelRef {
    size_t rec; /* index into the kept trace */
    uint32_t step;
} ModelRef;

/* A node or link going down or up. */
typedef struct ModelStatus {
    SimTime time;
    uint32_t step; /* the step it is shown with (as a ModelRef's) */
    bool is_link;
    int index; /* node or link */
    bool up;
} ModelStatus;

typedef struct Model {
    World *world; /* owned */
    ModelKind *kind;
    double *x, *y; /* layout, each in 0..1 (y = 0 at the top) */
    int *layer;    /* the layout's row, 0 at the top (layout.h) */
    ModelStep *steps;
    size_t n_steps;
    ModelHop *hops; /* in trace order, so by send time */
    size_t n_hops;
    ModelDrop *drops;
    size_t n_drops;
    ModelStatus *status;
    size_t n_status;
    ModelRef *console; /* the trace's console records */
    size_t n_console;
    ModelRef *states; /* the trace's state records of tables (not node or link status) */
    size_t n_states;
    SimTime *step_end; /* [k]: when step k's last packet arrives or record happens */
    int *step_hop;     /* [k-1]: the first hop of step k's packet at or after its note, or -1 */
    int *label_order;  /* the nodes, as the map places their labels (model.c) */
    SimTime end;       /* the last moment anything happens */
    SimTime longest;   /* the longest hop, send to arrival */
    struct Sim *sim;   /* keeps the trace and its strings */
    struct DissectCtx *dissect; /* has seen every hop's frame (TCP's relative numbers) */
} Model;

/* Loads and runs a scenario.  NULL on bad input, with every problem in
 * errs.  The caller frees the result with model_free. */
Model *model_load(const char *path, Errors *errs);
void model_free(Model *m);

/* Runs `line` on `node` (-1 for a fault) at time `at`, as if the scenario's
 * script had said so: the line joins the script and the whole scenario
 * runs again from zero (DESIGN.md rule 6), so the trace before `at` stays
 * the same.  False, with what a shell would print in why, if the line is
 * not something minet can run (an unknown program, an empty line, a fault
 * naming no node or link); the model is then unchanged. */
bool model_add_line(Model *m, SimTime at, int node, const char *line, char *why, size_t size);

/* The program that what is typed on node at the cursor (step, t) goes to:
 * one that set a prompt (shell.h, proc_set_prompt: the node's "terminal"
 * table) and has not ended by then.  Returns its script line's index, or
 * -1 if none; its prompt ("" if none) goes into prompt (size bytes;
 * prompt may be NULL). */
int model_reading(const Model *m, int node, uint32_t step, double t, char *prompt, size_t size);

/* The script line of the latest command started in node's first terminal
 * and not ended by the cursor (the terminal's foreground program), or -1:
 * where a ^C typed at the window's prompt goes. */
int model_foreground(const Model *m, int node, uint32_t step, double t);

/* Types text into script line `line`'s program at time `at` (after the
 * line's start): it joins the line's input at that moment and the
 * scenario runs again, as for model_add_line.  False if the line has not
 * started by then. */
bool model_add_input(Model *m, size_t line, SimTime at, const char *text);

/* Has the record happened by the cursor (step, t)?  Along m->console or
 * m->states, once one has not, none after it has. */
bool model_ref_shown(const Model *m, const ModelRef *ref, uint32_t step, double t);

/* Where a hop's packet is at time t, as a fraction of its link (0 at the
 * sender, 1 at the receiver); negative when it is not on the link at t.
 * A hop is on its link for send < t <= arrive: at its arrival time it is
 * drawn at the receiver.  O(1). */
double model_hop_frac(const ModelHop *h, double t);

/* The hops that may be on their link at time t: [*lo, *hi) of m->hops
 * (hops are in send order, none longer on its link than the longest).
 * O(log hops + the hops sent in the longest hop's time before t). */
void model_hops_near(const Model *m, double t, size_t *lo, size_t *hi);

/* The step time t belongs to: the last note strictly before t (0 if none),
 * so a moment shared by an arrival and the next note is the earlier
 * step's.  O(log steps). */
uint32_t model_step_at(const Model *m, double t);
/* Step k (1-based) runs from model_step_start (its note) to model_step_end
 * (the last arrival or record of the step, never before the previous
 * step's end); step 0 is the moment before the first.  Between one step's
 * end and the next note nothing happens: a view at rest after step k
 * shows the world as step k left it, not as the next step finds it. */
SimTime model_step_start(const Model *m, uint32_t k);
SimTime model_step_end(const Model *m, uint32_t k);

/* Is the node (or link) down at the cursor (step, t)?  A fault at t = 0
 * is not shown before its caption, step 1.  O(status changes). */
bool model_node_down(const Model *m, int node, uint32_t step, double t);
bool model_link_down(const Model *m, int link, uint32_t step, double t);

/* The role-by-zones kind of a node (root, TLD, authoritative, …). */
ModelKind model_kind_of(const World *w, int node);
const char *model_kind_name(ModelKind k);

/* Decodes a frame for the view: protocol, query or response, short label.
 * The bytes are hostile: anything undecodable gives the protocol's name.
 * dc (NULL: none) is the run's dissector context, given the frames in
 * trace order (an FTP data connection on a passive port needs it). */
void model_describe_frame(struct DissectCtx *dc, const uint8_t *frame, size_t len,
                          const char **proto, bool *response, char *label, size_t size);

#endif
