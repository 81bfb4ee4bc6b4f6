import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, ListState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-error';
import { useDeleteWebhook } from '../api/delete-webhook';
import { useWebhooks } from '../api/get-webhooks';
import { useTestWebhook } from '../api/test-webhook';
import { useUpdateWebhook } from '../api/update-webhook';
import { DeliveriesDialog } from './deliveries-dialog';
import { WebhookFormDialog, WebhookSecretDialog } from './webhook-form-dialog';

type Webhook = Schema<'rest.WebhookAnswer'>;
type NewWebhook = Schema<'rest.NewWebhookAnswer'>;
type Delivery = Schema<'rest.WebhookDelivery'>;

/** What the last test said, in words. */
function testOutcome(d: Delivery): string {
  if (d.state === 'delivered')
    return `Test delivered: the receiver answered ${d.status_code} in ${d.duration_ms} ms.`;
  return `Test failed: ${d.error || `status ${d.status_code}`}.`;
}

/** Webhook subscriptions: create (the secret is shown once), edit, pause, test, delete, log. */
export function Webhooks() {
  const list = useWebhooks();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewWebhook | null>(null);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [viewing, setViewing] = useState<Webhook | null>(null);
  const remove = useDeleteWebhook();
  const update = useUpdateWebhook();
  const test = useTestWebhook();

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
          }}
        >
          Create webhook
        </Button>
      </div>
      {test.isSuccess ? (
        <Alert tone={test.data.state === 'delivered' ? 'success' : 'error'}>
          {testOutcome(test.data)}
        </Alert>
      ) : null}
      {test.isError || update.isError ? (
        <Alert tone="error">{errorMessage(test.error ?? update.error)}</Alert>
      ) : null}
      <ListState
        query={list}
        loading="Loading webhooks…"
        errorTitle="Could not load the webhooks"
        empty={
          <EmptyState title="No webhooks yet">
            A webhook tells another system (a helpdesk, a chat, a SIEM) when a customer signs in, a
            sign-in is refused or an operation ends.
          </EmptyState>
        }
      >
        {(hooks) => (
          <DataTable
            caption="Webhooks"
            columns={['URL', 'Events', 'State', { label: 'Actions', visuallyHidden: true }]}
          >
            {hooks.map((w) => {
              const name = w.description || w.url;
              return (
                <tr key={w.id}>
                  <td>
                    <div className="mono">{w.url}</div>
                    {w.description ? <div className="muted">{w.description}</div> : null}
                  </td>
                  <td className="mono">{w.events.join(', ')}</td>
                  <td>{w.active ? <Badge tone="success">Active</Badge> : <Badge>Paused</Badge>}</td>
                  <td className="num actions">
                    <Button
                      size="sm"
                      aria-label={`Test ${name}`}
                      busy={test.isPending && test.variables === w.id}
                      onClick={() => {
                        test.mutate(w.id);
                      }}
                    >
                      Test
                    </Button>
                    <Button
                      size="sm"
                      aria-label={`Deliveries of ${name}`}
                      onClick={() => {
                        setViewing(w);
                      }}
                    >
                      Deliveries
                    </Button>
                    <Button
                      size="sm"
                      aria-label={`${w.active ? 'Pause' : 'Resume'} ${name}`}
                      onClick={() => {
                        update.mutate({ id: w.id, body: { active: !w.active } });
                      }}
                    >
                      {w.active ? 'Pause' : 'Resume'}
                    </Button>
                    <Button
                      size="sm"
                      aria-label={`Edit ${name}`}
                      onClick={() => {
                        setEditing(w);
                      }}
                    >
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={`Delete ${name}`}
                      onClick={() => {
                        remove.reset();
                        setDeleting(w);
                      }}
                    >
                      Delete
                    </Button>
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </ListState>
      {creating ? (
        <WebhookFormDialog
          onClose={() => {
            setCreating(false);
          }}
          onCreated={(w) => {
            setCreating(false);
            setCreated(w);
          }}
        />
      ) : null}
      {created ? (
        <WebhookSecretDialog
          webhook={created}
          onClose={() => {
            setCreated(null);
          }}
        />
      ) : null}
      {editing ? (
        <WebhookFormDialog
          webhook={editing}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
      {viewing ? (
        <DeliveriesDialog
          webhook={viewing}
          onClose={() => {
            setViewing(null);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmMutation
          title={`Delete the webhook to ${deleting.description || deleting.url}?`}
          confirmLabel="Delete"
          mutation={remove}
          variables={deleting.id}
          onClose={() => {
            setDeleting(null);
          }}
        >
          <p>
            Its delivery log goes with it, and messages not sent yet are dropped. To stop it for a
            while, pause it instead.
          </p>
        </ConfirmMutation>
      ) : null}
    </>
  );
}
