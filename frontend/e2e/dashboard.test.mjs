// Browser journeys for the dashboard against the in-memory fake API: enabling application
// links with live progress, reordering links with the keyboard (dnd-kit needs real layout,
// which jsdom lacks), and the log.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ADMIN, PASSWORD, createState, installFakeApi } from './fake-api.mjs';
import { launch, startPreview } from './harness.mjs';

const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const CATALOGUE = [
  ['upgrade', 'ordering', 'Upgrade/Downgrade'],
  ['register_domain', 'ordering', 'Register New Domain'],
  ['transfer_domain', 'ordering', 'Transfer a Domain'],
  ['open_ticket', 'support', 'Open Ticket'],
  ['ticket_history', 'support', 'View Ticket History'],
  ['announcements', 'support', 'News & Announcements'],
  ['profile', 'account', 'Manage Profile'],
].map(([key, group, label], i) => ({
  key,
  group,
  label,
  default_label: label,
  enabled: true,
  order: i + 1,
  target: 'client_area',
  url_template: '',
  handoff: false,
}));

/** A rest.OperationAnswer with every field the spec requires (docs/swagger.json). */
function operation(fields) {
  const now = new Date().toISOString();
  return {
    id: 1,
    module: 'cpanel',
    kind: 'activation',
    state: 'completed',
    started_by: 'admin@example.com',
    servers_total: 1,
    servers_done: 1,
    servers_supported: 1,
    accounts_total: 10,
    accounts_done: 10,
    accounts_failed: 0,
    warnings: 1,
    created_at: now,
    started_at: now,
    finished_at: now,
    ...fields,
  };
}

/** A fake provisioning backend: enabling runs 4 polls of progress, then becomes active. */
function provisioning(state) {
  const app = { enabled: false, polls: 0, links: structuredClone(CATALOGUE), puts: [] };
  state.app = app;
  state.handle = ({ route, req, path, method, reply, err }) => {
    const status = () => {
      const counters = {
        servers_total: 1,
        servers_supported: 1,
        servers_done: 0,
        accounts_total: 0,
        accounts_done: 0,
        accounts_failed: 0,
        warnings: 0,
      };
      if (!app.enabled)
        return {
          module: 'cpanel',
          enabled: false,
          state: 'disabled',
          operation: null,
          ...counters,
        };
      app.polls++;
      const done = Math.min(10, app.polls * 3);
      const running = done < 10;
      Object.assign(counters, {
        servers_done: running ? 0 : 1,
        accounts_total: 10,
        accounts_done: done,
        accounts_failed: running ? 0 : 1,
        warnings: running ? 0 : 1,
      });
      return {
        module: 'cpanel',
        enabled: true,
        state: running ? 'provisioning' : 'active',
        ...counters,
        operation: operation({
          ...counters,
          state: running ? 'running' : 'completed',
          finished_at: running ? null : new Date().toISOString(),
        }),
      };
    };
    if (method === 'GET' && path === '/api/v1/applications') {
      return reply(route, 200, [
        { module: 'cpanel', name: 'cPanel & WHM', enabled: app.enabled, status: status() },
      ]);
    }
    if (method === 'GET' && path === '/api/v1/applications/cpanel') {
      return reply(route, 200, { module: 'cpanel', name: 'cPanel & WHM', enabled: app.enabled });
    }
    if (method === 'GET' && path === '/api/v1/applications/cpanel/status')
      return reply(route, 200, status());
    if (method === 'POST' && path === '/api/v1/applications/cpanel/enable') {
      if (!state.hasServer)
        return err(route, 409, 'conflict', 'cPanel & WHM has no active server.');
      app.enabled = true;
      return reply(route, 202, { id: 1, kind: 'activation', state: 'queued' });
    }
    if (method === 'GET' && path === '/api/v1/applications/cpanel/links')
      return reply(route, 200, app.links);
    if (method === 'PUT' && path === '/api/v1/applications/cpanel/links') {
      const body = req.postDataJSON();
      app.puts.push(body);
      app.links = body.map((l) => ({ ...CATALOGUE.find((c) => c.key === l.key), ...l }));
      return reply(route, 200, { links: app.links });
    }
    if (method === 'GET' && path === '/api/v1/applications/cpanel/log') {
      return reply(route, 200, {
        items: [
          {
            id: 1,
            operation_id: 1,
            module: 'cpanel',
            level: 'debug',
            server_id: null,
            service_id: null,
            message: 'Started activation.',
            time: new Date().toISOString(),
          },
          {
            id: 2,
            operation_id: 1,
            module: 'cpanel',
            level: 'warning',
            server_id: 1,
            service_id: 7,
            message: 'Account bob: refused.',
            time: new Date().toISOString(),
          },
        ],
        total: 2,
      });
    }
    if (method === 'GET' && path === '/api/v1/operations/1') {
      return reply(route, 200, {
        ...operation(),
        servers: [
          {
            id: 1,
            operation_id: 1,
            server_id: 1,
            server_name: 'cp1',
            action: 'push',
            state: 'done',
            checked: true,
            cursor: 10,
            attempts: 0,
            accounts_done: 10,
            accounts_failed: 0,
            accounts_total: 10,
            started_at: new Date().toISOString(),
            finished_at: new Date().toISOString(),
          },
        ],
      });
    }
    if (method === 'GET' && path === '/api/v1/operations') {
      return reply(route, 200, {
        items: [operation()],
        total: 1,
      });
    }
    return undefined;
  };
  return app;
}

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

async function open(path, viewport = { width: 1280, height: 900 }) {
  const state = createState();
  const app = provisioning(state);
  const context = await browser.newContext({ baseURL: server.baseURL, viewport });
  const page = await context.newPage();
  await installFakeApi(page, state);
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/settings/application-links');
  if (path !== '/settings/application-links') await page.goto(path);
  return { page, context, state, app };
}

describe('dashboard', () => {
  it('explains why enabling fails without a server, then follows provisioning to active', async () => {
    const { page, context, state } = await open('/settings/application-links');
    const toggle = page.getByRole('switch', { name: /cPanel/ });
    await toggle.click();
    await page.getByRole('alert').getByText('cPanel & WHM has no active server.').waitFor();
    await page.getByRole('link', { name: 'Add a server' }).waitFor();

    state.hasServer = true;
    await toggle.click();
    await page.getByRole('progressbar', { name: 'Provisioning progress' }).waitFor();
    const cellBefore = await page.locator('td .status').boundingBox();
    await page.getByText('Active with warnings').waitFor({ timeout: 15000 });
    const cellAfter = await page.locator('td .status').boundingBox();
    assert.equal(
      Math.round(cellBefore.height),
      Math.round(cellAfter.height),
      'status keeps its size',
    );
    await page.screenshot({ path: `${shots}application-links.png` });
    await context.close();
  });

  it('reorders links with the keyboard and saves them', async () => {
    const { page, context, app } = await open('/settings/application-links/cpanel/configure');
    const ordering = page.getByRole('region', { name: 'Ordering' });
    await ordering.getByRole('textbox').first().waitFor();

    // dnd-kit keyboard sensor: Space picks up, ArrowDown moves, Space drops.
    await ordering.getByRole('button', { name: 'Drag to reorder Upgrade/Downgrade' }).focus();
    // dnd-kit measures between steps, so give each key a moment.
    await page.keyboard.press('Space');
    await page.waitForTimeout(250);
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(250);
    await page.keyboard.press('Space');
    await page.waitForTimeout(400);
    const labels = await ordering
      .getByRole('textbox')
      .evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(labels, ['Register New Domain', 'Upgrade/Downgrade', 'Transfer a Domain']);

    await page.getByRole('textbox', { name: 'Label for Open Ticket' }).fill('Get Help');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByText('All changes saved.').waitFor();
    assert.deepEqual(
      app.puts[0].slice(0, 4).map((l) => [l.key, l.label, l.order]),
      [
        ['register_domain', 'Register New Domain', 1],
        ['upgrade', 'Upgrade/Downgrade', 2],
        ['transfer_domain', 'Transfer a Domain', 3],
        ['open_ticket', 'Get Help', 4],
      ],
    );
    await page.screenshot({ path: `${shots}configure.png`, fullPage: true });
    await context.close();
  });

  it('shows the log with level badges at tablet width without horizontal scrolling', async () => {
    const { page, context } = await open('/settings/application-links/cpanel/log', {
      width: 768,
      height: 1024,
    });
    const table = page.getByRole('table', { name: 'Log entries' });
    await table.getByText('Warning', { exact: true }).waitFor();
    await table.getByText('Debug', { exact: true }).waitFor();
    // Wide tables scroll inside their own box; nothing may widen the page itself.
    const offenders = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (el) =>
            !el.closest('.table-wrap') && el.getBoundingClientRect().right > window.innerWidth + 1,
        )
        .map((el) => `${el.tagName}.${el.className}`),
    );
    await page.screenshot({ path: `${shots}log-tablet.png`, fullPage: true });
    assert.deepEqual(offenders, []);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 768, `page is ${String(width)}px wide at a 768px viewport`);
    await context.close();
  });
});
