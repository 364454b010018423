#!/usr/bin/python3
"""inspect.py: questions test_delivery.sh asks of what the peers recorded
(http_peer.py JSONL logs, aiosmtpd's Maildir). Standard library only.

    inspect.py count LOG [--ok] [--from N]        requests (2xx only with --ok)
    inspect.py keys LOG HEADER [--ok] [--from N]  "<requests> <distinct values>"
    inspect.py dups LOG HEADER [--ok] [--from N]  values seen more than once
    inspect.py body LOG INDEX                     the body of one request
    inspect.py header LOG INDEX NAME              one header of one request
    inspect.py json LOG INDEX PATH                a field of a JSON body (a.b.0.c)
    inspect.py hmac LOG SECRET [--from N]         "<signed> <valid>" X-Llmwatch-Signature
    inspect.py form LOG INDEX                     form fields and basic auth, one per line
    inspect.py mails DIR [--subject TEXT]         one JSON line per mail: headers and parts
"""
import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import sys
import urllib.parse


def records(path, start=0, ok=False):
    out = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    out = out[start:]
    if ok:
        out = [r for r in out if 200 <= r["status"] < 300]
    return out


def header(rec, name):
    for k, v in rec["headers"].items():
        if k.lower() == name.lower():
            return v
    return None


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        v = args[i + 1] if i + 1 < len(args) and not args[i + 1].startswith("--") else True
        del args[i:i + (2 if v is not True else 1)]
        return v
    return default


def main():
    args = sys.argv[1:]
    start = int(opt(args, "--from", 0))
    ok = bool(opt(args, "--ok", False))
    subject = opt(args, "--subject")
    cmd = args[0]
    if cmd == "count":
        print(len(records(args[1], start, ok)))
    elif cmd == "keys":
        vals = [header(r, args[2]) for r in records(args[1], start, ok)]
        print(len(vals), len(set(vals)))
    elif cmd == "dups":
        vals = [header(r, args[2]) for r in records(args[1], start, ok)]
        for v in sorted(set(x for x in vals if vals.count(x) > 1)):
            print(v)
    elif cmd == "body":
        print(records(args[1])[int(args[2])]["body"])
    elif cmd == "header":
        print(header(records(args[1])[int(args[2])], args[3]) or "")
    elif cmd == "json":
        v = json.loads(records(args[1])[int(args[2])]["body"])
        for part in args[3].split("."):
            v = v[int(part)] if isinstance(v, list) else v.get(part)
        print(v if not isinstance(v, (dict, list)) else json.dumps(v))
    elif cmd == "hmac":
        secret = args[2].encode()
        signed = valid = 0
        for r in records(args[1], start):
            sig = header(r, "X-Llmwatch-Signature")
            if sig is None:
                continue
            signed += 1
            want = "sha256=" + hmac.new(secret, r["body"].encode(), hashlib.sha256).hexdigest()
            valid += hmac.compare_digest(sig, want)
        print(signed, valid)
    elif cmd == "form":
        r = records(args[1])[int(args[2])]
        for k, v in urllib.parse.parse_qsl(r["body"], keep_blank_values=True):
            print("%s=%s" % (k, v))
        auth = header(r, "Authorization") or ""
        if auth.startswith("Basic "):
            print("auth=" + base64.b64decode(auth[6:]).decode())
        print("content-type=" + (header(r, "Content-Type") or ""))
    elif cmd == "mails":
        d = os.path.join(args[1], "new")
        for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if subject and subject not in str(msg["Subject"]):
                continue
            parts = {}
            for p in msg.walk():
                if p.get_content_maintype() == "text":
                    parts[p.get_content_type()] = p.get_content()
            print(json.dumps({
                "sender": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
                "date": str(msg["Date"]), "message_id": str(msg["Message-ID"]),
                "date_ok": msg["Date"] is not None and msg["Date"].datetime is not None,
                "n_date": len(msg.get_all("Date") or []),
                "n_message_id": len(msg.get_all("Message-ID") or []),
                "rcpt": str(msg["X-RcptTo"]), "mail_from": str(msg["X-MailFrom"]),
                "content_type": msg.get_content_type(),
                "types": sorted(parts), "html": parts.get("text/html", ""),
                "text": parts.get("text/plain", "")}))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
