#!/bin/bash
# test_cli.sh: init (idempotent, no duplicates), migrate, validate's
# diagnostics, user management, config re-sync.
. "$(dirname "$0")/lib.sh"

DB_NAME="t_cli_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
L="$BIN/llmwatch"

$L init --database "$DB_URL" --retention-days 90 --config "$ROOT/monitoring_config.yaml" >"$T/init1" 2>&1
check_eq "init exits 0" "0" "$?"
check_contains "init prints the summary" "Monitoring system initialized" "$T/init1"
check_contains "init reports the created database" "Database created: $DB_NAME" "$T/init1"
nm=$(grep -c '^    - provider:\|^    - name:' "$ROOT/monitoring_config.yaml")
check_contains "init counts the configured models" "Configuration loaded: $nm models, " "$T/init1"
check_contains "init counts the seed's schedules and rules" "3 schedules, 3 alert rules" "$T/init1"

$L init --database "$DB_URL" --retention-days 90 --config "$ROOT/monitoring_config.yaml" >"$T/init2" 2>&1
check_eq "second init exits 0" "0" "$?"
check_contains "second init applies no migration" "no migration to apply" "$T/init2"
check_eq "models not duplicated" "$nm" "$(psql -X -tA -d "$DB_URL" -c 'SELECT count(*) FROM models')"
check_eq "rules not duplicated" "3" "$(psql -X -tA -d "$DB_URL" -c 'SELECT count(*) FROM rules')"
check_eq "migrations recorded once" "$(ls "$ROOT"/sql/[0-9][0-9][0-9]_*.sql | wc -l)" \
    "$(psql -X -tA -d "$DB_URL" -c 'SELECT count(*) FROM schema_migrations')"
check_eq "retention recorded" "90" \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT value FROM settings WHERE key = 'retention_days'")"
check "today's probe partition exists" test "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT count(*) FROM pg_class WHERE relname = 'probes_' || to_char(current_date, 'YYYYMMDD')")" = 1
check_eq "migrate is a no-op now" "0 migrations applied" "$($L migrate --database "$DB_URL")"

# a model removed from the config is disabled, not deleted; back again: enabled
sed '/^    - provider: google/,/base_url/d' "$ROOT/monitoring_config.yaml" >"$T/less.yaml"
$L init --database "$DB_URL" --config "$T/less.yaml" >/dev/null 2>&1
check_eq "removed model disabled" "f" \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT enabled FROM models WHERE model = 'gemini-1.5-pro'")"
$L init --database "$DB_URL" --config "$ROOT/monitoring_config.yaml" >/dev/null 2>&1
check_eq "model back in the config is enabled again" "t" \
    "$(psql -X -tA -d "$DB_URL" -c "SELECT enabled FROM models WHERE model = 'gemini-1.5-pro'")"
check "config changes are audit-logged" test "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT count(*) FROM audit_log WHERE object_type = 'model' AND action = 'disable'")" -ge 1
check_eq "secrets stored only as references" "0" "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT count(*) FROM channels WHERE settings::text ~ 'hooks.slack.com'")"

# validate: three mistakes, three positioned errors
cat >"$T/bad.yaml" <<'YAML'
monitoring:
  models:
    - provider: openai
      model: gpt-4
      priorty: high
      sla_target: "fast"
  schedule:
    performance_checks:
      frequency: "every blue moon"
      timeout: 300
YAML
$L validate --config "$T/bad.yaml" >"$T/val.out" 2>&1
check_eq "validate exits non-zero on errors" "1" "$?"
check_eq "validate prints three errors" "3" "$(grep -c ': error: ' "$T/val.out")"
check_contains "typo reported at its line and column" "bad.yaml:5:7: error" "$T/val.out"
check_contains "string for a number at its position" "bad.yaml:6:19: error" "$T/val.out"
check_contains "bad frequency at its position" "bad.yaml:9:18: error" "$T/val.out"
$L validate --config "$ROOT/monitoring_config.yaml" >"$T/val2.out" 2>&1
check_eq "the shipped config validates" "0" "$?"
check_eq "init refuses a bad config" "1" \
    "$($L init --database "$DB_URL" --config "$T/bad.yaml" >/dev/null 2>&1; echo $?)"

# users
echo "secret-password-1" | $L user add --email Ops@Example.com --role editor --database "$DB_URL" >"$T/u1" 2>&1
check_eq "user add from stdin" "0" "$?"
echo "x" | $L user add --email ops@example.com --role viewer --database "$DB_URL" >"$T/u2" 2>&1
check_eq "duplicate user (any case) refused" "1" "$?"
$L user add --email gen@example.com --role viewer --generate --database "$DB_URL" </dev/null >"$T/u3" 2>&1
check_eq "generated password user" "0" "$?"
check "generated password printed once" grep -qi 'password' "$T/u3"
$L user add --email bad@example.com --role superuser --database "$DB_URL" </dev/null >"$T/u4" 2>&1
check_eq "unknown role refused" "2" "$?"
check_eq "password stored as yescrypt" "1" "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT count(*) FROM users WHERE email = 'Ops@Example.com' AND password_hash LIKE '\$y\$%'")"
check_not_contains "the password is not printed back" "secret-password-1" "$T/u1"

$L maintain --database "$DB_URL" >"$T/maint" 2>&1
check_eq "maintain runs" "0" "$?"
check_eq "maintain recorded in job_runs" "ok" "$(psql -X -tA -d "$DB_URL" -c \
    "SELECT status FROM job_runs WHERE job = 'maintain' ORDER BY id DESC LIMIT 1")"

# make install into a staging root
san=0; [ "$BUILD" = build-san ] && san=1
make -s -C "$ROOT" install SANITIZE=$san BUILD="$BUILD" DESTDIR="$T/inst" PREFIX=/usr/local >"$T/install.log" 2>&1
check_eq "make install succeeds" "0" "$?"
for f in bin/llmwatch bin/llmwatch-web bin/llmwatch-sim share/llmwatch/templates/layout.cs \
         share/llmwatch/static/llmwatch.css share/llmwatch/sql/001_schema.sql \
         share/llmwatch/worker/suites/comprehensive.yaml lib/systemd/system/llmwatch-web.service \
         lib/systemd/system/llmwatch-run-due.timer; do
    check "installed $f" test -e "$T/inst/usr/local/$f"
done
check "nginx site installed" test -e "$T/inst/etc/nginx/sites-available/llmwatch"
UNITS="$T/inst/usr/local/lib/systemd/system"
# the schedule as installed, not a copy of it
oncal=$(sed -n 's/^OnCalendar=//p' "$UNITS/llmwatch-run-due.timer")
check "the installed timer has an OnCalendar=" test -n "$oncal"
check_contains "the installed units name the installed binary" \
    "ExecStart=/usr/local/bin/llmwatch run-due " "$UNITS/llmwatch-run-due.service"
if command -v systemd-analyze >/dev/null; then
    check "the installed timer's calendar is valid" systemd-analyze calendar "$oncal"
    # inside the staging root (its binaries, no system units to depend on);
    # any message, warning or not, is a failure
    (cd "$UNITS" && systemd-analyze verify --root="$T/inst" --recursive-errors=no --man=no \
        ./*.service ./*.timer) >"$T/verify.out" 2>&1
    check_eq "systemd-analyze verify accepts the installed units" "0" "$?"
    check_eq "systemd-analyze verify has nothing to say" "" "$(cat "$T/verify.out")"
fi
# what the units say exists: every llmwatch command they run, every job named
for cmd in $(sed -n 's|^ExecStart=[^ ]*/llmwatch \([a-z-]*\).*|\1|p' "$UNITS"/*.service); do
    check "unit command 'llmwatch $cmd' exists" "$T/inst/usr/local/bin/llmwatch" "$cmd" --help
done
jobs=$(sed -n 's/^Description=.*due (\(.*\))$/\1/p' "$UNITS/llmwatch-run-due.service" | tr -d ',')
check "the run-due unit lists its jobs" test -n "$jobs"
for job in $jobs; do
    "$L" run-due --job "$job" --database "postgresql:///nonexistent?host=/nonexistent" >/dev/null 2>&1
    check "run-due knows the job '$job' its unit names" test "$?" -ne 2
done
check_eq "installed binary finds its installed data" "0" "$(LLMWATCH_DATADIR="$T/inst/usr/local/share/llmwatch" \
    "$T/inst/usr/local/bin/llmwatch" migrate --database "$DB_URL" >/dev/null 2>&1; echo $?)"

psql -X -q -d "$(pg_url "$LW_TEST_PG_DIR" postgres)" -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1
finish
