/* mail_server — the service row: one MailServer per node of role mail,
 * its listeners (25 and 587 as its "services" say), its mailboxes (filled
 * from the scenario's "mailboxes" at time 0) and what the session and the
 * queue share: dates, queue ids, local addresses, state records. */
#define _DEFAULT_SOURCE /* timegm */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto/mail/mail_int.h"
#include "proto/mail/smtp_cmd.h"
#include "proto/resolve.h"
#include "proto/services.h"

typedef struct MailServers {
    MailServer **by_node; /* NULL where the node is no mail server */
    size_t n;
} MailServers;

MailServer *mail_server_of(Sim *sim, int node)
{
    MailServers *all = sim->svc[SVC_MAIL];
    if (!all || node < 0 || (size_t)node >= all->n)
        return NULL;
    return all->by_node[node];
}

const char *mail_server_hostname(const MailServer *s)
{
    return s->host;
}

MailQueued *const *mail_server_queue(const MailServer *s, size_t *n)
{
    *n = s->n_queue;
    return s->queue;
}

/* FNV-1a of the user name in lower case: mailbox names ignore case. */
static size_t user_hash(const char *user)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *c = (const unsigned char *)user; *c; c++)
        h = (h ^ (uint64_t)tolower(*c)) * 1099511628211ull;
    return (size_t)h;
}

/* The slot of user's INBOX in s->box_slots, or the empty one where it
 * would go. */
static size_t *box_slot(MailServer *s, const char *user)
{
    size_t mask = s->n_box_slots - 1;
    for (size_t i = user_hash(user) & mask;; i = (i + 1) & mask) {
        size_t *slot = &s->box_slots[i];
        if (!*slot || strcasecmp(s->boxes[*slot - 1].user, user) == 0)
            return slot;
    }
}

Mailbox *mail_server_mailbox(MailServer *s, const char *user)
{
    if (!s->n_box_slots)
        return NULL;
    size_t *slot = box_slot(s, user);
    return *slot ? &s->boxes[*slot - 1] : NULL;
}

/* ---- formatting --------------------------------------------------------------- */

static struct tm wall(const Sim *sim, SimTime t)
{
    time_t when = (time_t)((sim->world->start_us + t) / 1000000);
    struct tm tm;
    gmtime_r(&when, &tm);
    return tm;
}

void mail_date(const Sim *sim, SimTime t, char *out, size_t size)
{
    struct tm tm = wall(sim, t);
    strftime(out, size, "%a, %e %b %Y %H:%M:%S +0000 (UTC)", &tm);
}

void mail_stamp(const Sim *sim, SimTime t, char *out, size_t size)
{
    struct tm tm = wall(sim, t);
    strftime(out, size, "%Y%m%d%H%M%S", &tm);
}

void mail_new_qid(MailServer *s, char out[MAIL_QID_MAX])
{
    unsigned usec = (unsigned)((s->sim->world->start_us + s->sim->now) % 1000000);
    snprintf(out, MAIL_QID_MAX, "%05X%X", usec, s->qid_serial++);
}

bool mail_local_domain(const MailServer *s, const char *domain)
{
    if (strcasecmp(domain, s->host) == 0 ||
        mail_conf_is_local_domain(s->sim->world, s->node, domain))
        return true;
    size_t n = strlen(domain);
    if (n > 2 && domain[0] == '[' && domain[n - 1] == ']') {
        char ip[20];
        snprintf(ip, sizeof ip, "%.*s", (int)(n - 2), domain + 1);
        uint32_t a;
        int owner;
        return ip_parse(ip, &a) && world_find_addr(s->sim->world, a, &owner, NULL) &&
               owner == s->node;
    }
    return false;
}

const char *mail_local_target(const MailServer *s, const char *local, const char **remote)
{
    const World *w = s->sim->world;
    *remote = NULL;
    const char *alias = mail_conf_alias(w, s->node, local);
    if (alias) {
        if (strchr(alias, '@')) {
            *remote = alias;
            return NULL;
        }
        local = alias;
    }
    const MailUser *u = mail_conf_user(w, s->node, local);
    if (u)
        return u->name;
    /* postmaster must always be reachable (RFC 5321 4.5.1): with no alias,
     * the server's first user reads it. */
    if (strcasecmp(local, "postmaster") == 0 && s->conf->n_users)
        return s->conf->users[0].name;
    return NULL;
}

const char *mail_peer_name(const MailServer *s, uint32_t ip)
{
    const char *name = resolve_hosts_reverse(s->sim, ip);
    return name ? name : "unknown";
}

void mail_header(const char *text, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    out[0] = '\0';
    for (const char *p = text; *p && *p != '\n';) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(out, size, "%.*s", (int)(len - (size_t)(v - p)), v);
            return;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
}

static const char *const queue_names[] = {"incoming", "active", "deferred"};

/* The value is a word (the queue) then `name value` pairs, one word each,
 * so that the inspector cuts it into columns: mailq's view.  The reason
 * of a deferral (several words) is in the note and in mailq. */
void mail_queue_record(MailServer *s, const MailQueued *q, const char *op)
{
    Trace *tr = &s->sim->trace;
    if (!trace_wanted(tr))
        return;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s size %zu from %s to ", queue_names[q->queue], q->size,
               *q->sender ? q->sender : "MAILER-DAEMON");
    size_t shown = 0;
    for (size_t i = 0; i < q->n_rcpts; i++)
        if (!q->rcpts[i].done)
            buf_printf(&b, "%s%s", shown++ ? "," : "", q->rcpts[i].addr);
    if (!shown)
        buf_puts(&b, "-");
    int64_t ttl = -1;
    if (q->queue == MAILQ_DEFERRED) {
        buf_printf(&b, " next %.0fs", (double)q->next_try / 1e6);
        ttl = (q->next_try - s->sim->now) / 1000000;
    }
    trace_state(tr, s->sim->now, s->node, "mail queue", op, q->id, b.data, ttl);
    buf_fini(&b);
}

/* ---- mailboxes ------------------------------------------------------------------- */

static size_t crlf_size(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n' ? 2 : 1;
    return n;
}

void mail_msg_describe(MailMsg *m)
{
    m->size = crlf_size(m->text);
    char buf[512];
    mail_header(m->text, "From", buf, sizeof buf);
    if (!buf[0]) { /* no From: header: the envelope sender */
        char rp[512];
        mail_header(m->text, "Return-Path", rp, sizeof rp);
        snprintf(buf, sizeof buf, "%.*s", (int)strcspn(rp + (rp[0] == '<'), ">"),
                 rp + (rp[0] == '<'));
    }
    m->from = xstrdup(buf);
    mail_header(m->text, "Subject", buf, sizeof buf);
    m->subject = xstrdup(buf);
}

void mail_box_record(MailServer *s, const Mailbox *mb, const MailMsg *m, const char *op)
{
    Trace *tr = &s->sim->trace;
    if (!trace_wanted(tr))
        return;
    /* The Flags column is one word: new or seen, then the other flags
     * (\Recent is left out: it says which session saw the message first,
     * not something stored with it). */
    static const struct {
        unsigned bit;
        const char *name;
    } more[] = {{MAIL_FLAG_ANSWERED, ",answered"},
                {MAIL_FLAG_FLAGGED, ",flagged"},
                {MAIL_FLAG_DELETED, ",deleted"},
                {MAIL_FLAG_DRAFT, ",draft"}};
    char key[160], flags[64];
    bool inbox = !mb->folder || strcmp(mb->folder, "INBOX") == 0;
    snprintf(key, sizeof key, "%s%s%.64s %u", mb->user, inbox ? "" : "/", inbox ? "" : mb->folder,
             m->uid);
    snprintf(flags, sizeof flags, "%s", m->flags & MAIL_FLAG_SEEN ? "seen" : "new");
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        if (m->flags & more[i].bit)
            snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s", more[i].name);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s size %zu from %.200s subject \"%.200s\"", flags, m->size, m->from,
               m->subject);
    trace_state(tr, s->sim->now, s->node, "mailbox", op, key, b.data, -1);
    buf_fini(&b);
}

static Mailbox *mailbox_get(MailServer *s, const char *user)
{
    Mailbox *mb = mail_server_mailbox(s, user);
    if (mb)
        return mb;
    if (2 * (s->n_boxes + 1) > s->n_box_slots) { /* at most half full */
        free(s->box_slots);
        s->n_box_slots = s->n_box_slots ? 2 * s->n_box_slots : 16;
        s->box_slots = xcalloc(s->n_box_slots, sizeof *s->box_slots);
        for (size_t i = 0; i < s->n_boxes; i++)
            *box_slot(s, s->boxes[i].user) = i + 1;
    }
    *box_slot(s, user) = s->n_boxes + 1;
    s->boxes = xgrow(s->boxes, &s->cap_boxes, s->n_boxes + 1, sizeof *s->boxes);
    mb = &s->boxes[s->n_boxes++];
    memset(mb, 0, sizeof *mb);
    mb->user = xstrdup(user);
    mb->folder = xstrdup("INBOX");
    mb->next_uid = 1;
    mb->uidvalidity = (uint32_t)(s->sim->world->start_us / 1000000);
    return mb;
}

static MailMsg *mailbox_add(MailServer *s, const char *user, const char *text)
{
    Mailbox *mb = mailbox_get(s, user);
    mb->msgs = xgrow(mb->msgs, &mb->cap, mb->n + 1, sizeof *mb->msgs);
    MailMsg *m = &mb->msgs[mb->n++];
    memset(m, 0, sizeof *m);
    m->uid = mb->next_uid++;
    m->text = xstrdup(text);
    mail_msg_describe(m);
    m->arrived = s->sim->now;
    m->flags = MAIL_FLAG_RECENT;
    mail_box_record(s, mb, m, "add");
    return m;
}

void mail_deliver_local(MailServer *s, const char *user, const char *text, const char *why)
{
    MailMsg *m = mailbox_add(s, user, text);
    Trace *tr = &s->sim->trace;
    if (trace_wanted(tr))
        trace_note(tr, s->sim->now, 0,
                   "%s puts the message into %s's mailbox (message %u, %zu bytes)%s: it waits "
                   "there until %s reads it with POP3 or IMAP.",
                   s->host, user, (unsigned)(s->boxes ? m->uid : 0), m->size, why, user);
    else
        trace_note_skip(tr);
}

/* The scenario's "mailboxes": messages there before time 0. */
static void seed_mailboxes(MailServer *s)
{
    const MailServerConf *c = s->conf;
    for (size_t i = 0; i < c->n_users; i++)
        mailbox_get(s, c->users[i].name);
    for (size_t i = 0; i < c->n_mailboxes; i++) {
        const MailSeedBox *b = &c->mailboxes[i];
        for (size_t k = 0; k < b->n_msgs; k++) {
            const MailSeed *m = &b->msgs[k];
            char date[64], stamp[32], qid[MAIL_QID_MAX];
            mail_date(s->sim, 0, date, sizeof date);
            mail_stamp(s->sim, 0, stamp, sizeof stamp);
            mail_new_qid(s, qid);
            const char *from = m->from ? m->from : "";
            Buf t;
            buf_init(&t);
            buf_printf(&t, "Return-Path: <%s>\nX-Original-To: %s@%s\nDelivered-To: %s@%s\n", from,
                       b->user, c->n_domains ? c->domains[0] : s->host, b->user,
                       c->n_domains ? c->domains[0] : s->host);
            buf_printf(&t, "Message-Id: <%s.%s@%s>\nDate: %s\n", stamp, qid, s->host,
                       m->date ? m->date : date);
            if (*from)
                buf_printf(&t, "From: %s\n", from);
            buf_printf(&t, "To: %s@%s\n", b->user, c->n_domains ? c->domains[0] : s->host);
            if (m->subject)
                buf_printf(&t, "Subject: %s\n", m->subject);
            buf_puts(&t, "\n");
            if (m->body) {
                buf_puts(&t, m->body);
                if (*m->body && m->body[strlen(m->body) - 1] != '\n')
                    buf_putc(&t, '\n');
            }
            mailbox_add(s, b->user, t.data);
            buf_fini(&t);
        }
    }
}

void mail_server_submit(MailServer *s, const char *sender, const char *const *rcpts, size_t n,
                        const char *text, char qid[MAIL_QID_MAX])
{
    char id[MAIL_QID_MAX], date[64];
    mail_new_qid(s, id);
    mail_date(s->sim, s->sim->now, date, sizeof date);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "Received: by %s (Postfix, from userid 1000)\n\tid %s; %s\n", s->host, id, date);
    buf_puts(&b, text);
    mail_queue_add(s, id, sender, (char *const *)rcpts, n, b.data);
    buf_fini(&b);
    if (qid)
        memcpy(qid, id, MAIL_QID_MAX);
}

/* ---- the service ------------------------------------------------------------------ */

static void on_accept(void *ctx, TcpConn *listener, TcpConn *c)
{
    MailServer *s = ctx;
    smtp_session_accept(s, c, listener == s->listen[1]);
}

static const TcpOps listen_ops = {.accepted = on_accept};

static MailServer *server_new(Sim *sim, int node)
{
    MailServer *s = xcalloc(1, sizeof *s);
    s->sim = sim;
    s->node = node;
    s->host = sim->world->nodes[node].id;
    s->conf = mail_server_conf(sim->world, node);
    Rng r;
    char purpose[96];
    snprintf(purpose, sizeof purpose, "mail-queue-id %s", s->host);
    sim_rng_stream(sim, &r, purpose);
    s->qid_serial = 0xA00000u + (uint32_t)(rng_next(&r) % 0x100000u);
    if (s->conf->services & MAIL_SVC_SMTP)
        s->listen[0] = tcp_listen(sim, node, 25, 100, &listen_ops, s);
    if (s->conf->services & MAIL_SVC_SUBMISSION)
        s->listen[1] = tcp_listen(sim, node, 587, 100, &listen_ops, s);
    seed_mailboxes(s);
    mail_access_start(s);
    return s;
}

void mail_servers_start(Sim *sim)
{
    World *w = sim->world;
    MailServers *all = NULL;
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (!mail_is_server(w, (int)i))
            continue;
        if (!all) {
            all = xcalloc(1, sizeof *all);
            all->n = w->n_nodes;
            all->by_node = xcalloc(w->n_nodes, sizeof *all->by_node);
        }
        all->by_node[i] = server_new(sim, (int)i);
    }
    sim->svc[SVC_MAIL] = all;
}

static void server_free(MailServer *s)
{
    smtp_sessions_free(s);
    mail_queue_free(s);
    mail_access_free(s);
    for (size_t i = 0; i < s->n_boxes; i++) {
        Mailbox *mb = &s->boxes[i];
        for (size_t k = 0; k < mb->n; k++) {
            free(mb->msgs[k].text);
            free(mb->msgs[k].from);
            free(mb->msgs[k].subject);
        }
        free(mb->msgs);
        free(mb->user);
        free(mb->folder);
    }
    free(s->boxes);
    free(s->box_slots);
    free(s);
}

void mail_servers_stop(Sim *sim)
{
    MailServers *all = sim->svc[SVC_MAIL];
    if (!all)
        return;
    for (size_t i = 0; i < all->n; i++)
        if (all->by_node[i])
            server_free(all->by_node[i]);
    free(all->by_node);
    free(all);
    sim->svc[SVC_MAIL] = NULL;
}
