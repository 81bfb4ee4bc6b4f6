// A link that leads somewhere real, end to end: staff give a custom link an external target on
// a relying party on loopback with the signed hand-off on; the customer clicks it in the
// simulated cPanel (autologin through the REAL binary) and lands on the relying party, which
// verifies `applinks_assertion` against the service's /.well-known/jwks.json and shows the
// claims. Needs ../bin/applinks (or $APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startBinary } from './binary.mjs';
import { launch } from './harness.mjs';
import { SHOTS, callAPI, staffToken } from './live.mjs';

const SIM_ACCOUNT = '/__sim/servers/demo-cpanel-1/accounts/acme';
const LABEL = 'Pay online';
const T = { timeout: 15_000 };

let app;
let browser;
let token;
let rp;

const staff = (method, path, body) => callAPI(app, method, path, token, body);

const b64url = (s) => Buffer.from(s, 'base64url');

/**
 * Verifies an assertion as docs/handoff.md tells a relying party to: EdDSA only, the key of its
 * kid from the issuer's JWKS, the signature, iss, aud, exp and a jti seen once.
 */
async function verifyAssertion(jwt, issuer, audience, seen) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error('malformed assertion');
  const header = JSON.parse(b64url(parts[0]).toString());
  if (header.alg !== 'EdDSA') throw new Error('alg must be EdDSA');
  const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json();
  const keys = jwks.keys.filter((k) => k.kid === header.kid && k.crv === 'Ed25519');
  if (keys.length !== 1) throw new Error('unknown kid');
  const key = createPublicKey({ key: keys[0], format: 'jwk' });
  if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), key, b64url(parts[2]))) {
    throw new Error('bad signature');
  }
  const c = JSON.parse(b64url(parts[1]).toString());
  const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (c.iss !== issuer || !aud.includes(audience)) throw new Error('wrong iss or aud');
  if (typeof c.exp !== 'number' || c.exp < Date.now() / 1000 - 5) throw new Error('expired');
  if (!c.jti || seen.has(c.jti)) throw new Error('assertion replayed');
  seen.add(c.jti);
  return c;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The relying party: verifies the assertion of every landing and shows its claims. */
function startRelyingParty(issuer) {
  const seen = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, origin);
    const jwt = url.searchParams.get('applinks_assertion');
    const page = (status, title, body) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${title}</title><h1>${title}</h1>${body}`);
    };
    if (!jwt) return page(401, 'No assertion', '');
    verifyAssertion(jwt, issuer, origin, seen).then(
      (c) => {
        const rows = Object.entries(c)
          .map(([k, v]) => `<dt>${escape(k)}</dt><dd data-claim="${escape(k)}">${escape(v)}</dd>`)
          .join('');
        page(200, 'Assertion verified', `<p>Path: ${escape(url.pathname)}</p><dl>${rows}</dl>`);
      },
      (err) => page(401, 'Assertion refused', `<p>${escape(err.message)}</p>`),
    );
  });
  let origin = '';
  return new Promise((ok) => {
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${server.address().port}`;
      ok({ origin, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

before(async () => {
  app = await startBinary();
  browser = await launch();
  rp = await startRelyingParty(app.baseURL);
  token = await staffToken(app);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await rp?.close();
});

describe('signed hand-off to a relying party', () => {
  it('lands a cPanel click on the relying party, which verifies the assertion', async () => {
    // Staff add a custom link whose target is the relying party, with the hand-off on.
    const current = await staff('GET', '/api/v1/applications/cpanel/links');
    const input = current.map(({ key, label, enabled, order }) => ({ key, label, enabled, order }));
    input.push({
      key: 'custom_pay',
      label: LABEL,
      enabled: true,
      order: 90,
      target: 'external',
      url_template: `${rp.origin}/pay/{username}?service={service_id}`,
      handoff: true,
    });
    await staff('PUT', '/api/v1/applications/cpanel/links', input);
    await staff('POST', '/api/v1/applications/cpanel/enable', {});
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await staff('GET', '/api/v1/applications/cpanel/status');
      if (s.state === 'active') break;
      if (Date.now() > deadline) throw new Error(`cPanel not active: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const clients = await staff('GET', '/api/v1/clients?per_page=200');
    const acme = clients.items.find((c) => c.name === 'Acme Ltd');
    const services = await staff('GET', `/api/v1/services?client_id=${acme.id}&per_page=200`);
    const svc = services.items.find((s) => s.username === 'acme');
    const owner = (await staff('GET', `/api/v1/clients/${acme.id}/users`)).find((u) => u.owner);

    // The customer clicks it in cPanel (the link opens a new tab).
    const ctx = await browser.newContext({
      baseURL: app.baseURL,
      viewport: { width: 1280, height: 860 },
    });
    const sim = await ctx.newPage();
    await sim.goto(SIM_ACCOUNT);
    const [tab] = await Promise.all([
      ctx.waitForEvent('page'),
      sim.getByRole('link', { name: LABEL, exact: true }).first().click(),
    ]);
    await tab.waitForURL(`${rp.origin}/pay/acme?**`, T);
    await tab.getByRole('heading', { name: 'Assertion verified', level: 1 }).waitFor(T);
    await tab.screenshot({ path: `${SHOTS}handoff-relying-party.png` });

    const claim = async (name) => tab.locator(`dd[data-claim="${name}"]`).textContent();
    assert.equal(await claim('iss'), app.baseURL);
    assert.equal(await claim('aud'), rp.origin);
    assert.equal(await claim('destination'), 'custom_pay');
    assert.equal(await claim('client_id'), String(acme.id));
    assert.equal(await claim('service_id'), String(svc.id));
    assert.equal(await claim('sub'), String(owner.user.id));
    assert.equal(await claim('email'), owner.user.email);
    assert.equal(new URL(tab.url()).searchParams.get('service'), String(svc.id));

    // The same assertion again is refused (one jti, once).
    const again = await ctx.newPage();
    await again.goto(tab.url());
    await again.getByRole('heading', { name: 'Assertion refused', level: 1 }).waitFor(T);
    await again.getByText('assertion replayed').waitFor(T);
    await ctx.close();
  });
});
