/* export.c: `llmwatch export`: probes or rollups of a date range as CSV,
 * JSON or JSON Lines, streamed from PostgreSQL's COPY straight into the
 * output file (memory stays constant whatever the number of rows), with a
 * progress bar when standard error is a terminal; `llmwatch export
 * grafana`: a Grafana dashboard of our dashboard's panels, over the
 * rollups (PostgreSQL data source) or over /metrics (Prometheus). */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "db/exports.h"
#include "times.h"

struct export_opts {
    const char *start, *end, *format, *model, *level, *output, *datasource, *title;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct export_opts *o = ctx;
    const char **const fields[] = {
        &o->start, &o->end, &o->format, &o->model, &o->level, &o->output, &o->datasource, &o->title
    };

    (void) cli;
    lw_cli_keep(ch, arg, "sefmlodt", fields);
    return 0;
}

/* ---- the data ---- */

struct sink {
    FILE     *f;
    int       tty;
    long long rows, total;
    int64_t   last_us, t0_us;
    size_t    bytes;
};

static void
progress(struct sink *s, int done)
{
    int64_t now = lw_now_mono_us();
    double frac = s->total > 0 ? (double) s->rows / (double) s->total : 1;
    char bar[31];
    int i, fill;

    if (!s->tty || (!done && now - s->last_us < 200000))
        return;
    s->last_us = now;
    if (frac > 1)
        frac = 1;
    fill = (int) (frac * 30);
    for (i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %3.0f%% %lld/%lld rows, %.1f MB, %.1f s", bar, frac * 100, s->rows,
            s->total, (double) s->bytes / 1e6, (double) (now - s->t0_us) / 1e6);
    if (done)
        fputc('\n', stderr);
}

static int
write_out(void *ctx, const char *data, size_t len)
{
    struct sink *s = ctx;

    if (fwrite(data, 1, len, s->f) != len)
        return -1;
    s->bytes += len;
    if (len > 0 && data[len - 1] == '\n' && (++s->rows & 4095) == 0)
        progress(s, 0);
    return 0;
}

/* A date or time; an end given as a bare date means the whole day. */
static int
parse_bound(lw_cli *cli, const char *what, const char *v, int end, long long *out)
{
    time_t t;

    if (v == NULL)
        return lw_cli_fail(cli, "--%s is required (YYYY-MM-DD)", what) ? -1 : -1;
    if (lw_time_parse(v, &t) != LW_OK) {
        lw_cli_fail(cli, "--%s '%s' is not a date (YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or Unix seconds)",
                    what, v);
        return -1;
    }
    *out = (long long) t + (end && strlen(v) == 10 ? 86400 : 0);
    return 0;
}

static int
export_data(lw_cli *cli, struct export_opts *o)
{
    lw_export_spec spec;
    long long rows = 0;
    struct sink s;
    lw_db *db;
    int rc, fmt;

    memset(&spec, 0, sizeof(spec));
    memset(&s, 0, sizeof(s));
    if (parse_bound(cli, "start-date", o->start, 0, &spec.from) != 0
        || parse_bound(cli, "end-date", o->end, 1, &spec.to) != 0)
        return 2;
    if (spec.from >= spec.to)
        return lw_cli_fail(cli, "--start-date must be before --end-date");
    fmt = lw_db_exports_format_parse(o->format ? o->format : "csv");
    if (fmt < 0)
        return lw_cli_fail(cli, "--format must be csv, json or jsonl, not '%s'", o->format);
    spec.format = (lw_export_format) fmt;
    spec.level = o->level ? o->level : "raw";
    if (!lw_db_exports_level_ok(spec.level))
        return lw_cli_fail(cli, "--level must be raw, 5m, 1h or 1d, not '%s'", spec.level);
    spec.model = o->model;
    if (o->output == NULL)
        return lw_cli_fail(cli, "--output FILE is required (- for standard output)");
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    s.tty = isatty(STDERR_FILENO) && strcmp(o->output, "-") != 0;
    if (s.tty && lw_db_exports_count(db, &cli->err, &spec, &s.total) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    s.f = strcmp(o->output, "-") == 0 ? stdout : fopen(o->output, "w");
    if (s.f == NULL)
        return lw_cli_fail(cli, "cannot write %s: %m", o->output);
    /* big writes: the file is written in 1 MiB pieces, not 4 KiB ones */
    setvbuf(s.f, NULL, _IOFBF, 1 << 20);
    s.t0_us = lw_now_mono_us();
    rc = lw_db_exports_run(db, &cli->err, &spec, write_out, &s, &rows);
    s.rows = rows;
    progress(&s, 1);
    if (s.f != stdout && fclose(s.f) != 0 && rc == LW_OK) {
        lw_err_set(&cli->err, "writing %s: %m", o->output);
        rc = LW_EIO;
    }
    if (rc != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (s.f != stdout)
        fprintf(stderr, "export: %lld rows (%s, %s) written to %s in %.1f s\n", s.rows,
                spec.level, o->format ? o->format : "csv", o->output,
                (double) (lw_now_mono_us() - s.t0_us) / 1e6);
    return 0;
}

/* ---- Grafana ---- */

static json_object *
datasource(int prom)
{
    json_object *d = json_object_new_object();

    json_object_object_add(d, "type", json_object_new_string(prom ? "prometheus"
                                                                   : "grafana-postgresql-datasource"));
    json_object_object_add(d, "uid", json_object_new_string("${DS_LLMWATCH}"));
    return d;
}

static json_object *
panel(const lw_grafana_panel *p, int id, int x, int y, int prom)
{
    json_object *o = json_object_new_object(), *fc = json_object_new_object(),
                *def = json_object_new_object(), *grid = json_object_new_object(),
                *targets = json_object_new_array(), *t = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "type", json_object_new_string(p->type));
    json_object_object_add(o, "title", json_object_new_string(p->title));
    json_object_object_add(o, "datasource", datasource(prom));
    json_object_object_add(grid, "x", json_object_new_int(x));
    json_object_object_add(grid, "y", json_object_new_int(y));
    json_object_object_add(grid, "w", json_object_new_int(p->w));
    json_object_object_add(grid, "h", json_object_new_int(p->h));
    json_object_object_add(o, "gridPos", grid);
    json_object_object_add(def, "unit", json_object_new_string(p->unit));
    json_object_object_add(fc, "defaults", def);
    json_object_object_add(fc, "overrides", json_object_new_array());
    json_object_object_add(o, "fieldConfig", fc);
    json_object_object_add(o, "options", json_object_new_object());
    json_object_object_add(t, "refId", json_object_new_string("A"));
    json_object_object_add(t, "datasource", datasource(prom));
    if (prom) {
        json_object_object_add(t, "expr", json_object_new_string(p->promql));
        json_object_object_add(t, "legendFormat", json_object_new_string(p->legend));
        json_object_object_add(t, "range", json_object_new_boolean(strcmp(p->type, "stat") != 0));
        json_object_object_add(t, "instant", json_object_new_boolean(strcmp(p->type, "stat") == 0));
    } else {
        json_object_object_add(t, "rawSql", json_object_new_string(p->sql));
        json_object_object_add(t, "rawQuery", json_object_new_boolean(1));
        json_object_object_add(t, "editorMode", json_object_new_string("code"));
        json_object_object_add(t, "format", json_object_new_string(
            strcmp(p->type, "timeseries") == 0 ? "time_series" : "table"));
    }
    json_object_array_add(targets, t);
    json_object_object_add(o, "targets", targets);
    return o;
}

static json_object *
dashboard(int prom, const char *title)
{
    json_object *d = json_object_new_object(), *panels = json_object_new_array(), *tpl, *list,
                *var, *in, *inputs, *tm, *cur;
    const lw_grafana_panel *p;
    size_t n, i;
    int x = 0, y = 0, rowh = 0;

    p = lw_db_exports_grafana(&n);
    inputs = json_object_new_array();
    in = json_object_new_object();
    json_object_object_add(in, "name", json_object_new_string("DS_LLMWATCH"));
    json_object_object_add(in, "label", json_object_new_string(prom ? "llmwatch Prometheus"
                                                                    : "llmwatch PostgreSQL"));
    json_object_object_add(in, "type", json_object_new_string("datasource"));
    json_object_object_add(in, "pluginId", json_object_new_string(prom ? "prometheus"
                                                                       : "grafana-postgresql-datasource"));
    json_object_object_add(in, "pluginName", json_object_new_string(prom ? "Prometheus" : "PostgreSQL"));
    json_object_array_add(inputs, in);
    json_object_object_add(d, "__inputs", inputs);
    json_object_object_add(d, "title", json_object_new_string(title));
    json_object_object_add(d, "uid", json_object_new_string(prom ? "llmwatch-prometheus" : "llmwatch-postgres"));
    json_object_object_add(d, "description", json_object_new_string(prom
        ? "llmwatch: the panels of its dashboard, from its /metrics scraped by Prometheus."
        : "llmwatch: the panels of its dashboard, from its rollups in PostgreSQL."));
    json_object_object_add(d, "tags", json_object_new_array());
    json_object_array_add(json_object_object_get(d, "tags"), json_object_new_string("llmwatch"));
    json_object_object_add(d, "schemaVersion", json_object_new_int(39));
    json_object_object_add(d, "version", json_object_new_int(1));
    json_object_object_add(d, "editable", json_object_new_boolean(1));
    json_object_object_add(d, "refresh", json_object_new_string("1m"));
    json_object_object_add(d, "timezone", json_object_new_string("utc"));
    tm = json_object_new_object();
    json_object_object_add(tm, "from", json_object_new_string("now-24h"));
    json_object_object_add(tm, "to", json_object_new_string("now"));
    json_object_object_add(d, "time", tm);
    /* $model: every model, or one */
    var = json_object_new_object();
    json_object_object_add(var, "name", json_object_new_string("model"));
    json_object_object_add(var, "label", json_object_new_string("Model"));
    json_object_object_add(var, "type", json_object_new_string("query"));
    json_object_object_add(var, "datasource", datasource(prom));
    json_object_object_add(var, "query", json_object_new_string(
        prom ? "label_values(llmwatch_model_info, model)" : lw_db_exports_grafana_models_sql()));
    json_object_object_add(var, "definition", json_object_new_string(
        prom ? "label_values(llmwatch_model_info, model)" : lw_db_exports_grafana_models_sql()));
    json_object_object_add(var, "refresh", json_object_new_int(1));
    json_object_object_add(var, "includeAll", json_object_new_boolean(1));
    json_object_object_add(var, "multi", json_object_new_boolean(0));
    json_object_object_add(var, "allValue", json_object_new_string(prom ? ".*" : "%"));
    cur = json_object_new_object();
    json_object_object_add(cur, "text", json_object_new_string("All"));
    json_object_object_add(cur, "value", json_object_new_string("$__all"));
    json_object_object_add(var, "current", cur);
    list = json_object_new_array();
    json_object_array_add(list, var);
    tpl = json_object_new_object();
    json_object_object_add(tpl, "list", list);
    json_object_object_add(d, "templating", tpl);
    for (i = 0; i < n; i++) {
        if (x + p[i].w > 24) {
            x = 0;
            y += rowh;
            rowh = 0;
        }
        json_object_array_add(panels, panel(&p[i], (int) i + 1, x, y, prom));
        x += p[i].w;
        if (p[i].h > rowh)
            rowh = p[i].h;
    }
    json_object_object_add(d, "panels", panels);
    return d;
}

static int
export_grafana(lw_cli *cli, struct export_opts *o)
{
    const char *ds = o->datasource ? o->datasource : "postgres";
    json_object *d;
    FILE *f;
    int prom, rc = 0;

    if (strcmp(ds, "postgres") != 0 && strcmp(ds, "prometheus") != 0)
        return lw_cli_fail(cli, "--datasource must be postgres or prometheus, not '%s'", ds);
    prom = strcmp(ds, "prometheus") == 0;
    if (o->output == NULL)
        return lw_cli_fail(cli, "--output FILE is required (- for standard output)");
    d = dashboard(prom, o->title ? o->title : "LLM monitoring (llmwatch)");
    f = strcmp(o->output, "-") == 0 ? stdout : fopen(o->output, "w");
    if (f == NULL) {
        json_object_put(d);
        return lw_cli_fail(cli, "cannot write %s: %m", o->output);
    }
    if (fputs(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE),
              f) < 0 || fputc('\n', f) == EOF)
        rc = 1;
    if (f != stdout && fclose(f) != 0)
        rc = 1;
    json_object_put(d);
    if (rc != 0)
        return lw_cli_fail(cli, "writing %s failed", o->output);
    if (f != stdout)
        fprintf(stderr, "export grafana: a %s dashboard written to %s: in Grafana, Dashboards > New > "
                "Import, and choose your %s data source\n", prom ? "Prometheus" : "PostgreSQL",
                o->output, prom ? "Prometheus" : "PostgreSQL (the llmwatch database)");
    return 0;
}

int
lw_cmd_export(lw_cli *cli)
{
    static const char opts[] = "start-date:s end-date:e format:f model:m level:l output:o "
                               "datasource:d title:t";
    struct export_opts o;
    const char *sub = lw_cli_subcommand(cli);
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (sub != NULL && strcmp(sub, "grafana") == 0)
        return export_grafana(cli, &o);
    if (sub != NULL) {
        fprintf(stderr, "llmwatch export: unknown subcommand '%s'\n", sub);
        return lw_cli_usage(cli, stderr, 1);
    }
    return export_data(cli, &o);
}
