/**
 * The staff session: the JWT from POST /api/v1/auth/login, kept in sessionStorage so that it
 * dies with the tab and is never readable by other tabs' long-lived storage.
 */

const KEY = 'applinks.staff.session';

/** What the dashboard keeps about a signed-in staff member. */
export interface StaffSession {
  token: string;
  /** RFC 3339 time after which the server rejects the token. */
  expiresAt?: string | undefined;
  admin?: { id?: number; email?: string; name?: string; permissions?: string[] } | undefined;
}

type Listener = () => void;
const listeners = new Set<Listener>();

function notify(): void {
  for (const l of listeners) l();
}

/** Returns the stored session, or null when absent, unreadable or already expired. */
export function getSession(): StaffSession | null {
  let raw: string | null;
  try {
    raw = sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<StaffSession>;
    if (typeof parsed.token !== 'string' || parsed.token === '') return null;
    if (parsed.expiresAt && Date.parse(parsed.expiresAt) <= Date.now()) return null;
    return parsed as StaffSession;
  } catch {
    return null;
  }
}

/** Returns the bearer token of the current session, if any. */
export function getToken(): string | null {
  return getSession()?.token ?? null;
}

/** Stores a new session (after a successful login). */
export function setSession(session: StaffSession): void {
  sessionStorage.removeItem(END_KEY);
  sessionStorage.setItem(KEY, JSON.stringify(session));
  notify();
}

/**
 * Why the last session ended, kept beside it in sessionStorage so that every redirect to
 * /login (and a reload on the way) agrees on "expired".
 */
const END_KEY = 'applinks.staff.ended';

type EndReason = 'expired' | 'logout';

/** Forgets the session (logout, or the server answered 401 and it has `expired`). */
export function clearSession(reason: EndReason | null = 'logout'): void {
  try {
    sessionStorage.removeItem(KEY);
    if (reason) sessionStorage.setItem(END_KEY, reason);
    else sessionStorage.removeItem(END_KEY);
  } catch {
    // Storage disabled: nothing was stored either.
  }
  notify();
}

/** How the last session in this tab ended: by the server (401), by the user, or not at all. */
export function sessionEndReason(): EndReason | null {
  try {
    const v = sessionStorage.getItem(END_KEY);
    if (v === 'expired' || v === 'logout') return v;
    // A stored session past its expires_at also ended by itself, without a 401.
    const raw = sessionStorage.getItem(KEY);
    if (raw) {
      const { expiresAt } = JSON.parse(raw) as Partial<StaffSession>;
      if (expiresAt && Date.parse(expiresAt) <= Date.now()) return 'expired';
    }
    return null;
  } catch {
    return null;
  }
}

/** Subscribes to session changes; for useSyncExternalStore. */
export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
