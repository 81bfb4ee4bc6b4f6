import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  CredentialFields,
  missingCredentials,
  type CredentialErrors,
} from '@/components/ui/credential-fields';
import { errorMessage } from '@/lib/api-error';

/** What the form hands to its caller. */
export interface Credentials {
  email: string;
  password: string;
}

export interface LoginFormProps {
  /** The previous session was ended by the server: say so. */
  expired: boolean;
  /** A sign-in request is in flight. */
  pending: boolean;
  /** The last attempt's failure (an ApiError with the server's generic message). */
  error: unknown;
  /** Counts attempts, so that focus returns to the message after every failure. */
  attempt: number;
  onSubmit: (credentials: Credentials) => void;
}

/**
 * The staff sign-in form. Focus starts on the email field; after invalid input it moves to the
 * first invalid field, after a failed attempt to the error message (announced as an alert).
 * The password is cleared after a failure. Messages are the server's generic ones: they never
 * tell whether the email exists.
 */
export function LoginForm({ expired, pending, error, attempt, onSubmit }: LoginFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<CredentialErrors>({});
  const [clearedFor, setClearedFor] = useState(0);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const failed = error !== null && error !== undefined;

  // A new failure clears the password (state adjusted during render, not in an effect).
  if (failed && clearedFor !== attempt) {
    setClearedFor(attempt);
    setPassword('');
  }

  useEffect(() => {
    emailRef.current?.focus();
  }, []);

  useEffect(() => {
    if (failed) errorRef.current?.focus();
  }, [failed, attempt]);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = missingCredentials(email, password);
    setFieldErrors(errs);
    if (errs.email) {
      emailRef.current?.focus();
      return;
    }
    if (errs.password) {
      passwordRef.current?.focus();
      return;
    }
    onSubmit({ email: email.trim(), password });
  }

  return (
    <form className="login-form" onSubmit={submit} noValidate aria-labelledby="login-title">
      <h1 id="login-title" className="login-form__title">
        Sign in
      </h1>
      <p className="login-form__subtitle">Application Links administration</p>
      {expired && !failed ? (
        <Alert tone="warning">Your session has expired. Please sign in again.</Alert>
      ) : null}
      {failed ? (
        <Alert tone="error" ref={errorRef}>
          {errorMessage(error)}
        </Alert>
      ) : null}
      <CredentialFields
        email={email}
        password={password}
        errors={fieldErrors}
        emailRef={emailRef}
        passwordRef={passwordRef}
        onEmail={setEmail}
        onPassword={setPassword}
      />
      <Button type="submit" variant="primary" busy={pending} className="login-form__submit">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
