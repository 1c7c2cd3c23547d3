/* imap_cmd — an IMAP command line split into its tag, command and
 * arguments (RFC 3501's syntax: atoms, quoted strings, parenthesized
 * lists; an atom keeps a bracketed part whole, so
 * BODY.PEEK[HEADER.FIELDS (FROM)]<0.5> is one atom), and the sequence
 * sets FETCH, STORE and COPY take.  A literal ({n} or {n+}, CRLF, n bytes)
 * is a string: the session hands over the whole command, its literals'
 * lines and all, which imap_gather collects.  No I/O: the fuzz target's
 * unit. */
#ifndef MN_IMAP_CMD_H
#define MN_IMAP_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define IMAP_MAX_ARGS 64

/* Can line (len bytes) be the start of a command that goes on after a
 * literal: does it end with {n} or {n+}?  Then *n and *sync (no +). */
bool imap_literal_at_end(const char *line, size_t len, uint64_t *n, bool *sync);

/* A command gathered across its literals' lines: a line ending with {n}
 * or {n+} asks for n bytes, which may take lines of their own (each
 * line's CRLF counts), and the command goes on after them. */
typedef struct ImapGather {
    bool on;       /* a command is being gathered */
    Buf text;      /* what came so far, the literals and CRLFs included */
    uint64_t left; /* the literal's bytes still to come */
} ImapGather;

typedef enum ImapGatherStep {
    IMAP_GATHER_WHOLE,    /* the command is whole: cmd, len */
    IMAP_GATHER_MORE,     /* the literal goes on on the next line */
    IMAP_GATHER_LITERAL,  /* a literal of size bytes comes next ({n}: sync, the server says + OK) */
    IMAP_GATHER_TOO_LARGE /* a literal of size bytes would make the command longer than room */
} ImapGatherStep;

typedef struct ImapGathered {
    const char *cmd; /* IMAP_GATHER_WHOLE: the command, valid until the next line */
    size_t len;
    uint64_t size; /* IMAP_GATHER_LITERAL, IMAP_GATHER_TOO_LARGE */
    bool sync;
} ImapGathered;

/* Takes the next line; a command may be at most room bytes long, its
 * literals included (after TOO_LARGE the gathering starts afresh). */
ImapGatherStep imap_gather(ImapGather *g, const char *line, size_t len, size_t room,
                           ImapGathered *out);
void imap_gather_fini(ImapGather *g);

typedef enum ImapTokKind { IMAP_ATOM, IMAP_STRING, IMAP_LIST_OPEN, IMAP_LIST_CLOSE } ImapTokKind;

typedef struct ImapTok {
    ImapTokKind kind;
    char *text;   /* atom or string (unquoted), NUL-terminated; NULL for ( ) */
    bool literal; /* a string sent as a literal ({n}): APPEND's message */
    size_t len;   /* a literal's bytes (it may hold a NUL) */
} ImapTok;

typedef struct ImapCmd {
    char *tag;  /* NULL: an empty line */
    char *name; /* in capitals; NULL when the line has only a tag */
    ImapTok args[IMAP_MAX_ARGS];
    size_t n_args;
    bool bad;        /* the arguments do not parse (unbalanced, too many, a bad literal) */
    const char *err; /* then why, in Dovecot's words ("Missing ')'"), or NULL */
    bool cont_first; /* a literal's {n} without CRLF after it: Dovecot says + OK first */
    char *store;     /* the line's copy the pointers point into */
} ImapCmd;

/* Parses line (len bytes); imap_cmd_free releases it. */
void imap_parse(const char *line, size_t len, ImapCmd *out);
void imap_cmd_free(ImapCmd *c);

/* A sequence set ("1:3,5,7:*") as ranges; "*" is star. */
typedef struct ImapRange {
    uint32_t lo, hi;
} ImapRange;
typedef struct ImapSet {
    ImapRange *r;
    size_t n;
} ImapSet;
bool imap_parse_set(const char *text, uint32_t star, ImapSet *out);
/* A system flag's bit (MAIL_FLAG_*) into *bits (a keyword is accepted,
 * not kept); false, with the flag in capitals in bad, if it is a
 * backslash flag IMAP does not have (\Recent included). */
bool imap_parse_flag(const char *f, unsigned *bits, char *bad, size_t size);
bool imap_set_has(const ImapSet *s, uint32_t v);
void imap_set_free(ImapSet *s);

#endif
