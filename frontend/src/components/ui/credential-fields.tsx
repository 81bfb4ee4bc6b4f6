import type { Ref } from 'react';
import { TextField } from './text-field';

/** A sign-in form's messages for its empty fields. */
export interface CredentialErrors {
  email?: string;
  password?: string;
}

/** The messages for the fields a sign-in left empty (an email of blanks counts as empty). */
export function missingCredentials(email: string, password: string): CredentialErrors {
  const errs: CredentialErrors = {};
  if (!email.trim()) errs.email = 'Enter your email address.';
  if (!password) errs.password = 'Enter your password.';
  return errs;
}

/** The email and password fields of a sign-in form, with the autocomplete password managers use. */
export function CredentialFields({
  email,
  password,
  errors,
  emailRef,
  passwordRef,
  onEmail,
  onPassword,
}: {
  email: string;
  password: string;
  errors: CredentialErrors;
  emailRef?: Ref<HTMLInputElement>;
  passwordRef?: Ref<HTMLInputElement>;
  onEmail: (email: string) => void;
  onPassword: (password: string) => void;
}) {
  return (
    <>
      <TextField
        ref={emailRef}
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        required
        value={email}
        error={errors.email}
        onChange={(e) => {
          onEmail(e.target.value);
        }}
      />
      <TextField
        ref={passwordRef}
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        error={errors.password}
        onChange={(e) => {
          onPassword(e.target.value);
        }}
      />
    </>
  );
}
