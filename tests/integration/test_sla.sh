#!/bin/bash
# test_sla.sh: /sla over the periods of its picker on a backfilled history:
# a compliance user picks last month and downloads its CSV and PDF
# evidence (stored: the same bytes again; the PDF states the method, the
# period and the CSV's SHA-256), a viewer gets 403 on both; the CSV's
# figures are the raw probes' (one row per model and day, then totals);
# days without probes are unknown, never up; bad periods are a 400.
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }

stack_start || { fail "the stack did not start"; finish; exit 1; }
# rollups are kept for the raw retention (the stack's 30 days): 62 days
# hold the whole of last month, whatever today is
q "UPDATE settings SET value = '400' WHERE key = 'retention_days'" >/dev/null
$L backfill --days 62 --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" >"$T/backfill" 2>&1
check_eq "a 62-day backfill" "0" "$?"
login compliance@example.com pw-compliance-0123456789 "$T/c.jar"
login viewer@example.com pw-viewer-0123456789 "$T/v.jar"
login admin@example.com pw-admin-0123456789 "$T/a.jar"

FIRST=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%F)
LAST=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%F)
MONTH=$(date -u -d "$FIRST" +"%B %Y")

# ---- the page ----
check_eq "compliance picks last month" "200" "$(get "$T/c.jar" "/sla?period=last-month" "$T/sla.html")"
check_contains "the page names the month" "$MONTH ($FIRST &ndash; $LAST, UTC)" "$T/sla.html"
check_contains "the picker marks it" 'href="/sla?period=last-month" class="active"' "$T/sla.html"
check_contains "one row per model" "gpt-4</a>" "$T/sla.html"
check_contains "with a state" 'pill pill-' "$T/sla.html"
check_contains "error budget and burn rate" "Burn rate" "$T/sla.html"
check_contains "unknown apart" "<th class=\"num\">Unknown</th>" "$T/sla.html"
check_contains "the state rule is stated" "<em>at risk</em> while the period runs" "$T/sla.html"
# the daily availability: a strip per model row, a cell per day of the
# month with its figure on hover
NDAYS=$(( ($(date -u -d "$LAST" +%s) - $(date -u -d "$FIRST" +%s)) / 86400 + 1 ))
NROWS=$(grep -c '<td><a href="/models/' "$T/sla.html" || true)
check "the table has model rows" [ "$NROWS" -gt 0 ]
check_eq "a daily availability strip per model" "$NROWS" \
    "$(grep -c 'class="lw-chart lw-strip"' "$T/sla.html" || true)"
tr -d '\n' <"$T/sla.html" | grep -o '<svg[^>]*lw-strip.*</svg>' | sed 's|</svg>|</svg>\n|g' | head -1 >"$T/strip.svg"
check_eq "a cell per day of the month" "$NDAYS" "$(grep -o '<rect ' "$T/strip.svg" | wc -l)"
check_contains "its first day on hover" "<title>$FIRST: " "$T/strip.svg"
check_contains "its last day on hover" "<title>$LAST: " "$T/strip.svg"
check_contains "download links" "/sla.pdf?period=last-month" "$T/sla.html"
for p in 7d 30d 90d 365d month quarter last-quarter "custom&from=$FIRST&to=$LAST"; do
    check_eq "period $p" "200" "$(get "$T/c.jar" "/sla?period=$p" "$T/p.html")"
done
get "$T/c.jar" "/sla?period=365d" "$T/y.html" >/dev/null
check_contains "a year's strips have a cell per week" "<title>week of " "$T/y.html"
check_eq "an unknown period is a 400" "400" "$(get "$T/c.jar" "/sla?period=fortnight" "$T/x")"
check_eq "a custom period backwards is a 400" "400" \
    "$(get "$T/c.jar" "/sla?period=custom&from=$LAST&to=$FIRST" "$T/x")"
check_eq "a viewer may not see the page" "403" "$(get "$T/v.jar" "/sla" "$T/x")"

# ---- the evidence ----
check_eq "compliance downloads the CSV" "200" "$(get "$T/c.jar" "/sla.csv?period=last-month" "$T/sla.csv")"
check_eq "and the PDF" "200" "$(get "$T/c.jar" "/sla.pdf?period=last-month" "$T/sla.pdf")"
check_eq "an admin too" "200" "$(get "$T/a.jar" "/sla.csv?period=last-month" "$T/sla-admin.csv")"
check_eq "a viewer gets 403 on the CSV" "403" "$(get "$T/v.jar" "/sla.csv?period=last-month" "$T/x")"
check_eq "and on the PDF" "403" "$(get "$T/v.jar" "/sla.pdf?period=last-month" "$T/x")"
check_eq "the PDF is a PDF" "%PDF-" "$(head -c 5 "$T/sla.pdf")"
get "$T/c.jar" "/sla.pdf?period=last-month" "$T/sla2.pdf" >/dev/null
check "it downloads again byte for byte" cmp "$T/sla.pdf" "$T/sla2.pdf"
check "so does the CSV" cmp "$T/sla.csv" "$T/sla-admin.csv"
DATA=$(sha256sum "$T/sla.csv" | cut -d' ' -f1)
pdftotext -raw "$T/sla.pdf" - | tr '\n' ' ' | tr -s ' ' >"$T/sla.txt"
check_contains "the PDF names the period" "Period $FIRST – $LAST (UTC)" "$T/sla.txt"
check_contains "the PDF states the method" "Method" "$T/sla.txt"
check_contains "what counts as up" "Up is a probe that got a complete answer" "$T/sla.txt"
check_contains "the probe schedule" "Probe schedule" "$T/sla.txt"
check_contains "gaps" "is unknown, shown apart and never counted as up" "$T/sla.txt"
check_contains "the objective" "availability of at least 99.9%" "$T/sla.txt"
check_contains "the SHA-256 of the data: the CSV's" "$DATA" "$T/sla.txt"
check_eq "both are stored, once" "2" "$(q "SELECT count(*) FROM reports WHERE kind = 'sla' AND period_start = '$FIRST'")"
check_eq "/reports lists them" "200" "$(get "$T/c.jar" /reports "$T/reports.html")"
check_contains "by name" "SLA evidence: $MONTH" "$T/reports.html"

# the CSV against the raw probes: each model's total and one of its days
check_eq "a header, one row per model and day, one total per model" \
    "$(( 1 + $(q "SELECT count(*) FROM models") * ( $(date -u -d "$LAST" +%d | sed 's/^0//') + 1 ) ))" \
    "$(wc -l <"$T/sla.csv")"
for m in gpt-4 gemini-1.5-pro; do
    want=$(q "SELECT count(*) || ',' || count(*) FILTER (WHERE ok) || ',' || count(*) FILTER (WHERE NOT ok)
              FROM probes p JOIN models m ON m.id = p.model_id
              WHERE m.name = '$m' AND ts >= '$FIRST' AND ts < '$LAST'::date + 1")
    check_contains "$m's month: probes, successful, failed ($want)" "total,production,$m,$want," "$T/sla.csv"
    day=$(date -u -d "$FIRST + 9 days" +%F)
    want=$(q "SELECT count(*) || ',' || count(*) FILTER (WHERE ok) || ',' || count(*) FILTER (WHERE NOT ok)
              FROM probes p JOIN models m ON m.id = p.model_id
              WHERE m.name = '$m' AND ts >= '$day' AND ts < '$day'::date + 1")
    check_contains "$m on $day ($want)" "$day,production,$m,$want," "$T/sla.csv"
done

# ---- unknown time: days before the backfill had no probe ----
START=$(q "SELECT to_char(min(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM probes")
BEFORE=$(date -u -d "$START - 3 days" +%F)
get "$T/c.jar" "/sla.csv?period=custom&from=$BEFORE&to=$START" "$T/gap.csv" >/dev/null
check "a day without probes: no availability, all its minutes unknown" grep -qE \
    "^$(date -u -d "$START - 2 days" +%F),production,gpt-4,0,0,0,[0-9.]+,,0\.000,1440\.000," "$T/gap.csv"
check_eq "the page of that range says not enough data, not met" "200" \
    "$(get "$T/c.jar" "/sla?period=custom&from=$BEFORE&to=$(date -u -d "$START - 1 day" +%F)" "$T/gap.html")"
check_contains "not enough data" "not enough data" "$T/gap.html"
check_not_contains "nothing is met without probes" 'pill pill-ok">met' "$T/gap.html"

finish
