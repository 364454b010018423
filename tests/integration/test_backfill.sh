#!/bin/bash
# test_backfill.sh: `llmwatch backfill` (rows, marker, patterns, exact costs,
# replace, --remove), then `status` and `metrics` on the empty and on the
# backfilled database, compared with what psql computes from the same rows.
. "$(dirname "$0")/lib.sh"

DB_NAME="t_backfill_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
EMPTY_NAME="t_backfill_empty_$$"
EMPTY_URL=$(pg_url "$LW_TEST_PG_DIR" "$EMPTY_NAME")
L="$BIN/llmwatch"
# gt A B: A > B as decimal numbers
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }

cleanup_dbs() {
    psql -X -q -d "$(pg_url "$LW_TEST_PG_DIR" postgres)" \
        -c "DROP DATABASE IF EXISTS \"$EMPTY_NAME\" WITH (FORCE)" >/dev/null 2>&1
}

if "$L" backfill --help 2>&1 | grep -q "unknown command"; then
    echo "$TEST_NAME: skipped (this llmwatch has no backfill command registered yet)"
    finish
    exit $?
fi

$L init --database "$DB_URL" --config "$ROOT/tests/integration/fixtures/four_models.yaml" >"$T/init" 2>&1
check_eq "init exits 0" "0" "$?"
MODELS=$(q "SELECT count(*) FROM models WHERE enabled")
check_eq "the four configured models are in the database" "4" "$MODELS"

# ---- an empty database: status and metrics say so, and do not crash ----
$L status --database "$DB_URL" --config "$ROOT/tests/integration/fixtures/four_models.yaml" >"$T/status0" 2>&1
check_eq "status on an empty database exits 0" "0" "$?"
check_contains "status lists the probe job" "- performance_checks: Next run in " "$T/status0"
check_contains "status lists the daily cost_analysis job with its next run" \
    "- cost_analysis: Next run at 02:00 UTC" "$T/status0"
check_not_contains "status calls no job unimplemented" "not implemented" "$T/status0"
check_contains "status gives the weekly job's day" "- full_benchmark: Next run on Sunday 03:00 UTC (in " "$T/status0"
check_contains "status lists the built-in maintain job" "- maintain: Next run in " "$T/status0"
check_contains "no run yet" "last run: none yet" "$T/status0"
check_contains "no checks yet" "Total checks: none yet" "$T/status0"
check_contains "no success rate yet" "Success rate: none yet" "$T/status0"
$L metrics --database "$DB_URL" >"$T/metrics0" 2>&1
check_eq "metrics on an empty database exits 0" "0" "$?"
check_contains "idle models are listed" "claude-3-5-sonnet-20241022" "$T/metrics0"

# (from $T: init would pick up ./monitoring_config.yaml otherwise)
(cd "$T" && env -u LLMWATCH_CONFIG $L init --database "$EMPTY_URL" >"$T/init-empty" 2>&1)
check_eq "init without a config exits 0" "0" "$?"
(cd "$T" && env -u LLMWATCH_CONFIG $L status --database "$EMPTY_URL" >"$T/status-nomodel" 2>&1)
check_eq "status without any model or config exits 0" "0" "$?"
check_contains "status without a config shows the default schedule" "- performance_checks: Next run in " "$T/status-nomodel"
check_contains "status without models says so" "no enabled model" "$T/status-nomodel"
$L backfill --database "$EMPTY_URL" >"$T/bf-nomodel" 2>&1
check_eq "backfill without models fails" "1" "$?"
check_contains "backfill without models says why" "no enabled model" "$T/bf-nomodel"
cleanup_dbs

# a measured probe, which backfill must never touch
q "INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, input_tokens, output_tokens, cost_usd)
   SELECT now() - interval '1 hour', id, environment_id, true, 400, 900, 10, 10, 0.000900000000
     FROM models WHERE name = 'gpt-4'" >/dev/null

# ---- backfill ----
start=$(date +%s%N)
$L backfill --days 30 --database "$DB_URL" >"$T/bf1" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "backfill exits 0" "0" "$rc"
check "backfill of 30 days takes a few seconds (${ms} ms)" test "$ms" -lt 10000
cat "$T/bf1"
check_contains "summary: rows" "34,560 probes for 4 models over 30 days" "$T/bf1"
check_contains "summary: Tuesday model" "Tuesdays: gpt-4" "$T/bf1"
check_contains "summary: drifting model" "drift: claude-3-5-sonnet-20241022" "$T/bf1"
check_contains "summary: incident model" "incident: gemini-1.5-pro" "$T/bf1"
check_eq "34,560 backfill rows" "34560" "$(q "SELECT count(*) FROM probes WHERE backfill")"
check_eq "8,640 rows per model" "8640" \
    "$(q "SELECT DISTINCT count(*) FROM probes WHERE backfill GROUP BY model_id")"
check_eq "one row per model and slot" "34560" \
    "$(q "SELECT count(DISTINCT (model_id, ts)) FROM probes WHERE backfill")"
check_eq "30 days of slots" "2592000" \
    "$(q "SELECT extract(epoch FROM max(ts) - min(ts))::bigint + 300 FROM probes WHERE backfill")"
check_eq "nothing in the default partition" "0" "$(q "SELECT count(*) FROM probes_default")"
check_eq "the measured probe is still there" "1" "$(q "SELECT count(*) FROM probes WHERE NOT backfill")"

# the incident window as printed: "incident: MODEL YYYY-MM-DD HH:MM → YYYY-MM-DD HH:MM UTC"
inc=$(grep -o 'incident: gemini-1.5-pro [0-9-]* [0-9:]* → [0-9-]* [0-9:]*' "$T/bf1")
inc_from=$(echo "$inc" | awk '{print $3" "$4}')
inc_to=$(echo "$inc" | awk '{print $6" "$7}')
check "incident window printed" test -n "$inc_from" -a -n "$inc_to"
W="p.ts >= '$inc_from+00' AND p.ts < '$inc_to+00'"
G="p.model_id = (SELECT id FROM models WHERE name = 'gemini-1.5-pro')"
in_rate=$(q "SELECT round(avg((NOT ok)::int), 3) FROM probes p WHERE backfill AND $G AND $W")
out_rate=$(q "SELECT round(avg((NOT ok)::int), 4) FROM probes p WHERE backfill AND NOT ($G AND $W)")
check "incident: error rate in its window ~60% ($in_rate)" gt "$in_rate" 0.35
check "elsewhere: error rate under 1% ($out_rate)" gt 0.01 "$out_rate"
check_eq "incident errors are http_5xx or timeout" "0" \
    "$(q "SELECT count(*) FROM probes p WHERE NOT ok AND $G AND $W AND error_class NOT IN ('http_5xx', 'timeout')")"
check_eq "failed rows: a class, no TTFT, no tokens" "0" \
    "$(q "SELECT count(*) FROM probes WHERE backfill AND NOT ok AND (error_class IS NULL OR ttft_ms IS NOT NULL OR output_tokens IS NOT NULL)")"
check_eq "timeouts have no latency" "0" \
    "$(q "SELECT count(*) FROM probes WHERE backfill AND error_class = 'timeout' AND total_ms IS NOT NULL")"

ratio=$(q "SELECT round((avg(total_ms) FILTER (WHERE extract(isodow FROM ts) = 2)
                      / avg(total_ms) FILTER (WHERE extract(isodow FROM ts) <> 2))::numeric, 3)
             FROM probes p JOIN models m ON m.id = p.model_id WHERE backfill AND ok AND m.name = 'gpt-4'")
check "gpt-4 slower on Tuesdays (x$ratio)" gt "$ratio" 1.1
drift=$(q "SELECT round((regr_slope(total_ms, extract(epoch FROM ts) / 86400) / avg(total_ms))::numeric, 4)
             FROM probes p JOIN models m ON m.id = p.model_id
            WHERE backfill AND ok AND m.name = 'claude-3-5-sonnet-20241022'")
flat=$(q "SELECT round(abs(regr_slope(total_ms, extract(epoch FROM ts) / 86400) / avg(total_ms))::numeric, 4)
            FROM probes p JOIN models m ON m.id = p.model_id WHERE backfill AND ok AND m.name = 'gemini-1.5-pro'")
check "claude drifts up, ~1%/day ($drift)" gt "$drift" 0.005
check "gemini does not drift ($flat)" gt 0.003 "$flat"
check_eq "costs are exactly tokens x price / 10^6" "0" \
    "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id
           WHERE p.backfill AND p.ok AND p.cost_usd IS DISTINCT FROM
                 (p.input_tokens * m.price_input_per_mtok + p.output_tokens * m.price_output_per_mtok) / 1000000")"
check "gpt-4 backfill cost > 0" test "$(q "SELECT sum(cost_usd) > 0 FROM probes p JOIN models m ON m.id = p.model_id WHERE backfill AND m.name = 'gpt-4'")" = t
q "SELECT m.name, round(avg(quality_score)::numeric, 1) FROM probes p JOIN models m ON m.id = p.model_id WHERE backfill GROUP BY m.name" >"$T/quality"
check "quality around 90 for every model" awk -F'|' '{ if ($2 < 85 || $2 > 95) exit 1 }' "$T/quality"

# ---- again: replaced, not duplicated ----
$L backfill --days 30 --database "$DB_URL" >"$T/bf2" 2>&1
check_eq "second backfill exits 0" "0" "$?"
check_contains "second backfill replaced the first" "replaced the previous backfill (34,560 rows)" "$T/bf2"
check_eq "still 34,560 backfill rows" "34560" "$(q "SELECT count(*) FROM probes WHERE backfill")"
check_eq "and the measured probe" "34561" "$(q "SELECT count(*) FROM probes")"

# ---- status and metrics on the history ----
$L maintain --database "$DB_URL" >/dev/null 2>&1
q "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at)
   SELECT r.id, m.id, m.environment_id, 'warning', 'firing', now() - interval '1 hour', now() - interval '50 minutes'
     FROM rules r, models m WHERE r.name = 'High Latency' AND m.name = 'gpt-4'" >/dev/null
$L status --database "$DB_URL" --config "$ROOT/tests/integration/fixtures/four_models.yaml" >"$T/status1" 2>&1
check_eq "status exits 0" "0" "$?"
cat "$T/status1"
check "status counts the checks of the last 6 hours" grep -qE '^- Total checks: [0-9,]+ \(' "$T/status1"
check_contains "status lists checks per model (gpt-4 has one more)" "gpt-4 " "$T/status1"
check_contains "status lists claude" "claude-3-5-sonnet-20241022 " "$T/status1"
check_contains "status shows the alert with rule and model" "Alerts triggered: 1 (High Latency - gpt-4); 1 firing now" "$T/status1"
check "status shows the average response time (lw_fmt_ms)" grep -qE '^- Average response time: [0-9]+(\.[0-9]+)? m?s \(p95 ' "$T/status1"
check "status shows the success rate" grep -qE '^- Success rate: [0-9.]+%' "$T/status1"
check "status shows maintain's last run" grep -qE 'every hour; last run .* ago\): ok in ' "$T/status1"

$L metrics --hours 24 --database "$DB_URL" >"$T/m-table" 2>&1
check_eq "metrics exits 0" "0" "$?"
cat "$T/m-table"
for m in gpt-4 claude-3-5-sonnet-20241022 gemini-1.5-pro llama-3.1-8b-local; do
    check_contains "metrics table lists $m" "$m " "$T/m-table"
done
check_contains "metrics table header" "TTFT p50  TTFT p95  Total p50  Total p95" "$T/m-table"
check_contains "metrics says which token rate" "decode rate" "$T/m-table"

# exact numbers: over all rows (800 h covers the 30 days), JSON against psql
$L metrics --hours 800 --format json --database "$DB_URL" >"$T/m.json" 2>&1
check_eq "metrics --format json exits 0" "0" "$?"
check "metrics JSON parses" /usr/bin/python3 -m json.tool "$T/m.json"
jget() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$T/m.json')); m=[x for x in d['models'] if x['model']==sys.argv[1]][0]; print(m$2)" "$1"; }
check_eq "JSON gpt-4 requests = rows" "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'gpt-4'")" \
    "$(jget gpt-4 "['requests']")"
check_eq "JSON gpt-4 cost = exact numeric sum" \
    "$(q "SELECT sum(cost_usd) FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'gpt-4'")" \
    "$(jget gpt-4 "['cost_usd']")"
# percentiles come from the rollups' histograms: within one bucket (4.33%)
exact_p95=$(q "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY total_ms) FROM probes p JOIN models m ON m.id = p.model_id WHERE ok AND m.name = 'gemini-1.5-pro'")
check "JSON gemini p95 total within one histogram bucket of percentile_cont ($exact_p95)" \
    awk -v a="$exact_p95" -v b="$(jget gemini-1.5-pro "['total_ms']['p95']")" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.0433 * a) }'
check_eq "JSON gemini timeouts = rows" \
    "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id WHERE error_class = 'timeout' AND m.name = 'gemini-1.5-pro'")" \
    "$(jget gemini-1.5-pro "['errors_by_class']['timeout']")"

$L metrics --hours 800 --model gemini-1.5-pro --format csv --database "$DB_URL" >"$T/m.csv" 2>&1
check_eq "metrics --format csv exits 0" "0" "$?"
check_eq "CSV: header and one row" "2" "$(grep -c '' "$T/m.csv")"
check "CSV header" grep -q '^model,environment,requests,ok,errors,success_rate,' "$T/m.csv"
check "CSV errors by class" grep -qE 'http_5xx:[0-9]+.*timeout:[0-9]+|timeout:[0-9]+.*http_5xx:[0-9]+' "$T/m.csv"
$L metrics --model no-such-model --database "$DB_URL" >/dev/null 2>&1
check_eq "unknown --model fails" "1" "$?"
$L metrics --format xml --database "$DB_URL" >/dev/null 2>&1
check_eq "unknown --format is a usage error" "2" "$?"
$L backfill --days 0 --database "$DB_URL" >/dev/null 2>&1
check_eq "--days 0 is a usage error" "2" "$?"

# ---- --remove: all and only the backfill rows ----
$L backfill --remove --database "$DB_URL" >"$T/rm" 2>&1
check_eq "backfill --remove exits 0" "0" "$?"
check_contains "--remove says how many" "Removed 34,560 backfill probes" "$T/rm"
check_eq "no backfill row left" "0" "$(q "SELECT count(*) FROM probes WHERE backfill")"
check_eq "the measured probe is kept" "1" "$(q "SELECT count(*) FROM probes WHERE NOT backfill")"

# --interval and --seed
$L backfill --days 2 --interval 1h --seed 7 --database "$DB_URL" >"$T/bf3" 2>&1
check_eq "hourly backfill exits 0" "0" "$?"
check_eq "2 days hourly for 4 models" "192" "$(q "SELECT count(*) FROM probes WHERE backfill")"

# --config: only the models that config enables
# (the google entry: from its "- provider:" line to the next entry or comment)
awk '/^    - provider: google/ { skip = 1; next }
     skip && /^    [-#]/ { skip = 0 }
     !skip' "$ROOT/tests/integration/fixtures/four_models.yaml" >"$T/less.yaml"
$L backfill --days 2 --interval 1h --config "$T/less.yaml" --database "$DB_URL" >"$T/bf4" 2>&1
check_eq "backfill --config exits 0" "0" "$?"
check_eq "only the config's three models" "144 0" \
    "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE m.name = 'gemini-1.5-pro')
            FROM probes p JOIN models m ON m.id = p.model_id WHERE backfill")"
check_eq "the previous backfill was replaced" "144" "$(q "SELECT count(*) FROM probes WHERE backfill")"

# a history longer than the retention is announced
q "UPDATE settings SET value = '7' WHERE key = 'retention_days'" >/dev/null
$L backfill --days 10 --interval 1h --database "$DB_URL" >"$T/bf5" 2>&1
check_contains "retention shorter than the history is noted" "retention is 7 days" "$T/bf5"
$L backfill --remove --database "$DB_URL" >/dev/null 2>&1

finish
