// The REST API over real HTTP against a running server: every endpoint, every role, bad bodies, security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, signedIn } from './harness.mjs';

let server, root, alice, bob, anon;
const nowIso = () => new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z');

const booking = (over = {}) => ({
  name: 'Quarterly review ' + Math.random().toString(36).slice(2, 8), valid_from: '2030-03-01 09:00',
  duration_minutes: 60, validity_days: 3, max_participants: 8, language: 'fr', join_policy: 'pin',
  announce_moderator: true, record: false, announce_users: false, listen_only: false, wait_for_leader: false,
  invitees: [{ email: 'guest@example.com', phone: '', personal_pin: '' }], ...over,
});

// What an organizer `client` gets for someone else's `path` is exactly what it gets for the missing
// `missingPath`: 403 (issue 6: "including by guessing ids") with the same body, so ids of other organizers'
// bookings and conferences cannot be probed.
async function sameAsMissing(client, method, path, missingPath, body) {
  const other = await client.request(method, path, body);
  const missing = await client.request(method, missingPath, body);
  assert.equal(other.status, 403, `${method} ${path}: ${other.status} ${other.text}`);
  assert.equal(missing.status, 403, `${method} ${missingPath}: ${missing.status} ${missing.text}`);
  assert.equal(other.text, missing.text, `${method} ${path}`);
  assert.equal(other.headers.get('content-type'), missing.headers.get('content-type'), `${method} ${path}`);
}

before(async () => {
  server = await startServer();
  root = await signedIn(server.base, 'root');
  alice = await signedIn(server.base, 'alice');
  bob = await signedIn(server.base, 'bob');
  anon = new Client(server.base);
});
after(async () => { await server?.stop(); });

test('security headers are on every answer, API and static files', async () => {
  for (const path of ['/api/v1/session', '/', '/future', '/api/v1/openapi.json']) {
    const r = await anon.get(path);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('static files: SPA fallback, cache headers, 404 for missing assets', async () => {
  const index = await anon.get('/reports');
  assert.equal(index.status, 200);
  assert.match(index.text, /<div id="app"/);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const asset = index.text.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const js = await anon.get(asset);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.match(js.headers.get('cache-control'), /immutable/);
  assert.equal((await anon.get('/assets/nothing.js')).status, 404);
  assert.equal((await anon.get('/api/v1/nothing')).status, 404);
});

test('session: login, who am I, logout; cookie flags; new id per login', async () => {
  const c = new Client(server.base);
  const r = await c.login('alice');
  assert.equal(r.status, 201);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal(r.json.user.role, 'organizer');
  const first = c.cookie;
  await c.login('alice');
  assert.notEqual(c.cookie, first);
  assert.equal((await c.get('/api/v1/session')).json.user.username, 'alice');
  assert.equal((await c.del('/api/v1/session')).status, 204);
  assert.equal((await c.get('/api/v1/session')).status, 401);
});

test('login: wrong password 401, bad body 400, throttled after 5 failures with Retry-After', async () => {
  const c = new Client(server.base);
  assert.equal((await c.request('POST', '/api/v1/session', undefined, { raw: '{"username":' })).status, 400);
  const missing = await c.post('/api/v1/session', { username: 'bob' });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.fields[0].field, 'password');
  const extra = await c.post('/api/v1/session', { username: 'bob', password: 'x', remember: true });
  assert.deepEqual(extra.json.error.fields.map((f) => f.field), ['remember']);
  for (let i = 0; i < 5; i++) assert.equal((await c.login('victim-' + 'x', 'wrong')).status, 401);
  const blocked = await c.login('victim-x', 'wrong');
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
});

test('CSRF: a state change without the token is refused and changes nothing', async () => {
  const before = (await alice.get('/api/v1/bookings')).json.total;
  const r = await alice.post('/api/v1/bookings', booking(), { csrf: false });
  assert.equal(r.status, 403);
  const wrong = await alice.request('POST', '/api/v1/bookings', booking(), { csrf: false, headers: { 'X-CSRF-Token': 'f'.repeat(64) } });
  assert.equal(wrong.status, 403);
  assert.equal((await alice.get('/api/v1/bookings')).json.total, before);
});

// Peak resident memory of a process (kB), from /proc.
const peakRssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1]);

test('bodies over max_body_bytes (64 KiB here), even far over, get 413 with a JSON error and write nothing', async () => {
  const before = (await alice.get('/api/v1/bookings')).json.total;
  const peak = peakRssKb(server.pid);
  for (const size of [70 * 1024, 1024 * 1024, 40 * 1024 * 1024]) {
    const big = JSON.stringify(booking({ name: 'x'.repeat(size) }));
    const r = await alice.request('POST', '/api/v1/bookings', undefined, { raw: big });
    assert.equal(r.status, 413, `${size} bytes: ${r.status}`);
    assert.equal(r.json.error.fields[0].field, 'body');
    assert.match(r.json.error.fields[0].message, /at most 65536 bytes/);
  }
  // The connection still serves the next request, and the server never held the big bodies.
  assert.equal((await alice.get('/api/v1/bookings')).json.total, before);
  const grown = peakRssKb(server.pid) - peak;
  assert.ok(grown < 16 * 1024, `the server's peak memory grew by ${grown} kB while refusing the bodies`);
});

test('every protected endpoint answers 401 without a session', async () => {
  const doc = (await anon.get('/api/v1/openapi.json')).json;
  let checked = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item).filter((m) => m !== 'parameters')) {
      if (item[method].security?.length === 0) continue;  // public
      const concrete = path.replace(/\{[^}]+\}/g, '1');
      const r = await anon.request(method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? undefined : {});
      assert.equal(r.status, 401, `${method} ${path}`);
      checked++;
    }
  }
  assert.ok(checked >= 25, `checked ${checked}`);
});

test('bookings: create with every field, read, search, edit, delete', async () => {
  const created = await alice.post('/api/v1/bookings', booking({ name: 'Alpha board', record: true, wait_for_leader: true, language: 'en' }));
  assert.equal(created.status, 201, created.text);
  const b = created.json;
  assert.match(b.number, /^[1-9]\d{5}$/);
  assert.match(b.user_pin, /^\d{6}$/);
  assert.notEqual(b.user_pin, b.moderator_pin);
  assert.equal(b.owner, 'alice');
  assert.equal(b.valid_from, '2030-03-01T08:00:00Z');
  assert.equal(created.headers.get('location'), `/api/v1/bookings/${b.id}`);
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).json.record, true);
  const found = await alice.get(`/api/v1/bookings?number=${b.number}`);
  assert.equal(found.json.total, 1);
  assert.equal((await alice.get('/api/v1/bookings?name=ALPHA')).json.items[0].id, b.id);
  assert.equal((await alice.get('/api/v1/bookings?from=2030-03-01&to=2030-03-01&state=scheduled')).json.items.some((x) => x.id === b.id), true);
  const edited = await alice.patch(`/api/v1/bookings/${b.id}`, { duration_minutes: 120, version: b.version });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.json.duration_minutes, 120);
  assert.equal((await alice.patch(`/api/v1/bookings/${b.id}`, { duration_minutes: 30, version: b.version })).status, 409);
  assert.equal((await alice.del(`/api/v1/bookings/${b.id}`)).status, 204);
  // Gone: to an organizer, answered as any id that is not theirs (403); an administrator gets 404.
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).status, 403);
  assert.equal((await root.get(`/api/v1/bookings/${b.id}`)).status, 404);
});

test('bookings: a chosen number that is taken is a 409 naming the field', async () => {
  const a = (await alice.post('/api/v1/bookings', booking({ number: '734519' }))).json;
  assert.equal(a.number, '734519');
  const dup = await bob.post('/api/v1/bookings', booking({ number: '734519' }));
  assert.equal(dup.status, 409);
});

test('bookings: bad bodies name every field and write nothing', async () => {
  const before = (await root.get('/api/v1/bookings?limit=1')).json.total;
  const cases = [
    [{ raw: 'not json' }, ['body']],
    [{ raw: '[1]' }, ['body']],
    [{ raw: '' }, ['body']],
    [{ body: { name: 42, record: 'yes', colour: 'red' } }, ['name', 'record', 'colour']],
    [{ body: booking({ duration_minutes: 100000, max_participants: 1, user_pin: '12a4', validity_days: 0 }) },
      ['duration_minutes', 'max_participants', 'user_pin', 'validity_days']],
    [{ body: booking({ valid_from: 'tomorrow' }) }, ['valid_from']],
    [{ body: booking({ invitees: [{ email: 'not-an-email' }] }) }, ['invitees[0].email']],
    [{ body: booking({ language: 'de', join_policy: 'everyone' }) }, ['language', 'join_policy']],
    [{ body: booking({ duration_minutes: 1.5 }) }, ['duration_minutes']],
  ];
  for (const [input, fields] of cases) {
    const r = input.raw !== undefined ? await root.request('POST', '/api/v1/bookings', undefined, { raw: input.raw })
      : await root.post('/api/v1/bookings', input.body);
    assert.equal(r.status, 400, JSON.stringify(input) + ' → ' + r.text);
    assert.equal(r.json.error.code, 'invalid_argument');
    const got = r.json.error.fields.map((f) => f.field);
    for (const f of fields) assert.ok(got.includes(f), `${f} not in ${got} for ${JSON.stringify(input)}`);
    // Issue 12 item 10: each field error also names its rule by a stable reason, with the values it uses.
    for (const f of r.json.error.fields) {
      assert.match(f.reason ?? '', /^[a-z_]+$/, `no reason for ${JSON.stringify(f)}`);
      assert.equal(typeof f.params, 'object');
      assert.equal(typeof f.message, 'string');
    }
  }
  const pin = await root.post('/api/v1/bookings', booking({ user_pin: '4829', duration_minutes: 1000 }));
  const byField = Object.fromEntries(pin.json.error.fields.map((f) => [f.field, f]));
  assert.deepEqual(byField.user_pin, { field: 'user_pin', message: 'must be exactly 6 digits', reason: 'pin_length', params: { length: 6 } });
  assert.deepEqual(byField.duration_minutes.params, { min: 5, max: 480 });
  assert.equal(byField.duration_minutes.reason, 'range');
  const date = await root.post('/api/v1/bookings', booking({ valid_from: '31/02/2030 10:00' }));
  assert.deepEqual(date.json.error.fields.map((f) => f.reason), ['date_time_format']);
  const big = await root.post('/api/v1/bookings', booking({ name: 'x'.repeat(70000) }));
  assert.equal(big.status, 413);
  assert.equal(big.json.error.fields[0].field, 'body');
  assert.equal((await root.get('/api/v1/bookings?limit=1')).json.total, before);
  const q = await root.get('/api/v1/bookings?limit=5000&offset=-1&order=up');
  assert.equal(q.status, 400);
  assert.deepEqual(q.json.error.fields.map((f) => f.field).sort(), ['limit', 'offset', 'order']);
  assert.equal((await root.get('/api/v1/bookings/abc')).status, 400);
  assert.equal((await root.get('/api/v1/bookings/999999')).status, 404);
});

test('roles: an organizer cannot see or touch another organizer\'s bookings, even by id', async () => {
  const b = (await alice.post('/api/v1/bookings', booking())).json;
  // Another organizer's booking is answered exactly as a missing one: 403 both (nothing tells that it exists).
  await sameAsMissing(bob, 'GET', `/api/v1/bookings/${b.id}`, '/api/v1/bookings/999999999');
  await sameAsMissing(bob, 'PATCH', `/api/v1/bookings/${b.id}`, '/api/v1/bookings/999999999', { name: 'hijack' });
  await sameAsMissing(bob, 'DELETE', `/api/v1/bookings/${b.id}`, '/api/v1/bookings/999999999');
  const still = await alice.get(`/api/v1/bookings/${b.id}`);
  assert.equal(still.json.name, b.name, 'bob changed nothing');
  assert.equal(still.json.version, b.version);
  // A role, not an id, is what is lacking here: still 403.
  assert.equal((await bob.get('/api/v1/bookings?owner=alice')).status, 403);
  assert.ok((await bob.get('/api/v1/bookings')).json.items.every((x) => x.owner === 'bob'));
  assert.equal((await bob.post('/api/v1/bookings', booking({ owner: 'alice' }))).status, 403);
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).json.id, b.id);
  const adminView = await root.get(`/api/v1/bookings/${b.id}`);
  assert.equal(adminView.status, 200);
  const forBob = await root.post('/api/v1/bookings', booking({ owner: 'bob' }));
  assert.equal(forBob.json.owner, 'bob');
});

test('admin endpoints: organizers get 403; users, access numbers and audit work for admins', async () => {
  for (const [m, p, b] of [['GET', '/api/v1/users'], ['POST', '/api/v1/users', { username: 'z', password: 'zzzzzzzzzz' }],
    ['PATCH', '/api/v1/users/bob', { role: 'admin' }], ['DELETE', '/api/v1/users/bob'],
    ['POST', '/api/v1/access-numbers', { number: '0800' }], ['DELETE', '/api/v1/access-numbers/0800'], ['GET', '/api/v1/audit']]) {
    assert.equal((await alice.request(m, p, b)).status, 403, `${m} ${p}`);
  }
  const add = await root.post('/api/v1/users', { username: 'carol', password: 'carol-password-1', display_name: 'Carol', email: 'carol@example.com', role: 'organizer' });
  assert.equal(add.status, 201, add.text);
  assert.equal((await root.post('/api/v1/users', { username: 'carol', password: 'carol-password-1' })).status, 409);
  const bad = await root.post('/api/v1/users', { username: 'bad name!', password: 'short', role: 'king' });
  assert.equal(bad.status, 400);
  assert.ok(bad.json.error.fields.some((f) => f.field === 'role'));
  const carol = await signedIn(server.base, 'carol', 'carol-password-1');
  assert.equal((await root.patch('/api/v1/users/carol', { disabled: true })).status, 200);
  assert.equal((await carol.get('/api/v1/session')).status, 401, 'disabling ends the sessions');
  assert.equal((await new Client(server.base).login('carol', 'carol-password-1')).status, 401);
  assert.equal((await root.patch('/api/v1/users/root', { role: 'organizer' })).status, 409);
  assert.equal((await root.patch('/api/v1/users/nobody', { role: 'admin' })).status, 404);
  assert.equal((await root.get('/api/v1/users')).json.items.some((u) => u.username === 'carol' && u.disabled), true);
  assert.equal((await root.post('/api/v1/access-numbers', { number: '0800123456', label: 'Paris toll-free', kind: 'toll-free', language: 'fr' })).status, 200);
  assert.equal((await root.post('/api/v1/access-numbers', { number: '08OO', kind: 'cheap' })).status, 400);
  assert.ok((await alice.get('/api/v1/access-numbers')).json.items.some((n) => n.number === '0800123456'));
  assert.equal((await root.del('/api/v1/access-numbers/0800123456')).status, 204);
  assert.equal((await root.del('/api/v1/access-numbers/0800123456')).status, 404);
  assert.equal((await root.del('/api/v1/users/carol')).status, 204);
  const audit = (await root.get('/api/v1/audit?limit=200')).json.items.map((e) => e.action);
  for (const a of ['user.add', 'user.update', 'user.remove', 'access_number.upsert', 'access_number.remove', 'booking.create', 'session.login']) {
    assert.ok(audit.includes(a), `${a} not audited`);
  }
});

test('live: list, actions, invite; organizers only their own; bad ids', async () => {
  const b = (await alice.post('/api/v1/bookings', booking({ valid_from: nowIso(), validity_days: 1 }))).json;
  assert.equal(await server.live({ op: 'open', booking: b.id }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: b.id, participant: 1, number: '+33611111111', role: 'moderator' }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: b.id, participant: 2, number: '+33622222222' }), 'ok');
  const list = await alice.get('/api/v1/conferences/live');
  assert.equal(list.status, 200);
  const conf = list.json.items.find((c) => c.booking_id === b.id);
  assert.equal(conf.participants.length, 2);
  assert.equal((await bob.get('/api/v1/conferences/live')).json.items.some((c) => c.booking_id === b.id), false);
  const base = `/api/v1/conferences/live/${b.id}`;
  // Bob gets for alice's live conference exactly what he gets for a booking id that is not live at all.
  const none = '/api/v1/conferences/live/999999999';
  await sameAsMissing(bob, 'GET', base, none);
  for (const action of ['participants/2/mute', 'participants/2/unmute', 'participants/2/eject', 'lock', 'unlock', 'end']) {
    await sameAsMissing(bob, 'POST', `${base}/${action}`, `${none}/${action}`, {});
  }
  await sameAsMissing(bob, 'POST', `${base}/invite`, `${none}/invite`, { number: '+33644444444' });
  assert.equal((await alice.get(base)).json.participants.length, 2, 'bob ejected no one');
  assert.equal((await alice.post(`${base}/participants/2/mute`)).status, 204);
  assert.equal((await alice.get(base)).json.participants.find((p) => p.id === 2).muted, true);
  assert.equal((await alice.post(`${base}/participants/2/unmute`)).status, 204);
  assert.equal((await alice.post(`${base}/lock`)).status, 204);
  assert.equal((await alice.get(base)).json.locked, true);
  assert.equal((await alice.post(`${base}/unlock`)).status, 204);
  assert.equal((await alice.post(`${base}/invite`, { number: 'call me' })).status, 400);
  assert.equal((await alice.post(`${base}/invite`, { number: '+33633333333', extra: 1 })).status, 400);
  const inv = await alice.post(`${base}/invite`, { number: '+33633333333' });
  assert.equal(inv.status, 202);
  assert.equal(inv.json.status, 'dialing');
  assert.equal((await alice.post(`${base}/participants/2/eject`)).status, 204);
  assert.equal((await alice.post(`${base}/participants/2/eject`)).status, 404);
  assert.equal((await alice.post(`${base}/participants/x/eject`)).status, 400);
  assert.equal((await root.post(`${base}/end`)).status, 204);
  assert.equal((await alice.get(base)).status, 404);  // her own booking, no longer live
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).json.state, 'ended');

  // It is now in Past, with its connection history, and in the day's report.
  const past = await alice.get(`/api/v1/conferences/past?number=${b.number}`);
  assert.equal(past.json.items.length, 1);
  const sid = past.json.items[0].session_id;
  const detail = await alice.get(`/api/v1/conferences/past/${sid}`);
  assert.equal(detail.json.close_reason, 'ended-by-admin');
  assert.deepEqual(detail.json.connections.map((c) => [c.caller_number, c.leave_reason]).sort(),
    [['+33611111111', 'conference-ended'], ['+33622222222', 'ejected']]);
  await sameAsMissing(bob, 'GET', `/api/v1/conferences/past/${sid}`, '/api/v1/conferences/past/999999999');
  await sameAsMissing(bob, 'GET', `/api/v1/conferences/past/${sid}/recording`, '/api/v1/conferences/past/999999999/recording');
  assert.equal((await alice.get(`/api/v1/conferences/past/${sid}/recording`)).status, 404);
  // Report days are local days of the server's zone (the harness runs Europe/Paris), not UTC days.
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const report = await alice.get(`/api/v1/reports?from=${day}&to=${day}`);
  assert.equal(report.status, 200);
  assert.ok(report.json.totals.used >= 1);
  const csv = await alice.get(`/api/v1/reports?from=${day}&to=${day}&format=csv`);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.match(csv.text, /^section,key,planned,used,conference_minutes,participant_minutes\r\n/);
  assert.equal((await bob.get(`/api/v1/reports?from=${day}&to=${day}&owner=alice`)).status, 403);
  const badReport = await alice.get('/api/v1/reports?from=2026-13-01&format=xml');
  assert.equal(badReport.status, 400);
  assert.deepEqual(badReport.json.error.fields.map((f) => f.field).sort(), ['format', 'from', 'to']);
  assert.equal(badReport.json.error.fields.find((f) => f.field === 'from').reason, 'date_format');
  assert.equal(badReport.json.error.fields.find((f) => f.field === 'to').reason, 'required');
  assert.equal((await root.get('/api/v1/audit?limit=300')).json.items.some((e) => e.action === 'live.end'), true);
});

test('deleting an active conference ends it first', async () => {
  const b = (await alice.post('/api/v1/bookings', booking({ valid_from: nowIso(), validity_days: 1 }))).json;
  assert.equal(await server.live({ op: 'open', booking: b.id }), 'ok');
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).json.state, 'active');
  assert.equal((await alice.del(`/api/v1/bookings/${b.id}`)).status, 204);
  assert.equal((await alice.get(`/api/v1/conferences/live/${b.id}`)).status, 403);  // deleted: not hers any more
  assert.equal((await root.get(`/api/v1/conferences/live/${b.id}`)).status, 404);
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).status, 403);
});

test('method not allowed and unknown API paths', async () => {
  assert.equal((await root.request('PUT', '/api/v1/bookings', {})).status, 405);
  assert.equal((await root.get('/api/v1/bookings/1/2/3')).status, 404);
});

test('without the live service, live endpoints answer 503 with a JSON error', async () => {
  const s = await startServer({ live: false });
  try {
    const c = await signedIn(s.base, 'alice');
    const r = await c.get('/api/v1/conferences/live');
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'unavailable');
    assert.match(r.json.error.message, /live conference service is not running/);
    assert.equal((await c.get('/api/v1/session')).json.live_service, false);
  } finally {
    await s.stop();
  }
});

test('HTTPS when a certificate is configured: the session cookie is Secure and HSTS is sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'confpro-tls-'));
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const s = await startServer({ live: false, tls: { cert, key } });
  try {
    const res = await new Promise((resolve, reject) => {
      const body = JSON.stringify({ username: 'alice', password: 'alice-password-1' });
      const req = httpsRequest({ host: '127.0.0.1', port: s.port, path: '/api/v1/session', method: 'POST', rejectUnauthorized: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (r) => {
        let text = '';
        r.on('data', (d) => { text += d; });
        r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers['set-cookie'][0], /; Secure/);
    assert.match(res.headers['strict-transport-security'], /max-age=/);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// A conference of alice's, opened and closed with `data` as its recording (a file in `dir`); its session id.
async function pastRecording(dir, data) {
  const b = (await alice.post('/api/v1/bookings', booking({ valid_from: nowIso(), validity_days: 1, record: true }))).json;
  const wav = join(dir, 'rec.wav');
  writeFileSync(wav, data);
  assert.equal(await server.live({ op: 'open', booking: b.id, ago_s: 120 }), 'ok');
  assert.equal(await server.live({ op: 'recording', booking: b.id, path: wav }), 'ok');
  assert.equal(await server.live({ op: 'close', booking: b.id }), 'ok');
  return (await alice.get(`/api/v1/conferences/past?number=${b.number}`)).json.items[0].session_id;
}

test('recordings download whole or by HTTP Range; only for the owner', async () => {
  const dir = mkdtempSync(join(server.recordingsDir, 'rec-'));
  const data = Buffer.alloc(10000);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  data.write('RIFF', 0);
  try {
    const sid = await pastRecording(dir, data);
    assert.equal((await alice.get(`/api/v1/conferences/past/${sid}`)).json.has_recording, true);
    const url = `${server.base}/api/v1/conferences/past/${sid}/recording`;
    const whole = await fetch(url, { headers: { Cookie: alice.cookie } });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'audio/wav');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), data);
    const part = await fetch(url, { headers: { Cookie: alice.cookie, Range: 'bytes=5000-5009' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 5000-5009/10000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(5000, 5010));
    const tail = await fetch(url, { headers: { Cookie: alice.cookie, Range: 'bytes=-4' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), data.subarray(9996));
    assert.equal((await fetch(url, { headers: { Cookie: alice.cookie, Range: 'bytes=20000-' } })).status, 416);
    await sameAsMissing(bob, 'GET', `/api/v1/conferences/past/${sid}/recording`, '/api/v1/conferences/past/999999999/recording');
    await sameAsMissing(bob, 'GET', `/api/v1/conferences/past/${sid}`, '/api/v1/conferences/past/999999999');
    assert.equal((await fetch(url)).status, 401);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 50 MB recording is streamed from the file: whole and Range reads keep the server small', async () => {
  const dir = mkdtempSync(join(server.recordingsDir, 'rec-'));
  const size = 50 * 1024 * 1024;
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) data.writeUInt32LE(i, i);
  data.write('RIFF', 0);
  try {
    const sid = await pastRecording(dir, data);
    const url = `${server.base}/api/v1/conferences/past/${sid}/recording`;
    const before = peakRssKb(server.pid);
    const part = await fetch(url, { headers: { Cookie: alice.cookie, Range: `bytes=${size - 40 * 4096}-` } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes ${size - 40 * 4096}-${size - 1}/${size}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(size - 40 * 4096));
    const mid = await fetch(url, { headers: { Cookie: alice.cookie, Range: 'bytes=4096-30000000' } });
    assert.equal(mid.status, 206);
    assert.deepEqual(Buffer.from(await mid.arrayBuffer()), data.subarray(4096, 30000001));
    const whole = await fetch(url, { headers: { Cookie: alice.cookie } });
    assert.equal(whole.status, 200);
    assert.equal(Number(whole.headers.get('content-length')), size);
    assert.ok(Buffer.from(await whole.arrayBuffer()).equals(data));
    // Reading 50 MB into memory would raise the peak by at least that much.
    const grown = peakRssKb(server.pid) - before;
    assert.ok(grown < 16 * 1024, `the server's peak memory grew by ${grown} kB while serving the recording`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
