/* libFuzzer target for the interactive clients a student types into: the
 * first byte picks mail over POP3, mail over IMAP, ftp, telnet to the POP3
 * or IMAP port, or curl with a fuzzed URL; the rest is the lines typed
 * into it (split at LF, at most 64), run as a script line's input on a
 * laptop of a small network with a mail server (bob's three messages) and
 * an FTP server (alice's files).  Each run has a budget (an hour of
 * simulated time, 200,000 events): a program may refuse what it is typed
 * in any way the real one does, but not crash, leak, overflow or spin.
 *
 *   make fuzz        (or build/fuzz/fuzz_clients CORPUS tests/fuzz/seeds/fuzz_clients) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "io/scenario.h"
#include "fuzz_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char world_json[] =
    "{\"minet\": 1, \"title\": \"fuzz\", \"start\": \"2023-09-11T10:00:00Z\", \"nodes\": ["
    "{\"id\": \"laptop\", \"role\": \"host\", \"ip\": \"10.0.0.10\", \"user\": \"alice\","
    " \"files\": {\"/home/alice/up.txt\": \"one\\ntwo\\n\"},"
    " \"mail\": {\"address\": \"bob@hamburger.edu\", \"server\": \"10.0.1.25\","
    " \"password\": \"hungry\", \"read\": \"pop3\"}},"
    "{\"id\": \"gw\", \"role\": \"router\", \"ip\": [\"10.0.0.1\", \"10.0.1.1\", \"10.0.2.1\"]},"
    "{\"id\": \"mail\", \"role\": \"mail\", \"ip\": \"10.0.1.25\","
    " \"domains\": [\"hamburger.edu\"], \"users\": {\"bob\": {\"password\": \"hungry\"}},"
    " \"mailboxes\": {\"bob\": ["
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"Hello\", \"body\": \"Hi\\n.\\nBob\\n\"},"
    "{\"from\": \"alice@crepes.fr\", \"subject\": \"Two\", \"body\": \"x\\n\"},"
    "{\"from\": \"carol@crepes.fr\", \"subject\": \"Three\", \"body\": \"\"}]}},"
    "{\"id\": \"ftp\", \"role\": \"ftp\", \"ip\": \"10.0.2.21\", \"anonymous\": true,"
    " \"users\": {\"alice\": {\"password\": \"a\"}},"
    " \"files\": {\"/home/alice/n.txt\": \"hi\\n\", \"/home/alice/d/e.txt\": \"e\\n\","
    " \"/srv/ftp/pub/r\": \"r\\n\"}}],"
    "\"links\": [{\"between\": [\"laptop\", \"gw\"]}, {\"between\": [\"gw\", \"mail\"]},"
    " {\"between\": [\"gw\", \"ftp\"]}]}";

/* The program; for curl the first typed line is the rest of its command. */
static const char *const programs[] = {"mail",
                                       "mail -f imap://bob@10.0.1.25",
                                       "ftp 10.0.2.21",
                                       "telnet 10.0.1.25 110",
                                       "telnet 10.0.1.25 143",
                                       "curl -v "};

#define MAX_LINES     64
#define BUDGET_EVENTS 200000
#define BUDGET_TIME   ((SimTime)3600 * 1000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    size_t which = data[0] % MN_ARRAY_LEN(programs);
    const char *text = (const char *)data + 1;
    size_t len = strnlen(text, size - 1); /* a NUL ends the input */

    ScriptInput *input = xcalloc(MAX_LINES, sizeof *input);
    size_t n_input = 0;
    char *run = NULL;
    for (size_t at = 0; at <= len && n_input < MAX_LINES;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *line = xstrndup(text + at, end - at);
        if (which == MN_ARRAY_LEN(programs) - 1 && !run) {
            run = xasprintf("%s%s", programs[which], line); /* curl's URL and options */
            free(line);
        } else {
            input[n_input++] = (ScriptInput){.at = -1, .text = line};
        }
        if (!nl)
            break;
        at = end + 1;
    }
    if (!run)
        run = xstrdup(programs[which]);

    Errors errs;
    errors_init(&errs);
    World *w = scenario_load_mem("fuzz.json", "/nonexistent-minet-fuzz", world_json,
                                 sizeof world_json - 1, &errs);
    if (!w)
        abort(); /* the fixed world must load */
    w->script = xmalloc(sizeof *w->script);
    w->script[0] = (ScriptLine){
        .at = 1000000, .node = 0, .run = run, .own_run = true, .input = input, .n_input = n_input};
    w->n_script = 1;

    fuzz_run_script(w, BUDGET_EVENTS, BUDGET_TIME);
    errors_fini(&errs);
    return 0;
}
