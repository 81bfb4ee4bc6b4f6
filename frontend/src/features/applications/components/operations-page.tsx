import { Link } from 'react-router';
import { useFilterParams } from '@/hooks/use-filter-params';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState, PagedListState } from '@/components/ui/states';
import { FilterSelect } from '@/components/ui/filter-select';
import { useOperation } from '../api/get-operation';
import { useOperations, type OperationsQuery } from '../api/get-operations';
import { OPERATION_KINDS, capitalize, formatTime, operationStateTone } from './labels';
import { OperationBreakdown } from './operation-breakdown';
import { OperationsTable } from './operations-table';

const PER_PAGE = 25;
const MODULES = [
  { value: 'cpanel', label: 'cPanel & WHM' },
  { value: 'wpsquared', label: 'WP Squared' },
];

/** Every provisioning operation, newest first. */
export function OperationsList() {
  const { params, update, page } = useFilterParams();
  const module = params.get('module') ?? '';
  const query: OperationsQuery = { page, per_page: PER_PAGE };
  if (module) query.module = module;
  const ops = useOperations(query);

  return (
    <>
      <div className="toolbar">
        <FilterSelect
          id="ops-module"
          label="Application"
          value={module}
          all="All applications"
          options={MODULES}
          onChange={(v) => {
            update('module', v);
          }}
        />
      </div>
      <PagedListState
        query={ops}
        loading="Loading operations…"
        errorTitle="Could not load the operations"
        empty={
          <EmptyState title="No operations yet">
            Operations appear when application links are enabled, configured, disabled or repaired.
          </EmptyState>
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Operations pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <OperationsTable
            caption="Operations"
            showModule
            operations={items}
            action={(op) => (
              <Link
                className="btn btn--sm"
                to={`/operations/${String(op.id)}`}
                aria-label={`Details of operation ${String(op.id)}`}
              >
                Details
              </Link>
            )}
          />
        )}
      </PagedListState>
    </>
  );
}

/** One operation: counters and the per-server breakdown, live while it runs. */
export function OperationDetails({ id }: { id: number }) {
  const op = useOperation(id);
  const breadcrumb = <Link to="/operations">Operations</Link>;
  if (op.isPending) return <Spinner label="Loading operation…" />;
  if (op.isError) {
    return (
      <>
        <PageHeader title={`Operation #${String(id)}`} breadcrumb={breadcrumb} />
        <ErrorState error={op.error} title="Could not load this operation" />
      </>
    );
  }
  const o = op.data;
  return (
    <>
      <PageHeader
        title={`Operation #${String(id)}`}
        breadcrumb={breadcrumb}
        actions={
          o.module ? (
            <Link
              className="btn"
              to={`/settings/application-links/${o.module}/log?op=${String(id)}`}
            >
              View Log
            </Link>
          ) : null
        }
      />
      <div className="card">
        <dl className="dl">
          <dt>Application</dt>
          <dd>{o.module === 'wpsquared' ? 'WP Squared' : 'cPanel & WHM'}</dd>
          <dt>Kind</dt>
          <dd>{OPERATION_KINDS[o.kind] ?? o.kind}</dd>
          <dt>State</dt>
          <dd>
            <Badge tone={operationStateTone(o.state)}>{capitalize(o.state)}</Badge>
            {o.superseded_by ? (
              <>
                {' '}
                by <Link to={`/operations/${String(o.superseded_by)}`}>#{o.superseded_by}</Link>
              </>
            ) : null}
          </dd>
          <dt>Started by</dt>
          <dd>{o.started_by || '—'}</dd>
          <dt>Started</dt>
          <dd>{formatTime(o.started_at ?? o.created_at)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(o.finished_at)}</dd>
          <dt>Servers</dt>
          <dd>
            {o.servers_done} of {o.servers_total} done ({o.servers_supported} support application
            links)
          </dd>
          <dt>Accounts</dt>
          <dd>
            {o.accounts_done} of {o.accounts_total} done, {o.accounts_failed} failed
          </dd>
          <dt>Warnings</dt>
          <dd>{o.warnings}</dd>
        </dl>
      </div>
      <h2 className="section-title">Servers</h2>
      <OperationBreakdown servers={o.servers} />
    </>
  );
}
