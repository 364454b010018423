#!/bin/bash
# bench.sh: benchmarks (`make bench` runs them all, `make bench-probe` or
# `scripts/bench.sh probe` one). Not tests: they measure, print, and record
# the figures with the date and the machine in docs/benchmarks.md.
#
# probe: a private PostgreSQL in a temp dir, llmwatch-sim with a bench-*
# scenario (TTFT fixed at 300 ms, 5 short tokens), a generated config of
# 1,000 openai-compatible models bench-0001..1000 pointing at it, and
# `llmwatch probe --timing` cycles of one case per model. Reports the wall
# time of the engine part and of the whole command (config, sync, engine,
# COPY, summary), CPU per probe, peak RSS, and measured - simulator TTFT
# (p50/p99, joined on request_id). The first cycle meets a cold simulator
# and is reported apart; the figures are the median of the warm cycles.
#
# Environment: BUILD (default build), BENCH_MODELS (1000), BENCH_CYCLES (3
# warm cycles), BENCH_RT=1 to run the simulator and the probe SCHED_FIFO
# (chrt -f 1: other processes' load no longer reaches the TTFT figures),
# BENCH_NO_DOC=1 to leave docs/benchmarks.md alone.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/lib.sh"
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD"
export LLMWATCH_DATADIR="$ROOT"

TMP=""
SIM_PID=""
cleanup() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    if [ -n "$TMP" ]; then
        pg_stop "$TMP/pg"
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT

bench_probe() {
    local n=${BENCH_MODELS:-1000} cycles=${BENCH_CYCLES:-3}
    local tmp port db i t0 t1 load rt=()
    TMP=$(mktemp -d /tmp/llmwatch-bench.XXXXXX)
    tmp=$TMP
    chmod 755 "$tmp"

    for b in llmwatch llmwatch-sim; do
        [ -x "$BIN/$b" ] || { echo "bench.sh: no $BIN/$b (run make)" >&2; return 1; }
    done
    if [ "${BENCH_RT:-0}" = 1 ]; then
        chrt -f 1 true 2>/dev/null || { echo "bench.sh: BENCH_RT=1 needs chrt and root (CAP_SYS_NICE)" >&2; return 1; }
        rt=(chrt -f 1)
    fi
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "== probe benchmark: $n models, one case each, TTFT fixed at 300 ms (load average $load) =="
    pg_start "$tmp/pg" || return 1
    db=$(pg_url "$tmp/pg" bench)

    mkdir -p "$tmp/suites"
    cat >"$tmp/suites/bench.yaml" <<'EOF'
name: bench
description: One short case for the probe benchmark.
cases:
  - id: bench
    prompt: "Reply with the word ready."
    max_tokens: 16
    scorer: {type: contains, values: [ready], case_insensitive: true}
    reference_answer: "ready"
EOF
    cat >"$tmp/scenarios.yaml" <<'EOF'
seed: 1
models:
  "bench-*": {ttft_ms: 300, inter_token_ms: 5, output_tokens: 5, accuracy: 1}
EOF
    "${rt[@]}" "$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$tmp/sim.port" --scenarios "$tmp/scenarios.yaml" \
        --suites "$tmp/suites" --log "$tmp/sim.jsonl" --log-level warn >"$tmp/sim.log" 2>&1 &
    SIM_PID=$!
    wait_for_file "$tmp/sim.port" 20 || { echo "simulator did not start" >&2; cat "$tmp/sim.log" >&2; return 1; }
    port=$(cat "$tmp/sim.port")
    {
        printf 'monitoring:\n  environment: bench\n  models:\n'
        for i in $(seq 1 "$n"); do
            printf '    - {name: bench-%04d, provider: openai-compatible, model: bench-%04d, base_url: "http://127.0.0.1:%s", api_key_env: BENCH_KEY, sla_target: 1, prices: {input: 0.15, output: 0.6}}\n' \
                "$i" "$i" "$port"
        done
    } >"$tmp/config.yaml"
    "$BIN/llmwatch" init --database "$db" --config "$tmp/config.yaml" >"$tmp/init.out" 2>&1 || {
        echo "init failed" >&2; cat "$tmp/init.out" >&2; return 1; }

    export BENCH_KEY=bench-key
    for i in $(seq 0 "$cycles"); do
        t0=$(date +%s%N)
        "${rt[@]}" "$BIN/llmwatch" probe --config "$tmp/config.yaml" --database "$db" --suite "$tmp/suites/bench.yaml" \
            --timing >"$tmp/cycle$i.out" 2>"$tmp/cycle$i.err" || {
            echo "probe cycle $i failed:" >&2; tail -5 "$tmp/cycle$i.err" >&2; return 1; }
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000000 ))" >"$tmp/cycle$i.wall"
        grep -q "^cycle [0-9]*: $n probes, $n ok" "$tmp/cycle$i.out" || {
            echo "cycle $i: not every probe succeeded:" >&2; grep '^cycle' "$tmp/cycle$i.out" >&2; }
    done

    # measured - simulator TTFT per cycle (signed: the probe can only be later)
    psql -X -q -t -A -F ' ' -v ON_ERROR_STOP=1 -d "$db" >"$tmp/ttft.out" <<SQL || return 1
CREATE TEMP TABLE sim (j jsonb);
\copy sim (j) FROM '$tmp/sim.jsonl' WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')
SELECT p.cycle_id, count(*),
  round(percentile_cont(0.50) WITHIN GROUP (ORDER BY p.ttft_ms - (s.j->>'ttft_us')::float8 / 1000)::numeric, 3),
  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY p.ttft_ms - (s.j->>'ttft_us')::float8 / 1000)::numeric, 3),
  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ((s.j->>'ttft_us')::float8 - (s.j->>'planned_ttft_us')::float8) / 1000)::numeric, 3)
FROM probes p JOIN sim s ON s.j->>'request_id' = p.request_id
WHERE p.ok GROUP BY 1 ORDER BY 1;
SQL

    # one row per cycle: engine total_ms wall cpu_ms_per_probe rss_mb setup write d50 d99 simlate
    : >"$tmp/rows"
    i=0
    while read -r cyc cnt d50 d99 late; do
        local line
        line=$(grep '^timing:' "$tmp/cycle$i.out")
        kv() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
        printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$i" "$(kv engine_ms)" "$(kv total_ms)" \
            "$(cat "$tmp/cycle$i.wall")" "$(kv cpu_ms_per_probe)" \
            "$(awk -v k="$(kv maxrss_kb)" 'BEGIN { printf "%.1f", k / 1024 }')" \
            "$(kv setup_ms)" "$(kv write_ms)" "$d50" "$d99" "$late" >>"$tmp/rows"
        i=$((i + 1))
    done <"$tmp/ttft.out"

    printf '%-6s %10s %10s %10s %12s %8s %9s %9s %9s %9s %9s\n' cycle engine_ms command_ms process_ms \
        cpu_ms/probe rss_MiB setup_ms write_ms ttftΔp50 ttftΔp99 simlate99
    while read -r c e t w cpu rss s wr d50 d99 late; do
        printf '%-6s %10s %10s %10s %12s %8s %9s %9s %9s %9s %9s\n' "$([ "$c" = 0 ] && echo cold || echo "$c")" \
            "$e" "$t" "$w" "$cpu" "$rss" "$s" "$wr" "$d50" "$d99" "$late"
    done <"$tmp/rows"

    # medians of the warm cycles
    med() { tail -n +2 "$tmp/rows" | awk -v c="$1" '{print $c}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    local m_e m_t m_w m_cpu m_rss m_s m_wr m_d50 m_d99 cold
    m_e=$(med 2); m_t=$(med 3); m_w=$(med 4); m_cpu=$(med 5); m_rss=$(med 6); m_s=$(med 7); m_wr=$(med 8)
    m_d50=$(med 9); m_d99=$(med 10)
    cold=$(head -1 "$tmp/rows")
    echo
    echo "median of $cycles warm cycles: engine ${m_e} ms, whole command ${m_t} ms (process ${m_w} ms), " \
         "cpu ${m_cpu} ms/probe, peak RSS ${m_rss} MiB, TTFT measured-sim p50 ${m_d50} ms p99 ${m_d99} ms"
    if awk -v t="$m_w" 'BEGIN { exit !(t < 2000) }'; then
        echo "target (cycle under 2 s wall on this machine): met"
    else
        echo "target (cycle under 2 s wall on this machine): NOT met"
    fi

    [ "${BENCH_NO_DOC:-0}" = 1 ] && return 0
    local doc="$ROOT/docs/benchmarks.md" cpu_model block mark=bench-probe title="Probe cycle: latest figures"
    if [ ${#rt[@]} -gt 0 ]; then
        mark=bench-probe-rt
        title="Probe cycle under SCHED_FIFO: latest figures"
    fi
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    block="$tmp/block.md"
    {
        echo "<!-- $mark:begin (written by scripts/bench.sh probe; edits here are overwritten) -->"
        echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPU$( [ "$(nproc)" = 1 ] || echo s), ${cpu_model:-unknown CPU}," \
             "Linux $(uname -r), $(curl --version | head -1 | awk '{print $1 " " $2}'), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (fsync ${PG_FSYNC:-on});" \
             "load average before the run $load; scheduling $([ ${#rt[@]} -gt 0 ] && echo "SCHED_FIFO (BENCH_RT=1)" || echo normal)."
        echo
        echo "$n models, one request each, TTFT fixed at 300 ms, 5 output tokens 5 ms apart (the floor of a cycle is about 325 ms)." \
             "*Simulator late* is how far past its plan the simulator wrote first tokens: when it is high, the machine was busy."
        echo
        echo "| cycle | engine | whole command | process wall | CPU per probe | peak RSS | config+sync | COPY+commit | TTFT measured−sim p50 | p99 | simulator late p99 |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        while read -r c e t w cpu rss s wr d50 d99 late; do
            echo "| $([ "$c" = 0 ] && echo "1 (cold simulator)" || echo "$((c + 1))") | ${e} ms | ${t} ms | ${w} ms | ${cpu} ms | ${rss} MiB | ${s} ms | ${wr} ms | ${d50} ms | ${d99} ms | ${late} ms |"
        done <"$tmp/rows"
        echo
        echo "**Median of the warm cycles: engine ${m_e} ms, whole command ${m_t} ms (${m_w} ms for the process), ${m_cpu} ms CPU per probe, peak RSS ${m_rss} MiB; measured − simulator TTFT p50 ${m_d50} ms, p99 ${m_d99} ms.** Target: a cycle under 2 s wall: $(awk -v t="$m_w" 'BEGIN { print (t < 2000) ? "met" : "NOT met" }')."
        echo "<!-- $mark:end -->"
    } >"$block"
    if [ -f "$doc" ] && grep -q "<!-- $mark:begin" "$doc"; then
        awk -v f="$block" -v b="<!-- $mark:begin" -v e="<!-- $mark:end -->" '
            index($0, b) == 1 { while ((getline l < f) > 0) print l; skip = 1; next }
            index($0, e) == 1 { skip = 0; next }
            !skip { print }' "$doc" >"$tmp/doc.md" && cat "$tmp/doc.md" >"$doc"
    else
        { echo; echo "## $title"; echo; cat "$block"; } >>"$doc"
    fi
    echo "figures written to docs/benchmarks.md"
}

# ---- web: pages at 2.16 M probes ---------------------------------------------
# A private PostgreSQL with 50 models x 30 days x one probe a minute
# (BENCH_SCALE=10: 300 days, 21.6 M), llmwatch-web and nginx as `make run`
# starts them, and two references measured in the same run: a FastCGI page
# doing one prepared query (tests/bench/ref_fcgi.c, same stack) and a static
# file served by nginx. wrk at 32 connections per page, then 200
# connections for 60 s on the dashboard.
WEB_PID=""; NGINX_PID=""; REF_PID=""
web_cleanup() {
    local p
    for p in $NGINX_PID $WEB_PID $REF_PID; do kill "$p" 2>/dev/null; done
    for p in $NGINX_PID $WEB_PID $REF_PID; do wait "$p" 2>/dev/null; done
}

# wrk_run NAME URL CONNS SECS [HEADER]: one wrk run, its figures as a line
# "name rps p50_ms p99_ms non2xx socket_errors requests"
wrk_run() {
    local name=$1 url=$2 c=$3 d=$4 out
    out="$TMP/wrk-$(echo "$name" | tr -c 'a-zA-Z0-9' _).txt"
    if [ -n "${5:-}" ]; then
        wrk -t2 -c"$c" -d"${d}s" --timeout 10s --latency -H "$5" "$url" >"$out" 2>&1
    else
        wrk -t2 -c"$c" -d"${d}s" --timeout 10s --latency "$url" >"$out" 2>&1
    fi
    awk -v name="$name" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                         if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $5 }
        /Socket errors:/ { for (i = 3; i <= NF; i++) { gsub(/,/, "", $(i + 1)); if ($i ~ /^(connect|read|write|timeout)$/) se += $(i + 1) } }
        / requests in / { n = $1 }
        END { printf "%s %.1f %.2f %.2f %d %d %d\n", name, rps, p50, p99, non2xx, se, n }' "$out"
}

bench_web() {
    local scale=${BENCH_SCALE:-1} secs=${BENCH_SECS:-10} days tmp db port wsock rsock cookie token
    local t0 t1 load rows
    trap 'web_cleanup; cleanup' EXIT
    days=$((30 * scale))
    TMP=$(mktemp -d /tmp/llmwatch-bench.XXXXXX)
    tmp=$TMP
    chmod 755 "$tmp"
    for b in llmwatch llmwatch-web; do
        [ -x "$BIN/$b" ] || { echo "bench.sh: no $BIN/$b (run make)" >&2; return 1; }
    done
    command -v wrk >/dev/null || { echo "bench.sh: wrk is not installed (make deps)" >&2; return 1; }
    gcc -O2 -o "$tmp/ref_fcgi" "$ROOT/tests/bench/ref_fcgi.c" $(pkg-config --cflags --libs fcgi libpq) -pthread \
        || return 1
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "== web benchmark: 50 models x $days days x 1/min (load average $load) =="
    pg_start "$tmp/pg" || return 1
    createdb -h "$tmp/pg/run" -U postgres bench || return 1
    db=$(pg_url "$tmp/pg" bench)
    {
        printf 'monitoring:\n  models:\n'
        for i in $(seq -w 1 50); do
            case $((10#$i % 3)) in
            0) printf '    - {name: m%s, provider: openai, model: gpt-4o, sla_target: 2.5}\n' "$i" ;;
            1) printf '    - {name: m%s, provider: anthropic, model: claude-3-5-sonnet-20241022, sla_target: 3}\n' "$i" ;;
            2) printf '    - {name: m%s, provider: google, model: gemini-1.5-pro, sla_target: 2.5}\n' "$i" ;;
            esac
        done
    } >"$tmp/config.yaml"
    "$BIN/llmwatch" init --database "$db" --retention-days $((days + 10)) --config "$tmp/config.yaml" \
        >"$tmp/init.out" 2>&1 || { cat "$tmp/init.out" >&2; return 1; }
    t0=$(date +%s%N)
    "$BIN/llmwatch" backfill --database "$db" --config "$tmp/config.yaml" --days "$days" --interval 1m \
        >"$tmp/backfill.out" 2>&1 || { cat "$tmp/backfill.out" >&2; return 1; }
    t1=$(date +%s%N)
    rows=$(psql -X -t -A -d "$db" -c "SELECT count(*) FROM probes")
    BF_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    echo "backfill: $rows probes in ${BF_SECS} s, rollups included"
    psql -X -q -d "$db" -c "VACUUM ANALYZE" >/dev/null

    echo "bench-password-0123" | "$BIN/llmwatch" user add --email bench@example.com --role admin \
        --database "$db" >/dev/null || return 1
    token=$("$BIN/llmwatch" user token --email bench@example.com --name bench --database "$db" 2>/dev/null \
            | sed -n 2p)
    wsock="$tmp/web.sock"
    rsock="$tmp/ref.sock"
    "$BIN/llmwatch-web" --socket "$wsock" --database "$db" --datadir "$ROOT" >"$tmp/web.log" 2>&1 &
    WEB_PID=$!
    "$tmp/ref_fcgi" "$rsock" "$db" 8 >"$tmp/ref.log" 2>&1 &
    REF_PID=$!
    wait_for_file "$wsock" 30 && wait_for_file "$rsock" 30 || { echo "servers did not start" >&2; return 1; }
    socket_share "$wsock"
    socket_share "$rsock"
    port=$(free_port)
    nginx_conf "$tmp/nginx" "$port" "$wsock"
    # the reference page behind the same nginx
    sed -i "s|    upstream llmwatch_web {|    upstream ref_fcgi { server unix:$rsock; }\n    upstream llmwatch_web {|;
            s|        location / {|        location = /ref { include /etc/nginx/fastcgi_params; fastcgi_pass ref_fcgi; fastcgi_keep_conn off; }\n        location / {|;
            s|access_log .*;|access_log off;|" "$tmp/nginx/nginx.conf"
    nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx.log" 2>&1 &
    NGINX_PID=$!
    wait_for_http "http://127.0.0.1:$port/healthz" 20 || { echo "nginx did not start" >&2; return 1; }
    curl -s -c "$tmp/jar" -b "$tmp/jar" "http://127.0.0.1:$port/login" -o "$tmp/login.html"
    curl -s -c "$tmp/jar" -b "$tmp/jar" -o /dev/null --data-urlencode "email=bench@example.com" \
        --data-urlencode "password=bench-password-0123" \
        --data-urlencode "csrf_token=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$tmp/login.html" | head -1)" \
        "http://127.0.0.1:$port/login"
    cookie="Cookie: lw_session=$(awk '$6 == "lw_session" { print $7 }' "$tmp/jar")"
    [ "$cookie" != "Cookie: lw_session=" ] || { echo "bench.sh: login failed" >&2; return 1; }

    local base="http://127.0.0.1:$port" lastmonth
    lastmonth=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
    : >"$tmp/results"
    # warm every page once, then measure
    for u in / "/?range=7d" "/?range=30d" "/models/1?range=30d" /sla "/sla?period=$lastmonth" /budgets; do
        curl -s -o /dev/null -H "$cookie" "$base$u"
    done
    wrk_run "reference: one prepared query" "$base/ref" 32 "$secs" >>"$tmp/results"
    wrk_run "reference: nginx static file" "$base/static/llmwatch.css" 32 "$secs" >>"$tmp/results"
    wrk_run "/" "$base/" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/?range=7d" "$base/?range=7d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/?range=30d" "$base/?range=30d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/models/1?range=30d" "$base/models/1?range=30d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/sla" "$base/sla" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/sla (last month)" "$base/sla?period=$lastmonth" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/budgets" "$base/budgets" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/metrics" "$base/metrics" 32 "$secs" "Authorization: Bearer $token" >>"$tmp/results"
    wrk_run "/api/v1/models" "$base/api/v1/models" 32 "$secs" "Authorization: Bearer $token" >>"$tmp/results"
    wrk_run "/ at 200 connections, 60 s" "$base/" 200 "${BENCH_LOAD_SECS:-60}" "$cookie" >>"$tmp/results"

    local ref
    ref=$(awk 'NR == 1 { print $(NF - 5) }' "$tmp/results")
    printf '%-34s %10s %9s %9s %8s %8s %7s\n' page "req/s" "p50 ms" "p99 ms" non-2xx sockerr "÷ref"
    awk -v ref="$ref" '{ n = NF; name = $1; for (i = 2; i <= n - 6; i++) name = name " " $i;
        printf "%-34s %10s %9s %9s %8s %8s %6.2f\n", name, $(n-5), $(n-4), $(n-3), $(n-2), $(n-1), $(n-5) / ref }' \
        "$tmp/results"

    [ "${BENCH_NO_DOC:-0}" = 1 ] && return 0
    local doc="$ROOT/docs/benchmarks.md" mark="bench-web-x$scale" block="$tmp/block.md" cpu_model
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    {
        echo "<!-- $mark:begin (written by scripts/bench.sh web; edits here are overwritten) -->"
        echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)," \
             "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), nginx $(nginx -v 2>&1 | sed 's|.*/||');" \
             "load average before the run $load. $rows probes (50 models x $days days x 1/min), written and" \
             "rolled up by \`llmwatch backfill\` in ${BF_SECS} s. wrk -t2, ${secs} s per page, after one warm-up request."
        echo
        echo "| page | connections | requests/s | p50 | p99 | non-2xx | socket errors | ÷ one-query reference |"
        echo "|---|---|---|---|---|---|---|---|"
        awk -v ref="$ref" '{ n = NF; name = $1; for (i = 2; i <= n - 6; i++) name = name " " $i;
            c = (name ~ /200 connections/) ? 200 : 32;
            printf "| %s | %d | %s | %s ms | %s ms | %s | %s | %.2f |\n", name, c, $(n-5), $(n-4), $(n-3), $(n-2), $(n-1), $(n-5) / ref }' \
            "$tmp/results"
        echo "<!-- $mark:end -->"
    } >"$block"
    if [ -f "$doc" ] && grep -q "<!-- $mark:begin" "$doc"; then
        awk -v f="$block" -v b="<!-- $mark:begin" -v e="<!-- $mark:end -->" '
            index($0, b) == 1 { while ((getline l < f) > 0) print l; skip = 1; next }
            index($0, e) == 1 { skip = 0; next }
            !skip { print }' "$doc" >"$tmp/doc.md" && cat "$tmp/doc.md" >"$doc"
    else
        { echo; echo "## Web pages at $rows probes"; echo; cat "$block"; } >>"$doc"
    fi
    echo "figures written to docs/benchmarks.md"
}

case "${1:-all}" in
probe) bench_probe ;;
web)   bench_web ;;
alerts) "$ROOT/scripts/bench_alerts.sh" ;;
export) "$ROOT/scripts/bench_export.sh" ;;
all)   bench_probe && bench_web ;;
*)     echo "usage: scripts/bench.sh [probe|web|all]" >&2; exit 2 ;;
esac
