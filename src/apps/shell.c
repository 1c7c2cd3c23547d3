#include "shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/vfs.h"
#include "apps/apps.h"
#include "apps/cmdline.h"

/* ---- what a line is ---------------------------------------------------- */

ShellKind shell_classify(const char *line, char *prog, size_t size)
{
    Cmdline c;
    char err[128];
    cmdline_split(&c, line, err, sizeof err); /* an open quote still names the program */
    const char *first = c.argc ? c.argv[0] : "";
    if (size)
        snprintf(prog, size, "%s", first);
    ShellKind kind = SHELL_UNKNOWN;
    if (c.argc == 0)
        kind = SHELL_EMPTY;
    else if (strcmp(first, "down") == 0 || strcmp(first, "up") == 0)
        kind = SHELL_FAULT;
    else if (apps_find(first))
        kind = SHELL_PROGRAM;
    cmdline_fini(&c);
    return kind;
}

bool shell_program_known(const char *prog)
{
    return apps_find(prog) != NULL;
}

const char *const *shell_programs(size_t *n)
{
    return apps_names(n);
}

/* ---- faults ------------------------------------------------------------ */

static int find_link(const World *w, int a, int b)
{
    for (size_t i = 0; i < w->n_links; i++) {
        const Link *l = &w->links[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
            return (int)i;
    }
    return -1;
}

bool shell_fault_parse(const World *w, const char *line, ShellFault *out, char *why, size_t size)
{
    Cmdline c;
    char err[128];
    bool split = cmdline_split(&c, line, err, sizeof err);
    char **argv = c.argv;
    size_t argc = c.argc;
    bool ok = false;
    out->up = argc > 0 && strcmp(argv[0], "up") == 0;
    out->node = out->link = -1;
    if (!split) {
        snprintf(why, size, "%s", err);
        goto out;
    }
    if (argc < 2 || argc > 3) {
        snprintf(why, size,
                 "\"%s\" needs one node or the two ends of a link (expected \"%s NODE\" "
                 "or \"%s NODE NODE\")",
                 argc ? argv[0] : "down", argc ? argv[0] : "down", argc ? argv[0] : "down");
        goto out;
    }
    int ends[2] = {-1, -1};
    for (size_t i = 1; i < argc; i++) {
        ends[i - 1] = world_find_node(w, argv[i]);
        if (ends[i - 1] < 0) {
            snprintf(why, size, "no node is called \"%s\" (expected a node id)", argv[i]);
            goto out;
        }
    }
    if (argc == 2) {
        out->node = ends[0];
        ok = true;
        goto out;
    }
    out->link = find_link(w, ends[0], ends[1]);
    if (out->link < 0) {
        snprintf(why, size, "no link joins \"%s\" and \"%s\" (expected the two ends of a link)",
                 argv[1], argv[2]);
        goto out;
    }
    ok = true;
out:
    cmdline_fini(&c);
    return ok;
}

/* ---- running ----------------------------------------------------------- */

struct Shell {
    Proc *running;
    Rng rng; /* "programs": what programs draw (ping's identifier) */
};

/* What is typed into one program (shell.h, "programs that read input"). */
typedef struct ProcInput {
    ProcInputFn fn;
    const ScriptInput *lines; /* the script line's input; typed in order */
    size_t n, next;           /* next: the first line not yet typed */
    SimTime start;            /* the script line's start, for `at` */
    SimTime last;             /* when it last printed or was typed to */
    char **buffered;          /* typed, not yet read (the terminal's buffer) */
    size_t n_buffered, head;
    bool waiting;
    EvHandle timer;
    char *prompt;
    char *line; /* the command line: the "terminal" table's key */
} ProcInput;

Shell *shell_new(Sim *sim)
{
    Shell *sh = xcalloc(1, sizeof *sh);
    sim_rng_stream(sim, &sh->rng, "programs");
    sim->shell = sh;
    return sh;
}

static void input_free(Sim *sim, ProcInput *in)
{
    if (!in)
        return;
    sim_cancel(sim, in->timer);
    for (size_t i = in->head; i < in->n_buffered; i++)
        free(in->buffered[i]);
    free(in->buffered);
    free(in->prompt);
    free(in->line);
    free(in);
}

static void proc_free(Proc *p)
{
    if (p->free_state)
        p->free_state(p->state);
    input_free(p->sim, p->in);
    buf_fini(&p->line);
    free(p->stdin_path);
    free(p);
}

void shell_free(Shell *sh)
{
    if (!sh)
        return;
    while (sh->running) {
        Proc *p = sh->running;
        sh->running = p->next;
        proc_free(p);
    }
    free(sh);
}

static void start_line(Sim *sim, int node, const char *line, const AppProgram *app,
                       const ScriptInput *lines, size_t n);

static void on_script_line(Sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    const ScriptLine *l = &sim->world->script[arg];
    start_line(sim, l->node, l->run, NULL, l->input, l->n_input);
}

void shell_schedule_script(Sim *sim)
{
    const World *w = sim->world;
    for (size_t i = 0; i < w->n_script; i++)
        sim_at(sim, w->script[i].at, on_script_line, NULL, i);
}

static void run_fault(Sim *sim, const char *line)
{
    ShellFault f;
    char why[256];
    if (!shell_fault_parse(sim->world, line, &f, why, sizeof why)) {
        /* The loader checked script lines; this is a line typed later. */
        trace_note(&sim->trace, sim->now, 0, "minet cannot do \"%s\": %s.", line, why);
        return;
    }
    if (f.node >= 0)
        net_set_node_up(sim, f.node, f.up);
    else
        net_set_link_up(sim, f.link, f.up);
}

static Proc *proc_new(Sim *sim, int node, const char *line)
{
    Proc *p = xcalloc(1, sizeof *p);
    Shell *sh = sim->shell;
    p->next = sh->running;
    if (sh->running)
        sh->running->prev = p;
    sh->running = p;
    p->sim = sim;
    p->node = node;
    buf_init(&p->line);
    p->line_stream = CON_STDOUT;
    p->cmd = trace_command(&sim->trace, sim->now, node, line);
    return p;
}

static void input_arm(Proc *p);

/* Takes the redirections out of the words, as bash does before it runs
 * the program: `< FILE` (or `<FILE`) for its input, and `> /dev/null` or
 * `>> /dev/null` for its output (minet's files cannot be written yet).
 * False, with the message in err and the exit status in *status, when
 * bash (or minet) cannot do it. */
static bool take_redirects(Sim *sim, int node, Cmdline *c, char **out, bool *null_out, char *err,
                           size_t size, int *status)
{
    *out = NULL;
    *null_out = false;
    for (size_t i = 0; i < c->argc; i++) {
        char op = c->argv[i][0];
        if (op != '<' && op != '>')
            continue;
        size_t oplen = op == '>' && c->argv[i][1] == '>' ? 2 : 1;
        bool joined = c->argv[i][oplen] != '\0';
        if (!joined && i + 1 >= c->argc) {
            snprintf(err, size, "bash: syntax error near unexpected token `newline'");
            *status = 2;
            return false;
        }
        const char *name = joined ? c->argv[i] + oplen : c->argv[i + 1];
        if (op == '>') {
            if (strcmp(name, "/dev/null") != 0) {
                snprintf(err, size,
                         "minet: %s: minet cannot write files yet; `> /dev/null` discards "
                         "what a program prints",
                         name);
                *status = 1;
                return false;
            }
            *null_out = true;
        } else {
            char home[VFS_NAME_MAX + 8], path[VFS_PATH_MAX];
            snprintf(home, sizeof home, "/home/%s", vfs_user(sim->world, node));
            VfsStat st = {0};
            VfsErr e = vfs_path_norm(home, name, path, sizeof path, NULL);
            if (e == VFS_OK)
                e = vfs_of(sim) ? vfs_stat(vfs_of(sim), node, path, &st) : VFS_ENOENT;
            if (e == VFS_OK && st.dir)
                e = VFS_EISDIR;
            if (e != VFS_OK) {
                snprintf(err, size, "bash: %s: %s", name, vfs_strerror(e));
                *status = 1;
                return false;
            }
            free(*out);
            *out = xstrdup(path);
        }
        size_t drop = joined ? 1 : 2;
        for (size_t k = i; k < i + drop; k++)
            free(c->argv[k]);
        memmove(c->argv + i, c->argv + i + drop, (c->argc - i - drop + 1) * sizeof *c->argv);
        c->argc -= drop;
        i--;
    }
    return true;
}

static void start_line(Sim *sim, int node, const char *line, const AppProgram *app,
                       const ScriptInput *lines, size_t n)
{
    char prog[32];
    ShellKind kind = shell_classify(line, prog, sizeof prog);
    if (kind == SHELL_EMPTY)
        return;
    if (kind == SHELL_FAULT && !app) {
        run_fault(sim, line);
        return;
    }
    Proc *p = proc_new(sim, node, line);
    Cmdline c;
    char err[128];
    if (!cmdline_split(&c, line, err, sizeof err)) {
        /* bash never starts the program */
        cmdline_fini(&c);
        proc_printf(p, CON_STDERR, "%s\n", err);
        proc_exit(p, 2);
        return;
    }
    char *stdin_path = NULL;
    int status;
    if (!take_redirects(sim, node, &c, &stdin_path, &p->stdout_null, err, sizeof err, &status)) {
        free(stdin_path);
        cmdline_fini(&c);
        proc_printf(p, CON_STDERR, "%s\n", err);
        proc_exit(p, status);
        return;
    }
    if (!app)
        app = apps_find(prog);
    if (!app) {
        cmdline_fini(&c);
        proc_printf(p, CON_STDERR, "%s: command not found\n", prog);
        proc_exit(p, 127);
        return;
    }
    if (!sim->net->node_up[node]) {
        cmdline_fini(&c);
        trace_note(&sim->trace, sim->now, 0, "%s is down, so \"%s\" cannot run there.",
                   sim->world->nodes[node].id, line);
        proc_exit(p, 1);
        return;
    }
    ProcInput *in = xcalloc(1, sizeof *in);
    in->fn = app->input;
    in->start = in->last = sim->now;
    in->lines = stdin_path ? NULL : lines;
    in->n = stdin_path ? 0 : n;
    p->stdin_path = stdin_path;
    in->line = xstrdup(line);
    p->in = in;
    /* The handle p stays valid only while the program runs: main may end it. */
    uint64_t cmd = p->cmd;
    app->main(p, (int)c.argc, c.argv);
    cmdline_fini(&c);
    for (Proc *q = sim->shell->running; q; q = q->next)
        if (q->cmd == cmd) {
            input_arm(q);
            break;
        }
}

void shell_run(Sim *sim, int node, const char *line)
{
    start_line(sim, node, line, NULL, NULL, 0);
}

void shell_run_program(Sim *sim, int node, const char *line,
                       void (*main)(Proc *p, int argc, char **argv), ProcInputFn input,
                       const ScriptInput *lines, size_t n)
{
    AppProgram app = {"", main, input};
    start_line(sim, node, line, &app, lines, n);
}

/* ---- typing into a program --------------------------------------------- */

/* The control lines a student types as ^C, ^D, ^]. */
static bool is_ctrl(const char *text, char c)
{
    return text[0] == '^' && text[1] == c && text[2] == '\0';
}

static void flush_partial(Proc *p);

static void echo(Proc *p, const char *text)
{
    flush_partial(p); /* a prompt shows before what is typed after it */
    trace_output(&p->sim->trace, p->sim->now, p->node, p->cmd, CON_STDIN, text);
}

/* The time the next line is typed, or -1 if that waits for the program. */
static SimTime next_typing(Proc *p)
{
    ProcInput *in = p->in;
    if (!in->fn) /* it reads nothing: only ^C is typed */
        while (in->next < in->n && !is_ctrl(in->lines[in->next].text, 'C'))
            in->next++;
    if (in->next >= in->n)
        return -1;
    const ScriptInput *l = &in->lines[in->next];
    if (l->at >= 0)
        return in->start + l->at > p->sim->now ? in->start + l->at : p->sim->now;
    if (!in->waiting)
        return -1;
    return in->last + 1000000 > p->sim->now ? in->last + 1000000 : p->sim->now;
}

static void on_input_timer(Sim *sim, void *ctx, uint64_t arg);

/* (Re)schedules the one timer: buffered lines for a waiting program at
 * once, otherwise the next line's typing time. */
static void input_arm(Proc *p)
{
    ProcInput *in = p->in;
    if (!in)
        return;
    Sim *sim = p->sim;
    sim_cancel(sim, in->timer);
    in->timer = 0;
    SimTime t = in->waiting && in->head < in->n_buffered ? sim->now : next_typing(p);
    if (t >= 0)
        in->timer = sim_at(sim, t, on_input_timer, p, 0);
}

/* Types the next script line: echo, then into the buffer (or, for ^C, to
 * the program at once).  Returns false if the program ended. */
static bool type_next(Proc *p)
{
    ProcInput *in = p->in;
    const char *text = in->lines[in->next++].text;
    in->last = p->sim->now;
    if (is_ctrl(text, 'C')) {
        if (!in->fn) {
            echo(p, "^C\n");
            proc_exit(p, 130);
            return false;
        }
        echo(p, "^C");
        in->fn(p, PROC_IN_INTR, NULL, 0);
        return true; /* p may be gone: the caller does not touch it */
    }
    if (is_ctrl(text, ']'))
        echo(p, "^]");
    else if (!is_ctrl(text, 'D')) {
        char *line = xmalloc(strlen(text) + 2);
        sprintf(line, "%s\n", text);
        echo(p, line);
        free(line);
    }
    in->buffered = xrealloc(in->buffered, (in->n_buffered + 1) * sizeof *in->buffered);
    in->buffered[in->n_buffered++] = xstrdup(text);
    return true;
}

/* Hands the oldest buffered line to the program, which may end. */
static void deliver(Proc *p)
{
    ProcInput *in = p->in;
    char *text = in->buffered[in->head++];
    ProcInputKind kind = PROC_IN_LINE;
    if (is_ctrl(text, 'D'))
        kind = PROC_IN_EOF;
    else if (is_ctrl(text, ']'))
        kind = PROC_IN_ESCAPE;
    if (kind == PROC_IN_LINE)
        in->fn(p, kind, text, strlen(text));
    else
        in->fn(p, kind, NULL, 0);
    free(text);
}

static bool still_running(Sim *sim, uint64_t cmd, Proc **out)
{
    for (Proc *q = sim->shell->running; q; q = q->next)
        if (q->cmd == cmd) {
            *out = q;
            return true;
        }
    return false;
}

static void on_input_timer(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Proc *p = ctx;
    ProcInput *in = p->in;
    uint64_t cmd = p->cmd;
    in->timer = 0;
    if (!(in->waiting && in->head < in->n_buffered)) {
        bool intr = is_ctrl(in->lines[in->next].text, 'C');
        if (!type_next(p) || intr) {
            if (still_running(sim, cmd, &p))
                input_arm(p);
            return;
        }
    }
    if (in->waiting && in->head < in->n_buffered) {
        deliver(p);
        if (!still_running(sim, cmd, &p))
            return;
    }
    input_arm(p);
}

void proc_wait_input(Proc *p, bool waiting)
{
    if (!p->in || p->in->waiting == waiting)
        return;
    p->in->waiting = waiting;
    if (waiting)
        flush_partial(p); /* the terminal shows a prompt while it waits */
    input_arm(p);
}

/* The prompt is state the window shows at its own prompt: a "terminal"
 * table on the node, keyed by the command line, while the program runs. */
void proc_set_prompt(Proc *p, const char *prompt)
{
    ProcInput *in = p->in;
    if (!in || (!prompt && !in->prompt) || (prompt && in->prompt && !strcmp(prompt, in->prompt)))
        return;
    free(in->prompt);
    in->prompt = prompt ? xstrdup(prompt) : NULL;
    Sim *sim = p->sim;
    trace_state(&sim->trace, sim->now, p->node, "terminal", prompt ? "add" : "remove", in->line,
                prompt, -1);
}

const char *proc_prompt(const Proc *p)
{
    return p->in ? p->in->prompt : NULL;
}

/* ---- output ------------------------------------------------------------ */

static void flush_partial(Proc *p)
{
    if (!p->line.len)
        return;
    trace_output(&p->sim->trace, p->sim->now, p->node, p->cmd, p->line_stream, p->line.data);
    buf_clear(&p->line);
}

void proc_printf(Proc *p, ConsoleStream s, const char *fmt, ...)
{
    if (s == CON_STDOUT && p->stdout_null)
        return;
    Buf b;
    va_list ap;
    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    /* One console record per completed line; a partial line waits, unless
     * the other stream writes in between (the terminal shows it then). */
    if (p->line_stream != s)
        flush_partial(p);
    p->line_stream = s;
    const char *start = b.data ? b.data : "";
    for (const char *nl; (nl = strchr(start, '\n')) != NULL; start = nl + 1) {
        buf_put(&p->line, start, (size_t)(nl - start + 1));
        flush_partial(p);
    }
    if (*start) {
        buf_puts(&p->line, start);
        /* A prompt, shown while the program waits; a program without one
         * of its own (nc) prints data, whose line ends later. */
        if (p->in && p->in->waiting && p->in->prompt && *p->in->prompt)
            flush_partial(p);
    }
    bool printed = b.len > 0;
    buf_fini(&b);
    /* A person reads what was printed before typing the next line. */
    if (p->in && printed) {
        p->in->last = p->sim->now;
        if (p->in->waiting && p->in->next < p->in->n)
            input_arm(p);
    }
}

void proc_exit(Proc *p, int status)
{
    flush_partial(p);
    proc_set_prompt(p, NULL);
    trace_exit(&p->sim->trace, p->sim->now, p->node, p->cmd, status);
    Shell *sh = p->sim->shell;
    if (p->prev)
        p->prev->next = p->next;
    else
        sh->running = p->next;
    if (p->next)
        p->next->prev = p->prev;
    proc_free(p);
}

const char *proc_stdin_path(const Proc *p)
{
    return p->stdin_path;
}

Rng *proc_rng(Proc *p)
{
    return &p->sim->shell->rng;
}
