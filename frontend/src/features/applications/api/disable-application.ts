import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/**
 * POST /api/v1/applications/{module}/disable: queues a deactivation (202).
 * Every link and the group are removed from every account; 409 when already disabled.
 */
export function useDisableApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(api.POST('/api/v1/applications/{module}/disable', { params: { path: { module } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
