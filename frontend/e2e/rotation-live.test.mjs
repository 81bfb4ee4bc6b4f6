// Link secret rotation end to end, against the REAL binary in demo mode (its in-process simulated
// servers): with cPanel & WHM enabled, rotate one account's secret from Services, then every
// secret from the application's View Log, each through its confirmation; follow the link to the
// operation's log until the rotation is Completed, and check on the simulator that the new tokens
// reached the panels (update_integration_link_token calls) and that a panel click still signs in.
// Needs ../bin/applinks-demo ($APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  OPERATION_TIMEOUT,
  SHOTS,
  callAPI,
  inPage,
  liveWithCPanel,
  rowMenuItem,
  signIn,
} from './live.mjs';

const APP = 'cPanel & WHM';
const ACCOUNT = { server: 'demo-cpanel-2', user: 'piedpiper' };
// The demo's current cPanel servers and their accounts (api/cmd/applinks/demo.go).
const DEMO_ACCOUNTS = {
  'demo-cpanel-1': ['acme', 'globex', 'initech', 'umbrella'],
  'demo-cpanel-2': ['hooli', 'piedpiper', 'stark'],
};

const live = liveWithCPanel();

/** How many update_integration_link_token calls each demo cPanel server has answered. */
async function tokenUpdates() {
  const out = {};
  for (const name of Object.keys(DEMO_ACCOUNTS)) {
    const info = await callAPI(live.service, 'GET', `/__sim/servers/${name}`);
    out[name] = info.stats.calls?.update_integration_link_token ?? 0;
  }
  return out;
}

/**
 * Clicks the account's "Open Ticket" link the way cPanel does (the simulator POSTs the token it
 * holds to the service) and answers where the browser would be sent.
 */
async function panelClick(server, user) {
  const q = new URLSearchParams({ server, user, app: 'billing_open_ticket' });
  const r = await fetch(`${live.service.baseURL}/__sim/click?${q.toString()}`, {
    redirect: 'manual',
  });
  assert.equal(r.status, 302, `the click on ${server}/${user} redirects`);
  return r.headers.get('location') ?? '';
}

/** A click from the panel signs in (a one-time access token), never the fallback page. */
async function assertClickSignsIn(server, user) {
  const where = await panelClick(server, user);
  assert.match(where, /access_token=/, `${server}/${user}: the click signs in (went to ${where})`);
}

/**
 * On View Log of the operation shown (?op=id): waits until the history lists it as a Completed
 * Rotation.
 */
async function waitCompleted(page, id) {
  await page.waitForURL(`**/settings/application-links/cpanel/log?op=${id}`);
  await page.getByText(`Operation #${id}: Rotation started`).waitFor();
  const history = page.getByRole('table', { name: 'Operation history' });
  const row = history
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: id, exact: true }) });
  await row.getByText('Rotation', { exact: true }).waitFor();
  await row.getByText('Completed', { exact: true }).waitFor({ timeout: OPERATION_TIMEOUT });
}

describe('link secret rotation with the real service', () => {
  it('rotates one account’s secret from Services', { timeout: 240_000 }, async (t) => {
    await inPage(t, live.browser, live.service, 'rotation-one', async (page) => {
      await assertClickSignsIn(ACCOUNT.server, ACCOUNT.user);
      const before = await tokenUpdates();

      await signIn(page, live.service.adminEmail, live.service.adminPassword);
      await page.waitForURL('**/settings/application-links');
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Services' })
        .click();
      await page.getByLabel('Search services').fill(ACCOUNT.user);
      await page.waitForURL(`**/services?q=${ACCOUNT.user}`);
      const table = page.getByRole('table', { name: 'Hosting accounts' });
      const row = table.getByRole('row').filter({ hasText: ACCOUNT.user });
      await row.getByText('Up to date', { exact: true }).waitFor();

      const rotate = await rowMenuItem(
        row,
        ACCOUNT.user,
        `Rotate the link secret of ${ACCOUNT.user}`,
      );
      await rotate.getByText('Rotate secret', { exact: true }).waitFor();
      await page.screenshot({ path: `${SHOTS}rotation-one-menu.png`, fullPage: true });
      await rotate.click();
      const dialog = page.getByRole('dialog', {
        name: `Rotate the link secret of ${ACCOUNT.user}?`,
      });
      await dialog.getByText('keeps working until the panel has confirmed the new one').waitFor();
      await page.screenshot({ path: `${SHOTS}rotation-one-confirm.png`, fullPage: true });
      await dialog.getByRole('button', { name: 'Rotate secret' }).click();
      await dialog.waitFor({ state: 'detached' });

      const queued = row.getByText(/was queued \(operation #\d+\)/);
      await queued.waitFor();
      const id = (await queued.innerText()).match(/operation #(\d+)/)[1];
      await page.screenshot({ path: `${SHOTS}rotation-one-queued.png`, fullPage: true });
      await row.getByRole('link', { name: 'View its log' }).click();
      await waitCompleted(page, id);
      await page.screenshot({ path: `${SHOTS}rotation-one-log.png`, fullPage: true });

      // Only the account's server got the new token, and the panel's click signs in with it.
      const done = await tokenUpdates();
      t.diagnostic(
        `update_integration_link_token: ${JSON.stringify(before)} → ${JSON.stringify(done)}`,
      );
      assert.ok(done[ACCOUNT.server] > before[ACCOUNT.server], 'the account’s server got it');
      assert.equal(done['demo-cpanel-1'], before['demo-cpanel-1'], 'the other server did not');
      await assertClickSignsIn(ACCOUNT.server, ACCOUNT.user);
    });
  });

  it('rotates every secret from the application’s View Log', { timeout: 240_000 }, async (t) => {
    await inPage(t, live.browser, live.service, 'rotation-all', async (page) => {
      const { total } = await callAPI(
        live.service,
        'GET',
        '/api/v1/services?module=cpanel&per_page=1',
        live.token,
      );
      const before = await tokenUpdates();

      await signIn(page, live.service.adminEmail, live.service.adminPassword);
      await page.waitForURL('**/settings/application-links');
      await page.getByRole('link', { name: `View Log of ${APP}` }).click();
      await page.waitForURL('**/settings/application-links/cpanel/log');
      await page.locator('.card--inline').getByText('Active', { exact: true }).waitFor();

      await page.getByRole('button', { name: 'Rotate all link secrets' }).click();
      const dialog = page.getByRole('dialog', { name: `Rotate all link secrets of ${APP}?` });
      await dialog.getByText(`${String(total)} accounts`, { exact: true }).waitFor();
      await page.screenshot({ path: `${SHOTS}rotation-all-confirm.png`, fullPage: true });
      await dialog.getByRole('button', { name: 'Rotate all secrets' }).click();
      await dialog.waitFor({ state: 'detached' });

      const queued = page.getByText(
        /A rotation of every link secret was queued \(operation #\d+\)/,
      );
      await queued.waitFor();
      const id = (await queued.innerText()).match(/operation #(\d+)/)[1];
      await page.screenshot({ path: `${SHOTS}rotation-all-queued.png`, fullPage: true });
      await page.getByRole('link', { name: 'Show its log' }).click();
      await waitCompleted(page, id);
      await page.locator('.card--inline').getByText('Active', { exact: true }).waitFor();
      await page.screenshot({ path: `${SHOTS}rotation-all-log.png`, fullPage: true });

      // Every account of every current server got its new token, and clicks still sign in.
      const done = await tokenUpdates();
      t.diagnostic(
        `update_integration_link_token: ${JSON.stringify(before)} → ${JSON.stringify(done)}`,
      );
      for (const [server, users] of Object.entries(DEMO_ACCOUNTS)) {
        assert.ok(
          done[server] - before[server] >= users.length,
          `${server}: at least one token update per account`,
        );
        for (const user of users) await assertClickSignsIn(server, user);
      }
    });
  });
});
