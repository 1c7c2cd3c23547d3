#include "io/chart.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/dissect.h"

/* ---- text widths ------------------------------------------------------- */

/* DejaVu Sans and DejaVu Sans Bold advance widths of ASCII 32 to 126, in
 * font units (2048 an em), as the fonts in assets/fonts give them. */
static const uint16_t sans_w[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
    1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716,
};
static const uint16_t bold_w[95] = {
    713,  934,  1067, 1716, 1425, 2052, 1786, 627,  936,  936,  1071, 1716, 778,  850,  778,  748,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819,  819,  1716, 1716, 1716, 1188,
    2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762,  762,  1587, 1305, 2038, 1714, 1741,
    1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936,  748,  936,  1716, 1024,
    1024, 1382, 1466, 1214, 1466, 1389, 891,  1466, 1458, 702,  702,  1362, 702,  2134, 1458, 1407,
    1466, 1466, 1010, 1219, 979,  1458, 1335, 1892, 1321, 1335, 1192, 1458, 748,  1458, 1716,
};

double chart_text_width(const char *s, int px, bool bold)
{
    const uint16_t *tab = bold ? bold_w : sans_w;
    double units = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 32 && *p < 127)
            units += tab[*p - 32];
        else if ((*p & 0xc0) != 0x80) /* the lead byte of anything else: ×, →, … */
            units += *p >= 0xe2 ? 2048 : 1716;
    }
    return units * px / 2048.0;
}

/* ---- protocols' line styles -------------------------------------------- */

static const struct {
    const char *proto, *dash;
} dashes[] = {
    {"DNS", ""},         {"ICMP", "2 4"},          {"TCP", "9 4"}, {"SMTP", "9 3 2 3"},
    {"POP", "14 4"},     {"IMAP", "14 3 2 3 2 3"}, {"FTP", "5 3"}, {"FTP-DATA", "5 3 1 3"},
    {"HTTP", "2 3 8 3"}, {"UDP", "1 3"},
};

const char *chart_proto_dash(const char *proto)
{
    for (size_t i = 0; proto && i < MN_ARRAY_LEN(dashes); i++)
        if (strcmp(dashes[i].proto, proto) == 0)
            return dashes[i].dash;
    return "12 6";
}

/* One row per protocol name (dissect_protocol's), in the order the
 * window's event list offers them.  Okabe and Ito's colours first: told
 * apart by readers with any colour vision. */
static const ChartProto protos[] = {
    {"DNS", {0, 114, 178}},      /* blue */
    {"ICMP", {213, 94, 0}},      /* vermillion */
    {"TCP", {0, 158, 115}},      /* bluish green */
    {"SMTP", {204, 121, 167}},   /* reddish purple */
    {"POP", {86, 180, 233}},     /* sky blue */
    {"IMAP", {40, 130, 190}},    /* a deeper sky blue */
    {"FTP", {230, 159, 0}},      /* orange */
    {"FTP-DATA", {170, 115, 0}}, /* a darker orange */
    {"HTTP", {125, 85, 165}},    /* violet */
};

const ChartProto *chart_protos(size_t *n)
{
    *n = MN_ARRAY_LEN(protos);
    return protos;
}

const uint8_t *chart_proto_rgb(const char *proto)
{
    static const uint8_t grey[3] = {110, 110, 110}; /* UDP, IPv4, … */
    for (size_t i = 0; proto && i < MN_ARRAY_LEN(protos); i++)
        if (strcmp(proto, protos[i].name) == 0)
            return protos[i].rgb;
    return grey;
}

/* ---- frames ------------------------------------------------------------ */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* What the chart needs of a frame; the bytes are hostile, so anything
 * short leaves is_tcp false (and the addresses 0). */
typedef struct Seg {
    uint32_t src, dst;
    bool is_tcp;
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t payload;
} Seg;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static Seg parse_seg(const uint8_t *f, size_t len)
{
    Seg s = {0};
    if (!f || len < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
        return s;
    size_t ihl = (size_t)(f[14] & 15) * 4;
    size_t total = (size_t)f[16] << 8 | f[17];
    s.src = be32(f + 26);
    s.dst = be32(f + 30);
    if (ihl < 20 || total < ihl || 14 + total > len || f[23] != 6 || total - ihl < 20)
        return s;
    const uint8_t *t = f + 14 + ihl;
    size_t off = (size_t)(t[12] >> 4) * 4;
    if (off < 20 || off > total - ihl)
        return s;
    s.is_tcp = true;
    s.sport = (uint16_t)(t[0] << 8 | t[1]);
    s.dport = (uint16_t)(t[2] << 8 | t[3]);
    s.flags = t[13];
    s.payload = (uint32_t)(total - ihl - off);
    return s;
}

/* ---- messages ---------------------------------------------------------- */

/* A message before filtering: a packet from the node that sent it to the
 * node it was for (or one hop, with routers shown). */
typedef struct Msg {
    uint64_t pkt;
    size_t rec; /* its first hop record */
    int hop;    /* index among hop records */
    uint32_t step;
    int from, to;
    int last_peer; /* the receiver of its latest hop */
    bool delivered, lost, lost_at_door;
    const char *proto;
    bool response;
    Seg seg;
    int conn; /* -1 */
    char label[96];
} Msg;

typedef struct Build {
    const Trace *t;
    const World *w;
    const ChartOpts *o;
    Msg *msgs;
    size_t n_msgs, msgs_cap;
    /* pkt → message + 1, open addressing (folded mode only) */
    uint64_t *keys;
    uint32_t *vals;
    size_t n_slots;
    ChartConn *conns;
    size_t n_conns, conns_cap;
    char **conn_protos; /* per connection: the application names it carries, "|A|B|" */
    DissectCtx *dc;     /* the frames so far: FTP's data connections on any port */
} Build;

static size_t slot_of(const Build *b, uint64_t pkt)
{
    size_t i = (size_t)(pkt * 0x9e3779b97f4a7c15ULL) & (b->n_slots - 1);
    while (b->vals[i] && b->keys[i] != pkt)
        i = (i + 1) & (b->n_slots - 1);
    return i;
}

static Msg *msg_of_pkt(Build *b, uint64_t pkt)
{
    size_t i = slot_of(b, pkt);
    return b->vals[i] ? &b->msgs[b->vals[i] - 1] : NULL;
}

static Msg *new_msg(Build *b, const TraceRec *r, size_t rec, int hop)
{
    b->msgs = xgrow(b->msgs, &b->msgs_cap, b->n_msgs + 1, sizeof *b->msgs);
    Msg *m = &b->msgs[b->n_msgs++];
    memset(m, 0, sizeof *m);
    m->pkt = r->pkt;
    m->rec = rec;
    m->hop = hop;
    m->step = r->step;
    m->from = r->node;
    m->to = -1;
    m->last_peer = r->peer;
    m->conn = -1;
    m->proto = dissect_label(b->dc, r->bytes, r->len, m->label, sizeof m->label, &m->response);
    m->seg = parse_seg(r->bytes, r->len);
    if (!b->o->routers) {
        size_t i = slot_of(b, r->pkt);
        b->keys[i] = r->pkt;
        b->vals[i] = (uint32_t)b->n_msgs;
    }
    return m;
}

static void read_hop(Build *b, const TraceRec *r, size_t rec, int hop)
{
    if (b->o->routers) {
        Msg *m = new_msg(b, r, rec, hop);
        m->to = r->peer;
        m->delivered = true;
        return;
    }
    Msg *m = msg_of_pkt(b, r->pkt);
    if (!m)
        m = new_msg(b, r, rec, hop);
    m->last_peer = r->peer;
}

/* A drop ends a message; with routers shown, the hop that arrives at the
 * drop's moment on its link. */
static void read_drop(Build *b, const TraceRec *r)
{
    if (!b->o->routers) {
        Msg *m = msg_of_pkt(b, r->pkt);
        if (m && !m->delivered) {
            m->lost = true;
            m->lost_at_door = r->reason == DROP_NODE_DOWN;
        }
        return;
    }
    for (size_t i = b->n_msgs; i-- > 0;) {
        Msg *m = &b->msgs[i];
        const TraceRec *h = &b->t->recs[m->rec];
        if (m->pkt == r->pkt && h->link == r->link && h->arrive == r->time) {
            m->lost = true;
            m->lost_at_door = r->reason == DROP_NODE_DOWN;
            return;
        }
    }
}

static void read_trace(Build *b)
{
    const Trace *t = b->t;
    size_t hops = 0;
    for (size_t i = 0; i < t->n; i++)
        hops += t->recs[i].kind == TR_HOP;
    b->n_slots = hash_slots(hops, 16);
    b->keys = xcalloc(b->n_slots, sizeof *b->keys);
    b->vals = xcalloc(b->n_slots, sizeof *b->vals);
    int hop = 0;
    for (size_t i = 0; i < t->n; i++) {
        const TraceRec *r = &t->recs[i];
        if (r->kind == TR_HOP) {
            read_hop(b, r, i, hop++);
        } else if (r->kind == TR_DELIVER && !b->o->routers) {
            Msg *m = msg_of_pkt(b, r->pkt);
            if (m) {
                m->to = r->node;
                m->delivered = true;
            }
        } else if (r->kind == TR_DROP) {
            read_drop(b, r);
        }
    }
    /* Not delivered: it was for the node that owns its destination address. */
    for (size_t i = 0; i < b->n_msgs; i++) {
        Msg *m = &b->msgs[i];
        int node, iface;
        if (m->to < 0)
            m->to = m->seg.dst && world_find_addr(b->w, m->seg.dst, &node, &iface) ? node
                                                                                   : m->last_peer;
        if (m->to == m->from) /* a router's own message that never left */
            m->to = m->last_peer;
    }
}

/* ---- TCP connections --------------------------------------------------- */

static bool same_tuple(const ChartConn *c, const Seg *s)
{
    return (c->aip == s->src && c->aport == s->sport && c->bip == s->dst && c->bport == s->dport) ||
           (c->aip == s->dst && c->aport == s->dport && c->bip == s->src && c->bport == s->sport);
}

/* Gives each TCP message its connection: a SYN without ACK opens a new one
 * (a port used again), anything else joins its 4-tuple's latest.  O(messages ×
 * connections), and a run has a handful of connections. */
static void find_conns(Build *b)
{
    for (size_t i = 0; i < b->n_msgs; i++) {
        Msg *m = &b->msgs[i];
        if (!m->seg.is_tcp)
            continue;
        int c = -1;
        for (size_t k = b->n_conns; k-- > 0 && c < 0;)
            if (same_tuple(&b->conns[k], &m->seg))
                c = (int)k;
        bool syn = (m->seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
        if (c < 0 || (syn && b->conns[c].opened)) {
            b->conns = xgrow(b->conns, &b->conns_cap, b->n_conns + 1, sizeof *b->conns);
            size_t cap = b->n_conns;
            b->conn_protos = xrealloc(b->conn_protos, (cap + 1) * sizeof *b->conn_protos);
            b->conn_protos[cap] = xstrdup("|");
            ChartConn *n = &b->conns[b->n_conns++];
            memset(n, 0, sizeof *n);
            n->aip = m->seg.src;
            n->aport = m->seg.sport;
            n->bip = m->seg.dst;
            n->bport = m->seg.dport;
            c = (int)cap;
        }
        if (syn)
            b->conns[c].opened = true;
        m->conn = c;
        char want[40];
        snprintf(want, sizeof want, "|%s|", m->proto);
        if (!strstr(b->conn_protos[c], want)) {
            char *more = xasprintf("%s%s|", b->conn_protos[c], m->proto);
            free(b->conn_protos[c]);
            b->conn_protos[c] = more;
        }
    }
    for (size_t k = 0; k < b->n_conns; k++)
        b->conns[k].opened = false; /* set again from the arrows the chart keeps */
}

static bool proto_wanted(const Build *b, const Msg *m)
{
    const char *want = b->o->proto;
    if (!want || !*want)
        return true;
    if (strcasecmp(m->proto, want) == 0)
        return true;
    if (m->conn < 0)
        return false;
    /* A connection that carries the protocol comes whole: its handshake,
     * acknowledgements and close. */
    const char *p = b->conn_protos[m->conn];
    size_t n = strlen(want);
    for (const char *q = strchr(p, '|'); q && q[1]; q = strchr(q + 1, '|'))
        if (strncasecmp(q + 1, want, n) == 0 && q[1 + n] == '|')
            return true;
    return false;
}

static bool wanted(const Build *b, const Msg *m)
{
    const ChartOpts *o = b->o;
    if ((o->first && m->step < o->first) || (o->last && m->step > o->last))
        return false;
    if (o->nodes && (!o->nodes[m->from] || m->to < 0 || !o->nodes[m->to]))
        return false;
    return proto_wanted(b, m);
}

/* ---- arrows ------------------------------------------------------------ */

/* Bulk data and bare acknowledgements: one arrow per step, connection and
 * direction.  Handshakes, closes, resets and application messages keep
 * their own. */
static int merge_class(const Msg *m)
{
    if (!m->seg.is_tcp || (m->seg.flags & (TCP_SYN | TCP_FIN | TCP_RST)))
        return 0;
    if (strcmp(m->proto, "TCP") != 0 && strcmp(m->proto, "FTP-DATA") != 0)
        return 0;
    return m->seg.payload ? 1 : 2;
}

typedef struct Merge {
    int cls;
    unsigned lost;
    uint64_t bytes;
} Merge;

static void thousands(uint64_t v, char *out, size_t size)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    size_t n = strlen(raw), j = 0;
    for (size_t i = 0; i < n && j + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = raw[i];
    }
    out[j] = '\0';
}

static void merged_label(ChartArrow *a, const Merge *g)
{
    if (a->count < 2)
        return;
    char bytes[32], lost[32] = "";
    thousands(g->bytes, bytes, sizeof bytes);
    if (g->lost)
        snprintf(lost, sizeof lost, ", %u lost", g->lost);
    if (g->cls == 1)
        snprintf(a->label, sizeof a->label, "data ×%u (%s B%s)", a->count, bytes, lost);
    else
        snprintf(a->label, sizeof a->label, "[ACK] ×%u%s", a->count, lost);
}

static int life_of(Chart *c, int node)
{
    for (size_t i = 0; i < c->n_lives; i++)
        if (c->lives[i].node == node)
            return (int)i;
    c->lives = xrealloc(c->lives, (c->n_lives + 1) * sizeof *c->lives);
    c->lives[c->n_lives] = (ChartLife){node, 0, false};
    return (int)c->n_lives++;
}

static void make_arrows(Build *b, Chart *c)
{
    size_t cap = 0;
    Merge *merge = NULL;
    size_t step_first = 0; /* the first arrow of the current step */
    int *conn_map = xmalloc((b->n_conns ? b->n_conns : 1) * sizeof *conn_map);
    for (size_t k = 0; k < b->n_conns; k++)
        conn_map[k] = -1;
    for (size_t i = 0; i < b->n_msgs; i++) {
        const Msg *m = &b->msgs[i];
        if (!wanted(b, m))
            continue;
        int from = life_of(c, m->from), to = life_of(c, m->to);
        if (c->n_arrows && c->arrows[c->n_arrows - 1].step != m->step)
            step_first = c->n_arrows;
        int cls = merge_class(m);
        ChartArrow *into = NULL;
        for (size_t k = step_first; cls && k < c->n_arrows && !into; k++)
            if (merge[k].cls == cls && c->arrows[k].conn == m->conn && c->arrows[k].from == from &&
                c->arrows[k].step == m->step)
                into = &c->arrows[k];
        if (into) {
            into->count++;
            merge[into - c->arrows].bytes += m->seg.payload;
            merge[into - c->arrows].lost += m->lost;
            continue;
        }
        size_t old = cap;
        c->arrows = xgrow(c->arrows, &cap, c->n_arrows + 1, sizeof *c->arrows);
        merge = xrealloc(merge, cap * sizeof *merge);
        (void)old;
        ChartArrow *a = &c->arrows[c->n_arrows];
        memset(a, 0, sizeof *a);
        a->number = (uint32_t)c->n_arrows + 1;
        a->step = m->step;
        a->from = from;
        a->to = to;
        a->hop = m->hop;
        a->pkt = m->pkt;
        a->proto = m->proto;
        a->response = m->response;
        a->lost = m->lost;
        a->count = 1;
        snprintf(a->label, sizeof a->label, "%s", m->label);
        merge[c->n_arrows] = (Merge){cls, m->lost, m->seg.payload};
        a->conn = -1;
        if (m->conn >= 0) {
            if (conn_map[m->conn] < 0) {
                c->conns = xrealloc(c->conns, (c->n_conns + 1) * sizeof *c->conns);
                c->conns[c->n_conns] = b->conns[m->conn];
                c->conns[c->n_conns].a = from;
                c->conns[c->n_conns].b = to;
                c->conns[c->n_conns].first = (int)c->n_arrows;
                conn_map[m->conn] = (int)c->n_conns++;
            }
            ChartConn *cc = &c->conns[conn_map[m->conn]];
            a->conn = conn_map[m->conn];
            cc->last = (int)c->n_arrows;
            if ((m->seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
                cc->opened = true;
            if (m->seg.flags & (TCP_FIN | TCP_RST))
                cc->closed = true;
        }
        c->n_arrows++;
    }
    for (size_t k = 0; k < c->n_arrows; k++)
        merged_label(&c->arrows[k], &merge[k]);
    free(merge);
    free(conn_map);
}

/* ---- layout ------------------------------------------------------------ */

#define MARGIN     16.0
#define HEAD_H     34.0 /* a name's box */
#define HEAD_H2    54.0 /* a fitted chart's name's box on two lines */
#define ROW_H      46.0
#define GAP_MIN    40.0 /* between two lifelines, beyond what their names need */
#define LABEL_MAX  420.0
#define BLANK_W    170.0
#define BRACKET_W  24.0
#define ARROW_HEAD 11.0
#define LEGEND_ROW 30.0
#define FIT_GAP    52.0 /* a fitted chart's narrowest spacing: names staggered in two rows */

static ChartCmd *cmd(Chart *c, ChartCmdKind kind, ChartInk ink, int arrow)
{
    c->cmds = xgrow(c->cmds, &c->cmds_cap, c->n_cmds + 1, sizeof *c->cmds);
    ChartCmd *k = &c->cmds[c->n_cmds++];
    memset(k, 0, sizeof *k);
    k->kind = kind;
    k->ink = ink;
    k->arrow = arrow;
    k->dash = "";
    k->w = 1;
    return k;
}

static void line(Chart *c, ChartInk ink, const char *proto, double x1, double y1, double x2,
                 double y2, double w, const char *dash, int arrow)
{
    ChartCmd *k = cmd(c, CHART_LINE, ink, arrow);
    k->proto = proto;
    k->x1 = x1, k->y1 = y1, k->x2 = x2, k->y2 = y2;
    k->w = w;
    k->dash = dash;
}

static void text(Chart *c, ChartInk ink, double x, double y, int px, bool bold, int anchor,
                 const char *s, int arrow)
{
    ChartCmd *k = cmd(c, CHART_TEXT, ink, arrow);
    k->x1 = x, k->y1 = y;
    k->px = px;
    k->bold = bold;
    k->anchor = anchor;
    k->text = xstrdup(s);
}

/* s cut to fit width px at the end of a word, with "…" (or mid-word for a
 * single long word). */
static char *fit_text(const char *s, double width, int px, bool bold)
{
    if (chart_text_width(s, px, bold) <= width)
        return xstrdup(s);
    char *out = xstrdup(s);
    size_t n = strlen(out), best = 0, best_word = 0;
    for (size_t k = 1; k <= n; k++) {
        if ((out[k] & 0xc0) == 0x80)
            continue;
        char keep = out[k];
        out[k] = '\0';
        double w = chart_text_width(out, px, bold) + chart_text_width("…", px, bold);
        out[k] = keep;
        if (w > width)
            break;
        best = k;
        if (out[k] == ' ' || out[k] == ',')
            best_word = k;
    }
    size_t cut = best_word ? best_word : best;
    out[cut] = '\0';
    char *r = xasprintf("%s…", out);
    free(out);
    return r;
}

/* A fitted chart's name in its box: whole on one line if it fits, else
 * broken after a '.' or '-' (the longest first part that fits) with the
 * rest on a second line, cut with "…" if need be; *two NULL when one line. */
static char *split_name(const char *name, double room, char **two)
{
    *two = NULL;
    if (chart_text_width(name, CHART_TEXT_PX, true) <= room)
        return xstrdup(name);
    char *first = xstrdup(name);
    size_t best = 0;
    for (size_t k = 1; name[k]; k++) {
        if (name[k - 1] != '.' && name[k - 1] != '-')
            continue;
        first[k] = '\0';
        if (chart_text_width(first, CHART_TEXT_PX, true) <= room)
            best = k;
        first[k] = name[k];
    }
    if (!best) {
        free(first);
        return fit_text(name, room, CHART_TEXT_PX, true);
    }
    first[best] = '\0';
    *two = fit_text(name + best, room, CHART_TEXT_PX, true);
    return first;
}

static const char *node_name(const World *w, int node)
{
    return node >= 0 && (size_t)node < w->n_nodes ? w->nodes[node].id : "?";
}

static double label_width(const ChartArrow *a, bool blank)
{
    char num[16];
    snprintf(num, sizeof num, "%u", a->number);
    double lw = blank ? BLANK_W : fmin(chart_text_width(a->label, CHART_TEXT_PX, false), LABEL_MAX);
    return chart_text_width(num, CHART_TEXT_PX, true) + 8 + lw;
}

/* The gaps between neighbouring lifelines: each wide enough for the two
 * names, and every arrow's label fitting over its span (a span's missing
 * width shared by its gaps, the shortest spans first). */
static void place_lives(Chart *c, const World *w, const ChartOpts *o, double x0)
{
    size_t n = c->n_lives;
    if (n == 0)
        return;
    double *gap = xcalloc(n, sizeof *gap);
    for (size_t i = 0; i + 1 < n; i++)
        gap[i] = chart_text_width(node_name(w, c->lives[i].node), CHART_TEXT_PX, true) / 2 +
                 chart_text_width(node_name(w, c->lives[i + 1].node), CHART_TEXT_PX, true) / 2 +
                 GAP_MIN;
    for (size_t span = 1; span < n; span++)
        for (size_t k = 0; k < c->n_arrows; k++) {
            const ChartArrow *a = &c->arrows[k];
            size_t lo = (size_t)(a->from < a->to ? a->from : a->to);
            size_t hi = (size_t)(a->from < a->to ? a->to : a->from);
            if (hi - lo != span)
                continue;
            double need = label_width(a, o->blank_labels) + 2 * ARROW_HEAD + 12, have = 0;
            for (size_t i = lo; i < hi; i++)
                have += gap[i];
            for (size_t i = lo; i < hi && have < need; i++)
                gap[i] += (need - have) / (double)span;
        }
    double first = chart_text_width(node_name(w, c->lives[0].node), CHART_TEXT_PX, true) / 2 + 10;
    c->lives[0].x = x0 + first;
    for (size_t i = 1; i < n; i++)
        c->lives[i].x = c->lives[i - 1].x + gap[i - 1];
    free(gap);
}

/* Marks (into on, when mark) the lifelines of step's arrows; returns how
 * many of them were not marked before. */
static size_t step_lives(const Chart *c, uint32_t step, bool *on, bool mark)
{
    bool *seen = xmalloc(c->n_lives * sizeof *seen);
    memcpy(seen, on, c->n_lives * sizeof *seen);
    size_t fresh = 0;
    for (size_t k = 0; k < c->n_arrows; k++) {
        const ChartArrow *a = &c->arrows[k];
        int ends[2] = {a->from, a->to};
        for (int e = 0; e < 2 && a->step == step; e++)
            if (!seen[ends[e]]) {
                seen[ends[e]] = true;
                fresh++;
            }
    }
    if (mark)
        memcpy(on, seen, c->n_lives * sizeof *seen);
    free(seen);
    return fresh;
}

/* The panel's lifelines, spread evenly over [x0, x1]; when they do not fit
 * FIT_GAP apart, those of the focus step and then of the steps nearest it,
 * a whole step at a time, the others hidden at the edge they lie towards.
 * Returns the right end of the spread (less than x1 when some are hidden:
 * room for the "+N more"). */
static double place_fit(Chart *c, const ChartOpts *o, double x0, double x1)
{
    size_t n = c->n_lives;
    c->n_hidden = 0;
    if (n == 0)
        return x1;
    bool *on = xcalloc(n, sizeof *on);
    size_t shown = n;
    if ((x1 - x0) / (double)n < FIT_GAP) {
        char more[32];
        snprintf(more, sizeof more, "+%zu", n);
        x1 -= fmax(chart_text_width(more, CHART_TEXT_PX, false),
                   chart_text_width("more", CHART_TEXT_PX, false)) +
              8;
        size_t room = (size_t)fmax(1, floor((x1 - x0) / FIT_GAP));
        int cur = chart_arrow_of_step(c, o->focus ? o->focus : 1);
        uint32_t focus = cur >= 0 ? c->arrows[cur].step : c->arrows[c->n_arrows - 1].step;
        uint32_t lo = c->arrows[0].step, hi = c->arrows[c->n_arrows - 1].step;
        shown = step_lives(c, focus, on, true);
        /* Outwards from the focus, the earlier step first. */
        for (uint32_t d = 1; focus - lo >= d || hi - focus >= d; d++) {
            bool full = false;
            for (int side = 0; side < 2 && !full; side++) {
                if (side == 0 ? focus - lo < d : hi - focus < d)
                    continue;
                uint32_t st = side == 0 ? focus - d : focus + d;
                size_t fresh = step_lives(c, st, on, false);
                if (shown + fresh > room)
                    full = true;
                else
                    shown += step_lives(c, st, on, true);
            }
            if (full)
                break;
        }
        c->n_hidden = n - shown;
    } else {
        for (size_t i = 0; i < n; i++)
            on[i] = true;
    }
    double gap = (x1 - x0) / (double)shown;
    size_t k = 0, first = n;
    for (size_t i = 0; i < n; i++)
        if (on[i]) {
            c->lives[i].x = x0 + gap * ((double)k++ + 0.5);
            if (first == n)
                first = i;
        }
    for (size_t i = 0; i < n; i++) {
        c->lives[i].hidden = !on[i];
        if (!on[i])
            c->lives[i].x = i < first ? x0 - 6 : x1 + 6;
    }
    free(on);
    return x1;
}

/* Gutter columns for the brackets: a connection takes the first column
 * free over its arrows. */
static int place_conns(Chart *c)
{
    int cols = 0;
    for (size_t i = 0; i < c->n_conns; i++) {
        ChartConn *k = &c->conns[i];
        k->column = 0;
        for (bool clash = true; clash;) {
            clash = false;
            for (size_t j = 0; j < i; j++)
                if (c->conns[j].column == k->column && c->conns[j].last >= k->first &&
                    c->conns[j].first <= k->last) {
                    clash = true;
                    k->column++;
                    break;
                }
        }
        if (k->column + 1 > cols)
            cols = k->column + 1;
    }
    return cols;
}

/* A fitted chart's arrow label: what fits in room after the number; NULL
 * when not even a letter and "…" do. */
static char *fit_label(const ChartArrow *a, double room)
{
    char num[16];
    snprintf(num, sizeof num, "%u", a->number);
    room -= chart_text_width(num, CHART_TEXT_PX, true) + 8;
    if (room < chart_text_width("W…", CHART_TEXT_PX, false))
        return NULL;
    return fit_text(a->label, fmin(room, LABEL_MAX), CHART_TEXT_PX, false);
}

/* x0, x1: a fitted chart's lifelines' extent (an arrow between two hidden
 * lifelines has its label there). */
static void draw_arrow(Chart *c, int idx, const ChartOpts *o, double x0, double x1_fit)
{
    ChartArrow *a = &c->arrows[idx];
    double x1 = c->lives[a->from].x, x2 = c->lives[a->to].x, y = a->y;
    double dir = x2 >= x1 ? 1 : -1;
    bool fit = o->fit_w > 0, unseen = c->lives[a->from].hidden && c->lives[a->to].hidden;
    char *s = NULL;
    /* A fitted chart's label too long for its arrow runs on over the
     * lifelines beyond it, from the arrow's end with the more room; only
     * the panel's edge cuts it. */
    double span = fabs(x2 - x1) - 2 * ARROW_HEAD - 6, lo_x = fmin(x1, x2), hi_x = fmax(x1, x2);
    double run_right = x1_fit - lo_x - ARROW_HEAD, run_left = hi_x - ARROW_HEAD - x0;
    if (fit && !o->blank_labels)
        s = fit_label(a, unseen ? x1_fit - x0 : fmax(span, fmax(run_right, run_left)));
    const char *dash = chart_proto_dash(a->proto);
    double end = x2;
    if (a->lost)
        end = x1 + (x2 - x1) * (a->count > 1 ? 1.0 : 0.85);
    if (unseen) {
        /* Both ends left out: the arrow is a row of the list only. */
    } else if (a->count > 1 || !a->lost) {
        line(c, CHART_PROTO, a->proto, x1, y, end - dir * ARROW_HEAD * 0.6, y, 2, dash, idx);
        ChartCmd *h = cmd(c, CHART_HEAD, CHART_PROTO, idx);
        h->proto = a->proto;
        h->x1 = x1, h->y1 = y, h->x2 = end, h->y2 = y;
        h->filled = a->response;
        h->w = ARROW_HEAD;
    } else {
        line(c, CHART_PROTO, a->proto, x1, y, end, y, 2, dash, idx);
    }
    if (a->lost && a->count == 1 && !unseen) {
        ChartCmd *x = cmd(c, CHART_CROSS, CHART_INK, idx);
        x->x1 = end, x->y1 = y;
        x->w = 7;
    }
    /* The number, then the label, centred over the arrow. */
    char num[16];
    snprintf(num, sizeof num, "%u", a->number);
    double nw = chart_text_width(num, CHART_TEXT_PX, true);
    double total = label_width(a, o->blank_labels);
    if (fit && !o->blank_labels)
        total = nw + (s ? 8 + chart_text_width(s, CHART_TEXT_PX, false) : 0);
    if (unseen)
        x1 = x2 = x0 + total / 2;
    /* Beside the sender when it fits before the next lifeline, so that it
     * crosses none; else centred over the arrow. */
    double mid = (x1 + x2) / 2, left = mid - total / 2, base = y - 8;
    int next = a->to > a->from ? a->from + 1 : a->from - 1;
    if (next != a->to && fabs(c->lives[next].x - x1) >= total + 2 * ARROW_HEAD + 8)
        left = x2 > x1 ? x1 + ARROW_HEAD : x1 - ARROW_HEAD - total;
    else if (fit && !unseen && total > span)
        left = run_right >= run_left ? lo_x + ARROW_HEAD : hi_x - ARROW_HEAD - total;
    if (fit) /* clear of the step numbers and of the "+N more" */
        left = fmax(x0, fmin(left, x1_fit - total));
    ChartInk ink = unseen ? CHART_FAINT : CHART_INK;
    text(c, ink, left, base, CHART_TEXT_PX, true, 0, num, idx);
    if (o->blank_labels) {
        line(c, CHART_FAINT, NULL, left + nw + 8, base + 2, left + total, base + 2, 1, "2 3", idx);
    } else {
        if (!fit)
            s = fit_text(a->label, LABEL_MAX, CHART_TEXT_PX, false);
        if (s)
            text(c, ink, left + nw + 8, base, CHART_TEXT_PX, false, 0, s, idx);
    }
    free(s);
    double lo = fmin(fmin(x1, x2), left), hi = fmax(fmax(x1, x2), left + total);
    a->x = lo - 4;
    a->w = hi - lo + 8;
    a->top = y - ROW_H + 12;
    a->h = ROW_H - 4;
}

static void draw_conn(Chart *c, const ChartConn *k, const World *w, double gx)
{
    double x = gx + k->column * BRACKET_W + 6;
    double y1 = c->arrows[k->first].y - 6, y2 = c->arrows[k->last].y + 6;
    const char *open = k->opened ? "" : "3 3"; /* dotted where it goes on past the chart */
    line(c, CHART_PROTO, "TCP", x, y1, x, y2, 2, "", -1);
    line(c, CHART_PROTO, "TCP", x, y1, x + 7, y1, 2, open, -1);
    line(c, CHART_PROTO, "TCP", x, y2, x + 7, y2, 2, k->closed ? "" : "3 3", -1);
    if (!k->closed)
        line(c, CHART_PROTO, "TCP", x, y2, x, y2 + 14, 2, "3 3", -1);
    /* Its name along it, if the bracket is tall enough: the ports. */
    char full[128], ports[64];
    snprintf(full, sizeof full, "%s:%u ↔ %s:%u", node_name(w, c->lives[k->a].node), k->aport,
             node_name(w, c->lives[k->b].node), k->bport);
    snprintf(ports, sizeof ports, ":%u ↔ :%u", k->aport, k->bport);
    int px = CHART_TEXT_PX - 2;
    const char *s = chart_text_width(full, px, false) <= y2 - y1 - 8    ? full
                    : chart_text_width(ports, px, false) <= y2 - y1 - 8 ? ports
                                                                        : NULL;
    if (!s)
        return;
    ChartCmd *t = cmd(c, CHART_TEXT, CHART_FAINT, -1);
    t->x1 = x + 18;
    t->y1 = (y1 + y2) / 2;
    t->px = px;
    t->anchor = 1;
    t->vertical = true;
    t->text = xstrdup(s);
}

/* The key to the styles: each protocol's line, an open and a filled head,
 * a cross. */
static double draw_legend(Chart *c, double y, bool fit)
{
    int small = fit ? CHART_TEXT_PX : CHART_TEXT_PX - 2;
    const char *seen[32];
    size_t n = 0;
    bool lost = false;
    for (size_t i = 0; i < c->n_arrows; i++) {
        lost |= c->arrows[i].lost;
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(seen[k], c->arrows[i].proto) == 0;
        if (!dup && n < MN_ARRAY_LEN(seen))
            seen[n++] = c->arrows[i].proto;
    }
    for (size_t i = 0; i < c->n_conns && n < MN_ARRAY_LEN(seen); i++) {
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(seen[k], "TCP") == 0;
        if (!dup)
            seen[n++] = "TCP";
    }
    double x = MARGIN, right = fit ? c->width - MARGIN : fmax(c->width - MARGIN, 520);
    for (size_t i = 0; i < n + 3; i++) {
        const char *word = i < n        ? seen[i]
                           : i == n     ? "query, request"
                           : i == n + 1 ? "answer, reply"
                                        : "lost";
        if (i == n + 2 && !lost)
            break;
        double w = 44 + chart_text_width(word, small, false) + 22;
        if (x + w > right && x > MARGIN) {
            x = MARGIN;
            y += LEGEND_ROW;
        }
        if (i < n) {
            line(c, CHART_PROTO, seen[i], x, y - 5, x + 36, y - 5, 2, chart_proto_dash(seen[i]),
                 -1);
            c->cmds[c->n_cmds - 1].proto = seen[i];
        } else if (i < n + 2) {
            line(c, CHART_INK, NULL, x, y - 5, x + 30, y - 5, 2, "", -1);
            ChartCmd *h = cmd(c, CHART_HEAD, CHART_INK, -1);
            h->x1 = x, h->y1 = y - 5, h->x2 = x + 36, h->y2 = y - 5;
            h->filled = i == n + 1;
            h->w = ARROW_HEAD;
        } else {
            line(c, CHART_INK, NULL, x, y - 5, x + 26, y - 5, 2, "", -1);
            ChartCmd *k = cmd(c, CHART_CROSS, CHART_INK, -1);
            k->x1 = x + 26, k->y1 = y - 5;
            k->w = 7;
        }
        text(c, CHART_FAINT, x + 44, y, small, false, 0, word, -1);
        x += w;
    }
    return y + LEGEND_ROW / 2;
}

static void lay_out(Chart *c, const World *w, const ChartOpts *o)
{
    double y = MARGIN;
    if (o->title) {
        text(c, CHART_INK, MARGIN, y + CHART_TITLE_PX, CHART_TITLE_PX, true, 0, o->title, -1);
        y += CHART_TITLE_PX + 16;
    }
    /* The panel's text is never under 16 px; the SVG's faint words are 14. */
    int small = o->fit_w > 0 ? CHART_TEXT_PX : CHART_TEXT_PX - 2;
    /* The left gutter: step numbers, then the connections' brackets. */
    char last[24];
    snprintf(last, sizeof last, "%u", c->n_arrows ? c->arrows[c->n_arrows - 1].step : 0);
    double step_w =
        fmax(chart_text_width("step", small, false), chart_text_width(last, small, false)) + 12;
    int cols = place_conns(c);
    double gx = MARGIN + step_w;
    double x0 = gx + cols * BRACKET_W + (cols ? 10 : 0);
    bool fit = o->fit_w > 0;
    double fit_x1 = fit ? fmax(x0 + FIT_GAP, o->fit_w - MARGIN / 2) : 0;
    if (fit)
        fit_x1 = place_fit(c, o, x0, fit_x1);
    else
        place_lives(c, w, o, x0);
    c->fit_need = x0 + (double)c->n_lives * FIT_GAP + MARGIN / 2 + 1;
    double top = y;
    /* A fitted chart's names share the spacing: on two lines when one
     * is too short for them (broken after a dot or hyphen); where that is
     * not enough, in two staggered rows, each name as wide as two
     * columns; cut with "…" only beyond that. */
    double spacing =
        c->n_lives - c->n_hidden ? (fit_x1 - x0) / (double)(c->n_lives - c->n_hidden) : 0;
    double name_room = spacing - 20;
    double head = HEAD_H;
    bool stagger = false;
    for (size_t i = 0; fit && i < c->n_lives; i++) {
        if (c->lives[i].hidden)
            continue;
        const char *nm = node_name(w, c->lives[i].node);
        if (chart_text_width(nm, CHART_TEXT_PX, true) <= name_room)
            continue;
        head = HEAD_H2;
        char *two = NULL, *one = split_name(nm, name_room, &two);
        if (strstr(one, "…") || (two && strstr(two, "…")))
            stagger = true;
        free(one);
        free(two);
    }
    if (stagger && c->n_lives - c->n_hidden > 1)
        name_room = 2 * spacing - 28;
    else
        stagger = false;
    double row2 = stagger ? head + 6 : 0; /* the second row's offset */
    c->head_h = top + head + row2 + 8;
    double ay = top + head + row2 + ROW_H;
    for (size_t i = 0; i < c->n_arrows; i++, ay += ROW_H)
        c->arrows[i].y = ay;
    double bottom = ay - ROW_H + 22;
    if (c->n_arrows == 0) {
        text(c, CHART_FAINT, MARGIN, top + 24, CHART_TEXT_PX, false, 0,
             "No messages in the chosen steps, nodes and protocols.", -1);
        bottom = top + 40;
    }
    double right = fit ? o->fit_w : MARGIN + 420;
    double mid = top + (head + row2) / 2 + 6; /* a line's baseline, centred in the band */
    size_t nth = 0;
    for (size_t i = 0; i < c->n_lives; i++) {
        if (c->lives[i].hidden)
            continue;
        double btop = top + (nth++ % 2 ? row2 : 0);
        char *two = NULL;
        double room = name_room, x = c->lives[i].x, bx = x;
        /* Staggered, a box reaches at most a column less 6 either way (its
         * row's neighbours and the other row's lifelines stay clear); the
         * first and last less where the step numbers and the edge are. */
        double reach_l = spacing - 6, reach_r = spacing - 6;
        if (stagger) {
            reach_l = fmin(reach_l, x - x0 + 12);
            reach_r = fmin(reach_r, o->fit_w - 2 - x);
            room = fmin(room, reach_l + reach_r - 16);
        }
        char *name = fit ? split_name(node_name(w, c->lives[i].node), room, &two)
                         : xstrdup(node_name(w, c->lives[i].node));
        double nw = chart_text_width(name, CHART_TEXT_PX, true);
        if (two)
            nw = fmax(nw, chart_text_width(two, CHART_TEXT_PX, true));
        nw += 16;
        if (stagger) /* off centre where one side has less room */
            bx = fmax(x - reach_l + nw / 2, fmin(x, x + reach_r - nw / 2));
        line(c, CHART_FAINT, NULL, x, btop + head, x, bottom, 1, "", -1);
        ChartCmd *b = cmd(c, CHART_BOX, CHART_INK, -1);
        b->x1 = bx - nw / 2, b->y1 = btop, b->x2 = bx + nw / 2, b->y2 = btop + head;
        b->w = 1.5;
        double bmid = btop + head / 2 + 6;
        text(c, CHART_INK, bx, two ? btop + 22 : bmid, CHART_TEXT_PX, true, 1, name, -1);
        if (two)
            text(c, CHART_INK, bx, btop + 42, CHART_TEXT_PX, true, 1, two, -1);
        right = fmax(right, bx + nw / 2 + MARGIN);
        free(name);
        free(two);
    }
    if (c->n_hidden) {
        /* "+9" over "more", at the edge the hidden lifelines' arrows go to. */
        char more[32];
        snprintf(more, sizeof more, "+%zu", c->n_hidden);
        text(c, CHART_FAINT, o->fit_w - MARGIN / 2, mid - 10, CHART_TEXT_PX, false, 2, more, -1);
        text(c, CHART_FAINT, o->fit_w - MARGIN / 2, mid + 10, CHART_TEXT_PX, false, 2, "more", -1);
    }
    if (c->n_arrows)
        text(c, CHART_FAINT, MARGIN, mid, small, false, 0, "step", -1);
    uint32_t shown = 0;
    for (size_t i = 0; i < c->n_arrows; i++) {
        const ChartArrow *a = &c->arrows[i];
        if (a->step != shown) {
            char s[24];
            snprintf(s, sizeof s, "%u", a->step);
            text(c, CHART_FAINT, MARGIN + step_w - 12, a->y - 8, small, false, 2, s, -1);
            shown = a->step;
        }
    }
    for (size_t i = 0; i < c->n_conns; i++)
        draw_conn(c, &c->conns[i], w, gx);
    for (size_t i = 0; i < c->n_arrows; i++) {
        draw_arrow(c, (int)i, o, x0, fit_x1);
        right = fmax(right, c->arrows[i].x + c->arrows[i].w + MARGIN);
    }
    c->width = right;
    c->height = draw_legend(c, bottom + 34, fit) + MARGIN;
}

Chart *chart_build(const Trace *t, const World *w, const ChartOpts *o)
{
    ChartOpts none = {0};
    if (!o)
        o = &none;
    Build b = {.t = t, .w = w, .o = o, .dc = dissect_ctx_new()};
    read_trace(&b);
    find_conns(&b);
    Chart *c = xcalloc(1, sizeof *c);
    make_arrows(&b, c);
    lay_out(c, w, o);
    for (size_t i = 0; i < b.n_conns; i++)
        free(b.conn_protos[i]);
    free(b.conn_protos);
    free(b.conns);
    free(b.msgs);
    free(b.keys);
    free(b.vals);
    dissect_ctx_free(b.dc);
    return c;
}

void chart_free(Chart *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_cmds; i++)
        free(c->cmds[i].text);
    free(c->cmds);
    free(c->arrows);
    free(c->lives);
    free(c->conns);
    free(c);
}

int chart_arrow_of_step(const Chart *c, uint32_t step)
{
    for (size_t i = 0; i < c->n_arrows; i++)
        if (c->arrows[i].step >= step)
            return (int)i;
    return -1;
}

/* ---- SVG --------------------------------------------------------------- */

static void svg_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void svg_color(const ChartCmd *k, char out[8])
{
    if (k->ink == CHART_FAINT) {
        strcpy(out, "#555555");
    } else if (k->ink == CHART_PROTO) {
        const uint8_t *c = chart_proto_rgb(k->proto);
        snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
    } else {
        strcpy(out, "#000000");
    }
}

/* The head's three corners: the tip, and two behind it. */
static void head_points(const ChartCmd *k, double p[6])
{
    double dx = k->x2 - k->x1, dy = k->y2 - k->y1, len = sqrt(dx * dx + dy * dy);
    if (len <= 0)
        len = 1, dx = 1, dy = 0;
    double ux = dx / len, uy = dy / len, half = k->w * 0.5;
    p[0] = k->x2, p[1] = k->y2;
    p[2] = k->x2 - ux * k->w - uy * half, p[3] = k->y2 - uy * k->w + ux * half;
    p[4] = k->x2 - ux * k->w + uy * half, p[5] = k->y2 - uy * k->w - ux * half;
}

static void svg_cmd(FILE *f, const ChartCmd *k)
{
    char c[8];
    svg_color(k, c);
    switch (k->kind) {
    case CHART_LINE:
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%.1f\"",
                k->x1, k->y1, k->x2, k->y2, c, k->w);
        if (*k->dash)
            fprintf(f, " stroke-dasharray=\"%s\"", k->dash);
        fputs("/>\n", f);
        break;
    case CHART_HEAD: {
        double p[6];
        head_points(k, p);
        fprintf(f,
                "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" stroke=\"%s\" "
                "stroke-width=\"1.5\" stroke-linejoin=\"miter\" fill=\"%s\"/>\n",
                p[0], p[1], p[2], p[3], p[4], p[5], c, k->filled ? c : "#ffffff");
        break;
    }
    case CHART_CROSS:
        fprintf(f,
                "<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n",
                k->x1 - k->w, k->y1 - k->w, k->x1 + k->w, k->y1 + k->w, k->x1 - k->w, k->y1 + k->w,
                k->x1 + k->w, k->y1 - k->w, c);
        break;
    case CHART_BOX:
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
                "fill=\"#ffffff\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                k->x1, k->y1, k->x2 - k->x1, k->y2 - k->y1, c, k->w);
        break;
    case CHART_TEXT: {
        static const char *anchors[] = {"start", "middle", "end"};
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\"", k->x1, k->y1, k->px,
                c);
        if (k->anchor)
            fprintf(f, " text-anchor=\"%s\"", anchors[k->anchor % 3]);
        if (k->bold)
            fputs(" font-weight=\"bold\"", f);
        if (k->vertical)
            fprintf(f, " transform=\"rotate(-90 %.1f %.1f)\"", k->x1, k->y1);
        fputc('>', f);
        svg_escape(f, k->text);
        fputs("</text>\n", f);
        break;
    }
    }
}

bool chart_write_svg(const Chart *c, FILE *f)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
               "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
               "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "font-family=\"'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif\">\n",
            ceil(c->width), ceil(c->height), ceil(c->width), ceil(c->height));
    fprintf(f, "<title>Message sequence chart: %zu message%s</title>\n", c->n_arrows,
            c->n_arrows == 1 ? "" : "s");
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
            ceil(c->width), ceil(c->height));
    int open = -1;
    for (size_t i = 0; i < c->n_cmds; i++) {
        const ChartCmd *k = &c->cmds[i];
        if (k->arrow != open) {
            if (open >= 0)
                fputs("</g>\n", f);
            open = k->arrow;
            if (open >= 0) {
                const ChartArrow *a = &c->arrows[open];
                fprintf(f, "<g id=\"arrow-%u\" class=\"arrow step-%u\">\n", a->number, a->step);
            }
        }
        svg_cmd(f, k);
    }
    if (open >= 0)
        fputs("</g>\n", f);
    fputs("</svg>\n", f);
    return !ferror(f);
}
