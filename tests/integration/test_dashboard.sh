#!/bin/bash
# test_dashboard.sh: the dashboard and model pages through nginx on an
# empty database, then on 30 days of backfilled history rolled up by
# `llmwatch maintain`: every range renders its SVG charts with a series
# per model, a bad range is refused, a hostile model name stays escaped
# inside the SVG, the numbers shown are those of the raw probes (also
# for probes newer than the last refresh, and after a backfill is
# replaced), health and colour agree across pages, auto-refresh and
# custom ranges work, and headless Chromium screenshots at 1440 and 390 px
# (kept in build/screenshots) show no horizontal scroll.
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
check_contains "the default range is 24 hours" "Performance &middot; Last 24 hours" "$T/d.html"

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

# ---- health and colour: the same on every page ----
get "$T/v.jar" "/models/$mid" "$T/m-alert.html" >/dev/null
card() {   # the dashboard card of gpt-4, on one line
    tr -d '\n' <"$1" | sed 's/<article/\n<article/g; s/<\/article>/<\/article>\n/g' | grep 'model-card' | grep '>gpt-4</a>'
}
card "$T/d-alert.html" >"$T/card.html"
check_contains "a firing warning alert makes the card a warning" 'model-card is-warn' "$T/card.html"
check_contains "the card says why" '1 firing alert' "$T/card.html"
nwarn=$(grep -o '[0-9]* warning</span>' "$T/d-alert.html" | head -1 | cut -d' ' -f1)
check "the summary counts it ($nwarn warning)" test "${nwarn:-0}" -ge 1
check_eq "the summary adds up to the models" "$models" \
    "$(grep -o '[0-9]* \(ok\|warning\|critical\|not enough data\)</span>' "$T/d-alert.html" | head -4 | awk '{ n += $1 } END { print n }')"
check_contains "the model page shows the same health" 'pill-warn">warning</span>' "$T/m-alert.html"
sw=$(grep -o 'swatch swatch-[0-9]' "$T/card.html" | head -1)
check_contains "the model page has the card's colour ($sw)" "<h1><span class=\"$sw\"" "$T/m-alert.html"
tr -d '\n' <"$T/d-alert.html" | sed 's/<tr>/\n<tr>/g' | grep '>gpt-4</a></td>' >"$T/row.html"
check_contains "the SLA table has the card's colour" "$sw" "$T/row.html"
check_contains "the dashboard refreshes itself" '<meta http-equiv="refresh" content="60">' "$T/d-alert.html"
check_contains "and says when it was drawn" 'Updated 20' "$T/d-alert.html"
get "$T/v.jar" "/?refresh=off" "$T/d-off.html" >/dev/null
check_not_contains "?refresh=off stops it" 'http-equiv="refresh"' "$T/d-off.html"
check_eq "?refresh=5 is refused" 400 "$(get "$T/v.jar" "/?refresh=5" "$T/bad3.html")"
# a custom range: the form's datetime-local values
f=$(date -u -d '3 days ago' +%Y-%m-%dT%H:%M); t=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M)
check_eq "a custom range is 200" 200 "$(get "$T/v.jar" "/?from=$f&to=$t" "$T/d-custom.html")"
check_eq "a custom range: five charts" 5 "$(nsvg "$T/d-custom.html")"
check_eq "a custom range: no empty chart" 0 "$(count '>No data<' "$T/d-custom.html")"
check_contains "a custom range is named by its day" "${f%T*}" "$T/d-custom.html"
check_not_contains "a custom range in the past does not refresh" 'http-equiv="refresh"' "$T/d-custom.html"
check_eq "a custom range on a model page is 200" 200 "$(get "$T/v.jar" "/models/$mid?from=$f&to=$t" "$T/m-custom.html")"
check_eq "to before from is 400" 400 "$(get "$T/v.jar" "/?from=$t&to=$f" "$T/bad4.html")"
check_contains "and says why" "must end after it starts" "$T/bad4.html"
check_contains "charts carry hover values" 'class="lw-hover"' "$T/d-24h.html"

# ---- the browser: screenshots to look at ----
if command -v chromedriver >/dev/null && [ -x /usr/bin/chromium ]; then
    # kept after the run: $LW_SCREENSHOTS, else build/screenshots
    SHOTS=${LW_SCREENSHOTS:-$ROOT/build/screenshots}
    mkdir -p "$SHOTS"
    cat >"$T/shots.py" <<'EOF'
import os, sys, time
sys.path.insert(0, sys.argv[1])
from webdriver import Browser
base, shots, mid = sys.argv[2], sys.argv[3], sys.argv[4]

def js(b, script):
    return b._s("POST", "/execute/sync", {"script": script, "args": []})

for width in (1440, 390):
    with Browser(width=width, height=1000) as b:
        b.get(base + "/login")
        b.fill("input[name=email]", "viewer@example.com")
        b.fill("input[name=password]", "pw-viewer-0123456789")
        b.click("button[type=submit]")
        for _ in range(50):
            if "/login" not in b.url():
                break
            time.sleep(0.1)
        # headless Chromium starts at least 500 px wide: set the width asked for
        b._s("POST", "/window/rect", {"width": width, "height": 1000})
        for name, path in (("dashboard", "/?range=24h&refresh=off"), ("dashboard-7d", "/?range=7d&refresh=off"),
                           ("model", "/models/%s?range=30d&refresh=off" % mid), ("rules", "/rules")):
            b.get(base + path)
            # the page's own width: wider than the window is a horizontal scroll
            wide = js(b, "return document.documentElement.scrollWidth")
            inner = js(b, "return document.documentElement.clientWidth")
            h = js(b, "return document.documentElement.scrollHeight")
            b._s("POST", "/window/rect", {"width": width, "height": min(int(h) + 140, 8000)})
            time.sleep(0.3)
            svgs = len(b.find_all("figure svg"))
            out = os.path.join(shots, "llmwatch-%s-%d.png" % (name, width))
            b.screenshot(out)
            print("%s %d svgs=%d scroll=%d/%d %s" % (name, width, svgs, wide, inner, out))
            b._s("POST", "/window/rect", {"width": width, "height": 1000})
        b.get(base + "/?range=24h")
        b.click(".range-picker a[href='/?range=30d']")
        time.sleep(0.3)
        print("clicked %d %s" % (width, b.url()))
EOF
    if /usr/bin/python3 "$T/shots.py" "$ROOT/tests/integration" "$BASE" "$SHOTS" "$mid" >"$T/browser.log" 2>&1; then
        ok "Chromium renders the dashboard, a model page and the rules at 1440 and 390 px"
        sed 's/^/# /' "$T/browser.log"
        for w in 1440 390; do
            check "Chromium $w px: the dashboard shows its 5 charts" grep -q "^dashboard $w svgs=5 " "$T/browser.log"
            check "Chromium $w px: the model page shows its 5 charts" grep -q "^model $w svgs=5 " "$T/browser.log"
            check "Chromium $w px: the range picker is a link" grep -q "^clicked $w .*range=30d" "$T/browser.log"
            for s in dashboard dashboard-7d model rules; do
                check "screenshot $s at $w px written" test -s "$SHOTS/llmwatch-$s-$w.png"
                check "$s at $w px: no horizontal scroll" \
                    awk -v s="$s" -v w="$w" '$1 == s && $2 == w { split($4, a, "[=/]"); bad = a[2] > a[3] } END { exit bad }' "$T/browser.log"
            done
        done
    else
        fail "Chromium renders the dashboard, a model page and the rules at 1440 and 390 px"
        cat "$T/browser.log"
    fi
else
    echo "$TEST_NAME: skipped the browser: chromium or chromedriver missing"
fi

finish
