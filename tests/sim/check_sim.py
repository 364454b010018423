#!/usr/bin/env python3
"""check_sim.py: framing and ground-truth checks for tests/sim/test_sim.sh.

usage: check_sim.py MODE BODY_FILE LOG_LINE_FILE [ARG]
Prints what is wrong and exits 1, or exits 0 silently. BODY_FILE holds the
response body as curl wrote it (chunked encoding already removed);
LOG_LINE_FILE holds the simulator's ground-truth JSON line for the request.
"""
import json
import re
import sys

errors = []


def expect(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def sse_events(raw):
    """[(event name or None, data string)] from an SSE body (LF or CRLF)."""
    text = raw.replace("\r\n", "\n")
    out = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        out.append((name, "\n".join(data)))
    return out


def parse(data):
    try:
        return json.loads(data)
    except ValueError:
        return None


def check_log(log, n_tokens, usage_sent, outcome, slack_us):
    expect(log.get("output_tokens") == n_tokens,
           "log output_tokens %r != %d tokens on the wire" % (log.get("output_tokens"), n_tokens))
    expect(log.get("usage_sent") is usage_sent, "log usage_sent %r, expected %r" % (log.get("usage_sent"), usage_sent))
    expect(log.get("outcome") == outcome, "log outcome %r, expected %r" % (log.get("outcome"), outcome))
    if n_tokens > 0:
        ttft, planned = log.get("ttft_us"), log.get("planned_ttft_us")
        if expect(isinstance(ttft, int) and isinstance(planned, int), "log ttft_us/planned_ttft_us missing"):
            expect(ttft >= planned, "ttft_us %d earlier than planned %d" % (ttft, planned))
            expect(ttft - planned <= slack_us, "ttft_us %d late by more than %d us" % (ttft, slack_us))
            expect(log["first_content_us"] - log["recv_us"] == ttft, "ttft_us != first_content_us - recv_us")
            expect(log["end_us"] >= log["first_content_us"], "end_us before first_content_us")


def openai_stream(raw, log, arg, slack):
    ev = sse_events(raw)
    datas = [d for _, d in ev]
    include_usage = arg in ("usage", "truncated-usage", "malformed")
    if arg.startswith("truncated"):
        expect("[DONE]" not in datas, "a truncated stream has [DONE]")
    else:
        expect(datas and datas[-1] == "[DONE]", "the last event is not [DONE]")
        datas = datas[:-1]
    chunks = [parse(d) for d in datas]
    bad = [d for d, c in zip(datas, chunks) if c is None]
    if arg == "malformed":
        expect(len(bad) == 1, "%d unparseable chunks, expected exactly 1" % len(bad))
    else:
        expect(not bad, "unparseable chunks: %r" % bad[:2])
    chunks = [c for c in chunks if c is not None]
    if not expect(chunks, "no chunks"):
        return
    first = chunks[0]
    expect(first["choices"][0]["delta"] == {"role": "assistant"},
           "the first chunk is not role-only: %r" % first["choices"][0]["delta"])
    contents = [c["choices"][0]["delta"].get("content") for c in chunks
                if c["choices"] and "content" in c["choices"][0]["delta"]]
    expect(all(contents), "an empty content delta after the role chunk")
    expect(all(re.fullmatch(r"\S+\s*", t or "") for t in contents if t), "a delta with more than one token")
    for c in chunks:
        expect(c.get("object") == "chat.completion.chunk", "object is not chat.completion.chunk")
    usage_chunks = [c for c in chunks if c.get("usage")]
    finishes = [c for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
    if arg.startswith("truncated"):
        expect(not usage_chunks, "a truncated stream carries usage")
        expect(not finishes, "a truncated stream carries finish_reason")
        check_log(log, len(contents), False, "truncated", slack)
        return
    expect(len(finishes) == 1, "%d chunks with finish_reason" % len(finishes))
    if include_usage:
        if expect(len(usage_chunks) == 1, "%d usage chunks, expected 1" % len(usage_chunks)):
            u = usage_chunks[0]
            expect(u is chunks[-1], "the usage chunk is not right before [DONE]")
            expect(u["choices"] == [], "the usage chunk has choices")
            expect(u["usage"]["completion_tokens"] == len(contents),
                   "completion_tokens %d != %d deltas" % (u["usage"]["completion_tokens"], len(contents)))
            expect(u["usage"]["prompt_tokens"] == log.get("input_tokens"), "prompt_tokens != log input_tokens")
            expect(u["usage"]["total_tokens"] == u["usage"]["prompt_tokens"] + u["usage"]["completion_tokens"],
                   "total_tokens is not the sum")
        expect(all("usage" in c and c["usage"] is None for c in chunks[:-1]), "earlier chunks lack usage:null")
    else:
        expect(not usage_chunks and all("usage" not in c for c in chunks), "usage sent without include_usage")
    outcome = {"malformed": "malformed", "nousage": "no_usage"}.get(arg, "ok")
    check_log(log, len(contents), include_usage and arg != "nousage", outcome, slack)


ANTHROPIC_ORDER = ["message_start", "content_block_start", "ping"]


def anthropic_stream(raw, log, arg, slack):
    ev = sse_events(raw)
    names = [n for n, _ in ev]
    datas = [parse(d) for _, d in ev]
    expect(all(d is not None for d in datas), "unparseable event data")
    expect(all(d is None or d.get("type") == n for n, d in zip(names, datas)), "event name != data.type")
    if arg == "overloaded":
        expect(names[:3] == ANTHROPIC_ORDER, "start events %r" % names[:3])
        expect(names[-1] == "error" and datas[-1]["error"]["type"] == "overloaded_error",
               "the stream does not end with an overloaded_error event")
        n = names.count("content_block_delta")
        check_log(log, n, False, "overloaded", slack)
        return
    n = names.count("content_block_delta")
    empty_first = arg == "empty_first"
    expected = ANTHROPIC_ORDER + ["content_block_delta"] * n + ["content_block_stop", "message_delta", "message_stop"]
    expect(names == expected, "event order %r" % names)
    texts = [d["delta"]["text"] for nm, d in zip(names, datas) if nm == "content_block_delta"]
    if empty_first:
        expect(texts and texts[0] == "", "no empty delta first")
        texts = texts[1:]
    expect(all(texts), "an empty text delta")
    start = datas[0]["message"]
    md = datas[names.index("message_delta")]
    expect(md["usage"]["output_tokens"] == len(texts), "message_delta output_tokens %r != %d deltas"
           % (md["usage"]["output_tokens"], len(texts)))
    if arg == "late":
        expect(start["usage"]["input_tokens"] == 0, "late input: message_start input_tokens is not 0")
        expect(md["usage"].get("input_tokens") == log.get("input_tokens"), "late input: message_delta input_tokens")
    else:
        expect(start["usage"]["input_tokens"] == log.get("input_tokens"), "message_start input_tokens != log")
    expect(md["delta"]["stop_reason"] in ("end_turn", "max_tokens"), "stop_reason")
    check_log(log, len(texts), True, "ok", slack)


def google_stream(raw, log, arg, slack):
    expect("\r\n\r\n" in raw, "Gemini events are not CRLF-separated")
    ev = sse_events(raw)
    datas = [parse(d) for _, d in ev]
    expect("[DONE]" not in [d for _, d in ev], "Gemini stream has [DONE]")
    if not expect(datas and all(d is not None for d in datas), "unparseable event"):
        return
    texts = ["".join(p.get("text", "") for p in d["candidates"][0]["content"]["parts"]) for d in datas]
    fins = [i for i, d in enumerate(datas) if d["candidates"][0].get("finishReason")]
    expect(fins == [len(datas) - 1], "finishReason not only on the last response: %r" % fins)
    um = datas[-1].get("usageMetadata")
    n = len([t for t in texts if t])
    if expect(um is not None, "no usageMetadata on the last response"):
        expect(um["candidatesTokenCount"] == n, "candidatesTokenCount %r != %d" % (um["candidatesTokenCount"], n))
        expect(um["promptTokenCount"] == log.get("input_tokens"), "promptTokenCount != log input_tokens")
        expect(um["totalTokenCount"] == um["promptTokenCount"] + n, "totalTokenCount")
    expect(all(d.get("usageMetadata") is None for d in datas[:-1]), "usageMetadata before the last response")
    check_log(log, n, True, "ok", slack)


def error_shape(raw, log, arg, slack):
    proto, status = arg.split(":")
    d = parse(raw)
    if not expect(d is not None, "error body is not JSON: %r" % raw[:200]):
        return
    if proto == "openai":
        e = d.get("error", {})
        expect(set(["message", "type", "code"]) <= set(e), "OpenAI error lacks message/type/code: %r" % d)
    elif proto == "anthropic":
        expect(d.get("type") == "error" and "type" in d.get("error", {}) and "message" in d["error"],
               "Anthropic error shape: %r" % d)
    else:
        e = d.get("error", {})
        expect(e.get("code") == int(status) and "message" in e and "status" in e, "Gemini error shape: %r" % d)
    if log is not None:
        expect(log.get("status") == int(status), "log status %r != %s" % (log.get("status"), status))
        expect(log.get("output_tokens") == 0 and log.get("ttft_us") is None, "an error logged content")


def answer(raw, log, arg, slack):
    """arg PROTO:KIND: the answers beyond text (tool, refusal, think, nodone,
    noterm, version:NAME) as the provider streams them."""
    proto, kind = arg.split(":", 1)
    ev = sse_events(raw)
    datas = [parse(d) for _, d in ev if d != "[DONE]"]
    if not expect(datas and all(d is not None for d in datas), "unparseable event"):
        return
    done = [d for _, d in ev if d == "[DONE]"]
    if kind == "tool":
        if proto == "openai":
            calls = [c for d in datas if d["choices"] for c in d["choices"][0]["delta"].get("tool_calls", [])]
            name = calls[0]["function"].get("name") if calls else None
            args = "".join(c["function"].get("arguments", "") for c in calls)
            fin = [d["choices"][0]["finish_reason"] for d in datas if d["choices"] and d["choices"][0]["finish_reason"]]
            expect(fin == ["tool_calls"], "finish_reason %r" % fin)
            expect(done, "no [DONE]")
        elif proto == "anthropic":
            starts = [d["content_block"] for d in datas if d.get("type") == "content_block_start"]
            name = starts[0].get("name") if starts and starts[0]["type"] == "tool_use" else None
            args = "".join(d["delta"]["partial_json"] for d in datas if d.get("type") == "content_block_delta"
                           and d["delta"]["type"] == "input_json_delta")
            stops = [d["delta"]["stop_reason"] for d in datas if d.get("type") == "message_delta"]
            expect(stops == ["tool_use"], "stop_reason %r" % stops)
        else:
            fcs = [p["functionCall"] for d in datas for p in d["candidates"][0]["content"]["parts"]
                   if "functionCall" in p]
            name = fcs[0]["name"] if fcs else None
            args = json.dumps(fcs[0]["args"]) if fcs else ""
        expect(name == "get_weather", "tool called %r" % name)
        expect(parse(args) == {"city": "Paris"}, "arguments %r" % args)
        expect(log.get("outcome") == "tool_call", "log outcome %r" % log.get("outcome"))
    elif kind == "refusal":
        if proto == "openai":
            ref = "".join(d["choices"][0]["delta"].get("refusal", "") for d in datas if d["choices"])
            expect(ref.startswith("I'm sorry"), "refusal %r" % ref)
        elif proto == "anthropic":
            stops = [d["delta"]["stop_reason"] for d in datas if d.get("type") == "message_delta"]
            expect(stops == ["refusal"], "stop_reason %r" % stops)
        else:
            fins = [d["candidates"][0].get("finishReason") for d in datas]
            expect(fins[-1] == "SAFETY", "finishReason %r" % fins)
        expect(log.get("outcome") == "refusal", "log outcome %r" % log.get("outcome"))
    elif kind == "think":
        if proto == "openai":
            reas = [d for d in datas if d["choices"] and d["choices"][0]["delta"].get("reasoning_content")]
            first_text = min([i for i, d in enumerate(datas) if d["choices"] and d["choices"][0]["delta"].get("content")])
            usage = [d["usage"] for d in datas if d.get("usage")][-1]
            expect(usage["completion_tokens_details"]["reasoning_tokens"] == 4, "usage %r" % usage)
            expect(usage["completion_tokens"] == 7, "completion_tokens %r" % usage)
            expect(datas.index(reas[-1]) < first_text, "reasoning after the answer")
        elif proto == "anthropic":
            reas = [d for d in datas if d.get("type") == "content_block_delta" and d["delta"]["type"] == "thinking_delta"]
            sig = [d for d in datas if d.get("type") == "content_block_delta" and d["delta"]["type"] == "signature_delta"]
            text = [d for d in datas if d.get("type") == "content_block_delta" and d["delta"]["type"] == "text_delta"]
            expect(len(sig) == 1 and all(d["index"] == 1 for d in text) and text, "blocks %r" % datas)
            usage = [d["usage"] for d in datas if d.get("type") == "message_delta"][-1]
            expect(usage["output_tokens"] == 7, "output_tokens %r" % usage)
        else:
            reas = [d for d in datas if any(p.get("thought") for p in d["candidates"][0]["content"]["parts"])]
            um = datas[-1]["usageMetadata"]
            expect(um.get("thoughtsTokenCount") == 4, "usageMetadata %r" % um)
        expect(len(reas) == 4, "%d reasoning events" % len(reas))
        expect(log.get("reasoning_tokens") == 4 and log.get("first_answer_us", 0) > log["first_content_us"],
               "log reasoning %r" % log)
    elif kind == "nodone":
        expect(not done and '"finish_reason":"stop"' in raw, "[DONE] %r or no finish" % done)
    elif kind == "noterm":
        end = raw[-4:].replace("\r\n", "\n")
        expect(end.endswith("\n") and not end.endswith("\n\n"), "the body ends %r" % raw[-10:])
        expect(log.get("outcome") == "no_terminator", "log outcome %r" % log.get("outcome"))
    elif kind.startswith("version:"):
        want = kind.split(":", 1)[1]
        if proto == "openai":
            got = {d.get("system_fingerprint") for d in datas}
        elif proto == "anthropic":
            got = {d["message"]["model"] for d in datas if d.get("type") == "message_start"}
        else:
            got = {d.get("modelVersion") for d in datas}
        expect(got == {want}, "versions %r" % got)
        expect(log.get("version") == want, "log version %r" % log.get("version"))


def main():
    mode, body_file, log_file = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else ""
    slack = int(sys.argv[5]) if len(sys.argv) > 5 else 5000
    raw = open(body_file, encoding="utf-8", errors="replace", newline="").read()
    log = None
    if log_file != "-":
        line = open(log_file).read().strip()
        log = parse(line) if line else None
        if log is None:
            print("  no ground-truth log line")
            return 1
    {"openai": openai_stream, "anthropic": anthropic_stream, "google": google_stream,
     "error": error_shape, "answer": answer}[mode](raw, log, arg, slack)
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
