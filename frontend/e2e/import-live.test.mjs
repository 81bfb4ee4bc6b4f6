// Import end to end, against the REAL binary in demo mode (its in-process simulated servers):
// with cPanel & WHM enabled, new accounts appear on a simulated server; staff preview and import
// them in the dashboard (a background job with a progress bar), the reconciler pushes their
// links, then one imported account is found in Services, suspended (its links stay, as a
// suspended account keeps them) and terminated, and its links go from the simulated server.
// Needs ../bin/applinks ($APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';

const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
// Shared machines are often busy: generous bounds, outcomes asserted, never speed.
const UI_TIMEOUT = 30_000;
const OPERATION_TIMEOUT = 120_000;
const SERVER = 'demo-cpanel-1';
const NEW_ACCOUNTS = ['newco1', 'newco2', 'newco3'];
const ACCOUNT = 'newco2';

let service;
let browser;

async function call(method, path, token, body) {
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

/** The simulator's inspection: how many links the account carries on the server. */
async function linksOf(user) {
  const accounts = await call('GET', `/__sim/servers/${SERVER}/accounts`);
  const a = accounts.find((x) => x.user === user);
  assert.ok(a, `${SERVER}/${user} exists`);
  return a.links.length;
}

before(async () => {
  service = await startBinary();
  browser = await launch();
  const { token } = await call('POST', '/api/v1/auth/login', undefined, {
    email: service.adminEmail,
    password: service.adminPassword,
  });
  await call('POST', '/api/v1/applications/cpanel/enable', token);
  // Accounts made on the server outside applinks: what an import is for.
  for (const user of NEW_ACCOUNTS) {
    await call('POST', `/__sim/servers/${SERVER}/accounts`, undefined, {
      user,
      domain: `${user}.test`,
      email: `owner@${user}.test`,
    });
  }
});

after(async () => {
  await browser?.close();
  await service?.stop();
});

describe('import with the real service', () => {
  it(
    'imports a server, finds an imported account, suspends and terminates it',
    { timeout: 300_000 },
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
          .getByRole('link', { name: 'Servers' })
          .click();
        await page.getByRole('link', { name: SERVER }).click();
        await page.waitForURL('**/servers/*');

        const section = page.locator('section', {
          has: page.getByRole('heading', { name: 'Import accounts' }),
        });
        await section.getByRole('button', { name: 'Preview import' }).click();
        const preview = section.getByRole('table', { name: 'Accounts to import' });
        for (const user of NEW_ACCOUNTS) {
          await preview
            .getByRole('row')
            .filter({ hasText: user })
            .getByText('New client')
            .waitFor();
        }
        await page.screenshot({ path: `${shots}import-preview.png`, fullPage: true });
        await section.getByRole('button', { name: 'Import', exact: true }).click();
        await section
          .getByText('Imported', { exact: true })
          .waitFor({ timeout: OPERATION_TIMEOUT });
        await page.screenshot({ path: `${shots}import-done.png`, fullPage: true });
        const newClients = section.locator('dt', { hasText: 'New clients' }).locator('+ dd');
        assert.equal(await newClients.textContent(), String(NEW_ACCOUNTS.length));

        // The job is the server's: a reload shows it again.
        await page.reload();
        await section.getByText('Imported', { exact: true }).waitFor();

        // The reconciler pushes the imported accounts' links.
        await eventually(`${ACCOUNT} gets its links`, async () => (await linksOf(ACCOUNT)) > 0);

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

        await row.getByRole('button', { name: `Terminate ${ACCOUNT}` }).click();
        const terminate = page.getByRole('dialog', { name: `Terminate ${ACCOUNT}?` });
        await terminate.getByRole('button', { name: 'Terminate', exact: true }).click();
        await terminate.waitFor({ state: 'detached' });
        await row.getByText('Terminated', { exact: true }).waitFor();
        await eventually(
          `${ACCOUNT}'s links are removed`,
          async () => (await linksOf(ACCOUNT)) === 0,
        );
        assert.ok((await linksOf('newco1')) > 0, 'the other imported accounts keep their links');
      } catch (e) {
        await page
          .screenshot({ path: `${shots}import-failure.png`, fullPage: true })
          .catch(() => {});
        t.diagnostic(`service log tail:\n${service.logs().slice(-4000)}`);
        throw e;
      } finally {
        await context.close();
      }
    },
  );
});
