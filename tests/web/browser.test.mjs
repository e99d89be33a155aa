// The whole story in real headless Chromium: log in, schedule with every option, find it in Future by search and
// edit it, watch it live (participants appear, talk, get muted and ejected from the page), see it in Past with
// its connections, read the day's report, delete it, switch language. A screenshot of every page is saved
// under <build dir>/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage as openPage, shot, login as signIn, search } from './browser_support.mjs';
import { startServer, signedIn, USERS } from './harness.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const newPage = (viewport, locale) => openPage(browser, viewport, locale);
const login = (page, user) => signIn(page, server.base, user, USERS[user]);

test('the whole story as an administrator, in English then French', async () => {
  const { page, context, errors } = await newPage();
  await page.goto(server.base + '/');
  await page.evaluate(() => localStorage.setItem('confpro.lang', 'en'));
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot(page, '01-login');
  await page.getByLabel('Username').fill('root');
  await page.getByLabel(/^Password$/).fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Invalid username or password.').waitFor();
  await login(page, 'root');

  // Schedule with every option.
  await page.getByRole('link', { name: 'Schedule' }).click();
  await page.getByLabel('Name').fill('Browser story board');
  await page.getByLabel('Duration (minutes)').fill('30');
  await page.getByLabel('Max participants').fill('8');
  await page.getByLabel('Prompt language').selectOption('en');
  for (const o of ['Announce moderators', 'Record the conference', 'Announce participants', 'Wait for the moderator']) {
    await page.getByLabel(o).check();
  }
  await page.getByRole('button', { name: '+ Add invitee' }).click();
  await page.getByLabel('E-mail 1').fill('guest@example.com');
  await page.getByLabel('Phone 1').fill('+33612345678');
  // Inline validation: a bad PIN is flagged as it is typed, and the server's answer names the field.
  await page.getByLabel('Participant PIN').fill('12a');
  await page.getByText('digits only').waitFor();
  await page.getByLabel('Participant PIN').fill('');
  await page.getByLabel('Duration (minutes)').fill('1000');
  await page.getByRole('button', { name: 'Book the conference' }).click();
  await page.getByText('Please correct the highlighted fields.').waitFor();
  await shot(page, '02-schedule-invalid');
  await page.getByLabel('Duration (minutes)').fill('30');
  // Dates are written the console's way (day/month/year, 24 h), not the browser's: a text field, checked as typed.
  const validFrom = page.getByLabel('Start of validity');
  const startText = await validFrom.inputValue();
  assert.match(startText, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  assert.equal(await validFrom.getAttribute('placeholder'), 'dd/mm/yyyy hh:mm');
  // What the browser's calendar picks is written the same way.
  await page.locator('[data-field="valid_from"] .date-native').evaluate((el) => {
    el.value = '2030-03-01T09:05';
    el.dispatchEvent(new Event('change'));
  });
  assert.equal(await validFrom.inputValue(), '01/03/2030 09:05');
  await validFrom.fill('31/02/2030 10:00');
  await page.getByText('Write it as dd/mm/yyyy hh:mm').waitFor();
  await validFrom.fill(startText);
  await page.getByText('Write it as dd/mm/yyyy hh:mm').waitFor({ state: 'detached' });
  await shot(page, '03-schedule-form');
  await page.getByRole('button', { name: 'Book the conference' }).click();
  await page.getByRole('heading', { name: 'Conference booked' }).waitFor();
  const number = (await page.locator('.big-number').first().textContent()).trim();
  assert.match(number, /^\d{6}$/);
  const pins = await page.locator('.big-number').allTextContents();
  assert.equal(pins.length, 3);
  assert.notEqual(pins[1], pins[2]);
  await shot(page, '04-schedule-result');

  // Future: find it by number and edit it.
  await search(page, 'Future', 'Conference number', number);
  const row = page.locator('tr', { hasText: number });
  await row.waitFor();
  assert.equal(await page.locator('tbody tr').count(), 1);
  await shot(page, '05-future-search');
  await row.getByRole('button', { name: /Edit/ }).click();
  await page.getByLabel('Duration (minutes)').fill('45');
  // The start typed day first came back from the server as the same day and minute.
  assert.equal(await page.getByLabel('Start of validity').inputValue(), startText);
  await shot(page, '06-future-edit');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Future' }).waitFor();
  // A date range typed day first finds it (the booking starts on the day it was made).
  await page.locator('#q-from').fill(startText.slice(0, 10));
  await page.locator('#q-to').fill(startText.slice(0, 10));
  await search(page, null, 'Conference number', number);
  // The end is start + duration: its cell says the duration it comes from.
  await page.locator('tr', { hasText: number }).locator('td[title="45 min"]').waitFor();

  // Current: live without reloading.
  const bookingId = Number(await page.locator('tr', { hasText: number }).getAttribute('data-booking'));
  await page.getByRole('link', { name: 'Current' }).click();
  await page.getByText('No conference is running.').waitFor();
  await page.locator('.live-dot.on').waitFor();
  assert.equal(await server.live({ op: 'open', booking: bookingId, ago_s: 1500 }), 'ok');
  await page.locator(`[data-booking="${bookingId}"]`).waitFor();
  await server.live({ op: 'join', booking: bookingId, participant: 1, number: '+33611111111', name: 'Chair', role: 'moderator', ago_s: 1440 });
  await server.live({ op: 'join', booking: bookingId, participant: 2, number: '+33622222222', ago_s: 1200 });
  await server.live({ op: 'join', booking: bookingId, participant: 3, number: '+33633333333' });
  await page.locator('tr[data-participant="3"]').waitFor();
  await server.live({ op: 'talk', booking: bookingId, participant: 2, on: true });
  await page.locator('tr[data-participant="2"].talking').waitFor();
  await shot(page, '07-current-live');
  await page.locator('tr[data-participant="2"]').getByRole('button', { name: 'Mute' }).click();
  await page.locator('tr[data-participant="2"]').getByRole('button', { name: 'Unmute' }).waitFor();
  await page.locator('tr[data-participant="3"]').getByRole('button', { name: 'Eject' }).click();
  await page.locator('tr[data-participant="3"]').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByText('Locked', { exact: true }).waitFor();
  // Inviting into a locked conference is refused in words, the number kept; unlocked, the invite shows dialling.
  await page.getByLabel('Number to call').fill('+33644444444');
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.getByRole('alert').filter({ hasText: 'This conference is locked' }).waitFor();
  assert.equal(await page.getByLabel('Number to call').inputValue(), '+33644444444');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: 'Invite' }).click();
  await page.locator('[data-state="dialing"]', { hasText: '+33644444444' }).waitFor();
  await shot(page, '08-current-moderated');
  await server.live({ op: 'talk', booking: bookingId, participant: 2, on: false });
  await page.getByRole('button', { name: 'End' }).click();
  await page.getByText('No conference is running.').waitFor();

  // Past: the conference with its connections.
  await search(page, 'Past', 'Conference number', number);
  await page.locator('tr', { hasText: number }).getByRole('link', { name: 'Detail' }).click();
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 3);
  // Reasons in words, not the stored codes ("ended-by-admin", "conference-ended", "ejected").
  const reasons = async () => (await page.locator('tbody tr td:last-child').allTextContents()).sort();
  await page.locator('dd', { hasText: 'Ended by an operator' }).waitFor();
  assert.deepEqual(await reasons(), ['Conference ended', 'Conference ended', 'Ejected']);
  assert.equal(await page.getByText(/ended-by-admin|conference-ended|ejected/).count(), 0);
  await shot(page, '09-past-detail');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
  await page.locator('dd', { hasText: 'Terminée par un opérateur' }).waitFor();
  assert.deepEqual(await reasons(), ['Exclu', 'Fin de la conférence', 'Fin de la conférence']);
  await shot(page, '09-past-detail-french');
  await page.getByRole('combobox', { name: 'Langue' }).selectOption('en');
  await page.getByRole('heading', { name: 'Connections' }).waitFor();

  // Reports for today.
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.locator('svg.chart').waitFor();
  await page.locator('.tile-value').first().waitFor();
  const used = await page.locator('.tile', { hasText: 'Used' }).locator('.tile-value').textContent();
  assert.ok(Number(used) >= 1);
  // 24 + 20 + 0 participant-minutes (the third caller was ejected at once); 25 conference-minutes.
  const minutes = await page.locator('.tile', { hasText: 'Participant minutes' }).locator('.tile-value').textContent();
  assert.ok(Number(minutes) >= 44, minutes);
  assert.ok(await page.locator('svg.chart rect.bar').count() >= 30);
  const csvHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  assert.match(csvHref, /format=csv/);
  await shot(page, '10-reports');

  // Admin pages.
  await page.getByRole('link', { name: 'Users' }).click();
  await page.locator('tr[data-user="alice"]').waitFor();
  await shot(page, '11-users');
  await page.getByRole('link', { name: 'Access numbers' }).click();
  await page.getByLabel('Access number', { exact: true }).fill('0800123456');
  await page.getByLabel('Label').fill('Paris toll-free');
  await page.getByRole('button', { name: 'Add number' }).click();
  await page.locator('td', { hasText: 'Paris toll-free' }).waitFor();
  await shot(page, '12-access-numbers');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('td', { hasText: 'live.eject' }).first().waitFor();
  await shot(page, '13-audit');

  // Delete it.
  await search(page, 'Delete', 'Conference number', number);
  await page.locator('tr', { hasText: number }).waitFor();
  await shot(page, '14-delete');
  await page.locator('tr', { hasText: number }).getByRole('button', { name: /Delete/ }).click();
  await page.getByText('Nothing found.').waitFor();

  // Language: switch to French; it is remembered across a reload.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
  await page.getByRole('link', { name: 'Réserver' }).waitFor();
  await page.getByRole('link', { name: 'Réserver' }).click();
  await page.getByLabel('Code animateur').waitFor();
  assert.equal(await page.getByLabel('Début de validité').getAttribute('placeholder'), 'jj/mm/aaaa hh:mm');
  assert.match(await page.getByLabel('Début de validité').inputValue(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  await shot(page, '15-schedule-french');
  await page.reload();
  await page.getByRole('link', { name: 'À venir' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  await page.getByRole('link', { name: 'Rapports' }).click();
  await page.locator('svg.chart').waitFor();
  await shot(page, '16-reports-french');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an organizer on a phone-sized screen: no admin tabs, own bookings only, keyboard login', async () => {
  const { page, context, errors } = await newPage({ width: 390, height: 844 }, 'fr-FR');
  await page.goto(server.base + '/');
  await page.getByLabel('Identifiant').waitFor();
  await shot(page, '20-phone-login');
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await page.keyboard.type(USERS.alice);
  await page.keyboard.press('Enter');
  await page.getByRole('navigation').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Utilisateurs' }).count(), 0);
  await page.getByLabel('Nom', { exact: true }).fill('Point hebdo');
  await page.getByRole('button', { name: 'Réserver la conférence' }).click();
  await page.getByRole('heading', { name: 'Conférence réservée' }).waitFor();
  await shot(page, '21-phone-schedule-result');
  await page.getByRole('link', { name: 'À venir' }).click();
  await page.locator('tbody tr').first().waitFor();
  const owners = await page.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.ok(owners.length >= 1 && owners.every((o) => o === 'alice'), owners.join());
  await shot(page, '22-phone-future');
  await page.getByRole('link', { name: 'En cours' }).click();
  await page.getByText('Aucune conférence en cours.').waitFor();
  await shot(page, '23-phone-current');
  await page.goto(server.base + '/users');
  await page.getByRole('heading', { name: 'Réserver' }).waitFor();  // admin page not offered: falls back
  assert.deepEqual(errors, []);
  await context.close();
});

test('Past detail: reasons in words, a SIP status with its number, a code the console does not know as it is', async () => {
  const root = await signedIn(server.base, 'root');
  const at = new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  const b = (await root.post('/api/v1/bookings', { name: 'Reasons in words', valid_from: at, duration_minutes: 60,
    validity_days: 1, max_participants: 8, language: 'en', join_policy: 'pin' })).json;
  assert.equal(await server.live({ op: 'open', booking: b.id, ago_s: 600 }), 'ok');
  for (const [participant, number] of [[1, '+33611111111'], [2, '+33622222222'], [3, '+33633333333'], [4, '+33644444444']]) {
    assert.equal(await server.live({ op: 'join', booking: b.id, participant, number, ago_s: 300 }), 'ok');
  }
  assert.equal(await server.live({ op: 'leave', booking: b.id, participant: 1, reason: 'sip-486' }), 'ok');
  assert.equal(await server.live({ op: 'leave', booking: b.id, participant: 2, reason: 'some-future-code' }), 'ok');
  assert.equal(await server.live({ op: 'leave', booking: b.id, participant: 3, reason: 'rtp-timeout' }), 'ok');
  assert.equal(await server.live({ op: 'close', booking: b.id }), 'ok');  // 4 leaves with the conference
  const sid = (await root.get(`/api/v1/conferences/past?number=${b.number}`)).json.items[0].session_id;

  const { page, context, errors } = await newPage();
  await page.goto(server.base + '/');
  await page.evaluate(() => localStorage.setItem('confpro.lang', 'en'));
  await login(page, 'root');
  await page.goto(`${server.base}/past/${sid}`);
  await page.getByRole('heading', { name: 'Connections' }).waitFor();
  const reasonOf = (number) => page.locator('tbody tr', { hasText: number }).locator('td:last-child').textContent();
  await page.locator('dd', { hasText: 'Scheduled duration reached' }).waitFor();
  assert.equal(await reasonOf('+33611111111'), 'Telephone network error (SIP 486)');
  assert.equal(await reasonOf('+33622222222'), 'some-future-code');
  assert.equal(await reasonOf('+33633333333'), 'Audio lost (no sound received)');
  assert.equal(await reasonOf('+33644444444'), 'Conference ended');
  await shot(page, '17-past-reasons');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
  await page.locator('dd', { hasText: 'Durée prévue atteinte' }).waitFor();
  assert.equal(await reasonOf('+33611111111'), 'Erreur du réseau téléphonique (SIP 486)');
  assert.equal(await reasonOf('+33622222222'), 'some-future-code');
  assert.equal(await reasonOf('+33633333333'), 'Audio perdu (plus de son reçu)');
  await shot(page, '17-past-reasons-french');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a booking name with markup is shown as text: nothing in it runs or becomes an element', async () => {
  const name = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const bob = await signedIn(server.base, 'bob');
  const r = await bob.post('/api/v1/bookings', { name, valid_from: '2030-03-01 09:00', duration_minutes: 60,
    validity_days: 3, max_participants: 8, language: 'en', join_policy: 'pin' });
  assert.equal(r.status, 201, r.text);
  const { page, context, errors } = await newPage();
  await page.goto(server.base + '/');
  await page.evaluate(() => localStorage.setItem('confpro.lang', 'en'));
  await login(page, 'bob');
  await page.getByRole('link', { name: 'Future' }).click();
  await page.getByText(name, { exact: true }).first().waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main img, main script, tbody img, tbody script').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Current page of a session that expires brings back the login form', async () => {
  // 300 s idle timeout at 20× time: the session expires 15 s after its last request (ample for the page to
  // open its stream, even on a loaded machine); the stream is no activity, the server ends it at the next
  // heartbeat and the page must show the login form, not "Reconnecting…" for ever.
  const fast = await startServer({ heartbeat: 1, timeScale: 20, idleTimeout: 300 });
  const { page, context, errors } = await newPage();
  try {
    await signIn(page, fast.base, 'alice', USERS.alice);
    await page.getByRole('link', { name: 'Current' }).click();
    await page.getByText('● Live').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 60000 });
    await page.getByRole('alert').getByText('Your session has ended. Please sign in again.').waitFor();
    await shot(page, '25-current-session-expired');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel(/^Password$/).fill(USERS.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation').waitFor();
    // The browser reports the refused stream (a JSON 401 where it expected text/event-stream); nothing else.
    assert.deepEqual(errors.filter((e) => !/EventSource|MIME type/.test(e)), []);
  } finally {
    await context.close();
    await fast.stop();
  }
});
