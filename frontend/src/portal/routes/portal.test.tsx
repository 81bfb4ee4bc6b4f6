import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SSO_REASONS } from '@/portal/lib/sso-reasons';
import {
  apiError,
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  type FetchHandler,
} from '@/testing/test-utils';
import { portalRoutes } from '../router';

vi.mock('@/portal/lib/redirect', () => ({ redirectTo: vi.fn() }));
const { redirectTo } = await import('@/portal/lib/redirect');

const ACME = { id: 1, name: 'Acme Ltd', status: 'Active', allow_sso: true };
const GLOBEX = { id: 2, name: 'Globex Ltd', status: 'Active', allow_sso: true };

function meOf(opts: { owner: boolean; accounts?: (typeof ACME)[]; current?: typeof ACME }) {
  const accounts = (opts.accounts ?? [ACME]).map((a) => ({
    ...a,
    owner: opts.owner,
    permissions: ['sso', 'invoices'],
  }));
  const current = accounts.find((a) => a.id === (opts.current ?? ACME).id) ?? accounts[0];
  return {
    user: opts.owner
      ? { id: 10, name: 'Acme Owner', email: 'owner@acme.test' }
      : { id: 11, name: 'Acme Staff', email: 'staff@acme.test' },
    accounts,
    current_account: current,
    owner: opts.owner,
    permissions: ['sso', 'invoices'],
  };
}

const USERS = [
  {
    client_id: 1,
    user_id: 10,
    owner: true,
    permissions: ['sso', 'invoices'],
    user: { id: 10, name: 'Acme Owner', email: 'owner@acme.test' },
  },
  {
    client_id: 1,
    user_id: 11,
    owner: false,
    permissions: ['invoices', 'sso'],
    user: { id: 11, name: 'Acme Staff', email: 'staff@acme.test' },
  },
];

const SERVICE = {
  id: 5,
  client_id: 1,
  server_id: 1,
  module: 'cpanel',
  username: 'acme',
  domain: 'acme.test',
  status: 'Active',
  server_name: 'demo-cpanel-1',
  panel_login: true,
};

/** A portal API for one signed-in user; `extra` answers first. */
function portal(me: ReturnType<typeof meOf>, extra: FetchHandler = () => undefined): FetchHandler {
  return async (req) => {
    const r = await extra(req);
    if (r) return r;
    switch (route(req)) {
      case 'GET /api/v1/portal/me':
        return json(me);
      case 'GET /api/v1/portal/services':
        return json({ items: [SERVICE], page: 1, per_page: 200, total: 1 });
      case 'GET /api/v1/portal/users':
        return json(USERS);
      case 'GET /api/v1/portal/security':
        return json({ client_id: 1, allow_sso: true });
    }
    return undefined;
  };
}

/** No session: the login page's quiet probe of GET /me answers 401. */
const signedOut: FetchHandler = (req) =>
  route(req) === 'GET /api/v1/portal/me'
    ? apiError(401, 'unauthorized', 'Sign in to the client area first.')
    : undefined;

function render(url: string) {
  return renderRoutes([portalRoutes], url);
}

describe('portal login page', () => {
  it.each(Object.entries(SSO_REASONS))('explains the refusal code %s in words', async (code, t) => {
    mockFetch(signedOut);
    render(`/portal/login?error=${code}&next=%2Fportal%2Finvoices`);
    expect(await screen.findByText(t.title)).toBeInTheDocument();
    expect(screen.getByText(t.detail)).toBeInTheDocument();
  });

  it('explains a link fallback from the signed-in account’s state (SSO switched off)', async () => {
    const me = meOf({ owner: true });
    mockFetch(portal({ ...me, current_account: { ...me.current_account!, allow_sso: false } }));
    const { router } = render('/portal/login?next=%2Fportal%2Finvoices');
    expect(
      await screen.findByText('Single sign-on is turned off for this account'),
    ).toBeInTheDocument();
    expect(screen.getByText(/You are still signed in as/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/portal/login');
  });

  it('explains an unknown code generically', async () => {
    mockFetch(signedOut);
    render('/portal/login?error=something_new');
    expect(await screen.findByText('Single sign-on was refused')).toBeInTheDocument();
  });

  it('signs in and continues to next', async () => {
    const fetch = mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'POST /api/v1/portal/login' ? json(meOf({ owner: true })) : undefined,
      ),
    );
    const { user, router } = render('/portal/login?error=used_token&next=%2Fportal%2Finvoices');
    await screen.findByText('That sign-in link was already used');
    await user.type(screen.getByLabelText(/^Email/), 'owner@acme.test');
    await user.type(screen.getByLabelText(/^Password/), 'demo-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'View Invoice History', level: 1 });
    expect(router.state.location.pathname).toBe('/portal/invoices');
    const login = requests(fetch).find((r) => route(r) === 'POST /api/v1/portal/login')!;
    expect(login.headers.get('Content-Type')).toBe('application/json');
    expect(await login.json()).toEqual({ email: 'owner@acme.test', password: 'demo-password' });
  });

  it('never follows an off-site next', async () => {
    mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'POST /api/v1/portal/login' ? json(meOf({ owner: true })) : undefined,
      ),
    );
    const { user, router } = render('/portal/login?next=%2F%2Fevil.example%2Fportal');
    await user.type(screen.getByLabelText(/^Email/), 'owner@acme.test');
    await user.type(screen.getByLabelText(/^Password/), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/portal');
    });
  });

  it('shows the generic failure of a wrong password', async () => {
    mockFetch((req) =>
      route(req) === 'POST /api/v1/portal/login'
        ? apiError(401, 'unauthorized', 'Invalid email or password.')
        : signedOut(req),
    );
    const { user, router } = render('/portal/login');
    await user.type(screen.getByLabelText(/^Email/), 'owner@acme.test');
    await user.type(screen.getByLabelText(/^Password/), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password.');
    expect(router.state.location.pathname).toBe('/portal/login');
  });
});

describe('portal session', () => {
  it('sends a 401 to the login page with where the user was', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Sign in to the client area first.'));
    const { router } = render('/portal/invoices');
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/portal/login');
    });
    expect(router.state.location.search).toBe('?expired=1&next=%2Fportal%2Finvoices');
    expect(
      await screen.findByText('Your session has expired. Please sign in again.'),
    ).toBeVisible();
  });
});

describe('Hello menu', () => {
  it('shows the owner-only entries to the owner', async () => {
    mockFetch(portal(meOf({ owner: true })));
    const { user } = render('/portal');
    await user.click(await screen.findByRole('button', { name: 'Hello, Acme Owner!' }));
    expect(screen.getByRole('link', { name: 'User Management' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Security Settings' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Account Activity' })).toHaveAttribute(
      'href',
      '/portal/activity',
    );
    expect(screen.queryByLabelText('Account')).not.toBeInTheDocument();
  });

  it('hides them from other users, and explains if they go there', async () => {
    const fetch = mockFetch(portal(meOf({ owner: false })));
    const { user } = render('/portal/security');
    expect(await screen.findByText('Only the account owner can do this')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Hello, Acme Staff!' }));
    expect(screen.queryByRole('link', { name: 'User Management' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Security Settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Account Activity' })).not.toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/portal/security')).toBe(false);
  });

  it('switches account', async () => {
    const fetch = mockFetch(
      portal(meOf({ owner: true, accounts: [ACME, GLOBEX] }), (req) =>
        route(req) === 'POST /api/v1/portal/switch'
          ? json(meOf({ owner: true, accounts: [ACME, GLOBEX], current: GLOBEX }))
          : undefined,
      ),
    );
    const { user } = render('/portal/invoices');
    await user.click(await screen.findByRole('button', { name: 'Hello, Acme Owner!' }));
    const select = screen.getByLabelText('Account');
    await user.selectOptions(select, 'Globex Ltd (owner)');
    await user.click(screen.getByRole('button', { name: 'Switch account' }));
    const sw = await waitFor(() => {
      const r = requests(fetch).find((q) => route(q) === 'POST /api/v1/portal/switch');
      expect(r).toBeDefined();
      return r!;
    });
    expect(await sw.json()).toEqual({ client_id: 2 });
    await user.click(await screen.findByRole('button', { name: 'Hello, Acme Owner!' }));
    expect(await screen.findByText('Globex Ltd', { selector: 'strong' })).toBeInTheDocument();
  });
});

describe('User Management', () => {
  it('fixes the owner row and toggles a user’s single sign-on', async () => {
    const fetch = mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'PATCH /api/v1/portal/users/11'
          ? json({ ...USERS[1], permissions: ['invoices'] })
          : undefined,
      ),
    );
    const { user } = render('/portal/user-management');
    const owner = await screen.findByRole('switch', {
      name: 'Perform Single Sign-On for Acme Owner',
    });
    expect(owner).toBeDisabled();
    expect(owner).toBeChecked();
    const staff = screen.getByRole('switch', { name: 'Perform Single Sign-On for Acme Staff' });
    expect(staff).toBeChecked();
    await user.click(staff);
    expect(await screen.findByText('Acme Staff may no longer use single sign-on.')).toBeVisible();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/portal/users/11')!;
    expect(patch.headers.get('Content-Type')).toBe('application/json');
    // Other permissions are kept.
    expect(await patch.json()).toEqual({ permissions: ['invoices'] });
  });

  it('says why a change failed', async () => {
    mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'PATCH /api/v1/portal/users/11'
          ? apiError(404, 'not_found', 'User 11 is not on your account.')
          : undefined,
      ),
    );
    const { user } = render('/portal/user-management');
    await user.click(
      await screen.findByRole('switch', { name: 'Perform Single Sign-On for Acme Staff' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('User 11 is not on your account.');
  });
});

describe('Account Activity', () => {
  const ACTIVITY = [
    {
      id: 8,
      time: '2026-12-02T09:15:00Z',
      actor_kind: 'user',
      actor_id: 10,
      actor_name: 'owner@acme.test',
      ip: '127.0.0.1',
      resource: 'membership',
      resource_id: '1:11',
      action: 'update',
      client_id: 1,
      before: { permissions: ['invoices', 'sso'] },
      after: { permissions: ['invoices'] },
    },
    {
      id: 7,
      time: '2026-12-01T18:00:00Z',
      actor_kind: 'user',
      actor_id: 10,
      actor_name: 'owner@acme.test',
      ip: '127.0.0.2',
      resource: 'client',
      resource_id: '1',
      action: 'update',
      client_id: 1,
      before: { allow_sso: true },
      after: { allow_sso: false },
    },
  ];

  it('lists the changes made to the account for the owner', async () => {
    const fetch = mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'GET /api/v1/portal/activity'
          ? json({ items: ACTIVITY, total: 2, page: 1, per_page: 25 })
          : undefined,
      ),
    );
    render('/portal/activity');
    const table = await screen.findByRole('table', { name: 'Account activity' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    await waitFor(() => {
      expect(rows[1]).toHaveTextContent('Changed the permissions of Acme Staff');
    });
    expect(rows[1]).toHaveTextContent(new Date(ACTIVITY[0]!.time).toLocaleString());
    expect(rows[1]).toHaveTextContent('owner@acme.test');
    expect(rows[1]).toHaveTextContent('127.0.0.1');
    expect(rows[1]).toHaveTextContent('Permissions: invoices, sso → invoices');
    expect(rows[2]).toHaveTextContent('Changed the account settings');
    expect(rows[2]).toHaveTextContent('Allow Single Sign-On: true → false');
    const get = requests(fetch).find((r) => route(r) === 'GET /api/v1/portal/activity')!;
    expect(new URL(get.url).searchParams.get('page')).toBe('1');
  });

  it('is not offered to other users', async () => {
    const fetch = mockFetch(portal(meOf({ owner: false })));
    render('/portal/activity');
    expect(await screen.findByText('Only the account owner can do this')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Account activity' })).not.toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/portal/activity')).toBe(false);
  });
});

describe('Security Settings', () => {
  it('switches Allow Single Sign-On off, with an explanation', async () => {
    const fetch = mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'PATCH /api/v1/portal/security'
          ? json({ client_id: 1, allow_sso: false })
          : undefined,
      ),
    );
    const { user } = render('/portal/security');
    const sw = await screen.findByRole('switch', { name: 'Allow Single Sign-On' });
    expect(sw).toBeChecked();
    expect(screen.getByText(/When to turn it off:/)).toBeInTheDocument();
    await user.click(sw);
    expect(await screen.findByText('Single sign-on is off for this account.')).toBeVisible();
    expect(screen.getByRole('switch', { name: 'Allow Single Sign-On' })).not.toBeChecked();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/portal/security')!;
    expect(await patch.json()).toEqual({ allow_sso: false });
  });
});

describe('Services', () => {
  beforeEach(() => {
    vi.mocked(redirectTo).mockReset();
  });

  it('logs in to cPanel through a one-time URL', async () => {
    mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'POST /api/v1/portal/services/5/sso'
          ? json({ url: 'http://127.0.0.1:2083/cpsess1/login/?session=x' })
          : undefined,
      ),
    );
    const { user } = render('/portal/services');
    await user.click(await screen.findByRole('button', { name: 'Log in to cPanel for acme.test' }));
    await waitFor(() => {
      expect(redirectTo).toHaveBeenCalledWith('http://127.0.0.1:2083/cpsess1/login/?session=x');
    });
  });

  it('explains why when the API does not allow it', async () => {
    mockFetch(
      portal(meOf({ owner: false }), (req) =>
        route(req) === 'GET /api/v1/portal/services'
          ? json({
              items: [
                {
                  ...SERVICE,
                  module: 'wpsquared',
                  panel_login: false,
                  panel_login_reason: 'no_sso_permission',
                  panel_login_message: 'You may not.',
                },
              ],
              total: 1,
            })
          : undefined,
      ),
    );
    render('/portal/services');
    const card = (await screen.findByText('Log in to WP Squared is not available.')).closest('li')!;
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
    expect(within(card).getByText(/not given you permission to use single sign-on/)).toBeVisible();
  });

  it('explains a refusal at click time', async () => {
    mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'POST /api/v1/portal/services/5/sso'
          ? json(
              {
                error: {
                  code: 'forbidden',
                  message: 'SSO authentication blocked for client 1.',
                  reason: 'sso_disabled',
                },
              },
              403,
            )
          : undefined,
      ),
    );
    const { user } = render('/portal/services');
    await user.click(await screen.findByRole('button', { name: 'Log in to cPanel for acme.test' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Single sign-on is turned off for this account',
    );
    expect(redirectTo).not.toHaveBeenCalled();
  });

  it('shows an empty state', async () => {
    mockFetch(
      portal(meOf({ owner: true }), (req) =>
        route(req) === 'GET /api/v1/portal/services' ? json({ items: [], total: 0 }) : undefined,
      ),
    );
    render('/portal/services');
    expect(await screen.findByText('You have no services yet')).toBeInTheDocument();
  });
});
