import { useState, type ReactNode } from 'react';
import { Alert } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';

/**
 * Shows a new secret the only time the service answers it: what it belongs to, the secret, and a
 * button that copies `copyText` to the clipboard.
 */
export function SecretOnceDialog({
  title,
  notice,
  rows,
  secret,
  secretTestId,
  copyText,
  copyLabel,
  onClose,
}: {
  title: string;
  /** Why it is shown only now and what it is for. */
  notice: ReactNode;
  /** What the secret belongs to, shown above it. */
  rows: { term: string; value: ReactNode; mono?: boolean }[];
  secret: string;
  secretTestId: string;
  copyText: string;
  copyLabel: string;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <Alert tone="warning" live={false}>
        {notice}
      </Alert>
      <dl className="dl">
        {rows.map((r) => (
          <Row key={r.term} term={r.term} value={r.value} mono={r.mono} />
        ))}
        <dt>Secret</dt>
        <dd className="mono secret" data-testid={secretTestId}>
          {secret}
        </dd>
      </dl>
      <div className="form-actions">
        <Button
          size="sm"
          onClick={() => {
            void navigator.clipboard.writeText(copyText).then(() => {
              setCopied(true);
            });
          }}
        >
          {copyLabel}
        </Button>
        <span aria-live="polite" className="muted">
          {copied ? 'Copied.' : ''}
        </span>
      </div>
    </Dialog>
  );
}

function Row({
  term,
  value,
  mono,
}: {
  term: string;
  value: ReactNode;
  mono?: boolean | undefined;
}) {
  return (
    <>
      <dt>{term}</dt>
      <dd className={mono ? 'mono' : undefined}>{value}</dd>
    </>
  );
}
