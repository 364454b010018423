-- 012_costs.sql: what costs, budgets, production usage, prices, forecasts
-- and custom metrics need on top of 001..010.
--
--  * production usage (usage_events) becomes a real source: a request
--    count per row, an idempotency key (usage_keys: unique for ever, so a
--    retried batch or a re-imported file adds nothing), and rollups kept
--    in the writer's transaction exactly like the probes' (008): levels
--    5m (kept as long as the probes' 5m), 1h and 1d, rebuilt by statement
--    triggers under per-day advisory locks taken in day order, read with
--    lw_usage_read() the way lw_rollup_read() reads probes;
--  * prices with their effective dates (model_prices): a change is a new
--    row from its date on, never applied to what was recorded before;
--    lw_price_at() says what a model cost at a time;
--  * budgets scoped to everything, a model (by name), a provider or an
--    environment, in the periods of a time zone, each with its alert rule
--    (kind 'budget': the anchor of its alerts, decided by the evaluator's
--    budget step, never by the rule evaluator) and the tiers announced
--    once per period (budget_crossings, now with the pace alert);
--  * custom metrics: named values per model (a suite's custom scorers,
--    POST /api/v1/metrics), with rollups of their own.
-- Money is numeric throughout; every bucket starts on a multiple of its
-- step from 2000-01-01 00:00 UTC, as in 008.

-- ---- production usage ------------------------------------------------------
ALTER TABLE usage_events
    ADD COLUMN requests         integer NOT NULL DEFAULT 1 CHECK (requests >= 0),
    ADD COLUMN idempotency_key  text,
    -- 'given': the cost came with the row; 'prices': tokens x lw_price_at(ts)
    ADD COLUMN cost_source      text NOT NULL DEFAULT 'given' CHECK (cost_source IN ('given', 'prices')),
    ADD COLUMN source           text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import')),
    ADD COLUMN created_at       timestamptz NOT NULL DEFAULT now();
ALTER TABLE usage_events ALTER COLUMN ok SET DEFAULT true;

-- usage_events is partitioned by day, so a unique index there would have
-- to include ts; the keys live here instead, for ever (a few dozen bytes
-- per batch row: cheap next to a double count).
CREATE TABLE usage_keys (
    key         text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
    ts          timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usage_rollups (
    resolution      text NOT NULL CHECK (resolution IN ('5m', '1h', '1d')),
    bucket_start    timestamptz NOT NULL,
    model_id        integer NOT NULL,
    environment_id  integer NOT NULL,
    events          integer NOT NULL,      -- usage rows
    requests        bigint NOT NULL,       -- what the rows say they stand for
    errors          bigint NOT NULL,       -- requests of rows with ok = false
    input_tokens    bigint NOT NULL,
    output_tokens   bigint NOT NULL,
    cost_usd        numeric NOT NULL,
    PRIMARY KEY (resolution, model_id, environment_id, bucket_start)
);

CREATE TYPE lw_usage_row AS (
    bucket_start timestamptz, model_id integer, environment_id integer, events integer,
    requests bigint, errors bigint, input_tokens bigint, output_tokens bigint, cost_usd numeric);

-- One row per (bucket of p_step, model, environment) of the usage rows with
-- ts in [p_from, p_to), optionally only the models p_models.
CREATE FUNCTION lw_usage_compute(p_step interval, p_from timestamptz, p_to timestamptz,
                                 p_models integer[] DEFAULT NULL)
RETURNS SETOF lw_usage_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT date_bin(p_step, u.ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), u.model_id, u.environment_id,
           count(*)::integer, sum(u.requests)::bigint,
           coalesce(sum(u.requests) FILTER (WHERE NOT u.ok), 0)::bigint,
           coalesce(sum(u.input_tokens), 0)::bigint, coalesce(sum(u.output_tokens), 0)::bigint,
           coalesce(sum(u.cost_usd), 0)
      FROM usage_events u
     WHERE u.ts >= p_from AND u.ts < p_to AND (p_models IS NULL OR u.model_id = ANY (p_models))
     GROUP BY 1, 2, 3
$$;

-- Stored rows of resolution p_src in [p_from, p_to) merged into buckets of
-- p_step (NULL: one bucket starting at p_from) per model and environment.
CREATE FUNCTION lw_usage_merge(p_src text, p_from timestamptz, p_to timestamptz,
                               p_step interval, p_models integer[] DEFAULT NULL)
RETURNS SETOF lw_usage_row
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_step IS NULL THEN p_from
                ELSE date_bin(p_step, r.bucket_start, TIMESTAMPTZ '2000-01-01 00:00:00+00') END,
           r.model_id, r.environment_id, sum(r.events)::integer, sum(r.requests)::bigint,
           sum(r.errors)::bigint, sum(r.input_tokens)::bigint, sum(r.output_tokens)::bigint,
           sum(r.cost_usd)
      FROM usage_rollups r
     WHERE r.resolution = p_src AND r.bucket_start >= p_from AND r.bucket_start < p_to
       AND (p_models IS NULL OR r.model_id = ANY (p_models))
     GROUP BY 1, 2, 3
$$;

-- The usage twin of lw_rollup_rebuild (008): rewrites the touched
-- 5-minute buckets (where 5-minute rows are kept), the hours holding them
-- (from their 5-minute rows, or from raw rows past the 5-minute retention)
-- and the days holding those (from the hours). Buckets older than the raw
-- retention are left alone: their rows are being dropped on purpose.
CREATE FUNCTION lw_usage_rebuild(p_b5 timestamptz[], p_models integer[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    o CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    ins CONSTANT text := 'INSERT INTO usage_rollups (resolution, bucket_start, model_id, environment_id,'
        ' events, requests, errors, input_tokens, output_tokens, cost_usd) ';
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
    DELETE FROM usage_rollups r
     USING (SELECT '5m' AS res, unnest(b5) AS b UNION ALL SELECT '1h', unnest(h1)
            UNION ALL SELECT '1d', unnest(d1)) q
     WHERE r.resolution = q.res AND r.bucket_start = q.b
       AND (p_models IS NULL OR r.model_id = ANY (p_models));
    EXECUTE ins || 'SELECT ''5m'', x.* FROM lw_rollup_runs($1, interval ''5 minutes'') runs'
        ' CROSS JOIN LATERAL lw_usage_compute(interval ''5 minutes'','
        '   greatest(runs.f, coalesce($3, runs.f)), runs.t, $2) x'
        ' WHERE runs.t > coalesce($3, runs.f)'
        USING b5, p_models, keep5_from;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    EXECUTE ins || 'SELECT ''1h'', x.* FROM unnest($1) h CROSS JOIN LATERAL ('
        '  SELECT * FROM lw_usage_merge(''5m'', h, h + interval ''1 hour'', interval ''1 hour'', $2)'
        '   WHERE $3::timestamptz IS NULL OR h >= $3'
        '  UNION ALL'
        '  SELECT * FROM lw_usage_compute(interval ''1 hour'', h, h + interval ''1 hour'', $2)'
        '   WHERE $3::timestamptz IS NOT NULL AND h < $3) x'
        USING h1, p_models, keep5_from;
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
    EXECUTE ins || 'SELECT ''1d'', x.* FROM lw_rollup_runs($1, interval ''1 day'') runs'
        ' CROSS JOIN LATERAL lw_usage_merge(''1h'', runs.f, runs.t, interval ''1 day'', $2) x'
        USING d1, p_models;
    GET DIAGNOSTICS k = ROW_COUNT;
    RETURN n + k;
END $$;

CREATE FUNCTION lw_usage_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b5 timestamptz[];
    models integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')),
               array_agg(DISTINCT model_id) INTO b5, models FROM lw_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')),
               array_agg(DISTINCT model_id) INTO b5, models FROM lw_old;
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
    -- one writer per UTC day at a time, days locked in order (no deadlock)
    PERFORM pg_advisory_xact_lock(hashtext('llmwatch usage rollups'),
                                  (extract(epoch FROM d) / 86400)::integer)
       FROM (SELECT DISTINCT date_bin('1 day', x, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d
               FROM unnest(b5) x ORDER BY 1) days;
    PERFORM lw_usage_rebuild(b5, models);
    RETURN NULL;
END $$;

CREATE TRIGGER usage_rollup_insert AFTER INSERT ON usage_events
    REFERENCING NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_usage_follow();
CREATE TRIGGER usage_rollup_update AFTER UPDATE ON usage_events
    REFERENCING OLD TABLE AS lw_old NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_usage_follow();
CREATE TRIGGER usage_rollup_delete AFTER DELETE ON usage_events
    REFERENCING OLD TABLE AS lw_old FOR EACH STATEMENT EXECUTE FUNCTION lw_usage_follow();

CREATE FUNCTION lw_usage_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM usage_rollups;
    RETURN NULL;
END $$;
CREATE TRIGGER usage_rollup_truncate AFTER TRUNCATE ON usage_events
    FOR EACH STATEMENT EXECUTE FUNCTION lw_usage_truncated();

-- Whatever usage was recorded before this migration, rolled up once.
SELECT lw_usage_rebuild(array_agg(DISTINCT date_bin('5 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')))
  FROM usage_events;

-- The read path of usage, as lw_rollup_read (008) for probes: p_step given
-- (p_from aligned to it): one row per step bucket from the coarsest level
-- dividing it; p_step NULL: one row per model and environment over the
-- range, from whole days, whole hours at the edges and 5-minute buckets
-- for the rest (p_from and p_to taken to their 5-minute buckets).
CREATE FUNCTION lw_usage_read(p_models integer[], p_from timestamptz, p_to timestamptz,
                              p_step interval DEFAULT NULL)
RETURNS SETOF lw_usage_row
LANGUAGE plpgsql STABLE AS $$
DECLARE
    o CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    f5 timestamptz := date_bin('5 minutes', p_from, o);
    t5 timestamptz := date_bin('5 minutes', p_to - interval '1 microsecond', o) + interval '5 minutes';
    fh timestamptz;
    th timestamptz;
    fd timestamptz;
    td timestamptz;
BEGIN
    IF p_step IS NOT NULL THEN
        RETURN QUERY SELECT * FROM lw_usage_merge(
            CASE WHEN extract(epoch FROM p_step)::bigint % 86400 = 0 THEN '1d'
                 WHEN extract(epoch FROM p_step)::bigint % 3600 = 0 THEN '1h' ELSE '5m' END,
            p_from, p_to, p_step, p_models);
        RETURN;
    END IF;
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
    SELECT p_from, x.model_id, x.environment_id, sum(x.events)::integer, sum(x.requests)::bigint,
           sum(x.errors)::bigint, sum(x.input_tokens)::bigint, sum(x.output_tokens)::bigint,
           sum(x.cost_usd)
      FROM (
        SELECT * FROM lw_usage_merge('1d', fd, td, NULL, p_models) WHERE fd IS NOT NULL
        UNION ALL
        SELECT * FROM lw_usage_merge('1h', fh, coalesce(fd, th), NULL, p_models) WHERE fh IS NOT NULL
        UNION ALL
        SELECT * FROM lw_usage_merge('1h', coalesce(td, fh), th, NULL, p_models)
         WHERE fh IS NOT NULL AND fd IS NOT NULL
        UNION ALL
        SELECT * FROM lw_usage_merge('5m', f5, coalesce(fh, t5), NULL, p_models)
        UNION ALL
        SELECT * FROM lw_usage_merge('5m', th, t5, NULL, p_models) WHERE fh IS NOT NULL) x
     GROUP BY x.model_id, x.environment_id;
END $$;

-- ---- prices with their effective dates --------------------------------------
-- $ per million tokens of a monitored model from effective_from on. The
-- first row known also stands for the time before it (there is nothing
-- else to go by); a later row never changes what was recorded earlier:
-- costs are stored with their rows, at the price of their time.
CREATE TABLE model_prices (
    model_id         integer NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    effective_from   timestamptz NOT NULL,
    input_per_mtok   numeric(14,6) NOT NULL CHECK (input_per_mtok >= 0),
    output_per_mtok  numeric(14,6) NOT NULL CHECK (output_per_mtok >= 0),
    source           text NOT NULL CHECK (source IN ('builtin', 'config')),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_id, effective_from)
);

-- The price of a model at ts: the latest row in effect, else the first
-- row, else the model's current price.
CREATE FUNCTION lw_price_at(p_model integer, p_ts timestamptz,
                            OUT input_per_mtok numeric, OUT output_per_mtok numeric)
LANGUAGE sql STABLE AS $$
    SELECT x.i, x.o FROM (
        (SELECT p.input_per_mtok AS i, p.output_per_mtok AS o, 0 AS pref, p.effective_from AS f
           FROM model_prices p WHERE p.model_id = p_model AND p.effective_from <= p_ts
          ORDER BY p.effective_from DESC LIMIT 1)
        UNION ALL
        (SELECT p.input_per_mtok, p.output_per_mtok, 1, p.effective_from
           FROM model_prices p WHERE p.model_id = p_model ORDER BY p.effective_from LIMIT 1)
        UNION ALL
        SELECT m.price_input_per_mtok, m.price_output_per_mtok, 2, NULL FROM models m
         WHERE m.id = p_model) x
     ORDER BY x.pref LIMIT 1
$$;

-- Every model known so far starts its history with its current price.
INSERT INTO model_prices (model_id, effective_from, input_per_mtok, output_per_mtok, source)
SELECT id, created_at, price_input_per_mtok, price_output_per_mtok, 'config' FROM models;

-- ---- budgets -----------------------------------------------------------------
ALTER TABLE rules DROP CONSTRAINT rules_kind_check;
ALTER TABLE rules ADD CONSTRAINT rules_kind_check CHECK (kind IN ('threshold', 'statistical',
    'trend', 'composite', 'forecast', 'burn_rate', 'budget'));
ALTER TABLE rules DROP CONSTRAINT rules_source_check;
ALTER TABLE rules ADD CONSTRAINT rules_source_check CHECK (source IN ('config', 'ui', 'api', 'budget'));

ALTER TABLE budgets
    ADD COLUMN model_name   text,              -- NULL: every model (in any environment)
    ADD COLUMN provider     text CHECK (provider IN ('openai', 'anthropic', 'google', 'openai-compatible')),
    ADD COLUMN time_zone    text NOT NULL DEFAULT 'UTC',
    -- the rule the budget's alerts belong to (kind 'budget', source
    -- 'budget', enabled = false: the rule evaluator never looks at it; the
    -- budget step of `evaluate` does); routing, silences and channels see
    -- its alerts like any other
    ADD COLUMN rule_id      integer REFERENCES rules(id),
    ADD COLUMN enabled      boolean NOT NULL DEFAULT true,
    ADD COLUMN source       text NOT NULL DEFAULT 'ui' CHECK (source IN ('config', 'ui', 'cli', 'api')),
    ADD COLUMN config_line  integer,
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT budgets_thresholds_check CHECK (cardinality(thresholds) BETWEEN 1 AND 10
        AND 0 < ALL (thresholds) AND 1000 >= ALL (thresholds));
-- model_id scoped by a monitored row (one environment); names scope across
-- environments, as rules do
UPDATE budgets b SET model_name = m.name FROM models m WHERE m.id = b.model_id;

-- A tier is announced once per period ('tier'); so is the pace alert
-- ('pace': the stated forecast says the budget runs out before the end).
ALTER TABLE budget_crossings ADD COLUMN kind text NOT NULL DEFAULT 'tier' CHECK (kind IN ('tier', 'pace'));
ALTER TABLE budget_crossings DROP CONSTRAINT budget_crossings_pkey;
ALTER TABLE budget_crossings ADD PRIMARY KEY (budget_id, period_start, kind, threshold);

-- ---- custom metrics ------------------------------------------------------------
-- Named values per model: a suite's custom scorers (one per probe that ran
-- one) and POST /api/v1/metrics (values measured elsewhere, e.g. user
-- satisfaction). Partitioned like probes would be overkill: these are few.
-- A scorer that failed leaves a row without a value and with its class
-- (timeout, exit: a non-zero exit or a signal, no_number: its output was
-- not a number, cannot_run), so a broken scorer shows instead of vanishing.
CREATE TABLE custom_metrics (
    id              bigserial PRIMARY KEY,
    ts              timestamptz NOT NULL,
    model_id        integer NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    environment_id  integer NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    value           double precision CHECK (value > '-Infinity' AND value < 'Infinity'),
    failure         text CHECK (failure IN ('timeout', 'exit', 'no_number', 'cannot_run')),
    source          text NOT NULL CHECK (source IN ('scorer', 'api')),
    probe_request_id text,
    case_id         text,
    idempotency_key text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((value IS NULL) = (failure IS NOT NULL)),
    CHECK (failure IS NULL OR source = 'scorer')
);
CREATE INDEX custom_metrics_ts ON custom_metrics (ts);

-- n values (sum, sumsq, min, max over them: min and max NULL when n = 0)
-- and `failed` scorer runs per hour and per day.
CREATE TABLE custom_metric_rollups (
    resolution      text NOT NULL CHECK (resolution IN ('1h', '1d')),
    bucket_start    timestamptz NOT NULL,
    model_id        integer NOT NULL,
    environment_id  integer NOT NULL,
    name            text NOT NULL,
    n               integer NOT NULL,
    failed          integer NOT NULL,
    sum             double precision NOT NULL,
    sumsq           double precision NOT NULL,
    min             double precision,
    max             double precision,
    PRIMARY KEY (resolution, model_id, environment_id, name, bucket_start)
);
CREATE INDEX custom_metric_rollups_read ON custom_metric_rollups (resolution, name, bucket_start);

-- Hours (and the days holding them) touched by a statement, rebuilt from
-- the raw values in the writer's transaction; one writer per day.
CREATE FUNCTION lw_custom_metrics_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
    h1 timestamptz[];
    d1 timestamptz[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT date_bin('1 hour', ts, o)) INTO h1 FROM lw_old;
    ELSE
        SELECT array_agg(DISTINCT date_bin('1 hour', ts, o)) INTO h1 FROM lw_new;
    END IF;
    IF h1 IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(DISTINCT date_bin('1 day', x, o) ORDER BY date_bin('1 day', x, o)) INTO d1
      FROM unnest(h1) x;
    PERFORM pg_advisory_xact_lock(hashtext('llmwatch custom metric rollups'),
                                  (extract(epoch FROM d) / 86400)::integer)
       FROM unnest(d1) d ORDER BY d;
    DELETE FROM custom_metric_rollups r
     USING (SELECT '1h' AS res, unnest(h1) AS b UNION ALL SELECT '1d', unnest(d1)) q
     WHERE r.resolution = q.res AND r.bucket_start = q.b;
    INSERT INTO custom_metric_rollups
    SELECT '1h', date_bin('1 hour', c.ts, o), c.model_id, c.environment_id, c.name,
           count(c.value), count(c.failure), coalesce(sum(c.value), 0),
           coalesce(sum(c.value * c.value), 0), min(c.value), max(c.value)
      FROM unnest(h1) h JOIN custom_metrics c ON c.ts >= h AND c.ts < h + interval '1 hour'
     GROUP BY 2, 3, 4, 5;
    INSERT INTO custom_metric_rollups
    SELECT '1d', date_bin('1 day', r.bucket_start, o), r.model_id, r.environment_id, r.name,
           sum(r.n), sum(r.failed), sum(r.sum), sum(r.sumsq), min(r.min), max(r.max)
      FROM unnest(d1) d JOIN custom_metric_rollups r ON r.resolution = '1h'
       AND r.bucket_start >= d AND r.bucket_start < d + interval '1 day'
     GROUP BY 2, 3, 4, 5;
    RETURN NULL;
END $$;
CREATE TRIGGER custom_metrics_rollup_insert AFTER INSERT ON custom_metrics
    REFERENCING NEW TABLE AS lw_new FOR EACH STATEMENT EXECUTE FUNCTION lw_custom_metrics_follow();
CREATE TRIGGER custom_metrics_rollup_delete AFTER DELETE ON custom_metrics
    REFERENCING OLD TABLE AS lw_old FOR EACH STATEMENT EXECUTE FUNCTION lw_custom_metrics_follow();

-- The read path of custom metrics (every page, report, rule and CLI reads
-- them here, never custom_metrics itself): the hours overlapping [p_from,
-- p_to) (the days, when p_step is a whole number of days), of the models
-- p_models (NULL: all) and the metric p_name (NULL: all). p_step given
-- (p_from aligned to it): one row per model, metric and step; NULL: one
-- row per model and metric over the range. mean and sd NULL without values.
CREATE FUNCTION lw_custom_metric_read(p_models integer[], p_name text, p_from timestamptz,
                                      p_to timestamptz, p_step interval DEFAULT NULL)
RETURNS TABLE (bucket_start timestamptz, model_id integer, environment_id integer, name text,
               n bigint, failed bigint, mean float8, sd float8, min float8, max float8)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_step IS NULL THEN p_from
                ELSE date_bin(p_step, r.bucket_start, p_from) END,
           r.model_id, r.environment_id, r.name, sum(r.n), sum(r.failed),
           sum(r.sum) / nullif(sum(r.n), 0),
           CASE WHEN sum(r.n) > 1 THEN sqrt(greatest(0, (sum(r.sumsq) - sum(r.sum) ^ 2 / sum(r.n))
                                                     / (sum(r.n) - 1))) END,
           min(r.min), max(r.max)
      FROM custom_metric_rollups r
     WHERE r.resolution = CASE WHEN p_step IS NOT NULL
                                    AND extract(epoch FROM p_step)::bigint % 86400 = 0
                               THEN '1d' ELSE '1h' END
       AND r.bucket_start > p_from - CASE WHEN p_step IS NOT NULL
                                               AND extract(epoch FROM p_step)::bigint % 86400 = 0
                                          THEN interval '1 day' ELSE interval '1 hour' END
       AND r.bucket_start < p_to
       AND (p_models IS NULL OR r.model_id = ANY (p_models))
       AND (p_name IS NULL OR r.name = p_name)
     GROUP BY 1, 2, 3, 4
$$;

-- ---- what the page cache listens to (008) ----------------------------------
CREATE TRIGGER model_prices_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON model_prices
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data();
CREATE TRIGGER custom_metrics_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON custom_metrics
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data();

-- ---- budgets: periods, spend, the stated pace, saving ----------------------
-- The period of a budget holding p_at, in its time zone: [start, stop).
-- Weeks start on Monday (ISO 8601).
CREATE FUNCTION lw_budget_period(p_period text, p_tz text, p_at timestamptz,
                                 OUT start timestamptz, OUT stop timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s AT TIME ZONE p_tz, (s + u) AT TIME ZONE p_tz
      FROM (SELECT date_trunc(CASE p_period WHEN 'daily' THEN 'day' WHEN 'weekly' THEN 'week'
                                   ELSE 'month' END, p_at AT TIME ZONE p_tz) AS s,
                   CASE p_period WHEN 'daily' THEN interval '1 day' WHEN 'weekly' THEN interval '7 days'
                        ELSE interval '1 month' END AS u) x
$$;

-- The models a budget counts: by name (any environment), provider and
-- environment; NULL when none is (never "all": lw_rollup_read(NULL) is).
CREATE FUNCTION lw_budget_models(p_budget integer) RETURNS integer[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(m.id ORDER BY m.id) FROM budgets b JOIN models m
        ON (b.model_name IS NULL OR m.name = b.model_name)
       AND (b.provider IS NULL OR m.provider = b.provider)
       AND (b.environment_id IS NULL OR m.environment_id = b.environment_id)
     WHERE b.id = p_budget
$$;

-- What a budget's models spent in [p_from, p_to): probes and production
-- usage, from their rollups.
CREATE FUNCTION lw_budget_spend(p_models integer[], p_from timestamptz, p_to timestamptz,
                                OUT probe_usd numeric, OUT usage_usd numeric)
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT sum(r.cost_usd) FROM lw_rollup_read(p_models, p_from, p_to) r
                      WHERE p_models IS NOT NULL AND p_to > p_from), 0),
           coalesce((SELECT sum(u.cost_usd) FROM lw_usage_read(p_models, p_from, p_to) u
                      WHERE p_models IS NOT NULL AND p_to > p_from), 0)
$$;

-- A budget at p_at: its period, what was spent so far, and the stated
-- forecast of the pace: the spend rate of the last quarter of a period
-- (6 h of a day, 42 h of a week, 7.5 days of a month; the elapsed part
-- when shorter) continued to the end of the period. projected is the
-- spend at the end at that rate, runs_out_at when the amount is reached
-- at that rate (NULL when it is not within the period, or already is).
CREATE FUNCTION lw_budget_status(p_budget integer, p_at timestamptz,
    OUT period_start timestamptz, OUT period_end timestamptz, OUT probe_usd numeric,
    OUT usage_usd numeric, OUT spent numeric, OUT rate_window_s bigint,
    OUT rate_usd_per_h numeric, OUT projected numeric, OUT runs_out_at timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    b budgets;
    ids integer[];
    w interval;
    recent numeric;
BEGIN
    SELECT * INTO b FROM budgets WHERE id = p_budget;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT x.start, x.stop INTO period_start, period_end
      FROM lw_budget_period(b.period, b.time_zone, p_at) x;
    ids := lw_budget_models(p_budget);
    SELECT s.probe_usd, s.usage_usd INTO probe_usd, usage_usd
      FROM lw_budget_spend(ids, period_start, p_at) s;
    spent := probe_usd + usage_usd;
    w := least((period_end - period_start) / 4, p_at - period_start);
    rate_window_s := extract(epoch FROM w)::bigint;
    IF rate_window_s < 300 THEN
        RETURN;     -- too early in the period to state a pace
    END IF;
    SELECT s.probe_usd + s.usage_usd INTO recent FROM lw_budget_spend(ids, p_at - w, p_at) s;
    rate_usd_per_h := round(recent * 3600 / rate_window_s, 12);
    projected := round(spent + recent * extract(epoch FROM period_end - p_at) / rate_window_s, 6);
    IF recent > 0 AND spent < b.amount_usd THEN
        runs_out_at := p_at + make_interval(secs => ((b.amount_usd - spent) * rate_window_s
                                                      / recent)::float8);
        IF runs_out_at >= period_end THEN
            runs_out_at := NULL;
        END IF;
    END IF;
END $$;

-- Creates the budget named p->>'name' with its rule, from p_source
-- ('config', 'cli', 'ui', 'api'), audited as p_actor; the configuration
-- also changes the budgets it made before. A name already taken (by a
-- budget, or by a rule that is not a budget's) is a unique_violation.
-- Returns the budget's id and whether anything changed.
CREATE FUNCTION lw_budget_save(p jsonb, p_source text, p_user integer, p_actor text, p_ip text,
                               OUT budget_id integer, OUT changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    old budgets;
    env_id integer;
    rid integer;
    rname text := 'Budget: ' || (p->>'name');
    descr text;
    after budgets;
BEGIN
    IF p->>'environment' IS NOT NULL THEN
        SELECT id INTO env_id FROM environments WHERE name = p->>'environment';
        IF env_id IS NULL THEN
            RAISE EXCEPTION 'no environment is called "%"', p->>'environment'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    PERFORM now() AT TIME ZONE coalesce(p->>'time_zone', 'UTC');   -- an unknown zone fails here
    SELECT * INTO old FROM budgets WHERE name = p->>'name' FOR UPDATE;
    -- the configuration changes its own budgets; anything else only adds
    IF FOUND AND (p_source <> 'config' OR old.source <> 'config') THEN
        RAISE EXCEPTION 'a budget is already called "%"%', p->>'name',
            CASE WHEN old.source = 'config' THEN ' (in the configuration file: change it there)'
                 WHEN p_source = 'config' THEN ' (made with ' || old.source || ': remove it first)'
                 ELSE '' END
            USING ERRCODE = 'unique_violation';
    END IF;
    descr := format('spend reaches %s of $%s %s%s%s%s%s',
        (SELECT string_agg(t::text || '%', ', ') FROM jsonb_array_elements_text(p->'thresholds') t),
        to_char((p->>'amount')::numeric, 'FM999,999,999,990.00'),
        CASE p->>'period' WHEN 'daily' THEN 'a day' WHEN 'weekly' THEN 'a week' ELSE 'a month' END,
        CASE WHEN p->>'model' IS NOT NULL THEN ', model ' || (p->>'model') ELSE '' END,
        CASE WHEN p->>'provider' IS NOT NULL THEN ', provider ' || (p->>'provider') ELSE '' END,
        CASE WHEN p->>'environment' IS NOT NULL THEN ', environment ' || (p->>'environment') ELSE '' END,
        CASE WHEN coalesce(p->>'time_zone', 'UTC') <> 'UTC' THEN ' (' || (p->>'time_zone') || ')' ELSE '' END);
    INSERT INTO rules (name, kind, expression, severity, for_s, cooldown_s, repeat_interval_s,
                       send_resolved, enabled, source, runbook)
    VALUES (rname, 'budget', descr, 'warning', 0, 0, 0, false, false, 'budget',
            'Spending budget **' || (p->>'name') || '**: /budgets shows what was spent and at '
            || 'what pace, /costs where the money goes and what could cost less.')
    ON CONFLICT (name) DO UPDATE SET expression = EXCLUDED.expression, deleted_at = NULL,
        updated_at = now()
     WHERE rules.source = 'budget'
    RETURNING id INTO rid;
    IF rid IS NULL THEN
        SELECT id INTO rid FROM rules WHERE name = rname AND source = 'budget';
        IF rid IS NULL THEN
            RAISE EXCEPTION 'a rule is already called "%": name the budget otherwise', rname
                USING ERRCODE = 'unique_violation';
        END IF;
    END IF;
    INSERT INTO budgets (name, model_name, provider, environment_id, period, amount_usd, thresholds,
                         time_zone, enabled, rule_id, source, config_line, created_by)
    VALUES (p->>'name', p->>'model', p->>'provider', env_id, p->>'period', (p->>'amount')::numeric,
            ARRAY(SELECT t::integer FROM jsonb_array_elements_text(p->'thresholds') t),
            coalesce(p->>'time_zone', 'UTC'), coalesce((p->>'enabled')::boolean, true), rid,
            p_source, (p->>'config_line')::integer, p_user)
    ON CONFLICT (name) DO UPDATE SET model_name = EXCLUDED.model_name, provider = EXCLUDED.provider,
        environment_id = EXCLUDED.environment_id, period = EXCLUDED.period,
        amount_usd = EXCLUDED.amount_usd, thresholds = EXCLUDED.thresholds,
        time_zone = EXCLUDED.time_zone, enabled = EXCLUDED.enabled, rule_id = EXCLUDED.rule_id,
        config_line = EXCLUDED.config_line, updated_at = now()
     WHERE (budgets.model_name, budgets.provider, budgets.environment_id, budgets.period,
            budgets.amount_usd, budgets.thresholds, budgets.time_zone, budgets.enabled,
            budgets.rule_id, budgets.config_line)
           IS DISTINCT FROM (EXCLUDED.model_name, EXCLUDED.provider, EXCLUDED.environment_id,
            EXCLUDED.period, EXCLUDED.amount_usd, EXCLUDED.thresholds, EXCLUDED.time_zone,
            EXCLUDED.enabled, EXCLUDED.rule_id, EXCLUDED.config_line)
    RETURNING * INTO after;
    changed := after.id IS NOT NULL;
    budget_id := coalesce(after.id, old.id);
    IF changed THEN
        INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)
        VALUES (p_user, p_actor, CASE WHEN old.id IS NULL THEN 'create' ELSE 'update' END, 'budget',
                after.id::text, CASE WHEN old.id IS NOT NULL THEN to_jsonb(old) END, to_jsonb(after), p_ip);
    END IF;
END $$;

-- Removes a budget (its crossings go with it; its rule is retired, its
-- alerts stay in the history). p_only_source: remove only a budget of
-- that source (NULL: any). Returns whether one was removed.
CREATE FUNCTION lw_budget_remove(p_id integer, p_only_source text, p_user integer, p_actor text,
                                 p_ip text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    old budgets;
BEGIN
    DELETE FROM budgets WHERE id = p_id AND (p_only_source IS NULL OR source = p_only_source)
    RETURNING * INTO old;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE rules SET deleted_at = now(), updated_at = now() WHERE id = old.rule_id AND source = 'budget';
    INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, ip)
    VALUES (p_user, p_actor, 'delete', 'budget', old.id::text, to_jsonb(old), p_ip);
    RETURN true;
END $$;
