#!/bin/bash
# test_cluster.sh: llmwatch on a cluster (scripts/cluster.sh): PostgreSQL
# primary + streaming standby, two worker hosts, two web processes behind
# one nginx upstream, the simulator, a webhook receiver. In order:
#   1. pages read from the standby show what the primary shows once it has
#      caught up; a lagging standby is said so on the page, and a page for
#      the cache then comes from the primary; lag on /healthz and /metrics
#   2. sessions, CSRF and the page cache across the two web processes
#   3. kill -9 of a worker host in the middle of a probe cycle: every model
#      is probed in every slot, none twice
#   4. the primary stopped, the standby promoted: pages answer again within
#      seconds (the 503 window is measured and printed), the workers go on
#      against the new primary, every notification due meanwhile is
#      delivered exactly once
# Runs on the plain build only (it starts its own PostgreSQL pair and seven
# processes; the sanitizer build covers the same code in the other tests).
. "$(dirname "$0")/lib.sh"

if [ "$BUILD" != build ]; then
    echo "$TEST_NAME: skipped under the sanitizer build (two PostgreSQL servers and seven processes; the plain build runs it)"
    finish; exit $?
fi
. "$ROOT/scripts/cluster.sh"
PY=/usr/bin/python3
export PG_FSYNC=off LLMWATCH_NOTIFY_BACKOFF_SCALE=0.01 LLMWATCH_NOTIFY_TIMEOUT=3 CL_KEY=cluster-key
T_START=$(date +%s)
phase() { echo "# $TEST_NAME: $* ($(( $(date +%s) - T_START )) s)"; }
unset LLMWATCH_DATABASE_URL LLMWATCH_READ_DATABASE_URL
cl_init "$T/cluster"
trap 'cl_stop_all' EXIT
HOOK_PORT=$(free_port)
N=30            # models
CASES=2         # cases of the suite: rows per model and slot

mkdir -p "$T/suites"
cat >"$T/suites/cluster.yaml" <<'EOF'
name: cluster
description: Two short cases for the cluster test.
cases:
  - id: one
    prompt: "Reply with the word ready."
    max_tokens: 16
    scorer: {type: contains, values: [ready], case_insensitive: true}
    reference_answer: "ready"
  - id: two
    prompt: "Reply with the word steady."
    max_tokens: 16
    scorer: {type: contains, values: [steady], case_insensitive: true}
    reference_answer: "steady"
EOF
cat >"$T/scenarios.yaml" <<'EOF'
seed: 7
models:
  "cl-*": {ttft_ms: 1200, inter_token_ms: 5, output_tokens: 5, accuracy: 1}
EOF
CL_SCENARIOS="$T/scenarios.yaml"
{
    printf 'monitoring:\n  environment: production\n  models:\n'
    for i in $(seq -w 1 $N); do
        printf '    - {name: cl-%s, provider: openai-compatible, model: cl-%s, base_url: "http://127.0.0.1:%s", api_key_env: CL_KEY, timeout: 3, sla_target: 10, prices: {input: 0, output: 0}}\n' \
            "$i" "$i" "$SIM_PORT"
    done
    cat <<EOF
  schedule:
    # timeout: the run's limit (killed past it), under the 10 s period
    performance_checks: {frequency: "every 10 seconds", timeout: 9, suite: "$T/suites/cluster.yaml"}
    notify: {frequency: "every 5 seconds"}
  alerts:
    channels:
      - name: hook
        type: webhook
        url: "http://127.0.0.1:$HOOK_PORT/hook"
    rules:
      - name: "High Latency"
        condition: "avg_latency > sla_target * 1.5"
        severity: warning
EOF
} >"$T/config.yaml"

q1() { cl_psql "$PG1_PORT" "$@"; }
q2() { cl_psql "$PG2_PORT" "$@"; }
# hdr FILE NAME: a response header's value
hdr() { sed -n "s/^$2: \\([^\\r]*\\).*/\\1/Ip" "$1" | tail -1; }
# page PORT PATH OUT: GET with the admin's session; prints the status
page() { curl -s -b "$T/a.jar" -D "$3.h" -o "$3" -w '%{http_code}' "http://127.0.0.1:$1$2"; }

cl_primary_start && ok "primary started" || { fail "primary"; finish; exit 1; }
cl_standby_start && ok "standby made with pg_basebackup -R and started" || { fail "standby"; finish; exit 1; }
"$BIN/llmwatch" init --database "$CL_DB_URL" --config "$T/config.yaml" >"$T/init.out" 2>&1 \
    && ok "init through the multi-host URL" || { fail "init"; cat "$T/init.out"; finish; exit 1; }
echo "pw-admin-0123456789" | "$BIN/llmwatch" user add --email admin@example.com --role admin \
    --database "$CL_DB_URL" >/dev/null
q1 "INSERT INTO settings (key, value) VALUES ('probe_lease_margin_seconds', '2')"
check_eq "the standby streams from the primary" "streaming" "$(q1 "SELECT state FROM pg_stat_replication")"
check_eq "the standby is in recovery" "t" "$(q2 "SELECT pg_is_in_recovery()")"

$PY "$ROOT/tests/integration/peers/http_peer.py" --kind webhook --port "$HOOK_PORT" --log "$T/hook.jsonl" \
    >>"$T/peers.log" 2>&1 &
CL_PIDS+=($!)
cl_sim_start || fail "simulator"
cl_web_start 1 --read-max-lag 1 --log-level debug && cl_web_start 2 --read-max-lag 1 --log-level debug \
    && cl_nginx_start && ok "two web processes behind one nginx upstream" || { fail "web"; finish; exit 1; }
BASE=$CL_BASE
login admin@example.com pw-admin-0123456789 "$T/a.jar" && ok "admin logs in" || fail "admin logs in"

# ==== 1. reading from the standby ====
phase "1. reading from the standby"
"$BIN/llmwatch" probe --config "$T/config.yaml" --database "$CL_DB_URL" --suite "$T/suites/cluster.yaml" \
    >"$T/probe.out" 2>&1 && ok "a probe cycle by hand" || { fail "probe by hand"; cat "$T/probe.out"; }
# a web process on the primary alone, for comparison
rm -f "$CL/run/web3.sock"
"$BIN/llmwatch-web" --socket "$CL/run/web3.sock" --threads 2 --database "$CL_DB_URL" --datadir "$ROOT" \
    >>"$CL/log/web3.log" 2>&1 &
CL_PIDS+=($!)
wait_for_file "$CL/run/web3.sock" 30 && socket_share "$CL/run/web3.sock"
P3=$(free_port)
nginx_conf "$T/nginx3" "$P3" "$CL/run/web3.sock"
nginx -p "$T/nginx3" -c "$T/nginx3/nginx.conf" -g 'daemon off;' >"$T/nginx3.log" 2>&1 &
CL_PIDS+=($!)
wait_for_http "http://127.0.0.1:$P3/healthz" 20 || fail "third nginx"
for i in $(seq 1 50); do cl_caught_up && break; sleep 0.1; done
check "the standby caught up" cl_caught_up
MODEL=$(q1 "SELECT min(id) FROM models")
for path in / "/models/$MODEL" /sla /alerts /api/v1/models; do
    same=0 where=""
    for try in 1 2; do
        a=$(page "$WEB1_PORT" "$path" "$T/standby.out")
        # the first answer was computed (a second one may come from the cache)
        [ "$try" = 1 ] && where=$(hdr "$T/standby.out.h" X-Llmwatch-Database)
        b=$(page "$P3" "$path" "$T/primary.out")
        # pages say when they were computed, to the second: not a figure
        for f in standby primary; do
            sed -E 's/Updated [0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:]{8}//' "$T/$f.out" >"$T/$f.cmp"
        done
        [ "$a" = 200 ] && [ "$b" = 200 ] && cmp -s "$T/standby.cmp" "$T/primary.cmp" && { same=1; break; }
    done
    check_eq "$path from the standby: read there" "standby" "$where"
    check_eq "$path from the standby shows what the primary shows" "1" "$same"
done
check_contains "the standby's pages have the probes" "cl-01" "$T/standby.out"

# a standby that lags: replay paused while the primary writes
q2 "SELECT pg_wal_replay_pause()" >/dev/null
q1 "UPDATE settings SET value = '3' WHERE key = 'probe_lease_margin_seconds'"
sleep 1.5
q1 "UPDATE settings SET value = '2' WHERE key = 'probe_lease_margin_seconds'"
sleep 0.5
page "$WEB1_PORT" /alerts "$T/lag.out" >/dev/null
check_eq "a lagging standby still serves /alerts" "standby" "$(hdr "$T/lag.out.h" X-Llmwatch-Database)"
check_contains "the page says the standby lags" "behind the primary" "$T/lag.out"
page "$WEB1_PORT" "/models/$MODEL?range=24h" "$T/lagc.out" >/dev/null
check_eq "a page for the cache comes from the primary while the standby lags" "primary" \
    "$(hdr "$T/lagc.out.h" X-Llmwatch-Database)"
check_not_contains "...and has no banner" "behind the primary" "$T/lagc.out"
curl -s "http://127.0.0.1:$WEB1_PORT/healthz?format=json" >"$T/health.json"
check "healthz JSON shows the standby lagging" $PY -c "import json,sys; d=json.load(open('$T/health.json'));
sys.exit(not (d['status']=='ok' and d['read']['standby'] and d['read']['lagging'] and d['read']['lag_seconds']>1))"
curl -s -H 'Accept: application/json' "http://127.0.0.1:$WEB1_PORT/healthz" | grep -q '"lag_seconds"' \
    && ok "healthz JSON by Accept header" || fail "healthz JSON by Accept header"
check_eq "plain healthz unchanged" "ok" "$(curl -s "$BASE/healthz")"
curl -s -b "$T/a.jar" "http://127.0.0.1:$WEB1_PORT/metrics" >"$T/metrics.txt"
check "replication lag in /metrics" grep -Eq '^llmwatch_replication_lag_seconds [1-9]' "$T/metrics.txt"
check_contains "read database is a standby in /metrics" "llmwatch_read_database_standby 1" "$T/metrics.txt"
q2 "SELECT pg_wal_replay_resume()" >/dev/null
for i in $(seq 1 50); do cl_caught_up && break; sleep 0.1; done
page "$WEB1_PORT" /alerts "$T/lag2.out" >/dev/null
check_not_contains "no banner once caught up" "behind the primary" "$T/lag2.out"

# ==== 2. sessions, CSRF and the cache across the web processes ====
phase "2. two web processes"
page "$WEB1_PORT" /silences/new "$T/form.html" >/dev/null
token=$(csrf_from "$T/form.html")
code=$(curl -s -b "$T/a.jar" -o "$T/post.html" -w '%{http_code}' --data-urlencode "csrf_token=$token" \
    --data-urlencode "rule=High Latency" --data-urlencode "model=cl-01" --data-urlencode "duration=1h" --data-urlencode "comment=cluster" \
    "http://127.0.0.1:$WEB2_PORT/silences/new")
check_eq "a form from web1 is accepted by web2 (session and CSRF in the database)" "303" "$code"
check_eq "the silence was written on the primary" "1" "$(q1 "SELECT count(*) FROM silences WHERE comment = 'cluster'")"
for p in "$WEB1_PORT" "$WEB2_PORT"; do page "$p" / "$T/c.out" >/dev/null; page "$p" / "$T/c.out" >/dev/null; done
check_eq "web2 serves / from its cache" "hit" "$(hdr "$T/c.out.h" X-Llmwatch-Cache)"
q1 "UPDATE models SET sla_target_ms = 9000 WHERE id = $MODEL"
sleep 0.5
for i in $(seq 1 50); do cl_caught_up && break; sleep 0.1; done
page "$WEB1_PORT" / "$T/c1.out" >/dev/null
page "$WEB2_PORT" / "$T/c2.out" >/dev/null
check_eq "a change invalidates web1's cache" "miss" "$(hdr "$T/c1.out.h" X-Llmwatch-Cache)"
check_eq "a change invalidates web2's cache" "miss" "$(hdr "$T/c2.out.h" X-Llmwatch-Cache)"

# ==== 3. two worker hosts; one killed in the middle of a cycle ====
phase "3. two worker hosts"
cl_worker_start w1 "$T/config.yaml"
cl_worker_start w2 "$T/config.yaml"
killed=""
for i in $(seq 1 300); do
    # both hosts hold leases of one slot, w1 still has some to write
    if [ "$(q1 "SELECT count(DISTINCT host) = 2 AND bool_or(host = 'w1' AND done_at IS NULL)
               FROM probe_leases WHERE slot = (SELECT max(slot) FROM probe_leases) AND host IS NOT NULL")" = t ]; then
        KSLOT=$(q1 "SELECT extract(epoch FROM max(slot))::bigint FROM probe_leases")
        cl_worker_kill w1
        killed=1
        break
    fi
    sleep 0.1
done
check_eq "w1 killed (-9) while it held leases of a slot" "1" "$killed"
# that slot and the next one finish without w1
for i in $(seq 1 300); do
    [ "$(q1 "SELECT count(*) FROM job_runs WHERE job = 'probe' AND status = 'ok'
             AND scheduled_for >= to_timestamp(${KSLOT:-0}) + interval '10 seconds'")" -ge 1 ] && break
    sleep 0.1
done
check_eq "the killed host's slot: every model probed" "$N" \
    "$(q1 "SELECT count(*) FROM probe_leases WHERE slot = to_timestamp(${KSLOT:-0}) AND done_at IS NOT NULL")"
check_eq "the killed host's models were taken over by w2" "t" \
    "$(q1 "SELECT count(*) > 0 FROM probe_leases WHERE slot = to_timestamp(${KSLOT:-0}) AND host = 'w2'
           AND attempts > 1")"
check_eq "the killed host's slot is recorded done" "ok" \
    "$(q1 "SELECT status FROM job_runs WHERE job = 'probe' AND scheduled_for = to_timestamp(${KSLOT:-0})")"
# every slot from the first to the last finished one: each model once, every case once
read -r slots bad_slots doubles <<<"$(q1 "WITH s AS (SELECT c.slot, p.model_id, count(*) AS n
      FROM probes p JOIN probe_cycles c ON c.id = p.cycle_id
     WHERE c.slot IS NOT NULL AND c.slot <= (SELECT max(scheduled_for) FROM job_runs WHERE job = 'probe' AND status = 'ok')
     GROUP BY 1, 2)
  SELECT count(DISTINCT slot), (SELECT count(*) FROM (SELECT slot FROM s GROUP BY slot HAVING count(*) <> $N) b),
         count(*) FILTER (WHERE n <> $CASES) FROM s" | tr '|' ' ')"
check "at least two slots probed by the hosts" test "${slots:-0}" -ge 2
check_eq "no slot lost a model" "0" "$bad_slots"
check_eq "no model written twice in a slot" "0" "$doubles"
check_eq "no slot between them was skipped or left running" "0" "$(q1 "SELECT count(*) FROM job_runs
    WHERE job = 'probe' AND status <> 'ok' AND scheduled_for BETWEEN
      (SELECT min(slot) FROM probe_cycles) AND (SELECT max(scheduled_for) FROM job_runs WHERE job = 'probe' AND status = 'ok')")"
check_eq "job_runs names the host that claimed each slot" "0" \
    "$(q1 "SELECT count(*) FROM job_runs WHERE job = 'probe' AND host NOT IN ('w1', 'w2')")"
check_eq "probe cycles name their host and slot" "0" \
    "$(q1 "SELECT count(*) FROM probe_cycles WHERE slot IS NOT NULL AND host NOT IN ('w1', 'w2')")"
# (a slot that has just begun has no model done yet: it names its claimer alone)
for i in $(seq 1 50); do
    "$BIN/llmwatch" status --config "$T/config.yaml" --database "$CL_DB_URL" >"$T/status.out" 2>&1
    grep -Eq "last run .* on w[12] \([0-9]+ models\)" "$T/status.out" && break
    sleep 0.3
done
check "llmwatch status names the worker hosts that shared the last probe slot" \
    grep -Eq "last run .* on w[12] \([0-9]+ models\)" "$T/status.out"
cl_worker_start w1 "$T/config.yaml"

# ==== 4. failover ====
phase "4. failover"
q1 "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at, value, threshold)
    SELECT r.id, $MODEL, 1, 'warning', 'firing', now(), now(), 3.41, 3.0 FROM rules r WHERE r.name = 'High Latency'"
ALERT=$(q1 "SELECT max(id) FROM alerts")
# outbox N: N notifications of the alert to the webhook, due now (as evaluate writes them)
outbox() {
    cl_psql "$1" "WITH ev AS (INSERT INTO alert_events (alert_id, from_state, to_state, value)
        SELECT $ALERT, 'pending', 'firing', 3.41 FROM generate_series(1, $2) RETURNING id)
      INSERT INTO notifications (alert_event_id, channel_id, kind, payload, idempotency_key)
      SELECT ev.id, c.id, 'alert', jsonb_build_object('group_key', 'eval:' || ev.id, 'channel', c.name,
          'channel_type', c.type, 'status', 'firing', 'title', '[FIRING:1] High Latency', 'count', 1,
          'alerts', jsonb_build_array(jsonb_build_object('alert_id', $ALERT, 'event_id', ev.id,
            'rule', 'High Latency', 'model', 'cl-01', 'environment', 'production', 'severity', 'warning',
            'state', 'firing', 'value', 3.41, 'threshold', 3.0, 'summary', 'value 3.41 s > 3.00 s'))),
        'cluster-' || ev.id FROM ev, channels c WHERE c.name = 'hook'"
}
outbox "$PG1_PORT" 5
for i in $(seq 1 50); do cl_caught_up && break; sleep 0.1; done
T0=$(date +%s.%N)
cl_node_stop primary && ok "primary stopped (pg_ctl stop -m fast)" || fail "primary stop"
: >"$T/codes"
promoted=0
for i in $(seq 1 400); do
    now=$(date +%s.%N)
    c1=$(curl -s -b "$T/a.jar" -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/alerts")
    c2=$(curl -s -b "$T/a.jar" -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/")
    echo "$now $c1 $c2" >>"$T/codes"
    if [ "$promoted" = 0 ] && awk -v a="$T0" -v b="$now" 'BEGIN { exit !(b - a > 2) }'; then
        cl_promote && promoted=1 && TP=$(date +%s.%N)
    fi
    # done after 3 s of 200s following the promotion
    if [ "$promoted" = 1 ] && awk -v a="$TP" -v b="$now" 'BEGIN { exit !(b - a > 3) }' \
        && [ "$(tail -8 "$T/codes" | awk '$2 != 200 || $3 != 200' | wc -l)" = 0 ]; then
        break
    fi
    sleep 0.2
done
check_eq "standby promoted" "f" "$(q2 "SELECT pg_is_in_recovery()")"
read -r first last n503 <<<"$(awk '$2 != 200 || $3 != 200 { if (!f) f = $1; l = $1; n++ }
    END { printf "%s %s %d\n", f ? f : 0, l ? l : 0, n }' "$T/codes")"
WINDOW=$(awk -v f="$first" -v l="$last" -v tp="${TP:-0}" -v t0="$T0" 'BEGIN {
    if (f == 0) print "0.0 (no request failed)"; else printf "%.1f s (from %.1f s after the stop to %.1f s after it; promoted at %.1f s)", l - f + 0.2, f - t0, l - t0, tp - t0 }')
echo "# failover: pages answered 503 for $WINDOW"
check "pages answer 200 again after the promotion" test "$(tail -1 "$T/codes" | awk '{print $2 $3}')" = 200200
check "the 503 window ends within 30 s of the promotion" awk -v l="$last" -v tp="${TP:-0}" \
    'BEGIN { exit !(l == 0 || l - tp < 30) }'
check_eq "non-200 answers are 503, never another error" "" \
    "$(awk '{ for (i = 2; i <= 3; i++) if ($i != 200 && $i != 503) print $i }' "$T/codes" | sort -u | tr '\n' ' ')"
outbox "$PG2_PORT" 5
for i in $(seq 1 300); do
    [ "$(q2 "SELECT count(*) FROM notifications WHERE status = 'sent'")" = 10 ] && break
    sleep 0.2
done
check_eq "every notification due around the failover is sent" "10" \
    "$(q2 "SELECT count(*) FROM notifications WHERE status = 'sent'")"
$PY - "$T/hook.jsonl" >"$T/keys.txt" <<'EOF'
import collections, json, sys
keys = collections.Counter()
for line in open(sys.argv[1]):
    keys[json.loads(line)["headers"].get("Idempotency-Key", "?")] += 1
print(len(keys), sum(keys.values()), sum(1 for k, n in keys.items() if n > 1))
EOF
read -r distinct total repeated <"$T/keys.txt"
check_eq "the receiver got 10 distinct notifications" "10" "$distinct"
check_eq "...each exactly once" "10 0" "$total $repeated"
# the workers go on: a slot after the promotion done by both hosts
PSLOT=$(awk -v t="${TP:-0}" 'BEGIN { printf "%d", t + 1 }')
for i in $(seq 1 400); do
    [ "$(q2 "SELECT count(DISTINCT host) FROM probe_slot_hosts WHERE slot > to_timestamp($PSLOT)")" -ge 2 ] && \
    [ "$(q2 "SELECT count(*) FROM job_runs WHERE job = 'probe' AND status = 'ok' AND scheduled_for > to_timestamp($PSLOT)")" -ge 1 ] \
        && break
    sleep 0.1
done
phase "4. the workers after the failover"
check_eq "after the failover a slot is probed by both worker hosts" "2" \
    "$(q2 "SELECT count(DISTINCT host) FROM probe_slot_hosts WHERE slot > to_timestamp($PSLOT)")"
check_eq "...every model of it" "$N" "$(q2 "SELECT count(*) FROM probe_leases WHERE done_at IS NOT NULL
    AND slot = (SELECT min(scheduled_for) FROM job_runs WHERE job = 'probe' AND status = 'ok'
                AND scheduled_for > to_timestamp($PSLOT))")"
check "worker w2 was never restarted" kill -0 "$CL_WORKER_w2"
check "web processes were never restarted" kill -0 "$CL_WEB1_PID" "$CL_WEB2_PID"
check "web1 reconnected to the new primary" grep -q "re-established (127.0.0.1:$PG2_PORT)" "$CL/log/web1.log"
finish
