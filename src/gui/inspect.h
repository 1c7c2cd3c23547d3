/* inspect — what the classroom view's panels show, folded from the kept
 * trace at the cursor (DESIGN.md rule 6).  No SDL here: the tests compare
 * these with the headless trace, and panels.c only draws them.
 *
 * The node inspector is a list of sections, each supplied by one provider
 * (the node itself, its interfaces, the zones it serves, and every table
 * the trace's `state` records keep on it: caches today, mail queues,
 * mailboxes and FTP sessions as their protocols add them).  A table needs
 * no code here: its records' ops say what happens to an entry ("insert",
 * "add" and "push" add or replace the key, "flush" and "clear" empty the
 * table, any other op — "expire", "delete", "pop" — removes the key).
 *
 * A table whose values are all a word then `name value` pairs
 * ("ESTABLISHED send-q 0 recv-q 0 cwnd 14600 …") is also cut into columns:
 * the key's words, the first word, then one column per name, headed and
 * ordered as the table's row in proto/state_tables.h says (netstat's
 * "Local", "Remote", "State") or by the names themselves.  Any numeric
 * field of an entry can be followed over time (inspect_series): every
 * record of the key is a point. */
#ifndef MN_GUI_INSPECT_H
#define MN_GUI_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "gui/model.h"

typedef struct InspectRow {
    char *key, *value;
    int64_t ttl;  /* seconds left at the cursor, -1 if the entry has no TTL */
    char **cells; /* the section's n_cols cells ("" where a field is missing), or NULL */
} InspectRow;

typedef struct InspectSection {
    char *title;
    char *table; /* the trace's table name, NULL for the node's own sections */
    InspectRow *rows;
    size_t n, cap;
    size_t more;      /* rows left out (a zone of thousands of records) */
    char **cols;      /* column headers when the rows are cut into columns */
    size_t n_cols;    /* 0: key and value */
    size_t key_cols;  /* the first key_cols columns are the key's words */
    const char *plot; /* fields worth a plot, '|'-separated (state_tables.h), or NULL */
} InspectSection;

typedef struct Inspect {
    InspectSection *s;
    size_t n, cap;
} Inspect;

/* At most this many rows per section; the rest are counted in `more`. */
#define INSPECT_MAX_ROWS 400

/* The sections of node `node` at the cursor (step, t).  Appends to out
 * (zero it first); free with inspect_fini. */
void inspect_node(const Model *m, int node, uint32_t step, double t, Inspect *out);
void inspect_fini(Inspect *in);
/* The section titled `title`, or NULL. */
const InspectSection *inspect_find(const Inspect *in, const char *title);

/* The value of entry `key` of `table` on `node` over time, up to the
 * cursor: one point per record that adds or replaces the key (every value
 * change), its field `field` as a number ("0.200s" is 0.2); a record
 * without the field is left out.  *end is when the entry was removed last
 * (at or before the cursor, after its first point), or -1.  Fills *pts
 * (grown with xgrow; the caller frees it) and returns the count.  O(state
 * records up to the cursor). */
typedef struct InspectPoint {
    SimTime time;
    double v;
} InspectPoint;
size_t inspect_series(const Model *m, int node, const char *table, const char *key,
                      const char *field, uint32_t step, double t, InspectPoint **pts, size_t *cap,
                      SimTime *end);

/* Field `name`'s value in a value of `word name value …` pairs, copied
 * into out (size bytes); false if absent. */
bool inspect_field(const char *value, const char *name, char *out, size_t size);

/* The i-th '|'-separated part of list (state_tables.h), or NULL; the
 * caller frees it. */
char *inspect_list_part(const char *list, size_t i);
/* Field `name`'s column header in `table`: the label its row in
 * state_tables.h gives, or the name.  The caller frees it. */
char *inspect_label(const char *table, const char *name);

/* Console text that is not in the trace: a line typed at the prompt that
 * minet could not run, with the shell's message, at the moment typed. */
typedef struct ConsoleExtra {
    SimTime time;
    char *text; /* "laptop$ foo\nfoo: command not found\n" */
} ConsoleExtra;

/* What the commands printed up to the cursor, as a terminal shows it: each
 * command as "NODE$ COMMAND", then its output, stdout and stderr in the
 * order written, and the extras (sorted by time) at their moments.
 * Appends to out. */
void inspect_console(const Model *m, uint32_t step, double t, const ConsoleExtra *extra,
                     size_t n_extra, Buf *out);

/* ---- the event list ---------------------------------------------------- */

typedef struct EventFilter {
    const char *proto; /* "DNS", "ICMP", … or NULL for every protocol */
    int node;          /* only what a node sends or receives, or -1 */
    bool hops;         /* list each step's hops under it */
} EventFilter;

typedef struct EventRow {
    bool is_hop;
    uint32_t step;     /* 1-based; a hop's: the step it belongs to */
    size_t hop;        /* is_hop: index into m->hops */
    SimTime time;      /* the note's time, or the hop's send time */
    int from, to;      /* node indexes, -1 if none */
    const char *proto; /* "DNS", … or NULL */
    char *text;        /* the caption, or the frame's summary (dissect.h) */
} EventRow;

typedef struct EventList {
    EventRow *rows;
    size_t n, cap;
} EventList;

/* Fills out (emptied first) with the steps, and under each its hops when
 * f->hops, that pass the filter. */
void inspect_events(const Model *m, const EventFilter *f, EventList *out);
void event_list_fini(EventList *l);
/* The first hop of the packet step k explains (sent at or after its note),
 * or -1 when the step explains no packet that crossed a link. */
int inspect_step_hop(const Model *m, uint32_t k);

#endif
