import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { Alert } from '@/components/ui/alert';
import { userPermissionLabel } from '@/lib/user-permissions';
import type { PortalMe } from '@/portal/lib/get-me';

type PageAccess = NonNullable<PortalMe['pages']>[number];

/**
 * The rule of the client area that covers a path: of the pages GET /me lists (the server's
 * ClientAreaRules, with whether the user may open each), the longest that is the path or one of
 * its parents. The path is read as the router reads it: without regard to case, repeated
 * slashes collapsed.
 */
export function pageRule(me: PortalMe | undefined, pathname: string): PageAccess | undefined {
  const path =
    pathname
      .toLowerCase()
      .replace(/\/{2,}/g, '/')
      .replace(/\/$/, '') || '/';
  let best: PageAccess | undefined;
  for (const p of me?.pages ?? []) {
    if (
      (path === p.path || path.startsWith(`${p.path}/`)) &&
      p.path.length > (best?.path.length ?? -1)
    )
      best = p;
  }
  return best;
}

/** Whether the user may open a client-area path; the API enforces it on its side too. */
export function canOpen(me: PortalMe | undefined, pathname: string): boolean {
  return pageRule(me, pathname)?.allowed ?? true;
}

/**
 * Renders the page when the signed-in user may open the current path, and otherwise says which
 * permission is missing and who can grant it.
 */
export function PageGuard({ me, children }: { me: PortalMe; children: ReactNode }) {
  const { pathname } = useLocation();
  const rule = pageRule(me, pathname);
  if (!rule || rule.allowed) return <>{children}</>;
  const account = me.current_account.name;
  return (
    <section className="portal-page">
      <h1>You do not have permission to view this page</h1>
      <Alert tone="info" title={`“${userPermissionLabel(rule.permission)}” is needed`}>
        <p>
          Your login on {account} does not include the “{userPermissionLabel(rule.permission)}”
          permission that this page needs. The account owner can grant it in User Management.
        </p>
        <p>
          <Link to="/portal">Back to the client area home</Link>
        </p>
      </Alert>
    </section>
  );
}
