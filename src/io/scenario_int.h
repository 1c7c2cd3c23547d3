/* scenario_int — what the scenario loader's files share; not for use
 * outside src/io/scenario*.c (cJSON stays in src/io).
 *
 *   scenario_json.c    the strict JSON checker (bytes, UTF-8, syntax) and the
 *                      error machinery (JSON paths, "got …", "did you mean");
 *   scenario_values.c  the typed getters (sj_get_time, sj_get_ip, …) and an
 *                      object's duplicate keys;
 *   scenario.c         the core: top level, nodes' common keys, links,
 *                      cross checks, entry points, saving;
 *   scenario_script.c  the script and its lines' input;
 *   scenario_<proto>.c each protocol's keys, one row of the table below.
 *
 * Adding a protocol's keys (say mail): src/io/scenario_mail.c with a
 * ScenarioProto row (its node keys' readers, a top-level key if any, its
 * checks), an SP_MAIL id below and the row in scenario_protos.c; the role
 * and which keys it accepts in proto/roles.c; the settings in the
 * protocol's own conf (an ExtSlot in proto/services.h, read through
 * src/proto/mail/mail_conf.h).  scenario.c does not change.
 *
 * Every problem is noted with sj_err against the JSON value it is about,
 * with that value's path; the problems are sorted into file order at the
 * end.  A reader that cannot use a value reports it and leaves the World
 * unchanged; nothing it allocated may leak (the World frees what it holds). */
#ifndef MN_SCENARIO_INT_H
#define MN_SCENARIO_INT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/util.h"
#include "net/world.h"

/* ---- the loader ---------------------------------------------------------- */

/* A JSON path, built on the stack as the loader descends. */
typedef enum PathKind { P_ROOT, P_FIELD, P_QUOTED, P_INDEX } PathKind;

typedef struct Path {
    const struct Path *up;
    PathKind kind;
    const char *key;
    size_t index;
} Path;

typedef struct Pending {
    const cJSON *at; /* the value the problem is about; orders the report */
    size_t seq;      /* the order it was found in */
    size_t order;    /* at's place in the file, filled in by sj_sort_pending */
    char *msg;
} Pending;

typedef struct NodeInfo {
    const cJSON *item, *id_item, *ip_item;
    bool ip_array, ip_bad;
    bool quiet;   /* no usable id, or a duplicate: no more messages about links */
    bool touched; /* named by a link that could not be made */
    size_t n_links;
} NodeInfo;

typedef struct AddrRef {
    uint32_t ip;
    int node, elem; /* elem -1: "ip" is a string */
    const cJSON *item;
} AddrRef;

/* The rows of the protocol table (scenario_protos.c), in the order their
 * keys are offered in "expected one of …" lists. */
typedef enum ScenarioProtoId {
    SP_DNS,
    SP_TCP,
    SP_FILES,
    SP_MAIL,
    SP_FTP,
    SP_COUNT
} ScenarioProtoId;

typedef struct Loader {
    const char *name, *dir;
    World *w;
    Pending *pend;
    size_t n_pend, cap_pend;
    char **scratch;
    size_t n_scratch, cap_scratch;
    size_t suggest_budget;

    NodeInfo *ni;
    int *id_slots;         /* node ids by hash (-1: empty), first occurrences only */
    size_t id_mask;        /* the table's size - 1, a power of two */
    const char **id_words; /* ids in node order, for "did you mean" */
    size_t n_id_words;
    AddrRef *addrs; /* in file order (sorted by ip when one is used twice) */
    size_t n_addrs, cap_addrs;
    /* addrs by hash once the nodes are checked (check_addresses): open
     * addressing on ip, 1 + an index into addrs, 0 empty. */
    uint32_t *addr_slot;
    size_t addr_slots; /* a power of two, or 0 before the check */
    bool nodes_ok;     /* "nodes" is an array: references to nodes can be checked */
    bool links_ok;     /* "links" is absent or an array: connectivity can be checked */
    bool ips_ok;       /* every node has a valid address: references to addresses can be checked */

    size_t *link_file_index; /* w->links[k] came from links[link_file_index[k]] */
    size_t cap_links;

    void *proto[SP_COUNT]; /* each protocol's own state while loading */
    struct {
        const char *name; /* NULL: none yet */
        int role;
        const struct ScenarioKey *sk;
        bool accepted; /* sk, and role takes the key */
    } last_key;        /* the node key last looked up (node_other_key) */
    bool warnings;     /* the scenario loaded: sj_warn notes warnings */

    /* The JSON tree (sj_parse): its items in blocks, its strings in one
     * buffer. */
    cJSON **tree_blocks;
    size_t n_tree_blocks, cap_tree_blocks;
    cJSON *tree_next, *tree_end; /* the free items of the last block */
    char *tree_text;
    char *tree_text_next; /* in tree_text: where the next string goes */
} Loader;

/* ---- the protocol table ---------------------------------------------------- */

/* Reads node key v (path p) of node i, whose role accepts it. */
typedef void (*ScenarioKeyRead)(Loader *L, int i, const cJSON *v, const Path *p);

/* A node key and its reader.  Two protocols may read keys of the same name
 * for different roles (mail's and FTP's "users"): each names its role, and
 * a node's key goes to the reader for its role, else to one with role
 * NULL (any role that accepts the key, by the roles table). */
typedef struct ScenarioKey {
    const char *name;
    ScenarioKeyRead read;
    const char *role; /* the only role it reads the key for, or NULL */
} ScenarioKey;

/* One protocol's part of the loader.  Every hook may be NULL.  Order of
 * calls: begin; read_top (for its top-level key, before "nodes"); node, for
 * each node before its keys (role: a row of the roles table, or -1); the
 * keys' readers; check, once nodes and links are read; finish, only when the
 * whole file is sound (world wired, script sorted): false fails the load,
 * with its messages in errs; fini, always, for its loader state. */
typedef struct ScenarioProto {
    const char *top_key;
    void (*read_top)(Loader *L, const cJSON *v, const Path *p);
    const ScenarioKey *keys; /* node keys it reads, in the order lists offer them */
    size_t n_keys;
    void (*begin)(Loader *L);
    void (*node)(Loader *L, int i, int role);
    void (*check)(Loader *L, const Path *nodes_path);
    bool (*finish)(Loader *L, Errors *errs);
    /* Only for `minet check`, after finish succeeded: what loads but will
     * surprise a class, noted with sj_warn (the JSON is still at hand). */
    void (*warn)(Loader *L, const Path *nodes_path);
    void (*fini)(Loader *L);
    /* A saved copy that is not beside the original: point the files it
     * names at absolute paths.  False with a message in why. */
    bool (*save_elsewhere)(const World *w, cJSON *root, char *why, size_t size);
} ScenarioProto;

extern const ScenarioProto scenario_dns_proto, scenario_tcp_proto, scenario_files_proto,
    scenario_mail_proto, scenario_ftp_proto;

/* The rows, indexed by ScenarioProtoId (scenario_protos.c). */
const ScenarioProto *const *scenario_protos(void);

/* ---- what scenario.c offers the other files ------------------------------- */

/* The node named by a reference; reports an unknown one.  *guess (if not
 * NULL) is the node that "did you mean" suggests, or -1. */
int scenario_ref_node(Loader *L, const cJSON *v, const Path *p, int *guess);
/* Does some node have this address?  Valid only in a check hook. */
bool scenario_has_addr(const Loader *L, uint32_t ip);

/* The script (scenario_script.c). */
void scenario_load_script(Loader *L, const cJSON *v, const Path *p);
void scenario_sort_script(World *w);
/* Adds a typed line and its input to a saved copy's "script". */
void scenario_save_script_line(const World *w, cJSON *script, const ScriptLine *s);
/* Lines of the file that were typed into at the prompt get their whole
 * input written back (found by their JSON path, "script[N]"). */
void scenario_save_typed_input(const World *w, cJSON *script);

/* ---- scenario_json.c: messages ---------------------------------------------- */

/* qsort, but an empty array may be NULL (qsort's may not). */
void sj_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Keeps s (allocated) until the load ends; returns it. */
const char *sj_keep(Loader *L, char *s);
/* Length of the UTF-8 sequence starting with lead byte c (input is valid). */
size_t sj_utf8_len(unsigned char c);
/* Appends s as a JSON string, escaped so that nothing reaches a terminal
 * raw; at most 100 bytes of it, then "…". */
void sj_put_quoted(Buf *b, const char *s, size_t n);
/* s quoted and escaped; lives until the load ends. */
const char *sj_q(Loader *L, const char *s);
/* s with what a terminal would act on escaped, unquoted. */
const char *sj_sanitize(Loader *L, const char *s);
/* "nodes[2].ip"; the caller frees it. */
char *sj_path_str(const Path *p);
/* Notes one problem about the value at, whose path is p. */
void sj_err(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...) MN_PRINTF(4, 5);
/* A warning, "FILE: path: warning: …"; nothing unless L->warnings. */
void sj_warn(Loader *L, const cJSON *at, const Path *p, const char *fmt, ...) MN_PRINTF(4, 5);
const char *sj_fmt_number(Loader *L, double v);
/* What a value is, for "got …" messages. */
const char *sj_got(Loader *L, const cJSON *v);
/* A comma-separated list of words, for "expected one of …". */
const char *sj_join(Loader *L, const char *const *words, size_t n);
int sj_casecmp(const char *a, const char *b);
/* "; did you mean "x"?" or "".  *best (if not NULL): the word, or NULL. */
const char *sj_suggest(Loader *L, const char *word, const char *const *cands, size_t n,
                       const char **best);
void sj_unknown_key(Loader *L, const cJSON *at, const Path *p, const char *key,
                    const char *const *cands, size_t n);
/* Does obj have an unknown key that looks like a typo for key?  Then a
 * "missing key" message would only repeat the "did you mean". */
bool sj_typo_for(const cJSON *obj, const char *key, const char *const *known, size_t n);
void sj_sort_pending(Loader *L, const cJSON *root);

/* ---- scenario_values.c: paths and duplicate keys ----------------------------- */

/* A key's path, a key quoted ("zones[\"edu.\"]"), an element's: inline,
 * as every value read is given one. */
static inline Path sj_field(const Path *up, const char *key)
{
    return (Path){up, P_FIELD, key, 0};
}
static inline Path sj_quoted(const Path *up, const char *key)
{
    return (Path){up, P_QUOTED, key, 0};
}
static inline Path sj_indexed(const Path *up, size_t i)
{
    return (Path){up, P_INDEX, NULL, i};
}
/* Flags (and reports) each member of obj that repeats an earlier key; the
 * caller frees the flags.  NULL when no key repeats (nearly always: then
 * nothing is allocated); sj_dup reads the flags either way.  O(n log n). */
bool *sj_find_duplicates_in(Loader *L, const cJSON *obj, const Path *p);
/* The same, inline for an object of up to three keys whose first
 * characters differ (a script line, a link): nothing repeats. */
static inline bool *sj_find_duplicates(Loader *L, const cJSON *obj, const Path *p)
{
    const cJSON *a = obj->child, *b = a ? a->next : NULL, *c = b ? b->next : NULL;
    if (!b)
        return NULL;
    if (!c && a->string[0] != b->string[0])
        return NULL;
    if (c && !c->next && a->string[0] != b->string[0] && a->string[0] != c->string[0] &&
        b->string[0] != c->string[0])
        return NULL;
    return sj_find_duplicates_in(L, obj, p);
}
static inline bool sj_dup(const bool *dup, size_t k)
{
    return dup && dup[k];
}

/* ---- scenario_values.c: typed getters ----------------------------------------
 * Each reports a value it cannot use (naming what was expected) and
 * returns false (NULL), leaving *out unchanged. */

/* cJSON_IsString, cJSON_IsObject and the like for type (cJSON_String,
 * cJSON_Object…), written out: the loader tests every value of a big
 * scenario, and each test was a call into the library. */
static inline bool sj_is(const cJSON *v, int type)
{
    return v && (v->type & 0xff) == type;
}

/* cJSON_GetObjectItemCaseSensitive written out: the first member of obj
 * named key (a member without a name ends the search, as there). */
static inline const cJSON *sj_member(const cJSON *obj, const char *key)
{
    const cJSON *c = obj ? obj->child : NULL;
    while (c && c->string && (c->string[0] != key[0] || strcmp(c->string, key) != 0))
        c = c->next;
    return c && c->string ? c : NULL;
}

/* Whether key is word, the first characters compared before a call to
 * strcmp: most keys tested against a word are another key. */
static inline bool sj_key_is(const char *key, const char *word)
{
    return key[0] == word[0] && strcmp(key, word) == 0;
}

/* sj_get_string's report, for a value that is no string. */
const char *sj_not_string(Loader *L, const cJSON *v, const Path *p, const char *expected);
/* Inline: the loader reads a big scenario's hundred thousand strings
 * through it. */
static inline const char *sj_get_string(Loader *L, const cJSON *v, const Path *p,
                                        const char *expected)
{
    if (sj_is(v, cJSON_String))
        return v->valuestring;
    return sj_not_string(L, v, p, expected);
}
bool sj_get_bool(Loader *L, const cJSON *v, const Path *p, bool *out);
bool sj_get_number(Loader *L, const cJSON *v, const Path *p, const char *expected, double *out);
/* A whole number in min..max, which must lie within int64_t. */
bool sj_get_int(Loader *L, const cJSON *v, const Path *p, double min, double max,
                const char *expected, int64_t *out);
bool sj_get_time(Loader *L, const cJSON *v, const Path *p, SimTime *out);
/* A link's rate in bit/s, above zero ("100Mbit"). */
bool sj_get_rate(Loader *L, const cJSON *v, const Path *p, uint64_t *out);
/* A size in bytes ("64KiB"), at most max (max_text: the same as a
 * scenario writes it, "1GiB", for the message). */
bool sj_get_size(Loader *L, const cJSON *v, const Path *p, uint64_t max, const char *max_text,
                 uint64_t *out);
/* A rate in bytes per second ("2KB/s"; zero allowed), at most max. */
bool sj_get_byte_rate(Loader *L, const cJSON *v, const Path *p, uint64_t max, const char *max_text,
                      uint64_t *out);
/* A dotted quad, with an optional prefix length ("10.0.2.1/24"): *prefix
 * (if not NULL) is 24 when none is written.  unicast: also refuse 0.0.0.0
 * and 255.255.255.255, which no interface can have, and with a written
 * prefix of /1 to /30 the network's own and its broadcast address. */
bool sj_get_ip(Loader *L, const cJSON *v, const Path *p, bool unicast, uint32_t *out,
               uint8_t *prefix);

/* ---- scenario_json.c: the text ----------------------------------------------- */

bool sj_is_ws(char c);
bool sj_has_bom(const char *s, size_t len);
/* Checks the bytes and the syntax (stopping at the first problem, noted
 * as FILE:LINE:COL), building the tree as it goes; NULL if anything is
 * wrong.  The tree is read only, and lives until sj_tree_free. */
cJSON *sj_parse(Loader *L, const char *data, size_t len);
void sj_tree_free(Loader *L);

#endif
