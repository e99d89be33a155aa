"""E-mail notifications end to end (issue 15 items 1-2): `confpro serve` with [notify.smtp] pointing at a real
SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS required, AUTH required, its certificate checked against ca_file).
Bookings made by the CLI and the web API reach their creator (both PINs) and invitees (their PIN, never the
moderator PIN) with an iMIP invitation; an update re-sends the same UID with SEQUENCE+1, a deletion a CANCEL; the
mail server down only delays delivery; kill -9 in the middle of a batch loses nothing and re-sends only with the
same Message-ID. Also measures booking saved (web answer) → mail accepted, p50/p99 over 50 bookings.

Usage: smtp_it.py CONFPRO [PROMPT_CACHE]  (run by ctest under tests/web/loopback_only.sh)"""
import email
import email.policy
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import it_support
from it_support import free_port, wait_for

import logging
import warnings

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    import icalendar
except ImportError as e:  # scripts/bootstrap test installs them
    print("skipped: %s (apt-get install python3-aiosmtpd python3-icalendar)" % e)
    sys.exit(77)

# smtps:// gives the session TLS from the first byte, which aiosmtpd 1.4 does not count for auth_require_tls.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").setLevel(logging.ERROR)

PASSWORD = "secret-password-1"
SMTP_USER, SMTP_PASSWORD = "confpro", "mail-pass-9"
MOD_PIN, USER_PIN = "647185", "583920"



class Sink:
    """The mail server: every accepted message, parsed, with the time it was accepted."""

    def __init__(self, port, cert, key, implicit_tls=False):
        self.port, self.cert, self.key, self.implicit_tls = port, cert, key, implicit_tls
        self.messages = []  # (accepted_at, envelope recipients, email.message.EmailMessage)
        self.lock = threading.Lock()
        self.delay = 0.0
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        msg.raw_bytes = envelope.original_content
        with self.lock:
            self.messages.append((time.time(), list(envelope.rcpt_tos), msg))
        return "250 OK queued"

    def start(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)

        def auth(server, session, envelope, mechanism, data):
            ok = data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

        if self.implicit_tls:  # smtps://: TLS from the first byte
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, ssl_context=ctx,
                                         authenticator=auth, auth_required=True, auth_require_tls=False)
        else:
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port, tls_context=ctx,
                                         require_starttls=True, authenticator=auth, auth_required=True,
                                         auth_require_tls=True)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def received(self):
        with self.lock:
            return list(self.messages)

    def to(self, address, subject_part=""):
        return [m for _, rcpt, m in self.received() if address in rcpt and subject_part in m["Subject"]]


def parts(msg):
    """text, html, the text/calendar part's (content type, text), and the .ics attachment's text."""
    text = html = ics = None
    cal = (None, None)
    for p in msg.walk():
        ct = p.get_content_type()
        if p.get_filename() == "invite.ics":
            ics = p.get_payload(decode=True).decode()
        elif ct == "text/plain":
            text = p.get_content()
        elif ct == "text/html":
            html = p.get_content()
        elif ct == "text/calendar":
            cal = (p.get_param("method"), p.get_payload(decode=True).decode())
    return text, html, cal, ics


def event(ics_text):
    cal = icalendar.Calendar.from_ical(ics_text)
    ev = [c for c in cal.walk() if c.name == "VEVENT"][0]
    return cal, ev


class Server(it_support.Server):
    def __init__(self, binary, root, smtp_port, ca_file, cache):
        super().__init__(binary, root, CONFIG, node="notify-it", cache=cache, smtp_port=smtp_port, ca_file=ca_file,
                         user=SMTP_USER, password=SMTP_PASSWORD)

    def due(self, row_id):
        at = self.query("SELECT next_attempt_at FROM outbox WHERE id = ?", row_id)[0][0]
        return at <= time.time() * 1000

    def outbox(self):
        return self.query("SELECT id, booking_id, recipient, status, attempts, last_error FROM outbox")


class Web(it_support.Web):
    def __init__(self, base, user="alice"):
        super().__init__(base, user, PASSWORD)

    def book(self, name, invitees=(), language="en"):
        status, body = self.request("POST", "/api/v1/bookings", {
            "name": name, "valid_from": "2030-03-01 09:00", "duration_minutes": 60, "validity_days": 3,
            "max_participants": 8, "language": language, "join_policy": "pin",
            "invitees": [{"email": e, "phone": "", "personal_pin": ""} for e in invitees]})
        assert status == 201, (status, body)
        return body


def check_mail(msg, booking, method, sequence, uid=None, to_creator=False, language="fr"):
    """One delivered message: headers, MIME layout, the calendar; the PINs it may and may not show.
    Returns the calendar UID."""
    assert msg["Date"] and msg["Message-ID"], "Date and Message-ID headers"
    text, html, (cal_method, cal_text), ics = parts(msg)
    assert msg.get_content_type() == "multipart/mixed", msg.get_content_type()
    assert text and html and cal_text and ics == cal_text, "text, HTML, text/calendar and invite.ics"
    assert cal_method == method, cal_method  # the MIME method= equals the body's METHOD (Outlook)
    cal, ev = event(ics)
    assert str(cal["METHOD"]) == method, cal["METHOD"]
    assert int(ev["SEQUENCE"]) == sequence, (ev["SEQUENCE"], sequence)
    assert ev.decoded("DTSTART").tzinfo is not None and ev["DTSTART"].to_ical().endswith(b"Z"), "UTC start"
    assert "tel:" in str(ev["LOCATION"]), ev["LOCATION"]
    if uid is not None:
        assert str(ev["UID"]) == uid, (str(ev["UID"]), uid)
    description = str(ev.get("DESCRIPTION", ""))
    if method == "REQUEST":
        assert USER_PIN in text and USER_PIN in description
        has_mod = MOD_PIN in text or MOD_PIN in html or MOD_PIN in description or MOD_PIN in ics
        assert has_mod == to_creator, ("moderator PIN present" if has_mod else "moderator PIN missing", msg["To"])
        assert ("Code modérateur" in text) == (to_creator and language == "fr")
    return str(ev["UID"])


def make_cert(root, name):
    cert, key = os.path.join(root, name + "-cert.pem"), os.path.join(root, name + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    binary = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="confpro-notify-")
    started = time.time()
    cert, key = make_cert(root, "server")
    sink = Sink(free_port(), cert, key)
    sink.start()
    cache = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "prompt-cache")
    os.makedirs(cache, exist_ok=True)
    server = Server(binary, root, sink.port, cert, cache)
    server.cli("user", "add", "alice", "--password", PASSWORD, "--email", "alice@example.com")
    ok = False
    try:
        server.start()

        # 1. CLI, French, one invitee: the creator gets both PINs, the invitee only hers; same UID.
        out = server.cli("booking", "create", "--name", "Réunion budgétaire", "--owner", "alice", "--duration",
                         "60", "--validity-days", "1", "--start", "2030-03-01 09:00", "--user-pin", USER_PIN,
                         "--moderator-pin", MOD_PIN, "--language", "fr", "--invitee", "carol@example.com", "--json")
        cli_booking = json.loads(out.stdout)
        owner = wait_for("creator mail (CLI)", lambda: sink.to("alice@example.com", "Réunion"))[0]
        invitee = wait_for("invitee mail (CLI)", lambda: sink.to("carol@example.com", "Réunion"))[0]
        assert "Votre conférence" in owner["Subject"] and "Invitation" in invitee["Subject"], owner["Subject"]
        raw_subject = owner.raw_bytes.split(b"\r\n\r\n")[0]
        assert b"=?UTF-8?B?" in raw_subject, "RFC 2047 subject"
        uid = check_mail(owner, cli_booking, "REQUEST", 0, to_creator=True)
        assert check_mail(invitee, cli_booking, "REQUEST", 0, uid=uid) == uid
        _, ev = event(parts(invitee)[3])
        attendees = ev.get("ATTENDEE")
        attendees = [str(a) for a in (attendees if isinstance(attendees, list) else [attendees])]
        assert "mailto:carol@example.com" in attendees, attendees
        assert str(ev["ORGANIZER"]) == "mailto:alice@example.com", ev["ORGANIZER"]
        assert ev.decoded("DTSTART").strftime("%Y%m%dT%H%M") == "20300301T0800", ev["DTSTART"]  # 09:00 Paris
        assert owner["Message-ID"] != invitee["Message-ID"]
        print("CLI booking: creator and invitee mails OK (uid %s)" % uid)

        # 2. Update → same UID, SEQUENCE 1; delete → CANCEL, SEQUENCE 2.
        server.cli("booking", "update", str(cli_booking["id"]), "--duration", "90")
        upd = wait_for("update mails", lambda: len(sink.to("carol@example.com", "modifiée")) == 1
                       and sink.to("carol@example.com", "modifiée"))[0]
        check_mail(upd, cli_booking, "REQUEST", 1, uid=uid)
        check_mail(wait_for("update to creator", lambda: sink.to("alice@example.com", "modifiée"))[0], cli_booking,
                   "REQUEST", 1, uid=uid, to_creator=True)
        server.cli("booking", "delete", str(cli_booking["id"]))
        for who in ("carol@example.com", "alice@example.com"):
            cancel = wait_for("cancel mail", lambda: sink.to(who, "annulée"))[0]
            check_mail(cancel, cli_booking, "CANCEL", 2, uid=uid)
            assert MOD_PIN not in parts(cancel)[0]
        print("update → SEQUENCE 1, delete → CANCEL SEQUENCE 2, same UID")

        # 3. Web, English: the same send path.
        web = Web(server.web)
        wb = web.book("Weekly sync", ["dave@example.com"], language="en")
        assert wb["id"] != cli_booking["id"]
        mail = wait_for("web invitee mail", lambda: sink.to("dave@example.com", "Weekly sync"))[0]
        assert str(mail["Subject"]) == "Invitation to conference « Weekly sync »", mail["Subject"]
        text = parts(mail)[0]
        assert wb["user_pin"] in text and wb["moderator_pin"] not in text and "Dial in: tel:" in text, text
        creator = wait_for("web creator mail", lambda: sink.to("alice@example.com", "Weekly sync"))[0]
        assert wb["moderator_pin"] in parts(creator)[0] and "Moderator PIN" in parts(creator)[0]
        print("web booking: mails OK")

        # 4. The mail server down: the row is retried (visible in the outbox), then delivered once it is back.
        sink.stop()
        down = web.book("While down", [], language="en")
        wait_for("a failed attempt", lambda: any(r[1] == down["id"] and r[4] >= 1 and r[5]
                                                 for r in server.outbox()))
        row = [r for r in server.outbox() if r[1] == down["id"]][0]
        assert row[3] == "pending", row
        print("while down:", row[5])
        sink.start()
        wait_for("delivery after the outage", lambda: sink.to("alice@example.com", "While down"), timeout=15)
        wait_for("the row recorded sent", lambda: [r for r in server.outbox() if r[1] == down["id"]][0][3] == "sent")
        print("delivered after the outage")

        # 5. Latency: booking saved (the web's answer) → mail accepted, 50 bookings one after the other.
        saved = {}
        for i in range(50):
            t0 = time.time()
            b = web.book("Latency %02d" % i)
            saved[b["id"]] = (time.time(), t0)
            wait_for("latency mail %d" % i, lambda: sink.to("alice@example.com", "Latency %02d" % i))
        accepted = {}
        for at, rcpt, m in sink.received():
            if "Latency" in m["Subject"]:
                accepted[int(m["Message-ID"].split(".")[1].split("@")[0])] = at
        lat = [(accepted[b] - saved[b][0]) * 1000 for b in saved]
        print("latency booking saved -> mail accepted over %d: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
              % (len(lat), percentile(lat, 50), percentile(lat, 99), max(lat)))

        # 6. kill -9 during a batch: every row delivered after the restart; duplicates keep their Message-ID.
        before = len(sink.received())
        sink.delay = 0.05
        burst = [web.book("Burst %02d" % i, ["guest%02d@example.com" % i], language="en")["id"] for i in range(15)]
        wait_for("a few burst mails", lambda: len(sink.received()) >= before + 4)
        server.kill9()
        sink.delay = 0.0
        got_before_restart = len(sink.received()) - before
        server.start()
        wait_for("every burst row sent", lambda: all(r[3] == "sent" for r in server.outbox() if r[1] in burst),
                 timeout=30)
        rows = [r for r in server.outbox() if r[1] in burst]
        assert len(rows) == 30, len(rows)
        ids = {}
        for _, rcpt, m in sink.received():
            if "Burst" in m["Subject"]:
                ids.setdefault((rcpt[0], str(m["Subject"])), set()).add(m["Message-ID"])
        assert len(ids) == 30, len(ids)
        assert all(len(v) == 1 for v in ids.values()), "a duplicate with another Message-ID"
        dups = sum(1 for _, _, m in sink.received() if "Burst" in m["Subject"]) - 30
        print("kill -9 after %d of 30 burst mails: all 30 delivered after restart, %d duplicate(s), same ids"
              % (got_before_restart, dups))

        # 7. The CLI alone (no server running) sends; implicit TLS (smtps://); a server certificate that ca_file
        # does not vouch for is refused (nothing sent, the row waits with the reason), then sent once it does.
        assert server.stop() == 0
        tls_sink = Sink(free_port(), cert, key, implicit_tls=True)
        tls_sink.start()
        try:
            other_ca, _ = make_cert(root, "other")
            smtps = ["--set", 'notify.smtp.url="smtps://127.0.0.1:%d"' % tls_sink.port,
                     "--set", "notify.smtp.starttls=false"]
            out = server.cli(*(smtps + ["--set", 'notify.smtp.ca_file="%s"' % other_ca, "booking", "create",
                                        "--name", "Untrusted", "--owner", "alice", "--language", "en", "--json"]))
            untrusted = json.loads(out.stdout)
            row = [r for r in server.outbox() if r[1] == untrusted["id"]][0]
            assert row[3] == "pending" and row[4] == 1 and "certificate" in row[5].lower(), row
            assert not tls_sink.received()
            print("untrusted certificate refused:", row[5])
            out = server.cli(*(smtps + ["--set", 'notify.smtp.password="wrong"', "booking", "create", "--name",
                                        "Refused login", "--owner", "alice", "--language", "en", "--json"]))
            refused = [r for r in server.outbox() if r[1] == json.loads(out.stdout)["id"]][0]
            assert refused[3] == "pending" and "login denied" in refused[5].lower(), refused
            assert not tls_sink.received()
            print("AUTH refused:", refused[5])
            wait_for("the refused rows due again", lambda: server.due(row[0]) and server.due(refused[0]), timeout=10)
            server.cli(*(smtps + ["booking", "create", "--name", "Trusted", "--owner", "alice", "--language", "en"]))
            assert tls_sink.to("alice@example.com", "Untrusted"), "the refused mail, due again"
            assert tls_sink.to("alice@example.com", "Refused login"), "the mail refused at AUTH, due again"
            assert tls_sink.to("alice@example.com", "Trusted"), "the CLI's own booking mail"
            assert all(r[3] == "sent" for r in server.outbox()), server.outbox()
            print("CLI alone over smtps:// delivered")
        finally:
            tls_sink.stop()
        ok = True
    finally:
        rc = server.stop()
        sink.delay = 0
        try:
            sink.stop()
        except Exception:
            pass
        if not ok:
            print(server.tail())
        if ok and not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(root, ignore_errors=True)
    assert rc == 0, "serve exit code %d" % rc
    print("notify.smtp OK in %.1f s" % (time.time() - started))


# [notify.smtp] of the tests that use Sink (here and reminder_it.py): STARTTLS, AUTH, its certificate checked.
SMTP_SECTION = """[notify.smtp]
url = "smtp://127.0.0.1:{smtp_port}"
starttls = true
ca_file = "{ca_file}"
username = "{user}"
password = "{password}"
from = "Conference Pro <noreply@conf.example>"
connect_timeout_s = 2
timeout_s = 3
"""

CONFIG = """[log]
level = "info"
[[access_numbers]]
number = "3001"
label = "Local access"
kind = "local"
language = "en"
[notify]
retry_first_s = 1
retry_max_s = 2
lease_s = 2
""" + SMTP_SECTION

if __name__ == "__main__":
    main()
