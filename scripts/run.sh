#!/bin/bash
# run.sh: `make run`. Starts llmwatch on this machine in the foreground:
# private PostgreSQL (unless LLMWATCH_DATABASE_URL is set), the provider
# simulator, a local SMTP sink that keeps every mail in var/mail/ (unless
# LLMWATCH_SMTP_URL names a real server), llmwatch-web behind a private
# nginx on 127.0.0.1:${PORT:-8080}, and the scheduler. Data lives in ./var
# and is kept across runs; Ctrl-C or SIGTERM stops everything.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"

BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
VAR=${LLMWATCH_VAR:-$ROOT/var}
PORT=${PORT:-8080}
SIM_PORT=${SIM_PORT:-8090}
SMTP_PORT_SET=${SMTP_PORT:+1}
SMTP_PORT=${SMTP_PORT:-2525}
CONFIG=${LLMWATCH_CONFIG:-$ROOT/monitoring_config.yaml}
export LLMWATCH_DATADIR="$ROOT"

mkdir -p "$VAR/log" "$VAR/run" "$VAR/nginx"
chmod 755 "$VAR" "$VAR/run"

pids=()
PG_DIR=""
stopping=0
stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    echo
    echo "Stopping llmwatch..."
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$PG_DIR" ] && pg_stop "$PG_DIR"
    rm -f "$VAR/run/web.sock"
    echo "Stopped. Data kept in $VAR (make run starts it again)."
}
got_signal=0
trap 'got_signal=1' INT TERM
trap 'stop_all' EXIT

SMTP_SINK=0
[ -z "${LLMWATCH_SMTP_URL:-}" ] && SMTP_SINK=1
# the sink's port matters to nobody but us (LLMWATCH_SMTP_URL names it):
# another one when the usual is taken and none was asked for
if [ "$SMTP_SINK" = 1 ] && [ -z "$SMTP_PORT_SET" ] && port_in_use "$SMTP_PORT"; then
    SMTP_PORT=$(free_port)
fi
for p in "$PORT" "$SIM_PORT" $([ "$SMTP_SINK" = 1 ] && echo "$SMTP_PORT"); do
    if port_in_use "$p"; then
        echo "Port $p is already in use (another make run?). Set PORT=... / SIM_PORT=... / SMTP_PORT=..." >&2
        exit 1
    fi
done

# 1. Database
if [ -n "${LLMWATCH_DATABASE_URL:-}" ]; then
    DB_URL=$LLMWATCH_DATABASE_URL
    echo "Database: $(echo "$DB_URL" | sed -E 's#//[^@/]*@#//***@#') (LLMWATCH_DATABASE_URL)"
else
    PG_DIR="$VAR/pg"
    pg_start "$PG_DIR"
    DB_URL=$(pg_url "$PG_DIR" llmwatch)
    echo "Database: private PostgreSQL in $PG_DIR (socket $PG_DIR/run)"
fi
export LLMWATCH_DATABASE_URL="$DB_URL"

# Real providers when their keys are present, the simulator otherwise (the
# root monitoring_config.yaml reads these *_BASE_URL variables).
SIM="http://127.0.0.1:$SIM_PORT"
export LLMWATCH_SIM_URL="$SIM"
pick() { # pick KEYVAR URLVAR REAL_URL
    if [ -n "${!1:-}" ]; then export "$2=${!2:-$3}"; else export "$2=${!2:-$SIM}" "$1=llmwatch-sim"; fi
}
pick OPENAI_API_KEY OPENAI_BASE_URL https://api.openai.com
pick ANTHROPIC_API_KEY ANTHROPIC_BASE_URL https://api.anthropic.com
pick GEMINI_API_KEY GEMINI_BASE_URL https://generativelanguage.googleapis.com
export LOCAL_LLM_BASE_URL=${LOCAL_LLM_BASE_URL:-$SIM}
export LLMWATCH_PUBLIC_URL=${LLMWATCH_PUBLIC_URL:-http://127.0.0.1:$PORT}

# 2. Schema and configuration (idempotent)
"$BIN/llmwatch" init --database "$DB_URL" --retention-days "${RETENTION_DAYS:-90}" --config "$CONFIG"

# 3. The first admin, once; the password stays in var/admin-password
if [ ! -s "$VAR/admin-password" ]; then
    ( umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20 >"$VAR/admin-password" )
    if ! "$BIN/llmwatch" user add --email admin@localhost --role admin --database "$DB_URL" \
         <"$VAR/admin-password" >/dev/null; then
        # the user exists from an earlier tree: reset it to the new password
        "$BIN/llmwatch" user set-password --email admin@localhost --database "$DB_URL" \
            <"$VAR/admin-password" >/dev/null
    fi
fi

# 4. Processes
# Mail: without a real server, a local sink keeps every mail llmwatch sends
# (alerts, reports) as a file in var/mail/new/ (a Maildir); the email
# channel of monitoring_config.yaml reads LLMWATCH_SMTP_URL.
if [ "$SMTP_SINK" = 1 ]; then
    if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
        mkdir -p "$VAR/mail/new" "$VAR/mail/cur" "$VAR/mail/tmp"
        /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox \
            "$VAR/mail" >>"$VAR/log/smtp.log" 2>&1 &
        pids+=($!)
        export LLMWATCH_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
    else
        echo "No local SMTP sink: Debian's python3-aiosmtpd is not installed (mail will fail)" >&2
        SMTP_SINK=0
    fi
fi

"$BIN/llmwatch-sim" --listen "127.0.0.1:$SIM_PORT" --scenarios "$ROOT/sim/scenarios.yaml" \
    --suites "$ROOT/worker/suites" --log "$VAR/log/sim.jsonl" >>"$VAR/log/sim.log" 2>&1 &
pids+=($!)

# Secrets typed into the channels page are sealed with this key (AES-256-GCM);
# web and notifier must share it. Kept in var/ so sealed secrets stay
# readable across restarts.
if [ -z "${LLMWATCH_SECRET_KEY:-}" ]; then
    [ -s "$VAR/secret-key" ] || (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$VAR/secret-key")
    LLMWATCH_SECRET_KEY=$(cat "$VAR/secret-key")
    export LLMWATCH_SECRET_KEY
fi

rm -f "$VAR/run/web.sock"
"$BIN/llmwatch-web" --socket "$VAR/run/web.sock" --database "$DB_URL" --datadir "$ROOT" \
    >>"$VAR/log/web.log" 2>&1 &
pids+=($!)
wait_for_file "$VAR/run/web.sock" 30 || { echo "llmwatch-web did not start; see $VAR/log/web.log" >&2; tail -5 "$VAR/log/web.log" >&2; exit 1; }
socket_share "$VAR/run/web.sock"

nginx_conf "$VAR/nginx" "$PORT" "$VAR/run/web.sock"
nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -g 'daemon off;' >>"$VAR/log/nginx.log" 2>&1 &
pids+=($!)

"$BIN/llmwatch" run --config "$CONFIG" --database "$DB_URL" >>"$VAR/log/scheduler.log" 2>&1 &
pids+=($!)
# delivers each notification the moment it is written (LISTEN/NOTIFY); the
# scheduler's notify job stays the safety net
"$BIN/llmwatch" notify --follow --database "$DB_URL" >>"$VAR/log/notify.log" 2>&1 &
pids+=($!)

wait_for_http "http://127.0.0.1:$PORT/healthz" 30 || { echo "nginx did not answer; see $VAR/nginx/error.log" >&2; exit 1; }

# var/env: what the CLI needs to work on this instance (database, data,
# config, simulator URLs). Real API keys stay in your environment only.
{
    echo "# source this file to use build/llmwatch against make run's instance"
    [ -n "$PG_DIR" ] && echo "export LLMWATCH_DATABASE_URL='$DB_URL'"
    echo "export LLMWATCH_DATADIR='$ROOT' LLMWATCH_CONFIG='$CONFIG'"
    echo "export LLMWATCH_PUBLIC_URL='$LLMWATCH_PUBLIC_URL'"
    [ -n "${LLMWATCH_SMTP_URL:-}" ] && echo "export LLMWATCH_SMTP_URL='$LLMWATCH_SMTP_URL'"
    for v in OPENAI ANTHROPIC GEMINI; do
        k="${v}_API_KEY" u="${v}_BASE_URL"
        echo "export $u='${!u}'"
        [ "${!k}" = llmwatch-sim ] && echo "export $k=llmwatch-sim"
    done
    echo "export LOCAL_LLM_BASE_URL='$LOCAL_LLM_BASE_URL'"
    if [ -s "$VAR/secret-key" ]; then echo "export LLMWATCH_SECRET_KEY=\$(cat '$VAR/secret-key')"; fi
} >"$VAR/env"
CLI_HINT=". $VAR/env; $BUILD/llmwatch help"
if [ "$SMTP_SINK" = 1 ]; then
    MAIL_HINT="$VAR/mail/new/ (one file per mail: alerts and reports; SMTP sink on 127.0.0.1:$SMTP_PORT)"
else
    MAIL_HINT="sent to ${LLMWATCH_SMTP_URL:-nowhere} (LLMWATCH_SMTP_URL)"
fi
cat <<EOT

llmwatch is running.
  Dashboard: http://127.0.0.1:$PORT/
  Login:     admin@localhost
  Password:  $(cat "$VAR/admin-password")   (kept in var/admin-password)
  Mail:      $MAIL_HINT
  Logs:      $VAR/log/ (web.log, scheduler.log, notify.log, sim.log, nginx.log, smtp.log)
  CLI:       $CLI_HINT
Press Ctrl-C to stop; the data stays in $VAR for the next make run.
EOT

# Stay in the foreground; if any child dies on its own, stop the rest.
# (Ctrl-C reaches the children too, so a death right after a signal is the
# signal's doing, not a failure.)
while [ "$got_signal" = 0 ]; do
    for p in "${pids[@]}"; do
        if ! kill -0 "$p" 2>/dev/null; then
            sleep 0.5
            [ "$got_signal" = 1 ] && break 2
            echo "A process ($p) exited; see $VAR/log/. Stopping." >&2
            exit 1
        fi
    done
    sleep 1 & wait $! || true
done
stop_all
exit 0
