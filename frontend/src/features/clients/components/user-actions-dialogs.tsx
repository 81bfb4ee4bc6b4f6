import type { Schema } from '@/api/types';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useRemoveClientUser, useTransferOwner } from '../api/manage-client';

type Membership = Schema<'rest.MembershipAnswer'>;

function who(m: Membership): string {
  return m.user.name || m.user.email;
}

/** Asks before taking a user off the account. */
export function RemoveUserDialog({
  clientId,
  membership,
  onClose,
}: {
  clientId: number;
  membership: Membership;
  onClose: () => void;
}) {
  const remove = useRemoveClientUser(clientId);
  return (
    <ConfirmDialog
      title={`Remove ${who(membership)}?`}
      confirmLabel="Remove user"
      busy={remove.isPending}
      error={remove.error}
      onCancel={onClose}
      onConfirm={() => {
        remove.mutate(membership.user_id, { onSuccess: onClose });
      }}
    >
      <p>
        {membership.user.email} loses access to this account at once: their client-area sessions end
        and single sign-on into it is refused. If they belong to no other account, the user is
        deleted.
      </p>
    </ConfirmDialog>
  );
}

/** Asks before making another user the account's owner. */
export function TransferOwnerDialog({
  clientId,
  membership,
  onClose,
}: {
  clientId: number;
  membership: Membership;
  onClose: () => void;
}) {
  const transfer = useTransferOwner(clientId);
  return (
    <ConfirmDialog
      title={`Make ${who(membership)} the owner?`}
      confirmLabel="Transfer ownership"
      tone="primary"
      busy={transfer.isPending}
      error={transfer.error}
      onCancel={onClose}
      onConfirm={() => {
        transfer.mutate(membership.user_id, { onSuccess: onClose });
      }}
    >
      <p>
        {membership.user.email} becomes the owner, with every permission. The current owner stays on
        the account with every permission; narrow them with Manage User or remove them afterwards.
      </p>
    </ConfirmDialog>
  );
}
