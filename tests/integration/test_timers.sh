#!/bin/bash
# test_timers.sh: schedules under systemd. Every unit `llmwatch timers`
# writes from the spec's two files, and every unit `make install` ships,
# passes `systemd-analyze verify` with no output; `systemd-analyze
# calendar` agrees with llmwatch's own next runs for the spec's
# frequencies and for time zones across daylight-saving changes; a run
# past its timeout is killed and recorded; a run whose process died shows
# as abandoned.
. "$(dirname "$0")/lib.sh"

L="$BIN/llmwatch"
DB_NAME="t_timers_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
export LLMWATCH_DATABASE_URL="$DB_URL"
q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$DB_URL" -c "$1"; }

if ! command -v systemd-analyze >/dev/null; then
    echo "$TEST_NAME: skipped (no systemd-analyze)"
    finish
    exit $?
fi
$L init --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" >"$T/init" 2>&1
check_eq "init" "0" "$?"

# ---- the units ----
$L timers --config "$ROOT/monitoring_config.yaml" --report-config "$ROOT/report_config.yaml" \
    --output "$T/units" >"$T/timers.out" 2>&1
check_eq "timers exits 0" "0" "$?"
for u in probe full-benchmark cost-analysis evaluate notify maintain report-daily-summary \
         report-weekly-deep-dive report-monthly-sla-report; do
    check "llmwatch-$u.service written" test -f "$T/units/llmwatch-$u.service"
    check "llmwatch-$u.timer written" test -f "$T/units/llmwatch-$u.timer"
done
(cd "$T/units" && systemd-analyze verify --recursive-errors=no --man=no ./*.service ./*.timer) \
    >"$T/verify.out" 2>&1
check_eq "systemd-analyze verify accepts every generated unit" "0" "$?"
check_eq "and has nothing to say" "" "$(cat "$T/verify.out")"
check_eq "every timer is Persistent=true" "9" "$(grep -l '^Persistent=true$' "$T"/units/*.timer | wc -l)"
check_contains "the probe runs as often as the config says" "OnCalendar=*:0/1" "$T/units/llmwatch-probe.timer"
check_contains "TimeoutStartSec from the timeout (300 s) and a minute for llmwatch's own" \
    "TimeoutStartSec=360" "$T/units/llmwatch-probe.service"
check_contains "the full benchmark on Sundays" "OnCalendar=Sun *-*-* 03:00:00" "$T/units/llmwatch-full-benchmark.timer"
check_contains "the weekly report on Mondays at 9" "OnCalendar=Mon *-*-* 09:00:00" \
    "$T/units/llmwatch-report-weekly-deep-dive.timer"
check_contains "the monthly report on the 1st" "OnCalendar=*-*-01 10:00:00" \
    "$T/units/llmwatch-report-monthly-sla-report.timer"
for key in "User=llmwatch" "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" \
           "PrivateTmp=yes" "CapabilityBoundingSet=" "Type=oneshot"; do
    check_eq "every service says $key" "9" "$(grep -lx -- "$key" "$T"/units/*.service | wc -l)"
done
check_contains "a report's service runs its schedule" "report --due --schedule weekly-deep-dive" \
    "$T/units/llmwatch-report-weekly-deep-dive.service"
# the shipped units, with this build's binaries
mkdir -p "$T/shipped"
for u in "$ROOT"/worker/systemd/*.in; do
    sed -e "s|@BINDIR@|$BIN|g" -e "s|@SYSCONFDIR@|/etc|g" -e "s|@DATADIR@|$ROOT|g" "$u" \
        >"$T/shipped/$(basename "$u" .in)"
done
(cd "$T/shipped" && systemd-analyze verify --recursive-errors=no --man=no ./*.service ./*.timer) \
    >"$T/verify2.out" 2>&1
check_eq "systemd-analyze verify accepts every shipped unit" "0" "$?"
check_eq "and has nothing to say about them" "" "$(cat "$T/verify2.out")"

# ---- systemd's calendar and ours ----
cat >"$T/tz.yaml" <<'EOF'
reporting:
  schedules:
    - {name: a, frequency: "daily at 8:00", sections: [incidents]}
    - {name: b, frequency: "weekly on monday at 9:00", sections: [incidents]}
    - {name: c, frequency: "monthly on 1st at 10:00", sections: [incidents]}
    - {name: d, frequency: "every 15 minutes", sections: [incidents]}
    - {name: e, frequency: "*/6 hours", sections: [incidents]}
    - {name: f, frequency: "hourly", sections: [incidents]}
    - {name: g, frequency: "daily at 2:30 Europe/Berlin", sections: [incidents]}
    - {name: h, frequency: "weekly on sunday at 1:30 America/New_York", sections: [incidents]}
    - {name: i, frequency: "monthly on last at 23:00 Asia/Kolkata", sections: [incidents]}
    - {name: j, frequency: "0 9 * * 1-5 Australia/Sydney", sections: [incidents]}
EOF
agree=0; differ=0
for base in "2025-03-29 12:00:00" "2025-10-25 12:00:00" "2025-10-31 12:00:00" "2025-04-04 12:00:00" \
            "$(date -u '+%Y-%m-%d %H:%M:%S')"; do
    $L timers --config "$ROOT/monitoring_config.yaml" --report-config "$T/tz.yaml" --next 5 \
        --at "$base" >"$T/next.out" 2>&1 || fail "timers --next at $base"
    while IFS=$'\t' read -r name cal ours; do
        theirs=$(TZ=UTC systemd-analyze calendar --base-time="$base UTC" --iterations=5 "$cal" 2>&1 |
                 sed -n 's/^ *\(Next elapse\|Iter\. #[0-9]*\): //p' | paste -sd $'\t')
        ours=$(printf '%s' "$ours")
        if [ "$ours" = "$theirs" ]; then
            agree=$((agree + 1))
        else
            differ=$((differ + 1))
            echo "# $name '$cal' after $base: ours '$ours', systemd '$theirs'"
        fi
    done <"$T/next.out"
done
check "systemd-analyze calendar was asked ($agree agreed)" test "$agree" -ge 50
check_eq "it agrees with llmwatch on every next run" "0" "$differ"

# ---- a run past its timeout ----
printf '#!/bin/sh\nexec sleep 5\n' >"$T/slow-weasyprint"
chmod +x "$T/slow-weasyprint"
cat >"$T/slow.yaml" <<'EOF'
reporting:
  schedules:
    - name: "Slow"
      frequency: "every 15 minutes"
      format: "pdf"
      timeout: 1
      sections: [executive_summary]
EOF
q "INSERT INTO job_runs (job, scheduled_for, started_at, finished_at, status)
   SELECT 'report:slow', s, s, s, 'ok'
   FROM (SELECT date_bin('15 minutes', now(), TIMESTAMPTZ '2000-01-01') - interval '15 minutes' AS s) x" >/dev/null
LLMWATCH_WEASYPRINT="$T/slow-weasyprint" $L report --due --schedule slow --config "$ROOT/monitoring_config.yaml" \
    --report-config "$T/slow.yaml" >"$T/slow.out" 2>&1
check_eq "the run is recorded as failed" "failed" \
    "$(q "SELECT status FROM job_runs WHERE job = 'report:slow' ORDER BY scheduled_for DESC LIMIT 1")"
check_eq "because it was killed at its timeout" "timed out after 1 s: killed" \
    "$(q "SELECT error FROM job_runs WHERE job = 'report:slow' ORDER BY scheduled_for DESC LIMIT 1")"
check_eq "no report of it was stored" "0" "$(q "SELECT count(*) FROM reports WHERE schedule = 'Slow'")"

# ---- a run whose process died ----
q "INSERT INTO job_runs (job, scheduled_for, started_at, status, host, pid)
   VALUES ('maintain', date_bin('1 hour', now(), TIMESTAMPTZ '2000-01-01') - interval '1 hour',
           now() - interval '5 minutes', 'running', 'gone-host', 1)" >/dev/null
$L scheduler-status --show-missed-jobs --days 1 --config "$ROOT/monitoring_config.yaml" \
    --report-config "$T/slow.yaml" >"$T/status" 2>&1
check_eq "scheduler-status exits 0" "0" "$?"
check_contains "it lists every job with its schedule" "- maintain (maintain): every hour" "$T/status"
check_contains "and the report schedules" "- report:slow (Slow): every 15 minutes" "$T/status"
check_contains "a running slot nobody holds is abandoned" "abandoned: its process on gone-host went away" "$T/status"
check_contains "a timed-out slot is listed with why" "failed: timed out after 1 s: killed" "$T/status"

finish
