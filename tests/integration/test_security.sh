#!/bin/bash
# test_security.sh: the web's defences through nginx and the CLI: input
# the database would refuse is a 400/404 (never a 503), one password
# policy for `llmwatch user` and the web, "log out everywhere", the Secure
# flag and client address behind a trusted proxy, and throttled password
# guessing (429 with Retry-After, audited).
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
L="$BIN/llmwatch"

# login_token JAR: a fresh login form's CSRF token (the jar gets its cookie)
login_token() {
    rm -f "$1"
    curl -s -c "$1" -b "$1" "$BASE/login" -o "$T/lf.html"
    csrf_from "$T/lf.html"
}
# post_login JAR EMAIL PASSWORD [CURL OPTIONS...]: prints the status; the
# headers go to $T/pl.h, the page to $T/pl.html
post_login() {
    local jar=$1 email=$2 pw=$3 tok
    shift 3
    tok=$(login_token "$jar")
    curl -s -c "$jar" -b "$jar" -D "$T/pl.h" -o "$T/pl.html" -w '%{http_code}' "$@" \
        --data-urlencode "email=$email" --data-urlencode "password=$pw" \
        --data-urlencode "csrf_token=$tok" "$BASE/login"
}

# ---- input the database would refuse: 400 or 404, never 503 ----
tok=$(login_token "$T/anon.jar")
code=$(curl -s -b "$T/anon.jar" -o "$T/utf.html" -w '%{http_code}' \
    --data "email=a%FF@x.io&password=whatever-long&csrf_token=$tok" "$BASE/login")
check_eq "anonymous POST /login with invalid UTF-8 in the email is 400" "400" "$code"
check_contains "the 400 names the field" "email" "$T/utf.html"
code=$(curl -s -b "$T/anon.jar" -o /dev/null -w '%{http_code}' \
    --data "email=a%00b@x.io&password=whatever-long&csrf_token=$tok" "$BASE/login")
check_eq "a NUL (%00) in a form field is 400" "400" "$code"
login admin@example.com pw-admin-0123456789 "$T/admin.jar" && ok "admin logs in" || fail "admin logs in"
check_eq "/rules/3000000000 is 404" "404" "$(get "$T/admin.jar" /rules/3000000000)"
check_eq "/models/3000000000 is 404" "404" "$(get "$T/admin.jar" /models/3000000000)"
check_eq "/alerts/3000000000 (a bigint id) is 404" "404" "$(get "$T/admin.jar" /alerts/3000000000)"
check_eq "/alerts?rule=3000000000 is 400" "400" "$(get "$T/admin.jar" '/alerts?rule=3000000000')"
check_eq "/alerts?model=%FF is 400" "400" "$(get "$T/admin.jar" '/alerts?model=%FF')"
check_eq "/admin/audit?before=x is 400" "400" "$(get "$T/admin.jar" '/admin/audit?before=x')"
get "$T/admin.jar" /rules/new "$T/new.html" >/dev/null
tok=$(csrf_from "$T/new.html")
code=$(curl -s -b "$T/admin.jar" -o "$T/api.json" -w '%{http_code}' -H "X-CSRF-Token: $tok" \
    -H 'Content-Type: application/json' \
    --data '{"name": "a\u0000b", "condition": "error_rate > 0.5"}' "$BASE/api/v1/rules")
check_eq "a NUL (\\u0000) in a JSON field is 400" "400" "$code"
check_contains "the JSON error names the field" "'name'" "$T/api.json"
check_eq "no rule named 'a' was made" "0" "$(psql_test -c "SELECT count(*) FROM rules WHERE name = 'a'")"
if grep -q "database is not reachable" "$T/web.log" "$T"/*.html 2>/dev/null; then
    fail "no bad input answered 'database not reachable'"
else
    ok "no bad input answered 'database not reachable'"
fi

# ---- an API token's writes are audited under its user ----
"$L" user token --email editor@example.com --name ci-bot --database "$DB_URL" >"$T/token.out" 2>&1
token=$(sed -n 2p "$T/token.out")
code=$(curl -s -o "$T/api2.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    --data '{"name": "made by ci", "condition": "error_rate > 0.5"}' "$BASE/api/v1/rules")
check_eq "a token creates a rule" "201" "$code"
check_eq "the token's rule is audited under its user" "editor@example.com (token ci-bot)|t" \
    "$(psql_test -c "SELECT a.actor, a.user_id = u.id FROM audit_log a JOIN users u
                     ON u.email = 'editor@example.com' WHERE a.object_type = 'rule'
                     AND a.after->>'name' = 'made by ci'")"

# ---- one password policy, CLI side ----
n=0
for pw in 12345678 password1234 Password2024! aaaaaaaaaaaaaa weak4@example.com; do
    echo "$pw" | "$L" user add --email "weak$n@example.com" --role viewer --database "$DB_URL" \
        >"$T/weak.out" 2>&1
    check "user add refuses the password '$pw'" test $? -ne 0
    n=$((n + 1))
done
check_contains "the refusal says why" "at least 12 characters" \
    <(echo 1234567 | "$L" user add --email weak@example.com --role viewer --database "$DB_URL" 2>&1)
check_eq "no weak user was created" "0" \
    "$(psql_test -c "SELECT count(*) FROM users WHERE email LIKE 'weak%@example.com'")"
echo "tr0ubadour-and-horse" | "$L" user add --email strong@example.com --role viewer \
    --database "$DB_URL" >/dev/null 2>&1
check_eq "user add takes a good password from standard input" "0" "$?"
echo "12345678" | "$L" user set-password --email strong@example.com --database "$DB_URL" >/dev/null 2>&1
check "set-password refuses a weak one" test $? -ne 0
"$L" help >"$T/help.txt" 2>&1
check_contains "llmwatch help shows user token" "llmwatch user token --email E" "$T/help.txt"
check_contains "llmwatch help says how user add takes its password" "first line of standard input" \
    <("$L" user --help 2>&1)

# ---- log out everywhere ----
login strong@example.com tr0ubadour-and-horse "$T/s1.jar" && ok "first browser logs in" \
    || fail "first browser logs in"
login strong@example.com tr0ubadour-and-horse "$T/s2.jar" && ok "second browser logs in" \
    || fail "second browser logs in"
check_eq "the account page lists the sessions" "200" "$(get "$T/s1.jar" /account "$T/account.html")"
check_contains "the account page offers to log out everywhere" 'action="/logout/everywhere"' \
    "$T/account.html"
tok=$(csrf_from "$T/account.html")
code=$(curl -s -b "$T/s1.jar" -c "$T/s1.jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$tok" "$BASE/logout/everywhere")
check_eq "log out everywhere redirects" "303" "$code"
check_eq "the first browser is logged out" "303" "$(get "$T/s1.jar" /)"
check_eq "the second browser is logged out too" "303" "$(get "$T/s2.jar" /)"
check_eq "logging out everywhere is audited" "1" \
    "$(psql_test -c "SELECT count(*) FROM audit_log WHERE action = 'logout_all'")"

# ---- /admin/users: name@localhost, disable, role, reset, the last admin ----
get "$T/admin.jar" /admin/users "$T/users.html" >/dev/null
tok=$(csrf_from "$T/users.html")
code=$(curl -s -b "$T/admin.jar" -o "$T/created.html" -w '%{http_code}' --data-urlencode "csrf_token=$tok" \
    --data-urlencode "email=ops@localhost" --data-urlencode "role=viewer" "$BASE/admin/users")
check_eq "/admin/users creates ops@localhost" "200" "$code"
check_contains "the generated password is shown once" 'class="secret"' "$T/created.html"
ops=$(psql_test -c "SELECT id FROM users WHERE email = 'ops@localhost'")
admin_id=$(psql_test -c "SELECT id FROM users WHERE email = 'admin@example.com'")
uchange() {
    curl -s -b "$T/admin.jar" -o "$T/uchange.html" -w '%{http_code}' --data-urlencode "csrf_token=$tok" \
        "$@" "$BASE/admin/users/$ops"
}
check_eq "an admin disables a user" "303" "$(uchange --data action=disable)"
check_eq "an admin enables a user again" "303" "$(uchange --data action=enable)"
check_eq "an admin changes a role" "303" "$(uchange --data action=role --data role=editor)"
check_eq "the role is changed" "editor" "$(psql_test -c "SELECT role FROM users WHERE id = $ops")"
check_eq "an admin resets a password (shown once)" "200" "$(uchange --data action=reset)"
check_contains "the new password is on the page" 'class="secret"' "$T/uchange.html"
check_eq "a weak password is refused" "422" "$(uchange --data action=password --data password=12345678)"
check_eq "every change is audited" "4" "$(psql_test -c "SELECT count(*) FROM audit_log
    WHERE object_type = 'user' AND object_id = '$ops' AND action <> 'create'")"
code=$(curl -s -b "$T/admin.jar" -o "$T/last.html" -w '%{http_code}' --data-urlencode "csrf_token=$tok" \
    --data action=disable "$BASE/admin/users/$admin_id")
check_eq "the last active admin cannot be disabled" "409" "$code"
check_contains "the page says why" "last active admin" "$T/last.html"

# ---- behind a trusted proxy: Secure cookie and the client's address ----
code=$(post_login "$T/p0.jar" viewer@example.com pw-viewer-0123456789 -H 'X-Forwarded-Proto: https')
check_eq "login works" "303" "$code"
check "X-Forwarded-Proto from an untrusted address does not make the cookie Secure" \
    sh -c "grep -i '^set-cookie: lw_session=' '$T/pl.h' | grep -qv Secure"
web_stop
LLMWATCH_TRUSTED_PROXIES="192.0.2.1, 127.0.0.1" web_start
code=$(post_login "$T/p1.jar" viewer@example.com pw-viewer-0123456789 -H 'X-Forwarded-Proto: https')
check_eq "login through the trusted proxy works" "303" "$code"
check "the trusted proxy's X-Forwarded-Proto: https makes the cookie Secure" \
    sh -c "grep -i '^set-cookie: lw_session=' '$T/pl.h' | grep -q '; Secure'"

# ---- password guessing: per address, then per account ----
# (the client addresses come from X-Forwarded-For of the trusted proxy)
for i in $(seq 1 12); do
    code=$(post_login "$T/g.jar" admin@example.com "guess-number-$i" -H 'X-Forwarded-For: 203.0.113.5')
    echo "$code $(grep -i '^retry-after:' "$T/pl.h" | tr -d '\r')" >>"$T/guesses"
done
check "the first guesses are plain failures" grep -q '^401 $' "$T/guesses"
check "then a guess earns a delay (Retry-After)" grep -q '^401 Retry-After: [0-9]' "$T/guesses"
check "then guesses are refused with 429 and Retry-After" grep -q '^429 Retry-After: [0-9]' "$T/guesses"
code=$(post_login "$T/g.jar" admin@example.com pw-admin-0123456789 -H 'X-Forwarded-For: 203.0.113.5')
check_eq "the right password from the guessing address waits too" "429" "$code"
check_contains "the 429 page says why" "Too many failed attempts" "$T/pl.html"
code=$(post_login "$T/g2.jar" admin@example.com pw-admin-0123456789 -H 'X-Forwarded-For: 203.0.113.77')
check_eq "the user logs in from another address" "303" "$code"
check "throttling is audited with the address" test "$(psql_test -c "SELECT count(*) FROM audit_log
    WHERE action = 'login_throttled' AND ip = '203.0.113.5'")" -ge 1
check_contains "the README says how to put nginx's limit_req in front" "limit_req_zone" "$ROOT/README.md"

finish
