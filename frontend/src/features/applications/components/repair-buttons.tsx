import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/api-error';
import { useHasPermission } from '@/lib/auth';
import type { ApplicationStatus } from '../api/get-application-status';
import { useRetryFailed } from '../api/retry-failed';

/**
 * "Retry failed", beside a status that says "Active with warnings (N accounts failed)": the
 * accounts that failed for good are tried again. Shown only while some failed and nothing runs.
 */
export function RetryFailedButton({
  module,
  name,
  status,
}: {
  module: string;
  name: string;
  status: ApplicationStatus | undefined;
}) {
  const retry = useRetryFailed();
  const can = useHasPermission('configure_application_links');
  const failed = status?.accounts_failed ?? 0;
  if (!can || (failed === 0 && !retry.isError) || status?.state !== 'active') return null;
  return (
    <>
      <Button
        size="sm"
        busy={retry.isPending}
        aria-label={`Retry the failed accounts of ${name}`}
        onClick={() => {
          retry.mutate(module);
        }}
      >
        Retry failed
      </Button>
      {retry.isError ? <Alert tone="error">{errorMessage(retry.error)}</Alert> : null}
    </>
  );
}
