#!/usr/bin/env node
// End-to-end check of the Rounds web pages as a rep on a phone would use them:
// sign in, open Today, log a touch with the first item's quick-log form, sign out.
//
//   node e2e/today.mjs [BASE_URL [EMAIL [PASSWORD]]]
//
// Arguments win over the environment: BASE_URL, ROUNDS_EMAIL, ROUNDS_PASSWORD
// (prefer the environment for the password: argv is visible in `ps`).
// Also: SCREENSHOTS_DIR (default e2e/screenshots, next to this script),
// CHROMIUM (default /usr/bin/chromium), E2E_TIMEOUT_MS (default 15000 per action),
// E2E_REPLAY_CHECK=0 to skip replaying the pre-sign-out cookies (expects /login).
//
// Runs headless Debian Chromium through playwright-core (no `playwright install`),
// in a 390x844 viewport with a fresh temporary profile. Takes a screenshot after
// each step; on failure it also saves failure.png, prints `FAIL <step>: <reason>`
// and exits 1. Exit 2 means bad usage. Only the base URL's origin may be contacted:
// a request to any other origin fails the run (the pages must work offline).

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [argBase, argEmail, argPassword] = process.argv.slice(2);
const baseArg = argBase ?? process.env.BASE_URL;
const email = argEmail ?? process.env.ROUNDS_EMAIL;
const password = argPassword ?? process.env.ROUNDS_PASSWORD;
const shotsDir = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 15000);

if (!baseArg || !email || !password) {
  console.error('usage: node e2e/today.mjs BASE_URL EMAIL PASSWORD');
  console.error('   or: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/today.mjs');
  process.exit(2);
}
let base;
try {
  base = new URL(baseArg);
} catch {
  console.error(`BASE_URL is not a URL: ${baseArg}`);
  process.exit(2);
}
const url = (path) => new URL(path, base).href;

class StepError extends Error {}
let step = 'start';
const fail = (msg) => {
  throw new StepError(msg);
};
const check = (cond, msg) => {
  if (!cond) fail(msg);
};

// Everything the page does that should fail the run, checked after each step.
const problems = [];
const documents = []; // main-frame document responses: { url, status }

const profile = mkdtempSync(join(tmpdir(), 'rounds-e2e-'));
mkdirSync(shotsDir, { recursive: true });
// Only this run's screenshots in the directory: drop the ones a previous run left.
for (const f of readdirSync(shotsDir)) {
  if (/^(\d\d-[\w-]+|failure)\.png$/.test(f)) rmSync(join(shotsDir, f));
}
let shot = 0;
let context;
let page;

async function screenshot(name) {
  shot += 1;
  const file = join(shotsDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  screenshot ${file}`);
}

function pathname() {
  return new URL(page.url()).pathname;
}

function takeProblems() {
  const bad = documents.filter((d) => d.status >= 400);
  documents.length = 0;
  const msgs = [...problems.splice(0), ...bad.map((d) => `HTTP ${d.status} for ${d.url}`)];
  if (msgs.length) fail(msgs.join('; '));
}

async function begin(name) {
  step = name;
  console.log(`- ${name}`);
}

async function end(name) {
  takeProblems();
  await screenshot(name);
}

// Click a submit button and wait for the document the server answers with
// (POST, then whatever redirects it sends), however the URL ends up.
async function submit(button) {
  await Promise.all([page.waitForEvent('load', { timeout }), button.click({ timeout })]);
}

async function noHorizontalScroll(where) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  check(
    m.scrollWidth <= m.innerWidth,
    `${where} scrolls sideways at 390px: scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth}`,
  );
}

async function planIds() {
  return page.locator('#plan > li.plan-item').evaluateAll((lis) => lis.map((li) => li.dataset.contactId));
}

async function bodyHint() {
  const text = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

async function main() {
  await begin('launch chromium');
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 390, height: 844 },
    timeout: 30000,
  });
  context.setDefaultTimeout(timeout);
  context.setDefaultNavigationTimeout(timeout);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => problems.push(`uncaught page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`  (console error: ${msg.text()})`);
  });
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (!['http:', 'https:'].includes(u.protocol)) return;
    if (u.origin !== base.origin) problems.push(`request to another origin: ${req.url()}`);
  });
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) {
      documents.push({ url: res.url(), status: res.status() });
    }
  });

  await begin('login page');
  await page.goto(url('/login'), { waitUntil: 'load' });
  check(pathname() === '/login', `GET /login ended at ${page.url()}`);
  const form = page.locator('form#login');
  check((await form.count()) === 1, 'no <form id="login"> on /login');
  check(
    (await form.getAttribute('method'))?.toLowerCase() === 'post' && (await form.getAttribute('action')) === '/login',
    'form#login must be method="post" action="/login"',
  );
  for (const sel of ['input[name="email"]', 'input[name="password"]', 'input[type="hidden"][name="csrf"]']) {
    check((await form.locator(sel).count()) === 1, `form#login lacks ${sel}`);
  }
  check(
    ((await form.locator('input[name="csrf"]').getAttribute('value')) ?? '') !== '',
    'the csrf input of form#login is empty',
  );
  await noHorizontalScroll('/login');
  await end('login');

  await begin('sign in');
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(password);
  await submit(form.locator('button[type="submit"]'));
  if (pathname() !== '/today') {
    fail(`after signing in we are at ${page.url()}, not /today; the page says: ${await bodyHint()}`);
  }
  await end('signed-in');

  await begin('today page');
  check((await page.locator('ol#plan').count()) === 1, 'no <ol id="plan"> on /today');
  const before = await planIds();
  check(before.length > 0, 'the plan on /today has no li.plan-item (is there a plan for this user and date?)');
  check(
    before.every((id) => id && id.length > 0),
    'some li.plan-item has no data-contact-id',
  );
  console.log(`  plan: ${before.length} items, contacts ${before.join(',')}`);
  await noHorizontalScroll('/today');
  await end('today');

  await begin('quick-log the first item');
  const first = page.locator('#plan > li.plan-item').first();
  const logged = await first.getAttribute('data-contact-id');
  const quick = first.locator('form.quick-log');
  check((await quick.count()) === 1, `the first plan item (contact ${logged}) has no form.quick-log`);
  check(
    (await quick.getAttribute('method'))?.toLowerCase() === 'post' && (await quick.getAttribute('action')) === '/touches',
    'form.quick-log must be method="post" action="/touches"',
  );
  for (const sel of ['select[name="channel"]', 'select[name="outcome"]', 'textarea[name="note"]']) {
    check((await quick.locator(sel).count()) === 1, `form.quick-log lacks ${sel}`);
  }
  const channel = await quick.locator('select[name="channel"]').inputValue();
  await quick.locator('select[name="outcome"]').selectOption('conversation');
  const note = `e2e quick-log ${new Date().toISOString()}`;
  await quick.locator('textarea[name="note"]').fill(note);
  console.log(`  contact ${logged}, channel ${channel} (as offered), outcome conversation`);
  await screenshot('quick-log-filled');
  await submit(quick.locator('[type="submit"]'));
  check(pathname() === '/today', `after logging we are at ${page.url()}, not /today; the page says: ${await bodyHint()}`);
  const flash = page.locator('#flash');
  check((await flash.count()) === 1, `no <p id="flash"> after logging; the page says: ${await bodyHint()}`);
  const flashText = (await flash.innerText()).trim();
  check(flashText.startsWith('Logged'), `the flash says "${flashText}", expected it to start with "Logged"`);
  const after = await planIds();
  console.log(`  flash: ${flashText}`);
  console.log(`  plan: ${after.length} items, contacts ${after.join(',')}`);
  check(JSON.stringify(after) !== JSON.stringify(before), 'the plan did not change after logging a touch');
  if (after[0] === logged) console.log(`  (note: contact ${logged} is still first in the plan)`);
  await noHorizontalScroll('/today after logging');
  await end('logged');

  await begin('sign out');
  const logout = page.locator('form#logout');
  check((await logout.count()) === 1, 'no <form id="logout"> on /today');
  const signedInCookies = await context.cookies(base.href);
  await submit(logout.locator('[type="submit"]'));
  check(pathname() === '/login', `after signing out we are at ${page.url()}, not /login`);
  await end('signed-out');

  await begin('today needs a session');
  await page.goto(url('/today'), { waitUntil: 'load' });
  check(pathname() === '/login', `after signing out, /today shows ${page.url()} instead of redirecting to /login`);
  await end('today-after-sign-out');

  if (process.env.E2E_REPLAY_CHECK !== '0') {
    // Signing out must end the session on the server, not only drop the cookie.
    await begin('old session cookie is dead');
    check(signedInCookies.length > 0, 'no cookies were set while signed in');
    await context.clearCookies();
    await context.addCookies(signedInCookies);
    await page.goto(url('/today'), { waitUntil: 'load' });
    check(
      pathname() === '/login',
      `replaying the cookies from before sign-out still opens ${page.url()}: sign-out must end the session server-side`,
    );
    await context.clearCookies();
    takeProblems();
  }
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/today.mjs: sign in, Today, quick-log, sign out');
} catch (err) {
  code = 1;
  const reason = err instanceof StepError ? err.message : (err?.stack ?? String(err));
  console.error(`FAIL ${step}: ${reason}`);
  if (page) {
    await page
      .screenshot({ path: join(shotsDir, 'failure.png'), fullPage: true })
      .then(() => console.error(`  screenshot ${join(shotsDir, 'failure.png')} (at ${page.url()})`))
      .catch(() => {});
  }
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
