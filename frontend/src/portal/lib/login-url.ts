/** Where the client area sends a user to sign in, and where it lets them continue afterwards. */

const LOGIN_PATH = '/portal/login';

/** Whether a path is the client area's login page (or below it). */
export function isLoginPath(path: string): boolean {
  return path === LOGIN_PATH || path.startsWith(`${LOGIN_PATH}/`);
}

/**
 * The server's continuation of a custom link whose target is external (`/sso/fallback` sends
 * the sign-in there): a page of the server, not of this app, so it is left by a full page load.
 */
export const SSO_CONTINUE_PATH = '/sso/continue';

/** Whether a (safeNext-checked) `next` is the server's continuation rather than an app page. */
export function isServerNext(next: string): boolean {
  return new URL(next, 'http://portal.invalid').pathname === SSO_CONTINUE_PATH;
}

/**
 * Returns `next` when it is a same-origin client-area path (`/portal` or below, not the login
 * page itself) or the server's continuation (`/sso/continue?...`), otherwise undefined. This is what keeps `?next=` from being an open redirect:
 * no scheme, no host, no `//`, no backslash, no control characters, nothing outside /portal.
 */
export function safeNext(next: string | null | undefined): string | undefined {
  if (!next || next.length > 1000) return undefined;
  if (!next.startsWith('/') || next.startsWith('//')) return undefined;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\\\s\u0000-\u001f\u007f]/.test(next)) return undefined;
  let url: URL;
  try {
    url = new URL(next, 'http://portal.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://portal.invalid') return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (decoded.startsWith('//') || decoded.includes('\\')) return undefined;
  const p = url.pathname;
  if (p !== '/portal' && !p.startsWith('/portal/') && p !== SSO_CONTINUE_PATH) return undefined;
  if (isLoginPath(p)) return undefined;
  return p + url.search + url.hash;
}

/** The client-area login URL, remembering where the user was (when that is a safe place). */
export function portalLoginUrl(opts: { expired?: boolean; from?: string; error?: string } = {}) {
  const q = new URLSearchParams();
  if (opts.error) q.set('error', opts.error);
  if (opts.expired) q.set('expired', '1');
  const next = safeNext(opts.from);
  if (next) q.set('next', next);
  const qs = q.toString();
  return qs ? `${LOGIN_PATH}?${qs}` : LOGIN_PATH;
}
