-- 005_web_alerting.sql: what the alerting pages of llmwatch-web need on top
-- of 001: durations for people in SQL, and finding the audit rows of one
-- object (the alert page's timeline shows who acknowledged it and when).

-- 900 -> '15m', 604800 -> '7d', 5400 -> '1h30m', 0 -> '0s'; NULL stays
-- NULL. The same form as lw_duration_format() in lib/duration.c.
CREATE FUNCTION lw_dur(s bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN s = 0 THEN '0s' WHEN s < 0 THEN s::text || 's' ELSE
        concat(CASE WHEN s >= 86400 THEN (s / 86400)::text || 'd' END,
               CASE WHEN s % 86400 >= 3600 THEN (s % 86400 / 3600)::text || 'h' END,
               CASE WHEN s % 3600 >= 60 THEN (s % 3600 / 60)::text || 'm' END,
               CASE WHEN s % 60 > 0 THEN (s % 60)::text || 's' END)
    END
$$;

CREATE INDEX IF NOT EXISTS audit_log_object ON audit_log (object_type, object_id, at);
