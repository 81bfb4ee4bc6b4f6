import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { errorMessage } from '@/lib/api-error';
import { isImportRunning, useServerImport } from '../api/get-server-import';
import { isImportJob, usePreviewImport, useStartImport } from '../api/import-server';

type Result = Schema<'rest.ImportResult'>;
type Job = Schema<'rest.ImportJob'>;
type Row = Schema<'rest.ImportRow'>;

const kindLabels: Record<string, string> = {
  new_client: 'New client',
  new_service: 'New service',
  updated: 'Updated',
  unchanged: 'Unchanged',
  conflict: 'Conflict',
};

/** The counts of an import, in the order the API names them; `first` leads (listed or applied). */
function Counts({ first, counts }: { first: [string, number]; counts: Result | Job }) {
  return (
    <dl className="dl">
      <dt>{first[0]}</dt>
      <dd>{first[1]}</dd>
      <dt>New clients</dt>
      <dd>{counts.new_clients}</dd>
      <dt>New services</dt>
      <dd>{counts.new_services}</dd>
      <dt>Updated</dt>
      <dd>{counts.updated}</dd>
      <dt>Unchanged</dt>
      <dd>{counts.unchanged}</dd>
      <dt>Conflicts</dt>
      <dd>{counts.conflicts}</dd>
    </dl>
  );
}

/** Accounts with what the import does with each. */
function Rows({ caption, rows }: { caption: string; rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <DataTable caption={caption} columns={['Account', 'Domain', 'Contact e-mail', 'Does']}>
      {rows.map((r) => (
        <tr key={r.username}>
          <td>{r.username}</td>
          <td>{r.domain}</td>
          <td>{r.email || '—'}</td>
          <td>
            {kindLabels[r.kind] ?? r.kind}
            {r.reason ? `: ${r.reason}` : ''}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** A running import: its progress bar (accounts applied of those listed) and the counts so far. */
function Progress({ job }: { job: Job }) {
  const pct = job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : 0;
  const text =
    job.state === 'queued'
      ? 'Import queued: it starts in a moment.'
      : `Importing: ${String(job.done)} of ${String(job.total)} accounts`;
  return (
    <div className="import-progress">
      <p aria-live="polite">{text}</p>
      <span
        className="status__bar"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={job.done}
        aria-valuetext={`${String(job.done)} of ${String(job.total)} accounts`}
      >
        <span className="status__fill" style={{ width: `${String(pct)}%` }} />
      </span>
      <Counts first={['Accounts imported so far', job.done]} counts={job} />
    </div>
  );
}

/** The server's import job: running (progress), done (counts, conflicts) or failed (why). */
function ImportJobView({ job }: { job: Job }) {
  if (isImportRunning(job)) return <Progress job={job} />;
  const when = job.finished_at ? new Date(job.finished_at).toLocaleString() : '';
  const by = job.started_by ? ` by ${job.started_by}` : '';
  return (
    <>
      {job.state === 'failed' ? (
        <Alert tone="error" title="Import failed" live={false}>
          {job.error}
        </Alert>
      ) : (
        <Alert tone="success" title="Imported" live={false}>
          {`${String(job.total)} accounts listed, imported ${when}${by}.`}
        </Alert>
      )}
      <Counts first={['Accounts applied', job.done]} counts={job} />
      <Rows caption="Accounts not imported" rows={job.conflict_rows} />
    </>
  );
}

/**
 * Import accounts: a dry run previews what the server's accounts would become (counts and
 * conflicts), then Import starts a background job whose progress bar follows it, here or after
 * a reload. The job resumes by itself after a restart and never duplicates anything.
 */
export function ServerImport({ id }: { id: number }) {
  const preview = usePreviewImport(id);
  const start = useStartImport(id);
  const job = useServerImport(id);
  const current = job.data;
  const running = isImportRunning(current);
  const plan = preview.data;
  const empty = start.data && !isImportJob(start.data) ? start.data.message : undefined;
  const changes = plan ? plan.new_clients + plan.new_services + plan.updated : 0;

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title" className="section-title">
        Import accounts
      </h2>
      <p className="field__hint">
        Brings the server&apos;s hosting accounts in: each becomes a service under the client whose
        owner has its contact e-mail, or under a new client with a password-less owner who signs in
        by SSO. Accounts already known get their domain and suspended state.
      </p>
      <Button
        busy={preview.isPending}
        disabled={running}
        onClick={() => {
          start.reset();
          preview.mutate();
        }}
      >
        Preview import
      </Button>
      <div aria-live="polite">
        {preview.isError ? <Alert tone="error">{errorMessage(preview.error)}</Alert> : null}
        {start.isError ? <Alert tone="error">{errorMessage(start.error)}</Alert> : null}
        {job.isError ? <Alert tone="error">{errorMessage(job.error)}</Alert> : null}
        {plan?.message ? <Alert tone="info">{plan.message}</Alert> : null}
        {empty ? <Alert tone="info">{empty}</Alert> : null}
      </div>
      {plan && plan.accounts > 0 && !running ? (
        <>
          <Counts first={['Accounts listed', plan.accounts]} counts={plan} />
          <Rows
            caption="Accounts to import"
            rows={plan.rows.filter((r) => r.kind !== 'unchanged')}
          />
          <Button
            variant="primary"
            busy={start.isPending}
            disabled={changes === 0}
            onClick={() => {
              start.mutate(undefined, {
                onSuccess: () => {
                  preview.reset();
                },
              });
            }}
          >
            {changes === 0 ? 'Nothing to import' : 'Import'}
          </Button>
        </>
      ) : null}
      {current && (!plan || running) ? <ImportJobView job={current} /> : null}
    </section>
  );
}
