#!/usr/bin/env node
// The day's route on a phone (P26, P27): the route page lists the visits in driving
// order (numbered 1…n, visit times rising), each with its arrival and leave-by time,
// the left-out visits with what is planned instead, a map drawn from the coordinates
// and a link to a maps app; Today shows the same stops under the plan.
//
//   BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/route.mjs
//
// Also: SCREENSHOTS_DIR (default e2e/screenshots/route), CHROMIUM, E2E_TIMEOUT_MS.
// Prints PASS, or FAIL with the step and reason (exit 1); exit 2 is bad usage.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, openBrowser } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { BASE_URL, ROUNDS_EMAIL, ROUNDS_PASSWORD } = process.env;
if (!BASE_URL || !ROUNDS_EMAIL || !ROUNDS_PASSWORD) {
  console.error('usage: BASE_URL=… ROUNDS_EMAIL=… ROUNDS_PASSWORD=… node e2e/route.mjs');
  process.exit(2);
}
const shots = resolve(process.env.SCREENSHOTS_DIR ?? join(here, 'screenshots', 'route'));

let step = 'launch chromium';
let b;

const minutes = (hhmm) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

async function main() {
  b = await openBrowser({ name: 'route', baseUrl: BASE_URL, shots });
  const { page } = b;
  step = 'sign in';
  await b.signIn(ROUNDS_EMAIL, ROUNDS_PASSWORD);

  step = 'the stops under the plan on today';
  const onToday = await page.locator('#route ol.stops li.stop').count();
  must(onToday > 0, 'Today shows no route stops');
  await b.checkpoint('today-route');

  step = 'the route page';
  await b.submitAndLoad(page.locator('#route a', { hasText: 'Route page' }));
  must(new URL(page.url()).pathname === '/route', `went to ${page.url()}, not /route`);
  const stops = await page.locator('#route ol.stops li.stop').evaluateAll((lis) =>
    lis.map((li) => ({ order: Number(li.dataset.order), text: li.textContent.replace(/\s+/g, ' ').trim() })),
  );
  must(stops.length === onToday, `the route page has ${stops.length} stops, Today ${onToday}`);
  const starts = stops.map((s) => minutes(s.text.match(/^(\d\d:\d\d)/)?.[1] ?? '99:99'));
  stops.forEach((s, k) => {
    must(s.order === k + 1, `stop ${k + 1} is numbered ${s.order}`);
    must(/arrive \d\d:\d\d/.test(s.text) && /leave by \d\d:\d\d/.test(s.text), `stop ${k + 1} lacks its times: ${s.text}`);
    if (k > 0) must(starts[k] > starts[k - 1], `stop ${k + 1} starts before stop ${k}: ${s.text}`);
  });
  console.log(`  ${stops.length} stops: ${stops.map((s) => s.text.slice(0, 5)).join(' → ')}`);
  const circles = await page.locator('#route details.map svg circle').count();
  must(circles === stops.length, `the map draws ${circles} stops, not ${stops.length}`);
  const maps = await page.locator('#route a', { hasText: 'maps app' }).getAttribute('href');
  must(maps?.startsWith('https://www.google.com/maps/dir/'), `no maps link: ${maps}`);
  const leftOut = await page.locator('#route ul.left-out li').allInnerTexts();
  for (const l of leftOut) must(/instead|later day/.test(l), `a left-out visit says nothing about what happens: ${l}`);
  console.log(`  ${leftOut.length} left out`);
  await b.checkpoint('route-page');
}

let code = 0;
try {
  await main();
  console.log('PASS e2e/route.mjs: the route in driving order at 390px');
} catch (err) {
  code = 1;
  console.error(`FAIL ${step}: ${err?.message ?? err}`);
}
await b?.close(code !== 0);
process.exit(code);
