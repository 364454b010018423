#!/bin/bash
# test_api.sh: the JSON API through nginx with tokens made on the tokens
# page: an admin creates one (shown once), it reads the API, its last use
# is shown, a token never exceeds its user's role, revoking it refuses it
# at once; errors name the field; the OpenAPI document is served.
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
"$BIN/llmwatch" backfill --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" --days 1 \
    --interval 10m >"$T/backfill.out" 2>&1 || { cat "$T/backfill.out"; fail "backfill"; finish; exit 1; }

login admin@example.com pw-admin-0123456789 "$T/admin.jar" && ok "admin logs in" || fail "admin logs in"
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" && ok "viewer logs in" || fail "viewer logs in"
check_eq "viewer may not see the tokens page" 403 "$(get "$T/viewer.jar" /admin/tokens)"
check_eq "admin sees the tokens page" 200 "$(get "$T/admin.jar" /admin/tokens "$T/tokens.html")"
csrf=$(csrf_from "$T/tokens.html")
viewer_id=$(psql_test -c "SELECT id FROM users WHERE email = 'viewer@example.com'")

# a token above its user's role is refused
code=$(curl -s -b "$T/admin.jar" -o "$T/t1.html" -w '%{http_code}' --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "name=too much" --data-urlencode "role=admin" --data-urlencode "user=$viewer_id" \
    "$BASE/admin/tokens")
check_eq "an admin token for a viewer is refused" 422 "$code"
check_contains "and says why" "never has more rights than its user" "$T/t1.html"

# a viewer token for grafana, shown once
code=$(curl -s -b "$T/admin.jar" -o "$T/t2.html" -w '%{http_code}' --data-urlencode "csrf_token=$csrf" \
    --data-urlencode "name=grafana" --data-urlencode "role=viewer" --data-urlencode "user=$viewer_id" \
    "$BASE/admin/tokens")
check_eq "a viewer token is created" 200 "$code"
TOKEN=$(sed -n 's/.*<code class="secret">\([^<]*\)<.*/\1/p' "$T/t2.html" | head -1)
check "the token is shown once" test -n "$TOKEN"
check_eq "only its hash is stored" 0 "$(psql_test -c "SELECT count(*) FROM api_tokens WHERE token_hash = '$TOKEN'")"
check_eq "its creation is audited" 1 "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'api_token' AND action = 'create'")"
get "$T/admin.jar" /admin/tokens "$T/tokens2.html" >/dev/null
check_not_contains "the list does not show it again" "$TOKEN" "$T/tokens2.html"

api() {   # api PATH [TOKEN] -> status, body in $T/api.json
    curl -s -o "$T/api.json" -w '%{http_code}' -H "Authorization: Bearer ${2:-$TOKEN}" "$BASE$1"
}
check_eq "the token reads probes" 200 "$(api '/api/v1/probes?limit=5')"
check_eq "a page of 5" 5 "$(python3 -c 'import json; print(len(json.load(open("'"$T/api.json"'"))["data"]))')"
cursor=$(python3 -c 'import json; print(json.load(open("'"$T/api.json"'"))["next_cursor"])')
check_eq "the next page by cursor" 200 "$(api "/api/v1/probes?limit=5&cursor=$cursor")"
check "the next page starts below the cursor" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]
sys.exit(0 if d and all(p["id"] < int(sys.argv[2]) for p in d) else 1)' "$T/api.json" "$cursor"
mid=$(psql_test -c "SELECT id FROM models WHERE name = 'gpt-4'")
check_eq "measures over a range per hour" 200 "$(api "/api/v1/models/$mid/measures?step=1h")"
check "hourly buckets from the rollups" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if len(d["data"]) >= 20 and d["step_s"] == 3600 and d["data"][0]["probes"] > 0 else 1)' "$T/api.json"
check_eq "alerts" 200 "$(api /api/v1/alerts)"
check_eq "rules" 200 "$(api /api/v1/rules)"
check_eq "silences" 200 "$(api /api/v1/silences)"
check_eq "budgets" 200 "$(api /api/v1/budgets)"
check_eq "a viewer token may not read the SLA (compliance)" 403 "$(api /api/v1/sla)"
check_eq "a bad parameter is 400" 400 "$(api '/api/v1/probes?limit=5000')"
check_contains "naming the field" '"field":"limit"' "$T/api.json"
check_contains "with a code" '"code":"bad_parameter"' "$T/api.json"
check_eq "an unknown path is a JSON 404" 404 "$(api /api/v1/nope)"
check_contains "in the same shape" '"error":{"code":"not_found"' "$T/api.json"

# bad JSON bodies name where they broke
etok=$("$BIN/llmwatch" user token --email editor@example.com --name ci --role editor --database "$DB_URL" | sed -n 2p)
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' -H "Authorization: Bearer $etok" \
    -H 'Content-Type: application/json' --data '{"name": "x",' "$BASE/api/v1/rules")
check_eq "a broken JSON body is 400" 400 "$code"
check_contains "invalid_json" '"code":"invalid_json"' "$T/bad.json"

# last use is shown, revocation is immediate
get "$T/admin.jar" /admin/tokens "$T/tokens3.html" >/dev/null
check "the last use is shown" test "$(psql_test -c "SELECT count(*) FROM api_tokens WHERE name = 'grafana' AND last_used_at IS NOT NULL")" = 1
last=$(psql_test -c "SELECT to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM api_tokens WHERE name = 'grafana'")
check_contains "the page shows when it was last used" "$last UTC" "$T/tokens3.html"
tid=$(psql_test -c "SELECT id FROM api_tokens WHERE name = 'grafana'")
csrf=$(csrf_from "$T/tokens3.html")
check_eq "revoke redirects" 303 "$(curl -s -b "$T/admin.jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$csrf" "$BASE/admin/tokens/$tid/revoke")"
check_eq "a revoked token is refused at once" 401 "$(api /api/v1/probes)"
check_eq "its revocation is audited" 1 "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'api_token' AND action = 'revoke'")"

# the OpenAPI document, without a login
code=$(curl -s -o "$T/openapi.json" -w '%{http_code}' "$BASE/api/v1/openapi.json")
check_eq "the OpenAPI document is served" 200 "$code"
check "it is OpenAPI 3.1 JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["openapi"] == "3.1.0" and "/api/v1/probes" in d["paths"] else 1)' "$T/openapi.json"
finish
