/* expr.c: the parser of rule expressions (grammar in expr.h): recursive
 * descent over the tokens of expr_lex.c into the node array of
 * expr_impl.h, with suggestions for misspelt names. */
#include "alert/expr_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"

static const char *const cmp_names[] = { "<", "<=", ">", ">=", "==", "!=" };

const char *
lw_expr_cmp_name(lw_expr_cmp op)
{
    return (unsigned) op < LW_ARRAY_LEN(cmp_names) ? cmp_names[op] : "?";
}

/* ---- nodes ---- */

static int
add_node(parser *p, ntype t, int col, int a, int b)
{
    lw_expr *e = p->e;
    node *n;

    if (e->count == e->cap) {
        int cap = e->cap ? e->cap * 2 : 16;
        node *nv = realloc(e->n, (size_t) cap * sizeof(node));

        if (nv == NULL) {
            p->nomem = 1;
            lw_expr_perr(p, col, "out of memory");
            return -1;
        }
        e->n = nv;
        e->cap = cap;
    }
    n = &e->n[e->count];
    memset(n, 0, sizeof(*n));
    n->t = t;
    n->col = col;
    n->a = a;
    n->b = b;
    n->var.measure = LW_M_NONE;
    n->is_bool = t == N_CMP || t == N_AND || t == N_OR || t == N_NOT;
    return e->count++;
}

/* ---- names and suggestions ---- */

static const struct {
    const char  *name;
    lw_var_kind  kind;
    unsigned     flag;      /* 0 = always allowed */
    const char  *where;
} var_names[] = {
    { "sla_target", LW_VAR_SLA_TARGET, 0, NULL },
    { "baseline", LW_VAR_BASELINE, 0, NULL },
    { "metric", LW_VAR_METRIC, LW_EXPR_ALLOW_METRIC, "statistical, trend and forecast rules" },
    { "mean", LW_VAR_MEAN, LW_EXPR_ALLOW_STATS, "statistical rules" },
    { "std_dev", LW_VAR_STDDEV, LW_EXPR_ALLOW_STATS, "statistical rules" },
    { "stddev", LW_VAR_STDDEV, LW_EXPR_ALLOW_STATS, "statistical rules" },
    { "linear_regression_slope", LW_VAR_SLOPE, LW_EXPR_ALLOW_SLOPE, "trend rules" },
};

size_t
lw_expr_names(unsigned flags, const char **out, size_t max)
{
    size_t n = 0, i;

    n = lw_measure_names(out, max);
    for (i = 0; i < LW_ARRAY_LEN(var_names); i++)
        if (var_names[i].flag == 0 || (flags & var_names[i].flag)) {
            if (n < max)
                out[n] = var_names[i].name;
            n++;
        }
    return n;
}

static size_t
levenshtein(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), i, j, prev, cur, tmp;
    size_t row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            tmp = row[j];
            cur = prev + (tolower((unsigned char) a[i - 1]) != tolower((unsigned char) b[j - 1]));
            if (row[j] + 1 < cur)
                cur = row[j] + 1;
            if (row[j - 1] + 1 < cur)
                cur = row[j - 1] + 1;
            row[j] = cur;
            prev = tmp;
        }
    }
    return row[lb];
}

/* The closest allowed name within a few edits, or NULL. */
static const char *
suggest(const char *s, size_t n, unsigned flags, int measures_only)
{
    const char *names[48];
    size_t count = lw_expr_names(flags, names, LW_ARRAY_LEN(names)), i, d, best = 99;
    size_t limit = n < 6 ? 2 : n / 3 + 1;
    const char *found = NULL;

    if (measures_only)
        count = lw_measure_names(NULL, 0);
    if (count > LW_ARRAY_LEN(names))
        count = LW_ARRAY_LEN(names);
    for (i = 0; i < count; i++) {
        d = levenshtein(s, n, names[i]);
        if (d < best) {
            best = d;
            found = names[i];
        }
    }
    return best <= limit ? found : NULL;
}

static void
unknown_name(parser *p, const char *what, const char *s, size_t n, int col, int measures_only)
{
    const char *sug = suggest(s, n, p->flags, measures_only);
    int shown = n > 60 ? 60 : (int) n;

    if (sug != NULL)
        lw_expr_perr(p, col, "unknown %s '%.*s' at column %d (did you mean '%s'?)", what, shown,
                     s, col, sug);
    else
        lw_expr_perr(p, col, "unknown %s '%.*s' at column %d", what, shown, s, col);
}

static int
parse_variable(parser *p, const token *t)
{
    const char *s = p->s + t->start;
    size_t n = t->len, i;
    char name[LW_EXPR_CUSTOM_MAX + 16];
    int idx;
    lw_measure m;

    if (n >= sizeof(name)) {
        unknown_name(p, "measure", s, n, t->col, 0);
        return -1;
    }
    memcpy(name, s, n);
    name[n] = '\0';
    if (strncmp(name, "baseline.", 9) == 0) {
        m = lw_measure_parse(name + 9);
        if (m == LW_M_NONE) {
            const char *sug = suggest(name + 9, n - 9, p->flags, 1);

            if (sug != NULL)
                lw_expr_perr(p, t->col, "unknown measure '%s' in '%s' at column %d (did you mean "
                             "'baseline.%s'?)", name + 9, name, t->col, sug);
            else
                lw_expr_perr(p, t->col, "unknown measure '%s' in '%s' at column %d", name + 9, name,
                             t->col);
            return -1;
        }
        idx = add_node(p, N_VAR, t->col, -1, -1);
        if (idx >= 0) {
            p->e->n[idx].var.kind = LW_VAR_BASELINE;
            p->e->n[idx].var.measure = m;
        }
        return idx;
    }
    if (strncmp(name, "custom.", 7) == 0) {
        if (!lw_usage_metric_name_ok(name + 7)) {
            lw_expr_perr(p, t->col, "'%s' at column %d: a custom metric's name is a-z, 0-9 and _, "
                         "from a letter, at most 63", name, t->col);
            return -1;
        }
        idx = add_node(p, N_VAR, t->col, -1, -1);
        if (idx >= 0) {
            p->e->n[idx].var.kind = LW_VAR_CUSTOM;
            lw_strlcpy(p->e->n[idx].var.custom, name + 7, sizeof(p->e->n[idx].var.custom));
        }
        return idx;
    }
    m = lw_measure_parse(name);
    if (m != LW_M_NONE) {
        idx = add_node(p, N_VAR, t->col, -1, -1);
        if (idx >= 0) {
            p->e->n[idx].var.kind = LW_VAR_MEASURE;
            p->e->n[idx].var.measure = m;
        }
        return idx;
    }
    for (i = 0; i < LW_ARRAY_LEN(var_names); i++) {
        if (strcmp(name, var_names[i].name) != 0)
            continue;
        if (var_names[i].flag != 0 && !(p->flags & var_names[i].flag)) {
            lw_expr_perr(p, t->col, "'%s' at column %d is only available in %s", name, t->col,
                         var_names[i].where);
            return -1;
        }
        idx = add_node(p, N_VAR, t->col, -1, -1);
        if (idx >= 0)
            p->e->n[idx].var.kind = var_names[i].kind;
        return idx;  /* a bare `baseline` keeps LW_M_NONE until its comparison resolves it */
    }
    unknown_name(p, "measure", s, n, t->col, 0);
    return -1;
}

/* ---- parser ---- */

/* The left-associative binary levels, loosest first; each joins operands
 * of the level below it (for L_AND: `not`; for L_PRODUCT: unary minus). */
enum { L_OR, L_AND, L_SUM, L_PRODUCT };

static const struct {
    ttype op1, op2;             /* the level's operators ... */
    ntype n1, n2;               /* ... and the nodes they make */
    int   numbers;              /* operands are numbers (else conditions) */
} levels[] = {
    [L_OR]      = { T_OR, T_OR, N_OR, N_OR, 0 },
    [L_AND]     = { T_AND, T_AND, N_AND, N_AND, 0 },
    [L_SUM]     = { T_PLUS, T_MINUS, N_ADD, N_SUB, 1 },
    [L_PRODUCT] = { T_STAR, T_SLASH, N_MUL, N_DIV, 1 },
};

static int parse_binary(parser *p, int level);
static int parse_not(parser *p);
static int parse_unary(parser *p);

static int
need_number(parser *p, int idx)
{
    if (idx < 0)
        return -1;
    if (p->e->n[idx].is_bool) {
        lw_expr_perr(p, p->e->n[idx].col, "expected a number at column %d, not a condition",
                     p->e->n[idx].col);
        return -1;
    }
    return idx;
}

static int
need_condition(parser *p, int idx)
{
    if (idx < 0)
        return -1;
    if (!p->e->n[idx].is_bool) {
        lw_expr_perr(p, p->e->n[idx].col, "expected a condition at column %d (a comparison such as "
                     "'error_rate > 0.5'), not a number", p->e->n[idx].col);
        return -1;
    }
    return idx;
}

/* Counts one more level of nesting at col; -1 (reported) past the limit.
 * The caller decrements p->depth when the nested part is parsed. */
static int
deeper(parser *p, int col)
{
    if (++p->depth <= LW_EXPR_MAX_DEPTH)
        return 0;
    lw_expr_perr(p, col, "expression nested too deeply at column %d", col);
    return -1;
}

/* The operand of the prefix operator at the current token, one level
 * deeper: parsed by self (the operator again, or what binds tighter) and
 * checked to be a number or a condition. */
static int
prefixed(parser *p, int (*self)(parser *), int numbers)
{
    int a;

    if (deeper(p, p->tok.col) < 0 || lw_expr_next(p) < 0)
        return -1;
    a = numbers ? need_number(p, self(p)) : need_condition(p, self(p));
    p->depth--;
    return a;
}

/* An operand of a binary level: the next level down, or what binds
 * tighter than the last two. */
static int
operand(parser *p, int level)
{
    switch (level) {
    case L_OR:  return parse_binary(p, L_AND);
    case L_AND: return parse_not(p);
    case L_SUM: return parse_binary(p, L_PRODUCT);
    default:    return parse_unary(p);
    }
}

/* A left-associative chain of operands joined by the level's operators.
 * A node is reported at the column of its left operand. */
static int
parse_binary(parser *p, int level)
{
    int (*need)(parser *, int) = levels[level].numbers ? need_number : need_condition;
    int a = operand(p, level), b;
    ttype op;

    while (a >= 0 && (p->tok.t == levels[level].op1 || p->tok.t == levels[level].op2)) {
        op = p->tok.t;
        if (need(p, a) < 0 || lw_expr_next(p) < 0)
            return -1;
        b = need(p, operand(p, level));
        if (b < 0)
            return -1;
        a = add_node(p, op == levels[level].op1 ? levels[level].n1 : levels[level].n2,
                     p->e->n[a].col, a, b);
    }
    return a;
}

static int
parse_primary(parser *p)
{
    token t = p->tok;
    char what[64];
    int idx;

    switch (t.t) {
    case T_NUM:
        idx = add_node(p, N_NUM, t.col, -1, -1);
        if (idx >= 0)
            p->e->n[idx].num = t.num;
        if (lw_expr_next(p) < 0)
            return -1;
        return idx;
    case T_IDENT:
        idx = parse_variable(p, &t);
        if (idx < 0 || lw_expr_next(p) < 0)
            return -1;
        return idx;
    case T_LP:
        if (deeper(p, t.col) < 0 || lw_expr_next(p) < 0)
            return -1;
        idx = parse_binary(p, L_OR);
        if (idx < 0)
            return -1;
        if (p->tok.t != T_RP) {
            lw_expr_perr(p, p->tok.col, "expected ')' at column %d", p->tok.col);
            return -1;
        }
        p->depth--;
        p->e->n[idx].col = t.col;   /* a group is reported at its '(' */
        if (lw_expr_next(p) < 0)
            return -1;
        return idx;
    default:
        lw_expr_token_text(p, &t, what, sizeof(what));
        if (t.t == T_END)
            lw_expr_perr(p, t.col, "expected a number, a measure or '(' at column %d", t.col);
        else
            lw_expr_perr(p, t.col, "expected a number, a measure or '(' at column %d, not %s",
                         t.col, what);
        return -1;
    }
}

static int
parse_unary(parser *p)
{
    token t = p->tok;
    int a;

    if (t.t != T_MINUS && t.t != T_PLUS)
        return parse_primary(p);
    a = prefixed(p, parse_unary, 1);
    if (a < 0 || t.t == T_PLUS)
        return a;
    return add_node(p, N_NEG, t.col, a, -1);
}

struct resolve {
    lw_measure m;
};

static int
resolve_baseline(const lw_expr *e, int i, void *ud)
{
    node *n = &e->n[i];
    struct resolve *r = ud;

    if (n->t == N_VAR && n->var.kind == LW_VAR_BASELINE && n->var.measure == LW_M_NONE)
        n->var.measure = r->m;
    return 0;
}

static int
first_unresolved(const lw_expr *e, int i, void *ud)
{
    const node *n = &e->n[i];

    (void) ud;
    return n->t == N_VAR && n->var.kind == LW_VAR_BASELINE && n->var.measure == LW_M_NONE
           ? i + 1 : 0;
}

static int
parse_comparison(parser *p)
{
    int a = parse_binary(p, L_SUM), b, idx;
    token op;
    struct resolve r;

    if (a < 0 || p->tok.t != T_CMP)
        return a;
    op = p->tok;
    if (need_number(p, a) < 0 || lw_expr_next(p) < 0)
        return -1;
    b = need_number(p, parse_binary(p, L_SUM));
    if (b < 0)
        return -1;
    if (p->tok.t == T_CMP) {
        lw_expr_perr(p, p->tok.col, "comparisons cannot be chained at column %d; join them "
                     "with 'and'", p->tok.col);
        return -1;
    }
    idx = add_node(p, N_CMP, p->e->n[a].col, a, b);
    if (idx < 0)
        return -1;
    p->e->n[idx].cmp = op.cmp;
    /* a bare `baseline` is the baseline of the measure it is compared with */
    r.m = lw_expr_subtree_measure(p->e, a);
    if (r.m == LW_M_NONE)
        r.m = lw_expr_subtree_measure(p->e, b);
    if (r.m != LW_M_NONE)
        lw_expr_walk(p->e, idx, resolve_baseline, &r);
    return idx;
}

static int
parse_not(parser *p)
{
    int col = p->tok.col, a;

    if (p->tok.t != T_NOT)
        return parse_comparison(p);
    a = prefixed(p, parse_not, 0);
    return a < 0 ? -1 : add_node(p, N_NOT, col, a, -1);
}

static int
find_cmp(const lw_expr *e, int i, void *ud)
{
    (void) ud;
    return e->n[i].t == N_CMP ? i + 1 : 0;
}

int
lw_expr_parse(const char *text, unsigned flags, lw_expr **out, lw_expr_error *err)
{
    parser p;
    lw_expr *e = NULL;
    char what[64];
    int root, rc = LW_EINVAL, un;

    *out = NULL;
    if (err != NULL) {
        err->col = 0;
        err->msg[0] = '\0';
    }
    memset(&p, 0, sizeof(p));
    p.err = err;
    p.flags = flags;
    if (text == NULL || text[strspn(text, " \t\r\n")] == '\0') {
        lw_expr_perr(&p, 1, "the expression is empty");
        goto cleanup;
    }
    if (strlen(text) > LW_EXPR_MAX_TEXT) {
        lw_expr_perr(&p, LW_EXPR_MAX_TEXT + 1, "the expression is longer than %d characters",
                     LW_EXPR_MAX_TEXT);
        goto cleanup;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL || (e->text = strdup(text)) == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    e->primary = -1;
    p.e = e;
    p.s = e->text;
    p.len = strlen(e->text);
    if (lw_expr_next(&p) < 0)
        goto cleanup;
    root = parse_binary(&p, L_OR);
    if (root < 0)
        goto cleanup;
    if (p.tok.t != T_END) {
        lw_expr_token_text(&p, &p.tok, what, sizeof(what));
        if (p.tok.t == T_RP)
            lw_expr_perr(&p, p.tok.col, "unmatched ')' at column %d", p.tok.col);
        else
            lw_expr_perr(&p, p.tok.col, "unexpected %s at column %d", what, p.tok.col);
        goto cleanup;
    }
    un = lw_expr_walk(e, root, first_unresolved, NULL);
    if (un > 0) {
        int col = e->n[un - 1].col;

        lw_expr_perr(&p, col, "'baseline' at column %d has no measure to compare with; write "
                     "baseline.<measure>, e.g. baseline.avg_latency", col);
        goto cleanup;
    }
    if ((flags & LW_EXPR_CONDITION) && !e->n[root].is_bool) {
        lw_expr_perr(&p, 1, "the expression must be a condition (a comparison such as "
                     "'error_rate > 0.5') at column 1");
        goto cleanup;
    }
    e->root = root;
    e->primary = lw_expr_walk(e, root, find_cmp, NULL) - 1;
    *out = e;
    e = NULL;
    rc = LW_OK;
cleanup:
    if (p.nomem)
        rc = LW_ENOMEM;
    lw_expr_free(e);
    return rc;
}

void
lw_expr_free(lw_expr *e)
{
    if (e == NULL)
        return;
    free(e->n);
    free(e->text);
    free(e);
}

/* ---- walking the tree ---- */

int
lw_expr_walk(const lw_expr *e, int i, int (*fn)(const lw_expr *, int, void *), void *ud)
{
    int r;

    if (i < 0)
        return 0;
    r = fn(e, i, ud);
    if (r)
        return r;
    r = lw_expr_walk(e, e->n[i].a, fn, ud);
    if (r)
        return r;
    return lw_expr_walk(e, e->n[i].b, fn, ud);
}

static int
find_measure(const lw_expr *e, int i, void *ud)
{
    const node *n = &e->n[i];
    lw_measure *m = ud;

    if (n->t == N_VAR && n->var.kind == LW_VAR_MEASURE) {
        *m = n->var.measure;
        return 1;
    }
    if (n->t == N_VAR && n->var.kind == LW_VAR_METRIC) {
        *m = LW_M_RULE_METRIC;
        return 1;
    }
    return 0;
}

lw_measure
lw_expr_subtree_measure(const lw_expr *e, int i)
{
    lw_measure m = LW_M_NONE;

    lw_expr_walk(e, i, find_measure, &m);
    return m;
}
