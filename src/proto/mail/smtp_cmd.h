/* smtp_cmd — reading an SMTP command line as Postfix's smtpd reads it: the
 * verb (case insensitive), and for MAIL and RCPT the path in angle
 * brackets (or a bare address, which Postfix also accepts) and the ESMTP
 * parameters after it.  Pure functions over the line's bytes: the line is
 * hostile (a student types it), every length is checked, nothing is
 * allocated.  tests/fuzz/fuzz_smtp_cmd.c drives it. */
#ifndef MN_SMTP_CMD_H
#define MN_SMTP_CMD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum SmtpVerb {
    SMTP_UNKNOWN,
    SMTP_HELO,
    SMTP_EHLO,
    SMTP_MAIL,
    SMTP_RCPT,
    SMTP_DATA,
    SMTP_BDAT,
    SMTP_RSET,
    SMTP_NOOP,
    SMTP_VRFY,
    SMTP_QUIT,
    SMTP_AUTH,
    SMTP_STARTTLS,
    SMTP_ETRN,
    SMTP_VERB_COUNT
} SmtpVerb;

/* Longest address kept (RFC 5321's path limit is 256 octets). */
#define SMTP_ADDR_MAX 256

/* The verb of line (len bytes) and where its arguments start (after the
 * blanks that follow the verb; "" when none). */
SmtpVerb smtp_cmd_verb(const char *line, size_t len, const char **args);
/* The verb's name as Postfix logs it: "MAIL". */
const char *smtp_verb_name(SmtpVerb v);

typedef enum SmtpPathErr {
    SMTP_PATH_OK,
    SMTP_PATH_NO_KEYWORD, /* not "FROM:" / "TO:": "Syntax: MAIL FROM:<address>" */
    SMTP_PATH_BAD,        /* bad address syntax: "Bad sender/recipient address syntax" */
} SmtpPathErr;

/* Reads "FROM:<addr> PARAMS" (keyword "FROM") or "TO:<addr> PARAMS" from
 * args.  addr gets the address with its brackets, any source route
 * ("@a.b:") and quotes around the local part taken away; *params points at
 * the parameters (blanks skipped; "" if none). */
SmtpPathErr smtp_cmd_path(const char *args, const char *keyword, char addr[SMTP_ADDR_MAX],
                          const char **params);

/* The next parameter of params: its keyword (upper case, at most
 * kw_size - 1 bytes) and value (after '='; "" if none).  Returns false at
 * the end.  *params moves past it. */
bool smtp_cmd_param(const char **params, char *kw, size_t kw_size, char *value, size_t value_size);

/* Splits addr at its last '@': local part into local, domain into domain
 * ("" when there is none). */
void smtp_addr_split(const char *addr, char *local, size_t local_size, char *domain,
                     size_t domain_size);

/* Decodes base64 text into out (at most size - 1 bytes, NUL-terminated;
 * NULs inside are kept and counted in *n).  False if text is not base64. */
bool smtp_base64_decode(const char *text, char *out, size_t size, size_t *n);
/* Encodes n bytes as base64 into out (NUL-terminated); false if too small. */
bool smtp_base64_encode(const void *data, size_t n, char *out, size_t size);

#endif
