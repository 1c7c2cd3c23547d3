/* files — the files a scenario puts on its nodes (the `files` key), and
 * who sits at each host's keyboard (the `user` key).  Loaded once with
 * the World (src/io/scenario_files.c) and only read afterwards: programs
 * read them (`nc HOST PORT < FILE`), nothing writes them yet.
 *
 * A file is inline text, a size whose bytes are made from the scenario's
 * seed and the file's path (the same bytes on every run and machine, any
 * range computed on demand: a 1 GB file costs no memory), or the bytes of
 * a file beside the scenario (at most 64 MiB, read at load).  A path
 * ending in "/" is a directory.  Paths are absolute and normalised. */
#ifndef MN_FILES_H
#define MN_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/world.h"

#define FILES_SIZE_MAX   1000000000ULL /* a size-only file: 1 GB */
#define FILES_SOURCE_MAX (64ULL << 20) /* a file beside the scenario: 64 MiB */
#define FILES_USER       "student"     /* the default `user` */

typedef enum FileKind {
    FILE_TEXT,  /* bytes given in the scenario or read beside it */
    FILE_SIZED, /* only a size: bytes made from the seed and the path */
    FILE_DIR,
} FileKind;

typedef struct NodeFile {
    int node;
    char *path; /* "/home/alice/notes.txt"; a directory's without its "/" */
    FileKind kind;
    uint8_t *data; /* FILE_TEXT */
    uint64_t size;
    uint64_t seed; /* FILE_SIZED: from the scenario's seed and the path */
} NodeFile;

typedef struct FilesConf {
    NodeFile *files; /* sorted by (node, path) */
    size_t n, cap;
    char **user; /* per node; NULL: FILES_USER */
    size_t n_nodes;
} FilesConf;

/* The World's files (its EXT_FILES slot), or NULL when it has none. */
const FilesConf *files_conf(const World *w);
/* Makes the World's FilesConf (empty) if it has none yet; for the loader. */
FilesConf *files_conf_mut(World *w);
/* Sorts the files; for the loader, once every file is in. */
void files_conf_sort(FilesConf *fc);

/* The user at node's keyboard, and the home directory (/home/USER). */
const char *files_user(const World *w, int node);

/* Makes path absolute (relative to node's home) and normalises it ("//",
 * ".", ".."; never above "/").  Caller frees. */
char *files_path(const World *w, int node, const char *path);
/* The file or directory at an absolute, normalised path, or NULL.  A
 * home directory exists even with no file in it.  O(log n). */
const NodeFile *files_find(const World *w, int node, const char *path);
bool files_is_dir(const World *w, int node, const char *path);

/* Copies up to n bytes of f from offset off into buf; returns how many
 * (0 at the end).  Sized files' bytes are made on the spot. */
size_t files_read(const NodeFile *f, uint64_t off, uint8_t *buf, size_t n);

#endif
