// An in-memory stand-in for the service's REST API, installed with page.route(), so the
// browser journeys are deterministic and need no Go build. Shapes follow docs/swagger.json.
// Anything not handled answers 404 with the error envelope, like the real router.

// The built-in Full Administrator, as GET /auth/me answers it: every staff permission.
export const ADMIN = {
  id: 1,
  email: 'admin@example.com',
  name: 'Ada Admin',
  role_id: 1,
  role: 'Full Administrator',
  active: true,
  created_at: '2026-01-01T00:00:00Z',
  permissions: [
    'configure_application_links',
    'manage_servers',
    'manage_clients',
    'manage_admins',
    'manage_api_credentials',
    'view_sso_events',
  ],
};
export const PASSWORD = 'correct horse';

function reply(route, status, body, headers = {}) {
  return route.fulfill({
    status,
    contentType: 'application/json',
    headers,
    body: body === undefined ? '' : JSON.stringify(body),
  });
}

function err(route, status, code, message, field) {
  return reply(route, status, { error: { code, message, ...(field ? { field } : {}) } });
}

/** Creates the fake's state; tests may tweak it (e.g. `state.tokenValid = false`). */
export function createState() {
  return { tokenValid: true, token: 'e2e-jwt', calls: [] };
}

/** Installs the fake API on a page (or context). */
export async function installFakeApi(target, state = createState()) {
  await target.route('**/api/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname;
    const method = req.method();
    state.calls.push(`${method} ${path}`);

    if (method === 'POST' && path === '/api/v1/auth/login') {
      const body = req.postDataJSON();
      if (body?.email === ADMIN.email && body?.password === PASSWORD) {
        return reply(route, 200, {
          token: state.token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          admin: ADMIN,
        });
      }
      return err(route, 401, 'unauthorized', 'Invalid email or password.');
    }

    const auth = req.headers()['authorization'];
    if (!state.tokenValid || auth !== `Bearer ${state.token}`) {
      return err(route, 401, 'unauthorized', 'Your session is not valid.');
    }

    if (method === 'GET' && path === '/api/v1/auth/me') return reply(route, 200, ADMIN);

    if (state.handle) {
      // A handler answers by returning reply(...)/err(...) (a promise), or undefined to pass.
      const handled = state.handle({ route, req, url, path, method, reply, err });
      if (handled !== undefined) return await handled;
    }
    return err(route, 404, 'not_found', `No route ${method} ${path}`);
  });
  return state;
}
