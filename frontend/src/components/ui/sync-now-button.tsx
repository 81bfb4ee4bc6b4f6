import { errorMessage } from '@/lib/api-error';
import { useHasPermission } from '@/lib/auth';
import { Button } from './button';

/** The parts of a sync mutation the button shows. */
export interface SyncMutation {
  mutate: () => void;
  reset: () => void;
  isPending: boolean;
  isSuccess: boolean;
  error: unknown;
}

/**
 * "Sync now": one server's accounts, or one account, get their application links pushed again.
 * Shown only to admins who may configure application links; says what happened below itself.
 */
export function SyncNowButton({ name, sync }: { name: string; sync: SyncMutation }) {
  const can = useHasPermission('configure_application_links');
  if (!can) return null;
  return (
    <>
      <Button
        size="sm"
        busy={sync.isPending}
        aria-label={`Sync ${name} now`}
        onClick={() => {
          sync.reset();
          sync.mutate();
        }}
      >
        Sync now
      </Button>
      <SyncNowStatus name={name} sync={sync} />
    </>
  );
}

/** What the last "Sync now" of `name` gave: queued, or the API's refusal (a live region). */
export function SyncNowStatus({ name, sync }: { name: string; sync: SyncMutation }) {
  return (
    <span role="status" className="field__hint">
      {sync.error ? errorMessage(sync.error) : null}
      {sync.isSuccess ? `A sync of ${name} was queued.` : null}
    </span>
  );
}
