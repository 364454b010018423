#!/usr/bin/python3
"""http_peer.py: a local stand-in for Slack, PagerDuty, a webhook receiver or
Twilio, for tests/integration/test_delivery.sh (standard library only).

Every request except the control ones is appended to the JSONL log BEFORE
it is answered (method, path, headers, body, the status given), so a client
killed while waiting still leaves its request on record.

    http_peer.py --kind slack|pagerduty|webhook|twilio --port P --log FILE

Control (not logged):
    GET  /_health                      200 "ok"
    POST /_control {"status": 500}     answer 500 from now on
    POST /_control {"status": 429, "retry_after": "1", "count": 2}
                                       the next 2 requests get 429 + Retry-After
    POST /_control {"delay": 0.3}      wait 0.3 s after recording, before answering
    POST /_control {}                  back to normal
"Down" is done by stopping the process and starting it again on the port.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"status": None, "count": None, "retry_after": None, "delay": 0.0}


def normal_answer(kind, body):
    if kind == "slack":
        return 200, "text/plain", b"ok"
    if kind == "pagerduty":
        try:
            key = json.loads(body).get("dedup_key", "")
        except ValueError:
            return 400, "application/json", b'{"status":"invalid event","message":"Event object is invalid"}'
        return 202, "application/json", json.dumps(
            {"status": "success", "message": "Event processed", "dedup_key": key}).encode()
    if kind == "twilio":
        return 201, "application/json", b'{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}'
    return 200, "application/json", b'{"ok":true}'


def fault_body(kind, status):
    if kind == "slack" and 400 <= status < 500 and status != 429:
        return "text/plain", b"invalid_payload"
    return "text/plain", ("error %d" % status).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, ctype, data, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._body()
        if self.path == "/_health":
            self._send(200, "text/plain", b"ok")
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self):
        raw = self._body()
        if self.path == "/_control":
            conf = json.loads(raw or b"{}")
            with LOCK:
                STATE.update({"status": conf.get("status"), "count": conf.get("count"),
                              "retry_after": conf.get("retry_after"),
                              "delay": float(conf.get("delay", 0))})
            self._send(200, "text/plain", b"ok")
            return
        text = raw.decode("utf-8", "replace")
        with LOCK:
            status, delay, retry_after = STATE["status"], STATE["delay"], STATE["retry_after"]
            if status is not None and STATE["count"] is not None:
                STATE["count"] -= 1
                if STATE["count"] <= 0:
                    STATE["status"] = STATE["count"] = None
            if status is None:
                code, ctype, data = normal_answer(self.server.kind, text)
                extra = {}
            else:
                code = int(status)
                ctype, data = fault_body(self.server.kind, code)
                extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            rec = {"t": time.time(), "method": self.command, "path": self.path,
                   "headers": {k: v for k, v in self.headers.items()},
                   "body": text, "status": code}
            self.server.log.write(json.dumps(rec) + "\n")
            self.server.log.flush()
        if delay:
            time.sleep(delay)
        self._send(code, ctype, data, extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True, choices=["slack", "pagerduty", "webhook", "twilio"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.kind = a.kind
    srv.log = open(a.log, "a", encoding="utf-8")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
