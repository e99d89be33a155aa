"""SMS notifications end to end (issue 15 item 3): a real Kannel (bearerbox + smsbox, Debian `kannel`) with
kannel-extras' fakesmsc as the SMSC, all on 127.0.0.1 (free ports, inside a loopback-only namespace). A booking
created by the CLI for an owner whose mobile is national ("0612345678", [[sip.number_rules]] 0033 → 0)
reaches fakesmsc as +33612345678 with the conference number and both PINs: UCS-2 when the text has a character
outside GSM 03.38 (ô), GSM-7 ("text") otherwise; the outbox row is "sent". A refused sendsms (wrong password:
Kannel's 403) leaves the row pending with Kannel's reply recorded.

Usage: sms_it.py CONFPRO  (run by ctest under tests/web/loopback_only.sh)"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from it_support import free_port, wait_for

BEARERBOX, SMSBOX, FAKESMSC = "/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"
MOD_PIN, USER_PIN = "647185", "583920"


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

CONFIG = """[server]
node_id = "sms-it"
time_zone = "Europe/Paris"
data_dir = "{dir}/var"
[storage]
url = "sqlite://{dir}/confpro.db"
[[access_numbers]]
number = "0800300300"
label = "Toll-free"
kind = "toll-free"
language = "fr"
[[sip.number_rules]]
strip_prefix = "0033"
add_prefix = "0"
[notify]
retry_first_s = 1
retry_max_s = 2
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
    config = os.path.join(root, "confpro.toml")
    with open(config, "w") as f:
        f.write(CONFIG.format(dir=root, sendsms=kannel.ports["sendsms"]))
    db = os.path.join(root, "confpro.db")

    def cli(*args):
        out = subprocess.run([binary, "--config", config] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
        assert out.returncode == 0, "confpro %s failed: %s %s" % (" ".join(args), out.stdout, out.stderr)
        return out

    def sms_rows():
        with sqlite3.connect(db) as c:
            return c.execute("SELECT booking_id, recipient, status, attempts, last_error FROM outbox "
                             "WHERE kind = 'sms' ORDER BY id").fetchall()

    ok = False
    try:
        kannel.start()
        cli("user", "add", "alice", "--password", "secret-password-1", "--email", "alice@example.com",
            "--mobile", "0612345678")

        # 1. French, a name with ô: UCS-2; the CLI sends it itself (one delivery pass after the booking).
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
        assert sms_rows()[-1][2:4] == ("sent", 1), sms_rows()
        print("UCS-2 SMS in %d parts: %r" % (ucs2_parts, text))

        # 2. English, GSM-7 characters only: coding 0 ("text" at fakesmsc).
        b2 = json.loads(cli("booking", "create", "--name", "Weekly sync", "--owner", "alice", "--duration", "30",
                            "--validity-days", "1", "--language", "en", "--json").stdout)
        sms = wait_for("GSM-7 SMS at fakesmsc", lambda: len(kannel.received()) == 2 and kannel.received())
        _, to, coding, text, gsm_parts = sms[1]
        assert (to, coding) == ("+33612345678", "text"), sms[1]
        assert "Weekly sync" in text and b2["number"] in text and b2["moderator_pin"] in text, text
        assert b2["user_pin"] in text, text
        print("GSM-7 SMS in %d parts: %r" % (gsm_parts, text))

        # 3. The gateway refuses (wrong password: Kannel answers 403): the row stays pending with the reply.
        cli("--set", 'notify.sms.password="wrong"', "booking", "create", "--name", "Refused", "--owner", "alice",
            "--duration", "30", "--validity-days", "1", "--language", "en")
        row = sms_rows()[-1]
        assert row[2] == "pending" and row[3] == 1 and row[4].startswith("403 "), row
        assert "Refused" not in "".join(m[3] for m in kannel.received())
        print("refused by the gateway: %r" % (row,))
        ok = True
    finally:
        kannel.stop()
        if ok:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for name in ("bearerbox.log", "smsbox.log", "fakesmsc.out"):
                path = os.path.join(root, name)
                if os.path.exists(path):
                    print("---- %s (tail)\n%s" % (name, "".join(open(path, errors="replace").readlines()[-15:])))
    print("sms_it passed in %.1f s" % (time.time() - started))


if __name__ == "__main__":
    main()
