import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, ListState } from '@/components/ui/states';
import { Toggle } from '@/components/ui/toggle';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useApplications } from '../api/get-applications';
import { isBusy, useApplicationStatus } from '../api/get-application-status';
import { useDisableApplication } from '../api/disable-application';
import { useEnableApplication } from '../api/enable-application';
import { applicationKeys } from '../api/keys';
import { useVerifyApplication } from '../api/verify-application';
import { RetryFailedButton } from './repair-buttons';
import { StatusIndicator } from './status-indicator';

type ApplicationView = Schema<'rest.ApplicationView'>;

/** The Application Links page body: one row per application. */
export function ApplicationsTable() {
  const apps = useApplications();
  return (
    <ListState
      query={apps}
      loading="Loading applications…"
      errorTitle="Could not load the applications"
      empty={<EmptyState title="No applications are available" />}
    >
      {(applications) => (
        <DataTable
          caption="Applications"
          columns={['Application', 'Enabled', 'Status', { label: 'Actions', visuallyHidden: true }]}
        >
          {applications.map((app) => (
            <ApplicationRow key={app.module} app={app} />
          ))}
        </DataTable>
      )}
    </ListState>
  );
}

function ApplicationRow({ app }: { app: ApplicationView }) {
  const module = app.module;
  const name = app.name || module;
  const qc = useQueryClient();
  const statusQuery = useApplicationStatus(module);
  const status = statusQuery.data ?? app.status;
  const enabled = status.enabled;
  const enable = useEnableApplication();
  const disable = useDisableApplication();
  const verify = useVerifyApplication();
  const [confirmOff, setConfirmOff] = useState(false);

  // When running work finishes, refresh what depends on it (list, log, history).
  const busy = isBusy(status);
  const wasBusy = useRef(busy);
  useEffect(() => {
    if (wasBusy.current && !busy) {
      void qc.invalidateQueries({ queryKey: applicationKeys.list() });
      void qc.invalidateQueries({ queryKey: applicationKeys.log(module) });
      void qc.invalidateQueries({ queryKey: applicationKeys.operations });
    }
    wasBusy.current = busy;
  }, [busy, qc, module]);

  const enableError = enable.error;
  const noServer =
    enableError instanceof ApiError &&
    enableError.status === 409 &&
    /server/i.test(enableError.message);

  return (
    <tr>
      <th scope="row">
        {name}
        {enableError ? (
          <div className="app-row__error">
            <Alert tone="error">
              {errorMessage(enableError)}
              {noServer ? (
                <>
                  {' '}
                  <Link to="/servers/new">Add a server</Link>
                </>
              ) : null}
            </Alert>
          </div>
        ) : null}
        {disable.isError ? (
          <div className="app-row__error">
            <Alert tone="error">{errorMessage(disable.error)}</Alert>
          </div>
        ) : null}
      </th>
      <td>
        <Toggle
          checked={enabled}
          ariaLabel={`Enable application links for ${name}`}
          busy={enable.isPending || disable.isPending}
          onChange={(on) => {
            enable.reset();
            disable.reset();
            if (on) enable.mutate(module);
            else setConfirmOff(true);
          }}
        />
      </td>
      <td>
        <StatusIndicator status={status} />
        <RetryFailedButton module={module} name={name} status={status} />
        {statusQuery.isError ? (
          <p className="field__hint">Status unavailable: {errorMessage(statusQuery.error)}</p>
        ) : null}
      </td>
      <td>
        <div className="actions">
          <Link
            className="btn btn--sm"
            to={`/settings/application-links/${module}/configure`}
            aria-label={`Configure ${name}`}
          >
            Configure
          </Link>
          <Link
            className="btn btn--sm"
            to={`/settings/application-links/${module}/log`}
            aria-label={`View Log of ${name}`}
          >
            View Log
          </Link>
          {enabled ? (
            <Button
              size="sm"
              busy={verify.isPending}
              aria-label={`Verify the links of ${name}`}
              onClick={() => {
                verify.reset();
                verify.mutate(module);
              }}
            >
              Verify
            </Button>
          ) : null}
        </div>
        <span role="status" className="field__hint">
          {verify.isError ? errorMessage(verify.error) : null}
          {verify.isSuccess ? 'A verify of every account was queued.' : null}
        </span>
        {confirmOff ? (
          <ConfirmMutation
            title={`Disable application links for ${name}?`}
            confirmLabel="Disable"
            mutation={disable}
            variables={module}
            onClose={() => {
              setConfirmOff(false);
            }}
          >
            <p>
              The links and the “Billing &amp; Support” group are removed from every account on
              every {name} server. You can enable them again at any time.
            </p>
          </ConfirmMutation>
        ) : null}
      </td>
    </tr>
  );
}
