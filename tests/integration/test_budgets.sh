#!/bin/bash
# test_budgets.sh: spending budgets end to end. The seed's three budgets
# (budget add --daily-budget 150 --weekly-budget 900 --monthly-budget 3500
# --alert-at 80,90,100); production usage pushed step by step into a past
# week (usage import), `evaluate --at` each step and `notify` into a real
# aiosmtpd: exactly one mail per step, naming the tier crossed; nothing
# after the period rolls over until a tier is crossed again; restarts of
# every process (llmwatch-web, aiosmtpd, evaluate, notify) in between
# change nothing. Then budgets from the configuration, the /budgets page,
# its form and removal, and the budget CLI's refusals.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
INSPECT="$PY $ROOT/tests/integration/peers/inspect.py"
L="$BIN/llmwatch"
$PY -c 'import aiosmtpd' 2>/dev/null || { fail "python3-aiosmtpd is not installed"; finish; exit 1; }

SMTP_PORT=$(free_port)
cat >"$T/config.yaml" <<EOF
monitoring:
  environment: production
  models:
    - provider: openai
      model: gpt-4
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
  alerts:
    channels:
      - name: mail
        type: email
        recipients: ["finance@example.com"]
        smtp_url: "smtp://127.0.0.1:$SMTP_PORT"
        from: "llmwatch <alerts@example.com>"
        severity: ["critical", "warning"]
EOF
stack_start "$T/config.yaml" || { fail "stack start"; finish; exit 1; }
# a long retention: the usage of a past month is kept (init again only
# changes the setting)
$L init --database "$DB_URL" --retention-days 400 --config "$T/config.yaml" >/dev/null 2>&1

mkdir -p "$T/maildir/new" "$T/maildir/cur" "$T/maildir/tmp"
smtp_start() {
    $PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$T/maildir" \
        >>"$T/smtp.log" 2>&1 &
    SMTP_PID=$!
    STACK_PIDS+=("$SMTP_PID")
    local i=0
    until port_in_use "$SMTP_PORT"; do i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.05; done
}
smtp_start || fail "aiosmtpd did not start"

# ---- the seed's budgets ----
$L budget add --daily-budget 150 --weekly-budget 900 --monthly-budget 3500 --alert-at 80,90,100 \
    >"$T/add.out" 2>&1
check_eq "budget add --daily-budget ... adds three budgets" "3" \
    "$(grep -c "^✓ budget '" "$T/add.out")"
check_eq "each with its rule (kind budget, never evaluated as a rule)" "3|0" \
    "$(psql_test -c "SELECT count(*), count(*) FILTER (WHERE r.enabled) FROM budgets b
                     JOIN rules r ON r.id = b.rule_id AND r.kind = 'budget'")"
check_eq "tiers 80, 90, 100" "{80,90,100}" \
    "$(psql_test -c "SELECT DISTINCT thresholds FROM budgets")"

# A past week inside one month, in a month before this one (so that the
# next month's first day is past too): D1 is its Monday.
D1=$(psql_test -c "SELECT to_char(d, 'YYYY-MM-DD') FROM (
    SELECT date_trunc('week', date_trunc('month', now()) - interval '8 days')
           - k * interval '7 days' AS d FROM generate_series(0, 6) k) x
    WHERE date_trunc('month', d) = date_trunc('month', d + interval '6 days') ORDER BY d DESC LIMIT 1")
D2=$(date -u -d "$D1 + 1 day" +%F)
D3=$(date -u -d "$D1 + 2 days" +%F)
NM=$(psql_test -c "SELECT to_char(date_trunc('month', DATE '$D1') + interval '1 month', 'YYYY-MM-DD')")

mails() { ls "$T/maildir/new" | wc -l; }
# snap: remembers which mails are there; new_mails_with PHRASE: how many
# mails that came since hold PHRASE (Maildir names do not sort by time)
snap() { ls "$T/maildir/new" | sort >"$T/snap"; }
new_mails_with() {
    ls "$T/maildir/new" | sort | comm -13 "$T/snap" - | $PY -c '
import email, email.policy, os, sys
n = 0
for name in sys.stdin.read().split():
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    text = "".join(p.get_content() for p in m.walk() if p.get_content_type() == "text/plain")
    n += sys.argv[2] in text
print(n)' "$T/maildir/new" "$1"
}
n_usage=0
# push TIME COST: one usage row (an import of a one-row file)
push() {
    n_usage=$((n_usage + 1))
    printf 'time,model,environment,cost,idempotency_key\n%s,gpt-4,production,%s,push-%d\n' \
        "$1" "$2" "$n_usage" >"$T/push.csv"
    $L usage import "$T/push.csv" >>"$T/push.out" 2>&1 || fail "usage import of $1 $2"
}
# settle TIME: evaluate at TIME, then deliver everything
settle() {
    $L evaluate --at "$1" >>"$T/evaluate.out" 2>&1 || fail "evaluate --at $1"
    $L notify >>"$T/notify.out" 2>&1 || fail "notify after $1"
}
# step NAME TIME COST AT PHRASE...: spend, settle, and exactly one new mail
# holding each phrase
step() {
    local name=$1 t=$2 cost=$3 at=$4 before phrase
    shift 4
    before=$(mails)
    snap
    push "$t" "$cost"
    settle "$at"
    check_eq "$name: one notification" "1" "$(($(mails) - before))"
    for phrase in "$@"; do
        check_eq "$name: the mail says '$phrase'" "1" "$(new_mails_with "$phrase")"
    done
}
# quiet NAME AT...: evaluations that announce no tier (the pace alert, once
# per period, may come: it is counted at the end)
quiet() {
    local name=$1 at
    shift
    snap
    for at in "$@"; do settle "$at"; done
    check_eq "$name: no tier announced" "0" "$(new_mails_with "budget reached")"
}

step "daily 80%" "$D1 10:00" 120 "$D1 11:00" "80% of the daily budget reached: \$120.00 of \$150.00" \
    "at this pace the daily budget runs out at 12:30"
step "daily 90%" "$D1 11:30" 15 "$D1 12:00" "90% of the daily budget reached: \$135.00 of \$150.00"
step "daily 100%" "$D1 12:30" 15 "$D1 13:00" "100% of the daily budget reached: \$150.00 of \$150.00"
check_eq "100% is critical, below is a warning" "critical 1 warning 2" \
    "$($INSPECT mails "$T/maildir" | $PY -c 'import json,sys
s = [json.loads(l)["subject"].split()[2].rstrip(":") for l in sys.stdin]
print("critical", s.count("critical"), "warning", s.count("warning"))')"
check_eq "the mails' subjects name the budget" "3" \
    "$($INSPECT mails "$T/maildir" --subject "Budget: daily" | wc -l)"

# ---- restarts of every process in between change nothing ----
web_stop
web_start
kill "$SMTP_PID"; wait "$SMTP_PID" 2>/dev/null
smtp_start || fail "aiosmtpd did not come back"
before=$(mails)
quiet "after restarts, the same evaluations again" "$D1 11:00" "$D1 12:00" "$D1 13:00"
check_eq "after restarts: no mail at all" "0" "$(($(mails) - before))"
check_eq "each tier of the day recorded once" "80 90 100" \
    "$(psql_test -c "SELECT string_agg(threshold::text, ' ' ORDER BY threshold) FROM budget_crossings c
                     JOIN budgets b ON b.id = c.budget_id WHERE b.name = 'daily' AND c.kind = 'tier'")"

# ---- the period rolls over: nothing until a tier is crossed again ----
quiet "the next day, before any spend" "$D2 01:00" "$D2 09:00"
check_eq "the daily alert resolved quietly at the rollover" "resolved" \
    "$(psql_test -c "SELECT a.state FROM alerts a JOIN budgets b ON b.rule_id = a.rule_id
                     WHERE b.name = 'daily' ORDER BY a.id LIMIT 1")"
step "D2: daily crossed again, weekly 80%" "$D2 10:00" 570 "$D2 11:00" \
    "80% of the weekly budget reached: \$720.00 of \$900.00" "100% of the daily budget reached: \$570.00"
step "weekly 90%" "$D2 11:30" 90 "$D2 12:00" "90% of the weekly budget reached: \$810.00 of \$900.00"
step "weekly 100%" "$D2 12:30" 90 "$D2 13:00" "100% of the weekly budget reached: \$900.00 of \$900.00"
step "monthly 80%" "$D3 10:00" 1900 "$D3 11:00" "80% of the monthly budget reached: \$2,800.00 of \$3,500.00"
step "monthly 90%" "$D3 11:30" 350 "$D3 12:00" "90% of the monthly budget reached: \$3,150.00 of \$3,500.00"
step "monthly 100%" "$D3 12:30" 350 "$D3 13:00" "100% of the monthly budget reached: \$3,500.00 of \$3,500.00"
quiet "every evaluation of the week again" "$D1 11:00" "$D1 13:00" "$D2 11:00" "$D2 13:00" "$D3 11:00" \
    "$D3 13:00" "$D3 23:00"
quiet "the next month, before any spend" "$NM 01:00" "$NM 09:00"
check_eq "no budget alert open after the rollovers" "0" \
    "$(psql_test -c "SELECT count(*) FROM alerts a JOIN budgets b ON b.rule_id = a.rule_id
                     WHERE a.state <> 'resolved'")"
step "next month: monthly 80% again" "$NM 10:00" 2800 "$NM 11:00" \
    "80% of the monthly budget reached: \$2,800.00 of \$3,500.00"
: >"$T/snap"
check_eq "mails holding each monthly tier: 80% twice (two months), 90% and 100% once" "2 1 1" \
    "$(new_mails_with "80% of the monthly budget") $(new_mails_with "90% of the monthly budget") $(new_mails_with "100% of the monthly budget")"
for b in daily weekly monthly; do
    check_eq "the $b pace: one mail per period that announced it" \
        "$(psql_test -c "SELECT count(*) FROM budget_crossings c JOIN budgets b ON b.id = c.budget_id
                         WHERE b.name = '$b' AND c.kind = 'pace'")" \
        "$(new_mails_with "at this pace the $b budget runs out")"
done
check_eq "no delivery failed" "0" "$(psql_test -c "SELECT count(*) FROM notifications WHERE status <> 'sent'")"
check_contains "evaluate prints the budget's changes" "Budget: weekly: firing -> firing, 90% of the weekly budget" "$T/evaluate.out"

# ---- what `budget list` shows (its own --at) ----
$L budget list --at "$D2 13:00" >"$T/list.out" 2>&1
check_contains "budget list: the weekly budget spent" "\$900.00" "$T/list.out"
check_contains "budget list: the tiers announced" "80%, 90%, 100%" "$T/list.out"
check_contains "budget list states the pace's forecast" "last quarter of the period" "$T/list.out"

# ---- the CLI refuses what is wrong, naming the option ----
$L budget add --period yearly --amount 10 >"$T/bad.out" 2>&1
check_eq "an unknown period is a usage error" "2" "$?"
check_contains "it names the option" "--period: Choose the period" "$T/bad.out"
$L budget add --period daily --amount -5 --alert-at 90,80 >"$T/bad.out" 2>&1
check_contains "a negative amount is refused" "--amount:" "$T/bad.out"
check_contains "tiers must go up" "--alert-at: Alert tiers must go up" "$T/bad.out"
$L budget add --period daily --amount 10 >"$T/bad.out" 2>&1
check_eq "a taken name is refused" "1" "$?"
check_contains "with the reason" "already called" "$T/bad.out"

# ---- budgets from the configuration ----
cat "$T/config.yaml" >"$T/config2.yaml"
cat >>"$T/config2.yaml" <<'EOF'
  budgets:
    - name: gpt4-weekly
      period: weekly
      amount: 250.50
      alert_at: [50, 100]
      model: gpt-4
      time_zone: Europe/Paris
EOF
$L config apply --config "$T/config2.yaml" >"$T/apply.out" 2>&1 || fail "config apply with budgets"
check_eq "a config budget is stored with its scope, tiers and zone" "config|gpt-4|250.500000|{50,100}|Europe/Paris" \
    "$(psql_test -c "SELECT source, model_name, amount_usd, thresholds, time_zone FROM budgets WHERE name = 'gpt4-weekly'")"
$L budget remove gpt4-weekly >"$T/rm.out" 2>&1
check_contains "the CLI does not remove a config budget" "comes from the configuration file" "$T/rm.out"
$L config apply --config "$T/config.yaml" >/dev/null 2>&1
check_eq "leaving the file removes it" "0" "$(psql_test -c "SELECT count(*) FROM budgets WHERE name = 'gpt4-weekly'")"
printf 'monitoring:\n  models:\n    - {provider: openai, model: gpt-4, sla_target: 2}\n  budgets:\n    - {period: hourly, amount: 0, alert_at: [90, 80], time_zone: Mars/Base}\n' >"$T/bad.yaml"
$L validate --config "$T/bad.yaml" >"$T/validate.out" 2>&1
check_contains "validate: a bad period, at its position" "bad.yaml:5:16: error: unknown period 'hourly'" "$T/validate.out"
check_contains "validate: a zero amount" "'amount' must be more than 0" "$T/validate.out"
check_contains "validate: tiers that go down" "'alert_at' must go up" "$T/validate.out"
check_contains "validate: an unknown time zone" "'time_zone' must be UTC or a name of the tz database" "$T/validate.out"

# ---- /budgets and its form ----
login editor@example.com pw-editor-0123456789 "$T/editor.jar" || fail "editor logs in"
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" || fail "viewer logs in"
check_eq "/budgets answers" "200" "$(get "$T/viewer.jar" /budgets "$T/budgets.html")"
check_contains "/budgets lists the daily budget" "daily" "$T/budgets.html"
check_contains "/budgets shows probe and production spend apart" "Production" "$T/budgets.html"
check_contains "/budgets draws a chart per budget" "<svg" "$T/budgets.html"
check_not_contains "a viewer gets no link to add one" 'href="/budgets/new"' "$T/budgets.html"
check_eq "a viewer cannot open the form" "403" "$(get "$T/viewer.jar" /budgets/new "$T/form.html")"
check_eq "an editor opens the form" "200" "$(get "$T/editor.jar" /budgets/new "$T/form.html")"
csrf=$(csrf_from "$T/form.html")
post_form() {
    curl -s -b "$T/editor.jar" -o "$T/post.html" -D "$T/post.h" -w '%{http_code}' \
        --data-urlencode "csrf_token=$csrf" "$@" "$BASE/budgets/new"
}
check_eq "a bad amount is a 422" "422" "$(post_form --data-urlencode period=monthly --data-urlencode amount=lots)"
check_contains "naming the field" "The amount is in dollars" "$T/post.html"
check_eq "a good one is stored and redirects" "303" \
    "$(post_form --data-urlencode name=team-x --data-urlencode period=monthly --data-urlencode amount=99.99 \
       --data-urlencode alert_at="50, 100" --data-urlencode environment=production)"
check_eq "with its fields" "ui|monthly|99.990000|{50,100}" \
    "$(psql_test -c "SELECT b.source, b.period, b.amount_usd, b.thresholds FROM budgets b WHERE name = 'team-x'")"
check_eq "the change is audited" "1" "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'budget' AND action = 'create' AND actor = 'editor@example.com'")"
id=$(psql_test -c "SELECT id FROM budgets WHERE name = 'team-x'")
check_eq "removing asks first" "200" "$(get "$T/editor.jar" "/budgets/$id/delete" "$T/del.html")"
csrf=$(csrf_from "$T/del.html")
check_eq "then removes" "303" "$(curl -s -b "$T/editor.jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$csrf" "$BASE/budgets/$id/delete")"
check_eq "it is gone" "0" "$(psql_test -c "SELECT count(*) FROM budgets WHERE name = 'team-x'")"

finish
