/* shell — runs script lines on nodes: the programs a student types (the
 * table in apps.c) and the faults an instructor injects (down/up of a node
 * or a link).
 *
 * A running program is a Proc.  Everything it prints goes into the trace as
 * console records, line by line, at the simulated moment it is printed, and
 * its exit status ends it.  A program the scenario does not know is a
 * scenario error (the loader asks shell_program_known); a known program with
 * bad arguments runs and prints what the real tool prints.  Lines are parsed
 * as bash does (cmdline.h): words, pipelines, ; && || and &.
 *
 * Terminals: each node has terminals (1, 2, …; a script line's "terminal").
 * A line typed into a terminal starts when the line before it there has
 * ended (its foreground part: a background job does not hold it), so lines
 * typed ahead wait in the terminal's queue, as bash reads them; its console
 * record is emitted when it starts.  A line's programs all print under its
 * console instance; its exit record (bash's $?) comes when its foreground
 * part ends.  Background jobs print bash's "[1] 4001" at once and "[1]+
 * Done …" before the terminal's next prompt after they end.  A pipeline's programs start
 * left to right; what one prints on stdout goes into the next one's pipe
 * (proc_read_all), stderr to the console.  Faults are not a terminal's: they
 * happen at their time. */
#ifndef MN_SHELL_H
#define MN_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apps/cmdline.h"
#include "core/sim.h"
#include "net/world.h"
#include "proto/vfs.h"

typedef enum ShellKind {
    SHELL_EMPTY,   /* nothing but blanks */
    SHELL_PROGRAM, /* a known program */
    SHELL_FAULT,   /* down/up */
    SHELL_UNKNOWN, /* not a program minet knows */
} ShellKind;

/* Copies the first word (unquoted, as cmdline.h splits it) into prog (truncated to size) and says
 * what it is. */
ShellKind shell_classify(const char *line, char *prog, size_t size);
/* shell_classify, keeping what it parsed: *list gets the line's parse
 * (cmdline_parse, cmdline_list_fini frees it), empty when it does not
 * parse.  The loader keeps it in the script line, for its run. */
ShellKind shell_classify_parsed(const char *line, char *prog, size_t size, CmdList *list);
bool shell_program_known(const char *prog);
/* A line that is a comment alone ("# note"): it runs nothing, and the
 * console shows it at the prompt, as bash does. */
bool shell_comment_only(const char *line);
/* The known programs, for "did you mean". */
const char *const *shell_programs(size_t *n);
/* Is a line made of this program alone an instructor's fault (down or
 * up), not a terminal's command? */
bool shell_is_fault_name(const char *name);

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
    int term;     /* its terminal's number: 1, 2, … */
    int term_idx; /* (shell.c) */
    uint64_t id;  /* unique in the run (shell.c finds a Proc by it) */
    int pid;      /* as the node numbers processes */
    uint64_t cmd; /* console instance: its command line's */
    bool done;
    struct Job *job;   /* (shell.c) the pipeline it belongs to */
    bool last_in_pipe; /* its status is the pipeline's */
    bool subshell;     /* a command of a pipeline of several, or in the background */
    char *cwd;         /* its working folder (absolute; cd), NULL: the user's home */
    uint64_t to;       /* the next process of the pipe (its id), 0 if stdout is the console */
    bool from_pipe;    /* stdin is the pipe from the one before */
    bool eof;          /* that one ended */
    bool delivered;    /* read_all was called */
    Buf pipe;          /* stdin read so far */
    void (*read_all)(struct Proc *p, const char *data, size_t len);
    Buf line; /* output not yet ended by a newline */
    ConsoleStream line_stream;
    /* The program's own state, and how to free it: proc_exit (or the end
     * of the run) calls free_state(state); a program never frees it by
     * hand before exiting. */
    void *state;
    void (*free_state)(void *state);
    bool state_alloc;        /* proc_state_new allocated it apart: freed after free_state */
    struct ProcInput *in;    /* what is typed into it (shell.c) */
    char *stdin_path;        /* `< FILE`: its input is that file (an absolute path) */
    struct ProcFiles *files; /* proc_read_files: the inputs (shell.c) */
    /* Where its standard output and standard error go (out[0], out[1]),
     * as its redirections left them (shell.c). */
    struct ProcOut {
        unsigned char to; /* PROC_OUT_* */
        char *path;       /* PROC_OUT_FILE: the file (absolute), which it appends to */
    } out[2];
    bool write_failed; /* a write into a file failed: said once */
    const char *prog;  /* the program's name, for its messages (NULL before it runs) */
    /* The NAME=value words before its program (X=1 printenv X), for the
     * builtins: set while its main runs, NULL after. */
    char *const *assign;
    size_t nassign;
} Proc;

enum {
    PROC_OUT_STDOUT, /* where standard output goes unredirected: the pipe, or the terminal */
    PROC_OUT_STDERR, /* the terminal, as standard error */
    PROC_OUT_TTY,    /* the terminal, as standard output (> /dev/tty) */
    PROC_OUT_NULL,   /* nowhere (> /dev/null) */
    PROC_OUT_FILE,   /* a file of the node */
};

/* Does what p prints on its standard output reach the terminal (not a
 * pipe, a file or /dev/null)?  Programs that print differently to a
 * terminal (curl's meter) ask. */
bool proc_stdout_is_tty(const Proc *p);
/* Does p read the terminal (no `< FILE`, no pipe before it)?  rm asks its
 * questions only then. */
bool proc_stdin_is_tty(const Proc *p);

/* word as an absolute path of p's node into path (VFS_PATH_MAX bytes): a
 * relative one is the working folder's (the user's home, /home/USER,
 * until a cd), as bash and the programs it starts run there.  Resolved as the kernel resolves a
 * path: every name followed by "/" must be a folder (VFS_ENOENT when it is missing, unless it is
 * the last, VFS_ENOTDIR when it is a file), before a
 * ".." after it goes back up; so "n.txt/" and "n.txt/../m.txt" are
 * VFS_ENOTDIR, and "nodir/../m.txt" VFS_ENOENT.  VFS_ENOENT when the World
 * has no files, as vfs_path_norm's errors otherwise. */
VfsErr proc_path(const Proc *p, const char *word, char *path);
/* proc_path for a folder (cd, ftp's lcd): also VFS_ENOTDIR when word names
 * a file; *st is the folder's. */
VfsErr proc_folder(const Proc *p, const char *word, char *path, VfsStat *st);
/* May p's user (the node's keyboard's, vfs_user) write the file at path
 * (proc_may_write), or make or remove the name path in its folder
 * (proc_may_name)?  VFS_EACCES when not, as the kernel says; path
 * absolute and normalised (proc_path), and it (or its folder) must
 * exist. */
VfsErr proc_may_write(const Proc *p, const char *path);
VfsErr proc_may_name(const Proc *p, const char *path);
/* Is the last name of word (a trailing "/" aside) "." (1) or ".." (2)?
 * 0 otherwise. */
int proc_path_dots(const char *word);
/* Does word name a folder by how it is written (ending in "/", "." or
 * ".."), so that it cannot be made as a file (open(2) says VFS_EISDIR)? */
bool proc_path_names_dir(const char *word);

/* ---- programs that read input (DESIGN.md, "Programs that read input") --
 * A program that reads lines says when it waits for one; the shell hands
 * it the next line of its script line's `input` (or a line typed at the
 * window's prompt) when it waits and 1 s has passed since it last printed
 * or was last typed to, or at the line's own `at`.  The typed line is
 * echoed to the console as the terminal shows it (stream stdin).
 *
 * The rules in full (docs/scenario-format.md says the same for teachers):
 * - Waiting is a level: it holds from proc_wait_input(p, true) until
 *   proc_wait_input(p, false).  A program busy with a command clears it.
 *   While it waits, a line printed without its newline (a prompt) shows
 *   at once, as its own console record.
 * - A program still waiting when nothing else is left to happen keeps
 *   running: the run ends without its exit record, as a terminal left
 *   open (an instructor adds ^D or ^C to end it).
 * - A line without `at` is typed when the program waits and 1 s has passed
 *   since it last printed or was last typed to, and after every earlier
 *   line was typed.  A line with `at` is typed at the script line's start
 *   + at (or right after the line before it, if that was later), waiting
 *   or not: as on a real tty it sits in the terminal's buffer until the
 *   program waits, and is then delivered at once.
 * - The handler is called from an event of its own, never from inside
 *   proc_wait_input or proc_printf; it may call proc_exit.
 * - ^C is a signal: delivered when typed, even if the program is not
 *   waiting.  Without a handler the terminal shows "^C", bash a newline,
 *   and the program ends with status 130 (128 + SIGINT).  A program with a
 *   handler gets PROC_IN_INTR after the terminal showed "^C" (no newline)
 *   and decides what to print.
 * - ^D (end of file) shows nothing; ^] shows "^]".  Both wait in the
 *   buffer like lines.
 * - A program without a handler reads nothing: lines other than ^C are not
 *   typed at all.  Lines still untyped or unread when a program ends are
 *   dropped (the shell does not read them as commands). */
typedef enum ProcInputKind {
    PROC_IN_LINE,   /* a line, without its newline */
    PROC_IN_EOF,    /* ^D: end of input */
    PROC_IN_INTR,   /* ^C */
    PROC_IN_ESCAPE, /* ^]: telnet's escape character */
} ProcInputKind;

/* A program's input handler: its row's `input` in the programs table. */
typedef void (*ProcInputFn)(Proc *p, ProcInputKind kind, const char *line, size_t len);

/* Runs line on node now as the program main/input (which need not be in
 * the programs table: the tests' own), typing lines[0..n) into it by the
 * rules above.  lines must outlive the program. */
void shell_run_program(Sim *sim, int node, const char *line,
                       void (*main)(Proc *p, int argc, char **argv), ProcInputFn input,
                       const ScriptInput *lines, size_t n);

/* The file a program's input was redirected from (`nc HOST PORT < FILE`),
 * as an absolute path in the node's files (proto/vfs.h), or NULL when it
 * reads the terminal.  Nothing is typed into a program whose input is a
 * file. */
const char *proc_stdin_path(const Proc *p);

/* The program waits for input now (true) or not (false). */
void proc_wait_input(Proc *p, bool waiting);
/* Whether the terminal shows what is typed (true, the default) or not (a
 * password prompt, as getpass turns echo off: the line shows as a bare
 * new line). */
void proc_set_echo(Proc *p, bool on);
/* The program's own prompt ("ftp> ", "telnet> "; "" for a program that
 * reads lines without showing one, as nc); NULL for none.  Copied.  The
 * trace keeps it as a state record of the node's "terminal" table (key:
 * the command line), removed when the program ends; while it is set, the
 * window's prompt types into the program and shows this prompt.  A program
 * that only handles ^C (ping) sets none. */
void proc_set_prompt(Proc *p, const char *prompt);
/* The prompt last set, or NULL. */
const char *proc_prompt(const Proc *p);

/* Prints to stdout or stderr; each completed line becomes a console record. */
void proc_printf(Proc *p, ConsoleStream s, const char *fmt, ...) MN_PRINTF(3, 4);
/* Prints len bytes of data as they are (proc_printf without the format). */
void proc_write(Proc *p, ConsoleStream s, const char *data, size_t len);
/* The student presses Ctrl+C while p runs (minet does it for ping without
 * -c; a ^C of the script line's input is handled by the shell): every
 * other program of p's pipeline gets it, as a terminal's SIGINT reaches
 * its foreground process group, and the terminal shows "^C" when show.
 * p itself is left to the caller. */
void proc_ctrl_c(Proc *p, bool show);

/* A zeroed block of size bytes for p's state: p->state, with fini as
 * free_state, which frees what the state holds but not the state itself
 * (the state goes with p).  The block is in p's own allocation when it
 * fits in PROC_STATE_ROOM bytes, so a program's state costs no allocation
 * and lies next to its process (host's does); otherwise it is allocated. */
#define PROC_STATE_ROOM 512
void *proc_state_new(Proc *p, size_t size, void (*fini)(void *state));

/* The shell's buffer for building what a program prints, cleared: the
 * same for every program, so printing a reply allocates nothing of its
 * own.  Valid until the program returns or asks for it again (proc_write
 * and proc_printf leave it alone); one that grew past 64 KiB is given back
 * at the next call. */
Buf *proc_scratch(Proc *p);

/* Ends the program: flushes any partial line, records the exit status,
 * frees its state (free_state), its input and its timers.  The Proc is
 * freed: do not touch it afterwards. */
void proc_exit(Proc *p, int status);

/* Filters (grep, sed, sort, …) read all of their input, then print: calls
 * fn once, from an event of its own, with the whole of stdin (NUL-ended):
 * from a pipe, what the program before it printed, once that one ended;
 * from the terminal, the lines typed up to ^D. */
void proc_read_all(Proc *p, void (*fn)(Proc *p, const char *data, size_t len));
/* One input of a filter that takes file operands, as GNU's tools open
 * them: a file of the node's (relative to the user's home), or standard
 * input ("-", or no operand at all). */
typedef struct ProcFile {
    const char *name; /* as given; "-" for standard input */
    bool is_stdin;
    const char *data; /* NUL-ended; "" when err is set */
    size_t len;
    VfsErr err;     /* VFS_OK, or why it cannot be read: VFS_ENOENT, VFS_EISDIR, … */
    bool regular;   /* a regular file (standard input only after `< FILE`) */
    bool is_output; /* the file standard output goes to (`cat f >> f`) */
} ProcFile;
/* Reads each of names (n of them; none: standard input alone) and calls fn
 * once, from an event of its own, with all of them in order: at once when
 * all are files, after the end of standard input when one is "-" (the
 * first "-" gets all of it, as the tools read it once).  The files stay
 * until the program exits.  A file is read whole; one of more than
 * PROC_READ_MAX bytes (a generated 1 GB file) fails with "File too large"
 * instead of being read in part. */
#define PROC_READ_MAX (64u << 20)
void proc_read_files(Proc *p, char *const *names, size_t n,
                     void (*fn)(Proc *p, ProcFile *f, size_t n));
/* Its process ID on its node: counted from a fixed start per node, in the
 * order processes start (bash prints it for a job in the background). */
int proc_pid(const Proc *p);

/* The generator programs draw from (one stream for all programs). */
Rng *proc_rng(Proc *p);

#endif
