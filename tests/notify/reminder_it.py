"""Reminders end to end (issue 15 item 4): `confpro serve` with [notify] reminder_minutes = 1 and unused_notice,
e-mail through a real SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS + AUTH, smtp_it.py's Sink). A booking made by
the CLI to start 68 s ahead: its creator (both PINs) and invitee (her PIN only) get the French reminder before the
start; after a restart it is not written again; moved to a new start, it is reminded again. A booking whose
validity lapses while the server runs, never opened: its creator gets the unused notice (English), its subject
and HTML part from the operator's template files ([notify] templates_dir; the booking's name escaped in the
HTML), its text built-in; the reminders, without an .html file, get an HTML part made from their text. A booking
moved away and back to the start it was reminded of is reminded again.

Usage: reminder_it.py CONFPRO [PROMPT_CACHE]  (run by ctest under tests/web/loopback_only.sh)"""
import json
import os
import shutil
import sys
import tempfile
import time

from it_support import Server, free_port, local_time, wait_for

# smtp_it exits 77 without aiosmtpd / python3-icalendar
from smtp_it import SMTP_PASSWORD, SMTP_SECTION, SMTP_USER, Sink, make_cert, parts

MOD_PIN, USER_PIN = "647185", "583920"

CONFIG = """[notify]
retry_first_s = 1
retry_max_s = 2
reminder_minutes = 1
reminder_channels = ["email"]
unused_notice = true
templates_dir = "{dir}/templates"
""" + SMTP_SECTION


def main():
    binary = os.path.abspath(sys.argv[1])
    started = time.time()
    root = tempfile.mkdtemp(prefix="confpro-reminder-")
    cert, key = make_cert(root, "server")
    sink = Sink(free_port(), cert, key)
    sink.start()
    cache = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "prompt-cache")
    os.makedirs(cache, exist_ok=True)
    server = Server(binary, root, CONFIG, node="reminder-it", cache=cache, smtp_port=sink.port, ca_file=cert,
                    user=SMTP_USER, password=SMTP_PASSWORD)
    # The operator's subject of the English unused notice (docs/notifications.md); the other texts stay built-in.
    os.makedirs(os.path.join(root, "templates"))
    with open(os.path.join(root, "templates", "unused-owner.en.subject"), "w") as f:
        f.write("Unused: {{name}} ({{number}}) ended {{ended}}\n")
    with open(os.path.join(root, "templates", "unused-owner.en.html"), "w") as f:
        f.write('<div style="color:#036"><h1>{{name}}</h1><p>Number <b>{{number}}</b> was not used.</p></div>\n')
    ok = False
    try:
        server.cli("user", "add", "alice", "--password", "secret-password-1", "--email", "alice@example.com")
        server.start()

        # A booking starting in 68 s (its reminder is due in 8 s), and one whose validity ends in 14 s.
        start = time.time() + 68
        b = json.loads(server.cli("booking", "create", "--name", "Point hebdo", "--owner", "alice", "--start",
                                  local_time(68), "--user-pin", USER_PIN, "--moderator-pin", MOD_PIN, "--language", "fr",
                                  "--invitee", "carol@example.com", "--json").stdout)
        unused = json.loads(server.cli("booking", "create", "--name", "Forgotten <call> & co", "--owner", "alice",
                                       "--start", local_time(14 - 86400), "--validity-days", "1", "--language", "en",
                                       "--json").stdout)

        def reminders(who):
            return sink.to(who, "Rappel")

        owner = wait_for("the creator's reminder", lambda: reminders("alice@example.com"), timeout=25)[0]
        invitee = wait_for("the invitee's reminder", lambda: reminders("carol@example.com"))[0]
        arrived = time.time()
        assert arrived < start, "the reminder came %.1f s after the start" % (arrived - start)
        assert str(owner["Subject"]) == "Rappel : conférence « Point hebdo »", owner["Subject"]
        text = parts(owner)[0]
        assert text.startswith("Votre conférence commence dans 1 minute."), text
        assert MOD_PIN in text and USER_PIN in text and b["number"] in text and "tel:0800300300" in text, text
        itext = parts(invitee)[0]
        assert USER_PIN in itext and MOD_PIN not in itext, itext
        assert parts(owner)[2] == (None, None), "a reminder carries no calendar"
        print("reminder %.1f s before the start: %r" % (start - arrived, str(owner["Subject"])))

        # A restart: the reminder is not written again (the notice of the lapsed booking, written by a pass after
        # the restart, shows that pass ran while the first booking's reminder was still due).
        assert server.stop() == 0
        server.start()
        notice = wait_for("the unused notice", lambda: sink.to("alice@example.com", "Unused: "), timeout=25)[0]
        assert str(notice["Subject"]).startswith("Unused: Forgotten <call> & co (%s) ended " % unused["number"]), \
            notice["Subject"]  # the operator's template
        assert "{{" not in str(notice["Subject"]), notice["Subject"]
        assert "Nobody joined this conference" in parts(notice)[0], parts(notice)[0]
        html = parts(notice)[1]
        assert html.replace("\r\n", "\n") == ('<div style="color:#036"><h1>Forgotten &lt;call&gt; &amp; co</h1><p>Number '
                                              '<b>%s</b> was not used.</p></div>\n' % unused["number"]), html
        rhtml = parts(owner)[1]  # no reminder .html file: made from the text, the PINs in it
        assert rhtml.startswith("<!DOCTYPE html>") and MOD_PIN in rhtml and "Point hebdo" in rhtml, rhtml
        assert len(reminders("alice@example.com")) == 1 and len(reminders("carol@example.com")) == 1
        print("after a restart: no second reminder; unused notice for booking %d: %r"
              % (unused["id"], str(notice["Subject"])))

        # Moved: reminded again for the new start.
        moved_start, moved_at = time.time() + 68, local_time(68)
        server.cli("booking", "update", str(b["id"]), "--start", moved_at)
        wait_for("the reminder of the moved booking", lambda: len(reminders("alice@example.com")) == 2, timeout=25)
        assert time.time() < moved_start
        wait_for("the invitee's second reminder", lambda: len(reminders("carol@example.com")) == 2)
        rows = server.query("SELECT recipient, subject FROM outbox WHERE subject LIKE 'Rappel%'")
        assert len(rows) == 4, rows
        print("moved: reminded again; %d reminder rows in all" % len(rows))

        # Moved away (a day later) and back to the start it was just reminded of: reminded again, once.
        server.cli("booking", "update", str(b["id"]), "--start", local_time(86400 + 68))
        time.sleep(1.5)  # a scan pass or more with the start a day away: nothing
        assert len(reminders("alice@example.com")) == 2
        back = moved_start - time.time()
        assert back > 20, "too late to move it back (%.1f s before its start)" % back
        server.cli("booking", "update", str(b["id"]), "--start", moved_at)  # the very start it was reminded of
        wait_for("the reminder of the booking moved back", lambda: len(reminders("alice@example.com")) == 3,
                 timeout=25)
        time.sleep(1.5)
        assert len(reminders("alice@example.com")) == 3, "reminded more than once"
        print("moved away and back: reminded again, once")
        ok = True
    finally:
        rc = server.stop()
        sink.stop()
        if not ok:
            print(server.tail())
        if ok and not os.environ.get("CONFPRO_KEEP_TEST_DIR"):
            shutil.rmtree(root, ignore_errors=True)
    assert rc == 0, "serve exit code %d" % rc
    print("notify.reminder OK in %.1f s" % (time.time() - started))


if __name__ == "__main__":
    main()
