/** Query keys of the client area. Everything hangs under ['portal'], cleared on logout/switch. */
export const portalKeys = {
  all: ['portal'] as const,
  me: () => ['portal', 'me'] as const,
  services: () => ['portal', 'services'] as const,
  service: (id: number) => ['portal', 'services', id] as const,
  profile: () => ['portal', 'profile'] as const,
  security: () => ['portal', 'security'] as const,
  users: () => ['portal', 'users'] as const,
  networkStatus: () => ['portal', 'network-status'] as const,
  ssoEvents: (page: number) => ['portal', 'sso-events', page] as const,
  activity: (page: number) => ['portal', 'activity', page] as const,
  /** Outside ['portal'] on purpose: the login page's probe outlives clearing the portal data. */
  sessionProbe: () => ['portal-session-probe'] as const,
};
