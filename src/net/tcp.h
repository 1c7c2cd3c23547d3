/* tcp — TCP endpoints as RFC 9293 describes them, with a callback API in
 * the manner of lwIP's raw API: no sockets, no threads, no blocking call.
 *
 * What each connection does: the three-way handshake with an ISN from the
 * "tcp-isn" stream and the MSS option (1460 on Ethernet); sequence and
 * acknowledgement numbers; a receive window the receiver really
 * advertises (64 KiB, window scaling off unless the scenario turns it on;
 * no SACK); out-of-order segments kept and reassembled; retransmission on
 * one one-shot timer per connection (RFC 6298 with Karn's rule: initial
 * RTO 1 s, minimum 200 ms as Linux; a SYN is sent again 6 times with
 * doubling, as Linux's tcp_syn_retries); delayed ACKs (every second full
 * segment, or after 40 ms; at once for out-of-order data); an initial
 * window of 10 segments (RFC 6928); fast retransmit on three duplicate
 * ACKs and NewReno (RFC 5681, 6582); the persist timer for a zero window;
 * FIN in both directions; TIME-WAIT for 2×MSL (MSL 30 s, as Linux) as a
 * background event, so it does not keep a run alive; RST for a segment to
 * a port nobody listens on, which the client reports as refused.
 *
 * Timers are events on the sim's queue, never a scan over connections.
 * Callbacks may call any function here, tcp_close and tcp_abort included:
 * a connection closed inside a callback is only marked, and TCP frees it
 * after the callback returns.  After `ended` the connection is gone and
 * its pointer must not be used.
 *
 * Narration (DESIGN.md): the handshake and teardown segments and every
 * retransmission are steps with captions; data written with tcp_write_note
 * is explained by the caller's caption; other data is narrated segment by
 * segment while the exchange is short, and as a bulk transfer (its start,
 * each loss and retransmission, each change of congestion state, its end
 * with counts) once it is not.  A pure ACK is a hop, never a step, outside
 * the handshake and teardown.  Every change of a connection is a `state`
 * record in the node's "tcp" table, keyed by the two ends.
 *
 * The details the lines above leave open:
 *  - State records: key "10.0.2.10:43312 10.0.2.20:25" (local, then
 *    remote; a listener "0.0.0.0:25 0.0.0.0:*"); op "add" whenever what
 *    the row shows changes (the inspector's fold replaces the key's row),
 *    "del" when TCP forgets the connection; value "ESTABLISHED send-q 0
 *    recv-q 0 cwnd 14600 ssthresh 65535 rto 1.000s wnd 64240" (a
 *    listener: "LISTEN backlog 128").  Nothing is recorded when the text
 *    would not change, so pure ACKs of an idle connection add nothing.
 *  - Narration: a transfer turns "bulk" when more than 4 full segments
 *    wait in the send queue; from then on only its start, losses,
 *    retransmissions, congestion-state changes and its end (when the send
 *    queue is empty and acknowledged, with the counts) are steps.  The
 *    first zero window a connection advertises, its opening, and the
 *    persist probes of the first zero window that needed them are steps
 *    (later ones, as a slow reader's window flickers, are hops); each RST
 *    and each FIN and its ACK are steps; the RST's caption is its
 *    sender's, so a reset or refused connection is one step.
 *  - Congestion control: cwnd and ssthresh in bytes; the initial ssthresh is
 *    the largest window the peer can advertise (65535 without scaling).
 *    Slow start adds up to 2 segments per ACK (RFC 3465, L = 2), so the
 *    window doubles per round trip with delayed ACKs; the window grows only
 *    while it is what limits the sender (RFC 7661).  Fast recovery ends with
 *    cwnd = ssthresh.  A timeout resends from the first unacknowledged byte
 *    (go-back-N: there is no SACK).
 *  - The receive window is the free receive buffer: bytes delivered through
 *    `received` take room until the program calls tcp_recved.  It is
 *    offered in whole segments, as Linux does (a 65,535-byte buffer offers
 *    64,240), never shrinks, grows only by a segment or half the buffer at
 *    a time (silly-window avoidance), and a window update of its own is
 *    sent, as Linux does, when the advertised window has fallen to half the
 *    buffer and can at least double.  A sender does not send a piece
 *    smaller than a segment that the window cuts off unless it is half the
 *    largest window seen; the persist timer lets it go (RFC 9293
 *    3.8.6.2.1's override).
 *  - TcpConf.read_rate (the "slow reader"): when it is not 0, tcp_recved
 *    does not free the bytes at once; the node's program reads them from
 *    the buffer at read_rate bytes/s, a hundredth of a second's worth at a
 *    time, and the window opens as they are read.  Recv-Q counts every byte
 *    that takes room in the buffer: not yet passed to tcp_recved, or
 *    passed and still waiting to be read at read_rate.  A reader slower
 *    than the link fills the buffer: the receiver advertises a zero
 *    window, and the sender probes.
 *  - Persist probes carry one byte (RFC 9293 3.8.6.1), at RTO, then
 *    doubling up to 60 s; 15 unanswered probes, or 15 unanswered
 *    retransmissions of data (Linux's tcp_retries2), end the connection
 *    with TCP_WHY_TIMEOUT.  Probes at the 60 s interval are background
 *    events: a program that never reads does not make a run endless.  A
 *    SYN-ACK is sent 5 times more at most.
 *  - `ended` is called when the connection is over for the program: on
 *    entering TIME-WAIT (which TCP then keeps alone, in the background),
 *    or on the last ACK of LAST-ACK.  A connection the program closed
 *    with tcp_close that sits in FIN-WAIT-2 is forgotten after 60 s, as
 *    Linux's tcp_fin_timeout.
 *  - Listeners: backlog bounds the connections still in SYN-RECEIVED (a
 *    SYN beyond it is dropped); `accepted` is called at once, so a
 *    listener's Recv-Q is always 0.
 *  - Costs: finding a segment's connection is one hash lookup on (node,
 *    local port, remote address, remote port); timers never scan;
 *    tcp_node_conns walks the node's own list.  The send buffer and the
 *    out-of-order buffer are allocated once per connection, nothing per
 *    segment. */
#ifndef MN_TCP_H
#define MN_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sim.h"
#include "net/ipv4.h"

#define TCP_HLEN 20

typedef enum TcpState {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
    TCP_STATE_COUNT
} TcpState;

/* Why a connection ended, as `ended` reports it. */
typedef enum TcpWhy {
    TCP_WHY_CLOSED,  /* both sides sent FIN and it is over (or the app closed) */
    TCP_WHY_RESET,   /* the peer sent RST: "Connection reset by peer" */
    TCP_WHY_REFUSED, /* RST answered our SYN: "Connection refused" */
    TCP_WHY_TIMEOUT, /* retransmissions ran out: "Connection timed out" */
    TCP_WHY_ABORTED, /* we called tcp_abort */
    /* ICMP destination unreachable answered our SYN (as Linux, a connect
     * fails at once): "Network is unreachable", "No route to host". */
    TCP_WHY_NET_UNREACH,
    TCP_WHY_HOST_UNREACH,
} TcpWhy;

typedef struct TcpConn TcpConn;

/* The callbacks of a connection (or of a listener, for `accepted`).  Any
 * may be NULL.  ctx is the pointer given with them. */
typedef struct TcpOps {
    /* Listener only: a new connection finished its handshake.  The new
     * connection starts with the listener's ops and ctx; tcp_set_ops
     * changes them. */
    void (*accepted)(void *ctx, TcpConn *listener, TcpConn *c);
    /* Our SYN was answered: the connection is established. */
    void (*connected)(void *ctx, TcpConn *c);
    /* Bytes arrived in order.  len 0 means the peer sent FIN (end of its
     * data).  Call tcp_recved when they are consumed to open the window. */
    void (*received)(void *ctx, TcpConn *c, const uint8_t *data, size_t len);
    /* The peer acknowledged `acked` bytes: tcp_sndbuf has grown. */
    void (*sent)(void *ctx, TcpConn *c, size_t acked);
    /* The connection is over; c is freed after this returns. */
    void (*ended)(void *ctx, TcpConn *c, TcpWhy why);
} TcpOps;

/* Opens a connection from node to dst:port (sends the SYN now).  On a
 * failure that a real stack reports at once (node down, no route) returns
 * NULL with *err set; otherwise the outcome arrives through the ops.
 * label names the peer in captions ("mail.hamburger.edu"); NULL: its
 * address. */
TcpConn *tcp_connect(Sim *sim, int node, uint32_t dst, uint16_t port, const char *label,
                     const TcpOps *ops, void *ctx, NetErr *err);
/* The same from local port `from` (an FTP server's port 20); NULL with
 * *err NET_UNREACHABLE when that port is in use towards dst:port. */
TcpConn *tcp_connect_from(Sim *sim, int node, uint16_t from, uint32_t dst, uint16_t port,
                          const char *label, const TcpOps *ops, void *ctx, NetErr *err);
/* Listens on port of every address of node.  NULL if the port is taken.
 * Port 0: a free ephemeral port (an FTP client's active data port);
 * tcp_info tells which.
 * backlog is what ss shows as a listener's Send-Q. */
TcpConn *tcp_listen(Sim *sim, int node, uint16_t port, int backlog, const TcpOps *ops, void *ctx);
void tcp_set_ops(TcpConn *c, const TcpOps *ops, void *ctx);

/* Queues up to len bytes for sending; returns how many it took (the send
 * buffer holds 64 KiB unless tcp_set_bufs says otherwise).  Sends what
 * the windows allow now. */
size_t tcp_write(TcpConn *c, const void *data, size_t len);
/* The same, and caption explains the segment that carries these bytes
 * (a step of its own: "laptop sends HELO crepes.fr …").  Copied. */
size_t tcp_write_note(TcpConn *c, const void *data, size_t len, const char *caption);
/* Bytes the send buffer can take now. */
size_t tcp_sndbuf(const TcpConn *c);
/* The application consumed n received bytes: the window opens by n. */
void tcp_recved(TcpConn *c, size_t n);
/* Sizes of the send and receive buffers (before connecting or listening
 * is best; a listener passes its sizes to the connections it accepts). */
void tcp_set_bufs(TcpConn *c, size_t sndbuf, size_t rcvbuf);

/* Sends FIN after the queued data; the connection still receives until
 * the peer's FIN (a half-close, as shutdown(SHUT_WR)). */
void tcp_shutdown(TcpConn *c);
/* Sends FIN after the queued data and gives the connection to TCP: no
 * callback is called any more, and TCP frees it when it is over.  Data
 * that still arrives is answered with RST, as Linux does. */
void tcp_close(TcpConn *c);
/* Sends RST and ends the connection now (ended is not called). */
void tcp_abort(TcpConn *c);

/* ---- what ss and netstat show ----------------------------------------- */

typedef struct TcpInfo {
    TcpState state;
    uint32_t local_ip, remote_ip; /* a listener's remote is 0.0.0.0:0 */
    uint16_t local_port, remote_port;
    uint32_t recv_q; /* unread bytes; a listener's: connections not yet accepted */
    uint32_t send_q; /* unacknowledged and unsent bytes; a listener's: backlog */
    uint32_t cwnd, ssthresh, mss;
    uint32_t peer_window; /* what the peer last advertised */
    SimTime rto;
} TcpInfo;

void tcp_info(const TcpConn *c, TcpInfo *out);
/* Fills out with node's connections, listeners first, then the others in
 * the order they were made; returns how many there are (may be more than
 * max: call again with a larger array). */
size_t tcp_node_conns(Sim *sim, int node, TcpInfo *out, size_t max);
/* "ESTABLISHED", "SYN_SENT", … (netstat's spelling); ss spells its own. */
const char *tcp_state_name(TcpState s);

/* ---- for the network layer -------------------------------------------- */

/* Called by ipv4_input_packet for protocol 6; segment is the TCP header and
 * data.  Checks the checksum; a bad segment is dropped with its reason. */
void tcp_input(Sim *sim, int node, uint64_t pkt, const Ipv4Hdr *ip, const uint8_t *segment,
               size_t len);
/* Called by icmp_input for a destination unreachable that quotes a TCP
 * segment: a connection still in SYN-SENT fails (Linux's tcp_v4_err);
 * later on, as there, it is a soft error and retransmission goes on. */
struct IcmpMsg;
void tcp_icmp_input(Sim *sim, int node, const struct IcmpMsg *m);
/* Frees every connection of sim (the run is over or stopped early),
 * calling no callback. */
void tcp_free_all(Sim *sim);
/* Frees TCP's state of a Net without touching the event queue (net_free
 * calls it; the queue may already be gone). */
struct TcpStack;
void tcp_stack_free(struct TcpStack *st);

#endif
