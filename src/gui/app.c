#include "gui/app.h"

#include <SDL_image.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/sim.h"
#include "gui/gui.h"
#include "io/outfile.h"
#include "io/scenario.h"
#include "proto/roles.h"

/* ---- the app ----------------------------------------------------------- */

/* A layer by its line's start: a bit in App.sections_open. */
static const char *const section_names[] = {"Frame", "Ethernet", "Internet Protocol",
                                            "User Datagram", "Transmission Control"};
#define SECTION_APP      ((int)MN_ARRAY_LEN(section_names)) /* anything else */
#define SECTIONS_DEFAULT (1u << SECTION_APP)

bool app_init(App *a, Model *m, SDL_Renderer *r, const char *font_dir, char *why, size_t size)
{
    memset(a, 0, sizeof *a);
    a->m = m;
    a->r = r;
    a->v.zoom = 1;
    a->mouse_scale_x = a->mouse_scale_y = 1;
    a->dragging_node = -1;
    a->v.text_scale = 1;
    a->show_events = a->show_console = a->show_inspector = true;
    a->sel_node = a->sel_hop = a->tree_hop = a->sel_field = a->prompt_host = -1;
    a->filter.node = -1;
    a->events_stale = a->events_follow = true;
    a->chart_stale = a->chart_follow = true;
    a->sections_open = SECTIONS_DEFAULT;
    a->v.cache = draw_cache_new();
    player_init(&a->p, m);
    app_sync_view(a);
    if (!text_init(&a->txt, r, font_dir, why, size)) {
        player_fini(&a->p);
        draw_cache_free(a->v.cache);
        a->v.cache = NULL;
        return false;
    }
    app_resize(a);
    return true;
}

void app_fini(App *a)
{
    draw_cache_free(a->v.cache);
    a->v.cache = NULL;
    chart_free(a->chart);
    a->chart = NULL;
    if (a->typing && a->win)
        SDL_StopTextInput();
    dissect_tree_fini(&a->tree);
    event_list_fini(&a->events);
    app_select_row(a, NULL, NULL);
    for (size_t i = 0; i < a->n_row_hits; i++) {
        free(a->row_hits[i].table);
        free(a->row_hits[i].key);
    }
    free(a->row_hits);
    for (size_t i = 0; i < a->n_refused; i++)
        free(a->refused[i].text);
    free(a->refused);
    for (size_t i = 0; i < a->n_history; i++)
        free(a->history[i]);
    free(a->history);
    text_fini(&a->txt);
    player_fini(&a->p);
    model_free(a->m);
    a->m = NULL;
}

/* The caption bar's height for this size, text scale, run and view (the
 * opening description or the steps; computed again only when one of them
 * changes). */
static void fit_caption(App *a)
{
    bool opening = a->p.step == 0;
    if (a->caption_for_w == a->v.w && a->caption_for_h == a->v.h &&
        a->caption_for_ts == a->v.text_scale && a->caption_for_steps == a->m->n_steps &&
        a->caption_for_opening == opening)
        return;
    a->v.caption_h = draw_caption_need(&a->txt, a->m, &a->v, opening);
    a->caption_for_w = a->v.w;
    a->caption_for_h = a->v.h;
    a->caption_for_ts = a->v.text_scale;
    a->caption_for_steps = a->m->n_steps;
    a->caption_for_opening = opening;
}

void app_resize(App *a)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->r, &w, &h);
    a->v.w = w > 0 ? w : 1;
    a->v.h = h > 0 ? h : 1;
    if (a->win) {
        int ww, wh;
        SDL_GetWindowSize(a->win, &ww, &wh);
        a->mouse_scale_x = ww > 0 ? (float)w / (float)ww : 1;
        a->mouse_scale_y = wh > 0 ? (float)h / (float)wh : 1;
    }
    fit_caption(a);
}

/* ---- selection, the prompt, saving ------------------------------------- */

void app_sync_view(App *a)
{
    bool shown = !a->panels_hidden;
    a->v.events = shown && a->show_events;
    a->v.console = shown && a->show_console;
    /* The inspector keeps its column when nothing is selected: the network
     * does not jump aside under the pointer when a node is clicked. */
    a->v.inspector = shown && a->show_inspector;
    a->v.chart = shown ? a->chart_mode : 0;
    a->v.typing = a->typing;
    a->v.inspector_claim = a->inspector_asked && a->v.inspector;
    a->v.right_claim = a->right_asked && (a->v.events || a->v.console);
    a->v.inspector_wide = a->inspect_packet && a->sel_hop >= 0;
    a->v.mark_node = !a->inspect_packet && a->sel_node >= 0 ? a->sel_node + 1 : 0;
    a->v.mark_hop = a->inspect_packet && a->sel_hop >= 0 ? a->sel_hop + 1 : 0;
    /* The chart's width depends on its lifelines: known once it is built. */
    if (a->v.chart)
        panels_chart(a);
}

void app_select_node(App *a, int node)
{
    if (node != a->sel_node)
        app_select_row(a, NULL, NULL);
    a->sel_node = node;
    if (node >= 0 && a->m->world->nodes[node].role == ROLE_HOST)
        a->prompt_host = node;
    a->inspect_packet = false;
    a->inspect_top = 0;
    if (node >= 0)
        a->show_inspector = a->inspector_asked = true;
}

void app_select_row(App *a, const char *table, const char *key)
{
    free(a->sel_table);
    free(a->sel_key);
    a->sel_table = table ? xstrdup(table) : NULL;
    a->sel_key = table && key ? xstrdup(key) : NULL;
}

void app_cycle_row(App *a, int dir)
{
    if (a->sel_node < 0)
        return;
    a->inspect_packet = false;
    a->show_inspector = a->inspector_asked = true;
    Inspect in = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &in);
    /* Every entry of every table, in the order drawn. */
    size_t n = 0, cur = SIZE_MAX;
    for (size_t i = 0; i < in.n; i++)
        for (size_t j = 0; in.s[i].table && j < in.s[i].n; j++, n++)
            if (a->sel_table && strcmp(in.s[i].table, a->sel_table) == 0 &&
                strcmp(in.s[i].rows[j].key, a->sel_key) == 0)
                cur = n;
    if (n > 0) {
        size_t want = cur == SIZE_MAX ? (dir > 0 ? 0 : n - 1) : (cur + n + (size_t)dir) % n, k = 0;
        for (size_t i = 0; i < in.n; i++)
            for (size_t j = 0; in.s[i].table && j < in.s[i].n; j++, k++)
                if (k == want)
                    app_select_row(a, in.s[i].table, in.s[i].rows[j].key);
    }
    inspect_fini(&in);
}

/* ---- the packet tree's sections ---------------------------------------- */

static int section_class(const char *text)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(section_names); i++)
        if (strncmp(text, section_names[i], strlen(section_names[i])) == 0)
            return (int)i;
    return SECTION_APP;
}

/* The layer line a field belongs to, or -1. */
static int section_of(const App *a, int field)
{
    for (int i = field; i >= 0 && i < (int)a->tree.n; i--)
        if (a->tree.f[i].depth == 0)
            return i;
    return -1;
}

bool app_field_shown(const App *a, int field)
{
    if (field < 0 || field >= (int)a->tree.n)
        return false;
    if (a->tree.f[field].depth == 0)
        return true;
    int s = section_of(a, field);
    return s < 0 || (a->sections_open >> section_class(a->tree.f[s].text) & 1u);
}

void app_toggle_section(App *a, int field)
{
    int s = section_of(a, field);
    if (s < 0)
        return;
    a->sections_open ^= 1u << section_class(a->tree.f[s].text);
    if (!app_field_shown(a, a->sel_field))
        a->sel_field = s;
}

void app_select_field(App *a, int field)
{
    int s = section_of(a, field);
    if (s >= 0)
        a->sections_open |= 1u << section_class(a->tree.f[s].text);
    a->sel_field = field;
}

void app_next_section(App *a, int dir)
{
    int n = (int)a->tree.n;
    if (n == 0)
        return;
    int from = a->sel_field < 0 ? (dir > 0 ? -1 : n) : section_of(a, a->sel_field);
    for (int i = from + dir; i >= 0 && i < n; i += dir)
        if (a->tree.f[i].depth == 0) {
            app_select_field(a, i);
            return;
        }
}

void app_toggle_node_filter(App *a)
{
    a->filter.node = a->filter.node >= 0 ? -1 : a->sel_node;
    a->events_stale = true;
}

void app_select_hop(App *a, int hop)
{
    a->sel_hop = hop;
    a->inspect_packet = hop >= 0;
    a->sel_field = -1;
    a->inspect_top = 0;
    if (hop >= 0)
        a->show_inspector = a->inspector_asked = true;
}

int app_prompt_node(const App *a)
{
    if (a->prompt_host >= 0)
        return a->prompt_host;
    for (size_t i = 0; i < a->m->world->n_nodes; i++)
        if (a->m->world->nodes[i].role == ROLE_HOST)
            return (int)i;
    return a->sel_node; /* a network without hosts: the node selected */
}

static void set_status(App *a, const char *fmt, ...) MN_PRINTF(2, 3);
static void set_status(App *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_left = 4;
}

static void add_refused(App *a, SimTime at, const char *text)
{
    a->refused = xgrow(a->refused, &a->refused_cap, a->n_refused + 1, sizeof *a->refused);
    size_t pos = a->n_refused;
    while (pos > 0 && a->refused[pos - 1].time > at)
        pos--;
    memmove(&a->refused[pos + 1], &a->refused[pos], (a->n_refused - pos) * sizeof *a->refused);
    a->refused[pos] = (ConsoleExtra){at, xstrdup(text)};
    a->n_refused++;
}

static void remember(App *a, const char *line)
{
    if (a->n_history && strcmp(a->history[a->n_history - 1], line) == 0) {
        a->history_pos = a->n_history;
        return;
    }
    if (a->n_history == HISTORY_MAX) {
        free(a->history[0]);
        memmove(a->history, a->history + 1, (HISTORY_MAX - 1) * sizeof *a->history);
        a->n_history--;
    }
    a->history = xrealloc(a->history, (a->n_history + 1) * sizeof *a->history);
    a->history[a->n_history++] = xstrdup(line);
    a->history_pos = a->n_history;
}

/* One line: a pasted newline or tab is a blank, as a shell reads it. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t')
            *s = ' ';
}

bool app_run_command(App *a, const char *line)
{
    char buf[PROMPT_MAX + 1];
    const char *src = line ? line : a->prompt;
    size_t n = utf8_prefix(src, strlen(src), PROMPT_MAX);
    memcpy(buf, src, n);
    buf[n] = '\0';
    one_line(buf);
    a->prompt[0] = '\0';
    a->prompt_len = 0;
    a->console_back = 0;
    int node = app_prompt_node(a);
    double t = a->p.t < 0 ? 0 : a->p.t;
    uint32_t step = a->p.step;
    /* A program on the host that reads what is typed gets the line (an
     * empty one too: a blank line means something to SMTP or nc). */
    int reading = node >= 0 ? model_reading(a->m, node, step, t, NULL, 0) : -1;
    const char *s = buf;
    while (*s == ' ')
        s++;
    /* ^C interrupts whatever runs there, as Ctrl+C in a terminal. */
    if (reading < 0 && node >= 0 && strcmp(s, "^C") == 0) {
        reading = model_foreground(a->m, node, step, t);
        if (reading < 0)
            return false; /* bash shows a fresh prompt */
    }
    if (!*s && reading < 0)
        return false;
    remember(a, buf);
    /* Just after the cursor: what happened at its very moment (the step on
     * screen) stays as it was, and the line's own steps come after. */
    SimTime at = (SimTime)floor(t) + 1;
    /* The packet in the inspector, to find it again in the new run. */
    bool had_hop = a->sel_hop >= 0 && (size_t)a->sel_hop < a->m->n_hops;
    ModelHop sel = had_hop ? a->m->hops[a->sel_hop] : (ModelHop){0};
    char why[512];
    if (reading >= 0) /* ^C, ^D, ^] without the blanks around them */
        model_add_input(a->m, (size_t)reading, at, s[0] == '^' && strlen(s) == 2 ? s : buf);
    else if (!model_add_line(a->m, at, node, buf, why, sizeof why)) {
        Buf b;
        buf_init(&b);
        buf_printf(&b, "%s$ %s\n%s\n", node >= 0 ? a->m->world->nodes[node].id : "minet", buf, why);
        /* At the cursor's moment or before it, so it shows at once. */
        add_refused(a, (SimTime)floor(t), b.data);
        buf_fini(&b);
        set_status(a, "%s", why);
        return false;
    }
    /* The model was run again: the trace up to the cursor is the same, the
     * new steps follow it.  Keep the cursor and play them. */
    Player old = a->p;
    player_init(&a->p, a->m);
    a->p.speed = old.speed;
    a->p.pause_on_answer = old.pause_on_answer;
    a->p.pace_hops = old.pace_hops;
    player_fini(&old);
    a->p.step = step;
    a->p.t = t;
    a->p.mode = PLAYER_PLAYING;
    a->events_stale = true;
    a->chart_stale = true;
    a->tree_hop = -1;
    a->unsaved = true;
    a->quit_warned = false;
    /* Hops sent before the command are the same hops in the new run (rule
     * 6); a later one may not exist any more. */
    int found = -1;
    for (size_t i = 0; had_hop && sel.send < at && i < a->m->n_hops && found < 0; i++) {
        const ModelHop *h = &a->m->hops[i];
        if (h->pkt == sel.pkt && h->send == sel.send && h->from == sel.from && h->to == sel.to)
            found = (int)i;
    }
    if (had_hop) {
        int field = a->sel_field;
        bool packet = a->inspect_packet, asked = a->inspector_asked;
        app_select_hop(a, found); /* the same packet followed: not a new request */
        a->inspector_asked = asked;
        a->inspect_packet = packet && found >= 0;
        a->sel_field = found >= 0 ? field : -1;
    }
    return true;
}

bool app_save(App *a, char *path, size_t size)
{
    const World *w = a->m->world;
    size_t typed = 0;
    for (size_t i = 0; i < w->n_script; i++)
        typed += w->script[i].typed || w->script[i].input_typed;
    if (typed == 0 && !a->moved) {
        snprintf(path, size, "nothing typed or moved yet: the scenario is unchanged");
        return false;
    }
    double *xy = NULL;
    if (a->moved) {
        xy = xmalloc((w->n_nodes ? w->n_nodes : 1) * 2 * sizeof *xy);
        for (size_t i = 0; i < w->n_nodes; i++) {
            xy[2 * i] = a->m->x[i];
            xy[2 * i + 1] = a->m->y[i];
        }
    }
    /* SCENARIO-class-N.json beside the original, else in the current folder. */
    const char *slash = strrchr(w->path, '/');
    const char *base = slash ? slash + 1 : w->path;
    size_t dir_len = slash ? (size_t)(slash - w->path) + 1 : 0;
    size_t base_len = strlen(base);
    if (base_len > 5 && strcmp(base + base_len - 5, ".json") == 0)
        base_len -= 5;
    char why[512] = "";
    for (int place = 0; place < 2; place++) {
        bool free_name = false;
        for (int n = 1; n < 1000 && !free_name; n++) {
            int len = snprintf(path, size, "%.*s%.*s-class-%d.json", place == 0 ? (int)dir_len : 0,
                               w->path, (int)base_len, base, n);
            if (len < 0 || (size_t)len >= size) {
                snprintf(path, size, "the scenario's path is too long to save beside it");
                return false;
            }
            free_name = access(path, F_OK) != 0;
        }
        if (!free_name)
            snprintf(why, sizeof why, "%s: -class-1.json to -class-999.json all exist", w->path);
        else if (scenario_save_with(w, path, place == 0 || dir_len == 0, xy, why, sizeof why)) {
            free(xy);
            a->moved = false;
            return true;
        }
        if (dir_len == 0)
            break;
    }
    free(xy);
    snprintf(path, size, "%s", why);
    return false;
}

/* ---- keys -------------------------------------------------------------- */

/* Appends typed or pasted text, whole characters only, up to PROMPT_MAX
 * bytes; what does not fit is left out, and the view says so once. */
static void prompt_append(App *a, const char *text)
{
    for (const char *c = text; *c;) {
        size_t n = 1;
        while (utf8_cont(c[n]))
            n++;
        if (a->prompt_len + n > PROMPT_MAX) {
            if (!a->prompt_cut)
                set_status(a, "A command has at most %d characters: the rest was left out.",
                           PROMPT_MAX);
            a->prompt_cut = true;
            break;
        }
        memcpy(a->prompt + a->prompt_len, c, n);
        a->prompt_len += n;
        c += n;
    }
    a->prompt[a->prompt_len] = '\0';
    one_line(a->prompt);
}

void app_start_typing(App *a, bool on)
{
    a->prompt_cut = false;
    if (on == a->typing)
        return;
    a->typing = on;
    if (on) {
        a->show_console = true;
        a->panels_hidden = false;
        SDL_StartTextInput();
    } else {
        SDL_StopTextInput();
    }
}

static void history_move(App *a, int d)
{
    if (a->n_history == 0)
        return;
    if (d < 0 && a->history_pos > 0)
        a->history_pos--;
    else if (d > 0 && a->history_pos < a->n_history)
        a->history_pos++;
    a->prompt_len = 0;
    a->prompt[0] = '\0';
    if (a->history_pos < a->n_history)
        prompt_append(a, a->history[a->history_pos]);
}

/* Keys while the prompt has the keyboard; false for keys it leaves alone. */
static bool on_prompt_key(App *a, const SDL_KeyboardEvent *k)
{
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    switch (k->keysym.sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        app_run_command(a, NULL);
        return true;
    case SDLK_ESCAPE:
        app_start_typing(a, false);
        return true;
    case SDLK_BACKSPACE:
        while (a->prompt_len > 0 && utf8_cont(a->prompt[a->prompt_len - 1]))
            a->prompt_len--;
        if (a->prompt_len > 0)
            a->prompt_len--;
        a->prompt[a->prompt_len] = '\0';
        a->prompt_cut = false;
        return true;
    case SDLK_UP:
        history_move(a, -1);
        return true;
    case SDLK_DOWN:
        history_move(a, +1);
        return true;
    case SDLK_u:
        if (ctrl) {
            a->prompt_len = 0;
            a->prompt[0] = '\0';
        }
        return true;
    case SDLK_v:
        if (ctrl && SDL_HasClipboardText()) {
            char *clip = SDL_GetClipboardText();
            if (clip)
                prompt_append(a, clip);
            SDL_free(clip);
        }
        return true;
    case SDLK_F1:
    case SDLK_F11:
    case SDLK_PAGEUP:
    case SDLK_PAGEDOWN:
        return false;
    default:
        /* Ctrl+S, Ctrl+= … work while typing; letters arrive as text input. */
        return !ctrl;
    }
}

static void cycle_node(App *a, int d)
{
    int n = (int)a->m->world->n_nodes;
    if (n == 0)
        return;
    int cur = a->inspect_packet || a->sel_node < 0 ? (d > 0 ? -1 : 0) : a->sel_node;
    app_select_node(a, ((cur + d) % n + n) % n);
}

/* K: the current step's packet; pressed again, the next packet on a link
 * at the cursor, so every envelope on screen can be reached without the
 * mouse. */
/* The hop of the current step's packet to show: the one on a link at the
 * cursor, else the latest one sent by then; -1 if none. */
static int step_packet_now(const App *a)
{
    int first = inspect_step_hop(a->m, a->p.step);
    if (first < 0)
        return -1;
    uint64_t pkt = a->m->hops[first].pkt;
    int latest = first;
    for (size_t i = (size_t)first; i < a->m->n_hops && (double)a->m->hops[i].send < a->p.t; i++) {
        if (a->m->hops[i].pkt != pkt)
            continue;
        if (model_hop_frac(&a->m->hops[i], a->p.t) >= 0)
            return (int)i;
        latest = (int)i;
    }
    return latest;
}

static void inspect_step_packet(App *a)
{
    int first = step_packet_now(a), hop = -1;
    if (a->inspect_packet && a->sel_hop >= 0) {
        for (size_t i = (size_t)a->sel_hop + 1; hop < 0 && i < a->m->n_hops; i++)
            if (model_hop_frac(&a->m->hops[i], a->p.t) >= 0 && (int)i != first)
                hop = (int)i;
    }
    if (hop < 0 && first >= 0 && !(a->inspect_packet && a->sel_hop == first))
        hop = first;
    for (size_t i = 0; hop < 0 && i < a->m->n_hops; i++)
        if (model_hop_frac(&a->m->hops[i], a->p.t) >= 0)
            hop = (int)i;
    if (hop >= 0)
        app_select_hop(a, hop);
    else
        set_status(a, "No packet in this step.");
}

static void zoom_by(App *a, double f)
{
    double z = fmin(8, fmax(0.25, a->v.zoom * f));
    /* Zoom about the centre of the network area. */
    a->v.pan_x *= z / a->v.zoom;
    a->v.pan_y *= z / a->v.zoom;
    a->v.zoom = z;
}

static void scale_text(App *a, double f)
{
    a->v.text_scale = f == 0 ? 1 : fmin(TEXT_SCALE_MAX, fmax(TEXT_SCALE_MIN, a->v.text_scale * f));
}

static void toggle_fullscreen(App *a)
{
    if (a->win) {
        bool full = (SDL_GetWindowFlags(a->win) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
        SDL_SetWindowFullscreen(a->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
    }
}

/* Q (or Esc with nothing open): typed commands not saved are lost, so
 * the first press says so and the second quits. */
static void ask_quit(App *a)
{
    if (a->unsaved && !a->quit_warned) {
        a->quit_warned = true;
        set_status(a, "The typed commands are not saved: Ctrl+S saves them, Q again quits.");
        return;
    }
    a->quit = true;
}

/* E or C: the panel shows if it was not on screen, else it goes.  The
 * chart beside the map holds the event list's and console's column: it
 * goes away and gives the column back.  In the map's place the chart may
 * hold that column too, for lifelines: it gives it back and shows the
 * lifelines around the current step (+N more) until S moves it again. */
static void show_right_panel(App *a, bool events)
{
    bool *want = events ? &a->show_events : &a->show_console;
    DrawRects d;
    draw_rects(&a->v, &d);
    const SDL_Rect *r = events ? &d.events : &d.console;
    bool seen = !a->panels_hidden && *want && r->w > 0 && r->h > 0;
    if (a->chart_mode == 1) {
        *want = true;
        a->chart_mode = 0;
    } else {
        *want = !seen;
        if (!seen && a->chart_mode == 2)
            a->right_asked = true;
    }
    a->panels_hidden = false;
}

static void on_escape(App *a)
{
    if (a->help)
        a->help = false;
    else if (a->inspect_packet ? a->sel_hop >= 0 : a->sel_node >= 0)
        a->inspect_packet ? app_select_hop(a, -1) : app_select_node(a, -1);
    else
        ask_quit(a);
}

static void on_ctrl_key(App *a, SDL_Keycode sym)
{
    char path[1024];
    switch (sym) {
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        scale_text(a, 1.15);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        scale_text(a, 1 / 1.15);
        break;
    case SDLK_0:
    case SDLK_KP_0:
        scale_text(a, 0);
        break;
    case SDLK_s:
        if (app_save(a, path, sizeof path)) {
            set_status(a, "Saved to %s", path);
            a->unsaved = false;
        } else
            set_status(a, "Not saved: %s", path);
        break;
    default:
        break;
    }
}

static void on_key(App *a, const SDL_KeyboardEvent *k)
{
    if (a->typing && on_prompt_key(a, k))
        return;
    bool shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    if (k->keysym.mod & KMOD_CTRL) {
        on_ctrl_key(a, k->keysym.sym);
        return;
    }
    if (k->keysym.mod & KMOD_ALT) { /* Alt+arrows pan the network */
        double step = 40 * fmin(a->v.w / 1280.0, a->v.h / 720.0);
        switch (k->keysym.sym) {
        case SDLK_LEFT:
            a->v.pan_x += step;
            return;
        case SDLK_RIGHT:
            a->v.pan_x -= step;
            return;
        case SDLK_UP:
            a->v.pan_y += step;
            return;
        case SDLK_DOWN:
            a->v.pan_y -= step;
            return;
        default:
            break;
        }
    }
    switch (k->keysym.sym) {
    case SDLK_SPACE:
        player_toggle_play(&a->p);
        break;
    case SDLK_RIGHT:
        shift ? player_next_hop(&a->p) : player_next_step(&a->p);
        break;
    case SDLK_LEFT:
        shift ? player_prev_hop(&a->p) : player_prev_step(&a->p);
        break;
    case SDLK_UP:
    case SDLK_DOWN: {
        int d = k->keysym.sym == SDLK_UP ? -1 : 1;
        if (a->v.inspector && a->inspect_packet) {
            int f = a->sel_field + d;
            while (f >= 0 && f < (int)a->tree.n && !app_field_shown(a, f))
                f += d;
            if (f >= 0 && f < (int)a->tree.n)
                a->sel_field = f;
        } else {
            d < 0 ? player_prev_step(&a->p) : player_next_step(&a->p);
        }
        break;
    }
    case SDLK_HOME:
        player_home(&a->p);
        break;
    case SDLK_END:
        player_end(&a->p);
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        player_scale_speed(&a->p, 2);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        player_scale_speed(&a->p, 0.5);
        break;
    case SDLK_0:
        a->p.speed = PLAYER_SPEED_DEFAULT;
        a->v.zoom = 1;
        a->v.pan_x = a->v.pan_y = 0;
        break;
    case SDLK_p:
        a->p.pause_on_answer = !a->p.pause_on_answer;
        break;
    case SDLK_t:
        a->v.dark = !a->v.dark;
        break;
    case SDLK_f:
    case SDLK_F11:
        toggle_fullscreen(a);
        break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        app_start_typing(a, true);
        break;
    case SDLK_n:
        cycle_node(a, shift ? -1 : 1);
        break;
    case SDLK_k:
        inspect_step_packet(a);
        break;
    case SDLK_r:
        app_cycle_row(a, shift ? -1 : 1);
        break;
    case SDLK_e:
    case SDLK_c:
        show_right_panel(a, k->keysym.sym == SDLK_e);
        break;
    case SDLK_i:
        a->show_inspector = !a->show_inspector;
        a->inspector_asked = a->show_inspector;
        a->panels_hidden = false;
        break;
    case SDLK_TAB:
        /* With a packet open: its next layer; else every panel away. */
        if (a->v.inspector && a->inspect_packet && a->sel_hop >= 0 && a->tree.n)
            app_next_section(a, shift ? -1 : 1);
        else
            a->panels_hidden = !a->panels_hidden;
        break;
    case SDLK_v:
        panels_cycle_proto(a);
        break;
    case SDLK_h:
        a->p.pace_hops = !a->p.pace_hops;
        set_status(a, "%s",
                   a->p.pace_hops ? "hop pace: each step as long as its packets take"
                                  : "reading pace: each caption stays long enough to read");
        break;
    case SDLK_s:
        /* The chart: beside the map, in its place, off. */
        a->chart_mode = (a->chart_mode + 1) % 3;
        /* The chart moved: it takes the room it needs again. */
        a->inspector_asked = a->right_asked = false;
        a->chart_follow = true;
        a->panels_hidden = false;
        break;
    case SDLK_b:
        app_toggle_node_filter(a);
        break;
    case SDLK_x:
        a->filter.hops = !a->filter.hops;
        a->events_stale = true;
        break;
    case SDLK_PAGEUP:
        if (shift)
            a->inspect_top = a->inspect_top > 5 ? a->inspect_top - 5 : 0;
        else
            a->console_back += 5;
        break;
    case SDLK_PAGEDOWN:
        if (shift)
            a->inspect_top += 5;
        else
            a->console_back = a->console_back > 5 ? a->console_back - 5 : 0;
        break;
    case SDLK_RIGHTBRACKET:
        zoom_by(a, 1.25);
        break;
    case SDLK_LEFTBRACKET:
        zoom_by(a, 1 / 1.25);
        break;
    case SDLK_F1:
    case SDLK_QUESTION:
        a->help = !a->help;
        break;
    case SDLK_SLASH:
        if (shift)
            a->help = !a->help;
        break;
    case SDLK_q:
        ask_quit(a);
        break;
    case SDLK_ESCAPE:
        on_escape(a);
        break;
    default:
        break;
    }
    app_sync_view(a);
}

/* The step under x on the timeline (the timeline draws step k in the k-th
 * of n equal parts). */
static void timeline_jump(App *a, int x)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double x0 = 24 * d.ui, x1 = d.timeline.w - 24 * d.ui;
    double f = (x - x0) / (x1 - x0);
    f = fmin(1, fmax(0, f));
    player_goto_step(&a->p, (uint32_t)ceil(f * (double)a->m->n_steps));
}

/* The node under (x, y), within its icon's radius, or -1. */
static int node_at(const App *a, int x, int y)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double reach = 22 * d.ui * (a->v.zoom > 0 ? a->v.zoom : 1), best = reach * reach;
    int found = -1;
    for (size_t i = 0; i < a->m->world->n_nodes; i++) {
        double nx, ny;
        draw_node_xy(a->m, &a->v, (int)i, &nx, &ny);
        double dd = (nx - x) * (nx - x) + (ny - y) * (ny - y);
        if (dd <= best) {
            best = dd;
            found = (int)i;
        }
    }
    return found;
}

/* Moves a node by (dx, dy) screen pixels: the inverse of draw_node_xy's
 * scaling, so the icon follows the pointer. */
static void move_node(App *a, int node, int dx, int dy)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    double zoom = a->v.zoom > 0 ? a->v.zoom : 1;
    double w = d.net.w - 180 * d.ui, h = d.net.h - 74 * d.ui;
    if (w <= 0 || h <= 0)
        return;
    a->m->x[node] = fmin(1, fmax(0, a->m->x[node] + dx / (w * zoom)));
    a->m->y[node] = fmin(1, fmax(0, a->m->y[node] + dy / (h * zoom)));
    if (dx || dy) {
        a->moved = true;
        a->unsaved = true;
    }
}

static void on_mouse(App *a, const SDL_Event *e)
{
    DrawRects d;
    draw_rects(&a->v, &d);
    int x = 0, y = 0;
    if (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) {
        x = (int)(e->button.x * a->mouse_scale_x);
        y = (int)(e->button.y * a->mouse_scale_y);
    } else if (e->type == SDL_MOUSEMOTION) {
        x = (int)(e->motion.x * a->mouse_scale_x);
        y = (int)(e->motion.y * a->mouse_scale_y);
    }
    switch (e->type) {
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT)
            break;
        if (a->typing && !rect_has(&d.console, x, y))
            app_start_typing(a, false);
        if (panels_click(a, x, y))
            break;
        if (rect_has(&d.timeline, x, y)) {
            a->dragging_timeline = true;
            timeline_jump(a, x);
        } else if (rect_has(&d.net, x, y)) {
            a->dragging_node = node_at(a, x, y);
            int hop = draw_packet_at(a->m, &a->v, a->p.t, x, y);
            if (hop >= 0 && a->dragging_node >= 0) {
                /* An envelope arriving at a node: the nearer wins. */
                double nx, ny, px, py;
                draw_node_xy(a->m, &a->v, a->dragging_node, &nx, &ny);
                draw_packet_xy(a->m, &a->v, &a->m->hops[hop], a->p.t, &px, &py);
                if ((px - x) * (px - x) + (py - y) * (py - y) <
                    (nx - x) * (nx - x) + (ny - y) * (ny - y))
                    a->dragging_node = -1;
                else
                    hop = -1;
            }
            if (a->dragging_node >= 0)
                app_select_node(a, a->dragging_node);
            else if (hop >= 0)
                app_select_hop(a, hop);
            a->dragging_pan = a->dragging_node < 0 && hop < 0;
        }
        break;
    case SDL_MOUSEBUTTONUP:
        app_sync_view(a);
        a->dragging_pan = a->dragging_timeline = false;
        a->dragging_node = -1;
        break;
    case SDL_MOUSEMOTION:
        if (a->dragging_timeline)
            timeline_jump(a, x);
        else if (a->dragging_node >= 0)
            move_node(a, a->dragging_node, x - a->last_x, y - a->last_y);
        else if (a->dragging_pan) {
            a->v.pan_x += x - a->last_x;
            a->v.pan_y += y - a->last_y;
        }
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        if (panels_wheel(a, (int)(mx * a->mouse_scale_x), (int)(my * a->mouse_scale_y), e->wheel.y))
            break;
        zoom_by(a, e->wheel.y > 0 ? 1.15 : e->wheel.y < 0 ? 1 / 1.15 : 1);
        break;
    }
    default:
        break;
    }
    if (e->type != SDL_MOUSEWHEEL) {
        a->last_x = x;
        a->last_y = y;
    }
}

void app_handle_event(App *a, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT: /* the window's close button: the same care as Q */
        ask_quit(a);
        break;
    case SDL_KEYDOWN:
        on_key(a, &e->key);
        break;
    case SDL_TEXTINPUT:
        if (a->typing)
            prompt_append(a, e->text.text);
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        draw_cache_reset(a->v.cache);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESIZED)
            app_resize(a);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEMOTION:
    case SDL_MOUSEWHEEL:
        on_mouse(a, e);
        break;
    default:
        break;
    }
}

void app_frame(App *a, double seconds)
{
    player_tick(&a->p, seconds);
    a->status_left -= seconds;
    app_sync_view(a);
    fit_caption(a);
    draw_frame(a->r, &a->txt, a->m, &a->p, &a->v);
    panels_draw(a);
}

/* ---- the window -------------------------------------------------------- */

static Model *load_model(const char *path)
{
    Errors errs;
    errors_init(&errs);
    Model *m = model_load(path, &errs);
    errors_print(&errs, stderr);
    errors_fini(&errs);
    return m;
}

static bool display_available(void)
{
    const char *asked = getenv("SDL_VIDEODRIVER");
    bool user_asked = asked && *asked;
    /* No X11 or Wayland display and no driver asked for: there is no
     * screen, and asking SDL would only make it print warnings. */
    const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    if (!user_asked && !(x11 && *x11) && !(wayland && *wayland))
        return false;
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return false;
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!user_asked && drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0)) {
        SDL_Quit();
        return false;
    }
    return true;
}

static void loop(App *a)
{
    Uint64 freq = SDL_GetPerformanceFrequency(), last = SDL_GetPerformanceCounter();
    while (!a->quit) {
        SDL_Event e;
        bool idle = a->p.mode == PLAYER_PAUSED;
        /* Paused, nothing changes until an event: sleep in the wait. */
        if (idle && SDL_WaitEventTimeout(&e, 250))
            app_handle_event(a, &e);
        while (SDL_PollEvent(&e))
            app_handle_event(a, &e);
        Uint64 now = SDL_GetPerformanceCounter();
        double dt = (double)(now - last) / (double)freq;
        last = now;
        app_frame(a, fmin(dt, 0.1));
        SDL_RenderPresent(a->r);
    }
}

/* Is the renderer OpenGL running on Mesa's CPU rasterizers (a machine or
 * a course VM without a GPU)?  Only when the user chose no driver. */
static bool software_gl(SDL_Renderer *r)
{
    SDL_RendererInfo info;
    const char *asked = getenv("SDL_RENDER_DRIVER");
    if ((asked && *asked) || getenv("SDL_FRAMEBUFFER_ACCELERATION") ||
        SDL_GetRendererInfo(r, &info) != 0 || strncmp(info.name, "opengl", 6) != 0)
        return false;
    typedef const unsigned char *(*GetString)(unsigned int);
    GetString get = (GetString)(uintptr_t)SDL_GL_GetProcAddress("glGetString");
    const unsigned int GL_RENDERER_ENUM = 0x1F01; /* GL_RENDERER */
    const char *name = get ? (const char *)get(GL_RENDERER_ENUM) : NULL;
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") ||
                    strstr(name, "Software Rasterizer") || strstr(name, "SWR"));
}

/* --field TEXT: the line of step's packet that starts with field, and the
 * packet's hop; -1 with a message on stderr if there is none. */
static int find_field(const Model *m, uint32_t step, const char *field, int *hop)
{
    *hop = inspect_step_hop(m, step);
    if (*hop < 0) {
        fprintf(stderr, "minet: --field %s: step %u explains no packet\n", field, step);
        return -1;
    }
    DissectTree t = {0};
    const TraceRec *r = &m->sim->trace.recs[m->hops[*hop].rec];
    dissect_tree(m->dissect, r->bytes, r->len, &t);
    int found = -1;
    for (size_t i = 0; i < t.n && found < 0; i++)
        if (strncmp(t.f[i].text, field, strlen(field)) == 0)
            found = (int)i;
    dissect_tree_fini(&t);
    if (found < 0)
        fprintf(stderr, "minet: --field %s: the packet of step %u has no such field\n", field,
                step);
    return found;
}

int gui_run(const char *scenario, const char *font_dir, const GuiOpen *o)
{
    static const GuiOpen defaults = {0};
    if (!o)
        o = &defaults;
    /* A step the run does not have is refused before any window opens (or
     * the headless run starts). */
    Model *m = NULL;
    if (o->step) {
        m = load_model(scenario);
        if (!m)
            return 2;
        if (o->step > m->n_steps) {
            fprintf(stderr, "minet: --step %u: %s has %zu steps (1 to %zu)\n", o->step, scenario,
                    m->n_steps, m->n_steps);
            model_free(m);
            return 2;
        }
        int hop;
        if (o->field && find_field(m, o->step, o->field, &hop) < 0) {
            model_free(m);
            return 2;
        }
    }
    if (!display_available()) {
        if (m)
            model_free(m);
        return GUI_NO_DISPLAY;
    }
    if (!m && !(m = load_model(scenario))) {
        SDL_Quit();
        return 2;
    }
    char title[512];
    snprintf(title, sizeof title, "minet — %s (%s)", m->world->title, scenario);
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_Window *win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280,
                                       720, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *r = NULL;
    if (win) {
        r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (r && software_gl(r)) {
            /* No GPU: OpenGL would be emulated on the CPU (about 6 ms more a
             * frame); SDL's own software renderer on the window's
             * framebuffer is faster.  SDL_FRAMEBUFFER_ACCELERATION=0 and
             * SDL_RENDER_DRIVER, set by the user, still decide. */
            SDL_DestroyRenderer(r);
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
            r = NULL;
        }
        if (!r)
            r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!r) {
        fprintf(stderr, "minet: cannot open a window: %s\n", SDL_GetError());
        if (win)
            SDL_DestroyWindow(win);
        model_free(m);
        SDL_Quit();
        return 1;
    }
    App a;
    char why[512];
    int status = 0;
    if (!app_init(&a, m, r, font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        model_free(m);
        status = 1;
    } else {
        a.win = win;
        a.v.dark = o->dark;
        if (o->text_scale > 0)
            a.v.text_scale = o->text_scale;
        if (o->step)
            player_goto_step(&a.p, o->step);
        a.p.pace_hops = o->pace_hops;
        int hop, field = o->field && o->step ? find_field(a.m, o->step, o->field, &hop) : -1;
        if (field >= 0) {
            app_select_hop(&a, hop);
            app_frame(&a, 0); /* decodes the tree */
            app_select_field(&a, field);
        }
        app_resize(&a);
        loop(&a);
        app_fini(&a);
    }
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    return status;
}

/* ---- pictures without a window ----------------------------------------- */

static bool save_png(SDL_Surface *s, const char *path, char *why, size_t size)
{
    OutFile out = {0};
    if (!outfile_open(&out, path, why, size))
        return false;
    SDL_RWops *rw = SDL_RWFromFP(out.f, SDL_FALSE);
    if (!rw || IMG_SavePNG_RW(s, rw, 0) != 0) {
        snprintf(why, size, "%s: cannot write the picture: %s", path, IMG_GetError());
        if (rw)
            SDL_RWclose(rw);
        outfile_abort(&out);
        return false;
    }
    SDL_RWclose(rw);
    return outfile_commit(&out, why, size);
}

/* "minet: --filter SMTP: expected DNS, ICMP or all": the protocols this
 * run's packets carry. */
static void filter_usage(const App *a, const char *filter)
{
    const char *offer[32];
    size_t n = panels_filter_protos(a, offer, MN_ARRAY_LEN(offer));
    if (n > MN_ARRAY_LEN(offer))
        n = MN_ARRAY_LEN(offer);
    fprintf(stderr, "minet: --filter %s: expected ", filter);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s%s", offer[i], i + 1 < n ? ", " : " or ");
    fprintf(stderr, "all\n");
}

/* Opens the panels a shot asks for; 2 with a message if it names what
 * does not exist. */
/* --row: the first entry of the selected node's tables at the cursor
 * whose key starts with prefix, else the first such entry recorded before
 * the cursor. */
static bool shot_select_row(App *a, const char *prefix)
{
    if (a->sel_node < 0)
        return false;
    Inspect in = {0};
    inspect_node(a->m, a->sel_node, a->p.step, a->p.t, &in);
    for (size_t i = 0; i < in.n && !a->sel_table; i++)
        for (size_t j = 0; in.s[i].table && j < in.s[i].n && !a->sel_table; j++)
            if (strncmp(in.s[i].rows[j].key, prefix, strlen(prefix)) == 0)
                app_select_row(a, in.s[i].table, in.s[i].rows[j].key);
    inspect_fini(&in);
    /* Else one that has gone by then (a closed connection keeps its plot). */
    for (size_t i = 0; i < a->m->n_states && !a->sel_table; i++) {
        const TraceRec *r = &a->m->sim->trace.recs[a->m->states[i].rec];
        if (!model_ref_shown(a->m, &a->m->states[i], a->p.step, a->p.t))
            break;
        if (r->node == a->sel_node && r->table && r->key &&
            strncmp(r->key, prefix, strlen(prefix)) == 0)
            app_select_row(a, r->table, r->key);
    }
    return a->sel_table != NULL;
}

static int shot_panels(App *a, const GuiShot *s)
{
    a->v.text_scale = s->text_scale > 0 ? s->text_scale : 1;
    a->panels_hidden = s->no_panels;
    a->chart_mode = s->chart;
    a->help = s->help;
    a->filter.hops = s->hops;
    if (s->filter) {
        while (!a->filter.proto || strcmp(a->filter.proto, s->filter) != 0) {
            panels_cycle_proto(a);
            if (!a->filter.proto && strcmp(s->filter, "all") == 0)
                break;
            if (!a->filter.proto) {
                filter_usage(a, s->filter);
                return 2;
            }
        }
    }
    if (s->inspect) {
        int n = world_find_node(a->m->world, s->inspect);
        if (n < 0) {
            fprintf(stderr, "minet: --inspect %s: %s has no such node\n", s->inspect, s->scenario);
            return 2;
        }
        app_select_node(a, n);
    }
    if (s->row && !shot_select_row(a, s->row)) {
        fprintf(stderr, "minet: --row %s: %s\n", s->row,
                s->inspect ? "no entry of the node's tables at that step has such a key"
                           : "needs --inspect NODE");
        return 2;
    }
    if (s->type) {
        SimTime at = (SimTime)ceil(a->p.t);
        if (app_run_command(a, s->type)) {
            /* Show the moment the typed command has printed everything. */
            const TraceRec *recs = a->m->sim->trace.recs;
            uint64_t cmd = 0;
            for (size_t i = 0; i < a->m->n_console; i++) {
                const TraceRec *r = &recs[a->m->console[i].rec];
                if (!cmd && r->stream == CON_COMMAND && r->time >= at && r->text &&
                    strcmp(r->text, s->type) == 0)
                    cmd = r->cmd;
                if (cmd && r->cmd == cmd && r->stream == CON_EXIT) {
                    player_goto_step(&a->p, r->step);
                    break;
                }
            }
        }
        a->p.mode = PLAYER_PAUSED;
        /* The prompt stays open after Enter, as in the window; so with the
         * chart beside the map the console stacks under it. */
        a->typing = a->chart_mode == 1;
    }
    if (s->packet || s->field) {
        int hop = inspect_step_hop(a->m, s->step);
        if (hop < 0) {
            fprintf(stderr, "minet: --packet: step %u explains no packet\n", s->step);
            return 2;
        }
        app_select_hop(a, hop);
        app_frame(a, 0); /* decodes the tree */
        for (size_t i = 0; s->field && i < a->tree.n && a->sel_field < 0; i++)
            if (strncmp(a->tree.f[i].text, s->field, strlen(s->field)) == 0)
                app_select_field(a, (int)i);
        if (s->field && a->sel_field < 0) {
            fprintf(stderr, "minet: --field %s: the packet has no such field\n", s->field);
            return 2;
        }
    }
    return 0;
}

int gui_shot(const GuiShot *s)
{
    Model *m = load_model(s->scenario);
    if (!m)
        return 2;
    if (s->step > m->n_steps) {
        fprintf(stderr, "minet: --step %u: %s has %zu steps (1 to %zu, or 0 before the first)\n",
                s->step, s->scenario, m->n_steps, m->n_steps);
        model_free(m);
        return 2;
    }
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, s->width, s->height, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "minet: cannot render a %d×%d picture: %s\n", s->width, s->height,
                SDL_GetError());
        SDL_FreeSurface(surf);
        model_free(m);
        return 1;
    }
    App a;
    char why[512];
    int status = 0;
    if (!app_init(&a, m, r, s->font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        model_free(m);
        status = 1;
    } else {
        a.v.dark = s->dark;
        player_goto_step(&a.p, s->step);
        a.p.t = player_step_middle(&a.p, s->step);
        status = shot_panels(&a, s);
        if (status == 0)
            app_frame(&a, 0);
        SDL_RenderFlush(r);
        if (status == 0 && !save_png(surf, s->out, why, sizeof why)) {
            fprintf(stderr, "minet: %s\n", why);
            status = 1;
        }
        app_fini(&a);
    }
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    TTF_Quit();
    return status;
}

/* ---- minet layout -------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int gui_layout(const char *scenario, const char *font_dir, int width, int height, uint32_t step,
               int chart, FILE *out)
{
    Model *m = load_model(scenario);
    if (!m)
        return 2;
    if (step > m->n_steps) {
        fprintf(stderr, "minet: --step %u: %s has %zu steps (1 to %zu)\n", step, scenario,
                m->n_steps, m->n_steps);
        model_free(m);
        return 2;
    }
    SDL_Surface *surf =
        SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "minet: cannot render a %d×%d view: %s\n", width, height, SDL_GetError());
        SDL_FreeSurface(surf);
        model_free(m);
        return 1;
    }
    App a;
    char why[512];
    int status = 0;
    if (!app_init(&a, m, r, font_dir, why, sizeof why)) {
        fprintf(stderr, "minet: %s\n", why);
        model_free(m);
        status = 1;
    } else {
        if (step) {
            player_goto_step(&a.p, step);
            a.p.t = player_step_middle(&a.p, step);
        }
        a.chart_mode = chart;
        TextLog log = {0};
        app_frame(&a, 0); /* the caption bar's height, the chart */
        a.txt.log = &log;
        app_frame(&a, 0);
        a.txt.log = NULL;
        fprintf(out, "{\"size\": [%d, %d], \"items\": [", width, height);
        for (size_t i = 0; i < log.n; i++) {
            const TextItem *it = &log.items[i];
            fprintf(out, "%s\n  {\"kind\": ", i ? "," : "");
            json_string(out, it->kind);
            fputs(", \"id\": ", out);
            json_string(out, it->id);
            fprintf(out, ", \"rect\": [%d, %d, %d, %d], \"font_px\": %d}", it->rect.x, it->rect.y,
                    it->rect.w, it->rect.h, it->px);
        }
        fputs("\n]", out);
        if (a.chart && a.v.chart) {
            /* The chart panel: where, and how many of its lifelines show. */
            DrawRects d;
            draw_rects(&a.v, &d);
            fprintf(out,
                    ",\n\"chart\": {\"rect\": [%d, %d, %d, %d], \"lifelines\": %zu, "
                    "\"shown\": %zu}",
                    d.chart.x, d.chart.y, d.chart.w, d.chart.h, a.chart->n_lives,
                    a.chart->n_lives - a.chart->n_hidden);
        }
        fputs("}\n", out);
        text_log_fini(&log);
        app_fini(&a);
    }
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    TTF_Quit();
    return status;
}
