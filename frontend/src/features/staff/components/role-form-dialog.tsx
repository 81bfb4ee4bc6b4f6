import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreateRole } from '../api/create-role';
import { useUpdateRole, type RolePatch } from '../api/update-role';
import { MANAGE_ADMINS, permissionLabel, STAFF_PERMISSIONS } from './labels';

type Role = Schema<'rest.RoleAnswer'>;

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

/**
 * Create a role, or edit one (its name and permissions, applied at once to every admin with
 * it): a name and a checklist of the staff permissions. The API's field errors are shown on
 * their field. The signed-in admin cannot take Manage Staff from their own role, which would
 * lock them out of this page.
 */
export function RoleFormDialog({
  role,
  self = false,
  onClose,
}: {
  /** The role to edit; absent to create one. */
  role?: Role | undefined;
  /** Whether `role` is the signed-in admin's own role. */
  self?: boolean;
  onClose: () => void;
}) {
  const creating = !role;
  const create = useCreateRole();
  const update = useUpdateRole();
  const mutation = creating ? create : update;
  const id = useId();
  const [name, setName] = useState(role?.name ?? '');
  const [perms, setPerms] = useState<Set<string>>(() => new Set(role?.permissions));
  const [errors, setErrors] = useState<Errors>({});
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  const apiError = mutation.error;
  const apiField =
    apiError instanceof ApiError && (apiError.field === 'name' || apiError.field === 'permissions')
      ? apiError.field
      : undefined;
  const fieldError = (f: Field) =>
    errors[f] ?? (apiField === f ? errorMessage(apiError) : undefined);
  const permsError = fieldError('permissions');
  const permsErrorId = `${id}-permissions-error`;

  // Move focus to what the API refused: its field (the first checkbox for the permissions),
  // or the message above the form.
  useEffect(() => {
    if (!apiError) return;
    if (apiField) formRef.current?.querySelector<HTMLElement>(`[name="${apiField}"]`)?.focus();
    else alertRef.current?.focus();
  }, [apiError, apiField]);

  function toggle(key: string, on: boolean) {
    setPerms((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
    setErrors((e) => ({ ...e, permissions: undefined }));
    mutation.reset();
  }

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = validateRole(name, perms);
    if (self && !errs.permissions && !perms.has(MANAGE_ADMINS)) {
      errs.permissions = `This is your own role: it must keep ${permissionLabel(MANAGE_ADMINS)}, or you would lock yourself out of this page. Another administrator can change it.`;
    }
    setErrors(errs);
    if (errs.name) {
      formRef.current?.querySelector<HTMLElement>('[name="name"]')?.focus();
      return;
    }
    if (errs.permissions) {
      formRef.current?.querySelector<HTMLElement>('input[type="checkbox"]')?.focus();
      return;
    }
    const trimmed = name.trim();
    // The catalogue's order, so that the request is stable.
    const permissions = STAFF_PERMISSIONS.map((p) => p.key).filter((k) => perms.has(k));
    if (creating) {
      create.mutate({ name: trimmed, permissions }, { onSuccess: onClose });
      return;
    }
    const patch: RolePatch = {};
    if (trimmed !== role.name) patch.name = trimmed;
    const before = new Set(role.permissions);
    if (permissions.length !== before.size || permissions.some((k) => !before.has(k))) {
      patch.permissions = permissions;
    }
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    update.mutate({ id: role.id, patch, self }, { onSuccess: onClose });
  }

  return (
    <Dialog title={creating ? 'Create role' : `Edit ${role.name}`} onClose={onClose}>
      <form ref={formRef} onSubmit={submit} noValidate>
        {apiError && !apiField ? (
          <Alert
            ref={alertRef}
            tone="error"
            title={creating ? 'The role was not created' : 'The change was refused'}
          >
            {errorMessage(apiError)}
          </Alert>
        ) : null}
        {creating ? null : (
          <p className="muted">Changes apply at once to every administrator with this role.</p>
        )}
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
            mutation.reset();
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
              hint={
                self && p.key === MANAGE_ADMINS ? `${p.hint} Your own role must keep it.` : p.hint
              }
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
          <Button type="submit" variant="primary" busy={mutation.isPending}>
            {creating ? 'Create role' : 'Save changes'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
