import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
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
    return <Navigate to={loginUrl('staff', reason === 'expired', from)} replace />;
  }
  return <CheckSession>{children}</CheckSession>;
}

function CheckSession({ children }: { children: ReactNode }) {
  useMe();
  return children;
}
