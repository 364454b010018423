/* suites.c: known prompts for the simulator. The test-suite YAML files are
 * read tolerantly (their schema belongs to the suites): any mapping with a
 * `prompt` and a `reference_answer` is a case; `long_output`, `id`/`name`
 * and `wrong_answer(s)` are used when present, other keys are ignored. A
 * case whose scorer is a tool_call is a tool case: its reference answer is
 * the call as JSON ([{"name": .., "arguments": {..}}]). */
#include "sim.h"

#include <json.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

typedef struct {
    lw_sim_suites *s;
    size_t cap;
} collect;

static int
add_case(collect *c, lw_sim_case *cs)
{
    if (c->s->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        lw_sim_case *nv = realloc(c->s->v, ncap * sizeof(*nv));

        if (nv == NULL)
            return LW_ENOMEM;
        c->s->v = nv;
        c->cap = ncap;
    }
    c->s->v[c->s->n++] = *cs;
    return LW_OK;
}

static void
case_clear(lw_sim_case *c)
{
    free(c->id);
    free(c->norm_prompt);
    free(c->answer);
    free(c->tool_name);
    free(c->tool_args);
    lw_sim_free_strings(c->wrong, c->n_wrong);
}

/* A tool case: the call its reference answer names. */
static void
take_call(lw_sim_case *cs, const char *scorer_type)
{
    json_object *calls, *first, *v;

    if (scorer_type == NULL || strcmp(scorer_type, "tool_call") != 0 || cs->answer == NULL)
        return;
    calls = json_tokener_parse(cs->answer);
    if (calls != NULL && json_object_is_type(calls, json_type_array) &&
        json_object_array_length(calls) > 0 &&
        (first = json_object_array_get_idx(calls, 0)) != NULL &&
        json_object_object_get_ex(first, "name", &v) && json_object_is_type(v, json_type_string)) {
        cs->tool_name = lw_strdup(json_object_get_string(v));
        cs->tool_args = lw_strdup(json_object_object_get_ex(first, "arguments", &v) ?
                                  json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "{}");
    }
    json_object_put(calls);
}

static int
take_case(lw_sim_yaml *y, yaml_node_t *n, const char *file, collect *c)
{
    const char *prompt = lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "prompt"));
    const char *answer = lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "reference_answer"));
    const char *id = lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "id"));
    yaml_node_t *lo = lw_sim_yaml_lookup(y, n, "long_output");
    yaml_node_t *wr = lw_sim_yaml_lookup(y, n, "wrong_answers");
    lw_sim_case cs;
    char idbuf[64];

    memset(&cs, 0, sizeof(cs));
    if (id == NULL)
        id = lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "name"));
    if (id == NULL) {
        snprintf(idbuf, sizeof(idbuf), "%s:%zu", file, n->start_mark.line + 1);
        id = idbuf;
    }
    cs.id = lw_strdup(id);
    cs.norm_prompt = lw_sim_normalize_ws(prompt);
    cs.answer = lw_strdup(answer);
    take_call(&cs, lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, lw_sim_yaml_lookup(y, n, "scorer"),
                                                         "type")));
    if (lo != NULL) {
        const char *v = lw_sim_yaml_scalar(lo);

        cs.long_output = v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
    }
    if (wr == NULL)
        wr = lw_sim_yaml_lookup(y, n, "wrong_answer");
    if (wr != NULL && wr->type == YAML_SCALAR_NODE) {
        cs.wrong = calloc(1, sizeof(char *));
        if (cs.wrong != NULL) {
            cs.wrong[0] = lw_strdup(lw_sim_yaml_scalar(wr));
            cs.n_wrong = 1;
        }
    } else if (wr != NULL && wr->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *it;
        size_t cnt = (size_t) (wr->data.sequence.items.top - wr->data.sequence.items.start);

        cs.wrong = calloc(cnt + 1, sizeof(char *));
        for (it = wr->data.sequence.items.start; cs.wrong != NULL && it < wr->data.sequence.items.top; it++) {
            const char *v = lw_sim_yaml_scalar(lw_ymap_node_at(&y->doc, *it));

            if (v != NULL)
                cs.wrong[cs.n_wrong++] = lw_strdup(v);
        }
    }
    if (cs.norm_prompt[0] == '\0') {
        case_clear(&cs);
        return LW_OK;
    }
    if (add_case(c, &cs) != LW_OK) {
        case_clear(&cs);
        return LW_ENOMEM;
    }
    return LW_OK;
}

static int
walk(lw_sim_yaml *y, yaml_node_t *n, const char *file, collect *c, int depth)
{
    int rc;

    if (n == NULL || depth > MAX_DEPTH)
        return LW_OK;
    if (n->type == YAML_MAPPING_NODE) {
        yaml_node_pair_t *p;

        if (lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "prompt")) != NULL &&
            lw_sim_yaml_scalar(lw_sim_yaml_lookup(y, n, "reference_answer")) != NULL)
            return take_case(y, n, file, c);
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
            if ((rc = walk(y, lw_ymap_node_at(&y->doc, p->value), file, c, depth + 1)) != LW_OK)
                return rc;
    } else if (n->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *it;

        for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
            if ((rc = walk(y, lw_ymap_node_at(&y->doc, *it), file, c, depth + 1)) != LW_OK)
                return rc;
    }
    return LW_OK;
}

static int
is_yaml_name(const char *name)
{
    size_t n = strlen(name);

    if (name[0] == '.')
        return 0;
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
lw_sim_suites_load(const char *dir, lw_sim_suites **out, lw_err *err)
{
    lw_sim_suites *s;
    collect c;
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = LW_OK;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return LW_ENOMEM;
    c.s = s;
    c.cap = 0;
    d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT) {
            *out = s;   /* no suites yet: every prompt gets filler */
            return LW_OK;
        }
        lw_err_set(err, "%s: %s", dir, strerror(errno));
        free(s);
        return LW_EIO;
    }
    while ((de = readdir(d)) != NULL) {
        if (!is_yaml_name(de->d_name))
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof(*nn));

            if (nn == NULL) {
                rc = LW_ENOMEM;
                break;
            }
            names = nn;
        }
        names[n++] = lw_strdup(de->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; rc == LW_OK && i < n; i++) {
        lw_sim_yaml y;
        lw_buf path = { 0 };
        lw_err e2;

        lw_sim_printf(&path, "%s/%s", dir, names[i]);
        if (lw_sim_yaml_load(&y, path.data, "test cases", &e2) != LW_OK) {
            /* a broken suite file is its owner's to fix: say so, keep going */
            lw_log(LW_LOG_WARN, "suites: %s (file skipped)", e2.msg);
        } else {
            rc = walk(&y, y.root, names[i], &c, 0);
            s->files++;
        }
        lw_sim_yaml_free(&y);
        lw_buf_free(&path);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc != LW_OK) {
        lw_err_set(err, "%s: out of memory", dir);
        lw_sim_suites_free(s);
        return rc;
    }
    *out = s;
    return LW_OK;
}

void
lw_sim_suites_free(lw_sim_suites *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++)
        case_clear(&s->v[i]);
    free(s->v);
    free(s);
}

const lw_sim_case *
lw_sim_suites_match(const lw_sim_suites *s, const char *text)
{
    const lw_sim_case *best = NULL;
    char *norm;
    size_t i, blen = 0;

    if (s == NULL || s->n == 0 || text == NULL)
        return NULL;
    norm = lw_sim_normalize_ws(text);
    for (i = 0; i < s->n; i++) {
        if (strcmp(norm, s->v[i].norm_prompt) == 0) {
            free(norm);
            return &s->v[i];
        }
    }
    /* a probe may wrap the prompt (a system line, a prefix): containment,
     * the longest prompt wins so short prompts do not shadow long ones */
    for (i = 0; i < s->n; i++) {
        size_t l = strlen(s->v[i].norm_prompt);

        if (l > blen && strstr(norm, s->v[i].norm_prompt) != NULL) {
            best = &s->v[i];
            blen = l;
        }
    }
    free(norm);
    return best;
}

static int
count_words(const char *s)
{
    int n = 0, in = 0;

    for (; *s != '\0'; s++) {
        if (isspace((unsigned char) *s))
            in = 0;
        else if (!in && (in = 1))
            n++;
    }
    return n;
}

char *
lw_sim_suites_wrong(const lw_sim_suites *s, const lw_sim_case *c, lw_sim_rng *r,
                    lw_pool *pool)
{
    const char *a = c->answer, *p;
    size_t i;

    if (c->n_wrong > 0)
        return lw_pool_strdup(pool, c->wrong[lw_sim_rng_range(r, 0, (long) c->n_wrong - 1)]);
    /* a number in the answer: the same sentence with a near-miss number */
    for (p = a; *p != '\0' && !isdigit((unsigned char) *p); p++)
        ;
    if (*p != '\0') {
        char *end;
        long long v = strtoll(p, &end, 10);

        return lw_pool_printf(pool, "%.*s%lld%s", (int) (p - a), a,
                              v + lw_sim_rng_range(r, 1, 9), end);
    }
    /* otherwise another case's answer of the same shape (a word for a word,
     * a sentence for a sentence): fluent, confident and wrong */
    {
        size_t *cand = calloc(s->n + 1, sizeof(*cand)), nc = 0;
        int short_a = count_words(a) <= 2;
        char *pick = NULL;

        for (i = 0; cand != NULL && i < s->n; i++)
            if (strcmp(s->v[i].answer, a) != 0 && (count_words(s->v[i].answer) <= 2) == short_a)
                cand[nc++] = i;
        for (i = 0; cand != NULL && nc == 0 && i < s->n; i++)
            if (strcmp(s->v[i].answer, a) != 0)
                cand[nc++] = i;
        if (nc > 0)
            pick = lw_pool_strdup(pool, s->v[cand[lw_sim_rng_range(r, 0, (long) nc - 1)]].answer);
        free(cand);
        if (pick != NULL)
            return pick;
    }
    return lw_pool_strdup(pool, "I am not sure; it depends on the context.");
}
