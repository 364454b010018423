#!/bin/bash
# test_metrics.sh: /metrics as Prometheus sees it. A real Prometheus
# (Debian's package) scrapes llmwatch through nginx with a bearer token;
# histogram_quantile(0.95) of its duration histogram agrees with
# llmwatch's own p95 within one bucket; `promtool check metrics` is clean
# on the text format; counters survive a restart of llmwatch-web (they are
# computed from stored data) and carry the stream outcomes.
. "$(dirname "$0")/lib.sh"

for tool in prometheus promtool; do
    command -v "$tool" >/dev/null || { fail "$tool is installed (make deps)"; finish; exit 1; }
done
stack_start || { fail "stack start"; finish; exit 1; }

"$BIN/llmwatch" backfill --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" --days 2 \
    --interval 5m >"$T/backfill.out" 2>&1 || { cat "$T/backfill.out"; fail "backfill"; finish; exit 1; }
# outcomes the backfill does not make: a refusal, a blocked prompt and a tool call today
psql_test -c "INSERT INTO probes (ts, model_id, environment_id, ok, outcome, finish_reason, total_ms, ttft_ms,
                input_tokens, output_tokens)
              SELECT now() - interval '1 minute', id, environment_id, true, o, f, 800, 300, 20, 5
                FROM models, (VALUES ('refusal', 'refusal'), ('blocked', 'safety'), ('tool_call', 'tool_calls')) v(o, f)
               WHERE name = 'gpt-4'" >/dev/null
TOKEN=$("$BIN/llmwatch" user token --email viewer@example.com --name prometheus --database "$DB_URL" 2>/dev/null \
        | sed -n 2p)
check "a viewer token is made" test -n "$TOKEN"

# a job run to report (maintain records itself in job_runs), and one
# scrape before, so the request counters have something to say
"$BIN/llmwatch" maintain --database "$DB_URL" >"$T/maintain.out" 2>&1
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/metrics"
code=$(curl -s -o "$T/metrics.txt" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/metrics")
check_eq "/metrics with a bearer token is 200" 200 "$code"
check_eq "/metrics without a token is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/metrics")"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1
check_eq "promtool check metrics exits 0" 0 "$?"
check_eq "promtool check metrics prints nothing" "" "$(cat "$T/promtool.out")"
check_contains "counter of probes by result" 'llmwatch_probes_total{model="gpt-4",environment="production",provider="openai",result="refusal"} 1' "$T/metrics.txt"
check_contains "blocked outcome" 'result="blocked"} 1' "$T/metrics.txt"
check_contains "tool_call outcome" 'result="tool_call"} 1' "$T/metrics.txt"
check_contains "error classes" 'llmwatch_probe_errors_total{model="gpt-4"' "$T/metrics.txt"
check_contains "finish reasons" 'llmwatch_probe_finish_reasons_total{model="gpt-4",environment="production",provider="openai",finish_reason="safety"} 1' "$T/metrics.txt"
check_contains "the OpenTelemetry duration histogram" '# TYPE gen_ai_client_operation_duration_seconds histogram' "$T/metrics.txt"
check_contains "its GenAI bucket boundaries" 'le="81.92"' "$T/metrics.txt"
check_contains "the token usage histogram" 'gen_ai_token_type="output",le="67108864"' "$T/metrics.txt"
check_contains "time to first chunk" '# TYPE gen_ai_client_operation_time_to_first_chunk_seconds histogram' "$T/metrics.txt"
check_contains "time per output token" 'llmwatch_time_per_output_token_seconds_bucket' "$T/metrics.txt"
check_contains "request metrics of the web app" 'llmwatch_web_requests_total{route="/metrics",code="2xx"}' "$T/metrics.txt"
check_contains "cache metrics kept" 'llmwatch_web_cache_requests_total{outcome="hit"}' "$T/metrics.txt"
check_contains "SLA state" 'llmwatch_sla_availability_ratio{model="gpt-4"' "$T/metrics.txt"
check_contains "job timestamps" 'llmwatch_job_last_run_timestamp_seconds{job=' "$T/metrics.txt"

# OpenMetrics when asked
curl -s -D "$T/om.h" -o "$T/om.txt" -H "Authorization: Bearer $TOKEN" \
    -H 'Accept: application/openmetrics-text;version=1.0.0' "$BASE/metrics"
check "OpenMetrics content type on Accept" grep -qi '^content-type: application/openmetrics-text' "$T/om.h"
check_eq "OpenMetrics ends with # EOF" "# EOF" "$(tail -1 "$T/om.txt")"
check_contains "OpenMetrics counter family named without _total" "# TYPE llmwatch_probes counter" "$T/om.txt"

# counters come from stored data: the same after a restart of the web app
before=$(grep '^llmwatch_probes_total{model="gpt-4".*result="ok"}' "$T/metrics.txt" | awk '{print $2}')
web_stop
web_start
after=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/metrics" \
        | grep '^llmwatch_probes_total{model="gpt-4".*result="ok"}' | awk '{print $2}')
check "the ok counter is there" test -n "$before"
check_eq "counters survive a restart of llmwatch-web" "$before" "$after"

# a real Prometheus scrapes it
PPORT=$(free_port)
mkdir -p "$T/prom"
cat >"$T/prom/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: llmwatch
    metrics_path: /metrics
    authorization: {type: Bearer, credentials: "$TOKEN"}
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
EOF
prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
    --web.listen-address="127.0.0.1:$PPORT" >"$T/prom/log" 2>&1 &
STACK_PIDS+=("$!")
pq() {
    curl -s --get --data-urlencode "query=$1" "http://127.0.0.1:$PPORT/api/v1/query" \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
ok_scrape=""
for _ in $(seq 1 100); do
    ok_scrape=$(pq 'up{job="llmwatch"}' 2>/dev/null)
    [ "$ok_scrape" = 1 ] && [ -n "$(pq 'gen_ai_client_operation_duration_seconds_count{model="gpt-4"}' 2>/dev/null)" ] && break
    sleep 0.3
done
check_eq "Prometheus scrapes llmwatch (up = 1)" 1 "$ok_scrape"
check_eq "Prometheus reads llmwatch_up" 1 "$(pq 'llmwatch_up')"
prom_p95=$(pq 'histogram_quantile(0.95, gen_ai_client_operation_duration_seconds_bucket{model="gpt-4"})')
own_p95=$(psql_test -c "SELECT lw_hist_quantile(lw_hist_sum(r.total_hist), 0.95) / 1000
                          FROM rollups r JOIN models m ON m.id = r.model_id
                         WHERE m.name = 'gpt-4' AND r.resolution = '1d'")
echo "# p95: Prometheus $prom_p95 s, llmwatch $own_p95 s"
check "Prometheus computes a p95" test -n "$prom_p95"
# the index of the bucket each falls in (boundaries of gen_ai.client.operation.duration)
bucket_of() {
    python3 -c 'import sys
b=[0.01,0.02,0.04,0.08,0.16,0.32,0.64,1.28,2.56,5.12,10.24,20.48,40.96,81.92]
v=float(sys.argv[1]); print(next((i for i,x in enumerate(b) if v <= x), len(b)))' "$1"
}
pb=$(bucket_of "$prom_p95")
ob=$(bucket_of "$own_p95")
check "histogram_quantile(0.95) agrees with llmwatch's p95 within one bucket ($pb vs $ob)" \
    test $((pb - ob)) -le 1 -a $((ob - pb)) -le 1
check_eq "Prometheus sees the refusal counter" 1 \
    "$(pq 'llmwatch_probes_total{model="gpt-4",result="refusal"}')"

finish
