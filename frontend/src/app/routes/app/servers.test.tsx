import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import {
  apiError,
  failsOnce,
  type FetchHandler,
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
  sso_sources: [] as string[],
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

const noClicks = { sso_sources: [], since: '2026-10-29T10:00:00Z', items: [] };

/** Signed in, with a server page's recent click sources answered (none) unless `handler` does. */
function staffIn(handler: FetchHandler): FetchHandler {
  return signedIn(async (req) => {
    const res = await handler(req);
    if (res || !/^GET \/api\/v1\/servers\/\d+\/sso-sources$/.test(route(req))) return res;
    return json(noClicks);
  });
}

function list(items: unknown[]) {
  return json({ items, total: items.length, page: 1, per_page: 25 });
}

describe('servers', () => {
  it('lists servers with their support state', async () => {
    mockFetch(
      staffIn((req) => (route(req) === 'GET /api/v1/servers' ? list([cp1, old]) : undefined)),
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
    mockFetch(staffIn((req) => (route(req) === 'GET /api/v1/servers' ? list([]) : undefined)));
    renderRoutes(routes, '/servers');
    expect(await screen.findByText('No servers yet')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'Add server' }).length).toBeGreaterThan(0);
  });

  it('sends the search text to the API', async () => {
    const fetch = mockFetch(
      staffIn((req) => (route(req) === 'GET /api/v1/servers' ? list([cp1]) : undefined)),
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
    const add = failsOnce(
      'POST /api/v1/servers',
      apiError(400, 'invalid', 'The hostname must not contain a scheme.', 'hostname'),
      () => json({ ...cp1, id: 7 }, 201),
    );
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/7') return json({ ...cp1, id: 7 });
        return add(req);
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
      sso_sources: [],
    });
  });

  it('never pre-fills the token and keeps it when left empty', async () => {
    const fetch = mockFetch(
      staffIn((req) => {
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

  it('saves a plain-HTTP server stored with the certificate check on without the token', async () => {
    const plain = { ...cp1, port: 2086, secure: false, verify_tls: true };
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(plain);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...plain, name: 'cp1-http' });
        if (route(req) === 'GET /api/v1/servers') return list([plain]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    const name = await screen.findByLabelText(/^Name/);
    expect(screen.getByLabelText(/^API token/)).toHaveAccessibleDescription(
      /Leave empty to keep it/,
    );
    await user.clear(name);
    await user.type(name, 'cp1-http');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    const body = (await patch.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('api_token');
    expect(body).toMatchObject({ name: 'cp1-http', secure: false, verify_tls: true });
  });

  it('asks for the token again when the address changes, and sends it with the change', async () => {
    const fetch = mockFetch(
      staffIn((req) => {
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
      staffIn((req) => {
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
      staffIn((req) => {
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
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...cp1, active: false });
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Deactivate' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate cp1?' });
    expect(requests(fetch).some((r) => route(r) === 'PATCH /api/v1/servers/1')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate server' }));
    expect(await screen.findByRole('button', { name: 'Activate' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).toEqual({ active: false });
  });

  it('edits the SSO source addresses, one per line, and shows an entry the API refused', async () => {
    const listed = { ...cp1, sso_sources: ['203.0.113.7'] };
    let patches = 0;
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(listed);
        if (route(req) === 'PATCH /api/v1/servers/1') {
          patches++;
          return patches === 1
            ? apiError(
                400,
                'invalid',
                '"10.0.0.0/33" is not an IP address or CIDR range.',
                'sso_sources[1]',
              )
            : json({ ...listed, sso_sources: ['203.0.113.7', '10.0.0.0/8'] });
        }
        if (route(req) === 'GET /api/v1/servers') return list([listed]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');

    const field = await screen.findByLabelText('SSO source addresses');
    expect(field).toHaveValue('203.0.113.7');
    expect(field).toHaveAccessibleDescription(/one IPv4 or IPv6 address or CIDR range per line/);
    await user.type(field, '{Enter}10.0.0.0/33{Enter}');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText(/"10.0.0.0\/33" is not an IP address/)).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');

    await user.clear(field);
    await user.type(field, '203.0.113.7{Enter}10.0.0.0/8');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const sent = requests(fetch).filter((r) => route(r) === 'PATCH /api/v1/servers/1');
    expect(await sent[0]!.json()).toMatchObject({ sso_sources: ['203.0.113.7', '10.0.0.0/33'] });
    const body = (await sent[1]!.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ sso_sources: ['203.0.113.7', '10.0.0.0/8'] });
    expect(body).not.toHaveProperty('api_token');
  });

  it('leaves the SSO source addresses out of a save that does not change them', async () => {
    const listed = { ...cp1, sso_sources: ['203.0.113.7'] };
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(listed);
        if (route(req) === 'PATCH /api/v1/servers/1') return json({ ...listed, name: 'cp1b' });
        if (route(req) === 'GET /api/v1/servers') return list([listed]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    const name = await screen.findByLabelText(/^Name/);
    await user.type(name, 'b');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).not.toHaveProperty('sso_sources');
  });

  it('lists recent click sources and allows a refused address', async () => {
    let server = { ...cp1, sso_sources: ['203.0.113.0/24'] };
    const seen = (allowed: boolean) => ({
      sso_sources: server.sso_sources,
      since: '2026-10-29T10:00:00Z',
      items: [
        { ip: '198.51.100.9', clicks: 3, refused: 2, last_at: '2026-11-28T09:00:00Z', allowed },
        {
          ip: '203.0.113.7',
          clicks: 5,
          refused: 0,
          last_at: '2026-11-27T09:00:00Z',
          allowed: true,
        },
      ],
    });
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(server);
        if (route(req) === 'GET /api/v1/servers/1/sso-sources') {
          return json(seen(server.sso_sources.includes('198.51.100.9')));
        }
        if (route(req) === 'PATCH /api/v1/servers/1') {
          server = { ...server, sso_sources: ['203.0.113.0/24', '198.51.100.9'] };
          return json(server);
        }
        if (route(req) === 'GET /api/v1/servers') return list([server]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');

    const table = await screen.findByRole('table', { name: 'Recent click sources' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('198.51.100.9');
    expect(rows[1]).toHaveTextContent('Refused');
    expect(rows[2]).toHaveTextContent('On the list');
    expect(within(rows[2]!).queryByRole('button')).not.toBeInTheDocument();

    await user.click(within(rows[1]!).getByRole('button', { name: 'Allow 198.51.100.9' }));
    await waitFor(() => {
      expect(screen.queryByRole('button', { name: 'Allow 198.51.100.9' })).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).toEqual({ sso_sources: ['203.0.113.0/24', '198.51.100.9'] });
    // The form follows the stored list, since it was not being edited.
    expect(screen.getByLabelText('SSO source addresses')).toHaveValue(
      '203.0.113.0/24\n198.51.100.9',
    );
  });

  it('asks before the first allowed address starts the list', async () => {
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'GET /api/v1/servers/1/sso-sources') {
          return json({
            ...noClicks,
            items: [
              {
                ip: '2001:db8::7',
                clicks: 1,
                refused: 0,
                last_at: '2026-11-28T09:00:00Z',
                allowed: true,
              },
            ],
          });
        }
        if (route(req) === 'PATCH /api/v1/servers/1')
          return json({ ...cp1, sso_sources: ['2001:db8::7'] });
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    const table = await screen.findByRole('table', { name: 'Recent click sources' });
    expect(table).toHaveTextContent('Any address');
    await user.click(within(table).getByRole('button', { name: 'Allow 2001:db8::7' }));

    const dialog = screen.getByRole('dialog', { name: 'Accept clicks only from 2001:db8::7?' });
    expect(requests(fetch).some((r) => route(r) === 'PATCH /api/v1/servers/1')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Start the list' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/servers/1')!;
    expect(await patch.json()).toEqual({ sso_sources: ['2001:db8::7'] });
  });

  it('syncs every account of an active server now', async () => {
    const fetch = mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
        if (route(req) === 'POST /api/v1/servers/1/sync')
          return json({ id: 9, kind: 'repair', state: 'queued' }, 202);
        if (route(req) === 'GET /api/v1/servers') return list([cp1]);
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Sync cp1 now' }));
    expect(await screen.findByText('A sync of cp1 was queued.')).toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'POST /api/v1/servers/1/sync')).toBe(true);
  });

  it('offers no sync on a deactivated server', async () => {
    mockFetch(
      staffIn((req) => {
        if (route(req) === 'GET /api/v1/servers/1') return json({ ...cp1, active: false });
        return undefined;
      }),
    );
    renderRoutes(routes, '/servers/1');
    expect(await screen.findByRole('button', { name: 'Activate' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Sync/ })).not.toBeInTheDocument();
  });
});
