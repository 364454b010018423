#!/bin/bash
# test_reports.sh: reports on a 30-day backfill. `llmwatch report --type
# weekly` writes a PDF whose text holds every section of the spec's weekly
# schedule and figures this test recomputes from the raw probes (the
# week-over-week deltas too); its pages render; its mail reaches a real
# aiosmtpd with text and HTML parts and the PDF, whose SHA-256 is the
# stored one; the stored report downloads the same from /reports for
# compliance and not for a viewer, and its HTML source has the SHA-256
# the footer names. Then the report schedules: a missed slot is listed by
# scheduler-status and run, and two schedulers started at once make one
# report (and one mail) per slot. The README's report session runs word
# for word.
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }
flat() { pdftotext -raw "$1" - | tr '\n' ' ' | tr -s ' '; }

stack_start || { fail "the stack did not start"; finish; exit 1; }
export LLMWATCH_CONFIG="$ROOT/monitoring_config.yaml" LLMWATCH_REPORT_CONFIG="$ROOT/report_config.yaml"

# a real SMTP server keeping each mail as a file
SMTP_PORT=$(free_port)
mkdir -p "$T/mail/new" "$T/mail/cur" "$T/mail/tmp"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/mail" \
    >"$T/smtp.log" 2>&1 &
STACK_PIDS+=("$!")
for _ in $(seq 50); do port_in_use "$SMTP_PORT" && break; sleep 0.1; done
export LLMWATCH_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"

$L backfill --days 30 --database "$DB_URL" >"$T/backfill" 2>&1
check_eq "a 30-day backfill" "0" "$?"
TUE=$(sed -n 's/^- Tuesdays: \(.*\) 18% slower.*/\1/p' "$T/backfill")
check "the backfill names its slow-on-Tuesdays model" test -n "$TUE"

# ---- the weekly report ----
A=$(date -u -d '8 days ago' +%F)
B=$(date -u -d '2 days ago' +%F)
t0=$(date +%s.%N)
$L report --type weekly --date-range "$A:$B" --output "$T/weekly_report.pdf" --email \
    --database "$DB_URL" >"$T/report.out" 2>&1
check_eq "report --type weekly exits 0" "0" "$?"
echo "# weekly PDF made in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
check_eq "the output is a PDF" "%PDF-" "$(head -c 5 "$T/weekly_report.pdf")"
flat "$T/weekly_report.pdf" >"$T/weekly.txt"
for section in "Executive summary" "Detailed metrics" "Model comparison" "Cost breakdown" \
               "Recommendations" "Key findings" "How the findings are made"; do
    check_contains "the PDF has '$section'" "$section" "$T/weekly.txt"
done
check_not_contains "the weekly schedule has no performance trends" "Performance trends" "$T/weekly.txt"
check_contains "the PDF names the period" "$A – $B" "$T/weekly.txt"

# the figures, from the raw probes of the week and of the week before
W="ts >= '$A'::date AND ts < '$B'::date + 1"
P="ts >= '$A'::date - 7 AND ts < '$A'::date"
arrow="CASE WHEN d >= 0.05 THEN '↑' WHEN d <= -0.05 THEN '↓' ELSE '→' END || ' ' || to_char(abs(d), 'FM990.0') || '%'"
calls=$(q "SELECT to_char(count(*), 'FM999,999,999') FROM probes WHERE $W")
calls_d=$(q "SELECT $arrow FROM (SELECT 100.0 * ((SELECT count(*) FROM probes WHERE $W)::numeric
                                   / (SELECT count(*) FROM probes WHERE $P) - 1) AS d) x")
check_contains "total calls $calls, $calls_d from last week" \
    "Total API calls $calls $calls_d from last week" "$T/weekly.txt"
health=$(q "SELECT to_char(round(100.0 * count(*) FILTER (WHERE ok) / count(*), 2), 'FM990.00') || '%'
            FROM probes WHERE $W")
check_contains "health $health" "Overall system health $health" "$T/weekly.txt"
avg=$(q "SELECT to_char(round((avg(total_ms) / 1000)::numeric, 2), 'FM990.00') || ' s'
         FROM probes WHERE ok AND total_ms IS NOT NULL AND $W")
avg_d=$(q "SELECT $arrow FROM (SELECT 100.0 * ((SELECT avg(total_ms) FROM probes WHERE ok AND $W)::numeric
                                / (SELECT avg(total_ms) FROM probes WHERE ok AND $P)::numeric - 1) AS d) x")
check_contains "average response time $avg, $avg_d" \
    "Average response time $avg $avg_d from last week" "$T/weekly.txt"
cost=$(q "SELECT to_char(round(sum(cost_usd), 2), 'FM\$999,999,990.00') FROM probes WHERE $W")
cost_d=$(q "SELECT $arrow FROM (SELECT 100.0 * ((SELECT sum(cost_usd) FROM probes WHERE $W)
                                 / (SELECT sum(cost_usd) FROM probes WHERE $P) - 1) AS d) x")
check_contains "total cost $cost, $cost_d" "Total cost $cost $cost_d from last week" "$T/weekly.txt"
check_contains "the terminal summary says the same" "- Total API calls: $calls ($calls_d from last week)" \
    "$T/report.out"
# one row of the cost breakdown: calls, tokens, cost of a model
row=$(q "SELECT to_char(count(*), 'FM999,999') || ' ' || to_char(sum(input_tokens), 'FM999,999,999')
         || ' ' || to_char(sum(output_tokens), 'FM999,999,999') || ' '
         || to_char(round(sum(cost_usd), 2), 'FM\$999,990.00')
         FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'gpt-4' AND $W")
check_contains "cost breakdown: gpt-4 $row" "gpt-4 $row" "$T/weekly.txt"
# the weekday test's finding, and the effect it found, recomputed
check_contains "the finding names the backfill's slow Tuesdays" "$TUE is slower on Tuesdays" "$T/weekly.txt"
check_contains "the finding names its test" "Mann-Whitney" "$T/weekly.txt"
check_contains "and recommends from it" "Consider load balancing during peak Tuesday hours" "$T/weekly.txt"
tue=$(q "SELECT round(100 * (avg(total_ms) FILTER (WHERE extract(isodow FROM ts AT TIME ZONE 'UTC') = 2)
         / avg(total_ms) FILTER (WHERE extract(isodow FROM ts AT TIME ZONE 'UTC') <> 2) - 1))
         FROM probes p JOIN models m ON m.id = p.model_id
         WHERE m.name = '$TUE' AND ok AND ts >= '$B'::date + 1 - 28 AND ts < '$B'::date + 1")
check "in SQL, $TUE's Tuesdays are at least 10% slower ($tue%)" test "${tue:-0}" -ge 10
check_contains "every model is compared" "llama-3.1-8b-local" "$T/weekly.txt"
pages=$(pdfinfo "$T/weekly_report.pdf" | sed -n 's/^Pages: *//p')
pdftoppm -r 40 -png "$T/weekly_report.pdf" "$T/page" >/dev/null 2>&1
check_eq "every page renders ($pages)" "$pages" "$(ls "$T"/page-*.png 2>/dev/null | wc -l)"

# ---- stored: the same bytes, for the roles allowed ----
ID=$(q "SELECT id FROM reports WHERE kind = 'weekly' ORDER BY id DESC LIMIT 1")
SHA=$(q "SELECT sha256 FROM reports WHERE id = $ID")
check_eq "the stored SHA-256 is the file's" "$SHA" "$(sha256sum "$T/weekly_report.pdf" | cut -d' ' -f1)"
check_eq "it was mailed" "t" "$(q "SELECT emailed_at IS NOT NULL FROM reports WHERE id = $ID")"
login compliance@example.com pw-compliance-0123456789 "$T/c.jar"
login viewer@example.com pw-viewer-0123456789 "$T/v.jar"
check_eq "compliance downloads it" "200" "$(get "$T/c.jar" "/reports/$ID.pdf" "$T/dl.pdf")"
check "byte for byte" cmp "$T/dl.pdf" "$T/weekly_report.pdf"
check_eq "a viewer may not" "403" "$(get "$T/v.jar" "/reports/$ID.pdf" "$T/x")"
check_eq "/reports lists it" "200" "$(get "$T/c.jar" /reports "$T/reports.html")"
check_contains "with its link" "/reports/$ID.pdf" "$T/reports.html"
check_eq "its HTML source is served" "200" "$(get "$T/c.jar" "/reports/$ID.html" "$T/source.html")"
footer=$(grep -o "SHA-256 of this report's HTML: [0-9a-f]*" "$T/weekly.txt" | head -1 | sed 's/.*: //')
check_eq "the footer's SHA-256 is the HTML source's" "$(sha256sum "$T/source.html" | cut -d' ' -f1)" "$footer"

# ---- the mail ----
/usr/bin/python3 - "$T/mail/new" "$T/mail.txt" <<'EOF'
import email, hashlib, os, sys
d, out = sys.argv[1], sys.argv[2]
with open(out, "w") as o:
    for f in sorted(os.listdir(d)):
        m = email.message_from_binary_file(open(os.path.join(d, f), "rb"))
        types = [p.get_content_type() for p in m.walk()]
        pdf = [p for p in m.walk() if p.get_content_type() == "application/pdf"]
        sha = hashlib.sha256(pdf[0].get_payload(decode=True)).hexdigest() if pdf else "-"
        print(m.get("X-RcptTo"), m.get_content_type(), "alternative=%d" % types.count("multipart/alternative"),
              "text=%d" % types.count("text/plain"), "html=%d" % types.count("text/html"),
              "pdf=%d" % len(pdf), sha, file=o)
EOF
check_eq "one mail so far" "1" "$(wc -l <"$T/mail.txt")"
check_contains "to the weekly schedule's recipient, both parts, the PDF attached, its SHA-256 the stored one" \
    "management@example.com multipart/mixed alternative=1 text=1 html=1 pdf=1 $SHA" "$T/mail.txt"

# ---- report schedules: missed slots, and two schedulers at once ----
cat >"$T/report_config.yaml" <<'EOF'
reporting:
  schedules:
    - name: "Quarter Hour"
      frequency: "every 15 minutes"
      recipients: ["ops@example.com"]
      format: "pdf"
      sections: [executive_summary, sla_compliance]
EOF
export LLMWATCH_REPORT_CONFIG="$T/report_config.yaml"
# it last ran half an hour before the current slot; nothing ran since
q "INSERT INTO job_runs (job, scheduled_for, started_at, finished_at, status)
   SELECT 'report:quarter_hour', s, s, s, 'ok'
   FROM (SELECT date_bin('15 minutes', now(), TIMESTAMPTZ '2000-01-01') - interval '30 minutes' AS s) x" >/dev/null
missed=$(q "SELECT to_char((date_bin('15 minutes', now(), TIMESTAMPTZ '2000-01-01') - interval '15 minutes')
            AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')")
$L scheduler-status --show-missed-jobs --days 1 --database "$DB_URL" >"$T/status1" 2>&1
check_eq "scheduler-status exits 0" "0" "$?"
check_contains "it lists the schedule" "- report:quarter_hour (Quarter Hour): every 15 minutes" "$T/status1"
check_contains "and its missed slot" "    $missed UTC" "$T/status1"
# two schedulers at once, as two hosts' timers would start them
$L report --due --schedule quarter-hour --database "$DB_URL" >"$T/due1" 2>&1 &
p1=$!
$L run-due --job report --database "$DB_URL" >"$T/due2" 2>&1 &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
check_eq "both exit 0" "0 0" "$r1 $r2"
slots=$(q "SELECT count(*) FROM reports WHERE schedule = 'Quarter Hour'")
check_eq "one report per slot" "$slots" "$(q "SELECT count(DISTINCT slot) FROM reports WHERE schedule = 'Quarter Hour'")"
check "the current slot has its report" test "$slots" -ge 1
check_eq "one successful run per slot" "$slots" \
    "$(q "SELECT count(*) FROM job_runs WHERE job = 'report:quarter_hour' AND status = 'ok' AND scheduled_for > now() - interval '29 minutes'")"
check_eq "the missed slot is recorded as skipped" "skipped" \
    "$(q "SELECT status FROM job_runs WHERE job = 'report:quarter_hour' AND to_char(scheduled_for AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') = '$missed'")"
$L scheduler-status --show-missed-jobs --days 1 --database "$DB_URL" >"$T/status2" 2>&1
check_contains "scheduler-status now says why it was missed" \
    "$missed UTC: skipped: missed: no scheduler was running at that time" "$T/status2"
/usr/bin/python3 - "$T/mail/new" "$T/mail.txt" <<'EOF'
import email, os, sys
d, out = sys.argv[1], sys.argv[2]
with open(out, "w") as o:
    for f in sorted(os.listdir(d)):
        m = email.message_from_binary_file(open(os.path.join(d, f), "rb"))
        print(m.get("X-RcptTo"), file=o)
EOF
check_eq "one mail per slot" "$slots" "$(grep -c '^ops@example.com$' "$T/mail.txt")"

# ---- the README's session, word for word ----
awk '/^## Reports, SLA evidence/ { found = 1 } found && /^```sh$/ { inside = 1; next }
     inside && /^```$/ { exit } inside { print }' "$ROOT/README.md" >"$T/readme.sh"
check "the README has a report session" test -s "$T/readme.sh"
RW="$T/clone"
mkdir -p "$RW/var"
ln -s "$BIN" "$RW/build"
ln -s "$T/mail" "$RW/var/mail"
{
    echo "export LLMWATCH_DATABASE_URL='$DB_URL'"
    echo "export LLMWATCH_DATADIR='$ROOT' LLMWATCH_CONFIG='$ROOT/monitoring_config.yaml'"
    echo "export LLMWATCH_SMTP_URL='$LLMWATCH_SMTP_URL'"
} >"$RW/var/env"
unset LLMWATCH_REPORT_CONFIG
(cd "$RW" && bash -e -o pipefail "$T/readme.sh") >"$T/readme.out" 2>&1
check_eq "every command of the README's report session succeeds" "0" "$?"
check "it wrote the weekly report" test -s "$RW/weekly_report.pdf"
check "and last month's SLA evidence" test -s "$RW/last_month_sla.pdf"
check_contains "and listed the missed jobs" "Missed jobs" "$RW/../readme.out"

finish
