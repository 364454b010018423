#!/bin/bash
# test_export.sh: `llmwatch export` on a backfilled history: every format
# and level, the rows PostgreSQL counts, the model filter, usage errors;
# the same data as a download from the model page and /sla.
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }
"$BIN/llmwatch" backfill --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" --days 2 \
    --interval 5m >"$T/backfill.out" 2>&1 || { cat "$T/backfill.out"; fail "backfill"; finish; exit 1; }
L="$BIN/llmwatch"
start=$(date -u -d '2 days ago' +%Y-%m-%d)
end=$(date -u +%Y-%m-%d)
expected=$(psql_test -c "SELECT count(*) FROM probes WHERE ts >= '$start' AND ts < '$end'::date + 1")

"$L" export --start-date "$start" --end-date "$end" --format csv --output "$T/all.csv" --database "$DB_URL" \
    >"$T/e1.out" 2>&1
check_eq "export csv exits 0" 0 "$?"
check_eq "one line per probe and a header" "$((expected + 1))" "$(wc -l <"$T/all.csv")"
check_contains "it says how many rows" "export: $expected rows (raw, csv)" "$T/e1.out"
check "CSV parses" python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
sys.exit(0 if rows and {"ts", "model", "total_ms", "outcome", "cost_usd"} <= rows[0].keys() else 1)' "$T/all.csv"

"$L" export --start-date "$start" --end-date "$end" --format json --model gpt-4 --output "$T/g.json" \
    --database "$DB_URL" >/dev/null 2>&1
check_eq "JSON of one model" "$(psql_test -c "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id
    WHERE m.name = 'gpt-4' AND ts >= '$start' AND ts < '$end'::date + 1")" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d) if all(r["model"]=="gpt-4" for r in d) else -1)' "$T/g.json")"
"$L" export --start-date "$start" --end-date "$end" --format jsonl --level 1h --output - \
    --database "$DB_URL" >"$T/h.jsonl" 2>/dev/null
check_eq "JSON Lines of the hourly rollups" \
    "$(psql_test -c "SELECT count(*) FROM rollups WHERE resolution = '1h' AND bucket_start >= '$start' AND bucket_start < '$end'::date + 1")" \
    "$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["level"] == "1h"))' "$T/h.jsonl")"
"$L" export --start-date "$start" --end-date "$end" --format xml --output "$T/x" --database "$DB_URL" \
    >"$T/bad.out" 2>&1
check_eq "an unknown format is refused" 1 "$?"
check_contains "naming it" "--format must be csv, json or jsonl" "$T/bad.out"
"$L" export --end-date "$end" --output "$T/x" --database "$DB_URL" >"$T/bad2.out" 2>&1
check "a missing start date is refused" test "$?" -ne 0
check "help lists export" sh -c "'$L' help | grep -q '^  llmwatch export --start-date'"

# the downloads of the pages
login viewer@example.com pw-viewer-0123456789 "$T/v.jar" || fail "viewer logs in"
mid=$(psql_test -c "SELECT id FROM models WHERE name = 'gpt-4'")
get "$T/v.jar" "/models/$mid" "$T/model.html" >/dev/null
check_contains "the model page links its download" "/export?model=$mid&amp;range=" "$T/model.html"
login compliance@example.com pw-compliance-0123456789 "$T/c.jar" || fail "compliance logs in"
get "$T/c.jar" /sla "$T/sla.html" >/dev/null
check_contains "/sla links its download" "&amp;level=1d&amp;format=csv" "$T/sla.html"
code=$(curl -s -b "$T/v.jar" -D "$T/dl.h" -o "$T/dl.csv" -w '%{http_code}' "$BASE/export?model=$mid&range=24h&format=csv")
check_eq "the model download is 200" 200 "$code"
check "as an attachment" grep -qi '^content-disposition: attachment' "$T/dl.h"
check_eq "the last 24 hours of the model, raw" \
    "$(psql_test -c "SELECT count(*) FROM probes WHERE model_id = $mid AND ts >= now() - interval '24 hours'")" \
    "$(($(wc -l <"$T/dl.csv") - 1))"
code=$(curl -s -b "$T/c.jar" -o "$T/sla.csv" -w '%{http_code}' "$BASE/export?range=30d&level=1d&format=csv")
check_eq "the /sla download is 200" 200 "$code"
check_contains "daily rows" ",1d,gpt-4," "$T/sla.csv"
check_eq "a bad level is a 400" 400 "$(get "$T/v.jar" '/export?level=2h')"
finish
