// Setup shared by the journeys against the REAL binary (binary.mjs): where screenshots go, the
// bounds for a busy machine, the JSON API as staff, the simulator's inspection, and a browser
// page of its own that keeps a screenshot and the service's log tail when its journey fails.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before } from 'node:test';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';

export const SHOTS = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

// Shared machines are often busy: generous bounds, outcomes asserted, never speed.
export const UI_TIMEOUT = 30_000;
export const OPERATION_TIMEOUT = 120_000;

/** Calls the service's JSON API (with a staff token when given); a non-2xx answer fails. */
export async function callAPI(service, method, path, token, body) {
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

/** Signs the binary's admin in through the API and answers the bearer token. */
export async function staffToken(service) {
  const { token } = await callAPI(service, 'POST', '/api/v1/auth/login', undefined, {
    email: service.adminEmail,
    password: service.adminPassword,
  });
  return token;
}

/** Enables cPanel & WHM through the API and waits until its status says active. */
export async function enableCPanel(service, token) {
  await callAPI(service, 'POST', '/api/v1/applications/cpanel/enable', token);
  await eventually('cPanel & WHM is active', async () => {
    const s = await callAPI(service, 'GET', '/api/v1/applications/cpanel/status', token);
    return s.state === 'active';
  });
}

/**
 * Registers a journey file's hooks: before its tests, start the binary and the browser, sign staff
 * in through the API and enable cPanel & WHM (dashboard-live.test.mjs does it in the browser);
 * after them, stop both. Answers the object the hooks fill: { service, browser, token }.
 */
export function liveWithCPanel() {
  const live = {};
  before(async () => {
    live.service = await startBinary();
    live.browser = await launch();
    live.token = await staffToken(live.service);
    await enableCPanel(live.service, live.token);
  });
  after(async () => {
    await live.browser?.close();
    await live.service?.stop();
  });
  return live;
}

/** The simulator's inspection: how many links the account carries on the server. */
export async function simLinks(service, server, user) {
  const accounts = await callAPI(service, 'GET', `/__sim/servers/${server}/accounts`);
  const a = accounts.find((x) => x.user === user);
  assert.ok(a, `${server}/${user} exists`);
  return a.links.length;
}

/** A page in a browser context of its own on the service (1280×900, the UI bound). */
export async function newPage(browser, service) {
  const context = await browser.newContext({
    baseURL: service.baseURL,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  return { context, page: await context.newPage() };
}

/** Fills the staff login page; `beforeSubmit` may look at the filled form. */
export async function signIn(page, email, password, beforeSubmit) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await beforeSubmit?.();
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Runs journey(page) in a new page; on failure keeps a full-page screenshot `${name}-failure.png`
 * and the service's log tail as a test diagnostic. The context is closed either way.
 */
export async function inPage(t, browser, service, name, journey) {
  const { context, page } = await newPage(browser, service);
  try {
    await journey(page);
  } catch (e) {
    await page.screenshot({ path: `${SHOTS}${name}-failure.png`, fullPage: true }).catch(() => {});
    t.diagnostic(`service log tail:\n${service.logs().slice(-4000)}`);
    throw e;
  } finally {
    await context.close();
  }
}

/**
 * In a Services row: opens the account's "More actions" menu and answers its item `name`
 * (e.g. "Suspend piedpiper"), which is then clicked.
 */
export async function rowMenuItem(row, account, name) {
  await row.getByRole('button', { name: `More actions for ${account}` }).click();
  return row.getByRole('menuitem', { name });
}

/**
 * In Services: finds the account by search, suspends it (its links stay), then terminates it and
 * waits until linksOf(account) is 0. `suspendedShot` names a screenshot of the suspended row.
 */
export async function suspendAndTerminate(page, account, linksOf, suspendedShot) {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Services' })
    .click();
  await page.waitForURL('**/services');
  const table = page.getByRole('table', { name: 'Hosting accounts' });
  await table.getByRole('row').nth(1).waitFor();

  await page.getByLabel('Search services').fill(account);
  await page.waitForURL(`**/services?q=${account}`);
  const row = table.getByRole('row').filter({ hasText: account });
  await row.getByText('Active', { exact: true }).waitFor();
  await eventually(
    'the search leaves one account',
    async () => (await table.getByRole('row').count()) === 2,
  );

  await (await rowMenuItem(row, account, `Suspend ${account}`)).click();
  const suspend = page.getByRole('dialog', { name: `Suspend ${account}?` });
  await suspend.getByRole('button', { name: 'Suspend', exact: true }).click();
  await suspend.waitFor({ state: 'detached' });
  await row.getByText('Suspended', { exact: true }).waitFor();
  assert.ok((await linksOf(account)) > 0, 'a suspended account keeps its links');
  if (suspendedShot) {
    await page.screenshot({ path: `${SHOTS}${suspendedShot}.png`, fullPage: true });
  }

  await (await rowMenuItem(row, account, `Terminate ${account}`)).click();
  const terminate = page.getByRole('dialog', { name: `Terminate ${account}?` });
  await terminate.getByRole('button', { name: 'Terminate', exact: true }).click();
  await terminate.waitFor({ state: 'detached' });
  await row.getByText('Terminated', { exact: true }).waitFor();
  await eventually(`${account}'s links are removed`, async () => (await linksOf(account)) === 0);
}
