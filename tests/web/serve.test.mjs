// The console inside the real product: `confpro serve` on a fresh database (free SIP and web ports), logging in
// with the administrator password it prints, booking through the API, the live list and event stream served by
// the real conference service, and the SPA's files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, startConfpro } from './harness.mjs';

let confpro, base;

before(async () => {
  confpro = await startConfpro();
  base = confpro.base;
});
after(async () => { await confpro?.stop(); });

test('log in with the printed administrator password, book, see the live list and stream', async () => {
  const password = confpro.password();
  assert.ok(password, 'no password printed: ' + confpro.output());
  const admin = new Client(base);
  assert.equal((await admin.login('admin', 'wrong-password')).status, 401);
  const login = await admin.login('admin', password);
  assert.equal(login.status, 201, login.text);
  assert.equal(login.json.user.role, 'admin');
  assert.equal(login.json.live_service, true);
  const b = await admin.post('/api/v1/bookings', { name: 'Served for real', duration_minutes: 30 });
  assert.equal(b.status, 201, b.text);
  assert.equal((await admin.get(`/api/v1/bookings?number=${b.json.number}`)).json.total, 1);
  const live = await admin.get('/api/v1/conferences/live');
  assert.equal(live.status, 200, live.text);
  assert.deepEqual(live.json.items, []);
  const stream = await fetch(base + '/api/v1/events', { headers: { Cookie: admin.cookie } });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type'), /text\/event-stream/);
  await stream.body.cancel();
  const page = await fetch(base + '/current');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="app"/);
  const doc = await admin.get('/api/v1/openapi.json');
  assert.equal(doc.json.openapi.slice(0, 2), '3.');
  assert.equal((await admin.del(`/api/v1/bookings/${b.json.id}`)).status, 204);
});
