// Billing over the API (issue 16): `confpro serve` with [[billing.plans]] and a billed category; accounts made
// with `confpro account` on the same database. A booking with an account holds its price; one the account
// cannot pay for is 402 with reason insufficient_credit and nothing stored; a billed category without an
// account is refused with account_required; an organizer cannot spend another's account. The console (issue 16
// item 5): the Accounts tab (an administrator tops up with a reason and a confirmation; an organizer sees their
// own account read-only), the price on the booking form before saving, revenue in Reports (screenshots at 1024,
// 1366 and 1920 px in en-GB and fr-FR). One server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { signedIn, startConfpro } from './harness.mjs';
import { launchBrowser, login, newPage, shot } from './browser_support.mjs';

const BILLING = `
[[billing.plans]]
name = "small"
max_duration_minutes = 60
max_participants = 5
price = "5.00"
currency = "EUR"
overage_per_participant_minute = "0.05"
toll_free_per_minute = "0.10"

[[booking.category]]
name = "paying"
users = ["pat", "quinn"]
mode = "billed"

[[booking.category]]
name = "staff"
everyone = true
`;

let confpro, pat, quinn;
const password = 'billing-password-1';
const cli = (...args) => spawnSync(process.env.CONFPRO_BINARY, ['--config', join(confpro.dir, 'confpro.toml'), ...args],
  { encoding: 'utf8' });
const account = (name) => JSON.parse(cli('account', 'show', name, '--json').stdout);

before(async () => {
  confpro = await startConfpro({ extra: BILLING });
  const admin = await signedIn(confpro.base, 'admin', confpro.password());
  for (const username of ['pat', 'quinn']) {
    const r = await admin.post('/api/v1/users', { username, password, role: 'organizer' });
    assert.equal(r.status, 201, r.text);
  }
  const made = cli('account', 'create', 'pat-prepaid', '--owner', 'pat', '--credit', '7.50');
  assert.equal(made.status, 0, made.stdout + made.stderr);
  pat = await signedIn(confpro.base, 'pat', password);
  quinn = await signedIn(confpro.base, 'quinn', password);
});
after(async () => { await confpro?.stop(); });

const booking = (name, over = {}) => ({ name, duration_minutes: 30, max_participants: 4, validity_days: 1, ...over });

test('a billed booking holds its price; one the account cannot pay for is 402 and nothing is stored', async () => {
  const noAccount = await pat.post('/api/v1/bookings', booking('Unpaid'));
  assert.equal(noAccount.status, 400, noAccount.text);
  assert.equal(noAccount.json.error.fields[0].reason, 'account_required');

  const first = await pat.post('/api/v1/bookings', booking('Paid', { account: 'pat-prepaid' }));
  assert.equal(first.status, 201, first.text);
  assert.equal(account('pat-prepaid').held, '5.00');

  const second = await pat.post('/api/v1/bookings', booking('Over', { account: 'pat-prepaid' }));
  assert.equal(second.status, 402, second.text);
  assert.equal(second.json.error.reason, 'insufficient_credit');
  assert.match(second.json.error.message, /5\.00 needed, 2\.50 available \(2\.50 missing\)/);
  const list = await pat.get('/api/v1/bookings?name=Over');
  assert.equal(list.json.total, 0, 'a refused booking was stored');
  assert.equal(account('pat-prepaid').held, '5.00');

  const quinn = await signedIn(confpro.base, 'quinn', password);
  const theft = await quinn.post('/api/v1/bookings', booking('Not mine', { account: 'pat-prepaid' }));
  assert.equal(theft.status, 403, theft.text);

  const gone = await pat.del(`/api/v1/bookings/${first.json.id}`);
  assert.ok(gone.status === 204 || gone.status === 200, gone.text);
  assert.equal(account('pat-prepaid').held, '0.00');
});

// What the end of a held conference writes (booking/billing.cpp settle_for): the hold captured. Written straight
// into the server's database (SQLite, WAL) because no call is made in this file.
function capture(bookingId, account, minor) {
  const r = spawnSync('python3', ['-c', `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO ledger (account_id, at, kind, amount, hold, booking_id, actor, note) SELECT id, ?, 'capture', ?, ?, ?, 'system', 'conference held' FROM billing_accounts WHERE name = ?",
          (int(time.time() * 1000), -int(sys.argv[3]), -int(sys.argv[3]), int(sys.argv[2]), sys.argv[4]))
c.commit()`, join(confpro.dir, 'confpro.db'), String(bookingId), String(minor), account], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test('console: accounts and top-up, the price before saving, revenue in Reports', async () => {
  // A billed category books by naming its account: the form is not refused up front.
  const policy = (await pat.get('/api/v1/me/policy')).json;
  assert.equal(policy.may_book, true);
  assert.equal(policy.account_required, true);
  assert.equal(policy.refusal, undefined);
  const browser = await launchBrowser();
  try {
    // An organizer: their own account read-only; the booking form shows the account and the price as it changes.
    {
      const { page, context, errors } = await newPage(browser, { width: 1366, height: 900 }, 'en-GB');
      await login(page, confpro.base, 'pat', password);
      await page.getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('heading', { name: 'My billing account' }).waitFor();
      await page.locator('tr[data-account="pat-prepaid"]').getByRole('button', { name: 'Statement' }).click();
      await page.locator('#acct-available').getByText(/^7\.50\sEUR$/).waitFor();
      assert.equal(await page.locator('#adjust-form').count(), 0, 'an organizer may not adjust');
      await page.getByRole('link', { name: 'Schedule' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Console billed');
      await page.getByLabel('Duration (minutes)').fill('30');
      await page.getByLabel('Max participants').fill('4');
      await page.getByText(/^Price: 5\.00\sEUR \(plan small\)$/).waitFor();
      await page.getByLabel('Duration (minutes)').fill('600');
      await page.getByText('No tariff plan covers this duration').waitFor();
      await page.getByLabel('Duration (minutes)').fill('30');
      await page.getByText(/^Price: 5\.00\sEUR \(plan small\)$/).waitFor();
      // The per-minute terms the end of the conference adds, under the price.
      await page.locator('#price-terms').getByText(/^Plus, at the end, per started minute: 0\.05\sEUR per participant-minute beyond 300; toll-free access 0\.10\sEUR a minute$/).waitFor();
      await page.getByLabel('Billing account').selectOption('pat-prepaid');
      await shot(page, 'billing-booking-form-1366-en-GB');
      await page.getByRole('button', { name: 'Book the conference' }).click();
      await page.getByRole('heading', { name: 'Conference booked' }).waitFor();
      assert.equal(account('pat-prepaid').held, '5.00');
      assert.deepEqual(errors, []);
      await context.close();
    }
    const [booked] = (await pat.get('/api/v1/bookings?name=Console%20billed')).json.items;
    capture(booked.id, 'pat-prepaid', 500);

    // An administrator: the accounts, a top-up with its confirmation, then revenue — at each width and language.
    // One signed-in context per language; the widths by resizing it.
    let toppedUp = false;
    for (const locale of ['en-GB', 'fr-FR']) {
      const fr = locale === 'fr-FR';
      const { page, context, errors } = await newPage(browser, { width: 1366, height: 900 }, locale);
      await login(page, confpro.base, 'admin', confpro.password());
      for (const width of [1366, 1024, 1920]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(confpro.base + '/accounts/pat-prepaid');
        await page.locator('#ledger').waitFor();
        if (!toppedUp) {
          await page.getByLabel('Amount').fill('1.234');
          await page.getByRole('button', { name: 'Top up / adjust…' }).click();
          await page.locator('p.form-error', { hasText: 'e.g. 20.00 to credit' }).waitFor();  // three decimals
          await page.getByLabel('Amount').fill('10.00');
          await page.getByLabel('Reason').fill('paid by bank transfer');
          await page.getByRole('button', { name: 'Top up / adjust…' }).click();
          await page.getByText(/^Credit 10\.00\sEUR to account pat-prepaid\?$/).waitFor();
          await shot(page, 'billing-adjust-confirm-1366-en-GB');
          await page.getByRole('button', { name: 'Confirm' }).click();
          await page.locator('#acct-balance').getByText(/^12\.50\sEUR$/).waitFor();  // 7.50 + 10.00 − 5.00 charged
          await page.locator('#ledger tr[data-kind="adjust"]').getByText('paid by bank transfer').waitFor();
          // Sharing: a hostile entry is refused naming it; then quinn may book with it and see it.
          assert.equal((await quinn.get('/api/v1/accounts')).json.items.length, 0);
          await page.getByLabel('Members').fill('quinn\nb o b');
          await page.getByRole('button', { name: 'Save sharing' }).click();
          await page.locator('#share-form + p.form-error', { hasText: "'b o b': a username has no space" }).waitFor();
          await page.getByLabel('Members').fill('quinn\ncn=Sales,ou=groups,dc=example,dc=org');
          await page.getByRole('button', { name: 'Save sharing' }).click();
          await page.locator('#acct-shared').getByText('quinn, cn=Sales,ou=groups,dc=example,dc=org').waitFor();
          assert.deepEqual((await quinn.get('/api/v1/accounts')).json.items.map((a) => a.name), ['pat-prepaid']);
          const paid = await quinn.post('/api/v1/bookings', booking('Quinn on Pat', { account: 'pat-prepaid' }));
          assert.equal(paid.status, 201, paid.text);
          assert.equal((await quinn.del(`/api/v1/bookings/${paid.json.id}`)).status, 204);
          await shot(page, 'billing-account-shared-1366-en-GB');
          toppedUp = true;
        } else {
          await page.locator('#acct-balance').getByText(fr ? /^12,50\sEUR$/ : /^12\.50\sEUR$/).waitFor();
        }
        await shot(page, `billing-accounts-${width}-${locale}`);
        await page.goto(confpro.base + '/reports');
        await page.locator('#revenue-table').waitFor();
        assert.equal(await page.locator('#revenue-table tfoot [data-total]').getAttribute('data-total'), '5.00');
        await page.locator('#rev-by').selectOption('owner');
        await page.locator('#revenue-table').getByText('pat').waitFor();
        await page.locator('#revenue-section').scrollIntoViewIfNeeded();
        await shot(page, `billing-revenue-${width}-${locale}`);
        // The booking form's account and price, as an administrator sees it (every account).
        await page.goto(confpro.base + '/schedule');
        await page.locator('input[name="max_participants"]').fill('4');
        await page.locator('#price-quote[data-price="5.00"]').waitFor();
        await shot(page, `billing-booking-form-${width}-${locale}`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const admin = await signedIn(confpro.base, 'admin', confpro.password());
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  const csv = await admin.get(`/api/v1/reports/revenue?from=${day(-1)}&to=${day(1)}&by=owner&format=csv`);
  assert.equal(csv.status, 200);
  assert.equal(csv.text, 'owner,currency,amount,captures\r\npat,EUR,5.00,1\r\ntotal,EUR,5.00,1\r\n');
  const audit = await admin.get('/api/v1/audit?target=account:pat-prepaid');
  assert.match(audit.text, /10\.00: paid by bank transfer/);
});
