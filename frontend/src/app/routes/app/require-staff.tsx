import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { PermissionDenied } from '@/components/ui/states';
import { useMe } from '@/features/auth/api/get-me';
import { loginUrl } from '@/lib/api-client';
import { useStaffSession } from '@/lib/auth';
import { sessionEndReason } from '@/lib/session';

/**
 * Renders its children only with a staff session; otherwise sends to /login?next=...
 * It also asks the server who we are (GET /auth/me): a token the server no longer accepts
 * gets a 401, which the api client turns into "session expired" right away instead of on the
 * first click.
 */
export function RequireStaff({ children }: { children: ReactNode }) {
  const session = useStaffSession();
  const location = useLocation();
  if (!session) {
    // After "Sign out" go to a plain /login; otherwise remember where the user was going, and
    // say why when the server ended the session.
    const reason = sessionEndReason();
    const from = reason === 'logout' ? undefined : location.pathname + location.search;
    return <Navigate to={loginUrl(reason === 'expired', from)} replace />;
  }
  return <CheckSession>{children}</CheckSession>;
}

function CheckSession({ children }: { children: ReactNode }) {
  useMe();
  return children;
}

/** Where "/" leads: Application Links, or the first page the admin's permissions open. */
const HOME_BY_PERMISSION: [string, string][] = [
  ['configure_application_links', '/settings/application-links'],
  ['manage_servers', '/servers'],
  ['manage_clients', '/clients'],
  ['manage_api_credentials', '/api-credentials'],
  ['view_sso_events', '/sso-activity'],
  ['manage_admins', '/staff'],
  ['view_audit_log', '/audit'],
  ['manage_webhooks', '/webhooks'],
];

export function StaffHome() {
  const perms = useStaffSession()?.admin?.permissions;
  const home =
    perms && perms.length > 0
      ? (HOME_BY_PERMISSION.find(([p]) => perms.includes(p))?.[1] ?? '/settings/application-links')
      : '/settings/application-links';
  return <Navigate to={home} replace />;
}

/**
 * Renders a page only for an admin whose role has `permission`; otherwise says which one is
 * missing, without asking the API. Without a permission list (an older session) the page
 * renders and the API's 403 explains; an empty list (a role without permissions) opens nothing.
 */
export function RequirePermission({
  permission,
  label,
  children,
}: {
  permission: string;
  label: string;
  children: ReactNode;
}) {
  const perms = useStaffSession()?.admin?.permissions;
  if (perms && !perms.includes(permission)) {
    return <PermissionDenied permission={permission} label={label} />;
  }
  return children;
}
