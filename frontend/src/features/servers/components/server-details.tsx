import { useState } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { PageHeader } from '@/components/ui/page-header';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { SyncNowButton } from '@/components/ui/sync-now-button';
import { errorMessage } from '@/lib/api-error';
import { useDeleteServer } from '../api/delete-server';
import { useServer } from '../api/get-server';
import { useSyncServer } from '../api/sync-server';
import { useTestServer } from '../api/test-server';
import { useUpdateServer } from '../api/update-server';
import { moduleName } from './module-name';
import { ServerClickSources } from './server-click-sources';
import { ServerForm } from './server-form';
import { ServerImport } from './server-import';
import { ServerTestResult } from './server-test-result';

/**
 * One server: test the connection, (de)activate, delete, edit, import its accounts (when
 * active), and where its clicks come from.
 */
export function ServerDetails({
  id,
  onDeleted,
  onCancel,
}: {
  id: number;
  onDeleted: () => void;
  onCancel: () => void;
}) {
  const server = useServer(id);
  const update = useUpdateServer();
  const toggle = useUpdateServer();
  const test = useTestServer();
  const remove = useDeleteServer();
  const sync = useSyncServer(id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const [saved, setSaved] = useState(false);
  // Re-mount the form after a save so it shows what the server stored (and an empty token).
  const [formKey, setFormKey] = useState(0);

  if (server.isPending) return <Spinner label="Loading server…" />;
  if (server.isError) {
    return (
      <ErrorState
        error={server.error}
        title="Could not load this server"
        onRetry={() => void server.refetch()}
      />
    );
  }
  const s = server.data;
  const active = s.active;
  const setActive = (on: boolean) => {
    setSaved(false);
    toggle.mutate(
      { id, patch: { active: on } },
      {
        onSuccess: () => {
          setConfirmDeactivate(false);
          setFormKey((k) => k + 1);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title={s.name || `Server ${String(id)}`}
        breadcrumb={<Link to="/servers">Servers</Link>}
        actions={
          <>
            <Button
              busy={test.isPending}
              onClick={() => {
                test.mutate(id);
              }}
            >
              Test connection
            </Button>
            {active ? <SyncNowButton sync={sync} name={s.name || `server ${String(id)}`} /> : null}
            <Button
              busy={toggle.isPending && !confirmDeactivate}
              onClick={() => {
                if (active) {
                  toggle.reset();
                  setConfirmDeactivate(true);
                } else setActive(true);
              }}
            >
              {active ? 'Deactivate' : 'Activate'}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                remove.reset();
                setConfirmDelete(true);
              }}
            >
              Delete
            </Button>
          </>
        }
      />
      <p className="muted">
        {moduleName(s.module)} · {active ? 'Active' : 'Inactive'}
        {s.checked_at ? ` · last checked ${new Date(s.checked_at).toLocaleString()}` : ''}
      </p>
      <div aria-live="polite">
        {test.isError ? <Alert tone="error">{errorMessage(test.error)}</Alert> : null}
        {toggle.isError ? <Alert tone="error">{errorMessage(toggle.error)}</Alert> : null}
        {test.data ? <ServerTestResult result={test.data} /> : null}
        {saved && update.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
      </div>
      <ServerForm
        key={formKey}
        server={s}
        submitting={update.isPending}
        error={update.error}
        onCancel={onCancel}
        onSubmit={(sub) => {
          if (sub.mode !== 'edit') return;
          setSaved(false);
          update.mutate(
            { id, patch: sub.patch },
            {
              onSuccess: () => {
                setSaved(true);
                setFormKey((k) => k + 1);
              },
            },
          );
        }}
      />
      {active ? <ServerImport id={id} /> : null}
      <ServerClickSources server={s} />
      {confirmDeactivate ? (
        <ConfirmDialog
          title={`Deactivate ${s.name || 'this server'}?`}
          confirmLabel="Deactivate server"
          busy={toggle.isPending}
          error={toggle.error}
          onCancel={() => {
            setConfirmDeactivate(false);
          }}
          onConfirm={() => {
            setActive(false);
          }}
        >
          <p>
            Nothing is pushed to it any more, and the single sign-on clicks of its accounts are
            refused, until it is activated again. Its accounts keep the links they carry.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete ${s.name || 'this server'}?`}
          confirmLabel="Delete server"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => {
            setConfirmDelete(false);
          }}
          onConfirm={() => {
            remove.mutate(id, { onSuccess: onDeleted });
          }}
        >
          <p>
            The server and its settings are removed. A server that still has hosting accounts cannot
            be deleted; deactivate it instead.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
