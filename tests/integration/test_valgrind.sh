#!/bin/bash
# test_valgrind.sh: llmwatch-web under valgrind across 1,000 requests of
# every kind: no memory error, nothing definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"

if [ "$BUILD" != build ] || ! command -v valgrind >/dev/null; then
    echo "$TEST_NAME: skipped (runs once, on the plain build, with valgrind installed)"
    finish; exit $?
fi
stack_start "$ROOT/tests/integration/fixtures/hostile.yaml" || { fail "stack start"; finish; exit 1; }
web_stop
web_start valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$T/vg.log"
wait_for_http "$BASE/healthz" 60
login admin@example.com pw-admin-0123456789 "$T/a.jar" || fail "login under valgrind"
mid=$(psql_test -c "SELECT min(id) FROM models")
n=0
for round in $(seq 1 100); do
    for path in / /healthz /login /models/$mid /sla /rules/new /alerts /silences/new /admin/audit /metrics; do
        curl -s -o /dev/null -b "$T/a.jar" "$BASE$path"
        n=$((n + 1))
    done
done
check_eq "1,000 requests made" "1000" "$n"
# and the pages behind the other routes once each, POSTs included
for path in /rules /channels /silences /budgets /reports /admin/users /no/such/page; do
    curl -s -o /dev/null -b "$T/a.jar" "$BASE$path"
done
get "$T/a.jar" /rules/new "$T/new.html" >/dev/null
tok=$(csrf_from "$T/new.html")
for action in preview save; do
    curl -s -o /dev/null -b "$T/a.jar" --data-urlencode "csrf_token=$tok" --data-urlencode "name=vg rule" \
        --data-urlencode "kind=threshold" --data-urlencode "severity=warning" \
        --data-urlencode "condition=avg_latency > sla_target * (1.5" --data-urlencode "action=$action" \
        "$BASE/rules/new"
    curl -s -o /dev/null -b "$T/a.jar" --data-urlencode "csrf_token=$tok" --data-urlencode "name=vg rule" \
        --data-urlencode "kind=threshold" --data-urlencode "severity=warning" \
        --data-urlencode "condition=avg_latency > sla_target * 1.5" --data-urlencode "action=$action" \
        "$BASE/rules/new"
done
curl -s -o /dev/null -b "$T/a.jar" --data "csrf_token=bad" "$BASE/logout"
web_stop
check_eq "valgrind: no errors, no definite or indirect leak (exit status)" "0" "$WEB_STATUS"
if grep -q "definitely lost: [1-9]\|indirectly lost: [1-9]\|Invalid \(read\|write\)" "$T/vg.log"; then
    fail "valgrind log reports leaks or invalid accesses"; sed -n 1,40p "$T/vg.log"
else
    ok "valgrind log is clean"
fi
finish
