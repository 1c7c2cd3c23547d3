#include "proto/roles.h"

#include <assert.h>
#include <string.h>

#include "core/util.h"
#include "proto/dns/dns_conf.h"

static const char *const host_keys[] = {"dns", "tcp", "user", "files", "mail", NULL};
static const char *const router_keys[] = {NULL};
static const char *const resolver_keys[] = {
    "mode", "qname_minimisation", "root_hints", "round_robin", "tcp", NULL};
static const char *const ftp_keys[] = {"users", "anonymous", "passive_ports", "writable",
                                       "ascii", "files",     "tcp",           NULL};
static const char *const dns_keys[] = {"round_robin", "zones", "recursion", "tcp", NULL};
static const char *const mail_keys[] = {"domains", "users",     "aliases", "relay_from", "services",
                                        "queue",   "mailboxes", "dns",     "tcp",        NULL};

static const Role roles[ROLE_COUNT] = {
    [ROLE_HOST] = {"host", "a host", ROLE_ICON_HOST, NULL, false, SVC_BIT(SVC_DNS_STUB), host_keys},
    [ROLE_ROUTER] = {"router", "a router", ROLE_ICON_ROUTER, NULL, true, 0, router_keys},
    [ROLE_RESOLVER] = {"resolver", "a resolver", ROLE_ICON_RESOLVER, NULL, false,
                       SVC_BIT(SVC_DNS_RESOLVER), resolver_keys},
    [ROLE_DNS] = {"dns", "a dns server", ROLE_ICON_AUTH, dns_conf_icon, false,
                  SVC_BIT(SVC_DNS_SERVER), dns_keys},
    [ROLE_MAIL] = {"mail", "a mail server", ROLE_ICON_MAIL, NULL, false,
                   SVC_BIT(SVC_DNS_STUB) | SVC_BIT(SVC_MAIL), mail_keys},
    [ROLE_FTP] = {"ftp", "an ftp server", ROLE_ICON_FTP, NULL, false, SVC_BIT(SVC_FTP_SERVER),
                  ftp_keys},
};

_Static_assert(SVC_COUNT <= 32, "Role.services has one bit per service");

const Role *roles_table(size_t *n)
{
    *n = MN_ARRAY_LEN(roles);
    return roles;
}

const Role *roles_get(int r)
{
    assert(r >= 0 && r < ROLE_COUNT);
    return &roles[r];
}

int roles_find(const char *name)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (strcmp(name, roles[r].name) == 0)
            return r;
    return -1;
}

bool roles_accepts(int r, const char *key)
{
    for (const char *const *k = roles_get(r)->keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

bool roles_runs(const World *w, int node, ServiceId svc)
{
    return (roles_get(w->nodes[node].role)->services & SVC_BIT(svc)) != 0;
}

RoleIcon roles_icon(const World *w, int node)
{
    const Role *r = roles_get(w->nodes[node].role);
    return r->icon_of ? r->icon_of(w, node) : r->icon;
}

const char *roles_icon_name(RoleIcon icon)
{
    static const char *const names[ROLE_ICON_COUNT] = {
        "host",        "router",      "local DNS server",
        "root server", "TLD server",  "authoritative server",
        "FTP server",  "mail server",
    };
    return (unsigned)icon < ROLE_ICON_COUNT ? names[icon] : "?";
}
