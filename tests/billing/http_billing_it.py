#!/usr/bin/env python3
"""billing.http (issue 16 P3): `confpro serve` with [billing] coupling = "http" against a real HTTP stub of the
operator's billing API started here on 127.0.0.1 (inside the loopback-only namespace the test runs in,
tests/web/loopback_only.sh). The stub checks every request's HMAC (X-Confpro-Signature over timestamp "." body)
and records it.

- a booking with an account → /reserve seen, validly signed, with the plan's price and an Idempotency-Key;
  the reserve latency of 30 web bookings is printed (p50/p99, not asserted);
- the stub answering 402 → `confpro booking create … --account` exits non-zero naming the credit;
- the stub down → a prepaid account is refused "billing unavailable"; a postpaid one with fail_open is booked
  with a logged warning;
- a second booking with a taken name: what the operator reserved for it is given back (refund "not_booked");
- a real call opens the billed conference, which is ended: the /commit (participant-minutes) answered 500 first
  is retried and delivered exactly once per idempotency key; a deleted booking's /refund likewise;
- kill -9 of confpro while a refund waits for the stub (down): after the restart it is delivered, once;
- a booking made longer is reserved again ("replaces" the first reservation, refunded with reason "replaced");
  the stub answering 402 to it refuses the change and leaves the booking as it was; a shorter one asks nothing.

usage: http_billing_it.py --confpro PATH --prompt-cache DIR
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
import serve as serve_module  # noqa: E402
from serve import Failure, Serve, WebClient  # noqa: E402
from rtp_phone import Phone  # noqa: E402

SECRET = "op-s3cret"
PASS = [0]


def check(cond, what):
    if not cond:
        raise Failure(what)
    PASS[0] += 1
    print("ok:", what, flush=True)


def wait_for(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    raise Failure("timed out waiting for " + what)


class Stub:
    """The operator's billing API: /api/reserve, /api/commit, /api/refund. `fail[path]`: statuses answered to
    the next requests of that path before 200; `reserve_status`: 200 or 402."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = []  # dicts: path, key, sig_ok, body, status
        self.fail = {"commit": [], "refund": []}
        self.reserve_status = 200
        self.reservations = {}  # idempotency key → reservation id
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.server = None

    def start(self):
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ts = self.headers.get("X-Confpro-Timestamp", "")
                mac = hmac.new(SECRET.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
                sig_ok = (self.headers.get("X-Confpro-Signature", "") == "sha256=" + mac and ts.isdigit() and
                          abs(time.time() - int(ts)) < 300)
                path = self.path.rsplit("/", 1)[-1]
                key = self.headers.get("Idempotency-Key", "")
                with stub.lock:
                    if not sig_ok:
                        status, answer = 401, {"message": "bad signature"}
                    elif path == "reserve" and stub.reserve_status == 402:
                        status, answer = 402, {"reason": "insufficient_credit",
                                               "message": "balance 0.00 EUR, the booking needs 5.00 EUR"}
                    elif path == "reserve":
                        res = stub.reservations.setdefault(key, "res-%d" % (len(stub.reservations) + 1))
                        status, answer = 201, {"reservation": res, "granted_seconds": 7200}
                    elif stub.fail.get(path):
                        status, answer = stub.fail[path].pop(0), {"message": "try later"}
                    else:
                        status, answer = 200, {"ok": True}
                    stub.records.append({"path": path, "key": key, "sig_ok": sig_ok, "status": status,
                                         "body": json.loads(raw or b"{}")})
                out = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def seen(self, path, key=None):
        with self.lock:
            return [r for r in self.records if r["path"] == path and (key is None or r["key"] == key)]


def create(s, name, account, extra=()):
    args = s._args() + list(extra) + ["booking", "create", "--name", name, "--owner", "alice", "--duration", "60",
                                      "--max-participants", "10", "--validity-days", "1", "--user-pin", "583920",
                                      "--moderator-pin", "647185", "--language", "en", "--account", account,
                                      "--json"]
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    return out.returncode, out.stdout


def billing_rows(s):
    """The statuses of the "billing" outbox rows, by id."""
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(s.dir, "confpro.db"), uri=True, timeout=5)
    try:
        return [r[0] for r in db.execute("SELECT status FROM outbox WHERE kind = 'billing' ORDER BY id")]
    finally:
        db.close()


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--confpro", required=True)
    ap.add_argument("--prompt-cache", required=True)
    a = ap.parse_args()
    started = time.monotonic()
    stub = Stub()
    stub.start()
    serve_module.CONFIG += ('[[billing.plans]]\nname = "small"\nmax_duration_minutes = 120\nmax_participants = 20\n'
                            'price = "5.00"\ncurrency = "EUR"\n')
    settings = {"billing.coupling": '"http"', "billing.http.url": '"http://127.0.0.1:%d/api"' % stub.port,
                "billing.http.secret": '"%s"' % SECRET, "billing.http.timeout_ms": "1000",
                "notify.retry_first_s": "1", "notify.retry_max_s": "1", "notify.poll_interval_ms": "100",
                "notify.lease_s": "2"}
    s = Serve(a.confpro, a.prompt_cache, settings)
    try:
        for name, kind in (("acct-pre", "--prepaid"), ("acct-post", "--postpaid")):
            out = s.cli("account", "create", name, "--owner", "alice", "--credit", "0", kind)
            check(out.returncode == 0, "account %s created locally (%s)" % (name, out.stdout.strip()[-100:]))

        rc, out = create(s, "Billed", "acct-pre")
        check(rc == 0, "a booking paid by acct-pre is created (%s)" % out.strip()[-200:])
        conf = json.loads(out[out.index("{"):])
        reserves = stub.seen("reserve")
        check(len(reserves) == 1 and reserves[0]["sig_ok"] and reserves[0]["status"] == 201,
              "the stub saw one validly signed /reserve")
        body = reserves[0]["body"]
        check(body["account"] == "acct-pre" and body["number"] == conf["number"] and body["duration_minutes"] == 60
              and body["max_participants"] == 10 and body["price"] == "5.00" and body["currency"] == "EUR"
              and body["idempotency_key"] == reserves[0]["key"] and reserves[0]["key"].startswith("cp-"),
              "its body names the account, conference, duration, participants, price and key (%s)" % body)

        web = WebClient()
        took, ids = [], []
        for i in range(30):
            t = time.monotonic()
            status, reply = web.request("POST", "/api/v1/bookings", {"name": "Lat %d" % i, "duration_minutes": 30,
                                                                     "account": "acct-pre"})
            took.append((time.monotonic() - t) * 1000)
            if status != 201:
                raise Failure("web booking %d: %d %s" % (i, status, reply))
            ids.append(reply["id"])
        print("web booking with reserve against the local stub: p50 %.1f ms, p99 %.1f ms (30 bookings)" %
              (pct(took, 50), pct(took, 99)), flush=True)
        keys = [r["key"] for r in stub.seen("reserve")]
        check(len(set(keys)) == len(keys) == 31, "one reserve and one key per booking creation")

        stub.reserve_status = 402
        rc, out = create(s, "Poor", "acct-pre")
        check(rc != 0 and "insufficient credit on account 'acct-pre'" in out and "balance 0.00 EUR" in out,
              "the stub answering 402: refused naming the credit (%s)" % out.strip())
        stub.reserve_status = 200
        check(s.cli("booking", "show", "Poor").returncode != 0, "nothing was booked for the refused one")
        rc, out = create(s, "Billed", "acct-pre")
        check(rc != 0 and "already" in out, "a second booking named 'Billed' is refused (%s)" % out.strip()[-120:])
        wait_for(lambda: any(r["status"] == 200 for r in stub.seen("refund")), 15, "the not_booked refund")
        given_back = stub.seen("refund")
        check(len(given_back) == 1 and given_back[0]["body"]["reason"] == "not_booked" and
              given_back[0]["key"] == stub.seen("reserve")[-1]["key"] + "-refund",
              "what the operator reserved for it is given back (refund, reason not_booked)")

        stub.stop()
        rc, out = create(s, "Down", "acct-pre", ["--set", "billing.fail_open=true"])
        check(rc != 0 and "billing unavailable" in out, "stub down: prepaid refused (%s)" % out.strip()[-200:])
        rc, out = create(s, "Down post", "acct-post", ["--set", "billing.fail_open=true"])
        check(rc == 0 and "allowed to book 'Down post' (fail_open)" in out,
              "stub down: postpaid with fail_open booked, with a warning (%s)" % out.strip()[-300:])
        rc, out = create(s, "Down post 2", "acct-post")
        check(rc != 0 and "billing unavailable" in out, "stub down: postpaid without fail_open refused")
        stub.start()

        # Commit: a real call opens the billed conference; it is ended; the first /commit gets a 500.
        stub.fail["commit"] = [500]
        phone = Phone("caller", ip="127.0.0.3")
        phone.call(conf["number"])
        time.sleep(1.0)
        check(phone.info(conf["moderator_pin"] + "#") == [200] * 7, "the caller keys the PIN by INFO")
        s.wait(r"joined as moderator", 15)
        time.sleep(1.5)
        check(phone.hangup() == 200, "the caller hangs up")
        status, reply = web.request("POST", "/api/v1/conferences/live/%d/end" % conf["id"])
        check(status in (204, 404), "the conference is ended (%d %s)" % (status, reply))
        wait_for(lambda: any(r["status"] == 200 for r in stub.seen("commit")), 15, "the commit")
        commits = stub.seen("commit")
        check([r["status"] for r in commits] == [500, 200] and len({r["key"] for r in commits}) == 1 and
              all(r["sig_ok"] for r in commits), "the /commit answered 500 was retried with the same key, then "
              "delivered once (%s)" % [(r["status"], r["key"]) for r in commits])
        c = commits[-1]["body"]
        check(c["booking"] == conf["id"] and c["reservation"] == "res-1" and c["participants"] == 1 and
              c["participant_minutes"] >= 1 and c["duration_seconds"] >= 1 and c["account"] == "acct-pre",
              "the commit carries the actual use (%s)" % c)
        check(c.get("amount") == "5.00" and c.get("currency") == "EUR" and c.get("package") == "5.00" and
              c.get("overage") == "0.00" and c.get("toll_free") == "0.00",
              "… and the amount the tariff charges for it: the flat package, no per-minute terms (%s)" % c)

        # Refund of a deleted booking, the first answer a 500.
        stub.fail["refund"] = [500]
        out = s.cli("booking", "delete", str(ids[0]))
        check(out.returncode == 0, "a billed booking is deleted (%s)" % out.stdout.strip())
        deleted = lambda: [r for r in stub.seen("refund") if r["body"]["reason"] == "deleted"]  # noqa: E731
        wait_for(lambda: any(r["status"] == 200 for r in deleted()), 15, "the refund")
        refunds = deleted()
        check([r["status"] for r in refunds] == [500, 200] and len({r["key"] for r in refunds}) == 1 and
              refunds[-1]["body"]["reason"] == "deleted",
              "the /refund answered 500 was retried with the same key, then delivered once")

        # kill -9 with a refund pending (the stub down), then a restart: delivered once.
        stub.stop()
        out = s.cli("booking", "delete", str(ids[1]))
        check(out.returncode == 0, "a second billed booking is deleted while the billing API is down")
        s.proc.kill()
        s.proc.wait()
        check(billing_rows(s) == ["sent", "sent", "sent", "pending"],
              "the refund waits in the store (%s)" % billing_rows(s))
        stub.start()
        s.lines = []
        s._start()
        wait_for(lambda: len([r for r in deleted() if r["status"] == 200]) == 2, 15, "the refund after the restart")
        wait_for(lambda: billing_rows(s) == ["sent"] * 4, 10, "the outbox rows marked sent")
        ok = [r for r in deleted() if r["status"] == 200]
        check(len(ok) == 2 and ok[1]["key"] != ok[0]["key"] and ok[1]["body"]["reason"] == "deleted",
              "after kill -9 and a restart the pending refund is delivered, once")
        # A change needing more is reserved again; the replaced reservation is refunded once.
        before = len(stub.seen("reserve"))
        web = WebClient()  # signed in again: the restart ended the web sessions
        status, reply = web.request("PATCH", "/api/v1/bookings/%d" % ids[2], {"duration_minutes": 25})
        check(status == 200 and len(stub.seen("reserve")) == before,
              "a shorter booking keeps its reservation (%d, %d reserves)" % (status, len(stub.seen("reserve"))))
        first = [r for r in stub.seen("reserve") if r["body"]["name"] == "Lat 2"][0]
        stub.reserve_status = 402
        status, reply = web.request("PATCH", "/api/v1/bookings/%d" % ids[2], {"duration_minutes": 90})
        check(status == 402 and "insufficient credit on account 'acct-pre'" in str(reply),
              "a longer booking the operator refuses is refused naming the credit (%d %s)" % (status, reply))
        status, reply = web.request("GET", "/api/v1/bookings/%d" % ids[2])
        check(status == 200 and reply["duration_minutes"] == 25, "… and the booking is unchanged (%s)" %
              reply.get("duration_minutes"))
        stub.reserve_status = 200
        status, reply = web.request("PATCH", "/api/v1/bookings/%d" % ids[2], {"duration_minutes": 90})
        again = stub.seen("reserve")[-1]
        check(status == 200 and reply["duration_minutes"] == 90 and again["status"] == 201 and
              again["body"]["booking"] == ids[2] and again["body"]["replaces"] == stub.reservations[first["key"]] and again["key"] != first["key"] and
              again["body"]["duration_minutes"] == 90,
              "a longer booking is reserved again, naming the booking and the reservation it replaces (%s)" %
              again["body"])
        replaced = lambda: [r for r in stub.seen("refund") if r["body"]["reason"] == "replaced"]  # noqa: E731
        wait_for(lambda: any(r["status"] == 200 for r in replaced()), 15, "the refund of the replaced reservation")
        check(len(replaced()) == 1 and replaced()[0]["body"]["reservation"] == stub.reservations[first["key"]] and
              replaced()[0]["body"]["replaced_by"] == stub.reservations[again["key"]],
              "the replaced reservation is refunded once, naming what replaces it (%s)" % replaced()[0]["body"])
        out = s.cli("booking", "delete", str(ids[2]))
        check(out.returncode == 0, "the changed booking is deleted")
        wait_for(lambda: len([r for r in deleted() if r["status"] == 200]) == 3, 15, "its refund")
        last = [r for r in deleted() if r["status"] == 200][-1]["body"]
        check(last["booking"] == ids[2] and last["reservation"] == stub.reservations[again["key"]],
              "its deletion refunds the new reservation, not the replaced one (%s)" % last)

        delivered = {}
        for r in stub.seen("commit") + stub.seen("refund"):
            if r["status"] == 200:
                delivered[r["key"]] = delivered.get(r["key"], 0) + 1
        check(all(n == 1 for n in delivered.values()), "every commit/refund key was accepted exactly once")
    except Exception:
        s.dump()
        raise
    finally:
        stub.stop()
        rc = s.stop()
    check(rc == 0, "confpro serve stops cleanly")
    print("%d passed in %.1f s" % (PASS[0], time.monotonic() - started))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL:", e, flush=True)
        sys.exit(1)
