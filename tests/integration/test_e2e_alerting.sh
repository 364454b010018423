#!/bin/bash
# test_e2e_alerting.sh: the whole alerting pipeline, end to end, with the
# simulator driven from healthy into failure and back:
#
#   llmwatch-sim -> llmwatch probe -> PostgreSQL -> llmwatch evaluate
#     -> outbox -> llmwatch notify -> aiosmtpd (Maildir) / webhook peer
#
# The seed's three rules (High Latency, Service Down, Cost Spike) and one
# rule of every other kind (statistical, trend, composite, forecast,
# burn_rate) of fixtures/e2e_config.yaml fire and resolve; inhibition,
# grouping, send_resolved, Idempotency-Key and HMAC are checked on what the
# real peers received.
#
# Time. Probes are stamped by the real clock when they are sent, and
# `evaluate --at T` judges the windows that end at T. The phases take
# seconds, so:
#   E1  healthy: evaluate at the real now.
#   E2  failing: evaluate at the next whole minute after the failing probes
#       (the slot where the scheduler's minutely evaluate runs), less than
#       a minute ahead: trend and forecast regress on complete one-minute
#       buckets only, and at that slot the failing probes' bucket is
#       complete. The test then waits, in real time, for E2 to pass before
#       probing again (0 to 60 s, the one real wait).
#   E3  recovered: evaluate at (last failing probe + 2 min + 1 s), about a
#       minute ahead: the 2-minute windows have slid past every failing
#       probe and hold only the recovered ones (the test checks exactly
#       that before evaluating). Nothing live is probed after E3.
#   E4  the next day, E3 + 25 h: the rules whose windows reach back further
#       (Cost Spike's 24 h spend, the burn rate's 1 h..3 d windows, the
#       10-minute regressions of trend and forecast) keep firing at E3 by
#       design; they resolve on a healthy next day.
# So no live probe is ever stamped at or before a time already evaluated:
# each evaluation saw all the data of its windows, and `alerts backtest`
# over the stored rows at E2 and E3 makes the same decisions (checked at
# the end). The seed's High Latency and Service Down get `window: 2m`
# (default 15m) in the fixture; their conditions are the seed's.
#
# Live and synthetic data. Every probe in phases E1-E3 is a real request to
# llmwatch-sim, stored by `llmwatch probe` (backfill = false; each one is
# found in the simulator's log). Synthetic rows, inserted with psql and
# marked backfill = true, are only:
#   - m-b's history before the test: one probe a minute for 9 days (each
#     costing its share of $1 a day, so that `baseline create` computes a
#     daily spend of $1.00 from the last 7 full days: Cost Spike needs a
#     baseline daily cost, which needs days of history), then one every
#     10 s from 15 to 2 minutes before the test (the statistical rule's
#     10-minute lookback and the trend/forecast regressions need minutes of
#     reference data). Latency 150 +- 40 ms, never failing.
#   - the healthy next day for m-a and m-b (phase E4): one probe a minute,
#     one every 10 s in its last 15 minutes, same values. Live probes
#     cannot be stamped a day ahead.
# The anomalies themselves (errors, latency, cost) all come from live
# probes of the failure scenario.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PEERS="$ROOT/tests/integration/peers"
INSPECT="$PY $PEERS/inspect.py"
F="$ROOT/tests/integration/fixtures"
L="$BIN/llmwatch"
W=120    # the 2-minute windows of e2e_config.yaml

$PY -c 'import aiosmtpd' 2>/dev/null || { fail "python3-aiosmtpd is not installed (scripts/deps.sh)"; finish; exit 1; }

DB_NAME="t_e2e_alerting_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
export LLMWATCH_DATABASE_URL="$DB_URL"
export LLMWATCH_PUBLIC_URL="https://llmwatch.example.com/"
export LW_E2E_HOOK_SECRET="whsec-e2e-$$"
export LLMWATCH_NOTIFY_TIMEOUT=10
unset LLMWATCH_CONFIG

q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }
T_START=$(date +%s.%N)
elapsed() { awk -v s="$T_START" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

# lw NAME ARGS...: runs llmwatch, output in $T/NAME.out and .err; every
# exit status is collected for the check at the end.
RCS=""
lw() {
    local name=$1 rc
    shift
    "$L" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    RCS="$RCS $name=$rc"
    if [ "$rc" != 0 ]; then
        echo "# llmwatch $* exited $rc:"
        sed 's/^/#   /' "$T/$name.err" | head -20
    fi
    return "$rc"
}

# ---- simulator, database, peers ----------------------------------------------
mkdir -p "$T/suites"
cp "$F/e2e_suite.yaml" "$T/suites/"
cp "$F/e2e_healthy.yaml" "$T/scenario.yaml"
"$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$T/sim.port" --scenarios "$T/scenario.yaml" \
    --suites "$T/suites" --log "$T/sim.jsonl" --log-level info >"$T/sim.log" 2>&1 &
SIM_PID=$!
STACK_PIDS+=("$SIM_PID")
wait_for_file "$T/sim.port" 20 || { fail "simulator did not start"; cat "$T/sim.log"; finish; exit 1; }
SIM="http://127.0.0.1:$(cat "$T/sim.port")"

# scenario NAME SEED: the simulator's scenario file becomes e2e_NAME.yaml,
# SIGHUP, and wait until its log says it loaded that seed once more.
scenario() {
    local before i
    before=$(grep -c "seed $2;" "$T/sim.log")
    cp "$F/e2e_$1.yaml" "$T/scenario.yaml"
    kill -HUP "$SIM_PID"
    for i in $(seq 1 200); do
        [ "$(grep -c "seed $2;" "$T/sim.log")" -gt "$before" ] && return 0
        sleep 0.05
    done
    return 1
}

SMTP_PORT=$(free_port)
HOOK_PORT=$(free_port)
sed -e "s|@SIM@|$SIM|g" -e "s|@SUITE@|$F/e2e_suite.yaml|g" -e "s|@SMTP@|$SMTP_PORT|g" \
    -e "s|@HOOK@|$HOOK_PORT|g" "$F/e2e_config.yaml" >"$T/config.yaml"
C="$T/config.yaml"

if ! lw init init --database "$DB_URL" --config "$C"; then
    fail "init with the e2e fixture"
    finish
    exit 1
fi
ok "init with the e2e fixture"
check_not_contains "the fixture loads without warnings" "warning" "$T/init.err"
check_eq "the composite rule keeps its 2-minute window" "120" \
    "$(q "SELECT params->>'window_s' FROM rules WHERE name = 'Error Spread'")"

mkdir -p "$T/maildir/new" "$T/maildir/cur" "$T/maildir/tmp"
$PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/maildir" >"$T/smtp.log" 2>&1 &
STACK_PIDS+=("$!")
$PY "$PEERS/http_peer.py" --kind webhook --port "$HOOK_PORT" --log "$T/webhook.jsonl" >"$T/peer.log" 2>&1 &
STACK_PIDS+=("$!")
for i in $(seq 1 100); do port_in_use "$SMTP_PORT" && break; sleep 0.05; done
check "aiosmtpd listens" port_in_use "$SMTP_PORT"
check "webhook peer answers" wait_for_http "http://127.0.0.1:$HOOK_PORT/_health" 10

# ---- synthetic history of m-b (backfill = true; see the top) -----------------
S=$(date +%s)
psql -X -q -v ON_ERROR_STOP=1 -d "$DB_URL" >"$T/history.out" 2>&1 <<SQL
SET TIME ZONE 'UTC';
SELECT llmwatch_ensure_partitions(current_date - 10, current_date + 2);
INSERT INTO probes (ts, model_id, environment_id, suite, case_id, ok, ttft_ms, total_ms, input_tokens,
                    output_tokens, decode_tps, e2e_tps, cost_usd, quality_score, backfill)
SELECT g.ts, m.id, m.environment_id, 'e2e-alerting', 'greet', true, 50, 150 + 40 * sin(g.n),
       12, 5, 40, 33, g.step / 86400.0, 100, true
  FROM models m CROSS JOIN (
       SELECT ts, 60 AS step, row_number() OVER (ORDER BY ts) AS n
         FROM generate_series(date_trunc('day', to_timestamp($S)) - interval '9 days',
                              to_timestamp($S) - interval '15 minutes', interval '1 minute') ts
       UNION ALL
       SELECT ts, 10, row_number() OVER (ORDER BY ts)
         FROM generate_series(to_timestamp($S) - interval '890 seconds',
                              to_timestamp($S) - interval '2 minutes', interval '10 seconds') ts) g
 WHERE m.name = 'm-b';
SQL
check_eq "m-b's synthetic history inserted" "0" "$?"

# ---- the baseline, while healthy ---------------------------------------------
lw baseline baseline create --config "$C" --iterations 2 --test-suite "$F/e2e_suite.yaml"
check_contains "baseline created" "Baselines saved" "$T/baseline.out"
check_eq "baselines: m-b spends \$1.00 a day (its 7 full days of history), m-a has no history" \
    "m-a:none m-b:1.00" "$(q "SELECT string_agg(m.name || ':' || coalesce(round(b.daily_cost_usd, 2)::text, 'none'),
    ' ' ORDER BY m.name) FROM baselines b JOIN models m ON m.id = b.model_id WHERE b.active")"

# ==== phase 1: healthy ===========================================================
lw probe1 probe --config "$C" --iterations 2
check_contains "healthy probes: m-a all ok" "m-a: 4/4 ok" "$T/probe1.out"
check_contains "healthy probes: m-b all ok" "m-b: 4/4 ok" "$T/probe1.out"
E1=$(date +%s)
lw eval1 evaluate --at "$E1"
check_contains "healthy: evaluate changes nothing" ": 0 changes, 0 notifications queued, 0 suppressed" "$T/eval1.out"
check_eq "healthy: no alert at all" "0" "$(q "SELECT count(*) FROM alerts")"
lw notify1 notify --once
check_contains "healthy: nothing to deliver" "notify: 0 sent, 0 to retry, 0 failed" "$T/notify1.out"
echo "# phase 1 (healthy) done at +$(elapsed) s"

# ==== phase 2: failing ===========================================================
check "simulator reloads the failure scenario on SIGHUP" scenario failing 22
# one model per probe run, so each run's requests are numbered in a row by
# the simulator (its per-request draws do not depend on interleaving)
lw probe2a probe --config "$C" --model m-a --iterations 30
lw probe2b probe --config "$C" --model m-b --iterations 5
N_OK_A=$(sed -n 's/^m-a: \([0-9]*\)\/60 ok.*/\1/p' "$T/probe2a.out")
echo "# failing m-a: ${N_OK_A:-?}/60 ok ($(grep '^m-a:' "$T/probe2a.out"))"
check "failing: most m-a requests fail with HTTP 500, some succeed slowly" \
    test "${N_OK_A:-0}" -ge 2 -a "${N_OK_A:-60}" -le 20
check_eq "failing: m-a's failures stored as http_5xx" "$((60 - ${N_OK_A:-0}))" \
    "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'm-a'
          AND p.cycle_id = (SELECT max(cycle_id) FROM probes WHERE model_id = m.id) AND p.error_class = 'http_5xx'")"
check_contains "failing: m-b all answer, slowly and at length" "m-b: 10/10 ok" "$T/probe2b.out"
check_eq "failing: m-b's replies are 300 tokens at \$0.30" "10" \
    "$(q "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'm-b' AND NOT p.backfill
          AND p.output_tokens = 300 AND p.cost_usd = 0.3 AND p.ttft_ms >= 1500")"
NOW=$(date +%s)
E2=$(( (NOW + 59) / 60 * 60 ))
echo "# E2 = next whole minute, $((E2 - NOW)) s ahead"
lw eval2 evaluate --at "$E2"

fired() { grep -q "^$1 / $2 (production): ok -> firing, $3" "$T/eval2.out"; }
check "Service Down fires on m-a (error rate over 50%)" fired "Service Down" m-a "value [0-9.]*% > 50.0%"
check "High Latency fires on m-b (over 0.75 s)" fired "High Latency" m-b "value [0-9.]* s > 0.75 s"
check "High Latency fires on m-a too (its few answers take 4 s)" fired "High Latency" m-a "value [0-9.]* s > 0.75 s"
check "Cost Spike fires on m-b (24 h spend over twice the baseline's \$1.00)" \
    fired "Cost Spike" m-b "value \\\$[0-9.]* > \\\$2.00"
check "statistical: Latency Anomaly fires on m-b" fired "Latency Anomaly" m-b "value [0-9.]* s > [0-9.]* s (mean"
check "trend: Latency Trend fires on m-b" fired "Latency Trend" m-b "avg_latency slope [0-9.]* s/h > 1.00 s/h over 10m"
check "composite: Error Spread fires on m-a" fired "Error Spread" m-a "error_rate > 0.3: value [0-9.]*% > 30.0%"
check "forecast: Latency Forecast fires on m-b" fired "Latency Forecast" m-b "avg_latency likely to exceed 2.00 s in [0-9.]* hours"
check "burn rate: Error Budget Burn pages on m-a" fired "Error Budget Burn" m-a "error budget burning [0-9.]*x over 1h and [0-9.]*x over 5m >= 14.4x (page; SLO 99%)"
check_contains "failing: nine alerts, delivery grouped in two rows, one suppressed" \
    ": 9 changes, 2 notifications queued, 1 suppressed" "$T/eval2.out"
check_eq "nothing else fired (no Cost Spike on m-a: no baseline spend)" "9|9" \
    "$(q "SELECT count(*) FROM alerts WHERE state = 'firing' AND fired_at = to_timestamp($E2)")|$(q "SELECT count(*) FROM alerts")"

# outbox: one row per channel for the whole evaluation, inhibition
members() {   # members STATUS CHANNEL GROUP-TIME -> "rule/model/state,..." of that row
    q "SELECT string_agg(x->>'rule' || '/' || (x->>'model') || '/' || (x->>'state'), ',' ORDER BY x->>'rule', x->>'model')
         FROM notifications n JOIN channels c ON c.id = n.channel_id, jsonb_array_elements(n.payload->'alerts') x
        WHERE n.status = '$1' AND c.name = '$2' AND n.group_key = 'eval:$3:' || c.id"
}
FIRING_MAIL="Cost Spike/m-b/firing,Error Budget Burn/m-a/firing,Error Spread/m-a/firing,High Latency/m-b/firing,Latency Anomaly/m-b/firing,Latency Forecast/m-b/firing,Latency Trend/m-b/firing,Service Down/m-a/firing"
check_eq "grouping: one mail row lists all eight delivered alerts" "$FIRING_MAIL" "$(members pending mail "$E2")"
check_eq "routing: the webhook row has the three critical ones" \
    "Error Budget Burn/m-a/firing,Error Spread/m-a/firing,Service Down/m-a/firing" "$(members pending hook "$E2")"
check_eq "inhibition: High Latency on m-a is suppressed by Service Down on m-a" \
    "High Latency/m-a/firing|inhibited by alert #$(q "SELECT a.id FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE r.name = 'Service Down'") (Service Down)" \
    "$(members suppressed mail "$E2")|$(q "SELECT suppressed_reason FROM notifications WHERE status = 'suppressed'")"
check_eq "inhibition keeps the record: High Latency on m-a is firing" "firing" \
    "$(q "SELECT a.state FROM alerts a JOIN rules r ON r.id = a.rule_id JOIN models m ON m.id = a.model_id WHERE r.name = 'High Latency' AND m.name = 'm-a'")"

lw notify2 notify --once
check_contains "failing: notify delivers both rows" "notify: 2 sent, 0 to retry, 0 failed" "$T/notify2.out"

# what aiosmtpd received: one JSON line per mail, and its alerts parsed from
# the text part ("RULE is FIRING (sev)" ... "Model: M" per alert)
$INSPECT mails "$T/maildir" >"$T/mails.json"
mail() {   # mail INDEX FIELD|alerts
    $PY - "$T/mails.json" "$1" "$2" <<'PY'
import json, re, sys
mails = [json.loads(l) for l in open(sys.argv[1])]
i, what = int(sys.argv[2]), sys.argv[3]
if i >= len(mails):
    print("no mail %d" % i); sys.exit()
m = mails[i]
if what != "alerts":
    print(m[what]); sys.exit()
out = []
for block in m["text"].split("\n----\n"):
    head = re.search(r"^(.+) is (?:still )?(FIRING|RESOLVED) \((\w+)\)$", block, re.M)
    model = re.search(r"^Model: (.+)$", block, re.M)
    if head:
        out.append("%s/%s/%s" % (head.group(1), model.group(1) if model else "-", head.group(2).lower()))
print(",".join(sorted(out)))
PY
}
check_eq "one mail reached aiosmtpd" "1" "$(wc -l <"$T/mails.json")"
check "its subject: FIRING critical, 8 alerts, rule and model names" \
    grep -q '"subject": "\[llmwatch\] FIRING critical: 8 alerts: Service Down on m-a (production), Error Spread on m-a (production)' "$T/mails.json"
check_eq "its text part lists every alert with its model" "$FIRING_MAIL" "$(mail 0 alerts)"
check_eq "its text and HTML parts" "['text/html', 'text/plain']" "$(mail 0 types)"
check_eq "its Message-ID is the outbox row's key" \
    "<$(q "SELECT n.idempotency_key FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'mail' AND n.status = 'sent' AND n.group_key = 'eval:$E2:' || c.id")@llmwatch>" \
    "$(mail 0 message_id)"
check "the HTML part renders the runbook and links the alert" $PY -c '
import json, sys
m = json.loads(open(sys.argv[1]).readline())
sys.exit(not ("<strong>provider status page</strong>" in m["html"]
              and "https://llmwatch.example.com/alerts/" in m["html"]))' "$T/mails.json"

# what the webhook peer received
HOOK_KEY_E2=$(q "SELECT n.idempotency_key FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'hook' AND n.group_key = 'eval:$E2:' || c.id")
check_eq "webhook: one request" "1" "$($INSPECT count "$T/webhook.jsonl")"
check_eq "webhook: Idempotency-Key is the row's key" "$HOOK_KEY_E2" "$($INSPECT header "$T/webhook.jsonl" 0 Idempotency-Key)"
check_eq "webhook: HMAC-SHA256 signature of the body valid" "1 1" "$($INSPECT hmac "$T/webhook.jsonl" "$LW_E2E_HOOK_SECRET")"
hook_alerts() {   # hook_alerts INDEX -> "rule/model/severity/state,..."
    $PY - "$T/webhook.jsonl" "$1" <<'PY'
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]
doc = json.loads(rec["body"])
print(",".join(sorted("%s/%s/%s/%s" % (a["rule"], a["model"], a["severity"], a["state"]) for a in doc["alerts"])))
PY
}
check_eq "webhook: the three critical alerts, firing" \
    "Error Budget Burn/m-a/critical/firing,Error Spread/m-a/critical/firing,Service Down/m-a/critical/firing" "$(hook_alerts 0)"
echo "# phase 2 (failing) done at +$(elapsed) s"

# ==== phase 3: recovered ===========================================================
check "simulator reloads the healthy scenario on SIGHUP" scenario healthy 11
R2_LAST=$(q "SELECT ceil(extract(epoch FROM max(ts)))::bigint FROM probes WHERE NOT backfill")
# the recovered probes come after E2 (already evaluated) and after the last
# failing probe's second
WAIT_FROM=$(date +%s.%N)
until [ "$(date +%s)" -gt "$E2" ] && [ "$(date +%s)" -gt "$((R2_LAST + 1))" ]; do sleep 0.1; done
echo "# waited $(awk -v s="$WAIT_FROM" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }') s for E2 to pass"
lw probe3 probe --config "$C" --iterations 3
check_contains "recovered probes: m-a all ok" "m-a: 6/6 ok" "$T/probe3.out"
check_contains "recovered probes: m-b all ok" "m-b: 6/6 ok" "$T/probe3.out"
E3=$((R2_LAST + W + 1))
[ "$E3" -gt "$E2" ] || E3=$((E2 + 1))
echo "# E3 = last failing probe + $((E3 - R2_LAST)) s, $((E3 - $(date +%s))) s ahead"
check_eq "no live probe at or before E2 but those E2's evaluation saw" "0" \
    "$(q "SELECT count(*) FROM probes WHERE NOT backfill AND ts <= to_timestamp($E2) AND ts > to_timestamp($R2_LAST)")"
check_eq "at E3 the 2-minute windows hold exactly the 12 recovered probes, all ok" "12|12" \
    "$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE ok AND total_ms < 500) FROM probes
          WHERE ts > to_timestamp($E3 - $W) AND ts <= to_timestamp($E3)")"
lw eval3 evaluate --at "$E3"

resolved() { grep -q "^$1 / $2 (production): firing -> resolved, $3" "$T/eval3.out"; }
check "Service Down resolves on m-a" resolved "Service Down" m-a "value 0.0% (fires > 50.0%)"
check "High Latency resolves on m-b" resolved "High Latency" m-b "value 0.[0-9]* s (fires > 0.75 s)"
check "High Latency resolves on m-a" resolved "High Latency" m-a "value 0.[0-9]* s (fires > 0.75 s)"
check "statistical: Latency Anomaly resolves on m-b" resolved "Latency Anomaly" m-b "value 0.[0-9]* s within"
check "composite: Error Spread resolves on m-a" resolved "Error Spread" m-a "0 of 2 conditions hold (OR)"
check_contains "recovered: five alerts resolve, two rows queued" ": 5 changes, 2 notifications queued, 0 suppressed" "$T/eval3.out"
q "SELECT '# still firing at E3: ' || r.name || ' / ' || m.name || ': ' || a.summary FROM alerts a JOIN rules r ON r.id = a.rule_id
   JOIN models m ON m.id = a.model_id WHERE a.state = 'firing' ORDER BY r.name"
check_eq "still firing by design: Cost Spike (24 h spend), trend and forecast (the failing minute is in their 10 minutes), burn rate (5 m and 1 h windows)" \
    "Cost Spike/m-b,Error Budget Burn/m-a,Latency Forecast/m-b,Latency Trend/m-b" \
    "$(q "SELECT string_agg(r.name || '/' || m.name, ',' ORDER BY r.name) FROM alerts a JOIN rules r ON r.id = a.rule_id JOIN models m ON m.id = a.model_id WHERE a.state = 'firing'")"
RESOLVED_MAIL3="Error Spread/m-a/resolved,High Latency/m-b/resolved,Latency Anomaly/m-b/resolved,Service Down/m-a/resolved"
check_eq "send_resolved: one mail row with the four delivered alerts that resolved" "$RESOLVED_MAIL3" "$(members pending mail "$E3")"
check_eq "send_resolved: the webhook row with the two critical ones" \
    "Error Spread/m-a/resolved,Service Down/m-a/resolved" "$(members pending hook "$E3")"
check_eq "an inhibited alert's resolution is not announced" "0" \
    "$(q "SELECT count(*) FROM notifications n, jsonb_array_elements(n.payload->'alerts') x WHERE x->>'state' = 'resolved' AND x->>'rule' = 'High Latency' AND x->>'model' = 'm-a'")"

lw notify3 notify --once
check_contains "recovered: notify delivers both rows" "notify: 2 sent, 0 to retry, 0 failed" "$T/notify3.out"
$INSPECT mails "$T/maildir" >"$T/mails.json"
check_eq "a second mail" "2" "$(wc -l <"$T/mails.json")"
check "its subject: RESOLVED, 4 alerts" grep -q '"subject": "\[llmwatch\] RESOLVED critical: 4 alerts: ' "$T/mails.json"
check_eq "its text part lists the resolved alerts with their models" "$RESOLVED_MAIL3" "$(mail 1 alerts)"
check_eq "webhook: the resolved critical alerts" \
    "Error Spread/m-a/critical/resolved,Service Down/m-a/critical/resolved" "$(hook_alerts 1)"
echo "# phase 3 (recovered) done at +$(elapsed) s"

# ==== phase 4: a healthy next day (synthetic, backfill = true) =======================
E4=$((E3 + 25 * 3600))
psql -X -q -v ON_ERROR_STOP=1 -d "$DB_URL" >"$T/nextday.out" 2>&1 <<SQL
INSERT INTO probes (ts, model_id, environment_id, suite, case_id, ok, ttft_ms, total_ms, input_tokens,
                    output_tokens, decode_tps, e2e_tps, cost_usd, quality_score, backfill)
SELECT g.ts, m.id, m.environment_id, 'e2e-alerting', 'greet', true, 50, 150 + 40 * sin(g.n),
       12, 5, 40, 33, g.step / 86400.0, 100, true
  FROM models m CROSS JOIN (
       SELECT ts, 60 AS step, row_number() OVER (ORDER BY ts) AS n
         FROM generate_series(to_timestamp($E3) + interval '1 hour',
                              to_timestamp($E4) - interval '15 minutes', interval '1 minute') ts
       UNION ALL
       SELECT ts, 10, row_number() OVER (ORDER BY ts)
         FROM generate_series(to_timestamp($E4) - interval '890 seconds',
                              to_timestamp($E4) - interval '5 seconds', interval '10 seconds') ts) g;
SQL
check_eq "the synthetic next day inserted" "0" "$?"
lw eval4 evaluate --at "$E4"
resolved() { grep -q "^$1 / $2 (production): firing -> resolved, $3" "$T/eval4.out"; }
check "Cost Spike resolves: the last 24 h spent \$1.00 again" resolved "Cost Spike" m-b "value \\\$1.00 (fires > \\\$2.00)"
check "trend: Latency Trend resolves on a flat day" resolved "Latency Trend" m-b "avg_latency slope -\?[0-9.]* s/h vs 1.00 s/h"
check "forecast: Latency Forecast resolves" resolved "Latency Forecast" m-b "avg_latency forecast within 2.00 s over the next 2h"
check "burn rate: Error Budget Burn resolves (within budget)" resolved "Error Budget Burn" m-a "burn rate 0.00x (1h), within budget"
check_contains "next day: four alerts resolve, nothing fires" ": 4 changes, 2 notifications queued, 0 suppressed" "$T/eval4.out"
RESOLVED_MAIL4="Cost Spike/m-b/resolved,Error Budget Burn/m-a/resolved,Latency Forecast/m-b/resolved,Latency Trend/m-b/resolved"
check_eq "send_resolved: the next day's mail row" "$RESOLVED_MAIL4" "$(members pending mail "$E4")"
check_eq "send_resolved: the burn rate's resolution on the webhook" "Error Budget Burn/m-a/resolved" "$(members pending hook "$E4")"
lw notify4 notify --once
check_contains "next day: notify delivers both rows" "notify: 2 sent, 0 to retry, 0 failed" "$T/notify4.out"
$INSPECT mails "$T/maildir" >"$T/mails.json"
check_eq "its text part lists the resolved alerts with their models" "$RESOLVED_MAIL4" "$(mail 2 alerts)"
check_eq "webhook: a single alert's fields at the top level" "Error Budget Burn m-a critical resolved" \
    "$(for f in rule model severity state; do $INSPECT json "$T/webhook.jsonl" 2 $f; done | tr '\n' ' ' | sed 's/ $//')"
echo "# phase 4 (next day) done at +$(elapsed) s"

# ==== the whole run ==================================================================
lw notify6 notify --once
check_contains "a further notify finds nothing: each notification delivered once" \
    "notify: 0 sent, 0 to retry, 0 failed" "$T/notify6.out"
check_eq "every outbox row ends sent or suppressed" "sent:6 suppressed:1" \
    "$(q "SELECT string_agg(status || ':' || n, ' ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM notifications GROUP BY 1) x")"
$INSPECT mails "$T/maildir" >"$T/mails.json"
check_eq "3 mails, 3 distinct Message-IDs, each an outbox row's key" "3 3 3" \
    "$(wc -l <"$T/mails.json") $($PY -c 'import json,sys; print(len({json.loads(l)["message_id"] for l in open(sys.argv[1])}))' "$T/mails.json") $(
       $PY -c 'import json,sys; print(len({json.loads(l)["message_id"] for l in open(sys.argv[1])} & set(sys.argv[2].split())))' \
           "$T/mails.json" "$(q "SELECT string_agg('<' || n.idempotency_key || '@llmwatch>', ' ') FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'mail' AND n.status = 'sent'")")"
check_eq "3 webhook requests, 3 distinct Idempotency-Keys" "3 3" "$($INSPECT keys "$T/webhook.jsonl" Idempotency-Key)"
check_eq "every webhook request signed with a valid HMAC" "3 3" "$($INSPECT hmac "$T/webhook.jsonl" "$LW_E2E_HOOK_SECRET")"
check_eq "the webhook keys are the hook rows' keys" \
    "$(q "SELECT string_agg(n.idempotency_key, ' ' ORDER BY n.id) FROM notifications n JOIN channels c ON c.id = n.channel_id WHERE c.name = 'hook'")" \
    "$(for i in 0 1 2; do $INSPECT header "$T/webhook.jsonl" $i Idempotency-Key; done | tr '\n' ' ' | sed 's/ $//')"

# alert_events: every alert went ok -> firing at E2 and firing -> resolved at
# E3 (short windows) or E4 (day-long windows, regressions)
check_eq "alert_events: each alert's transitions and when" \
    "Cost Spike/m-b ok>firing@E2 firing>resolved@E4
Error Budget Burn/m-a ok>firing@E2 firing>resolved@E4
Error Spread/m-a ok>firing@E2 firing>resolved@E3
High Latency/m-a ok>firing@E2 firing>resolved@E3
High Latency/m-b ok>firing@E2 firing>resolved@E3
Latency Anomaly/m-b ok>firing@E2 firing>resolved@E3
Latency Forecast/m-b ok>firing@E2 firing>resolved@E4
Latency Trend/m-b ok>firing@E2 firing>resolved@E4
Service Down/m-a ok>firing@E2 firing>resolved@E3" \
    "$(q "SELECT r.name || '/' || m.name || ' ' || string_agg(e.from_state || '>' || e.to_state || '@' ||
              CASE e.at WHEN to_timestamp($E2) THEN 'E2' WHEN to_timestamp($E3) THEN 'E3'
                        WHEN to_timestamp($E4) THEN 'E4' ELSE e.at::text END, ' ' ORDER BY e.id)
            FROM alert_events e JOIN alerts a ON a.id = e.alert_id JOIN rules r ON r.id = a.rule_id
            JOIN models m ON m.id = a.model_id GROUP BY r.name, m.name ORDER BY 1")"
check_eq "every resolution was decided on data, none for lack of it" "0" \
    "$(q "SELECT count(*) FROM alert_events WHERE to_state = 'resolved' AND message LIKE '%no data%'")"
check_eq "every alert is resolved" "9 resolved" "$(q "SELECT count(*) || ' ' || string_agg(DISTINCT state, ',') FROM alerts")"
# the stored rows reproduce the live decisions: a backtest stepping E2 -> E3
# fires each rule on as many models as evaluate did at E2, and resolves at E3
# the ones evaluate resolved there
bt_ok=0
while IFS='|' read -r rule n_fired n_res3; do
    lw bt alerts backtest --rule "$rule" --from "$E2" --to "$E3" --step "$((E3 - E2))" || continue
    got=$(sed -n 's/^would have fired \([0-9]*\) time.*/\1/p' "$T/bt.out")
    res=$(grep -c "; resolved $(date -u -d "@$E3" '+%Y-%m-%d %H:%M:%S') UTC" "$T/bt.out")
    if [ "$got|$res" = "$n_fired|$n_res3" ]; then bt_ok=$((bt_ok + 1)); else
        echo "# backtest $rule: fired $got, resolved at E3 $res; evaluate: $n_fired, $n_res3"; cat "$T/bt.out"; fi
done < <(q "SELECT r.name, count(a.id), count(a.id) FILTER (WHERE a.resolved_at = to_timestamp($E3))
              FROM rules r LEFT JOIN alerts a ON a.rule_id = r.id GROUP BY r.id ORDER BY r.id")
check_eq "alerts backtest over the stored live rows decides as evaluate did, for all 8 rules" "8" "$bt_ok"

# the live probes are the simulator's requests
psql -X -q -t -A -F ' ' -v ON_ERROR_STOP=1 -d "$DB_URL" \
    -c "SELECT p.request_id, m.name, p.ok FROM probes p JOIN models m ON m.id = p.model_id WHERE NOT p.backfill" >"$T/live.txt"
check_eq "every live probe is in the simulator's log, with the same model and outcome" "98 98" "$($PY - "$T/sim.jsonl" "$T/live.txt" <<'PY'
import json, sys
sim = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    sim[r["request_id"]] = (r["model"], r["outcome"] == "ok")
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
same = sum(1 for rid, model, ok in rows if sim.get(rid) == (model, ok == "t"))
print(len(rows), same)
PY
)"
check "the simulator is still running" kill -0 "$SIM_PID"
BAD=$(echo "$RCS" | tr ' ' '\n' | grep -v '=0$' | grep -c .)
check_eq "every llmwatch command exited 0 ($(echo "$RCS" | wc -w) runs)" "0" "$BAD"
echo "# whole test: $(elapsed) s"

finish
