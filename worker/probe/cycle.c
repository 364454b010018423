/* cycle.c: one probe cycle from configuration to stored rows: model
 * ids, suites and API keys resolved, one lw_probe_job per model x case x
 * iteration, one lw_probe_run for all of them, one transaction with a COPY
 * of every row (then the values of the suites' custom scorers), then the
 * per-model summary computed in PostgreSQL. */
#include "probe/cycle.h"
#include "probe/cycle_impl.h"

#include <errno.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "money.h"
#include "db/custom.h"
#include "db/cycle.h"
#include "eval/eval.h"
#include "probe/lease.h"
#include "probe/probe.h"
#include "sync.h"

#define DEFAULT_TIMEOUT_S 60

static const char *const kind_names[] = { "probe", "full_benchmark", "baseline" };

struct suite_ent {
    const char *name;              /* as requested (borrowed from config/opts) */
    lw_suite   *s;
    char        err[1100];
};

static double
ms_since(int64_t t0)
{
    return (double) (lw_now_mono_us() - t0) / 1000.0;
}

/* "YYYY-MM-DD HH:MM:SS.ffffff+00" of a wall-clock time in microseconds. */
static void
fmt_ts(int64_t wall_us, char *buf, size_t size)
{
    time_t s = (time_t) (wall_us / 1000000);
    struct tm tm;
    char day[20];

    gmtime_r(&s, &tm);
    if (strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0)
        day[0] = '\0';
    snprintf(buf, size, "%s.%06u+00", day, (unsigned) (wall_us % 1000000));
}

/* ---- begin / end ---------------------------------------------------------- */

static int
begin(lw_db *db, lw_cycle_kind kind, const char *suite, int iterations, int adhoc,
      lw_cycle *out, lw_err *err)
{
    memset(out, 0, sizeof(*out));
    out->adhoc = adhoc;
    if (lw_db_cycle_begin(db, err, kind_names[kind], suite, iterations, adhoc,
                          &out->cycle_id) != LW_OK)
        return LW_EDB;
    /* the local clock stamps the rows; summaries look back from here */
    fmt_ts(lw_now_wall_us() - INT64_C(3600) * 1000000, out->since, sizeof(out->since));
    return LW_OK;
}

int
lw_cycle_begin(lw_db *db, const lw_config *cfg, lw_cycle_kind kind, const char *suite,
               int iterations, lw_cycle *out, lw_err *err)
{
    (void) cfg;
    return begin(db, kind, suite, iterations, 1, out, err);
}

int
lw_cycle_end(lw_db *db, lw_cycle *c, const char *error, lw_err *err)
{
    return lw_db_cycle_end(db, err, c->cycle_id, error);
}

void
lw_cycle_free(lw_cycle *c)
{
    free(c->models);
    c->models = NULL;
    c->n_models = 0;
}

/* ---- selection ------------------------------------------------------------ */

static int
wanted(const lw_cycle_opts *o, const lw_config_model *m)
{
    size_t i;

    if (o->models == NULL || o->n_models == 0)
        return m->enabled;
    for (i = 0; i < o->n_models; i++)
        if (strcmp(o->models[i], m->name) == 0)
            return 1;       /* named on the command line: probed even when disabled */
    return 0;
}

int
lw_cycle_model_ids(lw_db *db, const lw_config_model *const *models, size_t n, long long *ids,
                   long long *envs, lw_err *err)
{
    json_object *arr = json_object_new_array(), *pair;
    PGresult *res = NULL;
    size_t i;
    long long k;
    int rc = LW_ENOMEM, r;

    if (arr == NULL)
        goto cleanup;
    for (i = 0; i < n; i++) {
        ids[i] = 0;
        if (envs != NULL)
            envs[i] = 0;
        pair = json_object_new_array();
        if (pair == NULL || json_object_array_add(arr, pair) != 0) {
            json_object_put(pair);
            goto cleanup;
        }
        json_object_array_add(pair, json_object_new_string(models[i]->environment));
        json_object_array_add(pair, json_object_new_string(models[i]->name));
    }
    res = lw_db_cycle_model_ids(db, err, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
    if (res == NULL) {
        rc = LW_EDB;
        goto cleanup;
    }
    for (r = 0; r < PQntuples(res); r++) {
        k = lw_db_int(res, r, 0);
        if (k >= 0 && (size_t) k < n) {
            ids[k] = lw_db_int(res, r, 1);
            if (envs != NULL)
                envs[k] = lw_db_int(res, r, 2);
        }
    }
    rc = LW_OK;
cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    PQclear(res);
    json_object_put(arr);
    return rc;
}

/* The ids of the models of sel; the models found get theirs, *missing
 * counts the others. */
static int
lookup_ids(lw_db *db, struct sel *sel, size_t n, size_t *missing, lw_err *err)
{
    const lw_config_model **ms = calloc(n ? n : 1, sizeof(*ms));
    long long *ids = calloc(n ? n : 1, sizeof(*ids)), *envs = calloc(n ? n : 1, sizeof(*envs));
    size_t i;
    int rc = LW_ENOMEM;

    if (ms == NULL || ids == NULL || envs == NULL) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < n; i++)
        ms[i] = sel[i].m;
    if ((rc = lw_cycle_model_ids(db, ms, n, ids, envs, err)) != LW_OK)
        goto cleanup;
    for (i = 0, *missing = 0; i < n; i++) {
        if (ids[i] != 0) {
            sel[i].model_id = ids[i];
            sel[i].env_id = envs[i];
        }
        *missing += sel[i].model_id == 0;
    }
cleanup:
    free(ms);
    free(ids);
    free(envs);
    return rc;
}

/* The models' ids. An ad-hoc run may name models the database does not
 * know (another configuration file): they are recorded disabled, as
 * source 'adhoc' (lw_db_cycle_adhoc_models), never synced. */
static int
resolve_ids(lw_db *db, struct sel *sel, size_t n, int adhoc, lw_err *err)
{
    json_object *arr = NULL, *m;
    size_t i, missing = 0;
    int rc;

    if ((rc = lookup_ids(db, sel, n, &missing, err)) != LW_OK || missing == 0)
        return rc;
    if (adhoc && (arr = json_object_new_array()) != NULL) {
        for (i = 0; i < n; i++) {
            if (sel[i].model_id != 0 || (m = json_object_new_object()) == NULL)
                continue;
            json_object_array_add(arr, m);
            json_object_object_add(m, "environment", json_object_new_string(sel[i].m->environment));
            json_object_object_add(m, "name", json_object_new_string(sel[i].m->name));
            json_object_object_add(m, "provider",
                                   json_object_new_string(lw_config_provider_name(sel[i].m->provider)));
            json_object_object_add(m, "model", json_object_new_string(sel[i].m->model));
            json_object_object_add(m, "base_url",
                                   json_object_new_string(sel[i].m->base_url ? sel[i].m->base_url : ""));
        }
        rc = lw_db_cycle_adhoc_models(db, err, json_object_to_json_string_ext(arr,
                                                                        JSON_C_TO_STRING_PLAIN));
        json_object_put(arr);
        if (rc < 0)
            return LW_EDB;
        if ((rc = lookup_ids(db, sel, n, &missing, err)) != LW_OK)
            return rc;
    }
    for (i = 0; i < n; i++) {
        if (sel[i].model_id == 0) {
            lw_err_set(err, "model %s (environment %s) is not in the database", sel[i].m->name,
                       sel[i].m->environment);
            return LW_ENOTFOUND;
        }
    }
    return LW_OK;
}

static struct suite_ent *
suite_get(struct suite_ent *cache, size_t *n, const char *name)
{
    struct suite_ent *e;
    lw_err err;
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(cache[i].name, name) == 0)
            return &cache[i];
    e = &cache[(*n)++];
    e->name = name;
    e->s = NULL;
    e->err[0] = '\0';
    if (lw_suite_load(name, &e->s, &err) != LW_OK) {
        snprintf(e->err, sizeof(e->err), "suite %.64s: %.1000s", name, err.msg);
        e->s = NULL;
    } else if (e->s->n_cases == 0) {
        snprintf(e->err, sizeof(e->err), "suite %.64s has no cases", name);
    }
    return e;
}

/* Can requests be built for this model? (An unusable base_url, say, must
 * not stop the other models: lw_probe_run refuses a batch with a job it
 * cannot build.) */
static void
check_buildable(struct sel *s)
{
    const lw_provider_ops *prov = lw_provider_find(lw_config_provider_name(s->m->provider));
    lw_probe_req rq;
    lw_http_req hr;
    lw_err err;

    if (prov == NULL) {
        snprintf(s->cfg_err, sizeof(s->cfg_err), "unknown provider %s",
                 lw_config_provider_name(s->m->provider));
        return;
    }
    memset(&rq, 0, sizeof(rq));
    memset(&hr, 0, sizeof(hr));
    rq.base_url = s->m->base_url;
    rq.model = s->m->model;
    rq.api_key = s->key;
    rq.prompt = s->suite->cases[0].prompt;
    rq.max_tokens = s->suite->cases[0].max_tokens;
    rq.tools_json = s->suite->cases[0].tools_json;
    rq.probe_id = "0";
    if (lw_provider_build(prov, &rq, &hr, &err) != LW_OK)
        lw_strlcpy(s->cfg_err, err.msg, sizeof(s->cfg_err));
    lw_http_req_free(&hr);
}

/* Room for `want` sockets: raises the soft descriptor limit when it can;
 * returns how many concurrent requests the limit allows. */
static int
fd_budget(int want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t) want + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        return rl.rlim_cur > 96 ? (int) rl.rlim_cur - 64 : 32;
    return want;
}

/* ---- one round ---------------------------------------------------------------- */

/* The custom scorers of the suite and of case j run on each answer of
 * the cycle (never on a failed probe: there is nothing to measure), one
 * custom_metrics row each into rows: the value, or the failure's class so
 * a broken scorer shows instead of vanishing. Run one after the other,
 * after the probes: their timeouts bound how long that takes. */
static void
score_custom(json_object *rows, const struct sel *s, size_t j, const lw_probe_result *r,
             const char *ts)
{
    const lw_suite_case *sc = &s->suite->cases[j];
    const lw_custom_scorer *cs;
    const char *reply = r->text != NULL && r->text[0] != '\0' ? r->text : r->answer;
    json_object *row;
    lw_err err;
    double v;
    size_t i;
    int rc;

    for (i = 0; r->ok && i < s->suite->n_custom + sc->n_custom; i++) {
        cs = i < s->suite->n_custom ? &s->suite->custom[i] : &sc->custom[i - s->suite->n_custom];
        rc = lw_scorer_custom_run(cs, reply, sc->reference_answer, sc->id, &v, &err);
        if (rc != LW_OK)
            lw_log(LW_LOG_WARN, "model %s case %s: %s", s->m->name, sc->id, err.msg);
        row = json_object_new_object();
        json_object_object_add(row, "ts", json_object_new_string(ts));
        json_object_object_add(row, "model_id", json_object_new_int64(s->model_id));
        json_object_object_add(row, "environment_id", json_object_new_int64(s->env_id));
        json_object_object_add(row, "name", json_object_new_string(cs->name));
        json_object_object_add(row, "value", rc == LW_OK ? json_object_new_double(v) : NULL);
        json_object_object_add(row, "failure", rc == LW_OK ? NULL
                               : json_object_new_string(lw_scorer_custom_failure(rc)));
        json_object_object_add(row, "case_id", json_object_new_string(sc->id));
        json_object_object_add(row, "request_id", json_object_new_string(r->probe_id));
        json_object_array_add(rows, row);
    }
}

static int
oom(lw_err *err)
{
    lw_err_set(err, "out of memory");
    return LW_ENOMEM;
}

/* The models of the cycle: those of every round so far (a shared slot's
 * rounds each take other models; baseline rounds the same ones). */
static int
models_init(lw_cycle *c, const struct sel *sel, size_t n)
{
    lw_cycle_model *grown;
    size_t i, j, add = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < c->n_models && c->models[j].model_id != sel[i].model_id; j++)
            ;
        add += j == c->n_models;
    }
    if (c->models != NULL && add == 0)
        return LW_OK;
    grown = realloc(c->models, (c->n_models + add + 1) * sizeof(*c->models));
    if (grown == NULL)
        return LW_ENOMEM;
    c->models = grown;
    for (i = 0; i < n; i++) {
        for (j = 0; j < c->n_models && c->models[j].model_id != sel[i].model_id; j++)
            ;
        if (j < c->n_models)
            continue;
        memset(&c->models[j], 0, sizeof(c->models[j]));
        c->models[j].name = sel[i].m->name;
        c->models[j].model_id = sel[i].model_id;
        c->models[j].environment_id = sel[i].env_id;
        c->n_models++;
    }
    return LW_OK;
}

/* Writes a round's rows. A round of a shared slot holds its models'
 * leases for a while: a database that went away (a restart, a failover
 * to a standby) is waited for, since the rows would be probed again by
 * another host anyway; the fence refuses them if that happened already. */
static int
store(lw_db *db, const lw_cycle_opts *o, lw_cycle *c, const lw_buf *rows, size_t n_rows,
      size_t n_ok, size_t n_sel, const char *versions, lw_err *err)
{
    int64_t until = lw_now_mono_us() + INT64_C(120) * 1000000;
    int rc;

    for (;;) {
        rc = lw_db_cycle_store(db, err, c->cycle_id, rows, n_rows, n_ok, n_sel, c->ms_engine,
                               versions);
        if (rc == LW_OK || o->slot == 0 || strstr(err->msg, "probe lease lost") != NULL
            || lw_now_mono_us() > until)
            return rc;
        lw_log(LW_LOG_WARN, "storing the round: %s (retrying)", err->msg);
        sleep(1);
    }
}

int
lw_cycle_run(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c, lw_err *err)
{
    struct sel *sel = NULL;
    struct suite_ent *cache = NULL;
    size_t n_cache = 0, n_sel = 0, n_jobs = 0, n_rows = 0, n_ok = 0, i, j, k, it;
    lw_probe_job *jobs = NULL;
    size_t *job_sel = NULL, *job_case = NULL;
    char *versions = NULL;
    json_object *custom = json_object_new_array();
    long long stored, known;
    lw_probe_opts popts;
    lw_buf rows = { 0 };
    int64_t t0 = lw_now_mono_us(), t1, mono_now, wall_now, sum_conc = 0;
    int iterations = o->iterations > 0 ? o->iterations : 1, rc = LW_ENOMEM, timeout_s;
    char ts[40], now_ts[40];

    for (i = 0; i < o->n_models && o->models != NULL; i++) {
        if (lw_config_find_model(cfg, o->models[i]) == NULL) {
            lw_err_set(err, "no model named '%s' in %s", o->models[i],
                       cfg->path ? cfg->path : "the configuration");
            rc = LW_ENOTFOUND;
            goto cleanup;
        }
    }
    if (custom == NULL) {
        rc = oom(err);
        goto cleanup;
    }
    sel = calloc(cfg->n_models ? cfg->n_models : 1, sizeof(*sel));
    cache = calloc(cfg->n_models + 1, sizeof(*cache));
    if (sel == NULL || cache == NULL) {
        rc = oom(err);
        goto cleanup;
    }
    for (i = 0; i < cfg->n_models; i++)
        if (wanted(o, &cfg->models[i]))
            sel[n_sel++].m = &cfg->models[i];
    if (n_sel == 0) {
        lw_err_set(err, "no enabled model to probe");
        rc = LW_ENOTFOUND;
        goto cleanup;
    }
    rc = resolve_ids(db, sel, n_sel, c->adhoc, err);
    if (rc != LW_OK)
        goto cleanup;
    if (models_init(c, sel, n_sel) != LW_OK) {
        rc = oom(err);
        goto cleanup;
    }

    /* suites, keys, and how many requests */
    for (i = 0; i < n_sel; i++) {
        struct sel *s = &sel[i];
        const char *want = o->suite ? o->suite : s->m->suite ? s->m->suite
                           : o->default_suite ? o->default_suite : cfg->probe_suite;
        struct suite_ent *e = suite_get(cache, &n_cache, want);
        const char *v;

        s->suite_name = e->s != NULL && e->s->name != NULL ? e->s->name : want;
        if (e->err[0] != '\0') {
            lw_strlcpy(s->cfg_err, e->err, sizeof(s->cfg_err));
            continue;
        }
        s->suite = e->s;
        if (s->m->api_key_env != NULL) {
            v = getenv(s->m->api_key_env);
            if (v == NULL || *v == '\0') {
                snprintf(s->cfg_err, sizeof(s->cfg_err), "%s is %s", s->m->api_key_env,
                         v == NULL ? "not set" : "empty");
                continue;
            }
            s->key = v;
        }
        check_buildable(s);
        if (s->cfg_err[0] != '\0')
            continue;
        n_jobs += s->suite->n_cases * (size_t) iterations;
        sum_conc += s->suite->n_cases * (size_t) iterations < (size_t) s->m->max_concurrency
                    ? (int64_t) (s->suite->n_cases * (size_t) iterations) : s->m->max_concurrency;
    }

    jobs = calloc(n_jobs ? n_jobs : 1, sizeof(*jobs));
    job_sel = calloc(n_jobs ? n_jobs : 1, sizeof(*job_sel));
    job_case = calloc(n_jobs ? n_jobs : 1, sizeof(*job_case));
    if (jobs == NULL || job_sel == NULL || job_case == NULL) {
        rc = oom(err);
        goto cleanup;
    }
    /* iterations outermost: each model's first requests start first */
    for (it = 0, k = 0; it < (size_t) iterations; it++) {
        for (i = 0; i < n_sel; i++) {
            struct sel *s = &sel[i];

            if (s->cfg_err[0] != '\0')
                continue;
            timeout_s = s->m->timeout > 0 ? (int) s->m->timeout
                        : o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S;
            for (j = 0; j < s->suite->n_cases; j++, k++) {
                lw_probe_job *jb = &jobs[k];
                const lw_suite_case *sc = &s->suite->cases[j];

                jb->provider = lw_config_provider_name(s->m->provider);
                jb->base_url = s->m->base_url;
                jb->model = s->m->model;
                jb->api_key = s->key;
                jb->prompt = sc->prompt;
                jb->tools_json = sc->tools_json;
                jb->max_tokens = sc->max_tokens;
                jb->group = s->m->name;
                jb->max_concurrency = s->m->max_concurrency;
                jb->timeout_ms = timeout_s > 86400 ? 86400000 : timeout_s * 1000;
                jb->price_in_micros_per_mtok = s->m->price_input_micros;
                jb->price_out_micros_per_mtok = s->m->price_output_micros;
                jb->scorer = &sc->scorer;
                job_sel[k] = i;
                job_case[k] = j;
            }
        }
    }

    memset(&popts, 0, sizeof(popts));
    /* every model at once: the limits are per model, not overall */
    popts.max_total = fd_budget(sum_conc > 0 ? (int) (sum_conc < 100000 ? sum_conc : 100000) : 1);
    popts.timeout_ms = (o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S) * 1000;
    t1 = lw_now_mono_us();
    c->ms_prepare = (double) (t1 - t0) / 1000.0;
    if (n_jobs > 0) {
        rc = lw_probe_run(jobs, n_jobs, &popts, err);
        if (rc != LW_OK)
            goto cleanup;
    }
    c->ms_engine = ms_since(t1);

    /* rows: the request's wall time from its monotonic send time */
    t1 = lw_now_mono_us();
    mono_now = lw_now_mono_us();
    wall_now = lw_now_wall_us();
    fmt_ts(wall_now, now_ts, sizeof(now_ts));
    for (k = 0; k < n_jobs; k++) {
        const lw_probe_result *r = &jobs[k].result;
        struct sel *s = &sel[job_sel[k]];

        fmt_ts(wall_now - (mono_now - (r->t_sent_us ? r->t_sent_us : mono_now)), ts, sizeof(ts));
        if (lw_cycle_copy_row(&rows, ts, s, c->cycle_id, s->suite->cases[job_case[k]].id, r) != LW_OK) {
            rc = oom(err);
            goto cleanup;
        }
        score_custom(custom, s, job_case[k], r, ts);
        n_rows++;
        n_ok += r->ok ? 1 : 0;
    }
    for (i = 0; i < n_sel; i++) {
        struct sel *s = &sel[i];

        if (s->cfg_err[0] == '\0')
            continue;
        for (it = 0; it < (size_t) iterations; it++) {
            if (s->suite == NULL) {
                /* nothing to run at all: one row says why */
                if (lw_cycle_copy_row(&rows, now_ts, s, c->cycle_id, NULL, NULL) != LW_OK) {
                    rc = oom(err);
                    goto cleanup;
                }
                n_rows++;
                continue;
            }
            for (j = 0; j < s->suite->n_cases; j++, n_rows++) {
                if (lw_cycle_copy_row(&rows, now_ts, s, c->cycle_id, s->suite->cases[j].id, NULL) != LW_OK) {
                    rc = oom(err);
                    goto cleanup;
                }
            }
        }
    }
    versions = lw_cycle_versions_json(sel, n_sel, jobs, job_sel, n_jobs, now_ts);
    rc = store(db, o, c, &rows, n_rows, n_ok, n_sel, versions, err);
    if (rc != LW_OK)
        goto cleanup;
    if (json_object_array_length(custom) > 0
        && lw_db_custom_insert(db, err, json_object_to_json_string_ext(custom,
                               JSON_C_TO_STRING_PLAIN), "scorer", &stored, &known) != LW_OK) {
        rc = LW_EDB;
        goto cleanup;
    }
    c->n_probes += n_rows;
    c->n_ok += n_ok;
    c->ms_write = ms_since(t1);
    rc = LW_OK;
cleanup:
    for (k = 0; jobs != NULL && k < n_jobs; k++)
        lw_probe_result_free(&jobs[k].result);
    free(jobs);
    free(job_sel);
    free(job_case);
    free(versions);
    json_object_put(custom);
    for (i = 0; cache != NULL && i < n_cache; i++)
        lw_suite_free(cache[i].s);
    free(cache);
    free(sel);
    lw_buf_free(&rows);
    return rc;
}

/* The alert rules over the models the cycle just measured, right after
 * its rows committed: a threshold crossed is an alert (and a notification,
 * which wakes `notify --follow`) within seconds instead of at the evaluate
 * job's next minute; that job stays as the safety net (and evaluates every
 * model). Rule windows end at a whole second, (at - w, at]: waiting for the
 * next one puts every committed row inside. A failure is logged, never the
 * cycle's. */
static void
evaluate_measured(lw_db *db, const lw_cycle *c)
{
    lw_eval_result res;
    long long *ids;
    lw_pool *pool;
    int64_t now = lw_now_wall_us(), wait = 1000000 - now % 1000000;
    size_t i, n = 0;
    lw_err err;

    if (c->n_models == 0)
        return;
    ids = calloc(c->n_models, sizeof(*ids));
    pool = lw_pool_create();
    if (ids == NULL || pool == NULL) {
        free(ids);
        lw_pool_destroy(pool);
        return;
    }
    for (i = 0; i < c->n_models; i++)
        if (c->models[i].model_id > 0)
            ids[n++] = c->models[i].model_id;
    if (wait > 0) {
        struct timespec ts = { 0, (long) wait * 1000 };

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    if (n > 0 && lw_eval_run_models(db, pool, (time_t) ((now + wait) / 1000000), ids, n, &res,
                                    &err) == LW_OK) {
        if (res.transitions > 0)
            lw_log(LW_LOG_INFO, "evaluated after cycle %lld: %d change%s, %d notification%s queued",
                   c->cycle_id, res.transitions, res.transitions == 1 ? "" : "s", res.queued,
                   res.queued == 1 ? "" : "s");
        lw_eval_result_free(&res);
    } else if (n > 0) {
        lw_log(LW_LOG_WARN, "evaluating after cycle %lld: %s (the evaluate job will)", c->cycle_id,
               err.msg);
    }
    free(ids);
    lw_pool_destroy(pool);
}

int
lw_cycle_once(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c, lw_err *err)
{
    lw_sync_counts counts;
    lw_err ignored;
    int rc;

    memset(c, 0, sizeof(*c));
    /* the scheduler's own configuration is what the instance monitors:
     * its models exist (by environment and name) before rows point at them */
    if (o->scheduled && lw_sync_config(db, err, cfg, "config", &counts) != LW_OK)
        return LW_EDB;
    rc = begin(db, o->kind, o->suite ? o->suite : o->default_suite, o->iterations, !o->scheduled,
               c, err);
    if (rc != LW_OK)
        return rc;
    rc = o->scheduled && o->slot != 0 ? lw_lease_rounds(db, cfg, o, c, err)
                                       : lw_cycle_run(db, cfg, o, c, err);
    if (rc == LW_OK)
        rc = lw_cycle_summarize(db, c, err);
    lw_cycle_end(db, c, rc == LW_OK ? NULL : err->msg, &ignored);
    if (rc == LW_OK && o->scheduled)
        evaluate_measured(db, c);
    return rc;
}

