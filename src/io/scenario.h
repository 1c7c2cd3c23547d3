/* scenario — loads a scenario file (JSON, DESIGN.md) into a World.
 *
 * The only user of cJSON.  Strict: the whole file must be one JSON object,
 * valid UTF-8 without NUL bytes, at most SCENARIO_MAX_BYTES, with no
 * duplicate or unknown keys.  Every problem found is appended to errs as one
 * line "FILE: JSON.path: what is wrong (what was expected)" (or
 * "FILE:LINE:COL: …" when the JSON itself is malformed).  A scenario with
 * any problem loads nothing: the result is NULL and nothing leaks. */
#ifndef MN_SCENARIO_H
#define MN_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "net/world.h"

#define SCENARIO_MAX_BYTES (64u << 20)

/* Reads and loads path.  The caller owns the World (world_free). */
World *scenario_load(const char *path, Errors *errs);
/* As scenario_load, and (when warns is not NULL) also appends to warns what
 * loads but will surprise a class, one line each, "FILE: JSON.path:
 * warning: …" (minet check prints them): a resolver without a root zone, a
 * name server's address no node has, a zone no node serves, a relative name
 * that repeats its zone, "pos" on some nodes only, a key with no effect.
 * Warnings are looked for only in a scenario without problems. */
World *scenario_load_warn(const char *path, Errors *errs, Errors *warns);
/* Loads from memory; name is used in messages and dir resolves zone files. */
World *scenario_load_mem(const char *name, const char *dir, const char *data, size_t len,
                         Errors *errs);
World *scenario_load_mem_warn(const char *name, const char *dir, const char *data, size_t len,
                              Errors *errs, Errors *warns);

/* Writes a copy of the scenario file w was loaded from, with the script
 * lines typed at the classroom view's prompt (ScriptLine.typed) added to
 * its "script", and the lines typed into programs written as their script
 * lines' "input" (ScriptLine.input_typed), to out (whole or not at all: outfile.h).  beside: out is
 * in the same folder as the original, so zone files stay where they are; otherwise the copy names
 * them by absolute path.  False with a message in why. */
bool scenario_save_typed(const World *w, const char *out, bool beside, char *why, size_t size);
/* The same, and with xy (2 numbers a node, each 0..1, NULL for none) every
 * node's "pos" set to where the view shows it (a node dragged in the
 * window stays there). */
bool scenario_save_with(const World *w, const char *out, bool beside, const double *xy, char *why,
                        size_t size);

#endif
