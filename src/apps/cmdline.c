#include "cmdline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Inside "…", a backslash only escapes these (bash(1), QUOTING). */
static bool dq_escapable(char c)
{
    return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

static void add_word(Cmdline *c, Buf *w)
{
    c->argv = xrealloc(c->argv, (c->argc + 2) * sizeof *c->argv);
    c->argv[c->argc++] = xstrdup(w->data ? w->data : "");
    c->argv[c->argc] = NULL;
    buf_clear(w);
}

bool cmdline_split(Cmdline *c, const char *line, char *err, size_t size)
{
    c->argv = xcalloc(1, sizeof *c->argv);
    c->argc = 0;
    Buf w;
    buf_init(&w);
    bool in_word = false;
    char open = 0; /* the quote still open, 0 if none */
    for (const char *s = line; *s; s++) {
        if (open == '\'') {
            if (*s == '\'')
                open = 0;
            else
                buf_putc(&w, *s);
            continue;
        }
        if (open == '"') {
            if (*s == '"')
                open = 0;
            else if (*s == '\\' && dq_escapable(s[1])) {
                if (s[1] != '\n')
                    buf_putc(&w, s[1]);
                s++;
            } else
                buf_putc(&w, *s);
            continue;
        }
        if (is_blank(*s)) {
            if (in_word)
                add_word(c, &w);
            in_word = false;
            continue;
        }
        if (*s == '\\' && s[1] == '\n') { /* a continued line */
            s++;
            continue;
        }
        in_word = true;
        if (*s == '\'' || *s == '"')
            open = *s;
        else if (*s == '\\' && s[1])
            buf_putc(&w, *++s);
        else /* a backslash at the very end stays, as bash -c 'echo a\' prints a\ */
            buf_putc(&w, *s);
    }
    if (in_word)
        add_word(c, &w);
    buf_fini(&w);
    if (open) {
        snprintf(err, size, "bash: unexpected EOF while looking for matching `%c'", open);
        return false;
    }
    return true;
}

void cmdline_fini(Cmdline *c)
{
    for (size_t i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    c->argv = NULL;
    c->argc = 0;
}
