import { useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { Toggle } from '@/components/ui/toggle';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useUpdateClient, type ClientPatch } from '../api/update-client';
import { CLIENT_STATUSES } from './labels';

type Client = Schema<'rest.ClientAnswer'>;

/** Profile tab: contact details and status, and the account-wide single sign-on switch. */
export function ClientProfileTab({ client }: { client: Client }) {
  const id = client.id;
  const save = useUpdateClient();
  const sso = useUpdateClient();
  const [v, setV] = useState({
    name: client.name,
    email: client.email,
    status: client.status,
  });
  const field = save.error instanceof ApiError ? save.error.field : undefined;

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const patch: ClientPatch = { name: v.name.trim(), email: v.email.trim(), status: v.status };
    save.mutate({ id, patch });
  }

  const allowed = client.allow_sso;
  return (
    <>
      <section className="card" aria-labelledby="sso-title">
        <h2 id="sso-title" className="section-title">
          Single Sign-On
        </h2>
        <Toggle
          label="Allow Single Sign-On"
          checked={allowed}
          busy={sso.isPending}
          onChange={(next) => {
            sso.mutate({ id, patch: { allow_sso: next } });
          }}
        />
        <p className="field__hint">
          {allowed
            ? 'Users of this account with the “Perform Single Sign-On” permission can sign in from cPanel links and trusted applications.'
            : 'Single sign-on into this account is blocked for every user, from cPanel and from trusted applications.'}
        </p>
        <div aria-live="polite">
          {sso.isError ? <Alert tone="error">{errorMessage(sso.error)}</Alert> : null}
        </div>
      </section>
      <form className="card" onSubmit={submit} noValidate aria-labelledby="details-title">
        <h2 id="details-title" className="section-title">
          Details
        </h2>
        {save.isError && !field ? <Alert tone="error">{errorMessage(save.error)}</Alert> : null}
        {save.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
        <div className="form-grid">
          <TextField
            label="Client name"
            name="name"
            value={v.name}
            error={field === 'name' ? errorMessage(save.error) : undefined}
            onChange={(e) => {
              setV({ ...v, name: e.target.value });
            }}
          />
          <TextField
            label="Billing email"
            name="email"
            type="email"
            value={v.email}
            error={field === 'email' ? errorMessage(save.error) : undefined}
            onChange={(e) => {
              setV({ ...v, email: e.target.value });
            }}
          />
          <SelectField
            label="Status"
            name="status"
            hint="Closed accounts cannot use single sign-on."
            options={CLIENT_STATUSES.map((s) => ({ value: s, label: s }))}
            value={v.status}
            error={field === 'status' ? errorMessage(save.error) : undefined}
            onChange={(e) => {
              setV({ ...v, status: e.target.value as typeof v.status });
            }}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            Save changes
          </Button>
        </div>
      </form>
    </>
  );
}
