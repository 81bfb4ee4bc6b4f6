/** The client the clients' route tests read: Acme Ltd (#3), owned by Jane Owner (user 10). */
export const acme = {
  id: 3,
  name: 'Acme Ltd',
  email: 'billing@acme.test',
  status: 'Active',
  allow_sso: true,
  owner_user_id: 10,
  updated_at: '2026-11-28T10:00:00Z',
};

/** Acme's owner, as a membership of the client. */
export const acmeOwner = {
  client_id: 3,
  user_id: 10,
  owner: true,
  permissions: [],
  user: { id: 10, name: 'Jane Owner', email: 'jane@acme.test' },
};

/** A member of Acme who is not the owner; each test sets the permissions it is about. */
export function acmeMember(permissions: string[]) {
  return {
    client_id: 3,
    user_id: 11,
    owner: false,
    permissions,
    user: { id: 11, name: 'Dev Eloper', email: 'dev@acme.test' },
  };
}

/** Acme's cPanel hosting account (service #7 on server #1), its links up to date. */
export const acmeService = {
  id: 7,
  client_id: 3,
  server_id: 1,
  module: 'cpanel',
  username: 'acme',
  domain: 'acme.test',
  status: 'Active',
  created_at: '2026-11-28T10:00:00Z',
  updated_at: '2026-11-28T10:00:00Z',
  link_state: {
    state: 'up_to_date',
    last_error: '',
    attempts: 0,
    next_attempt_at: null,
    confirmed_at: '2026-11-28T10:05:00Z',
  },
};
