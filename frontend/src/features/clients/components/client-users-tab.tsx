import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { useClientUsers } from '../api/get-client-users';
import { ManageUserDialog } from './manage-user-dialog';

type Membership = Schema<'links.Membership'>;

function canSSO(m: Membership): boolean {
  return m.owner || m.permissions.includes('sso');
}

/** Users tab: who can access the account; "Manage User" edits their permissions. */
export function ClientUsersTab({ clientId }: { clientId: number }) {
  const users = useClientUsers(clientId);
  const [managing, setManaging] = useState<Membership | null>(null);

  if (users.isPending) return <Spinner label="Loading users…" />;
  if (users.isError) {
    return (
      <ErrorState
        error={users.error}
        title="Could not load the users"
        onRetry={() => void users.refetch()}
      />
    );
  }
  if (users.data.length === 0) return <EmptyState title="This account has no users" />;

  return (
    <>
      <DataTable
        caption="Users of this account"
        columns={[
          'Name',
          'Email',
          'Role',
          'Single Sign-On',
          { label: 'Actions', visuallyHidden: true },
        ]}
      >
        {users.data.map((m) => (
          <tr key={m.user_id}>
            <td>{m.user.name}</td>
            <td>{m.user.email}</td>
            <td>{m.owner ? <Badge tone="info">Owner</Badge> : 'User'}</td>
            <td>
              {canSSO(m) ? (
                <Badge tone="success">Allowed</Badge>
              ) : (
                <Badge tone="warning">Not allowed</Badge>
              )}
            </td>
            <td className="num">
              <Button
                size="sm"
                aria-label={`Manage User ${m.user.name}`.trim()}
                onClick={() => {
                  setManaging(m);
                }}
              >
                Manage User
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      {managing ? (
        <ManageUserDialog
          clientId={clientId}
          membership={managing}
          onClose={() => {
            setManaging(null);
          }}
        />
      ) : null}
    </>
  );
}
