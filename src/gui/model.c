#include "gui/model.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sim.h"
#include "gui/layout.h"
#include "io/scenario.h"
#include "net/net.h"
#include "proto/dissect.h"
#include "proto/agents.h"
#include "apps/shell.h"

/* ---- kinds ------------------------------------------------------------- */

ModelKind model_kind_of(const World *w, int node)
{
    return roles_icon(w, node);
}

const char *model_kind_name(ModelKind k)
{
    return roles_icon_name(k);
}

/* ---- frames ------------------------------------------------------------ */

void model_describe_frame(struct DissectCtx *dc, const uint8_t *frame, size_t len,
                          const char **proto, bool *response, char *label, size_t size)
{
    *proto = dissect_label(dc, frame, len, label, size, response);
}

/* ---- arithmetic -------------------------------------------------------- */

double model_hop_frac(const ModelHop *h, double t)
{
    if (t <= (double)h->send || t > (double)h->arrive)
        return -1.0;
    if (h->arrive == h->send)
        return 1.0;
    return (t - (double)h->send) / (double)(h->arrive - h->send);
}

void model_hops_near(const Model *m, double t, size_t *lo, size_t *hi)
{
    size_t a = 0, b = m->n_hops; /* the first hop sent at or after t */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if ((double)m->hops[mid].send < t)
            a = mid + 1;
        else
            b = mid;
    }
    *hi = a;
    while (a > 0 && (double)m->hops[a - 1].send >= t - (double)m->longest)
        a--;
    *lo = a;
}

uint32_t model_step_at(const Model *m, double t)
{
    size_t lo = 0, hi = m->n_steps; /* count of steps with time < t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)m->steps[mid].time < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

SimTime model_step_start(const Model *m, uint32_t k)
{
    if (m->n_steps == 0)
        return 0;
    if (k == 0)
        return m->steps[0].time;
    if (k > m->n_steps)
        k = (uint32_t)m->n_steps;
    return m->steps[k - 1].time;
}

SimTime model_step_end(const Model *m, uint32_t k)
{
    if (k >= m->n_steps)
        return m->end;
    return m->step_end[k];
}

static bool status_down(const Model *m, bool is_link, int index, uint32_t step, double t)
{
    bool down = false;
    for (size_t i = 0; i < m->n_status && (double)m->status[i].time <= t; i++) {
        const ModelStatus *s = &m->status[i];
        if (s->is_link == is_link && s->index == index && s->step <= step)
            down = !s->up;
    }
    return down;
}

bool model_node_down(const Model *m, int node, uint32_t step, double t)
{
    return status_down(m, false, node, step, t);
}

bool model_link_down(const Model *m, int link, uint32_t step, double t)
{
    return status_down(m, true, link, step, t);
}

/* ---- loading ----------------------------------------------------------- */

static void add_hop(Model *m, size_t *cap, const TraceRec *r)
{
    m->hops = xgrow(m->hops, cap, m->n_hops + 1, sizeof *m->hops);
    ModelHop *h = &m->hops[m->n_hops++];
    memset(h, 0, sizeof *h);
    h->send = r->time;
    h->arrive = r->arrive;
    h->pkt = r->pkt;
    h->step = r->step;
    h->from = r->node;
    h->to = r->peer;
    h->link = r->link;
    if (r->arrive - r->time > m->longest)
        m->longest = r->arrive - r->time;
    /* labelling the frame shows it to the context, in trace order */
    model_describe_frame(m->dissect, r->bytes, r->len, &h->proto, &h->response, h->label,
                         sizeof h->label);
}

/* The hop a drop ends: the packet's latest hop on that link arriving at
 * the drop's moment.  -1 for drops inside a node. */
static int drop_hop(const Model *m, const TraceRec *r)
{
    if (r->link < 0)
        return -1;
    for (size_t i = m->n_hops; i-- > 0;) {
        const ModelHop *h = &m->hops[i];
        if (h->pkt == r->pkt && h->link == r->link && h->arrive == r->time)
            return (int)i;
    }
    return -1;
}

/* The step a console, state or drop record is shown with (ModelRef): the
 * note made at the same moment right after it, if there is one. */
static uint32_t shown_step(const Trace *t, size_t i)
{
    const TraceRec *r = &t->recs[i];
    for (size_t j = i + 1; j < t->n && t->recs[j].time == r->time; j++) {
        TraceKind k = t->recs[j].kind;
        if (k == TR_NOTE)
            return t->recs[j].step;
        if (k != TR_CONSOLE && k != TR_STATE && k != TR_DROP)
            break;
    }
    return r->step;
}

static void add_drop(Model *m, size_t *cap, const TraceRec *r, uint32_t step)
{
    m->drops = xgrow(m->drops, cap, m->n_drops + 1, sizeof *m->drops);
    ModelDrop *d = &m->drops[m->n_drops++];
    d->time = r->time;
    d->step = step;
    d->pkt = r->pkt;
    d->node = r->node;
    d->link = r->link;
    d->reason = r->reason;
    d->hop = drop_hop(m, r);
    if (d->hop >= 0) {
        ModelHop *h = &m->hops[d->hop];
        h->lost = true;
        h->lost_step = step;
        /* A down receiver loses it at its door; a lossy link on the way. */
        h->lost_at = d->reason == DROP_NODE_DOWN ? 0.85 : 0.5;
    }
}

static void add_status(Model *m, size_t *cap, const TraceRec *r, uint32_t step)
{
    bool is_link = strcmp(r->table, "link") == 0;
    if (!is_link && strcmp(r->table, "status") != 0)
        return;
    int index = r->node;
    if (is_link) {
        index = -1;
        char label[160];
        for (size_t i = 0; i < m->world->n_links && index < 0; i++) {
            net_link_label(m->world, (int)i, label, sizeof label);
            if (r->key && strcmp(label, r->key) == 0)
                index = (int)i;
        }
    }
    if (index < 0)
        return;
    m->status = xgrow(m->status, cap, m->n_status + 1, sizeof *m->status);
    ModelStatus *s = &m->status[m->n_status++];
    s->time = r->time;
    s->step = step;
    s->is_link = is_link;
    s->index = index;
    s->up = strcmp(r->op, "up") == 0;
}

static void add_ref(ModelRef **a, size_t *n, size_t *cap, size_t i, uint32_t step)
{
    *a = xgrow(*a, cap, *n + 1, sizeof **a);
    (*a)[(*n)++] = (ModelRef){i, step};
}

bool model_ref_shown(const Model *m, const ModelRef *ref, uint32_t step, double t)
{
    return ref->step <= step && (double)m->sim->trace.recs[ref->rec].time <= t;
}

typedef struct PktHop {
    uint64_t pkt;
    SimTime send;
    int hop;
} PktHop;

static int pkt_hop_cmp(const void *a, const void *b)
{
    const PktHop *x = a, *y = b;
    if (x->pkt != y->pkt)
        return x->pkt < y->pkt ? -1 : 1;
    if (x->send != y->send)
        return x->send < y->send ? -1 : 1;
    return (x->hop > y->hop) - (x->hop < y->hop);
}

/* For each step, the first hop of the packet its note explains, sent at or
 * after the note: hops sorted by (packet, send time), one binary search a
 * step. */
static void step_hops(Model *m)
{
    m->step_hop = xmalloc((m->n_steps ? m->n_steps : 1) * sizeof *m->step_hop);
    PktHop *ph = xmalloc((m->n_hops ? m->n_hops : 1) * sizeof *ph);
    for (size_t i = 0; i < m->n_hops; i++)
        ph[i] = (PktHop){m->hops[i].pkt, m->hops[i].send, (int)i};
    qsort(ph, m->n_hops, sizeof *ph, pkt_hop_cmp);
    for (size_t k = 0; k < m->n_steps; k++) {
        const ModelStep *st = &m->steps[k];
        PktHop want = {st->pkt, st->time, -1};
        size_t lo = 0, hi = m->n_hops;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pkt_hop_cmp(&ph[mid], &want) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        m->step_hop[k] = st->pkt && lo < m->n_hops && ph[lo].pkt == st->pkt ? ph[lo].hop : -1;
    }
    free(ph);
}

/* The nodes in the order they first send or receive a packet, then the
 * ones that never do, in scenario order: the order the map places their
 * labels in (the lesson's nodes get the best places). */
static void label_order(Model *m)
{
    size_t n = m->world->n_nodes;
    free(m->label_order);
    m->label_order = xmalloc((n ? n : 1) * sizeof *m->label_order);
    bool *seen = xcalloc(n + 1, sizeof *seen);
    size_t k = 0;
    for (size_t i = 0; i < m->n_hops && k < n; i++) {
        int ends[2] = {m->hops[i].from, m->hops[i].to};
        for (int e = 0; e < 2; e++)
            if (ends[e] >= 0 && (size_t)ends[e] < n && !seen[ends[e]] &&
                !m->world->nodes[ends[e]].router) {
                seen[ends[e]] = true;
                m->label_order[k++] = ends[e];
            }
    }
    for (size_t i = 0; i < n; i++)
        if (!seen[i])
            m->label_order[k++] = (int)i;
    free(seen);
}

/* Each step's end: its note, its hops' arrivals, its records (those shown
 * with the next step excepted); never before the step before ends. */
static void step_ends(Model *m, const Trace *t)
{
    m->step_end = xcalloc(m->n_steps + 1, sizeof *m->step_end);
    for (size_t k = 1; k <= m->n_steps; k++)
        m->step_end[k] = m->steps[k - 1].time;
    for (size_t i = 0; i < t->n; i++) {
        const TraceRec *r = &t->recs[i];
        uint32_t k = r->step;
        if (r->kind == TR_CONSOLE || r->kind == TR_STATE || r->kind == TR_DROP)
            k = shown_step(t, i);
        if (k == 0 || k > m->n_steps)
            continue;
        SimTime end = r->kind == TR_HOP ? r->arrive : r->time;
        if (end > m->step_end[k])
            m->step_end[k] = end;
    }
    for (size_t k = 1; k <= m->n_steps; k++)
        if (m->step_end[k] < m->step_end[k - 1])
            m->step_end[k] = m->step_end[k - 1];
}

static void fold_trace(Model *m, const Trace *t)
{
    size_t hcap = 0, dcap = 0, scap = 0, ncap = 0, ccap = 0, tcap = 0;
    dissect_ctx_free(m->dissect);
    m->dissect = dissect_ctx_new();
    for (size_t i = 0; i < t->n; i++) {
        const TraceRec *r = &t->recs[i];
        if (r->time > m->end)
            m->end = r->time;
        switch (r->kind) {
        case TR_HOP:
            add_hop(m, &hcap, r);
            m->hops[m->n_hops - 1].rec = i;
            if (r->arrive > m->end)
                m->end = r->arrive;
            break;
        case TR_DROP:
            add_drop(m, &dcap, r, shown_step(t, i));
            break;
        case TR_STATE:
            if (strcmp(r->table, "status") == 0 || strcmp(r->table, "link") == 0)
                add_status(m, &scap, r, shown_step(t, i));
            else
                add_ref(&m->states, &m->n_states, &tcap, i, shown_step(t, i));
            break;
        case TR_CONSOLE:
            add_ref(&m->console, &m->n_console, &ccap, i, shown_step(t, i));
            break;
        case TR_NOTE:
            m->steps = xgrow(m->steps, &ncap, m->n_steps + 1, sizeof *m->steps);
            m->steps[m->n_steps].time = r->time;
            m->steps[m->n_steps].pkt = r->pkt;
            m->steps[m->n_steps].text = r->text;
            m->n_steps++;
            break;
        default:
            break;
        }
    }
    step_ends(m, t);
    step_hops(m);
    label_order(m);
}

/* Runs the scenario as `minet run` does, keeping the trace. */
static Sim *run_kept(World *w)
{
    Sim *sim = xcalloc(1, sizeof *sim);
    sim_init(sim, w->seed, w, true);
    agents_start(sim);
    shell_schedule_script(sim);
    sim_run_until(sim, SIM_TIME_MAX);
    agents_stop(sim);
    return sim;
}

Model *model_load(const char *path, Errors *errs)
{
    World *w = scenario_load(path, errs);
    if (!w)
        return NULL;
    Model *m = xcalloc(1, sizeof *m);
    m->world = w;
    m->kind = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *m->kind);
    for (size_t i = 0; i < w->n_nodes; i++)
        m->kind[i] = model_kind_of(w, (int)i);
    m->x = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *m->x);
    m->y = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *m->y);
    m->layer = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *m->layer);
    layout_compute(w, m->kind, m->x, m->y, m->layer);
    m->sim = run_kept(w);
    fold_trace(m, &m->sim->trace);
    return m;
}

/* Frees what a run derived, keeping the world and the layout. */
static void forget_run(Model *m)
{
    if (m->sim) {
        sim_fini(m->sim);
        free(m->sim);
        m->sim = NULL;
    }
    dissect_ctx_free(m->dissect);
    m->dissect = NULL;
    free(m->steps);
    free(m->hops);
    free(m->drops);
    free(m->status);
    free(m->console);
    free(m->states);
    free(m->step_end);
    free(m->step_hop);
    free(m->label_order);
    m->label_order = NULL;
    m->step_end = NULL;
    m->step_hop = NULL;
    m->steps = NULL;
    m->hops = NULL;
    m->drops = NULL;
    m->status = NULL;
    m->console = m->states = NULL;
    m->n_steps = m->n_hops = m->n_drops = m->n_status = m->n_console = m->n_states = 0;
    m->end = 0;
    m->longest = 0;
}

bool model_add_line(Model *m, SimTime at, int node, const char *line, char *why, size_t size)
{
    World *w = m->world;
    char prog[64];
    switch (shell_classify(line, prog, sizeof prog)) {
    case SHELL_EMPTY:
        if (!shell_comment_only(line)) {
            snprintf(why, size, "%s", "");
            return false;
        }
        /* a note for the class: it shows at the node's prompt, as a
         * script line that is a comment alone does */
        if (node < 0 || (size_t)node >= w->n_nodes) {
            snprintf(why, size, "a comment: no node to show it on (select one first)");
            return false;
        }
        break;
    case SHELL_UNKNOWN:
        snprintf(why, size, "bash: %s: command not found", prog);
        return false;
    case SHELL_FAULT: {
        ShellFault f;
        if (!shell_fault_parse(w, line, &f, why, size))
            return false;
        node = -1;
        break;
    }
    case SHELL_PROGRAM:
        if (node < 0 || (size_t)node >= w->n_nodes) {
            snprintf(why, size, "%s: no node to run it on (select one first)", prog);
            return false;
        }
        break;
    }
    /* After every line at or before `at`: lines at one moment run in order. */
    size_t pos = w->n_script;
    while (pos > 0 && w->script[pos - 1].at > at)
        pos--;
    w->script = xrealloc(w->script, (w->n_script + 1) * sizeof *w->script);
    memmove(&w->script[pos + 1], &w->script[pos], (w->n_script - pos) * sizeof *w->script);
    w->script[pos] =
        (ScriptLine){.at = at, .node = node, .run = xstrdup(line), .own_run = true, .typed = true};
    w->n_script++;
    forget_run(m);
    m->sim = run_kept(w);
    fold_trace(m, &m->sim->trace);
    return true;
}

/* The script line a command record came from: same node, same text, same
 * start (identical lines at one moment on one node: the first). */
/* The script line a command record ran: a line queued behind a running
 * one in its terminal starts later than its `at` (shell.h), so the latest
 * line of that node, terminal and text typed by then. */
static int script_line_of(const World *w, const TraceRec *cmd)
{
    int found = -1;
    for (size_t i = 0; i < w->n_script; i++) {
        const ScriptLine *l = &w->script[i];
        int term = l->terminal > 1 ? l->terminal : 0, rterm = cmd->term > 1 ? cmd->term : 0;
        if (l->node == cmd->node && term == rterm && l->at <= cmd->time &&
            strcmp(l->run, cmd->text) == 0)
            found = (int)i;
    }
    return found;
}

int model_reading(const Model *m, int node, uint32_t step, double t, char *prompt, size_t size)
{
    const TraceRec *recs = m->sim->trace.recs;
    /* The node's "terminal" table (shell.h, proc_set_prompt): the program
     * that set a prompt last and has not ended. */
    const TraceRec *term = NULL;
    for (size_t i = 0; i < m->n_states; i++) {
        const TraceRec *r = &recs[m->states[i].rec];
        if (!model_ref_shown(m, &m->states[i], step, t))
            break;
        if (r->node != node || strcmp(r->table, "terminal") != 0 || !r->key)
            continue;
        if (strcmp(r->op, "add") == 0)
            term = r;
        else if (term && strcmp(term->key, r->key) == 0)
            term = NULL;
    }
    if (prompt && size)
        snprintf(prompt, size, "%s", term && term->text ? term->text : "");
    if (!term)
        return -1;
    const TraceRec *cmd = NULL; /* its command: the latest with that line */
    for (size_t i = 0; i < m->n_console; i++) {
        const TraceRec *r = &recs[m->console[i].rec];
        if (!model_ref_shown(m, &m->console[i], step, t))
            break;
        if (r->node == node && r->term <= 1 && r->stream == CON_COMMAND && r->text &&
            strcmp(r->text, term->key) == 0)
            cmd = r; /* the window's prompt types into the first terminal */
    }
    return cmd ? script_line_of(m->world, cmd) : -1;
}

int model_foreground(const Model *m, int node, uint32_t step, double t)
{
    const TraceRec *recs = m->sim->trace.recs;
    const TraceRec *cmd = NULL;
    for (size_t i = 0; i < m->n_console; i++) {
        const TraceRec *r = &recs[m->console[i].rec];
        if (!model_ref_shown(m, &m->console[i], step, t))
            break;
        if (r->node != node || r->term > 1) /* the first terminal's */
            continue;
        if (r->stream == CON_COMMAND)
            cmd = r;
        else if (cmd && r->stream == CON_EXIT && r->cmd == cmd->cmd)
            cmd = NULL;
    }
    return cmd ? script_line_of(m->world, cmd) : -1;
}

/* Where a line typed at `at` goes in script line `line`'s input: after
 * the lines the run shows typed by then (its command's stdin echoes), and
 * before an end of input (^D) that follows them, since a teacher types
 * into the program while it still reads. */
static size_t typed_by(const Model *m, size_t line, SimTime at)
{
    const ScriptLine *l = &m->world->script[line];
    const TraceRec *recs = m->sim->trace.recs;
    uint64_t cmd = 0;
    size_t echoed = 0;
    for (size_t i = 0; i < m->n_console; i++) {
        const TraceRec *r = &recs[m->console[i].rec];
        if (r->time > at)
            break;
        if (r->node != l->node)
            continue;
        if (r->stream == CON_COMMAND && r->text && script_line_of(m->world, r) == (int)line)
            cmd = r->cmd;
        else if (r->stream == CON_STDIN && cmd && r->cmd == cmd)
            echoed++;
    }
    size_t pos = 0;
    for (size_t seen = 0; pos < l->n_input && seen < echoed; pos++)
        if (strcmp(l->input[pos].text, "^D") != 0)
            seen++;
    return pos;
}

bool model_add_input(Model *m, size_t line, SimTime at, const char *text)
{
    World *w = m->world;
    assert(line < w->n_script);
    ScriptLine *l = &w->script[line];
    if (at < l->at)
        return false;
    size_t pos = typed_by(m, line, at);
    l->input = xrealloc(l->input, (l->n_input + 1) * sizeof *l->input);
    memmove(l->input + pos + 1, l->input + pos, (l->n_input - pos) * sizeof *l->input);
    l->input[pos] = (ScriptInput){at - l->at, xstrdup(text)};
    l->n_input++;
    l->input_typed = true;
    forget_run(m);
    m->sim = run_kept(w);
    fold_trace(m, &m->sim->trace);
    return true;
}

void model_free(Model *m)
{
    if (!m)
        return;
    forget_run(m);
    free(m->kind);
    free(m->x);
    free(m->y);
    free(m->layer);
    world_free(m->world);
    free(m);
}
