#!/bin/bash
# test_cache.sh: the page cache of llmwatch-web (app/cache.c). A second
# request for a page of aggregates is served from the cache with the same
# bytes; a write to the data under it (probes, models, alerts...) makes the
# next request compute it again with the new figures; roles do not share
# entries; nothing per user (email, CSRF token) is ever taken from another
# user's entry; /metrics shows the counters; with the database restarted
# the cache comes back by itself.
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
login viewer@example.com pw-viewer-0123456789 "$T/v.jar" || fail "viewer logs in"
login admin@example.com pw-admin-0123456789 "$T/a.jar" || fail "admin logs in"
login editor@example.com pw-editor-0123456789 "$T/e.jar" || fail "editor logs in"

# how a page was served: hit, stale, miss or bypass
how() {   # JAR PATH OUT
    curl -s -b "$1" -D "$3.h" -o "$3" "$BASE$2"
    sed -n 's/^X-Llmwatch-Cache: *\([a-z]*\).*/\1/Ip' "$3.h" | tr -d '\r'
}
# the body without the per-request part (nav with the user and CSRF token)
main_of() { sed -n '/<main/,/<\/main>/p' "$1"; }

mid=$(psql_test -c "SELECT id FROM models ORDER BY id LIMIT 1")
psql_test -c "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, ttft_ms, cost_usd)
              SELECT now() - i * interval '1 minute', m.id, m.environment_id, true, 800 + i, 100, 0.001
              FROM models m, generate_series(1, 30) i" >/dev/null
sleep 0.3
check_eq "a first request computes the page" miss "$(how "$T/v.jar" "/?range=1h" "$T/1.html")"
check_eq "a second one is a cache hit" hit "$(how "$T/v.jar" "/?range=1h" "$T/2.html")"
check "and has the same page" cmp -s <(main_of "$T/1.html") <(main_of "$T/2.html")
check_contains "the hit still shows this user's nav" "viewer@example.com" "$T/2.html"
check_eq "another range is another entry" miss "$(how "$T/v.jar" "/?range=6h" "$T/3.html")"
check_eq "another role is another entry" miss "$(how "$T/a.jar" "/?range=1h" "$T/4.html")"
check_eq "the other role's second request hits" hit "$(how "$T/a.jar" "/?range=1h" "$T/5.html")"
check_contains "with that user's own email" "admin@example.com" "$T/5.html"
check_not_contains "and not the viewer's" "viewer@example.com" "$T/5.html"
csrf_v=$(csrf_from "$T/2.html"); csrf_a=$(csrf_from "$T/5.html")
check "each hit carries its own session's CSRF token" test -n "$csrf_v" -a "$csrf_v" != "$csrf_a"
check_eq "the model page is cached too" hit "$( how "$T/v.jar" "/models/$mid?range=24h" "$T/m0.html" >/dev/null;
                                               how "$T/v.jar" "/models/$mid?range=24h" "$T/m1.html")"

# a write invalidates: new probes must show at once
psql_test -c "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, ttft_ms, cost_usd)
              SELECT now() - interval '30 seconds', m.id, m.environment_id, false, NULL, NULL, 0
              FROM models m" >/dev/null
sleep 0.3
check_eq "after new probes the page is computed again" miss "$(how "$T/v.jar" "/?range=1h" "$T/6.html")"
check "with the new figures" bash -c "! cmp -s <(sed -n '/<main/,/<\/main>/p' '$T/2.html') <(sed -n '/<main/,/<\/main>/p' '$T/6.html')"
check_not_contains "the failed probes count: no model is at 100% success any more" ">100.00%<" "$T/6.html"
check_eq "then it is cached again" hit "$(how "$T/v.jar" "/?range=1h" "$T/7.html")"
psql_test -c "UPDATE models SET sla_target_ms = 1234 WHERE id = $mid" >/dev/null
sleep 0.3
check_eq "a changed model invalidates" miss "$(how "$T/v.jar" "/?range=1h" "$T/8.html")"
check_contains "and the page shows it" "1.23 s" "$T/8.html"

# a page with a flash message or an error is never stored
check_eq "a bad range is not cached" 400 "$(get "$T/v.jar" "/?range=nope" "$T/9.html")"
check_eq "nor the second time" 400 "$(get "$T/v.jar" "/?range=nope" "$T/10.html")"

# the counters
token=$("$BIN/llmwatch" user token --email admin@example.com --name prom --database "$DB_URL" 2>/dev/null | sed -n 2p)
curl -s -H "Authorization: Bearer $token" "$BASE/metrics" -o "$T/metrics.txt"
check "/metrics counts cache hits" grep -qE '^llmwatch_web_cache_requests_total\{outcome="hit"\} [1-9]' "$T/metrics.txt"
check "/metrics counts invalidations" grep -qE '^llmwatch_web_cache_invalidations_total [1-9]' "$T/metrics.txt"
check "/metrics says the cache listens" grep -qE '^llmwatch_web_cache_listening 1$' "$T/metrics.txt"

# identities are remembered for a minute, but a revocation is at once
cp "$T/e.jar" "$T/e-old.jar"
check_eq "the editor's session works" 200 "$(get "$T/e.jar" "/?range=1h" "$T/e1.html")"
check_eq "and again (a remembered identity)" 200 "$(get "$T/e.jar" "/?range=1h" "$T/e2.html")"
curl -s -b "$T/e.jar" -c "$T/e.jar" -o /dev/null --data-urlencode "csrf_token=$(csrf_from "$T/e2.html")" "$BASE/logout"
sleep 0.3
check_eq "after logout the old cookie is refused at once" 303 "$(get "$T/e-old.jar" "/?range=1h" "$T/e3.html")"
check_eq "a disabled user is refused at once" 200 "$(get "$T/v.jar" "/?range=1h" "$T/v1.html")"
psql_test -c "UPDATE users SET disabled = true WHERE email = 'viewer@example.com'" >/dev/null
sleep 0.3
check_eq "the disabled viewer's session no longer works" 303 "$(get "$T/v.jar" "/?range=1h" "$T/v2.html")"
psql_test -c "UPDATE users SET disabled = false WHERE email = 'viewer@example.com'" >/dev/null
check "/metrics counts remembered identities" grep -qE '^llmwatch_web_auth_cache_requests_total\{outcome="hit"\} [1-9]' \
    <(curl -s -H "Authorization: Bearer $token" "$BASE/metrics")
tok2=$("$BIN/llmwatch" user token --email admin@example.com --name rev --database "$DB_URL" 2>/dev/null | sed -n 2p)
check_eq "a new token works" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok2" "$BASE/api/v1/models")"
check_eq "and again" 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok2" "$BASE/api/v1/models")"
psql_test -c "UPDATE api_tokens SET revoked_at = now() WHERE name = 'rev'" >/dev/null
sleep 0.3
check_eq "a revoked token is refused at once" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok2" "$BASE/api/v1/models")"

# the database restarts: the cache reconnects and serves fresh pages again
pg_restart "$LW_TEST_PG_DIR"
for _ in $(seq 1 50); do
    [ "$(how "$T/v.jar" "/?range=1h" "$T/11.html")" = hit ] && break
    sleep 0.2
done
check_eq "after a database restart the cache is back" hit "$(how "$T/v.jar" "/?range=1h" "$T/12.html")"
finish
