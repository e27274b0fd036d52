#!/usr/bin/env node
// A liaison enters referral counts for a provider on a phone (P9) in at most three
// interactions from the contact: open the contact, type the count, tap Add. The page
// then says the day's count; no page scrolls sideways at 390 px.
//
//   BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… CONTACT_ID=… node e2e/referrals.mjs
//
// Also: SCREENSHOTS_DIR (default e2e/screenshots/referrals), CHROMIUM, E2E_TIMEOUT_MS.
// Prints PASS, or FAIL with the step and reason (exit 1); exit 2 is bad usage.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, openBrowser } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { BASE_URL, ROUNDS_EMAIL, ROUNDS_PASSWORD, CONTACT_ID } = process.env;
if (!BASE_URL || !ROUNDS_EMAIL || !ROUNDS_PASSWORD || !CONTACT_ID) {
  console.error('usage: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… CONTACT_ID=… node e2e/referrals.mjs');
  process.exit(2);
}
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots', 'referrals'));

let step = 'launch chromium';
let b;

async function main() {
  b = await openBrowser({ name: 'referrals', baseUrl: BASE_URL, shots });
  const { page } = b;
  step = 'sign in';
  await b.signIn(ROUNDS_EMAIL, ROUNDS_PASSWORD);

  let interactions = 0;
  step = 'open the contact';
  await page.goto(b.url(`/contacts/${CONTACT_ID}`));
  interactions += 1;
  const before = Number((await page.locator('#referrals-today').textContent().catch(() => '0')) ?? 0);
  await b.checkpoint('contact');

  step = 'type the count';
  await page.locator('#add-referrals input[name="count"]').fill('3');
  interactions += 1;
  step = 'tap add';
  await b.submitAndLoad(page.locator('#add-referrals button[type="submit"]'));
  interactions += 1;
  const flash = (await page.locator('#flash').textContent()) ?? '';
  must(/^Added 3 referrals/.test(flash), `no word of the referrals: "${flash}"`);
  const after = Number(await page.locator('#referrals-today').textContent());
  must(after === before + 3, `today's count is ${after}, expected ${before + 3}`);
  must(interactions <= 3, `${interactions} interactions`);
  console.log(`  ${interactions} interactions; today's count ${before} → ${after}`);
  await b.checkpoint('added');
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/referrals.mjs: referral counts entered on a phone in 3 interactions');
} catch (err) {
  code = 1;
  console.error(`FAIL ${step}: ${err?.message ?? err}`);
}
await b?.close(code !== 0);
process.exit(code);
