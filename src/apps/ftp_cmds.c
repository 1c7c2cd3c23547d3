/* ftp_cmds — tnftp's command table and how it reads a command line:
 * the names (for abbreviations: "bi" is binary, "a" is ambiguous), each
 * one's help line, `help` itself, and makeargv's splitting of a line into
 * words.  The table is tnftp 20210827's cmdtab.c, in its order; the
 * commands minet's ftp runs are in ftp.c. */
#include <stdlib.h>
#include <string.h>

#include "apps/ftp_int.h"

typedef struct FtpCmdHelp {
    const char *name;
    const char *help;
} FtpCmdHelp;

static const FtpCmdHelp CMDTAB[] = {
    {"!", "escape to the shell"},
    {"$", "execute macro"},
    {"account", "send account command to remote server"},
    {"append", "append to a file"},
    {"ascii", "set ascii transfer type"},
    {"bell", "beep when command completed"},
    {"binary", "set binary transfer type"},
    {"bye", "terminate ftp session and exit"},
    {"case", "toggle mget upper/lower case id mapping"},
    {"cd", "change remote working directory"},
    {"cdup", "change remote working directory to parent directory"},
    {"chmod", "change file permissions of remote file"},
    {"close", "terminate ftp session"},
    {"cr", "toggle carriage return stripping on ascii gets"},
    {"debug", "toggle/set debugging mode"},
    {"delete", "delete remote file"},
    {"dir", "list contents of remote path"},
    {"disconnect", "terminate ftp session"},
    {"edit", "toggle command line editing"},
    {"epsv", "toggle use of EPSV/EPRT on both IPv4 and IPV6 ftp"},
    {"epsv4", "toggle use of EPSV/EPRT on IPv4 ftp"},
    {"epsv6", "toggle use of EPSV/EPRT on IPv6 ftp"},
    {"exit", "terminate ftp session and exit"},
    {"features", "show FEATures supported by remote system"},
    {"fget", "get files using a localfile as a source of names"},
    {"form", "set file transfer format"},
    {"ftp", "connect to remote ftp server"},
    {"gate", "toggle gate-ftp; specify host[:port] to change proxy"},
    {"get", "receive file"},
    {"glob", "toggle metacharacter expansion of local file names"},
    {"hash", "toggle printing `#' marks; specify number to set size"},
    {"help", "print local help information"},
    {"idle", "get (set) idle timer on remote side"},
    {"image", "set binary transfer type"},
    {"lcd", "change local working directory"},
    {"less", "view a remote file through your pager"},
    {"lpage", "view a local file through your pager"},
    {"lpwd", "print local working directory"},
    {"ls", "list contents of remote path"},
    {"macdef", "define a macro"},
    {"mdelete", "delete multiple files"},
    {"mdir", "list contents of multiple remote directories"},
    {"mget", "get multiple files"},
    {"mkdir", "make directory on the remote machine"},
    {"mls", "list contents of multiple remote directories"},
    {"mlsd", "list contents of remote directory in a machine parsable form"},
    {"mlst", "list remote path in a machine parsable form"},
    {"mode", "set file transfer mode"},
    {"modtime", "show last modification time of remote file"},
    {"more", "view a remote file through your pager"},
    {"mput", "send multiple files"},
    {"mreget", "get multiple files restarting at end of local file"},
    {"msend", "send multiple files"},
    {"newer", "get file if remote file is newer than local file "},
    {"nlist", "list contents of remote path"},
    {"nmap", "set templates for default file name mapping"},
    {"ntrans", "set translation table for default file name mapping"},
    {"open", "connect to remote ftp server"},
    {"page", "view a remote file through your pager"},
    {"passive", "toggle use of passive transfer mode"},
    {"pdir", "list contents of remote path through your pager"},
    {"pls", "list contents of remote path through your pager"},
    {"pmlsd", "list contents of remote directory in a machine parsable form through your pager"},
    {"preserve", "toggle preservation of modification time of retrieved files"},
    {"progress", "toggle transfer progress meter"},
    {"prompt", "force interactive prompting on multiple commands"},
    {"proxy", "issue command on alternate connection"},
    {"put", "send one file"},
    {"pwd", "print working directory on remote machine"},
    {"quit", "terminate ftp session and exit"},
    {"quote", "send arbitrary ftp command"},
    {"rate", "set transfer rate limit (in bytes/second)"},
    {"rcvbuf", "set socket send/receive buffer size"},
    {"recv", "receive file"},
    {"reget", "get file restarting at end of local file"},
    {"remopts", "show or set options for remote commands"},
    {"rename", "rename file"},
    {"reset", "clear queued command replies"},
    {"restart", "restart file transfer at bytecount"},
    {"rhelp", "get help from remote server"},
    {"rmdir", "remove directory on the remote machine"},
    {"rstatus", "show status of remote machine"},
    {"runique", "toggle store unique for local files"},
    {"send", "send one file"},
    {"sendport", "toggle use of PORT/LPRT cmd for each data connection"},
    {"set", "set or display options"},
    {"site", "send site specific command to remote server\n"
             "\t\tTry \"rhelp site\" or \"site help\" for more information"},
    {"size", "show size of remote file"},
    {"sndbuf", "set socket send/receive buffer size"},
    {"status", "show current status"},
    {"struct", "set file transfer structure"},
    {"sunique", "toggle store unique on remote machine"},
    {"system", "show remote system type"},
    {"tenex", "set tenex file transfer type"},
    {"throttle", "set transfer rate limit (in bytes/second)"},
    {"trace", "toggle packet tracing"},
    {"type", "set file transfer type"},
    {"umask", "get (set) umask on remote side"},
    {"unset", "unset an option"},
    {"usage", "show command usage"},
    {"user", "send new user information"},
    {"verbose", "toggle verbose mode"},
    {"xferbuf", "set socket send/receive buffer size"},
    {"?", "print local help information"},
};

/* The row a typed word names: itself, or the one command it abbreviates;
 * NULL and *ambiguous when it abbreviates several. */
static const FtpCmdHelp *find_row(const char *word, bool *ambiguous)
{
    const FtpCmdHelp *found = NULL;
    size_t len = strlen(word);
    *ambiguous = false;
    for (size_t i = 0; i < MN_ARRAY_LEN(CMDTAB); i++) {
        if (strcmp(CMDTAB[i].name, word) == 0)
            return &CMDTAB[i];
        if (strncmp(CMDTAB[i].name, word, len) == 0) {
            if (found)
                *ambiguous = true;
            found = &CMDTAB[i];
        }
    }
    return *ambiguous ? NULL : found;
}

const char *ftp_cmd_find(const char *word, bool *ambiguous)
{
    const FtpCmdHelp *c = find_row(word, ambiguous);
    return c ? c->name : NULL;
}

/* tnftp's list_vertical for an 80-column terminal: the names in columns,
 * top to bottom, each column a multiple of 8 wide, padded with tabs. */
static void list_names(Ftp *f)
{
    size_t n = MN_ARRAY_LEN(CMDTAB), width = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = strlen(CMDTAB[i].name);
        width = w > width ? w : width;
    }
    width = (width + 8) & ~(size_t)7;
    size_t columns = 80 / width ? 80 / width : 1;
    size_t lines = (n + columns - 1) / columns;
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < lines; i++) {
        for (size_t j = 0; j < columns; j++) {
            const char *p = j * lines + i < n ? CMDTAB[j * lines + i].name : NULL;
            if (p)
                buf_puts(&b, p);
            if (j * lines + i + lines >= n) {
                buf_putc(&b, '\n');
                break;
            }
            for (size_t w = p ? strlen(p) : width; w < width; w = (w + 8) & ~(size_t)7)
                buf_putc(&b, '\t');
        }
    }
    proc_printf(f->p, CON_STDOUT, "%s", b.data);
    buf_fini(&b);
}

void ftp_help(Ftp *f, size_t argc, char **argv)
{
    if (argc == 1) {
        proc_printf(f->p, CON_STDOUT, "Commands may be abbreviated.  Commands are:\n\n");
        list_names(f);
        return;
    }
    /* tnftp's HELPINDENT: sizeof("disconnect"), the longest name and its NUL */
    int indent = (int)sizeof "disconnect";
    for (size_t i = 1; i < argc; i++) {
        bool ambiguous;
        const FtpCmdHelp *c = find_row(argv[i], &ambiguous);
        if (c)
            proc_printf(f->p, CON_STDOUT, "%-*s\t%s\n", indent, c->name, c->help);
        else
            proc_printf(f->p, CON_STDOUT, "?%s %s command `%s'\n",
                        ambiguous ? "Ambiguous" : "Invalid", argv[0], argv[i]);
    }
}

/* ---- makeargv ---------------------------------------------------------------------- */

size_t ftp_makeargv(const char *line, char ***argvp)
{
    size_t n = 0, cap = 8;
    char **argv = xcalloc(cap + 1, sizeof *argv);
    const char *s = line;
    /* a '!' or '$' that starts the line is a word of its own: the shell
     * escape and a macro's call ("!ls" is "!" then "ls") */
    if (*s == '!' || *s == '$') {
        argv[n++] = xstrndup(s, 1);
        s++;
    }
    Buf w;
    buf_init(&w);
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        /* a word: \ takes the next character as it is, "…" keeps blanks
         * (an open quote runs to the end of the line); ' is an ordinary
         * character. */
        bool got = false;
        buf_clear(&w);
        while (*s && *s != ' ' && *s != '\t') {
            if (*s == '\\') {
                if (!*++s)
                    break;
                buf_putc(&w, *s++);
                got = true;
            } else if (*s == '"') {
                for (s++; *s && *s != '"'; s++, got = true)
                    buf_putc(&w, *s);
                if (*s)
                    s++;
            } else {
                buf_putc(&w, *s++);
                got = true;
            }
        }
        if (!got) /* tnftp's makeargv stops at an empty word */
            break;
        if (n == cap) {
            cap *= 2;
            argv = xrealloc(argv, (cap + 1) * sizeof *argv);
        }
        argv[n++] = xstrndup(w.data, w.len);
        argv[n] = NULL;
    }
    buf_fini(&w);
    *argvp = argv;
    return n;
}

void ftp_freeargv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}
