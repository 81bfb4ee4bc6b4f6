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
  type FetchHandler,
} from '@/testing/test-utils';
import { acme, acmeMember, acmeOwner as owner } from '@/testing/fixtures';

const dev = acmeMember(['sso']);

function api(more: FetchHandler): FetchHandler {
  return signedIn((req) => {
    if (route(req) === 'GET /api/v1/clients/3') return json(acme);
    if (route(req) === 'GET /api/v1/clients/3/users') return json([owner, dev]);
    if (route(req) === 'GET /api/v1/clients') return json({ items: [], total: 0 });
    return more(req);
  });
}

async function usersTable() {
  return screen.findByRole('table', { name: 'Users of this account' });
}

describe('client administration', () => {
  it('adds a user with an e-mail, a name, a password and permissions', async () => {
    const fetch = mockFetch(
      api((req) => (route(req) === 'POST /api/v1/clients/3/users' ? json(dev, 201) : undefined)),
    );
    const { user } = renderRoutes(routes, '/clients/3/users');
    await usersTable();
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    const dialog = screen.getByRole('dialog', { name: 'Add user' });
    await user.type(within(dialog).getByLabelText(/Email/), 'new@acme.test');
    await user.type(within(dialog).getByLabelText(/Name/), 'New Person');
    await user.type(within(dialog).getByLabelText(/Password/), 'a-long-password');
    await user.click(within(dialog).getByRole('checkbox', { name: /Tickets/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Add user' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const post = requests(fetch).find((r) => route(r) === 'POST /api/v1/clients/3/users')!;
    expect(await post.json()).toEqual({
      email: 'new@acme.test',
      name: 'New Person',
      password: 'a-long-password',
      permissions: ['sso', 'tickets'],
    });
  });

  it('removes a user after a confirmation, and never offers to remove the owner', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'DELETE /api/v1/clients/3/users/11'
          ? new Response(null, { status: 204 })
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/clients/3/users');
    const table = await usersTable();
    const ownerRow = within(table).getByText('Jane Owner').closest('tr')!;
    expect(within(ownerRow).queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(ownerRow).queryByRole('button', { name: /owner/ })).not.toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Remove Dev Eloper' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Dev Eloper?' });
    expect(dialog).toHaveTextContent('sessions end');
    await user.click(within(dialog).getByRole('button', { name: 'Remove user' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      requests(fetch)
        .filter((r) => r.method === 'DELETE')
        .map(route),
    ).toEqual(['DELETE /api/v1/clients/3/users/11']);
  });

  it('transfers the ownership explicitly', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'POST /api/v1/clients/3/owner'
          ? json({ ...acme, owner_user_id: 11 })
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/clients/3/users');
    const table = await usersTable();
    await user.click(within(table).getByRole('button', { name: 'Make Dev Eloper the owner' }));
    const dialog = screen.getByRole('dialog', { name: 'Make Dev Eloper the owner?' });
    expect(dialog).toHaveTextContent('current owner stays');
    await user.click(within(dialog).getByRole('button', { name: 'Transfer ownership' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const post = requests(fetch).find((r) => route(r) === 'POST /api/v1/clients/3/owner')!;
    expect(await post.json()).toEqual({ user_id: 11 });
  });

  it('closes a client after explaining what closing refuses', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'PATCH /api/v1/clients/3'
          ? json({ ...acme, status: 'Closed', updated_at: '2026-11-28T11:00:00Z' })
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/clients/3');
    await user.click(await screen.findByRole('button', { name: 'Close client' }));
    const dialog = screen.getByRole('dialog', { name: 'Close Acme Ltd?' });
    expect(dialog).toHaveTextContent('single sign-on into and out of it is refused');
    expect(dialog).toHaveTextContent('can no longer sign in to the client area');
    await user.click(within(dialog).getByRole('button', { name: 'Close client' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/clients/3')!;
    expect(await patch.json()).toEqual({ status: 'Closed' });
    expect(screen.queryByRole('button', { name: 'Close client' })).not.toBeInTheDocument();
  });

  it('deletes a client, and shows why when it still has services', async () => {
    let refuse = true;
    mockFetch(
      api((req) => {
        if (route(req) !== 'DELETE /api/v1/clients/3') return undefined;
        if (refuse) {
          refuse = false;
          return apiError(409, 'conflict', 'Client 3 still has 2 service(s): delete them first.');
        }
        return new Response(null, { status: 204 });
      }),
    );
    const { user, router } = renderRoutes(routes, '/clients/3');
    await user.click(await screen.findByRole('button', { name: 'Delete client' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete Acme Ltd?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete client' }));
    expect(await within(dialog).findByText(/still has 2 service/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/clients/3');
    await user.click(within(dialog).getByRole('button', { name: 'Delete client' }));
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/clients');
    });
  });
});
