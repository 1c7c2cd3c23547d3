/* pcapng and classic pcap, written by hand: both formats are a few fixed
 * little headers around the frames.  References: the pcapng draft
 * (draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format") and
 * the classic format (draft-ietf-opsawg-pcap).  docs/trace-format.md
 * documents exactly what is written. */
#include "pcap.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/units.h"
#include "core/util.h"
#include "net/eth.h"

#ifndef MINET_VERSION
#define MINET_VERSION "0.0.0"
#endif

/* pcapng block types and option codes. */
#define NG_SHB            0x0A0D0D0Au
#define NG_IDB            0x00000001u
#define NG_EPB            0x00000006u
#define NG_BYTE_ORDER     0x1A2B3C4Du
#define NG_OPT_END        0
#define NG_OPT_COMMENT    1
#define NG_SHB_USERAPPL   4
#define NG_IF_NAME        2
#define NG_IF_DESCRIPTION 3
#define NG_IF_TSRESOL     9
#define NG_EPB_FLAGS      2
#define NG_OPT_MAX        65535u /* an option's length is 16 bits */
/* Classic pcap, microsecond timestamps. */
#define PCAP_MAGIC_US     0xA1B2C3D4u
#define LINKTYPE_ETHERNET 1
#define SNAPLEN           262144u /* libpcap's maximum; minet frames are far smaller */
#define OUT_CHUNK         (1u << 20)

/* epb_flags' direction bits, also used for link captures (none). */
enum { DIR_NONE = 0, DIR_IN = 1, DIR_OUT = 2 };

/* A frame waiting to be written: until the run is past its timestamp and
 * its packet can gain no more notes (see "streaming" below). */
typedef struct Frame {
    SimTime time;   /* simulated time it is stamped with */
    uint64_t seq;   /* the hop record's place in the trace: ties keep trace order */
    uint64_t pkt;   /* packet id: finds its notes */
    uint32_t len;   /* frame length */
    uint32_t iface; /* capture interface */
    int link;       /* the link it crossed: finds its losses */
    int dir;        /* DIR_* */
    uint8_t bytes[];
} Frame;

/* Frames are made and let go by the million: those of up to POOL_CLASSES
 * classes of POOL_CLASS bytes are kept for reuse, linked through their
 * first bytes. */
#define POOL_CLASS   64
#define POOL_CLASSES 32

/* A heap entry holds the frame's sort key, so that sifting reads no frame. */
typedef struct HeapEnt {
    SimTime time;
    uint64_t seq;
    int dir;
    Frame *f;
} HeapEnt;

typedef struct PktLoss {
    SimTime time;
    int link;
} PktLoss;

/* What the writer knows of a packet while it may still matter. */
typedef struct PktState {
    uint64_t pkt;
    bool used;         /* the slot holds a packet */
    bool ended;        /* delivered or dropped, at `end` */
    bool noted;        /* it has notes */
    bool late;         /* in PcapWriter.late already */
    uint32_t pending;  /* its frames waiting in the heap */
    uint32_t written;  /* its frames in the file */
    SimTime end, last; /* last: its latest arrival or note */
    char *text;        /* its notes joined by "; " */
    size_t len, cap;
    PktLoss *losses; /* on nodes: where a hop of it never arrived */
    size_t n_losses;
} PktState;

/* A packet's note buffer, kept when the packet is let go: most packets
 * have a caption or two, and a malloc and a free for each of them cost
 * more than writing its frames. */
typedef struct SpareText {
    char *text;
    size_t cap;
} SpareText;

#define SPARE_TEXTS    4096 /* buffers kept at most */
#define SPARE_TEXT_CAP 1024 /* and each of at most this many bytes */

/* Output goes through a large buffer of our own: one fwrite per MiB. */
typedef struct Out {
    FILE *f;
    Buf b;
} Out;

typedef struct CapIface {
    int node, iface; /* capturing on a node; node -1: iface is a link */
} CapIface;

struct PcapWriter {
    const World *w;
    PcapFormat fmt;
    bool on_nodes;
    int *first; /* on nodes: each node's first capture interface, or -1 */
    CapIface *ifs;
    size_t n_ifs, cap_ifs;
    uint64_t seq; /* records seen */
    SimTime now;  /* the latest record's time: every earlier record is in */
    /* The first frame waits for its packet, blocked_pkt, until at least
     * blocked_until: no need to look again before (-1: look). */
    uint64_t blocked_pkt;
    SimTime blocked_until;
    /* frames waiting, a binary heap in file order */
    HeapEnt *heap;
    size_t n_heap, cap_heap;
    /* frames written, kept for reuse: a list per POOL_CLASS bytes of size */
    Frame *spare[POOL_CLASSES];
    /* the note buffers of packets let go, kept for the next packets */
    SpareText *spare_text;
    size_t n_spare_text, cap_spare_text;
    /* packets, open addressing on pkt */
    PktState *st;
    size_t n_st, cap_st, sweep_at;
    uint8_t *gone; /* per packet id: its state was let go after notes or frames */
    size_t gone_bytes;
    uint64_t *late; /* packets that gained a note after a frame of theirs was written */
    size_t n_late, cap_late;
    FILE *spill; /* pcapng: every note and the packet of every block written */
    Buf spill_b; /* what goes to spill next, written a chunk at a time */
    /* the output */
    Out o;        /* o.f: the file being written, NULL until the first block */
    bool own_out; /* o.f is our temporary file, copied to the caller's at the end */
    uint64_t pos; /* bytes written to o.f so far, with those in o.b */
    uint64_t header_len;
    bool ending;
    SimTime end;
    char err[256]; /* the first error, or "" */
};

bool pcap_format_for(const char *path, PcapFormat *out)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return false;
    if (strcmp(dot, ".pcapng") == 0)
        *out = PCAP_NG;
    else if (strcmp(dot, ".pcap") == 0)
        *out = PCAP_CLASSIC;
    else
        return false;
    return true;
}

/* ---- choosing the interfaces ------------------------------------------- */

static void add_iface(PcapWriter *pw, int node, int iface)
{
    pw->ifs = xgrow(pw->ifs, &pw->cap_ifs, pw->n_ifs + 1, sizeof *pw->ifs);
    pw->ifs[pw->n_ifs++] = (CapIface){node, iface};
}

static void add_node(PcapWriter *pw, int node)
{
    pw->first[node] = (int)pw->n_ifs;
    for (size_t i = 0; i < pw->w->nodes[node].n_ifaces; i++)
        add_iface(pw, node, (int)i);
}

static void unknown_node(const World *w, const char *list, const char *id, char *why, size_t size)
{
    Buf b;
    buf_init(&b);
    buf_printf(&b, "--capture %s: no node is called \"%s\" (expected node ids from the scenario",
               list, id);
    const size_t shown = 8;
    for (size_t i = 0; i < w->n_nodes && i < shown; i++)
        buf_printf(&b, "%s%s", i ? ", " : ": ", w->nodes[i].id);
    buf_puts(&b, w->n_nodes > shown ? ", …)" : ")");
    snprintf(why, size, "%s", b.data);
    buf_fini(&b);
}

/* Node ids separated by commas; each node once, in the order first named. */
static bool parse_capture(PcapWriter *pw, const char *list, char *why, size_t size)
{
    const World *w = pw->w;
    int whole = world_find_node(w, list);
    if (whole >= 0) {
        add_node(pw, whole);
        return true;
    }
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0) {
            snprintf(why, size,
                     "--capture %s: an empty node name (expected node ids separated by "
                     "commas, like laptop,local-dns)",
                     list);
            return false;
        }
        char *id = xstrndup(p, n);
        int node = world_find_node(w, id);
        if (node < 0) {
            unknown_node(w, list, id, why, size);
            free(id);
            return false;
        }
        free(id);
        if (pw->first[node] < 0)
            add_node(pw, node);
        if (!comma)
            return true;
        p = comma + 1;
    }
}

/* Classic pcap stores seconds in 32 unsigned bits: until 2106-02-07. */
static bool fits_classic(uint64_t unix_us)
{
    return unix_us / 1000000u <= UINT32_MAX;
}

PcapWriter *pcap_writer_new(const World *w, const char *name, const char *capture, char *why,
                            size_t size)
{
    PcapFormat fmt;
    if (!pcap_format_for(name, &fmt)) {
        snprintf(why, size,
                 "--pcap %s: unknown format (expected a name ending in .pcapng or .pcap)", name);
        return NULL;
    }
    if (w->start_us < 0) {
        snprintf(why, size,
                 "--pcap %s: the scenario starts at %s, before 1970, which a capture file "
                 "cannot hold (expected a start from 1970-01-01T00:00:00Z on)",
                 name, w->start ? w->start : "?");
        return NULL;
    }
    if (fmt == PCAP_CLASSIC && !fits_classic((uint64_t)w->start_us)) {
        snprintf(why, size,
                 "--pcap %s: the scenario starts at %s, after 2106, which classic pcap cannot "
                 "hold (use a .pcapng file name instead)",
                 name, w->start ? w->start : "?");
        return NULL;
    }
    PcapWriter *pw = xcalloc(1, sizeof *pw);
    pw->w = w;
    pw->fmt = fmt;
    pw->now = -1;
    pw->blocked_until = -1;
    buf_init(&pw->o.b);
    buf_init(&pw->spill_b);
    if (capture) {
        pw->on_nodes = true;
        pw->first = xmalloc((w->n_nodes ? w->n_nodes : 1) * sizeof *pw->first);
        for (size_t i = 0; i < w->n_nodes; i++)
            pw->first[i] = -1;
        if (!parse_capture(pw, capture, why, size)) {
            pcap_writer_free(pw);
            return NULL;
        }
    } else {
        for (size_t i = 0; i < w->n_links; i++)
            add_iface(pw, -1, (int)i);
    }
    if (fmt == PCAP_CLASSIC && pw->n_ifs != 1) {
        snprintf(why, size,
                 "--pcap %s: classic pcap holds one interface, but this capture has %zu (%s); "
                 "use a .pcapng file name instead, which holds any number%s",
                 name, pw->n_ifs,
                 capture ? "one per network interface of the nodes named" : "one per link",
                 capture ? "" : ", or --capture a node with one interface");
        pcap_writer_free(pw);
        return NULL;
    }
    return pw;
}

/* The spare frame after f in its list: a spare frame's first bytes hold
 * it (frames are not aligned for a pointer, so they are copied). */
static Frame *spare_next(const Frame *f)
{
    Frame *next;
    memcpy(&next, f, sizeof next);
    return next;
}

void pcap_writer_free(PcapWriter *pw)
{
    if (!pw)
        return;
    free(pw->first);
    free(pw->ifs);
    for (size_t i = 0; i < pw->n_heap; i++)
        free(pw->heap[i].f);
    free(pw->heap);
    for (size_t c = 0; c < POOL_CLASSES; c++)
        while (pw->spare[c]) {
            Frame *f = pw->spare[c];
            pw->spare[c] = spare_next(f);
            free(f);
        }
    for (size_t i = 0; i < pw->cap_st; i++) {
        free(pw->st[i].text);
        free(pw->st[i].losses);
    }
    for (size_t i = 0; i < pw->n_spare_text; i++)
        free(pw->spare_text[i].text);
    free(pw->spare_text);
    free(pw->st);
    free(pw->gone);
    free(pw->late);
    if (pw->spill)
        fclose(pw->spill);
    buf_fini(&pw->spill_b);
    if (pw->own_out && pw->o.f)
        fclose(pw->o.f);
    buf_fini(&pw->o.b);
    free(pw);
}

size_t pcap_writer_ifaces(const PcapWriter *pw)
{
    return pw->n_ifs;
}

/* ---- writing ----------------------------------------------------------- */

static void out_flush(Out *o)
{
    if (o->b.len)
        fwrite(o->b.data, 1, o->b.len, o->f);
    buf_clear(&o->b);
}

static void out_flush_pw(PcapWriter *pw)
{
    pw->pos += pw->o.b.len;
    out_flush(&pw->o);
}

static inline void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void le32(uint8_t *p, uint32_t v)
{
    le16(p, (uint16_t)v);
    le16(p + 2, (uint16_t)(v >> 16));
}

static void put32(Buf *b, uint32_t v)
{
    uint8_t p[4];
    le32(p, v);
    buf_put(b, p, 4);
}

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static void put_pad(Buf *b, size_t n)
{
    static const uint8_t zero[4] = {0};
    buf_put(b, zero, pad4(n));
}

/* One option: code, length, value, zero padding to 32 bits. */
static void put_opt(Buf *b, uint16_t code, const void *val, size_t len)
{
    assert(len <= NG_OPT_MAX);
    uint8_t h[4];
    le16(h, code);
    le16(h + 2, (uint16_t)len);
    buf_put(b, h, 4);
    buf_put(b, val, len);
    put_pad(b, len);
}

static void put_opt_str(Buf *b, uint16_t code, const char *s)
{
    put_opt(b, code, s, strlen(s));
}

static void put_opt_end(Buf *b)
{
    put_opt(b, NG_OPT_END, NULL, 0);
}

/* A block: type, total length, body, total length again. */
static void put_block(Out *o, uint32_t type, const Buf *body)
{
    uint32_t total = (uint32_t)(12 + body->len);
    put32(&o->b, type);
    put32(&o->b, total);
    buf_put(&o->b, body->data, body->len);
    put32(&o->b, total);
}

static void put_shb(Out *o, Buf *body)
{
    buf_clear(body);
    put32(body, NG_BYTE_ORDER);
    uint8_t v[12];
    le16(v, 1); /* version 1.0 */
    le16(v + 2, 0);
    le32(v + 4, UINT32_MAX); /* section length -1: not given */
    le32(v + 8, UINT32_MAX);
    buf_put(body, v, sizeof v);
    put_opt_str(body, NG_SHB_USERAPPL, "minet " MINET_VERSION);
    put_opt_end(body);
    put_block(o, NG_SHB, body);
}

static void format_rate(uint64_t bps, char *buf, size_t size)
{
    if (bps >= 1000000000u)
        snprintf(buf, size, "%gGbit/s", (double)bps / 1e9);
    else if (bps >= 1000000u)
        snprintf(buf, size, "%gMbit/s", (double)bps / 1e6);
    else if (bps >= 1000u)
        snprintf(buf, size, "%gkbit/s", (double)bps / 1e3);
    else
        snprintf(buf, size, "%" PRIu64 "bit/s", bps);
}

/* "laptop eth0 (10.0.0.10, MAC 02:…)" */
static void describe_end(const World *w, int node, int iface, Buf *out)
{
    char ip[16], mac[18];
    ip_format(world_iface_ip(w, node, iface), ip);
    eth_format_mac(w->nodes[node].ifaces[iface].mac, mac);
    buf_printf(out, "%s %s (%s, MAC %s)", w->nodes[node].id, w->nodes[node].ifaces[iface].name, ip,
               mac);
}

/* The interface's name and a description for Capture File Properties. */
static void describe_iface(const PcapWriter *pw, const CapIface *c, Buf *name, Buf *desc)
{
    const World *w = pw->w;
    buf_clear(name);
    buf_clear(desc);
    if (c->node < 0) {
        const Link *l = &w->links[c->iface];
        char buf[160], lat[32], rate[32];
        world_link_name(w, c->iface, buf, sizeof buf);
        buf_puts(name, buf);
        units_format_time(l->latency, lat, sizeof lat);
        format_rate(l->bandwidth, rate, sizeof rate);
        buf_puts(desc, "the link between ");
        describe_end(w, l->a, l->a_iface, desc);
        buf_puts(desc, " and ");
        describe_end(w, l->b, l->b_iface, desc);
        buf_printf(desc, "; latency %s, bandwidth %s", lat, rate);
        if (l->loss > 0)
            buf_printf(desc, ", loses %g%% of frames", l->loss * 100.0);
        return;
    }
    const Iface *f = &w->nodes[c->node].ifaces[c->iface];
    buf_printf(name, "%s:%s", w->nodes[c->node].id, f->name);
    buf_puts(desc, "what ");
    describe_end(w, c->node, c->iface, desc);
    buf_printf(desc, " sends and receives, on the link to %s %s", w->nodes[f->peer].id,
               w->nodes[f->peer].ifaces[f->peer_iface].name);
}

static void put_idbs(Out *o, const PcapWriter *pw, Buf *body)
{
    Buf name, desc;
    buf_init(&name);
    buf_init(&desc);
    for (size_t i = 0; i < pw->n_ifs; i++) {
        describe_iface(pw, &pw->ifs[i], &name, &desc);
        buf_clear(body);
        uint8_t h[8];
        le16(h, LINKTYPE_ETHERNET);
        le16(h + 2, 0);
        le32(h + 4, SNAPLEN);
        buf_put(body, h, sizeof h);
        put_opt(body, NG_IF_NAME, name.data, name.len);
        put_opt(body, NG_IF_DESCRIPTION, desc.data, desc.len);
        const uint8_t tsresol = 6; /* 10^-6 s: microseconds */
        put_opt(body, NG_IF_TSRESOL, &tsresol, 1);
        put_opt_end(body);
        put_block(o, NG_IDB, body);
    }
    buf_fini(&name);
    buf_fini(&desc);
}

/* ---- packet blocks -------------------------------------------------------- */

/* A comment as written: at most NG_OPT_MAX bytes, cut at a UTF-8 character
 * boundary and ending "…" when longer.  Returns its length; *p points at
 * text or, when cut, into scratch. */
static size_t comment_view(const char *text, size_t len, Buf *scratch, const char **p)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    *p = text;
    if (len <= NG_OPT_MAX)
        return len;
    size_t n = NG_OPT_MAX - (sizeof ellipsis - 1);
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    buf_clear(scratch);
    buf_put(scratch, text, n);
    buf_puts(scratch, ellipsis);
    *p = scratch->data;
    return scratch->len;
}

/* Copies n bytes to d and zeroes up to the next multiple of 4; returns
 * where it ends. */
static uint8_t *copy_padded(uint8_t *d, const void *src, size_t n)
{
    memcpy(d, src, n);
    d += n;
    size_t pad = pad4(n);
    memset(d, 0, pad);
    return d + pad;
}

/* An Enhanced Packet Block, written straight into the output buffer: room
 * for the whole block is made once, then filled. */
static void put_epb(Buf *b, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t len, int dir,
                    const char *comment, size_t comment_len)
{
    uint32_t cap = len < SNAPLEN ? len : SNAPLEN;
    size_t opts = 0;
    if (comment_len)
        opts += 4 + comment_len + pad4(comment_len);
    if (dir != DIR_NONE)
        opts += 4 + 4;
    if (opts)
        opts += 4; /* opt_endofopt */
    uint32_t total = (uint32_t)(28 + cap + pad4(cap) + opts + 4);
    buf_reserve(b, total);
    uint8_t *d = (uint8_t *)b->data + b->len;
    le32(d, NG_EPB);
    le32(d + 4, total);
    le32(d + 8, iface);
    le32(d + 12, (uint32_t)(ts >> 32));
    le32(d + 16, (uint32_t)ts);
    le32(d + 20, cap);
    le32(d + 24, len);
    d = copy_padded(d + 28, data, cap);
    if (comment_len) {
        assert(comment_len <= NG_OPT_MAX);
        le16(d, NG_OPT_COMMENT);
        le16(d + 2, (uint16_t)comment_len);
        d = copy_padded(d + 4, comment, comment_len);
    }
    if (dir != DIR_NONE) {
        le16(d, NG_EPB_FLAGS);
        le16(d + 2, 4);
        le32(d + 4, (uint32_t)dir);
        d += 8;
    }
    if (opts) {
        le32(d, 0); /* opt_endofopt: code 0, length 0 */
        d += 4;
    }
    le32(d, total);
    d += 4;
    assert(d == (uint8_t *)b->data + b->len + total);
    b->len += total;
    b->data[b->len] = '\0';
}

static void fail(PcapWriter *pw, const char *msg)
{
    if (!pw->err[0])
        snprintf(pw->err, sizeof pw->err, "%s", msg);
}

/* Section header and interfaces (pcapng), or the file header (pcap). */
static void put_header(PcapWriter *pw)
{
    Out *o = &pw->o;
    buf_reserve(&o->b, OUT_CHUNK + 2 * NG_OPT_MAX);
    if (pw->fmt == PCAP_NG) {
        Buf body;
        buf_init(&body);
        put_shb(o, &body);
        put_idbs(o, pw, &body);
        buf_fini(&body);
    } else {
        uint8_t h[24];
        le32(h, PCAP_MAGIC_US);
        le16(h + 4, 2); /* version 2.4 */
        le16(h + 6, 4);
        le32(h + 8, 0); /* thiszone: UTC */
        le32(h + 12, 0);
        le32(h + 16, SNAPLEN);
        le32(h + 20, LINKTYPE_ETHERNET);
        buf_put(&o->b, h, sizeof h);
    }
    out_flush_pw(pw);
    pw->header_len = pw->pos;
}

static bool ensure_out(PcapWriter *pw)
{
    if (pw->o.f)
        return true;
    pw->o.f = tmpfile();
    if (!pw->o.f) {
        fail(pw, "cannot create a temporary file for the capture");
        return false;
    }
    pw->own_out = true;
    put_header(pw);
    return true;
}

static void spill_flush(PcapWriter *pw)
{
    if (pw->spill_b.len)
        fwrite(pw->spill_b.data, 1, pw->spill_b.len, pw->spill);
    buf_clear(&pw->spill_b);
}

/* Adds a record to the spill (ensure_spill first): a kind byte and a
 * packet, then for a note ('N') its text of n bytes, its length first;
 * one fwrite per chunk, not per record. */
static void spill_put(PcapWriter *pw, char kind, uint64_t pkt, const char *text, size_t n)
{
    Buf *b = &pw->spill_b;
    size_t size = 1 + 8 + (kind == 'N' ? 4 + n : 0);
    buf_reserve(b, size);
    uint8_t *o = (uint8_t *)b->data + b->len;
    o[0] = (uint8_t)kind;
    memcpy(o + 1, &pkt, 8);
    if (kind == 'N') {
        uint32_t n32 = (uint32_t)n;
        memcpy(o + 9, &n32, 4);
        memcpy(o + 13, text, n);
    }
    b->len += size;
    b->data[b->len] = '\0';
    if (b->len >= OUT_CHUNK)
        spill_flush(pw);
}

static bool ensure_spill(PcapWriter *pw)
{
    if (pw->spill)
        return true;
    pw->spill = tmpfile();
    if (!pw->spill)
        fail(pw, "cannot create a temporary file for the capture's comments");
    return pw->spill != NULL;
}

/* ---- packets ----------------------------------------------------------- */

static size_t st_slot(uint64_t pkt, size_t cap)
{
    return (size_t)((pkt * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static PktState *st_find(PcapWriter *pw, uint64_t pkt)
{
    if (!pw->cap_st)
        return NULL;
    for (size_t i = st_slot(pkt, pw->cap_st);; i = (i + 1) & (pw->cap_st - 1)) {
        PktState *p = &pw->st[i];
        if (!p->used)
            return NULL;
        if (p->pkt == pkt)
            return p;
    }
}

/* Moves every state into a table of cap slots. */
static void st_rebuild(PcapWriter *pw, size_t cap)
{
    PktState *old = pw->st;
    size_t old_cap = pw->cap_st;
    pw->st = xcalloc(cap, sizeof *pw->st);
    pw->cap_st = cap;
    for (size_t i = 0; i < old_cap; i++) {
        PktState *p = &old[i];
        if (!p->used)
            continue;
        size_t k = st_slot(p->pkt, cap);
        while (pw->st[k].used)
            k = (k + 1) & (cap - 1);
        pw->st[k] = *p;
    }
    free(old);
}

/* Packet ids from the simulation count up from 1: one bit each says its
 * state was let go.  Ids past GONE_MAX (never made by a run) are taken as
 * let go, which at worst rewrites their comments at the end. */
#define GONE_MAX (UINT64_C(1) << 32)

static bool is_gone(const PcapWriter *pw, uint64_t pkt)
{
    if (pkt >= GONE_MAX)
        return true;
    return pkt / 8 < pw->gone_bytes && (pw->gone[pkt / 8] >> (pkt % 8) & 1);
}

static void set_gone(PcapWriter *pw, uint64_t pkt)
{
    if (pkt >= GONE_MAX)
        return;
    if (pkt / 8 >= pw->gone_bytes) {
        size_t n = pw->gone_bytes ? pw->gone_bytes : 4096;
        while (n <= pkt / 8)
            n *= 2;
        pw->gone = xrealloc(pw->gone, n);
        memset(pw->gone + pw->gone_bytes, 0, n - pw->gone_bytes);
        pw->gone_bytes = n;
    }
    pw->gone[pkt / 8] |= (uint8_t)(1u << (pkt % 8));
}

static void mark_late(PcapWriter *pw, PktState *p, uint64_t pkt)
{
    if (p && p->late)
        return;
    if (p)
        p->late = true;
    pw->late = xgrow(pw->late, &pw->cap_late, pw->n_late + 1, sizeof *pw->late);
    pw->late[pw->n_late++] = pkt;
}

static PktState *st_get(PcapWriter *pw, uint64_t pkt)
{
    PktState *p = st_find(pw, pkt);
    if (p)
        return p;
    if (2 * (pw->n_st + 1) > pw->cap_st)
        st_rebuild(pw, pw->cap_st ? 2 * pw->cap_st : 1024);
    size_t i = st_slot(pkt, pw->cap_st);
    while (pw->st[i].used)
        i = (i + 1) & (pw->cap_st - 1);
    p = &pw->st[i];
    memset(p, 0, sizeof *p);
    p->used = true;
    p->pkt = pkt;
    pw->n_st++;
    /* Its earlier notes or frames were let go: its comment is rebuilt at
     * the end. */
    if (is_gone(pw, pkt))
        mark_late(pw, p, pkt);
    return p;
}

/* After a packet is delivered or dropped, notes about it still come at
 * that same moment (the receiver's caption); a packet that is neither
 * (still queued, or a caption for one that never went out) is given this
 * long.  A note later than that (a timeout's, seconds on) rewrites the
 * comments of its frames at the end: the file is right either way, this
 * only decides how much is held in memory and how often a rewrite is
 * needed. */
#define QUIET_GRACE 1000000 /* µs of simulated time */

static SimTime quiet_after(const PktState *p)
{
    if (p->ended)
        return p->end > p->last ? p->end : p->last;
    return p->last > SIM_TIME_MAX - QUIET_GRACE ? SIM_TIME_MAX : p->last + QUIET_GRACE;
}

static bool st_keep(PcapWriter *pw, PktState *p)
{
    if (p->pending || pw->now <= quiet_after(p))
        return true;
    if (p->noted || p->written)
        set_gone(pw, p->pkt);
    return false;
}

/* Empties slot i, moving later members of its run back so that every
 * state stays reachable from its home slot (deletion without tombstones
 * for linear probing). */
static void st_remove_at(PcapWriter *pw, size_t i)
{
    size_t mask = pw->cap_st - 1;
    for (size_t j = (i + 1) & mask; pw->st[j].used; j = (j + 1) & mask) {
        size_t home = st_slot(pw->st[j].pkt, pw->cap_st);
        /* It stays when its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        pw->st[i] = pw->st[j];
        i = j;
    }
    memset(&pw->st[i], 0, sizeof pw->st[i]);
    pw->n_st--;
}

static void text_let_go(PcapWriter *pw, char *text, size_t cap)
{
    if (!text)
        return;
    if (pw->n_spare_text == SPARE_TEXTS || cap > SPARE_TEXT_CAP) {
        free(text);
        return;
    }
    pw->spare_text =
        xgrow(pw->spare_text, &pw->cap_spare_text, pw->n_spare_text + 1, sizeof *pw->spare_text);
    pw->spare_text[pw->n_spare_text++] = (SpareText){text, cap};
}

/* Lets go of the packets that are over, in place; amortised O(1) per
 * packet.  A state moved back into a slot already passed is looked at
 * again, which keeps it again. */
static void st_sweep(PcapWriter *pw)
{
    if (pw->n_st < pw->sweep_at)
        return;
    for (size_t i = 0; i < pw->cap_st;) {
        PktState *p = &pw->st[i];
        if (p->used && !st_keep(pw, p)) {
            text_let_go(pw, p->text, p->cap);
            free(p->losses);
            st_remove_at(pw, i); /* slot i may now hold a later state */
            continue;
        }
        i++;
    }
    pw->sweep_at = 2 * pw->n_st > 4096 ? 2 * pw->n_st : 4096;
    /* Shrinks only a table far larger than the next sweep needs, so that
     * a steady run neither shrinks nor grows it. */
    size_t cap = pw->cap_st;
    while (cap > 1024 && cap / 8 > pw->sweep_at)
        cap /= 2;
    if (cap != pw->cap_st)
        st_rebuild(pw, cap);
}

/* ---- the heap of frames, in file order ------------------------------------ */

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static bool ent_before(const HeapEnt *a, const HeapEnt *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    if (a->seq != b->seq)
        return cmp_u64(a->seq, b->seq) < 0;
    return a->dir < b->dir;
}

static void heap_push(PcapWriter *pw, Frame *f)
{
    pw->heap = xgrow(pw->heap, &pw->cap_heap, pw->n_heap + 1, sizeof *pw->heap);
    HeapEnt e = {f->time, f->seq, f->dir, f};
    size_t i = pw->n_heap++;
    while (i > 0 && ent_before(&e, &pw->heap[(i - 1) / 2])) {
        pw->heap[i] = pw->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    pw->heap[i] = e;
}

static Frame *heap_pop(PcapWriter *pw)
{
    Frame *top = pw->heap[0].f;
    HeapEnt last = pw->heap[--pw->n_heap];
    size_t i = 0, n = pw->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ent_before(&pw->heap[c + 1], &pw->heap[c]))
            c++;
        if (!ent_before(&pw->heap[c], &last))
            break;
        pw->heap[i] = pw->heap[c];
        i = c;
    }
    if (n)
        pw->heap[i] = last;
    return top;
}

/* The size class of a frame of len bytes, POOL_CLASSES if none. */
static size_t frame_class(uint32_t len)
{
    size_t c = (sizeof(Frame) + len + POOL_CLASS - 1) / POOL_CLASS;
    return c < POOL_CLASSES ? c : POOL_CLASSES;
}

static Frame *frame_new(PcapWriter *pw, uint32_t len)
{
    size_t c = frame_class(len);
    if (c == POOL_CLASSES)
        return xmalloc(sizeof(Frame) + len);
    Frame *f = pw->spare[c];
    if (!f)
        return xmalloc(c * POOL_CLASS);
    pw->spare[c] = spare_next(f);
    return f;
}

static void frame_free(PcapWriter *pw, Frame *f)
{
    size_t c = frame_class(f->len);
    if (c == POOL_CLASSES) {
        free(f);
        return;
    }
    Frame *next = pw->spare[c];
    memcpy((void *)f, &next, sizeof(Frame *)); /* a spare frame's first bytes link it */
    pw->spare[c] = f;
}

/* ---- writing a frame ---------------------------------------------------- */

static bool lost_at(const PktState *p, SimTime time, int link)
{
    for (size_t i = 0; i < p->n_losses; i++)
        if (p->losses[i].time == time && p->losses[i].link == link)
            return true;
    return false;
}

static void spill_block(PcapWriter *pw, uint64_t pkt)
{
    if (!ensure_spill(pw))
        return;
    spill_put(pw, 'E', pkt, NULL, 0);
}

static void write_frame(PcapWriter *pw, Frame *f, PktState *p)
{
    p->pending--;
    /* A frame received on a node that never arrived: lost, or still on
     * the wire when the run stopped. */
    if (f->dir == DIR_IN && ((pw->ending && f->time > pw->end) || lost_at(p, f->time, f->link)))
        return;
    if (pw->err[0] || !ensure_out(pw))
        return;
    uint64_t ts = (uint64_t)pw->w->start_us + (uint64_t)f->time;
    Buf *b = &pw->o.b;
    if (pw->fmt == PCAP_NG) {
        Buf scratch;
        buf_init(&scratch);
        const char *c = NULL;
        size_t clen = p->text ? comment_view(p->text, p->len, &scratch, &c) : 0;
        put_epb(b, f->iface, ts, f->bytes, f->len, f->dir, c, clen);
        buf_fini(&scratch);
        spill_block(pw, f->pkt);
        p->written++;
    } else {
        if (!fits_classic(ts)) {
            fail(pw, "a frame is stamped after 2106-02-07, which classic pcap cannot hold "
                     "(use a .pcapng file name instead)");
            return;
        }
        uint32_t cap = f->len < SNAPLEN ? f->len : SNAPLEN;
        uint8_t r[16];
        le32(r, (uint32_t)(ts / 1000000u));
        le32(r + 4, (uint32_t)(ts % 1000000u));
        le32(r + 8, cap);
        le32(r + 12, f->len);
        buf_put(b, r, sizeof r);
        buf_put(b, f->bytes, cap);
    }
    if (b->len >= OUT_CHUNK)
        out_flush_pw(pw);
}

/* Writes every frame that is final: the run is past its timestamp (every
 * frame still to come sorts after it) and its packet is quiet. */
static void flush_ready(PcapWriter *pw, bool all)
{
    if (!all && pw->now <= pw->blocked_until)
        return;
    pw->blocked_until = -1;
    while (pw->n_heap) {
        Frame *f = pw->heap[0].f;
        if (!all && pw->now <= f->time)
            break;
        PktState *p = st_find(pw, f->pkt);
        assert(p);
        if (!all && pw->now <= quiet_after(p)) {
            /* Its packet's quiet time only grows, unless it ends (on_end
             * clears this). */
            pw->blocked_pkt = f->pkt;
            pw->blocked_until = quiet_after(p);
            break;
        }
        heap_pop(pw);
        write_frame(pw, f, p);
        frame_free(pw, f);
    }
}

/* ---- collecting, as the trace streams by ------------------------------- */

static void add_frame(PcapWriter *pw, const TraceRec *r, uint64_t seq, SimTime time, int iface,
                      int dir)
{
    PktState *p = st_get(pw, r->pkt);
    p->pending++;
    if (r->arrive > p->last)
        p->last = r->arrive;
    Frame *f = frame_new(pw, r->len);
    *f = (Frame){time, seq, r->pkt, r->len, (uint32_t)iface, r->link, dir};
    memcpy(f->bytes, r->bytes, r->len);
    heap_push(pw, f);
}

static void on_hop(PcapWriter *pw, const TraceRec *r, uint64_t seq)
{
    assert(r->link >= 0 && r->node >= 0 && r->peer >= 0);
    if (!pw->on_nodes) {
        add_frame(pw, r, seq, r->time, r->link, DIR_NONE);
        return;
    }
    int out = pw->first[r->node], in = pw->first[r->peer];
    if (out < 0 && in < 0) {
        /* Not captured here, but its notes may wait for where it goes. */
        PktState *p = st_find(pw, r->pkt);
        if (p && r->arrive > p->last)
            p->last = r->arrive;
        return;
    }
    if (out >= 0)
        add_frame(pw, r, seq, r->time, out + r->iface, DIR_OUT);
    if (in >= 0)
        add_frame(pw, r, seq, r->arrive, in + r->peer_iface, DIR_IN);
}

static void on_note(PcapWriter *pw, const TraceRec *r)
{
    size_t len = strlen(r->text);
    if (ensure_spill(pw))
        spill_put(pw, 'N', r->pkt, r->text, len);
    PktState *p = st_get(pw, r->pkt);
    if (p->written)
        mark_late(pw, p, r->pkt);
    size_t need = p->len + (p->len ? 2 : 0) + len + 1;
    if (!p->text && pw->n_spare_text) {
        SpareText t = pw->spare_text[--pw->n_spare_text];
        p->text = t.text;
        p->cap = t.cap;
    }
    if (need > p->cap) {
        p->cap = need < 64 ? 64 : 2 * need;
        p->text = xrealloc(p->text, p->cap);
    }
    if (p->len) {
        memcpy(p->text + p->len, "; ", 2);
        p->len += 2;
    }
    memcpy(p->text + p->len, r->text, len + 1);
    p->len += len;
    p->noted = true;
    if (r->time > p->last)
        p->last = r->time;
}

/* Drops after which a hop's frame never reached its receiver's interface. */
static bool never_arrived(DropReason reason)
{
    return reason == DROP_LOST_ON_LINK || reason == DROP_LINK_DOWN || reason == DROP_NODE_DOWN;
}

static void on_end(PcapWriter *pw, const TraceRec *r)
{
    PktState *p = st_find(pw, r->pkt);
    if (!p)
        return;
    if (r->pkt == pw->blocked_pkt)
        pw->blocked_until = -1;
    p->ended = true;
    if (r->time > p->end)
        p->end = r->time;
    if (r->kind == TR_DROP && pw->on_nodes && r->link >= 0 && never_arrived(r->reason)) {
        p->losses = xrealloc(p->losses, (p->n_losses + 1) * sizeof *p->losses);
        p->losses[p->n_losses++] = (PktLoss){r->time, r->link};
    }
}

static void on_rec(void *ctx, const Trace *t, const TraceRec *r)
{
    (void)t;
    PcapWriter *pw = ctx;
    if (r->time > pw->now) {
        pw->now = r->time;
        flush_ready(pw, false);
        st_sweep(pw);
    }
    uint64_t seq = pw->seq++;
    if (r->kind == TR_HOP)
        on_hop(pw, r, seq);
    else if (r->kind == TR_NOTE && r->pkt && pw->fmt == PCAP_NG)
        on_note(pw, r);
    else if (r->kind == TR_DROP || r->kind == TR_DELIVER)
        on_end(pw, r);
}

TraceSink pcap_writer_sink(PcapWriter *pw)
{
    return (TraceSink){on_rec, NULL, pw,
                       TRACE_KIND_BIT(TR_HOP) | TRACE_KIND_BIT(TR_NOTE) | TRACE_KIND_BIT(TR_DROP) |
                           TRACE_KIND_BIT(TR_DELIVER)};
}

void pcap_writer_stream(PcapWriter *pw, FILE *f)
{
    assert(!pw->o.f && pw->seq == 0);
    pw->o.f = f;
    pw->own_out = false;
    put_header(pw);
}

/* ---- late notes: rewriting the comments ------------------------------------ */

typedef struct Fix {
    uint64_t pkt;
    Buf text; /* every note of it, joined */
} Fix;

static int cmp_fix(const void *a, const void *b)
{
    return cmp_u64(((const Fix *)a)->pkt, ((const Fix *)b)->pkt);
}

static Fix *fix_find(Fix *fx, size_t n, uint64_t pkt)
{
    Fix key = {.pkt = pkt};
    return n ? bsearch(&key, fx, n, sizeof *fx, cmp_fix) : NULL;
}

/* The late packets' whole comments, from every note in the spill. */
static Fix *fixes_build(PcapWriter *pw, size_t *n_out)
{
    Fix *fx = xcalloc(pw->n_late, sizeof *fx);
    size_t n = 0;
    for (size_t i = 0; i < pw->n_late; i++)
        fx[n++].pkt = pw->late[i];
    qsort(fx, n, sizeof *fx, cmp_fix);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || fx[u - 1].pkt != fx[i].pkt)
            fx[u++] = fx[i];
    n = u;
    for (size_t i = 0; i < n; i++)
        buf_init(&fx[i].text);
    rewind(pw->spill);
    uint8_t tag;
    Buf note;
    buf_init(&note);
    while (fread(&tag, 1, 1, pw->spill) == 1) {
        uint64_t pkt;
        if (fread(&pkt, 8, 1, pw->spill) != 1)
            break;
        if (tag != 'N')
            continue;
        uint32_t len;
        if (fread(&len, 4, 1, pw->spill) != 1)
            break;
        buf_clear(&note);
        buf_reserve(&note, len + 1);
        if (len && fread(note.data, 1, len, pw->spill) != len)
            break;
        Fix *f = fix_find(fx, n, pkt);
        if (!f)
            continue;
        if (f->text.len)
            buf_puts(&f->text, "; ");
        buf_put(&f->text, note.data, len);
    }
    buf_fini(&note);
    *n_out = n;
    return fx;
}

/* The packet of the next block written, from the spill. */
static bool spill_next_block(FILE *spill, uint64_t *pkt)
{
    uint8_t tag;
    while (fread(&tag, 1, 1, spill) == 1) {
        if (fread(pkt, 8, 1, spill) != 1)
            return false;
        if (tag == 'E')
            return true;
        uint32_t len;
        if (fread(&len, 4, 1, spill) != 1 || fseeko(spill, (off_t)len, SEEK_CUR) != 0)
            return false;
    }
    return false;
}

/* Copies the packet blocks of src to the output, giving the late packets'
 * blocks their whole comments. */
static void copy_blocks(PcapWriter *pw, FILE *src, Fix *fx, size_t n_fx)
{
    rewind(pw->spill);
    Buf blk, scratch;
    buf_init(&blk);
    buf_init(&scratch);
    uint8_t h[8];
    while (fread(h, 1, 8, src) == 8) {
        uint32_t type =
            (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        uint32_t total =
            (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
        if (total < 12) {
            fail(pw, "the capture's temporary file is damaged");
            break;
        }
        buf_clear(&blk);
        buf_reserve(&blk, total);
        memcpy(blk.data, h, 8);
        if (fread(blk.data + 8, 1, total - 8, src) != total - 8) {
            fail(pw, "the capture's temporary file is damaged");
            break;
        }
        blk.len = total;
        uint64_t pkt;
        Fix *f = NULL;
        if (type == NG_EPB && spill_next_block(pw->spill, &pkt))
            f = fix_find(fx, n_fx, pkt);
        if (!f) {
            buf_put(&pw->o.b, blk.data, blk.len);
        } else {
            const uint8_t *d = (const uint8_t *)blk.data;
#define RD32(p)                                                                                    \
    ((uint32_t)(p)[0] | (uint32_t)(p)[1] << 8 | (uint32_t)(p)[2] << 16 | (uint32_t)(p)[3] << 24)
            uint32_t iface = RD32(d + 8), cap = RD32(d + 20), len = RD32(d + 24);
            uint64_t ts = (uint64_t)RD32(d + 12) << 32 | RD32(d + 16);
            int dir = DIR_NONE;
            for (size_t o = 28 + cap + pad4(cap); o + 4 <= total - 4;) {
                uint16_t code = (uint16_t)(d[o] | d[o + 1] << 8),
                         olen = (uint16_t)(d[o + 2] | d[o + 3] << 8);
                if (code == NG_OPT_END)
                    break;
                if (code == NG_EPB_FLAGS && olen == 4)
                    dir = (int)RD32(d + o + 4);
                o += 4 + olen + pad4(olen);
            }
#undef RD32
            const char *c = NULL;
            size_t clen = f->text.len ? comment_view(f->text.data, f->text.len, &scratch, &c) : 0;
            put_epb(&pw->o.b, iface, ts, d + 28, len, dir, c, clen);
            (void)cap;
        }
        if (pw->o.b.len >= OUT_CHUNK)
            out_flush_pw(pw);
    }
    out_flush_pw(pw);
    buf_fini(&blk);
    buf_fini(&scratch);
}

static void fixes_free(Fix *fx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_fini(&fx[i].text);
    free(fx);
}

/* Copies n bytes from src's current position to dst. */
static bool copy_bytes(FILE *src, FILE *dst, uint64_t n)
{
    char buf[1 << 16];
    while (n) {
        size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        if (fread(buf, 1, k, src) != k || fwrite(buf, 1, k, dst) != k)
            return false;
        n -= k;
    }
    return true;
}

/* The capture was written into the caller's file as it went: give the late
 * packets their comments by copying the packet blocks aside and writing
 * them back.  Rare: only a note that comes after its packet is over (a
 * timeout's) needs it. */
static void rewrite_in_place(PcapWriter *pw, Fix *fx, size_t n_fx)
{
    FILE *f = pw->o.f, *tmp = tmpfile();
    if (!tmp) {
        fail(pw, "cannot create a temporary file for the capture");
        return;
    }
    int fd = fileno(f);
    char buf[1 << 16];
    bool ok = fflush(f) == 0;
    for (uint64_t off = pw->header_len; off < pw->pos && ok;) {
        size_t k = pw->pos - off < sizeof buf ? (size_t)(pw->pos - off) : sizeof buf;
        ssize_t got = pread(fd, buf, k, (off_t)off);
        ok = got > 0 && fwrite(buf, 1, (size_t)got, tmp) == (size_t)got;
        off += got > 0 ? (uint64_t)got : 0;
    }
    if (!ok || fflush(tmp) != 0 || ftruncate(fd, (off_t)pw->header_len) != 0 ||
        fseeko(f, (off_t)pw->header_len, SEEK_SET) != 0) {
        fail(pw, "cannot rewrite the capture's comments (the file must be open for reading "
                 "and writing)");
        fclose(tmp);
        return;
    }
    rewind(tmp);
    pw->pos = pw->header_len;
    copy_blocks(pw, tmp, fx, n_fx);
    fclose(tmp);
}

bool pcap_writer_write(PcapWriter *pw, FILE *f, SimTime end, char *why, size_t size)
{
    pw->ending = true;
    pw->end = end;
    if (!pw->o.f) {
        /* Nothing written yet: straight into f. */
        pw->o.f = f;
        pw->own_out = false;
        put_header(pw);
    }
    flush_ready(pw, true);
    out_flush_pw(pw);
    size_t n_fx = 0;
    Fix *fx = NULL;
    if (pw->n_late && pw->spill && !pw->err[0]) {
        spill_flush(pw);
        fflush(pw->spill);
        fx = fixes_build(pw, &n_fx);
    }
    if (pw->own_out && !pw->err[0]) {
        /* Our temporary file: its header as is, then its blocks. */
        FILE *tmp = pw->o.f;
        fflush(tmp);
        rewind(tmp);
        if (!copy_bytes(tmp, f, pw->header_len))
            fail(pw, "cannot read the capture's temporary file");
        pw->o.f = f;
        pw->own_out = false;
        if (!pw->err[0]) {
            if (n_fx)
                copy_blocks(pw, tmp, fx, n_fx);
            else {
                uint64_t rest = pw->pos - pw->header_len;
                if (!copy_bytes(tmp, f, rest))
                    fail(pw, "cannot read the capture's temporary file");
            }
        }
        fclose(tmp);
    } else if (n_fx && !pw->err[0]) {
        rewrite_in_place(pw, fx, n_fx);
    }
    fixes_free(fx, n_fx);
    if (pw->err[0]) {
        snprintf(why, size, "%s", pw->err);
        return false;
    }
    return true;
}
