"""webdriver.py: a minimal W3C WebDriver client (standard library only) that
drives Debian's chromium through chromedriver, for the browser tests.

    with Browser() as b:
        b.get(url); b.fill('input[name=email]', 'x'); b.click('button[type=submit]')
        b.screenshot('out.png'); b.text('h1')
"""
import base64
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class WebDriverError(Exception):
    pass


class Browser:
    def __init__(self, width=1280, height=900):
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="lw-chromium-")
        self.proc = subprocess.Popen(
            ["chromedriver", "--port=%d" % self.port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                self._req("GET", "/status")
                break
            except Exception:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage",
                         "--user-data-dir=" + self.profile,
                         "--window-size=%d,%d" % (width, height)]}}}}
        r = self._req("POST", "/session", caps)
        self.session = r["sessionId"] if "sessionId" in r else r["value"]["sessionId"]

    def _req(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise WebDriverError("%s %s: %s" % (method, path, e.read()[:500]))

    def _s(self, method, path, body=None):
        return self._req(method, "/session/%s%s" % (self.session, path), body)["value"]

    def get(self, url):
        self._s("POST", "/url", {"url": url})

    def url(self):
        return self._s("GET", "/url")

    def source(self):
        return self._s("GET", "/source")

    def find(self, css):
        return self._s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in self._s("POST", "/elements", {"using": "css selector", "value": css})]

    def fill(self, css, text):
        el = self.find(css)
        self._s("POST", "/element/%s/clear" % el, {})
        self._s("POST", "/element/%s/value" % el, {"text": text})

    def select(self, css, value):
        """Chooses the <option value=...> of a <select>."""
        self.click("%s option[value='%s']" % (css, value))

    def click(self, css):
        self._s("POST", "/element/%s/click" % self.find(css), {})

    def text(self, css):
        return self._s("GET", "/element/%s/text" % self.find(css))

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._s("GET", "/screenshot")))

    def close(self):
        try:
            self._req("DELETE", "/session/%s" % self.session)
        except Exception:
            pass
        self.proc.terminate()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
