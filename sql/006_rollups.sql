-- 006_rollups.sql: what lib/db/rollups.c (refresh) and lib/db/dash.c (the
-- dashboard and model pages) need on top of the rollups table of 001:
-- a few more measures, the latency histogram in SQL, the computation of a
-- rollup row from raw probes, and the queue of changed buckets that
-- replaces a watermark (docs/rollups.md explains the design).
--
-- Origin of every bucket: 2000-01-01 00:00 UTC, a multiple of every step
-- used (5 minutes, 1 hour, 4 hours, 1 day), so 5m buckets nest in hours.

-- ---- measures --------------------------------------------------------------
-- Latency measures of 001 (sum/sumsq/max/hist of total_ms, ttft sums and
-- hist) cover SUCCESSFUL probes only, like every percentile the web pages
-- and the SLA page show: a timeout's duration is the timeout, not the
-- service's speed. count/errors/tokens/cost cover every probe.
ALTER TABLE rollups
    ADD COLUMN total_n      integer NOT NULL DEFAULT 0,          -- ok probes with a total_ms
    ADD COLUMN tps_sum      double precision NOT NULL DEFAULT 0, -- decode tokens/s, ok probes
    ADD COLUMN tps_n        integer NOT NULL DEFAULT 0,
    -- failed probes by class, in the order of lw_error_classes(); '{}' when none
    ADD COLUMN error_counts integer[] NOT NULL DEFAULT '{}';
-- refresh deletes by bucket across models; retention of 5m rows
CREATE INDEX rollups_bucket ON rollups (resolution, bucket_start);
-- the dashboard's alert history (newest events first)
CREATE INDEX IF NOT EXISTS alert_events_at ON alert_events (at DESC, id DESC);

-- The error classes of probes.error_class in a fixed order, then 'other'
-- (a failed probe without a known class). lib/rollup.h has the same list.
CREATE FUNCTION lw_error_classes() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['timeout', 'connect', 'tls', 'http_4xx', 'rate_limited', 'http_5xx',
                 'protocol', 'empty', 'auth', 'config', 'other']
$$;

-- ---- the latency histogram -------------------------------------------------
-- 162 fixed buckets, log-spaced with ratio g = 2^(1/8) (eight per doubling,
-- the boundaries of Prometheus native histograms, schema 3):
--   bucket 0          [0, 1 ms)
--   bucket k, 1..160  [2^((k-1)/8), 2^(k/8)) ms      (1 ms .. 17.5 min)
--   bucket 161        >= 2^20 ms = 1048576 ms
-- A histogram is an integer[] whose SUBSCRIPTS are bucket numbers, holding
-- only the span from the first to the last non-empty bucket
-- ('[29:41]={...}'); '{}' when empty. lib/rollup.c mirrors all of this.
CREATE FUNCTION lw_lat_bucket(ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN ms < 1 THEN 0
                WHEN ms = 'NaN'::float8 THEN 161
                -- ln(2^20) = 13.862943611198906: width_bucket gives 161 above
                ELSE width_bucket(ln(ms), 0::float8, 13.862943611198906::float8, 160) END
$$;

-- The value a bucket stands for: 2g/(g+1) times its lower bound, which is
-- within (g-1)/(g+1) = 4.33% of any value of the bucket (0.5 ms below 1
-- ms; the lower bound for the open last bucket).
CREATE FUNCTION lw_hist_value(k integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN k <= 0 THEN 0.5::float8
                WHEN k >= 161 THEN 1048576::float8
                ELSE power(2::float8, (k - 1) / 8::float8)
                     * (2 * power(2::float8, 0.125::float8) / (power(2::float8, 0.125::float8) + 1)) END
$$;

-- A histogram from (bucket, count) pairs (a bucket may repeat: counts add).
CREATE FUNCTION lw_hist_build(ks integer[], ns bigint[]) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    lo integer;
    hi integer;
    h integer[];
    i integer;
BEGIN
    IF ks IS NULL OR cardinality(ks) = 0 THEN
        RETURN '{}';
    END IF;
    lo := ks[1];
    hi := ks[1];
    FOR i IN 2 .. cardinality(ks) LOOP
        IF ks[i] < lo THEN lo := ks[i]; END IF;
        IF ks[i] > hi THEN hi := ks[i]; END IF;
    END LOOP;
    h := array_fill(0, ARRAY[hi - lo + 1], ARRAY[lo]);
    FOR i IN 1 .. cardinality(ks) LOOP
        h[ks[i]] := h[ks[i]] + ns[i];
    END LOOP;
    RETURN h;
END $$;

-- The q-quantile (0..1) of a histogram, NULL when empty: the rank
-- q * (n - 1) as percentile_cont() takes it, each of the two order
-- statistics around it read as its bucket's value, interpolated linearly.
-- For latencies in [1 ms, 2^20 ms) the result is within 4.33% of
-- percentile_cont() over the raw values (tests/check_rollup.c).
CREATE FUNCTION lw_hist_quantile(h integer[], q double precision) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n bigint := 0;
    c bigint := 0;
    k integer;
    r double precision;
    i0 bigint;
    i1 bigint;
    v0 double precision;
    v1 double precision;
BEGIN
    IF cardinality(h) = 0 THEN
        RETURN NULL;
    END IF;
    FOR k IN array_lower(h, 1) .. array_upper(h, 1) LOOP
        n := n + coalesce(h[k], 0);
    END LOOP;
    IF n <= 0 THEN
        RETURN NULL;
    END IF;
    r := least(greatest(q, 0), 1) * (n - 1);
    i0 := floor(r);
    i1 := ceil(r);
    FOR k IN array_lower(h, 1) .. array_upper(h, 1) LOOP
        c := c + coalesce(h[k], 0);
        IF v0 IS NULL AND c > i0 THEN
            v0 := lw_hist_value(k);
        END IF;
        IF c > i1 THEN
            v1 := lw_hist_value(k);
            EXIT;
        END IF;
    END LOOP;
    RETURN v0 + (r - i0) * (v1 - v0);
END $$;

-- ---- rollup rows from raw probes -------------------------------------------
-- One row per (bucket of p_step, model, environment) over probes with ts in
-- [p_from, p_to), optionally only the models p_models. Used by the refresh
-- (lib/db/rollups.c) and by the pages for buckets not rolled up yet and for
-- short ranges (lib/db/dash.c), so both agree by construction.
CREATE FUNCTION lw_rollup_compute(p_step interval, p_from timestamptz, p_to timestamptz,
                                  p_models integer[] DEFAULT NULL)
RETURNS TABLE (bucket_start timestamptz, model_id integer, environment_id integer,
               count integer, errors integer, total_n integer,
               sum_total_ms double precision, sumsq_total_ms double precision,
               max_total_ms double precision, sum_ttft_ms double precision, ttft_n integer,
               input_tokens bigint, output_tokens bigint, cost_usd numeric,
               quality_sum double precision, quality_n integer,
               tps_sum double precision, tps_n integer, error_counts integer[],
               total_hist integer[], ttft_hist integer[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH src AS MATERIALIZED (
        SELECT date_bin(p_step, p.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b,
               p.model_id AS mid, p.environment_id AS eid, p.ok, p.error_class,
               p.total_ms, p.ttft_ms, p.input_tokens, p.output_tokens, p.cost_usd,
               p.quality_score, p.decode_tps
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
                       OR error_class <> ALL (lw_error_classes())))]::integer[] END AS ec
          FROM src GROUP BY b, mid, eid),
    th AS (
        SELECT b, mid, eid, lw_hist_build(array_agg(k), array_agg(c)) AS h
          FROM (SELECT b, mid, eid, lw_lat_bucket(total_ms) AS k, count(*) AS c
                  FROM src WHERE ok AND total_ms IS NOT NULL GROUP BY 1, 2, 3, 4) x
         GROUP BY b, mid, eid),
    fh AS (
        SELECT b, mid, eid, lw_hist_build(array_agg(k), array_agg(c)) AS h
          FROM (SELECT b, mid, eid, lw_lat_bucket(ttft_ms) AS k, count(*) AS c
                  FROM src WHERE ok AND ttft_ms IS NOT NULL GROUP BY 1, 2, 3, 4) x
         GROUP BY b, mid, eid)
    SELECT agg.b, agg.mid, agg.eid, agg.n, agg.e, agg.tn, agg.ts_, agg.tss, agg.tmax,
           agg.fs, agg.fn, agg.itok, agg.otok, agg.cost, agg.qs, agg.qn, agg.tps, agg.tpn,
           agg.ec, coalesce(th.h, '{}'), coalesce(fh.h, '{}')
      FROM agg
      LEFT JOIN th ON th.b = agg.b AND th.mid = agg.mid AND th.eid = agg.eid
      LEFT JOIN fh ON fh.b = agg.b AND fh.mid = agg.mid AND fh.eid = agg.eid
$$;

-- ---- what changed since the last refresh -----------------------------------
-- Every statement that writes probes records the 5-minute buckets it
-- touched (statement triggers with transition tables: one small INSERT per
-- statement, COPY included). The refresh claims rows with DELETE ...
-- RETURNING in its own transaction: a change committed later stays queued,
-- so nothing is lost between the two, whatever the commit order of
-- concurrent writers (a max(id) watermark would skip a row whose id was
-- taken before, but committed after, the refresh), and deletes
-- (`backfill --remove`, a re-run backfill) are seen too. Retention's
-- partition drops are not DML: they queue nothing and rollups outlive them.
-- Duplicates are harmless; NOT EXISTS keeps the table to about one row per
-- bucket.
CREATE TABLE rollup_dirty (
    bucket  timestamptz NOT NULL     -- a 5-minute bucket start
);
CREATE INDEX rollup_dirty_bucket ON rollup_dirty (bucket);

CREATE FUNCTION lw_rollup_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (bucket)
        SELECT x.b FROM (SELECT DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b
                           FROM lw_new) x
         WHERE NOT EXISTS (SELECT 1 FROM rollup_dirty d WHERE d.bucket = x.b);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (bucket)
        SELECT x.b FROM (SELECT DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b
                           FROM lw_old) x
         WHERE NOT EXISTS (SELECT 1 FROM rollup_dirty d WHERE d.bucket = x.b);
    END IF;
    RETURN NULL;
END $$;

-- TRUNCATE probes empties the rollups too: they follow the raw rows,
-- except for retention (which drops partitions).
CREATE FUNCTION lw_rollup_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM rollups;
    DELETE FROM rollup_dirty;
    RETURN NULL;
END $$;

CREATE TRIGGER probes_rollup_insert AFTER INSERT ON probes
    REFERENCING NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_mark();
CREATE TRIGGER probes_rollup_update AFTER UPDATE ON probes
    REFERENCING OLD TABLE AS lw_old NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_mark();
CREATE TRIGGER probes_rollup_delete AFTER DELETE ON probes
    REFERENCING OLD TABLE AS lw_old FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_mark();
CREATE TRIGGER probes_rollup_truncate AFTER TRUNCATE ON probes
    FOR EACH STATEMENT EXECUTE FUNCTION lw_rollup_truncated();

-- Probes written before this migration: everything is to be rolled up once.
INSERT INTO rollup_dirty (bucket)
SELECT DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') FROM probes;
