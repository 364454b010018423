#!/bin/bash
# cluster.sh: llmwatch on several processes of each kind, on loopback:
# a PostgreSQL primary and a streaming standby (pg_basebackup -R), two
# worker hosts (`llmwatch run` as w1 and w2), two llmwatch-web behind one
# nginx upstream, and the provider simulator. docs/scaling.md walks
# through it.
#
#   scripts/cluster.sh [start]   `make run-cluster`: starts it all in the
#                                foreground (Ctrl-C stops it); data in
#                                var/cluster ($CLUSTER_DIR)
#   scripts/cluster.sh failover  stops the primary and promotes the standby
#   scripts/cluster.sh status    which server is primary, replication lag
#
# Sourced (tests/integration/test_cluster.sh), it only defines the cl_*
# functions. Expects ROOT; CLUSTER_DIR, BUILD, PORT, SIM_PORT, PG1_PORT and
# PG2_PORT may be set (free ports otherwise).

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
. "$ROOT/scripts/lib.sh"
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
CL_PIDS=()

# cl_init DIR: ports and URLs of the cluster in DIR (kept in DIR/ports so
# that `failover` and `status` find a running cluster).
cl_init() {
    CL=$1
    mkdir -p "$CL/log" "$CL/run"
    chmod 755 "$CL" "$CL/run"
    [ -f "$CL/ports" ] && . "$CL/ports"
    PG1_PORT=${PG1_PORT:-$(free_port)}
    PG2_PORT=${PG2_PORT:-$(free_port)}
    PORT=${PORT:-$(free_port)}
    SIM_PORT=${SIM_PORT:-$(free_port)}
    WEB1_PORT=${WEB1_PORT:-$(free_port)}
    WEB2_PORT=${WEB2_PORT:-$(free_port)}
    printf 'PG1_PORT=%s PG2_PORT=%s PORT=%s SIM_PORT=%s WEB1_PORT=%s WEB2_PORT=%s\n' \
        "$PG1_PORT" "$PG2_PORT" "$PORT" "$SIM_PORT" "$WEB1_PORT" "$WEB2_PORT" >"$CL/ports"
    # every process follows the primary: libpq tries the hosts in order and
    # keeps the one that accepts writes (or, for reads, a standby first)
    CL_DB_URL="postgresql://postgres@127.0.0.1:$PG1_PORT,127.0.0.1:$PG2_PORT/llmwatch?target_session_attrs=read-write&connect_timeout=2"
    CL_READ_URL="postgresql://postgres@127.0.0.1:$PG2_PORT,127.0.0.1:$PG1_PORT/llmwatch?target_session_attrs=prefer-standby&connect_timeout=2"
    CL_BASE="http://127.0.0.1:$PORT"
}

# cl_node_start NAME PORT: starts the server of DIR/NAME/data on 127.0.0.1:PORT.
cl_node_start() {
    local d="$CL/$1"
    mkdir -p "$d/run" "$d/log"
    [ "$(id -u)" = 0 ] && chown -R postgres "$d"
    as_pg "$PGBIN/pg_ctl" -D "$d/data" -w -t 60 -l "$d/log/postgresql.log" \
        -o "-c listen_addresses=127.0.0.1 -c port=$2 -c unix_socket_directories='$d/run' -c fsync=${PG_FSYNC:-on} -c max_connections=200 -c wal_level=replica -c max_wal_senders=10 -c max_replication_slots=10 -c hot_standby=on -c hot_standby_feedback=on -c wal_log_hints=on -c shared_preload_libraries=pg_stat_statements" \
        start >/dev/null || { echo "PostgreSQL $1 did not start:" >&2; tail -20 "$d/log/postgresql.log" >&2; return 1; }
}

cl_node_stop() {
    [ -f "$CL/$1/data/postmaster.pid" ] || return 0
    as_pg "$PGBIN/pg_ctl" -D "$CL/$1/data" -w -t 60 -m fast stop >/dev/null 2>&1
}

# cl_primary_start: initdb the first time, then start (node "primary").
cl_primary_start() {
    local d="$CL/primary"
    mkdir -p "$d/log"
    [ "$(id -u)" = 0 ] && chown -R postgres "$d"
    if [ ! -f "$d/data/PG_VERSION" ]; then
        as_pg "$PGBIN/initdb" -D "$d/data" -A trust -U postgres --no-sync -E UTF8 --locale=C \
            >"$d/log/initdb.log" 2>&1 || { echo "initdb failed" >&2; cat "$d/log/initdb.log" >&2; return 1; }
    fi
    cl_node_start primary "$PG1_PORT"
}

# cl_standby_start: a copy of the primary that follows it (the first time:
# pg_basebackup -R, with a replication slot so the primary keeps the WAL
# the standby has not received yet), then start (node "standby").
cl_standby_start() {
    local d="$CL/standby"
    mkdir -p "$d/log"
    [ "$(id -u)" = 0 ] && chown -R postgres "$d"
    if [ ! -f "$d/data/PG_VERSION" ]; then
        as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG1_PORT" -U postgres -D "$d/data" -R \
            -X stream -C -S llmwatch_standby $([ "${PG_FSYNC:-on}" = off ] && echo --no-sync) \
            >"$d/log/basebackup.log" 2>&1 || { echo "pg_basebackup failed" >&2; cat "$d/log/basebackup.log" >&2; return 1; }
    fi
    cl_node_start standby "$PG2_PORT"
}

# cl_failover: what an operator (or repmgr) does when the primary is lost:
# make sure it is down, promote the standby. libpq does the rest.
cl_failover() {
    cl_node_stop primary
    cl_promote
}

cl_promote() {
    as_pg "$PGBIN/pg_ctl" -D "$CL/standby/data" -w -t 60 promote >/dev/null
}

# cl_psql PORT SQL...: one statement on one server.
cl_psql() {
    local port=$1; shift
    psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d llmwatch -c "$*"
}

# cl_caught_up: 0 when the standby has replayed all the primary wrote.
cl_caught_up() {
    local lsn
    lsn=$(cl_psql "$PG1_PORT" "SELECT pg_current_wal_lsn()") || return 1
    [ "$(cl_psql "$PG2_PORT" "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]
}

cl_sim_start() {
    "$BIN/llmwatch-sim" --listen "127.0.0.1:$SIM_PORT" --scenarios "${CL_SCENARIOS:-$ROOT/sim/scenarios.yaml}" \
        --suites "$ROOT/worker/suites" --log "$CL/log/sim.jsonl" --log-level warn >>"$CL/log/sim.log" 2>&1 &
    CL_PIDS+=($!)
    local i=0
    until port_in_use "$SIM_PORT"; do i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1; done
}

# cl_web_start N [OPTIONS...]: llmwatch-web number N on CL/run/webN.sock,
# writes to the primary, reads pages from the standby.
cl_web_start() {
    local n=$1; shift
    rm -f "$CL/run/web$n.sock"
    "$BIN/llmwatch-web" --socket "$CL/run/web$n.sock" --threads 4 --database "$CL_DB_URL" \
        --read-database "$CL_READ_URL" --datadir "$ROOT" "$@" >>"$CL/log/web$n.log" 2>&1 &
    CL_PIDS+=($!)
    eval "CL_WEB${n}_PID=$!"
    wait_for_file "$CL/run/web$n.sock" 30 || { echo "llmwatch-web $n did not start" >&2; tail -5 "$CL/log/web$n.log" >&2; return 1; }
    socket_share "$CL/run/web$n.sock"
}

# cl_nginx_start: one upstream of both web processes on PORT; WEB1_PORT and
# WEB2_PORT reach one of them each (to look at one process).
cl_nginx_start() {
    nginx_conf "$CL/nginx" "$PORT" "$CL/run/web1.sock"
    /usr/bin/python3 - "$CL/nginx/nginx.conf" "$CL/run" "$WEB1_PORT" "$WEB2_PORT" <<'EOF'
import re, sys
path, run, p1, p2 = sys.argv[1:]
conf = open(path).read()
conf = conf.replace("        server unix:%s/web1.sock;\n" % run,
                    "        server unix:%s/web1.sock;\n        server unix:%s/web2.sock;\n" % (run, run))
server = re.search(r"\n    server \{.*\n    \}\n", conf, re.S).group(0)
for n, port in (("1", p1), ("2", p2)):
    one = server.replace("fastcgi_pass llmwatch_web;", "fastcgi_pass unix:%s/web%s.sock;" % (run, n))
    one = re.sub(r"listen 127\.0\.0\.1:\d+;", "listen 127.0.0.1:%s;" % port, one)
    conf = conf.rstrip()[:-1] + one + "}\n"
open(path, "w").write(conf)
EOF
    nginx -p "$CL/nginx" -c "$CL/nginx/nginx.conf" -g 'daemon off;' >>"$CL/log/nginx.log" 2>&1 &
    CL_PIDS+=($!)
    wait_for_http "$CL_BASE/healthz" 20 || { echo "nginx did not start" >&2; cat "$CL/nginx/error.log" >&2; return 1; }
}

# cl_worker_start NAME CONFIG [OPTIONS...]: a worker host (`llmwatch run`)
# named NAME, in its own session so that cl_worker_kill takes its jobs too.
cl_worker_start() {
    local name=$1 config=$2; shift 2
    LLMWATCH_HOST=$name setsid "$BIN/llmwatch" run --config "$config" --database "$CL_DB_URL" "$@" \
        >>"$CL/log/worker-$name.log" 2>&1 &
    CL_PIDS+=($!)
    eval "CL_WORKER_${name}=$!"
}

# cl_worker_kill NAME: kill -9 of the host: its scheduler and its jobs.
cl_worker_kill() {
    local pid
    eval "pid=\${CL_WORKER_$1:-}"
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cl_stop_all() {
    local p
    for p in "${CL_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${CL_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    CL_PIDS=()
    cl_node_stop standby
    cl_node_stop primary
}

# ---- `make run-cluster` ------------------------------------------------------
cl_main() {
    local config=${LLMWATCH_CONFIG:-$ROOT/monitoring_config.yaml} stop=0
    export LLMWATCH_DATADIR="$ROOT"
    PORT=${PORT:-8080} SIM_PORT=${SIM_PORT:-8090}
    cl_init "${CLUSTER_DIR:-$ROOT/var/cluster}"
    for p in "$PORT" "$SIM_PORT"; do
        port_in_use "$p" && { echo "Port $p is in use (set PORT=... / SIM_PORT=...)" >&2; return 1; }
    done
    trap 'stop=1' INT TERM
    trap 'cl_stop_all' EXIT
    export OPENAI_BASE_URL=http://127.0.0.1:$SIM_PORT ANTHROPIC_BASE_URL=http://127.0.0.1:$SIM_PORT
    export GEMINI_BASE_URL=http://127.0.0.1:$SIM_PORT LOCAL_LLM_BASE_URL=http://127.0.0.1:$SIM_PORT
    export OPENAI_API_KEY=llmwatch-sim ANTHROPIC_API_KEY=llmwatch-sim GEMINI_API_KEY=llmwatch-sim
    if [ -f "$CL/standby/standby.promoted" ] || { [ -f "$CL/standby/data/PG_VERSION" ] \
            && [ ! -f "$CL/standby/data/standby.signal" ]; }; then
        echo "The standby of $CL was promoted by a failover: start over with rm -rf $CL" >&2
        return 1
    fi
    cl_primary_start || return 1
    cl_standby_start || return 1
    "$BIN/llmwatch" init --database "$CL_DB_URL" --config "$config" >>"$CL/log/init.log" 2>&1 \
        || { echo "llmwatch init failed: see $CL/log/init.log" >&2; return 1; }
    if [ ! -s "$CL/admin-password" ]; then
        ( umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20 >"$CL/admin-password" )
        "$BIN/llmwatch" user add --email admin@localhost --role admin --database "$CL_DB_URL" \
            <"$CL/admin-password" >/dev/null
    fi
    cl_sim_start || return 1
    cl_web_start 1 || return 1
    cl_web_start 2 || return 1
    cl_nginx_start || return 1
    cl_worker_start w1 "$config"
    cl_worker_start w2 "$config"
    cat <<EOT

llmwatch runs as a cluster on loopback.
  Dashboard:  $CL_BASE/  (web1 and web2 behind one nginx upstream;
              only web1: http://127.0.0.1:$WEB1_PORT/, only web2: http://127.0.0.1:$WEB2_PORT/)
  Login:      admin@localhost / $(cat "$CL/admin-password")
  Primary:    127.0.0.1:$PG1_PORT   Standby: 127.0.0.1:$PG2_PORT (streaming)
  Database:   $CL_DB_URL
  Read URL:   $CL_READ_URL
  Workers:    w1, w2 (llmwatch run); logs in $CL/log/
  Failover:   scripts/cluster.sh failover   (stops the primary, promotes the standby)
  Status:     scripts/cluster.sh status
Press Ctrl-C to stop.
EOT
    while [ "$stop" = 0 ]; do sleep 1 & wait $! || true; done
    echo "Stopping the cluster..."
}

cl_status() {
    cl_init "${CLUSTER_DIR:-$ROOT/var/cluster}"
    local port role
    for port in "$PG1_PORT" "$PG2_PORT"; do
        role=$(cl_psql "$port" "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby, replayed ' ||
              coalesce(pg_last_wal_replay_lsn()::text, '?') ELSE 'primary at ' || pg_current_wal_lsn()::text END" \
              2>/dev/null) || role="down"
        echo "127.0.0.1:$port: $role"
    done
    cl_psql "$PG1_PORT" "SELECT 'replication: ' || application_name || ' ' || state || ', replay lag ' ||
        coalesce(replay_lag::text, '0') FROM pg_stat_replication" 2>/dev/null
    cl_psql "$PG2_PORT" "SELECT 'workers: ' || string_agg(host || ' seen ' || date_trunc('second', now() - seen_at)
        || ' ago', ', ') FROM worker_hosts" 2>/dev/null \
        || cl_psql "$PG1_PORT" "SELECT 'workers: ' || string_agg(host || ' seen ' || date_trunc('second', now() - seen_at)
        || ' ago', ', ') FROM worker_hosts" 2>/dev/null
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    case "${1:-start}" in
    start)    cl_main ;;
    failover) cl_init "${CLUSTER_DIR:-$ROOT/var/cluster}"; cl_failover && touch "$CL/standby/standby.promoted" \
                  && echo "primary stopped, standby (127.0.0.1:$PG2_PORT) promoted" ;;
    status)   cl_status ;;
    *)        echo "usage: scripts/cluster.sh [start|failover|status]" >&2; exit 2 ;;
    esac
fi
