-- 003_alerting.sql: what alert evaluation (worker/cmd/evaluate.c) needs
-- beyond 001: a stable fingerprint per alert series, grouped notifications
-- and the reason a notification was suppressed.
--
-- ==== The outbox contract between `evaluate` (writer) and `notify` ====
-- One evaluation (one run of `llmwatch evaluate`, one transaction, together
-- with the alert state changes and alert_events rows) writes, for every
-- channel routed (routes: alert severity -> enabled channels):
--
--   * ONE row with status 'pending' for all the alerts of that evaluation
--     that are to be delivered on that channel (grouping). Its
--     alert_event_id is the smallest event id of the group, so
--     UNIQUE (alert_event_id, channel_id) still forbids a second row for
--     the same event on the same channel; notification_events lists every
--     event of the group (alert_count = how many). group_key is
--     'eval:<unix time of the evaluation>:<channel id>'.
--   * one row with status 'suppressed' per (event, channel) for an alert
--     muted by a silence, a maintenance window, inhibition (a firing
--     critical alert on the same model and environment mutes warning and
--     info alerts) or its rule's cooldown; suppressed_reason says which
--     ("silence #3: deploy", "maintenance window #4", "inhibited by alert
--     #12 (Service Down)", "cooldown until 2025-01-07 11:00:00 UTC"). notify
--     never sends these; the alert page shows them.
--
-- idempotency_key = hex sha256 of 'llmwatch:<alert_event_id>:<channel_id>'
-- (stable across retries and crashes: use it as the webhook Idempotency-Key).
--
-- payload (jsonb) of an alert row:
--   { "group_key": "...", "channel": "slack", "channel_type": "slack",
--     "evaluated_at": RFC3339, "status": "firing" | "resolved" | "mixed",
--     "title": "[FIRING:2] High Latency, Service Down",
--     "count": 2,
--     "alerts": [ {
--         "alert_id": 12, "event_id": 40, "url": "$LLMWATCH_PUBLIC_URL/alerts/12",
--         "rule": "High Latency", "rule_id": 1, "model": "gpt-4",
--         "environment": "production", "severity": "warning",
--         "state": "firing" | "resolved", "previous_state": "pending",
--         "repeat": false,               -- true for a repeat_interval re-notification
--         "value": 3.41, "threshold": 3.0, "value_text": "3.41 s",
--         "threshold_text": "3.00 s", "summary": "value 3.41 s > 3.00 s",
--         "started_at": RFC3339, "fired_at": RFC3339, "resolved_at": RFC3339|null,
--         "runbook": "Markdown" | null,
--         "fingerprint": "16 hex", "dedup_key": "llmwatch-<fingerprint>-<alert_id>"
--     } ] }
-- dedup_key is the same for the trigger and the resolve of one alert
-- (PagerDuty dedup_key; Alertmanager can use fingerprint as a label).
-- A resolved alert is only announced on channels when its firing was
-- delivered (last_notified_at set) and the rule has send_resolved.

ALTER TABLE alerts ADD COLUMN fingerprint text;
CREATE INDEX alerts_series ON alerts (rule_id, model_id, environment_id, started_at DESC);

ALTER TABLE notifications
    ADD COLUMN group_key text,
    ADD COLUMN alert_count integer NOT NULL DEFAULT 1,
    ADD COLUMN suppressed_reason text;

CREATE TABLE notification_events (
    notification_id  bigint NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    alert_event_id   bigint NOT NULL REFERENCES alert_events(id) ON DELETE CASCADE,
    channel_id       integer NOT NULL REFERENCES channels(id),
    PRIMARY KEY (notification_id, alert_event_id),
    UNIQUE (alert_event_id, channel_id)
);

-- A recurring maintenance window needs the length of each occurrence.
ALTER TABLE silences ADD CONSTRAINT silences_recurring_duration
    CHECK (recurrence IS NULL OR duration_s > 0);
CREATE INDEX silences_open ON silences (ends_at) WHERE expired_at IS NULL;
