#!/bin/bash
# test_alerting_web.sh: the alerting pages through nginx, against the real
# database: the rule form (bad then good, preview, edit, disable, delete),
# an expression with HTML in it shown escaped, roles (viewers get 403 on
# every change), POST /api/v1/rules, silences (one-off, recurring, expire),
# acknowledge / false positive on an alert, routing, and audit_log rows
# with before and after. Ends with the headless Chromium test.
. "$(dirname "$0")/lib.sh"

stack_start || { fail "stack start"; finish; exit 1; }

login editor@example.com pw-editor-0123456789 "$T/editor.jar" && ok "editor logs in" || fail "editor logs in"
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" && ok "viewer logs in" || fail "viewer logs in"
login admin@example.com pw-admin-0123456789 "$T/admin.jar" && ok "admin logs in" || fail "admin logs in"
login compliance@example.com pw-compliance-0123456789 "$T/comp.jar" && ok "compliance logs in" || fail "compliance logs in"

# post JAR PATH OUT [curl args...]: urlencoded POST with the page's CSRF
# token (from $T/csrf.<jar>); prints the status code.
post() {
    local jar=$1 path=$2 out=$3
    shift 3
    curl -s -b "$jar" -o "$out" -D "$out.h" -w '%{http_code}' \
        --data-urlencode "csrf_token=$(cat "$jar.csrf")" "$@" "$BASE$path"
}
csrf_for() {
    get "$1" /rules "$T/csrf-page.html" >/dev/null
    csrf_from "$T/csrf-page.html" >"$1.csrf"
}
for j in editor viewer admin comp; do csrf_for "$T/$j.jar"; done
location() { sed -n 's/^[Ll]ocation: \([^\r]*\).*/\1/p' "$1.h" | tr -d '\r'; }

# ---- history for the preview: gpt-4 slow for two hours, yesterday ----
psql_test <<'SQL' >/dev/null
INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, output_tokens, decode_tps, cost_usd)
SELECT g, m.id, m.environment_id, true, 300,
       CASE WHEN g > now() - interval '26 hours' AND g < now() - interval '24 hours' THEN 4500 ELSE 1500 END,
       100, 50, 0.001
FROM generate_series(now() - interval '2 days', now(), interval '5 minutes') g, models m
WHERE m.name = 'gpt-4';
ANALYZE probes;
SQL

# ---- the rule form: bad, then good ----
check_eq "editor GET /rules/new" 200 "$(get "$T/editor.jar" /rules/new "$T/new.html")"
check_contains "the form has every kind" 'value="burn_rate"' "$T/new.html"
for k in statistical trend composite forecast burn_rate; do
    code=$(get "$T/editor.jar" "/rules/new?kind=$k" "$T/new-$k.html")
    check_eq "form for a $k rule" 200 "$code"
done
check_contains "statistical form asks for k" 'name="k"' "$T/new-statistical.html"
check_contains "statistical form asks for the lookback" 'name="lookback_window"' "$T/new-statistical.html"
check_contains "trend form asks for a limit" 'name="threshold"' "$T/new-trend.html"
check_contains "composite form asks for conditions" 'name="conditions"' "$T/new-composite.html"
check_contains "composite form asks for AND/OR" 'name="operator"' "$T/new-composite.html"
check_contains "forecast form asks for the horizon" 'name="horizon"' "$T/new-forecast.html"
check_contains "burn rate form asks for the SLO" 'name="slo_target"' "$T/new-burn_rate.html"
check_contains "burn rate form asks for the period" 'name="period"' "$T/new-burn_rate.html"
check_contains "scope lists the models from the database" 'value="gpt-4"' "$T/new.html"

code=$(post "$T/editor.jar" /rules/new "$T/bad.html" --data-urlencode "action=save" \
    --data-urlencode "name=Web slow" --data-urlencode "kind=threshold" --data-urlencode "severity=critical" \
    --data-urlencode "condition=avg_latency > sla_targt * 1.5" --data-urlencode "window=30m" \
    --data-urlencode "models=gpt-4")
check_eq "a bad expression is refused with 422" 422 "$code"
check_contains "the error is beside the condition" 'id="condition-error"' "$T/bad.html"
check_contains "the error names the column" "at column 15" "$T/bad.html"
check_contains "the column is marked in the expression" '<mark>sla_targt</mark>' "$T/bad.html"
check_contains "what was typed is kept (condition)" 'value="avg_latency &gt; sla_targt * 1.5"' "$T/bad.html"
check_contains "what was typed is kept (window)" 'value="30m"' "$T/bad.html"
check_contains "what was typed is kept (scope)" 'value="gpt-4" checked' "$T/bad.html"
check_contains "what was typed is kept (severity)" 'value="critical" selected' "$T/bad.html"
check_eq "nothing was saved" 0 "$(psql_test -c "SELECT count(*) FROM rules WHERE name = 'Web slow'")"

code=$(post "$T/editor.jar" /rules/new "$T/html.html" --data-urlencode "action=save" \
    --data-urlencode "name=<b>bold</b>" --data-urlencode "kind=threshold" \
    --data-urlencode "condition=error_rate > <script>alert(1)</script>")
check_eq "an expression with HTML is refused" 422 "$code"
check_contains "the expression's HTML is shown escaped" '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/html.html"
check_not_contains "no raw script from the expression" '<script>alert(1)' "$T/html.html"
check_not_contains "no raw markup from the name" '<b>bold</b>' "$T/html.html"

code=$(post "$T/editor.jar" /rules/new "$T/missing.html" --data-urlencode "action=save" \
    --data-urlencode "name=Burn" --data-urlencode "kind=burn_rate")
check_eq "a burn-rate rule without an SLO is refused" 422 "$code"
check_contains "the error is beside the SLO field" 'id="slo_target-error"' "$T/missing.html"

# "Change kind" keeps what was typed and shows the other kind's fields
code=$(post "$T/editor.jar" /rules/new "$T/kind.html" --data-urlencode "action=kind" \
    --data-urlencode "name=Kept <name>" --data-urlencode "kind=composite" --data-urlencode "for=5m")
check_eq "changing the kind answers 200" 200 "$code"
check_contains "the composite fields appear" 'name="conditions"' "$T/kind.html"
check_contains "the typed name is kept" 'value="Kept &lt;name&gt;"' "$T/kind.html"
check_contains "the typed timing is kept" 'value="5m"' "$T/kind.html"
check_not_contains "no errors before saving" 'id="form-errors"' "$T/kind.html"

# preview before saving: the backtest over the last 7 days
good=(--data-urlencode "name=Web slow" --data-urlencode "kind=threshold" --data-urlencode "severity=critical"
      --data-urlencode "condition=avg_latency > sla_target * 1.5" --data-urlencode "window=15m"
      --data-urlencode "models=gpt-4" --data-urlencode "send_resolved=1" --data-urlencode "enabled=1"
      --data-urlencode "runbook=# Steps
1. Check the provider's status page.
<script>alert('runbook')</script>")
code=$(post "$T/editor.jar" /rules/new "$T/preview.html" --data-urlencode "action=preview" "${good[@]}")
check_eq "preview answers 200" 200 "$code"
check_contains "preview says how often it would have fired" 'this rule would have fired' "$T/preview.html"
check_contains "preview counts one firing over the history" 'id="preview-count">1 time<' "$T/preview.html"
check_contains "preview lists the moment with the model" '<td>gpt-4</td>' "$T/preview.html"
check_contains "preview draws the value against the limit" '<svg' "$T/preview.html"
check_contains "preview keeps the form filled" 'value="avg_latency &gt; sla_target * 1.5"' "$T/preview.html"
check_eq "preview saves nothing" 0 "$(psql_test -c "SELECT count(*) FROM rules WHERE name = 'Web slow'")"

code=$(post "$T/editor.jar" /rules/new "$T/saved.html" --data-urlencode "action=save" "${good[@]}")
check_eq "a good rule is saved (303)" 303 "$code"
rule_id=$(psql_test -c "SELECT id FROM rules WHERE name = 'Web slow' AND source = 'ui'")
check_eq "redirect to the rule" "/rules/$rule_id?created=1" "$(location "$T/saved.html")"
check_eq "stored as the config would" 'threshold|avg_latency > sla_target * 1.5|{"window_s": 900}|{gpt-4}|critical' \
    "$(psql_test -c "SELECT kind, expression, params, scope_models, severity FROM rules WHERE id = $rule_id")"
check_eq "creation audit-logged with the row after" "1" \
    "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'rule' AND object_id = '$rule_id'
                     AND action = 'create' AND before IS NULL AND after->>'name' = 'Web slow'
                     AND actor = 'editor@example.com'")"
check_eq "rule page 200" 200 "$(get "$T/editor.jar" "/rules/$rule_id?created=1" "$T/rule.html")"
check_contains "the rule page says it was created" 'The rule was created' "$T/rule.html"
check_contains "the runbook is rendered" '<h1>Steps</h1>' "$T/rule.html"
check_not_contains "raw HTML of the runbook is dropped" "<script>alert('runbook')" "$T/rule.html"
get "$T/viewer.jar" /rules "$T/rules-viewer.html" >/dev/null
check_contains "the rule is listed" '>Web slow</a>' "$T/rules-viewer.html"
check_not_contains "viewer sees no New rule button" 'id="new-rule"' "$T/rules-viewer.html"
check_not_contains "viewer sees no Disable buttons" '>Disable</button>' "$T/rules-viewer.html"
get "$T/editor.jar" /rules "$T/rules-editor.html" >/dev/null
check_contains "editor sees the New rule button" 'id="new-rule"' "$T/rules-editor.html"

code=$(post "$T/editor.jar" /rules/new "$T/dup.html" --data-urlencode "action=save" "${good[@]}")
check_eq "the same name again is refused" 422 "$code"
check_contains "the error is beside the name" 'id="name-error"' "$T/dup.html"

# edit
check_eq "edit form 200" 200 "$(get "$T/editor.jar" "/rules/$rule_id/edit" "$T/edit.html")"
check_contains "edit form is filled from the row" 'value="15m"' "$T/edit.html"
version=$(sed -n 's/.*name="version" value="\([^"]*\)".*/\1/p' "$T/edit.html" | head -1)
code=$(post "$T/editor.jar" "/rules/$rule_id/edit" "$T/edited.html" --data-urlencode "action=save" \
    --data-urlencode "version=$version" --data-urlencode "name=Web slow" --data-urlencode "kind=threshold" \
    --data-urlencode "severity=warning" --data-urlencode "condition=p95_latency > sla_target * 2" \
    --data-urlencode "window=15m" --data-urlencode "enabled=1")
check_eq "edit saved (303)" 303 "$code"
check_eq "edit audit-logged with before and after" "avg_latency > sla_target * 1.5|p95_latency > sla_target * 2|critical|warning" \
    "$(psql_test -c "SELECT before->>'expression', after->>'expression', before->>'severity', after->>'severity'
                     FROM audit_log WHERE object_type = 'rule' AND object_id = '$rule_id' AND action = 'update'")"
code=$(post "$T/editor.jar" "/rules/$rule_id/edit" "$T/stale.html" --data-urlencode "action=save" \
    --data-urlencode "version=$version" --data-urlencode "name=Web slow" --data-urlencode "kind=threshold" \
    --data-urlencode "condition=error_rate > 0.9")
check_eq "an edit of a stale copy is refused" 422 "$code"
check_contains "and says why" 'changed or deleted by someone else' "$T/stale.html"

# config rules are read-only here
cfg_id=$(psql_test -c "SELECT id FROM rules WHERE name = 'High Latency'")
check_eq "a config rule has no edit form" 403 "$(get "$T/editor.jar" "/rules/$cfg_id/edit" "$T/cfg.html")"
check_contains "and says where to change it" 'monitoring_config.yaml' "$T/cfg.html"
check_eq "a config rule can be duplicated" 200 "$(get "$T/editor.jar" "/rules/new?copy=$cfg_id" "$T/copy.html")"
check_contains "the copy is filled from the config rule" 'value="avg_latency &gt; sla_target * 1.5"' "$T/copy.html"
check_contains "the copy has a new name" 'value="High Latency (copy)"' "$T/copy.html"
check_eq "a config rule cannot be disabled here" 403 "$(post "$T/editor.jar" "/rules/$cfg_id/disable" "$T/v.html")"

# viewers change nothing
check_eq "viewer GET /rules/new is 403" 403 "$(get "$T/viewer.jar" /rules/new "$T/v.html")"
check_eq "viewer POST /rules/new is 403" 403 "$(post "$T/viewer.jar" /rules/new "$T/v.html" \
    --data-urlencode action=save "${good[@]}")"
check_eq "viewer POST edit is 403" 403 "$(post "$T/viewer.jar" "/rules/$rule_id/edit" "$T/v.html" "${good[@]}")"
check_eq "viewer POST disable is 403" 403 "$(post "$T/viewer.jar" "/rules/$rule_id/disable" "$T/v.html")"
check_eq "viewer POST delete is 403" 403 "$(post "$T/viewer.jar" "/rules/$rule_id/delete" "$T/v.html")"
check_eq "editor POST without CSRF is 403" 403 \
    "$(curl -s -b "$T/editor.jar" -o /dev/null -w '%{http_code}' --data action=save "$BASE/rules/$rule_id/disable")"

# disable, enable, delete
check_eq "disable (303)" 303 "$(post "$T/editor.jar" "/rules/$rule_id/disable" "$T/d.html")"
check_eq "disabled in the table" f "$(psql_test -c "SELECT enabled FROM rules WHERE id = $rule_id")"
check_eq "disable audit-logged before/after" "true|false" \
    "$(psql_test -c "SELECT before->>'enabled', after->>'enabled' FROM audit_log
                     WHERE object_type = 'rule' AND object_id = '$rule_id' AND action = 'disable'")"
check_eq "enable (303)" 303 "$(post "$T/editor.jar" "/rules/$rule_id/enable" "$T/d.html")"
check_eq "delete asks first" 200 "$(get "$T/editor.jar" "/rules/$rule_id/delete" "$T/del.html")"
check_contains "the confirmation names the rule" 'Web slow' "$T/del.html"
check_eq "delete (303)" 303 "$(post "$T/editor.jar" "/rules/$rule_id/delete" "$T/d.html")"
check_eq "soft delete keeps the row" "1" \
    "$(psql_test -c "SELECT count(*) FROM rules WHERE id = $rule_id AND deleted_at IS NOT NULL AND NOT enabled")"
check_eq "a deleted rule is gone from its page" 404 "$(get "$T/editor.jar" "/rules/$rule_id" "$T/x.html")"
get "$T/editor.jar" /rules "$T/rules-after.html" >/dev/null
check_not_contains "and from the list" '>Web slow</a>' "$T/rules-after.html"
check_eq "delete audit-logged" "1" \
    "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'rule' AND object_id = '$rule_id'
                     AND action = 'delete' AND before->>'deleted_at' IS NULL AND after->>'deleted_at' IS NOT NULL")"

# ---- POST /api/v1/rules ----
tok=$("$BIN/llmwatch" user token --email editor@example.com --name ci --role editor --database "$DB_URL" | sed -n '2p')
vtok=$("$BIN/llmwatch" user token --email viewer@example.com --name ro --database "$DB_URL" | sed -n '2p')
api() {
    curl -s -o "$T/api.json" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$2" "$BASE/api/v1/rules"
}
body='{"name": "API forecast", "type": "forecast", "metric": "p95_latency", "threshold": 2.5,
       "horizon": "5h", "severity": "info", "models": ["gpt-4"]}'
check_eq "API: a viewer token cannot create" 403 "$(api "$vtok" "$body")"
check_eq "API: create answers 201" 201 "$(api "$tok" "$body")"
check_contains "API: the stored rule comes back" '"name":"API forecast"' "$T/api.json"
check_contains "API: with its parameters" '"horizon_s":18000' "$T/api.json"
check_eq "API: stored with source api" "api|forecast" \
    "$(psql_test -c "SELECT source, kind FROM rules WHERE name = 'API forecast'")"
check_eq "API: the same name again is 422" 422 "$(api "$tok" "$body")"
check_contains "API: with the field" '"field":"name"' "$T/api.json"
check_eq "API: a bad expression is 422" 422 "$(api "$tok" '{"name": "x", "condition": "error_rate > > 1"}')"
check_contains "API: with the column" '"column":14' "$T/api.json"
check_eq "API: without a token is 401" 401 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data '{}' "$BASE/api/v1/rules")"

# ---- an alert, inserted as evaluate would ----
psql_test -c "UPDATE rules SET runbook = E'## Latency\n\nCheck **gpt-4**.\n\n<img src=x onerror=alert(3)>' WHERE id = $cfg_id" >/dev/null
alert_id=$(psql_test <<SQL
WITH a AS (INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at, value, threshold, summary)
  SELECT $cfg_id, m.id, m.environment_id, 'warning', 'firing', now() - interval '25 hours',
         now() - interval '25 hours', 4.5, 3, 'value 4.50 s > 3.00 s' FROM models m WHERE m.name = 'gpt-4'
  RETURNING id),
 e AS (INSERT INTO alert_events (alert_id, at, from_state, to_state, value, message)
  SELECT id, now() - interval '25 hours', NULL, 'firing', 4.5, 'value 4.50 s > 3.00 s' FROM a)
SELECT id FROM a;
SQL
)
check_eq "alerts list 200" 200 "$(get "$T/viewer.jar" /alerts "$T/alerts.html")"
check_contains "the firing alert is listed" "href=\"/alerts/$alert_id\"" "$T/alerts.html"
get "$T/viewer.jar" "/alerts?state=resolved" "$T/alerts-res.html" >/dev/null
check_not_contains "filter by state" "href=\"/alerts/$alert_id\"" "$T/alerts-res.html"
get "$T/viewer.jar" "/alerts?severity=warning&model=gpt-4" "$T/alerts-f.html" >/dev/null
check_contains "filter by severity and model" "href=\"/alerts/$alert_id\"" "$T/alerts-f.html"
check_eq "alert page 200" 200 "$(get "$T/viewer.jar" "/alerts/$alert_id" "$T/alert-v.html")"
check_contains "the rule's runbook is rendered" '<h2>Latency</h2>' "$T/alert-v.html"
check_not_contains "the runbook's raw HTML is dropped" '<img src=x' "$T/alert-v.html"
check_contains "the value chart is drawn" '<svg' "$T/alert-v.html"
check_not_contains "viewer sees no Acknowledge button" 'id="ack"' "$T/alert-v.html"
check_eq "viewer cannot acknowledge" 403 "$(post "$T/viewer.jar" "/alerts/$alert_id/acknowledge" "$T/v.html")"
check_eq "viewer cannot mark a false positive" 403 "$(post "$T/viewer.jar" "/alerts/$alert_id/false-positive" "$T/v.html" --data value=1)"
get "$T/editor.jar" "/alerts/$alert_id" "$T/alert-e.html" >/dev/null
check_contains "editor sees the Acknowledge button" 'id="ack"' "$T/alert-e.html"
check_eq "acknowledge (303)" 303 "$(post "$T/editor.jar" "/alerts/$alert_id/acknowledge" "$T/ack.html")"
check_eq "acknowledged by the editor" "editor@example.com" \
    "$(psql_test -c "SELECT u.email FROM alerts a JOIN users u ON u.id = a.acknowledged_by WHERE a.id = $alert_id")"
check_eq "acknowledge audit-logged with before and after" "1" \
    "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'alert' AND object_id = '$alert_id'
                     AND action = 'acknowledge' AND before->>'acknowledged_by' IS NULL
                     AND after->>'acknowledged_by' IS NOT NULL")"
check_eq "false positive (303)" 303 "$(post "$T/editor.jar" "/alerts/$alert_id/false-positive" "$T/fp.html" --data value=1)"
check_eq "marked false positive" t "$(psql_test -c "SELECT false_positive FROM alerts WHERE id = $alert_id")"
check_eq "false positive taken back (303)" 303 "$(post "$T/editor.jar" "/alerts/$alert_id/false-positive" "$T/fp.html" --data value=0)"
check_eq "no longer a false positive" f "$(psql_test -c "SELECT false_positive FROM alerts WHERE id = $alert_id")"
get "$T/editor.jar" "/alerts/$alert_id?done=ack" "$T/alert-after.html" >/dev/null
check_contains "the timeline shows who acknowledged" 'acknowledged by <strong>editor@example.com</strong>' "$T/alert-after.html"

# ---- silences ----
check_eq "silence from the alert, pre-filled" 200 "$(get "$T/editor.jar" "/silences/new?alert=$alert_id" "$T/sf.html")"
check_contains "the rule is pre-selected" 'value="High Latency" selected' "$T/sf.html"
check_contains "the model is pre-selected" 'value="gpt-4" selected' "$T/sf.html"
code=$(post "$T/editor.jar" /silences/new "$T/s-bad.html" --data-urlencode "rule=High Latency" \
    --data-urlencode "duration=2 fortnights" --data-urlencode "comment=")
check_eq "a bad silence is refused" 422 "$code"
check_contains "the duration error is beside the field" 'id="duration-error"' "$T/s-bad.html"
check_contains "the comment is required" 'id="comment-error"' "$T/s-bad.html"
code=$(post "$T/editor.jar" /silences/new "$T/s.html" --data-urlencode "rule=High Latency" \
    --data-urlencode "model=gpt-4" --data-urlencode "duration=2h" --data-urlencode "alert=$alert_id" \
    --data-urlencode "comment=provider <incident> #42")
check_eq "silence created (303)" 303 "$code"
sil_id=$(psql_test -c "SELECT id FROM silences WHERE comment = 'provider <incident> #42'")
check_eq "matchers and 2 hours stored" '{"rule": "High Latency", "model": "gpt-4"}|7200' \
    "$(psql_test -c "SELECT matchers, extract(epoch FROM ends_at - starts_at)::int FROM silences WHERE id = $sil_id")"
get "$T/viewer.jar" /silences "$T/sil.html" >/dev/null
check_contains "the silence is in force" 'provider &lt;incident&gt; #42' "$T/sil.html"
check_not_contains "viewer sees no Expire button" 'Expire now' "$T/sil.html"
check_eq "viewer cannot expire" 403 "$(post "$T/viewer.jar" "/silences/$sil_id/expire" "$T/v.html")"
check_eq "viewer cannot create a silence" 403 "$(post "$T/viewer.jar" /silences/new "$T/v.html" --data-urlencode "rule=High Latency" --data-urlencode duration=1h --data-urlencode comment=x)"
check_eq "the alert's timeline shows the silence" 200 "$(get "$T/editor.jar" "/alerts/$alert_id" "$T/alert-s.html")"
check_contains "silenced, by the editor" 'silenced by <strong>editor@example.com</strong>' "$T/alert-s.html"
code=$(post "$T/editor.jar" /silences/new "$T/mw-bad.html" --data-urlencode "mode=recurring" \
    --data-urlencode "recurrence=every other tuesday" --data-urlencode "duration=2h" \
    --data-urlencode "environment=production" --data-urlencode "comment=maintenance")
check_eq "a bad recurrence is refused" 422 "$code"
check_contains "the recurrence error is beside the field" 'id="recurrence-error"' "$T/mw-bad.html"
code=$(post "$T/editor.jar" /silences/new "$T/mw.html" --data-urlencode "mode=recurring" \
    --data-urlencode "recurrence=weekly on sunday at 02:00" --data-urlencode "duration=2h" \
    --data-urlencode "environment=production" --data-urlencode "comment=maintenance")
check_eq "maintenance window created (303)" 303 "$code"
check_eq "stored with its recurrence" "1" \
    "$(psql_test -c "SELECT count(*) FROM silences WHERE recurrence IS NOT NULL AND duration_s = 7200 AND comment = 'maintenance'")"
check_eq "expire (303)" 303 "$(post "$T/editor.jar" "/silences/$sil_id/expire" "$T/exp.html")"
check_eq "expired now" t "$(psql_test -c "SELECT expired_at IS NOT NULL AND ends_at <= now() FROM silences WHERE id = $sil_id")"
check_eq "create and expire audit-logged with before and after" "create:false:true|expire:true:true" \
    "$(psql_test -c "SELECT string_agg(action || ':' || (before IS NOT NULL)::text || ':' || (after IS NOT NULL)::text, '|' ORDER BY id)
                     FROM audit_log WHERE object_type = 'silence' AND object_id = '$sil_id'")"

# ---- channels and routing ----
check_eq "channels page 200" 200 "$(get "$T/viewer.jar" /channels "$T/ch.html")"
check_contains "a secret reference is shown as written" '${SLACK_WEBHOOK_URL}' "$T/ch.html"
check_not_contains "other settings are masked" 'team@example.com' "$T/ch.html"
check_not_contains "viewer gets no routing form" 'id="routing-form"' "$T/ch.html"
get "$T/editor.jar" /channels "$T/ch-e.html" >/dev/null
check_not_contains "editor gets no routing form either" 'id="routing-form"' "$T/ch-e.html"
email_id=$(psql_test -c "SELECT id FROM channels WHERE type = 'email'")
slack_id=$(psql_test -c "SELECT id FROM channels WHERE type = 'slack'")
check_eq "editor cannot change routing" 403 "$(post "$T/editor.jar" /channels/routing "$T/v.html" --data route_info=$email_id)"
get "$T/admin.jar" /channels "$T/ch-a.html" >/dev/null
check_contains "admin gets the routing form" 'id="routing-form"' "$T/ch-a.html"
code=$(post "$T/admin.jar" /channels/routing "$T/rt.html" --data "route_critical=$slack_id" \
    --data "route_critical=$email_id" --data "route_warning=$email_id" --data "route_info=$email_id")
check_eq "routing saved (303)" 303 "$code"
check_eq "routing stored" "critical:email,slack|info:email|warning:email" \
    "$(psql_test -c "SELECT string_agg(severity || ':' || names, '|' ORDER BY severity) FROM
        (SELECT r.severity, string_agg(c.type, ',' ORDER BY c.type) AS names FROM routes r
         JOIN channels c ON c.id = r.channel_id GROUP BY r.severity) x")"
check_eq "routing audit-logged with before and after" "t|t" \
    "$(psql_test -c "SELECT before ? 'critical', after->'info' = '[\"email\"]'::jsonb FROM audit_log
                     WHERE object_type = 'routing' ORDER BY id DESC LIMIT 1")"

# ---- the audit page ----
check_eq "audit page 200 for compliance" 200 "$(get "$T/comp.jar" /admin/audit "$T/audit.html")"
check_contains "the diff shows the value before" '<del>avg_latency &gt; sla_target * 1.5</del>' "$T/audit.html"
check_contains "and after" '<ins>p95_latency &gt; sla_target * 2</ins>' "$T/audit.html"
check_eq "viewer cannot read the audit log" 403 "$(get "$T/viewer.jar" /admin/audit "$T/v.html")"

# ---- the browser ----
if command -v chromedriver >/dev/null && [ -x /usr/bin/chromium ]; then
    # screenshots: $LW_SCREENSHOTS when set (to keep them), else the test's tmp
    if /usr/bin/python3 "$ROOT/tests/integration/browser_rule.py" "$BASE" "${LW_SCREENSHOTS:-$T}" \
        >"$T/browser.log" 2>&1; then
        ok "Chromium: editor creates a threshold rule through the form, viewer cannot"
    else
        fail "Chromium: editor creates a threshold rule through the form, viewer cannot"
        cat "$T/browser.log"
    fi
    grep '^  ' "$T/browser.log" || true
else
    echo "$TEST_NAME: skipped the browser: chromium or chromedriver missing"
fi

finish
