-- 014_web_timings.sql: what llmwatch-web measures of itself (app/timings.c),
-- for `llmwatch analyze-dashboard-performance`: per minute, host and route,
-- the requests, the server errors and a latency histogram (the rollups'
-- log buckets, so lw_hist_quantile reads percentiles); and per route and
-- flush, the slowest query with its parameters. `maintain` keeps 14 days.
CREATE TABLE web_timings (
    minute    timestamptz NOT NULL,
    host      text NOT NULL,
    route     text NOT NULL,
    requests  bigint NOT NULL,
    errors    bigint NOT NULL DEFAULT 0,
    sum_ms    double precision NOT NULL,
    max_ms    double precision NOT NULL,
    hist      integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (minute, host, route)
);

CREATE TABLE web_slow_queries (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    host    text NOT NULL,
    route   text NOT NULL,
    ms      double precision NOT NULL,
    sql     text NOT NULL,
    params  jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX web_slow_queries_at ON web_slow_queries (at DESC);
