#!/bin/bash
# test_secrets.sh: an SMTP URL with credentials given through the
# environment (LLMWATCH_SMTP_URL=smtp://user:password@host) is stored as
# its ${VAR} reference only, never in clear, and the notify worker
# resolves it at send time: the mail server sees the password, the
# database never holds it. A password written in clear in the file is an
# error, found by validate and init alike.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
L="$BIN/llmwatch"
$PY -c 'import aiosmtpd' 2>/dev/null || { fail "python3-aiosmtpd is not installed"; finish; exit 1; }

DB_NAME="t_secrets_$$"
DB_URL=$(pg_url "$LW_TEST_PG_DIR" "$DB_NAME")
export LLMWATCH_DATABASE_URL="$DB_URL"
SMTP_PORT=$(free_port)
SECRET="pw-$$-not-in-the-database"

# an SMTP server that wants AUTH (over plain TCP on loopback) and records
# the credentials it was given, then the mail, in $T/smtp
cat >"$T/smtp_auth.py" <<'EOF'
import asyncio, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, out = int(sys.argv[1]), sys.argv[2]

def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword):
        with open(out, "a") as f:
            f.write("auth %s %s\n" % (auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)

class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(out, "a") as f:
            f.write("mail to %s\n" % ",".join(envelope.rcpt_tos))
        return "250 OK"

c = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
               auth_required=True, auth_require_tls=False)
c.start()
print("ready", flush=True)
try:
    asyncio.get_event_loop().run_forever()
except KeyboardInterrupt:
    pass
EOF
$PY "$T/smtp_auth.py" "$SMTP_PORT" "$T/smtp" >"$T/smtp.log" 2>&1 &
STACK_PIDS+=($!)
for _ in $(seq 1 50); do grep -q ready "$T/smtp.log" && break; sleep 0.1; done

cat >"$T/config.yaml" <<EOF
monitoring:
  models:
    - provider: openai
      model: gpt-4
      sla_target: 2.0
      base_url: "http://127.0.0.1:9"
  alerts:
    channels:
      - name: mail
        type: email
        recipients: ["oncall@example.com"]
        smtp_url: "\${LW_T_SMTP_URL:-smtp://127.0.0.1:2525}"
        from: "llmwatch <alerts@example.com>"
EOF
export LW_T_SMTP_URL="smtp://alerts:$SECRET@127.0.0.1:$SMTP_PORT"
"$L" init --database "$DB_URL" --config "$T/config.yaml" >"$T/init.out" 2>&1
check_eq "init loads the config" "0" "$?"
settings=$(psql -X -q -t -A -d "$DB_URL" -c "SELECT settings::text FROM channels WHERE name = 'mail'")
case "$settings" in
    *"$SECRET"*) fail "the SMTP password is not stored in clear ($settings)" ;;
    *) ok "the SMTP password is not stored in clear" ;;
esac
case "$settings" in
    *'${LW_T_SMTP_URL:-smtp://127.0.0.1:2525}'*) ok "the SMTP URL is stored as its reference" ;;
    *) fail "the SMTP URL is stored as its reference ($settings)" ;;
esac
check "nothing in the database holds the password" test "$(psql -X -q -t -A -d "$DB_URL" -c \
    "SELECT count(*) FROM channels c, audit_log a WHERE c.settings::text LIKE '%$SECRET%'
        OR coalesce(a.before::text, '') || coalesce(a.after::text, '') LIKE '%$SECRET%'")" = 0

# the worker resolves the reference when it sends
"$L" test-alert --channel mail --database "$DB_URL" --config "$T/config.yaml" >"$T/test-alert.out" 2>&1
check_eq "test-alert goes through the resolved URL" "0" "$?"
check_contains "the server was given the user and password from the environment" \
    "auth alerts $SECRET" "$T/smtp"
check_contains "the mail was delivered" "mail to oncall@example.com" "$T/smtp"

# without the variable the default of the reference applies, at send time
unset LW_T_SMTP_URL
"$L" test-alert --channel mail --database "$DB_URL" --config "$T/config.yaml" >"$T/test-alert2.out" 2>&1
check "without the variable, the reference's default is used (nothing listens there)" \
    grep -q "127.0.0.1:2525\|127.0.0.1 port 2525\|Could not connect\|Failed to connect\|not delivered\|failed" \
    "$T/test-alert2.out"

# a password in clear in the file: refused by validate and by init
sed -e "s|\\\${LW_T_SMTP_URL:-smtp://127.0.0.1:2525}|smtps://alerts:clear-pw@mail.example.com:465|" \
    "$T/config.yaml" >"$T/clear.yaml"
check_contains "the clear URL is in the file" "clear-pw" "$T/clear.yaml"
"$L" validate --config "$T/clear.yaml" >"$T/v.out" 2>&1
check_eq "validate refuses a password in clear in smtp_url" "1" "$?"
check "validate says where" grep -q "clear.yaml:12:19: error: .*smtp_url" "$T/v.out"
"$L" init --database "$DB_URL" --config "$T/clear.yaml" >"$T/i.out" 2>&1
check "init refuses it too" test $? -ne 0
check_eq "so it never reached the database" "0" "$(psql -X -q -t -A -d "$DB_URL" -c \
    "SELECT count(*) FROM channels WHERE settings::text LIKE '%clear-pw%'")"

finish
