import { ErrorState, PermissionDenied } from '@/components/ui/states';
import { ApiError } from '@/lib/api-error';
import { MANAGE_ADMINS, permissionLabel } from './labels';

/** A failed list: a 403 says which permission is missing; anything else offers a retry. */
export function LoadError({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title: string;
  onRetry: () => void;
}) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <PermissionDenied
        permission={MANAGE_ADMINS}
        label={permissionLabel(MANAGE_ADMINS)}
        detail={error.message}
      />
    );
  }
  return <ErrorState error={error} title={title} onRetry={onRetry} />;
}
