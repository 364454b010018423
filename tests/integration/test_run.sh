#!/bin/bash
# test_run.sh: `make run`'s script: it starts, serves the login page and the
# dashboard with the configured models, stops cleanly on SIGINT, and a second
# start reuses the same data with no stale socket.
. "$(dirname "$0")/lib.sh"

if [ "$BUILD" != build ]; then
    echo "$TEST_NAME: skipped under the sanitizer build (covered by the plain build)"
    finish; exit $?
fi
export LLMWATCH_VAR="$T/var"
export PORT=$(free_port) SIM_PORT=$(free_port)
unset LLMWATCH_DATABASE_URL OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY
BASE="http://127.0.0.1:$PORT"

start_run() {
    # like a terminal: own process group, SIGINT not ignored (a plain `&`
    # in a script starts it with SIGINT ignored, which no trap can undo)
    /usr/bin/python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$ROOT/scripts/run.sh" >"$T/run$1.out" 2>&1 &
    RUN_PID=$!
    local i=0
    until grep -q "Dashboard: " "$T/run$1.out"; do
        i=$((i + 1))
        if [ $i -gt 1200 ] || ! kill -0 $RUN_PID 2>/dev/null; then
            echo "run.sh did not start:"; cat "$T/run$1.out"; return 1
        fi
        sleep 0.1
    done
}
stop_run() {
    kill -INT -- -$RUN_PID 2>/dev/null || kill -INT $RUN_PID
    wait $RUN_PID
    RUN_STATUS=$?
}

start_run 1 && ok "first start prints the dashboard URL" || fail "first start"
check_contains "URL uses the port" "Dashboard: http://127.0.0.1:$PORT/" "$T/run1.out"
pw=$(cat "$T/var/admin-password")
check_contains "password printed" "$pw" "$T/run1.out"
check_eq "login page served" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/login")"
login admin@localhost "$pw" "$T/a.jar" && ok "printed login works" || fail "printed login works"
get "$T/a.jar" / "$T/dash.html" >/dev/null
for m in gpt-4 claude-3-5-sonnet-20241022 gemini-1.5-pro; do
    check_contains "dashboard lists $m" "$m" "$T/dash.html"
done
DB_URL=$(pg_url "$T/var/pg" llmwatch)
psql -X -q -d "$DB_URL" -c "INSERT INTO settings (key, value) VALUES ('test_marker', 'kept')"
# the scheduler probes at once, then every minute: live data within one interval
n=0
want=$(psql -X -tA -d "$DB_URL" -c "SELECT count(*) FROM models WHERE enabled")
check "the configured models are in the database ($want)" test "$want" -ge 7
for i in $(seq 1 90); do
    n=$(psql -X -tA -d "$DB_URL" -c "SELECT count(DISTINCT model_id) FROM probes")
    [ "$n" = "$want" ] && break
    sleep 1
done
check_eq "every configured model probed within one interval" "$want" "$n"
# the example's tool-calling, refusing and reasoning models show their outcomes
for i in $(seq 1 60); do
    outcomes=$(psql -X -tA -d "$DB_URL" -c "SELECT string_agg(DISTINCT outcome, ' ' ORDER BY outcome) FROM probes
                                            WHERE outcome IN ('tool_call', 'refusal')")
    [ "$outcomes" = "refusal tool_call" ] && break
    sleep 1
done
check_eq "make run shows a tool-calling and a refusing model" "refusal tool_call" "$outcomes"
check_eq "and a reasoning one" t \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT coalesce(bool_or(reasoning_tokens > 0), false) FROM probes")"
get "$T/a.jar" / "$T/dash2.html" >/dev/null
check_not_contains "dashboard shows live probe data" "No probe yet" "$T/dash2.html"
check_eq "probes came from the simulator, not a missing key" "0" \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT count(*) FROM probes WHERE error_class = 'config'")"
check "var/env lets the CLI reach this instance" bash -c ". '$T/var/env' && '$BIN/llmwatch' metrics --hours 1 | grep -q gpt-4"
check_eq "a secret key for the channels page, readable by its owner only" "600" \
    "$(stat -c %a "$T/var/secret-key" 2>/dev/null)"
check "the notifier follows the outbox" grep -q "following the outbox" "$T/var/log/notify.log"
key1=$(cat "$T/var/secret-key" 2>/dev/null)
stop_run
check_eq "Ctrl-C stops with status 0" "0" "$RUN_STATUS"
check "no process left listening" sh -c "! curl -s -o /dev/null --max-time 1 $BASE/healthz"
check "no stale web socket" test ! -e "$T/var/run/web.sock"
check "PostgreSQL stopped" test ! -e "$T/var/pg/data/postmaster.pid"

start_run 2 && ok "second start" || fail "second start"
check_not_contains "second start has no error" "rror" "$T/run2.out"
check_eq "data kept across runs" "kept" \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT value FROM settings WHERE key = 'test_marker'")"
check_eq "same admin password" "$pw" "$(cat "$T/var/admin-password")"
check_eq "same secret key" "$key1" "$(cat "$T/var/secret-key")"
login admin@localhost "$pw" "$T/b.jar" && ok "login after restart" || fail "login after restart"
check_eq "models not duplicated by the second start" "0" "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT count(*) FROM (SELECT name FROM models GROUP BY environment_id, name HAVING count(*) > 1) d")"
stop_run
check_eq "second stop is clean" "0" "$RUN_STATUS"
finish
