// Booking policy (issue 14 item 2, FEATURES.md B7) in the real product: `confpro serve` with [[booking.category]]
// tables; the same decision over the API (GET /api/v1/me/policy, refusals in the error shape) and from
// `confpro booking create` on the same database, and the console's booking form offering only what the category
// allows (screenshots at 1024/1366/1920 px, en-GB and fr-FR). One server for the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client, signedIn, startConfpro } from './harness.mjs';
import { launchBrowser, login, newPage, shot } from './browser_support.mjs';

const CATEGORIES = `
[[booking.category]]
name = "staff"
users = ["sam", "tess"]
max_duration_minutes = 90
max_participants = 12
max_active_bookings = 1
recording_allowed = false

[[booking.category]]
name = "visitors"
everyone = true
mode = "refused"
`;

let confpro, admin;
const password = 'policy-password-1';

before(async () => {
  confpro = await startConfpro({ extra: CATEGORIES });
  admin = await signedIn(confpro.base, 'admin', confpro.password());
  for (const username of ['sam', 'tess', 'vic']) {
    const r = await admin.post('/api/v1/users', { username, password, role: 'organizer' });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await confpro?.stop(); });

test('the API answers the category, its limits, and refuses with a stable reason', async () => {
  const sam = await signedIn(confpro.base, 'sam', password);
  const policy = await sam.get('/api/v1/me/policy');
  assert.equal(policy.status, 200, policy.text);
  assert.equal(policy.json.category, 'staff');
  assert.equal(policy.json.may_book, true);
  assert.equal(policy.json.limits.max_duration_minutes, 90);
  assert.equal(policy.json.limits.max_participants, 12);
  assert.equal(policy.json.limits.default_max_participants, 10);
  assert.equal(policy.json.limits.recording_allowed, false);

  const over = await sam.post('/api/v1/bookings', { name: 'Too long', duration_minutes: 120, record: true });
  assert.equal(over.status, 400, over.text);
  assert.equal(over.json.error.reason, 'category_limit');
  const fields = Object.fromEntries(over.json.error.fields.map((f) => [f.field, f]));
  assert.equal(fields.duration_minutes.reason, 'category_limit');
  assert.equal(fields.duration_minutes.params.max, 90);
  assert.ok(fields.record, over.text);

  const ok = await sam.post('/api/v1/bookings', { name: 'Within limits', duration_minutes: 90 });
  assert.equal(ok.status, 201, ok.text);
  const second = await sam.post('/api/v1/bookings', { name: 'One too many' });
  assert.equal(second.status, 403, second.text);
  assert.equal(second.json.error.code, 'permission_denied');
  assert.equal(second.json.error.reason, 'too_many_bookings');
  assert.equal(second.json.error.params.max, 1);
  assert.match(second.json.error.message, /bookings in force/);
  assert.equal((await sam.get('/api/v1/me/policy')).json.refusal.reason, 'too_many_bookings');

  const vic = await signedIn(confpro.base, 'vic', password);
  const refused = await vic.post('/api/v1/bookings', { name: 'Visitor' });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error.reason, 'booking_refused');
  assert.match(refused.json.error.message, /not allowed.*visitors/);
  const vicPolicy = (await vic.get('/api/v1/me/policy')).json;
  assert.equal(vicPolicy.may_book, false);
  assert.equal(vicPolicy.refusal.reason, 'booking_refused');

  // Administrators are not limited, and book for others within nobody's category.
  const forVic = await admin.post('/api/v1/bookings', { name: 'Booked for Vic', owner: 'vic', record: true });
  assert.equal(forVic.status, 201, forVic.text);
  assert.equal((await admin.get('/api/v1/me/policy')).json.limited, false);
  assert.equal((await new Client(confpro.base).get('/api/v1/me/policy')).status, 401);
});

test('confpro booking create takes the same decision for the owner', () => {
  const cli = (args) => spawnSync(process.env.CONFPRO_BINARY,
    ['--config', join(confpro.dir, 'confpro.toml'), 'booking', 'create', ...args, '--json'], { encoding: 'utf8' });
  const refused = cli(['--name', 'CLI visitor', '--owner', 'vic']);
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.equal(JSON.parse(refused.stdout).error.reason, 'booking_refused');
  assert.match(refused.stderr, /not allowed/);
  const over = cli(['--name', 'CLI staff', '--owner', 'sam', '--duration', '60']);
  assert.equal(over.status, 2, over.stdout + over.stderr);
  assert.equal(JSON.parse(over.stdout).error.reason, 'too_many_bookings');
  const adminOwn = cli(['--name', 'CLI admin', '--owner', 'admin', '--duration', '300', '--record']);
  assert.equal(adminOwn.status, 0, adminOwn.stdout + adminOwn.stderr);
});

test('the booking form offers only what the category allows and shows why it may not book', async () => {
  const browser = await launchBrowser();
  try {
    for (const locale of ['en-GB', 'fr-FR']) {
      const fr = locale === 'fr-FR';
      for (const width of [1024, 1366, 1920]) {
        const { page, context, errors } = await newPage(browser, { width, height: 900 }, locale);
        await login(page, confpro.base, 'tess', password);
        await page.goto(confpro.base + '/schedule');
        const duration = page.getByLabel(fr ? 'Durée (minutes)' : 'Duration (minutes)');
        await page.locator('.policy-note', { hasText: 'staff' }).waitFor();
        assert.equal(await duration.getAttribute('max'), '90');
        assert.equal(await page.getByLabel(fr ? 'Participants max.' : 'Max participants').getAttribute('max'), '12');
        assert.equal(await page.getByLabel(fr ? 'Participants max.' : 'Max participants').inputValue(), '10');
        assert.ok(await page.getByLabel(fr ? 'Enregistrer la conférence' : 'Record the conference').isDisabled());
        await duration.fill('120');
        await page.getByText(fr ? 'Entre 5 et 90' : 'Between 5 and 90').waitFor();
        await shot(page, `policy-form-${locale}-${width}`);
        await context.close();

        const visitor = await newPage(browser, { width, height: 900 }, locale);
        await login(visitor.page, confpro.base, 'vic', password);
        await visitor.page.goto(confpro.base + '/schedule');
        await visitor.page.locator('form[data-refused="booking_refused"]').waitFor();
        const said = await visitor.page.locator('.policy-note').textContent();
        assert.match(said, fr ? /ne peut pas réserver.*visitors/ : /may not book.*visitors/);
        assert.ok(await visitor.page.getByRole('button', { name: fr ? /Réserver/ : /Book the conference/ }).isDisabled());
        await shot(visitor.page, `policy-refused-${locale}-${width}`);
        await visitor.context.close();
        assert.deepEqual([...errors, ...visitor.errors], []);
      }
    }
  } finally {
    await browser.close();
  }
});
