#!/bin/bash
# test_channels_ui.sh: channels in the web interface. An admin adds a
# webhook channel with a wrong URL and a signing secret (stored sealed
# with LLMWATCH_SECRET_KEY, never shown back), tests it through the real
# delivery path (`llmwatch notify --follow` delivers the outbox row) and
# sees the delivery error; after fixing the URL (the secret kept), the
# test notification reaches the local peer exactly once, signed with the
# secret the notifier decrypted. Disable, roles, ${VAR} references, and a
# secret refused when no key is set.
. "$(dirname "$0")/lib.sh"

export LLMWATCH_SECRET_KEY="test-channel-key-0123456789"
export LLMWATCH_NOTIFY_TIMEOUT=3
stack_start || { fail "stack start"; finish; exit 1; }

HOOK_PORT=$(free_port)
DEAD_PORT=$(free_port)
/usr/bin/python3 "$ROOT/tests/integration/peers/http_peer.py" --kind webhook --port "$HOOK_PORT" \
    --log "$T/hook.jsonl" >"$T/hook.log" 2>&1 &
STACK_PIDS+=("$!")
wait_for_http "http://127.0.0.1:$HOOK_PORT/_health" 20 || fail "the webhook peer starts"
"$BIN/llmwatch" notify --follow --database "$DB_URL" >"$T/notify.log" 2>&1 &
NOTIFY_PID=$!
STACK_PIDS+=("$NOTIFY_PID")

login admin@example.com pw-admin-0123456789 "$T/admin.jar" && ok "admin logs in" || fail "admin logs in"
login viewer@example.com pw-viewer-0123456789 "$T/viewer.jar" || fail "viewer logs in"
check_eq "a viewer may not add channels" 403 "$(get "$T/viewer.jar" /channels/new)"
check_eq "the form for a webhook" 200 "$(get "$T/admin.jar" '/channels/new?type=webhook' "$T/form.html")"
csrf=$(csrf_from "$T/form.html")
post() {   # post JAR PATH OUT ARGS... -> status
    local jar=$1 path=$2 out=$3
    shift 3
    curl -s -b "$jar" -o "$out" -D "$out.h" -w '%{http_code}' --data-urlencode "csrf_token=$csrf" "$@" "$BASE$path"
}
code=$(post "$T/admin.jar" '/channels/new?type=webhook' "$T/new.html" --data-urlencode name=ui-hook \
    --data-urlencode "s_url=http://127.0.0.1:$DEAD_PORT/hook" --data-urlencode s_secret=whsec-ui-4242 \
    --data-urlencode enabled=1)
check_eq "a channel is added" 303 "$code"
cid=$(psql_test -c "SELECT id FROM channels WHERE name = 'ui-hook'")
check_eq "made in the UI" "ui|webhook|t" "$(psql_test -c "SELECT source, type, enabled FROM channels WHERE id = $cid")"
check_eq "its secret is stored sealed" "t" \
    "$(psql_test -c "SELECT settings->>'secret' LIKE 'enc:v1:%' AND position('whsec-ui-4242' IN settings::text) = 0 FROM channels WHERE id = $cid")"
check_eq "its creation is audited" 1 "$(psql_test -c "SELECT count(*) FROM audit_log WHERE object_type = 'channel' AND object_id = '$cid' AND action = 'create'")"
check_eq "the channel page" 200 "$(get "$T/admin.jar" "/channels/$cid" "$T/ch.html")"
check_not_contains "never shows the secret" "whsec-ui-4242" "$T/ch.html"
check_not_contains "nor its sealed form" "enc:v1:" "$T/ch.html"
get "$T/admin.jar" "/channels/$cid/edit" "$T/edit.html" >/dev/null
check_not_contains "the edit form does not show it back" "whsec-ui-4242" "$T/edit.html"
check_not_contains "nor sealed" "enc:v1:" "$T/edit.html"
check_contains "it says one is stored" "stored (leave empty to keep)" "$T/edit.html"

# route critical alerts to it as well (the routing form)
# test with the wrong URL: the delivery error shows
wait_status() {   # wait_status NOTIFICATION_KIND STATUS -> 0 when a row of the channel has it
    local i
    for i in $(seq 1 100); do
        [ "$(psql_test -c "SELECT count(*) FROM notifications WHERE channel_id = $cid AND status = '$2' AND kind = '$1'")" -ge "${3:-1}" ] && return 0
        sleep 0.1
    done
    return 1
}
check_eq "test answers with a redirect" 303 "$(post "$T/admin.jar" "/channels/$cid/test" "$T/t1.html")"
check "the notifier tries it at once and it fails" wait_status test failed
get "$T/admin.jar" "/channels/$cid" "$T/ch2.html" >/dev/null
check_contains "the page shows the last error" 'id="last-error"' "$T/ch2.html"
check_contains "which says what failed" "webhook" "$T/ch2.html"
check_eq "nothing reached the peer" 0 "$(grep -c '"/hook"' "$T/hook.jsonl" 2>/dev/null || true)"

# fix the URL, keep the secret
code=$(post "$T/admin.jar" "/channels/$cid/edit" "$T/e.html" --data-urlencode name=ui-hook \
    --data-urlencode "s_url=http://127.0.0.1:$HOOK_PORT/hook" --data-urlencode s_secret= \
    --data-urlencode enabled=1)
check_eq "the URL is fixed" 303 "$code"
check_eq "the secret was kept" "t" \
    "$(psql_test -c "SELECT settings->>'secret' LIKE 'enc:v1:%' FROM channels WHERE id = $cid")"
check_eq "test again" 303 "$(post "$T/admin.jar" "/channels/$cid/test" "$T/t2.html")"
check "the test notification is sent" wait_status test sent
sleep 2
check_eq "it arrived at the peer exactly once" 1 "$(grep -c '"/hook"' "$T/hook.jsonl")"
check "signed with the secret the notifier decrypted" python3 - "$T/hook.jsonl" <<'PY'
import hashlib, hmac, json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if '"/hook"' in l][0]
h = {k.lower(): v for k, v in r["headers"].items()}
want = "sha256=" + hmac.new(b"whsec-ui-4242", r["body"].encode(), hashlib.sha256).hexdigest()
sys.exit(0 if h.get("x-llmwatch-signature") == want else 1)
PY
get "$T/admin.jar" "/channels/$cid" "$T/ch3.html" >/dev/null
check_contains "the delivery log lists it as sent" 'class="status-sent"' "$T/ch3.html"

# disable
check_eq "disable" 303 "$(post "$T/admin.jar" "/channels/$cid/disable" "$T/d.html")"
check_eq "it is disabled" f "$(psql_test -c "SELECT enabled FROM channels WHERE id = $cid")"

# a ${VAR} reference is kept as written; a config channel is not editable here
code=$(post "$T/admin.jar" '/channels/new?type=slack' "$T/s.html" --data-urlencode name=ui-slack \
    --data-urlencode 's_webhook_url=${SLACK_URL_FOR_TEST}' --data-urlencode enabled=1)
check_eq "a slack channel with a reference" 303 "$code"
check_eq "the reference is stored as written" '${SLACK_URL_FOR_TEST}' \
    "$(psql_test -c "SELECT settings->>'webhook_url' FROM channels WHERE name = 'ui-slack'")"
cfg=$(psql_test -c "SELECT id FROM channels WHERE source = 'config' LIMIT 1")
if [ -n "$cfg" ]; then
    check_eq "a config channel cannot be edited here" 409 "$(get "$T/admin.jar" "/channels/$cfg/edit")"
fi

# without the key, a secret in clear is refused (llmwatch-web restarted without it)
web_stop
unset LLMWATCH_SECRET_KEY
web_start
get "$T/admin.jar" '/channels/new?type=pagerduty' "$T/pd.html" >/dev/null
code=$(post "$T/admin.jar" '/channels/new?type=pagerduty' "$T/pd2.html" --data-urlencode name=ui-pd \
    --data-urlencode s_routing_key=R0UT1NGKEY --data-urlencode enabled=1)
check_eq "a clear secret without LLMWATCH_SECRET_KEY is refused" 422 "$code"
check_contains "saying how to give it" "LLMWATCH_SECRET_KEY" "$T/pd2.html"
check_eq "nothing stored" 0 "$(psql_test -c "SELECT count(*) FROM channels WHERE name = 'ui-pd'")"
finish
