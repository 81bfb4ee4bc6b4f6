import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { errorMessage } from '@/lib/api-error';
import { useImportServer } from '../api/import-server';

type Result = Schema<'links.ImportResult'>;

const kindLabels: Record<string, string> = {
  new_client: 'New client',
  new_service: 'New service',
  updated: 'Updated',
  unchanged: 'Unchanged',
  conflict: 'Conflict',
};

/** The counts of an import, in the order the API names them. */
function Counts({ result }: { result: Result }) {
  return (
    <dl className="dl">
      <dt>Accounts listed</dt>
      <dd>{result.accounts}</dd>
      <dt>New clients</dt>
      <dd>{result.new_clients}</dd>
      <dt>New services</dt>
      <dd>{result.new_services}</dd>
      <dt>Updated</dt>
      <dd>{result.updated}</dd>
      <dt>Unchanged</dt>
      <dd>{result.unchanged}</dd>
      <dt>Conflicts</dt>
      <dd>{result.conflicts}</dd>
    </dl>
  );
}

/** The rows the preview shows: every kind but unchanged (the API sends at most 100 of each). */
function Rows({ result }: { result: Result }) {
  const rows = result.rows.filter((r) => r.kind !== 'unchanged');
  if (rows.length === 0) return null;
  return (
    <DataTable
      caption="Accounts to import"
      columns={['Account', 'Domain', 'Contact e-mail', 'Does']}
    >
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

/**
 * Import accounts: a dry run previews what the server's accounts would become (counts and
 * conflicts), then Import writes them. Re-running an import finishes one cut short and never
 * duplicates anything, so there is no job to follow.
 */
export function ServerImport({ id }: { id: number }) {
  const preview = useImportServer(id);
  const run = useImportServer(id);
  const plan = preview.data;
  const done = run.data;
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
        onClick={() => {
          run.reset();
          preview.mutate(true);
        }}
      >
        Preview import
      </Button>
      <div aria-live="polite">
        {preview.isError ? <Alert tone="error">{errorMessage(preview.error)}</Alert> : null}
        {run.isError ? <Alert tone="error">{errorMessage(run.error)}</Alert> : null}
        {plan?.message ? <Alert tone="info">{plan.message}</Alert> : null}
        {done ? (
          <Alert tone="success" title="Imported">
            <Counts result={done} />
          </Alert>
        ) : null}
      </div>
      {plan && !done && plan.accounts > 0 ? (
        <>
          <Counts result={plan} />
          <Rows result={plan} />
          <Button
            variant="primary"
            busy={run.isPending}
            disabled={changes === 0}
            onClick={() => {
              run.mutate(false);
            }}
          >
            {changes === 0 ? 'Nothing to import' : 'Import'}
          </Button>
        </>
      ) : null}
    </section>
  );
}
