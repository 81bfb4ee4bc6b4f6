// The Services screen end to end, against the REAL binary in demo mode (its in-process
// simulated servers): with cPanel & WHM enabled, find a demo account by search, suspend it
// (its links stay), then terminate it and see its links go from the simulated server.
// Needs ../bin/applinks-demo ($APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';

const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
// Shared machines are often busy: generous bounds, outcomes asserted, never speed.
const UI_TIMEOUT = 30_000;
const SERVER = 'demo-cpanel-2';
const ACCOUNT = 'piedpiper';

let service;
let browser;

async function staffAPI(method, path, token, body) {
  const r = await fetch(`${service.baseURL}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path}: ${String(r.status)} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function linksOf(user) {
  const r = await fetch(`${service.baseURL}/__sim/servers/${SERVER}/accounts`);
  assert.equal(r.status, 200);
  const accounts = await r.json();
  const a = accounts.find((x) => x.user === user);
  assert.ok(a, `${SERVER}/${user} exists`);
  return a.links.length;
}

before(async () => {
  service = await startBinary();
  browser = await launch();
  // Enable cPanel & WHM through the API (dashboard-live.test.mjs does it in the browser).
  const { token } = await staffAPI('POST', '/api/v1/auth/login', undefined, {
    email: service.adminEmail,
    password: service.adminPassword,
  });
  await staffAPI('POST', '/api/v1/applications/cpanel/enable', token);
  await eventually(`${ACCOUNT} has its links`, async () => (await linksOf(ACCOUNT)) > 0);
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

describe('services screen with the real service', () => {
  it(
    'finds an account, suspends it, then terminates it and its links go',
    { timeout: 240_000 },
    async (t) => {
      const context = await browser.newContext({
        baseURL: service.baseURL,
        viewport: { width: 1280, height: 900 },
      });
      context.setDefaultTimeout(UI_TIMEOUT);
      const page = await context.newPage();
      try {
        await page.goto('/login');
        await page.getByLabel('Email').fill(service.adminEmail);
        await page.getByLabel('Password').fill(service.adminPassword);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Services' })
          .click();
        await page.waitForURL('**/services');
        const table = page.getByRole('table', { name: 'Hosting accounts' });
        await table.getByRole('row').nth(1).waitFor();

        await page.getByLabel('Search services').fill(ACCOUNT);
        await page.waitForURL(`**/services?q=${ACCOUNT}`);
        const row = table.getByRole('row').filter({ hasText: ACCOUNT });
        await row.getByText('Active', { exact: true }).waitFor();
        await eventually(
          'the search leaves one account',
          async () => (await table.getByRole('row').count()) === 2,
        );

        await row.getByRole('button', { name: `Suspend ${ACCOUNT}` }).click();
        const suspend = page.getByRole('dialog', { name: `Suspend ${ACCOUNT}?` });
        await suspend.getByRole('button', { name: 'Suspend', exact: true }).click();
        await suspend.waitFor({ state: 'detached' });
        await row.getByText('Suspended', { exact: true }).waitFor();
        assert.ok((await linksOf(ACCOUNT)) > 0, 'a suspended account keeps its links');
        await page.screenshot({ path: `${shots}services-suspended.png`, fullPage: true });

        await row.getByRole('button', { name: `Terminate ${ACCOUNT}` }).click();
        const terminate = page.getByRole('dialog', { name: `Terminate ${ACCOUNT}?` });
        await terminate.getByRole('button', { name: 'Terminate', exact: true }).click();
        await terminate.waitFor({ state: 'detached' });
        await row.getByText('Terminated', { exact: true }).waitFor();
        await eventually(
          `${ACCOUNT}'s links are removed`,
          async () => (await linksOf(ACCOUNT)) === 0,
        );
      } catch (e) {
        await page
          .screenshot({ path: `${shots}services-failure.png`, fullPage: true })
          .catch(() => {});
        t.diagnostic(`service log tail:\n${service.logs().slice(-4000)}`);
        throw e;
      } finally {
        await context.close();
      }
    },
  );
});
