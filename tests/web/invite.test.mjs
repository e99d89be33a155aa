// Current page with real calls (issue 12 items 5, 9, 14): a real `confpro serve` whose trunk leads to a phone of
// call_driver, headless Chromium in English and French, real SIP callers, in one loopback-only namespace.
// A wait-for-leader, listen-only conference: while only a user waits, the page says "waiting for the moderator"
// and shows no end time (not the epoch); when the moderator dials in it shows the end time without a reload, the
// listen-only user as such with no Mute button. Invite by number from the page: locked → a worded refusal, the
// number kept, nothing dialled; unlocked → the invitee's state follows live (answered → joined once they press 1,
// and they then hear the moderator). Screenshots at 1024, 1366 and 1920 px in en-GB and fr-FR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDriver } from './call_driver.mjs';
import { launchBrowser, newPage, shot, login } from './browser_support.mjs';
import { startConfpro, freePort } from './harness.mjs';

const MODERATOR = { phone: 'moderator', caller: '0611111111', tone_hz: 440 };
const LISTENER = { phone: 'listener', caller: '0622222222', tone_hz: 0 };
const INVITED = '0712345678';
const WIDTHS = [1024, 1366, 1920];

let confpro, browser, driver, trunkPort;

before(async () => {
  trunkPort = await freePort();
  confpro = await startConfpro({ logLevel: 'info', sip: 'dial_plan = ["07[0-9]{8}"]', extra: `[sip.trunk]\nproxy_uri = "sip:127.0.0.1:${trunkPort}"\n` });
  driver = startDriver();
  browser = await launchBrowser();
});
after(async () => {
  await driver?.stop();
  await browser?.close();
  await confpro?.stop();
});

const serverLog = () => '\n---- confpro serve (end of log) ----\n' + confpro.output().slice(-5000);

async function shots(page, name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await shot(page, `${name}-${width}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${width} px scrolls sideways by ${overflow} px`);
  }
  await page.setViewportSize({ width: 1366, height: 800 });
}

async function openCurrent(lang, locale) {
  const { page } = await newPage(browser, { width: 1366, height: 800 }, locale);
  await page.goto(confpro.base + '/');
  await page.evaluate((l) => localStorage.setItem('confpro.lang', l), lang);
  await login(page, confpro.base, 'admin', confpro.password());
  await page.getByRole('link', { name: lang === 'fr' ? 'En cours' : 'Current' }).click();
  await page.locator('.live-dot.on').waitFor();
  return page;
}

test('Current: waiting for the leader, listen-only, invite by number refused when locked and followed live', async () => {
  const password = confpro.password();
  assert.ok(password, 'no administrator password printed: ' + confpro.output());
  const { page: booker } = await newPage(browser, { width: 1366, height: 860 }, 'en-GB');
  await booker.goto(confpro.base + '/');
  await booker.evaluate(() => localStorage.setItem('confpro.lang', 'en'));
  await login(booker, confpro.base, 'admin', password);
  await booker.getByRole('link', { name: 'Schedule' }).click();
  await booker.getByLabel('Name').fill('Weekly sync');
  await booker.getByLabel('Duration (minutes)').fill('30');
  await booker.getByLabel('Max participants').fill('8');
  await booker.getByLabel('Prompt language').selectOption('en');
  for (const o of ['Participants listen only', 'Wait for the moderator']) await booker.getByLabel(o).check();
  await booker.getByRole('button', { name: 'Book the conference' }).click();
  await booker.getByRole('heading', { name: 'Conference booked' }).waitFor();
  const [number, userPin, moderatorPin] = (await booker.locator('.big-number').allTextContents()).map((s) => s.trim());
  await booker.close();

  const en = await openCurrent('en', 'en-GB');
  const fr = await openCurrent('fr', 'fr-FR');

  // A user waits for the leader.
  const dial = await driver.send({ op: 'dial', ...LISTENER, number, port: confpro.sipPort });
  assert.ok(dial.ok, 'listener not answered' + serverLog());
  assert.ok((await driver.send({ op: 'press', phone: LISTENER.phone, digits: userPin + '#' })).ok);
  for (const [page, waiting, notStarted] of [[en, 'Waiting for the moderator', 'Not started'],
    [fr, "En attente de l'animateur", 'Pas commencée']]) {
    const row = page.locator('tr[data-participant]', { hasText: LISTENER.caller });
    await row.waitFor({ timeout: 20000 });
    await page.locator('.badge-waiting', { hasText: waiting }).waitFor();
    const head = await page.locator('.live-head').textContent();
    assert.ok(head.includes(notStarted), `no "${notStarted}" in ${head}`);
    assert.ok(!/01:00/.test(head), `the epoch shows as the end time: ${head}`);
    assert.ok((await row.textContent()).includes(waiting), 'the waiting participant is not shown waiting');
    assert.equal(await row.getByRole('button', { name: /^(Mute|Couper le micro|Muet)/ }).count(), 0);
  }
  await shots(en, 'invite-01-waiting-en-GB');
  await shots(fr, 'invite-01-waiting-fr-FR');

  // The moderator arrives: the end time appears without a reload, the user is listen-only (no Mute button).
  assert.ok((await driver.send({ op: 'dial', ...MODERATOR, number, port: confpro.sipPort })).ok);
  assert.ok((await driver.send({ op: 'press', phone: MODERATOR.phone, digits: moderatorPin + '#' })).ok);
  for (const [page, endsAt, listenOnly] of [[en, 'Ends at', 'Listen only'], [fr, 'Fin prévue', 'Écoute seule']]) {
    await page.locator('tr[data-participant]', { hasText: MODERATOR.caller }).waitFor({ timeout: 20000 });
    await page.locator('.live-head', { hasText: endsAt }).waitFor();
    assert.equal(await page.locator('.badge-waiting').count(), 0, 'still shown waiting for the leader');
    const row = page.locator('tr[data-participant]', { hasText: LISTENER.caller });
    await row.locator('td', { hasText: listenOnly }).waitFor();
    assert.equal(await row.locator('.row-actions button').count(), 1, 'a listen-only participant has more than Eject');
    const moderatorRow = page.locator('tr[data-participant]', { hasText: MODERATOR.caller });
    assert.equal(await moderatorRow.locator('.row-actions button').count(), 2, 'the moderator has no Mute button');
  }
  const head = await en.locator('.live-head').textContent();
  assert.match(head, /Ends at \d\d:\d\d/);
  assert.ok(!/Ends at 01:00/.test(head), head);

  // Locked: the invite is refused with words, the number stays, nothing is dialled.
  assert.ok((await driver.send({ op: 'answer', phone: 'invited', sip_port: trunkPort })).ok);
  await en.getByRole('button', { name: 'Lock' }).click();
  await en.locator('.badge-locked').waitFor();
  await en.getByLabel('Number to call').fill(INVITED);
  await en.getByRole('button', { name: 'Invite', exact: true }).click();
  await en.getByRole('alert').filter({ hasText: 'This conference is locked' }).waitFor();
  assert.equal(await en.getByLabel('Number to call').inputValue(), INVITED, 'the number was cleared');
  assert.ok(!/Conference number/.test(await en.locator('.invite').textContent()), 'the error names the conference number');
  assert.equal((await driver.send({ op: 'wait_answered', phone: 'invited', timeout: 2000 })).ok, false,
    'a locked conference\'s invite was dialled');
  await fr.locator('.badge-locked').waitFor();
  await fr.getByLabel('Numéro à appeler').fill(INVITED);
  await fr.getByRole('button', { name: 'Inviter', exact: true }).click();
  await fr.getByRole('alert').filter({ hasText: 'Cette conférence est verrouillée' }).waitFor();
  await shots(en, 'invite-02-locked-en-GB');
  await shots(fr, 'invite-02-locked-fr-FR');

  // A malformed number: the invite box's own field, in words.
  await en.getByLabel('Number to call').fill('06-abc');
  await en.getByRole('button', { name: 'Invite', exact: true }).click();
  await en.getByRole('alert').filter({ hasText: 'Enter a phone number' }).waitFor();
  assert.equal(await en.getByLabel('Number to call').inputValue(), '06-abc');

  // Unlocked: dialled; the invitee's state follows live; 1 brings them in and they hear the moderator.
  await en.getByRole('button', { name: 'Unlock' }).click();
  await en.locator('.badge-locked').waitFor({ state: 'detached' });
  await fr.locator('.badge-locked').waitFor({ state: 'detached' });
  assert.equal(await fr.getByRole('alert').count(), 0, 'the locked refusal stays after unlocking');
  assert.equal(await fr.getByLabel('Numéro à appeler').inputValue(), INVITED, 'the French page lost the number');
  await en.getByLabel('Number to call').fill(INVITED);
  await en.getByRole('button', { name: 'Invite', exact: true }).click();
  const answered = await driver.send({ op: 'wait_answered', phone: 'invited', timeout: 10000 });
  assert.ok(answered.ok, 'the trunk never got the invite' + serverLog());
  assert.equal(answered.to, INVITED);
  await en.locator('[data-state="answered"]', { hasText: INVITED }).waitFor({ timeout: 5000 });
  await fr.locator('[data-state="answered"]', { hasText: "Décroché, écoute l'invitation" }).waitFor({ timeout: 5000 });
  assert.equal(await en.locator('tr[data-participant]').count(), 2, 'the invitee is in before pressing 1');
  await shots(en, 'invite-03-answered-en-GB');
  await shots(fr, 'invite-03-answered-fr-FR');
  assert.ok((await driver.send({ op: 'press', phone: 'invited', digits: '1' })).ok);
  const heard = await driver.send({ op: 'wait_tone', phone: 'invited', hz: 440, timeout: 15000 });
  assert.ok(heard.ok, 'the invitee does not hear the moderator after pressing 1' + serverLog());
  await en.locator('[data-state="joined"]', { hasText: 'Joined' }).waitFor({ timeout: 5000 });
  await fr.locator('[data-state="joined"]', { hasText: 'A rejoint' }).waitFor({ timeout: 5000 });
  await en.locator('tr[data-participant]', { hasText: INVITED }).waitFor();
  await shots(en, 'invite-04-joined-en-GB');
  await shots(fr, 'invite-04-joined-fr-FR');
});
