"""browser_rule.py BASE [SHOTDIR]: the rule form in a real browser (headless
Chromium through tests/integration/webdriver.py). An editor logs in, opens
the form from the rules list, is refused a bad expression with the error
beside the field, creates a threshold rule and sees it listed; a viewer has
no "New rule" button and gets 403 on /rules/new. Screenshots go to SHOTDIR
(default /tmp). Prints one line per check; exits 1 on the first failure."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser  # noqa: E402

BASE = sys.argv[1].rstrip("/")
SHOTS = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
NAME = "Browser p95 latency %d" % os.getpid()


def check(what, cond):
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        raise SystemExit(1)


def wait_for(b, pred, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if pred():
                return True
        except Exception:
            pass
        time.sleep(0.1)
    return False


def login(b, role):
    b.get(BASE + "/login")
    b.fill("input[name=email]", "%s@example.com" % role)
    b.fill("input[name=password]", "pw-%s-0123456789" % role)
    b.click("button[type=submit]")
    check("%s logs in" % role, wait_for(b, lambda: "/login" not in b.url()))


def shot(b, name):
    path = os.path.join(SHOTS, "llmwatch-%s.png" % name)
    b.screenshot(path)
    print("  screenshot %s" % path)


with Browser(width=1280, height=1000) as b:
    login(b, "editor")
    b.get(BASE + "/rules")
    check("editor sees the New rule button", len(b.find_all("#new-rule")) == 1)
    b.click("#new-rule")
    check("the button opens the form", wait_for(b, lambda: b.url().endswith("/rules/new")))
    b.fill("#name", NAME)
    b.select("#severity", "critical")
    b.fill("#condition", "p95_latency > sla_targt * 2")
    b.fill("#window", "10m")
    b.click("#save")
    check("a bad expression is refused beside the field",
          wait_for(b, lambda: len(b.find_all("#condition-error")) == 1))
    check("the error names the column", "column 15" in b.text("#condition-error"))
    check("the typed name is kept", 'value="%s"' % NAME in b.source())
    shot(b, "rule-form-error")
    b.fill("#condition", "p95_latency > sla_target * 2")
    b.click("#save")
    check("the rule is saved and shown", wait_for(b, lambda: "created=1" in b.url()))
    check("the rule page has its name", b.text("h1") == NAME)
    shot(b, "rule-created")
    b.get(BASE + "/rules")
    check("the rule is listed", NAME in b.text("#rules"))
    shot(b, "rules-list-editor")

with Browser(width=1280, height=900) as b:
    login(b, "viewer")
    b.get(BASE + "/rules")
    check("the viewer sees the rule", NAME in b.text("#rules"))
    check("the viewer has no New rule button", len(b.find_all("#new-rule")) == 0)
    check("the viewer has no Edit buttons", "/edit" not in b.source())
    shot(b, "rules-list-viewer")
    b.get(BASE + "/rules/new")
    check("the viewer gets 403 on /rules/new", b.text(".error-code") == "403")
    shot(b, "rule-form-viewer-403")
print("browser test passed")
