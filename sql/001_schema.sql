-- 001_schema.sql: llmwatch's whole data model (settings, environments,
-- models, probes, baselines, rollups, users and sessions, channels, rules,
-- alerts, notifications, budgets, reports, the audit log), created at once
-- so later work adds columns, not redesigns.
-- Applied by `llmwatch init` / migrations inside one transaction.

CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE environments (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Synced from monitoring_config.yaml by (environment, name); a model that
-- leaves the config is disabled and stamped, never deleted (its history stays).
CREATE TABLE models (
    id                     serial PRIMARY KEY,
    environment_id         integer NOT NULL REFERENCES environments(id),
    name                   text NOT NULL CHECK (name <> ''),
    provider               text NOT NULL CHECK (provider IN ('openai', 'anthropic', 'google', 'openai-compatible')),
    model                  text NOT NULL,
    base_url               text,
    api_key_env            text,          -- the NAME of the variable, never the key
    priority               text NOT NULL DEFAULT 'medium' CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    sla_target_ms          integer CHECK (sla_target_ms > 0),
    price_input_per_mtok   numeric(14,6) NOT NULL DEFAULT 0,  -- dollars per million tokens
    price_output_per_mtok  numeric(14,6) NOT NULL DEFAULT 0,
    max_concurrency        integer NOT NULL DEFAULT 4 CHECK (max_concurrency > 0),
    timeout_ms             integer,
    suite                  text,
    enabled                boolean NOT NULL DEFAULT true,
    source                 text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'ui', 'api')),
    config_line            integer,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    removed_at             timestamptz,
    UNIQUE (environment_id, name)
);

-- One row per probe request. Partitioned by day; retention drops partitions.
CREATE TABLE probes (
    id                bigserial,
    ts                timestamptz NOT NULL,
    model_id          integer NOT NULL,
    environment_id    integer NOT NULL,
    cycle_id          bigint,
    suite             text,
    case_id           text,
    ok                boolean NOT NULL,
    error_class       text CHECK (error_class IN ('timeout', 'connect', 'tls', 'http_4xx', 'rate_limited',
                                                  'http_5xx', 'protocol', 'empty', 'auth', 'config')),
    error_message     text,
    http_status       smallint,
    ttft_ms           double precision,
    total_ms          double precision,
    input_tokens      integer,
    output_tokens     integer,
    tokens_estimated  boolean NOT NULL DEFAULT false,
    decode_tps        double precision,
    e2e_tps           double precision,
    cost_usd          numeric(20,12),
    quality_score     real CHECK (quality_score BETWEEN 0 AND 100),
    backfill          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE probes_default PARTITION OF probes DEFAULT;
CREATE INDEX probes_ts_brin ON probes USING brin (ts);
CREATE INDEX probes_model_ts ON probes (model_id, environment_id, ts);

-- Production traffic pushed by applications through the API.
CREATE TABLE usage_events (
    id                bigserial,
    ts                timestamptz NOT NULL,
    model_id          integer NOT NULL,
    environment_id    integer NOT NULL,
    application       text,
    ok                boolean NOT NULL,
    error_class       text,
    http_status       smallint,
    ttft_ms           double precision,
    total_ms          double precision,
    input_tokens      integer,
    output_tokens     integer,
    cost_usd          numeric(20,12),
    PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE usage_events_default PARTITION OF usage_events DEFAULT;
CREATE INDEX usage_events_ts_brin ON usage_events USING brin (ts);
CREATE INDEX usage_events_model_ts ON usage_events (model_id, environment_id, ts);

-- Creates the daily partitions of probes and usage_events covering
-- [from_day, to_day]; idempotent. Called by init, probe, backfill, maintain.
CREATE FUNCTION llmwatch_ensure_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    d date := from_day;
    t text;
    made integer := 0;
BEGIN
    WHILE d <= to_day LOOP
        FOREACH t IN ARRAY ARRAY['probes', 'usage_events'] LOOP
            IF to_regclass(format('%I', t || '_' || to_char(d, 'YYYYMMDD'))) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               t || '_' || to_char(d, 'YYYYMMDD'), t,
                               d::timestamptz AT TIME ZONE 'UTC', (d + 1)::timestamptz AT TIME ZONE 'UTC');
                made := made + 1;
            END IF;
        END LOOP;
        d := d + 1;
    END LOOP;
    RETURN made;
END $$;

-- Drops daily partitions that end before keep_from; returns how many.
CREATE FUNCTION llmwatch_drop_partitions(keep_from date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    dropped integer := 0;
BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid
               JOIN pg_class p ON p.oid = i.inhparent
              WHERE p.relname IN ('probes', 'usage_events')
                AND c.relname ~ '_[0-9]{8}$'
                AND to_date(right(c.relname, 8), 'YYYYMMDD') < keep_from LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

-- Pre-aggregated buckets (5 minutes and 1 hour). Histograms use fixed
-- log-spaced latency buckets (see lib/rollup.h) so long-range percentiles
-- stay close without raw rows.
CREATE TABLE rollups (
    resolution      text NOT NULL CHECK (resolution IN ('5m', '1h')),
    bucket_start    timestamptz NOT NULL,
    model_id        integer NOT NULL,
    environment_id  integer NOT NULL,
    count           integer NOT NULL,
    errors          integer NOT NULL,
    sum_total_ms    double precision NOT NULL DEFAULT 0,
    sumsq_total_ms  double precision NOT NULL DEFAULT 0,
    max_total_ms    double precision,
    sum_ttft_ms     double precision NOT NULL DEFAULT 0,
    ttft_n          integer NOT NULL DEFAULT 0,
    input_tokens    bigint NOT NULL DEFAULT 0,
    output_tokens   bigint NOT NULL DEFAULT 0,
    cost_usd        numeric(20,12) NOT NULL DEFAULT 0,
    quality_sum     double precision NOT NULL DEFAULT 0,
    quality_n       integer NOT NULL DEFAULT 0,
    total_hist      integer[] NOT NULL DEFAULT '{}',
    ttft_hist       integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (resolution, model_id, environment_id, bucket_start)
);

CREATE TABLE baselines (
    id                  serial PRIMARY KEY,
    model_id            integer NOT NULL REFERENCES models(id),
    environment_id      integer NOT NULL REFERENCES environments(id),
    suite               text NOT NULL,
    iterations          integer NOT NULL,
    samples             integer NOT NULL,
    latency_mean_ms     double precision,
    latency_stddev_ms   double precision,
    latency_p95_ms      double precision,
    ttft_mean_ms        double precision,
    ttft_p95_ms         double precision,
    success_rate        double precision,
    tokens_per_second   double precision,
    cost_per_1k_usd     numeric(20,12),
    daily_cost_usd      numeric(20,12),
    quality_score       double precision,
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX baselines_one_active ON baselines (model_id, environment_id) WHERE active;

CREATE TABLE users (
    id             serial PRIMARY KEY,
    email          text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer', 'compliance')),
    password_hash  text NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Only the SHA-256 of a session token is stored: a database dump does not
-- give anyone a live session.
CREATE TABLE sessions (
    token_hash    text PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    ip            text,
    user_agent    text
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            serial PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          text NOT NULL,
    token_hash    text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer', 'compliance')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE channels (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    type        text NOT NULL CHECK (type IN ('email', 'slack', 'pagerduty', 'webhook', 'sms', 'alertmanager')),
    -- as written in the config: secrets stay ${VAR} references, resolved
    -- from the worker's environment at send time
    settings    jsonb NOT NULL DEFAULT '{}',
    severities  text[] NOT NULL DEFAULT '{}',
    enabled     boolean NOT NULL DEFAULT true,
    source      text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'ui', 'api')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- severity -> channels, in order (the seed's set_routing)
CREATE TABLE routes (
    severity    text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    channel_id  integer NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (severity, channel_id)
);

CREATE TABLE rules (
    id                  serial PRIMARY KEY,
    name                text NOT NULL UNIQUE,
    kind                text NOT NULL DEFAULT 'threshold'
                        CHECK (kind IN ('threshold', 'statistical', 'trend', 'composite', 'forecast', 'burn_rate')),
    expression          text,              -- threshold condition / statistical condition
    params              jsonb NOT NULL DEFAULT '{}',  -- kind-specific: window, k, horizon, conditions...
    severity            text NOT NULL DEFAULT 'warning' CHECK (severity IN ('critical', 'warning', 'info')),
    for_s               integer NOT NULL DEFAULT 0,
    cooldown_s          integer NOT NULL DEFAULT 0,
    repeat_interval_s   integer NOT NULL DEFAULT 14400,
    send_resolved       boolean NOT NULL DEFAULT true,
    scope_models        text[] NOT NULL DEFAULT '{}',  -- empty: every model
    scope_environments  text[] NOT NULL DEFAULT '{}',
    runbook             text,              -- Markdown
    enabled             boolean NOT NULL DEFAULT true,
    source              text NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'ui', 'api')),
    config_line         integer,
    created_by          integer REFERENCES users(id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

-- One row per incident of a rule on a model and environment.
CREATE TABLE alerts (
    id                bigserial PRIMARY KEY,
    rule_id           integer NOT NULL REFERENCES rules(id),
    model_id          integer REFERENCES models(id),
    environment_id    integer REFERENCES environments(id),
    severity          text NOT NULL,
    state             text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    started_at        timestamptz NOT NULL DEFAULT now(),
    fired_at          timestamptz,
    resolved_at       timestamptz,
    last_eval_at      timestamptz,
    value             double precision,
    threshold         double precision,
    summary           text,
    last_notified_at  timestamptz,
    acknowledged_by   integer REFERENCES users(id) ON DELETE SET NULL,
    acknowledged_at   timestamptz,
    false_positive    boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id, coalesce(model_id, 0), coalesce(environment_id, 0))
    WHERE state IN ('pending', 'firing');
CREATE INDEX alerts_started ON alerts (started_at DESC);

CREATE TABLE alert_events (
    id          bigserial PRIMARY KEY,
    alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    from_state  text,
    to_state    text NOT NULL,
    value       double precision,
    message     text,
    actor       integer REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, at);

-- Silences and recurring maintenance windows; they mute notifications,
-- never the record. Matchers: {"rule":..,"model":..,"environment":..,"severity":..}
CREATE TABLE silences (
    id           serial PRIMARY KEY,
    matchers     jsonb NOT NULL DEFAULT '{}',
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    recurrence   text,                 -- e.g. 'weekly on sunday at 02:00' (maintenance window)
    duration_s   integer,              -- length of each recurring window
    comment      text NOT NULL DEFAULT '',
    created_by   integer REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expired_at   timestamptz,
    CHECK (ends_at > starts_at)
);

-- The outbox: written with the alert state change, delivered by `notify`.
CREATE TABLE notifications (
    id               bigserial PRIMARY KEY,
    alert_event_id   bigint REFERENCES alert_events(id) ON DELETE CASCADE,
    channel_id       integer NOT NULL REFERENCES channels(id),
    kind             text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'test', 'report', 'budget')),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
    payload          jsonb NOT NULL DEFAULT '{}',
    idempotency_key  text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_until    timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (alert_event_id, channel_id)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status IN ('pending', 'sending');

CREATE TABLE budgets (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    model_id        integer REFERENCES models(id) ON DELETE CASCADE,   -- NULL: all models
    environment_id  integer REFERENCES environments(id) ON DELETE CASCADE,
    period          text NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly')),
    amount_usd      numeric(14,6) NOT NULL CHECK (amount_usd > 0),
    thresholds      integer[] NOT NULL DEFAULT '{80,90,100}',
    created_by      integer REFERENCES users(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- Which threshold of which budget period has been announced (once each).
CREATE TABLE budget_crossings (
    budget_id     integer NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
    period_start  timestamptz NOT NULL,
    threshold     integer NOT NULL,
    spent_usd     numeric(20,12) NOT NULL,
    crossed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (budget_id, period_start, threshold)
);

CREATE TABLE reports (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly', 'adhoc', 'baseline', 'costs', 'environments')),
    period_start   timestamptz NOT NULL,
    period_end     timestamptz NOT NULL,
    format         text NOT NULL CHECK (format IN ('html', 'pdf', 'csv', 'json')),
    content        bytea NOT NULL,
    sha256         text NOT NULL,
    recipients     text[] NOT NULL DEFAULT '{}',
    emailed_at     timestamptz,
    created_by     integer REFERENCES users(id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_created ON reports (created_at DESC);

-- Every job run, scheduled slot included: missed jobs are slots without a row.
CREATE TABLE job_runs (
    id             bigserial PRIMARY KEY,
    job            text NOT NULL,
    scheduled_for  timestamptz,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'skipped')),
    error          text,
    host           text,
    pid            integer,
    details        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX job_runs_job ON job_runs (job, started_at DESC);
CREATE UNIQUE INDEX job_runs_slot ON job_runs (job, scheduled_for) WHERE scheduled_for IS NOT NULL;

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    user_id      integer REFERENCES users(id) ON DELETE SET NULL,
    actor        text NOT NULL,          -- email, 'config', 'system', token name
    action       text NOT NULL,          -- 'create', 'update', 'delete', 'login', ...
    object_type  text NOT NULL,
    object_id    text,
    before       jsonb,
    after        jsonb,
    ip           text
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
