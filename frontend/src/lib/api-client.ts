/**
 * The one API client. Every call to the service goes through `api` (openapi-fetch typed by the
 * generated src/api/schema.d.ts), so that:
 *  - the base URL is the page's own origin (the service serves the SPA itself);
 *  - the staff JWT is sent as `Authorization: Bearer` on every staff call;
 *  - every non-2xx answer ({"error":{"code","message","field"?}}) is thrown as an ApiError
 *    carrying the server's message, so hooks and components only ever see data or ApiError;
 *  - a 401 clears the session and sends the user to the login page (`?expired=1`).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from '@/api/schema';
import { ApiError, parseErrorBody } from './api-error';
import { clearSession, getToken } from './session';

/** Which sign-in a request belongs to: the staff dashboard or the client area. */
export type AuthArea = 'staff' | 'portal';

/** What the app does when the server says the session is gone. */
export type UnauthorizedHandler = (info: { area: AuthArea; expired: boolean }) => void;

/** Endpoints where 401 means "wrong credentials", not "session expired". */
const CREDENTIAL_ENDPOINTS = new Set(['/api/v1/auth/login', '/api/v1/portal/login']);

function areaOf(path: string): AuthArea {
  return path.startsWith('/api/v1/portal/') ? 'portal' : 'staff';
}

/** Builds the login URL to send an unauthenticated user to, remembering where they were. */
export function loginUrl(area: AuthArea, expired: boolean, from?: string): string {
  const q = new URLSearchParams();
  if (expired) q.set('expired', '1');
  if (from && !/^\/(portal\/)?login\b/.test(from)) q.set('next', from);
  const base = area === 'portal' ? '/portal/login' : '/login';
  const qs = q.toString();
  return qs ? `${base}?${qs}` : base;
}

const defaultUnauthorized: UnauthorizedHandler = ({ area, expired }) => {
  window.location.assign(
    loginUrl(area, expired, window.location.pathname + window.location.search),
  );
};

let unauthorizedHandler: UnauthorizedHandler = defaultUnauthorized;

/**
 * Replaces what happens on a 401 (the app uses its router instead of a full page load).
 * Returns a function that restores the default.
 */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): () => void {
  unauthorizedHandler = handler;
  return () => {
    unauthorizedHandler = defaultUnauthorized;
  };
}

const authMiddleware: Middleware = {
  onRequest({ request, schemaPath }) {
    request.headers.set('Accept', 'application/json');
    if (areaOf(schemaPath) === 'staff') {
      const token = getToken();
      if (token) {
        request.headers.set('Authorization', `Bearer ${token}`);
      }
    }
    return request;
  },
  async onResponse({ request, response, schemaPath }) {
    // 304 is the normal answer to a conditional status poll (If-None-Match): not an error.
    if (response.ok || response.status === 304) return undefined;

    let body: unknown = undefined;
    try {
      const text = await response.clone().text();
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const err = new ApiError(response.status, parseErrorBody(body, response.status));

    if (response.status === 401 && !CREDENTIAL_ENDPOINTS.has(schemaPath)) {
      const area = areaOf(schemaPath);
      const hadToken = area === 'staff' ? request.headers.has('Authorization') : true;
      if (area === 'staff') clearSession(hadToken ? 'expired' : 'logout');
      unauthorizedHandler({ area, expired: hadToken });
    }
    throw err;
  },
};

function origin(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

/** Creates an openapi-fetch client with the session and error handling of this module. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- openapi-fetch's own bound
export function createApiClient<Paths extends {}>(): Client<Paths> {
  const client = createClient<Paths>({
    baseUrl: origin(),
    // Resolve fetch at call time (tests replace globalThis.fetch at the boundary).
    fetch: (input: Request) => globalThis.fetch(input),
  });
  client.use(authMiddleware);
  return client;
}

/** The typed client. Paths are the server's full paths, e.g. "/api/v1/servers". */
export const api = createApiClient<paths>();

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
