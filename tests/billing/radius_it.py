#!/usr/bin/env python3
"""billing.radius (issue 16 P3): `confpro serve` with [billing] coupling = "radius" against a real FreeRADIUS
(freeradius.sh: accounts in SQLite, a counter granting Session-Timeout, accounting in SQLite and a detail file),
both on 127.0.0.1 inside the loopback-only namespace the test is run in (tests/web/loopback_only.sh).

- a booking paid by an account with credit is created (`confpro booking create … --account`, and on the web API);
- an account granted less time than the booking is refused naming the minutes granted; one FreeRADIUS rejects is
  refused with its Reply-Message;
- a real call (RTP phone, PIN by INFO) joins and leaves the billed conference, which is then ended: FreeRADIUS
  stored Accounting Start/Stop of the conference and of the leg (linked by Acct-Multi-Session-Id), and its
  counter then grants less;
- the time RADIUS adds to an authorization (radius_bench, not asserted), and fail-over past a dead server;
- a booking changed to a longer duration is authorized again: refused (402, the minutes named) when the account
  is not granted that long, the booking unchanged; a shorter one needs nothing;
- FreeRADIUS stopped: a prepaid booking is refused "billing unavailable" within the configured timeout.

usage: radius_it.py --confpro PATH --bench PATH --prompt-cache DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
from serve import Failure, Serve, WebClient  # noqa: E402
from rtp_phone import Phone  # noqa: E402

PORT, SECRET = 18120, "radsecret"
PASS = [0]


def check(cond, what):
    if not cond:
        raise Failure(what)
    PASS[0] += 1
    print("ok:", what, flush=True)


def radius_sql(d, sql):
    return subprocess.run(["sqlite3", "-cmd", ".timeout 5000", os.path.join(d, "radius.db"), sql], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def start_freeradius(d):
    log = os.path.join(d, "log", "radius.log")
    proc = subprocess.Popen(["freeradius", "-f", "-d", d, "-n", "radiusd", "-l", log])
    end = time.time() + 20
    while time.time() < end:
        if os.path.exists(log) and "Ready to process requests" in open(log, errors="replace").read():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    print(open(log, errors="replace").read() if os.path.exists(log) else "(no FreeRADIUS log)")
    raise Failure("FreeRADIUS did not start")


def create(s, name, account, duration="60"):
    t = time.monotonic()
    out = s.cli("booking", "create", "--name", name, "--owner", "alice", "--duration", duration,
                "--max-participants", "10", "--validity-days", "1", "--user-pin", "583920", "--moderator-pin",
                "647185", "--language", "en", "--account", account, "--json")
    return out.returncode, out.stdout, time.monotonic() - t


def live_credit(s, d, web):
    """Issue 16 P4: two billed conferences whose accounts FreeRADIUS then grants 20 s (its counter, lowered after
    the booking was made). One runs out: its caller hears the "credit-low" warning (audio after the warning,
    silence before) and the conference ends "credit-exhausted" at the granted end, long before its booking's.
    The other account is topped up (the counter raised) during the call: the next re-authorization lifts the
    limit and the conference keeps running past the first grant."""
    confs = {}
    for name, account in (("Runs out", "acct-out"), ("Topped up", "acct-topup")):
        rc, out, _ = create(s, name, account)
        check(rc == 0, "a booking paid by %s is created (%s)" % (account, out.strip()[-200:]))
        confs[account] = __import__("json").loads(out[out.index("{"):])
    radius_sql(d, "UPDATE radcheck SET value = '20' WHERE username IN ('acct-out', 'acct-topup') "
                  "AND attribute = 'Max-All-Session';")
    phones = {}
    for i, account in enumerate(("acct-out", "acct-topup")):
        mark = s.mark()
        phones[account] = Phone("credit-%d" % i, ip="127.0.0.%d" % (4 + i))
        phones[account].call(confs[account]["number"])
        time.sleep(1.0)
        check(phones[account].info(confs[account]["moderator_pin"] + "#") == [200] * 7, "caller keys the PIN")
        s.wait(r"conf=%s billing grants until" % confs[account]["number"], 15, mark)
        granted_at = time.time()  # the last one: acct-topup's first grant, 20 s
    opened = time.time()
    time.sleep(3)
    radius_sql(d, "UPDATE radcheck SET value = '7200' WHERE username = 'acct-topup' AND attribute = 'Max-All-Session';")
    out_no = confs["acct-out"]["number"]
    s.wait(r"conf=%s credit warning" % out_no, 25)
    warned = time.time()
    phone = phones["acct-out"]
    time.sleep(3.2)  # what it hears in the 3 s after the warning
    check(phone.sound_frames(warned - 0.2, warned + 3) >= 25,
          "the caller hears the credit warning (%d loud frames after it)" % phone.sound_frames(warned - 0.2, warned + 3))
    check(phone.sound_frames(warned - 4, warned - 1) == 0,
          "and silence before it (%d loud frames)" % phone.sound_frames(warned - 4, warned - 1))
    check(phone.wait_bye(20), "the conference whose credit ran out hangs its caller up")
    ended = time.time() - opened
    check(12 <= ended <= 30, "at the granted end (%.1f s after the grant of 20 s, booking 60 min)" % ended)
    status, body = web.request("GET", "/api/v1/bookings/%d" % confs["acct-out"]["id"])
    check(status == 200 and body.get("end_reason") == "credit-exhausted",
          "the booking ended credit-exhausted (%s)" % (body.get("end_reason") if isinstance(body, dict) else body))
    top = confs["acct-topup"]["number"]
    check(s.count(r"conf=%s credit warning" % top) == 0 and s.count(r"conf=%s billing grants until" % top) == 2,
          "the topped-up conference was granted more on re-authorization, never warned")
    time.sleep(max(0.0, granted_at + 25 - time.time()))  # past the first grant's end, with margin
    status, body = web.request("GET", "/api/v1/conferences/live/%d" % confs["acct-topup"]["id"])
    check(status == 200 and len(body.get("participants", [])) == 1,
          "the topped-up conference still runs %.0f s after its first grant of 20 s" % (time.time() - granted_at))
    phones["acct-topup"].hangup()
    web.request("POST", "/api/v1/conferences/live/%d/end" % confs["acct-topup"]["id"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--confpro", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--prompt-cache", required=True)
    a = ap.parse_args()
    started = time.monotonic()
    d = tempfile.mkdtemp(prefix="confpro-radius-")
    subprocess.run(["bash", "-c", '. "%s/freeradius.sh" && radius_setup "%s" %d %s' % (HERE, d, PORT, SECRET)],
                   check=True)
    radius_sql(d, "INSERT INTO radcheck (username, attribute, op, value) VALUES "
                  "('acct-rich', 'Max-All-Session', ':=', '7200'), ('acct-poor', 'Max-All-Session', ':=', '600'), "
                  "('acct-blocked', 'Auth-Type', ':=', 'Reject'), ('acct-out', 'Max-All-Session', ':=', '7200'), "
                  "('acct-topup', 'Max-All-Session', ':=', '7200');"
                  "INSERT INTO radreply (username, attribute, op, value) VALUES "
                  "('acct-blocked', 'Reply-Message', ':=', 'account suspended');")
    radius = start_freeradius(d)
    settings = {"billing.coupling": '"radius"', "billing.radius.servers": '["127.0.0.1:%d"]' % PORT,
                "billing.radius.secret": '"%s"' % SECRET, "billing.radius.timeout_ms": "1000",
                "billing.radius.retries": "1", "billing.radius.nas_identifier": '"confpro-it"',
                "billing.radius.reauthorize_seconds": "5", "conference.credit_warning_seconds": "6"}
    s = Serve(a.confpro, a.prompt_cache, settings)
    try:
        rc, out, _ = create(s, "Billed", "acct-rich")
        check(rc == 0, "a booking paid by an account with credit is created (%s)" % out.strip()[-200:])
        conf = __import__("json").loads(out[out.index("{"):])

        rc, out, _ = create(s, "Poor", "acct-poor")
        check(rc != 0 and "insufficient credit on account 'acct-poor': the billing system grants 10 minutes, "
              "the booking needs 60" in out, "an account granted 10 minutes is refused naming them (%s)" % out.strip())
        rc, out, _ = create(s, "Blocked", "acct-blocked")
        check(rc != 0 and "billing refused for account 'acct-blocked': account suspended" in out,
              "an account FreeRADIUS rejects is refused with its reason (%s)" % out.strip())
        check(s.cli("booking", "show", "Poor").returncode != 0, "nothing was booked for the refused account")
        web = WebClient()
        status, body = web.request("POST", "/api/v1/bookings", {"name": "Web billed", "duration_minutes": 30,
                                                                "account": "acct-rich"})
        check(status == 201, "web: a booking paid by acct-rich is created (%d %s)" % (status, body))
        status, body = web.request("POST", "/api/v1/bookings", {"name": "Web poor", "duration_minutes": 30,
                                                                "account": "acct-poor"})
        check(status == 402 and "grants 10 minutes, the booking needs 30" in str(body),
              "web: acct-poor is refused 402 (payment required) naming the minutes (%d %s)" % (status, body))
        # A change is authorized again when it needs more time: acct-poor pays a 10-minute booking, not 30.
        status, body = web.request("POST", "/api/v1/bookings", {"name": "Web poor short", "duration_minutes": 10,
                                                                "account": "acct-poor"})
        check(status == 201, "web: a 10-minute booking paid by acct-poor is created (%d %s)" % (status, body))
        short = body["id"]
        status, body = web.request("PATCH", "/api/v1/bookings/%d" % short, {"duration_minutes": 30})
        check(status == 402 and "grants 10 minutes, the booking needs 30" in str(body),
              "web: making it 30 minutes is refused 402 naming the minutes (%d %s)" % (status, body))
        status, body = web.request("GET", "/api/v1/bookings/%d" % short)
        check(status == 200 and body["duration_minutes"] == 10, "… and it stays 10 minutes")
        status, body = web.request("PATCH", "/api/v1/bookings/%d" % short, {"duration_minutes": 5})
        check(status == 200 and body["duration_minutes"] == 5, "making it shorter needs no new authorization")

        bench = subprocess.run([a.bench, "127.0.0.1:%d" % PORT, SECRET, "acct-rich", "200",
                                "sqlite://" + os.path.join(d, "bench.db")], stdout=subprocess.PIPE, text=True)
        print(bench.stdout.strip(), flush=True)
        check(bench.returncode == 0, "200 authorizations through libradcli answered")
        t = time.monotonic()
        failover = subprocess.run([a.bench, "127.0.0.1:%d,127.0.0.1:%d" % (PORT + 20, PORT), SECRET, "acct-rich", "1",
                                   "sqlite://" + os.path.join(d, "bench.db")], stdout=subprocess.PIPE, text=True)
        check(failover.returncode == 0, "a dead first server: the second one answers (fail-over, %.2f s)" %
              (time.monotonic() - t))

        phone = Phone("caller", ip="127.0.0.3")
        phone.call(conf["number"])
        time.sleep(1.0)
        check(phone.info(conf["moderator_pin"] + "#") == [200] * 7, "the caller keys the PIN by INFO")
        s.wait(r"joined as moderator", 15)
        time.sleep(2.0)
        check(phone.hangup() == 200, "the caller hangs up")
        status, body = web.request("POST", "/api/v1/conferences/live/%d/end" % conf["id"])
        check(status in (204, 404), "the conference is ended (%d %s)" % (status, body))

        rows = []
        end = time.time() + 10
        while time.time() < end:
            rows = radius_sql(d, "SELECT acctsessionid, username, acctstoptime IS NOT NULL, acctsessiontime, "
                                 "callingstationid FROM radacct ORDER BY radacctid").splitlines()
            if len(rows) >= 2 and all(r.split("|")[2] == "1" for r in rows):
                break
            time.sleep(0.2)
        print("radacct:", rows, flush=True)
        session = "sip-it-%d-" % conf["id"]
        confs = [r.split("|") for r in rows if re.fullmatch(re.escape(session) + r"\d+", r.split("|")[0])]
        legs = [r.split("|") for r in rows if re.fullmatch(re.escape(session) + r"\d+-p\d+", r.split("|")[0])]
        check(len(confs) == 1 and confs[0][1] == "acct-rich" and confs[0][2] == "1",
              "FreeRADIUS stored the conference's Accounting Start and Stop for acct-rich")
        check(len(legs) == 1 and legs[0][2] == "1" and int(legs[0][3]) >= 2,
              "FreeRADIUS stored the leg's Start and Stop with its duration (%s s)" % (legs[0][3] if legs else "?"))
        detail = ""
        for root, _, files in os.walk(os.path.join(d, "radacct")):
            for f in files:
                detail += open(os.path.join(root, f), errors="replace").read()
        check('Acct-Multi-Session-Id = "%s"' % confs[0][0] in detail and "Acct-Status-Type = Stop" in detail,
              "the detail file links the leg to the conference (Acct-Multi-Session-Id)")
        used = int(confs[0][3]) + int(legs[0][3])
        answer = subprocess.run(["radclient", "-x", "127.0.0.1:%d" % PORT, "auth", SECRET], input="User-Name = acct-rich\n",
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        check("Session-Timeout = %d" % (7200 - used) in answer, "FreeRADIUS's counter now grants 7200 - %d s" % used)

        live_credit(s, d, web)

        radius.terminate()
        radius.wait(10)
        rc, out, took = create(s, "Unbilled", "acct-rich")
        check(rc != 0 and "billing unavailable" in out, "FreeRADIUS stopped: prepaid refused (%s)" % out.strip())
        print("refused after %.2f s" % took, flush=True)
        status, body = web.request("POST", "/api/v1/bookings", {"name": "Web down", "duration_minutes": 30,
                                                                "account": "acct-rich"})
        check(status == 503 and "billing unavailable" in str(body),
              "web: FreeRADIUS stopped → 503 billing unavailable (%s)" % body)
        check(took < 3.5, "within the timeout (1 s × 2 tries, %.2f s with the CLI's start)" % took)
    except Exception:
        s.dump()
        log = os.path.join(d, "log", "radius.log")
        if os.path.exists(log):
            print("--- FreeRADIUS log (tail) ---\n" + open(log, errors="replace").read()[-3000:])
        raise
    finally:
        if radius.poll() is None:
            radius.terminate()
            radius.wait(10)
        rc = s.stop()
        shutil.rmtree(d, ignore_errors=True)
    check(rc == 0, "confpro serve stops cleanly")
    print("%d passed in %.1f s" % (PASS[0], time.monotonic() - started))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL:", e, flush=True)
        sys.exit(1)
