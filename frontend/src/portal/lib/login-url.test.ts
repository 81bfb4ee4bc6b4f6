import { describe, expect, it } from 'vitest';
import { isServerNext, portalLoginUrl, safeNext } from './login-url';

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
