"""`make bench-notify` (issue 15's targets; not part of `make test`): `confpro serve` with [notify.smtp] pointing at
the real SMTP server notify.smtp uses (aiosmtpd on 127.0.0.1, STARTTLS + AUTH, smtp_it.Sink).

(a) latency: booking saved (the API's POST answered) → its creator's mail accepted by the SMTP server, p50/p99
    over --latency bookings made one after the other;
(b) burst: --burst bookings (each with one invitee: two mails) POSTed by --clients parallel API clients; every
    mail must arrive, none twice (counted by Message-ID), while a prober measures the web path (GET
    /api/v1/health, which asks the conference control loop) and the call path (SIP OPTIONS over UDP to the
    server's SIP port, answered by the SIP stack's thread) every 50 ms.

Prints one summary line per measure and a final `bench-notify:` line (key=value). Exit code 1 when a booking
was refused or a mail is missing or duplicated.

Usage: bench_notify.py CONFPRO [PROMPT_CACHE] [--latency N] [--burst N] [--clients N] [--rate R]
(run by `make bench-notify` under tests/web/loopback_only.sh)"""
import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

import it_support
from it_support import free_port, wait_for
import smtp_it
from smtp_it import Sink, make_cert, percentile

CONFIG = """[log]
level = "warn"
[notify]
rate_per_second = {rate}
""" + smtp_it.SMTP_SECTION


def options_rtt(sock, port, n, timeout=2.0):
    """Seconds until our SIP OPTIONS got its answer (any final status), or None."""
    host, me = sock.getsockname()
    msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-bench%d\r\n"
           "From: <sip:bench@%s>;tag=b%d\r\nTo: <sip:127.0.0.1:%d>\r\nCall-ID: bench-%d@bench\r\n"
           "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (port, host, me, n, host, n, port, n)).encode()
    t0 = time.time()
    sock.sendto(msg, ("127.0.0.1", port))
    while time.time() - t0 < timeout:
        try:
            data = sock.recv(65535)
        except socket.timeout:
            continue
        if ("bench-%d@bench" % n).encode() in data and data.startswith(b"SIP/2.0 2"):
            return time.time() - t0
    return None


class Prober(threading.Thread):
    """Every 50 ms: GET /api/v1/health and a SIP OPTIONS; their round trips in ms (None = no answer)."""

    def __init__(self, web_base, sip_port):
        super().__init__(daemon=True)
        self.web = it_support.Web(web_base, user=None)
        self.sip_port = sip_port
        self.web_ms, self.sip_ms = [], []
        self.web_failures = self.sip_failures = 0
        self.stopping = threading.Event()

    def run(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.2)
        n = 0
        while not self.stopping.is_set():
            t0 = time.time()
            try:
                status, _ = self.web.request("GET", "/api/v1/health")
                ok = status == 200
            except Exception:
                ok = False
            if ok:
                self.web_ms.append((time.time() - t0) * 1000)
            else:
                self.web_failures += 1
            n += 1
            rtt = options_rtt(sock, self.sip_port, n)
            if rtt is None:
                self.sip_failures += 1
            else:
                self.sip_ms.append(rtt * 1000)
            self.stopping.wait(0.05)
        sock.close()


def stats(values):
    if not values:
        return "n=0"
    return "n=%d p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (len(values), percentile(values, 50),
                                                           percentile(values, 99), max(values))


def book(web, name, start_hour, invitees=()):
    # One booking an hour from 2031 on: no two overlap, so no capacity rule refuses the burst.
    day, hour = divmod(start_hour, 24)
    status, body = web.request("POST", "/api/v1/bookings", {
        "name": name, "valid_from": "2031-%02d-%02d %02d:00" % (1 + day // 28 % 12, 1 + day % 28, hour),
        "duration_minutes": 30, "validity_days": 1, "max_participants": 2, "language": "en", "join_policy": "pin",
        "invitees": [{"email": e, "phone": "", "personal_pin": ""} for e in invitees]})
    if status != 201:
        raise AssertionError("booking %s refused: %s %s" % (name, status, body))
    return body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("confpro")
    ap.add_argument("cache", nargs="?")
    ap.add_argument("--latency", type=int, default=50)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rate", type=float, default=0, help="[notify] rate_per_second (0 = no limit)")
    a = ap.parse_args()
    binary = os.path.abspath(a.confpro)
    root = tempfile.mkdtemp(prefix="confpro-bench-notify-")
    cert, key = make_cert(root, "server")
    sink = Sink(free_port(), cert, key)
    sink.start()
    cache = os.path.abspath(a.cache) if a.cache else os.path.join(root, "prompt-cache")
    os.makedirs(cache, exist_ok=True)
    server = it_support.Server(binary, root, CONFIG, node="bench-notify", cache=cache, smtp_port=sink.port,
                               ca_file=cert, user=smtp_it.SMTP_USER, password=smtp_it.SMTP_PASSWORD, rate=a.rate)
    sip_port = server.sip_port
    server.cli("user", "add", "alice", "--password", smtp_it.PASSWORD, "--email", "alice@example.com")
    ok = False
    try:
        server.start()
        web = smtp_it.Web(server.web)

        # (a) latency, one booking at a time.
        saved = {}
        for i in range(a.latency):
            subject = "Latency %03d" % i
            b = book(web, subject, i)
            saved[b["id"]] = time.time()
            wait_for("latency mail %d" % i, lambda: sink.to("alice@example.com", subject), timeout=30)
        accepted = {}
        for at, rcpt, m in sink.received():
            if "Latency" in m["Subject"]:
                accepted[int(m["Message-ID"].split(".")[1].split("@")[0])] = at
        lat = [(accepted[b] - saved[b]) * 1000 for b in saved]
        print("latency booking saved -> mail accepted: %s" % stats(lat))

        # (b) burst: every mail delivered once, web and SIP probed meanwhile.
        prober = Prober(server.web, sip_port)
        prober.start()
        wait_for("20 idle probes", lambda: len(prober.web_ms) >= 20 and len(prober.sip_ms) >= 20, timeout=30)
        idle_web, idle_sip = list(prober.web_ms), list(prober.sip_ms)
        before = len(sink.received())
        errors = []
        post_ms = []
        lock = threading.Lock()

        def client(k):
            w = smtp_it.Web(server.web)
            for i in range(k, a.burst, a.clients):
                t0 = time.time()
                try:
                    book(w, "Burst %04d" % i, 1000 + i, ["guest%04d@example.com" % i])
                except Exception as e:
                    errors.append(str(e))
                with lock:
                    post_ms.append((time.time() - t0) * 1000)

        n_web0, n_sip0 = len(prober.web_ms), len(prober.sip_ms)
        t0 = time.time()
        clients = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        created_s = time.time() - t0
        expected = 2 * a.burst
        try:
            wait_for("every burst mail", lambda: len(sink.received()) - before >= expected, timeout=600)
        except AssertionError:
            pass
        delivered_s = time.time() - t0
        prober.stopping.set()
        prober.join(5)
        burst_web, burst_sip = prober.web_ms[n_web0:], prober.sip_ms[n_sip0:]
        mails = [m for _, _, m in sink.received() if "Burst" in str(m["Subject"])]
        ids = [m["Message-ID"] for m in mails]
        unique = len(set(ids))
        pairs = {(str(m["To"]), str(m["Subject"])) for m in mails}
        print("burst: %d bookings by %d clients in %.1f s (POST %s), %d errors"
              % (a.burst, a.clients, created_s, stats(post_ms), len(errors)))
        print("burst: %d/%d mails delivered (%d distinct Message-IDs, %d distinct recipient+subject) in %.1f s"
              % (len(mails), expected, unique, len(pairs), delivered_s))
        print("web GET /api/v1/health idle: %s; during the burst: %s, %d failures"
              % (stats(idle_web), stats(burst_web), prober.web_failures))
        print("SIP OPTIONS idle: %s; during the burst: %s, %d unanswered"
              % (stats(idle_sip), stats(burst_sip), prober.sip_failures))
        ok = not errors and len(mails) == expected and unique == expected and len(pairs) == expected
        print("bench-notify: latency_p50_ms=%.1f latency_p99_ms=%.1f burst=%d delivered=%d duplicates=%d "
              "delivered_s=%.1f web_p99_ms=%.1f sip_p99_ms=%.1f ok=%s"
              % (percentile(lat, 50), percentile(lat, 99), a.burst, unique, len(mails) - unique, delivered_s,
                 percentile(burst_web, 99) if burst_web else -1, percentile(burst_sip, 99) if burst_sip else -1,
                 ok))
        if errors:
            print("first errors:", errors[:3])
    finally:
        server.stop()
        sink.stop()
        if not ok:
            print(server.tail()[-3000:])
        shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
