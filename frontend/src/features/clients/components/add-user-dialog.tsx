import { useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useAddClientUser } from '../api/add-client-user';
import { USER_PERMISSIONS } from './labels';

/** Adds a new user to the account: e-mail, name, a first password and their permissions. */
export function AddUserDialog({ clientId, onClose }: { clientId: number; onClose: () => void }) {
  const add = useAddClientUser(clientId);
  const [v, setV] = useState({ email: '', name: '', password: '' });
  const [perms, setPerms] = useState<Set<string>>(() => new Set(['sso']));
  const field = add.error instanceof ApiError ? add.error.field : undefined;
  const fieldError = (name: string) => (field === name ? errorMessage(add.error) : undefined);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    add.mutate(
      {
        email: v.email.trim(),
        name: v.name.trim(),
        password: v.password,
        permissions: USER_PERMISSIONS.map((p) => p.key).filter((k) => perms.has(k)),
      },
      { onSuccess: onClose },
    );
  }

  return (
    <Dialog
      title="Add user"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="add-user-form" variant="primary" busy={add.isPending}>
            Add user
          </Button>
        </>
      }
    >
      <form id="add-user-form" onSubmit={submit} noValidate>
        {add.isError && !field ? <Alert tone="error">{errorMessage(add.error)}</Alert> : null}
        <TextField
          label="Email"
          type="email"
          required
          autoComplete="off"
          value={v.email}
          error={fieldError('email')}
          onChange={(e) => {
            setV({ ...v, email: e.target.value });
          }}
        />
        <TextField
          label="Name"
          required
          autoComplete="off"
          value={v.name}
          error={fieldError('name')}
          onChange={(e) => {
            setV({ ...v, name: e.target.value });
          }}
        />
        <TextField
          label="Password"
          type="password"
          required
          autoComplete="new-password"
          hint="Their first password for the client area; they can change it there."
          value={v.password}
          error={fieldError('password')}
          onChange={(e) => {
            setV({ ...v, password: e.target.value });
          }}
        />
        <fieldset className="fieldset">
          <legend>Permissions</legend>
          {fieldError('permissions') ? (
            <Alert tone="error">{fieldError('permissions')}</Alert>
          ) : null}
          {USER_PERMISSIONS.map((p) => (
            <CheckboxField
              key={p.key}
              label={p.label}
              hint={p.description}
              checked={perms.has(p.key)}
              onChange={(on) => {
                setPerms((prev) => {
                  const next = new Set(prev);
                  if (on) next.add(p.key);
                  else next.delete(p.key);
                  return next;
                });
              }}
            />
          ))}
        </fieldset>
      </form>
    </Dialog>
  );
}
