import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { setSession } from '@/lib/session';
import { testQueryClient } from '@/testing/test-utils';
import { DashboardLayout } from './dashboard-layout';

function renderLayout() {
  const router = createMemoryRouter([{ path: '*', element: <DashboardLayout /> }]);
  render(
    <QueryClientProvider client={testQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return within(screen.getByRole('navigation', { name: 'Main' }));
}

describe('DashboardLayout', () => {
  it('shows every section to a full administrator', () => {
    setSession({
      token: 't',
      admin: {
        name: 'Ada',
        permissions: [
          'configure_application_links',
          'manage_servers',
          'manage_clients',
          'manage_admins',
          'manage_api_credentials',
          'view_sso_events',
          'view_audit_log',
        ],
      },
    });
    const nav = renderLayout();
    expect(nav.getAllByRole('link').map((l) => l.textContent)).toEqual([
      'Application Links',
      'Servers',
      'Clients',
      'Services',
      'API Credentials',
      'SSO Activity',
      'Operations',
      'Audit Log',
      'Staff',
    ]);
    expect(screen.getByText('Ada')).toBeInTheDocument();
  });

  it('hides what the admin may not open', () => {
    setSession({
      token: 't',
      admin: { name: 'Support', permissions: ['manage_clients', 'view_sso_events'] },
    });
    const nav = renderLayout();
    expect(nav.getAllByRole('link').map((l) => l.textContent)).toEqual([
      'Clients',
      'Services',
      'SSO Activity',
    ]);
    expect(nav.queryByText('System Settings')).not.toBeInTheDocument();
  });

  it('shows Staff only to admins who manage staff', () => {
    setSession({
      token: 't',
      admin: { name: 'Lead', permissions: ['manage_clients', 'manage_admins'] },
    });
    const nav = renderLayout();
    expect(nav.getAllByRole('link').map((l) => l.textContent)).toEqual([
      'Clients',
      'Services',
      'Staff',
    ]);
    expect(nav.getByRole('link', { name: 'Staff' })).toHaveAttribute('href', '/staff');
  });

  it('shows no section to an admin whose role has no permissions', () => {
    setSession({ token: 't', admin: { name: 'Nobody', permissions: [] } });
    const nav = renderLayout();
    expect(nav.queryAllByRole('link')).toHaveLength(0);
  });
});
