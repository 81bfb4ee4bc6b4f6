import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import {
  apiError,
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  signedIn,
} from '@/testing/test-utils';
import { acme, acmeMember, acmeOwner as owner } from '@/testing/fixtures';

const dev = acmeMember(['sso', 'tickets']);

describe('clients', () => {
  it('lists and searches clients', async () => {
    const fetch = mockFetch(
      signedIn((req) =>
        route(req) === 'GET /api/v1/clients'
          ? json({
              items: [
                acme,
                { ...acme, id: 4, name: 'Closed Co', status: 'Closed', allow_sso: false },
              ],
              total: 2,
            })
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/clients');
    const table = await screen.findByRole('table', { name: 'Clients' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Acme Ltd');
    expect(rows[1]).toHaveTextContent('Allowed');
    expect(rows[2]).toHaveTextContent('Closed');
    expect(rows[2]).toHaveTextContent('Blocked');

    await user.type(screen.getByLabelText('Search clients'), 'acme');
    await waitFor(() => {
      expect(requests(fetch).some((r) => new URL(r.url).searchParams.get('q') === 'acme')).toBe(
        true,
      );
    });
  });

  it('switches single sign-on off for the whole account', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/clients/3') return json(acme);
        if (route(req) === 'PATCH /api/v1/clients/3')
          return json({ ...acme, allow_sso: false, updated_at: '2026-11-28T11:00:00Z' });
        if (route(req) === 'GET /api/v1/clients') return json({ items: [acme], total: 1 });
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/clients/3');
    const toggle = await screen.findByRole('switch', { name: 'Allow Single Sign-On' });
    expect(toggle).toBeChecked();
    await user.click(toggle);
    await waitFor(() => {
      expect(screen.getByRole('switch', { name: 'Allow Single Sign-On' })).not.toBeChecked();
    });
    expect(screen.getByText(/blocked for every user/)).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/clients/3')!;
    expect(await patch.json()).toEqual({ allow_sso: false });
  });

  it('revokes a user’s single sign-on permission with Manage User', async () => {
    let members = [owner, dev];
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/clients/3') return json(acme);
        if (route(req) === 'GET /api/v1/clients/3/users') return json(members);
        if (route(req) === 'PATCH /api/v1/clients/3/users/11') {
          members = [owner, { ...dev, permissions: ['tickets'] }];
          return json(members[1]);
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/clients/3/users');

    const table = await screen.findByRole('table', { name: 'Users of this account' });
    const devRow = within(table).getByText('Dev Eloper').closest('tr')!;
    expect(devRow).toHaveTextContent('Allowed');

    await user.click(within(devRow).getByRole('button', { name: 'Manage User Dev Eloper' }));
    const dialog = screen.getByRole('dialog', { name: 'Manage User: Dev Eloper' });
    const sso = within(dialog).getByRole('checkbox', { name: 'Perform Single Sign-On' });
    expect(sso).toBeChecked();
    await user.click(sso);
    await user.click(within(dialog).getByRole('button', { name: 'Save permissions' }));

    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/clients/3/users/11')!;
    expect(await patch.json()).toEqual({ permissions: ['tickets'] });
    await waitFor(() => {
      expect(screen.getByText('Dev Eloper').closest('tr')).toHaveTextContent('Not allowed');
    });
  });

  it('does not let staff revoke the owner’s permissions', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/clients/3') return json(acme);
        if (route(req) === 'GET /api/v1/clients/3/users') return json([owner]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/clients/3/users');
    await user.click(await screen.findByRole('button', { name: 'Manage User Jane Owner' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByText(/cannot be revoked/)).toBeInTheDocument();
    for (const box of within(dialog).getAllByRole('checkbox')) {
      expect(box).toBeChecked();
      expect(box).toBeDisabled();
    }
    expect(
      within(dialog).queryByRole('button', { name: 'Save permissions' }),
    ).not.toBeInTheDocument();
  });

  it('shows the client’s services and a clear error when loading fails', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/clients/3') return json(acme);
        if (route(req) === 'GET /api/v1/services')
          return json({
            items: [
              {
                id: 5,
                client_id: 3,
                server_id: 1,
                module: 'cpanel',
                username: 'acme',
                domain: 'acme.test',
                status: 'Suspended',
                link_state: {
                  state: 'pending',
                  last_error: '',
                  attempts: 0,
                  next_attempt_at: null,
                  confirmed_at: null,
                },
              },
            ],
            total: 1,
          });
        return undefined;
      }),
    );
    renderRoutes(routes, '/clients/3/services');
    const table = await screen.findByRole('table', { name: 'Hosting accounts' });
    expect(table).toHaveTextContent('acme.test');
    expect(table).toHaveTextContent('Suspended');
  });

  it('says when a client does not exist', async () => {
    mockFetch(
      signedIn((req) =>
        route(req) === 'GET /api/v1/clients/99'
          ? apiError(404, 'not_found', 'Client 99 not found.')
          : undefined,
      ),
    );
    renderRoutes(routes, '/clients/99');
    expect(await screen.findByText('Client 99 not found.')).toBeInTheDocument();
  });
});
