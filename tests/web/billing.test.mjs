// Billing over the API (issue 16): `confpro serve` with [[billing.plans]] and a billed category; accounts made
// with `confpro account` on the same database. A booking with an account holds its price; one the account
// cannot pay for is 402 with reason insufficient_credit and nothing stored; a billed category without an
// account is refused with account_required; an organizer cannot spend another's account. One server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { signedIn, startConfpro } from './harness.mjs';

const BILLING = `
[[billing.plans]]
name = "small"
max_duration_minutes = 60
max_participants = 5
price = "5.00"
currency = "EUR"

[[booking.category]]
name = "paying"
users = ["pat", "quinn"]
mode = "billed"

[[booking.category]]
name = "staff"
everyone = true
`;

let confpro, pat;
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
