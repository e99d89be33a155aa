"""What the notify end-to-end tests (smtp_it.py, sms_it.py, reminder_it.py) share: a free port on 127.0.0.1,
polling without fixed sleeps, `confpro serve` and the CLI over one configuration, and a web API client."""
import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_time(seconds_from_now, zone="Europe/Paris"):
    """A --start in the servers' zone (BASE_SECTIONS), to the second."""
    import datetime
    import zoneinfo
    now = datetime.datetime.now(zoneinfo.ZoneInfo(zone))
    return (now + datetime.timedelta(seconds=seconds_from_now)).strftime("%Y-%m-%d %H:%M:%S")


def wait_for(what, predicate, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


# Before the test's own sections: the node (named by the test, {node}), its SQLite store in the test's folder and
# a toll-free access number.
BASE_SECTIONS = """[server]
node_id = "{node}"
time_zone = "Europe/Paris"
data_dir = "{dir}/var"
[storage]
url = "sqlite://{dir}/confpro.db"
[[access_numbers]]
number = "0800300300"
label = "Toll-free"
kind = "toll-free"
language = "fr"
"""

# After them, what `confpro serve` needs: prompts from the shared cache, SIP and web on 127.0.0.1 (free ports).
SERVE_SECTIONS = """
[ivr]
generated_dir = "{cache}"
overrides_dir = "{dir}/prompts"
[sip]
listen_address = "127.0.0.1"
port = {sip_port}
[web]
address = "127.0.0.1"
port = {web_port}
static_dir = "{dir}/ui"
"""


class Server:
    """`confpro serve` and the CLI over BASE_SECTIONS + `config` + SERVE_SECTIONS (a format string: {dir},
    {web_port}, {sip_port}, {cache}, {node} and `values` filled in), its SQLite store in root/confpro.db, its log
    in root/serve.log."""

    def __init__(self, binary, root, config, **values):
        self.binary, self.root = binary, root
        self.web_port = free_port()
        self.web = "http://127.0.0.1:%d" % self.web_port
        self.sip_port = free_port()
        self.db = os.path.join(root, "confpro.db")
        self.config = os.path.join(root, "confpro.toml")
        with open(self.config, "w") as f:
            f.write((BASE_SECTIONS + config + SERVE_SECTIONS).format(dir=root, sip_port=self.sip_port,
                                                                     web_port=self.web_port, **values))
        self.proc = None

    def cli(self, *args, check=True):
        out = subprocess.run([self.binary, "--config", self.config] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError("confpro %s failed: %s %s" % (" ".join(args), out.stdout, out.stderr))
        return out

    def start(self):
        self.log = open(os.path.join(self.root, "serve.log"), "a")
        self.proc = subprocess.Popen([self.binary, "--config", self.config, "serve"], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        end = time.time() + 60
        while time.time() < end:
            line = self.proc.stdout.readline()
            if line.startswith("confpro ready"):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
            if not line and self.proc.poll() is not None:
                break
        raise AssertionError("confpro serve did not start:\n" + self.tail())

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(40)
            self.log.close()
            return rc
        return 0

    def tail(self):
        try:
            with open(os.path.join(self.root, "serve.log"), errors="replace") as f:
                return f.read()[-6000:]
        except OSError:
            return ""

    def query(self, sql, *args):
        with sqlite3.connect(self.db) as c:
            return c.execute(sql, args).fetchall()


class Web:
    """The web API as `user` (cookie and CSRF token like the console); `user` None: no session."""

    def __init__(self, base, user="alice", password=None):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""
        if user is not None:
            status, body = self.request("POST", "/api/v1/session", {"username": user, "password": password})
            assert status in (200, 201), (status, body)
            self.csrf = body.get("csrf_token", "")

    def request(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode() if body is not None else None,
                                     method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")
