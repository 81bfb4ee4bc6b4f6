// Browser journeys for the app shell: staff login, expired session, navigation, 404, portal.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ADMIN, PASSWORD, createState, installFakeApi } from './fake-api.mjs';
import { launch, startPreview } from './harness.mjs';

const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

let server;
let browser;

before(async () => {
  server = await startPreview();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(viewport = { width: 1280, height: 800 }, state = createState()) {
  const context = await browser.newContext({ baseURL: server.baseURL, viewport });
  const page = await context.newPage();
  await installFakeApi(page, state);
  return { page, context, state };
}

/** Signs in and waits until the dashboard has checked the session (GET /auth/me). */
async function signIn(page) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(PASSWORD);
  const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await me;
}

describe('app shell', () => {
  it('rejects a wrong password with a generic message, then signs in', async () => {
    const { page, context } = await newPage();
    await page.goto('/servers');
    await page.waitForURL('**/login?next=%2Fservers');
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('name') === 'email',
      null,
      {
        timeout: 5000,
      },
    );

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent())?.trim(), 'Invalid email or password.');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/servers');
    await page.getByRole('heading', { name: 'Servers', level: 1 }).waitFor();
    await page.screenshot({ path: `${shots}shell-desktop.png` });
    await context.close();
  });

  it('navigates the menu, shows a 404 and signs out', async () => {
    const { page, context } = await newPage();
    await signIn(page);
    await page.waitForURL('**/settings/application-links');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of [
      'Servers',
      'Clients',
      'API Credentials',
      'SSO Activity',
      'Operations',
      'Application Links',
    ]) {
      await nav.getByRole('link', { name }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
    }
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await context.close();
  });

  it('sends a user with an expired token to the login page with an explanation', async () => {
    const state = createState();
    const { page, context } = await newPage(undefined, state);
    await signIn(page);
    await page.waitForURL('**/settings/application-links');
    state.tokenValid = false;
    await page.reload();
    await page.waitForURL('**/login?expired=1**');
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    await context.close();
  });

  it('works at tablet width with a collapsible menu', async () => {
    const { page, context } = await newPage({ width: 768, height: 1024 });
    await signIn(page);
    await page.waitForURL('**/settings/application-links');
    // The sign-in lands on "/", which redirects: the page must have rendered before the menu
    // opens, or the redirect (a navigation) closes it again.
    await page.getByRole('heading', { name: 'Application Links', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.isVisible(), false);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    await page.locator('button[aria-controls="dash-nav"][aria-expanded="true"]').waitFor();
    await nav.waitFor({ state: 'visible' });
    await nav.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
    assert.equal(await nav.isVisible(), false);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > window.innerWidth,
    );
    assert.equal(overflow, false, 'no horizontal scrolling at 768px');
    await page.screenshot({ path: `${shots}shell-tablet.png` });
    await context.close();
  });

  it('keeps the client area apart: its own sign-in, not the staff one', async () => {
    // The client area's journeys (real binary, single sign-on) are in portal.test.mjs.
    const { page, context } = await newPage();
    await page.goto('/portal/invoices');
    await page.waitForURL('**/portal/login**');
    await page.getByRole('heading', { name: 'Sign in to the Client Area' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    await page.screenshot({ path: `${shots}portal-login.png` });
    await context.close();
  });
});
