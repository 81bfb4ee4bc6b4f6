// The client area end to end, against the REAL binary and its in-process cPanel simulator:
// control-panel link -> single sign-on -> the right page of the right account; the owner's
// Security Settings and User Management switches take effect at once; a replayed redeem URL is
// refused with its reason. Needs ../bin/applinks-demo (or $APPLINKS_BIN) built after `npm run build`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBinary } from './binary.mjs';
import { launch } from './harness.mjs';
import { SHOTS, callAPI, staffToken } from './live.mjs';

const OWNER = { email: 'owner@acme.test', name: 'Acme Owner' };
const STAFF_USER = { email: 'staff@acme.test', name: 'Acme Staff' };
const DEMO_PASSWORD = 'demo-password';
const SIM_ACCOUNT = '/__sim/servers/demo-cpanel-1/accounts/acme';
const T = { timeout: 15_000 };

let app;
let browser;
let token;
let acmeId;

const staff = (method, path, body) => callAPI(app, method, path, token, body);

before(async () => {
  app = await startBinary();
  browser = await launch();
  token = await staffToken(app);
  await staff('POST', '/api/v1/applications/cpanel/enable', {});
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await staff('GET', '/api/v1/applications/cpanel/status');
    if (s.state === 'active') break;
    if (Date.now() > deadline) throw new Error(`cPanel not active: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const clients = await staff('GET', '/api/v1/clients?per_page=200');
  acmeId = clients.items.find((c) => c.name === 'Acme Ltd').id;
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Clicks a link of the simulated cPanel page (target=_blank) and returns the new tab. */
async function clickPanelLink(simPage, label) {
  const [tab] = await Promise.all([
    simPage.context().waitForEvent('page'),
    simPage.getByRole('link', { name: label, exact: true }).first().click(),
  ]);
  return tab;
}

async function openMenu(page, name) {
  await page.getByRole('button', { name: `Hello, ${name}!` }).click();
}

describe('client area with the real service', () => {
  it('signs in through cPanel links, honours the owner’s switches and refuses replays', async () => {
    const owner = await browser.newContext({
      baseURL: app.baseURL,
      viewport: { width: 1280, height: 860 },
    });
    const redeemURLs = [];
    owner.on('request', (r) => {
      if (r.url().includes('/sso/redeem')) redeemURLs.push(r.url());
    });
    const sim = await owner.newPage();
    await sim.goto(SIM_ACCOUNT);

    // 1. A click on "View Invoice History" lands signed in on the invoices of Acme Ltd.
    const tab = await clickPanelLink(sim, 'View Invoice History');
    await tab.waitForURL('**/portal/invoices', T);
    await tab.getByRole('heading', { name: 'View Invoice History', level: 1 }).waitFor(T);
    await tab.getByText('Acme Ltd', { exact: true }).first().waitFor(T);
    await tab.getByRole('button', { name: `Hello, ${OWNER.name}!` }).waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-invoices.png` });
    assert.equal(redeemURLs.length, 1, 'one redemption');

    // 2. The same redeem URL again: refused, and the login page says why.
    const fresh = await browser.newContext({ baseURL: app.baseURL });
    const replay = await fresh.newPage();
    await replay.goto(redeemURLs[0]);
    await replay.waitForURL(/\/portal\/login\?error=used_token/, T);
    assert.match(replay.url(), /next=%2Fportal%2Finvoices/);
    await replay.getByText('That sign-in link was already used').waitFor(T);
    await replay.screenshot({ path: `${SHOTS}portal-login-used-token.png` });
    await fresh.close();

    // 3. The owner switches Allow Single Sign-On off in Security Settings.
    await openMenu(tab, OWNER.name);
    await tab.getByRole('link', { name: 'Security Settings' }).click();
    const allow = tab.getByRole('switch', { name: 'Allow Single Sign-On' });
    await allow.waitFor(T);
    assert.equal(await allow.getAttribute('aria-checked'), 'true');
    await allow.click();
    await tab.getByText('Single sign-on is off for this account.').waitFor(T);
    assert.equal(await allow.getAttribute('aria-checked'), 'false');
    await tab.screenshot({ path: `${SHOTS}portal-security.png` });

    // 4. The link now falls back to the login page, which explains why.
    const refused = await clickPanelLink(sim, 'View Invoice History');
    await refused.waitForURL(/\/portal\/login\?/, T);
    await refused.getByText('Single sign-on is turned off for this account').waitFor(T);
    await refused.screenshot({ path: `${SHOTS}portal-login-sso-disabled.png` });
    await refused.close();

    // 5. Staff switch it back on: the link works again.
    await staff('PATCH', `/api/v1/clients/${acmeId}`, { allow_sso: true });
    const again = await clickPanelLink(sim, 'View Invoice History');
    await again.waitForURL('**/portal/invoices', T);
    await again.getByRole('heading', { name: 'View Invoice History', level: 1 }).waitFor(T);
    await again.close();

    // 6. The owner revokes Acme Staff's single sign-on in User Management.
    await openMenu(tab, OWNER.name);
    await tab.getByRole('link', { name: 'User Management' }).click();
    const ownerRow = tab.getByRole('switch', { name: `Perform Single Sign-On for ${OWNER.name}` });
    await ownerRow.waitFor(T);
    assert.equal(await ownerRow.isDisabled(), true, 'the owner’s row is fixed');
    const staffRow = tab.getByRole('switch', {
      name: `Perform Single Sign-On for ${STAFF_USER.name}`,
    });
    assert.equal(await staffRow.getAttribute('aria-checked'), 'true');
    await staffRow.click();
    await tab.getByText(`${STAFF_USER.name} may no longer use single sign-on.`).waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-user-management.png` });

    // 7. That user signs in with a password: no "Log in to cPanel", and the page says why.
    const member = await browser.newContext({
      baseURL: app.baseURL,
      viewport: { width: 1280, height: 860 },
    });
    const mp = await member.newPage();
    await mp.goto('/portal/services');
    await mp.waitForURL(/\/portal\/login\?expired=1&next=%2Fportal%2Fservices/, T);
    await mp.getByLabel('Email').fill(STAFF_USER.email);
    await mp.getByLabel('Password').fill(DEMO_PASSWORD);
    await mp.getByRole('button', { name: 'Sign in' }).click();
    await mp.waitForURL('**/portal/services', T);
    await mp.getByText('Log in to cPanel is not available.').waitFor(T);
    await mp.getByText(/not given you permission to use single sign-on/).waitFor(T);
    assert.equal(await mp.getByRole('button', { name: /^Log in to cPanel/ }).count(), 0);
    // Not the owner: no owner-only entries, and a clear message at their address.
    await openMenu(mp, STAFF_USER.name);
    assert.equal(await mp.getByRole('link', { name: 'Security Settings' }).count(), 0);
    assert.equal(await mp.getByRole('link', { name: 'User Management' }).count(), 0);
    await mp.keyboard.press('Escape');
    await mp.screenshot({ path: `${SHOTS}portal-services-refused.png` });
    await mp.goto('/portal/user-management');
    await mp.getByText('Only the account owner can do this').waitFor(T);
    await member.close();

    // 8. The owner's other pages, on the real data.
    await tab.goto('/portal/services');
    await tab.getByRole('button', { name: 'Log in to cPanel for acme.test' }).waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-services.png` });
    await tab.setViewportSize({ width: 768, height: 1024 });
    const overflow = await tab.evaluate(
      () => document.documentElement.scrollWidth > window.innerWidth,
    );
    assert.equal(overflow, false, 'no horizontal scrolling at 768px');
    await tab.screenshot({ path: `${SHOTS}portal-services-tablet.png` });
    await tab.setViewportSize({ width: 1280, height: 860 });

    await tab.goto('/portal/network-status');
    await tab.getByRole('heading', { name: 'demo-cpanel-1' }).waitFor(T);
    await tab.getByText('Operational').first().waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-network-status.png` });

    await tab.goto('/portal/sso-activity');
    await tab.getByRole('table').waitFor(T);
    await tab.getByText('Single sign-on is turned off for this account').first().waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-sso-activity.png` });

    await tab.goto('/portal/profile');
    const name = tab.getByLabel('Name');
    await name.waitFor(T);
    assert.equal(await name.inputValue(), OWNER.name);
    await name.fill('Acme Owner Jr');
    await tab.getByRole('button', { name: 'Save changes' }).click();
    await tab.getByText('Your profile has been saved.').waitFor(T);
    await tab.getByRole('button', { name: 'Hello, Acme Owner Jr!' }).waitFor(T);
    await tab.screenshot({ path: `${SHOTS}portal-profile.png` });

    const svc = (await staff('GET', `/api/v1/services?client_id=${acmeId}`)).items?.[0];
    if (svc) {
      await tab.goto(`/portal/services/${svc.id}/upgrade`);
      await tab.getByRole('heading', { name: 'Upgrade/Downgrade', level: 1 }).waitFor(T);
      await tab.getByText(`Current service: ${svc.domain}`).waitFor(T);
      await tab.screenshot({ path: `${SHOTS}portal-upgrade.png` });
    }

    // 9. "Log in to cPanel" opens the panel through a one-time session URL.
    await tab.goto('/portal/services');
    await tab.getByRole('button', { name: 'Log in to cPanel for acme.test' }).click();
    await tab.waitForURL((u) => !u.pathname.startsWith('/portal'), T);

    // 10. Logout ends the session: the portal asks to sign in again.
    await tab.goto('/portal');
    await openMenu(tab, 'Acme Owner Jr');
    await tab.getByRole('button', { name: 'Logout' }).click();
    await tab.waitForURL('**/portal/login', T);
    // The client area sends the signed-out visitor on to its login page as
    // soon as it loads: wait for the navigation to commit, not to finish,
    // or that redirect aborts it.
    await tab.goto('/portal/invoices', { waitUntil: 'commit' });
    await tab.waitForURL(/\/portal\/login\?expired=1&next=%2Fportal%2Finvoices/, T);

    await owner.close();
  });
});
