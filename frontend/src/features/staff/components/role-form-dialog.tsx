import { useId, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreateRole } from '../api/create-role';
import { STAFF_PERMISSIONS } from './labels';

type Field = 'name' | 'permissions';
type Errors = Partial<Record<Field, string>>;

/** Client-side checks mirroring the API's (the API stays the judge). */
export function validateRole(name: string, permissions: Set<string>): Errors {
  const e: Errors = {};
  const n = name.trim();
  if (!n) e.name = 'Enter a name, e.g. Support.';
  else if (new TextEncoder().encode(n).length > 100) e.name = 'Use at most 100 characters.';
  if (permissions.size === 0) e.permissions = 'Choose at least one permission.';
  return e;
}

/** Create a role: a name and a checklist of the staff permissions. */
export function RoleFormDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateRole();
  const id = useId();
  const [name, setName] = useState('');
  const [perms, setPerms] = useState<Set<string>>(() => new Set());
  const [errors, setErrors] = useState<Errors>({});
  const formRef = useRef<HTMLFormElement>(null);

  const apiError = create.error;
  const apiField =
    apiError instanceof ApiError && (apiError.field === 'name' || apiError.field === 'permissions')
      ? apiError.field
      : undefined;
  const fieldError = (f: Field) =>
    errors[f] ?? (apiField === f ? errorMessage(apiError) : undefined);
  const permsError = fieldError('permissions');
  const permsErrorId = `${id}-permissions-error`;

  function toggle(key: string, on: boolean) {
    setPerms((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
    setErrors((e) => ({ ...e, permissions: undefined }));
    create.reset();
  }

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = validateRole(name, perms);
    setErrors(errs);
    if (errs.name) {
      formRef.current?.querySelector<HTMLElement>('[name="name"]')?.focus();
      return;
    }
    if (errs.permissions) {
      formRef.current?.querySelector<HTMLElement>('input[type="checkbox"]')?.focus();
      return;
    }
    create.mutate(
      {
        name: name.trim(),
        // The catalogue's order, so that the request is stable.
        permissions: STAFF_PERMISSIONS.map((p) => p.key).filter((k) => perms.has(k)),
      },
      { onSuccess: onClose },
    );
  }

  return (
    <Dialog title="Create role" onClose={onClose}>
      <form ref={formRef} onSubmit={submit} noValidate>
        {apiError && !apiField ? (
          <Alert tone="error" title="The role was not created">
            {errorMessage(apiError)}
          </Alert>
        ) : null}
        <TextField
          label="Name"
          name="name"
          required
          data-autofocus
          autoComplete="off"
          value={name}
          error={fieldError('name')}
          onChange={(e) => {
            setName(e.target.value);
            setErrors((x) => ({ ...x, name: undefined }));
            create.reset();
          }}
        />
        <fieldset
          className={`fieldset${permsError ? ' field--invalid' : ''}`}
          aria-describedby={permsError ? permsErrorId : undefined}
        >
          <legend>Permissions</legend>
          {STAFF_PERMISSIONS.map((p) => (
            <CheckboxField
              key={p.key}
              name="permissions"
              value={p.key}
              label={p.label}
              hint={p.hint}
              checked={perms.has(p.key)}
              aria-invalid={permsError ? true : undefined}
              onChange={(on) => {
                toggle(p.key, on);
              }}
            />
          ))}
          {permsError ? (
            <p id={permsErrorId} className="field__error">
              {permsError}
            </p>
          ) : null}
        </fieldset>
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create role
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
