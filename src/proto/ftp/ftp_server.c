#include "proto/ftp/ftp_server.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util.h"
#include "net/tcp.h"
#include "net/world.h"
#include "proto/ftp/ftp_conf.h"
#include "proto/ftp/ftp_session.h"
#include "proto/roles.h"
#include "proto/services.h"
#include "proto/textconn.h"
#include "proto/vfs.h"

#define IDLE_TIMEOUT     (300 * SEC) /* idle_session_timeout */
#define LOGIN_FAIL_DELAY (1 * SEC)   /* delay_failed_login */
#define MAX_LOGIN_FAILS  3           /* max_login_fails */
#define SIX_MONTHS_S     (60LL * 60 * 24 * 182)

typedef struct FtpServerSet {
    FtpServer **servers;
    size_t n;
} FtpServerSet;

/* ---- parsing ----------------------------------------------------------------- */

void ftp_parse_command(const char *line, size_t len, FtpCommand *out)
{
    size_t v = 0;
    while (v < len && line[v] != ' ')
        v++;
    memset(out->verb, 0, sizeof out->verb);
    if (v < sizeof out->verb) {
        for (size_t i = 0; i < v; i++)
            out->verb[i] = (char)toupper((unsigned char)line[i]);
        if (memchr(line, '\0', v))
            strcpy(out->verb, "?");
    } else {
        strcpy(out->verb, "?"); /* no command is that long */
    }
    out->has_arg = v < len;
    out->arg = out->has_arg ? line + v + 1 : line + len;
    out->arg_len = out->has_arg ? len - v - 1 : 0;
}

static bool parse_num(const char **s, unsigned max, char end, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > max)
            return false;
        p++;
    }
    if (*p != end)
        return false;
    *s = end ? p + 1 : p;
    *out = v;
    return true;
}

bool ftp_parse_port(const char *arg, uint32_t *ip, uint16_t *port)
{
    unsigned n[6];
    const char *s = arg;
    for (int i = 0; i < 6; i++)
        if (!parse_num(&s, 255, i < 5 ? ',' : '\0', &n[i]))
            return false;
    *ip = (uint32_t)n[0] << 24 | (uint32_t)n[1] << 16 | (uint32_t)n[2] << 8 | n[3];
    *port = (uint16_t)(n[4] << 8 | n[5]);
    return true;
}

bool ftp_parse_eprt(const char *arg, uint32_t *ip, uint16_t *port)
{
    char d = arg[0];
    if (d < 33 || d > 126)
        return false;
    const char *s = arg + 1;
    if (s[0] != '1' || s[1] != d)
        return false;
    s += 2;
    const char *e = strchr(s, d);
    if (!e || e - s > 15)
        return false;
    char addr[16];
    memcpy(addr, s, (size_t)(e - s));
    addr[e - s] = 0;
    if (!ip_parse(addr, ip))
        return false;
    s = e + 1;
    unsigned p;
    if (!parse_num(&s, 65535, d, &p) || *s || p == 0)
        return false;
    *port = (uint16_t)p;
    return true;
}

size_t ftp_list_line(char *out, size_t size, bool dir, unsigned mode, unsigned nlink, unsigned uid,
                     unsigned gid, uint64_t fsize, int64_t mtime_s, int64_t now_s, const char *name)
{
    char perms[11];
    perms[0] = dir ? 'd' : '-';
    for (int i = 0; i < 9; i++)
        perms[1 + i] = (mode >> (8 - i)) & 1 ? "rwxrwxrwx"[i] : '-';
    perms[10] = 0;
    time_t t = (time_t)mtime_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[32];
    bool old = mtime_s > now_s || now_s - mtime_s > SIX_MONTHS_S;
    strftime(date, sizeof date, old ? "%b %d  %Y" : "%b %d %H:%M", &tm);
    int n = snprintf(out, size, "%s %4u %-8u %-8u %8llu %s %s", perms, nlink, uid, gid,
                     (unsigned long long)fsize, date, name);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* ---- the session's record and its replies ------------------------------------- */

static const char *xfer_verb(Xfer x)
{
    static const char *const names[] = {"none", "LIST", "NLST", "RETR", "STOR", "APPE", "STOU"};
    return names[x];
}

void ftp_server_record(Session *s)
{
    FtpServer *srv = s->srv;
    Trace *t = &srv->sim->trace;
    if (!trace_wanted(t))
        return;
    Buf v;
    buf_init(&v);
    /* the value's fields are separated by spaces: a space in the folder's
     * name is shown as a no-break space (U+00A0), which looks the same */
    Buf cwd;
    buf_init(&cwd);
    for (const char *c = s->logged_in ? s->cwd : "-"; *c; c++)
        if (*c == ' ')
            buf_puts(&cwd, "\xc2\xa0");
        else
            buf_putc(&cwd, *c);
    buf_printf(&v, "%s cwd %s type %s data %s",
               s->logged_in ? (s->anon ? "ftp" : s->acct->name) : "-", cwd.data,
               s->ascii ? "ASCII" : "binary",
               s->mode == DM_NONE   ? "none"
               : s->mode == DM_PORT ? (s->extended ? "EPRT" : "PORT")
                                    : (s->extended ? "EPSV" : "PASV"));
    if (s->xfer != X_NONE)
        buf_printf(&v, " transfer %s bytes %llu", xfer_verb(s->xfer), (unsigned long long)s->bytes);
    else
        buf_printf(&v, " transfer none bytes %llu", (unsigned long long)s->bytes);
    trace_state(t, srv->sim->now, srv->node, "ftp", "add", s->key, v.data, -1);
    buf_fini(&v);
    buf_fini(&cwd);
}

const char *ftp_server_node_name(const FtpServer *srv)
{
    return srv->sim->world->nodes[srv->node].id;
}

/* Sends one reply line; caption (NULL: a generic one) explains it. */
void ftp_server_reply(Session *s, const char *caption, const char *fmt, ...)
{
    if (!s->ctl)
        return; /* the control connection is gone: nobody to answer */
    va_list ap;
    va_start(ap, fmt);
    Buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *cap = NULL;
    if (!caption && trace_wanted(&s->srv->sim->trace))
        cap = xasprintf("%s answers on the control connection: %s", ftp_server_node_name(s->srv),
                        b.data);
    textconn_send(s->ctl, b.data, caption ? caption : cap);
    free(cap);
    buf_fini(&b);
}

/* ---- paths -------------------------------------------------------------------- */

/* vsftpd's resolve_tilde: "~" and "~/..." start at the home folder where
 * the session logged in ("/" in an anonymous session's chroot).  "~bob" is
 * a plain name (vsftpd's tilde_user_enable is off).  CWD, LIST, NLST, STAT,
 * RETR, STOR, APPE, STOU, MKD, RMD, DELE, RNFR, RNTO, SIZE and MDTM read
 * their argument through it; out holds VFS_PATH_MAX bytes.  False when
 * the result is too long. */
static bool expand_tilde(const Session *s, const char *arg, char *out)
{
    if (arg[0] != '~' || (arg[1] && arg[1] != '/') || !s->logged_in) {
        int n = snprintf(out, VFS_PATH_MAX, "%s", arg);
        return n >= 0 && n < VFS_PATH_MAX;
    }
    const char *home = s->anon ? "/" : s->acct->home;
    int n = snprintf(out, VFS_PATH_MAX, "%s%s", home, arg + 1);
    return n >= 0 && n < VFS_PATH_MAX;
}

/* The path path names, as the client sees it (vis) and as the server's
 * files hold it (real), ~ taken as a name.  False when it is too long. */
static bool resolve_path(const Session *s, const char *path, char *vis, char *real)
{
    if (vfs_path_norm(s->cwd, path, vis, VFS_PATH_MAX, NULL) != VFS_OK)
        return false;
    if (!s->root[0]) {
        strcpy(real, vis);
        return true;
    }
    int n = snprintf(real, VFS_PATH_MAX, "%s%s", s->root, strcmp(vis, "/") == 0 ? "" : vis);
    return n > 0 && n < VFS_PATH_MAX;
}

/* The path arg names, ~ expanded: resolve_path's vis and real. */
static bool resolve(const Session *s, const char *arg, char *vis, char *real)
{
    char path[VFS_PATH_MAX];
    return expand_tilde(s, arg, path) && resolve_path(s, path, vis, real);
}

Vfs *ftp_server_files(const Session *s)
{
    return vfs_of(s->srv->sim);
}

/* May the session create or remove entries in the folder holding real? */
static bool may_write_in(const Session *s, const char *real)
{
    if (!s->srv->conf->writable || s->anon)
        return false;
    char parent[VFS_PATH_MAX];
    if (vfs_path_norm(real, "..", parent, sizeof parent, NULL) != VFS_OK)
        return false;
    VfsStat st;
    if (vfs_stat(ftp_server_files(s), s->srv->node, parent, &st) != VFS_OK || !st.dir)
        return false;
    return strcmp(st.owner, s->acct->name) == 0;
}

/* ---- the session, shared with the data connection's half (ftp_data.c) ---------- */

static void run_line(Session *s, const char *line, size_t len);
static void idle_timeout(Sim *sim, void *ctx, uint64_t arg);
static void session_free(Session *s);

void ftp_server_cancel(Session *s, EvHandle *h)
{
    if (*h)
        sim_cancel(s->srv->sim, *h);
    *h = 0;
}

/* Every callback into a session runs between enter and leave: a session
 * that ends inside one (QUIT read from the queue, the third wrong
 * password) is freed only when the outermost callback leaves. */
void ftp_server_enter(Session *s)
{
    s->busy++;
}

void ftp_server_leave(Session *s)
{
    if (--s->busy == 0 && s->dead)
        session_free(s);
}

void ftp_server_touch(Session *s)
{
    ftp_server_cancel(s, &s->idle);
    s->idle = sim_after_background(s->srv->sim, IDLE_TIMEOUT, idle_timeout, s, 0);
}

/* Runs the commands that arrived during a transfer or a failed login's pause, in order, until
 * one of them starts another transfer or pause (run_line would queue the rest again). */
void ftp_server_run_queued(Session *s)
{
    while (s->n_queued && s->xfer == X_NONE && !s->delay && s->ctl && !s->quitting && !s->dead) {
        char *line = s->queued[0];
        memmove(s->queued, s->queued + 1, (s->n_queued - 1) * sizeof *s->queued);
        s->n_queued--;
        run_line(s, line, strlen(line));
        free(line);
    }
}

/* ---- listings ---------------------------------------------------------------------- */

static int cmp_dirent(const void *a, const void *b)
{
    return strcmp(((const VfsDirent *)a)->name, ((const VfsDirent *)b)->name);
}

static unsigned subdirs(const Session *s, const char *path)
{
    VfsDirent *ents = NULL;
    size_t n = 0;
    unsigned k = 0;
    if (vfs_list(ftp_server_files(s), s->srv->node, path, &ents, &n) == VFS_OK)
        for (size_t i = 0; i < n; i++)
            k += ents[i].st.dir;
    free(ents);
    return k;
}

static void list_entry(Session *s, Buf *out, const char *real, const char *name, const VfsStat *st,
                       bool names_only)
{
    if (names_only) {
        buf_printf(out, "%s\r\n", name);
        return;
    }
    FtpServer *srv = s->srv;
    unsigned uid = ftp_conf_uid(srv->conf, st->owner);
    int64_t now_s = (srv->sim->world->start_us + srv->sim->now) / SEC;
    char line[VFS_PATH_MAX + 128];
    ftp_list_line(line, sizeof line, st->dir, st->mode, st->dir ? 2 + subdirs(s, real) : 1, uid,
                  uid, st->dir ? 4096 : st->size, st->mtime_us / SEC, now_s, name);
    buf_printf(out, "%s\r\n", line);
}

/* What LIST, NLST and STAT list for arg (options such as "-la" skipped,
 * as vsftpd skips them; "a" shows names that start with a dot, and "."
 * and ".."): a file's own line, a folder's entries, nothing for a path
 * that does not exist. */
static void build_listing(Session *s, const char *arg, bool names_only, bool all, Buf *out)
{
    while (arg[0] == '-') {
        const char *e = strchr(arg, ' ');
        all = all || memchr(arg, 'a', e ? (size_t)(e - arg) : strlen(arg));
        arg = e ? e + 1 : arg + strlen(arg);
    }
    char vis[VFS_PATH_MAX], real[VFS_PATH_MAX], expanded[VFS_PATH_MAX];
    if (!expand_tilde(s, arg, expanded)) /* before the pattern is split off, as vsftpd */
        return;
    arg = expanded;
    VfsStat st;
    FtpServer *srv = s->srv;
    const char *slash = strrchr(arg, '/');
    const char *last = slash ? slash + 1 : arg;
    if (strpbrk(last, "*?[")) {
        /* a pattern in the last name, as vsftpd matches it itself: the
         * folder's entries that match, NLST's with the folder before them */
        char dir[VFS_PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - arg + 1) : 0, arg);
        if (!resolve(s, dir[0] ? dir : ".", vis, real))
            return;
        VfsDirent *ents = NULL;
        size_t n = 0;
        vfs_list(ftp_server_files(s), srv->node, real, &ents, &n);
        if (n)
            qsort(ents, n, sizeof *ents, cmp_dirent);
        for (size_t i = 0; i < n; i++) {
            if (fnmatch(last, ents[i].name, FNM_PERIOD) != 0)
                continue;
            char sub[2 * VFS_PATH_MAX], shown[2 * VFS_PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", strcmp(real, "/") ? real : "", ents[i].name);
            snprintf(shown, sizeof shown, "%s%s", names_only ? dir : "", ents[i].name);
            list_entry(s, out, sub, shown, &ents[i].st, names_only);
        }
        free(ents);
        return;
    }
    if (!resolve(s, arg[0] ? arg : ".", vis, real) ||
        vfs_stat(ftp_server_files(s), srv->node, real, &st) != VFS_OK)
        return;
    if (!st.dir) {
        list_entry(s, out, real, arg, &st, names_only);
        return;
    }
    VfsDirent *ents = NULL;
    size_t n = 0;
    vfs_list(ftp_server_files(s), srv->node, real, &ents, &n);
    if (n)
        qsort(ents, n, sizeof *ents, cmp_dirent);
    if (all && !names_only) {
        char parent[VFS_PATH_MAX];
        VfsStat ps;
        list_entry(s, out, real, ".", &st, false);
        if (vfs_path_norm(real, "..", parent, sizeof parent, NULL) == VFS_OK &&
            vfs_stat(ftp_server_files(s), srv->node, parent, &ps) == VFS_OK)
            list_entry(s, out, parent, "..", &ps, false);
    }
    for (size_t i = 0; i < n; i++) {
        if (ents[i].name[0] == '.' && !all)
            continue;
        char sub[2 * VFS_PATH_MAX];
        snprintf(sub, sizeof sub, "%s/%s", strcmp(real, "/") ? real : "", ents[i].name);
        if (names_only && arg[0]) { /* NLST DIR: each name with DIR before it */
            char shown[2 * VFS_PATH_MAX];
            snprintf(shown, sizeof shown, "%s/%s", arg, ents[i].name);
            list_entry(s, out, sub, shown, &ents[i].st, true);
        } else {
            list_entry(s, out, sub, ents[i].name, &ents[i].st, names_only);
        }
    }
    free(ents);
}

/* A transfer needs a PORT, EPRT, PASV or EPSV before it: false (and 425)
 * without one. */
static bool have_data_mode(Session *s)
{
    if (s->mode != DM_NONE)
        return true;
    ftp_server_reply(s, NULL, "425 Use PORT or PASV first.");
    return false;
}

/* LIST and NLST: the listing is made now, sent once the data connection
 * is up. */
static void cmd_list(Session *s, const FtpCommand *c, bool names_only)
{
    if (!have_data_mode(s))
        return;
    buf_clear(&s->listing);
    s->list_off = 0;
    build_listing(s, c->arg, names_only, false, &s->listing);
    snprintf(s->xname, sizeof s->xname, "%.*s", (int)c->arg_len, c->arg);
    ftp_data_open(s, names_only ? X_NLST : X_LIST);
}

/* The plain file path names: where the server holds it into real, and
 * its stat.  False when there is none (or it is a folder). */
static bool stat_file(const Session *s, const char *path, char *real, VfsStat *st)
{
    char vis[VFS_PATH_MAX];
    return resolve_path(s, path, vis, real) &&
           vfs_stat(ftp_server_files(s), s->srv->node, real, st) == VFS_OK && !st->dir;
}

/* SIZE and MDTM: a plain file's size, or its time as YYYYMMDDhhmmss (UTC). */
static void cmd_size_mdtm(Session *s, const FtpCommand *c, bool mdtm)
{
    /* vsftpd 3.0.3's MDTM reads the file before it expands ~: "MDTM ~/x"
     * looks for a folder named ~ (and fails) */
    char real[VFS_PATH_MAX], path[VFS_PATH_MAX];
    VfsStat st;
    bool found = mdtm ? stat_file(s, c->arg, real, &st)
                      : expand_tilde(s, c->arg, path) && stat_file(s, path, real, &st);
    if (!found) {
        ftp_server_reply(s, NULL,
                         mdtm ? "550 Could not get file modification time."
                              : "550 Could not get file size.");
        return;
    }
    if (!mdtm) {
        ftp_server_reply(s, NULL, "213 %llu", (unsigned long long)st.size);
        return;
    }
    time_t t = (time_t)(st.mtime_us / SEC);
    struct tm tm;
    gmtime_r(&t, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm);
    ftp_server_reply(s, NULL, "213 %s", when);
}

static void cmd_retr(Session *s, const FtpCommand *c)
{
    if (!have_data_mode(s))
        return;
    VfsStat st;
    char path[VFS_PATH_MAX]; /* 150 names it with ~ expanded, as vsftpd */
    if (!expand_tilde(s, c->arg, path) || !stat_file(s, path, s->xpath, &st)) {
        ftp_server_reply(s, NULL, "550 Failed to open file.");
        return;
    }
    snprintf(s->xname, sizeof s->xname, "%s", path);
    s->size = st.size;
    s->off = s->rest < st.size ? s->rest : st.size;
    ftp_data_open(s, X_RETR);
}

static void cmd_stor(Session *s, const FtpCommand *c, Xfer x)
{
    FtpServer *srv = s->srv;
    if (!srv->conf->writable || s->anon) {
        ftp_server_reply(s, NULL, "550 Permission denied.");
        return;
    }
    if (!have_data_mode(s))
        return;
    char vis[VFS_PATH_MAX];
    const char *arg = c->arg;
    if (x == X_STOU && !arg[0])
        arg = "STOU";
    if (!resolve(s, arg, vis, s->xpath) || !may_write_in(s, s->xpath)) {
        ftp_server_reply(s, NULL, "553 Could not create file.");
        return;
    }
    VfsStat st;
    bool exists = vfs_stat(ftp_server_files(s), srv->node, s->xpath, &st) == VFS_OK;
    if (exists && st.dir) {
        ftp_server_reply(s, NULL, "553 Could not create file.");
        return;
    }
    snprintf(s->xname, sizeof s->xname, "%s", arg);
    /* STOU: wu-ftpd's names, as vsftpd makes them: NAME.1, NAME.2, … when
     * NAME exists, and STOU.1, … without an argument */
    if (x == X_STOU && (exists || !c->arg[0])) {
        char base[VFS_PATH_MAX];
        snprintf(base, sizeof base, "%s", s->xpath);
        exists = true;
        for (unsigned k = 1; exists; k++) {
            snprintf(s->xpath, sizeof s->xpath, "%.*s.%u", VFS_PATH_MAX - 12, base, k);
            snprintf(s->xname, sizeof s->xname, "%.*s.%u", VFS_PATH_MAX - 12, arg, k);
            exists = vfs_stat(ftp_server_files(s), srv->node, s->xpath, &st) == VFS_OK;
        }
    }
    VfsErr e = VFS_OK;
    if (x == X_APPE && exists) {
        /* appended to as it is */
    } else if (x == X_STOR && s->rest && exists) {
        /* REST then STOR: keep the first rest bytes */
        uint64_t keep = s->rest < st.size ? s->rest : st.size;
        Buf head;
        buf_init(&head);
        buf_reserve(&head, (size_t)keep);
        size_t got = 0;
        vfs_read(ftp_server_files(s), srv->node, s->xpath, 0, head.data, (size_t)keep, &got);
        e = vfs_write_file(ftp_server_files(s), srv->node, s->xpath, head.data, got, s->acct->name);
        buf_fini(&head);
    } else {
        e = vfs_create(ftp_server_files(s), srv->node, s->xpath, s->acct->name);
    }
    if (e == VFS_OK && !exists)
        vfs_chmod(ftp_server_files(s), srv->node, s->xpath, 0600); /* local_umask=077 */
    if (e != VFS_OK) {
        ftp_server_reply(s, NULL, "553 Could not create file.");
        return;
    }
    ftp_data_open(s, x);
}

static void cmd_cwd(Session *s, const char *arg)
{
    char vis[VFS_PATH_MAX], real[VFS_PATH_MAX];
    VfsStat st;
    if (!resolve(s, arg, vis, real) ||
        vfs_stat(ftp_server_files(s), s->srv->node, real, &st) != VFS_OK || !st.dir) {
        ftp_server_reply(s, NULL, "550 Failed to change directory.");
        return;
    }
    strcpy(s->cwd, vis);
    char cap[VFS_PATH_MAX + 100];
    snprintf(cap, sizeof cap,
             "%s changes this session's working directory to %s (only this client's)",
             ftp_server_node_name(s->srv), vis);
    ftp_server_reply(s, cap, "250 Directory successfully changed.");
    ftp_server_record(s);
}

static void cmd_stat(Session *s, const FtpCommand *c)
{
    if (c->arg[0]) { /* a listing over the control connection, as ls -la */
        ftp_server_reply(s, NULL, "213-Status follows:");
        Buf list;
        buf_init(&list);
        build_listing(s, c->arg, false, true, &list);
        if (list.len && s->ctl)
            textconn_send_raw(s->ctl, list.data, list.len, NULL);
        buf_fini(&list);
        ftp_server_reply(s, NULL, "213 End of status");
        return;
    }
    Buf b;
    buf_init(&b);
    buf_printf(&b,
               "211-FTP server status:\r\n"
               "     Connected to %s\r\n"
               "     Logged in as %s\r\n"
               "     TYPE: %s\r\n"
               "     No session bandwidth limit\r\n"
               "     Session timeout in seconds is 300\r\n"
               "     Control connection is plain text\r\n"
               "     Data connections will be plain text\r\n"
               "     At session startup, client count was %u\r\n"
               "     vsFTPd 3.0.3 - secure, fast, stable\r\n"
               "211 End of status\r\n",
               s->peer, s->anon ? "ftp" : s->acct->name, s->ascii ? "ASCII" : "BINARY",
               s->clients_at_start);
    char cap[512];
    snprintf(cap, sizeof cap, "%s reports this session's status", ftp_server_node_name(s->srv));
    if (s->ctl)
        textconn_send_raw(s->ctl, b.data, b.len, cap);
    buf_fini(&b);
}

static void send_lines(Session *s, const char *text, const char *caption)
{
    if (!s->ctl)
        return;
    textconn_send_raw(s->ctl, text, strlen(text), caption);
}

/* REST's offset as vsftpd reads it: digits only, at most 15 of them (a
 * petabyte), else 0 (`REST 12abc` and `REST -5` restart at 0). */
static unsigned long long rest_offset(const char *arg)
{
    size_t n = strlen(arg);
    unsigned long long v = 0;
    if (n > 15)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (arg[i] < '0' || arg[i] > '9')
            return 0;
        v = v * 10 + (unsigned long long)(arg[i] - '0');
    }
    return v;
}

static const char FEAT[] = "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n"
                           " SIZE\r\n TVFS\r\n211 End\r\n";

static const char HELP[] =
    "214-The following commands are recognized.\r\n"
    " ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n"
    " MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n"
    " RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n"
    " XPWD XRMD\r\n"
    "214 Help OK.\r\n";

static void end_session(Session *s);

/* The server closes the control connection (QUIT, the third wrong password,
 * the idle timeout): the session ends, and lines still arriving are
 * ignored. */
static void hang_up(Session *s)
{
    s->quitting = true;
    if (s->ctl)
        textconn_close(s->ctl);
    s->ctl = NULL;
    end_session(s);
}

/* OPTS, the same before and after login. */
static void cmd_opts(Session *s, const FtpCommand *c)
{
    if (c->arg_len == 7 && strncasecmp(c->arg, "UTF8 ON", 7) == 0)
        ftp_server_reply(s, NULL, "200 Always in UTF8 mode.");
    else
        ftp_server_reply(s, NULL, "501 Option not understood.");
}

static void quit(Session *s)
{
    char cap[512];
    snprintf(cap, sizeof cap, "%.100s says goodbye and closes the control connection",
             ftp_server_node_name(s->srv));
    ftp_server_reply(s, cap, "221 Goodbye.");
    hang_up(s);
}

static void login_failed_in(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Session *s = ctx;
    s->delay = 0;
    char cap[512];
    snprintf(cap, sizeof cap, "%s refuses the login (a wrong name or password), 1 s later",
             ftp_server_node_name(s->srv));
    ftp_server_reply(s, cap, "530 Login incorrect.");
    if (++s->fails >= MAX_LOGIN_FAILS) {
        hang_up(s);
        return;
    }
    ftp_server_touch(s);
    ftp_server_run_queued(s);
}

static void login_failed(Sim *sim, void *ctx, uint64_t arg)
{
    Session *s = ctx;
    ftp_server_enter(s);
    login_failed_in(sim, ctx, arg);
    ftp_server_leave(s);
}

static void cmd_pass(Session *s, const FtpCommand *c)
{
    FtpServer *srv = s->srv;
    const FtpNodeConf *conf = srv->conf;
    bool anon =
        conf->anonymous && (strcmp(s->user, "anonymous") == 0 || strcmp(s->user, "ftp") == 0);
    const FtpUser *u = anon ? NULL : ftp_conf_user(conf, s->user);
    if (!anon &&
        (!u || strlen(u->password) != c->arg_len || memcmp(u->password, c->arg, c->arg_len) != 0)) {
        free(s->user);
        s->user = NULL;
        s->delay = sim_after(srv->sim, LOGIN_FAIL_DELAY, login_failed, s, 0);
        return;
    }
    s->logged_in = true;
    s->anon = anon;
    s->acct = u;
    s->root = anon ? "/srv/ftp" : "";
    snprintf(s->cwd, sizeof s->cwd, "%s", anon ? "/" : u->home);
    char cap[VFS_PATH_MAX + 160];
    snprintf(cap, sizeof cap, "%s logs %s in: this session now works in %s",
             ftp_server_node_name(srv), anon ? "an anonymous user" : u->name,
             anon ? "/srv/ftp" : u->home);
    ftp_server_reply(s, cap, "230 Login successful.");
    ftp_server_record(s);
}

/* Commands before login: vsftpd's prelogin.c. */
static void prelogin(Session *s, const FtpCommand *c)
{
    const char *v = c->verb;
    if (strcmp(v, "USER") == 0) {
        free(s->user);
        s->user = xstrndup(c->arg, c->arg_len);
        char cap[512];
        snprintf(cap, sizeof cap, "%.100s asks for the password of %.60s",
                 ftp_server_node_name(s->srv), s->user);
        ftp_server_reply(s, cap, "331 Please specify the password.");
    } else if (strcmp(v, "PASS") == 0) {
        if (!s->user)
            ftp_server_reply(s, NULL, "503 Login with USER first.");
        else
            cmd_pass(s, c);
    } else if (strcmp(v, "QUIT") == 0) {
        quit(s);
    } else if (strcmp(v, "FEAT") == 0) {
        send_lines(s, FEAT, NULL);
    } else if (strcmp(v, "OPTS") == 0) {
        cmd_opts(s, c);
    } else if (!v[0] && !c->has_arg) {
        /* an empty line is ignored, as vsftpd does */
    } else {
        ftp_server_reply(s, NULL, "530 Please login with USER and PASS.");
    }
}

static bool is(const char *verb, const char *a, const char *b)
{
    return strcmp(verb, a) == 0 || (b && strcmp(verb, b) == 0);
}

static void cmd_simple_write(Session *s, const FtpCommand *c)
{
    const char *v = c->verb;
    FtpServer *srv = s->srv;
    char vis[VFS_PATH_MAX], real[VFS_PATH_MAX];
    bool ok = resolve(s, c->arg, vis, real);
    if (!srv->conf->writable || s->anon) {
        ftp_server_reply(s, NULL, "550 Permission denied.");
        return;
    }
    if (is(v, "MKD", "XMKD")) {
        if (ok && may_write_in(s, real) &&
            vfs_mkdir(ftp_server_files(s), srv->node, real, s->acct->name) == VFS_OK) {
            vfs_chmod(ftp_server_files(s), srv->node, real, 0700); /* local_umask=077 */
            ftp_server_reply(s, NULL, "257 \"%s\" created", vis);
        } else {
            ftp_server_reply(s, NULL, "550 Create directory operation failed.");
        }
    } else if (is(v, "RMD", "XRMD")) {
        VfsStat st;
        if (ok && may_write_in(s, real) &&
            vfs_stat(ftp_server_files(s), srv->node, real, &st) == VFS_OK && st.dir &&
            vfs_remove(ftp_server_files(s), srv->node, real) == VFS_OK)
            ftp_server_reply(s, NULL, "250 Remove directory operation successful.");
        else
            ftp_server_reply(s, NULL, "550 Remove directory operation failed.");
    } else if (is(v, "DELE", NULL)) {
        VfsStat st;
        if (ok && may_write_in(s, real) &&
            vfs_stat(ftp_server_files(s), srv->node, real, &st) == VFS_OK && !st.dir &&
            vfs_remove(ftp_server_files(s), srv->node, real) == VFS_OK)
            ftp_server_reply(s, NULL, "250 Delete operation successful.");
        else
            ftp_server_reply(s, NULL, "550 Delete operation failed.");
    } else if (is(v, "RNFR", NULL)) {
        VfsStat st;
        free(s->rnfr);
        s->rnfr = NULL;
        if (ok && vfs_stat(ftp_server_files(s), srv->node, real, &st) == VFS_OK) {
            s->rnfr = xstrdup(real);
            ftp_server_reply(s, NULL, "350 Ready for RNTO.");
        } else {
            ftp_server_reply(s, NULL, "550 RNFR command failed.");
        }
    } else { /* RNTO */
        if (!s->rnfr) {
            ftp_server_reply(s, NULL, "503 RNFR required first.");
            return;
        }
        char *from = s->rnfr;
        s->rnfr = NULL;
        if (ok && may_write_in(s, real) && may_write_in(s, from) &&
            vfs_rename(ftp_server_files(s), srv->node, from, real) == VFS_OK)
            ftp_server_reply(s, NULL, "250 Rename successful.");
        else
            ftp_server_reply(s, NULL, "550 Rename failed.");
        free(from);
    }
}

/* Commands after login: vsftpd's postlogin.c. */
static void postlogin(Session *s, const FtpCommand *c)
{
    const char *v = c->verb;
    if (!is(v, "RNTO", NULL) && s->rnfr && !is(v, "RNFR", NULL)) {
        free(s->rnfr); /* RNTO must follow RNFR at once */
        s->rnfr = NULL;
    }
    if (is(v, "QUIT", NULL)) {
        quit(s);
    } else if (is(v, "PWD", "XPWD")) {
        ftp_server_reply(s, NULL, "257 \"%s\" is the current directory", s->cwd);
    } else if (is(v, "CWD", "XCWD")) {
        cmd_cwd(s, c->arg);
    } else if (is(v, "CDUP", "XCUP")) {
        cmd_cwd(s, "..");
    } else if (is(v, "SYST", NULL)) {
        ftp_server_reply(s, NULL, "215 UNIX Type: L8");
    } else if (is(v, "FEAT", NULL)) {
        send_lines(s, FEAT, NULL);
    } else if (is(v, "HELP", NULL)) {
        send_lines(s, HELP, NULL);
    } else if (is(v, "NOOP", NULL)) {
        ftp_server_reply(s, NULL, "200 NOOP ok.");
    } else if (is(v, "TYPE", NULL)) {
        char t[8] = {0};
        snprintf(t, sizeof t, "%.*s", (int)(c->arg_len < 7 ? c->arg_len : 7), c->arg);
        for (char *q = t; *q; q++)
            *q = (char)toupper((unsigned char)*q);
        if (strcmp(t, "A") == 0 || strcmp(t, "A N") == 0) {
            s->ascii = true;
            ftp_server_reply(s, NULL, "200 Switching to ASCII mode.");
        } else if (strcmp(t, "I") == 0 || strcmp(t, "L 8") == 0) {
            s->ascii = false;
            ftp_server_reply(s, NULL, "200 Switching to Binary mode.");
        } else {
            ftp_server_reply(s, NULL, "500 Unrecognised TYPE command.");
        }
        ftp_server_record(s);
    } else if (is(v, "MODE", NULL)) {
        if (c->arg_len == 1 && toupper((unsigned char)c->arg[0]) == 'S')
            ftp_server_reply(s, NULL, "200 Mode set to S.");
        else
            ftp_server_reply(s, NULL, "504 Bad MODE command.");
    } else if (is(v, "STRU", NULL)) {
        if (c->arg_len == 1 && toupper((unsigned char)c->arg[0]) == 'F')
            ftp_server_reply(s, NULL, "200 Structure set to F.");
        else
            ftp_server_reply(s, NULL, "504 Bad STRU command.");
    } else if ((is(v, "PASV", NULL) || is(v, "PORT", NULL)) && s->epsv_all) {
        ftp_server_reply(s, NULL, "550 Permission denied.");
    } else if (is(v, "PASV", NULL)) {
        ftp_data_pasv(s, false);
    } else if (is(v, "EPSV", NULL)) {
        if (c->arg_len == 3 && strncasecmp(c->arg, "ALL", 3) == 0) {
            s->epsv_all = true;
            ftp_server_reply(s, NULL, "200 EPSV ALL ok.");
        } else if (c->arg[0] && !(c->arg_len == 1 && c->arg[0] == '1'))
            ftp_server_reply(s, NULL, "522 Bad network protocol.");
        else
            ftp_data_pasv(s, true);
    } else if (is(v, "PORT", NULL)) {
        ftp_data_port(s, c, false);
    } else if (is(v, "EPRT", NULL)) {
        ftp_data_port(s, c, true);
    } else if (is(v, "LIST", NULL)) {
        cmd_list(s, c, false);
    } else if (is(v, "NLST", NULL)) {
        cmd_list(s, c, true);
    } else if (is(v, "RETR", NULL)) {
        cmd_retr(s, c);
    } else if (is(v, "STOR", NULL)) {
        cmd_stor(s, c, X_STOR);
    } else if (is(v, "APPE", NULL)) {
        cmd_stor(s, c, X_APPE);
    } else if (is(v, "STOU", NULL)) {
        cmd_stor(s, c, X_STOU);
    } else if (is(v, "REST", NULL)) {
        unsigned long long off = rest_offset(c->arg);
        s->rest = off;
        ftp_server_reply(s, NULL, "350 Restart position accepted (%llu).", off);
    } else if (is(v, "SIZE", NULL)) {
        cmd_size_mdtm(s, c, false);
    } else if (is(v, "MDTM", NULL)) {
        cmd_size_mdtm(s, c, true);
    } else if (is(v, "MKD", "XMKD") || is(v, "RMD", "XRMD") || is(v, "DELE", NULL) ||
               is(v, "RNFR", NULL) || is(v, "RNTO", NULL)) {
        cmd_simple_write(s, c);
    } else if (is(v, "ABOR", NULL)) {
        ftp_server_reply(s, NULL, "225 No transfer to ABOR.");
    } else if (is(v, "STAT", NULL)) {
        cmd_stat(s, c);
    } else if (is(v, "USER", NULL)) {
        ftp_server_reply(s, NULL,
                         s->anon ? "530 Can't change from guest user."
                                 : "530 Can't change to another user.");
    } else if (is(v, "PASS", NULL)) {
        ftp_server_reply(s, NULL, "230 Already logged in.");
    } else if (is(v, "ALLO", NULL)) {
        ftp_server_reply(s, NULL, "202 ALLO command ignored.");
    } else if (is(v, "REIN", NULL) || is(v, "ACCT", NULL) || is(v, "SMNT", NULL)) {
        ftp_server_reply(s, NULL, "502 %s not implemented.", v);
    } else if (is(v, "OPTS", NULL)) {
        cmd_opts(s, c);
    } else if (is(v, "SITE", NULL)) {
        ftp_server_reply(s, NULL, "500 Unknown SITE command.");
    } else {
        ftp_server_reply(s, NULL, "500 Unknown command.");
    }
}

static void run_line(Session *s, const char *line, size_t len)
{
    FtpCommand c;
    ftp_parse_command(line, len, &c);
    /* vsftpd with Debian's configuration (async_abor_enable=NO) reads no
     * command while a transfer runs, ABOR included: it waits its turn and,
     * the transfer over (226, or 426 if the client closed the data
     * connection), gets 225 No transfer to ABOR. */
    if (s->xfer != X_NONE || s->delay) {
        s->queued = xrealloc(s->queued, (s->n_queued + 1) * sizeof *s->queued);
        s->queued[s->n_queued++] = xstrndup(line, len);
        return;
    }
    ftp_server_touch(s);
    if (s->logged_in)
        postlogin(s, &c);
    else
        prelogin(s, &c);
}

/* ---- the control connection --------------------------------------------------------- */

static void on_line_in(void *ctx, TextConn *t, const char *line, size_t len)
{
    (void)t;
    Session *s = ctx;
    if (s->quitting)
        return;
    run_line(s, line, len);
}

static void on_line(void *ctx, TextConn *t, const char *line, size_t len)
{
    Session *s = ctx;
    ftp_server_enter(s);
    on_line_in(ctx, t, line, len);
    ftp_server_leave(s);
}

static void session_free(Session *s)
{
    FtpServer *srv = s->srv;
    srv->clients--;
    ftp_data_reset(s);
    ftp_server_cancel(s, &s->idle);
    ftp_server_cancel(s, &s->delay);
    if (s->prev)
        s->prev->next = s->next;
    else
        srv->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    for (size_t i = 0; i < s->n_queued; i++)
        free(s->queued[i]);
    free(s->queued);
    free(s->user);
    free(s->rnfr);
    buf_fini(&s->listing);
    free(s);
}

/* The session is over: its record goes, and its state. */
static void end_session(Session *s)
{
    FtpServer *srv = s->srv;
    if (s->dead)
        return;
    trace_state(&srv->sim->trace, srv->sim->now, srv->node, "ftp", "del", s->key, NULL, -1);
    if (s->busy) { /* inside a callback: stop everything now, free on leave */
        s->dead = true;
        ftp_data_reset(s);
        ftp_server_cancel(s, &s->idle);
        ftp_server_cancel(s, &s->delay);
        return;
    }
    session_free(s);
}

static void on_closed_in(void *ctx, TextConn *t)
{
    Session *s = ctx;
    s->ctl = NULL;
    textconn_close(t);
    end_session(s);
}

static void on_closed(void *ctx, TextConn *t)
{
    Session *s = ctx;
    ftp_server_enter(s);
    on_closed_in(ctx, t);
    ftp_server_leave(s);
}

static void on_ended_in(void *ctx, TextConn *t, TcpWhy why)
{
    (void)t;
    (void)why;
    Session *s = ctx;
    s->ctl = NULL;
    end_session(s);
}

static void on_ended(void *ctx, TextConn *t, TcpWhy why)
{
    Session *s = ctx;
    ftp_server_enter(s);
    on_ended_in(ctx, t, why);
    ftp_server_leave(s);
}

static const TextConnOps ctl_ops = {
    .line = on_line,
    .closed = on_closed,
    .ended = on_ended,
};

static void idle_timeout_in(Sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    Session *s = ctx;
    s->idle = 0;
    if (s->xfer != X_NONE) {
        ftp_server_touch(s);
        return;
    }
    ftp_server_reply(s, NULL, "421 Timeout.");
    hang_up(s);
}

static void idle_timeout(Sim *sim, void *ctx, uint64_t arg)
{
    Session *s = ctx;
    ftp_server_enter(s);
    idle_timeout_in(sim, ctx, arg);
    ftp_server_leave(s);
}

static void on_accept(void *ctx, TcpConn *listener, TcpConn *c)
{
    (void)listener;
    FtpServer *srv = ctx;
    Session *s = xcalloc(1, sizeof *s);
    s->srv = srv;
    s->root = "";
    strcpy(s->cwd, "/");
    buf_init(&s->listing);
    TcpInfo in;
    tcp_info(c, &in);
    s->peer_ip = in.remote_ip;
    s->local_ip = in.local_ip;
    ip_format(in.remote_ip, s->peer);
    snprintf(s->key, sizeof s->key, "%s:%u", s->peer, in.remote_port);
    s->next = srv->sessions;
    if (srv->sessions)
        srv->sessions->prev = s;
    srv->sessions = s;
    srv->clients++;
    s->clients_at_start = srv->clients;
    s->ctl = textconn_new(c, &ctl_ops, s);
    char cap[512];
    snprintf(cap, sizeof cap,
             "%.100s greets the new client on the control connection (port 21): a session of its "
             "own begins",
             ftp_server_node_name(srv));
    ftp_server_reply(s, cap, "220 (vsFTPd 3.0.3)");
    ftp_server_record(s);
    ftp_server_touch(s);
}

static const TcpOps listen_ops = {.accepted = on_accept};

static void server_free(FtpServer *srv)
{
    /* the run is over: TCP frees the connections (tcp_free_all) */
    while (srv->sessions) {
        Session *s = srv->sessions;
        if (s->ctl)
            textconn_free(s->ctl);
        s->ctl = NULL;
        s->data = s->listener = NULL;
        s->idle = s->delay = s->data_timer = 0;
        session_free(s);
    }
    free(srv);
}

void ftp_servers_start(Sim *sim)
{
    World *w = sim->world;
    FtpServerSet *set = xcalloc(1, sizeof *set);
    set->servers = xcalloc(w->n_nodes ? w->n_nodes : 1, sizeof *set->servers);
    for (size_t i = 0; i < w->n_nodes; i++) {
        if (!roles_runs(w, (int)i, SVC_FTP_SERVER))
            continue;
        FtpServer *srv = xcalloc(1, sizeof *srv);
        srv->sim = sim;
        srv->node = (int)i;
        srv->conf = ftp_conf_node(w, (int)i);
        sim_rng_stream(sim, &srv->rng, "ftp-pasv");
        srv->listener = tcp_listen(sim, (int)i, FTP_PORT, 32, &listen_ops, srv);
        set->servers[set->n++] = srv;
    }
    sim->svc[SVC_FTP_SERVER] = set;
}

void ftp_servers_stop(Sim *sim)
{
    FtpServerSet *set = sim->svc[SVC_FTP_SERVER];
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        server_free(set->servers[i]);
    free(set->servers);
    free(set);
    sim->svc[SVC_FTP_SERVER] = NULL;
}
