/* mail_conf — what a scenario says about mail: each mail server's keys
 * (role "mail": domains, users, aliases, relay_from, services, queue,
 * mailboxes) and each host's mail account (host key "mail").  It lives in
 * the World's mail extension slot (EXT_MAIL, proto/services.h), filled by
 * src/io/scenario_mail.c; the mail server, the mail programs (swaks, mail,
 * curl, mailq) and the view read it through this header.
 *
 * A World built without the loader (tests) may have no MailConf: every
 * reader then sees the defaults (no server keys, no account).  Strings are
 * owned by the MailConf and live as long as the World. */
#ifndef MN_MAIL_CONF_H
#define MN_MAIL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/evq.h"
#include "net/world.h"

/* A host's mail user agent account (host key "mail"):
 *   {"address": "alice@crepes.fr", "server": "mail.crepes.fr",
 *    "password": "ketchup", "read": "imap"} */
typedef enum MailReadProto { MAIL_READ_IMAP, MAIL_READ_POP3 } MailReadProto;

typedef struct MailAccount {
    const char *address;  /* "alice@crepes.fr" */
    const char *server;   /* its mail server's name (or dotted quad) as written */
    const char *password; /* "" when the scenario gives none */
    const char *read;     /* "imap" (default) or "pop3" */
    MailReadProto read_proto;
    int server_node; /* the node called `server` (by id), or -1 */
} MailAccount;

/* The account of the host node, or NULL when it has no "mail" key. */
const MailAccount *mail_account(const World *w, int node);

/* ---- a mail server (role "mail") ---------------------------------------- */

/* Which services a server runs ("services"), as bits. */
enum {
    MAIL_SVC_SMTP = 1u << 0,       /* port 25 */
    MAIL_SVC_SUBMISSION = 1u << 1, /* port 587, AUTH PLAIN/LOGIN */
    MAIL_SVC_POP3 = 1u << 2,       /* port 110 */
    MAIL_SVC_IMAP = 1u << 3,       /* port 143 */
    MAIL_SVC_DEFAULT = 0xfu,
};

typedef struct MailUser {
    char *name; /* the mailbox's name, lower case as written */
    char *password;
} MailUser;

typedef struct MailAlias {
    char *name;   /* local part: "postmaster" */
    char *target; /* a user, or a full address elsewhere */
} MailAlias;

typedef struct MailNet {
    uint32_t addr;
    uint8_t prefix; /* 32 for one address */
} MailNet;

/* A message already in a mailbox at time 0 ("mailboxes"). */
typedef struct MailSeed {
    char *from, *subject, *body;
    char *date;  /* as written (RFC 5322 or RFC 3339), or NULL: the scenario's start */
    char *where; /* JSON path, for messages */
} MailSeed;

typedef struct MailSeedBox {
    char *user;
    MailSeed *msgs;
    size_t n_msgs;
} MailSeedBox;

typedef struct MailQueueConf {
    SimTime retry;     /* minimal_backoff_time, default 300 s */
    SimTime max_retry; /* maximal_backoff_time, default 4000 s */
    SimTime scan;      /* queue_run_delay, default 300 s */
    SimTime lifetime;  /* maximal_queue_lifetime, default 5 days */
} MailQueueConf;

typedef struct MailServerConf {
    bool is_server; /* role mail */
    char **domains; /* lower case, no final dot, in file order */
    size_t n_domains;
    MailUser *users; /* in file order */
    size_t n_users;
    MailAlias *aliases;
    size_t n_aliases;
    bool has_relay_from; /* "relay_from" given; otherwise the default below */
    MailNet *relay_from;
    size_t n_relay_from;
    unsigned services; /* MAIL_SVC_* bits */
    MailQueueConf queue;
    MailSeedBox *mailboxes;
    size_t n_mailboxes;
} MailServerConf;

/* Postfix's defaults for the queue. */
MailQueueConf mail_queue_defaults(void);

/* Node's server keys; the defaults (not a server) when none.  Never NULL. */
const MailServerConf *mail_server_conf(const World *w, int node);
/* Is the node a mail server (role mail)? */
bool mail_is_server(const World *w, int node);
/* Does server node accept mail for domain (one of its "domains", case
 * insensitive, final dot ignored)? */
bool mail_conf_is_local_domain(const World *w, int node, const char *domain);
/* The user of server node called name (case insensitive), or NULL. */
const MailUser *mail_conf_user(const World *w, int node, const char *name);
/* The alias target of local part name, or NULL. */
const char *mail_conf_alias(const World *w, int node, const char *name);
/* May a client at addr relay through server node on port 25: it is in
 * "relay_from", or, with none written, it is the server itself or a host
 * whose mail account names the server (Postfix's mynetworks as the
 * scenario implies it)? */
bool mail_conf_relay_ok(const World *w, int node, uint32_t addr);

/* ---- for the loader (src/io/scenario_mail.c) ------------------------------ */

typedef struct MailNodeConf {
    MailServerConf server;
    bool has_account;
    MailAccount account;
} MailNodeConf;

typedef struct MailConf {
    MailNodeConf *nodes; /* indexed by node; n_nodes may be short of the World's */
    size_t n_nodes;
} MailConf;

/* The world's MailConf, made (empty) on first use. */
MailConf *mail_conf(World *w);
/* The world's MailConf, or NULL when it has none. */
const MailConf *mail_conf_get(const World *w);
/* Node's settings to fill, made (with the defaults) on first use. */
MailNodeConf *mail_conf_node_mut(World *w, int node);

#endif
