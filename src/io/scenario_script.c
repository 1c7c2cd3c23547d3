/* scenario_script — the scenario's "script": when each command runs, on
 * which node, and the lines typed into it (DESIGN.md, "Programs that read
 * input"), read into World.script and written back when a session is saved. */
#include "io/scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/shell.h"
#include "core/units.h"

static const char *const script_keys[] = {"at", "on", "run", "input", "terminal"};
static const char *const input_keys[] = {"at", "text"};

/* One line of a script line's `input`: a string, or {"at", "text"}. */
static bool load_input_line(Loader *L, const cJSON *v, const Path *p, ScriptInput *out)
{
    out->at = -1;
    out->text = NULL;
    const cJSON *text = v;
    if (cJSON_IsObject(v)) {
        bool *dup = sj_find_duplicates(L, v, p);
        const cJSON *at = NULL;
        text = NULL;
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            if (sj_dup(dup, k))
                continue;
            if (strcmp(c->string, "at") == 0)
                at = c;
            else if (strcmp(c->string, "text") == 0)
                text = c;
            else
                sj_unknown_key(L, c, p, c->string, input_keys, MN_ARRAY_LEN(input_keys));
        }
        free(dup);
        if (!at || !text) {
            sj_err(L, v, p, "missing \"%s\" (expected {\"at\": \"3s\", \"text\": \"QUIT\"})",
                   at ? "text" : "at");
            return false;
        }
        Path ap = sj_field(p, "at");
        if (!sj_get_time(L, at, &ap, &out->at))
            return false;
    }
    Path tp = text == v ? *p : sj_field(p, "text");
    const char *s = sj_get_string(L, text, &tp, "a line the student types, like \"QUIT\"");
    if (!s)
        return false;
    if (strchr(s, '\n') || strchr(s, '\r')) {
        sj_err(L, text, &tp, "a line of input holds a line break (expected one line per item)");
        return false;
    }
    out->text = xstrdup(s);
    return true;
}

static bool load_input(Loader *L, const cJSON *v, const Path *p, ScriptLine *sl)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected the lines typed into the program, like [\"HELO crepes.fr\", "
               "{\"at\": \"5s\", \"text\": \"QUIT\"}, \"^D\"])",
               sj_got(L, v));
        return false;
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    sl->input = xcalloc(n ? n : 1, sizeof *sl->input);
    bool ok = true;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path ip = sj_indexed(p, i);
        ScriptInput in;
        if (load_input_line(L, c, &ip, &in))
            sl->input[sl->n_input++] = in;
        else
            ok = false;
    }
    return ok;
}

static void load_script_line(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!sj_is(v, cJSON_Object)) {
        sj_err(L, v, p,
               "got %s (expected a script line: an object like {\"at\": \"1s\", \"on\": \"pc1\", "
               "\"run\": \"ping 10.0.0.1\"})",
               sj_got(L, v));
        return;
    }
    bool *dup = sj_find_duplicates(L, v, p);
    const cJSON *at = NULL, *on = NULL, *run = NULL, *input = NULL, *terminal = NULL;
    size_t k = 0;
    for (const cJSON *c = v->child; c; c = c->next, k++) {
        if (sj_dup(dup, k))
            continue;
        if (sj_key_is(c->string, "at"))
            at = c;
        else if (sj_key_is(c->string, "on"))
            on = c;
        else if (sj_key_is(c->string, "run"))
            run = c;
        else if (sj_key_is(c->string, "input"))
            input = c;
        else if (sj_key_is(c->string, "terminal"))
            terminal = c;
        else
            sj_unknown_key(L, c, p, c->string, script_keys, MN_ARRAY_LEN(script_keys));
    }
    free(dup);
    bool ok = true;
    int64_t term = 1;
    if (terminal) {
        Path tp = sj_field(p, "terminal");
        ok &= sj_get_int(L, terminal, &tp, 1, 9, "a terminal of the node: 1 (the first), 2, … 9",
                         &term);
    }
    SimTime t = 0;
    if (!at) {
        if (!sj_typo_for(v, "at", script_keys, MN_ARRAY_LEN(script_keys)))
            sj_err(L, v, p, "missing \"at\" (expected the time the line runs, like \"1s\")");
        ok = false;
    } else {
        Path ap = sj_field(p, "at");
        ok &= sj_get_time(L, at, &ap, &t);
    }
    int node = -1;
    if (on) {
        Path op = sj_field(p, "on");
        if (L->nodes_ok) {
            node = scenario_ref_node(L, on, &op, NULL);
            ok &= node >= 0;
        } else {
            ok = false;
            sj_get_string(L, on, &op, "a node id from \"nodes\"");
        }
    }
    size_t n_progs;
    const char *const *progs = shell_programs(&n_progs);
    const char *line = NULL;
    ShellKind kind = SHELL_EMPTY;
    CmdList list = {NULL, 0}; /* the line's parse, kept for its run */
    if (!run) {
        if (!sj_typo_for(v, "run", script_keys, MN_ARRAY_LEN(script_keys)))
            sj_err(L, v, p, "missing \"run\" (expected the command to run, like \"%s …\")",
                   n_progs ? progs[0] : "ping");
        ok = false;
    } else {
        Path rp = sj_field(p, "run");
        line = sj_get_string(L, run, &rp, "a command, as a student would type it");
        ok &= line != NULL;
        char prog[64];
        kind = line ? shell_classify_parsed(line, prog, sizeof prog, &list) : SHELL_EMPTY;
        if (!line) {
            /* reported */
        } else if (kind == SHELL_EMPTY && shell_comment_only(line)) {
            /* the console shows it, a note for students */
        } else if (kind == SHELL_EMPTY) {
            sj_err(L, run, &rp,
                   "the command is empty (expected a program, one of %s, or a fault: down or up)",
                   sj_join(L, progs, n_progs));
            ok = false;
        } else if (kind == SHELL_UNKNOWN) {
            sj_err(L, run, &rp, "unknown program %s (expected one of %s%s)", sj_q(L, prog),
                   sj_join(L, progs, n_progs), sj_suggest(L, prog, progs, n_progs, NULL));
            ok = false;
        } else if (kind == SHELL_FAULT) {
            char why[512];
            ShellFault f;
            if (L->nodes_ok && L->links_ok && !shell_fault_parse(w, line, &f, why, sizeof why)) {
                sj_err(L, run, &rp, "%s", sj_sanitize(L, why));
                ok = false;
            }
        } else if (!on) {
            if (!sj_typo_for(v, "on", script_keys, MN_ARRAY_LEN(script_keys)))
                sj_err(L, v, p, "missing \"on\" (expected the id of the node that runs %s)",
                       sj_q(L, prog));
            ok = false;
        }
    }
    if (terminal && kind == SHELL_FAULT) {
        Path tp = sj_field(p, "terminal");
        sj_err(L, terminal, &tp,
               "a fault is not typed into a terminal (expected \"terminal\" only with a "
               "program)");
        ok = false;
    }
    /* Made in its place in the script, which counts it only if it loads. */
    ScriptLine *sl = &w->script[w->n_script];
    *sl = (ScriptLine){.at = t,
                       .node = node,
                       .index = p->index,
                       .terminal = (int)term,
                       .parsed = list.p,
                       .n_parsed = list.n};
    if (input) {
        Path inp = sj_field(p, "input");
        ok &= load_input(L, input, &inp, sl);
    }
    if (!ok) {
        for (size_t i = 0; i < sl->n_input; i++)
            free(sl->input[i].text);
        free(sl->input);
        cmdline_list_fini(&list);
        return;
    }
    sl->run = line; /* in the World's strings */
    w->n_script++;
}

typedef struct TimeIdx {
    SimTime at;
    size_t idx;
} TimeIdx;

/* Sorts the script by time; lines at the same time keep file order. */
void scenario_sort_script(World *w)
{
    size_t i = 1;
    while (i < w->n_script && w->script[i - 1].at <= w->script[i].at)
        i++;
    if (i >= w->n_script) /* in time order already, as most scripts are written */
        return;
    /* The lines' times and places are sorted, not the lines (80 bytes). */
    TimeIdx *t = xmalloc(w->n_script * sizeof *t);
    for (i = 0; i < w->n_script; i++)
        t[i] = (TimeIdx){w->script[i].at, i};
    sort_by_key(t, w->n_script, sizeof *t, offsetof(TimeIdx, at), sizeof(SimTime));
    ScriptLine *sorted = xmalloc(w->n_script * sizeof *sorted);
    for (i = 0; i < w->n_script; i++)
        sorted[i] = w->script[t[i].idx];
    free(w->script);
    w->script = sorted;
    free(t);
}

void scenario_load_script(Loader *L, const cJSON *v, const Path *p)
{
    World *w = L->w;
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected a list of script lines, like [{\"at\": \"1s\", \"on\": \"pc1\", "
               "\"run\": \"ping 10.0.0.1\"}])",
               sj_got(L, v));
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    w->script = xmalloc((n ? n : 1) * sizeof *w->script); /* each line is written as it loads */
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        Path sp = sj_indexed(p, i);
        load_script_line(L, c, &sp);
    }
}

/* ---- saving ------------------------------------------------------------- */

/* A time in seconds that the loader reads back exactly: "5s",
 * "20.004004s" (the loader's decimals are exact to the microsecond). */
static void exact_time(SimTime t, char *buf, size_t size)
{
    unsigned long long s = (unsigned long long)(t / 1000000),
                       us = (unsigned long long)(t % 1000000);
    if (us == 0) {
        snprintf(buf, size, "%llus", s);
        return;
    }
    int digits = 6;
    while (us % 10 == 0) {
        us /= 10;
        digits--;
    }
    snprintf(buf, size, "%llu.%0*llus", s, digits, us);
}

/* A script line's input as the loader reads it: a string for a line typed
 * by the typing rule, {"at", "text"} for one typed at a set time. */
static cJSON *input_json(const ScriptLine *s)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < s->n_input; i++) {
        const ScriptInput *in = &s->input[i];
        if (in->at < 0) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(in->text));
            continue;
        }
        char at[32];
        exact_time(in->at, at, sizeof at);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "at", at);
        cJSON_AddStringToObject(o, "text", in->text);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

void scenario_save_typed_input(const World *w, cJSON *script)
{
    for (size_t i = 0; i < w->n_script; i++) {
        const ScriptLine *s = &w->script[i];
        if (s->typed || !s->input_typed || s->own_run)
            continue;
        cJSON *item = cJSON_GetArrayItem(script, (int)s->index);
        if (!cJSON_IsObject(item))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(item, "input");
        cJSON_AddItemToObject(item, "input", input_json(s));
    }
}

void scenario_save_script_line(const World *w, cJSON *script, const ScriptLine *s)
{
    char at[32];
    exact_time(s->at, at, sizeof at);
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "at", at);
    if (s->node >= 0)
        cJSON_AddStringToObject(line, "on", w->nodes[s->node].id);
    cJSON_AddStringToObject(line, "run", s->run);
    if (s->terminal > 1)
        cJSON_AddNumberToObject(line, "terminal", s->terminal);
    if (s->n_input)
        cJSON_AddItemToObject(line, "input", input_json(s));
    /* In time order: before the first line of the file that runs later
     * (the loader would sort it there anyway; a teacher reads it). */
    int pos = 0;
    const cJSON *item = script->child;
    for (; item; item = item->next, pos++) {
        const cJSON *when = cJSON_GetObjectItemCaseSensitive(item, "at");
        SimTime t;
        const char *why_not;
        if (cJSON_IsString(when) && units_parse_time(when->valuestring, &t, &why_not) && t > s->at)
            break;
    }
    /* Moved by hand: cJSON 1.7.15's cJSON_InsertItemInArray refuses to
     * insert into a parsed array. */
    cJSON *later = cJSON_CreateArray();
    while (item && cJSON_GetArraySize(script) > pos)
        cJSON_AddItemToArray(later, cJSON_DetachItemFromArray(script, pos));
    cJSON_AddItemToArray(script, line);
    while (cJSON_GetArraySize(later) > 0)
        cJSON_AddItemToArray(script, cJSON_DetachItemFromArray(later, 0));
    cJSON_Delete(later);
}
