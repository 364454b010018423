#!/bin/bash
# bench_export.sh: `scripts/bench.sh export`: `llmwatch export` of
# BENCH_EXPORT_DAYS (30) days of 50 models probed every minute (2.16 M
# probes) to CSV, against psql's \copy of the same query to a file: wall
# time and peak memory (RSS, from GNU time) of each, the median of
# BENCH_RUNS (3) runs. Not a test: it measures, prints and records the
# figures in docs/benchmarks.md (BENCH_NO_DOC=1: not).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
export LLMWATCH_DATADIR="$ROOT"
DAYS=${BENCH_EXPORT_DAYS:-30}
RUNS=${BENCH_RUNS:-3}

TMP=$(mktemp -d /tmp/llmwatch-bench-export.XXXXXX)
chmod 755 "$TMP"
cleanup() {
    pg_stop "$TMP/pg"
    rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$BIN/llmwatch" ] || { echo "bench_export.sh: no $BIN/llmwatch (run make)" >&2; exit 1; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== export benchmark: 50 models x $DAYS days x 1/min (load average $load) =="
pg_start "$TMP/pg" || exit 1
createdb -h "$TMP/pg/run" -U postgres bench || exit 1
DB=$(pg_url "$TMP/pg" bench)
{
    printf 'monitoring:\n  models:\n'
    for i in $(seq -w 1 50); do
        printf '    - {name: m%s, provider: openai, model: gpt-4o, sla_target: 2.5}\n' "$i"
    done
} >"$TMP/config.yaml"
"$BIN/llmwatch" init --database "$DB" --retention-days $((DAYS + 10)) --config "$TMP/config.yaml" \
    >"$TMP/init.out" 2>&1 || { cat "$TMP/init.out" >&2; exit 1; }
"$BIN/llmwatch" backfill --database "$DB" --config "$TMP/config.yaml" --days "$DAYS" --interval 1m \
    >"$TMP/backfill.out" 2>&1 || { cat "$TMP/backfill.out" >&2; exit 1; }
psql -X -q -d "$DB" -c "VACUUM ANALYZE" >/dev/null
start=$(date -u -d "$DAYS days ago" +%Y-%m-%d)
end=$(date -u +%Y-%m-%d)
rows=$(psql -X -t -A -d "$DB" -c "SELECT count(*) FROM probes WHERE ts >= '$start' AND ts < '$end'::date + 1")
echo "probes in the range: $rows"

# The query of lib/db/exports.c (RAW_ROWS), its settings given the way
# llmwatch gives them, for psql's \copy.
cat >"$TMP/copy.sql" <<EOF
SELECT set_config('llmwatch.export_from', '$start 00:00:00+00', false),
       set_config('llmwatch.export_to', ('$end'::date + 1)::timestamptz::text, false),
       set_config('llmwatch.export_model', '', false), set_config('llmwatch.export_model_id', '0', false),
       set_config('llmwatch.export_level', 'raw', false), set_config('llmwatch.export_limit', '0', false) \\g /dev/null
\\copy (SELECT p.id, to_char((p.ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts, m.name AS model, e.name AS environment, m.provider, p.case_id, p.ok, CASE WHEN p.ok THEN coalesce(p.outcome, 'text') END AS outcome, p.error_class, p.http_status, p.ttft_ms, p.first_output_ms, p.total_ms, p.input_tokens, p.output_tokens, p.reasoning_tokens, p.decode_tps, p.cost_usd, p.quality_score, p.finish_reason, p.stream_end FROM probes p JOIN models m ON m.id = p.model_id JOIN environments e ON e.id = p.environment_id WHERE p.ts >= current_setting('llmwatch.export_from')::timestamptz AND p.ts < current_setting('llmwatch.export_to')::timestamptz AND (current_setting('llmwatch.export_model') = '' OR m.name = current_setting('llmwatch.export_model')) AND (current_setting('llmwatch.export_model_id') = '0' OR m.id = current_setting('llmwatch.export_model_id')::int) ORDER BY p.ts, p.id LIMIT nullif(current_setting('llmwatch.export_limit'), '0')::bigint) TO '$TMP/psql.csv' WITH (FORMAT csv, HEADER true)
EOF

# "seconds max_rss_kb" of a command
timed() { /usr/bin/time -f '%e %M' -o "$TMP/time.out" "$@" >/dev/null 2>"$TMP/cmd.err" || { cat "$TMP/cmd.err" >&2; return 1; }; cat "$TMP/time.out"; }
: >"$TMP/ours"
: >"$TMP/theirs"
for i in $(seq 1 "$RUNS"); do
    timed "$BIN/llmwatch" export --start-date "$start" --end-date "$end" --format csv \
        --output "$TMP/ours.csv" --database "$DB" >>"$TMP/ours" || exit 1
    timed psql -X -q -d "$DB" -f "$TMP/copy.sql" >>"$TMP/theirs" || exit 1
done
cmp -s "$TMP/ours.csv" "$TMP/psql.csv" && same=yes || same=no
lines=$(($(wc -l <"$TMP/ours.csv") - 1))
mb=$(awk -v b="$(stat -c %s "$TMP/ours.csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
med() { sort -n -k"$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
ours_s=$(med "$TMP/ours" 1); ours_kb=$(sort -n -k2 "$TMP/ours" | tail -1 | awk '{print $2}')
psql_s=$(med "$TMP/theirs" 1); psql_kb=$(sort -n -k2 "$TMP/theirs" | tail -1 | awk '{print $2}')
ratio=$(awk -v a="$ours_s" -v b="$psql_s" 'BEGIN { printf "%.2f", b / a }')
printf 'llmwatch export: %s rows (%s MB of CSV) in %s s, peak RSS %.1f MB\n' "$lines" "$mb" "$ours_s" "$(awk -v k="$ours_kb" 'BEGIN { print k / 1024 }')"
printf 'psql \\copy:      the same query in %s s, peak RSS %.1f MB; identical output: %s\n' "$psql_s" "$(awk -v k="$psql_kb" 'BEGIN { print k / 1024 }')" "$same"
printf 'speed of llmwatch export relative to psql \\copy: %sx\n' "$ratio"

[ "${BENCH_NO_DOC:-0}" = 1 ] && exit 0
doc="$ROOT/docs/benchmarks.md"
mark="bench-export"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
    echo "<!-- $mark:begin (written by scripts/bench.sh export; edits here are overwritten) -->"
    echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)," \
         "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'); load average before the run $load." \
         "\`llmwatch export --format csv\` of $lines probes (50 models x $DAYS days x 1/min, $mb MB of CSV) against" \
         "psql's \`\\copy\` of the same query to a file; median wall time of $RUNS runs, the largest peak RSS" \
         "(GNU time). Identical output: $same."
    echo
    echo "| tool | rows | wall time | peak RSS | speed vs psql |"
    echo "|---|---|---|---|---|"
    printf '| llmwatch export | %s | %s s | %.1f MB | %sx |\n' "$lines" "$ours_s" "$(awk -v k="$ours_kb" 'BEGIN { print k / 1024 }')" "$ratio"
    printf '| psql \\copy | %s | %s s | %.1f MB | 1.00x |\n' "$lines" "$psql_s" "$(awk -v k="$psql_kb" 'BEGIN { print k / 1024 }')"
    echo "<!-- $mark:end -->"
} >"$TMP/block.md"
doc_block "$doc" "$mark" "$TMP/block.md" "Export of 2.16 M probes"
echo "figures written to docs/benchmarks.md"
