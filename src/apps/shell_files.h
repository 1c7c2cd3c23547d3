/* A program's file operands (proc_read_files): read from the node's files,
 * or its standard input for "-", and handed to the program together once
 * all have come.  Inside the shell only (shell.c, shell_files.c). */
#ifndef MN_SHELL_FILES_H
#define MN_SHELL_FILES_H

#include <stdint.h>

#include "apps/shell.h"

struct ProcFiles;

/* Frees what proc_read_files kept for a process (NULL: nothing). */
void shell_files_free(struct ProcFiles *pf);

/* The running process with this id, or NULL once it has ended. */
Proc *shell_find_proc(Sim *sim, uint64_t id);

#endif
