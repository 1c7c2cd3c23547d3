/* mail_read_cmds — s-nail 14.9.24's commands as `help` and `list` show
 * them: each command's one-line help, in s-nail's lookup order (a word
 * names the first command it starts: "se" is set, "p" print), and the
 * overview that `help` alone prints.  The texts are s-nail's own; the
 * commands minet's mail runs are in mail_read.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/mail_read.h"
#include "core/util.h"

typedef struct MailCmdHelp {
    const char *name;
    const char *help;
} MailCmdHelp;

static const MailCmdHelp CMDS[] = {
    {"#", "Comment command: ignore remaining (continuable) line"},
    {"-", "Print out the preceding message"},
    {"!", "Execute <shell-command>"},
    {"=", "Show message number of [<msglist>] (or the \"dot\")"},
    {"?", "Show help [[Option] for the given command]]"},
    {"|", "Pipe [<msglist>] to [<command>], honour `ignore' / `retain'"},
    {"alias", "Show all (or <alias>), or append to <alias> :<data>:"},
    {"account", "Create or select <account>, or list all accounts"},
    {"addrcodec", "Mail address <[+[+[+]]]e[ncode]|d[ecode]|s[kin]> <rest-of-line>"},
    {"alternates", "Show or define alternate <address-list> for the invoking user"},
    {"answered", "Mark the given <msglist> as answered"},
    {"bind", "For [<context> (base)], [<show>] or bind <key[:,key:]> [:<data>:]"},
    {"copy", "Copy [<msglist>], but do not mark them for deletion"},
    {"cache", "Read specified <message list> into the IMAP cache"},
    {"call", "Call macro <name> [:<arg>:]"},
    {"call_if", "Call macro <name> like `call', but be silent if non-existent"},
    {"cd", "Change working directory to the specified/the login directory"},
    {"certsave", "Save S/MIME certificates of [<msglist>] to <file>"},
    {"chdir", "Change CWD to the specified/the login directory"},
    {"charsetalias", "Define [:<charset> <charset-alias>:]s, or list mappings"},
    {"colour", "Show colour settings [of <type> (1,8,256,all/*)], or define one"},
    {"commandalias", "Print/create command <alias> [<command>], or list all aliases"},
    {"connect", "If disconnected, connect to IMAP mailbox"},
    {"Copy", "Like `copy', but derive filename from first sender"},
    {"collapse", "Collapse thread views for <msglist>"},
    {"csop", "C-style byte string <operation>s on given :<argument>:"},
    {"cwd", "Print current working directory (CWD)"},
    {"delete", "Delete <msglist>"},
    {"discard", "Add <header-list> to the ignored LIST, or show that list"},
    {"Decrypt", "Like `decrypt', but derive filename from first sender"},
    {"decrypt", "Like `copy', but decrypt first, if encrypted"},
    {"define", "Define a <macro> or show the currently defined ones"},
    {"digmsg", "<create|remove> <-|msgno> [<->] | <-|msgno> <cmd>: message access"},
    {"disconnect", "If connected, disconnect from IMAP mailbox"},
    {"dotmove", "Move the dot up <-> or down <+> by one"},
    {"dp", "Delete the current message, then type the next"},
    {"dt", "Delete the current message, then type the next"},
    {"draft", "Mark <msglist> as draft"},
    {"edit", "Edit <msglist>"},
    {"echo", "Echo arguments, and a trailing newline, to standard output"},
    {"echoerr", "Echo arguments, and a trailing newline, to standard error"},
    {"echon", "Echo arguments to standard output, without a trailing newline"},
    {"echoerrn", "Echo arguments, without a trailing newline, to standard error"},
    {"else", "Part of the if/elif/else/endif statement"},
    {"elif", "Part of the if/elif/else/endif statement"},
    {"endif", "Part of the if/elif/else/endif statement"},
    {"environ", "<link|unlink|set|unset> (an) environment <variable>(s)"},
    {"errors", "Either [<show>] or <clear> the error message ring"},
    {"eval", "Construct command from :<arguments>:, reuse its $? and $!"},
    {"exit", "Immediately return [<status>] to the shell without saving"},
    {"Followup", "Like `Reply', but derive filename from first sender"},
    {"from", "Type (matching) headers of <msglist> (a search specification)"},
    {"File", "Open a new mailbox readonly, or show the current mailbox"},
    {"file", "Open a new <mailbox> or show the current one"},
    {"filetype", "Create [:<extension> <load-cmd> <save-cmd>:] or list file handlers"},
    {"flag", "(Un)Flag <msglist> (for special attention)"},
    {"followup", "Like `reply', but derive filename from first sender"},
    {"Folder", "Open a new mailbox readonly, or show the current mailbox"},
    {"folder", "Open a new <mailbox> or show the current one"},
    {"folders", "List mailboxes below the given or the global folder"},
    {"Forward", "Like `forward', but derive filename from <address>"},
    {"forward", "Forward <message> to <address>"},
    {"followupall", "OBSOLETE: Like `reply', but derive filename from first sender"},
    {"followupsender", "OBSOLETE: Like `Followup', but always reply to the sender only"},
    {"fwddiscard", "OBSOLETE: Obsoleted by `headerpick'"},
    {"fwdignore", "OBSOLETE: Obsoleted by `headerpick'"},
    {"fwdretain", "OBSOLETE: Obsoleted by `headerpick'"},
    {"group", "Show all (or <alias>), or append to <alias> :<data>:"},
    {"ghost", "OBSOLETE: Obsoleted by `commandalias'"},
    {"headers", "Type a page of headers (with the first of <msglist> if given)"},
    {"headerpick", "Header selection: [<context> [<type> [<header-list>]]]"},
    {"help", "Show help [[Option] for the given command]]"},
    {"history", "<[show]|load|save|clear>, <delete> :<NO>:, or re-eval entry <NO>"},
    {"hold", "Save <msglist> in system mailbox instead of *MBOX*"},
    {"if", "Part of the if/elif/else/endif statement"},
    {"ignore", "Add <header-list> to the ignored LIST, or show that list"},
    {"imap", "Send command strings directly to the IMAP server"},
    {"imapcodec", "IMAP mailbox name <e[ncode]|d[ecode]> <rest-of-line>"},
    {"Lfollowup", "Mailing-list followup to the given <msglist>"},
    {"list", "List all commands (in lookup order)"},
    {"localopts", "Localize variable modifications? [<attribute>] <boolean>"},
    {"Lreply", "Mailing-list reply to the given <msglist>"},
    {"Mail", "Like `mail', but derive filename from first recipient"},
    {"mail", "Compose mail; recipients may be given as arguments"},
    {"mailcap", "[<show>], <load> or <clear> the $MAILCAPS cache"},
    {"mbox", "Indicate that <msglist> is to be stored in *MBOX*"},
    {"mimetype", "(Load and) show all known MIME types, or define some"},
    {"mimeview", "Show non-text parts of the given <message>"},
    {"mlist", "Show all known mailing lists or define some"},
    {"mlsubscribe", "Show all mailing list subscriptions or define some"},
    {"More", "Invoke the pager on the given messages"},
    {"more", "Invoke the pager on the given messages"},
    {"Move", "Like `move', but derive filename from first sender"},
    {"move", "Like `copy', but mark messages for deletion"},
    {"mtaaliases", "[<show>], <load> or <clear> the *mta-aliases* cache"},
    {"Mv", "OBSOLETE: Like `move', but derive filename from first sender"},
    {"mv", "OBSOLETE: Like `copy', but mark messages for deletion"},
    {"next", "Goes to the next message (-list) and prints it"},
    {"netrc", "[<show>], <load>, <clear> cache, or <lookup> [USR@]HOST"},
    {"New", "Mark <msglist> as not being read"},
    {"new", "Mark <msglist> as not being read"},
    {"newmail", "Check for new mail in current folder"},
    {"noop", "NOOP command if current `file' is accessed via network"},
    {"Print", "Like `print', but bypass `ignore' / `retain'"},
    {"print", "Type all messages of <msglist>, honouring `ignore' / `retain'"},
    {"Page", "Invoke the pager on the given messages"},
    {"page", "Invoke the pager on the given messages"},
    {"Pipe", "Like `pipe', but do not honour `ignore' / `retain'"},
    {"pipe", "Pipe [<msglist>] to [<command>], honour `ignore' / `retain'"},
    {"preserve", "Save <msglist> in system mailbox instead of *MBOX*"},
    {"quit", "Exit session with [<status>], saving messages as necessary"},
    {"reply", "Reply to originator and recipients of <msglist>"},
    {"read", "Read a line into <variable>(s), split at $ifs"},
    {"readsh", "Read a line input into <variable>(s), split at shell tokens"},
    {"readall", "Read anything from standard input until EOF into <variable>"},
    {"readctl", "[<show>] or <create|set|remove> <spec> read channels"},
    {"remove", "Remove the named folders"},
    {"rename", "Rename <existing-folder> to <new-folder>"},
    {"Reply", "Reply to originator, exclusively"},
    {"Resend", "Like `resend', but do not add Resent-* header lines"},
    {"resend", "Resend <msglist> to <user>, add Resent-* header lines"},
    {"Respond", "Reply to originator, exclusively"},
    {"respond", "Reply to originators and recipients of <msglist>"},
    {"retain", "Add <header-list> to retained list, or show that list"},
    {"return", "Return control from macro [<return value> [<exit status>]]"},
    {"replyall", "OBSOLETE: Reply to originator and recipients of <msglist>"},
    {"replysender", "OBSOLETE: Reply to originator, exclusively"},
    {"respondall", "OBSOLETE: Reply to originators and recipients of <msglist>"},
    {"respondsender", "OBSOLETE: Reply to originator, exclusively"},
    {"Save", "Like `save', but derive filename from first sender"},
    {"save", "Append [<msglist>] to <file>"},
    {"set", "Print all variables, or set (a) <variable>(s)"},
    {"search", "Search for <msglist>, type matching headers"},
    {"Seen", "Mark <msglist> as seen"},
    {"seen", "Mark <msglist> as seen"},
    {"shell", "Invoke an interactive shell"},
    {"shcodec", "Shell quoting: <[+]e[ncode]|d[ecode]> <rest-of-line>"},
    {"shift", "In a `call'ed macro, shift positional parameters"},
    {"shortcut", "Define [:<shortcut> plus <expansion>:], or list shortcuts"},
    {"Show", "Like `Type', but show raw message content of <msglist>"},
    {"show", "Like `type', but show raw message content of <msglist>"},
    {"size", "Show size in bytes for <msglist>"},
    {"sleep", "Sleep for <seconds> [<milliseconds>]"},
    {"source", "Read commands from <file>"},
    {"sort", "Change sorting: date,from,size,spam,status,subject,thread,to"},
    {"source_if", "Like `source', but ignore non-existence"},
    {"spamclear", "Clear the spam flag for each message in <msglist>"},
    {"spamforget", "Force the spam detector to unlearn <msglist>"},
    {"spamham", "Teach the spam detector that <msglist> is ham"},
    {"spamrate", "Rate <msglist> via the spam detector"},
    {"spamset", "Set the spam flag for each message in <msglist>"},
    {"spamspam", "Teach the spam detector that <msglist> is spam"},
    {"saveignore", "OBSOLETE: Obsoleted by `headerpick'"},
    {"savediscard", "OBSOLETE: Obsoleted by `headerpick'"},
    {"saveretain", "OBSOLETE: Obsoleted by `headerpick'"},
    {"Type", "Like `type', but bypass `ignore' / `retain'"},
    {"type", "Type all messages of <msglist>, honouring `ignore' / `retain'"},
    {"tls", "TLS information and management: <command> [<:argument:>]"},
    {"Top", "Like `top', but bypass `ignore' / `retain'"},
    {"top", "Type first *toplines* of all messages in <msglist>"},
    {"touch", "Mark <msglist> for saving in *mbox*"},
    {"thread", "OBSOLETE: Obsoleted by `sort' \"thread\""},
    {"undelete", "Un`delete' <msglist>"},
    {"unalias", "Un`alias' <name-list> (* for all)"},
    {"unaccount", "Delete all given <accounts> (* for all)"},
    {"unalternates", "Delete alternate <address-list> (* for all)"},
    {"unanswered", "Un`answered' <msglist>"},
    {"unbind", "Un`bind' <context> <key[:,key:]> (* for all)"},
    {"uncharsetalias", "Delete <charset-mapping-list> (* for all)"},
    {"uncollapse", "Uncollapse <msglist> if in threaded view"},
    {"uncolour", "Un`colour' <type> <mapping> (* for all) [<precondition>]"},
    {"uncommandalias", "Delete <command-alias-list> (* for all)"},
    {"undefine", "Un`define' all given <macros> (* for all)"},
    {"undraft", "Un`draft' <msglist>"},
    {"unfiletype", "Delete file handler for [:<extension>:] (* for all)"},
    {"unflag", "(Un)Flag <msglist> (for special attention)"},
    {"ungroup", "Un`alias' <name-list> (* for all)"},
    {"unheaderpick", "Header deselection: <context> <type> <header-list>"},
    {"unignore", "Un`ignore' <header-list>"},
    {"unmlist", "Un`mlist' <name-list> (* for all)"},
    {"unmlsubscribe", "Un`mlsubscribe' <name-list> (* for all)"},
    {"unmimetype", "Delete <type>s (reset, * for all; former reinitializes)"},
    {"Unread", "Mark <msglist> as not being read"},
    {"unread", "Mark <msglist> as not being read"},
    {"unretain", "Un`retain' <header-list>"},
    {"unset", "Unset <option-list>"},
    {"unshortcut", "Delete <shortcut-list> (* for all)"},
    {"unsort", "Disable sorted or threaded mode"},
    {"urlcodec", "URL percent <[path]e[ncode]|[path]d[ecode]> <rest-of-line>"},
    {"unfwdignore", "OBSOLETE: Obsoleted by `unheaderpick'"},
    {"unfwdretain", "OBSOLETE: Obsoleted by `unheaderpick'"},
    {"unghost", "OBSOLETE: Obsoleted by `uncommandalias'"},
    {"unsaveignore", "OBSOLETE: Obsoleted by `unheaderpick'"},
    {"unsaveretain", "OBSOLETE: Obsoleted by `unheaderpick'"},
    {"unthread", "OBSOLETE: Obsolete (use `unsort')"},
    {"visual", "Edit <msglist>"},
    {"varshow", "Show some information about the given <variables>"},
    {"verify", "Verify <msglist>"},
    {"version", "Show the version and feature set of the program"},
    {"vexpr", "Evaluate [according to] <operator> [any :<argument>:]"},
    {"vpospar", "Positional parameters: <clear>, <quote>, or <set> from :<arg>:"},
    {"write", "Write (append) [<msglist>] to [<file>]"},
    {"xit", "Immediately return [<status>] to the shell without saving"},
    {"xcall", "Replace currently executing macro with macro <name> [:<arg>:]"},
    {"Z", "Like `z', but continues to the next flagged message"},
    {"z", "Scroll header display as indicated by the argument (0,-,+,$)"},
};

static const char OVERVIEW[] =
    "s-nail commands -- <msglist> denotes message specification tokens, e.g.,\n"
    "1-5, :n, @f@Ulf or . (current, the \"dot\"), separated by *ifs*:\n"
    "\n"
    "type <msglist>         type (`print') messages (honour `headerpick' etc.)\n"
    "Type <msglist>         like `type' but always show all headers\n"
    "next                   goto and type next message\n"
    "headers                header summary ... for messages surrounding \"dot\"\n"
    "search <msglist>       ... for the given expression list (alias for `from')\n"
    "delete <msglist>       delete messages (can be `undelete'd)\n"
    "\n"
    "save <msglist> folder  append messages to folder and mark as saved\n"
    "copy <msglist> folder  like `save', but do not mark them (`move' moves)\n"
    "write <msglist> file   write message contents to file (prompts for parts)\n"
    "Reply <msglist>        reply to message sender(s) only\n"
    "reply <msglist>        like `Reply', but address all recipients\n"
    "Lreply <msglist>       forced mailing list `reply' (see `mlist')\n"
    "\n"
    "mail <recipients>      compose a mail for the given recipients\n"
    "file folder            change to another mailbox\n"
    "File folder            like `file', but open readonly\n"
    "quit                   quit and apply changes to the current mailbox\n"
    "xit or exit            like `quit', but discard changes\n"
    "!shell command         shell escape\n"
    "list                   show all commands (reacts upon *verbose*)\n";

/* The first command in lookup order whose name starts with word. */
static const MailCmdHelp *find(const char *word)
{
    size_t len = strlen(word);
    for (size_t i = 0; i < MN_ARRAY_LEN(CMDS) && len; i++)
        if (strncmp(CMDS[i].name, word, len) == 0)
            return &CMDS[i];
    return NULL;
}

bool mail_read_help(const char *verb, const char *args, Buf *out, Buf *err)
{
    static const char blanks[] = " \t";
    const char *w = args + strspn(args, blanks);
    size_t n = strcspn(w, blanks);
    if (!n) {
        buf_puts(out, OVERVIEW);
        return true;
    }
    char *word = xstrndup(w, n);
    const char *rest = w + n + strspn(w + n, blanks);
    const MailCmdHelp *c = find(word);
    bool ok = false;
    if (*rest) { /* s-nail's error, then the command's synopsis */
        buf_printf(err,
                   "ERROR: %s: takes at least 0, and no more than 1 arg(s)\n"
                   "s-nail: Synopsis: %s: %s",
                   verb, verb, find(verb)->help);
    } else if (!c) {
        buf_printf(err, "Unknown command: `%s'", word);
    } else if (strcmp(word, c->name) == 0) { /* "x (xit): ..." for an abbreviation */
        buf_printf(out, "%s: %s\n", c->name, c->help);
        ok = true;
    } else {
        buf_printf(out, "%s (%s): %s\n", word, c->name, c->help);
        ok = true;
    }
    free(word);
    return ok;
}

void mail_read_cmd_list(Buf *out)
{
    buf_puts(out, "Commands are:\n");
    size_t col = 0, n = MN_ARRAY_LEN(CMDS);
    for (size_t i = 0; i < n; i++) {
        /* s-nail's c_list: "name, " each, a new line once a line would
         * pass 72 columns */
        size_t w = strlen(CMDS[i].name) + (i + 1 < n ? 2 : 0);
        if ((col += w) > 72) {
            buf_putc(out, '\n');
            col = w;
        }
        buf_puts(out, CMDS[i].name);
        if (i + 1 < n)
            buf_puts(out, ", ");
    }
    buf_putc(out, '\n');
}
