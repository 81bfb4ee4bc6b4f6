import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { errorMessage } from '@/lib/api-error';
import { usePortalLogin } from '../api/login';
import { ssoReasonText } from './sso-reasons';

export interface PortalLoginProps {
  /** The SSO refusal code from ?error= (the redeem endpoint's redirect). */
  reason: string | null;
  /** ?expired=1: the session ended. */
  expired: boolean;
  /** Where the user continues after signing in (already checked by safeNext). */
  next: string | undefined;
  onSignedIn: (next: string) => void;
}

/**
 * The client-area sign-in: explains in words why single sign-on brought the user here (every
 * refusal code of api/links/sso.go), then signs in with e-mail and password and continues to
 * the page the link was for.
 */
export function PortalLogin({ reason, expired, next, onSignedIn }: PortalLoginProps) {
  const login = usePortalLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  const reasonRef = useRef<HTMLDivElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const text = reason ? ssoReasonText(reason) : null;

  useEffect(() => {
    // Lead with the explanation when there is one, otherwise with the form.
    if (reason) reasonRef.current?.focus();
    else emailRef.current?.focus();
  }, [reason]);

  useEffect(() => {
    if (login.isError) errorRef.current?.focus();
  }, [login.isError, login.failureCount]);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs: { email?: string; password?: string } = {};
    if (!email.trim()) errs.email = 'Enter your email address.';
    if (!password) errs.password = 'Enter your password.';
    setMissing(errs);
    if (errs.email ?? errs.password) return;
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          onSignedIn(next ?? '/portal');
        },
        onError: () => {
          setPassword('');
        },
      },
    );
  }

  return (
    <div className="portal-login">
      <h1 className="portal-login__title">Sign in to the Client Area</h1>
      {text ? (
        <Alert tone="warning" title={text.title} ref={reasonRef}>
          <p>{text.detail}</p>
          <p>{text.action}</p>
        </Alert>
      ) : null}
      {expired && !text ? (
        <Alert tone="info">Your session has expired. Please sign in again.</Alert>
      ) : null}
      {next && next !== '/portal' ? (
        <p className="portal-login__next">After signing in you will continue to {next}.</p>
      ) : null}
      <form
        className="portal-card portal-login__form"
        onSubmit={submit}
        noValidate
        aria-label="Sign in"
      >
        {login.isError ? (
          <Alert tone="error" ref={errorRef}>
            {errorMessage(login.error)}
          </Alert>
        ) : null}
        <TextField
          ref={emailRef}
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          error={missing.email}
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={missing.password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        <Button type="submit" variant="primary" busy={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </div>
  );
}
