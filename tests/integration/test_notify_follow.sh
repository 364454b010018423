#!/bin/bash
# test_notify_follow.sh: alerts within seconds. A scheduled probe cycle
# whose probe crosses a rule's threshold (for: 0) evaluates the rules of
# the model it measured right after committing, and `llmwatch notify
# --follow` (woken by LISTEN/NOTIFY) delivers the notification to a local
# webhook peer, with neither the evaluate nor the notify job running; the
# time from the crossing probe to the notification is recorded and is in
# /metrics as a histogram. (No assertion on speed: the figure is
# scripts/bench.sh alerts.)
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/suites"
cat >"$T/suites/s.yaml" <<'YAML'
name: s
description: One short case.
cases:
  - id: ready
    prompt: "Reply with the word ready."
    max_tokens: 16
    scorer: {type: contains, values: [ready], case_insensitive: true}
    reference_answer: "ready"
YAML
cat >"$T/scenario.yaml" <<'YAML'
seed: 3
models:
  m-slow: {ttft_ms: 150, inter_token_ms: 5, output_tokens: 5, require_key: false}
YAML
"$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$T/sim.port" --scenarios "$T/scenario.yaml" \
    --suites "$T/suites" --log "$T/sim.jsonl" --log-level warn >"$T/sim.log" 2>&1 &
STACK_PIDS+=("$!")
HOOK_PORT=$(free_port)
/usr/bin/python3 "$ROOT/tests/integration/peers/http_peer.py" --kind webhook --port "$HOOK_PORT" \
    --log "$T/hook.jsonl" >"$T/hook.log" 2>&1 &
STACK_PIDS+=("$!")
wait_for_file "$T/sim.port" 20 || { fail "the simulator starts"; finish; exit 1; }
wait_for_http "http://127.0.0.1:$HOOK_PORT/_health" 20 || { fail "the webhook peer starts"; finish; exit 1; }
cat >"$T/config.yaml" <<YAML
monitoring:
  environment: production
  probe:
    suite: "$T/suites/s.yaml"
  models:
    - name: m-slow
      provider: openai-compatible
      model: m-slow
      base_url: "http://127.0.0.1:$(cat "$T/sim.port")"
      sla_target: 1
  alerts:
    channels:
      - name: hook
        type: webhook
        url: "http://127.0.0.1:$HOOK_PORT/hook"
    routing:
      critical: [hook]
    rules:
      - name: "Slower than 50 ms"
        condition: "avg_latency > 0.05"
        severity: critical
        window: 1m
        for: 0
YAML
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }
"$BIN/llmwatch" notify --follow --database "$DB_URL" >"$T/notify.log" 2>&1 &
NOTIFY_PID=$!
STACK_PIDS+=("$NOTIFY_PID")
sleep 0.5

"$BIN/llmwatch" run-due --job probe --config "$T/config.yaml" --database "$DB_URL" >"$T/run.log" 2>&1
check_eq "the scheduled probe cycle ran" 0 "$?"
for _ in $(seq 1 100); do grep -q '"/hook"' "$T/hook.jsonl" 2>/dev/null && break; sleep 0.1; done
check "the notification reached the webhook peer" grep -q '"/hook"' "$T/hook.jsonl"
check_contains "it is the alert that fired" "Slower than 50 ms" "$T/hook.jsonl"
check_eq "without the evaluate or notify jobs" 0 \
    "$(psql_test -c "SELECT count(*) FROM job_runs WHERE job IN ('evaluate', 'notify')")"
check_contains "the cycle evaluated its model" "evaluated after cycle" "$T/run.log"
check_eq "the alert fired" firing "$(psql_test -c "SELECT state FROM alerts")"
check_eq "the crossing probe's time is on the notification" t \
    "$(psql_test -c "SELECT crossed_at IS NOT NULL AND crossed_at <= sent_at FROM notifications WHERE status = 'sent'")"
TOKEN=$("$BIN/llmwatch" user token --email viewer@example.com --name p --database "$DB_URL" | sed -n 2p)
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/metrics" >"$T/metrics.txt"
check_contains "/metrics has the latency histogram" "llmwatch_alert_notification_latency_seconds_count 1" "$T/metrics.txt"
kill -TERM "$NOTIFY_PID"
wait "$NOTIFY_PID"
check_eq "notify --follow ends on SIGTERM with 0" 0 "$?"
check_contains "and says what it delivered" "notify: 1 sent" "$T/notify.log"
finish
