#!/bin/bash
# test_dashboard.sh: the dashboard and model pages through nginx on an
# empty database, then on 30 days of backfilled history rolled up by
# `llmwatch maintain`: every range renders its SVG charts with a series
# per model, a bad range is refused, a hostile model name stays escaped
# inside the SVG, the numbers shown are those of the raw probes (also
# for probes newer than the last refresh, and after a backfill is
# replaced), and headless Chromium screenshots for people to look at.
. "$(dirname "$0")/lib.sh"

RANGES="1h 6h 24h 7d 30d 90d"
HOSTILE_SQL="<script>alert(1)</script>"
HOSTILE_HTML="&lt;script&gt;alert(1)&lt;/script&gt;"

stack_start || { fail "stack start"; finish; exit 1; }
login admin@example.com pw-admin-0123456789 "$T/a.jar" || fail "admin logs in"
login viewer@example.com pw-viewer-0123456789 "$T/v.jar" || fail "viewer logs in"
nsvg() { grep -o '<svg' "$1" | wc -l; }
count() { grep -o -- "$1" "$2" | wc -l; }

# ---- an empty database: models, no probe ----
for r in $RANGES; do
    check_eq "empty: / ?range=$r is 200" 200 "$(get "$T/v.jar" "/?range=$r" "$T/e.html")"
    check_eq "empty: / ?range=$r has its five charts" 5 "$(nsvg "$T/e.html")"
done
check_contains "empty: charts say No data" ">No data<" "$T/e.html"
check_contains "empty: no alert history yet" "No alert has fired yet." "$T/e.html"
mid=$(psql_test -c "SELECT id FROM models WHERE name = 'gpt-4'")
check_eq "empty: model page is 200" 200 "$(get "$T/v.jar" "/models/$mid?range=30d" "$T/em.html")"
check_contains "empty: model page says so" "No probe in this range." "$T/em.html"
check_eq "empty: model page has its five charts" 5 "$(nsvg "$T/em.html")"
psql_test -c "UPDATE models SET enabled = false" >/dev/null
check_eq "no model: / is 200" 200 "$(get "$T/v.jar" "/?range=7d" "$T/none.html")"
check_contains "no model: the empty state" "No models are configured yet." "$T/none.html"
check_eq "no model: no chart" 0 "$(nsvg "$T/none.html")"
psql_test -c "UPDATE models SET enabled = true" >/dev/null

# ---- bad ranges are refused (400), never guessed ----
check_eq "?range=2h is 400" 400 "$(get "$T/v.jar" "/?range=2h" "$T/bad.html")"
check_contains "the 400 page names the ranges" "1h, 6h, 24h, 7d, 30d or 90d" "$T/bad.html"
check_eq "?range=<script> on a model is 400" 400 "$(get "$T/v.jar" "/models/$mid?range=%3Cscript%3E" "$T/bad2.html")"
check_not_contains "and not echoed" "<script>" "$T/bad2.html"
check_eq "no range is the default (24h)" 200 "$(get "$T/v.jar" "/" "$T/d.html")"
check_contains "the default range is 24 hours" "Performance &middot; last 24 hours" "$T/d.html"

# ---- 30 days of history, rolled up by the backfill itself ----
psql_test -c "UPDATE models SET name = '$HOSTILE_SQL' WHERE name = 'gemini-1.5-pro'" >/dev/null
hid=$(psql_test -c "SELECT id FROM models WHERE name = '$HOSTILE_SQL'")
"$BIN/llmwatch" backfill --days 30 --database "$DB_URL" >"$T/backfill.out" 2>&1
check_eq "backfill --days 30 exits 0" 0 "$?"
check_eq "1h rollups count every probe, with no job run" "$(psql_test -c "SELECT count(*) FROM probes")" \
    "$(psql_test -c "SELECT sum(count) FROM rollups WHERE resolution = '1h'")"
check_eq "1d rollups count every probe" "$(psql_test -c "SELECT count(*) FROM probes")" \
    "$(psql_test -c "SELECT sum(count) FROM rollups WHERE resolution = '1d'")"
check_eq "5m rollups count every probe of their 8 days" \
    "$(psql_test -c "SELECT count(*) FROM probes WHERE ts >= date_bin('1 day', now() - interval '8 days', TIMESTAMPTZ '2000-01-01')")" \
    "$(psql_test -c "SELECT sum(count) FROM rollups WHERE resolution = '5m'")"
"$BIN/llmwatch" maintain --database "$DB_URL" >"$T/maintain.out" 2>&1
check_eq "maintain exits 0" 0 "$?"
check_eq "rollup cost is the exact probe cost" "$(psql_test -c "SELECT sum(cost_usd) FROM probes")" \
    "$(psql_test -c "SELECT sum(cost_usd) FROM rollups WHERE resolution = '1h'")"
models=$(psql_test -c "SELECT count(*) FROM models WHERE enabled")

for r in $RANGES; do
    t0=$(date +%s%N)
    code=$(get "$T/v.jar" "/?range=$r" "$T/d-$r.html")
    ms=$((($(date +%s%N) - t0) / 1000000))
    echo "# GET /?range=$r: $code in $ms ms"
    check_eq "/ ?range=$r is 200" 200 "$code"
    check_eq "/ ?range=$r: five charts" 5 "$(nsvg "$T/d-$r.html")"
    check_eq "/ ?range=$r: no empty chart" 0 "$(count '>No data<' "$T/d-$r.html")"
    check_eq "/ ?range=$r: a line per model on each time chart" $((3 * models)) \
        "$(count 'class="lw-line"' "$T/d-$r.html")"
    check_eq "/ ?range=$r: a bar per model on each comparison" $((2 * models)) \
        "$(count 'class="lw-bar"' "$T/d-$r.html")"
    for m in gpt-4 claude-3-5-sonnet-20241022 llama-3.1-8b-local; do
        check_contains "/ ?range=$r: $m is in the chart legends" ">$m</text>" "$T/d-$r.html"
    done
    check_contains "/ ?range=$r: the hostile name is escaped inside the SVG" ">$HOSTILE_HTML</text>" "$T/d-$r.html"
    check_not_contains "/ ?range=$r: and never raw" "<script>alert" "$T/d-$r.html"
    check_contains "/ ?range=$r: SLA compliance per model" 'id="sla-table"' "$T/d-$r.html"
    check_not_contains "/ ?range=$r: no inline style (CSP)" 'style=' "$T/d-$r.html"

    code=$(get "$T/v.jar" "/models/$mid?range=$r" "$T/m-$r.html")
    check_eq "/models/gpt-4 ?range=$r is 200" 200 "$code"
    check_eq "/models/gpt-4 ?range=$r: five charts" 5 "$(nsvg "$T/m-$r.html")"
    check_contains "/models/gpt-4 ?range=$r: the latency histogram" "lw-histogram" "$T/m-$r.html"
    check_contains "/models/gpt-4 ?range=$r: the SLA target line" 'class="lw-ref"' "$T/m-$r.html"
    check_contains "/models/gpt-4 ?range=$r: p50 and p95 lines" ">p95 total</text>" "$T/m-$r.html"
    code=$(get "$T/v.jar" "/models/$hid?range=$r" "$T/h-$r.html")
    check_eq "/models/hostile ?range=$r is 200" 200 "$code"
    check_not_contains "/models/hostile ?range=$r: never raw" "<script>alert" "$T/h-$r.html"
done
check_contains "30d: error classes of the backfilled incidents" ">timeout</text>" "$T/m-30d.html"

# The table shows what the raw probes say. 7d: hourly steps, the window
# ends at the end of the current hour.
win="date_bin('1 hour', now(), TIMESTAMPTZ '2000-01-01') + interval '1 hour'"
table_probes() {   # the Probes cell of gpt-4's row in the SLA table
    tr -d '\n' <"$1" | sed 's/<tr>/\n<tr>/g' | grep '>gpt-4</a>' | sed -n 's/.*<td class="num">\([0-9]*\)<\/td>.*/\1/p' | head -1
}
raw7d() { psql_test -c "SELECT count(*) FROM probes WHERE model_id = $mid AND ts >= $win - interval '7 days'"; }
get "$T/v.jar" "/?range=7d" "$T/d7.html" >/dev/null
check_eq "7d: the probe count shown is the raw count" "$(raw7d)" "$(table_probes "$T/d7.html")"

# probes written now count at once (their statement rolled them up)
psql_test -c "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd)
              SELECT now() - i * interval '1 minute', id, environment_id, true, 1500, 0.25
              FROM models, generate_series(1, 5) i WHERE id = $mid" >/dev/null
get "$T/v.jar" "/?range=7d" "$T/d7b.html" >/dev/null
check_eq "7d: the probes just written are counted" "$(raw7d)" "$(table_probes "$T/d7b.html")"

# a backfill replaced by a shorter one: the rollups follow the deletes
"$BIN/llmwatch" backfill --days 3 --database "$DB_URL" >"$T/backfill3.out" 2>&1
check_eq "backfill --days 3 exits 0" 0 "$?"
check_eq "1h rollups follow the replaced backfill" "$(psql_test -c "SELECT count(*) FROM probes")" \
    "$(psql_test -c "SELECT sum(count) FROM rollups WHERE resolution = '1h'")"
check_eq "nothing older than the new backfill is left in the rollups" 0 \
    "$(psql_test -c "SELECT count(*) FROM rollups WHERE bucket_start < now() - interval '4 days'")"
get "$T/v.jar" "/?range=7d" "$T/d7c.html" >/dev/null
check_eq "7d after the replace: the raw count" "$(raw7d)" "$(table_probes "$T/d7c.html")"
"$BIN/llmwatch" backfill --days 30 --database "$DB_URL" >/dev/null 2>&1
"$BIN/llmwatch" maintain --database "$DB_URL" >/dev/null 2>&1

# an alert in the history, linked
psql_test -c "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at)
              SELECT r.id, $mid, m.environment_id, 'warning', 'firing', now() - interval '2 hours',
                     now() - interval '1 hour' FROM rules r, models m WHERE m.id = $mid ORDER BY r.id LIMIT 1;
              INSERT INTO alert_events (alert_id, at, from_state, to_state)
              SELECT id, started_at, 'ok', 'pending' FROM alerts;
              INSERT INTO alert_events (alert_id, at, from_state, to_state)
              SELECT id, fired_at, 'pending', 'firing' FROM alerts" >/dev/null
aid=$(psql_test -c "SELECT max(id) FROM alerts")
get "$T/v.jar" "/" "$T/d-alert.html" >/dev/null
check_contains "the alert history links the alert" "href=\"/alerts/$aid\"" "$T/d-alert.html"
check_eq "both events are listed" 2 "$(count "href=\"/alerts/$aid\"" "$T/d-alert.html")"

# ---- the browser: screenshots to look at ----
if command -v chromedriver >/dev/null && [ -x /usr/bin/chromium ]; then
    SHOTS=${LW_SCREENSHOTS:-$T}
    cat >"$T/shots.py" <<'EOF'
import os, sys, time
sys.path.insert(0, sys.argv[1])
from webdriver import Browser
base, shots, mid = sys.argv[2], sys.argv[3], sys.argv[4]
with Browser(width=1400, height=1000) as b:
    b.get(base + "/login")
    b.fill("input[name=email]", "viewer@example.com")
    b.fill("input[name=password]", "pw-viewer-0123456789")
    b.click("button[type=submit]")
    for _ in range(50):
        if "/login" not in b.url():
            break
        time.sleep(0.1)
    for name, path in (("dashboard-24h", "/?range=24h"), ("dashboard-7d", "/?range=7d"),
                       ("model-30d", "/models/%s?range=30d" % mid)):
        b.get(base + path)
        # the range picker works by plain links: follow one on the first page
        h = b._s("POST", "/execute/sync", {"script": "return document.documentElement.scrollHeight", "args": []})
        b._s("POST", "/window/rect", {"width": 1400, "height": min(int(h) + 140, 5000)})
        time.sleep(0.3)
        svgs = len(b.find_all("figure svg"))
        out = os.path.join(shots, "llmwatch-%s.png" % name)
        b.screenshot(out)
        print("%s %d %s" % (name, svgs, out))
    b._s("POST", "/window/rect", {"width": 1400, "height": 1000})
    b.get(base + "/?range=24h")
    b.click(".range-picker a[href='/?range=30d']")
    time.sleep(0.3)
    print("clicked %s" % b.url())
EOF
    if /usr/bin/python3 "$T/shots.py" "$ROOT/tests/integration" "$BASE" "$SHOTS" "$mid" >"$T/browser.log" 2>&1; then
        ok "Chromium renders the dashboard and a model page"
        check "Chromium: the dashboard shows its 5 charts" grep -q '^dashboard-24h 5 ' "$T/browser.log"
        check "Chromium: the model page shows its 5 charts" grep -q '^model-30d 5 ' "$T/browser.log"
        check "Chromium: the range picker is a link" grep -q '^clicked .*range=30d' "$T/browser.log"
        for s in dashboard-24h dashboard-7d model-30d; do
            check "screenshot $s written" test -s "$SHOTS/llmwatch-$s.png"
        done
        sed 's/^/# /' "$T/browser.log"
    else
        fail "Chromium renders the dashboard and a model page"
        cat "$T/browser.log"
    fi
else
    echo "# chromium or chromedriver missing: screenshots skipped"
fi

finish
