import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, json, mockFetch, requests } from '@/testing/test-utils';
import {
  PortalApiError,
  portalApi,
  portalLoginUrl,
  portalUnwrap,
  isServerNext,
  safeNext,
  setPortalUnauthorizedHandler,
} from './portal-client';
import { setSession } from './session';

describe('portal client', () => {
  const onUnauthorized = vi.fn();
  let restore: () => void;

  beforeEach(() => {
    restore = setPortalUnauthorizedHandler(onUnauthorized, () => '/portal/invoices?x=1');
  });
  afterEach(() => {
    restore();
    onUnauthorized.mockReset();
  });

  it('never sends the staff bearer token; relies on the cookie', async () => {
    setSession({ token: 'staff-jwt' });
    const fetch = mockFetch(() => json({ user: { id: 1 } }));
    await portalUnwrap(portalApi.GET('/api/v1/portal/me'));
    const [req] = requests(fetch);
    expect(req!.headers.has('Authorization')).toBe(false);
    expect(req!.credentials).toBe('same-origin');
  });

  it('sends changes as JSON, with {} when there is no body', async () => {
    const fetch = mockFetch(() => json({ url: 'https://cp.example:2083/x' }));
    await portalUnwrap(
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
    const err = await portalUnwrap(
      portalApi.POST('/api/v1/portal/services/{id}/sso', { params: { path: { id: 3 } } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortalApiError);
    expect((err as PortalApiError).reason).toBe('sso_disabled');
    expect((err as PortalApiError).message).toBe('SSO authentication blocked for client 7.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('sends a 401 to the portal login with where the user was', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Your session has expired.'));
    await expect(portalUnwrap(portalApi.GET('/api/v1/portal/me'))).rejects.toThrow(
      'Your session has expired.',
    );
    expect(onUnauthorized).toHaveBeenCalledWith(
      '/portal/login?expired=1&next=%2Fportal%2Finvoices%3Fx%3D1',
    );
  });

  it('stays on the login page when a late answer is a 401 (after a logout)', async () => {
    restore();
    restore = setPortalUnauthorizedHandler(onUnauthorized, () => '/portal/login');
    mockFetch(() => apiError(401, 'unauthorized', 'Sign in first.'));
    await expect(portalUnwrap(portalApi.GET('/api/v1/portal/services'))).rejects.toThrow(
      'Sign in first.',
    );
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('treats a 401 at login as wrong credentials, not an expired session', async () => {
    mockFetch(() => apiError(401, 'unauthorized', 'Invalid email or password.'));
    await expect(
      portalUnwrap(
        portalApi.POST('/api/v1/portal/login', { body: { email: 'a@b.c', password: 'x' } }),
      ),
    ).rejects.toThrow('Invalid email or password.');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

describe('safeNext', () => {
  it.each([
    ['/portal', '/portal'],
    ['/portal/invoices', '/portal/invoices'],
    ['/portal/services/3/upgrade?tab=a#x', '/portal/services/3/upgrade?tab=a#x'],
    [
      '/sso/continue?destination=custom_pay&sub=s_1',
      '/sso/continue?destination=custom_pay&sub=s_1',
    ],
  ])('keeps %s', (input, want) => {
    expect(safeNext(input)).toBe(want);
  });

  it.each([
    'https://evil.example/portal',
    '//evil.example/portal',
    '/\\evil.example',
    '/portal\\..\\..\\x',
    '/%2F%2Fevil.example',
    '/settings',
    '/portalx',
    '/portal/login',
    '/portal/login?next=/portal',
    '/sso/redeem?access_token=x',
    '/sso/continuex',
    '/sso/fallback?destination=custom_pay',
    'javascript:alert(1)',
    'portal/invoices',
    '/portal/\ninvoices',
    '',
  ])('refuses %s', (input) => {
    expect(safeNext(input)).toBeUndefined();
  });

  it('tells the server continuation from app pages', () => {
    expect(isServerNext('/sso/continue?destination=custom_pay&sub=s_1')).toBe(true);
    expect(isServerNext('/portal/invoices?next=/sso/continue')).toBe(false);
  });

  it('builds the login URL only with a safe next', () => {
    expect(portalLoginUrl({ from: '//evil.example' })).toBe('/portal/login');
    expect(portalLoginUrl({ error: 'used_token', from: '/portal/invoices' })).toBe(
      '/portal/login?error=used_token&next=%2Fportal%2Finvoices',
    );
  });
});
