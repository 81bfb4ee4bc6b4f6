import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { portalApi, portalProbeApi } from '@/portal/lib/api-client';
import { apiError, json, mockFetch, requests } from '@/testing/test-utils';
import { createApiClient, loginUrl, setUnauthorizedHandler, staffAuth, unwrap } from './api-client';
import { ApiError } from './api-error';
import { getSession, setSession } from './session';

/**
 * A two-endpoint path map in openapi-typescript's shape. It is a test fixture for the client's
 * mechanics (auth header, errors, 401), which do not depend on the real, generated schema.
 */
interface FixturePaths {
  '/api/v1/auth/login': {
    post: {
      requestBody: { content: { 'application/json': { email: string; password: string } } };
      responses: { 200: { content: { 'application/json': { token: string } } } };
    };
  };
  '/api/v1/auth/me': {
    get: {
      responses: { 200: { content: { 'application/json': { id: number; email: string } } } };
    };
  };
}

const api = createApiClient<FixturePaths>(staffAuth);

/** Replaces the 401 handler of `area` with a spy on where it navigates, from `here`. */
function spyOnUnauthorized(area: 'staff' | 'portal', here: string) {
  const navigate = vi.fn();
  const restore = setUnauthorizedHandler(area, { navigate, here: () => here });
  return { navigate, restore };
}

describe('api client, staff scheme', () => {
  let spy: ReturnType<typeof spyOnUnauthorized>;

  beforeEach(() => {
    spy = spyOnUnauthorized('staff', '/servers?page=2');
  });
  afterEach(() => {
    spy.restore();
  });

  it('sends the staff token as a bearer header to the page origin', async () => {
    setSession({ token: 'jwt-123' });
    const fetch = mockFetch(() => json({ id: 1, email: 'a@example.com' }));

    const me = await unwrap(api.GET('/api/v1/auth/me'));

    expect(me).toEqual({ id: 1, email: 'a@example.com' });
    const [req] = requests(fetch);
    expect(req!.headers.get('Authorization')).toBe('Bearer jwt-123');
    expect(new URL(req!.url).origin).toBe(window.location.origin);
    expect(new URL(req!.url).pathname).toBe('/api/v1/auth/me');
  });

  it('sends no Authorization header without a session', async () => {
    const fetch = mockFetch(() => json({ token: 't', expires_at: '2999-01-01T00:00:00Z' }));
    await unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } }));
    expect(requests(fetch)[0]!.headers.has('Authorization')).toBe(false);
  });

  it('throws an ApiError carrying the server message, code and field', async () => {
    setSession({ token: 'jwt' });
    mockFetch(() => apiError(400, 'invalid', 'label must be 1 to 64 characters', 'label'));

    const err = await api.GET('/api/v1/auth/me').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: 'invalid',
      field: 'label',
      message: 'label must be 1 to 64 characters',
    });
    expect(getSession()).not.toBeNull();
    expect(spy.navigate).not.toHaveBeenCalled();
  });

  it('falls back to a readable message when the body is not the error envelope', async () => {
    mockFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    const err = await api.GET('/api/v1/auth/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unavailable');
    expect((err as ApiError).message).toMatch(/unavailable/i);
  });

  it('on 401 clears the session and sends to the login page as expired', async () => {
    setSession({ token: 'old-jwt' });
    mockFetch(() => apiError(401, 'unauthorized', 'token expired'));

    await expect(api.GET('/api/v1/auth/me')).rejects.toMatchObject({ status: 401 });

    expect(getSession()).toBeNull();
    expect(spy.navigate).toHaveBeenCalledOnce();
    expect(spy.navigate).toHaveBeenCalledWith('/login?expired=1&next=%2Fservers%3Fpage%3D2');
  });

  it('treats 401 from the login endpoint as wrong credentials, not an expired session', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Invalid email or password.'));

    await expect(
      api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'nope' } }),
    ).rejects.toThrow('Invalid email or password.');

    expect(spy.navigate).not.toHaveBeenCalled();
  });

  it('does not treat 304 Not Modified as an error', async () => {
    setSession({ token: 'jwt' });
    mockFetch(() => new Response(null, { status: 304, headers: { ETag: '"v1"' } }));
    const res = await api.GET('/api/v1/auth/me');
    expect(res.response.status).toBe(304);
  });
});

describe('api client, client-area scheme', () => {
  let spy: ReturnType<typeof spyOnUnauthorized>;

  beforeEach(() => {
    spy = spyOnUnauthorized('portal', '/portal/invoices?x=1');
  });
  afterEach(() => {
    spy.restore();
  });

  it('never sends the staff bearer token; relies on the cookie', async () => {
    setSession({ token: 'staff-jwt' });
    const fetch = mockFetch(() => json({ user: { id: 1 } }));
    await unwrap(portalApi.GET('/api/v1/portal/me'));
    const [req] = requests(fetch);
    expect(req!.headers.has('Authorization')).toBe(false);
    expect(req!.credentials).toBe('same-origin');
  });

  it('sends changes as JSON, with {} when there is no body', async () => {
    const fetch = mockFetch(() => json({ url: 'https://cp.example:2083/x' }));
    await unwrap(
      portalApi.POST('/api/v1/portal/services/{id}/sso', { params: { path: { id: 3 } } }),
    );
    const [req] = requests(fetch);
    expect(req!.method).toBe('POST');
    expect(req!.headers.get('Content-Type')).toBe('application/json');
    expect(await req!.text()).toBe('{}');
  });

  it('throws the server message and the SSO refusal reason', async () => {
    mockFetch(() =>
      json(
        {
          error: {
            code: 'forbidden',
            message: 'SSO authentication blocked for client 7.',
            reason: 'sso_disabled',
          },
        },
        403,
      ),
    );
    const err = await unwrap(
      portalApi.POST('/api/v1/portal/services/{id}/sso', { params: { path: { id: 3 } } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).reason).toBe('sso_disabled');
    expect((err as ApiError).message).toBe('SSO authentication blocked for client 7.');
    expect(spy.navigate).not.toHaveBeenCalled();
  });

  it('sends a 401 to the portal login with where the user was', async () => {
    setSession({ token: 'staff-jwt' });
    mockFetch(() => apiError(401, 'unauthorized', 'Your session has expired.'));
    await expect(unwrap(portalApi.GET('/api/v1/portal/me'))).rejects.toThrow(
      'Your session has expired.',
    );
    expect(spy.navigate).toHaveBeenCalledWith(
      '/portal/login?expired=1&next=%2Fportal%2Finvoices%3Fx%3D1',
    );
    // The client area's 401 is not the staff session's.
    expect(getSession()).not.toBeNull();
  });

  it('stays on the login page when a late answer is a 401 (after a logout)', async () => {
    spy.restore();
    spy = spyOnUnauthorized('portal', '/portal/login');
    mockFetch(() => apiError(401, 'unauthorized', 'Sign in first.'));
    await expect(unwrap(portalApi.GET('/api/v1/portal/services'))).rejects.toThrow(
      'Sign in first.',
    );
    expect(spy.navigate).not.toHaveBeenCalled();
  });

  it('lets the probe client answer a 401 without leaving the page', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Sign in first.'));
    await expect(unwrap(portalProbeApi.GET('/api/v1/portal/me'))).rejects.toMatchObject({
      status: 401,
    });
    expect(spy.navigate).not.toHaveBeenCalled();
  });

  it('treats a 401 at login as wrong credentials, not an expired session', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Invalid email or password.'));
    await expect(
      unwrap(portalApi.POST('/api/v1/portal/login', { body: { email: 'a@b.c', password: 'x' } })),
    ).rejects.toThrow('Invalid email or password.');
    expect(spy.navigate).not.toHaveBeenCalled();
  });
});

describe('loginUrl', () => {
  it('remembers where the user was, but never loops back to the login page', () => {
    expect(loginUrl(true, '/servers?page=2')).toBe('/login?expired=1&next=%2Fservers%3Fpage%3D2');
    expect(loginUrl(false, '/login?expired=1')).toBe('/login');
    expect(loginUrl(true)).toBe('/login?expired=1');
  });
});
