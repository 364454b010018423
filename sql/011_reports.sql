-- 011_reports.sql: what scheduled reports and SLA evidence need of the
-- reports table (001): the kinds, where a report came from (its schedule
-- and slot, so a slot has one report whoever runs it), the hash of the
-- data it was computed from (SLA evidence: one stored document per period
-- and data, downloaded again byte for byte), and the HTML a PDF was
-- typeset from (the SHA-256 in a PDF's footer is that HTML's, so anyone
-- can check it).

ALTER TABLE reports DROP CONSTRAINT reports_kind_check;
ALTER TABLE reports ADD CONSTRAINT reports_kind_check
    CHECK (kind IN ('daily', 'weekly', 'monthly', 'adhoc', 'baseline', 'costs', 'environments', 'sla'));

ALTER TABLE reports
    ADD COLUMN schedule     text,          -- report_config.yaml schedule name; NULL: by hand
    ADD COLUMN slot         timestamptz,   -- the schedule's slot it was made for
    ADD COLUMN sections     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN data_sha256  text,          -- SHA-256 of the data it was computed from
    ADD COLUMN source_html  bytea,         -- a PDF's HTML (its footer names this HTML's SHA-256)
    ADD COLUMN email_error  text;          -- why the last mail of it failed

-- one report per schedule and slot, whichever host made it
CREATE UNIQUE INDEX reports_slot ON reports (schedule, slot) WHERE schedule IS NOT NULL AND slot IS NOT NULL;
-- SLA evidence is made once per period, format and data
CREATE UNIQUE INDEX reports_sla_evidence ON reports (period_start, period_end, format, data_sha256)
    WHERE kind = 'sla' AND data_sha256 IS NOT NULL;

CREATE TRIGGER reports_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reports
    FOR EACH STATEMENT EXECUTE FUNCTION lw_notify_data();
