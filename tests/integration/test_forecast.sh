#!/bin/bash
# test_forecast.sh: `llmwatch forecast` on 30 backfilled days: the stated
# model (seasonal Holt-Winters) with prediction intervals and the hours
# until the SLA is likely exceeded; --backtest reports MAPE and an
# interval coverage near the requested 95% (between 85% and 99%) for the
# latency of every model of the backfill (with its business hours,
# Tuesdays, drift and incident).
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
stack_start || { fail "stack start"; finish; exit 1; }
$L backfill --days 30 --config "$ROOT/monitoring_config.yaml" >"$T/backfill.out" 2>&1 || fail "backfill"

for m in gpt-4 claude-3-5-sonnet-20241022 gemini-1.5-pro llama-3.1-8b-local; do
    $L forecast --model "$m" --metrics latency,p95_latency,error_rate,cost --hours 24 \
        --confidence 0.95 --backtest >"$T/bt-$m.out" 2>&1
    check_eq "$m: forecast --backtest runs" "0" "$?"
    for metric in latency p95_latency; do
        line=$(grep "^$metric " "$T/bt-$m.out")
        cov=$(echo "$line" | awk '{ print $5 }' | tr -d '%')
        mape=$(echo "$line" | awk '{ print $4 }' | tr -d '%')
        check_eq "$m $metric: 95% intervals cover between 85% and 99% ($cov%)" "1" \
            "$(awk -v c="$cov" 'BEGIN { print (c >= 85 && c <= 99) }')"
        check_eq "$m $metric: MAPE reported and below 20% ($mape%)" "1" \
            "$(awk -v c="$mape" 'BEGIN { print (c > 0 && c < 20) }')"
    done
    check_contains "$m: 28 origins over the last 7 days" "latency              28" "$T/bt-$m.out"
done

$L forecast --model gpt-4 --metrics latency,p95_latency,error_rate,cost --hours 24 \
    --confidence 0.95 >"$T/fc.out" 2>&1
check_eq "forecast runs" "0" "$?"
check_eq "24 hourly rows" "24" "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:00' "$T/fc.out")"
check_contains "the model is stated" "additive Holt-Winters with a damped trend and a daily season" "$T/fc.out"
check_contains "with its fitted parameters" "latency: alpha" "$T/fc.out"
check_contains "and the SLA outlook" "SLA:" "$T/fc.out"
# a model whose SLA is below its latency: the SLA is likely exceeded now
psql_test -c "UPDATE models SET sla_target_ms = 300 WHERE name = 'gpt-4'" >/dev/null
$L forecast --model gpt-4 --metrics p95_latency --hours 6 >"$T/fc2.out" 2>&1
check_contains "hours until the SLA is likely exceeded" "SLA: p95 latency likely above the 300 ms target in 1 hour" "$T/fc2.out"
$L forecast --model gpt-4 --metrics bogus >/dev/null 2>&1
check_eq "an unknown metric is a usage error" "2" "$?"
$L forecast --model nobody >"$T/nobody.out" 2>&1
check_contains "an unknown model is named" "no model 'nobody'" "$T/nobody.out"

finish
