import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { loginUrl } from '@/lib/api-client';
import { useStaffSession } from '@/lib/auth';
import { sessionEndReason } from '@/lib/session';

/**
 * Renders its children only with a staff session; otherwise sends to /login?next=...
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
  return children;
}
