#!/usr/bin/env python3
"""`make bench`'s SIP-joined load (issue 17): every participant joins `confpro serve` over SIP, the way an operator's
callers do, and the same generator as the engine-only run (bench/media_load) loads and measures it.

1. `confpro serve` with tests/sip/serve.py's test configuration (temp dir, SQLite, SIP 127.0.0.1:5060, the
   espeak-ng prompt cache) and the engine's defaults (media workers one per core, silence suppression on); only the
   SIP admission limits are lifted (one source places every call: sip.max_calls, invite_rate_per_source,
   max_ivr_calls_per_source).
2. One booking per room of 10 (`confpro booking create --json`, the CLI an operator uses).
3. media_load --server-pid binds participant i's RTP port (--local-port-base + 2i), then two SIPp processes dial
   the conference numbers directly (INVITE with SDP, that port in it): most key the PIN by SIP INFO
   (bench/sipp/uac_join_info.xml), every --rtp-pin-every-th leaves it to media_load, which keys it by RFC 4733
   (uac_join_rfc4733.xml). SIPp logs each call's server RTP port (from the 200 OK) to a file media_load reads.
4. When the server has logged every "joined as", the go file lets media_load start the load (--warmup, then
   --seconds measured); its report is printed, with joined=N on its RESULT line.
Every wait is bounded; SIPp and the server are killed at the end whatever happened. Run it inside a loopback-only
network namespace (tests/web/loopback_only.sh): it floods SIP on fixed ports.

usage: sip_load.py --confpro BIN --media-load BIN --prompt-cache DIR [--sipp sipp] [--participants 200]
                   [--seconds 10] [--warmup 3] [--rate 100] [--rtp-pin-every 5] [--gen-cpu 1] [--realtime]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "tests", "sip"))
from serve import Failure, Serve  # noqa: E402

ROOM = 10
LOCAL_PORT_BASE = 40000  # the generator's; the server's RTP ports are 20000-29998 (serve.py's configuration)


def book_rooms(s, rooms):
    """One booking a room (max 10 participants), made through the CLI; their conference numbers and PINs."""
    out = []
    for r in range(rooms):
        b = s.book("bench-%d" % r)
        out.append((b["number"], b["user_pin"]))
    return out


def write_calls(workdir, n, every, rooms):
    """SIPp injection files (INFO callers, RFC 4733 callers) and media_load's RFC 4733 PIN list."""
    info, rtp, pins = ["SEQUENTIAL"], ["SEQUENTIAL"], []
    for i in range(n):
        number, pin = rooms[i // ROOM]
        line = ";".join([number] + list(pin) + [str(LOCAL_PORT_BASE + 2 * i), str(i)])
        if every and i % every == every - 1:
            rtp.append(line)
            pins.append("%d %s#" % (i, pin))
        else:
            info.append(line)
    paths = {}
    for name, lines in (("info.csv", info), ("rtp.csv", rtp), ("rtp_pins.txt", pins)):
        paths[name] = os.path.join(workdir, name)
        with open(paths[name], "w") as f:
            f.write("\n".join(lines) + "\n")
    return paths, len(info) - 1, len(rtp) - 1


def sipp(a, scenario, csv, calls, rate, hold_ms, port, log_file, workdir):
    cmd = [a.sipp, "127.0.0.1:5060", "-sf", os.path.join(HERE, "sipp", scenario), "-inf", csv, "-i", "127.0.0.1",
           "-p", str(port), "-mi", "127.0.0.1", "-mp", str(16000 + (port - 5070) * 100), "-m", str(calls), "-l", str(calls),
           "-r", str(rate), "-d", str(hold_ms), "-t", "u1", "-nostdin", "-aa", "-max_recv_loops", "100000",
           "-timeout", "%ds" % (hold_ms // 1000 + 120), "-trace_logs", "-log_file", log_file,
           "-trace_err", "-error_file", os.path.join(workdir, "sipp_%d_err.log" % port)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=workdir)


def check(result, left):
    """--check (the CTest smoke): what a caller gets — every one still in its room, heard by the others without
    loss or echo, and the delay measured."""
    failures = []
    for ok, what in ((left == 0, "no call left its conference (%d did)" % left),
                     (float(result["loss_pct"]) < 0.5, "RTP loss by sequence < 0.5 %% (%s %%)" % result["loss_pct"]),
                     (float(result["missing_pct"]) < 2, "ticks missing in sound < 2 %% (%s %%)" % result["missing_pct"]),
                     (int(result["echo"]) == 0, "no talker hears its own tone (%s frames)" % result["echo"]),
                     (0 < float(result["p50_ms"]) < 100, "listeners hear the bursts, p50 delay %s ms" % result["p50_ms"]),
                     (float(result["us_per_part_s"]) > 0, "media worker CPU measured (%s us per participant-second)" %
                      result["us_per_part_s"])):
        print(("ok: " if ok else "FAILED: ") + what, flush=True)
        if not ok:
            failures.append(what)
    if failures:
        raise Failure("; ".join(failures))


def kill(proc):
    if proc and proc.poll() is None:
        proc.kill()
        proc.wait(10)


def run(a, workdir):
    n = a.participants
    rooms_n = (n + ROOM - 1) // ROOM
    settings = {"sip.max_calls": str(n + 100), "sip.invite_rate_per_source": "0", "sip.max_ivr_calls_per_source": "0",
                "media.max_sessions": str(n + 100), "log.level": "warn", "log.components.conference": "info"}
    settings.update(kv.split("=", 1) for kv in a.set)  # experiments only: `make bench` runs the defaults
    t0 = time.time()
    s = Serve(a.confpro, a.prompt_cache, settings)
    gen = sipps = None
    try:
        rooms = book_rooms(s, rooms_n)
        print("sip_load: serve pid %d ready, %d bookings made in %.1f s" % (s.proc.pid, rooms_n, time.time() - t0),
              flush=True)
        paths, n_info, n_rtp = write_calls(workdir, n, a.rtp_pin_every, rooms)
        ports_logs = [os.path.join(workdir, "ports_info.log"), os.path.join(workdir, "ports_rtp.log")]
        go_file = os.path.join(workdir, "go")
        join_budget = 30 + n // 20
        gen_cmd = [a.media_load, "--server-pid", str(s.proc.pid), "--sip-ports", ports_logs[0], "--sip-ports",
                   ports_logs[1], "--rtp-pins",
                   paths["rtp_pins.txt"], "--go-file", go_file, "--local-port-base", str(LOCAL_PORT_BASE),
                   "--join-timeout", str(join_budget + 10), "--participants", str(n), "--room-size", str(ROOM),
                   "--talkers", "1", "--senders", str(ROOM), "--codec", "pcmu", "--seconds", str(a.seconds),
                   "--warmup", str(a.warmup), "--gen-cpu", str(a.gen_cpu)] + (["--realtime"] if a.realtime else [])
        print("command: " + " ".join(gen_cmd), flush=True)
        gen = subprocess.Popen(gen_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        first = gen.stdout.readline()
        if "bound" not in first:
            raise Failure("media_load did not bind its ports: %s%s" % (first, gen.stdout.read()[-2000:]))
        hold_ms = 1000 * (n // a.rate + join_budget + a.warmup + a.seconds + 20)
        sipps = [sipp(a, "uac_join_info.xml", paths["info.csv"], n_info, max(1, a.rate * n_info // n), hold_ms, 5070,
                      ports_logs[0], workdir)]
        if n_rtp:
            sipps.append(sipp(a, "uac_join_rfc4733.xml", paths["rtp.csv"], n_rtp, max(1, a.rate * n_rtp // n),
                              hold_ms, 5071, ports_logs[1], workdir))
        t_join = time.time()
        joined = 0
        while time.time() - t_join < join_budget:
            joined = s.count(r"joined as ")
            if joined >= n or gen.poll() is not None or any(p.poll() is not None for p in sipps):
                break
            time.sleep(0.2)
        refused = s.count(r"wrong PIN")
        print("sip_load: %d of %d joined in %.1f s (%d by RFC 4733 PIN, %d by INFO; wrong PIN %d)" %
              (joined, n, time.time() - t_join, n_rtp, n_info, refused), flush=True)
        if joined < n:
            raise Failure("not every caller joined (%d of %d)" % (joined, n))
        open(go_file, "w").close()
        perf = None
        if a.perf:  # the measured window (after the warm-up), call graphs of every thread of the server
            time.sleep(a.warmup + 0.5)
            perf = subprocess.Popen(["perf", "record", "-g", "-o", a.perf, "-p", str(s.proc.pid), "--", "sleep",
                                     str(max(1, a.seconds - 1))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out, _ = gen.communicate(timeout=a.warmup + a.seconds + 60)
        if perf:
            perf.wait(30)
        result = {}
        for line in out.splitlines():
            if line.startswith("RESULT "):
                line += " joined=%d" % joined
                result = dict(f.split("=", 1) for f in line.split()[1:])
            print(line, flush=True)
        if gen.returncode != 0 or not result:
            raise Failure("media_load failed (exit %d)" % gen.returncode)
        left = s.count(r"call=\d+ left: ")
        print("sip_load: %d calls left their conference before the end" % left)
        if a.check:
            check(result, left)
        return 0
    finally:
        for p in sipps or []:
            kill(p)
        if gen and gen.poll() is None:
            gen.kill()
            print(gen.communicate()[0][-3000:])
        # SIGTERM as an operator would, but bounded: a server still ending 1,000 calls is killed.
        if s.proc.poll() is None:
            s.proc.send_signal(signal.SIGTERM)
        try:
            s.proc.wait(15)
        except subprocess.TimeoutExpired:
            s.proc.kill()
            s.proc.wait(10)
        s.reader.join(5)
        if os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            print("test dirs kept:", s.dir, workdir)
        else:
            shutil.rmtree(s.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--confpro", required=True)
    ap.add_argument("--media-load", required=True)
    ap.add_argument("--prompt-cache", required=True)
    ap.add_argument("--sipp", default="sipp")
    ap.add_argument("--participants", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rate", type=int, default=100, help="new calls a second")
    ap.add_argument("--rtp-pin-every", type=int, default=5, help="every k-th caller keys its PIN by RFC 4733")
    ap.add_argument("--gen-cpu", type=int, default=1)
    ap.add_argument("--realtime", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a server setting on top of the defaults (experiments, e.g. media.workers=1)")
    ap.add_argument("--perf", metavar="FILE", help="perf record -g the server during the measured seconds")
    ap.add_argument("--check", action="store_true", help="fail unless every caller joined and was heard (smoke)")
    a = ap.parse_args()
    if a.participants < 1 or a.participants > 4000 or a.rate < 1:
        ap.error("--participants 1..4000, --rate >= 1")
    workdir = tempfile.mkdtemp(prefix="confpro-sipload-")
    try:
        return run(a, workdir)
    except Failure as e:
        print("sip_load FAILED:", e, flush=True)
        return 1
    finally:
        if not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
