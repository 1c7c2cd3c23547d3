#include "proto/ftp/ftp_conf.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "proto/services.h"

typedef struct FtpConf {
    FtpNodeConf *nodes; /* indexed by node; n_nodes may be short of the World's */
    size_t n_nodes;
} FtpConf;

static const FtpNodeConf defaults = {
    .writable = true,
    .pasv_min = FTP_PASV_MIN,
    .pasv_max = FTP_PASV_MAX,
};

static void conf_free(void *data)
{
    FtpConf *c = data;
    for (size_t i = 0; i < c->n_nodes; i++) {
        FtpNodeConf *n = &c->nodes[i];
        for (size_t k = 0; k < n->n_users; k++) {
            free(n->users[k].name);
            free(n->users[k].password);
            free(n->users[k].home);
        }
        free(n->users);
    }
    free(c->nodes);
    free(c);
}

const FtpNodeConf *ftp_conf_node(const World *w, int node)
{
    const FtpConf *c = world_ext(w, EXT_FTP);
    if (!c || node < 0 || (size_t)node >= c->n_nodes)
        return &defaults;
    return &c->nodes[node];
}

FtpNodeConf *ftp_conf_node_mut(World *w, int node)
{
    FtpConf *c = world_ext(w, EXT_FTP);
    if (!c) {
        c = xcalloc(1, sizeof *c);
        world_ext_set(w, EXT_FTP, c, conf_free);
    }
    if ((size_t)node >= c->n_nodes) {
        size_t n = (size_t)node + 1 > w->n_nodes ? (size_t)node + 1 : w->n_nodes;
        c->nodes = xrealloc(c->nodes, n * sizeof *c->nodes);
        for (size_t i = c->n_nodes; i < n; i++)
            c->nodes[i] = defaults;
        c->n_nodes = n;
    }
    return &c->nodes[node];
}

FtpUser *ftp_conf_add_user(FtpNodeConf *c, const char *name, const char *password, const char *home)
{
    c->users = xrealloc(c->users, (c->n_users + 1) * sizeof *c->users);
    FtpUser *u = &c->users[c->n_users];
    u->name = xstrdup(name);
    u->password = xstrdup(password);
    u->home = xstrdup(home);
    u->uid = 1000 + (unsigned)c->n_users;
    c->n_users++;
    return u;
}

const FtpUser *ftp_conf_user(const FtpNodeConf *c, const char *name)
{
    for (size_t i = 0; i < c->n_users; i++)
        if (strcmp(c->users[i].name, name) == 0)
            return &c->users[i];
    return NULL;
}

unsigned ftp_conf_uid(const FtpNodeConf *c, const char *owner)
{
    if (!owner || strcmp(owner, "root") == 0)
        return 0;
    if (strcmp(owner, "ftp") == 0)
        return 0; /* /srv/ftp belongs to root on Debian */
    const FtpUser *u = ftp_conf_user(c, owner);
    return u ? u->uid : 65534;
}
