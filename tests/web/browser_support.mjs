// Headless Chromium for the console's browser tests (playwright-core, the Debian chromium): launch, a fresh
// context per story with page errors collected, full-page screenshots into <build dir>/screenshots/, sign-in.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const shots = process.env.CONFPRO_SCREENSHOTS ?? join(tmpdir(), 'confpro-screenshots');

export function launchBrowser() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CONFPRO_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
    // playwright gives each launch a fresh temporary user-data dir (it refuses --user-data-dir here).
  });
}

// A new context and page in the servers' zone (Europe/Paris: "today" in the pages is the server's day); `errors` collects uncaught page errors and console errors other than the HTTP
// statuses the console shows on purpose.
export async function newPage(browser, viewport = { width: 1280, height: 860 }, locale = 'en-GB') {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.on('dialog', (d) => d.accept());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[01349]|status of 503/.test(m.text())) errors.push(m.text()); });
  return { page, context, errors };
}

export const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

export async function login(page, base, user, password) {
  await page.goto(base + '/');
  await page.getByLabel(/Username|Identifiant/).fill(user);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await page.getByRole('button', { name: /Sign in|Se connecter/ }).click();
  await page.getByRole('navigation').waitFor();
}

// Opens the tab `tab` (its link's name), types `text` into the search field labelled `field`, searches.
export async function search(page, tab, field, text) {
  if (tab) await page.getByRole('link', { name: tab }).click();
  await page.getByLabel(field, { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Search' }).click();
}
