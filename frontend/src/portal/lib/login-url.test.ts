import { describe, expect, it } from 'vitest';
import { portalLoginUrl, safeNext } from './login-url';

describe('safeNext', () => {
  it.each([
    ['/portal', '/portal'],
    ['/portal/invoices', '/portal/invoices'],
    ['/portal/services/3/upgrade?tab=a#x', '/portal/services/3/upgrade?tab=a#x'],
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
    'javascript:alert(1)',
    'portal/invoices',
    '/portal/\ninvoices',
    '',
  ])('refuses %s', (input) => {
    expect(safeNext(input)).toBeUndefined();
  });

  it('builds the login URL only with a safe next', () => {
    expect(portalLoginUrl({ from: '//evil.example' })).toBe('/portal/login');
    expect(portalLoginUrl({ error: 'used_token', from: '/portal/invoices' })).toBe(
      '/portal/login?error=used_token&next=%2Fportal%2Finvoices',
    );
  });
});
