#!/usr/bin/env python3
"""SIP integration tests: the sip_harness server process driven by SIPp scenarios (scenarios/), raw messages
(data/rfc4475) and a fake trunk (fake_trunk.py).

Every case runs inside its own loopback-only network namespace: the script creates it (unique name), re-runs
itself inside with --inside, and deletes it at the end, so no answer or DNS look-up leaves the machine and fixed
ports (5060, 5080, …) never collide with other tests. Needs root for `ip netns`; exits 77 (skipped) without it.

usage: sip_it.py <case> --harness PATH --sipp PATH
"""
import argparse
import glob
import math
import os
import random
import signal
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCEN = os.path.join(HERE, "scenarios")
SERVER = "127.0.0.1:5060"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print("ok:", what, flush=True)


# ---------------------------------------------------------------------------------------------- processes
class Harness:
    """The server under test; its stdout lines are events."""

    def __init__(self, path, *args):
        self.err = tempfile.NamedTemporaryFile(prefix="sip_harness_", suffix=".log", delete=False)
        cmd = [path, "--listen", "127.0.0.1", "--port", "5060", "--log", "info"] + list(args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
                                     text=True, bufsize=1)
        self.lines = []
        self.cv = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait(r"^ready", 15)

    def _read(self):
        for line in self.proc.stdout:
            with self.cv:
                self.lines.append(line.rstrip("\n"))
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

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
                if left <= 0 or self.proc.poll() is not None and not self._pending():
                    raise Failure("harness never printed /%s/ (last lines: %s)" % (pattern, self.lines[-5:]))
                self.cv.wait(min(left, 0.2))

    def _pending(self):
        return self.reader.is_alive()

    def count(self, pattern):
        rx = re.compile(pattern)
        with self.cv:
            return sum(1 for line in self.lines if rx.search(line))

    def wait_count(self, pattern, n, timeout=5):
        """True once `n` lines match `pattern` (events may trail the peer's view of the call by a moment)."""
        end = time.time() + timeout
        while time.time() < end:
            if self.count(pattern) >= n:
                return self.count(pattern) == n
            time.sleep(0.05)
        return False

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop(self, timeout=40):
        try:
            self.send("quit")
        except (BrokenPipeError, OSError):
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("harness did not stop within %d s" % timeout)
        self.reader.join(5)
        return rc

    def dump(self):
        print("--- harness stdout ---\n" + "\n".join(self.lines[-60:]))
        with open(self.err.name, errors="replace") as f:
            tail = f.read()[-6000:]
        print("--- harness log (tail) ---\n" + tail)


def sipp_cmd(sipp, scenario, service="800", port=None, media_port=None, calls=1, limit=None, rate=None,
             duration_ms=None, transport="u1", local_ip="127.0.0.1", timeout_s=60, extra=()):
    port = port or random.randrange(5100, 5900)
    media_port = media_port or random.randrange(10000, 19000, 2)
    cmd = [sipp, SERVER, "-sf", os.path.join(SCEN, scenario), "-s", service, "-i", local_ip, "-p", str(port),
           "-mi", local_ip, "-mp", str(media_port), "-m", str(calls), "-t", transport, "-nostdin",
           "-timeout", "%ds" % timeout_s, "-timeout_error", "-max_recv_loops", "100000",
           "-trace_err", "-error_file", os.path.join(tempfile.gettempdir(), "sipp_%d_err.log" % port)]
    if limit:
        cmd += ["-l", str(limit)]
    if rate:
        cmd += ["-r", str(rate)]
    if duration_ms is not None:
        cmd += ["-d", str(duration_ms)]
    return cmd + list(extra)


def run_sipp(sipp, scenario, **kw):
    cmd = sipp_cmd(sipp, scenario, **kw)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=kw.get("timeout_s", 60) + 30)
    elapsed = time.time() - t0
    if p.returncode != 0:
        print(p.stdout[-3000:])
        errfile = cmd[cmd.index("-error_file") + 1]
        if os.path.exists(errfile):
            print("--- sipp errors ---\n" + open(errfile, errors="replace").read()[-3000:])
    return p.returncode, elapsed


def start_sipp(sipp, scenario, **kw):
    return subprocess.Popen(sipp_cmd(sipp, scenario, **kw), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def finish(proc, timeout=60):
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        print(out[-3000:])
    return proc.returncode


# ---------------------------------------------------------------------------------------------- cases
def case_call_caller_hangup(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_call.xml", calls=3, limit=3, duration_ms=500)
        check(rc == 0, "3 UDP calls answered and hung up by the caller")
        check(h.count(r"^incoming .*dialled=800 caller=003312345\d+ name=Caller \d+ transport=udp codec=PCMU pt=0 te=101") == 3,
              "caller number normalized, display name, codec PCMU and telephone-event reported")
        check(h.wait_count(r"^ended call=\d+ cause=caller-bye", 3), "3 calls ended with cause caller-bye")
        rc, _ = run_sipp(a.sipp, "uac_call.xml", calls=2, limit=2, duration_ms=500, transport="t1")
        check(rc == 0, "2 TCP calls answered and hung up by the caller")
        check(h.count(r"^incoming .*transport=tcp") == 2, "TCP transport reported")
        rc, _ = run_sipp(a.sipp, "uac_call_rtp.xml", calls=1)
        check(rc == 0, "a call playing PCMA RTP (pcap) for 8 s completes")
        check(h.count(r"^incoming .*codec=PCMA pt=8") == 1, "PCMA chosen when it is the only common codec")
        h.send("stats")
        h.wait(r"^stats live=0 ")
        check(True, "no call left live")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_server_hangup(a):
    h = Harness(a.harness, "--hangup-number", "801", "--hangup-after-ms", "500")
    try:
        rc, _ = run_sipp(a.sipp, "uac_server_bye.xml", service="801", calls=2, limit=2)
        check(rc == 0, "server sends BYE, caller answers 200")
        check(h.wait_count(r"^ended call=\d+ cause=server-bye", 2), "2 calls ended with cause server-bye")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_cancel(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_cancel.xml", service="802", calls=2, limit=1)
        check(rc == 0, "CANCEL before answer: 200 to CANCEL, 487 to INVITE")
        h.wait(r"^ended call=2 cause=cancelled")
        check(h.count(r"cause=cancelled") == 2, "both calls ended with cause cancelled")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_hold_resume(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_hold.xml")
        check(rc == 0, "re-INVITE sendonly answered recvonly, re-INVITE sendrecv answered sendrecv")
        check(h.wait_count(r"^ended call=1 cause=caller-bye", 1), "the call survived hold/resume and ended by BYE")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_info_dtmf(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_info.xml")
        check(rc == 0, "INFO requests answered 200")
        digits = [m for m in re.findall(r"^dtmf call=1 digit=(.)$", "\n".join(h.lines), re.M)]
        check(digits == ["5", "9", "#"], "on_dtmf got 5 (dtmf-relay), 9 (application/dtmf), # in order: %s" % digits)
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_options(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_options.xml", calls=20, rate=50)
        check(rc == 0, "20 OPTIONS answered 200 with INFO in Allow")
        rc, _ = run_sipp(a.sipp, "uac_options.xml", calls=5, rate=50, transport="t1")
        check(rc == 0, "OPTIONS over TCP answered")
        check(h.count(r"^incoming") == 0, "no call reported")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_no_codec_488(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_488.xml")
        check(rc == 0, "G.729-only offer refused with 488")
        check(h.count(r"^incoming") == 0, "no call reported to the handler")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_unknown_404(a):
    h = Harness(a.harness)
    try:
        rc, _ = run_sipp(a.sipp, "uac_404.xml", service="999")
        check(rc == 0, "unknown number refused with 404")
        check(h.wait_count(r"^ended call=1 cause=rejected", 1), "call ended with cause rejected")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_max_calls_503(a):
    h = Harness(a.harness, "--max-calls", "2")
    try:
        bg = start_sipp(a.sipp, "uac_call.xml", calls=2, limit=2, duration_ms=4000, port=5200)
        h.wait(r"^answered call=2", 10)
        rc, _ = run_sipp(a.sipp, "uac_503.xml", port=5201)
        check(rc == 0, "third call refused with 503 and Retry-After")
        check(finish(bg) == 0, "the two calls in progress complete normally")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_concurrent_200(a):
    h = Harness(a.harness, "--max-calls", "400", "--rate", "0")
    try:
        t0 = time.time()
        bg = start_sipp(a.sipp, "uac_call.xml", calls=200, limit=250, rate=50, duration_ms=12000, timeout_s=90)
        time.sleep(max(0.0, 6.0 - (time.time() - t0)))
        start = len(h.lines)
        h.send("stats")
        m = h.wait(r"^stats live=(\d+)", 5, start)
        check(int(m.group(1)) == 200, "200 calls live at once (live=%s)" % m.group(1))
        check(finish(bg, 120) == 0, "all 200 calls completed without failure")
        check(h.count(r"^answered") == 200 and h.wait_count(r"cause=caller-bye", 200), "200 answered, 200 caller BYEs")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_dialout(a):
    h = Harness(a.harness, "--trunk", "sip:127.0.0.1:5080", "--dial-plan", "0[1-5][0-9]{8}",
                "--trunk-user", "trunkuser", "--trunk-password", "s3cret", "--caller-id", "0987654321")
    try:
        for scenario, number in (("uas_answer.xml", "0123456789"), ("uas_auth.xml", "0511223344")):
            uas = start_sipp(a.sipp, scenario, port=5080, calls=1, timeout_s=30)
            time.sleep(0.5)
            start = len(h.lines)
            h.send("dial %s conf-1" % number)
            call = h.wait(r"^dial-ok call=(\d+)", 5, start).group(1)
            h.wait(r"^progress call=%s status=180" % call, 10, start)
            h.wait(r"^answered call=%s" % call, 10, start)
            check(True, "%s: dial-out to %s rang and was answered" % (scenario, number))
            h.send("hangup %s" % call)
            h.wait(r"^ended call=%s cause=server-bye" % call, 10, start)
            check(finish(uas) == 0, "%s: trunk got our BYE; its scenario (number, %s) passed" %
                  (scenario, "digest credentials" if "auth" in scenario else "answer"))
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_dialout_refused(a):
    trunk = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_trunk.py"), "5080", "60"],
                             stdout=subprocess.PIPE, text=True)
    h = Harness(a.harness, "--trunk", "sip:127.0.0.1:5080", "--dial-plan", "0[1-5][0-9]{8}", "--ring-timeout", "3")
    received = []
    threading.Thread(target=lambda: [received.append(l.strip()) for l in trunk.stdout], daemon=True).start()
    try:
        for number, code in (("0899123456", "permission_denied"), ("0123456789@evil.example.com", "invalid_argument"),
                             ("01234&5678", "invalid_argument"), ("012345678,9", "invalid_argument"),
                             ("0123;45678", "invalid_argument"), ("01%2345678", "invalid_argument"),
                             ("0I23456789", "invalid_argument"), ("+44 20 7946 0000", "permission_denied")):
            start = len(h.lines)
            h.send("dial %s conf-9" % number)
            h.wait(r"^dial-error code=%s" % code, 5, start)
        check(True, "numbers outside the plan or not digits-only refused at once")
        time.sleep(1.5)
        check(received == [], "nothing reached the trunk for refused numbers (got %s)" % received)
        for i in range(5):
            start = len(h.lines)
            h.send("dial 012345678%d conf-9" % i)
            h.wait(r"^dial-ok", 5, start)
        start = len(h.lines)
        h.send("dial 0123456780 conf-9")
        h.wait(r"^dial-error code=resource_exhausted", 5, start)
        check(True, "the 6th concurrent dial-out of one conference is refused (limit 5)")
        h.wait(r"^progress call=\d+ status=180", 5)
        time.sleep(1)
        check(len([r for r in received if r.startswith("INVITE sip:012345678")]) == 5, "exactly 5 INVITEs reached the trunk")
        h.wait(r"cause=timeout", 10)
        check(True, "unanswered dial-outs are cancelled after the ring timeout")
    except Exception:
        h.dump()
        raise
    finally:
        rc = h.stop()
        trunk.kill()
        check(rc == 0, "harness stops cleanly")


def case_flood(a):
    h = Harness(a.harness, "--rate", "20", "--burst", "40", "--max-calls", "1000")
    try:
        long_call = start_sipp(a.sipp, "uac_call.xml", local_ip="127.0.0.2", calls=1, duration_ms=8000, port=5300)
        h.wait(r"^answered call=1", 10)
        rc, elapsed = run_sipp(a.sipp, "uac_flood.xml", calls=600, limit=600, rate=600, port=5301, timeout_s=60)
        check(rc == 0, "600 INVITEs from one source in ~1 s: each answered or refused with 503 (%.1f s)" % elapsed)
        answered = h.count(r"^answered") - 1
        allowed = 40 + 20 * (elapsed + 1)
        check(0 < answered <= allowed, "rate limit admitted %d of 600 (bound %.0f)" % (answered, allowed))
        check(finish(long_call) == 0, "the call in progress from another source was not disturbed")
        start = len(h.lines)
        time.sleep(3)
        rc, _ = run_sipp(a.sipp, "uac_call.xml", calls=1, duration_ms=100, port=5302)
        check(rc == 0, "the flooding source may call again once its bucket refilled")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_audio_two_calls(a):
    """Two calls answered into one room (real media engine): each hears the other's tone, not its own."""
    sys.path.insert(0, HERE)
    from rtp_phone import Phone
    h = Harness(a.harness)
    try:
        if "media=real" not in h.lines[0]:
            print("skipped: sip_harness was built without the media engine")
            sys.exit(77)
        alice, bob = Phone("alice"), Phone("bob", ip="127.0.0.2")
        alice.call("800")
        bob.call("800")
        h.wait(r"^answered call=2", 5)
        alice.tone_hz = 1000
        time.sleep(2.5)
        t = time.time()
        bob_hears, n1 = bob.level_between(t - 1.5, t)
        alice_hears, n2 = alice.level_between(t - 1.5, t)
        print("phase 1: alice sends 1 kHz; bob hears rms %.0f (%d frames), alice hears rms %.0f (%d frames)" %
              (bob_hears, n1, alice_hears, n2))
        check(n1 > 50 and bob_hears > 1000, "bob hears alice's tone")
        check(alice_hears < 300, "alice does not hear herself (mix-minus)")
        alice.tone_hz, bob.tone_hz = 0, 600
        time.sleep(2.5)
        t = time.time()
        alice_hears, n3 = alice.level_between(t - 1.5, t)
        bob_hears, n4 = bob.level_between(t - 1.5, t)
        print("phase 2: bob sends 600 Hz; alice hears rms %.0f (%d frames), bob hears rms %.0f (%d frames)" %
              (alice_hears, n3, bob_hears, n4))
        check(n3 > 50 and alice_hears > 1000, "alice hears bob's tone")
        check(bob_hears < 300, "bob does not hear himself")
        check(alice.hangup() == 200 and bob.hangup() == 200, "both BYEs answered 200")
        h.wait(r"^ended call=2 cause=caller-bye", 5)
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


def case_tls_options(a):
    """TLS transport when a certificate is configured: OPTIONS over TLS gets 200."""
    import ssl
    tmp = tempfile.mkdtemp(prefix="sip_tls_")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    h = Harness(a.harness, "--tls-cert", cert, "--tls-key", key, "--tls-port", "5061")
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection(("127.0.0.1", 5061), timeout=5)
        tls = ctx.wrap_socket(raw)
        port = tls.getsockname()[1]
        tls.sendall(("OPTIONS sip:127.0.0.1:5061 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:%d;branch=z9hG4bK-tls1\r\n"
                     "From: <sip:probe@127.0.0.1>;tag=t1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: tls-1@probe\r\n"
                     "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % port).encode())
        tls.settimeout(5)
        data = tls.recv(65535)
        print("TLS %s answered: %s" % (tls.version(), data.split(b"\r\n", 1)[0].decode()))
        check(status_of(data) == 200, "OPTIONS over TLS answered 200")
        tls.close()
    except Exception:
        h.dump()
        raise
    finally:
        subprocess.run(["rm", "-rf", tmp])
        check(h.stop() == 0, "harness stops cleanly")


BARESIP_CONFIG = """poll_method epoll
sip_listen 127.0.0.1:5070
net_interface 127.0.0.1
audio_player aufile,{dir}/player.wav
audio_source aufile,{dir}/tone.wav
audio_alert aufile,{dir}/alert.wav
audio_srate 8000
audio_channels 1
rtp_ports 30000-30100
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module sndfile.so
module menu.so
module_app account.so
module_app menu.so
snd_path {dir}
"""


def case_baresip(a):
    """baresip (a real softphone, headless: aufile source, sndfile dumps) and a scripted RTP phone in one room:
    each hears the other's tone."""
    import shutil
    import wave
    sys.path.insert(0, HERE)
    from rtp_phone import Phone, audioop
    if not shutil.which("baresip"):
        print("skipped: baresip not installed")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="sip_baresip_")
    with open(os.path.join(tmp, "config"), "w") as f:
        f.write(BARESIP_CONFIG.format(dir=tmp))
    with open(os.path.join(tmp, "accounts"), "w") as f:
        f.write("<sip:bare@127.0.0.1>;regint=0;audio_codecs=PCMU\n")
    w = wave.open(os.path.join(tmp, "tone.wav"), "wb")
    w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * i / 8000)))
                           for i in range(8000 * 15)))
    w.close()
    h = Harness(a.harness)
    try:
        if "media=real" not in h.lines[0]:
            print("skipped: sip_harness was built without the media engine")
            sys.exit(77)
        phone = Phone("phone", ip="127.0.0.2")
        phone.call("800")
        phone.tone_hz = 600
        t0 = time.time()
        out = subprocess.run(["baresip", "-f", tmp, "-e", "/dial sip:800@127.0.0.1:5060", "-t", "8"],
                             capture_output=True, text=True, timeout=30)
        t1 = time.time()
        check("Call established" in out.stdout, "baresip's call was established")
        h.wait(r"^ended call=2 cause=caller-bye", 5)
        check(True, "baresip hung up with BYE at the end")
        heard, frames = phone.level_between(t0 + 3, t1 - 1)
        print("phone hears rms %.0f over %d frames while baresip sends 1 kHz" % (heard, frames))
        check(frames > 100 and heard > 1000, "the phone hears baresip's tone")
        dumps = sorted(glob.glob(os.path.join(tmp, "dump-*-dec.wav")))
        check(dumps, "baresip dumped what it received")
        d = wave.open(dumps[-1], "rb")
        pcm = d.readframes(d.getnframes())
        d.close()
        mid = pcm[len(pcm) // 4: 3 * len(pcm) // 4]
        rms = audioop.rms(mid, 2) if mid else 0
        print("baresip received %.1f s of audio, rms %d in the middle half" % (len(pcm) / 16000, rms))
        check(len(pcm) > 16000 * 4 and rms > 1000, "baresip hears the phone's tone")
        check(phone.hangup() == 200, "phone hangs up")
    except Exception:
        h.dump()
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        check(h.stop() == 0, "harness stops cleanly")


def case_load(a):
    """Manual measurement (not registered in CTest): LOAD_RATE calls/s for LOAD_CALLS calls held LOAD_HOLD_MS each;
    passes when every call succeeds. Prints the achieved rate and the peak of live calls."""
    rate, calls = int(os.environ.get("LOAD_RATE", "200")), int(os.environ.get("LOAD_CALLS", "4000"))
    hold = int(os.environ.get("LOAD_HOLD_MS", "0"))
    h = Harness(a.harness, "--max-calls", "20000", "--rate", "0", "--log", "warn")
    try:
        rc, elapsed = run_sipp(a.sipp, "uac_call.xml", calls=calls, limit=20000, rate=rate, duration_ms=hold,
                               timeout_s=600, extra=["-timer_resol", "1"])
        h.send("stats")
        m = h.wait(r"^stats live=(\d+) max_live=(\d+) answered=(\d+)", 10)
        print("load: %d calls at %d cps held %d ms: sipp rc=%d, %.1f s, %.0f calls/s achieved, peak live %s, "
              "answered %s" % (calls, rate, hold, rc, elapsed, calls / elapsed, m.group(2), m.group(3)))
        check(rc == 0, "no failed call")
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


# RFC 4475 expectations: "ok" = a final answer that is not 400 (over TCP, where the answer comes back to us),
# a number = that status, "reject" = 400/505 or silence, "silence" = no answer (responses, which a UAS drops),
# "any" = whatever, as long as the server survives. Over TCP the top Via's transport is rewritten to TCP.
RFC4475 = {
    "TC_BADBRANCH_V": "200", "TC_LWSDISP_V": "200", "TC_TRANSPORTS_V": "200", "TC_SEMIURI_V": "ok",
    "TC_BADVERS_V": "505", "TC_ZEROMF_V": "any", "TC_BEXT01_V": "ok", "TC_NOVELSC_V": "ok", "TC_UNKSCM_V": "ok",
    "TC_BADDATE_V": "ok", "TC_ESC01_V": "ok", "TC_ESCRURI_V": "any", "TC_INVUT_V": "ok", "TC_LONGREQ_V": "ok",
    "TC_LWSSTART_V": "ok", "TC_SDP01_V": "ok", "TC_WSINV": "ok", "TC_INTMETH": "ok", "TC_ESC02_V": "ok",
    "TC_CPARAM01_V": "ok", "TC_CPARAM02_V": "ok", "TC_ESCNULL_V": "ok", "TC_REGAUT01_V": "ok",
    "TC_REGESCRT_V": "ok", "TC_SCALAR02_V": "any", "TC_UNKSM2_V": "ok", "TC_MISMATCH01_V": "any",
    "TC_MISMATCH02_V": "any", "TC_MPART01": "ok", "TC_DBLREQ": "any",
    "TC_BCAST_V": "silence", "TC_BIGCODE_V": "silence", "TC_NOREASON_V": "silence", "TC_SCALARLG_V": "silence",
    "TC_UNREASON_V": "silence",
    # Known deviations of sofia-sip 1.12 (reported in the issue): it tolerates trailing whitespace after the
    # version (trws) and spaces inside <> (badaspec) and answers those OPTIONS 200 — harmless for an OPTIONS, but
    # not the 400 RFC 4475 asks for; its parser drops the legal but bizarre intmeth message silently.
    "TC_TRWS_I": "lenient", "TC_BADASPEC_I": "lenient", "TC_INTMETH": "ok-or-silence",
}


def status_of(data):
    m = re.match(rb"SIP/2\.0 (\d{3})", data)
    return int(m.group(1)) if m else None


def options_alive(sock, n):
    msg = ("OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-alive%d\r\n"
           "From: <sip:probe@127.0.0.1>;tag=p%d\r\nTo: <sip:127.0.0.1:5060>\r\nCall-ID: alive-%d@probe\r\n"
           "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" %
           (sock.getsockname()[1], n, n, n)).encode()
    end = time.time() + 3
    sock.sendto(msg, ("127.0.0.1", 5060))
    while time.time() < end:
        try:
            data = sock.recv(65535)
        except socket.timeout:
            continue
        if ("alive-%d@probe" % n).encode() in data:
            return status_of(data) == 200
    return False


def send_udp(data):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.3)
    s.sendto(data, ("127.0.0.1", 5060))
    got = []
    end = time.time() + 1.0
    while time.time() < end:
        try:
            got.append(s.recv(65535))
        except socket.timeout:
            pass
    s.close()
    return got


def send_tcp(data):
    s = socket.create_connection(("127.0.0.1", 5060), timeout=2)
    s.settimeout(0.3)
    s.sendall(data)
    buf = b""
    end = time.time() + 1.5
    while time.time() < end:
        try:
            chunk = s.recv(65535)
        except socket.timeout:
            if buf:
                break
            continue
        if not chunk:
            break
        buf += chunk
    s.close()
    return [m for m in re.split(rb"(?=SIP/2\.0 \d{3} )", buf) if m]


def judge(name, expect, answers, strict):
    codes = [status_of(x) for x in answers]
    codes = [c for c in codes if c is not None]
    finals = [c for c in codes if c >= 200]
    if expect == "any":
        return True, codes
    if expect == "silence":
        return not codes, codes
    if expect == "lenient":  # 200 or a rejection, never anything else
        return all(c in (200, 400, 505) for c in finals), codes
    if expect == "ok-or-silence":
        return all(c != 400 for c in finals), codes
    if expect == "reject" or name.endswith("_I"):
        return all(c in (400, 505) for c in finals) and all(c == 100 for c in codes if c < 200), codes
    if not strict and not finals:
        return True, codes  # over UDP the answer went to the Via host (unreachable in the namespace)
    if expect == "ok":
        return bool(finals) and all(c != 400 for c in finals), codes
    return str(finals[0]) == expect if finals else False, codes


def case_rfc4475(a, transport):
    h = Harness(a.harness, "--log", "warn")
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    probe.settimeout(0.3)
    files = sorted(glob.glob(os.path.join(HERE, "data", "rfc4475", "*.dat")))
    failures = []
    try:
        check(len(files) == 50, "50 torture messages present")
        for n, path in enumerate(files):
            name = os.path.basename(path)[:-4]
            data = open(path, "rb").read()
            if transport == "tcp":
                # The vectors are written for UDP; over TCP the top Via must name TCP or the stack drops the
                # message (RFC 3261 18.2.1 sent-by check). Same length, nothing else changes.
                data = re.sub(rb"(\n(?:Via|v)[ \t]*:\s*SIP\s*/\s*2\.0\s*/\s*)(UDP|TLS)", rb"\1TCP", data, count=1,
                              flags=re.I)
            answers = send_udp(data) if transport == "udp" else send_tcp(data)
            expect = RFC4475.get(name, "reject" if name.endswith("_I") else "ok")
            good, codes = judge(name, expect, answers, strict=(transport == "tcp"))
            alive = options_alive(probe, n)
            print("%-18s expect=%-8s got=%-16s alive=%s%s" % (name, expect, codes, alive, "" if good else "  <-- FAIL"),
                  flush=True)
            if not good or not alive:
                failures.append(name)
            if h.proc.poll() is not None:
                raise Failure("server died after %s" % name)
        check(not failures, "every torture message handled as expected over %s (%s)" % (transport, failures))
    except Exception:
        h.dump()
        raise
    finally:
        check(h.stop() == 0, "harness stops cleanly")


CASES = {
    "call_caller_hangup": case_call_caller_hangup, "server_hangup": case_server_hangup, "cancel": case_cancel,
    "hold_resume": case_hold_resume, "info_dtmf": case_info_dtmf, "options": case_options,
    "no_codec_488": case_no_codec_488, "unknown_404": case_unknown_404, "max_calls_503": case_max_calls_503,
    "concurrent_200": case_concurrent_200, "dialout": case_dialout, "dialout_refused": case_dialout_refused,
    "flood": case_flood, "rfc4475_udp": lambda a: case_rfc4475(a, "udp"),
    "rfc4475_tcp": lambda a: case_rfc4475(a, "tcp"), "audio_two_calls": case_audio_two_calls,
    "load": case_load, "tls_options": case_tls_options,
    "baresip": case_baresip,
}


# ---------------------------------------------------------------------------------------------- netns wrapper
def remove_stale_namespaces():
    """Namespaces of earlier runs killed before their clean-up (their creator pid is gone)."""
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    for name in names:
        m = re.match(r"cpsip-(\d+)-[0-9a-f]{6}$", name)
        try:
            age = time.time() - os.stat("/run/netns/" + name).st_mtime
        except OSError:
            continue
        # Every case ends well within 10 minutes; an older namespace whose creator is gone was orphaned.
        if m and age > 600 and not os.path.exists("/proc/%s" % m.group(1)):
            for pid in subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split():
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", name])


def in_namespace(argv):
    if os.geteuid() != 0 or subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        print("skipped: needs root and `ip netns`")
        return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on ctest/timeout kills
    remove_stale_namespaces()
    name = "cpsip-%d-%06x" % (os.getpid(), random.randrange(1 << 24))
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        p = subprocess.run(["ip", "netns", "exec", name, sys.executable, os.path.abspath(__file__)] + argv +
                           ["--inside"])
        return p.returncode
    finally:
        pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", name])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--harness", required=True)
    ap.add_argument("--sipp", default="sipp")
    ap.add_argument("--inside", action="store_true")
    a = ap.parse_args()
    if not a.inside:
        return in_namespace(sys.argv[1:])
    try:
        CASES[a.case](a)
    except Failure as e:
        print("FAIL:", e, flush=True)
        return 1
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
