"""A real headless Chromium, driven through chromedriver's W3C WebDriver HTTP API with Python's
standard library only (no Selenium): open a page from disk and run a script in it.

Debian's chromium and chromium-driver packages provide /usr/bin/chromium and
/usr/bin/chromedriver (tools/schedlab/setup.py installs them for `./schedlab test`). Waits are
for events (the driver answering, the page and its images loaded) with generous bounds, so a
loaded 2-core host only makes them slower.
"""
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
START_TIMEOUT_S = 120


class BrowserMissing(RuntimeError):
    pass


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """with Browser(width, height) as browser: browser.open(url); browser.run(script)."""

    def __init__(self, width=1400, height=1000):
        for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
            if not shutil.which(path):
                raise BrowserMissing(f"{path} is missing: apt-get install -y {package} "
                                     f"(./schedlab test installs it)")
        self.size = (width, height)
        self.port = _free_port()
        self.driver = None
        self.session = None

    def _call(self, method, path, body=None, timeout=START_TIMEOUT_S):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"webdriver {method} {path}: {error.read().decode()}") from None

    def __enter__(self):
        self.driver = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:                           # until the driver answers
            try:
                if self._call("GET", "/status", timeout=5).get("ready"):
                    break
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline or self.driver.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.2)
        width, height = self.size
        options = {"binary": CHROMIUM,
                   "args": ["--headless", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", f"--window-size={width},{height}"]}
        created = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}})
        self.session = created["sessionId"]
        return self

    def __exit__(self, *exc):
        if self.session:
            try:
                self._call("DELETE", f"/session/{self.session}", timeout=30)
            except (OSError, RuntimeError):
                pass
            self.session = None
        if self.driver:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.driver.kill()
            self.driver = None

    def open(self, url):
        """Load url and wait until the page and every image has finished loading."""
        self._call("POST", f"/session/{self.session}/url", {"url": url})
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.run("return document.readyState === 'complete' && "
                           "Array.from(document.images).every(i => i.complete)"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading")
            time.sleep(0.2)

    def run(self, script, *args):
        """The value a script (a function body: `return ...`) returns in the page."""
        return self._call("POST", f"/session/{self.session}/execute/sync",
                          {"script": script, "args": list(args)})
