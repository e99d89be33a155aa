// The console inside the real product: `confpro serve` on a fresh database (free SIP and web ports), logging in
// with the administrator password it prints, booking through the API, the live list and event stream served by
// the real conference service, and the SPA's files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from './harness.mjs';

// A port that was free a moment ago (SIP needs an explicit one).
function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

let child, dir, base, output = '';

before(async () => {
  const confpro = process.env.CONFPRO_BINARY;
  assert.ok(confpro, 'CONFPRO_BINARY is not set (run through ctest)');
  dir = mkdtempSync(join(tmpdir(), 'confpro-serve-'));
  const config = join(dir, 'confpro.toml');
  writeFileSync(config, `[server]
time_zone = "Europe/Paris"
data_dir = "${dir}/var"
[storage]
url = "sqlite://${dir}/confpro.db"
[log]
level = "warn"
[sip]
listen_address = "127.0.0.1"
port = ${await freePort()}
[ivr]
generated_dir = "${tmpdir()}/confpro-test-prompts"
[media]
recordings_dir = "${dir}/var/recordings"
[web]
address = "127.0.0.1"
port = 0
static_dir = "${process.env.CONFPRO_UI_DIST ?? 'ui/dist'}"
port_file = "${dir}/web.port"
`);
  child = spawn(confpro, ['--config', config, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 60000;
  while (!/confpro ready/.test(output) || !existsSync(join(dir, 'web.port'))) {
    if (child.exitCode !== null) throw new Error('confpro serve exited: ' + output);
    if (Date.now() > deadline) throw new Error('confpro serve did not start: ' + output);
    await new Promise((r) => setTimeout(r, 100));
  }
  base = `http://127.0.0.1:${readFileSync(join(dir, 'web.port'), 'utf8').trim()}`;
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => { child.on('exit', r); setTimeout(r, 10000); });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('log in with the printed administrator password, book, see the live list and stream', async () => {
  const password = output.match(/password: (\S+)/)?.[1];
  assert.ok(password, 'no password printed: ' + output);
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
