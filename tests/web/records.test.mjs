// Issue 12 items 8, 11 and 13 over real HTTP: deleting keeps the history (Past, reports) and frees the number; the
// administrators' purge (dry run, audit, retention); reports list the conferences and count direct/dial-out calls;
// users get phone access, disable/enable and a delete that refuses owners of upcoming conferences.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, signedIn } from './harness.mjs';

let server, root, alice, bob;
const nowIso = () => new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z');
const day = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const booking = (over = {}) => ({
  name: 'Records ' + Math.random().toString(36).slice(2, 8), valid_from: nowIso(), duration_minutes: 60,
  validity_days: 1, max_participants: 8, language: 'en', ...over,
});

before(async () => {
  server = await startServer();
  root = await signedIn(server.base, 'root');
  alice = await signedIn(server.base, 'alice');
  bob = await signedIn(server.base, 'bob');
});
after(async () => { await server?.stop(); });

// A conference of alice used 10 minutes ago: one caller through the toll-free access number, one invited by number.
async function usedConference(over = {}) {
  const b = (await alice.post('/api/v1/bookings', booking(over))).json;
  assert.ok(b.id, JSON.stringify(b));
  assert.equal(await server.live({ op: 'open', booking: b.id, ago_s: 600 }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: b.id, participant: 1, number: '+33611111111', role: 'moderator',
    access_number: '0800300300', ago_s: 600 }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: b.id, participant: 2, number: '+33622222222', ago_s: 300 }), 'ok');
  return b;
}

test('deleting a past conference keeps it in Past and in the report, marked deleted; its number is free again', async () => {
  const b = await usedConference();
  assert.equal(await server.live({ op: 'close', booking: b.id }), 'ok');
  const before = (await alice.get(`/api/v1/reports?from=${day()}&to=${day()}`)).json;

  assert.equal((await alice.del(`/api/v1/bookings/${b.id}`)).status, 204);
  // Gone from the bookings (Future, search, read, edit) …
  assert.equal((await root.get(`/api/v1/bookings/${b.id}`)).status, 404);
  assert.equal((await alice.get(`/api/v1/bookings/${b.id}`)).status, 403);
  assert.equal((await root.get(`/api/v1/bookings?number=${b.number}`)).json.total, 0);
  assert.equal((await root.del(`/api/v1/bookings/${b.id}`)).status, 404);
  // … but its conference stays in Past with its connections, marked deleted, for its owner and the admins.
  const past = (await alice.get(`/api/v1/conferences/past?number=${b.number}`)).json;
  assert.equal(past.items.length, 1);
  const s = past.items[0];
  assert.equal(s.deleted, true);
  assert.equal(s.deleted_by, 'alice');
  assert.equal(s.name, b.name);
  const detail = (await root.get(`/api/v1/conferences/past/${s.session_id}`)).json;
  assert.equal(detail.connections.length, 2);
  assert.equal(detail.deleted, true);
  assert.equal((await bob.get(`/api/v1/conferences/past/${s.session_id}`)).status, 403);
  // The report does not change: same totals, and the conference listed as deleted.
  const after = (await alice.get(`/api/v1/reports?from=${day()}&to=${day()}`)).json;
  assert.deepEqual(after.totals, before.totals);
  const listed = after.conferences.find((c) => c.booking_id === b.id);
  assert.equal(listed.state, 'deleted');
  assert.equal(listed.number, b.number);
  assert.equal(listed.participants, 2);
  assert.ok(listed.conference_minutes >= 9, JSON.stringify(listed));
  const csv = await alice.get(`/api/v1/reports?from=${day()}&to=${day()}&format=csv&part=conferences`);
  assert.match(csv.text, /^number,name,owner,planned_start,planned_end,duration_minutes,state,sessions,conference_minutes,participant_minutes,participants\r\n/);
  assert.match(csv.text, new RegExp(`${b.number},${b.name},alice,.*,deleted,1,`));
  // Its number and name can be booked again; the history keeps the old conference under them.
  const again = await alice.post('/api/v1/bookings', booking({ number: b.number, name: b.name }));
  assert.equal(again.status, 201, again.text);
  assert.equal((await root.get(`/api/v1/conferences/past?number=${b.number}`)).json.items[0].booking_id, b.id);
  const audit = (await root.get('/api/v1/audit?limit=50')).json.items;
  assert.ok(audit.some((e) => e.action === 'booking.delete' && e.target === `booking:${b.id}`));
});

test('deleting an active conference ends it first and keeps its history', async () => {
  const b = await usedConference();
  assert.equal((await alice.del(`/api/v1/bookings/${b.id}`)).status, 204);
  assert.equal((await root.get(`/api/v1/conferences/live/${b.id}`)).status, 404);
  const past = (await root.get(`/api/v1/conferences/past?number=${b.number}`)).json.items;
  assert.equal(past.length, 1);
  assert.equal(past[0].close_reason, 'ended-by-admin');
  assert.equal(past[0].deleted, true);
  const detail = (await root.get(`/api/v1/conferences/past/${past[0].session_id}`)).json;
  assert.deepEqual(detail.connections.map((c) => c.leave_reason), ['conference-ended', 'conference-ended']);
  assert.ok(detail.connections.every((c) => c.left_at));
});

test('reports: per access number has the direct/dial-out row; conferences are listed with their use', async () => {
  const b = await usedConference();
  assert.equal(await server.live({ op: 'close', booking: b.id }), 'ok');
  const r = (await root.get(`/api/v1/reports?from=${day()}&to=${day()}`)).json;
  const direct = r.per_access_number.find((x) => x.key === '');
  const tollFree = r.per_access_number.find((x) => x.key === '0800300300');
  assert.ok(direct && direct.used >= 1 && direct.participant_minutes >= 4, JSON.stringify(r.per_access_number));
  assert.ok(tollFree && tollFree.used >= 1 && tollFree.participant_minutes >= 9, JSON.stringify(r.per_access_number));
  // The per-number rows add up to the total participant minutes.
  assert.equal(r.per_access_number.reduce((sum, x) => sum + x.participant_minutes, 0) >= r.totals.participant_minutes - r.per_access_number.length, true);
  const c = r.conferences.find((x) => x.booking_id === b.id);
  assert.deepEqual([c.number, c.name, c.owner, c.state, c.sessions, c.participants], [b.number, b.name, 'alice', 'ended', 1, 2]);
  assert.ok(c.planned_start && c.planned_end && c.conference_minutes >= 9 && c.participant_minutes >= 14, JSON.stringify(c));
  // Organizers see only their own conferences in the list.
  const bobs = (await bob.get(`/api/v1/reports?from=${day()}&to=${day()}`)).json;
  assert.equal(bobs.conferences.some((x) => x.owner !== 'bob'), false);
  assert.equal((await root.get(`/api/v1/reports?from=${day()}&to=${day()}&part=everything`)).status, 400);
});

test('purge: administrators only, dry run first, retention setting, one audited transaction', async () => {
  assert.equal((await alice.post('/api/v1/history/purge', { dry_run: true })).status, 403);
  assert.equal((await root.post('/api/v1/history/purge', { retention_days: 0 })).status, 400);
  assert.equal((await root.post('/api/v1/history/purge', { dry_run: 'yes' })).status, 400);
  const b = await usedConference();
  const recording = join(server.recordingsDir, `purge-${b.id}.wav`);
  writeFileSync(recording, 'RIFF');
  assert.equal(await server.live({ op: 'recording', booking: b.id, path: recording }), 'ok');
  assert.equal(await server.live({ op: 'close', booking: b.id }), 'ok');
  assert.equal((await alice.del(`/api/v1/bookings/${b.id}`)).status, 204);
  // Nothing is that old yet: the default retention (365 days) purges nothing.
  let dry = (await root.post('/api/v1/history/purge', { dry_run: true })).json;
  assert.equal(dry.retention_days, 365);
  assert.equal(dry.bookings, 0);
  // Age this conference by 400 days in the database (as if it had happened then).
  const shift = 400 * 86400000;
  execFileSync('sqlite3', [server.dbPath, `UPDATE bookings SET valid_from = valid_from - ${shift}, created_at = created_at - ${shift}, ` +
    `valid_until = valid_until - ${shift}, opened_at = opened_at - ${shift}, ended_at = ended_at - ${shift}, ` +
    `deleted_at = deleted_at - ${shift} WHERE id = ${b.id}; ` +
    `UPDATE conference_sessions SET opened_at = opened_at - ${shift}, closed_at = closed_at - ${shift} WHERE booking_id = ${b.id}; ` +
    `UPDATE participant_connections SET joined_at = joined_at - ${shift}, left_at = left_at - ${shift} WHERE booking_id = ${b.id};`]);
  dry = (await root.post('/api/v1/history/purge', { dry_run: true })).json;
  assert.deepEqual([dry.dry_run, dry.bookings, dry.sessions, dry.connections], [true, 1, 1, 2]);
  assert.equal((await root.get(`/api/v1/conferences/past?number=${b.number}`)).json.items.length, 1, 'a dry run removes nothing');
  const done = (await root.post('/api/v1/history/purge', {})).json;
  assert.deepEqual([done.dry_run, done.bookings, done.sessions, done.connections, done.recordings], [false, 1, 1, 2, 1]);
  assert.equal(existsSync(recording), false, 'the recording file is removed with its conference');
  assert.equal((await root.get(`/api/v1/conferences/past?number=${b.number}`)).json.items.length, 0);
  assert.equal((await root.post('/api/v1/history/purge', { dry_run: true })).json.bookings, 0);
  const audit = (await root.get('/api/v1/audit?limit=20')).json.items;
  const entry = audit.find((e) => e.action === 'history.purge');
  assert.ok(entry && entry.actor === 'root' && /older than 365 days/.test(entry.details), JSON.stringify(audit.slice(0, 3)));
});

test('users: phone account and PIN from the console, disable and enable, delete refused for owners', async () => {
  const add = await root.post('/api/v1/users', { username: 'dora', password: 'dora-password-1', phone_account: '4455', phone_pin: '2468' });
  assert.equal(add.status, 201, add.text);
  assert.equal(add.json.phone_account, '4455');
  assert.equal(add.json.has_phone_pin, true);
  // Edit: a new account keeps the PIN; bad values name their field; another user's account is a conflict.
  let r = await root.patch('/api/v1/users/dora', { phone_account: '4456' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.phone_account, r.json.has_phone_pin], ['4456', true]);
  r = await root.patch('/api/v1/users/dora', { phone_account: '44a6', phone_pin: '12' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.error.fields.map((f) => f.field).sort(), ['phone_account', 'phone_pin']);
  assert.equal((await root.post('/api/v1/users', { username: 'eve', password: 'eve-password-12', phone_account: '7788', phone_pin: '1357' })).status, 201);
  assert.equal((await root.patch('/api/v1/users/dora', { phone_account: '7788' })).status, 409);
  r = await root.patch('/api/v1/users/dora', { phone_account: '' });
  assert.deepEqual([r.json.phone_account, r.json.has_phone_pin], ['', false]);
  r = await root.patch('/api/v1/users/dora', { phone_account: '4457' });
  assert.equal(r.status, 400, 'an account needs a PIN');
  assert.equal(r.json.error.fields[0].field, 'phone_pin');
  assert.equal((await root.patch('/api/v1/users/dora', { phone_account: '4457', phone_pin: '8642' })).json.has_phone_pin, true);
  // Disable and enable again.
  assert.equal((await root.patch('/api/v1/users/dora', { disabled: true })).status, 200);
  assert.equal((await new Client(server.base).login('dora', 'dora-password-1')).status, 401);
  assert.equal((await root.patch('/api/v1/users/dora', { disabled: false })).status, 200);
  assert.equal((await new Client(server.base).login('dora', 'dora-password-1')).status, 201);
  // Delete: refused while she owns an upcoming conference, with a reason the console can word.
  const b = (await root.post('/api/v1/bookings', booking({ owner: 'dora', valid_from: '2031-01-01 09:00' }))).json;
  r = await root.del('/api/v1/users/dora');
  assert.equal(r.status, 409);
  assert.equal(r.json.error.reason, 'user_owns_bookings');
  assert.deepEqual(r.json.error.params, { username: 'dora', count: 1 });
  assert.match(r.json.error.message, /another owner|disable/);
  assert.equal((await root.del(`/api/v1/bookings/${b.id}`)).status, 204);
  assert.equal((await root.del('/api/v1/users/dora')).status, 204);
  const audit = (await root.get('/api/v1/audit?limit=50')).json.items;
  assert.ok(audit.some((e) => e.action === 'user.update' && e.target === 'user:dora' && /phone_account/.test(e.details)));
  assert.ok(audit.some((e) => e.action === 'user.remove' && e.target === 'user:dora'));
});

// Issue 12 item 10: every refusal of the user and access-number routes carries a reason and its params, so that
// the console words it in its own language (errors.ts) instead of showing the server's English.
test('users and access numbers: each refusal has a reason and params', async () => {
  const reasons = (r) => Object.fromEntries(r.json.error.fields.map((f) => [f.field, [f.reason, f.params ?? {}]]));
  let r = await root.post('/api/v1/users', { username: 'bad name', password: 'short', role: 'boss', email: 'nope',
    mobile: '06-12', phone_account: '12a', phone_pin: '12' });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(reasons(r), {
    role: ['one_of', { allowed: 'admin, organizer' }],  // the route's own check
  });
  r = await root.post('/api/v1/users', { username: 'bad name', password: 'short', email: 'nope', mobile: '06-12',
    phone_account: '12a', phone_pin: '12' });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(reasons(r), {
    username: ['username_invalid', { max: 64 }], password: ['too_short', { min: 8 }], email: ['email_invalid', {}],
    mobile: ['phone_digits_only', {}], phone_account: ['digits_only', {}], phone_pin: ['digits_range', { min: 4, max: 12 }],
  });
  r = await root.post('/api/v1/users', { username: 'frank', password: 'frank-password-1', phone_account: '5566' });
  assert.deepEqual(reasons(r), { phone_pin: ['phone_pin_required', {}] });
  r = await root.post('/api/v1/users', { password: 'frank-password-1' });
  assert.deepEqual(reasons(r), { username: ['required', {}] });
  r = await root.post('/api/v1/users', { username: 'alice', password: 'alice-password-2' });
  assert.equal(r.status, 409, r.text);
  assert.deepEqual(reasons(r), { username: ['taken', {}] });

  r = await root.patch('/api/v1/users/bob', { role: 'boss' });
  assert.deepEqual(reasons(r), { role: ['one_of', { allowed: 'admin, organizer' }] });
  r = await root.patch('/api/v1/users/bob', { password: 'x' });
  assert.deepEqual(reasons(r), { password: ['too_short', { min: 8 }] });
  r = await root.patch('/api/v1/users/bob', { phone_account: '', phone_pin: '2468' });
  assert.deepEqual(reasons(r), { phone_account: ['phone_account_required', {}] });
  r = await root.patch('/api/v1/users/root', { role: 'organizer' });
  assert.deepEqual([r.status, r.json.error.reason], [409, 'own_admin_rights']);
  r = await root.del('/api/v1/users/root');
  assert.deepEqual([r.status, r.json.error.reason], [409, 'delete_self']);

  r = await root.post('/api/v1/access-numbers', { number: '08OO', kind: 'cheap', language: 'de' });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(reasons(r), {
    number: ['phone_digits_only', {}], kind: ['one_of', { allowed: 'local, toll-free' }],
    language: ['one_of', { allowed: 'fr, en' }],
  });
});
