/* dns_tcp — DNS messages over a TCP connection (RFC 1035 4.2.2, RFC 7766),
 * shared by the authoritative servers, the resolver (both towards its
 * clients and towards the servers it asks) and the stub of host, dig and
 * nslookup.
 *
 * Each message travels with a two-byte length in front of it, in network
 * byte order; a message may arrive split over several segments, and one
 * segment may carry several messages: the reader here joins and splits
 * them (dns_tcp_split), so no user parses the stream itself.  A message
 * is written whole with one call (its length prefix and its bytes in one
 * tcp_write, as BIND and NSD do, so a short message is one segment), and
 * what the send buffer cannot take yet follows as the peer acknowledges.
 *
 * Callbacks may call any function here; dns_tcp_close and dns_tcp_abort
 * inside a callback only mark, and the DnsTcp is freed after the callback
 * returns.  After `ended`, or once closed, the pointer must not be used. */
#ifndef MN_DNS_TCP_H
#define MN_DNS_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "net/tcp.h"

/* A message longer than this cannot be framed (the prefix is 16 bits). */
#define DNS_TCP_MAX 65535

typedef struct DnsTcp DnsTcp;

typedef struct DnsTcpOps {
    /* dns_tcp_connect only: the handshake is done. */
    void (*connected)(void *ctx, DnsTcp *d);
    /* One whole message (without its length prefix). */
    void (*message)(void *ctx, DnsTcp *d, const uint8_t *msg, size_t len);
    /* The peer closed its side (may be NULL: then the DnsTcp closes too). */
    void (*closed)(void *ctx, DnsTcp *d);
    /* The connection is over (reset, refused, timed out, or closed by
     * both sides); d is freed after this returns.  Not called after
     * dns_tcp_close or dns_tcp_abort. */
    void (*ended)(void *ctx, DnsTcp *d, TcpWhy why);
} DnsTcpOps;

/* Takes over c (an accepted connection). */
DnsTcp *dns_tcp_new(TcpConn *c, const DnsTcpOps *ops, void *ctx);
/* Connects from node to dst port 53 (tcp_connect's rules: NULL and *err
 * for a failure a real stack reports at once). */
DnsTcp *dns_tcp_connect(Sim *sim, int node, uint32_t dst, const char *label, const DnsTcpOps *ops,
                        void *ctx, NetErr *err);

/* Queues one message with its length prefix; caption (copied; NULL: none)
 * explains the segment that carries its first byte.  len must be at most
 * DNS_TCP_MAX. */
void dns_tcp_send(DnsTcp *d, const uint8_t *msg, size_t len, const char *caption);
/* Sends what is queued, then FIN; no callback comes any more. */
void dns_tcp_close(DnsTcp *d);
/* Resets the connection now; no callback comes any more. */
void dns_tcp_abort(DnsTcp *d);
/* Frees d and leaves its connection to TCP (a service stopping at the end
 * of a run).  Not from inside one of d's callbacks. */
void dns_tcp_free(DnsTcp *d);

/* ---- the framing alone (for the dissector and the tests) --------------- */

/* Where the first framed message of a stream's bytes lies: true with
 * *msg and *len when p holds its length prefix and all of it; false when
 * more bytes are needed (*need then says how many in all, 0 if even the
 * prefix is incomplete). */
bool dns_tcp_split(const uint8_t *p, size_t n, const uint8_t **msg, size_t *len, size_t *need);

#endif
