/**
 * The client area's configuration of the one API client (src/lib/api-client.ts):
 *  - no Authorization header: the session is the HttpOnly cookie `applinks_portal`, which the
 *    browser sends itself (same origin);
 *  - every POST/PATCH/DELETE goes out as JSON (`{}` when there is nothing to send): the
 *    server's CSRF defence refuses anything else;
 *  - a 401 (other than a wrong password at login) sends the user to
 *    `/portal/login?expired=1&next=<where they were>`, unless they are on the login page
 *    already (a query still in flight when the user logged out).
 */
import type { paths } from '@/api/schema';
import { createApiClient, type AuthScheme } from '@/lib/api-client';
import { isLoginPath, portalLoginUrl } from './login-url';

export const portalAuth: AuthScheme = {
  area: 'portal',
  jsonChanges: true,
  credentialPaths: new Set(['/api/v1/portal/login']),
  sessionLost(_request, here) {
    // The cookie is HttpOnly and the server has dropped it: nothing to forget here.
    if (isLoginPath(new URL(here, 'http://localhost').pathname)) return undefined;
    return portalLoginUrl({ expired: true, from: here });
  },
};

/** The client area's client. Paths are the server's full paths. */
export const portalApi = createApiClient<paths>(portalAuth);

/**
 * The same client without the 401 redirect: for asking "is anyone signed in?" on the login
 * page itself, where a 401 is an answer, not an expired session.
 */
export const portalProbeApi = createApiClient<paths>(portalAuth, { redirectOn401: false });
