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

const cp1 = {
  id: 1,
  module: 'cpanel',
  name: 'cp1',
  hostname: 'cp1.example.com',
  port: 2087,
  secure: true,
  verify_tls: true,
  username: 'root',
  has_api_token: true,
  active: true,
  version: '11.120.0.16',
  profile: 'cpanel',
  supports_links: true,
  checked_at: '2026-11-28T10:00:00Z',
  services: 42,
};

const old = {
  ...cp1,
  id: 2,
  name: 'old',
  hostname: 'old.example.com',
  version: '11.50.0.1',
  supports_links: false,
  support_reason: 'requires cPanel & WHM 11.54 or later',
  services: 0,
};

function list(items: unknown[]) {
  return json({ items, total: items.length, page: 1, per_page: 25 });
}

describe('servers', () => {
  it('lists servers with their support state', async () => {
    mockFetch(
      signedIn((req) => (route(req) === 'GET /api/v1/servers' ? list([cp1, old]) : undefined)),
    );
    renderRoutes(routes, '/servers');

    const table = await screen.findByRole('table', { name: 'Servers' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('cp1');
    expect(rows[1]).toHaveTextContent('cp1.example.com:2087');
    expect(rows[1]).toHaveTextContent('Supported');
    expect(rows[1]).toHaveTextContent('42');
    expect(rows[2]).toHaveTextContent('Not supported');
    expect(within(rows[2]!).getByText(/requires cPanel & WHM 11.54/)).toBeInTheDocument();
  });

  it('offers to add the first server when there are none', async () => {
    mockFetch(signedIn((req) => (route(req) === 'GET /api/v1/servers' ? list([]) : undefined)));
    renderRoutes(routes, '/servers');
    expect(await screen.findByText('No servers yet')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'Add server' }).length).toBeGreaterThan(0);
  });

  it('sends the search text to the API', async () => {
    const fetch = mockFetch(
      signedIn((req) => (route(req) === 'GET /api/v1/servers' ? list([cp1]) : undefined)),
    );
    const { user } = renderRoutes(routes, '/servers');
    await screen.findByRole('table', { name: 'Servers' });
    await user.type(screen.getByLabelText('Search servers'), 'cp1');
    await waitFor(() => {
      expect(requests(fetch).some((r) => new URL(r.url).searchParams.get('q') === 'cp1')).toBe(
        true,
      );
    });
  });

  it('adds a server, sending the token once, and shows field errors from the API', async () => {
    let attempts = 0;
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'POST /api/v1/servers') {
          attempts++;
          return attempts === 1
            ? apiError(400, 'invalid', 'The hostname must not contain a scheme.', 'hostname')
            : json({ ...cp1, id: 7 }, 201);
        }
        if (route(req) === 'GET /api/v1/servers/7') return json({ ...cp1, id: 7 });
        return undefined;
      }),
    );
    const { user, router } = renderRoutes(routes, '/servers/new');

    await user.click(await screen.findByRole('button', { name: 'Add server' }));
    expect(screen.getByLabelText(/^Name/)).toHaveFocus();
    expect(screen.getByLabelText(/^API token/)).toHaveAccessibleDescription(
      /Enter the WHM API token/,
    );

    await user.type(screen.getByLabelText(/^Name/), 'cp1');
    await user.type(screen.getByLabelText(/^Hostname/), 'cp1.example.com');
    await user.type(screen.getByLabelText(/^API token/), 'SECRET');
    await user.click(screen.getByRole('button', { name: 'Add server' }));

    expect(await screen.findByText('The hostname must not contain a scheme.')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Hostname/)).toHaveAttribute('aria-invalid', 'true');

    await user.click(screen.getByRole('button', { name: 'Add server' }));
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/servers/7');
    });
    const post = requests(fetch).filter((r) => route(r) === 'POST /api/v1/servers')[1]!;
    expect(await post.json()).toEqual({
      module: 'cpanel',
      name: 'cp1',
      hostname: 'cp1.example.com',
      port: 2087,
      secure: true,
      verify_tls: true,
      username: 'root',
      api_token: 'SECRET',
      active: true,
    });
  });

  it('never pre-fills the token and keeps it when left empty', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...cp1, name: 'cp1-renamed' });
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');

    const token = await screen.findByLabelText(/^API token/);
    expect(token).toHaveValue('');
    expect(token).toHaveAccessibleDescription(/Leave empty to keep it/);

    const name = screen.getByLabelText(/^Name/);
    await user.clear(name);
    await user.type(name, 'cp1-renamed');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    const body = (await patch.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('api_token');
    expect(body).toMatchObject({ name: 'cp1-renamed', hostname: 'cp1.example.com', port: 2087 });
  });

  it('asks for the token again when the address changes, and sends it with the change', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...cp1, port: 2083 });
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');

    const port = await screen.findByLabelText(/^Port/);
    await user.clear(port);
    await user.type(port, '2083');
    const token = screen.getByLabelText(/^API token/);
    expect(token).toBeRequired();
    expect(token).toHaveAccessibleDescription(/enter the API token again/);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(
      await screen.findByText('You changed port: enter the API token again to send it there.'),
    ).toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'PATCH /api/v1/servers/1')).toBe(false);

    await user.type(token, 'NEWTOKEN');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).toMatchObject({ port: 2083, api_token: 'NEWTOKEN' });
  });

  it('tests the connection and shows version, profile and link support', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/servers/2') return json(old);
        if (route(req) === 'POST /api/v1/servers/2/test') {
          return json({
            ok: true,
            duration_ms: 85,
            server: old,
            support: {
              supported: false,
              reason: 'requires cPanel & WHM 11.54 or later',
              version: '11.50.0.1',
              profile: 'cpanel',
            },
          });
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/2');
    await user.click(await screen.findByRole('button', { name: 'Test connection' }));

    const result = await screen.findByText('Connected');
    const box = result.closest<HTMLElement>('.alert')!;
    expect(box).toHaveTextContent('11.50.0.1');
    expect(box).toHaveTextContent('cpanel');
    expect(box).toHaveTextContent('Not supported: requires cPanel & WHM 11.54 or later');
    expect(box).toHaveTextContent('85 ms');
  });

  it('explains why a server cannot be deleted', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'DELETE /api/v1/servers/1') {
          return apiError(409, 'conflict', 'The server still has 42 hosting accounts.');
        }
        return undefined;
      }),
    );
    const { user, router } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete cp1?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete server' }));
    expect(
      await within(dialog).findByText('The server still has 42 hosting accounts.'),
    ).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/servers/1');
  });

  it('deactivates a server', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...cp1, active: false });
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByRole('button', { name: 'Activate' })).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).toEqual({ active: false });
  });
});
