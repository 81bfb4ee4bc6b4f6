import { useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { Toggle } from '@/components/ui/toggle';
import { errorMessage } from '@/lib/api-error';
import { usePortalSecurity } from '../api/get-security';
import { useUpdateSecurity } from '../api/update-security';

/** Security Settings (owner only): Allow Single Sign-On for the whole account. */
export function SecuritySettings() {
  const security = usePortalSecurity();
  const update = useUpdateSecurity();
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);

  if (security.isPending) return <Spinner label="Loading security settings…" />;
  if (security.isError)
    return (
      <ErrorState
        error={security.error}
        title="Could not load the security settings"
        onRetry={() => void security.refetch()}
      />
    );

  const on = security.data.allow_sso;
  return (
    <section className="portal-card portal-setting" aria-labelledby="allow-sso-title">
      <h2 id="allow-sso-title" className="portal-setting__title">
        Single sign-on
      </h2>
      <Toggle
        label="Allow Single Sign-On"
        checked={on}
        busy={update.isPending}
        description="Turns single sign-on on or off for every user of this account."
        onChange={(value) => {
          setMessage(null);
          update.mutate(value, {
            onSuccess: (s) => {
              setMessage({
                tone: 'success',
                text: s.allow_sso
                  ? 'Single sign-on is on for this account.'
                  : 'Single sign-on is off for this account.',
              });
            },
            onError: (err) => {
              setMessage({ tone: 'error', text: errorMessage(err) });
            },
          });
        }}
      />
      <div className="portal-setting__help">
        <p>
          <strong>What it does:</strong> with single sign-on, the links inside your control panel
          (cPanel or WP Squared) open this client area already signed in, and “Log in to cPanel”
          opens your control panel from here without a password.
        </p>
        <p>
          <strong>When to turn it off:</strong> if you think someone else has access to your control
          panel, if a user who should not reach your billing details can sign in there, or if your
          security policy requires a password for every sign-in. While it is off, every user must
          sign in here with e-mail and password, and sign-in links already issued stop working at
          once.
        </p>
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
    </section>
  );
}
