#!/bin/bash
# lib.sh: helpers for the integration tests. Each test file sources this,
# calls stack_start (its own database in the harness's PostgreSQL, its own
# llmwatch-web and nginx), runs checks and ends with `finish`.
# Environment from scripts/test.sh: ROOT, BUILD, LW_TEST_PG_DIR, LW_TEST_TMP.
set -u

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
. "$ROOT/scripts/lib.sh"
export LLMWATCH_DATADIR="$ROOT"

TEST_NAME=$(basename "$0" .sh)
T="${LW_TEST_TMP:-/tmp}/$TEST_NAME.$$"
mkdir -p "$T"
chmod 755 "$T"
PASSED=0
FAILED=0
STACK_PIDS=()

ok()   { PASSED=$((PASSED + 1)); echo "ok - $TEST_NAME: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $TEST_NAME: $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
    local d=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi
}
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
# check_contains DESCRIPTION NEEDLE HAYSTACK_FILE
check_contains() {
    if grep -qF -- "$2" "$3"; then ok "$1"; else fail "$1 ('$2' not found in $3)"; fi
}
check_not_contains() {
    if grep -qF -- "$2" "$3"; then fail "$1 ('$2' found in $3)"; else ok "$1"; fi
}

psql_test() {
    psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" "$@"
}

# stack_start [CONFIG]: database, init, users, web, nginx. Sets DB_URL,
# BASE (http://127.0.0.1:PORT), WEB_PID, NGINX_PID.
stack_start() {
    local config=${1:-$ROOT/monitoring_config.yaml}
    DB_NAME="t_${TEST_NAME//[^a-z0-9]/_}_$$"
    DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
    export LLMWATCH_DATABASE_URL="$DB_URL"
    "$BIN/llmwatch" init --database "$DB_URL" --retention-days 30 --config "$config" >"$T/init.out" 2>&1 || {
        echo "init failed:"; cat "$T/init.out"; return 1; }
    for u in admin editor viewer compliance; do
        echo "pw-$u-0123456789" | "$BIN/llmwatch" user add --email "$u@example.com" --role "$u" \
            --database "$DB_URL" >/dev/null || return 1
    done
    web_start
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    nginx_conf "$T/nginx" "$PORT" "$T/web.sock"
    nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' >"$T/nginx.log" 2>&1 &
    NGINX_PID=$!
    STACK_PIDS+=("$NGINX_PID")
    wait_for_http "$BASE/healthz" 20 || { echo "nginx did not come up"; cat "$T/nginx/error.log"; return 1; }
}

# web_start [WRAPPER...]: (re)starts llmwatch-web, optionally under a
# wrapper such as valgrind.
web_start() {
    rm -f "$T/web.sock"
    "$@" "$BIN/llmwatch-web" --socket "$T/web.sock" --threads 4 --database "$DB_URL" \
        --datadir "$ROOT" >>"$T/web.log" 2>&1 &
    WEB_PID=$!
    STACK_PIDS+=("$WEB_PID")
    wait_for_file "$T/web.sock" 60 || { echo "llmwatch-web did not start"; cat "$T/web.log"; return 1; }
    socket_share "$T/web.sock"
}

web_stop() {
    kill -TERM "$WEB_PID" 2>/dev/null
    wait "$WEB_PID" 2>/dev/null
    WEB_STATUS=$?
}

# login EMAIL PASSWORD JAR: logs in with a fresh cookie jar; 0 on success.
login() {
    local jar=$3 token
    rm -f "$jar"
    curl -s -c "$jar" -b "$jar" "$BASE/login" -o "$T/login.html"
    token=$(csrf_from "$T/login.html")
    curl -s -c "$jar" -b "$jar" -o "$T/login-post.html" -w '%{http_code}' \
        --data-urlencode "email=$1" --data-urlencode "password=$2" \
        --data-urlencode "csrf_token=$token" "$BASE/login" >"$T/login.code"
    [ "$(cat "$T/login.code")" = 303 ] && grep -q lw_session "$jar"
}

# csrf_from FILE: the csrf_token hidden field of a page.
csrf_from() {
    sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$1" | head -1
}

# get JAR PATH [OUT]: prints the status code, body to OUT (default $T/body).
get() {
    curl -s -b "$1" -o "${3:-$T/body}" -w '%{http_code}' "$BASE$2"
}

finish() {
    local p
    for p in "${STACK_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${STACK_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    if [ -n "${DB_NAME:-}" ]; then
        psql -X -q -d "$(pg_url "$LW_TEST_PG_DIR" postgres)" \
            -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1
    fi
    echo "$TEST_NAME: $PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
}
