#include "proto/mail/mail_conf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "proto/services.h"

#define SECOND 1000000

MailQueueConf mail_queue_defaults(void)
{
    return (MailQueueConf){.retry = 300 * (SimTime)SECOND,
                           .max_retry = 4000 * (SimTime)SECOND,
                           .scan = 300 * (SimTime)SECOND,
                           .lifetime = 5 * 24 * 3600 * (SimTime)SECOND};
}

static void server_fini(MailServerConf *s)
{
    for (size_t i = 0; i < s->n_domains; i++)
        free(s->domains[i]);
    free(s->domains);
    for (size_t i = 0; i < s->n_users; i++) {
        free(s->users[i].name);
        free(s->users[i].password);
    }
    free(s->users);
    for (size_t i = 0; i < s->n_aliases; i++) {
        free(s->aliases[i].name);
        free(s->aliases[i].target);
    }
    free(s->aliases);
    free(s->relay_from);
    for (size_t i = 0; i < s->n_mailboxes; i++) {
        MailSeedBox *b = &s->mailboxes[i];
        for (size_t k = 0; k < b->n_msgs; k++) {
            MailSeed *m = &b->msgs[k];
            free(m->from);
            free(m->subject);
            free(m->body);
            free(m->date);
            free(m->where);
        }
        free(b->msgs);
        free(b->user);
    }
    free(s->mailboxes);
}

static void conf_free(void *data)
{
    MailConf *c = data;
    for (size_t i = 0; i < c->n_nodes; i++) {
        MailNodeConf *n = &c->nodes[i];
        server_fini(&n->server);
        free((void *)n->account.address);
        free((void *)n->account.server);
        free((void *)n->account.password);
        free((void *)n->account.read);
    }
    free(c->nodes);
    free(c);
}

MailConf *mail_conf(World *w)
{
    MailConf *c = world_ext(w, EXT_MAIL);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        world_ext_set(w, EXT_MAIL, c, conf_free);
    }
    return c;
}

const MailConf *mail_conf_get(const World *w)
{
    return world_ext(w, EXT_MAIL);
}

MailNodeConf *mail_conf_node_mut(World *w, int node)
{
    MailConf *c = mail_conf(w);
    if ((size_t)node >= c->n_nodes) {
        size_t n = w->n_nodes > (size_t)node ? w->n_nodes : (size_t)node + 1;
        c->nodes = xrealloc(c->nodes, n * sizeof *c->nodes);
        memset(c->nodes + c->n_nodes, 0, (n - c->n_nodes) * sizeof *c->nodes);
        for (size_t i = c->n_nodes; i < n; i++) {
            c->nodes[i].server.services = MAIL_SVC_DEFAULT;
            c->nodes[i].server.queue = mail_queue_defaults();
            c->nodes[i].account.server_node = -1;
        }
        c->n_nodes = n;
    }
    return &c->nodes[node];
}

static const MailNodeConf *node_conf(const World *w, int node)
{
    const MailConf *c = mail_conf_get(w);
    if (!c || node < 0 || (size_t)node >= c->n_nodes)
        return NULL;
    return &c->nodes[node];
}

const MailAccount *mail_account(const World *w, int node)
{
    const MailNodeConf *n = node_conf(w, node);
    return n && n->has_account ? &n->account : NULL;
}

const MailServerConf *mail_server_conf(const World *w, int node)
{
    static MailServerConf defaults;
    const MailNodeConf *n = node_conf(w, node);
    if (n)
        return &n->server;
    if (!defaults.services) { /* constant contents: set once, the same every time */
        defaults.services = MAIL_SVC_DEFAULT;
        defaults.queue = mail_queue_defaults();
    }
    return &defaults;
}

bool mail_is_server(const World *w, int node)
{
    return mail_server_conf(w, node)->is_server;
}

/* domain without a final dot equals want (which has none)? */
static bool domain_eq(const char *domain, const char *want)
{
    size_t n = strlen(domain);
    if (n && domain[n - 1] == '.')
        n--;
    return n == strlen(want) && strncasecmp(domain, want, n) == 0;
}

bool mail_conf_is_local_domain(const World *w, int node, const char *domain)
{
    const MailServerConf *s = mail_server_conf(w, node);
    for (size_t i = 0; i < s->n_domains; i++)
        if (domain_eq(domain, s->domains[i]))
            return true;
    return false;
}

const MailUser *mail_conf_user(const World *w, int node, const char *name)
{
    const MailServerConf *s = mail_server_conf(w, node);
    for (size_t i = 0; i < s->n_users; i++)
        if (strcasecmp(s->users[i].name, name) == 0)
            return &s->users[i];
    return NULL;
}

const char *mail_conf_alias(const World *w, int node, const char *name)
{
    const MailServerConf *s = mail_server_conf(w, node);
    for (size_t i = 0; i < s->n_aliases; i++)
        if (strcasecmp(s->aliases[i].name, name) == 0)
            return s->aliases[i].target;
    return NULL;
}

static bool in_net(const MailNet *n, uint32_t addr)
{
    uint32_t mask = n->prefix == 0 ? 0 : 0xffffffffu << (32 - n->prefix);
    return (addr & mask) == (n->addr & mask);
}

static bool node_has_addr(const World *w, int node, uint32_t addr)
{
    int owner;
    return world_find_addr(w, addr, &owner, NULL) && owner == node;
}

bool mail_conf_relay_ok(const World *w, int node, uint32_t addr)
{
    const MailServerConf *s = mail_server_conf(w, node);
    if ((addr >> 24) == 127 || node_has_addr(w, node, addr))
        return true; /* Postfix's mynetworks always holds the host itself */
    if (s->has_relay_from) {
        for (size_t i = 0; i < s->n_relay_from; i++)
            if (in_net(&s->relay_from[i], addr))
                return true;
        return false;
    }
    int owner;
    if (!world_find_addr(w, addr, &owner, NULL))
        return false;
    const MailAccount *a = mail_account(w, owner);
    return a && a->server_node == node;
}
