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
 * errors.  Not handled: $ expansion, globs, ~, ( ), { }, |& (they are
 * words). */
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
} CmdRedir;

typedef struct Cmdline {
    char **argv; /* argc words, then NULL */
    size_t argc;
    CmdRedir *redir; /* nredir of them, in the order typed (cmdline_parse only) */
    size_t nredir;
    void *mem; /* what argv and its words live in, when their own (cmdline_fini frees it);
                  NULL for a command of a CmdList, whose words live in the list's */
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
    char *text; /* as bash shows the job: words as typed, one blank apart, " | " between */
    CmdOp op;   /* what follows it */
} CmdPipeline;

typedef struct CmdList {
    CmdPipeline *p;
    size_t n; /* 0 for a line of blanks */
} CmdList;

/* text with each $? that bash would expand (not in single quotes, not
 * after a backslash) replaced by status, or NULL when it has none.
 * Allocated. */
char *cmdline_expand_status(const char *text, int status);

/* Parses line into l (which cmdline_list_fini frees, whatever the outcome).
 * A syntax error or an open quote gives false with bash's message in err
 * (without a newline): "bash: syntax error near unexpected token `|'",
 * "bash: syntax error: unexpected end of file" (a line ending in | && ||,
 * where an interactive bash would ask for more). */
bool cmdline_parse(CmdList *l, const char *line, char *err, size_t size);
void cmdline_list_fini(CmdList *l);

/* Checks line as cmdline_parse does, without building the list: when it
 * parses, calls fn with the first word of each command that is not a
 * redirection's (its program; "" for a command of redirections alone), in
 * order, and alone when the line is that one command and nothing else (no
 * | ; && || &); otherwise false with bash's message in err. */
bool cmdline_programs(const char *line, void (*fn)(void *ctx, const char *program, bool alone),
                      void *ctx, char *err, size_t size);

#endif
