"""A scripted SIP/RTP phone for the audio tests: INVITE over UDP with a PCMU offer, then sends 20 ms PCMU frames
(a sine tone or silence) and measures the level of what it receives. Standard library only."""
import math
import re
import socket
import struct
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # G.711 µ-law in C; present up to Python 3.12


def host(addr):
    """An address as it appears in a SIP URI or Via: IPv6 in brackets."""
    return "[%s]" % addr if ":" in addr else addr


def header(msg, name):
    m = re.search(r"^(?:%s):[ \t]*(.*?)\r?$" % name, msg, re.I | re.M)
    return m.group(1) if m else ""


class Phone:
    def __init__(self, name, ip="127.0.0.1", server=("127.0.0.1", 5060), contact_ip=None):
        """contact_ip: the address put in Contact (a phone behind NAT shows its private one) [ip]. An IPv6 `ip`
        (e.g. "::1") makes an IPv6 phone: SIP and RTP over IPv6, SDP with IN IP6."""
        self.name, self.ip, self.server = name, ip, server
        self.contact_ip = contact_ip or ip
        self.family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        self.sip = socket.socket(self.family, socket.SOCK_DGRAM)
        self.sip.bind((ip, 0))
        self.sip.settimeout(0.2)
        self.rtp = socket.socket(self.family, socket.SOCK_DGRAM)
        self.rtp.bind((ip, 0))
        self.rtp.settimeout(0.1)
        self.tone_hz = 0
        self.levels = []  # (time, rms) of each received frame
        self.running = False
        self.remote_rtp = None
        self.cseq = 1

    def _request(self, method, number, body="", to_tag="", content_type="application/sdp"):
        sip_port, rtp_port = self.sip.getsockname()[1], self.rtp.getsockname()[1]
        self.branch = "z9hG4bK-%s-%d-%d" % (self.name, self.cseq, int(time.time() * 1000))
        lines = ["%s sip:%s@%s:%d SIP/2.0" % (method, number, host(self.server[0]), self.server[1]),
                 "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (host(self.ip), sip_port, self.branch),
                 "From: \"%s\" <sip:%s@%s>;tag=%s" % (self.name, self.name, host(self.ip), self.name),
                 "To: <sip:%s@%s>%s" % (number, host(self.server[0]), ";tag=" + to_tag if to_tag else ""),
                 "Call-ID: %s-%d@%s" % (self.name, rtp_port, host(self.ip)),
                 "CSeq: %d %s" % (self.cseq if method != "ACK" else self.cseq, method),
                 "Contact: <sip:%s@%s:%d>" % (self.name, host(self.contact_ip), sip_port), "Max-Forwards: 70"]
        if body:
            lines.append("Content-Type: " + content_type)
        lines += ["Content-Length: %d" % len(body), "", body]
        self.sip.sendto("\r\n".join(lines).encode(), self.server)

    def _messages(self, timeout):
        """SIP messages received within `timeout` seconds."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                yield self.sip.recv(65535).decode("utf-8", "replace")
            except socket.timeout:
                continue

    def _wait_final(self, timeout=5):
        for data in self._messages(timeout):
            m = re.match(r"SIP/2\.0 (\d{3})", data)
            if m and int(m.group(1)) >= 200:
                return int(m.group(1)), data
        raise RuntimeError("%s: no final response" % self.name)

    def call(self, number, late_offer=False):
        """INVITE with a PCMU offer — or, with late_offer, without SDP: the 200 then carries the server's offer
        and the ACK our answer."""
        rtp_port = self.rtp.getsockname()[1]
        ip_type = "IP6" if self.family == socket.AF_INET6 else "IP4"
        sdp = ("v=0\r\no=%s 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %d RTP/AVP 0 101\r\n"
               "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n" %
               (self.name, ip_type, self.ip, ip_type, self.ip, rtp_port))
        self.number = number
        self._request("INVITE", number, "" if late_offer else sdp)
        status, resp = self._wait_final()
        if status != 200:
            raise RuntimeError("%s: INVITE got %d" % (self.name, status))
        self.to_tag = re.search(r"tag=([^;>\s]+)", header(resp, "To|t")).group(1)
        body = resp.split("\r\n\r\n", 1)[1]
        self.answer_sdp = body
        ip = re.search(r"c=IN IP[46] (\S+)", body).group(1)
        port = int(re.search(r"m=audio (\d+)", body).group(1))
        self.remote_rtp = (ip, port)
        self._request("ACK", number, sdp if late_offer else "", to_tag=self.to_tag)
        self.running = True
        self.threads = [threading.Thread(target=self._send, daemon=True),
                        threading.Thread(target=self._recv, daemon=True)]
        for t in self.threads:
            t.start()

    def hangup(self):
        self.running = False
        for t in self.threads:
            t.join(2)
        self.cseq += 1
        self._request("BYE", self.number, to_tag=self.to_tag)
        status, _ = self._wait_final()
        return status

    def info(self, digits, gap=0.15):
        """Sends each digit as its own SIP INFO (application/dtmf-relay); returns the final statuses."""
        statuses = []
        for d in digits:
            self.cseq += 1
            self._request("INFO", self.number, "Signal=%s\r\nDuration=160\r\n" % d, to_tag=self.to_tag,
                          content_type="application/dtmf-relay")
            statuses.append(self._wait_final()[0])
            time.sleep(gap)
        return statuses

    def wait_bye(self, timeout):
        """True when the server's BYE arrives within `timeout` s (answered 200; RTP stops)."""
        for data in self._messages(timeout):
            if data.startswith("BYE "):
                vias = re.findall(r"^(?:Via|v):[ \t]*(.*?)\r?$", data, re.I | re.M)
                resp = ["SIP/2.0 200 OK"] + ["Via: " + v for v in vias] + [
                    "From: " + header(data, "From|f"), "To: " + header(data, "To|t"),
                    "Call-ID: " + header(data, "Call-ID|i"), "CSeq: " + header(data, "CSeq"), "Content-Length: 0",
                    "", ""]
                self.sip.sendto("\r\n".join(resp).encode(), self.server)
                self.running = False
                return True
        return False

    def sound_frames(self, t0, t1, rms=500):
        """Frames received between t0 and t1 louder than `rms` (speech or tone, not silence)."""
        return sum(1 for t, r in self.levels if t0 <= t <= t1 and r > rms)

    def _send(self):
        seq, ts, ssrc, phase = 0, 0, 0x1234 + hash(self.name) % 1000, 0.0
        start = time.time()
        n = 0
        while self.running:
            samples = []
            for _ in range(160):
                v = int(8000 * math.sin(phase)) if self.tone_hz else 0
                phase += 2 * math.pi * (self.tone_hz or 0) / 8000
                samples.append(v)
            payload = audioop.lin2ulaw(struct.pack("<160h", *samples), 2)
            packet = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload
            self.rtp.sendto(packet, self.remote_rtp)
            seq, ts, n = seq + 1, ts + 160, n + 1
            delay = start + n * 0.02 - time.time()
            if delay > 0:
                time.sleep(delay)

    def _recv(self):
        while self.running:
            try:
                data = self.rtp.recv(2048)
            except socket.timeout:
                continue
            if len(data) < 12 or data[1] & 0x7F != 0:
                continue
            pcm = audioop.ulaw2lin(data[12:], 2)
            self.levels.append((time.time(), audioop.rms(pcm, 2)))

    def level_between(self, t0, t1):
        vals = [r for t, r in self.levels if t0 <= t <= t1]
        return (sum(vals) / len(vals) if vals else -1), len(vals)
