#!/usr/bin/env node
// Drafts and the message coach on Today, as a rep on a phone sees them (P42, P47):
// every written item (e-mail, text, LinkedIn, note, letter) carries a draft with the
// coach's verdict; a rep adds a reproach to one draft, checks it with the coach, and
// the answer names the guilt finding and marks its words. Then the rep hands an
// e-mail draft to the manager ("Ask my manager"): Today says so under the item, and
// the Mail page lists it in review. No page scrolls sideways at 390 px.
//
//   BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/drafts.mjs
//
// Also: SCREENSHOTS_DIR (default e2e/screenshots/drafts), CHROMIUM (default
// /usr/bin/chromium), E2E_TIMEOUT_MS (default 15000). Prints PASS, or FAIL with the
// step and reason (exit 1); exit 2 is bad usage. Requests to any other origin fail.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, openBrowser } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { BASE_URL, ROUNDS_EMAIL, ROUNDS_PASSWORD } = process.env;
if (!BASE_URL || !ROUNDS_EMAIL || !ROUNDS_PASSWORD) {
  console.error('usage: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/drafts.mjs');
  process.exit(2);
}
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots', 'drafts'));
const WRITTEN = ['email', 'text', 'linkedin', 'handwritten-note', 'letter'];

let step = 'launch chromium';
let b;

async function main() {
  b = await openBrowser({ name: 'drafts', baseUrl: BASE_URL, shots });
  const { page } = b;
  step = 'sign in';
  await b.signIn(ROUNDS_EMAIL, ROUNDS_PASSWORD);

  step = 'drafts on today';
  const items = await page.locator('#plan li.plan-item').evaluateAll((lis) =>
    lis.map((li) => ({
      contact: li.dataset.contactId,
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
  await b.checkpoint('today-drafts');

  step = 'check a draft with the coach';
  const draft = page.locator('#plan details.draft').first();
  await draft.evaluate((d) => (d.open = true));
  const body = draft.locator('textarea[name="body"]');
  const text = await body.inputValue();
  must(text.length > 0, 'the draft has no body');
  await body.fill(`I've tried to reach you several times.\n\n${text}`);
  await b.submitAndLoad(draft.getByRole('button', { name: 'Check with the coach' }));
  must(new URL(page.url()).pathname === '/coach', `checking went to ${page.url()}, not /coach`);
  const guilt = page.locator('ul.coach-findings li[data-kind="guilt"]');
  must((await guilt.count()) === 1, 'the coach names no guilt finding');
  must((await guilt.getAttribute('data-rule')) === 'P42', 'the guilt finding is not P42');
  const marked = await page.locator('pre.message mark').allInnerTexts();
  must(marked.includes('tried to reach you'), `the reproach is not marked: ${JSON.stringify(marked)}`);
  console.log(`  findings: ${(await page.locator('ul.coach-findings li').allInnerTexts()).join(' | ')}`);
  await b.checkpoint('coach-verdict');

  step = 'ask the manager about an e-mail draft';
  const email = items.find((i) => i.channel === 'email');
  must(email, 'no e-mail item on the plan');
  await page.goto(b.url('/today'));
  const item = page.locator(`#plan li.plan-item[data-contact-id="${email.contact}"]`).first();
  await item.locator('details.draft').evaluate((d) => (d.open = true));
  await b.submitAndLoad(item.getByRole('button', { name: 'Ask my manager' }));
  must(new URL(page.url()).pathname === '/today', `asking went to ${page.url()}, not /today`);
  const flash = (await page.locator('#flash').textContent()) ?? '';
  must(/sent to your manager for review/.test(flash), `no word of the review: "${flash}"`);
  const state = page.locator(`#plan li.plan-item[data-contact-id="${email.contact}"] .outbox-state`).first();
  must((await state.getAttribute('data-state')) === 'in-review', 'Today does not say the e-mail is in review');
  await b.checkpoint('asked-manager');
  await page.goto(b.url('/outbox'));
  must((await page.locator('article.outbox-message[data-state="in-review"]').count()) === 1, 'the Mail page lists no message in review');
  await b.checkpoint('mail-page');
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/drafts.mjs: drafts with the coach on Today at 390px');
} catch (err) {
  code = 1;
  console.error(`FAIL ${step}: ${err?.message ?? err}`);
}
await b?.close(code !== 0);
process.exit(code);
