-- 004_delivery.sql: what `llmwatch notify` needs beyond the outbox of 001
-- (docs/delivery.md).

-- Parts of a notification already delivered (an SMS recipient, one
-- PagerDuty event of a group), recorded the moment each is accepted so a
-- retry after a partial failure or a crash does not repeat them.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS progress jsonb NOT NULL DEFAULT '[]';
-- When the last attempt started (attempts and last_error say how it went).
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS last_attempt_at timestamptz;
-- Alertmanager forgets a firing alert after its resolve_timeout unless it
-- is posted again: a sent firing notification to an alertmanager channel
-- is re-posted at resend_at while its alerts still fire.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS resend_at timestamptz;
CREATE INDEX IF NOT EXISTS notifications_resend ON notifications (resend_at)
    WHERE resend_at IS NOT NULL;
-- Failed deliveries for the alerts page and /metrics.
CREATE INDEX IF NOT EXISTS notifications_failed ON notifications (created_at DESC)
    WHERE status = 'failed';
