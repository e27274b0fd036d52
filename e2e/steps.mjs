#!/usr/bin/env node
// End-to-end check of next steps on the Today page as a rep on a phone would use them:
// sign in, then complete one step, reschedule another (new date and reason) and skip a
// third (reason), each from its own form on the page (a plan item's step, or the
// triage list), checking the answer and that the step leaves the page.
//
//   node e2e/steps.mjs [BASE_URL [EMAIL [PASSWORD]]]
//
// RESCHEDULE_TO (default 2026-12-01) is the new date: after the server's day, so the
// step leaves today's page.
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
const shotsDir = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots', 'steps'));
const rescheduleTo = process.env.RESCHEDULE_TO ?? '2026-12-01';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 15000);

if (!baseArg || !email || !password) {
  console.error('usage: node e2e/steps.mjs BASE_URL EMAIL PASSWORD');
  console.error('   or: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/steps.mjs');
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

async function bodyHint() {
  const text = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '');
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

async function stepIds() {
  return page.locator('[data-step-id]').evaluateAll((els) => els.map((el) => el.dataset.stepId));
}

// Submits `kind` (complete, reschedule, skip) for step `id` after `fill` fills its form;
// checks the flash starts with `said` and that the step is gone from the page.
async function act(kind, id, fill, said) {
  await begin(`${kind} step ${id}`);
  await page.locator('#triage details').evaluateAll((ds) => ds.forEach((d) => (d.open = true)));
  const holder = page.locator(`[data-step-id="${id}"]`).first();
  const form = holder.locator(`form.step-${kind}`);
  check((await form.count()) === 1, `step ${id} has no form.step-${kind}`);
  check(
    (await form.getAttribute('method'))?.toLowerCase() === 'post' &&
      (await form.getAttribute('action')) === `/steps/${id}/${kind}`,
    `form.step-${kind} must be method="post" action="/steps/${id}/${kind}"`,
  );
  check((await form.locator('input[type="hidden"][name="csrf"]').count()) === 1, `form.step-${kind} lacks its csrf input`);
  await fill(form);
  await screenshot(`${kind}-filled`);
  await submit(form.locator('[type="submit"]'));
  check(pathname() === '/today', `after ${kind} we are at ${page.url()}, not /today; the page says: ${await bodyHint()}`);
  const flash = page.locator('#flash');
  check((await flash.count()) === 1, `no <p id="flash"> after ${kind}; the page says: ${await bodyHint()}`);
  const text = (await flash.innerText()).trim();
  check(text.startsWith(said), `after ${kind} the flash says "${text}", expected "${said}…"`);
  const left = await stepIds();
  check(!left.includes(id), `step ${id} is still on the page after ${kind}`);
  console.log(`  flash: ${text}; ${left.length} step(s) left on the page`);
  await noHorizontalScroll(`/today after ${kind}`);
  await end(kind);
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

  await begin('sign in');
  await page.goto(url('/login'), { waitUntil: 'load' });
  const login = page.locator('form#login');
  await login.locator('input[name="email"]').fill(email);
  await login.locator('input[name="password"]').fill(password);
  await submit(login.locator('button[type="submit"]'));
  if (pathname() !== '/today') {
    fail(`after signing in we are at ${page.url()}, not /today; the page says: ${await bodyHint()}`);
  }
  await end('signed-in');

  await begin('steps on today');
  // The triage list is folded; open it, as a rep would, so every step's forms show.
  await page.locator('#triage details').evaluateAll((ds) => ds.forEach((d) => (d.open = true)));
  const ids = [...new Set(await stepIds())];
  console.log(`  steps on the page: ${ids.join(',')}`);
  check(ids.length >= 3, `fewer than three steps on /today (plan items' steps and the triage list): ${ids.length}`);
  const inPlan = await page.locator('#plan [data-step-id]').count();
  const inTriage = await page.locator('#triage [data-step-id]').count();
  console.log(`  ${inPlan} in the plan, ${inTriage} in the triage list`);
  await noHorizontalScroll('/today');
  await end('today-steps');

  const [one, two, three] = ids;
  await act('complete', one, async () => {}, 'Completed the step');
  await act(
    'reschedule',
    two,
    async (form) => {
      await form.locator('input[name="due"]').fill(rescheduleTo);
      await form.locator('input[name="reason"]').fill('The office manager is away this week');
    },
    `Moved the step to ${rescheduleTo}`,
  );
  await act(
    'skip',
    three,
    async (form) => {
      await form.locator('input[name="reason"]').fill('They now order direct from the manufacturer');
    },
    'Skipped the step',
  );
  // The ids for the test that runs this script to check against the database.
  console.log(`STEPS complete=${one} reschedule=${two} skip=${three}`);
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/steps.mjs: complete, reschedule and skip a step on Today at 390px');
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
