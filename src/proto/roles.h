/* roles — the table of node roles a scenario may write ("role": "resolver"):
 * one row per role, with what the loader, the services and the view need
 * to know about it.  The network layer knows only Node.router (does the
 * node forward packets); every other difference between roles is a row
 * here.  Adding a protocol's role adds a row (and its key readers in
 * src/io/scenario_<proto>.c); no core file or GUI code changes.
 *
 * Node.role is an index into this table (RoleId). */
#ifndef MN_ROLES_H
#define MN_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "net/world.h"
#include "proto/services.h"

typedef enum RoleId {
    ROLE_HOST,
    ROLE_ROUTER,
    ROLE_RESOLVER,
    ROLE_DNS,
    ROLE_MAIL,
    ROLE_FTP,
    ROLE_COUNT
} RoleId;

/* How the view draws a node (src/gui/draw.c draws each; model.h's
 * ModelKind is this enum). */
typedef enum RoleIcon {
    ROLE_ICON_HOST,     /* a laptop */
    ROLE_ICON_ROUTER,   /* a disc with four arrows */
    ROLE_ICON_RESOLVER, /* a box with a cache drawer */
    ROLE_ICON_ROOT,     /* a name server for "." */
    ROLE_ICON_TLD,      /* a name server for one-label zones only ("edu.") */
    ROLE_ICON_AUTH,     /* any other server */
    ROLE_ICON_FTP,      /* an FTP server (drawn as a server tower) */
    ROLE_ICON_MAIL,     /* a mail server (an envelope) */
    ROLE_ICON_COUNT
} RoleIcon;

#define SVC_BIT(svc) (1u << (svc))

typedef struct Role {
    const char *name; /* as a scenario writes it: "resolver" */
    const char *a;    /* in messages: "a resolver" */
    RoleIcon icon;
    /* A finer icon from the node's own settings (a name server's zones), or
     * NULL: always icon. */
    RoleIcon (*icon_of)(const World *w, int node);
    bool router;       /* forwards packets between its links (Node.router) */
    unsigned services; /* what it runs by default: SVC_BIT(ServiceId) bits */
    /* The node keys it accepts besides id, role, ip, region and pos,
     * NULL-terminated; each is read by a row of a protocol's key table
     * (src/io/scenario_<proto>.c). */
    const char *const *keys;
} Role;

/* The rows, indexed by RoleId. */
const Role *roles_table(size_t *n);
/* Row r, which must exist. */
const Role *roles_get(int r);
/* The row called name, or -1.  O(rows). */
int roles_find(const char *name);
/* Does role r accept node key key?  O(keys). */
bool roles_accepts(int r, const char *key);
/* Does node run service svc (by its role's defaults)? */
bool roles_runs(const World *w, int node, ServiceId svc);
/* How the view draws node. */
RoleIcon roles_icon(const World *w, int node);
/* What the inspector calls an icon's kind: "local DNS server". */
const char *roles_icon_name(RoleIcon icon);

#endif
