/* page_model_streams.c: the streams part of "/models/{id}": over the
 * page's range, what the model's answers were (text, tool calls, refusals,
 * blocked prompts, each error class), their finish reasons, how the
 * streams ended, the times to first output and to first answer token,
 * stalls and reasoning tokens; then its last answers and the model
 * versions it reported. The SQL is lib/db/streams.c. The part is
 * templates/model_streams.cs rendered on its own (fragment_layout.cs:
 * every template of the directory must parse as a page) into
 * Streams.html, which model.cs shows. */
#include "app.h"

#include <stdio.h>

#include "db/streams.h"
#include "render.h"

#define LAST_ANSWERS  10
#define LAST_VERSIONS 20

int
lw_page_model_streams(lw_req *r, long long model_id, long long from, long long to)
{
    lw_db *db = lw_req_db(r);
    PGresult *counts, *summary, *answers, *versions;
    const char *kind;
    lw_buf html = { 0 };
    char name[64];
    int i, k[3] = { 0, 0, 0 }, which, rc;

    if (db == NULL)
        return LW_EDB;
    counts = lw_req_keep(r, lw_db_streams_counts(db, &r->err, model_id, (time_t) from, (time_t) to));
    summary = counts ? lw_req_keep(r, lw_db_streams_summary(db, &r->err, model_id, (time_t) from,
                                                              (time_t) to))
              : NULL;
    answers = summary ? lw_req_keep(r, lw_db_streams_answers(db, &r->err, model_id,
                                                             LAST_ANSWERS)) : NULL;
    versions = answers ? lw_req_keep(r, lw_db_streams_versions(db, &r->err, model_id,
                                                               LAST_VERSIONS)) : NULL;
    if (versions == NULL)
        return LW_EDB;
    /* Streams.Outcomes, Streams.Finish, Streams.Ends: one list per kind */
    for (i = 0; i < PQntuples(counts); i++) {
        kind = lw_db_str(counts, i, 0);
        which = lw_streq(kind, "outcome") ? 0 : lw_streq(kind, "finish") ? 1 : 2;
        snprintf(name, sizeof(name), "Streams.%s.%d", which == 0 ? "Outcomes"
                 : which == 1 ? "Finish" : "Ends", k[which]++);
        lw_hdf_row(&r->page, name, counts, i);
    }
    if (PQntuples(summary) > 0)
        lw_hdf_row(&r->page, "Streams.Summary", summary, 0);
    lw_hdf_rows(&r->page, "Streams.Answers", answers);
    lw_hdf_rows(&r->page, "Streams.Versions", versions);
    /* every value went through var: (escaped) inside the part */
    rc = lw_render(&r->page, "model_streams", "fragment_layout", &html, &r->err);
    if (rc == LW_OK)
        lw_hdf_set(&r->page, "Streams.html", html.data ? html.data : "");
    lw_buf_free(&html);
    return rc;
}
