import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { errorMessage } from '@/lib/api-error';
import { useUpdateClientUser } from '../api/update-client-user';
import { USER_PERMISSIONS } from './labels';

type Membership = Schema<'rest.MembershipAnswer'>;

/** Edits one user's permissions on the account; the owner's cannot be revoked. */
export function ManageUserDialog({
  clientId,
  membership,
  onClose,
}: {
  clientId: number;
  membership: Membership;
  onClose: () => void;
}) {
  const owner = membership.owner;
  const [perms, setPerms] = useState<Set<string>>(
    () => new Set(owner ? USER_PERMISSIONS.map((p) => p.key) : membership.permissions),
  );
  const update = useUpdateClientUser(clientId);

  function toggle(key: string, on: boolean) {
    setPerms((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  }

  return (
    <Dialog
      title={`Manage User: ${membership.user.name || membership.user.email}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{owner ? 'Close' : 'Cancel'}</Button>
          {owner ? null : (
            <Button
              variant="primary"
              busy={update.isPending}
              onClick={() => {
                update.mutate(
                  {
                    userId: membership.user_id,
                    // Keep the catalogue's order so the request is stable.
                    permissions: USER_PERMISSIONS.map((p) => p.key).filter((k) => perms.has(k)),
                  },
                  { onSuccess: onClose },
                );
              }}
            >
              Save permissions
            </Button>
          )}
        </>
      }
    >
      <p className="muted">{membership.user.email}</p>
      {owner ? (
        <Alert tone="info" live={false}>
          This user owns the account. The owner&apos;s permissions cannot be revoked.
        </Alert>
      ) : null}
      {update.isError ? <Alert tone="error">{errorMessage(update.error)}</Alert> : null}
      <fieldset className="fieldset">
        <legend>Permissions</legend>
        {USER_PERMISSIONS.map((p) => (
          <CheckboxField
            key={p.key}
            label={p.label}
            hint={p.description}
            checked={perms.has(p.key)}
            disabled={owner}
            onChange={(on) => {
              toggle(p.key, on);
            }}
          />
        ))}
      </fieldset>
    </Dialog>
  );
}
