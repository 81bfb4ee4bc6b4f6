import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import { setSession } from '@/lib/session';
import {
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  signedIn,
  type FetchHandler,
} from '@/testing/test-utils';

const serverUpdate = {
  id: 2,
  time: '2026-12-01T10:30:00Z',
  actor_kind: 'admin',
  actor_id: 1,
  actor_name: 'admin@example.com',
  ip: '127.0.0.1',
  resource: 'server',
  resource_id: '3',
  action: 'update',
  client_id: null,
  before: { name: 'cp1', verify_tls: true },
  after: { name: 'cp-one', verify_tls: false, api_token: 'changed' },
};

const long = 'x'.repeat(200);
const clientCreate = {
  id: 1,
  time: '2026-11-30T08:00:00Z',
  actor_kind: 'api_credential',
  actor_id: 4,
  actor_name: 'billing',
  ip: '127.0.0.2',
  resource: 'client',
  resource_id: '12',
  action: 'create',
  client_id: 12,
  before: null,
  after: {
    name: 'Acme Ltd',
    tags: ['gold', 'eu'],
    owner: { id: 10, email: 'o@acme.test' },
    note: long,
  },
};

/** Signed in as an admin holding `permissions`; GET /api/v1/audit answers `items`. */
function audit(items: unknown[], permissions = ['view_audit_log']): FetchHandler {
  const handler = signedIn((req) =>
    route(req) === 'GET /api/v1/audit'
      ? json({ items, total: items.length, page: 1, per_page: 50 })
      : undefined,
  );
  setSession({ token: 'test-jwt', admin: { id: 1, name: 'Ada Admin', permissions } });
  return handler;
}

function auditQueries(fetch: ReturnType<typeof mockFetch>): URLSearchParams[] {
  return requests(fetch)
    .filter((r) => route(r) === 'GET /api/v1/audit')
    .map((r) => new URL(r.url).searchParams);
}

/** Local midnight of a day as the page sends it: RFC 3339 in UTC, without milliseconds. */
function localMidnight(y: number, m: number, d: number): string {
  return new Date(y, m - 1, d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('audit log', () => {
  it('lists who changed what, with the changed fields', async () => {
    mockFetch(audit([serverUpdate, clientCreate]));
    renderRoutes(routes, '/audit');

    const table = await screen.findByRole('table', { name: 'Audit log' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    const [, update, create] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(update).toHaveTextContent(new Date(serverUpdate.time).toLocaleString());
    expect(update).toHaveTextContent('admin@example.com');
    expect(update).toHaveTextContent('Staff #1');
    expect(update).toHaveTextContent('127.0.0.1');
    expect(update).toHaveTextContent('updated server 3');
    const changes = within(update)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(changes).toEqual([
      'api_token: changed',
      'name: cp1 → cp-one',
      'verify_tls: true → false',
    ]);

    expect(create).toHaveTextContent('created client 12');
    expect(create).toHaveTextContent('API credential #4');
    expect(within(create).getByRole('link', { name: '#12' })).toHaveAttribute(
      'href',
      '/clients/12',
    );
    expect(create).toHaveTextContent('tags: gold, eu');
    expect(create).toHaveTextContent('owner: {"id":10,"email":"o@acme.test"}');
    // A long value is cut on screen, whole in the tooltip.
    const note = within(create).getByTitle(long);
    expect(note.textContent).toHaveLength(80);
    expect(note.textContent.endsWith('…')).toBe(true);
  });

  it('says when nothing is recorded yet', async () => {
    mockFetch(audit([]));
    renderRoutes(routes, '/audit');
    expect(await screen.findByText('No changes recorded yet')).toBeInTheDocument();
  });

  it('sends the filters to the API and keeps them in the URL', async () => {
    const fetch = mockFetch(audit([serverUpdate]));
    const { user, router } = renderRoutes(routes, '/audit?action=update');
    await screen.findByRole('table', { name: 'Audit log' });
    expect(auditQueries(fetch)[0]?.get('action')).toBe('update');

    await user.selectOptions(screen.getByLabelText('Resource'), 'server');
    await user.type(screen.getByLabelText('Resource ID'), '3');
    await user.selectOptions(screen.getByLabelText('Who'), 'admin');
    await waitFor(() => {
      const q = auditQueries(fetch).at(-1)!;
      expect([q.get('resource'), q.get('resource_id'), q.get('actor_kind')]).toEqual([
        'server',
        '3',
        'admin',
      ]);
    });
    const url = new URLSearchParams(router.state.location.search);
    expect(url.get('resource')).toBe('server');
    expect(url.get('resource_id')).toBe('3');
    expect(url.get('action')).toBe('update');
  });

  it('asks for whole local days from the date range', async () => {
    const fetch = mockFetch(audit([serverUpdate]));
    renderRoutes(routes, '/audit?from=2026-12-01&to=2026-12-03');
    await screen.findByRole('table', { name: 'Audit log' });
    expect(screen.getByLabelText('From')).toHaveValue('2026-12-01');
    const q = auditQueries(fetch)[0]!;
    expect(q.get('from')).toBe(localMidnight(2026, 12, 1));
    // The API's `to` is exclusive: the start of the day after.
    expect(q.get('to')).toBe(localMidnight(2026, 12, 4));
  });

  it('is in the navigation only for admins who may view it', async () => {
    mockFetch(audit([], ['manage_clients', 'view_audit_log']));
    renderRoutes(routes, '/audit');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Audit Log' })).toHaveAttribute('href', '/audit');
  });

  it('is hidden, and refused without asking the API, without view_audit_log', async () => {
    const fetch = mockFetch(audit([serverUpdate], ['manage_clients', 'view_sso_events']));
    renderRoutes(routes, '/audit');
    expect(
      await screen.findByText(/You need the View Audit Log permission \(view_audit_log\)/),
    ).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Audit Log' })).not.toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'SSO Activity' })).toBeInTheDocument();
    expect(auditQueries(fetch)).toHaveLength(0);
  });
});
