"""SMS notifications end to end (issue 15 item 3): a real Kannel (bearerbox + smsbox, Debian `kannel`) with
kannel-extras' fakesmsc as the SMSC, all on 127.0.0.1 (free ports, inside a loopback-only namespace). A booking
created by the CLI for an owner whose mobile is national ("0612345678", [[sip.number_rules]] 0033 → 0)
reaches fakesmsc as +33612345678 with the conference number and both PINs: UCS-2 when the text has a character
outside GSM 03.38 (ô), GSM-7 ("text") otherwise; the outbox row is "sent". Each sendsms asks for delivery reports
(dlr-mask, dlr-url with the row's token): Kannel calls `confpro serve`'s /api/v1/notify/sms-dlr back and the row
shows "delivered" in the notifications API; a report with a wrong token, without any session, is 403 and kept
nowhere. A booking starting a minute ahead, with reminder_minutes = 1 and reminder_channels = ["sms"]: its
reminder SMS reaches fakesmsc before the start. A refused sendsms (wrong password: Kannel's 403) leaves the row
pending with Kannel's reply recorded.

Usage: sms_it.py CONFPRO [PROMPT_CACHE]  (run by ctest under tests/web/loopback_only.sh)"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from it_support import Server, Web, free_port, local_time, wait_for

BEARERBOX, SMSBOX, FAKESMSC = "/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"
MOD_PIN, USER_PIN = "647185", "583920"
PASSWORD = "secret-password-1"


KANNEL = """group = core
admin-port = {admin}
admin-password = adm
admin-interface = 127.0.0.1
smsbox-port = {box}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "{dir}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1

group = sendsms-user
username = confpro
password = sms-pass-7
max-messages = 5
concatenation = true
"""

CONFIG = """[[sip.number_rules]]
strip_prefix = "0033"
add_prefix = "0"
[notify]
retry_first_s = 1
retry_max_s = 2
reminder_minutes = 1
reminder_channels = ["sms"]
[notify.sms]
url = "http://127.0.0.1:{sendsms}/cgi-bin/sendsms"
username = "confpro"
password = "sms-pass-7"
from = "ConfPro"
connect_timeout_s = 2
timeout_s = 5
"""


class Kannel:
    def __init__(self, root):
        self.root = root
        self.ports = dict(admin=free_port(), box=free_port(), smsc=free_port(), sendsms=free_port())
        self.conf = os.path.join(root, "kannel.conf")
        with open(self.conf, "w") as f:
            f.write(KANNEL.format(dir=root, **self.ports))
        self.procs = []
        self.fake_out = os.path.join(root, "fakesmsc.out")

    def spawn(self, *args, out=subprocess.DEVNULL):
        self.procs.append(subprocess.Popen(list(args), stdout=out, stderr=out, cwd=self.root))

    def status(self):
        try:
            url = "http://127.0.0.1:%d/status.txt?password=adm" % self.ports["admin"]
            return urllib.request.urlopen(url, timeout=1).read().decode()
        except OSError:
            return ""

    def start(self):
        self.spawn(BEARERBOX, self.conf)
        wait_for("bearerbox", lambda: "SMSC connections" in self.status())
        self.spawn(SMSBOX, self.conf)
        self.out = open(self.fake_out, "w")
        self.spawn(FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports["smsc"]), "-m", "0", "x y text z",
                   out=self.out)
        wait_for("fakesmsc connected", lambda: "online" in self.status().split("SMSC connections")[-1])
        wait_for("smsbox", lambda: self.sendsms_up())

    def sendsms_up(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.ports["sendsms"])) == 0

    def received(self):
        """(from, to, coding, text, parts) per message fakesmsc got ("text" or "ucs-2"), its concatenated parts
        (UDH 05 00 03 ref total seq) joined; UCS-2 decoded from fakesmsc's %-escaped UTF-16BE."""
        got, pending = [], {}
        with open(self.fake_out, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "Got message" not in line:
                    continue
                body = line.split(": <", 1)[1].rsplit(">", 1)[0]
                sender, to, coding, rest = body.split(" ", 3)
                udh = None
                if coding == "udh":  # "udh UDH data|text|ucs-2 TEXT"
                    udh, coding, rest = rest.split(" ", 2)
                    udh = urllib.parse.unquote_to_bytes(udh)
                if coding in ("ucs-2", "data"):  # a concatenated part of a UCS-2 text comes as "data"
                    coding, rest = "ucs-2", urllib.parse.unquote_to_bytes(rest.replace("+", "%20")).decode(
                        "utf-16-be")
                elif "%" in rest:
                    rest = urllib.parse.unquote(rest.replace("+", " "))
                if udh is None:
                    got.append((sender, to, coding, rest, 1))
                    continue
                ref, total, seq = udh[3], udh[4], udh[5]
                parts = pending.setdefault((to, ref), {})
                parts[seq] = rest
                if len(parts) == total:
                    got.append((sender, to, coding, "".join(parts[i] for i in sorted(parts)), total))
        return got

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def main():
    binary = os.path.abspath(sys.argv[1])
    if not all(os.access(p, os.X_OK) for p in (BEARERBOX, SMSBOX, FAKESMSC)):
        print("skipped: Kannel missing (apt-get install kannel kannel-extras)")
        sys.exit(77)
    started = time.time()
    root = tempfile.mkdtemp(prefix="confpro-sms-")
    kannel = Kannel(root)
    cache = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "prompt-cache")
    os.makedirs(cache, exist_ok=True)
    # report_url is not set: delivery reports come back to [web] (127.0.0.1:web_port), the default.
    server = Server(binary, root, CONFIG, node="sms-it", cache=cache, sendsms=kannel.ports["sendsms"])
    cli = server.cli

    def sms_rows():
        return server.query("SELECT booking_id, recipient, status, attempts, last_error FROM outbox "
                            "WHERE kind = 'sms' ORDER BY id")

    def reported(web, booking_id):
        """The booking's SMS row as the notifications API shows it, once its delivery report is there."""
        status, body = web.request("GET", "/api/v1/notifications?booking=%d" % booking_id)
        assert status == 200, (status, body)
        rows = [r for r in body["items"] if r["kind"] == "sms"]
        return rows and rows[0]["report_state"] and rows[0]

    ok = False
    try:
        kannel.start()
        cli("user", "add", "alice", "--password", PASSWORD, "--email", "alice@example.com",
            "--mobile", "0612345678")
        server.start()
        web = Web(server.web, "alice", PASSWORD)

        # 1. French, a name with ô: UCS-2; the CLI sends it (one delivery pass after the booking) unless the
        # server's worker takes it first: either way once, asking for delivery reports.
        t0 = time.time()
        b = json.loads(cli("booking", "create", "--name", "Point hôtel", "--owner", "alice", "--duration", "60",
                           "--validity-days", "1", "--user-pin", USER_PIN, "--moderator-pin", MOD_PIN,
                           "--language", "fr", "--json").stdout)
        # Kannel splits a long text into concatenated parts (67 UCS-2 characters each): received() joins them.
        sms = wait_for("UCS-2 SMS at fakesmsc", kannel.received)
        assert len(sms) == 1, sms
        sender, to, coding, text, ucs2_parts = sms[0]
        assert (sender, to, coding) == ("ConfPro", "+33612345678", "ucs-2"), sms[0]
        for part in ("Point hôtel", b["number"], MOD_PIN, USER_PIN):
            assert part in text, (part, text)
        wait_for("the SMS row sent", lambda: sms_rows()[-1][2:4] == ("sent", 1))
        print("UCS-2 SMS in %d parts: %r" % (ucs2_parts, text))
        row = wait_for("the delivery report on the row", lambda: reported(web, b["id"]))
        assert row["report_state"] == "delivered", row
        assert row["report_at"] and "token" not in json.dumps(row), row
        print("delivery report after %.1f s: %s, %s, SMSC answer %r"
              % (time.time() - t0, row["report_state"], row["report_at"], row["report_answer"]))

        # A report with a wrong token, without a session: 403, the row unchanged.
        token = server.query("SELECT report_token FROM outbox WHERE id = ?", row["id"])[0][0]
        assert len(token) == 64, token
        stranger = Web(server.web, None)
        forged = "/api/v1/notify/sms-dlr?id=%d&token=%s&status=2&answer=forged" % (row["id"], "0" * 64)
        status, body = stranger.request("GET", forged)
        assert status == 403 and body["error"]["reason"] == "bad_report_token", (status, body)
        assert reported(web, b["id"])["report_state"] == "delivered"
        print("forged report: 403 %s" % body["error"]["reason"])

        # A booking starting in 63 s, with reminder_minutes = 1 and reminder_channels = ["sms"]: its creator's
        # mobile gets the reminder through Kannel before the start (checked after step 2, which runs meanwhile).
        remind_start = time.time() + 63
        r = json.loads(cli("booking", "create", "--name", "Standup", "--owner", "alice", "--start", local_time(63),
                           "--language", "en", "--json").stdout)

        # 2. English, GSM-7 characters only: coding 0 ("text" at fakesmsc).
        b2 = json.loads(cli("booking", "create", "--name", "Weekly sync", "--owner", "alice", "--duration", "30",
                            "--validity-days", "1", "--language", "en", "--json").stdout)
        sms = wait_for("GSM-7 SMS at fakesmsc", lambda: [m for m in kannel.received() if "Weekly sync" in m[3]])
        _, to, coding, text, gsm_parts = sms[0]
        assert (to, coding) == ("+33612345678", "text"), sms[1]
        assert "Weekly sync" in text and b2["number"] in text and b2["moderator_pin"] in text, text
        assert b2["user_pin"] in text, text
        assert wait_for("the second report", lambda: reported(web, b2["id"]))["report_state"] == "delivered"
        print("GSM-7 SMS in %d parts: %r, delivered" % (gsm_parts, text))

        def reminders():
            return [m for m in kannel.received() if m[3].startswith("Reminder - ")]

        reminder = wait_for("the reminder SMS at fakesmsc", reminders, timeout=30)
        arrived = time.time()
        assert arrived < remind_start, "the reminder came %.1f s after the start" % (arrived - remind_start)
        _, to, coding, text, _ = reminder[0]
        assert to == "+33612345678" and "Standup" in text and r["number"] in text, reminder
        assert r["moderator_pin"] in text and r["user_pin"] in text, text
        assert len([m for m in kannel.received() if "Standup" in m[3]]) == 2, "its creation SMS, then the reminder"
        print("reminder SMS %.1f s before the start: %r" % (remind_start - arrived, text))
        assert server.stop() == 0
        assert len(reminders()) == 1, reminders()

        # 3. The gateway refuses (wrong password: Kannel answers 403): the row stays pending with the reply.
        cli("--set", 'notify.sms.password="wrong"', "booking", "create", "--name", "Refused", "--owner", "alice",
            "--duration", "30", "--validity-days", "1", "--language", "en")
        row = sms_rows()[-1]
        assert row[2] == "pending" and row[3] == 1 and row[4].startswith("403 "), row
        assert "Refused" not in "".join(m[3] for m in kannel.received())
        print("refused by the gateway: %r" % (row,))
        ok = True
    finally:
        server.stop()
        kannel.stop()
        if ok:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(server.tail())
            for name in ("bearerbox.log", "smsbox.log", "fakesmsc.out"):
                path = os.path.join(root, name)
                if os.path.exists(path):
                    print("---- %s (tail)\n%s" % (name, "".join(open(path, errors="replace").readlines()[-15:])))
    print("sms_it passed in %.1f s" % (time.time() - started))


if __name__ == "__main__":
    main()
