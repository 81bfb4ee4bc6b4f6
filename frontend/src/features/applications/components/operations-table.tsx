import type { ReactNode } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';
import { OPERATION_KINDS, capitalize, formatTime, operationStateTone } from './labels';

type Operation = Schema<'rest.OperationAnswer'>;

/** A history of operations; `action` renders the per-row control (link or button). */
export function OperationsTable({
  operations,
  caption,
  showModule = false,
  selectedId,
  action,
}: {
  operations: Operation[];
  caption: string;
  showModule?: boolean;
  selectedId?: number | undefined;
  action: (op: Operation) => ReactNode;
}) {
  return (
    <DataTable
      caption={caption}
      columns={[
        '#',
        ...(showModule ? ['Application'] : []),
        'Kind',
        'State',
        'Started by',
        'Started',
        'Finished',
        { label: 'Accounts', className: 'num' },
        { label: 'Warnings', className: 'num' },
        { label: 'Actions', visuallyHidden: true },
      ]}
    >
      {operations.map((op) => (
        <tr
          key={op.id}
          aria-current={selectedId !== undefined && op.id === selectedId ? 'true' : undefined}
          className={selectedId !== undefined && op.id === selectedId ? 'row--selected' : ''}
        >
          <td className="mono">{op.id}</td>
          {showModule ? <td>{op.module === 'wpsquared' ? 'WP Squared' : 'cPanel & WHM'}</td> : null}
          <td>{OPERATION_KINDS[op.kind] ?? op.kind}</td>
          <td>
            <Badge tone={operationStateTone(op.state)}>{capitalize(op.state)}</Badge>
          </td>
          <td>{op.started_by || '—'}</td>
          <td>{formatTime(op.started_at ?? op.created_at)}</td>
          <td>{formatTime(op.finished_at)}</td>
          <td className="num">
            {op.accounts_done}/{op.accounts_total}
          </td>
          <td className="num">{op.warnings}</td>
          <td>{action(op)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
