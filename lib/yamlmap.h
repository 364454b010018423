/* yamlmap.h: reading a YAML document into typed values with every problem
 * reported at its FILE:LINE:COL, all of them collected in an lw_diag (a
 * user sees every mistake at once). The document is read whole (libyaml's
 * document API) so every node keeps its position; mappings are read
 * against a table of known keys (unknown keys get "did you mean", so a
 * typo is one error, not also "missing required key"); scalars have
 * ${VAR} and ${VAR:-default} expanded from the environment, each node once
 * (an unset variable is reported once). monitoring_config.yaml is read
 * through it (config.c); any other YAML file of llmwatch can be.
 *
 * Conventions: a getter returns 1 when the key is set (*out written), 0
 * when it is absent, null or empty, -1 when it is wrong (reported).
 * Strings handed out are owned by the document's pool; nodes are borrowed
 * from the document and live until lw_ymap_close. */
#ifndef LW_YAMLMAP_H
#define LW_YAMLMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "diag.h"
#include "lw.h"

/* What a document may be, checked before it is built (so that a hostile
 * file costs little): at most this many bytes, this deep, values this
 * long, collections this large; each excess is an error at its position.
 * Scalars also may not hold NUL (a "\0" escape), and values expanded from
 * the environment must be valid UTF-8: what PostgreSQL would refuse is
 * refused here first. */
#define LW_YMAP_MAX_BYTES  (1024 * 1024)
#define LW_YMAP_MAX_DEPTH  32
#define LW_YMAP_MAX_SCALAR (64 * 1024)
#define LW_YMAP_MAX_ITEMS  10000

/* A loaded document. Fields are read-only for users but `oom`, which they
 * may set when one of their own allocations fails. */
typedef struct {
    lw_pool         *pool;       /* borrowed: where strings go */
    lw_diag         *diag;       /* borrowed: where problems go */
    const char      *file;       /* the name in messages */
    yaml_document_t  doc;
    int              have_doc;
    const char     **expanded;   /* per node: the scalar with ${VAR} expanded */
    size_t           nnodes;
    int              oom;        /* an allocation failed: give up with LW_ENOMEM */
} lw_ymap_doc;

/* A mapping being read: its node, what it is called in messages, its
 * table of known keys and which of them an unknown key was taken for. */
typedef struct {
    yaml_node_t        *node;
    const char         *what;
    const char *const  *keys;
    size_t              nkeys;
    uint64_t            suggested;   /* bit i: keys[i] was suggested */
} lw_ymap;

/* Parses text (len bytes; `name` in messages) into d, which is zeroed
 * first: LW_OK with *root set, LW_EINVAL when it is not YAML, is empty
 * ("the file is empty: expected <expected>"), holds a second document or
 * goes past a limit above (reported), LW_ENOMEM. Call lw_ymap_close in
 * every case. */
int  lw_ymap_load(lw_ymap_doc *d, const char *name, const char *text, size_t len,
                  lw_pool *pool, lw_diag *diag, const char *expected, yaml_node_t **root);
void lw_ymap_close(lw_ymap_doc *d);

/* Fills obj (zeroed, in the document's pool y->pool, which it should
 * keep: the pool is the object's owner) from the document's root. */
typedef void (*lw_ymap_parse_fn)(lw_ymap_doc *y, yaml_node_t *root, void *obj);

/* A whole file's load: a new pool, an object of `size` bytes in it, text
 * loaded (as lw_ymap_load) and handed to parse, the problems sorted by
 * position. LW_OK with *out the object (destroying its pool frees it),
 * LW_EINVAL when diags gained an error, LW_ENOMEM; on failure *out is
 * NULL and nothing is left. */
int lw_ymap_load_new(const char *name, const char *text, size_t len, const char *expected,
                     size_t size, lw_ymap_parse_fn parse, lw_diag *diags, void **out);

/* Adds an error or a warning at node n (NULL: no position). */
void lw_ymap_report(lw_ymap_doc *d, lw_diag_level level, const yaml_node_t *n,
                    const char *fmt, ...) LW_PRINTF(4, 5);
#define LW_YMAP_ERR(d, n, ...)  lw_ymap_report((d), LW_DIAG_ERROR, (n), __VA_ARGS__)
#define LW_YMAP_WARN(d, n, ...) lw_ymap_report((d), LW_DIAG_WARNING, (n), __VA_ARGS__)

/* ---- names ---- */

/* Index of s in names[0..n) (case-insensitively with nocase), -1 when
 * absent or s is NULL. */
int  lw_ymap_index(const char *s, const char *const *names, size_t n, int nocase);
/* Index of the name closest to s when it is close enough to be a typo of
 * it (optimal string alignment distance, a third of the name's length at
 * most), else -1. */
int  lw_ymap_suggest(const char *s, const char *const *names, size_t n);
/* Appends names as "a, b, c" to b. */
void lw_ymap_append_names(lw_buf *b, const char *const *names, size_t n);

/* ---- nodes ---- */

yaml_node_t *lw_ymap_node_at(lw_ymap_doc *d, int id);
/* "a scalar", "a list", "a mapping" or "nothing", for messages. */
const char  *lw_ymap_kind(const yaml_node_t *n);
/* The text of a scalar as written (no expansion). */
const char  *lw_ymap_raw(const yaml_node_t *n);
/* 1 for NULL, and for a plain scalar "", "~" or "null". */
int          lw_ymap_is_null(const yaml_node_t *n);
/* The scalar's text with the environment expanded (an unset variable
 * without a default is a warning, a bad reference an error); NULL for a
 * null or a non-scalar. `key` names the setting in messages. */
const char  *lw_ymap_scalar(lw_ymap_doc *d, yaml_node_t *n, const char *key);
/* Pool memory (zeroed) and copies; NULL (and d->oom) when out of memory. */
void        *lw_ymap_alloc(lw_ymap_doc *d, size_t n);
const char  *lw_ymap_strdup(lw_ymap_doc *d, const char *s);
/* The 1-based line and column of a node. */
void         lw_ymap_pos(const yaml_node_t *n, int *line, int *col);

/* ---- mappings ---- */

/* Opens node n as a mapping called `what` with known keys[0..nkeys):
 * reports unknown keys (with a suggestion), duplicate keys and keys that
 * are not names. 0, or -1 when n is not a mapping (reported unless NULL). */
int  lw_ymap_open(lw_ymap_doc *d, yaml_node_t *n, const char *what, const char *const *keys,
                  size_t nkeys, lw_ymap *m);
/* The same for an entry of a list that records where it is: *line and
 * *col get its position when it is a mapping. */
int  lw_ymap_open_entry(lw_ymap_doc *d, yaml_node_t *n, const char *what,
                        const char *const *keys, size_t nkeys, int *line, int *col, lw_ymap *m);
/* The value node of key (first occurrence), NULL when absent. */
yaml_node_t *lw_ymap_node(lw_ymap_doc *d, const lw_ymap *m, const char *key);
/* The same unless absent or null. */
yaml_node_t *lw_ymap_get(lw_ymap_doc *d, const lw_ymap *m, const char *key);
/* The key node itself, for messages about the key. */
yaml_node_t *lw_ymap_key_node(lw_ymap_doc *d, const lw_ymap *m, const char *key);
/* The node to point at for a name that defaulted from another key: key,
 * else fallback (may be NULL), else the mapping. */
yaml_node_t *lw_ymap_name_node(lw_ymap_doc *d, const lw_ymap *m, const char *key,
                               const char *fallback);
/* Reports a required key that is missing or has no value ("in <what>
 * <label>"; label may be NULL), unless an unknown key was already taken
 * for a misspelling of it. */
void lw_ymap_require(lw_ymap_doc *d, const lw_ymap *m, const char *key, const char *label);
/* For mappings whose keys depend on a kind (channel type, rule kind):
 * reports, at `level`, each key of m that kind does not use; kinds[i] has
 * bit k set when kind k uses m->keys[i]. fmt gets the key and kind_name,
 * e.g. "'%s' does not apply to %s channels". */
void lw_ymap_check_kinds(lw_ymap_doc *d, const lw_ymap *m, const unsigned *kinds, int kind,
                         lw_diag_level level, const char *fmt, const char *kind_name);
/* 1 when an unknown key of m was reported as a misspelling of key. */
int  lw_ymap_was_suggested(const lw_ymap *m, const char *key);

/* ---- typed values: 1 set, 0 absent or empty, -1 wrong (reported) ---- */

/* 0 when v is a scalar, else -1 with "'key' must be <expected>". */
int lw_ymap_want_scalar(lw_ymap_doc *d, yaml_node_t *v, const char *key, const char *expected);
int lw_ymap_str(lw_ymap_doc *d, const lw_ymap *m, const char *key, const char **out);
/* A whole number in [min, max]. */
int lw_ymap_int(lw_ymap_doc *d, const lw_ymap *m, const char *key, int64_t min, int64_t max,
                int64_t *out);
/* A finite number; *node gets the value node (for further checks). */
int lw_ymap_double(lw_ymap_doc *d, const lw_ymap *m, const char *key, double *out,
                   yaml_node_t **node);
/* An exact non-negative decimal scaled by 10^scale (seconds to ms with 3,
 * dollars to micro-dollars with 6); `expected` names it in messages. */
int lw_ymap_decimal(lw_ymap_doc *d, const lw_ymap *m, const char *key, int scale,
                    const char *expected, int64_t *out);
/* A duration in seconds (lw_duration_parse forms: "90", "15m", "7 days"). */
int lw_ymap_duration(lw_ymap_doc *d, const lw_ymap *m, const char *key, int64_t *out);
/* true/yes/on or false/no/off, any case. */
int lw_ymap_bool(lw_ymap_doc *d, const lw_ymap *m, const char *key, bool *out);
/* One of names[0..n) (*out gets its index), with a suggestion when it is
 * not; `what` names the kind of value in messages. */
int lw_ymap_enum(lw_ymap_doc *d, const lw_ymap *m, const char *key, const char *what,
                 const char *const *names, size_t n, int nocase, int *out);
/* The same for a node already at hand (an item of a list). */
int lw_ymap_node_enum(lw_ymap_doc *d, yaml_node_t *v, const char *key, const char *what,
                      const char *const *names, size_t n, int nocase, int *out);
/* A list of strings (a single scalar is a list of one); the items' nodes
 * go to *nodes when it is not NULL (pool memory). */
int lw_ymap_list(lw_ymap_doc *d, const lw_ymap *m, const char *key, lw_strlist *out,
                 yaml_node_t ***nodes);
/* Checks that url (the value of key, at node v) starts with one of the
 * NULL-terminated schemes: 0, or -1 (reported; a secret's value is not
 * shown). An empty or NULL url is 0. */
int lw_ymap_url(lw_ymap_doc *d, yaml_node_t *v, const char *key, const char *url,
                const char *const *schemes, int secret);

/* ---- lists ---- */

/* The value of key when it is a list, NULL when absent (or not a list:
 * reported with `example` of what to write). */
yaml_node_t *lw_ymap_seq(lw_ymap_doc *d, const lw_ymap *m, const char *key,
                         const char *example);
size_t       lw_ymap_seq_len(const yaml_node_t *n);
yaml_node_t *lw_ymap_seq_item(lw_ymap_doc *d, const yaml_node_t *n, size_t i);

#endif
