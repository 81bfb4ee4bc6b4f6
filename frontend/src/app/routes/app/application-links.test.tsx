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
import { setSession } from '@/lib/session';

const disabled = { module: 'cpanel', enabled: false, state: 'disabled', warnings: 0 };
const apps = [
  { module: 'cpanel', name: 'cPanel & WHM', enabled: false, status: disabled },
  {
    module: 'wpsquared',
    name: 'WP Squared',
    enabled: true,
    status: {
      module: 'wpsquared',
      enabled: true,
      state: 'active',
      warnings: 5,
      accounts_failed: 2,
    },
  },
];

const clientArea = { target: 'client_area', url_template: '', handoff: false };
const links = [
  {
    key: 'upgrade',
    group: 'ordering',
    default_label: 'Upgrade/Downgrade',
    label: 'Upgrade/Downgrade',
    enabled: true,
    order: 1,
    ...clientArea,
  },
  {
    key: 'register_domain',
    group: 'ordering',
    default_label: 'Register New Domain',
    label: 'Register New Domain',
    enabled: true,
    order: 2,
    ...clientArea,
  },
  {
    key: 'open_ticket',
    group: 'support',
    default_label: 'Open Ticket',
    label: 'Open Ticket',
    enabled: true,
    order: 3,
    ...clientArea,
  },
  {
    key: 'ticket_history',
    group: 'support',
    default_label: 'View Ticket History',
    label: 'View Ticket History',
    enabled: false,
    order: 4,
    ...clientArea,
  },
  {
    key: 'profile',
    group: 'account',
    default_label: 'Manage Profile',
    label: 'Manage Profile',
    enabled: true,
    order: 5,
    ...clientArea,
  },
];

describe('Application Links page', () => {
  it('shows each application with its switch and status', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json(apps);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(disabled);
        if (route(req) === 'GET /api/v1/applications/wpsquared/status')
          return json(apps[1]!.status);
        return undefined;
      }),
    );
    renderRoutes(routes, '/settings/application-links');
    const table = await screen.findByRole('table', { name: 'Applications' });
    const [, cp, wp] = within(table).getAllByRole('row');
    expect(
      within(cp!).getByRole('switch', { name: 'Enable application links for cPanel & WHM' }),
    ).not.toBeChecked();
    expect(cp).toHaveTextContent('Disabled');
    expect(within(wp!).getByRole('switch')).toBeChecked();
    expect(wp).toHaveTextContent('Active with warnings');
    expect(wp).toHaveTextContent('(2 accounts failed)');
    expect(within(cp!).getByRole('link', { name: 'Configure cPanel & WHM' })).toHaveAttribute(
      'href',
      '/settings/application-links/cpanel/configure',
    );
    expect(within(cp!).getByRole('link', { name: 'View Log of cPanel & WHM' })).toHaveAttribute(
      'href',
      '/settings/application-links/cpanel/log',
    );
  });

  it('shows the 409 message and a link to add a server when no server is active', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json([apps[0]]);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(disabled);
        if (route(req) === 'POST /api/v1/applications/cpanel/enable') {
          return apiError(
            409,
            'conflict',
            'cPanel & WHM has no active server. Add a server first.',
          );
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    await user.click(await screen.findByRole('switch', { name: /cPanel/ }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('cPanel & WHM has no active server. Add a server first.');
    expect(within(alert).getByRole('link', { name: 'Add a server' })).toHaveAttribute(
      'href',
      '/servers/new',
    );
    expect(screen.getByRole('switch', { name: /cPanel/ })).not.toBeChecked();
  });

  it('enables, follows provisioning progress with conditional polls, and stops when active', async () => {
    let enabled = false;
    let polls = 0;
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json([apps[0]]);
        if (route(req) === 'POST /api/v1/applications/cpanel/enable') {
          enabled = true;
          return json({ id: 7, kind: 'activation', state: 'queued' }, 202);
        }
        if (route(req) === 'GET /api/v1/applications/cpanel/status') {
          if (!enabled) return json(disabled, 200, { ETag: '"s0"' });
          polls++;
          if (polls === 1) {
            return json(
              {
                module: 'cpanel',
                enabled: true,
                state: 'provisioning',
                accounts_done: 2,
                accounts_total: 5,
                operation: { id: 7, state: 'running' },
              },
              200,
              { ETag: '"s1"' },
            );
          }
          if (polls === 2 && req.headers.get('If-None-Match') === '"s1"') {
            return new Response(null, { status: 304, headers: { ETag: '"s1"' } });
          }
          return json(
            {
              module: 'cpanel',
              enabled: true,
              state: 'active',
              warnings: 0,
              accounts_done: 5,
              accounts_total: 5,
              operation: { id: 7, state: 'completed' },
            },
            200,
            { ETag: '"s2"' },
          );
        }
        if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    await user.click(await screen.findByRole('switch', { name: /cPanel/ }));

    expect(await screen.findByText('Provisioning')).toBeInTheDocument();
    expect(screen.getByText('2/5')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Provisioning progress' })).toHaveAttribute(
      'aria-valuenow',
      '2',
    );

    expect(await screen.findByText('Active', {}, { timeout: 6000 })).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: /cPanel/ })).toBeChecked();

    const statusCalls = () =>
      requests(fetch).filter((r) => route(r) === 'GET /api/v1/applications/cpanel/status');
    // The second poll was conditional and answered 304.
    expect(statusCalls().some((r) => r.headers.get('If-None-Match') === '"s1"')).toBe(true);
    // Idle: no more polling.
    const settled = statusCalls().length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(statusCalls().length).toBe(settled);
  }, 15000);

  it('asks before disabling, then queues the deactivation', async () => {
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json([apps[1]]);
        if (route(req) === 'GET /api/v1/applications/wpsquared/status')
          return json(apps[1]!.status);
        if (route(req) === 'POST /api/v1/applications/wpsquared/disable')
          return json({ id: 9, kind: 'deactivation' }, 202);
        if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    await user.click(await screen.findByRole('switch', { name: /WP Squared/ }));
    const dialog = screen.getByRole('dialog', {
      name: 'Disable application links for WP Squared?',
    });
    expect(requests(fetch).some((r) => route(r).includes('/disable'))).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(
      requests(fetch).some((r) => route(r) === 'POST /api/v1/applications/wpsquared/disable'),
    ).toBe(true);
  });
});

describe('Configure links', () => {
  function configureApi(onPut?: (body: unknown) => Response) {
    return mockFetch(
      signedIn(async (req) => {
        if (route(req) === 'GET /api/v1/applications/cpanel') return json(apps[0]);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(disabled);
        if (route(req) === 'GET /api/v1/applications/cpanel/links') return json(links);
        if (route(req) === 'PUT /api/v1/applications/cpanel/links' && onPut)
          return onPut(await req.json());
        if (route(req) === 'GET /api/v1/applications') return json(apps);
        if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
  }

  it('groups the links and saves toggles, labels and order', async () => {
    let saved: unknown;
    configureApi((body) => {
      saved = body;
      return json({
        links: (body as typeof links).map((l) => ({ ...links.find((x) => x.key === l.key), ...l })),
      });
    });
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/configure');

    const ordering = await screen.findByRole('region', { name: 'Ordering' });
    expect(within(ordering).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByRole('region', { name: 'Support' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Account' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save Changes' })).toBeDisabled();

    await user.click(screen.getByRole('switch', { name: 'Show View Ticket History' }));
    const label = screen.getByRole('textbox', { name: 'Label for Open Ticket' });
    await user.clear(label);
    await user.type(label, 'Get Help');
    await user.click(within(ordering).getByRole('button', { name: 'Move Register New Domain up' }));

    expect(screen.getByText('You have unsaved changes.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save Changes' }));

    expect(
      await screen.findByText(
        /Saved\. The links are pushed to accounts when application links are enabled\./,
      ),
    ).toBeInTheDocument();
    expect(saved).toEqual([
      { key: 'register_domain', label: 'Register New Domain', enabled: true, order: 1 },
      { key: 'upgrade', label: 'Upgrade/Downgrade', enabled: true, order: 2 },
      { key: 'open_ticket', label: 'Get Help', enabled: true, order: 3 },
      { key: 'ticket_history', label: 'View Ticket History', enabled: true, order: 4 },
      { key: 'profile', label: 'Manage Profile', enabled: true, order: 5 },
    ]);
    expect(screen.getByText('All changes saved.')).toBeInTheDocument();
  });

  it('refuses labels with a single quote or over 64 characters', async () => {
    const fetch = configureApi();
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/configure');
    const label = await screen.findByRole('textbox', { name: 'Label for Manage Profile' });
    await user.clear(label);
    await user.type(label, "Jane's profile");
    expect(label).toHaveAccessibleDescription(/cannot contain a single quote/);
    expect(label).toHaveAttribute('aria-invalid', 'true');

    await user.click(screen.getByRole('button', { name: 'Save Changes' }));
    expect(screen.getByText(/One label needs attention/)).toBeInTheDocument();
    expect(label).toHaveFocus();
    expect(requests(fetch).some((r) => r.method === 'PUT')).toBe(false);

    await user.clear(label);
    await user.type(label, 'x'.repeat(65));
    expect(label).toHaveAccessibleDescription(/at most 64 characters/);
  });

  it('points a link at an external URL with a preview and a signed hand-off', async () => {
    let saved: unknown;
    const fetch = configureApi((body) => {
      saved = body;
      return json({
        links: (body as typeof links).map((l) => ({ ...links.find((x) => x.key === l.key), ...l })),
      });
    });
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/configure');
    const kind = await screen.findByRole('combobox', { name: 'Destination of Open Ticket' });
    expect(kind).toHaveValue('client_area');
    await user.selectOptions(kind, 'external');
    const tmpl = screen.getByRole('textbox', { name: 'URL template for Open Ticket' });

    // Refused as the server would: a javascript: URL, an unknown placeholder.
    await user.click(tmpl);
    await user.paste('javascript:alert(1)');
    expect(tmpl).toHaveAccessibleDescription(/Use an https/);
    await user.click(screen.getByRole('button', { name: 'Save Changes' }));
    expect(screen.getByText(/One destination URL needs attention/)).toBeInTheDocument();
    expect(requests(fetch).some((r) => r.method === 'PUT')).toBe(false);
    await user.clear(tmpl);
    await user.paste('https://help.example.com/new?u={user}');
    expect(tmpl).toHaveAccessibleDescription(/Unknown placeholder \{user\}/);

    // A good template: the preview renders it for the sample account, values escaped.
    await user.clear(tmpl);
    await user.paste('https://help.example.com/new?u={username}&s={service_id}&d={destination}');
    expect(tmpl).not.toHaveAttribute('aria-invalid');
    expect(screen.getByTestId('preview-open_ticket')).toHaveTextContent(
      'https://help.example.com/new?u=acme&s=42&d=open_ticket',
    );
    await user.click(screen.getByRole('checkbox', { name: 'Signed hand-off for Open Ticket' }));
    expect(screen.getByTestId('preview-open_ticket')).toHaveTextContent(/applinks_assertion=/);

    await user.click(screen.getByRole('button', { name: 'Save Changes' }));
    await screen.findByText(/Saved\./);
    expect((saved as Record<string, unknown>[]).find((l) => l.key === 'open_ticket')).toEqual({
      key: 'open_ticket',
      label: 'Open Ticket',
      enabled: true,
      order: 3,
      target: 'external',
      url_template: 'https://help.example.com/new?u={username}&s={service_id}&d={destination}',
      handoff: true,
    });
    expect(
      (saved as Record<string, unknown>[]).find((l) => l.key === 'upgrade'),
    ).not.toHaveProperty('target');
  });

  it('reorders with the keyboard (drag handle: Space, arrow, Space)', async () => {
    configureApi();
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/configure');
    const support = await screen.findByRole('region', { name: 'Support' });
    const first = () => within(support).getAllByRole('textbox')[0];
    expect(first()).toHaveValue('Open Ticket');
    // The Move buttons are the keyboard path that does not depend on layout.
    await user.click(within(support).getByRole('button', { name: 'Move Open Ticket down' }));
    expect(first()).toHaveValue('View Ticket History');
    expect(
      within(support).getByRole('button', { name: 'Move View Ticket History up' }),
    ).toBeDisabled();
  });

  it('asks before leaving with unsaved changes', async () => {
    configureApi();
    const { user, router } = renderRoutes(routes, '/settings/application-links/cpanel/configure');
    await user.click(await screen.findByRole('switch', { name: 'Show Manage Profile' }));
    await user.click(screen.getByRole('link', { name: 'Servers' }));

    const dialog = await screen.findByRole('dialog', { name: 'Discard unsaved changes?' });
    expect(router.state.location.pathname).toBe('/settings/application-links/cpanel/configure');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(router.state.location.pathname).toBe('/settings/application-links/cpanel/configure');
    expect(screen.getByRole('switch', { name: 'Show Manage Profile' })).not.toBeChecked();
  });
});

describe('View Log', () => {
  const op = {
    id: 7,
    module: 'cpanel',
    kind: 'activation',
    state: 'completed',
    started_by: 'admin@example.com',
    servers: [
      {
        id: 1,
        server_id: 1,
        server_name: 'cp1',
        action: 'push',
        state: 'done',
        accounts_done: 3,
        accounts_total: 3,
        accounts_failed: 1,
        attempts: 1,
      },
      {
        id: 2,
        server_id: 2,
        server_name: 'old',
        action: 'push',
        state: 'unsupported',
        accounts_total: 0,
      },
    ],
  };
  const entries = [
    {
      id: 1,
      level: 'debug',
      server_id: 0,
      message: 'Activation started.',
      time: '2026-11-28T10:00:00Z',
    },
    {
      id: 2,
      level: 'info',
      server_id: 2,
      message:
        'Server old does not support application links: requires cPanel & WHM 11.54 or later.',
      time: '2026-11-28T10:00:01Z',
    },
    {
      id: 3,
      level: 'warning',
      server_id: 1,
      message: 'Account bob: the panel refused the batch.',
      time: '2026-11-28T10:00:02Z',
    },
  ];

  /** The log page's API: the application, `status`, operation 7 and its history, then `more`. */
  function logPage(status: object, more: FetchHandler): FetchHandler {
    return signedIn((req) => {
      if (route(req) === 'GET /api/v1/applications/cpanel') return json(apps[0]);
      if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(status);
      if (route(req) === 'GET /api/v1/operations/7') return json(op);
      if (route(req) === 'GET /api/v1/operations') return json({ items: [op], total: 1 });
      return more(req);
    });
  }

  it('shows entries with level badges, filters by level and server, and the per-server breakdown', async () => {
    const active = { module: 'cpanel', enabled: true, state: 'active', warnings: 1 };
    const fetch = mockFetch(
      logPage({ ...active, operation: { id: 7, state: 'completed' } }, (req) => {
        const url = new URL(req.url);
        if (route(req) === 'GET /api/v1/applications/cpanel/log') {
          const level = url.searchParams.get('level');
          const server = url.searchParams.get('server_id');
          const items = entries.filter(
            (e) => (!level || e.level === level) && (!server || String(e.server_id) === server),
          );
          return json({ items, total: items.length, page: 1, per_page: 100 });
        }
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/log');

    const breakdown = await screen.findByRole('table', { name: 'Per-server breakdown' });
    expect(breakdown).toHaveTextContent('Unsupported');
    expect(breakdown).toHaveTextContent('3/3');

    const table = await screen.findByRole('table', { name: 'Log entries' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Debug');
    expect(rows[1]).toHaveTextContent('Information');
    expect(rows[1]).toHaveTextContent('old');
    expect(rows[2]).toHaveTextContent('Warning');
    expect(rows[2]).toHaveTextContent('cp1');
    expect(within(rows[1]!).getAllByRole('cell')[2]).toHaveTextContent(/^old$/);

    await user.selectOptions(screen.getByLabelText('Level'), 'warning');
    await waitFor(() => {
      expect(
        within(screen.getByRole('table', { name: 'Log entries' })).getAllByRole('row'),
      ).toHaveLength(2);
    });
    await user.selectOptions(screen.getByLabelText('Level'), '');
    await user.selectOptions(screen.getByLabelText('Server'), 'old');
    await waitFor(() => {
      const r = within(screen.getByRole('table', { name: 'Log entries' })).getAllByRole('row');
      expect(r).toHaveLength(2);
      expect(r[1]).toHaveTextContent('requires cPanel & WHM 11.54');
    });
    const logCalls = requests(fetch).filter(
      (r) => route(r) === 'GET /api/v1/applications/cpanel/log',
    );
    expect(logCalls.some((r) => new URL(r.url).searchParams.get('level') === 'warning')).toBe(true);
    expect(logCalls.some((r) => new URL(r.url).searchParams.get('server_id') === '2')).toBe(true);
    // Without manage_servers the log names the operation's servers only, and lists none.
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/servers')).toBe(false);

    expect(screen.getByRole('table', { name: 'Operation history' })).toHaveTextContent(
      'Activation',
    );
  });

  it('names and filters lifecycle entries of servers the operation does not cover', async () => {
    const lifecycle = {
      id: 4,
      level: 'warning',
      server_id: 3,
      message: 'Account dave: the panel refused the links.',
      time: '2026-11-28T11:00:00Z',
    };
    const disabledLog = {
      module: 'cpanel',
      enabled: false,
      state: 'disabled',
      operation: { id: 7 },
    };
    const fetch = mockFetch(
      logPage(disabledLog, (req) => {
        const url = new URL(req.url);
        if (route(req) === 'GET /api/v1/servers')
          return json({
            items: [
              { id: 1, name: 'cp1' },
              { id: 3, name: 'cp3' },
            ],
            total: 2,
          });
        if (route(req) === 'GET /api/v1/applications/cpanel/log') {
          const server = url.searchParams.get('server_id');
          const items = [...entries, lifecycle].filter(
            (e) => !server || String(e.server_id) === server,
          );
          return json({ items, total: items.length, page: 1, per_page: 100 });
        }
        return undefined;
      }),
    );
    setSession({
      token: 'test-jwt',
      admin: {
        id: 1,
        email: 'admin@example.com',
        name: 'Ada Admin',
        permissions: ['manage_servers'],
      },
    });
    const { user } = renderRoutes(routes, '/settings/application-links/cpanel/log');
    const table = await screen.findByRole('table', { name: 'Log entries' });
    await waitFor(() => {
      expect(within(table).getAllByRole('row')[4]).toHaveTextContent('cp3');
    });
    await user.selectOptions(screen.getByLabelText('Server'), 'cp3');
    await waitFor(() => {
      const r = within(screen.getByRole('table', { name: 'Log entries' })).getAllByRole('row');
      expect(r).toHaveLength(2);
      expect(r[1]).toHaveTextContent('Account dave');
    });
    expect(
      requests(fetch).some(
        (r) =>
          route(r) === 'GET /api/v1/servers' &&
          new URL(r.url).searchParams.get('module') === 'cpanel',
      ),
    ).toBe(true);
    // Disabled: there is nothing to repair.
    expect(screen.queryByRole('button', { name: 'Repair all accounts' })).not.toBeInTheDocument();
  });

  it("filtered by an account, reads the account's entries in every operation", async () => {
    const fetch = mockFetch(
      logPage({ module: 'cpanel', enabled: true, state: 'active', operation: { id: 7 } }, (req) => {
        if (route(req) === 'GET /api/v1/applications/cpanel/log')
          return json({ items: [entries[2]], total: 1, page: 1, per_page: 100 });
        return undefined;
      }),
    );
    renderRoutes(routes, '/settings/application-links/cpanel/log?account=bob');
    expect(
      await screen.findByText('The entries about bob in every operation of cPanel & WHM.'),
    ).toBeInTheDocument();
    const logCalls = requests(fetch).filter(
      (r) => route(r) === 'GET /api/v1/applications/cpanel/log',
    );
    const params = new URL(logCalls[0]!.url).searchParams;
    expect(params.get('account')).toBe('bob');
    expect(params.has('operation_id')).toBe(false);
  });

  it('retries the failed accounts from the status that names them', async () => {
    let failed = 2;
    const fetch = mockFetch(
      signedIn((req) => {
        const status = {
          module: 'cpanel',
          enabled: true,
          state: 'active',
          warnings: 2,
          accounts_failed: failed,
        };
        if (route(req) === 'GET /api/v1/applications')
          return json([{ module: 'cpanel', name: 'cPanel & WHM', enabled: true, status }]);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(status);
        if (route(req) === 'POST /api/v1/applications/cpanel/retry-failed') {
          failed = 0;
          return json({ id: 8, kind: 'retry', state: 'queued' }, 202);
        }
        if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    const table = await screen.findByRole('table', { name: 'Applications' });
    await waitFor(() => {
      expect(table).toHaveTextContent('Active with warnings (2 accounts failed)');
    });
    await user.click(
      within(table).getByRole('button', { name: 'Retry the failed accounts of cPanel & WHM' }),
    );
    await waitFor(() => {
      expect(
        within(table).queryByRole('button', { name: /Retry the failed accounts/ }),
      ).not.toBeInTheDocument();
    });
    expect(
      requests(fetch).filter((r) => route(r) === 'POST /api/v1/applications/cpanel/retry-failed'),
    ).toHaveLength(1);
  });

  it('offers no retry when no account failed', async () => {
    mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json(apps);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(disabled);
        if (route(req) === 'GET /api/v1/applications/wpsquared/status')
          return json({ ...apps[1]!.status, accounts_failed: 0 }); // refusals retried since
        return undefined;
      }),
    );
    renderRoutes(routes, '/settings/application-links');
    const table = await screen.findByRole('table', { name: 'Applications' });
    const wp = await within(table).findByRole('row', { name: /WP Squared/ });
    await waitFor(() => {
      expect(wp).toHaveTextContent('Active');
    });
    expect(wp).not.toHaveTextContent('warning');
    expect(within(table).queryByRole('button', { name: /Retry/ })).not.toBeInTheDocument();
  });

  it('verifies an enabled application and shows a refusal', async () => {
    let verifies = 0;
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/applications') return json(apps);
        if (route(req) === 'GET /api/v1/applications/cpanel/status') return json(disabled);
        if (route(req) === 'GET /api/v1/applications/wpsquared/status')
          return json(apps[1]!.status);
        if (route(req) === 'POST /api/v1/applications/wpsquared/verify') {
          verifies++;
          return verifies === 1
            ? json({ id: 5, kind: 'verify', state: 'queued' }, 202)
            : apiError(409, 'conflict', 'Operation 5 of WP Squared is still running.');
        }
        if (route(req) === 'GET /api/v1/operations') return json({ items: [], total: 0 });
        return undefined;
      }),
    );
    const { user } = renderRoutes(routes, '/settings/application-links');
    const table = await screen.findByRole('table', { name: 'Applications' });
    const [, cp, wp] = within(table).getAllByRole('row');
    expect(within(cp!).queryByRole('button', { name: /Verify/ })).not.toBeInTheDocument();
    await user.click(within(wp!).getByRole('button', { name: 'Verify the links of WP Squared' }));
    expect(
      await within(wp!).findByText('A verify of every account was queued.'),
    ).toBeInTheDocument();
    await user.click(within(wp!).getByRole('button', { name: 'Verify the links of WP Squared' }));
    expect(
      await within(wp!).findByText('Operation 5 of WP Squared is still running.'),
    ).toBeInTheDocument();
    expect(
      requests(fetch).filter((r) => route(r) === 'POST /api/v1/applications/wpsquared/verify'),
    ).toHaveLength(2);
  });
});
