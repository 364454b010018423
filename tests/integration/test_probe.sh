#!/bin/bash
# test_probe.sh: `llmwatch probe` against llmwatch-sim. Accuracy: one model
# per protocol gets >= 500 requests; the simulator's ground-truth log is
# joined on request_id (the X-Llmwatch-Probe-Id header) and p99 of
# |measured TTFT - simulator TTFT| must stay within 2 ms; output tokens
# equal what was sent when usage was sent, estimated (and flagged) when it
# was withheld. Failures: every failure scenario is stored with its error
# class, a missing API key gives 'config' rows, and the process exits 0.
# Then baseline create/report and the probe job.
. "$(dirname "$0")/lib.sh"

F="$ROOT/tests/integration/fixtures"
L="$BIN/llmwatch"
N=${PROBE_ITERATIONS:-520}              # requests per protocol
P99_MAX_MS=${PROBE_TTFT_P99_MAX_MS:-2}
KEY="sk-probe-test-0123456789abcdef"
# Concurrent requests per model. The error measured is the time a first
# token waits in the simulator or the client while they handle other
# streams; sanitizer builds handle each event several times slower, so they
# keep fewer streams in flight (the run is longer, the bound the same).
CONC=${PROBE_CONCURRENCY:-16}
if grep -q __asan_init "$L" 2>/dev/null && [ -z "${PROBE_CONCURRENCY:-}" ]; then
    CONC=8
fi

DB_NAME="t_probe_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }

# The simulator and the accuracy cycle run SCHED_FIFO when we may (root or
# CAP_SYS_NICE): the two measure each other, and on a shared 2-core machine
# other processes' CPU load otherwise delays one of them by milliseconds now
# and then (measured: p99 4-20 ms beside two busy loops, 0.1 ms with
# SCHED_FIFO). Both are event-driven and mostly asleep; the kernel's RT
# throttling keeps 5% of each second for everyone else regardless.
RT=()
if chrt -f 1 true 2>/dev/null; then
    RT=(chrt -f 1)
    echo "# simulator and accuracy probe run SCHED_FIFO (chrt -f 1)"
fi

# --- simulator ---------------------------------------------------------------
mkdir -p "$T/suites"
cp "$F/probe_suite.yaml" "$T/suites/"
"${RT[@]}" "$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$T/sim.port" --scenarios "$F/probe_scenarios.yaml" \
    --suites "$T/suites" --log "$T/sim.jsonl" --log-level warn >"$T/sim.log" 2>&1 &
STACK_PIDS+=("$!")
wait_for_file "$T/sim.port" 20 || { fail "simulator did not start"; cat "$T/sim.log"; finish; exit 1; }
SIM="http://127.0.0.1:$(cat "$T/sim.port")"
for f in accuracy failures; do
    sed -e "s|@SIM@|$SIM|g" -e "s|@SUITE@|$F/probe_suite.yaml|g" -e "s|@CONC@|$CONC|g" \
        "$F/probe_$f.yaml" >"$T/$f.yaml"
done

export OPENAI_API_KEY="$KEY" ANTHROPIC_API_KEY="$KEY" GEMINI_API_KEY="$KEY" LW_TEST_KEY="$KEY"
unset LW_TEST_UNSET_KEY LLMWATCH_CONFIG

# the running instance: the accuracy models, a channel and two rules
cp "$T/accuracy.yaml" "$T/instance.yaml"
cat >>"$T/instance.yaml" <<'EOF'
  alerts:
    channels:
      - {type: webhook, name: ops-hook, url: "http://127.0.0.1:1/hook"}
    rules:
      - {name: "Slow", condition: "avg_latency > sla_target * 2", severity: warning}
      - {name: "Refusing", condition: "refusal_rate > 10%", severity: warning}
EOF
$L init --database "$DB_URL" --config "$T/instance.yaml" >"$T/init.out" 2>&1
check_eq "init with the probe migration" "0" "$?"
check_eq "probes have request_id" "1" \
    "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'probes' AND column_name = 'request_id'")"
monitored() {   # what the instance monitors: its enabled models, its rules and channels
    q "SELECT (SELECT string_agg(name, ',' ORDER BY name) FROM models WHERE enabled)
        || ' | ' || (SELECT string_agg(name || ':' || enabled || ':' || (deleted_at IS NULL), ',' ORDER BY name) FROM rules)
        || ' | ' || (SELECT string_agg(name || ':' || enabled, ',' ORDER BY name) FROM channels)"
}
BEFORE=$(monitored)
check_eq "the instance monitors its models, rules and channel" \
    "acc-anthropic,acc-gemini,acc-openai | Refusing:true:true,Slow:true:true | ops-hook:true" "$BEFORE"

# --- failure classes; an ad-hoc run with another file ------------------------------
$L probe --config "$T/failures.yaml" --database "$DB_URL" --iterations 2 >"$T/fail.out" 2>"$T/fail.err"
check_eq "probe exits 0 when every model fails" "0" "$?"
check_eq "an ad-hoc probe with another file leaves models, rules and channels alone" "$BEFORE" "$(monitored)"
check_eq "the ad-hoc cycle is recorded as such" "t" "$(q "SELECT adhoc FROM probe_cycles ORDER BY id DESC LIMIT 1")"
check_eq "its models unknown to the database are recorded disabled, as adhoc" "13|0|13" \
    "$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE enabled) || '|' || count(*) FILTER (WHERE source = 'adhoc')
          FROM models WHERE name LIKE 'f-%'")"
$L validate --config "$T/failures.yaml" >/dev/null 2>&1
check_eq "validate with another file leaves them alone too" "$BEFORE" "$(monitored)"
cls() {   # cls MODEL -> "class:count ..." of its rows
    q "SELECT string_agg(coalesce(error_class, 'ok') || ':' || n, ' ' ORDER BY 1) FROM (
         SELECT p.error_class, count(*) AS n FROM probes p JOIN models m ON m.id = p.model_id
         WHERE m.name = '$1' GROUP BY 1) x"
}
check_eq "error 500 -> http_5xx"                "http_5xx:2"     "$(cls f-500)"
check_eq "429 -> rate_limited"                  "rate_limited:2" "$(cls f-429)"
check_eq "401 -> auth"                          "auth:2"         "$(cls f-401)"
check_eq "truncated stream -> protocol"         "protocol:2"     "$(cls f-trunc)"
check_eq "no usage -> ok"                       "ok:2"           "$(cls f-nousage)"
check_eq "malformed chunk -> protocol"          "protocol:2"     "$(cls f-malformed)"
check_eq "empty reply -> empty"                 "empty:2"        "$(cls f-empty)"
check_eq "slow drip cut at the timeout"         "timeout:2"      "$(cls f-drip)"
check_eq "hang cut at the timeout"              "timeout:2"      "$(cls f-hang)"
check_eq "oversize reply -> protocol"           "protocol:2"     "$(cls f-oversize)"
check_eq "overloaded mid-stream -> protocol"    "protocol:2"     "$(cls f-overloaded)"
check_eq "nothing listening -> connect"         "connect:2"      "$(cls f-connect)"
check_eq "missing API key -> config"            "config:2"       "$(cls f-nokey)"
check_eq "429 keeps its status" "429,429" "$(q "SELECT string_agg(http_status::text, ',') FROM probes p
    JOIN models m ON m.id = p.model_id WHERE m.name = 'f-429'")"
check_eq "oversize says why" "2" "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id
    WHERE m.name = 'f-oversize' AND error_message = 'reply over 1 MiB'")"
check_eq "a cut stream keeps its TTFT and estimates its tokens" "2" "$(q "SELECT count(*) FROM probes p
    JOIN models m ON m.id = p.model_id WHERE m.name = 'f-trunc' AND ttft_ms IS NOT NULL
    AND tokens_estimated AND output_tokens > 0")"
check_eq "no usage: tokens estimated and flagged" "2" "$(q "SELECT count(*) FROM probes p
    JOIN models m ON m.id = p.model_id WHERE m.name = 'f-nousage' AND tokens_estimated AND output_tokens > 0")"
check_eq "missing key: the variable is named, no request made" \
    "LW_TEST_UNSET_KEY is not set|2|0" "$(q "SELECT min(error_message) || '|' || count(*) || '|' ||
    count(request_id) FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'f-nokey'")"
check_contains "missing key reported on its line" "f-nokey: 0/2 ok, errors: config 2 (LW_TEST_UNSET_KEY is not set)" \
    "$T/fail.out"
check_contains "the other models still ran" "f-nousage: 2/2 ok" "$T/fail.out"
check_eq "the key is never stored" "0" "$(q "SELECT count(*) FROM probes WHERE error_message LIKE '%$KEY%'
    OR error_message LIKE '%0123456789abcdef%'")"
check_eq "failed requests cost nothing" "0" "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id
    WHERE m.name IN ('f-500', 'f-429', 'f-401', 'f-connect', 'f-nokey', 'f-hang') AND cost_usd <> 0")"
check_eq "sent requests carry the id the simulator logged" "0" "$(q "SELECT count(*) FROM probes p
    JOIN models m ON m.id = p.model_id WHERE m.name LIKE 'f-%' AND m.name NOT IN ('f-nokey', 'f-connect')
    AND (request_id IS NULL OR request_id !~ '^[0-9a-f]{32}$')")"

# --- accuracy ---------------------------------------------------------------------
# One cycle of N requests per protocol, joined with the simulator's ground
# truth. A systematic error (a wrong start or end mark) shows in every run
# and in the median, which has its own bound. The tail is what a busy
# machine moves when SCHED_FIFO is not available (see RT above): a run whose
# p99 is over the bound is then measured again, up to three runs in all,
# each printed with the load average.
accuracy_run() {   # -> $T/acc.out, $T/acc.sql.out, CYCLE
    "${RT[@]}" $L probe --config "$T/accuracy.yaml" --database "$DB_URL" --iterations "$N" --timing \
        >"$T/acc.out" 2>"$T/acc.err"
    ACC_RC=$?
    grep '^timing:' "$T/acc.out" | sed 's/^/# /'
    CYCLE=$(q "SELECT max(id) FROM probe_cycles")
    psql -X -q -t -A -F ' ' -v ON_ERROR_STOP=1 -d "$DB_URL" >"$T/acc.sql.out" 2>&1 <<SQL
CREATE TEMP TABLE sim (j jsonb);
\\copy sim (j) FROM '$T/sim.jsonl' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')
CREATE TEMP VIEW joined AS
  SELECT s.j->>'protocol' AS proto, p.ok, p.ttft_ms, (s.j->>'ttft_us')::float8 / 1000 AS sim_ttft_ms,
         p.output_tokens, (s.j->>'output_tokens')::int AS sim_tokens,
         (s.j->>'usage_sent')::boolean AS usage_sent, p.tokens_estimated
  FROM probes p JOIN sim s ON s.j->>'request_id' = p.request_id WHERE p.cycle_id = $CYCLE;
SELECT 'ttft', proto, count(*),
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY abs(ttft_ms - sim_ttft_ms))::numeric, 3),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY abs(ttft_ms - sim_ttft_ms))::numeric, 3),
       round(max(abs(ttft_ms - sim_ttft_ms))::numeric, 3)
  FROM joined WHERE ok GROUP BY proto ORDER BY proto;
SELECT 'joined', count(*) FROM joined;
SELECT 'tokens_mismatch', count(*) FROM joined WHERE usage_sent AND (output_tokens <> sim_tokens OR tokens_estimated);
SELECT 'usage_sent', count(*) FROM joined WHERE usage_sent;
SELECT 'not_flagged', count(*) FROM joined WHERE NOT usage_sent AND NOT tokens_estimated;
SELECT 'withheld', count(*) FROM joined WHERE NOT usage_sent;
SQL
    ACC_SQL_RC=$?
    ACC_OVER=0
    for proto in openai anthropic google; do
        read -r _ _ n p50 p99 max <<<"$(awk -v p="$proto" '$1 == "ttft" && $2 == p' "$T/acc.sql.out")"
        echo "# TTFT |measured - simulator| $proto: n=$n p50=${p50} ms p99=${p99} ms max=${max} ms"
        awk -v v="${p99:-999}" -v m="$P99_MAX_MS" 'BEGIN { exit !(v > m) }' && ACC_OVER=1
    done
}
accuracy_run
for attempt in 2 3; do
    [ "$ACC_OVER" = 1 ] || break
    echo "# a p99 over ${P99_MAX_MS} ms with load average $(cut -d' ' -f1-3 /proc/loadavg): run $attempt of 3"
    accuracy_run
done
check_eq "accuracy cycle exits 0" "0" "$ACC_RC"
check_eq "every request stored" "$((3 * N))" "$(q "SELECT count(*) FROM probes WHERE cycle_id = $CYCLE")"
check_eq "the cycle is written in one transaction" "1" \
    "$(q "SELECT count(DISTINCT xmin::text) FROM probes WHERE cycle_id = $CYCLE")"
check_eq "the cycle is recorded" "ok|$((3 * N))" "$(q "SELECT status || '|' || probes FROM probe_cycles WHERE id = $CYCLE")"
for m in acc-openai acc-anthropic acc-gemini; do
    check "one line for $m" grep -qE "^$m: $N/$N ok, TTFT p50 [0-9.]+ ms, total p50 [0-9.]+ ms, [0-9.]+ tok/s decode, quality 100.0, cost \\\$[0-9.]+$" "$T/acc.out"
done
check_eq "ground truth loaded" "0" "$ACC_SQL_RC"
check_eq "every request found in the simulator's log" "$((3 * N))" "$(awk '$1 == "joined" {print $2}' "$T/acc.sql.out")"
for proto in openai anthropic google; do
    read -r _ _ n p50 p99 max <<<"$(awk -v p="$proto" '$1 == "ttft" && $2 == p' "$T/acc.sql.out")"
    check "$proto: >= 500 requests compared" test "${n:-0}" -ge 500
    check "$proto: p99 |measured - simulator TTFT| <= $P99_MAX_MS ms (${p99} ms)" \
        awk -v v="${p99:-999}" -v m="$P99_MAX_MS" 'BEGIN { exit !(v <= m) }'
    check "$proto: no systematic offset, p50 <= 0.5 ms (${p50} ms)" \
        awk -v v="${p50:-999}" 'BEGIN { exit !(v <= 0.5) }'
done
check_eq "output tokens = what was sent, when usage was sent" "0" "$(awk '$1 == "tokens_mismatch" {print $2}' "$T/acc.sql.out")"
check "usage was sent for most requests" test "$(awk '$1 == "usage_sent" {print $2}' "$T/acc.sql.out")" -gt "$N"
check_eq "usage withheld: tokens flagged as estimated" "0" "$(awk '$1 == "not_flagged" {print $2}' "$T/acc.sql.out")"
check "usage was withheld for some requests" test "$(awk '$1 == "withheld" {print $2}' "$T/acc.sql.out")" -gt 50
check_eq "quality scored on every success" "0" "$(q "SELECT count(*) FROM probes WHERE cycle_id = $CYCLE
    AND ok AND quality_score IS NULL")"
check_eq "exact costs from the configured prices" "0" "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id
    WHERE p.cycle_id = $CYCLE AND m.name = 'acc-openai'
    AND cost_usd <> (input_tokens * 30 + output_tokens * 60) / 1000000.0")"

# --- what cannot run exits 1; usage errors 2; --model ---------------------------------
$L probe --config "$T/accuracy.yaml" --database "postgresql://postgres@/nope?host=$T/no-such-dir" >/dev/null 2>"$T/nodb.err"
check_eq "no database: exit 1" "1" "$?"
printf 'monitoring:\n  models: []\n' >"$T/bad.yaml"
$L probe --config "$T/bad.yaml" --database "$DB_URL" >/dev/null 2>&1
check_eq "bad config: exit 1" "1" "$?"
$L probe --config "$T/accuracy.yaml" --database "$DB_URL" --iterations 0 >/dev/null 2>&1
check_eq "bad --iterations: exit 2" "2" "$?"
$L probe --config "$T/accuracy.yaml" --database "$DB_URL" --model acc-gemini --iterations 3 >"$T/one.out" 2>&1
rc=$?
check_eq "--model probes one model" "0|3|1" "$rc|$(q "SELECT count(*) FROM probes WHERE cycle_id =
    (SELECT max(id) FROM probe_cycles)")|$(grep -c ': 3/3 ok' "$T/one.out")"
$L probe --config "$T/accuracy.yaml" --database "$DB_URL" --suite no-such-suite >/dev/null 2>"$T/nosuite.err"
check_eq "unknown --suite: exit 1" "1" "$?"
check_contains "unknown --suite named" "no-such-suite" "$T/nosuite.err"
$L probe --config "$T/accuracy.yaml" --database "$DB_URL" --model nope >/dev/null 2>"$T/nope.err"
check_eq "unknown --model: exit 1" "1" "$?"
check_contains "unknown --model named" "no model named 'nope'" "$T/nope.err"

# --- baselines --------------------------------------------------------------------------
$L baseline create --config "$T/accuracy.yaml" --database "$DB_URL" --iterations 3 \
    --test-suite "$F/probe_suite.yaml" >"$T/base1.out" 2>&1
check_eq "baseline create exits 0" "0" "$?"
check_contains "baseline header" "📊 Baseline Performance Established" "$T/base1.out"
check_contains "baseline rule line" "$(printf '=%.0s' $(seq 80))" "$T/base1.out"
check_contains "plain progress lines off a TTY" "round 3/3 done" "$T/base1.out"
check_contains "baseline saved" "✓ Baselines saved for regression detection" "$T/base1.out"
check "each model's block in the spec's shape" awk '
    /^Model: acc-/ { m++; s = 1; next }
    s == 1 && /^- Average Latency: [0-9]+\.[0-9][0-9]s \(±[0-9]+\.[0-9][0-9]s\)$/ { s = 2; next }
    s == 2 && /^- P95 Latency: [0-9]+\.[0-9][0-9]s$/ { s = 3; next }
    s == 3 && /^- Success Rate: 100\.0%$/ { s = 4; next }
    s == 4 && /^- Tokens\/Second: [0-9]+\.[0-9]$/ { s = 5; next }
    s == 5 && /^- Cost\/1K Tokens: \$[0-9]+\.[0-9]+$/ { s = 6; next }
    s == 6 && /^- Quality Score: 100\.0\/100$/ { ok++; s = 0; next }
    END { exit !(m == 3 && ok == 3) }' "$T/base1.out"
check_eq "three active baselines" "3" "$(q "SELECT count(*) FROM baselines WHERE active")"
check_eq "baseline samples are the run's rows" "3|3" "$(q "SELECT min(samples) || '|' || max(samples) FROM baselines")"
$L baseline create --config "$T/accuracy.yaml" --database "$DB_URL" --iterations 2 \
    --test-suite "$F/probe_suite.yaml" >"$T/base2.out" 2>&1
check_eq "second baseline replaces the first" "6|3" "$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE active) FROM baselines")"
check_eq "baseline figures computed from its own run" "0" "$(q "SELECT count(*) FROM baselines b
    WHERE active AND abs(latency_mean_ms - (SELECT avg(total_ms) FROM probes p WHERE p.cycle_id = b.cycle_id
    AND p.model_id = b.model_id)) > 0.001")"
if command -v script >/dev/null; then
    script -qec "$L baseline create --config $T/accuracy.yaml --database '$DB_URL' --iterations 2 \
        --test-suite $F/probe_suite.yaml --model acc-openai" /dev/null >"$T/base-tty.out" 2>&1
    check "a progress bar redrawn with \\r on a TTY" grep -q $'\r\\[#*\\.*\\] round 2/2' "$T/base-tty.out"
fi
$L baseline create --config "$T/failures.yaml" --database "$DB_URL" --iterations 1 --model f-500 \
    --test-suite "$F/probe_suite.yaml" >"$T/base3.out" 2>&1
check_eq "no successful request: exit 1" "1" "$?"
check_contains "no baseline says why" "- No baseline: 0/1 requests succeeded (http_5xx 1" "$T/base3.out"

# report: standalone HTML, escaped, one histogram per model
q "UPDATE models SET name = '<script>alert(\"m\")</script>&' WHERE name = 'acc-gemini'" >/dev/null
$L baseline report --output "$T/report.html" --database "$DB_URL" >"$T/report.out" 2>&1
check_eq "baseline report exits 0" "0" "$?"
check_contains "report is a whole document" "<!DOCTYPE html>" "$T/report.html"
check_eq "one histogram per model" "3" "$(grep -c 'class="lw-chart lw-histogram"' "$T/report.html")"
check_not_contains "model names are escaped" "<script>alert" "$T/report.html"
check_contains "escaped name present" "&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;&amp;" "$T/report.html"
check "no external resources" bash -c "! grep -Eq '(src|href)=\"(https?:)?//' '$T/report.html'"
q "UPDATE models SET name = 'acc-gemini' WHERE name LIKE '<script>%'" >/dev/null

# a cycle left "running" by a killed process is closed by the next one
q "INSERT INTO probe_cycles (kind, started_at) VALUES ('probe', now() - interval '7 hours')" >/dev/null
$L probe --config "$T/accuracy.yaml" --database "$DB_URL" --model acc-openai >/dev/null 2>&1
check_eq "an abandoned cycle is marked failed" "0|1" "$(q "SELECT count(*) FILTER (WHERE status = 'running') || '|' ||
    count(*) FILTER (WHERE error LIKE 'abandoned%') FROM probe_cycles")"

check_eq "baseline create with another file leaves them alone" "$BEFORE" "$(monitored)"

# --- config apply: the explicit way to change what is monitored ---------------------------
$L config apply --config "$T/failures.yaml" --database "$DB_URL" >"$T/apply.out" 2>&1
check_eq "config apply exits 0" "0" "$?"
check_contains "config apply says what it applied" "Configuration applied: 13 models" "$T/apply.out"
check_eq "config apply syncs: the other file's models are monitored, the rest disabled" "13|0|0" \
    "$(q "SELECT count(*) FILTER (WHERE name LIKE 'f-%' AND enabled AND source = 'config') || '|' ||
          count(*) FILTER (WHERE name LIKE 'acc-%' AND enabled) || '|' ||
          (SELECT count(*) FROM rules WHERE deleted_at IS NULL) FROM models")"
printf 'monitoring:\n  models: []\n' >"$T/bad-apply.yaml"
$L config apply --config "$T/bad-apply.yaml" --database "$DB_URL" >/dev/null 2>"$T/bad-apply.err"
check_eq "a file with errors: config apply exits 1" "1" "$?"
check_contains "and changes nothing" "nothing was changed" "$T/bad-apply.err"
$L config apply --config "$T/instance.yaml" --database "$DB_URL" >/dev/null 2>&1
check_eq "config apply of the instance's file brings it back" "$BEFORE" "$(monitored)"

# --- the scheduled job --------------------------------------------------------------------
$L run-due --config "$T/accuracy.yaml" --database "$DB_URL" --job probe >"$T/job.out" 2>&1
check_eq "probe job through run-due" "ok" "$(q "SELECT status FROM job_runs WHERE job = 'probe' ORDER BY id DESC LIMIT 1")"
check_eq "job details name the cycle" "t" "$(q "SELECT (details->>'cycle_id')::bigint = (SELECT max(id) FROM probe_cycles)
    AND (details->>'probes')::int = 3 FROM job_runs WHERE job = 'probe' ORDER BY id DESC LIMIT 1")"
check_eq "a scheduled cycle is not ad hoc" "f" "$(q "SELECT adhoc FROM probe_cycles ORDER BY id DESC LIMIT 1")"

finish
