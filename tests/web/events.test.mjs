// The live event stream (SSE) over real HTTP: events reach the watcher quickly, filtered by owner; heartbeats
// keep an idle stream open; no session → 401; a stream ends with its login session (logout, user disabled or
// deleted, dropped by the per-user session cap, idle expiry).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signedIn } from './harness.mjs';

let server;
before(async () => { server = await startServer({ heartbeat: 1, maxSessionsPerUser: 2 }); });
after(async () => { await server?.stop(); });

// Opens the stream and collects parsed events (and comment lines) as they arrive.
async function openStream(client, base = server.base) {
  const ctrl = new AbortController();
  const res = await fetch(base + '/api/v1/events', { headers: { Cookie: client.cookie }, signal: ctrl.signal });
  assert.equal(res.status, 200);
  const state = { ended: false };  // the server ended the response
  const events = [];
  const comments = [];
  const waiters = [];
  (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { at: performance.now() };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line);
            else if (line.startsWith('event: ')) ev.type = line.slice(7);
            else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
          }
          if (ev.type) events.push(ev);
          for (const w of waiters.splice(0)) w();
        }
      }
      state.ended = true;
    } catch { /* aborted */ }
    for (const w of waiters.splice(0)) w();
  })();
  const waitFor = async (pred, ms = 3000) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out waiting for stream');
      await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
    }
  };
  return { res, events, comments, waitFor, state, close: () => ctrl.abort() };
}

test('no session: 401', async () => {
  const r = await fetch(server.base + '/api/v1/events');
  assert.equal(r.status, 401);
});

test('events reach the owner and admins within 200 ms, not other organizers', async () => {
  const alice = await signedIn(server.base, 'alice');
  const bob = await signedIn(server.base, 'bob');
  const root = await signedIn(server.base, 'root');
  const sa = await openStream(alice), sb = await openStream(bob), sr = await openStream(root);
  assert.equal(sa.res.status, 200);
  assert.match(sa.res.headers.get('content-type'), /text\/event-stream/);
  const b = (await alice.post('/api/v1/bookings', { name: 'Stream test', valid_from: new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z') })).json;
  assert.ok(b.id, JSON.stringify(b));
  await server.live({ op: 'open', booking: b.id });
  const latencies = [];
  for (let i = 1; i <= 20; i++) {
    const t0 = performance.now();
    await server.live({ op: 'join', booking: b.id, participant: i, number: '+3361000000' + i });
    await sa.waitFor(() => sa.events.some((e) => e.type === 'joined' && e.data.participant.id === i));
    latencies.push(sa.events.find((e) => e.type === 'joined' && e.data.participant.id === i).at - t0);
  }
  latencies.sort((x, y) => x - y);
  const p99 = latencies[latencies.length - 1];
  console.log(`# SSE event latency (harness stdin → browser stream): median ${latencies[10].toFixed(1)} ms, max ${p99.toFixed(1)} ms`);
  assert.ok(p99 < 200, `slowest event took ${p99} ms`);
  await server.live({ op: 'talk', booking: b.id, participant: 3, on: true });
  await sa.waitFor(() => sa.events.some((e) => e.type === 'talking' && e.data.flag === true));
  await sr.waitFor(() => sr.events.filter((e) => e.type === 'joined').length === 20);
  await alice.post(`/api/v1/conferences/live/${b.id}/participants/3/mute`);
  await sa.waitFor(() => sa.events.some((e) => e.type === 'muted' && e.data.participant.id === 3 && e.data.flag));
  await server.live({ op: 'close', booking: b.id });
  await sa.waitFor(() => sa.events.some((e) => e.type === 'ended'));
  const seqs = sa.events.map((e) => e.data.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'events arrive in order');
  assert.equal(sb.events.length, 0, 'bob sees nothing of alice\'s conference');
  sa.close(); sb.close(); sr.close();
});

test('an idle stream gets heartbeats and stays open', async () => {
  const alice = await signedIn(server.base, 'alice');
  const s = await openStream(alice);
  await s.waitFor(() => s.comments.filter((c) => c.includes('heartbeat')).length >= 3, 6000);
  s.close();
});

test('logging out makes the next stream request 401', async () => {
  const c = await signedIn(server.base, 'bob');
  const old = c.cookie;
  assert.equal((await fetch(server.base + '/api/v1/events', { headers: { Cookie: old } }).then((r) => { void r.body.cancel(); return r.status; })), 200);
  await c.del('/api/v1/session');
  const r = await fetch(server.base + '/api/v1/events', { headers: { Cookie: old } });
  assert.equal(r.status, 401);
});

// Waits (generously) for the server to end `stream`; heartbeats come every second, each checks the session.
async function endedByServer(stream) {
  await stream.waitFor(() => stream.state.ended, 15000);
}

test('a stream ends when its session logs out, its user is disabled or deleted', async () => {
  const root = await signedIn(server.base, 'root');
  for (const [name, end] of [
    ['dora', async (c) => assert.equal((await c.del('/api/v1/session')).status, 204)],
    ['erin', async () => assert.equal((await root.patch('/api/v1/users/erin', { disabled: true })).status, 200)],
    ['fred', async () => assert.equal((await root.del('/api/v1/users/fred')).status, 204)],
  ]) {
    const made = await root.post('/api/v1/users', { username: name, password: `${name}-password-1`, role: 'organizer' });
    assert.equal(made.status, 201, made.text);
    const c = await signedIn(server.base, name, `${name}-password-1`);
    const other = await signedIn(server.base, 'alice');  // a stream of someone else, which must stay
    const stream = await openStream(c);
    const kept = await openStream(other);
    await stream.waitFor(() => stream.comments.some((l) => l.includes('heartbeat')), 15000);
    await end(c);
    await endedByServer(stream);
    assert.equal(kept.state.ended, false, `${name}: another user's stream ended too`);
    kept.close();
    assert.equal((await c.get('/api/v1/session')).status, 401, name);
  }
});

test('a login past the per-user session cap ends the oldest session and its stream', async () => {
  const first = await signedIn(server.base, 'bob');
  const stream = await openStream(first);
  const second = await signedIn(server.base, 'bob');
  await stream.waitFor(() => stream.comments.some((l) => l.includes('heartbeat')), 15000);
  assert.equal(stream.state.ended, false, 'two sessions are within the cap of 2');
  const third = await signedIn(server.base, 'bob');
  await endedByServer(stream);
  assert.equal((await first.get('/api/v1/session')).status, 401);
  assert.equal((await second.get('/api/v1/session')).status, 200);
  assert.equal((await third.get('/api/v1/session')).status, 200);
});

test('a stream ends when its session expires, and the session is gone', async () => {
  // 60 s idle timeout at 60× time: the session expires 1 s after its last request (the stream is no activity).
  const fast = await startServer({ heartbeat: 1, timeScale: 60, idleTimeout: 60 });
  try {
    const c = await signedIn(fast.base, 'alice');
    const stream = await openStream(c, fast.base);
    await stream.waitFor(() => stream.state.ended, 20000);
    assert.equal((await c.get('/api/v1/session')).status, 401);
  } finally {
    await fast.stop();
  }
});
