#!/bin/bash
# test_usage.sh: production usage in. `usage import` of 10,000 rows with
# one bad row names the row and the field and stores nothing; the good
# file is stored once, importing it again changes nothing (keys derived
# from the rows' content when the file has none); JSON lines; a provider
# export's column names; costs from the price of each row's time; usage
# rollups equal to the raw rows; POST /api/v1/usage (token, 422 naming
# each bad row, a retried batch adds nothing).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
L="$BIN/llmwatch"
cat >"$T/config.yaml" <<'EOF'
monitoring:
  environment: production
  models:
    - provider: openai
      model: gpt-4
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
    - name: local
      provider: openai-compatible
      model: llama-3.1-8b-instruct
      sla_target: 1.0
      base_url: "http://127.0.0.1:9"
      prices: {input: 0.1, output: 0.2}
EOF
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }

# 10,000 rows over the last two days, costs left to the prices
$PY - "$T/usage.csv" <<'EOF'
import random, sys, datetime
random.seed(7)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
with open(sys.argv[1], "w") as f:
    f.write("time,model,environment,input_tokens,output_tokens,requests\n")
    for i in range(10000):
        t = now - datetime.timedelta(minutes=10 + (i * 17) % 2800)
        m = "gpt-4" if i % 3 else "local"
        f.write("%s,%s,production,%d,%d,%d\n" % (t.strftime("%Y-%m-%dT%H:%M:%SZ"), m,
                random.randint(10, 2000), random.randint(1, 800), random.randint(1, 5)))
EOF
# line 5,001 of the file (row 5,000): a bad token count
sed '5001s/^\([^,]*,[^,]*,[^,]*,\)[0-9]*/\1ten/' "$T/usage.csv" >"$T/bad.csv"
check_eq "the bad file differs in one line" "1" "$(diff "$T/usage.csv" "$T/bad.csv" | grep -c '^>')"
$L usage import "$T/bad.csv" >"$T/bad.out" 2>&1
check_eq "one bad row in 10,000: the import fails" "1" "$?"
check_contains "it names the line and the field" "bad.csv line 5001: input_tokens: must be a whole number" "$T/bad.out"
check_contains "and says nothing was stored" "nothing was stored: 1 bad row (of 10,000)" "$T/bad.out"
check_eq "nothing was stored" "0|0|0" \
    "$(psql_test -c "SELECT (SELECT count(*) FROM usage_events), (SELECT count(*) FROM usage_keys),
                            (SELECT count(*) FROM usage_rollups)")"
sed '7s/,gpt-4,/,gpt-5,/' "$T/usage.csv" >"$T/bad2.csv"
$L usage import "$T/bad2.csv" >"$T/bad2.out" 2>&1
check_contains "an unknown model is named with its line" "bad2.csv line 7: model: no model 'gpt-5'" "$T/bad2.out"

$L usage import "$T/usage.csv" >"$T/good.out" 2>&1
check_eq "the good file imports" "0" "$?"
check_contains "every row stored" "10,000 rows, 10,000 stored, 0 already known" "$T/good.out"
snapshot() {
    psql_test -c "SELECT count(*), sum(requests), sum(cost_usd), (SELECT count(*) FROM usage_rollups),
                         (SELECT sum(cost_usd) FROM usage_rollups WHERE resolution = '1d')
                  FROM usage_events"
}
first=$(snapshot)
$L usage import "$T/usage.csv" >"$T/again.out" 2>&1
check_eq "importing it again succeeds" "0" "$?"
check_contains "and stores nothing" "10,000 rows, 0 stored, 10,000 already known" "$T/again.out"
check_eq "the second import changed nothing" "$first" "$(snapshot)"
check_eq "costs come from the prices (exact: tokens x price / 10^6)" "0" \
    "$(psql_test -c "SELECT count(*) FROM usage_events u JOIN models m ON m.id = u.model_id
                     WHERE u.cost_source <> 'prices' OR u.cost_usd <> (u.input_tokens * m.price_input_per_mtok
                       + u.output_tokens * m.price_output_per_mtok) / 1000000")"
check_eq "rollups: each level holds exactly the raw rows" "t|t|t" \
    "$(psql_test -c "SELECT bool_and(r.c = x.c AND r.n = x.n AND r.t = x.t) FROM
        (SELECT resolution, sum(cost_usd) AS c, sum(requests) AS n, sum(input_tokens + output_tokens) AS t
           FROM usage_rollups GROUP BY resolution) r,
        (SELECT sum(cost_usd) AS c, sum(requests) AS n, sum(input_tokens + output_tokens) AS t
           FROM usage_events) x GROUP BY r.resolution ORDER BY r.resolution" | tr '\n' '|' | sed 's/|$//')"
check_eq "lw_usage_read over the two days equals the raw rows" "t" \
    "$(psql_test -c "SELECT (SELECT sum(cost_usd) FROM lw_usage_read(NULL, now() - interval '3 days', now()))
                          = (SELECT sum(cost_usd) FROM usage_events)")"

# ---- JSON lines, given costs, a price change not applied to the past ----
y=$(date -u -d '1 day ago' +%Y-%m-%dT12:00:00Z)
cat >"$T/rows.jsonl" <<EOF
{"time": "$y", "model": "local", "input_tokens": 1000000, "output_tokens": 1000000, "idempotency_key": "j-1"}
{"time": "$y", "model": "gpt-4", "cost": "0.000000000001", "idempotency_key": "j-2", "application": "chat"}
EOF
$L usage import "$T/rows.jsonl" >"$T/jsonl.out" 2>&1
check_contains "JSON lines import" "2 rows, 2 stored" "$T/jsonl.out"
check_eq "a given cost is kept to the last decimal" "0.000000000001|given|chat" \
    "$(psql_test -c "SELECT cost_usd, cost_source, application FROM usage_events WHERE idempotency_key = 'j-2'")"
check_eq "a priced row: 1M tokens each at 0.1 and 0.2" "0.300000000000" \
    "$(psql_test -c "SELECT cost_usd FROM usage_events WHERE idempotency_key = 'j-1'")"
sed 's/prices: {input: 0.1, output: 0.2}/prices: {input: 1, output: 2}/' "$T/config.yaml" >"$T/config2.yaml"
$L config apply --config "$T/config2.yaml" >/dev/null 2>&1
check_eq "the price change is recorded as a new row from now on" "2" \
    "$(psql_test -c "SELECT count(*) FROM model_prices p JOIN models m ON m.id = p.model_id WHERE m.name = 'local'")"
check_eq "what was recorded keeps its price" "0.300000000000" \
    "$(psql_test -c "SELECT cost_usd FROM usage_events WHERE idempotency_key = 'j-1'")"
cat >"$T/rows2.jsonl" <<EOF
{"time": "$y", "model": "local", "input_tokens": 1000000, "output_tokens": 1000000, "idempotency_key": "j-3"}
{"time": "$(date -u -d '30 seconds' +%Y-%m-%dT%H:%M:%SZ)", "model": "local", "input_tokens": 1000000, "output_tokens": 1000000, "idempotency_key": "j-4"}
EOF
$L usage import "$T/rows2.jsonl" >/dev/null 2>&1
check_eq "a row of yesterday is priced as of yesterday, one of now at the new price" "0.300000000000|3.000000000000" \
    "$(psql_test -c "SELECT string_agg(cost_usd::text, '|' ORDER BY idempotency_key) FROM usage_events WHERE idempotency_key IN ('j-3', 'j-4')")"
$L costs prices --model local >"$T/prices.out" 2>&1
check_contains "costs prices lists the history" "1.000000" "$T/prices.out"

# ---- a provider's export: its column names, a BOM, quotes ----
printf '\xef\xbb\xbfstart_time,snapshot_id,n_context_tokens_total,n_generated_tokens_total,num_model_requests,project_id\n"%s",gpt-4,10,20,3,"proj, one"\n' \
    "$(date -u -d '2 hours ago' +%Y-%m-%dT%H:00:00Z)" >"$T/export.csv"
$L usage import "$T/export.csv" >"$T/export.out" 2>&1
check_contains "a provider's export imports" "1 rows, 1 stored" "$T/export.out"
check_eq "its columns understood" "10|20|3|proj, one" \
    "$(psql_test -c "SELECT input_tokens, output_tokens, requests, application FROM usage_events WHERE application LIKE 'proj%'")"
printf 'time,model\n%s,gpt-4\n' "$(date -u -d '2 days' +%Y-%m-%dT%H:%M:%SZ)" >"$T/future.csv"
$L usage import "$T/future.csv" >"$T/future.out" 2>&1
check_contains "a time in the future is refused" "line 2: time: is in the future" "$T/future.out"
$L usage summary --days 3 >"$T/summary.out" 2>&1
check_contains "usage summary reads the rollups" "from the usage rollups" "$T/summary.out"
check_contains "usage summary per model" "gpt-4" "$T/summary.out"

# ---- POST /api/v1/usage ----
tok=$("$L" user token --email editor@example.com --name app --role editor --database "$DB_URL" | sed -n '2p')
vtok=$("$L" user token --email viewer@example.com --name ro --database "$DB_URL" | sed -n '2p')
api() {
    curl -s -o "$T/api.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$2" "$BASE/api/v1/usage"
}
now=$(date -u -d '5 minutes ago' +%Y-%m-%dT%H:%M:%SZ)
batch="{\"usage\": [{\"time\": \"$now\", \"model\": \"gpt-4\", \"environment\": \"production\", \"input_tokens\": 100, \"output_tokens\": 50, \"requests\": 2, \"idempotency_key\": \"api-1\"},
  {\"time\": \"$now\", \"model\": \"local\", \"cost\": 0.25, \"idempotency_key\": \"api-2\"}]}"
check_eq "API: without a token, 401" "401" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data "$batch" "$BASE/api/v1/usage")"
check_eq "API: a viewer token cannot write usage" "403" "$(api "$vtok" "$batch")"
check_eq "API: a batch is stored (201)" "201" "$(api "$tok" "$batch")"
check_contains "API: with its tally" '"stored":2' "$T/api.json"
check_eq "API: the same batch again is 200" "200" "$(api "$tok" "$batch")"
check_contains "API: and stores nothing" '"stored":0,"known":2' "$T/api.json"
check_eq "API: a JSON number cost is exact" "0.250000000000" \
    "$(psql_test -c "SELECT cost_usd FROM usage_events WHERE idempotency_key = 'api-2'")"
bad="[{\"time\": \"$now\", \"model\": \"gpt-4\", \"idempotency_key\": \"api-3\"},
  {\"time\": \"yesterday\", \"model\": \"gpt-4\", \"idempotency_key\": \"api-4\"},
  {\"time\": \"$now\", \"model\": \"gpt-4\", \"output_tokens\": -1, \"idempotency_key\": \"api-5\"}]"
check_eq "API: bad rows: 422" "422" "$(api "$tok" "$bad")"
check_contains "API: the first bad row by index and field" '{"index":1,"field":"time"' "$T/api.json"
check_contains "API: the second one too" '{"index":2,"field":"output_tokens"' "$T/api.json"
check_eq "API: none of the batch was stored" "0" \
    "$(psql_test -c "SELECT count(*) FROM usage_events WHERE idempotency_key = 'api-3'")"
check_eq "API: not JSON is a 400" "400" "$(api "$tok" '{"usage": [')"
check_eq "API: an empty batch is a 400" "400" "$(api "$tok" '{"usage": []}')"

# ---- POST /api/v1/metrics: custom metrics from outside ----
metrics() {
    curl -s -o "$T/m.json" -w '%{http_code}' -H "Authorization: Bearer $tok" \
        -H 'Content-Type: application/json' --data-binary "@$1" "$BASE/api/v1/metrics"
}
/usr/bin/python3 - "$T/metrics.json" <<'PY'
import datetime, json, math, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
rows = []
for h in range(72, 0, -1):
    t = now - datetime.timedelta(hours=h)
    rows.append({"time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "model": "gpt-4", "name": "user_satisfaction",
                 "value": round(4 + 0.5 * math.sin(2 * math.pi * t.hour / 24), 3), "idempotency_key": "sat-%d" % h})
json.dump({"metrics": rows}, open(sys.argv[1], "w"))
PY
check_eq "metrics API: 72 hourly values stored" "201" "$(metrics "$T/metrics.json")"
check_contains "metrics API: its tally" '"stored":72' "$T/m.json"
check_eq "metrics API: again, nothing new" "200" "$(metrics "$T/metrics.json")"
check_contains "metrics API: all known" '"known":72' "$T/m.json"
check_eq "metrics: hourly rollups of the values" "72" \
    "$(psql_test -c "SELECT sum(n) FROM custom_metric_rollups WHERE resolution = '1h' AND name = 'user_satisfaction'")"
printf '{"metrics": [{"time": "%s", "model": "gpt-4", "name": "User Score", "value": 1}, {"time": "%s", "model": "gpt-4", "name": "ok", "value": "high"}]}' \
    "$now" "$now" >"$T/badm.json"
check_eq "metrics API: bad values are a 422" "422" "$(metrics "$T/badm.json")"
check_contains "metrics API: naming the name" '"index":0,"field":"name"' "$T/m.json"
check_contains "metrics API: and the value" '"index":1,"field":"value"' "$T/m.json"
$L forecast --model gpt-4 --metrics custom.user_satisfaction --hours 6 --history-days 3 >"$T/fcm.out" 2>&1
check_eq "forecast reads a custom metric" "0" "$?"
check_contains "... by its name" "user_satisfaction (mean)" "$T/fcm.out"

finish
