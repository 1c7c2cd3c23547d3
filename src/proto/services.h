/* services — the table of what a scenario's world runs besides the network
 * layer and the shell: one row per protocol service, in start order.  A
 * service keeps its state in sim->svc[its row], so the core holds no
 * protocol's slot; adding a protocol adds a row here and its own files.
 *
 * agents_start (agents.h) starts the rows in order; agents_stop stops them
 * in reverse.  A row may have no start (a service made on first use, such
 * as a host's DNS cache) and must accept a stop when it never started. */
#ifndef MN_SERVICES_H
#define MN_SERVICES_H

#include <stddef.h>

#include "core/sim.h"
#include "net/world.h"

typedef enum ServiceId {
    SVC_FILES,        /* each node's files (proto/vfs.h), first: servers read them at start */
    SVC_DNS_SERVER,   /* authoritative name servers (role dns) */
    SVC_DNS_RESOLVER, /* local DNS servers (role resolver) */
    SVC_DNS_STUB,     /* hosts' own DNS caches, made on first use */
    SVC_MAIL,         /* mail servers (role mail): SMTP, queue, mailboxes */
    SVC_FTP_SERVER,   /* FTP servers (role ftp) */
    SVC_COUNT
} ServiceId;

_Static_assert(SVC_COUNT <= SIM_SVC_MAX, "raise SIM_SVC_MAX in core/sim.h");

/* The World's extension slots (world.h, World.ext), one per protocol that
 * keeps settings of its own: the protocol's conf header reads its slot. */
typedef enum ExtSlot {
    EXT_DNS,   /* DnsConf (proto/dns/dns_conf.h): zones, resolvers, servers */
    EXT_FILES, /* VfsConf (proto/vfs.h): each node's files and user */
    EXT_MAIL,  /* MailConf (proto/mail/mail_conf.h): mail servers and accounts */
    EXT_FTP,   /* FtpConf (proto/ftp/ftp_conf.h): FTP servers' accounts and ports */
    EXT_COUNT
} ExtSlot;

_Static_assert(EXT_COUNT <= WORLD_EXT_MAX, "raise WORLD_EXT_MAX in net/world.h");

typedef struct Service {
    const char *name;
    void (*start)(Sim *sim); /* may be NULL */
    void (*stop)(Sim *sim);
} Service;

/* The rows, indexed by ServiceId. */
const Service *services_table(size_t *n);

#endif
