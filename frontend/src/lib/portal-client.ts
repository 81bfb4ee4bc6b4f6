/**
 * The client-area (portal) API client, separate from the staff client (`api-client.ts`):
 *  - no Authorization header: the session is the HttpOnly cookie `applinks_portal`, sent by the
 *    browser itself (same origin, `credentials: 'same-origin'`);
 *  - every POST/PATCH/DELETE goes out as JSON (`Content-Type: application/json`, `{}` when there
 *    is nothing to send): the server's CSRF defence refuses anything else;
 *  - every error answer is thrown as a `PortalApiError` (an ApiError plus the SSO refusal
 *    `reason` when the server gives one);
 *  - a 401 (other than a wrong password at login) sends the user to
 *    `/portal/login?expired=1&next=<where they were>`.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '@/api/schema';
import { ApiError, parseErrorBody } from './api-error';

/** A failed client-area call; `reason` is the SSO refusal code (e.g. sso_disabled) if any. */
export class PortalApiError extends ApiError {
  readonly reason: string | undefined;

  constructor(status: number, body: unknown) {
    super(status, parseErrorBody(body, status));
    let reason: string | undefined;
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const e = body.error;
      if (typeof e === 'object' && e !== null && 'reason' in e && typeof e.reason === 'string') {
        reason = e.reason || undefined;
      }
    }
    this.reason = reason;
  }
}

export const PORTAL_LOGIN_PATH = '/portal/login';
export const PORTAL_HOME_PATH = '/portal';

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

/** Whether a path is the client area's login page (or below it). */
function isLoginPath(path: string): boolean {
  return path === PORTAL_LOGIN_PATH || path.startsWith(`${PORTAL_LOGIN_PATH}/`);
}

/** The client-area login URL, remembering where the user was (when that is a safe place). */
export function portalLoginUrl(opts: { expired?: boolean; from?: string; error?: string } = {}) {
  const q = new URLSearchParams();
  if (opts.error) q.set('error', opts.error);
  if (opts.expired) q.set('expired', '1');
  const next = safeNext(opts.from);
  if (next) q.set('next', next);
  const qs = q.toString();
  return qs ? `${PORTAL_LOGIN_PATH}?${qs}` : PORTAL_LOGIN_PATH;
}

/**
 * Whether the user is on the login page already: a 401 there (a query still in flight when
 * the user logged out) needs no redirect, least of all one saying the session expired.
 */
function onLoginPage(location: string): boolean {
  return isLoginPath(new URL(location, 'http://localhost').pathname);
}

/** What the app does when the client-area session is gone. */
export type PortalUnauthorizedHandler = (loginUrl: string) => void;

function here(): string {
  return window.location.pathname + window.location.search;
}

const defaultHandler: PortalUnauthorizedHandler = (url) => {
  window.location.assign(url);
};
let unauthorizedHandler: PortalUnauthorizedHandler = defaultHandler;
let currentLocation: () => string = here;

/**
 * Replaces what a 401 does (the portal layout navigates with the router instead of reloading)
 * and how the current location is read. Returns a function that restores the defaults.
 */
export function setPortalUnauthorizedHandler(
  handler: PortalUnauthorizedHandler,
  location: () => string = here,
): () => void {
  unauthorizedHandler = handler;
  currentLocation = location;
  return () => {
    unauthorizedHandler = defaultHandler;
    currentLocation = here;
  };
}

/** Paths where 401 means "wrong e-mail or password", not "session expired". */
const CREDENTIAL_PATHS = new Set(['/api/v1/portal/login']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function portalMiddleware(redirectOn401: boolean): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('Accept', 'application/json');
      if (UNSAFE.has(request.method)) {
        request.headers.set('Content-Type', 'application/json');
        // The server accepts only JSON bodies on changes: send {} rather than nothing.
        const body = request.body ? await request.clone().text() : '';
        if (body === '') {
          return new Request(request, { body: '{}' });
        }
      }
      return request;
    },
    async onResponse({ response, schemaPath }) {
      if (response.ok || response.status === 304) return undefined;
      let body: unknown = undefined;
      try {
        const text = await response.clone().text();
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const err = new PortalApiError(response.status, body);
      if (
        redirectOn401 &&
        response.status === 401 &&
        !CREDENTIAL_PATHS.has(schemaPath) &&
        !onLoginPage(currentLocation())
      ) {
        unauthorizedHandler(portalLoginUrl({ expired: true, from: currentLocation() }));
      }
      throw err;
    },
  };
}

function origin(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

/** Creates an openapi-fetch client with the cookie session and error handling of this module. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- openapi-fetch's own bound
export function createPortalClient<Paths extends {}>(
  opts: { redirectOn401?: boolean } = {},
): Client<Paths> {
  const client = createClient<Paths>({
    baseUrl: origin(),
    credentials: 'same-origin',
    // Resolve fetch at call time (tests replace globalThis.fetch at the boundary).
    fetch: (input: Request) => globalThis.fetch(input),
  });
  client.use(portalMiddleware(opts.redirectOn401 ?? true));
  return client;
}

/** The typed client-area client. Paths are the server's full paths. */
export const portalApi = createPortalClient<paths>();

/**
 * The same client without the 401 redirect: for asking "is anyone signed in?" on the login
 * page itself, where a 401 is an answer, not an expired session.
 */
export const portalProbeApi = createPortalClient<paths>({ redirectOn401: false });

/** Returns the data of a successful call (the middleware already threw every error). */
export async function portalUnwrap<D>(
  call: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw new PortalApiError(response.status, error);
  }
  return data as D;
}
