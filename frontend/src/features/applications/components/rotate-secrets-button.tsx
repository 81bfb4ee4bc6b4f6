import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { useHasPermission } from '@/lib/auth';
import { useAccountCount } from '../api/get-account-count';
import { useRotateLinkSecrets } from '../api/rotate-link-secrets';

/**
 * "Rotate all link secrets" of an enabled application: after a confirmation that says what
 * happens (and to how many accounts, when the admin may list them), every account's link secret
 * is replaced and pushed to its panel; below, the queued rotation with a link to its log. A
 * refusal of the API (disabled, no active server, another operation running) shows in the dialog.
 */
export function RotateSecretsButton({ module, name }: { module: string; name: string }) {
  const rotate = useRotateLinkSecrets();
  const [asking, setAsking] = useState(false);
  const op = rotate.data;
  return (
    <>
      <Button
        size="sm"
        aria-label={`Rotate all link secrets of ${name}`}
        onClick={() => {
          rotate.reset();
          setAsking(true);
        }}
      >
        Rotate secrets
      </Button>
      <span role="status" className="field__hint">
        {op ? (
          <>
            A rotation of every link secret is queued (operation #{op.id}).{' '}
            <Link to={`/settings/application-links/${module}/log?op=${String(op.id)}`}>
              View its log
            </Link>
          </>
        ) : null}
      </span>
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
            Do this when the secrets may have leaked. Follow the progress in the log.
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
