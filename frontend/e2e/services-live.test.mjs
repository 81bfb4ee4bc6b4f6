// The Services screen end to end, against the REAL binary in demo mode (its in-process
// simulated servers): with cPanel & WHM enabled, find a demo account by search, suspend it
// (its links stay), then terminate it and see its links go from the simulated server.
// Needs ../bin/applinks-demo ($APPLINKS_BIN) built after `npm run build`.
import { after, before, describe, it } from 'node:test';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';
import { callAPI, inPage, signIn, simLinks, staffToken, suspendAndTerminate } from './live.mjs';

const SERVER = 'demo-cpanel-2';
const ACCOUNT = 'piedpiper';

let service;
let browser;
const linksOf = (user) => simLinks(service, SERVER, user);

before(async () => {
  service = await startBinary();
  browser = await launch();
  // Enable cPanel & WHM through the API (dashboard-live.test.mjs does it in the browser).
  const token = await staffToken(service);
  await callAPI(service, 'POST', '/api/v1/applications/cpanel/enable', token);
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
      await inPage(t, browser, service, 'services', async (page) => {
        await signIn(page, service.adminEmail, service.adminPassword);
        await suspendAndTerminate(page, ACCOUNT, linksOf, 'services-suspended');
      });
    },
  );
});
