import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { routes } from '@/app/router';
import { getSession, setSession } from '@/lib/session';
import { apiError, json, mockFetch, renderRoutes, requests } from '@/testing/test-utils';

const admin = { id: 1, email: 'admin@example.com', name: 'Ada Admin' };

function loginOk() {
  return json({ token: 'jwt-new', expires_at: '2999-01-01T00:00:00Z', admin });
}

describe('staff login page', () => {
  it('focuses the email field on arrival', () => {
    mockFetch(() => undefined);
    renderRoutes(routes, '/login');
    expect(screen.getByLabelText(/email/i)).toHaveFocus();
  });

  it('validates empty fields without calling the service', async () => {
    const fetch = mockFetch(() => undefined);
    const { user } = renderRoutes(routes, '/login');

    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(screen.getByText('Enter your email address.')).toBeInTheDocument();
    expect(screen.getByLabelText(/email/i)).toHaveFocus();
    expect(screen.getByLabelText(/email/i)).toHaveAttribute('aria-invalid', 'true');
    expect(fetch).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText(/email/i), 'admin@example.com');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(screen.getByLabelText(/password/i)).toHaveFocus();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('shows the server’s generic message, focuses it and clears the password', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Invalid email or password.'));
    const { user, router } = renderRoutes(routes, '/login');

    await user.type(screen.getByLabelText(/email/i), 'admin@example.com');
    await user.type(screen.getByLabelText(/password/i), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Invalid email or password.');
    await waitFor(() => {
      expect(alert).toHaveFocus();
    });
    expect(screen.getByLabelText(/password/i)).toHaveValue('');
    expect(screen.getByLabelText(/email/i)).toHaveValue('admin@example.com');
    expect(router.state.location.pathname).toBe('/login');
    expect(getSession()).toBeNull();
  });

  it('signs in, stores the session and continues to ?next', async () => {
    const fetch = mockFetch((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/auth/login') return loginOk();
      if (path === '/api/v1/auth/me') return json(admin);
      return undefined;
    });
    const { user, router } = renderRoutes(routes, '/login?next=%2Fservers');

    await user.type(screen.getByLabelText(/email/i), ' admin@example.com ');
    await user.type(screen.getByLabelText(/password/i), 's3cret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/servers');
    });
    expect(getSession()?.token).toBe('jwt-new');
    const loginReq = requests(fetch).find((r) => r.url.endsWith('/api/v1/auth/login'))!;
    expect(await loginReq.clone().json()).toEqual({
      email: 'admin@example.com',
      password: 's3cret',
    });
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeInTheDocument();
  });

  it('ignores an off-site ?next', async () => {
    mockFetch((req) =>
      req.url.endsWith('/auth/login')
        ? loginOk()
        : req.url.endsWith('/auth/me')
          ? json(admin)
          : undefined,
    );
    const { user, router } = renderRoutes(routes, '/login?next=%2F%2Fevil.example');
    await user.type(screen.getByLabelText(/email/i), 'admin@example.com');
    await user.type(screen.getByLabelText(/password/i), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/settings/application-links');
    });
  });

  it('lands an admin on the first page their permissions open', async () => {
    mockFetch((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v1/auth/login') {
        return json({
          token: 'jwt',
          expires_at: '2999-01-01T00:00:00Z',
          admin: { ...admin, permissions: ['manage_clients'] },
        });
      }
      if (path === '/api/v1/auth/me') return json(admin);
      if (path === '/api/v1/clients') return json({ items: [], total: 0 });
      return undefined;
    });
    const { user, router } = renderRoutes(routes, '/login');
    await user.type(screen.getByLabelText(/email/i), 'admin@example.com');
    await user.type(screen.getByLabelText(/password/i), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/clients');
    });
  });

  it('explains an expired session', () => {
    mockFetch(() => undefined);
    renderRoutes(routes, '/login?expired=1');
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has expired. Please sign in again.',
    );
  });

  it('sends a user whose token the server rejects back to the login page', async () => {
    setSession({ token: 'revoked' });
    mockFetch((req) =>
      req.url.endsWith('/api/v1/auth/me')
        ? apiError(401, 'unauthorized', 'token expired')
        : undefined,
    );
    const { router } = renderRoutes(routes, '/servers');

    expect(
      await screen.findByText('Your session has expired. Please sign in again.'),
    ).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe('?expired=1&next=%2Fservers');
    expect(getSession()).toBeNull();
  });

  it('redirects to the login page without a session', async () => {
    mockFetch(() => undefined);
    const { router } = renderRoutes(routes, '/clients');
    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/login');
    });
    expect(screen.queryByText(/expired/)).not.toBeInTheDocument();
  });
});
