-- 013_dataout.sql: what data leaving llmwatch needs (Prometheus and
-- OpenTelemetry histograms, a public status page, alerts within seconds,
-- channels edited in the web interface).
--
--  * Rollups gain four histograms so /metrics can expose the
--    OpenTelemetry GenAI histograms of token usage (input, output), of
--    time per output token and of time to first chunk (first output,
--    reasoning included) without reading raw probes, and the count of
--    each normalised finish reason (finish_counts, in the order of
--    lw_finish_reasons()). Token counts use
--    buckets of one doubling with INCLUSIVE upper bounds (bucket 0 holds
--    0 and 1, bucket k >= 1 holds (2^(k-1), 2^k]): the OpenTelemetry
--    boundaries 1, 4, 16 ... 4^13 are powers of two, so the cumulative
--    count at each of them is exact (Prometheus `le` is inclusive too).
--    Time per output token (1 / decode rate, ms) and the first output
--    (ms) use the latency histogram of 006.
--  * models.status_page: the model is shown on the public /status page.
--  * notifications.crossed_at: when the probe that made an alert fire
--    completed, so the time from a crossing to its notification leaving
--    is measured (/metrics, docs/benchmarks.md).
--  * NOTIFY llmwatch_outbox when notification rows are written, so a
--    notifier waiting on LISTEN delivers them at once (`llmwatch notify
--    --follow`); the timers stay as the safety net.
--  * NOTIFY llmwatch_data on channels and notifications changes (/status
--    and the channel pages are cached by their readers).

-- ---- token and time-per-token histograms -----------------------------------
-- The bucket of a token count: 0 for n <= 1, else k with 2^(k-1) < n <= 2^k.
CREATE FUNCTION lw_tok_bucket(n bigint) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN n <= 1 THEN 0
                ELSE 65 - position('1' IN (n - 1)::bit(64)::text) END
$$;

-- The normalised finish reasons of probes.finish_reason in a fixed order
-- (worker/probe/result.c normalises them); app/page_metrics.c has the
-- same list.
CREATE FUNCTION lw_finish_reasons() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['stop', 'length', 'tool_calls', 'content_filter', 'refusal', 'safety', 'other']
$$;

ALTER TABLE rollups
    ADD COLUMN in_tok_hist   integer[] NOT NULL DEFAULT '{}',  -- every probe with a count
    ADD COLUMN out_tok_hist  integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN tpot_hist     integer[] NOT NULL DEFAULT '{}',  -- ok probes with a decode rate
    ADD COLUMN fo_hist       integer[] NOT NULL DEFAULT '{}',  -- ok probes, first output
    -- probes with a finish reason, by reason; '{}' when none
    ADD COLUMN finish_counts integer[] NOT NULL DEFAULT '{}';
ALTER TYPE lw_rollup_row
    ADD ATTRIBUTE in_tok_hist integer[],
    ADD ATTRIBUTE out_tok_hist integer[],
    ADD ATTRIBUTE tpot_hist integer[],
    ADD ATTRIBUTE fo_hist integer[],
    ADD ATTRIBUTE finish_counts integer[];

-- The functions of 008_read_path.sql with the new columns added at
-- the end of every row (everything else as it was).
CREATE OR REPLACE FUNCTION lw_rollup_compute(p_step interval, p_from timestamptz, p_to timestamptz,
                                  p_models integer[] DEFAULT NULL)
RETURNS SETOF lw_rollup_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH src AS MATERIALIZED (
        SELECT date_bin(p_step, p.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b,
               p.model_id AS mid, p.environment_id AS eid, p.ok, p.error_class,
               p.total_ms, p.ttft_ms, p.input_tokens, p.output_tokens, p.cost_usd,
               p.quality_score, p.decode_tps, p.outcome, p.reasoning_tokens,
               p.first_output_ms, p.max_gap_ms, p.stream_end, p.finish_reason
          FROM probes p
         WHERE p.ts >= p_from AND p.ts < p_to
           AND (p_models IS NULL OR p.model_id = ANY (p_models))),
    agg AS (
        SELECT b, mid, eid,
               count(*)::integer AS n,
               count(*) FILTER (WHERE NOT ok)::integer AS e,
               count(total_ms) FILTER (WHERE ok)::integer AS tn,
               coalesce(sum(total_ms) FILTER (WHERE ok), 0) AS ts_,
               coalesce(sum(total_ms * total_ms) FILTER (WHERE ok), 0) AS tss,
               max(total_ms) FILTER (WHERE ok) AS tmax,
               coalesce(sum(ttft_ms) FILTER (WHERE ok), 0) AS fs,
               count(ttft_ms) FILTER (WHERE ok)::integer AS fn,
               coalesce(sum(input_tokens), 0)::bigint AS itok,
               coalesce(sum(output_tokens), 0)::bigint AS otok,
               coalesce(sum(cost_usd), 0) AS cost,
               coalesce(sum(quality_score), 0)::float8 AS qs,
               count(quality_score)::integer AS qn,
               coalesce(sum(decode_tps) FILTER (WHERE ok), 0) AS tps,
               count(decode_tps) FILTER (WHERE ok)::integer AS tpn,
               CASE WHEN count(*) FILTER (WHERE NOT ok) = 0 THEN '{}'::integer[] ELSE ARRAY[
                   count(*) FILTER (WHERE NOT ok AND error_class = 'timeout'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'connect'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'tls'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'http_4xx'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'rate_limited'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'http_5xx'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'protocol'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'empty'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'auth'),
                   count(*) FILTER (WHERE NOT ok AND error_class = 'config'),
                   count(*) FILTER (WHERE NOT ok AND (error_class IS NULL
                       OR error_class <> ALL (lw_error_classes())))]::integer[] END AS ec,
               count(*) FILTER (WHERE ok AND outcome = 'refusal')::integer AS rf,
               count(*) FILTER (WHERE ok AND outcome = 'blocked')::integer AS bl,
               count(*) FILTER (WHERE ok AND outcome = 'tool_call')::integer AS tc,
               coalesce(sum(reasoning_tokens), 0)::bigint AS rt,
               count(reasoning_tokens)::integer AS rn,
               coalesce(sum(first_output_ms) FILTER (WHERE ok), 0) AS fos,
               count(first_output_ms) FILTER (WHERE ok)::integer AS fon,
               max(max_gap_ms) FILTER (WHERE ok) AS gmax,
               count(*) FILTER (WHERE ok AND max_gap_ms >= 2000)::integer AS st,
               count(*) FILTER (WHERE stream_end IS NOT NULL AND stream_end <> 'clean')::integer AS uc,
               CASE WHEN count(finish_reason) = 0 THEN '{}'::integer[] ELSE ARRAY[
                   count(*) FILTER (WHERE finish_reason = 'stop'),
                   count(*) FILTER (WHERE finish_reason = 'length'),
                   count(*) FILTER (WHERE finish_reason = 'tool_calls'),
                   count(*) FILTER (WHERE finish_reason = 'content_filter'),
                   count(*) FILTER (WHERE finish_reason = 'refusal'),
                   count(*) FILTER (WHERE finish_reason = 'safety'),
                   count(*) FILTER (WHERE finish_reason IS NOT NULL
                       AND finish_reason <> ALL (lw_finish_reasons()))]::integer[] END AS fc
          FROM src GROUP BY b, mid, eid),
    -- every histogram in one pass: (bucket, model, env, which, k) counts
    hk AS (
        SELECT b, mid, eid, w, k, count(*) AS c
          FROM (SELECT b, mid, eid, 't' AS w, lw_lat_bucket(total_ms) AS k
                  FROM src WHERE ok AND total_ms IS NOT NULL
                UNION ALL
                SELECT b, mid, eid, 'f', lw_lat_bucket(ttft_ms)
                  FROM src WHERE ok AND ttft_ms IS NOT NULL
                UNION ALL
                SELECT b, mid, eid, 'i', lw_tok_bucket(input_tokens)
                  FROM src WHERE input_tokens IS NOT NULL
                UNION ALL
                SELECT b, mid, eid, 'o', lw_tok_bucket(output_tokens)
                  FROM src WHERE output_tokens IS NOT NULL
                UNION ALL
                SELECT b, mid, eid, 'p', lw_lat_bucket(1000.0 / decode_tps)
                  FROM src WHERE ok AND decode_tps > 0
                UNION ALL
                SELECT b, mid, eid, 'q', lw_lat_bucket(first_output_ms)
                  FROM src WHERE ok AND first_output_ms IS NOT NULL) x
         GROUP BY 1, 2, 3, 4, 5),
    hh AS (
        SELECT b, mid, eid,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 't'), array_agg(c) FILTER (WHERE w = 't')) AS th,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'f'), array_agg(c) FILTER (WHERE w = 'f')) AS fh,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'i'), array_agg(c) FILTER (WHERE w = 'i')) AS ih,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'o'), array_agg(c) FILTER (WHERE w = 'o')) AS oh,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'p'), array_agg(c) FILTER (WHERE w = 'p')) AS ph,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'q'), array_agg(c) FILTER (WHERE w = 'q')) AS qh
          FROM hk GROUP BY b, mid, eid)
    SELECT agg.b, agg.mid, agg.eid, agg.n, agg.e, agg.tn, agg.ts_, agg.tss, agg.tmax,
           agg.fs, agg.fn, agg.itok, agg.otok, agg.cost, agg.qs, agg.qn, agg.tps, agg.tpn,
           agg.ec, coalesce(hh.th, '{}'), coalesce(hh.fh, '{}'),
           agg.rf, agg.bl, agg.tc, agg.rt, agg.rn, agg.fos, agg.fon, agg.gmax, agg.st, agg.uc,
           coalesce(hh.ih, '{}'), coalesce(hh.oh, '{}'), coalesce(hh.ph, '{}'),
           coalesce(hh.qh, '{}'), agg.fc
      FROM agg
      LEFT JOIN hh ON hh.b = agg.b AND hh.mid = agg.mid AND hh.eid = agg.eid
$$;

CREATE OR REPLACE FUNCTION lw_rollup_merge(p_src text, p_from timestamptz, p_to timestamptz,
                                p_step interval, p_models integer[] DEFAULT NULL)
RETURNS SETOF lw_rollup_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_step IS NULL THEN p_from
                ELSE date_bin(p_step, r.bucket_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') END,
           r.model_id, r.environment_id,
           sum(r.count)::integer, sum(r.errors)::integer, sum(r.total_n)::integer,
           sum(r.sum_total_ms), sum(r.sumsq_total_ms), max(r.max_total_ms),
           sum(r.sum_ttft_ms), sum(r.ttft_n)::integer,
           sum(r.input_tokens)::bigint, sum(r.output_tokens)::bigint, sum(r.cost_usd),
           sum(r.quality_sum), sum(r.quality_n)::integer, sum(r.tps_sum), sum(r.tps_n)::integer,
           lw_hist_sum(r.error_counts), lw_hist_sum(r.total_hist), lw_hist_sum(r.ttft_hist),
           sum(r.refusals)::integer, sum(r.blocked)::integer, sum(r.tool_calls)::integer,
           sum(r.reasoning_tokens)::bigint, sum(r.reasoning_n)::integer,
           sum(r.first_output_sum), sum(r.first_output_n)::integer, max(r.max_gap_ms),
           sum(r.stalls)::integer, sum(r.unclean)::integer,
           lw_hist_sum(r.in_tok_hist), lw_hist_sum(r.out_tok_hist), lw_hist_sum(r.tpot_hist),
           lw_hist_sum(r.fo_hist), lw_hist_sum(r.finish_counts)
      FROM rollups r
     WHERE r.resolution = p_src AND r.bucket_start >= p_from AND r.bucket_start < p_to
       AND (p_models IS NULL OR r.model_id = ANY (p_models))
     GROUP BY 1, 2, 3
$$;

CREATE OR REPLACE FUNCTION lw_rollup_read(p_models integer[], p_from timestamptz, p_to timestamptz,
                               p_step interval DEFAULT NULL)
RETURNS SETOF lw_rollup_row
LANGUAGE plpgsql STABLE AS $$
DECLARE
    o CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    f5 timestamptz := date_bin('5 minutes', p_from, o);
    t5 timestamptz := date_bin('5 minutes', p_to - interval '1 microsecond', o) + interval '5 minutes';
    fh timestamptz;
    th timestamptz;
    fd timestamptz;
    td timestamptz;
    src text;
BEGIN
    IF p_step IS NOT NULL THEN
        src := CASE WHEN extract(epoch FROM p_step)::bigint % 86400 = 0 THEN '1d'
                    WHEN extract(epoch FROM p_step)::bigint % 3600 = 0 THEN '1h'
                    ELSE '5m' END;
        RETURN QUERY SELECT * FROM lw_rollup_merge(src, p_from, p_to, p_step, p_models);
        RETURN;
    END IF;
    -- whole days inside, whole hours inside the rest, 5-minute buckets left
    fd := date_bin('1 day', f5 - interval '1 microsecond', o) + interval '1 day';
    td := date_bin('1 day', t5, o);
    fh := date_bin('1 hour', f5 - interval '1 microsecond', o) + interval '1 hour';
    th := date_bin('1 hour', t5, o);
    IF fd >= td THEN
        fd := NULL;
    END IF;
    IF fh >= th THEN
        fh := NULL;
    END IF;
    RETURN QUERY
    SELECT p_from, x.model_id, x.environment_id,
           sum(x.count)::integer, sum(x.errors)::integer, sum(x.total_n)::integer,
           sum(x.sum_total_ms), sum(x.sumsq_total_ms), max(x.max_total_ms),
           sum(x.sum_ttft_ms), sum(x.ttft_n)::integer,
           sum(x.input_tokens)::bigint, sum(x.output_tokens)::bigint, sum(x.cost_usd),
           sum(x.quality_sum), sum(x.quality_n)::integer, sum(x.tps_sum), sum(x.tps_n)::integer,
           lw_hist_sum(x.error_counts), lw_hist_sum(x.total_hist), lw_hist_sum(x.ttft_hist),
           sum(x.refusals)::integer, sum(x.blocked)::integer, sum(x.tool_calls)::integer,
           sum(x.reasoning_tokens)::bigint, sum(x.reasoning_n)::integer,
           sum(x.first_output_sum), sum(x.first_output_n)::integer, max(x.max_gap_ms),
           sum(x.stalls)::integer, sum(x.unclean)::integer,
           lw_hist_sum(x.in_tok_hist), lw_hist_sum(x.out_tok_hist), lw_hist_sum(x.tpot_hist),
           lw_hist_sum(x.fo_hist), lw_hist_sum(x.finish_counts)
      FROM (
        SELECT * FROM lw_rollup_merge('1d', fd, td, NULL, p_models) WHERE fd IS NOT NULL
        UNION ALL
        SELECT * FROM lw_rollup_merge('1h', fh, coalesce(fd, th), NULL, p_models) WHERE fh IS NOT NULL
        UNION ALL
        SELECT * FROM lw_rollup_merge('1h', coalesce(td, fh), th, NULL, p_models)
         WHERE fh IS NOT NULL AND fd IS NOT NULL
        UNION ALL
        SELECT * FROM lw_rollup_merge('5m', f5, coalesce(fh, t5), NULL, p_models)
        UNION ALL
        SELECT * FROM lw_rollup_merge('5m', th, t5, NULL, p_models) WHERE fh IS NOT NULL) x
     GROUP BY x.model_id, x.environment_id;
END $$;

CREATE OR REPLACE FUNCTION lw_rollup_rebuild(p_b5 timestamptz[], p_models integer[] DEFAULT NULL)
RETURNS integer
-- a backfill's aggregation fits in memory instead of spilling to disk; JIT
-- compilation would cost more than it saves on these plans
LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
DECLARE
    o CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    -- the table's columns in the order of lw_rollup_row
    ins CONSTANT text := 'INSERT INTO rollups (resolution, bucket_start, model_id, environment_id,'
        ' count, errors, total_n, sum_total_ms, sumsq_total_ms, max_total_ms, sum_ttft_ms, ttft_n,'
        ' input_tokens, output_tokens, cost_usd, quality_sum, quality_n, tps_sum, tps_n,'
        ' error_counts, total_hist, ttft_hist, refusals, blocked, tool_calls, reasoning_tokens,'
        ' reasoning_n, first_output_sum, first_output_n, max_gap_ms, stalls, unclean,'
        ' in_tok_hist, out_tok_hist, tpot_hist, fo_hist, finish_counts) ';
    raw_from timestamptz;
    keep5_from timestamptz;
    b5 timestamptz[];
    h1 timestamptz[];
    d1 timestamptz[];
    n integer := 0;
    k integer;
BEGIN
    SELECT CASE WHEN r.days > 0 THEN (current_date - r.days)::timestamp AT TIME ZONE 'UTC' END,
           CASE WHEN f.days > 0 THEN date_bin('1 day', now() - make_interval(days => f.days), o) END
      INTO raw_from, keep5_from
      FROM (SELECT coalesce((SELECT value::int FROM settings WHERE key = 'retention_days'
                              AND value ~ '^[0-9]{1,6}$'), 0) AS days) r,
           (SELECT coalesce((SELECT value::int FROM settings WHERE key = 'rollups_5m_retention_days'
                              AND value ~ '^[0-9]{1,6}$'), 8) AS days) f;
    SELECT array_agg(DISTINCT x ORDER BY x) INTO b5
      FROM unnest(p_b5) x WHERE raw_from IS NULL OR x >= raw_from;
    IF b5 IS NULL THEN
        RETURN 0;
    END IF;
    SELECT array_agg(DISTINCT date_bin('1 hour', x, o) ORDER BY date_bin('1 hour', x, o)) INTO h1
      FROM unnest(b5) x;
    SELECT array_agg(DISTINCT date_bin('1 day', x, o) ORDER BY date_bin('1 day', x, o)) INTO d1
      FROM unnest(h1) x;

    -- joined with the bucket lists, not "= ANY (array)": a backfill's lists
    -- hold thousands of buckets
    DELETE FROM rollups r
     USING (SELECT '5m' AS res, unnest(b5) AS b UNION ALL SELECT '1h', unnest(h1)
            UNION ALL SELECT '1d', unnest(d1)) q
     WHERE r.resolution = q.res AND r.bucket_start = q.b
       AND (p_models IS NULL OR r.model_id = ANY (p_models));

    -- 5-minute rows only where they are kept
    EXECUTE ins || 'SELECT ''5m'', x.* FROM lw_rollup_runs($1, interval ''5 minutes'') runs'
        ' CROSS JOIN LATERAL lw_rollup_compute(interval ''5 minutes'','
        '   greatest(runs.f, coalesce($3, runs.f)), runs.t, $2) x'
        ' WHERE runs.t > coalesce($3, runs.f)'
        USING b5, p_models, keep5_from;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;

    IF cardinality(b5) > 36 THEN
        -- large: hours from raw probes, one scan per run
        EXECUTE ins || 'SELECT ''1h'', x.* FROM lw_rollup_runs($1, interval ''1 hour'') runs'
            ' CROSS JOIN LATERAL lw_rollup_compute(interval ''1 hour'', runs.f, runs.t, $2) x'
            USING h1, p_models;
    ELSE
        -- small: hours from their 5m rows (from raw past the 5m retention)
        EXECUTE ins || 'SELECT ''1h'', x.* FROM unnest($1) h CROSS JOIN LATERAL ('
            '  SELECT * FROM lw_rollup_merge(''5m'', h, h + interval ''1 hour'', interval ''1 hour'', $2)'
            '   WHERE $3::timestamptz IS NULL OR h >= $3'
            '  UNION ALL'
            '  SELECT * FROM lw_rollup_compute(interval ''1 hour'', h, h + interval ''1 hour'', $2)'
            '   WHERE $3::timestamptz IS NOT NULL AND h < $3) x'
            USING h1, p_models, keep5_from;
    END IF;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    -- days from their hours
    EXECUTE ins || 'SELECT ''1d'', x.* FROM lw_rollup_runs($1, interval ''1 day'') runs'
        ' CROSS JOIN LATERAL lw_rollup_merge(''1h'', runs.f, runs.t, interval ''1 day'', $2) x'
        USING d1, p_models;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    RETURN n;
END $$;

-- Every bucket still backed by raw probes gets its histograms once.
SELECT lw_rollup_rebuild(array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')))
  FROM probes;

-- ---- the public status page ------------------------------------------------
ALTER TABLE models ADD COLUMN status_page boolean NOT NULL DEFAULT false;

-- ---- from a crossing probe to its notification ------------------------------
-- crossed_at: for the notification of an alert that just fired, the
-- completion time of the newest probe of its model evaluated then (the one
-- that crossed the threshold). One index lookup per row written.
ALTER TABLE notifications ADD COLUMN crossed_at timestamptz;

CREATE FUNCTION lw_notification_crossed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT max(p.ts + coalesce(p.total_ms, 0) * interval '1 millisecond')
      INTO NEW.crossed_at
      FROM alert_events ae
      JOIN alerts a ON a.id = ae.alert_id
      JOIN probes p ON p.model_id = a.model_id AND p.environment_id = a.environment_id
                   AND p.ts > ae.at - interval '1 hour' AND p.ts < ae.at + interval '1 second'
     WHERE ae.id = NEW.alert_event_id AND ae.to_state = 'firing'
       AND ae.from_state IS DISTINCT FROM 'firing';
    RETURN NEW;
END $$;
CREATE TRIGGER notifications_crossed BEFORE INSERT ON notifications
    FOR EACH ROW WHEN (NEW.alert_event_id IS NOT NULL AND NEW.status = 'pending')
    EXECUTE FUNCTION lw_notification_crossed();
CREATE INDEX notifications_crossed_sent ON notifications (sent_at)
    WHERE crossed_at IS NOT NULL AND status = 'sent';

-- ---- waking the notifier ---------------------------------------------------
CREATE FUNCTION lw_notify_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('llmwatch_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_outbox AFTER INSERT ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_outbox();

-- channel edits and deliveries change what /channels and /metrics show
CREATE TRIGGER channels_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON channels
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data();
CREATE TRIGGER notifications_notify AFTER UPDATE OR DELETE OR TRUNCATE ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data();
