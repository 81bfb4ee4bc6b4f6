import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  CredentialFields,
  missingCredentials,
  type CredentialErrors,
} from '@/components/ui/credential-fields';
import { errorMessage } from '@/lib/api-error';
import { isServerNext } from '@/portal/lib/login-url';
import { Link } from 'react-router';
import type { PortalMe } from '@/portal/lib/get-me';
import { usePortalSessionProbe } from '../api/get-session';
import { usePortalLogin } from '../api/login';
import { ssoReasonText } from '@/portal/lib/sso-reasons';

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
  const [missing, setMissing] = useState<CredentialErrors>({});
  const reasonRef = useRef<HTMLDivElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  // A control-panel link whose single sign-on was refused falls back (through /sso/fallback) to
  // this page with ?error= when that refusal was recent, else with only ?next= (as do links
  // pushed before the fallback page). When the browser still holds a session, the account's
  // state tells why.
  const probe = usePortalSessionProbe();
  const session = probe.data;
  const shown = reason ?? (session && next ? refusalOf(session) : null);
  const text = shown ? ssoReasonText(shown) : null;

  useEffect(() => {
    // Lead with the explanation when there is one, otherwise with the form.
    if (shown) reasonRef.current?.focus();
    else emailRef.current?.focus();
  }, [shown]);

  useEffect(() => {
    if (login.isError) errorRef.current?.focus();
  }, [login.isError, login.failureCount]);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = missingCredentials(email, password);
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
      {session ? (
        <div className="portal-card portal-login__session" role="status">
          <p>
            You are still signed in as <strong>{session.user.name}</strong>
            {session.current_account.name ? ` on ${session.current_account.name}` : ''}.
          </p>
          <p>
            {next && isServerNext(next) ? (
              <a href={next}>Continue to the link you clicked</a>
            ) : (
              <Link to={next ?? '/portal'}>Continue to the client area</Link>
            )}
            , or sign in as someone else below.
          </p>
        </div>
      ) : null}
      {next && next !== '/portal' ? (
        <p className="portal-login__next">
          After signing in you will continue to{' '}
          {isServerNext(next) ? 'the page of the link you clicked' : next}.
        </p>
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
        <CredentialFields
          email={email}
          password={password}
          errors={missing}
          emailRef={emailRef}
          onEmail={setEmail}
          onPassword={setPassword}
        />
        <Button type="submit" variant="primary" busy={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </div>
  );
}

/** Why single sign-on into the signed-in account is refused, if its state says so. */
function refusalOf(me: PortalMe): string | null {
  const a = me.current_account;
  if (a.status === 'Closed') return 'client_closed';
  if (!a.allow_sso) return 'sso_disabled';
  if (!me.owner && !me.permissions.includes('sso')) return 'no_sso_permission';
  return null;
}
