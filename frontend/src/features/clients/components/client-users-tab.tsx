import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { useClientUsers } from '../api/get-client-users';
import { AddUserDialog } from './add-user-dialog';
import { ManageUserDialog } from './manage-user-dialog';
import { RemoveUserDialog, TransferOwnerDialog } from './user-actions-dialogs';

type Membership = Schema<'rest.MembershipAnswer'>;
type Pending = { kind: 'manage' | 'remove' | 'owner'; m: Membership } | { kind: 'add' };

function canSSO(m: Membership): boolean {
  return m.owner || m.permissions.includes('sso');
}

/**
 * Users tab: who can access the account. Add a user; per user, Manage User (permissions),
 * Make owner and Remove (never the owner: transfer the ownership first).
 */
export function ClientUsersTab({ clientId }: { clientId: number }) {
  const users = useClientUsers(clientId);
  const [pending, setPending] = useState<Pending | null>(null);
  const close = () => {
    setPending(null);
  };

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

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          onClick={() => {
            setPending({ kind: 'add' });
          }}
        >
          Add user
        </Button>
      </div>
      {users.data.length === 0 ? (
        <EmptyState title="This account has no users" />
      ) : (
        <UsersTable items={users.data} onPick={setPending} />
      )}
      {pending?.kind === 'add' ? <AddUserDialog clientId={clientId} onClose={close} /> : null}
      {pending?.kind === 'manage' ? (
        <ManageUserDialog clientId={clientId} membership={pending.m} onClose={close} />
      ) : null}
      {pending?.kind === 'remove' ? (
        <RemoveUserDialog clientId={clientId} membership={pending.m} onClose={close} />
      ) : null}
      {pending?.kind === 'owner' ? (
        <TransferOwnerDialog clientId={clientId} membership={pending.m} onClose={close} />
      ) : null}
    </>
  );
}

function UsersTable({ items, onPick }: { items: Membership[]; onPick: (p: Pending) => void }) {
  return (
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
      {items.map((m) => {
        const name = (m.user.name || m.user.email).trim();
        return (
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
              <div className="actions actions--end">
                <Button
                  size="sm"
                  aria-label={`Manage User ${m.user.name}`.trim()}
                  onClick={() => {
                    onPick({ kind: 'manage', m });
                  }}
                >
                  Manage User
                </Button>
                {m.owner ? null : (
                  <>
                    <Button
                      size="sm"
                      aria-label={`Make ${name} the owner`}
                      onClick={() => {
                        onPick({ kind: 'owner', m });
                      }}
                    >
                      Make owner
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={`Remove ${name}`}
                      onClick={() => {
                        onPick({ kind: 'remove', m });
                      }}
                    >
                      Remove
                    </Button>
                  </>
                )}
              </div>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
