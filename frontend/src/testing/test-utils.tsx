import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, type RouteObject } from 'react-router';
import { vi } from 'vitest';
import { AppProvider } from '@/app/provider';
import { setSession } from '@/lib/session';

/** A route handler for the fetch mock: return a Response, or undefined for "not handled". */
export type FetchHandler = (req: Request) => Response | undefined | Promise<Response | undefined>;

/** A JSON Response, as the service would send it. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** The service's error envelope. */
export function apiError(status: number, code: string, message: string, field?: string): Response {
  return json({ error: { code, message, ...(field ? { field } : {}) } }, status);
}

/**
 * Replaces globalThis.fetch (the network boundary) with `handler`. Unhandled requests fail
 * the test loudly. Returns the mock to inspect the requests made.
 */
export function mockFetch(handler: FetchHandler) {
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const res = await handler(req);
    if (!res) throw new Error(`unexpected request: ${req.method} ${new URL(req.url).pathname}`);
    return res;
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

/** The requests a fetch mock received, as Request objects. */
export function requests(fn: ReturnType<typeof mockFetch>): Request[] {
  return fn.mock.calls.map(([input]) => input as Request);
}

/** Renders route objects in a memory router through the real AppProvider. */
export function renderRoutes(routes: RouteObject[], url: string) {
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  const user = userEvent.setup();
  const queryClient = testQueryClient();
  const utils = render(<AppProvider router={router} queryClient={queryClient} />);
  return { ...utils, router, user, queryClient };
}

/**
 * Signs a staff member in (a session in sessionStorage) and returns a fetch handler wrapper
 * that also answers GET /api/v1/auth/me, which every dashboard page asks first.
 */
export function signedIn(handler: FetchHandler): FetchHandler {
  setSession({
    token: 'test-jwt',
    admin: { id: 1, email: 'admin@example.com', name: 'Ada Admin' },
  });
  return (req) => {
    const url = new URL(req.url);
    if (req.method === 'GET' && url.pathname === '/api/v1/auth/me') {
      return json({ id: 1, email: 'admin@example.com', name: 'Ada Admin', permissions: [] });
    }
    return handler(req);
  };
}

/** Path and method of a request, e.g. "PATCH /api/v1/servers/1". */
export function route(req: Request): string {
  return `${req.method} ${new URL(req.url).pathname}`;
}

/** A QueryClient for tests: no retries, no caching between tests. */
export function testQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
}

/**
 * A handler for one route (e.g. "POST /api/v1/roles") that answers its first request with
 * `first` and every later one with `then()`, and leaves other routes unhandled: a form that shows
 * the API's refusal, then goes through.
 */
export function failsOnce(
  key: string,
  first: Response,
  then: () => Response,
): (req: Request) => Response | undefined {
  let calls = 0;
  return (req) => {
    if (route(req) !== key) return undefined;
    calls++;
    return calls === 1 ? first : then();
  };
}
