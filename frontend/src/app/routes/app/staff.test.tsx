import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import { setSession } from '@/lib/session';
import {
  apiError,
  failsOnce,
  json,
  mockFetch,
  renderRoutes,
  requests,
  route,
  signedIn,
  type FetchHandler,
} from '@/testing/test-utils';

const ALL = [
  'configure_application_links',
  'manage_servers',
  'manage_clients',
  'manage_admins',
  'manage_api_credentials',
  'view_sso_events',
];
const full = {
  id: 1,
  name: 'Full Administrator',
  permissions: ALL,
  builtin: true,
  created_at: '2026-01-01T00:00:00Z',
  admins: 1,
};
const support = {
  id: 2,
  name: 'Support',
  permissions: ['view_sso_events', 'manage_clients'],
  builtin: false,
  created_at: '2026-01-02T00:00:00Z',
  admins: 1,
};
const ada = {
  id: 1,
  email: 'admin@example.com',
  name: 'Ada Admin',
  role_id: 1,
  role: 'Full Administrator',
  active: true,
  permissions: ALL,
  created_at: '2026-01-01T00:00:00Z',
};
const sam = {
  ...ada,
  id: 2,
  email: 'sam@example.com',
  name: 'Sam Support',
  role_id: 2,
  role: 'Support',
  active: false,
  permissions: support.permissions,
};

/** One page of a list answer, as the API sends it (List envelope). */
function listPage(items: unknown[], total = items.length, page = 1, perPage = 25): Response {
  return json({ items, total, page, per_page: perPage });
}

/** Signed in as Ada (Full Administrator); `handler` first, then the two lists' first pages. */
function staff(handler: FetchHandler = () => undefined): FetchHandler {
  const lists: FetchHandler = (req) => {
    if (route(req) === 'GET /api/v1/admins') return listPage([ada, sam]);
    if (route(req) === 'GET /api/v1/roles') return listPage([full, support]);
    return undefined;
  };
  const inner = signedIn(async (req) => (await handler(req)) ?? lists(req));
  setSession({
    token: 'test-jwt',
    admin: { id: 1, email: ada.email, name: ada.name, permissions: ALL },
  });
  return inner;
}

async function body(req: Request): Promise<unknown> {
  return req.clone().json();
}

describe('staff: administrators', () => {
  it('lists administrators with their role and state', async () => {
    mockFetch(staff());
    renderRoutes(routes, '/staff');
    const table = await screen.findByRole('table', { name: 'Administrators' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Ada Admin (you)');
    expect(rows[1]).toHaveTextContent('admin@example.com');
    expect(rows[1]).toHaveTextContent('Full Administrator');
    expect(rows[1]).toHaveTextContent('Active');
    expect(rows[2]).toHaveTextContent('Sam Support');
    expect(rows[2]).toHaveTextContent('Support');
    expect(rows[2]).toHaveTextContent('Inactive');
    expect(screen.getByRole('link', { name: 'Administrators' })).toHaveClass('active');
  });

  it('adds an administrator, showing its own and the API’s errors on the fields', async () => {
    const fetch = mockFetch(
      staff(
        failsOnce(
          'POST /api/v1/admins',
          apiError(400, 'invalid', 'The e-mail address "x@y" is not valid.', 'email'),
          () => json({ ...sam, id: 3, active: true }, 201),
        ),
      ),
    );
    const { user } = renderRoutes(routes, '/staff');
    await user.click(await screen.findByRole('button', { name: 'Add administrator' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add administrator' });
    const d = within(dialog);
    expect(d.getByLabelText(/^Name/)).toHaveFocus();

    await user.click(d.getByRole('button', { name: 'Add administrator' }));
    expect(d.getByLabelText(/^Name/)).toHaveAccessibleDescription('Enter a name.');
    expect(d.getByLabelText(/^Name/)).toHaveAttribute('aria-invalid', 'true');
    expect(d.getByLabelText(/^Email/)).toHaveAccessibleDescription(/Enter an e-mail address\./);
    expect(d.getByLabelText(/^Role/)).toHaveAccessibleDescription(/Choose a role\./);
    expect(d.getByLabelText(/^Initial password/)).toHaveAccessibleDescription(
      /Use at least 8 characters\./,
    );
    expect(d.getByLabelText(/^Name/)).toHaveFocus();
    expect(requests(fetch).some((r) => route(r) === 'POST /api/v1/admins')).toBe(false);

    await user.type(d.getByLabelText(/^Name/), 'Sam Support');
    await user.type(d.getByLabelText(/^Email/), 'x@y');
    await user.selectOptions(d.getByLabelText(/^Role/), 'Support');
    await user.type(d.getByLabelText(/^Initial password/), 'correct horse');
    await user.click(d.getByRole('button', { name: 'Add administrator' }));

    const email = d.getByLabelText(/^Email/);
    await waitFor(() => {
      expect(email).toHaveAccessibleDescription(/The e-mail address "x@y" is not valid\./);
    });
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveFocus();

    await user.clear(email);
    await user.type(email, 'sam@example.com');
    await user.click(d.getByRole('button', { name: 'Add administrator' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const posts = requests(fetch).filter((r) => route(r) === 'POST /api/v1/admins');
    expect(await body(posts[1]!)).toEqual({
      name: 'Sam Support',
      email: 'sam@example.com',
      role_id: 2,
      password: 'correct horse',
    });
  });

  it('edits another administrator and shows a refusal from the API', async () => {
    const fetch = mockFetch(
      staff((req) =>
        route(req) === 'PATCH /api/v1/admins/2'
          ? apiError(409, 'conflict', 'At least one active Full Administrator must remain.')
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/staff');
    await user.click(await screen.findByRole('button', { name: 'Edit Sam Support' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Sam Support' }));
    expect(d.getByLabelText(/^Name/)).toHaveValue('Sam Support');
    expect(d.getByLabelText(/^Role/)).toHaveValue('2');
    await user.click(d.getByLabelText('Active'));
    await user.selectOptions(d.getByLabelText(/^Role/), 'Full Administrator');
    await user.type(d.getByLabelText(/^New password/), 'a new password');
    await user.click(d.getByRole('button', { name: 'Save changes' }));

    const alert = await d.findByRole('alert');
    expect(alert).toHaveTextContent('At least one active Full Administrator must remain.');
    expect(alert).toHaveFocus();
    const patch = requests(fetch).find((r) => route(r) === 'PATCH /api/v1/admins/2')!;
    expect(await body(patch)).toEqual({ role_id: 1, active: true, password: 'a new password' });
  });

  it('does not let the signed-in admin deactivate themselves or drop Manage Staff', async () => {
    const fetch = mockFetch(staff());
    const { user } = renderRoutes(routes, '/staff');
    await user.click(await screen.findByRole('button', { name: 'Edit Ada Admin' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Ada Admin' }));
    expect(d.getByLabelText('Active')).toBeDisabled();
    expect(d.getByLabelText('Active')).toHaveAccessibleDescription(
      'You cannot deactivate your own account.',
    );
    await user.selectOptions(d.getByLabelText(/^Role/), 'Support');
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    expect(d.getByLabelText(/^Role/)).toHaveAccessibleDescription(
      /You cannot give yourself a role without Manage Staff/,
    );
    expect(requests(fetch).some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('updates the session when the signed-in admin renames themselves', async () => {
    mockFetch(
      staff((req) =>
        route(req) === 'PATCH /api/v1/admins/1' ? json({ ...ada, name: 'Ada L.' }) : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/staff');
    await user.click(await screen.findByRole('button', { name: 'Edit Ada Admin' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Ada Admin' }));
    await user.clear(d.getByLabelText(/^Name/));
    await user.type(d.getByLabelText(/^Name/), 'Ada L.');
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(screen.getByTitle('admin@example.com')).toHaveTextContent('Ada L.');
  });

  it('pages through the administrators and offers every role to choose from', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      ...sam,
      id: 10 + i,
      email: `staff${String(i)}@example.com`,
      name: `Staff ${String(i)}`,
    }));
    const fetch = mockFetch(
      staff((req) => {
        if (route(req) !== 'GET /api/v1/admins') return undefined;
        const q = new URL(req.url).searchParams;
        return q.get('page') === '2'
          ? listPage([{ ...sam, id: 99, name: 'Last One' }], 26, 2)
          : listPage(many, 26, 1);
      }),
    );
    const { user } = renderRoutes(routes, '/staff');
    await screen.findByRole('table', { name: 'Administrators' });
    const nav = await screen.findByRole('navigation', { name: 'Administrators pages' });
    expect(nav).toHaveTextContent('1–25 of 26');
    await user.click(within(nav).getByRole('button', { name: 'Next' }));
    expect(
      await within(await screen.findByRole('table', { name: 'Administrators' })).findByText(
        'Last One',
      ),
    ).toBeInTheDocument();
    const gets = requests(fetch)
      .filter((r) => route(r) === 'GET /api/v1/admins')
      .map((r) => new URL(r.url).search);
    expect(gets).toContain('?page=1&per_page=25');
    expect(gets).toContain('?page=2&per_page=25');
    const roleGets = requests(fetch)
      .filter((r) => route(r) === 'GET /api/v1/roles')
      .map((r) => new URL(r.url).search);
    expect(roleGets).toEqual(['?per_page=200']);
  });

  it('says which permission is missing when the API answers 403', async () => {
    mockFetch(
      signedIn((req) =>
        req.method === 'GET' && /\/api\/v1\/(admins|roles)$/.test(new URL(req.url).pathname)
          ? apiError(403, 'forbidden', 'You need the manage_admins permission for this.')
          : undefined,
      ),
    );
    renderRoutes(routes, '/staff');
    const alert = await screen.findByText(/You need the Manage Staff permission \(manage_admins\)/);
    expect(alert.closest('[role="alert"]')).toHaveTextContent(
      'You need the manage_admins permission for this.',
    );
  });

  it('refuses the page without asking the API when the role lacks the permission', async () => {
    const fetch = mockFetch(signedIn(() => undefined));
    setSession({ token: 't', admin: { id: 5, name: 'Sam', permissions: ['manage_clients'] } });
    renderRoutes(routes, '/staff/roles');
    expect(
      await screen.findByText(/You need the Manage Staff permission \(manage_admins\)/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create role' })).not.toBeInTheDocument();
    expect(requests(fetch).every((r) => route(r) === 'GET /api/v1/auth/me')).toBe(true);
  });
});

describe('staff: roles', () => {
  it('lists roles with their permissions by name', async () => {
    mockFetch(staff());
    renderRoutes(routes, '/staff/roles');
    const table = await screen.findByRole('table', { name: 'Roles' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Full Administrator');
    expect(rows[1]).toHaveTextContent('Built-in');
    expect(rows[1]).toHaveTextContent('Manage Staff');
    // Catalogue order, human labels.
    expect(
      within(rows[2]!)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Manage Clients', 'View SSO Activity']);
    await waitFor(() => {
      expect(within(rows[2]!).getAllByRole('cell')[2]).toHaveTextContent(/^1$/);
    });
  });

  it('pages through the roles, each with its count of administrators', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      ...support,
      id: 10 + i,
      name: `Role ${String(i)}`,
      admins: i,
    }));
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) !== 'GET /api/v1/roles') return undefined;
        return new URL(req.url).searchParams.get('page') === '2'
          ? listPage([{ ...support, id: 99, name: 'Last Role', admins: 0 }], 26, 2)
          : listPage(many, 26, 1);
      }),
    );
    setSession({
      token: 'test-jwt',
      admin: { id: 1, email: ada.email, name: ada.name, permissions: ALL },
    });
    const { user } = renderRoutes(routes, '/staff/roles');
    const table = await screen.findByRole('table', { name: 'Roles' });
    const row = within(table).getAllByRole('row')[4]!;
    expect(row).toHaveTextContent('Role 3');
    expect(within(row).getAllByRole('cell')[2]).toHaveTextContent(/^3$/);
    expect(within(row).getByRole('button', { name: 'Delete Role 3' })).toBeDisabled();
    const nav = screen.getByRole('navigation', { name: 'Roles pages' });
    expect(nav).toHaveTextContent('1–25 of 26');
    await user.click(within(nav).getByRole('button', { name: 'Next' }));
    const last = await within(table).findByRole('button', { name: 'Delete Last Role' });
    expect(last).toBeEnabled();
    expect(
      requests(fetch)
        .filter((r) => route(r) === 'GET /api/v1/roles')
        .map((r) => new URL(r.url).search),
    ).toEqual(['?page=1&per_page=25', '?page=2&per_page=25']);
    // The holders come with each role: the administrators list is not read.
    expect(requests(fetch).some((r) => route(r) === 'GET /api/v1/admins')).toBe(false);
  });

  it('creates a role from the checklist, with errors tied to the fields', async () => {
    const fetch = mockFetch(
      staff(
        failsOnce(
          'POST /api/v1/roles',
          apiError(409, 'conflict', 'A role with this name already exists.', 'name'),
          () => json({ ...support, id: 3, name: 'Billing' }, 201),
        ),
      ),
    );
    const { user } = renderRoutes(routes, '/staff/roles');
    await user.click(await screen.findByRole('button', { name: 'Create role' }));
    const d = within(await screen.findByRole('dialog', { name: 'Create role' }));
    const boxes = d.getAllByRole('checkbox');
    expect(
      boxes.map((b) => b.closest('.checkbox-field')?.querySelector('label')?.textContent),
    ).toEqual([
      'Configure Application Links',
      'Manage Servers',
      'Manage Clients',
      'Manage Staff',
      'Manage API Credentials',
      'View SSO Activity',
      'View Audit Log',
      'Manage Webhooks',
    ]);

    await user.click(d.getByRole('button', { name: 'Create role' }));
    expect(d.getByLabelText(/^Name/)).toHaveAccessibleDescription('Enter a name, e.g. Support.');
    expect(d.getByRole('group', { name: 'Permissions' })).toHaveAccessibleDescription(
      'Choose at least one permission.',
    );

    await user.type(d.getByLabelText(/^Name/), 'Support');
    await user.click(d.getByLabelText('View SSO Activity'));
    // Keyboard: Space toggles the focused checkbox.
    d.getByLabelText('Manage Clients').focus();
    await user.keyboard(' ');
    await user.click(d.getByRole('button', { name: 'Create role' }));
    await waitFor(() => {
      expect(d.getByLabelText(/^Name/)).toHaveAccessibleDescription(
        'A role with this name already exists.',
      );
    });

    await user.clear(d.getByLabelText(/^Name/));
    await user.type(d.getByLabelText(/^Name/), 'Billing');
    await user.click(d.getByRole('button', { name: 'Create role' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const posts = requests(fetch).filter((r) => route(r) === 'POST /api/v1/roles');
    expect(await body(posts[1]!)).toEqual({
      name: 'Billing',
      permissions: ['manage_clients', 'view_sso_events'],
    });
  });

  it('edits a role from the prefilled form and shows a taken name on the field', async () => {
    const fetch = mockFetch(
      staff(
        failsOnce(
          'PATCH /api/v1/roles/2',
          apiError(409, 'conflict', 'A role with this name already exists.', 'name'),
          () => json({ ...support, name: 'Support desk', permissions: ['manage_clients'] }),
        ),
      ),
    );
    const { user } = renderRoutes(routes, '/staff/roles');
    expect(await screen.findByText(/A change to a role applies at once/)).toBeInTheDocument();
    expect(screen.queryByText(/fixed once it is created/)).not.toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Edit Support' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Support' }));
    const name = d.getByLabelText(/^Name/);
    expect(name).toHaveValue('Support');
    expect(name).toHaveFocus();
    expect(
      d
        .getAllByRole('checkbox')
        .filter((b) => (b as HTMLInputElement).checked)
        .map((b) => (b as HTMLInputElement).value),
    ).toEqual(['manage_clients', 'view_sso_events']);

    await user.clear(name);
    await user.type(name, 'Full Administrator');
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(name).toHaveAccessibleDescription('A role with this name already exists.');
    });
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveFocus();

    await user.clear(name);
    await user.type(name, 'Support desk');
    await user.click(d.getByLabelText('View SSO Activity'));
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    const patches = requests(fetch).filter((r) => route(r) === 'PATCH /api/v1/roles/2');
    expect(await body(patches[0]!)).toEqual({ name: 'Full Administrator' });
    expect(await body(patches[1]!)).toEqual({
      name: 'Support desk',
      permissions: ['manage_clients'],
    });
  });

  it('shows the API’s refusal of the permissions on the checklist', async () => {
    mockFetch(
      staff((req) =>
        route(req) === 'PATCH /api/v1/roles/2'
          ? apiError(400, 'invalid', 'Unknown permission "x".', 'permissions')
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/staff/roles');
    await user.click(await screen.findByRole('button', { name: 'Edit Support' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Support' }));
    await user.click(d.getByLabelText('Manage Servers'));
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(d.getByRole('group', { name: 'Permissions' })).toHaveAccessibleDescription(
        'Unknown permission "x".',
      );
    });
    expect(d.getAllByRole('checkbox')[0]).toHaveFocus();
  });

  it('deletes a role nobody holds after a confirmation naming it', async () => {
    const billing = { ...support, id: 3, name: 'Billing', admins: 0 };
    let deleted = false;
    const fetch = mockFetch(
      signedIn((req) => {
        if (route(req) === 'GET /api/v1/admins') return listPage([ada, sam]);
        if (route(req) === 'GET /api/v1/roles')
          return listPage(deleted ? [full, support] : [full, support, billing]);
        if (route(req) === 'DELETE /api/v1/roles/3') {
          deleted = true;
          return new Response(null, { status: 204 });
        }
        return undefined;
      }),
    );
    setSession({
      token: 'test-jwt',
      admin: { id: 1, email: ada.email, name: ada.name, permissions: ALL },
    });
    const { user } = renderRoutes(routes, '/staff/roles');
    const table = await screen.findByRole('table', { name: 'Roles' });
    const del = await within(table).findByRole('button', { name: 'Delete Billing' });
    await waitFor(() => {
      expect(del).toBeEnabled();
    });
    await user.click(del);
    const d = within(await screen.findByRole('dialog', { name: 'Delete role Billing?' }));
    expect(d.getByText(/“Billing”/)).toBeInTheDocument();
    expect(d.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(requests(fetch).some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(d.getByRole('button', { name: 'Delete role' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    await waitFor(() => {
      expect(within(table).queryByText('Billing')).not.toBeInTheDocument();
    });
    expect(requests(fetch).filter((r) => route(r) === 'DELETE /api/v1/roles/3')).toHaveLength(1);
  });

  it('offers no edit or delete for the built-in role, and no delete for a role in use', async () => {
    mockFetch(staff());
    renderRoutes(routes, '/staff/roles');
    const table = await screen.findByRole('table', { name: 'Roles' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Always holds every permission.');
    expect(within(rows[1]!).queryByRole('button')).not.toBeInTheDocument();
    const del = within(rows[2]!).getByRole('button', { name: 'Delete Support' });
    await waitFor(() => {
      expect(del).toBeDisabled();
    });
    expect(del).toHaveAccessibleDescription('In use: give its administrators another role first.');
    expect(within(rows[2]!).getByRole('button', { name: 'Edit Support' })).toBeEnabled();
  });

  it('keeps Manage Staff on the own role and refreshes the session after its change', async () => {
    const lead = {
      ...support,
      id: 3,
      name: 'Lead',
      permissions: ['manage_servers', 'manage_clients', 'manage_admins'],
    };
    const me = { ...ada, role_id: 3, role: 'Lead', permissions: lead.permissions };
    const inner = signedIn((req) => {
      if (route(req) === 'GET /api/v1/roles')
        return listPage([full, { ...support, admins: 0 }, lead]);
      if (route(req) === 'PATCH /api/v1/roles/3')
        return json({ ...lead, permissions: ['manage_clients', 'manage_admins'] });
      return undefined;
    });
    // The roles screen knows the signed-in admin's role from GET /api/v1/auth/me.
    const fetch = mockFetch((req) =>
      route(req) === 'GET /api/v1/auth/me' ? json(me) : inner(req),
    );
    setSession({
      token: 'test-jwt',
      admin: { id: 1, email: ada.email, name: ada.name, permissions: lead.permissions },
    });
    const { user } = renderRoutes(routes, '/staff/roles');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Servers' })).toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Edit Lead' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Lead' }));
    expect(d.getByLabelText('Manage Staff')).toHaveAccessibleDescription(
      /Your own role must keep it\./,
    );
    await user.click(d.getByLabelText('Manage Staff'));
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    expect(d.getByRole('group', { name: 'Permissions' })).toHaveAccessibleDescription(
      /This is your own role: it must keep Manage Staff/,
    );
    expect(d.getAllByRole('checkbox')[0]).toHaveFocus();
    expect(requests(fetch).some((r) => r.method === 'PATCH')).toBe(false);

    await user.click(d.getByLabelText('Manage Staff'));
    await user.click(d.getByLabelText('Manage Servers'));
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    await waitFor(() => {
      expect(within(nav).queryByRole('link', { name: 'Servers' })).not.toBeInTheDocument();
    });
    expect(within(nav).getByRole('link', { name: 'Staff' })).toBeInTheDocument();
  });

  it('shows the API’s refusal to change the own role on the checklist', async () => {
    mockFetch(
      staff((req) =>
        route(req) === 'PATCH /api/v1/roles/2'
          ? apiError(
              409,
              'conflict',
              'This is your own role: without manage_admins you would lock yourself out of staff management. Another administrator can change it.',
              'permissions',
            )
          : undefined,
      ),
    );
    const { user } = renderRoutes(routes, '/staff/roles');
    await user.click(await screen.findByRole('button', { name: 'Edit Support' }));
    const d = within(await screen.findByRole('dialog', { name: 'Edit Support' }));
    await user.click(d.getByLabelText('Manage Servers'));
    await user.click(d.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(d.getByRole('group', { name: 'Permissions' })).toHaveAccessibleDescription(
        /This is your own role: without manage_admins/,
      );
    });
    expect(d.getByRole('group', { name: 'Permissions' })).not.toHaveTextContent(
      'The change was refused',
    );
  });
});
