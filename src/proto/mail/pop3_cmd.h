/* pop3_cmd — a POP3 command line parsed (no state, no I/O: the fuzz
 * target's unit).  Dovecot's rules: the verb is matched without regard to
 * case, the arguments start after the spaces that follow it. */
#ifndef MN_POP3_CMD_H
#define MN_POP3_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POP3_ARG_MAX 512

typedef enum Pop3Verb {
    POP3_UNKNOWN,
    POP3_CAPA,
    POP3_USER,
    POP3_PASS,
    POP3_AUTH,
    POP3_QUIT,
    POP3_STAT,
    POP3_LIST,
    POP3_UIDL,
    POP3_RETR,
    POP3_TOP,
    POP3_DELE,
    POP3_RSET,
    POP3_NOOP,
} Pop3Verb;

typedef struct Pop3Cmd {
    Pop3Verb verb;
    char name[32];           /* the verb in capitals (cut at 31 bytes) */
    char args[POP3_ARG_MAX]; /* the rest (cut at POP3_ARG_MAX - 1 bytes) */
} Pop3Cmd;

void pop3_parse(const char *line, size_t len, Pop3Cmd *out);

typedef uint64_t Pop3Num;
typedef enum Pop3NumErr { POP3_NUM_OK, POP3_NUM_INVALID, POP3_NUM_TOO_LARGE } Pop3NumErr;
/* A message number at the start of s (digits); *after gets what follows
 * the digits.  More than 32 bits is too large. */
Pop3NumErr pop3_parse_num(const char *s, Pop3Num *num, const char **after);
/* TOP's line count: digits (any size, capped at UINT64_MAX). */
bool pop3_parse_size(const char *s, uint64_t *v, const char **after);
/* Decodes base64 text into out (at most size bytes); -1 when it is not
 * base64 or does not fit. */
long pop3_base64_decode(const char *text, char *out, size_t size);

#endif
