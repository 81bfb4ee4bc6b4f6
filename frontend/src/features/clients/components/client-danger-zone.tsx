import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Schema } from '@/api/types';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useDeleteClient } from '../api/manage-client';
import { useUpdateClient } from '../api/update-client';

type Client = Schema<'rest.ClientAnswer'>;

/**
 * Close the account (status Closed: its users can no longer sign in to the client area or
 * use single sign-on) or delete it (only without services: the API says how many are left).
 */
export function ClientDangerZone({ client }: { client: Client }) {
  const [asking, setAsking] = useState<'close' | 'delete' | null>(null);
  const close = useUpdateClient();
  const del = useDeleteClient();
  const navigate = useNavigate();
  const cancel = () => {
    setAsking(null);
    close.reset();
    del.reset();
  };
  return (
    <section className="card" aria-labelledby="danger-title">
      <h2 id="danger-title" className="section-title">
        Close or delete
      </h2>
      <div className="actions">
        {client.status === 'Closed' ? null : (
          <Button
            variant="danger"
            onClick={() => {
              setAsking('close');
            }}
          >
            Close client
          </Button>
        )}
        <Button
          variant="danger"
          onClick={() => {
            setAsking('delete');
          }}
        >
          Delete client
        </Button>
      </div>
      <p className="field__hint">
        A closed client keeps its records and can be reopened by setting its status. Only a client
        without hosting accounts can be deleted.
      </p>
      {asking === 'close' ? (
        <ConfirmDialog
          title={`Close ${client.name}?`}
          confirmLabel="Close client"
          busy={close.isPending}
          error={close.error}
          onCancel={cancel}
          onConfirm={() => {
            close.mutate({ id: client.id, patch: { status: 'Closed' } }, { onSuccess: cancel });
          }}
        >
          <p>
            The account&apos;s status becomes Closed: its users can no longer sign in to the client
            area, and single sign-on into and out of it is refused. Its services and users stay.
          </p>
        </ConfirmDialog>
      ) : null}
      {asking === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${client.name}?`}
          confirmLabel="Delete client"
          busy={del.isPending}
          error={del.error}
          onCancel={cancel}
          onConfirm={() => {
            del.mutate(client.id, {
              onSuccess: () => void navigate('/clients', { replace: true }),
            });
          }}
        >
          <p>
            The client, its user memberships and the users who belong to no other client are
            deleted. This cannot be undone; the audit trail keeps the record.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
