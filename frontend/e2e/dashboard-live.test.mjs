// The staff dashboard end to end, against the REAL binary on a fresh SQLite database with its
// in-process simulated servers (demo mode), plus one more simulated cPanel server from the
// whmsim binary: add that server and test its connection, sign in, enable cPanel & WHM and
// watch it reach Active, read the Information entry about the too-old server in View Log, then
// rename, hide and reorder links and check on the simulator that every account got them.
// (dashboard.test.mjs covers the same pages against the in-memory fake API.)
// Needs ../bin/applinks-demo ($APPLINKS_BIN) built after `npm run build`, and ../bin/whmsim
// ($WHMSIM_BIN): `go build -o bin/whmsim ./api/cmd/whmsim`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, startBinary } from './binary.mjs';
import { launch } from './harness.mjs';
import { OPERATION_TIMEOUT, SHOTS, inPage, newPage, signIn } from './live.mjs';

const frontendRoot = fileURLToPath(new URL('..', import.meta.url));
const WHMSIM_BIN = resolve(frontendRoot, process.env.WHMSIM_BIN ?? '../bin/whmsim');

const APP = 'cPanel & WHM';
// The demo's current cPanel servers and their accounts (api/cmd/applinks/demo.go).
const DEMO_ACCOUNTS = {
  'demo-cpanel-1': ['acme', 'globex', 'initech', 'umbrella'],
  'demo-cpanel-2': ['hooli', 'piedpiper', 'stark'],
};
const RENAMED = { key: 'open_ticket', from: 'Open Ticket', to: 'Get Help Now' };
const HIDDEN = { key: 'downloads', label: 'Download Resources' };
// "Register New Domain" moves above "Upgrade/Downgrade" in the Ordering group.
const MOVED = { key: 'register_domain', label: 'Register New Domain', above: 'upgrade' };
const app = (key) => `billing_${key}`;

/**
 * Starts the whmsim binary with one current cPanel server on a free port (no control server)
 * and returns that server as printed with -json ({ name, url, host, port, token, version }).
 */
async function startWhmsim() {
  if (!existsSync(WHMSIM_BIN)) {
    throw new Error(`${WHMSIM_BIN} not found: (cd .. && go build -o bin/whmsim ./api/cmd/whmsim)`);
  }
  const args = ['-servers', '1', '-old', '0', '-wpsquared', '0', '-accounts', '3'];
  args.push('-base-port', '0', '-control=', '-token-prefix', 'E2E', '-json');
  const child = spawn(WHMSIM_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b.toString()));
  child.stderr.on('data', (b) => {
    err += b.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const exited = new Promise((ok) => child.once('exit', () => ok()));
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    }
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const printed = JSON.parse(out);
      const server = printed.servers?.[0];
      if (server?.url && server.token) return { server, stop, logs: () => err };
    } catch {
      // not all printed yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`whmsim did not start (exit ${String(child.exitCode)}):\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

let service;
let whmsim;
let browser;

async function simAccounts(name) {
  const r = await fetch(`${service.baseURL}/__sim/servers/${name}/accounts`);
  assert.equal(r.status, 200, `GET /__sim/servers/${name}/accounts`);
  return r.json();
}

/** Records every text the status indicators announce, so a passing state can be reported. */
async function recordStatuses(page) {
  await page.evaluate(() => {
    const seen = (window.__statuses ??= []);
    const note = () => {
      for (const el of document.querySelectorAll('.status [aria-live]')) {
        // On the Application Links page, only the cPanel & WHM row.
        const row = el.closest('tr');
        if (row && !row.querySelector('th')?.textContent.startsWith('cPanel & WHM')) continue;
        const t = el.textContent.trim();
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }
    };
    note();
    window.__statusObserver?.disconnect();
    window.__statusObserver = new MutationObserver(note);
    window.__statusObserver.observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}
const statusesSeen = (page) => page.evaluate(() => window.__statuses ?? []);

before(async () => {
  service = await startBinary();
  whmsim = await startWhmsim();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await whmsim?.stop();
  await service?.stop();
});

describe('staff dashboard with the real service', () => {
  it(
    'adds a server, enables cPanel & WHM, reads the log and pushes a new configuration',
    { timeout: 360_000 },
    async (t) => {
      await inPage(t, browser, service, 'dashboard', async (page) => {
        // 1. Sign in through the staff login page.
        await signIn(page, service.adminEmail, service.adminPassword, () =>
          page.screenshot({ path: `${SHOTS}dashboard-login.png` }),
        );
        await page.waitForURL('**/settings/application-links');
        await page.getByRole('heading', { name: 'Application Links', level: 1 }).waitFor();

        // 2. Servers: the demo's four, then add one more simulated cPanel server and test it.
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Servers' })
          .click();
        await page.waitForURL('**/servers');
        const list = page.getByRole('table', { name: 'Servers' });
        for (const name of ['demo-cpanel-1', 'demo-cpanel-2', 'demo-cpanel-old', 'demo-wp2']) {
          await list.getByRole('link', { name, exact: true }).waitFor();
        }
        await page.getByRole('link', { name: 'Add server' }).click();
        await page.waitForURL('**/servers/new');
        const extra = whmsim.server;
        await page.getByLabel('Application').selectOption('cpanel');
        await page.getByRole('textbox', { name: 'Name', exact: true }).fill('extra');
        await page.getByRole('textbox', { name: 'Hostname', exact: true }).fill('127.0.0.1');
        await page.getByLabel('Use HTTPS').uncheck();
        await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(extra.port));
        await page
          .getByRole('textbox', { name: 'WHM username', exact: true })
          .fill(extra.username ?? 'root');
        await page.getByLabel('API token').fill(extra.token);
        await page.getByRole('button', { name: 'Add server' }).click();
        await page.waitForURL(/\/servers\/\d+$/);
        await page.getByRole('heading', { name: 'extra', level: 1 }).waitFor();
        await page.getByRole('button', { name: 'Test connection' }).click();
        const result = page.locator('.alert', { hasText: 'Connected' });
        await result.waitFor();
        await result.getByText(extra.version ?? '11.120.0.16', { exact: true }).waitFor();
        await result.getByText('Supported', { exact: true }).waitFor();
        await page.screenshot({ path: `${SHOTS}dashboard-server.png`, fullPage: true });

        await page.getByRole('link', { name: 'Servers' }).first().click();
        await page.waitForURL('**/servers');
        const extraRow = list.getByRole('row').filter({ hasText: 'extra' });
        await extraRow.getByText(`127.0.0.1:${String(extra.port)}`).waitFor();
        await extraRow.getByText('Supported', { exact: true }).waitFor();
        await page.screenshot({ path: `${SHOTS}dashboard-servers.png`, fullPage: true });

        // 3. Application Links: enable cPanel & WHM; the indicator polls its way to Active.
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Application Links' })
          .click();
        await page.waitForURL('**/settings/application-links');
        const toggle = page.getByRole('switch', { name: `Enable application links for ${APP}` });
        const row = page.locator('tr', { has: toggle });
        await row.getByText('Disabled', { exact: true }).waitFor();
        assert.equal(await toggle.getAttribute('aria-checked'), 'false');
        await recordStatuses(page);
        await toggle.click();
        await row.getByText('Active', { exact: true }).waitFor({ timeout: OPERATION_TIMEOUT });
        assert.equal(await toggle.getAttribute('aria-checked'), 'true');
        const enabling = await statusesSeen(page);
        t.diagnostic(`statuses while enabling: ${enabling.join(' → ')}`);
        await page.screenshot({ path: `${SHOTS}dashboard-application-links.png`, fullPage: true });

        // Every demo account of a current server carries the 14 links.
        for (const [server, users] of Object.entries(DEMO_ACCOUNTS)) {
          const accounts = await simAccounts(server);
          for (const user of users) {
            const a = accounts.find((x) => x.user === user);
            assert.ok(a, `${server}/${user} exists`);
            assert.equal(a.links.length, 14, `${server}/${user} has the 14 links`);
          }
        }

        // 4. View Log: the Information entry naming the server too old for application links.
        await page.getByRole('link', { name: `View Log of ${APP}` }).click();
        await page.waitForURL('**/settings/application-links/cpanel/log');
        const entries = page.getByRole('table', { name: 'Log entries' });
        const info = entries.getByRole('row').filter({ hasText: 'demo-cpanel-old' }).filter({
          hasText: 'does not support application links',
        });
        await info.first().waitFor();
        assert.equal(await info.count(), 1, 'one entry about demo-cpanel-old');
        await info.getByText('Information', { exact: true }).waitFor();
        assert.match(await info.innerText(), /requires cPanel & WHM 11\.54 or later/);
        await page.screenshot({ path: `${SHOTS}dashboard-log.png`, fullPage: true });

        // 5. Configure: rename one link, hide one, move one up; Save Changes queues a sync.
        await page.getByRole('link', { name: 'Configure', exact: true }).click();
        await page.waitForURL('**/settings/application-links/cpanel/configure');
        const label = page.getByRole('textbox', { name: `Label for ${RENAMED.from}` });
        await label.waitFor();
        await label.fill(RENAMED.to);
        const show = page.getByRole('switch', { name: `Show ${HIDDEN.label}` });
        assert.equal(await show.getAttribute('aria-checked'), 'true');
        await show.click();
        assert.equal(await show.getAttribute('aria-checked'), 'false');
        const ordering = page.getByRole('region', { name: 'Ordering' });
        await ordering.getByRole('button', { name: `Move ${MOVED.label} up` }).click();
        const orderingLabels = await ordering
          .getByRole('textbox')
          .evaluateAll((els) => els.map((e) => e.value));
        assert.deepEqual(orderingLabels, [
          'Register New Domain',
          'Upgrade/Downgrade',
          'Transfer a Domain',
        ]);
        await page.getByText('You have unsaved changes.').waitFor();
        // A viewport as tall as the page keeps the sticky save bar at the bottom of the picture.
        await page.setViewportSize({ width: 1280, height: 1900 });
        await page.screenshot({ path: `${SHOTS}dashboard-configure.png`, fullPage: true });

        await page.evaluate(() => (window.__statuses = []));
        await recordStatuses(page);
        await page.getByRole('button', { name: 'Save Changes' }).click();
        // The answer carries the queued configuration operation.
        await page.getByText('Saved. The new links are being pushed to every account.').waitFor();
        await page.getByText('All changes saved.').waitFor();
        const card = page.locator('.card--inline');
        await card.getByText('Active', { exact: true }).waitFor({ timeout: OPERATION_TIMEOUT });
        const saving = await statusesSeen(page);
        t.diagnostic(`statuses while saving: ${saving.join(' → ')}`);
        await page.screenshot({ path: `${SHOTS}dashboard-configure-saved.png`, fullPage: true });
        await page.setViewportSize({ width: 1280, height: 900 });

        // The log's history shows the configuration operation, completed.
        await page.getByRole('link', { name: 'View Log' }).click();
        await page.waitForURL('**/settings/application-links/cpanel/log');
        const history = page.getByRole('table', { name: 'Operation history' });
        await history.getByRole('row').filter({ hasText: 'Configuration' }).first().waitFor();

        // 6. The simulator: every account has the new label, lost the hidden link, and lists the
        // moved link first.
        for (const [server, users] of Object.entries(DEMO_ACCOUNTS)) {
          await eventually(`${server} accounts carry the new configuration`, async () => {
            const accounts = await simAccounts(server);
            for (const user of users) {
              const a = accounts.find((x) => x.user === user);
              assert.ok(a, `${server}/${user} exists`);
              const byApp = Object.fromEntries(a.links.map((l) => [l.app, l]));
              assert.equal(byApp[app(RENAMED.key)]?.label, RENAMED.to, `${user}: renamed`);
              assert.equal(byApp[app(HIDDEN.key)], undefined, `${user}: hidden link removed`);
              assert.equal(a.links.length, 13, `${user}: 13 links`);
              assert.ok(
                byApp[app(MOVED.key)].order < byApp[app(MOVED.above)].order,
                `${user}: ${MOVED.key} (${String(byApp[app(MOVED.key)].order)}) before ${MOVED.above} (${String(byApp[app(MOVED.above)].order)})`,
              );
            }
            return true;
          });
        }
      });
    },
  );

  it(
    'creates a role and an administrator with it, who reaches only the permitted sections; the audit log shows the changes',
    { timeout: 180_000 },
    async (t) => {
      const ROLE = 'Support desk';
      const STAFFER = { name: 'Sam Support', email: 'sam@example.com', password: 'sam-password-1' };
      const nav = (p) => p.getByRole('navigation', { name: 'Main' });
      const { context: adminContext, page } = await newPage(browser, service);
      let staffContext;
      let current = page;
      try {
        // 1. The full administrator opens Staff > Roles and creates a role from the checklist.
        await signIn(page, service.adminEmail, service.adminPassword);
        await page.waitForURL('**/settings/application-links');
        await nav(page).getByRole('link', { name: 'Staff' }).click();
        await page.waitForURL('**/staff');
        await page.getByRole('table', { name: 'Administrators' }).waitFor();
        await page.getByRole('link', { name: 'Roles' }).click();
        await page.waitForURL('**/staff/roles');
        const roles = page.getByRole('table', { name: 'Roles' });
        await roles.getByRole('row').filter({ hasText: 'Full Administrator' }).waitFor();
        await page.getByRole('button', { name: 'Create role' }).click();
        const roleDialog = page.getByRole('dialog', { name: 'Create role' });
        await roleDialog.getByRole('textbox', { name: 'Name' }).fill(ROLE);
        await roleDialog.getByLabel('Manage Clients').check();
        await roleDialog.getByLabel('View SSO Activity').check();
        await roleDialog.getByRole('button', { name: 'Create role' }).click();
        await roleDialog.waitFor({ state: 'detached' });
        const roleRow = roles.getByRole('row').filter({ hasText: ROLE });
        await roleRow.getByText('Manage Clients', { exact: true }).waitFor();
        await roleRow.getByText('View SSO Activity', { exact: true }).waitFor();
        assert.equal(await roleRow.getByText('Manage Servers').count(), 0);
        await page.screenshot({ path: `${SHOTS}dashboard-staff-roles.png`, fullPage: true });

        // 2. Administrators: the API's validation error shows on its field, then the add works.
        await page.getByRole('link', { name: 'Administrators' }).click();
        await page.waitForURL('**/staff');
        await page.getByRole('button', { name: 'Add administrator' }).click();
        const addDialog = page.getByRole('dialog', { name: 'Add administrator' });
        await addDialog.getByRole('textbox', { name: 'Name' }).fill(STAFFER.name);
        // Taken: the first administrator's own address.
        await addDialog.getByRole('textbox', { name: 'Email' }).fill(service.adminEmail);
        await addDialog.getByRole('combobox', { name: 'Role' }).selectOption({ label: ROLE });
        await addDialog.getByLabel('Initial password').fill(STAFFER.password);
        await addDialog.getByRole('button', { name: 'Add administrator' }).click();
        const refusal = addDialog.locator('.field__error, .alert');
        await refusal.first().waitFor();
        t.diagnostic(`a taken e-mail: ${(await refusal.first().innerText()).trim()}`);
        await addDialog.getByRole('textbox', { name: 'Email' }).fill(STAFFER.email);
        await addDialog.getByRole('button', { name: 'Add administrator' }).click();
        await addDialog.waitFor({ state: 'detached' });
        const admins = page.getByRole('table', { name: 'Administrators' });
        const samRow = admins.getByRole('row').filter({ hasText: STAFFER.email });
        await samRow.getByText(ROLE, { exact: true }).waitFor();
        await samRow.getByText('Active', { exact: true }).waitFor();
        await page.screenshot({ path: `${SHOTS}dashboard-staff.png`, fullPage: true });

        // 3. The new administrator signs in in a fresh context: only Clients and SSO Activity.
        const opened = await newPage(browser, service);
        staffContext = opened.context;
        const sam = opened.page;
        current = sam;
        await signIn(sam, STAFFER.email, STAFFER.password);
        await sam.waitForURL('**/clients');
        await sam.getByRole('heading', { name: 'Clients', level: 1 }).waitFor();
        await nav(sam).getByRole('link', { name: 'SSO Activity' }).waitFor();
        assert.deepEqual(await nav(sam).getByRole('link').allInnerTexts(), [
          'Clients',
          'Services',
          'SSO Activity',
        ]);
        await nav(sam).getByRole('link', { name: 'SSO Activity' }).click();
        await sam.waitForURL('**/sso-activity');
        await sam.getByRole('heading', { name: 'SSO Activity', level: 1 }).waitFor();

        // Typed addresses of other sections: Staff says which permission is missing, Servers
        // shows the API's 403, and the API itself refuses the staff list.
        await sam.goto('/staff');
        await sam.getByText('You need the Manage Staff permission (manage_admins)').waitFor();
        assert.equal(await sam.getByRole('button', { name: 'Add administrator' }).count(), 0);
        await sam.goto('/servers');
        await sam.getByText('You need the manage_servers permission for this.').waitFor();
        const token = await sam.evaluate(
          () => JSON.parse(sessionStorage.getItem('applinks.staff.session')).token,
        );
        const forbidden = await staffContext.request.get('/api/v1/admins', {
          headers: { Authorization: `Bearer ${token}` },
        });
        assert.equal(forbidden.status(), 403);

        // 4. The full administrator deactivates Sam: Sam's next page sends them to sign in.
        current = page;
        await page.getByRole('button', { name: `Edit ${STAFFER.name}` }).click();
        const editDialog = page.getByRole('dialog', { name: `Edit ${STAFFER.name}` });
        await editDialog.getByLabel('Active').uncheck();
        await editDialog.getByRole('button', { name: 'Save changes' }).click();
        await editDialog.waitFor({ state: 'detached' });
        await samRow.getByText('Inactive', { exact: true }).waitFor();
        current = sam;
        await sam.goto('/clients');
        await sam.waitForURL('**/login?**');

        // 5. Roles: the built-in role cannot change and a role in use cannot go; renaming the
        // role shows in the administrators table at once; a role nobody holds is deleted.
        current = page;
        await page.getByRole('link', { name: 'Roles' }).click();
        await page.waitForURL('**/staff/roles');
        const fullRow = roles.getByRole('row').filter({ hasText: 'Full Administrator' });
        await fullRow.getByText('Always holds every permission.').waitFor();
        assert.equal(await fullRow.getByRole('button').count(), 0);
        const deleteHeld = page.getByRole('button', { name: `Delete ${ROLE}` });
        await roleRow.getByText('In use', { exact: false }).waitFor();
        assert.equal(await deleteHeld.isDisabled(), true);
        const RENAMED_ROLE = 'Support team';
        await page.getByRole('button', { name: `Edit ${ROLE}` }).click();
        const renameDialog = page.getByRole('dialog', { name: `Edit ${ROLE}` });
        const roleName = renameDialog.getByRole('textbox', { name: 'Name' });
        assert.equal(await roleName.inputValue(), ROLE);
        assert.equal(await renameDialog.getByLabel('Manage Clients').isChecked(), true);
        await roleName.fill(RENAMED_ROLE);
        await renameDialog.getByRole('button', { name: 'Save changes' }).click();
        await renameDialog.waitFor({ state: 'detached' });
        await roles.getByRole('row').filter({ hasText: RENAMED_ROLE }).waitFor();

        const SPARE = 'Spare role';
        await page.getByRole('button', { name: 'Create role' }).click();
        const spareDialog = page.getByRole('dialog', { name: 'Create role' });
        await spareDialog.getByRole('textbox', { name: 'Name' }).fill(SPARE);
        await spareDialog.getByLabel('View SSO Activity').check();
        await spareDialog.getByRole('button', { name: 'Create role' }).click();
        await spareDialog.waitFor({ state: 'detached' });
        await page.getByRole('button', { name: `Delete ${SPARE}` }).click();
        const confirm = page.getByRole('dialog', { name: `Delete role ${SPARE}?` });
        await confirm.getByRole('button', { name: 'Delete role' }).click();
        await confirm.waitFor({ state: 'detached' });
        await roles.getByRole('row').filter({ hasText: SPARE }).waitFor({ state: 'detached' });
        await page.screenshot({ path: `${SHOTS}dashboard-staff-roles-edited.png`, fullPage: true });

        await page.getByRole('link', { name: 'Administrators' }).click();
        await page.waitForURL('**/staff');
        await samRow.getByText(RENAMED_ROLE, { exact: true }).waitFor();

        // 6. The Audit Log has these changes, by whom, field by field: the role's rename and the
        // spare role's deletion, found with the filters.
        await nav(page).getByRole('link', { name: 'Audit Log' }).click();
        await page.waitForURL('**/audit');
        const audit = page.getByRole('table', { name: 'Audit log' });
        await page.getByRole('combobox', { name: 'Resource' }).selectOption('role');
        await page.getByRole('combobox', { name: 'Action' }).selectOption('update');
        await page.waitForURL(/resource=role/);
        const rename = audit
          .getByRole('row')
          .filter({ hasText: `name: ${ROLE} → ${RENAMED_ROLE}` });
        await rename.waitFor();
        await rename.getByText(service.adminEmail).waitFor();
        assert.match(await rename.innerText(), /updated role \d+/);
        await page.getByRole('combobox', { name: 'Action' }).selectOption('delete');
        const deletion = audit.getByRole('row').filter({ hasText: `name: ${SPARE}` });
        await deletion.waitFor();
        assert.match(await deletion.innerText(), /deleted role \d+/);
        await page.screenshot({ path: `${SHOTS}dashboard-audit.png`, fullPage: true });
      } catch (e) {
        await current
          .screenshot({ path: `${SHOTS}dashboard-staff-failure.png`, fullPage: true })
          .catch(() => {});
        t.diagnostic(`service log tail:\n${service.logs().slice(-4000)}`);
        throw e;
      } finally {
        await staffContext?.close();
        await adminContext.close();
      }
    },
  );
});
