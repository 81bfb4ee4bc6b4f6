import { useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import type { Schema } from '@/api/types';
import { usePortalProfile } from '../api/get-profile';
import { useUpdateProfile, type ProfileChange } from '../api/update-profile';

interface Errors {
  name?: string;
  email?: string;
  password?: string;
}

/**
 * Manage Profile: view and edit the user's own name and sign-in e-mail. A new e-mail asks for
 * the current password; the answer does not say whether the address was free (the server
 * answers alike, to enumerate no accounts), so the form shows the server's message and the
 * profile as read again.
 */
export function ProfileForm() {
  const profile = usePortalProfile();
  const [saved, setSaved] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  if (profile.isPending) return <Spinner label="Loading your profile…" />;
  if (profile.isError)
    return (
      <ErrorState
        error={profile.error}
        title="Could not load your profile"
        onRetry={() => void profile.refetch()}
      />
    );
  return (
    <>
      {saved ? (
        <Alert tone="success" live>
          {saved}
        </Alert>
      ) : null}
      {/* A new editor after each save: its fields start from the profile as read again. */}
      <ProfileEditor
        key={`${String(profile.data.id)}:${String(generation)}`}
        user={profile.data}
        onSaved={(message) => {
          setSaved(message);
          setGeneration((g) => g + 1);
        }}
      />
    </>
  );
}

function ProfileEditor({
  user,
  onSaved,
}: {
  user: Schema<'rest.UserAnswer'>;
  onSaved: (message: string) => void;
}) {
  const update = useUpdateProfile();
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const serverField = update.error instanceof ApiError ? update.error.field : undefined;
  const emailChanged = email.trim() !== user.email;
  const dirty = name !== user.name || emailChanged;

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs: Errors = {};
    if (!name.trim()) errs.name = 'Enter your name.';
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs.email = 'Enter a valid email address.';
    if (emailChanged && !password)
      errs.password = 'Enter your current password to change your email.';
    setErrors(errs);
    if (errs.name ?? errs.email ?? errs.password) return;
    const body: ProfileChange = {};
    if (name.trim() !== user.name) body.name = name.trim();
    if (emailChanged) {
      body.email = email.trim();
      body.current_password = password;
    }
    update.mutate(body, {
      // Called once the profile has been read again (useUpdateProfile waits for it).
      onSuccess: (answer) => {
        onSaved(answer.message);
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
      {emailChanged ? (
        <TextField
          label="Current password"
          type="password"
          name="current_password"
          autoComplete="current-password"
          required
          value={password}
          hint="For your security, changing the email you sign in with needs your password."
          error={
            errors.password ??
            (serverField === 'current_password' ? errorMessage(update.error) : undefined)
          }
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
      ) : null}
      <div className="portal-form__actions">
        <Button type="submit" variant="primary" busy={update.isPending} disabled={!dirty}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
