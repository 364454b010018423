#!/bin/bash
# test_environments.sh: environments side by side. One file of models per
# environment (`environments:` in the configuration) loaded with it;
# their problems at their own file:line; the environment selector (?env=)
# on the dashboard, /budgets and /costs; `compare-environments` over two
# environments whose latency differs by 20% reports a significant
# difference (Welch's t-test on hourly means), over two identical ones it
# does not, and writes its HTML with charts.
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
cat >"$T/staging.yaml" <<'EOF2'
monitoring:
  models:
    - name: chat
      provider: openai
      model: gpt-4o
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
EOF2
cat >"$T/dev.yaml" <<'EOF2'
monitoring:
  environment: dev
  models:
    - name: chat
      provider: openai
      model: gpt-4o
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
EOF2
cat >"$T/config.yaml" <<'EOF2'
monitoring:
  environment: prod
  environments:
    staging: staging.yaml
    dev: dev.yaml
  models:
    - name: chat
      provider: openai
      model: gpt-4o
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
EOF2
$L validate --config "$T/config.yaml" >"$T/validate.out" 2>&1
check_eq "the configuration with environment files is valid" "0" "$?"
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }
check_eq "init loads each file's models into its environment" "dev:chat prod:chat staging:chat" \
    "$(psql_test -c "SELECT string_agg(e.name || ':' || m.name, ' ' ORDER BY e.name) FROM models m
                     JOIN environments e ON e.id = m.environment_id")"
check_eq "each with its price history" "3" "$(psql_test -c "SELECT count(DISTINCT model_id) FROM model_prices")"

# an environment file's problems, at their own position
cat >"$T/bad-dev.yaml" <<'EOF2'
monitoring:
  environment: qa
  models:
    - name: chat
      provider: openai
      model: gpt-4o
      environment: prod
      sla_target: 2.0
  alerts: {}
EOF2
sed 's/dev: dev.yaml/dev: bad-dev.yaml/' "$T/config.yaml" >"$T/bad.yaml"
$L validate --config "$T/bad.yaml" >"$T/bad.out" 2>&1
check_eq "a bad environment file makes the configuration invalid" "1" "$?"
check_contains "its environment must be the one it is listed under" "bad-dev.yaml:2:16: error: this file holds the models of environment 'dev'" "$T/bad.out"
check_contains "its models cannot name another environment" "bad-dev.yaml:4:7: error: model 'chat' of the file of environment 'dev' names environment 'prod'" "$T/bad.out"
check_contains "what it may not set is ignored, with a warning" "bad-dev.yaml:9:3: warning: 'alerts' is ignored in an environment file" "$T/bad.out"
sed 's/dev: dev.yaml/dev: missing.yaml/' "$T/config.yaml" >"$T/cfg-missing.yaml"
$L validate --config "$T/cfg-missing.yaml" >"$T/missing.out" 2>&1
check_contains "a missing file is named" "cannot open environment file $T/missing.yaml" "$T/missing.out"

# ---- latency: dev and staging alike, prod 20% slower; same diurnal shape ----
psql_test >/dev/null <<'SQL'
SELECT setseed(0.42);
INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, ttft_ms, cost_usd)
SELECT s.ts, m.id, m.environment_id, true,
       1000 * CASE WHEN e.name = 'prod' THEN 1.2 ELSE 1 END
       * (1 + 0.25 * greatest(0, sin(pi() * (extract(hour FROM s.ts) - 7) / 12)))
       * exp(0.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())),
       200, 0.001
  FROM generate_series(date_trunc('hour', now()) - interval '7 days',
                       date_trunc('hour', now()) - interval '5 minutes', interval '5 minutes') s(ts)
 CROSS JOIN models m JOIN environments e ON e.id = m.environment_id;
SQL
$L compare-environments --envs dev,prod --metric latency --period 7d --output "$T/env_comparison.html" \
    >"$T/cmp1.out" 2>&1
check_eq "compare-environments dev,prod runs" "0" "$?"
check_contains "names its test" "Welch's t-test on hourly means" "$T/cmp1.out"
check_contains "a 20% slower environment: significant" "prod vs dev: +" "$T/cmp1.out"
check_contains "... reported as such" "SIGNIFICANT" "$T/cmp1.out"
check_contains "the difference is near 20%" "$(grep -o 'prod vs dev: +[0-9]*' "$T/cmp1.out" | grep -E '\+(1[5-9]|2[0-5])$')" "$T/cmp1.out"
$L compare-environments --envs dev,staging --metric latency --period 7d >"$T/cmp2.out" 2>&1
check_contains "identical environments: not significant" "staging vs dev:" "$T/cmp2.out"
check_contains "... reported as such" "not significant" "$T/cmp2.out"
check_not_contains "... never significant" "SIGNIFICANT" "$T/cmp2.out"
$L compare-environments --envs dev,staging,prod --period 7d --model chat >"$T/cmp3.out" 2>&1
check_contains "three environments: Holm-adjusted" "Holm" "$T/cmp3.out"
check_eq "three environments: prod differs, staging does not" "1 1" \
    "$(grep -c 'prod vs dev.*: SIGNIFICANT' "$T/cmp3.out") $(grep -c 'staging vs dev.*: not significant' "$T/cmp3.out")"
check_contains "the HTML names the test" "Welch's t-test" "$T/env_comparison.html"
check_eq "the HTML has a line chart and a histogram per environment" "3" "$(grep -o '<svg' "$T/env_comparison.html" | wc -l)"
check_contains "the HTML has the percentiles" "p95" "$T/env_comparison.html"
$L compare-environments --envs dev >/dev/null 2>&1
check_eq "one environment is a usage error" "2" "$?"
$L compare-environments --envs dev,nowhere --period 7d >"$T/none.out" 2>&1
check_eq "an environment without data cannot be tested (exit 1)" "1" "$?"

# ---- the environment selector ----
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" || fail "viewer logs in"
check_eq "dashboard ?env=staging" "200" "$(get "$T/viewer.jar" "/?range=24h&env=staging" "$T/dash.html")"
check_contains "the selector lists the environments" 'aria-label="Environment"' "$T/dash.html"
check_contains "keeping the other parameters" 'href="/?range=24h&amp;env=dev"' "$T/dash.html"
check_contains "the current one marked" 'env=staging" class="active"' "$T/dash.html"
check_eq "the dashboard shows only that environment" "1" "$(grep -c 'class="env-name"' "$T/dash.html")"
check_eq "an unknown environment is a 400" "400" "$(get "$T/viewer.jar" "/?env=nowhere" /dev/null)"
check_eq "/costs?env=prod" "200" "$(get "$T/viewer.jar" "/costs?env=prod" "$T/costs.html")"
check_contains "/costs names the environment" "Costs &middot; prod" "$T/costs.html"
check_eq "/budgets?env=dev" "200" "$(get "$T/viewer.jar" "/budgets?env=dev" "$T/budgets.html")"
check_contains "/budgets has the selector" 'aria-label="Environment"' "$T/budgets.html"

finish
