#!/bin/bash
# test_costs.sh: cost analysis and optimization on backfilled data. A
# premium model, a cheaper one of equal (here slightly better) quality and
# a fast SLA, and a third that misses the premium model's SLA; production
# usage on the premium model. `costs optimize` recommends the cheaper one
# with the saving this test recomputes in SQL from the raw usage rows, and
# nothing with the threshold above its quality; `costs analyze` (tables,
# --output HTML with charts) and /costs (cached) agree with the rollups.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
L="$BIN/llmwatch"
cat >"$T/config.yaml" <<'EOF'
monitoring:
  environment: production
  models:
    - name: premium
      provider: openai
      model: gpt-4
      sla_target: 3.0
      base_url: "http://127.0.0.1:9"
    - name: mini
      provider: openai
      model: gpt-4o-mini
      sla_target: 1.0
      base_url: "http://127.0.0.1:9"
    - name: sonnet
      provider: anthropic
      model: claude-3-5-sonnet-20241022
      sla_target: 3.0
      base_url: "http://127.0.0.1:9"
EOF
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }
$L backfill --days 8 --config "$T/config.yaml" >"$T/backfill.out" 2>&1 || fail "backfill"

# 30 days of production usage of the premium model
$PY - "$T/usage.csv" <<'EOF'
import random, sys, datetime
random.seed(3)
now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
with open(sys.argv[1], "w") as f:
    f.write("time,model,input_tokens,output_tokens,requests,idempotency_key\n")
    for i in range(600):
        t = now - datetime.timedelta(hours=1 + i)
        f.write("%s,premium,%d,%d,%d,u%d\n" % (t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                random.randint(1000, 50000), random.randint(100, 9000), random.randint(1, 40), i))
EOF
$L usage import "$T/usage.csv" >/dev/null 2>&1 || fail "usage import"

# what the test expects, from the raw rows and the price table
saving=$(psql_test -c "SELECT to_char(sum(u.input_tokens) * (30 - 0.15) / 1000000
                        + sum(u.output_tokens) * (60 - 0.6) / 1000000, 'FM999,999,999,990.00')
                       FROM usage_events u JOIN models m ON m.id = u.model_id WHERE m.name = 'premium'")
ratio=$(psql_test -c "SELECT round(((sum(quality_score) FILTER (WHERE m.name = 'mini') / count(quality_score) FILTER (WHERE m.name = 'mini'))
                        / (sum(quality_score) FILTER (WHERE m.name = 'premium') / count(quality_score) FILTER (WHERE m.name = 'premium')))
                        ::numeric, 2)
                      FROM probes p JOIN models m ON m.id = p.model_id WHERE p.ts > now() - interval '7 days'")

$L costs optimize --suggest-alternatives --maintain-quality-threshold 0.9 >"$T/opt.out" 2>&1
check_eq "costs optimize runs" "0" "$?"
check_contains "it recommends the cheaper model of equal quality" "premium  production   mini" "$T/opt.out"
check_contains "with the monthly saving recomputed in SQL (\$$saving)" "\$$saving" "$T/opt.out"
check_not_contains "not the model that misses the SLA" "sonnet  " "$T/opt.out"
check_eq "the alternative's quality is near the premium's (backfill: about 93 vs 91)" "1" \
    "$(echo "$ratio" | awk '{ print ($1 >= 0.95 && $1 < 1.1) }')"
$L costs optimize --maintain-quality-threshold 1.1 >"$T/opt2.out" 2>&1
check_contains "with the threshold above its quality: no recommendation" "None: no cheaper model" "$T/opt2.out"
check_eq "the saving is the last column of the premium's row" "\$$saving" \
    "$(grep '^premium ' "$T/opt.out" | awk '{ print $NF }')"

# ---- analyze: tables and the HTML document ----
$L costs analyze --days 8 --group-by model,hour_of_day,day_of_week --identify-savings \
    --output "$T/cost_analysis.html" >"$T/analyze.out" 2>&1
check_eq "costs analyze runs" "0" "$?"
check_contains "by model" "By model" "$T/analyze.out"
check_contains "by hour of day" "By hour_of_day" "$T/analyze.out"
check_contains "by day of week" "By day_of_week" "$T/analyze.out"
check_contains "the savings found" "mini" "$T/analyze.out"
check_eq "the HTML has the three bar charts" "3" "$(grep -o '<svg' "$T/cost_analysis.html" | wc -l)"
check_contains "the HTML names the saving" "\$$saving" "$T/cost_analysis.html"
check_not_contains "the HTML is standalone (no external stylesheet)" "/static/" "$T/cost_analysis.html"
total_sql=$(psql_test -c "WITH w AS (SELECT date_trunc('hour', now()) + interval '1 hour' - interval '8 days' AS f)
                           SELECT to_char((SELECT sum(cost_usd) FROM probes, w WHERE ts >= w.f)
                             + (SELECT sum(cost_usd) FROM usage_events, w WHERE ts >= w.f), 'FM999,999,999,990.00')")
check_contains "analyze's total equals the raw rows' (rollups read)" "total \$$total_sql" "$T/analyze.out"
$L costs analyze --group-by model,bogus >/dev/null 2>&1
check_eq "an unknown --group-by is a usage error" "2" "$?"

# ---- /costs ----
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" || fail "viewer logs in"
check_eq "/costs answers" "200" "$(get "$T/viewer.jar" "/costs?range=7d" "$T/costs.html")"
check_contains "/costs: spend by model" "Spend by model" "$T/costs.html"
check_contains "/costs: by hour of day" "Spend by hour of day" "$T/costs.html"
check_contains "/costs: the saving" "mini" "$T/costs.html"
check_eq "/costs: three charts" "3" "$(grep -o '<svg' "$T/costs.html" | wc -l)"
curl -s -b "$T/viewer.jar" -D "$T/costs2.h" -o /dev/null "$BASE/costs?range=7d"
check_contains "/costs is served from the page cache the second time" "X-Llmwatch-Cache: hit" "$T/costs2.h"
check_eq "/costs: an unknown range is a 400" "400" "$(get "$T/viewer.jar" "/costs?range=2y" /dev/null)"
check_eq "/costs: an unknown environment is a 400" "400" "$(get "$T/viewer.jar" "/costs?env=nowhere" /dev/null)"

finish
