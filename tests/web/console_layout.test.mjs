// Issue 12 items 10, 12 and 14: every page of the console at laptop and desktop widths (1024, 1366, 1920 px) in
// English and French, with enough data to fill the tables (long names, past and running conferences, users, access
// numbers, the audit log). Each page is saved as <page>-<lang>-<width>.png under <build dir>/screenshots/ and must
// fit: the page never scrolls sideways, no table is wider than its box, every row's buttons are wholly on screen,
// no date wraps. The French console shows its own errors in French: the form's checks (required, digits only), the
// server's field errors (a PIN of the wrong length, a date it cannot read, a duration out of range) and the
// report's date error, each worded from the reason code the server sends — never the server's English sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, shot, login } from './browser_support.mjs';
import { startServer, signedIn, USERS } from './harness.mjs';

let server, browser, editPath, detailPath;
const WIDTHS = [1024, 1366, 1920];
const LANGS = [['en', 'en-GB'], ['fr', 'fr-FR']];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const root = await signedIn(server.base, 'root');
  const names = ['Comité de direction trimestriel — revue budgétaire et arbitrages', 'Weekly sync',
    'Point hebdomadaire équipe support niveau 2', 'Board meeting', 'Revue de sécurité des systèmes d’information',
    'Sales kick-off EMEA', 'Réunion', 'Customer escalation bridge — priority one incidents'];
  const ids = [];
  for (const [i, name] of names.entries()) {
    const r = await root.post('/api/v1/bookings', {
      name, owner: i % 2 ? 'alice' : 'bob', duration_minutes: 30 + i * 45, validity_days: 1 + i * 40,
      max_participants: 10 + i * 12, record: i % 3 === 0, wait_for_leader: i % 2 === 0,
      invitees: [{ email: `guest${i}@example.com`, phone: '+33612345678', personal_pin: '' }],
    });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  // Past conferences with connections (Past, Reports, Audit), and one running (Current).
  for (const id of ids.slice(0, 3)) {
    assert.equal(await server.live({ op: 'open', booking: id, ago_s: 3000 }), 'ok');
    await server.live({ op: 'join', booking: id, participant: 1, number: '+33611111111', name: 'Chair', role: 'moderator', ago_s: 2900 });
    await server.live({ op: 'join', booking: id, participant: 2, number: '+442071234567', ago_s: 2000 });
    assert.equal(await server.live({ op: 'close', booking: id }), 'ok');
  }
  editPath = `/future/${ids[4]}`;
  const past = await root.get('/api/v1/conferences/past?limit=1');
  detailPath = `/past/${past.json.items[0].session_id}`;
  const live = ids[3];
  assert.equal(await server.live({ op: 'open', booking: live, ago_s: 600 }), 'ok');
  await server.live({ op: 'join', booking: live, participant: 1, number: '+33611111111', name: 'Présidente de séance', role: 'moderator', ago_s: 590 });
  await server.live({ op: 'join', booking: live, participant: 2, number: '+33622222222', ago_s: 300 });
  await server.live({ op: 'join', booking: live, participant: 3, number: '+442071234567', ago_s: 60 });
  assert.equal((await root.post('/api/v1/users', { username: 'carol.longname', password: 'carol-password-1',
    display_name: 'Carole-Anne de la Fontaine-Dubois', email: 'carole-anne.delafontaine@example.com', role: 'organizer' })).status, 201);
  assert.equal((await root.post('/api/v1/access-numbers', { number: '0800123456', label: 'Paris — numéro vert national',
    kind: 'toll-free', language: 'fr' })).status, 200);
  assert.equal((await root.post('/api/v1/access-numbers', { number: '442071234567', label: 'London local',
    kind: 'local', language: 'en' })).status, 200);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// Everything that does not fit, as sentences (empty when the page fits).
function misfits(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > vw + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
    for (const table of document.querySelectorAll('table')) {
      const box = (table.closest('.table-wrap') ?? table.parentElement).getBoundingClientRect();
      const r = table.getBoundingClientRect();
      if (r.width > box.width + 1) out.push(`table ${table.className} is ${Math.round(r.width)} px in a ${Math.round(box.width)} px box`);
    }
    for (const b of document.querySelectorAll('table button, table a')) {
      const r = b.getBoundingClientRect();
      const wrap = b.closest('.table-wrap')?.getBoundingClientRect() ?? { left: 0, right: vw };
      if (r.left < Math.max(0, wrap.left) - 1 || r.right > Math.min(vw, wrap.right) + 1) {
        out.push(`button "${b.textContent}" at ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(Math.max(0, wrap.left))}–${Math.round(Math.min(vw, wrap.right))}`);
      }
    }
    for (const tab of document.querySelectorAll('nav.tabs a')) {
      const r = tab.getBoundingClientRect();
      if (r.left < 0 || r.right > vw + 1) out.push(`tab "${tab.textContent}" at ${Math.round(r.left)}–${Math.round(r.right)} is cut`);
    }
    for (const td of document.querySelectorAll('td')) {
      if (!/\d{2}\/\d{2}\/\d{4}|\d+\u00a0(min|h)/.test(td.textContent)) continue;
      // Each piece of text on one line (a cell may put two dates on two lines on purpose, with a <br>).
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const lines = new Set([...range.getClientRects()].map((x) => Math.round(x.top))).size;
        if (lines > 1) out.push(`date or duration "${node.textContent}" in "${td.textContent}" wraps over ${lines} lines`);
      }
    }
    return out;
  });
}

// The error texts on screen (field errors, form errors, alerts).
const errorTexts = (page) => page.locator('.field-error, .form-error, [role=alert]').allTextContents()
  .then((all) => all.map((s) => s.trim()).filter((s) => s));
const ENGLISH = /\b(required|digits only|must|exactly|between|YYYY|invalid|write it as)\b/i;

const pages = () => [
  ['future', '/future', 'table.data tbody tr'],
  ['future-edit', editPath, '[data-field="name"] input'],
  ['past-detail', detailPath, 'table tbody tr'],
  ['past', '/past', 'table tbody tr'],
  ['current', '/current', '[data-booking] tr[data-participant]'],
  ['reports', '/reports', 'svg.chart'],
  ['users', '/users', 'tr[data-user="carol.longname"]'],
  ['access', '/access', 'td >> text=London local'],
  ['audit', '/audit', 'table tbody tr'],
  ['delete', '/delete', 'table.data tbody tr'],
];

for (const [lang, locale] of LANGS) {
  for (const width of WIDTHS) {
    test(`every page fits ${width} px in ${locale}`, async () => {
      const { page, context, errors } = await newPage(browser, { width, height: 800 }, locale);
      await page.addInitScript((l) => localStorage.setItem('confpro.lang', l), lang);
      await login(page, server.base, 'root', USERS.root);
      const problems = [];
      for (const [name, path, ready] of pages()) {
        await page.goto(server.base + path);
        await page.locator(ready).first().waitFor();
        await shot(page, `${name}-${lang}-${width}`);
        for (const p of await misfits(page)) problems.push(`${name}: ${p}`);
      }
      assert.deepEqual(problems, []);
      // The header names the role in the page's language only.
      const who = await page.locator('.who-name').textContent();
      assert.equal(who.includes('Administrator') && lang === 'fr', false, who);

      // The booking form with errors: the form's own checks, then the server's.
      await page.goto(server.base + '/schedule');
      const name = page.locator('[data-field="name"] input');
      await name.waitFor();
      await page.locator('button[type=submit]').click();
      await page.locator('[data-field="name"] .field-error').filter({ hasText: lang === 'fr' ? 'Obligatoire' : 'Required' }).waitFor();
      await page.locator('[data-field="number"] input').fill('12a');
      await page.locator('[data-field="number"] .field-error').filter({ hasText: lang === 'fr' ? 'Chiffres uniquement' : 'Digits only' }).waitFor();
      await page.locator('[data-field="number"] input').fill('');
      await name.fill('Layout check');
      // A date the form cannot read is refused before sending, in the field's own format.
      const validFrom = page.locator('[data-field="valid_from"] input.date-text');
      const start = await validFrom.inputValue();
      await validFrom.fill('31/02/2030 10:00');
      await page.locator('button[type=submit]').click();
      await page.locator('[data-field="valid_from"] .field-error').filter({ hasText: lang === 'fr' ? 'jj/mm/aaaa hh:mm' : 'dd/mm/yyyy hh:mm' }).waitFor();
      const localErrors = await errorTexts(page);
      await validFrom.fill(start);
      // The server's rules, worded from its reason codes: a PIN of the wrong length, a duration out of range.
      await page.locator('[data-field="user_pin"] input').fill('4829');
      await page.locator('[data-field="duration_minutes"] input').fill('1000');
      await page.locator('button[type=submit]').click();
      const pinError = page.locator('[data-field="user_pin"] .field-error');
      await pinError.filter({ hasText: lang === 'fr' ? 'exactement 6 chiffres' : 'exactly 6 digits' }).waitFor();
      await page.locator('[data-field="duration_minutes"] .field-error').filter({ hasText: lang === 'fr' ? 'Entre 5 et 480' : 'Between 5 and 480' }).waitFor();
      await shot(page, `schedule-errors-${lang}-${width}`);
      for (const p of await misfits(page)) problems.push(`schedule: ${p}`);
      const formErrors = [...localErrors, ...await errorTexts(page)];
      if (lang === 'fr') for (const e of formErrors) assert.doesNotMatch(e, ENGLISH, `English in the French form: ${e}`);

      // The report's date error asks for the form the field shows.
      await page.goto(server.base + '/reports');
      await page.locator('svg.chart').waitFor();
      await page.locator('#r-from').fill('2026-13-45');
      await page.locator('form.search button[type=submit]').click();
      const dateError = page.locator('.form-error');
      await dateError.waitFor();
      const text = await dateError.textContent();
      assert.match(text, lang === 'fr' ? /jj\/mm\/aaaa/ : /dd\/mm\/yyyy/);
      assert.doesNotMatch(text, /YYYY/);
      if (lang === 'fr') assert.doesNotMatch(text, ENGLISH, text);
      await shot(page, `reports-error-${lang}-${width}`);

      assert.deepEqual(problems, []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('the booking confirmation lists owner, options and invitees', async () => {
  const { page, context } = await newPage(browser, { width: 1024, height: 800 }, 'fr-FR');
  await page.addInitScript(() => localStorage.setItem('confpro.lang', 'fr'));
  await login(page, server.base, 'root', USERS.root);
  await page.goto(server.base + '/schedule');
  await page.getByLabel('Nom', { exact: true }).fill('Confirmation complète');
  await page.getByLabel('Propriétaire').fill('alice');
  await page.getByLabel('Enregistrer la conférence').check();
  await page.getByLabel("Attendre l'animateur").check();
  await page.getByRole('button', { name: '+ Ajouter un invité' }).click();
  await page.getByLabel('E-mail 1').fill('invitee@example.com');
  await page.getByLabel('Téléphone 1').fill('+33698765432');
  await page.getByRole('button', { name: 'Réserver la conférence' }).click();
  await page.getByRole('heading', { name: 'Conférence réservée' }).waitFor();
  const summary = page.locator('dl.summary');
  await summary.locator('.kv', { hasText: 'Propriétaire' }).locator('dd', { hasText: 'alice' }).waitFor();
  const options = await summary.locator('[data-kv="options"] li').allTextContents();
  assert.deepEqual(options, ['Enregistrer la conférence', "Attendre l'animateur"]);
  const invitees = await summary.locator('[data-kv="invitees"] li').allTextContents();
  assert.deepEqual(invitees, ['invitee@example.com · +33698765432']);
  await shot(page, 'schedule-result-fr-1024');
  await context.close();
});
