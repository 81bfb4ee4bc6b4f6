// Drift and terminal failures end to end, against the REAL binary in demo mode (its in-process
// simulated servers), with cPanel & WHM enabled: a link deleted on a panel is found by Verify
// (a Notice naming the account) and put back; an account its panel refuses fails for good after
// its attempts, the status says "Active with warnings (1 account failed)", and "Retry failed",
// once the panel accepts it again, gives it back the links it lost. Needs ../bin/applinks-demo ($APPLINKS_BIN)
// built after `npm run build`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from './binary.mjs';
import {
  OPERATION_TIMEOUT,
  SHOTS,
  callAPI,
  inPage,
  liveWithCPanel,
  signIn,
  simLinks,
} from './live.mjs';

const APP = 'cPanel & WHM';
const DRIFTED = { server: 'demo-cpanel-1', user: 'acme', app: 'billing_open_ticket' };
const REFUSED = { server: 'demo-cpanel-2', user: 'stark' };

const live = liveWithCPanel();

/** Answers the simulator's JSON for a request that must succeed (any method). */
async function sim(method, path, body) {
  const r = await fetch(`${live.service.baseURL}/__sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.ok, `${method} /__sim${path}: ${String(r.status)} ${await r.clone().text()}`);
  return r.json();
}

/** Opens the application's View Log from Application Links. */
async function openLog(page) {
  await page.getByRole('link', { name: `View Log of ${APP}` }).click();
  await page.waitForURL('**/settings/application-links/cpanel/log');
}

/** In View Log's history: waits until the newest operation of the kind shows Completed. */
async function waitCompleted(page, kind) {
  const history = page.getByRole('table', { name: 'Operation history' });
  const row = history.getByRole('row').filter({ hasText: kind }).first();
  await row.getByText('Completed', { exact: true }).waitFor({ timeout: OPERATION_TIMEOUT });
}

describe('verify and retry failed with the real service', () => {
  it('finds a link deleted on the panel and puts it back', { timeout: 240_000 }, async (t) => {
    await inPage(t, live.browser, live.service, 'verify', async (page) => {
      const { server, user, app } = DRIFTED;
      const whole = await simLinks(live.service, server, user);
      await sim('DELETE', `/servers/${server}/accounts/${user}/links/${app}`);
      assert.equal(await simLinks(live.service, server, user), whole - 1, 'the link is gone');

      await signIn(page, live.service.adminEmail, live.service.adminPassword);
      await page.waitForURL('**/settings/application-links');
      await page.getByRole('button', { name: `Verify the links of ${APP}` }).click();
      await page.getByText('A verify of every account was queued.').waitFor();
      await page.screenshot({ path: `${SHOTS}verify-queued.png`, fullPage: true });

      await openLog(page);
      await waitCompleted(page, 'Verify');
      const entries = page.getByRole('table', { name: 'Log entries' });
      const drift = entries
        .getByRole('row')
        .filter({ hasText: `Account ${user} on server ${server} differs from its desired links` });
      await drift.getByText('Notice', { exact: true }).waitFor();
      t.diagnostic(await drift.first().innerText());
      // The server too old for links is an Information entry, not a failure.
      await entries
        .getByRole('row')
        .filter({ hasText: 'Server demo-cpanel-old does not support application links' })
        .first()
        .getByText('Information', { exact: true })
        .waitFor();
      await page.locator('.card--inline').getByText('Active', { exact: true }).waitFor();
      await page.screenshot({ path: `${SHOTS}verify-log.png`, fullPage: true });

      await eventually('the deleted link is back', async () => {
        return (await simLinks(live.service, server, user)) === whole;
      });
    });
  });

  it('shows an account that failed for good and retries it', { timeout: 240_000 }, async (t) => {
    await inPage(t, live.browser, live.service, 'retry-failed', async (page) => {
      const { server, user } = REFUSED;
      // The account loses its links on the panel, which then refuses it.
      const accounts = await sim('GET', `/servers/${server}/accounts`);
      const apps = accounts.find((a) => a.user === user).links.map((l) => l.app);
      assert.ok(apps.length > 0, `${user} carries links after the enable`);
      for (const app of apps)
        await sim('DELETE', `/servers/${server}/accounts/${user}/links/${app}`);
      await sim('POST', `/servers/${server}/faults`, { refuse_accounts: [user] });

      await signIn(page, live.service.adminEmail, live.service.adminPassword);
      await page.waitForURL('**/settings/application-links');
      await openLog(page);
      await page.getByRole('button', { name: 'Repair all accounts' }).click();
      await page.getByText(/A repair of every account was queued \(operation #\d+\)/).waitFor();
      // A repair re-pushes every account: the refused one is tried until its attempts run out.
      const card = page.locator('.card--inline');
      await card.getByText('Active with warnings', { exact: true }).waitFor({
        timeout: OPERATION_TIMEOUT,
      });
      await card.getByText('(1 account failed)').waitFor();
      const retry = card.getByRole('button', { name: `Retry the failed accounts of ${APP}` });
      await retry.waitFor();
      const warning = page
        .getByRole('table', { name: 'Log entries' })
        .getByRole('row')
        .filter({ hasText: `${user} on server ${server}` })
        .filter({ hasText: 'Warning' })
        .first();
      await warning.waitFor();
      t.diagnostic(await warning.innerText());
      await page.screenshot({ path: `${SHOTS}retry-failed-warnings.png`, fullPage: true });

      // The panel accepts the account again: Retry failed gives it its links.
      await sim('DELETE', `/servers/${server}/faults`);
      assert.equal(
        await simLinks(live.service, server, user),
        0,
        'the refused account has no links',
      );
      await retry.click();
      await card.getByText('Active', { exact: true }).waitFor({ timeout: OPERATION_TIMEOUT });
      await waitCompleted(page, 'Retry failed');
      await page.screenshot({ path: `${SHOTS}retry-failed-done.png`, fullPage: true });
      assert.equal(await retry.count(), 0, 'Retry failed is gone once nothing failed');
      const status = await callAPI(
        live.service,
        'GET',
        '/api/v1/applications/cpanel/status',
        live.token,
      );
      assert.equal(status.accounts_failed ?? 0, 0, 'no account failed');
      assert.equal(
        await simLinks(live.service, server, user),
        apps.length,
        'the account has its links back',
      );
    });
  });
});
