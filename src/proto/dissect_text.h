/* dissect_text — the rows of the application table for the protocols that
 * speak in CRLF lines: SMTP, POP3, IMAP, FTP, HTTP (FTP's data connection
 * is dissect_ftp.c's).  For now each shows what Wireshark's Info column shows for a
 * segment's first line ("C: HELO crepes.fr", "S: 220 mail.hamburger.edu
 * ESMTP Postfix", "Request: USER alice", "Response: 331 Please specify
 * the password.", "GET / HTTP/1.1 ") and one tree line per text line; the
 * mail and FTP issues refine them (commands and their parameters, DATA
 * bodies, passive-mode data connections).  Bytes that are not printable
 * ASCII are shown as octal escapes ("\033"), so a line stays one line. */
#ifndef MN_DISSECT_TEXT_H
#define MN_DISSECT_TEXT_H

#include "proto/dissect.h"

void dissect_text_smtp(const DissectPayload *p, Buf *out);    /* "C: …" / "S: … | …" */
void dissect_text_pop(const DissectPayload *p, Buf *out);     /* "C: …" / "S: …" */
void dissect_text_reqresp(const DissectPayload *p, Buf *out); /* "Request: …" / "Response: …" */
void dissect_text_imap(const DissectPayload *p, Buf *out);    /* as reqresp, the last line */
void dissect_text_http(const DissectPayload *p, Buf *out);    /* the first line and a space */

/* The lines under the row's layer name, as Wireshark shows them ("USER alice\r\n"). */
void dissect_text_tree(const DissectPayload *p, DissectTree *t);
/* The first line; a segment to the server asks, any other answers. */
void dissect_text_label(const DissectPayload *p, char *label, size_t size, bool *response);
/* Wireshark's "Line-based text data (2 lines)" and the lines, when the
 * payload's first 20 bytes are printable or line ends (FTP's data); nothing
 * otherwise. */
void dissect_text_lines(const DissectPayload *p, DissectTree *t);

#endif
