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

typedef struct Frame {
    SimTime time;   /* simulated time it is stamped with */
    uint64_t seq;   /* the hop record's place in the trace: ties keep trace order */
    uint64_t pkt;   /* packet id: finds its notes */
    size_t off;     /* its bytes, in PcapWriter.bytes */
    uint32_t len;   /* frame length */
    uint32_t iface; /* capture interface */
    int link;       /* the link it crossed: finds its losses */
    int dir;        /* DIR_* */
} Frame;

typedef struct NoteRef {
    uint64_t pkt, seq;
    size_t off; /* its text, NUL-terminated, in PcapWriter.text */
} NoteRef;

typedef struct Loss {
    uint64_t pkt;
    SimTime time;
    int link;
} Loss;

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
    Frame *frames;
    size_t n_frames, cap_frames;
    Buf bytes;
    NoteRef *notes;
    size_t n_notes, cap_notes;
    Buf text;
    Loss *losses;
    size_t n_losses, cap_losses;
    uint64_t seq; /* records seen */
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
    buf_init(&pw->bytes);
    buf_init(&pw->text);
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

void pcap_writer_free(PcapWriter *pw)
{
    if (!pw)
        return;
    free(pw->first);
    free(pw->ifs);
    free(pw->frames);
    buf_fini(&pw->bytes);
    free(pw->notes);
    buf_fini(&pw->text);
    free(pw->losses);
    free(pw);
}

size_t pcap_writer_ifaces(const PcapWriter *pw)
{
    return pw->n_ifs;
}

/* ---- collecting, as the trace streams by ------------------------------- */

static void add_frame(PcapWriter *pw, const TraceRec *r, uint64_t seq, size_t off, SimTime time,
                      int iface, int dir)
{
    pw->frames = xgrow(pw->frames, &pw->cap_frames, pw->n_frames + 1, sizeof *pw->frames);
    pw->frames[pw->n_frames++] =
        (Frame){time, seq, r->pkt, off, r->len, (uint32_t)iface, r->link, dir};
}

static void on_hop(PcapWriter *pw, const TraceRec *r, uint64_t seq)
{
    assert(r->link >= 0 && r->node >= 0 && r->peer >= 0);
    size_t off = pw->bytes.len;
    if (!pw->on_nodes) {
        buf_put(&pw->bytes, r->bytes, r->len);
        add_frame(pw, r, seq, off, r->time, r->link, DIR_NONE);
        return;
    }
    int out = pw->first[r->node], in = pw->first[r->peer];
    if (out < 0 && in < 0)
        return;
    buf_put(&pw->bytes, r->bytes, r->len);
    if (out >= 0)
        add_frame(pw, r, seq, off, r->time, out + r->iface, DIR_OUT);
    if (in >= 0)
        add_frame(pw, r, seq, off, r->arrive, in + r->peer_iface, DIR_IN);
}

/* Drops after which a hop's frame never reached its receiver's interface. */
static bool never_arrived(DropReason reason)
{
    return reason == DROP_LOST_ON_LINK || reason == DROP_LINK_DOWN || reason == DROP_NODE_DOWN;
}

static void on_rec(void *ctx, const Trace *t, const TraceRec *r)
{
    (void)t;
    PcapWriter *pw = ctx;
    uint64_t seq = pw->seq++;
    if (r->kind == TR_HOP) {
        on_hop(pw, r, seq);
    } else if (r->kind == TR_NOTE && r->pkt && pw->fmt == PCAP_NG) {
        pw->notes = xgrow(pw->notes, &pw->cap_notes, pw->n_notes + 1, sizeof *pw->notes);
        pw->notes[pw->n_notes++] = (NoteRef){r->pkt, seq, pw->text.len};
        buf_put(&pw->text, r->text, strlen(r->text) + 1);
    } else if (r->kind == TR_DROP && pw->on_nodes && r->link >= 0 && never_arrived(r->reason)) {
        pw->losses = xgrow(pw->losses, &pw->cap_losses, pw->n_losses + 1, sizeof *pw->losses);
        pw->losses[pw->n_losses++] = (Loss){r->pkt, r->time, r->link};
    }
}

TraceSink pcap_writer_sink(PcapWriter *pw)
{
    return (TraceSink){on_rec, NULL, pw,
                       TRACE_KIND_BIT(TR_HOP) | TRACE_KIND_BIT(TR_NOTE) | TRACE_KIND_BIT(TR_DROP)};
}

/* ---- sorting ----------------------------------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_frame(const void *pa, const void *pb)
{
    const Frame *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->seq != b->seq)
        return cmp_u64(a->seq, b->seq);
    return a->dir - b->dir;
}

static int cmp_note(const void *pa, const void *pb)
{
    const NoteRef *a = pa, *b = pb;
    return a->pkt != b->pkt ? cmp_u64(a->pkt, b->pkt) : cmp_u64(a->seq, b->seq);
}

static int cmp_loss(const void *pa, const void *pb)
{
    const Loss *a = pa, *b = pb;
    if (a->pkt != b->pkt)
        return cmp_u64(a->pkt, b->pkt);
    if (a->link != b->link)
        return a->link < b->link ? -1 : 1;
    return a->time < b->time ? -1 : a->time > b->time;
}

/* Removes the received frames that never arrived: lost, or still on the
 * wire at end. */
static void prune_unarrived(PcapWriter *pw, SimTime end)
{
    if (!pw->on_nodes)
        return;
    if (pw->n_losses > 1) /* qsort and bsearch want an array, even of 0 */
        qsort(pw->losses, pw->n_losses, sizeof *pw->losses, cmp_loss);
    size_t keep = 0;
    for (size_t i = 0; i < pw->n_frames; i++) {
        const Frame *f = &pw->frames[i];
        bool gone = false;
        if (f->dir == DIR_IN) {
            Loss key = {f->pkt, f->time, f->link};
            gone = f->time > end || (pw->n_losses && bsearch(&key, pw->losses, pw->n_losses,
                                                             sizeof key, cmp_loss) != NULL);
        }
        if (!gone)
            pw->frames[keep++] = *f;
    }
    pw->n_frames = keep;
}

static void sort_frames(PcapWriter *pw)
{
    for (size_t i = 1; i < pw->n_frames; i++) {
        if (cmp_frame(&pw->frames[i - 1], &pw->frames[i]) > 0) {
            qsort(pw->frames, pw->n_frames, sizeof *pw->frames, cmp_frame);
            return;
        }
    }
}

/* ---- comments ---------------------------------------------------------- */

/* A packet's comment: its notes joined by "; " (DESIGN.md rule 5), built
 * once per packet however many frames carry it. */
typedef struct Comment {
    uint64_t pkt;
    size_t off; /* in Comments.text */
    size_t len;
} Comment;

typedef struct Comments {
    Comment *c; /* sorted by pkt */
    size_t n, cap;
    Buf text;
    size_t cursor; /* the last one found: frames come mostly in packet order */
} Comments;

/* Cuts the text from off on to at most max bytes, at a UTF-8 character
 * boundary, ending "…". */
static void clip_utf8(Buf *b, size_t off, size_t max)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    if (b->len - off <= max)
        return;
    size_t n = max - (sizeof ellipsis - 1);
    while (n > 0 && ((unsigned char)b->data[off + n] & 0xC0) == 0x80)
        n--;
    b->len = off + n;
    buf_puts(b, ellipsis);
}

static void comments_build(PcapWriter *pw, Comments *cs)
{
    memset(cs, 0, sizeof *cs);
    buf_init(&cs->text);
    if (pw->n_notes > 1)
        qsort(pw->notes, pw->n_notes, sizeof *pw->notes, cmp_note);
    for (size_t i = 0; i < pw->n_notes; i++) {
        const NoteRef *nr = &pw->notes[i];
        if (i == 0 || nr->pkt != pw->notes[i - 1].pkt) {
            cs->c = xgrow(cs->c, &cs->cap, cs->n + 1, sizeof *cs->c);
            cs->c[cs->n++] = (Comment){nr->pkt, cs->text.len, 0};
        } else {
            buf_puts(&cs->text, "; ");
        }
        buf_puts(&cs->text, pw->text.data + nr->off);
        Comment *c = &cs->c[cs->n - 1];
        if (i + 1 == pw->n_notes || pw->notes[i + 1].pkt != nr->pkt) {
            clip_utf8(&cs->text, c->off, NG_OPT_MAX);
            c->len = cs->text.len - c->off;
        }
    }
}

static void comments_free(Comments *cs)
{
    free(cs->c);
    buf_fini(&cs->text);
}

/* pkt's comment, or NULL.  O(1) for the packet after the last one found,
 * else O(log n). */
static const Comment *comments_find(Comments *cs, uint64_t pkt)
{
    for (size_t k = cs->cursor; k < cs->n && k < cs->cursor + 2; k++) {
        if (cs->c[k].pkt == pkt) {
            cs->cursor = k;
            return &cs->c[k];
        }
    }
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->c[mid].pkt < pkt)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == cs->n || cs->c[lo].pkt != pkt)
        return NULL;
    cs->cursor = lo;
    return &cs->c[lo];
}

/* ---- writing ----------------------------------------------------------- */

/* Output goes through a large buffer of our own: one fwrite per MiB. */
typedef struct Out {
    FILE *f;
    Buf b;
} Out;

static void out_flush(Out *o)
{
    if (o->b.len)
        fwrite(o->b.data, 1, o->b.len, o->f);
    buf_clear(&o->b);
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

/* An Enhanced Packet Block, written straight into the output. */
static void put_epb(Out *o, const PcapWriter *pw, const Frame *f, uint64_t ts, const char *comment,
                    size_t comment_len)
{
    uint32_t cap = f->len < SNAPLEN ? f->len : SNAPLEN;
    size_t opts = 0;
    if (comment_len)
        opts += 4 + comment_len + pad4(comment_len);
    if (f->dir != DIR_NONE)
        opts += 4 + 4;
    if (opts)
        opts += 4; /* opt_endofopt */
    uint32_t total = (uint32_t)(28 + cap + pad4(cap) + opts + 4);
    uint8_t h[28];
    le32(h, NG_EPB);
    le32(h + 4, total);
    le32(h + 8, f->iface);
    le32(h + 12, (uint32_t)(ts >> 32));
    le32(h + 16, (uint32_t)ts);
    le32(h + 20, cap);
    le32(h + 24, f->len);
    buf_put(&o->b, h, sizeof h);
    buf_put(&o->b, pw->bytes.data + f->off, cap);
    put_pad(&o->b, cap);
    if (comment_len)
        put_opt(&o->b, NG_OPT_COMMENT, comment, comment_len);
    if (f->dir != DIR_NONE) {
        uint8_t flags[4];
        le32(flags, (uint32_t)f->dir);
        put_opt(&o->b, NG_EPB_FLAGS, flags, sizeof flags);
    }
    if (opts)
        put_opt_end(&o->b);
    put32(&o->b, total);
}

static void write_pcapng(Out *o, PcapWriter *pw)
{
    Buf body;
    buf_init(&body);
    put_shb(o, &body);
    put_idbs(o, pw, &body);
    buf_fini(&body);
    Comments cs;
    comments_build(pw, &cs);
    uint64_t start = (uint64_t)pw->w->start_us;
    for (size_t i = 0; i < pw->n_frames; i++) {
        const Frame *f = &pw->frames[i];
        const Comment *c = comments_find(&cs, f->pkt);
        put_epb(o, pw, f, start + (uint64_t)f->time, c ? cs.text.data + c->off : NULL,
                c ? c->len : 0);
        if (o->b.len >= OUT_CHUNK)
            out_flush(o);
    }
    comments_free(&cs);
}

static bool write_classic(Out *o, PcapWriter *pw, char *why, size_t size)
{
    uint8_t h[24];
    le32(h, PCAP_MAGIC_US);
    le16(h + 4, 2); /* version 2.4 */
    le16(h + 6, 4);
    le32(h + 8, 0); /* thiszone: UTC */
    le32(h + 12, 0);
    le32(h + 16, SNAPLEN);
    le32(h + 20, LINKTYPE_ETHERNET);
    buf_put(&o->b, h, sizeof h);
    uint64_t start = (uint64_t)pw->w->start_us;
    for (size_t i = 0; i < pw->n_frames; i++) {
        const Frame *f = &pw->frames[i];
        uint64_t ts = start + (uint64_t)f->time;
        if (!fits_classic(ts)) {
            snprintf(why, size,
                     "a frame is stamped after 2106-02-07, which classic pcap cannot hold "
                     "(use a .pcapng file name instead)");
            return false;
        }
        uint32_t cap = f->len < SNAPLEN ? f->len : SNAPLEN;
        uint8_t r[16];
        le32(r, (uint32_t)(ts / 1000000u));
        le32(r + 4, (uint32_t)(ts % 1000000u));
        le32(r + 8, cap);
        le32(r + 12, f->len);
        buf_put(&o->b, r, sizeof r);
        buf_put(&o->b, pw->bytes.data + f->off, cap);
        if (o->b.len >= OUT_CHUNK)
            out_flush(o);
    }
    return true;
}

bool pcap_writer_write(PcapWriter *pw, FILE *f, SimTime end, char *why, size_t size)
{
    prune_unarrived(pw, end);
    sort_frames(pw);
    Out o = {f, {0}};
    buf_init(&o.b);
    buf_reserve(&o.b, OUT_CHUNK + 2 * NG_OPT_MAX);
    bool ok = true;
    if (pw->fmt == PCAP_NG)
        write_pcapng(&o, pw);
    else
        ok = write_classic(&o, pw, why, size);
    if (ok)
        out_flush(&o);
    buf_fini(&o.b);
    return ok;
}
