import { useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreateClient, type ClientInput } from '../api/create-client';
import { CLIENT_STATUSES } from './labels';

type Field = 'name' | 'email' | 'owner.name' | 'owner.email' | 'owner.password';

/** Creates a client together with its owner (the first user of the account). */
export function NewClient({
  onCreated,
  onCancel,
}: {
  onCreated: (id: number) => void;
  onCancel: () => void;
}) {
  const create = useCreateClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [v, setV] = useState({
    name: '',
    email: '',
    status: 'Active' as NonNullable<ClientInput['status']>,
    allow_sso: true,
    ownerName: '',
    ownerEmail: '',
    ownerPassword: '',
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const serverField =
    create.error instanceof ApiError && create.error.field ? create.error.field : undefined;
  const err = (f: Field) =>
    errors[f] ?? (serverField === f ? errorMessage(create.error) : undefined);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs: Partial<Record<Field, string>> = {};
    if (!v.name.trim()) errs.name = 'Enter the client name.';
    if (!/^\S+@\S+\.\S+$/.test(v.email.trim())) errs.email = 'Enter a valid email address.';
    if (!v.ownerName.trim()) errs['owner.name'] = "Enter the owner's name.";
    if (!/^\S+@\S+\.\S+$/.test(v.ownerEmail.trim()))
      errs['owner.email'] = "Enter the owner's email address.";
    if (v.ownerPassword.length < 8) errs['owner.password'] = 'Use at least 8 characters.';
    setErrors(errs);
    const first = Object.keys(errs)[0];
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    create.mutate(
      {
        name: v.name.trim(),
        email: v.email.trim(),
        status: v.status,
        allow_sso: v.allow_sso,
        owner: { name: v.ownerName.trim(), email: v.ownerEmail.trim(), password: v.ownerPassword },
      },
      {
        onSuccess: (c) => {
          onCreated(c.id);
        },
      },
    );
  }

  return (
    <form ref={formRef} className="card" onSubmit={submit} noValidate>
      {create.isError && !serverField ? (
        <Alert tone="error">{errorMessage(create.error)}</Alert>
      ) : null}
      <div className="form-grid">
        <TextField
          label="Client name"
          name="name"
          required
          value={v.name}
          error={err('name')}
          onChange={(e) => {
            setV({ ...v, name: e.target.value });
          }}
        />
        <TextField
          label="Billing email"
          name="email"
          type="email"
          required
          value={v.email}
          error={err('email')}
          onChange={(e) => {
            setV({ ...v, email: e.target.value });
          }}
        />
        <SelectField
          label="Status"
          name="status"
          options={CLIENT_STATUSES.map((s) => ({ value: s, label: s }))}
          value={v.status}
          onChange={(e) => {
            setV({ ...v, status: e.target.value as typeof v.status });
          }}
        />
        <div className="span-2">
          <CheckboxField
            label="Allow Single Sign-On"
            checked={v.allow_sso}
            onChange={(c) => {
              setV({ ...v, allow_sso: c });
            }}
          />
        </div>
      </div>
      <h2 className="section-title">Owner</h2>
      <div className="form-grid">
        <TextField
          label="Owner name"
          name="owner.name"
          required
          value={v.ownerName}
          error={err('owner.name')}
          onChange={(e) => {
            setV({ ...v, ownerName: e.target.value });
          }}
        />
        <TextField
          label="Owner email"
          name="owner.email"
          type="email"
          required
          value={v.ownerEmail}
          error={err('owner.email')}
          onChange={(e) => {
            setV({ ...v, ownerEmail: e.target.value });
          }}
        />
        <TextField
          label="Owner password"
          name="owner.password"
          type="password"
          autoComplete="new-password"
          required
          value={v.ownerPassword}
          error={err('owner.password')}
          onChange={(e) => {
            setV({ ...v, ownerPassword: e.target.value });
          }}
        />
      </div>
      <div className="form-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Add client
        </Button>
      </div>
    </form>
  );
}
