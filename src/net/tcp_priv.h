/* tcp_priv — what tcp.c, tcp_in.c and tcp_out.c share: the connection
 * record, the per-Sim stack, and the functions each file offers the others.
 * Nothing outside src/net/tcp*.c includes this.
 *
 * The send buffer is a ring of bytes starting at sequence number sbuf_seq
 * (snd_una once the SYN is acknowledged): a segment, first sent or sent
 * again, is cut from it on the fly, so no segment is ever allocated.
 * Out-of-order bytes wait in a second ring (made on the first hole) at
 * their sequence number modulo its size, with their ranges in ooo[]. */
#ifndef MN_TCP_PRIV_H
#define MN_TCP_PRIV_H

#include "net/tcp.h"

#include "core/rng.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define TCP_MSS          1460
#define TCP_IW_SEGS      10
#define TCP_RTO_INIT     1000000
#define TCP_RTO_MIN      200000
#define TCP_RTO_MAX      120000000
#define TCP_PERSIST_MAX  60000000
#define TCP_DELACK       40000
#define TCP_MSL          30000000
#define TCP_SYN_RETRIES  6  /* Linux tcp_syn_retries */
#define TCP_SYNACK_RETRY 5  /* Linux tcp_synack_retries */
#define TCP_DATA_RETRIES 15 /* Linux tcp_retries2 */
#define TCP_FIN_TIMEOUT  60000000
#define TCP_OOO_MAX      32
/* Data beyond this many full segments in the send queue makes a transfer
 * "bulk" for the narration. */
#define TCP_BULK_SEGS 4

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

typedef enum TcpTimer { TCP_T_NONE, TCP_T_RTO, TCP_T_PERSIST } TcpTimer;

/* Congestion states, as the narration names them. */
typedef enum TcpCc { TCP_CC_SLOW_START, TCP_CC_AVOIDANCE, TCP_CC_RECOVERY } TcpCc;

typedef struct TcpNote {
    uint32_t seq;  /* first byte the caption explains */
    char *caption; /* owned */
} TcpNote;

typedef struct TcpSeg {
    uint64_t pkt;
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    uint16_t mss; /* 0: no MSS option */
    int wscale;   /* -1: no window scale option */
    const uint8_t *data;
    uint32_t len;
} TcpSeg;

struct TcpConn {
    Sim *sim;
    int node;
    TcpState state;
    uint32_t lip, rip;
    uint16_t lport, rport;
    char *label; /* the peer's name for captions, or NULL */
    TcpOps ops;
    void *ctx;
    TcpConn *parent;      /* a passive connection's listener until accepted */
    int refs;             /* listener: children that still point at it */
    int backlog;          /* listener */
    int half_open;        /* listener: children in SYN_RECEIVED */
    TcpConn *prev, *next; /* the node's connections, in the order made */
    uint64_t serial;
    int busy;        /* > 0 while TCP is inside a call on it */
    bool passive;    /* made by a listener */
    bool app_closed; /* tcp_close: no more callbacks */
    bool ended;      /* gone from the table; freed when not busy */
    bool fin_queued; /* FIN to send after the buffered data */
    bool in_input;
    bool ack_now; /* send an ACK when the current work is done */
    bool hashed;

    /* sending */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_sndwnd;
    uint8_t snd_wscale, rcv_wscale; /* both 0 unless both ends sent the option */
    bool want_ws;                   /* we offer window scaling */
    uint32_t mss;                   /* what we send: min(ours, the peer's) */
    uint8_t *sbuf;
    size_t scap, slen, sndbuf;
    uint32_t sbuf_seq;
    TcpNote *notes;
    size_t n_notes, notes_cap;

    /* receiving */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
    size_t rcvbuf;
    size_t held;     /* delivered, not yet read: takes room in the window */
    Buf slow;        /* read_rate: bytes that arrived and the program has not read */
    bool fin_unread; /* read_rate: the peer's FIN waits behind them */
    uint64_t read_rate;
    uint32_t acked_to; /* rcv_nxt last acknowledged */
    bool rcv_fin;
    uint8_t *rbuf;
    size_t rcap;
    uint32_t ooo_start[TCP_OOO_MAX], ooo_end[TCP_OOO_MAX];
    int n_ooo;
    bool ooo_fin;
    uint32_t ooo_fin_seq;
    bool zero_wnd_sent; /* we advertised 0 */

    /* congestion and timing */
    uint32_t cwnd, ssthresh, recover, ca_acked;
    int dupacks;
    bool in_recovery;
    TcpCc cc;
    SimTime srtt, rttvar, rto;
    bool rtt_timing;
    uint32_t rtt_seq;
    SimTime rtt_start;
    int retries;        /* timeouts in a row */
    SimTime persist_iv; /* next persist interval */
    bool probe_out;     /* a persist probe's byte is out */
    bool wnd_held;      /* a piece smaller than a segment waits for the window */
    bool small_ok;      /* the persist timer lets such a piece go */
    bool wnd_told;      /* the first zero window and its opening have been told */
    bool probed;        /* persist probes were sent ... */
    bool probes_told;   /* ... and the window opened again: later probes are hops */

    /* timers */
    TcpTimer timer;
    SimTime timer_deadline, timer_at;
    EvHandle timer_ev, delack_ev, bg_ev, read_ev;
    bool timer_bg, timer_ev_bg; /* the timer wants, the event is, background */

    /* narration */
    bool bulk;
    uint32_t bulk_segs, bulk_rtx;
    uint32_t segs_sent, segs_rtx;
    char rec[160]; /* the value of the last state record */
};

typedef struct TcpStack {
    Sim *sim;
    Rng isn;
    TcpConn **tab; /* open addressing on (node, lport, rip, rport) */
    size_t cap, used;
    TcpConn **head, **tail; /* per node */
    size_t n_nodes;
    uint64_t serial;
} TcpStack;

/* ---- tcp.c -------------------------------------------------------------- */

TcpStack *tcp_stack(Sim *sim);
TcpConn *tcp_lookup(TcpStack *st, int node, uint16_t lport, uint32_t rip, uint16_t rport);
/* A new connection on node, not yet in the table. */
TcpConn *tcp_conn_new(Sim *sim, int node);
void tcp_hash_add(TcpConn *c);
void tcp_set_state(TcpConn *c, TcpState s);
/* The state record, if what it shows changed. */
void tcp_record(TcpConn *c);
/* The connection is over: calls ended (unless the app closed it), leaves
 * the table, stops its timers; freed once no call is inside it. */
void tcp_finish(TcpConn *c, TcpWhy why);
/* Frees c if it is over and nothing is inside it. */
void tcp_release(TcpConn *c);
void tcp_enter_time_wait(TcpConn *c);
/* A connection its program closed waits at most 60 s in FIN-WAIT-2 for the
 * peer's FIN (Linux's tcp_fin_timeout), in the background. */
void tcp_fin_wait_2_timer(TcpConn *c);
/* The retransmission timer: one one-shot event; moving it later costs
 * nothing (the event re-arms itself when it fires early). */
void tcp_timer_set(TcpConn *c, TcpTimer kind, SimTime delay);
void tcp_timer_stop(TcpConn *c);
void tcp_delack_start(TcpConn *c);
uint32_t tcp_isn(Sim *sim);
/* The receive window we would advertise now (before scaling). */
uint32_t tcp_rcv_window(TcpConn *c);
/* The window may have opened: send an update if it grew enough. */
/* read_rate: hands arrived bytes to the program as it reads them. */
void tcp_read_slowly(TcpConn *c, const uint8_t *data, size_t len);
void tcp_window_maybe_update(TcpConn *c);

/* Narration helpers. */
bool tcp_note_wanted(Sim *sim);
const char *tcp_self(const TcpConn *c);
/* The peer's name: the label, the node owning its address, or the address. */
void tcp_peer(const TcpConn *c, char *buf, size_t size);
/* 1842317006 → "1,842,317,006". */
char *tcp_num(uint64_t v, char *buf);
/* 1000000 µs → "1 s", 200000 → "200 ms", 1500000 → "1.5 s". */
char *tcp_dur(SimTime t, char *buf, size_t size);
const char *tcp_neterr_text(NetErr e);
/* What ipv4_send would say, without sending. */
NetErr tcp_can_send(Sim *sim, int node, uint32_t dst);

/* ---- tcp_out.c ---------------------------------------------------------- */

/* Sends one segment of c: flags, seq, and len bytes of the send buffer at
 * seq (SYN carries the options). pkt 0 allocates an id. */
NetErr tcp_send_segment(TcpConn *c, uint8_t flags, uint32_t seq, uint32_t len, uint64_t pkt);
/* Sends what the windows allow: new data, the FIN. */
void tcp_output(TcpConn *c);
void tcp_send_syn(TcpConn *c, bool again);
void tcp_send_ack(TcpConn *c);
/* A reset from c (tcp_abort, data after close). */
void tcp_send_rst_conn(TcpConn *c, const char *why);
/* A reset for a segment that has no connection. */
void tcp_send_rst_for(Sim *sim, int node, const TcpSeg *s);
/* The retransmission or persist timer is due. */
void tcp_timer_fired(TcpConn *c, TcpTimer kind);
/* Sends the segment at snd_una again; why completes "laptop WHY: it sends
 * the segment at seq N again." */
void tcp_retransmit_first(TcpConn *c, const char *why);
void tcp_rto_sample(TcpConn *c, SimTime rtt);
/* A bulk transfer is over: its closing note, on packet pkt. */
void tcp_bulk_end(TcpConn *c, uint64_t pkt);

#endif
