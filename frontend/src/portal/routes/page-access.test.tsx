import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { json, mockFetch, renderRoutes, requests, route } from '@/testing/test-utils';
import { portalRoutes } from '../router';

const ACME = { id: 1, name: 'Acme Ltd', status: 'Active', allow_sso: true };
const RULES: [string, string][] = [
  ['/portal/services', 'services'],
  ['/portal/domains', 'domains'],
  ['/portal/tickets', 'tickets'],
  ['/portal/invoices', 'invoices'],
  ['/portal/billing', 'profile'],
  ['/portal/emails', 'profile'],
  ['/portal/profile', ''],
  ['/portal/network-status', ''],
  ['/portal', ''],
];

/** GET /me of a user who is not the owner and holds these permissions. */
function meWith(perms: string[]) {
  const account = { ...ACME, owner: false, permissions: perms };
  return {
    user: { id: 11, name: 'Acme Staff', email: 'staff@acme.test' },
    accounts: [account],
    current_account: account,
    owner: false,
    permissions: perms,
    pages: RULES.map(([path, permission]) => ({
      path,
      permission,
      allowed: permission === '' || perms.includes(permission),
    })),
  };
}

function portal(perms: string[]) {
  return mockFetch((req) => {
    switch (route(req)) {
      case 'GET /api/v1/portal/me':
        return json(meWith(perms));
      case 'GET /api/v1/portal/services':
        return json({ items: [], page: 1, per_page: 200, total: 0 });
    }
    return undefined;
  });
}

describe('client-area permissions', () => {
  it('shows a page the user lacks the permission for as “no permission”', async () => {
    const fetch = portal(['sso', 'invoices']);
    renderRoutes([portalRoutes], '/portal/services');
    expect(
      await screen.findByRole('heading', { name: 'You do not have permission to view this page' }),
    ).toBeInTheDocument();
    expect(screen.getByText('“View Products & Services” is needed')).toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/portal/services')).toBe(false);
  });

  it.each([
    ['/portal/services/5/upgrade', 'View Products & Services'],
    ['/portal/Tickets/new', 'View & Open Support Tickets'],
    ['/portal/domains/register', 'Register & Transfer Domains'],
    ['/portal/billing', 'Manage Account Profile'],
    ['/portal/emails', 'Manage Account Profile'],
  ])('guards %s', async (path, label) => {
    portal(['sso', 'invoices']);
    renderRoutes([portalRoutes], path);
    expect(await screen.findByText(`“${label}” is needed`)).toBeInTheDocument();
  });

  it('opens the pages the user may open', async () => {
    portal(['sso', 'invoices']);
    renderRoutes([portalRoutes], '/portal/invoices');
    expect(
      await screen.findByRole('heading', { name: 'View Invoice History' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/You do not have permission/)).not.toBeInTheDocument();
  });

  it('leaves out the menu entries and shortcuts the user may not open', async () => {
    portal(['sso', 'invoices']);
    renderRoutes([portalRoutes], '/portal');
    const nav = await screen.findByRole('navigation', { name: 'Client area' });
    expect(within(nav).queryByRole('link', { name: 'Services' })).not.toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Support' })).not.toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Billing' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Network Status' })).toBeInTheDocument();
    const tiles = await screen.findByRole('list', { name: 'Shortcuts' });
    expect(within(tiles).queryByRole('link', { name: 'My Services' })).not.toBeInTheDocument();
    expect(within(tiles).queryByRole('link', { name: 'Open Ticket' })).not.toBeInTheDocument();
    expect(within(tiles).getByRole('link', { name: 'Invoices' })).toBeInTheDocument();
    expect(within(tiles).getByRole('link', { name: 'Your Profile' })).toBeInTheDocument();
  });

  it('shows everything to a user with every permission', async () => {
    portal(['sso', 'profile', 'services', 'invoices', 'tickets', 'domains']);
    renderRoutes([portalRoutes], '/portal');
    const nav = await screen.findByRole('navigation', { name: 'Client area' });
    for (const name of ['Services', 'Support', 'Billing', 'Network Status'])
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
  });
});
