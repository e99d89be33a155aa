#!/usr/bin/env python3
"""Two `confpro serve` nodes on one PostgreSQL (issue 18 item 1: node identity and conference claims).

Node A on 127.0.0.11 and node B on 127.0.0.12 share a PostgreSQL cluster started by this test (tests/pg_cluster.sh,
on 127.0.0.1); run it through tests/web/loopback_only.sh so nothing but loopback exists. Claims live 5 s and are
renewed every 2 s (so a kill shows within seconds):

1. a caller joins the conference on A: A claims it and mixes it;
2. 7 s later (A has renewed its claim meanwhile) a caller of the same conference on B is refused — told the
   conference is on another server, hung up — and B logs that A (sip:127.0.0.11:5060) hosts it;
3. A is killed (kill -9): its claim expires; a caller on B then gets the conference, claimed by B, mixed there.

usage: nodes_it.py --confpro PATH --prompt-cache DIR
Exits 77 (skipped) without PostgreSQL's server binaries.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from pg_cluster import pg_cluster  # noqa: E402
from serve import Failure, Serve  # noqa: E402
from rtp_phone import Phone  # noqa: E402


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what, flush=True)


def node_settings(url, name, ip):
    return {"storage.url": url, "server.node_id": name, "node.name": name, "sip.listen_address": ip,
            "web.address": ip, "node.claim_ttl_s": "5", "node.claim_renew_s": "2"}


def claims(url):
    """The conference_claims rows as a SIP proxy reads them: "number|node|sip_uri" lines."""
    out = subprocess.run(["psql", url, "-At", "-c", "SELECT number, node, sip_uri FROM conference_claims ORDER BY 1"],
                         capture_output=True, text=True, timeout=20)
    if out.returncode != 0:
        raise Failure("psql failed: %s" % out.stderr)
    return out.stdout.split()


def join(phone, number, pin):
    phone.call(number)
    time.sleep(1.0)
    check(phone.info(pin + "#") == [200] * (len(pin) + 1), "%s sends its PIN by INFO" % phone.name)


def scenario(a, url):
    node_a = Serve(a.confpro, a.prompt_cache, node_settings(url, "node-a", "127.0.0.11"))
    node_b = None
    try:
        node_b = Serve(a.confpro, a.prompt_cache, node_settings(url, "node-b", "127.0.0.12"), users=False)
        node_a.wait(r"node node-a at sip:127\.0\.0\.11:5060: conference claims on", 5)
        conf = node_a.book("two-nodes")
        number = conf["number"]

        alice = Phone("alice", ip="127.0.0.1", server=("127.0.0.11", 5060))
        join(alice, number, conf["user_pin"])
        node_a.wait(r"conf=%s claimed by this node \(node-a\)" % number, 15)
        node_a.wait(r"conf=%s call=\d+ joined as user" % number, 15)
        check(True, "the first caller on node A: A claims the conference and mixes it")
        rows = claims(url)
        check(rows == ["%s|node-a|sip:127.0.0.11:5060" % number], "the claim row names A and its SIP URI: %s" % rows)

        time.sleep(7)  # longer than the claim's 5 s: only A's renewals keep it
        bob = Phone("bob", ip="127.0.0.2", server=("127.0.0.12", 5060))
        join(bob, number, conf["user_pin"])
        node_b.wait(r"conf=%s is hosted on node node-a \(sip:127\.0\.0\.11:5060\)" % number, 15)
        t = time.time()
        check(node_b.count(r"conf=%s call=\d+ joined" % number) == 0, "node B does not mix the caller")
        check(bob.wait_bye(20), "B tells the caller the conference is elsewhere and hangs up")
        check(bob.sound_frames(t, time.time()) >= 100, "the caller on B heard why (2 s of the prompt at least)")

        node_a.proc.send_signal(signal.SIGKILL)
        node_a.proc.wait(10)
        time.sleep(6)  # A's claim (5 s) expires
        carol = Phone("carol", ip="127.0.0.3", server=("127.0.0.12", 5060))
        join(carol, number, conf["user_pin"])
        node_b.wait(r"conf=%s claimed by this node \(node-b\)" % number, 15)
        node_b.wait(r"conf=%s call=\d+ joined as user" % number, 15)
        check(True, "node A killed: its claim expires and node B hosts the conference")
        check(carol.hangup() == 200, "the caller on B hangs up")
        check(node_b.stop() == 0, "node B stops cleanly")
        node_b = None
        check(claims(url) == [], "the conference's room closed at the stop: B released its claim")
    except Exception:
        for node in (node_a, node_b):
            if node:
                node.dump()
        raise
    finally:
        for node in (node_a, node_b):
            if node and node.proc and node.proc.poll() is None:
                node.proc.kill()
                node.proc.wait()
        if not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(node_a.dir, ignore_errors=True)  # killed: Serve.stop did not remove it


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--confpro", required=True)
    ap.add_argument("--prompt-cache", required=True)
    a = ap.parse_args()
    try:
        with pg_cluster() as url:
            if not url:
                print("skipped: no PostgreSQL server binaries")
                return 77
            scenario(a, url)
    except Failure as e:
        print("FAIL:", e, flush=True)
        return 1
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
