#!/bin/bash
# test_delivery.sh: `llmwatch notify` and `test-alert` against real peers:
# aiosmtpd (Maildir), a real Alertmanager (amtool), and local Slack-,
# PagerDuty-, webhook- and Twilio-like servers (peers/http_peer.py) that
# record every request. Outbox rows are inserted with psql the way
# `evaluate` writes them (sql/003_alerting.sql). Then the faults: receivers
# down and back, two notify processes at once, kill -9 in mid-batch.
# Backoff runs at 1/100 (LLMWATCH_NOTIFY_BACKOFF_SCALE) so minutes of
# simulated outage take seconds.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PEERS="$ROOT/tests/integration/peers"
INSPECT="$PY $PEERS/inspect.py"
L="$BIN/llmwatch"

for tool in prometheus-alertmanager amtool; do
    command -v $tool >/dev/null || { fail "$tool is not installed (scripts/deps.sh)"; finish; exit 1; }
done
$PY -c 'import aiosmtpd' 2>/dev/null || { fail "python3-aiosmtpd is not installed"; finish; exit 1; }

DB_NAME="t_delivery_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
export LLMWATCH_DATABASE_URL="$DB_URL"
SMTP_PORT=$(free_port); SLACK_PORT=$(free_port); PD_PORT=$(free_port); HOOK_PORT=$(free_port)
SMS_PORT=$(free_port); AM_PORT=$(free_port); AMHOOK_PORT=$(free_port)
AMTOOL="amtool --alertmanager.url=http://127.0.0.1:$AM_PORT"

# Secrets live only in this environment; the database holds ${VAR}.
export LW_T_SLACK_URL="http://127.0.0.1:$SLACK_PORT/services/T000/B000/slack-secret-$$"
export LW_T_PD_KEY="0123456789abcdef0123456789abcdef"
export LW_T_HOOK_SECRET="whsec-hook-secret-$$"
export LW_T_TWILIO_TOKEN="twilio-token-secret-$$"
export LLMWATCH_NOTIFY_BACKOFF_SCALE=0.01
export LLMWATCH_NOTIFY_TIMEOUT=3

cat >"$T/config.yaml" <<EOF
monitoring:
  environment: production
  models:
    - provider: openai
      model: gpt-4
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
  alerts:
    channels:
      - name: mail
        type: email
        recipients: ["oncall@example.com", "Team Lead <lead@example.com>"]
        smtp_url: "smtp://127.0.0.1:$SMTP_PORT"
        from: "llmwatch <alerts@example.com>"
      - name: slack
        type: slack
        webhook_url: "\${LW_T_SLACK_URL}"
        channel: "#llm-monitoring"
      - name: pd
        type: pagerduty
        routing_key: "\${LW_T_PD_KEY}"
        url: "http://127.0.0.1:$PD_PORT/v2/enqueue"
      - name: hook
        type: webhook
        url: "http://127.0.0.1:$HOOK_PORT/hook"
        secret: "\${LW_T_HOOK_SECRET}"
      - name: sms
        type: sms
        url: "http://127.0.0.1:$SMS_PORT"
        account_sid: "AC0123456789abcdef"
        auth_token: "\${LW_T_TWILIO_TOKEN}"
        from: "+15550001111"
        to: ["+15550002222", "+15550003333"]
      - name: am
        type: alertmanager
        url: "http://127.0.0.1:$AM_PORT"
    rules:
      - name: "High Latency"
        condition: "avg_latency > sla_target * 1.5"
        severity: warning
        runbook: |
          Check **provider status**: [status](https://status.example.com)

          <script>alert(1)</script>
EOF

$L init --database "$DB_URL" --config "$T/config.yaml" >"$T/init.out" 2>&1 \
    || { fail "init"; cat "$T/init.out"; finish; exit 1; }
check_eq "secrets stored only as \${VAR} references" "0" "$(psql_test -c \
    "SELECT count(*) FROM channels WHERE settings::text ~ 'secret-$$|$LW_T_PD_KEY'")"

# ---- peers ----
wait_port() {
    local i=0
    until port_in_use "$1"; do i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.05; done
}
mkdir -p "$T/maildir/new" "$T/maildir/cur" "$T/maildir/tmp" "$T/am"
smtp_start() {
    $PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/maildir" \
        >>"$T/smtp.log" 2>&1 &
    SMTP_PID=$!
    STACK_PIDS+=("$SMTP_PID")
    wait_port "$SMTP_PORT"
}
smtp_stop() { kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null; }
# peer_start KIND PORT: sets PEER_PID
peer_start() {
    $PY "$PEERS/http_peer.py" --kind "$1" --port "$2" --log "$T/$1.jsonl" >>"$T/peers.log" 2>&1 &
    PEER_PID=$!
    STACK_PIDS+=("$PEER_PID")
    wait_for_http "http://127.0.0.1:$2/_health" 10
}
control() { curl -s -X POST --data "$2" "http://127.0.0.1:$1/_control" >/dev/null; }

smtp_start
peer_start slack "$SLACK_PORT"
peer_start pagerduty "$PD_PORT"
peer_start webhook "$HOOK_PORT"; HOOK_PID=$PEER_PID
peer_start twilio "$SMS_PORT"
$PY "$PEERS/http_peer.py" --kind webhook --port "$AMHOOK_PORT" --log "$T/amhook.jsonl" >>"$T/peers.log" 2>&1 &
STACK_PIDS+=("$!")
cat >"$T/am.yml" <<EOF
route:
  receiver: hook
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$AMHOOK_PORT/am
        send_resolved: true
EOF
check "amtool check-config accepts am.yml" amtool check-config "$T/am.yml"
prometheus-alertmanager --config.file="$T/am.yml" --storage.path="$T/am" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$T/am.log" 2>&1 &
STACK_PIDS+=("$!")
wait_for_http "http://127.0.0.1:$AM_PORT/-/ready" 20 || fail "alertmanager did not start"

# ---- the evaluator's side, in SQL ----
psql_test >/dev/null <<'SQL'
-- one alert of "High Latency" on gpt-4/production, started ten minutes ago
INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at, value, threshold)
SELECT r.id, m.id, e.id, 'warning', 'firing', date_trunc('second', now() - interval '10 minutes'),
       now() - interval '5 minutes', 3.41, 3.0
  FROM rules r, models m, environments e
 WHERE r.name = 'High Latency' AND m.name = 'gpt-4' AND e.name = 'production';

-- t_outbox(alert, to_state, channels, copies): a new event of the alert and
-- one outbox row per channel and copy, with 003's payload and key
CREATE FUNCTION t_outbox(p_alert bigint, p_to text, p_channels text[], p_copies int)
RETURNS SETOF bigint LANGUAGE sql AS $$
  WITH ev AS (
    INSERT INTO alert_events (alert_id, from_state, to_state, value)
    SELECT p_alert, CASE p_to WHEN 'firing' THEN 'pending' ELSE 'firing' END, p_to, 3.41
      FROM generate_series(1, p_copies) RETURNING id, alert_id, to_state)
  INSERT INTO notifications (alert_event_id, channel_id, kind, payload, idempotency_key)
  SELECT ev.id, c.id, 'alert', jsonb_build_object(
      'group_key', 'eval:' || ev.id || ':' || c.id, 'channel', c.name, 'channel_type', c.type,
      'status', ev.to_state, 'title', '[' || upper(ev.to_state) || ':1] ' || r.name, 'count', 1,
      'alerts', jsonb_build_array(jsonb_build_object(
        'alert_id', a.id, 'event_id', ev.id, 'url', 'http://llmwatch.test/alerts/' || a.id,
        'rule', r.name, 'rule_id', r.id, 'model', m.name, 'environment', env.name,
        'severity', a.severity, 'state', ev.to_state, 'value', 3.41, 'threshold', 3.0,
        'value_text', '3.41 s', 'threshold_text', '3.00 s', 'summary', 'value 3.41 s > 3.00 s',
        'started_at', a.started_at, 'fired_at', a.fired_at, 'resolved_at', a.resolved_at,
        'runbook', r.runbook, 'fingerprint', 'f00d', 'dedup_key', 'llmwatch-f00d-' || a.id))),
      encode(sha256(('llmwatch:' || ev.id || ':' || c.id)::bytea), 'hex')
    FROM ev JOIN alerts a ON a.id = ev.alert_id JOIN rules r ON r.id = a.rule_id
    JOIN models m ON m.id = a.model_id JOIN environments env ON env.id = a.environment_id
    JOIN channels c ON c.name = ANY (p_channels)
  RETURNING id $$;
SQL
ALERT=$(psql_test -c "SELECT max(id) FROM alerts")
SINCE=$(psql_test -c "SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' FROM alerts WHERE id = $ALERT")
outbox() { psql_test -c "SELECT count(*) FROM t_outbox($ALERT, '$1', '{$2}', ${3:-1})" >/dev/null; }
status_of() { psql_test -c "SELECT string_agg(c.name || '=' || n.status, ' ' ORDER BY c.name)
    FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE n.id > $1"; }
last_id() { psql_test -c "SELECT coalesce(max(id), 0) FROM notifications"; }

# ==== 1. every channel, firing ====
outbox firing "mail,slack,pd,hook,sms,am"
# (Alertmanager re-posts after 1 s instead of 2 minutes: see below)
LLMWATCH_NOTIFY_AM_RESEND=1 $L notify --once >"$T/notify1.out" 2>"$T/notify1.err"
check_eq "notify --once exits 0" "0" "$?"
check_eq "all six delivered" "am=sent hook=sent mail=sent pd=sent slack=sent sms=sent" "$(status_of 0)"
check_contains "notify prints its tally" "notify: 6 sent, 0 to retry, 0 failed" "$T/notify1.out"

# email: headers, HTML part, Message-ID from the idempotency key
MAIL_KEY=$(psql_test -c "SELECT idempotency_key FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'mail'")
$INSPECT mails "$T/maildir" >"$T/mails1.json"
mailq() { $PY -c 'import json,sys; m=[json.loads(l) for l in open(sys.argv[1])][0]; v=eval(sys.argv[2], {}, m); print(v)' "$T/mails1.json" "$1"; }
check_eq "one mail reached aiosmtpd" "1" "$(wc -l <"$T/mails1.json")"
check_eq "From header" "llmwatch <alerts@example.com>" "$(mailq sender)"
check_eq "To header" "oncall@example.com, Team Lead <lead@example.com>" "$(mailq to)"
check_eq "Subject header" "[llmwatch] FIRING warning: High Latency on gpt-4 (production)" "$(mailq subject)"
check_eq "Date header, once, parsable" "True 1" "$(mailq 'str(date_ok) + " " + str(n_date)')"
check_eq "Message-ID from the idempotency key" "<$MAIL_KEY@llmwatch> 1" "$(mailq 'message_id + " " + str(n_message_id)')"
check_eq "envelope recipients" "oncall@example.com, lead@example.com" "$(mailq rcpt)"
check_eq "text and HTML alternatives" "['text/html', 'text/plain']" "$(mailq types)"
check_eq "HTML renders the runbook Markdown" "True" "$(mailq '"<strong>provider status</strong>" in html')"
check_eq "HTML drops the runbook's raw HTML" "False" "$(mailq '"<script" in html')"
check_eq "HTML links to the alert" "True" "$(mailq '"href=\"http://llmwatch.test/alerts/" in html')"
check_eq "text part has value vs threshold and since" "True" \
    "$(mailq '"Value: 3.41 s (threshold 3.00 s)" in text and "Since: '"$SINCE"'" in text')"

# Slack: the exact document
SLACK_WANT='{"text":"[llmwatch] FIRING warning: High Latency on gpt-4 (production)","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*High Latency* is FIRING (warning)\nvalue 3.41 s &gt; 3.00 s\n*Model:* gpt-4\n*Environment:* production\n*Value:* 3.41 s (threshold 3.00 s)\n*Since:* '"$SINCE"'\n<http://llmwatch.test/alerts/'"$ALERT"'|Open in llmwatch>"}},{"type":"section","text":{"type":"mrkdwn","text":"*Runbook*\nCheck *provider status*: <https://status.example.com|status>"}}],"channel":"#llm-monitoring"}'
check_eq "Slack: exact JSON" "$SLACK_WANT" "$($INSPECT body "$T/slack.jsonl" 0)"
check_eq "Slack: posted to the secret webhook path" "/services/T000/B000/slack-secret-$$" \
    "$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["path"])' "$T/slack.jsonl")"

# PagerDuty trigger
check_eq "PagerDuty: trigger" "trigger" "$($INSPECT json "$T/pagerduty.jsonl" 0 event_action)"
check_eq "PagerDuty: routing_key" "$LW_T_PD_KEY" "$($INSPECT json "$T/pagerduty.jsonl" 0 routing_key)"
check_eq "PagerDuty: dedup_key of the incident" "llmwatch-f00d-$ALERT" "$($INSPECT json "$T/pagerduty.jsonl" 0 dedup_key)"
check_eq "PagerDuty: severity" "warning" "$($INSPECT json "$T/pagerduty.jsonl" 0 payload.severity)"
check_eq "PagerDuty: summary" "High Latency on gpt-4 (production): value 3.41 s > 3.00 s" \
    "$($INSPECT json "$T/pagerduty.jsonl" 0 payload.summary)"

# webhook: signature over the exact body, Idempotency-Key
HOOK_KEY=$(psql_test -c "SELECT idempotency_key FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'hook'")
check_eq "webhook: HMAC-SHA256 signature valid" "1 1" "$($INSPECT hmac "$T/webhook.jsonl" "$LW_T_HOOK_SECRET")"
check_eq "webhook: a wrong secret does not verify" "1 0" "$($INSPECT hmac "$T/webhook.jsonl" wrong)"
check_eq "webhook: Idempotency-Key is the row's key" "$HOOK_KEY" "$($INSPECT header "$T/webhook.jsonl" 0 Idempotency-Key)"
check_eq "webhook: document fields" "High Latency gpt-4 production warning firing 3.41 3" "$(for f in rule model environment severity state value threshold; do $INSPECT json "$T/webhook.jsonl" 0 $f; done | tr '\n' ' ' | sed 's/ $//')"

# SMS: one request per recipient, form fields, basic auth, <= 160
check_eq "SMS: one request per recipient" "2" "$($INSPECT count "$T/twilio.jsonl" --ok)"
$INSPECT form "$T/twilio.jsonl" 0 >"$T/sms0"
check_contains "SMS: To" "To=+15550002222" "$T/sms0"
check_contains "SMS: From" "From=+15550001111" "$T/sms0"
check_contains "SMS: basic auth sid:token" "auth=AC0123456789abcdef:$LW_T_TWILIO_TOKEN" "$T/sms0"
check_contains "SMS: form-encoded" "content-type=application/x-www-form-urlencoded" "$T/sms0"
check_eq "SMS: Twilio path" "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json" \
    "$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["path"])' "$T/twilio.jsonl")"
BODY_LEN=$(sed -n 's/^Body=//p' "$T/sms0" | $PY -c 'import sys; print(len(sys.stdin.read().rstrip("\n")))')
check "SMS: body <= 160 characters ($BODY_LEN)" test "$BODY_LEN" -le 160
check_contains "SMS: body says what and where" "Body=FIRING warning: High Latency gpt-4/production 3.41 s>3.00 s" "$T/sms0"

# Alertmanager
$AMTOOL alert query >"$T/am1.out" 2>&1
check_contains "Alertmanager lists the alert (amtool alert query)" "High Latency" "$T/am1.out"
$AMTOOL alert query -o extended >"$T/am1x.out" 2>&1
check_contains "Alertmanager labels" 'environment="production" model="gpt-4" rule="High Latency" severity="warning"' "$T/am1x.out"

# firing Alertmanager alerts are re-posted until resolved
sleep 1.1
$L notify --once >"$T/resend.out" 2>&1
check_contains "a firing alert is re-posted to Alertmanager" "1 re-posted to Alertmanager" "$T/resend.out"

# ==== 2. resolve: PagerDuty with the same dedup_key, Alertmanager endsAt ====
psql_test -c "UPDATE alerts SET state = 'resolved', resolved_at = date_trunc('second', now()) WHERE id = $ALERT" >/dev/null
RESOLVED_AT=$(psql_test -c "SELECT to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM alerts WHERE id = $ALERT")
FROM=$(last_id)
outbox resolved "pd,am,slack"
$L notify --once >"$T/notify2.out" 2>&1
check_eq "resolved notifications delivered" "am=sent pd=sent slack=sent" "$(status_of "$FROM")"
check_eq "PagerDuty: resolve" "resolve" "$($INSPECT json "$T/pagerduty.jsonl" -1 event_action)"
check_eq "PagerDuty: resolve has the trigger's dedup_key" \
    "$($INSPECT json "$T/pagerduty.jsonl" 0 dedup_key)" "$($INSPECT json "$T/pagerduty.jsonl" -1 dedup_key)"
check_eq "PagerDuty: resolve has the routing_key" "$LW_T_PD_KEY" "$($INSPECT json "$T/pagerduty.jsonl" -1 routing_key)"
$AMTOOL alert query >"$T/am2.out" 2>&1
check_not_contains "Alertmanager no longer lists it as active" "High Latency" "$T/am2.out"
# Alertmanager itself says resolved, with our endsAt, to its webhook receiver
am_resolved() {
    $PY - "$T/amhook.jsonl" <<'PY'
import json, os, sys
if os.path.exists(sys.argv[1]):
    for line in open(sys.argv[1]):
        doc = json.loads(json.loads(line)["body"])
        for a in doc["alerts"]:
            if a["status"] == "resolved" and a["labels"].get("alertname") == "High Latency":
                print(a["endsAt"][:19]); sys.exit()
PY
}
for i in $(seq 1 100); do
    AM_ENDS=$(am_resolved)
    [ -n "$AM_ENDS" ] && break
    sleep 0.1
done
check_eq "Alertmanager resolved the alert with our endsAt" "$RESOLVED_AT" "$AM_ENDS"

# ==== 3. answers: 429 with Retry-After, then ok; a permanent 4xx ====
FROM=$(last_id)
# Retry-After 60 s is 0.6 s at this scale, longer than the backoff's
# 30 s (0.24..0.36 s with jitter): the wait shows which one was used
control "$SLACK_PORT" '{"status": 429, "retry_after": "60", "count": 1}'
outbox firing slack
$L notify --once >/dev/null 2>&1
check_eq "429: rescheduled, not failed" "pending" "$(psql_test -c "SELECT status FROM notifications WHERE id > $FROM")"
check_eq "429: Retry-After honoured" "t" "$(psql_test -c \
    "SELECT (next_attempt_at - last_attempt_at) >= interval '0.59 s' FROM notifications WHERE id > $FROM")"
sleep 0.7
$L notify >/dev/null 2>&1
check_eq "429 then 200: sent on the second attempt" "sent 2" "$(psql_test -c "SELECT status || ' ' || attempts FROM notifications WHERE id > $FROM")"
FROM=$(last_id)
control "$SLACK_PORT" '{"status": 400}'
outbox firing slack
$L notify --once >/dev/null 2>&1
check_eq "Slack 400 invalid_payload: failed at once" "failed 1" "$(psql_test -c "SELECT status || ' ' || attempts FROM notifications WHERE id > $FROM")"
check_contains "the error is kept for the alerts page" "invalid_payload" <(psql_test -c "SELECT last_error FROM notifications WHERE id > $FROM")
control "$SLACK_PORT" '{}'

# ==== 4. SMTP and webhook receiver down for "5 minutes", then back ====
smtp_stop
kill "$HOOK_PID"; wait "$HOOK_PID" 2>/dev/null
FROM=$(last_id)
MAILS_BEFORE=$(ls "$T/maildir/new" | wc -l)
HOOK_LINES=$(wc -l <"$T/webhook.jsonl")
outbox firing "mail,hook" 10
# 300 s of outage at backoff scale 0.01: notify runs again and again
end=$(( $(date +%s%N) + 3000000000 ))
runs=0
while [ "$(date +%s%N)" -lt "$end" ]; do $L notify >>"$T/down.out" 2>>"$T/down.err"; runs=$((runs + 1)); sleep 0.2; done
check_eq "while down: nothing sent, nothing given up" "0 0" "$(psql_test -c \
    "SELECT count(*) FILTER (WHERE status = 'sent') || ' ' || count(*) FILTER (WHERE status = 'failed') FROM notifications WHERE id > $FROM")"
check "while down: retried with backoff (attempts > 2)" test "$(psql_test -c \
    "SELECT min(attempts) FROM notifications WHERE id > $FROM")" -gt 2
check_contains "while down: the reason is recorded" "smtp:" <(psql_test -c "SELECT last_error FROM notifications WHERE id > $FROM")
smtp_start
peer_start webhook "$HOOK_PORT"; HOOK_PID=$PEER_PID
for i in $(seq 1 60); do
    $L notify >>"$T/up.out" 2>>"$T/up.err"
    [ "$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status <> 'sent'")" = 0 ] && break
    sleep 0.2
done
check_eq "back up: all 20 delivered" "20" "$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sent'")"
check_eq "back up: 10 mails, each once" "10 10" "$($INSPECT mails "$T/maildir" | tail -n +$((MAILS_BEFORE + 1)) | $PY -c '
import json, sys
ids = [json.loads(l)["message_id"] for l in sys.stdin]
print(len(ids), len(set(ids)))')"
check_eq "back up: 10 webhooks, each once" "10 10" "$($INSPECT keys "$T/webhook.jsonl" Idempotency-Key --ok --from "$HOOK_LINES")"
check_eq "back up: no request beyond the 10" "10" "$($INSPECT count "$T/webhook.jsonl" --from "$HOOK_LINES")"

# ==== 5. two notify processes at once over 200 rows ====
FROM=$(last_id)
HOOK_LINES=$(wc -l <"$T/webhook.jsonl")
control "$HOOK_PORT" '{"delay": 0.005}'
outbox firing hook 200
$L notify --batch 20 >"$T/p1.out" 2>"$T/p1.err" &
P1=$!
$L notify --batch 20 >"$T/p2.out" 2>"$T/p2.err" &
P2=$!
wait $P1; S1=$?
wait $P2; S2=$?
control "$HOOK_PORT" '{}'
check_eq "both processes exit 0" "0 0" "$S1 $S2"
check_eq "200 rows sent" "200" "$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sent'")"
check_eq "200 requests, 200 distinct keys: none delivered twice" "200 200" \
    "$($INSPECT keys "$T/webhook.jsonl" Idempotency-Key --from "$HOOK_LINES")"
N1=$(sed -n 's/^notify: \([0-9]*\) sent.*/\1/p' "$T/p1.out")
N2=$(sed -n 's/^notify: \([0-9]*\) sent.*/\1/p' "$T/p2.out")
check_eq "the two processes shared the rows ($N1 + $N2)" "200" "$((N1 + N2))"
check "both did part of the work" test "$N1" -gt 0 -a "$N2" -gt 0

# ==== 6. kill -9 in mid-batch; a later run delivers the rest ====
# One process claims 30 rows with a 1 s lease, each send renews its own
# row's lease for 1 + 2 s; the receiver takes 0.2 s per request.
FROM=$(last_id)
HOOK_LINES=$(wc -l <"$T/webhook.jsonl")
control "$HOOK_PORT" '{"delay": 0.2}'
outbox firing hook 30
LLMWATCH_NOTIFY_LEASE=1 LLMWATCH_NOTIFY_TIMEOUT=2 $L notify --once --batch 30 >"$T/k.out" 2>"$T/k.err" &
KPID=$!
sleep 1.5
{ kill -9 $KPID; wait $KPID; } 2>/dev/null
control "$HOOK_PORT" '{}'
SENT_AT_KILL=$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sent'")
check "the kill landed mid-batch ($SENT_AT_KILL of 30 sent)" test "$SENT_AT_KILL" -gt 0 -a "$SENT_AT_KILL" -lt 30
check_eq "the dead process's rows are left 'sending'" "$((30 - SENT_AT_KILL))" "$(psql_test -c \
    "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sending'")"
# rows it never reached: their claim lease has run out, so they go now;
# the row it was sending keeps its renewed lease
$L notify >"$T/k1.out" 2>&1
INFLIGHT=$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sending'")
check "at most the row in flight is still held by the dead process ($INFLIGHT)" test "$INFLIGHT" -le 1
$L notify >>"$T/k1.out" 2>&1
check_eq "a live lease is respected" "$INFLIGHT" "$(psql_test -c \
    "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sending'")"
sleep 3.2   # that lease: 1 s + one request of 2 s from its renewal
$L notify >"$T/k2.out" 2>&1
check_eq "after the lease: all 30 sent" "30" "$(psql_test -c "SELECT count(*) FROM notifications WHERE id > $FROM AND status = 'sent'")"
read -r REQS KEYS <<<"$($INSPECT keys "$T/webhook.jsonl" Idempotency-Key --from "$HOOK_LINES")"
check_eq "every row reached the receiver (distinct Idempotency-Keys = rows)" "30" "$KEYS"
check "a repeat only for the request in flight at the kill ($REQS requests)" \
    test "$REQS" -le "$((30 + INFLIGHT))"
# a repeated key must be the row whose attempt the kill cut short
BAD=0
for k in $($INSPECT dups "$T/webhook.jsonl" Idempotency-Key --from "$HOOK_LINES"); do
    [ "$(psql_test -c "SELECT attempts FROM notifications WHERE idempotency_key = '$k'")" = 2 ] \
        || BAD=$((BAD + 1))
done
check_eq "a repeat only for a row attempted twice" "0" "$BAD"

# ==== 7. test-alert through the real path ====
$L test-alert --channel mail --severity warning --message "Test alert from monitoring system" \
    --config "$T/config.yaml" >"$T/ta.out" 2>&1
check_eq "test-alert exits 0" "0" "$?"
check_contains "test-alert prints the outcome" "test-alert: sent to email channel 'mail'" "$T/ta.out"
check_eq "test-alert mail landed in the Maildir" "1" "$($INSPECT mails "$T/maildir" --subject "TEST warning: Test alert from monitoring system" | wc -l)"
check_eq "test-alert row recorded as sent" "test sent" "$(psql_test -c "SELECT kind || ' ' || status FROM notifications ORDER BY id DESC LIMIT 1")"
smtp_stop
$L test-alert --channel mail --message "nobody listens" >"$T/ta2.out" 2>&1
check_eq "test-alert exits 1 when delivery fails" "1" "$?"
check_contains "and says why" "failed: smtp:" "$T/ta2.out"
$L test-alert --channel no-such >"$T/ta3.out" 2>&1
check_eq "test-alert on an unknown channel exits 1" "1" "$?"

# ==== secrets never logged ====
cat "$T"/*.out "$T"/*.err >"$T/all-output" 2>/dev/null
check_not_contains "no secret in notify's output" "secret-$$" "$T/all-output"
check_not_contains "no PagerDuty key in notify's output" "$LW_T_PD_KEY" "$T/all-output"
check_not_contains "no secret in last_error" "secret-$$" <(psql_test -c "SELECT string_agg(last_error, ' ') FROM notifications")

finish
