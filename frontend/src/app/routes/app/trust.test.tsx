import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import { json, mockFetch, renderRoutes, requests, route, signedIn } from '@/testing/test-utils';

const portal = {
  id: 1,
  name: 'Billing portal',
  identifier: 'ak_one',
  permissions: ['create_sso_token'],
  created_at: '2026-11-28T10:00:00Z',
};

describe('API credentials', () => {
  it('creates a credential and shows its secret once', async () => {
    let list = [portal];
    const fetch = mockFetch(
      signedIn(async (req) => {
        if (route(req) === 'GET /api/v1/api-credentials') return json(list);
        if (route(req) === 'POST /api/v1/api-credentials') {
          const body = (await req.clone().json()) as { name: string };
          const created = { ...portal, id: 2, name: body.name, identifier: 'ak_two' };
          list = [...list, created];
          return json({ ...created, secret: 'S3CRET-only-once' }, 201);
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/api-credentials');
    await screen.findByRole('table', { name: 'API credentials' });
    await user.click(screen.getByRole('button', { name: 'Create credential' }));
    const dialog = screen.getByRole('dialog', { name: 'Create API credential' });
    await user.type(within(dialog).getByLabelText(/^Name/), 'Shop');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    const secret = await screen.findByRole('dialog', { name: 'Copy the secret now' });
    expect(within(secret).getByTestId('credential-secret')).toHaveTextContent('S3CRET-only-once');
    expect(within(secret).getByText('ak_two')).toBeInTheDocument();
    const post = requests(fetch).find((r) => route(r) === 'POST /api/v1/api-credentials')!;
    expect(await post.json()).toEqual({ name: 'Shop' });

    await user.click(within(secret).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('S3CRET-only-once')).not.toBeInTheDocument();
    expect(await screen.findByText('ak_two')).toBeInTheDocument();
  });

  it('revokes a credential after confirmation', async () => {
    let revoked = false;
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/api-credentials')
          return json([revoked ? { ...portal, revoked_at: '2026-11-28T12:00:00Z' } : portal]);
        if (route(req) === 'DELETE /api/v1/api-credentials/1') {
          revoked = true;
          return new Response(null, { status: 204 });
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/api-credentials');
    await user.click(await screen.findByRole('button', { name: 'Revoke Billing portal' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Revoke Billing portal?' })).getByRole('button', {
        name: 'Revoke',
      }),
    );
    expect(await screen.findByText(/^Revoked/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Revoke Billing portal' })).not.toBeInTheDocument();
  });
});

describe('SSO activity', () => {
  it('lists events and filters by outcome and source', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) !== 'GET /api/v1/sso/events') return undefined;
        const outcome = new URL(req.url).searchParams.get('outcome');
        const all = [
          {
            id: 1,
            kind: 'issue',
            outcome: 'success',
            source: 'cpanel',
            client_id: 3,
            user_id: 10,
            server_id: 1,
            destination: 'invoice_history',
            ip: '203.0.113.7',
            time: '2026-11-28T10:00:00Z',
          },
          {
            id: 2,
            kind: 'issue',
            outcome: 'refused',
            reason: 'SSO authentication blocked for client 3',
            source: 'api',
            client_id: 3,
            credential_id: 1,
            destination: 'home',
            time: '2026-11-28T10:01:00Z',
          },
        ];
        const items = all.filter((e) => !outcome || e.outcome === outcome);
        return json({ items, total: items.length });
      }),
    );
    const { user } = renderRoutes(routes, '/sso-activity');
    const table = await screen.findByRole('table', { name: 'Single sign-on events' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(table).toHaveTextContent('SSO authentication blocked for client 3');

    await user.selectOptions(screen.getByLabelText('Outcome'), 'refused');
    await user.selectOptions(screen.getByLabelText('Source'), 'api');
    await waitFor(() => {
      expect(
        within(screen.getByRole('table', { name: 'Single sign-on events' })).getAllByRole('row'),
      ).toHaveLength(2);
    });
    const last = requests(fetch)
      .filter((r) => route(r) === 'GET /api/v1/sso/events')
      .at(-1)!;
    const q = new URL(last.url).searchParams;
    expect(q.get('outcome')).toBe('refused');
    expect(q.get('source')).toBe('api');
  });

  it('shows a client’s own activity on its profile', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/clients/3')
          return json({
            id: 3,
            name: 'Acme Ltd',
            email: 'a@acme.test',
            status: 'Active',
            allow_sso: true,
          });
        if (route(req) === 'GET /api/v1/sso/events') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
    renderRoutes(routes, '/clients/3/sso-activity');
    expect(await screen.findByText('No single sign-on activity yet')).toBeInTheDocument();
    const call = requests(fetch).find((r) => route(r) === 'GET /api/v1/sso/events')!;
    expect(new URL(call.url).searchParams.get('client_id')).toBe('3');
  });
});
