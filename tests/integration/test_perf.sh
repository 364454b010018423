#!/bin/bash
# test_perf.sh: `llmwatch analyze-dashboard-performance` reads what
# llmwatch-web measured of itself: pages by p95 with their request counts,
# the slowest statements from pg_stat_statements (loaded by the test
# cluster), the slow query samples and the EXPLAIN ANALYZE plan of the
# slowest one, run again with its parameters.
. "$(dirname "$0")/lib.sh"

export LLMWATCH_WEB_TIMINGS_FLUSH=1
stack_start || { fail "stack start"; finish; exit 1; }
login viewer@example.com pw-viewer-0123456789 "$T/v.jar" || fail "viewer logs in"
"$BIN/llmwatch" backfill --days 2 --database "$DB_URL" >"$T/backfill.out" 2>&1
check_eq "backfill exits 0" 0 "$?"
for i in 1 2 3 4 5; do get "$T/v.jar" "/?range=7d" >/dev/null; get "$T/v.jar" "/sla" >/dev/null; done
get "$T/v.jar" "/models/1?range=30d" >/dev/null
get "$T/v.jar" "/nowhere" >/dev/null
sleep 2.5
L="$BIN/llmwatch"
$L analyze-dashboard-performance --identify-slow-queries --database "$DB_URL" >"$T/perf.out" 2>&1
check_eq "analyze-dashboard-performance exits 0" 0 "$?"
cat "$T/perf.out"
check_contains "it lists the dashboard" "/ " "$T/perf.out"
check "with the requests it served (5 of /sla at least)" grep -qE '^/sla +[5-9]' "$T/perf.out"
check_contains "and the model page" "/models/{id}" "$T/perf.out"
check_contains "unmatched paths are counted apart" "unmatched" "$T/perf.out"
check_contains "it reads pg_stat_statements" "Slowest statements by mean time (pg_stat_statements" "$T/perf.out"
check "the web app recorded timings" test "$(psql_test -c "SELECT sum(requests) FROM web_timings")" -ge 12
# a slow sample and its plan: a query made slow on purpose
psql_test -c "INSERT INTO web_slow_queries (host, route, ms, sql, params)
              VALUES ('t', '/test', 999, 'SELECT pg_sleep(0.01), \$1::int + 1', '[\"41\"]')" >/dev/null
$L analyze-dashboard-performance --identify-slow-queries --database "$DB_URL" >"$T/perf2.out" 2>&1
check_contains "the slowest sample is shown" "999 ms on /test" "$T/perf2.out"
check_contains "and explained with its parameters" "Plan of the slowest sample" "$T/perf2.out"
check_contains "with the plan's execution time" "Execution Time" "$T/perf2.out"
$L analyze-dashboard-performance --hours 0 --database "$DB_URL" >/dev/null 2>&1
check_eq "--hours 0 is a usage error" 2 "$?"

# one slow statement cannot hold a thread: it is cut at --statement-timeout
web_stop
export LLMWATCH_WEB_STATEMENT_TIMEOUT=300
web_start
psql -X -q -d "$DB_URL" -c "BEGIN; LOCK TABLE rollups IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(20); COMMIT" \
    >/dev/null 2>&1 &
locker=$!
sleep 0.5
code=$(curl -s -b "$T/v.jar" -o "$T/slow.html" -w '%{http_code}' --max-time 15 "$BASE/?range=6h")
check_eq "a page whose statement waits is answered 503, not held" 503 "$code"
check_eq "while /healthz still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/healthz")"
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null
psql_test -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%LOCK TABLE rollups%' AND pid <> pg_backend_pid()" >/dev/null
finish
