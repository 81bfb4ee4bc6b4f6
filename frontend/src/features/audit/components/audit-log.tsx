import { Link } from 'react-router';
import { AuditChanges } from '@/components/ui/audit-changes';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { useFilterParams } from '@/hooks/use-filter-params';
import { AUDIT_ACTORS, describeAudit, type AuditRecord } from '@/lib/audit-format';
import { useAudit } from '../api/get-audit';
import {
  AUDIT_FILTER_KEYS,
  AuditFilters,
  auditQuery,
  type AuditFilterValues,
} from './audit-filters';

const PER_PAGE = 50;

function Row({ r }: { r: AuditRecord }) {
  return (
    <tr>
      <td className="nowrap">{new Date(r.time).toLocaleString()}</td>
      <td>
        {r.actor_name || `#${String(r.actor_id)}`}
        <div className="field__hint">
          {AUDIT_ACTORS[r.actor_kind] ?? r.actor_kind} #{r.actor_id}
          {r.ip ? (
            <>
              {' · '}
              <span className="mono">{r.ip}</span>
            </>
          ) : null}
        </div>
      </td>
      <td>
        {describeAudit(r)}
        {r.client_id ? (
          <div className="field__hint">
            client <Link to={`/clients/${String(r.client_id)}`}>#{r.client_id}</Link>
          </div>
        ) : null}
      </td>
      <td>
        <AuditChanges before={r.before} after={r.after} />
      </td>
    </tr>
  );
}

/**
 * The staff audit trail: every change made by staff, API credentials and account owners, with
 * filters (who, action, resource, resource id, date range) kept in the URL.
 */
export function AuditLog() {
  const { params, setParams, update, page } = useFilterParams();
  const get = (k: keyof AuditFilterValues) => params.get(k) ?? '';
  const values: AuditFilterValues = {
    actor_kind: get('actor_kind'),
    resource: get('resource'),
    resource_id: get('resource_id'),
    action: get('action'),
    from: get('from'),
    to: get('to'),
  };
  const audit = useAudit(auditQuery(values, page, PER_PAGE));
  const filtered = AUDIT_FILTER_KEYS.some((k) => values[k] !== '');

  return (
    <>
      <AuditFilters
        values={values}
        onChange={update}
        onClear={() => {
          setParams({}, { replace: true });
        }}
      />
      <PagedListState
        query={audit}
        loading="Loading the audit log…"
        errorTitle="Could not load the audit log"
        empty={
          <EmptyState title={filtered ? 'No changes match' : 'No changes recorded yet'}>
            {filtered
              ? 'Change or clear the filters.'
              : 'Every change made by staff, API credentials and account owners appears here.'}
          </EmptyState>
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Audit log pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <DataTable
            caption="Audit log"
            columns={['Time', 'Who', 'What', 'Changes']}
            busy={audit.isPlaceholderData}
          >
            {items.map((r) => (
              <Row key={r.id} r={r} />
            ))}
          </DataTable>
        )}
      </PagedListState>
    </>
  );
}
