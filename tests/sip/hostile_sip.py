"""A deterministic generator of hostile SIP messages (PROTOS c07-sip style: one valid INVITE, one field mutated per
message) for sip_it.py's `hostile` cases. Standard library only; `generate(seed, count, transport, port)` returns
the same messages for the same arguments.

Each message is a `Msg`: its bytes, a name (category:detail), the transport it is meant for, and `expect`:
  "reject" — clearly invalid: any answer but 2xx (400, 4xx, 505, … or no answer at all);
  "any"    — odd but arguably valid: any answer but 500, or none.
500 is never acceptable and the process must survive all of them. Every message carries a token `hx<n>x` in its
Call-ID and Via branch, so answers are matched to it. Messages are addressed to the access number (`number`), so a
mutation that is accepted gets a real 200 and a call: the sender must ACK and BYE it (see ack_and_bye).

`python3 hostile_sip.py [seed] [count]` prints a summary of the categories (no network).
"""
import random
import re
import sys

FMT = ["%s%s%s%s%s%s%s%s", "%n%n%n%n%n%n", "%x%x%x%x%x%x%x%x%x", "%99999999s", "%.1024d%n", "%@%p%c%hn"]
INTS = ["-1", "0", "2147483647", "2147483648", "4294967295", "4294967296", "9223372036854775807",
        "18446744073709551616", "99999999999999999999999999999999", "-2147483649", "1e9", "0x10", "+5", "-0", "",
        " ", "07", "1.5", "1 1", "\t3"]
SIZES = [256, 1024, 4096, 16384, 65000]
VERSIONS = ["SIP/3.0", "SIP/2.00", "sip/2.0", "SIP/2", "HTTP/1.1", "SIP/2.0/", "SIP /2.0", "SIP/1.0",
            "SIP/" + "2" * 3000, "", "SIP/-2.0", "SIP/2.0 x"]
BAD_BYTES = [b"\x00", b"\xff", b"\r", b"\n", b"\x7f", b"\xc3\x28", b"\xe2\x82", b"\x1b[2J", b"\t", b"\x00" * 64,
             b"\r\r\r", b"\xfe\xff"]
# Mandatory (or nearly) headers of an INVITE, as the base message spells them.
MANDATORY = ["Via", "From", "To", "Call-ID", "CSeq", "Max-Forwards", "Contact", "Content-Type", "Content-Length"]
INT_HEADERS = ["CSeq", "Content-Length", "Max-Forwards", "Expires", "Session-Expires", "Min-SE", "RSeq",
               "Retry-After"]
METHODS = ["OPTIONS", "BYE", "CANCEL", "ACK", "INFO", "UPDATE", "PRACK", "REFER", "SUBSCRIBE", "NOTIFY", "MESSAGE",
           "REGISTER", "PUBLISH", "FOO", "invite", "INV ITE", "I" * 2000, "INVITE\x00", "%s%n"]


class Msg:
    __slots__ = ("n", "name", "data", "expect", "transport", "ack")

    def __init__(self, n, name, data, expect, transport, ack=True):
        self.n, self.name, self.data, self.expect, self.transport = n, name, data, expect, transport
        self.ack = ack  # dialog_invites: whether the sender ACKs (and later BYEs) a 2xx to it


class Req:
    """An INVITE as parts: request line (method, uri, version), headers [name, value], body."""

    def __init__(self, tok, port, number, transport, host="127.0.0.1"):
        self.method, self.uri, self.version = "INVITE", "sip:%s@%s:5060" % (number, host), "SIP/2.0"
        self.headers = [
            ["Via", "SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK-%s;rport" % (transport, port, tok)],
            ["Max-Forwards", "70"],
            ["From", "\"Hostile\" <sip:h-%s@127.0.0.1>;tag=f-%s" % (tok, tok)],  # the token shows in serve's log
            ["To", "<sip:%s@%s>" % (number, host)],
            ["Call-ID", "%s@127.0.0.1" % tok],
            ["CSeq", "1 INVITE"],
            ["Contact", "<sip:hostile@127.0.0.1:%d;transport=%s>" % (port, transport.lower())],
            ["Content-Type", "application/sdp"],
            ["Content-Length", None],  # None: the body's length
        ]
        self.sdp = sdp_lines(port + 1000)
        self.body = None  # bytes overriding the SDP

    def header(self, name):
        for h in self.headers:
            if h[0].lower() == name.lower():
                return h
        return None

    def set(self, name, value):
        h = self.header(name)
        if h:
            h[1] = value
        else:
            self.headers.insert(len(self.headers) - 1, [name, value])

    def drop(self, name):
        self.headers = [h for h in self.headers if h[0].lower() != name.lower()]

    def bytes(self, eol=b"\r\n"):
        body = self.body if self.body is not None else ("\r\n".join(self.sdp) + "\r\n").encode("latin-1")
        lines = [("%s %s %s" % (self.method, self.uri, self.version)).encode("latin-1")]
        for name, value in self.headers:
            if value is None:
                value = str(len(body))
            lines.append((name + ": ").encode("latin-1") + (value.encode("latin-1") if isinstance(value, str)
                                                             else value))
        return eol.join(lines) + eol + eol + body


def sdp_lines(rtp_port):
    return ["v=0", "o=hostile 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio %d RTP/AVP 0 8 101" % rtp_port, "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=ptime:20", "a=sendrecv"]


# ------------------------------------------------------------------------------------------------ mutators
# Each takes (rng, req, ctx) and returns (name, expect) after mutating req — or (name, expect, bytes) when it
# works on the serialized message.
def m_overflow(rng, r, ctx):
    size = rng.choice(SIZES if ctx["transport"] == "TCP" else SIZES[:4])
    fill = rng.choice(["A", "9", "%", ";", "<", "\"", ","])
    where = rng.choice(["uri-user", "uri-host", "uri-param", "method", "header", "header", "header", "new-header",
                        "display-name", "tag", "via-branch", "via-host", "sdp-line"])
    blob = fill * size
    if where == "uri-user":
        r.uri = "sip:%s@127.0.0.1:5060" % blob
    elif where == "uri-host":
        r.uri = "sip:3001@%s" % blob
    elif where == "uri-param":
        r.uri += ";x=" + blob
    elif where == "method":
        r.method = "A" * size
    elif where == "header":
        h = rng.choice(r.headers)
        h[1] = blob
        where = "header-" + h[0]
    elif where == "new-header":
        r.set("X-" + "H" * min(size, 4096), blob)
    elif where == "display-name":
        r.set("From", "\"%s\" <sip:hostile@127.0.0.1>;tag=f" % blob)
    elif where == "tag":
        r.set("To", r.header("To")[1] + ";tag=" + blob)
    elif where == "via-branch":
        r.headers[0][1] += ";x" + blob
    elif where == "via-host":
        r.headers[0][1] = "SIP/2.0/%s %s;branch=z9hG4bK-%s" % (ctx["transport"], blob, ctx["tok"])
    else:
        r.sdp.insert(rng.randrange(1, len(r.sdp)), "a=" + blob)
    # Clearly invalid only where the grammar forbids the filler (a 256-byte header value is legal).
    return "overflow:%s:%d:%s" % (where, size, fill), "any"


def m_format(rng, r, ctx):
    fmt = rng.choice(FMT)
    where = rng.choice(["uri-user", "header", "display-name", "method", "sdp-session", "via-param"])
    if where == "uri-user":
        r.uri = "sip:%s@127.0.0.1:5060" % fmt
    elif where == "header":
        h = rng.choice(r.headers)
        h[1] = fmt
        where = "header-" + h[0]
    elif where == "display-name":
        r.set("From", "\"%s\" <sip:hostile@127.0.0.1>;tag=f" % fmt)
    elif where == "method":
        r.method = fmt
    elif where == "sdp-session":
        r.sdp[2] = "s=" + fmt
    else:
        r.headers[0][1] += ";" + fmt
    return "format:%s:%s" % (where, fmt), "any"


def m_integer(rng, r, ctx):
    name, value = rng.choice(INT_HEADERS), rng.choice(INTS)
    if name == "CSeq":
        r.set("CSeq", "%s INVITE" % value)
        v = value.lstrip(" \t")  # leading whitespace is LWS after the colon: fine
        ok = v.isdigit() and int(v) < 2 ** 31  # RFC 3261 8.1.1.5
        return "int:CSeq:%r" % value, "any" if ok else "reject"
    if name == "Content-Length":
        r.set("Content-Length", value)
        return "int:Content-Length:%r" % value, "any"  # UDP: too large is 400 or a drop, smaller truncates
    r.set(name, value)
    return "int:%s:%r" % (name, value), "any"


def m_missing(rng, r, ctx):
    name = rng.choice(MANDATORY)
    r.drop(name)
    # Via/From/To/Call-ID/CSeq are required of every request (RFC 3261 8.1.1); without Via nothing can answer.
    return "missing:%s" % name, "reject" if name in ("From", "To", "Call-ID", "CSeq", "Via") else "any"


def m_duplicate(rng, r, ctx):
    name = rng.choice(["From", "To", "Call-ID", "CSeq", "Content-Length", "Max-Forwards", "Contact", "Via",
                       "Content-Type"])
    h = r.header(name)
    other = {"From": "<sip:other@127.0.0.1>;tag=zz", "To": "<sip:3000@127.0.0.1>", "Call-ID": "other@x",
             "CSeq": "7 INVITE", "Content-Length": "3", "Max-Forwards": "1", "Contact": "<sip:x@127.0.0.9>",
             "Via": "SIP/2.0/UDP 127.0.0.9:5099;branch=z9hG4bK-dup", "Content-Type": "text/plain"}[name]
    r.headers.insert(r.headers.index(h) + 1, [name, other])
    singles = ("From", "To", "Call-ID", "CSeq", "Content-Length", "Max-Forwards")
    return "duplicate:%s" % name, "reject" if name in singles else "any"


def m_version(rng, r, ctx):
    v = rng.choice(VERSIONS)
    r.version = v
    # RFC 3261 7.1: the SIP-Version string is case-insensitive, so "sip/2.0" is valid.
    return "version:%r" % v[:20], "any" if v.upper() == "SIP/2.0" else "reject"


def m_method(rng, r, ctx):
    m = rng.choice(METHODS)
    r.method = m
    r.set("CSeq", "1 " + m)
    return "method:%r" % m[:20], "any"


def m_uri(rng, r, ctx):
    u = rng.choice(["sip:3001@127.0.0.1:0", "sip:3001@127.0.0.1:65536", "sip:3001@127.0.0.1:99999999999",
                    "sip:3001@[::1", "sip:3001@[::1]:5060", "sips:3001@127.0.0.1", "tel:3001", "http://x/",
                    "sip:%00@127.0.0.1", "sip:3001%41@127.0.0.1", "sip:@127.0.0.1", "sip:3001@", "sip:",
                    "<sip:3001@127.0.0.1>", "sip:3001@127.0.0.1;transport=sctp", "sip:3001@host.invalid",
                    "sip:3001@256.256.256.256", "sip:3001:pass@127.0.0.1", "sip:3001@127.0.0.1?Call-ID=x",
                    "x" * 10, "sip:3001@127.0.0.1;maddr=10.9.9.9;ttl=300", "sip:3001@-"])
    r.uri = u
    return "uri:%r" % u, "any"


def m_many_headers(rng, r, ctx):
    kind = rng.choice(["x-headers", "via-lines", "via-commas", "record-route", "contacts"])
    count = rng.choice([100, 500, 2000] if ctx["transport"] == "UDP" else [100, 500, 2000, 5000])
    if kind == "x-headers":
        for i in range(count):
            r.headers.insert(1, ["X-H%d" % i, "v"])
    elif kind == "via-lines":
        for i in range(count):
            r.headers.insert(1, ["Via", "SIP/2.0/UDP 127.0.0.%d:%d;branch=z9hG4bK-%d" % (i % 250 + 2, 5000 + i, i)])
    elif kind == "via-commas":
        r.headers[0][1] += "".join(",SIP/2.0/UDP 127.0.0.9:%d;branch=z9hG4bK-%d" % (5000 + i, i)
                                   for i in range(count))
    elif kind == "record-route":
        r.set("Record-Route", ",".join("<sip:127.0.0.9:%d;lr>" % (5000 + i) for i in range(count)))
    else:
        r.set("Contact", ",".join("<sip:c%d@127.0.0.9>" % i for i in range(count)))
    excess = len(r.bytes()) - 65000
    if excess > 0 and ctx["transport"] == "UDP" and kind in ("x-headers", "via-lines"):
        del r.headers[1:1 + excess // len(r.headers[1][1]) + 2]  # fit one datagram
    return "many:%s:%d" % (kind, count), "any"


def m_sdp(rng, r, ctx):
    kind = rng.choice(["drop-line", "port", "many-m", "many-codecs", "bad-c", "ptime", "rtpmap", "garbage",
                       "empty", "no-m", "fmtp", "bandwidth", "crypto", "direction", "dup-line"])
    s = r.sdp
    if kind == "drop-line":
        i = rng.randrange(len(s))
        kind += ":" + s.pop(i)[:2]
    elif kind == "port":
        p = rng.choice(["0", "65536", "65535", "99999999999", "-1", "1/2", "5000/99999", "x", ""])
        s[5] = "m=audio %s RTP/AVP 0 8 101" % p
        kind += ":" + p
    elif kind == "many-m":
        n = rng.choice([50, 500, 3000])
        s.extend("m=audio %d RTP/AVP 0" % (30000 + 2 * i) for i in range(n))
        kind += ":%d" % n
    elif kind == "many-codecs":
        n = rng.choice([128, 1000, 5000])
        s[5] = "m=audio 40000 RTP/AVP " + " ".join(str(i % 300) for i in range(n))
        s.extend("a=rtpmap:%d X%d/8000" % (i % 128, i) for i in range(min(n, 2000)))
        kind += ":%d" % n
    elif kind == "bad-c":
        c = rng.choice(["c=IN IP4 999.1.1.1", "c=IN IP6 ::1", "c=IN IP4 host.invalid", "c=IN IP4", "c=",
                        "c=IN IP4 0.0.0.0", "c=IN IP4 224.0.0.1/255", "c=XX YY ZZ", "c=IN IP4 255.255.255.255"])
        s[3] = c
        kind += ":" + c
    elif kind == "ptime":
        v = rng.choice(["0", "-1", "99999999999", "x", "", "1", "1000"])
        s[10] = "a=ptime:" + v
        kind += ":" + v
    elif kind == "rtpmap":
        v = rng.choice(["a=rtpmap:0 PCMU/0", "a=rtpmap:0 PCMU/4294967296", "a=rtpmap:999 PCMU/8000",
                        "a=rtpmap:0", "a=rtpmap:0 /8000", "a=rtpmap:-1 PCMU/8000", "a=rtpmap:0 PCMU/8000/99999"])
        s[6] = v
        kind += ":" + v
    elif kind == "garbage":
        r.body = bytes(rng.randrange(256) for _ in range(rng.choice([1, 100, 3000])))
    elif kind == "empty":
        r.body = b""
    elif kind == "no-m":
        r.sdp = [x for x in s if not x.startswith(("m=", "a="))]
    elif kind == "fmtp":
        s[9] = "a=fmtp:101 " + rng.choice(["0-99999999999", "-", "15-0", "0-15," * 2000, ""])
    elif kind == "bandwidth":
        s.insert(4, "b=AS:" + rng.choice(INTS))
    elif kind == "crypto":
        s.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + rng.choice(["", "!!!!", "A" * 5000, "%s%n"]))
    elif kind == "direction":
        s[11] = rng.choice(["a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv", "a=foo"])
        s.append(rng.choice(["a=sendonly", "a=inactive"]))
    else:
        s.extend(s[:6])
    return "sdp:%s" % kind[:40], "any"


def m_content_length(rng, r, ctx):
    body_len = len(r.bytes().split(b"\r\n\r\n", 1)[1])
    delta = rng.choice([-body_len, -50, -1, 1, 50, 100000, 2 ** 31])
    r.set("Content-Length", str(body_len + delta))
    # UDP: a declared length beyond the datagram is an error (RFC 3261 18.3); shorter truncates the body.
    return "content-length:%+d" % delta, "reject" if delta > 0 and ctx["transport"] == "UDP" else "any"


def m_bytes(rng, r, ctx):
    data = bytearray(r.bytes())
    kind = rng.choice(["insert", "insert", "flip", "cr-only", "lf-only", "truncate", "nul-header"])
    if kind == "insert":
        b = rng.choice(BAD_BYTES)
        pos = rng.randrange(len(data))
        data[pos:pos] = b
        kind += ":%d:%r" % (pos, b[:4])
    elif kind == "flip":
        for _ in range(rng.choice([1, 3, 10])):
            pos = rng.randrange(len(data))
            data[pos] ^= 1 << rng.randrange(8)
    elif kind == "cr-only":
        data = bytearray(bytes(data).replace(b"\r\n", b"\r"))
    elif kind == "lf-only":
        data = bytearray(bytes(data).replace(b"\r\n", b"\n"))
    elif kind == "truncate":
        data = data[:rng.randrange(1, len(data))]
    else:
        data = bytearray(bytes(data).replace(b"Call-ID: ", b"Call-ID: \x00", 1))
    return "bytes:%s" % kind, "any", bytes(data)


def m_response(rng, r, ctx):
    """A response sent to the server (no transaction of its own): dropped."""
    code = rng.choice(["200", "180", "487", "999", "099", "2000", "", "%s"])
    data = r.bytes().replace(("INVITE %s SIP/2.0" % r.uri).encode(), ("SIP/2.0 %s OK" % code).encode(), 1)
    return "response:%s" % code, "any", data


def m_in_dialog(rng, r, ctx):
    """In-dialog requests for dialogs that do not exist (a to-tag nobody gave): 481, never a crash."""
    m = rng.choice(["BYE", "INFO", "UPDATE", "INVITE", "PRACK", "ACK", "CANCEL", "NOTIFY", "REFER"])
    r.method = m
    r.set("CSeq", "%d %s" % (rng.choice([1, 2, 2 ** 31 - 1]), m))
    r.set("To", r.header("To")[1] + ";tag=nonexistent-%d" % rng.randrange(1000))
    if m == "INFO":
        r.set("Content-Type", "application/dtmf-relay")
        r.body = rng.choice([b"Signal=5\r\nDuration=160\r\n", b"Signal=\r\n", b"Signal=" + b"9" * 5000,
                             b"\x00\x00"])
    return "in-dialog:%s" % m, "any"


MUTATORS = [(m_overflow, 14), (m_format, 6), (m_integer, 12), (m_missing, 6), (m_duplicate, 6), (m_version, 4),
            (m_method, 5), (m_uri, 6), (m_many_headers, 4), (m_sdp, 16), (m_content_length, 6), (m_bytes, 12),
            (m_response, 2), (m_in_dialog, 5)]


def generate(seed, count, transport="UDP", port=5999, number="3001", start=0):
    """`count` hostile messages for `transport` ("UDP" or "TCP"); their tokens are hx<start..start+count-1>x."""
    rng = random.Random("%s-%s" % (seed, transport))
    funcs = [f for f, w in MUTATORS for _ in range(w)]
    out = []
    for i in range(count):
        n = start + i
        tok = "hx%dx" % n
        r = Req(tok, port, number, transport)
        ctx = {"transport": transport, "tok": tok}
        res = rng.choice(funcs)(rng, r, ctx)
        data = res[2] if len(res) == 3 else r.bytes()
        if transport == "UDP" and len(data) > 65000:
            data = data[:65000]  # the largest datagram; the declared Content-Length then exceeds it
        out.append(Msg(n, res[0], data, res[1], transport))
    return out


# ------------------------------------------------------------------------------------------------ dialogs
# INVITEs that would set up a dialog whose far end cannot be reached or addressed: the server must never answer one
# 2xx with a remote target or route set it cannot send in-dialog requests to (RFC 3261 12.1.1), and a dialog that
# is set up must end (BYE, session timer, missing ACK) without the stack piling requests on it. No valid host names
# (only addresses and garbage): the test's namespace has no DNS, and sofia-sip 1.12's resolver spins on the SIP
# thread when its server is unreachable — a separate problem (see tests/sip/README.md).
BAD_CONTACTS = ["<sip:@>", "<sip:a@[::1>", "<tel:>", "<tel:+33123456789>", "<sip:a@b:99999>", "<sip:a@127.0.0.1:0>",
                "<http://x/>", "<mailto:a@b>", "<sip:>", "<urn:service:sos>", "<sip:a@%00>", "<sip:a@-->",
                "<sip:a@127.0.0.1;transport=sctp>", "<sip:a@127.0.0.1;maddr=>", "<>", "<sip:a@256.256.256.256>",
                "*", "<sip:a@127.0.0.1:65536>", "<im:a@127.0.0.1>", "<sip:a@127.0.0.1:5999>,<tel:1>",
                "<sip:a@[::1]:99999>", "<sip:a@1.2.3.4.5>", "<sip:a@-x.>"]
BAD_ROUTES = ["<tel:;lr>", "<sip:@;lr>", "<http://x;lr>", "<sip:[::1;lr>", "<sip:a@b:99999;lr>", "<;lr>", "<>",
              "garbage", "<sip:127.0.0.1:5999;lr>,<tel:1;lr>", "<mailto:x@y;lr>", "<sip:%00;lr>",
              "<sip:127.0.0.1:70000;lr>", "<urn:x;lr>", "<sip:a@127.0.0.1:5999;transport=sctp>"]
BAD_VIAS = ["SIP/2.0/UDP %%%%;branch=z9hG4bK-{tok}", "SIP/2.0/UDP 127.0.0.1:99999;branch=z9hG4bK-{tok}",
            "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-{tok}", "SIP/2.0/UDP [::1;branch=z9hG4bK-{tok}",
            "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-{tok};received=%%", "SIP/2.0/UDP 127.0.0.1:5999",
            "SIP/2.0/UDP 127.0.0.1:5999;branch={tok};maddr=999.1.1.1"]
TIMERS = [None, "90", "90;refresher=uac", "90;refresher=uas", "90;refresher=uac", "1800;refresher=uac", "45",
          "4294967296;refresher=uas"]


def dialog_invites(seed, count, transport="UDP", port=5999, number="3001", start=0):
    """`count` INVITEs, each with its dialog-forming fields damaged (Contact, Record-Route, Via, To-tag, CSeq) or
    intact, with a short session timer (Session-Expires 90, refresher either side) so the server refreshes or
    expires the sessions that get set up. `Msg.ack` says whether the sender ACKs a 2xx (the others are left
    half-open: the 200 is never acknowledged). expect "reject": a 2xx to it is a dialog the server cannot use."""
    rng = random.Random("%s-dialog-%s" % (seed, transport))
    out = []
    for i in range(count):
        n = start + i
        tok = "hx%dx" % n
        r = Req(tok, port, number, transport)
        kind = rng.choice(["contact", "contact", "contact", "route", "route", "via", "to-tag", "cseq", "intact"])
        expect = "any"
        if kind == "contact":
            c = rng.choice(BAD_CONTACTS)
            r.set("Contact", c)
            name, expect = "contact:" + c, "reject"
        elif kind == "route":
            rr = rng.choice(BAD_ROUTES)
            r.set("Record-Route", rr)
            name, expect = "record-route:" + rr, "reject"
        elif kind == "via":
            v = rng.choice(BAD_VIAS).format(tok=tok)
            r.headers[0][1] = v
            name = "via:" + v
        elif kind == "to-tag":
            r.set("To", r.header("To")[1] + ";tag=t-%d" % rng.randrange(100))
            name = "to-tag"
        elif kind == "cseq":
            v = rng.choice(["2147483647", "2147483646", "0", "4294967295", "99999999999"])
            r.set("CSeq", v + " INVITE")
            name, expect = "cseq:" + v, "any" if int(v) < 2 ** 31 else "reject"
        else:
            name = "intact"
        timer = rng.choice(TIMERS)
        if timer:
            r.set("Supported", "timer")
            r.set("Session-Expires", timer)
            if rng.random() < 0.5:
                r.set("Min-SE", "90")
        name += " se=" + (timer or "-")
        out.append(Msg(n, name, r.bytes(), expect, transport, ack=rng.random() < 0.5))
    return out


# ------------------------------------------------------------------------------------------------ answers
STATUS = re.compile(rb"^SIP/2\.0 (\d{3})")
TOKEN = re.compile(rb"hx(\d+)x")


def hdr(data, names):
    m = re.search(rb"^(?:%s)[ \t]*:[ \t]*(.*?)\r?$" % names, data, re.I | re.M)
    return m.group(1) if m else None


def ack_and_bye(resp, transport, port):
    """ACK and BYE for a 2xx to one of our INVITEs (built from the answer alone); None when it cannot be parsed."""
    call_id, frm, to, cseq = (hdr(resp, rb"Call-ID|i"), hdr(resp, rb"From|f"), hdr(resp, rb"To|t"),
                              hdr(resp, rb"CSeq"))
    contact = hdr(resp, rb"Contact|m")
    if not (call_id and frm and to and cseq and contact):
        return None
    m = re.search(rb"<([^>]+)>", contact)
    target = m.group(1) if m else contact.split(b";")[0]
    num = re.match(rb"\s*(\d+)", cseq)
    if not num or not re.search(rb"INVITE", cseq):
        return None
    n = int(num.group(1))
    out = []
    for method, seq, branch in ((b"ACK", n, b"a"), (b"BYE", n + 1, b"b")):
        out.append(b"\r\n".join([
            method + b" " + target + b" SIP/2.0",
            b"Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK-%s%d%s;rport" % (
                transport.encode(), port, branch, seq, re.sub(rb"[^A-Za-z0-9]", b"", call_id)[:40]),
            b"Max-Forwards: 70", b"From: " + frm, b"To: " + to, b"Call-ID: " + call_id,
            b"CSeq: %d " % seq + method, b"Content-Length: 0", b"", b""]))
    return out


if __name__ == "__main__":
    seed = sys.argv[1] if len(sys.argv) > 1 else "4475"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    cats = {}
    for t in ("UDP", "TCP"):
        for msg in generate(seed, count, t):
            key = (t, msg.name.split(":")[0], msg.expect)
            cats[key] = cats.get(key, 0) + 1
    for k in sorted(cats):
        print("%-4s %-16s %-7s %5d" % (k + (cats[k],)))
