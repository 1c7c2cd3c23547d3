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

/* Inside quotes, takes the character at *sp into w as bash does (and the
 * one after a backslash that escapes it) and closes the quote at its end;
 * false outside quotes. */
static bool take_quoted(char *open, const char **sp, Buf *w)
{
    const char *s = *sp;
    if (*open == '\'') {
        if (*s == '\'')
            *open = 0;
        else
            buf_putc(w, *s);
        return true;
    }
    if (*open != '"')
        return false;
    if (*s == '"') {
        *open = 0;
    } else if (*s == '\\' && dq_escapable(s[1])) {
        if (s[1] != '\n')
            buf_putc(w, s[1]);
        *sp = s + 1;
    } else {
        buf_putc(w, *s);
    }
    return true;
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
        if (take_quoted(&open, &s, &w))
            continue;
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

/* ---- lists and pipelines ------------------------------------------------ */

typedef struct Tok {
    char *word; /* NULL for an operator */
    const char *op;
    char *raw; /* the word as typed */
} Tok;

/* The operator at s, or NULL: longest first, as bash's tokenizer reads. */
static const char *op_at(const char *s)
{
    static const char *const ops[] = {"||", "|", "&&", "&", ";;", ";"};
    if (*s != '|' && *s != '&' && *s != ';')
        return NULL; /* what every operator starts with: most characters are not */
    for (size_t i = 0; i < MN_ARRAY_LEN(ops); i++)
        if (strncmp(s, ops[i], strlen(ops[i])) == 0)
            return ops[i];
    return NULL;
}

static void push_tok(Tok **t, size_t *n, char *word, const char *op, char *raw)
{
    *t = xrealloc(*t, (*n + 1) * sizeof **t);
    (*t)[(*n)++] = (Tok){word, op, raw};
}

/* Splits line into words and operators; false on an open quote. */
static bool tokenize(const char *line, Tok **toks, size_t *n, char *err, size_t size)
{
    Buf w;
    buf_init(&w);
    bool in_word = false;
    char open = 0;
    const char *start = line;
    const char *s = line;
    for (; *s; s++) {
        if (take_quoted(&open, &s, &w))
            continue;
        const char *op = op_at(s);
        if (is_blank(*s) || op) {
            if (in_word) {
                push_tok(toks, n, xstrdup(w.data ? w.data : ""), NULL,
                         xstrndup(start, (size_t)(s - start)));
                buf_clear(&w);
            }
            in_word = false;
            if (op) {
                push_tok(toks, n, NULL, op, NULL);
                s += strlen(op) - 1;
            }
            continue;
        }
        if (*s == '\\' && s[1] == '\n') {
            s++;
            continue;
        }
        if (!in_word)
            start = s;
        in_word = true;
        if (*s == '\'' || *s == '"')
            open = *s;
        else if (*s == '\\' && s[1])
            buf_putc(&w, *++s);
        else
            buf_putc(&w, *s);
    }
    if (in_word)
        push_tok(toks, n, xstrdup(w.data ? w.data : ""), NULL,
                 xstrndup(start, (size_t)(s - start)));
    buf_fini(&w);
    if (open) {
        snprintf(err, size, "bash: unexpected EOF while looking for matching `%c'", open);
        return false;
    }
    return true;
}

static CmdOp op_kind(const char *op)
{
    if (!strcmp(op, ";"))
        return CMD_SEQ;
    if (!strcmp(op, "&&"))
        return CMD_AND;
    if (!strcmp(op, "||"))
        return CMD_OR;
    return CMD_BG;
}

static CmdPipeline *new_pipeline(CmdList *l)
{
    l->p = xrealloc(l->p, (l->n + 1) * sizeof *l->p);
    CmdPipeline *p = &l->p[l->n++];
    memset(p, 0, sizeof *p);
    return p;
}

static Cmdline *new_command(CmdPipeline *p)
{
    p->cmds = xrealloc(p->cmds, (p->n + 1) * sizeof *p->cmds);
    Cmdline *c = &p->cmds[p->n++];
    c->argv = xcalloc(1, sizeof *c->argv);
    c->argc = 0;
    return c;
}

/* Builds the list from the tokens, as bash's grammar does for simple
 * commands; false with bash's message on a syntax error. */
static bool build(CmdList *l, const Tok *t, size_t n, char *err, size_t size)
{
    CmdPipeline *p = NULL;
    Cmdline *c = NULL;
    Buf text;
    buf_init(&text);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (t[i].word) {
            if (!p)
                p = new_pipeline(l);
            if (!c)
                c = new_command(p);
            c->argv = xrealloc(c->argv, (c->argc + 2) * sizeof *c->argv);
            c->argv[c->argc++] = xstrdup(t[i].word);
            c->argv[c->argc] = NULL;
            if (text.len && text.data[text.len - 1] != ' ')
                buf_putc(&text, ' ');
            buf_puts(&text, t[i].raw);
            continue;
        }
        if (!c || !strcmp(t[i].op, ";;")) {
            snprintf(err, size, "bash: syntax error near unexpected token `%s'", t[i].op);
            ok = false;
            break;
        }
        c = NULL;
        if (!strcmp(t[i].op, "|")) {
            buf_puts(&text, " | ");
            continue;
        }
        p->op = op_kind(t[i].op);
        p->text = buf_take(&text);
        p = NULL;
    }
    if (ok && p && !c) { /* ended after | (and && or ||: p is NULL then) */
        snprintf(err, size, "bash: syntax error: unexpected end of file");
        ok = false;
    }
    if (ok && !p && l->n && (l->p[l->n - 1].op == CMD_AND || l->p[l->n - 1].op == CMD_OR)) {
        snprintf(err, size, "bash: syntax error: unexpected end of file");
        ok = false;
    }
    if (p && !p->text)
        p->text = buf_take(&text);
    buf_fini(&text);
    return ok;
}

bool cmdline_parse(CmdList *l, const char *line, char *err, size_t size)
{
    l->p = NULL;
    l->n = 0;
    Tok *t = NULL;
    size_t n = 0;
    bool ok = tokenize(line, &t, &n, err, size) && build(l, t, n, err, size);
    for (size_t i = 0; i < n; i++) {
        free(t[i].word);
        free(t[i].raw);
    }
    free(t);
    return ok;
}

void cmdline_list_fini(CmdList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (size_t j = 0; j < l->p[i].n; j++)
            cmdline_fini(&l->p[i].cmds[j]);
        free(l->p[i].cmds);
        free(l->p[i].text);
    }
    free(l->p);
    l->p = NULL;
    l->n = 0;
}
