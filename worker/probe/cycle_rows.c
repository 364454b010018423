/* cycle_rows.c: what a probe cycle writes: one COPY row per request (or
 * per case a configuration error kept from running) and the JSON of the
 * model versions the providers named, for lib/db/cycle.c to store. */
#include "probe/cycle_impl.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "db/cycle.h"

/* One row: r NULL for a configuration error (no request was made). Column
 * order as lw_db_cycle_store lists them. */
int
lw_cycle_copy_row(lw_buf *b, const char *ts, const struct sel *s, long long cycle, const char *case_id,
                  const lw_probe_result *r)
{
    char cost[64];
    int rc = LW_OK;

    rc |= lw_buf_printf(b, "%s\t%lld\t%lld\t%lld\t", ts, s->model_id, s->env_id, cycle);
    rc |= lw_db_cycle_copy_text(b, s->suite_name, 200);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, case_id, 200);
    rc |= lw_buf_putc(b, '\t');
    if (r == NULL) {
        rc |= lw_buf_puts(b, "\\N\tf\tconfig\t");
        rc |= lw_db_cycle_copy_text(b, s->cfg_err, MSG_MAX);
        /* http_status ttft total in out estimated decode e2e cost quality,
         * then the stream's 14 columns */
        rc |= lw_buf_puts(b, "\t\\N\t\\N\t\\N\t0\t0\tf\t\\N\t\\N\t0\t\\N");
        rc |= lw_buf_puts(b, "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
                             "\t\\N\t\\N\n");
        return rc == LW_OK ? LW_OK : LW_ENOMEM;
    }
    rc |= lw_db_cycle_copy_text(b, r->probe_id, 64);
    rc |= lw_buf_printf(b, "\t%s\t", r->ok ? "t" : "f");
    rc |= lw_db_cycle_copy_text(b, r->ok ? NULL : lw_probe_errclass_name(r->err_class), 32);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->ok || r->error_msg[0] == '\0' ? NULL : r->error_msg, MSG_MAX);
    if (r->http_status > 0 && r->http_status < 1000)
        rc |= lw_buf_printf(b, "\t%ld", r->http_status);
    else
        rc |= lw_buf_puts(b, "\t\\N");
    rc |= lw_db_cycle_copy_num(b, r->ttft_ms, r->ttft_ms >= 0, "%.3f");
    rc |= lw_db_cycle_copy_num(b, r->total_ms, r->total_ms >= 0, "%.3f");
    rc |= lw_buf_printf(b, "\t%lld\t%lld\t%s", (long long) r->input_tokens,
                        (long long) r->output_tokens, r->tokens_estimated ? "t" : "f");
    rc |= lw_db_cycle_copy_num(b, r->decode_tps, r->decode_tps >= 0, "%.4f");
    rc |= lw_db_cycle_copy_num(b, r->e2e_tps, r->e2e_tps >= 0, "%.4f");
    if (r->cost_pico >= 0 && lw_pico_to_decimal(r->cost_pico, cost, sizeof(cost)) == LW_OK)
        rc |= lw_buf_printf(b, "\t%s", cost);
    else
        rc |= lw_buf_puts(b, "\t\\N");
    rc |= lw_db_cycle_copy_num(b, r->quality, r->quality >= 0 && r->quality <= 100, "%.3f");
    /* what the stream was */
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, lw_answer_kind_name(r->outcome), 16);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->finish_norm, 32);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->finish_reason[0] ? r->finish_reason : NULL, 64);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->block_reason[0] ? r->block_reason : NULL, 64);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->answer, LW_PROBE_ANSWER_MAX);
    rc |= lw_db_cycle_copy_num(b, r->first_output_ms, r->first_output_ms >= 0, "%.3f");
    if (r->reasoning_tokens >= 0 && r->reasoning_tokens <= INT32_MAX)
        rc |= lw_buf_printf(b, "\t%lld", (long long) r->reasoning_tokens);
    else
        rc |= lw_buf_puts(b, "\t\\N");
    rc |= lw_db_cycle_copy_num(b, r->connect_ms, r->connect_ms >= 0, "%.3f");
    rc |= lw_db_cycle_copy_num(b, r->tls_ms, r->tls_ms >= 0, "%.3f");
    rc |= lw_db_cycle_copy_num(b, r->headers_ms, r->headers_ms >= 0, "%.3f");
    rc |= lw_db_cycle_copy_num(b, r->max_gap_ms, r->max_gap_ms >= 0, "%.3f");
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->stream_end >= 0 ? lw_stream_end_name((lw_stream_end)
                                                                           r->stream_end) : NULL, 16);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->model_version[0] ? r->model_version : NULL, 128);
    rc |= lw_buf_putc(b, '\t');
    rc |= lw_db_cycle_copy_text(b, r->system_fingerprint[0] ? r->system_fingerprint : NULL, 128);
    rc |= lw_buf_putc(b, '\n');
    return rc == LW_OK ? LW_OK : LW_ENOMEM;
}

/* The version each model answered with in this round: the most frequent
 * (model_version, system_fingerprint) of its successful probes (a
 * provider may serve a few backends at once; the usual one is its
 * version), as lw_db_cycle_store takes them. NULL when none was reported. */
char *
lw_cycle_versions_json(const struct sel *sel, size_t n_sel, const lw_probe_job *jobs,
                       const size_t *job_sel, size_t n_jobs, const char *at)
{
    json_object *arr = json_object_new_array(), *v;
    const lw_probe_result *r, *q, *best;
    size_t i, k, j, cnt, best_n;
    char *out = NULL;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < n_sel; i++) {
        best = NULL;
        best_n = 0;
        for (k = 0; k < n_jobs; k++) {
            r = &jobs[k].result;
            if (job_sel[k] != i || !r->ok || (r->model_version[0] == '\0' &&
                                              r->system_fingerprint[0] == '\0'))
                continue;
            for (j = k, cnt = 0; j < n_jobs; j++) {
                q = &jobs[j].result;
                cnt += job_sel[j] == i && q->ok && strcmp(q->model_version, r->model_version) == 0
                       && strcmp(q->system_fingerprint, r->system_fingerprint) == 0;
            }
            if (cnt > best_n) {
                best = r;
                best_n = cnt;
            }
        }
        if (best == NULL || (v = json_object_new_object()) == NULL)
            continue;
        json_object_array_add(arr, v);
        json_object_object_add(v, "model_id", json_object_new_int64(sel[i].model_id));
        json_object_object_add(v, "environment_id", json_object_new_int64(sel[i].env_id));
        json_object_object_add(v, "model_version", best->model_version[0] ?
                               json_object_new_string(best->model_version) : NULL);
        json_object_object_add(v, "system_fingerprint", best->system_fingerprint[0] ?
                               json_object_new_string(best->system_fingerprint) : NULL);
        json_object_object_add(v, "probes", json_object_new_int64((int64_t) best_n));
        json_object_object_add(v, "at", json_object_new_string(at));
    }
    if (json_object_array_length(arr) > 0)
        out = lw_strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
    json_object_put(arr);
    return out;
}
