/* state_tables — how the panels head a protocol's `state` tables: one row
 * per table that wants more than the generic fold gives (inspect.h).
 *
 * The generic fold needs no row: a table whose values are all a word then
 * `name value` pairs ("ESTABLISHED send-q 0 cwnd 14600 …") is shown as
 * columns named by the pairs.  A row here adds what the records cannot
 * say: a title, names for the key's words and the value's first word,
 * labels for some fields, their order, and which fields are worth a plot
 * over time.  Adding a protocol's table adds a row; no GUI code changes. */
#ifndef MN_STATE_TABLES_H
#define MN_STATE_TABLES_H

#include <stdbool.h>

typedef struct StateTable {
    const char *table; /* the trace's table name: "tcp" */
    const char *title; /* the section's title: "TCP connections" */
    /* Headers of the key's space-separated words, then of the value's
     * first word, separated by '|': "Local|Remote|State". */
    const char *heads;
    /* Fields in the order shown, each `name` or `name=Label`, separated by
     * '|'; fields not listed follow in the order they first appear.
     * Fields with the same label share a column. */
    const char *fields;
    /* Fields plotted over time for a selected row, '|'-separated; the
     * first is drawn strongest.  NULL: none. */
    const char *plot;
    /* Bookkeeping the window reads but a class has no use for (which
     * program reads a terminal): not shown in the inspector. */
    bool hidden;
} StateTable;

/* The row of `table`, or NULL: the generic rule alone. */
const StateTable *state_table_find(const char *table);

#endif
