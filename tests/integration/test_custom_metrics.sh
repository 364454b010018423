#!/bin/bash
# test_custom_metrics.sh: custom metrics end to end. A suite names custom
# scorers (user commands run without a shell: the reply on stdin, the
# expected answer in LLMWATCH_EXPECTED, a number on stdout); a probe cycle
# against llmwatch-sim stores each scorer's value per answer, and a scorer
# that times out or prints garbage is a classified failure, not a crash.
# POST /api/v1/metrics stores values from outside; a rule on
# custom.user_satisfaction fires on evaluate and one with a lower limit
# does not; the model page charts the metrics and the cost report lists
# them, all from the rollups.
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
KEY="sk-custom-test-0123456789abcdef"
export OPENAI_API_KEY="$KEY"

mkdir -p "$T/suites"
cat >"$T/suites/custom.yaml" <<'EOF2'
name: custom-test
description: One greeting, measured by the user's own commands too.
custom_scorers:
  - name: reply_bytes
    command: [wc, -c]
  - name: slow
    command: [sleep, "30"]
    timeout: 1s
  - name: garbage
    command: [echo, "not a number"]
cases:
  - id: greet
    prompt: "Say hello to the custom metrics test."
    max_tokens: 64
    scorer: {type: contains, values: [hello], case_insensitive: true}
    reference_answer: "hello"
    custom_scorers:
      - name: matched
        command: [python3, -c, "import os, sys; print(1 if os.environ['LLMWATCH_EXPECTED'] in sys.stdin.read().lower() else 0)"]
      - name: shell_free
        command: [echo, "$(touch @MARK@)", "7"]
EOF2
sed -i "s|@MARK@|$T/shell-ran|" "$T/suites/custom.yaml"
cat >"$T/scenarios.yaml" <<'EOF2'
seed: 3
models:
  happy-model: {ttft_ms: 10, inter_token_ms: 1, output_tokens: 6, accuracy: 1}
EOF2
"$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$T/sim.port" --scenarios "$T/scenarios.yaml" \
    --suites "$T/suites" --log "$T/sim.jsonl" --log-level warn >"$T/sim.log" 2>&1 &
STACK_PIDS+=("$!")
wait_for_file "$T/sim.port" 20 || { fail "simulator did not start"; cat "$T/sim.log"; finish; exit 1; }
SIM="http://127.0.0.1:$(cat "$T/sim.port")"

cat >"$T/config.yaml" <<EOF2
monitoring:
  environment: production
  probe:
    suite: "$T/suites/custom.yaml"
  models:
    - name: happy-model
      provider: openai
      model: happy-model
      base_url: "$SIM"
      sla_target: 1
      timeout: 10
  alerts:
    rules:
      - {name: "Unhappy users", condition: "custom.user_satisfaction < 3", window: 1h, severity: warning}
      - {name: "Miserable users", condition: "custom.user_satisfaction < 1", window: 1h, severity: critical}
      - {name: "Short replies", condition: "custom.reply_bytes < 1 and error_rate < 50%", window: 1h, severity: info}
EOF2
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }

# ---- scorers on a probe cycle ----
$L probe --config "$T/config.yaml" --iterations 2 >"$T/probe.out" 2>"$T/probe.err"
check_eq "probe exits 0 with failing scorers" "0" "$?"
check_eq "two answers" "2" "$(psql_test -c "SELECT count(*) FROM probes WHERE ok")"
val() { psql_test -c "SELECT coalesce(string_agg(coalesce(value::text, failure), ',' ORDER BY id), '')
                      FROM custom_metrics WHERE name = '$1'"; }
check_eq "wc -c measured each reply: its bytes" "2" \
    "$(psql_test -c "SELECT count(*) FROM custom_metrics c JOIN probes p ON p.request_id = c.probe_request_id
                     WHERE c.name = 'reply_bytes' AND c.value = octet_length(p.answer) AND c.source = 'scorer'
                       AND c.case_id = 'greet'")"
check_eq "the expected answer came in the environment" "1,1" "$(val matched)"
check_eq "a scorer past its timeout: classified, no value" "timeout,timeout" "$(val slow)"
check_eq "a scorer printing garbage: classified" "no_number,no_number" "$(val garbage)"
check_eq "arguments are not a shell line: \$(touch ...) is text, not a number" "no_number,no_number" "$(val shell_free)"
check "... and nothing ran a shell" test ! -e "$T/shell-ran"
check_contains "the failures are logged, not fatal" "custom scorer slow: no answer within 1000 ms" "$T/probe.err"
check_eq "rollups: values and failed runs per metric" "garbage:0:2 matched:2:0 reply_bytes:2:0 shell_free:0:2 slow:0:2" \
    "$(psql_test -c "SELECT string_agg(name || ':' || n || ':' || failed, ' ' ORDER BY name)
                     FROM custom_metric_rollups WHERE resolution = '1d'")"
check_eq "the read function gives the same" "2" \
    "$(psql_test -c "SELECT n FROM lw_custom_metric_read(NULL, 'matched', now() - interval '1 day', now() + interval '1 hour')")"

# ---- values from outside ----
tok=$("$L" user token --email editor@example.com --name app --role editor --database "$DB_URL" | sed -n '2p')
vtok=$("$L" user token --email viewer@example.com --name ro --database "$DB_URL" | sed -n '2p')
post() {
    curl -s -o "$T/m.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$2" "$BASE/api/v1/metrics"
}
t1=$(date -u -d '20 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
t2=$(date -u -d '10 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
batch="{\"metrics\": [{\"time\": \"$t1\", \"model\": \"happy-model\", \"name\": \"user_satisfaction\", \"value\": 2.0, \"idempotency_key\": \"s-1\"},
  {\"time\": \"$t2\", \"model\": \"happy-model\", \"environment\": \"production\", \"name\": \"user_satisfaction\", \"value\": 2.5, \"idempotency_key\": \"s-2\"}]}"
check_eq "metrics API: without a token, 401" "401" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$batch" "$BASE/api/v1/metrics")"
check_eq "metrics API: a viewer cannot write" "403" "$(post "$vtok" "$batch")"
check_eq "metrics API: not JSON is a 400" "400" "$(post "$tok" '{"metrics": [')"
check_eq "metrics API: an unknown model is a 422" "422" \
    "$(post "$tok" "{\"metrics\": [{\"time\": \"$t1\", \"model\": \"nope\", \"name\": \"x\", \"value\": 1}]}")"
check_contains "... naming the field" '"field":"model"' "$T/m.json"
check_eq "metrics API: a missing value is a 422" "422" \
    "$(post "$tok" "{\"metrics\": [{\"time\": \"$t1\", \"model\": \"happy-model\", \"name\": \"x\"}]}")"
check_contains "... naming the field" '"field":"value"' "$T/m.json"
check_eq "nothing of the refused batches was stored" "0" \
    "$(psql_test -c "SELECT count(*) FROM custom_metrics WHERE source = 'api'")"
check_eq "metrics API: stored (201)" "201" "$(post "$tok" "$batch")"
check_eq "metrics API: again, nothing new (200)" "200" "$(post "$tok" "$batch")"
check_eq "two values, once" "2" "$(psql_test -c "SELECT count(*) FROM custom_metrics WHERE source = 'api'")"

# ---- rules ----
$L validate --config "$T/config.yaml" >"$T/validate.out" 2>&1
check_eq "the custom rules validate" "0" "$?"
sed 's/custom.user_satisfaction < 1"/custom.User < 1"/' "$T/config.yaml" >"$T/bad.yaml"
$L validate --config "$T/bad.yaml" >"$T/bad.out" 2>&1
check_eq "a bad custom metric name in a rule is refused" "1" "$?"
check_contains "... with its column" "custom metric's name" "$T/bad.out"
$L evaluate >"$T/evaluate.out" 2>&1
check_eq "evaluate runs" "0" "$?"
state() { psql_test -c "SELECT coalesce(string_agg(a.state || ':' || round(a.value::numeric, 2), ','), 'none')
                        FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE r.name = '$1'"; }
check_eq "custom.user_satisfaction < 3 fires on the posted mean (2.25)" "firing:2.25" "$(state 'Unhappy users')"
check_eq "custom.user_satisfaction < 1 does not" "none" "$(state 'Miserable users')"
check_eq "a scorer's metric beside a measure does not fire on long replies" "none" "$(state 'Short replies')"
check_contains "evaluate says so" "Unhappy users" "$T/evaluate.out"

# ---- the model page and the report ----
login viewer@example.com pw-viewer-0123456789 "$T/jar" || fail "viewer login"
id=$(psql_test -c "SELECT id FROM models WHERE name = 'happy-model'")
check_eq "the model page" "200" "$(get "$T/jar" "/models/$id?range=24h" "$T/model.html")"
check_contains "charts user_satisfaction" 'id="chart-custom-user_satisfaction"' "$T/model.html"
check_contains "and the scorers' metrics" 'id="chart-custom-reply_bytes"' "$T/model.html"
check_contains "with failed runs counted" "2 scorer runs failed" "$T/model.html"
$L costs analyze --days 1 --output "$T/report.html" >"$T/analyze.out" 2>&1
check_eq "costs analyze runs" "0" "$?"
check_contains "the report lists the custom metrics" "Custom metrics" "$T/report.html"
check_contains "... user_satisfaction's mean" "2.2500" "$T/report.html"
$L forecast --model happy-model --metrics custom.matched --hours 2 --history-days 3 >"$T/fc.out" 2>&1
check_eq "forecast takes a custom metric" "0" "$?"

finish
