// Browser journeys for the app shell (stage 1: no API yet): login page, 404, portal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, startPreview } from './harness.mjs';

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

describe('app shell', () => {
  it('sends a visitor without a session to the login page, focused on email', async () => {
    const context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    await page.goto('/servers');
    await page.waitForURL('**/login?next=%2Fservers');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email');
    await context.close();
  });

  it('serves the client area with its own layout at tablet width', async () => {
    const context = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 768, height: 1024 } });
    const page = await context.newPage();
    await page.goto('/portal/invoices');
    await page.getByRole('heading', { name: 'View Invoice History' }).waitFor();
    await page.getByRole('button', { name: /^Hello, .+!$/ }).click();
    await page.getByRole('link', { name: 'Security Settings' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await context.close();
  });
});
