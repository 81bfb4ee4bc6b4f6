import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiError, json, mockFetch, renderRoutes, requests, route } from '@/testing/test-utils';
import { portalRoutes } from '../router';

const ACCOUNT = {
  id: 1,
  name: 'Acme Ltd',
  status: 'Active',
  allow_sso: true,
  owner: true,
  permissions: [],
};
const CHANGE =
  'If this address is not in use by another login, it is now your sign-in e-mail. Your other changes are saved.';

/** A signed-in user whose profile PATCH answers `answer` (and then reads `after`). */
function portal(answer: () => Response, after = { id: 10, name: 'Jane', email: 'jane@acme.test' }) {
  let user = { id: 10, name: 'Jane', email: 'jane@acme.test' };
  return mockFetch(async (req) => {
    switch (route(req)) {
      case 'GET /api/v1/portal/me':
        return json({
          user,
          accounts: [ACCOUNT],
          current_account: ACCOUNT,
          owner: true,
          permissions: [],
        });
      case 'GET /api/v1/portal/profile':
        return json(user);
      case 'PATCH /api/v1/portal/profile': {
        const r = answer();
        if (r.ok) user = after;
        return r;
      }
    }
    return undefined;
  });
}

async function patchBody(fetch: ReturnType<typeof mockFetch>) {
  const r = await waitFor(() => {
    const q = requests(fetch).find((x) => route(x) === 'PATCH /api/v1/portal/profile');
    expect(q).toBeDefined();
    return q!;
  });
  return (await r.clone().json()) as Record<string, unknown>;
}

describe('Manage Profile', () => {
  it('asks for the current password only when the email changes', async () => {
    const fetch = portal(() => json({ message: 'Your profile has been saved.' }), {
      id: 10,
      name: 'Jane Doe',
      email: 'jane@acme.test',
    });
    const { user } = renderRoutes([portalRoutes], '/portal/profile');
    const name = await screen.findByLabelText(/^Name/);
    expect(screen.queryByLabelText(/Current password/)).not.toBeInTheDocument();
    await user.clear(name);
    await user.type(name, 'Jane Doe');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await patchBody(fetch)).toEqual({ name: 'Jane Doe' });
    expect(await screen.findByText('Your profile has been saved.')).toBeInTheDocument();
  });

  it('sends the current password with a new email and shows the server’s words', async () => {
    const fetch = portal(() => json({ message: CHANGE }));
    const { user } = renderRoutes([portalRoutes], '/portal/profile');
    const email = await screen.findByLabelText(/^Email/);
    await user.clear(email);
    await user.type(email, 'taken@acme.test');
    const password = screen.getByLabelText(/Current password/);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(
      await screen.findByText('Enter your current password to change your email.'),
    ).toBeInTheDocument();
    expect(requests(fetch).some((r) => route(r) === 'PATCH /api/v1/portal/profile')).toBe(false);

    await user.type(password, 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await patchBody(fetch)).toEqual({
      email: 'taken@acme.test',
      current_password: 'correct horse',
    });
    expect(await screen.findByText(CHANGE)).toBeInTheDocument();
    // The form shows the profile as read again: here the address stayed.
    await waitFor(() => {
      expect(screen.getByLabelText(/^Email/)).toHaveValue('jane@acme.test');
    });
    expect(screen.queryByLabelText(/Current password/)).not.toBeInTheDocument();
  });

  it('puts a wrong password’s refusal on the password field', async () => {
    portal(() =>
      apiError(400, 'invalid', 'The current password is incorrect.', 'current_password'),
    );
    const { user } = renderRoutes([portalRoutes], '/portal/profile');
    const email = await screen.findByLabelText(/^Email/);
    await user.clear(email);
    await user.type(email, 'new@acme.test');
    await user.type(screen.getByLabelText(/Current password/), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The current password is incorrect.')).toBeInTheDocument();
    expect(screen.getByLabelText(/Current password/)).toHaveAccessibleDescription(
      /The current password is incorrect/,
    );
  });
});
