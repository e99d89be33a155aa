// Issue 12 items 8, 11, 13 in headless Chromium: a deleted conference stays in Past (marked) and in Reports' list
// of conferences; Users edits the phone account and PIN, disables, enables and refuses to delete an owner; the
// Delete page counts and purges old history. Screenshots of Users, Reports and Past at 1024, 1366 and 1920 px in
// en-GB and fr-FR under <build dir>/screenshots/records-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, shot, login } from './browser_support.mjs';
import { startServer, signedIn, Client, USERS } from './harness.mjs';

let server, browser, root, deleted;
const nowIso = () => new Date(Date.now() - 60000).toISOString().replace(/\.\d+Z$/, 'Z');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  root = await signedIn(server.base, 'root');
  const alice = await signedIn(server.base, 'alice');
  // A conference used through the toll-free number and by a dial-out, then deleted; another one still booked.
  deleted = (await alice.post('/api/v1/bookings', { name: 'Board meeting (deleted)', valid_from: nowIso(), duration_minutes: 60,
    validity_days: 1, max_participants: 8, language: 'en' })).json;
  assert.equal(await server.live({ op: 'open', booking: deleted.id, ago_s: 1500 }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: deleted.id, participant: 1, number: '+33611111111', role: 'moderator',
    access_number: '0800300300', ago_s: 1500 }), 'ok');
  assert.equal(await server.live({ op: 'join', booking: deleted.id, participant: 2, number: '+33622222222', ago_s: 1200 }), 'ok');
  assert.equal(await server.live({ op: 'close', booking: deleted.id }), 'ok');
  assert.equal((await alice.del(`/api/v1/bookings/${deleted.id}`)).status, 204);
  const weekly = (await alice.post('/api/v1/bookings', { name: 'Weekly sync', valid_from: nowIso(), duration_minutes: 30,
    validity_days: 7, max_participants: 5, language: 'fr' })).json;
  assert.equal(await server.live({ op: 'open', booking: weekly.id }), 'ok');  // in Current: "Owner: alice"
  assert.equal((await root.patch('/api/v1/users/alice', { phone_account: '1001', phone_pin: '4729' })).status, 200);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Nothing of the page is cut off on the right: the document is no wider than the window.
async function fitsWidth(page, where) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${where}: page is ${scroll}px wide in a ${width}px window`);
}

test('Users, Reports and Past with a deleted conference at laptop and desktop widths, English and French', async () => {
  for (const locale of ['en-GB', 'fr-FR']) {
    const fr = locale === 'fr-FR';
    for (const width of [1024, 1366, 1920]) {
      const { page, context, errors } = await newPage(browser, { width, height: 800 }, locale);
      await page.goto(server.base + '/');
      await page.evaluate((l) => localStorage.setItem('confpro.lang', l), fr ? 'fr' : 'en');
      await login(page, server.base, 'root', USERS.root);
      const tag = `${width}-${fr ? 'fr' : 'en'}`;

      await page.getByRole('link', { name: fr ? 'Utilisateurs' : 'Users' }).click();
      await page.locator('tr[data-user="alice"]').waitFor();
      assert.equal(await page.locator('tr[data-user="alice"] td.mono').textContent(), '1001');
      await shot(page, `records-users-${tag}`);
      const del = page.locator('tr[data-user="bob"]').getByRole('button', { name: fr ? 'Supprimer bob' : 'Delete bob' });
      const box = await del.boundingBox();
      assert.ok(box && box.x + box.width <= width, `${tag}: the Delete button of a user is cut off`);
      await fitsWidth(page, `users ${tag}`);
      if (fr && width === 1366) {  // the refusal to delete an owner and a bad user form, in French only (item 10)
        await page.locator('tr[data-user="alice"]').getByRole('button', { name: 'Supprimer alice' }).click();
        const refused = page.getByText(/Non supprimé\u202f: alice possède 1 conférence/);
        await refused.waitFor();
        assert.doesNotMatch(await refused.textContent(), /owns|upcoming|delete/);
        await shot(page, 'records-users-delete-refused-fr');
        await page.getByLabel('Identifiant', { exact: true }).fill('bad name');
        await page.getByLabel('Mot de passe', { exact: true }).fill('short');
        await page.getByLabel('Code PIN téléphone', { exact: true }).fill('12');
        await page.getByRole('button', { name: 'Ajouter un utilisateur' }).click();
        const formError = page.locator('p.form-error', { hasText: 'Identifiant' });
        await formError.waitFor();
        const text = await formError.textContent();
        for (const part of ['Identifiant\u202f: Doit être un identifiant', 'Mot de passe\u202f: 8 caractères au moins',
          'Code PIN téléphone\u202f: 4 à 12 chiffres']) assert.ok(text.includes(part), `${part} in «${text}»`);
        assert.doesNotMatch(text, /must|digits|required|characters|is not/i, 'no English in the French console');
        await shot(page, 'records-users-bad-form-fr');
        // An access number that is not one, in French too, under the field's own name.
        await page.getByRole('link', { name: "Numéros d'accès" }).click();
        await page.getByLabel("Numéro d'accès", { exact: true }).fill('08OO');
        await page.getByRole('button', { name: 'Ajouter un numéro' }).click();
        await page.getByRole('alert').filter({ hasText: "Numéro d'accès\u202f: Chiffres uniquement, avec un + initial facultatif" }).waitFor();
        await shot(page, 'records-access-bad-number-fr');
      }

      await page.getByRole('link', { name: fr ? 'Rapports' : 'Reports' }).click();
      const row = page.locator(`#report-conferences tr[data-booking="${deleted.id}"]`);
      await row.waitFor();
      assert.match(await row.textContent(), fr ? /Supprimée/ : /Deleted/);
      assert.match(await row.textContent(), new RegExp(deleted.number));
      const direct = page.locator('td', { hasText: fr ? 'Direct / appel sortant' : 'Direct / dial-out' });
      await direct.first().waitFor();
      await fitsWidth(page, `reports ${tag}`);
      await shot(page, `records-reports-${tag}`);

      await page.getByRole('link', { name: fr ? 'Passées' : 'Past' }).click();
      const past = page.locator('tr', { hasText: deleted.number });
      await past.waitFor();
      assert.match(await past.textContent(), fr ? /Supprimée/ : /Deleted/);
      await fitsWidth(page, `past ${tag}`);
      await shot(page, `records-past-${tag}`);
      if (width === 1366) {
        await past.getByRole('link').click();
        await page.locator('dt', { hasText: fr ? 'Supprimée par' : 'Deleted by' }).waitFor();
        // Numbers the language's way: "0,2 %" in French (item 10), "0.2 %" in English.
        const quality = page.locator('td', { hasText: 'PCMU' }).first();
        assert.match(await quality.textContent(), fr ? /^PCMU · \d+,\d\u00a0% · \d+\u00a0ms$/ : /^PCMU · \d+\.\d\u00a0% · \d+\u00a0ms$/);
        await shot(page, `records-past-detail-${tag}`);
        // Current: "label: value" with French typography (a narrow no-break space before the colon).
        await page.getByRole('link', { name: fr ? 'En cours' : 'Current' }).click();
        const head = page.locator('.live-head .muted', { hasText: 'alice' });
        await head.waitFor();
        assert.match(await head.textContent(), fr ? /^Propriétaire\u202f: alice · / : /^Owner: alice · /);
      }
      assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);  // the refused delete answers 409 on purpose
      await context.close();
    }
  }
});

test('Users: edit phone access, disable and enable, a refused delete says why; Delete: count then purge', async () => {
  const { page, context, errors } = await newPage(browser, { width: 1366, height: 800 }, 'en-GB');
  await page.goto(server.base + '/');
  await page.evaluate(() => localStorage.setItem('confpro.lang', 'en'));
  await login(page, server.base, 'root', USERS.root);
  await page.getByRole('link', { name: 'Users' }).click();
  const bob = page.locator('tr[data-user="bob"]');
  await bob.getByRole('button', { name: 'Edit' }).click();
  const editor = page.locator('#edit-user');
  await editor.getByLabel('Phone account').fill('2002');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Phone PIN: Required with a phone account').waitFor();  // an account needs a PIN
  await editor.getByLabel('Phone PIN').fill('8156');
  await shot(page, 'records-users-edit-en');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.locator('tr[data-user="bob"] td.mono', { hasText: '2002' }).waitFor();
  assert.equal(await page.locator('#edit-user').count(), 0, 'the editor closes once saved');
  const user = (await root.get('/api/v1/users')).json.items.find((u) => u.username === 'bob');
  assert.deepEqual([user.phone_account, user.has_phone_pin], ['2002', true]);

  await bob.getByRole('button', { name: 'Disable' }).click();
  await bob.getByRole('button', { name: 'Enable' }).waitFor();
  assert.equal((await new Client(server.base).login('bob')).status, 401, 'a disabled user cannot log in');
  await bob.getByRole('button', { name: 'Enable' }).click();
  await bob.getByRole('button', { name: 'Disable' }).waitFor();

  // alice owns "Weekly sync": her deletion is refused with the reason; she stays.
  await page.locator('tr[data-user="alice"]').getByRole('button', { name: 'Delete alice' }).click();
  await page.getByText(/alice owns 1 upcoming or running conference/).waitFor();
  await shot(page, 'records-users-delete-refused-en');
  assert.equal(await page.locator('tr[data-user="alice"]').count(), 1);

  // Delete page: the purge counts first (nothing is a year old here), then purges with its own retention.
  await page.getByRole('link', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Count' }).click();
  await page.locator('#purge-result', { hasText: 'Would remove' }).waitFor();
  assert.match(await page.locator('#purge-result').textContent(), /0 conferences, 0 sessions, 0 connections, 0 recordings/);
  assert.equal(await page.getByLabel('Older than (days)').inputValue(), '365');
  await shot(page, 'records-delete-purge-en');
  assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);  // the refused delete answers 409 on purpose
  await context.close();
});
