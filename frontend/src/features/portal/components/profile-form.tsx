import { useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import type { Schema } from '@/api/types';
import { usePortalProfile } from '../api/get-profile';
import { useUpdateProfile } from '../api/update-profile';

/** Manage Profile: view and edit the user's own name and e-mail. */
export function ProfileForm() {
  const profile = usePortalProfile();
  if (profile.isPending) return <Spinner label="Loading your profile…" />;
  if (profile.isError)
    return (
      <ErrorState
        error={profile.error}
        title="Could not load your profile"
        onRetry={() => void profile.refetch()}
      />
    );
  return <ProfileEditor key={profile.data.id} user={profile.data} />;
}

function ProfileEditor({ user }: { user: Schema<'links.User'> }) {
  const update = useUpdateProfile();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [errors, setErrors] = useState<{ name?: string; email?: string }>({});
  const [saved, setSaved] = useState(false);
  const serverField = update.error instanceof ApiError ? update.error.field : undefined;
  const dirty = name !== user.name || email !== user.email;

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs: { name?: string; email?: string } = {};
    if (!name.trim()) errs.name = 'Enter your name.';
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs.email = 'Enter a valid email address.';
    setErrors(errs);
    setSaved(false);
    if (errs.name ?? errs.email) return;
    const body: { name?: string; email?: string } = {};
    if (name.trim() !== user.name) body.name = name.trim();
    if (email.trim() !== user.email) body.email = email.trim();
    update.mutate(body, {
      onSuccess: () => {
        setSaved(true);
      },
    });
  }

  return (
    <form
      className="portal-card portal-form"
      onSubmit={submit}
      noValidate
      aria-label="Your profile"
    >
      {saved && !dirty ? <Alert tone="success">Your profile has been saved.</Alert> : null}
      {update.isError && !serverField ? (
        <Alert tone="error">{errorMessage(update.error)}</Alert>
      ) : null}
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        required
        value={name}
        error={errors.name ?? (serverField === 'name' ? errorMessage(update.error) : undefined)}
        onChange={(e) => {
          setName(e.target.value);
        }}
      />
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="email"
        required
        value={email}
        hint="We send notices and invoices to this address; you also sign in with it."
        error={errors.email ?? (serverField === 'email' ? errorMessage(update.error) : undefined)}
        onChange={(e) => {
          setEmail(e.target.value);
        }}
      />
      <div className="portal-form__actions">
        <Button type="submit" variant="primary" busy={update.isPending} disabled={!dirty}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
