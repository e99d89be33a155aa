// The notifications view (issue 15 item 5) in the real product: `confpro serve` whose [notify.smtp] is a closed
// port on 127.0.0.1, so the rows of a booking with an invitee fail fast (short retry settings); the API lists
// them with their last error and never their body (PINs), an organizer sees only the rows of their own bookings,
// an administrator re-sends a failed row (back to pending, audited) and, once an SMTP server answers on that
// port, it is sent; the console's Notifications tab shows the rows and its Resend button (screenshots at 1366 px,
// en-GB and fr-FR). A booking's page lists what was sent about it with the SMS delivery report (issue 15 items
// 3 and 5; the report comes through the real route, the SMS row is marked sent in the database as a gateway
// would have it: notify.sms covers Kannel itself; screenshots at 1024, 1366 and 1920 px). One server for the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, freePort, signedIn, startConfpro } from './harness.mjs';
import { launchBrowser, login, newPage, shot } from './browser_support.mjs';

let confpro, admin, olga, otto, smtpPort, olgaBooking, ottoBooking;
const password = 'notify-password-1';

// Polls `fn` until it returns a truthy value (or fails after `ms`).
async function until(fn, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A minimal SMTP server (RFC 5321 without extensions) that accepts every message; `received` counts them.
function smtpServer(port) {
  const server = createServer((socket) => {
    let data = false, buffer = '';
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          data = false;
          server.received += 1;
          socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (line.startsWith('DATA')) { data = true; socket.write('354 go on\r\n'); }
        else if (line.startsWith('QUIT')) { socket.end('221 bye\r\n'); return; }
        else if (line.startsWith('EHLO')) socket.write('250-test\r\n250 8BITMIME\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  server.received = 0;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const rowsOf = async (client, q = '') => {
  const r = await client.get('/api/v1/notifications' + q);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
};

before(async () => {
  smtpPort = await freePort();  // nothing listens there: every attempt is refused at once
  confpro = await startConfpro({ extra: `
[notify]
retry_first_s = 1
retry_max_s = 3600
retry_deadline_s = 10
poll_interval_ms = 100
[notify.smtp]
url = "smtp://127.0.0.1:${smtpPort}"
starttls = false
from = "confpro@example.org"
` });
  admin = await signedIn(confpro.base, 'admin', confpro.password());
  for (const username of ['olga', 'otto']) {
    const r = await admin.post('/api/v1/users', { username, password, role: 'organizer', email: `${username}@example.org`,
      mobile: username === 'olga' ? '+33612345678' : '' });
    assert.equal(r.status, 201, r.text);
  }
  olga = await signedIn(confpro.base, 'olga', password);
  otto = await signedIn(confpro.base, 'otto', password);
  const a = await olga.post('/api/v1/bookings', { name: 'Olga weekly', invitees: [{ email: 'guest@example.net' }] });
  assert.equal(a.status, 201, a.text);
  olgaBooking = a.json.id;
  const b = await otto.post('/api/v1/bookings', { name: 'Otto review' });
  assert.equal(b.status, 201, b.text);
  ottoBooking = b.json.id;
});
after(async () => { await confpro?.stop(); });

test('failed rows are listed with their last error, never their body; organizers see their own', async () => {
  // Olga's booking: her own mail and the invitee's; Otto's: his own. All fail within the 10 s deadline.
  const rows = await until(async () => {
    const all = await rowsOf(admin, '?status=failed');
    return all.length >= 3 && all;
  });
  const guest = rows.find((r) => r.recipient === 'guest@example.net');
  assert.ok(guest, JSON.stringify(rows));
  assert.equal(guest.booking_id, olgaBooking);
  assert.equal(guest.kind, 'email');
  assert.ok(guest.attempts >= 1);
  assert.notEqual(guest.last_error, '');
  assert.ok(guest.subject.length > 0);
  for (const key of ['id', 'next_attempt_at', 'created_at']) assert.ok(key in guest, key);
  for (const r of rows) {
    assert.equal(r.body, undefined);
    assert.equal(r.calendar, undefined);
  }

  const mine = await rowsOf(olga);
  assert.ok(mine.length >= 2 && mine.every((r) => r.booking_id === olgaBooking), JSON.stringify(mine));
  assert.deepEqual((await rowsOf(otto)).map((r) => r.booking_id), [ottoBooking]);
  assert.equal((await rowsOf(admin, `?booking=${ottoBooking}`)).length, 1);
  const theirs = await olga.get(`/api/v1/notifications?booking=${ottoBooking}`);
  assert.equal(theirs.status, 403, theirs.text);
  assert.equal((await olga.get('/api/v1/notifications?status=lost')).status, 400);
  assert.equal((await new Client(confpro.base).get('/api/v1/notifications')).status, 401);
});

test('an administrator re-sends a failed row: pending again, audited, sent once SMTP answers', async () => {
  const [row] = await rowsOf(admin, `?booking=${ottoBooking}&status=failed`);
  const denied = await otto.post(`/api/v1/notifications/${row.id}/resend`);
  assert.equal(denied.status, 403, denied.text);
  assert.equal((await admin.post('/api/v1/notifications/999999/resend')).status, 404);

  const smtp = await smtpServer(smtpPort);
  try {
    const r = await admin.post(`/api/v1/notifications/${row.id}/resend`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'pending');
    assert.ok(Date.parse(r.json.next_attempt_at) <= Date.now() + 1000);
    const sent = await until(async () => (await rowsOf(admin, `?booking=${ottoBooking}`))[0].status === 'sent');
    assert.ok(sent);
    assert.equal(smtp.received, 1);
    const again = await admin.post(`/api/v1/notifications/${row.id}/resend`);  // a sent one may go again too
    assert.equal(again.status, 200, again.text);
    await until(async () => (await rowsOf(admin, `?booking=${ottoBooking}`))[0].status === 'sent' && smtp.received === 2);
  } finally {
    await new Promise((r) => smtp.close(r));
  }
  const audit = await admin.get(`/api/v1/audit?target=notification:${row.id}`);
  assert.equal(audit.json.items.filter((e) => e.action === 'notification.resend').length, 2, audit.text);
});

test('the Notifications tab lists the rows and re-sends a failed one', async () => {
  const browser = await launchBrowser();
  try {
    for (const locale of ['en-GB', 'fr-FR']) {
      const fr = locale === 'fr-FR';
      const { page, context, errors } = await newPage(browser, { width: 1366, height: 800 }, locale);
      await login(page, confpro.base, 'admin', confpro.password());
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page.getByRole('cell', { name: 'E-mail guest@example.net' }).waitFor();
      await page.getByLabel(fr ? 'État' : 'State').selectOption('failed');
      await page.getByRole('button', { name: fr ? 'Rechercher' : 'Search' }).click();
      const guestRow = page.locator('tr', { hasText: 'guest@example.net' });
      await guestRow.locator('.badge', { hasText: fr ? 'Échec' : 'Failed' }).waitFor();
      // Sent, so filtered out — once the filtered list has replaced the first one (the guest's failed row is in
      // both, so seeing it does not mean the table was redrawn).
      await until(async () => (await page.locator('tbody tr', { hasText: 'otto@example.org' }).count()) === 0);
      await shot(page, `notifications-${locale}-1366`);
      if (!fr) {
        // Resend: the row goes back to pending (then fails again: nothing listens on the port any more).
        const id = await guestRow.getAttribute('data-id');
        await guestRow.getByRole('button', { name: /Resend/ }).click();
        await until(async () => {
          const audit = await admin.get(`/api/v1/audit?target=notification:${id}`);
          return audit.json.items.some((e) => e.action === 'notification.resend');
        });
      }
      await context.close();
      assert.deepEqual(errors, []);
    }
  } finally {
    await browser.close();
  }
});

test('a booking\'s page lists what was sent about it, with the SMS delivery report', async () => {
  // Olga's SMS as a gateway would have it: accepted (sent), then its delivery report through the real route.
  const db = join(confpro.dir, 'confpro.db');
  const [id, token] = execFileSync('sqlite3', [db, "UPDATE outbox SET status = 'sent' WHERE kind = 'sms'; " +
    "SELECT id || ' ' || report_token FROM outbox WHERE kind = 'sms'"]).toString().trim().split(' ');
  const report = await new Client(confpro.base).get(`/api/v1/notify/sms-dlr?id=${id}&token=${token}&status=1&answer=id%3A1%20stat%3ADELIVRD`);
  assert.equal(report.status, 200, report.text);
  const sms = (await rowsOf(olga, `?booking=${olgaBooking}`)).find((r) => r.kind === 'sms');
  assert.equal(sms.report_state, 'delivered');

  const browser = await launchBrowser();
  try {
    for (const locale of ['en-GB', 'fr-FR']) {
      const fr = locale === 'fr-FR';
      for (const width of [1024, 1366, 1920]) {
        const { page, context, errors } = await newPage(browser, { width, height: 900 }, locale);
        await login(page, confpro.base, 'olga', password);
        await page.goto(`${confpro.base}/future/${olgaBooking}`);
        const list = page.getByRole('region', { name: fr ? 'Envoyé pour cette conférence' : 'Sent about this conference' });
        await list.getByRole('cell', { name: 'SMS +33612345678' }).waitFor();
        await list.getByRole('cell', { name: 'E-mail guest@example.net' }).waitFor();
        const smsRow = list.locator('tr', { hasText: '+33612345678' });
        await smsRow.locator('.badge', { hasText: fr ? 'Remis' : 'Delivered' }).waitFor();
        assert.equal(await smsRow.locator('.report').getAttribute('title'), 'id:1 stat:DELIVRD');
        assert.equal(await list.locator('tbody tr').count(), (await rowsOf(olga, `?booking=${olgaBooking}`)).length);
        await list.scrollIntoViewIfNeeded();
        await shot(page, `booking-sent-${locale}-${width}`);
        await context.close();
        assert.deepEqual(errors, []);
      }
    }
    // Otto may not see Olga's booking, nor therefore what was sent about it.
    const { page, context } = await newPage(browser, { width: 1366, height: 900 }, 'en-GB');
    await login(page, confpro.base, 'otto', password);
    await page.goto(`${confpro.base}/future/${olgaBooking}`);
    await page.locator('.form-error').waitFor();
    assert.equal(await page.locator('.sent-list').count(), 0);
    await context.close();
  } finally {
    await browser.close();
  }
});
