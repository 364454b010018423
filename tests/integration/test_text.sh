#!/bin/bash
# test_text.sh: text never promises what does not exist. Every
# `llmwatch COMMAND [SUBCOMMAND]` named in the README, docs/, templates and
# the systemd units is in the binary's command table (`llmwatch help`), and
# every page a template links to is in the web app's route table.
. "$(dirname "$0")/lib.sh"

"$BIN/llmwatch" help >"$T/help" 2>&1
check "llmwatch help lists commands" grep -q '^  llmwatch init' "$T/help"
grep -oE '^\s*\{ "/[^"]*"' "$ROOT/app/routes.c" | sed 's/.*"\(.*\)"/\1/' | sort -u >"$T/routes"
check "the route table was read" test -s "$T/routes"

python3 "$ROOT/tests/integration/check_text.py" "$ROOT" "$T/help" "$T/routes" >"$T/out" 2>&1
cat "$T/out"
PASSED=$((PASSED + $(grep -c '^ok ' "$T/out")))
FAILED=$((FAILED + $(grep -c '^not ok ' "$T/out")))
grep -q '^ok \|^not ok ' "$T/out" || fail "check_text.py printed no result: $(tail -3 "$T/out")"
finish
