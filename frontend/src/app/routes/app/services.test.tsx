import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import {
  apiError,
  failsOnce,
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  signedIn,
  type FetchHandler,
} from '@/testing/test-utils';
import { acmeService as acme } from '@/testing/fixtures';

const beta = {
  ...acme,
  id: 6,
  username: 'beta',
  domain: 'beta.test',
  status: 'Suspended',
  link_state: {
    state: 'failed',
    last_error: 'You do not have access to an account named beta.',
    attempts: 2,
    next_attempt_at: null,
    confirmed_at: null,
  },
};
const servers = {
  items: [
    { id: 1, name: 'cp1', module: 'cpanel', active: true },
    { id: 2, name: 'cp2', module: 'cpanel', active: true },
  ],
  total: 2,
};

/** Answers the services list, the servers list, the applications and whatever `more` handles. */
function api(more: FetchHandler = () => undefined): FetchHandler {
  return signedIn((req) => {
    if (route(req) === 'GET /api/v1/services') return json({ items: [acme, beta], total: 60 });
    if (route(req) === 'GET /api/v1/servers') return json(servers);
    if (route(req) === 'GET /api/v1/applications') {
      return json([{ module: 'cpanel', name: 'cPanel & WHM', enabled: true, status: {} }]);
    }
    return more(req);
  });
}

function listQueries(fetch: ReturnType<typeof mockFetch>): URLSearchParams[] {
  return requests(fetch)
    .filter((r) => route(r) === 'GET /api/v1/services')
    .map((r) => new URL(r.url).searchParams);
}

async function rowOf(name: string) {
  const table = await screen.findByRole('table', { name: 'Hosting accounts' });
  return within(table).getByText(name).closest('tr')!;
}

/** Opens the row's "More" menu and answers its item `name`. */
async function menuItem(user: UserEvent, row: HTMLElement, name: string) {
  await user.click(within(row).getByRole('button', { name: /^More actions for / }));
  return within(row).getByRole('menuitem', { name });
}

describe('services', () => {
  it('lists accounts newest first with filters and paging kept in the URL', async () => {
    const fetch = mockFetch(api());
    const { user, router } = renderRoutes(routes, '/services?status=Active');
    expect(await rowOf('acme.test')).toHaveTextContent('Active');
    expect(listQueries(fetch)[0]!.get('order')).toBe('newest');
    expect(await rowOf('acme.test')).toHaveTextContent('Up to date');
    const betaRow = await rowOf('beta.test');
    expect(betaRow).toHaveTextContent('Failed');
    expect(betaRow).toHaveTextContent('You do not have access to an account named beta.');
    expect(listQueries(fetch)[0]!.get('status')).toBe('Active');

    await user.selectOptions(screen.getByLabelText('Server'), 'cp2');
    await user.type(screen.getByLabelText('Client number'), '3');
    await user.type(screen.getByLabelText('Search services'), 'acm');
    await waitFor(() => {
      const q = listQueries(fetch).at(-1)!;
      expect([q.get('server_id'), q.get('client_id'), q.get('q'), q.get('status')]).toEqual([
        '2',
        '3',
        'acm',
        'Active',
      ]);
    });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => {
      expect(listQueries(fetch).at(-1)!.get('page')).toBe('2');
    });
    expect(router.state.location.search).toContain('server_id=2');
    expect(router.state.location.search).toContain('page=2');
  });

  it('suspends an account only after the confirmation', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'PATCH /api/v1/services/7'
          ? json({ ...acme, status: 'Suspended' })
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/services');
    const row = await rowOf('acme.test');
    const more = within(row).getByRole('button', { name: 'More actions for acme' });
    await user.click(await menuItem(user, row, 'Suspend acme'));
    const dialog = screen.getByRole('dialog', { name: 'Suspend acme?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests(fetch).some((r) => r.method === 'PATCH')).toBe(false);
    await waitFor(() => {
      expect(more).toHaveFocus();
    });

    await user.click(more);
    expect(
      within(row)
        .getAllByRole('menuitem')
        .map((m) => m.getAttribute('aria-label')),
    ).toEqual([
      'Sync acme now',
      'Rotate the link secret of acme',
      'Suspend acme',
      'Terminate acme',
    ]);
    await user.click(within(row).getByRole('menuitem', { name: 'Suspend acme' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Suspend acme?' })).getByRole('button', {
        name: 'Suspend',
      }),
    );
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/services/7')!;
    expect(await patch.json()).toEqual({ status: 'Suspended' });
  });

  it('unsuspends and terminates with PATCH status, and shows a refusal in the dialog', async () => {
    const fetch = mockFetch(
      api((req) => {
        if (route(req) === 'PATCH /api/v1/services/6') return json({ ...beta, status: 'Active' });
        if (route(req) === 'PATCH /api/v1/services/7')
          return apiError(409, 'conflict', 'Service 7 is busy.');
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/services');
    await user.click(await menuItem(user, await rowOf('beta.test'), 'Unsuspend beta'));
    await user.click(screen.getByRole('button', { name: 'Unsuspend' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    await user.click(await menuItem(user, await rowOf('acme.test'), 'Terminate acme'));
    const dialog = screen.getByRole('dialog', { name: 'Terminate acme?' });
    expect(dialog).toHaveTextContent('links are removed');
    await user.click(within(dialog).getByRole('button', { name: 'Terminate' }));
    expect(await within(dialog).findByText('Service 7 is busy.')).toBeInTheDocument();
    const bodies = await Promise.all(
      requests(fetch)
        .filter((r) => r.method === 'PATCH')
        .map(async (r): Promise<[string, unknown]> => [route(r), await r.json()]),
    );
    expect(bodies).toEqual([
      ['PATCH /api/v1/services/6', { status: 'Active' }],
      ['PATCH /api/v1/services/7', { status: 'Terminated' }],
    ]);
  });

  it('moves an account to another server with Edit, sending only what changed', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'PATCH /api/v1/services/7' ? json({ ...acme, server_id: 2 }) : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/services');
    await user.click(within(await rowOf('acme.test')).getByRole('button', { name: 'Edit acme' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit acme' });
    await user.selectOptions(within(dialog).getByLabelText('Server'), '2');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/services/7')!;
    expect(await patch.json()).toEqual({ server_id: 2 });
  });

  it('adds an account and shows a field error in place', async () => {
    const fetch = mockFetch(
      api(
        failsOnce(
          'POST /api/v1/services',
          apiError(409, 'conflict', 'Server 1 already has an account named "acme".', 'username'),
          () => json({ ...acme, id: 8, username: 'acme2' }, 201),
        ),
      ),
    );
    const { user } = renderRoutes(routes, '/services');
    await user.click(await screen.findByRole('button', { name: 'Add hosting account' }));
    const dialog = screen.getByRole('dialog', { name: 'Add hosting account' });
    await user.type(within(dialog).getByLabelText(/Client number/), '3');
    await user.selectOptions(within(dialog).getByLabelText('Server'), '1');
    await user.type(within(dialog).getByLabelText('Username'), 'acme');
    await user.type(within(dialog).getByLabelText(/Domain/), 'acme2.test');
    await user.click(within(dialog).getByRole('button', { name: 'Add account' }));
    expect(await within(dialog).findByText(/already has an account/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Username'), '2');
    await user.click(within(dialog).getByRole('button', { name: 'Add account' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const posts = requests(fetch).filter((r) => route(r) === 'POST /api/v1/services');
    expect(await posts[1]!.json()).toEqual({
      client_id: 3,
      server_id: 1,
      username: 'acme2',
      domain: 'acme2.test',
      status: 'Active',
    });
  });

  it('shows a client’s accounts on its Services tab', async () => {
    const fetch = mockFetch(
      api((req) =>
        route(req) === 'GET /api/v1/clients/3'
          ? json({
              id: 3,
              name: 'Acme Ltd',
              email: 'b@acme.test',
              status: 'Active',
              allow_sso: true,
            })
          : undefined,
      ),
    );
    renderRoutes(routes, '/clients/3/services');
    expect(await rowOf('beta.test')).toHaveTextContent('Suspended');
    expect(listQueries(fetch)[0]!.get('client_id')).toBe('3');
    expect(screen.queryByLabelText('Client number')).not.toBeInTheDocument();
  });

  it('reads a page again while an account on it is pending, until its links are up to date', async () => {
    let reads = 0;
    const pending = { ...acme.link_state, state: 'pending', confirmed_at: null };
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/services') {
          reads++;
          return json({ items: [reads === 1 ? { ...acme, link_state: pending } : acme], total: 1 });
        }
        if (route(req) === 'GET /api/v1/servers') return json(servers);
        if (route(req) === 'GET /api/v1/applications') return json([]);
        return undefined;
      }),
    );
    renderRoutes(routes, '/services');
    expect(await rowOf('acme.test')).toHaveTextContent('Pending');
    await waitFor(
      async () => {
        expect(await rowOf('acme.test')).toHaveTextContent('Up to date');
      },
      { timeout: 6000 },
    );
    const settled = listQueries(fetch).length;
    await new Promise((r) => setTimeout(r, 3500)); // one more poll period: nothing pending, no read
    expect(listQueries(fetch)).toHaveLength(settled);
  }, 15000);

  it('does not poll for an account whose next attempt is an hour away', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const waiting = { ...acme.link_state, state: 'pending', next_attempt_at: later, attempts: 2 };
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/services')
          return json({ items: [{ ...acme, link_state: waiting }], total: 1 });
        if (route(req) === 'GET /api/v1/servers') return json(servers);
        if (route(req) === 'GET /api/v1/applications') return json([]);
        return undefined;
      }),
    );
    renderRoutes(routes, '/services');
    expect(await rowOf('acme.test')).toHaveTextContent('Pending');
    await new Promise((r) => setTimeout(r, 3500)); // one poll period
    expect(listQueries(fetch)).toHaveLength(1);
  }, 10000);

  it('syncs one account now and says what the API answered', async () => {
    let syncs = 0;
    const fetch = mockFetch(
      api((req) => {
        if (route(req) !== 'POST /api/v1/services/7/sync') return undefined;
        syncs++;
        return syncs === 1
          ? json({ id: 12, kind: 'repair', state: 'queued' }, 202)
          : apiError(409, 'conflict', 'cPanel & WHM is disabled: enable it first.');
      }),
    );
    const { user } = renderRoutes(routes, '/services');
    const row = await rowOf('acme.test');
    await user.click(await menuItem(user, row, 'Sync acme now'));
    expect(await within(row).findByText('A sync of acme was queued.')).toBeInTheDocument();
    await user.click(await menuItem(user, row, 'Sync acme now'));
    expect(
      await within(row).findByText('cPanel & WHM is disabled: enable it first.'),
    ).toBeInTheDocument();
    expect(requests(fetch).filter((r) => route(r) === 'POST /api/v1/services/7/sync')).toHaveLength(
      2,
    );
  });
});
