#!/bin/bash
# test.sh: `make test` after the builds. Starts one private PostgreSQL for
# the whole run, then: Check unit suites, integration tests (real nginx,
# llmwatch-web, simulator...), and the same again on the ASan/UBSan build.
# Ends with "N passed, N failed, N skipped"; exits non-zero when anything
# failed. `test.sh --unit` (make check) runs the unit suites of build/ only.
# With LW_TEST_DATABASE_URL set, that server is used instead of a private
# one: if it is down, the database tests fail (they never skip).
set -u
MODE=all
[ "${1:-}" = --unit ] && MODE=unit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
cd "$ROOT"

TMP=$(mktemp -d /tmp/llmwatch-test.XXXXXX)
chmod 755 "$TMP"
export LW_TEST_TMP="$TMP"
export LW_TEST_PG_DIR="$TMP/pg"
export PG_FSYNC=off
export ROOT

cleanup() {
    pg_stop "$LW_TEST_PG_DIR"
    if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

if [ -n "${LW_TEST_DATABASE_URL:-}" ] && [ "$MODE" = unit ]; then
    echo "using LW_TEST_DATABASE_URL for the database tests"
else
    pg_start "$LW_TEST_PG_DIR" || exit 1
    createdb -h "$LW_TEST_PG_DIR/run" -U postgres llmwatch_unit
    export LW_TEST_DATABASE_URL=$(pg_url "$LW_TEST_PG_DIR" llmwatch_unit)
fi

PASSED=0
FAILED=0
SKIPPED=()
FAILURES=()
T_START=$(date +%s.%N)

# seconds since $1 (a `date +%s.%N`), one decimal
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# Check prints "NN%: Checks: N, Failures: F, Errors: E"
unit() {
    local build=$1 out="$TMP/unit-$1.log" t0
    t0=$(date +%s.%N)
    echo "== unit suites ($build) =="
    # CK_FORK: each test in its own process, so one crash is one failure
    "$ROOT/$build/check_all" 2>&1 | tee "$out" | grep -v '^Running suite' | grep -v ':P:' || true
    local line n f e
    line=$(grep -E '^[0-9]+%: Checks: ' "$out" | tail -1)
    if [ -z "$line" ]; then
        FAILED=$((FAILED + 1)); FAILURES+=("unit ($build): runner did not finish")
        return
    fi
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    PASSED=$((PASSED + n - f - e))
    FAILED=$((FAILED + f + e))
    echo "unit suites ($build): $((n - f - e)) passed, $((f + e)) failed in $(since "$t0") s"
    [ $((f + e)) -gt 0 ] && FAILURES+=("unit ($build): $((f + e)) failed")
    if [ -n "$(ls "$TMP"/asan.* 2>/dev/null)" ]; then
        FAILED=$((FAILED + 1)); FAILURES+=("unit ($build): sanitizer reports in $TMP/asan.*")
        cat "$TMP"/asan.* | head -60
    fi
}

# Integration scripts print "ok - ..." / "not ok - ..." lines.
integration() {
    local build=$1 t out t0 secs
    echo "== integration tests ($build) =="
    for t in "$ROOT"/tests/integration/test_*.sh "$ROOT"/tests/sim/test_*.sh; do
        [ -f "$t" ] || continue
        case "$t" in *"$ONLY"*) ;; *) continue ;; esac
        out="$TMP/$(basename "$t" .sh)-$build.log"
        t0=$(date +%s.%N)
        BUILD=$build bash "$t" >"$out" 2>&1
        local rc=$? p f
        secs=$(since "$t0")
        p=$(grep -c '^ok ' "$out")
        f=$(grep -c '^not ok ' "$out")
        PASSED=$((PASSED + p))
        FAILED=$((FAILED + f))
        # a script that died without saying why, or ran nothing, fails too
        if [ "$f" -eq 0 ] && { [ "$rc" -ne 0 ] || { [ "$p" -eq 0 ] && ! grep -q ': skipped' "$out"; }; }; then
            FAILED=$((FAILED + 1))
            f=1
        fi
        if [ "$f" -gt 0 ]; then
            FAILURES+=("$(basename "$t") ($build)")
            echo "--- $(basename "$t") ($build): $p passed, $f failed in $secs s"
            # the failures first: a long log must not push them out
            grep '^not ok ' "$out"
            grep -v '^ok \|^not ok ' "$out" | tail -30
        else
            echo "$(basename "$t") ($build): $p passed in $secs s"
            if grep -q ': skipped' "$out"; then
                SKIPPED+=("$(basename "$t") ($build): $(grep -m1 ': skipped' "$out" | sed 's/.*: skipped *//')")
            fi
        fi
    done
}

export ASAN_OPTIONS="log_path=$TMP/asan:detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="log_path=$TMP/asan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"

# LW_TEST_BUILDS="build" runs only the plain build (for quick iterations);
# `make test` runs both.
ONLY=${LW_TEST_ONLY:-}   # a substring of the integration scripts to run
if [ "$MODE" = unit ]; then
    unit build
else
    for b in ${LW_TEST_BUILDS:-build build-san}; do
        [ -z "$ONLY" ] && unit "$b"     # LW_TEST_ONLY: those scripts alone
        integration "$b"
    done
fi
if [ -n "$(ls "$TMP"/asan.* 2>/dev/null)" ]; then
    FAILED=$((FAILED + 1)); FAILURES+=("sanitizer reports (see below)")
    for f in "$TMP"/asan.*; do echo "== $f"; head -60 "$f"; done
fi

echo
if [ "$FAILED" -gt 0 ]; then
    echo "Failed:"
    printf '  %s\n' "${FAILURES[@]}"
fi
if [ "${#SKIPPED[@]}" -gt 0 ]; then
    echo "Skipped:"
    printf '  %s\n' "${SKIPPED[@]}"
fi
echo "$PASSED passed, $FAILED failed, ${#SKIPPED[@]} skipped in $(since "$T_START") s"
[ "$FAILED" -eq 0 ]
