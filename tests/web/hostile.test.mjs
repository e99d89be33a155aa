// Hostile input over real HTTP (issue 6 review): HEAD framing, odd methods on static and API paths, bodies that
// are not JSON or repeat a key, CSV cells a spreadsheet would run, inverted date ranges, event streams that
// outlive their session or pile up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { startServer, Client, signedIn } from './harness.mjs';

let server, root, alice, anon;
before(async () => {
  server = await startServer({ heartbeat: 1, maxStreams: 4 });
  root = await signedIn(server.base, 'root');
  alice = await signedIn(server.base, 'alice');
  anon = new Client(server.base);
});
after(async () => { await server?.stop(); });

const booking = (over = {}) => ({
  name: 'Hostile ' + Math.random().toString(36).slice(2, 8), valid_from: '2030-03-01 09:00', duration_minutes: 60,
  validity_days: 3, max_participants: 8, language: 'fr', join_policy: 'pin', ...over,
});

// Sends raw bytes on one connection and returns everything the server wrote until it closed it.
function rawExchange(text) {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => { socket.destroy(); resolve(data); });
    socket.write(text);
  });
}

test('HEAD: the headers of GET with its Content-Length, no body, and the next answer on the connection intact', async () => {
  for (const path of ['/future', '/api/v1/openapi.json']) {
    const get = await fetch(server.base + path);
    const length = (await get.arrayBuffer()).byteLength;
    const out = await rawExchange(`HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\n` +
      'GET /favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const [head, rest] = [out.slice(0, out.indexOf('\r\n\r\n')), out.slice(out.indexOf('\r\n\r\n') + 4)];
    assert.match(head, /^HTTP\/1\.1 200 /, path);
    assert.match(head, new RegExp(`content-length: ${length}\\r?$`, 'im'), path);
    assert.match(head, /content-security-policy: .*frame-ancestors 'none'/i, path);
    assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/, `${path}: a body followed the HEAD answer: ${rest.slice(0, 60)}`);
  }
});

test('odd methods: 405 with Allow on static pages and API paths, security headers on the error too', async () => {
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST']) {
    for (const path of ['/', '/future', '/favicon.svg']) {
      const r = await anon.request(method, path);
      assert.equal(r.status, 405, `${method} ${path}`);
      assert.equal(r.headers.get('allow'), 'GET, HEAD', `${method} ${path}`);
      assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
  }
  const put = await root.request('PUT', '/api/v1/bookings', {});
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
  const r = await root.request('OPTIONS', '/api/v1/session');
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'POST, GET, HEAD, DELETE');
  assert.equal((await root.request('HEAD', '/api/v1/bookings')).status, 200);
});

test('a body that is not application/json is 415 (login and bookings) and writes nothing', async () => {
  const before = (await alice.get('/api/v1/bookings?limit=1')).json.total;
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null]) {
    const headers = { Cookie: alice.cookie, 'X-CSRF-Token': alice.csrf };
    if (type) headers['Content-Type'] = type;
    const r = await fetch(server.base + '/api/v1/bookings', { method: 'POST', headers, body: JSON.stringify(booking()) });
    assert.equal(r.status, 415, String(type));
    assert.equal((await r.json()).error.fields[0].field, 'Content-Type');
    const login = await fetch(server.base + '/api/v1/session', {
      method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: '{"username":"alice","password":"x"}' });
    assert.equal(login.status, 415, 'login ' + type);
  }
  assert.equal((await alice.get('/api/v1/bookings?limit=1')).json.total, before);
  const ok = await alice.request('POST', '/api/v1/bookings', undefined, {
    raw: JSON.stringify(booking()), headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
  assert.equal(ok.status, 201);
});

test('a key repeated in a JSON body is a 400 naming it, and nothing is written', async () => {
  const before = (await alice.get('/api/v1/bookings?limit=1')).json.total;
  const text = JSON.stringify(booking()).replace('{', '{"name":"first",');
  const r = await alice.request('POST', '/api/v1/bookings', undefined, { raw: text });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.fields[0].field, 'name');
  assert.equal((await alice.get('/api/v1/bookings?limit=1')).json.total, before);
  const login = await anon.request('POST', '/api/v1/session', undefined,
    { raw: '{"username":"alice","username":"root","password":"x"}' });
  assert.equal(login.status, 400);
});

test('report CSV: cells a spreadsheet would read as formulas start with an apostrophe', async () => {
  for (const username of ['-2-3', '@A1']) {
    const u = await root.post('/api/v1/users', { username, password: 'formula-password-1', role: 'organizer' });
    assert.equal(u.status, 201, u.text);
    const b = await root.post('/api/v1/bookings', booking({ owner: username }));
    assert.equal(b.status, 201, b.text);
  }
  const r = await root.get('/api/v1/reports?from=2030-03-01&to=2030-03-31&format=csv');
  assert.equal(r.status, 200);
  assert.match(r.text, /^owner,'-2-3,/m);
  assert.match(r.text, /^owner,'@A1,/m);
  for (const line of r.text.trim().split('\r\n')) {
    for (const cell of line.split(',')) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, line);
  }
});

test('a + in a path is itself: an access number "+33…" is deleted by its plain URL', async () => {
  const number = '+3319' + Math.floor(Math.random() * 1e6);
  const r = await root.post('/api/v1/access-numbers', { number, label: 'Plus', kind: 'local', language: 'fr' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await root.del('/api/v1/access-numbers/' + number)).status, 204);
  const left = (await root.get('/api/v1/access-numbers')).json.items.map((n) => n.number);
  assert.ok(!left.includes(number), left.join());
});

test('bookings search: to before from is a 400 naming to', async () => {
  const r = await alice.get('/api/v1/bookings?from=2030-03-10&to=2030-03-01');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.fields[0].field, 'to');
});

// Opens an event stream; resolves with the response (its body unread until read()).
async function stream(client) {
  const ctrl = new AbortController();
  const res = await fetch(server.base + '/api/v1/events', { headers: { Cookie: client.cookie }, signal: ctrl.signal });
  return { res, close: () => ctrl.abort() };
}

test('an event stream ends when its session logs out', async () => {
  const carol = await signedIn(server.base, 'bob');
  const s = await stream(carol);
  assert.equal(s.res.status, 200);
  assert.equal((await carol.del('/api/v1/session')).status, 204);
  const ended = (async () => { for await (const _ of s.res.body) { /* drain */ } return true; })();
  const result = await Promise.race([ended, new Promise((r) => setTimeout(() => r(false), 6000))]);
  s.close();
  assert.equal(result, true, 'the stream was still open 6 s after logout');
});

test('event streams are bounded: past the limit 503 with Retry-After, the API still answers, closed ones free a slot', async () => {
  const open = [];
  for (;;) {
    const s = await stream(root);
    if (s.res.status !== 200) {
      assert.equal(s.res.status, 503);
      assert.ok(Number(s.res.headers.get('retry-after')) > 0);
      break;
    }
    open.push(s);
    assert.ok(open.length <= 4, 'more streams than max_event_streams were opened');
  }
  assert.equal(open.length, 4);
  assert.equal((await alice.get('/api/v1/bookings?limit=1')).status, 200);
  open.pop().close();
  let reopened = null;
  for (const end = Date.now() + 10000; Date.now() < end && !reopened;) {
    const s = await stream(root);
    if (s.res.status === 200) reopened = s; else await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(reopened, 'a closed stream did not free its slot');
  for (const s of [...open, reopened]) s.close();
});

test('event streams whose clients never read do not make the server grow; a new stream still gets events', async () => {
  const own = await startServer({ heartbeat: 1 });
  try {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${own.pid}/status`, 'utf8'))[1]) * 1024;
    const admin = await signedIn(own.base, 'root');
    const stalled = [];
    for (let i = 0; i < 12; i++) {
      const socket = connect(own.port, '127.0.0.1');
      socket.pause();  // never reads
      socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n\r\n`);
      stalled.push(socket);
    }
    const b = (await admin.post('/api/v1/bookings', { name: 'Stalled readers',
      valid_from: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z') })).json;
    assert.equal(await own.live({ op: 'open', booking: b.id }), 'ok');
    const start = rss();
    const name = 'n'.repeat(1500);
    for (let i = 1; i <= 5000; i++) {
      await own.live({ op: i % 2 ? 'join' : 'leave', booking: b.id, participant: 1, number: '+33610000001', name });
    }
    const grown = rss() - start;
    assert.ok(grown < 40 * 1024 * 1024, `the server grew by ${(grown / 1048576).toFixed(0)} MB`);
    const ctrl = new AbortController();
    const reader = await fetch(own.base + '/api/v1/events', { headers: { Cookie: admin.cookie }, signal: ctrl.signal });
    assert.equal(reader.status, 200);
    let seen = '';
    const reading = (async () => { try { for await (const c of reader.body) seen = (seen + Buffer.from(c)).slice(-4096); } catch { /* aborted */ } })();
    await own.live({ op: 'join', booking: b.id, participant: 2, number: '+33610000002' });
    for (const end = Date.now() + 3000; !seen.includes('+33610000002') && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen.includes('+33610000002'), 'a new stream got no event after the burst');
    assert.equal((await admin.get('/api/v1/bookings?limit=1')).status, 200);
    ctrl.abort();
    await reading;
    for (const s of stalled) s.destroy();
  } finally {
    await own.stop();
  }
});

test('stopping the server with event streams open exits cleanly', async () => {
  for (let round = 0; round < 3; round++) {
    const own = await startServer({ heartbeat: 1 });
    const admin = await signedIn(own.base, 'root');
    const streams = [];
    for (let i = 0; i < 4; i++) {
      const ctrl = new AbortController();
      const r = await fetch(own.base + '/api/v1/events', { headers: { Cookie: admin.cookie }, signal: ctrl.signal });
      assert.equal(r.status, 200);
      streams.push(ctrl);
    }
    await new Promise((r) => setTimeout(r, 1200));  // a heartbeat or two in flight
    await own.stop();
    streams.forEach((c) => c.abort());
    assert.deepEqual(own.exit(), { code: 0, signal: null }, `round ${round}`);
  }
});

// POST /api/v1/session from the local address `from`: { status, retryAfter }.
function loginFrom(from, username, password) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = httpRequest({ host: '127.0.0.1', port: server.port, localAddress: from, method: 'POST',
      path: '/api/v1/session', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
    (res) => { res.resume(); res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] })); });
    req.on('error', reject);
    req.end(body);
  });
}

test('login throttling (issue 11): an attacker elsewhere backs off with 429 and never locks the owner out', async () => {
  const statuses = [];
  for (let i = 0; i < 20; i++) statuses.push((await loginFrom('127.0.0.2', 'bob', 'wrong-' + i)).status);
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  // Past 5 failures: 429 while backing off (1 s, then 2 s, 4 s…: a slow machine may see a try or two end in 401).
  assert.ok(statuses.slice(5).every((s) => s === 429 || s === 401), statuses.join());
  assert.ok(statuses.slice(5).filter((s) => s === 401).length <= 2, statuses.join());
  const refused = await loginFrom('127.0.0.2', 'bob', 'bob-password-12');  // even the right password, from there
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.retryAfter) >= 1, `Retry-After: ${refused.retryAfter}`);
  // The owner, from an address with no failures, gets in at once; so do the attacker's other addresses' owners.
  const owner = await loginFrom('127.0.0.1', 'bob', 'bob-password-12');
  assert.equal(owner.status, 201);
  assert.equal((await loginFrom('127.0.0.3', 'bob', 'bob-password-12')).status, 201);
  // The back-off ends (Retry-After is honest): never a 15-minute ban.
  await new Promise((r) => setTimeout(r, Number(refused.retryAfter) * 1000));
  assert.equal((await loginFrom('127.0.0.2', 'bob', 'wrong-again')).status, 401);
  const longer = await loginFrom('127.0.0.2', 'bob', 'wrong-again');
  assert.equal(longer.status, 429);
  assert.ok(Number(longer.retryAfter) >= 2, `the back-off grows: Retry-After ${longer.retryAfter}`);
  // The audit log still records the owner's logins.
  const audit = await root.get('/api/v1/audit?actor=bob&limit=5');
  assert.ok(audit.json.items.some((e) => e.actor === 'bob' && /127\.0\.0\.1/.test(e.details)), audit.text);
});
