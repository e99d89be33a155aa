"""sip_it.py case `operations` (issue 18 item 6) on a real `confpro serve`: /healthz, /readyz and /metrics as a load
balancer and Prometheus read them, the metrics moving when a caller joins, SIGHUP reloading the log level and the
access numbers (and refusing a broken file), SIGTERM draining (readyz 503, SIP OPTIONS 503, new INVITEs 503) while
the live calls go on, and the process ending by itself once they hang up."""
import os
import re
import shutil
import signal
import socket
import tempfile
import time
import urllib.error
import urllib.request

TOKEN = "ops-test-token-1"
METRICS = ["confpro_sip_calls_active", "confpro_sip_calls_answered_total", "confpro_conferences",
           "confpro_participants", "confpro_rtp_packets_received_total", "confpro_rtp_packets_lost_total",
           "confpro_rtp_loss_ratio", "confpro_rtp_jitter_seconds", "confpro_outbox_pending",
           "confpro_control_loop_lag_seconds", "confpro_draining", "confpro_store_up"]
SAMPLE = re.compile(r'^(confpro_[a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$')


def http_get(path, token=None):
    req = urllib.request.Request("http://127.0.0.1:8080" + path)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def scrape():
    """The metrics as {name or name{labels}: value}, after checking every line's syntax."""
    status, ctype, text = http_get("/metrics", TOKEN)
    if status != 200:
        raise AssertionError("/metrics answered %d" % status)
    values = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError("not an exposition-format line: %r" % line)
        values[line.rsplit(" ", 1)[0]] = float(m.group(4))
    return ctype, text, values


def wait_metrics(h, pred, what, timeout=10):
    end = time.time() + timeout
    values = {}
    while time.time() < end:
        _, _, values = scrape()
        if pred(values):
            break
        time.sleep(0.25)
    h.check(pred(values), "%s (%s)" % (what, {k: v for k, v in values.items() if not k.startswith("confpro_node")}))
    return values


def sip_options(cseq=1):
    """One OPTIONS out of dialog over UDP, as Kamailio's dispatcher sends it; the status code answered."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3)
    port = s.getsockname()[1]
    msg = ("OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-ops-%d-%d;rport\r\n"
           "From: <sip:dispatcher@127.0.0.1>;tag=ops%d\r\nTo: <sip:127.0.0.1:5060>\r\nCall-ID: ops-%d-%d@127.0.0.1\r\n"
           "CSeq: %d OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" %
           (port, cseq, int(time.time() * 1000), cseq, port, cseq, cseq))
    s.sendto(msg.encode(), ("127.0.0.1", 5060))
    try:
        while True:
            data = s.recv(65535).decode("utf-8", "replace")
            m = re.match(r"SIP/2\.0 (\d{3})", data)
            if m and int(m.group(1)) >= 200:
                return int(m.group(1))
    except socket.timeout:
        return None
    finally:
        s.close()


def invite_status(h, name, number, ip="127.0.0.3"):
    """The final answer to a new call to `number`: 200 (then hung up), or the refusal's status."""
    phone = h.Phone(name, ip=ip)
    try:
        phone.call(number)
    except RuntimeError as e:
        m = re.search(r"INVITE got (\d+)", str(e))
        return int(m.group(1)) if m else None
    phone.hangup()
    return 200


def case_operations(a, h):
    logs = tempfile.mkdtemp(prefix="confpro-ops-log-")
    log_file = os.path.join(logs, "confpro.log")
    settings = {"server.drain_timeout_s": "60", "web.metrics_token": TOKEN, "log.file": log_file}
    try:
        run_case(a, h, settings, log_file)
    finally:
        shutil.rmtree(logs, ignore_errors=True)


def run_case(a, h, settings, log_file):
    with h.running(h.serve(a, settings)) as s:
        try:
            steps(h, s, log_file)
        except Exception:
            if s.proc.poll() is None:
                s.proc.send_signal(signal.SIGINT)  # stop at once: no drain of the calls left behind
            raise


def steps(h, s, log_file):
    """The case on the running server `s` (see the module's docstring)."""
    # --- endpoints, no session
    status, _, body = http_get("/healthz")
    h.check(status == 200 and '"ok"' in body, "/healthz 200 ok without a session: %s" % body.strip())
    status, _, body = http_get("/readyz")
    h.check(status == 200 and '"ready"' in body, "/readyz 200 ready: %s" % body.strip())
    h.check(http_get("/metrics")[0] == 401, "/metrics without the bearer token: 401 (web.metrics_token set)")
    h.check(http_get("/metrics", "wrong-token-value")[0] == 401, "/metrics with a wrong token: 401")
    ctype, text, before = scrape()
    h.check(ctype.startswith("text/plain; version=0.0.4"), "/metrics is the text exposition format: " + ctype)
    for name in METRICS:
        h.check(re.search(r"^# HELP %s \S" % name, text, re.M) and re.search(r"^# TYPE %s (gauge|counter)$" % name,
                                                                           text, re.M),
                "%s has its # HELP and # TYPE lines" % name)
    h.check(before["confpro_sip_calls_active"] == 0 and before['confpro_participants'] == 0 and
            before['confpro_sip_calls_answered_total{direction="in"}'] == 0, "nothing live before the first call")
    lag = before["confpro_control_loop_lag_seconds"]
    h.check(0 <= lag < 0.5, "control-loop lag measured: %.6f s" % lag)
    h.check(sip_options(1) == 200, "SIP OPTIONS answered 200 while ready")

    # --- a caller joins: the metrics move
    conf = s.book("ops")
    alice = h.Phone("alice")
    h.join_by_info(alice, conf, conf["moderator_pin"])
    s.wait(r"joined as moderator", 15)
    h.check(s.count(r"call=\d+ digit ") == 0, "at log level info the digits are not logged (debug)")
    during = wait_metrics(
        h, lambda v: v.get("confpro_participants") == 1 and v.get("confpro_conferences") == 1 and
        v.get("confpro_sip_calls_active") == 1 and v.get('confpro_sip_calls_answered_total{direction="in"}') == 1
        and v.get("confpro_rtp_packets_received_total", 0) > 50,
        "after a SIP call joins: 1 participant, 1 conference, 1 call active, 1 answered, RTP counted")
    print("metrics with one caller: jitter mean %.4f s, max %.4f s, loss ratio %.4f, lag %.6f s, outbox %d" % (
        during['confpro_rtp_jitter_seconds{stat="mean"}'], during['confpro_rtp_jitter_seconds{stat="max"}'],
        during["confpro_rtp_loss_ratio"], during["confpro_control_loop_lag_seconds"],
        during["confpro_outbox_pending"]))

    took = []
    for _ in range(100):
        t = time.perf_counter()
        scrape()
        took.append(time.perf_counter() - t)
    took.sort()
    print("100 scrapes of /metrics (HTTP round trip, one caller live): p50 %.2f ms, p99 %.2f ms, max %.2f ms" % (
        took[49] * 1000, took[98] * 1000, took[-1] * 1000))

    # --- SIGHUP: log level and access numbers
    h.check(invite_status(h, "early", "3002") == 404, "3002 is not an access number yet: 404")
    with open(s.config) as f:
        original = f.read()
    edited = original.replace('[log]\nlevel = "info"', '[log]\nlevel = "debug"').replace(
        "[ivr]\n", '[[access_numbers]]\nnumber = "3002"\nlabel = "Added by reload"\nkind = "local"\n'
        'language = "en"\n[ivr]\n', 1)
    h.check(edited != original and 'level = "debug"' in edited, "configuration edited: debug level, 3002 added")
    with open(s.config, "w") as f:
        f.write(edited)
    mark = s.mark()
    s.proc.send_signal(signal.SIGHUP)
    s.wait(r"SIGHUP: configuration reloaded", 10, start=mark)
    h.check(s.proc.poll() is None, "SIGHUP reloads, the process goes on")
    bob = h.Phone("bob", ip="127.0.0.2")
    bob.call("3002")
    h.check(True, "3002 answered after the reload (the new access number is routed)")
    bob.info("1")
    s.wait(r"call=\d+ digit 1", 10, start=mark)
    h.check(True, "the log level is now debug: the digit is logged")
    # logrotate: the file moved away, then SIGHUP: confpro writes the configured path anew
    os.rename(log_file, log_file + ".1")
    mark = s.mark()
    s.proc.send_signal(signal.SIGHUP)
    s.wait(r"SIGHUP: configuration reloaded", 10, start=mark)
    with open(log_file) as f:
        reopened = f.read()
    h.check("SIGHUP: configuration reloaded" in reopened and "confpro starting" not in reopened,
            "SIGHUP reopens the log file: the moved file is let go, the path is written anew")
    with open(s.config, "w") as f:
        f.write(edited.replace('level = "debug"', 'level = "loud"'))
    mark = s.mark()
    s.proc.send_signal(signal.SIGHUP)
    s.wait(r"SIGHUP: configuration refused, the running one is kept", 10, start=mark)
    h.check(s.proc.poll() is None and http_get("/healthz")[0] == 200, "a broken configuration is refused, the "
            "server goes on")
    with open(s.config, "w") as f:
        f.write(original)

    # --- SIGTERM: drain while two calls are live
    mark = s.mark()
    s.proc.send_signal(signal.SIGTERM)
    s.wait(r"draining: 2 live call\(s\)", 10, start=mark)
    status, _, body = http_get("/readyz")
    h.check(status == 503 and '"draining"' in body, "/readyz 503 draining after SIGTERM: %s" % body.strip())
    h.check(http_get("/healthz")[0] == 200, "/healthz still 200 while draining (alive)")
    h.check(sip_options(2) == 503, "SIP OPTIONS answered 503 while draining (the dispatcher stops sending calls)")
    h.check(invite_status(h, "late", h.ACCESS, ip="127.0.0.4") == 503, "a new INVITE gets 503 while draining")
    _, _, values = scrape()
    h.check(values["confpro_draining"] == 1 and values["confpro_sip_calls_active"] == 2,
            "metrics: draining 1, the 2 live calls go on")
    t0 = time.time()
    h.check(alice.hangup() == 200 and bob.hangup() == 200, "the live callers hang up normally during the drain")
    s.wait(r"drained: no call left", 10, start=mark)
    rc = s.proc.wait(30)
    h.check(rc == 0, "confpro serve stops by itself once drained (exit 0, %.1f s after the hang-ups began)" %
            (time.time() - t0))
