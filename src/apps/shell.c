#include "shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "apps/apps.h"

/* ---- what a line is ---------------------------------------------------- */

typedef struct Program {
    const char *name;
    void (*run)(Proc *p, int argc, char **argv);
} Program;

static const Program programs[] = {
    {"ping", ping_main}, {"traceroute", traceroute_main}, {"dig", dig_main},
    {"host", host_main}, {"ipconfig", ipconfig_main},     {"nslookup", nslookup_main},
};

/* The same names, in the same order, for "did you mean". */
static const char *const program_names[] = {"ping", "traceroute", "dig",
                                            "host", "ipconfig",   "nslookup"};
_Static_assert(MN_ARRAY_LEN(programs) == MN_ARRAY_LEN(program_names),
               "every program has its name in program_names");

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

ShellKind shell_classify(const char *line, char *prog, size_t size)
{
    while (is_blank(*line))
        line++;
    size_t n = 0;
    while (line[n] && !is_blank(line[n]))
        n++;
    if (size) {
        size_t k = n < size - 1 ? n : size - 1;
        memcpy(prog, line, k);
        prog[k] = '\0';
    }
    if (n == 0)
        return SHELL_EMPTY;
    if ((n == 4 && strncmp(line, "down", 4) == 0) || (n == 2 && strncmp(line, "up", 2) == 0))
        return SHELL_FAULT;
    for (size_t i = 0; i < MN_ARRAY_LEN(programs); i++)
        if (strlen(programs[i].name) == n && strncmp(line, programs[i].name, n) == 0)
            return SHELL_PROGRAM;
    return SHELL_UNKNOWN;
}

bool shell_program_known(const char *prog)
{
    for (size_t i = 0; i < MN_ARRAY_LEN(programs); i++)
        if (strcmp(programs[i].name, prog) == 0)
            return true;
    return false;
}

const char *const *shell_programs(size_t *n)
{
    *n = MN_ARRAY_LEN(program_names);
    return program_names;
}

size_t shell_split(char *line, char **argv, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p && n < max) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        argv[n++] = p;
        while (*p && !is_blank(*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
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
    char *copy = xstrdup(line);
    char *argv[4];
    size_t argc = shell_split(copy, argv, 4);
    bool ok = false;
    out->up = argc > 0 && strcmp(argv[0], "up") == 0;
    out->node = out->link = -1;
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
    free(copy);
    return ok;
}

/* ---- running ----------------------------------------------------------- */

struct Shell {
    Proc *running;
    Rng rng; /* "programs": what programs draw (ping's identifier) */
};

Shell *shell_new(Sim *sim)
{
    Shell *sh = xcalloc(1, sizeof *sh);
    sim_rng_stream(sim, &sh->rng, "programs");
    sim->shell = sh;
    return sh;
}

static void proc_free(Proc *p)
{
    if (p->free_state)
        p->free_state(p->state);
    buf_fini(&p->line);
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

static void on_script_line(Sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    const ScriptLine *l = &sim->world->script[arg];
    shell_run(sim, l->node, l->run);
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

#define MAX_ARGS 64

void shell_run(Sim *sim, int node, const char *line)
{
    char prog[32];
    ShellKind kind = shell_classify(line, prog, sizeof prog);
    if (kind == SHELL_EMPTY)
        return;
    if (kind == SHELL_FAULT) {
        run_fault(sim, line);
        return;
    }
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
    if (kind == SHELL_UNKNOWN) {
        proc_printf(p, CON_STDERR, "%s: command not found\n", prog);
        proc_exit(p, 127);
        return;
    }
    if (!sim->net->node_up[node]) {
        trace_note(&sim->trace, sim->now, 0, "%s is down, so \"%s\" cannot run there.",
                   sim->world->nodes[node].id, line);
        proc_exit(p, 1);
        return;
    }
    char *copy = xstrdup(line);
    char *argv[MAX_ARGS + 1];
    size_t argc = shell_split(copy, argv, MAX_ARGS);
    argv[argc] = NULL;
    for (size_t i = 0; i < MN_ARRAY_LEN(programs); i++)
        if (strcmp(programs[i].name, argv[0]) == 0) {
            programs[i].run(p, (int)argc, argv);
            break;
        }
    free(copy);
}

static void flush_partial(Proc *p)
{
    if (!p->line.len)
        return;
    trace_output(&p->sim->trace, p->sim->now, p->node, p->cmd, p->line_stream, p->line.data);
    buf_clear(&p->line);
}

void proc_printf(Proc *p, ConsoleStream s, const char *fmt, ...)
{
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
    if (*start)
        buf_puts(&p->line, start);
    buf_fini(&b);
}

void proc_exit(Proc *p, int status)
{
    flush_partial(p);
    trace_exit(&p->sim->trace, p->sim->now, p->node, p->cmd, status);
    Shell *sh = p->sim->shell;
    if (p->prev)
        p->prev->next = p->next;
    else
        sh->running = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->free_state = NULL; /* the program freed its state before exiting */
    proc_free(p);
}

Rng *proc_rng(Proc *p)
{
    return &p->sim->shell->rng;
}

bool shell_resolve(const Sim *sim, const char *name, uint32_t *ip)
{
    if (ip_parse(name, ip))
        return true;
    int n = world_find_node(sim->world, name);
    if (n < 0 || sim->world->nodes[n].n_ips == 0)
        return false;
    *ip = sim->world->nodes[n].ips[0];
    return true;
}

const char *shell_reverse(const Sim *sim, uint32_t ip)
{
    int n;
    if (!world_find_addr(sim->world, ip, &n, NULL))
        return NULL;
    return sim->world->nodes[n].id;
}
