"""`confpro serve` as the server under test of sip_it.py: its own temp dir, a test configuration (SIP on
127.0.0.1:5060, web on 127.0.0.1:8080 — fixed ports are safe inside the case's own network namespace), SQLite,
the shared espeak-ng prompt cache. Its log lines are the events the cases wait for; the CLI (`user add`,
`booking create --json`) and the web API (login, live actions) are reached as a user would reach them."""
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

ALICE_PASSWORD = "secret-password-1"
WEB = "http://127.0.0.1:8080"


class Failure(Exception):
    pass


class Lines:
    """Lines a server under test prints (self.lines, filled by self.reader under self.cv), waited for by pattern."""

    what = "server"

    def wait(self, pattern, timeout=10, start=0):
        """The first line (from index `start`) matching `pattern`; raises after `timeout` seconds."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        with self.cv:
            while True:
                for line in self.lines[start:]:
                    m = rx.search(line)
                    if m:
                        return m
                left = end - time.time()
                if left <= 0 or not self.reader.is_alive():
                    raise Failure("%s never printed /%s/ (last lines: %s)" % (self.what, pattern, self.lines[-5:]))
                self.cv.wait(min(left, 0.2))

    def count(self, pattern):
        rx = re.compile(pattern)
        with self.cv:
            return sum(1 for line in self.lines if rx.search(line))

    def wait_count(self, pattern, n, timeout=5):
        """True once exactly `n` lines match `pattern` (lines may trail the peer's view by a moment)."""
        end = time.time() + timeout
        while time.time() < end:
            if self.count(pattern) >= n:
                return self.count(pattern) == n
            time.sleep(0.05)
        return False

    def mark(self):
        with self.cv:
            return len(self.lines)


class Serve(Lines):
    """`confpro serve` with `settings` (dict of --set key=value) on top of the test configuration."""

    what = "confpro serve"

    def __init__(self, binary, prompt_cache, settings=None, users=True):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="confpro-sip-")
        self.config = os.path.join(self.dir, "confpro.toml")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.settings = dict(settings or {})
        os.makedirs(prompt_cache, exist_ok=True)
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, cache=prompt_cache))
        self.lines = []
        self.cv = threading.Condition()
        self.proc = None
        if users:
            out = self.cli("user", "add", "alice", "--password", ALICE_PASSWORD, "--phone-account", "4242",
                           "--phone-pin", "1357")
            if out.returncode != 0:
                raise Failure("user add alice failed: %s" % out.stdout)
        self._start()

    def _args(self):
        args = [self.binary, "--config", self.config]
        for k, v in self.settings.items():
            args += ["--set", "%s=%s" % (k, v)]
        return args

    def cli(self, *args):
        return subprocess.run(self._args() + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=60)

    def _start(self):
        self.err = open(self.log_path, "w")
        self.proc = subprocess.Popen(self._args() + ["serve"], stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        end = time.time() + 60
        while time.time() < end:
            line = self.proc.stdout.readline()
            if line.startswith("confpro ready: SIP port"):
                return
            if not line and self.proc.poll() is not None:
                break
        self.dump()
        raise Failure("confpro serve did not become ready")

    def _read(self):
        """Tails the log file into self.lines until the process has exited and the file is drained."""
        with open(self.log_path, errors="replace") as f:
            partial = ""
            while True:
                chunk = f.read()
                if chunk:
                    partial += chunk
                    *full, partial = partial.split("\n")
                    with self.cv:
                        self.lines.extend(full)
                        self.cv.notify_all()
                elif self.proc.poll() is not None:
                    with self.cv:
                        if partial:
                            self.lines.append(partial)
                        self.cv.notify_all()
                    return
                else:
                    time.sleep(0.02)

    def live_calls(self):
        """Calls the SIP endpoint has not ended yet, from its own log lines."""
        return self.count(r"call=\d+ INVITE from=") + self.count(r"call=\d+ dial-out to=") - self.count(
            r"call=\d+ ended cause=")

    def stop(self, timeout=40):
        """SIGTERM, as an operator would; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("confpro serve did not stop within %d s" % timeout)
        self.reader.join(5)
        self.err.close()
        if rc != 0:  # a crash or a sanitizer report at exit: what it printed is the only trace
            self.dump()
        if not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("test dir kept:", self.dir)
        return rc

    def dump(self):
        with open(self.log_path, errors="replace") as f:
            tail = f.read()[-8000:]
        print("--- confpro serve log (tail) ---\n" + tail)

    # ------------------------------------------------------------------------------------------ bookings, web
    def book(self, name="sip-it", *flags):
        """A booking owned by alice, open now, user PIN 583920 / moderator PIN 647185; its JSON."""
        out = self.cli("booking", "create", "--name", name, "--owner", "alice", "--max-participants", "10",
                       "--duration", "60", "--validity-days", "1", "--user-pin", "583920", "--moderator-pin",
                       "647185", "--language", "en", "--json", *flags)
        if out.returncode != 0:
            raise Failure("booking create failed: %s" % out.stdout)
        return json.loads(out.stdout[out.stdout.index("{"):])


class WebClient:
    """A signed-in session on the web API (cookie + CSRF token), as the console uses it."""

    def __init__(self, username="alice", password=ALICE_PASSWORD):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""
        status, body = self.request("POST", "/api/v1/session", {"username": username, "password": password})
        if status not in (200, 201):
            raise Failure("login failed: %d %s" % (status, body))
        self.csrf = body.get("csrf_token", "")

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(WEB + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=10) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        try:
            return status, json.loads(raw) if raw else {}
        except ValueError:
            return status, {"raw": raw.decode(errors="replace")}


CONFIG = """[server]
node_id = "sip-it"
time_zone = "Europe/Paris"
data_dir = "{dir}/var"
admin_user = "admin"
[storage]
url = "sqlite://{dir}/confpro.db"
[log]
level = "info"
[[access_numbers]]
number = "3001"
label = "Local access (English)"
kind = "local"
language = "en"
[[access_numbers]]
number = "3000"
label = "Acces local"
kind = "local"
language = "fr"
[ivr]
generated_dir = "{cache}"
overrides_dir = "{dir}/prompts"
[media]
rtp_port_min = 20000
rtp_port_max = 29998
recordings_dir = "{dir}/var/recordings"
[sip]
listen_address = "127.0.0.1"
port = 5060
[web]
address = "127.0.0.1"
port = 8080
static_dir = "{dir}/ui"
"""
