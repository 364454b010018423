/* silences.c: the SQL of silences (see silences.h). */
#include "db/silences.h"

#include "db/sql.h"

PGresult *
lw_db_silences_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT s.id, (SELECT string_agg(k || ' = ' || v, ', ' ORDER BY k)"
        "   FROM jsonb_each_text(s.matchers) AS j(k, v)) AS matchers,"
        " s.matchers->>'rule' AS m_rule, s.matchers->>'model' AS m_model,"
        " s.matchers->>'environment' AS m_environment, s.matchers->>'severity' AS m_severity,"
        " " TS("s.starts_at") " AS starts, " TS("s.ends_at") " AS ends,"
        " " TS("s.expired_at") " AS expired,"
        " extract(epoch FROM s.starts_at)::bigint AS starts_epoch,"
        " extract(epoch FROM s.ends_at)::bigint AS ends_epoch,"
        " s.recurrence, s.duration_s, lw_dur(s.duration_s) AS duration_h,"
        " lw_dur(extract(epoch FROM s.ends_at - s.starts_at)::bigint) AS length_h,"
        " s.comment, u.email AS created_by, " TS("s.created_at") " AS created,"
        " CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN 'expired'"
        "      WHEN s.starts_at > now() THEN 'upcoming'"
        "      WHEN s.recurrence IS NOT NULL THEN 'recurring' ELSE 'active' END AS status"
        " FROM silences s LEFT JOIN users u ON u.id = s.created_by"
        " ORDER BY CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN 3"
        "   WHEN s.starts_at > now() THEN 1 WHEN s.recurrence IS NOT NULL THEN 2 ELSE 0 END,"
        " CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN NULL ELSE s.starts_at END,"
        " coalesce(s.expired_at, s.ends_at) DESC, s.id DESC LIMIT 500", 0, NULL);
}

PGresult *
lw_db_silences_rule(lw_db *db, lw_err *err, long long rule_id)
{
    /* NULL model and environment: a silence with a matcher on either one
     * mutes only some of the rule's alerts */
    return lw_db_query_id(db, err,
        "SELECT " SILENCE_COLS("r.name", "NULL::text", "NULL::text", "r.severity")
        " FROM rules r WHERE r.id = $1::int", rule_id);
}

int
lw_db_silences_create(lw_db *db, lw_err *err, const lw_db_audit_who *who, const lw_db_silences_def *s,
                      long long *id)
{
    const char *p[9];
    lw_db_audit_room room;

    lw_db_audit_params(who, 0, &room, p);
    p[3] = s->matchers_json ? s->matchers_json : "{}";
    p[4] = s->starts_at;
    p[5] = s->ends_at;
    p[6] = s->duration_s;
    p[7] = s->recurrence;
    p[8] = s->comment ? s->comment : "";
    /* one-off: ends = starts + duration when no end is given; recurring:
     * windows of duration_s from starts_at until ends_at (ten years when
     * open-ended: "until someone expires it") */
    return lw_db_audit_change(db, err,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " t AS (SELECT coalesce($5::timestamptz, now()) AS st),"
        " up AS (INSERT INTO silences (matchers, starts_at, ends_at, recurrence, duration_s,"
        "   comment, created_by)"
        "  SELECT $4::jsonb, t.st,"
        "   coalesce($6::timestamptz, CASE WHEN $8::text IS NULL"
        "     THEN t.st + make_interval(secs => $7::int) ELSE t.st + interval '10 years' END),"
        "   $8, CASE WHEN $8::text IS NULL THEN NULL ELSE $7::int END, $9, $1::int FROM t"
        "  RETURNING id, to_jsonb(silences.*) AS j)"
        AUDIT_FROM_UP("'create'", "silence"), 9, p, id);
}

int
lw_db_silences_expire(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id)
{
    /* expired_at is the record; ends_at is also brought to now when the
     * silence has begun, for readers that only look at the interval */
    return lw_db_audit_change_row(db, err, who, id, -1,
        "WITH old AS (SELECT to_jsonb(s) AS j FROM silences s WHERE s.id = $4::int FOR UPDATE),"
        " up AS (UPDATE silences SET expired_at = now(),"
        "   ends_at = CASE WHEN starts_at < now() THEN least(ends_at, now()) ELSE ends_at END"
        "  FROM old WHERE id = $4::int AND expired_at IS NULL AND ends_at > now()"
        "  RETURNING id, to_jsonb(silences.*) AS j)"
        AUDIT_FROM_UP("'expire'", "silence"));
}
