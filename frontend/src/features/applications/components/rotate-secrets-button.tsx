import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { useHasPermission } from '@/lib/auth';
import { useAccountCount } from '../api/get-account-count';
import type { useRotateLinkSecrets } from '../api/rotate-link-secrets';

/**
 * "Rotate all link secrets" of an application: after a confirmation that says what happens
 * (and to how many accounts, when the admin may list them), `rotate` replaces every account's
 * link secret and pushes it to its panel. A refusal of the API (disabled, no active server,
 * another operation running) shows in the dialog; the caller shows the queued operation.
 */
export function RotateSecretsButton({
  module,
  name,
  rotate,
}: {
  module: string;
  name: string;
  rotate: ReturnType<typeof useRotateLinkSecrets>;
}) {
  const [asking, setAsking] = useState(false);
  return (
    <>
      <Button
        onClick={() => {
          rotate.reset();
          setAsking(true);
        }}
      >
        Rotate all link secrets
      </Button>
      {asking ? (
        <ConfirmMutation
          title={`Rotate all link secrets of ${name}?`}
          confirmLabel="Rotate all secrets"
          mutation={rotate}
          variables={module}
          onClose={() => {
            setAsking(false);
          }}
        >
          <AffectedAccounts module={module} name={name} />
          <p>
            Each account gets a new link secret, pushed to its server. An old secret keeps working
            until its panel has confirmed the new one, so no click fails meanwhile; then it is
            refused.
          </p>
          <p className="muted">
            Do this when the secrets may have leaked. The progress shows in this log.
          </p>
        </ConfirmMutation>
      ) : null}
    </>
  );
}

/** Which accounts a rotation of all secrets affects: their number when it can be read. */
function AffectedAccounts({ module, name }: { module: string; name: string }) {
  const count = useAccountCount(module, useHasPermission('manage_clients'));
  if (count.data === undefined) {
    return <p>Every hosting account of {name} is affected.</p>;
  }
  return (
    <p>
      <strong>
        {count.data} {count.data === 1 ? 'account' : 'accounts'}
      </strong>{' '}
      of {name} {count.data === 1 ? 'is' : 'are'} affected.
    </p>
  );
}
