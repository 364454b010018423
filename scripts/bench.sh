#!/bin/bash
# bench.sh: benchmarks (`make bench` runs them all, `make bench-probe` or
# `scripts/bench.sh probe|web|scale` one). Not tests: they measure, print, and record
# the figures with the date and the machine in docs/benchmarks.md (scale:
# in docs/benchmarks.md, section "Scale-out").
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
# scale: BENCH_SCALE_MODELS (2000), BENCH_SCALE_TRIALS (3), BENCH_SECS (10).
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
    doc_block "$doc" "$mark" "$block" "$title"
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
    # the reference page's server: libfcgi takes SIGTERM as "stop after the
    # next request" and would sit in accept() for ever, and the script with it
    [ -n "$REF_PID" ] && kill -KILL "$REF_PID" 2>/dev/null
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

    local base="http://127.0.0.1:$port"
    : >"$tmp/results"
    # warm every page once, then measure
    for u in / "/?range=7d" "/?range=30d" "/models/1?range=30d" /sla "/sla?period=last-month" /budgets; do
        curl -s -o /dev/null -H "$cookie" "$base$u"
    done
    for u in /metrics /api/v1/models; do
        curl -s -o /dev/null -H "Authorization: Bearer $token" "$base$u"
    done
    wrk_run "reference: one prepared query" "$base/ref" 32 "$secs" >>"$tmp/results"
    wrk_run "reference: nginx static file" "$base/static/llmwatch.css" 32 "$secs" >>"$tmp/results"
    wrk_run "/" "$base/" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/?range=7d" "$base/?range=7d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/?range=30d" "$base/?range=30d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/models/1?range=30d" "$base/models/1?range=30d" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/sla" "$base/sla" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/sla (last month)" "$base/sla?period=last-month" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/budgets" "$base/budgets" 32 "$secs" "$cookie" >>"$tmp/results"
    wrk_run "/metrics" "$base/metrics" 32 "$secs" "Authorization: Bearer $token" >>"$tmp/results"
    wrk_run "/api/v1/models" "$base/api/v1/models" 32 "$secs" "Authorization: Bearer $token" >>"$tmp/results"
    wrk_run "/ at 200 connections, 60 s" "$base/" 200 "${BENCH_LOAD_SECS:-60}" "$cookie" >>"$tmp/results"

    # what each page weighs: bytes through FastCGI and nginx per request
    local sizes="" u sz
    for u in / "/?range=30d" "/models/1?range=30d" /sla /budgets; do
        sz=$(curl -s -o /dev/null -w '%{size_download}' -H "$cookie" "$base$u")
        sizes="$sizes${sizes:+, }\`$u\` $((sz / 1024)) KiB"
    done
    sz=$(curl -s -o /dev/null -w '%{size_download}' "$base/ref")
    sizes="$sizes, the reference page $sz bytes"
    echo "page sizes: $sizes"

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
             "rolled up by \`llmwatch backfill\` in ${BF_SECS} s. wrk -t2, ${secs} s per page, after one warm-up request." \
             "Page sizes: $sizes."
        echo
        echo "| page | connections | requests/s | p50 | p99 | non-2xx | socket errors | ÷ one-query reference |"
        echo "|---|---|---|---|---|---|---|---|"
        awk -v ref="$ref" '{ n = NF; name = $1; for (i = 2; i <= n - 6; i++) name = name " " $i;
            c = (name ~ /200 connections/) ? 200 : 32;
            printf "| %s | %d | %s | %s ms | %s ms | %s | %s | %.2f |\n", name, c, $(n-5), $(n-4), $(n-3), $(n-2), $(n-1), $(n-5) / ref }' \
            "$tmp/results"
        echo "<!-- $mark:end -->"
    } >"$block"
    doc_block "$doc" "$mark" "$block" "Web pages at $rows probes"
    echo "figures written to docs/benchmarks.md"
}

# ---- scale: one vs two worker hosts, one vs two web processes ---------------
# A private PostgreSQL and simulator; BENCH_SCALE_MODELS (2000) endpoints of
# one case each (TTFT 300 ms). Worker hosts: slots of `llmwatch run-due`
# with one host (h1) and with two (h1 and h2 at once, both known alive),
# BENCH_SCALE_TRIALS (3) slots each, interleaved; the figure of a slot is
# its makespan in the leases (first claim to last row committed). Web:
# a day of those endpoints backfilled, wrk on / through an nginx upstream
# of one web process and of two (default threads each), page cache on and
# off. Then what one primary takes: probe rows written per second by
# statements of 2,000 rows (a cycle's COPY) with the rollups' trigger and
# with it disabled. Ratios are from this one run.
SCALE_PIDS=()
scale_cleanup() {
    local p
    for p in "${SCALE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SCALE_PIDS[@]}"; do wait "$p" 2>/dev/null; done
}

bench_scale() {
    local n=${BENCH_SCALE_MODELS:-2000} trials=${BENCH_SCALE_TRIALS:-3} secs=${BENCH_SECS:-10}
    local tmp db port slot t i h load mode w1 w2
    trap 'scale_cleanup; cleanup' EXIT
    TMP=$(mktemp -d /tmp/llmwatch-bench.XXXXXX)
    tmp=$TMP
    chmod 755 "$tmp"
    command -v wrk >/dev/null || { echo "bench.sh: wrk is not installed (make deps)" >&2; return 1; }
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "== scale benchmark: $n endpoints, 1 vs 2 worker hosts; 1 vs 2 web processes (load average $load) =="
    pg_start "$tmp/pg" || return 1
    db=$(pg_url "$tmp/pg" bench)
    mkdir -p "$tmp/suites"
    printf 'name: bench\ndescription: One short case.\ncases:\n  - id: bench\n    prompt: "Reply with the word ready."\n    max_tokens: 16\n    scorer: {type: contains, values: [ready], case_insensitive: true}\n    reference_answer: "ready"\n' \
        >"$tmp/suites/bench.yaml"
    printf 'seed: 1\nmodels:\n  "bench-*": {ttft_ms: 300, inter_token_ms: 5, output_tokens: 5, accuracy: 1}\n' \
        >"$tmp/scenarios.yaml"
    "$BIN/llmwatch-sim" --listen 127.0.0.1:0 --port-file "$tmp/sim.port" --scenarios "$tmp/scenarios.yaml" \
        --suites "$tmp/suites" --log-level warn >"$tmp/sim.log" 2>&1 &
    SCALE_PIDS+=($!)
    wait_for_file "$tmp/sim.port" 20 || { echo "simulator did not start" >&2; return 1; }
    port=$(cat "$tmp/sim.port")
    {
        printf 'monitoring:\n  environment: bench\n  models:\n'
        for i in $(seq 1 "$n"); do
            printf '    - {name: bench-%04d, provider: openai-compatible, model: bench-%04d, base_url: "http://127.0.0.1:%s", api_key_env: BENCH_KEY, sla_target: 1, timeout: 10, prices: {input: 0.15, output: 0.6}}\n' \
                "$i" "$i" "$port"
        done
        printf '  schedule:\n    performance_checks: {frequency: "every 10 seconds", timeout: 10, suite: "%s"}\n' \
            "$tmp/suites/bench.yaml"
    } >"$tmp/config.yaml"
    "$BIN/llmwatch" init --database "$db" --config "$tmp/config.yaml" >"$tmp/init.out" 2>&1 || {
        echo "init failed" >&2; cat "$tmp/init.out" >&2; return 1; }
    export BENCH_KEY=bench-key
    q() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
    # next_slot: waits for the start of the next 10-second slot, prints it
    next_slot() {
        local now
        now=$(date +%s.%N)
        slot=$(awk -v t="$now" 'BEGIN { printf "%d", (int(t / 10) + 1) * 10 }')
        sleep "$(awk -v t="$now" -v s="$slot" 'BEGIN { printf "%.3f", s - t + 0.05 }')"
    }
    : >"$tmp/hosts"
    for t in $(seq 0 "$trials"); do
        for mode in 1 2; do
            q "DELETE FROM worker_hosts"
            [ "$mode" = 2 ] && q "INSERT INTO worker_hosts (host) VALUES ('h1'), ('h2')"
            next_slot
            LLMWATCH_HOST=h1 "$BIN/llmwatch" run-due --job probe --config "$tmp/config.yaml" --database "$db" \
                >>"$tmp/h1.log" 2>&1 &
            w1=$!
            w2=""
            if [ "$mode" = 2 ]; then
                LLMWATCH_HOST=h2 "$BIN/llmwatch" run-due --job probe --config "$tmp/config.yaml" --database "$db" \
                    >>"$tmp/h2.log" 2>&1 &
                w2=$!
            fi
            wait $w1 $w2
            # trial 0 warms the simulator and the tables up
            [ "$t" = 0 ] && continue
            q "SELECT $mode, extract(epoch FROM max(done_at) - min(claimed_at)) * 1000, count(*),
                      count(DISTINCT host), count(*) FILTER (WHERE done_at IS NULL)
                 FROM probe_leases WHERE slot = to_timestamp($slot)" | tr '|' ' ' >>"$tmp/hosts"
        done
    done
    local m1 m2 hratio
    med_of() { awk -v m="$1" '$1 == m { print $2 }' "$tmp/hosts" | sort -g | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]}'; }
    m1=$(med_of 1); m2=$(med_of 2)
    hratio=$(awk -v a="$m1" -v b="$m2" 'BEGIN { printf "%.2f", a / b }')
    echo "worker hosts: slot makespan median: one host ${m1} ms, two hosts ${m2} ms: ${hratio}x"
    awk '{ printf "  %s host(s): %.0f ms, %d models, %d hosts, %d left undone\n", $1, $2, $3, $4, $5 }' "$tmp/hosts"

    # ---- web processes ----
    "$BIN/llmwatch" backfill --database "$db" --config "$tmp/config.yaml" --days 1 --interval 5m \
        >"$tmp/backfill.out" 2>&1 || { cat "$tmp/backfill.out" >&2; return 1; }
    q "VACUUM ANALYZE" >/dev/null
    echo "bench-password-0123" | "$BIN/llmwatch" user add --email bench@example.com --role admin \
        --database "$db" >/dev/null || return 1
    local cache cookie p1 p2 r1 r2 wratio conns wline=""
    for cache in 64M 0; do
        for i in 1 2; do
            rm -f "$tmp/web$i.sock"
            "$BIN/llmwatch-web" --socket "$tmp/web$i.sock" --database "$db" --datadir "$ROOT" --cache-size "$cache" \
                >>"$tmp/web$i.log" 2>&1 &
            SCALE_PIDS+=($!)
            eval "w$i=$!"
        done
        wait_for_file "$tmp/web1.sock" 30 && wait_for_file "$tmp/web2.sock" 30 || return 1
        socket_share "$tmp/web1.sock"; socket_share "$tmp/web2.sock"
        p1=$(free_port); p2=$(free_port)
        nginx_conf "$tmp/ng1" "$p1" "$tmp/web1.sock"
        nginx_conf "$tmp/ng2" "$p2" "$tmp/web1.sock"
        sed -i "s|        server unix:$tmp/web1.sock;|        server unix:$tmp/web1.sock;\n        server unix:$tmp/web2.sock;|; s|access_log .*;|access_log off;|" \
            "$tmp/ng2/nginx.conf"
        sed -i "s|access_log .*;|access_log off;|" "$tmp/ng1/nginx.conf"
        nginx -p "$tmp/ng1" -c "$tmp/ng1/nginx.conf" -g 'daemon off;' >>"$tmp/nginx.log" 2>&1 &
        SCALE_PIDS+=($!)
        nginx -p "$tmp/ng2" -c "$tmp/ng2/nginx.conf" -g 'daemon off;' >>"$tmp/nginx.log" 2>&1 &
        SCALE_PIDS+=($!)
        wait_for_http "http://127.0.0.1:$p1/healthz" 20 && wait_for_http "http://127.0.0.1:$p2/healthz" 20 || return 1
        curl -s -c "$tmp/jar" -b "$tmp/jar" "http://127.0.0.1:$p1/login" -o "$tmp/login.html"
        curl -s -c "$tmp/jar" -b "$tmp/jar" -o /dev/null --data-urlencode "email=bench@example.com" \
            --data-urlencode "password=bench-password-0123" \
            --data-urlencode "csrf_token=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$tmp/login.html" | head -1)" \
            "http://127.0.0.1:$p1/login"
        cookie="Cookie: lw_session=$(awk '$6 == "lw_session" { print $7 }' "$tmp/jar")"
        for i in 1 2 3 4; do curl -s -o /dev/null -H "$cookie" "http://127.0.0.1:$p2/"; done
        # uncached, a dashboard of 2,000 models takes long: fewer connections,
        # so that requests end within wrk's timeout
        conns=$([ "$cache" = 0 ] && echo 4 || echo 32)
        r1=$(wrk_run "one-$cache" "http://127.0.0.1:$p1/" "$conns" "$secs" "$cookie" | awk '{ print $(NF - 5) }')
        r2=$(wrk_run "two-$cache" "http://127.0.0.1:$p2/" "$conns" "$secs" "$cookie" | awk '{ print $(NF - 5) }')
        wratio=$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.2f", b / a }')
        echo "web, page cache $([ "$cache" = 0 ] && echo off || echo on): / at $conns connections: one process $r1 req/s, two $r2 req/s: ${wratio}x"
        wline="$wline| dashboard of $n models, page cache $([ "$cache" = 0 ] && echo off || echo "on (as deployed)"), $conns connections | $r1 req/s | $r2 req/s | ${wratio}x |"$'\n'
        scale_cleanup
        SCALE_PIDS=()
    done

    # ---- what one primary writes (last: these rows have no cycle) ----
    local wr_on wr_off n_rows=100000
    write_rate() {   # rows/s of 50 statements of 2,000 rows into probes
        local t0 t1 k
        t0=$(date +%s%N)
        for k in $(seq 1 $((n_rows / 2000))); do
            echo "INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, input_tokens, output_tokens)
                  SELECT now() - (i % 600) * interval '1 second', m.id, m.environment_id, i % 50 <> 0, 300 + i % 97,
                         330 + i % 101, 12, 5
                    FROM generate_series(1, 2000) i JOIN models m ON m.name = 'bench-' || lpad((1 + i % $n)::text, 4, '0');"
        done | psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null || return 1
        t1=$(date +%s%N)
        awk -v a="$t0" -v b="$t1" -v n="$n_rows" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }'
    }
    # the same table, indexes and other triggers; only the rollups' trigger off
    wr_on=$(write_rate) || return 1
    q "ALTER TABLE probes DISABLE TRIGGER probes_rollup_insert" >/dev/null
    wr_off=$(write_rate) || return 1
    q "ALTER TABLE probes ENABLE TRIGGER probes_rollup_insert" >/dev/null
    echo "one primary: $wr_on probe rows/s with the rollups kept by their trigger, $wr_off rows/s without (statements of 2,000 rows)"

    [ "${BENCH_NO_DOC:-0}" = 1 ] && return 0
    local doc="$ROOT/docs/benchmarks.md" mark=bench-scale block="$tmp/block.md" cpu_model
    cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    {
        echo "<!-- $mark:begin (written by scripts/bench.sh scale; edits here are overwritten) -->"
        echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)," \
             "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') (fsync ${PG_FSYNC:-on}); load average before the run $load." \
             "Every process (PostgreSQL, simulator, worker hosts, web processes, nginx, wrk) on this one machine."
        echo
        echo "| what | one | two | two ÷ one |"
        echo "|---|---|---|---|"
        echo "| worker hosts: a probe slot of $n endpoints (TTFT 300 ms), makespan, median of $trials | ${m1} ms | ${m2} ms | ${hratio}x the speed |"
        printf '%s' "$wline" | sed 's/| \([0-9.]*\)x |$/| \1x the requests\/s |/'
        echo
        echo "One primary: **$wr_on probe rows/s** written with the rollups kept in the same statements" \
             "(statements of 2,000 rows, as a cycle's COPY), $wr_off rows/s with the rollups' trigger disabled:" \
             "keeping the rollups costs $(awk -v a="$wr_on" -v b="$wr_off" 'BEGIN { printf "%.1f", 1e6 / a - 1e6 / b }') µs per row."
        echo "<!-- $mark:end -->"
    } >"$block"
    doc_block "$doc" "$mark" "$block" "Scale-out"
    echo "figures written to docs/benchmarks.md"
}

case "${1:-all}" in
probe) bench_probe ;;
web)   bench_web ;;
alerts) "$ROOT/scripts/bench_alerts.sh" ;;
export) "$ROOT/scripts/bench_export.sh" ;;
scale) bench_scale ;;
all)   bench_probe && bench_web && bench_scale ;;
*)     echo "usage: scripts/bench.sh [probe|web|alerts|export|scale|all]" >&2; exit 2 ;;
esac
