#!/usr/bin/env node
// A stand-in for `rounds serve`'s HTML pages, only to test e2e/today.mjs itself
// (it is not the product): /login, /today, POST /touches, POST /logout, /healthz.
// One user, rep@example.org / stub-password, in-memory sessions.
//
//   node e2e/stub-server.mjs [PORT]     # listens on 127.0.0.1, default 8099
//   STUB_BREAK=scroll|flash|plan|logout|revoke node e2e/stub-server.mjs   # break one thing

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

const port = Number(process.argv[2] ?? 8099);
const broken = process.env.STUB_BREAK ?? '';
const sessions = new Map(); // sid -> { csrf, plan: [ids], flash }
const loginCsrf = new Set();
const EMAIL = 'rep@example.org';
const PASSWORD = 'stub-password';

const page = (title, body, signedIn) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · Rounds</title>
<style>body{font:16px system-ui;margin:0 1rem}select,textarea{max-width:100%}
${broken === 'scroll' ? '.wide{width:800px}' : ''}</style></head>
<body><header><h1>Rounds</h1>${
  signedIn
    ? `<form id="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="${signedIn.csrf}"><button type="submit">Sign out</button></form>`
    : ''
}</header><main class="wide">${body}</main></body></html>`;

function read(req) {
  return new Promise((ok) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => ok(new URLSearchParams(s)));
  });
}

function session(req) {
  const m = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? [m[1], sessions.get(m[1])] : [null, null];
}

function send(res, status, html, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(html);
}
const redirect = (res, to, headers = {}) => send(res, 303, '', { location: to, ...headers });

createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const [sid, s] = session(req);
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok');
  if (req.method === 'GET' && path === '/login') {
    const csrf = randomBytes(8).toString('hex');
    loginCsrf.add(csrf);
    return send(
      res,
      200,
      page(
        'Sign in',
        `<form id="login" method="post" action="/login">
<input type="hidden" name="csrf" value="${csrf}">
<label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form>`,
        null,
      ),
    );
  }
  if (req.method === 'POST' && path === '/login') {
    const f = await read(req);
    if (!loginCsrf.delete(f.get('csrf') ?? '')) return send(res, 403, page('Forbidden', '<p>bad csrf</p>'));
    if (f.get('email') !== EMAIL || f.get('password') !== PASSWORD)
      return send(res, 401, page('Sign in', '<p class="error">Wrong email or password</p>'));
    const id = randomBytes(16).toString('hex');
    sessions.set(id, { csrf: randomBytes(8).toString('hex'), plan: [12, 7, 31, 4, 18], flash: null });
    return redirect(res, '/today', { 'set-cookie': `sid=${id}; HttpOnly; SameSite=Lax; Path=/` });
  }
  if (!s) return redirect(res, '/login');
  if (req.method === 'GET' && path === '/today') {
    const items = s.plan
      .map(
        (id) => `<li class="plan-item" data-contact-id="${id}"><p>Contact ${id}</p>
<form class="quick-log" method="post" action="/touches">
<input type="hidden" name="csrf" value="${s.csrf}"><input type="hidden" name="contact" value="${id}">
<select name="channel"><option value="call">call</option><option value="visit">visit</option></select>
<select name="outcome"><option value="no-answer">no answer</option><option value="conversation">conversation</option></select>
<textarea name="note"></textarea><button type="submit">Log</button></form></li>`,
      )
      .join('\n');
    const flash = s.flash ? `<p id="flash">${s.flash}</p>` : '';
    s.flash = null;
    return send(res, 200, page('Today', `${flash}<ol id="plan">${items}</ol>`, s));
  }
  if (req.method === 'POST' && path === '/touches') {
    const f = await read(req);
    if (f.get('csrf') !== s.csrf) return send(res, 403, page('Forbidden', '<p>bad csrf</p>', s));
    const c = Number(f.get('contact'));
    if (broken !== 'plan') s.plan = s.plan.filter((id) => id !== c);
    s.flash = `${broken === 'flash' ? 'Saved' : 'Logged'} ${f.get('channel')} with contact ${c}: ${f.get('outcome')}`;
    return redirect(res, '/today');
  }
  if (req.method === 'POST' && path === '/logout') {
    await read(req);
    if (broken === 'logout') return redirect(res, '/login'); // session kept, cookie kept
    if (broken !== 'revoke') sessions.delete(sid); // revoke: cookie dropped, session kept
    return redirect(res, '/login', { 'set-cookie': 'sid=; Max-Age=0; Path=/' });
  }
  send(res, 404, page('Not found', '<p>not found</p>', s));
}).listen(port, '127.0.0.1', () => console.log(`stub on http://127.0.0.1:${port}`));
