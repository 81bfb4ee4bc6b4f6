import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { Pagination } from '@/components/ui/pagination';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { errorMessage } from '@/lib/api-error';
import { useDeliveries } from '../api/get-deliveries';
import { useRedeliver } from '../api/redeliver';

type Webhook = Schema<'rest.WebhookAnswer'>;
type DeliveryPage = Schema<'rest.List-rest_WebhookDelivery'>;

const STATE_TONE: Record<string, BadgeTone> = {
  delivered: 'success',
  pending: 'warning',
  failed: 'danger',
};

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** The delivery log of one subscription, newest first, with Redeliver. */
export function DeliveriesDialog({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const list = useDeliveries(webhook.id, page);
  const redeliver = useRedeliver(webhook.id);

  return (
    <Dialog
      title={`Deliveries to ${webhook.description || webhook.url}`}
      onClose={onClose}
      size="lg"
    >
      {redeliver.isError ? <Alert tone="error">{errorMessage(redeliver.error)}</Alert> : null}
      {redeliver.isSuccess ? (
        <Alert tone="success">
          Queued again with the same webhook-id; it is sent within seconds.
        </Alert>
      ) : null}
      {list.isPending ? (
        <Spinner label="Loading deliveries…" />
      ) : list.isError ? (
        <ErrorState
          error={list.error}
          title="Could not load the deliveries"
          onRetry={() => void list.refetch()}
        />
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No deliveries yet">Send a test message to see one here.</EmptyState>
      ) : (
        <DeliveryTable
          page={list.data}
          busy={list.isPlaceholderData}
          redeliver={redeliver}
          onPage={setPage}
        />
      )}
    </Dialog>
  );
}

function DeliveryTable({
  page,
  busy,
  redeliver,
  onPage,
}: {
  page: DeliveryPage;
  busy: boolean;
  redeliver: ReturnType<typeof useRedeliver>;
  onPage: (page: number) => void;
}) {
  return (
    <>
      <DataTable
        caption="Deliveries"
        busy={busy}
        columns={[
          'Created',
          'Event',
          'State',
          'Attempts',
          'Response',
          'Duration',
          'Error',
          { label: 'Actions', visuallyHidden: true },
        ]}
      >
        {page.items.map((d) => (
          <tr key={d.id}>
            <td>{when(d.created_at)}</td>
            <td className="mono">{d.event_type}</td>
            <td>
              <Badge tone={STATE_TONE[d.state] ?? 'neutral'}>{d.state}</Badge>
              {d.state === 'pending' && d.next_attempt_at ? (
                <div className="muted">next {when(d.next_attempt_at)}</div>
              ) : null}
            </td>
            <td className="num">{d.attempts}</td>
            <td className="num">{d.status_code || '—'}</td>
            <td className="num">{d.attempts > 0 ? `${d.duration_ms} ms` : '—'}</td>
            <td>{d.error || '—'}</td>
            <td className="num">
              <Button
                size="sm"
                aria-label={`Redeliver ${d.message_id} (delivery ${d.id})`}
                busy={redeliver.isPending && redeliver.variables === d.id}
                onClick={() => {
                  redeliver.mutate(d.id);
                }}
              >
                Redeliver
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      <Pagination page={page.page} perPage={page.per_page} total={page.total} onPage={onPage} />
    </>
  );
}
