#!/bin/bash
# lib.sh: shell helpers shared by run.sh and the test harness: a private
# PostgreSQL cluster, a private nginx, waiting for sockets and ports.
# Sourced, not run. Expects ROOT (the repository) to be set.

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

# as_pg CMD...: runs CMD as the cluster's owner (postgres when we are root,
# since initdb refuses root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# pg_start DIR: initialises (first time) and starts a cluster in DIR/data
# listening only on the unix socket DIR/run. Prints nothing on success.
pg_start() {
    _d=$1
    mkdir -p "$_d/run" "$_d/log"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$_d" "$_d/run" "$_d/log"
        [ -d "$_d/data" ] && chown -R postgres "$_d/data"
    fi
    if [ ! -f "$_d/data/PG_VERSION" ]; then
        as_pg "$PGBIN/initdb" -D "$_d/data" -A trust -U postgres --no-sync -E UTF8 \
            --locale=C >"$_d/log/initdb.log" 2>&1 || {
            echo "initdb failed:" >&2; cat "$_d/log/initdb.log" >&2; return 1; }
    fi
    as_pg "$PGBIN/pg_ctl" -D "$_d/data" -w -t 60 -l "$_d/log/postgresql.log" \
        -o "-c listen_addresses='' -c unix_socket_directories='$_d/run' -c fsync=${PG_FSYNC:-on} -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" \
        start >/dev/null || {
        echo "PostgreSQL did not start; its log:" >&2; tail -20 "$_d/log/postgresql.log" >&2; return 1; }
}

pg_stop() {
    [ -f "$1/data/postmaster.pid" ] || return 0
    as_pg "$PGBIN/pg_ctl" -D "$1/data" -w -t 60 -m fast stop >/dev/null 2>&1 || true
}

pg_restart() {
    as_pg "$PGBIN/pg_ctl" -D "$1/data" -w -t 60 -m fast -l "$1/log/postgresql.log" \
        -o "-c listen_addresses='' -c unix_socket_directories='$1/run' -c fsync=${PG_FSYNC:-on} -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" \
        restart >/dev/null
}

# pg_url DIR DBNAME
pg_url() {
    echo "postgresql://postgres@/$2?host=$1/run"
}

# nginx_conf PREFIX PORT SOCKET: writes PREFIX/nginx.conf from the template.
nginx_conf() {
    _p=$1
    mkdir -p "$_p"
    if [ "$(id -u)" = 0 ]; then _user="user www-data www-data;"; else _user=""; fi
    sed -e "s|@PREFIX@|$_p|g" -e "s|@PORT@|$2|g" -e "s|@SOCKET@|$3|g" \
        -e "s|@ROOT@|$ROOT|g" -e "s|@USER_LINE@|$_user|" \
        "$ROOT/nginx/dev.conf.in" >"$_p/nginx.conf"
}

# socket_share SOCKET: lets nginx's workers (www-data when we are root) use
# the FastCGI socket, and nobody else.
socket_share() {
    if [ "$(id -u)" = 0 ]; then
        chgrp www-data "$1" && chmod 660 "$1"
    fi
}

# wait_for_file PATH SECONDS
wait_for_file() {
    _i=0
    while [ ! -e "$1" ]; do
        _i=$((_i + 1))
        [ "$_i" -gt $(($2 * 10)) ] && return 1
        sleep 0.1
    done
}

# wait_for_http URL SECONDS: until the URL answers at all.
wait_for_http() {
    _i=0
    while ! curl -s -o /dev/null --max-time 2 "$1"; do
        _i=$((_i + 1))
        [ "$_i" -gt $(($2 * 10)) ] && return 1
        sleep 0.1
    done
}

# free_port: a TCP port nobody listens on.
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# port_in_use PORT
port_in_use() {
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null
}

# doc_block DOC MARK BLOCK TITLE: puts the file BLOCK (which starts with
# "<!-- MARK:begin" and ends with "<!-- MARK:end -->") in place of DOC's
# block of that mark, or, when DOC has none, at its end under "## TITLE".
doc_block() {
    local doc=$1 mark=$2 block=$3 title=$4 tmp
    if [ -f "$doc" ] && grep -q "<!-- $mark:begin" "$doc"; then
        tmp=$(mktemp)
        awk -v f="$block" -v b="<!-- $mark:begin" -v e="<!-- $mark:end -->" '
            index($0, b) == 1 { while ((getline l < f) > 0) print l; skip = 1; next }
            index($0, e) == 1 { skip = 0; next }
            !skip { print }' "$doc" >"$tmp" && cat "$tmp" >"$doc"
        rm -f "$tmp"
    else
        { echo; echo "## $title"; echo; cat "$block"; } >>"$doc"
    fi
}
