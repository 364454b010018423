#!/bin/bash
# test_status.sh: the public status page. /status renders without a
# session for the models marked status_page: true only, shows no endpoint,
# key or cost, has 90 daily bars per model and the incidents of the alert
# history with their timeline; /status.json is its twin (the HTML shows
# exactly what the JSON says); both are cacheable and nginx caches them.
. "$(dirname "$0")/lib.sh"

sed -e 's|^      model: gpt-4$|      model: gpt-4\n      status_page: true|' \
    -e 's|^      model: claude-3-5-sonnet-20241022$|      model: claude-3-5-sonnet-20241022\n      status_page: true|' \
    "$ROOT/monitoring_config.yaml" >"$T/config.yaml"
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }
check_eq "status_page is stored from the config" "claude-3-5-sonnet-20241022,gpt-4" \
    "$(psql_test -c "SELECT string_agg(name, ',' ORDER BY name) FROM models WHERE status_page")"
"$BIN/llmwatch" backfill --database "$DB_URL" --config "$T/config.yaml" --days 5 --interval 10m \
    >"$T/backfill.out" 2>&1 || { cat "$T/backfill.out"; fail "backfill"; finish; exit 1; }
# an incident on gpt-4 two days ago, one of a cost rule (private) and one on a hidden model
psql_test >/dev/null <<'SQL'
INSERT INTO rules (name, expression) VALUES ('Daily spend', 'daily_cost > 10'), ('Slow answers', 'p95_latency > 2');
WITH a AS (INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at, resolved_at, summary)
    SELECT r.id, m.id, m.environment_id, 'critical', 'resolved', now() - interval '2 days',
           now() - interval '2 days', now() - interval '2 days' + interval '35 minutes', 'value 4.10 s > 2.00 s'
      FROM rules r, models m WHERE r.name = 'Slow answers' AND m.name = 'gpt-4' RETURNING id, started_at, resolved_at)
INSERT INTO alert_events (alert_id, at, from_state, to_state, message)
SELECT id, started_at, NULL, 'firing', 'value 4.10 s > 2.00 s' FROM a
UNION ALL SELECT id, resolved_at, 'firing', 'resolved', 'back' FROM a;
INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, fired_at)
    SELECT r.id, m.id, m.environment_id, 'warning', 'firing', now() - interval '1 hour'
      FROM rules r, models m WHERE r.name = 'Daily spend' AND m.name = 'gpt-4';
INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, fired_at)
    SELECT r.id, m.id, m.environment_id, 'warning', 'firing', now() - interval '1 hour'
      FROM rules r, models m WHERE r.name = 'Slow answers' AND m.name = 'gemini-1.5-pro';
SQL

code=$(curl -s -D "$T/s.h" -o "$T/status.html" -w '%{http_code}' "$BASE/status")
check_eq "/status answers without a session" 200 "$code"
check "it is cacheable by anyone" grep -qi '^cache-control: public, max-age=30' "$T/s.h"
check_not_contains "and not no-store" "no-store" "$T/s.h"
code=$(curl -s -D "$T/j.h" -o "$T/status.json" -w '%{http_code}' "$BASE/status.json")
check_eq "/status.json answers without a session" 200 "$code"
check "the JSON is cacheable too" grep -qi '^cache-control: public' "$T/j.h"
check_contains "gpt-4 is shown" "gpt-4" "$T/status.html"
check_not_contains "a model not marked is not" "gemini-1.5-pro" "$T/status.html"
check_not_contains "nor in the JSON" "gemini-1.5-pro" "$T/status.json"
for f in "$T/status.html" "$T/status.json"; do
    for secret in 127.0.0.1:8090 http:// OPENAI_API_KEY api_key base_url cost '\$' 'Daily spend' 'value 4.10' price; do
        if sed 's|http://www.w3.org/2000/svg||g' "$f" | grep -qi -- "$secret"; then
            fail "$(basename "$f") shows nothing private: '$secret' found"
        else
            ok "$(basename "$f") shows nothing private: no '$secret'"
        fi
    done
done
check "90 daily bars per model" python3 -c '
import re, sys
html = open(sys.argv[1]).read()
sys.exit(0 if len(re.findall(r"<rect ", html)) == 180 else 1)' "$T/status.html"
check_contains "the incident is listed" "Slow answers" "$T/status.html"
check_contains "with its timeline" "resolved</li>" "$T/status.html"

# the twin: everything the JSON says is what the HTML shows
python3 - "$T/status.json" "$T/status.html" <<'PY'
import html as h, json, re, sys
# numbers as written (100.000, not 100.0)
d = json.load(open(sys.argv[1]), parse_float=str); page = open(sys.argv[2]).read()
assert d["days"] == 90 and len(d["models"]) == 2, "two models, 90 days"
for m in d["models"]:
    assert len(m["days"]) == 90, m["name"]
    sec = page.split('<section class="card status-model"')[1 + d["models"].index(m)]
    assert h.escape(m["name"]) in sec and m["state"] in sec, m["name"]
    if m["availability_pct"] is not None:
        assert ("%s%%" % m["availability_pct"]) in sec, m["availability_pct"]
    titles = re.findall(r"<title>([^<]*)</title>", sec)
    assert len(titles) == 90
    for day, t in zip(m["days"], titles):
        want = day["date"] + ": " + (("%s%% available" % day["availability_pct"]) if day["availability_pct"] is not None else "no data")
        assert t == want, (t, want)
assert [i["title"] for i in d["incidents"]] == ["Slow answers"], d["incidents"]
inc = d["incidents"][0]
assert [e["state"] for e in inc["timeline"]] == ["firing", "resolved"]
for e in inc["timeline"]:
    assert "%s: %s" % (e["at"], e["state"]) in page
assert inc["fired_at"] in page and inc["resolved_at"] in page
PY
check_eq "the HTML shows what the JSON says" 0 "$?"

# nginx keeps it: the second request is a cache hit
curl -s -o /dev/null -D "$T/n1.h" "$BASE/status"
curl -s -o /dev/null -D "$T/n2.h" "$BASE/status"
check "nginx serves /status from its cache" grep -qi '^x-cache-status: HIT' "$T/n2.h"
finish
