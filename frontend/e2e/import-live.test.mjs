// Import end to end, against the REAL binary in demo mode (its in-process simulated servers):
// with cPanel & WHM enabled, new accounts appear on a simulated server; staff preview and import
// them in the dashboard (a background job with a progress bar), the reconciler pushes their
// links, then one imported account is found in Services, suspended (its links stay, as a
// suspended account keeps them) and terminated, and its links go from the simulated server.
// Needs ../bin/applinks ($APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';
import {
  OPERATION_TIMEOUT,
  SHOTS,
  callAPI,
  inPage,
  signIn,
  simLinks,
  staffToken,
  suspendAndTerminate,
} from './live.mjs';

const SERVER = 'demo-cpanel-1';
const NEW_ACCOUNTS = ['newco1', 'newco2', 'newco3'];
const ACCOUNT = 'newco2';

let service;
let browser;
const linksOf = (user) => simLinks(service, SERVER, user);

before(async () => {
  service = await startBinary();
  browser = await launch();
  const token = await staffToken(service);
  await callAPI(service, 'POST', '/api/v1/applications/cpanel/enable', token);
  // Accounts made on the server outside applinks: what an import is for.
  for (const user of NEW_ACCOUNTS) {
    await callAPI(service, 'POST', `/__sim/servers/${SERVER}/accounts`, undefined, {
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
      await inPage(t, browser, service, 'import', async (page) => {
        await signIn(page, service.adminEmail, service.adminPassword);
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
        await page.screenshot({ path: `${SHOTS}import-preview.png`, fullPage: true });
        await section.getByRole('button', { name: 'Import', exact: true }).click();
        await section
          .getByText('Imported', { exact: true })
          .waitFor({ timeout: OPERATION_TIMEOUT });
        await page.screenshot({ path: `${SHOTS}import-done.png`, fullPage: true });
        const newClients = section.locator('dt', { hasText: 'New clients' }).locator('+ dd');
        assert.equal(await newClients.textContent(), String(NEW_ACCOUNTS.length));

        // The job is the server's: a reload shows it again.
        await page.reload();
        await section.getByText('Imported', { exact: true }).waitFor();

        // The reconciler pushes the imported accounts' links.
        await eventually(`${ACCOUNT} gets its links`, async () => (await linksOf(ACCOUNT)) > 0);

        await suspendAndTerminate(page, ACCOUNT, linksOf);
        assert.ok((await linksOf('newco1')) > 0, 'the other imported accounts keep their links');
      });
    },
  );
});
