/* ls — GNU coreutils 9.1's ls over the node's files: the names of a
 * folder (the working folder without operands), in byte order as in the
 * C.UTF-8 locale, in columns as ls fills an 80-column terminal (tabs
 * every 8 columns), or one per line when its output is not the terminal
 * (a pipe, a file) or with -1.  -a (with . and ..), -A, -l (the long
 * format: mode, links, owner, group, size, date, name, after "total" in
 * 1 KiB blocks of a disk of 4 KiB blocks), -h (sizes as 4.0K), -F (a /
 * after folders, * after programs), -d, -r, -t (newest first), -S
 * (biggest first).  Operands: files first, then each folder under
 * "NAME:"; a missing one is said in ls's words (exit status 2).  On the
 * terminal, names that a shell would misread are quoted as ls quotes them
 * (its shell-escape style: 'my notes.txt', "it's", 'tab'$'\t''x'), and in
 * columns and the long format the other names of such a listing get a
 * blank before them, to stay aligned; through a pipe or into a file names
 * are printed as they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/apps.h"
#include "apps/filter.h"
#include "core/util.h"
#include "net/world.h"
#include "proto/vfs.h"

#define LINE_LENGTH 80 /* the terminal's columns */
#define TAB_SIZE    8
#define MIN_COLUMN  3 /* a name and two blanks at least */
#define HALF_YEAR_S (31556952LL / 2)

typedef struct Ls {
    bool all, almost_all, longf, human, classify, dir_itself, reverse, one;
    bool quote; /* on the terminal: names quoted */
    bool pad;   /* this listing has a quoted name: a blank before the others */
    char sort;  /* 0: by name, 't': time, 'S': size */
} Ls;

typedef struct Entry {
    char *name; /* as printed */
    VfsStat st;
    unsigned nlink;
    const char *owner;
} Entry;

/* The size ls shows and sorts by: a folder takes one 4 KiB block. */
static uint64_t size_of(const Entry *e)
{
    return e->st.dir ? 4096 : e->st.size;
}

static int cmp_entry(const Ls *o, const Entry *a, const Entry *b)
{
    int c = 0;
    if (o->sort == 't')
        c = (a->st.mtime_us < b->st.mtime_us) - (a->st.mtime_us > b->st.mtime_us);
    else if (o->sort == 'S')
        c = (size_of(a) < size_of(b)) - (size_of(a) > size_of(b));
    if (!c)
        c = strcmp(a->name, b->name);
    return o->reverse ? -c : c;
}

static const Ls *sort_opts; /* for qsort's comparison */

static int by_order(const void *a, const void *b)
{
    return cmp_entry(sort_opts, a, b);
}

static void sort_entries(const Ls *o, Entry *e, size_t n)
{
    sort_opts = o;
    if (n > 1)
        qsort(e, n, sizeof *e, by_order);
}

static char indicator(const Ls *o, const Entry *e)
{
    if (!o->classify)
        return 0;
    if (e->st.dir)
        return '/';
    return e->st.mode & 0111 ? '*' : 0;
}

/* name as ls shows it on the terminal (quote: its quoting; pad: a blank
 * before an unquoted name in a listing that quotes another). */
static void put_quoted(Buf *b, const Ls *o, const char *name, bool pad)
{
    if (!o->quote) {
        buf_puts(b, name);
        return;
    }
    if (pad && !filt_needs_quotes(name, o->classify))
        buf_putc(b, ' ');
    filt_quote(b, name, false, o->classify);
}

/* Columns a text takes: its characters (UTF-8's continuation bytes take
 * none). */
static size_t text_width(const char *t, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        w += ((unsigned char)t[i] & 0xc0) != 0x80;
    return w;
}

static void put_name(Buf *b, const Ls *o, const Entry *e)
{
    put_quoted(b, o, e->name, o->pad);
    char ind = indicator(o, e);
    if (ind)
        buf_putc(b, ind);
}

static size_t shown_len(const Ls *o, const Entry *e)
{
    Buf b;
    buf_init(&b);
    put_name(&b, o, e);
    size_t w = text_width(b.data, b.len);
    buf_fini(&b);
    return w;
}

/* Blanks from column from to column to, with tabs where they fit. */
static void indent(Buf *b, size_t from, size_t to)
{
    while (from < to) {
        if (to / TAB_SIZE > (from + 1) / TAB_SIZE) {
            buf_putc(b, '\t');
            from += TAB_SIZE - from % TAB_SIZE;
        } else {
            buf_putc(b, ' ');
            from++;
        }
    }
}

/* The names in columns, filled downwards, as many columns as fit. */
static void print_columns(Buf *b, const Ls *o, const Entry *e, size_t n)
{
    if (!n)
        return;
    size_t max_cols = LINE_LENGTH / MIN_COLUMN < n ? LINE_LENGTH / MIN_COLUMN : n;
    size_t *width = xcalloc(max_cols * max_cols, sizeof *width); /* [cols-1][col] */
    size_t *line = xcalloc(max_cols, sizeof *line);
    bool *valid = xcalloc(max_cols, sizeof *valid);
    for (size_t i = 0; i < max_cols; i++) {
        valid[i] = true;
        line[i] = (i + 1) * MIN_COLUMN;
        for (size_t k = 0; k <= i; k++)
            width[i * max_cols + k] = MIN_COLUMN;
    }
    for (size_t f = 0; f < n; f++) {
        size_t len = shown_len(o, &e[f]);
        for (size_t i = 0; i < max_cols; i++) {
            if (!valid[i])
                continue;
            size_t idx = f / ((n + i) / (i + 1));
            size_t real = len + (idx == i ? 0 : 2);
            size_t *w = &width[i * max_cols + idx];
            if (*w < real) {
                line[i] += real - *w;
                *w = real;
                valid[i] = line[i] < LINE_LENGTH;
            }
        }
    }
    size_t cols = max_cols;
    while (cols > 1 && !valid[cols - 1])
        cols--;
    size_t rows = n / cols + (n % cols != 0);
    for (size_t r = 0; r < rows; r++) {
        size_t col = 0, pos = 0;
        for (size_t f = r;;) {
            size_t max = width[(cols - 1) * max_cols + col++];
            put_name(b, o, &e[f]);
            size_t len = shown_len(o, &e[f]);
            f += rows;
            if (f >= n)
                break;
            indent(b, pos + len, pos + max);
            pos += max;
        }
        buf_putc(b, '\n');
    }
    free(width);
    free(line);
    free(valid);
}

/* v rounded up to a tenth. */
static double ceil_tenth(double v)
{
    double t = v * 10, c = (double)(long long)t;
    return (c < t ? c + 1 : c) / 10;
}

/* What -h prints for a size: as ls -h rounds, up, to one decimal below
 * 10 and to a whole number above. */
static void human(char *out, size_t size, uint64_t bytes)
{
    static const char units[] = "KMGTPE";
    if (bytes < 1024) {
        snprintf(out, size, "%llu", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes;
    int u = -1;
    do {
        v /= 1024;
        u++;
    } while (v >= 1024 && u < 5);
    if (v < 10) {
        double up = ceil_tenth(v);
        if (up >= 10)
            snprintf(out, size, "%.0f%c", up, units[u]);
        else
            snprintf(out, size, "%.1f%c", up, units[u]);
    } else {
        double up = (double)(unsigned long long)v;
        if (up < v)
            up += 1;
        if (up >= 1024 && u < 5)
            snprintf(out, size, "1.0%c", units[u + 1]);
        else
            snprintf(out, size, "%.0f%c", up, units[u]);
    }
}

/* 1 KiB blocks the entry takes on a disk of 4 KiB blocks, as ls counts
 * them for "total". */
static uint64_t blocks(const Entry *e)
{
    return (size_of(e) + 4095) / 4096 * 4;
}

static void put_size(char *out, size_t size, const Ls *o, uint64_t bytes)
{
    if (o->human)
        human(out, size, bytes);
    else
        snprintf(out, size, "%llu", (unsigned long long)bytes);
}

static size_t digits_of(unsigned long long v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* The long format: each entry on a line, the columns as wide as the
 * widest of the listing. */
static void print_long(Buf *b, const Ls *o, const Entry *e, size_t n, int64_t now_s)
{
    size_t w_link = 1, w_owner = 1, w_size = 1;
    for (size_t i = 0; i < n; i++) {
        char sz[32];
        put_size(sz, sizeof sz, o, size_of(&e[i]));
        size_t d = digits_of(e[i].nlink), ow = strlen(e[i].owner), sl = strlen(sz);
        w_link = d > w_link ? d : w_link;
        w_owner = ow > w_owner ? ow : w_owner;
        w_size = sl > w_size ? sl : w_size;
    }
    for (size_t i = 0; i < n; i++) {
        const Entry *x = &e[i];
        char mode[11], sz[32], date[32];
        mode[0] = x->st.dir ? 'd' : '-';
        for (int k = 0; k < 9; k++)
            mode[1 + k] = (x->st.mode >> (8 - k)) & 1 ? "rwxrwxrwx"[k] : '-';
        mode[10] = '\0';
        put_size(sz, sizeof sz, o, size_of(x));
        int64_t t_s = x->st.mtime_us / 1000000;
        time_t t = (time_t)t_s;
        struct tm tm;
        gmtime_r(&t, &tm);
        bool recent = now_s - HALF_YEAR_S < t_s && t_s <= now_s;
        strftime(date, sizeof date, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
        buf_printf(b, "%s %*u %-*s %-*s %*s %s ", mode, (int)w_link, x->nlink, (int)w_owner,
                   x->owner, (int)w_owner, x->owner, (int)w_size, sz, date);
        put_name(b, o, x);
        buf_putc(b, '\n');
    }
}

/* Whether ls pads this listing's unquoted names: in columns and the long
 * format, when it quotes one of them. */
static bool listing_pads(const Ls *o, const Entry *e, size_t n, bool tty)
{
    if (!o->quote || (!o->longf && (o->one || !tty)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (filt_needs_quotes(e[i].name, o->classify))
            return true;
    return false;
}

static void print_entries(Buf *b, Ls *o, const Entry *e, size_t n, bool tty, bool pad,
                          int64_t now_s)
{
    o->pad = pad;
    if (o->longf)
        print_long(b, o, e, n, now_s);
    else if (o->one || !tty)
        for (size_t i = 0; i < n; i++) {
            put_name(b, o, &e[i]);
            buf_putc(b, '\n');
        }
    else
        print_columns(b, o, e, n);
}

/* Subfolders of path, for a folder's link count (2 and one per subfolder). */
static unsigned links_of(const Vfs *v, int node, const char *path, const VfsStat *st)
{
    if (!st->dir)
        return 1;
    VfsDirent *d = NULL;
    size_t n = 0;
    unsigned links = 2;
    if (vfs_list(v, node, path, &d, &n) == VFS_OK)
        for (size_t i = 0; i < n; i++)
            links += d[i].st.dir;
    free(d);
    return links;
}

static char *join_path(const char *dir, const char *name)
{
    return xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

static void entries_free(Entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].name);
    free(e);
}

/* The entries of folder path (absolute), in order. */
static Entry *read_folder(Proc *p, const Ls *o, const char *path, size_t *n_out)
{
    const Vfs *v = vfs_of(p->sim);
    VfsDirent *d = NULL;
    size_t n = 0;
    vfs_list(v, p->node, path, &d, &n);
    Entry *e = xcalloc(n + 2, sizeof *e);
    size_t k = 0;
    if (o->all) {
        const char *dots[2] = {".", ".."};
        for (int i = 0; i < 2; i++) {
            char *dp = i == 0 ? xstrdup(path) : NULL;
            if (i == 1) {
                const char *slash = strrchr(path, '/');
                dp = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
            }
            vfs_stat(v, p->node, dp, &e[k].st);
            e[k].nlink = links_of(v, p->node, dp, &e[k].st);
            e[k].owner = e[k].st.owner ? e[k].st.owner : "root";
            e[k++].name = xstrdup(dots[i]);
            free(dp);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (d[i].name[0] == '.' && !o->all && !o->almost_all)
            continue;
        char *full = join_path(path, d[i].name);
        e[k].st = d[i].st;
        e[k].nlink = links_of(v, p->node, full, &d[i].st);
        e[k].owner = d[i].st.owner ? d[i].st.owner : "root";
        e[k++].name = xstrdup(d[i].name);
        free(full);
    }
    free(d);
    sort_entries(o, e, k);
    *n_out = k;
    return e;
}

static void ls_run(Proc *p, Ls *o, char **names, size_t n_names)
{
    Sim *sim = p->sim;
    const Vfs *v = vfs_of(sim);
    int64_t now_s = ((sim->world ? sim->world->start_us : 0) + sim->now) / 1000000;
    bool tty = proc_stdout_is_tty(p);
    o->quote = tty;
    char *dot = ".";
    if (!n_names) {
        names = &dot;
        n_names = 1;
    }
    int status = 0;
    Entry *files = xcalloc(n_names, sizeof *files), *dirs = xcalloc(n_names, sizeof *dirs);
    char **dir_paths = xcalloc(n_names, sizeof *dir_paths);
    size_t nf = 0, nd = 0;
    for (size_t i = 0; i < n_names; i++) {
        char path[VFS_PATH_MAX];
        VfsStat st = {0};
        VfsErr e = proc_path(p, names[i], path);
        if (e == VFS_OK)
            e = vfs_stat(v, p->node, path, &st);
        if (e != VFS_OK) {
            char *q = filt_quoted(names[i], true);
            proc_printf(p, CON_STDERR, "ls: cannot access %s: %s\n", q, vfs_strerror(e));
            free(q);
            status = 2;
            continue;
        }
        Entry x = {xstrdup(names[i]), st, links_of(v, p->node, path, &st),
                   st.owner ? st.owner : "root"};
        if (st.dir && !o->dir_itself) {
            dir_paths[nd] = xstrdup(path);
            dirs[nd++] = x;
        } else {
            files[nf++] = x;
        }
    }
    Buf b;
    buf_init(&b);
    sort_entries(o, files, nf);
    /* the files given are padded when any operand is quoted, a folder too */
    bool pad = listing_pads(o, files, nf, tty) || listing_pads(o, dirs, nd, tty);
    print_entries(&b, o, files, nf, tty, pad, now_s);
    /* the folders in order, each with its path */
    for (size_t i = 1; i < nd; i++)
        for (size_t k = i; k > 0 && cmp_entry(o, &dirs[k - 1], &dirs[k]) > 0; k--) {
            Entry t = dirs[k];
            dirs[k] = dirs[k - 1];
            dirs[k - 1] = t;
            char *tp = dir_paths[k];
            dir_paths[k] = dir_paths[k - 1];
            dir_paths[k - 1] = tp;
        }
    bool headers = nd + nf + (status != 0) > 1;
    for (size_t i = 0; i < nd; i++) {
        if (headers) {
            buf_puts(&b, nf || i ? "\n" : "");
            put_quoted(&b, o, dirs[i].name, false);
            buf_puts(&b, ":\n");
        }
        size_t n = 0;
        Entry *e = read_folder(p, o, dir_paths[i], &n);
        if (o->longf) {
            uint64_t total = 0;
            for (size_t k = 0; k < n; k++)
                total += blocks(&e[k]);
            char t[32];
            if (o->human)
                human(t, sizeof t, total * 1024);
            else
                snprintf(t, sizeof t, "%llu", (unsigned long long)total);
            buf_printf(&b, "total %s\n", t);
        }
        print_entries(&b, o, e, n, tty, listing_pads(o, e, n, tty), now_s);
        entries_free(e, n);
        free(dir_paths[i]);
    }
    proc_write(p, CON_STDOUT, b.data ? b.data : "", b.len);
    buf_fini(&b);
    entries_free(files, nf);
    entries_free(dirs, nd);
    free(dir_paths);
    proc_exit(p, status);
}

void ls_main(Proc *p, int argc, char **argv)
{
    Ls o = {0};
    FiltOpts f;
    filt_opts_init(&f, argc, argv);
    static const FiltLong longs[] = {{"all", 'a'},
                                     {"almost-all", 'A'},
                                     {"human-readable", 'h'},
                                     {"classify", 'F'},
                                     {"directory", 'd'},
                                     {"reverse", 'r'},
                                     {"recursive", 'R'},
                                     {"inode", 'i'},
                                     {"size", 's'},
                                     {"numeric-uid-gid", 'n'},
                                     {NULL, 0}};
    filt_opts_tool(&f, longs, "abcdfghiklmnopqrstuvwxABCDFGHILNQRSTUXZ1",
                   "-a -A -l -h -F -d -r -t -S -1");
    int c;
    while ((c = filt_opt(&f, "aAlhFdrtS1")) != -1) {
        switch (c) {
        case 'a':
            o.all = true;
            o.almost_all = false;
            break;
        case 'A':
            o.almost_all = true;
            o.all = false;
            break;
        case 'l':
            o.longf = true;
            o.one = false;
            break;
        case '1':
            o.one = true;
            o.longf = false;
            break;
        case 'h':
            o.human = true;
            break;
        case 'F':
            o.classify = true;
            break;
        case 'd':
            o.dir_itself = true;
            break;
        case 'r':
            o.reverse = true;
            break;
        case 't':
        case 'S':
            o.sort = (char)c;
            break;
        default:
            filt_opt_error(p, &f, "ls", c);
            if (!filt_opt_lacking(&f, c))
                proc_printf(p, CON_STDERR, "Try 'ls --help' for more information.\n");
            filt_opts_fini(&f);
            proc_exit(p, 2); /* ls's status for a usage error */
            return;
        }
    }
    ls_run(p, &o, f.operands, f.n_operands);
    filt_opts_fini(&f);
}
