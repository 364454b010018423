/* expr.c: parser and evaluator of rule expressions (grammar in expr.h).
 * Nodes live in one array per expression; children are indexes, so a parse
 * error frees everything at once and no node outlives its expression. */
#include "alert/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT  4096
#define MAX_DEPTH 100

/* ---- measures ---- */

static const char *const measure_names[LW_M_COUNT] = {
    "avg_latency", "p50_latency", "p95_latency", "p99_latency", "ttft", "p95_ttft",
    "error_rate", "success_rate", "tokens_per_second", "cost_per_1k", "daily_cost",
    "quality_score", "request_count",
};

static const struct {
    const char *name;
    lw_measure  m;
} measure_aliases[] = {
    { "latency", LW_M_AVG_LATENCY },
    { "avg_ttft", LW_M_TTFT },
};

const char *
lw_measure_name(lw_measure m)
{
    if ((int) m < 0 || m >= LW_M_COUNT)
        return NULL;
    return measure_names[m];
}

lw_measure
lw_measure_parse(const char *name)
{
    size_t i;

    if (name == NULL)
        return LW_M_NONE;
    for (i = 0; i < LW_M_COUNT; i++)
        if (strcmp(name, measure_names[i]) == 0)
            return (lw_measure) i;
    for (i = 0; i < LW_ARRAY_LEN(measure_aliases); i++)
        if (strcmp(name, measure_aliases[i].name) == 0)
            return measure_aliases[i].m;
    return LW_M_NONE;
}

int
lw_measure_lower_is_worse(lw_measure m)
{
    return m == LW_M_SUCCESS_RATE || m == LW_M_TOKENS_PER_SECOND || m == LW_M_QUALITY_SCORE;
}

int
lw_measure_per_probe(lw_measure m)
{
    return (int) m >= 0 && m < LW_M_COUNT && m != LW_M_COST_PER_1K && m != LW_M_DAILY_COST
           && m != LW_M_REQUEST_COUNT;
}

const char *
lw_measure_format(lw_measure m, double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "no data");
        return buf;
    }
    switch (m) {
    case LW_M_AVG_LATENCY: case LW_M_P50_LATENCY: case LW_M_P95_LATENCY:
    case LW_M_P99_LATENCY: case LW_M_TTFT: case LW_M_P95_TTFT:
        snprintf(buf, size, "%.2f s", v);
        break;
    case LW_M_ERROR_RATE: case LW_M_SUCCESS_RATE:
        snprintf(buf, size, "%.1f%%", v * 100.0);
        break;
    case LW_M_TOKENS_PER_SECOND:
        snprintf(buf, size, "%.1f tok/s", v);
        break;
    case LW_M_COST_PER_1K:
        snprintf(buf, size, "$%.4f", v);
        break;
    case LW_M_DAILY_COST:
        snprintf(buf, size, "$%.2f", v);
        break;
    case LW_M_QUALITY_SCORE:
        snprintf(buf, size, "%.1f", v);
        break;
    case LW_M_REQUEST_COUNT:
        snprintf(buf, size, "%.0f", v);
        break;
    default:
        snprintf(buf, size, "%.4g", v);
        break;
    }
    return buf;
}

/* ---- the tree ---- */

typedef enum {
    N_NUM, N_VAR, N_NEG, N_NOT, N_ADD, N_SUB, N_MUL, N_DIV, N_CMP, N_AND, N_OR
} ntype;

typedef struct {
    ntype        t;
    int          col;
    int          is_bool;
    double       num;
    lw_expr_var  var;
    lw_expr_cmp  cmp;
    int          a, b;      /* children, -1 when absent */
} node;

struct lw_expr {
    char   *text;
    node   *n;
    int     count, cap;
    int     root;
    int     primary;        /* first comparison in reading order, -1 if none */
};

static const char *const cmp_names[] = { "<", "<=", ">", ">=", "==", "!=" };

const char *
lw_expr_cmp_name(lw_expr_cmp op)
{
    return (unsigned) op < LW_ARRAY_LEN(cmp_names) ? cmp_names[op] : "?";
}

/* ---- lexer ---- */

typedef enum {
    T_END, T_NUM, T_IDENT, T_LP, T_RP, T_PLUS, T_MINUS, T_STAR, T_SLASH,
    T_CMP, T_AND, T_OR, T_NOT
} ttype;

typedef struct {
    ttype       t;
    int         col;        /* 1-based */
    size_t      start, len; /* span in the text */
    double      num;
    lw_expr_cmp cmp;
} token;

typedef struct {
    const char    *s;
    size_t         pos, len;
    token          tok;
    lw_expr       *e;
    lw_expr_error *err;
    unsigned       flags;
    int            depth;
    int            failed;
    int            nomem;
} parser;

static void perr(parser *p, int col, const char *fmt, ...) LW_PRINTF(3, 4);

static void
perr(parser *p, int col, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return;
    p->failed = 1;
    if (p->err == NULL)
        return;
    p->err->col = col;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
    va_end(ap);
}

static int
ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static int
ident_char(int c)
{
    return isalnum(c) || c == '_';
}

/* A printable form of a token for messages (at most 40 characters). */
static void
tok_text(const parser *p, const token *t, char *buf, size_t size)
{
    size_t n = t->len > 40 ? 40 : t->len;

    if (t->t == T_END) {
        snprintf(buf, size, "end of expression");
        return;
    }
    snprintf(buf, size, "'%.*s'", (int) n, p->s + t->start);
}

static int
lex_number(parser *p, token *t)
{
    const char *s = p->s;
    size_t i = p->pos, ulen;
    char tmp[72];

    while (i < p->len && isdigit((unsigned char) s[i]))
        i++;
    if (i < p->len && s[i] == '.') {
        i++;
        while (i < p->len && isdigit((unsigned char) s[i]))
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;

        if (j < p->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < p->len && isdigit((unsigned char) s[j])) {
            while (j < p->len && isdigit((unsigned char) s[j]))
                j++;
            i = j;
        }
    }
    if (i - p->pos >= sizeof(tmp) - 1) {
        perr(p, t->col, "number too long at column %d", t->col);
        return -1;
    }
    memcpy(tmp, s + p->pos, i - p->pos);
    tmp[i - p->pos] = '\0';
    if (strcmp(tmp, ".") == 0) {
        perr(p, t->col, "unexpected '.' at column %d", t->col);
        return -1;
    }
    t->num = strtod(tmp, NULL);
    if (!isfinite(t->num)) {
        perr(p, t->col, "number out of range at column %d", t->col);
        return -1;
    }
    /* unit suffix, written right after the digits */
    ulen = 0;
    while (i + ulen < p->len && ident_char((unsigned char) s[i + ulen]))
        ulen++;
    if (ulen == 2 && strncmp(s + i, "ms", 2) == 0) {
        t->num /= 1000.0;
        i += 2;
    } else if (ulen == 1 && s[i] == 's') {
        i += 1;
    } else if (ulen == 0 && i < p->len && s[i] == '%') {
        t->num /= 100.0;
        i += 1;
    } else if (ulen > 0) {
        perr(p, (int) i + 1, "unknown unit '%.*s' at column %d (numbers may end in ms, s or %%)",
             (int) (ulen > 20 ? 20 : ulen), s + i, (int) i + 1);
        return -1;
    }
    t->t = T_NUM;
    t->len = i - p->pos;
    p->pos = i;
    return 0;
}

static int
kw(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Reads the next token into p->tok; -1 on a lexical error. */
static int
next(parser *p)
{
    const char *s = p->s;
    token *t = &p->tok;
    char c;

    while (p->pos < p->len && isspace((unsigned char) s[p->pos]))
        p->pos++;
    memset(t, 0, sizeof(*t));
    t->start = p->pos;
    t->col = (int) p->pos + 1;
    if (p->pos >= p->len) {
        t->t = T_END;
        return 0;
    }
    c = s[p->pos];
    if (isdigit((unsigned char) c)
        || (c == '.' && p->pos + 1 < p->len && isdigit((unsigned char) s[p->pos + 1])))
        return lex_number(p, t);
    if (ident_start((unsigned char) c)) {
        size_t i = p->pos;

        for (;;) {
            while (i < p->len && ident_char((unsigned char) s[i]))
                i++;
            if (i + 1 < p->len && s[i] == '.' && ident_start((unsigned char) s[i + 1])) {
                i++;
                continue;
            }
            break;
        }
        t->len = i - p->pos;
        p->pos = i;
        if (kw(s + t->start, t->len, "and"))
            t->t = T_AND;
        else if (kw(s + t->start, t->len, "or"))
            t->t = T_OR;
        else if (kw(s + t->start, t->len, "not"))
            t->t = T_NOT;
        else
            t->t = T_IDENT;
        return 0;
    }
    t->len = 1;
    switch (c) {
    case '(': t->t = T_LP; break;
    case ')': t->t = T_RP; break;
    case '+': t->t = T_PLUS; break;
    case '-': t->t = T_MINUS; break;
    case '*': t->t = T_STAR; break;
    case '/': t->t = T_SLASH; break;
    case '<': case '>':
        t->t = T_CMP;
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->len = 2;
            t->cmp = c == '<' ? LW_CMP_LE : LW_CMP_GE;
        } else {
            t->cmp = c == '<' ? LW_CMP_LT : LW_CMP_GT;
        }
        break;
    case '=':
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->t = T_CMP;
            t->cmp = LW_CMP_EQ;
            t->len = 2;
            break;
        }
        perr(p, t->col, "use '==' to compare at column %d", t->col);
        return -1;
    case '!':
        if (p->pos + 1 < p->len && s[p->pos + 1] == '=') {
            t->t = T_CMP;
            t->cmp = LW_CMP_NE;
            t->len = 2;
        } else {
            t->t = T_NOT;
        }
        break;
    case '&': case '|':
        if (p->pos + 1 < p->len && s[p->pos + 1] == c) {
            t->t = c == '&' ? T_AND : T_OR;
            t->len = 2;
            break;
        }
        perr(p, t->col, "use '%s' or '%s' at column %d", c == '&' ? "and" : "or",
             c == '&' ? "&&" : "||", t->col);
        return -1;
    default:
        if (isprint((unsigned char) c))
            perr(p, t->col, "unexpected character '%c' at column %d", c, t->col);
        else
            perr(p, t->col, "unexpected byte 0x%02x at column %d", (unsigned char) c, t->col);
        return -1;
    }
    p->pos += t->len;
    return 0;
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
            perr(p, col, "out of memory");
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

#define PUT(s) do { if (n < max) out[n] = (s); n++; } while (0)
    for (i = 0; i < LW_M_COUNT; i++)
        PUT(measure_names[i]);
    for (i = 0; i < LW_ARRAY_LEN(measure_aliases); i++)
        PUT(measure_aliases[i].name);
    for (i = 0; i < LW_ARRAY_LEN(var_names); i++)
        if (var_names[i].flag == 0 || (flags & var_names[i].flag))
            PUT(var_names[i].name);
#undef PUT
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
        count = LW_M_COUNT + LW_ARRAY_LEN(measure_aliases);
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
        perr(p, col, "unknown %s '%.*s' at column %d (did you mean '%s'?)", what, shown, s, col,
             sug);
    else
        perr(p, col, "unknown %s '%.*s' at column %d", what, shown, s, col);
}

static int
parse_variable(parser *p, const token *t)
{
    const char *s = p->s + t->start;
    size_t n = t->len, i;
    char name[64];
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
                perr(p, t->col, "unknown measure '%s' in '%s' at column %d (did you mean "
                     "'baseline.%s'?)", name + 9, name, t->col, sug);
            else
                perr(p, t->col, "unknown measure '%s' in '%s' at column %d", name + 9, name,
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
            perr(p, t->col, "'%s' at column %d is only available in %s", name, t->col,
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

static int parse_or(parser *p);

static int
need_number(parser *p, int idx)
{
    if (idx < 0)
        return -1;
    if (p->e->n[idx].is_bool) {
        perr(p, p->e->n[idx].col, "expected a number at column %d, not a condition",
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
        perr(p, p->e->n[idx].col, "expected a condition at column %d (a comparison such as "
             "'error_rate > 0.5'), not a number", p->e->n[idx].col);
        return -1;
    }
    return idx;
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
        if (next(p) < 0)
            return -1;
        return idx;
    case T_IDENT:
        idx = parse_variable(p, &t);
        if (idx < 0 || next(p) < 0)
            return -1;
        return idx;
    case T_LP:
        if (++p->depth > MAX_DEPTH) {
            perr(p, t.col, "expression nested too deeply at column %d", t.col);
            return -1;
        }
        if (next(p) < 0)
            return -1;
        idx = parse_or(p);
        if (idx < 0)
            return -1;
        if (p->tok.t != T_RP) {
            perr(p, p->tok.col, "expected ')' at column %d", p->tok.col);
            return -1;
        }
        p->depth--;
        p->e->n[idx].col = t.col;   /* a group is reported at its '(' */
        if (next(p) < 0)
            return -1;
        return idx;
    default:
        tok_text(p, &t, what, sizeof(what));
        if (t.t == T_END)
            perr(p, t.col, "expected a number, a measure or '(' at column %d", t.col);
        else
            perr(p, t.col, "expected a number, a measure or '(' at column %d, not %s", t.col,
                 what);
        return -1;
    }
}

static int
parse_unary(parser *p)
{
    token t = p->tok;
    int a;

    if (t.t == T_MINUS || t.t == T_PLUS) {
        if (++p->depth > MAX_DEPTH) {
            perr(p, t.col, "expression nested too deeply at column %d", t.col);
            return -1;
        }
        if (next(p) < 0)
            return -1;
        a = need_number(p, parse_unary(p));
        p->depth--;
        if (a < 0)
            return -1;
        return t.t == T_PLUS ? a : add_node(p, N_NEG, t.col, a, -1);
    }
    return parse_primary(p);
}

static int
parse_product(parser *p)
{
    int a = parse_unary(p), b, col;
    ttype op;

    while (a >= 0 && (p->tok.t == T_STAR || p->tok.t == T_SLASH)) {
        op = p->tok.t;
        col = p->tok.col;
        if (need_number(p, a) < 0 || next(p) < 0)
            return -1;
        b = need_number(p, parse_unary(p));
        if (b < 0)
            return -1;
        a = add_node(p, op == T_STAR ? N_MUL : N_DIV, col, a, b);
        if (a >= 0)
            p->e->n[a].col = p->e->n[p->e->n[a].a].col;
    }
    return a;
}

static int
parse_sum(parser *p)
{
    int a = parse_product(p), b, col;
    ttype op;

    while (a >= 0 && (p->tok.t == T_PLUS || p->tok.t == T_MINUS)) {
        op = p->tok.t;
        col = p->tok.col;
        if (need_number(p, a) < 0 || next(p) < 0)
            return -1;
        b = need_number(p, parse_product(p));
        if (b < 0)
            return -1;
        a = add_node(p, op == T_PLUS ? N_ADD : N_SUB, col, a, b);
        if (a >= 0)
            p->e->n[a].col = p->e->n[p->e->n[a].a].col;
    }
    return a;
}

/* Pre-order walk from node i; calls fn until it returns non-zero. */
static int
walk(const lw_expr *e, int i, int (*fn)(const lw_expr *, int, void *), void *ud)
{
    int r;

    if (i < 0)
        return 0;
    r = fn(e, i, ud);
    if (r)
        return r;
    r = walk(e, e->n[i].a, fn, ud);
    if (r)
        return r;
    return walk(e, e->n[i].b, fn, ud);
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

static lw_measure
subtree_measure(const lw_expr *e, int i)
{
    lw_measure m = LW_M_NONE;

    walk(e, i, find_measure, &m);
    return m;
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
    int a = parse_sum(p), b, idx;
    token op;
    struct resolve r;

    if (a < 0 || p->tok.t != T_CMP)
        return a;
    op = p->tok;
    if (need_number(p, a) < 0 || next(p) < 0)
        return -1;
    b = need_number(p, parse_sum(p));
    if (b < 0)
        return -1;
    if (p->tok.t == T_CMP) {
        perr(p, p->tok.col, "comparisons cannot be chained at column %d; join them with 'and'",
             p->tok.col);
        return -1;
    }
    idx = add_node(p, N_CMP, p->e->n[a].col, a, b);
    if (idx < 0)
        return -1;
    p->e->n[idx].cmp = op.cmp;
    /* a bare `baseline` is the baseline of the measure it is compared with */
    r.m = subtree_measure(p->e, a);
    if (r.m == LW_M_NONE)
        r.m = subtree_measure(p->e, b);
    if (r.m != LW_M_NONE)
        walk(p->e, idx, resolve_baseline, &r);
    return idx;
}

static int
parse_not(parser *p)
{
    token t = p->tok;
    int a;

    if (t.t != T_NOT)
        return parse_comparison(p);
    if (++p->depth > MAX_DEPTH) {
        perr(p, t.col, "expression nested too deeply at column %d", t.col);
        return -1;
    }
    if (next(p) < 0)
        return -1;
    a = need_condition(p, parse_not(p));
    p->depth--;
    if (a < 0)
        return -1;
    return add_node(p, N_NOT, t.col, a, -1);
}

static int
parse_and(parser *p)
{
    int a = parse_not(p), b;

    while (a >= 0 && p->tok.t == T_AND) {
        if (need_condition(p, a) < 0 || next(p) < 0)
            return -1;
        b = need_condition(p, parse_not(p));
        if (b < 0)
            return -1;
        a = add_node(p, N_AND, p->e->n[a].col, a, b);
    }
    return a;
}

static int
parse_or(parser *p)
{
    int a = parse_and(p), b;

    while (a >= 0 && p->tok.t == T_OR) {
        if (need_condition(p, a) < 0 || next(p) < 0)
            return -1;
        b = need_condition(p, parse_and(p));
        if (b < 0)
            return -1;
        a = add_node(p, N_OR, p->e->n[a].col, a, b);
    }
    return a;
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
        perr(&p, 1, "the expression is empty");
        goto cleanup;
    }
    if (strlen(text) > MAX_TEXT) {
        perr(&p, MAX_TEXT + 1, "the expression is longer than %d characters", MAX_TEXT);
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
    if (next(&p) < 0)
        goto cleanup;
    root = parse_or(&p);
    if (root < 0)
        goto cleanup;
    if (p.tok.t != T_END) {
        tok_text(&p, &p.tok, what, sizeof(what));
        if (p.tok.t == T_RP)
            perr(&p, p.tok.col, "unmatched ')' at column %d", p.tok.col);
        else
            perr(&p, p.tok.col, "unexpected %s at column %d", what, p.tok.col);
        goto cleanup;
    }
    un = walk(e, root, first_unresolved, NULL);
    if (un > 0) {
        int col = e->n[un - 1].col;

        perr(&p, col, "'baseline' at column %d has no measure to compare with; write "
             "baseline.<measure>, e.g. baseline.avg_latency", col);
        goto cleanup;
    }
    if ((flags & LW_EXPR_CONDITION) && !e->n[root].is_bool) {
        perr(&p, 1, "the expression must be a condition (a comparison such as "
             "'error_rate > 0.5') at column 1");
        goto cleanup;
    }
    e->root = root;
    e->primary = walk(e, root, find_cmp, NULL) - 1;
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

const char *
lw_expr_text(const lw_expr *e)
{
    return e ? e->text : NULL;
}

int
lw_expr_is_condition(const lw_expr *e)
{
    return e != NULL && e->n[e->root].is_bool;
}

unsigned
lw_expr_var_kinds(const lw_expr *e)
{
    unsigned k = 0;
    int i;

    for (i = 0; e && i < e->count; i++)
        if (e->n[i].t == N_VAR)
            k |= 1u << e->n[i].var.kind;
    return k;
}

uint32_t
lw_expr_measures(const lw_expr *e)
{
    uint32_t m = 0;
    int i;

    for (i = 0; e && i < e->count; i++)
        if (e->n[i].t == N_VAR && e->n[i].var.kind == LW_VAR_MEASURE)
            m |= UINT32_C(1) << e->n[i].var.measure;
    return m;
}

static int
find_direct_measure(const lw_expr *e, int i, void *ud)
{
    const node *n = &e->n[i];

    (void) ud;
    return n->t == N_VAR && n->var.kind == LW_VAR_MEASURE ? i + 1 : 0;
}

lw_measure
lw_expr_first_measure(const lw_expr *e)
{
    int i;

    if (e == NULL)
        return LW_M_NONE;
    i = walk(e, e->root, find_direct_measure, NULL);
    return i > 0 ? e->n[i - 1].var.measure : LW_M_NONE;
}

/* ---- formatting ---- */

static int
format_node(const lw_expr *e, int i, lw_buf *b)
{
    const node *n = &e->n[i];
    const char *op = NULL;
    int rc = LW_OK;

    switch (n->t) {
    case N_NUM:
        return lw_buf_printf(b, "%.10g", n->num);
    case N_VAR:
        switch (n->var.kind) {
        case LW_VAR_MEASURE:
            return lw_buf_puts(b, lw_measure_name(n->var.measure));
        case LW_VAR_BASELINE:
            if (n->var.measure == LW_M_RULE_METRIC)
                return lw_buf_puts(b, "baseline.metric");
            return lw_buf_printf(b, "baseline.%s", lw_measure_name(n->var.measure));
        case LW_VAR_SLA_TARGET: return lw_buf_puts(b, "sla_target");
        case LW_VAR_METRIC:     return lw_buf_puts(b, "metric");
        case LW_VAR_MEAN:       return lw_buf_puts(b, "mean");
        case LW_VAR_STDDEV:     return lw_buf_puts(b, "std_dev");
        case LW_VAR_SLOPE:      return lw_buf_puts(b, "linear_regression_slope");
        }
        return LW_EINVAL;
    case N_NEG:
    case N_NOT:
        rc = lw_buf_puts(b, n->t == N_NEG ? "(-" : "(not ");
        if (rc == LW_OK)
            rc = format_node(e, n->a, b);
        return rc == LW_OK ? lw_buf_putc(b, ')') : rc;
    case N_ADD: op = " + "; break;
    case N_SUB: op = " - "; break;
    case N_MUL: op = " * "; break;
    case N_DIV: op = " / "; break;
    case N_AND: op = " and "; break;
    case N_OR:  op = " or "; break;
    case N_CMP: op = NULL; break;
    }
    rc = lw_buf_putc(b, '(');
    if (rc == LW_OK)
        rc = format_node(e, n->a, b);
    if (rc == LW_OK) {
        if (op != NULL)
            rc = lw_buf_puts(b, op);
        else
            rc = lw_buf_printf(b, " %s ", lw_expr_cmp_name(n->cmp));
    }
    if (rc == LW_OK)
        rc = format_node(e, n->b, b);
    return rc == LW_OK ? lw_buf_putc(b, ')') : rc;
}

int
lw_expr_format(const lw_expr *e, lw_buf *out)
{
    if (e == NULL)
        return LW_EINVAL;
    return format_node(e, e->root, out);
}

/* ---- evaluation ---- */

typedef struct {
    int    known;
    double v;
} val;

typedef struct {
    const lw_expr  *e;
    lw_expr_lookup  lookup;
    void           *ud;
    double          scale;
    lw_expr_result *out;
} evalctx;

static val
mk(int known, double v)
{
    val r;

    r.known = known && isfinite(v);
    r.v = r.known ? v : NAN;
    return r;
}

static val
eval_node(evalctx *c, int i)
{
    const node *n = &c->e->n[i];
    val a, b;
    double v;
    int t;

    switch (n->t) {
    case N_NUM:
        return mk(1, n->num);
    case N_VAR:
        v = NAN;
        if (c->lookup == NULL || c->lookup(c->ud, &n->var, &v) != 1)
            return mk(0, NAN);
        return mk(1, v);
    case N_NEG:
        a = eval_node(c, n->a);
        return mk(a.known, -a.v);
    case N_NOT:
        a = eval_node(c, n->a);
        return mk(a.known, a.v == 0.0 ? 1.0 : 0.0);
    case N_AND:
    case N_OR:
        a = eval_node(c, n->a);
        b = eval_node(c, n->b);
        if (n->t == N_AND) {
            if ((a.known && a.v == 0.0) || (b.known && b.v == 0.0))
                return mk(1, 0.0);
            return mk(a.known && b.known, 1.0);
        }
        if ((a.known && a.v != 0.0) || (b.known && b.v != 0.0))
            return mk(1, 1.0);
        return mk(a.known && b.known, 0.0);
    default:
        break;
    }
    a = eval_node(c, n->a);
    b = eval_node(c, n->b);
    switch (n->t) {
    case N_ADD: return mk(a.known && b.known, a.v + b.v);
    case N_SUB: return mk(a.known && b.known, a.v - b.v);
    case N_MUL: return mk(a.known && b.known, a.v * b.v);
    case N_DIV: return mk(a.known && b.known && b.v != 0.0, a.v / b.v);
    case N_CMP:
        if (i == c->e->primary) {
            if (b.known)
                b.v *= c->scale;
            b = mk(b.known, b.v);
            c->out->has_cmp = 1;
            c->out->cmp = n->cmp;
            c->out->lhs = a.v;
            c->out->rhs = b.v;
            c->out->lhs_measure = subtree_measure(c->e, n->a);
        }
        if (!a.known || !b.known)
            return mk(0, NAN);
        switch (n->cmp) {
        case LW_CMP_LT: t = a.v < b.v; break;
        case LW_CMP_LE: t = a.v <= b.v; break;
        case LW_CMP_GT: t = a.v > b.v; break;
        case LW_CMP_GE: t = a.v >= b.v; break;
        case LW_CMP_EQ: t = a.v == b.v; break;
        default:        t = a.v != b.v; break;
        }
        return mk(1, t ? 1.0 : 0.0);
    default:
        return mk(0, NAN);
    }
}

int
lw_expr_eval_scaled(const lw_expr *e, lw_expr_lookup lookup, void *ud, double rhs_scale,
                    lw_expr_result *out)
{
    evalctx c;
    val v;

    if (out == NULL)
        return LW_EINVAL;
    memset(out, 0, sizeof(*out));
    out->lhs = out->rhs = out->value = NAN;
    out->lhs_measure = LW_M_NONE;
    if (e == NULL)
        return LW_EINVAL;
    c.e = e;
    c.lookup = lookup;
    c.ud = ud;
    c.scale = rhs_scale;
    c.out = out;
    v = eval_node(&c, e->root);
    out->known = v.known;
    out->value = v.v;
    out->truth = v.known && e->n[e->root].is_bool && v.v != 0.0;
    return LW_OK;
}

int
lw_expr_eval(const lw_expr *e, lw_expr_lookup lookup, void *ud, lw_expr_result *out)
{
    return lw_expr_eval_scaled(e, lookup, ud, 1.0, out);
}
