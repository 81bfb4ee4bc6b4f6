import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/ui/alert';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { usePortalMe } from '@/portal/lib/get-me';

/** Renders its children for the current account's owner; others get a clear message. */
export function OwnerOnly({ what, children }: { what: string; children: ReactNode }) {
  const me = usePortalMe();
  if (me.isPending) return <Spinner />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data.owner) {
    const account = me.data.current_account.name;
    return (
      <Alert tone="info" title="Only the account owner can do this">
        <p>
          {what} of {account} is managed by the account owner. Ask them if you need a change.
        </p>
        <p>
          <Link to="/portal">Back to the client area home</Link>
        </p>
      </Alert>
    );
  }
  return <>{children}</>;
}
