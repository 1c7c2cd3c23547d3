/* apps — the programs a student can run, in one table.  Each program is
 * one file with its entry point; it reads its arguments like the real tool,
 * prints through its Proc and ends with proc_exit, possibly much later in
 * simulated time (proc_exit frees its state through Proc.free_state).
 *
 * Adding a program: its file, its entry point below, one row in APPS_TABLE
 * (apps.c).  A program that reads what the student types gives its input
 * handler in the row (shell.h, "programs that read input"); NULL otherwise. */
#ifndef MN_APPS_H
#define MN_APPS_H

#include <stddef.h>

#include "apps/cmdline.h"
#include "apps/shell.h"

typedef void (*AppMainFn)(Proc *p, int argc, char **argv);

typedef struct AppProgram {
    const char *name;
    AppMainFn main;
    ProcInputFn input; /* NULL: the program does not read its input */
} AppProgram;

/* The row of the program called name, or NULL. */
const AppProgram *apps_find(const char *name);
/* The programs' names, in table order (for messages and "did you mean"). */
const char *const *apps_names(size_t *n);
/* A command of a program that comes from Windows (ipconfig) is found as
 * cmd.exe finds it: the name in any case, and ending where a '/' starts,
 * so `ipconfig/displaydns` is `ipconfig /displaydns` and `IPCONFIG /all`
 * is ipconfig.  Rewrites c's words in place; anything else is left alone
 * (bash would say "No such file or directory").  Returns the program c's
 * first word names then (apps_find), or NULL. */
const AppProgram *apps_cmd_exe_split(Cmdline *c);
/* The program cmd.exe finds for a command's first word, as
 * apps_cmd_exe_split finds it ("IPCONFIG/all": ipconfig), or NULL. */
const AppProgram *apps_cmd_exe_find(const char *word);

void ping_main(Proc *p, int argc, char **argv);
void ping_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void traceroute_main(Proc *p, int argc, char **argv);
void dig_main(Proc *p, int argc, char **argv);
void host_main(Proc *p, int argc, char **argv);
void ipconfig_main(Proc *p, int argc, char **argv);
void nslookup_main(Proc *p, int argc, char **argv);
void nslookup_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void telnet_main(Proc *p, int argc, char **argv);
void telnet_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void nc_main(Proc *p, int argc, char **argv);
void nc_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void swaks_main(Proc *p, int argc, char **argv);
void swaks_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void curl_main(Proc *p, int argc, char **argv);
void mail_main(Proc *p, int argc, char **argv);
void mail_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void ftp_main(Proc *p, int argc, char **argv);
void ftp_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void ss_main(Proc *p, int argc, char **argv);
void export_main(Proc *p, int argc, char **argv);
void unset_main(Proc *p, int argc, char **argv);
void printenv_main(Proc *p, int argc, char **argv);
void cd_main(Proc *p, int argc, char **argv);
void pwd_main(Proc *p, int argc, char **argv);
void hostname_main(Proc *p, int argc, char **argv);
void whoami_main(Proc *p, int argc, char **argv);
void netstat_main(Proc *p, int argc, char **argv);
void unbound_control_main(Proc *p, int argc, char **argv);
void mailq_main(Proc *p, int argc, char **argv);
void postqueue_main(Proc *p, int argc, char **argv);
/* The filters of a pipeline (filter.h): they read all of stdin, then print. */
void grep_main(Proc *p, int argc, char **argv);
void sed_main(Proc *p, int argc, char **argv);
void head_main(Proc *p, int argc, char **argv);
void tail_main(Proc *p, int argc, char **argv);
void sort_main(Proc *p, int argc, char **argv);
void uniq_main(Proc *p, int argc, char **argv);
void wc_main(Proc *p, int argc, char **argv);
void cut_main(Proc *p, int argc, char **argv);
void awk_main(Proc *p, int argc, char **argv);
void cat_main(Proc *p, int argc, char **argv);
void echo_main(Proc *p, int argc, char **argv);
void ls_main(Proc *p, int argc, char **argv);
/* files.c */
void mkdir_main(Proc *p, int argc, char **argv);
void rmdir_main(Proc *p, int argc, char **argv);
void rm_main(Proc *p, int argc, char **argv);
void rm_input(Proc *p, ProcInputKind kind, const char *line, size_t len);
void mv_main(Proc *p, int argc, char **argv);

#endif
