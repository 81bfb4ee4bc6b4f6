import { Link } from 'react-router';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import type { useRotateLinkSecret } from '../api/rotate-link-secret';
import { moduleName, type Service } from './labels';

/** The rotation mutation of one account (useRotateLinkSecret). */
export type RotateMutation = ReturnType<typeof useRotateLinkSecret>;

/**
 * The confirmation of "Rotate secret" for one account: it says what happens, then the account's
 * link secret is replaced and pushed to its panel. A refusal of the API shows in the dialog.
 */
export function RotateSecretDialog({
  service,
  name,
  rotate,
  onClose,
}: {
  service: Service;
  name: string;
  rotate: RotateMutation;
  onClose: () => void;
}) {
  return (
    <ConfirmMutation
      title={`Rotate the link secret of ${name}?`}
      confirmLabel="Rotate secret"
      tone="primary"
      mutation={rotate}
      variables={service.id}
      onClose={onClose}
    >
      <RotateSecretExplained service={service} name={name} />
    </ConfirmMutation>
  );
}

/** The queued rotation of the account, with a link to its log (a live region). */
export function RotateSecretStatus({
  service,
  name,
  rotate,
}: {
  service: Service;
  name: string;
  rotate: RotateMutation;
}) {
  const op = rotate.data;
  return (
    <span role="status" className="field__hint">
      {op ? (
        <>
          A rotation of the link secret of {name} was queued (operation #{op.id}).{' '}
          <Link to={`/settings/application-links/${service.module}/log?op=${String(op.id)}`}>
            View its log
          </Link>
        </>
      ) : null}
    </span>
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
