#!/usr/bin/env bash
# test_sim.sh: end-to-end checks of llmwatch-sim over real sockets: each
# protocol's exact framing, error shapes, failure scenarios, the ground-truth
# log against what went over the wire, HTTP robustness, signals, and 1,000
# concurrent streams with a 300 ms TTFT.
#
#   tests/sim/test_sim.sh                       # uses build/llmwatch-sim
#   BUILD=build-san tests/sim/test_sim.sh       # or SIM_BIN=path/to/llmwatch-sim
#   SIM_WRAP="valgrind -q --leak-check=full --error-exitcode=9" SIM_SKIP_LOAD=1 \
#     TIMING_SLACK_US=100000 tests/sim/test_sim.sh
#
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
SIM=${SIM_BIN:-$root/${BUILD:-build}/llmwatch-sim}
WRAP=${SIM_WRAP:-}
SLACK=${TIMING_SLACK_US:-5000}
LOAD_N=${SIM_LOAD_N:-1000}
CHK="python3 $root/tests/sim/check_sim.py"

if [ ! -x "$SIM" ]; then
    echo "test_sim.sh: no simulator at $SIM (run make, or set SIM_BIN)" >&2
    exit 2
fi
if grep -q __asan_init "$SIM" 2>/dev/null; then
    # ASan/UBSan make each event several times slower
    SLACK=$((SLACK * 4))
fi
for tool in curl python3 gcc; do
    command -v "$tool" >/dev/null || { echo "test_sim.sh: $tool is required" >&2; exit 2; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP_TMP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

pass=0
fail=0
# TAP-like lines, as scripts/test.sh counts them
ok()  { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }
# check NAME COMMAND...: passes when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# ---------------------------------------------------------------- fixtures
cat > "$tmp/scenarios.yaml" <<'EOF'
seed: 42
models:
  t-ok:          {ttft_ms: 40, inter_token_ms: 3, output_tokens: 7}
  t-trunc:       {ttft_ms: 20, inter_token_ms: 3, output_tokens: 8, truncate_rate: 1}
  t-mal:         {ttft_ms: 20, inter_token_ms: 3, output_tokens: 5, malformed_rate: 1}
  t-empty:       {ttft_ms: 20, empty_rate: 1}
  t-nousage:     {ttft_ms: 20, inter_token_ms: 2, output_tokens: 4, no_usage_rate: 1}
  t-500:         {error_rate: 1}
  t-429:         {rate_limit_rate: 1, retry_after: 7}
  t-401:         {auth_error_rate: 1}
  t-key:         {api_key: sk-right, ttft_ms: 10, inter_token_ms: 1, output_tokens: 2}
  t-nokey:       {require_key: false, ttft_ms: 10, inter_token_ms: 1, output_tokens: 2}
  t-over:        {overloaded_rate: 1, ttft_ms: 10, inter_token_ms: 2, output_tokens: 6}
  t-drip:        {slow_drip: {rate: 1, interval_ms: 100}, ttft_ms: 10}
  t-hang:        {hang_rate: 1}
  t-big:         {oversize_rate: 1, ttft_ms: 10}
  t-long:        {ttft_ms: 10, inter_token_ms: 30, output_tokens: 200}
  t-drift:       {ttft_ms: 50, inter_token_ms: 1, output_tokens: 2, drift: [{after_minutes: 0, ttft_factor: 2}]}
  t-tue:         {ttft_ms: 50, inter_token_ms: 1, output_tokens: 2,
                  drift: [{weekday: tuesday, hours: "9-17", ttft_factor: 3}]}
  t-right:       {ttft_ms: 10, inter_token_ms: 1, output_tokens: 30, accuracy: 1}
  t-wrong:       {ttft_ms: 10, inter_token_ms: 1, output_tokens: 30, accuracy: 0}
  t-empty-first: {ttft_ms: 20, inter_token_ms: 2, output_tokens: 3, empty_delta_first: true}
  t-late:        {ttft_ms: 10, inter_token_ms: 1, output_tokens: 3, late_input_tokens: true}
  t-headers:     {headers_ms: 100, ttft_ms: 150, inter_token_ms: 1, output_tokens: 2}
  t-tool:        {ttft_ms: 10, inter_token_ms: 1, tool_call_rate: 1, accuracy: 1}
  t-refuse:      {ttft_ms: 10, inter_token_ms: 1, refusal_rate: 1}
  t-think:       {ttft_ms: 10, inter_token_ms: 1, output_tokens: 3, reasoning_tokens: 4}
  t-nodone:      {ttft_ms: 10, inter_token_ms: 1, output_tokens: 3, no_done_rate: 1}
  t-noterm:      {ttft_ms: 10, inter_token_ms: 1, output_tokens: 3, no_terminator_rate: 1}
  t-ver:         {ttft_ms: 10, inter_token_ms: 1, output_tokens: 2, versions: [v-a, v-b],
                  version_every_minutes: 100000}
  "bench-*":     {ttft_ms: 15, inter_token_ms: 1, output_tokens: 3}
  load:          {ttft_ms: 300, inter_token_ms: 20, output_tokens: 10}
  default:       {ttft_ms: 10, inter_token_ms: 1, output_tokens: 3}
EOF
mkdir -p "$tmp/suites"
cat > "$tmp/suites/known.yaml" <<'EOF'
name: known
cases:
  - id: arith
    prompt: "What is 17 * 23? Reply with the number only."
    reference_answer: "391"
  - id: capital
    prompt: "What is the capital of Australia? Reply with one word."
    reference_answer: Canberra
  - id: long
    prompt: "Explain in detail how a hash table works."
    long_output: true
    reference_answer: "A hash table maps keys to buckets."
  - id: weather
    prompt: "What is the weather in Paris? Use the tool."
    scorer: {type: tool_call, name: get_weather}
    reference_answer: '[{"name": "get_weather", "arguments": {"city": "Paris"}}]'
EOF

# start_sim NAME ARGS...: starts a simulator on a free port; sets PORT, PID
start_sim() {
    local name=$1 i
    shift
    rm -f "$tmp/$name.port"
    $WRAP "$SIM" --listen 127.0.0.1:0 --port-file "$tmp/$name.port" "$@" 2>"$tmp/$name.err" &
    PID=$!
    pids+=("$PID")
    for i in $(seq 1 100); do
        [ -s "$tmp/$name.port" ] && break
        sleep 0.1
    done
    PORT=$(cat "$tmp/$name.port" 2>/dev/null)
    [ -n "$PORT" ]
}

# logline ID: the ground-truth line for probe id ID (waits for it briefly)
logline() {
    local i
    for i in $(seq 1 50); do
        if grep -F "\"request_id\":\"$1\"" "$tmp/gt.jsonl" > "$tmp/line" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    : > "$tmp/line"
    return 1
}

n_req=0
# req PROTO MODEL STREAM [include_usage] [extra curl args...]: one request,
# body in $tmp/body, headers in $tmp/hdr, status in $STATUS, curl rc in $RC
req() {
    local proto=$1 model=$2 stream=$3 usage=${4:-} url data
    shift 3
    [ $# -gt 0 ] && shift
    n_req=$((n_req + 1))
    ID="t$n_req"
    local tool='{"name":"get_weather","parameters":{"type":"object"}}'
    case $proto in
    openai)
        url="$BASE/v1/chat/completions"
        data="{\"model\":\"$model\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"${PROMPT:-Say hello to the test.}\"}],\"stream\":$stream${usage:+,\"stream_options\":{\"include_usage\":true\}}${MAXTOK:+,\"max_tokens\":$MAXTOK}${TOOLS:+,\"tools\":[{\"type\":\"function\",\"function\":$tool\}]}}"
        set -- -H "Authorization: Bearer ${KEY-sk-test}" "$@" ;;
    anthropic)
        url="$BASE/v1/messages"
        data="{\"model\":\"$model\",\"max_tokens\":${MAXTOK:-1000},\"messages\":[{\"role\":\"user\",\"content\":\"${PROMPT:-Say hello to the test.}\"}],\"stream\":$stream${TOOLS:+,\"tools\":[$tool]}}"
        set -- -H "x-api-key: ${KEY-sk-test}" -H "anthropic-version: 2023-06-01" "$@" ;;
    google)
        if [ "$stream" = true ]; then
            url="$BASE/v1beta/models/$model:streamGenerateContent?alt=sse"
        else
            url="$BASE/v1beta/models/$model:generateContent"
        fi
        data="{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"${PROMPT:-Say hello to the test.}\"}]}]${MAXTOK:+,\"generationConfig\":{\"maxOutputTokens\":$MAXTOK\}}${TOOLS:+,\"tools\":[{\"functionDeclarations\":[$tool]\}]}}"
        set -- -H "x-goog-api-key: ${KEY-sk-test}" "$@" ;;
    esac
    STATUS=$(curl -sS -N --max-time 20 -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' \
        -H 'Content-Type: application/json' -H "X-Llmwatch-Probe-Id: $ID" "$@" \
        --data-binary "$data" "$url" 2>"$tmp/curl.err")
    RC=$?
    logline "$ID"
}

chk() { $CHK "$1" "$tmp/body" "$tmp/line" "${2:-}" "$SLACK"; }
hdr_has() { grep -qi "$1" "$tmp/hdr"; }
logfield() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("null" if v is None else (str(v).lower() if isinstance(v,bool) else v))' "$tmp/line" "$1" 2>/dev/null; }

# ---------------------------------------------------------------- start
# The wall clock starts on a Tuesday at 10:00 UTC, for the weekday drift.
if ! start_sim main --scenarios "$tmp/scenarios.yaml" --suites "$tmp/suites" \
        --log "$tmp/gt.jsonl" --wall-start 2024-06-04T10:00:00Z; then
    echo "test_sim.sh: the simulator did not start:" >&2
    cat "$tmp/main.err" >&2
    exit 1
fi
MAIN_PID=$PID
MAIN_PORT=$PORT
BASE="http://127.0.0.1:$PORT"
echo "# simulator pid $MAIN_PID on port $PORT"

# ---------------------------------------------------------------- OpenAI
req openai t-ok true usage
check "openai stream: 200, text/event-stream, chunked" \
    test "$STATUS" = 200 -a "$RC" = 0
check "openai stream: content-type and transfer-encoding" \
    bash -c "grep -qi '^content-type: text/event-stream' '$tmp/hdr' && grep -qi '^transfer-encoding: chunked' '$tmp/hdr'"
check "openai stream: role chunk first, usage chunk before [DONE], counts match log" chk openai usage
check "openai stream: request_id recorded from X-Llmwatch-Probe-Id" test "$(logfield request_id)" = "$ID"
check "openai stream: 7 tokens as scripted" test "$(logfield output_tokens)" = 7

req openai t-ok true
check "openai stream without include_usage: no usage anywhere, usage_sent false" chk openai nousage-request
req openai t-nousage true usage
check "openai no_usage scenario: stream_options ignored" chk openai nousage

req openai t-trunc true usage
check "openai truncated: connection cut (curl rc 18)" test "$RC" = 18
check "openai truncated: no [DONE], no usage, no finish_reason; log counts sent tokens" chk openai truncated-usage

req openai t-mal true usage
check "openai malformed: exactly one broken chunk, stream otherwise complete" chk openai malformed

req openai t-empty true usage
check "openai empty: no content, usage 0, [DONE]" bash -c "
    grep -q 'data: \[DONE\]' '$tmp/body' && ! grep -q '\"content\":\"' '$tmp/body' &&
    grep -q '\"completion_tokens\":0' '$tmp/body'"
check "openai empty: log output_tokens 0, ttft null, outcome empty" \
    test "$(logfield output_tokens)/$(logfield ttft_us)/$(logfield outcome)" = "0/null/empty"

PROMPT="Count to three." MAXTOK=2 req openai t-long true usage
check "openai max_tokens: at most 2 tokens, finish_reason length" bash -c "
    grep -q '\"finish_reason\":\"length\"' '$tmp/body' && grep -q '\"completion_tokens\":2' '$tmp/body'"

req openai t-empty-first true usage
check "openai empty_delta_first: role chunk has content \"\", TTFT is the first real token" bash -c "
    grep -q '\"delta\":{\"role\":\"assistant\",\"content\":\"\"}' '$tmp/body' &&
    test \"\$(python3 -c 'import json;d=json.load(open(\"$tmp/line\"));print(d[\"ttft_us\"]>=d[\"planned_ttft_us\"])')\" = True"

req openai t-ok false
check "openai non-streaming: chat.completion JSON with usage" bash -c "
    test '$STATUS' = 200 && python3 -c '
import json,sys; d=json.load(open(\"$tmp/body\")); u=d[\"usage\"]
assert d[\"object\"]==\"chat.completion\" and u[\"completion_tokens\"]==7
assert d[\"choices\"][0][\"message\"][\"content\"].count(\" \")>=6'"
check "openai non-streaming: logged as stream false with usage" \
    test "$(logfield stream)/$(logfield usage_sent)/$(logfield output_tokens)" = "false/true/7"

req openai bench-42 true usage
check "glob scenario: bench-42 uses bench-*" test "$(logfield scenario)/$(logfield output_tokens)" = "bench-*/3"
req openai some-unknown-model true usage
check "default scenario for unknown models" test "$(logfield scenario)" = "default"

# ---------------------------------------------------------------- Anthropic
req anthropic t-ok true
check "anthropic stream: exact event order, cumulative output_tokens, log matches" chk anthropic
req anthropic t-late true
check "anthropic late_input_tokens: input_tokens 0 at start, real count in message_delta" chk anthropic late
req anthropic t-empty-first true
check "anthropic empty_delta_first: empty text_delta before the first token" chk anthropic empty_first
req anthropic t-over true
check "anthropic overloaded: event: error mid-stream" chk anthropic overloaded
req anthropic t-over false
check "anthropic overloaded, non-streaming: 529 overloaded_error" bash -c "
    test '$STATUS' = 529 && grep -q overloaded_error '$tmp/body'"
req anthropic t-ok false
check "anthropic non-streaming: message JSON with usage" python3 -c "
import json; d=json.load(open('$tmp/body'))
assert d['type']=='message' and d['usage']['output_tokens']==7 and d['content'][0]['type']=='text'"
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'x-api-key: k' \
    --data-binary '{"model":"t-ok","messages":[{"role":"user","content":"x"}],"stream":true}' "$BASE/v1/messages")
check "anthropic without max_tokens: 400 invalid_request_error" bash -c "
    test '$STATUS' = 400 && grep -q 'max_tokens: Field required' '$tmp/body'"
KEY="" req anthropic t-ok true
check "anthropic without x-api-key: 401 authentication_error" bash -c "
    test '$STATUS' = 401 && grep -q authentication_error '$tmp/body'"
check "anthropic 401 shape" $CHK error "$tmp/body" "$tmp/line" anthropic:401

# ---------------------------------------------------------------- Gemini
req google t-ok true
check "gemini stream: no [DONE], finishReason and usage on the last, CRLF, log matches" chk google
check "gemini stream: 200 text/event-stream" test "$STATUS" = 200
req google t-ok false
check "gemini generateContent (non-streaming)" python3 -c "
import json; d=json.load(open('$tmp/body'))
assert d['candidates'][0]['finishReason']=='STOP' and d['usageMetadata']['candidatesTokenCount']==7"
n_req=$((n_req + 1))
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "X-Llmwatch-Probe-Id: t$n_req" \
    --data-binary '{"contents":[{"parts":[{"text":"hi"}]}]}' \
    "$BASE/v1beta/models/t-ok:streamGenerateContent?alt=sse&key=from-query")
check "gemini key in ?key= is accepted" test "$STATUS" = 200
KEY="" req google t-ok true
check "gemini without key: 401 with Google's error shape" \
    bash -c "test '$STATUS' = 401 && $CHK error '$tmp/body' '$tmp/line' google:401"

# ---------------------------------------------------------------- errors
req openai t-500 true usage
check "500: OpenAI error JSON {error:{message,type,code}}" \
    bash -c "test '$STATUS' = 500 && $CHK error '$tmp/body' '$tmp/line' openai:500"
check "500: outcome error_500" test "$(logfield outcome)" = error_500
req openai t-429 true usage
check "429 with retry-after: 7" bash -c "test '$STATUS' = 429 && grep -qi '^retry-after: 7' '$tmp/hdr'"
check "429: OpenAI error shape, outcome rate_limited" \
    bash -c "$CHK error '$tmp/body' '$tmp/line' openai:429 && grep -q '\"outcome\":\"rate_limited\"' '$tmp/line'"
req anthropic t-429 true
check "429 (anthropic): rate_limit_error and retry-after" \
    bash -c "test '$STATUS' = 429 && grep -q rate_limit_error '$tmp/body' && grep -qi '^retry-after:' '$tmp/hdr'"
req google t-429 true
check "429 (gemini): RESOURCE_EXHAUSTED" bash -c "test '$STATUS' = 429 && grep -q RESOURCE_EXHAUSTED '$tmp/body'"
req openai t-401 true
check "auth_error_rate: 401 invalid_api_key" bash -c "test '$STATUS' = 401 && grep -q invalid_api_key '$tmp/body'"
KEY="" req openai t-ok true
check "missing Bearer key: 401" test "$STATUS" = 401
KEY=sk-wrong req openai t-key true
check "scenario api_key: wrong key gets 401" test "$STATUS" = 401
KEY=sk-right req openai t-key true usage
check "scenario api_key: right key streams" test "$STATUS" = 200
KEY="" req openai t-nokey true usage
check "require_key false: served without any key" bash -c "test '$STATUS' = 200 && grep -q DONE '$tmp/body'"
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' --data-binary '{"model":' "$BASE/v1/chat/completions")
check "no key and a bad body: 401 before 400" test "$STATUS" = 401
n_req=$((n_req + 1))
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Authorization: Bearer k' \
    -H "X-Llmwatch-Probe-Id: t$n_req" --data-binary '{"model": "t-ok", "messages": [' "$BASE/v1/chat/completions")
logline "t$n_req"
check "bad JSON: 400 invalid_request_error, logged bad_request" \
    bash -c "test '$STATUS' = 400 && grep -q invalid_request_error '$tmp/body' && grep -q bad_request '$tmp/line'"
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Authorization: Bearer k' \
    --data-binary '{"model":"t-ok"}' "$BASE/v1/chat/completions")
check "missing messages: 400" test "$STATUS" = 400
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Authorization: Bearer k' \
    --data-binary '{"model":"t-ok","messages":[{"role":"user","content":"x"}],"stream":"yes"}' "$BASE/v1/chat/completions")
check "stream not a boolean: 400" test "$STATUS" = 400
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' "$BASE/v1/chat/completions")
check "GET on an LLM route: 405" test "$STATUS" = 405
STATUS=$(curl -s -o "$tmp/body" -w '%{http_code}' "$BASE/nope")
check "unknown path: 404 JSON" bash -c "test '$STATUS' = 404 && $CHK error '$tmp/body' - openai:404"

# ---------------------------------------------------------------- slow / hang / oversize
n_req=$((n_req + 1)); ID="t$n_req"
curl -sS -N --max-time 1 -o "$tmp/body" -H 'Authorization: Bearer k' -H "X-Llmwatch-Probe-Id: $ID" \
    --data-binary '{"model":"t-drip","messages":[{"role":"user","content":"x"}],"stream":true}' \
    "$BASE/v1/chat/completions" 2>/dev/null
RC=$?
logline "$ID"
role_len=$(head -c 400 "$tmp/body" | grep -c role)
body_len=$(wc -c < "$tmp/body")
check "slow_drip: still open after 1 s (curl timeout)" test "$RC" = 28
check "slow_drip: role chunk, then about one byte per 100 ms" \
    bash -c "test '$role_len' = 1 && test '$body_len' -lt 400"
check "slow_drip: logged when the client left" \
    bash -c "grep -q '\"outcome\":\"slow_drip\"' '$tmp/line' && grep -q '\"client_closed\":true' '$tmp/line'"

n_req=$((n_req + 1)); ID="t$n_req"
rm -f "$tmp/body"
curl -sS -N --max-time 0.6 -o "$tmp/body" -H 'Authorization: Bearer k' -H "X-Llmwatch-Probe-Id: $ID" \
    --data-binary '{"model":"t-hang","messages":[{"role":"user","content":"x"}],"stream":true}' \
    "$BASE/v1/chat/completions" 2>/dev/null
RC=$?
logline "$ID"
check "hang: nothing at all within 0.6 s" bash -c "test '$RC' = 28 && test ! -s '$tmp/body'"
touch "$tmp/body"
check "hang: logged with status 0 on disconnect" \
    bash -c "grep -q '\"outcome\":\"hang\"' '$tmp/line' && grep -q '\"status\":0' '$tmp/line'"

req openai t-big true usage
big=$(wc -c < "$tmp/body")
check "oversize: more than 2 MiB, then a proper end" \
    bash -c "test '$big' -gt 2097152 && tail -c 20 '$tmp/body' | grep -q 'DONE'"
check "oversize: logged with the tokens sent" \
    bash -c "grep -q '\"outcome\":\"oversize\"' '$tmp/line' && test \$(grep -c '\"content\":\"' '$tmp/body') = '$(logfield output_tokens)'"

# client disconnect mid-stream
n_req=$((n_req + 1)); ID="t$n_req"
curl -sS -N --max-time 0.3 -o /dev/null -H 'Authorization: Bearer k' -H "X-Llmwatch-Probe-Id: $ID" \
    --data-binary '{"model":"t-long","messages":[{"role":"user","content":"x"}],"stream":true}' \
    "$BASE/v1/chat/completions" 2>/dev/null
logline "$ID"
check "client disconnect mid-stream: logged, client_closed, partial tokens" python3 -c "
import json; d=json.load(open('$tmp/line'))
assert d['client_closed'] and d['outcome']=='ok' and 0 < d['output_tokens'] < 200, d"

# ---------------------------------------------------------------- timing
req openai t-drift true usage
check "drift after_minutes 0: ttft factor 2 (planned 100 ms)" test "$(logfield planned_ttft_us)" = 100000
req openai t-tue true usage
check "drift weekday tuesday 9-17 (wall clock starts Tuesday 10:00): factor 3" \
    test "$(logfield planned_ttft_us)" = 150000
n_req=$((n_req + 1)); ID="t$n_req"
curl -sS -N -o "$tmp/body" -H 'Authorization: Bearer k' -H "X-Llmwatch-Probe-Id: $ID" \
    -w '%{time_starttransfer}\n' --data-binary '{"model":"t-headers","messages":[{"role":"user","content":"x"}],"stream":true}' \
    "$BASE/v1/chat/completions" > "$tmp/tst" 2>/dev/null
logline "$ID"
check "headers_ms: headers after ~100 ms, first token at 150 ms" python3 -c "
import json; t=float(open('$tmp/tst').read()); d=json.load(open('$tmp/line'))
assert 0.095 < t < 0.145, t
assert abs(d['ttft_us'] - 150000) < $SLACK, d"

# ---------------------------------------------------------------- known prompts
PROMPT="What is 17 * 23? Reply with the number only." req openai t-right true usage
check "known prompt, accuracy 1: exactly the reference answer" bash -c "
    python3 -c 'import json,sys
out=\"\".join(json.loads(l[6:])[\"choices\"][0][\"delta\"].get(\"content\",\"\") for l in open(\"$tmp/body\") if l.startswith(\"data: {\") and json.loads(l[6:])[\"choices\"])
assert out==\"391\", repr(out)' && grep -q '\"answer\":\"correct\"' '$tmp/line'"
PROMPT="What is 17 * 23? Reply with the number only." req anthropic t-wrong true
check "known prompt, accuracy 0: a wrong answer, logged as wrong" bash -c "
    ! grep -q '\"text\":\"391\"' '$tmp/body' && grep -q '\"answer\":\"wrong\"' '$tmp/line'"
PROMPT="What is the capital of Australia? Reply with one word." req google t-right true
check "known prompt (gemini): Canberra, and nothing else" bash -c "
    grep -q '\"text\":\"Canberra\"' '$tmp/body' && test \"\$(grep -c '\"text\"' '$tmp/body')\" = 1"
PROMPT="Explain in detail how a hash table works." req openai t-right true usage
check "long_output case: the answer, then filler up to output_tokens (30)" bash -c "
    grep -q '\"content\":\"A \"' '$tmp/body' && grep -q '\"completion_tokens\":30' '$tmp/body'"
req openai t-right true usage
check "unknown prompt: filler, answer null" test "$(logfield answer)/$(logfield output_tokens)" = "null/30"

# ---------------------------------------------------------------- answers beyond text
for proto in openai anthropic google; do
    PROMPT="What is the weather in Paris? Use the tool." TOOLS=1 req $proto t-tool true usage
    check "$proto: a tool-calling model calls the known case's tool with its arguments" \
        $CHK answer "$tmp/body" "$tmp/line" "$proto:tool"
    req $proto t-tool true usage
    check "$proto: offered no tool, it answers in text" test "$(logfield outcome)" = ok
    req $proto t-refuse true usage
    check "$proto: a refusal as the provider says it" $CHK answer "$tmp/body" "$tmp/line" "$proto:refusal"
    req $proto t-think true usage
    check "$proto: reasoning streamed before the answer, counted in usage" \
        $CHK answer "$tmp/body" "$tmp/line" "$proto:think"
    req $proto t-noterm true usage
    check "$proto: the last event without its blank line" $CHK answer "$tmp/body" "$tmp/line" "$proto:noterm"
    req $proto t-ver true usage
    check "$proto: the reply names the scenario's version" $CHK answer "$tmp/body" "$tmp/line" "$proto:version:v-a"
done
req openai t-nodone true usage
check "openai: a complete stream without [DONE]" $CHK answer "$tmp/body" "$tmp/line" "openai:nodone"

# ---------------------------------------------------------------- plain routes
check "GET /healthz" bash -c "curl -sf '$BASE/healthz' | grep -q ok"
check "GET /v1/models lists the exact model names" \
    bash -c "curl -sf '$BASE/v1/models' | python3 -c 'import json,sys; d=json.load(sys.stdin); ids=[m[\"id\"] for m in d[\"data\"]]; assert \"t-ok\" in ids and \"default\" not in ids and \"bench-*\" not in ids'"
check "GET /_sim/stats is JSON with counters" \
    bash -c "curl -sf '$BASE/_sim/stats' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"llm_requests\"] > 30 and d[\"by_outcome\"][\"truncated\"] >= 1'"

# ---------------------------------------------------------------- HTTP robustness
# raw BYTES...: sends the bytes on a fresh connection, prints the reply
raw() {
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf "$@" >&3
    timeout 3 cat <&3
    exec 3<&-
}
check "garbage request line: 400" bash -c "$(declare -f raw); PORT=$PORT; raw 'GARBAGE\r\n\r\n' | head -1 | grep -q '^HTTP/1.1 400'"
check "HTTP/2.0 request line: 505" bash -c "$(declare -f raw); PORT=$PORT; raw 'GET /healthz HTTP/2.0\r\n\r\n' | head -1 | grep -q ' 505 '"
check "header folding: 400" bash -c "$(declare -f raw); PORT=$PORT; raw 'GET /healthz HTTP/1.1\r\nA: b\r\n c\r\n\r\n' | head -1 | grep -q ' 400 '"
check "20 KiB of headers: 431" bash -c "$(declare -f raw); PORT=$PORT; raw 'GET /healthz HTTP/1.1\r\nX-Big: %s\r\n\r\n' \$(head -c 20000 /dev/zero | tr '\0' a) | head -1 | grep -q ' 431 '"
check "Content-Length over 1 MiB: 413 in the provider's format" bash -c "$(declare -f raw); PORT=$PORT; raw 'POST /v1/messages HTTP/1.1\r\nx-api-key: k\r\nContent-Length: 2000000\r\n\r\n' | grep -q request_too_large"
check "chunked request body: 501" bash -c "$(declare -f raw); PORT=$PORT; raw 'POST /v1/messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | head -1 | grep -q ' 501 '"
check "pipelined keep-alive requests: two replies on one connection" bash -c "$(declare -f raw); PORT=$PORT; test \$(raw 'GET /healthz HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n' | grep -c '^HTTP/1.1 200') = 2"
check "keep-alive: curl reuses the connection" bash -c "
    test \"\$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' '$BASE/healthz' '$BASE/healthz' | tr '\n' ' ')\" = '1 0 '"
big_body=$(python3 -c 'import json; print(json.dumps({"model":"t-ok","messages":[{"role":"user","content":"w "*3000}]}))')
check "Expect: 100-continue body (6 KB) answered at once" bash -c "
    t=\$(curl -s -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer k' -H 'Expect: 100-continue' \
        --data-binary '$big_body' '$BASE/v1/chat/completions'); python3 -c \"assert \$t < 0.8, \$t\""
check "HTTP/1.0: close-delimited stream, no chunked, [DONE]" bash -c "
    curl -s -N --http1.0 -D '$tmp/h10' -H 'Authorization: Bearer k' \
        --data-binary '{\"model\":\"t-ok\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}' \
        '$BASE/v1/chat/completions' | grep -q 'data: \[DONE\]' && ! grep -qi chunked '$tmp/h10'"
for i in $(seq 1 40); do
    { exec 3<>"/dev/tcp/127.0.0.1/$PORT" && head -c $((RANDOM % 3000 + 1)) /dev/urandom >&3; exec 3<&-; } 2>/dev/null
done
{ exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"mo' >&3; exec 3<&-; } 2>/dev/null
{ exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'GET /heal' >&3; exec 3<&-; } 2>/dev/null
check "alive after random bytes, partial requests and abrupt closes" bash -c "curl -sf '$BASE/healthz' | grep -q ok"

# ---------------------------------------------------------------- log integrity
check "every ground-truth line is valid JSON with the documented keys" python3 -c "
import json
keys = {'id','request_id','protocol','model','scenario','recv_us','first_content_us','ttft_us','end_us',
        'status','output_tokens','input_tokens','usage_sent','outcome'}
n = 0
for line in open('$tmp/gt.jsonl'):
    d = json.loads(line); n += 1
    assert keys <= set(d), sorted(keys - set(d))
    assert d['protocol'] in ('openai','anthropic','google')
assert n > 40, n"

# ---------------------------------------------------------------- signals
cat > "$tmp/hup.yaml" <<'EOF'
models:
  default: {ttft_ms: 10, inter_token_ms: 1, output_tokens: 2}
EOF
if start_sim hup --scenarios "$tmp/hup.yaml" --log "$tmp/hup.jsonl" --wall-start 2024-06-05T10:00:00Z; then
    HB="http://127.0.0.1:$PORT"
    hup_pid=$PID
    cat > "$tmp/hup.yaml" <<'EOF'
models:
  default: {ttft_ms: 10, inter_token_ms: 1, output_tokens: 5}
  t-tue: {ttft_ms: 50, output_tokens: 2, drift: [{weekday: tuesday, ttft_factor: 3}]}
  t-hang: {hang_rate: 1}
EOF
    kill -HUP "$hup_pid"
    sleep 0.3
    curl -s -o "$tmp/body" -H 'Authorization: Bearer k' \
        --data-binary '{"model":"x","messages":[{"role":"user","content":"x"}],"stream":true}' "$HB/v1/chat/completions"
    check "SIGHUP reloads the scenarios" test "$(grep -c '"content":"' "$tmp/body")" = 5
    curl -s -o /dev/null -H 'Authorization: Bearer k' \
        --data-binary '{"model":"t-tue","messages":[{"role":"user","content":"x"}],"stream":true}' "$HB/v1/chat/completions"
    check "weekday drift off on a Wednesday" grep -q '"planned_ttft_us":50000' "$tmp/hup.jsonl"
    echo 'models: [' > "$tmp/hup.yaml"
    kill -HUP "$hup_pid"
    sleep 0.3
    check "a broken file on SIGHUP keeps the old scenarios" bash -c "
        curl -s -H 'Authorization: Bearer k' --data-binary '{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}' \
            '$HB/v1/chat/completions' | grep -q DONE && grep -q 'reload failed' '$tmp/hup.err'"
    curl -s --max-time 5 -o /dev/null -H 'x-goog-api-key: k' -H 'X-Llmwatch-Probe-Id: inflight' \
        --data-binary '{"contents":[{"parts":[{"text":"x"}]}]}' \
        "$HB/v1beta/models/t-hang:streamGenerateContent?alt=sse" &
    sleep 0.3
    kill -TERM "$hup_pid"
    wait "$hup_pid"
    check "SIGTERM: clean exit 0" test $? = 0
    check "SIGTERM: the in-flight (hanging) request is logged, not as a client close" bash -c "
        grep '\"request_id\":\"inflight\"' '$tmp/hup.jsonl' | grep -q '\"outcome\":\"hang\".*\"client_closed\":false'"
else
    bad "second simulator did not start"
fi

bad_cfg="$tmp/bad.yaml"
printf 'models:\n  a:\n    ttft_ms: {dist: gauss, mean: 1}\n' > "$bad_cfg"
check "--check: bad scenario names file:line:col" bash -c "
    ! '$SIM' --check --scenarios '$bad_cfg' 2>'$tmp/chk.err' && grep -q 'bad.yaml:3:21: unknown dist' '$tmp/chk.err'"
check "--check: the shipped scenarios.yaml is valid" bash -c "'$SIM' --check --scenarios '$root/sim/scenarios.yaml' >/dev/null"

# ---------------------------------------------------------------- concurrency
if [ -z "${SIM_SKIP_LOAD:-}" ]; then
    if gcc -O2 -o "$tmp/sim_load" "$root/tests/sim/sim_load.c" 2>"$tmp/gcc.err"; then
        "$tmp/sim_load" 127.0.0.1 "$MAIN_PORT" "$LOAD_N" load > "$tmp/load.out" 2>&1
        load_rc=$?
        sed 's/^/# /' "$tmp/load.out"
        check "$LOAD_N concurrent streams all complete with [DONE]" test "$load_rc" = 0
        sleep 0.3
        # Correctness only: every stream completes, none is early. How late
        # the simulator is under load is a benchmark figure (printed here,
        # measured by `make bench`), never a timed assertion.
        check "$LOAD_N concurrent streams: all logged ok, none earlier than the planned 300 ms" python3 -c "
import json
v = [json.loads(l) for l in open('$tmp/gt.jsonl') if '\"request_id\":\"load-' in l]
t = sorted(d['ttft_us'] for d in v)
assert len(v) == $LOAD_N, len(v)
assert all(d['outcome'] == 'ok' and d['output_tokens'] == 10 for d in v)
print('# sim ttft_us over %d streams: min %d p50 %d p99 %d max %d' % (len(t), t[0], t[len(t)//2], t[len(t)*99//100], t[-1]))
assert t[0] >= 300000, t[0]"
        curl -s "$BASE/_sim/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin)["first_content_lateness_us"]; print("# first-content lateness: mean %.1f us, max %d us over %d streams" % (d["mean"], d["max"], d["count"]))'
    else
        bad "sim_load.c does not compile: $(cat "$tmp/gcc.err")"
    fi
fi

# ---------------------------------------------------------------- stop
kill -TERM "$MAIN_PID"
wait "$MAIN_PID"
check "main simulator: clean exit on SIGTERM" test $? = 0
if [ -n "$WRAP" ] && grep -q 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]' "$tmp"/*.err; then
    bad "the wrapper reported errors:"; grep -h 'ERROR SUMMARY\|definitely lost' "$tmp"/*.err
fi
if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$tmp"/*.err; then
    bad "sanitizer reports:"; grep -h -A5 'AddressSanitizer\|LeakSanitizer\|runtime error' "$tmp"/*.err | head -40
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
