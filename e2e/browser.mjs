// What the phone-sized browser checks share: headless Debian Chromium through
// playwright-core in a 390x844 viewport with a fresh profile, requests to any other
// origin and page errors counted as failures, sign-in, and a checkpoint that fails a
// page scrolling sideways and keeps a screenshot.
//
//   const b = await openBrowser({ name: 'route', baseUrl, shots });
//   await b.signIn(email, password);  …  await b.checkpoint('today');  …  await b.close();
//
// Also read: CHROMIUM (default /usr/bin/chromium), E2E_TIMEOUT_MS (default 15000).

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const must = (ok, why) => {
  if (!ok) throw new Error(why);
};

export async function openBrowser({ name, baseUrl, shots }) {
  const origin = new URL(baseUrl).origin;
  const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 15000);
  const profile = mkdtempSync(join(tmpdir(), `rounds-${name}-`));
  mkdirSync(shots, { recursive: true });
  const problems = [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 390, height: 844 },
  });
  context.setDefaultTimeout(timeout);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) problems.push(`request to ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  let n = 0;
  const b = {
    page,
    origin,
    url: (path) => new URL(path, origin).href,
    async submitAndLoad(button) {
      await Promise.all([page.waitForEvent('load', { timeout }), button.click({ timeout })]);
    },
    async signIn(email, password) {
      await page.goto(b.url('/login'));
      await page.locator('form#login input[name="email"]').fill(email);
      await page.locator('form#login input[name="password"]').fill(password);
      await b.submitAndLoad(page.locator('form#login button[type="submit"]'));
      must(new URL(page.url()).pathname === '/today', `signed in at ${page.url()}, not /today`);
    },
    async checkpoint(shot) {
      must(problems.length === 0, problems.join('; '));
      const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      must(width[0] <= width[1], `${shot} scrolls sideways at 390px: ${width[0]} > ${width[1]}`);
      n += 1;
      const file = join(shots, `${String(n).padStart(2, '0')}-${shot}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`  screenshot ${file}`);
    },
    async close(failed) {
      if (failed) await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
  return b;
}
