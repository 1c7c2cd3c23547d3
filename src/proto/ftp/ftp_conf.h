/* ftp_conf — what a scenario says about an FTP server (role "ftp"): its
 * accounts, anonymous access, the passive port range and whether uploads
 * are allowed.  It lives in the World's FTP extension slot (EXT_FTP,
 * proto/services.h), filled by src/io/scenario_ftp.c; the server and the
 * view read it through this header.  A World without one (tests building
 * a World by hand) has every node at the defaults. */
#ifndef MN_FTP_CONF_H
#define MN_FTP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/world.h"

#define FTP_PASV_MIN 50000 /* the default passive_ports, "50000-50100" */
#define FTP_PASV_MAX 50100

/* One local account: as /etc/passwd and the PAM password would say. */
typedef struct FtpUser {
    char *name, *password, *home;
    unsigned uid; /* 1000, 1001, … in the order the scenario lists them */
} FtpUser;

typedef struct FtpNodeConf {
    FtpUser *users;
    size_t n_users;
    bool anonymous;              /* anonymous_enable (default false), root /srv/ftp */
    bool writable;               /* write_enable (default true) */
    bool ascii;                  /* ascii_upload_enable and ascii_download_enable */
    uint16_t pasv_min, pasv_max; /* pasv_min_port, pasv_max_port */
} FtpNodeConf;

/* Node's settings; the defaults when none were set.  Never NULL. */
const FtpNodeConf *ftp_conf_node(const World *w, int node);
/* Node's settings to change, made with the defaults on first use. */
FtpNodeConf *ftp_conf_node_mut(World *w, int node);
/* Adds an account (copied); its uid is the next one. */
FtpUser *ftp_conf_add_user(FtpNodeConf *c, const char *name, const char *password,
                           const char *home);
/* The account called name, or NULL. */
const FtpUser *ftp_conf_user(const FtpNodeConf *c, const char *name);
/* The numeric owner vsftpd's listing shows for a file's owner name: a
 * user's uid, 0 for root, 65534 (nobody) for a name it does not know. */
unsigned ftp_conf_uid(const FtpNodeConf *c, const char *owner);

#endif
