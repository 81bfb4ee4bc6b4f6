import { screen, within } from '@testing-library/react';
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
  services: 2,
  sso_sources: [] as string[],
};

const counts = {
  accounts: 4,
  new_clients: 1,
  new_services: 1,
  updated: 0,
  unchanged: 1,
  conflicts: 1,
};

const preview = {
  ...counts,
  dry_run: true,
  rows: [
    {
      kind: 'new_client',
      username: 'alice',
      domain: 'alice.example',
      email: 'alice@alice.example',
      suspended: false,
      client_id: 0,
      service_id: 0,
    },
    {
      kind: 'new_service',
      username: 'bob',
      domain: 'bob.example',
      email: 'jane@acme.test',
      suspended: true,
      client_id: 3,
      service_id: 0,
    },
    {
      kind: 'unchanged',
      username: 'same',
      domain: 'same.example',
      email: 'x@same.example',
      suspended: false,
      client_id: 3,
      service_id: 9,
    },
    {
      kind: 'conflict',
      username: 'dev',
      domain: 'dev.example',
      email: 'dev@acme.test',
      suspended: false,
      client_id: 0,
      service_id: 0,
      reason: 'The contact e-mail belongs to a user who owns no client.',
    },
  ],
};

/** The import job of cp1 at some point of its run. */
function job(over: Record<string, unknown>) {
  return {
    id: 7,
    server_id: 1,
    module: 'cpanel',
    state: 'running',
    total: 4,
    done: 0,
    new_clients: 0,
    new_services: 0,
    updated: 0,
    unchanged: 0,
    conflicts: 0,
    conflict_rows: [],
    started_by: 'admin@example.com',
    created_at: '2026-12-06T10:00:00Z',
    started_at: '2026-12-06T10:00:01Z',
    finished_at: null,
    ...over,
  };
}

const finished = job({
  ...counts,
  state: 'done',
  done: 4,
  finished_at: '2026-12-06T10:00:03Z',
  conflict_rows: [preview.rows[3]],
});

function server(handler: (req: Request) => Response | undefined | Promise<Response | undefined>) {
  return signedIn(async (req) => {
    const res = await handler(req);
    if (res) return res;
    if (route(req) === 'GET /api/v1/servers/1') return json(cp1);
    if (route(req) === 'GET /api/v1/servers/1/import') {
      return apiError(404, 'not_found', 'Server 1 has no import yet.');
    }
    if (route(req) === 'GET /api/v1/servers/1/sso-sources') {
      return json({ sso_sources: [], since: '2026-10-29T10:00:00Z', items: [] });
    }
    return undefined;
  });
}

describe('server import', () => {
  it('previews with a dry run, then imports in the background with a progress bar', async () => {
    let started = false;
    let polls = 0;
    const fetch = mockFetch(
      server(async (req) => {
        if (route(req) === 'GET /api/v1/servers/1/import' && started) {
          polls++;
          return json(polls === 1 ? job({ done: 2, new_clients: 1, new_services: 1 }) : finished);
        }
        if (route(req) !== 'POST /api/v1/servers/1/import') return undefined;
        const body = (await req.clone().json()) as { dry_run: boolean };
        if (body.dry_run) return json(preview);
        started = true;
        return json(job({ state: 'queued', started_at: null }), 202);
      }),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    const section = (await screen.findByRole('heading', { name: 'Import accounts' })).closest(
      'section',
    )!;
    await user.click(within(section).getByRole('button', { name: 'Preview import' }));

    const table = await within(section).findByRole('table', { name: 'Accounts to import' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4); // header, alice, bob, dev: unchanged rows are left out
    expect(rows[1]).toHaveTextContent('New client');
    expect(rows[3]).toHaveTextContent(
      'Conflict: The contact e-mail belongs to a user who owns no client.',
    );
    expect(section).toHaveTextContent(/Conflicts\s*1/);
    const posts = requests(fetch).filter((r) => route(r) === 'POST /api/v1/servers/1/import');
    expect(await posts[0]!.json()).toEqual({ dry_run: true, match: 'email' });

    await user.click(within(section).getByRole('button', { name: 'Import' }));
    const bar = await within(section).findByRole('progressbar', { name: 'Import progress' });
    expect(bar).toHaveAttribute('aria-valuemax', '4');
    expect(await within(section).findByText('Importing: 2 of 4 accounts')).toBeInTheDocument();
    expect(bar).toHaveAttribute('aria-valuenow', '2');
    expect(within(section).queryByRole('table', { name: 'Accounts to import' })).toBeNull();
    expect(within(section).getByRole('button', { name: 'Preview import' })).toBeDisabled();

    expect(await within(section).findByText('Imported', {}, { timeout: 4000 })).toBeInTheDocument();
    expect(within(section).queryByRole('progressbar')).toBeNull();
    const conflicts = within(section).getByRole('table', { name: 'Accounts not imported' });
    expect(conflicts).toHaveTextContent('dev');
    const after = requests(fetch).filter((r) => route(r) === 'POST /api/v1/servers/1/import');
    expect(await after[1]!.json()).toEqual({ dry_run: false, match: 'email' });
  });

  it('shows the running import after a reload, and why a job failed', async () => {
    let polls = 0;
    mockFetch(
      server((req) => {
        if (route(req) !== 'GET /api/v1/servers/1/import') return undefined;
        polls++;
        return json(
          polls === 1
            ? job({ total: 1200, done: 500, new_clients: 500 })
            : job({
                state: 'failed',
                total: 1200,
                done: 500,
                new_clients: 500,
                error: 'The import stopped after 500 of 1200 accounts: Server 1 (cp1) is inactive.',
                finished_at: '2026-12-06T10:01:00Z',
              }),
        );
      }),
    );
    renderRoutes(routes, '/servers/1');
    const bar = await screen.findByRole('progressbar', { name: 'Import progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '500');
    expect(bar).toHaveAttribute('aria-valuemax', '1200');
    expect(screen.getByText('Importing: 500 of 1200 accounts')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'The import stopped after 500 of 1200 accounts: Server 1 (cp1) is inactive.',
        {},
        { timeout: 4000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Import failed')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Preview import' })).toBeEnabled();
  });

  it('says why a server could not be read and offers nothing to import', async () => {
    mockFetch(
      server((req) =>
        route(req) === 'POST /api/v1/servers/1/import'
          ? apiError(
              503,
              'unavailable',
              'Server cp1 did not list its accounts: nothing was imported.',
            )
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Preview import' }));
    expect(
      await screen.findByText('Server cp1 did not list its accounts: nothing was imported.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Import' })).not.toBeInTheDocument();
  });

  it('tells when the server lists no accounts', async () => {
    const empty = {
      dry_run: true,
      accounts: 0,
      new_clients: 0,
      new_services: 0,
      updated: 0,
      unchanged: 0,
      conflicts: 0,
      rows: [],
      message: 'The server lists no accounts: there is nothing to import.',
    };
    mockFetch(
      server((req) => (route(req) === 'POST /api/v1/servers/1/import' ? json(empty) : undefined)),
    );
    const { user } = renderRoutes(routes, '/servers/1');
    await user.click(await screen.findByRole('button', { name: 'Preview import' }));
    expect(await screen.findByText(empty.message)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Import' })).not.toBeInTheDocument();
  });
});
