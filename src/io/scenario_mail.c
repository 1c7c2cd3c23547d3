/* scenario_mail — mail's part of the scenario loader: the keys of a mail
 * server (role "mail"),
 *
 *   "domains": ["hamburger.edu"],
 *   "users": {"bob": {"password": "hungry"}},
 *   "aliases": {"postmaster": "bob"},
 *   "relay_from": ["10.0.1.0/24", "10.0.2.10"],
 *   "services": ["smtp", "submission", "pop3", "imap"],
 *   "queue": {"retry": "300s", "max_retry": "4000s", "scan": "300s", "lifetime": "120h"},
 *   "mailboxes": {"bob": [{"from": "…", "subject": "…", "date": "…", "body": "…"}]}
 *
 * and a host's account, "mail": {"address": "alice@crepes.fr", "server":
 * "mail.crepes.fr", "password": "ketchup", "read": "imap"}, into the
 * World's MailConf (proto/mail/mail_conf.h).  References between keys
 * (an alias's user, a mailbox's user, an account's server) are checked
 * once every node is read. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "io/scenario_int.h"
#include "proto/dns/dns_conf.h"
#include "proto/mail/mail_conf.h"
#include "proto/roles.h"

/* What the mail part keeps while a scenario loads: the values that later
 * checks point at. */
typedef struct MailLoad {
    const cJSON **aliases, **mailboxes, **account; /* per node, or NULL */
    size_t n;
} MailLoad;

static MailLoad *state(Loader *L)
{
    MailLoad *m = L->proto[SP_MAIL];
    if (!m->aliases) {
        m->n = L->w->n_nodes;
        size_t n = m->n ? m->n : 1;
        m->aliases = xcalloc(n, sizeof *m->aliases);
        m->mailboxes = xcalloc(n, sizeof *m->mailboxes);
        m->account = xcalloc(n, sizeof *m->account);
    }
    return m;
}

static MailServerConf *server(Loader *L, int i)
{
    return &mail_conf_node_mut(L->w, i)->server;
}

/* ---- names ------------------------------------------------------------------ */

/* A local part as a scenario may write it: letters, digits and . _ + -,
 * not starting or ending with a dot (RFC 5321's dot-string, kept simple). */
static bool valid_local(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._+-", *c))
            return false;
    return true;
}

/* A domain: labels of letters, digits and hyphens, a final dot allowed. */
static bool valid_domain(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > 254 || s[0] == '.')
        return false;
    for (const char *c = s; *c; c++) {
        if (*c == '.') {
            if (label == 0 && c[1] != '\0')
                return false;
            label = 0;
        } else if (isalnum((unsigned char)*c) || *c == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

static bool valid_address(const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at || at == s)
        return false;
    char local[65];
    size_t n = (size_t)(at - s);
    if (n >= sizeof local)
        return false;
    memcpy(local, s, n);
    local[n] = '\0';
    return valid_local(local) && valid_domain(at + 1);
}

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);
    for (char *c = d; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    size_t n = strlen(d);
    if (n > 1 && d[n - 1] == '.')
        d[n - 1] = '\0';
    return d;
}

/* ---- server keys ------------------------------------------------------------ */

static void key_domains(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p, "got %s (expected a list of domains, like [\"hamburger.edu\"])",
               sj_got(L, v));
        return;
    }
    MailServerConf *s = server(L, i);
    size_t k = 0;
    s->domains = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->domains);
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        const char *d = sj_get_string(L, e, &ep, "a domain, like \"hamburger.edu\"");
        if (!d)
            continue;
        if (!valid_domain(d)) {
            sj_err(L, e, &ep,
                   "%s is not a domain name (expected labels of letters, digits and hyphens "
                   "joined by dots, like \"hamburger.edu\")",
                   sj_q(L, d));
            continue;
        }
        s->domains[s->n_domains++] = lower_dup(d);
    }
}

static void key_users(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char expected[] = "an object of users, like {\"bob\": {\"password\": \"hungry\"}}";
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return;
    }
    static const char *const user_keys[] = {"password"};
    MailServerConf *s = server(L, i);
    s->users = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->users);
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path up = sj_quoted(p, e->string);
        if (sj_dup(dup, k))
            continue;
        if (!valid_local(e->string)) {
            sj_err(L, e, &up,
                   "%s is not a mailbox name (expected letters, digits, \".\", \"_\", \"+\" or "
                   "\"-\", like \"bob\")",
                   sj_q(L, e->string));
            continue;
        }
        if (!cJSON_IsObject(e)) {
            sj_err(L, e, &up, "got %s (expected an object like {\"password\": \"hungry\"})",
                   sj_got(L, e));
            continue;
        }
        /* The user exists even when a key of it is wrong, so that its
         * aliases and mailboxes are not reported too. */
        const char *password = "";
        for (const cJSON *f = e->child; f; f = f->next) {
            Path fp = sj_field(&up, f->string);
            if (strcmp(f->string, "password") == 0) {
                const char *pw = sj_get_string(L, f, &fp, "a password, like \"hungry\"");
                if (pw)
                    password = pw;
            } else {
                sj_unknown_key(L, f, &up, f->string, user_keys, MN_ARRAY_LEN(user_keys));
            }
        }
        MailUser *u = &s->users[s->n_users++];
        u->name = lower_dup(e->string);
        u->password = xstrdup(password);
    }
    free(dup);
}

static void key_aliases(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p, "got %s (expected an object of aliases, like {\"postmaster\": \"bob\"})",
               sj_got(L, v));
        return;
    }
    MailServerConf *s = server(L, i);
    s->aliases = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->aliases);
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ap = sj_quoted(p, e->string);
        if (sj_dup(dup, k))
            continue;
        if (!valid_local(e->string)) {
            sj_err(L, e, &ap,
                   "%s is not an alias name (expected letters, digits, \".\", \"_\", \"+\" or "
                   "\"-\", like \"postmaster\")",
                   sj_q(L, e->string));
            continue;
        }
        const char *t = sj_get_string(
            L, e, &ap,
            "a user of this server or a full address, like \"bob\" or \"bob@crepes.fr\"");
        if (!t)
            continue;
        if (strchr(t, '@') ? !valid_address(t) : !valid_local(t)) {
            sj_err(L, e, &ap,
                   "%s is not a user name or an address (expected a user of this server or a "
                   "full address, like \"bob\" or \"bob@crepes.fr\")",
                   sj_q(L, t));
            continue;
        }
        MailAlias *a = &s->aliases[s->n_aliases++];
        a->name = lower_dup(e->string);
        a->target = xstrdup(t);
    }
    free(dup);
    state(L)->aliases[i] = v;
}

static void key_relay_from(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected a list of addresses or prefixes, like [\"10.0.1.0/24\", "
               "\"10.0.2.10\"])",
               sj_got(L, v));
        return;
    }
    MailServerConf *s = server(L, i);
    s->has_relay_from = true;
    s->relay_from = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->relay_from);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        uint32_t ip;
        uint8_t prefix;
        if (!sj_get_ip(L, e, &ep, false, &ip, &prefix))
            continue;
        if (cJSON_IsString(e) && !strchr(e->valuestring, '/'))
            prefix = 32;
        s->relay_from[s->n_relay_from++] = (MailNet){ip, prefix};
    }
}

static void key_services(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char *const names[] = {"smtp", "submission", "pop3", "imap"};
    if (!cJSON_IsArray(v)) {
        sj_err(L, v, p,
               "got %s (expected a list of services, like [\"smtp\", \"submission\", \"pop3\", "
               "\"imap\"])",
               sj_got(L, v));
        return;
    }
    unsigned bits = 0;
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path ep = sj_indexed(p, k);
        const char *s = sj_get_string(L, e, &ep, "\"smtp\", \"submission\", \"pop3\" or \"imap\"");
        if (!s)
            continue;
        size_t n = 0;
        while (n < MN_ARRAY_LEN(names) && strcmp(names[n], s) != 0)
            n++;
        if (n == MN_ARRAY_LEN(names)) {
            sj_err(L, e, &ep, "unknown service %s (expected one of %s%s)", sj_q(L, s),
                   sj_join(L, names, MN_ARRAY_LEN(names)),
                   sj_suggest(L, s, names, MN_ARRAY_LEN(names), NULL));
            continue;
        }
        bits |= 1u << n;
    }
    server(L, i)->services = bits;
}

static void key_queue(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char *const queue_keys[] = {"retry", "max_retry", "scan", "lifetime"};
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an object like {\"retry\": \"300s\", \"max_retry\": "
               "\"4000s\", \"scan\": \"300s\", \"lifetime\": \"120h\"})",
               sj_got(L, v));
        return;
    }
    MailQueueConf *q = &server(L, i)->queue;
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, e->string);
        SimTime *out = NULL;
        if (strcmp(e->string, "retry") == 0)
            out = &q->retry;
        else if (strcmp(e->string, "max_retry") == 0)
            out = &q->max_retry;
        else if (strcmp(e->string, "scan") == 0)
            out = &q->scan;
        else if (strcmp(e->string, "lifetime") == 0)
            out = &q->lifetime;
        if (!out) {
            sj_unknown_key(L, e, p, e->string, queue_keys, MN_ARRAY_LEN(queue_keys));
            continue;
        }
        SimTime t;
        if (!sj_get_time(L, e, &kp, &t))
            continue;
        if (t < 1000000 && out != &q->lifetime) {
            sj_err(L, e, &kp, "%s is shorter than a second (expected a time like \"300s\")",
                   sj_q(L, e->valuestring));
            continue;
        }
        *out = t;
    }
    free(dup);
    if (q->max_retry < q->retry)
        sj_err(L, v, p,
               "max_retry is shorter than retry (expected the longest wait between tries to be "
               "at least the shortest, as Postfix requires)");
}

static void read_seed(Loader *L, const cJSON *e, const Path *ep, MailSeed *m)
{
    static const char *const msg_keys[] = {"from", "subject", "date", "body"};
    for (const cJSON *f = e->child; f; f = f->next) {
        Path fp = sj_field(ep, f->string);
        char **out = NULL;
        if (strcmp(f->string, "from") == 0)
            out = &m->from;
        else if (strcmp(f->string, "subject") == 0)
            out = &m->subject;
        else if (strcmp(f->string, "date") == 0)
            out = &m->date;
        else if (strcmp(f->string, "body") == 0)
            out = &m->body;
        if (!out) {
            sj_unknown_key(L, f, ep, f->string, msg_keys, MN_ARRAY_LEN(msg_keys));
            continue;
        }
        const char *s = sj_get_string(L, f, &fp, "a string");
        if (!s)
            continue;
        if (out == &m->from && !valid_address(s)) {
            sj_err(L, f, &fp, "%s is not an address (expected one like \"alice@crepes.fr\")",
                   sj_q(L, s));
            continue;
        }
        if (out != &m->body && strpbrk(s, "\r\n")) {
            sj_err(L, f, &fp, "a header cannot hold a line break (expected one line of text)");
            continue;
        }
        bool control = false;
        for (const unsigned char *c = (const unsigned char *)s; *c && out != &m->body; c++)
            control |= (*c < 0x20 && *c != '\t') || *c == 0x7f;
        if (control) {
            sj_err(L, f, &fp,
                   "%s contains a control character (expected one line of text, which a "
                   "terminal shows as written)",
                   sj_q(L, s));
            continue;
        }
        int64_t unix_s;
        char why[160];
        if (out == &m->date && !units_parse_mail_date(s, &unix_s, why, sizeof why)) {
            sj_err(L, f, &fp,
                   "%s is not a mail date: %s (expected one like \"Mon, 11 Sep 2023 08:00:00 "
                   "+0000\")",
                   sj_q(L, s), why);
            continue;
        }
        free(*out);
        *out = xstrdup(s);
    }
    if (!cJSON_GetObjectItemCaseSensitive(e, "from") && !sj_typo_for(e, "from", msg_keys, 4))
        sj_err(L, e, ep,
               "missing \"from\" (expected the sender's address, like \"from\": "
               "\"alice@crepes.fr\": every message has a From header, RFC 5322)");
    char *path = sj_path_str(ep);
    m->where = path;
}

static void key_mailboxes(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char expected[] =
        "an object of mailboxes, like {\"bob\": [{\"from\": \"alice@crepes.fr\", \"subject\": "
        "\"Hi\", \"body\": \"Hello\\n\"}]}";
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p, "got %s (expected %s)", sj_got(L, v), expected);
        return;
    }
    MailServerConf *s = server(L, i);
    s->mailboxes = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->mailboxes);
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        Path bp = sj_quoted(p, e->string);
        if (sj_dup(dup, k))
            continue;
        if (!cJSON_IsArray(e)) {
            sj_err(L, e, &bp,
                   "got %s (expected a list of messages, like [{\"from\": \"alice@crepes.fr\", "
                   "\"subject\": \"Hi\", \"body\": \"Hello\\n\"}])",
                   sj_got(L, e));
            continue;
        }
        MailSeedBox *b = &s->mailboxes[s->n_mailboxes++];
        b->user = lower_dup(e->string);
        b->msgs = xcalloc((size_t)cJSON_GetArraySize(e) + 1, sizeof *b->msgs);
        size_t m = 0;
        for (const cJSON *msg = e->child; msg; msg = msg->next, m++) {
            Path mp = sj_indexed(&bp, m);
            if (!cJSON_IsObject(msg)) {
                sj_err(L, msg, &mp,
                       "got %s (expected a message like {\"from\": \"alice@crepes.fr\", "
                       "\"subject\": \"Hi\", \"body\": \"Hello\\n\"})",
                       sj_got(L, msg));
                continue;
            }
            read_seed(L, msg, &mp, &b->msgs[b->n_msgs++]);
        }
    }
    free(dup);
    state(L)->mailboxes[i] = v;
}

/* ---- a host's account ---------------------------------------------------------- */

static void key_mail(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char *const account_keys[] = {"address", "server", "password", "read"};
    static const char *const reads[] = {"imap", "pop3"};
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an account like {\"address\": \"alice@crepes.fr\", \"server\": "
               "\"mail.crepes.fr\", \"password\": \"ketchup\", \"read\": \"imap\"})",
               sj_got(L, v));
        return;
    }
    MailNodeConf *n = mail_conf_node_mut(L->w, i);
    MailAccount *a = &n->account;
    bool ok = true;
    const char *address = NULL, *srv = NULL, *password = "", *read = "imap";
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, e->string);
        const char *s = NULL;
        if (strcmp(e->string, "address") == 0) {
            s = address = sj_get_string(L, e, &kp, "an address, like \"alice@crepes.fr\"");
            if (address && !valid_address(address)) {
                sj_err(L, e, &kp, "%s is not an address (expected one like \"alice@crepes.fr\")",
                       sj_q(L, address));
                s = NULL;
            }
        } else if (strcmp(e->string, "server") == 0) {
            s = srv = sj_get_string(L, e, &kp, "its mail server's name, like \"mail.crepes.fr\"");
            if (srv && !valid_domain(srv)) {
                sj_err(L, e, &kp,
                       "%s is not a host name (expected its mail server's name, like "
                       "\"mail.crepes.fr\")",
                       sj_q(L, srv));
                s = NULL;
            }
        } else if (strcmp(e->string, "password") == 0) {
            s = password = sj_get_string(L, e, &kp, "a password, like \"ketchup\"");
        } else if (strcmp(e->string, "read") == 0) {
            s = read = sj_get_string(L, e, &kp, "\"imap\" or \"pop3\"");
            if (read && strcmp(read, "imap") != 0 && strcmp(read, "pop3") != 0) {
                sj_err(L, e, &kp, "unknown protocol %s (expected \"imap\" or \"pop3\"%s)",
                       sj_q(L, read), sj_suggest(L, read, reads, 2, NULL));
                s = NULL;
            }
        } else {
            sj_unknown_key(L, e, p, e->string, account_keys, MN_ARRAY_LEN(account_keys));
            continue;
        }
        if (!s)
            ok = false;
    }
    free(dup);
    if (ok && (!address || !srv)) {
        const char *missing = !address ? "address" : "server";
        if (!sj_typo_for(v, missing, account_keys, MN_ARRAY_LEN(account_keys)))
            sj_err(L, v, p,
                   "the account has no \"%s\" (expected {\"address\": \"alice@crepes.fr\", "
                   "\"server\": \"mail.crepes.fr\"} at least)",
                   missing);
        ok = false;
    }
    if (!ok)
        return;
    n->has_account = true;
    a->address = xstrdup(address);
    a->server = xstrdup(srv);
    a->password = xstrdup(password);
    a->read = xstrdup(read);
    a->read_proto = read[0] == 'p' ? MAIL_READ_POP3 : MAIL_READ_IMAP;
    a->server_node = -1;
    state(L)->account[i] = v;
}

/* ---- checks ---------------------------------------------------------------------- */

static bool has_user(const MailServerConf *s, const char *name)
{
    for (size_t i = 0; i < s->n_users; i++)
        if (sj_casecmp(s->users[i].name, name) == 0)
            return true;
    return false;
}

/* Aliases and mailboxes name users of their own server. */
static void check_names(Loader *L, int i, const Path *np)
{
    MailLoad *m = state(L);
    const MailServerConf *s = mail_server_conf(L->w, i);
    if (m->aliases[i]) {
        Path ap = sj_field(np, "aliases");
        for (size_t k = 0; k < s->n_aliases; k++) {
            const MailAlias *a = &s->aliases[k];
            if (strchr(a->target, '@') || has_user(s, a->target))
                continue;
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(m->aliases[i], a->name);
            Path ep = sj_quoted(&ap, a->name);
            sj_err(L, e ? e : m->aliases[i], &ep,
                   "%s is not a user of this server (expected one of its \"users\", or a full "
                   "address)",
                   sj_q(L, a->target));
        }
    }
    if (m->mailboxes[i]) {
        Path bp = sj_field(np, "mailboxes");
        for (const cJSON *e = m->mailboxes[i]->child; e; e = e->next) {
            if (has_user(s, e->string))
                continue;
            Path ep = sj_quoted(&bp, e->string);
            sj_err(L, e, &ep,
                   "%s is not a user of this server (expected a mailbox of one of its "
                   "\"users\")",
                   sj_q(L, e->string));
        }
    }
}

/* An account's server is a node (by id) when one has that name; otherwise
 * it is found by DNS alone when the mail is sent. */
static void link_account(Loader *L, int i)
{
    MailNodeConf *n = mail_conf_node_mut(L->w, i);
    if (!n->has_account)
        return;
    n->account.server_node = world_find_node(L->w, n->account.server);
}

static void check(Loader *L, const Path *nodes_path)
{
    if (!L->nodes_ok)
        return;
    const MailConf *c = mail_conf_get(L->w);
    for (size_t i = 0; c && i < c->n_nodes && i < L->w->n_nodes; i++) {
        Path np = sj_indexed(nodes_path, i);
        if (L->w->nodes[i].role == ROLE_MAIL)
            check_names(L, (int)i, &np);
        link_account(L, (int)i);
    }
}

static void warn(Loader *L, const Path *nodes_path)
{
    const World *w = L->w;
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (w->nodes[i].role != ROLE_MAIL)
            continue;
        const MailServerConf *s = mail_server_conf(w, (int)i);
        Path np = sj_indexed(nodes_path, i);
        if (s->n_domains == 0)
            sj_warn(L, L->ni[i].item, &np,
                    "the mail server %s has no \"domains\": it accepts no mail for itself, only "
                    "relays (expected \"domains\": [\"example.org\"])",
                    sj_q(L, w->nodes[i].id));
        if (!dns_conf_node(w, (int)i)->has_dns)
            sj_warn(L, L->ni[i].item, &np,
                    "the mail server %s has no \"dns\": it cannot look up where to send mail "
                    "for other domains (expected \"dns\": the address of its DNS server)",
                    sj_q(L, w->nodes[i].id));
    }
}

/* ---- the row --------------------------------------------------------------------- */

static void begin(Loader *L)
{
    L->proto[SP_MAIL] = xcalloc(1, sizeof(MailLoad));
}

static void node(Loader *L, int i, int role)
{
    if (role == ROLE_MAIL)
        server(L, i)->is_server = true;
}

static void fini(Loader *L)
{
    MailLoad *m = L->proto[SP_MAIL];
    if (!m)
        return;
    free(m->aliases);
    free(m->mailboxes);
    free(m->account);
    free(m);
}

static const ScenarioKey keys[] = {
    {"domains", key_domains, "mail"},     {"users", key_users, "mail"},
    {"aliases", key_aliases, "mail"},     {"relay_from", key_relay_from, "mail"},
    {"services", key_services, "mail"},   {"queue", key_queue, "mail"},
    {"mailboxes", key_mailboxes, "mail"}, {"mail", key_mail, NULL},
};

const ScenarioProto scenario_mail_proto = {
    .keys = keys,
    .n_keys = MN_ARRAY_LEN(keys),
    .begin = begin,
    .node = node,
    .check = check,
    .warn = warn,
    .fini = fini,
};
