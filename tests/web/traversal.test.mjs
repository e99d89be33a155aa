// Path traversal over real HTTP (issue 11: `GET //etc/passwd` answered the file, and so did the service's own
// database). Every request of a corpus (absolute, doubled slashes, "..", encoded and double-encoded dots and
// slashes, backslashes, overlong UTF-8, NUL, symlinks out of the root) is sent byte for byte on a raw socket (a
// URL parser would normalise it away), against web_harness with a static root holding symlinks out of it, and
// against the real `confpro serve`. Each is answered 400 or 404 and never with a secret's content.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync, symlinkSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startConfpro, signedIn } from './harness.mjs';

const cleanup = [];
after(async () => { for (const c of cleanup.reverse()) await c(); });

// One request with exactly these bytes as its target; resolves with { status, body } (status 0 when the server
// closed the connection without an answer).
function rawGet(port, target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = text.match(/^HTTP\/1\.1 (\d{3})/);
      resolve({ status: m ? Number(m[1]) : 0, body: text.slice(text.indexOf('\r\n\r\n') + 4), raw: text });
    };
    socket.on('end', done);
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? done() : reject(e)));
    socket.setTimeout(5000, () => { socket.destroy(); reject(new Error(`no answer to ${target}`)); });
    socket.write(Buffer.concat([Buffer.from(`${method} `), Buffer.from(target, 'latin1'),
      Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  });
}

// The targets that would reach `file` (an absolute path) from a root `depth` directories below '/'.
function corpus(file, depth) {
  const rel = file.slice(1);
  const up = (s) => s.repeat(depth + 2);
  const pct = (s) => s.replace(/\//g, '%2f');
  return [
    `/${file}`, `//${file}`, `///${rel}`, `/.${file}`, `/./${file}`,
    `/${up('../')}${rel}`, `/assets/${up('../')}${rel}`, `/${up('./../')}${rel}`,
    `/${up('..%2f')}${pct(rel)}`, `/${up('..%2F')}${rel}`, `/%2f${pct(rel)}`, `/%2F${rel}`,
    `/${up('%2e%2e/')}${rel}`, `/${up('%2E%2E%2F')}${rel}`, `/${up('.%2e/')}${rel}`, `/${up('%2e./')}${rel}`,
    `/${up('%252e%252e/')}${rel}`, `/${up('%252e%252e%252f')}${rel}`, `/${up('..%252f')}${rel}`,
    `/${up('..%5c')}${rel.replace(/\//g, '%5c')}`, `/${up('..%5C')}${rel}`, `/${up('%2e%2e%5c')}${rel}`,
    `/${up('..\\')}${rel.replace(/\//g, '\\')}`,
    `/${up('..%c0%af')}${rel}`, `/%c0%af${rel}`, `/${up('..%e0%80%af')}${rel}`, `/${up('..%c1%9c')}${rel}`,
    `/${up('%c0%ae%c0%ae/')}${rel}`, `/${up('%c0%ae%c0%ae%c0%af')}${rel}`, `/${up('%e0%80%ae%e0%80%ae/')}${rel}`,
    `/${up('..%25c0%25af')}${rel}`, `/${up('..;/')}${rel}`,
    `/${file}%00`, `/${file}%00.html`, `/${up('../')}${rel}%00.js`, `/index.html%00${file}`, '/%00',
    `/api/v1/${up('../')}${rel}`, `/api/v1/conferences/past/1/recording/${up('../')}${rel}`,
    `/${file}?x=%00`, `/?f=${up('../')}${rel}`,
    // Raw bytes a client may send undecoded: overlong '/' and '.', DEL, a tab.
    `/${up('..\xc0\xaf')}${rel}`, `/${up('\xc0\xae\xc0\xae/')}${rel}`, `/\x7f/${up('../')}${rel}`,
  ];
}

async function expectNoneLeak(port, targets, secrets) {
  for (const target of targets) {
    for (const method of ['GET', 'HEAD']) {
      const r = await rawGet(port, target, method);
      // A raw control byte in the target is refused by the HTTP parser itself: the connection is closed unanswered.
      const parserRefuses = /[\x00-\x1f\x7f]/.test(target);
      assert.ok([400, 404].includes(r.status) || (target.startsWith('/?') && r.status === 200)
        || (parserRefuses && r.status === 0), `${method} ${target}: ${r.status} ${r.raw.slice(0, 200)}`);
      for (const s of secrets) assert.ok(!r.raw.includes(s), `${method} ${target} leaked ${s}`);
    }
  }
}

test('web_harness: no traversal variant reaches /etc/passwd, the database or a file a symlink points to', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'confpro-trav-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'www');
  const outside = join(dir, 'outside');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'index.html'), '<html>app</html>');
  writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-SECRET-42');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
  symlinkSync(outside, join(root, 'linkdir'));
  symlinkSync('/etc', join(root, 'etc'));

  const server = await startServer({ live: false, staticDir: root });
  cleanup.push(() => server.stop());
  const secrets = ['root:x:0:0', 'SQLite format 3', 'OUTSIDE-SECRET-42'];
  const real = realpathSync(outside);
  const targets = [
    ...corpus('/etc/passwd', 0),
    ...corpus(server.dbPath, server.dbPath.split('/').length - 2),
    ...corpus(join(real, 'secret.txt'), root.split('/').length - 1),
    '/link.txt', '/linkdir/secret.txt', '/etc/passwd', '/linkdir/../outside/secret.txt',
  ];
  await expectNoneLeak(server.port, targets, secrets);
  // What is inside the root is still served.
  assert.equal((await rawGet(server.port, '/assets/app-1.js')).body, 'console.log(1)');
  assert.equal((await rawGet(server.port, '/some/page')).body, '<html>app</html>');
  // Signed in changes nothing.
  const root_ = await signedIn(server.base, 'root');
  const r = await fetch(server.base + '/%2e%2e/%2e%2e/etc/passwd', { headers: { Cookie: root_.cookie } });
  assert.ok([400, 404].includes(r.status));
});

test('confpro serve: no traversal variant reaches /etc/passwd or its database', async () => {
  const confpro = await startConfpro();
  cleanup.push(() => confpro.stop());
  const port = Number(new URL(confpro.base).port);
  const db = join(confpro.dir, 'confpro.db');
  const targets = [...corpus('/etc/passwd', 0), ...corpus(db, db.split('/').length - 2)];
  await expectNoneLeak(port, targets, ['root:x:0:0', 'SQLite format 3']);
  assert.equal((await rawGet(port, '/current')).status, 200);
  // A malformed escape is refused as such, not guessed at (a literal '%zz' file or parameter is never looked up).
  for (const target of ['/%zz', '/assets/app%4', '/api/v1/bookings?owner=%zz', '/api/v1/bookings?%G1=1', '/%FF']) {
    const r = await rawGet(port, target);
    assert.equal(r.status, 400, `${target}: ${r.raw.slice(0, 200)}`);
    assert.match(r.body, /malformed percent-encoding/);
  }
});
