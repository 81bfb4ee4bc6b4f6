import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreateAdmin } from '../api/create-admin';
import { useUpdateAdmin, type AdminPatch } from '../api/update-admin';
import { MANAGE_ADMINS, permissionLabel } from './labels';

type Admin = Schema<'rest.AdminAnswer'>;
type Role = Schema<'rest.RoleAnswer'>;

interface Values {
  name: string;
  email: string;
  role_id: string;
  password: string;
  active: boolean;
}

type Field = 'name' | 'email' | 'role_id' | 'password';
type Errors = Partial<Record<Field, string>>;

const FIELD_ORDER: Field[] = ['name', 'email', 'role_id', 'password'];
const MIN_PASSWORD = 8;
const MAX_NAME = 190;

/** Client-side checks mirroring the API's (the API stays the judge). */
export function validateAdmin(v: Values, creating: boolean): Errors {
  const e: Errors = {};
  const name = v.name.trim();
  if (!name) e.name = 'Enter a name.';
  else if (Array.from(name).length > MAX_NAME)
    e.name = `Use at most ${String(MAX_NAME)} characters.`;
  if (creating) {
    const email = v.email.trim();
    if (!email) e.email = 'Enter an e-mail address.';
    else if (!/^[^\s@]+@[^\s@]+$/.test(email)) e.email = 'Enter a valid e-mail address.';
  }
  if (!v.role_id) e.role_id = 'Choose a role.';
  if (creating || v.password !== '') {
    if (Array.from(v.password).length < MIN_PASSWORD)
      e.password = `Use at least ${String(MIN_PASSWORD)} characters.`;
    else if (new TextEncoder().encode(v.password).length > 72)
      e.password = 'Use at most 72 bytes (fewer characters outside plain ASCII).';
  }
  return e;
}

function isField(f: string | undefined): f is Field {
  return f !== undefined && (FIELD_ORDER as string[]).includes(f);
}

/**
 * Add an administrator (name, e-mail, role, initial password) or edit one (name, role,
 * active, a new password). The API's field errors are shown on their field. The signed-in
 * admin cannot deactivate themselves nor pick a role without Manage Staff, which would lock
 * them out of this page.
 */
export function AdminFormDialog({
  admin,
  roles,
  selfId,
  onClose,
}: {
  /** The admin to edit; absent to create one. */
  admin?: Admin | undefined;
  roles: Role[];
  /** The signed-in admin's id, when known. */
  selfId?: number | undefined;
  onClose: () => void;
}) {
  const creating = !admin;
  const self = admin !== undefined && admin.id === selfId;
  const create = useCreateAdmin();
  const update = useUpdateAdmin();
  const mutation = creating ? create : update;
  const [values, setValues] = useState<Values>(() => ({
    name: admin?.name ?? '',
    email: admin?.email ?? '',
    role_id: admin ? String(admin.role_id) : '',
    password: '',
    active: admin?.active ?? true,
  }));
  const [errors, setErrors] = useState<Errors>({});
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  const apiError = mutation.error;
  const apiField =
    apiError instanceof ApiError && isField(apiError.field) ? apiError.field : undefined;
  const fieldError = (f: Field) =>
    errors[f] ?? (apiField === f ? errorMessage(apiError) : undefined);

  // Move focus to what the API refused: its field, or the message above the form.
  useEffect(() => {
    if (!apiError) return;
    if (apiField) formRef.current?.querySelector<HTMLElement>(`[name="${apiField}"]`)?.focus();
    else alertRef.current?.focus();
  }, [apiError, apiField]);

  function set<K extends keyof Values>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    if (key !== 'active') setErrors((e) => ({ ...e, [key]: undefined }));
    mutation.reset();
  }

  const roleOptions = [
    ...(creating ? [{ value: '', label: 'Choose a role…' }] : []),
    ...roles.map((r) => ({
      value: String(r.id),
      label: r.name,
    })),
  ];
  const chosenRole = roles.find((r) => String(r.id) === values.role_id);
  // Dropping one's own Manage Staff would lock the admin out of this page.
  const selfLockout =
    self && chosenRole !== undefined && !chosenRole.permissions.includes(MANAGE_ADMINS);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = validateAdmin(values, creating);
    if (selfLockout) {
      errs.role_id = `You cannot give yourself a role without ${permissionLabel(MANAGE_ADMINS)}: ask another administrator.`;
    }
    setErrors(errs);
    const first = FIELD_ORDER.find((f) => errs[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const name = values.name.trim();
    const roleId = Number(values.role_id);
    if (creating) {
      create.mutate(
        { name, email: values.email.trim(), role_id: roleId, password: values.password },
        { onSuccess: onClose },
      );
      return;
    }
    const patch: AdminPatch = {};
    if (name !== admin.name) patch.name = name;
    if (roleId !== admin.role_id) patch.role_id = roleId;
    if (values.active !== admin.active) patch.active = values.active;
    if (values.password !== '') patch.password = values.password;
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    update.mutate({ id: admin.id, patch }, { onSuccess: onClose });
  }

  return (
    <Dialog
      title={creating ? 'Add administrator' : `Edit ${admin.name || admin.email}`}
      onClose={onClose}
    >
      <form ref={formRef} onSubmit={submit} noValidate>
        {apiError && !apiField ? (
          <Alert
            ref={alertRef}
            tone="error"
            title={creating ? 'The administrator was not added' : 'The change was refused'}
          >
            {errorMessage(apiError)}
          </Alert>
        ) : null}
        {creating ? null : <p className="muted">{admin.email}</p>}
        <TextField
          label="Name"
          name="name"
          required
          data-autofocus
          autoComplete="off"
          value={values.name}
          error={fieldError('name')}
          onChange={(e) => {
            set('name', e.target.value);
          }}
        />
        {creating ? (
          <TextField
            label="Email"
            name="email"
            type="email"
            required
            autoComplete="off"
            hint="They sign in with it. It cannot be changed later."
            value={values.email}
            error={fieldError('email')}
            onChange={(e) => {
              set('email', e.target.value);
            }}
          />
        ) : null}
        <SelectField
          label="Role"
          name="role_id"
          required
          options={roleOptions}
          hint={
            self
              ? `Your own role must keep ${permissionLabel(MANAGE_ADMINS)}.`
              : 'The role decides which pages they may open.'
          }
          value={values.role_id}
          error={fieldError('role_id')}
          onChange={(e) => {
            set('role_id', e.target.value);
          }}
        />
        <TextField
          label={creating ? 'Initial password' : 'New password'}
          name="password"
          type="password"
          required={creating}
          autoComplete="new-password"
          hint={
            creating
              ? `At least ${String(MIN_PASSWORD)} characters. Give it to them over a safe channel.`
              : `Leave empty to keep the current password, or at least ${String(MIN_PASSWORD)} characters.`
          }
          value={values.password}
          error={fieldError('password')}
          onChange={(e) => {
            set('password', e.target.value);
          }}
        />
        {creating ? null : (
          <CheckboxField
            label="Active"
            name="active"
            hint={
              self
                ? 'You cannot deactivate your own account.'
                : 'An inactive administrator cannot sign in, and their open sessions end.'
            }
            checked={values.active}
            disabled={self && values.active}
            onChange={(c) => {
              set('active', c);
            }}
          />
        )}
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={mutation.isPending}>
            {creating ? 'Add administrator' : 'Save changes'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
