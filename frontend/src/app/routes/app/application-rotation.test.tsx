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

const cpanel = { module: 'cpanel', enabled: false, state: 'disabled', warnings: 0 };
const wp = { module: 'wpsquared', enabled: true, state: 'active', warnings: 0 };
const apps = [
  { module: 'cpanel', name: 'cPanel & WHM', enabled: false, status: cpanel },
  { module: 'wpsquared', name: 'WP Squared', enabled: true, status: wp },
];
const ROTATE = 'POST /api/v1/applications/wpsquared/rotate-link-secrets';

/** The Application Links page (cPanel & WHM off, WP Squared on) and whatever `more` handles. */
function api(more: FetchHandler = () => undefined): FetchHandler {
  return signedIn((req) => {
    if (route(req) === 'GET /api/v1/applications') return json(apps);
    if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(cpanel);
    if (route(req) === 'GET /api/v1/applications/wpsquared/status') return json(wp);
    if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
    return more(req);
  });
}

async function rows() {
  const table = await screen.findByRole('table', { name: 'Applications' });
  const [, cp, wpRow] = within(table).getAllByRole('row');
  return { cp: cp!, wp: wpRow! };
}

describe('rotate all link secrets of an application', () => {
  it('states how many accounts are affected, then shows the queued rotation', async () => {
    const fetch = mockFetch(
      api((req) => {
        if (route(req) === 'GET /api/v1/services') return json({ items: [], total: 42 });
        if (route(req) === ROTATE) {
          return json({ id: 12, module: 'wpsquared', kind: 'rotation', state: 'queued' }, 202);
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    const { cp, wp: row } = await rows();
    expect(within(cp).queryByRole('button', { name: /Rotate/ })).not.toBeInTheDocument();

    await user.click(
      within(row).getByRole('button', { name: 'Rotate all link secrets of WP Squared' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Rotate all link secrets of WP Squared?' });
    expect(await within(dialog).findByText('42 accounts')).toBeInTheDocument();
    expect(dialog).toHaveTextContent('42 accounts of WP Squared are affected.');
    expect(dialog).toHaveTextContent('keeps working until its panel has confirmed the new one');
    const count = requests(fetch).find((r) => route(r) === 'GET /api/v1/services')!;
    expect(new URL(count.url).searchParams.get('module')).toBe('wpsquared');
    expect(requests(fetch).some((r) => route(r) === ROTATE)).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Rotate all secrets' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      await within(row).findByText(/A rotation of every link secret is queued \(operation #12\)/),
    ).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'View its log' })).toHaveAttribute(
      'href',
      '/settings/application-links/wpsquared/log?op=12',
    );
    expect(requests(fetch).filter((r) => route(r) === ROTATE)).toHaveLength(1);
  });

  it('shows the API’s refusal in the dialog, and no number when accounts cannot be listed', async () => {
    mockFetch(
      api((req) => {
        if (route(req) === 'GET /api/v1/services') {
          return apiError(403, 'forbidden', 'You need the manage_clients permission for this.');
        }
        if (route(req) === ROTATE) {
          return apiError(409, 'conflict', 'Operation 11 of WP Squared is still running.');
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    const { wp: row } = await rows();
    await user.click(
      within(row).getByRole('button', { name: 'Rotate all link secrets of WP Squared' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Rotate all link secrets of WP Squared?' });
    expect(dialog).toHaveTextContent('Every hosting account of WP Squared is affected.');
    await user.click(within(dialog).getByRole('button', { name: 'Rotate all secrets' }));
    expect(
      await within(dialog).findByText('Operation 11 of WP Squared is still running.'),
    ).toBeInTheDocument();
    expect(dialog).not.toHaveTextContent('manage_clients');
  });
});
