// Connection exhaustion over real sockets (issue 11: 20,000 idle connections used every descriptor; SIP calls then
// failed for want of an RTP socket, and once they closed the listener never accepted again). Caps in total and
// per source address (sources are 127.x.y.z addresses: all of 127/8 is loopback), the idle / slow-request
// timeout, a normal client served meanwhile, and the listener accepting again after running out of descriptors.
// Bounded: at most a few hundred sockets, every wait with a deadline.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startConfpro } from './harness.mjs';

const cleanup = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// An open TCP connection from `from`; `closedAt` is set (ms since opening) when the server closes it.
function open(port, from = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from });
    const c = { socket: s, openedAt: 0, closedAt: null, data: '' };
    s.on('data', (d) => { c.data += d; });
    const closed = () => { if (c.closedAt === null) c.closedAt = Date.now() - c.openedAt; };
    s.on('end', closed);
    s.on('close', closed);
    s.on('error', () => closed());
    s.once('connect', () => { c.openedAt = Date.now(); resolve(c); });
    s.once('error', reject);
  });
}
const openMany = async (port, n, from) => { const out = []; for (let i = 0; i < n; i++) out.push(await open(port, from)); return out; };
const closeAll = (conns) => conns.forEach((c) => c.socket.destroy());

// Waits until `pred()` holds or `ms` passed; returns whether it held.
async function until(pred, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) { if (pred()) return true; await sleep(50); }
  return pred();
}

// GET / from `from` on a fresh connection: the status (0 when closed unanswered).
function page(port, from = '127.0.0.1', path = '/') {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from });
    let data = '';
    s.on('data', (d) => { data += d; });
    const done = () => { const m = data.match(/^HTTP\/1\.1 (\d{3})/); resolve(m ? Number(m[1]) : 0); };
    s.on('close', done);
    s.on('error', () => {});
    s.setTimeout(5000, () => s.destroy());
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

test('caps per source and in total: over-cap connections are closed at once, a normal client is served', async () => {
  const server = await startServer({ live: false, maxConnections: 40, maxConnectionsPerSource: 10, readTimeout: 4 });
  cleanup.push(() => server.stop());
  const { port } = server;
  // One source: 10 stay open, the next 5 are closed at once (well before the 4 s read timeout).
  const kept = await openMany(port, 10, '127.0.0.2');
  const over = await openMany(port, 5, '127.0.0.2');
  assert.ok(await until(() => over.every((c) => c.closedAt !== null), 1500), 'over-cap connections left open');
  assert.ok(over.every((c) => c.closedAt < 1500 && c.data === ''), over.map((c) => c.closedAt).join());
  assert.ok(kept.every((c) => c.closedAt === null), 'a connection under the cap was closed');
  assert.equal(await page(port, '127.0.0.1'), 200, 'a normal client is refused while one source is at its cap');
  // In total: busy sources get at most 36 of the 40 places; the last 4 are kept for sources with fewer than 4
  // connections (a browser still gets the page), and past 40 a fresh source is closed at once.
  const more = [];
  for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) more.push(...await openMany(port, 10, from));
  await until(() => more.filter((c) => c.closedAt !== null).length >= 4, 1500);
  await sleep(200);
  assert.equal(more.filter((c) => c.closedAt === null).length, 26, 'busy sources took the places kept for others');
  assert.equal(await page(port, '127.0.0.1'), 200, 'a normal client is refused while busy sources fill the server');
  // Five fresh sources for the last 4 places: one of them is closed at once. Which one is the server's accept
  // order, not the connect order (several accepts run at once on the server's threads), so the test does not
  // name it (CI once saw the fifth accepted before the fourth).
  const fresh = [];
  for (const from of ['127.1.0.1', '127.1.0.2', '127.1.0.3', '127.1.0.4', '127.1.2.3']) {
    fresh.push(await open(port, from));
  }
  assert.ok(await until(() => fresh.some((c) => c.closedAt !== null), 1500),
    'a connection over the total cap stayed open');
  await sleep(200);
  assert.equal(fresh.filter((c) => c.closedAt !== null).length, 1, fresh.map((c) => c.closedAt).join());
  assert.ok(fresh.every((c) => c.closedAt === null || (c.closedAt < 1500 && c.data === '')));
  const light = fresh.filter((c) => c.closedAt === null);
  const all = [...kept, ...more.filter((c) => c.closedAt === null), ...light];
  assert.equal(all.length, 40);
  assert.ok(all.every((c) => c.closedAt === null));
  // Idle ones are closed at the read timeout, and the server serves again.
  assert.ok(await until(() => all.every((c) => c.closedAt !== null), 8000), 'idle connections were not closed');
  const idleFor = all.map((c) => c.closedAt);
  assert.ok(Math.min(...idleFor) >= 3000, `closed after ${Math.min(...idleFor)} ms, before the 4 s timeout`);
  assert.equal(await page(port, '127.0.0.2'), 200);
  // The caps come back in full after the closes: the same source gets 10 again.
  const again = await openMany(port, 10, '127.0.0.2');
  await sleep(500);
  assert.ok(again.every((c) => c.closedAt === null), 'places of closed connections were not given back');
  closeAll(again);
  await until(() => again.every((c) => c.closedAt !== null), 2000);
  assert.equal(await page(port), 200);
});

test('slow headers, slow bodies and idle keep-alive connections are closed at the read timeout', async () => {
  const server = await startServer({ live: false, readTimeout: 2 });
  cleanup.push(() => server.stop());
  const { port } = server;
  const slowHeaders = await open(port);
  const slowBody = await open(port);
  const keptAlive = await open(port);
  keptAlive.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  slowBody.socket.write('POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 1000\r\n\r\n{');
  let drip = 0;
  const timer = setInterval(() => {  // one byte every 300 ms on both: never a whole request
    drip++;
    if (slowHeaders.closedAt === null) slowHeaders.socket.write(drip === 1 ? 'GET / HTTP/1.1\r\nX' : 'x');
    if (slowBody.closedAt === null) slowBody.socket.write(' ');
  }, 300);
  try {
    const conns = [slowHeaders, slowBody, keptAlive];
    assert.ok(await until(() => conns.every((c) => c.closedAt !== null), 6000),
      conns.map((c) => c.closedAt).join());
    for (const c of conns) assert.ok(c.closedAt >= 1500 && c.closedAt < 5000, `closed after ${c.closedAt} ms`);
    assert.match(keptAlive.data, /^HTTP\/1\.1 200/);  // answered, then closed while idle
    assert.equal(slowHeaders.data, '');
  } finally {
    clearInterval(timer);
  }
});

test('HTTPS: a connection that never finishes its TLS handshake is closed after 10 s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'confpro-tls-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const server = await startServer({ live: false, tls: { cert, key }, maxConnectionsPerSource: 2 });
  cleanup.push(() => server.stop());
  const silent = await open(server.port, '127.0.0.2');  // no ClientHello
  const halfHello = await open(server.port, '127.0.0.2');
  halfHello.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));  // a handshake record that never ends
  assert.ok(await until(() => silent.closedAt !== null && halfHello.closedAt !== null, 14000),
    'a connection stuck in its TLS handshake stayed open');
  for (const c of [silent, halfHello]) assert.ok(c.closedAt >= 9000, `closed after ${c.closedAt} ms`);
  // Their places came back: the same source connects twice again.
  const again = await openMany(server.port, 2, '127.0.0.2');
  await sleep(300);
  assert.ok(again.every((c) => c.closedAt === null));
  closeAll(again);
});

// CPU seconds the process used so far (utime + stime).
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

test('out of descriptors (ulimit -n 128): the listener accepts again once they are released', async () => {
  const server = await startServer({ live: false, maxConnections: 100000, maxConnectionsPerSource: 0, readTimeout: 30,
    prefix: ['prlimit', '--nofile=128:128', '--'] });
  cleanup.push(() => server.stop());
  const { port, pid } = server;
  assert.equal(readFileSync(`/proc/${pid}/limits`, 'utf8').match(/Max open files\s+(\d+)/)[1], '128');
  const conns = await openMany(port, 200, '127.0.0.7');  // the kernel completes them; the server runs out
  await sleep(1000);
  const fds = () => readdirSync(`/proc/${pid}/fd`).length;
  const before = cpuSeconds(pid);
  await sleep(2000);
  const spent = cpuSeconds(pid) - before;
  console.log(`while out of descriptors: ${spent.toFixed(2)} CPU s in 2 s; ${fds()} descriptors open; ` +
    `${conns.filter((c) => c.closedAt !== null).length} of 200 closed by the server`);
  assert.equal(await page(port, '127.0.0.8').then((s) => s === 200 || s === 0), true);
  closeAll(conns);
  await until(() => conns.every((c) => c.closedAt !== null), 3000);
  let status = 0;
  const deadline = Date.now() + 5000;
  while (status !== 200 && Date.now() < deadline) { status = await page(port); if (status !== 200) await sleep(200); }
  assert.equal(status, 200, 'the listener did not accept again after the descriptors were released');
  assert.ok(spent < 1.0, `the server spun while out of descriptors: ${spent} CPU s in 2 s`);
});

test('confpro serve keeps descriptors for calls: web connections capped at a quarter of a low limit', async () => {
  const confpro = await startConfpro({ logLevel: 'info', prefix: ['prlimit', '--nofile=256:256', '--'] });
  cleanup.push(() => confpro.stop());
  assert.match(confpro.output(), /web\.max_connections 1000 lowered to 64/);
  const port = Number(new URL(confpro.base).port);
  const conns = [];
  for (const from of ['127.0.0.2', '127.0.0.3']) conns.push(...await openMany(port, 40, from));
  await sleep(800);
  // 64 = 256 / 4; busy sources (4 connections or more) get 58 of them, the last tenth is kept for light ones.
  assert.equal(conns.filter((c) => c.closedAt === null).length, 58);
  closeAll(conns);
  await until(() => conns.every((c) => c.closedAt !== null), 3000);
  let status = 0;
  const deadline = Date.now() + 5000;
  while (status !== 200 && Date.now() < deadline) { status = await page(port); if (status !== 200) await sleep(200); }
  assert.equal(status, 200);
});
