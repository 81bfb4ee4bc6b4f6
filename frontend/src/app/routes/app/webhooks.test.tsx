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

const hook = {
  id: 3,
  url: 'https://hooks.example.com/applinks',
  description: 'Helpdesk',
  events: ['sso.redeemed', 'sso.refused'],
  active: true,
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};

const delivery = {
  id: 41,
  webhook_id: 3,
  message_id: 'msg_abc',
  event_type: 'sso.redeemed',
  state: 'failed',
  attempts: 9,
  status_code: 500,
  duration_ms: 12,
  error: 'the receiver answered 500 Internal Server Error',
  next_attempt_at: null,
  created_at: '2026-12-01T10:05:00Z',
  last_attempt_at: '2026-12-02T10:05:00Z',
};

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Signed in with `permissions`; the webhook endpoints answer from `hooks`. */
function api(
  hooks: unknown[],
  extra?: FetchHandler,
  permissions = ['manage_webhooks'],
): FetchHandler {
  const handler = signedIn(async (req) => {
    const answer = await extra?.(req);
    if (answer) return answer;
    switch (route(req)) {
      case 'GET /api/v1/webhooks':
        return json(hooks);
      case 'POST /api/v1/webhooks':
        return json({ ...hook, id: 4, url: 'https://new.example.com/in', secret: SECRET }, 201);
      case 'PATCH /api/v1/webhooks/3':
        return json({ ...hook, active: false });
      case 'DELETE /api/v1/webhooks/3':
        return new Response(null, { status: 204 });
      case 'POST /api/v1/webhooks/3/test':
        return json({
          ...delivery,
          id: 42,
          event_type: 'webhook.test',
          state: 'delivered',
          status_code: 200,
          attempts: 1,
          error: '',
        });
      case 'GET /api/v1/webhooks/3/deliveries':
        return json({ items: [delivery], total: 1, page: 1, per_page: 20 });
      case 'POST /api/v1/webhooks/3/deliveries/41/redeliver':
        return json({ ...delivery, id: 43, state: 'pending', attempts: 0 }, 202);
    }
    return undefined;
  });
  setSession({ token: 'test-jwt', admin: { id: 1, name: 'Ada Admin', permissions } });
  return handler;
}

describe('webhooks', () => {
  it('lists the subscriptions with their events and state', async () => {
    mockFetch(api([hook, { ...hook, id: 5, description: '', active: false }]));
    renderRoutes(routes, '/webhooks');
    const table = await screen.findByRole('table', { name: 'Webhooks' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Helpdesk');
    expect(rows[1]).toHaveTextContent('sso.redeemed, sso.refused');
    expect(rows[1]).toHaveTextContent('Active');
    expect(rows[2]).toHaveTextContent('Paused');
  });

  it('creates a webhook and shows its secret once', async () => {
    const fetch = mockFetch(api([]));
    const { user } = renderRoutes(routes, '/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Create webhook' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create webhook' });
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(within(dialog).getByText(/Enter the receiver URL/)).toBeInTheDocument();
    expect(within(dialog).getByText('Choose at least one event type.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/^URL/), 'https://new.example.com/in');
    await user.click(within(dialog).getByLabelText(/sso\.refused/));
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent(SECRET);
    const post = requests(fetch).find((r) => route(r) === 'POST /api/v1/webhooks');
    expect(await post?.json()).toEqual({
      url: 'https://new.example.com/in',
      description: '',
      events: ['sso.refused'],
    });
    await user.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => {
      expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    });
  });

  it('shows the API’s refusal on the field it names', async () => {
    mockFetch(
      api([], (req) =>
        route(req) === 'POST /api/v1/webhooks'
          ? apiError(400, 'invalid', 'The URL must be an https URL.', 'url')
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Create webhook' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create webhook' });
    await user.type(within(dialog).getByLabelText(/^URL/), 'javascript:alert(1)');
    await user.click(within(dialog).getByLabelText(/sso\.redeemed/));
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('The URL must be an https URL.')).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^URL/)).toHaveAttribute('aria-invalid', 'true');
  });

  it('pauses, tests, and deletes only after confirmation', async () => {
    const fetch = mockFetch(api([hook]));
    const { user } = renderRoutes(routes, '/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Pause Helpdesk' }));
    await waitFor(() => {
      expect(requests(fetch).some((r) => route(r) === 'PATCH /api/v1/webhooks/3')).toBe(true);
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/webhooks/3');
    expect(await patch?.json()).toEqual({ active: false });

    await user.click(screen.getByRole('button', { name: 'Test Helpdesk' }));
    expect(
      await screen.findByText(/Test delivered: the receiver answered 200/),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Delete Helpdesk' }));
    const confirm = await screen.findByRole('dialog', { name: /Delete the webhook to Helpdesk/ });
    expect(requests(fetch).some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => {
      expect(requests(fetch).some((r) => route(r) === 'DELETE /api/v1/webhooks/3')).toBe(true);
    });
  });

  it('shows the delivery log and redelivers', async () => {
    const fetch = mockFetch(api([hook]));
    const { user } = renderRoutes(routes, '/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Deliveries of Helpdesk' }));
    const table = await screen.findByRole('table', { name: 'Deliveries' });
    const row = within(table).getAllByRole('row')[1];
    expect(row).toHaveTextContent('failed');
    expect(row).toHaveTextContent('500');
    expect(row).toHaveTextContent('the receiver answered 500');
    await user.click(within(table).getByRole('button', { name: /Redeliver msg_abc/ }));
    expect(await screen.findByText(/Queued again with the same webhook-id/)).toBeInTheDocument();
    expect(
      requests(fetch).some((r) => route(r) === 'POST /api/v1/webhooks/3/deliveries/41/redeliver'),
    ).toBe(true);
  });

  it('is hidden, and refused without asking the API, without manage_webhooks', async () => {
    const fetch = mockFetch(api([hook], undefined, ['manage_clients']));
    renderRoutes(routes, '/webhooks');
    expect(
      await screen.findByText(/You need the Manage Webhooks permission \(manage_webhooks\)/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Webhooks' })).not.toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/webhooks')).toBe(false);
  });
});
