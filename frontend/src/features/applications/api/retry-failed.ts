import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/**
 * POST /api/v1/applications/{module}/retry-failed: the accounts that failed for good are
 * tried again (202 with the retry operation; 409 when none failed or an operation runs).
 */
export function useRetryFailed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(
        api.POST('/api/v1/applications/{module}/retry-failed', { params: { path: { module } } }),
      ),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
