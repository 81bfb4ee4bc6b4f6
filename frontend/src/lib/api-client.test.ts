import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, mockFetch, requests } from '@/testing/test-utils';
import { createApiClient, loginUrl, setUnauthorizedHandler, unwrap } from './api-client';
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

const api = createApiClient<FixturePaths>();

describe('api client', () => {
  const onUnauthorized = vi.fn();
  let restore: () => void;

  beforeEach(() => {
    restore = setUnauthorizedHandler(onUnauthorized);
  });
  afterEach(() => {
    restore();
    onUnauthorized.mockReset();
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
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('falls back to a readable message when the body is not the error envelope', async () => {
    mockFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    const err = await api.GET('/api/v1/auth/me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('unavailable');
    expect((err as ApiError).message).toMatch(/unavailable/i);
  });

  it('on 401 clears the session and reports an expired session', async () => {
    setSession({ token: 'old-jwt' });
    mockFetch(() => apiError(401, 'unauthorized', 'token expired'));

    await expect(api.GET('/api/v1/auth/me')).rejects.toMatchObject({ status: 401 });

    expect(getSession()).toBeNull();
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(onUnauthorized).toHaveBeenCalledWith({ area: 'staff', expired: true });
  });

  it('treats 401 from the login endpoint as wrong credentials, not an expired session', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Invalid email or password.'));

    await expect(
      api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'nope' } }),
    ).rejects.toThrow('Invalid email or password.');

    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('does not treat 304 Not Modified as an error', async () => {
    setSession({ token: 'jwt' });
    mockFetch(() => new Response(null, { status: 304, headers: { ETag: '"v1"' } }));
    const res = await api.GET('/api/v1/auth/me');
    expect(res.response.status).toBe(304);
  });
});

describe('loginUrl', () => {
  it('remembers where the user was, but never loops back to the login page', () => {
    expect(loginUrl('staff', true, '/servers?page=2')).toBe(
      '/login?expired=1&next=%2Fservers%3Fpage%3D2',
    );
    expect(loginUrl('staff', false, '/login?expired=1')).toBe('/login');
    expect(loginUrl('portal', true)).toBe('/portal/login?expired=1');
  });
});
