#!/bin/bash
# bench_alerts.sh: `scripts/bench.sh alerts`: from the probe that crosses a
# threshold to the notification reaching a local webhook peer, over
# BENCH_CROSSINGS (20) crossings. A private PostgreSQL, llmwatch-sim (TTFT
# 200 ms), one model, a rule with for: 0 routed to a webhook
# (tests/integration/peers/http_peer.py, which stamps each request), and
# `llmwatch notify --follow`. Each crossing: the rule's threshold is put
# under the model's latency and one scheduled probe cycle runs
# (`run-due --job probe`: the cycle syncs the configuration, then
# evaluates the rules of the models it measured as soon as its rows have
# committed); the next cycle, with the threshold put back, resolves it. The latency of a crossing is the peer's receive
# time less the completion of the crossing probe (its ts + total_ms, as
# notifications.crossed_at records it). Not a test: it measures, prints
# and records the figures in docs/benchmarks.md (BENCH_NO_DOC=1: not).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
export LLMWATCH_DATADIR="$ROOT"
N=${BENCH_CROSSINGS:-20}

TMP=$(mktemp -d /tmp/llmwatch-bench-alerts.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    pg_stop "$TMP/pg"
    rm -rf "$TMP"
}
trap cleanup EXIT
[ "${BENCH_KEEP:-0}" = 1 ] && trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; pg_stop "$TMP/pg"; echo "kept $TMP"' EXIT

for b in llmwatch llmwatch-sim; do
    [ -x "$BIN/$b" ] || { echo "bench_alerts.sh: no $BIN/$b (run make)" >&2; exit 1; }
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== alert latency benchmark: $N crossings (load average $load) =="
pg_start "$TMP/pg" || exit 1
DB=$(pg_url "$TMP/pg" bench)
export LLMWATCH_DATABASE_URL="$DB"

mkdir -p "$TMP/suites"
cat >"$TMP/suites/bench.yaml" <<'EOF'
name: bench
description: One short case.
cases:
  - id: ready
    prompt: "Reply with the word ready."
    max_tokens: 16
    scorer: {type: contains, values: [ready], case_insensitive: true}
    reference_answer: "ready"
EOF
cat >"$TMP/scenario.yaml" <<'EOF'
seed: 7
models:
  m-alert: {ttft_ms: 200, inter_token_ms: 5, output_tokens: 5, require_key: false}
EOF
"$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$TMP/sim.port" --scenarios "$TMP/scenario.yaml" \
    --suites "$TMP/suites" --log "$TMP/sim.jsonl" --log-level warn >"$TMP/sim.log" 2>&1 &
PIDS+=("$!")
HOOK_PORT=$(free_port)
/usr/bin/python3 "$ROOT/tests/integration/peers/http_peer.py" --kind webhook --port "$HOOK_PORT" \
    --log "$TMP/hook.jsonl" >"$TMP/hook.log" 2>&1 &
PIDS+=("$!")
wait_for_file "$TMP/sim.port" 20 || { echo "simulator did not start" >&2; exit 1; }
wait_for_http "http://127.0.0.1:$HOOK_PORT/_health" 20 || { echo "webhook peer did not start" >&2; exit 1; }
cat >"$TMP/config.yaml" <<EOF
monitoring:
  environment: bench
  probe:
    suite: "$TMP/suites/bench.yaml"
  models:
    - name: m-alert
      provider: openai-compatible
      model: m-alert
      base_url: "http://127.0.0.1:$(cat "$TMP/sim.port")"
      sla_target: 1
  alerts:
    channels:
      - name: hook
        type: webhook
        url: "http://127.0.0.1:$HOOK_PORT/hook"
    routing:
      critical: [hook]
    rules:
      - name: "Slow"
        condition: "avg_latency > 10"
        severity: critical
        window: 1m
        for: 0
        cooldown: 0
        send_resolved: false
EOF
"$BIN/llmwatch" init --database "$DB" --config "$TMP/config.yaml" >"$TMP/init.out" 2>&1 \
    || { cat "$TMP/init.out" >&2; exit 1; }
"$BIN/llmwatch" notify --follow --database "$DB" >"$TMP/notify.log" 2>&1 &
PIDS+=("$!")
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
cycle() {
    # the probe job's slot due again: forget its runs
    q "DELETE FROM job_runs WHERE job = 'probe'" >/dev/null
    "$BIN/llmwatch" run-due --job probe --config "$TMP/config.yaml" --database "$DB" >>"$TMP/run.log" 2>&1
}
hooks() { local c; c=$(grep -c '"/hook"' "$TMP/hook.jsonl" 2>/dev/null); echo "${c:-0}"; }

: >"$TMP/latencies"
for i in $(seq 1 "$N"); do
    # a scheduled cycle syncs the configuration first: the threshold is set there
    sed -i 's|condition: "avg_latency > [0-9.]*"|condition: "avg_latency > 0.05"|' "$TMP/config.yaml"
    cycle
    for _ in $(seq 1 100); do [ "$(hooks)" -ge "$i" ] && break; sleep 0.1; done
    [ "$(hooks)" -ge "$i" ] || { echo "crossing $i: no notification within 10 s" >&2; tail -5 "$TMP/run.log" >&2; exit 1; }
    sed -i 's|condition: "avg_latency > [0-9.]*"|condition: "avg_latency > 10"|' "$TMP/config.yaml"
    cycle
done
sleep 0.5
# peer time - crossing probe's completion, per notification (matched by alert id)
python3 - "$TMP/hook.jsonl" >"$TMP/pairs" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"] != "/hook":
        continue
    body = json.loads(r["body"])
    for a in body.get("alerts", [body]):
        if a.get("state", "firing") == "firing" and a.get("alert_id"):
            print(a["alert_id"], "%.6f" % r["t"])
PY
while read -r aid t; do
    crossed=$(q "SELECT extract(epoch FROM n.crossed_at) FROM notifications n
                 JOIN alert_events ae ON ae.id = n.alert_event_id WHERE ae.alert_id = $aid AND n.crossed_at IS NOT NULL LIMIT 1")
    [ -n "$crossed" ] && awk -v a="$t" -v b="$crossed" 'BEGIN { printf "%.3f\n", a - b }' >>"$TMP/latencies"
done <"$TMP/pairs"
n=$(wc -l <"$TMP/latencies")
[ "$n" -ge "$N" ] || { echo "only $n latencies measured" >&2; exit 1; }
read -r min p50 p95 max mean <<<"$(sort -n "$TMP/latencies" | awk '{ v[NR] = $1; s += $1 }
    END { printf "%.2f %.2f %.2f %.2f %.2f", v[1], v[int((NR + 1) / 2)], v[int(NR * 0.95 + 0.5)], v[NR], s / NR }')"
over=$(awk '$1 >= 5 { n++ } END { print n + 0 }' "$TMP/latencies")
printf 'crossings: %d; probe completed -> notification at the webhook peer: min %s s, median %s s, p95 %s s, max %s s, mean %s s; %d of %d at 5 s or more\n' \
    "$n" "$min" "$p50" "$p95" "$max" "$mean" "$over" "$n"

[ "${BENCH_NO_DOC:-0}" = 1 ] && exit 0
doc="$ROOT/docs/benchmarks.md"
mark="bench-alerts"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "<!-- $mark:begin (written by scripts/bench.sh alerts; edits here are overwritten) -->"
    echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r);" \
         "load average before the run $load. $n threshold crossings of a rule with \`for: 0\`, each by one" \
         "scheduled probe cycle (\`run-due --job probe\`, llmwatch-sim answering in about 0.2 s), delivered by" \
         "\`llmwatch notify --follow\` to a local webhook peer. Latency: the peer's receive time less the" \
         "completion of the crossing probe."
    echo
    echo "| crossings | min | median | p95 | max | mean | at 5 s or more |"
    echo "|---|---|---|---|---|---|---|"
    echo "| $n | $min s | $p50 s | $p95 s | $max s | $mean s | $over |"
    echo "<!-- $mark:end -->"
} >"$TMP/block.md"
doc_block "$doc" "$mark" "$TMP/block.md" "Alerts within seconds"
echo "figures written to docs/benchmarks.md"
