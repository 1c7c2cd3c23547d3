#include "shell.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "proto/vfs.h"
#include "apps/apps.h"
#include "apps/cmdline.h"
#include "apps/shell_files.h"
#include "apps/shell_redirect.h"
#include "apps/shell_vars.h"

/* ---- running ----------------------------------------------------------- */

typedef struct Job {
    struct Job *next; /* its terminal's list */
    int term;         /* index in Shell.terms */
    int number;       /* bash's job number, 0 for a foreground pipeline */
    char *text;       /* background: as bash shows it in "Done" */
    int left;         /* processes still running */
    int status;       /* the last process's */
    uint64_t cmd;     /* its command line's console instance */
    struct Run *run;  /* foreground: the line to continue, else NULL */
    bool done;        /* background, ended, "Done" not yet shown */
    bool in_run;      /* its Run's fg: not allocated on its own */
} Job;

/* One command line typed into a terminal: it waits in the terminal's
 * queue until the lines before it ran, then its list runs pipeline after
 * pipeline while the terminal is busy. */
typedef struct Run {
    struct Run *queued; /* the next line waiting in its terminal */
    struct Run *lprev,
        *lnext; /* once started: the shell's list (freed with it if the run stops early) */
    int term;
    uint64_t cmd;
    CmdList list; /* parsed when the line arrived, if it could be */
    bool parsed;
    size_t next; /* the next pipeline */
    int status;  /* $? */
    const AppProgram *app;
    const ScriptInput *lines; /* typed into the first foreground process */
    size_t n;
    AppProgram app_copy;
    bool typed_taken; /* the typed lines went to a process already */
    bool exited;      /* its exit record is out */
    /* The job of its foreground pipeline, one at a time (a pipeline's job
     * ends before the next one starts): no allocation of its own. */
    Job fg;
    /* As typed: a script line's own text (the World outlives the run),
     * or a copy of a line typed by hand in own_line (own). */
    const char *line;
    bool own;
    char own_line[];
} Run;

/* A terminal of a node: the lines waiting for it, and its background jobs.
 * Terminals live in one array of the shell (few: one or two per host). */
typedef struct Term {
    int node, number; /* number: 1, 2, … as a script line's "terminal" */
    bool busy;
    Run *head, *tail;   /* the lines waiting */
    Job *jobs;          /* its pipelines, the latest first */
    int status;         /* $? once its last line ended */
    int next_same_node; /* the node's next terminal (index in Shell.terms), or -1 */
    ShellVars vars;     /* its shell's variables */
    int last_bg;        /* $!: the PID of its last background job, 0 before one */
    char *cwd;          /* its working folder (absolute), NULL: the user's home */
    /* $_: the last word of its last foreground command (made of one
     * program: a pipeline's run in subshells), "" after an assignment;
     * unset before any command (term_last_word).  A short one stays in
     * the terminal, as most do: no allocation for each terminal. */
    bool last_word_set;
    char *last_word_long; /* a longer one, allocated */
    char last_word_short[24];
} Term;

struct Shell {
    Proc *running;
    struct Run *runs;
    Term *terms;
    size_t n_terms, cap_terms;
    int *first_term; /* per node: its first terminal (index in terms), or -1 */
    size_t n_nodes;
    uint64_t next_id; /* Proc.id */
    int *next_pid;    /* per node: the PID the next process gets */
    Rng rng;          /* "programs": what programs draw (ping's identifier) */
    Buf scratch;      /* proc_scratch */
    Buf whole;        /* proc_write: a whole line, with its NUL, on its way to the console */
    /* Processes and script lines that ended, kept for the next ones (in
     * a big run thousands end and start again), instead of a malloc and a
     * free each; chained by Proc.next and Run.queued. */
    struct ProcBlock *spare;
    struct Run *spare_runs;
    size_t n_spare, n_spare_runs; /* at most SHELL_SPARE of each */
};

/* Enough kept to start most processes and lines without a malloc while
 * thousands run at once (some 4,700 at 10,000 hosts): keeping every one
 * held 0.9 MB more at the run's peak, 1,024 lost most of the gain. */
#define SHELL_SPARE 4096

/* The first PID a node hands out: as on a machine some time after boot. */
#define SHELL_FIRST_PID 4001

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
    bool quiet;  /* background or inside a pipeline: no prompt in the window */
    bool noecho; /* the terminal does not show what is typed (a password) */
    EvHandle timer;
    char *prompt;
    char *line; /* the command line: the "terminal" table's key, once a prompt is set */
} ProcInput;

/* A process and what is typed into it, in one allocation (Proc.in points
 * to in once the program runs). */
typedef struct ProcBlock {
    Proc p;
    ProcInput in;
    const AppProgram *app; /* the program it runs */
    /* proc_state_new's room: last, and not cleared when the process is made */
    _Alignas(max_align_t) unsigned char room[PROC_STATE_ROOM];
} ProcBlock;

Shell *shell_new(Sim *sim)
{
    Shell *sh = xcalloc(1, sizeof *sh);
    sim_rng_stream(sim, &sh->rng, "programs");
    size_t n = sim->world ? sim->world->n_nodes : 0;
    sh->next_pid = xcalloc(n ? n : 1, sizeof *sh->next_pid);
    sh->first_term = xcalloc(n ? n : 1, sizeof *sh->first_term);
    sh->n_nodes = n;
    /* Room for a terminal per node from the start: a script usually types
     * into one on each host, and the array would otherwise double its way
     * there, copying itself and leaving its old copies behind. */
    sh->cap_terms = n ? n : 16;
    sh->terms = xmalloc(sh->cap_terms * sizeof *sh->terms);
    for (size_t i = 0; i < n; i++) {
        sh->next_pid[i] = SHELL_FIRST_PID;
        sh->first_term[i] = -1;
    }
    sim->shell = sh;
    return sh;
}

static void input_free(Sim *sim, ProcInput *in)
{
    if (!in)
        return;
    sim_cancel(sim, in->timer);
    /* Most programs buffer nothing and show no prompt: one test rather
     * than three calls of free(NULL) into libc. */
    if (!in->buffered && !in->prompt && !in->line)
        return;
    for (size_t i = in->head; i < in->n_buffered; i++)
        free(in->buffered[i]);
    free(in->buffered);
    free(in->prompt);
    free(in->line);
}

static void proc_free(Proc *p)
{
    if (p->free_state)
        p->free_state(p->state);
    if (p->state_alloc)
        free(p->state);
    shell_files_free(p->files);
    input_free(p->sim, p->in);
    /* Most processes have none of these (no partial line, no pipe, no
     * redirection, no folder of their own): a test each rather than six
     * calls of free(NULL) into libc for each of a run's processes. */
    if (p->line.data)
        buf_fini(&p->line);
    if (p->pipe.data)
        buf_fini(&p->pipe);
    if (p->stdin_path || p->cwd || p->out[0].path || p->out[1].path) {
        free(p->stdin_path);
        free(p->cwd);
        free(p->out[0].path);
        free(p->out[1].path);
    }
    Shell *sh = p->sim->shell;
    if (sh->n_spare == SHELL_SPARE) {
        free(p);
        return;
    }
    p->next = sh->spare ? &sh->spare->p : NULL; /* and its input: one ProcBlock */
    sh->spare = (ProcBlock *)p;
    sh->n_spare++;
}

static void run_free(Shell *sh, Run *r)
{
    if (!r)
        return;
    cmdline_list_fini(&r->list);
    if (!r->own && sh->n_spare_runs < SHELL_SPARE) {
        r->queued = sh->spare_runs;
        sh->spare_runs = r;
        sh->n_spare_runs++;
    } else {
        free(r);
    }
}

static void job_free(Job *j)
{
    free(j->text);
    if (!j->in_run)
        free(j);
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
    for (size_t i = 0; i < sh->n_terms; i++) {
        while (sh->terms[i].head) {
            Run *q = sh->terms[i].head;
            sh->terms[i].head = q->queued;
            run_free(sh, q);
        }
        while (sh->terms[i].jobs) {
            Job *j = sh->terms[i].jobs;
            sh->terms[i].jobs = j->next;
            job_free(j);
        }
        shell_vars_fini(&sh->terms[i].vars);
        free(sh->terms[i].last_word_long);
        free(sh->terms[i].cwd);
    }
    /* After the terminals' jobs: a foreground job is its Run's. */
    while (sh->runs) {
        Run *r = sh->runs;
        sh->runs = r->lnext;
        run_free(sh, r);
    }
    while (sh->spare) {
        ProcBlock *b = sh->spare;
        sh->spare = (ProcBlock *)b->p.next;
        free(b);
    }
    while (sh->spare_runs) {
        Run *r = sh->spare_runs;
        sh->spare_runs = r->queued;
        free(r);
    }
    free(sh->terms);
    buf_fini(&sh->scratch);
    buf_fini(&sh->whole);
    free(sh->first_term);
    free(sh->next_pid);
    free(sh);
}

/* The terminal `number` of node, made on first use.  Each node chains its
 * own terminals, so finding one does not walk every host's. */
static int term_find(Shell *sh, int node, int number)
{
    bool indexed = node >= 0 && (size_t)node < sh->n_nodes;
    if (indexed) {
        for (int i = sh->first_term[node]; i >= 0; i = sh->terms[i].next_same_node)
            if (sh->terms[i].number == number)
                return i;
    } else {
        for (size_t i = 0; i < sh->n_terms; i++)
            if (sh->terms[i].node == node && sh->terms[i].number == number)
                return (int)i;
    }
    if (sh->n_terms == sh->cap_terms) {
        sh->cap_terms = sh->cap_terms ? 2 * sh->cap_terms : 16;
        sh->terms = xrealloc(sh->terms, sh->cap_terms * sizeof *sh->terms);
    }
    sh->terms[sh->n_terms] = (Term){.node = node, .number = number, .next_same_node = -1};
    if (indexed) {
        sh->terms[sh->n_terms].next_same_node = sh->first_term[node];
        sh->first_term[node] = (int)sh->n_terms;
    }
    return (int)sh->n_terms++;
}

static void line_arrives(Sim *sim, int node, int number, const char *line, bool kept,
                         CmdList *parsed, const AppProgram *app, const ScriptInput *lines,
                         size_t n);

/* A script line runs with the list the loader parsed, which it takes: a
 * second run of the World (the window's, after a change) parses again. */
static void on_script_line(Sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    ScriptLine *l = &sim->world->script[arg];
    CmdList list = {l->parsed, l->n_parsed};
    l->parsed = NULL;
    l->n_parsed = 0;
    line_arrives(sim, l->node, l->terminal > 1 ? l->terminal : 1, l->run, true,
                 list.n ? &list : NULL, NULL, l->input, l->n_input);
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

/* ---- jobs: what bash prints about the background --------------------- */

/* "[1]+  Done                    nc -l 7000", as bash shows a background
 * job that ended, before the terminal's next prompt: when the foreground
 * line that runs then (or the next one typed) has ended; not while bash
 * waits at the prompt.  + marks the current job (the latest), - the one
 * before, a blank the others.  A job that ended but is not yet shown keeps
 * its number. */
static void show_done(Sim *sim, int term)
{
    Shell *sh = sim->shell;
    int top = 0, second = 0;
    for (Job *j = sh->terms[term].jobs; j; j = j->next)
        if (j->term == term && j->number > top) {
            second = top;
            top = j->number;
        } else if (j->term == term && j->number > second)
            second = j->number;
    for (int number = 1; number <= top; number++) /* in job order, as bash lists them */
        for (Job **pj = &sh->terms[term].jobs; *pj; pj = &(*pj)->next) {
            Job *j = *pj;
            if (j->term != term || j->number != number || !j->done)
                continue;
            char what[32];
            if (j->status == 0)
                snprintf(what, sizeof what, "Done");
            else
                snprintf(what, sizeof what, "Exit %d", j->status);
            const Term *t = &sh->terms[term];
            char *msg = xmalloc(strlen(j->text) + 64);
            sprintf(msg, "[%d]%c  %-24s%s\n", j->number,
                    j->number == top      ? '+'
                    : j->number == second ? '-'
                                          : ' ',
                    what, j->text);
            trace_output(&sim->trace, sim->now, t->node, t->number, j->cmd, CON_STDERR, msg);
            free(msg);
            *pj = j->next;
            job_free(j);
            break;
        }
}

static int next_job_number(Shell *sh, int term)
{
    int n = 0;
    for (Job *j = sh->terms[term].jobs; j; j = j->next)
        if (j->term == term && j->number > n)
            n = j->number;
    return n + 1;
}

/* ---- starting a line --------------------------------------------------- */

static Proc *proc_new(Sim *sim, int node, int term, uint64_t cmd)
{
    Shell *sh = sim->shell;
    ProcBlock *b;
    if (sh->spare) {
        b = sh->spare;
        sh->spare = (ProcBlock *)b->p.next;
        sh->n_spare--;
    } else {
        b = xmalloc(sizeof *b);
    }
    memset(b, 0, offsetof(ProcBlock, room));
    Proc *p = &b->p;
    p->next = sh->running;
    if (sh->running)
        sh->running->prev = p;
    sh->running = p;
    p->sim = sim;
    p->node = node;
    p->term = sim->shell->terms[term].number;
    p->term_idx = term;
    p->id = ++sh->next_id;
    p->pid = sh->next_pid[node]++;
    buf_init(&p->line);
    buf_init(&p->pipe);
    p->line_stream = CON_STDOUT;
    p->cmd = cmd;
    p->out[0].to = PROC_OUT_STDOUT;
    p->out[1].to = PROC_OUT_STDERR;
    return p;
}

void *proc_state_new(Proc *p, size_t size, void (*fini)(void *state))
{
    ProcBlock *b = (ProcBlock *)p;
    p->state_alloc = size > sizeof b->room;
    p->state = p->state_alloc ? xcalloc(1, size) : memset(b->room, 0, size);
    p->free_state = fini;
    return p->state;
}

/* One of the shell's buffers, emptied for its next use: kept from one use
 * to the next, unless a long text made it large. */
static Buf *reuse(Buf *b)
{
    if (b->cap > 65536)
        buf_fini(b);
    buf_clear(b);
    return b;
}

Buf *proc_scratch(Proc *p)
{
    return reuse(&p->sim->shell->scratch);
}

Proc *shell_find_proc(Sim *sim, uint64_t id)
{
    for (Proc *q = sim->shell->running; q; q = q->next)
        if (q->id == id)
            return q;
    return NULL;
}

static void input_arm(Proc *p);
static void run_continue(Sim *sim, Run *r);
static void job_ended(Sim *sim, Job *j);

/* $_ of t, or NULL before its first command (unset).  Valid until the
 * terminals move (term_find) or the next command. */
static const char *term_last_word(const Term *t)
{
    if (!t->last_word_set)
        return NULL;
    return t->last_word_long ? t->last_word_long : t->last_word_short;
}

static void term_set_last_word(Term *t, const char *w)
{
    size_t len = strlen(w);
    char *longer = len < sizeof t->last_word_short ? NULL : xstrdup(w);
    if (!longer)
        memcpy(t->last_word_short, w, len + 1);
    free(t->last_word_long);
    t->last_word_long = longer;
    t->last_word_set = true;
}

/* Starts one command of a pipeline: its Proc joins job j.  stdin_lines:
 * what is typed into it (the terminal's lines), or NULL. */
static Proc *start_command(Sim *sim, Run *r, Job *j, Cmdline *c, bool typed, bool quiet, bool last)
{
    Shell *sh = sim->shell;
    Term *t = &sh->terms[r->term];
    Proc *p = proc_new(sim, t->node, r->term, r->cmd);
    p->job = j;
    p->last_in_pipe = last;
    p->subshell = quiet;
    p->cwd = t->cwd ? xstrdup(t->cwd) : NULL;
    j->left++;
    /* bash expands the words as the command runs; Windows' programs are
     * then found as cmd.exe finds them */
    ShellEnv env;
    shell_env_init(&env, p, &t->vars, r->status, SHELL_FIRST_PID - t->number, t->last_bg);
    env.last_word = term_last_word(t);
    cmdline_expand(c, &env.env);
    if (!quiet && !c->error) {
        const char *w = c->argc ? c->argv[c->argc - 1] : "";
        term_set_last_word(t, w);
    }
    const AppProgram *app = r->app ? r->app : c->program ? c->program : apps_cmd_exe_split(c);
    if (c->error) {
        proc_printf(p, CON_STDERR, "%s\n", c->error);
        if (!quiet) /* an interactive bash drops the rest of the line */
            r->next = r->list.n;
        proc_exit(p, 1);
        return NULL;
    }
    size_t size = 160; /* bash's message names the word, however long */
    for (size_t i = 0; i < c->nredir; i++)
        size += strlen(c->redir[i].word);
    char err_small[256]; /* most commands: no redirection, or short words */
    char *err = size <= sizeof err_small ? err_small : xmalloc(size);
    int status;
    bool opened = shell_open_redirects(sim, p, c, err, size, &status);
    if (!opened)
        proc_printf(p, CON_STDERR, "%s\n", err);
    if (err != err_small)
        free(err);
    if (!opened) {
        proc_exit(p, status);
        return NULL;
    }
    if (c->argc == 0) { /* only redirections and assignments: bash runs nothing */
        int st = 0;
        for (size_t i = 0; i < c->nassign && !quiet && !st; i++)
            if (!shell_vars_assign(&t->vars, sim->world, t->node, c->assign[i], false)) {
                proc_printf(p, CON_STDERR, "minet: %.*s: %s\n", (int)strcspn(c->assign[i], "="),
                            c->assign[i], SHELL_VARS_FULL);
                st = 1;
            }
        proc_exit(p, st);
        return NULL;
    }
    if (!app) {
        /* bash looks a name with a '/' up as a path, not on PATH */
        proc_printf(p, CON_STDERR, "bash: %s: %s\n", c->argv[0],
                    strchr(c->argv[0], '/') ? "No such file or directory" : "command not found");
        proc_exit(p, 127);
        return NULL;
    }
    if (!sim->net->node_up[t->node]) {
        trace_note(&sim->trace, sim->now, 0, "%s is down, so \"%s\" cannot run there.",
                   sim->world->nodes[t->node].id, r->line);
        proc_exit(p, 1);
        return NULL;
    }
    p->prog = app->name;
    ((ProcBlock *)p)->app = app;
    ProcInput *in = &((ProcBlock *)p)->in;
    in->fn = app->input;
    in->start = in->last = sim->now;
    /* Lines typed ahead wait in the terminal for a program to read them;
     * one that ends without reading any gives them back (proc_exit), so
     * `cd d; ftp host` types them into ftp. */
    if (typed && !r->typed_taken && !p->stdin_path) {
        in->lines = r->lines;
        in->n = r->n;
        r->typed_taken = true;
    }
    in->quiet = quiet;
    p->in = in;
    p->assign = c->assign;
    p->nassign = c->nassign;
    return p;
}

/* Runs pipeline pl of r: its commands start left to right, each one's
 * stdout into the next one's stdin. */
static void start_pipeline(Sim *sim, Run *r, CmdPipeline *pl, bool bg)
{
    Shell *sh = sim->shell;
    Job *j = bg ? xcalloc(1, sizeof *j) : &r->fg;
    if (!bg)
        *j = (Job){.in_run = true};
    j->term = r->term;
    j->cmd = r->cmd;
    j->text = bg ? xstrdup(pl->text) : NULL; /* only a background job shows it */
    j->run = bg ? NULL : r;
    j->next = sh->terms[r->term].jobs;
    sh->terms[r->term].jobs = j;
    if (bg)
        j->number = next_job_number(sh, r->term);
    /* left counts down from here; a command that ends at once must not end
     * the job before its neighbours started. */
    j->left = 1;
    uint64_t ids_small[8] = {0};
    Proc *procs_small[8] = {0};
    uint64_t *ids = pl->n <= 8 ? ids_small : xcalloc(pl->n, sizeof *ids);
    Proc **procs = pl->n <= 8 ? procs_small : xcalloc(pl->n, sizeof *procs);
    int last_pid = 0;
    bool typed = !bg && !r->typed_taken;
    for (size_t i = 0; i < pl->n; i++) {
        Proc *p = start_command(sim, r, j, &pl->cmds[i], typed && i == 0, bg || pl->n > 1,
                                i == pl->n - 1);
        last_pid = sh->next_pid[sh->terms[r->term].node] - 1;
        if (p) {
            ids[i] = p->id;
            p->from_pipe = i > 0;
            p->eof = i > 0 && !procs[i - 1]; /* nothing will write into its pipe */
            procs[i] = p;
        }
    }
    for (size_t i = 0; i + 1 < pl->n; i++)
        if (procs[i])
            procs[i]->to = ids[i + 1] ? ids[i + 1] : UINT64_MAX; /* no reader: lost */
    if (bg) {
        sh->terms[r->term].last_bg = last_pid;
        char msg[48];
        snprintf(msg, sizeof msg, "[%d] %d\n", j->number, last_pid);
        const Term *t = &sh->terms[r->term];
        trace_output(&sim->trace, sim->now, t->node, t->number, r->cmd, CON_STDERR, msg);
    }
    /* Run the mains now that the pipe is wired, left to right. */
    for (size_t i = 0; i < pl->n; i++) {
        Proc *p = ids[i] ? shell_find_proc(sim, ids[i]) : NULL;
        if (!p)
            continue;
        ((ProcBlock *)p)->app->main(p, (int)pl->cmds[i].argc, pl->cmds[i].argv);
        if ((p = shell_find_proc(sim, ids[i])) != NULL) {
            p->assign = NULL; /* the line's words may go before it ends */
            p->nassign = 0;
            input_arm(p);
        }
    }
    if (ids != ids_small) {
        free(ids);
        free(procs);
    }
    if (--j->left == 0)
        job_ended(sim, j);
}

static void on_run_continue(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    run_continue(sim, ctx);
}

static void start_next_pending(Sim *sim, int term);

/* The line's foreground part ended: the terminal is free. */
static void run_end(Sim *sim, Run *r)
{
    Shell *sh = sim->shell;
    Term *t = &sh->terms[r->term];
    t->status = r->status;
    if (!r->exited)
        trace_exit(&sim->trace, sim->now, t->node, t->number, r->cmd, r->status);
    int term = r->term;
    if (r->lprev)
        r->lprev->lnext = r->lnext;
    else
        sh->runs = r->lnext;
    if (r->lnext)
        r->lnext->lprev = r->lprev;
    run_free(sh, r);
    sh->terms[term].busy = false;
    show_done(sim, term);
    start_next_pending(sim, term);
}

/* Runs the next pipelines of r: up to one in the foreground (which calls
 * back when it ends), any number in the background. */
static void run_continue(Sim *sim, Run *r)
{
    while (r->next < r->list.n) {
        CmdPipeline *pl = &r->list.p[r->next++];
        if (r->next >= 2) {
            CmdOp before = r->list.p[r->next - 2].op; /* skipped ones keep $? and their op */
            if ((before == CMD_AND && r->status != 0) || (before == CMD_OR && r->status == 0))
                continue; /* skipped; $? stays */
        }
        if (pl->op == CMD_BG) {
            start_pipeline(sim, r, pl, true);
            r->status = 0;
            continue;
        }
        start_pipeline(sim, r, pl, false);
        return; /* shell_job_ended continues */
    }
    run_end(sim, r);
}

/* Whether any pipeline of r is still to run, given $?. */
static bool run_has_more(const Run *r)
{
    int status = r->status;
    for (size_t i = r->next; i < r->list.n; i++) {
        CmdOp before = i ? r->list.p[i - 1].op : CMD_END;
        if ((before == CMD_AND && status != 0) || (before == CMD_OR && status == 0))
            continue;
        return true;
    }
    return false;
}

static void job_ended(Sim *sim, Job *j)
{
    Shell *sh = sim->shell;
    if (j->run) {
        Run *r = j->run;
        r->status = j->status;
        for (Job **pj = &sh->terms[j->term].jobs; *pj; pj = &(*pj)->next)
            if (*pj == j) {
                *pj = j->next;
                break;
            }
        job_free(j);
        /* The prompt is back at once when nothing of the line is left (so
         * a line of one command ends where its program ends); what comes
         * next starts from an event of its own, as the last process is
         * still ending. */
        if (!run_has_more(r)) {
            const Term *t = &sh->terms[r->term];
            trace_exit(&sim->trace, sim->now, t->node, t->number, r->cmd, r->status);
            r->exited = true;
        }
        sim_at(sim, sim->now, on_run_continue, r, 0);
        return;
    }
    j->done = true;
}

/* Runs r, the next line of its terminal. */
static void start_run(Sim *sim, Run *r)
{
    Shell *sh = sim->shell;
    Term *t = &sh->terms[r->term];
    r->lnext = sh->runs;
    if (sh->runs)
        sh->runs->lprev = r;
    sh->runs = r;
    r->cmd = trace_command(&sim->trace, sim->now, t->node, t->number, r->line);
    t->busy = true;
    r->status = t->status; /* $? before the line's first pipeline: the last line's */
    if (!r->parsed) {
        /* bash runs nothing of a line it cannot parse */
        char err[160];
        cmdline_parse(&r->list, r->line, err, sizeof err);
        size_t used = strlen(err);
        snprintf(err + used, sizeof err - used, "\n");
        trace_output(&sim->trace, sim->now, t->node, t->number, r->cmd, CON_STDERR, err);
        r->status = 2;
        cmdline_list_fini(&r->list);
        run_end(sim, r);
        return;
    }
    run_continue(sim, r);
}

static void start_next_pending(Sim *sim, int term)
{
    Term *t = &sim->shell->terms[term];
    Run *r = t->head;
    if (!r || t->busy)
        return;
    t->head = r->queued;
    if (!t->head)
        t->tail = NULL;
    start_run(sim, r);
}

/* A line typed (or scripted) at a terminal: it runs now if the terminal is
 * free, otherwise when every line before it ran (bash reads typed-ahead
 * lines one by one).  Faults are the instructor's, not a terminal's.  A
 * kept line outlives the run (a script line's, in the World); any other
 * is copied. */
static void line_arrives(Sim *sim, int node, int number, const char *line, bool kept,
                         CmdList *given, const AppProgram *app, const ScriptInput *lines, size_t n)
{
    /* What the line is, as shell_classify says, from the parsed list (the
     * one given, which the line takes: the parse of line): it runs whether
     * its programs are known or not (bash says "command not found"), so
     * only a line of nothing and a fault are told apart here. */
    CmdList list;
    bool parsed = true;
    if (given) {
        list = *given;
    } else {
        char err[160];
        parsed = cmdline_parse(&list, line, err, sizeof err);
        if (!parsed)
            cmdline_list_fini(&list); /* parsed again when it runs, for bash's message */
    }
    bool empty = parsed && list.n == 0;
    const Cmdline *first = parsed && list.n ? &list.p[0].cmds[0] : NULL;
    bool fault = first && list.n == 1 && list.p[0].n == 1 && list.p[0].op == CMD_END &&
                 first->argc && !first->program && shell_is_fault_name(first->argv[0]);
    bool comment = empty && shell_comment_only(line);
    if ((empty && !comment) || (fault && !app)) {
        if (parsed)
            cmdline_list_fini(&list);
        if (fault)
            run_fault(sim, line);
        return;
    }
    Shell *sh = sim->shell;
    int term = term_find(sh, node, number);
    size_t own = kept ? 0 : strlen(line) + 1;
    Run *r;
    if (!own && sh->spare_runs) {
        r = sh->spare_runs;
        sh->spare_runs = r->queued;
        sh->n_spare_runs--;
    } else {
        r = xmalloc(sizeof *r + own);
    }
    *r = (Run){.term = term, .parsed = parsed, .lines = lines, .n = n, .line = line, .own = own};
    if (own)
        r->line = memcpy(r->own_line, line, own);
    if (parsed)
        r->list = list;
    if (app) {
        r->app_copy = *app;
        r->app = &r->app_copy;
    }
    Term *t = &sh->terms[term];
    if (t->tail)
        t->tail->queued = r;
    else
        t->head = r;
    t->tail = r;
    start_next_pending(sim, term);
}

void shell_run(Sim *sim, int node, const char *line)
{
    line_arrives(sim, node, 1, line, false, NULL, NULL, NULL, 0);
}

void shell_run_program(Sim *sim, int node, const char *line,
                       void (*main)(Proc *p, int argc, char **argv), ProcInputFn input,
                       const ScriptInput *lines, size_t n)
{
    AppProgram app = {"", main, input};
    line_arrives(sim, node, 1, line, false, NULL, &app, lines, n);
}

/* ---- typing into a program --------------------------------------------- */

/* The control lines a student types as ^C, ^D, ^]. */
static bool is_ctrl(const char *text, char c)
{
    return text[0] == '^' && text[1] == c && text[2] == '\0';
}

static void flush_partial(Proc *p);
static void read_typed(Proc *p, ProcInputKind kind, const char *line, size_t len);
static bool still_running(Sim *sim, uint64_t id, Proc **out);

static void echo(Proc *p, const char *text)
{
    flush_partial(p); /* a prompt shows before what is typed after it */
    trace_output(&p->sim->trace, p->sim->now, p->node, p->term, p->cmd, CON_STDIN, text);
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

/* ^C reaches every program of the foreground pipeline, as a terminal's
 * SIGINT reaches its foreground process group: the others than p (the one
 * typed into) first, so that what p prints as it ends (ping's statistics)
 * finds no reader left, as in a terminal.  A program that reads its input
 * handles ^C itself; the others end with status 130. */
static void intr_pipeline(Proc *p, bool end_line)
{
    Sim *sim = p->sim;
    size_t n = 0;
    for (Proc *q = sim->shell->running; q; q = q->next)
        n += q != p && q->job && q->job == p->job;
    if (!n)
        return;
    uint64_t *ids = xcalloc(n, sizeof *ids);
    size_t k = 0;
    for (Proc *q = sim->shell->running; q; q = q->next)
        if (q != p && q->job && q->job == p->job)
            ids[k++] = q->id;
    for (size_t i = 0; i < k; i++) {
        Proc *q = shell_find_proc(sim, ids[i]);
        if (!q)
            continue;
        if (q->in && q->in->fn && q->in->fn != read_typed)
            q->in->fn(q, PROC_IN_INTR, NULL, 0);
        else
            proc_exit(q, 130);
    }
    free(ids);
    /* What p prints now goes into a pipe nobody reads: the line after
     * "^C" ends as bash ends it after a job that SIGINT killed. */
    if (end_line && p->to)
        echo(p, "\n");
}

void proc_ctrl_c(Proc *p, bool show)
{
    if (show)
        echo(p, "^C");
    intr_pipeline(p, show);
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
            intr_pipeline(p, false);
            proc_exit(p, 130);
            return false;
        }
        uint64_t id = p->id;
        echo(p, "^C");
        intr_pipeline(p, in->fn != read_typed); /* a filter ends the line itself */
        if (!still_running(p->sim, id, &p))
            return false;
        p->in->fn(p, PROC_IN_INTR, NULL, 0);
        return true; /* p may be gone: the caller does not touch it */
    }
    if (is_ctrl(text, ']'))
        echo(p, "^]");
    else if (!is_ctrl(text, 'D') && in->noecho)
        echo(p, "\n"); /* getpass shows nothing, then a new line */
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

static bool still_running(Sim *sim, uint64_t id, Proc **out)
{
    *out = shell_find_proc(sim, id);
    return *out != NULL;
}

static void on_input_timer(Sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    Proc *p = ctx;
    ProcInput *in = p->in;
    uint64_t cmd = p->id;
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

void proc_set_echo(Proc *p, bool on)
{
    if (p->in)
        p->in->noecho = !on;
}

/* The prompt is state the window shows at its own prompt: a "terminal"
 * table on the node, keyed by the command line, while the program runs. */
void proc_set_prompt(Proc *p, const char *prompt)
{
    ProcInput *in = p->in;
    if (!in || in->quiet || (!prompt && !in->prompt) ||
        (prompt && in->prompt && !strcmp(prompt, in->prompt)))
        return;
    free(in->prompt);
    in->prompt = prompt ? xstrdup(prompt) : NULL;
    if (!in->line) /* a program in the foreground: its line is running */
        in->line = xstrdup(p->job->run->line);
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
    trace_output(&p->sim->trace, p->sim->now, p->node, p->term, p->cmd, p->line_stream,
                 p->line.data);
    buf_clear(&p->line);
}

/* The output of p that stream s (its standard output or error) goes to;
 * NULL for a stream that is not redirected (what the shell echoes). */
static const struct ProcOut *out_of(const Proc *p, ConsoleStream s)
{
    return s == CON_STDOUT ? &p->out[0] : s == CON_STDERR ? &p->out[1] : NULL;
}

bool proc_stdout_is_tty(const Proc *p)
{
    unsigned char to = p->out[0].to;
    return to == PROC_OUT_TTY || to == PROC_OUT_STDERR || (to == PROC_OUT_STDOUT && !p->to);
}

bool proc_stdin_is_tty(const Proc *p)
{
    return !p->stdin_path && !p->from_pipe;
}

/* Appends what p wrote to the file o names.  A write past the largest
 * file writes what fits, as the kernel's short write does, and is said
 * once on the terminal in coreutils' words ("cat: write error: File too
 * large"; bash's for its builtin echo); the rest of the output is lost,
 * as a program that cannot write loses it. */
static void write_file(Proc *p, const struct ProcOut *o, const char *data, size_t len)
{
    Vfs *v = vfs_of(p->sim);
    VfsErr e = v ? vfs_append(v, p->node, o->path, data, len) : VFS_ENOSPC;
    if (e == VFS_OK || p->write_failed)
        return;
    VfsStat st;
    if (e == VFS_EFBIG && vfs_stat(v, p->node, o->path, &st) == VFS_OK && st.size < VFS_WRITE_MAX &&
        VFS_WRITE_MAX - st.size < len)
        vfs_append(v, p->node, o->path, data, (size_t)(VFS_WRITE_MAX - st.size));
    p->write_failed = true;
    const char *prog = p->prog ? p->prog : "bash";
    char msg[160];
    snprintf(msg, sizeof msg, "%s%s: write error: %s\n", strcmp(prog, "echo") ? "" : "bash: ", prog,
             vfs_strerror(e));
    trace_output(&p->sim->trace, p->sim->now, p->node, p->term, p->cmd, CON_STDERR, msg);
}

void proc_printf(Proc *p, ConsoleStream s, const char *fmt, ...)
{
    const struct ProcOut *o = out_of(p, s);
    if (o && o->to == PROC_OUT_NULL)
        return;
    Buf b;
    va_list ap;
    buf_init(&b);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    proc_write(p, s, b.data ? b.data : "", b.len);
    buf_fini(&b);
}

void proc_write(Proc *p, ConsoleStream s, const char *data, size_t len)
{
    const struct ProcOut *o = out_of(p, s);
    bool to_pipe = false;
    if (o) {
        switch (o->to) {
        case PROC_OUT_NULL:
            return;
        case PROC_OUT_FILE:
            write_file(p, o, data, len);
            if (p->in && len)
                p->in->last = p->sim->now;
            return;
        case PROC_OUT_TTY:
            s = CON_STDOUT;
            break;
        case PROC_OUT_STDERR:
            s = CON_STDERR;
            break;
        default: /* PROC_OUT_STDOUT: the pipe, or the terminal */
            s = CON_STDOUT;
            to_pipe = p->to != 0;
            break;
        }
    }
    if (to_pipe) { /* into the pipe, not the console */
        Proc *down = shell_find_proc(p->sim, p->to);
        if (down && !down->stdin_path) /* `< FILE` took the place of the pipe */
            buf_put(&down->pipe, data, len);
        if (p->in && len)
            p->in->last = p->sim->now;
        return;
    }
    /* One console record per completed line; a partial line waits, unless
     * the other stream writes in between (the terminal shows it then).
     * The console shows text: a NUL ends what it shows. */
    if (p->line_stream != s)
        flush_partial(p);
    p->line_stream = s;
    const char *start = data, *end = data + strnlen(data, len);
    const Buf *scratch = &p->sim->shell->scratch; /* a NUL follows its text */
    bool nul_ended = data == scratch->data && len == scratch->len;
    for (const char *nl; (nl = memchr(start, '\n', (size_t)(end - start))) != NULL;
         start = nl + 1) {
        if (p->line.len) { /* the end of a partial line */
            buf_put(&p->line, start, (size_t)(nl - start + 1));
            flush_partial(p);
            continue;
        }
        /* A whole line goes through the shell's buffer (most programs
         * print only those, and need no line buffer of their own), or as
         * it is when the scratch buffer's NUL ends it: no copy. */
        const char *text = start;
        if (!nul_ended || nl + 1 != data + len) {
            Buf *w = reuse(&p->sim->shell->whole);
            buf_put(w, start, (size_t)(nl - start + 1));
            text = w->data;
        }
        trace_output(&p->sim->trace, p->sim->now, p->node, p->term, p->cmd, s, text);
    }
    if (start < end) {
        buf_put(&p->line, start, (size_t)(end - start));
        /* A prompt, shown while the program waits; a program without one
         * of its own (nc) prints data, whose line ends later. */
        if (p->in && p->in->waiting && p->in->prompt && *p->in->prompt)
            flush_partial(p);
    }
    /* A person reads what was printed before typing the next line. */
    if (p->in && len) {
        p->in->last = p->sim->now;
        if (p->in->waiting && p->in->next < p->in->n)
            input_arm(p);
    }
}

static void on_pipe_eof(Sim *sim, void *ctx, uint64_t id);

void proc_exit(Proc *p, int status)
{
    Sim *sim = p->sim;
    flush_partial(p);
    if (p->write_failed && status == 0)
        status = 1; /* as coreutils' close_stdout fails the program */
    proc_set_prompt(p, NULL);
    Shell *sh = sim->shell;
    if (p->prev)
        p->prev->next = p->next;
    else
        sh->running = p->next;
    if (p->next)
        p->next->prev = p->prev;
    Proc *down = p->to ? shell_find_proc(sim, p->to) : NULL;
    if (down) { /* end of file for the next one in the pipe */
        down->eof = true;
        sim_at(sim, sim->now, on_pipe_eof, NULL, down->id);
    }
    Job *j = p->job;
    bool last = p->last_in_pipe;
    /* The line's typed lines, none of them read: they wait for the next
     * program of the line (cd, echo or an assignment reads nothing). */
    if (j && j->run && p->in && p->in->lines && p->in->lines == j->run->lines && p->in->next == 0 &&
        p->in->n_buffered == 0)
        j->run->typed_taken = false;
    proc_free(p);
    if (!j)
        return;
    if (last)
        j->status = status;
    if (--j->left == 0)
        job_ended(sim, j);
}

/* ---- pipes -------------------------------------------------------------- */

static void on_pipe_eof(Sim *sim, void *ctx, uint64_t id)
{
    (void)ctx;
    Proc *p = shell_find_proc(sim, id);
    if (!p || !p->read_all || !p->eof || p->delivered)
        return;
    p->delivered = true;
    p->read_all(p, p->pipe.data ? p->pipe.data : "", p->pipe.len);
}

/* A filter reading the terminal: lines up to ^D (^C ends it as bash
 * shows it). */
static void read_typed(Proc *p, ProcInputKind kind, const char *line, size_t len)
{
    if (kind == PROC_IN_LINE) {
        buf_put(&p->pipe, line, len);
        buf_putc(&p->pipe, '\n');
        return;
    }
    if (kind == PROC_IN_INTR) {
        trace_output(&p->sim->trace, p->sim->now, p->node, p->term, p->cmd, CON_STDIN, "\n");
        proc_exit(p, 130);
        return;
    }
    if (kind == PROC_IN_EOF) {
        proc_wait_input(p, false);
        p->eof = true;
        sim_at(p->sim, p->sim->now, on_pipe_eof, NULL, p->id);
    }
}

void proc_read_all(Proc *p, void (*fn)(Proc *p, const char *data, size_t len))
{
    p->read_all = fn;
    if (p->stdin_path) { /* `< FILE`: the whole file, then the end of input */
        Vfs *v = vfs_of(p->sim);
        uint8_t chunk[16384];
        size_t got = 1;
        for (uint64_t off = 0; v && got && p->pipe.len < PROC_READ_MAX; off += got)
            if (vfs_read(v, p->node, p->stdin_path, off, chunk, sizeof chunk, &got) != VFS_OK)
                break;
            else
                buf_put(&p->pipe, chunk, got);
        p->eof = true;
        sim_at(p->sim, p->sim->now, on_pipe_eof, NULL, p->id);
        return;
    }
    if (p->from_pipe) {
        if (p->eof)
            sim_at(p->sim, p->sim->now, on_pipe_eof, NULL, p->id);
        return;
    }
    if (p->in) { /* the window's prompt types into it, as into nc */
        p->in->fn = read_typed;
        proc_set_prompt(p, "");
        proc_wait_input(p, true);
    }
}

ShellVars *proc_vars(Proc *p, bool *subshell)
{
    *subshell = p->subshell;
    return &p->sim->shell->terms[p->term_idx].vars;
}

void proc_chdir(Proc *p, const char *path)
{
    char *copy = xstrdup(path);
    free(p->cwd);
    p->cwd = copy;
    if (p->subshell)
        return; /* bash forgets a subshell's cd */
    Term *t = &p->sim->shell->terms[p->term_idx];
    free(t->cwd);
    t->cwd = xstrdup(path);
}

int proc_pid(const Proc *p)
{
    return p->pid;
}

const char *proc_stdin_path(const Proc *p)
{
    return p->stdin_path;
}

Rng *proc_rng(Proc *p)
{
    return &p->sim->shell->rng;
}
