#!/bin/bash
# test_db_restart.sh: llmwatch-web survives a PostgreSQL restart without
# being restarted itself, and says 503 while the database is away.
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
login admin@example.com pw-admin-0123456789 "$T/a.jar" && ok "admin logs in" || fail "admin logs in"
# warm every thread's connection
for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null -b "$T/a.jar" "$BASE/"; done
check_eq "dashboard before restart" "200" "$(get "$T/a.jar" /)"

pg_restart "$LW_TEST_PG_DIR" && ok "pg_ctl restart" || fail "pg_ctl restart"
codes=""
for i in 1 2 3 4 5 6 7 8; do codes="$codes $(get "$T/a.jar" /)"; done
check_eq "every request after the restart succeeds" " 200 200 200 200 200 200 200 200" "$codes"
check_eq "healthz after restart" "ok" "$(curl -s "$BASE/healthz")"

as_pg "$PGBIN/pg_ctl" -D "$LW_TEST_PG_DIR/data" -w -m fast stop >/dev/null
check_eq "healthz is 503 while the database is down" "503" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
check_eq "pages are 503 while the database is down" "503" "$(get "$T/a.jar" /)"
pg_start "$LW_TEST_PG_DIR" && ok "database back" || fail "database back"
check_eq "healthz ok again" "ok" "$(curl -s "$BASE/healthz")"
check_eq "session still valid after the outage" "200" "$(get "$T/a.jar" /)"
check "web process never restarted" kill -0 "$WEB_PID"
finish
