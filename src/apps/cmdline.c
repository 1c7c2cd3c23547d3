#include "cmdline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

bool cmdline_dq_escapable(char c)
{
    return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

/* ---- scanning ------------------------------------------------------------ */

/* The characters that are not simply part of a word outside quotes:
 * blanks, quotes, the backslash, what operators start with, and the NUL
 * that ends the line. */
static const bool special[256] = {
    ['\0'] = true, [' '] = true,  ['\t'] = true, ['\n'] = true, ['\''] = true,
    ['"'] = true,  ['\\'] = true, ['|'] = true,  ['&'] = true,  [';'] = true,
    ['<'] = true,  ['>'] = true,  ['$'] = true,  ['`'] = true,
};

/* The end of the group that starts at c: the '}' of ${…}, the ')' of
 * $(…), the closing '`' of `…`, the quote of $'…' (c at the '$' or the
 * first '`'), or NULL when the line ends first, with *want the character
 * bash then says it looked for (the innermost open one).  Quotes and
 * backslashes inside are skipped, and nested groups counted, as bash reads
 * them: in ${…} even within "…", a '…' is a quote ("${x:-'}'}").  Groups
 * nested more than GROUP_NEST_MAX deep give NULL with *want 0: the
 * expansions that read them again recurse as deep. */
#define GROUP_NEST_MAX 100

static const char *group_end_at(const char *c, char *want, int nest)
{
    if (nest >= GROUP_NEST_MAX) {
        *want = 0;
        return NULL;
    }
    if (*c == '$' && c[1] == '\'') { /* $'…': a backslash escapes a quote too */
        for (c += 2; *c; c++) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '\'')
                return c;
        }
        *want = '\'';
        return NULL;
    }
    if (*c == '`') {
        for (c++; *c; c++) {
            if (*c == '\\' && c[1])
                c++;
            else if (*c == '`')
                return c;
        }
        *want = '`';
        return NULL;
    }
    char open = c[1], close = open == '{' ? '}' : ')';
    int depth = 0;
    for (c++; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
        } else if (*c == '\'') {
            const char *e = strchr(c + 1, '\'');
            if (!e) {
                *want = '\'';
                return NULL;
            }
            c = e;
        } else if (*c == '"') {
            for (c++; *c && *c != '"'; c++)
                if (*c == '\\' && c[1])
                    c++;
                else if ((*c == '$' && (c[1] == '{' || c[1] == '(')) || *c == '`')
                    if (!(c = group_end_at(c, want, nest + 1)))
                        return NULL;
            if (!*c) {
                *want = '"';
                return NULL;
            }
        } else if ((*c == '$' && (c[1] == '{' || c[1] == '(' || c[1] == '\'')) || *c == '`') {
            if (!(c = group_end_at(c, want, nest + 1)))
                return NULL;
        } else if (*c == open) {
            depth++;
        } else if (*c == close && --depth == 0) {
            return c;
        }
    }
    *want = close;
    return NULL;
}

static const char *group_end(const char *c, char *want)
{
    return group_end_at(c, want, 0);
}

/* Is c where a ${…}, $(…), `…` or (outside "…") $'…' starts? */
static bool group_starts(const char *c, bool in_dq)
{
    return (*c == '$' && (c[1] == '{' || c[1] == '(' || (c[1] == '\'' && !in_dq))) || *c == '`';
}

/* A word (its bytes as bash reads them, and the text as typed) or an
 * operator. */
typedef struct Tok {
    const char *op;  /* the operator, or NULL for a word */
    size_t at, len;  /* a word's bytes: len of them at Scan.bytes + at */
    const char *raw; /* a word as typed: raw_len bytes of the line */
    size_t raw_len;
    int fd;       /* a redirection's file descriptor as typed (2 in 2>), -1 if none */
    bool expands; /* a word with something to expand (cmdline_expandable) */
} Tok;

/* The tokens of a line.  A word's bytes are never more than the
 * characters typed for it, and a blank or an operator comes between two
 * words, so the line's length and one byte bound them all, each word's
 * NUL included.  Most
 * lines are short: their tokens and bytes fit in the arrays here, and
 * scanning them allocates nothing. */
typedef struct Scan {
    Tok *t;
    size_t n, cap;
    char *bytes; /* every word's bytes, one after the other, a NUL after each */
    size_t used;
    Tok t_small[32];
    char bytes_small[256];
} Scan;

/* The operator at s, or NULL: longest first, as bash's tokenizer reads. */
static const char *op_at(const char *s)
{
    static const char *const ops[] = {"||", "|&", "|",  "&&", "&>>", "&>", "&",  ";;", ";",
                                      ">>", ">|", ">&", ">",  "<<<", "<<", "<&", "<>", "<"};
    if (*s != '|' && *s != '&' && *s != ';' && *s != '<' && *s != '>')
        return NULL; /* what every operator starts with: most characters are not */
    for (size_t i = 0; i < MN_ARRAY_LEN(ops); i++)
        if (strncmp(s, ops[i], strlen(ops[i])) == 0)
            return ops[i];
    return NULL;
}

/* Is op a redirection (the word after it is its file)? */
static bool is_redir(const char *op)
{
    return op && (op[0] == '<' || op[0] == '>' || (op[0] == '&' && op[1] == '>'));
}

static void push(Scan *s, Tok t)
{
    if (s->n == s->cap) {
        s->cap *= 2;
        if (s->t == s->t_small) {
            s->t = xmalloc(s->cap * sizeof *s->t);
            memcpy(s->t, s->t_small, sizeof s->t_small);
        } else {
            s->t = xrealloc(s->t, s->cap * sizeof *s->t);
        }
    }
    s->t[s->n++] = t;
}

/* The characters cmdline_expand acts on in a word as typed. */
static const bool expand_char[256] = {
    ['$'] = true, ['~'] = true, ['*'] = true, ['?'] = true,
    ['['] = true, ['`'] = true, ['{'] = true,
};

bool cmdline_expandable(const char *raw, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (expand_char[(unsigned char)raw[i]])
            return true;
    return false;
}

/* The word whose bytes began at at in b, typed from start to end: its
 * token, and a NUL after its bytes. */
static void end_word(Scan *s, char *b, size_t *used, size_t at, const char *start, const char *end)
{
    size_t len = (size_t)(end - start);
    push(s, (Tok){NULL, at, *used - at, start, len, -1, cmdline_expandable(start, len)});
    b[(*used)++] = '\0';
}

static void scan_fini(Scan *s)
{
    if (s->t != s->t_small)
        free(s->t);
    if (s->bytes != s->bytes_small)
        free(s->bytes);
}

/* A ${, $(, $' or ` that the line does not close: bash's message, as for an
 * open quote, naming what it looked for last. */
static bool group_open(Scan *s, char want, size_t used, char *err, size_t size)
{
    s->used = used;
    if (!want)
        snprintf(err, size,
                 "minet: ${…}, $(…) and `…` nest more than %d deep here (minet's shell "
                 "reads none deeper)",
                 GROUP_NEST_MAX);
    else
        snprintf(err, size, "bash: unexpected EOF while looking for matching `%c'", want);
    return false;
}

/* Splits line into words, and with ops into operators too, as bash reads
 * a command line: then a '#' that starts a word starts a comment, to the
 * end of the line.  An open quote gives false with bash's message in err;
 * the tokens then end with the unterminated word. */
static bool scan(Scan *s, const char *line, bool ops, char *err, size_t size)
{
    size_t len = strlen(line);
    s->t = s->t_small;
    s->n = 0;
    s->cap = MN_ARRAY_LEN(s->t_small);
    s->bytes = len < sizeof s->bytes_small ? s->bytes_small : xmalloc(len + 1);
    char *b = s->bytes; /* written through locals: a char store may alias *s */
    size_t used = 0;
    bool in_word = false;
    char open = 0;            /* the quote still open, 0 if none */
    const char *start = line; /* where the word began */
    size_t at = 0;            /* where its bytes begin */
    const char *c = line;
    for (; *c; c++) {
        if (open == '\'') {
            if (*c == '\'')
                open = 0;
            else
                b[used++] = *c;
            continue;
        }
        if (open == '"') {
            if (*c == '"') {
                open = 0;
            } else if (group_starts(c, true)) {
                char want;
                const char *e = group_end(c, &want);
                if (!e)
                    return group_open(s, want, used, err, size);
                memcpy(b + used, c, (size_t)(e - c) + 1);
                used += (size_t)(e - c) + 1;
                c = e;
            } else if (*c == '\\' && cmdline_dq_escapable(c[1])) {
                if (c[1] != '\n')
                    b[used++] = c[1];
                c++;
            } else {
                b[used++] = *c;
            }
            continue;
        }
        if (ops && !in_word && *c == '#') { /* a comment, to the end of the line */
            while (c[1] && c[1] != '\n')
                c++;
            continue;
        }
        if (!special[(unsigned char)*c]) { /* most characters: part of a word */
            if (!in_word) {
                start = c;
                at = used;
                in_word = true;
            }
            do
                b[used++] = *c++;
            while (!special[(unsigned char)*c]);
            c--;
            continue;
        }
        if (is_blank(*c)) { /* the word before it, if any, ends */
            if (in_word)
                end_word(s, b, &used, at, start, c);
            in_word = false;
            continue;
        }
        const char *op = ops ? op_at(c) : NULL;
        if (op) {
            int fd = -1;
            /* digits typed right before < or > name the file descriptor
             * when they fit in an int (bash's NUMBER token), unless they
             * are the one 2>& or <& names (2>&1>f) */
            const char *prev = s->n ? s->t[s->n - 1].op : NULL; /* the token before the word */
            bool dup_word = prev && (!strcmp(prev, ">&") || !strcmp(prev, "<&"));
            if (in_word && (*c == '<' || *c == '>') && !dup_word &&
                strspn(start, "0123456789") == (size_t)(c - start) &&
                strtoll(start, NULL, 10) <= INT_MAX) {
                fd = (int)strtoll(start, NULL, 10);
                used = at;
                in_word = false;
            }
            if (in_word)
                end_word(s, b, &used, at, start, c);
            in_word = false;
            push(s, (Tok){op, 0, 0, NULL, 0, fd, false});
            c += strlen(op) - 1;
            continue;
        }
        if (*c == '\\' && c[1] == '\n') { /* a continued line */
            c++;
            continue;
        }
        if (!in_word) {
            start = c;
            at = used;
            in_word = true;
        }
        if (group_starts(c, false)) { /* one word, blanks and all: cmdline_expand reads it */
            char want;
            const char *e = group_end(c, &want);
            if (!e)
                return group_open(s, want, used, err, size);
            memcpy(b + used, c, (size_t)(e - c) + 1);
            used += (size_t)(e - c) + 1;
            c = e;
            continue;
        }
        if (*c == '\'' || *c == '"')
            open = *c;
        else if (*c == '\\' && c[1])
            b[used++] = *++c;
        else /* a backslash at the very end stays, as bash -c 'echo a\' prints a\ */
            b[used++] = *c;
    }
    if (in_word)
        end_word(s, b, &used, at, start, c);
    s->used = used;
    if (open) {
        snprintf(err, size, "bash: unexpected EOF while looking for matching `%c'", open);
        return false;
    }
    return true;
}

/* ---- words --------------------------------------------------------------- */

/* Gives c room for n words of bytes bytes in all (their NULs counted):
 * argv is one allocation, the pointers then the words.  Returns where the
 * words go. */
static char *argv_new(Cmdline *c, size_t n, size_t bytes)
{
    *c = (Cmdline){0};
    c->mem = c->argv = xmalloc((n + 1) * sizeof *c->argv + bytes);
    c->argv[n] = NULL;
    c->argc = n;
    return (char *)(c->argv + n + 1);
}

/* Puts the word of len bytes at src into argv[i] at *w. */
static void argv_put(Cmdline *c, size_t i, char **w, const char *src, size_t len)
{
    c->argv[i] = *w;
    memcpy(*w, src, len);
    (*w)[len] = '\0';
    *w += len + 1;
}

/* c's words: the tokens [from, to) of s, all words. */
static void pack_tokens(Cmdline *c, const Scan *s, size_t from, size_t to)
{
    size_t bytes = 0;
    for (size_t i = from; i < to; i++)
        bytes += s->t[i].len + 1;
    char *w = argv_new(c, to - from, bytes);
    for (size_t i = from; i < to; i++)
        argv_put(c, i - from, &w, s->bytes + s->t[i].at, s->t[i].len);
}

bool cmdline_split(Cmdline *c, const char *line, char *err, size_t size)
{
    Scan s;
    bool ok = scan(&s, line, false, err, size);
    pack_tokens(c, &s, 0, s.n);
    scan_fini(&s);
    return ok;
}

void cmdline_from_words(Cmdline *c, const char *const *words, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(words[i]) + 1;
    char *w = argv_new(c, n, bytes);
    for (size_t i = 0; i < n; i++)
        argv_put(c, i, &w, words[i], strlen(words[i]));
}

void cmdline_fini(Cmdline *c)
{
    free(c->mem);
    *c = (Cmdline){0};
}

/* ---- lists and pipelines ------------------------------------------------ */

static bool is_op(const Tok *t, const char *op)
{
    return t->op && strcmp(t->op, op) == 0;
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

/* Checks the tokens against bash's grammar for simple commands, and
 * counts the pipelines and commands; false with bash's message on a
 * syntax error. */
static bool check(const Scan *s, size_t *n_pipes, size_t *n_cmds, char *err, size_t size)
{
    bool in_pipe = false, in_cmd = false;
    const char *ended_by = NULL; /* the operator after the last pipeline */
    *n_pipes = *n_cmds = 0;
    for (size_t i = 0; i < s->n; i++) {
        const Tok *t = &s->t[i];
        if (!t->op || is_redir(t->op)) {
            if (t->op) { /* a redirection takes the word after it */
                const Tok *w = i + 1 < s->n ? &s->t[i + 1] : NULL;
                if (!w || w->op) {
                    snprintf(err, size, "bash: syntax error near unexpected token `%s'",
                             w ? w->op : "newline");
                    return false;
                }
                i++;
            }
            *n_pipes += !in_pipe;
            *n_cmds += !in_cmd;
            in_pipe = in_cmd = true;
            continue;
        }
        if (!in_cmd || is_op(t, ";;")) {
            snprintf(err, size, "bash: syntax error near unexpected token `%s'", t->op);
            return false;
        }
        in_cmd = false;
        if (is_op(t, "|") || is_op(t, "|&"))
            continue;
        ended_by = t->op;
        in_pipe = false;
    }
    if (in_pipe && !in_cmd) { /* ended after |: an interactive bash would ask for more */
        snprintf(err, size, "bash: syntax error: unexpected end of file");
        return false;
    }
    CmdOp last = ended_by ? op_kind(ended_by) : CMD_END;
    if (!in_pipe && (last == CMD_AND || last == CMD_OR)) {
        snprintf(err, size, "bash: syntax error: unexpected end of file");
        return false;
    }
    return true;
}

/* Appends to tx what bash shows of the command made of tokens [from, to):
 * its words as typed, one blank apart, then its redirections as bash
 * writes them back ("2> /dev/null", "2>&1"). */
static char *command_text(char *tx, const char *begin, const Scan *s, size_t from, size_t to)
{
    for (int redirs = 0; redirs < 2; redirs++)
        for (size_t i = from; i < to; i++) {
            const Tok *t = &s->t[i];
            const Tok *w = t->op ? &s->t[++i] : t; /* a redirection's word is its own */
            if ((t->op != NULL) != (redirs == 1))
                continue;
            if (tx != begin && tx[-1] != ' ')
                *tx++ = ' ';
            if (t->op) {
                if (t->fd >= 0)
                    tx += sprintf(tx, "%d", t->fd);
                tx += sprintf(tx, "%s", t->op);
                bool dup = (!strcmp(t->op, ">&") || !strcmp(t->op, "<&")) &&
                           w->len == strspn(s->bytes + w->at, "0123456789-");
                if (!dup)
                    *tx++ = ' ';
            }
            memcpy(tx, w->raw, w->raw_len);
            tx += w->raw_len;
        }
    return tx;
}

/* Writes at tx what bash shows of the pipeline made of tokens [from,
 * to): its commands' texts joined by " | " (or " |& "), NUL-ended.
 * Returns the end. */
static char *pipeline_text(char *tx, const Scan *s, size_t from, size_t to)
{
    char *begin = tx;
    size_t first = from; /* the command's first token */
    for (size_t i = from; i <= to; i++) {
        if (i < to && (!s->t[i].op || is_redir(s->t[i].op)))
            continue;
        tx = command_text(tx, begin, s, first, i);
        if (i < to) /* | or |& */
            tx += sprintf(tx, " %s ", s->t[i].op);
        first = i + 1;
    }
    *tx++ = '\0';
    return tx;
}

static bool name_char(char c, bool first)
{
    return c == '_' || (unsigned)((c | 0x20) - 'a') < 26u || (!first && (unsigned)(c - '0') < 10u);
}

bool cmdline_is_name(const char *s, size_t len)
{
    if (!len || !name_char(s[0], true))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!name_char(s[i], false))
            return false;
    return true;
}

/* The length of the NAME= or NAME+= that begins the len bytes at w, or
 * 0. */
static size_t assignment_len(const char *w, size_t len)
{
    size_t n = 0;
    while (n < len && name_char(w[n], n == 0))
        n++;
    if (n && n + 1 < len && w[n] == '+' && w[n + 1] == '=')
        return n + 2;
    return n && n < len && w[n] == '=' ? n + 1 : 0;
}

size_t cmdline_assignment(const char *word)
{
    return assignment_len(word, strlen(word));
}

/* Which word tokens are assignments: those before a command's first
 * other word (as typed: a quoted name is not one).  assign has s->n
 * entries. */
static void find_assignments(const Scan *s, bool *assign)
{
    bool program_seen = false;
    for (size_t i = 0; i < s->n; i++) {
        const Tok *t = &s->t[i];
        assign[i] = false;
        if (t->op && is_redir(t->op)) {
            assign[++i] = false; /* its word */
            continue;
        }
        if (t->op) {
            program_seen = false;
            continue;
        }
        if (!program_seen && assignment_len(t->raw, t->raw_len))
            assign[i] = true;
        else
            program_seen = true;
    }
}

/* Builds the checked tokens into l, in one allocation: the pipelines,
 * their commands, the commands' redirections and argv, the words, the
 * words as typed that have something to expand (and the assignments' and
 * redirections' words), and the texts of the jobs in the background. */
static void build(CmdList *l, const Scan *s, size_t n_pipes, size_t n_cmds)
{
    if (!n_pipes)
        return;
    bool assign_small[64];
    bool *assign = s->n <= 64 ? assign_small : xmalloc(s->n * sizeof *assign);
    find_assignments(s, assign);
    size_t n_words = 0, n_assign = 0, n_redir = 0, text = n_pipes; /* the texts' NULs */
    size_t raw = 0;
    bool bg = false; /* a pipeline runs in the background: room for the texts */
    for (size_t i = 0; i < s->n; i++) {
        const Tok *t = &s->t[i];
        if (is_redir(t->op)) {
            n_redir++;
            text += 16 + s->t[++i].raw_len; /* " 2147483647&>> " and the word */
            raw += s->t[i].raw_len + 1;
            continue;
        }
        n_redir += is_op(t, "|&"); /* the 2>&1 it adds */
        bg |= is_op(t, "&");
        n_words += !t->op && !assign[i];
        n_assign += assign[i];
        text += t->op ? 4 : t->raw_len + 1; /* " |& " */
        raw += assign[i] || t->expands ? t->raw_len + 1 : 0;
    }
    if (!bg)
        text = 0;
    /* Pointers first (argv with their NULLs, assignments, raw words), then
     * the redirections and commands, then the characters. */
    size_t n_ptrs = n_words + n_cmds + 2 * n_assign + n_words;
    CmdPipeline *p =
        xmalloc(n_pipes * sizeof *p + n_cmds * sizeof(Cmdline) + n_redir * sizeof(CmdRedir) +
                n_ptrs * sizeof(char *) + text + s->used + raw);
    Cmdline *cmd = (Cmdline *)(p + n_pipes);
    CmdRedir *rd = (CmdRedir *)(cmd + n_cmds);
    char **slot = (char **)(rd + n_redir);                 /* each command's argv, its NULL after */
    char **aslot = slot + n_words + n_cmds;                /* each command's assignments */
    const char **araw = (const char **)(aslot + n_assign); /* and as typed */
    const char **wraw = araw + n_assign;                   /* its words as typed, or NULLs */
    char *tx = (char *)(wraw + n_words);
    char *words = tx + text;
    char *rawtx = words + s->used;
    memcpy(words, s->bytes, s->used); /* every word, NUL-ended, as scanned */
    l->p = p;
    CmdPipeline *cur = NULL;
    size_t first = 0;     /* the pipeline's first token */
    Cmdline *c = NULL;    /* the command being built */
    bool expands = false; /* a word of c has something to expand */
    for (size_t i = 0; i <= s->n; i++) {
        const Tok *t = i < s->n ? &s->t[i] : NULL;
        if (c && (!t || (t->op && !is_redir(t->op)))) { /* the command ends */
            if (t && is_op(t, "|&")) { /* bash's short for 2>&1 |, after the others */
                *rd++ = (CmdRedir){">&", 2, "1", NULL, false};
                c->nredir++;
            }
            *slot++ = NULL;
            if (!expands) /* nothing for cmdline_expand to do */
                c->raw = NULL;
            c = NULL;
        }
        if (!t)
            break;
        if (!t->op || is_redir(t->op)) {
            if (!cur) {
                cur = &p[l->n++];
                *cur = (CmdPipeline){cmd, 0, NULL, CMD_END};
                first = i;
            }
            if (!c) {
                c = cmd++;
                *c = (Cmdline){
                    .argv = slot, .redir = rd, .raw = wraw, .assign = aslot, .assign_raw = araw};
                cur->n++;
                expands = false;
            }
            const Tok *w = t->op ? &s->t[++i] : t;
            const char *typed = NULL; /* a word with nothing to expand is its bytes as they are */
            if (t->op || assign[i] || w->expands) {
                typed = rawtx;
                memcpy(rawtx, w->raw, w->raw_len);
                rawtx[w->raw_len] = '\0';
                rawtx += w->raw_len + 1;
            }
            if (t->op) {
                *rd++ = (CmdRedir){t->op, t->fd, words + w->at, typed, false};
                c->nredir++;
            } else if (assign[i]) {
                *aslot++ = words + t->at;
                *araw++ = typed;
                c->nassign++;
            } else {
                *slot++ = words + t->at;
                *wraw++ = typed;
                expands |= typed != NULL;
                c->argc++;
            }
            continue;
        }
        if (is_op(t, "|") || is_op(t, "|&"))
            continue;
        cur->op = op_kind(t->op);
        if (cur->op == CMD_BG) { /* bash shows its text: "[1]+  Done  …" */
            cur->text = tx;
            tx = pipeline_text(tx, s, first, i);
        }
        cur = NULL;
    }
    if (assign != assign_small)
        free(assign);
}

/* ---- plain lines ---------------------------------------------------------- */

/* What a byte is to parse_plain: part of a word, a blank between words, or
 * anything scan, check, build or cmdline_expand would read otherwise than
 * as a word's byte (NUL, quotes, the backslash, what operators start with,
 * what expands, a '#' that may start a comment, an '=' that may make an
 * assignment). */
enum { PLAIN_WORD, PLAIN_BLANK, PLAIN_NOT };

static const unsigned char plain_kind[256] = {
    ['\0'] = PLAIN_NOT, [' '] = PLAIN_BLANK, ['\t'] = PLAIN_BLANK, ['\n'] = PLAIN_BLANK,
    ['\''] = PLAIN_NOT, ['"'] = PLAIN_NOT,   ['\\'] = PLAIN_NOT,   ['|'] = PLAIN_NOT,
    ['&'] = PLAIN_NOT,  [';'] = PLAIN_NOT,   ['<'] = PLAIN_NOT,    ['>'] = PLAIN_NOT,
    ['$'] = PLAIN_NOT,  ['`'] = PLAIN_NOT,   ['~'] = PLAIN_NOT,    ['*'] = PLAIN_NOT,
    ['?'] = PLAIN_NOT,  ['['] = PLAIN_NOT,   ['{'] = PLAIN_NOT,    ['#'] = PLAIN_NOT,
    ['='] = PLAIN_NOT,
};

/* A line of plain words, as most lines typed are ("host -t A
 * www.example.com"): blanks and word bytes alone (plain_kind), so one
 * command with no operator, redirection, assignment, quote or expansion.
 * Its list is made straight from the line, in one allocation laid out as
 * build lays it out from scan's tokens (the parts left empty left out), at
 * a fraction of scan, check and build's cost (a line of the 10,000-host
 * scenario: about 1,400 instructions there).  False for any other line,
 * with l untouched: cmdline_parse then reads it in full. */
static bool parse_plain(CmdList *l, const char *line)
{
    size_t n = 0; /* the words */
    const unsigned char *u = (const unsigned char *)line;
    for (;;) { /* a run of blanks, then of word bytes; a NUL is PLAIN_NOT */
        while (plain_kind[*u] == PLAIN_BLANK)
            u++;
        if (plain_kind[*u] == PLAIN_NOT)
            break;
        n++;
        while (plain_kind[*u] == PLAIN_WORD)
            u++;
    }
    if (*u)
        return false;
    size_t len = (size_t)(u - (const unsigned char *)line);
    if (!n) /* blanks alone: no pipeline, as build makes none */
        return true;
    CmdPipeline *p = xmalloc(sizeof *p + sizeof(Cmdline) + (n + 1) * sizeof(char *) + len + 1);
    Cmdline *c = (Cmdline *)(p + 1);
    char **argv = (char **)(c + 1);
    char *w = (char *)(argv + n + 1); /* each word, NUL-ended, one after the other */
    *p = (CmdPipeline){c, 1, NULL, CMD_END};
    /* No redirections or assignments: empty arrays, at argv's end as in build. */
    *c = (Cmdline){.argv = argv,
                   .argc = n,
                   .redir = (CmdRedir *)argv,
                   .assign = argv + n + 1,
                   .assign_raw = (const char **)(argv + n + 1)};
    size_t i = 0;
    for (const char *s = line; *s;) {
        if (plain_kind[(unsigned char)*s] == PLAIN_BLANK) {
            s++;
            continue;
        }
        argv[i++] = w;
        do
            *w++ = *s++;
        while (plain_kind[(unsigned char)*s] == PLAIN_WORD); /* a NUL is PLAIN_NOT */
        *w++ = '\0';
    }
    argv[n] = NULL;
    l->p = p;
    l->n = 1;
    return true;
}

bool cmdline_parse(CmdList *l, const char *line, char *err, size_t size)
{
    l->p = NULL;
    l->n = 0;
    if (parse_plain(l, line))
        return true;
    Scan s;
    size_t n_pipes, n_cmds;
    bool ok = scan(&s, line, true, err, size) && check(&s, &n_pipes, &n_cmds, err, size);
    if (ok)
        build(l, &s, n_pipes, n_cmds);
    scan_fini(&s);
    return ok;
}

void cmdline_programs(CmdList *l,
                      void (*fn)(void *ctx, Cmdline *c, const char *program, bool alone), void *ctx)
{
    bool alone = l->n == 1 && l->p[0].n == 1 && l->p[0].op == CMD_END;
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < l->p[i].n; j++) {
            Cmdline *c = &l->p[i].cmds[j];
            fn(ctx, c, c->argc ? c->argv[0] : "", alone);
        }
}

void cmdline_list_fini(CmdList *l)
{
    for (size_t i = 0; i < l->n; i++) /* the commands go with the list: not cleared first */
        for (size_t j = 0; j < l->p[i].n; j++)
            free(l->p[i].cmds[j].mem);
    free(l->p); /* the pipelines, their commands, texts and words: one allocation */
    l->p = NULL;
    l->n = 0;
}
