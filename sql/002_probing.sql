-- 002_probing.sql: what probe cycles and baselines need on top of 001:
-- the request id that joins a probe row to the provider's (or the
-- simulator's) own log, one row per cycle, and the link from a baseline to
-- the run it was computed from.

-- The X-Llmwatch-Probe-Id sent with the request (random, 32 hex digits).
ALTER TABLE probes ADD COLUMN request_id text;
-- A cycle's rows are summarised (and baselines computed) by cycle_id right
-- after they are written.
CREATE INDEX probes_cycle ON probes (cycle_id);

-- One row per probe cycle: `llmwatch probe`, the performance_checks and
-- full_benchmark jobs, and every `baseline create` (all its rounds share
-- one cycle). probes.cycle_id points here; there is no foreign key so that
-- retention can drop probe partitions without touching cycles.
CREATE TABLE probe_cycles (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('probe', 'full_benchmark', 'baseline')),
    suite        text,                 -- the suite forced on every model, or NULL (per model)
    iterations   integer NOT NULL DEFAULT 1 CHECK (iterations > 0),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
    models       integer NOT NULL DEFAULT 0,
    probes       integer NOT NULL DEFAULT 0,
    ok           integer NOT NULL DEFAULT 0,
    engine_ms    double precision NOT NULL DEFAULT 0,   -- time inside the probe engine
    error        text
);
CREATE INDEX probe_cycles_started ON probe_cycles (started_at DESC);

-- The run a baseline was computed from (its probes carry the same cycle_id),
-- and which rate tokens_per_second is: 'decode' = (output - 1) / (total - ttft).
ALTER TABLE baselines ADD COLUMN cycle_id bigint REFERENCES probe_cycles(id);
ALTER TABLE baselines ADD COLUMN tokens_rate text NOT NULL DEFAULT 'decode'
    CHECK (tokens_rate IN ('decode', 'e2e'));
