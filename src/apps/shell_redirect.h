/* The shell's redirections: inside the shell only (shell.c). */
#ifndef MN_SHELL_REDIRECT_H
#define MN_SHELL_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>

#include "apps/cmdline.h"
#include "apps/shell.h"

/* Carries out c's redirections in the order typed, as bash does before it
 * runs the program: `< FILE` is its input; `> FILE`, `>| FILE`, `>> FILE`
 * (after a descriptor, 2> FILE) and `&> FILE`, `&>> FILE`, `>& FILE` (both
 * outputs) send them to a file, made or emptied at once; `2>&1` and `1>&2`
 * send one where the other goes now.  False, with the message in err and
 * the exit status in *status, when bash cannot (or minet does not) do it;
 * the files made before stay made, as with bash. */
bool shell_open_redirects(Sim *sim, Proc *p, const Cmdline *c, char *err, size_t size, int *status);

#endif
