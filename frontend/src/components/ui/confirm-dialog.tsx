import { Alert } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';
import type { ReactNode } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { errorMessage } from '@/lib/api-error';

/** Asks before a destructive or far-reaching action; shows the action's error in place. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  tone = 'danger',
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel} data-autofocus>
            Cancel
          </Button>
          <Button variant={tone} busy={busy ?? false} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {error ? <Alert tone="error">{errorMessage(error)}</Alert> : null}
      {children}
    </Dialog>
  );
}

/**
 * A ConfirmDialog whose action is `mutation` run with `variables` (e.g. the id of what it
 * deletes): busy while it runs, its error in place, and closed once it succeeds.
 */
export function ConfirmMutation<D, E, V, C>({
  mutation,
  variables,
  onClose,
  ...dialog
}: Omit<Parameters<typeof ConfirmDialog>[0], 'busy' | 'error' | 'onConfirm' | 'onCancel'> & {
  mutation: UseMutationResult<D, E, V, C>;
  variables: V;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      {...dialog}
      busy={mutation.isPending}
      error={mutation.error}
      onCancel={onClose}
      onConfirm={() => {
        mutation.mutate(variables, { onSuccess: onClose });
      }}
    />
  );
}
