-- 008_read_path.sql: rollups become the one read path for aggregates, and
-- they are kept in the same transaction as the probes they describe.
--
-- Before: statement triggers queued changed 5-minute buckets in
-- rollup_dirty; a refresh job recomputed them later, and pages merged the
-- stored rollups with a raw recomputation of the queued buckets. Pages
-- therefore scanned raw probes after every backfill until `maintain` ran.
--
-- Now: the same statement triggers rebuild the touched buckets at once
-- (5 minutes from raw probes, 1 hour from the 5-minute rows or from raw
-- probes when those are past their retention, 1 day from the hours), so a
-- committed probe is in every level of the rollups when its transaction
-- commits, and readers never look at raw rows for an aggregate.
-- Writers are serialised per UTC day they touch (advisory locks taken in
-- day order, so two writers cannot deadlock): a rebuild always sees every
-- committed row of the buckets it recomputes.
--
-- Levels: 5m (kept settings.rollups_5m_retention_days, default 8: the 24 h
-- views and the edges of recent ranges read them), 1h and
-- 1d (kept for ever: they are what the SLA over a year and the reports
-- read). Buckets start on multiples of their step from 2000-01-01 00:00 UTC.

-- ---- the daily level and the measures of 007 ------------------------------
ALTER TABLE rollups DROP CONSTRAINT rollups_resolution_check;
ALTER TABLE rollups ADD CONSTRAINT rollups_resolution_check CHECK (resolution IN ('5m', '1h', '1d'));
ALTER TABLE rollups
    ADD COLUMN refusals          integer NOT NULL DEFAULT 0,   -- ok probes, outcome refusal
    ADD COLUMN blocked           integer NOT NULL DEFAULT 0,   -- ok probes, outcome blocked
    ADD COLUMN tool_calls        integer NOT NULL DEFAULT 0,   -- ok probes, outcome tool_call
    ADD COLUMN reasoning_tokens  bigint  NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_n       integer NOT NULL DEFAULT 0,   -- probes that reported reasoning tokens
    ADD COLUMN first_output_sum  double precision NOT NULL DEFAULT 0,  -- ok probes
    ADD COLUMN first_output_n    integer NOT NULL DEFAULT 0,
    ADD COLUMN max_gap_ms        double precision,             -- longest gap of an ok probe
    ADD COLUMN stalls            integer NOT NULL DEFAULT 0,   -- ok probes with a gap >= 2 s
    ADD COLUMN unclean           integer NOT NULL DEFAULT 0;   -- streams that did not end cleanly

-- ---- arrays that add up ----------------------------------------------------
-- Element-wise sum of two integer arrays with any lower bounds (the trimmed
-- latency histograms, '[29:41]={...}', and the error_counts of 006); '{}'
-- and NULL are empty. The result spans both.
CREATE FUNCTION lw_hist_add(a integer[], b integer[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    r integer[];
    k integer;
    lo integer;
    hi integer;
BEGIN
    IF a IS NULL OR cardinality(a) = 0 THEN
        RETURN coalesce(b, '{}');
    END IF;
    IF b IS NULL OR cardinality(b) = 0 THEN
        RETURN a;
    END IF;
    lo := least(array_lower(a, 1), array_lower(b, 1));
    hi := greatest(array_upper(a, 1), array_upper(b, 1));
    IF lo = array_lower(a, 1) AND hi = array_upper(a, 1) THEN
        r := a;
    ELSE
        r := array_fill(0, ARRAY[hi - lo + 1], ARRAY[lo]);
        FOR k IN array_lower(a, 1) .. array_upper(a, 1) LOOP
            r[k] := a[k];
        END LOOP;
    END IF;
    FOR k IN array_lower(b, 1) .. array_upper(b, 1) LOOP
        r[k] := r[k] + b[k];
    END LOOP;
    RETURN r;
END $$;

CREATE AGGREGATE lw_hist_sum(integer[]) (
    SFUNC = lw_hist_add, STYPE = integer[], INITCOND = '{}', PARALLEL = SAFE
);

-- ---- rollup rows from raw probes -------------------------------------------
DROP FUNCTION lw_rollup_compute(interval, timestamptz, timestamptz, integer[]);

-- The columns of a rollup row after (resolution): the shape every function
-- below returns, so they compose.
CREATE TYPE lw_rollup_row AS (
    bucket_start timestamptz, model_id integer, environment_id integer,
    count integer, errors integer, total_n integer,
    sum_total_ms double precision, sumsq_total_ms double precision,
    max_total_ms double precision, sum_ttft_ms double precision, ttft_n integer,
    input_tokens bigint, output_tokens bigint, cost_usd numeric,
    quality_sum double precision, quality_n integer,
    tps_sum double precision, tps_n integer, error_counts integer[],
    total_hist integer[], ttft_hist integer[],
    refusals integer, blocked integer, tool_calls integer,
    reasoning_tokens bigint, reasoning_n integer,
    first_output_sum double precision, first_output_n integer,
    max_gap_ms double precision, stalls integer, unclean integer);

-- One row per (bucket of p_step, model, environment) over the probes with
-- ts in [p_from, p_to), optionally only the models p_models. Latency
-- measures cover successful probes; counts, tokens and cost every probe.
CREATE FUNCTION lw_rollup_compute(p_step interval, p_from timestamptz, p_to timestamptz,
                                  p_models integer[] DEFAULT NULL)
RETURNS SETOF lw_rollup_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH src AS MATERIALIZED (
        SELECT date_bin(p_step, p.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b,
               p.model_id AS mid, p.environment_id AS eid, p.ok, p.error_class,
               p.total_ms, p.ttft_ms, p.input_tokens, p.output_tokens, p.cost_usd,
               p.quality_score, p.decode_tps, p.outcome, p.reasoning_tokens,
               p.first_output_ms, p.max_gap_ms, p.stream_end
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
               count(*) FILTER (WHERE stream_end IS NOT NULL AND stream_end <> 'clean')::integer AS uc
          FROM src GROUP BY b, mid, eid),
    -- both histograms in one pass: (bucket, model, env, which, k) counts
    hk AS (
        SELECT b, mid, eid, w, k, count(*) AS c
          FROM (SELECT b, mid, eid, 't' AS w, lw_lat_bucket(total_ms) AS k
                  FROM src WHERE ok AND total_ms IS NOT NULL
                UNION ALL
                SELECT b, mid, eid, 'f', lw_lat_bucket(ttft_ms)
                  FROM src WHERE ok AND ttft_ms IS NOT NULL) x
         GROUP BY 1, 2, 3, 4, 5),
    hh AS (
        SELECT b, mid, eid,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 't'), array_agg(c) FILTER (WHERE w = 't')) AS th,
               lw_hist_build(array_agg(k) FILTER (WHERE w = 'f'), array_agg(c) FILTER (WHERE w = 'f')) AS fh
          FROM hk GROUP BY b, mid, eid)
    SELECT agg.b, agg.mid, agg.eid, agg.n, agg.e, agg.tn, agg.ts_, agg.tss, agg.tmax,
           agg.fs, agg.fn, agg.itok, agg.otok, agg.cost, agg.qs, agg.qn, agg.tps, agg.tpn,
           agg.ec, coalesce(hh.th, '{}'), coalesce(hh.fh, '{}'),
           agg.rf, agg.bl, agg.tc, agg.rt, agg.rn, agg.fos, agg.fon, agg.gmax, agg.st, agg.uc
      FROM agg
      LEFT JOIN hh ON hh.b = agg.b AND hh.mid = agg.mid AND hh.eid = agg.eid
$$;

-- ---- coarser rows from finer rows ------------------------------------------
-- Stored rollup rows of resolution p_src with bucket_start in [p_from,
-- p_to) merged into buckets of p_step (NULL: one bucket, starting at
-- p_from), per model and environment, optionally only p_models. Sums add,
-- maxima take the greater, histograms and error counts add element-wise:
-- a merged row is exactly the row lw_rollup_compute would give over the
-- same probes (up to the order of floating point additions).
CREATE FUNCTION lw_rollup_merge(p_src text, p_from timestamptz, p_to timestamptz,
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
           sum(r.stalls)::integer, sum(r.unclean)::integer
      FROM rollups r
     WHERE r.resolution = p_src AND r.bucket_start >= p_from AND r.bucket_start < p_to
       AND (p_models IS NULL OR r.model_id = ANY (p_models))
     GROUP BY 1, 2, 3
$$;

-- Runs of consecutive buckets of p_step among p_buckets (sorted or not):
-- [f, t) per run, so a computation scans each run once.
CREATE FUNCTION lw_rollup_runs(p_buckets timestamptz[], p_step interval)
RETURNS TABLE (f timestamptz, t timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT min(b), max(b) + p_step
      FROM (SELECT b, b - (row_number() OVER (ORDER BY b)) * p_step AS run
              FROM (SELECT DISTINCT unnest(p_buckets) AS b) d) q
     GROUP BY run
$$;

-- ---- rebuilding the buckets a statement touched ----------------------------
-- p_b5: the 5-minute bucket starts touched (any order, duplicates fine);
-- p_models: the models whose rows changed (NULL: all). Rewrites those
-- models' rows of the touched 5-minute buckets, of the hours holding them
-- and of the days holding those. A bucket left without probes loses its
-- row. Buckets older than the raw retention (settings.retention_days) are
-- left alone: their raw rows are being dropped, and rollups outlive them on
-- purpose.
--
-- Where the rows come from: a small change (a probe cycle, a late row)
-- recomputes its 5-minute buckets from raw probes and merges the hour and
-- the day from the finer level (a few rows per model); a large one (a
-- backfill, an import) recomputes every level from raw probes, one range
-- scan per run of consecutive buckets, which is cheaper than merging
-- hundreds of thousands of histograms. Hours older than the 5-minute
-- retention always come from raw probes.
CREATE FUNCTION lw_rollup_rebuild(p_b5 timestamptz[], p_models integer[] DEFAULT NULL)
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
        ' reasoning_n, first_output_sum, first_output_n, max_gap_ms, stalls, unclean) ';
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

-- ---- the triggers: rollups follow probes in the same transaction -----------
CREATE FUNCTION lw_rollup_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b5 timestamptz[];
    models integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')),
               array_agg(DISTINCT model_id)
          INTO b5, models FROM lw_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')),
               array_agg(DISTINCT model_id)
          INTO b5, models FROM lw_old;
    ELSE
        SELECT array_agg(DISTINCT b), array_agg(DISTINCT m) INTO b5, models FROM (
            SELECT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b, model_id AS m
              FROM lw_new
            UNION SELECT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), model_id
              FROM lw_old) u;
    END IF;
    IF b5 IS NULL THEN
        RETURN NULL;
    END IF;
    -- one writer per UTC day at a time, days locked in order
    PERFORM pg_advisory_xact_lock(hashtext('llmwatch rollups'),
                                  (extract(epoch FROM d) / 86400)::integer)
       FROM (SELECT DISTINCT date_bin('1 day', x, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d
               FROM unnest(b5) x ORDER BY 1) days;
    PERFORM lw_rollup_rebuild(b5, models);
    -- pages and caches that show aggregates learn that they changed
    PERFORM pg_notify('llmwatch_data', 'probes');
    RETURN NULL;
END $$;

DROP TRIGGER probes_rollup_insert ON probes;
DROP TRIGGER probes_rollup_update ON probes;
DROP TRIGGER probes_rollup_delete ON probes;
CREATE TRIGGER probes_rollup_insert AFTER INSERT ON probes
    REFERENCING NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_follow();
CREATE TRIGGER probes_rollup_update AFTER UPDATE ON probes
    REFERENCING OLD TABLE AS lw_old NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_follow();
CREATE TRIGGER probes_rollup_delete AFTER DELETE ON probes
    REFERENCING OLD TABLE AS lw_old FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_follow();
DROP FUNCTION lw_rollup_mark();

-- TRUNCATE probes still empties the rollups (there is no queue any more).
CREATE OR REPLACE FUNCTION lw_rollup_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM rollups;
    PERFORM pg_notify('llmwatch_data', 'probes');
    RETURN NULL;
END $$;

-- Whatever was queued, and every day of history, is rebuilt once now with
-- the new measures and the daily level (an upgrade of a large history
-- takes as long as one full rollup).
SELECT lw_rollup_rebuild(array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')))
  FROM probes;
DROP TABLE rollup_dirty;

-- ---- the one read path -----------------------------------------------------
-- Rollup rows of the models p_models over [p_from, p_to), merged:
--  * p_step given (a multiple of 5 minutes; p_from aligned to it): one row
--    per step bucket, read from the coarsest level whose buckets divide the
--    step (1d, 1h or 5m);
--  * p_step NULL: one row per model for the whole range, covered by whole
--    days where they fit, whole hours at the edges, and 5-minute buckets
--    for the rest (p_from and p_to are taken to their 5-minute buckets: the
--    open bucket counts whole).
-- The cost is O(models x buckets read), whatever the number of raw probes.
CREATE FUNCTION lw_rollup_read(p_models integer[], p_from timestamptz, p_to timestamptz,
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
           sum(x.stalls)::integer, sum(x.unclean)::integer
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

-- ---- what the page cache listens to ----------------------------------------
-- llmwatch-web caches the pages of aggregates (app/cache.c) and drops them
-- when the data under them changes: every statement that writes a table
-- those pages show sends NOTIFY llmwatch_data (PostgreSQL folds the
-- notifications of one transaction into one). Probes notify through their
-- rollup triggers above.
CREATE FUNCTION lw_notify_data() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('llmwatch_data', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['alerts', 'alert_events', 'models', 'environments', 'rules',
                             'budgets', 'budget_crossings', 'silences', 'settings',
                             'usage_events', 'baselines'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data()', t || '_notify', t);
    END LOOP;
END $$;

-- Revocations reach the identities llmwatch-web remembers for a minute
-- (app/cache.c): a session deleted (logout, log out everywhere, expiry), a
-- user changed (disabled, demoted, new password), a token revoked.
CREATE FUNCTION lw_notify_auth() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('llmwatch_data', 'auth');
    RETURN NULL;
END $$;
CREATE TRIGGER sessions_notify AFTER DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_auth();
CREATE TRIGGER users_notify AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_auth();
CREATE TRIGGER api_tokens_notify AFTER DELETE OR TRUNCATE OR UPDATE OF revoked_at, role, token_hash
    ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_auth();
