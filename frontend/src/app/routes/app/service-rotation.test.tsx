import { screen, waitFor, within } from '@testing-library/react';
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
    await user.click(within(row).getByRole('button', { name: 'Rotate the link secret of acme' }));
    const dialog = screen.getByRole('dialog', { name: 'Rotate the link secret of acme?' });
    expect(dialog).toHaveTextContent('pushed to its server');
    expect(dialog).toHaveTextContent('keeps working until the panel has confirmed the new one');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(rotations(fetch)).toHaveLength(0);

    await user.click(within(row).getByRole('button', { name: 'Rotate the link secret of acme' }));
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate secret' }),
    );
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      await within(row).findByText(/The link secret of acme is being rotated \(operation #31\)/),
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
      within(await rowOf('acme.test')).getByRole('button', {
        name: 'Rotate the link secret of acme',
      }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Rotate the link secret of acme?' });
    await user.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));
    expect(
      await within(dialog).findByText('Server cp1 is deactivated: activate it first.'),
    ).toBeInTheDocument();
    expect(rotations(fetch)).toHaveLength(1);
  });

  it('is disabled with the reason while the application is disabled, absent when terminated', async () => {
    mockFetch(api());
    renderRoutes(routes, '/services');
    const wpButton = within(await rowOf('wp.test')).getByRole('button', {
      name: 'Rotate the link secret of wpacct',
    });
    await waitFor(() => {
      expect(wpButton).toBeDisabled();
    });
    expect(wpButton).toHaveAccessibleDescription(
      'WP Squared is disabled: enable its application links first.',
    );
    expect(
      within(await rowOf('acme.test')).getByRole('button', { name: /Rotate the link secret/ }),
    ).toBeEnabled();
    expect(
      within(await rowOf('gone.test')).queryByRole('button', { name: /Rotate/ }),
    ).not.toBeInTheDocument();
  });

  it('is not offered to staff who may not configure application links', async () => {
    const fetch = mockFetch(api());
    setSession({
      token: 'test-jwt',
      admin: { id: 2, email: 'sam@example.com', name: 'Sam', permissions: ['manage_clients'] },
    });
    renderRoutes(routes, '/services');
    const row = await rowOf('acme.test');
    expect(within(row).queryByRole('button', { name: /Rotate/ })).not.toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/applications')).toBe(false);
  });
});
