/* summary.c: what a probe cycle amounts to: the per-model figures
 * PostgreSQL computes over its rows (lib/db/cycle.c), one line per model
 * for people, a JSON summary for job_runs.details, and the scheduled probe
 * jobs built on lw_cycle_once. */
#include "probe/cycle.h"

#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cycle.h"
#include "fmt.h"
#include "money.h"

/* ---- summary ------------------------------------------------------------------ */

static double
dbl_or_nan(const PGresult *res, int row, int col)
{
    return lw_db_isnull(res, row, col) ? NAN : lw_db_double(res, row, col);
}

/* Row r of lw_db_cycle_summary into its model's figures. */
static void
take_summary(lw_cycle_model *m, const PGresult *res, int r)
{
    m->n = (long) lw_db_int(res, r, 2);
    m->ok = (long) lw_db_int(res, r, 3);
    m->ttft_p50_ms = dbl_or_nan(res, r, 4);
    m->total_p50_ms = dbl_or_nan(res, r, 5);
    m->decode_tps = dbl_or_nan(res, r, 6);
    m->e2e_tps = dbl_or_nan(res, r, 7);
    m->quality = dbl_or_nan(res, r, 8);
    if (lw_money_parse(lw_db_str(res, r, 9), &m->cost_micros) != LW_OK)
        m->cost_micros = 0;
}

/* Row r of lw_db_cycle_errors (a class of failures) into its model's. */
static void
take_errors(lw_cycle_model *m, const PGresult *res, int r)
{
    size_t len = strlen(m->errors);

    snprintf(m->errors + len, sizeof(m->errors) - len, "%s%s %lld", len ? ", " : "",
             lw_db_str(res, r, 2) ? lw_db_str(res, r, 2) : "unknown", lw_db_int(res, r, 3));
    if (m->first_error[0] == '\0' && lw_db_str(res, r, 4) != NULL)
        lw_strlcpy(m->first_error, lw_db_str(res, r, 4), sizeof(m->first_error));
}

/* Each row of res to the model it is about (its first two columns are
 * the model and environment ids); takes res. */
static int
per_model(lw_cycle *c, PGresult *res, void (*take)(lw_cycle_model *, const PGresult *, int))
{
    size_t i;
    int r;

    if (res == NULL)
        return LW_EDB;
    for (r = 0; r < PQntuples(res); r++)
        for (i = 0; i < c->n_models; i++)
            if (c->models[i].model_id == lw_db_int(res, r, 0) &&
                c->models[i].environment_id == lw_db_int(res, r, 1))
                take(&c->models[i], res, r);
    PQclear(res);
    return LW_OK;
}

int
lw_cycle_summarize(lw_db *db, lw_cycle *c, lw_err *err)
{
    lw_cycle_model *m;
    size_t i;

    for (i = 0; i < c->n_models; i++) {
        m = &c->models[i];
        m->n = m->ok = 0;
        m->ttft_p50_ms = m->total_p50_ms = m->decode_tps = m->e2e_tps = m->quality = NAN;
        m->cost_micros = 0;
        m->errors[0] = m->first_error[0] = '\0';
    }
    if (per_model(c, lw_db_cycle_summary(db, err, c->cycle_id, c->since), take_summary) != LW_OK)
        return LW_EDB;
    return per_model(c, lw_db_cycle_errors(db, err, c->cycle_id, c->since), take_errors);
}

void
lw_cycle_model_line(const lw_cycle_model *m, char *buf, size_t size)
{
    char a[32], b[32], cost[40];
    size_t len;

    snprintf(buf, size, "%s: %ld/%ld ok", m->name, m->ok, m->n);
    len = strlen(buf);
    if (m->ok > 0 && len < size) {
        lw_fmt_ms(m->ttft_p50_ms, a, sizeof(a));
        lw_fmt_ms(m->total_p50_ms, b, sizeof(b));
        snprintf(buf + len, size - len, ", TTFT p50 %s, total p50 %s", a, b);
        len = strlen(buf);
        if (isfinite(m->decode_tps))
            snprintf(buf + len, size - len, ", %.1f tok/s decode", m->decode_tps);
        else if (isfinite(m->e2e_tps))
            snprintf(buf + len, size - len, ", %.1f tok/s end-to-end", m->e2e_tps);
        len = strlen(buf);
        if (isfinite(m->quality))
            snprintf(buf + len, size - len, ", quality %.1f", m->quality);
        len = strlen(buf);
        if (lw_money_format_fine(m->cost_micros, cost, sizeof(cost)) == LW_OK)
            snprintf(buf + len, size - len, ", cost %s", cost);
    }
    len = strlen(buf);
    if (m->errors[0] != '\0' && len < size) {
        snprintf(buf + len, size - len, ", errors: %s", m->errors);
        len = strlen(buf);
        if (m->first_error[0] != '\0' && len < size)
            snprintf(buf + len, size - len, " (%s)", m->first_error);
    }
}

int
lw_cycle_details_json(const lw_cycle *c, lw_buf *out)
{
    json_object *root = json_object_new_object(), *models = json_object_new_object(), *m;
    size_t i;
    int rc;

    if (root == NULL || models == NULL) {
        json_object_put(root);
        json_object_put(models);
        return LW_ENOMEM;
    }
    json_object_object_add(root, "cycle_id", json_object_new_int64(c->cycle_id));
    json_object_object_add(root, "probes", json_object_new_int64((int64_t) c->n_probes));
    json_object_object_add(root, "ok", json_object_new_int64((int64_t) c->n_ok));
    json_object_object_add(root, "engine_ms", json_object_new_double(round(c->ms_engine * 10) / 10));
    json_object_object_add(root, "models", models);
    for (i = 0; i < c->n_models; i++) {
        m = json_object_new_object();
        if (m == NULL)
            break;
        json_object_object_add(m, "n", json_object_new_int64(c->models[i].n));
        json_object_object_add(m, "ok", json_object_new_int64(c->models[i].ok));
        if (c->models[i].errors[0] != '\0')
            json_object_object_add(m, "errors", json_object_new_string(c->models[i].errors));
        json_object_object_add(models, c->models[i].name, m);
    }
    rc = lw_buf_puts(out, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
    return rc;
}

/* ---- the scheduled jobs ----------------------------------------------------------- */

static int
job_cycle(lw_job_ctx *ctx, lw_cycle_opts *o)
{
    lw_cycle c;
    char line[768];
    size_t i;
    int rc;

    if (ctx->cfg == NULL) {
        lw_err_set(&ctx->err, "no configuration loaded: nothing to probe");
        return LW_EINVAL;
    }
    o->iterations = 1;
    o->timeout_s = ctx->timeout_s;
    o->scheduled = 1;
    o->slot = ctx->slot;
    rc = lw_cycle_once(ctx->db, ctx->cfg, o, &c, &ctx->err);
    if (rc == LW_OK) {
        for (i = 0; i < c.n_models; i++) {
            lw_cycle_model_line(&c.models[i], line, sizeof(line));
            lw_log(c.models[i].ok == c.models[i].n ? LW_LOG_INFO : LW_LOG_WARN, "%s", line);
        }
        rc = lw_cycle_details_json(&c, &ctx->details);
    }
    lw_cycle_free(&c);
    return rc;
}

int
lw_job_probe(lw_job_ctx *ctx)
{
    lw_cycle_opts o;

    memset(&o, 0, sizeof(o));
    o.kind = LW_CYCLE_PROBE;
    if (ctx->cfg != NULL)
        o.default_suite = ctx->cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].suite;
    return job_cycle(ctx, &o);
}

int
lw_job_full_benchmark(lw_job_ctx *ctx)
{
    lw_cycle_opts o;

    memset(&o, 0, sizeof(o));
    o.kind = LW_CYCLE_FULL_BENCHMARK;
    o.suite = "comprehensive";
    if (ctx->cfg != NULL && ctx->cfg->jobs[LW_JOB_FULL_BENCHMARK].suite != NULL)
        o.suite = ctx->cfg->jobs[LW_JOB_FULL_BENCHMARK].suite;
    return job_cycle(ctx, &o);
}
