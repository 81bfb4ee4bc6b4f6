import { useId, useState } from 'react';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { useRotateLinkSecret } from '../api/rotate-link-secret';
import { moduleName, type Service } from './labels';

/**
 * "Rotate secret" for one account: after a confirmation that says what happens, the account's
 * link secret is replaced and pushed to its panel; below the button, the queued rotation with a
 * link to its log. `blocked` is why it cannot run now (e.g. the application is disabled): the
 * button is then disabled and describes why. A refusal of the API shows in the dialog.
 */
export function RotateSecretButton({
  service,
  name,
  blocked,
}: {
  service: Service;
  name: string;
  blocked?: string | undefined;
}) {
  const rotate = useRotateLinkSecret();
  const [asking, setAsking] = useState(false);
  const reasonId = useId();
  const op = rotate.data;
  return (
    <>
      <Button
        size="sm"
        aria-label={`Rotate the link secret of ${name}`}
        disabled={Boolean(blocked)}
        aria-describedby={blocked ? reasonId : undefined}
        title={blocked}
        onClick={() => {
          rotate.reset();
          setAsking(true);
        }}
      >
        Rotate secret
      </Button>
      {blocked ? (
        <span id={reasonId} className="visually-hidden">
          {blocked}
        </span>
      ) : null}
      <span role="status" className="field__hint">
        {op ? (
          <>
            The link secret of {name} is being rotated (operation #{op.id}).{' '}
            <Link to={`/settings/application-links/${service.module}/log?op=${String(op.id)}`}>
              View its log
            </Link>
          </>
        ) : null}
      </span>
      {asking ? (
        <ConfirmMutation
          title={`Rotate the link secret of ${name}?`}
          confirmLabel="Rotate secret"
          tone="primary"
          mutation={rotate}
          variables={service.id}
          onClose={() => {
            setAsking(false);
          }}
        >
          <RotateSecretExplained service={service} name={name} />
        </ConfirmMutation>
      ) : null}
    </>
  );
}

/** What the confirmation says: which account, and what a rotation does. */
function RotateSecretExplained({ service, name }: { service: Service; name: string }) {
  return (
    <>
      <p>
        {service.domain} ({name}), #{service.id}, {moduleName(service.module)}
      </p>
      <p>
        A new link secret is created for this account and pushed to its server. The old secret keeps
        working until the panel has confirmed the new one, so no click fails meanwhile; then the old
        one is refused.
      </p>
      <p className="muted">
        Do this when the secret may have leaked. The account&rsquo;s links stay in place.
      </p>
    </>
  );
}
