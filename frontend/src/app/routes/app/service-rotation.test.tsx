import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import { setSession } from '@/lib/session';
import {
  apiError,
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  signedIn,
  type FetchHandler,
} from '@/testing/test-utils';
import { acmeService as acme } from '@/testing/fixtures';

const gone = { ...acme, id: 5, username: 'gone', domain: 'gone.test', status: 'Terminated' };
const wp = { ...acme, id: 9, module: 'wpsquared', username: 'wpacct', domain: 'wp.test' };

/** The services list (acme, gone, wp), the switches (`cpanel` on, WP Squared off) and `more`. */
function api(more: FetchHandler = () => undefined): FetchHandler {
  return signedIn((req) => {
    if (route(req) === 'GET /api/v1/services') return json({ items: [acme, gone, wp], total: 3 });
    if (route(req) === 'GET /api/v1/servers') return json({ items: [], total: 0 });
    if (route(req) === 'GET /api/v1/applications') {
      return json([
        { module: 'cpanel', name: 'cPanel & WHM', enabled: true, status: {} },
        { module: 'wpsquared', name: 'WP Squared', enabled: false, status: {} },
      ]);
    }
    return more(req);
  });
}

async function rowOf(name: string) {
  const table = await screen.findByRole('table', { name: 'Hosting accounts' });
  return within(table).getByText(name).closest('tr')!;
}

/** Opens the row's "More" menu and answers its item `name`. */
async function menuItem(user: UserEvent, row: HTMLElement, name: string | RegExp) {
  await user.click(within(row).getByRole('button', { name: /^More actions for / }));
  return within(row).getByRole('menuitem', { name });
}

const rotations = (fetch: ReturnType<typeof mockFetch>) =>
  requests(fetch).filter((r) => route(r) === 'POST /api/v1/services/7/rotate-link-secret');

describe('rotate one account’s link secret', () => {
  it('asks first, then shows the queued rotation with a link to its log', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'POST /api/v1/services/7/rotate-link-secret'
          ? json({ id: 31, module: 'cpanel', kind: 'rotation', state: 'queued' }, 202)
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/services');
    const row = await rowOf('acme.test');
    const rotate = await menuItem(user, row, 'Rotate the link secret of acme');
    expect(rotate).toHaveTextContent('Rotate secret');
    await user.click(rotate);
    const dialog = screen.getByRole('dialog', { name: 'Rotate the link secret of acme?' });
    expect(dialog).toHaveTextContent('pushed to its server');
    expect(dialog).toHaveTextContent('keeps working until the panel has confirmed the new one');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(rotations(fetch)).toHaveLength(0);
    await waitFor(() => {
      expect(within(row).getByRole('button', { name: 'More actions for acme' })).toHaveFocus();
    });

    await user.click(await menuItem(user, row, 'Rotate the link secret of acme'));
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate secret' }),
    );
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      await within(row).findByText(
        /A rotation of the link secret of acme was queued \(operation #31\)/,
      ),
    ).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'View its log' })).toHaveAttribute(
      'href',
      '/settings/application-links/cpanel/log?op=31',
    );
    expect(rotations(fetch)).toHaveLength(1);
  });

  it('shows the API’s refusal in the dialog', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'POST /api/v1/services/7/rotate-link-secret'
          ? apiError(409, 'conflict', 'Server cp1 is deactivated: activate it first.')
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/services');
    await user.click(
      await menuItem(user, await rowOf('acme.test'), 'Rotate the link secret of acme'),
    );
    const dialog = screen.getByRole('dialog', { name: 'Rotate the link secret of acme?' });
    await user.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));
    expect(
      await within(dialog).findByText('Server cp1 is deactivated: activate it first.'),
    ).toBeInTheDocument();
    expect(rotations(fetch)).toHaveLength(1);
  });

  it('names the server and is disabled with the reason while it is deactivated', async () => {
    const off = { ...acme, id: 11, server_id: 4, username: 'offacct', domain: 'off.test' };
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/services') return json({ items: [acme, off], total: 2 });
        if (route(req) === 'GET /api/v1/servers')
          return json({
            items: [
              { id: 1, name: 'cp1', module: 'cpanel', active: true },
              { id: 4, name: 'cp4', module: 'cpanel', active: false },
            ],
            total: 2,
          });
        if (route(req) === 'GET /api/v1/applications')
          return json([{ module: 'cpanel', name: 'cPanel & WHM', enabled: true, status: {} }]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/services');
    const offRow = await rowOf('off.test');
    await waitFor(() => {
      expect(within(offRow).getByRole('link', { name: 'cp4' })).toHaveAttribute(
        'href',
        '/servers/4',
      );
    });
    for (const name of ['Sync offacct now', 'Rotate the link secret of offacct']) {
      const item = await menuItem(user, offRow, name);
      expect(item).toHaveAttribute('aria-disabled', 'true');
      expect(item).toHaveAccessibleDescription('Server cp4 is deactivated: activate it first.');
      await user.keyboard('{Escape}');
    }
    const acmeSync = await menuItem(user, await rowOf('acme.test'), 'Sync acme now');
    expect(acmeSync).not.toHaveAttribute('aria-disabled');
    expect(requests(fetch).some((r) => route(r) === 'POST /api/v1/services/11/sync')).toBe(false);
  });

  it('is disabled with the reason while the application is disabled, absent when terminated', async () => {
    const fetch = mockFetch(api());
    const { user } = renderRoutes(routes, '/services');
    await waitFor(() => {
      expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/applications')).toBe(true);
    });
    const wpRow = await rowOf('wp.test');
    const wpItem = await menuItem(user, wpRow, 'Rotate the link secret of wpacct');
    await waitFor(() => {
      expect(wpItem).toHaveAttribute('aria-disabled', 'true');
    });
    expect(wpItem).toHaveAccessibleDescription(
      'WP Squared is disabled: enable its application links first.',
    );
    await user.click(wpItem);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(rotations(fetch)).toHaveLength(0);
    await user.keyboard('{Escape}');
    // Sync now, refused by the API for the same reason, is disabled with it too.
    const wpSync = await menuItem(user, wpRow, 'Sync wpacct now');
    expect(wpSync).toHaveAttribute('aria-disabled', 'true');
    expect(wpSync).toHaveAccessibleDescription(
      'WP Squared is disabled: enable its application links first.',
    );
    await user.keyboard('{Escape}');

    const acmeItem = await menuItem(user, await rowOf('acme.test'), /Rotate the link secret/);
    expect(acmeItem).not.toHaveAttribute('aria-disabled');
    await user.keyboard('{Escape}');
    // a terminated account has nothing but Edit: no menu, so no rotation
    const goneRow = await rowOf('gone.test');
    expect(within(goneRow).queryByRole('button', { name: /More actions/ })).not.toBeInTheDocument();
    expect(within(goneRow).getByRole('button', { name: 'Edit gone' })).toBeEnabled();
  });

  it('is not offered to staff who may not configure application links', async () => {
    const fetch = mockFetch(api());
    setSession({
      token: 'test-jwt',
      admin: { id: 2, email: 'sam@example.com', name: 'Sam', permissions: ['manage_clients'] },
    });
    const { user } = renderRoutes(routes, '/services');
    const row = await rowOf('acme.test');
    await user.click(within(row).getByRole('button', { name: 'More actions for acme' }));
    expect(
      within(row)
        .getAllByRole('menuitem')
        .map((m) => m.getAttribute('aria-label')),
    ).toEqual(['Suspend acme', 'Terminate acme']);
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/applications')).toBe(false);
  });
});
