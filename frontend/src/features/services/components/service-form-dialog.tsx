import { useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useServerChoices } from '../api/get-server-choices';
import { useCreateService, useUpdateService, type ServicePatch } from '../api/save-service';
import { moduleName, SERVICE_STATUSES, type Service, type ServiceStatus } from './labels';

interface Values {
  clientId: string;
  serverId: string;
  username: string;
  domain: string;
  status: ServiceStatus;
}

function initial(service: Service | undefined, clientId: number | undefined): Values {
  return {
    clientId: String(service?.client_id ?? clientId ?? ''),
    serverId: service ? String(service.server_id) : '',
    username: service?.username ?? '',
    domain: service?.domain ?? '',
    status: service?.status ?? 'Active',
  };
}

/** Only what changed, so an edit never rewrites a field it did not touch. */
function patchOf(s: Service, v: Values): ServicePatch {
  const p: ServicePatch = {};
  if (Number(v.serverId) !== s.server_id) p.server_id = Number(v.serverId);
  if (v.username.trim() !== s.username) p.username = v.username.trim();
  if (v.domain.trim() !== s.domain) p.domain = v.domain.trim();
  if (v.status !== s.status) p.status = v.status;
  return p;
}

/**
 * Creates a hosting account, or edits one (a different server moves it). `clientId` fixes the
 * client (on a client's page); without it staff give the client's number.
 */
export function ServiceFormDialog({
  service,
  clientId,
  onClose,
}: {
  service?: Service;
  clientId?: number;
  onClose: () => void;
}) {
  const [v, setV] = useState(() => initial(service, clientId));
  const servers = useServerChoices();
  const create = useCreateService();
  const update = useUpdateService();
  const save = service ? update : create;
  const field = save.error instanceof ApiError ? save.error.field : undefined;
  const fieldError = (name: string) => (field === name ? errorMessage(save.error) : undefined);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (service) {
      update.mutate({ id: service.id, patch: patchOf(service, v) }, { onSuccess: onClose });
      return;
    }
    create.mutate(
      {
        client_id: Number(v.clientId),
        server_id: Number(v.serverId),
        username: v.username.trim(),
        domain: v.domain.trim(),
        status: v.status,
      },
      { onSuccess: onClose },
    );
  }

  const serverOptions = [
    { value: '', label: servers.isPending ? 'Loading servers…' : 'Choose a server' },
    ...(servers.data?.items ?? []).map((s) => ({
      value: String(s.id),
      label: `${s.name} (${moduleName(s.module)})${s.active ? '' : ', inactive'}`,
    })),
  ];
  const formId = service ? `service-form-${String(service.id)}` : 'service-form-new';
  return (
    <Dialog
      title={service ? `Edit ${service.username || service.domain}` : 'Add hosting account'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" busy={save.isPending}>
            {service ? 'Save changes' : 'Add account'}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        {save.isError && !field ? <Alert tone="error">{errorMessage(save.error)}</Alert> : null}
        {servers.isError ? <Alert tone="error">{errorMessage(servers.error)}</Alert> : null}
        {!service && clientId === undefined ? (
          <TextField
            label="Client number"
            name="client_id"
            inputMode="numeric"
            required
            value={v.clientId}
            error={fieldError('client_id')}
            onChange={(e) => {
              setV({ ...v, clientId: e.target.value });
            }}
          />
        ) : null}
        <SelectField
          label="Server"
          name="server_id"
          hint={service ? 'Choosing another server moves the account there.' : undefined}
          options={serverOptions}
          value={v.serverId}
          error={fieldError('server_id')}
          onChange={(e) => {
            setV({ ...v, serverId: e.target.value });
          }}
        />
        <TextField
          label="Username"
          name="username"
          autoComplete="off"
          value={v.username}
          error={fieldError('username')}
          onChange={(e) => {
            setV({ ...v, username: e.target.value });
          }}
        />
        <TextField
          label="Domain"
          name="domain"
          required
          autoComplete="off"
          value={v.domain}
          error={fieldError('domain')}
          onChange={(e) => {
            setV({ ...v, domain: e.target.value });
          }}
        />
        <SelectField
          label="Status"
          name="status"
          options={SERVICE_STATUSES.map((s) => ({ value: s, label: s }))}
          value={v.status}
          error={fieldError('status')}
          onChange={(e) => {
            setV({ ...v, status: e.target.value as ServiceStatus });
          }}
        />
      </form>
    </Dialog>
  );
}
