/* mail_store — the POP3 and IMAP listeners of a mail server, the folders
 * IMAP creates, and every change the two protocols make to the mailboxes
 * SMTP fills: flags set or cleared, messages copied and removed.  Each
 * change is a "mailbox" state record, so the inspector shows a message
 * leave at POP3's QUIT or get its \Seen under IMAP. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/mail/mail_access.h"

Mailbox *mail_folder(MailServer *s, const char *user, const char *name)
{
    if (strcasecmp(name, "INBOX") == 0)
        return mail_server_mailbox(s, user);
    MailAccess *a = s->access;
    for (size_t i = 0; i < a->n_folders; i++)
        if (strcasecmp(a->folders[i]->user, user) == 0 && strcmp(a->folders[i]->folder, name) == 0)
            return a->folders[i];
    return NULL;
}

Mailbox *mail_folder_create(MailServer *s, const char *user, const char *name)
{
    MailAccess *a = s->access;
    Mailbox *inbox = mail_server_mailbox(s, user);
    Mailbox *mb = xcalloc(1, sizeof *mb);
    mb->user = xstrdup(inbox ? inbox->user : user);
    mb->folder = xstrdup(name);
    mb->next_uid = 1;
    /* Dovecot gives each new mailbox the next UIDVALIDITY after the last. */
    uint32_t v = inbox ? inbox->uidvalidity : 0;
    for (size_t i = 0; i < a->n_folders; i++)
        if (a->folders[i]->uidvalidity > v)
            v = a->folders[i]->uidvalidity;
    for (size_t i = 0; i < a->n_gone; i++)
        if (a->gone[i]->uidvalidity > v)
            v = a->gone[i]->uidvalidity;
    mb->uidvalidity = v + 1;
    a->folders = xrealloc(a->folders, (a->n_folders + 1) * sizeof *a->folders);
    a->folders[a->n_folders++] = mb;
    return mb;
}

void mail_folder_delete(MailServer *s, Mailbox *mb)
{
    MailAccess *a = s->access;
    while (mb->n)
        mail_box_remove(s, mb, mb->n - 1);
    for (size_t i = 0; i < a->n_folders; i++)
        if (a->folders[i] == mb) {
            memmove(a->folders + i, a->folders + i + 1,
                    (a->n_folders - i - 1) * sizeof *a->folders);
            a->n_folders--;
            break;
        }
    a->gone = xrealloc(a->gone, (a->n_gone + 1) * sizeof *a->gone);
    a->gone[a->n_gone++] = mb;
}

void mail_folder_rename(MailServer *s, Mailbox *mb, const char *name)
{
    for (size_t i = 0; i < mb->n; i++)
        mail_box_record(s, mb, &mb->msgs[i], "del");
    free(mb->folder);
    mb->folder = xstrdup(name);
    for (size_t i = 0; i < mb->n; i++)
        mail_box_record(s, mb, &mb->msgs[i], "add");
}

size_t mail_folders(MailServer *s, const char *user, Mailbox **out, size_t max)
{
    size_t n = 0;
    Mailbox *inbox = mail_server_mailbox(s, user);
    if (inbox && n < max)
        out[n++] = inbox;
    MailAccess *a = s->access;
    for (size_t i = 0; i < a->n_folders && n < max; i++)
        if (strcasecmp(a->folders[i]->user, user) == 0)
            out[n++] = a->folders[i];
    return n;
}

/* A subscription's entry: "user/folder" (a user name has no '/'). */
static long sub_find(MailAccess *a, const char *user, const char *name)
{
    size_t ul = strlen(user);
    for (size_t i = 0; i < a->n_subs; i++)
        if (strncasecmp(a->subs[i], user, ul) == 0 && a->subs[i][ul] == '/' &&
            strcmp(a->subs[i] + ul + 1, name) == 0)
            return (long)i;
    return -1;
}

bool mail_subscribed(MailServer *s, const char *user, const char *name)
{
    return s->access && sub_find(s->access, user, name) >= 0;
}

bool mail_subscribe(MailServer *s, const char *user, const char *name)
{
    MailAccess *a = s->access;
    if (!a || sub_find(a, user, name) >= 0)
        return false;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s/%s", user, name);
    a->subs = xrealloc(a->subs, (a->n_subs + 1) * sizeof *a->subs);
    a->subs[a->n_subs++] = buf_take(&b);
    return true;
}

bool mail_unsubscribe(MailServer *s, const char *user, const char *name)
{
    MailAccess *a = s->access;
    long i = a ? sub_find(a, user, name) : -1;
    if (i < 0)
        return false;
    free(a->subs[i]);
    memmove(a->subs + i, a->subs + i + 1, (a->n_subs - (size_t)i - 1) * sizeof *a->subs);
    a->n_subs--;
    return true;
}

size_t mail_subscriptions(MailServer *s, const char *user, const char **out, size_t max)
{
    MailAccess *a = s->access;
    size_t n = 0, ul = strlen(user);
    for (size_t i = 0; a && i < a->n_subs && n < max; i++)
        if (strncasecmp(a->subs[i], user, ul) == 0 && a->subs[i][ul] == '/')
            out[n++] = a->subs[i] + ul + 1;
    return n;
}

long mail_box_find(const Mailbox *mb, uint32_t uid)
{
    size_t lo = 0, hi = mb->n; /* UIDs ascend */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mb->msgs[mid].uid < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < mb->n && mb->msgs[lo].uid == uid ? (long)lo : -1;
}

void mail_box_set_flags(MailServer *s, Mailbox *mb, size_t i, unsigned flags)
{
    MailMsg *m = &mb->msgs[i];
    unsigned shown = ~(unsigned)MAIL_FLAG_RECENT;
    bool changed = (m->flags & shown) != (flags & shown);
    m->flags = flags;
    if (changed)
        mail_box_record(s, mb, m, "set");
}

void mail_box_remove(MailServer *s, Mailbox *mb, size_t i)
{
    MailMsg *m = &mb->msgs[i];
    mail_box_record(s, mb, m, "del");
    free(m->text);
    free(m->from);
    free(m->subject);
    memmove(m, m + 1, (mb->n - i - 1) * sizeof *m);
    mb->n--;
}

uint32_t mail_box_copy(MailServer *s, Mailbox *dst, const MailMsg *m)
{
    dst->msgs = xgrow(dst->msgs, &dst->cap, dst->n + 1, sizeof *dst->msgs);
    MailMsg *c = &dst->msgs[dst->n++];
    *c = *m;
    c->uid = dst->next_uid++;
    c->text = xstrdup(m->text);
    c->from = xstrdup(m->from);
    c->subject = xstrdup(m->subject);
    c->flags = (m->flags & ~(unsigned)MAIL_FLAG_RECENT) | MAIL_FLAG_RECENT;
    mail_box_record(s, dst, c, "add");
    return c->uid;
}

bool mail_check_login(MailServer *s, const char *user, const char *pass)
{
    const MailUser *u = mail_conf_user(s->sim->world, s->node, user);
    return u && u->password && strcmp(u->password, pass) == 0;
}

static MailPenalty *penalty_of(MailServer *s, uint32_t ip, bool make)
{
    MailAccess *a = s->access;
    for (size_t i = 0; i < a->n_penalties; i++)
        if (a->penalties[i].ip == ip)
            return &a->penalties[i];
    if (!make)
        return NULL;
    a->penalties = xrealloc(a->penalties, (a->n_penalties + 1) * sizeof *a->penalties);
    MailPenalty *e = &a->penalties[a->n_penalties++];
    memset(e, 0, sizeof *e);
    e->ip = ip;
    return e;
}

/* Dovecot's auth_penalty_to_secs: 2 s doubled per failure, at most 15 s. */
static SimTime penalty_time(unsigned penalty)
{
    unsigned secs = 2;
    for (unsigned i = 0; i < penalty && secs < 15; i++)
        secs *= 2;
    return (SimTime)(secs < 15 ? secs : 15) * 1000000;
}

SimTime mail_auth_wait(MailServer *s, uint32_t ip)
{
    MailPenalty *e = penalty_of(s, ip, false);
    if (!e || e->penalty == 0)
        return 0;
    SimTime until = e->last + penalty_time(e->penalty);
    return s->sim->now < until ? until - s->sim->now : 0;
}

bool mail_auth_check(MailServer *s, uint32_t ip, const char *user, const char *pass)
{
    bool ok = mail_check_login(s, user, pass);
    MailPenalty *e = penalty_of(s, ip, !ok);
    if (ok) {
        if (e)
            e->penalty = 0;
        return true;
    }
    uint32_t sum = 2166136261u; /* FNV-1a of user, NUL, password */
    for (const char *p = user;; p++) {
        sum = (sum ^ (unsigned char)*p) * 16777619u;
        if (!*p)
            break;
    }
    for (const char *p = pass; *p; p++)
        sum = (sum ^ (unsigned char)*p) * 16777619u;
    for (size_t i = 0; i < e->n_sums; i++)
        if (e->sums[i] == sum)
            return false; /* the same mistake again: no higher penalty */
    if (e->n_sums == 10)
        memmove(e->sums, e->sums + 1, 9 * sizeof *e->sums);
    else
        e->n_sums++;
    e->sums[e->n_sums - 1] = sum;
    if (e->penalty < 16)
        e->penalty++;
    e->last = s->sim->now + MAIL_AUTH_DELAY;
    return false;
}

const char *mail_user_name(MailServer *s, const char *user)
{
    const MailUser *u = mail_conf_user(s->sim->world, s->node, user);
    return u ? u->name : user;
}

/* ---- the listeners --------------------------------------------------------------- */

static void on_accept(void *ctx, TcpConn *listener, TcpConn *c)
{
    MailServer *s = ctx;
    if (listener == s->access->pop3)
        pop3_session_accept(s, c);
    else
        imap_session_accept(s, c);
}

static const TcpOps listen_ops = {.accepted = on_accept};

void mail_access_start(MailServer *s)
{
    s->access = xcalloc(1, sizeof *s->access);
    if (s->conf->services & MAIL_SVC_POP3)
        s->access->pop3 = tcp_listen(s->sim, s->node, 110, 100, &listen_ops, s);
    if (s->conf->services & MAIL_SVC_IMAP)
        s->access->imap = tcp_listen(s->sim, s->node, 143, 100, &listen_ops, s);
}

void mail_access_free(MailServer *s)
{
    MailAccess *a = s->access;
    if (!a)
        return;
    pop3_sessions_free(s);
    imap_sessions_free(s);
    a->folders = xrealloc(a->folders, (a->n_folders + a->n_gone + 1) * sizeof *a->folders);
    for (size_t i = 0; i < a->n_gone; i++)
        a->folders[a->n_folders++] = a->gone[i];
    free(a->gone);
    for (size_t i = 0; i < a->n_folders; i++) {
        Mailbox *mb = a->folders[i];
        for (size_t k = 0; k < mb->n; k++) {
            free(mb->msgs[k].text);
            free(mb->msgs[k].from);
            free(mb->msgs[k].subject);
        }
        free(mb->msgs);
        free(mb->user);
        free(mb->folder);
        free(mb);
    }
    free(a->folders);
    for (size_t i = 0; i < a->n_subs; i++)
        free(a->subs[i]);
    free(a->subs);
    free(a->penalties);
    free(a);
    s->access = NULL;
}
