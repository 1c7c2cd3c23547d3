/* cmdline — splits a command line into words as bash does, before any
 * expansion: blanks separate words; '…' keeps everything literally; "…"
 * keeps everything but \" \\ \$ \` and \<newline>, which lose their
 * backslash; a backslash outside quotes escapes the next character; quoted
 * and unquoted parts next to each other join into one word (a"b c"d is
 * `ab cd`); "" is an empty word.
 *
 * Not (yet) handled: $ expansion, globs, ~, and the operators | ; && &
 * (they are words for now; a later parser adds them on top of this one). */
#ifndef MN_CMDLINE_H
#define MN_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Cmdline {
    char **argv; /* argc words, then NULL */
    size_t argc;
} Cmdline;

/* Splits line into c (which cmdline_fini frees, whatever the outcome).
 * An unterminated quote gives false, with bash's message in err (without
 * a newline), e.g. "bash: unexpected EOF while looking for matching `\"'";
 * c then holds the words up to and including the unterminated one, so a
 * caller can still name the program. */
bool cmdline_split(Cmdline *c, const char *line, char *err, size_t size);
void cmdline_fini(Cmdline *c);

#endif
