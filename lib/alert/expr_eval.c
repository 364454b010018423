/* expr_eval.c: what can be asked of a parsed rule expression: the
 * variables and measures it uses, its canonical form, and its value under
 * a lookup of the variables (three-valued: missing data is "no data"). */
#include "alert/expr_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

size_t
lw_expr_customs(const lw_expr *e, const char **out, size_t max)
{
    size_t n = 0, j;
    int i;

    for (i = 0; e && i < e->count; i++) {
        if (e->n[i].t != N_VAR || e->n[i].var.kind != LW_VAR_CUSTOM)
            continue;
        for (j = 0; j < n && j < max; j++)
            if (strcmp(out[j], e->n[i].var.custom) == 0)
                break;
        if (j < n)
            continue;
        if (n < max)
            out[n] = e->n[i].var.custom;
        n++;
    }
    return n;
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
    i = lw_expr_walk(e, e->root, find_direct_measure, NULL);
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
        case LW_VAR_CUSTOM:     return lw_buf_printf(b, "custom.%s", n->var.custom);
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
            c->out->lhs_measure = lw_expr_subtree_measure(c->e, n->a);
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
