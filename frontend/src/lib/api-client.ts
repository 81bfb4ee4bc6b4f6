/**
 * The one API client of the SPA. Every call to the service, from the staff dashboard and from
 * the client area alike, goes through a client made by `createApiClient` (openapi-fetch typed by
 * the generated src/api/schema.d.ts), so that:
 *  - the base URL is the page's own origin (the service serves the SPA itself), and requests
 *    carry same-origin cookies;
 *  - every non-2xx answer ({"error":{"code","message","field"?,"reason"?}}) is thrown as an
 *    ApiError carrying the server's message, so hooks and components only ever see data or
 *    ApiError;
 *  - a 401 outside the sign-in endpoints means the session is gone: the scheme forgets what it
 *    keeps and the app goes to its login page (`?expired=1&next=…`).
 * How a request is signed in is configuration, an AuthScheme: the staff dashboard's `staffAuth`
 * (below: the JWT as `Authorization: Bearer`) and the client area's `portalAuth`
 * (src/portal/lib/api-client.ts: the HttpOnly session cookie, JSON bodies for its CSRF check).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '@/api/schema';
import { ApiError, parseErrorBody } from './api-error';
import { clearSession, getToken } from './session';

/** Which sign-in a client belongs to: the staff dashboard or the client area. */
export type AuthArea = 'staff' | 'portal';

/** How one application's requests are signed in, and what its lost session means. */
export interface AuthScheme {
  /** Whose 401 handler runs when the session is lost (see setUnauthorizedHandler). */
  readonly area: AuthArea;
  /** Adds the credentials to an outgoing request (e.g. a bearer header), if it has any. */
  authorize?(request: Request): void;
  /** Send every POST/PUT/PATCH/DELETE as JSON, `{}` when there is nothing to send. */
  readonly jsonChanges: boolean;
  /** Paths where a 401 means wrong credentials, not a lost session. */
  readonly credentialPaths: ReadonlySet<string>;
  /**
   * Any other 401: forgets what the scheme keeps about the session and returns the login URL to
   * send the user to from `here` (path and query), or undefined to stay where they are.
   */
  sessionLost(request: Request, here: string): string | undefined;
}

/** What an app does with a lost session: how it navigates, and where the user is now. */
export interface UnauthorizedHandler {
  navigate(url: string): void;
  here(): string;
}

const browserHandler: UnauthorizedHandler = {
  navigate: (url) => {
    window.location.assign(url);
  },
  here: () => window.location.pathname + window.location.search,
};

const handlers: Record<AuthArea, UnauthorizedHandler> = {
  staff: browserHandler,
  portal: browserHandler,
};

/**
 * Replaces what a lost session of `area` does (the app navigates with its router instead of a
 * full page load, and reads the location from it). Returns a function that restores the default.
 */
export function setUnauthorizedHandler(area: AuthArea, handler: UnauthorizedHandler): () => void {
  handlers[area] = handler;
  return () => {
    handlers[area] = browserHandler;
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.clone().text();
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function middleware(auth: AuthScheme, redirectOn401: boolean): Middleware {
  return {
    async onRequest({ request }) {
      request.headers.set('Accept', 'application/json');
      auth.authorize?.(request);
      if (auth.jsonChanges && UNSAFE.has(request.method)) {
        request.headers.set('Content-Type', 'application/json');
        const body = request.body ? await request.clone().text() : '';
        if (body === '') return new Request(request, { body: '{}' });
      }
      return request;
    },
    async onResponse({ request, response, schemaPath }) {
      // 304 is the normal answer to a conditional status poll (If-None-Match): not an error.
      if (response.ok || response.status === 304) return undefined;
      const body = await readJson(response);
      const err = new ApiError(response.status, parseErrorBody(body, response.status));
      if (redirectOn401 && response.status === 401 && !auth.credentialPaths.has(schemaPath)) {
        const handler = handlers[auth.area];
        const url = auth.sessionLost(request, handler.here());
        if (url !== undefined) handler.navigate(url);
      }
      throw err;
    },
  };
}

function origin(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

/**
 * Creates a typed client signed in by `auth`. `redirectOn401: false` is for asking "is anyone
 * signed in?", where a 401 is an answer, not a lost session.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- openapi-fetch's own bound
export function createApiClient<Paths extends {}>(
  auth: AuthScheme,
  opts: { redirectOn401?: boolean } = {},
): Client<Paths> {
  const client = createClient<Paths>({
    baseUrl: origin(),
    credentials: 'same-origin',
    // Resolve fetch at call time (tests replace globalThis.fetch at the boundary).
    fetch: (input: Request) => globalThis.fetch(input),
  });
  client.use(middleware(auth, opts.redirectOn401 ?? true));
  return client;
}

/**
 * Returns the data of a successful openapi-fetch call. The middleware already throws ApiError
 * for every error status; this only narrows the union for TypeScript (and guards anyway).
 */
export async function unwrap<D>(
  call: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await call;
  if (error !== undefined || (!response.ok && response.status !== 304)) {
    throw new ApiError(response.status, parseErrorBody(error, response.status));
  }
  return data as D;
}

/** The staff login URL, remembering where the user was (never the login page itself). */
export function loginUrl(expired: boolean, from?: string): string {
  const q = new URLSearchParams();
  if (expired) q.set('expired', '1');
  if (from && !/^\/login\b/.test(from)) q.set('next', from);
  const qs = q.toString();
  return qs ? `/login?${qs}` : '/login';
}

/**
 * The staff dashboard's scheme: the JWT of the staff session (src/lib/session.ts) as
 * `Authorization: Bearer`. A 401 ends the session: "expired" when a token was sent, otherwise
 * there was none to lose.
 */
export const staffAuth: AuthScheme = {
  area: 'staff',
  authorize(request) {
    const token = getToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
  },
  jsonChanges: false,
  credentialPaths: new Set(['/api/v1/auth/login']),
  sessionLost(request, here) {
    const expired = request.headers.has('Authorization');
    clearSession(expired ? 'expired' : 'logout');
    return loginUrl(expired, here);
  },
};

/** The staff dashboard's client. Paths are the server's full paths, e.g. "/api/v1/servers". */
export const api = createApiClient<paths>(staffAuth);
