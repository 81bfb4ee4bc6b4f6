import { describe, expect, it } from 'vitest';
import { clearSession, getSession, sessionEndReason, setSession } from './session';

describe('staff session', () => {
  it('round-trips through sessionStorage', () => {
    setSession({ token: 't', expiresAt: '2999-01-01T00:00:00Z' });
    expect(getSession()?.token).toBe('t');
    expect(sessionEndReason()).toBeNull();
  });

  it('treats a session past its expiry as gone, and as expired', () => {
    setSession({ token: 't', expiresAt: '2000-01-01T00:00:00Z' });
    expect(getSession()).toBeNull();
    expect(sessionEndReason()).toBe('expired');
  });

  it('remembers why it ended until the next sign-in', () => {
    setSession({ token: 't' });
    clearSession('expired');
    expect(getSession()).toBeNull();
    expect(sessionEndReason()).toBe('expired');
    clearSession('logout');
    expect(sessionEndReason()).toBe('logout');
    setSession({ token: 'u' });
    expect(sessionEndReason()).toBeNull();
  });

  it('ignores garbage in storage', () => {
    sessionStorage.setItem('applinks.staff.session', '{not json');
    expect(getSession()).toBeNull();
    expect(sessionEndReason()).toBeNull();
  });
});
