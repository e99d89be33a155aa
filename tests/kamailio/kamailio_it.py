#!/usr/bin/env python3
"""deploy/kamailio/kamailio.cfg routing as it says (issue 18): a real Kamailio on 127.0.0.10 with the shipped
configuration, confpro's schema on a PostgreSQL cluster this test starts (tests/pg_cluster.sh, migrated by
`confpro migrate`), and two scripted nodes on 127.0.0.11 and 127.0.0.12 that answer OPTIONS 200 and record the
INVITEs they get. Run it through tests/web/loopback_only.sh: nothing but loopback.

- a conference number whose claim is live goes to the node the claim names (.12), every time;
- one whose claim expired, and an access number, go to a live node by load;
- a node answering 503 (draining) is skipped for the next one.

usage: kamailio_it.py --kamailio PATH --confpro PATH
Exits 77 (skipped) without PostgreSQL's server binaries.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, ".."))
from pg_cluster import pg_cluster  # noqa: E402
PROXY = ("127.0.0.10", 5060)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what, flush=True)


def header(msg, name):
    m = re.search(r"^(?:%s):[ \t]*(.*?)\r?$" % name, msg, re.I | re.M)
    return m.group(1) if m else ""


class Node:
    """A scripted confpro node: OPTIONS → 200; INVITE → recorded, answered `invite_status`; ACK ignored."""

    def __init__(self, ip, invite_status=486):
        self.ip, self.invite_status = ip, invite_status
        self.invites = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, 5060))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _answer(self, msg, peer, status, reason):
        vias = re.findall(r"^(?:Via|v):[ \t]*(.*?)\r?$", msg, re.I | re.M)
        to = header(msg, "To|t")
        if ";tag=" not in to:
            to += ";tag=node%s" % self.ip.rsplit(".", 1)[1]
        lines = ["SIP/2.0 %d %s" % (status, reason)] + ["Via: " + v for v in vias] + [
            "From: " + header(msg, "From|f"), "To: " + to, "Call-ID: " + header(msg, "Call-ID|i"),
            "CSeq: " + header(msg, "CSeq"), "Content-Length: 0", "", ""]
        self.sock.sendto("\r\n".join(lines).encode(), peer)

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            msg = data.decode(errors="replace")
            method = msg.split(" ", 1)[0]
            if method == "OPTIONS":
                self._answer(msg, peer, 200, "OK")
            elif method == "INVITE":
                self.invites.append(msg)
                self._answer(msg, peer, self.invite_status, "Busy Here" if self.invite_status == 486 else "Draining")

    def stop(self):
        if not self.running:
            return
        self.running = False
        self.thread.join(2)
        self.sock.close()


def invite(number, n, wait=10):
    """Sends an INVITE for `number` to the proxy; its final status (0 = none within `wait` s)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    call_id = "kamailio-it-%d-%d" % (os.getpid(), n)
    lines = ["INVITE sip:%s@127.0.0.10 SIP/2.0" % number,
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-kit-%d;rport" % (port, n), "Max-Forwards: 70",
             "From: <sip:caller@127.0.0.1>;tag=caller%d" % n, "To: <sip:%s@127.0.0.10>" % number,
             "Call-ID: " + call_id, "CSeq: 1 INVITE", "Contact: <sip:caller@127.0.0.1:%d>" % port,
             "Content-Length: 0", "", ""]
    s.sendto("\r\n".join(lines).encode(), PROXY)
    s.settimeout(0.5)
    end = time.time() + wait
    status = 0
    while time.time() < end:
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            continue
        m = re.match(r"SIP/2.0 (\d{3})", data.decode(errors="replace"))
        if m and int(m.group(1)) >= 200:
            status = int(m.group(1))
            break
    s.close()
    return status


def sql(url, query):
    out = subprocess.run(["psql", url, "-At", "-v", "ON_ERROR_STOP=1", "-c", query], capture_output=True, text=True,
                         timeout=20)
    if out.returncode != 0:
        raise Failure("psql: %s" % out.stderr)
    return out.stdout.strip()


def scenario(a, url, work):
    out = subprocess.run([a.confpro, "--set", "storage.url=" + url, "migrate"], cwd=work, capture_output=True,
                         text=True, timeout=60)
    check(out.returncode == 0, "confpro migrate on PostgreSQL (%s)" % out.stdout.strip()[-200:])
    now_ms = "(EXTRACT(EPOCH FROM now()) * 1000)::bigint"
    sql(url, "INSERT INTO conference_claims VALUES ('734912', 1, 'node-b', 'sip:127.0.0.12:5060', %s, %s, %s + 60000)"
        % (now_ms, now_ms, now_ms))
    sql(url, "INSERT INTO conference_claims VALUES ('555555', 2, 'node-b', 'sip:127.0.0.12:5060', %s - 90000, "
        "%s - 90000, %s - 30000)" % (now_ms, now_ms, now_ms))
    node_a, node_b = Node("127.0.0.11"), Node("127.0.0.12")
    dispatcher = os.path.join(work, "dispatcher.list")
    with open(dispatcher, "w") as f:
        f.write("1 sip:127.0.0.11:5060 0 0 duid=node-a;maxload=100\n1 sip:127.0.0.12:5060 0 0 duid=node-b;maxload=100\n")
    kam_log = open(os.path.join(work, "kamailio.log"), "w")
    kam = subprocess.Popen([a.kamailio, "-f", os.path.join(ROOT, "deploy", "kamailio", "kamailio.cfg"), "-DD", "-E",
                            "-Y", work, "-A", 'DISPATCHER_LIST="%s"' % dispatcher,
                            "-A", 'CLAIMS_DB="claims=>%s"' % url.replace("postgresql://", "postgres://")],
                           stdout=kam_log, stderr=subprocess.STDOUT, cwd=work)
    try:
        time.sleep(1.5)
        check(kam.poll() is None, "kamailio runs with the shipped configuration")
        for i in range(3):
            check(invite("734912", i) == 486, "INVITE %d for the claimed conference answered (by a node)" % i)
        check(len(node_b.invites) == 3 and not node_a.invites,
              "the claimed conference's callers all reach its owner (.12: %d, .11: %d)" %
              (len(node_b.invites), len(node_a.invites)))
        check("Record-Route:" in node_b.invites[0], "the proxy stays in the dialog (Record-Route)")

        before = len(node_a.invites) + len(node_b.invites)
        check(invite("555555", 10) == 486, "a conference whose claim expired is answered")
        check(invite("3001", 11) == 486, "an access number is answered")
        check(len(node_a.invites) + len(node_b.invites) == before + 2, "both reached a node chosen by load (.11: %d, "
              ".12: %d)" % (len(node_a.invites), len(node_b.invites) - 3))

        # Dispatcher's load choice breaks a tie (no call up anywhere here) towards the last node listed: .12.
        node_b.invite_status = 503
        a_before, b_before = len(node_a.invites), len(node_b.invites)
        status = invite("3001", 20)
        check(len(node_b.invites) == b_before + 1, "the load choice offered the call to .12 first")
        check(status == 486 and len(node_a.invites) == a_before + 1,
              ".12 answering 503 (draining): its 503 never reaches the caller, .11 takes the call (%d)" % status)

        # The owner dies (killed: its claim stays live up to its TTL): its callers go to a live node instead.
        node_b.stop()
        a_before = len(node_a.invites)
        t0 = time.time()
        status = invite("734912", 30, wait=20)
        check(status == 486 and len(node_a.invites) == a_before + 1,
              "the owner gone, its conference's caller reaches the live node .11 (%d, %.1f s)" % (status,
                                                                                              time.time() - t0))
    except Exception:
        kam_log.flush()
        with open(kam_log.name, errors="replace") as f:
            print("--- kamailio log (tail) ---\n" + f.read()[-6000:])
        raise
    finally:
        kam.terminate()
        try:
            kam.wait(10)
        except subprocess.TimeoutExpired:
            kam.kill()
            kam.wait()
        kam_log.close()
        node_a.stop()
        node_b.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kamailio", required=True)
    ap.add_argument("--confpro", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="confpro-kamailio-")
    os.chmod(work, 0o755)
    try:
        with pg_cluster() as url:
            if not url:
                print("skipped: no PostgreSQL server binaries")
                return 77
            scenario(a, url, work)
    except Failure as e:
        print("FAIL:", e, flush=True)
        return 1
    finally:
        if not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(work, ignore_errors=True)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
