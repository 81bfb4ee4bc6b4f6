import { Link } from 'react-router';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { PageHeader } from '@/components/ui/page-header';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState, PagedListState } from '@/components/ui/states';
import { useFilterParams } from '@/hooks/use-filter-params';
import { errorMessage } from '@/lib/api-error';
import { useApplication } from '../api/get-application';
import type { LogCsvQuery } from '../api/download-application-log';
import { useApplicationLog, type LogQuery } from '../api/get-application-log';
import { isBusy, useApplicationStatus } from '../api/get-application-status';
import { useOperation } from '../api/get-operation';
import { useOperations } from '../api/get-operations';
import { useRotateLinkSecrets } from '../api/rotate-link-secrets';
import { useSyncApplication } from '../api/sync-application';
import { OPERATION_KINDS, formatTime } from './labels';
import { LevelBadge } from './level-badge';
import { LogFilters, type LogFilterValues } from './log-filters';
import { OperationBreakdown } from './operation-breakdown';
import { OperationsTable } from './operations-table';
import { RetryFailedButton } from './repair-buttons';
import { RotateSecretsButton } from './rotate-secrets-button';
import { StatusIndicator } from './status-indicator';

const PER_PAGE = 100;

/** A server the log's entries can be filtered by and are named with. */
export interface LogServer {
  server_id: number;
  server_name: string;
}

// Picking another operation clears the server filter, which was about the old one.
const LOG_FILTER_DEPENDENTS = { op: ['server'] } as const;

/**
 * View Log: the entries of the application's last operation (or one picked from the history),
 * filterable by level, server, account and message text, newest first (or oldest), with a CSV
 * download of what the filters select, live while the operation runs; plus the
 * operation's per-server breakdown and the history of operations.
 */
export function ApplicationLog({ module, fleet = [] }: { module: string; fleet?: LogServer[] }) {
  const { params, update, page } = useFilterParams(LOG_FILTER_DEPENDENTS);
  const filters: LogFilterValues = {
    level: params.get('level') ?? '',
    server: params.get('server') ?? '',
    account: params.get('account') ?? '',
    q: params.get('q') ?? '',
    order: params.get('order') === 'oldest' ? 'oldest' : '',
  };
  const { level, server } = filters;
  const filtered = Boolean(level || server || filters.account || filters.q);
  const opParam = Number(params.get('op') ?? '');
  const pickedOp = Number.isInteger(opParam) && opParam > 0 ? opParam : undefined;

  const app = useApplication(module);
  const status = useApplicationStatus(module);
  const sync = useSyncApplication();
  const rotate = useRotateLinkSecrets();
  const name = app.data?.name ?? module;
  const enabled = (status.data ?? app.data?.status)?.enabled ?? false;

  const lastOpId = status.data?.operation?.id;
  const opId = pickedOp ?? lastOpId;
  const operation = useOperation(opId);
  const opState = operation.data?.state ?? (pickedOp ? undefined : status.data?.operation?.state);
  const live = opState === 'queued' || opState === 'running' || (!pickedOp && isBusy(status.data));

  const csvQuery: LogCsvQuery = {};
  if (level) csvQuery.level = level;
  if (server) csvQuery.server_id = Number(server);
  if (filters.account) csvQuery.account = filters.account;
  if (filters.q) csvQuery.q = filters.q;
  if (filters.order) csvQuery.order = filters.order;
  if (pickedOp) csvQuery.operation_id = pickedOp;
  const query: LogQuery = { ...csvQuery, page, per_page: PER_PAGE };
  const log = useApplicationLog(module, query, live);
  const history = useOperations({ module, per_page: 10 }, isBusy(status.data));

  const servers = operation.data?.servers ?? [];
  // The log also holds lifecycle work on servers the operation does not cover: every server of
  // the application (fleet) can be picked, and is named.
  const named = [
    ...servers,
    ...fleet.filter((f) => !servers.some((s) => s.server_id === f.server_id)),
  ].sort((a, b) => a.server_name.localeCompare(b.server_name));
  const serverName = (id: number | null | undefined) =>
    named.find((s) => s.server_id === id)?.server_name ?? (id ? `#${String(id)}` : '—');

  return (
    <>
      <PageHeader
        title={`Log: ${name}`}
        breadcrumb={
          <>
            Configuration › System Settings ›{' '}
            <Link to="/settings/application-links">Application Links</Link>
          </>
        }
        actions={
          <>
            <Link className="btn" to={`/settings/application-links/${module}/configure`}>
              Configure
            </Link>
            {enabled ? (
              <Button
                busy={sync.isPending}
                onClick={() => {
                  sync.mutate(module);
                }}
              >
                Repair all accounts
              </Button>
            ) : null}
            {enabled ? <RotateSecretsButton module={module} name={name} rotate={rotate} /> : null}
          </>
        }
      />
      {sync.isError ? <Alert tone="error">{errorMessage(sync.error)}</Alert> : null}
      {sync.data ? (
        <Alert tone="success">
          A repair of every account was queued (operation #{sync.data.id}).{' '}
          <Link to={`?op=${String(sync.data.id)}`}>Show its log</Link>
        </Alert>
      ) : null}
      {rotate.data ? (
        <Alert tone="success">
          A rotation of every link secret was queued (operation #{rotate.data.id}).{' '}
          <Link to={`?op=${String(rotate.data.id)}`}>Show its log</Link>
        </Alert>
      ) : null}

      <div className="card card--inline">
        <StatusIndicator status={status.data ?? app.data?.status} />
        <RetryFailedButton module={module} name={name} status={status.data ?? app.data?.status} />
        {operation.data ? (
          <span className="muted">
            Operation #{operation.data.id}:{' '}
            {OPERATION_KINDS[operation.data.kind] ?? operation.data.kind} started{' '}
            {formatTime(operation.data.started_at ?? operation.data.created_at)}
            {operation.data.started_by ? ` by ${operation.data.started_by}` : ''}
            {live ? ' · live' : ''}
          </span>
        ) : null}
        {pickedOp ? (
          <Button
            size="sm"
            variant="link"
            onClick={() => {
              update('op', '');
            }}
          >
            Show the latest operation
          </Button>
        ) : null}
      </div>

      <section aria-labelledby="entries-title">
        <h2 id="entries-title" className="section-title">
          Entries
        </h2>
        <LogFilters
          module={module}
          values={filters}
          servers={named}
          csvQuery={csvQuery}
          onChange={update}
        />
        <div className="toolbar">
          {filters.account && !pickedOp ? (
            <span className="muted small">
              The entries about {filters.account} in every operation of {name}.
            </span>
          ) : null}
          {log.isFetching && !log.isPending ? (
            <span className="muted small" aria-hidden="true">
              Updating…
            </span>
          ) : null}
        </div>
        <PagedListState
          query={log}
          loading="Loading the log…"
          errorTitle="Could not load the log"
          empty={
            <EmptyState title={filtered ? 'No entries match' : 'No log entries yet'}>
              {filtered
                ? 'Change the level, server, account or search filter.'
                : 'Entries appear here when application links are enabled, configured or repaired.'}
            </EmptyState>
          }
          page={page}
          perPage={PER_PAGE}
          pagesLabel="Log pages"
          onPage={(p) => {
            update('page', String(p));
          }}
        >
          {(entries) => (
            <DataTable
              caption="Log entries"
              className="log-table"
              columns={['Time', 'Level', 'Server', 'Message']}
            >
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">{formatTime(e.time)}</td>
                  <td>
                    <LevelBadge level={e.level} />
                  </td>
                  <td className="nowrap">{serverName(e.server_id)}</td>
                  <td className="log-table__message">{e.message}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </PagedListState>
      </section>

      {operation.data ? (
        <section aria-labelledby="breakdown-title" className="section">
          <h2 id="breakdown-title" className="section-title">
            Servers in operation #{operation.data.id}
          </h2>
          <OperationBreakdown servers={servers} />
        </section>
      ) : null}

      <section aria-labelledby="history-title" className="section">
        <h2 id="history-title" className="section-title">
          Operation history
        </h2>
        {history.isPending ? (
          <Spinner label="Loading history…" />
        ) : history.isError ? (
          <ErrorState error={history.error} title="Could not load the history" />
        ) : history.data.items.length === 0 ? (
          <EmptyState title="No operations yet" />
        ) : (
          <OperationsTable
            caption="Operation history"
            operations={history.data.items}
            selectedId={opId}
            action={(op) => (
              <Button
                size="sm"
                disabled={op.id === opId}
                aria-label={`Show the log of operation ${String(op.id)}`}
                onClick={() => {
                  update('op', op.id === lastOpId ? '' : String(op.id));
                }}
              >
                {op.id === opId ? 'Shown' : 'Show log'}
              </Button>
            )}
          />
        )}
      </section>
    </>
  );
}
