/* cmdline — splits a command line into words as bash does, before any
 * expansion: blanks separate words; '…' keeps everything literally; "…"
 * keeps everything but \" \\ \$ \` and \<newline>, which lose their
 * backslash; a backslash outside quotes escapes the next character; quoted
 * and unquoted parts next to each other join into one word (a"b c"d is
 * `ab cd`); "" is an empty word.
 *
 * cmdline_parse reads a whole line as bash's grammar does for simple
 * commands: pipelines (|) joined into a list by ; && || and &, and each
 * command's redirections (< > >> >| &> &>> >& <& << <<< <>, with an
 * optional file descriptor before them: 2>, 2>&1), with bash's syntax
 * errors.  Leading NAME=value words of a command are its assignments.
 *
 * cmdline_expand then expands a command's words as bash does when the
 * command runs (cmdline_expand.c): ~, $NAME, ${…}, $? and the other special
 * parameters, word splitting, globs, quote removal.  Not handled: $( ),
 * ` `, $(( )), ( ), { } (a message says so). */
#ifndef MN_CMDLINE_H
#define MN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* A redirection as typed: the operator, the file descriptor written
 * before it (-1 if none) and the word after it. */
typedef struct CmdRedir {
    const char *op; /* "<", ">", ">>", ">|", "&>", "&>>", ">&", "<&", "<<", "<<<" or "<>" */
    int fd;
    const char *word;
    const char *raw; /* the word as typed, quotes and all; NULL once expanded */
    bool ambiguous;  /* it expanded to no word or to several: bash's "ambiguous redirect" */
} CmdRedir;

typedef struct Cmdline {
    char **argv; /* argc words, then NULL */
    size_t argc;
    CmdRedir *redir; /* nredir of them, in the order typed (cmdline_parse only) */
    size_t nredir;
    /* The words as typed, quotes and all, argc of them (cmdline_parse
     * only; NULL otherwise, and once expanded): a NULL one is not
     * expanded.  cmdline_parse keeps only the words that have something to
     * expand (cmdline_expandable), and no array when none has. */
    const char **raw;
    /* NAME=value words before the program (bash's assignments), nassign
     * of them, quotes removed; assign_raw as typed (NULL once expanded). */
    char **assign;
    const char **assign_raw;
    size_t nassign;
    const char *error; /* cmdline_expand's: bash's message; the command does not run */
    void *mem;         /* what argv and its words live in, when their own (cmdline_fini frees it);
                          NULL for a command of a CmdList, whose words live in the list's */
    /* The program argv[0] names, as the caller found it (the shell, once,
     * when it judges a line: cmdline_programs), or NULL: words made anew
     * (expanded, set) leave it NULL, to be found again. */
    const struct AppProgram *program;
} Cmdline;

/* Splits line into c (which cmdline_fini frees, whatever the outcome).
 * An unterminated quote gives false, with bash's message in err (without
 * a newline), e.g. "bash: unexpected EOF while looking for matching `\"'";
 * c then holds the words up to and including the unterminated one, so a
 * caller can still name the program. */
bool cmdline_split(Cmdline *c, const char *line, char *err, size_t size);
void cmdline_fini(Cmdline *c);
/* Makes c hold copies of words[0..n) (cmdline_fini frees them). */
void cmdline_from_words(Cmdline *c, const char *const *words, size_t n);

typedef enum CmdOp {
    CMD_END, /* the last pipeline, with nothing after it */
    CMD_SEQ, /* ; */
    CMD_AND, /* && */
    CMD_OR,  /* || */
    CMD_BG,  /* & */
} CmdOp;

typedef struct CmdPipeline {
    Cmdline *cmds; /* n commands, each one's stdout into the next one's stdin */
    size_t n;
    /* As bash shows the job: words as typed, one blank apart, " | "
     * between; only for a pipeline in the background (op CMD_BG, the one
     * bash shows), NULL for the others. */
    char *text;
    CmdOp op; /* what follows it */
} CmdPipeline;

typedef struct CmdList {
    CmdPipeline *p;
    size_t n; /* 0 for a line of blanks */
} CmdList;

/* ---- expansions -------------------------------------------------------- */

/* A folder's entry, for globs. */
typedef struct CmdDirent {
    char *name;
    bool dir;
} CmdDirent;

/* What a command's words expand against: the shell's variables and the
 * host's files.  Paths are as typed (relative ones the working folder's). */
typedef struct CmdEnv {
    void *ctx;
    /* The value of the variable (or special parameter: "?", "$", "!", "-")
     * named by len bytes at name; NULL when it is unset. */
    const char *(*get)(void *ctx, const char *name, size_t len);
    /* Sets it (${NAME:=word}). */
    void (*set)(void *ctx, const char *name, size_t len, const char *value);
    /* The home folder of user (~user), or NULL when there is no such user. */
    const char *(*home_of)(void *ctx, const char *user);
    /* The entries of folder dir ("" for the working folder), allocated
     * with their names (cmdline_dirents_free); false when it cannot be
     * read. */
    bool (*list)(void *ctx, const char *dir, CmdDirent **out, size_t *n);
    /* Is there something at path (a folder when it ends in '/')? */
    bool (*exists)(void *ctx, const char *path);
} CmdEnv;

void cmdline_dirents_free(CmdDirent *d, size_t n);

/* Expands c's words as bash does when the command runs: tilde, parameters
 * and variables, word splitting of what unquoted expansions give, globs
 * (pathname expansion, in byte order; a glob that matches nothing stays
 * as it is), quote removal.  Assignments' values get tildes and
 * parameters, neither splitting nor globs, and are made NAME=value (a
 * NAME+=value appended to NAME's value); each sees those before it (a=1
 * b=$a).  A redirection's word that gives no word or several is
 * ambiguous.  A failure (a bad substitution, ${NAME:?}, a form minet does
 * not offer) sets c->error; c's words are then as far as they went.  Does
 * nothing to a command already expanded or with nothing to expand (no $ ~
 * * ? [ ` { typed, no assignment).  Brace expansion comes first
 * (cmdline_brace.c): a{b,c} and {1..3} give several words. */
void cmdline_expand(Cmdline *c, const CmdEnv *env);

/* The index of the '}' that closes the ${ whose '{' is at s[i], or n:
 * quotes inside are skipped, '…' too even within "…", as bash reads it
 * ("${x:-'}'}" is '}'). */
size_t cmdline_brace_end(const char *s, size_t n, size_t i);

/* The words bash's brace expansion makes of raw (a word as typed, quotes
 * kept): 0 when it has no pair of braces that expands (*out untouched);
 * else their number, each allocated in the array *out, which the caller
 * frees.  More than max words, or 2 MiB made on the way: max + 1 and
 * nothing in *out. */
size_t cmdline_braces(const char *raw, size_t max, char ***out);

/* Makes c's words copies of words[0..n), keeping its redirections and
 * assignments (apps_cmd_exe_split). */
void cmdline_set_words(Cmdline *c, const char *const *words, size_t n);

/* Has the word of len bytes as typed at raw anything cmdline_expand
 * expands ($ ~ * ? [ ` {)?  A word without is the same once its quotes
 * are removed. */
bool cmdline_expandable(const char *raw, size_t len);

/* Inside "…", does a backslash escape c (bash(1), QUOTING)? */
bool cmdline_dq_escapable(char c);

/* Is the word a valid name of a variable (bash's identifier)? */
bool cmdline_is_name(const char *s, size_t len);
/* The length of the NAME= or NAME+= at the start of word (an assignment),
 * 0 if it is not one. */
size_t cmdline_assignment(const char *word);

/* Parses line into l (which cmdline_list_fini frees, whatever the outcome).
 * A syntax error or an open quote gives false with bash's message in err
 * (without a newline): "bash: syntax error near unexpected token `|'",
 * "bash: syntax error: unexpected end of file" (a line ending in | && ||,
 * where an interactive bash would ask for more). */
bool cmdline_parse(CmdList *l, const char *line, char *err, size_t size);
void cmdline_list_fini(CmdList *l);

/* Calls fn with each command c of l and its program (its first word that
 * is neither an assignment nor a redirection's; "" for a command of
 * redirections or assignments alone), in order, and alone when the line is
 * that one command and nothing else (no | ; && || &).  fn may note the
 * program it finds in c->program. */
void cmdline_programs(CmdList *l,
                      void (*fn)(void *ctx, Cmdline *c, const char *program, bool alone),
                      void *ctx);

#endif
