-- 015_scale_out.sql: several worker hosts share a probe cycle's models
-- through leases in PostgreSQL (worker/probe/lease.c, docs/scaling.md).
--
-- A slot of a shared job (probe, full_benchmark) has one lease row per
-- model. A host claims free or expired leases (FOR UPDATE SKIP LOCKED),
-- probes those models, and its rows are accepted only while it still holds
-- their leases: the statement trigger below marks the leases done in the
-- same transaction as the COPY, or refuses the rows when another host took
-- a lease over. So a model is written at most once per slot; hosts that
-- outlive a dead one take its expired leases, so it is written at least
-- once.

-- Which host ran which cycle, for which slot (NULL: a run by hand, or a
-- scheduler before this migration).
ALTER TABLE probe_cycles ADD COLUMN host text;
ALTER TABLE probe_cycles ADD COLUMN slot timestamptz;

CREATE TABLE probe_leases (
    job         text NOT NULL CHECK (job IN ('probe', 'full_benchmark')),
    slot        timestamptz NOT NULL,
    model_id    integer NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    host        text,                 -- the holder; NULL while nobody claimed it
    cycle_id    bigint REFERENCES probe_cycles(id) ON DELETE SET NULL,
    attempts    integer NOT NULL DEFAULT 0,
    claimed_at  timestamptz,
    expires_at  timestamptz,          -- after this another host may take it over
    done_at     timestamptz,          -- the holder's rows are committed
    PRIMARY KEY (job, slot, model_id)
);
-- what is left to do (claims and the schedulers' polls read only these)
CREATE INDEX probe_leases_open ON probe_leases (job, slot) WHERE done_at IS NULL;
CREATE INDEX probe_leases_cycle ON probe_leases (cycle_id) WHERE done_at IS NULL;

-- Worker hosts seen lately: how many share a slot (each claims its part of
-- what is free), and who is there for `llmwatch status`.
CREATE TABLE worker_hosts (
    host        text PRIMARY KEY,
    pid         integer,
    started_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now()
);

-- The fence. Rows of a cycle that runs for a slot must belong to models
-- whose lease that cycle holds; their leases become done with them.
CREATE FUNCTION lw_probe_lease_fence() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    want bigint;
    got  bigint;
BEGIN
    WITH pairs AS (
        SELECT DISTINCT n.cycle_id, n.model_id FROM lw_new_leased n WHERE n.cycle_id IS NOT NULL),
    leased AS (
        SELECT p.cycle_id, p.model_id FROM pairs p
          JOIN probe_cycles c ON c.id = p.cycle_id WHERE c.slot IS NOT NULL),
    upd AS (
        UPDATE probe_leases l SET done_at = now()
          FROM leased p
         WHERE l.cycle_id = p.cycle_id AND l.model_id = p.model_id AND l.done_at IS NULL
        RETURNING 1)
    SELECT (SELECT count(*) FROM leased), (SELECT count(*) FROM upd) INTO want, got;
    IF got < want THEN
        RAISE EXCEPTION 'probe lease lost: % of the % models of this round belong to another host now',
            want - got, want;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER probes_lease_fence AFTER INSERT ON probes
    REFERENCING NEW TABLE AS lw_new_leased FOR EACH STATEMENT EXECUTE FUNCTION lw_probe_lease_fence();

-- Who probed what in a slot: one row per (job, slot, host).
CREATE VIEW probe_slot_hosts AS
SELECT job, slot, host, count(*) AS models, min(claimed_at) AS first_claim, max(done_at) AS last_done
  FROM probe_leases WHERE done_at IS NOT NULL AND host IS NOT NULL
 GROUP BY job, slot, host;
