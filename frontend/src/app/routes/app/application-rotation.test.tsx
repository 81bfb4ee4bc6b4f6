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

const active = { module: 'cpanel', enabled: true, state: 'active', warnings: 0 };
const disabled = { module: 'cpanel', enabled: false, state: 'disabled', warnings: 0 };
const ROTATE = 'POST /api/v1/applications/cpanel/rotate-link-secrets';
const LOG = '/settings/application-links/cpanel/log';

/** View Log of cPanel & WHM (no operation yet) with `status`, and whatever `more` handles. */
function api(status: typeof active, more: FetchHandler = () => undefined): FetchHandler {
  return signedIn((req) => {
    if (route(req) === 'GET /api/v1/applications/cpanel') {
      return json({ module: 'cpanel', name: 'cPanel & WHM', enabled: status.enabled, status });
    }
    if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(status);
    if (route(req) === 'GET /api/v1/applications/cpanel/log') {
      return json({ items: [], total: 0, page: 1, per_page: 100 });
    }
    if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
    return more(req);
  });
}

const button = () => screen.findByRole('button', { name: 'Rotate all link secrets' });

describe('rotate all link secrets of an application', () => {
  it('states how many accounts are affected, then shows the queued rotation', async () => {
    const fetch = mockFetch(
      api(active, (req) => {
        if (route(req) === 'GET /api/v1/services') return json({ items: [], total: 42 });
        if (route(req) === ROTATE) {
          return json({ id: 12, module: 'cpanel', kind: 'rotation', state: 'queued' }, 202);
        }
        if (route(req) === 'GET /api/v1/operations/12') {
          return json({ id: 12, module: 'cpanel', kind: 'rotation', state: 'queued', servers: [] });
        }
        return undefined;
      }),
    );
    const { user, router } = renderRoutes(routes, LOG);
    await user.click(await button());
    const dialog = screen.getByRole('dialog', { name: 'Rotate all link secrets of cPanel & WHM?' });
    expect(await within(dialog).findByText('42 accounts')).toBeInTheDocument();
    expect(dialog).toHaveTextContent('42 accounts of cPanel & WHM are affected.');
    expect(dialog).toHaveTextContent('keeps working until its panel has confirmed the new one');
    const count = requests(fetch).find((r) => route(r) === 'GET /api/v1/services')!;
    expect(new URL(count.url).searchParams.get('module')).toBe('cpanel');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests(fetch).some((r) => route(r) === ROTATE)).toBe(false);

    await user.click(await button());
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate all secrets' }),
    );
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      await screen.findByText(/A rotation of every link secret was queued \(operation #12\)/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Show its log' }));
    expect(router.state.location.search).toBe('?op=12');
    expect(requests(fetch).filter((r) => route(r) === ROTATE)).toHaveLength(1);
  });

  it('shows the API’s refusal in the dialog, and no number when accounts cannot be listed', async () => {
    mockFetch(
      api(active, (req) => {
        if (route(req) === 'GET /api/v1/services') {
          return apiError(403, 'forbidden', 'You need the manage_clients permission for this.');
        }
        if (route(req) === ROTATE) {
          return apiError(409, 'conflict', 'Operation 11 of cPanel & WHM is still running.');
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, LOG);
    await user.click(await button());
    const dialog = screen.getByRole('dialog', { name: 'Rotate all link secrets of cPanel & WHM?' });
    await user.click(within(dialog).getByRole('button', { name: 'Rotate all secrets' }));
    expect(
      await within(dialog).findByText('Operation 11 of cPanel & WHM is still running.'),
    ).toBeInTheDocument();
    expect(dialog).toHaveTextContent('Every hosting account of cPanel & WHM is affected.');
    expect(dialog).not.toHaveTextContent('manage_clients');
  });

  it('is not offered while the application is disabled', async () => {
    mockFetch(api(disabled));
    renderRoutes(routes, LOG);
    await screen.findByRole('link', { name: 'Configure' });
    await screen.findByText('Disabled');
    expect(screen.queryByRole('button', { name: 'Rotate all link secrets' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Repair all accounts' })).toBeNull();
  });
});
