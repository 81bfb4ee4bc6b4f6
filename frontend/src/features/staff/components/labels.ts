/**
 * The staff permissions, in the API's display order (links.AllPermissions in the service; the
 * API refuses any other key), with the names the dashboard gives the pages they open.
 */
export const STAFF_PERMISSIONS: { key: string; label: string; hint: string }[] = [
  {
    key: 'configure_application_links',
    label: 'Configure Application Links',
    hint: 'Application Links and Operations: enable, configure, view the log.',
  },
  { key: 'manage_servers', label: 'Manage Servers', hint: 'Add, edit, test and remove servers.' },
  {
    key: 'manage_clients',
    label: 'Manage Clients',
    hint: 'Clients, their users and hosting accounts.',
  },
  {
    key: 'manage_admins',
    label: 'Manage Staff',
    hint: 'Administrators and roles (this page).',
  },
  {
    key: 'manage_api_credentials',
    label: 'Manage API Credentials',
    hint: 'Trusted applications that create single sign-on tokens.',
  },
  { key: 'view_sso_events', label: 'View SSO Activity', hint: 'The single sign-on audit.' },
  {
    key: 'view_audit_log',
    label: 'View Audit Log',
    hint: 'Every change made by staff, API credentials and account owners.',
  },
  {
    key: 'manage_webhooks',
    label: 'Manage Webhooks',
    hint: 'Webhook subscriptions, their secrets and delivery log.',
  },
];

export const MANAGE_ADMINS = 'manage_admins';
export const VIEW_AUDIT_LOG = 'view_audit_log';
export const MANAGE_WEBHOOKS = 'manage_webhooks';

/** The human name of a permission key (the key itself when unknown). */
export function permissionLabel(key: string): string {
  return STAFF_PERMISSIONS.find((p) => p.key === key)?.label ?? key;
}

/** The permissions of a role in catalogue order, unknown keys last. */
export function sortPermissions(keys: string[]): string[] {
  const order = (k: string) => {
    const i = STAFF_PERMISSIONS.findIndex((p) => p.key === k);
    return i < 0 ? STAFF_PERMISSIONS.length : i;
  };
  return [...keys].sort((a, b) => order(a) - order(b));
}
