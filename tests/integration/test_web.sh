#!/bin/bash
# test_web.sh: the web shell through nginx: health, login, roles, CSRF,
# error statuses, body cap, escaping of hostile names on every page; the
# commands the pages tell people to run exist.
. "$(dirname "$0")/lib.sh"

stack_start "$ROOT/tests/integration/fixtures/hostile.yaml" || { fail "stack start"; finish; exit 1; }

# health
check_eq "healthz answers ok" "ok" "$(curl -s "$BASE/healthz")"
check_eq "healthz is 200" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"

# anonymous
check_eq "dashboard redirects anonymous users to login" "303" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")"
check_eq "login page is served" "200" "$(curl -s -o "$T/l.html" -w '%{http_code}' "$BASE/login")"
check_contains "login page has a CSRF field" 'name="csrf_token"' "$T/l.html"
check_eq "unknown path is 404" "404" "$(curl -s -o "$T/404.html" -w '%{http_code}' "$BASE/no/such/page")"
check_eq "static CSS served by nginx" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/static/llmwatch.css")"

# wrong password: form again with the error, email kept
curl -s -c "$T/bad.jar" -b "$T/bad.jar" "$BASE/login" -o "$T/l2.html"
tok=$(csrf_from "$T/l2.html")
code=$(curl -s -c "$T/bad.jar" -b "$T/bad.jar" -o "$T/badlogin.html" -w '%{http_code}' \
    --data-urlencode "email=admin@example.com" --data-urlencode "password=wrong" \
    --data-urlencode "csrf_token=$tok" "$BASE/login")
check "wrong password is refused" test "$code" != 303
check_contains "wrong password keeps the email in the form" 'value="admin@example.com"' "$T/badlogin.html"
check_not_contains "wrong password sets no session" "lw_session" "$T/bad.jar"

# login without CSRF token
code=$(curl -s -o /dev/null -w '%{http_code}' --data "email=admin@example.com&password=pw-admin-0123456789" \
    "$BASE/login")
check_eq "login POST without CSRF token is 403" "403" "$code"

# admin
if login admin@example.com pw-admin-0123456789 "$T/admin.jar"; then ok "admin logs in"; else fail "admin logs in"; fi
check_eq "dashboard 200 for admin" "200" "$(get "$T/admin.jar" / "$T/dash.html")"
check_contains "dashboard lists gpt-4" "gpt-4" "$T/dash.html"
check_contains "dashboard shows the hostile model name escaped" "&lt;script&gt;alert(1)&lt;/script&gt;" "$T/dash.html"
check_contains "cookie is HttpOnly" "#HttpOnly_" "$T/admin.jar"

# every page: 200 for admin and no raw markup from the config
pages="/ /alerts /rules /silences /channels /budgets /sla /reports /admin/users /admin/audit"
model_id=$(psql_test -c "SELECT id FROM models WHERE name = '<script>alert(1)</script>'")
pages="$pages /models/$model_id"
for p in $pages; do
    code=$(get "$T/admin.jar" "$p" "$T/page.html")
    check_eq "admin GET $p is 200" "200" "$code"
    if grep -q '<script>alert\|<img src=x\|<i>mail</i>' "$T/page.html"; then
        fail "page $p contains unescaped config values"
    else
        ok "page $p escapes config values"
    fi
done
curl -s -b "$T/admin.jar" "$BASE/metrics" -o "$T/metrics.txt"
if command -v promtool >/dev/null; then
    check "metrics pass promtool check" sh -c "promtool check metrics < '$T/metrics.txt'"
fi

# CSRF: a POST with a session but a wrong token
code=$(curl -s -b "$T/admin.jar" -o /dev/null -w '%{http_code}' --data "csrf_token=forged" "$BASE/logout")
check_eq "POST with a forged CSRF token is 403" "403" "$code"
code=$(curl -s -b "$T/admin.jar" -o /dev/null -w '%{http_code}' -X POST "$BASE/logout")
check_eq "POST without a CSRF token is 403" "403" "$code"

# method not allowed
code=$(curl -s -b "$T/admin.jar" -o /dev/null -D "$T/405.h" -w '%{http_code}' -X DELETE "$BASE/")
check_eq "DELETE / is 405" "405" "$code"
check "405 carries an Allow header" grep -qi '^allow:' "$T/405.h"

# body over the cap (1 MiB)
head -c 1200000 /dev/zero | tr '\0' 'a' >"$T/big.txt"
code=$(curl -s -b "$T/admin.jar" -o /dev/null -w '%{http_code}' --data-binary @"$T/big.txt" \
    -H 'Content-Type: application/x-www-form-urlencoded' "$BASE/logout")
check_eq "body over 1 MiB is 413" "413" "$code"

# roles
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" && ok "viewer logs in" || fail "viewer logs in"
check_eq "viewer sees the dashboard" "200" "$(get "$T/viewer.jar" /)"
check_eq "viewer gets 403 on /admin/users" "403" "$(get "$T/viewer.jar" /admin/users "$T/403.html")"
check_contains "403 page explains" "403" "$T/403.html"
login editor@example.com pw-editor-0123456789 "$T/editor.jar" && ok "editor logs in" || fail "editor logs in"
check_eq "editor gets 403 on /admin/users" "403" "$(get "$T/editor.jar" /admin/users)"
login compliance@example.com pw-compliance-0123456789 "$T/comp.jar" && ok "compliance logs in" || fail "compliance logs in"
check_eq "compliance reads the SLA page" "200" "$(get "$T/comp.jar" /sla)"

# logout with the right token ends the session
get "$T/admin.jar" / "$T/dash2.html" >/dev/null
tok=$(csrf_from "$T/dash2.html")
code=$(curl -s -b "$T/admin.jar" -c "$T/admin.jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$tok" "$BASE/logout")
check_eq "logout with token redirects" "303" "$code"
check_eq "after logout the dashboard needs a login again" "303" "$(get "$T/admin.jar" /)"

check_eq "sessions of the logged-out admin are gone" "0" \
    "$(psql_test -c "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'admin@example.com'")"
check "login is audit-logged" test "$(psql_test -c "SELECT count(*) FROM audit_log WHERE action = 'login'")" -ge 4

# every `llmwatch <command>` (and subcommand) a page names exists: the
# commands are those `llmwatch help` lists
"$BIN/llmwatch" help >"$T/help.txt" 2>&1
for w in $(grep -oh 'llmwatch [a-z][a-z-]*' "$ROOT"/templates/*.cs | cut -d' ' -f2 | sort -u); do
    check "the pages name an existing command: llmwatch $w" grep -q "^  llmwatch $w\( \|\$\)" "$T/help.txt"
done
grep -oh 'llmwatch \(baseline\|user\|alerts\) [a-z][a-z-]*' "$ROOT"/templates/*.cs | sort -u >"$T/subs.txt"
while read -r _ c sub; do
    check "the pages name an existing subcommand: llmwatch $c $sub" \
        grep -q "^  llmwatch $c \(.*[ |]\)\?$sub\( \|\$\)" "$T/help.txt"
done <"$T/subs.txt"
check "the pages name subcommands (baseline create, user add)" test "$(wc -l <"$T/subs.txt")" -ge 2

web_stop
check_eq "llmwatch-web exits 0 on SIGTERM" "0" "$WEB_STATUS"
check "socket removed on exit" test ! -e "$T/web.sock"
finish
