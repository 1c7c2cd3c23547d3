/* shell — runs script lines on nodes: the programs a student types (ping,
 * traceroute; host, dig, … arrive with DNS) and the faults an instructor
 * injects (down/up of a node or a link).
 *
 * A running program is a Proc.  Everything it prints goes into the trace as
 * console records, line by line, at the simulated moment it is printed, and
 * its exit status ends it.  A program the scenario does not know is a
 * scenario error (the loader asks shell_program_known); a known program with
 * bad arguments runs and prints what the real tool prints. */
#ifndef MN_SHELL_H
#define MN_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/world.h"

typedef enum ShellKind {
    SHELL_EMPTY,   /* nothing but blanks */
    SHELL_PROGRAM, /* a known program */
    SHELL_FAULT,   /* down/up */
    SHELL_UNKNOWN, /* not a program minet knows */
} ShellKind;

/* Copies the first word into prog (truncated to size) and says what it is. */
ShellKind shell_classify(const char *line, char *prog, size_t size);
bool shell_program_known(const char *prog);
/* The known programs, for "did you mean". */
const char *const *shell_programs(size_t *n);

typedef struct ShellFault {
    bool up;
    int node; /* the node, or -1 for a link */
    int link; /* the link, or -1 for a node */
} ShellFault;

/* Parses "down NODE", "up NODE", "down A B", "up A B" against w.  On
 * failure writes what is wrong and what was expected into why. */
bool shell_fault_parse(const World *w, const char *line, ShellFault *out, char *why, size_t size);

/* The running programs of a simulation.  shell_free ends any still
 * running (a run stopped early) without printing anything. */
typedef struct Shell Shell;
Shell *shell_new(Sim *sim); /* sets sim->shell */
void shell_free(Shell *sh);

/* Schedules every script line of the world.  Needs sim->net (net_new). */
void shell_schedule_script(Sim *sim);
/* Runs one line on a node now (node may be -1 for faults). */
void shell_run(Sim *sim, int node, const char *line);

/* ---- for programs ------------------------------------------------------ */

typedef struct Proc {
    struct Proc *prev, *next; /* the shell's list of running programs */
    Sim *sim;
    int node;
    uint64_t cmd; /* console instance */
    bool done;
    Buf line; /* output not yet ended by a newline */
    ConsoleStream line_stream;
    /* The program's own state, and how to free it if the run ends first. */
    void *state;
    void (*free_state)(void *state);
} Proc;

/* ---- programs that read input (DESIGN.md, "Programs that read input") --
 * A program that reads lines says when it waits for one; the shell hands
 * it the next line of its script line's `input` (or a line typed at the
 * window's prompt) when it waits and 1 s has passed since it last printed
 * or was last typed to, or at the line's own `at`.  The typed line is
 * echoed to the console as the terminal shows it (stream stdin). */
typedef enum ProcInputKind {
    PROC_IN_LINE,   /* a line, without its newline */
    PROC_IN_EOF,    /* ^D: end of input */
    PROC_IN_INTR,   /* ^C */
    PROC_IN_ESCAPE, /* ^]: telnet's escape character */
} ProcInputKind;

/* A program's input handler: its row's `input` in the programs table. */
typedef void (*ProcInputFn)(Proc *p, ProcInputKind kind, const char *line, size_t len);

/* The program waits for input now (true) or not (false). */
void proc_wait_input(Proc *p, bool waiting);
/* The program's own prompt ("ftp> ", "telnet> "), shown at the window's
 * prompt while it waits; NULL for none.  Copied. */
void proc_set_prompt(Proc *p, const char *prompt);

/* Splits a command line into words (blanks separate; no quoting).
 * Returns the number of words (at most max). */
size_t shell_split(char *line, char **argv, size_t max);
/* Prints to stdout or stderr; each completed line becomes a console record. */
void proc_printf(Proc *p, ConsoleStream s, const char *fmt, ...) MN_PRINTF(3, 4);
/* Ends the program: flushes any partial line, records the exit status.
 * The Proc is freed: do not touch it afterwards. */
void proc_exit(Proc *p, int status);

/* The generator programs draw from (one stream for all programs). */
Rng *proc_rng(Proc *p);

/* Resolves what a student typed as a destination: a dotted quad, or (until
 * DNS lands) a node id, as if every host had the same /etc/hosts. */
bool shell_resolve(const Sim *sim, const char *name, uint32_t *ip);
/* The reverse: the id of the node owning ip, or NULL. */
const char *shell_reverse(const Sim *sim, uint32_t ip);

#endif
