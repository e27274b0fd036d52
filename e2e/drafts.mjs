#!/usr/bin/env node
// Drafts and the message coach on Today, as a rep on a phone sees them (P42, P47):
// every written item (e-mail, text, LinkedIn, note, letter) carries a draft with the
// coach's verdict; a rep adds a reproach to one draft, checks it with the coach, and
// the answer names the guilt finding and marks its words. No page scrolls sideways
// at 390 px.
//
//   BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/drafts.mjs
//
// Also: SCREENSHOTS_DIR (default e2e/screenshots/drafts), CHROMIUM (default
// /usr/bin/chromium), E2E_TIMEOUT_MS (default 15000). Prints PASS, or FAIL with the
// step and reason (exit 1); exit 2 is bad usage. Requests to any other origin fail.

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { BASE_URL, ROUNDS_EMAIL, ROUNDS_PASSWORD } = process.env;
if (!BASE_URL || !ROUNDS_EMAIL || !ROUNDS_PASSWORD) {
  console.error('usage: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/drafts.mjs');
  process.exit(2);
}
const origin = new URL(BASE_URL).origin;
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots', 'drafts'));
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 15000);
const WRITTEN = ['email', 'text', 'linkedin', 'handwritten-note', 'letter'];

let step = 'start';
const problems = [];
const must = (ok, why) => {
  if (!ok) throw new Error(why);
};

const profile = mkdtempSync(join(tmpdir(), 'rounds-drafts-'));
mkdirSync(shots, { recursive: true });
let context;
let page;
let n = 0;

async function checkpoint(name) {
  must(problems.length === 0, problems.join('; '));
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  must(width[0] <= width[1], `${name} scrolls sideways at 390px: ${width[0]} > ${width[1]}`);
  n += 1;
  const file = join(shots, `${String(n).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

async function submitAndLoad(button) {
  await Promise.all([page.waitForEvent('load', { timeout }), button.click({ timeout })]);
}

async function main() {
  step = 'launch chromium';
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 390, height: 844 },
  });
  context.setDefaultTimeout(timeout);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) problems.push(`request to ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });

  step = 'sign in';
  await page.goto(new URL('/login', origin).href);
  await page.locator('form#login input[name="email"]').fill(ROUNDS_EMAIL);
  await page.locator('form#login input[name="password"]').fill(ROUNDS_PASSWORD);
  await submitAndLoad(page.locator('form#login button[type="submit"]'));
  must(new URL(page.url()).pathname === '/today', `signed in at ${page.url()}, not /today`);

  step = 'drafts on today';
  const items = await page.locator('#plan li.plan-item').evaluateAll((lis) =>
    lis.map((li) => ({
      channel: li.querySelector('.channel')?.textContent.trim(),
      drafts: li.querySelectorAll('details.draft').length,
      badge: li.querySelector('details.draft summary')?.textContent.trim() ?? '',
    })),
  );
  const written = items.filter((i) => WRITTEN.includes(i.channel));
  console.log(`  ${items.length} items, ${written.length} written: ${written.map((i) => i.channel).join(', ')}`);
  must(written.length > 0, 'no written item on the plan to draft');
  for (const [k, i] of items.entries()) {
    const wanted = WRITTEN.includes(i.channel) ? 1 : 0;
    must(i.drafts === wanted, `item ${k + 1} (${i.channel}) has ${i.drafts} drafts, expected ${wanted}`);
    if (wanted) must(/coach: /.test(i.badge), `item ${k + 1}'s draft shows no verdict: "${i.badge}"`);
  }
  await checkpoint('today-drafts');

  step = 'check a draft with the coach';
  const draft = page.locator('#plan details.draft').first();
  await draft.evaluate((d) => (d.open = true));
  const body = draft.locator('textarea[name="body"]');
  const text = await body.inputValue();
  must(text.length > 0, 'the draft has no body');
  await body.fill(`I've tried to reach you several times.\n\n${text}`);
  await submitAndLoad(draft.locator('button[type="submit"]'));
  must(new URL(page.url()).pathname === '/coach', `checking went to ${page.url()}, not /coach`);
  const guilt = page.locator('ul.coach-findings li[data-kind="guilt"]');
  must((await guilt.count()) === 1, 'the coach names no guilt finding');
  must((await guilt.getAttribute('data-rule')) === 'P42', 'the guilt finding is not P42');
  const marked = await page.locator('pre.message mark').allInnerTexts();
  must(marked.includes('tried to reach you'), `the reproach is not marked: ${JSON.stringify(marked)}`);
  console.log(`  findings: ${(await page.locator('ul.coach-findings li').allInnerTexts()).join(' | ')}`);
  await checkpoint('coach-verdict');
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/drafts.mjs: drafts with the coach on Today at 390px');
} catch (err) {
  code = 1;
  console.error(`FAIL ${step}: ${err?.message ?? err}`);
  await page?.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
