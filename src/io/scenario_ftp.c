/* scenario_ftp — FTP's part of the scenario loader: the keys of a node
 * with role "ftp",
 *
 *   "users": {"alice": {"password": "wonderland", "home": "/home/alice"}},
 *   "anonymous": false, "passive_ports": "50000-50100",
 *   "writable": true, "ascii": false
 *
 * into the World's FtpConf (proto/ftp/ftp_conf.h).  Once every node is
 * read, each account's home folder (and /srv/ftp for anonymous access) is
 * added to the node's files, owned by the account. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/scenario_int.h"
#include "proto/ftp/ftp_conf.h"
#include "proto/roles.h"
#include "proto/vfs.h"

static const char *const user_keys[] = {"password", "home"};

static void read_user(Loader *L, FtpNodeConf *c, const cJSON *u, const Path *p)
{
    if (!vfs_valid_user(u->string)) {
        sj_err(L, u, p,
               "%s is not a valid user name (expected a Unix user name: a lowercase letter or "
               "\"_\", then up to 31 lowercase letters, digits, \"_\" or \"-\", like \"alice\")",
               sj_q(L, u->string));
        return;
    }
    if (!cJSON_IsObject(u)) {
        sj_err(L, u, p,
               "got %s (expected an object like {\"password\": \"wonderland\", \"home\": "
               "\"/home/alice\"})",
               sj_got(L, u));
        return;
    }
    const char *password = NULL;
    char home[VFS_PATH_MAX];
    snprintf(home, sizeof home, "/home/%s", u->string);
    bool ok = true;
    bool *dup = sj_find_duplicates(L, u, p);
    size_t k = 0;
    for (const cJSON *e = u->child; e; e = e->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path kp = sj_field(p, e->string);
        if (strcmp(e->string, "password") == 0) {
            password = sj_get_string(L, e, &kp, "the password as text, like \"wonderland\"");
            ok = ok && password;
        } else if (strcmp(e->string, "home") == 0) {
            const char *h = sj_get_string(L, e, &kp, "an absolute path, like \"/home/alice\"");
            bool escapes = false;
            if (!h) {
                ok = false;
            } else if (h[0] != '/' ||
                       vfs_path_norm(NULL, h, home, sizeof home, &escapes) != VFS_OK || escapes) {
                sj_err(L, e, &kp,
                       "%s is not an absolute path inside \"/\" (expected a folder like "
                       "\"/home/alice\")",
                       sj_q(L, h));
                ok = false;
            }
        } else {
            sj_unknown_key(L, e, p, e->string, user_keys, MN_ARRAY_LEN(user_keys));
            ok = false;
        }
    }
    free(dup);
    if (ok && !password) {
        sj_err(L, u, p, "the user has no \"password\" (expected {\"password\": \"…\"})");
        ok = false;
    }
    if (ok)
        ftp_conf_add_user(c, u->string, password, home);
}

static void key_users(Loader *L, int i, const cJSON *v, const Path *p)
{
    if (!cJSON_IsObject(v)) {
        sj_err(L, v, p,
               "got %s (expected an object keyed by user name, like {\"alice\": {\"password\": "
               "\"wonderland\"}})",
               sj_got(L, v));
        return;
    }
    FtpNodeConf *c = ftp_conf_node_mut(L->w, i);
    bool *dup = sj_find_duplicates(L, v, p);
    size_t k = 0;
    for (const cJSON *u = v->child; u; u = u->next, k++) {
        if (sj_dup(dup, k))
            continue;
        Path up = sj_quoted(p, u->string);
        read_user(L, c, u, &up);
    }
    free(dup);
}

static void key_anonymous(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &ftp_conf_node_mut(L->w, i)->anonymous);
}

static void key_writable(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &ftp_conf_node_mut(L->w, i)->writable);
}

static void key_ascii(Loader *L, int i, const cJSON *v, const Path *p)
{
    sj_get_bool(L, v, p, &ftp_conf_node_mut(L->w, i)->ascii);
}

static void key_passive_ports(Loader *L, int i, const cJSON *v, const Path *p)
{
    static const char expected[] = "a range of ports like \"50000-50100\"";
    const char *s = sj_get_string(L, v, p, expected);
    if (!s)
        return;
    unsigned lo, hi;
    char end;
    int n = sscanf(s, "%5u-%5u%c", &lo, &hi, &end);
    if (n == 1 && sscanf(s, "%5u%c", &lo, &end) == 1)
        hi = lo, n = 2;
    if (n != 2 || lo == 0 || hi > 65535 || lo > hi || (s[0] < '0' || s[0] > '9')) {
        sj_err(L, v, p, "%s is not a port range (expected %s, from 1 to 65535, low to high)",
               sj_q(L, s), expected);
        return;
    }
    FtpNodeConf *c = ftp_conf_node_mut(L->w, i);
    c->pasv_min = (uint16_t)lo;
    c->pasv_max = (uint16_t)hi;
}

/* Each account's home, and anonymous FTP's root, as folders of the node.
 * A home that "files" makes a file (or puts below one) is refused: vfsd
 * would answer the login "500 OOPS: cannot change directory". */
static void check(Loader *L, const Path *nodes_path)
{
    World *w = L->w;
    int role = -1; /* nodes come in runs of one role: each run's asked once */
    bool ftp = false;
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (w->nodes[i].role != role) {
            role = w->nodes[i].role;
            ftp = strcmp(roles_get(role)->name, "ftp") == 0;
        }
        if (!ftp)
            continue;
        const FtpNodeConf *c = ftp_conf_node(w, (int)i);
        for (size_t k = 0; k < c->n_users; k++) {
            const char *clash = NULL;
            VfsErr e = vfs_conf_add_dir(w, (int)i, c->users[k].home, &clash);
            if (e == VFS_OK)
                continue;
            const cJSON *users = cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "users");
            const cJSON *user = cJSON_GetObjectItemCaseSensitive(users, c->users[k].name);
            const cJSON *home = cJSON_GetObjectItemCaseSensitive(user, "home");
            Path np = sj_indexed(nodes_path, i), up = sj_field(&np, "users"),
                 hp = sj_quoted(&up, c->users[k].name), at = sj_field(&hp, "home");
            if (clash && strcmp(clash, c->users[k].home) != 0)
                sj_err(L, home ? home : user, home ? &at : &hp,
                       "%s is below the file %s of \"files\" (expected a folder, the home of %s)",
                       sj_q(L, c->users[k].home), sj_q(L, clash), sj_q(L, c->users[k].name));
            else
                sj_err(L, home ? home : user, home ? &at : &hp,
                       "%s is a file of \"files\" (expected a folder, the home of %s)",
                       sj_q(L, c->users[k].home), sj_q(L, c->users[k].name));
        }
        const char *clash = NULL;
        if (c->anonymous && vfs_conf_add_dir(w, (int)i, "/srv/ftp", &clash) != VFS_OK) {
            const cJSON *anon = cJSON_GetObjectItemCaseSensitive(L->ni[i].item, "anonymous");
            Path np = sj_indexed(nodes_path, i), ap = sj_field(&np, "anonymous");
            sj_err(L, anon, &ap,
                   "anonymous FTP's folder \"/srv/ftp\" is %s of \"files\" (expected a folder)",
                   clash && strcmp(clash, "/srv/ftp") ? "below a file" : "a file");
        }
    }
}

static const ScenarioKey keys[] = {
    {"users", key_users, "ftp"},
    {"anonymous", key_anonymous, "ftp"},
    {"passive_ports", key_passive_ports, "ftp"},
    {"writable", key_writable, "ftp"},
    {"ascii", key_ascii, "ftp"},
};

const ScenarioProto scenario_ftp_proto = {
    .keys = keys,
    .n_keys = MN_ARRAY_LEN(keys),
    .check = check,
};
