import type { ApplicationStatus } from '../api/get-application-status';

interface Describe {
  label: string;
  tone: 'neutral' | 'info' | 'success' | 'warning';
  progress: boolean;
}

/** The words for a status, exactly as staff see them (PRODUCT.md 3.1). */
export function describeStatus(status: ApplicationStatus | undefined): Describe {
  // Warnings of the last run (refusals retried since, accounts a verify could not read) are in
  // View Log; the status warns only of accounts that failed for good.
  const failed = status?.accounts_failed ?? 0;
  switch (status?.state) {
    case 'provisioning':
      return { label: 'Provisioning', tone: 'info', progress: true };
    case 'syncing':
      return { label: 'Syncing', tone: 'info', progress: true };
    case 'deprovisioning':
      return { label: 'Deprovisioning', tone: 'info', progress: true };
    case 'active':
      return failed > 0
        ? { label: 'Active with warnings', tone: 'warning', progress: false }
        : { label: 'Active', tone: 'success', progress: false };
    default:
      return { label: 'Disabled', tone: 'neutral', progress: false };
  }
}

/** True while the status's operation is queued or running. */
function operationOpen(status: ApplicationStatus | undefined): boolean {
  const op = status?.operation?.state;
  return op === 'queued' || op === 'running';
}

function plural(n: number, one: string, many: string): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

/**
 * What is left while the status syncs with no operation open (lifecycle work or retries): the
 * last operation's figures are not the progress of this work, so they are not shown.
 */
export function workLeft(status: ApplicationStatus | undefined): string {
  const parts: string[] = [];
  const behind = status?.servers_behind ?? 0;
  const pending = status?.accounts_pending ?? 0;
  if (behind > 0) parts.push(plural(behind, 'server to update', 'servers to update'));
  if (pending > 0) parts.push(plural(pending, 'account retrying', 'accounts retrying'));
  return parts.length > 0 ? `(${parts.join(', ')})` : '…';
}

/**
 * State badge with live progress ("Provisioning 40/100"). Its box keeps one size whatever
 * the numbers, so polling never moves the layout; screen readers hear state changes only,
 * not every count. The bar is the open operation's progress; syncing with none open (lifecycle
 * work) shows what is left instead, and no bar.
 */
export function StatusIndicator({ status }: { status: ApplicationStatus | undefined }) {
  const d = describeStatus(status);
  const measured = d.progress && operationOpen(status);
  const done = status?.accounts_done ?? 0;
  const total = status?.accounts_total ?? 0;
  const failed = status?.accounts_failed ?? 0;
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className={`status status--${d.tone}`}>
      <span className="status__dot" aria-hidden="true" />
      <span className="status__text">
        <span aria-live="polite">{d.label}</span>
        {d.progress ? (
          <span className="status__count">
            {' '}
            {!measured ? workLeft(status) : total > 0 ? `${String(done)}/${String(total)}` : '…'}
          </span>
        ) : null}
        {d.label === 'Active with warnings' ? (
          <span className="status__count">
            {' '}
            {`(${plural(failed, 'account', 'accounts')} failed)`}
          </span>
        ) : null}
      </span>
      {measured ? (
        <span
          className="status__bar"
          role="progressbar"
          aria-label={`${d.label} progress`}
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={done}
          aria-valuetext={total > 0 ? `${String(done)} of ${String(total)} accounts` : 'starting'}
        >
          <span className="status__fill" style={{ width: `${String(pct)}%` }} />
        </span>
      ) : (
        <span className="status__bar status__bar--empty" aria-hidden="true" />
      )}
    </div>
  );
}
