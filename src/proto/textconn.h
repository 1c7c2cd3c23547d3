/* textconn — a TCP connection as text lines, shared by the text protocols
 * (SMTP, POP3, IMAP, FTP control, HTTP): none of them parses the byte
 * stream itself.
 *
 * Incoming bytes are split at CRLF; a bare LF counts as CRLF (Postfix,
 * Dovecot and vsftpd accept it, and nc sends it).  Each line is passed
 * without its line ending and NUL-terminated (a NUL inside a line is kept
 * and counted in len).  A line longer than TEXTCONN_MAX_LINE bytes is
 * passed in pieces of that size, as a server that reads with a fixed
 * buffer does; the protocol decides whether that is an error.  When the
 * peer sends FIN, an unterminated last line is passed first, then `closed`.
 *
 * Outgoing lines are queued whole: what the send buffer cannot take now
 * goes out as the peer acknowledges data, in order, so a caller never
 * sees a short write.  A caption explains the segment that carries the
 * line's first byte (tcp_write_note).
 *
 * Callbacks may call any function here; textconn_close and textconn_abort
 * inside a callback only mark, and the TextConn is freed after the
 * callback returns.  After `ended`, or once closed, the pointer must not
 * be used. */
#ifndef MN_TEXTCONN_H
#define MN_TEXTCONN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "net/tcp.h"

#define TEXTCONN_MAX_LINE 8192

typedef struct TextConn TextConn;

typedef struct TextConnOps {
    /* textconn_connect only: the handshake is done. */
    void (*connected)(void *ctx, TextConn *t);
    /* One line, without its line ending; line[len] is 0. */
    void (*line)(void *ctx, TextConn *t, const char *line, size_t len);
    /* The peer closed its side: no more lines will come (may be NULL). */
    void (*closed)(void *ctx, TextConn *t);
    /* The connection is over (reset, refused, timed out, or closed by
     * both sides); t is freed after this returns.  Not called after
     * textconn_close or textconn_abort. */
    void (*ended)(void *ctx, TextConn *t, TcpWhy why);
} TextConnOps;

/* Takes over c (an accepted or established connection): from now on its
 * TCP callbacks are the TextConn's. */
TextConn *textconn_new(TcpConn *c, const TextConnOps *ops, void *ctx);
/* Connects to dst:port and wraps the connection (tcp_connect's rules). */
TextConn *textconn_connect(Sim *sim, int node, uint32_t dst, uint16_t port, const char *label,
                           const TextConnOps *ops, void *ctx, NetErr *err);

/* Queues line and CRLF.  caption (copied; NULL: none) explains the segment
 * that carries the line. */
void textconn_send(TextConn *t, const char *line, const char *caption);
/* Queues len bytes as they are (a message body, several lines at once). */
void textconn_send_raw(TextConn *t, const void *data, size_t len, const char *caption);
/* Bytes queued and not yet handed to TCP. */
size_t textconn_pending(const TextConn *t);

/* Stops reading lines, sends what is queued, then closes (tcp_close). */
void textconn_close(TextConn *t);
/* Resets the connection now (tcp_abort); queued lines are dropped. */
void textconn_abort(TextConn *t);
TcpConn *textconn_tcp(const TextConn *t);
/* Frees t and leaves its connection alone: for a service stopping at the
 * end of a run (tcp_free_all frees the connections).  Not from inside one
 * of t's callbacks. */
void textconn_free(TextConn *t);

#endif
