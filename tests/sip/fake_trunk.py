#!/usr/bin/env python3
"""A minimal SIP trunk stand-in on UDP for dial-out tests: answers every INVITE with 180 Ringing and never
answers it; CANCEL gets 200 and the INVITE 487; BYE gets 200; ACK is swallowed. Prints one line per request
received ("INVITE sip:0123456789@127.0.0.1:5080") and flushes, so the test can count what reached the trunk.
Usage: fake_trunk.py <port> <seconds>"""
import re
import socket
import sys
import time


def header(msg, name):
    m = re.search(r"^(?:%s):[ \t]*(.*?)\r?$" % name, msg, re.I | re.M)
    return m.group(1) if m else ""


def response(msg, code, reason, to_tag=None):
    to = header(msg, "To|t")
    if to_tag and "tag=" not in to:
        to += ";tag=" + to_tag
    vias = re.findall(r"^(?:Via|v):[ \t]*(.*?)\r?$", msg, re.I | re.M)
    lines = ["SIP/2.0 %d %s" % (code, reason)] + ["Via: " + v for v in vias] + [
        "From: " + header(msg, "From|f"), "To: " + to, "Call-ID: " + header(msg, "Call-ID|i"),
        "CSeq: " + header(msg, "CSeq"), "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.2)
    invites = {}
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode("utf-8", "replace")
        first = msg.split("\r\n", 1)[0]
        if first.startswith("SIP/2.0"):
            continue
        print(first, flush=True)
        method = first.split(" ", 1)[0]
        call_id = header(msg, "Call-ID|i")
        if method == "INVITE":
            invites[call_id] = msg
            s.sendto(response(msg, 180, "Ringing", "trunk1"), addr)
        elif method == "CANCEL":
            s.sendto(response(msg, 200, "OK"), addr)
            if call_id in invites:
                s.sendto(response(invites.pop(call_id), 487, "Request Terminated", "trunk1"), addr)
        elif method == "BYE":
            s.sendto(response(msg, 200, "OK"), addr)


if __name__ == "__main__":
    main()
