import { useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { SecretOnceDialog } from '@/components/ui/secret-once-dialog';
import { DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState, ListState } from '@/components/ui/states';
import { TextField } from '@/components/ui/text-field';
import { errorMessage } from '@/lib/api-error';
import { useCreateApiCredential } from '../api/create-api-credential';
import { useApiCredentials } from '../api/get-api-credentials';
import { useRevokeApiCredential } from '../api/revoke-api-credential';

type Credential = Schema<'rest.APICredentialAnswer'>;
type NewCredential = Schema<'rest.NewAPICredentialAnswer'>;

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** Trusted applications: create (the secret is shown once), list, revoke. */
export function ApiCredentials() {
  const list = useApiCredentials();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewCredential | null>(null);
  const [revoking, setRevoking] = useState<Credential | null>(null);
  const revoke = useRevokeApiCredential();

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
          }}
        >
          Create credential
        </Button>
      </div>
      <ListState
        query={list}
        loading="Loading credentials…"
        errorTitle="Could not load the credentials"
        empty={
          <EmptyState title="No API credentials yet">
            A trusted application (e.g. your billing portal) uses a credential to create single
            sign-on tokens with POST /api/v1/sso/tokens.
          </EmptyState>
        }
      >
        {(credentials) => (
          <DataTable
            caption="API credentials"
            columns={[
              'Name',
              'Identifier',
              'Permissions',
              'Created',
              'Last used',
              'State',
              { label: 'Actions', visuallyHidden: true },
            ]}
          >
            {credentials.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td className="mono">{c.identifier}</td>
                <td>{c.permissions.join(', ') || '—'}</td>
                <td>{when(c.created_at)}</td>
                <td>{when(c.last_used_at)}</td>
                <td>
                  {c.revoked_at ? (
                    <Badge tone="danger">
                      Revoked {new Date(c.revoked_at).toLocaleDateString()}
                    </Badge>
                  ) : (
                    <Badge tone="success">Active</Badge>
                  )}
                </td>
                <td className="num">
                  {c.revoked_at ? null : (
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={`Revoke ${c.name || c.identifier}`}
                      onClick={() => {
                        revoke.reset();
                        setRevoking(c);
                      }}
                    >
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListState>
      {creating ? (
        <CreateCredentialDialog
          onClose={() => {
            setCreating(false);
          }}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
          }}
        />
      ) : null}
      {created ? (
        <SecretDialog
          credential={created}
          onClose={() => {
            setCreated(null);
          }}
        />
      ) : null}
      {revoking ? (
        <ConfirmMutation
          title={`Revoke ${revoking.name || 'this credential'}?`}
          confirmLabel="Revoke"
          mutation={revoke}
          variables={revoking.id}
          onClose={() => {
            setRevoking(null);
          }}
        >
          <p>
            The application&apos;s next call is refused. This cannot be undone: create a new
            credential to let it in again.
          </p>
        </ConfirmMutation>
      ) : null}
    </>
  );
}

function CreateCredentialDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (c: NewCredential) => void;
}) {
  const create = useCreateApiCredential();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>();

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!name.trim()) {
      setNameError('Enter a name, e.g. the application it is for.');
      return;
    }
    create.mutate({ name: name.trim() }, { onSuccess: onCreated });
  }

  return (
    <Dialog title="Create API credential" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {create.isError ? <Alert tone="error">{errorMessage(create.error)}</Alert> : null}
        <TextField
          label="Name"
          name="name"
          required
          data-autofocus
          hint="It may create single sign-on tokens (create_sso_token)."
          value={name}
          error={nameError}
          onChange={(e) => {
            setName(e.target.value);
            setNameError(undefined);
          }}
        />
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function SecretDialog({ credential, onClose }: { credential: NewCredential; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title="Copy the secret now"
      notice="This is the only time the secret is shown. It is stored as a hash and cannot be recovered."
      rows={[
        { term: 'Name', value: credential.name },
        { term: 'Identifier', value: credential.identifier, mono: true },
      ]}
      secret={credential.secret}
      secretTestId="credential-secret"
      copyText={`${credential.identifier}:${credential.secret}`}
      copyLabel="Copy identifier:secret"
      onClose={onClose}
    />
  );
}
