import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { useNavigate } from 'react-router';
import { api } from './api-client';
import { clearSession, getSession, subscribeSession, type StaffSession } from './session';

let cached: { raw: string | null; value: StaffSession | null } = { raw: null, value: null };

function snapshot(): StaffSession | null {
  // useSyncExternalStore needs a stable reference while nothing changed.
  const next = getSession();
  const raw = next ? JSON.stringify(next) : null;
  if (raw !== cached.raw) cached = { raw, value: next };
  return cached.value;
}

/** The current staff session, re-rendering when it changes (login, logout, 401). */
export function useStaffSession(): StaffSession | null {
  return useSyncExternalStore(subscribeSession, snapshot, () => null);
}

/**
 * Signs the staff member out: ends the session on the server (every token of this staff member,
 * on every device), then forgets the token and cached data here and goes to the login page. A
 * failed or refused sign-out call still signs out locally.
 */
export function useLogout(): () => void {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useCallback(() => {
    void api
      .POST('/api/v1/auth/logout')
      .catch(() => undefined)
      .finally(() => {
        clearSession();
        queryClient.clear();
        void navigate('/login', { replace: true });
      });
  }, [navigate, queryClient]);
}

/** Accepts only same-origin relative paths as a post-login destination (no open redirect). */
export function safeNext(next: string | null, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

/**
 * Whether the signed-in admin's role has `permission`. Without a permission list (an older
 * session) it says yes, and the API's 403 explains.
 */
export function useHasPermission(permission: string): boolean {
  const perms = useStaffSession()?.admin?.permissions;
  return !perms || perms.includes(permission);
}
