import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { Toggle } from '@/components/ui/toggle';
import { errorMessage } from '@/lib/api-error';
import { usePortalUsers } from '../api/get-users';
import { useUpdatePortalUser } from '../api/update-user';
import { PortalTable } from '@/portal/components/portal-table';

const SSO = 'sso';

/**
 * User Management (owner only): the account's users with a "Perform Single Sign-On" switch.
 * The owner's row is fixed (their permissions cannot be revoked). Other permissions a user
 * holds are kept as they are when the switch changes.
 */
export function UserManagement() {
  const users = usePortalUsers();
  const update = useUpdatePortalUser();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  if (users.isPending) return <Spinner label="Loading users…" />;
  if (users.isError)
    return (
      <ErrorState
        error={users.error}
        title="Could not load the users"
        onRetry={() => void users.refetch()}
      />
    );
  if (users.data.length === 0) return <EmptyState title="No users on this account yet" />;

  const pendingId = update.isPending ? update.variables.userId : null;

  return (
    <>
      {message ? (
        <Alert tone={message.tone} live>
          {message.text}
        </Alert>
      ) : null}
      <PortalTable
        caption="Users of this account"
        columns={['Name', 'Email', 'Role', 'Perform Single Sign-On']}
      >
        {users.data.map((m) => {
          const name = m.user.name || `User ${String(m.user_id)}`;
          const perms = m.permissions;
          const has = m.owner || perms.includes(SSO);
          return (
            <tr key={m.user_id}>
              <th scope="row">{name}</th>
              <td>{m.user.email}</td>
              <td>{m.owner ? <Badge tone="info">Owner</Badge> : 'User'}</td>
              <td>
                {m.owner ? (
                  <span className="portal-fixed">
                    <Toggle
                      checked
                      disabled
                      ariaLabel={`Perform Single Sign-On for ${name}`}
                      onChange={() => undefined}
                      description="The account owner always may."
                    />
                    <span className="portal-muted">Always (owner)</span>
                  </span>
                ) : (
                  <Toggle
                    checked={has}
                    busy={pendingId === m.user_id}
                    ariaLabel={`Perform Single Sign-On for ${name}`}
                    onChange={(on) => {
                      const next = on
                        ? [...perms.filter((p) => p !== SSO), SSO]
                        : perms.filter((p) => p !== SSO);
                      setMessage(null);
                      update.mutate(
                        { userId: m.user_id, permissions: next },
                        {
                          onSuccess: () => {
                            setMessage({
                              tone: 'success',
                              text: on
                                ? `${name} may now use single sign-on.`
                                : `${name} may no longer use single sign-on.`,
                            });
                          },
                          onError: (err) => {
                            setMessage({ tone: 'error', text: errorMessage(err) });
                          },
                        },
                      );
                    }}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </PortalTable>
      <p className="portal-muted">
        Single sign-on lets a user open this client area straight from the links in the control
        panel, and use “Log in to cPanel” from here. Switching it off for a user takes effect at
        once.
      </p>
    </>
  );
}
