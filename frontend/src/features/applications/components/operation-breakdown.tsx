import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';
import { capitalize, taskStateTone } from './labels';

type ServerTask = Schema<'rest.ServerTask'>;

/**
 * Per-server progress of one operation: its state and counts. What happened to each account
 * (refusals, drift, give-ups) is in the log; the rows' action, attempts and last_error fields
 * belong to the engine before the reconciler and are not shown.
 */
export function OperationBreakdown({ servers }: { servers: ServerTask[] }) {
  if (servers.length === 0) {
    return <p className="muted">No server took part in this operation.</p>;
  }
  return (
    <DataTable
      caption="Per-server breakdown"
      columns={[
        'Server',
        'State',
        { label: 'Accounts', className: 'num' },
        { label: 'Failed', className: 'num' },
      ]}
    >
      {servers.map((t) => (
        <tr key={t.id}>
          <td>{t.server_name || `#${String(t.server_id)}`}</td>
          <td>
            <Badge tone={taskStateTone(t.state)}>{capitalize(t.state)}</Badge>
          </td>
          <td className="num">
            {t.accounts_done}/{t.accounts_total}
          </td>
          <td className="num">{t.accounts_failed}</td>
        </tr>
      ))}
    </DataTable>
  );
}
